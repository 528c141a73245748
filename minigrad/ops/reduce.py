"""Reductions and the normalisations built on them (softmax, log-softmax, logsumexp, norms).

``dim`` arrives normalised: a sorted tuple of non-negative axes (all axes when the user gave
None); a gradient is first reshaped to the ``keepdim=True`` shape and then broadcast back.
"""

import math

from ..autograd.function import Op
from .elementwise import _accumulated, _rounded, _scratch, where


def _kept(grad, dim, keepdim):
    """The gradient of a reduction, reshaped as if the reduction had kept its dims."""
    if keepdim or not dim or grad.ndim == 0 or dim[-1] == len(dim) - 1:
        return grad  # a full or leading reduction broadcasts back as it is
    shape = list(grad.shape)
    for d in dim:
        shape.insert(d, 1)
    return grad.reshape(tuple(shape))


_SLICES = 4096  # past this many slices added one after another, float32 round-off shows


def _total(xp, x, dim, keepdim):
    """Σ x over ``dim`` in x's dtype (NumPy would widen int32 to int64).

    NumPy adds pairwise along the trailing reduced axes (merged into one), and slice after slice
    along the reduced axes before them, where round-off grows with the count: 10⁶ float32 0.1s
    summed over axis 0 of (10⁶, 2) came to 100960 (PyTorch's cascade sum: 100000). Long sums of
    float32 or float16 across such axes accumulate in float64.
    """
    if x.size > _SLICES and (x.dtype == xp.float32 or x.dtype == getattr(xp, "float16", None)):
        trailing = x.ndim
        while trailing and trailing - 1 in dim:
            trailing -= 1
        if math.prod(x.shape[d] for d in dim if d < trailing) > _SLICES:
            return xp.astype(xp.sum(x, axis=dim, dtype=xp.float64, keepdims=keepdim), x.dtype)
    return xp.sum(x, axis=dim, dtype=x.dtype, keepdims=keepdim)


