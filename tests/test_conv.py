"""Convolution: values against hand-computed and naive references, shapes, gradients, layers."""

import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.ops.conv import conv2d, conv_transpose2d


def _naive_conv(x, w, b=None, stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
    """Direct loops over every output element: slow, obviously right."""
    x = np.pad(x, ((0, 0), (0, 0)) + tuple(padding))
    n, _, h, wd = x.shape
    o, cg, kh, kw = w.shape
    oh = (h - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    og = o // groups
    out = np.zeros((n, o, oh, ow))
    for ni in range(n):
        for oi in range(o):
            g = oi // og
            for p in range(oh):
                for q in range(ow):
                    patch = x[ni, g * cg:(g + 1) * cg,
                              p * stride[0]:p * stride[0] + dilation[0] * (kh - 1) + 1:dilation[0],
                              q * stride[1]:q * stride[1] + dilation[1] * (kw - 1) + 1:dilation[1]]
                    out[ni, oi, p, q] = (patch * w[oi]).sum() + (0 if b is None else b[oi])
    return out


def _naive_conv_transpose(x, w, stride, padding, output_padding, dilation, groups):
    """Scatter every input element times the kernel onto the output, then crop the padding."""
    n, cin, h, wd = x.shape
    _, cog, kh, kw = w.shape
    gin = cin // groups
    hout = (h - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + output_padding[0]
    wout = (wd - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + output_padding[1]
    out = np.zeros((n, cog * groups, hout, wout))
    for ni in range(n):
        for ci in range(cin):
            g = ci // gin
            for p in range(h):
                for q in range(wd):
                    for i in range(kh):
                        for j in range(kw):
                            out[ni, g * cog:(g + 1) * cog, p * stride[0] + i * dilation[0],
                                q * stride[1] + j * dilation[1]] += x[ni, ci, p, q] * w[ci, :, i, j]
    return out[:, :, padding[0]:hout - padding[0], padding[1]:wout - padding[1]]


def _t(array, requires_grad=False):
    return mg.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def test_conv2d_3x3_on_known_4x4_image(backend):
    x = mg.arange(16.0).reshape(1, 1, 4, 4)
    w = mg.tensor([[[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]]])  # Sobel x
    # each row of x rises by 1 per column, so every 3x3 window gives (1+2+1)·(-2) = -8
    assert conv2d(x, w).tolist() == [[[[-8.0, -8.0], [-8.0, -8.0]]]]


def test_conv2d_padding_one_sums_neighbourhoods(backend):
    x = mg.ones(1, 1, 3, 3)
    y = conv2d(x, mg.ones(1, 1, 3, 3), bias=mg.tensor([0.5]), padding=1)
    assert y.tolist() == [[[[4.5, 6.5, 4.5], [6.5, 9.5, 6.5], [4.5, 6.5, 4.5]]]]


@pytest.mark.parametrize("stride, padding, dilation, groups", [
    (1, 0, 1, 1), (2, 1, 1, 1), ((1, 2), (2, 0), 1, 1), (1, 2, 2, 1), (2, 1, (2, 1), 2), (1, 0, 1, 4),
    (3, 1, 1, 1),
])
def test_conv2d_matches_naive_loops(backend, stride, padding, dilation, groups):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 7, 6))
    w = rng.standard_normal((8, 4 // groups, 3, 2))
    b = rng.standard_normal(8)
    pair = lambda v: v if isinstance(v, tuple) else (v, v)
    ph, pw = pair(padding)
    expected = _naive_conv(x, w, b, pair(stride), ((ph, ph), (pw, pw)), pair(dilation), groups)
    y = conv2d(_t(x), _t(w), _t(b), stride, padding, dilation, groups)
    np.testing.assert_allclose(y.cpu().numpy(), expected, atol=1e-12)


@pytest.mark.parametrize("kernel, dilation", [((3, 3), 1), ((4, 2), 1), ((2, 3), 2)])
def test_conv2d_same_padding_keeps_size_and_pads_bottom_right(backend, kernel, dilation):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 2, 5, 6))
    w = rng.standard_normal((3, 2) + kernel)
    sides = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, (dilation,) * 2)]
    expected = _naive_conv(x, w, padding=sides, dilation=(dilation, dilation))
    y = conv2d(_t(x), _t(w), padding="same", dilation=dilation)
    assert y.shape == (1, 3, 5, 6)
    np.testing.assert_allclose(y.cpu().numpy(), expected, atol=1e-12)


