"""Shape and layout ops: each one's backward undoes its movement on the gradient."""

import itertools
import numbers

import numpy as np

from .. import dtypes as _dtypes
from .._coerce import _dim, _shape_arg, is_tensor
from ..autograd.function import Op
from ..dtypes import promote_types


class Reshape(Op):
    """y = x viewed with a new shape;  dx = dy reshaped back."""

    is_view = True
    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return ctx.xp.reshape(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)


class Permute(Op):
    """y = x with its axes reordered by ``dims``;  dx = dy with the inverse order."""

    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        return ctx.xp.permute_dims(x, dims)

    @staticmethod
    def backward(ctx, grad):
        inverse = tuple(int(i) for i in np.argsort(ctx.attrs["dims"]))
        return grad.permute(inverse)


class Transpose(Permute):
    """``transpose(dim0, dim1)`` and ``mT``: a permutation that swaps two axes."""


class MatrixTranspose(Permute):
    """``t()``: a 2-D tensor's transpose."""

    node_name = "TBackward0"


class BroadcastTo(Op):
    """y = x broadcast to ``shape`` (``expand``);  dx = dy summed back (by the engine)."""

    is_view = True
    node_name = "ExpandBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        return ctx.device.backend.expand(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Squeeze(Op):
    """y = x without the size-1 axes ``dim``;  dx = dy with them put back."""

    is_view = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.in_shape = x.shape
        return ctx.xp.squeeze(x, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)



class SqueezeDim(Squeeze):
    """``squeeze(dim)``: SqueezeBackward1 in PyTorch."""

    node_name = "SqueezeBackward1"


class SqueezeDims(Squeeze):
    """``squeeze((d0, d1, ...))``: SqueezeBackward2 in PyTorch."""

    node_name = "SqueezeBackward2"

