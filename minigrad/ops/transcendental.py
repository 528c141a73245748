"""Inverse trigonometric and hyperbolic functions, expm1 and exp2, log Γ and the polygamma
functions, and the compositions built on them (logit, xlogy, logaddexp). Integers are promoted
to the default float dtype, as PyTorch's.
"""

import math

from .._coerce import _promote
from ..autograd.function import Op


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


class Logit(Op):
    """y = log(x / (1 - x)), x first clamped to [eps, 1 - eps] when ``eps`` is given;
    dy/dx = 1/(x(1 - x)), and 0 where the clamp held x (NaN outside [0, 1] without ``eps``)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x, *, eps):
        ctx.save_for_backward(x)
        xp = ctx.xp
        if eps is not None:  # PyTorch's order of the two bounds, which matters for eps > 0.5
            x = xp.where(x < eps, xp.full_like(x, eps), xp.where(x > 1 - eps, xp.full_like(x, 1 - eps), x))
        return xp.log(x / (1 - x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        eps = ctx.attrs["eps"]
        slope = grad / (x * (1 - x))
        if eps is None:
            return slope.masked_fill((x < 0) | (x > 1), math.nan)
        return slope.masked_fill((x < eps) | (x > 1 - eps), 0.0)


def logit(input, eps=None):
    """log(p / (1 - p)), the inverse of sigmoid (see ``Logit``).

    >>> import minigrad as mg
    >>> mg.logit(mg.tensor([0.5, 0.75])).tolist()
    [0.0, 1.0986123085021973]
    """
    return Logit.apply(input, eps=eps)


class Xlogy(Op):
    """z = x·log(y), 0 where x = 0 (unless y is NaN);  dz/dx = log(y) (0 where x = 0 and y ≤ 0),
    dz/dy = x/y."""

    floating_only = True

    @staticmethod
    def forward(ctx, x, y):
        xp = ctx.xp
        ctx.save_for_backward(x, y)
        product = x * xp.log(y)
        return xp.where((x == 0) & ~xp.isnan(y), xp.zeros_like(product), product)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        dx, dy = ctx.needs_input_grad
        return ((grad * y.log()).masked_fill((x == 0) & (y <= 0), 0.0) if dx else None,
                grad * x / y if dy else None)


def xlogy(input, other):
    """x · log y, 0 where x = 0 unless y is NaN (see ``Xlogy``).

    >>> import minigrad as mg
    >>> mg.xlogy(mg.tensor([0.0, 2.0]), mg.tensor([3.0, 1.0])).tolist()
    [0.0, 0.0]
    """
    return Xlogy.apply(*_promote(input, other, true_div=True))


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
