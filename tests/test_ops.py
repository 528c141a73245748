"""One table of ops drives forward-vs-NumPy, gradcheck and gradgradcheck on every backend.

A row: name, the minigrad call, the NumPy reference, the input shapes (broadcasting, 0-d,
size-1, empty where meaningful), the input domain, and whether second order is checked.
Adding a row is all it takes to test an op.
"""

import math
from dataclasses import dataclass, field

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.backend.numpy_backend import _erfinv_scalar
from minigrad.ops.elementwise import SigmoidGrad, TanhGrad, ZeroWhere
from minigrad.ops.linalg import MatMul
from minigrad.ops.nn import NormalizeGrad
from minigrad.ops.reduce import LogSoftmaxGrad, SoftmaxGrad


@dataclass
class Op:
    name: str
    fn: object  # callable on minigrad tensors
    ref: object  # callable on NumPy arrays
    shapes: list  # list of tuples of input shapes
    domain: tuple = (-2.0, 2.0)
    second_order: bool = True
    grad: bool = True
    extra: dict = field(default_factory=dict)


def _np_softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_logsumexp(a, axis, keepdims=False):
    m = a.max(axis=axis, keepdims=True)
    out = np.log(np.exp(a - m).sum(axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def _np_attention(q, k, v, mask=None):
    """softmax(q kᵀ / √E + mask) v; a bool mask is True where attending, a row masked entirely gives 0."""
    s = q @ np.swapaxes(k, -1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    top = s.max(axis=-1, keepdims=True)
    e = np.exp(s - np.where(np.isinf(top), 0.0, top))
    total = e.sum(axis=-1, keepdims=True)
    return e / np.where(total == 0, 1.0, total) @ v


_CAUSAL = np.tril(np.ones((3, 5), dtype=bool))
_MASK = np.array([[True, False, True, False, True], [False] * 5, [False, False, False, False, True]])


def _sdpa_masked(q, k, v):
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mg.tensor(_MASK, device=q.device))


def _gelu(a):
    return 0.5 * a * (1 + np.vectorize(math.erf)(a / math.sqrt(2)))


def _windows1d(a, k, s=1, d=1):
    """(N, C, L) -> (N, C, L_out, k): the NumPy reference's sliding windows."""
    span = d * (k - 1) + 1
    w = np.lib.stride_tricks.sliding_window_view(a, span, axis=-1)[..., ::d]
    return w[:, :, ::s]


def _np_conv1d(x, w, b, s=1, p=0, d=1):
    xp = np.pad(x, ((0, 0), (0, 0), (p, p)))
    return np.einsum("nclk,ock->nol", _windows1d(xp, w.shape[-1], s, d), w) + b[None, :, None]


def _np_unfold(x, k, s=1, p=0):
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    w = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    n, c, oh, ow = w.shape[:4]
    return w.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * k * k, oh * ow)


def _np_fold(cols, size, k, s=1, p=0):
    n, ckk, _ = cols.shape
    c, (h, w) = ckk // (k * k), size
    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    out = np.zeros((n, c, h + 2 * p, w + 2 * p))
    blocks = cols.reshape(n, c, k, k, oh, ow)
    for i in range(k):
        for j in range(k):
            out[:, :, i:i + s * (oh - 1) + 1:s, j:j + s * (ow - 1) + 1:s] += blocks[:, :, i, j]
    return out[:, :, p:p + h, p:p + w]


def _adaptive_bins(size, out):
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


def _np_adaptive(a, out_hw, reduce):
    bins = [_adaptive_bins(a.shape[2 + k], out_hw[k]) for k in range(2)]
    return np.stack([np.stack([reduce(a[:, :, r0:r1, c0:c1], axis=(2, 3)) for c0, c1 in bins[1]], -1)
                     for r0, r1 in bins[0]], -2)


def _np_linear_axis(a, axis, m, align_corners):
    n = a.shape[axis]
    o = np.arange(m)
    src = o * ((n - 1) / (m - 1)) if align_corners else np.maximum((o + 0.5) * n / m - 0.5, 0)
    i0 = np.minimum(np.floor(src).astype(int), n - 1)
    i1, lam = np.minimum(i0 + 1, n - 1), src - np.floor(src)
    shape = [1] * a.ndim
    shape[axis] = m
    return np.take(a, i0, axis) * (1 - lam.reshape(shape)) + np.take(a, i1, axis) * lam.reshape(shape)


def _np_cubic_axis(a, axis, m, scale, align_corners, A=-0.75):
    """Keys' cubic convolution along one axis, sample by sample (PyTorch's bicubic)."""
    n = a.shape[axis]
    out = []
    for o in range(m):
        src = o * (n - 1) / (m - 1) if align_corners else (o + 0.5) * scale - 0.5
        i, t = math.floor(src), src - math.floor(src)
        value = 0
        for k in (-1, 0, 1, 2):
            d = abs(t - k)
            w = ((A + 2) * d - (A + 3)) * d * d + 1 if d <= 1 else A * (d ** 3 - 5 * d * d + 8 * d - 4)
            value = value + w * np.take(a, min(max(i + k, 0), n - 1), axis)
        out.append(value)
    return np.stack(out, axis)


def _np_pixel_shuffle(a, r):
    n, c, h, w = a.shape
    shuffled = a.reshape(n, c // r ** 2, r, r, h, w).transpose(0, 1, 4, 2, 5, 3)
    return shuffled.reshape(n, c // r ** 2, h * r, w * r)


BINARY_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (2, 3)), ((1,), (1,))]
UNARY_SHAPES = [((3, 4),), ((),), ((1,),), ((2, 3, 2),)]
REDUCE_SHAPES = [((3, 4),), ((2, 3, 4),), ((5,),)]

OPS = [
    Op("add", lambda a, b: a + b, np.add, BINARY_SHAPES),
    Op("sub", lambda a, b: a - b, np.subtract, BINARY_SHAPES),
    Op("mul", lambda a, b: a * b, np.multiply, BINARY_SHAPES),
    Op("div", lambda a, b: a / b, np.divide, BINARY_SHAPES, domain=(0.5, 2.0)),
    Op("pow", lambda a, b: a ** b, np.power, BINARY_SHAPES, domain=(0.5, 2.0)),
    Op("pow_scalar", lambda a: a ** 3, lambda a: a ** 3, UNARY_SHAPES),
    Op("rpow", lambda a: 2.0 ** a, lambda a: 2.0 ** a, UNARY_SHAPES),
    Op("rsub", lambda a: 1.0 - a, lambda a: 1.0 - a, UNARY_SHAPES),
    Op("rdiv", lambda a: 1.0 / a, lambda a: 1.0 / a, UNARY_SHAPES, domain=(0.5, 2.0)),
    Op("neg", lambda a: -a, np.negative, UNARY_SHAPES),
    Op("exp", mg.exp, np.exp, UNARY_SHAPES),
    Op("log", mg.log, np.log, UNARY_SHAPES, domain=(0.5, 3.0)),
    Op("log1p", mg.log1p, np.log1p, UNARY_SHAPES, domain=(0.1, 3.0)),
    Op("sqrt", mg.sqrt, np.sqrt, UNARY_SHAPES, domain=(0.5, 3.0)),
    Op("rsqrt", mg.rsqrt, lambda a: 1 / np.sqrt(a), UNARY_SHAPES, domain=(0.5, 3.0)),
    Op("abs", mg.abs, np.abs, UNARY_SHAPES, domain=(0.2, 2.0)),
    Op("abs_neg", mg.abs, np.abs, UNARY_SHAPES, domain=(-2.0, -0.2)),
    Op("sin", mg.sin, np.sin, UNARY_SHAPES),
    Op("cos", mg.cos, np.cos, UNARY_SHAPES),
    Op("tan", mg.tan, np.tan, UNARY_SHAPES, domain=(-1.0, 1.0)),
    Op("tanh", mg.tanh, np.tanh, UNARY_SHAPES),
    Op("sigmoid", mg.sigmoid, lambda a: 1 / (1 + np.exp(-a)), UNARY_SHAPES),
    Op("tanh_grad", lambda g, y: TanhGrad.apply(g, y), lambda g, y: g * (1 - y * y), BINARY_SHAPES[:3]),
    Op("log_softmax_grad", lambda g, y: LogSoftmaxGrad.apply(g, y, dim=1),
       lambda g, y: g - np.exp(y) * g.sum(axis=1, keepdims=True), [((3, 4), (3, 4)), ((2, 3, 4), (2, 3, 4))]),
    Op("softmax_grad", lambda g, y: SoftmaxGrad.apply(g, y, dim=1),
       lambda g, y: y * (g - (g * y).sum(axis=1, keepdims=True)), [((3, 4), (3, 4)), ((2, 3, 4), (2, 3, 4))]),
    Op("sigmoid_grad", lambda g, y: SigmoidGrad.apply(g, y), lambda g, y: g * y * (1 - y), BINARY_SHAPES[:3]),
    Op("relu", mg.relu, lambda a: np.maximum(a, 0), UNARY_SHAPES),
    Op("zero_where", lambda g, y: ZeroWhere.apply(g, y <= 0), lambda g, y: np.where(y <= 0, 0.0, g),
       BINARY_SHAPES[:1]),
    Op("hardtanh", lambda a: F.hardtanh(a, -0.5, 0.7), lambda a: np.clip(a, -0.5, 0.7), UNARY_SHAPES),
    Op("relu6", lambda a: F.relu6(a * 8), lambda a: np.clip(a * 8, 0, 6), UNARY_SHAPES),
    Op("leaky_relu", lambda a: a.leaky_relu(0.1), lambda a: np.where(a > 0, a, 0.1 * a), UNARY_SHAPES),
    Op("gelu", lambda a: a.gelu(), _gelu, UNARY_SHAPES),
    Op("gelu_tanh", lambda a: a.gelu("tanh"),
       lambda a: 0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a ** 3))), UNARY_SHAPES),
    Op("softplus", lambda a: a.softplus(), lambda a: np.log1p(np.exp(a)), UNARY_SHAPES),
    Op("erf", mg.erf, np.vectorize(math.erf), UNARY_SHAPES),
    Op("clamp", lambda a: a.clamp(-0.5, 0.7), lambda a: np.clip(a, -0.5, 0.7), UNARY_SHAPES),
    Op("clamp_min", lambda a: a.clamp(min=0.1), lambda a: np.maximum(a, 0.1), UNARY_SHAPES),
    Op("maximum", mg.maximum, np.maximum, BINARY_SHAPES),
    Op("minimum", mg.minimum, np.minimum, BINARY_SHAPES),
    Op("where", lambda a, b: mg.where(a > 0, a, b), lambda a, b: np.where(a > 0, a, b), BINARY_SHAPES),
    # reductions
    Op("sum", lambda a: a.sum(), np.sum, UNARY_SHAPES + [((0, 3),)]),
    Op("sum_dim", lambda a: a.sum(dim=-1), lambda a: a.sum(axis=-1), REDUCE_SHAPES),
    Op("sum_dims_keep", lambda a: a.sum(dim=(0, -1), keepdim=True),
       lambda a: a.sum(axis=(0, -1), keepdims=True), REDUCE_SHAPES[:2]),
    Op("mean", lambda a: a.mean(), np.mean, UNARY_SHAPES),
    Op("mean_dim", lambda a: a.mean(0, keepdim=True), lambda a: a.mean(0, keepdims=True), REDUCE_SHAPES),
    Op("prod", lambda a: a.prod(dim=-1), lambda a: a.prod(axis=-1), REDUCE_SHAPES),
    Op("var", lambda a: a.var(dim=-1), lambda a: a.var(axis=-1, ddof=1), REDUCE_SHAPES),
    Op("var_biased", lambda a: a.var(correction=0), lambda a: a.var(), REDUCE_SHAPES),
    Op("std", lambda a: a.std(dim=0), lambda a: a.std(axis=0, ddof=1), REDUCE_SHAPES),
    Op("std_all_biased", lambda a: a.std(correction=0), lambda a: a.std(), REDUCE_SHAPES),
    Op("amax", lambda a: a.amax(dim=-1), lambda a: a.max(axis=-1), REDUCE_SHAPES),
    Op("amin", lambda a: a.amin(dim=0, keepdim=True), lambda a: a.min(axis=0, keepdims=True), REDUCE_SHAPES),
    Op("max_all", lambda a: a.max(), np.max, REDUCE_SHAPES),
    Op("max_dim", lambda a: a.max(dim=-1).values, lambda a: a.max(axis=-1), REDUCE_SHAPES),
    Op("min_dim", lambda a: a.min(dim=0, keepdim=True)[0], lambda a: a.min(axis=0, keepdims=True),
       REDUCE_SHAPES),
    Op("logsumexp", lambda a: a.logsumexp(dim=-1), lambda a: _np_logsumexp(a, -1), REDUCE_SHAPES),
    Op("norm", lambda a: a.norm(), np.linalg.norm, UNARY_SHAPES[:1] + REDUCE_SHAPES),
    Op("norm_dim", lambda a: a.norm(dim=-1), lambda a: np.linalg.norm(a, axis=-1), REDUCE_SHAPES),
    Op("norm_p1", lambda a: a.norm(p=1), lambda a: np.abs(a).sum(), REDUCE_SHAPES, domain=(0.2, 2.0),
       second_order=False),
    Op("norm_p3", lambda a: a.norm(p=3, dim=-1), lambda a: (np.abs(a) ** 3).sum(-1) ** (1 / 3),
       REDUCE_SHAPES, domain=(0.2, 2.0)),
    Op("norm_inf", lambda a: a.norm(p=math.inf), lambda a: np.abs(a).max(), REDUCE_SHAPES,
       domain=(0.2, 2.0), second_order=False),
    Op("softmax", lambda a: a.softmax(-1), lambda a: _np_softmax(a, -1), REDUCE_SHAPES),
    Op("log_softmax", lambda a: a.log_softmax(0), lambda a: np.log(_np_softmax(a, 0)), REDUCE_SHAPES),
    Op("cumsum", lambda a: a.cumsum(-1), lambda a: np.cumsum(a, -1), REDUCE_SHAPES),
    # shape ops
    Op("reshape", lambda a: a.reshape(4, 3), lambda a: a.reshape(4, 3), [((3, 4),), ((12,),)]),
    Op("view_infer", lambda a: a.view(-1), lambda a: a.reshape(-1), REDUCE_SHAPES),
    Op("flatten", lambda a: a.flatten(1), lambda a: a.reshape(a.shape[0], -1), [((2, 3, 4),)]),
    Op("squeeze", lambda a: a.squeeze(), np.squeeze, [((1, 3, 1),), ((1,),)]),
    Op("unsqueeze", lambda a: a.unsqueeze(-1), lambda a: a[..., None], UNARY_SHAPES),
    Op("transpose", lambda a: a.transpose(0, -1), lambda a: np.swapaxes(a, 0, -1), REDUCE_SHAPES),
    Op("permute", lambda a: a.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1), [((2, 3, 4),)]),
    Op("T", lambda a: a.T, lambda a: a.T, REDUCE_SHAPES),
    Op("mT", lambda a: a.mT, lambda a: np.swapaxes(a, -1, -2), [((3, 4),), ((2, 3, 4),)]),
    Op("expand", lambda a: a.expand(2, 3, 4), lambda a: np.broadcast_to(a, (2, 3, 4)), [((3, 1),), ((4,),)]),
    Op("broadcast_to", lambda a: a.broadcast_to((3, 3)), lambda a: np.broadcast_to(a, (3, 3)),
       [((1,),), ((),)]),
    Op("repeat", lambda a: a.repeat(2, 3), lambda a: np.tile(a, (2, 3)), [((3, 4),), ((4,),)]),
    Op("flip", lambda a: a.flip(0, -1), lambda a: np.flip(a, (0, -1)), REDUCE_SHAPES[:2]),
    Op("getitem_basic", lambda a: a[1:, ::2], lambda a: a[1:, ::2], [((3, 4),), ((3, 4, 2),)]),
    Op("getitem_int_none_ellipsis", lambda a: a[1, None, ..., -1], lambda a: a[1, None, ..., -1],
       [((3, 4),), ((3, 4, 2),)]),
    Op("getitem_repeated", lambda a: a[[0, 2, 0, 0]], lambda a: a[[0, 2, 0, 0]], [((3, 4),), ((3,),)]),
    Op("getitem_mixed", lambda a: a[[1, 1], 1:], lambda a: a[[1, 1], 1:], [((3, 4),)]),
    Op("getitem_mask", lambda a: a[a > 0], lambda a: a[a > 0], [((3, 4),)], second_order=False),
    Op("cat", lambda a, b: mg.cat([a, b, a], 0), lambda a, b: np.concatenate([a, b, a], 0),
       [((2, 3), (4, 3)), ((1,), (3,))]),
    Op("stack", lambda a, b: mg.stack([a, b], -1), lambda a, b: np.stack([a, b], -1), [((2, 3), (2, 3))]),
    Op("split", lambda a: mg.split(a, 2, 1)[1], lambda a: a[:, 2:4], [((3, 5),)]),
    Op("chunk_sum", lambda a: sum(c.sum() for c in mg.chunk(a, 3, 0)), np.sum, [((5, 2),)]),
    Op("index_select", lambda a: a.index_select(0, mg.tensor([2, 0, 2], device=a.device)),
       lambda a: a[[2, 0, 2]], [((3, 4),)]),
    Op("gather", lambda a: a.gather(1, mg.tensor([[0, 0], [2, 1], [1, 1]], device=a.device)),
       lambda a: np.take_along_axis(a, np.array([[0, 0], [2, 1], [1, 1]]), 1), [((3, 4),)]),
    Op("pad_constant", lambda a: F.pad(a, (1, 2), value=0.5),
       lambda a: np.pad(a, [(0, 0)] * (a.ndim - 1) + [(1, 2)], constant_values=0.5),
       [((3, 4),), ((2, 3, 2),)]),
    Op("pad_reflect", lambda a: F.pad(a, (1, 2, 2, 1), mode="reflect"),
       lambda a: np.pad(a, [(0, 0)] * (a.ndim - 2) + [(2, 1), (1, 2)], mode="reflect"),
       [((3, 4),), ((2, 3, 4),)]),
    Op("pad_replicate", lambda a: F.pad(a, (2, 1), mode="replicate"),
       lambda a: np.pad(a, [(0, 0)] * (a.ndim - 1) + [(2, 1)], mode="edge"), [((3, 4),)]),
    # linear algebra
    Op("matmul", mg.matmul, np.matmul, [((3, 4), (4, 2)), ((2, 3, 4), (4, 5)), ((4,), (4, 2)),
                                        ((3, 4), (4,)), ((4,), (4,)), ((2, 1, 3, 4), (3, 4, 2)),
                                        ((2, 2, 3, 4), (4, 5))]),
    # the transposed products that matmul's backward is made of
    Op("matmul_transpose_a", lambda a, b: MatMul.apply(a, b, transpose=(True, False)),
       lambda a, b: np.swapaxes(a, -1, -2) @ b, [((4, 3), (4, 2)), ((2, 4, 3), (4, 5))]),
    Op("matmul_transpose_b", lambda a, b: MatMul.apply(a, b, transpose=(False, True)),
       lambda a, b: a @ np.swapaxes(b, -1, -2), [((3, 4), (2, 4)), ((3, 4), (2, 5, 4)), ((2, 3, 4), (5, 4))]),
    Op("matmul_transpose_both", lambda a, b: MatMul.apply(a, b, transpose=(True, True)),
       lambda a, b: np.swapaxes(a, -1, -2) @ np.swapaxes(b, -1, -2), [((4, 3), (2, 4)), ((2, 4, 3), (2, 4))]),
    # attention: one node over two batched products and a masked softmax
    Op("sdpa", F.scaled_dot_product_attention, _np_attention,
       [((2, 3, 4), (2, 5, 4), (2, 5, 3)), ((3, 4), (2, 1, 5, 4), (5, 2)),
        ((2, 0, 4), (2, 5, 4), (2, 5, 3))]),
    Op("sdpa_causal", lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
       lambda q, k, v: _np_attention(q, k, v, _CAUSAL), [((2, 3, 4), (2, 5, 4), (2, 5, 3))]),
    Op("sdpa_bool_mask_dead_row", _sdpa_masked, lambda q, k, v: _np_attention(q, k, v, _MASK),
       [((2, 3, 4), (2, 5, 4), (2, 5, 3))]),
    Op("sdpa_float_mask", lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
       _np_attention, [((2, 3, 4), (2, 5, 4), (2, 5, 3), (3, 5)),
                       ((1, 3, 2), (2, 4, 2), (2, 4, 2), (2, 1, 4))]),
    Op("sdpa_gqa", lambda q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True),
       lambda q, k, v: _np_attention(q, np.repeat(k, 2, axis=-3), np.repeat(v, 2, axis=-3)),
       [((1, 4, 3, 2), (1, 2, 5, 2), (1, 2, 5, 3))]),
    Op("einsum_mm", lambda a, b: mg.einsum("ij,jk->ik", a, b), lambda a, b: np.einsum("ij,jk->ik", a, b),
       [((3, 4), (4, 2))]),
    Op("einsum_batch_ellipsis", lambda a, b: mg.einsum("...ij,...jk", a, b),
       lambda a, b: np.einsum("...ij,...jk", a, b), [((2, 3, 4), (2, 4, 5))]),
    Op("einsum_outer_trace_free", lambda a, b: mg.einsum("i,j->ij", a, b), np.outer, [((3,), (4,))]),
    Op("einsum_sum_one", lambda a, b: mg.einsum("ij,k->k", a, b), lambda a, b: np.einsum("ij,k->k", a, b),
       [((2, 3), (4,))]),
    Op("einsum_diagonal", lambda a: mg.einsum("ii->i", a), np.diagonal, [((3, 3),)]),
    Op("einsum_trace_batched", lambda a, b: mg.einsum("bii,bjj", a, b),
       lambda a, b: np.einsum("bii,bjj", a, b), [((2, 3, 3), (2, 4, 4))]),
    Op("einsum_repeated_three", lambda a: mg.einsum("iji->j", a), lambda a: np.einsum("iji->j", a),
       [((3, 2, 3),)]),
    # convolution, pooling and resampling (v2)
    Op("conv1d", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2),
       lambda x, w, b: _np_conv1d(x, w, b, 2, 1, 2), [((2, 3, 9), (4, 3, 2), (4,))]),
    Op("conv1d_groups_same", lambda x, w: F.conv1d(x, w, padding="same", groups=2),
       lambda x, w: np.concatenate([_np_conv1d(np.pad(x[:, 2 * g:2 * g + 2], ((0, 0), (0, 0), (1, 1))),
                                               w[2 * g:2 * g + 2], np.zeros(2)) for g in range(2)], 1),
       [((1, 4, 6), (4, 2, 3))]),
    Op("unfold", lambda x: F.unfold(x, 2, padding=1, stride=2), lambda x: _np_unfold(x, 2, 2, 1),
       [((2, 3, 4, 5),)]),
    Op("fold", lambda c: F.fold(c, (4, 5), 2, padding=1), lambda c: _np_fold(c, (4, 5), 2, 1, 1),
       [((2, 12, 30),)]),
    Op("max_pool1d", lambda x: F.max_pool1d(x, 3, 2, padding=1), lambda x: _windows1d(
        np.pad(x, ((0, 0), (0, 0), (1, 1)), constant_values=-np.inf), 3, 2).max(-1), [((2, 3, 8),)]),
    Op("avg_pool1d", lambda x: F.avg_pool1d(x, 2), lambda x: _windows1d(x, 2, 2).mean(-1), [((2, 3, 7),)]),
    Op("adaptive_avg_pool1d", lambda x: F.adaptive_avg_pool1d(x, 3),
       lambda x: _np_adaptive(x[:, :, None], (1, 3), np.mean)[:, :, 0], [((2, 3, 7),)]),
    Op("adaptive_max_pool1d", lambda x: F.adaptive_max_pool1d(x, 3),
       lambda x: _np_adaptive(x[:, :, None], (1, 3), np.max)[:, :, 0], [((2, 3, 7),)]),
    Op("adaptive_max_pool2d", lambda x: F.adaptive_max_pool2d(x, (2, 3)),
       lambda x: _np_adaptive(x, (2, 3), np.max), [((2, 2, 5, 7),), ((1, 2, 3, 3),)]),
    Op("interpolate_nearest", lambda x: F.interpolate(x, size=(5, 3)),
       lambda x: x[:, :, (np.arange(5) * 3) // 5][:, :, :, (np.arange(3) * 4) // 3], [((1, 2, 3, 4),)]),
    Op("interpolate_linear", lambda x: F.interpolate(x, scale_factor=2.5, mode="linear"),
       lambda x: _np_linear_axis(x, 2, 10, False), [((2, 3, 4),)]),
    Op("interpolate_bilinear_align",
       lambda x: F.interpolate(x, size=(4, 5), mode="bilinear", align_corners=True),
       lambda x: _np_linear_axis(_np_linear_axis(x, 2, 4, True), 3, 5, True), [((1, 2, 3, 2),)]),
    Op("interpolate_trilinear", lambda x: F.interpolate(x, size=(3, 2, 4), mode="trilinear"),
       lambda x: _np_linear_axis(_np_linear_axis(_np_linear_axis(x, 2, 3, False), 3, 2, False), 4, 4, False),
       [((1, 1, 2, 3, 2),)]),
    Op("interpolate_bicubic", lambda x: F.interpolate(x, scale_factor=(2, 1.5), mode="bicubic"),
       lambda x: _np_cubic_axis(_np_cubic_axis(x, 2, 6, 0.5, False), 3, 4, 1 / 1.5, False),
       [((1, 2, 3, 3),)]),
    Op("interpolate_bicubic_align",
       lambda x: F.interpolate(x, size=(2, 5), mode="bicubic", align_corners=True),
       lambda x: _np_cubic_axis(_np_cubic_axis(x, 2, 2, None, True), 3, 5, None, True), [((1, 1, 3, 4),)]),
    Op("pixel_shuffle", lambda x: F.pixel_shuffle(x, 2), lambda x: _np_pixel_shuffle(x, 2),
       [((2, 8, 2, 3),)]),
    Op("pixel_unshuffle", lambda x: F.pixel_unshuffle(x, 2),
       lambda x: x.reshape(2, 2, 2, 2, 3, 2).transpose(0, 1, 3, 5, 2, 4).reshape(2, 8, 2, 3),
       [((2, 2, 4, 6),)]),
]

# --- v2 additions ------------------------------------------------------------------------------------
def _idx(a, values):
    """An int64 index tensor on ``a``'s device."""
    return mg.tensor(values, device=a.device)


def _np_scatter(a, dim, index, src, reduce=None, include_self=True):
    """NumPy reference of scatter/scatter_reduce along ``dim`` (index and src of the same shape)."""
    key = tuple(index if d == dim else np.arange(n).reshape([-1 if e == d else 1 for e in range(index.ndim)])
                for d, n in enumerate(index.shape))
    out = a.copy()
    if reduce is None:
        out[key] = src
        return out
    if not include_self:
        out[key] = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}[reduce]
    ufunc = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
             "amin": np.minimum}[reduce]
    ufunc.at(out, key, src)
    if reduce == "mean":
        count = np.full(a.shape, 1.0 if include_self else 0.0)
        np.add.at(count, key, 1.0)
        out = np.where(count == 0, a, out / np.maximum(count, 1))
    return out


