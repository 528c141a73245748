"""Losses against NumPy transcriptions of PyTorch's formulas, every reduction, stability, gradients."""

import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.nn import _loss

RNG = np.random.default_rng(0)
LOGITS = RNG.standard_normal((5, 4))
LABELS = np.array([0, 3, 1, 1, 2])
WEIGHT = np.array([0.5, 2.0, 1.0, 3.0])


@pytest.fixture(params=["fused", "gather"], autouse=True)
def class_index_path(request, monkeypatch):
    """Every test here runs on both paths of a loss against class indices: the one fused node
    (below ``GATHER_FROM`` logits) and the read at the targets (from it up)."""
    monkeypatch.setattr(_loss, "GATHER_FROM", 0 if request.param == "gather" else math.inf)
    return request.param


def test_large_class_index_losses_read_the_targets_and_agree_with_the_fused_node(monkeypatch):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((300, 7, 40))  # (N, C, d): the class dimension is 1
    y = rng.integers(0, 7, (300, 40))
    y[::5, 3] = -1
    weight = mg.tensor(rng.random(7) + 0.5)
    results = {}
    for path, start in (("fused", math.inf), ("gather", 0)):
        monkeypatch.setattr(_loss, "GATHER_FROM", start)
        logits = mg.tensor(x, requires_grad=True)
        loss = F.cross_entropy(logits, mg.tensor(y), weight=weight, ignore_index=-1)
        loss.backward()
        results[path] = (loss.item(), host(logits.grad), loss.grad_fn.op_name)
    assert results["fused"][2] == "CrossEntropy" and results["gather"][2] != "CrossEntropy"
    np.testing.assert_allclose(results["gather"][0], results["fused"][0], rtol=1e-12)
    np.testing.assert_allclose(results["gather"][1], results["fused"][1], rtol=1e-10, atol=1e-15)
    monkeypatch.undo()
    assert 300 * 7 * 40 >= _loss.GATHER_FROM  # this size takes the gather path by default


def host(t):
    return t.detach().cpu().numpy()


