"""Scaled dot-product attention as one node: two batched products around a stable masked softmax."""

import math

from .. import random as _random
from .._coerce import _as_tensor_like
from ..autograd.function import Op
from .linalg import MatMul


class Attention(Op):
    """out = (P ⊙ D) V with P = softmax(s Q Kᵀ + B) along the keys; returns (out, P).

    Q (…, L, E), K (…, S, E), V (…, S, Eᵥ), the leading axes broadcast; ``bias`` B is a float
    mask added to the logits, broadcastable to (…, L, S) (-inf where a query may not look), or
    None; ``keep`` D is the dropout multiplier (0 or 1/(1-p) per weight) or None; ``scale`` is s.
    Each row's maximum is subtracted before ``exp``, so no logit overflows; a row masked entirely
    gets weights 0 and output 0 (PyTorch's choice, not 0/0).

    With dout and dP the gradients reaching out and P:

        dV = (P ⊙ D)ᵀ dout,   G = (dout Vᵀ) ⊙ D + dP,   dS = P ⊙ (G - Σₖ G ⊙ P)  (per row),
        dQ = s dS K,   dK = s dSᵀ Q,   dB = dS.

    P is an output (saved as one), so the backward, written in Tensor ops over Q, K, V and P,
    is differentiable again: a second derivative reaches P through this node.
    """

    materialize_grads = False  # P usually gets no gradient: None, not a tensor of zeros

    @staticmethod
    def forward(ctx, q, k, v, bias, keep, scale):
        xp = ctx.xp
        scores = xp.matmul(q, xp.matrix_transpose(k))
        scores *= scale
        if bias is not None:
            if _fits(bias.shape, scores.shape):
                scores += bias
            else:  # the mask adds batch axes of its own
                scores = scores + bias
        top = xp.max(scores, axis=-1, keepdims=True)
        if bias is not None:  # a row masked entirely has max -inf: shift it by 0 instead (no inf - inf)
            top = xp.where(top == -math.inf, xp.zeros_like(top), top)
        scores -= top
        p = xp.exp(scores)
        total = xp.sum(p, axis=-1, keepdims=True)
        if bias is not None:  # ... and its weights stay 0 (0 / 1, not 0 / 0)
            total = xp.where(total == 0, xp.ones_like(total), total)
        p /= total
        ctx.save_for_backward(q, k, v, keep, p)
        return xp.matmul(p if keep is None else p * keep, v), p

    @staticmethod
    def backward(ctx, grad_out, grad_p):
        q, k, v, keep, p = ctx.saved_tensors
        scale = ctx.attrs["scale"]
        need_q, need_k, need_v, need_b = ctx.needs_input_grad[:4]
        gq = gk = gv = gb = None
        w = p if keep is None else p * keep
        if grad_out is not None and need_v:
            gv = MatMul.apply(w, grad_out, transpose=(True, False))
        if not (need_q or need_k or need_b):
            return gq, gk, gv, gb, None
        g = None
        if grad_out is not None:
            g = MatMul.apply(grad_out, v, transpose=(False, True))
            if keep is not None:
                g = g * keep
        if grad_p is not None:
            g = grad_p if g is None else g + grad_p
        if g is None:
            return gq, gk, gv, gb, None
        gs = p * (g - (g * p).sum(dim=-1, keepdim=True))
        if need_q:
            gq = MatMul.apply(gs, k) * scale
        if need_k:
            gk = MatMul.apply(gs, q, transpose=(True, False)) * scale
        if need_b:
            gb = gs
        return gq, gk, gv, gb, None


def _fits(small, big):
    """Whether an array of shape ``small`` broadcasts into ``big`` without growing it."""
    return len(small) <= len(big) and all(s in (1, b) for s, b in zip(small[::-1], big[::-1]))


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                                 scale=None, enable_gqa=False):
    """softmax(Q Kᵀ · scale + mask) V, with dropout on the weights: PyTorch's function, one node.

    Shapes: query (…, L, E), key (…, S, E), value (…, S, Eᵥ) -> (…, L, Eᵥ), the leading axes
    broadcast. ``scale`` defaults to 1/√E. ``attn_mask`` is boolean (True: the query may look at
    that key) or a float mask added to the logits (it may require grad), broadcastable to
    (…, L, S). ``is_causal`` lets query i look at keys 0..i only (the lower triangle, aligned
    top-left when L ≠ S). ``dropout_p`` drops weights with that probability whenever it is
    positive and scales the rest by 1/(1-p): pass 0.0 in evaluation, as with PyTorch's.
    ``enable_gqa`` lets query have Hq heads (axis -3) for Hk key/value heads when Hk divides Hq,
    each group of Hq/Hk query heads sharing one key/value head. A query whose keys are all
    masked gets output 0 (and gradient 0).

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> q = k = mg.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    >>> v = mg.tensor([[[1.0, 2.0], [3.0, 4.0]]])
    >>> F.scaled_dot_product_attention(q, k, v, is_causal=True)[0, 0].tolist()  # key 0 alone
    [1.0, 2.0]
    """
    out, _ = attention(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)
    return out


def attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
              enable_gqa=False):
    """``scaled_dot_product_attention``, returning (output, weights): the weights are the softmax
    probabilities after dropout, of shape (…, L, S) (``MultiheadAttention`` returns them)."""
    _check(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa)
    heads = query.shape[-3] if query.ndim >= 3 else 1
    grouped = enable_gqa and key.ndim >= 3 and key.shape[-3] != heads
    if grouped:  # (…, Hk·g, L, E) -> (…, Hk, g, L, E) against K, V as (…, Hk, 1, S, E): a broadcast
        query = query.unflatten(-3, (key.shape[-3], heads // key.shape[-3]))
        key, value = key.unsqueeze(-3), value.unsqueeze(-3)
        if attn_mask is not None and attn_mask.ndim >= 3:
            attn_mask = (attn_mask.unflatten(-3, query.shape[-4:-2]) if attn_mask.shape[-3] == heads
                         else attn_mask.unsqueeze(-3))
    length, source = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    if is_causal:
        attn_mask = _as_tensor_like(lower_triangle(query.device, length, source), query, None)
    bias = None
    if attn_mask is not None:
        boolean = attn_mask.dtype.category == "bool"
        bias = _additive(attn_mask, query) if boolean else attn_mask.type(query.dtype)
    keep = None
    if dropout_p > 0.0:
        batch = _broadcast(query.shape[:-2], key.shape[:-2], value.shape[:-2])
        keep = _random.dropout_multiplier(batch + (length, source), dropout_p, query)
    out, p = Attention.apply(query, key, value, bias, keep, scale=scale)
    weights = p if keep is None else p * keep
    if grouped:
        out, weights = out.flatten(-4, -3), weights.flatten(-4, -3)
    return out, weights


def _check(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa):
    """PyTorch's argument errors, raised at the call with the shapes and dtypes that caused them."""
    name = "scaled_dot_product_attention"
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError(f"{name}: expected query, key and value of at least 2 dimensions, got "
                           f"shapes {tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}")
    if not (query.dtype == key.dtype == value.dtype) or not query.dtype.is_floating_point:
        raise RuntimeError(f"{name}: expected query, key and value of one floating dtype, got "
                           f"{query.dtype}, {key.dtype} and {value.dtype}")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"{name}: query {tuple(query.shape)} and key {tuple(key.shape)} differ in "
                           "their last dimension (the embedding E)")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"{name}: key {tuple(key.shape)} and value {tuple(value.shape)} differ in "
                           "their number of positions S (dimension -2)")
    if enable_gqa and key.ndim >= 3 and query.ndim >= 3:
        hq, hk = query.shape[-3], key.shape[-3]
        if value.ndim < 3 or value.shape[-3] != hk or hq % hk:
            raise RuntimeError(f"{name}: enable_gqa needs key and value with the same number of heads "
                               f"dividing query's (dimension -3), got query {tuple(query.shape)}, key "
                               f"{tuple(key.shape)}, value {tuple(value.shape)}")
    if attn_mask is not None:
        if is_causal:
            raise RuntimeError(f"{name}: explicit attn_mask should not be set when is_causal=True")
        if attn_mask.dtype.category not in ("bool", "float"):
            raise RuntimeError(f"{name}: expected attn_mask of dtype bool or float, got {attn_mask.dtype}")
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")


def lower_triangle(dev, rows, cols):
    """The (rows, cols) boolean array true on and below the diagonal (``tril`` of ones)."""
    xp = dev.xp
    i = xp.reshape(dev.backend.arange(rows, dev.index), (rows, 1))
    j = xp.reshape(dev.backend.arange(cols, dev.index), (1, cols))
    return i >= j


def _additive(mask, like):
    """A boolean mask (True: attend) as the float mask 0 / -inf added to the logits."""
    xp = like.device.xp
    zero = xp.zeros(mask.shape, dtype=like.array.dtype, device=mask.array.device)
    return _as_tensor_like(xp.where(mask.array, zero, xp.full_like(zero, -math.inf)), like, None)


def _broadcast(*shapes):
    """NumPy's broadcast of several shapes (PyTorch's rules are the same)."""
    ndim = max(len(s) for s in shapes)
    out = []
    for i in range(-ndim, 0):
        sizes = {s[i] for s in shapes if len(s) >= -i} - {1}
        if len(sizes) > 1:
            raise RuntimeError(f"scaled_dot_product_attention: batch shapes {shapes} do not broadcast")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)
