"""Padding layers: ``F.pad`` with a fixed mode and padding, for 1-d, 2-d and 3-d inputs."""

from ...ops.movement import pad
from ..module import Module


class _PadNd(Module):
    """``F.pad(input, padding, mode)`` over the last ``spatial`` axes of a (C, *) or (N, C, *) input.

    ``padding`` is an int (every side) or a tuple of 2·``spatial`` ints, last axis first:
    (left, right[, top, bottom[, front, back]]).
    """

    mode = "constant"
    spatial = 1

    def __init__(self, padding):
        super().__init__()
        sides = 2 * self.spatial
        self.padding = (padding,) * sides if isinstance(padding, int) else tuple(padding)
        if len(self.padding) != sides:
            raise ValueError(f"{type(self).__name__}: padding must be an int or {sides} ints, "
                             f"got {padding!r}")

    def forward(self, input):
        if input.ndim not in (self.spatial + 1, self.spatial + 2):
            raise RuntimeError(f"{type(self).__name__}: expected a {self.spatial + 1}-d or "
                               f"{self.spatial + 2}-d (batched) input, got shape {tuple(input.shape)}")
        return pad(input, self.padding, self.mode, getattr(self, "value", 0.0))

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last axis with ``value``: (N, C, W) -> (N, C, left + W + right).

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.ConstantPad1d((1, 2), 3.5)(mg.tensor([[1.0, 2.0]])).tolist()
    [[3.5, 1.0, 2.0, 3.5, 3.5]]
    """


class ConstantPad2d(_ConstantPadNd):
    """Pads the last two axes with ``value``: (N, C, H, W) -> (N, C, top + H + bottom, left + W + right)."""

    spatial = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last three axes with ``value``: (N, C, D, H, W) -> (N, C, D', H', W')."""

    spatial = 3


class ZeroPad1d(ConstantPad1d):
    """``ConstantPad1d`` with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ZeroPad1d):
    """``ConstantPad2d`` with zeros.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.ZeroPad2d((1, 0, 0, 1))(mg.ones(1, 1, 1, 1)).tolist()
    [[[[0.0, 1.0], [0.0, 0.0]]]]
    """

    spatial = 2


class ZeroPad3d(ZeroPad1d):
    """``ConstantPad3d`` with zeros."""

    spatial = 3


class ReflectionPad1d(_PadNd):
    """Pads the last axis with its mirror image, the edge not repeated (each side < the axis' size).

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.ReflectionPad1d(2)(mg.tensor([[1.0, 2.0, 3.0]])).tolist()
    [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]]
    """

    mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Pads the last two axes with their mirror images (fast neural style's and CycleGAN's border)."""

    spatial = 2


class ReflectionPad3d(ReflectionPad1d):
    """Pads the last three axes with their mirror images."""

    spatial = 3


class ReplicationPad1d(_PadNd):
    """Pads the last axis by repeating its edge values.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.ReplicationPad1d((2, 1))(mg.tensor([[1.0, 2.0]])).tolist()
    [[1.0, 1.0, 1.0, 2.0, 2.0]]
    """

    mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Pads the last two axes by repeating their edge values."""

    spatial = 2


class ReplicationPad3d(ReplicationPad1d):
    """Pads the last three axes by repeating their edge values."""

    spatial = 3


class CircularPad1d(_PadNd):
    """Pads the last axis by wrapping around (periodic boundary).

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.CircularPad1d(1)(mg.tensor([[1.0, 2.0, 3.0]])).tolist()
    [[3.0, 1.0, 2.0, 3.0, 1.0]]
    """

    mode = "circular"


class CircularPad2d(CircularPad1d):
    """Pads the last two axes by wrapping around."""

    spatial = 2


class CircularPad3d(CircularPad1d):
    """Pads the last three axes by wrapping around."""

    spatial = 3
