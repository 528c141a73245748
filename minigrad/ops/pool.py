"""Pooling over the backend's strided window view: max, average and adaptive average.

Each pool reads the padded input through ``windows`` (N, C, OH, OW, KH, KW) and reduces over
the KH·KW kernel offsets with one whole-array operation per offset (a small loop: never over
pixels, channels or the batch); each gradient adds back through the same strided slices. Max
pooling routes the gradient to the first maximum of each window (PyTorch's tie rule); its
backward (``_WindowPut``) and that backward's backward (``_WindowTake``) are each other's
adjoints, so second derivatives work as for every other op.

Output sizes follow PyTorch, ``ceil_mode`` included: the last window must start inside the
input or its left padding, and the columns it needs beyond the right padding are extra
padding (``-inf`` for max, excluded from the average's divisor).
"""

import math

import numpy as np

from .. import dtypes
from .._coerce import _as_tensor_like
from ..autograd.function import Op
from .conv import _batched, _fold, _offsets, _pad, _pair, _single

AVERAGED = dtypes.FLOATING | {dtypes.int64}
"""The dtypes PyTorch's avg_pool has a kernel for: an int64 mean truncates, as C's division."""


# --- geometry ---------------------------------------------------------------------------------
def _pool_size(size, kernel, stride, pad, dilation, ceil_mode):
    """Output length along one axis and its (before, after) padding, after as PyTorch computes."""
    span = dilation * (kernel - 1) + 1
    out = (size + 2 * pad - span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    after = max(pad, (out - 1) * stride + span - size - pad)
    return out, (pad, after)


def _pool_geometry(name, input, kernel_size, stride, padding, dilation, ceil_mode):
    kernel = _pair(kernel_size, "kernel_size")
    stride = kernel if stride is None or stride == [] or stride == () else _pair(stride, "stride")
    padding, dilation = _pair(padding, "padding"), _pair(dilation, "dilation")
    if min(kernel) < 1 or min(stride) < 1 or min(dilation) < 1:
        raise RuntimeError(f"{name}: kernel_size, stride and dilation must be positive, got {kernel}, "
                           f"{stride}, {dilation}")
    for k, p, d in zip(kernel, padding, dilation):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"{name}: pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    sizes = [_pool_size(input.shape[2 + a], kernel[a], stride[a], padding[a], dilation[a], ceil_mode)
             for a in range(2)]
    out_hw = tuple(s[0] for s in sizes)
    if min(out_hw) < 1:
        raise RuntimeError(f"{name}: given input size {tuple(input.shape[1:])}, calculated output size "
                           f"{(input.shape[1],) + out_hw}: output size is too small")
    return kernel, stride, tuple(s[1] for s in sizes), dilation


# --- max pooling ------------------------------------------------------------------------------
class MaxPool2d(Op):
    """y = max over each window (with ``return_indices``, also each maximum's plane index).

    dy/dx = 1 at the first maximum of each window, 0 elsewhere (``_WindowPut``). Padding is
    -inf: never a maximum. A NaN in a window makes its output NaN, as in PyTorch (its gradient
    then goes to the largest number of the window).
    """

    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, *, kernel_size, stride, padding, dilation, return_indices=False):
        xp = ctx.xp
        windows = ctx.device.backend.windows(_pad(ctx, x, padding, -math.inf), kernel_size, stride,
                                             dilation)
        offsets = _offsets(kernel_size)
        index_dtype = ctx.device.backend.native_dtype[dtypes.uint8 if len(offsets) <= 256 else dtypes.int32]
        # a knock-out tournament of the kernel offsets, neighbours first: log2(KH·KW) rounds and
        # KH·KW - 1 comparisons, each on whole (N, C, OH, OW) slices
        n, c, oh, ow, kh, kw = windows.shape
        if kh * kw * oh * ow <= math.prod(x.shape[2:]):
            # windows that overlap no more than they tile, copied offset-major first (KH·KW, N, C,
            # OH, OW): NumPy compares contiguous blocks ~8x faster than strided slices (bench_conv's
            # two pools 0.92 + 0.60 -> 0.64 + 0.42 ms, one thread)
            blocks = ctx.device.backend.pack(xp.permute_dims(windows, (4, 5, 0, 1, 2, 3)),
                                             (kh * kw, n, c, oh, ow))
            players = [(blocks[k, ...], k) for k, _, _ in offsets]
        else:
            players = [(windows[:, :, :, :, i, j], k) for k, i, j in offsets]
        while len(players) > 1:
            winners = [_match(xp, index_dtype, *players[m:m + 2]) for m in range(0, len(players) - 1, 2)]
            players = winners + players[len(players) - len(players) % 2:]
        best, argmax = players[0]
        if isinstance(argmax, int):  # a 1x1 kernel
            argmax = xp.zeros(best.shape, dtype=index_dtype, device=best.device)
        best = xp.asarray(best, copy=True) if len(offsets) == 1 else best
        ctx.save_for_backward(argmax)
        ctx.in_shape = tuple(x.shape)
        if not return_indices:
            return best
        ctx.mark_non_differentiable(1)
        return best, _plane_indices(ctx, argmax, x.shape[3], kernel_size, stride, padding, dilation)

    @staticmethod
    def backward(ctx, grad, *_):
        (argmax,) = ctx.saved_tensors
        a = ctx.attrs
        return _WindowPut.apply(grad, argmax, shape=ctx.in_shape, kernel_size=a["kernel_size"],
                                stride=a["stride"], padding=a["padding"], dilation=a["dilation"])


