"""The cliff: one huge gradient throws gradient descent far away; clipping its norm keeps the step small.

The loss f(w) = (w − 4)²/8 + 20·σ(10(1 − w)) (σ the logistic sigmoid) is a gentle bowl around
w = 4 with a cliff 20 high at w = 1: left of it a plateau, right of it the bowl. On the cliff face
the slope is up to 20·10/4 = 50, against |w − 4|/4 < 1 on the bowl between the cliff and the
minimum.

Gradient descent with η = 0.5 from w = 0.9, on the cliff's edge, gets the gradient
f'(0.9) = (0.9 − 4)/4 − 200·σ(1)(1 − σ(1)) ≈ −40.1 and steps 0.5 · 40.1 ≈ 20 to the right: it
jumps clean over the bowl to w ≈ 21, where the loss is higher than where it started, and then
needs dozens of steps to walk back (each one shrinks the distance to 4 by 1 − η/4 = 0.875).

With ``nn.utils.clip_grad_norm_(w, max_norm=1)`` the gradient keeps its direction but its norm
is capped at 1, so no step is longer than η·1 = 0.5: the run walks down the cliff and into the
bowl. Clipping only acts where the gradient is too large; in the bowl it changes nothing. Pictures
go to ``runs/clipping_cliff/``.

    python examples/clipping_cliff.py
"""

import argparse
import os

# Scalars only: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402

MINIMUM = 4.0


def loss(w):
    """f(w) = (w − 4)²/8 + 20·σ(10(1 − w)) on a tensor or a NumPy array."""
    if isinstance(w, np.ndarray):
        return (w - 4) ** 2 / 8 + 20 / (1 + np.exp(-10 * (1 - w)))
    return (w - 4) ** 2 / 8 + 20 * (10 * (1 - w)).sigmoid()


def descend(start, lr, steps, max_norm=None):
    w = mg.tensor([start], dtype=mg.float64, requires_grad=True)
    opt = optim.SGD([w], lr=lr)
    path, grads = [start], []
    for _ in range(steps):
        opt.zero_grad()
        loss(w).sum().backward()
        grads.append(w.grad.item())
        if max_norm is not None:
            nn.utils.clip_grad_norm_([w], max_norm)
        opt.step()
        path.append(w.item())
    return np.array(path), np.array(grads)


def plot(runs, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"no clipping": "#d62728", "clip_grad_norm_(max_norm=1)": "#1f77b4"}
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
    ws = np.linspace(-1, 23, 600)
    left.plot(ws, loss(ws), color="0.4", lw=1.2)
    for name, (path, _) in runs.items():
        left.plot(path[:12], loss(path[:12]), "o-", color=colors[name], ms=4, lw=0.9,
                  label=f"{name}, first 11 steps")
        right.semilogy(np.abs(path - MINIMUM), color=colors[name], lw=1.5, label=name)
    left.set(title="the cliff at w = 1; the bowl's minimum at w = 4", xlabel="w", ylabel="f(w)")
    left.legend(fontsize=8)
    right.set(title="distance from the minimum |w − 4|", xlabel="step", ylabel="|w − 4|")
    right.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "clipping_cliff.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="The cliff: gradient descent with and without clipping.")
    parser.add_argument("--start", type=float, default=0.9)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--out", default="runs/clipping_cliff")
    args = parser.parse_args(argv)

    print(f"f(w) = (w − 4)²/8 + 20·σ(10(1 − w)), from w = {args.start}, lr {args.lr}, {args.steps} steps")
    runs = {}
    for name, max_norm in (("no clipping", None), ("clip_grad_norm_(max_norm=1)", 1.0)):
        path, grads = runs[name] = descend(args.start, args.lr, args.steps, max_norm)
        near = np.nonzero(np.abs(path - MINIMUM) < 0.01)[0]
        print(f"  {name}: gradient at start {grads[0]:.4f}, first step {path[1] - path[0]:+.4f} "
              f"to w = {path[1]:.4f} (f = {loss(np.array(path[1])):.4f})\n"
              f"      farthest |w − 4| {np.abs(path - MINIMUM).max():.4f}, within 0.01 of 4 after "
              f"{near[0] if len(near) else 'more than ' + str(args.steps)} steps", flush=True)
    print(f"  f at the start: {loss(np.array(args.start)):.4f}")
    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(runs, args.out)}")
    return runs


if __name__ == "__main__":
    main()
