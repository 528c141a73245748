"""The "Learning PyTorch with Examples" tutorial: y = sin(x) fitted by a third-order polynomial,
once per level of the library, then by L-BFGS.

1. tensors and a hand-written gradient (``torch.linspace``, ``torch.randn((), dtype=...)``,
   in-place ``a -= learning_rate * grad_a``);
2. autograd, updating under ``torch.no_grad()`` and resetting ``a.grad = None``;
3. ``nn``: the features ``x.unsqueeze(-1).pow(p)``, ``nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))``,
   ``nn.MSELoss(reduction='sum')``, the update over ``model.parameters()``, and reading the layer
   back (``model[0]``, ``weight[:, 0].item()``);
4. ``optim.RMSprop``;
5. a custom ``nn.Module`` of four ``nn.Parameter(torch.randn(()))``;
6. dynamic control flow: a network that reuses one parameter for a random number (4 or 5) of
   higher-order terms in each forward pass, trained with SGD + momentum;
7. ``optim.LBFGS`` with ``line_search_fn="strong_wolfe"`` and a closure.

The least-squares polynomial (``torch.linalg.lstsq``) is the target every fit must approach.
Run: python polynomial_fits.py [--dry-run]
"""

import argparse
import math
import random

import minigrad as torch


class Polynomial3(torch.nn.Module):
    def __init__(self):
        """
        In the constructor we instantiate four parameters and assign them as
        member parameters.
        """
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        return f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3'


class DynamicNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))
        self.e = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        """
        For the forward pass of the model, we randomly choose either 4, 5
        and reuse the e parameter to compute the contribution of these orders.
        """
        y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
        for exp in range(4, random.randint(4, 6)):
            y = y + self.e * x ** exp
        return y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--dry-run', action='store_true')
    args = parser.parse_args()
    steps = 500 if args.dry_run else 2000
    torch.manual_seed(0)
    random.seed(0)

    dtype = torch.float
    device = "cpu"

    # Create random input and output data
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)

    # the best cubic in the least-squares sense
    A = torch.stack([torch.ones_like(x), x, x ** 2, x ** 3], dim=1).double()
    best = torch.linalg.lstsq(A, y.double().unsqueeze(1)).solution.squeeze(1)
    best_loss = (A @ best - y.double()).pow(2).sum().item()
    print(f'least squares: {best.tolist()}, loss {best_loss:.4f}')
    assert abs(best[0].item()) < 1e-6 and abs(best[2].item()) < 1e-6  # sin is odd

    # 1. tensors, gradients by hand
    a = torch.randn((), device=device, dtype=dtype)
    b = torch.randn((), device=device, dtype=dtype)
    c = torch.randn((), device=device, dtype=dtype)
    d = torch.randn((), device=device, dtype=dtype)

    learning_rate = 1e-6
    for t in range(steps):
        # Forward pass: compute predicted y
        # y = a + b x + c x^2 + d x^3
        y_pred = a + b * x + c * x ** 2 + d * x ** 3

        # Compute and print loss
        loss = (y_pred - y).pow(2).sum().item()
        if t % 100 == 99:
            print(t, loss)

        # Backprop to compute gradients of a, b, c, d with respect to loss
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x ** 2).sum()
        grad_d = (grad_y_pred * x ** 3).sum()

        # Update weights using gradient descent
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    by_hand = torch.stack([a, b, c, d])
    print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')

    # 2. autograd: the same four numbers from the same start
    torch.manual_seed(0)
    a = torch.randn((), dtype=dtype, requires_grad=True)
    b = torch.randn((), dtype=dtype, requires_grad=True)
    c = torch.randn((), dtype=dtype, requires_grad=True)
    d = torch.randn((), dtype=dtype, requires_grad=True)
    for _ in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad

            # Manually zero the gradients after updating weights
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    assert torch.allclose(torch.stack([a, b, c, d]).detach(), by_hand, rtol=1e-3, atol=1e-4)
    assert a.is_leaf and a.requires_grad

    # 3. nn
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    assert xx.shape == (2000, 3) and xx.dtype == torch.float32
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 1),
        torch.nn.Flatten(0, 1)
    )
    loss_fn = torch.nn.MSELoss(reduction='sum')
    for _ in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    linear_layer = model[0]
    print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + '
          f'{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')
    nn_loss = loss.item()

    # 4. optim
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for _ in range(2000):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    rmsprop_loss = loss.item()
    print(f'RMSprop: loss {rmsprop_loss:.4f}, nn + SGD: {nn_loss:.4f}')
    assert rmsprop_loss < 2 * best_loss, rmsprop_loss

    # 5. a custom nn.Module
    model = Polynomial3()
    criterion = torch.nn.MSELoss(reduction='sum')
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    for _ in range(steps):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f'Result: {model.string()}')
    assert [name for name, _ in model.named_parameters()] == ['a', 'b', 'c', 'd']

    # 6. dynamic control flow and weight sharing
    model = DynamicNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    for _ in range(steps):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f'dynamic net: loss {loss.item():.2f}')
    assert model.e.grad is not None

    # 7. L-BFGS reaches the least-squares solution in a few steps
    model = Polynomial3()
    optimizer = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=50, line_search_fn="strong_wolfe")
    evaluations = []

    def closure():
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        evaluations.append(loss.item())
        return loss

    for _ in range(3):
        optimizer.step(closure)
    fitted = torch.stack([model.a, model.b, model.c, model.d]).detach().double()
    print(f'L-BFGS ({len(evaluations)} evaluations): {model.string()}')
    assert torch.allclose(fitted, best, atol=1e-3), (fitted, best)
    assert evaluations[-1] < best_loss * (1 + 1e-4) + 1e-4
    assert optimizer.state[optimizer.param_groups[0]['params'][0]]['n_iter'] >= 3


if __name__ == '__main__':
    main()
