"""Elementwise ops: forward on arrays, derivative on Tensors, side by side.

Inputs broadcast as in NumPy; the engine sums each gradient back to its input's shape.
"""

import math

from .. import dtypes
from .._coerce import _as_tensor_like, _promote, _scalar_as, is_tensor
from ..autograd.function import Op


# --- arithmetic ---------------------------------------------------------------------------------
class Add(Op):
    """z = a + b;  dz/da = 1, dz/db = 1."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Op):
    """z = a - b;  dz/da = 1, dz/db = -1."""

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Mul(Op):
    """z = a * b;  dz/da = b, dz/db = a.

    Saves an operand only when the other's gradient is wanted (as PyTorch does), so writing in
    place to an operand whose gradient nobody needs stays allowed.
    """

    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad or (False, False)
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        return (grad * b if da else None), (grad * a if db else None)


class Div(Op):
    """z = a / b;  dz/da = 1/b, dz/db = -a/b²."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if (ctx.needs_input_grad or (False, False))[1] else None, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        grad_a = grad / b if da else None
        grad_b = -grad * a / (b * b) if db else None
        return grad_a, grad_b


class Pow(Op):
    """z = a ** b;  dz/da = b a^(b-1), dz/db = z log a.

    As PyTorch's: dz/da = 0 where b = 0 (where 0 · 0⁻¹ would be NaN), dz/db = 0 where a = 0 and
    b ≥ 0 (where z log a would be 0 · -inf); a negative a gives dz/db = NaN, its log's.
    """

    @staticmethod
    def forward(ctx, a, b):
        if type(b) is bool and getattr(a, "dtype", None) == ctx.xp.bool:  # PyTorch: mask ** True is mask
            return ctx.xp.asarray(a, copy=True) if b else ctx.xp.ones_like(a)
        _no_bool(ctx, "pow", a, b)
        out = _integer_power(ctx, a, b) if _negative_integer_exponents(ctx, a, b) else a ** b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        grad_a = grad_b = None
        if da:
            constant = isinstance(b, (int, float)) and b == 0  # x ** 0 = 1
            grad_a = grad.new_zeros(grad.shape) if constant else grad * b * a ** (b - 1)
            if not isinstance(b, (int, float)):  # a Tensor exponent
                grad_a = where(b == 0, 0.0, grad_a)
        if db:
            if isinstance(a, (int, float)):
                log_a = math.log(a) if a > 0 else -math.inf if a == 0 else math.nan
                grad_b = where(b >= 0, 0.0, grad * out * log_a) if a == 0 else grad * out * log_a
            else:
                grad_b = where((a == 0) & (b >= 0), 0.0, grad * out * a.log())
        return grad_a, grad_b



def _negative_integer_exponents(ctx, a, b):
    def integral(v):
        if not hasattr(v, "dtype"):
            return isinstance(v, int) and not isinstance(v, bool)
        return v.dtype != ctx.xp.bool and v.dtype not in ctx.device.backend.float_dtypes
    return hasattr(b, "dtype") and integral(a) and integral(b) and bool(ctx.xp.any(b < 0))


def _integer_power(ctx, a, b):
    """a ** b for an integer tensor b with negative entries, which NumPy refuses: PyTorch's
    integer power, where b < 0 gives 1 for a = 1, ±1 for a = -1 (by b's parity) and 0 otherwise."""
    xp = ctx.xp
    negative = b < 0
    out = a ** xp.where(negative, xp.zeros_like(b), b)
    a = a if hasattr(a, "dtype") else xp.asarray(a, dtype=out.dtype)
    one, zero = xp.ones_like(out), xp.zeros_like(out)
    odd = (b % 2) != 0
    sign = xp.where((a == -1) & odd, -one, one)
    return xp.where(negative, xp.where((a == 1) | (a == -1), sign, zero), out)


class PowTensor(Pow):
    """``a ** b`` with a Tensor exponent: PowBackward1 in PyTorch (PowBackward0 has a number exponent)."""

    node_name = "PowBackward1"


class PowScalarBase(Pow):
    """``number ** b``: PowBackward2 in PyTorch."""

    node_name = "PowBackward2"

