"""Muon: momentum orthogonalised by Newton–Schulz iterations, for 2-D weights (Jordan et al., 2024)."""

import math

from .optimizer import Optimizer, nonnegative, zeros

__all__ = ["Muon"]


class Muon(Optimizer):
    r"""Muon, "MomentUm Orthogonalized by Newton–Schulz": PyTorch's ``torch.optim.Muon``.

    With γ the learning rate, λ the weight decay, μ the momentum, for each 2-D weight θ::

        b ← μb + (1 − μ)g                        (b = 0 before the first step)
        u ← (1 − μ)g + μb  (nesterov)  or  u ← b
        O ← NS(u)                                 ≈ the orthogonal factor U Vᵀ of u = U S Vᵀ
        θ ← θ(1 − γλ)                             (decoupled weight decay)
        θ ← θ − γ' O,   γ' = γ·√max(1, A/B) ("original"), γ·0.2·√max(A, B) ("match_rms_adamw")

    for θ of shape (A, B). NS runs ``ns_steps`` quintic Newton–Schulz iterations on
    X = u / max(‖u‖_F, ε) (on uᵀ when A > B, so the Gram matrix is the smaller one)::

        X ← aX + (bXXᵀ + c(XXᵀ)²) X,    (a, b, c) = ns_coefficients

    which maps each singular value σ of X to aσ + bσ³ + cσ⁵ (five steps: [0.02, 1] into
    [0.68, 1.13]) and keeps the singular vectors: an update of the same "size" in every
    direction. Muon is meant for the hidden layers' matrices; biases, gains and embeddings belong
    to another optimizer (AdamW).

    State: ``momentum_buffer`` (b).

    Note:
        PyTorch runs the iterations in bfloat16; here they run in the parameter's dtype, so the
        updates agree with PyTorch's to bfloat16's precision (about 3 significant digits).

    Args:
        params: 2-D tensors, or parameter groups of them.
        lr: γ (default 1e-3).
        weight_decay: λ (default 0.1).
        momentum: μ (default 0.95).
        nesterov: use the Nesterov form of u (default True).
        ns_coefficients: (a, b, c) (default (3.4445, -4.775, 2.0315)).
        eps: ε (default 1e-7).
        ns_steps: iterations (default 5, fewer than 100).
        adjust_lr_fn: None or "original" (default), or "match_rms_adamw".

    >>> import minigrad as mg
    >>> w = mg.tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True)
    >>> w.grad = mg.tensor([[2.0, 0.0], [0.0, 0.5]])
    >>> Muon([w], lr=0.1, weight_decay=0.0, ns_steps=10).step()
    >>> [round(v, 1) for v in w.reshape(-1).tolist()]  # both directions moved alike despite g's sizes
    [0.9, 0.0, 0.0, 0.9]
    """

    elementwise = False  # NS needs each weight's matrix, never a flat buffer of several

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn=None):
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                                      ns_coefficients=tuple(ns_coefficients), eps=eps, ns_steps=ns_steps,
                                      adjust_lr_fn=adjust_lr_fn))
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a parameter with "
                                     f"size: {tuple(p.shape)}")

    def _validate(self, group):
        nonnegative(group, "lr", "momentum", "weight_decay")
        if group["adjust_lr_fn"] not in (None, "original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {group['adjust_lr_fn']} is not supported")
        if group["ns_steps"] >= 100:
            raise ValueError("Number of steps must be less than 100 for computational efficiency")
        if len(group["ns_coefficients"]) != 3:
            raise ValueError("Coefficients must be a tuple of exactly 3 values")

    def _init_state(self, group, p):
        return {"momentum_buffer": zeros(p)}

    def _update(self, group, ops, theta, g, state, work):
        lr, wd, mu = group["lr"], group["weight_decay"], group["momentum"]
        b = state["momentum_buffer"]
        b *= mu
        b += ops.multiply(g, 1 - mu, out=work[0])                              # b ← μb + (1 − μ)g
        if group["nesterov"]:
            u = ops.add(ops.multiply(g, 1 - mu, out=work[0]), ops.multiply(b, mu, out=work[1]),
                        out=work[0])                                          # u ← (1 − μ)g + μb
        else:
            u = b
        rows, cols = theta.shape
        orthogonal = _newton_schulz(ops, u, group["ns_coefficients"], group["ns_steps"], group["eps"])
        if wd:
            theta *= 1 - lr * wd                                              # θ ← θ(1 − γλ)
        if group["adjust_lr_fn"] == "match_rms_adamw":
            scale = 0.2 * math.sqrt(max(rows, cols))
        else:
            scale = math.sqrt(max(1, rows / cols))
        theta -= ops.multiply(orthogonal, lr * scale, out=work[1])              # θ ← θ − γ' O


def _newton_schulz(ops, u, coefficients, steps, eps):
    """``steps`` iterations X ← aX + (bA + cA²)X, A = XXᵀ, from X = u / max(‖u‖_F, ε), on the
    wide orientation of u (the Gram matrix A is then the smaller one); a new array."""
    a, b, c = coefficients
    tall = u.shape[0] > u.shape[1]
    x = ops.matrix_transpose(u) if tall else u
    x = x / max(float(ops.sqrt(ops.sum(x * x))), eps)
    for _ in range(steps):
        gram = ops.matmul(x, ops.matrix_transpose(x))
        x = a * x + ops.matmul(b * gram + c * ops.matmul(gram, gram), x)
    return ops.matrix_transpose(x) if tall else x
