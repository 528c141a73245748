"""Data-parallel figures: digits-CNN step time on 1 and 2 ranks, all-reduce bandwidth on this machine.

Run: python benchmarks/bench_distributed.py [--quick]
It launches itself with ``mpirun -n 1`` and ``-n 2`` (``--oversubscribe``, and
``--allow-run-as-root`` when root), once over shared memory (Open MPI's default between
processes of one host) and once over TCP on the loopback interface (``--mca btl self,tcp``,
the path two hosts would use, without a wire), then prints:

* the all-reduce of float32 buffers from 4 KiB to 16 MiB: time per call, and the bus bandwidth
  2(N-1)/N · bytes / time (the rate at which each rank's link carries a ring all-reduce, comparable
  across N), for ``minigrad.distributed.all_reduce`` and for mpi4py's blocking ``Allreduce``
  (the cost of minigrad's polling wait with a deadline);
* the digits CNN of examples/train_digits.py: median milliseconds per training step (forward,
  backward with the DDP all-reduce, Adam) for 32 digits per rank, on 1 rank without DDP, and on
  1 and 2 ranks with DDP (SyncBatchNorm, as the example);
* the ring cost model of docs/distributed.md evaluated with these figures for 8 and 64 nodes.

Measured (2026-11-22, the 2-vCPU development machine, shared with other jobs, Open MPI 4.1.4,
mpi4py 4.1.2): see benchmarks/README.md.
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIZES = [4 << 10, 64 << 10, 1 << 20, 16 << 20]


def _median(values):
    values = sorted(values)
    return values[len(values) // 2]


def _time_calls(fn, barrier, budget, agree_min):
    """Seconds per call of ``fn``, 5 to 200 calls filling ~``budget`` s, after a warm-up.

    Every rank must make the same number of calls (they are collectives), so the count is agreed
    on (``agree_min``: the minimum over ranks) rather than read from each rank's own clock.
    """
    fn()
    t = time.perf_counter()
    fn()
    calls = agree_min(max(5, min(200, int(budget / max(time.perf_counter() - t, 1e-6)))))
    times = []
    for _ in range(calls):
        barrier()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def worker(quick):
    import numpy as np

    import minigrad as mg
    import minigrad.distributed as dist
    import minigrad.nn as nn
    import minigrad.nn.functional as F
    import minigrad.optim as optim
    from minigrad.nn.parallel import DistributedDataParallel as DDP

    sys.path.insert(0, os.path.join(ROOT, "examples"))
    from train_digits import DigitsCNN

    dist.init_process_group("mpi", timeout=float(os.environ.get("BENCH_TIMEOUT", 120)))
    rank, world = dist.get_rank(), dist.get_world_size()
    comm = dist.process_group.group().comm
    budget = 0.5 if quick else 1.5
    results = {"world": world, "allreduce": [], "steps": {}}

    def agreed(times):  # the slowest rank's median: a collective ends when the last rank does
        t = mg.tensor([_median(times)], dtype=mg.float64)
        dist.all_reduce(t, op="max")
        return t.item()

    def agree_min(count):
        t = mg.tensor([count])
        dist.all_reduce(t, op="min")
        return t.item()

    from mpi4py import MPI
    for size in SIZES:
        t = mg.ones(size // 4)
        ours = agreed(_time_calls(lambda t=t: dist.all_reduce(t), dist.barrier, budget, agree_min))
        raw = t.numpy()
        blocking = agreed(_time_calls(lambda raw=raw: comm.Allreduce(MPI.IN_PLACE, raw), dist.barrier,
                                      budget, agree_min))
        results["allreduce"].append({"bytes": size, "seconds": ours, "mpi4py_seconds": blocking})

    x = mg.from_numpy(np.random.default_rng(rank).random((32, 1, 8, 8), dtype=np.float32))
    y = mg.from_numpy(np.random.default_rng(rank).integers(0, 10, 32))

    def stepper(model):
        opt = optim.Adam(model.parameters(), lr=1e-3)

        def step():
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        return step

    steps, rounds = (20, 2) if quick else (40, 5)
    # "plain": every rank trains its own model with no communication (what the cores alone give)
    variants = [("plain", DigitsCNN), ("ddp", lambda: DDP(DigitsCNN())),
                ("ddp_syncbn", lambda: DDP(nn.SyncBatchNorm.convert_sync_batchnorm(DigitsCNN())))]
    for name, build in variants:
        mg.manual_seed(0)
        step = stepper(build())
        for _ in range(5):
            step()
        best = float("inf")
        for _ in range(rounds):  # the machine is shared: the best round's median (slowest rank)
            times = []
            for _ in range(steps):
                t = time.perf_counter()
                step()
                times.append(time.perf_counter() - t)
            best = min(best, agreed(times))
        results["steps"][name] = best
    model = DigitsCNN()
    results["gradient_bytes"] = sum(p.numel() * 4 for p in model.parameters())
    if rank == 0:
        print("RESULT " + json.dumps(results), flush=True)
    dist.destroy_process_group()


def launch(n, transport, quick):
    command = [shutil.which("mpirun"), "-n", str(n), "--oversubscribe"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-run-as-root")
    if transport == "tcp":
        command += ["--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", "lo"]
    command += [sys.executable, os.path.abspath(__file__), "--worker"] + (["--quick"] if quick else [])
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"mpirun -n {n} ({transport}) failed:\n{proc.stdout}\n{proc.stderr}")


def report(runs):
    print("all_reduce of float32 buffers: time per call, bus bandwidth 2(N-1)/N x bytes / time")
    print(f"{'transport':9s} {'N':>2s} {'bytes':>9s} {'minigrad':>10s} {'mpi4py':>10s} {'bus GB/s':>9s}")
    for (transport, n), r in runs.items():
        for row in r["allreduce"]:
            bus = 2 * (n - 1) / n * row["bytes"] / row["seconds"] / 1e9 if n > 1 else float("nan")
            print(f"{transport:9s} {n:2d} {row['bytes']:9d} {row['seconds'] * 1e6:8.1f}us "
                  f"{row['mpi4py_seconds'] * 1e6:8.1f}us {bus:9.2f}")
    print("\ndigits CNN, 32 digits per rank: ms per step (forward, backward + all-reduce, Adam), "
          "median of the slowest rank, best round")
    for (transport, n), r in runs.items():
        figures = ", ".join(f"{k} {v * 1e3:.2f} ms" for k, v in r["steps"].items())
        print(f"{transport:9s} N={n}: {figures}")
    two = runs.get(("tcp", 2))
    if two:
        cost_model(two, compute=runs[("shm", 2)]["steps"]["plain"])


def cost_model(two, compute):
    """The all-reduce per step for N nodes, from the 2-rank loopback figures and typical links."""
    grad = two["gradient_bytes"]
    alpha = two["allreduce"][0]["seconds"] / 2  # 4 KiB on 2 ranks: 2 message steps, bytes negligible
    big = two["allreduce"][-1]
    loop_bw = 2 * (2 - 1) / 2 * big["bytes"] / big["seconds"]  # bus bandwidth of the 16 MiB all-reduce
    print(f"\ncost model per step, G = {grad:,} gradient bytes (digits CNN), no overlap:")
    print("  bandwidth 2(N-1)/N x G / B; latency 2(N-1) a (ring) or 2 log2(N) a (Rabenseifner, "
          "minigrad's default)")
    print(f"  loopback TCP measured here: a = {alpha * 1e6:.0f} us, B = {loop_bw / 1e9:.2f} GB/s; "
          f"compute {compute * 1e3:.2f} ms per step (32 digits per rank)")
    print(f"  {'link':9s} {'B GB/s':>6s} {'a us':>4s} {'N':>3s} {'bandwidth':>9s} {'ring':>8s} "
          f"{'Rabenseif.':>10s} {'efficiency':>10s}")
    for label, bw, a in (("loopback", loop_bw, alpha), ("10 GbE", 1.25e9, 30e-6),
                         ("25 GbE", 3.1e9, 20e-6), ("100 Gb/s", 12.5e9, 5e-6)):
        for n in (2, 8, 64):
            band = 2 * (n - 1) / n * grad / bw
            ring = band + 2 * (n - 1) * a
            halving = band + 2 * math.log2(n) * a
            print(f"  {label:9s} {bw / 1e9:6.2f} {a * 1e6:4.0f} {n:3d} {band * 1e3:7.2f}ms "
                  f"{ring * 1e3:6.2f}ms {halving * 1e3:8.2f}ms {compute / (compute + halving):10.0%}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="shorter timing loops")
    args = parser.parse_args()
    if args.worker:
        return worker(args.quick)
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        print("bench_distributed: mpi4py is not installed (pip install 'minigrad[distributed]'); skipped")
        return
    if shutil.which("mpirun") is None:
        print("bench_distributed: mpirun is missing (apt-get install openmpi-bin libopenmpi-dev); skipped")
        return
    runs = {}
    for transport, n in (("shm", 1), ("shm", 2), ("tcp", 2)):  # one rank never touches the wire
        runs[(transport, n)] = launch(n, transport, args.quick)
    report(runs)


if __name__ == "__main__":
    main()
