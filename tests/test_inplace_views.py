"""In-place ops and views with PyTorch's semantics: values and gradients as PyTorch 2.13 gives them.

Each case below is ordinary PyTorch code with ``mg`` in place of ``torch``
the expected values
were printed by running the same function under PyTorch 2.13 (CPU, float64).
"""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F


def t(lib, data, rg=False):
    return lib.tensor(data, dtype=lib.float64, requires_grad=rg)


def slice_write(lib):
    x = t(lib, [1., 1., 1., 1.], True)
    b = x * 1
    v = b[:2]
    v.mul_(10)
    b.sum().backward()
    return dict(b=b.tolist(), xg=x.grad.tolist())

def base_write_seen_by_view(lib):
    x = t(lib, [1., 2., 3., 4.], True)
    b = x * 1
    v = b[:2]
    b.mul_(2)
    (v * v).sum().backward()
    return dict(v=v.tolist(), xg=x.grad.tolist())

def transpose_write(lib):
    x = t(lib, [[1., 2., 3.], [4., 5., 6.]], True)
    b = x * 1
    bt = b.t()
    bt[0].mul_(3)
    (b * b).sum().backward()
    return dict(b=b.tolist(), xg=x.grad.tolist())

def view_write(lib):
    x = t(lib, [[1., 2., 3.], [4., 5., 6.]], True)
    b = x * 2
    f = b.view(6)
    f[1:3] += 10
    (b ** 2).sum().backward()
    return dict(b=b.tolist(), xg=x.grad.tolist())

def mask_write(lib):
    x = t(lib, [1., 2., 3., 4.], True)
    b = x * 3
    b[b > 5] = 0
    (b * x).sum().backward()
    return dict(b=b.tolist(), xg=x.grad.tolist())

def column_add(lib):
    x = t(lib, [[1., 2.], [3., 4.]], True)
    y = t(lib, [10., 20.], True)
    b = x * 1
    b[:, 0] += y
    (b * b).sum().backward()
    return dict(b=b.tolist(), xg=x.grad.tolist(), yg=y.grad.tolist())

def leaf_nograd(lib):
    w = t(lib, [1., 2., 3.], True)
    v = w[1:]
    with lib.no_grad():
        w.mul_(2)
    (v * v).sum().backward()
    return dict(v=v.tolist(), wg=w.grad.tolist())

def nonleaf_inplace(lib):
    x = t(lib, [1., 2.], True)
    z = x * 2
    z.add_(1)
    z.mul_(z.detach())
    z.sum().backward()
    return dict(z=z.tolist(), xg=x.grad.tolist())

def setitem_makes_grad(lib):
    w = t(lib, [5., 6.], True)
    x = lib.zeros(4, dtype=lib.float64)
    x[1:3] = w
    rg = x.requires_grad
    name = type(x.grad_fn).__name__
    (x * t(lib, [1., 2., 3., 4.])).sum().backward()
    return dict(x=x.tolist(), rg=[float(rg)], wg=w.grad.tolist(), name=name)

def sibling_views(lib):
    x = t(lib, [1., 2., 3., 4.], True)
    b = x * 1
    v1 = b[:2]
    v2 = b[1:3]
    v1.mul_(2)
    (v2 * v2).sum().backward()
    return dict(v2=v2.tolist(), xg=x.grad.tolist())

def view_of_view(lib):
    x = t(lib, [[1., 2., 3.], [4., 5., 6.]], True)
    b = x * 1
    v = b[1][1:]
    v.add_(v * 2)
    (b * b).sum().backward()
    return dict(b=b.tolist(), xg=x.grad.tolist())

def kv_cache(lib):
    ks = [t(lib, [float(i), float(i) + 0.5], True) for i in range(3)]
    cache = lib.zeros(3, 2, dtype=lib.float64)
    for i, k in enumerate(ks):
        cache[i] = k * 2
    (cache.sum(0) ** 2).sum().backward()
    return dict(cache=cache.tolist(), g0=ks[0].grad.tolist(), g2=ks[2].grad.tolist())

def unsqueeze_write(lib):
    x = t(lib, [1., 2., 3.], True)
    b = x + 0
    u = b.unsqueeze(0)
    u[0, 1] = 7.0
    u.mul_(2)
    (b * b).sum().backward()
    return dict(b=b.tolist(), xg=x.grad.tolist())

