"""Exponentially weighted averages: smoothing a noisy series, and why the start needs bias correction.

    v_t = β v_{t−1} + (1 − β) x_t,   v_0 = 0,   so   v_t = (1 − β) Σ_k β^k x_{t−k}.

The weights (1 − β)β^k fall by a factor β per step back; the last 1/(1 − β) values carry
1 − β^(1/(1 − β)) ≈ 1 − 1/e ≈ 63% of the weight (65.1% at β = 0.9, whose window is about 10), so a
larger β averages over more of the past: smoother, but later to follow a change.

Starting from v_0 = 0 pulls the first values towards 0: the weights of the t values seen so far sum
to 1 − βᵗ, not 1. Dividing by that sum, v̂_t = v_t / (1 − βᵗ), removes the bias. With β = 0.9 and
x = 7.5, 4, 6, 8: v = 0.75, 1.075, 1.5675, 2.21075 (far below the data), and
v̂ = 7.5, 1.075/0.19 = 5.6579, 1.5675/0.271 = 5.7841, 2.21075/0.3439 = 6.4285.

The script prints those values, then smooths 120 days of a noisy seasonal series with
β = 0.5, 0.9 and 0.98. ``optim.Momentum`` keeps exactly this average of the gradients. Pictures go
to ``runs/ewa/``.

    python examples/ewa.py
"""

import argparse
import os

# Scalars only: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402

BETAS = (0.5, 0.9, 0.98)
PERIOD = 200  # days per cycle of the series


def ewa(xs, beta, correct=False):
    """The running average of ``xs`` (a 1-D tensor), optionally divided by 1 − βᵗ."""
    v = mg.zeros((), dtype=xs.dtype)
    out = []
    for t in range(len(xs)):
        v = beta * v + (1 - beta) * xs[t]
        out.append(v / (1 - beta ** (t + 1)) if correct else v)
    return mg.stack(out)


def plot(days, series, smooth, corrected, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = dict(zip(BETAS, ("#2ca02c", "#d62728", "#1f77b4")))
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.4), gridspec_kw=dict(width_ratios=[1.6, 1]))
    left.plot(days, series, ".", color="0.6", ms=4, label="data")
    for beta in BETAS:
        left.plot(days, corrected[beta], color=colors[beta], lw=1.6,
                  label=f"β = {beta:g} (window ≈ {1 / (1 - beta):.0f}), bias-corrected")
    left.set(title="smoothing a noisy series: larger β, smoother and later", xlabel="day", ylabel="value")
    left.legend(fontsize=8)
    first = 30
    right.plot(days[:first], series[:first], ".", color="0.6", ms=5, label="data")
    right.plot(days[:first], smooth[0.9][:first], "--", color=colors[0.9], lw=1.5, label="β = 0.9, v_t")
    right.plot(days[:first], corrected[0.9][:first], color=colors[0.9], lw=1.8,
               label="β = 0.9, v_t / (1 − βᵗ)")
    right.set(title=f"the first {first} days: v_t starts at 0, v̂_t does not", xlabel="day")
    right.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "ewa.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Exponentially weighted averages and their bias correction.")
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/ewa")
    args = parser.parse_args(argv)

    xs = mg.tensor([7.5, 4.0, 6.0, 8.0], dtype=mg.float64)
    print("β = 0.9, x = 7.5, 4, 6, 8")
    print("  v_t          : " + "  ".join(f"{v:.6g}" for v in ewa(xs, 0.9).tolist()))
    print("  v_t/(1 − βᵗ) : " + "  ".join(f"{v:.4f}" for v in ewa(xs, 0.9, correct=True).tolist()))
    for beta in BETAS:
        window = 1 / (1 - beta)
        print(f"β = {beta:g}: window 1/(1 − β) = {window:.0f}, the last {window:.0f} values carry "
              f"{1 - beta ** window:.1%} of the weight")

    rng = np.random.default_rng(args.seed)
    days = np.arange(1, args.days + 1)
    series = 15 + 5 * np.sin(2 * np.pi * days / PERIOD) + rng.normal(0, 2, args.days)
    data = mg.tensor(series, dtype=mg.float64)
    smooth = {b: ewa(data, b).numpy() for b in BETAS}
    corrected = {b: ewa(data, b, correct=True).numpy() for b in BETAS}
    clean = 15 + 5 * np.sin(2 * np.pi * days / PERIOD)
    print(f"\n{args.days} days of 15 + 5 sin(2πt/{PERIOD}) + N(0, 2²) noise: "
          "RMS distance from the noise-free curve")
    print(f"  raw data {np.sqrt(np.mean((series - clean) ** 2)):.3f}")
    for b in BETAS:
        print(f"  β = {b:<5g} {np.sqrt(np.mean((corrected[b] - clean) ** 2)):.3f}", flush=True)
    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(days, series, smooth, corrected, args.out)}")
    return smooth, corrected


if __name__ == "__main__":
    main()