class Sum(Op):
    """y = Σ x over ``dim``;  dy/dx = 1 (the gradient is broadcast back)."""

    @staticmethod
    def forward(ctx, x, dim, keepdim=False):
        ctx.in_shape = x.shape
        return _total(ctx.xp, x, dim, keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _kept(grad, ctx.attrs["dim"], ctx.attrs["keepdim"]).broadcast_to(ctx.in_shape)


class SumDims(Sum):
    """``sum(dim)``: PyTorch numbers the overload with ``dim`` SumBackward1."""

    node_name = "SumBackward1"


class Mean(Op):
    """y = Σ x / n over ``dim``;  dy/dx = 1/n."""

    floating_only = True

    @staticmethod
    def forward(ctx, x, dim, keepdim=False):
        ctx.in_shape = x.shape
        ctx.count = math.prod(x.shape[d] for d in dim)
        x, half = _accumulated(ctx.xp, x)
        # NumPy's mean costs 3x more than sum / n here
        return _rounded(ctx.xp, _total(ctx.xp, x, dim, keepdim) / ctx.count, half)

    @staticmethod
    def backward(ctx, grad):
        grad = _kept(grad, ctx.attrs["dim"], ctx.attrs["keepdim"]) / ctx.count
        return grad.broadcast_to(ctx.in_shape)



class MeanDims(Mean):
    """``mean(dim)``: MeanBackward1 in PyTorch."""

    node_name = "MeanBackward1"

class Prod(Op):
    """y = Π x over ``dim``;  dy/dxᵢ = Π_{j≠i} xⱼ (exact also where some xᵢ are zero)."""

    @staticmethod
    def forward(ctx, x, dim, keepdim=False):
        out = ctx.xp.prod(x, axis=dim, keepdims=keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        dim, keepdim = ctx.attrs["dim"], ctx.attrs["keepdim"]
        is_zero = x == 0
        nonzero = where(is_zero, 1.0, x)
        zeros_in_slice = is_zero.sum(dim=dim, keepdim=True)
        prod_nonzero = nonzero.prod(dim=dim, keepdim=True)
        others = where(is_zero, where(zeros_in_slice == 1, prod_nonzero, 0.0),
                       _kept(out, dim, keepdim) / nonzero)
        return _kept(grad, dim, keepdim) * others


def degrees_of_freedom(shape, dim, correction):
    """n - correction, with n the number of values each variance of ``dim`` is taken over."""
    return math.prod(shape[d] for d in dim) - correction


class Var(Op):
    """y = Σ (x - x̄)² / (n - correction);  dy/dx = 2 (x - x̄) / (n - correction).

    With n - correction <= 0 (one value, correction 1), y = Σ (x - x̄)² / 0 as in PyTorch: inf, or
    NaN where the values are all equal; the gradient is then inf or NaN too.
    """

    floating_only = True

    @staticmethod
    def forward(ctx, x, dim, keepdim=False, correction=1):
        ctx.save_for_backward(x)
        xp = ctx.xp
        x, half = _accumulated(xp, x)
        n = math.prod(x.shape[d] for d in dim)
        centred = x - _total(xp, x, dim, True) / n if x.size else x  # two passes, each as Sum's
        squares = _total(xp, centred * centred, dim, keepdim)
        if degrees_of_freedom(x.shape, dim, correction) <= 0:  # Tensor.var warned
            out = xp.where(squares > 0, xp.full_like(squares, math.inf), xp.full_like(squares, math.nan))
            return _rounded(xp, out, half)
        return _rounded(xp, squares / (n - correction), half)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _var_grad(x, grad, **ctx.attrs)


class Std(Var):
    """y = √var(x);  dy/dx = dvar/dx / (2y), taken as 0 where y = 0 (a constant slice), as PyTorch."""

    @staticmethod
    def forward(ctx, x, dim, keepdim=False, correction=1):
        out = ctx.xp.sqrt(Var.forward(ctx, x, dim, keepdim, correction))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return _var_grad(x, where(out == 0, 0.0, grad / (2 * out)), **ctx.attrs)


def _var_grad(x, grad, dim, keepdim, correction):
    dof = max(degrees_of_freedom(x.shape, dim, correction), 0)
    centred = x - x.mean(dim=dim, keepdim=True)
    return _kept(grad, dim, keepdim) * centred * (2 / dof if dof else math.inf)


def _no_empty_slice(x, dim, op):
    """The max (or argmax) of no values does not exist: say so, as PyTorch does, not NumPy."""
    dims = range(x.ndim) if dim is None else dim if isinstance(dim, tuple) else (dim,)
    if x.size == 0 and (x.ndim == 0 or any(x.shape[d] == 0 for d in dims)):
        raise RuntimeError(f"{op}(): cannot reduce over an empty dimension (input of shape {tuple(x.shape)}"
                           f"{'' if dim is None else f', dim {dim}'}): there is no {op} of no values")


class _Extreme(Op):
    """y = max (or min) over ``dim``;  the gradient is split evenly among tied extremes."""

    reduce = None
    # max() (no dim) and median() give a NaN result's gradient to the NaNs, split evenly (PyTorch's
    # evenly_distribute_backward); amax/amin compare x == y, so a NaN result's gradient is NaN
    spread_nan = False

    @classmethod
    def forward(cls, ctx, x, dim, keepdim=False):
        _no_empty_slice(x, dim, cls.__name__.lower())
        out = getattr(ctx.xp, cls.reduce)(x, axis=dim, keepdims=keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        dim, keepdim = ctx.attrs["dim"], ctx.attrs["keepdim"]
        out = _kept(out, dim, keepdim)
        hit = x == out
        if ctx.spread_nan:
            hit = hit | (x.isnan() & out.isnan())
        hit = hit.type(x.dtype)
        share = hit / hit.sum(dim=dim, keepdim=True)
        return _kept(grad, dim, keepdim) * share


class Amax(_Extreme):
    reduce = "max"


class Amin(_Extreme):
    reduce = "min"


class Max(Amax):
    """max() without ``dim``: amax of every element, the gradient of a NaN result to the NaNs."""

    spread_nan = True
    node_name = "MaxBackward1"


class Min(Amin):
    """min() without ``dim``: amin of every element, the gradient of a NaN result to the NaNs."""

    spread_nan = True
    node_name = "MinBackward1"


class _ValuesIndices(tuple):
    """``(values, indices)`` with ``.values`` and ``.indices``, as PyTorch's max/min(dim), sort
    and topk return them."""

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])


class MaxDim(Op):
    """(values, indices) of the max (or min) along one ``dim``; the gradient goes to the first
    extreme of each slice, the index PyTorch returns."""

    node_name = "MaxBackward0"

    @staticmethod
    def forward(ctx, x, dim, keepdim=False, largest=True):
        _no_empty_slice(x, dim, "max" if largest else "min")
        xp = ctx.xp
        index = (xp.argmax if largest else xp.argmin)(x, axis=dim, keepdims=True)
        values = xp.take_along_axis(x, index, axis=dim)
        ctx.save_for_backward(index)
        ctx.in_shape = x.shape
        ctx.mark_non_differentiable(1)
        if not keepdim:
            values, index = xp.squeeze(values, axis=dim), xp.squeeze(index, axis=dim)
        return values, index

    @staticmethod
    def backward(ctx, grad, _):
        (index,) = ctx.saved_tensors
        dim = ctx.attrs["dim"]
        grad = _kept(grad, (dim,), ctx.attrs["keepdim"])
        return grad * (_positions(ctx, dim) == index)


def _positions(ctx, dim):
    """0, 1, ..., n-1 along ``dim`` of the input, shaped to broadcast against it."""
    xp, n = ctx.xp, ctx.in_shape[dim]
    shape = [1] * len(ctx.in_shape)
    shape[dim] = n
    arange = ctx.device.backend.arange(n, ctx.device.index)
    return ctx.as_tensor(xp.reshape(arange, tuple(shape)))



class MinDim(MaxDim):
    """``min(dim)``: ``MaxDim`` with ``largest=False``, named as PyTorch's."""

    node_name = "MinBackward0"

class ArgExtreme(Op):
    """Index of the max (``op="argmax"``) or min along ``dim`` (flattened when None); no gradient."""

    @staticmethod
    def forward(ctx, x, dim, keepdim=False, op="argmax"):
        _no_empty_slice(x, dim, op)
        xp = ctx.xp
        if dim is None:
            out = getattr(xp, op)(xp.reshape(x, (-1,)))
            return xp.reshape(out, (1,) * x.ndim) if keepdim else out
        return getattr(xp, op)(x, axis=dim, keepdims=keepdim)


def _shift(xp, x, dim):
    """The max along ``dim`` (kept): subtracted before ``exp`` so that it cannot overflow. Along an
    empty dimension there is no max, and no value to protect: the shift is 0."""
    if x.size == 0:
        dims = dim if isinstance(dim, tuple) else (dim,)
        shape = tuple(1 if d in dims else n for d, n in enumerate(x.shape))
        return xp.zeros(shape, dtype=x.dtype)
    return xp.max(x, axis=dim, keepdims=True)


class LogSumExp(Op):
    """y = log Σ exp(x), computed as m + log Σ exp(x - m);  dy/dx = softmax(x)."""

    node_name = "LogsumexpBackward0"
    floating_only = True

    @staticmethod
    def forward(ctx, x, dim, keepdim=False):
        xp = ctx.xp
        m = _shift(xp, x, dim)
        m = xp.where(xp.isfinite(m), m, xp.zeros_like(m))
        out = xp.log(xp.sum(xp.exp(x - m), axis=dim, keepdims=True)) + m
        if not keepdim:
            out = xp.squeeze(out, axis=dim) if dim else out
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        dim, keepdim = ctx.attrs["dim"], ctx.attrs["keepdim"]
        return _kept(grad, dim, keepdim) * (x - _kept(out, dim, keepdim)).exp()


class Norm(Op):
    """y = (Σ |x|ᵖ)^(1/p) over ``dim`` (p = ±inf: max/min |x|; p = 0: count of non-zeros).

    dy/dx = sign(x) |x|^(p-1) / y^(p-1); taken as 0 where y = 0, and for p < 1 where x = 0
    (PyTorch's subgradients).
    """

    node_name = "LinalgVectorNormBackward0"
    floating_only = True

    @staticmethod
    def forward(ctx, x, p, dim, keepdim=False):
        xp = ctx.xp
        saved = x
        x, half = _accumulated(xp, x)
        a = xp.abs(x)
        if p == math.inf:
            out = xp.max(a, axis=dim, keepdims=keepdim)
        elif p == -math.inf:
            out = xp.min(a, axis=dim, keepdims=keepdim)
        elif p == 0:
            out = _total(xp, xp.astype(a != 0, x.dtype), dim, keepdim)
        elif p == 1:
            out = _total(xp, a, dim, keepdim)
        elif p == 2:
            out = xp.sqrt(_total(xp, x * x, dim, keepdim))
        else:
            out = _total(xp, a ** p, dim, keepdim) ** (1 / p)
        out = _rounded(xp, out, half)
        ctx.save_for_backward(saved, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        p, dim, keepdim = ctx.attrs["p"], ctx.attrs["dim"], ctx.attrs["keepdim"]
        grad, out = _kept(grad, dim, keepdim), _kept(out, dim, keepdim)
        if p == 0:
            return x.new_zeros(x.shape)
        if p == 1:
            return grad * x.sign()
        if math.isinf(p):
            hit = (x.abs() == out).type(x.dtype)
            return grad * x.sign() * hit / hit.sum(dim=dim, keepdim=True)
        safe = where(out == 0, 1.0, out)
        if p == 2:
            return grad * where(out == 0, 0.0, x / safe)
        scaled = where(x == 0, 0.0, x.sign() * x.abs() ** (p - 1)) if p < 1 else x.sign() * x.abs() ** (p - 1)
        return grad * where(out == 0, 0.0, scaled / safe ** (p - 1))


class Softmax(Op):
    """yᵢ = exp(xᵢ) / Σ exp(x) along ``dim``;  dx = y ⊙ (dy - Σ dy ⊙ y) (``SoftmaxGrad``).

    Both directions write into one ``buffer`` each, not three fresh arrays (bench_gpt's
    attention weights, (16, 4, 64, 64) float32: see ``SoftmaxGrad``).
    """

    floating_only = True

    @staticmethod
    def forward(ctx, x, dim):
        xp, ops = ctx.xp, ctx.device.backend.ops
        x, half = _accumulated(xp, x)  # float16 in float32, as PyTorch's
        e = ops.subtract(x, _shift(xp, x, dim), out=_scratch(ctx, x))
        e = ops.exp(e, out=e)
        e /= xp.sum(e, axis=dim, keepdims=True)
        y = _rounded(xp, e, half)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return SoftmaxGrad.apply(grad, y, dim=ctx.attrs["dim"])


class SoftmaxGrad(Op):
    """z = y ⊙ (g - Σ g ⊙ y) along ``dim`` (softmax's backward as one op, y its output);
    dg = y ⊙ (dz - Σ dz ⊙ y) (the Jacobian diag(y) - y yᵀ is symmetric),
    dy = dz ⊙ (g - Σ g ⊙ y) - g Σ dz ⊙ y."""

    @staticmethod
    def forward(ctx, g, y, dim):
        ctx.save_for_backward(g, y)
        xp, ops = ctx.xp, ctx.device.backend.ops
        z = ops.multiply(g, y, out=_scratch(ctx, g))
        z = ops.subtract(g, xp.sum(z, axis=dim, keepdims=True), out=z)
        z *= y
        return z

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        need_g, need_y = ctx.needs_input_grad
        dim = ctx.attrs["dim"]
        dy = None
        if need_y:
            dy = grad * (g - (g * y).sum(dim=dim, keepdim=True)) - g * (grad * y).sum(dim=dim, keepdim=True)
        return (SoftmaxGrad.apply(grad, y, dim=dim) if need_g else None), dy


class LogSoftmax(Op):
    """y = x - logsumexp(x) along ``dim``;  dx = dy - softmax(x) Σ dy."""

    floating_only = True

    @staticmethod
    def forward(ctx, x, dim):
        xp, ops = ctx.xp, ctx.device.backend.ops
        x, half = _accumulated(xp, x)  # float16 in float32, as PyTorch's: 1% off in float16
        shifted = ops.subtract(x, _shift(xp, x, dim), out=_scratch(ctx, x))
        e = ops.exp(shifted, out=_scratch(ctx, x))
        shifted -= xp.log(xp.sum(e, axis=dim, keepdims=True))
        y = _rounded(xp, shifted, half)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return LogSoftmaxGrad.apply(grad, y, dim=ctx.attrs["dim"])


class LogSoftmaxGrad(Op):
    """z = g - eʸ Σ g along ``dim`` (log-softmax's backward as one op, y its output);
    dg = dz - Σ (dz eʸ),  dy = -dz eʸ Σ g."""

    @staticmethod
    def forward(ctx, g, y, dim):
        ctx.save_for_backward(g, y)
        # one array written in place, not three ((700, 1000): 0.75-0.86 -> 0.65-0.68 ms)
        z = ctx.device.backend.ops.exp(y, out=_scratch(ctx, y))
        z *= -ctx.xp.sum(g, axis=dim, keepdims=True)
        z += g
        return z

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        need_g, need_y = ctx.needs_input_grad
        dim = ctx.attrs["dim"]
        p_grad = y.exp() * grad
        return ((grad - p_grad.sum(dim=dim, keepdim=True)) if need_g else None,
                (-p_grad * g.sum(dim=dim, keepdim=True)) if need_y else None)


def scan(xp, running, x, dim):
    """``running`` (the array API's cumulative_sum or cumulative_prod) of x along ``dim``, in x's
    dtype (NumPy would widen int32 to int64) and shape (a 0-d x gives a 0-d y, not NumPy's (1,)).

    float32 and float16 accumulate in float64 and round back, as PyTorch's CPU kernels do: a
    running float32 sum of a million 0.1s ends at 100960, PyTorch's at 100000.
    """
    wide = x.dtype == xp.float32 or x.dtype == getattr(xp, "float16", None)
    y = running(x, axis=dim, dtype=xp.float64 if wide else x.dtype)
    return xp.reshape(xp.astype(y, x.dtype) if wide else y, x.shape)


class Cumsum(Op):
    """yᵢ = Σ_{j≤i} xⱼ along ``dim``;  dxⱼ = Σ_{i≥j} dyᵢ (a reversed cumulative sum)."""

    @staticmethod
    def forward(ctx, x, dim):
        return scan(ctx.xp, ctx.xp.cumulative_sum, x, dim)

    @staticmethod
    def backward(ctx, grad):
        dim = ctx.attrs["dim"]
        return grad.flip(dim).cumsum(dim).flip(dim)


# --- NaN-ignoring and paired reductions (compositions: their gradients are sum's, mean's, amax's) --------
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Σ x over ``dim`` with NaNs counted as 0 (their gradient is 0).

    >>> import minigrad as mg
    >>> mg.nansum(mg.tensor([1.0, float("nan"), 2.0])).item()
    3.0
    """
    if not input.dtype.is_floating_point:
        return input.sum(dim, keepdim, dtype=dtype)
    return where(input.isnan(), 0.0, input).sum(dim, keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean over ``dim`` of the values that are not NaN (NaN where all are)."""
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{input.dtype}")
    kept = (~input.isnan()).sum(dim, keepdim).type(dtype or input.dtype)
    total = nansum(input, dim, keepdim, dtype=dtype)
    return where(kept == 0, math.nan, total / where(kept == 0, 1.0, kept))  # NaN, not 0/0, when none


def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over ``dim`` (all elements by default), with ``.min`` and ``.max``."""
    if dim is None and input.ndim:
        dim = tuple(range(input.ndim))
    if dim is None:  # a 0-d input is its own minimum and maximum
        return _MinMax((input * 1, input * 1))
    return _MinMax((input.amin(dim, keepdim), input.amax(dim, keepdim)))


class _MinMax(tuple):
    min = property(lambda self: self[0])
    max = property(lambda self: self[1])
