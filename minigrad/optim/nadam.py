"""NAdam: Adam with Nesterov momentum and a momentum schedule (Dozat, 2016)."""

from .optimizer import Optimizer, check_betas, gradient, moments, nonnegative, zeros

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016), exactly PyTorch's ``torch.optim.NAdam``.

    With ψ the momentum decay, the momentum follows a schedule::

        μₜ = β₁(1 − ½·0.96^(tψ)),   μₜ₊₁ = β₁(1 − ½·0.96^((t+1)ψ))
        m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,   v̂ = v / (1 − β₂ᵗ)
        θ ← θ − γ(1 − μₜ)/(1 − Πᵢ₌₁ᵗ μᵢ) · g/(√v̂ + ε) − γμₜ₊₁/(1 − Πᵢ₌₁ᵗ⁺¹ μᵢ) · m/(√v̂ + ε)

    The first term is the Nesterov look-ahead: the current gradient enters the step directly,
    bias-corrected by the running product of the μ's.

    State: ``step`` (t), ``mu_product`` (Π μᵢ), ``exp_avg`` (m), ``exp_avg_sq`` (v).

    Args:
        params: tensors or parameter groups.
        lr: γ (default 2e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0), an L2 penalty on the gradient unless decoupled.
        momentum_decay: ψ (default 4e-3).
        decoupled_weight_decay: θ ← θ(1 − γλ) instead (NAdamW).
        maximize: ascend instead of descend.
        foreach, fused: ``foreach=False`` runs the per-parameter reference path.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0], requires_grad=True)
    >>> opt = NAdam([x], lr=0.1)
    >>> x.grad = mg.tensor([2.0])
    >>> opt.step()   # 1 − 0.1·(g/√v̂) − 0.1·μ₂/(1 − μ₁μ₂)·(m/√v̂) with g/√v̂ = 1, m/√v̂ = 0.1
    >>> round(x.item(), 4)
    0.8944
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, fused=None,
                 capturable=False, differentiable=False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                                      foreach=foreach, fused=fused,
                                      capturable=capturable, differentiable=differentiable))

    def _validate(self, group):
        nonnegative(group, "lr", "eps", "weight_decay", "momentum_decay")
        check_betas(group["betas"])

    def _init_state(self, group, p):
        return {"step": 0.0, "mu_product": 1.0, "exp_avg": zeros(p), "exp_avg_sq": zeros(p)}

    def _update(self, group, ops, theta, g, state, work):
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        psi = group["momentum_decay"]
        state["step"] += 1
        t = state["step"]
        mu_t = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))                       # μₜ
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))              # μₜ₊₁
        state["mu_product"] *= mu_t                                           # Πᵢ₌₁ᵗ μᵢ
        mu_product = state["mu_product"]
        if group["decoupled_weight_decay"]:
            theta *= 1 - lr * wd                                              # θ ← θ(1 − γλ)
            wd = 0
        g = gradient(ops, theta, g, work[0], weight_decay=wd, maximize=group["maximize"])
        m, v, s, denom = state["exp_avg"], state["exp_avg_sq"], work[1], work[2]
        moments(ops, m, v, g, beta1, beta2, s)              # m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²
        ops.sqrt(ops.divide(v, 1 - beta2 ** t, out=denom), out=denom)
        denom += group["eps"]                                                 # √v̂ + ε
        step = ops.divide(g, denom, out=s)
        step *= lr * (1 - mu_t) / (1 - mu_product)
        theta -= step
        step = ops.divide(m, denom, out=s)
        step *= lr * mu_next / (1 - mu_product * mu_next)
        theta -= step