def test_conv2d_valid_padding_is_no_padding(backend):
    x, w = mg.randn(1, 1, 5, 5), mg.randn(2, 1, 3, 3)
    assert conv2d(x, w, padding="valid").tolist() == conv2d(x, w).tolist()


def test_conv2d_unbatched_input(backend):
    x, w = mg.randn(2, 5, 5), mg.randn(3, 2, 3, 3)
    assert conv2d(x, w).shape == (3, 3, 3)


def test_conv2d_output_shape_formula(backend):
    y = conv2d(mg.zeros(2, 3, 28, 31), mg.zeros(6, 1, 5, 3), stride=(3, 2), padding=(2, 1),
               dilation=(1, 2), groups=3)
    assert y.shape == (2, 6, (28 + 4 - 4 - 1) // 3 + 1, (31 + 2 - 4 - 1) // 2 + 1)


def test_conv2d_channel_mismatch_message():
    with pytest.raises(RuntimeError, match="expected input\\[1, 4, 5, 5\\] to have 3 channels"):
        conv2d(mg.zeros(1, 4, 5, 5), mg.zeros(2, 3, 3, 3))


def test_conv2d_same_padding_rejects_stride():
    with pytest.raises(ValueError, match="strided"):
        conv2d(mg.zeros(1, 1, 5, 5), mg.zeros(1, 1, 3, 3), stride=2, padding="same")


def test_conv2d_too_small_input_raises():
    with pytest.raises(RuntimeError, match="too small"):
        conv2d(mg.zeros(1, 1, 2, 2), mg.zeros(1, 1, 3, 3))


@pytest.mark.parametrize("stride, padding, dilation, groups", [
    (1, 0, 1, 1), (2, 1, 1, 1), (1, 1, 2, 1), ((2, 1), (1, 0), 1, 2), (3, 0, 1, 1),
])
def test_conv2d_gradcheck(backend, float64, stride, padding, dilation, groups):
    mg.manual_seed(0)
    x = mg.randn(2, 2, 5, 4, requires_grad=True)
    w = mg.randn(2, 2 // groups, 2, 3, requires_grad=True)
    b = mg.randn(2, requires_grad=True)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, stride, padding, dilation, groups), (x, w, b))


def test_conv2d_same_padding_even_kernel_gradcheck(backend, float64):
    mg.manual_seed(1)
    x = mg.randn(1, 1, 4, 3, requires_grad=True)
    w = mg.randn(1, 1, 2, 2, requires_grad=True)
    assert gradcheck(lambda x, w: conv2d(x, w, padding="same"), (x, w))


