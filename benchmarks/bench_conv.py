"""Conv net training step: minigrad vs. PyTorch CPU (when installed) in the same process.

The net of issue 3: conv 1->16 3x3 (padding 1), ReLU, max-pool 2, conv 16->32 3x3 (padding 1),
ReLU, max-pool 2, linear 32·7·7 -> 10; a batch of 64 1x28x28 images, cross-entropy, backward,
and a plain SGD update. Reports the best mean milliseconds per step over a few rounds (the
machine is shared and noisy) and the ratio minigrad / PyTorch.

Measured (2026-11-22, 2 shared vCPUs, numpy 2.4 + OpenBLAS, torch 2.13.0+cpu, ``--threads 1``):
minigrad 18-24 ms/step, torch 13-14 ms/step, ratio 1.4-1.9x; with ``--keep-freed-memory`` the
ratio is about 1.4-1.5x. Two threads on this loaded machine swing from 0.6x to 3x run to run.

Run: python benchmarks/bench_conv.py [--repeat 5] [--steps 10] [--threads N] [--profile]
(from the repository root, with minigrad importable, e.g. ``PYTHONPATH=.``).
"""

import argparse
import cProfile
import os
import pstats
import time

import numpy as np
from _memory import keep_freed_memory

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F

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


def minigrad_step():
    mg.manual_seed(0)
    model = build(nn)
    x_np, y_np = data()
    x, y = mg.tensor(x_np), mg.tensor(y_np)
    params = list(model.parameters())

    def step():
        loss = F.cross_entropy(model(x), y)
        for p in params:
            p.grad = None
        loss.backward()
        with mg.no_grad():
            for p in params:
                p -= LR * p.grad
        return loss
    return step


def torch_step():
    torch.manual_seed(0)
    model = build(torch.nn)
    x_np, y_np = data()
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    params = list(model.parameters())

    def step():
        loss = torch.nn.functional.cross_entropy(model(x), y)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
        return loss
    return step


def mean_ms(step, steps):
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps * 1e3


def compare(steps_by_name, repeat, steps):
    """Best mean ms/step of each contender, rounds interleaved so load changes hit all alike."""
    for step in steps_by_name.values():
        step()  # warm-up: allocations, lazy imports
    best = {name: float("inf") for name in steps_by_name}
    for _ in range(repeat):
        for name, step in steps_by_name.items():
            best[name] = min(best[name], mean_ms(step, steps))
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads for minigrad (via threadpoolctl) and torch's threads; "
                             "default: each library's own choice")
    parser.add_argument("--profile", action="store_true", help="cProfile 10 minigrad steps")
    parser.add_argument("--keep-freed-memory", action="store_true",
                        help="ask glibc to keep freed memory instead of returning it to the OS (applies to "
                             "both libraries): large temporaries then stop page-faulting on every step")
    args = parser.parse_args()
    if args.keep_freed_memory:
        keep_freed_memory()

    step = minigrad_step()
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
    if args.threads:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    contenders = {"minigrad": step}
    if torch is not None:
        contenders["torch"] = torch_step()
    best = compare(contenders, args.repeat, args.steps)
    print(f"conv net training step, batch {BATCH} of 1x28x28, {os.cpu_count()} CPUs, numpy {np.__version__}, "
          f"threads: {args.threads or 'default'}"
          + (", glibc keeps freed memory" if args.keep_freed_memory else ""))
    print(f"minigrad  {best['minigrad']:8.2f} ms/step")
    if torch is None:
        print("torch not installed: no reference figure (pip install torch to compare)")
    else:
        print(f"torch     {best['torch']:8.2f} ms/step  "
              f"(torch {torch.__version__}, {torch.get_num_threads()} threads)")
        print(f"ratio     {best['minigrad'] / best['torch']:8.2f}x  (minigrad / torch; target <= 2)")
    if limits is not None:
        limits.unregister()


if __name__ == "__main__":
    main()
