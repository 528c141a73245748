"""Layers and their functional forms: shapes, hand-computed values, gradients, train/eval behaviour."""

import math
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.autograd import gradcheck, gradgradcheck


def host(t):
    return t.detach().cpu().numpy()


def randn64(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return mg.tensor(rng.standard_normal(shape), dtype=mg.float64, requires_grad=True)


# --- Linear -------------------------------------------------------------------------------------------
def test_linear_values(backend):
    layer = nn.Linear(2, 3)
    with mg.no_grad():
        layer.weight.copy_(mg.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
        layer.bias.copy_(mg.tensor([0.5, -0.5, 0.0]))
    out = layer(mg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert out.device == backend
    assert out.tolist() == [[1.5, 1.5, 3.0], [3.5, 3.5, 7.0]]


def test_linear_gradients_match_formulas(backend):
    layer = nn.Linear(2, 1)
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    layer(x).sum().backward()
    assert layer.weight.grad.tolist() == [[4.0, 6.0]]
    assert layer.bias.grad.tolist() == [2.0]


def test_linear_accepts_extra_leading_dims(backend):
    assert nn.Linear(4, 2)(mg.ones(3, 5, 4)).shape == (3, 5, 2)
    assert nn.Linear(4, 2)(mg.ones(4)).shape == (2,)


def test_linear_without_bias():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None and list(layer.state_dict()) == ["weight"]
    assert layer(mg.ones(1, 3)).shape == (1, 2)


def test_linear_functional_gradcheck(backend, float64):
    x, w, b = randn64(3, 2, 4), randn64(5, 4, seed=1), randn64(5, seed=2)
    assert gradcheck(F.linear, (x, w, b))
    assert gradgradcheck(F.linear, (x, w, b))


def test_linear_default_init_bounds():
    mg.manual_seed(0)
    layer = nn.Linear(100, 400)
    bound = 1 / math.sqrt(100)
    w, b = host(layer.weight), host(layer.bias)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound


def test_linear_init_is_reproducible_under_manual_seed():
    mg.manual_seed(123)
    a = nn.Linear(3, 3)
    mg.manual_seed(123)
    b = nn.Linear(3, 3)
    np.testing.assert_array_equal(host(a.weight), host(b.weight))
    np.testing.assert_array_equal(host(a.bias), host(b.bias))


def test_linear_dtype_argument():
    assert nn.Linear(2, 2, dtype=mg.float64).weight.dtype == mg.float64


def test_bilinear_shape_and_gradcheck(float64):
    layer = nn.Bilinear(2, 3, 4)
    assert layer(mg.ones(5, 2), mg.ones(5, 3)).shape == (5, 4)
    assert gradcheck(F.bilinear, (randn64(2, 2), randn64(2, 3, seed=1), randn64(4, 2, 3, seed=2),
                                  randn64(4, seed=3)))


# --- activations -----------------------------------------------------------------------------------------
X = [-2.0, -0.5, 0.0, 1.5]


def _sig(v):
    return 1 / (1 + math.exp(-v))


ACTIVATIONS = [
    (nn.ReLU(), lambda v: max(v, 0.0)),
    (nn.LeakyReLU(0.1), lambda v: v if v > 0 else 0.1 * v),
    (nn.ELU(alpha=0.5), lambda v: v if v > 0 else 0.5 * (math.exp(v) - 1)),
    (nn.GELU(), lambda v: 0.5 * v * (1 + math.erf(v / math.sqrt(2)))),
    (nn.GELU("tanh"), lambda v: 0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3)))),
    (nn.SiLU(), lambda v: v * _sig(v)),
    (nn.Sigmoid(), _sig),
    (nn.Tanh(), math.tanh),
    (nn.Softplus(), lambda v: math.log1p(math.exp(v))),
    (nn.Softplus(beta=2.0), lambda v: math.log1p(math.exp(2 * v)) / 2),
    (nn.ReLU6(), lambda v: min(max(v, 0.0), 6.0)),
    (nn.Hardtanh(), lambda v: min(max(v, -1.0), 1.0)),
    (nn.Mish(), lambda v: v * math.tanh(math.log1p(math.exp(v)))),
    (nn.LogSigmoid(), lambda v: math.log(_sig(v))),
    (nn.SELU(), lambda v: 1.0507009873554805 * (v if v > 0 else 1.6732632423543772 * (math.exp(v) - 1))),
    (nn.CELU(alpha=2.0), lambda v: v if v > 0 else 2.0 * (math.exp(v / 2.0) - 1)),
    (nn.PReLU(), lambda v: v if v >= 0 else 0.25 * v),
    (nn.Threshold(0.1, 20.0), lambda v: v if v > 0.1 else 20.0),
    (nn.Hardsigmoid(), lambda v: min(max(v + 3, 0.0), 6.0) / 6),
    (nn.Hardswish(), lambda v: v * min(max(v + 3, 0.0), 6.0) / 6),
    (nn.Softsign(), lambda v: v / (1 + abs(v))),
    (nn.Tanhshrink(), lambda v: v - math.tanh(v)),
    (nn.Hardshrink(0.6), lambda v: v if abs(v) > 0.6 else 0.0),
    (nn.Softshrink(0.6), lambda v: v - 0.6 if v > 0.6 else v + 0.6 if v < -0.6 else 0.0),
]


