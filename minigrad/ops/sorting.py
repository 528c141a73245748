"""Sorting and selection: sort, top-k, k-th value, unique, counting, non-zero positions, and
searching sorted sequences (searchsorted, bucketize, isin).

The ops here compute *positions* (integer tensors, no gradient). The values they select are a
``gather`` of the input at those positions, so their gradients are gather's (scattered back,
repeats adding up) and second derivatives come for free.
"""

import math

from .. import dtypes as _dtypes
from .._coerce import _broadcast_shape, _dim
from ..autograd.function import Op
from ..autograd.grad_mode import no_grad
from ..creation import arange, linspace
from ..tensor import Tensor, _ValuesIndices
from .elementwise import where as _where
from .movement import cat


def _sort_key(xp, x, descending):
    """An array whose ascending order is x's requested order (stable sorts keep ties in place)."""
    if not descending:
        return x
    if xp.isdtype(x.dtype, ("bool", "unsigned integer")):  # no negative values to sort by
        return -xp.astype(x, xp.int64)
    if xp.isdtype(x.dtype, "real floating"):  # NaN counts as the largest value (PyTorch): first here
        return xp.where(xp.isnan(x), -xp.inf, -x)
    return -x


class ArgSort(Op):
    """The positions that sort x along ``dim`` (ascending, or ``descending``); no gradient.

    Always a stable sort: ``stable=False`` allows any order of ties, and this is one of them."""

    @staticmethod
    def forward(ctx, x, dim, descending=False, stable=False):
        xp = ctx.xp
        if x.ndim == 0:
            return xp.zeros_like(x, dtype=xp.int64)
        return xp.astype(xp.argsort(_sort_key(xp, x, descending), axis=dim, stable=True), xp.int64)


class Unique(Op):
    """The sorted distinct values of x (or distinct slices along ``dim``), the index of each
    element's value (``inverse``) and how often each occurs (``counts``); no gradient."""

    @staticmethod
    def forward(ctx, x, dim=None):
        values, inverse, counts = ctx.device.backend.unique(x, dim)
        ctx.mark_non_differentiable(0, 1, 2)
        xp = ctx.xp
        return values, xp.astype(inverse, xp.int64), xp.astype(counts, xp.int64)


class Bincount(Op):
    """out[v] = Σ weights[i] over the i with x[i] = v (a count without weights); no gradient."""

    @staticmethod
    def forward(ctx, x, weights=None, minlength=0):
        xp, backend = ctx.xp, ctx.device.backend
        if x.dtype in backend.float_dtypes or x.dtype == xp.bool:  # PyTorch's error type for these
            raise NotImplementedError(f"bincount: not implemented for {backend.dtype_of[x.dtype]} "
                                      "(integers only)")
        if x.ndim != 1 or (x.shape[0] and int(xp.min(x)) < 0):
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs, got "
                               f"shape {tuple(x.shape)}")
        if weights is not None and weights.shape != x.shape:
            raise RuntimeError(f"bincount: weights of shape {tuple(weights.shape)} do not match the "
                               f"input's {tuple(x.shape)}")
        n = max(int(xp.max(x)) + 1 if x.shape[0] else 0, int(minlength))
        if weights is None:
            values, dtype = xp.ones_like(x, dtype=xp.int64), xp.int64
        else:  # PyTorch's rule: float weights keep their dtype, others count in float64
            dtype = weights.dtype if weights.dtype in backend.float_dtypes else xp.float64
            values = xp.astype(weights, dtype)
        return backend.index_add(backend.full((n,), 0, dtype, ctx.device.index), (x,), values)


class Nonzero(Op):
    """The positions of the non-zero elements of x as an (n, x.ndim) int64 array, row-major."""

    @staticmethod
    def forward(ctx, x):
        xp = ctx.xp
        if x.ndim == 0:
            return ctx.device.backend.full((int(bool(x)), 0), 0, xp.int64, ctx.device.index)
        return xp.astype(xp.stack(xp.nonzero(x), axis=-1), xp.int64)


