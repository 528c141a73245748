"""The losses of ``nn.functional``: each returns the loss reduced by ``reduction``.

``reduction="mean"`` averages (cross-entropy and NLL: a weighted average, divided by the total
weight of the non-ignored targets, as PyTorch), ``"sum"`` adds, ``"none"`` keeps one value per
element (per sample for the classification losses).
"""

import math
import warnings

from .. import dtypes as _dtypes
from .._coerce import _promote, _scalar_as
from ..autograd.grad_mode import no_grad
from ..ops.elementwise import where
from ..ops.loss import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, HuberLoss, MseLoss, SmoothL1Loss
from ..ops.nn import CrossEntropy, WeightedNLL
from ..tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction, extra=()):
    if reduction not in _REDUCTIONS + tuple(extra):
        raise ValueError(f"{reduction} is not a valid value for reduction "
                         f"(expected one of {', '.join(_REDUCTIONS + tuple(extra))})")


def _reduce(loss, reduction):
    _check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _legacy(size_average, reduce, reduction):
    """PyTorch's deprecated ``size_average`` / ``reduce`` arguments, mapped to ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "none" if not reduce else "mean" if size_average else "sum"


def _same_size(input, target, name):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"{name}: using a target size ({tuple(target.shape)}) that is different to the input "
                      f"size ({tuple(input.shape)}); this will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", UserWarning, stacklevel=3)


def _wrap(array, like):
    return Tensor._wrap(array, like.device)


# --- classification: (log-)softmax families ---------------------------------------------------------
def _class_indices(input, target, weight, ignore_index, dim):
    """The checked class indices as an array shaped like ``input`` with a 1 at ``dim``, and the
    mask of the targets that count (None when all do).

    PyTorch's kernels read int64 targets, or uint8 ones for input of one or two dimensions, and a
    weight of the input's dtype: other dtypes raise rather than being converted."""
    dev = input.device
    xp = dev.xp
    n_classes = input.shape[dim]
    if target.dtype is not _dtypes.int64 and (target.dtype is not _dtypes.uint8 or input.ndim > 2):
        kinds = "int64 or uint8" if input.ndim <= 2 else "int64"
        raise RuntimeError(f"expected target dtype to be {kinds} (class indices) for input of {input.ndim} "
                           f"dimensions, but got {target.dtype}")
    if weight is not None:
        _dtypes.require_same("loss against class indices (input, weight)", input.dtype, weight.dtype)
    expected = tuple(input.shape[:dim]) + tuple(input.shape[dim + 1:])
    if tuple(target.shape) != expected:
        raise ValueError(f"Expected target of shape {expected} for input of shape {tuple(input.shape)}, "
                         f"got {tuple(target.shape)}")
    if target.device != dev:
        raise RuntimeError(f"target on {target.device} but input on {dev}; move one explicitly with .to()")
    if weight is not None and weight.device != dev:
        raise RuntimeError(f"weight on {weight.device} but input on {dev}; move one explicitly with .to()")
    t = xp.expand_dims(target.array, axis=dim)
    # the common case costs two reductions: every target a class other than ignore_index
    lo, hi = (int(xp.min(t)), int(xp.max(t))) if t.size else (0, -1)
    if 0 <= lo and hi < n_classes and not lo <= ignore_index <= hi:
        return t, None
    keep = t != ignore_index
    out_of_range = keep & ((t < 0) | (t >= n_classes))
    if bool(xp.any(out_of_range)):
        bad = int(xp.max(xp.where(out_of_range, t, xp.full_like(t, -(2 ** 62)))))
        raise IndexError(f"Target {bad} is out of bounds for {n_classes} classes.")
    return t, keep