@pytest.mark.parametrize("stride, padding, dilation, groups", [(1, 0, 1, 1), (2, 1, 1, 2), (1, 1, 2, 1)])
def test_conv2d_gradgradcheck(backend, float64, stride, padding, dilation, groups):
    mg.manual_seed(2)
    x = mg.randn(1, 2, 4, 4, requires_grad=True)
    w = mg.randn(2, 2 // groups, 2, 2, requires_grad=True)
    b = mg.randn(2, requires_grad=True)
    assert gradgradcheck(lambda x, w, b: conv2d(x, w, b, stride, padding, dilation, groups), (x, w, b))


@pytest.mark.parametrize("stride, padding, output_padding, dilation, groups", [
    (1, 0, 0, 1, 1), (2, 1, 1, 1, 1), ((2, 3), (0, 1), (1, 2), 1, 2), (1, 1, 0, 2, 1), (2, 0, 1, 1, 1),
    (3, 1, 2, 1, 1),
])
def test_conv_transpose2d_matches_naive_scatter(backend, stride, padding, output_padding, dilation, groups):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 3, 4))
    w = rng.standard_normal((4, 6 // groups, 3, 2))
    pair = lambda v: v if isinstance(v, tuple) else (v, v)
    expected = _naive_conv_transpose(x, w, pair(stride), pair(padding), pair(output_padding),
                                     pair(dilation), groups)
    y = conv_transpose2d(_t(x), _t(w), None, stride, padding, output_padding, groups, dilation)
    np.testing.assert_allclose(y.cpu().numpy(), expected, atol=1e-12)


def test_conv_transpose2d_output_shape_formula(backend):
    y = conv_transpose2d(mg.zeros(2, 4, 5, 6), mg.zeros(4, 3, 3, 3), stride=2, padding=1, output_padding=1)
    assert y.shape == (2, 3, (5 - 1) * 2 - 2 + 2 + 1 + 1, (6 - 1) * 2 - 2 + 2 + 1 + 1)


def test_conv_transpose2d_is_adjoint_of_conv2d(backend, float64):
    # <conv2d(x, w), y> == <x, conv_transpose2d(y, w)> for the geometry that inverts the shape
    mg.manual_seed(4)
    x, w, y = mg.randn(2, 3, 7, 7), mg.randn(4, 3, 3, 3), mg.randn(2, 4, 4, 4)
    lhs = (conv2d(x, w, stride=2, padding=1) * y).sum().item()
    rhs = (x * conv_transpose2d(y, w, stride=2, padding=1)).sum().item()
    assert abs(lhs - rhs) < 1e-9


def test_conv_transpose2d_rejects_large_output_padding():
    with pytest.raises(RuntimeError, match="output padding must be smaller"):
        conv_transpose2d(mg.zeros(1, 1, 3, 3), mg.zeros(1, 1, 3, 3), stride=2, output_padding=2)


@pytest.mark.parametrize("stride, padding, output_padding, dilation, groups", [
    (1, 0, 0, 1, 1), (2, 1, 1, 1, 2), (1, 0, 1, 2, 1),
])
def test_conv_transpose2d_gradcheck(backend, float64, stride, padding, output_padding, dilation, groups):
    mg.manual_seed(5)
    x = mg.randn(1, 2, 3, 3, requires_grad=True)
    w = mg.randn(2, 4 // groups, 2, 2, requires_grad=True)
    b = mg.randn(4, requires_grad=True)
    assert gradcheck(lambda x, w, b: conv_transpose2d(x, w, b, stride, padding, output_padding, groups,
                                                      dilation), (x, w, b))


@pytest.mark.parametrize("stride, output_padding, dilation", [(2, 1, 1), (1, 1, 2)])
def test_conv_transpose2d_gradgradcheck(backend, float64, stride, output_padding, dilation):
    # (1, 1, 2): output_padding >= stride leaves a row no input reaches; its gradients are cropped
    mg.manual_seed(6)
    x = mg.randn(1, 2, 2, 3, requires_grad=True)
    w = mg.randn(2, 1, 2, 2, requires_grad=True)
    assert gradgradcheck(lambda x, w: conv_transpose2d(x, w, stride=stride, output_padding=output_padding,
                                                       dilation=dilation), (x, w))


def test_conv2d_gradient_is_conv_transpose_of_ones(backend):
    # d(sum conv(x, w))/dx counts how many windows cover each pixel, weighted by w
    x = mg.zeros(1, 1, 3, 3, requires_grad=True)
    conv2d(x, mg.ones(1, 1, 2, 2)).sum().backward()
    assert x.grad.tolist() == [[[[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]]]


def test_conv2d_weight_gradient_by_hand(backend):
    x = mg.arange(9.0).reshape(1, 1, 3, 3)
    w = mg.zeros(1, 1, 2, 2, requires_grad=True)
    conv2d(x, w).sum().backward()
    # dL/dw[i, j] = sum of the 2x2 block of x starting at (i, j)
    assert w.grad.tolist() == [[[[8.0, 12.0], [20.0, 24.0]]]]


# --- layers -----------------------------------------------------------------------------------

def test_conv2d_layer_shapes_and_parameter_names(backend):
    mg.manual_seed(0)
    conv = nn.Conv2d(4, 6, (3, 2), stride=2, padding=1, groups=2)
    assert conv.weight.shape == (6, 2, 3, 2) and conv.bias.shape == (6,)
    assert list(conv.state_dict()) == ["weight", "bias"]
    assert conv(mg.zeros(2, 4, 9, 9)).shape == (2, 6, 5, 5)


def test_conv2d_layer_calls_functional(backend):
    mg.manual_seed(1)
    conv = nn.Conv2d(2, 3, 3, padding="same", dilation=2)
    x = mg.randn(1, 2, 6, 6)
    expected = F.conv2d(x, conv.weight, conv.bias, padding="same", dilation=2)
    np.testing.assert_array_equal(conv(x).detach().cpu().numpy(), expected.detach().cpu().numpy())


def test_conv2d_default_init_bounds():
    mg.manual_seed(2)
    conv = nn.Conv2d(8, 64, 5)
    bound = 1 / math.sqrt(8 * 25)  # kaiming_uniform(a=√5) gives U(-1/√fan_in, 1/√fan_in)
    w = conv.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert np.abs(conv.bias.detach().numpy()).max() <= bound


def test_conv2d_without_bias():
    conv = nn.Conv2d(1, 2, 3, bias=False)
    assert conv.bias is None and list(conv.state_dict()) == ["weight"]


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv2d_padding_mode_pads_before_convolving(backend, mode):
    mg.manual_seed(3)
    conv = nn.Conv2d(1, 1, 3, padding=1, padding_mode=mode)
    x = mg.randn(1, 1, 4, 5)
    expected = F.conv2d(F.pad(x, (1, 1, 1, 1), mode=mode), conv.weight, conv.bias)
    np.testing.assert_allclose(conv(x).detach().cpu().numpy(), expected.detach().cpu().numpy())


def test_conv2d_layer_validates_groups():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)


def test_conv2d_repr():
    expected = "Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert repr(nn.Conv2d(1, 16, 3, padding=1)) == expected


def test_conv_transpose2d_layer_shapes(backend):
    mg.manual_seed(4)
    up = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2)
    assert up.weight.shape == (4, 3, 3, 3)
    assert up(mg.zeros(1, 4, 5, 5)).shape == (1, 6, 9, 9)
    assert up(mg.zeros(1, 4, 5, 5), output_size=(10, 10)).shape == (1, 6, 10, 10)


def test_conv_transpose2d_layer_rejects_unreachable_output_size():
    with pytest.raises(ValueError, match="valid sizes range from 9 to 10"):
        nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1)(mg.zeros(1, 1, 5, 5), output_size=(11, 11))


def test_conv_transpose2d_undoes_strided_conv_shape(backend):
    down = nn.Conv2d(2, 3, 3, stride=2, padding=1)
    up = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1)
    assert up(down(mg.zeros(1, 2, 8, 8))).shape == (1, 2, 8, 8)


