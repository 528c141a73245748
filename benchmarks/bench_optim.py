"""One ``Adam.step()`` over 200 parameters of 64x64, gradients given (issue 14's workload).

Compared in one process, rounds interleaved: minigrad's default (fast) path and its
per-parameter reference path (``foreach=False``), PyTorch's ``torch.optim.Adam`` with its
defaults, DeZero's ``optimizers.Adam`` and a NumPy loop written by hand, all float32 with default
thread settings, each on the same weights and gradients. PyTorch and DeZero are optional.

    python benchmarks/bench_optim.py [--rounds 7] [--number 20]
"""

import argparse
import math
import os
import platform
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402
from _timing import interleaved, summary, threads  # noqa: E402

import minigrad as mg  # noqa: E402

SHAPES = [(64, 64)] * 200
LR = 1e-3


def arrays(seed=0):
    rng = np.random.default_rng(seed)
    return ([rng.standard_normal(s, dtype=np.float32) for s in SHAPES],
            [rng.standard_normal(s, dtype=np.float32) for s in SHAPES])


def minigrad_step(weights, grads, **path):
    params = [mg.tensor(w.copy(), requires_grad=True) for w in weights]
    for p, g in zip(params, grads):
        p.grad = mg.tensor(g)
    return mg.optim.Adam(params, lr=LR, **path).step


def numpy_step(weights, grads, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam written by hand: a loop over the parameters, PyTorch's formula."""
    params = [w.copy() for w in weights]
    ms = [np.zeros_like(w) for w in weights]
    vs = [np.zeros_like(w) for w in weights]
    t = [0]

    def step():
        t[0] += 1
        step_size = LR / (1 - beta1 ** t[0])
        root_bc2 = math.sqrt(1 - beta2 ** t[0])
        for p, g, m, v in zip(params, grads, ms, vs):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            p -= step_size * m / (np.sqrt(v) / root_bc2 + eps)
    return step


def torch_step(weights, grads):
    import torch
    params = [torch.tensor(w.copy(), requires_grad=True) for w in weights]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    return torch.optim.Adam(params, lr=LR).step


def dezero_step(weights, grads):
    if not hasattr(np, "int"):
        np.int = int  # DeZero 0.0.13 still names NumPy's removed alias at import
    import dezero
    layer = dezero.Layer()
    for i, (w, g) in enumerate(zip(weights, grads)):
        p = dezero.Parameter(w.copy())
        p.grad = dezero.Variable(g)
        setattr(layer, f"p{i}", p)
    return dezero.optimizers.Adam(alpha=LR).setup(layer).update


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=20, help="steps per round")
    args = parser.parse_args(argv)
    weights, grads = arrays()
    fns = {"minigrad Adam": minigrad_step(weights, grads),
           "minigrad Adam (reference)": minigrad_step(weights, grads, foreach=False),
           "NumPy by hand": numpy_step(weights, grads)}
    for name, make in (("PyTorch Adam", torch_step), ("DeZero Adam", dezero_step)):
        try:
            fns[name] = make(weights, grads)
        except ImportError:
            print(f"({name}: not installed)")
    times = interleaved(fns, args.rounds, args.number)
    print(f"Adam.step(), 200 parameters of 64x64, float32; numpy {np.__version__}, "
          f"{platform.processor() or platform.machine()}; threads: {threads()}")
    print(f"{args.rounds} interleaved rounds of {args.number} steps")
    print(summary(times, reference=["PyTorch Adam", "DeZero Adam"]))


if __name__ == "__main__":
    main()
