"""Normalisation layers: ``BatchNorm1d/2d`` (running statistics), ``LayerNorm``, ``GroupNorm``."""

from ... import creation
from ... import dtypes as _dtypes
from ...autograd.grad_mode import no_grad
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter


class _BatchNorm(Module):
    """Shared code of BatchNorm1d/2d/3d: ``weight`` γ = 1, ``bias`` β = 0, buffers ``running_mean`` = 0,
    ``running_var`` = 1, ``num_batches_tracked`` = 0 (PyTorch's names and initial values).

    ``momentum=None`` makes the running statistics a cumulative average (factor 1/num_batches_tracked).
    With ``track_running_stats=False`` there are no buffers and batch statistics are used in
    both modes.
    """

    _expected_dims = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, num_features, affine, bias, device, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", creation.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", creation.ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked",
                                 creation.tensor(0, dtype=_dtypes.int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1.0)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input):
        if input.ndim not in self._expected_dims:
            dims = " or ".join(f"{d}D" for d in self._expected_dims)
            raise ValueError(f"{type(self).__name__}: expected {dims} input (got {input.ndim}D input of "
                             f"shape {tuple(input.shape)})")

    def forward(self, input):
        self._check_input_dim(input)
        if input.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}: expected {self.num_features} channels in dimension 1, "
                             f"got input of shape {tuple(input.shape)}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked.item())
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None, self.running_var if track else None,
                            self.weight, self.bias, use_batch_stats, factor, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


def _affine_parameters(module, size, affine, bias, device, dtype):
    """``weight`` γ (and ``bias`` β unless ``bias=False``) of ``size`` when ``affine``, else None."""
    if affine:
        module.weight = Parameter(creation.ones(size, device=device, dtype=dtype))
    else:
        module.register_parameter("weight", None)
    if affine and bias:
        module.bias = Parameter(creation.zeros(size, device=device, dtype=dtype))
    else:
        module.register_parameter("bias", None)


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) over N (and L), per feature C.

    >>> import minigrad as mg
    >>> bn = mg.nn.BatchNorm1d(2)
    >>> y = bn(mg.tensor([[1.0, 10.0], [3.0, 30.0]]))
    >>> [[round(v, 3) for v in row] for row in y.tolist()]
    [[-1.0, -1.0], [1.0, 1.0]]
    >>> [round(v, 3) for v in bn.running_mean.tolist()], bn.num_batches_tracked.item()
    ([0.2, 2.0], 1)
    """

    _expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) over N, H and W, per channel C."""

    _expected_dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) over N, D, H and W, per channel C."""

    _expected_dims = (5,)


class _TrailingNorm(Module):
    """What LayerNorm and RMSNorm share: ``normalized_shape`` (the trailing dims), ``eps``, and
    ``weight`` γ = 1 (and ``bias`` β = 0 where there is one) of that shape when ``elementwise_affine``."""

    def __init__(self, normalized_shape, eps, elementwise_affine, bias, device, dtype):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, device, dtype)

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class LayerNorm(_TrailingNorm):
    """Normalises each sample over its trailing ``normalized_shape`` dimensions, then γ x̂ + β.

    ``weight`` γ = 1 and ``bias`` β = 0 have shape ``normalized_shape`` (``elementwise_affine``).

    >>> import minigrad as mg
    >>> ln = mg.nn.LayerNorm(3)
    >>> [round(v, 4) for v in ln(mg.tensor([[1.0, 2.0, 3.0]])).flatten().tolist()]
    [-1.2247, 0.0, 1.2247]
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None,
                 dtype=None):
        super().__init__(normalized_shape, eps, elementwise_affine, bias, device, dtype)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return super().extra_repr() + f", bias={self.bias is not None}"


class RMSNorm(_TrailingNorm):
    """Scales each sample by the root mean square over its trailing ``normalized_shape`` dimensions:
    y = x / √(mean(x²) + ε) · γ, γ = 1 of shape ``normalized_shape`` (``elementwise_affine``);
    ε = None uses the dtype's machine epsilon.

    >>> import minigrad as mg
    >>> [round(v, 4) for v in mg.nn.RMSNorm(2)(mg.tensor([[3.0, 4.0]])).flatten().tolist()]
    [0.8485, 1.1314]
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__(normalized_shape, eps, elementwise_affine, False, device, dtype)

    def forward(self, input):
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)


class GroupNorm(Module):
    """Normalises (N, C, *) over groups of C / num_groups channels (and *), then per-channel γ, β."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *,
                 bias=True):
        super().__init__()
        if num_channels % num_groups:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        _affine_parameters(self, num_channels, affine, bias, device, dtype)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class LocalResponseNorm(Module):
    """Normalises each channel by its ``size`` neighbours' squares (see ``F.local_response_norm``);
    (N, C, *) -> same shape."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class _InstanceNorm(_BatchNorm):
    """Per-sample, per-channel normalisation; PyTorch's defaults: no affine, no running statistics."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False,
                 device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def forward(self, input):
        batched = self._expected_dims[-1]
        self._check_input_dim(input)
        unbatched = input.ndim == batched - 1
        x = input.unsqueeze(0) if unbatched else input
        if x.shape[1] != self.num_features and self.affine:
            raise ValueError(f"{type(self).__name__}: expected {self.num_features} channels, "
                             f"got {x.shape[1]}")
        use_input_stats = self.training or not self.track_running_stats
        y = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias, use_input_stats,
                            0.1 if self.momentum is None else self.momentum, self.eps)
        return y.squeeze(0) if unbatched else y



class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) (or (C, L)) over L, per sample and channel."""

    _expected_dims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) (or (C, H, W)) over H and W, per sample and channel.

    >>> import minigrad as mg
    >>> y = mg.nn.InstanceNorm2d(1)(mg.tensor([[[[1.0, 3.0]]]]))
    >>> [round(v, 3) for v in y.flatten().tolist()]
    [-1.0, 1.0]
    """

    _expected_dims = (3, 4)


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) (or (C, D, H, W)) over D, H and W."""

    _expected_dims = (4, 5)