# Newton's method element by element (minigrad's fallback without SciPy; checked against torch's
# values in test_api_v2), independent of SciPy's erfinv that the NumPy backend calls
_np_erfinv = np.vectorize(_erfinv_scalar, otypes=[float])

def _np_digamma(x, n=2000):
    """ψ(x) = ψ(x + n) - Σₖ 1/(x + k), the first term from its asymptotic series (independent of minigrad)."""
    k = np.arange(n).reshape((-1,) + (1,) * np.ndim(x))
    y = x + n
    return np.log(y) - 1 / (2 * y) - 1 / (12 * y ** 2) - (1 / (x + k)).sum(0)


def _np_trigamma(x, n=2000):
    """ψ'(x) = Σₖ 1/(x + k)² + the tail's asymptotic series."""
    k = np.arange(n).reshape((-1,) + (1,) * np.ndim(x))
    y = x + n
    return (1 / (x + k) ** 2).sum(0) + 1 / y + 1 / (2 * y ** 2) + 1 / (6 * y ** 3)


SCATTER_INDEX = [[0, 2, 1, 2], [1, 0, 0, 2]]  # into a (3, 4) tensor along dim 0; repeats in column 2
EMPTY = [((0, 3),)]
MASK = [True, False, True, False]
SCATTER_UNIQUE = [[0, 2, 1, 2], [1, 0, 0, 0]]  # no target written twice (scatter's value is then defined)