def copy_into_view(lib):
    x = t(lib, [1., 2., 3., 4.], True)
    y = t(lib, [7., 8.], True)
    b = x.clone()
    b[2:].copy_(y * y)
    (b * t(lib, [1., 2., 3., 4.])).sum().backward()
    return dict(b=b.tolist(), xg=x.grad.tolist(), yg=y.grad.tolist())


PYTORCH = {  # noqa: E501
    slice_write: {'b': [10.0, 10.0, 1.0, 1.0], 'xg': [10.0, 10.0, 1.0, 1.0]},
    base_write_seen_by_view: {'v': [2.0, 4.0], 'xg': [8.0, 16.0, 0.0, 0.0]},
    transpose_write: {'b': [[3.0, 2.0, 3.0], [12.0, 5.0, 6.0]], 'xg': [[18.0, 4.0, 6.0], [72.0, 10.0, 12.0]]},
    view_write: {'b': [[2.0, 14.0, 16.0], [8.0, 10.0, 12.0]], 'xg': [[8.0, 56.0, 64.0], [32.0, 40.0, 48.0]]},
    mask_write: {'b': [3.0, 0.0, 0.0, 0.0], 'xg': [6.0, 0.0, 0.0, 0.0]},
    column_add: {'b': [[11.0, 2.0], [23.0, 4.0]], 'xg': [[22.0, 4.0], [46.0, 8.0]], 'yg': [22.0, 46.0]},
    leaf_nograd: {'v': [4.0, 6.0], 'wg': [0.0, 8.0, 12.0]},
    setitem_makes_grad: {'x': [0.0, 5.0, 6.0, 0.0], 'rg': [1.0], 'wg': [2.0, 3.0], 'name': 'CopySlices'},
    sibling_views: {'v2': [4.0, 3.0], 'xg': [0.0, 16.0, 6.0, 0.0]},
    view_of_view: {'b': [[1.0, 2.0, 3.0], [4.0, 15.0, 18.0]], 'xg': [[2.0, 4.0, 6.0], [8.0, 90.0, 108.0]]},
    kv_cache: {'cache': [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], 'g0': [24.0, 36.0], 'g2': [24.0, 36.0]},
    unsqueeze_write: {'b': [2.0, 14.0, 6.0], 'xg': [8.0, 0.0, 24.0]},
    copy_into_view: {'b': [1.0, 2.0, 49.0, 64.0], 'xg': [1.0, 2.0, 0.0, 0.0], 'yg': [42.0, 64.0]},
}


@pytest.mark.parametrize("case", list(PYTORCH), ids=lambda c: c.__name__)
def test_values_and_gradients_match_pytorch(backend, case):
    assert case(mg) == PYTORCH[case]


def test_nonleaf_inplace_keeps_the_values_backward_needs(backend):
    # PyTorch raises here (mul_ saved z.detach(), which shares z's storage); minigrad keeps a copy
    # of the operand it saved and computes the exact gradient: d(z·c)/dx = 2c with c = [3, 5].
    x = t(mg, [1., 2.], True)
    z = x * 2
    z.add_(1)
    z.mul_(z.detach())
    z.sum().backward()
    assert z.tolist() == [9.0, 25.0] and x.grad.tolist() == [6.0, 10.0]


def test_overwritten_saved_output_raises_at_backward(backend):
    x = t(mg, [1., 2.], True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: output 0 of ExpBackward0 "
                                           r"is at version 1; expected version 0"):
        y.sum().backward()


def test_relu_output_written_in_place_keeps_relus_gradient(backend):
    # relu saves its mask, not its output (a quarter of the bytes): PyTorch raises here instead
    x = t(mg, [-1., 2., 3.], True)
    y = x.relu()
    y.mul_(10)  # recorded: d(10 relu(x))/dx
    y.sum().backward()
    assert y.tolist() == [0.0, 20.0, 30.0] and x.grad.tolist() == [0.0, 10.0, 10.0]
    x.grad = None
    y = x.relu()
    with mg.no_grad():
        y[1] = -5.0  # not recorded: the gradient stays relu's, from where x was positive
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0]


def test_overwritten_saved_input_raises_naming_it(backend):
    w = t(mg, [2.], True)
    x = t(mg, [3.])
    x.name = "x"
    y = w * x
    x.add_(1)
    with pytest.raises(RuntimeError, match=r"Tensor 'x' of shape \(1,\).* is at version 1; "
                                           r"expected version 0 \(saved by MulBackward0\)"):
        y.sum().backward()


