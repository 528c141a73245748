"""More elementwise math: logarithms in base 2 and 10, rounding, the inverse error function,
two-argument functions, NaN replacement, and the cumulative product and log-sum-exp.

Rounding functions are piecewise constant: their gradient is zero (as PyTorch's).
"""

import math

from .. import dtypes
from .._coerce import _as_tensor_like, _dim, _promote, is_tensor
from ..autograd import views
from ..autograd.function import Op
from .elementwise import ZeroWhere, _no_bool, where
from .reduce import scan


class LogBase(Op):
    """y = log_b x for ``base`` 2 or 10 (the array API's ``log2``/``log10``: exact at powers of b);
    dy/dx = 1/(x ln b)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x, base):
        ctx.save_for_backward(x)
        return getattr(ctx.xp, f"log{base}")(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * math.log(ctx.attrs["base"]))


class Round(Op):
    """y = x rounded half to even (a subclass: floor, ceil or trunc, its ``mode``);  dy/dx = 0.

    ``decimals`` rounds to that many decimal places: round(x·10ᵈ)/10ᵈ.
    """

    mode = "round"  # the array API function; each subclass is the node PyTorch names for it

    @staticmethod
    def forward(ctx, x, decimals=0):
        _no_bool(ctx, ctx.mode, x)  # NumPy would round a bool tensor to float16
        fn = getattr(ctx.xp, ctx.mode)
        if decimals:
            scale = 10.0 ** decimals
            return fn(x * scale) / scale
        return fn(x)

    @staticmethod
    def backward(ctx, grad):
        return grad.new_zeros(grad.shape)


class RoundDecimals(Round):
    """``round(x, decimals=d)`` with d ≠ 0: RoundBackward1 in PyTorch."""

    node_name = "RoundBackward1"


class Floor(Round):
    """y = ⌊x⌋."""

    mode = "floor"


class Ceil(Round):
    """y = ⌈x⌉."""

    mode = "ceil"


class Trunc(Round):
    """y = x rounded toward zero."""

    mode = "trunc"


class Frac(Op):
    """y = x - trunc(x), the fractional part with the sign of x;  dy/dx = 1."""

    @staticmethod
    def forward(ctx, x):
        return x - ctx.xp.trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Erfinv(Op):
    """y = erf⁻¹(x) on [-1, 1] (±inf at ±1, NaN outside);  dy/dx = √π/2 · exp(y²)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        y = ctx.device.backend.erfinv(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (math.sqrt(math.pi) / 2) * (y * y).exp()


class Fmod(Op):
    """z = a - b·trunc(a/b), the remainder with the sign of a (C's fmod);  dz/da = 1, dz/db = -trunc(a/b).

    Computed as the array API's ``remainder`` (which is exact) of |a| and |b|, given a's sign: so
    a finite a modulo ±inf is a, and a zero result keeps a's sign. An integer division by zero
    raises, as PyTorch's (floats give NaN).
    """

    @staticmethod
    def forward(ctx, a, b):
        xp = ctx.xp
        _no_bool(ctx, "fmod", a, b)
        if a.dtype not in ctx.device.backend.float_dtypes and bool(xp.any(b == 0)):
            raise RuntimeError("fmod: ZeroDivisionError (an integer tensor divided by zero)")
        ctx.save_for_backward(a, b)
        r = xp.remainder(xp.abs(a), xp.abs(b) if hasattr(b, "dtype") else abs(b))  # b may be a number
        return xp.copysign(r, a) if a.dtype in ctx.device.backend.float_dtypes else xp.where(a < 0, -r, r)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        return (grad if da else None), ((-grad * Trunc.apply(a / b)) if db else None)


class Lerp(Op):
    """y = a + w (b - a), taken as b - (b - a)(1 - w) where |w| ≥ 1/2 (PyTorch's: exact at w = 1);
    da = dy (1 - w), db = dy w, dw = dy (b - a). ``w`` a number; ``LerpTensor``: a Tensor."""

    @staticmethod
    def forward(ctx, a, b, w):
        ctx.save_for_backward(a, b, w)
        diff = b - a
        if isinstance(w, float):
            return a + w * diff if abs(w) < 0.5 else b - diff * (1 - w)
        return ctx.xp.where(abs(w) < 0.5, a + w * diff, b - diff * (1 - w))

    @staticmethod
    def backward(ctx, grad):
        a, b, w = ctx.saved_tensors
        da, db, dw = ctx.needs_input_grad
        return ((grad * (1 - w) if da else None), (grad * w if db else None),
                (grad * (b - a) if dw else None))


class LerpTensor(Lerp):
    """``lerp`` with a Tensor weight: LerpBackward1 in PyTorch."""

    node_name = "LerpBackward1"


def lerp(input, end, weight, inplace=False):
    """input + weight · (end - input), ``weight`` a number or a Tensor (all three broadcast).
    ``end`` must have ``input``'s dtype, and a number weight a floating input (PyTorch refuses
    both, where a cast would silently pick a dtype)."""
    dtypes.require_same("lerp", input.dtype, end.dtype)
    if is_tensor(weight):
        op, operands = LerpTensor, (end, weight.type(input.dtype))
    else:
        dtypes.require("lerp", input.dtype)
        op, operands = Lerp, (end, float(weight))
    return views.apply_inplace(input, op, *operands) if inplace else op.apply(input, *operands)


class Atan2(Op):
    """z = atan2(a, b), the angle of the point (b, a);  dz/da = b/(a²+b²), dz/db = -a/(a²+b²),
    both 0 at the origin (PyTorch's)."""

    floating_only = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.xp.atan2(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        r2 = a * a + b * b
        scale = ZeroWhere.apply(grad / r2, r2 == 0)
        return scale * b, -scale * a


class Hypot(Op):
    """z = √(a² + b²) without overflow;  dz/da = a/z, dz/db = b/z."""

    floating_only = True

    @staticmethod
    def forward(ctx, a, b):
        z = ctx.xp.hypot(a, b)
        ctx.save_for_backward(a, b, z)
        return z

    @staticmethod
    def backward(ctx, grad):
        a, b, z = ctx.saved_tensors
        return grad * a / z, grad * b / z


class NanToNum(Op):
    """y = x with NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf``;
    dy/dx = 1 where x is finite, 0 where it was replaced."""

    @staticmethod
    def forward(ctx, x, nan=0.0, posinf=None, neginf=None):
        xp = ctx.xp
        ctx.save_for_backward(x)
        if x.dtype not in ctx.device.backend.float_dtypes:
            return x
        info = xp.finfo(x.dtype)
        x = xp.where(xp.isnan(x), xp.full_like(x, nan), x)
        x = xp.where(x == xp.inf, xp.full_like(x, info.max if posinf is None else posinf), x)
        return xp.where(x == -xp.inf, xp.full_like(x, info.min if neginf is None else neginf), x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return where(x.isfinite(), grad, 0.0)


class LogicalReduce(Op):
    """Whether all (``op="all"``) or any elements along ``dim`` are non-zero; bool, no gradient."""

    @staticmethod
    def forward(ctx, x, op, dim, keepdim=False):
        return getattr(ctx.xp, op)(x, axis=dim, keepdims=keepdim)


class Cumprod(Op):
    """yᵢ = Π_{j≤i} xⱼ along ``dim``;  dxⱼ = Σ_{i≥j} dyᵢ yᵢ / xⱼ when no x is zero.

    With zeros that quotient is undefined, so the sum is taken literally:
    dxⱼ = Σ_{i≥j} dyᵢ Π_{k≤i, k≠j} xₖ, the cumulative products of x with xⱼ replaced by one
    (n² work per slice). Written with Tensor ops, it is exact to every order.
    """

    @staticmethod
    def forward(ctx, x, dim):
        y = scan(ctx.xp, ctx.xp.cumulative_prod, x, dim)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        dim = ctx.attrs["dim"]
        if not bool((x == 0).any()):
            return _reverse_cumsum(grad * y, dim) / x
        x, grad = x.movedim(dim, -1), grad.movedim(dim, -1)
        n = x.shape[-1]
        j_is_k = _lower_triangle(x, n) & _lower_triangle(x, n).mT  # the diagonal
        without_j = where(j_is_k, 1.0, x.unsqueeze(-2).expand(x.shape[:-1] + (n, n)))  # [..., j, k]
        products = without_j.cumprod(-1)  # [..., j, i] = Π_{k≤i, k≠j} xₖ
        later = _lower_triangle(x, n).mT  # i ≥ j
        return where(later, products * grad.unsqueeze(-2), 0.0).sum(-1).movedim(-1, dim)


def _reverse_cumsum(t, dim):
    """Σ_{i≥j} tᵢ along ``dim``."""
    return t.flip(dim).cumsum(dim).flip(dim)


class LogCumSumExp(Op):
    """yᵢ = log Σ_{j≤i} exp(xⱼ) along ``dim`` (the last axis here; the caller moves it);
    dxⱼ = Σ_{i≥j} dyᵢ exp(xⱼ - yᵢ), each exponent ≤ 0, so nothing overflows."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        y = ctx.device.backend.logcumsumexp(x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        n = x.shape[-1]
        diff = x.unsqueeze(-2) - y.unsqueeze(-1)  # [..., i, j] = xⱼ - yᵢ
        below = _lower_triangle(x, n)  # i ≥ j
        weights = where(below, (where(below, diff, 0.0)).exp(), 0.0)
        return (grad.unsqueeze(-1) * weights).sum(-2)


def round(input, decimals=0):
    """Round half to even; with ``decimals``, to that many decimal places (floats only)."""
    if decimals:
        dtypes.require("round(decimals=)", input.dtype)
    return (RoundDecimals if decimals else Round).apply(input, decimals=decimals)


def frac(input):
    """x - trunc(x), with the sign of x (floats only)."""
    dtypes.require("frac", input.dtype)
    return Frac.apply(input)


def _lower_triangle(like, n):
    from ..creation import arange
    i = arange(n, device=like.device)
    return i.unsqueeze(-1) >= i


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| ≤ atol + rtol·|other| elementwise (infinities equal when they match); bool."""
    if is_tensor(other) and input.dtype is not other.dtype:
        raise RuntimeError(f"isclose: {input.dtype} did not match {other.dtype}")
    input, other = _promote(input, other)
    if not is_tensor(other):
        other = _as_tensor_like(other, input, input.dtype)
    a, b = input.detach(), other.detach()
    close = a == b
    if a.dtype.is_floating_point:  # equal values (infinities included) drop out: no inf - inf
        a, b = where(close, 0.0, a), where(close, 0.0, b)
        gap = (a - b).abs()  # an infinity left is unequal to anything (inf ≤ rtol·inf would pass)
        close = close | ((gap <= atol + rtol * b.abs()) & gap.isfinite())
        if equal_nan:
            close = close | (a.isnan() & b.isnan())
    return close


def logcumsumexp(input, dim):
    """yᵢ = log Σ_{j≤i} exp(xⱼ) along ``dim``, exactly (no underflow of early terms)."""
    dtypes.require("logcumsumexp", input.dtype)
    dim = _dim(dim, input.ndim)
    if input.ndim == 0:
        return input * 1.0
    return LogCumSumExp.apply(input.movedim(dim, -1)).movedim(-1, dim)



# --- sign, angle and power helpers (compositions; their gradients are those ops') ------------------
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


def copysign(input, other):
    """|x| with the sign of ``other`` (its sign bit: -0.0 counts as negative); see ``Copysign``."""
    return Copysign.apply(*_promote(input, other, true_div=True))


def heaviside(input, values):
    """The step function: 0 where x < 0, ``values`` where x = 0, 1 where x > 0 (no gradient, as PyTorch)."""
    if input.dtype is not values.dtype:
        raise RuntimeError(f"heaviside is not yet implemented for tensors with different dtypes, got "
                           f"{input.dtype} and {values.dtype}")
    x = input.detach()
    return where(x == 0, values.detach(), (x > 0).type(input.dtype))


def float_power(input, exponent):
    """x ** exponent computed in float64 (PyTorch's: the result is double whatever the inputs)."""
    from ..dtypes import float64
    x = input.type(float64) if is_tensor(input) else input
    e = exponent.type(float64) if is_tensor(exponent) else float(exponent)
    return x ** e


def deg2rad(input):
    """Degrees to radians, x·π/180 (integers give the default float dtype)."""
    return _as_floating(input) * (math.pi / 180)


def rad2deg(input):
    """Radians to degrees, x·180/π (integers give the default float dtype)."""
    return _as_floating(input) * (180 / math.pi)


def _as_floating(input):
    from ..dtypes import get_default_dtype
    return input if input.dtype.is_floating_point else input.type(get_default_dtype())


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


def fmax(input, other):
    """The larger of x and y, ignoring a NaN in either (NaN only where both are); see ``NanMax``."""
    return NanMax.apply(*_promote(input, other), op="fmax")


def fmin(input, other):
    """The smaller of x and y, ignoring a NaN in either (NaN only where both are); see ``NanMax``."""
    return NanMax.apply(*_promote(input, other), op="fmin")


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """∫ y along ``dim`` by the trapezoidal rule: Σ (yᵢ + yᵢ₊₁)/2 · Δxᵢ, with Δx from the sample
    points ``x`` or the constant spacing ``dx`` (1 by default)."""
    return _trapezoids(y, x, dx, dim).sum(_dim(dim, y.ndim))


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal integral of y along ``dim`` (one fewer element than y there)."""
    return _trapezoids(y, x, dx, dim).cumsum(_dim(dim, y.ndim))


def _trapezoids(y, x, dx, dim):
    dim = _dim(dim, y.ndim)
    n = y.shape[dim]
    mean = (y.narrow(dim, 1, max(n - 1, 0)) + y.narrow(dim, 0, max(n - 1, 0))) / 2
    if x is None:
        return mean * (1.0 if dx is None else dx)
    spacing = x.diff(dim=dim if x.ndim == y.ndim else -1)
    if x.ndim == 1 and y.ndim > 1:
        spacing = spacing.reshape((-1,) + (1,) * (y.ndim - 1 - dim))
    return mean * spacing
