"""Parallel training: ``DistributedDataParallel`` (one process per replica), ``SyncBatchNorm``, and
``DataParallel`` (which runs the module on the whole batch)."""

from .data_parallel import DataParallel
from .distributed import DistributedDataParallel
from .sync_batchnorm import SyncBatchNorm

__all__ = ["DataParallel", "DistributedDataParallel", "SyncBatchNorm"]
