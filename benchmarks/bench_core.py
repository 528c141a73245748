"""Core benchmarks: per-op overhead, a long chain, and an MLP training step vs. hand-written NumPy.

Run: python benchmarks/bench_core.py [--repeat N]. Figures are ratios measured in one process
(the machine is noisy); torch is used for a reference when it is installed, and said when not.
"""

import argparse
import sys
import time

import numpy as np
from _memory import keep_freed_memory

import minigrad as mg

try:
    import torch
except ImportError:
    torch = None


def best_of(fn, repeat, number):
    """Best mean time per call (seconds) over ``repeat`` rounds of ``number`` calls."""
    return best_of_each([fn], repeat, number)[0]


def best_of_each(fns, repeat, number):
    """``best_of`` for several functions, their rounds interleaved so that a slow spell of the
    machine hits them all alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            for _ in range(number):
                fn()
            best[i] = min(best[i], (time.perf_counter() - start) / number)
    return best


# --- per-op overhead -------------------------------------------------------------------------------
OPS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "tanh": lambda a, b: a.tanh(),
    "matmul": lambda a, b: a @ b,
    "sum": lambda a, b: a.sum(),
    "getitem": lambda a, b: a[1:3],
}


def per_op_overhead(repeat):
    rows = []
    x_np = np.random.default_rng(0).standard_normal((4, 4)).astype(np.float32)
    for name, op in OPS.items():
        a = mg.tensor(x_np, requires_grad=True)
        b = mg.tensor(x_np, requires_grad=True)

        def step(op=op, a=a, b=b):
            op(a, b).sum().backward()
        if torch is None:
            rows.append((name, best_of(step, repeat, 2000), None))
            continue
        ta = torch.tensor(x_np, requires_grad=True)
        tb = torch.tensor(x_np, requires_grad=True)

        def tstep(op=op, ta=ta, tb=tb):
            op(ta, tb).sum().backward()
        rows.append((name, *best_of_each([step, tstep], repeat, 2000)))
    return rows


def chain(n, repeat):
    x = mg.tensor(1.0, requires_grad=True)

    def run():
        y = x
        for _ in range(n):
            y = y * 1.0001
        y.backward()
    return best_of(run, repeat, 1)


# --- MLP step ----------------------------------------------------------------------------------------
def mlp_params(rng, sizes=(784, 512, 256, 10)):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return params


def numpy_step(params, x, y, lr=0.01):
    """Forward, softmax cross-entropy and backward of the MLP written by hand in NumPy."""
    w1, b1, w2, b2, w3, b3 = params
    h1 = x @ w1 + b1
    a1 = np.maximum(h1, 0)
    h2 = a1 @ w2 + b2
    a2 = np.maximum(h2, 0)
    logits = a2 @ w3 + b3
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = x.shape[0]
    loss = -log_p[np.arange(n), y].mean()
    d_logits = np.exp(log_p)
    d_logits[np.arange(n), y] -= 1
    d_logits /= n
    g_w3 = a2.T @ d_logits
    g_b3 = d_logits.sum(axis=0)
    d_a2 = d_logits @ w3.T
    d_h2 = d_a2 * (h2 > 0)
    g_w2 = a1.T @ d_h2
    g_b2 = d_h2.sum(axis=0)
    d_a1 = d_h2 @ w2.T
    d_h1 = d_a1 * (h1 > 0)
    g_w1 = x.T @ d_h1
    g_b1 = d_h1.sum(axis=0)
    for p, g in zip(params, (g_w1, g_b1, g_w2, g_b2, g_w3, g_b3)):
        p -= lr * g
    return loss


def minigrad_step(params, x, y, lr=0.01):
    w1, b1, w2, b2, w3, b3 = params
    a1 = (x @ w1 + b1).relu()
    a2 = (a1 @ w2 + b2).relu()
    logits = a2 @ w3 + b3
    loss = -logits.log_softmax(1).gather(1, y.unsqueeze(1)).mean()
    for p in params:
        p.grad = None
    loss.backward()
    with mg.no_grad():
        for p in params:
            p -= lr * p.grad
    return loss


def nn_model(np_params):
    """The same MLP as users write it: nn.Linear layers, F.cross_entropy and optim.SGD."""
    import minigrad.nn as nn
    import minigrad.nn.functional as F
    from minigrad.optim import SGD

    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    linears = [m for m in model if isinstance(m, nn.Linear)]
    with mg.no_grad():
        for layer, w, b in zip(linears, np_params[::2], np_params[1::2]):
            layer.weight.copy_(mg.tensor(w.T.copy()))
            layer.bias.copy_(mg.tensor(b))
    optimizer = SGD(model.parameters(), lr=0.01)

    def step(x, y):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss
    return step


def mlp(batch, repeat):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 784)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    np_params = mlp_params(rng)
    mg_params = [mg.tensor(p, requires_grad=True) for p in np_params]
    x_mg, y_mg = mg.tensor(x), mg.tensor(y)
    nn_step = nn_model(np_params)
    return best_of_each([lambda: numpy_step(np_params, x, y), lambda: minigrad_step(mg_params, x_mg, y_mg),
                         lambda: nn_step(x_mg, y_mg)], repeat, 20)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep-freed-memory", action="store_true",
                        help="ask glibc to keep freed memory (for NumPy and minigrad alike), so large "
                             "temporaries stop page-faulting on every step")
    args = parser.parse_args(argv)
    if args.keep_freed_memory:
        keep_freed_memory()
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"torch {torch.__version__ if torch else 'not installed (no PyTorch reference)'}")
    n = 20_000
    print(f"\n{n:,}-op chain forward + backward: {chain(n, args.repeat) * 1e3:.1f} ms")
    print("\nMLP 784-512-256-10 training step (forward, cross-entropy, backward, SGD update), ms;"
          " ratio to hand-written NumPy (target <= 1.25)")
    for batch in (64, 128, 256):
        t_np, t_mg, t_nn = mlp(batch, args.repeat)
        print(f"  batch {batch:3d}: NumPy by hand {t_np * 1e3:6.2f} | minigrad tensor ops {t_mg * 1e3:6.2f} "
              f"({t_mg / t_np:.2f}x) | minigrad nn + optim {t_nn * 1e3:6.2f} ({t_nn / t_np:.2f}x)")
    # last: once torch has run, its OpenMP threads keep spinning and slow NumPy's BLAS
    print("\nper-op overhead, forward + .sum() + backward on 4x4 float32 (us per step)")
    for name, t_mg, t_torch in per_op_overhead(args.repeat):
        ref = f"  torch {t_torch * 1e6:7.1f}  ratio {t_mg / t_torch:4.2f}" if t_torch else ""
        print(f"  {name:8s} minigrad {t_mg * 1e6:7.1f}{ref}")


if __name__ == "__main__":
    main()
