"""Checks of minigrad.distributed that need real ranks: run as ``mpirun -n N python checks.py OUT_DIR``.

Every rank runs every check and writes ``OUT_DIR/rank<r>.json``: check name -> None (passed)
or the error. ``tests/test_distributed.py`` launches this for 2 and 3 ranks and turns each
check into a test. The reference of each DDP check is computed in the same process: one model
trained on the whole concatenated batch, with no communication.
"""

import json
import os
import sys
import traceback

import numpy as np

import minigrad as mg
import minigrad.distributed as dist
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.optim as optim
from minigrad import serialization
from minigrad.data import DataLoader, DistributedSampler, TensorDataset
from minigrad.nn.parallel import DistributedDataParallel as DDP

CHECKS = {}


def check(fn):
    CHECKS[fn.__name__] = fn
    return fn


def close(a, b, rtol=1e-5, atol=1e-6, what=""):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, f"{what}: shapes {a.shape} != {b.shape}"
    err = np.max(np.abs(a - b)) if a.size else 0.0
    assert np.allclose(a, b, rtol=rtol, atol=atol), f"{what}: max |difference| {err:.3g}"


# --- collectives ----------------------------------------------------------------------------------
DTYPES = [mg.float32, mg.float64, mg.float16, mg.int32, mg.int64]


@check
def all_reduce_each_op_and_dtype(rank, world):
    values = [np.array([r + 1, -2 * r, 3], dtype=np.float64) for r in range(world)]
    expected = {"sum": np.sum(values, 0), "max": np.max(values, 0), "min": np.min(values, 0),
                "product": np.prod(values, 0), "mean": np.mean(values, 0)}
    for dtype in DTYPES:
        for op, want in expected.items():
            if op == "mean" and not dtype.is_floating_point:
                continue
            t = mg.tensor(values[rank].tolist(), dtype=dtype)
            dist.all_reduce(t, op=op)
            assert t.dtype == dtype, f"{op} {dtype}: dtype became {t.dtype}"
            close(t.tolist(), want, what=f"all_reduce {op} {dtype}")
    bool_ops = {"sum": [True, True, False], "max": [True, True, False], "min": [False, True, False]}
    for op, want in bool_ops.items():
        t = mg.tensor([rank == 0, True, False])
        dist.all_reduce(t, op=op)
        assert t.tolist() == want, f"bool {op}: {t.tolist()} != {want}"
    t = mg.tensor([rank + 1.0])
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    assert t.item() == world


@check
def all_reduce_hands_mpi_the_tensors_own_memory(rank, world):
    t = mg.ones(1000)
    array = t.array
    transport = dist.process_group.group().transports["cpu"]
    test, back, wire = transport.all_reduce(array, "sum")  # what MPI_Iallreduce was given
    dist.work.Work(dist.process_group.group(), "all_reduce", test, back, wire).wait()
    assert wire is array and back is None  # no staging copy in, none out
    assert t.array is array and t.tolist() == [float(world)] * 1000


@check
def all_reduce_writes_through_a_non_contiguous_view(rank, world):
    base = mg.arange(6, dtype=mg.float32).reshape(2, 3) * (rank + 1)
    view = base.T
    dist.all_reduce(view)
    total = sum(r + 1 for r in range(world))
    assert base.tolist() == (np.arange(6).reshape(2, 3) * total).tolist(), base.tolist()


@check
def all_reduce_async_returns_work(rank, world):
    t = mg.ones(1000)
    work = dist.all_reduce(t, async_op=True)
    assert work.wait() is True and work.is_completed()
    assert t.tolist() == [float(world)] * 1000


@check
def broadcast_each_src_and_dtype(rank, world):
    for src in range(world):
        for dtype in DTYPES + [mg.bool]:
            if dtype is mg.bool:
                t = mg.tensor([rank == src] * 2)
            else:
                t = mg.tensor([rank, rank + 1], dtype=dtype)
            dist.broadcast(t, src)
            want = [src, src + 1] if dtype is not mg.bool else [True, True]
            assert t.tolist() == want, f"broadcast from {src} {dtype}: {t.tolist()}"


