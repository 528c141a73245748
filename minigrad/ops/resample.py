"""Resampling images: ``interpolate`` (nearest, linear, bilinear, trilinear, area) and pixel shuffles.

Interpolation is separable, one spatial axis at a time. For output position ``o`` of an axis
resized from ``n`` to ``m`` samples, PyTorch's source coordinate is::

    align_corners=False:  src = max((o + 1/2) · scale - 1/2, 0)      scale = n / m, or 1/scale_factor
    align_corners=True:   src = o · (n - 1) / (m - 1)                (0 when m = 1)
    nearest:              src = floor(o · scale);   nearest-exact: floor((o + 1/2) · scale)

and linear interpolation reads ``x[i0]·(1 - λ) + x[i1]·λ`` with ``i0 = floor(src)``,
``i1 = min(i0 + 1, n - 1)``, ``λ = src - i0``. Bicubic (Keys' cubic convolution, a = -0.75, as
PyTorch) takes src unclamped, t = src - floor(src), and reads the four samples floor(src) - 1
... floor(src) + 2 (clamped to the axis) with weights W(t + 1), W(t), W(1 - t), W(2 - t), where
W(d) = (a + 2)d³ - (a + 3)d² + 1 for d ≤ 1 and a·d³ - 5a·d² + 8a·d - 4a for 1 < d < 2. Each is
linear in x, y = R x, with R a weighted gather per axis: ``Resample`` applies it in one node
(named as PyTorch's, ``UpsampleBilinear2DBackward0``), ``ResampleTranspose`` its transpose, each
the other's gradient.
"""

import math

import numpy as np

from .. import dtypes
from .._coerce import _as_tensor_like
from ..autograd.function import Op
from .elementwise import where
from .indexing import added_at

_INTERPOLATING = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}  # mode -> spatial axes
_CUBIC_A = -0.75
_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area")


def _source(n, m, scale, align_corners, mode, spatial=1):
    """Source coordinates (float64) of the m output samples of an axis of n input samples.

    Note: PyTorch's 2-d nearest kernel (4-D input) alone copies an axis whose size is unchanged and
    reads ``o // 2`` for one of twice the size, whatever ``scale_factor`` says; its 1-d and 3-d
    kernels, and nearest-exact, always read ``floor(o · scale)``."""
    o = np.arange(m, dtype=np.float64)
    if mode == "nearest" and spatial == 2 and m in (n, 2 * n):
        return np.floor(o * (n / m))
    if mode == "nearest":
        return np.minimum(np.floor(o * scale), n - 1)
    if mode == "nearest-exact":
        return np.minimum(np.floor((o + 0.5) * scale), n - 1)
    if align_corners:
        return o * ((n - 1) / (m - 1)) if m > 1 else np.zeros(m)
    src = (o + 0.5) * scale - 0.5
    return src if mode == "bicubic" else np.maximum(src, 0.0)


def _cubic_weights(t):
    """Keys' cubic convolution weights of the four samples around fractional position t."""
    a = _CUBIC_A

    def near(d):
        return ((a + 2) * d - (a + 3)) * d * d + 1

    def far(d):
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return far(t + 1), near(t), near(1 - t), far(2 - t)


def _taps(n, m, scale, align_corners, mode, spatial=1):
    """The samples an axis of n resized to m reads: per tap, the source index of each output
    sample and its weight (None for the nearest modes, which copy)."""
    src = _source(n, m, scale, align_corners, mode, spatial)
    i0 = np.minimum(np.floor(src).astype(np.int64), n - 1)
    if mode.startswith("nearest"):
        return [(i0, None)]
    if mode == "bicubic":
        weights = _cubic_weights(src - np.floor(src))
        return [(np.clip(i0 + k, 0, n - 1), w) for k, w in zip((-1, 0, 1, 2), weights)]
    lam = src - i0
    return [(i0, 1 - lam), (np.minimum(i0 + 1, n - 1), lam)]


class Resample(Op):
    """y = R x, R separable: along each resized axis ``dim``, y[o] = Σₖ wₖ[o] · x[iₖ[o]] over the
    taps (``axes``: per axis ``(dim, n, taps)``, each tap an index and a weight, or None for a
    copy). R is linear, so dx = Rᵀ dy (``ResampleTranspose``) and the gradient of that is R again.

    One subclass per PyTorch name (``UpsampleBilinear2DBackward0``, ...), made below.
    """

    @staticmethod
    def forward(ctx, x, axes):
        if not axes:
            return ctx.xp.asarray(x, copy=True)  # no axis resized: a copy, as PyTorch's
        for dim, _, taps in axes:
            x = _read_taps(ctx.xp, x, dim, taps)
        return x

    @staticmethod
    def backward(ctx, grad):
        axes = ctx.attrs["axes"]
        return ResampleTranspose.apply(grad, axes=axes) if axes else grad


