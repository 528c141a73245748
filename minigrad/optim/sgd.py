"""Stochastic gradient descent, with momentum, Nesterov momentum and weight decay (PyTorch's SGD)."""

from .optimizer import Optimizer, gradient, nonnegative

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Gradient descent, optionally with (Nesterov) momentum: PyTorch's ``torch.optim.SGD``.

    With γ the learning rate, μ the momentum, τ the dampening and λ the weight decay::

        g ← ∇f(θ)  (−∇f(θ) if maximize)
        g ← g + λθ                      if λ ≠ 0
        b ← g  at the first step,  b ← μb + (1 − τ)g  after   (if μ ≠ 0)
        g ← g + μb  (nesterov)  or  g ← b
        θ ← θ − γg

    State: ``momentum_buffer`` (b), only when μ ≠ 0.

    Note:
        This is the "classic" momentum v ← μv + g, θ ← θ − γv (Polyak's heavy ball), not the
        exponentially weighted v ← μv + (1 − μ)g (that is :class:`Momentum`). Nesterov momentum
        is PyTorch's reparameterisation (Sutskever et al., 2013): the stored parameter is the
        look-ahead point, so the gradient taken there is the one Nesterov's method needs.

    Args:
        params: tensors or parameter groups.
        lr: learning rate γ (default 1e-3).
        momentum: μ (default 0).
        dampening: τ (default 0).
        weight_decay: λ, an L2 penalty added to the gradient (default 0).
        nesterov: use Nesterov momentum (needs μ > 0 and τ = 0).
        maximize: ascend instead of descend.
        foreach, fused: ``foreach=False`` runs the per-parameter reference path (see
            :mod:`minigrad.optim.optimizer`); otherwise the fast path runs.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0], requires_grad=True)
    >>> opt = SGD([x], lr=0.1)
    >>> for _ in range(3):
    ...     opt.zero_grad()
    ...     (x * x).sum().backward()
    ...     opt.step()
    >>> round(x.item(), 4)  # each step multiplies x by 1 - 2·0.1
    0.512
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, fused=None, differentiable=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                                      foreach=foreach, fused=fused,
                                      differentiable=differentiable))

    def _validate(self, group):
        nonnegative(group, "lr", "momentum", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum > 0 and zero dampening "
                             f"(got momentum={group['momentum']}, dampening={group['dampening']})")

    def _init_state(self, group, p):
        return {"momentum_buffer": None} if group["momentum"] else {}  # b is the first gradient

    def _update(self, group, ops, theta, g, state, work):
        lr, mu, tau = group["lr"], group["momentum"], group["dampening"]
        g = gradient(ops, theta, g, work[0], weight_decay=group["weight_decay"], maximize=group["maximize"])
        if mu:
            b = state["momentum_buffer"]
            if b is None:
                b = state["momentum_buffer"] = ops.copy(g)                 # b ← g
            else:
                b *= mu
                b += g if tau == 0 else ops.multiply(g, 1 - tau, out=work[1])  # b ← μb + (1 − τ)g
            g = ops.add(g, ops.multiply(b, mu, out=work[1]), out=work[1]) if group["nesterov"] else b
        theta -= ops.multiply(g, lr, out=work[1])                             # θ ← θ − γg
