"""``MultiheadAttention``: PyTorch's layer (parameter names, masks, layouts) over one attention node."""

import math

from ... import creation
from ...ops.attention import attention
from ...ops.movement import cat
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from .linear import Linear


class MultiheadAttention(Module):
    """Attention over ``num_heads`` heads of size E/h, each with its own projections of q, k, v.

    out = concat(head₁, …, head_h) W_oᵀ + b_o, headᵢ = softmax(Qᵢ Kᵢᵀ / √(E/h) + mask) Vᵢ, where
    Qᵢ, Kᵢ, Vᵢ are the i-th slices of x W_qᵀ + b_q, … (``in_proj_weight`` stacks W_q, W_k, W_v as
    (3E, E); with ``kdim``/``vdim`` ≠ E they are ``q_proj_weight``, ``k_proj_weight``,
    ``v_proj_weight`` instead) and W_o, b_o are ``out_proj``'s.

    Shapes: query (L, N, E), key (S, N, kdim), value (S, N, vdim) -> (L, N, E); (N, L, E) etc.
    with ``batch_first``; unbatched (L, E) too. ``key_padding_mask`` (N, S) and ``attn_mask``
    (L, S) or (N·h, L, S) are boolean (**True: masked**, the opposite of
    ``scaled_dot_product_attention``'s bool masks) or float (added to the logits). The weights
    returned with ``need_weights`` are (N, L, S) averaged over heads, or (N, h, L, S) with
    ``average_attn_weights=False``, after dropout. ``is_causal`` is PyTorch's hint that
    ``attn_mask`` is the causal mask (which must still be given). ``add_bias_kv`` appends one
    learned key and value (``bias_k``, ``bias_v``: (1, 1, E)) and ``add_zero_attn`` one of zeros
    to the keys and values of every head, which every query may attend to.

    Note:
        A query whose keys are all masked gets weights 0 and output b_o here; PyTorch gives NaN
        there when it computes the weights (``need_weights=True``) and 0 otherwise.

    >>> import minigrad as mg
    >>> mha = mg.nn.MultiheadAttention(8, 2, batch_first=True)
    >>> out, w = mha(mg.randn(3, 5, 8), mg.randn(3, 6, 8), mg.randn(3, 6, 8))
    >>> tuple(out.shape), tuple(w.shape), sorted(mha.state_dict())
    ((3, 5, 8), (3, 5, 6), ['in_proj_bias', 'in_proj_weight', 'out_proj.bias', 'out_proj.weight'])
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} "
                             f"and num_heads={num_heads} instead")
        if embed_dim % num_heads:
            raise AssertionError("embed_dim must be divisible by num_heads")
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.head_dim = embed_dim // num_heads
        self.batch_first = batch_first
        factory = {"device": device, "dtype": dtype}
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(creation.empty(3 * embed_dim, embed_dim, **factory))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(creation.empty(embed_dim, embed_dim, **factory))
            self.k_proj_weight = Parameter(creation.empty(embed_dim, self.kdim, **factory))
            self.v_proj_weight = Parameter(creation.empty(embed_dim, self.vdim, **factory))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(creation.empty(3 * embed_dim, **factory))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, **factory)
        if add_bias_kv:  # one more key and value, learned, that every query may attend to
            self.bias_k = Parameter(creation.empty(1, 1, embed_dim, **factory))
            self.bias_v = Parameter(creation.empty(1, 1, embed_dim, **factory))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn  # and one more key and value of zeros, per head
        self._reset_parameters()

    def _reset_parameters(self):
        """PyTorch's: Xavier-uniform projections, zero biases (``out_proj.weight`` keeps Linear's)."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        batched = query.ndim == 3
        if not batched:
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
            key_padding_mask = None if key_padding_mask is None else key_padding_mask.unsqueeze(0)
        elif not self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        q, k, v = self._project(query, key, value)  # each (N, h, ·, head_dim)
        n, length, source = q.shape[0], q.shape[2], k.shape[2]
        if is_causal and attn_mask is None:
            raise RuntimeError("MultiheadAttention: is_causal is a hint that attn_mask is the causal mask; "
                               "give the mask too (e.g. nn.Transformer.generate_square_subsequent_mask)")
        mask = _merged_mask(attn_mask, key_padding_mask, n, self.num_heads, length, source, q)
        k, v, mask = self._extra_keys(k, v, mask)
        out, weights = attention(q, k, v, mask, self.dropout if self.training else 0.0)
        out = self.out_proj(out.transpose(1, 2).reshape(n, length, self.embed_dim))
        if not batched:
            out, weights = out.squeeze(0), weights.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        return out, (weights.mean(-3) if average_attn_weights else weights)

    def _extra_keys(self, k, v, mask):
        """Append ``bias_k``/``bias_v`` and then a zero key/value (PyTorch's order) to every head's
        keys and values; the mask gets a 0 (attend) column for each."""
        n, heads, _, d = k.shape
        extra = []
        if self.bias_k is not None:
            extra.append((self.bias_k.reshape(1, heads, 1, d), self.bias_v.reshape(1, heads, 1, d)))
        if self.add_zero_attn:
            zeros = creation.zeros(1, heads, 1, d, dtype=k.dtype, device=k.device)
            extra.append((zeros, zeros))
        for bk, bv in extra:
            k = cat([k, bk.expand(n, heads, 1, d)], 2)
            v = cat([v, bv.expand(n, heads, 1, d)], 2)
            if mask is not None:
                mask = F.pad(mask, (0, 1))
        return k, v, mask

    def _project(self, query, key, value):
        """q, k, v = the inputs through their projections, split into heads: (N, h, ·, head_dim)."""
        e = self.embed_dim
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e:2 * e], b[2 * e:])
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            if query is key and key is value:  # self-attention: one product for all three
                q, k, v = F.linear(query, w, b).chunk(3, -1)
            else:
                q, k, v = (F.linear(query, w[:e], bq), F.linear(key, w[e:2 * e], bk),
                           F.linear(value, w[2 * e:], bv))
        else:
            q, k, v = (F.linear(query, self.q_proj_weight, bq), F.linear(key, self.k_proj_weight, bk),
                       F.linear(value, self.v_proj_weight, bv))
        return tuple(t.unflatten(-1, (self.num_heads, self.head_dim)).transpose(1, 2) for t in (q, k, v))

    def extra_repr(self):
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, batch_first={self.batch_first}"


