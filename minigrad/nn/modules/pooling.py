"""Pooling layers, 1-d and 2-d: max, average, adaptive average and adaptive max (no parameters)."""

from ...ops.pool import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from .. import functional as F
from ..module import Module


class _MaxPoolNd(Module):
    """What the max pools share: hyper-parameters and ``repr``."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool2d(_MaxPoolNd):
    """Maximum over sliding windows: (N, C, H, W) -> (N, C, H_out, W_out).

    ``H_out = (H + 2·padding - dilation·(k - 1) - 1) // stride + 1`` (rounded up with
    ``ceil_mode``); ``stride`` defaults to ``kernel_size``.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.MaxPool2d(2)(mg.arange(16.0).reshape(1, 1, 4, 4)).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
    """

    def forward(self, input):
        return max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class AvgPool2d(Module):
    """Mean over sliding windows: (N, C, H, W) -> (N, C, H_out, W_out).

    Zero padding counts in the mean unless ``count_include_pad=False``; ``divisor_override``
    replaces the window size.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.AvgPool2d(2)(mg.arange(16.0).reshape(1, 1, 4, 4)).tolist()
    [[[[2.5, 4.5], [10.5, 12.5]]]]
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        return avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptivePoolNd(Module):
    """What the adaptive pools share: ``output_size`` (and ``return_indices`` for max)."""

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptivePoolNd):
    """Average pooling to a fixed output size: (N, C, H, W) -> (N, C, *output_size).

    Output cell i along an axis of length L averages ``[floor(i·L/out), ceil((i+1)·L/out))``;
    ``None`` in ``output_size`` keeps that axis.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.AdaptiveAvgPool2d(1)(mg.arange(4.0).reshape(1, 1, 2, 2)).tolist()
    [[[[1.5]]]]
    """

    def __init__(self, output_size):
        super().__init__(output_size)

    def forward(self, input):
        return adaptive_avg_pool2d(input, self.output_size)


class MaxPool1d(_MaxPoolNd):
    """Maximum over sliding windows: (N, C, L) -> (N, C, L_out), as ``MaxPool2d`` along one axis.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.MaxPool1d(2)(mg.tensor([[[1.0, 3.0, 2.0, 0.0]]])).tolist()
    [[[3.0, 2.0]]]
    """

    def forward(self, input):
        return max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class AvgPool1d(Module):
    """Mean over sliding windows: (N, C, L) -> (N, C, L_out), as ``AvgPool2d`` along one axis.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.AvgPool1d(2)(mg.tensor([[[1.0, 3.0, 2.0, 0.0]]])).tolist()
    [[[2.0, 1.0]]]
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode, self.count_include_pad = padding, ceil_mode, count_include_pad

    def forward(self, input):
        return avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(_AdaptivePoolNd):
    """Average pooling of (N, C, L) to a fixed length ``output_size`` (PyTorch's bins).

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.AdaptiveAvgPool1d(2)(mg.tensor([[[1.0, 3.0, 2.0, 6.0]]])).tolist()
    [[[2.0, 4.0]]]
    """

    def __init__(self, output_size):
        super().__init__(output_size)

    def forward(self, input):
        return adaptive_avg_pool1d(input, self.output_size)


class AdaptiveMaxPool2d(_AdaptivePoolNd):
    """Maximum over PyTorch's adaptive bins: (N, C, H, W) -> (N, C, *output_size).

    Output cell i along an axis of length L takes the maximum over
    ``[floor(i·L/out), ceil((i+1)·L/out))``; ``None`` in ``output_size`` keeps that axis;
    ``return_indices=True`` also returns each maximum's flat index into its input plane.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.AdaptiveMaxPool2d(1)(mg.arange(4.0).reshape(1, 1, 2, 2)).tolist()
    [[[[3.0]]]]
    """

    def forward(self, input):
        return adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool1d(_AdaptivePoolNd):
    """Maximum over PyTorch's adaptive bins of (N, C, L) -> (N, C, output_size).

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.AdaptiveMaxPool1d(2)(mg.tensor([[[1.0, 3.0, 2.0, 6.0]]])).tolist()
    [[[3.0, 6.0]]]
    """

    def forward(self, input):
        return adaptive_max_pool1d(input, self.output_size, self.return_indices)


class LPPool1d(Module):
    """Power-average pooling (Σ x^p)^(1/p) over windows of (N, C, L); see ``F.lp_pool1d``."""

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type, self.kernel_size = norm_type, kernel_size
        self.stride, self.ceil_mode = stride, ceil_mode

    def forward(self, input):
        from ..functional import lp_pool1d
        return lp_pool1d(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class LPPool2d(LPPool1d):
    """Power-average pooling (Σ x^p)^(1/p) over windows of (N, C, H, W); see ``F.lp_pool2d``."""

    def forward(self, input):
        from ..functional import lp_pool2d
        return lp_pool2d(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)


class _MaxUnpoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride or kernel_size, padding

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool2d(_MaxUnpoolNd):
    """Puts each pooled maximum back where ``MaxPool2d(return_indices=True)`` found it, zeros
    elsewhere (SegNet's decoder). ``forward(input, indices, output_size=None)``.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> x = mg.tensor([[[[1.0, 5.0], [3.0, 2.0]]]])
    >>> values, indices = nn.MaxPool2d(2, return_indices=True)(x)
    >>> nn.MaxUnpool2d(2)(values, indices).tolist()
    [[[[0.0, 5.0], [0.0, 0.0]]]]
    """

    def forward(self, input, indices, output_size=None):
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool1d(_MaxUnpoolNd):
    """``MaxUnpool2d`` for (N, C, L) and ``MaxPool1d``'s indices."""

    def forward(self, input, indices, output_size=None):
        return F.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding, output_size)