@check
def all_gather_fills_every_rank_slot(rank, world):
    for dtype in (mg.float32, mg.int64, mg.float16):
        out = [mg.zeros(2, 2, dtype=dtype) for _ in range(world)]
        dist.all_gather(out, mg.full((2, 2), rank * 10 + 1, dtype=dtype))
        assert [o.tolist() for o in out] == [[[r * 10 + 1] * 2] * 2 for r in range(world)], out


@check
def collectives_reject_bad_arguments(rank, world):
    for call, error, words in [
        (lambda: dist.all_reduce(mg.tensor([1, 2]), op="mean"), TypeError, "floating"),
        (lambda: dist.all_reduce(mg.tensor([1.0]), op="median"), ValueError, "unknown op"),
        (lambda: dist.all_gather([mg.zeros(1)], mg.zeros(1)), ValueError, "tensor_list"),
        (lambda: dist.broadcast(mg.zeros(1), world), ValueError, "src"),
        (lambda: dist.all_reduce(mg.zeros(3).expand(2, 3)), ValueError, "share memory"),
        (lambda: dist.broadcast(mg.zeros(3).expand(2, 3), 0), ValueError, "share memory"),
    ]:
        try:
            call()
        except error as err:
            assert words in str(err), str(err)
        else:
            raise AssertionError(f"no {error.__name__} ({words})")
    dist.barrier()


@check
def objects_are_gathered_and_broadcast(rank, world):
    gathered = [None] * world
    dist.all_gather_object(gathered, {"rank": rank, "name": "x" * (rank * 100)})
    assert gathered == [{"rank": r, "name": "x" * (r * 100)} for r in range(world)], gathered
    items = [rank, f"from {rank}"] if rank == world - 1 else [None, None]
    dist.broadcast_object_list(items, src=world - 1)
    assert items == [world - 1, f"from {world - 1}"], items


# --- DistributedDataParallel -------------------------------------------------------------------------
class Net(nn.Module):
    """conv -> batch norm -> relu -> linear: a model with parameters, buffers and a conv layer."""

    def __init__(self, norm=True):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4) if norm else nn.Identity()
        self.fc = nn.Linear(4 * 6 * 6, 3)

    def forward(self, x):
        return self.fc(self.bn(self.conv(x)).relu().flatten(1))


def global_batches(steps, world, per_rank, seed=0, device="cpu"):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        x = rng.standard_normal((world * per_rank, 1, 6, 6)).astype(np.float32)
        y = rng.integers(0, 3, world * per_rank)
        yield mg.tensor(x, device=device), mg.tensor(y, device=device)


def shard(t, rank, per_rank):
    return t[rank * per_rank:(rank + 1) * per_rank]


def train_both(rank, world, make_model, make_opt, steps=3, per_rank=4, sync_bn=True, device="cpu", **ddp_kw):
    """(single-process model on the N·B batch, this rank's DDP model on its B) after ``steps`` steps."""
    mg.manual_seed(0)
    reference = make_model().to(device)
    mg.manual_seed(100 + rank)  # different on each rank: DDP must broadcast rank 0's
    local = make_model().to(device)
    local.load_state_dict(reference.state_dict()) if rank == 0 else None
    if sync_bn:
        local = nn.SyncBatchNorm.convert_sync_batchnorm(local)
    ddp = DDP(local, **ddp_kw)
    opt_ref, opt_ddp = make_opt(reference.parameters()), make_opt(ddp.parameters())
    for x, y in global_batches(steps, world, per_rank, device=device):
        opt_ref.zero_grad()
        F.cross_entropy(reference(x), y).backward()
        opt_ref.step()
        opt_ddp.zero_grad()
        F.cross_entropy(ddp(shard(x, rank, per_rank)), shard(y, rank, per_rank)).backward()
        opt_ddp.step()
    return reference, ddp


def compare_states(reference, ddp):
    mine = ddp.module.state_dict()
    for name, value in reference.state_dict().items():
        close(mine[name].tolist(), value.tolist(), what=name)


@check
def ddp_sgd_with_sync_batchnorm_matches_one_process_on_the_whole_batch(rank, world):
    sgd = lambda p: optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-4)
    reference, ddp = train_both(rank, world, Net, sgd)
    compare_states(reference, ddp)


