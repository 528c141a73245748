"""``nn.functional``: the computation of every layer, activation and loss, as plain functions.

Layer classes hold parameters and call these; users may call them directly (``F.relu(x)``,
``F.cross_entropy(logits, y)``). Losses live in ``nn/_loss.py`` and normalisation / dropout /
embedding in ``nn/_layers.py``; everything is re-exported here under PyTorch's names.
"""

import math
import warnings

from .. import dtypes as _dtypes
from .._coerce import _dim, _scalar_as
from ..autograd.views import written_back
from ..dtypes import finfo
from ..ops.activation import Glu, Hardsigmoid, Hardswish, Mish, PreluKernel
from ..ops.attention import scaled_dot_product_attention
from ..ops.conv import _ntuple, conv2d, conv_transpose2d
from ..ops.elementwise import Elu, Hardtanh, Silu, where
from ..ops.linalg import DISTANCE_DTYPES
from ..ops.movement import pad
from ..ops.nn import Linear as _Linear
from ..ops.nn import LinearNoBias as _LinearNoBias
from ..ops.pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from ..random import rand_like
from ..tensor import Tensor
from ._layers import (
    alpha_dropout,
    batch_norm,
    dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    embedding,
    embedding_bag,
    feature_alpha_dropout,
    group_norm,
    instance_norm,
    layer_norm,
    local_response_norm,
    rms_norm,
)
from ._loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cosine_embedding_loss,
    cosine_similarity,
    cross_entropy,
    ctc_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    huber_loss,
    kl_div,
    l1_loss,
    margin_ranking_loss,
    mse_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    nll_loss,
    pairwise_distance,
    poisson_nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)


# --- linear -------------------------------------------------------------------------------------
def linear(input, weight, bias=None):
    """y = x Wᵀ + b, one fused node (one matmul plus the bias add).

    Shapes: input (…, in), weight (out, in), bias (out,) -> (…, out).

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> F.linear(mg.tensor([[1.0, 2.0]]), mg.tensor([[1.0, 1.0], [0.0, 1.0]]), mg.tensor([0.5, 0.0])).tolist()
    [[3.5, 2.0]]
    """
    _check_linear(input, weight, bias, "linear")
    return _linear(input, weight, bias)


def _linear(input, weight, bias):
    """x Wᵀ (+ b) recorded as PyTorch names it: AddmmBackward0 with a bias, MmBackward0 without."""
    return (_LinearNoBias if bias is None else _Linear).apply(input, weight, bias)


def _check_linear(input, weight, bias, who):
    """A clear error, naming ``who`` (a layer, or ``"linear"``), for an input ``weight`` cannot take.
    A layer's name is written out only for an error: formatting it on every call cost 1.2 µs a
    layer (bench_mlp's Linear)."""
    if input.array.dtype != weight.array.dtype:
        raise RuntimeError(f"{_named(who)}: input dtype {input.dtype} does not match weight dtype "
                           f"{weight.dtype}; convert one (e.g. x.float() or model.double())")
    if bias is not None and tuple(bias.shape) != tuple(weight.shape[:1]):
        raise RuntimeError(f"{_named(who)}: bias of shape {tuple(bias.shape)} does not match the weight's "
                           f"{weight.shape[0]} outputs (weight of shape {tuple(weight.shape)})")
    expected = weight.shape[-1]
    if input.ndim and input.shape[-1] == expected:
        return
    got = f"input of shape {tuple(input.shape)}"
    if input.ndim >= 3 and math.prod(input.shape[1:]) == expected:
        hint = (f"; it holds {expected} values per sample in {input.ndim - 1} dimensions: put nn.Flatten() "
                f"before the layer to make it ({input.shape[0]}, {expected})")
    elif input.ndim == 4:
        hint = ("; a 4-d (N, C, H, W) image batch needs nn.Flatten() before the layer, and in_features "
                "= C·H·W")
    else:
        hint = ""
    raise RuntimeError(f"{_named(who)}: expected input with {expected} features in its last dimension "
                       f"(in_features), got {got}{hint}")


