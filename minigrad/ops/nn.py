"""Fused ops for ``nn``: one graph node (and one pass over memory) where a chain of small ops
would be slow or unstable: the affine map of ``Linear``, log-softmax + NLL, batch statistics.
"""

from ..autograd.function import Op
from ..autograd.grad_mode import is_grad_enabled
from .linalg import MatMul


class Linear(Op):
    """y = x Wᵀ + b  (x: (…, in), W: (out, in), b: (out,)).

    dx = dy W;  dW = Σ dyᵀ x over the leading dimensions;  db = Σ dy.
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        y = x @ ctx.xp.permute_dims(weight, (1, 0))
        if bias is not None:
            y = y + bias
        ctx.save_for_backward(x, weight)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        gx = grad @ weight if needs[0] else None
        g2 = grad.reshape(-1, grad.shape[-1]) if grad.ndim != 2 else grad
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
        gw = MatMul.apply(g2, x2, transpose=(True, False)) if needs[1] else None  # g2ᵀ x2, one node
        gb = g2.sum(0) if len(needs) > 2 and needs[2] else None
        return gx, gw, gb


def _expand(t, dim, ndim):
    """Re-insert the reduced axis ``dim`` so a per-sample value broadcasts against (N, C, ...)."""
    return t.unsqueeze(dim) if t.ndim < ndim else t


def _reduce(xp, loss, reduction, denominator):
    """Per-sample losses -> "none" (as they are), "sum", or "mean" (the sum / ``denominator``)."""
    if reduction == "none":
        return loss
    total = xp.sum(loss)
    return total if reduction == "sum" else total / denominator


def _per_sample(ctx, grad, ndim):
    """The gradient of ``_reduce``'s output as the gradient of each sample's loss."""
    reduction = ctx.attrs["reduction"]
    if reduction == "mean":
        return grad / ctx.attrs["denominator"]
    return _expand(grad, ctx.attrs["dim"], ndim) if reduction == "none" else grad


class CrossEntropy(Op):
    """Cross-entropy of logits against non-negative class coefficients ``a`` (a constant).

    ``lₙ = -Σ_c a_{n,c} log softmax(x)_{n,c}`` along ``dim``, then ``reduction``: "none" keeps
    ``lₙ``, "sum" adds them, "mean" divides the sum by ``denominator``. ``F.cross_entropy``
    builds ``a`` from class indices (one-hot × class weight, label smoothing, ignore_index) or
    from probability targets, so every variant is this one node.

    dx = g · (softmax(x) Σ_c a_c - a),  with g the incoming gradient of lₙ.

    The log-softmax is taken as (x - max) - log Σ exp(x - max): finite for logits of any size.
    """

    @staticmethod
    def forward(ctx, x, a, dim=1, reduction="mean", denominator=1.0):
        xp = ctx.xp
        shifted = x - xp.max(x, axis=dim, keepdims=True)
        logp = shifted - xp.log(xp.sum(xp.exp(shifted), axis=dim, keepdims=True))
        # 0 · log 0 is 0 here (a class with no target mass never contributes, even at -inf logits)
        loss = -xp.sum(a * xp.where(a != 0, logp, xp.zeros_like(logp)), axis=dim)
        ctx.save_for_backward(x, a, logp)
        return _reduce(xp, loss, reduction, denominator)

    @staticmethod
    def backward(ctx, grad):
        x, a, logp = ctx.saved_tensors
        dim = ctx.attrs["dim"]
        # first order: reuse the saved log-probabilities; create_graph: softmax(x) stays in the graph
        p = x.softmax(dim) if is_grad_enabled() else logp.exp()
        grad = _per_sample(ctx, grad, x.ndim)
        return grad * (p * a.sum(dim=dim, keepdim=True) - a), None


class BinaryCrossEntropy(Op):
    """l = -(t log x + (1 - t) log(1 - x)) elementwise, each log clamped at -100 (as PyTorch).

    dl/dx = (x - t) / max((1 - x) x, 1e-12);  dl/dt = log(1 - x) - log x (clamped logs).
    """

    @staticmethod
    def forward(ctx, x, t):
        xp = ctx.xp
        ctx.save_for_backward(x, t)
        return -(t * _clamped_log(xp, x) + (1 - t) * _clamped_log(xp, 1 - x))

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        gx = grad * (x - t) / ((1 - x) * x).clamp(min=1e-12) if ctx.needs_input_grad[0] else None
        gt = None
        if ctx.needs_input_grad[1]:
            gt = grad * (_clamped_log_t(1 - x) - _clamped_log_t(x))
        return gx, gt


def _clamped_log(xp, v):
    # max(log v, -100) without evaluating log 0 (which would warn)
    positive = v > 0
    return xp.where(positive, xp.maximum(xp.log(xp.where(positive, v, xp.ones_like(v))), -100.0),
                    xp.full_like(v, -100.0))


def _clamped_log_t(v):
    from .elementwise import where
    positive = v > 0
    return where(positive, where(positive, v, 1.0).log().clamp(min=-100.0), -100.0)


class Normalize(Op):
    """Batch and layer normalisation: y = x̂ · w + b with x̂ = (x - μ) / √(σ² + ε).

    μ and σ² (biased) are taken over ``axes``; ``w`` and ``b`` are reshaped to ``param_shape``
    (broadcastable against x) and their gradients are summed over ``param_axes``. With m the
    number of elements per statistic and g = dy · w:

        dx = (g - mean(g) - x̂ · mean(g x̂)) / √(σ² + ε)   (means over ``axes``)
        dw = Σ dy x̂,   db = Σ dy   (sums over ``param_axes``)

    Also returns μ and σ² (non-differentiable, squeezed) for the running statistics.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, axes, param_axes, param_shape, eps):
        xp = ctx.xp
        mean = xp.mean(x, axis=axes, keepdims=True)
        centred = x - mean
        var = xp.mean(centred * centred, axis=axes, keepdims=True)
        invstd = 1 / xp.sqrt(var + eps)
        xhat = centred * invstd
        y = xhat
        if weight is not None:
            y = y * xp.reshape(weight, param_shape)
        if bias is not None:
            y = y + xp.reshape(bias, param_shape)
        ctx.save_for_backward(x, weight, xhat, invstd)
        ctx.mark_non_differentiable(1, 2)
        ctx.param_dims = (weight if weight is not None else bias).shape if (
            weight is not None or bias is not None) else None
        return y, xp.reshape(mean, (-1,)), xp.reshape(var, (-1,))

    @staticmethod
    def backward(ctx, grad, _mean_grad=None, _var_grad=None):
        x, weight, xhat, invstd = ctx.saved_tensors
        axes, param_axes, shape, eps = (ctx.attrs[k] for k in ("axes", "param_axes", "param_shape", "eps"))
        if is_grad_enabled():  # create_graph: rebuild x̂ from x so second derivatives see it
            centred = x - x.mean(dim=axes, keepdim=True)
            invstd = ((centred * centred).mean(dim=axes, keepdim=True) + eps).rsqrt()
            xhat = centred * invstd
        needs = ctx.needs_input_grad
        w = weight.reshape(shape) if weight is not None else None
        gx = gw = gb = None
        if needs[0]:
            g = grad * w if w is not None else grad
            gx = (g - g.mean(dim=axes, keepdim=True)
                  - xhat * (g * xhat).mean(dim=axes, keepdim=True)) * invstd
        if len(needs) > 1 and needs[1]:
            gw = (grad * xhat).sum(dim=param_axes).reshape(ctx.param_dims)
        if len(needs) > 2 and needs[2]:
            gb = grad.sum(dim=param_axes).reshape(ctx.param_dims)
        return gx, gw, gb