def _scatter_rows():
    rows = []
    for reduce in ("sum", "mean", "amax", "amin", "prod"):
        for include_self in (True, False):
            rows.append(Op(
                f"scatter_reduce_{reduce}{'' if include_self else '_exclude_self'}",
                lambda a, s, r=reduce, inc=include_self: a.scatter_reduce(
                    0, _idx(a, SCATTER_INDEX), s, r, include_self=inc),
                lambda a, s, r=reduce, inc=include_self: _np_scatter(
                    a, 0, np.array(SCATTER_INDEX), s, r, inc),
                [((3, 4), (2, 4))], domain=(0.5, 2.0)))
    return rows


V2_OPS = [
    Op("log2", mg.log2, np.log2, UNARY_SHAPES + EMPTY, domain=(0.5, 3.0)),
    Op("log10", mg.log10, np.log10, UNARY_SHAPES, domain=(0.5, 3.0)),
    Op("floor", mg.floor, np.floor, UNARY_SHAPES + EMPTY, domain=(-3.0, 3.0)),
    Op("ceil", mg.ceil, np.ceil, UNARY_SHAPES, domain=(-3.0, 3.0)),
    Op("trunc", mg.trunc, np.trunc, UNARY_SHAPES, domain=(-3.0, 3.0)),
    Op("round", mg.round, np.round, UNARY_SHAPES, domain=(-3.0, 3.0)),
    Op("round_decimals", lambda a: mg.round(a, decimals=2), lambda a: np.round(a, 2), UNARY_SHAPES),
    Op("frac", mg.frac, lambda a: a - np.trunc(a), UNARY_SHAPES, domain=(-3.0, 3.0)),
    Op("fmod", mg.fmod, np.fmod, BINARY_SHAPES, domain=(0.3, 2.0)),
    Op("fmod_signs", lambda a: mg.fmod(a, -0.7), lambda a: np.fmod(a, -0.7), UNARY_SHAPES,
       domain=(-3.0, 3.0)),
    Op("atan2", mg.atan2, np.arctan2, BINARY_SHAPES + [((0, 3), (3,))], domain=(0.5, 2.0)),
    Op("hypot", mg.hypot, np.hypot, BINARY_SHAPES),
    Op("pow_function", mg.pow, np.power, BINARY_SHAPES[:3], domain=(0.5, 2.0)),
    Op("square", mg.square, np.square, UNARY_SHAPES),
    Op("reciprocal", mg.reciprocal, np.reciprocal, UNARY_SHAPES, domain=(0.5, 2.0)),
    Op("nan_to_num", mg.nan_to_num, np.nan_to_num, UNARY_SHAPES),
    Op("expm1", mg.expm1, np.expm1, UNARY_SHAPES + EMPTY),
    Op("exp2", mg.exp2, np.exp2, UNARY_SHAPES),
    Op("sinh", mg.sinh, np.sinh, UNARY_SHAPES),
    Op("cosh", mg.cosh, np.cosh, UNARY_SHAPES),
    Op("asin", mg.asin, np.arcsin, UNARY_SHAPES, domain=(-0.9, 0.9)),
    Op("acos", mg.arccos, np.arccos, UNARY_SHAPES, domain=(-0.9, 0.9)),
    Op("atan", mg.atan, np.arctan, UNARY_SHAPES),
    Op("asinh", mg.asinh, np.arcsinh, UNARY_SHAPES),
    Op("acosh", mg.acosh, np.arccosh, UNARY_SHAPES, domain=(1.2, 3.0)),
    Op("atanh", lambda a: a.arctanh(), np.arctanh, UNARY_SHAPES, domain=(-0.9, 0.9)),
    Op("logaddexp", mg.logaddexp, np.logaddexp, BINARY_SHAPES),
    Op("logaddexp2", mg.logaddexp2, np.logaddexp2, BINARY_SHAPES[:3]),
    Op("logit", mg.logit, lambda a: np.log(a / (1 - a)), UNARY_SHAPES, domain=(0.05, 0.95)),
    Op("logit_eps", lambda a: a.logit(eps=0.2),
       lambda a: np.log(np.clip(a, 0.2, 0.8) / np.clip(1 - a, 0.2, 0.8)), UNARY_SHAPES[:1],
       domain=(0.05, 0.95), second_order=False),
    Op("xlogy", mg.xlogy, lambda a, b: a * np.log(b), BINARY_SHAPES, domain=(0.3, 2.0)),
    Op("lgamma", mg.lgamma, np.vectorize(math.lgamma, otypes=[float]), UNARY_SHAPES + EMPTY,
       domain=(0.2, 4.0)),
    Op("lgamma_negative", lambda a: a.lgamma(), np.vectorize(math.lgamma, otypes=[float]), UNARY_SHAPES[:1],
       domain=(-0.9, -0.1)),
    Op("digamma", mg.digamma, _np_digamma, UNARY_SHAPES, domain=(0.2, 4.0)),
    Op("polygamma_1", lambda a: mg.polygamma(1, a), _np_trigamma, UNARY_SHAPES, domain=(0.2, 4.0)),
    Op("add_alpha", lambda a, b: mg.add(a, b, alpha=-2), lambda a, b: a - 2 * b, BINARY_SHAPES[:3]),
    Op("sub_alpha", lambda a, b: a.sub(b, alpha=0.5), lambda a, b: a - 0.5 * b, BINARY_SHAPES[:3]),
    Op("rsub", lambda a, b: mg.rsub(a, b), lambda a, b: b - a, BINARY_SHAPES[:3]),
    Op("remainder", mg.remainder, np.remainder, BINARY_SHAPES[:3], domain=(0.3, 2.0), second_order=False),
    Op("addcmul", lambda a, b, c: mg.addcmul(a, b, c, value=0.5), lambda a, b, c: a + 0.5 * b * c,
       [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((), (2,), ())]),
    Op("addcdiv", lambda a, b, c: mg.addcdiv(a, b, c, value=2), lambda a, b, c: a + 2 * b / c,
       [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1))], domain=(0.5, 2.0)),
    Op("normalize_grad", lambda g, x, r: NormalizeGrad.apply(g, x, r, axes=(1,)),
       lambda g, x, r: (g - g.mean(1, keepdims=True) - x * (g * x).mean(1, keepdims=True)) * r,
       [((3, 4), (3, 4), (3, 1)), ((2, 3, 4), (2, 3, 4), (2, 1, 4))], domain=(0.5, 2.0)),
    Op("lerp", mg.lerp, lambda a, b, w: a + w * (b - a), [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), ())]),
    Op("cumprod", lambda a: a.cumprod(-1), lambda a: np.cumprod(a, -1), REDUCE_SHAPES + EMPTY),
    # in-place variants on a non-leaf (a * 1): the graph is rebased onto the op, so the gradient
    # is the out-of-place op's
    Op("floor_inplace", lambda a: (a * 1).floor_(), np.floor, UNARY_SHAPES, domain=(-3.0, 3.0)),
    Op("round_decimals_inplace", lambda a: (a * 1).round_(decimals=1), lambda a: np.round(a, 1),
       UNARY_SHAPES[:1], domain=(-3.0, 3.0)),
    Op("frac_inplace", lambda a: (a * 1).frac_(), lambda a: a - np.trunc(a), UNARY_SHAPES,
       domain=(-3.0, 3.0)),
    Op("erfinv", mg.erfinv, _np_erfinv, UNARY_SHAPES + EMPTY, domain=(-0.9, 0.9)),
    Op("erfinv_inplace", lambda a: (a * 1).erfinv_(), _np_erfinv, UNARY_SHAPES[:1], domain=(-0.9, 0.9)),
    Op("log2_inplace", lambda a: (a * 1).log2_(), np.log2, UNARY_SHAPES, domain=(0.5, 3.0)),
    Op("log10_inplace", lambda a: (a * 1).log10_(), np.log10, UNARY_SHAPES[:1], domain=(0.5, 3.0)),
    Op("fmod_inplace", lambda a, b: (a * 1).fmod_(b), np.fmod, BINARY_SHAPES[:2], domain=(0.3, 2.0)),
    Op("atan2_inplace", lambda a, b: (a * 1).atan2_(b), np.arctan2, BINARY_SHAPES[:2], domain=(0.5, 2.0)),
    Op("hypot_inplace", lambda a, b: (a * 1).hypot_(b), np.hypot, BINARY_SHAPES[:2]),
    Op("nan_to_num_inplace", lambda a: (a * 1).nan_to_num_(), np.nan_to_num, UNARY_SHAPES[:1]),
    Op("square_inplace", lambda a: (a * 1).square_(), np.square, UNARY_SHAPES),
    Op("reciprocal_inplace", lambda a: (a * 1).reciprocal_(), np.reciprocal, UNARY_SHAPES, domain=(0.5, 2.0)),
    Op("cumprod_inplace", lambda a: (a * 1).cumprod_(-1), lambda a: np.cumprod(a, -1), REDUCE_SHAPES),
    Op("cumprod_dim0", lambda a: mg.cumprod(a, 0), lambda a: np.cumprod(a, 0), REDUCE_SHAPES[:2]),
    Op("logcumsumexp", lambda a: a.logcumsumexp(-1), lambda a: np.logaddexp.accumulate(a, -1),
       REDUCE_SHAPES + EMPTY),
    Op("logcumsumexp_dim0", lambda a: mg.logcumsumexp(a, 0),
       lambda a: np.logaddexp.accumulate(a, 0) if a.ndim else a,
       REDUCE_SHAPES[:2] + [((),)]),
    Op("std_mean", lambda a: mg.std_mean(a, dim=-1)[0], lambda a: a.std(-1, ddof=1), REDUCE_SHAPES),
    Op("var_mean", lambda a: mg.var_mean(a, dim=0, correction=0)[1], lambda a: a.mean(0), REDUCE_SHAPES),
    # selection and sorting: values are gathers at the sorted positions
    Op("sort", lambda a: a.sort(-1).values, lambda a: np.sort(a, -1) if a.ndim else a,
       REDUCE_SHAPES + [((),)] + EMPTY),
    Op("sort_descending_dim0", lambda a: mg.sort(a, 0, descending=True)[0],
       lambda a: np.flip(np.sort(a, 0), 0), REDUCE_SHAPES),
    Op("topk", lambda a: a.topk(2).values, lambda a: np.flip(np.sort(a, -1), -1)[..., :2], REDUCE_SHAPES),
    Op("topk_smallest", lambda a: mg.topk(a, 3, dim=0, largest=False)[0], lambda a: np.sort(a, 0)[:3],
       [((3, 4),), ((5,),)]),
    Op("kthvalue", lambda a: a.kthvalue(2, -1).values, lambda a: np.sort(a, -1)[..., 1], REDUCE_SHAPES),
    Op("quantile", lambda a: mg.quantile(a, a.new_tensor([0.25, 0.5, 1.0]), dim=-1),
       lambda a: np.quantile(a, [0.25, 0.5, 1.0], axis=-1), REDUCE_SHAPES),
    Op("quantile_all_keepdim", lambda a: a.quantile(0.3, keepdim=True),
       lambda a: np.quantile(a, 0.3, keepdims=True), REDUCE_SHAPES + [((),)]),
    Op("quantile_midpoint", lambda a: mg.quantile(a, 0.4, dim=0, interpolation="midpoint"),
       lambda a: np.quantile(a, 0.4, axis=0, method="midpoint"), REDUCE_SHAPES),
    Op("quantile_lower_keepdim", lambda a: mg.quantile(a, 0.7, dim=1, keepdim=True, interpolation="lower"),
       lambda a: np.quantile(a, 0.7, axis=1, keepdims=True, method="lower"), REDUCE_SHAPES[:2]),
    Op("quantile_higher", lambda a: a.quantile(0.7, -1, interpolation="higher"),
       lambda a: np.quantile(a, 0.7, axis=-1, method="higher"), REDUCE_SHAPES),
    Op("quantile_nearest", lambda a: a.quantile(0.7, -1, interpolation="nearest"),
       lambda a: np.quantile(a, 0.7, axis=-1, method="nearest"), REDUCE_SHAPES),
    Op("nanquantile", lambda a: mg.nanquantile(a, 0.6, dim=0), lambda a: np.nanquantile(a, 0.6, axis=0),
       REDUCE_SHAPES),
    Op("nanmedian", lambda a: a.nanmedian(-1).values, lambda a: np.sort(a, -1)[..., (a.shape[-1] - 1) // 2],
       REDUCE_SHAPES),
    Op("diff", lambda a: mg.diff(a), lambda a: np.diff(a), REDUCE_SHAPES),
    Op("diff_twice_prepend_append", lambda a, b, c: a.diff(2, 0, prepend=b, append=c),
       lambda a, b, c: np.diff(a, 2, 0, prepend=b, append=c), [((3, 4), (1, 4), (2, 4)), ((2,), (1,), (3,))]),
    Op("cummax", lambda a: mg.cummax(a, -1).values, lambda a: np.maximum.accumulate(a, -1), REDUCE_SHAPES),
    Op("cummin_dim0", lambda a: a.cummin(0)[0], lambda a: np.minimum.accumulate(a, 0), REDUCE_SHAPES),
    Op("take_along_dim", lambda a: mg.take_along_dim(a, _idx(a, [[0], [2], [1]]), 1),
       lambda a: np.take_along_axis(a, np.array([[0], [2], [1]]), 1), [((3, 4),)]),
    Op("take_along_dim_flat", lambda a: mg.take_along_dim(a, _idx(a, [5, 0, 5])),
       lambda a: a.reshape(-1)[[5, 0, 5]], [((3, 4),), ((2, 3, 4),)]),
    Op("masked_select", lambda a: mg.masked_select(a, mg.tensor([True, False, True, True], device=a.device)),
       lambda a: np.broadcast_to(a, a.shape)[..., [0, 2, 3]].reshape(-1), [((3, 4),), ((4,),)]),
    # scatter and indexed writes
    Op("scatter", lambda a, s: a.scatter(0, _idx(a, SCATTER_UNIQUE), s),
       lambda a, s: _np_scatter(a, 0, np.array(SCATTER_UNIQUE), s[:2, :4]),
       [((3, 4), (2, 4)), ((3, 4), (3, 5))]),
    Op("scatter_value", lambda a: a.scatter(1, _idx(a, [[1], [0], [3]]), value=0.5),
       lambda a: _np_scatter(a, 1, np.array([[1], [0], [3]]), 0.5), [((3, 4),)]),
    Op("scatter_add", lambda a, s: mg.scatter_add(a, 0, _idx(a, SCATTER_INDEX), s),
       lambda a, s: _np_scatter(a, 0, np.array(SCATTER_INDEX), s[:2, :4], "sum"),
       [((3, 4), (2, 4)), ((3, 4), (3, 5))]),
    *_scatter_rows(),
    Op("index_add", lambda a, s: a.index_add(1, _idx(a, [3, 0, 3]), s, alpha=2),
       lambda a, s: a + 2 * np.stack([s[:, 1], 0 * a[:, 0], 0 * a[:, 0], s[:, 0] + s[:, 2]], 1),
       [((3, 4), (3, 3))]),
    Op("index_copy", lambda a, s: mg.index_copy(a, 0, _idx(a, [2, 0]), s),
       lambda a, s: np.stack([s[1], a[1], s[0]]), [((3, 4), (2, 4))]),
    Op("index_fill", lambda a: a.index_fill(1, _idx(a, [0, 2]), -1.5),
       lambda a: _np_set(a, (slice(None), [0, 2]), -1.5), [((3, 4),), ((2, 3, 4),)]),
    Op("masked_scatter", lambda a, s: a.masked_scatter(mg.tensor(MASK, device=a.device), s),
       lambda a, s: _np_masked_scatter(a, np.array(MASK), s), [((3, 4), (7,)), ((4,), (2,))]),
    Op("nansum", lambda a: mg.nansum(a, -1), lambda a: np.nansum(a, -1), REDUCE_SHAPES),
    Op("nanmean", lambda a: a.nanmean(0, keepdim=True), lambda a: np.nanmean(a, 0, keepdims=True),
       REDUCE_SHAPES),
    Op("aminmax", lambda a: (lambda lo, hi: lo * 2 + hi)(*mg.aminmax(a, dim=-1)),
       lambda a: a.min(-1) * 2 + a.max(-1), REDUCE_SHAPES),
    Op("mode_values", lambda a: mg.mode(a.round(), -1).values, lambda a: np.array(
        [min(set(r), key=lambda v: (-list(r).count(v), v)) for r in np.round(a)]), [((3, 6),)],
       domain=(-1.4, 1.4), second_order=False),
    Op("copysign", mg.copysign, np.copysign, BINARY_SHAPES[:3], domain=(0.2, 2.0)),
    # computed in float64 whatever the input (PyTorch's); cast back for the table's float32 check
    Op("float_power", lambda a: mg.float_power(a, 3).type(a.dtype), lambda a: a ** 3, UNARY_SHAPES),
    Op("deg2rad", mg.deg2rad, np.deg2rad, UNARY_SHAPES),
    Op("fmax", mg.fmax, np.fmax, BINARY_SHAPES[:3]),
    Op("fmin", lambda a, b: a.fmin(b), np.fmin, BINARY_SHAPES[:3]),
    Op("trapezoid", mg.trapezoid, np.trapezoid, REDUCE_SHAPES),
    Op("trapezoid_x", lambda a: mg.trapezoid(a, _idx(a, [0.0, 1.0, 3.0, 4.5]), dim=-1),
       lambda a: np.trapezoid(a, [0.0, 1.0, 3.0, 4.5], axis=-1), [((3, 4),), ((2, 3, 4),)]),
    Op("cumulative_trapezoid", lambda a: mg.cumulative_trapezoid(a, dx=0.5, dim=0),
       lambda a: np.cumsum((a[1:] + a[:-1]) / 2 * 0.5, 0), REDUCE_SHAPES),
    Op("unfold_windows", lambda a: a.unfold(-1, 2, 1),
       lambda a: np.lib.stride_tricks.sliding_window_view(a, 2, -1), REDUCE_SHAPES),
    Op("unfold_step", lambda a: a.unfold(0, 2, 2), lambda a: np.moveaxis(
        np.lib.stride_tricks.sliding_window_view(a, 2, 0)[::2], 0, 0), [((5, 3),)]),
    Op("take", lambda a: mg.take(a, _idx(a, [[0, 5], [5, 2]])), lambda a: a.reshape(-1)[[[0, 5], [5, 2]]],
       [((3, 4),), ((2, 3),)]),
    Op("exp_inplace", lambda a: (a * 1).exp_(), np.exp, UNARY_SHAPES),
    Op("sigmoid_inplace", lambda a: (a * 1).sigmoid_(), lambda a: 1 / (1 + np.exp(-a)), UNARY_SHAPES[:2]),
    Op("tanh_inplace", lambda a: (a * 1).tanh_(), np.tanh, UNARY_SHAPES[:2]),
    Op("sqrt_inplace", lambda a: (a * 1).sqrt_(), np.sqrt, UNARY_SHAPES[:2], domain=(0.5, 2.0)),
    # shape
    Op("narrow", lambda a: a.narrow(-1, 1, 2), lambda a: a[..., 1:3], REDUCE_SHAPES),
    Op("roll", lambda a: a.roll(1), lambda a: np.roll(a, 1), UNARY_SHAPES[:1] + REDUCE_SHAPES + EMPTY),
    Op("roll_dims", lambda a: mg.roll(a, (1, -2), (0, -1)), lambda a: np.roll(a, (1, -2), (0, -1)),
       REDUCE_SHAPES[:2]),
    Op("repeat_interleave", lambda a: a.repeat_interleave(2), lambda a: np.repeat(a, 2),
       REDUCE_SHAPES + EMPTY),
    Op("repeat_interleave_counts", lambda a: mg.repeat_interleave(a, _idx(a, [2, 0, 1]), dim=0),
       lambda a: np.repeat(a, [2, 0, 1], 0), [((3, 4),), ((3,),)]),
    Op("movedim", lambda a: a.movedim((0, 1), (2, 0)), lambda a: np.moveaxis(a, (0, 1), (2, 0)),
       [((2, 3, 4),)]),
    Op("swapaxes", lambda a: mg.swapaxes(a, 0, -1), lambda a: np.swapaxes(a, 0, -1), REDUCE_SHAPES),
    Op("tile", lambda a: a.tile(2, 1), lambda a: np.tile(a, (2, 1)), REDUCE_SHAPES),
    Op("unflatten", lambda a: mg.unflatten(a, -1, (2, 2)), lambda a: a.reshape(a.shape[:-1] + (2, 2)),
       [((3, 4),)]),
    Op("hstack", lambda a, b: mg.hstack([a, b]), lambda a, b: np.hstack([a, b]),
       [((2, 1), (2, 3)), ((2,), (3,))]),
    Op("vstack", lambda a, b: mg.vstack((a, b)), lambda a, b: np.vstack([a, b]), [((3,), (2, 3)), ((), ())]),
    Op("dstack", lambda a, b: mg.dstack([a, b]), lambda a, b: np.dstack([a, b]),
       [((2, 3), (2, 3)), ((3,), (3,))]),
    Op("column_stack", lambda a, b: mg.column_stack([a, b]), lambda a, b: np.column_stack([a, b]),
       [((3,), (3, 2))]),
    Op("tensor_split", lambda a: sum(p.sum() * (i + 1) for i, p in enumerate(mg.tensor_split(a, 3, 1))),
       lambda a: sum(p.sum() * (i + 1) for i, p in enumerate(np.array_split(a, 3, 1))), [((2, 7),)]),
    Op("rot90", lambda a: a.rot90(), np.rot90, [((2, 3),), ((2, 3, 4),)]),
    Op("rot90_back_dims", lambda a: mg.rot90(a, -1, (1, 2)), lambda a: np.rot90(a, -1, (1, 2)),
       [((2, 3, 4),)]),
    Op("fliplr", mg.fliplr, np.fliplr, [((2, 3),)]),
    Op("flipud", lambda a: a.flipud(), np.flipud, [((2, 3),), ((3,),)]),
    Op("meshgrid", lambda a, b: sum(g * (i + 1) for i, g in enumerate(mg.meshgrid(a, b, indexing="xy"))),
       lambda a, b: sum(g * (i + 1) for i, g in enumerate(np.meshgrid(a, b, indexing="xy"))), [((3,), (4,))]),
    # linear algebra
    Op("mm", mg.mm, np.matmul, [((3, 4), (4, 2)), ((0, 4), (4, 2))]),
    Op("bmm", mg.bmm, np.matmul, [((2, 3, 4), (2, 4, 5))]),
    Op("mv", mg.mv, np.matmul, [((3, 4), (4,))]),
    Op("dot", mg.dot, np.dot, [((4,), (4,)), ((0,), (0,))]),
    Op("outer", mg.outer, np.outer, [((3,), (4,)), ((1,), (2,))]),
    Op("addmm", lambda c, a, b: mg.addmm(c, a, b, beta=0.5, alpha=2), lambda c, a, b: 0.5 * c + 2 * a @ b,
       [((3, 2), (3, 4), (4, 2)), ((2,), (3, 4), (4, 2))]),
    Op("baddbmm", lambda c, a, b: mg.baddbmm(c, a, b, alpha=-1), lambda c, a, b: c - a @ b,
       [((2, 3, 5), (2, 3, 4), (2, 4, 5)), ((3, 1), (2, 3, 4), (2, 4, 5))]),
    Op("cdist", mg.cdist, lambda a, b: np.sqrt(((a[..., :, None, :] - b[..., None, :, :]) ** 2).sum(-1)),
       [((3, 4), (5, 4)), ((2, 3, 4), (2, 2, 4))]),
    Op("cdist_p1", lambda a, b: mg.cdist(a, b, p=1), lambda a, b: np.abs(a[:, None] - b[None]).sum(-1),
       [((3, 4), (5, 4))], second_order=False),
    Op("kron", mg.kron, np.kron, [((2, 3), (3, 2)), ((3,), (2, 2)), ((2, 1, 2), (2, 2))]),
    Op("tensordot", lambda a, b: mg.tensordot(a, b, ([0, 2], [1, 0])),
       lambda a, b: np.tensordot(a, b, ([0, 2], [1, 0])), [((3, 4, 2), (2, 3, 5))]),
    Op("tensordot_int", mg.tensordot, np.tensordot, [((3, 4, 2), (4, 2, 5))]),
    Op("inner", mg.inner, np.inner, [((2, 3), (4, 3)), ((3,), (3,)), ((), (2, 3))]),
    Op("linalg_cross", mg.linalg.cross, np.cross, [((4, 3), (4, 3)), ((2, 1, 3), (1, 4, 3))]),
    Op("cross_dim0", lambda a, b: mg.cross(a, b, dim=0), lambda a, b: np.cross(a, b, axis=0),
       [((3, 4), (3, 4))]),
    Op("block_diag", lambda a, b, c: mg.block_diag(a, b, c),
       lambda a, b, c: np.block([[a, np.zeros((2, 1)), np.zeros((2, 3))],
                                 [np.zeros((1, 2)), b.reshape(1, 1), np.zeros((1, 3))],
                                 [np.zeros((1, 2)), np.zeros((1, 1)), c.reshape(1, 3)]]),
       [((2, 2), (), (3,))]),
    Op("cartesian_prod", mg.cartesian_prod,
       lambda a, b: np.stack([g.reshape(-1) for g in np.meshgrid(a, b, indexing="ij")], 1), [((2,), (3,))]),
    Op("cov", mg.cov, np.cov, [((3, 5),), ((5,),), ((1, 4),)]),
    Op("cov_weighted", lambda a, w: mg.cov(a, correction=0, aweights=w),
       lambda a, w: np.cov(a, ddof=0, aweights=w), [((3, 5), (5,))], domain=(0.5, 2.0)),
    Op("cov_fweights", lambda a: mg.cov(a, fweights=_idx(a, [1, 2, 1, 3])),
       lambda a: np.cov(a, fweights=[1, 2, 1, 3]), [((2, 4),)]),
    Op("corrcoef", mg.corrcoef, np.corrcoef, [((3, 5),)]),
    Op("diag_embed", lambda a: mg.diag_embed(a, 1), lambda a: np.stack([np.diag(r, 1) for r in a]),
       [((2, 3),)]),
    Op("diag_embed_dims", lambda a: a.diag_embed(-1, 0, 2),
       lambda a: np.moveaxis(np.stack([np.diag(r, -1) for r in a]), 0, 1), [((2, 3),)]),
    Op("diagflat", lambda a: mg.diagflat(a, -1), lambda a: np.diagflat(a, -1), [((2, 2),), ((3,),)]),
    Op("addmv", lambda c, a, b: mg.addmv(c, a, b, beta=0.5, alpha=2), lambda c, a, b: 0.5 * c + 2 * a @ b,
       [((3,), (3, 4), (4,)), ((), (3, 4), (4,))]),
    Op("addr", mg.addr, lambda c, a, b: c + np.outer(a, b), [((3, 4), (3,), (4,))]),
    Op("addbmm", lambda c, a, b: c.addbmm(a, b, alpha=-1), lambda c, a, b: c - (a @ b).sum(0),
       [((3, 5), (2, 3, 4), (2, 4, 5))]),
    Op("dist", lambda a, b: mg.dist(a, b, 3), lambda a, b: (np.abs(a - b) ** 3).sum() ** (1 / 3),
       [((3, 4), (3, 4)), ((3, 4), (4,))]),
    Op("renorm", lambda a: mg.renorm(a, 2, 0, 1.0),
       lambda a: a * np.minimum(1.0, 1.0 / (np.linalg.norm(a.reshape(a.shape[0], -1), axis=1) + 1e-7)
                                ).reshape((-1,) + (1,) * (a.ndim - 1)), [((3, 4),), ((2, 3, 4),)]),
    Op("logdet", lambda a: mg.logdet(a @ a.mT + _eye4(a)),
       lambda a: np.linalg.slogdet(a @ a.T + 4 * np.eye(3))[1], [((3, 3),)]),
    Op("matrix_power", lambda a: mg.linalg.matrix_power(a, 3), lambda a: np.linalg.matrix_power(a, 3),
       [((3, 3),), ((2, 2, 2),)]),
    Op("matrix_power_negative", lambda a: mg.matrix_power(a + _eye4(a), -2),
       lambda a: np.linalg.matrix_power(a + 4 * np.eye(3), -2), [((3, 3),)]),
    Op("pinv", mg.linalg.pinv, np.linalg.pinv, [((4, 3),), ((3, 4),)]),
    Op("solve_triangular", lambda a, b: mg.linalg.solve_triangular(a + _eye4(a), b, upper=True),
       lambda a, b: np.linalg.solve(np.triu(a + 4 * np.eye(3)), b), [((3, 3), (3, 2))]),
    Op("solve_triangular_unit_right", lambda a, b: mg.linalg.solve_triangular(a, b, upper=False, left=False,
                                                                              unitriangular=True),
       lambda a, b: b @ np.linalg.inv(np.tril(a, -1) + np.eye(3)), [((3, 3), (2, 3))]),
    Op("multi_dot", lambda a, b, c: mg.linalg.multi_dot([a, b, c]), lambda a, b, c: a @ b @ c,
       [((3,), (3, 4), (4, 2))]),
    Op("vecdot", lambda a, b: mg.linalg.vecdot(a, b, dim=0), lambda a, b: (a * b).sum(0), [((3, 4), (3, 1))]),
    Op("tril", mg.tril, np.tril, [((3, 4),), ((2, 3, 3),), ((0, 2),)]),
    Op("triu_offset", lambda a: a.triu(1), lambda a: np.triu(a, 1), [((3, 4),), ((2, 3, 3),)]),
    Op("tril_negative", lambda a: mg.tril(a, -1), lambda a: np.tril(a, -1), [((4, 3),)]),
    # in place on a non-leaf: the graph is rebased, the gradient is the triangle's
    Op("tril_inplace", lambda a: (a * 1).tril_(-1), lambda a: np.tril(a, -1), [((3, 4),), ((2, 3, 3),)]),
    Op("triu_inplace", lambda a: (a * 1).triu_(), np.triu, [((4, 3),)]),
    Op("diag_matrix", lambda a: mg.diag(a, 1), lambda a: np.diag(a, 1), [((3, 4),), ((4, 3),)]),
    Op("diag_vector", lambda a: mg.diag(a, -1), lambda a: np.diag(a, -1), [((3,),), ((1,),)]),
    Op("diagonal", lambda a: a.diagonal(0, -2, -1), lambda a: np.diagonal(a, 0, -2, -1),
       [((3, 4),), ((2, 3, 4),)]),
    Op("diagonal_offset_dims", lambda a: mg.diagonal(a, -1, 2, 0), lambda a: np.diagonal(a, -1, 2, 0),
       [((2, 3, 4),)]),
    Op("trace", mg.trace, np.trace, [((3, 4),), ((3, 3),)]),
    # mg.linalg: inputs shifted by 4I (or made a Gram matrix) to stay well conditioned
    Op("linalg_inv", lambda a: mg.linalg.inv(a + _eye4(a)),
       lambda a: np.linalg.inv(a + 4 * np.eye(a.shape[-1])),
       [((3, 3),), ((2, 3, 3),)]),
    Op("linalg_solve", lambda a, b: mg.linalg.solve(a + _eye4(a), b),
       lambda a, b: np.linalg.solve(a + 4 * np.eye(3), b), [((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 1))]),
    Op("linalg_solve_vector", lambda a, b: mg.linalg.solve(a + _eye4(a), b),
       lambda a, b: np.linalg.solve(a + 4 * np.eye(3), b[..., None])[..., 0],
       [((3, 3), (3,)), ((2, 3, 3), (2, 3))]),
    Op("linalg_det", lambda a: mg.linalg.det(a + _eye4(a)),
       lambda a: np.linalg.det(a + 4 * np.eye(a.shape[-1])),
       [((3, 3),), ((2, 2, 2),)]),
    Op("det_torch_level", lambda a: mg.det(a + _eye4(a)) + (a + _eye4(a)).inverse().sum(),
       lambda a: np.linalg.det(a + 4 * np.eye(3)) + np.linalg.inv(a + 4 * np.eye(3)).sum(),
       [((3, 3),)]),
    Op("linalg_slogdet", lambda a: mg.linalg.slogdet(a + _eye4(a)).logabsdet,
       lambda a: np.linalg.slogdet(a + 4 * np.eye(a.shape[-1]))[1], [((3, 3),), ((2, 2, 2),)]),
    Op("linalg_cholesky", lambda a: mg.linalg.cholesky(a @ a.mT + _eye4(a.mT)),
       lambda a: np.linalg.cholesky(a @ np.swapaxes(a, -1, -2) + 4 * np.eye(a.shape[-2])),
       [((3, 3),), ((2, 3, 4),)]),
    Op("linalg_qr", lambda a: (lambda q, r: q * q + r.sum())(*mg.linalg.qr(a)),
       lambda a: (lambda q, r: q * q + r.sum())(*np.linalg.qr(a)),
       [((4, 3),), ((3, 4),), ((3, 3),), ((2, 2, 3),)]),
    Op("linalg_eigh", lambda a: (lambda w, v: v * v + w)(*mg.linalg.eigh(a + a.mT)),
       lambda a: (lambda w, v: v * v + w)(*np.linalg.eigh(a + a.T)), [((3, 3),)]),
    Op("linalg_svd", lambda a: _svd_invariants(*mg.linalg.svd(a, full_matrices=False)),
       lambda a: _svd_invariants(*np.linalg.svd(a, full_matrices=False)),
       [((4, 3),), ((3, 4),)]),
    Op("linalg_svdvals", mg.linalg.svdvals, lambda a: np.linalg.svd(a, compute_uv=False),
       [((4, 3),), ((2, 3, 3),)]),
    Op("linalg_vector_norm", lambda a: mg.linalg.vector_norm(a, 3, dim=-1),
       lambda a: (np.abs(a) ** 3).sum(-1) ** (1 / 3),
       REDUCE_SHAPES, domain=(0.2, 2.0)),
    Op("linalg_matrix_norm_fro", mg.linalg.matrix_norm, lambda a: np.linalg.norm(a, "fro", axis=(-2, -1)),
       [((3, 4),), ((2, 3, 4),)]),
    Op("linalg_matrix_norm_nuc", lambda a: mg.linalg.matrix_norm(a, "nuc"),
       lambda a: np.linalg.norm(a, "nuc"),
       [((4, 3),)]),
    Op("linalg_matrix_norm_1", lambda a: mg.linalg.matrix_norm(a, 1), lambda a: np.linalg.norm(a, 1),
       [((4, 3),)], second_order=False),
    Op("linalg_matrix_norm_inf", lambda a: mg.linalg.norm(a, math.inf), lambda a: np.linalg.norm(a, np.inf),
       [((4, 3),)], second_order=False),
    Op("linalg_norm", mg.linalg.norm, lambda a: np.linalg.norm(a.reshape(-1)), REDUCE_SHAPES),
]