@pytest.mark.parametrize("layer,fn", ACTIVATIONS, ids=[repr(a[0]) for a in ACTIVATIONS])
def test_activation_values(backend, layer, fn):
    out = layer.to(backend)(mg.tensor(X))
    np.testing.assert_allclose(out.tolist(), [fn(v) for v in X], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn", [F.relu, F.leaky_relu, F.elu, F.gelu, F.silu, F.sigmoid, F.tanh, F.softplus,
                                F.mish, F.logsigmoid, F.selu, F.celu, F.hardswish, F.softsign, F.tanhshrink,
                                F.softshrink, F.glu], ids=lambda f: f.__name__)
def test_activation_gradcheck(backend, float64, fn):
    x = mg.tensor([-1.3, -0.4, 0.3, 2.1], dtype=mg.float64, requires_grad=True)
    assert gradcheck(fn, (x,))


def test_prelu_per_channel_and_gradcheck(backend, float64):
    layer = nn.PReLU(3, init=0.5)
    assert layer.weight.tolist() == [0.5, 0.5, 0.5]
    x, w = randn64(2, 3, 4), randn64(3, seed=1)
    assert gradcheck(F.prelu, (x, w))


def test_prelu_of_a_0d_input_is_0d(backend):
    w = mg.tensor([0.25], requires_grad=True)
    y = F.prelu(mg.tensor(-2.0), w)
    assert y.shape == () and y.item() == -0.5  # PyTorch: tensor(-0.5000), of shape ()
    y.backward()
    assert w.grad.shape == (1,) and w.grad.tolist() == [-2.0]


def test_glu_halves_last_dim(backend):
    out = nn.GLU()(mg.tensor([[1.0, 2.0, 0.0, 100.0]]))
    np.testing.assert_allclose(out.tolist(), [[0.5, 2.0]], rtol=1e-6)


def test_softmax_and_log_softmax_layers(backend):
    x = mg.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    p = nn.Softmax(dim=1)(x)
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(p.tolist()[0], e / e.sum(), rtol=1e-6)
    np.testing.assert_allclose(nn.LogSoftmax(dim=1)(x).tolist()[1], [-math.log(3)] * 3, rtol=1e-6)


def test_softmax_implicit_dim_is_pytorchs():
    x = mg.randn(2, 3)
    np.testing.assert_allclose(host(F.softmax(x)), host(x.softmax(1)))


def test_activation_repr():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"