def test_inplace_on_a_leaf_that_requires_grad_raises(backend):
    w = t(mg, [2.], True)
    with pytest.raises(RuntimeError, match="a leaf Tensor .* that requires grad is being used in an"):
        w.add_(1)


def test_inplace_on_a_view_of_such_a_leaf_raises(backend):
    w = t(mg, [2., 3.], True)
    with pytest.raises(RuntimeError, match="a view of a leaf Tensor .* in-place"):
        w[:1].add_(1)


@pytest.mark.parametrize("write", [lambda e: e.add_(1), lambda e: e.copy_(mg.ones(2)),
                                   lambda e: e.clamp_(0, 1), lambda e: e.__setitem__(slice(None), 7.0)],
                         ids=["add_", "copy_", "clamp_", "setitem"])
def test_writing_to_an_expanded_view_raises(backend, write):
    e = t(mg, [1., 2.]).expand(3, 2)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        write(e)


def test_writing_through_a_view_without_grad_is_seen_by_the_base(backend):
    x = mg.zeros(2, 3)
    x.t()[1].fill_(4.0)
    x[0, :2] += 1
    assert x.tolist() == [[1.0, 5.0, 0.0], [0.0, 4.0, 0.0]]


@pytest.mark.parametrize("statement, start, expected", [
    ("v **= 2", [2.0, 3.0, 5.0], [4.0, 9.0, 5.0]),
    ("v //= 2", [7.0, -3.0, 5.0], [3.0, -2.0, 5.0]),
    ("v %= 2", [7.0, -3.0, 5.0], [1.0, 1.0, 5.0]),
    ("v &= 6", [7, -3, 12], [6, 4, 12]),
    ("v |= 8", [7, -3, 12], [15, -3, 12]),
    ("v ^= 5", [7, -3, 12], [2, -8, 12]),
    ("v <<= 2", [7, -3, 12], [28, -12, 12]),
    ("v >>= 1", [7, -3, 12], [3, -2, 12]),
])
def test_augmented_assignment_writes_in_place_through_a_view(backend, statement, start, expected):
    """As PyTorch's: ``v **= 2`` on a view changes its base (rebinding ``v`` would not)."""
    x = mg.tensor(start)
    scope = {"v": x[:2]}
    exec(statement, scope)
    assert x.tolist() == expected and x.dtype == mg.tensor(start).dtype


@pytest.mark.parametrize("call", [lambda i, b: i.__ifloordiv__(2.5),
                                  lambda i, b: i.__imod__(mg.tensor([1.5, 2.0])),
                                  lambda i, b: i.__ipow__(0.5), lambda i, b: b.__iand__(mg.tensor([1, 0])),
                                  lambda i, b: b.add_(mg.tensor([1, 0]))],
                         ids=["int //= float", "int %= float", "int **= float", "bool &= int", "bool += int"])
def test_inplace_result_of_a_higher_category_raises(call):
    """PyTorch refuses a float result in an integer tensor, an integer result in a bool tensor."""
    i, b = mg.tensor([7, 3]), mg.tensor([True, False])
    with pytest.raises(RuntimeError, match="result type minigrad.(float32|int64) can't be cast to the"):
        call(i, b)
    assert i.tolist() == [7, 3] and b.tolist() == [True, False]


def test_inplace_result_of_a_wider_type_of_the_same_category_is_cast():
    x = mg.tensor([1, 2], dtype=mg.int32)
    x += mg.tensor([1, 1])  # int64: PyTorch casts it down
    x.mul_(mg.tensor([2, 2], dtype=mg.int64))
    assert x.tolist() == [4, 6] and x.dtype is mg.int32


def test_advanced_index_reads_copy(backend):
    x = mg.arange(4.0)
    y = x[mg.tensor([0, 1])]
    y.add_(10)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0] and y._base is None


@pytest.mark.parametrize("pieces", [lambda b: b.split(1, 0), lambda b: b.unbind(0)])
def test_a_piece_of_a_split_sees_a_write_into_its_base(backend, pieces):
    # the piece's grad_fn is rebuilt by replaying its output of the multi-output view op
    x = mg.ones(3, 2, requires_grad=True)
    b = x * 1
    piece = pieces(b)[1]
    b.mul_(2)
    piece.sum().backward()
    assert piece.tolist() in ([[2.0, 2.0]], [2.0, 2.0])
    assert x.grad.tolist() == [[0.0, 0.0], [2.0, 2.0], [0.0, 0.0]]


