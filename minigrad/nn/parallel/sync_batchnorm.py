"""``SyncBatchNorm``: batch normalisation with the statistics of the batch of all ranks together.

With plain BatchNorm under DDP each rank normalises with its own B samples; SyncBatchNorm uses
the mean and variance of all N·B samples, exactly what one process would compute on the
concatenated batch. Per channel c, over the M_r values rank r holds of it:

    M = Σ_r M_r,   μ = Σ_r Σ x / M,   σ² = Σ_r Σ (x - μ)² / M       (two all-reduces)
    y = (x - μ) / √(σ² + ε) · γ + β

The sums go through ``distributed.functional.all_reduce``, whose backward all-reduces their
gradients, so each rank's input gradient includes what the other ranks' losses owe to the
shared statistics. The running statistics take the global μ and the unbiased σ² · M / (M - 1).
"""

from ...autograd.grad_mode import no_grad
from ...creation import full
from ...distributed import functional as dist_f
from ...distributed import process_group as _pg
from ...functions import cat
from ..modules.normalization import _BatchNorm, _InstanceNorm

__all__ = ["SyncBatchNorm"]


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation of (N, C, *) whose training statistics span all ranks.

    Outside training, or without a process group of more than one rank, it is ordinary batch
    normalisation. Parameters and buffers are BatchNorm's (``weight``, ``bias``,
    ``running_mean``, ``running_var``, ``num_batches_tracked``).

    >>> import minigrad as mg
    >>> net = mg.nn.Sequential(mg.nn.Conv2d(1, 2, 3), mg.nn.BatchNorm2d(2))
    >>> mg.nn.SyncBatchNorm.convert_sync_batchnorm(net)[1]
    SyncBatchNorm(2, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None, *, bias=True):
        if process_group is not None:
            raise NotImplementedError("SyncBatchNorm: only the default process group is supported")
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, input):
        if input.ndim < 2:
            raise ValueError(f"expected at least 2D input (got {input.ndim}D input)")

    def forward(self, input):
        if not (self.training and _pg.is_initialized() and _pg.get_world_size() > 1):
            return super().forward(input)
        self._check_input_dim(input)
        if input.shape[1] != self.num_features:
            raise ValueError(f"SyncBatchNorm: expected {self.num_features} channels in dimension 1, "
                             f"got input of shape {tuple(input.shape)}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats and self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked.item())
        channels = self.num_features
        axes = (0,) + tuple(range(2, input.ndim))
        shape = (1, channels) + (1,) * (input.ndim - 2)
        local_count = input.numel() // channels if channels else 0
        local = full((1,), local_count, dtype=input.dtype, device=input.device)
        totals = dist_f.all_reduce(cat([input.sum(dim=axes), local]))  # one collective: sums and count
        count = totals[channels].item()
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got {int(count)} "
                             "over all ranks")
        mean = totals[:channels] / count
        centered = input - mean.reshape(shape)
        var = dist_f.all_reduce((centered * centered).sum(dim=axes)) / count
        y = centered * (var + self.eps).rsqrt().reshape(shape)
        if self.weight is not None:
            y = y * self.weight.reshape(shape)
        if self.bias is not None:
            y = y + self.bias.reshape(shape)
        if self.track_running_stats and self.running_mean is not None:
            with no_grad():
                self.running_mean.mul_(1 - factor).add_(mean.detach().type(self.running_mean.dtype) * factor)
                unbiased = var.detach().type(self.running_var.dtype) * (count / (count - 1))
                self.running_var.mul_(1 - factor).add_(unbiased * factor)
        return y

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """``module`` with every BatchNorm1d/2d/3d inside replaced by a SyncBatchNorm that shares its
        parameters and buffers (the same Tensor objects); returns the new root if it was one."""
        converted = module
        if isinstance(module, _BatchNorm) and not isinstance(module, (_InstanceNorm, SyncBatchNorm)):
            converted = cls(module.num_features, module.eps, module.momentum, module.affine,
                            module.track_running_stats, process_group)
            if module.affine:
                converted.weight = module.weight
                converted.bias = module.bias
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                converted.register_buffer(name, getattr(module, name))
            converted.training = module.training
        for name, child in module.named_children():
            setattr(converted, name, cls.convert_sync_batchnorm(child, process_group))
        return converted
