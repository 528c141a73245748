"""The functional forms of the normalisation, dropout and embedding layers."""

from .. import random as _random
from ..autograd.grad_mode import no_grad
from ..ops.nn import BatchNorm, GroupNorm, LayerNorm
from ..ops.nn import Embedding as _Embedding
from ..tensor import Tensor


# --- normalisation ---------------------------------------------------------------------------------
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """Batch normalisation over (N, C, *): statistics per channel C over N and the trailing dims.

    training:  y = (x - μ_B) / √(σ²_B + ε) · γ + β with the batch's mean and biased variance,
               and, when buffers are given, ``running ← (1 - momentum) · running + momentum · batch``
               (the running variance takes the unbiased batch variance, σ²_B · m / (m - 1)).
    otherwise: the same with the running statistics.

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> x = mg.tensor([[1.0], [3.0]])
    >>> rm, rv = mg.zeros(1), mg.ones(1)
    >>> [round(v, 4) for v in F.batch_norm(x, rm, rv, training=True).flatten().tolist()]
    [-1.0, 1.0]
    >>> rm.tolist(), rv.tolist()  # 0.9·0 + 0.1·2, 0.9·1 + 0.1·2
    ([0.20000000298023224], [1.100000023841858])
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of at least 2 dimensions (N, C, ...), "
                         f"got shape {tuple(input.shape)}")
    n_channels = input.shape[1]
    axes = (0,) + tuple(range(2, input.ndim))
    shape = (1, n_channels) + (1,) * (input.ndim - 2)
    if training:
        count = input.numel() // n_channels if n_channels else 0
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{tuple(input.shape)}")
        y, mean, var = BatchNorm.apply(input, weight, bias, axes=axes, param_axes=axes, param_shape=shape,
                                       eps=eps)
        if running_mean is not None or running_var is not None:
            with no_grad():
                if running_mean is not None:
                    running_mean.mul_(1 - momentum).add_(mean.type(running_mean.dtype) * momentum)
                if running_var is not None:
                    unbiased = var.type(running_var.dtype) * (count / (count - 1))
                    running_var.mul_(1 - momentum).add_(unbiased * momentum)
        return y
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are needed when training=False")
    scale = (running_var + eps).rsqrt()
    if weight is not None:
        scale = scale * weight
    shift = -running_mean * scale
    if bias is not None:
        shift = shift + bias
    return input * scale.reshape(shape) + shift.reshape(shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalisation over the trailing ``normalized_shape`` dimensions of each sample.

    y = (x - μ) / √(σ² + ε) · γ + β, with μ, σ² (biased) over those dimensions; γ, β of shape
    ``normalized_shape``.

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> [round(v, 4) for v in F.layer_norm(mg.tensor([[1.0, 3.0]]), (2,)).flatten().tolist()]
    [-1.0, 1.0]
    """
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(normalized_shape)
    if tuple(input.shape[input.ndim - k:]) != normalized_shape or k == 0:
        dims = ", ".join(map(str, normalized_shape))
        raise RuntimeError(f"layer_norm: expected input with shape [*, {dims}]"
                           f", but got input of size {list(input.shape)}")
    axes = tuple(range(input.ndim - k, input.ndim))
    y, _, _ = LayerNorm.apply(input, weight, bias, axes=axes, param_axes=tuple(range(input.ndim - k)),
                              param_shape=normalized_shape, eps=eps)
    return y


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalisation: channels split into ``num_groups`` groups, statistics per sample and group."""
    n, c = input.shape[0], input.shape[1]
    if c % num_groups:
        raise ValueError(f"group_norm: {c} channels are not divisible into {num_groups} groups")
    grouped = input.reshape(n, num_groups, -1)
    y, _, _ = GroupNorm.apply(grouped, None, None, axes=(2,), param_axes=(0, 2), param_shape=(1, 1, 1),
                              eps=eps)
    y = y.reshape(input.shape)
    shape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Instance normalisation of (N, C, *): statistics per sample and channel over the trailing dims.

    With ``use_input_stats`` and running buffers, the buffers move towards the batch average of
    the per-instance mean and unbiased variance (as PyTorch); otherwise the running statistics
    normalise (evaluation with ``track_running_stats``).
    """
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    if running_mean is not None or running_var is not None:
        spatial = tuple(range(2, input.ndim))
        with no_grad():
            x = input.detach()
            if running_mean is not None:
                mean = x.mean(dim=spatial).mean(0).type(running_mean.dtype)
                running_mean.mul_(1 - momentum).add_(mean * momentum)
            if running_var is not None:
                var = x.var(dim=spatial, correction=1).mean(0).type(running_var.dtype)
                running_var.mul_(1 - momentum).add_(var * momentum)
    return group_norm(input, input.shape[1], weight, bias, eps)


