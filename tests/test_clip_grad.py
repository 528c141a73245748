"""Gradient clipping and parameter vectors against NumPy computations."""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    get_total_norm,
    parameters_to_vector,
    vector_to_parameters,
)


def _with_grads(grads, dtype=mg.float64):
    params = []
    for g in grads:
        p = mg.zeros(*np.shape(g), dtype=dtype, requires_grad=True)
        p.grad = mg.tensor(np.asarray(g, dtype=np.float64), dtype=dtype)
        params.append(p)
    return params


def _grads():
    rng = np.random.default_rng(0)
    return [rng.normal(size=(3, 4)), rng.normal(size=5) * 3, rng.normal(size=(2, 2, 2))]


def _np_norm(grads, p):
    flat = np.concatenate([g.ravel() for g in grads])
    if p == math.inf:
        return np.abs(flat).max()
    return (np.abs(flat) ** p).sum() ** (1 / p)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("foreach", [None, False])
def test_total_norm_and_clipped_gradients_match_numpy(backend, norm_type, foreach):
    grads = _grads()
    params = _with_grads(grads)
    total = clip_grad_norm_(params, max_norm=1.0, norm_type=norm_type, foreach=foreach)
    want = _np_norm(grads, norm_type)
    assert total.device == backend and total.ndim == 0
    assert total.item() == pytest.approx(want, rel=1e-12)
    coef = min(1.0 / (want + 1e-6), 1.0)
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad.cpu().numpy(), g * coef, rtol=1e-12)


def test_clipped_gradients_have_norm_max_norm():
    params = _with_grads(_grads())
    clip_grad_norm_(params, max_norm=0.5)
    assert _np_norm([p.grad.numpy() for p in params], 2) == pytest.approx(0.5, rel=1e-5)


def test_gradients_below_max_norm_are_unchanged():
    grads = _grads()
    params = _with_grads(grads)
    total = clip_grad_norm_(params, max_norm=100.0)
    assert total.item() < 100
    for p, g in zip(params, grads):
        np.testing.assert_array_equal(p.grad.numpy(), g)


def test_a_single_tensor_and_parameters_without_grad():
    p = mg.zeros(2, requires_grad=True)
    p.grad = mg.tensor([3.0, 4.0])
    q = mg.zeros(2, requires_grad=True)
    assert clip_grad_norm_(p, 1.0).item() == 5.0
    assert clip_grad_norm_([q], 1.0).item() == 0.0
    assert q.grad is None


def test_float32_total_norm_is_float32():
    params = _with_grads(_grads(), dtype=mg.float32)
    total = clip_grad_norm_(params, 1.0)
    assert total.dtype is mg.float32
    assert total.item() == pytest.approx(_np_norm(_grads(), 2), rel=1e-6)


def test_nan_gradient_raises_with_error_if_nonfinite_and_leaves_grads_alone():
    grads = _grads()
    grads[1][2] = np.nan
    params = _with_grads(grads)
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(params[0].grad.numpy(), grads[0])


def test_inf_gradient_raises_with_error_if_nonfinite():
    grads = _grads()
    grads[0][0, 0] = np.inf
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(_with_grads(grads), 1.0, error_if_nonfinite=True)


def test_nan_gradient_by_default_makes_every_gradient_nan_as_pytorch():
    grads = _grads()
    grads[1][2] = np.nan
    params = _with_grads(grads)
    total = clip_grad_norm_(params, 1.0)
    assert math.isnan(total.item())
    assert all(np.isnan(p.grad.numpy()).all() for p in params)


def test_inf_gradient_by_default_zeroes_finite_entries_as_pytorch():
    grads = _grads()
    grads[0][0, 0] = np.inf
    params = _with_grads(grads)
    total = clip_grad_norm_(params, 1.0)
    assert total.item() == math.inf
    g0 = params[0].grad.numpy()
    assert np.isnan(g0[0, 0])  # inf · 0
    assert (g0.ravel()[1:] == 0).all() and all((p.grad.numpy() == 0).all() for p in params[1:])


def test_inf_norm_type_with_inf_gradient():
    grads = _grads()
    grads[2][0, 0, 0] = -np.inf
    assert clip_grad_norm_(_with_grads(grads), 1.0, norm_type="inf").item() == math.inf


def test_get_total_norm_without_clipping():
    grads = _grads()
    total = get_total_norm([mg.tensor(g) for g in grads], norm_type=2)
    assert total.item() == pytest.approx(_np_norm(grads, 2), rel=1e-12)


def test_clip_grad_value(backend):
    grads = _grads()
    params = _with_grads(grads)
    clip_grad_value_(params, 0.5)
    for p, g in zip(params, grads):
        np.testing.assert_array_equal(p.grad.cpu().numpy(), np.clip(g, -0.5, 0.5))


def test_clipping_keeps_the_grad_tensor_objects():
    params = _with_grads(_grads())
    before = [p.grad for p in params]
    clip_grad_norm_(params, 0.1)
    clip_grad_value_(params, 0.01)
    assert all(p.grad is g for p, g in zip(params, before))


def test_parameters_to_vector_and_back(backend):
    rng = np.random.default_rng(1)
    arrays = [rng.normal(size=(2, 3)), rng.normal(size=4), rng.normal(size=())]
    params = [mg.tensor(a, requires_grad=True) for a in arrays]
    vec = parameters_to_vector(params)
    np.testing.assert_array_equal(vec.detach().cpu().numpy(), np.concatenate([a.ravel() for a in arrays]))
    vector_to_parameters(vec.detach() * 2, params)
    for p, a in zip(params, arrays):
        assert p.shape == a.shape
        np.testing.assert_array_equal(p.detach().cpu().numpy(), a * 2)


def test_parameters_to_vector_is_differentiable():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor([[3.0]], requires_grad=True)
    (parameters_to_vector([a, b]) * mg.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert a.grad.tolist() == [1.0, 2.0] and b.grad.tolist() == [[3.0]]


def test_vector_to_parameters_checks_the_length():
    with pytest.raises(ValueError, match="need 3 elements"):
        vector_to_parameters(mg.zeros(4), [mg.zeros(3)])


def test_vector_to_parameters_needs_a_tensor():
    with pytest.raises(TypeError, match="expected vec to be a Tensor"):
        vector_to_parameters([1.0, 2.0], [mg.zeros(2)])


def test_nn_utils_is_reachable_from_nn():
    import minigrad.nn as nn
    assert nn.utils.clip_grad_norm_ is clip_grad_norm_


def test_norm_type_0_counts_tensors_with_a_non_zero_norm_as_pytorch():
    params = _with_grads([np.ones(3), np.zeros(2), np.array([0.0, 2.0])])
    assert get_total_norm([p.grad for p in params], norm_type=0).item() == 2.0


def test_gradients_on_two_devices_are_clipped_together():
    pytest.importorskip("array_api_strict")
    a = mg.zeros(2, requires_grad=True)
    a.grad = mg.tensor([3.0, 0.0])
    with mg.use_backend("strict") as device:
        b = mg.zeros(1, requires_grad=True)
        b.grad = mg.tensor([4.0])
    total = clip_grad_norm_([a, b], 1.0)
    assert total.device == a.device and total.item() == pytest.approx(5.0)
    assert b.grad.device == device
    assert b.grad.cpu().tolist() == pytest.approx([0.8], rel=1e-6)
    assert a.grad.tolist() == pytest.approx([0.6, 0.0], rel=1e-6)
