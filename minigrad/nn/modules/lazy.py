"""Lazy layers: the input size is read from the first input, as PyTorch's ``LazyLinear``,
``LazyConv1d``/``2d``, ``LazyConvTranspose1d``/``2d``, ``LazyBatchNorm1d``/``2d`` and
``LazyInstanceNorm1d``/``2d`` do (Dive into Deep Learning writes its models with them).

Until the first call the layer's parameters (and running statistics) are *uninitialised*: they
have no shape. The first call gives them their shapes and PyTorch's initial values, in place (the
same Parameter objects, so an optimizer made before the first call updates them), and the layer
becomes the ordinary one (``type(layer)`` is then ``Linear``, ``Conv2d``, ...).
"""

from ... import creation
from ...autograd.grad_mode import no_grad
from ...tensor import Tensor, _init
from ..parameter import Parameter
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .linear import Linear
from .normalization import BatchNorm1d, BatchNorm2d, InstanceNorm1d, InstanceNorm2d, _InstanceNorm


class UninitializedParameter(Parameter):
    """A Parameter with no shape yet; ``materialize(shape)`` gives it one (uninitialised values)
    and makes it a plain ``Parameter``, the same object."""

    def __init__(self, requires_grad=True, device=None, dtype=None):
        super().__init__(creation.empty(0, device=device, dtype=dtype), requires_grad)

    def materialize(self, shape, device=None, dtype=None):
        fresh = creation.empty(*shape, device=device or self.device, dtype=dtype or self.dtype)
        self.array, self.device = fresh.array, fresh.device
        self.__class__ = Parameter

    def __repr__(self):
        return "<UninitializedParameter>"


class UninitializedBuffer(Tensor):
    """A buffer with no shape yet (a lazy layer's running statistics); ``materialize(shape)``
    makes it a plain Tensor of that shape, the same object."""

    def __init__(self, requires_grad=False, device=None, dtype=None):
        empty = creation.empty(0, device=device, dtype=dtype)
        _init(self, empty.array, empty.device)

    def materialize(self, shape, device=None, dtype=None):
        fresh = creation.empty(*shape, device=device or self.device, dtype=dtype or self.dtype)
        self.array, self.device = fresh.array, fresh.device
        self.__class__ = Tensor

    def __repr__(self):
        return "<UninitializedBuffer>"


class LazyModuleMixin:
    """The first call infers the shapes (``initialize_parameters``), then the layer turns into
    ``cls_to_become`` and runs as that."""

    cls_to_become = None

    def has_uninitialized_params(self):
        return any(isinstance(t, (UninitializedParameter, UninitializedBuffer))
                   for t in (*self._parameters.values(), *self._buffers.values()))

    def __call__(self, *args, **kwargs):
        if not self.has_uninitialized_params():
            return super().__call__(*args, **kwargs)
        with no_grad():
            self.initialize_parameters(*args, **kwargs)
        self.__class__ = self.cls_to_become
        return self(*args, **kwargs)

    def _uninitialise(self, *names, buffers=()):
        """Replace the named parameters (and buffers) that exist by uninitialised ones."""
        for name in names:
            p = self._parameters.get(name)
            if p is not None:
                self._parameters[name] = UninitializedParameter(p.requires_grad, p.device, p.dtype)
        for name in buffers:
            b = self._buffers.get(name)
            if b is not None:
                self._buffers[name] = UninitializedBuffer(device=b.device, dtype=b.dtype)

    def _materialize(self, shapes):
        for name, shape in shapes.items():
            t = self._parameters.get(name, self._buffers.get(name))
            if t is not None:
                t.materialize(shape)
        self.reset_parameters()


class LazyLinear(LazyModuleMixin, Linear):
    """``Linear`` whose ``in_features`` is the last dim of its first input.

    >>> import minigrad as mg
    >>> layer = mg.nn.LazyLinear(3)
    >>> layer(mg.ones(2, 5)).shape, layer.weight.shape, type(layer).__name__
    ((2, 3), (3, 5), 'Linear')
    """

    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        super().__init__(1, out_features, bias, device, dtype)
        self.in_features = 0
        self._uninitialise("weight", "bias")

    def initialize_parameters(self, input):
        self.in_features = input.shape[-1]
        self._materialize({"weight": (self.out_features, self.in_features), "bias": (self.out_features,)})


