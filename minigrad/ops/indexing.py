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
    return ctx.device.backend.getitem(x, key) if _is_advanced(key) else x[_basic(key)]


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


class ScatterAdd(Op):
    """y = zeros(shape) with y[key] += x (repeated indices add up);  dx = dy[key]."""

    @staticmethod
    def forward(ctx, x, key, shape):
        backend = ctx.device.backend
        zeros = backend.full(shape, 0, x.dtype, ctx.device.index)
        if _is_advanced(key):
            return backend.index_add(zeros, key, x)
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


class IndexSelect(Op):
    """y = x.index_select(dim, index);  dx = zeros with dy added back at ``index`` along ``dim``."""

    @staticmethod
    def forward(ctx, x, index, dim):
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
        ctx.in_shape, ctx.index = x.shape, index
        return ctx.xp.take_along_axis(x, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        xp, dim, index = ctx.xp, ctx.attrs["dim"], ctx.index
        key = []
        for axis, n in enumerate(index.shape):
            if axis == dim:
                key.append(index)
            else:
                shape = [1] * index.ndim
                shape[axis] = n
                key.append(xp.reshape(ctx.device.backend.arange(n, ctx.device.index), tuple(shape)))
        return ScatterAdd.apply(grad, key=tuple(key), shape=ctx.in_shape), None


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
