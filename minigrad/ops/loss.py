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


def _weighted(ctx, loss, weight, reduction):
    """``_reduced`` of the elements' loss times ``weight`` (if any); remembers n for backward."""
    if weight is not None:
        loss = loss * weight
    ctx.count = loss.size
    return _reduced(ctx.xp, loss, reduction)


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
        return _weighted(ctx, loss, weight, reduction)

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


class BinaryCrossEntropy(Op):
    """ℓ = reduce(-w [t log x + (1 - t) log(1 - x)]) for probabilities x, each log clamped at -100
    (as PyTorch's, so x = 0 or 1 gives a finite loss; w: ``weight``, 1 when absent, a constant).

    dℓ/dx = w (x - t) / max((1 - x) x, ε)·g,  dℓ/dt = w [log(1 - x) - log x]·g  (g/n for the mean).

    Note:
        As PyTorch's: ε is 1e-12 rounded to float32, and dℓ/dt takes the logs unclamped (±inf at
        x = 0 or 1).
    """

    @staticmethod
    def forward(ctx, x, t, weight=None, *, reduction):
        xp = ctx.xp
        for name, v in (("input", x), ("target", t)):
            if not bool(xp.all((v >= 0) & (v <= 1))):  # NaN fails too
                hint = (" (probabilities: apply sigmoid first, or use binary_cross_entropy_with_logits "
                        "on the logits)") if name == "input" else ""
                raise RuntimeError(f"binary_cross_entropy: all elements of {name} should be between 0 "
                                   f"and 1{hint}")
        ctx.save_for_backward(x, t, weight)
        loss = -(t * _clamped_log(xp, x) + (1 - t) * _clamped_log(xp, 1 - x))
        return _weighted(ctx, loss, weight, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t, w = ctx.saved_tensors
        need_x, need_t = ctx.needs_input_grad[:2]
        g = _per_element(grad, ctx.attrs["reduction"], ctx.count)
        wg = g if w is None else g * w
        dx = wg * (x - t) / ((1 - x) * x).clamp(min=_EPSILON) if need_x else None
        dt = wg * ((-x).log1p() - x.log()) if need_t else None
        return dx, dt, None


_EPSILON = 9.999999960041972e-13  # PyTorch's EPSILON of binary_cross_entropy_backward: float32(1e-12)


def _clamped_log(xp, v):
    # max(log v, -100) without evaluating log 0 (which would warn)
    positive = v > 0
    return xp.where(positive, xp.maximum(xp.log(xp.where(positive, v, xp.ones_like(v))), -100.0),
                    xp.full_like(v, -100.0))
