"""Padding layers: ``F.pad`` over the last 1, 2 or 3 dims with a fixed mode, as PyTorch's
``ConstantPad``/``ZeroPad``/``ReflectionPad``/``ReplicationPad``/``CircularPad`` 1d, 2d and 3d.

``padding`` is one int for every side, or (left, right[, top, bottom[, front, back]]): the last
dim first, as ``F.pad`` reads it.
"""

from .. import functional as F
from ..module import Module


class _PadNd(Module):
    mode = "constant"
    dims = 1  # the padded trailing dims; the input has one more (unbatched) or two more (batched)

    def __init__(self, padding, value=0.0):
        super().__init__()
        pairs = 2 * self.dims
        self.padding = (padding,) * pairs if isinstance(padding, int) else tuple(padding)
        if len(self.padding) != pairs:
            raise ValueError(f"{type(self).__name__}: padding must be an int or a {pairs}-tuple, got "
                             f"{padding!r}")
        self.value = value

    def forward(self, input):
        if input.ndim not in (self.dims + 1, self.dims + 2):
            raise ValueError(f"{type(self).__name__}: expected {self.dims + 1}D or {self.dims + 2}D (batch "
                             f"mode) input, got input of size {list(input.shape)}")
        return F.pad(input, self.padding, self.mode, self.value)

    def extra_repr(self):
        return f"{self.padding}" + (f", value={self.value}" if self.mode == "constant" else "")


class ConstantPad1d(_PadNd):
    """Pads the last dim of (C, W) or (N, C, W) with ``value``."""


class ConstantPad2d(_PadNd):
    """Pads the last two dims of (C, H, W) or (N, C, H, W) with ``value``."""

    dims = 2


class ConstantPad3d(_PadNd):
    """Pads the last three dims of (C, D, H, W) or (N, C, D, H, W) with ``value``."""

    dims = 3


class ZeroPad1d(ConstantPad1d):
    """Pads the last dim with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)


class ZeroPad2d(ConstantPad2d):
    """Pads the last two dims with zeros.

    >>> import minigrad as mg
    >>> mg.nn.ZeroPad2d((1, 0, 0, 1))(mg.ones(1, 1, 1)).tolist()
    [[[0.0, 1.0], [0.0, 0.0]]]
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)


class ZeroPad3d(ConstantPad3d):
    """Pads the last three dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)


class ReflectionPad1d(_PadNd):
    """Pads the last dim with its mirror image, the edge not repeated: [1, 2, 3] by 2 is
    [3, 2, 1, 2, 3, 2, 1]."""

    mode = "reflect"

    def __init__(self, padding):
        super().__init__(padding)


class ReflectionPad2d(ReflectionPad1d):
    dims = 2


class ReflectionPad3d(ReflectionPad1d):
    dims = 3


class ReplicationPad1d(_PadNd):
    """Pads the last dim by repeating its edge values: [1, 2, 3] by 2 is [1, 1, 1, 2, 3, 3, 3]."""

    mode = "replicate"

    def __init__(self, padding):
        super().__init__(padding)


class ReplicationPad2d(ReplicationPad1d):
    dims = 2


class ReplicationPad3d(ReplicationPad1d):
    dims = 3


class CircularPad1d(_PadNd):
    """Pads the last dim with its values wrapped around: [1, 2, 3] by 2 is [2, 3, 1, 2, 3, 1, 2]."""

    mode = "circular"

    def __init__(self, padding):
        super().__init__(padding)


class CircularPad2d(CircularPad1d):
    dims = 2


class CircularPad3d(CircularPad1d):
    dims = 3
