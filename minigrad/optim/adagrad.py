"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""

from .optimizer import Optimizer, regularize

__all__ = ["Adagrad", "adagrad"]


def adagrad(xp, theta, g, r, *, t, lr, lr_decay, weight_decay, eps, maximize):
    """One Adagrad step; ``r`` is the sum of squared gradients."""
    theta, g = regularize(theta, g, lr=lr, weight_decay=weight_decay, maximize=maximize)
    lr_t = lr / (1 + (t - 1) * lr_decay)
    r = r + g * g
    return theta - lr_t * (g / (xp.sqrt(r) + eps)), r


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
        foreach, fused: which code path runs the step.

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
                 eps=1e-10, *, maximize=False, foreach=None, fused=None):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps,
                                      maximize=maximize, foreach=foreach, fused=fused))

    def _state_names(self, group):
        return ("sum",)

    def _init_state(self, group, p):
        state = super()._init_state(group, p)
        state["sum"].array = p.device.xp.full_like(p.array, group["initial_accumulator_value"])
        return state

    def _hyper(self, group, scalars):
        return dict(t=scalars["step"], lr=group["lr"], lr_decay=group["lr_decay"],
                    weight_decay=group["weight_decay"], eps=group["eps"], maximize=group["maximize"])

    update = staticmethod(adagrad)
