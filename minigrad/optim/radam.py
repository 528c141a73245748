"""RAdam: Adam whose adaptive step is switched on once the variance estimate is reliable."""

import math

from .optimizer import Optimizer, check_betas, gradient, moments, nonnegative, zeros

__all__ = ["RAdam"]


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
        foreach, fused: ``foreach=False`` runs the per-parameter reference path.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0], requires_grad=True)
    >>> opt = RAdam([x], lr=0.1)
    >>> x.grad = mg.tensor([2.0])
    >>> opt.step()   # ρ₁ ≤ 5: θ − γ m̂ = 1 − 0.1 · 2
    >>> round(x.item(), 6)
    0.8
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, fused=None,
                 capturable=False, differentiable=False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                                      foreach=foreach, fused=fused,
                                      capturable=capturable, differentiable=differentiable))

    def _validate(self, group):
        nonnegative(group, "lr", "eps", "weight_decay")
        check_betas(group["betas"])

    def _init_state(self, group, p):
        return {"step": 0.0, "exp_avg": zeros(p), "exp_avg_sq": zeros(p)}

    def _update(self, group, ops, theta, g, state, work):
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        state["step"] += 1
        t = state["step"]
        if group["decoupled_weight_decay"]:
            theta *= 1 - lr * wd                                              # θ ← θ(1 − γλ)
            wd = 0
        g = gradient(ops, theta, g, work[0], weight_decay=wd, maximize=group["maximize"])
        m, v, s = state["exp_avg"], state["exp_avg_sq"], work[1]
        moments(ops, m, v, g, beta1, beta2, s)              # m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²
        step = ops.divide(m, 1 - beta1 ** t, out=s)
        step *= lr                                                            # γ m̂
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2 ** t / (1 - beta2 ** t)
        if rho_t > 5:
            r_t = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            l_t = ops.sqrt(v, out=work[2])
            l_t += group["eps"]
            ops.divide(math.sqrt(1 - beta2 ** t), l_t, out=l_t)               # lₜ = √(1 − β₂ᵗ)/(√v + ε)
            step *= l_t
            step *= r_t
        theta -= step                                                         # θ ← θ − γ m̂ (lₜ rₜ)
