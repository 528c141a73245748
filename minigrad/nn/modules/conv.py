"""``Conv1d``, ``Conv2d``, ``ConvTranspose1d``/``2d``, ``Unfold`` and ``Fold``: parameters and PyTorch's
initialisation around the functions of ``ops/conv.py``."""


from ... import creation
from ...ops.conv import _ntuple, conv1d, conv2d, conv_transpose1d, conv_transpose2d, fold, unfold
from ...ops.movement import pad as _pad
from .. import init
from ..module import Module
from ..parameter import Parameter

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What both convolutions share: hyper-parameters, parameters, default init and ``repr``."""

    dims = 2  # spatial dimensions; their sizes are kept as tuples of this length, as in PyTorch

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device, dtype):
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, "
                             f"but got padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        n = self.dims
        self.kernel_size = _ntuple(kernel_size, "kernel_size", n)
        self.stride, self.dilation = _ntuple(stride, "stride", n), _ntuple(dilation, "dilation", n)
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(f"Invalid padding string {padding!r}, should be one of 'valid' or 'same'")
        self.padding = padding if isinstance(padding, str) else _ntuple(padding, "padding", n)
        self.output_padding = _ntuple(output_padding, "output_padding", n)
        self.transposed, self.groups, self.padding_mode = transposed, groups, padding_mode
        shape = ((in_channels, out_channels // groups) if transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(creation.empty(*shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: W ~ kaiming_uniform(a=√5) = U(-1/√fan_in, 1/√fan_in), b likewise."""
        init._default_affine_(self.weight, self.bias)

    def _check_input(self, input):
        """An input this layer cannot take: an error naming the layer and the sizes it expected."""
        who = f"{type(self).__name__}({self.extra_repr()})"
        batched = self.dims + 2
        if input.ndim not in (batched - 1, batched):
            hint = (": flat (N, C·H·W) rows need .view(N, C, H, W) (or nn.Unflatten) before a conv layer"
                    if input.ndim == 2 and self.dims == 2 else "")
            raise RuntimeError(f"{who}: expected a {batched - 1}-D (unbatched) or {batched}-D (batched) "
                               f"input, got input of shape {tuple(input.shape)}{hint}")
        channel_dim = input.ndim - self.dims - 1
        if input.shape[channel_dim] != self.in_channels:
            raise RuntimeError(f"{who}: expected input with {self.in_channels} channels (in_channels) in "
                               f"dimension {channel_dim}, got input of shape {tuple(input.shape)}")

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self.dims:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self.dims:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    """A convolution (not transposed): ``padding_mode`` and ``"same"`` padding; subclasses
    say how many spatial dimensions (``dims``) and which function (``_conv``)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0,
                         groups, bias, padding_mode, device, dtype)
        if padding == "same" and self.stride != (1,) * self.dims:
            raise ValueError("padding='same' is not supported for strided convolutions")

    def _explicit_padding(self):
        """F.pad's (left, right[, top, bottom]) for a non-zero ``padding_mode``, last axis first."""
        sides = []
        for a in reversed(range(self.dims)):
            if self.padding == "valid":
                sides += [0, 0]
            elif self.padding == "same":
                total = self.dilation[a] * (self.kernel_size[a] - 1)
                sides += [total // 2, total - total // 2]
            else:
                sides += [self.padding[a]] * 2
        return tuple(sides)

    def forward(self, input):
        self._check_input(input)
        if self.padding_mode != "zeros":
            return self._conv(_pad(input, self._explicit_padding(), mode=self.padding_mode), 0)
        return self._conv(input, self.padding)


class Conv1d(_Conv):
    """1-D convolution (cross-correlation) layer.

    Shapes: input (N, C_in, L) -> output (N, C_out, L_out), with
    ``L_out = (L + 2·padding - dilation·(k - 1) - 1) // stride + 1``; ``weight`` is
    (C_out, C_in/groups, k) and ``bias`` (C_out,). ``padding`` may be ``"same"`` or ``"valid"``;
    other ``padding_mode`` s pad with ``F.pad`` first. Initialisation as ``Conv2d``, with
    fan_in = C_in/groups·k.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> _ = mg.manual_seed(0)
    >>> conv = nn.Conv1d(2, 4, 3, padding=1)
    >>> conv(mg.zeros(5, 2, 10)).shape, conv.weight.shape
    ((5, 4, 10), (4, 2, 3))
    """

    dims = 1

    def _conv(self, input, padding):
        return conv1d(input, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class Conv2d(_Conv):
    """2-D convolution (cross-correlation) layer.

    Shapes: input (N, C_in, H, W) -> output (N, C_out, H_out, W_out), with
    ``H_out = (H + 2·padding - dilation·(k - 1) - 1) // stride + 1``; ``weight`` is
    (C_out, C_in/groups, kH, kW) and ``bias`` (C_out,). ``padding`` may be ``"same"`` or
    ``"valid"``; ``padding_mode`` "reflect", "replicate" or "circular" pads with ``F.pad`` first.
    Initialisation as PyTorch: both from U(-1/√fan_in, 1/√fan_in), fan_in = C_in/groups·kH·kW.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> _ = mg.manual_seed(0)
    >>> conv = nn.Conv2d(1, 4, 3, padding=1)
    >>> conv(mg.zeros(2, 1, 8, 8)).shape, conv.weight.shape
    ((2, 4, 8, 8), (4, 1, 3, 3))
    """

    def _conv(self, input, padding):
        return conv2d(input, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """2-D transposed convolution: the gradient of ``Conv2d`` w.r.t. its input, as a layer.

    Shapes: input (N, C_in, H, W) -> output (N, C_out, H_out, W_out) with
    ``H_out = (H - 1)·stride - 2·padding + dilation·(k - 1) + output_padding + 1``; ``weight``
    is (C_in, C_out/groups, kH, kW). ``forward(input, output_size=None)`` picks
    ``output_padding`` to reach ``output_size`` when given, as PyTorch does.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> _ = mg.manual_seed(0)
    >>> up = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1)
    >>> up(mg.zeros(1, 4, 5, 5)).shape, up.weight.shape
    ((1, 2, 10, 10), (4, 2, 3, 3))
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                 groups=1, bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if isinstance(padding, str):
            raise ValueError(f"padding {padding!r} is not supported for {type(self).__name__}")  # noqa: TRY004
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, True,
                         output_padding, groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        output_size = tuple(output_size)[-self.dims:]
        extra = []
        for a in range(self.dims):
            smallest = ((input.shape[a - self.dims] - 1) * self.stride[a] - 2 * self.padding[a]
                        + self.dilation[a] * (self.kernel_size[a] - 1) + 1)
            if not smallest <= output_size[a] < smallest + self.stride[a]:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes range from "
                                 f"{smallest} to {smallest + self.stride[a] - 1} along dimension {a}")
            extra.append(output_size[a] - smallest)
        return tuple(extra)

    def forward(self, input, output_size=None):
        self._check_input(input)
        return self._transposed(input, self._output_padding(input, output_size))

    def _transposed(self, input, output_padding):
        return conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding, output_padding,
                                self.groups, self.dilation)


class ConvTranspose1d(ConvTranspose2d):
    """1-D transposed convolution: (N, C_in, L) -> (N, C_out, L_out) with
    ``L_out = (L - 1)·stride - 2·padding + dilation·(k - 1) + output_padding + 1``; ``weight`` is
    (C_in, C_out/groups, k).

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> _ = mg.manual_seed(0)
    >>> nn.ConvTranspose1d(4, 2, 3, stride=2)(mg.zeros(1, 4, 5)).shape
    (1, 2, 11)
    """

    dims = 1

    def _transposed(self, input, output_padding):
        return conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding, output_padding,
                                self.groups, self.dilation)


class Unfold(Module):
    """``F.unfold`` as a layer: sliding blocks of (N, C, H, W) as columns (N, C·KH·KW, L).

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.Unfold(kernel_size=(2, 3))(mg.zeros(2, 5, 3, 4)).shape
    (2, 30, 4)
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Fold(Module):
    """``F.fold`` as a layer: columns (N, C·KH·KW, L) summed back into (N, C, *output_size).

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> nn.Fold(output_size=(4, 5), kernel_size=(2, 2))(mg.zeros(1, 12, 12)).shape
    (1, 3, 4, 5)
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")
