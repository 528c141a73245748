"""Pooling layers: ``MaxPool2d``, ``AvgPool2d``, ``AdaptiveAvgPool2d`` (no parameters)."""

from ...ops.pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from ..module import Module


class MaxPool2d(Module):
    """Maximum over sliding windows: (N, C, H, W) -> (N, C, H_out, W_out).

    ``H_out = (H + 2·padding - dilation·(k - 1) - 1) // stride + 1`` (rounded up with
    ``ceil_mode``); ``stride`` defaults to ``kernel_size``.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.MaxPool2d(2)(mg.arange(16.0).reshape(1, 1, 4, 4)).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


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


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size: (N, C, H, W) -> (N, C, *output_size).

    Output cell i along an axis of length L averages ``[floor(i·L/out), ceil((i+1)·L/out))``;
    ``None`` in ``output_size`` keeps that axis.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.AdaptiveAvgPool2d(1)(mg.arange(4.0).reshape(1, 1, 2, 2)).tolist()
    [[[[1.5]]]]
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"
