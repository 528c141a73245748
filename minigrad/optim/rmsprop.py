"""RMSProp: divide the gradient by a running root mean square; centered and Nesterov variants."""

from .optimizer import Optimizer, gradient, nonnegative, zeros

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSProp (Hinton, 2012): PyTorch's ``torch.optim.RMSprop``, plus Nesterov momentum.

    With γ the learning rate, α the smoothing constant, μ the momentum::

        g ← g + λθ                      if λ ≠ 0
        r ← αr + (1 − α) g²
        s ← αs + (1 − α) g,  ρ = √(r − s²) + ε   (centered)   else  ρ = √r + ε
        μ = 0:   θ ← θ − γ g / ρ
        μ > 0:   b ← μb + g / ρ,   θ ← θ − γ b
        nesterov: b ← μb + g / ρ,  θ ← θ − γ (g / ρ + μb)

    State: ``step``, ``square_avg`` (r), ``momentum_buffer`` (b, if μ > 0), ``grad_avg`` (s, if centered).

    Note:
        Goodfellow et al. (Algorithm 8.5) write r ← ρr + (1 − ρ)g² and θ ← θ − η g/√(δ + r),
        with δ inside the root; PyTorch (and this class) add ε outside it: g/(√r + ε). Centered
        RMSProp (Graves, 2013) divides by an estimate of the variance instead of the second moment.

        ``nesterov=True`` is RMSProp with Nesterov momentum (Goodfellow et al., Algorithm 8.6):
        θ̃ = θ + αv, g at θ̃, r ← ρr + (1 − ρ)g², v ← αv − η g/√r, θ ← θ + v. Like PyTorch's
        Nesterov SGD it is reparameterised so that the stored parameter is the look-ahead point
        φ = θ + μv: with b = −v/γ this gives φ ← φ − γ(g/ρ + μb), the update above, and the
        gradient the model computes at φ is the one the algorithm wants at θ̃. The default
        (``nesterov=False``) is exactly PyTorch's RMSprop.

    Args:
        params: tensors or parameter groups.
        lr: γ (default 1e-2).
        alpha: α (default 0.99).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0).
        momentum: μ (default 0).
        centered: normalise by the centered second moment (default False).
        nesterov: Nesterov momentum as above (needs μ > 0).
        maximize: ascend instead of descend.
        foreach, fused: ``foreach=False`` runs the per-parameter reference path.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0], requires_grad=True)
    >>> opt = RMSprop([x], lr=0.01)
    >>> x.grad = mg.tensor([3.0])
    >>> opt.step()   # θ − 0.01 · 3/√(0.01 · 9) = θ − 0.1
    >>> round(x.item(), 5)
    0.9
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, nesterov=False, *, maximize=False, foreach=None, fused=None,
                 capturable=False, differentiable=False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach, fused=fused,
                                      capturable=capturable, differentiable=differentiable))

    def _validate(self, group):
        nonnegative(group, "lr", "eps", "momentum", "weight_decay", "alpha")
        if group["nesterov"] and group["momentum"] <= 0:
            raise ValueError(f"RMSprop(nesterov=True) requires a momentum > 0 (got {group['momentum']})")

    def _init_state(self, group, p):
        state = {"step": 0.0, "square_avg": zeros(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros(p)
        if group["centered"]:
            state["grad_avg"] = zeros(p)
        return state

    def _update(self, group, ops, theta, g, state, work):
        alpha, mu = group["alpha"], group["momentum"]
        state["step"] += 1
        g = gradient(ops, theta, g, work[0], weight_decay=group["weight_decay"], maximize=group["maximize"])
        r, rms, s = state["square_avg"], work[1], work[2]
        r *= alpha
        r += ops.multiply(ops.multiply(g, 1 - alpha, out=s), g, out=s)        # r ← αr + (1 − α)g²
        if group["centered"]:
            avg = state["grad_avg"]
            avg *= alpha
            avg += ops.multiply(g, 1 - alpha, out=s)                          # s ← αs + (1 − α)g
            ops.sqrt(ops.subtract(r, ops.multiply(avg, avg, out=rms), out=rms), out=rms)
        else:
            ops.sqrt(r, out=rms)
        rms += group["eps"]                                                   # ρ = √(r − s²) + ε  or  √r + ε
        step = ops.divide(g, rms, out=s)                                      # g / ρ
        if mu > 0:
            b = state["momentum_buffer"]
            b *= mu
            b += step                                                         # b ← μb + g/ρ
            step = ops.add(step, ops.multiply(b, mu, out=rms), out=s) if group["nesterov"] else b
        theta -= ops.multiply(step, group["lr"], out=s)                       # θ ← θ − γ·step