def _svd_invariants(u, s, vh):
    """Sign-independent functions of each singular triple (weights make them non-constant)."""
    def weights(n):
        if isinstance(u, np.ndarray):
            return np.arange(1.0, n + 1)
        return mg.arange(1.0, n + 1, dtype=u.dtype, device=u.device)
    return (u * u).T @ weights(u.shape[0]) + s + (vh * vh) @ weights(vh.shape[1])


def _eye4(a):
    return 4 * mg.eye(a.shape[-1], dtype=a.dtype, device=a.device)


def _np_set(a, key, value):
    out = a.copy()
    out[key] = value
    return out


def _np_masked_scatter(a, mask, s):
    out = a.copy()
    mask = np.broadcast_to(mask, a.shape)
    out[mask] = s[:mask.sum()]
    return out


OPS += V2_OPS

def _np_group_norm(a, w, b, groups=2, eps=1e-5):
    g = a.reshape(a.shape[0], groups, -1)
    xhat = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + eps)).reshape(a.shape)
    shape = (1, -1) + (1,) * (a.ndim - 2)
    return xhat * w.reshape(shape) + b.reshape(shape)


def _np_windows(a, size, axis):
    return np.lib.stride_tricks.sliding_window_view(a, size, axis)


def _np_multi_margin(a, y, margin, w):
    terms = [sum(w[t] * max(0.0, margin - row[t] + row[i]) ** 2 for i in range(len(row)) if i != t) / len(row)
             for row, t in zip(a, y)]
    return np.mean(terms)


