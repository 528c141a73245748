"""Resampling layers: ``Upsample`` (and its two fixed-mode forms), ``PixelShuffle``, ``PixelUnshuffle``."""

from ...ops.resample import interpolate, pixel_shuffle, pixel_unshuffle
from ..module import Module


class Upsample(Module):
    """``F.interpolate`` as a layer: resize (N, C, d1, ..., dk) to ``size`` or by ``scale_factor``.

    ``mode`` is "nearest" (default), "nearest-exact", "linear" (3-D input), "bilinear" or "bicubic" (4-D),
    "trilinear" (5-D) or "area"; ``align_corners`` only for the linear family.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.Upsample(scale_factor=2)(mg.tensor([[[1.0, 2.0]]])).tolist()
    [[[1.0, 1.0, 2.0, 2.0]]]
    """

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.size, self.mode, self.align_corners = size, mode, align_corners
        self.scale_factor = float(scale_factor) if isinstance(scale_factor, (int, float)) else scale_factor
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        if self.scale_factor is not None:
            return f"scale_factor={self.scale_factor!r}, mode={self.mode!r}"
        return f"size={self.size!r}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample(mode="nearest")`` for 4-D input."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(mode="bilinear", align_corners=True)`` for 4-D input (PyTorch's fixed choice)."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class PixelShuffle(Module):
    """(*, C·r², H, W) -> (*, C, H·r, W·r), r = ``upscale_factor`` (sub-pixel convolution's last step).

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.PixelShuffle(3)(mg.zeros(1, 9, 4, 4)).shape
    (1, 1, 12, 12)
    """

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H·r, W·r) -> (*, C·r², H, W): the inverse of ``PixelShuffle``.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.PixelUnshuffle(3)(mg.zeros(1, 1, 12, 12)).shape
    (1, 9, 4, 4)
    """

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """Regroups the channels of (N, C, *) across ``groups`` (ShuffleNet); see ``F.channel_shuffle``."""

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        from ..functional import channel_shuffle
        return channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"
