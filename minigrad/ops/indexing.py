"""Indexing: reading (gather) and writing (scatter) by position, each the other's gradient.

Basic keys (ints, slices, None, Ellipsis) use the array API directly; keys with integer or
boolean arrays go through the backend's kernels, which NumPy and CuPy run natively. Repeated
indices accumulate their gradients (scatter-add), as in PyTorch.
"""

from ..autograd import views
from ..autograd.function import Op


def _is_advanced(key):
    return any(hasattr(k, "shape") for k in (key if isinstance(key, tuple) else (key,)))


def _basic(key):
    """A basic key spelled out for the standard: a tuple, with a trailing ``...`` if none."""
    key = key if isinstance(key, tuple) else (key,)
    return key if any(k is Ellipsis for k in key) else key + (Ellipsis,)


def _read(ctx, x, key):
    try:
        return ctx.device.backend.getitem(x, key) if _is_advanced(key) else x[_basic(key)]
    except IndexError as err:
        raise IndexError(f"index: {err} (indexing a tensor of shape {tuple(x.shape)})") from None


class GetItem(Op):
    """y = x[key];  dx = zeros with dy added at the indexed positions."""

    is_view = True

    @staticmethod
    def forward(ctx, x, key):
        ctx.in_shape = x.shape
        return _read(ctx, x, key)

    @staticmethod
    def backward(ctx, grad):
        return ScatterAdd.apply(grad, key=ctx.attrs["key"], shape=ctx.in_shape)


class Select(GetItem):
    """``x[i]``, ``x[i, j]``: integers only."""


class Slice(GetItem):
    """``x[a:b]``, ``x[:, i]``: slices, with integers, ``None`` and ``...``."""


class Index(GetItem):
    """``x[index]`` with an index array or mask (advanced indexing: a copy, not a view)."""


def reader(key):
    """The ``GetItem`` named as PyTorch names the read of ``key``: a selection, a slice or an index."""
    if _is_advanced(key):
        return Index
    if all(type(k) is int for k in (key if isinstance(key, tuple) else (key,))):
        return Select
    return Slice


def added_at(ctx, shape, key, values):
    """zeros(shape) with ``values`` added at the advanced index ``key`` (repeats add up), in a
    ``buffer`` (the gradient of a gather: no fresh zeros, no copy of them)."""
    backend = ctx.device.backend
    zeros = backend.buffer(shape, values.dtype, ctx.device.index)
    zeros[...] = 0
    return backend.index_add(zeros, key, values, copy=False)


class ScatterAdd(Op):
    """y = zeros(shape) with y[key] += x (repeated indices add up);  dx = dy[key]."""

    @staticmethod
    def forward(ctx, x, key, shape):
        if _is_advanced(key):
            return added_at(ctx, shape, key, x)
        zeros = ctx.device.backend.buffer(shape, x.dtype, ctx.device.index)
        zeros[...] = 0
        key = _basic(key)
        if any(k is None for k in key):  # the standard writes through no new axes: drop them
            key = tuple(k for k in key if k is not None)
            x = ctx.xp.reshape(x, zeros[key].shape)
        zeros[key] = x
        return zeros

    @staticmethod
    def backward(ctx, grad):
        return GetItem.apply(grad, key=ctx.attrs["key"])


class SetItem(Op):
    """y = x with y[key] = value;  dx = dy with the written positions zeroed, dvalue = dy[key]."""

    @staticmethod
    def forward(ctx, x, value, key):
        backend = ctx.device.backend
        out = ctx.xp.asarray(x, copy=True)
        if _is_advanced(key):
            return backend.setitem(out, key, value)
        out[_basic(key)] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        key = ctx.attrs["key"]
        dx, dvalue = ctx.needs_input_grad
        return (SetItem.apply(grad, 0.0, key=key) if dx else None), (grad[key] if dvalue else None)


def _check_index(xp, index, size, dim, op):
    """PyTorch takes integer indices in [0, size) only (NumPy would wrap -1 to the last entry)."""
    if index.dtype not in (xp.int64, xp.int32):
        raise RuntimeError(f"{op}(): expected dtype int32 or int64 for index, got {index.dtype}")
    if index.size:
        low, high = int(xp.min(index)), int(xp.max(index))
        if low < 0 or high >= size:
            raise IndexError(f"{op}(): index {low if low < 0 else high} is out of bounds for dimension {dim} "
                             f"with size {size}")


class IndexSelect(Op):
    """y = x.index_select(dim, index);  dx = zeros with dy added back at ``index`` along ``dim``."""

    @staticmethod
    def forward(ctx, x, index, dim):
        if index.ndim > 1:
            raise IndexError(f"index_select(): index is supposed to be a vector, got shape "
                             f"{tuple(index.shape)}")
        index = ctx.xp.reshape(index, (-1,))  # a 0-d index selects one entry and keeps the dimension
        _check_index(ctx.xp, index, x.shape[dim] if x.ndim else 1, dim, "index_select")
        ctx.in_shape, ctx.index = x.shape, index
        return ctx.xp.take(x, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        key = (slice(None),) * ctx.attrs["dim"] + (ctx.index,)
        return ScatterAdd.apply(grad, key=key, shape=ctx.in_shape), None


class Gather(Op):
    """y[i][j] = x[i][index[i][j]] (along ``dim``);  dx = dy scattered back, repeats adding up."""

    @staticmethod
    def forward(ctx, x, index, dim):
        if index.ndim != x.ndim:
            raise RuntimeError(f"gather(): index tensor must have the same number of dimensions as the input "
                               f"({x.ndim}), got shape {tuple(index.shape)}")
        for d, (n, m) in enumerate(zip(index.shape, x.shape)):
            if d != dim and n > m:
                raise RuntimeError(f"gather(): size does not match at dimension {d}: expected index "
                                   f"{list(index.shape)} to be no larger than self {list(x.shape)} apart "
                                   f"from dimension {dim}")
        _check_index(ctx.xp, index, x.shape[dim] if x.ndim else 1, dim, "gather")
        ctx.in_shape, ctx.index = x.shape, index
        return ctx.xp.take_along_axis(x, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        key = along_dim_key(ctx.device, ctx.index, ctx.attrs["dim"])
        return ScatterAdd.apply(grad, key=key, shape=ctx.in_shape), None


def along_dim_key(device, index, dim):
    """The index key of ``gather``/``scatter`` along ``dim``: ``index`` on that axis, and on
    every other axis its own position (``arange`` shaped to broadcast)."""
    key = []
    for axis, n in enumerate(index.shape):
        if axis == dim:
            key.append(index)
        else:
            shape = [1] * index.ndim
            shape[axis] = n
            key.append(device.xp.reshape(device.backend.arange(n, device.index), tuple(shape)))
    return tuple(key)


class CopySlices(Op):
    """y = base with the region ``chain(base)`` replaced by ``value`` (an in-place write through a
    view, rebased onto the view's base);  dy/dbase = 1 outside the region and 0 inside,
    dy/dvalue = the region of the gradient.

    The write itself has already happened in the base's storage, so forward only passes it on.
    """

    node_suffix = ""  # PyTorch's name for this node is CopySlices

    @staticmethod
    def forward(ctx, base, value, chain):
        return base

    @staticmethod
    def backward(ctx, grad):
        chain = ctx.attrs["chain"]
        need_base, need_value = ctx.needs_input_grad
        grad_base = grad.masked_fill(views.region(grad, chain), 0.0) if need_base else None
        grad_value = views.replay(grad, chain) if need_value else None
        return grad_base, grad_value