class ResampleTranspose(Op):
    """y = Rᵀ x: along each resized axis, last first, each tap's weighted x added back at its
    indices (repeats add up);  dx = R dy."""

    @staticmethod
    def forward(ctx, x, axes):
        xp = ctx.xp
        for dim, n, taps in reversed(axes):
            values = [x if w is None else x * w for _, w in taps]
            if len(taps) == 1:
                index, values = taps[0][0], values[0]
            else:  # all taps in one scatter
                index, values = xp.concat([i for i, _ in taps]), xp.concat(values, axis=dim)
            shape = list(x.shape)
            shape[dim] = n
            x = added_at(ctx, tuple(shape), (slice(None),) * dim + (index,), values)
        return x

    @staticmethod
    def backward(ctx, grad):
        return Resample.apply(grad, axes=ctx.attrs["axes"])


def _read_taps(xp, x, dim, taps):
    out = None
    for index, weight in taps:
        part = xp.take(x, index, axis=dim)
        if weight is not None:
            part = part * weight
        out = part if out is None else out + part
    return out


# PyTorch's node per mode and number of spatial axes: UpsampleNearest2D records UpsampleNearest2DBackward0
_NODE_PREFIX = {"nearest": "UpsampleNearest", "nearest-exact": "UpsampleNearestExact",
                "linear": "UpsampleLinear", "bilinear": "UpsampleBilinear", "bicubic": "UpsampleBicubic",
                "trilinear": "UpsampleTrilinear"}
_RESAMPLE = {f"{prefix}{k}D": type(f"{prefix}{k}D", (Resample,), {"__module__": __name__})
             for mode, prefix in _NODE_PREFIX.items()
             for k in ((_INTERPOLATING[mode],) if mode in _INTERPOLATING else (1, 2, 3))}


def _resample(input, out, scales, align_corners, mode):
    """``input`` resized to the spatial sizes ``out``: one op over every axis that changes, and
    every axis of unchanged size that PyTorch's kernel resamples all the same (bicubic's, and the
    nearest modes' when the scale is not 1, but for 2-d nearest: see ``_source``)."""
    device = input.device
    axes = []
    for a, (n, m) in enumerate(zip(input.shape[2:], out)):
        if n == m and (mode in ("linear", "bilinear", "trilinear") or scales[a] == 1.0
                       or (mode == "nearest" and len(out) == 2)):
            continue  # a copy, as PyTorch's kernel makes
        dim = 2 + a
        shape = [1] * input.ndim
        shape[dim] = m
        backend = device.backend
        taps = tuple((backend.asarray(i, dtypes.int64, device.index),
                      None if w is None else backend.asarray(w.reshape(shape), input.dtype, device.index))
                     for i, w in _taps(n, m, scales[a], align_corners, mode, len(out)))
        axes.append((dim, n, taps))
    return _RESAMPLE[f"{_NODE_PREFIX[mode]}{len(out)}D"].apply(input, axes=tuple(axes))


_NEAREST_DTYPES = dtypes.FLOATING | {dtypes.uint8}


def _uint8_weights(n, m, scale, align_corners, mode):
    """PyTorch's fixed-point weights of a uint8 resize of one axis from n to m samples: an (n, m)
    int64 matrix of int16 values, and their precision (bits).

    They are the float taps (``_taps``: a tap beyond an edge adds onto the edge sample), each
    rounded half away from zero to an int16 at the largest precision under which the largest
    weight, as it accumulates, still fits."""
    weights, top, o = np.zeros((n, m)), 0.0, np.arange(m)
    for index, w in _taps(n, m, scale, align_corners, mode, 2):
        np.add.at(weights, (index, o), w)
        top = max(top, float(weights[index, o].max()))
    precision = 0
    while precision < 22 and int(0.5 + top * (1 << (precision + 1))) < (1 << 15):
        precision += 1
    scaled = weights * (1 << precision)
    return np.trunc(scaled + np.where(scaled < 0, -0.5, 0.5)).astype(np.int64), precision


