"""Momentum: how much is too much, and the terminal velocity on a constant slope.

Momentum in PyTorch's form (``optim.SGD(momentum=β)``) keeps a velocity v and steps

    v ← βv + g,    θ ← θ − ηv.

Part 1, f(x) = x² with η = 0.1 from x = 1. Plain gradient descent shrinks x by 1 − 2η = 0.8 per
step. With momentum the pair (x, v) evolves by a 2×2 matrix whose eigenvalues λ solve
λ² − (1 − 2η + β)λ + β = 0:

* β = 0.2: λ² − λ + 0.2 = 0, λ = (1 ± √0.2)/2, the larger 0.724: faster than without momentum;
* β = 0.9: complex roots of modulus √β = 0.949: x swings past 0 and back, converging slowly;
* β = 0.99: modulus √0.99 = 0.995: hundreds of swings before it settles. Too much momentum hurts.

Part 2, a constant gradient g (the plane f(θ) = gθ). Then v_t = g(1 + β + … + β^(t−1)) =
g(1 − βᵗ)/(1 − β), so the step grows to the terminal velocity η g/(1 − β): 10x the plain step at
β = 0.9, 100x at β = 0.99. ``optim.Momentum``, the exponentially weighted form v ← βv + (1 − β)g,
has terminal step η g: the same method with the learning rate rescaled by 1 − β.

Pictures go to ``runs/momentum/``.

    python examples/momentum.py
"""

import argparse
import os

# Scalars only: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.optim as optim  # noqa: E402

BETAS = (0.0, 0.2, 0.9, 0.99)


def run(make_optimizer, loss_fn, x0, steps):
    """Positions x_0 … x_steps of a 1-D parameter under ``make_optimizer``."""
    x = mg.tensor([x0], dtype=mg.float64, requires_grad=True)
    opt = make_optimizer([x])
    path = [x0]
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(x).backward()
        opt.step()
        path.append(x.item())
    return np.array(path)


def steps_to(path, tol):
    """The first step after which |x| stays below ``tol`` (None if it never does)."""
    above = np.nonzero(np.abs(path) >= tol)[0]
    last = above[-1] if len(above) else -1
    return int(last + 1) if last + 1 < len(path) else None


def plot(paths, velocities, lr_plane, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = dict(zip(BETAS, ("#7f7f7f", "#2ca02c", "#1f77b4", "#d62728")))
    fig, (left, mid, right) = plt.subplots(1, 3, figsize=(15, 4.2))
    for beta, p in paths.items():
        label = "no momentum" if beta == 0 else f"β = {beta:g}"
        mid.plot(p[:61], "-", color=colors[beta], lw=1.3, label=label)
        left.semilogy(np.abs(p), color=colors[beta], lw=1.3, label=label)
    left.set(title="f(x) = x², η = 0.1: |x_t|", xlabel="step", ylabel="|x_t|", ylim=(1e-12, 3))
    left.legend(fontsize=8)
    mid.axhline(0, color="0.6", lw=0.8)
    mid.set(title="x_t, the first 60 steps", xlabel="step", ylabel="x_t")
    for (name, beta), sizes in velocities.items():
        right.plot(np.arange(1, len(sizes) + 1), sizes, lw=1.5, label=name,
                   color=colors.get(beta, "k"), ls="-" if name.startswith("SGD") else "--")
        if name.startswith("SGD"):
            right.axhline(lr_plane / (1 - beta), color=colors.get(beta, "k"), lw=0.7, ls=":")
    right.set(title=f"step size on a constant slope g = 1 (η = {lr_plane:g});\n"
                    "dotted: the terminal velocity η g/(1 − β)", xlabel="step", ylabel="|Δθ|", yscale="log")
    right.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "momentum.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Too much momentum; momentum's terminal velocity.")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--lr", type=float, default=0.1, help="η on x²")
    parser.add_argument("--out", default="runs/momentum")
    args = parser.parse_args(argv)

    print(f"f(x) = x², η = {args.lr}, x0 = 1, {args.steps} steps of optim.SGD(momentum=β)")
    print(f"  {'β':>5s}  {'|x_50|':>10s}  {'|x_200|':>10s}  {'steps to |x| < 1e-6':>20s}")
    paths = {}
    for beta in BETAS:
        p = paths[beta] = run(lambda ps, beta=beta: optim.SGD(ps, lr=args.lr, momentum=beta),
                              lambda x: (x * x).sum(), 1.0, args.steps)
        reach = steps_to(p, 1e-6)
        shown = [f"{abs(p[t]):10.3e}" if t < len(p) else f"{'-':>10s}" for t in (50, 200)]
        reach = reach if reach is not None else "not within the run"
        print(f"  {beta:5g}  {shown[0]}  {shown[1]}  {reach:>20}", flush=True)

    lr_plane, plane_steps = 0.01, 300
    print(f"\nconstant gradient g = 1, η = {lr_plane}: step size |Δθ| at step t "
          f"(terminal velocity η g/(1 − β))")
    print(f"  {'optimizer':28s} {'t = 1':>9s} {'t = 10':>9s} {'t = 50':>9s} {'t = 300':>9s} {'terminal':>9s}")
    velocities = {}
    for beta in (0.5, 0.9, 0.99):
        for name, make, terminal in (
                (f"SGD(momentum={beta:g})", lambda ps, beta=beta: optim.SGD(ps, lr=lr_plane, momentum=beta),
                 lr_plane / (1 - beta)),
                (f"Momentum(beta={beta:g})", lambda ps, beta=beta: optim.Momentum(ps, lr=lr_plane, beta=beta),
                 lr_plane)):
            if name.startswith("Momentum") and beta != 0.9:
                continue  # one example of the exponentially weighted form is enough
            p = run(make, lambda x: x.sum(), 0.0, plane_steps)
            sizes = velocities[(name, beta)] = np.abs(np.diff(p))
            print(f"  {name:28s}" + "".join(f"{sizes[t - 1]:9.5f}" for t in (1, 10, 50, 300))
                  + f"{terminal:9.5f}")
    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(paths, velocities, lr_plane, args.out)}")
    return paths, velocities


if __name__ == "__main__":
    main()