def sort(input, dim=-1, descending=False, stable=False):
    """``(values, indices)`` of ``input`` sorted along ``dim``; ties keep their order.

    >>> import minigrad as mg
    >>> v, i = mg.sort(mg.tensor([3.0, 1.0, 2.0]), descending=True)
    >>> v.tolist(), i.tolist()
    ([3.0, 2.0, 1.0], [0, 2, 1])
    """
    dim = _dim(dim, input.ndim)
    indices = ArgSort.apply(input, dim=dim, descending=descending, stable=stable)
    return _ValuesIndices((_take(input, indices, dim), indices))


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim``."""
    return ArgSort.apply(input, dim=_dim(dim, input.ndim), descending=descending, stable=stable)


def topk(input, k, dim=-1, largest=True, sorted=True):
    """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) along ``dim``.

    >>> import minigrad as mg
    >>> mg.topk(mg.tensor([1.0, 5.0, 3.0]), 2).indices.tolist()
    [1, 2]
    """
    dim = _dim(dim, input.ndim)
    n = input.shape[dim] if input.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: selected index k={k} out of range for dimension {dim} of size {n}")
    order = ArgSort.apply(input, dim=dim, descending=largest, stable=True)
    indices = order.narrow(dim, 0, k) if input.ndim else order
    return _ValuesIndices((_take(input, indices, dim), indices))


def kthvalue(input, k, dim=-1, keepdim=False):
    """``(values, indices)`` of the ``k``-th smallest element (1-based) along ``dim``."""
    dim = _dim(dim, input.ndim)
    n = input.shape[dim] if input.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k={k} out of range for dimension {dim} of size {n}")
    if input.ndim == 0:
        return _ValuesIndices((input * 1, ArgSort.apply(input, dim=0)))
    indices = ArgSort.apply(input, dim=dim).narrow(dim, k - 1, 1)
    values = _take(input, indices, dim)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return _ValuesIndices((values, indices))


def median(input, dim=None, keepdim=False):
    """The lower median, the ((n - 1) // 2 + 1)-th smallest value (NaN where a slice holds a NaN).

    Without ``dim``, over all elements: a 0-d tensor (NaN for no elements). With ``dim``:
    ``(values, indices)``, the index of the median's first occurrence, or of the first NaN. The
    gradient goes to that element.

    >>> import minigrad as mg
    >>> mg.tensor([4.0, 1.0, 3.0, 2.0]).median()
    tensor(2.)
    """
    if dim is None:
        flat = input.reshape(-1)
        if not flat.numel():
            return flat.sum() * math.nan
        return median(flat, 0).values
    dim = _dim(dim, input.ndim)
    n = input.shape[dim] if input.ndim else 1
    if not n:
        raise IndexError(f"median(): cannot compute the median of dimension {dim}, which is empty "
                         f"(input of shape {tuple(input.shape)})")
    values, indices = kthvalue(input, (n - 1) // 2 + 1, dim, keepdim=True)
    if input.dtype.is_floating_point:
        nan = input.isnan()
        if bool(nan.any()):  # PyTorch's median is NaN where the slice holds one, at its first NaN
            has_nan = nan.any(dim=dim, keepdim=True) if input.ndim else nan
            first = nan.int().argmax(dim=dim, keepdim=True) if input.ndim else indices
            indices = indices.where(~has_nan, first)
            values = _take(input, indices, dim)
    if not keepdim and input.ndim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return _ValuesIndices((values, indices))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values of ``input`` in ascending order (distinct slices along ``dim``), with
    optionally the position of each element's value and the count of each value.

    >>> import minigrad as mg
    >>> values, inverse, counts = mg.unique(mg.tensor([3, 1, 3]), return_inverse=True, return_counts=True)
    >>> values.tolist(), inverse.tolist(), counts.tolist()
    ([1, 3], [1, 0, 1], [1, 2])
    """
    values, inverse, counts = Unique.apply(input, dim=None if dim is None else _dim(dim, input.ndim))
    if dim is None:
        inverse = inverse.reshape(input.shape)
    out = (values,) + ((inverse,) if return_inverse else ()) + ((counts,) if return_counts else ())
    return out if len(out) > 1 else values


def bincount(input, weights=None, minlength=0):
    """How often each value 0, 1, ..., max(input) occurs in the 1-d non-negative ``input``
    (with ``weights``: their sum per value); at least ``minlength`` bins."""
    return Bincount.apply(input, weights, minlength=minlength)


def histc(input, bins=100, min=0, max=0):
    """Counts of ``input`` in ``bins`` equal bins over [min, max] (the data's range when
    min = max = 0); values outside are ignored. Returns input's dtype."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"histc: expected a floating point input, got {input.dtype}")
    lo, hi = float(min), float(max)
    if lo == hi and input.numel():
        lo, hi = input.min().item(), input.max().item()
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"histc: max must be larger than min, got min={min}, max={max}")
    edges = linspace(lo, hi, bins + 1, dtype=_dtypes.float64, device=input.device)
    return _histogram(input.detach().flatten(), edges, None).type(input.dtype)


def histogram(input, bins=100, *, range=None, weight=None, density=False):
    """``(hist, bin_edges)``: counts (or summed ``weight``) of ``input`` in ``bins`` equal bins
    over ``range`` (the data's by default) or between the given increasing edges; the last bin
    includes its right edge. ``density=True`` divides by the total and the bin widths."""
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"histogram: expected a floating point input, got {input.dtype}")
    x = input.detach().flatten()
    if isinstance(bins, Tensor):
        edges = bins.detach().type(_dtypes.float64)
    else:
        if range is not None:
            lo, hi = range
        else:
            lo, hi = (x.min().item(), x.max().item()) if x.numel() else (0.0, 0.0)
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        if lo > hi:
            raise ValueError(f"histogram: range min {lo} is larger than max {hi}")
        edges = linspace(lo, hi, int(bins) + 1, dtype=_dtypes.float64, device=input.device)
    w = None if weight is None else weight.detach().flatten().type(_dtypes.float64)
    hist = _histogram(x, edges, w)
    if density:
        hist = hist / (hist.sum() * (edges[1:] - edges[:-1]))
    return _Histogram((hist.type(input.dtype), edges.type(input.dtype)))


def _histogram(x, edges, weights):
    """Float64 counts of the flat ``x`` between consecutive ``edges``, right edge in the last bin."""
    bins = edges.numel() - 1
    x = x.type(_dtypes.float64)
    inside = (x >= edges[0]) & (x <= edges[-1])
    position = (x.unsqueeze(-1) >= edges[1:-1]).sum(-1) if bins > 1 else (x * 0).long()
    w = inside.type(_dtypes.float64) if weights is None else weights * inside
    return bincount(position, w, minlength=bins)[:bins]


def nonzero(input, *, as_tuple=False):
    """The indices of the non-zero elements: an (n, ndim) tensor, or one 1-d tensor per axis."""
    positions = Nonzero.apply(input)
    if not as_tuple:
        return positions
    if input.ndim == 0:
        return (positions.reshape(-1),)
    return positions.unbind(1)


def masked_select(input, mask):
    """The elements of ``input`` where the bool ``mask`` (broadcast together) holds, as 1-d."""
    if mask.dtype is not _dtypes.bool_:
        raise RuntimeError(f"masked_select: expected a bool mask, got {mask.dtype}")
    shape = _broadcast_shape(input.shape, mask.shape)
    return input.broadcast_to(shape)[mask.broadcast_to(shape)]


def take_along_dim(input, indices, dim=None):
    """``input`` picked at ``indices`` along ``dim`` (both flattened when ``dim`` is None); the
    other axes broadcast, as ``numpy.take_along_axis``."""
    if dim is None:
        return input.flatten().gather(0, indices.flatten())
    dim = _dim(dim, input.ndim)
    if input.ndim != indices.ndim:
        raise RuntimeError(f"take_along_dim: input and indices should have the same number of "
                           f"dimensions, got {input.ndim} and {indices.ndim}")
    shape = _broadcast_shape(tuple(1 if i == dim else n for i, n in enumerate(input.shape)),
                             tuple(1 if i == dim else n for i, n in enumerate(indices.shape)))
    return input.expand(_with(shape, dim, input.shape[dim])).gather(
        dim, indices.expand(_with(shape, dim, indices.shape[dim])))


def _with(shape, dim, n):
    return shape[:dim] + (n,) + shape[dim + 1:]


def _take(input, indices, dim):
    return input * 1 if input.ndim == 0 else input.gather(dim, indices)


class _Histogram(tuple):
    """``(hist, bin_edges)`` with those names, as PyTorch's ``histogram``."""

    hist = property(lambda self: self[0])
    bin_edges = property(lambda self: self[1])


def argwhere(input):
    """The (n, ndim) indices of the non-zero elements (``nonzero``)."""
    return nonzero(input)


def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None, sorter=None):
    """Where each of ``values`` would go in ``sorted_sequence`` (along its last axis) to keep it
    sorted: the first such index (``right=False``, or ``side="left"``) or the last. An N-D
    sequence is searched row by row, its leading axes matching those of ``values``; NaN sorts last."""
    if side is not None:
        if side not in ("left", "right") or (right and side == "left"):
            raise RuntimeError(f"searchsorted: side can only be 'left' or 'right' and must agree with right, "
                               f"got side={side!r}, right={right}")
        right = side == "right"
    if not isinstance(values, Tensor):
        values = sorted_sequence.new_tensor(values)
    if sorter is not None:
        sorted_sequence = sorted_sequence.gather(-1, sorter)
    index_dtype = _dtypes.int32 if out_int32 else _dtypes.int64
    if sorted_sequence.ndim == 1:
        xp = sorted_sequence.device.xp
        target = _dtypes.promote_types(sorted_sequence.dtype, values.dtype)
        flat = xp.reshape(values.type(target).array, (-1,))
        found = xp.searchsorted(sorted_sequence.type(target).array, flat, side="right" if right else "left")
        return Tensor._wrap(found, values.device).reshape(values.shape).type(index_dtype)
    if tuple(sorted_sequence.shape[:-1]) != tuple(values.shape[:-1]):
        raise RuntimeError(f"searchsorted: boundaries tensor should be 1 dimension or the first N-1 "
                           f"dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(sorted_sequence.shape)} and input value tensor "
                           f"{list(values.shape)}")
    rows, probes = sorted_sequence.unsqueeze(-2), values.unsqueeze(-1)
    before = (rows <= probes) if right else (rows < probes)  # a NaN in the sequence is never before
    count = before.sum(-1)
    # a NaN value goes after every number (and, going right, after the NaNs too)
    after_numbers = sorted_sequence.shape[-1] if right else (~sorted_sequence.isnan()).sum(-1, keepdim=True)
    return _where(values.isnan(), after_numbers, count).type(index_dtype)


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each element of ``input`` among the 1-D sorted ``boundaries``:
    i with boundaries[i-1] < x ≤ boundaries[i] (``right=False``), or boundaries[i-1] ≤ x < boundaries[i]."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries tensor must be 1 dimension, but got "
                           f"dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of ``elements`` occurs in ``test_elements`` (either may be a number):
    a binary search of each element in the sorted test elements."""
    if not isinstance(elements, Tensor):
        elements = test_elements.new_tensor(elements)
    if not isinstance(test_elements, Tensor):
        test_elements = elements.new_tensor(test_elements)
    target = _dtypes.promote_types(elements.dtype, test_elements.dtype)
    elements, pool = elements.type(target), test_elements.type(target).reshape(-1).sort().values
    if pool.numel() == 0:
        found = elements.new_zeros(elements.shape, dtype=_dtypes.bool_)
    else:
        at = searchsorted(pool, elements).clamp(max=pool.numel() - 1)
        found = pool[at.reshape(-1)].reshape(elements.shape) == elements
    return ~found if invert else found


def cummax(input, dim):
    """``(values, indices)`` of the running maximum along ``dim``: values[i] = max(x[:i+1]), at
    the latest position on ties; a NaN, once met, is the maximum (PyTorch's rules)."""
    return _running_extreme(input, dim, largest=True)


def cummin(input, dim):
    """``(values, indices)`` of the running minimum along ``dim`` (``cummax``'s rules)."""
    return _running_extreme(input, dim, largest=False)


def _running_extreme(input, dim, largest):
    """The positions by a doubling scan (⌈log₂ n⌉ whole-tensor steps, each combining every element
    with the one ``shift`` before it: the later wins when not worse), the values a gather there."""
    if input.ndim == 0:
        return _ValuesIndices((input * 1, input.new_zeros((), dtype=_dtypes.int64)))
    dim = _dim(dim, input.ndim)
    n = input.shape[dim]
    shape = [1] * input.ndim
    shape[dim] = n
    with no_grad():
        best = input.detach()
        index = arange(n, device=input.device).reshape(shape).expand(input.shape)
        shift = 1
        while shift < n:
            earlier, later = best.narrow(dim, 0, n - shift), best.narrow(dim, shift, n - shift)
            later_wins = (later >= earlier) if largest else (later <= earlier)
            if input.dtype.is_floating_point:  # NaN beats any number, and a later NaN an earlier one
                later_wins = (later_wins & ~earlier.isnan()) | later.isnan()
            winner = _where(later_wins, index.narrow(dim, shift, n - shift), index.narrow(dim, 0, n - shift))
            best = cat([best.narrow(dim, 0, shift), _where(later_wins, later, earlier)], dim)
            index = cat([index.narrow(dim, 0, shift), winner], dim)
            shift *= 2
    return _ValuesIndices((input.gather(dim, index), index))
