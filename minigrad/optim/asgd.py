"""ASGD: stochastic gradient descent that also keeps a running average of the iterates."""

from .optimizer import Optimizer, gradient, nonnegative, zeros

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak & Juditsky, 1992), exactly PyTorch's ``torch.optim.ASGD``.

    With γ the learning rate, λ the decay term ``lambd``, α the power, t₀ the step at which
    averaging starts and w the weight decay, starting from η₁ = γ, μ₁ = 1::

        g ← g + wθ                      if w ≠ 0
        θ ← θ(1 − λη) − ηg
        θ̄ ← θ  if μ = 1,   θ̄ ← θ̄ + μ(θ − θ̄)  after
        η ← γ / (1 + λγt)^α,   μ ← 1 / max(1, t − t₀)

    θ̄ (``ax``) is the average of the iterates since step t₀ (until then μ = 1 and it is the
    last iterate); evaluate the model with it after training. The parameters themselves take
    plain SGD steps with a slowly decaying learning rate η.

    State: ``step`` (t), ``eta`` (η), ``mu`` (μ), ``ax`` (θ̄).

    Args:
        params: tensors or parameter groups.
        lr: γ (default 1e-2).
        lambd: λ (default 1e-4).
        alpha: α (default 0.75).
        t0: t₀ (default 1e6).
        weight_decay: w (default 0).
        maximize: ascend instead of descend.
        foreach, fused: ``foreach=False`` runs the per-parameter reference path.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0], requires_grad=True)
    >>> opt = ASGD([x], lr=0.1, lambd=0.5)
    >>> x.grad = mg.tensor([2.0])
    >>> opt.step()   # θ(1 − 0.5·0.1) − 0.1·2 = 0.95 − 0.2
    >>> round(x.item(), 6), round(opt.state[x]["eta"], 6)   # η = 0.1 / (1 + 0.5·0.1·1)^0.75
    (0.75, 0.096407)
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, *, fused=None, capturable=False, differentiable=False):
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize, fused=fused,
                                      capturable=capturable, differentiable=differentiable))

    def _validate(self, group):
        nonnegative(group, "lr", "weight_decay")

    def _init_state(self, group, p):
        return {"step": 0.0, "eta": float(group["lr"]), "mu": 1.0, "ax": zeros(p)}

    def _update(self, group, ops, theta, g, state, work):
        lr, lambd = group["lr"], group["lambd"]
        state["step"] += 1
        t, eta, mu = state["step"], state["eta"], state["mu"]
        g = gradient(ops, theta, g, work[0], weight_decay=group["weight_decay"], maximize=group["maximize"])
        theta *= 1 - lambd * eta
        theta -= ops.multiply(g, eta, out=work[1])                            # θ ← θ(1 − λη) − ηg
        ax = state["ax"]
        if mu == 1:
            ax[...] = theta                                                   # θ̄ ← θ
        else:
            ax += ops.multiply(ops.subtract(theta, ax, out=work[1]), mu, out=work[1])  # θ̄ ← θ̄ + μ(θ − θ̄)
        state["eta"] = lr / (1 + lambd * lr * t) ** group["alpha"]            # η ← γ / (1 + λγt)^α
        state["mu"] = 1 / max(1, t - group["t0"])                             # μ ← 1 / max(1, t − t₀)
