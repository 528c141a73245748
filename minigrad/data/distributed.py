"""PyTorch's ``torch.utils.data.distributed`` path, for ``from ... import DistributedSampler``."""

from .sampler import DistributedSampler

__all__ = ["DistributedSampler"]
