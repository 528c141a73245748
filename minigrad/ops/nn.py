"""Fused ops for ``nn``: one graph node (and one pass over memory) where a chain of small ops
would be slow or unstable: the affine map of ``Linear``, log-softmax + NLL, batch statistics.
"""

import math

from ..autograd.function import Op
from .elementwise import _accumulated, _rounded, _scratch
from .linalg import MatMul
from .reduce import LogSoftmaxGrad, _total


class Linear(Op):
    """y = x Wᵀ + b  (x: (…, in), W: (out, in), b: (out,)).

    dx = dy W;  dW = Σ dyᵀ x over the leading dimensions;  db = Σ dy.
    """

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        y = ctx.device.backend.matmul(x, ctx.xp.permute_dims(weight, (1, 0)))
        if bias is not None:
            y += bias  # y is the product just made: add in place, one pass less
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



class LinearNoBias(Linear):
    """``Linear`` without a bias: y = x Wᵀ, PyTorch's ``mm``."""

    node_name = "MmBackward0"

class CrossEntropy(Op):
    """Cross-entropy of logits against non-negative class coefficients ``a`` (a constant).

    ``lₙ = -Σ_c a_{n,c} log softmax(x)_{n,c}`` along ``dim``, then ``reduction``: "none" keeps
    ``lₙ``, "sum" adds them, "mean" divides the sum by ``denominator``. ``F.cross_entropy``
    builds ``a`` from class indices (one-hot × class weight, label smoothing, ignore_index) or
    from probability targets, so every variant is this one node.

    dx = g · (softmax(x) Σ_c a_c - a),  with g the incoming gradient of lₙ: the backward of
    log-softmax (``LogSoftmaxGrad``) applied to d lₙ / d log p = -g a.

    The log-softmax is taken as (x - max) - log Σ exp(x - max): finite for logits of any size.
    It is also the node's second output (``F.cross_entropy`` returns only the loss), so that
    backward reads it connected to this node: under ``create_graph`` the second derivative flows
    back through it like any other output, with no recomputation in first order.
    """

    node_name = "NllLossBackward0"

    materialize_grads = False  # the log-probabilities get a gradient only in double backward
    hidden_outputs = 1

    @staticmethod
    def forward(ctx, x, a, dim=1, reduction="mean", denominator=1.0):
        xp = ctx.xp
        logp = x - xp.max(x, axis=dim, keepdims=True)  # shifted: exp never overflows
        logp -= xp.log(xp.sum(xp.exp(logp), axis=dim, keepdims=True))
        if x.size and bool(xp.min(x) > -math.inf):
            # Σ_c a_c log p_c as one read of both arrays, with no (N, C) product and its fresh
            # pages (the word-LM's (700, 1000) logits: the forward 8.2 -> 1.4 ms, page faults
            # 2,710 -> 22 a call)
            loss = -xp.vecdot(a, logp, axis=dim - logp.ndim)
        else:  # a -inf logit: 0 · log 0 counts as 0 (a class with no target mass never contributes)
            loss = -xp.sum(a * xp.where(a != 0, logp, xp.zeros_like(logp)), axis=dim)
        # d(loss)/d log p: -a, over the denominator for "mean"; made here on the small array, so
        # backward is one product with g (two ops less there: bench_mlp's loss backward 72 -> 47 µs)
        ctx.save_for_backward(a * (-1 / denominator if reduction == "mean" else -1), logp)
        return _reduce(xp, loss, reduction, denominator), logp

    @staticmethod
    def backward(ctx, grad, logp_grad):
        dloss_dlogp, logp = ctx.saved_tensors
        dlogp = logp_grad
        if grad is not None:
            if ctx.attrs["reduction"] == "none":
                grad = _expand(grad, ctx.attrs["dim"], logp.ndim)
            from_loss = grad * dloss_dlogp
            dlogp = from_loss if dlogp is None else dlogp + from_loss
        return LogSoftmaxGrad.apply(dlogp, logp, dim=ctx.attrs["dim"]), None