def test_small_cnn_trains(backend):
    mg.manual_seed(5)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                          nn.Linear(8, 2))
    x = mg.randn(16, 1, 8, 8)
    y = (x[:, 0, :4].sum(dim=(1, 2)) > x[:, 0, 4:].sum(dim=(1, 2))).long()
    losses = []
    for _ in range(30):
        loss = F.cross_entropy(model(x), y)
        for p in model.parameters():
            p.grad = None
        loss.backward()
        with mg.no_grad():
            for p in model.parameters():
                p -= 0.5 * p.grad
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_conv2d_dtype_mismatch_raises():
    with pytest.raises(RuntimeError, match="should be the same"):
        conv2d(mg.zeros(1, 1, 3, 3, dtype=mg.float64), mg.zeros(1, 1, 2, 2))


def test_conv2d_weight_gradient_without_kept_columns(backend, monkeypatch):
    # columns above the size limit are rebuilt in backward: same gradient
    import minigrad.ops.conv as conv_ops
    mg.manual_seed(7)
    x, w = mg.randn(2, 3, 6, 5), mg.randn(4, 3, 3, 3, requires_grad=True)
    conv2d(x, w, stride=2, padding=1).sum().backward()
    kept = w.grad.cpu().numpy()
    w.grad = None
    monkeypatch.setattr(conv_ops, "KEEP_COLUMNS_BYTES", 0)
    conv2d(x, w, stride=2, padding=1).sum().backward()
    np.testing.assert_allclose(w.grad.cpu().numpy(), kept, rtol=1e-6)


# --- 1-d convolution, unfold and fold ----------------------------------------------------------------
def test_conv1d_layer_shapes_names_and_init_bounds(backend):
    mg.manual_seed(0)
    conv = nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2)
    assert conv.weight.shape == (6, 2, 3) and conv.bias.shape == (6,)
    assert conv(mg.zeros(5, 4, 11)).shape == (5, 6, 6)
    assert float(conv.weight.abs().max()) <= 1 / (2 * 3) ** 0.5  # U(±1/√fan_in), fan_in = 2·3
    assert repr(conv) == "Conv1d(4, 6, kernel_size=(3,), stride=(2,), padding=(1,), groups=2)"
    assert not isinstance(conv, nn.Conv2d)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv1d_padding_mode_pads_before_convolving(backend, mode):
    conv = nn.Conv1d(1, 1, 3, padding="same", padding_mode=mode, bias=False)
    nn.init.ones_(conv.weight)
    x = mg.tensor([[[1.0, 2.0, 4.0]]])
    expected = F.conv1d(F.pad(x, (1, 1), mode=mode), conv.weight)
    np.testing.assert_allclose(conv(x).detach().cpu().numpy(), expected.detach().cpu().numpy())