def _class_coefficients(input, target, weight, ignore_index, label_smoothing, dim):
    """The coefficient array ``a`` (shape of ``input``) and the mean's denominator for class indices.

    a_{n,c} = mask_n · ((1 - ε) w_c [c = yₙ] + ε w_c / C);  denominator = Σₙ mask_n w_{yₙ}.
    """
    dev = input.device
    xp, backend = dev.xp, dev.backend
    n_classes = input.shape[dim]
    t, keep = _class_indices(input, target, weight, ignore_index, dim)
    shape = [1] * input.ndim
    shape[dim] = n_classes
    classes = xp.reshape(xp.astype(backend.arange(n_classes, dev.index), t.dtype), tuple(shape))
    dtype = input.array.dtype
    hot = t == classes
    hot = xp.astype(hot if keep is None else hot & keep, dtype)
    if weight is not None:
        w = xp.reshape(xp.astype(weight.array, dtype), tuple(shape))
        denominator = xp.sum(hot * w)
    else:
        w = None
        denominator = t.size if keep is None else xp.sum(xp.astype(keep, dtype))
    if label_smoothing:
        uniform = label_smoothing / n_classes
        a = (1 - label_smoothing) * hot + (uniform if keep is None else xp.astype(keep, dtype) * uniform)
    else:
        a = hot
    if w is not None:
        a = a * w
    return a, float(denominator)


GATHER_FROM = 2 ** 16
"""From this many logits up, a loss against class indices reads the log-probabilities at the
targets (a gather; the gradient a scatter onto zeros) instead of weighting all of them by a
(N, C, ...) array of one-hot coefficients. The word-LM's (700, 1000) cross-entropy, forward and
backward: 8.1 -> 1.9 ms in a process of its own (2.2 -> 1.8 ms with no page faults); equal at
(1024, 65); below, the one fused node is faster ((128, 10): 0.08 against 0.12 ms)."""


def _nll_at_targets(logp, target, weight, ignore_index, dim, reduction):
    """lₙ = -w_{yₙ} logp_{n,yₙ} (0 where yₙ = ignore_index), reduced as ``nll_loss``: the
    log-probabilities read at the targets, with Tensor ops (so every derivative order follows)."""
    xp = logp.device.xp
    t, keep = _class_indices(logp, target, weight, ignore_index, dim)
    if keep is not None:
        t = xp.where(keep, t, xp.zeros_like(t))  # an ignored target reads class 0, weighted 0
    picked = logp.gather(dim, _wrap(t, logp)).squeeze(dim)
    coefficient = None
    if weight is not None:
        coefficient = xp.reshape(xp.take(xp.astype(weight.array, logp.array.dtype), xp.reshape(t, (-1,))),
                                 tuple(picked.shape))
    if keep is not None:
        kept = xp.reshape(keep, tuple(picked.shape))
        picked = where(_wrap(kept, logp), picked, 0.0)  # 0, not 0 · (-inf), where a target is ignored
        kept = xp.astype(kept, logp.array.dtype)
        coefficient = kept if coefficient is None else coefficient * kept
    loss = -picked if coefficient is None else -(picked * _wrap(coefficient, logp))
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    denominator = float(t.size if coefficient is None else xp.sum(coefficient))
    return _nan_mean(total) if denominator == 0 else total / denominator