def test_view_shares_version_and_base(backend):
    x = mg.zeros(4)
    v = x[1:].reshape(3, 1)
    assert v._base is x and v._version is x._version
    v.add_(1)
    assert x._version[0] == 1 and x.tolist() == [0.0, 1.0, 1.0, 1.0]


def test_gradgradcheck_through_a_write_into_a_view(float64):
    def f(x, y):
        b = x * 1
        b[1:3] = x[1:3] * y
        return (b * b).sum()
    x = mg.tensor([0.5, -1.0, 2.0, 1.5], requires_grad=True)
    y = mg.tensor([0.3, -0.7], requires_grad=True)
    assert mg.autograd.gradcheck(f, (x, y))
    assert mg.autograd.gradgradcheck(f, (x, y))


def test_view_of_a_tensor_whose_strides_do_not_allow_it_raises_as_pytorch(backend):
    x = mg.arange(6.0).reshape(2, 3)
    with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
        x.t().view(6)
    with pytest.raises(RuntimeError, match=r"Use \.reshape"):
        mg.zeros(4, 6)[:, :3].view(12)
    assert x.t().view(3, 2).tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]  # strides allow this one
    flat = x.t().contiguous().view(6)
    assert flat.tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    flat.view(2, 3)[0, 0] = 9.0  # a view of the row-major copy: written through, the original untouched
    assert flat[0].item() == 9.0 and x[0, 0].item() == 0.0


def unfold_write(lib):
    x = t(lib, [1., 2., 3., 4., 5., 6.], True)
    b = x * 1
    w = b.unfold(0, 2, 2)
    w[1].mul_(10)
    b[4] = 0.5
    (b * b).sum().backward()
    return dict(b=b.tolist(), w=w.tolist(), xg=x.grad.tolist())


def unfold_overlap(lib):
    x = t(lib, [[1., 2., 3., 4.], [5., 6., 7., 8.]], True)
    w = (x * 1).unfold(1, 3, 1)
    (w * w * t(lib, [1., 2., 3.])).sum().backward()
    return dict(w=w.tolist(), xg=x.grad.tolist())


def test_unfold_is_a_view_written_through_both_ways_as_pytorch():
    # NumPy's strides make the windows a view (array-api-strict's namespace copies, as for diagonal)
    assert unfold_write(mg) == {'b': [1.0, 2.0, 30.0, 40.0, 0.5, 6.0],
                                'w': [[1.0, 2.0], [30.0, 40.0], [0.5, 6.0]],
                                'xg': [2.0, 4.0, 600.0, 800.0, 0.0, 12.0]}
    assert type(mg.ones(3, requires_grad=True).unfold(0, 2, 1).grad_fn).__name__ == "UnfoldBackward0"
    image = mg.ones(1, 2, 4, 4, requires_grad=True)  # nn.functional's unfold and fold are im2col, col2im
    columns = F.unfold(image, 2)
    assert [type(t.grad_fn).__name__ for t in (columns, F.fold(columns, (4, 4), 2))] == \
        ["Im2ColBackward0", "Col2ImBackward0"]


def test_overlapping_unfold_windows_sum_their_gradients_and_refuse_writes(backend):
    assert unfold_overlap(mg) == {'w': [[[1.0, 2.0, 3.0], [2.0, 3.0, 4.0]],
                                        [[5.0, 6.0, 7.0], [6.0, 7.0, 8.0]]],
                                  'xg': [[2.0, 12.0, 30.0, 24.0], [10.0, 36.0, 70.0, 48.0]]}
    windows = mg.arange(5.0).unfold(0, 3, 1)  # element 2 is in all three windows
    if backend.type == "cpu":  # a view there (a copy on array-api-strict's namespace)
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
            windows.mul_(2)


def test_contiguous_is_self_or_a_row_major_copy_the_gradient_passes_through(backend):
    x = mg.arange(6.0, requires_grad=True)
    y = x.reshape(2, 3)
    assert y.contiguous() is y
    z = y.t().contiguous()
    assert z.is_contiguous() and type(z.grad_fn).__name__ == "CloneBackward0"
    (z * mg.arange(6.0).reshape(3, 2)).sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 4.0, 1.0, 3.0, 5.0]


