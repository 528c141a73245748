"""SGD's noise: full-batch gradient descent stalls at a saddle point; mini-batches escape it.

The loss is an average over N samples (a_i, c_i),

    L(x, y) = 1/N Σ_i f_i(x, y),   f_i(x, y) = x² + y⁴/4 − y²/2 + a_i x + c_i y,

with the a_i and c_i drawn from N(0, σ²) and then centred so that they average exactly 0. The
full loss is therefore F(x, y) = x² + y⁴/4 − y²/2: a saddle point at (0, 0) with F = 0 (a
minimum along x, a maximum along y) between two minima at (0, ±1) with F = 1/4 − 1/2 = −0.25.

Started on the ridge y = 0, full-batch gradient descent never sees a slope in y (∂F/∂y = y³ − y
is exactly 0 there) and slides into the saddle, where the gradient vanishes and it stops. A
mini-batch of B samples has the gradient of F plus noise of standard deviation σ/√B, which
pushes y off the ridge; once off, the slope grows (y ← y + η(y − y³)) and the run falls into one
of the minima. Smaller batches are noisier: they leave the ridge sooner and keep jittering
around the minimum afterwards; larger ones take a smoother, slower-to-escape path.

Every run uses ``DataLoader`` (shuffled, epochs repeated as needed) and ``optim.SGD`` for the
same number of steps. Pictures go to ``runs/sgd_noise/``.

    python examples/sgd_noise.py
"""

import argparse
import os

# Tiny arrays: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.optim as optim  # noqa: E402
from minigrad.data import DataLoader, TensorDataset  # noqa: E402

START = (1.5, 0.0)


def full_loss(x, y):
    """F(x, y) = x² + y⁴/4 − y²/2 (works on floats, arrays and tensors)."""
    return x * x + y ** 4 / 4 - y * y / 2


def make_data(n, sigma, seed):
    """N noise samples (a_i, c_i) that sum to exactly 0, so the full batch sees exactly F.

    They are whole multiples of 1/1024, so every partial sum is exact in floating point: otherwise
    a round-off of 1e-17 in the full-batch mean would itself be a (very slow) push off the ridge.
    Centring subtracts the mean rounded to a tick, which leaves a sum of at most N/2 ticks; that
    remainder is taken off one tick at a time from as many samples, so no sample moves by more
    than the mean plus 1/1024.
    """
    rng = np.random.default_rng(seed)
    ticks = np.rint(rng.normal(0.0, sigma, (n, 2)) * 1024)
    ticks -= np.rint(ticks.mean(axis=0))
    for column, left in enumerate(ticks.sum(axis=0).astype(int)):
        ticks[:abs(left), column] -= np.sign(left)
    return TensorDataset(mg.tensor(ticks / 1024, dtype=mg.float64))


def descend(data, batch_size, steps, lr, seed):
    """SGD on mini-batches of ``batch_size``; returns the ``(steps + 1, 2)`` positions."""
    theta = mg.tensor(START, dtype=mg.float64, requires_grad=True)
    opt = optim.SGD([theta], lr=lr)
    loader = DataLoader(data, batch_size=batch_size, shuffle=True, generator=mg.Generator().manual_seed(seed))
    path = [START]
    while len(path) <= steps:
        for (noise,) in loader:
            x, y = theta[0], theta[1]
            loss = full_loss(x, y) + (noise[:, 0] * x + noise[:, 1] * y).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            path.append(tuple(theta.tolist()))
            if len(path) > steps:
                break
    return np.array(path)


def plot(paths, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = plt.get_cmap("plasma")(np.linspace(0.0, 0.8, len(paths)))
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw=dict(width_ratios=[1.1, 1]))
    xs, ys = np.meshgrid(np.linspace(-1.8, 1.8, 240), np.linspace(-1.6, 1.6, 240))
    cs = left.contour(xs, ys, full_loss(xs, ys), levels=np.linspace(-0.24, 3, 19), colors="0.7",
                      linewidths=0.6)
    left.clabel(cs, cs.levels[::4], fontsize=7)
    for (label, p), c in zip(paths.items(), colors):
        full = "full batch" in label  # drawn thick, dashed and on top: it stays on the ridge
        c = "k" if full else c
        style = dict(ls="--", lw=2.0, zorder=5) if full else dict(ls="-", lw=1.0, alpha=0.85)
        left.plot(p[:, 0], p[:, 1], color=c, label=label, **style)
        left.plot(*p[-1], "o", color=c, ms=6, markeredgecolor="white", zorder=6)
        right.plot(full_loss(p[:, 0], p[:, 1]), color=c, label=label, **style)
    left.plot(*START, "ko", ms=6)
    left.plot(0, 0, "x", color="tab:red", ms=10, mew=2.5, zorder=7)
    left.plot([0, 0], [-1, 1], "*", color="gold", ms=14, markeredgecolor="k", ls="none", zorder=8)
    left.set(title="paths on F(x, y) = x² + y⁴/4 − y²/2 (× saddle, ★ minima)", xlabel="x", ylabel="y",
             aspect="equal")
    left.legend(fontsize=8, loc="upper left")
    right.axhline(0.0, color="0.5", ls=":", lw=0.8)
    right.axhline(-0.25, color="goldenrod", ls=":", lw=0.8)
    right.set(title="full loss F along each path (saddle 0, minima −0.25)", xlabel="step", ylabel="F",
              ylim=(-0.3, 1.0))
    right.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "sgd_noise.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Full-batch GD stalls at a saddle; mini-batch SGD escapes.")
    parser.add_argument("--n", type=int, default=256, help="samples")
    parser.add_argument("--sigma", type=float, default=1.0, help="spread of the per-sample noise")
    parser.add_argument("--batch-sizes", default="1,8,64", help="comma-separated mini-batch sizes")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/sgd_noise")
    args = parser.parse_args(argv)

    data = make_data(args.n, args.sigma, args.seed)
    sizes = [int(b) for b in args.batch_sizes.split(",")] + [args.n]
    print(f"N = {args.n} samples, σ = {args.sigma}, {args.steps} SGD steps of lr {args.lr} from {START}")
    print(f"  {'batch':>20s}  {'noise σ/√B':>10s}  {'left ridge (|y|>0.1) at':>24s}  "
          f"{'end (x, y)':>18s}  {'F at end':>9s}")
    paths = {}
    for b in sizes:
        p = descend(data, b, args.steps, args.lr, args.seed)
        label = f"B = {b}" + (" (full batch)" if b == args.n else "")
        paths[label] = p
        off = np.nonzero(np.abs(p[:, 1]) > 0.1)[0]
        left = f"step {off[0]}" if len(off) else "never"
        noise = f"{args.sigma / np.sqrt(b):10.4f}" if b < args.n else f"{'0 (exact)':>10s}"
        print(f"  {label:>20s}  {noise}  {left:>24s}  "
              f"({p[-1, 0]:7.4f}, {p[-1, 1]:7.4f})  {full_loss(*p[-1]):9.5f}", flush=True)
    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(paths, args.out)}")
    return paths


if __name__ == "__main__":
    main()