def _class_dim(input, weight, op):
    """The class dimension of ``input``, after checking it and ``weight`` make sense for ``op``."""
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have at least one dimension (the classes)")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"{op}: input dtype {input.dtype} is not floating point; the input holds "
                           "scores (logits or log-probabilities): call .float() on it")
    dim = 1 if input.ndim >= 2 else 0
    if weight is not None and tuple(weight.shape) != (input.shape[dim],):
        raise RuntimeError(f"{op}: weight tensor should be defined either for all {input.shape[dim]} classes "
                           f"or no classes but got weight tensor of shape: {list(weight.shape)}")
    return dim


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy of logits ``input`` (N, C, d…) against class indices (N, d…) or probabilities (N, C, d…).

    With p = softmax(x) over the class dimension, weights w (default 1) and smoothing ε:

        class indices:  lₙ = -(1-ε) w_{yₙ} log p_{n,yₙ} - (ε/C) Σ_c w_c log p_{n,c}  (0 if yₙ ignored)
        probabilities:  lₙ = -Σ_c w_c ((1-ε) t_{n,c} + ε/C) log p_{n,c}

    "mean" divides Σₙ lₙ by Σₙ w_{yₙ} over non-ignored samples (class indices) or by the number of
    samples (probabilities). The log-softmax is shifted by the max and fused with the loss into
    one node, so logits of magnitude 1e4 give a finite loss and gradient.

    Args:
        input: logits of shape (C,), (N, C) or (N, C, d1, ...).
        target: class indices (int64) of the input's shape without C, or class probabilities of
            the input's shape.
        weight: optional (C,) tensor of per-class weights.
        ignore_index: class-index targets equal to it contribute nothing (not to the mean's
            denominator either).
        reduction: "mean", "sum" or "none" (one value per sample).
        label_smoothing: ε in [0, 1], mixing the target with the uniform distribution.

    Returns:
        The loss: a scalar, or the per-sample losses for ``reduction="none"``.

    Raises:
        IndexError: a class index outside [0, C) that is not ``ignore_index``.
        ValueError: a target of the wrong shape, or an unknown reduction.

    Note:
        The textbook's multi-class cross-entropy -Σ_c y_c log ŷ_c takes probabilities ŷ. Here the
        input is logits and the softmax is applied inside (which is what makes it stable); with
        probabilities already in hand use ``nll_loss(ŷ.log(), y)``.

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> round(F.cross_entropy(mg.tensor([[0.0, 0.0]]), mg.tensor([1])).item(), 6)  # log 2
    0.693147
    """
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    dim = _class_dim(input, weight, "cross_entropy")
    xp = input.device.xp
    if tuple(target.shape) == tuple(input.shape) and not target.dtype.is_floating_point:
        raise RuntimeError(f"cross_entropy: expected a floating point target with class probabilities (the "
                           f"input's shape {tuple(input.shape)}), got {target.dtype}")
    if target.dtype.is_floating_point:
        if ignore_index >= 0:
            raise ValueError("ignore_index is not supported for floating point (probability) targets")
        if tuple(target.shape) != tuple(input.shape):
            indices = tuple(input.shape[:dim]) + tuple(input.shape[dim + 1:])
            hint = (": it looks like class indices, which must be integers (target.long())"
                    if tuple(target.shape) == indices else "")
            raise ValueError(f"cross_entropy: a float target holds class probabilities of the input's shape "
                             f"{tuple(input.shape)}, got shape {tuple(target.shape)}{hint}")
        n_classes = input.shape[dim]
        # PyTorch computes -Σ input.log_softmax() · target · weight: their promoted dtype
        common = _dtypes.promote_types(input.dtype, target.dtype)
        if weight is not None:
            common = _dtypes.promote_types(common, weight.dtype)
        if common is not input.dtype:
            input = input.type(common)
        a = xp.astype(target.detach().array, input.array.dtype)
        if label_smoothing:
            a = a * (1 - label_smoothing) + label_smoothing / n_classes
        if weight is not None:
            shape = [1] * input.ndim
            shape[dim] = n_classes
            a = a * xp.reshape(xp.astype(weight.array, a.dtype), tuple(shape))
        denominator = float(input.numel() // n_classes) if input.numel() else 0.0
    elif not label_smoothing and input.numel() >= GATHER_FROM:
        return _nll_at_targets(input.log_softmax(dim), target, weight, ignore_index, dim, reduction)
    else:
        a, denominator = _class_coefficients(input, target, weight, ignore_index, label_smoothing, dim)
    if reduction == "mean" and denominator == 0:
        return _nan_mean(CrossEntropy.apply(input, a, dim=dim, reduction="sum")[0])
    return CrossEntropy.apply(input, a, dim=dim, reduction=reduction, denominator=denominator)[0]


def _nan_mean(total):
    # a mean over nothing (every target ignored, or an empty batch) is NaN, as in PyTorch; added,
    # not multiplied, so the gradient stays the sum's (zero: no target counts) as PyTorch's, not NaN
    return total + math.nan


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of log-probabilities ``input`` (N, C, d…) at class indices ``target`` (N, d…).

    lₙ = -w_{yₙ} x_{n,yₙ} (0 where yₙ = ignore_index); "mean" divides by Σₙ w_{yₙ}.

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> F.nll_loss(mg.tensor([[-1.0, -2.0], [-3.0, -4.0]]), mg.tensor([1, 0])).item()
    2.5
    """
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    dim = _class_dim(input, weight, "nll_loss")
    if input.numel() >= GATHER_FROM:
        return _nll_at_targets(input, target, weight, ignore_index, dim, reduction)
    a, denominator = _class_coefficients(input, target, weight, ignore_index, 0.0, dim)
    if reduction == "mean" and denominator == 0:
        return _nan_mean(WeightedNLL.apply(input, a, dim=dim, reduction="sum"))
    return WeightedNLL.apply(input, a, dim=dim, reduction=reduction, denominator=denominator)