def test_convolution_and_pooling_results_are_row_major_so_view_is_a_view(backend):
    # as PyTorch's: x.view(-1, C·H·W) after a convolution shares its storage, and a write through
    # the view reaches the original (it used to be a silent copy)
    conv = mg.nn.Conv2d(2, 4, 3, padding=1)
    x = mg.randn(3, 2, 6, 6)
    out = conv(x)
    assert out.is_contiguous()
    assert mg.nn.functional.conv1d(mg.randn(3, 2, 5), mg.randn(4, 2, 3)).is_contiguous()
    flat = out.view(3, -1)
    flat[1, 0] = 7.0
    assert out[1, 0, 0, 0].item() == 7.0
    features = mg.nn.functional.relu(mg.nn.functional.max_pool2d(conv(x), 2))
    assert features.is_contiguous()
    features.view(-1).zero_()
    assert features.abs().sum().item() == 0.0


ACTIVATIONS = {
    "relu": lambda x, inplace: F.relu(x, inplace=inplace),
    "relu6": lambda x, inplace: F.relu6(x * 4, inplace=inplace),
    "hardtanh": lambda x, inplace: F.hardtanh(x, -0.5, 0.5, inplace=inplace),
    "leaky_relu": lambda x, inplace: F.leaky_relu(x, 0.2, inplace=inplace),
    "elu": lambda x, inplace: F.elu(x, 0.5, inplace=inplace),
    "selu": lambda x, inplace: F.selu(x, inplace=inplace),
    "celu": lambda x, inplace: F.celu(x, 2.0, inplace=inplace),
    "silu": lambda x, inplace: F.silu(x, inplace=inplace),
    "mish": lambda x, inplace: F.mish(x, inplace=inplace),
    "hardsigmoid": lambda x, inplace: F.hardsigmoid(x, inplace=inplace),
    "hardswish": lambda x, inplace: F.hardswish(x, inplace=inplace),
    "threshold": lambda x, inplace: F.threshold(x, 0.1, 20.0, inplace=inplace),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_inplace_activation_writes_into_its_input_and_differentiates_as_the_plain_one(name):
    # F.relu(x, inplace=True) used to return a new tensor and leave x as it was
    fn, values = ACTIVATIONS[name], [0.5, -1.0, 2.0, -0.05]
    weights = mg.tensor([1.0, -2.0, 0.5, 3.0])
    a = mg.tensor(values, requires_grad=True)
    expected = fn(a * 1.5, False)
    (expected * weights).sum().backward()
    expected_grad, a.grad = a.grad, None
    x = a * 1.5
    out = fn(x, True)
    written = x if name != "relu6" else out  # relu6 is given x * 4, a temporary
    assert out is written and out.tolist() == pytest.approx(expected.tolist())
    (written * weights).sum().backward()
    assert a.grad.tolist() == pytest.approx(expected_grad.tolist())


def test_inplace_activation_modules_and_spellings():
    x = mg.tensor([-1.0, 2.0])
    assert mg.nn.ReLU(inplace=True)(x) is x and x.tolist() == [0.0, 2.0]
    y = mg.tensor([-1.0, 2.0])
    F.leaky_relu_(y, 0.5)
    assert y.tolist() == [-0.5, 2.0]
    z = mg.tensor([-1.0, 0.5])
    F.threshold_(z, 0.0, -3.0)
    assert z.tolist() == [-3.0, 0.5]
    with pytest.raises(RuntimeError, match="leaf .* requires grad .* in-place"):
        F.relu(mg.tensor([1.0], requires_grad=True), inplace=True)


def test_inplace_relu_in_a_residual_block_matches_the_plain_one():
    mg.manual_seed(0)
    conv, norm = mg.nn.Conv2d(2, 2, 3, padding=1), mg.nn.BatchNorm2d(2)

    def block(x, inplace):
        out = F.relu(norm(conv(x)), inplace=inplace)
        out = out + x
        return F.relu(out, inplace=inplace)

    x = mg.randn(2, 2, 4, 4, requires_grad=True)
    grads = []
    for inplace in (False, True):
        x.grad = conv.weight.grad = None
        out = block(x, inplace)
        (out * out).sum().backward()
        grads.append((out.tolist(), x.grad.tolist(), conv.weight.grad.tolist()))
    for plain, written in zip(*grads):
        np.testing.assert_allclose(written, plain, rtol=1e-6)


def test_inplace_dropout_writes_into_its_input():
    mg.manual_seed(0)
    x = mg.ones(8, 8)
    assert mg.nn.Dropout(0.5, inplace=True)(x) is x
    assert set(x.reshape(-1).tolist()) == {0.0, 2.0}
    y = mg.ones(2, 3, 4)
    F.dropout1d(y, 0.5, inplace=True)
    assert all(len(set(row)) == 1 for row in y.reshape(6, 4).tolist())


@pytest.mark.parametrize("norm", ["instance", "layer", "batch"])
def test_inplace_relu_after_a_normalisation_without_affine_parameters(norm):
    # the normalisation's output was the x̂ it saved for backward, so ReLU(inplace=True) on it
    # raised (CycleGAN's InstanceNorm2d -> ReLU(True)); PyTorch's saves its input instead
    layer = {"instance": mg.nn.InstanceNorm2d(2), "layer": mg.nn.LayerNorm(3, elementwise_affine=False),
             "batch": mg.nn.BatchNorm2d(2, affine=False)}[norm]
    mg.manual_seed(0)
    x = mg.randn(2, 2, 3, 3, requires_grad=True)
    grads = []
    for relu in (mg.nn.ReLU(), mg.nn.ReLU(inplace=True)):
        x.grad = None
        (relu(layer(x)) * mg.arange(36.0).reshape(2, 2, 3, 3)).sum().backward()
        grads.append(x.grad.tolist())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)


