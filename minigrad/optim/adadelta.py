"""Adadelta: a decaying window of squared gradients and of squared updates."""

from .optimizer import Optimizer, gradient, nonnegative, zeros

__all__ = ["Adadelta"]


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
        foreach, fused: ``foreach=False`` runs the per-parameter reference path.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0], requires_grad=True)
    >>> opt = Adadelta([x])
    >>> x.grad = mg.tensor([1.0])
    >>> opt.step()   # Δθ = √(1e-6)/√(0.1 + 1e-6)
    >>> round(1 - x.item(), 6)
    0.003162
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False,
                 foreach=None, fused=None, capturable=False, differentiable=False):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach, fused=fused,
                                      capturable=capturable, differentiable=differentiable))

    def _validate(self, group):
        nonnegative(group, "lr", "eps", "weight_decay")
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Invalid rho value: {group['rho']} (must be in [0, 1])")

    def _init_state(self, group, p):
        return {"step": 0.0, "square_avg": zeros(p), "acc_delta": zeros(p)}

    def _update(self, group, ops, theta, g, state, work):
        rho, eps = group["rho"], group["eps"]
        state["step"] += 1
        g = gradient(ops, theta, g, work[0], weight_decay=group["weight_decay"], maximize=group["maximize"])
        r, u, s = state["square_avg"], state["acc_delta"], work[1]
        r *= rho
        r += ops.multiply(ops.multiply(g, 1 - rho, out=s), g, out=s)          # r ← ρr + (1 − ρ)g²
        delta = ops.sqrt(ops.add(u, eps, out=work[2]), out=work[2])
        delta /= ops.sqrt(ops.add(r, eps, out=s), out=s)
        delta *= g                                                            # Δθ = √(u + ε) / √(r + ε) · g
        u *= rho
        u += ops.multiply(ops.multiply(delta, 1 - rho, out=s), delta, out=s)  # u ← ρu + (1 − ρ)Δθ²
        theta -= ops.multiply(delta, group["lr"], out=s)                      # θ ← θ − γΔθ
