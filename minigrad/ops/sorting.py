"""Sorting and selection: sort, top-k, k-th value, unique, counting and non-zero positions.

The ops here compute *positions* (integer tensors, no gradient). The values they select are a
``gather`` of the input at those positions, so their gradients are gather's (scattered back,
repeats adding up) and second derivatives come for free.
"""

import math

from .. import dtypes as _dtypes
from .._coerce import _broadcast_shape, _dim, is_tensor
from ..autograd.function import Op
from ..creation import linspace
from .indexing import Gather
from .movement import cat
from .reduce import _Extreme, _ValuesIndices


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
        return backend.index_add(backend.full((n,), 0, dtype, ctx.device.index), (x,), values, copy=False)


class SearchSorted(Op):
    """For each value v, the number of entries of its sorted row of ``boundaries`` that are < v
    (``right=False``) or ≤ v (``right=True``): the index that keeps the row sorted when v is
    inserted there. NaN sorts last. No gradient."""

    @staticmethod
    def forward(ctx, boundaries, values, right=False, out_int32=False):
        xp = ctx.xp
        if boundaries.ndim == 1:
            flat = xp.searchsorted(boundaries, xp.reshape(values, (-1,)), side="right" if right else "left")
            out = xp.reshape(flat, values.shape)
        else:  # one row of boundaries per row of values: count by comparison
            below = (boundaries[..., None, :] <= values[..., None]) if right else \
                (boundaries[..., None, :] < values[..., None])
            out = xp.sum(xp.astype(below, xp.int64), axis=-1)
            if xp.isdtype(values.dtype, "real floating"):
                out = xp.where(xp.isnan(values), boundaries.shape[-1], out)
        return xp.astype(out, xp.int32 if out_int32 else xp.int64)


class CumExtremeIndex(Op):
    """The position of the running maximum (``largest``) or minimum of x along ``dim``: the latest
    position of an equal value, or of the latest NaN once one has been seen (PyTorch's); no gradient.

    A doubling scan (log₂ n elementwise steps) with the array API's maximum/minimum.
    """

    @staticmethod
    def forward(ctx, x, dim, largest=True):
        xp = ctx.xp
        extreme = xp.maximum if largest else xp.minimum
        n = x.shape[dim]
        running, shift = x, 1
        while shift < n:  # padded with the first elements themselves, which leaves those unchanged
            running = extreme(running, xp.concat([_along(running, dim, 0, shift),
                                                  _along(running, dim, 0, n - shift)], axis=dim))
            shift *= 2
        new = x == running
        if xp.isdtype(x.dtype, "real floating"):
            new = new | xp.isnan(x)
        shape = tuple(n if d == dim else 1 for d in range(x.ndim))
        position = xp.reshape(xp.astype(ctx.device.backend.arange(n, ctx.device.index), xp.int64), shape)
        latest, shift = xp.where(new, position, 0), 1
        while shift < n:
            latest = xp.maximum(latest, xp.concat([_along(latest, dim, 0, shift),
                                                   _along(latest, dim, 0, n - shift)], axis=dim))
            shift *= 2
        return latest


def _along(x, dim, start, stop):
    return x[(slice(None),) * dim + (slice(start, stop), ...)]


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
    return _ValuesIndices((_take(input, indices, dim, Sort), indices))


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
    return _ValuesIndices((_take(input, indices, dim, Topk), indices))


def kthvalue(input, k, dim=-1, keepdim=False):
    """``(values, indices)`` of the ``k``-th smallest element (1-based) along ``dim``."""
    dim = _dim(dim, input.ndim)
    n = input.shape[dim] if input.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k={k} out of range for dimension {dim} of size {n}")
    if input.ndim == 0:
        return _ValuesIndices((input * 1, ArgSort.apply(input, dim=0)))
    indices = ArgSort.apply(input, dim=dim).narrow(dim, k - 1, 1)
    values = _take(input, indices, dim, Gather)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return _ValuesIndices((values, indices))


def _of_all(input, median_fn):
    """The median (or nanmedian) of all the elements: NaN for none."""
    flat = input.reshape(-1)
    if not flat.numel():
        return flat.sum() * math.nan
    return median_fn(flat, 0).values