def np_log_softmax(x, axis=1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def np_cross_entropy(x, y, weight=None, ignore_index=-100, smoothing=0.0, reduction="mean"):
    """PyTorch's cross_entropy for class indices of (N, C) logits, written out."""
    n, c = x.shape
    logp = np_log_softmax(x)
    w = np.ones(c) if weight is None else weight
    keep = y != ignore_index
    ys = np.where(keep, y, 0)
    nll = -w[ys] * logp[np.arange(n), ys] * keep
    smooth = -(logp * w).sum(1) * keep
    if reduction == "none":
        return (1 - smoothing) * nll + smoothing / c * smooth
    if reduction == "sum":
        return (1 - smoothing) * nll.sum() + smoothing / c * smooth.sum()
    denom = (w[ys] * keep).sum()
    return (1 - smoothing) * nll.sum() / denom + smoothing / c * smooth.sum() / denom


# --- cross-entropy ------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_class_indices(backend, reduction):
    out = F.cross_entropy(mg.tensor(LOGITS), mg.tensor(LABELS), reduction=reduction)
    np.testing.assert_allclose(host(out), np_cross_entropy(LOGITS, LABELS, reduction=reduction), rtol=1e-5)


def test_cross_entropy_is_log_softmax_then_nll_by_hand():
    # one sample, logits (1, 2, 3), class 2: -log(e³ / (e + e² + e³))
    out = F.cross_entropy(mg.tensor([[1.0, 2.0, 3.0]]), mg.tensor([2]))
    assert abs(out.item() - (math.log(math.exp(1) + math.exp(2) + math.exp(3)) - 3)) < 1e-6


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_weight_ignore_index_label_smoothing(backend, reduction):
    labels = LABELS.copy()
    labels[2] = -1
    out = F.cross_entropy(mg.tensor(LOGITS), mg.tensor(labels), weight=mg.tensor(WEIGHT), ignore_index=-1,
                          label_smoothing=0.2, reduction=reduction)
    expected = np_cross_entropy(LOGITS, labels, WEIGHT, -1, 0.2, reduction)
    np.testing.assert_allclose(host(out), expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_ignore_index_that_is_a_class(backend, smoothing):
    # ignore_index inside [0, C): samples labelled with it are ignored, the others counted
    ignored = int(LABELS[0])
    out = F.cross_entropy(mg.tensor(LOGITS), mg.tensor(LABELS), ignore_index=ignored,
                          label_smoothing=smoothing)
    expected = np_cross_entropy(LOGITS, LABELS, None, ignored, smoothing)
    np.testing.assert_allclose(out.item(), expected, rtol=1e-5)
    assert abs(expected - np_cross_entropy(LOGITS, LABELS, smoothing=smoothing)) > 1e-3  # it matters


@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_label_smoothing_without_ignored_targets(backend, smoothing):
    out = F.cross_entropy(mg.tensor(LOGITS), mg.tensor(LABELS), label_smoothing=smoothing, reduction="none")
    np.testing.assert_allclose(host(out), np_cross_entropy(LOGITS, LABELS, None, -100, smoothing, "none"),
                               rtol=1e-5)


def test_cross_entropy_weighted_mean_divides_by_target_weights(backend):
    out = F.cross_entropy(mg.tensor(LOGITS), mg.tensor(LABELS), weight=mg.tensor(WEIGHT))
    np.testing.assert_allclose(out.item(), np_cross_entropy(LOGITS, LABELS, WEIGHT), rtol=1e-5)


def test_cross_entropy_ignored_sample_gets_zero_gradient(backend):
    x = mg.tensor(LOGITS, requires_grad=True)
    labels = LABELS.copy()
    labels[0] = -100
    F.cross_entropy(x, mg.tensor(labels)).backward()
    assert np.all(host(x.grad)[0] == 0)


def test_cross_entropy_all_ignored_mean_is_nan():
    out = F.cross_entropy(mg.tensor(LOGITS), mg.full((5,), -100, dtype=mg.int64))
    assert math.isnan(out.item())


@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_probability_targets(backend, smoothing):
    target = np.exp(RNG.standard_normal((5, 4)))
    target /= target.sum(1, keepdims=True)
    out = F.cross_entropy(mg.tensor(LOGITS), mg.tensor(target), weight=mg.tensor(WEIGHT),
                          label_smoothing=smoothing)
    t = target * (1 - smoothing) + smoothing / 4
    expected = -(np_log_softmax(LOGITS) * t * WEIGHT).sum(1).mean()
    np.testing.assert_allclose(out.item(), expected, rtol=1e-5)


def test_cross_entropy_spatial_dims(backend):
    x = RNG.standard_normal((2, 3, 4, 5))
    y = RNG.integers(0, 3, (2, 4, 5))
    out = F.cross_entropy(mg.tensor(x), mg.tensor(y), reduction="none")
    assert out.shape == (2, 4, 5)
    flat_x = x.transpose(0, 2, 3, 1).reshape(-1, 3)
    expected = np_cross_entropy(flat_x, y.reshape(-1), reduction="none")
    np.testing.assert_allclose(host(out).reshape(-1), expected, rtol=1e-5)


def test_cross_entropy_unbatched(backend):
    out = F.cross_entropy(mg.tensor([1.0, 2.0, 3.0]), mg.tensor(2))
    np.testing.assert_allclose(out.item(), -np_log_softmax(np.array([[1.0, 2, 3]]))[0, 2], rtol=1e-6)


def test_cross_entropy_huge_logits_are_finite(backend):
    x = mg.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3]], requires_grad=True)
    loss = F.cross_entropy(x, mg.tensor([1, 1]))
    loss.backward()
    assert abs(loss.item() - 1e4) < 1e-2  # sample 0 pays 2e4, sample 1 pays ~0
    assert np.all(np.isfinite(host(x.grad)))
    np.testing.assert_allclose(host(x.grad), [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-6)


def test_cross_entropy_minus_inf_logit_of_other_class_is_fine():
    out = F.cross_entropy(mg.tensor([[0.0, -math.inf]]), mg.tensor([0]))
    assert out.item() == 0.0


def test_cross_entropy_gradient_is_softmax_minus_onehot(backend):
    x = mg.tensor(LOGITS, requires_grad=True)
    F.cross_entropy(x, mg.tensor(LABELS), reduction="sum").backward()
    p = np.exp(np_log_softmax(LOGITS))
    p[np.arange(5), LABELS] -= 1
    np.testing.assert_allclose(host(x.grad), p, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_cross_entropy_gradcheck(backend, float64, reduction):
    x = mg.tensor(LOGITS, requires_grad=True)
    w = mg.tensor(WEIGHT)
    assert gradcheck(lambda x: F.cross_entropy(x, mg.tensor(LABELS), weight=w, label_smoothing=0.1,
                                               reduction=reduction), (x,))


def test_cross_entropy_gradgradcheck(float64):
    x = mg.tensor(LOGITS[:2], requires_grad=True)
    assert gradgradcheck(lambda x: F.cross_entropy(x, mg.tensor(LABELS[:2])), (x,))


def test_cross_entropy_out_of_range_target_raises():
    with pytest.raises(IndexError, match="Target 4 is out of bounds"):
        F.cross_entropy(mg.tensor(LOGITS), mg.tensor([0, 1, 2, 3, 4]))


def test_cross_entropy_wrong_target_shape_raises():
    with pytest.raises(ValueError, match="Expected target of shape"):
        F.cross_entropy(mg.tensor(LOGITS), mg.tensor([0, 1]))


def test_cross_entropy_bad_reduction_raises():
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.cross_entropy(mg.tensor(LOGITS), mg.tensor(LABELS), reduction="avg")


def test_cross_entropy_module_matches_functional_and_holds_weight_buffer(backend):
    loss = nn.CrossEntropyLoss(weight=mg.tensor(WEIGHT), label_smoothing=0.1)
    assert list(loss.state_dict()) == ["weight"]
    expected = F.cross_entropy(mg.tensor(LOGITS), mg.tensor(LABELS), weight=mg.tensor(WEIGHT),
                               label_smoothing=0.1)
    assert loss(mg.tensor(LOGITS), mg.tensor(LABELS)).item() == expected.item()


def test_cross_entropy_legacy_size_average_maps_to_sum():
    assert nn.CrossEntropyLoss(size_average=False).reduction == "sum"


# --- NLL ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_matches_cross_entropy_on_log_softmax(backend, reduction):
    logp = mg.tensor(np_log_softmax(LOGITS))
    out = F.nll_loss(logp, mg.tensor(LABELS), weight=mg.tensor(WEIGHT), reduction=reduction)
    expected = np_cross_entropy(LOGITS, LABELS, WEIGHT, reduction=reduction)
    np.testing.assert_allclose(host(out), expected, rtol=1e-5)


def test_nll_loss_by_hand(backend):
    assert nn.NLLLoss()(mg.tensor([[-1.0, -2.0], [-3.0, -4.0]]), mg.tensor([1, 0])).item() == 2.5


def test_nll_loss_ignore_index(backend):
    out = F.nll_loss(mg.tensor([[-1.0, -2.0], [-3.0, -4.0]]), mg.tensor([1, 7]), ignore_index=7)
    assert out.item() == 2.0


def test_nll_loss_gradcheck(backend, float64):
    x = mg.tensor(LOGITS, requires_grad=True)
    assert gradcheck(lambda x: F.nll_loss(x, mg.tensor(LABELS), weight=mg.tensor(WEIGHT)), (x,))


# --- binary cross-entropy ------------------------------------------------------------------------------
P = np.array([0.1, 0.7, 0.5, 0.99])
T = np.array([0.0, 1.0, 1.0, 0.3])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_values(backend, reduction):
    w = np.array([1.0, 2.0, 0.5, 1.0])
    out = nn.BCELoss(weight=mg.tensor(w), reduction=reduction)(mg.tensor(P), mg.tensor(T))
    per = -w * (T * np.log(P) + (1 - T) * np.log(1 - P))
    expected = {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
    np.testing.assert_allclose(host(out), expected, rtol=1e-5)


def test_bce_clamps_log_at_minus_100(backend):
    out = F.binary_cross_entropy(mg.tensor([0.0, 1.0]), mg.tensor([1.0, 0.0]), reduction="none")
    assert out.tolist() == [100.0, 100.0]


def test_bce_gradient_finite_at_saturated_input(backend):
    x = mg.tensor([0.0, 1.0], requires_grad=True)
    F.binary_cross_entropy(x, mg.tensor([1.0, 0.0])).backward()
    assert np.all(np.isfinite(host(x.grad)))


def test_bce_gradcheck_input_and_target(backend, float64):
    x = mg.tensor(P, requires_grad=True)
    # gradcheck moves each target by ±1e-6: off the edges, as a target outside [0, 1] raises
    t = mg.tensor([0.2, 0.9, 0.6, 0.3], requires_grad=True)
    assert gradcheck(F.binary_cross_entropy, (x, t))


def test_bce_weight_requiring_grad_raises_at_the_call():
    # PyTorch: "The function 'binary_cross_entropy' is not differentiable with respect to argument
    # 'weight'", raised by the call; a detached weight rescales the loss
    x, t = mg.tensor([0.25, 0.5]), mg.tensor([1.0, 0.0])
    w = mg.tensor([2.0, 1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="binary_cross_entropy is not differentiable with respect to "
                                           "argument 'weight'"):
        F.binary_cross_entropy(x, t, weight=w)
    loss = F.binary_cross_entropy(x, t, weight=w.detach(), reduction="sum")
    assert abs(loss.item() - (2 * -math.log(0.25) - math.log(0.5))) < 1e-6


def test_bce_shape_mismatch_raises():
    with pytest.raises(ValueError, match="different to the input size"):
        F.binary_cross_entropy(mg.tensor([0.5]), mg.tensor([1.0, 0.0]))


def np_bce_logits(x, t, pos_weight=None):
    pw = 1.0 if pos_weight is None else pos_weight
    return -(pw * t * np.log(1 / (1 + np.exp(-x))) + (1 - t) * np.log(1 - 1 / (1 + np.exp(-x))))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_values(backend, reduction):
    x = RNG.standard_normal((3, 4))
    t = RNG.random((3, 4))
    out = F.binary_cross_entropy_with_logits(mg.tensor(x), mg.tensor(t), reduction=reduction)
    per = np_bce_logits(x, t)
    expected = {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
    np.testing.assert_allclose(host(out), expected, rtol=1e-5)


def test_bce_with_logits_pos_weight_broadcasts_over_classes(backend):
    x = RNG.standard_normal((3, 4))
    t = (RNG.random((3, 4)) > 0.5).astype(float)
    pw = np.array([1.0, 2.0, 3.0, 0.5])
    out = nn.BCEWithLogitsLoss(pos_weight=mg.tensor(pw))(mg.tensor(x), mg.tensor(t))
    np.testing.assert_allclose(out.item(), np_bce_logits(x, t, pw).mean(), rtol=1e-5)


def test_bce_with_logits_large_logits_stable(backend):
    x = mg.tensor([1e4, -1e4, 1e4, -1e4], requires_grad=True)
    t = mg.tensor([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, t, pos_weight=mg.tensor([2.0, 2.0, 2.0, 2.0]),
                                              reduction="none")
    assert host(loss).tolist() == [0.0, 0.0, 1e4, 2e4]
    loss.sum().backward()
    assert host(x.grad).tolist() == [0.0, 0.0, 1.0, -2.0]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_gradcheck_every_input(backend, float64, reduction):
    # logits and targets; a weight per element and a pos_weight per class (broadcast over the rows)
    # are constants, as in PyTorch, which raises when they require grad
    x = mg.tensor(RNG.standard_normal((2, 3)) * 3, requires_grad=True)
    t = mg.tensor(RNG.random((2, 3)), requires_grad=True)
    w = mg.tensor(RNG.random((2, 3)) + 0.5)
    pw = mg.tensor([1.5, 0.5, 2.0])

    def loss(x, t):
        return F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, reduction=reduction)
    assert gradcheck(loss, (x, t))
    assert gradgradcheck(loss, (x, t))
    assert type(loss(x, t).grad_fn).__name__ == "BinaryCrossEntropyWithLogitsBackward0"
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'pos_weight'"):
        F.binary_cross_entropy_with_logits(x, t, pos_weight=pw.requires_grad_())


# --- regression losses -------------------------------------------------------------------------------
A = np.array([[0.5, -2.0, 3.0], [0.1, 0.0, -0.4]])
B = np.array([[0.0, 0.0, 1.0], [1.5, 0.2, -0.4]])
D = A - B


def _huber(d, delta):
    return np.where(np.abs(d) < delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))


REGRESSION = [
    ("mse", lambda a, b, r: F.mse_loss(a, b, reduction=r), D ** 2),
    ("l1", lambda a, b, r: F.l1_loss(a, b, reduction=r), np.abs(D)),
    ("huber", lambda a, b, r: F.huber_loss(a, b, reduction=r, delta=1.5), _huber(D, 1.5)),
    ("smooth_l1", lambda a, b, r: F.smooth_l1_loss(a, b, reduction=r, beta=0.5), _huber(D, 0.5) / 0.5),
    ("smooth_l1_beta0", lambda a, b, r: F.smooth_l1_loss(a, b, reduction=r, beta=0.0), np.abs(D)),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,fn,per", REGRESSION, ids=[r[0] for r in REGRESSION])
def test_regression_losses(backend, name, fn, per, reduction):
    out = fn(mg.tensor(A), mg.tensor(B), reduction)
    expected = {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
    np.testing.assert_allclose(host(out), expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,fn,per", REGRESSION, ids=[r[0] for r in REGRESSION])
def test_regression_loss_gradcheck(backend, float64, name, fn, per, reduction):
    a = mg.tensor(A + 0.01, requires_grad=True)  # away from the kinks
    b = mg.tensor(B, requires_grad=True)
    assert gradcheck(lambda a, b: fn(a, b, reduction), (a, b))
    assert gradgradcheck(lambda a, b: fn(a, b, reduction), (a, b))


@pytest.mark.parametrize("name,fn,node", [(r[0], r[1], n) for r, n in zip(REGRESSION, [
    "MseLossBackward0", "MeanBackward0", "HuberLossBackward0", "SmoothL1LossBackward0", "MeanBackward0"])])
def test_regression_losses_are_named_as_pytorchs(name, fn, node):
    a = mg.tensor(A, requires_grad=True)
    loss = fn(a, mg.tensor(B), "mean")
    assert type(loss.grad_fn).__name__ == node
    if node != "MeanBackward0":  # l1_loss is composite in PyTorch: the mean of |x - t|
        assert loss.grad_fn.next_functions[0][0].variable is a  # one node


def test_regression_losses_of_integers_and_of_nothing_as_pytorchs():
    ints = mg.tensor([1, 5]), mg.tensor([0, 0])
    total = F.l1_loss(*ints, reduction="sum")
    assert total.tolist() == 6 and total.dtype is mg.int64
    for fn in (F.mse_loss, F.huber_loss, F.smooth_l1_loss):
        with pytest.raises(RuntimeError, match="both integer"):
            fn(*ints)
    with pytest.raises(RuntimeError, match="could not infer output dtype"):
        F.l1_loss(*ints)
    assert math.isnan(F.mse_loss(mg.zeros(0), mg.zeros(0)).item())


def test_mse_and_mae_textbook_values():
    assert nn.MSELoss()(mg.tensor([1.0, 2.0]), mg.tensor([0.0, 4.0])).item() == 2.5
    assert nn.L1Loss()(mg.tensor([1.0, 2.0]), mg.tensor([0.0, 4.0])).item() == 1.5


def test_huber_equals_smooth_l1_times_beta(backend):
    a, b = mg.tensor(A), mg.tensor(B)
    huber, smooth = nn.HuberLoss(delta=0.7)(a, b), nn.SmoothL1Loss(beta=0.7)(a, b)
    np.testing.assert_allclose(host(huber), 0.7 * host(smooth), rtol=1e-6)


def test_mse_shape_mismatch_warns():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(mg.ones(3, 1), mg.ones(3))


# --- KL divergence ---------------------------------------------------------------------------------------
def test_kl_div_batchmean_matches_definition(backend):
    p = np.array([[0.2, 0.8], [0.5, 0.5]])
    q = np.array([[0.4, 0.6], [0.9, 0.1]])
    out = nn.KLDivLoss(reduction="batchmean")(mg.tensor(np.log(q)), mg.tensor(p))
    np.testing.assert_allclose(out.item(), (p * np.log(p / q)).sum() / 2, rtol=1e-6)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_kl_div_zero_target_contributes_nothing(backend, reduction):
    out = F.kl_div(mg.tensor([[-1.0, -2.0]]), mg.tensor([[0.0, 1.0]]), reduction=reduction)
    per = np.array([[0.0, 1.0 * (0.0 + 2.0)]])
    expected = {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
    np.testing.assert_allclose(host(out), expected, rtol=1e-6)


def test_kl_div_log_target(backend):
    x = np.log(np.array([0.3, 0.7]))
    t = np.log(np.array([0.5, 0.5]))
    out = F.kl_div(mg.tensor(x), mg.tensor(t), reduction="sum", log_target=True)
    np.testing.assert_allclose(out.item(), (np.exp(t) * (t - x)).sum(), rtol=1e-6)


def test_kl_div_gradcheck(backend, float64):
    x = mg.tensor(np_log_softmax(LOGITS), requires_grad=True)
    t = mg.tensor(np.exp(np_log_softmax(LOGITS[::-1].copy())))
    assert gradcheck(lambda x: F.kl_div(x, t, reduction="batchmean"), (x,))


# --- others -------------------------------------------------------------------------------------------
def test_other_losses_against_formulas():
    x1, x2 = np.array([0.3, -1.0]), np.array([0.1, 0.5])
    y = np.array([1.0, -1.0])
    np.testing.assert_allclose(F.margin_ranking_loss(mg.tensor(x1), mg.tensor(x2), mg.tensor(y), 0.2).item(),
                               np.maximum(0, -y * (x1 - x2) + 0.2).mean(), rtol=1e-6)
    np.testing.assert_allclose(F.soft_margin_loss(mg.tensor(x1), mg.tensor(y)).item(),
                               np.log1p(np.exp(-y * x1)).mean(), rtol=1e-6)
    np.testing.assert_allclose(F.poisson_nll_loss(mg.tensor(x1), mg.tensor([2.0, 0.0])).item(),
                               (np.exp(x1) - np.array([2.0, 0.0]) * x1).mean(), rtol=1e-6)
    gauss = F.gaussian_nll_loss(mg.tensor(x1), mg.tensor(x2), mg.tensor([0.5, 2.0]))
    np.testing.assert_allclose(gauss.item(),
                               (0.5 * (np.log([0.5, 2.0]) + (x1 - x2) ** 2 / [0.5, 2.0])).mean(), rtol=1e-6)


def test_cross_entropy_weight_on_other_device_raises(backend):
    if backend.type == "cpu":
        pytest.skip("needs a second device")
    with mg.use_backend("numpy"):
        weight = mg.tensor(WEIGHT)
    with pytest.raises(RuntimeError, match="weight on cpu but input on strict"):
        F.cross_entropy(mg.tensor(LOGITS), mg.tensor(LABELS), weight=weight)


def test_gaussian_nll_var_below_eps_is_clamped_but_passes_its_gradient():
    # PyTorch clamps var to eps without recording the clamp: d/dv of ½(log v + d²/v) at v = eps
    x = mg.tensor([0.5, 1.0], dtype=mg.float64)
    v = mg.tensor([1e-8, 0.3], dtype=mg.float64, requires_grad=True)
    F.gaussian_nll_loss(x, mg.zeros(2, dtype=mg.float64), v).backward()
    eps, d = 1e-6, 0.5
    assert v.grad[0].item() == pytest.approx(0.5 * (1 / eps - d * d / eps**2) / 2, rel=1e-12)


def test_multilabel_soft_margin_loss_by_hand(backend):
    x = mg.tensor([[0.0, 2.0], [-1.0, 1.0]])
    y = mg.tensor([[1.0, 0.0], [0.0, 1.0]])
    # each element: log(1 + e^(-x)) where y = 1, log(1 + e^x) where y = 0; mean over classes
    s = math.log1p
    per_sample = [(s(1.0) + s(math.exp(2.0))) / 2, (s(math.exp(-1.0)) + s(math.exp(-1.0))) / 2]
    assert F.multilabel_soft_margin_loss(x, y, reduction="none").tolist() == pytest.approx(per_sample)
    assert F.multilabel_soft_margin_loss(x, y).item() == pytest.approx(sum(per_sample) / 2)
    w = mg.tensor([2.0, 0.0])
    loss = nn.MultiLabelSoftMarginLoss(weight=w, reduction="sum")(x, y)
    assert loss.item() == pytest.approx(s(1.0) + s(math.exp(-1.0)))
    assert "weight" in dict(nn.MultiLabelSoftMarginLoss(weight=w).named_buffers())


def test_multilabel_soft_margin_loss_gradcheck(backend, float64):
    x = mg.tensor(LOGITS, requires_grad=True)
    y = mg.tensor((RNG.random((5, 4)) > 0.5).astype(float))
    assert gradcheck(lambda t: F.multilabel_soft_margin_loss(t, y, weight=mg.tensor(WEIGHT)), (x,))
    assert gradgradcheck(lambda t: F.multilabel_soft_margin_loss(t, y), (x,))


def test_multi_margin_loss_by_hand(backend):
    x = mg.tensor([[0.1, 0.2, 0.4, 0.8]])
    y = mg.tensor([3])
    # PyTorch's docs example: ((1 - 0.8 + 0.1) + (1 - 0.8 + 0.2) + (1 - 0.8 + 0.4)) / 4
    assert F.multi_margin_loss(x, y).item() == pytest.approx(0.325)
    assert F.multi_margin_loss(x, y, p=2).item() == pytest.approx((0.09 + 0.16 + 0.36) / 4)
    w = mg.tensor([1.0, 1.0, 1.0, 2.0])
    assert nn.MultiMarginLoss(weight=w)(x, y).item() == pytest.approx(0.65)
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        F.multi_margin_loss(x, y, p=3)


def test_multilabel_margin_loss_by_hand(backend):
    x = mg.tensor([[0.1, 0.2, 0.4, 0.8]])
    y = mg.tensor([[3, 0, -1, 1]])  # classes 3 and 0; the 1 after -1 does not count
    # PyTorch's docs example: 0.85
    assert F.multilabel_margin_loss(x, y).item() == pytest.approx(0.85)
    assert nn.MultiLabelMarginLoss(reduction="none")(x[0], y[0]).item() == pytest.approx(0.85)


def test_triplet_margin_with_distance_loss_defaults_to_triplet_margin_loss(backend):
    a, p, n = (mg.tensor(RNG.standard_normal((4, 3))) for _ in range(3))
    expected = F.triplet_margin_loss(a, p, n, eps=0.0).item()
    assert F.triplet_margin_with_distance_loss(a, p, n,
                                               distance_function=lambda u, v: (u - v).norm(dim=-1)).item() \
        == pytest.approx(expected, rel=1e-6)
    assert nn.TripletMarginWithDistanceLoss(margin=0.0)(a, a, n).item() == 0.0


def test_margin_losses_gradcheck(backend, float64):
    x = mg.tensor(LOGITS, requires_grad=True)
    y = mg.tensor(LABELS)
    labels = mg.tensor([[0, 3, -1, 0], [1, -1, 0, 0], [2, 1, 0, -1], [3, -1, 2, 2], [0, 1, 2, 3]])
    assert gradcheck(lambda t: F.multi_margin_loss(t, y, p=2, margin=2.0, weight=mg.tensor(WEIGHT)), (x,))
    assert gradcheck(lambda t: F.multilabel_margin_loss(t[:, :4], labels), (x,))


def test_ctc_loss_sums_the_alignments_by_hand(backend):
    # T = 2 frames, classes (blank, a), target "a": alignments aa, a-, -a
    y = np.array([[0.3, 0.7], [0.6, 0.4]])
    log_probs = mg.tensor(np.log(y)[:, None, :])
    p = y[0, 1] * y[1, 1] + y[0, 1] * y[1, 0] + y[0, 0] * y[1, 1]
    loss = F.ctc_loss(log_probs, mg.tensor([[1]]), [2], [1], reduction="sum")
    assert loss.item() == pytest.approx(-math.log(p))
    # "aa" needs a blank between the two a's: three frames allow only a-a
    y3 = np.array([[0.2, 0.8], [0.5, 0.5], [0.1, 0.9]])
    loss = nn.CTCLoss(reduction="none")(mg.tensor(np.log(y3)[:, None, :]), mg.tensor([[1, 1]]), [3], [2])
    assert loss.item() == pytest.approx(-math.log(0.8 * 0.5 * 0.9))


def test_ctc_loss_impossible_alignment_and_reductions(backend):
    log_probs = mg.tensor(np.log(np.full((2, 2, 3), 1 / 3)))
    targets = mg.tensor([[1, 2, 1], [2, 0, 0]])
    losses = F.ctc_loss(log_probs, targets, [2, 2], [3, 1], reduction="none")
    assert math.isinf(losses.tolist()[0])  # three labels cannot fit in two frames
    zeroed = F.ctc_loss(log_probs, targets, [2, 2], [3, 1], reduction="none", zero_infinity=True)
    assert zeroed.tolist()[0] == 0.0
    concatenated = mg.tensor([1, 2, 1, 2])
    flat = F.ctc_loss(log_probs, concatenated, [2, 2], [3, 1], reduction="none", zero_infinity=True)
    assert flat.tolist() == pytest.approx(zeroed.tolist())
    mean = F.ctc_loss(log_probs, targets, [2, 2], [3, 1], zero_infinity=True)
    assert mean.item() == pytest.approx(losses.tolist()[1] / 1 / 2)


def test_ctc_loss_gradcheck(backend, float64):
    rng = np.random.default_rng(0)
    logits = mg.tensor(rng.standard_normal((5, 2, 4)), requires_grad=True)
    targets = mg.tensor([[1, 1, 2], [3, 2, 0]])
    assert gradcheck(lambda x: F.ctc_loss(x.log_softmax(2), targets, [5, 4], [3, 2], reduction="none"),
                     (logits,))
