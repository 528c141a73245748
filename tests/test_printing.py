"""Tensors print as PyTorch's do: every expected string below is PyTorch 2.13's output for the same
tensor, with ``torch.`` renamed ``minigrad.`` (the only difference allowed)."""

import math

import pytest

import minigrad as mg

inf, nan = math.inf, math.nan


@pytest.fixture(autouse=True)
def default_printoptions():
    yield
    mg.set_printoptions(profile="default")


@pytest.mark.parametrize("make, expected", [
    # the column width comes from the nonzero finite values only: -0., inf and nan do not widen it
    (lambda: mg.tensor([-0., 1.5]), "tensor([-0.0000, 1.5000])"),
    (lambda: mg.tensor([-0., 0., 2.]), "tensor([-0., 0., 2.])"),
    (lambda: mg.tensor([1., inf, nan, -inf]), "tensor([1., inf, nan, -inf])"),
    (lambda: mg.tensor([100., nan]), "tensor([100.,  nan])"),
    (lambda: mg.tensor([0., -0., inf, nan]), "tensor([0., -0., inf, nan])"),
    (lambda: mg.tensor([[6 / 7, 0.0], [0.0, 1.0]]), "tensor([[0.8571, 0.0000],\n        [0.0000, 1.0000]])"),
    (lambda: mg.tensor([1.0, 6.0]), "tensor([1., 6.])"),
    (lambda: mg.tensor([0.5, 100.0]), "tensor([  0.5000, 100.0000])"),
    (lambda: mg.tensor([float("nan"), 1.5, float("inf")]), "tensor([   nan, 1.5000,    inf])"),
])
def test_columns_are_as_wide_as_the_widest_nonzero_finite_value(make, expected):
    assert repr(make()) == expected


@pytest.mark.parametrize("values, expected", [
    ([1.5, 1500.], "tensor([   1.5000, 1500.0000])"),  # a ratio of exactly 1000 stays fixed
    ([0.5, 1500.0], "tensor([5.0000e-01, 1.5000e+03])"),
    ([1., 2000.], "tensor([1.0000e+00, 2.0000e+03])"),  # whole numbers switch on the same ratio
    ([1e9, 1.], "tensor([1.0000e+09, 1.0000e+00])"),
    ([1e9, 2e9], "tensor([1.0000e+09, 2.0000e+09])"),
    ([1e-5, -1.0], "tensor([ 1.0000e-05, -1.0000e+00])"),
    ([1e-5, inf, -0.], "tensor([1.0000e-05,        inf, -0.0000e+00])"),
    ([[1e-5, -0.], [nan, 3e10]], "tensor([[1.0000e-05, -0.0000e+00],\n        [       nan, 3.0000e+10]])"),
])
def test_scientific_notation_when_magnitudes_span_over_1000_or_leave_1e_4_to_1e8(values, expected):
    assert repr(mg.tensor(values)) == expected


@pytest.mark.parametrize("make, expected", [
    (lambda: mg.tensor([65504., 6e-8, -1.], dtype=mg.float16),
     "tensor([ 6.5504e+04,  5.9605e-08, -1.0000e+00], dtype=minigrad.float16)"),
    (lambda: mg.tensor([[True, False], [False, True]]), "tensor([[ True, False],\n        [False,  True]])"),
    (lambda: mg.tensor([0, 7, 255], dtype=mg.uint8), "tensor([  0,   7, 255], dtype=minigrad.uint8)"),
    (lambda: mg.tensor([-128, 5], dtype=mg.int8), "tensor([-128,    5], dtype=minigrad.int8)"),
    (lambda: mg.tensor([-2 ** 63, 2 ** 63 - 1]), "tensor([-9223372036854775808,  9223372036854775807])"),
    (lambda: mg.tensor(2.5), "tensor(2.5000)"),
    (lambda: mg.tensor(-0.), "tensor(-0.)"),
    (lambda: mg.tensor(7), "tensor(7)"),
    (lambda: mg.tensor(True), "tensor(True)"),
])
def test_dtypes_and_0d_tensors(make, expected):
    assert repr(make()) == expected


@pytest.mark.parametrize("make, expected", [
    (lambda: mg.zeros(0, 3), "tensor([], size=(0, 3))"),
    (lambda: mg.zeros(0, dtype=mg.int64), "tensor([], dtype=minigrad.int64)"),
    (lambda: mg.zeros(2, 0, 1, dtype=mg.bool), "tensor([], size=(2, 0, 1), dtype=minigrad.bool)"),
])
def test_empty_tensors_state_their_size_and_any_non_default_dtype(make, expected):
    assert repr(make()) == expected


@pytest.mark.parametrize("make, expected", [
    (lambda: mg.arange(14.) / 7,
     "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n"
     "        1.2857, 1.4286, 1.5714, 1.7143, 1.8571])"),
    (lambda: mg.arange(8.).reshape(2, 2, 2),
     "tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])"),
    (lambda: mg.arange(24).reshape(2, 12) * 1000,
     "tensor([[    0,  1000,  2000,  3000,  4000,  5000,  6000,  7000,  8000,  9000,\n"
     "         10000, 11000],\n"
     "        [12000, 13000, 14000, 15000, 16000, 17000, 18000, 19000, 20000, 21000,\n"
     "         22000, 23000]])"),
])
def test_rows_wrap_at_80_columns_and_nest_one_space_deeper(make, expected):
    assert repr(make()) == expected


def test_tensors_over_1000_elements_print_3_items_at_each_edge():
    assert repr(mg.arange(1001)) == "tensor([   0,    1,    2,  ...,  998,  999, 1000])"
    assert repr(mg.tensor([0.5] * 1001)) == "tensor([0.5000, 0.5000, 0.5000,  ..., 0.5000, 0.5000, 0.5000])"


