"""Adamax: Adam with the infinity norm in place of the second moment."""

from .optimizer import Optimizer, regularize

__all__ = ["Adamax", "adamax"]


def adamax(xp, theta, g, m, u, *, t, lr, beta1, beta2, eps, weight_decay, maximize):
    """One Adamax step; ``m`` is the first moment, ``u`` the exponentially weighted infinity norm."""
    theta, g = regularize(theta, g, lr=lr, weight_decay=weight_decay, maximize=maximize)
    m = beta1 * m + (1 - beta1) * g
    u = xp.maximum(beta2 * u, xp.abs(g) + eps)
    return theta - lr / (1 - beta1 ** t) * (m / u), m, u


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
        foreach, fused: which code path runs the step.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0], requires_grad=True)
    >>> opt = Adamax([x], lr=0.1)
    >>> x.grad = mg.tensor([4.0])
    >>> opt.step()   # first step: 0.1 · (0.1·4/0.1) / (4 + ε)
    >>> round(x.item(), 6)
    0.9
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, *, foreach=None,
                 maximize=False, fused=None):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach, fused=fused))

    def _state_names(self, group):
        return ("exp_avg", "exp_inf")

    def _hyper(self, group, scalars):
        beta1, beta2 = group["betas"]
        return dict(t=scalars["step"], lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                    weight_decay=group["weight_decay"], maximize=group["maximize"])

    update = staticmethod(adamax)
