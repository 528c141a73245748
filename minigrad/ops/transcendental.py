"""Inverse trigonometric and hyperbolic functions, expm1 and exp2, log Γ and the polygamma
functions, and the compositions built on them (logit, xlogy, logaddexp). Integers are promoted
to the default float dtype, as PyTorch's.
"""

import math

from .._coerce import _promote
from ..autograd.function import Op
from .elementwise import where


class Expm1(Op):
    """y = eˣ - 1, exact near x = 0;  dy/dx = eˣ = y + 1."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        y = ctx.xp.expm1(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (y + 1)


class Exp2(Op):
    """y = 2ˣ;  dy/dx = 2ˣ ln 2."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        y = 2.0 ** x
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y * math.log(2.0)


class Sinh(Op):
    """y = sinh x;  dy/dx = cosh x."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.sinh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cosh()


class Cosh(Op):
    """y = cosh x;  dy/dx = sinh x."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.cosh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sinh()


class Asin(Op):
    """y = arcsin x on [-1, 1];  dy/dx = 1/√(1 - x²)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.asin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (1 - x * x).rsqrt()


class Acos(Op):
    """y = arccos x on [-1, 1];  dy/dx = -1/√(1 - x²)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.acos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * (1 - x * x).rsqrt()


class Atan(Op):
    """y = arctan x;  dy/dx = 1/(1 + x²)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.atan(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 + x * x)


class Asinh(Op):
    """y = arsinh x;  dy/dx = 1/√(x² + 1)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.asinh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x * x + 1).rsqrt()


class Acosh(Op):
    """y = arcosh x for x ≥ 1;  dy/dx = 1/√(x² - 1)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.acosh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x * x - 1).rsqrt()


class Atanh(Op):
    """y = artanh x on (-1, 1);  dy/dx = 1/(1 - x²)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.atanh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 - x * x)


class Lgamma(Op):
    """y = log|Γ(x)|;  dy/dx = ψ(x), the digamma function."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.backend.lgamma(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Polygamma.apply(x, n=0)


class Polygamma(Op):
    """y = ψ⁽ⁿ⁾(x), the n-th derivative of ψ = (log Γ)' (n = 0: digamma);  dy/dx = ψ⁽ⁿ⁺¹⁾(x)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        return ctx.device.backend.polygamma(n, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Polygamma.apply(x, n=ctx.attrs["n"] + 1)


def polygamma(n, input):
    """ψ⁽ⁿ⁾(x) for an integer n ≥ 0 (PyTorch's argument order: n first).

    >>> import minigrad as mg
    >>> round(mg.polygamma(1, mg.tensor([1.0])).item(), 4)  # π²/6
    1.6449
    """
    if int(n) != n or n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n, got n={n}")
    return Polygamma.apply(input, n=int(n))


class LogAddExp(Op):
    """z = log(eˣ + eʸ);  dz/dx = σ(x - y), dz/dy = σ(y - x)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return ctx.xp.logaddexp(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return grad * (x - y).sigmoid(), grad * (y - x).sigmoid()


def logit(input, eps=None):
    """y = log(z / (1 - z)), z = clamp(x, eps, 1 - eps) when ``eps`` is given (the inverse of
    sigmoid);  dy/dx = 1/(z(1 - z)), and 0 where the clamp is active.

    >>> import minigrad as mg
    >>> mg.logit(mg.tensor([0.5, 0.75])).tolist()
    [0.0, 1.0986123085021973]
    """
    z = input if eps is None else input.clamp(eps, 1 - eps)
    return (z / (1 - z)).log()


def xlogy(input, other):
    """z = x · log y, and 0 where x = 0 (even where y is 0 or NaN);  dz/dx = log y, dz/dy = x / y,
    both 0 where x = 0.

    >>> import minigrad as mg
    >>> mg.xlogy(mg.tensor([0.0, 2.0]), mg.tensor([0.0, 1.0])).tolist()
    [0.0, 0.0]
    """
    x, y = _promote(input, other, true_div=True)
    zero = x == 0
    return where(zero, 0.0, x * where(zero, 1.0, y).log())


def logaddexp(input, other):
    """z = log(eˣ + eʸ), without overflow.

    >>> import minigrad as mg
    >>> mg.logaddexp(mg.tensor([0.0]), mg.tensor([0.0])).tolist()
    [0.6931471824645996]
    """
    return LogAddExp.apply(*_promote(input, other, true_div=True))


def logaddexp2(input, other):
    """z = log₂(2ˣ + 2ʸ), without overflow."""
    return logaddexp(input * math.log(2.0), other * math.log(2.0)) / math.log(2.0)
