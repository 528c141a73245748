"""Hyperbolic and inverse trigonometric functions, exp2, expm1, logit, sinc, and the two-argument
functions built on logarithms and signs (xlogy, logaddexp, copysign, fmax/fmin).

Each derivative is PyTorch's, including its value where the formula has none: sinc'(0) = 0,
xlogy's dz/dx = 0 where x = 0 and y ≤ 0, copysign's dz/da = 0 at a = 0, logit's 0 outside
[eps, 1 - eps].
"""

import math

from ..autograd.function import Op


class Sinh(Op):
    """y = sinh(x);  dy/dx = cosh(x)."""

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
    """y = cosh(x);  dy/dx = sinh(x)."""

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
    """y = asin(x);  dy/dx = 1/√(1 - x²)."""

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
    """y = acos(x);  dy/dx = -1/√(1 - x²)."""

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
    """y = atan(x);  dy/dx = 1/(1 + x²)."""

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
    """y = asinh(x);  dy/dx = 1/√(x² + 1)."""

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
    """y = acosh(x);  dy/dx = 1/√((x - 1)(x + 1))."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.acosh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ((x - 1) * (x + 1)).rsqrt()


class Atanh(Op):
    """y = atanh(x);  dy/dx = 1/(1 - x²)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.atanh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 - x * x)


class Expm1(Op):
    """y = eˣ - 1, exact for small x;  dy/dx = y + 1."""

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
    """y = 2ˣ (exact at integers);  dy/dx = y·ln 2."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        y = ctx.xp.pow(ctx.xp.full_like(x, 2), x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y * math.log(2)


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


class Sinc(Op):
    """y = sin(πx)/(πx), 1 at 0;  dy/dx = (πx·cos(πx) - sin(πx))/(πx²), 0 at 0."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        xp = ctx.xp
        ctx.save_for_backward(x)
        px = math.pi * x
        return xp.where(x == 0, xp.ones_like(x), xp.sin(px) / xp.where(x == 0, xp.ones_like(x), px))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        zero = x == 0
        px = math.pi * x.masked_fill(zero, 1.0)
        slope = (px * px.cos() - px.sin()) / (px * x.masked_fill(zero, 1.0))
        return grad * slope.masked_fill(zero, 0.0)


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


class LogAddExp(Op):
    """z = log_b(bᵃ + bᶜ) for base b = e (logaddexp) or 2 (logaddexp2), without overflow:
    max(a, c) + log_b(1 + b^-|a - c|);  dz/da = 1/(1 + b^(c - a)), dz/dc = 1/(1 + b^(a - c))."""

    floating_only = True

    @staticmethod
    def forward(ctx, a, c, *, base):
        xp = ctx.xp
        ctx.save_for_backward(a, c)
        gap = -xp.abs(a - c)
        if base == "e":
            tail = xp.log1p(xp.exp(gap))
        else:
            tail = xp.log1p(xp.pow(xp.full_like(gap, 2), gap)) / math.log(2)
        same_infinity = xp.isinf(a) & (a == c)  # -inf and -inf (or inf and inf): a - c is NaN
        return xp.where(same_infinity, a, xp.maximum(a, c) + xp.where(same_infinity, 0, tail))

    @staticmethod
    def backward(ctx, grad):
        a, c = ctx.saved_tensors
        scale = 1.0 if ctx.attrs["base"] == "e" else math.log(2)
        return grad * ((a - c) * scale).sigmoid(), grad * ((c - a) * scale).sigmoid()


class Copysign(Op):
    """z = |a| with the sign of b;  dz/da = z/a (0 at a = 0), dz/db = 0."""

    floating_only = True

    @staticmethod
    def forward(ctx, a, b):
        z = ctx.xp.copysign(a, b)
        ctx.save_for_backward(a, z)
        return z

    @staticmethod
    def backward(ctx, grad):
        a, z = ctx.saved_tensors
        zero = a == 0
        return grad * (z / a.masked_fill(zero, 1.0)).masked_fill(zero, 0.0), grad.new_zeros(grad.shape)


class NanMax(Op):
    """``fmax``/``fmin``: max(a, b) (or min) where a NaN loses to a number; the gradient goes to a
    on ties, as PyTorch: dz/da = [a ≥ b or b is NaN] (≤ for fmin), dz/db = the rest."""

    @staticmethod
    def forward(ctx, a, b, *, op):
        xp = ctx.xp
        ctx.save_for_backward(a, b)
        best = xp.maximum(a, b) if op == "fmax" else xp.minimum(a, b)
        return xp.where(xp.isnan(a), b, xp.where(xp.isnan(b), a, best))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        to_a = ((a >= b) if ctx.attrs["op"] == "fmax" else (a <= b)) | b.isnan()
        return grad.masked_fill(~to_a, 0.0), grad.masked_fill(to_a, 0.0)