class Normalize(Op):
    """Batch and layer normalisation: y = x̂ · w + b with x̂ = (x - μ) / √(σ² + ε).

    μ and σ² (biased) are taken over ``axes``; ``w`` and ``b`` are reshaped to ``param_shape``
    (broadcastable against x) and their gradients are summed over ``param_axes``. With m the
    number of elements per statistic, r = 1 / √(σ² + ε) and G = dy · w + dx̂:

        dx = (G - mean(G) - x̂ · mean(G x̂)) · r  -  dr · r² x̂ / m   (means over ``axes``)
        dw = Σ dy x̂,   db = Σ dy   (sums over ``param_axes``)

    Returns y, then μ and σ² (non-differentiable, squeezed) for the running statistics, then
    x̂ and r. Backward reads x̂ and r as this node's outputs, so under ``create_graph`` the
    second derivative reaches x through them (dx̂ and dr are zero in first order). The forward
    writes x - μ, then x̂ over it, and y into two ``buffer``s, not five fresh arrays; dx is
    ``NormalizeGrad``.
    """

    materialize_grads = False  # x̂ and r get gradients only in double backward
    hidden_outputs = 2

    @staticmethod
    def forward(ctx, x, weight, bias, axes, param_axes, param_shape, eps):
        xp = ctx.xp
        x, half = _accumulated(xp, x)  # float16 normalised in float32, as PyTorch's (about 1000 ± 50:
        mean, var, xhat, invstd, spare = _standardize(ctx, x, axes, eps)  # its float16 mean was 0.5 apart
        y, mean, var, xhat, invstd = _affine(ctx, xhat, spare, weight, bias, param_shape, half,
                                             mean, var, invstd)
        ctx.save_for_backward(weight, xhat, invstd)
        ctx.mark_non_differentiable(1, 2)
        ctx.param_dims = (weight if weight is not None else bias).shape if (
            weight is not None or bias is not None) else None
        return y, xp.reshape(mean, (-1,)), xp.reshape(var, (-1,)), xhat, invstd

    @staticmethod
    def backward(ctx, grad, _mean_grad, _var_grad, xhat_grad, invstd_grad):
        weight, xhat, invstd = ctx.saved_tensors
        axes, param_axes, shape = (ctx.attrs[k] for k in ("axes", "param_axes", "param_shape"))
        needs = ctx.needs_input_grad
        gx = gw = gb = None
        if needs[0]:
            g = xhat_grad
            if grad is not None:
                from_y = grad * weight.reshape(shape) if weight is not None else grad
                g = from_y if g is None else g + from_y
            gx = _standardized_grad(g, xhat, invstd, invstd_grad, axes)
        if grad is not None and len(needs) > 1 and needs[1]:
            gw = (grad * xhat).sum(dim=param_axes).reshape(ctx.param_dims)
        if grad is not None and len(needs) > 2 and needs[2]:
            gb = grad.sum(dim=param_axes).reshape(ctx.param_dims)
        return gx, gw, gb


def _standardize(ctx, x, axes, eps):
    """μ, σ² (biased), x̂ = (x - μ) r and r = 1/√(σ² + ε) over ``axes`` (μ, σ², r keep them as 1s),
    and a spare ``buffer`` shaped as x for y. x - μ, then x̂ over it, is written into one buffer
    and (x - μ)² into the other, not into five fresh arrays."""
    xp, ops = ctx.xp, ctx.device.backend.ops
    m = math.prod(x.shape[a] for a in axes)
    mean = _total(xp, x, axes, True) / m
    xhat = ops.subtract(x, mean, out=_scratch(ctx, x))
    spare = ops.multiply(xhat, xhat, out=_scratch(ctx, x))
    var = _total(xp, spare, axes, True) / m
    invstd = 1 / xp.sqrt(var + eps)
    xhat *= invstd
    return mean, var, xhat, invstd, spare


def _affine(ctx, xhat, out, weight, bias, param_shape, half, *stats):
    """y = x̂ · w + b (w, b reshaped to ``param_shape``) written into ``out``, then y, x̂ and
    ``stats`` rounded back to float16 where the input was."""
    xp, ops = ctx.xp, ctx.device.backend.ops
    y = xhat
    if weight is not None:
        y = ops.multiply(xhat, xp.reshape(weight, param_shape), out=out)
    if bias is not None:
        y = ops.add(y, xp.reshape(bias, param_shape), out=out)
    y, xhat, *stats = (_rounded(xp, a, half) for a in (y, xhat, *stats))
    if y is xhat:  # y's own storage: an in-place op on y (ReLU(inplace=True)) must not overwrite x̂
        ctx.device.backend.assign(out, xhat)
        y = out
    return y, stats[0], stats[1], xhat, stats[2]


def _standardized_grad(g, xhat, invstd, invstd_grad, axes):
    """dx of x̂ = (x - μ) r given dx̂ = ``g`` and dr = ``invstd_grad`` (either None):
    (g - mean(g) - x̂ mean(g x̂)) r (``NormalizeGrad``)  -  dr r² x̂ / m, means over ``axes``."""
    gx = None
    if g is not None:
        gx = NormalizeGrad.apply(g, xhat, invstd, axes=axes)
    if invstd_grad is not None:  # dr/dx = -r² x̂ / m
        m = xhat.numel() // invstd.numel()
        from_r = -(invstd_grad * invstd * invstd) * xhat / m
        gx = from_r if gx is None else gx + from_r
    return gx


