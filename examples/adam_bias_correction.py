"""Adam's bias correction: what the first steps look like with it, without it, and half-applied.

Adam keeps two exponentially weighted averages that start at 0,

    m ← β₁m + (1 − β₁)g,    v ← β₂v + (1 − β₂)g²,    θ ← θ − γ m̂ / (√v̂ + ε),

with the corrected estimates m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ). Under a constant gradient g
the averages are m = (1 − β₁ᵗ)g and v = (1 − β₂ᵗ)g², so each alone is too small at the start. But
the step divides one by the square root of the other, and with the defaults β₁ = 0.9, β₂ = 0.999
the uncorrected first step is

    m/√v = 0.1g / √(0.001g²) = 3.16·sign(g)        (γ·3.16: about 3x too LARGE, not too small),

still (1 − 0.9¹⁰)/√(1 − 0.999¹⁰) = 6.5x at t = 10. Correcting only m gives 1/√0.001 = 31.6x;
correcting only v gives 0.1x; correcting both gives exactly sign(g): every coordinate moves by γ.

The script runs the four variants (the fully corrected one is ``optim.Adam`` itself; the other
three are Adam's update written out with one or both corrections left off, checked against
``optim.Adam`` when both are on), prints the step sizes in units of γ under a constant gradient,
and races them from a start near the minimum of a bowl, where oversized early steps throw away a
good initialisation. Pictures go to ``runs/adam_bias_correction/``.

    python examples/adam_bias_correction.py
"""

import argparse
import os

# Tiny arrays: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.optim as optim  # noqa: E402

BETA1, BETA2, EPS = 0.9, 0.999, 1e-8
VARIANTS = {  # name: (correct m, correct v)
    "both corrected (Adam)": (True, True),
    "no correction": (False, False),
    "only m corrected": (True, False),
    "only v corrected": (False, True),
}
COLORS = {"both corrected (Adam)": "#2ca02c", "no correction": "#d62728",
          "only m corrected": "#9467bd", "only v corrected": "#1f77b4"}


def adam_variant(loss_fn, start, steps, lr, correct_m, correct_v):
    """Adam's update written out, each bias correction optional; returns the positions."""
    theta = mg.tensor(start, dtype=mg.float64, requires_grad=True)
    m = mg.zeros_like(theta)
    v = mg.zeros_like(theta)
    path = [theta.detach().numpy().copy()]
    for t in range(1, steps + 1):
        theta.grad = None
        loss_fn(theta).backward()
        with mg.no_grad():
            g = theta.grad
            m = BETA1 * m + (1 - BETA1) * g
            v = BETA2 * v + (1 - BETA2) * g * g
            m_hat = m / (1 - BETA1 ** t) if correct_m else m
            v_hat = v / (1 - BETA2 ** t) if correct_v else v
            theta -= lr * m_hat / (v_hat.sqrt() + EPS)
        path.append(theta.detach().numpy().copy())
    return np.array(path)