def _merged_mask(attn_mask, key_padding_mask, n, heads, length, source, like):
    """attn_mask and key_padding_mask as one float mask added to the logits, broadcastable to
    (N, h, L, S) (None when neither is given); a boolean mask's True becomes -inf."""
    mask = None
    if attn_mask is not None:
        if attn_mask.ndim == 2 and tuple(attn_mask.shape) == (length, source):
            mask = _additive(attn_mask, like)
        elif attn_mask.ndim == 3 and tuple(attn_mask.shape) == (n * heads, length, source):
            mask = _additive(attn_mask, like).reshape(n, heads, length, source)
        else:
            raise RuntimeError(f"MultiheadAttention: attn_mask of shape {tuple(attn_mask.shape)}, expected "
                               f"{(length, source)} or {(n * heads, length, source)}")
    if key_padding_mask is not None:
        shape = tuple(key_padding_mask.shape)
        if shape != (n, source):
            raise RuntimeError(f"MultiheadAttention: key_padding_mask of shape {shape}, expected "
                               f"(batch, source length) = {(n, source)}")
        padding = _additive(key_padding_mask, like).reshape(n, 1, 1, source)
        mask = padding if mask is None else mask + padding
    return mask


def _additive(mask, like):
    """PyTorch's canonical mask: a boolean mask as 0 / -inf (True: masked), a float one as it is."""
    if mask.dtype.category == "bool":
        zeros = creation.zeros(tuple(mask.shape), dtype=like.dtype, device=like.device)
        return zeros.masked_fill(mask, -math.inf)
    if mask.dtype.category != "float":
        raise RuntimeError(f"MultiheadAttention: masks must be bool or float, got {mask.dtype}")
    return mask.type(like.dtype)