class NormalizeGrad(Op):
    """dx = P(G) r with P(G) = G - mean(G) - x̂ mean(G x̂), means over ``axes``: ``Normalize``'s
    gradient through x̂ as one op, written into two ``buffer``s instead of eight Tensor ops'
    fresh arrays.

    P is linear and symmetric and r is constant along ``axes``, so for an incoming v:
    dG = P(v) r (this op again),  dx̂ = -r (v mean(G x̂) + G mean(v x̂)),  dr = Σ v P(G) over ``axes``.
    """

    @staticmethod
    def forward(ctx, g, xhat, invstd, axes):
        ctx.save_for_backward(g, xhat, invstd)
        xp, ops = ctx.xp, ctx.device.backend.ops
        g, half = _accumulated(xp, g)  # float16 in float32, as Normalize's forward
        xhat, invstd = xp.astype(xhat, g.dtype, copy=False), xp.astype(invstd, g.dtype, copy=False)
        m = math.prod(g.shape[a] for a in axes)
        t = ops.multiply(g, xhat, out=_scratch(ctx, g))
        t = ops.multiply(xhat, _total(xp, t, axes, True) / m, out=t)  # x̂ mean(G x̂)
        dx = ops.subtract(g, _total(xp, g, axes, True) / m, out=_scratch(ctx, g))
        dx -= t
        dx *= invstd
        return _rounded(xp, dx, half)

    @staticmethod
    def backward(ctx, v):
        g, xhat, invstd = ctx.saved_tensors
        axes = ctx.attrs["axes"]
        need_g, need_xhat, need_r = ctx.needs_input_grad
        dg = NormalizeGrad.apply(v, xhat, invstd, axes=axes) if need_g else None
        gx_mean = (g * xhat).mean(dim=axes, keepdim=True)
        dxhat = -invstd * (v * gx_mean + g * (v * xhat).mean(dim=axes, keepdim=True)) if need_xhat else None
        dr = None
        if need_r:
            dr = (v * (g - g.mean(dim=axes, keepdim=True) - xhat * gx_mean)).sum(dim=axes, keepdim=True)
        return dg, dxhat, dr


class BatchNorm(Normalize):
    """``Normalize`` over (N, *spatial) per channel; its own name in graphs."""

    node_name = "NativeBatchNormBackward0"


class LayerNorm(Normalize):
    """``Normalize`` over each sample's trailing dimensions; its own name in graphs."""

    node_name = "NativeLayerNormBackward0"


class GroupNorm(Op):
    """Group normalisation of x (N, C, *): x̂ standardised over each sample's group of C/G channels
    (``Normalize``'s x̂ and r on x viewed as (N, G, -1)), then y = x̂ · w + b with w, b per channel.

    dx is ``Normalize``'s on that view with G = dy · w + dx̂;  dw = Σ dy x̂,  db = Σ dy over all
    axes but the channels. Returns y, μ and σ² (N·G, non-differentiable), x̂ and r, as ``Normalize``.
    """

    node_name = "NativeGroupNormBackward0"
    materialize_grads = False
    hidden_outputs = 2

    @staticmethod
    def forward(ctx, x, weight, bias, groups, eps):
        xp = ctx.xp
        x, half = _accumulated(xp, x)
        grouped = xp.reshape(x, (x.shape[0], groups, -1))
        mean, var, xhat, invstd, spare = _standardize(ctx, grouped, (2,), eps)
        y, mean, var, xhat, invstd = _affine(ctx, xp.reshape(xhat, x.shape), xp.reshape(spare, x.shape),
                                             weight, bias, _channel_shape(x), half, mean, var, invstd)
        ctx.save_for_backward(weight, xhat, invstd)
        ctx.mark_non_differentiable(1, 2)
        return y, xp.reshape(mean, (-1,)), xp.reshape(var, (-1,)), xhat, invstd

    @staticmethod
    def backward(ctx, grad, _mean_grad, _var_grad, xhat_grad, invstd_grad):
        weight, xhat, invstd = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        others = tuple(d for d in range(xhat.ndim) if d != 1)
        gx = gw = gb = None
        if need_x:
            g = xhat_grad
            if grad is not None:
                from_y = grad * weight.reshape(_channel_shape(xhat)) if weight is not None else grad
                g = from_y if g is None else g + from_y
            grouped = invstd.shape[:2] + (-1,)
            gx = _standardized_grad(None if g is None else g.reshape(grouped), xhat.reshape(grouped),
                                    invstd, invstd_grad, (2,))
            gx = None if gx is None else gx.reshape(xhat.shape)
        if grad is not None and need_w:
            gw = (grad * xhat).sum(dim=others)
        if grad is not None and need_b:
            gb = grad.sum(dim=others)
        return gx, gw, gb


def _channel_shape(x):
    """(1, C, 1, ...): a per-channel vector's shape against x (N, C, *)."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


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
        dim = ctx.out_shapes[0][-1]
        rows = grad.reshape(-1, dim)
        flat = indices.reshape(-1)
        pad = ctx.attrs["padding_idx"]
        if pad is not None:
            rows = rows * (flat != pad).unsqueeze(1).type(rows.dtype)
        return ScatterAdd.apply(rows, key=(flat.array,), shape=(ctx.input_shape(0)[0], dim)), None


class WeightedNLL(Op):
    """Negative log-likelihood of log-probabilities ``x`` under class coefficients ``a`` (a constant).

    lₙ = -Σ_c a_{n,c} x_{n,c} along ``dim`` (0 · -inf counts as 0), reduced as
    ``CrossEntropy``;  dx = -g · a.
    """

    node_name = "NllLossBackward0"

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
