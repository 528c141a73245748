"""``DistributedDataParallel``: the same model on every rank, gradients averaged during backward.

Each of the N ranks runs the wrapped module on its own B samples and computes the gradient of
its own mean loss L_r. DDP replaces every gradient by the average over ranks,

    g = (1/N) Σ_r ∇L_r = ∇ (1/(N·B)) Σ_{all N·B samples} loss_i,

the gradient one process would compute on the concatenated batch, so the optimizer (run
separately on each rank, on identical parameters and identical gradients) keeps the ranks in
step. Parameters and buffers start identical: rank 0's are broadcast at construction.
"""

import contextlib

from ... import distributed as _dist
from ...autograd.grad_mode import is_grad_enabled, no_grad
from ...distributed import process_group as _pg
from ...tensor import Tensor
from ..module import Module
from .reducer import Reducer

__all__ = ["DistributedDataParallel"]

_MB = 1024 * 1024
_FIRST_BUCKET_MB = 1  # PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES


class DistributedDataParallel(Module):
    """Data parallelism over processes: wraps ``module`` and averages its gradients across ranks.

    Args:
        module: the model, already on this rank's device.
        device_ids, output_device, dim: accepted for PyTorch compatibility (one device per
            process: the module's).
        broadcast_buffers: copy rank 0's buffers (BatchNorm running statistics) to every rank at
            the start of each forward that records a graph (as PyTorch).
        process_group: only the default group (None).
        bucket_cap_mb: gradients travel in buckets of about this many MiB (default 25); the
            first bucket is capped at 1 MiB so communication starts early.
        find_unused_parameters: when some parameters may get no gradient on some ranks, one
            extra small all-reduce finds which got one on any rank; those that got none on any
            rank keep ``.grad`` None (without it they get a zero gradient).
        gradient_as_bucket_view, static_graph: accepted; gradients are always views of the
            averaged bucket buffers (no copy back).

    The wrapped module is ``ddp.module``; ``ddp.state_dict()`` keys start with ``module.``.
    BatchNorm layers normalise with their own rank's batch statistics; convert them with
    ``nn.SyncBatchNorm.convert_sync_batchnorm`` to use the statistics of the global batch.
    Buckets are all-reduced in index order on every rank, so all ranks must run backward on
    the same parameters in the same order (the same model and code).
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False,
                 gradient_as_bucket_view=False, static_graph=False):
        super().__init__()
        pg = _pg.group("DistributedDataParallel")
        if process_group is not None:
            raise NotImplementedError("DistributedDataParallel: only the default process group is supported")
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected an nn.Module, got {type(module).__name__}")
        bucket_cap_mb = 25 if bucket_cap_mb is None else bucket_cap_mb
        if not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive, got {bucket_cap_mb}")
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.bucket_cap_mb = bucket_cap_mb
        self.world_size = pg.size
        self.require_backward_grad_sync = True
        _check_same_model(module, pg)
        with no_grad():
            _broadcast_coalesced(list(module.parameters()) + list(module.buffers()), src=0)
        params = [p for p in module.parameters() if p.requires_grad]
        self.reducer = Reducer(params, pg.size, int(bucket_cap_mb * _MB),
                               int(min(_FIRST_BUCKET_MB, bucket_cap_mb) * _MB), find_unused_parameters)

    def forward(self, *inputs, **kwargs):
        """Run the module; when recording a graph, first make the buffers rank 0's."""
        if is_grad_enabled():
            self.reducer.prepare()
            if self.broadcast_buffers:
                buffers = list(self.module.buffers())
                if buffers:
                    with no_grad():
                        _broadcast_coalesced(buffers, src=0)
        return self.module(*inputs, **kwargs)

    @contextlib.contextmanager
    def no_sync(self):
        """Inside, backward only accumulates into ``.grad``; the first backward after it averages
        the accumulated sum (gradient accumulation over several micro-batches)."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = self.reducer.enabled = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = self.reducer.enabled = previous

    def extra_repr(self):
        buckets = len(self.reducer.buckets)
        return f"world_size={self.world_size}, bucket_cap_mb={self.bucket_cap_mb}, buckets={buckets}"


def _broadcast_coalesced(tensors, src):
    """Broadcast ``tensors`` from rank ``src`` in one collective per (device, dtype), in place."""
    groups = {}
    for t in tensors:
        if t.numel():
            groups.setdefault((t.device, t.dtype), []).append(t)
    for (device, _), members in groups.items():
        xp = device.xp
        flat = xp.concat([xp.reshape(t.array, (-1,)) for t in members])
        _dist.broadcast(Tensor._wrap(flat, device), src)
        if _pg.get_rank() == src:
            continue  # its tensors already hold the values
        start = 0
        for t in members:
            n = t.numel()
            device.backend.assign(t.array, xp.reshape(flat[start:start + n], t.shape))
            start += n


def _check_same_model(module, pg):
    """Every rank must wrap the same architecture: compare parameter counts and shapes."""
    import zlib

    import numpy as np

    shapes = ";".join(f"{name}:{tuple(p.shape)}:{p.dtype.name}" for name, p in module.named_parameters())
    mine = np.array([len(list(module.parameters())), zlib.crc32(shapes.encode())], dtype=np.int64)
    from ...creation import from_numpy
    rows = [from_numpy(np.zeros(2, dtype=np.int64)) for _ in range(pg.size)]
    _dist.all_gather(rows, from_numpy(mine))
    differ = [r for r, row in enumerate(rows) if row.tolist() != mine.tolist()]
    if differ:
        raise RuntimeError(f"DistributedDataParallel: rank {pg.rank}'s model ({int(mine[0])} parameters) "
                           f"differs in its parameter names, shapes or dtypes from rank(s) {differ}'s; "
                           "every rank must wrap the same model")