def _refuse_gradient(op, **weights):
    """PyTorch's losses are not differentiable in their weights: one that requires grad raises."""
    for name, v in weights.items():
        if v is not None and v.requires_grad:
            raise RuntimeError(f"{op} is not differentiable with respect to argument '{name}'; "
                               f"pass {name}.detach()")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """lᵢ = -wᵢ (tᵢ log xᵢ + (1 - tᵢ) log(1 - xᵢ)) for probabilities x; each log is clamped at -100.

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> round(F.binary_cross_entropy(mg.tensor([0.5]), mg.tensor([1.0])).item(), 6)
    0.693147
    """
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({tuple(target.shape)}) that is different to the input size "
                         f"({tuple(input.shape)}) is deprecated. Please ensure they have the same size.")
    _dtypes.require_same("binary_cross_entropy", input.dtype, target.dtype)  # PyTorch does not promote
    _dtypes.require("binary_cross_entropy", input.dtype)
    _refuse_gradient("binary_cross_entropy", weight=weight)
    if weight is not None:
        weight = weight.type(input.dtype)
    return BinaryCrossEntropy.apply(input, target, weight, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid + binary cross-entropy in one stable expression.

        lᵢ = wᵢ [(1 - tᵢ) xᵢ + (1 + (p - 1) tᵢ) log(1 + e^(-xᵢ))]

    with ``p = pos_weight`` (broadcast along the last, class, dimension); log(1 + e^(-x)) is a
    softplus computed without overflow, so logits of any magnitude are finite.

    Args:
        input: logits, any shape.
        target: probabilities (usually 0/1) of the input's shape.
        weight: optional rescaling, broadcast against the input.
        reduction: "mean", "sum" or "none".
        pos_weight: optional weight of the positive term per class (p > 1 raises recall).

    Note:
        The textbook's binary cross-entropy -(y log ŷ + (1-y) log(1-ŷ)) takes ŷ = sigmoid(x);
        ``binary_cross_entropy`` is that form on probabilities, this one fuses the sigmoid in.

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> F.binary_cross_entropy_with_logits(mg.tensor([1000.0, -1000.0]), mg.tensor([1.0, 0.0])).item()
    0.0

    Note:
        The loss has the target's dtype, as PyTorch's (which builds it in place on ``1 - target``),
        computed in the input's; both must be floating point.
    """
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({tuple(target.shape)}) must be the same as input size "
                         f"({tuple(input.shape)})")
    _dtypes.require("binary_cross_entropy_with_logits", input.dtype)
    if not target.dtype.is_floating_point:
        raise RuntimeError(f"binary_cross_entropy_with_logits: expected a floating point target "
                           f"(probabilities), got {target.dtype}: call target.float()")
    _refuse_gradient("binary_cross_entropy_with_logits", weight=weight, pos_weight=pos_weight)
    weight, pos_weight = (None if v is None else v.type(input.dtype) for v in (weight, pos_weight))
    loss = BinaryCrossEntropyWithLogits.apply(input, target.type(input.dtype), weight, pos_weight,
                                              reduction=reduction)
    return loss if target.dtype is input.dtype else loss.type(target.dtype)


# --- regression --------------------------------------------------------------------------------------
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error (L2): lᵢ = (xᵢ - tᵢ)² (weighted: Σ wᵢlᵢ / Σ wᵢ).

    The square lets a few outliers dominate the mean; ``l1_loss`` and ``huber_loss`` are more robust.

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> F.mse_loss(mg.tensor([1.0, 2.0]), mg.tensor([0.0, 4.0])).item()
    2.5
    """
    return _difference_loss(MseLoss, input, target, _legacy(size_average, reduce, reduction), "mse_loss",
                            weight, normalise=True)


def _difference_loss(op, input, target, reduction, name, weight=None, normalise=False, keep_input_dtype=False,
                     **params):
    """The loss ``op`` of d = input - target (one node), reduced, or weighted and then reduced; in
    the promoted dtype of the two, or with ``keep_input_dtype`` cast to the input's (PyTorch writes
    huber_loss into a tensor like the input, which must then be floating point)."""
    _check_reduction(reduction)
    _same_size(input, target, name)
    if not (input.dtype.is_floating_point or target.dtype.is_floating_point):
        raise RuntimeError(f"{name}: input and target are both integer ({input.dtype}, {target.dtype}); "
                           "call .float() on them")
    dtype = input.dtype
    if keep_input_dtype:
        _dtypes.require(name, dtype)
    input, target = _promote(input, target)
    loss = op.apply(input, target, reduction=reduction if weight is None else "none", **params)
    if keep_input_dtype and loss.dtype is not dtype:
        loss = loss.type(dtype)
    return loss if weight is None else _weighted(loss, weight, reduction, name, normalise)


def _weighted(loss, weight, reduction, name, normalise):
    """``loss`` times ``weight`` (of its shape), reduced as PyTorch does for the weighted form:
    the mean is Σ wᵢlᵢ / Σ wᵢ for mse_loss and l1_loss (``normalise``), mean(wᵢlᵢ) for huber_loss."""
    if weight is None:
        return _reduce(loss, reduction)
    if tuple(weight.shape) != tuple(loss.shape):
        raise ValueError(f"{name}: Weights and input must have the same size (got weight of shape "
                         f"{tuple(weight.shape)} for a loss of shape {tuple(loss.shape)}).")
    weighted = loss * weight
    if reduction == "mean" and normalise:
        return weighted.sum() / weight.sum()
    return _reduce(weighted, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error: lᵢ = |xᵢ - tᵢ| (weighted: Σ wᵢlᵢ / Σ wᵢ).

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> F.l1_loss(mg.tensor([1.0, 2.0]), mg.tensor([0.0, 4.0])).item()
    1.5
    """
    reduction = _legacy(size_average, reduce, reduction)
    _same_size(input, target, "l1_loss")
    # |x - t| reduced in separate nodes, as PyTorch's (its l1_loss is composite: MeanBackward0)
    return _weighted((input - target).abs(), weight, reduction, "l1_loss", normalise=True)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """lᵢ = ½ dᵢ² if |dᵢ| < δ else δ (|dᵢ| - ½ δ), with d = x - t (weighted: mean of wᵢlᵢ).

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> F.huber_loss(mg.tensor([0.5, 3.0]), mg.tensor([0.0, 0.0]), reduction="none").tolist()
    [0.125, 2.5]
    """
    if delta <= 0:
        raise ValueError("huber_loss does not support non-positive values for delta.")
    return _difference_loss(HuberLoss, input, target, reduction, "huber_loss", weight, normalise=False,
                            keep_input_dtype=True, delta=delta)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """lᵢ = ½ dᵢ² / β if |dᵢ| < β else |dᵢ| - ½ β (β = 0: plain L1). Equals huber_loss / β.

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> F.smooth_l1_loss(mg.tensor([0.5, 3.0]), mg.tensor([0.0, 0.0]), reduction="none", beta=2.0).tolist()
    [0.0625, 2.0]
    """
    reduction = _legacy(size_average, reduce, reduction)
    if beta < 0:
        raise ValueError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    return _difference_loss(SmoothL1Loss, input, target, reduction, "smooth_l1_loss", beta=beta)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence with ``input`` given as log-probabilities.

        lᵢ = tᵢ (log tᵢ - xᵢ)   (tᵢ log tᵢ = 0 where tᵢ = 0, NaN where tᵢ < 0, PyTorch's xlogy);
        log_target: lᵢ = e^{tᵢ} (tᵢ - xᵢ)

    ``reduction="batchmean"`` divides the sum by the batch size (the true KL divergence per sample);
    "mean" averages over every element, as PyTorch does.

    >>> import minigrad as mg
    >>> import minigrad.nn.functional as F
    >>> log_q = mg.tensor([[0.0, 0.0]]).log_softmax(1)
    >>> F.kl_div(log_q, mg.tensor([[0.5, 0.5]]), reduction="batchmean").item()
    0.0
    """
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, ("batchmean",))
    for t in (input, target):
        if not t.dtype.is_floating_point:
            raise RuntimeError(f"kl_div: Integral inputs not supported (got {input.dtype} input and "
                               f"{target.dtype} target)")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        zero = target == 0
        safe = where(zero, 1.0, target)
        loss = where(zero, 0.0, target * safe.log()) - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Poisson negative log-likelihood: eˣ - t x (log_input) or x - t log(x + eps); ``full`` adds Stirling."""
    reduction = _legacy(size_average, reduce, reduction)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        safe = where(target > 1, target, 1.0)
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + where(target > 1, stirling, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """½ (log max(σ², eps) + (x - t)² / max(σ², eps)) (+ ½ log 2π when ``full``).

    ``var`` has the input's shape, or lacks (or has size 1 in) its last dimension: one variance
    shared by the last dimension's values.
    """
    if isinstance(var, Tensor):
        if var.shape != input.shape and var.shape == input.shape[:-1]:
            var = var.unsqueeze(-1)
        shared = var.ndim == input.ndim and var.shape[:-1] == input.shape[:-1]
        if not shared or var.shape[-1] not in (1, input.shape[-1]):
            raise ValueError(f"gaussian_nll_loss: var is of incorrect size {tuple(var.shape)} for input of "
                             f"shape {tuple(input.shape)}")
        if bool((var < 0).any()):
            raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    elif var < 0:
        raise ValueError(f"gaussian_nll_loss: var has negative entry/entries ({var})")
    if isinstance(var, Tensor):
        var = var.clone()
        with no_grad():  # clamped for stability, but the gradient passes through (PyTorch's rule)
            var.clamp_(min=eps)
    else:
        var = max(var, eps)
    d = input - target
    log_var = var.log() if isinstance(var, Tensor) else math.log(var)
    loss = 0.5 * (log_var + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """lᵢ = max(0, -yᵢ (x1ᵢ - x2ᵢ) + margin), a clamp: at 0 the gradient passes (PyTorch's)."""
    reduction = _legacy(size_average, reduce, reduction)
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """lᵢ = xᵢ if yᵢ = 1, max(0, margin - xᵢ) if yᵢ = -1 (a clamp, as margin_ranking_loss's), both
    for any other yᵢ, as PyTorch's. The loss has the input's dtype, margin converted to it (PyTorch
    fills a tensor like the input with it): an integer input's mean raises, as there."""
    reduction = _legacy(size_average, reduce, reduction)
    margin = _scalar_as(margin, input.dtype)
    loss = where(target != -1, input, 0) + where(target != 1, (margin - input).clamp(min=0), 0)
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """lᵢ = log(1 + e^(-yᵢ xᵢ)), of the input's dtype (PyTorch writes it into a tensor like the input)."""
    reduction = _legacy(size_average, reduce, reduction)
    _dtypes.require("soft_margin_loss", input.dtype)
    loss = (-target * input).softplus()
    return _reduce(loss if loss.dtype is input.dtype else loss.type(input.dtype), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """One-vs-all logistic loss over C classes: lₙ = -(1/C) Σ_c w_c [y_c log σ(x_c) + (1 - y_c) log σ(-x_c)].

    input and target (N, C) or (C,); the class axis is the last.
    """
    reduction = _legacy(size_average, reduce, reduction)
    loss = target * (-input).softplus() + (1 - target) * input.softplus()
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.mean(-1), reduction)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """x1·x2 / (max(‖x1‖, eps) · max(‖x2‖, eps)) along ``dim``, in the promoted dtype of the two,
    which must be floating point (PyTorch's)."""
    if not (x1.dtype.is_floating_point or x2.dtype.is_floating_point):
        raise RuntimeError(f"cosine_similarity: expected common dtype to be floating point, yet common dtype "
                           f"of {x1.dtype} and {x2.dtype} is not")
    return _cosine(x1, x2, dim, eps)


def _cosine(x1, x2, dim, eps):
    # cosine_embedding_loss's too, which PyTorch computes of integer inputs all the same
    n1 = x1.norm(dim=dim).clamp(min=eps)
    n2 = x2.norm(dim=dim).clamp(min=eps)
    return (x1 * x2).sum(dim=dim) / (n1 * n2)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """‖x1 - x2 + eps‖_p along the last dimension."""
    return (x1 - x2 + eps).norm(p, dim=-1, keepdim=keepdim)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(x1, x2) where y = 1; max(0, cos(x1, x2) - margin) where y = -1 (a clamp, as
    margin_ranking_loss's)."""
    reduction = _legacy(size_average, reduce, reduction)
    cos = _cosine(input1, input2, -1, 1e-12)
    loss = where(target == 1, 1 - cos, 0.0) + where(target == -1, (cos - margin).clamp(min=0), 0.0)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """lᵢ = max(d(aᵢ, pᵢ) - d(aᵢ, nᵢ) + margin, 0) with d the p-norm distance (a clamp, as
    margin_ranking_loss's)."""
    reduction = _legacy(size_average, reduce, reduction)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp(min=0), reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Multi-class hinge loss: lₙ = Σ_{i≠y} w_y · max(0, margin - x_y + x_i)^p / C, p 1 or 2."""
    reduction = _legacy(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    _dtypes.require("multi_margin_loss", input.dtype)
    _int64_target("multi_margin_loss", target)
    if weight is not None:
        _dtypes.require_same("multi_margin_loss (input, weight)", input.dtype, weight.dtype)
    x = input.unsqueeze(0) if input.ndim == 1 else input
    y = target.reshape(-1, 1)
    if x.ndim != 2 or y.shape[0] != x.shape[0]:
        raise RuntimeError(f"multi_margin_loss: expected input (N, C) or (C,) and target (N,), got "
                           f"{tuple(input.shape)} and {tuple(target.shape)}")
    margins = (margin - x.gather(1, y) + x).relu() ** p
    if weight is not None:
        margins = margins * weight[y]
    others = margins.scatter(1, y, 0.0)  # the target class itself does not count
    loss = others.sum(1) / x.shape[1]
    return _reduce(loss.squeeze(0) if input.ndim == 1 else loss, reduction)


def _int64_target(op, target):
    if target.dtype is not _dtypes.int64:
        raise RuntimeError(f"{op}: expected target dtype int64 (class indices), got {target.dtype}")


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss: lₙ = Σⱼ Σ_{i ∉ targets} max(0, 1 - (x[yⱼ] - x[i])) / C over the target
    classes yⱼ listed first in each row of ``target``, ended by -1."""
    reduction = _legacy(size_average, reduce, reduction)
    _dtypes.require("multilabel_margin_loss", input.dtype)
    _int64_target("multilabel_margin_loss", target)
    x = input.unsqueeze(0) if input.ndim == 1 else input
    y = target.unsqueeze(0) if target.ndim == 1 else target
    if x.shape != y.shape:
        raise RuntimeError(f"multilabel_margin_loss: expected input and target of one shape, got "
                           f"{tuple(input.shape)} and {tuple(target.shape)}")
    listed = (y >= 0).long().cumprod(1).bool()  # the targets before the first -1
    index = y.clamp(min=0)
    is_target = listed.long().new_zeros(x.shape).scatter_add(1, index, listed.long()) > 0
    hinge = (1 - (x.gather(1, index).unsqueeze(2) - x.unsqueeze(1))).relu()  # [n, j, i]
    mask = listed.unsqueeze(2) & ~is_target.unsqueeze(1)
    loss = where(mask, hinge, 0.0).sum((1, 2)) / x.shape[1]
    return _reduce(loss.squeeze(0) if input.ndim == 1 else loss, reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """max(d(a, p) - d(a, n) + margin, 0) with any ``distance_function`` (pairwise_distance by default)."""
    distance = pairwise_distance if distance_function is None else distance_function
    d_pos, d_neg = distance(anchor, positive), distance(anchor, negative)
    if swap:
        d_neg = d_neg.minimum(distance(positive, negative))
    return _reduce((d_pos - d_neg + margin).relu(), reduction)

_IMPOSSIBLE = -1e30  # log-probability of an unreachable CTC state: finite, so no NaN gradients


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """Connectionist temporal classification (Graves et al., 2006): -log Σ over the alignments of
    each target to its input frames, blanks between and around labels.

    The forward variables α run over the target with a blank around each label, l' (length 2S+1):
    α₀ starts at l'₀ (blank) or l'₁; αₜ(s) = logsumexp(αₜ₋₁(s), αₜ₋₁(s-1), αₜ₋₁(s-2) when
    l'ₛ ≠ blank and l'ₛ ≠ l'ₛ₋₂) + log yₜ(l'ₛ); the loss is -logsumexp(α_{T-1}(2S), α_{T-1}(2S-1)).
    The recursion is written in tensor ops, so autograd gives the gradient. ``log_probs`` is
    (T, N, C) (or (T, C)); ``targets`` (N, S) padded or the concatenated 1-d labels; "mean" divides
    each loss by its target length, then averages. An impossible alignment gives inf (0 with
    ``zero_infinity``).
    """
    from ..creation import arange, tensor
    from ..ops.movement import cat, pad, stack
    _check_reduction(reduction)
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.unsqueeze(0) if targets.ndim == 1 else targets
    device = log_probs.device
    in_lens, tgt_lens = _lengths(input_lengths), _lengths(target_lengths)
    t_max, n = log_probs.shape[0], log_probs.shape[1]
    if len(in_lens) != n or len(tgt_lens) != n:
        raise RuntimeError(f"ctc_loss: expected input_lengths and target_lengths of length {n} (the batch), "
                           f"got {len(in_lens)} and {len(tgt_lens)}")
    s_max = max(tgt_lens + [0])
    if targets.ndim == 1:  # the labels of every sample, concatenated
        starts = [sum(tgt_lens[:i]) for i in range(n)]
        rows = [targets[a:a + k].tolist() for a, k in zip(starts, tgt_lens)]
    else:
        rows = [targets[i, :k].tolist() for i, k in enumerate(tgt_lens)]
    extended = [[blank] * (2 * s_max + 1) for _ in range(n)]
    skip = [[False] * (2 * s_max + 1) for _ in range(n)]
    for i, row in enumerate(rows):
        for j, label in enumerate(row):
            extended[i][2 * j + 1] = int(label)
            skip[i][2 * j + 1] = j > 0 and int(label) != int(row[j - 1])
    labels = tensor(extended, device=device)
    can_skip = tensor(skip, device=device)
    lengths = tensor(in_lens, device=device)
    width = 2 * s_max + 1
    position = arange(width, device=device)
    emit = log_probs[0].gather(1, labels)
    start = (position == 0) | ((position == 1) & (tensor(tgt_lens, device=device) > 0).unsqueeze(1))
    alpha = where(start, emit, _IMPOSSIBLE)
    for t in range(1, t_max):
        one = pad(alpha, (1, 0), value=_IMPOSSIBLE)[:, :width]
        two = where(can_skip, pad(alpha, (2, 0), value=_IMPOSSIBLE)[:, :width], _IMPOSSIBLE)
        stepped = stack([alpha, one, two]).logsumexp(0) + log_probs[t].gather(1, labels)
        alpha = where((lengths > t).unsqueeze(1), stepped, alpha)
    last = tensor([2 * k for k in tgt_lens], device=device).unsqueeze(1)
    ends = cat([alpha.gather(1, last), where(last > 0, alpha.gather(1, (last - 1).clamp(min=0)),
                                              _IMPOSSIBLE)], 1)
    loss = -ends.logsumexp(1)
    impossible = loss > -_IMPOSSIBLE / 2
    loss = where(impossible, 0.0 if zero_infinity else math.inf, loss)
    if unbatched:
        loss = loss.squeeze(0)
    if reduction == "mean":
        per_label = tensor(tgt_lens, dtype=loss.dtype, device=device).clamp(min=1).reshape(loss.shape)
        return (loss / per_label).mean()
    return _reduce(loss, reduction)


def _lengths(values):
    """A list of ints from a Tensor, a sequence or one int."""
    if isinstance(values, int):
        return [values]
    return [int(v) for v in (values.reshape(-1).tolist() if isinstance(values, Tensor) else values)]

__all__ = ["cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "kl_div", "poisson_nll_loss",
           "gaussian_nll_loss", "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
           "cosine_similarity", "pairwise_distance", "cosine_embedding_loss", "triplet_margin_loss",
           "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss",
           "triplet_margin_with_distance_loss", "ctc_loss"]
