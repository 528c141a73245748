"""Lion: the sign of an interpolated momentum, with decoupled weight decay (Chen et al., 2023)."""

from .optimizer import Optimizer, check_betas, gradient, nonnegative, zeros

__all__ = ["Lion"]


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
        foreach, fused: ``foreach=False`` runs the per-parameter reference path.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 1.0], requires_grad=True)
    >>> opt = Lion([x], lr=0.1)
    >>> x.grad = mg.tensor([3.0, -0.5])
    >>> opt.step()
    >>> [round(v, 6) for v in x.tolist()]
    [0.9, 1.1]
    """

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, *, maximize=False,
                 foreach=None, fused=None):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach, fused=fused))

    def _validate(self, group):
        nonnegative(group, "lr", "weight_decay")
        check_betas(group["betas"])

    def _init_state(self, group, p):
        return {"exp_avg": zeros(p)}

    def _update(self, group, ops, theta, g, state, work):
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        g = gradient(ops, theta, g, work[0], maximize=group["maximize"])
        m, c = state["exp_avg"], work[1]
        ops.multiply(m, beta1, out=c)
        c += ops.multiply(g, 1 - beta1, out=work[2])                          # c = β₁m + (1 − β₁)g
        if wd:
            theta *= 1 - lr * wd                                              # θ ← θ(1 − γλ)
        theta -= ops.multiply(ops.sign(c, out=c), lr, out=c)                  # θ ← θ − γ sign(c)
        m *= beta2
        m += ops.multiply(g, 1 - beta2, out=c)                                # m ← β₂m + (1 − β₂)g
