"""Tensors taken apart and put together as PyTorch's helpers do: ``tensor_split`` and the
``h/v/dsplit`` family, the ``h/v/d/column_stack`` family, ``atleast_Nd``, ``rot90``, ``block_diag``, ``kron``,
``cartesian_prod``, ``combinations``, ``diag_embed``, ``broadcast_tensors``, ``take``.

Each is written with the movement, indexing and arithmetic ops, so its gradient (and second
derivative) comes from theirs; nothing here has a backward of its own.
"""

import itertools
import numbers

import numpy as np

from .._coerce import _broadcast_shape, _dim
from ..tensor import Tensor
from .movement import _tensor_list, cat, movedim, pad, stack


def tensor_split(input, indices_or_sections, dim=0):
    """Views of ``input`` along ``dim``: ``n`` sections (the first ``size % n`` one longer), or
    cut at the given indices (``[2, 3]`` gives ``[:2]``, ``[2:3]``, ``[3:]``)."""
    dim = _dim(dim, input.ndim)
    size = input.shape[dim]
    if isinstance(indices_or_sections, Tensor):
        if indices_or_sections.ndim > 1 or indices_or_sections.dtype.is_floating_point:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional "
                               f"or one-dimensional integer tensor, but got a tensor with "
                               f"{indices_or_sections.ndim} dims of {indices_or_sections.dtype}")
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, numbers.Integral):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        length, longer = divmod(size, sections)
        cuts = list(itertools.accumulate((length + 1 if i < longer else length) for i in range(sections - 1)))
    else:
        cuts = [int(i) for i in indices_or_sections]
    lead = (slice(None),) * dim  # Python's slices clamp, count from the end and run empty as PyTorch's
    return tuple(input[lead + (slice(start, end),)] for start, end in zip([0] + cuts, cuts + [size]))


def hsplit(input, indices_or_sections):
    """``tensor_split`` along dim 1 (dim 0 of a 1-D tensor); a number of sections must divide it."""
    return _split_along(input, indices_or_sections, 0 if input.ndim == 1 else 1, "hsplit", 1)


def vsplit(input, indices_or_sections):
    return _split_along(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input, indices_or_sections):
    return _split_along(input, indices_or_sections, 2, "dsplit", 3)


def _split_along(input, indices_or_sections, dim, name, least):
    if input.ndim < least:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {least} dimension, but got a "
                           f"tensor with {input.ndim} dimensions!")
    if isinstance(indices_or_sections, numbers.Integral) and (
            indices_or_sections == 0 or input.shape[dim] % indices_or_sections):
        raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                           f"dimension {input.shape[dim]} is not divisible by the split_size "
                           f"{indices_or_sections}!")
    return tensor_split(input, indices_or_sections, dim)


def atleast_1d(*tensors):
    return _each(tensors, lambda t: t.reshape(1) if t.ndim == 0 else t)


def atleast_2d(*tensors):
    return _each(tensors, lambda t: t.reshape((1,) * (2 - t.ndim) + tuple(t.shape)) if t.ndim < 2 else t)


def atleast_3d(*tensors):
    """(n,) becomes (1, n, 1) and (m, n) becomes (m, n, 1), as NumPy and PyTorch do."""
    def lift(t):
        if t.ndim == 0:
            return t.reshape(1, 1, 1)
        if t.ndim == 1:
            return t.reshape(1, t.shape[0], 1)
        return t.unsqueeze(-1) if t.ndim == 2 else t
    return _each(tensors, lift)


def _each(tensors, lift):
    """One tensor in, one out; several (or a list) in, a tuple out."""
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return lift(tensors[0])
    if len(tensors) == 1:
        tensors = tuple(tensors[0])
    return tuple(lift(t) for t in tensors)


def hstack(tensors):
    """Join along dim 1 (dim 0 for 1-D tensors)."""
    tensors = atleast_1d(*_tensor_list(tensors, "hstack"))
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    """Join along dim 0, 1-D tensors as rows."""
    return cat(atleast_2d(*_tensor_list(tensors, "vstack")), 0)


def dstack(tensors):
    """Join along dim 2 (depth), after ``atleast_3d``."""
    return cat(atleast_3d(*_tensor_list(tensors, "dstack")), 2)