class _LazyConvMixin(LazyModuleMixin):
    """A convolution whose ``in_channels`` is the channel dim of its first input."""

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None, **transposed):
        # built with a stand-in in_channels (groups: divisible), then the shapes forgotten
        if transposed:
            super().__init__(groups, out_channels, kernel_size, stride, padding, transposed["output_padding"],
                             groups, bias, dilation, padding_mode, device, dtype)
        else:
            super().__init__(groups, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                             padding_mode, device, dtype)
        self.in_channels = 0
        self._uninitialise("weight", "bias")

    def initialize_parameters(self, input, *_):
        self.in_channels = input.shape[0 if input.ndim == self.dims + 1 else 1]
        kernel = tuple(self.kernel_size)
        weight = ((self.in_channels, self.out_channels // self.groups) if self.transposed
                  else (self.out_channels, self.in_channels // self.groups)) + kernel
        self._materialize({"weight": weight, "bias": (self.out_channels,)})


class LazyConv1d(_LazyConvMixin, Conv1d):
    """``Conv1d`` whose ``in_channels`` is read from the first input."""

    cls_to_become = Conv1d


class LazyConv2d(_LazyConvMixin, Conv2d):
    """``Conv2d`` whose ``in_channels`` is read from the first input.

    >>> import minigrad as mg
    >>> conv = mg.nn.LazyConv2d(4, 3, padding=1)
    >>> conv(mg.ones(2, 3, 5, 5)).shape, conv.weight.shape
    ((2, 4, 5, 5), (4, 3, 3, 3))
    """

    cls_to_become = Conv2d


class _LazyConvTransposeMixin(_LazyConvMixin):
    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True,
                 dilation=1, padding_mode="zeros", device=None, dtype=None):
        super().__init__(out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         device, dtype, output_padding=output_padding)


class LazyConvTranspose1d(_LazyConvTransposeMixin, ConvTranspose1d):
    """``ConvTranspose1d`` whose ``in_channels`` is read from the first input."""

    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTransposeMixin, ConvTranspose2d):
    """``ConvTranspose2d`` whose ``in_channels`` is read from the first input."""

    cls_to_become = ConvTranspose2d


class _LazyNormMixin(LazyModuleMixin):
    """A normalisation whose ``num_features`` is the channel dim of its first input."""

    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__(0, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)
        self._uninitialise("weight", "bias", buffers=("running_mean", "running_var"))

    def initialize_parameters(self, input):
        unbatched = isinstance(self, _InstanceNorm) and input.ndim == self._expected_dims[0]  # (C, L)
        self.num_features = input.shape[0 if unbatched else 1]
        shape = (self.num_features,)
        self._materialize({"weight": shape, "bias": shape, "running_mean": shape, "running_var": shape})


class LazyBatchNorm1d(_LazyNormMixin, BatchNorm1d):
    """``BatchNorm1d`` whose ``num_features`` is read from the first input."""

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNormMixin, BatchNorm2d):
    """``BatchNorm2d`` whose ``num_features`` is read from the first input."""

    cls_to_become = BatchNorm2d


class _LazyInstanceNormMixin(_LazyNormMixin):
    def __init__(self, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None, *, bias=True):
        super().__init__(eps, momentum, affine, track_running_stats, device, dtype, bias=bias)


class LazyInstanceNorm1d(_LazyInstanceNormMixin, InstanceNorm1d):
    """``InstanceNorm1d`` whose ``num_features`` is read from the first input."""

    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyInstanceNormMixin, InstanceNorm2d):
    """``InstanceNorm2d`` whose ``num_features`` is read from the first input."""

    cls_to_become = InstanceNorm2d
