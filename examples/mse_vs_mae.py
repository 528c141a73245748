"""MSE against MAE on data with outliers: the squared error lets a few bad points pull the fit.

Forty-one points lie near the line y = 2x + 1 (noise N(0, 0.1²)); four more are outliers, 8 units
too high. A line is fitted to all 45 by gradient descent twice, once with the mean squared error
(``nn.MSELoss``, L2) and once with the mean absolute error (``nn.L1Loss``, L1).

* A residual r costs r² under MSE, so its pull on the fit (the gradient, 2r) grows with its size:
  the four outliers, with residuals near 8, outweigh the 41 good points and tilt the line.
* Under MAE it costs |r|, whose gradient is ±1 whatever the size: an outlier pulls no harder than
  a good point, so the fit stays with the majority. MAE is less affected by outliers, not
  unaffected: each one still counts, as one point.

The same holds for the simplest model, one constant c: MSE is minimised by the mean of the
targets, which the outliers drag up, MAE by their median, which barely moves. The script fits c
both ways with ``optim.Adam`` and prints both beside the mean and the median. Pictures and the
data go to ``runs/mse_vs_mae/``.

    python examples/mse_vs_mae.py
"""

import argparse
import json
import os

# Small arrays: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402


def make_data(seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 1, 45))
    y = 2 * x + 1 + rng.normal(0, 0.1, 45)
    outliers = rng.choice(45, 4, replace=False)
    y[outliers] += 8.0
    return x, y, np.sort(outliers)


def fit(model, loss_fn, x, y, steps, lr):
    """Full-batch Adam with the learning rate decaying 100x, so that even MAE's ±1 gradients settle."""
    opt = optim.Adam(model.parameters(), lr=lr)
    schedule = optim.lr_scheduler.ExponentialLR(opt, gamma=0.01 ** (1 / steps))
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()
    with mg.no_grad():
        return loss_fn(model(x), y).item()


class Constant(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Parameter(mg.zeros(1, dtype=mg.float64))

    def forward(self, x):
        return self.c.expand(x.shape[0], 1)


def plot(x, y, outliers, lines, constants, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4), gridspec_kw=dict(width_ratios=[1.4, 1]))
    good = np.setdiff1d(np.arange(len(x)), outliers)
    left.plot(x[good], y[good], "o", color="0.35", ms=4, label="data")
    left.plot(x[outliers], y[outliers], "o", color="k", mfc="none", ms=7, label="outliers (+8)")
    grid = np.linspace(0, 1, 2)
    left.plot(grid, 2 * grid + 1, ":", color="0.5", label="true line y = 2x + 1")
    colors = {"MSE": "#d62728", "MAE": "#1f77b4"}
    for name, (w, b) in lines.items():
        left.plot(grid, w * grid + b, color=colors[name], lw=1.8, label=f"{name} fit: y = {w:.2f}x + {b:.2f}")
    left.set(title="a line fitted with MSE and with MAE", xlabel="x", ylabel="y")
    left.legend(fontsize=8)
    right.hist(y, bins=30, color="0.7")
    for name, c in constants.items():
        right.axvline(c, color=colors[name], lw=1.8, label=f"{name} constant {c:.3f}")
    right.set(title="one constant: MSE → the mean, MAE → the median", xlabel="y", ylabel="count")
    right.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "mse_vs_mae.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="MSE vs MAE on data with outliers.")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/mse_vs_mae")
    args = parser.parse_args(argv)

    x_np, y_np, outliers = make_data(args.seed)
    x = mg.tensor(x_np[:, None], dtype=mg.float64)
    y = mg.tensor(y_np[:, None], dtype=mg.float64)
    print(f"45 points near y = 2x + 1, 4 of them (indices {outliers.tolist()}) 8 too high; "
          f"{args.steps} steps of Adam")
    lines, constants = {}, {}
    for name, loss_fn in (("MSE", nn.MSELoss()), ("MAE", nn.L1Loss())):
        mg.manual_seed(args.seed)
        line = nn.Linear(1, 1, dtype=mg.float64)
        loss = fit(line, loss_fn, x, y, args.steps, args.lr)
        lines[name] = (line.weight.item(), line.bias.item())
        print(f"  {name} line:     y = {lines[name][0]:.4f}x + {lines[name][1]:.4f}   ({name} {loss:.5f})",
              flush=True)
    for name, loss_fn in (("MSE", nn.MSELoss()), ("MAE", nn.L1Loss())):
        const = Constant()
        fit(const, loss_fn, x, y, args.steps, args.lr)
        constants[name] = const.c.item()
        print(f"  {name} constant: c = {constants[name]:.4f}", flush=True)
    print(f"  the targets' mean {y_np.mean():.4f}, median {np.median(y_np):.4f}")

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "data.json"), "w") as fh:
        json.dump({"x": x_np.tolist(), "y": y_np.tolist()}, fh)
    print(f"\nplot: {plot(x_np, y_np, outliers, lines, constants, args.out)}")
    return lines, constants


if __name__ == "__main__":
    main()
