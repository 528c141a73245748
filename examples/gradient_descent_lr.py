"""Gradient descent on f(x) = x² with learning rates 0.01, 0.1, 1, 100 and 1000.

The course's first exercise. The gradient is f'(x) = 2x, so one step is

    x ← x − η·2x = (1 − 2η)·x,    hence x_t = (1 − 2η)^t · x_0.

|1 − 2η| < 1 converges (slowly for η = 0.01, fast for η = 0.1), |1 − 2η| = 1 (η = 1) jumps between
+x_0 and −x_0 forever, |1 − 2η| > 1 (η = 100, 1000) diverges. minigrad computes each gradient with
``backward()``; the script checks it against the closed form and plots the iterates.

    python examples/gradient_descent_lr.py            # writes runs/gradient_descent_lr/*.png
"""

import argparse
import os

import minigrad as mg

LEARNING_RATES = (0.01, 0.1, 1.0, 100.0, 1000.0)


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

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    grid = np.linspace(-1.25 * abs(x0), 1.25 * abs(x0), 200)
    left.plot(grid, grid ** 2, color="0.6", lw=1)
    for lr, marker in ((0.01, "o"), (0.1, "s"), (1.0, "^")):
        xs = np.array(paths[lr][:12])
        left.plot(xs, xs ** 2, marker=marker, ms=4, lw=0.8, label=f"η = {lr:g}")
    left.set(title="the first iterates on f(x) = x²", xlabel="x", ylabel="f(x)")
    left.legend()
    for lr, xs in paths.items():
        right.semilogy(np.abs(np.array(xs)) + 1e-300, marker=".", label=f"η = {lr:g}: {verdict(lr)}")
    right.set(title="|x_t| (log scale)", xlabel="step t", ylabel="|x_t|")
    right.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "gradient_descent_lr.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Gradient descent on x² with five learning rates.")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--x0", type=float, default=1.0)
    parser.add_argument("--out", default="runs/gradient_descent_lr")
    args = parser.parse_args(argv)

    paths = {}
    print(f"f(x) = x², x0 = {args.x0:g}, {args.steps} steps; x_t = (1 - 2η)^t x0")
    print(f"  {'η':>6s}  {'1 - 2η':>8s}  {'x after 1 step':>15s}  {f'x after {args.steps}':>15s}  "
          f"{'closed form':>15s}  behaviour")
    for lr in LEARNING_RATES:
        xs = paths[lr] = descend(lr, args.x0, args.steps)
        closed = (1 - 2 * lr) ** args.steps * args.x0
        assert abs(xs[-1] - closed) <= 1e-9 * max(1.0, abs(closed)), (lr, xs[-1], closed)
        print(f"  {lr:6g}  {1 - 2 * lr:8g}  {xs[1]:15.6g}  {xs[-1]:15.6g}  {closed:15.6g}  {verdict(lr)}")

    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(paths, args.x0, args.out)}")
    return paths


if __name__ == "__main__":
    main()