def _stacked(parts):
    """The pieces of tensor_split (or any tuple) as one flat array, so one reference compares all."""
    if isinstance(parts[0], np.ndarray):
        return np.concatenate([p.reshape(-1) for p in parts])
    return mg.cat([p.reshape(-1) for p in parts])


def _np_diag_embed(a, offset=0):
    n = a.shape[-1] + abs(offset)
    out = np.zeros(a.shape[:-1] + (n, n))
    rows, cols = np.arange(a.shape[-1]), np.arange(a.shape[-1])
    rows, cols = (rows, cols + offset) if offset >= 0 else (rows - offset, cols)
    out[..., rows, cols] = a
    return out


UNPOOL_INDEX = [[[[0, 3], [9, 14]], [[5, 2], [12, 15]]]]


def _np_unpool(a, index, plane):
    out = np.zeros(a.shape[:-2] + (plane,))
    np.put_along_axis(out, np.array(index).reshape(a.shape[:-2] + (-1,)), a.reshape(a.shape[:-2] + (-1,)), -1)
    return out


def _np_conv_transpose1d(x, w, b, s, p, op, d):
    """Each input position scatters w[c] times its value to s·l + d·k, then the padding is cut."""
    n, _, length = x.shape
    full = (length - 1) * s + d * (w.shape[2] - 1) + 1 + op
    out = np.zeros((n, w.shape[1], full))
    for pos in range(length):
        for k in range(w.shape[2]):
            out[:, :, s * pos + d * k] += np.einsum("nc,co->no", x[:, :, pos], w[:, :, k])
    return out[:, :, p:full - p] + b[None, :, None]


