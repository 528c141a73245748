"""Adam: bias-corrected estimates of the gradient's first and second moments."""

import math

from .optimizer import Optimizer, regularize

__all__ = ["Adam", "adam"]


def adam(xp, theta, g, m, v, v_max, *, t, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize,
         decoupled_weight_decay):
    """One Adam step; ``m`` and ``v`` are the moment estimates, ``v_max`` their running max (AMSGrad)."""
    theta, g = regularize(theta, g, lr=lr, weight_decay=weight_decay, maximize=maximize,
                          decoupled=decoupled_weight_decay)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    if amsgrad:
        v_max = xp.maximum(v_max, v)
    sqrt_v_hat = xp.sqrt(v_max if amsgrad else v) / math.sqrt(1 - beta2 ** t)
    return theta - lr / (1 - beta1 ** t) * (m / (sqrt_v_hat + eps)), m, v, v_max


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), exactly PyTorch's ``torch.optim.Adam``.

    With γ the learning rate, β₁, β₂ the decay rates, λ the weight decay::

        g ← g + λθ                      (or θ ← θ(1 − γλ) if decoupled_weight_decay)
        m ← β₁m + (1 − β₁)g
        v ← β₂v + (1 − β₂)g²
        m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)      (AMSGrad: v̂ from v_max = max(v_max, v))
        θ ← θ − γ m̂ / (√v̂ + ε)

    State: ``step`` (t), ``exp_avg`` (m), ``exp_avg_sq`` (v), ``max_exp_avg_sq`` (v_max, AMSGrad).

    Note:
        Bias correction matters at the start. m and v begin at 0, so each alone is too small
        (m₁ = 0.1g, v₁ = 0.001g² with the defaults), but the step uses their ratio: without the
        correction the first step is γ·0.1g/√(0.001g²) ≈ 3.16γ·sign(g), about 3x too LARGE
        (still 6.5x at t = 10), which can throw away a good initialisation. With it the first step
        is γ·m̂/√v̂ = γ·g/|g|: every coordinate moves by about γ in the direction of −sign(g).
        Goodfellow et al. write ρ₁, ρ₂, δ, s, r for β₁, β₂, ε, m, v.

    Args:
        params: tensors or parameter groups.
        lr: γ (default 1e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0).
        amsgrad: use the maximum of past v (Reddi et al., 2018).
        maximize: ascend instead of descend.
        decoupled_weight_decay: decay θ directly, as AdamW.
        foreach, fused: which code path runs the step.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Adam([x], lr=0.1)
    >>> (x * x).sum().backward()
    >>> opt.step()   # the first step is about lr · sign(g)
    >>> [round(v, 4) for v in x.tolist()]
    [0.9, -1.9]
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, fused=None, decoupled_weight_decay=False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize, foreach=foreach, fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _state_names(self, group):
        return ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if group["amsgrad"] else ())

    def _hyper(self, group, scalars):
        beta1, beta2 = group["betas"]
        return dict(t=scalars["step"], lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                    weight_decay=group["weight_decay"], amsgrad=group["amsgrad"],
                    maximize=group["maximize"], decoupled_weight_decay=group["decoupled_weight_decay"])

    @staticmethod
    def update(xp, theta, g, m, v, v_max=None, **hyper):
        return adam(xp, theta, g, m, v, v_max, **hyper)