@check
def ddp_adam_in_many_small_buckets_matches_one_process(rank, world):
    reference, ddp = train_both(rank, world, lambda: Net(norm=False), lambda p: optim.Adam(p, lr=1e-2),
                                sync_bn=False, bucket_cap_mb=10 / 2**20)
    assert len(ddp.reducer.buckets) == 4, len(ddp.reducer.buckets)  # one per parameter
    compare_states(reference, ddp)


@check
def ddp_launches_a_bucket_while_backward_is_still_running(rank, world):
    model = nn.Sequential(*[nn.Linear(8, 8) for _ in range(4)])
    ddp = DDP(model, bucket_cap_mb=256 / 2**20)  # about one layer per bucket
    events, launch = [], ddp.reducer._launch
    ddp.reducer._launch = lambda bucket: (events.append(f"launch {len(bucket.params)}"), launch(bucket))[1]
    model[0].weight.register_post_accumulate_grad_hook(lambda p: events.append("first layer's gradient"))
    ddp(mg.ones(2, 8)).sum().backward()
    # the last layer's bucket starts before backward has reached the first layer
    assert events.count("launch 2") == 4 and events.index("launch 2") < events.index("first layer's gradient")


@check
def ddp_forward_copies_rank0_buffers_only_when_recording_a_graph(rank, world):
    ddp = DDP(nn.BatchNorm1d(2, momentum=0.0))  # momentum 0: the forward itself leaves the buffers alone
    ddp.module.running_mean.fill_(float(rank))
    with mg.no_grad():
        ddp(mg.ones(4, 2))
    assert ddp.module.running_mean.tolist() == [float(rank)] * 2  # rank 0 may evaluate alone
    ddp(mg.ones(4, 2))
    assert ddp.module.running_mean.tolist() == [0.0, 0.0]


@check
def ddp_state_dict_keys_have_the_module_prefix(rank, world):
    ddp = DDP(Net())
    assert list(ddp.state_dict())[:2] == ["module.conv.weight", "module.conv.bias"], list(ddp.state_dict())


@check
def ddp_starts_every_rank_from_rank0_parameters(rank, world):
    mg.manual_seed(rank)
    ddp = DDP(Net())
    gathered = [mg.zeros(ddp.module.fc.weight.shape) for _ in range(world)]
    dist.all_gather(gathered, ddp.module.fc.weight.detach())
    for g in gathered[1:]:
        assert g.tolist() == gathered[0].tolist()
    mg.manual_seed(0)
    assert ddp.module.fc.weight.tolist() == Net().fc.weight.tolist()


@check
def ddp_no_sync_accumulates_then_averages_the_sum(rank, world):
    mg.manual_seed(0)
    reference = Net(norm=False)
    ddp = DDP(Net(norm=False))
    ddp.module.load_state_dict(reference.state_dict())
    batches = list(global_batches(2, world, 3, seed=1))
    for x, y in batches:
        F.cross_entropy(reference(x), y).backward()
    with ddp.no_sync():
        x, y = batches[0]
        F.cross_entropy(ddp(shard(x, rank, 3)), shard(y, rank, 3)).backward()
    unsynced = ddp.module.fc.bias.grad.clone()  # this rank's own gradient: differs across ranks
    x, y = batches[1]
    F.cross_entropy(ddp(shard(x, rank, 3)), shard(y, rank, 3)).backward()
    for (name, p), q in zip(reference.named_parameters(), ddp.parameters()):
        close(q.grad.tolist(), p.grad.tolist(), what=name)
    gathered = [mg.zeros(3) for _ in range(world)]
    dist.all_gather(gathered, unsynced)
    assert gathered[0].tolist() != gathered[1].tolist(), "no_sync still synchronised"


class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2)
        self.b = nn.Linear(2, 2)  # used on rank 0 only
        self.never = nn.Linear(2, 2)

    def forward(self, x, use_b):
        return self.b(self.a(x)) if use_b else self.a(x)


