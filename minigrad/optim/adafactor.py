"""Adafactor: Adam's second moment stored as a row and a column factor (Shazeer and Stern, 2018)."""

import math

from .optimizer import Optimizer, zeros

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    r"""Adafactor with PyTorch's defaults: ``torch.optim.Adafactor``.

    With γ the learning rate, τ the β₂ decay, λ the weight decay and d the clipping threshold, at
    step t::

        β̂₂ = 1 − t^τ,   ρ = min(γ, 1/√t),   α = max(ε₂, RMS(θ)) ρ
        θ ← θ(1 − γλ)
        for a matrix (the last two dims):  R ← β̂₂R + (1 − β̂₂) mean_cols(g²),  C ← β̂₂C + (1 − β̂₂) mean_rows(g²)
                                           V = R C / max(mean(R), ε₁)      (the rank-1 estimate of E[g²])
        for a vector:                      V ← β̂₂V + (1 − β̂₂) g²
        u = g / √max(V, ε₁²),   θ ← θ − α u / max(1, RMS(u)/d)

    A matrix of n×m keeps n + m numbers of second moment instead of nm; there is no first moment.
    The step size is relative (α scales with the parameter's own RMS), and the update is clipped
    to an RMS of at most d. ε₁ = None uses the dtype's machine epsilon.

    State: ``step``, and ``row_var``/``col_var`` (matrices, shapes (…, n, 1) and (…, 1, m)) or
    ``variance`` (vectors).

    Args:
        params: tensors or parameter groups.
        lr: γ (default 1e-2).
        beta2_decay: τ, at most 0 (default -0.8).
        eps: (ε₁, ε₂) (default (None, 1e-3)).
        d: the clipping threshold, at least 1 (default 1).
        weight_decay: λ (default 0).
        maximize: ascend instead of descend.
        foreach: accepted, as PyTorch's; every parameter is updated on its own arrays.

    >>> import minigrad as mg
    >>> w = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> w.grad = mg.ones(2, 2)
    >>> Adafactor([w]).step()
    >>> [round(v, 4) for v in w.reshape(-1).tolist()]  # α = RMS(θ)·min(γ, 1) = 2.7386·0.01, |u| = 1
    [0.9726, 1.9726, 2.9726, 3.9726]
    """

    elementwise = False  # the factored moments need each parameter's matrix

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=tuple(eps), d=d,
                                      weight_decay=weight_decay, foreach=foreach, maximize=maximize))

    def _validate(self, group):
        checks = [(group["lr"] >= 0, f"Learning rate should be >= 0 but is: {group['lr']}"),
                  (group["beta2_decay"] <= 0, f"beta2_decay should be <= 0 but is: {group['beta2_decay']}"),
                  (group["eps"][0] is None or group["eps"][0] >= 0,
                   f"epsilon1 should be >= 0 but is: {group['eps'][0]}"),
                  (group["eps"][1] >= 0, f"epsilon2 should be >= 0 but is: {group['eps'][1]}"),
                  (group["d"] >= 1, f"Clipping threshold d should be >= 1 but is: {group['d']}"),
                  (group["weight_decay"] >= 0,
                   f"weight_decay should be >= 0 but is: {group['weight_decay']}")]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    def _init_state(self, group, p):
        if p.ndim < 2:
            return {"step": 0.0, "variance": zeros(p)}
        return {"step": 0.0, "row_var": p.new_zeros(tuple(p.shape[:-1]) + (1,)),
                "col_var": p.new_zeros(tuple(p.shape[:-2]) + (1, p.shape[-1]))}

    def _update(self, group, ops, theta, g, state, work):
        lr, wd, d = group["lr"], group["weight_decay"], group["d"]
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = float(ops.finfo(theta.dtype).eps)
        if group["maximize"]:
            g = ops.negative(g, out=work[0])
        state["step"] += 1
        t = state["step"]
        decay = t ** group["beta2_decay"]                                      # 1 − β̂₂ = t^τ
        rho = min(lr, 1 / math.sqrt(t))
        alpha = max(eps2, _rms(ops, theta)) * rho                              # α = max(ε₂, RMS(θ)) ρ
        if wd:
            theta *= 1 - lr * wd                                              # θ ← θ(1 − γλ)
        squared = ops.multiply(g, g, out=work[1])
        if "variance" in state:
            v = state["variance"]
            v += decay * (squared - v)                                        # V ← β̂₂V + (1 − β̂₂)g²
            estimate = ops.maximum(v, eps1 * eps1, out=work[1])
        else:
            r, c = state["row_var"], state["col_var"]
            r += decay * (ops.mean(squared, axis=-1, keepdims=True) - r)      # R ← β̂₂R + (1 − β̂₂) mean g²
            c += decay * (ops.mean(squared, axis=-2, keepdims=True) - c)      # C ← β̂₂C + (1 − β̂₂) mean g²
            estimate = ops.matmul(r, c) / ops.maximum(ops.mean(r, axis=-2, keepdims=True), eps1)
            estimate = ops.maximum(estimate, eps1 * eps1)                     # V = RC / mean(R)
        u = ops.divide(g, ops.sqrt(estimate), out=work[1])                    # u = g / √V
        theta -= u * (alpha / max(1.0, _rms(ops, u) / d))                     # θ ← θ − α u / max(1, RMS(u)/d)


def _rms(ops, a):
    return float(ops.sqrt(ops.mean(a * a))) if a.size else 0.0