def column_stack(tensors):
    """1-D (and 0-D) tensors as columns, then ``hstack``."""
    tensors = _tensor_list(tensors, "column_stack")
    return hstack([t.reshape(-1, 1) if t.ndim <= 1 else t for t in tensors])


def rot90(input, k=1, dims=(0, 1)):
    """``input`` turned by 90° k times in the plane ``dims``, from the first axis toward the second."""
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = {input.ndim}")
    a, b = (_dim(d, input.ndim) for d in dims)
    if a == b:
        raise RuntimeError(f"rot90: expected rotation dims to be different, but got dim0 = {a} and "
                           f"dim1 = {b}")
    k %= 4
    if k == 1:
        return input.flip(b).transpose(a, b)
    if k == 2:
        return input.flip(a, b)
    if k == 3:
        return input.flip(a).transpose(a, b)
    return input


def block_diag(*tensors):
    """The tensors (0-D, 1-D as a row, 2-D) as the blocks of a block-diagonal matrix, zeros elsewhere."""
    blocks = [t.reshape(1, -1) if t.ndim < 2 else t for t in tensors]
    for i, t in enumerate(blocks):
        if t.ndim != 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} "
                               f"has {t.ndim} dimensions")
    if not blocks:
        from ..creation import empty
        return empty(1, 0)
    width = sum(t.shape[1] for t in blocks)
    rows, left = [], 0
    for t in blocks:
        rows.append(pad(t, (left, width - left - t.shape[1])))
        left += t.shape[1]
    return cat(rows, 0)


def kron(input, other):
    """The Kronecker product: every element of ``input`` times the whole of ``other``, tiled.

    For shapes (a₁…aₙ) and (b₁…bₙ) (the shorter padded with leading 1s) the result has shape
    (a₁b₁…aₙbₙ), element [i·b + j] = input[i]·other[j] along each axis."""
    n = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (n - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (n - other.ndim) + tuple(other.shape))
    # interleave the axes: (a₁, 1, a₂, 1, …) * (1, b₁, 1, b₂, …)
    spread_a = a.reshape(tuple(x for s in a.shape for x in (s, 1)))
    spread_b = b.reshape(tuple(x for s in b.shape for x in (1, s)))
    return (spread_a * spread_b).reshape(tuple(x * y for x, y in zip(a.shape, b.shape)))


def cartesian_prod(*tensors):
    """Every combination of one element from each 1-D tensor, as rows (N₁·…·Nₖ, k); one tensor
    comes back as it is."""
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"cartesian_prod: expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    from ..creation import meshgrid
    return stack([g.reshape(-1) for g in meshgrid(*tensors, indexing="ij")], 1)


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


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices whose ``offset`` diagonal (in the plane of the new axes ``dim1``, ``dim2``) holds
    the last axis of ``input``, zeros elsewhere: (…, n) becomes (…, m, m), m = n + |offset|.

    Element k goes to row-major position start + k·(m + 1) of the m×m matrix (start = offset
    above the main diagonal, |offset|·m below): each element followed by m zeros, shifted by
    ``start``, and cut to m² values; only padding and reshapes, so the gradient is theirs.
    """
    n, lead = input.shape[-1], tuple(input.shape[:-1])
    m = n + abs(offset)
    start = offset if offset >= 0 else -offset * m
    spaced = pad(input.unsqueeze(-1), (0, m)).reshape(lead + (n * (m + 1),))
    flat = pad(spaced, (start, max(0, m * m - start - n * (m + 1))))[..., :m * m]
    ndim = input.ndim + 1
    d1, d2 = _dim(dim1, ndim), _dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diag_embed: diagonal dimensions cannot be identical {dim1}, {dim2}")
    return movedim(flat.reshape(lead + (m, m)), (-2, -1), (d1, d2))


def broadcast_tensors(*tensors):
    """The tensors expanded (as views) to their common broadcast shape."""
    shape = ()
    for t in tensors:
        shape = _broadcast_shape(shape, tuple(t.shape))
    return tuple(t.expand(shape) for t in tensors)


def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` broadcast to (an error if they do not)."""
    out = ()
    for s in shapes:
        out = _broadcast_shape(out, (s,) if isinstance(s, int) else tuple(s))
    return out


def take(input, index):
    """``input`` read as if flattened, at ``index`` (any shape; negative counts from the end)."""
    return input.reshape(-1)[index]
