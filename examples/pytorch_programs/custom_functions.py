"""Custom autograd Functions in PyTorch's contract, in both of its forms.

* ``LegendreP3``: P3(x) = (5x³ - 3x) / 2, fitted to sin(x) on [-π, π] as a + b·P3(c + d·x),
  the tensors updated by hand (the tutorials' "defining new autograd functions" exercise).
* ``LinearFunction``: y = x Wᵀ + b with ``needs_input_grad`` deciding which gradients to build.
* ``MulConstant``: the ``setup_context`` form, a non-tensor argument getting ``None`` as gradient.
* ``Cube``: x³, whose backward is itself differentiable (gradgradcheck).

Each is checked against autograd of the same formula and by gradcheck in float64.
"""

import argparse
import math

import minigrad as torch
from minigrad.autograd import Function, gradcheck, gradgradcheck


class LegendreP3(Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)  # dP3/dx = (15x² - 3) / 2


class LinearFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


class MulConstant(Function):
    @staticmethod
    def forward(tensor, constant):
        return tensor * constant

    @staticmethod
    def setup_context(ctx, inputs, output):
        _, constant = inputs
        ctx.constant = constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x ** 2


def fit_sine(steps):
    """Fit a + b·P3(c + d·x) to sin(x); returns the final loss."""
    dtype = torch.float
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    for t in range(steps):
        y_pred = a + b * LegendreP3.apply(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            print(t, loss.item())
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                p.grad = None
    print(f"Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)")
    return loss.item()


def main():
    parser = argparse.ArgumentParser(description="custom autograd Functions")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--dry-run", action="store_true", help="a short fit")
    args = parser.parse_args()
    torch.manual_seed(0)

    double = dict(dtype=torch.float64, requires_grad=True)
    x = torch.randn(5, **double)
    assert gradcheck(LegendreP3.apply, (x,))
    assert gradgradcheck(Cube.apply, (x,))
    inputs = (torch.randn(4, 3, **double), torch.randn(2, 3, **double), torch.randn(2, **double))
    assert gradcheck(LinearFunction.apply, inputs)

    # The custom op and the same formula through autograd give the same gradients.
    input, weight, bias = (t.detach().requires_grad_() for t in inputs)
    LinearFunction.apply(input, weight, bias).pow(2).sum().backward()
    custom = [t.grad.clone() for t in (input, weight, bias)]
    for t in (input, weight, bias):
        t.grad = None
    (input.mm(weight.t()) + bias).pow(2).sum().backward()
    for mine, reference in zip(custom, (input.grad, weight.grad, bias.grad)):
        assert torch.allclose(mine, reference)

    # needs_input_grad: a frozen weight gets no gradient and the op does not build one.
    frozen = weight.detach()
    input.grad = None
    LinearFunction.apply(input, frozen).sum().backward()
    assert frozen.grad is None and input.grad.shape == input.shape

    z = torch.ones(3, requires_grad=True)
    MulConstant.apply(z, 2.5).sum().backward()
    assert z.grad.tolist() == [2.5, 2.5, 2.5]

    first = 200 if args.dry_run else args.steps
    loss = fit_sine(first)
    assert loss < (200.0 if args.dry_run else 10.0), loss
    print("custom functions: gradcheck, gradgradcheck and autograd agree")


if __name__ == "__main__":
    main()
