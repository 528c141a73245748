"""Scatter: writing ``src`` into a copy of ``x`` at positions given along one axis.

``x.scatter(dim, index, src)`` writes ``src[i][j]`` to ``y[index[i][j]][j]`` (for ``dim=0``):
the inverse movement of ``gather``, so each op's gradient with respect to ``src`` is a gather
of ``dy`` and the one with respect to ``x`` is ``dy`` where ``x`` survives. ``src`` arrives
with ``index``'s shape (the public functions cut it to that block).
"""

import math

from .. import dtypes as _dtypes
from .._coerce import _as_tensor_like, _broadcast_shape, _dim, _key, _scalar_as, is_tensor
from ..autograd import views
from ..autograd.function import Op
from ..autograd.grad_mode import no_grad
from .elementwise import Add, MaskedFill, select, where
from .indexing import ScatterAdd, SetItem, along_dim_key
from .movement import pad

_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


class Scatter(Op):
    """y = x with y[index] = src along ``dim`` (``src`` a tensor or a number);
    dx = dy zeroed where written, dsrc = dy gathered at ``index``."""

    @staticmethod
    def forward(ctx, x, src, index, dim):
        out = ctx.xp.asarray(x, copy=True)
        return ctx.device.backend.setitem(out, along_dim_key(ctx.device, index, dim), src)

    @staticmethod
    def backward(ctx, grad):
        dx, dsrc = ctx.needs_input_grad
        index, dim = ctx.attrs["index"], ctx.attrs["dim"]
        return ((ScatterValue.apply(grad, 0.0, index=index, dim=dim) if dx else None),
                (grad.gather(dim, ctx.as_tensor(index)) if dsrc else None))


class ScatterValue(Scatter):
    """``scatter`` of a number: ScatterBackward1 in PyTorch (ScatterBackward0 scatters a tensor)."""

    node_name = "ScatterBackward1"


