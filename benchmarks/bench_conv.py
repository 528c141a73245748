"""CNN training step (issue 14's table): minigrad vs. PyTorch CPU in the same process.

Conv2d(1→16, 3, padding=1) – ReLU – MaxPool2d(2) – Conv2d(16→32, 3, padding=1) – ReLU –
MaxPool2d(2) – Flatten – Linear(1568→10); a batch of 64 1x28x28 images, cross-entropy,
backward, and ``optim.SGD(lr=0.01).step()``, each library through its own ``nn`` modules and
optimizer. Default thread settings unless ``--threads``; median and worst of interleaved rounds
(``_compare.py``), with the thread counts printed.

Run: PYTHONPATH=. python benchmarks/bench_conv.py [--rounds 7] [--steps 10]
         [--threads N | --cpu-time] [--profile | --ops]
"""

import argparse
import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
from _compare import interleaved, op_times, report, thread_counts, torch_op_times  # noqa: E402
from _memory import keep_freed_memory  # noqa: E402

import minigrad as mg  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

BATCH, LR = 64, 0.01


def data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, BATCH)
    return x, y


def build(ns):
    """The same architecture in minigrad (``ns`` = minigrad.nn) or PyTorch (``ns`` = torch.nn)."""
    return ns.Sequential(
        ns.Conv2d(1, 16, 3, padding=1), ns.ReLU(), ns.MaxPool2d(2),
        ns.Conv2d(16, 32, 3, padding=1), ns.ReLU(), ns.MaxPool2d(2),
        ns.Flatten(), ns.Linear(32 * 7 * 7, 10))


def make_step(lib):
    """One training step of the same net, data and initial seed in ``lib`` (minigrad or torch)."""
    lib.manual_seed(0)
    model = build(lib.nn)
    x_np, y_np = data()
    x, y = lib.tensor(x_np), lib.tensor(y_np)
    opt = lib.optim.SGD(model.parameters(), lr=LR)
    criterion = lib.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads for minigrad (via threadpoolctl) and torch's threads; "
                             "default: each library's own choice")
    parser.add_argument("--cpu-time", action="store_true",
                        help="CPU time of the process instead of wall time, on one thread per library "
                             "(implies --threads 1): the work done, whatever else the machine runs")
    parser.add_argument("--profile", action="store_true", help="cProfile 10 minigrad steps")
    parser.add_argument("--ops", action="store_true", help="where the time goes, per op (minigrad and torch)")
    parser.add_argument("--keep-freed-memory", action="store_true",
                        help="ask glibc to keep freed memory instead of returning it to the OS (applies to "
                             "both libraries): large temporaries then stop page-faulting on every step")
    args = parser.parse_args()
    if args.keep_freed_memory:
        keep_freed_memory()
    step = make_step(mg)
    if args.ops:
        op_times(step)
        if torch is not None:
            torch_op_times(torch, make_step(torch))
        return
    if args.profile:
        step()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(10):
            step()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    limits = None
    if args.cpu_time:
        args.threads = 1
    if args.threads:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    contenders = {"minigrad": step}
    if torch is not None:
        contenders["torch"] = make_step(torch)
    times = interleaved(contenders, args.rounds, args.steps,
                        clock=time.process_time if args.cpu_time else time.perf_counter)
    print(thread_counts(torch) + (", glibc keeps freed memory" if args.keep_freed_memory else ""))
    report(f"CNN step, batch {BATCH} of 1x28x28, {args.rounds} rounds of {args.steps} steps"
           + (", CPU time of the process" if args.cpu_time else ""), times)
    if torch is None:
        print("torch not installed: no reference figure (pip install torch to compare)")
    if limits is not None:
        limits.unregister()


if __name__ == "__main__":
    main()
