"""Pooling: values against hand-computed and naive references, PyTorch's size rules, gradients."""

import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.ops.pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d


def _out_len(size, k, s, p, d, ceil):
    span = d * (k - 1) + 1
    out = -(-(size + 2 * p - span) // s) + 1 if ceil else (size + 2 * p - span) // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def _naive_max(x, k, s, p, d=1, ceil=False):
    n, c, h, w = x.shape
    oh, ow = _out_len(h, k, s, p, d, ceil), _out_len(w, k, s, p, d, ceil)
    out = np.full((n, c, oh, ow), -np.inf)
    for i in range(oh):
        for j in range(ow):
            for a in range(k):
                for b in range(k):
                    r, q = i * s - p + a * d, j * s - p + b * d
                    if 0 <= r < h and 0 <= q < w:
                        out[:, :, i, j] = np.maximum(out[:, :, i, j], x[:, :, r, q])
    return out


def _naive_avg(x, k, s, p, ceil=False, count_include_pad=True):
    n, c, h, w = x.shape
    oh, ow = _out_len(h, k, s, p, 1, ceil), _out_len(w, k, s, p, 1, ceil)
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            r0, q0 = i * s - p, j * s - p
            r1, q1 = min(r0 + k, h + p), min(q0 + k, w + p)
            size = (r1 - r0) * (q1 - q0)
            rr0, qq0, rr1, qq1 = max(r0, 0), max(q0, 0), min(r1, h), min(q1, w)
            total = x[:, :, rr0:rr1, qq0:qq1].sum(axis=(2, 3))
            out[:, :, i, j] = total / (size if count_include_pad else (rr1 - rr0) * (qq1 - qq0))
    return out


def _t(array, requires_grad=False):
    return mg.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


_IMAGE = [[[[1.0, 2.0, 5.0, 0.0], [3.0, 4.0, 1.0, 1.0], [0.0, 0.0, 2.0, 2.0], [9.0, 0.0, 2.0, 2.0]]]]


def test_max_pool2d_2x2_known_result(backend):
    assert max_pool2d(mg.tensor(_IMAGE), 2).tolist() == [[[[4.0, 5.0], [9.0, 2.0]]]]


def test_max_pool2d_gradient_goes_to_the_maximum(backend):
    x = mg.tensor(_IMAGE, requires_grad=True)
    max_pool2d(x, 2).sum().backward()
    assert x.grad.tolist() == [[[[0.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0],
                                 [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]]]]


def test_max_pool2d_ties_go_to_the_first_maximum(backend):
    x = mg.ones(1, 1, 2, 2, requires_grad=True)
    max_pool2d(x, 2).sum().backward()
    assert x.grad.tolist() == [[[[1.0, 0.0], [0.0, 0.0]]]]


def test_max_pool2d_overlapping_windows_accumulate_gradient(backend):
    x = mg.tensor([[[[0.0, 0.0, 0.0], [0.0, 5.0, 0.0], [0.0, 0.0, 0.0]]]], requires_grad=True)
    y = max_pool2d(x, 2, stride=1)
    assert y.tolist() == [[[[5.0, 5.0], [5.0, 5.0]]]]
    y.sum().backward()
    assert x.grad[0, 0, 1, 1].item() == 4.0


def test_max_pool2d_return_indices_are_plane_positions(backend):
    _, idx = max_pool2d(mg.tensor(_IMAGE), 2, return_indices=True)
    assert idx.tolist() == [[[[5, 2], [12, 10]]]]
    _, idx = max_pool2d(mg.tensor(_IMAGE), 3, stride=2, padding=1, return_indices=True)
    assert idx.tolist() == [[[[5, 2], [12, 5]]]]


def test_max_pool2d_padding_never_wins(backend):
    x = -mg.ones(1, 1, 2, 2)
    assert max_pool2d(x, 2, stride=1, padding=1).tolist() == [[[[-1.0] * 3] * 3]]


@pytest.mark.parametrize("k, s, p, d, ceil", [
    (2, 2, 0, 1, False), (3, 2, 1, 1, False), (3, 1, 1, 1, False), (2, 2, 1, 2, False),
    (3, 2, 0, 1, True), (2, 3, 1, 1, True),
])
def test_max_pool2d_matches_naive_loops(backend, k, s, p, d, ceil):
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 8))
    y = max_pool2d(_t(x), k, s, p, d, ceil_mode=ceil)
    np.testing.assert_array_equal(y.cpu().numpy(), _naive_max(x, k, s, p, d, ceil))