class ScatterReduce(Op):
    """y = x with src combined into it at ``index`` along ``dim`` by ``reduce`` (sum, prod,
    mean, amax or amin); ``include_self=False`` leaves x's own values out where src lands.

    Gradients: sum: dx = dy, dsrc = dy[index]. mean: both divided by the count at each target.
    amax/amin: dy goes to the inputs equal to the result, split evenly among ties. prod: dy
    times the product of the target's other inputs (y/v where the input v is not zero).
    """

    @staticmethod
    def forward(ctx, x, src, index, dim, reduce, include_self=True):
        xp, backend, dev = ctx.xp, ctx.device.backend, ctx.device
        key = along_dim_key(dev, index, dim)
        base = x
        if not include_self:  # start each target from the reduction's identity
            identity = {"sum": 0, "mean": 0, "prod": 1}.get(reduce)
            if identity is None and x.dtype in backend.float_dtypes:
                identity = -xp.inf if reduce == "amax" else xp.inf
            elif identity is None:
                identity = xp.iinfo(x.dtype).min if reduce == "amax" else xp.iinfo(x.dtype).max
            base = backend.setitem(xp.asarray(x, copy=True), key, identity)
        if reduce in ("sum", "mean"):
            out = backend.index_add(base, key, src)
        else:
            out = backend.index_reduce(base, key, src, reduce)
        if reduce == "mean":
            ones = xp.ones_like(src)
            start = backend.full(x.shape, 1 if include_self else 0, x.dtype, dev.index)
            count = backend.index_add(start, key, ones)
            mean = out / xp.where(count == 0, xp.ones_like(count), count)
            out = xp.where(count == 0, x, mean if x.dtype in backend.float_dtypes else xp.floor(mean))
            out = xp.astype(out, x.dtype)
        ctx.save_for_backward(x, src, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, src, out = ctx.saved_tensors
        dim, reduce, include_self = ctx.attrs["dim"], ctx.attrs["reduce"], ctx.attrs["include_self"]
        index = ctx.as_tensor(ctx.attrs["index"])
        zeros = x.detach() * 0
        landed = _scatter_sum(zeros, dim, index, src.detach() * 0 + 1)  # src values reaching each target
        own = 1.0 if include_self else (landed == 0).type(x.dtype)  # where x itself is in the result
        if reduce == "sum":
            dx, dsrc = grad, grad.gather(dim, index)
        elif reduce == "mean":
            share = grad / (landed + own)
            dx, dsrc = share, share.gather(dim, index)
        elif reduce == "prod":
            dx, dsrc = _prod_grads(x, src, out, grad, own, dim, index, zeros)
        else:  # amax / amin: split evenly among the inputs equal to the result
            x_hit = (x == out).type(x.dtype) * own
            src_hit = (src == out.gather(dim, index)).type(src.dtype)
            ties = x_hit + _scatter_sum(zeros, dim, index, src_hit)
            share = grad / where(ties == 0, 1.0, ties)
            dx, dsrc = share * x_hit, share.gather(dim, index) * src_hit
        dx_wanted, dsrc_wanted = ctx.needs_input_grad
        return (dx * own if dx_wanted else None), (dsrc if dsrc_wanted else None)


class IndexAdd(Op):
    """y = x with α·src[i] added to the slice ``key`` picks (index[i] along one axis; repeated
    indices add up);  dx = dy, dsrc = α dy[key]."""

    @staticmethod
    def forward(ctx, x, src, key, alpha):
        return ctx.device.backend.index_add(x, key, src if alpha == 1 else src * alpha)

    @staticmethod
    def backward(ctx, grad):
        dx, dsrc = ctx.needs_input_grad
        alpha = ctx.attrs["alpha"]
        return (grad if dx else None), ((grad[ctx.attrs["key"]] * alpha) if dsrc else None)


class MaskedScatter(Op):
    """y = x with the positions where ``mask`` holds taken by src's first elements in row-major
    order;  dx = dy zeroed where the mask holds, dsrc = dy[mask] followed by zeros, in src's shape."""

    @staticmethod
    def forward(ctx, x, src, mask):
        out = ctx.xp.asarray(x, copy=True)
        n = int(ctx.xp.sum(ctx.xp.astype(mask, ctx.xp.int64)))
        return ctx.device.backend.setitem(out, mask, ctx.xp.reshape(src, (-1,))[:n])

    @staticmethod
    def backward(ctx, grad):
        mask = ctx.attrs["mask"]
        need_x, need_src = ctx.needs_input_grad
        dsrc = None
        if need_src:
            shape, taken = ctx.input_shape(1), grad[mask]
            dsrc = pad(taken, (0, math.prod(shape) - taken.shape[0])).reshape(shape)
        return (SetItem.apply(grad, 0.0, key=mask) if need_x else None), dsrc


def _prod_grads(x, src, out, grad, own, dim, index, zeros):
    """dy · (the product of the other inputs at the target), for x and for src.

    That product is y/v for an input v ≠ 0. For v = 0 it is the product of the target's non-zero
    inputs when v is its only zero, else 0: exact with zeros, where y/v is not.
    """
    x_safe, src_safe = where(x == 0, 1.0, x), where(src == 0, 1.0, src)
    nonzero_product = ScatterReduce.apply(x_safe * own + (1 - own), src_safe, index=index.array, dim=dim,
                                          reduce="prod", include_self=True)
    zero_count = (x == 0).type(x.dtype) * own + _scatter_sum(zeros, dim, index, (src == 0).type(src.dtype))
    at_zero = grad * where(zero_count == 1, nonzero_product, 0.0)
    dx = where(x == 0, at_zero, grad * out / x_safe)
    dsrc = where(src == 0, at_zero.gather(dim, index), (grad * out).gather(dim, index) / src_safe)
    return dx, dsrc


def _scatter_sum(zeros, dim, index, values):
    return ScatterReduce.apply(zeros, values, index=index.array, dim=dim, reduce="sum", include_self=True)


# --- the calls behind Tensor.scatter(_), index_add(_), ...: checks, then one op -----------------------
def scatter(input, dim, index, src=None, value=None, reduce=None, inplace=False):
    """``input.scatter(dim, index, src)`` (or ``value=``); ``reduce="add"|"multiply"`` as PyTorch's
    deprecated spelling of ``scatter_reduce``."""
    name = "scatter_" if inplace else "scatter"
    if src is None:
        src = value
    if src is None:
        raise TypeError(f"{name}(): expected a src tensor or a value")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError(f"{name}(): reduce argument must be either add or multiply, got {reduce!r}")
        if not is_tensor(src):
            src = input.new_full(tuple(index.shape), src)
        return scatter_reduce(input, dim, index, src, "sum" if reduce == "add" else "prod", inplace=inplace)
    dim, index, src = _checked(name, input, dim, index, src)
    if is_tensor(src):
        return _run(input, inplace, Scatter, (src,), {"index": index, "dim": dim})
    return _run(input, inplace, ScatterValue, (_written(input, src),), {"index": index, "dim": dim})


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, inplace=False):
    """``input.scatter_reduce(dim, index, src, reduce, include_self=True)``."""
    name = "scatter_reduce_" if inplace else "scatter_reduce"
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"{name}(): reduce argument must be either sum, prod, mean, amax or amin, "
                           f"got {reduce}")
    if not is_tensor(src):
        raise TypeError(f"{name}(): src must be a Tensor, got {type(src).__name__}")
    dim, index, src = _checked(name, input, dim, index, src)
    return _run(input, inplace, ScatterReduce, (src,),
                {"index": index, "dim": dim, "reduce": reduce, "include_self": bool(include_self)})


