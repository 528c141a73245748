"""Sorting and selection: sort, top-k, k-th value, unique, counting and non-zero positions.

The ops here compute *positions* (integer tensors, no gradient). The values they select are a
``gather`` of the input at those positions, so their gradients are gather's (scattered back,
repeats adding up) and second derivatives come for free.
"""

import math

from .. import dtypes as _dtypes
from .._coerce import _broadcast_shape, _dim
from ..autograd.function import Op
from ..creation import linspace
from ..tensor import Tensor, _ValuesIndices
from .reduce import _Extreme


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


def _take(input, indices, dim):
    return input * 1 if input.ndim == 0 else input.gather(dim, indices)


class _Histogram(tuple):
    """``(hist, bin_edges)`` with those names, as PyTorch's ``histogram``."""

    hist = property(lambda self: self[0])
    bin_edges = property(lambda self: self[1])
