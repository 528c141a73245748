"""AdamW: Adam with weight decay applied to the parameters, not to the gradient."""

from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019), exactly PyTorch's ``torch.optim.AdamW``.

    Adam's update (see :class:`~minigrad.optim.Adam`) with decoupled weight decay::

        θ ← θ(1 − γλ)
        m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
        θ ← θ − γ m̂ / (√v̂ + ε)

    Note:
        With an L2 penalty (``Adam(weight_decay=λ)``) the decay is divided by √v̂ like every
        gradient; decoupling keeps it a plain shrinkage of θ. Default λ is 1e-2, not 0.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0], requires_grad=True)
    >>> opt = AdamW([x], lr=0.1, weight_decay=0.5)
    >>> x.grad = mg.tensor([0.0])
    >>> opt.step()   # no gradient: only the decay θ(1 − 0.1·0.5)
    >>> round(x.item(), 6)
    0.95
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, fused=None, capturable=False, differentiable=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, foreach=foreach, fused=fused, capturable=capturable,
                         differentiable=differentiable, decoupled_weight_decay=True)