def index_add(input, dim, index, source, alpha=1, inplace=False):
    """``input.index_add(dim, index, source, alpha=1)``: ``alpha·source[i]`` added to the slice
    ``index[i]`` of ``input`` along ``dim`` (repeated indices add up)."""
    key, source = _index_checked("index_add_" if inplace else "index_add", input, dim, index, source)
    alpha = _scalar_as(alpha, input.dtype)  # cast to input's kind, as PyTorch: 1.5 into an int tensor is 1
    return _run(input, inplace, IndexAdd, (source,), {"key": key, "alpha": alpha})


def index_put(input, indices, values, accumulate=False, inplace=False):
    """``input.index_put(indices, values, accumulate=False)``: ``input[indices] = values``; with
    ``accumulate``, ``input[indices] += values`` with repeated positions adding up (a plain
    ``x[i] += v`` writes a repeated position once). ``indices`` is a tuple of index tensors."""
    name = "index_put_" if inplace else "index_put"
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"{name}: indices must be a tuple of tensors, got {type(indices).__name__}")
    key = _key(tuple(indices), input)
    if not is_tensor(values):
        values = _as_tensor_like(values, input, input.dtype)
    elif values.dtype is not input.dtype:
        raise RuntimeError(f"{name}: index put requires the source and destination dtypes match, got "
                           f"{input.dtype} for the destination and {values.dtype} for the source")
    if not accumulate:
        return _run(input, inplace, SetItem, (values,), {"key": key})
    with no_grad():
        target = tuple(input[tuple(indices)].shape)  # the positions' shape, bounds checked as reads are
    added = ScatterAdd.apply(values.expand(target), key=key, shape=input.shape)
    return _run(input, inplace, Add, (added,), {})


def index_copy(input, dim, index, source, inplace=False):
    """``input.index_copy(dim, index, source)``: slice ``index[i]`` along ``dim`` becomes ``source[i]``."""
    key, source = _index_checked("index_copy_" if inplace else "index_copy", input, dim, index, source)
    return _run(input, inplace, SetItem, (source,), {"key": key})


def index_fill(input, dim, index, value, inplace=False):
    """``input.index_fill(dim, index, value)``: the slices ``index`` along ``dim`` set to ``value``."""
    name = "index_fill_" if inplace else "index_fill"
    if is_tensor(value) and value.ndim:
        raise RuntimeError(f"{name}(): only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s)")
    key, _ = _index_checked(name, input, dim, index, None)
    return _run(input, inplace, SetItem, (_written(input, value),), {"key": key})


def masked_scatter(input, mask, source, inplace=False):
    """``input.masked_scatter(mask, source)``: where ``mask`` holds, the next elements of
    ``source`` in row-major order."""
    name = "masked_scatter_" if inplace else "masked_scatter"
    if mask.dtype is not _dtypes.bool_:
        raise RuntimeError(f"{name}(): expected a bool mask, got {mask.dtype}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"{name}(): expected source of dtype {input.dtype}, got {source.dtype}")
    if not inplace:  # out of place, input and mask broadcast together, as in PyTorch
        shape = _broadcast_shape(tuple(input.shape), tuple(mask.shape))
        input = input if tuple(input.shape) == shape else input.expand(shape)
    mask = mask.broadcast_to(input.shape)
    n = int(mask.sum().item())
    if source.numel() < n:
        raise RuntimeError(f"{name}(): number of elements of source ({source.numel()}) < number of ones "
                           f"in mask ({n})")
    return _run(input, inplace, MaskedScatter, (source,), {"mask": mask.array})


def masked_fill(input, mask, value, inplace=False):
    """``input.masked_fill(mask, value)`` (``masked_fill_`` if ``inplace``): ``value`` where the bool
    ``mask`` (broadcast) holds; the result keeps ``input``'s dtype, as PyTorch's (2.7 written into
    an integer tensor is 2)."""
    if mask.dtype is not _dtypes.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype}")
    if is_tensor(value) and value.ndim:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s)")
    if inplace:
        key = mask.broadcast_to(input.shape).array
        return views.apply_inplace(input, SetItem, _written(input, value), key=key)
    # a select, not a copy and a masked write, which took twice as long on the small GPT's causal mask
    return select(MaskedFill, mask, _written(input, value), input)


