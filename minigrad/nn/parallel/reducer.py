"""The gradient reducer of ``DistributedDataParallel``: buckets, launched as their gradients arrive.

The parameters are cut into buckets of about ``bucket_cap_mb`` megabytes, in reverse order of
``module.parameters()`` (backward produces gradients roughly from the last layer to the first),
and by device and dtype. A post-accumulate-grad hook on every parameter counts down its
bucket; the moment a bucket is complete its gradients are flattened into one contiguous buffer
and a non-blocking all-reduce (sum) starts, while backward goes on computing earlier layers.
Buckets are launched strictly in index order, so every rank issues the same collectives in the
same order even if gradients arrive in a slightly different order. The callback queued for the
end of the backward pass launches the buckets still waiting (parameters that got no gradient
count as zeros), waits for all of them, divides by the world size, and makes each ``.grad`` a
view of its bucket's averaged buffer (no copy back).

Each hook also tests the requests in flight: Open MPI moves data only inside MPI calls, so this
is what lets the transfer of bucket k progress while the gradients of bucket k+1 are computed.
"""

from ... import backend as _backend
from ...autograd import engine
from ...distributed.collectives import start_all_reduce
from ...tensor import Tensor


class Bucket:
    """Parameters whose gradients travel together in one all-reduce."""

    __slots__ = ("params", "slices", "numel", "device", "pending", "work", "flat")

    def __init__(self, device):
        self.params = []
        self.slices = []  # (start, stop) of each parameter in the flat buffer
        self.numel = 0
        self.device = device
        self.pending = 0
        self.work = None
        self.flat = None

    def add(self, param):
        n = param.numel()
        self.params.append(param)
        self.slices.append((self.numel, self.numel + n))
        self.numel += n


def assign_buckets(params, bucket_bytes, first_bucket_bytes):
    """Buckets over ``params`` taken last to first, per (device, dtype), each up to a byte cap.

    The first bucket of each kind is capped at ``first_bucket_bytes`` (PyTorch: 1 MiB) so the
    first all-reduce starts early; the rest at ``bucket_bytes``.

    >>> import minigrad as mg
    >>> ps = [mg.zeros(100, requires_grad=True) for _ in range(4)]   # 400 bytes each
    >>> [len(b.params) for b in assign_buckets(ps, bucket_bytes=800, first_bucket_bytes=400)]
    [1, 2, 1]
    """
    buckets, open_buckets, made = [], {}, {}
    for p in reversed(params):
        key = (p.device, p.dtype)
        bucket = open_buckets.get(key)
        if bucket is None:
            bucket = open_buckets[key] = Bucket(p.device)
            buckets.append(bucket)
            made[key] = made.get(key, 0) + 1
        bucket.add(p)
        cap = first_bucket_bytes if made[key] == 1 else bucket_bytes
        if bucket.numel * p.dtype.itemsize >= cap:
            del open_buckets[key]
    return buckets


class Reducer:
    """Averages the gradients of ``params`` across ranks during each backward pass."""

    def __init__(self, params, world_size, bucket_bytes, first_bucket_bytes, find_unused_parameters):
        self.world_size = world_size
        self.find_unused_parameters = find_unused_parameters
        self.params = list(params)
        self.buckets = assign_buckets(self.params, bucket_bytes, first_bucket_bytes)
        self.bucket_of = {p: i for i, b in enumerate(self.buckets) for p in b.params}
        self.enabled = True  # False inside DistributedDataParallel.no_sync()
        self.running = False
        self.handles = [p.register_post_accumulate_grad_hook(self._grad_ready) for p in self.params]

    def prepare(self):
        """A new iteration (DDP's forward): forget a pass that an exception cut short."""
        self.running = False

    def remove_hooks(self):
        for handle in self.handles:
            handle.remove()
        self.handles = []

    # --- during backward ---------------------------------------------------------------------------
    def _start_pass(self):
        self.running = True
        self.ready = set()
        self.next_bucket = 0
        self.first_in_flight = 0  # buckets before it have completed their all-reduce
        for b in self.buckets:
            b.pending = len(b.params)
            b.work = b.flat = None
        engine.queue_callback(self._finish_pass)

    def _grad_ready(self, param):
        if not self.enabled:
            return
        if not self.running:
            self._start_pass()
        if param in self.ready:
            return
        self.ready.add(param)
        self.buckets[self.bucket_of[param]].pending -= 1
        while self.next_bucket < len(self.buckets) and self.buckets[self.next_bucket].pending == 0:
            self._launch(self.buckets[self.next_bucket])
            self.next_bucket += 1
        while self.first_in_flight < self.next_bucket:  # drives MPI's progress
            if not self.buckets[self.first_in_flight].work.is_completed():
                break  # later buckets travel behind this one anyway
            self.first_in_flight += 1

    def _launch(self, bucket):
        xp = bucket.device.xp
        parts = [xp.reshape(p.grad.array if p.grad is not None else xp.zeros_like(p.array), (-1,))
                 for p in bucket.params]
        bucket.flat = xp.concat(parts) if len(parts) > 1 else xp.asarray(parts[0], copy=True)
        bucket.work = start_all_reduce(bucket.flat, bucket.device, "sum", name="all_reduce (DDP gradients)")

    def _finish_pass(self):
        try:
            for bucket in self.buckets[self.next_bucket:]:
                self._launch(bucket)
            self.next_bucket = len(self.buckets)
            used = self._used_anywhere() if self.find_unused_parameters else None
            for bucket in self.buckets:
                bucket.work.wait()
                self._write_back(bucket, used)
        finally:
            self.running = False
            for b in self.buckets:
                b.work = b.flat = None

    def _used_anywhere(self):
        """Which parameters got a gradient on at least one rank (one small max-all-reduce)."""
        cpu = _backend.device("cpu")
        flags = cpu.backend.asarray([p in self.ready for p in self.params], None, None)
        start_all_reduce(flags, cpu, "max", name="all_reduce (DDP used parameters)").wait()
        return {p for p, flag in zip(self.params, flags.tolist()) if flag}

    def _write_back(self, bucket, used):
        flat = bucket.flat
        flat /= self.world_size
        xp = bucket.device.xp
        for p, (start, stop) in zip(bucket.params, bucket.slices):
            if used is not None and p not in used:
                continue  # no rank computed a gradient for it: leave .grad as it is (None)
            view = xp.reshape(flat[start:stop], p.shape)
            if p.grad is None:
                p.grad = Tensor._wrap(view, p.device)
            else:
                p.grad.array = view