def _median_axis(input, dim, name):
    """``dim`` checked, and its length; an empty one has no median."""
    dim = _dim(dim, input.ndim)
    n = input.shape[dim] if input.ndim else 1
    if not n:
        raise IndexError(f"{name}(): cannot compute the median of dimension {dim}, which is empty "
                         f"(input of shape {tuple(input.shape)})")
    return dim, n


class Median(_Extreme):
    """y = the lower median of all elements (NaN if one is NaN); the gradient is split evenly among
    the elements equal to it, as PyTorch's median() (with a ``dim`` it goes to the returned index)."""

    spread_nan = True

    @classmethod
    def forward(cls, ctx, x, dim, keepdim=False):
        xp = ctx.xp
        ordered = xp.sort(xp.reshape(x, (-1,)))  # NaNs sort last
        last = ordered[-1]
        out = last if last != last else ordered[(ordered.shape[0] - 1) // 2]
        ctx.save_for_backward(x, out)
        return out


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
        if not input.numel():
            return input.sum() * math.nan
        return Median.apply(input, dim=tuple(range(input.ndim)), keepdim=False)
    dim, n = _median_axis(input, dim, "median")
    values, indices = kthvalue(input, (n - 1) // 2 + 1, dim, keepdim=True)
    if input.dtype.is_floating_point:
        nan = input.isnan()
        if bool(nan.any()):  # PyTorch's median is NaN where the slice holds one, at its first NaN
            has_nan = nan.any(dim=dim, keepdim=True) if input.ndim else nan
            first = nan.int().argmax(dim=dim, keepdim=True) if input.ndim else indices
            indices = indices.where(~has_nan, first)
            values = _take(input, indices, dim, Gather)
    if not keepdim and input.ndim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return _ValuesIndices((values, indices))


def cummax(input, dim):
    """``(values, indices)`` of the running maximum along ``dim``; NaN propagates. The gradient of
    each value goes to the element it was taken from.

    >>> import minigrad as mg
    >>> v, i = mg.cummax(mg.tensor([1.0, 3.0, 2.0, 3.0]), 0)
    >>> v.tolist(), i.tolist()
    ([1.0, 3.0, 3.0, 3.0], [0, 1, 1, 3])
    """
    return _cumulative_extreme(input, dim, largest=True)


def cummin(input, dim):
    """``(values, indices)`` of the running minimum along ``dim``; NaN propagates."""
    return _cumulative_extreme(input, dim, largest=False)


def _cumulative_extreme(input, dim, largest):
    dim = _dim(dim, input.ndim)
    if input.ndim == 0:
        return _ValuesIndices((input * 1, ArgSort.apply(input, dim=0)))
    indices = CumExtremeIndex.apply(input, dim=dim, largest=largest)
    return _ValuesIndices((input.gather(dim, indices), indices))


def nanmedian(input, dim=None, keepdim=False):
    """The lower median of the values that are not NaN (NaN only where all of a slice is NaN).

    As ``median``, with each slice's NaNs left out: the ((m - 1) // 2 + 1)-th smallest of its m
    non-NaN values. The gradient goes to that element.

    >>> import minigrad as mg
    >>> mg.tensor([float("nan"), 1.0, 3.0, 2.0]).nanmedian()
    tensor(2.)
    """
    if dim is None:
        return _of_all(input, nanmedian)
    dim, n = _median_axis(input, dim, "nanmedian")
    if input.ndim == 0:
        return _ValuesIndices((input * 1, ArgSort.apply(input, dim=0)))
    order = ArgSort.apply(input, dim=dim)  # NaN sorts last
    kept = (~input.isnan()).sum(dim, keepdim=True)
    indices = order.gather(dim, ((kept - 1) // 2).clamp(min=0))
    values = _take(input, indices, dim, Gather)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return _ValuesIndices((values, indices))


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The ``q``-th quantiles of ``input`` along ``dim`` (of all elements when ``dim`` is None).

    With the slice sorted, x₍₀₎ ≤ ... ≤ x₍ₙ₋₁₎, quantile q sits at rank r = q (n - 1) and is
    x₍⌊r⌋₎ + (r - ⌊r⌋)(x₍⌈r⌉₎ - x₍⌊r⌋₎) (``linear``); ``lower``/``higher``/``nearest`` take
    x₍⌊r⌋₎/x₍⌈r⌉₎/x₍round(r)₎ and ``midpoint`` their mean. A slice holding NaN gives NaN. The
    gradient flows to the (at most two) elements that the value interpolates. A 1-d ``q`` puts
    its axis first in the result.

    >>> import minigrad as mg
    >>> [round(v, 4) for v in mg.quantile(mg.tensor([0.0, 1.0, 2.0, 3.0]), mg.tensor([0.5, 0.9])).tolist()]
    [1.5, 2.7]
    """
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """``quantile`` of the values that are not NaN (NaN where a whole slice is NaN).

    >>> import minigrad as mg
    >>> mg.nanquantile(mg.tensor([float("nan"), 1.0, 2.0, 3.0]), 0.5)
    tensor(2.)
    """
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=True)


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    """PyTorch's algorithm: sort (NaN last), find each rank, gather and interpolate."""
    name = "nanquantile()" if ignore_nan else "quantile()"
    if input.dtype not in (_dtypes.float32, _dtypes.float64):
        raise RuntimeError(f"{name} input tensor must be either float or double dtype, got {input.dtype}")
    if is_tensor(q):
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{name} q tensor must be same dtype as the input tensor, got {q.dtype} "
                               f"and {input.dtype}")
        if q.ndim > 1:
            raise RuntimeError(f"{name} q must be a scalar or 1D tensor, got shape {tuple(q.shape)}")
        if q.numel() and not bool(((q >= 0) & (q <= 1)).all()):
            raise RuntimeError(f"{name} q values must be in the range [0, 1]")
        qs = q.detach().reshape(-1)
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name} q must be in the range [0, 1] but got {q}")
        qs = input.new_tensor([float(q)])
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name} interpolation must be one of linear, lower, higher, midpoint or "
                           f"nearest, but got {interpolation}")
    if not input.numel():
        raise RuntimeError(f"{name} input tensor must be non-empty")
    dim = None if dim is None else _dim(dim, input.ndim)
    source = input.reshape(-1) if dim is None or input.ndim == 0 else input.movedim(dim, -1)
    order = ArgSort.apply(source, dim=-1)  # NaN sorts last
    nan = source.detach().isnan()
    if ignore_nan:  # ranks among the values kept; rank 0 (a NaN) where none are
        ranks = (qs * ((~nan).sum(-1, keepdim=True) - 1).type(qs.dtype)).clamp(min=0)
    else:  # the last rank, a NaN's, where the slice holds one
        last = source.shape[-1] - 1
        ranks = (qs * last).where(~nan.any(-1, keepdim=True), qs.new_tensor(float(last)))
    if interpolation in ("lower", "higher", "nearest"):
        ranks = {"lower": ranks.floor(), "higher": ranks.ceil(), "nearest": ranks.round()}[interpolation]
    below, above = ranks.floor().long(), ranks.ceil().long()
    weight = qs.new_tensor(0.5) if interpolation == "midpoint" else ranks - below.type(ranks.dtype)
    low, high = source.gather(-1, order.gather(-1, below)), source.gather(-1, order.gather(-1, above))
    out = (low + weight * (high - low)).movedim(-1, 0)  # the q axis first
    if keepdim:
        out = out.reshape((-1,) + (1,) * input.ndim) if dim is None else out.unsqueeze(1 + dim)
    return out if is_tensor(q) and q.ndim == 1 else out.squeeze(0)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """Where each value of ``input`` would be inserted into ``sorted_sequence`` to keep it sorted:
    the count of entries < value (side "left", the default) or ≤ value (``right=True`` or side
    "right"). A 1-d sequence serves every value; an N-d one has a row for each row of ``input``
    (their leading dimensions match). ``sorter`` gives the order that sorts an unsorted sequence.

    >>> import minigrad as mg
    >>> mg.searchsorted(mg.tensor([1.0, 3.0, 5.0]), mg.tensor([0.0, 3.0, 9.0])).tolist()
    [0, 1, 3]
    """
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side "
                               "of left while right was True")
        right = side == "right"
    if sorter is not None:
        sorted_sequence = sorted_sequence.gather(-1, sorter)
    values = input if is_tensor(input) else sorted_sequence.new_tensor(input)
    if sorted_sequence.ndim > 1 and tuple(sorted_sequence.shape[:-1]) != tuple(values.shape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           "dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(sorted_sequence.shape)} and input value tensor "
                           f"{list(values.shape)}")
    common = _dtypes.promote_types(sorted_sequence.dtype, values.dtype)
    return SearchSorted.apply(sorted_sequence.detach().type(common), values.detach().type(common),
                              right=right, out_int32=out_int32)


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each value of ``input`` among the increasing 1-d ``boundaries``: i with
    boundaries[i-1] < x ≤ boundaries[i] (``right=True``: boundaries[i-1] ≤ x < boundaries[i]).

    >>> import minigrad as mg
    >>> mg.bucketize(mg.tensor([0.0, 1.0, 3.5, 9.0]), mg.tensor([1.0, 3.0, 5.0])).tolist()
    [0, 0, 2, 3]
    """
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


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
    if is_tensor(bins):
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
    if input.ndim == 0:  # PyTorch reads a 0-d input as 1-d: index 0 when it is non-zero
        return (positions.new_zeros(positions.shape[0]),)
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


def _take(input, indices, dim, op):
    """``input`` at ``indices`` along ``dim``, recorded as ``op`` (``Gather``, or a subclass named as
    PyTorch names the values of ``sort`` and ``topk``)."""
    return input * 1 if input.ndim == 0 else op.apply(input, indices.array, dim=dim)


class Sort(Gather):
    """``sort``'s values: the input gathered at the sorted indices."""