def _written(input, value):
    """A fill value as written into ``input``: a Tensor in ``input``'s dtype, a number converted as
    PyTorch converts it (2.7 into an integer tensor is 2; 300 into uint8 raises)."""
    return value.type(input.dtype) if is_tensor(value) else _scalar_as(value, input.dtype)


def _run(input, inplace, op, args, attrs):
    return views.apply_inplace(input, op, *args, **attrs) if inplace else op.apply(input, *args, **attrs)


def _checked_index(name, index, input):
    """PyTorch's index dtypes: int32 or int64, except index_copy and index_fill (int64 only;
    index_fill's error an IndexError, as PyTorch's)."""
    allowed = (_dtypes.int64,) if name.startswith(("index_copy", "index_fill")) else \
        (_dtypes.int32, _dtypes.int64)
    if not is_tensor(index) or index.dtype not in allowed:
        got = index.dtype if is_tensor(index) else type(index).__name__
        error = IndexError if name.startswith("index_fill") else RuntimeError
        raise error(f"{name}(): expected dtype {' or '.join(d.name for d in allowed)} for index, got {got}")
    if index.device != input.device:
        raise RuntimeError(f"{name}(): index on {index.device} but self on {input.device}")


def _bounds(name, index, dim, n):
    if index.numel():
        lo, hi = index.min().item(), index.max().item()
        if lo < 0 or hi >= n:
            raise RuntimeError(f"{name}(): index {lo if lo < 0 else hi} is out of bounds for dimension "
                               f"{dim} with size {n}")


def _checked(name, input, dim, index, src):
    """PyTorch's checks of scatter's operands; returns (dim, index array, src cut to index's shape)."""
    dim = _dim(dim, input.ndim)
    _checked_index(name, index, input)
    if index.ndim != input.ndim:
        raise RuntimeError(f"{name}(): index tensor must have the same number of dimensions ({index.ndim}) "
                           f"as self tensor ({input.ndim})")
    src_shape = src.shape if is_tensor(src) else None
    if src_shape is not None:
        if src.dtype is not input.dtype:
            raise RuntimeError(f"{name}(): expected self.dtype to be equal to src.dtype, got {input.dtype} "
                               f"and {src.dtype}")
        if src.ndim != index.ndim:
            raise RuntimeError(f"{name}(): index tensor must have the same number of dimensions "
                               f"({index.ndim}) as src tensor ({src.ndim})")
    for d, n in enumerate(index.shape):
        if (d != dim and n > input.shape[d]) or (src_shape is not None and n > src_shape[d]):
            raise RuntimeError(f"{name}(): expected index {list(index.shape)} to be no larger than self "
                               f"{list(input.shape)} apart from dimension {dim} and to be no larger size "
                               f"than src {list(src_shape or ())}")
    _bounds(name, index, dim, input.shape[dim] if input.ndim else 1)
    if src_shape is not None and src_shape != index.shape:
        src = src[tuple(slice(0, n) for n in index.shape)]
    return dim, index.array, src


def _index_checked(name, input, dim, index, source):
    """PyTorch's checks of index_add/copy/fill; returns (the key selecting the slices, source)."""
    dim = _dim(dim, input.ndim)
    _checked_index(name, index, input)
    if index.ndim > 1:
        raise RuntimeError(f"{name}(): index should have at most one dimension, got {index.ndim}")
    index = index.reshape(-1)
    if source is not None:
        if source.dtype is not input.dtype:
            raise RuntimeError(f"{name}(): self ({input.dtype}) and source ({source.dtype}) must have the "
                               "same scalar type")
        expected = (input.shape[:dim] + (index.numel(),) + input.shape[dim + 1:] if input.ndim
                    else (index.numel(),))
        if source.ndim == 0 and input.ndim <= 1 and index.numel() == 1:
            source = source.reshape(expected)
        if tuple(source.shape) != expected:
            raise RuntimeError(f"{name}(): source of shape {tuple(source.shape)} does not match the "
                               f"{index.numel()} indices along dimension {dim} of self {tuple(input.shape)} "
                               f"(expected {expected})")
    _bounds(name, index, dim, input.shape[dim] if input.ndim else 1)
    if input.ndim == 0:
        return (), source
    return (slice(None),) * dim + (index.array,), source