def test_conv1d_errors():
    with pytest.raises(RuntimeError, match="expected input\\[1, 2, 5\\] to have 4 channels"):
        F.conv1d(mg.zeros(1, 2, 5), mg.zeros(3, 4, 2))
    with pytest.raises(RuntimeError, match="3-D weight"):
        F.conv1d(mg.zeros(1, 2, 5), mg.zeros(3, 2, 2, 2))
    with pytest.raises(ValueError, match="strided"):
        nn.Conv1d(1, 1, 3, stride=2, padding="same")


def test_unfold_then_fold_counts_the_blocks_covering_each_pixel(backend):
    x = mg.ones(1, 2, 3, 3)
    covered = F.fold(F.unfold(x, 2), (3, 3), 2)
    assert covered[0, 0].tolist() == [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]


def test_unfold_matmul_is_conv2d(backend):
    mg.manual_seed(1)
    x, w = mg.randn(2, 3, 5, 6), mg.randn(4, 3, 3, 3)
    cols = F.unfold(x, 3, padding=1, stride=2)
    out = (w.reshape(4, -1) @ cols).reshape(2, 4, 3, 3)
    expected = F.conv2d(x, w, padding=1, stride=2)
    np.testing.assert_allclose(out.cpu().numpy(), expected.cpu().numpy(), rtol=1e-5, atol=1e-5)


def test_fold_unfold_layers_and_errors(backend):
    assert nn.Unfold(kernel_size=(2, 3))(mg.zeros(2, 5, 3, 4)).shape == (2, 30, 4)
    assert nn.Fold(output_size=(4, 5), kernel_size=(2, 2))(mg.zeros(1, 12, 12)).shape == (1, 3, 4, 5)
    assert F.unfold(mg.zeros(5, 3, 4), 2).shape == (20, 6)  # unbatched
    with pytest.raises(RuntimeError, match="divisible by the product of kernel_size"):
        F.fold(mg.zeros(1, 5, 4), (3, 3), 2)
    with pytest.raises(RuntimeError, match="number of sliding blocks 2 \\* 2 = 4, but got input.size"):
        F.fold(mg.zeros(1, 4, 5), (3, 3), 2)
    with pytest.raises(RuntimeError, match="Only 3D or 4D"):
        F.unfold(mg.zeros(3, 3), 2)


def test_fold_gradgradcheck(backend, float64):
    cols = mg.randn(1, 8, 4, requires_grad=True)
    assert gradgradcheck(lambda c: F.fold(c, (3, 3), 2) ** 2, (cols,))


@pytest.mark.parametrize("channels, groups", [(2, 1), (8, 2)])  # column rows 18 and 36: both paths
def test_conv2d_weight_gradient_paths_agree_with_gradcheck(backend, float64, channels, groups):
    from minigrad.ops.conv import SMALL_KERNEL_ROWS
    assert (channels // groups * 9 < SMALL_KERNEL_ROWS) == (channels == 2)
    x = mg.randn(2, channels, 4, 3, requires_grad=True)
    w = mg.randn(4, channels // groups, 3, 3, requires_grad=True)
    assert gradcheck(lambda x, w: F.conv2d(x, w, padding=1, groups=groups), (x, w))
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, padding=1, groups=groups), (x, w))


def _grads_on(device, fn, arrays):
    """fn's output and the gradients of its sum w.r.t. ``arrays`` (NumPy, float64), run on ``device``."""
    inputs = [mg.tensor(a, device=device, requires_grad=True) for a in arrays]
    out = fn(*inputs)
    out.sum().backward()
    return [out.detach().cpu().numpy()] + [t.grad.cpu().numpy() for t in inputs]


@pytest.mark.gpu
def test_conv_and_pool_kernels_on_cuda_equal_the_cpu():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((2, 4, 9, 8)), rng.standard_normal((6, 2, 3, 3)), rng.standard_normal(6)]

    def net(x, w, b):
        y = F.conv2d(x, w, b, padding=1, groups=2)
        y = F.max_pool2d(y, 2) + F.avg_pool2d(y, 3, stride=2, padding=1)[:, :, :4, :4]
        return F.conv_transpose2d(y, w, stride=2)

    for got, want in zip(_grads_on("cuda", net, arrays), _grads_on("cpu", net, arrays)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
