"""Momentum written as an exponentially weighted average of the gradients."""

from .optimizer import Optimizer, regularize

__all__ = ["Momentum", "momentum"]


def momentum(xp, theta, g, v, *, t, lr, beta, weight_decay, bias_correction, maximize):
    """One step of exponentially weighted momentum; ``v`` is the average of the gradients."""
    theta, g = regularize(theta, g, lr=lr, weight_decay=weight_decay, maximize=maximize)
    v = beta * v + (1 - beta) * g
    v_hat = v / (1 - beta ** t) if bias_correction else v
    return theta - lr * v_hat, v


class Momentum(Optimizer):
    r"""Gradient descent with momentum in its exponentially weighted form.

    With γ the learning rate and β the momentum, starting from v = 0::

        v ← βv + (1 − β)g
        θ ← θ − γv                      (θ ← θ − γ v / (1 − βᵗ) with bias_correction)

    v is an exponentially weighted average of the gradients: fed 7.5, 4, 6, 8 with β = 0.9 it
    holds 0.75, 1.075, 1.5675, 2.21075; bias correction divides these by 1 − 0.9ᵗ.

    State: ``step`` (t) and ``momentum_buffer`` (v).

    Note:
        PyTorch's ``SGD(momentum=β)`` keeps b = Σ βᵗ⁻ᵏ gₖ instead, so v = (1 − β) b and
        ``Momentum(lr=γ, beta=β)`` takes exactly the steps of ``SGD(lr=γ(1 − β), momentum=β)``
        (the two are the same method with a rescaled learning rate). ``SGD(momentum=β,
        dampening=β)`` is not the same: PyTorch's first step takes the raw gradient, undamped.

    Args:
        params: tensors or parameter groups.
        lr: learning rate γ (default 1e-3).
        beta: β in [0, 1) (default 0.9).
        weight_decay: an L2 penalty λθ added to the gradient (default 0).
        bias_correction: divide v by 1 − βᵗ in the update (default False).
        maximize: ascend instead of descend.
        foreach, fused: which code path runs the step.

    >>> import minigrad as mg
    >>> x = mg.tensor([0.0], requires_grad=True)
    >>> opt = Momentum([x], lr=1.0, beta=0.9)
    >>> x.grad = mg.tensor([7.5])
    >>> opt.step()
    >>> round(opt.state[x]["momentum_buffer"].item(), 6)
    0.75
    """

    def __init__(self, params, lr=1e-3, beta=0.9, weight_decay=0, bias_correction=False, *,
                 maximize=False, foreach=None, fused=None):
        super().__init__(params, dict(lr=lr, beta=beta, weight_decay=weight_decay,
                                      bias_correction=bias_correction, maximize=maximize,
                                      foreach=foreach, fused=fused))

    def _state_names(self, group):
        return ("momentum_buffer",)

    def _hyper(self, group, scalars):
        return dict(t=scalars["step"], lr=group["lr"], beta=group["beta"],
                    weight_decay=group["weight_decay"], bias_correction=group["bias_correction"],
                    maximize=group["maximize"])

    update = staticmethod(momentum)
