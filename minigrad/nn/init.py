"""Weight initialisation (``nn.init``), in place and reproducible under ``mg.manual_seed``.

Fans: for a weight of shape (out, in, *kernel), ``fan_in = in · ∏kernel`` and
``fan_out = out · ∏kernel``. The schemes keep the variance of activations (fan_in) or of
gradients (fan_out) constant from layer to layer:

* Xavier/Glorot: ``std = gain · √(2 / (fan_in + fan_out))``; uniform bound ``√3 · std``.
* Kaiming/He: ``std = gain / √fan``, ``gain = calculate_gain(nonlinearity, a)``; uniform bound ``√3 · std``.

Every function fills its tensor in place (without recording a graph) and returns it; the random
ones take ``generator=`` (default: the global generator that ``mg.manual_seed`` seeds). Common
arguments: ``gain`` scales the standard deviation; ``mode`` ("fan_in" keeps the forward
activations' variance, "fan_out" the backward gradients'); ``nonlinearity`` names the activation
that follows, for ``calculate_gain``.

Note:
    The classic "uniform U(-1/√fan_in, 1/√fan_in)" is ``kaiming_uniform_(w, a=√5)``, the default
    of ``nn.Linear`` and ``nn.Conv2d``; Glorot/Xavier suits tanh and sigmoid, He/Kaiming ReLU.
"""

import math
import numbers

import numpy as np

from .. import random as _random
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "ones_", "zeros_", "eye_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
           "trunc_normal_", "dirac_", "sparse_"]


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity, as PyTorch's table.

    linear/conv/sigmoid: 1;  tanh: 5/3;  relu: √2;  leaky_relu: √(2 / (1 + slope²)) (slope 0.01
    by default);  selu: 3/4.

    >>> from minigrad.nn.init import calculate_gain
    >>> round(calculate_gain("relu"), 6), round(calculate_gain("tanh"), 6)
    (1.414214, 1.666667)
    """
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d")
    if nonlinearity in linear or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, numbers.Number) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with samples of U(a, b).

    >>> import minigrad as mg
    >>> w = mg.nn.init.uniform_(mg.empty(1000), -2.0, 2.0)
    >>> bool(w.min() >= -2) and bool(w.max() < 2)
    True
    """
    with no_grad():
        return _random._fill_random(tensor, "uniform", generator, low=float(a), high=float(b))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with samples of N(mean, std²)."""
    with no_grad():
        return _random._fill_random(tensor, "normal", generator, mean=float(mean), std=float(std))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with N(mean, std²) samples redrawn until they fall in [a, b] (rejection sampling)."""
    gen = generator or _random.default_generator
    rng = gen.numpy_rng()
    n = tensor.numel()
    out = np.empty(0)
    while out.size < n:
        draw = rng.standard_normal(max(2 * (n - out.size), 16)) * std + mean
        out = np.concatenate([out, draw[(draw >= a) & (draw <= b)]])
    return _copy_host(tensor, out[:n].reshape(tensor.shape))


def constant_(tensor, val):
    """Fill with ``val``."""
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    return constant_(tensor, 1.0)


def zeros_(tensor):
    return constant_(tensor, 0.0)


def eye_(tensor):
    """Fill a 2-D tensor with the identity (ones on the diagonal)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _copy_host(tensor, np.eye(*tensor.shape))


def dirac_(tensor, groups=1):
    """Fill a 3-, 4- or 5-D convolution weight with the Dirac delta: each of the first
    min(out/groups, in) output channels of every group copies its input channel (the centre tap is
    1, the rest 0), so the convolution starts as the identity on those channels."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    out_per_group = tensor.shape[0] // groups
    if tensor.shape[0] % groups:
        raise ValueError("dim 0 must be divisible by groups")
    host = np.zeros(tensor.shape)
    centre = tuple(k // 2 for k in tensor.shape[2:])
    for g in range(groups):
        for d in range(min(out_per_group, tensor.shape[1])):
            host[(g * out_per_group + d, d) + centre] = 1
    return _copy_host(tensor, host)


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fill a 2-D tensor from N(0, std²), then zero ⌈sparsity · rows⌉ randomly chosen rows of each
    column (Martens, 2010)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    zeros = int(math.ceil(sparsity * rows))
    normal_(tensor, 0.0, std, generator)
    keys = _random.rand(rows, cols, generator=generator)  # a random order of the rows per column
    drop = keys.argsort(0)[:zeros]
    with no_grad():
        return tensor.scatter_(0, drop.to(tensor.device), 0.0) if zeros else tensor


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot & Bengio (2010): U(-a, a) with ``a = gain · √(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot & Bengio (2010): N(0, std²) with ``std = gain · √(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He et al. (2015): U(-b, b) with ``b = gain · √(3 / fan)``, ``gain = calculate_gain(nonlinearity, a)``.

    ``a`` is the negative slope of a leaky ReLU (used only with ``nonlinearity="leaky_relu"``).

    ``nn.Linear`` and ``nn.Conv2d`` use ``a=√5``, which gives ``b = 1/√fan_in``.
    """
    if 0 in tensor.shape:
        return tensor
    gain = calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * gain / math.sqrt(_fan(tensor, mode))
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He et al. (2015): N(0, std²) with ``std = gain / √fan``."""
    if 0 in tensor.shape:
        return tensor
    gain = calculate_gain(nonlinearity, a)
    return normal_(tensor, 0.0, gain / math.sqrt(_fan(tensor, mode)), generator)


def orthogonal_(tensor, gain=1.0, generator=None):
    """Saxe et al. (2013): a (semi-)orthogonal matrix (rows × ∏ other dims) scaled by ``gain``.

    Draws a Gaussian matrix from ``generator``'s host stream, takes its QR decomposition on the
    host (signs fixed by diag(R) so the result is uniformly distributed), and moves the result to
    the tensor's device explicitly through the backend.

    >>> import minigrad as mg
    >>> w = mg.nn.init.orthogonal_(mg.empty(3, 5))
    >>> bool(((w @ w.T) - mg.eye(3)).abs().max() < 1e-5)
    True
    """
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    rng = (generator or _random.default_generator).numpy_rng()
    flat = rng.standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _copy_host(tensor, gain * q.reshape(tensor.shape))


def _default_affine_(weight, bias):
    """PyTorch's default for Linear and ConvNd: W ~ kaiming_uniform(a=√5), i.e. U(±1/√fan_in),
    and b ~ U(±1/√fan_in)."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)


def _copy_host(tensor, host):
    """Write a host NumPy array into ``tensor`` through the backend's explicit ``from_numpy``."""
    dev = tensor.device
    # astype(order="C"), not np.ascontiguousarray: that makes a 0-d array 1-d
    array = dev.backend.from_numpy(host.astype(tensor.dtype.name, order="C"), dev.index)
    with no_grad():
        return tensor.copy_(Tensor._wrap(array, dev))