class Topk(Gather):
    """``topk``'s values."""


class _Histogram(tuple):
    """``(hist, bin_edges)`` with those names, as PyTorch's ``histogram``."""

    hist = property(lambda self: self[0])
    bin_edges = property(lambda self: self[1])



def mode(input, dim=-1, keepdim=False):
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest among equally
    frequent ones) and the position of its last occurrence, as PyTorch's CPU kernel. Counted by
    comparing every pair of a slice; the gradient goes to the element at that position.

    >>> import minigrad as mg
    >>> v, i = mg.mode(mg.tensor([3, 1, 2, 1, 3, 5]))
    >>> v.item(), i.item()
    (1, 3)
    """
    dim = _dim(dim, input.ndim)
    if input.ndim == 0:
        return _ValuesIndices((input * 1, ArgSort.apply(input, dim=0)))
    x = input.detach().movedim(dim, -1)
    count = (x.unsqueeze(-1) == x.unsqueeze(-2)).sum(-1)
    frequent = count == count.amax(-1, keepdim=True)
    top = x.where(frequent, x.amax(-1, keepdim=True)).amin(-1, keepdim=True)  # the smallest of them
    n = x.shape[-1]
    position = linspace(0, n - 1, n, dtype=_dtypes.int64, device=input.device)
    indices = position.where(x == top, -1).amax(-1, keepdim=True).movedim(-1, dim)
    values = input.gather(dim, indices)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return _ValuesIndices((values, indices))


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of ``elements`` occurs in ``test_elements`` (a tensor or a number)."""
    if not is_tensor(elements):
        elements = test_elements.new_tensor(elements)
    tests = test_elements.reshape(-1) if is_tensor(test_elements) else elements.new_tensor(
        [test_elements])
    found = (elements.detach().unsqueeze(-1) == tests.detach()).any(-1)
    return ~found if invert else found


