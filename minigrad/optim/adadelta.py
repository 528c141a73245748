"""Adadelta: a decaying window of squared gradients and of squared updates."""

from .optimizer import Optimizer, regularize

__all__ = ["Adadelta", "adadelta"]


def adadelta(xp, theta, g, r, u, *, lr, rho, eps, weight_decay, maximize):
    """One Adadelta step; ``r`` averages g², ``u`` averages the squared updates Δθ²."""
    theta, g = regularize(theta, g, lr=lr, weight_decay=weight_decay, maximize=maximize)
    r = rho * r + (1 - rho) * g * g
    delta = xp.sqrt(u + eps) / xp.sqrt(r + eps) * g
    u = rho * u + (1 - rho) * delta * delta
    return theta - lr * delta, r, u


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), exactly PyTorch's ``torch.optim.Adadelta``.

    With ρ the decay, γ a learning rate that scales the step (1.0 in the paper)::

        g ← g + λθ                      if λ ≠ 0
        r ← ρr + (1 − ρ) g²
        Δθ = √(u + ε) / √(r + ε) · g
        u ← ρu + (1 − ρ) Δθ²
        θ ← θ − γ Δθ

    State: ``step``, ``square_avg`` (r) and ``acc_delta`` (u).

    Note:
        Unlike Adagrad's full sum, r and u average a decaying window, so the step size neither
        vanishes nor needs a hand-tuned learning rate; ε sits inside the square roots.

    Args:
        params: tensors or parameter groups.
        lr: γ (default 1.0).
        rho: ρ in [0, 1] (default 0.9).
        eps: ε (default 1e-6).
        weight_decay: λ (default 0).
        maximize: ascend instead of descend.
        foreach, fused: which code path runs the step.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0], requires_grad=True)
    >>> opt = Adadelta([x])
    >>> x.grad = mg.tensor([1.0])
    >>> opt.step()   # Δθ = √(1e-6)/√(0.1 + 1e-6)
    >>> round(1 - x.item(), 6)
    0.003162
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False,
                 foreach=None, fused=None):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach, fused=fused))

    def _state_names(self, group):
        return ("square_avg", "acc_delta")

    def _hyper(self, group, scalars):
        return dict(lr=group["lr"], rho=group["rho"], eps=group["eps"],
                    weight_decay=group["weight_decay"], maximize=group["maximize"])

    update = staticmethod(adadelta)