@check
def ddp_find_unused_parameters_averages_partial_grads_and_skips_unused(rank, world):
    mg.manual_seed(0)
    ddp = DDP(Branchy(), find_unused_parameters=True)
    x = mg.ones(1, 2) * (rank + 1)
    ddp(x, use_b=rank == 0).sum().backward()
    assert ddp.module.never.weight.grad is None
    mg.manual_seed(0)
    ref = Branchy()
    ref(mg.ones(1, 2), True).sum().backward()
    close(ddp.module.b.weight.grad.tolist(), (ref.b.weight.grad / world).tolist(), what="b.weight")


@check
def ddp_raises_for_different_models_on_different_ranks(rank, world):
    try:
        DDP(nn.Linear(2, 2 + (rank == 1)))
    except RuntimeError as err:
        assert "differs" in str(err) and "rank" in str(err), str(err)
    else:
        raise AssertionError("no error")


@check
def sync_batchnorm_statistics_span_all_ranks(rank, world):
    x = mg.arange(world * 4 * 2, dtype=mg.float32).reshape(world * 4, 2) ** 1.5
    bn, ref = nn.SyncBatchNorm(2), nn.BatchNorm1d(2)
    y = bn(shard(x, rank, 4))
    close(y.tolist(), shard(ref(x), rank, 4).tolist(), what="output")
    close(bn.running_var.tolist(), ref.running_var.tolist(), what="running_var")


# --- sampler and checkpoints ---------------------------------------------------------------------------
@check
def sampler_shards_are_disjoint_and_cover_the_dataset(rank, world):
    n = 6 * world
    sampler = DistributedSampler(range(n), seed=3)
    assert sampler.num_replicas == world and sampler.rank == rank
    orders = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        mine = list(sampler)
        gathered = [mg.zeros(len(mine), dtype=mg.int64) for _ in range(world)]
        dist.all_gather(gathered, mg.tensor(mine))
        everything = sorted(i for g in gathered for i in g.tolist())
        assert everything == list(range(n)), everything
        orders.append(mine)
    assert orders[0] != orders[1], "set_epoch did not change the order"
    data = TensorDataset(mg.arange(n))
    seen = [int(v) for (batch,) in DataLoader(data, batch_size=4, sampler=sampler) for v in batch.tolist()]
    assert sorted(seen) == sorted(orders[1])


@check
def save_on_main_writes_once_from_rank0_and_every_rank_loads(rank, world):
    path = os.path.join(sys.argv[1], "ckpt.safetensors")
    writers = []
    original = serialization.save
    serialization.save = lambda obj, f: (writers.append(rank), original(obj, f))[1]
    try:
        model = DDP(nn.Linear(3, 2))
        returned = dist.save_on_main({"model": model.state_dict(), "rank": rank}, path)
    finally:
        serialization.save = original
    assert returned == path and os.path.exists(path)
    counts = [mg.zeros(1, dtype=mg.int64) for _ in range(world)]
    dist.all_gather(counts, mg.tensor([len(writers)]))
    assert [c.item() for c in counts] == [1] + [0] * (world - 1), counts
    loaded = dist.load(path)
    assert loaded["rank"] == 0
    close(loaded["model"]["module.weight"].tolist(), model.module.weight.tolist(), what="weight")


@check
def save_on_main_failure_raises_on_every_rank(rank, world):
    path = os.path.join(sys.argv[1], "no such directory", "ckpt.safetensors")
    try:
        dist.save_on_main({"x": mg.ones(1)}, path)
    except FileNotFoundError:
        assert rank == 0
    except RuntimeError as err:
        assert rank != 0 and "rank 0 failed to write" in str(err), str(err)
    else:
        raise AssertionError("no error")


def main():
    out = sys.argv[1]
    dist.init_process_group("mpi", timeout=float(os.environ.get("CHECK_TIMEOUT", 30)))
    rank, world = dist.get_rank(), dist.get_world_size()
    results = {}
    for name, fn in CHECKS.items():
        try:
            fn(rank, world)
            results[name] = None
        except Exception:
            results[name] = traceback.format_exc(limit=4)
    with open(os.path.join(out, f"rank{rank}.json"), "w") as f:
        json.dump({"world": world, "results": results}, f)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