def _named(who):
    """A layer as its repr's first line, e.g. ``Linear(in_features=4, out_features=2, bias=True)``."""
    return who if isinstance(who, str) else f"{type(who).__name__}({who.extra_repr()})"


def bilinear(input1, input2, weight, bias=None):
    """y_k = x₁ᵀ W_k x₂ + b_k  (weight: (out, in1, in2))."""
    from ..ops.linalg import einsum
    for i, (x, size) in enumerate(((input1, weight.shape[1]), (input2, weight.shape[2])), 1):
        if x.ndim == 0 or x.shape[-1] != size:
            raise RuntimeError(f"bilinear(): input{i} size does not match weight size: got "
                               f"{x.shape[-1] if x.ndim else 'a 0-d input'} but expected {size} "
                               f"(weight of shape {tuple(weight.shape)})")
    y = einsum("...i,kij,...j->...k", input1, weight, input2)
    return y if bias is None else y + bias


# --- activations ----------------------------------------------------------------------------------
def relu(input, inplace=False):
    """max(x, 0); ``inplace=True`` writes it into ``input`` (``relu_``)."""
    return input.relu_() if inplace else input.relu()


def relu6(input, inplace=False):
    """min(max(x, 0), 6), i.e. ``hardtanh(x, 0, 6)``: no gradient at 0 and 6."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp(x, min_val, max_val), but the gradient at the bounds is 0 (clamp passes it there).
    An integer input stays integer, the bounds cast to it (PyTorch's); a bool one has no kernel, and
    an unsigned one no negative bound (PyTorch refuses both)."""
    _dtypes.require("hardtanh", input.dtype, _dtypes.NOT_BOOL)
    if input.dtype is _dtypes.uint8 and min(min_val, max_val) < 0:
        raise RuntimeError(f"hardtanh: cannot do hardtanh on an unsigned type with negative limits (got "
                           f"min_val={min_val}, max_val={max_val} for a uint8 input)")
    return written_back(input, inplace, lambda x: Hardtanh.apply(x, min=_scalar_as(min_val, x.dtype),
                                                                 max=_scalar_as(max_val, x.dtype)))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope · x."""
    return written_back(input, inplace, lambda x: x.leaky_relu(negative_slope))


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else α(eˣ - 1)."""
    _dtypes.require("elu", input.dtype)
    return written_back(input, inplace, lambda x: Elu.apply(x, alpha=float(alpha)))


def gelu(input, approximate="none"):
    """x Φ(x) (exact, with erf) or its tanh approximation (``approximate="tanh"``)."""
    return input.gelu(approximate)


def silu(input, inplace=False):
    """x · sigmoid(x) (also called swish)."""
    _dtypes.require("silu", input.dtype)
    return written_back(input, inplace, Silu.apply)


def mish(input, inplace=False):
    """x · tanh(softplus(x))."""
    _dtypes.require("mish", input.dtype)
    return written_back(input, inplace, Mish.apply)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale · elu(x, α) with Klambauer et al.'s α ≈ 1.6733, scale ≈ 1.0507 (self-normalising)."""
    _dtypes.require("selu", input.dtype)
    return written_back(input, inplace, lambda x: Elu.apply(x, alpha=_SELU_ALPHA) * _SELU_SCALE)


