"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""

from .optimizer import Optimizer, gradient, nonnegative, zeros

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011), exactly PyTorch's ``torch.optim.Adagrad``.

    With γ the learning rate, η the lr decay, λ the weight decay and r₀ the initial accumulator::

        g ← g + λθ                      if λ ≠ 0
        γₜ = γ / (1 + (t − 1)η)
        r ← r + g ⊙ g
        θ ← θ − γₜ g / (√r + ε)

    State: ``step`` (t) and ``sum`` (r), created at construction as in PyTorch.

    Note:
        Goodfellow et al. (Algorithm 8.4) add δ ≈ 1e−7 to √r; PyTorch (and this class) use ε = 1e−10 in the
        same place. The effective learning rate γₜ/(√r + ε) only ever decays.

    Args:
        params: tensors or parameter groups.
        lr: γ (default 1e-2).
        lr_decay: η (default 0).
        weight_decay: λ (default 0).
        initial_accumulator_value: r₀ (default 0).
        eps: ε (default 1e-10).
        maximize: ascend instead of descend.
        foreach, fused: ``foreach=False`` runs the per-parameter reference path.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0], requires_grad=True)
    >>> opt = Adagrad([x], lr=0.1)
    >>> x.grad = mg.tensor([2.0])
    >>> opt.step()   # θ − 0.1 · 2/√4
    >>> round(x.item(), 6)
    0.9
    """

    _eager_state = True

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, *, maximize=False, foreach=None, fused=None,
                 differentiable=False):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps,
                                      maximize=maximize, foreach=foreach, fused=fused,
                                      differentiable=differentiable))

    def _validate(self, group):
        nonnegative(group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def _init_state(self, group, p):
        return {"step": 0.0, "sum": zeros(p, group["initial_accumulator_value"])}

    def _update(self, group, ops, theta, g, state, work):
        state["step"] += 1
        lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])     # γₜ = γ / (1 + (t − 1)η)
        g = gradient(ops, theta, g, work[0], weight_decay=group["weight_decay"], maximize=group["maximize"])
        r, s = state["sum"], work[1]
        r += ops.multiply(g, g, out=s)                                        # r ← r + g²
        denom = ops.sqrt(r, out=s)
        denom += group["eps"]
        step = ops.divide(g, denom, out=s)
        step *= lr
        theta -= step                                                         # θ ← θ − γₜ g / (√r + ε)
