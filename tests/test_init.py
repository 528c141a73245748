"""nn.init: bounds and standard deviations on large tensors, gains, fans, reproducibility, devices."""

import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
from minigrad.nn import init


def host(t):
    return t.detach().cpu().numpy()


@pytest.fixture(autouse=True)
def seeded():
    mg.manual_seed(0)


def test_calculate_gain_table():
    assert init.calculate_gain("linear") == 1.0
    assert init.calculate_gain("conv2d") == 1.0
    assert init.calculate_gain("sigmoid") == 1.0
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01 ** 2))
    assert init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    assert init.calculate_gain("selu") == 0.75


def test_calculate_gain_unknown_raises():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")


def test_fans_of_conv_weight():
    assert init._calculate_fan_in_and_fan_out(mg.empty(16, 3, 5, 5)) == (75, 400)


def test_fans_need_two_dims():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(mg.empty(5))


def test_uniform_bounds_and_std(backend):
    w = host(init.uniform_(mg.empty(400, 500), -3.0, 1.0))
    assert w.min() >= -3.0 and w.max() < 1.0
    assert abs(w.mean() + 1.0) < 0.01
    assert abs(w.std() - 4 / math.sqrt(12)) < 0.01


def test_normal_mean_and_std(backend):
    w = host(init.normal_(mg.empty(400, 500), 2.0, 0.5))
    assert abs(w.mean() - 2.0) < 0.005 and abs(w.std() - 0.5) < 0.005


def test_trunc_normal_stays_in_bounds():
    w = host(init.trunc_normal_(mg.empty(200, 200), std=1.0, a=-1.0, b=1.5))
    assert w.min() >= -1.0 and w.max() <= 1.5 and w.std() > 0.4


def test_trunc_normal_fills_a_0d_tensor(backend):
    """As PyTorch's ``trunc_normal_(torch.empty(()))``: one draw, the shape kept."""
    w = init.trunc_normal_(mg.empty(()), a=-1.0, b=1.0)
    assert w.shape == () and -1.0 <= w.item() <= 1.0


def test_constant_zeros_ones_eye(backend):
    assert host(init.constant_(mg.empty(2), 0.3)).tolist() == pytest.approx([0.3, 0.3])
    assert host(init.zeros_(mg.empty(2))).tolist() == [0.0, 0.0]
    assert host(init.ones_(mg.empty(2))).tolist() == [1.0, 1.0]
    assert host(init.eye_(mg.empty(2, 3))).tolist() == [[1, 0, 0], [0, 1, 0]]


def test_xavier_uniform_bound_and_std(backend):
    w = host(init.xavier_uniform_(mg.empty(300, 200), gain=2.0))
    bound = 2.0 * math.sqrt(6 / 500)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound


def test_xavier_normal_std(backend):
    w = host(init.xavier_normal_(mg.empty(300, 200)))
    assert abs(w.std() - math.sqrt(2 / 500)) < 0.01 * math.sqrt(2 / 500)


@pytest.mark.parametrize("mode,fan", [("fan_in", 200 * 9), ("fan_out", 64 * 9)])
def test_kaiming_uniform_bound(backend, mode, fan):
    w = host(init.kaiming_uniform_(mg.empty(64, 200, 3, 3), mode=mode, nonlinearity="relu"))
    bound = math.sqrt(2) * math.sqrt(3 / fan)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound


@pytest.mark.parametrize("mode,fan", [("fan_in", 300), ("fan_out", 400)])
def test_kaiming_normal_std(backend, mode, fan):
    w = host(init.kaiming_normal_(mg.empty(400, 300), mode=mode, nonlinearity="relu"))
    assert abs(w.std() - math.sqrt(2 / fan)) < 0.01 * math.sqrt(2 / fan)


def test_kaiming_uniform_a_sqrt5_gives_one_over_sqrt_fan_in():
    w = host(init.kaiming_uniform_(mg.empty(500, 400), a=math.sqrt(5)))
    assert np.abs(w).max() <= 1 / math.sqrt(400) and np.abs(w).max() > 0.99 / math.sqrt(400)


def test_kaiming_bad_mode_raises():
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_normal_(mg.empty(3, 3), mode="fan_avg")


@pytest.mark.parametrize("shape", [(6, 10), (10, 6), (4, 3, 2)])
def test_orthogonal_rows_or_columns_orthonormal(backend, shape):
    w = host(init.orthogonal_(mg.empty(*shape), gain=1.5)).reshape(shape[0], -1)
    gram = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    np.testing.assert_allclose(gram, 1.5 ** 2 * np.eye(min(w.shape)), atol=1e-5)


def test_orthogonal_result_on_tensor_device(backend):
    assert init.orthogonal_(mg.empty(3, 3)).device == backend


def test_init_reproducible_under_manual_seed():
    mg.manual_seed(5)
    a = host(init.xavier_normal_(mg.empty(4, 4)))
    b = host(init.orthogonal_(mg.empty(4, 4)))
    mg.manual_seed(5)
    np.testing.assert_array_equal(a, host(init.xavier_normal_(mg.empty(4, 4))))
    np.testing.assert_array_equal(b, host(init.orthogonal_(mg.empty(4, 4))))


def test_init_generator_argument_is_independent_of_global_seed():
    g = mg.Generator().manual_seed(1)
    a = host(init.normal_(mg.empty(5), generator=g))
    g.manual_seed(1)
    mg.manual_seed(99)
    np.testing.assert_array_equal(a, host(init.normal_(mg.empty(5), generator=g)))


def test_init_on_parameter_keeps_it_a_leaf():
    p = nn.Parameter(mg.empty(3, 3))
    init.kaiming_uniform_(p)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None


def test_apply_custom_init():
    net = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 1))

    def reset(m):
        if isinstance(m, nn.Linear):
            init.zeros_(m.bias)
            init.ones_(m.weight)
    net.apply(reset)
    assert host(net(mg.ones(1, 3))).tolist() == [[9.0]]


def test_zero_init_makes_hidden_units_identical():
    # the lectures' symmetry argument: with equal initial weights every hidden unit gets the same gradient
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    for layer in (net[0], net[2]):
        init.constant_(layer.weight, 0.1)
        init.zeros_(layer.bias)
    net(mg.randn(8, 3)).pow(2).mean().backward()
    rows = host(net[0].weight.grad)
    assert np.allclose(rows, rows[0])