class BatchNorm(Normalize):
    """``Normalize`` over (N, *spatial) per channel; its own name in graphs."""


class LayerNorm(Normalize):
    """``Normalize`` over each sample's trailing dimensions; its own name in graphs."""


class GroupNorm(Normalize):
    """``Normalize`` over each sample's channel groups; its own name in graphs."""


class Embedding(Op):
    """y[...] = W[idx[...]] (rows of the table);  dW = scatter-add of dy rows, none into ``padding_idx``."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx=None):
        xp = ctx.xp
        flat = xp.reshape(indices, (-1,))
        ctx.save_for_backward(indices)
        return xp.reshape(xp.take(weight, flat, axis=0), tuple(indices.shape) + (weight.shape[1],))

    @staticmethod
    def backward(ctx, grad):
        from .indexing import ScatterAdd
        (indices,) = ctx.saved_tensors
        dim = ctx.out_meta[0][0][-1]
        rows = grad.reshape(-1, dim)
        flat = indices.reshape(-1)
        pad = ctx.attrs["padding_idx"]
        if pad is not None:
            rows = rows * (flat != pad).unsqueeze(1).type(rows.dtype)
        table_rows = ctx.next[0][2][0]
        return ScatterAdd.apply(rows, key=(flat.array,), shape=(table_rows, dim)), None


class WeightedNLL(Op):
    """Negative log-likelihood of log-probabilities ``x`` under class coefficients ``a`` (a constant).

    lₙ = -Σ_c a_{n,c} x_{n,c} along ``dim`` (0 · -inf counts as 0), reduced as
    ``CrossEntropy``;  dx = -g · a.
    """

    @staticmethod
    def forward(ctx, x, a, dim=1, reduction="mean", denominator=1.0):
        xp = ctx.xp
        loss = -xp.sum(a * xp.where(a != 0, x, xp.zeros_like(x)), axis=dim)
        ctx.save_for_backward(a)
        return _reduce(xp, loss, reduction, denominator)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return -(_per_sample(ctx, grad, a.ndim) * a), None
