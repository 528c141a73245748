"""Gradient descent on f(x) = x² with learning rates from 0.01 to 1000.

The gradient is f'(x) = 2x, so one step is

    x ← x − η·2x = (1 − 2η)·x,    hence x_t = (1 − 2η)^t · x_0,

and the error shrinks by the factor |1 − 2η| per step (the convergence rate):

* η = 0.01: rate 0.98, converges slowly;  η = 0.1: rate 0.8, converges fast;
* η = 0.5: rate 0, the minimum in one step (η = 1/f'' = 1/2, Newton's step);
* η = 0.75: 1 − 2η = −0.5, the iterate changes sign every step and still converges (0.5 < η < 1);
* η = 1: rate 1, jumps between +x_0 and −x_0 forever;
* η = 100, 1000: rate 199, 1999, diverges.

minigrad computes each gradient with ``backward()``; the script checks the iterates against the
closed form and plots them and the rate |1 − 2η| against η.

    python examples/gradient_descent_lr.py            # writes runs/gradient_descent_lr/*.png
"""

import argparse
import os

# Scalars only: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import minigrad as mg  # noqa: E402

LEARNING_RATES = (0.01, 0.1, 0.5, 0.75, 1.0, 100.0, 1000.0)


def descend(lr, x0, steps):
    """The iterates x_0 … x_steps of gradient descent on x², gradients by autograd."""
    x = mg.tensor(x0, dtype=mg.float64, requires_grad=True)
    path = [x.item()]
    for _ in range(steps):
        loss = x ** 2
        loss.backward()
        with mg.no_grad():
            x -= lr * x.grad
        x.grad = None
        path.append(x.item())
    return path


def verdict(lr):
    factor = abs(1 - 2 * lr)
    if factor == 0:
        return "reaches the minimum in one step"
    if factor < 1 and 1 - 2 * lr < 0:
        return "oscillates in sign and converges"
    if factor < 1:
        return "converges" + (" slowly" if factor > 0.9 else " fast")
    if factor == 1:
        return "oscillates between +x0 and -x0"
    return "diverges"


def plot(paths, x0, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, (left, mid, right) = plt.subplots(1, 3, figsize=(15, 4.2))
    grid = np.linspace(-1.25 * abs(x0), 1.25 * abs(x0), 200)
    left.plot(grid, grid ** 2, color="0.6", lw=1)
    for lr, marker in ((0.01, "o"), (0.1, "s"), (0.5, "D"), (0.75, "v"), (1.0, "^")):
        xs = np.array(paths[lr][:12])
        left.plot(xs, xs ** 2, marker=marker, ms=4, lw=0.8, label=f"η = {lr:g}")
    left.set(title="the first iterates on f(x) = x²", xlabel="x", ylabel="f(x)", ylim=(-0.05, 2.0))
    left.legend(loc="upper center", ncol=3, fontsize=8)
    for lr, xs in paths.items():
        xs = np.abs(np.array(xs))
        mid.semilogy(np.where(xs > 0, xs, np.nan), marker=".", label=f"η = {lr:g}: {verdict(lr)}")
    mid.set(title="|x_t| (log scale; η = 0.5 is 0 after one step)", xlabel="step t", ylabel="|x_t|",
            ylim=(1e-10, 1e8))  # the diverging runs leave the window upwards: the rest stays legible
    mid.legend(fontsize=7)
    etas = np.linspace(0, 1.25, 251)
    right.plot(etas, np.abs(1 - 2 * etas), color="0.3", lw=1.2)
    right.axhline(1.0, color="#d62728", lw=0.8, ls=":")
    for lr in paths:
        if lr <= 1.25:
            right.plot(lr, abs(1 - 2 * lr), "o", ms=6)
            right.annotate(f"η = {lr:g}", (lr, abs(1 - 2 * lr)), textcoords="offset points", xytext=(5, 4),
                           fontsize=8)
    right.set(title="rate |1 − 2η|: the error's factor per step", xlabel="η", ylabel="|1 − 2η|",
              ylim=(-0.05, 1.6))
    right.text(0.05, 1.1, "above 1: diverges", color="#d62728", fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "gradient_descent_lr.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Gradient descent on x² with seven learning rates.")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--x0", type=float, default=1.0)
    parser.add_argument("--out", default="runs/gradient_descent_lr")
    args = parser.parse_args(argv)

    paths = {}
    print(f"f(x) = x², x0 = {args.x0:g}, {args.steps} steps; x_t = (1 - 2η)^t x0")
    print(f"  {'η':>6s}  {'1 - 2η':>8s}  {'rate':>6s}  {'x after 1 step':>15s}  "
          f"{f'x after {args.steps}':>15s}  "
          f"{'closed form':>15s}  behaviour")
    for lr in LEARNING_RATES:
        xs = paths[lr] = descend(lr, args.x0, args.steps)
        closed = (1 - 2 * lr) ** args.steps * args.x0
        assert abs(xs[-1] - closed) <= 1e-9 * max(1.0, abs(closed)), (lr, xs[-1], closed)
        print(f"  {lr:6g}  {1 - 2 * lr:8g}  {abs(1 - 2 * lr):6g}  {xs[1]:15.6g}  {xs[-1]:15.6g}  "
              f"{closed:15.6g}  {verdict(lr)}")

    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(paths, args.x0, args.out)}")
    return paths


if __name__ == "__main__":
    main()