class Unsqueeze(Op):
    """y = x with a new size-1 axis at ``dim``;  dx = dy without it."""

    is_view = True

    @staticmethod
    def forward(ctx, x, dim):
        return ctx.xp.expand_dims(x, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.squeeze(ctx.attrs["dim"])


class Flip(Op):
    """y = x reversed along ``dims``;  dx = dy reversed again."""

    @staticmethod
    def forward(ctx, x, dims):
        return ctx.xp.flip(x, axis=dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.flip(*ctx.attrs["dims"])


class Repeat(Op):
    """y = x tiled ``repeats`` times per axis (PyTorch's ``repeat``);  dx = Σ of the tiles."""

    @staticmethod
    def forward(ctx, x, repeats):
        if len(repeats) < x.ndim:
            raise RuntimeError(f"repeat: {len(repeats)} repeats for a tensor of {x.ndim} dimensions")
        ctx.in_shape = (1,) * (len(repeats) - x.ndim) + tuple(x.shape)
        return ctx.xp.tile(ctx.xp.reshape(x, ctx.in_shape), repeats)

    @staticmethod
    def backward(ctx, grad):
        split_shape = []
        for r, n in zip(ctx.attrs["repeats"], ctx.in_shape):
            split_shape += [r, n]
        summed = grad.reshape(tuple(split_shape)).sum(dim=tuple(range(0, len(split_shape), 2)))
        return summed


class Cat(Op):
    """y = the inputs joined along ``dim``;  each dxᵢ is its slice of dy."""

    @staticmethod
    def forward(ctx, *xs, dim):
        ctx.sizes = [x.shape[dim] for x in xs]
        return ctx.xp.concat(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return split(grad, ctx.sizes, ctx.attrs["dim"])


class Stack(Op):
    """y = the inputs stacked along a new axis ``dim``;  each dxᵢ is dy[..., i, ...]."""

    @staticmethod
    def forward(ctx, *xs, dim):
        return ctx.xp.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.unbind(ctx.attrs["dim"])


class Split(Op):
    """The pieces of x along ``dim`` with the given ``sizes``;  dx = the pieces' gradients joined."""

    is_view = True

    @staticmethod
    def forward(ctx, x, sizes, dim):
        starts = np.cumsum((0,) + tuple(sizes[:-1]))
        index = (slice(None),) * dim
        return tuple(x[index + (slice(int(s), int(s) + n), Ellipsis)] for s, n in zip(starts, sizes))

    @staticmethod
    def backward(ctx, *grads):
        return cat(grads, ctx.attrs["dim"])


class Unbind(Op):
    """The slices x[..., i, ...] along ``dim``, each a view without that axis;  dx = the slices'
    gradients stacked along ``dim``."""

    is_view = True

    @staticmethod
    def forward(ctx, x, dim):
        index = (slice(None),) * dim
        return tuple(x[index + (i, Ellipsis)] for i in range(x.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return stack(grads, ctx.attrs["dim"])


def unbind(input, dim=0):
    """The slices of ``input`` along ``dim``, that axis removed (an empty tuple for an empty axis)."""
    if input.ndim == 0:
        raise IndexError("unbind: dimension specified as 0 but tensor has no dimensions")
    dim = _dim(dim, input.ndim)
    return Unbind.apply(input, dim=dim) if input.shape[dim] else ()


class Roll(Op):
    """y = x shifted cyclically by ``shifts`` along ``dims`` (over the flattened x when ``dims``
    is None): y[i + s] = x[i], indices wrapping;  dx = dy rolled back by -s."""

    @staticmethod
    def forward(ctx, x, shifts, dims):
        return ctx.xp.roll(x, shifts, axis=dims)

    @staticmethod
    def backward(ctx, grad):
        shifts = ctx.attrs["shifts"]
        back = -shifts if isinstance(shifts, int) else tuple(-s for s in shifts)
        return Roll.apply(grad, shifts=back, dims=ctx.attrs["dims"])


class Unfold(Op):
    """y[..., k, ..., j] = x[..., k·step + j, ...] along ``dim``: the windows of ``size``
    elements ``step`` apart, as a view;  dx = the windows' gradients put back (``UnfoldBackward``)."""

    is_view = True

    @staticmethod
    def forward(ctx, x, *, dim, size, step):
        ctx.in_shape = x.shape
        return ctx.device.backend.unfold(x, dim, size, step)

    @staticmethod
    def backward(ctx, grad):
        return UnfoldBackward.apply(grad, shape=ctx.in_shape, **ctx.attrs)


class UnfoldBackward(Op):
    """x[..., i, ...] = Σ over the windows k and positions j with k·step + j = i of g[..., k, ..., j]:
    each window put back where ``Unfold`` read it, overlaps summed;  dg = unfold(dx).

    A loop over the ``size`` positions of a window, each one strided add, never over windows."""

    @staticmethod
    def forward(ctx, g, *, shape, dim, size, step):
        out = ctx.device.backend.full(shape, 0, g.dtype, ctx.device.index)
        count = g.shape[dim]
        before = (slice(None),) * dim
        for j in range(size):
            reach = before + (slice(j, j + step * (count - 1) + 1, step), Ellipsis)
            out[reach] = out[reach] + g[..., j]
        return out

    @staticmethod
    def backward(ctx, grad):
        a = ctx.attrs
        return Unfold.apply(grad, dim=a["dim"], size=a["size"], step=a["step"])


class Pad(Op):
    """y = x with a constant border (``pad`` in NumPy's per-axis form);  dx = the inner part of dy."""

    node_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, pad_width, value=0.0):
        return ctx.device.backend.pad(x, pad_width, "constant", value)

    @staticmethod
    def backward(ctx, grad):
        index = tuple(slice(before, grad.shape[i] - after)
                      for i, (before, after) in enumerate(ctx.attrs["pad_width"]))
        return grad[index]


class ToDevice(Op):
    """y = x copied to ``device`` (explicitly: nothing moves silently);  dx = dy copied back."""

    moves_device = True

    @staticmethod
    def forward(ctx, x, device):
        ctx.source = ctx.device
        return device.backend.from_numpy(ctx.device.backend.to_numpy(x), device.index)

    @staticmethod
    def backward(ctx, grad):
        return ToDevice.apply(grad, device=ctx.source)


def cat(tensors, dim=0):
    """Join tensors along an existing axis ``dim``.

    >>> import minigrad as mg
    >>> cat([mg.zeros(1, 2), mg.ones(2, 2)]).shape
    (3, 2)"""
    tensors = _tensor_list(tensors, "cat")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"cat: zero-dimensional tensor (at position {i}) cannot be concatenated; "
                               "use stack, or unsqueeze(0) first")
    tensors = _common_dtype(tensors)
    # PyTorch's legacy rule: 1-d empty tensors join anything (they are skipped)
    tensors = [t for t in tensors if t.shape != (0,)] or tensors[:1]
    d = _dim(dim, tensors[0].ndim)
    ref = tensors[0].shape
    for t in tensors[1:]:
        if t.ndim != len(ref) or any(a != b for i, (a, b) in enumerate(zip(t.shape, ref)) if i != d):
            raise RuntimeError(f"cat: sizes of tensors must match except in dimension {d}; "
                               f"got {tuple(ref)} and {tuple(t.shape)}")
    return Cat.apply(*tensors, dim=d)


def stack(tensors, dim=0):
    """Join same-shape tensors along a new axis ``dim``."""
    tensors = _tensor_list(tensors, "stack")
    for t in tensors[1:]:
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{tuple(tensors[0].shape)} and {tuple(t.shape)}")
    return Stack.apply(*_common_dtype(tensors), dim=_dim(dim, tensors[0].ndim + 1))


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the listed sizes.

    >>> import minigrad as mg
    >>> [p.tolist() for p in split(mg.arange(5), 2)]
    [[0, 1], [2, 3], [4]]"""
    if tensor.ndim == 0:
        raise RuntimeError("split: expects at least a 1-dimensional tensor")
    dim = _dim(dim, tensor.ndim)
    n = tensor.shape[dim]
    if isinstance(split_size_or_sections, numbers.Integral):
        step = int(split_size_or_sections)
        if step < 0 or (step == 0 and n):
            raise RuntimeError(f"split: split_size must be positive (0 only for an empty dimension), "
                               f"got {step} for dimension {dim} of size {n}")
        sizes = [min(step, n - s) for s in range(0, n, step)] if step else [0]
    else:
        sizes = list(_shape_arg((split_size_or_sections,), "split"))
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(f"split: sizes {sizes} must be non-negative and add up to {n} "
                               f"(dimension {dim})")
    out = Split.apply(tensor, sizes=tuple(sizes), dim=dim)
    return out if isinstance(out, tuple) else (out,)


def chunk(tensor, chunks, dim=0):
    """``chunks`` pieces of (nearly) equal size along ``dim`` (fewer when the size runs out)."""
    if not isinstance(chunks, numbers.Integral) or chunks <= 0:
        raise RuntimeError(f"chunk: expects `chunks` to be a positive int, got {chunks!r}")
    if tensor.ndim == 0:
        raise RuntimeError("chunk: expects at least a 1-dimensional tensor")
    n = tensor.shape[_dim(dim, tensor.ndim)]
    if not n:  # as PyTorch: `chunks` empty pieces
        return split(tensor, [0] * chunks, dim)
    return split(tensor, -(-n // chunks), dim)


def _tensor_list(tensors, op):
    """``tensors`` as a non-empty list of Tensors, or an error naming ``op`` and the culprit."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{op}: expected a non-empty list of tensors")
    for i, t in enumerate(tensors):
        if not is_tensor(t):
            raise TypeError(f"{op}: expected a sequence of Tensors, got {type(t).__name__} at position {i}")
    return tensors


def _common_dtype(tensors):
    target = tensors[0].dtype
    for t in tensors[1:]:
        target = promote_types(target, t.dtype)
    return [t.type(target) for t in tensors]


def pad(input, pad, mode="constant", value=0.0):
    """Pad the last ``len(pad) // 2`` axes; ``pad`` lists (before, after) pairs, last axis first.

    ``mode="reflect"`` mirrors without repeating the edge, ``"replicate"`` repeats it; both are
    gathers along each axis, so their gradients come from index_select's.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0, 3.0])
    >>> pad(x, (2, 1))
    tensor([0., 0., 1., 2., 3., 0.])
    >>> pad(x, (2, 1), mode="reflect")
    tensor([3., 2., 1., 2., 3., 2.])
    >>> pad(x, (2, 1), mode="replicate")
    tensor([1., 1., 1., 2., 3., 3.])
    """
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"pad: {len(pad)} values do not form (before, after) pairs for a "
                         f"{input.ndim}-d input")
    pairs = [(0, 0)] * input.ndim
    for i in range(len(pad) // 2):
        pairs[input.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    if mode == "constant":
        for axis, ((b, a), n) in enumerate(zip(pairs, input.shape)):
            if n + min(b, 0) + min(a, 0) < 0:
                raise RuntimeError(f"pad: negative padding ({b}, {a}) removes more than dimension {axis} "
                                   f"of size {n} holds")
        if any(b < 0 or a < 0 for b, a in pairs):
            index = tuple(slice(max(-b, 0), n - max(-a, 0)) for (b, a), n in zip(pairs, input.shape))
            input = input[index]
            pairs = [(max(b, 0), max(a, 0)) for b, a in pairs]
        return Pad.apply(input, pad_width=tuple(pairs), value=value)
    if mode not in ("reflect", "replicate", "circular"):
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got {mode!r}")
    out = input
    for axis, (before, after) in enumerate(pairs):
        if before or after:
            n = input.shape[axis]
            if mode == "reflect" and (before >= n or after >= n):
                raise ValueError(f"pad: reflect padding ({before}, {after}) must be smaller than the "
                                 f"dimension {axis} of size {n}")
            out = out.index_select(axis, _pad_index(n, before, after, mode))
    return out


def _pad_index(n, before, after, mode):
    """Source positions, along one axis, of every position of the padded axis."""
    i = np.arange(-before, n + after)
    if mode == "reflect":
        period = 2 * (n - 1)
        i = np.abs(i) % period if period else np.zeros_like(i)
        i = np.where(i >= n, period - i, i)
    elif mode == "replicate":
        i = np.clip(i, 0, n - 1)
    else:
        i = i % n
    return i.astype(np.int64)


# --- v2 shape helpers: each one a slice, gather or permutation, so its gradient is that op's -------
def narrow(input, dim, start, length):
    """``length`` elements of ``input`` along ``dim`` from ``start`` (a view, as slicing)."""
    dim = _dim(dim, input.ndim)
    n = input.shape[dim]
    if start < 0:
        start += n
    if not 0 <= start <= n or length < 0 or start + length > n:
        raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return input[(slice(None),) * dim + (slice(start, start + length),)]


def roll(input, shifts, dims=None):
    """``input`` shifted cyclically by ``shifts`` along ``dims`` (over the flattened tensor when
    ``dims`` is None): element i moves to i + shift, wrapping around."""
    if dims is None:
        if not isinstance(shifts, int):
            raise RuntimeError("roll: with dims=None, shifts must be one int")
        return Roll.apply(input, shifts=shifts, dims=None)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts ({len(shifts)}) and dims ({len(dims)}) should have the same length")
    return Roll.apply(input, shifts=shifts, dims=tuple(_dim(d, input.ndim) for d in dims))


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim``: out[i] = x[i + 1] - x[i], applied ``n``
    times to ``prepend``, ``input`` and ``append`` joined along ``dim`` (bool: ``x[i + 1] != x[i]``).

    Each difference is a subtraction of two slices, so the gradient is theirs.

    >>> import minigrad as mg
    >>> mg.diff(mg.tensor([1.0, 4.0, 9.0, 16.0]), n=2).tolist()
    [2.0, 2.0]
    """
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = _dim(dim, input.ndim)
    parts = []
    for name, extra in (("prepend", prepend), (None, input), ("append", append)):
        if extra is None:
            continue
        if not is_tensor(extra):
            raise TypeError(f"diff(): argument '{name}' must be Tensor, not {type(extra).__name__}")
        if extra.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        for d, (m, k) in enumerate(zip(input.shape, extra.shape)):
            if d != dim and m != k:
                raise RuntimeError("diff expects the shape of tensor to prepend or append to match that of "
                                   f"input except along the differencing dimension; input.size({d}) = {m}, "
                                   f"but got tensor.size({d}) = {k}")
        parts.append(extra)
    out = cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        length = out.shape[dim] - 1
        if length <= 0:
            return narrow(out, dim, 0, 0)
        after, before = narrow(out, dim, 1, length), narrow(out, dim, 0, length)
        out = after != before if out.dtype is _dtypes.bool_ else after - before
    return out


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (slice along ``dim``; of the flattened input when ``dim`` is None) repeated
    ``repeats`` times in place, ``repeats`` an int or one count per element. Called with only a
    tensor of counts, the indices 0, 1, ... repeated by them."""
    if repeats is None:  # repeat_interleave(counts)
        counts = input
        return repeat_interleave(_arange_like(counts), counts, 0)
    if dim is None:
        input, dim = input.flatten(), 0
    dim = _dim(dim, input.ndim)
    n = input.shape[dim]
    counts = repeats.cpu().numpy() if hasattr(repeats, "cpu") else np.asarray(repeats)
    if counts.ndim == 0 or counts.size == 1:
        counts = np.full(n, int(counts.reshape(-1)[0]) if counts.size else 0)
    if counts.shape != (n,):
        raise RuntimeError(f"repeat_interleave: repeats must have the same size as input along dim, got "
                           f"{counts.shape[0]} and {n}")
    if (counts < 0).any():
        raise RuntimeError("repeat_interleave: repeats can not be negative")
    index = np.repeat(np.arange(n), counts)
    if output_size is not None and output_size != index.shape[0]:
        raise RuntimeError(f"repeat_interleave: output_size {output_size} does not match the total "
                           f"{index.shape[0]} repeats")
    return input.index_select(dim, index)


def _arange_like(counts):
    if counts.ndim != 1:
        raise RuntimeError(f"repeat_interleave: repeats must be 0-dim or 1-dim tensor, got {counts.ndim}-dim")
    from ..creation import arange
    return arange(counts.shape[0], device=counts.device)


def movedim(input, source, destination):
    """``input`` with its axes ``source`` moved to positions ``destination``, the rest in order."""
    source = (source,) if isinstance(source, int) else tuple(source)
    destination = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(source) != len(destination):
        raise RuntimeError(f"movedim: invalid source or destination dims: source ({list(source)} dims) "
                           f"should contain the same number of dims as destination "
                           f"({list(destination)} dims)")
    src = [_dim(d, input.ndim) for d in source]
    dst = [_dim(d, input.ndim) for d in destination]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in source {list(source)} or destination "
                           f"{list(destination)}")
    order = [None] * input.ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(input.ndim) if d not in src)
    return input.permute(*[o if o is not None else next(rest) for o in order])


def tile(input, dims):
    """``input`` repeated ``dims[i]`` times along axis i; missing leading counts are 1 (NumPy's tile)."""
    dims = tuple(dims)
    return input.repeat((1,) * (input.ndim - len(dims)) + dims)


# --- NumPy-style stacking, splitting and rotating helpers: each a reshape, cat, split or flip ----------
def atleast_1d(*tensors):
    """Each tensor with at least one dimension (0-d becomes (1,)); one tensor in, one out."""
    return _each(tensors, lambda t: t.reshape(1) if t.ndim == 0 else t)


def atleast_2d(*tensors):
    """Each tensor with at least two dimensions: () -> (1, 1), (n,) -> (1, n)."""
    return _each(tensors, lambda t: t.reshape((1,) * (2 - t.ndim) + tuple(t.shape)) if t.ndim < 2 else t)


def atleast_3d(*tensors):
    """Each tensor with at least three dimensions: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    def lift(t):
        if t.ndim == 0:
            return t.reshape(1, 1, 1)
        if t.ndim == 1:
            return t.reshape(1, -1, 1)
        return t.unsqueeze(-1) if t.ndim == 2 else t
    return _each(tensors, lift)


def _each(tensors, fn):
    if len(tensors) == 1 and is_tensor(tensors[0]):
        return fn(tensors[0])
    if len(tensors) == 1:  # one sequence of tensors
        tensors = tuple(tensors[0])
    return tuple(fn(t) for t in tensors)


def hstack(tensors):
    """Join along dim 1 (along dim 0 when all are 1-d), after ``atleast_1d``.

    >>> import minigrad as mg
    >>> hstack([mg.tensor([1, 2]), mg.tensor([3])]).tolist()
    [1, 2, 3]
    """
    tensors = atleast_1d(_tensor_list(tensors, "hstack"))
    return cat(tensors, 0 if all(t.ndim == 1 for t in tensors) else 1)


def vstack(tensors):
    """Join along dim 0 after ``atleast_2d``: 1-d tensors become rows.

    >>> import minigrad as mg
    >>> vstack([mg.tensor([1, 2]), mg.tensor([3, 4])]).tolist()
    [[1, 2], [3, 4]]
    """
    return cat(atleast_2d(_tensor_list(tensors, "vstack")), 0)


row_stack = vstack


def dstack(tensors):
    """Join along dim 2 (depth) after ``atleast_3d``."""
    return cat(atleast_3d(_tensor_list(tensors, "dstack")), 2)


def column_stack(tensors):
    """Join along dim 1, 0-d and 1-d tensors as columns.

    >>> import minigrad as mg
    >>> column_stack([mg.tensor([1, 2]), mg.tensor([3, 4])]).tolist()
    [[1, 3], [2, 4]]
    """
    tensors = _tensor_list(tensors, "column_stack")
    return cat([t.reshape(-1, 1) if t.ndim <= 1 else t for t in tensors], 1)


def tensor_split(input, indices_or_sections, dim=0):
    """Views of ``input`` split along ``dim``: ``sections`` (an int) pieces, the first n % sections
    of them one longer, or pieces between the given indices (a list or 1-d tensor)."""
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with "
                           "0 dims")
    dim = _dim(dim, input.ndim)
    n = input.shape[dim]
    if is_tensor(indices_or_sections):
        indices_or_sections = (indices_or_sections.item() if indices_or_sections.ndim == 0
                               else indices_or_sections.tolist())
    if isinstance(indices_or_sections, numbers.Integral):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        size, extra = divmod(n, sections)
        bounds = np.cumsum([0] + [size + (i < extra) for i in range(sections)]).tolist()
    else:
        bounds = [0] + [min(max(int(i) + n * (int(i) < 0), 0), n) for i in indices_or_sections] + [n]
    # as slicing: a piece whose end comes before its start is empty
    return tuple(narrow(input, dim, a, max(b - a, 0)) for a, b in zip(bounds[:-1], bounds[1:]))


def _split_along(name, dim, input, indices_or_sections):
    if isinstance(indices_or_sections, numbers.Integral):
        n = input.shape[dim]
        if indices_or_sections == 0 or n % indices_or_sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {n} is not divisible by the split_size {indices_or_sections}!")
    return tensor_split(input, indices_or_sections, dim)


def hsplit(input, indices_or_sections):
    """``tensor_split`` along dim 1 (dim 0 for a 1-d input); an int must divide the size."""
    if input.ndim == 0:
        raise RuntimeError("torch.hsplit requires a tensor with at least 1 dimension, but got a tensor "
                           "with 0 dimensions!")
    return _split_along("hsplit", 1 if input.ndim > 1 else 0, input, indices_or_sections)


def vsplit(input, indices_or_sections):
    """``tensor_split`` along dim 0 of an input of at least 2 dimensions."""
    if input.ndim < 2:
        raise RuntimeError(f"torch.vsplit requires a tensor with at least 2 dimension, but got a tensor "
                           f"with {input.ndim} dimensions!")
    return _split_along("vsplit", 0, input, indices_or_sections)


def dsplit(input, indices_or_sections):
    """``tensor_split`` along dim 2 of an input of at least 3 dimensions."""
    if input.ndim < 3:
        raise RuntimeError(f"torch.dsplit requires a tensor with at least 3 dimension, but got a tensor "
                           f"with {input.ndim} dimensions!")
    return _split_along("dsplit", 2, input, indices_or_sections)


def rot90(input, k=1, dims=(0, 1)):
    """``input`` rotated by k·90° in the plane of ``dims``, from the first axis towards the second.

    >>> import minigrad as mg
    >>> rot90(mg.tensor([[1, 2], [3, 4]])).tolist()
    [[2, 4], [1, 3]]
    """
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = _dim(dims[0], input.ndim), _dim(dims[1], input.ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k %= 4
    if k == 1:
        return input.flip(d1).transpose(d0, d1)
    if k == 2:
        return input.flip(d0, d1)
    if k == 3:
        return input.flip(d0).transpose(d0, d1)
    return input.clone()


def fliplr(input):
    """``input`` reversed along dim 1 (left to right); at least 2-d."""
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return input.flip(1)


def flipud(input):
    """``input`` reversed along dim 0 (up to down); at least 1-d."""
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return input.flip(0)


def unfold(input, dimension, size, step):
    """Every window of ``size`` consecutive elements along ``dimension``, ``step`` apart: that axis
    becomes the window count (n - size)//step + 1 and a last axis of ``size`` is added. A view, as
    PyTorch's (read-only where windows overlap); windows that overlap add up their gradients.

    >>> import minigrad as mg
    >>> mg.arange(5.0).unfold(0, 2, 2).tolist()
    [[0.0, 1.0], [2.0, 3.0]]
    """
    dim = _dim(dimension, max(input.ndim, 1))
    n = input.shape[dim] if input.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if input.ndim == 0:
        return Unfold.apply(input.reshape(1), dim=0, size=size, step=step).reshape(size)
    return Unfold.apply(input, dim=dim, size=size, step=step)


def combinations(input, r=2, with_replacement=False):
    """The r-length combinations of the elements of a 1-D tensor, as rows, in lexicographic order
    of position (``itertools.combinations``)."""
    if input.ndim != 1:
        raise RuntimeError(f"combinations: expect a 1D vector, but got shape {list(input.shape)}")
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    index = np.array(list(pick(range(input.shape[0]), r)), dtype=np.int64)
    if r == 0 or index.size == 0:
        return input.new_empty((0, r) if r else (0,))
    return input[index.reshape(-1)].reshape(-1, r)
