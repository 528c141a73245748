"""Adam: bias-corrected estimates of the gradient's first and second moments."""

import math

from .optimizer import Optimizer, check_betas, gradient, moments, nonnegative, zeros

__all__ = ["Adam"]


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
        foreach, fused: ``foreach=False`` runs the per-parameter reference path.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Adam([x], lr=0.1)
    >>> (x * x).sum().backward()
    >>> opt.step()   # the first step is about lr · sign(g)
    >>> [round(v, 4) for v in x.tolist()]
    [0.9, -1.9]
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, fused=None,
                 capturable=False, differentiable=False, decoupled_weight_decay=False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize, foreach=foreach, fused=fused,
                                      capturable=capturable, differentiable=differentiable,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _validate(self, group):
        nonnegative(group, "lr", "eps", "weight_decay")
        check_betas(group["betas"])

    def _init_state(self, group, p):
        state = {"step": 0.0, "exp_avg": zeros(p), "exp_avg_sq": zeros(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros(p)
        return state

    def _update(self, group, ops, theta, g, state, work):
        lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        state["step"] += 1
        t = state["step"]
        if group["decoupled_weight_decay"]:
            if wd:
                theta *= 1 - lr * wd                                          # θ ← θ(1 − γλ)
            wd = 0
        g = gradient(ops, theta, g, work[0], weight_decay=wd, maximize=group["maximize"])
        m, v, s = state["exp_avg"], state["exp_avg_sq"], work[1]
        moments(ops, m, v, g, beta1, beta2, s)              # m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²
        if group["amsgrad"]:
            v = ops.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])  # v_max ← max(v_max, v)
        # θ ← θ − γ m̂ / (√v̂ + ε), with the bias corrections moved out of the arrays:
        #   = θ − γ √(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε √(1 − β₂ᵗ))      (one pass less)
        root_bc2 = math.sqrt(1 - beta2 ** t)
        denom = ops.sqrt(v, out=s)
        denom += eps * root_bc2
        step = ops.divide(m, denom, out=s)
        step *= lr * root_bc2 / (1 - beta1 ** t)
        theta -= step