def argwhere(input):
    """The indices of the non-zero elements, one row each: ``nonzero(input)``."""
    return nonzero(input)


def msort(input):
    """``input`` sorted along its first dimension (the values of ``sort(input, 0)``)."""
    return sort(input, 0).values


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """The values (slices along ``dim``) of each run of equal consecutive ones, with optionally each
    element's run number and each run's length.

    >>> import minigrad as mg
    >>> mg.unique_consecutive(mg.tensor([1, 1, 2, 2, 3, 1, 1])).tolist()
    [1, 2, 3, 1]
    """
    x = input.reshape(-1) if dim is None else input.movedim(_dim(dim, input.ndim), 0)
    n = x.shape[0]
    if n:
        changed = (x[1:] != x[:-1]).reshape(n - 1, -1).any(1)
        starts = cat([changed.new_ones((1,)), changed]) if n > 1 else changed.new_ones((1,))
    else:
        starts = x.new_zeros((0,)).bool()
    run = starts.long().cumsum(0) - 1
    first = nonzero(starts, as_tuple=True)[0]
    values = x[first] if dim is None else x[first].movedim(0, _dim(dim, input.ndim))
    out = (values,)
    if return_inverse:
        out += (run.reshape(input.shape) if dim is None else run,)
    if return_counts:
        out += (bincount(run, minlength=int(first.shape[0])),)
    return out if len(out) > 1 else values