OPS += [
    Op("conv_transpose1d", lambda x, w, b: F.conv_transpose1d(x, w, b, stride=3, padding=1, output_padding=2,
                                                             dilation=2),
       lambda x, w, b: _np_conv_transpose1d(x, w, b, 3, 1, 2, 2), [((2, 4, 5), (4, 3, 3), (3,))]),
    Op("max_unpool2d", lambda a: F.max_unpool2d(a, _idx(a, UNPOOL_INDEX), 2),
       lambda a: _np_unpool(a, UNPOOL_INDEX, 16).reshape(1, 2, 4, 4), [((1, 2, 2, 2),)]),
    Op("sinc", mg.sinc, np.sinc, UNARY_SHAPES),
    Op("rad2deg", lambda a: a.rad2deg(), np.rad2deg, UNARY_SHAPES[:1]),
    Op("cov_weights", lambda a, w: mg.cov(a, correction=0, aweights=w),
       lambda a, w: np.cov(a, ddof=0, aweights=w), [((3, 5), (5,))], domain=(0.5, 2.0)),
    Op("cross", lambda a, b: mg.linalg.cross(a, b), np.cross, [((3,), (3,)), ((4, 3), (1, 3))]),
    Op("diag_embed_offset", lambda a: a.diag_embed(-2), lambda a: _np_diag_embed(a, -2), [((2, 3),)]),
    Op("rot90_k3_dims", lambda a: mg.rot90(a, 3, (2, 0)), lambda a: np.rot90(a, 3, (2, 0)), [((2, 3, 4),)]),
    Op("tensor_split_indices", lambda a: _stacked(mg.tensor_split(a, [1, -1], 0)),
       lambda a: _stacked(np.split(a, [1, -1], 0)), REDUCE_SHAPES[:2]),
    Op("hsplit", lambda a: _stacked(mg.hsplit(a, [1])), lambda a: _stacked(np.hsplit(a, [1])),
       [((3, 4),), ((2, 3, 4),)]),
    Op("dsplit", lambda a: _stacked(a.dsplit(2)), lambda a: _stacked(np.dsplit(a, 2)), [((2, 3, 4),)]),
    Op("matrix_power_inverse", lambda a: mg.matrix_power(a + _eye4(a), -2),
       lambda a: np.linalg.matrix_power(a + 4 * np.eye(3), -2), [((3, 3),)]),
    Op("tensor_unfold", lambda a: a.unfold(-1, 2, 1), lambda a: _np_windows(a, 2, -1), REDUCE_SHAPES),
    Op("tensor_unfold_dim0_step", lambda a: a.unfold(0, 2, 2), lambda a: _np_windows(a, 2, 0)[::2],
       [((5, 3),), ((4,),)]),
    Op("lp_pool2d", lambda a: F.lp_pool2d(a, 3, (2, 3), stride=1),
       lambda a: (_np_windows(_np_windows(a ** 3, 2, 2), 3, 3).sum((-1, -2))) ** (1 / 3), [((1, 2, 3, 4),)],
       domain=(0.5, 2.0)),
    Op("multi_margin_loss", lambda a: F.multi_margin_loss(
        a, _idx(a, [0, 3, 1]), p=2, margin=2.0, weight=_idx(a, [1.0, 0.5, 2.0, 1.5]).type(a.dtype)),
       lambda a: _np_multi_margin(a, [0, 3, 1], 2.0, [1.0, 0.5, 2.0, 1.5]), [((3, 4),)]),
    Op("rms_norm", lambda a, w: F.rms_norm(a, (4,), w, eps=1e-3),
       lambda a, w: a / np.sqrt((a * a).mean(-1, keepdims=True) + 1e-3) * w,
       [((3, 4), (4,)), ((2, 3, 4), (4,))]),
    Op("pdist", F.pdist, lambda a: np.array([np.linalg.norm(a[i] - a[j]) for i in range(len(a))
                                             for j in range(i + 1, len(a))]), [((4, 3),)]),
    Op("reflection_pad2d", lambda a: mg.nn.ReflectionPad2d((1, 2, 2, 0))(a),
       lambda a: np.pad(a, ((0, 0), (0, 0), (2, 0), (1, 2)), mode="reflect"), [((1, 2, 3, 4),)]),
    Op("combinations", lambda a: mg.combinations(a, 2, with_replacement=True),
       lambda a: np.array([[a[i], a[j]] for i in range(len(a)) for j in range(i, len(a))]), [((4,),)]),
    # one node each, as PyTorch's (HardswishBackward0, ...)
    Op("hardswish", F.hardswish, lambda a: a * np.clip(a + 3, 0, 6) / 6, UNARY_SHAPES, domain=(-4.0, 4.0)),
    Op("hardsigmoid", F.hardsigmoid, lambda a: np.clip(a + 3, 0, 6) / 6, UNARY_SHAPES, domain=(-4.0, 4.0)),
    Op("mish", F.mish, lambda a: a * np.tanh(np.log1p(np.exp(a))), UNARY_SHAPES, domain=(-4.0, 4.0)),
    Op("glu", lambda a: F.glu(a, 0), lambda a: a[:2] / (1 + np.exp(-a[2:])), [((4, 3),), ((4,),)]),
    Op("glu_last", F.glu, lambda a: a[..., :2] / (1 + np.exp(-a[..., 2:])), [((3, 4),), ((2, 3, 4),)]),
    Op("prelu", F.prelu, lambda a, w: np.where(a > 0, a, w.reshape(-1, *[1] * (a.ndim - 2)) * a),
       [((2, 3, 4), (3,)), ((3, 2), (1,))]),
    Op("lerp_number", lambda a, b: mg.lerp(a, b, 0.7), lambda a, b: a + 0.7 * (b - a), BINARY_SHAPES[:3]),
    Op("unbind", lambda a: mg.stack([p * (i + 1) for i, p in enumerate(a.unbind(1))], -1),
       lambda a: np.stack([np.take(a, i, 1) * (i + 1) for i in range(a.shape[1])], -1),
       [((3, 4),), ((2, 3, 4),)]),
    Op("binary_cross_entropy", F.binary_cross_entropy,
       lambda x, t: -(t * np.log(x) + (1 - t) * np.log(1 - x)).mean(), [((3, 4), (3, 4)), ((5,), (5,))],
       domain=(0.05, 0.95)),
    Op("binary_cross_entropy_weight_sum",
       lambda x, t: F.binary_cross_entropy(x, t, _idx(x, [0.5, 2.0, 1.0, 3.0]).type(x.dtype), None, None,
                                           "sum"),
       lambda x, t: -(np.array([0.5, 2.0, 1.0, 3.0]) * (t * np.log(x) + (1 - t) * np.log(1 - x))).sum(),
       [((3, 4), (3, 4))], domain=(0.05, 0.95)),
    Op("group_norm", lambda a, w, b: F.group_norm(a, 2, w, b), _np_group_norm,
       [((2, 4, 3), (4,), (4,)), ((3, 4), (4,), (4,)), ((1, 2, 2, 3), (2,), (2,))]),
    Op("adaptive_avg_pool2d_to_one", lambda a: F.adaptive_avg_pool2d(a, 1),
       lambda a: a.mean((-2, -1), keepdims=True), [((2, 3, 4, 5),), ((3, 2, 2),)]),
]

