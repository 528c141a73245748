"""``nn.functional``: the computation of every layer, activation and loss, as plain functions.

Layer classes hold parameters and call these; users may call them directly (``F.relu(x)``,
``F.cross_entropy(logits, y)``). Losses live in ``nn/_loss.py`` and normalisation / dropout /
embedding in ``nn/_layers.py``; everything is re-exported here under PyTorch's names.
"""

import math

from .. import dtypes as _dtypes
from .._coerce import _scalar_as
from ..ops.attention import scaled_dot_product_attention
from ..ops.conv import conv2d, conv_transpose2d
from ..ops.elementwise import Elu, Hardtanh, Silu, where
from ..ops.movement import pad
from ..ops.nn import Linear as _Linear
from ..ops.pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d
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
)
from ._loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cosine_embedding_loss,
    cosine_similarity,
    cross_entropy,
    gaussian_nll_loss,
    hinge_embedding_loss,
    huber_loss,
    kl_div,
    l1_loss,
    margin_ranking_loss,
    mse_loss,
    nll_loss,
    pairwise_distance,
    poisson_nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
    triplet_margin_loss,
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
    return _Linear.apply(input, weight, bias)


def _check_linear(input, weight, bias, who):
    """A clear error, naming ``who`` (the layer or ``linear``), for an input ``weight`` cannot take."""
    if input.array.dtype != weight.array.dtype:
        raise RuntimeError(f"{who}: input dtype {input.dtype} does not match weight dtype {weight.dtype}; "
                           "convert one (e.g. x.float() or model.double())")
    if bias is not None and tuple(bias.shape) != tuple(weight.shape[:1]):
        raise RuntimeError(f"{who}: bias of shape {tuple(bias.shape)} does not match the weight's "
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
    raise RuntimeError(f"{who}: expected input with {expected} features in its last dimension "
                       f"(in_features), got {got}{hint}")


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
    """max(x, 0). ``inplace`` is accepted for PyTorch compatibility; the result is a new tensor."""
    return input.relu()


def relu6(input, inplace=False):
    """min(max(x, 0), 6), i.e. ``hardtanh(x, 0, 6)``: no gradient at 0 and 6."""
    return hardtanh(input, 0.0, 6.0)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp(x, min_val, max_val), but the gradient at the bounds is 0 (clamp passes it there).
    An integer input stays integer, the bounds cast to it (PyTorch's)."""
    return Hardtanh.apply(input, min=_scalar_as(min_val, input.dtype), max=_scalar_as(max_val, input.dtype))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope · x."""
    return input.leaky_relu(negative_slope)


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else α(eˣ - 1)."""
    return Elu.apply(input, alpha=float(alpha))


def gelu(input, approximate="none"):
    """x Φ(x) (exact, with erf) or its tanh approximation (``approximate="tanh"``)."""
    return input.gelu(approximate)


def silu(input, inplace=False):
    """x · sigmoid(x) (also called swish)."""
    return Silu.apply(input)


def mish(input, inplace=False):
    """x · tanh(softplus(x))."""
    return input * input.softplus().tanh()


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale · elu(x, α) with Klambauer et al.'s α ≈ 1.6733, scale ≈ 1.0507 (self-normalising)."""
    return Elu.apply(input, alpha=_SELU_ALPHA) * _SELU_SCALE


def celu(input, alpha=1.0, inplace=False):
    """x if x > 0 else α(e^(x/α) - 1)."""
    return Elu.apply(input / alpha, alpha=1.0) * alpha


def prelu(input, weight):
    """x if x > 0 else a · x, with a learnable ``weight`` a (one value, or one per channel of dim 1);
    at x = 0 the gradient is a, as PyTorch's."""
    if weight.numel() > 1:
        channels = input.shape[1] if input.ndim >= 2 else input.shape[0] if input.ndim else 1
        if weight.numel() != channels:
            raise RuntimeError(f"prelu: mismatch of parameter numbers and input channel size: found "
                               f"{weight.numel()} weights and {channels} channels (dimension 1 of input "
                               f"{tuple(input.shape)})")
        if input.ndim >= 2:
            weight = weight.reshape((-1,) + (1,) * (input.ndim - 2))
    return where(input > 0, input, input * weight)


def threshold(input, threshold, value, inplace=False):
    """x if x > threshold else value."""
    return where(input > threshold, input, value)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between (no gradient at ±3, as PyTorch)."""
    return relu6(input + 3.0) / 6.0


def hardswish(input, inplace=False):
    """x · relu6(x + 3) / 6 (MobileNetV3)."""
    return input * hardsigmoid(input)


def softsign(input):
    """x / (1 + |x|)."""
    return input / (input.abs() + 1.0)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - input.tanh()


def hardshrink(input, lambd=0.5):
    """x where |x| > λ, else 0."""
    return where(input.abs() > lambd, input, 0.0)


def softshrink(input, lambd=0.5):
    """x - λ above λ, x + λ below -λ, else 0."""
    return where(input > lambd, input - lambd, where(input < -lambd, input + lambd, 0.0))


def glu(input, dim=-1):
    """Gated linear unit: a ⊙ sigmoid(b) with (a, b) the two halves of ``input`` along ``dim``."""
    if input.shape[dim] % 2:
        raise RuntimeError(f"glu: halving dimension {dim} of size {input.shape[dim]}, which is odd")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


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
    """x / max(‖x‖_p, eps) along ``dim``."""
    return input / input.norm(p, dim=dim, keepdim=True).clamp(min=eps)


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
           "selu", "celu", "prelu", "threshold", "hardsigmoid", "hardswish", "softsign", "tanhshrink",
           "hardshrink", "softshrink", "glu", "sigmoid", "tanh", "softplus", "logsigmoid", "softmax",
           "log_softmax", "softmin", "normalize", "one_hot", "pad", "batch_norm", "layer_norm", "group_norm",
           "instance_norm", "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout", "embedding", "embedding_bag", "cross_entropy", "nll_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "mse_loss", "l1_loss", "huber_loss",
           "smooth_l1_loss", "kl_div", "poisson_nll_loss", "gaussian_nll_loss", "margin_ranking_loss",
           "hinge_embedding_loss", "soft_margin_loss", "cosine_similarity", "pairwise_distance",
           "cosine_embedding_loss", "triplet_margin_loss", "conv2d", "conv_transpose2d", "max_pool2d",
           "avg_pool2d", "adaptive_avg_pool2d", "scaled_dot_product_attention"]


# --- convolution, pooling and resampling (v2) -------------------------------------------------------
from ..ops.conv import conv1d, fold, unfold  # noqa: E402
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


__all__ += ["conv1d", "unfold", "fold", "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d",
            "adaptive_max_pool1d", "adaptive_max_pool2d", "interpolate", "upsample", "pixel_shuffle",
            "pixel_unshuffle", "affine_grid", "grid_sample"]