def library_adam(loss_fn, start, steps, lr):
    theta = mg.tensor(start, dtype=mg.float64, requires_grad=True)
    opt = optim.Adam([theta], lr=lr, betas=(BETA1, BETA2), eps=EPS)
    path = [theta.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(theta).backward()
        opt.step()
        path.append(theta.detach().numpy().copy())
    return np.array(path)


def plane(theta):
    """f(θ) = 2θ: a constant gradient g = 2, so the step sizes depend on t alone."""
    return (2 * theta).sum()


def bowl(theta):
    """f(x, y) = ½(x² + 10y²), minimum at the origin."""
    return 0.5 * (theta[0] ** 2 + 10 * theta[1] ** 2)


def plot(step_sizes, paths, out, lr):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, mid, right) = plt.subplots(1, 3, figsize=(15, 4.4))
    t = np.arange(1, len(next(iter(step_sizes.values()))) + 1)
    for name, sizes in step_sizes.items():
        left.loglog(t, sizes, color=COLORS[name], lw=1.8, label=name)
    left.axhline(1.0, color="0.5", lw=0.8, ls=":")
    left.set(title="step size / γ under a constant gradient", xlabel="step t", ylabel="|Δθ| / γ")
    left.legend(fontsize=8)

    # the window fits the start, not the farthest excursion: the early moves of Adam and of the
    # uncorrected variant stay visible, and the one that overshoots far is seen leaving the frame
    start = paths["no correction"][0]
    reach = 1.3 * np.abs(start).max()
    xs, ys = np.meshgrid(np.linspace(-reach, reach, 200), np.linspace(-reach, reach, 200))
    mid.contour(xs, ys, 0.5 * (xs ** 2 + 10 * ys ** 2), levels=np.geomspace(1e-4, 5 * reach ** 2, 16),
                colors="0.75",
                linewidths=0.6)
    for name, p in paths.items():
        # Adam thick underneath, so the only-v path, which follows it with smaller steps, shows on it
        style = dict(zorder=3, lw=3.0, ms=4) if name.startswith("both") else dict(zorder=4, lw=1.2, ms=2.5)
        mid.plot(p[:, 0], p[:, 1], "-o", color=COLORS[name], label=name, **style)
        d = np.linalg.norm(p, axis=1)
        right.semilogy(np.arange(len(d)), d, color=COLORS[name], lw=1.6, label=name)
    mid.plot(*start, "ko", ms=6, zorder=5)
    mid.plot(0, 0, "*", color="gold", ms=14, markeredgecolor="k", zorder=5)
    farthest = max(np.linalg.norm(p, axis=1).max() for p in paths.values())
    mid.set(title=f"the first {len(d) - 1} steps from a good start (γ = {lr:g})\n"
                  f"(window ±{reach:.2f}; the farthest path reaches ‖θ‖ = {farthest:.2f})",
            xlabel="x", ylabel="y",
            xlim=(-reach, reach), ylim=(-reach, reach), aspect="equal")
    right.set(title="distance from the minimum", xlabel="step", ylabel="‖θ‖")
    right.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "adam_bias_correction.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Adam with and without bias correction.")
    parser.add_argument("--steps", type=int, default=1000, help="steps under the constant gradient")
    parser.add_argument("--race-steps", type=int, default=40, help="steps on the bowl")
    parser.add_argument("--lr", type=float, default=0.02, help="γ on the bowl")
    parser.add_argument("--out", default="runs/adam_bias_correction")
    args = parser.parse_args(argv)

    print(f"Constant gradient g = 2, β₁ = {BETA1}, β₂ = {BETA2}: step size / γ at step t")
    shown = [t for t in (1, 2, 10, 100, 1000) if t <= args.steps]
    print(f"  {'variant':24s}" + "".join(f"{f't = {t}':>10s}" for t in shown))
    step_sizes = {}
    for name, (cm, cv) in VARIANTS.items():
        p = adam_variant(plane, [0.0], args.steps, 1.0, cm, cv)
        step_sizes[name] = np.abs(np.diff(p[:, 0]))
        print(f"  {name:24s}" + "".join(f"{step_sizes[name][t - 1]:10.4f}" for t in shown), flush=True)

    start = [0.25, 0.05]
    print(f"\nf(x, y) = ½(x² + 10y²) from {tuple(start)} (‖θ‖ = {np.hypot(*start):.4f}), γ = {args.lr}:")
    paths = {name: adam_variant(bowl, start, args.race_steps, args.lr, cm, cv)
             for name, (cm, cv) in VARIANTS.items()}
    reference = library_adam(bowl, start, args.race_steps, args.lr)
    print(f"  max |written-out Adam - optim.Adam| over the path: "
          f"{np.abs(paths['both corrected (Adam)'] - reference).max():.2e}")
    for name, p in paths.items():
        d = np.linalg.norm(p, axis=1)
        print(f"  {name:24s} first step {np.linalg.norm(p[1] - p[0]):.4f}, farthest {d.max():.4f}, "
              f"after {args.race_steps} steps {d[-1]:.4f}")

    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(step_sizes, paths, args.out, args.lr)}")
    return step_sizes, paths


if __name__ == "__main__":
    main()
