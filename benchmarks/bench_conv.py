"""Conv net training step: minigrad vs. PyTorch CPU (when installed) in the same process.

The net of issue 3: conv 1->16 3x3 (padding 1), ReLU, max-pool 2, conv 16->32 3x3 (padding 1),
ReLU, max-pool 2, linear 32·7·7 -> 10; a batch of 64 1x28x28 images, cross-entropy, backward,
and a plain SGD update. Reports the best mean milliseconds per step over a few rounds (the
machine is shared and noisy) and the ratio minigrad / PyTorch.

Run: python benchmarks/bench_conv.py [--repeat 5] [--steps 10] [--threads N] [--profile]
"""

import argparse
import cProfile
import os
import pstats
import time

import numpy as np

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


def best_ms(step, repeat, steps):
    step()  # warm-up: allocations, lazy imports
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - start) / steps)
    return best * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for PyTorch (default: its own choice); minigrad's BLAS reads "
                             "OMP_NUM_THREADS/OPENBLAS_NUM_THREADS from the environment")
    parser.add_argument("--profile", action="store_true", help="cProfile 10 minigrad steps")
    args = parser.parse_args()

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

    print(f"conv net training step, batch {BATCH} of 1x28x28, {os.cpu_count()} CPUs, "
          f"numpy {np.__version__}")
    t_mg = best_ms(step, args.repeat, args.steps)
    print(f"minigrad  {t_mg:8.2f} ms/step")
    if torch is None:
        print("torch not installed: no reference figure (pip install torch to compare)")
        return
    if args.threads:
        torch.set_num_threads(args.threads)
    t_torch = best_ms(torch_step(), args.repeat, args.steps)
    print(f"torch     {t_torch:8.2f} ms/step  (torch {torch.__version__}, {torch.get_num_threads()} threads)")
    print(f"ratio     {t_mg / t_torch:8.2f}x  (minigrad / torch; target <= 2)")


if __name__ == "__main__":
    main()
