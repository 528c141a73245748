"""Momentum written as an exponentially weighted average of the gradients."""

from .optimizer import Optimizer, gradient, nonnegative, zeros

__all__ = ["Momentum"]


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
        foreach, fused: ``foreach=False`` runs the per-parameter reference path.

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

    def _validate(self, group):
        nonnegative(group, "lr", "weight_decay")
        if not 0.0 <= group["beta"] < 1.0:
            raise ValueError(f"Invalid beta value: {group['beta']} (must be in [0, 1))")

    def _init_state(self, group, p):
        return {"step": 0.0, "momentum_buffer": zeros(p)}

    def _update(self, group, ops, theta, g, state, work):
        lr, beta = group["lr"], group["beta"]
        state["step"] += 1
        g = gradient(ops, theta, g, work[0], weight_decay=group["weight_decay"], maximize=group["maximize"])
        v = state["momentum_buffer"]
        v *= beta
        v += ops.multiply(g, 1 - beta, out=work[1])                           # v ← βv + (1 − β)g
        if group["bias_correction"]:
            lr /= 1 - beta ** state["step"]                                   # v̂ = v / (1 − βᵗ)
        theta -= ops.multiply(v, lr, out=work[1])                             # θ ← θ − γv̂