# --- Flatten / Identity / one_hot ---------------------------------------------------------------------
def test_flatten_and_unflatten(backend):
    x = mg.ones(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert nn.Unflatten(1, (3, 20))(nn.Flatten()(x)).shape == (2, 3, 20)


def test_identity_returns_input():
    x = mg.ones(2)
    assert nn.Identity(54, unused="x")(x) is x


def test_one_hot(backend):
    out = F.one_hot(mg.tensor([[0, 2], [1, 1]]), 4)
    assert out.dtype == mg.int64 and out.shape == (2, 2, 4)
    assert out.tolist() == [[[1, 0, 0, 0], [0, 0, 1, 0]], [[0, 1, 0, 0], [0, 1, 0, 0]]]
    assert F.one_hot(mg.tensor([3, 0])).shape == (2, 4)


def test_one_hot_rejects_out_of_range():
    with pytest.raises(RuntimeError, match="class values"):
        F.one_hot(mg.tensor([3]), 3)


# --- BatchNorm ------------------------------------------------------------------------------------------
def test_batchnorm1d_train_values_and_running_stats(backend):
    bn = nn.BatchNorm1d(2, momentum=0.5)
    x = mg.tensor([[1.0, 0.0], [2.0, 0.0], [3.0, 6.0]])
    y = bn(x)
    mean = np.array([2.0, 2.0])
    var = np.array([2 / 3, 8.0])
    expected = (np.array([[1, 0], [2, 0], [3, 6.0]]) - mean) / np.sqrt(var + 1e-5)
    np.testing.assert_allclose(host(y), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(host(bn.running_mean), 0.5 * mean, rtol=1e-6)
    # running variance takes the unbiased batch variance
    np.testing.assert_allclose(host(bn.running_var), 0.5 + 0.5 * var * 3 / 2, rtol=1e-6)
    assert bn.num_batches_tracked.item() == 1


def test_batchnorm_eval_uses_running_stats(backend):
    bn = nn.BatchNorm1d(1)
    with mg.no_grad():
        bn.running_mean.fill_(1.0)
        bn.running_var.fill_(4.0)
        bn.weight.fill_(2.0)
        bn.bias.fill_(0.5)
    bn.eval()
    y = bn(mg.tensor([[3.0], [5.0]]))
    std = math.sqrt(4 + 1e-5)
    np.testing.assert_allclose(host(y), [[2 * 2 / std + 0.5], [2 * 4 / std + 0.5]], rtol=1e-6)
    assert bn.num_batches_tracked.item() == 0
    assert host(bn.running_mean).tolist() == [1.0]


def test_batchnorm_momentum_none_is_cumulative_average(backend):
    bn = nn.BatchNorm1d(1, momentum=None)
    bn(mg.tensor([[0.0], [2.0]]))
    bn(mg.tensor([[4.0], [6.0]]))
    np.testing.assert_allclose(host(bn.running_mean), [3.0], rtol=1e-6)  # mean of batch means 1 and 5
    np.testing.assert_allclose(host(bn.running_var), [2.0], rtol=1e-6)   # mean of unbiased vars 2 and 2


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval(backend):
    bn = nn.BatchNorm1d(1, track_running_stats=False).eval()
    assert bn.running_mean is None and "running_mean" not in bn.state_dict()
    y = bn(mg.tensor([[1.0], [3.0]]))
    np.testing.assert_allclose(host(y), [[-1.0], [1.0]], rtol=1e-4)


def test_batchnorm2d_normalises_per_channel(backend):
    mg.manual_seed(0)
    x = mg.randn(4, 3, 5, 5) * 3 + 2
    y = host(nn.BatchNorm2d(3)(x))
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, atol=1e-3)


def test_batchnorm_state_dict_keys():
    assert list(nn.BatchNorm2d(3).state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                                    "num_batches_tracked"]


def test_batchnorm_rejects_wrong_rank():
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(mg.ones(2, 3))


def test_batchnorm_single_value_per_channel_raises():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(mg.ones(1, 3))


def test_batch_norm_train_gradcheck(backend, float64):
    x, w, b = randn64(4, 3, 2, 2), randn64(3, seed=1), randn64(3, seed=2)

    def fn(x, w, b):
        return F.batch_norm(x, None, None, w, b, training=True)
    assert gradcheck(fn, (x, w, b))


def test_batch_norm_train_gradgradcheck(float64):
    x, w = randn64(5, 2), randn64(2, seed=1)
    assert gradgradcheck(lambda x, w: F.batch_norm(x, None, None, w, None, training=True), (x, w))


def test_batch_norm_eval_gradcheck(float64):
    x, w, b = randn64(3, 2), randn64(2, seed=1), randn64(2, seed=2)
    rm, rv = mg.tensor([0.5, -1.0], dtype=mg.float64), mg.tensor([2.0, 0.5], dtype=mg.float64)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False), (x, w, b))


# --- LayerNorm / GroupNorm ------------------------------------------------------------------------------
def test_layernorm_values(backend):
    ln = nn.LayerNorm(4)
    x = mg.tensor([[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0]])
    row = np.array([1.0, 2, 3, 4])
    expected = (row - 2.5) / np.sqrt(1.25 + 1e-5)
    y = host(ln(x))
    np.testing.assert_allclose(y[0], expected, rtol=1e-5)
    np.testing.assert_allclose(y[1], 0.0, atol=1e-6)


def test_layernorm_multi_dim_shape_and_params():
    ln = nn.LayerNorm((3, 4))
    assert ln.weight.shape == (3, 4) and ln(mg.randn(2, 3, 4)).shape == (2, 3, 4)


def test_layernorm_rejects_wrong_trailing_shape():
    with pytest.raises(RuntimeError, match="expected input with shape"):
        nn.LayerNorm(5)(mg.ones(2, 4))


def test_layer_norm_gradcheck(backend, float64):
    x, w, b = randn64(3, 4), randn64(4, seed=1), randn64(4, seed=2)
    assert gradcheck(lambda x, w, b: F.layer_norm(x, (4,), w, b), (x, w, b))


def test_layer_norm_gradgradcheck(float64):
    x, w = randn64(2, 3), randn64(3, seed=1)
    assert gradgradcheck(lambda x, w: F.layer_norm(x, (3,), w), (x, w))


def test_group_norm_matches_manual_and_gradcheck(float64):
    x, w, b = randn64(2, 4, 3), randn64(4, seed=1), randn64(4, seed=2)
    y = host(F.group_norm(x, 2, w, b))
    xs = host(x).reshape(2, 2, 6)
    manual = ((xs - xs.mean(-1, keepdims=True)) / np.sqrt(xs.var(-1, keepdims=True) + 1e-5)).reshape(2, 4, 3)
    np.testing.assert_allclose(y, manual * host(w)[:, None] + host(b)[:, None], rtol=1e-10)
    assert gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b))