class Neg(Op):
    """z = -a;  dz/da = -1."""

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class FloorDiv(Op):
    """z = floor(a / b), not differentiable (gradient zero almost everywhere, as PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        _no_bool(ctx, "floor_divide", a, b)
        _no_integer_zero(ctx, a, b, "floor_divide")
        return a // b

    @staticmethod
    def backward(ctx, grad):
        return None, None


class Remainder(Op):
    """z = a mod b (sign of b, as Python and PyTorch);  dz/da = 1, dz/db = -floor(a / b)."""

    @staticmethod
    def forward(ctx, a, b):
        _no_bool(ctx, "remainder", a, b)
        _no_integer_zero(ctx, a, b, "remainder")
        ctx.save_for_backward(a, b)
        return a % b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad, (-grad * _floor(ctx, a / b) if ctx.needs_input_grad[1] else None)


def div(input, other, rounding_mode=None):
    """input / other: true division (``rounding_mode=None``), or its quotient rounded toward
    zero (``"trunc"``) or down (``"floor"``, Python's ``//``), which keeps integer dtypes and has
    zero gradient.

    >>> import minigrad as mg
    >>> x = mg.tensor([-7, 7])
    >>> x.div(2).tolist(), x.div(2, rounding_mode="trunc").tolist()
    ([-3.5, 3.5], [-3, 3])
    >>> x.div(2, rounding_mode="floor").tolist()
    [-4, 3]
    """
    if rounding_mode is None:
        return Div.apply(*_promote(input, other, true_div=True))
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                         f"'{rounding_mode}'")
    a, b = _promote(input, other)
    floor = FloorDiv.apply(a, b)
    if rounding_mode == "floor":
        return floor
    if a.dtype.is_floating_point:
        return (a / b).trunc()
    inexact = (a - floor * b != 0) & ((a < 0) != (b < 0))  # floor went one below the truncation
    return where(inexact, floor + 1, floor)


def _no_bool(ctx, op, *operands):
    """Arithmetic on bools alone (``mask // True``, ``mask ** mask``, ``mask << mask``): NumPy computes
    it in int8, a dtype minigrad does not have; PyTorch has no such kernel and raises."""
    for x in operands:  # a loop, not all(...): the common float operand leaves at once
        if type(x) is not bool and getattr(x, "dtype", None) != ctx.xp.bool:
            return
    raise NotImplementedError(f'"{op}" not implemented for \'Bool\'')


def _no_integer_zero(ctx, a, b, op):
    """Integer division by zero has no value (NumPy gives 0 and a warning): raise, as PyTorch."""
    array = b if hasattr(b, "dtype") else a
    if array.dtype not in ctx.device.backend.float_dtypes:
        if bool(b == 0) if not hasattr(b, "dtype") else bool(ctx.xp.any(b == 0)):
            raise RuntimeError(f"{op}: integer division by zero (ZeroDivisionError)")


def _floor(ctx, t):
    """floor(t) as a constant: its derivative is 0 wherever it has one."""
    return ctx.as_tensor(ctx.xp.floor(t.array))


# --- unary math ---------------------------------------------------------------------------------
class Exp(Op):
    """y = exp(x);  dy/dx = y."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        y = ctx.xp.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y


class Log(Op):
    """y = log(x);  dy/dx = 1/x."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Log1p(Op):
    """y = log(1 + x);  dy/dx = 1/(1 + x)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.log1p(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x + 1)


class Sqrt(Op):
    """y = √x;  dy/dx = 1/(2y)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        y = ctx.xp.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad / (2 * y)


class Rsqrt(Op):
    """y = 1/√x;  dy/dx = -y³/2."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        y = 1 / ctx.xp.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (-0.5 * y * y * y)


class Reciprocal(Op):
    """y = 1/x;  dy/dx = -y²."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        y = 1 / x
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return -grad * y * y


class Abs(Op):
    """y = |x|;  dy/dx = sign(x) (0 at 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sign()


class Sign(Op):
    """y = sign(x);  dy/dx = 0."""

    @staticmethod
    def forward(ctx, x):
        xp = ctx.xp
        if x.dtype == xp.bool:
            return xp.asarray(x, copy=True)  # sign(True) is True, as PyTorch's
        if x.dtype not in ctx.device.backend.float_dtypes:
            return xp.sign(x)
        return xp.astype(x > 0, x.dtype) - xp.astype(x < 0, x.dtype)  # sign(NaN) = 0, as PyTorch

    @staticmethod
    def backward(ctx, grad):
        return grad.new_zeros(grad.shape)


class Sin(Op):
    """y = sin(x);  dy/dx = cos(x)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cos()


class Cos(Op):
    """y = cos(x);  dy/dx = -sin(x)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * x.sin()


class Tan(Op):
    """y = tan(x);  dy/dx = 1 + y²."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        y = ctx.xp.tan(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 + y * y)


class Tanh(Op):
    """y = tanh(x);  dy/dx = 1 - y²."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        y = ctx.xp.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return TanhGrad.apply(grad, y)


class TanhGrad(Op):
    """z = g (1 - y²), tanh's backward as one op;  dz/dg = 1 - y², dz/dy = -2 g y."""

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * (1 - y * y)

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        dg, dy = ctx.needs_input_grad
        return (TanhGrad.apply(grad, y) if dg else None), (-2 * grad * g * y if dy else None)


class Sigmoid(Op):
    """y = 1/(1 + e^-x);  dy/dx = y(1 - y)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        y = _sigmoid(ctx.xp, x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return SigmoidGrad.apply(grad, y)


class SigmoidGrad(Op):
    """z = g y (1 - y), sigmoid's backward as one op;  dz/dg = y (1 - y), dz/dy = g (1 - 2y)."""

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * (y * (1 - y))

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        dg, dy = ctx.needs_input_grad
        return (SigmoidGrad.apply(grad, y) if dg else None), (grad * g * (1 - 2 * y) if dy else None)


class Erf(Op):
    """y = erf(x);  dy/dx = 2/√π · exp(-x²)."""

    floating_only = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.device.backend.erf(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (2 / math.sqrt(math.pi)) * (-x * x).exp()


def _sigmoid(xp, x):
    # exp of a non-positive number only: no overflow for large |x|
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


# --- activations --------------------------------------------------------------------------------
class Relu(Op):
    """y = max(x, 0);  dy/dx = 0 where y ≤ 0 else 1 (so a NaN input passes its gradient, as PyTorch).

    Keeps the mask y ≤ 0, not y: a quarter of y's bytes (float32) held until backward, y itself
    freed once the next layer has read it (bench_conv solo: 3,104 -> 1,536 page faults a step,
    20.1 -> 17.1 ms). Built only when a gradient is wanted.
    """

    @staticmethod
    def forward(ctx, x):
        y = ctx.xp.maximum(x, 0)
        if ctx.next is not None:
            ctx.save_for_backward(y <= 0)
        return y

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return ZeroWhere.apply(grad, mask)


class ZeroWhere(Op):
    """z = 0 where ``mask`` else g: the backward of relu, clamp and hardtanh;  dz/dg = not mask.

    A select, not a product g · [not mask]: an inf or NaN gradient at a masked position gives 0,
    as in PyTorch, where the product would give NaN.
    """

    @staticmethod
    def forward(ctx, g, mask):
        ctx.save_for_backward(mask)
        return ctx.device.backend.zero_where(mask, g)

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return ZeroWhere.apply(grad, mask), None


class LeakyRelu(Op):
    """y = x if x > 0 else αx;  dy/dx = 1 or α."""

    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        ctx.save_for_backward(x)
        return ctx.xp.where(x > 0, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return where(x > 0, grad, grad * ctx.attrs["negative_slope"])


class Elu(Op):
    """y = x if x > 0 else α(eˣ - 1);  dy/dx = 1 or y + α."""

    @staticmethod
    def forward(ctx, x, alpha=1.0):
        xp = ctx.xp
        ctx.save_for_backward(x)
        return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        alpha = ctx.attrs["alpha"]
        return where(x > 0, grad, grad * alpha * x.clamp(max=0).exp())


_K = math.sqrt(2 / math.pi)  # the tanh form: Φ(x) ≈ (1 + tanh(K (x + C x³))) / 2
_C = 0.044715


def _accumulated(xp, x):
    """float16 computed in float32, as PyTorch does (its opmath type), with the original dtype to
    round the result back to: a float16 sum overflows past 65504 (70,000 ones sum to inf), and
    1 + erf(x) cancels (gelu(-2.5) was 2% off)."""
    half = getattr(xp, "float16", None)  # the Array API has no float16 (array_api_strict lacks it)
    return (xp.astype(x, xp.float32), x.dtype) if half is not None and x.dtype == half else (x, None)


def _rounded(xp, out, dtype):
    return out if dtype is None else xp.astype(out, dtype)


class Gelu(Op):
    """y = x Φ(x), Φ the standard normal CDF (``approximate="tanh"``: Hendrycks' tanh form
    Φ(x) ≈ (1 + tanh(K (x + C x³))) / 2 with K = √(2/π), C = 0.044715).

    dy/dx = Φ(x) + x φ(x) (``GeluGrad``). Forward and backward each write their passes into
    ``buffer``s (``out=``), not a temporary per operation; the backward is one op, not fifteen
    Tensor ops ((16, 64, 512) float32, tanh form: backward 8.6 -> 0.9 ms, forward 0.63 -> 0.52 ms;
    the small GPT of bench_gpt: 61-69 -> 51-54 ms of CPU a step on one thread).
    """

    @staticmethod
    def forward(ctx, x, approximate="none"):
        ctx.save_for_backward(x)
        x, half = _accumulated(ctx.xp, x)
        y = _normal_cdf(ctx, x, approximate)
        y *= x
        return _rounded(ctx.xp, y, half)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return GeluGrad.apply(grad, x, approximate=ctx.attrs["approximate"])


def _normal_cdf(ctx, x, approximate):
    """Φ(x) (or its tanh form) in an array of its own."""
    if approximate == "tanh":
        cdf = _tanh_inner(ctx, x)
    else:
        cdf = ctx.device.backend.erf(x * (1 / math.sqrt(2)))
    cdf += 1
    cdf *= 0.5
    return cdf


def _scratch(ctx, x):
    """A ``buffer`` shaped like ``x``, every element of which the caller writes before reading."""
    return ctx.device.backend.buffer(tuple(x.shape), x.dtype, ctx.device.index)


def _tanh_inner(ctx, x):
    """tanh(K (x + C x³)) in a ``buffer`` (the tanh form's t)."""
    ops = ctx.device.backend.ops
    u = ops.multiply(x, x, out=_scratch(ctx, x))
    u *= _C
    u += 1
    u *= x
    u *= _K
    return ops.tanh(u, out=u)


class GeluGrad(Op):
    """z = g · gelu'(x), gelu's backward as one op.

    gelu'(x) = Φ(x) + x φ(x); in the tanh form, with t = tanh(u), u = K (x + C x³),
    gelu'(x) = (1 + t)/2 + x (1 - t²) u' / 2, u' = K (1 + 3C x²).
    dz/dg = gelu'(x);  dz/dx = g gelu''(x), with gelu''(x) = φ(x) (2 - x²), or in the tanh form
    (1 - t²) (u' + x (u'' - 2 t u'²) / 2), u'' = 6 K C x.
    """

    @staticmethod
    def forward(ctx, g, x, approximate="none"):
        ctx.save_for_backward(g, x)
        xp = ctx.xp
        x, half = _accumulated(xp, x)
        slope = GeluGrad._slope(ctx, x, approximate)
        slope *= g
        return _rounded(xp, slope, half)

    @staticmethod
    def _slope(ctx, x, approximate):
        """gelu'(x) in an array of its own (a ``buffer`` in the tanh form)."""
        xp, ops = ctx.xp, ctx.device.backend.ops
        if approximate == "tanh":
            t = _tanh_inner(ctx, x)
            slope = ops.multiply(t, t, out=_scratch(ctx, x))
            slope -= 1  # t² - 1
            x2 = ops.multiply(x, x, out=_scratch(ctx, x))
            x2 *= 3 * _C
            x2 += 1
            x2 *= slope
            x2 *= x
            x2 *= -0.5 * _K  # x (1 - t²) u' / 2
            t += 1
            t *= 0.5
            t += x2
            return t
        pdf = x * x
        pdf *= -0.5
        pdf = xp.exp(pdf)
        pdf *= x
        pdf *= 1 / math.sqrt(2 * math.pi)  # x φ(x)
        slope = _normal_cdf(ctx, x, approximate)
        slope += pdf
        return slope

    @staticmethod
    def backward(ctx, grad):
        g, x = ctx.saved_tensors
        dg, dx = ctx.needs_input_grad
        approximate = ctx.attrs["approximate"]
        return (GeluGrad.apply(grad, x, approximate=approximate) if dg else None,
                grad * g * _gelu_second(x, approximate) if dx else None)


def _gelu_second(x, approximate):
    """gelu''(x) in Tensor ops (so that it can be differentiated again)."""
    if approximate == "tanh":
        du = _K * (1 + 3 * _C * x * x)
        t = (_K * (x + _C * x * x * x)).tanh()
        return (1 - t * t) * (du + 0.5 * x * (6 * _K * _C * x - 2 * t * du * du))
    return (-0.5 * x * x).exp() * (1 / math.sqrt(2 * math.pi)) * (2 - x * x)


class Softplus(Op):
    """y = log(1 + e^(βx))/β, linear above ``threshold``;  dy/dx = sigmoid(βx)."""

    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        xp = ctx.xp
        ctx.save_for_backward(x)
        bx = x * beta
        soft = (xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))) / beta
        return xp.where(bx > threshold, x, soft)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        bx = x * ctx.attrs["beta"]
        return where(bx > ctx.attrs["threshold"], grad, grad * bx.sigmoid())


class Silu(Op):
    """y = x·sigmoid(x);  dy/dx = s(1 + x(1 - s)) with s = sigmoid(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * _sigmoid(ctx.xp, x)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.saved_tensors[0]
        s = x.sigmoid()
        return grad * (s * (1 + x * (1 - s)))


class Clamp(Op):
    """y = min(max(x, lo), hi);  dy/dx = 1 inside [lo, hi] (bounds included, as PyTorch) else 0."""

    @staticmethod
    def forward(ctx, x, min=None, max=None):
        ctx.save_for_backward(x)
        xp = ctx.xp
        if min is not None:
            x = xp.maximum(x, min)
        if max is not None:
            x = xp.minimum(x, max)
        return x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.attrs["min"], ctx.attrs["max"]
        inside = None
        if lo is not None:
            inside = x >= lo
        if hi is not None:
            inside = (x <= hi) if inside is None else inside & (x <= hi)
        return grad if inside is None else ZeroWhere.apply(grad, ~inside)


class ClampScalar(Clamp):
    """``clamp`` with number bounds: ClampBackward1 in PyTorch (ClampBackward0 takes tensor bounds)."""

    node_name = "ClampBackward1"


class ClampMin(Clamp):
    """``clamp_min``: a lower number bound only."""


class ClampMax(Clamp):
    """``clamp_max``: an upper number bound only."""


class Hardtanh(Clamp):
    """y = clamp(x, lo, hi);  dy/dx = 0 where x ≤ lo or x ≥ hi else 1.

    Unlike ``clamp``, the bounds themselves pass no gradient (PyTorch's ``hardtanh`` and ``relu6``).
    """

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return ZeroWhere.apply(grad, (x <= ctx.attrs["min"]) | (x >= ctx.attrs["max"]))


class Maximum(Op):
    """z = max(a, b);  the gradient goes to the larger input, split evenly on ties (PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.xp.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = ((a > b) + (a == b) * 0.5).type(a.dtype)
        return grad * share, grad * (1 - share)


class Minimum(Op):
    """z = min(a, b);  the gradient goes to the smaller input, split evenly on ties (PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.xp.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = ((a < b) + (a == b) * 0.5).type(a.dtype)
        return grad * share, grad * (1 - share)


class Where(Op):
    """z = a where cond else b;  dz/da = cond, dz/db = not cond."""

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return ctx.xp.where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        _, da, db = ctx.needs_input_grad
        return None, (where(cond, grad, 0.0) if da else None), (where(cond, 0.0, grad) if db else None)


class MaskedFill(Where):
    """``masked_fill``: z = value where the mask holds else x, a ``Where`` named as PyTorch's."""


_CONDITIONS = frozenset((dtypes.bool_, dtypes.uint8))


def where(condition, input, other):
    """``input`` where ``condition`` holds, else ``other`` (either may be a Python number). The
    condition is a bool tensor (or uint8, which PyTorch also takes), not numbers read as truth.

    >>> import minigrad as mg
    >>> x = mg.tensor([-1.0, 2.0])
    >>> where(x > 0, x, 0.0)
    tensor([0., 2.])"""
    if is_tensor(condition) and condition.dtype not in _CONDITIONS:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{condition.dtype}")
    return select(Where, condition, input, other)


def select(op, condition, input, other):
    """``op`` (``Where`` or ``MaskedFill``) on the three, numbers made Tensors of PyTorch's dtype."""
    if is_tensor(input):
        input, other = _promote(input, other, scalar=_scalar_as)
        like = input
    elif is_tensor(other):
        other, input = _promote(other, input, scalar=_scalar_as)
        like = other
    elif is_tensor(condition):  # two numbers: PyTorch's dtype for them (1, 0.5: float)
        first = dtypes.bool_ if isinstance(input, bool) else dtypes.int64 if isinstance(input, int) \
            else dtypes.get_default_dtype()
        input, other = _promote(_as_tensor_like(input, condition, first), other, scalar=_scalar_as)
        like = input
    else:
        raise TypeError("where: condition must be a Tensor")
    if not is_tensor(input):
        input = _as_tensor_like(input, like, like.dtype)
    if not is_tensor(other):
        other = _as_tensor_like(other, like, like.dtype)
    if not is_tensor(condition):
        condition = _as_tensor_like(condition, like, None)
    return op.apply(condition, input, other)


# --- dtype, copies, comparisons ------------------------------------------------------------------
class Cast(Op):
    """y = x converted to ``dtype``;  the gradient is cast back to x's dtype."""

    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.source = x.dtype
        return ctx.xp.astype(x, ctx.device.backend.native_dtype[dtype])

    @staticmethod
    def backward(ctx, grad):
        return Cast.apply(grad, dtype=ctx.device.backend.dtype_of[ctx.source])


class Clone(Op):
    """y = a copy of x, in x's memory layout (PyTorch's ``preserve_format``) or row-major;  dy/dx = 1."""

    @staticmethod
    def forward(ctx, x, row_major=False):
        return ctx.device.backend.contiguous(x) if row_major else ctx.xp.asarray(x, copy=True)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Fill(Op):
    """y = value everywhere (x's shape and dtype);  dy/dx = 0."""

    writes_one_value = True  # fill_() of an expanded tensor is unambiguous, and PyTorch's allows it

    @staticmethod
    def forward(ctx, x, value):
        return ctx.xp.full_like(x, value)

    @staticmethod
    def backward(ctx, grad):
        return grad.new_zeros(grad.shape)


class Copy(Op):
    """y = src broadcast to dst's shape (``dst.copy_(src)``);  dy/d(dst) = 0, dy/d(src) = 1."""

    @staticmethod
    def forward(ctx, dst, src):
        return ctx.xp.asarray(ctx.xp.broadcast_to(src, dst.shape), copy=True)

    @staticmethod
    def backward(ctx, grad):
        return grad.new_zeros(grad.shape), grad


class Compare(Op):
    """Elementwise comparison (``op`` names the array API function); a bool result, no gradient."""

    @staticmethod
    def forward(ctx, a, b, op):
        return getattr(ctx.xp, op)(a, b)


class Logical(Op):
    """Bitwise ops (``& | ^ ~``: logical on bool tensors) on bool or integer tensors, and
    predicates such as ``isfinite`` and ``signbit``; no gradient."""

    @staticmethod
    def forward(ctx, a, b=None, op=None):
        floats = ctx.device.backend.float_dtypes
        if op.startswith("bitwise_") and any(  # a Python number operand has no dtype
                type(x) is float or getattr(x, "dtype", None) in floats for x in (a, b)):
            raise TypeError(f"{op} is not defined for floating point tensors (as in PyTorch); "
                            "compare first, e.g. (x > 0) & (y > 0)")
        if op.endswith("_shift"):
            _no_bool(ctx, op, a, b)
        fn = getattr(ctx.xp, op)
        return fn(a) if b is None else fn(a, b)