def test_max_pool2d_rejects_too_much_padding():
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        max_pool2d(mg.zeros(1, 1, 4, 4), 2, padding=2)


def test_max_pool2d_unbatched(backend):
    assert max_pool2d(mg.zeros(3, 6, 6), 2).shape == (3, 3, 3)


@pytest.mark.parametrize("k, s, p, d, ceil", [(3, 2, 1, 1, False), (2, 1, 0, 1, False), (2, 2, 1, 2, True)])
def test_max_pool2d_gradcheck(backend, float64, k, s, p, d, ceil):
    mg.manual_seed(0)
    x = mg.randn(1, 2, 5, 5, requires_grad=True)
    assert gradcheck(lambda x: max_pool2d(x, k, s, p, d, ceil_mode=ceil), (x,))


def test_max_pool2d_tiling_windows_gradcheck(backend, float64):
    # stride = kernel and the image a whole number of windows (every pixel in one window)
    mg.manual_seed(2)
    x = mg.randn(2, 2, 4, 6, requires_grad=True)
    assert gradcheck(lambda x: max_pool2d(x, 2), (x,))
    assert gradgradcheck(lambda x: max_pool2d(x, 2) ** 2, (x,))


@pytest.mark.parametrize("size", [4, 5])  # the windows tile the image, or leave a row and column out
def test_max_pool2d_inf_and_nan_gradients_reach_only_the_maximum(backend, size):
    # PyTorch scatters each output's gradient to its maximum: the rest of the window gets 0,
    # not inf · 0 = NaN
    x = mg.zeros(1, 1, size, size, requires_grad=True)
    with mg.no_grad():
        x[0, 0, 0, 1] = 1.0
        x[0, 0, 3, 3] = 1.0
    max_pool2d(x, 2).backward(mg.tensor([[[[float("inf"), 1.0], [2.0, float("nan")]]]]))
    g = x.grad[0, 0].tolist()
    assert g[0][:4] == [0.0, float("inf"), 1.0, 0.0]
    assert g[2][:2] == [2.0, 0.0] and g[3][:2] == [0.0, 0.0]
    assert math.isnan(g[3][3]) and g[2][2:4] == [0.0, 0.0] and g[3][2] == 0.0
    outside = [v for row in g[:4] for v in row[4:]] + (g[4] if size == 5 else [])
    assert all(v == 0.0 for v in outside)


def test_max_pool2d_gradgradcheck(backend, float64):
    mg.manual_seed(1)
    x = mg.randn(1, 1, 4, 4, requires_grad=True)
    assert gradgradcheck(lambda x: max_pool2d(x, 3, 1, 1) ** 2, (x,))


def test_avg_pool2d_2x2_known_result(backend):
    y = avg_pool2d(mg.arange(16.0).reshape(1, 1, 4, 4), 2)
    assert y.tolist() == [[[[2.5, 4.5], [10.5, 12.5]]]]


def test_avg_pool2d_count_include_pad(backend):
    x = mg.ones(1, 1, 2, 2)
    assert avg_pool2d(x, 2, stride=1, padding=1).tolist() == [[[[0.25, 0.5, 0.25], [0.5, 1.0, 0.5],
                                                               [0.25, 0.5, 0.25]]]]
    assert avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False).tolist() == [[[[1.0] * 3] * 3]]


def test_avg_pool2d_divisor_override(backend):
    assert avg_pool2d(mg.ones(1, 1, 2, 2), 2, divisor_override=8).item() == 0.5


@pytest.mark.parametrize("k, s, p, ceil, include", [
    (2, 2, 0, False, True), (3, 2, 1, False, True), (3, 2, 1, False, False), (3, 2, 1, True, True),
    (3, 2, 1, True, False), (2, 3, 0, True, True),
])
def test_avg_pool2d_matches_naive_loops(backend, k, s, p, ceil, include):
    x = np.random.default_rng(2).standard_normal((2, 2, 7, 8))
    y = avg_pool2d(_t(x), k, s, p, ceil_mode=ceil, count_include_pad=include)
    np.testing.assert_allclose(y.cpu().numpy(), _naive_avg(x, k, s, p, ceil, include), atol=1e-12)