# --- retain_grad and hooks across in-place ops: PyTorch's values ---------------------------------------
def test_retain_grad_is_the_gradient_of_the_value_after_inplace_ops(backend):
    x = t(mg, [1., 2., 3.], True)
    b = x * 1
    b.retain_grad()
    b.mul_(2)
    b.add_(1)
    (b * b).sum().backward()
    assert b.grad.tolist() == [6.0, 10.0, 14.0]


@pytest.mark.parametrize("case, expected", [
    ("a view written in place", ([24.0, 36.0], [0.0, 144.0, 216.0])),
    ("its base written through a view", ([4.0, 24.0, 36.0], [8.0, 144.0, 216.0])),
    ("a view whose base was written", ([24.0, 36.0], [0.0, 144.0, 216.0]))])
def test_retain_grad_follows_writes_through_views(backend, case, expected):
    x = t(mg, [1., 2., 3.], True)
    b = x * 2
    v = b[1:]
    kept = b if case == "its base written through a view" else v
    kept.retain_grad()
    (b if case == "a view whose base was written" else v).mul_(3)
    (kept * kept).sum().backward()
    assert (kept.grad.tolist(), x.grad.tolist()) == expected


def test_retain_grad_sees_the_gradient_after_every_hook(backend):
    x = t(mg, [1., 2.], True)
    b = x * 2
    b.retain_grad()
    b.register_hook(lambda g: g * 10)
    b.sum().backward()
    assert b.grad.tolist() == [10.0, 10.0] and x.grad.tolist() == [20.0, 20.0]


def test_a_hook_handle_removes_its_hook_after_an_inplace_op(backend):
    x = t(mg, [1., 2.], True)
    b = x * 2
    handle = b.register_hook(lambda g: g * 10)
    b.mul_(3)
    handle.remove()
    (b * b).sum().backward()
    assert x.grad.tolist() == [72.0, 144.0]


# --- views made with recording off: PyTorch raises where whether a write is tracked is ambiguous ------
@pytest.mark.parametrize("write", [lambda v: v.mul_(2), lambda v: v[0:1].add_(1),
                                   lambda v: v.__setitem__(0, 5.0)], ids=["mul_", "view of it", "setitem"])
@pytest.mark.parametrize("mode", [mg.no_grad, mg.inference_mode])
def test_a_tracked_write_into_a_view_made_without_recording_raises(backend, write, mode):
    x = t(mg, [1., 2., 3.], True)
    b = x * 1
    with mode():
        v = b[1:]
    with pytest.raises(RuntimeError, match="created in no_grad mode and is being modified inplace with "
                                           "grad mode enabled"):
        write(v)
    assert b.tolist() == [1.0, 2.0, 3.0]


def test_such_a_view_of_a_tensor_without_grad_raises_only_for_an_operand_with_grad(backend):
    b = t(mg, [1., 2., 3.])
    with mg.no_grad():
        v = b[1:]
    with pytest.raises(RuntimeError, match="created in no_grad mode"):
        v.mul_(t(mg, [1., 1.], True))
    v.mul_(2)
    assert b.tolist() == [1.0, 4.0, 6.0]