def test_instance_norm2d_values_and_unbatched(backend):
    x = mg.tensor([[[[1.0, 3.0]], [[0.0, 10.0]]]])
    y = host(nn.InstanceNorm2d(2)(x))
    np.testing.assert_allclose(y.reshape(2, 2), [[-1, 1], [-1, 1]], rtol=1e-4)
    assert nn.InstanceNorm2d(2)(x[0]).shape == (2, 1, 2)


def test_instance_norm_running_stats_average_over_instances(backend):
    norm = nn.InstanceNorm1d(1, track_running_stats=True, momentum=1.0)
    norm(mg.tensor([[[0.0, 2.0]], [[4.0, 8.0]]]))
    np.testing.assert_allclose(host(norm.running_mean), [3.5], rtol=1e-6)  # mean of 1 and 6
    np.testing.assert_allclose(host(norm.running_var), [5.0], rtol=1e-6)   # mean of 2 and 8
    norm.eval()
    np.testing.assert_allclose(host(norm(mg.tensor([[[3.5, 5.5]]]))), [[[0.0, 2 / math.sqrt(5 + 1e-5)]]],
                               rtol=1e-5, atol=1e-6)


# --- Dropout ----------------------------------------------------------------------------------------------
def test_dropout_train_zeroes_and_rescales(backend):
    mg.manual_seed(0)
    drop = nn.Dropout(0.25)
    y = host(drop(mg.ones(200, 100)))
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert abs(kept.mean() - 0.75) < 0.01


def test_dropout_eval_is_identity(backend):
    x = mg.randn(3, 4)
    assert nn.Dropout(0.5).eval()(x) is x


def test_dropout_gradient_uses_same_mask(backend):
    mg.manual_seed(1)
    x = mg.ones(50, requires_grad=True)
    y = F.dropout(x, 0.5)
    y.sum().backward()
    np.testing.assert_array_equal(host(x.grad), host(y))


def test_dropout_reproducible_under_manual_seed():
    mg.manual_seed(7)
    a = host(F.dropout(mg.ones(100), 0.5))
    mg.manual_seed(7)
    b = host(F.dropout(mg.ones(100), 0.5))
    np.testing.assert_array_equal(a, b)


def test_dropout_p_one_and_zero():
    x = mg.ones(5)
    assert host(F.dropout(x, 1.0)).tolist() == [0.0] * 5
    assert F.dropout(x, 0.0) is x


def test_dropout_rejects_bad_p():
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_dropout2d_zeroes_whole_channels(backend):
    mg.manual_seed(3)
    y = host(nn.Dropout2d(0.5)(mg.ones(4, 8, 3, 3)))
    per_channel = y.reshape(4, 8, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1))


# PyTorch 2.13's draws are per (dim 0, dim 1) entry for these ranks ("lead" 2), per dim-0 entry ("lead" 1);
# ranks it refuses raise, ranks it deprecates warn
CHANNEL_DROPOUT = [
    (F.dropout1d, (8, 16), 1, None), (F.dropout1d, (8, 16, 5), 2, None),
    (F.dropout1d, (4, 8, 3, 3), None, None), (F.dropout2d, (8,), None, "1-D input"),
    (F.dropout2d, (64, 32), 2, "2-D input"), (F.dropout2d, (8, 16, 5), 2, "3D"),
    (F.dropout2d, (4, 8, 3, 3), 2, None), (F.dropout2d, (4, 8, 3, 3, 3), 2, "5-D input"),
    (F.dropout3d, (8, 16), 1, "2-D input"), (F.dropout3d, (8, 4, 3, 3), 1, None),
    (F.dropout3d, (4, 8, 3, 3, 3), 2, None),
]


@pytest.mark.parametrize("fn, shape, lead, warning", CHANNEL_DROPOUT,
                         ids=[f"{f.__name__}-{len(s)}d" for f, s, _, _ in CHANNEL_DROPOUT])
def test_channel_dropout_draws_per_channel_on_every_rank(fn, shape, lead, warning):
    mg.manual_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if lead is None:
            with pytest.raises(RuntimeError, match="Expected 2D or 3D input|at least 2 dimensions"):
                fn(mg.ones(*shape), 0.5)
            return
        y = host(fn(mg.ones(*shape), 0.5))
    messages = [str(w.message) for w in caught]
    assert any(warning in m for m in messages) if warning else not messages
    kept = (y != 0).reshape(shape[:lead] + (-1,))
    assert np.all(kept.all(-1) | ~kept.any(-1))  # each draw keeps or zeroes everything after the lead axes
    assert 0.3 < kept.mean() < 0.7 and set(np.unique(y)) <= {0.0, 2.0}


def test_dropout2d_on_batch_by_features_never_drops_whole_samples():
    mg.manual_seed(1)
    with pytest.warns(UserWarning, match="2-D input"):
        y = host(nn.Dropout2d(0.5)(mg.ones(64, 32)))
    assert (y != 0).any(1).all() and (y == 0).any(1).all()  # every sample keeps some features, drops others