def _resample_uint8(input, out, scales, align_corners, mode):
    """PyTorch's uint8 bilinear and bicubic resize: separable, the last axis first, each axis that
    changes size in integer arithmetic, y = clamp((Σ w·x + 2^(p-1)) >> p, 0, 255) with the
    int16 weights w of ``_uint8_weights``, rounded back to uint8 after each pass."""
    y = input
    for dim in reversed(range(2, input.ndim)):
        n, m = input.shape[dim], out[dim - 2]
        if n == m:
            continue
        weights, precision = _uint8_weights(n, m, scales[dim - 2], align_corners, mode)
        total = y.long().movedim(dim, -1) @ _as_tensor_like(weights, input, dtypes.int64)
        y = ((total + (1 << precision >> 1)) // (1 << precision)).clamp(0, 255).to(dtypes.uint8)
        y = y.movedim(-1, dim)
    return y


def _mode_error(input, mode):
    return (f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for the modes: "
            f"{' | '.join(_MODES)} (got {mode})")


def _as_tuple(value, k, name):
    if isinstance(value, (tuple, list)):
        if len(value) != k:
            raise ValueError(f"Input and {name} must have the same number of spatial dimensions, but got "
                             f"input with spatial dimensions of {k} and {name} {tuple(value)}")
        return tuple(value)
    return (value,) * k


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial axes of (N, C, d1, ..., dk) to ``size`` or by ``scale_factor``.

    Output sizes are ``size``, else ``floor(d · scale_factor)``. ``mode``: "nearest" (PyTorch's
    default, copying ``x[floor(o·scale)]``), "nearest-exact", "linear" (3-D input), "bilinear"
    and "bicubic" (4-D), "trilinear" (5-D), "area" (adaptive average pooling, 3-D and 4-D). With
    ``align_corners=True`` the corner samples of input and output coincide; with False (the
    default) the samples are the centres of equal-width cells. A given ``scale_factor`` is used
    for the coordinates as is unless ``recompute_scale_factor=True`` (then ``in / out``).

    >>> import minigrad as mg
    >>> interpolate(mg.tensor([[[1.0, 2.0]]]), scale_factor=2, mode="linear").tolist()
    [[[1.0, 1.25, 1.75, 2.0]]]
    >>> interpolate(mg.tensor([[[1.0, 2.0]]]), size=3, mode="linear", align_corners=True).tolist()
    [[[1.0, 1.5, 2.0]]]
    """
    if mode not in _MODES:
        raise NotImplementedError(_mode_error(input, mode))
    if antialias:
        raise NotImplementedError(f"interpolate: mode={mode!r} with antialias is not supported; use "
                                  "antialias=False")
    if align_corners is not None and mode not in _INTERPOLATING:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    k = input.ndim - 2
    if k < 1 or k > 3:
        raise NotImplementedError(_mode_error(input, mode))
    if mode in _INTERPOLATING and _INTERPOLATING[mode] != k:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_INTERPOLATING[mode] + 2}D input")
    if (size is None) == (scale_factor is None):
        raise ValueError("either size or scale_factor should be defined" if size is None
                         else "only one of size or scale_factor should be defined")
    spatial = tuple(input.shape[2:])
    if size is not None:
        out = tuple(int(s) for s in _as_tuple(size, k, "output size"))
        scales = [n / m for n, m in zip(spatial, out)]
    else:
        factors = [float(f) for f in _as_tuple(scale_factor, k, "scale_factor")]
        out = tuple(int(math.floor(n * f)) for n, f in zip(spatial, factors))
        scales = ([n / m for n, m in zip(spatial, out)] if recompute_scale_factor
                  else [1.0 / f for f in factors])
    if min(out) < 1:
        raise ValueError(f"interpolate: output size {out} is too small for input of spatial size {spatial}")
    if mode == "area":
        from .pool import adaptive_avg_pool1d, adaptive_avg_pool2d
        if k == 3:
            raise NotImplementedError("interpolate: mode='area' supports 3-D and 4-D input only")
        return adaptive_avg_pool1d(input, out[0]) if k == 1 else adaptive_avg_pool2d(input, out)
    if mode in ("nearest", "nearest-exact"):  # PyTorch's nearest kernels: floats and uint8 (images)
        dtypes.require(f"interpolate(mode={mode!r})", input.dtype, _NEAREST_DTYPES)
    if mode in _INTERPOLATING and not input.dtype.is_floating_point:
        if input.dtype != dtypes.uint8 or mode not in ("bilinear", "bicubic"):
            raise NotImplementedError(f"interpolate: mode={mode!r} is not implemented for {input.dtype} "
                                      "input (of the integer dtypes, PyTorch takes uint8 in bilinear and "
                                      "bicubic only)")
        return _resample_uint8(input, out, scales, bool(align_corners), mode)
    return _resample(input, out, scales, bool(align_corners), mode)


def pixel_shuffle(input, upscale_factor):
    """(*, C·r², H, W) -> (*, C, H·r, W·r): channel c·r² + i·r + j moves to pixel (h·r + i, w·r + j).

    >>> import minigrad as mg
    >>> pixel_shuffle(mg.arange(4.0).reshape(1, 4, 1, 1), 2).tolist()
    [[[[0.0, 1.0], [2.0, 3.0]]]]
    """
    r = upscale_factor
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
                           f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    return PixelShuffle.apply(input, r=r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H·r, W·r) -> (*, C·r², H, W): the inverse of ``pixel_shuffle``.

    >>> import minigrad as mg
    >>> pixel_unshuffle(mg.arange(4.0).reshape(1, 1, 2, 2), 2).flatten().tolist()
    [0.0, 1.0, 2.0, 3.0]
    """
    r = downscale_factor
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *lead, c, h, w = input.shape
    for name, n, axis in (("height", h, -2), ("width", w, -1)):
        if n % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({axis})={n} is not divisible by {r}")
    return PixelUnshuffle.apply(input, r=r)


class PixelShuffle(Op):
    """(*, C·r², H, W) -> (*, C, H·r, W·r), a reshape, a permutation and a reshape;
    dx = pixel_unshuffle(dy)."""

    @staticmethod
    def forward(ctx, x, r):
        xp = ctx.xp
        *lead, c, h, w = x.shape
        b = len(lead)
        x = xp.reshape(x, (*lead, c // (r * r), r, r, h, w))
        x = xp.permute_dims(x, (*range(b), b, b + 3, b + 1, b + 4, b + 2))
        return xp.reshape(x, (*lead, c // (r * r), h * r, w * r))

    @staticmethod
    def backward(ctx, grad):
        return PixelUnshuffle.apply(grad, r=ctx.attrs["r"])


class PixelUnshuffle(Op):
    """(*, C, H·r, W·r) -> (*, C·r², H, W), the inverse permutation;  dx = pixel_shuffle(dy)."""

    @staticmethod
    def forward(ctx, x, r):
        xp = ctx.xp
        *lead, c, h, w = x.shape
        b = len(lead)
        x = xp.reshape(x, (*lead, c, h // r, r, w // r, r))
        x = xp.permute_dims(x, (*range(b), b, b + 2, b + 4, b + 1, b + 3))
        return xp.reshape(x, (*lead, c * r * r, h // r, w // r))

    @staticmethod
    def backward(ctx, grad):
        return PixelShuffle.apply(grad, r=ctx.attrs["r"])


# --- sampling at arbitrary positions: the spatial transformer's grid ----------------------------
def _pixel(t, n, align_corners):
    """Normalized coordinates in [-1, 1] -> pixel positions along an axis of ``n`` samples:
    -1 and 1 are the centres of the end pixels (``align_corners``) or their outer edges."""
    return (t + 1) * ((n - 1) / 2) if align_corners else ((t + 1) * n - 1) / 2


def _normalized(n, align_corners):
    """The normalized coordinate of each of ``n`` pixel centres (the inverse of ``_pixel``)."""
    if n <= 1:
        return np.zeros(n)
    steps = np.linspace(-1.0, 1.0, n)
    return steps if align_corners else steps * (n - 1) / n


def affine_grid(theta, size, align_corners=False):
    """The sampling grid (N, H, W, 2) of the affine maps ``theta`` (N, 2, 3) for an output of
    ``size`` (N, C, H, W): grid[n, i, j] = theta[n] · (x_j, y_i, 1), with (x_j, y_i) the normalized
    coordinates of output pixel (i, j). ``grid_sample`` reads the input there.

    >>> import minigrad as mg
    >>> identity = mg.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    >>> affine_grid(identity, (1, 1, 1, 2), align_corners=True).tolist()
    [[[[-1.0, 0.0], [1.0, 0.0]]]]
    """
    if not theta.dtype.is_floating_point:
        raise ValueError(f"affine_grid: expected theta to have a floating point dtype, got {theta.dtype}")
    if len(size) != 4 or theta.ndim != 3 or tuple(theta.shape[1:]) != (2, 3) or theta.shape[0] != size[0]:
        raise ValueError(f"affine_grid: expected theta of shape (N, 2, 3) and a 4-D size (N, C, H, W) with "
                         f"the same N, got theta {tuple(theta.shape)} and size {tuple(size)}")
    n, _, h, w = (int(s) for s in size)
    x, y = np.meshgrid(_normalized(w, align_corners), _normalized(h, align_corners))
    base = np.stack([x, y, np.ones_like(x)], axis=-1).reshape(1, h * w, 3)
    return (_as_tensor_like(base, theta, theta.dtype) @ theta.transpose(1, 2)).reshape(n, h, w, 2)


class NearestRead(Op):
    """y = the nearest-pixel read ``values`` of grid_sample, tied to the ``grid`` it came from:
    piecewise constant in the grid, so dy/dgrid = 0 (a zero gradient, as PyTorch gives, not none)."""

    @staticmethod
    def forward(ctx, values, grid, grid_shape):
        return ctx.xp.asarray(values, copy=True)

    @staticmethod
    def backward(ctx, grad):
        return grad, grad.new_zeros(ctx.attrs["grid_shape"])  # grid has the input's dtype


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """``input`` (N, C, H, W) read at the normalized positions ``grid`` (N, Ho, Wo, 2), (x, y) in
    [-1, 1]: (N, C, Ho, Wo).

    Bilinear: the four neighbours of the position (x, y) in pixels, weighted (1 - λ) or λ along
    each axis; a neighbour outside the image reads 0 (``padding_mode="zeros"``), or the position is
    first clamped into the image (``"border"``). ``"nearest"`` reads the nearest pixel. Made of
    gathers and products, so the gradient reaches both the input and the grid (through λ).
    """
    if mode not in ("bilinear", "nearest"):
        raise NotImplementedError(f"grid_sample: mode={mode!r} is not supported; use 'bilinear' or 'nearest'")
    if padding_mode not in ("zeros", "border"):
        raise NotImplementedError(f"grid_sample: padding_mode={padding_mode!r} is not supported; use 'zeros' "
                                  "or 'border'")
    if input.ndim != 4 or grid.ndim != 4 or grid.shape[-1] != 2 or grid.shape[0] != input.shape[0]:
        raise RuntimeError(f"grid_sample: expected a 4-D input (N, C, H, W) and a grid (N, Ho, Wo, 2) with "
                           f"the same N, got {tuple(input.shape)} and {tuple(grid.shape)}")
    if grid.dtype is not input.dtype:
        raise RuntimeError(f"grid_sample: expected grid to have the dtype of input, got {grid.dtype} and "
                           f"{input.dtype}")
    align_corners = bool(align_corners)
    n, c, h, w = input.shape
    _, ho, wo, _ = grid.shape
    x, y = _pixel(grid[..., 0], w, align_corners), _pixel(grid[..., 1], h, align_corners)
    if padding_mode == "border":
        x, y = x.clamp(0, w - 1), y.clamp(0, h - 1)
    pixels = input.reshape(n, c, h * w)

    def read(row, col):
        """The input at integer-valued (row, col) (N, Ho, Wo), 0 outside the image."""
        inside = ((col >= 0) & (col <= w - 1) & (row >= 0) & (row <= h - 1)).unsqueeze(1)
        flat = (row.clamp(0, h - 1) * w + col.clamp(0, w - 1)).long().reshape(n, 1, ho * wo)
        values = pixels.gather(2, flat.expand(n, c, ho * wo)).reshape(n, c, ho, wo)
        return where(inside, values, 0.0)

    if mode == "nearest":
        return NearestRead.apply(read(y.round(), x.round()), grid, grid_shape=tuple(grid.shape))
    left, top = x.floor(), y.floor()
    right_share, bottom_share = (x - left).unsqueeze(1), (y - top).unsqueeze(1)  # λ along x and y
    upper = read(top, left) * (1 - right_share) + read(top, left + 1) * right_share
    lower = read(top + 1, left) * (1 - right_share) + read(top + 1, left + 1) * right_share
    return upper * (1 - bottom_share) + lower * bottom_share
