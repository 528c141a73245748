"""The functional forms of the normalisation, dropout and embedding layers."""

import math
import warnings

from .. import dtypes as _dtypes
from .. import random as _random
from ..autograd.grad_mode import no_grad
from ..autograd.views import written_back
from ..dtypes import finfo
from ..ops.movement import pad
from ..ops.nn import BatchNorm, GroupNorm, LayerNorm
from ..ops.nn import Embedding as _Embedding
from ..ops.pool import AVERAGED
from ..tensor import Tensor


# --- normalisation ---------------------------------------------------------------------------------
def _check_parameters(op, input, *parameters):
    """PyTorch's dtype rule for a normalisation's input and parameters (weight, bias, running
    statistics; None for those not given): a floating input, and parameters of its dtype, or all
    float32 for a float16 input (the CPU kernel's mixed precision). It does not promote them."""
    _dtypes.require(op, input.dtype)
    dtype = input.dtype
    given = [p.dtype for p in parameters if p is not None]
    if all(d is dtype for d in given):
        return
    if dtype is _dtypes.float16 and all(d is _dtypes.float32 for d in given):
        return
    raise RuntimeError(f"{op}: mixed dtype: parameters of dtype {', '.join(sorted({str(d) for d in given}))} "
                       f"for an input of dtype {dtype}; they must have the input's dtype (or all be float32 "
                       f"for a float16 input): convert the input or the module (.to(dtype))")


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
    _check_parameters("batch_norm", input, weight, bias, running_mean, running_var)
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps):
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of at least 2 dimensions (N, C, ...), "
                         f"got shape {tuple(input.shape)}")
    n_channels = input.shape[1]
    axes = (0,) + tuple(range(2, input.ndim))
    shape = (1, n_channels) + (1,) * (input.ndim - 2)
    if training:
        count = input.numel() // n_channels if n_channels else 0
        if count == 0:  # an empty batch: nothing to normalise, no statistics to update (PyTorch)
            return input.clone()
        if count == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{tuple(input.shape)}")
        y, mean, var, _, _ = BatchNorm.apply(input, weight, bias, axes=axes, param_axes=axes,
                                             param_shape=shape, eps=eps)
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
    y = input * scale.reshape(shape) + shift.reshape(shape)
    # the input's dtype, as PyTorch's: float16 with float32 statistics (computed in float32), or
    # instance_norm's input with running statistics of any floating dtype
    return y if y.dtype is input.dtype else y.type(input.dtype)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalisation over the trailing ``normalized_shape`` dimensions of each sample.

    y = (x - μ) / √(σ² + ε) · γ + β, with μ, σ² (biased) over those dimensions; γ, β of shape
    ``normalized_shape``.

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> [round(v, 4) for v in F.layer_norm(mg.tensor([[1.0, 3.0]]), (2,)).flatten().tolist()]
    [-1.0, 1.0]
    """
    normalized_shape, axes = _trailing_axes(input, normalized_shape, "layer_norm")
    _check_parameters("layer_norm", input, weight, bias)
    y = LayerNorm.apply(input, weight, bias, axes=axes, param_axes=tuple(range(input.ndim - len(axes))),
                        param_shape=normalized_shape, eps=eps)[0]
    return y


def _trailing_axes(input, normalized_shape, name):
    """``normalized_shape`` as a tuple, and the trailing axes of ``input`` it must match."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(normalized_shape)
    if tuple(input.shape[input.ndim - k:]) != normalized_shape or k == 0:
        dims = ", ".join(map(str, normalized_shape))
        raise RuntimeError(f"{name}: given normalized_shape={list(normalized_shape)}, expected input "
                           f"with shape [*, {dims}], but got input of size {list(input.shape)}")
    return normalized_shape, tuple(range(input.ndim - k, input.ndim))


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalisation over the trailing ``normalized_shape`` dimensions (Zhang &
    Sennrich, 2019): y = x / √(mean(x²) + ε) · γ, ε the dtype's machine epsilon by default; y has
    the input's dtype whatever γ's (PyTorch's).

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> [round(v, 4) for v in F.rms_norm(mg.tensor([[3.0, 4.0]]), (2,)).flatten().tolist()]
    [0.8485, 1.1314]
    """
    _, axes = _trailing_axes(input, normalized_shape, "rms_norm")
    _dtypes.require("rms_norm", input.dtype)
    eps = finfo(input.dtype).eps if eps is None else eps
    y = input * ((input * input).mean(axes, keepdim=True) + eps).rsqrt()
    if weight is not None:
        y = y * weight
    return y if y.dtype is input.dtype else y.type(input.dtype)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalisation: channels split into ``num_groups`` groups, statistics per sample and group."""
    return _group_norm("group_norm", input, num_groups, weight, bias, eps)


def _group_norm(op, input, num_groups, weight, bias, eps):
    _check_parameters(op, input, weight, bias)
    c = input.shape[1]
    if c % num_groups:
        raise ValueError(f"group_norm: {c} channels are not divisible into {num_groups} groups")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != (c,):
            raise RuntimeError(f"group_norm: expected {name} to be a vector of size equal to the number of "
                               f"channels in input ({c}), but got {name} of shape {tuple(p.shape)} and input "
                               f"of shape {tuple(input.shape)}")
    return GroupNorm.apply(input, weight, bias, groups=num_groups, eps=eps)[0]


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Instance normalisation of (N, C, *): statistics per sample and channel over the trailing dims.

    With ``use_input_stats`` and running buffers, the buffers move towards the batch average of
    the per-instance mean and unbiased variance (as PyTorch); otherwise the running statistics
    normalise (evaluation with ``track_running_stats``). Weight and bias follow ``batch_norm``'s
    dtype rule; the running statistics may have any floating dtype (PyTorch's).
    """
    if not use_input_stats:
        _check_parameters("instance_norm", input, weight, bias)
        return _batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
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
    return _group_norm("instance_norm", input, input.shape[1], weight, bias, eps)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Local response normalisation across channels (Krizhevsky et al., AlexNet).

    bᶜ = aᶜ / (k + α/n · Σ_{c'} (aᶜ')²)^β over the ``size`` = n channels c' from c - n//2 to
    c + (n-1)//2 (zeros beyond the edges), on (N, C, *) input of 3 or more dimensions.

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> F.local_response_norm(mg.ones(1, 2, 1), 2, alpha=1.0, beta=1.0, k=1.0).flatten().tolist()
    [0.6666666865348816, 0.5]
    """
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} dimensions)")
    if not input.numel():
        return input
    _dtypes.require("local_response_norm", input.dtype, AVERAGED)
    channels = input.shape[1]
    squares = pad(input * input, (0, 0) * (input.ndim - 2) + (size // 2, (size - 1) // 2))
    window = sum(squares.narrow(1, i, channels) for i in range(size))
    if not input.dtype.is_floating_point:  # PyTorch's mean of the squares is avg_pool's: int64 truncates
        return input / ((window // size) * alpha + k) ** beta
    return input / (window * (alpha / size) + k) ** beta


# --- dropout ----------------------------------------------------------------------------------------
def _check_p(p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _masked(input, keep_shape, p):
    return input * _random.dropout_multiplier(keep_shape, p, input)


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
    return written_back(input, inplace, lambda x: _masked(x, x.shape, p))


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or unbatched (C, L) with probability p, the rest scaled by 1/(1 - p).

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> y = F.dropout1d(mg.ones(2, 3, 4), 0.5)
    >>> all(len(set(row)) == 1 for row in y.reshape(6, 4).tolist())  # each channel kept or zeroed whole
    True
    """
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. "
                           f"{_channel_note(1)}")
    return _feature_dropout(input, p, training, inplace, batched=input.ndim == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) with probability p, the rest scaled by 1/(1 - p).

    As PyTorch: any input of two or more dimensions is read as (N, C, *) and each (sample, channel)
    entry is kept or zeroed whole; inputs other than 4-D warn (a 3-D one is taken as (N, C, L),
    not as unbatched (C, H, W); a 2-D (N, C) one drops single elements, never whole samples).
    """
    if input.ndim not in (3, 4):
        _warn_rank("dropout2d", input.ndim, 2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
                      "dim. This behavior will change in a future release to interpret the input as one "
                      "without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
                      "dropout behavior, please switch to using dropout1d instead.", stacklevel=2)
    return _feature_dropout(input, p, training, inplace, batched=True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or unbatched (C, D, H, W) with probability p, the rest
    scaled by 1/(1 - p); other ranks warn and are read as unbatched (C, *), as PyTorch."""
    if input.ndim not in (4, 5):
        _warn_rank("dropout3d", input.ndim, 3)
    return _feature_dropout(input, p, training, inplace, batched=input.ndim == 5)


def _channel_note(spatial):
    return (f"Note that dropout{spatial}d exists to provide channel-wise dropout on inputs with {spatial} "
            f"spatial dimension{'s' if spatial > 1 else ''}, a channel dimension, and an optional batch "
            f"dimension (i.e. {spatial + 1}D or {spatial + 2}D inputs).")


def _warn_rank(name, ndim, spatial):
    """PyTorch's warning for a rank it still accepts but has deprecated (the words are its own)."""
    warnings.warn(f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will result in an "
                  "error in a future release. To retain the behavior and silence this warning, please use "
                  f"dropout instead. {_channel_note(spatial)}", stacklevel=3)


def _feature_dropout(input, p, training, inplace, batched):
    """Dropout with one draw per (N, C) entry of a batched input, per C entry of an unbatched one."""
    _check_p(p)
    if input.ndim < (2 if batched else 1):
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if not training or p == 0.0:
        return input
    lead = 2 if batched else 1
    keep_shape = tuple(input.shape[:lead]) + (1,) * (input.ndim - lead)
    return written_back(input, inplace, lambda x: _masked(x, keep_shape, p))


_SELU_ALPHA_SCALED = 1.7580993408473766  # SELU's scale · α: the value SELU tends to for x -> -∞, negated


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's zero mean and unit variance (Klambauer et al.).

    Dropped values become α' = -1.7581 (SELU's limit for x -> -∞), then everything is mapped by
    a x + b with a = ((1 - p)(1 + p α'²))^(-1/2) and b = -a α' p, so that a unit-variance,
    zero-mean input keeps both. ``training`` defaults to False, as PyTorch's.
    """
    return _alpha_dropout(input, p, training, input.shape)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """``alpha_dropout`` with one draw per (N, C) channel of an (N, C, *) input."""
    return _alpha_dropout(input, p, training, tuple(input.shape[:2]) + (1,) * (input.ndim - 2))


def _alpha_dropout(input, p, training, keep_shape):
    _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = _random.bernoulli_mask(keep_shape, 1.0 - p, input).type(input.dtype)  # 1 kept, 0 dropped
    a = 1.0 / math.sqrt((_SELU_ALPHA_SCALED ** 2 * p + 1) * (1 - p))
    return input * (keep * a) + (keep - 1.0) * (_SELU_ALPHA_SCALED * a) + _SELU_ALPHA_SCALED * a * p


# --- embedding --------------------------------------------------------------------------------------
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer tensor ``input``: shape (*input, dim).

    The row at ``padding_idx`` receives no gradient. With ``max_norm``, the picked rows whose
    ``norm_type``-norm exceeds it are rescaled in place to that norm first (as PyTorch). With
    ``scale_grad_by_freq`` each row's gradient is divided by how often ``input`` picks it.

    Note:
        ``sparse=True`` is accepted and the gradient is dense: its values, and so plain SGD
        steps, are PyTorch's; minigrad has no sparse tensors (nor ``optim.SparseAdam``).

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> F.embedding(mg.tensor([[2, 0]]), mg.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])).tolist()
    [[[4.0, 5.0], [0.0, 1.0]]]
    """
    if input.dtype.category != "int":
        raise RuntimeError(f"embedding: expected indices of integer dtype, got {input.dtype}")
    n = weight.shape[0]
    padding_idx = _row_index(padding_idx, n)
    if input.numel():
        xp = input.device.xp
        if bool(xp.any((input.array < 0) | (input.array >= n))):
            raise IndexError(f"embedding: index out of range (expected indices in [0, {n}))")
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    rows = _Embedding.apply(weight, input, padding_idx=padding_idx)
    if scale_grad_by_freq and rows.requires_grad:
        from ..ops.sorting import bincount
        counts = bincount(input.reshape(-1), minlength=n)[input].unsqueeze(-1).type(rows.dtype)
        rows.register_hook(lambda grad: grad / counts)
    return rows


def _row_index(padding_idx, n):
    """``padding_idx`` as a row of a table of ``n`` rows (a negative one counts from the end)."""
    if padding_idx is None:
        return None
    if not -n <= padding_idx < n:
        raise ValueError(f"padding_idx must be within num_embeddings ({n}), got {padding_idx}")
    return padding_idx % n


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """The sum, mean or max of each bag of rows of ``weight``: shape (bags, dim), with no
    (indices, dim) intermediate kept beyond the picked rows.

    A 2-D ``input`` (bags, n) holds one bag per row. A 1-D ``input`` is cut into bags at
    ``offsets`` (bag b is ``input[offsets[b]:offsets[b + 1]]``; with ``include_last_offset`` the
    last offset ends the last bag). ``per_sample_weights`` (mode "sum" only) scale each row;
    indices equal to ``padding_idx`` are left out of their bag; an empty bag gives zeros.

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> table = mg.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    >>> F.embedding_bag(mg.tensor([0, 1, 2]), table, mg.tensor([0, 2])).tolist()
    [[0.5, 1.0], [3.0, 3.0]]
    """
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"embedding_bag: mode has to be one of sum, mean or max, got {mode!r}")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None; per_sample_weights is "
                                  f"only supported for mode='sum' (got mode='{mode}')")
    if per_sample_weights is not None and tuple(per_sample_weights.shape) != tuple(input.shape):
        raise ValueError(f"embedding_bag: per_sample_weights of shape {tuple(per_sample_weights.shape)} must "
                         f"have the shape of input {tuple(input.shape)}")
    xp = input.device.xp
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("embedding_bag: offsets has to be None if input is 2-D (one bag per row)")
        bags, length = input.shape
        bag_of = xp.reshape(xp.broadcast_to(xp.reshape(xp.arange(bags, dtype=input.array.dtype,
                                                                  device=input.array.device), (-1, 1)),
                                            (bags, length)), (-1,))
        flat = input.reshape(-1)
        weights = None if per_sample_weights is None else per_sample_weights.reshape(-1)
    elif input.ndim == 1:
        if offsets is None or offsets.ndim != 1:
            raise ValueError("embedding_bag: a 1-D input needs 1-D offsets (where each bag starts)")
        if offsets.dtype.category != "int":
            raise RuntimeError(f"embedding_bag: expected offsets of integer dtype, got {offsets.dtype}")
        starts = offsets.array[:-1] if include_last_offset else offsets.array
        if starts.shape[0] and int(starts[0]) != 0:
            raise RuntimeError("embedding_bag: offsets[0] has to be 0, i.e., the first sequence in the "
                               "mini-batch has to start from position 0")
        bags = starts.shape[0]
        positions = xp.arange(input.shape[0], dtype=starts.dtype, device=starts.device)
        # an included last offset is taken to be len(input), as PyTorch does
        bag_of = xp.searchsorted(starts, positions, side="right") - 1
        flat, weights = input, per_sample_weights
    else:
        raise ValueError(f"embedding_bag: input has to be 1-D or 2-D, got {input.ndim}-D")
    rows = embedding(flat, weight, None, max_norm, norm_type, scale_grad_by_freq, sparse)  # (n, dim)
    padding_idx = _row_index(padding_idx, weight.shape[0])
    if padding_idx is not None:  # a padding index joins no bag
        bag_of = xp.where(flat.array != padding_idx, bag_of, xp.full_like(bag_of, bags))
    if weights is not None:
        rows = rows * weights.unsqueeze(1)
    bag_index = Tensor._wrap(bag_of, input.device)
    dim = weight.shape[1]
    if mode == "max":  # an empty bag keeps its zeros
        spread = bag_index.unsqueeze(1).expand(-1, dim)
        out = weight.new_zeros((bags + 1, dim)).scatter_reduce(0, spread, rows, "amax", include_self=False)
        return out[:bags]
    out = weight.new_zeros((bags + 1, dim)).index_add(0, bag_index, rows)[:bags]  # row `bags`: no bag
    if mode == "mean":
        counts = weight.new_zeros(bags + 1).index_add(0, bag_index, weight.new_ones(bag_of.shape[0]))[:bags]
        out = out / counts.clamp(min=1).unsqueeze(1)
    return out


def _renorm_rows(weight, input, max_norm, norm_type):
    with no_grad():
        dev = weight.device
        xp = dev.xp
        rows = dev.backend.full((weight.shape[0],), 0, input.array.dtype, dev.index)
        flat = xp.reshape(input.array, (-1,))
        hit = dev.backend.index_add(rows, (flat,), xp.ones_like(flat), copy=False) > 0
        norms = weight.norm(norm_type, dim=1).array
        scale = xp.where(hit & (norms > max_norm), max_norm / (norms + 1e-7), xp.ones_like(norms))
        weight.mul_(Tensor._wrap(xp.reshape(scale, (-1, 1)), dev))


__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "dropout", "dropout1d", "dropout2d",
           "dropout3d", "alpha_dropout", "feature_alpha_dropout", "embedding", "embedding_bag"]
