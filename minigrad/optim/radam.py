"""RAdam: Adam whose adaptive step is switched on once the variance estimate is reliable."""

import math

from .optimizer import Optimizer, regularize

__all__ = ["RAdam", "radam"]


def radam(xp, theta, g, m, v, *, t, lr, beta1, beta2, eps, weight_decay, maximize, decoupled_weight_decay):
    """One RAdam step; ``m``, ``v`` as in Adam."""
    theta, g = regularize(theta, g, lr=lr, weight_decay=weight_decay, maximize=maximize,
                          decoupled=decoupled_weight_decay)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2 ** t / (1 - beta2 ** t)
    if rho_t > 5:
        r_t = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        l_t = math.sqrt(1 - beta2 ** t) / (xp.sqrt(v) + eps)
        return theta - m_hat * lr * l_t * r_t, m, v
    return theta - m_hat * lr, m, v


class RAdam(Optimizer):
    r"""Rectified Adam (Liu et al., 2020), exactly PyTorch's ``torch.optim.RAdam``.

    ::

        m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,   m̂ = m / (1 − β₁ᵗ)
        ρ∞ = 2/(1 − β₂) − 1,   ρₜ = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)
        if ρₜ > 5:  lₜ = √(1 − β₂ᵗ)/(√v + ε),  rₜ = √((ρₜ−4)(ρₜ−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρₜ)),
                    θ ← θ − γ m̂ lₜ rₜ
        else:       θ ← θ − γ m̂          (SGD with momentum while the variance is unreliable)

    With the default β₂ = 0.999 the first five steps are momentum SGD steps.

    State: ``step`` (t), ``exp_avg`` (m), ``exp_avg_sq`` (v).

    Args:
        params: tensors or parameter groups.
        lr: γ (default 1e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0), an L2 penalty on the gradient unless decoupled.
        decoupled_weight_decay: θ ← θ(1 − γλ) instead.
        maximize: ascend instead of descend.
        foreach, fused: which code path runs the step.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0], requires_grad=True)
    >>> opt = RAdam([x], lr=0.1)
    >>> x.grad = mg.tensor([2.0])
    >>> opt.step()   # ρ₁ ≤ 5: θ − γ m̂ = 1 − 0.1 · 2
    >>> round(x.item(), 6)
    0.8
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, fused=None):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                                      foreach=foreach, fused=fused))

    def _state_names(self, group):
        return ("exp_avg", "exp_avg_sq")

    def _hyper(self, group, scalars):
        beta1, beta2 = group["betas"]
        return dict(t=scalars["step"], lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                    weight_decay=group["weight_decay"], maximize=group["maximize"],
                    decoupled_weight_decay=group["decoupled_weight_decay"])

    update = staticmethod(radam)
