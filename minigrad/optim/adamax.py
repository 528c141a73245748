"""Adamax: Adam with the infinity norm in place of the second moment."""

from .optimizer import Optimizer, check_betas, gradient, nonnegative, zeros

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2015, section 7.1), exactly PyTorch's ``torch.optim.Adamax``.

    ::

        g ← g + λθ                      if λ ≠ 0
        m ← β₁m + (1 − β₁)g
        u ← max(β₂u, |g| + ε)
        θ ← θ − γ/(1 − β₁ᵗ) · m / u

    State: ``step`` (t), ``exp_avg`` (m), ``exp_inf`` (u).

    Note:
        The paper writes u ← max(β₂u, |g|) and divides by u; PyTorch adds ε inside the max so
        that u is never 0. u needs no bias correction.

    Args:
        params: tensors or parameter groups.
        lr: γ (default 2e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0).
        maximize: ascend instead of descend.
        foreach, fused: ``foreach=False`` runs the per-parameter reference path.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0], requires_grad=True)
    >>> opt = Adamax([x], lr=0.1)
    >>> x.grad = mg.tensor([4.0])
    >>> opt.step()   # first step: 0.1 · (0.1·4/0.1) / (4 + ε)
    >>> round(x.item(), 6)
    0.9
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, *, foreach=None,
                 maximize=False, fused=None, capturable=False, differentiable=False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach, fused=fused,
                                      capturable=capturable, differentiable=differentiable))

    def _validate(self, group):
        nonnegative(group, "lr", "eps", "weight_decay")
        check_betas(group["betas"])

    def _init_state(self, group, p):
        return {"step": 0.0, "exp_avg": zeros(p), "exp_inf": zeros(p)}

    def _update(self, group, ops, theta, g, state, work):
        lr, (beta1, beta2) = group["lr"], group["betas"]
        state["step"] += 1
        g = gradient(ops, theta, g, work[0], weight_decay=group["weight_decay"], maximize=group["maximize"])
        m, u, s = state["exp_avg"], state["exp_inf"], work[1]
        m *= beta1
        m += ops.multiply(g, 1 - beta1, out=s)                                # m ← β₁m + (1 − β₁)g
        u *= beta2
        ops.maximum(u, ops.add(ops.abs(g, out=s), group["eps"], out=s), out=u)  # u ← max(β₂u, |g| + ε)
        step = ops.divide(m, u, out=s)
        step *= lr / (1 - beta1 ** state["step"])
        theta -= step                                                         # θ ← θ − γ/(1 − β₁ᵗ) · m/u