@pytest.mark.parametrize("k, s, p, ceil, include", [(2, 2, 0, False, True), (3, 2, 1, False, False),
                                                     (3, 2, 1, True, True), (2, 3, 0, True, False)])
def test_avg_pool2d_int64_truncates_as_pytorch(backend, k, s, p, ceil, include):
    x = np.random.default_rng(3).integers(-50, 50, (2, 2, 7, 8))
    y = avg_pool2d(mg.tensor(x), k, s, p, ceil_mode=ceil, count_include_pad=include)
    assert y.dtype is mg.int64
    np.testing.assert_array_equal(y.cpu().numpy(), np.trunc(_naive_avg(x, k, s, p, ceil, include)))


@pytest.mark.parametrize("k, s, p, ceil, include", [(3, 2, 1, False, True), (2, 1, 1, True, False),
                                                     (3, 2, 1, True, False)])
def test_avg_pool2d_gradcheck(backend, float64, k, s, p, ceil, include):
    mg.manual_seed(3)
    x = mg.randn(1, 2, 5, 4, requires_grad=True)
    assert gradcheck(lambda x: avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=include), (x,))


def test_avg_pool2d_gradgradcheck(backend, float64):
    mg.manual_seed(4)
    x = mg.randn(1, 1, 4, 4, requires_grad=True)
    assert gradgradcheck(lambda x: avg_pool2d(x, 3, 2, 1, count_include_pad=False) ** 2, (x,))


def test_adaptive_avg_pool2d_overlapping_bins(backend):
    # length 5 into 3 bins: [0, 2), [1, 4), [3, 5)
    x = mg.arange(5.0).reshape(1, 1, 1, 5)
    assert adaptive_avg_pool2d(x, (1, 3)).tolist() == [[[[0.5, 2.0, 3.5]]]]


def test_adaptive_avg_pool2d_to_one_is_global_mean(backend):
    x = mg.randn(2, 3, 5, 7)
    np.testing.assert_allclose(adaptive_avg_pool2d(x, 1).cpu().numpy(),
                               x.cpu().numpy().mean(axis=(2, 3), keepdims=True), rtol=1e-5)


def test_adaptive_avg_pool2d_none_keeps_size(backend):
    assert adaptive_avg_pool2d(mg.zeros(2, 3, 5, 7), (None, 2)).shape == (2, 3, 5, 2)


def test_adaptive_avg_pool2d_divisible_equals_avg_pool(backend):
    x = mg.randn(1, 2, 6, 4)
    np.testing.assert_allclose(adaptive_avg_pool2d(x, (3, 2)).cpu().numpy(),
                               avg_pool2d(x, 2).cpu().numpy(), rtol=1e-5)


def test_adaptive_avg_pool2d_gradcheck(backend, float64):
    mg.manual_seed(5)
    x = mg.randn(1, 2, 5, 3, requires_grad=True)
    assert gradcheck(lambda x: adaptive_avg_pool2d(x, (3, 2)), (x,))
    assert gradgradcheck(lambda x: adaptive_avg_pool2d(x, (3, 2)) ** 2, (x,))


# --- layers -----------------------------------------------------------------------------------
def test_pool_layers_call_functional(backend):
    x = mg.randn(2, 3, 7, 7)
    np.testing.assert_array_equal(nn.MaxPool2d(3, 2, 1)(x).cpu().numpy(),
                                  max_pool2d(x, 3, 2, 1).cpu().numpy())
    np.testing.assert_array_equal(nn.AvgPool2d(3, 2, 1, count_include_pad=False)(x).cpu().numpy(),
                                  avg_pool2d(x, 3, 2, 1, count_include_pad=False).cpu().numpy())
    assert nn.AdaptiveAvgPool2d((2, 3))(x).shape == (2, 3, 2, 3)


def test_max_pool_layer_return_indices(backend):
    _, idx = nn.MaxPool2d(2, return_indices=True)(mg.tensor(_IMAGE))
    assert idx.tolist() == [[[[5, 2], [12, 10]]]]


def test_pool_layers_repr():
    expected = "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.MaxPool2d(2)) == expected
    assert repr(nn.AvgPool2d(3, 1)) == "AvgPool2d(kernel_size=3, stride=1, padding=0)"
    assert repr(nn.AdaptiveAvgPool2d((5, 7))) == "AdaptiveAvgPool2d(output_size=(5, 7))"
    assert list(nn.MaxPool2d(2).state_dict()) == []