CASES = [pytest.param(op, shapes, id=f"{op.name}-{'x'.join(str(s) for s in shapes)}")
         for op in OPS for shapes in op.shapes]


def _inputs(shapes, domain, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    lo, hi = domain
    arrays = []
    for shape in shapes:
        a = rng.uniform(lo, hi, shape)
        if rng.random() < 0.5 and a.size > 1:  # ties and signs are varied by the seed
            a = a * rng.choice([-1.0, 1.0], shape) if lo < 0 else a
        arrays.append(a.astype(dtype))
    return arrays


def _to_mg(arrays, requires_grad=False):
    return [mg.tensor(a, requires_grad=requires_grad) for a in arrays]


@pytest.mark.parametrize("op, shapes", CASES)
def test_forward_matches_numpy(backend, op, shapes):
    arrays = _inputs(shapes, op.domain, seed=0, dtype=np.float32)
    out = op.fn(*_to_mg(arrays))
    expected = op.ref(*[a.astype(np.float64) for a in arrays])
    assert out.dtype == mg.float32
    np.testing.assert_allclose(out.cpu().numpy(), expected, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("op, shapes", CASES)
def test_gradcheck(backend, op, shapes):
    tensors = _to_mg(_inputs(shapes, op.domain, seed=1), requires_grad=True)
    assert gradcheck(op.fn, tensors)


SECOND = [pytest.param(op, shapes, id=f"{op.name}-{'x'.join(str(s) for s in shapes)}")
          for op in OPS if op.second_order for shapes in op.shapes[:2]]


@pytest.mark.parametrize("op, shapes", SECOND)
def test_gradgradcheck(backend, op, shapes):
    tensors = _to_mg(_inputs(shapes, op.domain, seed=2), requires_grad=True)
    assert gradgradcheck(op.fn, tensors)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_third_order(backend, approximate):
    # GeluGrad's own backward is written in Tensor ops: the second derivative differentiates too
    x = _to_mg(_inputs([(3, 4)], (-3.0, 3.0), seed=3), requires_grad=True)[0]

    def first(x):
        return mg.autograd.grad(F.gelu(x, approximate=approximate).sum(), x, create_graph=True)[0]
    assert gradgradcheck(first, (x,))


def test_gradcheck_non_contiguous_input(backend):
    base = mg.tensor(np.random.default_rng(3).standard_normal((4, 3)))
    x = base.T.detach().requires_grad_(True)  # a transposed view: not C-contiguous
    assert gradcheck(lambda t: (t.exp() * t).sum(dim=0), [x])


def test_gradcheck_reports_worst_element():
    class WrongSquare(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x

    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="analytic 6.0 vs numerical 4.0"):
        gradcheck(WrongSquare.apply, [x])


def test_gradcheck_requires_float64():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="float64"):
        gradcheck(lambda t: t * 2, [x])


@pytest.mark.parametrize("op", ["softmax", "log_softmax", "gelu", "layer_norm"])
def test_float16_computed_in_float32(op):
    """As PyTorch's opmath: float16 in, float32 arithmetic, float16 out (in float16, 1 + erf(x)
    and x - logsumexp(x) cancel: gelu(-2.5) was 2% off, log_softmax 0.4%; a float16 mean of
    values near 1000 is 0.5 apart, so layer_norm was 0.007 off)."""
    data = np.array([[2.0, 2.0, -1.0, 5.0, -2.5]]) + (1000 if op == "layer_norm" else 0)
    shifted = data - data.max(1, keepdims=True)
    centred = data - data.mean(1, keepdims=True)
    exact = {"softmax": np.exp(shifted) / np.exp(shifted).sum(1, keepdims=True),
             "log_softmax": shifted - np.log(np.exp(shifted).sum(1, keepdims=True)),
             "gelu": data * 0.5 * (1 + np.vectorize(math.erf)(data / math.sqrt(2))),
             "layer_norm": centred / np.sqrt((centred ** 2).mean(1, keepdims=True) + 1e-5)}[op]
    x = mg.tensor(data, dtype=mg.float16)
    y = F.gelu(x) if op == "gelu" else F.layer_norm(x, (5,)) if op == "layer_norm" else getattr(x, op)(1)
    assert y.dtype is mg.float16
    np.testing.assert_array_equal(y.numpy(), exact.astype(np.float16))


def _value_and_grad(fn, values, dtype=mg.float64):
    x = mg.tensor(values, dtype=dtype, requires_grad=True)
    y = fn(x)
    y.sum().backward()
    return y.tolist(), x.grad.tolist()


def test_single_op_activations_at_hand_computed_points():
    # hardswish: x (x + 3)/6 inside (-3, 3), slope x/3 + 1/2 there; PyTorch's slopes 0 at -3, 1 at 3
    assert _value_and_grad(F.hardswish, [-4.0, -3.0, 0.0, 1.5, 3.0]) == (
        [0.0, 0.0, 0.0, 1.125, 3.0], [0.0, 0.0, 0.5, 1.0, 1.0])
    assert _value_and_grad(F.hardsigmoid, [-3.0, 0.0, 1.5, 3.0]) == (
        [0.0, 0.5, 0.75, 1.0], [0.0, 1 / 6, 1 / 6, 0.0])
    # mish(0) = 0, mish'(0) = tanh(log 2) = 3/5; far out it is x (no overflow), slope 1
    y, g = _value_and_grad(F.mish, [0.0, 800.0])
    assert y == [0.0, 800.0] and g == pytest.approx([0.6, 1.0], abs=1e-15)
    # glu([a, b]) = a σ(b): at (2, 0) it is 1, gradients (σ(0), a σ'(0)) = (1/2, 1/2)
    assert _value_and_grad(F.glu, [2.0, 0.0]) == ([1.0], [0.5, 0.5])
    w = mg.tensor([0.25], dtype=mg.float64, requires_grad=True)
    x = mg.tensor([-2.0, 0.0, 3.0], dtype=mg.float64, requires_grad=True)
    F.prelu(x, w).sum().backward()
    assert x.grad.tolist() == [0.25, 0.25, 1.0] and w.grad.tolist() == [-2.0]


def test_single_op_tensor_functions_at_hand_computed_points():
    m = mg.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=mg.float64, requires_grad=True)
    m.trace().backward()
    assert m.grad.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    a = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    b = mg.tensor([5.0, 6.0], dtype=mg.float64, requires_grad=True)
    mg.lerp(a, b, 0.75).sum().backward()
    assert mg.lerp(a, b, 0.75).tolist() == [4.0, 5.0] and a.grad.tolist() == [0.25, 0.25]
    assert b.grad.tolist() == [0.75, 0.75]
    e = mg.eye(3, dtype=mg.float64)
    assert mg.linalg.cross(e[0], e[1]).tolist() == [0.0, 0.0, 1.0]
    assert _value_and_grad(lambda t: t.reciprocal(), [0.5, -4.0]) == ([2.0, -0.25], [-4.0, -0.0625])
    assert mg.addmm(mg.ones(2, 2), mg.eye(2), 2 * mg.eye(2), beta=0.5, alpha=3).tolist() == [[6.5, 0.5],
                                                                                              [0.5, 6.5]]
    assert mg.arange(4.0).roll(1).tolist() == [3.0, 0.0, 1.0, 2.0]
    target = mg.tensor([0.0, 1.0, 1.0], dtype=mg.float64)
    p = mg.tensor([0.0, 0.0, 0.5], dtype=mg.float64, requires_grad=True)
    loss = F.binary_cross_entropy(p, target, reduction="sum")  # 0 + 100 (the clamped log) + log 2
    loss.backward()
    assert loss.item() == pytest.approx(100 + math.log(2), abs=1e-12)
    assert p.grad.tolist()[2] == -2.0  # (x - t) / (x (1 - x))
    y = F.group_norm(mg.tensor([[1.0, 3.0]], dtype=mg.float64), 1, eps=0.0)  # one group: (x - 2) / 1
    assert y.tolist() == [[-1.0, 1.0]]