def test_new_dropout_modules_are_identity_in_eval():
    x = mg.randn(2, 3, 4, 4, 4)
    for layer in (nn.Dropout3d(0.5), nn.AlphaDropout(0.5), nn.FeatureAlphaDropout(0.5)):
        assert layer.eval()(x) is x


def test_alpha_dropout_keeps_zero_mean_unit_variance_and_its_two_values():
    mg.manual_seed(0)
    x = mg.randn(200_000, dtype=mg.float64)
    y = F.alpha_dropout(x, 0.2, training=True)
    assert abs(y.mean().item()) < 0.01 and abs(y.var().item() - 1.0) < 0.01
    alpha = 1.7580993408473766
    a = 1 / math.sqrt((alpha ** 2 * 0.2 + 1) * 0.8)
    dropped = host(y)[np.isclose(host(y), alpha * a * (0.2 - 1))]
    assert 0.19 < dropped.size / 200_000 < 0.21
    kept = ~np.isclose(host(y), alpha * a * (0.2 - 1))
    np.testing.assert_allclose(host(y)[kept], a * host(x)[kept] + alpha * a * 0.2)


def test_feature_alpha_dropout_draws_per_channel_and_gradchecks(float64):
    x = mg.randn(3, 4, 5, requires_grad=True)

    def fn(t):
        mg.manual_seed(2)
        return F.feature_alpha_dropout(t, 0.5, training=True)
    y = host(fn(x))
    a = 1 / math.sqrt((1.7580993408473766 ** 2 * 0.5 + 1) * 0.5)
    dropped = np.isclose(y, 1.7580993408473766 * a * (0.5 - 1)).reshape(12, 5)
    assert np.all(dropped.all(-1) | ~dropped.any(-1))
    assert gradcheck(fn, [x])


# --- Embedding ---------------------------------------------------------------------------------------------
def test_embedding_lookup_values(backend):
    emb = nn.Embedding(4, 2)
    with mg.no_grad():
        emb.weight.copy_(mg.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]]))
    out = emb(mg.tensor([[3, 0], [1, 1]]))
    assert out.shape == (2, 2, 2)
    assert out.tolist() == [[[6.0, 7.0], [0.0, 1.0]], [[2.0, 3.0], [2.0, 3.0]]]


def test_embedding_gradient_accumulates_repeats_and_skips_padding(backend):
    emb = nn.Embedding(4, 2, padding_idx=1)
    assert host(emb.weight)[1].tolist() == [0.0, 0.0]
    out = emb(mg.tensor([2, 2, 1, 0]))
    (out * mg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])).sum().backward()
    assert host(emb.weight.grad).tolist() == [[7.0, 8.0], [0.0, 0.0], [4.0, 6.0], [0.0, 0.0]]


def test_embedding_default_init_is_standard_normal():
    mg.manual_seed(0)
    w = host(nn.Embedding(1000, 100).weight)
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01


@pytest.mark.parametrize("mode, expected", [
    ("sum", [[1.0, 2.0], [0.0, 0.0], [6.0, 8.0]]),
    ("mean", [[0.5, 1.0], [0.0, 0.0], [3.0, 4.0]]),
    ("max", [[1.0, 2.0], [0.0, 0.0], [5.0, 7.0]]),
])
def test_embedding_bag_reduces_each_bag_empty_bags_are_zero(backend, mode, expected):
    table = mg.tensor([[1.0, 0.0], [0.0, 2.0], [5.0, 1.0], [1.0, 7.0]])
    # bags [0, 1], [], [2, 3] by offsets; the same as rows of a 2-D input where lengths agree
    out = F.embedding_bag(mg.tensor([0, 1, 2, 3]), table, mg.tensor([0, 2, 2]), mode=mode)
    assert out.tolist() == expected
    rows = F.embedding_bag(mg.tensor([[0, 1], [2, 3]]), table, mode=mode)
    assert rows.tolist() == [expected[0], expected[2]]


