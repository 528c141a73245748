"""NAdam: Adam with Nesterov momentum and a momentum schedule (Dozat, 2016)."""

from .optimizer import Optimizer, regularize

__all__ = ["NAdam", "nadam"]


def nadam(xp, theta, g, m, v, *, t, lr, beta1, beta2, eps, weight_decay, mu_t, mu_next, mu_product,
          maximize, decoupled_weight_decay):
    """One NAdam step; ``mu_product`` is Π_{i≤t} μᵢ, already including ``mu_t``."""
    theta, g = regularize(theta, g, lr=lr, weight_decay=weight_decay, maximize=maximize,
                          decoupled=decoupled_weight_decay)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    denom = xp.sqrt(v / (1 - beta2 ** t)) + eps
    theta = theta - lr * (1 - mu_t) / (1 - mu_product) * (g / denom)
    theta = theta - lr * mu_next / (1 - mu_product * mu_next) * (m / denom)
    return theta, m, v


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
        foreach, fused: which code path runs the step.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0], requires_grad=True)
    >>> opt = NAdam([x], lr=0.1)
    >>> x.grad = mg.tensor([2.0])
    >>> opt.step()   # 1 − 0.1·(g/√v̂) − 0.1·μ₂/(1 − μ₁μ₂)·(m/√v̂) with g/√v̂ = 1, m/√v̂ = 0.1
    >>> round(x.item(), 4)
    0.8944
    """

    _scalar_state = ("step", "mu_product")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, fused=None):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                                      foreach=foreach, fused=fused))

    def _state_names(self, group):
        return ("exp_avg", "exp_avg_sq")

    def _init_state(self, group, p):
        state = super()._init_state(group, p)
        state["mu_product"] = 1.0
        return state

    @staticmethod
    def _mu(beta1, psi, t):
        return beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))

    def _advance(self, group, scalars):
        scalars["step"] += 1
        scalars["mu_product"] *= self._mu(group["betas"][0], group["momentum_decay"], scalars["step"])

    def _hyper(self, group, scalars):
        beta1, beta2 = group["betas"]
        t, psi = scalars["step"], group["momentum_decay"]
        return dict(t=t, lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                    weight_decay=group["weight_decay"], mu_t=self._mu(beta1, psi, t),
                    mu_next=self._mu(beta1, psi, t + 1), mu_product=scalars["mu_product"],
                    maximize=group["maximize"], decoupled_weight_decay=group["decoupled_weight_decay"])

    update = staticmethod(nadam)


