"""Per-parameter learning rates: Adagrad's worked example, and whose effective rate vanishes.

Part 1, Adagrad by hand. Adagrad keeps r, the running sum of squared gradients of each
parameter, and steps θ ← θ − γ g / (√r + ε) (ε = 1e−10, negligible here). Two parameters, w₁ on a
shallow slope and w₂ on a steep one, receive these gradients over four steps:

    step   g₁      g₂     r₁ = Σg₁²                     r₂ = Σg₂²
    1      −2      −10    4                             100
    2      −1.5     10    4 + 2.25 = 6.25               100 + 100 = 200
    3      −1.25   −9     6.25 + 1.5625 = 7.8125        200 + 81 = 281
    4      −1       9     7.8125 + 1 = 8.8125           281 + 81 = 362

so the fourth step divides γ by √8.8125 = 2.9686 for w₁ and by √362 = 19.026 for w₂: the steep
coordinate's rate has shrunk 6.4 times more. The script feeds exactly these gradients to
``optim.Adagrad`` (by setting ``.grad``) and prints its accumulator and each step.

Part 2, the rate over a long run. Under the same gradient g every step, Adagrad's effective rate
γ/√r = γ/(|g|√t) only decays. Adadelta replaces the sum by a decaying average r ← ρr + (1 − ρ)g²
and the learning rate by the RMS of its own recent steps, u ← ρu + (1 − ρ)Δθ²:
Δθ = √(u + ε)/√(r + ε) · g. Its effective rate |Δθ/g| does not decay; from u = 0 it grows. RMSprop
(a decaying average too, with a fixed γ) settles at γ/|g|. Pictures go to ``runs/adaptive_rates/``.

    python examples/adaptive_rates.py
"""

import argparse
import math
import os

# Tiny arrays: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.optim as optim  # noqa: E402
from minigrad.viz.race import color_of  # noqa: E402  (each optimizer's colour in every picture)

GRADIENTS = [(-2.0, -10.0), (-1.5, 10.0), (-1.25, -9.0), (-1.0, 9.0)]
RATES = {  # name: optimizer factory
    "Adagrad (γ = 0.1)": lambda p: optim.Adagrad(p, lr=0.1),
    "Adadelta (ρ = 0.9, ε = 1e-6)": lambda p: optim.Adadelta(p, lr=1.0, rho=0.9, eps=1e-6),
    "RMSprop (γ = 0.01, α = 0.99)": lambda p: optim.RMSprop(p, lr=0.01, alpha=0.99),
}


def worked_example(lr):
    w = mg.tensor([0.0, 0.0], dtype=mg.float64, requires_grad=True)
    opt = optim.Adagrad([w], lr=lr)
    print(f"Adagrad (γ = {lr}) fed the gradients by hand:")
    print(f"  {'step':>4s}  {'g1':>6s}  {'g2':>6s}  {'r1':>8s}  {'r2':>6s}  {'step1 / γ':>10s}  "
          f"{'step2 / γ':>10s}  {'÷ √r1':>7s}  {'÷ √r2':>7s}")
    rows = []
    for t, g in enumerate(GRADIENTS, 1):
        before = w.detach().numpy().copy()
        w.grad = mg.tensor(g, dtype=mg.float64)
        opt.step()
        r = opt.state[w]["sum"].numpy()
        step = w.detach().numpy() - before
        # the step is −γ g / √r, so γ·g / (−step) recovers √r: the divisor of the learning rate
        divisor = -lr * np.array(g) / step
        rows.append((r.copy(), divisor))
        print(f"  {t:4d}  {g[0]:6g}  {g[1]:6g}  {r[0]:8.4f}  {r[1]:6.0f}  {step[0] / lr:10.6f}  "
              f"{step[1] / lr:10.6f}  {divisor[0]:7.4f}  {divisor[1]:7.3f}")
    print(f"  after step 4 the rates are γ/{rows[-1][1][0]:.4f} and γ/{rows[-1][1][1]:.3f} "
          f"(√8.8125 and √362)")
    print("  misprints that circulate with this example: 7.8 for 7.8125, 8.8 for 8.8125, (−9)(−19) for\n"
          "  (−9)(−9) (the sum, 281, uses −9·−9), and the rates rounded to /3 and /19")
    return rows


def effective_rates(steps, g):
    """|Δθ / g| per step under a constant gradient g, for each optimizer in RATES."""
    out = {}
    for name, make in RATES.items():
        theta = mg.tensor([0.0], dtype=mg.float64, requires_grad=True)
        opt = make([theta])
        positions = np.empty(steps + 1)
        positions[0] = 0.0
        for t in range(1, steps + 1):
            theta.grad = mg.tensor([g], dtype=mg.float64)
            opt.step()
            positions[t] = theta.item()
        out[name] = np.abs(np.diff(positions) / g)
    return out


def plot(rows, rates, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
    t = np.arange(1, len(rows) + 1)
    div = np.array([d for _, d in rows])
    left.plot(t, 1 / div[:, 0], "o-", color="#1f77b4", label="w₁ (shallow: g = −2, −1.5, −1.25, −1)")
    left.plot(t, 1 / div[:, 1], "s-", color="#d62728", label="w₂ (steep: g = −10, 10, −9, 9)")
    for k, (a, b) in enumerate(div):
        left.annotate(f"÷{a:.5g}", (t[k], 1 / a), textcoords="offset points", xytext=(4, 6), fontsize=8)
        left.annotate(f"÷{b:.5g}", (t[k], 1 / b), textcoords="offset points", xytext=(4, 6), fontsize=8)
    left.set(title="Adagrad's worked example: effective rate / γ = 1/√r", xlabel="step",
             ylabel="1 / √r", xticks=t, xlim=(0.7, 4.6), yscale="log")
    left.legend(fontsize=8, loc="center right")
    for name, r in rates.items():
        right.loglog(np.arange(1, len(r) + 1), r, color=color_of(name), lw=1.8, label=name)
    right.set(title="effective rate |Δθ / g| under a constant gradient g = 1", xlabel="step t",
              ylabel="|Δθ / g|")
    right.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "adaptive_rates.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Adagrad's worked example; Adagrad vs Adadelta rates.")
    parser.add_argument("--lr", type=float, default=0.1, help="γ in the worked example")
    parser.add_argument("--steps", type=int, default=10000, help="steps of the long run")
    parser.add_argument("--out", default="runs/adaptive_rates")
    args = parser.parse_args(argv)

    rows = worked_example(args.lr)
    print(f"\nEffective rate |Δθ/g| under the constant gradient g = 1 ({args.steps} steps):")
    rates = effective_rates(args.steps, 1.0)
    shown = [t for t in (1, 10, 100, 1000, 10000, 100000) if t <= args.steps]
    print(f"  {'optimizer':30s}" + "".join(f"{f't = {t}':>12s}" for t in shown))
    for name, r in rates.items():
        print(f"  {name:30s}" + "".join(f"{r[t - 1]:12.4e}" for t in shown), flush=True)
    adadelta = next(r for name, r in rates.items() if name.startswith("Adadelta"))
    print(f"  Adagrad's rate is γ/√t: 0.1/√{args.steps} = {0.1 / math.sqrt(args.steps):.4e}; "
          f"Adadelta's has grown {adadelta[-1] / adadelta[0]:.0f}x since step 1")
    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(rows, rates, args.out)}")
    return rows, rates


if __name__ == "__main__":
    main()
