"""Property tests: forward values agree with NumPy over generated shapes and values."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg

finite = st.floats(-100, 100, allow_nan=False, width=32)
SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def broadcastable_pair(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4))
    a = draw(hnp.arrays(np.float32, shapes.input_shapes[0], elements=finite))
    b = draw(hnp.arrays(np.float32, shapes.input_shapes[1], elements=finite))
    return a, b


@SETTINGS
@given(broadcastable_pair(), st.sampled_from(["add", "sub", "mul", "maximum", "minimum"]))
def test_binary_ops_match_numpy(pair, name):
    a, b = pair
    ops = {"add": np.add, "sub": np.subtract, "mul": np.multiply,
           "maximum": np.maximum, "minimum": np.minimum}
    out = getattr(mg.tensor(a), name)(mg.tensor(b)) if name in ("maximum", "minimum") else \
        {"add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y}[name](
            mg.tensor(a), mg.tensor(b))
    np.testing.assert_allclose(out.numpy(), ops[name](a, b), rtol=1e-6)


@SETTINGS
@given(broadcastable_pair())
def test_broadcast_gradients_have_input_shapes(pair):
    a, b = (mg.tensor(x, requires_grad=True) for x in pair)
    (a * b).sum().backward()
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    expected_a = np.broadcast_to(pair[1], np.broadcast_shapes(pair[0].shape, pair[1].shape))
    np.testing.assert_allclose(a.grad.numpy().sum(), expected_a.sum(dtype=np.float64), rtol=1e-3, atol=1e-2)


@st.composite
def array_and_axis(draw):
    arr = draw(hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=finite))
    axis = draw(st.integers(-arr.ndim, arr.ndim - 1))
    keep = draw(st.booleans())
    return arr, axis, keep


@SETTINGS
@given(array_and_axis(), st.sampled_from(["sum", "mean", "amax", "amin", "logsumexp", "softmax", "cumsum"]))
def test_reductions_match_numpy(case, name):
    a, axis, keep = case
    x = mg.tensor(a)
    a64 = a.astype(np.float64)
    if name == "softmax":
        e = np.exp(a64 - a64.max(axis, keepdims=True))
        got, want = x.softmax(axis), e / e.sum(axis, keepdims=True)
    elif name == "cumsum":
        got, want = x.cumsum(axis), np.cumsum(a64, axis)
    elif name == "logsumexp":
        m = a64.max(axis, keepdims=True)
        want = np.log(np.exp(a64 - m).sum(axis, keepdims=True)) + m
        got, want = x.logsumexp(axis, keep), want if keep else np.squeeze(want, axis)
    else:
        got = getattr(x, name)(axis, keep)
        want = getattr(np, {"amax": "max", "amin": "min"}.get(name, name))(a64, axis=axis, keepdims=keep)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-3)


@SETTINGS
@given(hnp.arrays(np.float32, hnp.array_shapes(min_dims=2, max_dims=2, max_side=6), elements=finite),
       st.data())
def test_indexing_matches_numpy(a, data):
    rows = data.draw(st.lists(st.integers(0, a.shape[0] - 1), min_size=1, max_size=6))
    start = data.draw(st.integers(0, a.shape[1] - 1))
    x = mg.tensor(a, requires_grad=True)
    out = x[rows, start:]
    np.testing.assert_array_equal(out.detach().numpy(), a[rows, start:])
    out.sum().backward()
    expected = np.zeros_like(a)
    np.add.at(expected, (rows, slice(start, None)), 1)
    np.testing.assert_array_equal(x.grad.numpy(), expected)  # repeated rows accumulate
