"""Losses as single ops: each element's loss, then its mean (Σ/n), sum or none.

One node per loss, named as PyTorch names it (``MseLossBackward0``), and one pass over the
elements instead of a node per elementwise step. The gradient of the mean is each element's
derivative times g/n.
"""

from ..autograd.function import Op
from .elementwise import _accumulated, _rounded, where
from .reduce import _total


def _reduced(xp, loss, reduction):
    """The mean (NaN over no element, as PyTorch's), sum or none of the elements' ``loss``."""
    if reduction == "none":
        return loss
    loss, half = _accumulated(xp, loss)
    total = _total(xp, loss, tuple(range(loss.ndim)), False)
    if reduction == "mean":
        total = total / loss.size if loss.size else total * float("nan")
    return _rounded(xp, total, half)


def _per_element(grad, reduction, count):
    """The gradient reaching each element's loss: g, or g/n for the mean."""
    return grad / max(count, 1) if reduction == "mean" else grad


class _DifferenceLoss(Op):
    """ℓ = reduce(f(d)) of d = x - t;  dℓ/dx = f'(d)·g (g/n for the mean), dℓ/dt = -dℓ/dx.

    A subclass gives ``score(xp, d, attrs)`` (f, on arrays) and ``slope(d, attrs)`` (f', in
    Tensor ops, so that the loss can be differentiated twice)."""

    @staticmethod
    def forward(ctx, x, t, *, reduction, **params):
        ctx.save_for_backward(x, t)  # the inputs, not d: backward's d must lead back to them (2nd order)
        return _reduced(ctx.xp, ctx.score(ctx.xp, x - t, params), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        d = x - t
        attrs = dict(ctx.attrs)
        dx = ctx.slope(d, attrs) * _per_element(grad, attrs.pop("reduction"), d.numel())
        need_x, need_t = ctx.needs_input_grad
        return (dx if need_x else None), (-dx if need_t else None)


class MseLoss(_DifferenceLoss):
    """f(d) = d²;  f'(d) = 2d."""

    @staticmethod
    def score(xp, d, attrs):
        return d * d

    @staticmethod
    def slope(d, attrs):
        return 2 * d


class HuberLoss(_DifferenceLoss):
    """f(d) = ½d² if |d| < δ else δ(|d| - ½δ);  f'(d) = d if |d| < δ else δ·sign(d)."""

    @staticmethod
    def score(xp, d, attrs):
        delta, a = attrs["delta"], xp.abs(d)
        return xp.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))

    @staticmethod
    def slope(d, attrs):
        delta = attrs["delta"]
        return where(d.abs() < delta, d, delta * d.sign())


class SmoothL1Loss(_DifferenceLoss):
    """f(d) = ½d²/β if |d| < β else |d| - ½β;  f'(d) = d/β if |d| < β else sign(d) (= Huber / β)."""

    @staticmethod
    def score(xp, d, attrs):
        beta, a = attrs["beta"], xp.abs(d)
        return xp.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)

    @staticmethod
    def slope(d, attrs):
        beta = attrs["beta"]
        return where(d.abs() < beta, d / beta, d.sign())


class BinaryCrossEntropyWithLogits(Op):
    """ℓ = reduce(w [(1 - t) x + c s]) with s = log(1 + e⁻ˣ) (a softplus, finite for any x) and
    c = 1 + (p - 1) t (p: ``pos_weight``, 1 when absent; w: ``weight``, 1 when absent).

    dℓ/dx = w [(1 - t) - c σ(-x)]·g,  dℓ/dt = w [(p - 1) s - x]·g  (g/n for the mean).
    ``weight`` and ``pos_weight`` are constants, as in PyTorch.
    """

    @staticmethod
    def forward(ctx, x, t, weight=None, pos_weight=None, *, reduction):
        xp = ctx.xp
        ctx.save_for_backward(x, t, weight, pos_weight)
        s = xp.logaddexp(xp.zeros_like(x), -x)
        loss = (1 - t) * x + (s if pos_weight is None else (1 + (pos_weight - 1) * t) * s)
        if weight is not None:
            loss = loss * weight
        ctx.count = loss.size
        return _reduced(xp, loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t, w, p = ctx.saved_tensors
        need_x, need_t = ctx.needs_input_grad[:2]
        g = _per_element(grad, ctx.attrs["reduction"], ctx.count)
        wg = g if w is None else g * w
        c = 1 if p is None else 1 + (p - 1) * t
        dx = wg * ((1 - t) - c * (-x).sigmoid()) if need_x else None
        dt = wg * ((0 if p is None else (p - 1) * (-x).softplus()) - x) if need_t else None
        return dx, dt, None, None
