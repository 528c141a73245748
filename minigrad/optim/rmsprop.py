"""RMSProp: divide the gradient by a running root mean square; centered and Nesterov variants."""

from .optimizer import Optimizer, regularize

__all__ = ["RMSprop", "rmsprop"]


def rmsprop(xp, theta, g, r, b, s, *, lr, alpha, eps, weight_decay, mu, centered, nesterov, maximize):
    """One RMSProp step; ``r`` averages g², ``s`` averages g (centered), ``b`` is the momentum buffer."""
    theta, g = regularize(theta, g, lr=lr, weight_decay=weight_decay, maximize=maximize)
    r = alpha * r + (1 - alpha) * g * g
    if centered:
        s = alpha * s + (1 - alpha) * g
        rms = xp.sqrt(r - s * s) + eps
    else:
        rms = xp.sqrt(r) + eps
    if mu > 0:
        b = mu * b + g / rms
        step = g / rms + mu * b if nesterov else b
        return theta - lr * step, r, b, s
    return theta - lr * (g / rms), r, b, s


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
        foreach, fused: which code path runs the step.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0], requires_grad=True)
    >>> opt = RMSprop([x], lr=0.01)
    >>> x.grad = mg.tensor([3.0])
    >>> opt.step()   # θ − 0.01 · 3/√(0.01 · 9) = θ − 0.1
    >>> round(x.item(), 5)
    0.9
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, nesterov=False, *, maximize=False, foreach=None, fused=None):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach, fused=fused))

    def _validate(self, group):
        super()._validate(group)
        if group["nesterov"] and group["momentum"] <= 0:
            raise ValueError(f"RMSprop(nesterov=True) requires a momentum > 0 (got {group['momentum']})")

    def _state_names(self, group):
        return ("square_avg", "momentum_buffer", "grad_avg")

    def _init_state(self, group, p):
        state = super()._init_state(group, p)
        if group["momentum"] <= 0:
            del state["momentum_buffer"]
        if not group["centered"]:
            del state["grad_avg"]
        return state

    def _hyper(self, group, scalars):
        return dict(lr=group["lr"], alpha=group["alpha"], eps=group["eps"],
                    weight_decay=group["weight_decay"], mu=group["momentum"], centered=group["centered"],
                    nesterov=group["nesterov"], maximize=group["maximize"])

    update = staticmethod(rmsprop)
