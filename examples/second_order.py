"""Second-order optimization: Newton's method and Hessian-vector products by double backprop.

Gradient descent uses the slope only; Newton's method also uses the curvature (the Hessian H),
stepping to the minimum of the local quadratic model:

    x ← x − H(x)⁻¹ ∇f(x)        (1-D: x ← x − f'(x) / f''(x))

Near a minimum it converges quadratically (the number of correct digits doubles every step), but
each step needs H, which costs n gradient evaluations and n² memory for n parameters. A
Hessian-vector product H·v costs only about two gradients and never forms H: differentiate the
scalar ∇f(x)·v once more (``create_graph=True`` records the backward pass so it can itself be
differentiated). Conjugate gradients solve H p = −∇f with such products alone (Hessian-free
Newton).

Three demonstrations:
 1. 1-D Newton on f(x) = eˣ + x² − 3x, f' and f'' by ``mg.grad`` twice, against gradient descent;
 2. Newton on the Rosenbrock function from (−1.2, 1) with ``mg.autograd.functional.hessian``;
 3. H·v by double backprop (by hand, and ``mg.autograd.functional.hvp``) checked against the full
    Hessian, then Hessian-free Newton (conjugate gradients on H·v) training a logistic regression
    on the digits, against gradient descent.

    python examples/second_order.py            # writes runs/second_order/second_order.png
"""

import argparse
import os

# Small arrays: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
from minigrad.autograd.functional import hessian, hvp  # noqa: E402

# --- 1. Newton in one dimension ------------------------------------------------------------

def f1(x):
    return x.exp() + x ** 2 - 3 * x


def newton_1d(x0, steps):
    """Newton iterates with f' and f'' from two applications of mg.grad."""
    x = mg.tensor(x0, dtype=mg.float64, requires_grad=True)
    out = []
    for _ in range(steps):
        (d1,) = mg.grad(f1(x), x, create_graph=True)  # f'(x), itself differentiable
        (d2,) = mg.grad(d1, x)                          # f''(x)
        out.append((x.item(), abs(d1.item())))
        with mg.no_grad():
            x -= d1.detach() / d2
    return out


def gd_1d(x0, lr, steps):
    x = mg.tensor(x0, dtype=mg.float64, requires_grad=True)
    for _ in range(steps):
        (d1,) = mg.grad(f1(x), x)
        with mg.no_grad():
            x -= lr * d1
    (d1,) = mg.grad(f1(x), x)
    return x.item(), abs(d1.item())


# --- 2. Newton on Rosenbrock ----------------------------------------------------------------

def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def newton_2d(start, steps):
    p = mg.tensor(start, dtype=mg.float64)
    path = [p.tolist()]
    for _ in range(steps):
        q = p.detach().requires_grad_(True)
        (g,) = mg.grad(rosenbrock(q), q)
        h = hessian(rosenbrock, p)
        step = np.linalg.solve(h.numpy(), g.numpy())  # a 2x2 solve on the host: H is tiny here
        p = p - mg.tensor(step, dtype=mg.float64)
        path.append(p.tolist())
    return np.array(path)


def gd_2d(start, lr, steps):
    p = mg.tensor(start, dtype=mg.float64, requires_grad=True)
    path = [p.tolist()]
    for _ in range(steps):
        (g,) = mg.grad(rosenbrock(p), p)
        with mg.no_grad():
            p -= lr * g
        path.append(p.tolist())
    return np.array(path)


# --- 3. Hessian-vector products and Hessian-free Newton ----------------------------------------

def logistic_problem(limit=None):
    """Digits 0-4 vs 5-9 as a logistic regression: X (n, 65) with a bias column, labels ±1."""
    x, y = mg.data.datasets.digits().tensors
    x = x.reshape(x.shape[0], -1).numpy().astype(np.float64)
    if limit:
        x, y = x[:limit], y[:limit]
    x = np.concatenate([x, np.ones((len(x), 1))], axis=1)
    t = np.where(y.numpy() >= 5, 1.0, -1.0)
    return mg.tensor(x), mg.tensor(t)


def make_loss(x, t, weight_decay=1e-3):
    def loss(w):  # mean log(1 + exp(-t x·w)) + λ/2 |w|², softplus for stability
        return (-(t * (x @ w))).softplus().mean() + 0.5 * weight_decay * (w * w).sum()
    return loss


def hvp_by_hand(loss, w, v):
    """H·v = ∇(∇f(w)·v): one backward with create_graph, then a second backward."""
    w = w.detach().requires_grad_(True)
    (g,) = mg.grad(loss(w), w, create_graph=True)
    (hv,) = mg.grad((g * v).sum(), w)
    return hv


def conjugate_gradient(matvec, b, iters, tol=1e-10):
    """Solve A p = b for symmetric positive definite A given only p ↦ A p."""
    p = mg.zeros_like(b)
    r = b.clone()
    d = r.clone()
    rr = (r * r).sum().item()
    for _ in range(iters):
        ad = matvec(d)
        alpha = rr / (d * ad).sum().item()
        p = p + alpha * d
        r = r - alpha * ad
        rr_new = (r * r).sum().item()
        if rr_new < tol ** 2:
            break
        d = r + (rr_new / rr) * d
        rr = rr_new
    return p