def celu(input, alpha=1.0, inplace=False):
    """x if x > 0 else α(e^(x/α) - 1)."""
    _dtypes.require("celu", input.dtype)
    return written_back(input, inplace, lambda x: Elu.apply(x / alpha, alpha=1.0) * alpha)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU (Xu et al., 2015): x if x ≥ 0 else a·x.

    Training draws a ~ U(lower, upper) for each element; evaluation uses the mean slope
    a = (lower + upper) / 2. dy/dx = 1 where x > 0, a elsewhere (the drawn a in training).

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> F.rrelu(mg.tensor([-2.0, 3.0]), 0.1, 0.3).tolist()
    [-0.4000000059604645, 3.0]
    """
    _dtypes.require("rrelu", input.dtype)
    if not training:
        return written_back(input, inplace, lambda x: x.leaky_relu((lower + upper) / 2))
    slope = lower + (upper - lower) * rand_like(input)
    return written_back(input, inplace, lambda x: x * where(x >= 0, 1.0, slope))


def prelu(input, weight):
    """x if x > 0 else a · x, with a learnable ``weight`` a (one value, or one per channel of dim 1);
    at x = 0 the gradient is a, as PyTorch's. The input and the weight share one floating dtype
    (PyTorch does not promote them)."""
    _dtypes.require("prelu", input.dtype)
    _dtypes.require_same("prelu", input.dtype, weight.dtype)
    if weight.numel() > 1:
        channels = input.shape[1] if input.ndim >= 2 else 1  # PyTorch's: a vector is one channel
        if weight.numel() != channels:
            raise RuntimeError(f"prelu: mismatch of parameter numbers and input channel size: found "
                               f"{weight.numel()} weights and {channels} channels (dimension 1 of input "
                               f"{tuple(input.shape)})")
        if input.ndim >= 2:
            weight = weight.reshape((-1,) + (1,) * (input.ndim - 2))
    elif weight.ndim > input.ndim:  # a 0-d input keeps its shape (one weight of shape (1,) broadcast to (1,))
        weight = weight.reshape(())
    return PreluKernel.apply(input, weight)


def threshold(input, threshold, value, inplace=False):
    """x if x > threshold else value."""
    _dtypes.require("threshold", input.dtype, _dtypes.NOT_BOOL)
    return written_back(input, inplace, lambda x: where(x > threshold, x, value))


_threshold = threshold  # for threshold_, whose argument of the same name hides it


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between (no gradient at ±3, as PyTorch)."""
    _dtypes.require("hardsigmoid", input.dtype)
    return written_back(input, inplace, Hardsigmoid.apply)


def hardswish(input, inplace=False):
    """x · relu6(x + 3) / 6 (MobileNetV3)."""
    _dtypes.require("hardswish", input.dtype)
    return written_back(input, inplace, Hardswish.apply)


def softsign(input):
    """x / (1 + |x|)."""
    return input / (input.abs() + 1.0)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - input.tanh()


def hardshrink(input, lambd=0.5):
    """x where |x| > λ, else 0."""
    _dtypes.require("hardshrink", input.dtype)
    return where(input.abs() > lambd, input, 0.0)


def softshrink(input, lambd=0.5):
    """x - λ above λ, x + λ below -λ, else 0."""
    _dtypes.require("softshrink", input.dtype)
    return where(input > lambd, input - lambd, where(input < -lambd, input + lambd, 0.0))


def glu(input, dim=-1):
    """Gated linear unit: a ⊙ sigmoid(b) with (a, b) the two halves of ``input`` along ``dim``."""
    _dtypes.require("glu", input.dtype)
    if input.shape[dim] % 2:
        raise RuntimeError(f"glu: halving dimension {dim} of size {input.shape[dim]}, which is odd")
    return Glu.apply(input, dim=_dim(dim, input.ndim))