def test_max_pool2d_second_backward_without_retain_graph_raises(backend):
    x = mg.randn(1, 1, 4, 4, requires_grad=True)
    y = max_pool2d(x, 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_max_pool2d_unbatched_return_indices(backend):
    out, idx = max_pool2d(mg.tensor(_IMAGE)[0], 2, return_indices=True)
    assert out.shape == (1, 2, 2) and idx.tolist() == [[[5, 2], [12, 10]]]


@pytest.mark.parametrize("k", [1, 3, 5])
def test_max_pool2d_any_number_of_offsets_finds_the_first_maximum(backend, k):
    rng = np.random.default_rng(5)
    x = np.round(rng.standard_normal((2, 2, 7, 7)))  # rounded: many ties
    values, indices = max_pool2d(_t(x), k, 1, return_indices=True)
    np.testing.assert_array_equal(values.cpu().numpy(), _naive_max(x, k, 1, 0))
    for i in range(7 - k + 1):
        for j in range(7 - k + 1):
            window = x[:, :, i:i + k, j:j + k].reshape(2, 2, -1)
            first = window.argmax(-1)  # NumPy's argmax also picks the first maximum
            expected = (i + first // k) * 7 + j + first % k
            np.testing.assert_array_equal(indices.cpu().numpy()[:, :, i, j], expected)


# --- 1-d and adaptive max pools ------------------------------------------------------------------------
def test_max_pool1d_values_and_indices(backend):
    values, indices = F.max_pool1d(mg.tensor([[[1.0, 5.0, 5.0, 2.0, 0.0]]]), 2, 1, return_indices=True)
    assert values.tolist() == [[[5.0, 5.0, 5.0, 2.0]]]  # PyTorch's numbers
    assert indices.tolist() == [[[1, 1, 2, 3]]]


def test_adaptive_max_pool_values_and_indices_are_pytorchs(backend):
    x = mg.arange(15.0).reshape(1, 1, 3, 5).flip(-1)
    values, indices = F.adaptive_max_pool2d(x, (2, 2), return_indices=True)
    assert values.tolist() == [[[[9.0, 7.0], [14.0, 12.0]]]]
    assert indices.tolist() == [[[[5, 7], [10, 12]]]]
    x = mg.tensor([[[1.0, 5.0, 5.0, 2.0, 0.0]]])
    values, indices = F.adaptive_max_pool1d(x, 3, return_indices=True)
    assert values.tolist() == [[[5.0, 5.0, 2.0]]] and indices.tolist() == [[[1, 1, 3]]]


def test_adaptive_max_pool_gradient_goes_to_the_first_maximum(backend):
    x = mg.tensor([[[[1.0, 3.0, 3.0], [0.0, 3.0, 2.0]]]], requires_grad=True)
    F.adaptive_max_pool2d(x, 1).sum().backward()
    assert x.grad.tolist() == [[[[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]]]


def test_pool_layers_1d(backend):
    x = mg.tensor([[[1.0, 3.0, 2.0, 6.0]]])
    assert nn.MaxPool1d(2)(x).tolist() == [[[3.0, 6.0]]]
    assert nn.AvgPool1d(2, stride=1)(x).tolist() == [[[2.0, 2.5, 4.0]]]
    assert nn.AdaptiveAvgPool1d(1)(x).tolist() == [[[3.0]]]
    assert nn.AdaptiveMaxPool1d(2)(x).tolist() == [[[3.0, 6.0]]]
    values, indices = nn.AdaptiveMaxPool2d((1, None), return_indices=True)(x.unsqueeze(0))
    assert values.shape == (1, 1, 1, 4) and indices.shape == (1, 1, 1, 4)
    assert not isinstance(nn.MaxPool1d(2), nn.MaxPool2d)
    expected = "MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.MaxPool1d(2)) == expected


def test_pool1d_errors():
    with pytest.raises(RuntimeError, match="max_pool1d: expected a 2-D"):
        F.max_pool1d(mg.zeros(1, 1, 4, 4), 2)
    with pytest.raises(RuntimeError, match="output_size must be two positive sizes"):
        F.adaptive_max_pool2d(mg.zeros(1, 1, 4, 4), (0, 2))