def hessian_free_newton(loss, w0, steps, cg_iters):
    w = w0.clone()
    norms = []
    for _ in range(steps):
        wg = w.detach().requires_grad_(True)
        (g,) = mg.grad(loss(wg), wg)
        norms.append(g.norm().item())
        p = conjugate_gradient(lambda v, w=w: hvp(loss, w, v)[1], -g, cg_iters)
        w = w + p
    wg = w.detach().requires_grad_(True)
    norms.append(mg.grad(loss(wg), wg)[0].norm().item())
    return w, norms


def gradient_descent(loss, w0, lr, steps):
    w = w0.clone().requires_grad_(True)
    norms = []
    for _ in range(steps):
        (g,) = mg.grad(loss(w), w)
        norms.append(g.norm().item())
        with mg.no_grad():
            w -= lr * g
    return w, norms


def plot(newton_path, gd_path, hf_norms, gd_norms, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.3))
    xs, ys = np.meshgrid(np.linspace(-1.6, 1.6, 300), np.linspace(-3.4, 2.0, 300))
    zs = (1 - xs) ** 2 + 100 * (ys - xs ** 2) ** 2
    left.contour(xs, ys, np.log10(zs + 1e-3), levels=25, cmap="viridis", linewidths=0.6)
    left.plot(gd_path[:, 0], gd_path[:, 1], ".-", ms=2, lw=0.8, color="tab:blue",
              label=f"gradient descent ({len(gd_path) - 1} steps)")
    left.plot(newton_path[:, 0], newton_path[:, 1], "o-", ms=4, color="tab:red",
              label=f"Newton ({len(newton_path) - 1} steps)")
    left.plot([1], [1], "k*", ms=10)
    left.set(title="Rosenbrock from (-1.2, 1)", xlabel="x", ylabel="y")
    left.legend(fontsize=8, loc="lower right")
    right.semilogy(hf_norms, "o-", color="tab:red", label="Hessian-free Newton (CG on H·v)")
    right.semilogy(gd_norms, color="tab:blue", label="gradient descent")
    right.set(title="logistic regression on the digits: ‖∇f‖", xlabel="iteration",
              ylabel="gradient norm")
    right.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "second_order.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Newton's method and Hessian-vector products.")
    parser.add_argument("--gd-steps", type=int, default=2000, help="gradient-descent steps on Rosenbrock")
    parser.add_argument("--limit", type=int, default=None, help="digits used for the logistic regression")
    parser.add_argument("--out", default="runs/second_order")
    args = parser.parse_args(argv)

    print("1. Newton in 1-D on f(x) = exp(x) + x^2 - 3x from x0 = 2 (|f'| per step)")
    for i, (x, slope) in enumerate(newton_1d(2.0, 6)):
        print(f"   step {i}: x = {x:.15f}   |f'(x)| = {slope:.3e}")
    x_gd, slope_gd = gd_1d(2.0, 0.1, 6)
    print(f"   gradient descent (lr 0.1), 6 steps: x = {x_gd:.6f}, |f'(x)| = {slope_gd:.3e}")

    print("\n2. Rosenbrock from (-1.2, 1): Newton with the full Hessian (mg.autograd.functional.hessian)")
    newton_path = newton_2d([-1.2, 1.0], 6)
    for i, (x, y) in enumerate(newton_path):
        value = rosenbrock(mg.tensor([x, y], dtype=mg.float64)).item()
        print(f"   step {i}: ({x: .8f}, {y: .8f})  f = {value:.3e}")
    gd_path = gd_2d([-1.2, 1.0], 1e-3, args.gd_steps)
    print(f"   gradient descent (lr 1e-3), {args.gd_steps} steps: "
          f"({gd_path[-1, 0]:.6f}, {gd_path[-1, 1]:.6f}), "
          f"f = {rosenbrock(mg.tensor(gd_path[-1], dtype=mg.float64)).item():.3e}")

    print("\n3. Hessian-vector products by double backprop (logistic regression on the digits)")
    x, t = logistic_problem(args.limit)
    loss = make_loss(x, t)
    n = x.shape[1]
    w0 = mg.zeros(n, dtype=mg.float64)
    v = mg.randn(n, dtype=mg.float64, generator=mg.Generator().manual_seed(0))
    full = hessian(loss, w0)
    by_hand = hvp_by_hand(loss, w0, v)
    _, by_library = hvp(loss, w0, v)
    reference = full @ v
    print(f"   {n} parameters: H is {n}x{n}; H·v needs no H")
    print(f"   max |hvp_by_hand - H @ v| = {(by_hand - reference).abs().max().item():.2e}")
    print(f"   max |functional.hvp - H @ v| = {(by_library - reference).abs().max().item():.2e}")

    w_hf, hf_norms = hessian_free_newton(loss, w0, steps=6, cg_iters=40)
    w_gd, gd_norms = gradient_descent(loss, w0, lr=1.0, steps=len(hf_norms) * 20)
    print("   Hessian-free Newton (CG on H·v), |grad| per step: "
          + ", ".join(f"{g:.1e}" for g in hf_norms))
    print(f"   gradient descent (lr 1.0), {len(gd_norms)} steps: |grad| = {gd_norms[-1]:.1e}")
    print(f"   final loss: Newton {loss(w_hf).item():.6f}, gradient descent {loss(w_gd.detach()).item():.6f}")

    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(newton_path, gd_path, hf_norms, gd_norms, args.out)}")


if __name__ == "__main__":
    main()
