"""nn.utils.parametrize, parametrizations.weight_norm / spectral_norm and the original weight_norm:
values, PyTorch's state-dict keys, gradients to the originals, removal."""

import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
from minigrad.autograd import gradcheck
from minigrad.nn.utils import parametrizations, parametrize


class Symmetric(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).mT


class Double(nn.Module):
    def forward(self, X):
        return 2 * X

    def right_inverse(self, X):
        return X / 2


def _linear(n=3, seed=0):
    mg.manual_seed(seed)
    return nn.Linear(n, n)


def test_parametrized_tensor_is_recomputed_from_the_original(backend):
    layer = _linear()
    original = layer.weight
    parametrize.register_parametrization(layer, "weight", Symmetric())
    w = layer.weight.detach().cpu().numpy()
    np.testing.assert_array_equal(w, w.T)
    assert type(layer).__name__ == "ParametrizedLinear"
    assert parametrize.type_before_parametrizations(layer) is nn.Linear
    assert parametrize.is_parametrized(layer) and not parametrize.is_parametrized(layer, "bias")
    assert layer.parametrizations.weight.original is original  # the optimizer's Parameter is kept
    assert sorted(layer.state_dict()) == ["bias", "parametrizations.weight.original"]
    layer(mg.ones(2, 3)).sum().backward()
    assert original.grad is not None and original.grad.shape == (3, 3)


def test_right_inverse_initialises_the_original_and_serves_assignment(backend):
    layer = _linear()
    before = layer.weight.detach().cpu().numpy()
    parametrize.register_parametrization(layer, "weight", Double())
    np.testing.assert_allclose(layer.weight.detach().cpu().numpy(), before, rtol=1e-6)
    np.testing.assert_allclose(layer.parametrizations.weight.original.detach().cpu().numpy(), before / 2,
                               rtol=1e-6)
    layer.weight = mg.ones(3, 3)
    assert layer.parametrizations.weight.original.tolist() == [[0.5] * 3] * 3


def test_parametrizations_chain_in_registration_order(backend):
    layer = _linear()
    parametrize.register_parametrization(layer, "weight", Symmetric())
    parametrize.register_parametrization(layer, "weight", Double())
    x = layer.parametrizations.weight.original.detach().cpu().numpy()
    expected = 2 * (np.triu(x) + np.triu(x, 1).T)
    np.testing.assert_allclose(layer.weight.detach().cpu().numpy(), expected, rtol=1e-6)
    assert len(layer.parametrizations.weight) == 2


def test_remove_parametrizations_restores_a_plain_parameter(backend):
    layer = _linear()
    parametrize.register_parametrization(layer, "weight", Symmetric())
    value = layer.weight.detach().cpu().numpy()
    parametrize.remove_parametrizations(layer, "weight")
    assert type(layer) is nn.Linear and not hasattr(layer, "parametrizations")
    assert isinstance(layer.weight, nn.Parameter)
    np.testing.assert_array_equal(layer.weight.detach().cpu().numpy(), value)
    assert sorted(layer.state_dict()) == ["bias", "weight"]
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        parametrize.remove_parametrizations(layer, "weight")


def test_cached_computes_each_parametrized_tensor_once():
    calls = []

    class Counting(nn.Module):
        def forward(self, X):
            calls.append(1)
            return X

    layer = parametrize.register_parametrization(_linear(), "weight", Counting())
    calls.clear()
    with parametrize.cached():
        assert layer.weight is layer.weight
    assert len(calls) == 1
    layer.weight, layer.weight
    assert len(calls) == 3


def test_a_parametrization_may_not_change_the_shape_unless_unsafe():
    class Transpose(nn.Module):
        def forward(self, X):
            return X.T

    with pytest.raises(ValueError, match="may not change the shape"):
        parametrize.register_parametrization(nn.Linear(3, 2), "weight", Transpose())
    assert parametrize.register_parametrization(nn.Linear(3, 2), "weight", Transpose(),
                                                unsafe=True).weight.shape == (3, 2)
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element"):
        parametrize.register_parametrization(nn.Linear(3, 2), "nothing", Transpose())


def test_weight_norm_parametrization_splits_magnitude_and_direction(backend):
    conv = nn.Conv2d(2, 4, 3)
    weight = conv.weight.detach().cpu().numpy()
    parametrizations.weight_norm(conv)
    g = conv.parametrizations.weight.original0
    assert g.shape == (4, 1, 1, 1)
    norms = np.linalg.norm(weight.reshape(4, -1), axis=1)
    np.testing.assert_allclose(g.detach().cpu().numpy().ravel(), norms, rtol=1e-6)
    np.testing.assert_allclose(conv.weight.detach().cpu().numpy(), weight, rtol=1e-5, atol=1e-7)
    assert sorted(conv.state_dict()) == ["bias", "parametrizations.weight.original0",
                                         "parametrizations.weight.original1"]
    whole = parametrizations.weight_norm(nn.Linear(3, 2), dim=None)
    assert whole.parametrizations.weight.original0.shape == ()