# --- dropout ----------------------------------------------------------------------------------------
def _check_p(p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _masked(input, keep_shape, p):
    if p == 1.0:
        return input * 0.0
    keep = _random.bernoulli_mask(keep_shape, 1.0 - p, input)
    dev = input.device
    scale = dev.xp.astype(keep.array, input.array.dtype) * (1.0 / (1.0 - p))
    return input * Tensor._wrap(scale, dev)


def dropout(input, p=0.5, training=True, inplace=False):
    """Inverted dropout: each element is zeroed with probability p, the rest scaled by 1/(1 - p).

    The expectation is unchanged, so evaluation (``training=False``) is the identity.

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> F.dropout(mg.ones(3), 0.5, training=False).tolist()
    [1.0, 1.0, 1.0]
    """
    _check_p(p)
    if not training or p == 0.0:
        return input
    return _masked(input, input.shape, p)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) (or (C, L)) with probability p, scaling the rest by 1/(1 - p)."""
    return _channel_dropout(input, p, training, 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) (or (C, H, W)) with probability p, the rest scaled by 1/(1-p)."""
    return _channel_dropout(input, p, training, 4)


def _channel_dropout(input, p, training, batched_ndim):
    _check_p(p)
    if not training or p == 0.0:
        return input
    lead = 2 if input.ndim == batched_ndim else 1
    return _masked(input, tuple(input.shape[:lead]) + (1,) * (input.ndim - lead), p)


# --- embedding --------------------------------------------------------------------------------------
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer tensor ``input``: shape (*input, dim).

    The row at ``padding_idx`` receives no gradient. With ``max_norm``, the picked rows whose
    ``norm_type``-norm exceeds it are rescaled in place to that norm first (as PyTorch).

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> F.embedding(mg.tensor([[2, 0]]), mg.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])).tolist()
    [[[4.0, 5.0], [0.0, 1.0]]]
    """
    if input.dtype.category != "int":
        raise RuntimeError(f"embedding: expected indices of integer dtype, got {input.dtype}")
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse gradients are not supported")
    n = weight.shape[0]
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise ValueError(f"padding_idx must be within num_embeddings ({n}), got {padding_idx}")
        padding_idx = padding_idx % n
    if input.numel():
        xp = input.device.xp
        if bool(xp.any((input.array < 0) | (input.array >= n))):
            raise IndexError(f"embedding: index out of range (expected indices in [0, {n}))")
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    return _Embedding.apply(weight, input, padding_idx=padding_idx)


def _renorm_rows(weight, input, max_norm, norm_type):
    with no_grad():
        dev = weight.device
        xp = dev.xp
        rows = dev.backend.full((weight.shape[0],), 0, input.array.dtype, dev.index)
        flat = xp.reshape(input.array, (-1,))
        hit = dev.backend.index_add(rows, (flat,), xp.ones_like(flat)) > 0
        norms = weight.norm(norm_type, dim=1).array
        scale = xp.where(hit & (norms > max_norm), max_norm / (norms + 1e-7), xp.ones_like(norms))
        weight.mul_(Tensor._wrap(xp.reshape(scale, (-1, 1)), dev))


__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "dropout", "dropout1d", "dropout2d",
           "embedding"]
