"""The NCCL path on real GPUs: ``mpirun -n N python gpu_checks.py OUT_DIR`` (N <= GPUs on the host).

Collectives on CUDA tensors of each dtype, and DDP (with SyncBatchNorm) on a CUDA model against
one process on the whole batch, as ``checks.py`` does on the CPU. Run by the ``gpu``-marked test
of ``tests/test_distributed.py`` when CuPy sees a GPU; CI has none.
"""

import json
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from checks import Net, close, compare_states, train_both  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.distributed as dist  # noqa: E402
import minigrad.optim as optim  # noqa: E402


def collectives(rank, world, device):
    for dtype in (mg.float32, mg.float16, mg.float64, mg.int32, mg.int64):
        t = mg.tensor([rank + 1, 2 * rank], dtype=dtype, device=device)
        dist.all_reduce(t)
        close(t.cpu().tolist(), [world * (world + 1) / 2, world * (world - 1)], what=f"sum {dtype}")
    t = mg.tensor([rank + 1.0], device=device)
    dist.all_reduce(t, op="mean")
    close(t.cpu().tolist(), [(world + 1) / 2], what="mean")
    t = mg.tensor([rank == 0, False], device=device)
    dist.all_reduce(t, op="max")
    assert t.cpu().tolist() == [True, False]
    t = mg.tensor([float(rank)] * 4, device=device)
    dist.broadcast(t, world - 1)
    assert t.cpu().tolist() == [float(world - 1)] * 4
    out = [mg.zeros(2, device=device) for _ in range(world)]
    dist.all_gather(out, mg.tensor([rank, -rank], dtype=mg.float32, device=device))
    assert [o.cpu().tolist() for o in out] == [[r, -r] for r in range(world)]


def ddp_matches_one_process(rank, world, device):
    sgd = lambda p: optim.SGD(p, lr=0.1, momentum=0.9)
    reference, ddp = train_both(rank, world, Net, sgd, device=device)
    compare_states(reference, ddp)


def main():
    dist.init_process_group("nccl", timeout=120)
    rank, world = dist.get_rank(), dist.get_world_size()
    device = "cuda" if mg.cuda.device_count() == 1 else f"cuda:{dist.get_node_local_rank()}"
    results = {}
    for fn in (collectives, ddp_matches_one_process):
        try:
            fn(rank, world, device)
            results[fn.__name__] = None
        except Exception:
            results[fn.__name__] = traceback.format_exc(limit=4)
    with open(os.path.join(sys.argv[1], f"rank{rank}.json"), "w") as f:
        json.dump({"world": world, "results": results}, f)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