def test_weight_norm_gradients(backend, float64):
    layer = parametrizations.weight_norm(nn.Linear(3, 2), dim=1)
    g, v = layer.parametrizations.weight.original0, layer.parametrizations.weight.original1
    assert g.shape == (1, 3)
    wn = layer.parametrizations.weight[0]
    assert gradcheck(lambda g, v: wn(g, v), (g.detach().requires_grad_(), v.detach().requires_grad_()))


def test_original_weight_norm_uses_a_pre_hook_and_warns(backend):
    layer = _linear()
    weight = layer.weight.detach().cpu().numpy()
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
        nn.utils.weight_norm(layer)
    assert sorted(name for name, _ in layer.named_parameters()) == ["bias", "weight_g", "weight_v"]
    with mg.no_grad():
        layer.weight_g.mul_(2)
    x = mg.ones(1, 3)
    expected = x.cpu().numpy() @ (2 * weight).T + layer.bias.detach().cpu().numpy()
    np.testing.assert_allclose(layer(x).detach().cpu().numpy(), expected, rtol=1e-5)
    nn.utils.remove_weight_norm(layer)
    assert sorted(name for name, _ in layer.named_parameters()) == ["bias", "weight"]
    np.testing.assert_allclose(layer.weight.detach().cpu().numpy(), 2 * weight, rtol=1e-5)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
        nn.utils.remove_weight_norm(layer)


def test_spectral_norm_divides_by_the_largest_singular_value(backend):
    layer = parametrizations.spectral_norm(nn.Linear(5, 4))
    for _ in range(20):  # each training-mode read runs one more power iteration
        w = layer.weight
    sigma = np.linalg.svd(w.detach().cpu().numpy(), compute_uv=False)[0]
    assert sigma == pytest.approx(1.0, rel=1e-4)
    assert sorted(layer.state_dict()) == ["bias", "parametrizations.weight.0._u",
                                          "parametrizations.weight.0._v", "parametrizations.weight.original"]
    layer.eval()
    u = layer.parametrizations.weight[0]._u.detach().cpu().numpy().copy()
    layer.weight
    np.testing.assert_array_equal(layer.parametrizations.weight[0]._u.detach().cpu().numpy(), u)


def test_spectral_norm_of_a_transposed_convolution_uses_its_output_channels():
    deconv = parametrizations.spectral_norm(nn.ConvTranspose2d(2, 3, 2))
    assert deconv.parametrizations.weight[0].dim == 1
    assert deconv.parametrizations.weight[0]._u.shape == (3,)
    with pytest.raises(ValueError, match="n_power_iterations to be positive"):
        parametrizations.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)


def test_registering_the_original_weight_norm_twice_is_refused():
    layer = _linear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nn.utils.weight_norm(layer)
        with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
            nn.utils.weight_norm(layer)


def test_original_spectral_norm_keeps_weight_orig_and_its_power_iteration_vectors(backend):
    mg.manual_seed(0)
    layer = nn.utils.spectral_norm(nn.Linear(5, 4))
    assert sorted(layer.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    for _ in range(30):  # one power-iteration step per training forward
        layer(mg.ones(1, 5))
    sigma = np.linalg.svd(layer.weight.detach().cpu().numpy(), compute_uv=False)[0]
    assert sigma == pytest.approx(1.0, rel=1e-4)
    layer(mg.ones(1, 5)).sum().backward()
    assert layer.weight_orig.grad is not None
    layer.eval()
    u = layer.weight_u.detach().cpu().numpy().copy()
    layer(mg.ones(1, 5))
    np.testing.assert_array_equal(layer.weight_u.detach().cpu().numpy(), u)
    nn.utils.remove_spectral_norm(layer)
    assert sorted(layer.state_dict()) == ["bias", "weight"]
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        nn.utils.remove_spectral_norm(layer)


def test_dirac_and_sparse_initialisation():
    w = mg.empty(4, 2, 3, 3)
    nn.init.dirac_(w, groups=2)
    assert w[:, :, 1, 1].tolist() == [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]
    assert w.sum().item() == 4.0
    s = mg.empty(6, 4)
    nn.init.sparse_(s, 0.5, std=0.1)
    assert (s == 0).sum(0).tolist() == [3, 3, 3, 3]
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions"):
        nn.init.dirac_(mg.empty(3, 3))
