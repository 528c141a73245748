"""Rprop: per-coordinate step sizes that grow while the gradient keeps its sign and shrink when it flips."""

from .optimizer import Optimizer, nonnegative, zeros

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Resilient backpropagation (Riedmiller & Braun, 1993), exactly PyTorch's ``torch.optim.Rprop``.

    Only the sign of the gradient is used. With η₋ < 1 < η₊ the step-size factors and
    [Δmin, Δmax] the step-size bounds, starting from Δ = γ and g_prev = 0, for each coordinate::

        Δ ← min(η₊Δ, Δmax)      if g·g_prev > 0   (same direction as last step: speed up)
        Δ ← max(η₋Δ, Δmin)      if g·g_prev < 0   (overshot a minimum: slow down ...
        g ← 0                                       ... and skip this step)
        θ ← θ − sign(g)·Δ
        g_prev ← g

    Full-batch gradients only: the sign of a mini-batch gradient flips at random.

    State: ``step``, ``prev`` (g_prev), ``step_size`` (Δ).

    Args:
        params: tensors or parameter groups.
        lr: the initial step size γ (default 1e-2).
        etas: (η₋, η₊) (default (0.5, 1.2)).
        step_sizes: (Δmin, Δmax) (default (1e-6, 50)).
        maximize: ascend instead of descend.
        foreach, fused: ``foreach=False`` runs the per-parameter reference path.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 1.0], requires_grad=True)
    >>> opt = Rprop([x], lr=0.1)
    >>> for g in ([3.0, 3.0], [1.0, -1.0]):
    ...     x.grad = mg.tensor(g)
    ...     opt.step()
    >>> [round(v, 6) for v in x.tolist()]   # 0.1 each, then 0.12 where the sign held, 0 where it flipped
    [0.78, 0.9]
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, foreach=None,
                 maximize=False, fused=None, capturable=False, differentiable=False):
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes),
                                      foreach=foreach, maximize=maximize, fused=fused,
                                      capturable=capturable, differentiable=differentiable))

    def _validate(self, group):
        nonnegative(group, "lr")
        eta_minus, eta_plus = group["etas"]
        if not 0.0 < eta_minus < 1.0 < eta_plus:
            raise ValueError(f"Invalid eta values: {eta_minus}, {eta_plus} (need 0 < η₋ < 1 < η₊)")

    def _init_state(self, group, p):
        return {"step": 0.0, "prev": zeros(p), "step_size": zeros(p, group["lr"])}

    def _update(self, group, ops, theta, g, state, work):
        (eta_minus, eta_plus), (step_min, step_max) = group["etas"], group["step_sizes"]
        state["step"] += 1
        prev, step_size = state["prev"], state["step_size"]
        g = ops.negative(g, out=work[0]) if group["maximize"] else g
        same = ops.multiply(g, prev, out=work[1])
        flipped = same < 0
        same = same > 0
        step_size[same] *= eta_plus
        step_size[flipped] *= eta_minus
        ops.clip(step_size, step_min, step_max, out=step_size)               # Δ ← clip(η±Δ)
        prev[...] = g
        prev[flipped] = 0                                                     # g ← 0 where it flipped
        theta -= ops.multiply(ops.sign(prev, out=work[1]), step_size, out=work[1])  # θ ← θ − sign(g)Δ
