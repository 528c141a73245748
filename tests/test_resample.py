"""interpolate / Upsample and the pixel shuffles: PyTorch's numbers (computed with torch 2.13 and
written down here), shapes, errors. Gradients are checked in the op table (test_ops.py)."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.autograd import gradcheck

_X = [[[[1.0, 2.0], [3.0, 4.0]]]]


def test_bilinear_half_pixel_centres(backend):
    out = F.interpolate(mg.tensor(_X), size=(3, 3), mode="bilinear")
    assert out.tolist() == [[[[1.0, 1.5, 2.0], [2.0, 2.5, 3.0], [3.0, 3.5, 4.0]]]]


def test_nearest_with_fractional_scale_factor_uses_it_for_coordinates(backend):
    out = F.interpolate(mg.tensor(_X), scale_factor=1.5)
    assert out.tolist() == [[[[1.0, 1.0, 2.0], [1.0, 1.0, 2.0], [3.0, 3.0, 4.0]]]]


def test_nearest_exact_rounds_to_pixel_centres(backend):
    out = F.interpolate(mg.tensor([[[0.0, 1.0, 2.0, 3.0, 4.0]]]), size=2, mode="nearest-exact")
    assert out.tolist() == [[[1.0, 3.0]]]


def test_unchanged_size_copies_the_input_whatever_the_scale(backend):
    x = mg.arange(12.0).reshape(1, 1, 3, 4)
    np.testing.assert_array_equal(F.interpolate(x, scale_factor=1.2, mode="bilinear").cpu().numpy(),
                                  x.cpu().numpy())
    # an unchanged axis is copied while the other is resampled
    out = F.interpolate(x, scale_factor=(1.2, 1.6))
    assert out.shape == (1, 1, 3, 6)
    assert out[0, 0, :, 0].tolist() == [0.0, 4.0, 8.0]


def test_nearest_1d_and_3d_resample_an_axis_of_unchanged_size_by_the_scale(backend):
    # PyTorch's 1-d and 3-d nearest kernels read floor(o / 1.1) even when the size is unchanged
    out = F.interpolate(mg.tensor([[[5.0, 7.0, 9.0]]]), scale_factor=1.1)
    assert out.tolist() == [[[5.0, 5.0, 7.0]]]
    out = F.interpolate(mg.arange(3.0).reshape(1, 1, 3, 1, 1), scale_factor=(1.1, 1.0, 1.0))
    assert out.flatten().tolist() == [0.0, 0.0, 1.0]


def test_nearest_exact_resamples_an_axis_of_unchanged_size_by_the_scale(backend):
    x = mg.arange(7.0).reshape(1, 1, 7)
    expected = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 5.0]
    assert F.interpolate(x, scale_factor=1.1, mode="nearest-exact").flatten().tolist() == expected
    out = F.interpolate(x.reshape(1, 1, 7, 1), scale_factor=(1.1, 1.0), mode="nearest-exact")
    assert out.flatten().tolist() == expected


def test_nearest_2d_reads_half_the_index_when_the_size_doubles(backend):
    # 3 * 2.3 -> 6 = 2 * 3: PyTorch's 2-d kernel reads o // 2, not floor(o / 2.3); 1-d does not
    x = mg.arange(3.0)
    assert F.interpolate(x.reshape(1, 1, 3, 1), scale_factor=(2.3, 1.0)).flatten().tolist() == \
        [0.0, 0.0, 1.0, 1.0, 2.0, 2.0]
    assert F.interpolate(x.reshape(1, 1, 3), scale_factor=2.3).flatten().tolist() == \
        [0.0, 0.0, 0.0, 1.0, 1.0, 2.0]


def test_uint8_bilinear_and_bicubic_round_and_saturate(backend):
    x = mg.tensor([[[[0, 1, 0, 3, 255, 254]]]], dtype=mg.uint8)
    out = F.interpolate(x, size=(1, 12), mode="bilinear")
    assert out.dtype == mg.uint8
    assert out.flatten().tolist() == [0, 0, 1, 1, 0, 1, 2, 66, 192, 255, 254, 254]
    out = F.interpolate(x, size=(1, 12), mode="bicubic")
    assert out.flatten().tolist() == [0, 0, 1, 1, 0, 0, 0, 60, 198, 255, 255, 254]
    out = F.interpolate(mg.tensor([[[[0, 1, 2, 5]]]], dtype=mg.uint8), size=(1, 7), mode="bilinear",
                        align_corners=True)
    assert out.flatten().tolist() == [0, 1, 1, 2, 2, 4, 5]  # halves round up


def test_uint8_resizes_are_pytorchs_separable_fixed_point_passes(backend):
    # the last axis first, each pass in int16 fixed point and rounded back to uint8 (values of
    # PyTorch 2.13; resizing both axes in float and rounding once gave 249 for 250, 44 for 45...)
    x = mg.tensor([[[[248, 249, 250, 251], [252, 253, 254, 255], [0, 1, 2, 3], [4, 5, 6, 7]]]],
                  dtype=mg.uint8)
    assert F.interpolate(x, size=(3, 5), mode="bilinear").tolist() == \
        [[[[249, 250, 251, 251, 252], [126, 127, 128, 128, 129], [3, 4, 5, 5, 6]]]]
    assert F.interpolate(x, size=(3, 5), mode="bicubic").tolist() == \
        [[[[253, 254, 255, 255, 255], [126, 127, 128, 128, 129], [0, 0, 1, 1, 2]]]]
    x = mg.tensor([[[[10, 200, 30], [90, 5, 250]]]], dtype=mg.uint8)
    assert F.interpolate(x, scale_factor=1.5, mode="bicubic").tolist() == \
        [[[[0, 129, 206, 45], [49, 73, 113, 136], [105, 17, 19, 226]]]]


def test_integer_input_other_than_uint8_is_refused_by_the_interpolating_modes():
    with pytest.raises(NotImplementedError, match="int64"):
        F.interpolate(mg.tensor([[[1, 2]]]), scale_factor=2, mode="linear")


def test_area_is_adaptive_average(backend):
    x = mg.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_allclose(F.interpolate(x, size=2, mode="area").cpu().numpy(),
                               F.adaptive_avg_pool2d(x, 2).cpu().numpy())


def test_bicubic_is_pytorchs_cubic_convolution(backend):
    out = F.interpolate(mg.tensor(_X), size=(3, 3), mode="bicubic")  # overshoots past the corners
    np.testing.assert_allclose(out.cpu().numpy()[0, 0], [[0.7395833, 1.3263889, 1.9131945],
                                                         [1.9131945, 2.5, 3.0868056],
                                                         [3.0868056, 3.6736112, 4.2604165]], rtol=1e-6)
    out = F.interpolate(mg.tensor(_X), size=(3, 4), mode="bicubic", align_corners=True)
    np.testing.assert_allclose(out.cpu().numpy()[0, 0, 0], [1.0, 1.3148148, 1.6851852, 2.0], rtol=1e-6)


def test_bicubic_resamples_an_axis_of_unchanged_size(backend):
    # unlike the other modes, PyTorch's bicubic kernel uses the scale factor on every axis
    x = mg.arange(12.0).reshape(1, 1, 3, 4) ** 2
    out = F.interpolate(x, scale_factor=1.2, mode="bicubic")
    assert out.shape == x.shape
    np.testing.assert_allclose(out.cpu().numpy()[0, 0, 0], [-0.8707314, -0.6638873, 0.8276646, 4.4556718],
                               rtol=1e-5)


def test_interpolate_errors():
    x = mg.tensor(_X)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=2, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x, size=2, align_corners=True)
    with pytest.raises(NotImplementedError, match="Got 4D input, but linear mode needs 3D input"):
        F.interpolate(x, size=2, mode="linear")
    with pytest.raises(NotImplementedError, match="Got 3D input, but bicubic mode needs 4D input"):
        F.interpolate(x[0], size=2, mode="bicubic")
    with pytest.raises(NotImplementedError, match="antialias"):
        F.interpolate(x, size=2, mode="bilinear", antialias=True)
    with pytest.raises(ValueError, match="same number of spatial dimensions"):
        F.interpolate(x, size=(2, 2, 2))


def test_upsample_layer(backend):
    up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
    assert up(mg.zeros(1, 2, 3, 3)).shape == (1, 2, 6, 6)
    assert repr(up) == "Upsample(scale_factor=2.0, mode='bilinear')"
    bilinear = nn.UpsamplingBilinear2d(size=(3, 3))(mg.tensor(_X))
    assert bilinear.tolist() == [[[[1.0, 1.5, 2.0], [2.0, 2.5, 3.0], [3.0, 3.5, 4.0]]]]  # corners aligned
    assert nn.UpsamplingNearest2d(scale_factor=2)(mg.tensor(_X)).shape == (1, 1, 4, 4)


def test_upsample_gradient_adds_up_where_pixels_were_copied(backend):
    x = mg.tensor(_X, requires_grad=True)
    F.interpolate(x, scale_factor=2).sum().backward()
    assert x.grad.tolist() == [[[[4.0, 4.0], [4.0, 4.0]]]]


def test_pixel_shuffle_round_trip_and_layers(backend):
    x = mg.randn(2, 3, 8, 4, 6)  # extra leading dims are batch dims
    y = nn.PixelShuffle(2)(x)
    assert y.shape == (2, 3, 2, 8, 12)
    np.testing.assert_array_equal(nn.PixelUnshuffle(2)(y).cpu().numpy(), x.cpu().numpy())
    assert repr(nn.PixelShuffle(2)) == "PixelShuffle(upscale_factor=2)"


def test_pixel_shuffle_errors():
    with pytest.raises(RuntimeError, match="divisible by the square of upscale_factor"):
        F.pixel_shuffle(mg.zeros(1, 3, 2, 2), 2)
    with pytest.raises(RuntimeError, match="at least 3 dimensions"):
        F.pixel_shuffle(mg.zeros(4, 2), 2)
    with pytest.raises(RuntimeError, match="height to be divisible by downscale_factor"):
        F.pixel_unshuffle(mg.zeros(1, 1, 3, 4), 2)


def test_interpolate_gradcheck_with_scale_factor(backend, float64):
    x = mg.randn(1, 2, 3, 4, requires_grad=True)
    assert gradcheck(lambda t: F.interpolate(t, scale_factor=(1.5, 0.75), mode="bilinear"), (x,))


def test_identity_affine_grid_samples_the_input_back(backend):
    x = mg.arange(24.0).reshape(2, 1, 3, 4)
    identity = mg.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]] * 2)
    for align_corners in (True, False):
        grid = F.affine_grid(identity, (2, 1, 3, 4), align_corners=align_corners)
        assert grid.shape == (2, 3, 4, 2)
        out = F.grid_sample(x, grid, align_corners=align_corners)
        np.testing.assert_allclose(out.cpu().numpy(), x.cpu().numpy(), atol=1e-5)


def test_grid_sample_bilinear_zeros_border_and_nearest_by_hand(backend):
    x = mg.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    # align_corners=True: -1 and 1 are the end pixels' centres; (0, 0) is the middle of all four
    grid = mg.tensor([[[[0.0, 0.0], [1.0, -1.0], [2.0, 0.0], [-0.5, 1.0]]]])
    out = F.grid_sample(x, grid, align_corners=True)
    # x = 2 is pixel column 1.5: half the right column (2 and 4 at row 0.5: 3), half zeros outside
    assert out.tolist() == [[[[2.5, 2.0, 1.5, 3.25]]]]
    border = F.grid_sample(x, grid, padding_mode="border", align_corners=True)
    assert border.tolist() == [[[[2.5, 2.0, 3.0, 3.25]]]]  # clamped onto the right column
    nearest = F.grid_sample(x, mg.tensor([[[[0.6, -0.6]]]]), mode="nearest", align_corners=True)
    assert nearest.tolist() == [[[[2.0]]]]
    with pytest.raises(NotImplementedError, match="reflection"):
        F.grid_sample(x, grid, padding_mode="reflection")


def test_grid_sample_nearest_gives_the_grid_a_zero_gradient(backend):
    x = mg.randn(1, 2, 3, 4, requires_grad=True)
    grid = mg.tensor([[[[0.3, -0.6], [-0.9, 0.1]]]], requires_grad=True)
    F.grid_sample(x, grid, mode="nearest", align_corners=False).sum().backward()
    assert grid.grad.tolist() == [[[[0.0, 0.0], [0.0, 0.0]]]]  # PyTorch's zeros, not None
    assert x.grad.sum().item() == 4.0  # two channels, two reads each


def test_grid_sample_gradcheck_in_input_grid_and_theta(backend, float64):
    x = mg.randn(1, 2, 3, 4, requires_grad=True)
    grid = (mg.rand(1, 2, 3, 2) * 2.2 - 1.1).requires_grad_()  # some positions fall outside
    assert gradcheck(lambda a, g: F.grid_sample(a, g, align_corners=False), (x, grid))
    theta = (mg.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]]) + 0.2 * mg.randn(1, 2, 3)).requires_grad_()
    assert gradcheck(lambda a, t: F.grid_sample(a, F.affine_grid(t, (1, 2, 3, 4))), (x, theta))