def sigmoid(input):
    """1 / (1 + e⁻ˣ), computed without overflow."""
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + e^(βx)) / β, and x where βx > threshold (as PyTorch)."""
    return input.softplus(beta, threshold)


def logsigmoid(input):
    """log sigmoid(x) = -softplus(-x), stable for large |x|."""
    _dtypes.require("logsigmoid", input.dtype)
    return -(-input).softplus()


def _softmax_dim(ndim):
    # PyTorch's legacy choice when dim is not given
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, dtype=None):
    """exp(xᵢ) / Σⱼ exp(xⱼ) along ``dim`` (shifted by the max: no overflow)."""
    return input.softmax(_softmax_dim(input.ndim) if dim is None else dim, dtype)


def log_softmax(input, dim=None, dtype=None):
    """xᵢ - logsumexp(x) along ``dim``, stable for logits of any magnitude."""
    return input.log_softmax(_softmax_dim(input.ndim) if dim is None else dim, dtype)


def softmin(input, dim=None, dtype=None):
    return softmax(-input, dim, dtype)


def normalize(input, p=2.0, dim=1, eps=1e-12):
    """x / max(‖x‖_p, eps) along ``dim`` (floating point only: PyTorch's vector_norm refuses integers)."""
    _dtypes.require("normalize", input.dtype)
    return input / input.norm(p, dim=dim, keepdim=True).clamp(min=eps)


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """softmax((logits + g)/τ) with g ~ Gumbel(0, 1) (Jang et al., 2017); ``hard=True`` returns the
    one-hot of its argmax in the forward pass with the soft sample's gradient (straight-through)."""
    gumbels = -rand_like(logits).clamp(min=finfo(logits.dtype).tiny).log().neg().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.argmax(dim, keepdim=True)
    y_hard = logits.new_zeros(logits.shape).scatter(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def pdist(input, p=2.0):
    """The p-norm distances between every pair of rows i < j of an (N, M) input, as N(N-1)/2 values
    in row-major order of the pairs."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    _dtypes.require("pdist", input.dtype, DISTANCE_DTYPES)
    from ..creation import triu_indices
    rows, cols = triu_indices(input.shape[0], input.shape[0], 1, device=input.device)
    return (input[rows] - input[cols]).norm(p, dim=-1)


def channel_shuffle(input, groups):
    """(N, g·k, *) -> channels regrouped k·g (ShuffleNet): channel i·k + j moves to j·g + i."""
    n, c = input.shape[0], input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} "
                           "groups.")
    rest = tuple(input.shape[2:])
    return input.reshape((n, groups, c // groups) + rest).transpose(1, 2).reshape((n, c) + rest)


# --- shapes ---------------------------------------------------------------------------------------
def one_hot(tensor, num_classes=-1):
    """int64 tensor of shape (*, num_classes) with a 1 at each index of ``tensor`` (int64 input).

    ``num_classes=-1`` infers ``max(tensor) + 1``.

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> F.one_hot(mg.tensor([0, 2]), 3).tolist()
    [[1, 0, 0], [0, 0, 1]]
    """
    if tensor.dtype.category != "int":
        raise RuntimeError("one_hot is only applicable to index tensor of integer dtype")
    if num_classes == -1:
        if not tensor.numel():
            raise RuntimeError("one_hot: can not infer the total number of classes from an empty tensor; "
                               "pass num_classes")
        num_classes = int(tensor.max().item()) + 1
    if tensor.numel() and (int(tensor.min().item()) < 0 or int(tensor.max().item()) >= num_classes):
        raise RuntimeError(f"one_hot: class values must be in [0, {num_classes})")
    dev = tensor.device
    classes = dev.backend.arange(num_classes, dev.index)
    hot = dev.xp.astype(tensor.array[..., None] == dev.xp.astype(classes, tensor.array.dtype),
                        dev.backend.native_dtype[_dtypes.int64])
    return Tensor._wrap(hot, dev)


__all__ = ["linear", "bilinear", "relu", "relu6", "hardtanh", "leaky_relu", "elu", "gelu", "silu", "mish",
           "selu", "celu", "prelu", "rrelu", "threshold", "hardsigmoid", "hardswish", "softsign",
           "tanhshrink", "hardshrink", "softshrink", "glu", "sigmoid", "tanh", "softplus", "logsigmoid",
           "softmax", "log_softmax", "softmin", "normalize", "one_hot", "pad", "batch_norm", "layer_norm",
           "group_norm", "instance_norm", "local_response_norm", "dropout", "dropout1d", "dropout2d",
           "dropout3d", "alpha_dropout", "feature_alpha_dropout", "embedding", "embedding_bag",
           "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "kl_div", "poisson_nll_loss",
           "gaussian_nll_loss", "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
           "cosine_similarity", "pairwise_distance", "cosine_embedding_loss", "triplet_margin_loss",
           "multilabel_soft_margin_loss", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d",
           "adaptive_avg_pool2d", "scaled_dot_product_attention"]


# --- convolution, pooling and resampling (v2) -------------------------------------------------------
from ..ops.conv import conv1d, conv_transpose1d, fold, unfold  # noqa: E402
from ..ops.pool import (  # noqa: E402
    adaptive_avg_pool1d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    max_pool1d,
)
from ..ops.resample import affine_grid, grid_sample, interpolate, pixel_shuffle, pixel_unshuffle  # noqa: E402


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """PyTorch's deprecated spelling of ``interpolate`` (same arguments, same result)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """PyTorch's deprecated ``interpolate(mode="nearest")``."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """PyTorch's deprecated ``interpolate(mode="bilinear", align_corners=True)``."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool1d(input, output_size, return_indices=True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool2d(input, output_size, return_indices=True)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool2d(..., return_indices=True)``: each value put back at its
    flat position ``indices`` in an (H_out·W_out) plane of zeros, H_out = (H - 1)·stride -
    2·padding + kernel_size unless ``output_size`` says otherwise."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpool2d")


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """``max_unpool2d``'s 1-D form, the partial inverse of ``max_pool1d(..., return_indices=True)``."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1, "max_unpool1d")


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, dims, name):
    _dtypes.require("max_unpool2d", input.dtype)  # PyTorch's kernel (max_unpool1d's too): floats only
    kernel = _ntuple(kernel_size, "kernel_size", dims)
    stride = kernel if stride is None else _ntuple(stride, "stride", dims)
    padding = _ntuple(padding, "padding", dims)
    spatial = tuple(input.shape[-dims:])
    size = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(spatial, stride, padding, kernel))
    if output_size is not None:
        size = tuple(output_size)[-dims:]
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"{name}: expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape {list(indices.shape)}")
    lead = tuple(input.shape[:-dims])
    plane = math.prod(size)
    if indices.numel() and (int(indices.min()) < 0 or int(indices.max()) >= plane):
        raise RuntimeError(f"{name}: found an invalid max index {int(indices.max())} (output volumes are of "
                           f"size {'x'.join(map(str, size))})")
    flat = input.new_zeros(lead + (plane,))
    flat = flat.scatter(-1, indices.reshape(lead + (-1,)), input.reshape(lead + (-1,)))
    return flat.reshape(lead + size)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(Σ x^p)^(1/p) over each window: avg_pool1d of x^p times the window size, to the 1/p."""
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kernel_size).pow(1.0 / norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(Σ x^p)^(1/p) over each kernel_size window (PyTorch's power-average pooling)."""
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kh * kw).pow(1.0 / norm_type)


# PyTorch's in-place spellings
def relu_(input):
    return relu(input, inplace=True)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def selu_(input):
    return selu(input, inplace=True)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def threshold_(input, threshold, value):
    return _threshold(input, threshold, value, inplace=True)


__all__ += ["max_pool1d_with_indices", "max_pool2d_with_indices", "adaptive_max_pool1d_with_indices",
            "adaptive_max_pool2d_with_indices", "max_unpool1d", "max_unpool2d", "conv1d",
            "conv_transpose1d", "unfold", "fold", "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d",
            "adaptive_max_pool1d", "adaptive_max_pool2d", "interpolate", "upsample", "pixel_shuffle",
            "pixel_unshuffle", "affine_grid", "grid_sample", "upsample_nearest", "upsample_bilinear",
            "lp_pool1d", "lp_pool2d", "hardtanh_", "elu_", "leaky_relu_", "threshold_", "relu_", "selu_",
            "celu_", "rrelu_", "gumbel_softmax", "pdist", "channel_shuffle", "rms_norm",
            "multi_margin_loss", "multilabel_margin_loss", "triplet_margin_with_distance_loss", "ctc_loss"]