def test_a_view_made_without_recording_raises_when_used_after_its_base_was_written(backend):
    x = t(mg, [1., 2., 3.], True)
    b = x * 1
    with mg.no_grad():
        v = b[1:]
    b.mul_(2)
    with mg.no_grad():
        assert (v * v).tolist() == [16.0, 36.0]
    assert not v.requires_grad  # asking does not raise (PyTorch answers True: the base's flag)
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode and its base or another view "
                                           "of its base has been modified inplace with grad mode enabled"):
        v * v


def test_a_view_made_and_written_without_recording_is_not_tracked(backend):
    x = t(mg, [1., 2., 3.], True)
    b = x * 1
    with mg.no_grad():
        b[1:].mul_(2)
    (b * b).sum().backward()
    assert b.tolist() == [1.0, 4.0, 6.0] and x.grad.tolist() == [2.0, 8.0, 12.0]


def test_fill_and_row_writes_into_an_expanded_view_reach_its_base():
    # as PyTorch's: one value for all the elements that share memory is unambiguous, and a row of
    # an expand() has no two elements in one place (array-api-strict's broadcast is read-only)
    x, y, z = t(mg, [1., 2.]), t(mg, [1., 2.]), t(mg, [1., 2.])
    x.expand(3, 2).fill_(4.0)
    y.expand(3, 2).zero_()
    e = z.expand(3, 2)
    e[1] = 7.0
    e[2, 0] += 1
    e[:, :0].add_(1)  # no element at all: none shares a location
    assert x.tolist() == [4.0, 4.0] and y.tolist() == [0.0, 0.0]
    assert z.tolist() == [8.0, 7.0] and e.tolist() == [[8.0, 7.0]] * 3


def test_a_row_of_an_expanded_view_written_in_a_graph():
    x, y = t(mg, [1., 2.], True), t(mg, [5., 6.], True)
    b = x * 1
    b.expand(3, 2)[1] = y * 2
    (b * b).sum().backward()
    assert b.tolist() == [10.0, 12.0] and x.grad.tolist() == [0.0, 0.0] and y.grad.tolist() == [40.0, 48.0]


@pytest.mark.parametrize("op", [lambda y: y.view(2), lambda y: y.reshape(2), lambda y: y.view_as(y),
                                lambda y: y.squeeze(), lambda y: y.expand(2), lambda y: y.t(),
                                lambda y: y.unflatten(0, (2,))],
                         ids=["view", "reshape", "view_as", "squeeze", "expand", "t", "unflatten"])
def test_a_shape_op_that_changes_nothing_still_returns_a_new_view(backend, op):
    # as PyTorch's: a hook on it sees only the gradient that flows through it
    x = t(mg, [1., 2.], True)
    y = x * 2
    z = op(y)
    z.register_hook(lambda g: g * 0)
    (y + 3 * z).sum().backward()
    assert z is not y and z._base is y and x.grad.tolist() == [2.0, 2.0]


def test_flatten_of_one_dimension_is_the_tensor_itself_and_empty_ones_flatten(backend):
    x, v = mg.zeros(0, 2, 1), mg.tensor([1., 2.])
    assert x.flatten(1, 2).shape == (0, 2) and x.flatten(0, 1).shape == (0, 1)
    assert mg.zeros(2, 0, 3).flatten().shape == (0,)
    assert x.flatten(1, 1) is x and v.flatten() is v


@pytest.mark.parametrize("fill, args", [("normal_", ()), ("uniform_", ()), ("exponential_", ()),
                                         ("geometric_", (0.5,)), ("cauchy_", ()), ("log_normal_", ()),
                                         ("random_", (10,)), ("bernoulli_", (0.5,))])
def test_a_random_fill_in_a_graph_cuts_the_gradient_to_the_old_values(backend, fill, args):
    # PyTorch records NormalBackward0 & co. (zero gradient); these fills ran unrecorded
    x = t(mg, [1., 2., 3.], True)
    b = x * 1
    getattr(b, fill)(*args)
    (b * b).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_a_random_fill_of_a_leaf_that_requires_grad_raises_outside_no_grad(backend):
    w = t(mg, [1., 2.], True)
    with pytest.raises(RuntimeError, match="a leaf Tensor .* that requires grad is being used in an"):
        w.normal_()
    with mg.no_grad():
        w.uniform_()
    mg.nn.init.normal_(w)  # nn.init works without recording, as PyTorch's
    assert w.grad_fn is None