def _match(xp, index_dtype, first, second):
    """The larger of two (values, offset index) players; a tie goes to ``first`` (the earlier
    offsets), so the tournament finds the first maximum, PyTorch's rule. A NaN carries into the
    value (its index stays with the number it was compared with)."""
    (a, i), (b, j) = first, second
    better = b > a  # strict: ties keep the first; False against a NaN
    best = xp.maximum(a, b)  # NaN propagates, as in PyTorch
    if isinstance(i, int):  # two neighbouring offsets: j == i + 1
        index = xp.astype(better, index_dtype)
        return best, index + i if i else index
    # i + better·(j - i) (wrapping harmlessly in uint8), not where(better, j, i): NumPy's where on
    # small integers takes 0.57 ms for pool1 of bench_conv, this 0.02
    return best, i + xp.astype(better, index_dtype) * (j - i)


def _plane_indices(ctx, argmax, width, kernel, stride, padding, dilation):
    """PyTorch's ``return_indices``: each maximum's flat position in its (H·W) input plane."""
    xp, backend, index = ctx.xp, ctx.device.backend, ctx.device.index
    oh, ow = argmax.shape[2:]
    int64 = backend.native_dtype[dtypes.int64]
    argmax = xp.astype(argmax, int64)
    rows = xp.reshape(xp.astype(backend.arange(oh, index), int64), (oh, 1)) * stride[0] - padding[0][0]
    cols = xp.reshape(xp.astype(backend.arange(ow, index), int64), (1, ow)) * stride[1] - padding[1][0]
    rows = rows + (argmax // kernel[1]) * dilation[0]
    cols = cols + (argmax % kernel[1]) * dilation[1]
    return rows * width + cols


class _WindowPut(Op):
    """x' = y put at position ``index`` of each window, summed onto an image of ``shape``.

    The adjoint of ``_WindowTake``: dy = dx' read at the same positions.
    """

    @staticmethod
    def forward(ctx, y, index, *, shape, kernel_size, stride, padding, dilation):
        ctx.save_for_backward(index)
        # a select, not y · [index == k]: an inf or NaN gradient reaches only its maximum (PyTorch)
        return _fold(ctx, lambda k, i, j: ctx.device.backend.zero_where(index != k, y), shape, kernel_size,
                     stride, padding, dilation, y.shape[2:], y.dtype)

    @staticmethod
    def backward(ctx, grad):
        a = ctx.attrs
        (index,) = ctx.saved_tensors
        return _WindowTake.apply(grad, index, kernel_size=a["kernel_size"], stride=a["stride"],
                                 padding=a["padding"], dilation=a["dilation"]), None


class _WindowTake(Op):
    """y = x read at position ``index`` of each window;  dx = dy put back there (``_WindowPut``)."""

    @staticmethod
    def forward(ctx, x, index, *, kernel_size, stride, padding, dilation):
        ctx.save_for_backward(index)
        ctx.in_shape = tuple(x.shape)
        windows = ctx.device.backend.windows(_pad(ctx, x, padding), kernel_size, stride, dilation)
        out = None
        for k, i, j in _offsets(kernel_size):
            part = ctx.device.backend.zero_where(index != k, windows[:, :, :, :, i, j])  # a select, as above
            out = part if out is None else out + part
        return out

    @staticmethod
    def backward(ctx, grad):
        a = ctx.attrs
        (index,) = ctx.saved_tensors
        return _WindowPut.apply(grad, index, shape=ctx.in_shape, kernel_size=a["kernel_size"],
                                stride=a["stride"], padding=a["padding"], dilation=a["dilation"]), None


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Maximum over sliding windows of (N, C, H, W) (or unbatched (C, H, W)).

    .. math:: y[n, c, p, q] = \\max_{i, j} x_{pad}[n, c, s_h p + d_h i, s_w q + d_w j]

    ``stride`` defaults to ``kernel_size``; padding is implicit -inf and at most half the
    (dilated) kernel; ``ceil_mode`` lets a last partial window in. The gradient goes to the
    first maximum of each window (PyTorch's rule for ties). ``return_indices=True`` also returns
    each maximum's flat index into its input plane, as PyTorch does.

    >>> import minigrad as mg
    >>> x = mg.tensor([[[[1.0, 2.0, 5.0, 0.0], [3.0, 4.0, 1.0, 1.0],
    ...                  [0.0, 0.0, 2.0, 2.0], [9.0, 0.0, 2.0, 2.0]]]])
    >>> max_pool2d(x, 2).tolist()
    [[[[4.0, 5.0], [9.0, 2.0]]]]
    """
    input, unbatched = _batched(input, "max_pool2d")
    dtypes.require("max_pool2d", input.dtype, dtypes.NOT_BOOL)
    kernel, stride, padding, dilation = _pool_geometry(
        "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode)
    out = MaxPool2d.apply(input, kernel_size=kernel, stride=stride, padding=padding, dilation=dilation,
                          return_indices=return_indices)
    if unbatched:
        out = tuple(t.squeeze(0) for t in out) if return_indices else out.squeeze(0)
    return out


# --- average pooling --------------------------------------------------------------------------
def _avg_divisor(ctx, in_hw, out_hw, attrs):
    """The divisor of every window: a number when all agree, else an (OH, OW) array.

    PyTorch's rule: the window clipped to the padded input when ``count_include_pad``, to the
    input itself otherwise (extra ``ceil_mode`` padding never counts); ``divisor_override`` wins.
    """
    if attrs["divisor_override"]:
        return attrs["divisor_override"]
    counts = []
    for size, out, k, s, p in zip(in_hw, out_hw, attrs["kernel_size"], attrs["stride"],
                                  attrs["user_padding"]):
        start = np.arange(out) * s - p
        end = np.minimum(start + k, size + p)
        counts.append(end - start if attrs["count_include_pad"]
                      else np.minimum(end, size) - np.maximum(start, 0))
    divisor = np.outer(counts[0], counts[1])
    if (divisor == divisor.flat[0]).all():
        return int(divisor.flat[0])
    dtype = ctx.device.backend.dtype_of[attrs["_dtype"]]
    return ctx.device.backend.asarray(divisor.reshape(1, 1, *divisor.shape), dtype, ctx.device.index)


class AvgPool2d(Op):
    """y = Σ over each window / divisor;  dx = dy / divisor spread over each window (``_AvgPoolT``)."""

    node_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, **attrs):
        windows = ctx.device.backend.windows(_pad(ctx, x, attrs["padding"]), attrs["kernel_size"],
                                             attrs["stride"], (1, 1))
        total = None
        for _, i, j in _offsets(attrs["kernel_size"]):
            part = windows[:, :, :, :, i, j]
            total = part if total is None else total + part
        ctx.in_shape = tuple(x.shape)
        divisor = _avg_divisor(ctx, x.shape[2:], total.shape[2:], dict(attrs, _dtype=x.dtype))
        if total.dtype in ctx.device.backend.float_dtypes:
            return total / divisor
        quotient = total // divisor  # an int64 sum: PyTorch's quotient truncates towards zero
        below = (total % divisor != 0) & ((total < 0) != (divisor < 0))  # floor went one below it
        return quotient + ctx.xp.astype(below, quotient.dtype)

    @staticmethod
    def backward(ctx, grad):
        return _AvgPoolT.apply(grad, shape=ctx.in_shape, **ctx.attrs)


class _AvgPoolT(Op):
    """x' = (y / divisor) spread over each window and summed onto ``shape``: ``AvgPool2d``'s adjoint."""

    @staticmethod
    def forward(ctx, y, *, shape, **attrs):
        y = y / _avg_divisor(ctx, shape[2:], y.shape[2:], dict(attrs, _dtype=y.dtype))
        return _fold(ctx, lambda k, i, j: y, shape, attrs["kernel_size"], attrs["stride"], attrs["padding"],
                     (1, 1), y.shape[2:], y.dtype)

    @staticmethod
    def backward(ctx, grad):
        attrs = dict(ctx.attrs)
        del attrs["shape"]
        return AvgPool2d.apply(grad, **attrs)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over sliding windows of (N, C, H, W) (or unbatched (C, H, W)).

    .. math:: y[n, c, p, q] = \\frac{1}{|W_{pq}|} \\sum_{i, j} x_{pad}[n, c, s_h p + i, s_w q + j]

    Zero padding counts in the divisor ``|W|`` when ``count_include_pad`` (PyTorch's default);
    columns added by ``ceil_mode`` never count; ``divisor_override`` replaces ``|W|``.

    >>> import minigrad as mg
    >>> avg_pool2d(mg.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
    [[[[2.5, 4.5], [10.5, 12.5]]]]
    """
    input, unbatched = _batched(input, "avg_pool2d")
    dtypes.require("avg_pool2d", input.dtype, AVERAGED)
    kernel, stride, pads, _ = _pool_geometry("avg_pool2d", input, kernel_size, stride, padding, 1,
                                             ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("avg_pool2d: divisor must be not zero")
    out = AvgPool2d.apply(input, kernel_size=kernel, stride=stride, padding=pads,
                          user_padding=_pair(padding, "padding"), count_include_pad=bool(count_include_pad),
                          divisor_override=divisor_override)
    return out.squeeze(0) if unbatched else out


# --- adaptive average pooling -----------------------------------------------------------------
def _bin_matrix(size, out):
    """(out, size) averaging matrix of PyTorch's bins [floor(i·size/out), ceil((i+1)·size/out))."""
    i = np.arange(out)[:, None]
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    pixel = np.arange(size)[None, :]
    return ((pixel >= start) & (pixel < end)) / (end - start)


class AdaptiveAvgPool2d(Op):
    """y = P_h · x · P_wᵀ, with P the bin-averaging matrices;  dx = P_hᵀ · dy · P_w."""

    node_name = "AdaptiveAvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, *, output_size):
        xp, backend = ctx.xp, ctx.device.backend
        dtype = backend.dtype_of[x.dtype]
        ph, pw = (backend.asarray(_bin_matrix(x.shape[2 + a], output_size[a]), dtype, ctx.device.index)
                  for a in range(2))
        ctx.save_for_backward(ph, pw)
        return xp.matmul(xp.matmul(ph, x), xp.permute_dims(pw, (1, 0)))

    @staticmethod
    def backward(ctx, grad):
        ph, pw = ctx.saved_tensors
        return ph.mT @ grad @ pw


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed ``output_size`` (int, pair; None keeps that input size).

    Output cell i along an axis of length L averages the input over
    ``[floor(i·L/out), ceil((i+1)·L/out))``, as PyTorch does: bins can overlap when ``out``
    does not divide L.

    >>> import minigrad as mg
    >>> adaptive_avg_pool2d(mg.arange(6.0).reshape(1, 1, 2, 3), (1, 2)).tolist()
    [[[[2.0, 3.0]]]]
    """
    batch, unbatched = _batched(input, "adaptive_avg_pool2d")
    dtypes.require("adaptive_avg_pool2d", input.dtype)
    size = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    size = tuple(batch.shape[2 + a] if s is None else int(s) for a, s in enumerate(size))
    if len(size) != 2 or min(size) < 0:
        raise RuntimeError(f"adaptive_avg_pool2d: output_size must be two non-negative sizes, "
                           f"got {output_size}")
    if size == (1, 1) and min(batch.shape[2:]) > 0:  # PyTorch's shortcut: a mean (MeanBackward1)
        return input.mean((-2, -1), keepdim=True)
    out = AdaptiveAvgPool2d.apply(batch, output_size=size)
    return out.squeeze(0) if unbatched else out


# --- adaptive max pooling ---------------------------------------------------------------------
def _bins(size, out):
    """PyTorch's adaptive bins along one axis as an (out, widest) index table: bin i covers
    [floor(i·size/out), ceil((i+1)·size/out)); shorter bins repeat their last index, which
    changes no maximum and, being a later duplicate, never becomes the first one."""
    i = np.arange(out)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    widest = int((end - start).max())
    return np.minimum(start[:, None] + np.arange(widest)[None, :], end[:, None] - 1)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Maximum over PyTorch's adaptive bins: (N, C, H, W) -> (N, C, *output_size).

    Output cell (i, j) is the maximum over rows [floor(i·H/OH), ceil((i+1)·H/OH)) and the
    columns likewise; the gradient goes to its first maximum (row-major in the bin).
    ``return_indices=True`` also returns each maximum's flat index into its input plane.
    Built from a gather of the bins (``index_select``) and ``max(dim)``, whose gradients it uses.

    >>> import minigrad as mg
    >>> adaptive_max_pool2d(mg.arange(6.0).reshape(1, 1, 2, 3), (1, 2)).tolist()
    [[[[4.0, 5.0]]]]
    """
    input, unbatched = _batched(input, "adaptive_max_pool2d")
    dtypes.require("adaptive_max_pool2d", input.dtype)
    size = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    size = tuple(input.shape[2 + a] if s is None else int(s) for a, s in enumerate(size))
    if len(size) != 2 or min(size) < 1:
        raise RuntimeError(f"adaptive_max_pool2d: output_size must be two positive sizes, got {output_size}")
    if min(input.shape[2:]) < 1:
        raise RuntimeError(f"adaptive_max_pool2d: expected a non-empty input, got size {list(input.shape)}")
    (n, c, h, w), (oh, ow) = input.shape, size
    rows, cols = _bins(h, oh), _bins(w, ow)
    blocks = input.index_select(2, rows.reshape(-1)).index_select(3, cols.reshape(-1))
    kh, kw = rows.shape[1], cols.shape[1]  # blocks: (N, C, OH·kh, OW·kw)
    blocks = blocks.reshape(n, c, oh, kh, ow, kw).permute(0, 1, 2, 4, 3, 5).reshape(n, c, oh, ow, kh * kw)
    values, arg = blocks.max(dim=-1)
    out = values.squeeze(0) if unbatched else values
    if not return_indices:
        return out
    arg = arg.cpu().numpy()
    plane = rows[np.arange(oh)[:, None], arg // kw] * w + cols[np.arange(ow)[None, :], arg % kw]
    index = _as_tensor_like(plane, input, dtypes.int64)
    return out, (index.squeeze(0) if unbatched else index)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """``adaptive_max_pool2d`` along the last axis of (N, C, L) (or (C, L)): bins of L."""
    _check_1d(input, "adaptive_max_pool1d")
    out = adaptive_max_pool2d(input.unsqueeze(-2), (1, _single(output_size, "output_size")), return_indices)
    return tuple(t.squeeze(-2) for t in out) if return_indices else out.squeeze(-2)


# --- 1-d pools: the 2-d ones on a height-1 image ------------------------------------------------
def _check_1d(input, name):
    if input.ndim not in (2, 3):
        raise RuntimeError(f"{name}: expected a 2-D (unbatched) or 3-D (batched) input, got "
                           f"{input.ndim}-D input of size {list(input.shape)}")


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Maximum over sliding windows of (N, C, L) (or (C, L)); see ``max_pool2d``.

    >>> import minigrad as mg
    >>> max_pool1d(mg.tensor([[[1.0, 3.0, 2.0, 0.0, 5.0]]]), 2).tolist()
    [[[3.0, 2.0]]]
    """
    _check_1d(input, "max_pool1d")
    if not return_indices:  # PyTorch's max_pool1d kernel: floats only (with indices it is max_pool2d's)
        dtypes.require("max_pool1d", input.dtype)
    stride = None if stride is None or stride == [] or stride == () else (1, _single(stride, "stride"))
    out = max_pool2d(input.unsqueeze(-2), (1, _single(kernel_size, "kernel_size")), stride,
                     (0, _single(padding, "padding")), (1, _single(dilation, "dilation")), ceil_mode,
                     return_indices)
    return tuple(t.squeeze(-2) for t in out) if return_indices else out.squeeze(-2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over sliding windows of (N, C, L) (or (C, L)); see ``avg_pool2d``.

    >>> import minigrad as mg
    >>> avg_pool1d(mg.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
    [[[2.0, 1.0]]]
    """
    _check_1d(input, "avg_pool1d")
    stride = None if stride is None or stride == [] or stride == () else (1, _single(stride, "stride"))
    out = avg_pool2d(input.unsqueeze(-2), (1, _single(kernel_size, "kernel_size")), stride,
                     (0, _single(padding, "padding")), ceil_mode, count_include_pad)
    return out.squeeze(-2)


def adaptive_avg_pool1d(input, output_size):
    """``adaptive_avg_pool2d`` along the last axis of (N, C, L) (or (C, L)).

    >>> import minigrad as mg
    >>> adaptive_avg_pool1d(mg.tensor([[[1.0, 3.0, 2.0, 6.0]]]), 2).tolist()
    [[[2.0, 4.0]]]
    """
    _check_1d(input, "adaptive_avg_pool1d")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, _single(output_size, "output_size"))).squeeze(-2)
