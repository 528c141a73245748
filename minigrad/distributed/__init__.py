"""Data-parallel training over MPI (CPU) and NCCL (GPU): PyTorch's ``torch.distributed`` names.

Launch N copies of one script with ``mpirun -n N python train.py``; each calls
``init_process_group()``, trains on its own shard of the data (``minigrad.data.DistributedSampler``)
and wraps its model in ``minigrad.nn.parallel.DistributedDataParallel``, which averages the
gradients across ranks during ``backward()``. Nothing here imports mpi4py until
``init_process_group`` runs, so ``import minigrad.distributed`` works on any machine.

>>> import minigrad.distributed as dist
>>> dist.is_initialized()
False
>>> dist.ReduceOp.SUM
'sum'
"""

from . import functional
from .checkpoint import load, save_on_main
from .collectives import ReduceOp, all_gather, all_reduce, barrier, broadcast
from .objects import all_gather_object, broadcast_object_list
from .process_group import (
    DistError,
    DistTimeoutError,
    destroy_process_group,
    get_backend,
    get_node_local_rank,
    get_rank,
    get_world_size,
    init_process_group,
    is_available,
    is_initialized,
)
from .work import Work

__all__ = ["init_process_group", "destroy_process_group", "is_initialized", "is_available", "get_rank",
           "get_world_size", "get_node_local_rank", "get_backend", "all_reduce", "broadcast", "all_gather",
           "barrier", "all_gather_object", "broadcast_object_list", "ReduceOp", "Work", "DistError",
           "DistTimeoutError", "save_on_main", "load", "functional"]