def test_embedding_bag_weights_padding_and_gradients_as_pytorch(backend):
    table = mg.tensor([[1.0, 0.0], [0.0, 2.0], [5.0, 1.0], [1.0, 7.0]], requires_grad=True)
    scale = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = F.embedding_bag(mg.tensor([0, 1, 1]), table, mg.tensor([0, 1]), mode="sum",
                          per_sample_weights=scale)
    assert out.tolist() == [[1.0, 0.0], [0.0, 10.0]]
    (out * mg.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert table.grad.tolist() == [[1.0, 2.0], [15.0, 20.0], [0.0, 0.0], [0.0, 0.0]]
    assert scale.grad.tolist() == [1.0, 8.0, 8.0]  # each row's projection on its bag's gradient
    bag = nn.EmbeddingBag(4, 2, padding_idx=1)  # mean over the indices that are not padding
    assert bag(mg.tensor([1, 2, 1, 1]), mg.tensor([0, 2])).tolist() == [bag.weight[2].tolist(), [0.0, 0.0]]
    with pytest.raises(RuntimeError, match="offsets\\[0\\] has to be 0"):
        F.embedding_bag(mg.tensor([0, 1]), table, mg.tensor([1]))
    with pytest.raises(NotImplementedError, match="only supported for mode='sum'"):
        F.embedding_bag(mg.tensor([0, 1]), table, mg.tensor([0]), per_sample_weights=scale[:2])


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_gradcheck(backend, float64, mode):
    indices, offsets = mg.tensor([0, 2, 1, 2]), mg.tensor([0, 1, 1])
    table = mg.randn(3, 2, requires_grad=True)
    assert gradcheck(lambda w: F.embedding_bag(indices, w, offsets, mode=mode), (table,))


def test_embedding_gradcheck(backend, float64):
    w = randn64(5, 3)
    idx = mg.tensor([[0, 4], [4, 2]])
    assert gradcheck(lambda w: F.embedding(idx, w), (w,))


def test_embedding_out_of_range_raises():
    with pytest.raises(IndexError, match="out of range"):
        nn.Embedding(3, 2)(mg.tensor([3]))


def test_embedding_from_pretrained_is_frozen():
    emb = nn.Embedding.from_pretrained(mg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert not emb.weight.requires_grad and emb(mg.tensor([1])).tolist() == [[3.0, 4.0]]


def test_embedding_max_norm_renormalises_used_rows():
    emb = nn.Embedding.from_pretrained(mg.tensor([[3.0, 4.0], [6.0, 8.0]]), max_norm=1.0)
    emb(mg.tensor([0]))
    np.testing.assert_allclose(host(emb.weight), [[0.6, 0.8], [6.0, 8.0]], rtol=1e-5)


# --- padding layers ---------------------------------------------------------------------------------
def test_padding_layers_by_hand(backend):
    x = mg.tensor([[[1.0, 2.0, 3.0]]])
    assert nn.ReflectionPad1d((2, 1))(x).tolist() == [[[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]]
    assert nn.ReplicationPad1d(1)(x).tolist() == [[[1.0, 1.0, 2.0, 3.0, 3.0]]]
    assert nn.CircularPad1d((1, 2))(x).tolist() == [[[3.0, 1.0, 2.0, 3.0, 1.0, 2.0]]]
    assert nn.ConstantPad1d(1, -1.0)(x).tolist() == [[[-1.0, 1.0, 2.0, 3.0, -1.0]]]
    img = mg.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    assert nn.ZeroPad2d((1, 0, 0, 1))(img).tolist() == [[[[0.0, 1.0, 2.0], [0.0, 3.0, 4.0], [0.0, 0.0, 0.0]]]]
    assert nn.ReflectionPad2d(1)(img)[0, 0, 0].tolist() == [4.0, 3.0, 4.0, 3.0]
    assert nn.ReplicationPad3d(1)(mg.ones(1, 2, 2, 2)).shape == (1, 4, 4, 4)  # unbatched (C, D, H, W)


def test_padding_layers_repr_and_errors():
    assert repr(nn.ReflectionPad2d(2)) == "ReflectionPad2d((2, 2, 2, 2))"
    assert repr(nn.ZeroPad2d((1, 0, 2, 1))) == "ZeroPad2d((1, 0, 2, 1))"
    assert repr(nn.ConstantPad1d(1, 2.0)) == "ConstantPad1d(padding=(1, 1), value=2.0)"
    with pytest.raises(ValueError, match="ReflectionPad2d: padding must be an int or 4 ints"):
        nn.ReflectionPad2d((1, 2))
    with pytest.raises(RuntimeError, match=r"ReflectionPad2d: expected a 3-d or 4-d \(batched\) input"):
        nn.ReflectionPad2d(1)(mg.ones(3, 3))


def test_reflection_pad_gradient_adds_up_the_mirrored_copies(backend):
    x = mg.tensor([[[1.0, 2.0, 3.0]]], requires_grad=True)
    nn.ReflectionPad1d(2)(x).sum().backward()  # 3 2 [1 2 3] 2 1
    assert x.grad.tolist() == [[[2.0, 3.0, 2.0]]]


# --- local response norm, RReLU, Softmax2d --------------------------------------------------------------
def test_local_response_norm_by_hand(backend):
    # size 2: channel c sums the squares of channels c - 1 and c (a zero beyond the edge)
    x = mg.tensor([[[1.0], [2.0], [3.0]]])
    out = F.local_response_norm(x, 2, alpha=0.5, beta=1.0, k=1.0)
    expected = [1 / (1 + 0.25 * 1), 2 / (1 + 0.25 * 5), 3 / (1 + 0.25 * 13)]
    np.testing.assert_allclose(host(out).ravel(), expected, rtol=1e-6)
    layer = nn.LocalResponseNorm(3, alpha=1e-2, beta=0.75, k=2.0)
    assert repr(layer) == "LocalResponseNorm(3, alpha=0.01, beta=0.75, k=2.0)"
    y = mg.randn(2, 5, 3, 4)
    assert layer(y).shape == y.shape
    assert nn.LocalResponseNorm(2)(mg.randn(1, 3, 2, 2, 2)).shape == (1, 3, 2, 2, 2)
    with pytest.raises(ValueError, match=r"Expected 3D or higher dimensionality input \(got 2 dimensions\)"):
        F.local_response_norm(mg.ones(2, 3), 2)


def test_local_response_norm_gradcheck(backend, float64):
    x = randn64(2, 4, 3)
    assert gradcheck(lambda t: F.local_response_norm(t, 3, alpha=0.5, beta=0.75, k=1.5), (x,))
    assert gradgradcheck(lambda t: F.local_response_norm(t, 2, alpha=0.5, beta=0.75, k=1.5), (x,))


def test_rrelu_evaluation_uses_the_mean_slope(backend):
    x = mg.tensor([-2.0, 0.0, 3.0])
    assert F.rrelu(x, 0.1, 0.3).tolist() == pytest.approx([-0.4, 0.0, 3.0])
    layer = nn.RReLU(0.1, 0.3).eval()
    assert layer(x).tolist() == pytest.approx([-0.4, 0.0, 3.0])
    assert repr(nn.RReLU()) == "RReLU(lower=0.125, upper=0.3333333333333333)"


def test_rrelu_training_draws_a_slope_per_element_and_passes_it_as_gradient(backend):
    mg.manual_seed(0)
    x = mg.full((1000,), -1.0, requires_grad=True)
    y = nn.RReLU(0.1, 0.3)(x)
    slope = -host(y)
    assert slope.min() >= 0.1 and slope.max() <= 0.3 and len(np.unique(slope)) > 900
    y.sum().backward()
    np.testing.assert_allclose(host(x.grad), slope)
    assert F.rrelu(mg.tensor([2.0]), training=True).tolist() == [2.0]


def test_softmax2d_normalises_over_channels(backend):
    x = mg.randn(2, 3, 4, 5)
    np.testing.assert_allclose(host(nn.Softmax2d()(x).sum(1)), np.ones((2, 4, 5)), rtol=1e-6)
    assert nn.Softmax2d()(mg.randn(3, 4, 5)).shape == (3, 4, 5)
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D instead"):
        nn.Softmax2d()(mg.ones(2, 3))


# --- RMSNorm, channel shuffle, LP pooling, Gumbel-softmax, in-place functional forms -------------------
def test_rms_norm_by_hand(backend):
    x = mg.tensor([[3.0, 4.0]])
    out = F.rms_norm(x, (2,), eps=0.0)
    np.testing.assert_allclose(host(out), [[3 / math.sqrt(12.5), 4 / math.sqrt(12.5)]], rtol=1e-6)
    layer = nn.RMSNorm(2, eps=1e-6)
    assert repr(layer) == "RMSNorm((2,), eps=1e-06, elementwise_affine=True)"
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    with pytest.raises(RuntimeError, match=r"rms_norm: given normalized_shape=\[3\]"):
        F.rms_norm(x, (3,))


def test_rms_norm_gradcheck(backend, float64):
    x, w = randn64(2, 3, 4), randn64(4, seed=1)
    assert gradcheck(lambda a, b: F.rms_norm(a, (4,), b, eps=1e-5), (x, w))
    assert gradgradcheck(lambda a: F.rms_norm(a, (3, 4)), (x,))


def test_channel_shuffle_and_pdist_by_hand(backend):
    x = mg.arange(4.0).reshape(1, 4, 1, 1)
    assert nn.ChannelShuffle(2)(x).flatten().tolist() == [0.0, 2.0, 1.0, 3.0]
    points = mg.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])
    assert F.pdist(points).tolist() == pytest.approx([5.0, 1.0, math.sqrt(18)])
    with pytest.raises(RuntimeError, match="divisible by groups"):
        F.channel_shuffle(mg.ones(1, 3, 2), 2)


def test_lp_pool_is_the_p_norm_of_each_window(backend):
    x = mg.tensor([[[1.0, 2.0, 2.0, 4.0]]])
    assert F.lp_pool1d(x, 2, 2).flatten().tolist() == pytest.approx([math.sqrt(5), math.sqrt(20)])
    img = mg.tensor([[[[1.0, 2.0], [2.0, 4.0]]]])
    assert nn.LPPool2d(1, 2)(img).item() == pytest.approx(9.0)


def test_gumbel_softmax_soft_and_hard(backend):
    mg.manual_seed(0)
    logits = mg.tensor([[0.0, 5.0, 0.0]] * 200, requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(host(soft.sum(-1)), 1.0, rtol=1e-5)
    hard = F.gumbel_softmax(logits, hard=True)
    assert sorted(set(host(hard).ravel().tolist())) == [0.0, 1.0] and host(hard).argmax(-1).mean() > 0.9
    (hard * mg.tensor([1.0, 2.0, 3.0])).sum().backward()  # straight-through: the soft sample's gradient
    assert logits.grad is not None and float(abs(host(logits.grad)).sum()) > 0


def test_in_place_functional_forms_write_into_the_input(backend):
    x = mg.tensor([-2.0, 3.0])
    assert F.leaky_relu_(x, 0.5) is x and x.tolist() == [-1.0, 3.0]
    F.hardtanh_(x)
    assert x.tolist() == [-1.0, 1.0]


def test_instance_norm_3d_normalises_each_channel_volume(backend):
    y = nn.InstanceNorm3d(2)(mg.randn(1, 2, 2, 3, 3))
    np.testing.assert_allclose(host(y.mean((2, 3, 4))), 0.0, atol=1e-6)


def test_upsample_nearest_and_bilinear_are_deprecated_spellings(backend):
    x = mg.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    with pytest.warns(UserWarning, match="upsample_bilinear` is deprecated"):
        out = F.upsample_bilinear(x, size=(3, 3))
    assert out[0, 0, 1].tolist() == [2.0, 2.5, 3.0]
    with pytest.warns(UserWarning, match="upsample_nearest` is deprecated"):
        assert F.upsample_nearest(x, scale_factor=2).shape == (1, 1, 4, 4)


def test_lazy_linear_takes_in_features_from_its_first_input():
    mg.manual_seed(0)
    net = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(2, bias=False))
    opt = mg.optim.SGD(net.parameters(), lr=0.1)  # created before the shapes are known, as in PyTorch
    assert repr(net[0]) == "LazyLinear(in_features=0, out_features=4, bias=True)"
    assert isinstance(net[0].weight, nn.UninitializedParameter)
    y = net(mg.ones(3, 5))
    before = host(net[0].weight).copy()
    y.sum().backward()
    opt.step()
    assert type(net[0]) is nn.Linear and net[0].in_features == 5 and net[2].in_features == 4
    assert net[0].weight.shape == (4, 5) and type(net[0].weight) is nn.Parameter
    assert np.abs(before).max() <= 1 / math.sqrt(5)  # PyTorch's default initialisation bound
    assert not np.array_equal(host(net[0].weight), before)  # the optimizer updated the materialised weight
    assert sorted(net.state_dict()) == ["0.bias", "0.weight", "2.weight"]


def test_adaptive_log_softmax_is_a_normalised_distribution_read_at_the_targets(backend):
    mg.manual_seed(0)
    asm = nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs=[4, 10], div_value=2.0)
    assert [tuple(layer.weight.shape) for layer in asm.tail[1]] == [(2, 8), (10, 2)]  # 8 / 2² wide
    x = mg.randn(6, 8)
    y = mg.tensor([0, 5, 12, 3, 19, 9])
    log_prob = asm.log_prob(x)
    np.testing.assert_allclose(host(log_prob.exp().sum(1)), 1.0, rtol=1e-5)
    out = asm(x, y)
    at_targets = log_prob.gather(1, y.unsqueeze(1)).squeeze(1)
    np.testing.assert_allclose(host(out.output), host(at_targets), rtol=1e-5)
    assert out.loss.item() == pytest.approx(-host(out.output).mean(), rel=1e-6)
    assert asm.predict(x).tolist() == host(log_prob).argmax(1).tolist()
    with pytest.raises(RuntimeError, match=r"Target values should be in \[0, 19\]"):
        asm(x, mg.tensor([0, 1, 2, 3, 4, 20]))
    with pytest.raises(ValueError, match="cutoffs should be a sequence of unique, positive integers"):
        nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs=[10, 4])


def test_adaptive_log_softmax_gradcheck(backend, float64):
    asm = nn.AdaptiveLogSoftmaxWithLoss(4, 7, cutoffs=[2, 4], div_value=2.0).double()
    x = randn64(5, 4)
    y = mg.tensor([0, 3, 6, 1, 5])
    assert gradcheck(lambda t: asm(t, y).output, (x,))


def test_embedding_scale_grad_by_freq_divides_by_the_count(backend):
    emb = nn.Embedding(4, 2, scale_grad_by_freq=True)
    emb(mg.tensor([[1, 2, 1], [1, 3, 3]])).sum().backward()
    # row 1 picked three times, row 3 twice, row 2 once: each gradient sums to 1 per column
    assert emb.weight.grad.tolist() == [[0.0, 0.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]


def test_embedding_sparse_is_accepted_with_a_dense_gradient(backend):
    emb = nn.Embedding(4, 2, sparse=True)
    emb(mg.tensor([1, 1, 2])).sum().backward()
    assert not emb.weight.grad.is_sparse and emb.weight.grad.to_dense().tolist()[1] == [2.0, 2.0]
