"""Different starts, different minima: gradient descent finds the minimum of the basin it starts in.

f(x) = x⁴ − 4x² + x has f'(x) = 4x³ − 8x + 1, whose three roots are a global minimum near
x = −1.47 (f ≈ −5.44), a local maximum near x = 0.126 and a local minimum near x = 1.35
(f ≈ −2.62). Gradient descent only ever goes downhill, so every start left of the maximum ends in
the global minimum and every start right of it ends in the worse local one; nothing in the
update can tell the two apart. In 2-D, ``f(x, y) = x⁴ − 4x² + x + y²`` adds a bowl along y, and
the same split shows as two basins on a contour plot.

The script runs ``optim.SGD`` from a row of starts and prints where each ends. Pictures go to
``runs/local_minima/``.

    python examples/local_minima.py
"""

import argparse
import os

# Scalars only: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.optim as optim  # noqa: E402


def f(x):
    """x⁴ − 4x² + x (floats, arrays or tensors)."""
    return x ** 4 - 4 * x ** 2 + x


def f2(p):
    """The 2-D version f(x) + y² on a point p = (x, y)."""
    return f(p[0]) + p[1] ** 2


def descend(fn, start, lr, steps):
    p = mg.tensor(start, dtype=mg.float64, requires_grad=True)
    opt = optim.SGD([p], lr=lr)
    path = [np.array(start, dtype=float)]
    for _ in range(steps):
        opt.zero_grad()
        fn(p).sum().backward()
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


def plot(paths_1d, paths_2d, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6))
    xs = np.linspace(-2.2, 2.2, 400)
    left.plot(xs, f(xs), color="0.4", lw=1.2)
    for x0, p in paths_1d.items():
        color = "#2ca02c" if p[-1, 0] < 0 else "#d62728"
        left.plot(p[:, 0], f(p[:, 0]), ".-", color=color, ms=3, lw=0.8, alpha=0.8)
        left.plot(x0, f(x0), "o", color=color, ms=6, markeredgecolor="k")
    left.set(title="f(x) = x⁴ − 4x² + x: green starts end in the global minimum, red in the local one",
             xlabel="x", ylabel="f(x)", ylim=(-6.5, 8))
    left.title.set_fontsize(9)
    X, Y = np.meshgrid(np.linspace(-2.2, 2.2, 300), np.linspace(-2, 2, 300))
    right.contour(X, Y, f(X) + Y ** 2, levels=np.linspace(-5.4, 8, 28), colors="0.7", linewidths=0.6)
    for p in paths_2d:
        color = "#2ca02c" if p[-1, 0] < 0 else "#d62728"
        right.plot(p[:, 0], p[:, 1], "-", color=color, lw=1.0)
        right.plot(*p[0], "o", color=color, ms=4, markeredgecolor="k")
    right.set(title="f(x) + y²: two basins, split by the ridge through the maximum", xlabel="x", ylabel="y",
              aspect="equal")
    right.title.set_fontsize(9)
    fig.tight_layout()
    path = os.path.join(out, "local_minima.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Different starts reach different local minima.")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--out", default="runs/local_minima")
    args = parser.parse_args(argv)

    # 0.1 and 0.15 sit either side of the maximum at 0.126: a small move of the start flips the result
    starts = (-2.0, -1.0, -0.5, 0.0, 0.1, 0.15, 0.5, 1.0, 2.0)
    print(f"f(x) = x⁴ − 4x² + x, gradient descent with lr {args.lr} for {args.steps} steps")
    print(f"  {'start':>6s}  {'end':>10s}  {'f(end)':>9s}")
    paths_1d = {}
    for x0 in starts:
        p = paths_1d[float(x0)] = descend(f, [float(x0)], args.lr, args.steps)
        kind = "global minimum" if p[-1, 0] < 0 else "local minimum"
        print(f"  {x0:6.2f}  {p[-1, 0]:10.6f}  {f(p[-1, 0]):9.5f}  {kind}", flush=True)
    rng = np.random.default_rng(0)
    paths_2d = [descend(f2, [float(x), float(y)], args.lr, args.steps)
                for x, y in zip(rng.uniform(-2, 2, 16), rng.uniform(-1.8, 1.8, 16))]
    ends = np.array([p[-1] for p in paths_2d])
    print(f"2-D: of {len(paths_2d)} random starts, {int((ends[:, 0] < 0).sum())} end in the global "
          f"minimum and {int((ends[:, 0] > 0).sum())} in the local one")
    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(paths_1d, paths_2d, args.out)}")
    return paths_1d


if __name__ == "__main__":
    main()
