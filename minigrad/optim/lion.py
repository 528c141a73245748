"""Lion: the sign of an interpolated momentum, with decoupled weight decay (Chen et al., 2023)."""

from .optimizer import Optimizer, regularize

__all__ = ["Lion", "lion"]


def lion(xp, theta, g, m, *, lr, beta1, beta2, weight_decay, maximize):
    """One Lion step; ``m`` is the momentum (an exponential average of gradients with β₂)."""
    theta, g = regularize(theta, g, lr=lr, weight_decay=weight_decay, maximize=maximize, decoupled=True)
    c = beta1 * m + (1 - beta1) * g
    theta = theta - lr * xp.sign(c)
    m = beta2 * m + (1 - beta2) * g
    return theta, m


class Lion(Optimizer):
    r"""Lion, "EvoLved Sign Momentum" (Chen et al., 2023, Algorithm 2).

    ::

        c = β₁m + (1 − β₁)g
        θ ← θ − γ(sign(c) + λθ)
        m ← β₂m + (1 − β₂)g

    Every coordinate moves by exactly γ (plus decay) each step, so Lion wants a learning rate
    3–10× smaller than AdamW's and a λ correspondingly larger. PyTorch has no Lion; this
    follows the paper (its decay is decoupled, applied as θ(1 − γλ) before the sign step).

    State: ``exp_avg`` (m).

    Args:
        params: tensors or parameter groups.
        lr: γ (default 1e-4).
        betas: (β₁, β₂) (default (0.9, 0.99)).
        weight_decay: λ (default 0).
        maximize: ascend instead of descend.
        foreach, fused: which code path runs the step.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 1.0], requires_grad=True)
    >>> opt = Lion([x], lr=0.1)
    >>> x.grad = mg.tensor([3.0, -0.5])
    >>> opt.step()
    >>> [round(v, 6) for v in x.tolist()]
    [0.9, 1.1]
    """

    _scalar_state = ()

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, *, maximize=False,
                 foreach=None, fused=None):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach, fused=fused))

    def _state_names(self, group):
        return ("exp_avg",)

    def _hyper(self, group, scalars):
        beta1, beta2 = group["betas"]
        return dict(lr=group["lr"], beta1=beta1, beta2=beta2, weight_decay=group["weight_decay"],
                    maximize=group["maximize"])

    update = staticmethod(lion)
