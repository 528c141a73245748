"""Write your own differentiable op: subclass ``mg.autograd.Function``, exactly as in PyTorch.

A custom function is a pair of static methods:

* ``forward(ctx, *args)`` receives Tensors (and any other arguments) and returns a Tensor. It runs
  with gradient recording off: the graph sees the function as one node. It may
  ``ctx.save_for_backward(...)`` the tensors that backward needs.
* ``backward(ctx, grad)`` receives the gradient of the loss with respect to the output and returns
  one gradient per argument of ``forward`` (None for the arguments that are not tensors). Written
  with Tensor operations, it is itself recorded under ``create_graph=True``, so second
  derivatives work with no extra code.

PyTorch's second form works too: ``forward(*args)`` without ``ctx`` plus
``setup_context(ctx, inputs, output)``, which is what ``SoftClip`` uses below.

Three functions follow: x³ (the chain-rule example y = (3x³ + 2)²), a soft clip with a
non-tensor argument, and a straight-through rounding (forward rounds, backward pretends it did
not: the gradient that quantization-aware training uses). Each is checked with
``mg.autograd.gradcheck``.

    python examples/custom_function.py           # writes runs/custom_function/graph.svg
"""

import argparse
import os

import minigrad as mg
from minigrad.autograd import Function, gradcheck, gradgradcheck


class Cube(Function):
    """y = x³;  dy/dx = 3x²."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors  # the input, connected to the graph: second derivatives work
        return grad * 3 * x * x


class SoftClip(Function):
    """y = b·tanh(x / b): close to x for |x| ≪ b, never beyond ±b;  dy/dx = 1 − (y / b)²."""

    @staticmethod
    def forward(x, bound):
        return bound * (x / bound).tanh()

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.bound = inputs[1]
        ctx.save_for_backward(output)

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 - (y / ctx.bound) ** 2), None  # no gradient for the bound


class RoundSTE(Function):
    """y = round(x); the straight-through estimator uses dy/dx := 1 (the true derivative is 0)."""

    @staticmethod
    def forward(ctx, x):
        return (x + 0.5) // 1  # round half up

    @staticmethod
    def backward(ctx, grad):
        return grad


def main(argv=None):
    parser = argparse.ArgumentParser(description="User-defined autograd Functions.")
    parser.add_argument("--steps", type=int, default=200, help="steps of the rounding fit")
    parser.add_argument("--out", default="runs/custom_function")
    args = parser.parse_args(argv)

    # 1. The chain rule example: y = u², u = 3x³ + 2, so dy/dx = 2u · 9x² = 54x⁵ + 36x².
    x = mg.tensor(1.5, dtype=mg.float64, requires_grad=True)
    u = 3 * Cube.apply(x) + 2
    y = u ** 2
    y.backward()
    formula = 54 * 1.5 ** 5 + 36 * 1.5 ** 2
    print(f"y = (3x³ + 2)² at x = 1.5: dy/dx by autograd = {x.grad.item():.6f}, "
          f"54x⁵ + 36x² = {formula:.6f}")

    (d1,) = mg.grad((3 * Cube.apply(x) + 2) ** 2, x, create_graph=True)
    (d2,) = mg.grad(d1, x)
    print(f"second derivative through Cube.backward: {d2.item():.6f}, 270x⁴ + 72x = "
          f"{270 * 1.5 ** 4 + 72 * 1.5:.6f}")

    # 2. gradcheck: analytic backward vs central differences (float64).
    sample = mg.tensor([-2.0, -0.3, 0.4, 1.7], dtype=mg.float64, requires_grad=True)
    print(f"gradcheck Cube: {gradcheck(Cube.apply, (sample,))}, "
          f"gradgradcheck Cube: {gradgradcheck(Cube.apply, (sample,))}")
    print(f"gradcheck SoftClip(bound=1.5): {gradcheck(lambda t: SoftClip.apply(t, 1.5), (sample,))}")

    # 3. Straight-through rounding: learn w so that round(w)·x fits 3x although round has no slope.
    w = mg.tensor([0.2], requires_grad=True)
    xs = mg.linspace(-1, 1, 32)
    opt = mg.optim.SGD([w], lr=0.05)
    for _ in range(args.steps):
        loss = ((RoundSTE.apply(w) * xs - 3 * xs) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"straight-through rounding: w = {w.item():.3f}, round(w) = {round(w.item())}, "
          f"final loss {loss.item():.4f}")

    # 4. Custom functions appear in the graph under their class name.
    t = mg.tensor([0.5, -1.0], requires_grad=True)
    t.name = "t"
    out = SoftClip.apply(Cube.apply(t), 2.0).sum()
    print(f"grad_fn of the soft clip: {type(out.grad_fn.next_functions[0][0]).__name__}")
    out.backward()
    try:
        from minigrad import viz
        path = viz.draw_graph(out).render(os.path.join(args.out, "graph"), format="svg", cleanup=True)
        print(f"graph: {path}")
    except ImportError as err:
        print(f"(graph not drawn: {err}; pip install 'minigrad[viz]')")
    except RuntimeError as err:  # viz.GraphvizNotFoundError: `dot` missing
        print(f"(graph not drawn) {err}")


if __name__ == "__main__":
    main()