@pytest.mark.parametrize("make, expected", [
    (lambda: mg.tensor([1., 2.], requires_grad=True) * 2, "tensor([2., 4.], grad_fn=<MulBackward0>)"),
    (lambda: mg.tensor([[1.5], [2.]], dtype=mg.float64, requires_grad=True),
     "tensor([[1.5000],\n        [2.0000]], dtype=minigrad.float64, requires_grad=True)"),
    # PyTorch's "dtype=torch.float64" fits on the line, so minigrad's suffix stays there too
    (lambda: mg.tensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], dtype=mg.float64),
     "tensor([0.1000, 0.2000, 0.3000, 0.4000, 0.5000, 0.6000], dtype=minigrad.float64)"),
    (lambda: mg.tensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], dtype=mg.float64),
     "tensor([0.1000, 0.2000, 0.3000, 0.4000, 0.5000, 0.6000, 0.7000],\n       dtype=minigrad.float64)"),
    (lambda: mg.nn.Parameter(mg.tensor([0.5, -1.])),
     "Parameter containing:\ntensor([ 0.5000, -1.0000], requires_grad=True)"),
])
def test_suffixes(make, expected):
    assert repr(make()) == expected


def test_a_tensor_on_the_default_device_does_not_name_it(backend):
    assert repr(mg.tensor([1.5, -0.])) == "tensor([1.5000, -0.0000])"


def test_a_tensor_off_the_default_device_names_it():
    """As PyTorch's with ``set_default_device("cuda")``: a CPU tensor says ``device='cpu'``."""
    pytest.importorskip("array_api_strict")
    with mg.use_backend("strict"):
        assert repr(mg.tensor([1.5], device="cpu")) == "tensor([1.5000], device='cpu')"
        x = mg.tensor([1.5])
    assert repr(x) == "tensor([1.5000], device='strict')"


def test_dtype_suffix_follows_the_default_dtype():
    mg.set_default_dtype(mg.float64)
    try:
        assert repr(mg.tensor([1.5])) == "tensor([1.5000])"
        assert repr(mg.tensor([1.5], dtype=mg.float32)) == "tensor([1.5000], dtype=minigrad.float32)"
        assert repr(mg.zeros(0, dtype=mg.float32)) == "tensor([], dtype=minigrad.float32)"
    finally:
        mg.set_default_dtype(mg.float32)


@pytest.mark.parametrize("options, make, expected", [
    ({"precision": 2}, lambda: mg.tensor([1.23456]), "tensor([1.23])"),
    ({"precision": 2}, lambda: mg.tensor([1 / 3, 2000.]), "tensor([3.33e-01, 2.00e+03])"),
    ({"threshold": 5, "edgeitems": 1}, lambda: mg.arange(12.).reshape(3, 4),
     "tensor([[ 0.,  ...,  3.],\n        ...,\n        [ 8.,  ..., 11.]])"),
    ({"threshold": 10, "edgeitems": 1}, lambda: mg.arange(27.).reshape(3, 3, 3) / 3,
     "tensor([[[0.0000,  ..., 0.6667],\n         ...,\n         [2.0000,  ..., 2.6667]],\n\n"
     "        ...,\n\n        [[6.0000,  ..., 6.6667],\n         ...,\n         [8.0000,  ..., 8.6667]]])"),
    ({"linewidth": 20}, lambda: mg.arange(8), "tensor([0, 1, 2, 3,\n        4, 5, 6, 7])"),
    ({"edgeitems": 0, "threshold": 5}, lambda: mg.arange(10), "tensor([...], size=(10,))"),
    ({"edgeitems": 0}, lambda: mg.arange(3), "tensor([0, 1, 2], size=(3,))"),
    ({"sci_mode": True}, lambda: mg.tensor([1., 0., inf]), "tensor([1.0000e+00, 0.0000e+00,        inf])"),
    ({"sci_mode": False}, lambda: mg.tensor([1e-5, 1e9]), "tensor([         0.0000, 1000000000.0000])"),
    ({"profile": "short"}, lambda: mg.arange(1001.) / 3,
     "tensor([0.00e+00, 3.33e-01,  ..., 3.33e+02, 3.33e+02])"),
])
def test_set_printoptions(options, make, expected):
    mg.set_printoptions(**options)
    assert repr(make()) == expected


def test_set_printoptions_profile_full_never_summarises():
    mg.set_printoptions(profile="full")
    assert "..." not in repr(mg.arange(1001))


def test_set_printoptions_without_sci_mode_sets_it_back_to_automatic():
    mg.set_printoptions(sci_mode=True)
    assert repr(mg.tensor([0.5, 1.0])) == "tensor([5.0000e-01, 1.0000e+00])"
    mg.set_printoptions(precision=4)  # sci_mode back to automatic, as PyTorch's
    assert repr(mg.tensor([0.5, 1.0])) == "tensor([0.5000, 1.0000])"


def test_set_printoptions_rejects_an_unknown_profile():
    with pytest.raises(ValueError, match="set_printoptions: profile"):
        mg.set_printoptions(profile="long")


def test_a_0d_tensor_formats_as_its_number():
    assert f"{mg.tensor(0.25)} {mg.tensor(3)} {mg.tensor(2 / 3):.3f}" == "0.25 3 0.667"


def test_other_tensors_format_as_str_and_take_no_format_spec():
    assert f"{mg.tensor([0.25])}" == "tensor([0.2500])"
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{mg.tensor([0.25]):.2f}"
