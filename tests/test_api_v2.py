"""The v2 tensor API beyond the op table: constructors, random draws (statistics with fixed
seeds), sorting and counting semantics, in-place variants, dtype rules, helpers, and PyTorch's
error cases with messages that name the op."""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import gradcheck, gradgradcheck


# --- legacy constructors -------------------------------------------------------------------------
def test_tensor_with_sizes_is_uninitialised_float_of_that_shape():
    x = mg.Tensor(2, 3)
    assert x.shape == (2, 3) and x.dtype is mg.float32
    assert mg.Tensor(4).shape == (4,)
    assert mg.Tensor().shape == (0,)


def test_tensor_with_a_sequence_is_data():
    assert mg.Tensor((2, 3)).tolist() == [2.0, 3.0]
    assert mg.Tensor([1, 2]).dtype is mg.float32
    assert mg.Tensor([1.0], requires_grad=True).requires_grad


def test_tensor_of_a_lone_float_is_refused_as_in_pytorch():
    with pytest.raises(TypeError, match="Tensor\\(\\): expected sizes"):
        mg.Tensor(2.0)
    with pytest.raises(RuntimeError, match="negative dimension"):
        mg.Tensor(2, -1)


def test_typed_legacy_constructors():
    assert mg.LongTensor(2, 3).dtype is mg.int64 and mg.LongTensor(2, 3).shape == (2, 3)
    assert mg.LongTensor([1.5, 2.0]).tolist() == [1, 2]
    assert mg.BoolTensor([1, 0]).tolist() == [True, False]
    assert mg.DoubleTensor([1]).dtype is mg.float64
    assert mg.IntTensor(3).dtype is mg.int32
    with pytest.raises(TypeError, match="FloatTensor\\(\\): expected a minigrad.float32 tensor"):
        mg.FloatTensor(mg.tensor([1, 2]))


def test_isinstance_with_typed_constructors():
    assert isinstance(mg.zeros(2), mg.FloatTensor)
    assert not isinstance(mg.zeros(2).long(), mg.FloatTensor)
    assert isinstance(mg.zeros(2).long(), mg.LongTensor)


def test_new_factories_follow_dtype_and_device(backend):
    x = mg.zeros(2, 3, dtype=mg.int32)
    assert x.new_tensor([1.5]).tolist() == [1] and x.new_tensor([1.5]).dtype is mg.int32
    assert x.new_full((2,), 1.5).tolist() == [1, 1]
    assert x.new_zeros(2, 3).shape == (2, 3) and x.new_ones((2,)).dtype is mg.int32
    assert x.new_empty(4).shape == (4,) and x.new_ones(1, dtype=mg.float64).dtype is mg.float64
    assert x.new_zeros(2).device == backend


def test_new_tensor_copies_without_graph():
    w = mg.ones(2, requires_grad=True)
    c = w.new_tensor(w)
    assert not c.requires_grad and c.tolist() == [1.0, 1.0]


def test_meshgrid_indexing():
    a, b = mg.tensor([1, 2]), mg.tensor([3, 4, 5])
    x, y = mg.meshgrid(a, b, indexing="ij")
    assert x.shape == (2, 3) and x[:, 0].tolist() == [1, 2] and y[0].tolist() == [3, 4, 5]
    x, y = mg.meshgrid(a, b, indexing="xy")
    assert x.shape == (3, 2) and x[0].tolist() == [1, 2] and y[:, 0].tolist() == [3, 4, 5]


# --- random --------------------------------------------------------------------------------------
def test_randint_spellings():
    mg.manual_seed(0)
    assert mg.randint(5, (3,)).shape == (3,)
    assert mg.randint(2, 5, (100,)).min().item() >= 2
    assert mg.randint(5, size=(2,)).dtype is mg.int64
    assert mg.randint(high=5, size=(2,)).max().item() < 5
    assert mg.randint(5, (2,), dtype=mg.float32).dtype is mg.float32
    g1, g2 = mg.Generator().manual_seed(7), mg.Generator().manual_seed(7)
    assert mg.randint(0, 100, (5,), generator=g1).tolist() == mg.randint(0, 100, (5,), generator=g2).tolist()


@pytest.mark.parametrize("draw", [lambda: mg.randn(()), lambda: mg.rand(()), lambda: mg.randint(9, ()),
                                  lambda: mg.randn_like(mg.tensor(0.0)), lambda: mg.rand_like(mg.tensor(0.0)),
                                  lambda: mg.normal(0.0, 1.0, ()), lambda: mg.randn((), dtype=mg.float64)],
                         ids=["randn", "rand", "randint", "randn_like", "rand_like", "normal", "randn64"])
def test_random_0d_tensor_updates_in_place(backend, draw):
    """The tutorial's ``a = torch.randn(()); a -= lr * grad_a`` (a NumPy scalar inside would ignore it)."""
    a = draw()
    before = a.item()
    a -= 1
    a.mul_(2)
    assert a.shape == () and a.item() == pytest.approx((before - 1) * 2, rel=1e-6)


def test_randint_errors():
    with pytest.raises(TypeError, match="randint\\(\\): argument 'size' must be a tuple of ints, not int"):
        mg.randint(5, 3)
    with pytest.raises(RuntimeError, match="randint: expected 'low' to be less than 'high'"):
        mg.randint(5, 2, (2,))


def test_randint_like():
    x = mg.randint_like(mg.zeros(1000, dtype=mg.float64), 3, 5)
    assert x.dtype is mg.float64 and set(x.tolist()) == {3.0, 4.0}


def test_multinomial_with_replacement_frequencies(backend):
    mg.manual_seed(1)
    probs = mg.tensor([[1.0, 2.0, 7.0], [0.0, 5.0, 5.0]])  # unnormalised weights
    draws = mg.multinomial(probs, 20000, replacement=True)
    assert draws.shape == (2, 20000) and draws.dtype is mg.int64 and draws.device == backend
    freq = np.stack([np.bincount(r, minlength=3) for r in draws.cpu().numpy()]) / 20000
    np.testing.assert_allclose(freq, [[0.1, 0.2, 0.7], [0.0, 0.5, 0.5]], atol=0.015)


def test_multinomial_without_replacement_draws_distinct_in_sequential_law(backend):
    mg.manual_seed(2)
    probs = mg.tensor([[0.5, 0.3, 0.2]]).expand(6000, 3)  # 6000 independent rows
    draws = mg.multinomial(probs, 2).cpu().numpy()
    assert (draws[:, 0] != draws[:, 1]).all()
    first = np.bincount(draws[:, 0], minlength=3) / 6000
    np.testing.assert_allclose(first, [0.5, 0.3, 0.2], atol=0.02)
    # P(second = 2 | first = 0) = 0.2 / (0.3 + 0.2) when drawn one at a time
    second_after_0 = draws[draws[:, 0] == 0, 1]
    assert abs((second_after_0 == 2).mean() - 0.4) < 0.03


def test_multinomial_all_categories_without_replacement_includes_zeros():
    draw = mg.multinomial(mg.tensor([1.0, 0.0, 2.0]), 3).tolist()
    assert sorted(draw) == [0, 1, 2] and draw[-1] == 1  # the zero-weight category comes last


def test_multinomial_generator_reproducible():
    g = mg.Generator().manual_seed(3)
    a = mg.multinomial(mg.ones(5), 3, generator=g).tolist()
    g.manual_seed(3)
    assert mg.multinomial(mg.ones(5), 3, generator=g).tolist() == a
    assert mg.ones(5).multinomial(2).shape == (2,)


@pytest.mark.parametrize("args, message", [
    ((mg.tensor([1.0, 2.0]), 3),
     "cannot sample n_sample > prob_dist.size\\(-1\\) samples without replacement"),
    ((mg.tensor([1.0, -1.0]), 1), "probability tensor contains either `inf`, `nan` or element < 0"),
    ((mg.tensor([1.0, float("nan")]), 1), "probability tensor contains either `inf`, `nan` or element < 0"),
    ((mg.tensor([0.0, 0.0]), 1), "invalid multinomial distribution \\(sum of probabilities <= 0\\)"),
    ((mg.ones(2, 2, 2), 1), "prob_dist must be 1 or 2 dim"),
    ((mg.ones(3), 0), "cannot sample n_sample <= 0 samples"),
    ((mg.tensor([1, 2]), 1), "multinomial only supports floating-point dtypes"),
])
def test_multinomial_errors(args, message):
    with pytest.raises(RuntimeError, match=message):
        mg.multinomial(*args)


def test_bernoulli_frequency_dtype_and_zero_gradient(backend):
    mg.manual_seed(4)
    p = mg.full((20000,), 0.3, dtype=mg.float64, requires_grad=True)
    x = mg.bernoulli(p)
    assert x.dtype is mg.float64 and set(x.unique().tolist()) == {0.0, 1.0}
    assert abs(x.mean().item() - 0.3) < 4 * math.sqrt(0.21 / 20000)
    x.sum().backward()
    assert p.grad.abs().sum().item() == 0.0
    assert mg.bernoulli(mg.zeros(3), p=1.0).tolist() == [1.0, 1.0, 1.0]
    assert mg.zeros(1000).bernoulli_(0.5).sum().item() > 0


def test_bernoulli_errors():
    with pytest.raises(RuntimeError, match="bernoulli: expected all probabilities in \\[0, 1\\]"):
        mg.bernoulli(mg.tensor([1.5]))
    with pytest.raises(RuntimeError, match="bernoulli: expected a floating point input"):
        mg.bernoulli(mg.tensor([1, 0]))


def test_normal_forms_and_statistics():
    mg.manual_seed(5)
    x = mg.normal(2.0, 3.0, (40000,))
    assert x.dtype is mg.float32 and abs(x.mean().item() - 2.0) < 0.06 and abs(x.std().item() - 3.0) < 0.05
    assert mg.normal(mg.zeros(3), mg.ones(2, 1)).shape == (2, 3)
    assert mg.normal(mg.zeros(3)).shape == (3,)


def test_normal_is_differentiable_in_mean_and_std():
    mean = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    std = mg.tensor([0.5, 2.0], dtype=mg.float64, requires_grad=True)

    def draw(m, s):
        return mg.normal(m, s, generator=mg.Generator().manual_seed(0))
    assert gradcheck(draw, [mean, std])


def test_normal_errors():
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
        mg.normal(0.0, -1.0, (2,))
    with pytest.raises(RuntimeError, match="normal expects all elements of std >= 0.0"):
        mg.normal(mg.zeros(2), -mg.ones(2))
    with pytest.raises(TypeError, match="normal\\(\\): with number mean and std, give the size"):
        mg.normal(0.0, 1.0)


# --- sorting and selection -----------------------------------------------------------------------
def test_sort_is_stable_and_descending_keeps_tie_order():
    x = mg.tensor([3.0, 1.0, 3.0, 2.0])
    values, indices = mg.sort(x, descending=True, stable=True)
    assert values.tolist() == [3.0, 3.0, 2.0, 1.0] and indices.tolist() == [0, 2, 3, 1]
    assert x.argsort().tolist() == [1, 3, 0, 2]


def test_sort_puts_nan_last_ascending_and_first_descending():
    x = mg.tensor([1.0, float("nan"), 2.0])
    assert x.sort().indices.tolist() == [0, 2, 1]
    assert x.sort(descending=True).indices.tolist() == [1, 2, 0]


def test_sort_of_ints_and_bools_keeps_dtype():
    v, i = mg.tensor([3, 1, 2]).topk(2)
    assert v.tolist() == [3, 2] and v.dtype is mg.int64 and i.tolist() == [0, 2]
    assert mg.tensor([True, False]).sort().values.tolist() == [False, True]


def test_topk_kthvalue_named_fields():
    x = mg.tensor([[1.0, 5.0, 3.0], [4.0, 0.0, 2.0]])
    top = x.topk(2, dim=1)
    assert top.values.tolist() == [[5.0, 3.0], [4.0, 2.0]] and top.indices.tolist() == [[1, 2], [0, 2]]
    kth = mg.kthvalue(x, 2, dim=1, keepdim=True)
    assert kth.values.tolist() == [[3.0], [2.0]] and kth.indices.tolist() == [[2], [2]]


@pytest.mark.parametrize("call, message", [
    (lambda: mg.topk(mg.ones(4), 5), "topk: selected index k=5 out of range"),
    (lambda: mg.kthvalue(mg.ones(4), 5), "kthvalue\\(\\): selected number k=5 out of range"),
    (lambda: mg.bincount(mg.tensor([-1])), "bincount only supports 1-d non-negative integral inputs"),
    (lambda: mg.bincount(mg.tensor([[1]])), "bincount only supports 1-d non-negative integral inputs"),
    (lambda: mg.masked_select(mg.ones(2), mg.tensor([1, 0])), "masked_select: expected a bool mask"),
])
def test_selection_errors(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()


def test_unique_values_inverse_counts(backend):
    values, inverse, counts = mg.unique(mg.tensor([[3, 1], [3, 2]]), return_inverse=True, return_counts=True)
    assert values.tolist() == [1, 2, 3] and inverse.tolist() == [[2, 0], [2, 1]]
    assert counts.tolist() == [1, 1, 2]
    rows, inverse = mg.tensor([[1, 2], [3, 4], [1, 2]]).unique(dim=0, return_inverse=True)
    assert rows.tolist() == [[1, 2], [3, 4]] and inverse.tolist() == [0, 1, 0]
    assert not mg.unique(mg.tensor([1.0, 1.0], requires_grad=True)).requires_grad


def test_bincount_weights_dtype_and_minlength():
    assert mg.bincount(mg.tensor([0, 2, 2]), weights=mg.tensor([1.0, 2.0, 3.0])).tolist() == [1.0, 0.0, 5.0]
    assert mg.bincount(mg.tensor([0, 2, 2]), weights=mg.tensor([1, 2, 3])).dtype is mg.float64
    assert mg.bincount(mg.tensor([0, 2, 2]), minlength=5).tolist() == [1, 0, 2, 0, 0]
    assert mg.bincount(mg.tensor([], dtype=mg.int64)).shape == (0,)


def test_histc_and_histogram():
    x = mg.tensor([1.0, 2.0, 1.0, 4.0])
    assert mg.histc(x, bins=4, min=0, max=3).tolist() == [0.0, 2.0, 1.0, 0.0]  # 4 lies outside
    assert x.histc(bins=4).tolist() == [2.0, 1.0, 0.0, 1.0]  # the data's range; the maximum counts
    hist, edges = mg.histogram(x, bins=4)
    assert hist.tolist() == [2.0, 1.0, 0.0, 1.0] and edges.tolist() == [1.0, 1.75, 2.5, 3.25, 4.0]
    assert mg.histogram(x, bins=mg.tensor([0.0, 1.5, 5.0])).hist.tolist() == [2.0, 2.0]
    assert mg.histogram(x, bins=2, range=(0.0, 2.0), density=True).hist.tolist() == [0.0, 1.0]


def test_nonzero_and_one_argument_where():
    x = mg.tensor([[0, 1], [2, 0]])
    assert x.nonzero().tolist() == [[0, 1], [1, 0]]
    rows, cols = mg.where(x)
    assert rows.tolist() == [0, 1] and cols.tolist() == [1, 0]
    assert mg.tensor(3.0).nonzero().shape == (1, 0)
    assert mg.nonzero(mg.tensor([0, 4, 5]), as_tuple=True)[0].tolist() == [1, 2]


# --- scatter family and in-place variants ----------------------------------------------------------
def test_scatter_reduce_amax_splits_ties_and_passes_self():
    a = mg.zeros(2, 3, dtype=mg.float64, requires_grad=True)
    src = mg.tensor([[1.0, 5, 5], [5, 5, 7]], dtype=mg.float64, requires_grad=True)
    out = a.scatter_reduce(0, mg.tensor([[0, 1, 1], [1, 1, 0]]), src, "amax")
    assert out.tolist() == [[1.0, 0.0, 7.0], [5.0, 5.0, 5.0]]
    out.sum().backward()
    assert a.grad.tolist() == [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    assert src.grad.tolist() == [[1.0, 0.5, 1.0], [1.0, 0.5, 1.0]]  # two 5s reach out[1, 1]


@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_prod_gradient_is_exact_with_zeros(include_self):
    index = mg.tensor([[0, 2, 1, 2], [1, 0, 0, 2]])  # target (2, 3) gets one zero, (2, 2) two of them
    a = mg.tensor([[1.0, 0.0, 2.0, 3.0], [0.5, 1.5, 0.0, 2.0], [1.0, 2.0, 3.0, 0.0]], dtype=mg.float64,
                  requires_grad=True)
    src = mg.tensor([[0.0, 1.0, 2.0, 0.0], [3.0, 0.0, 1.0, 0.0]], dtype=mg.float64, requires_grad=True)
    assert gradcheck(lambda a, s: a.scatter_reduce(0, index, s, "prod", include_self=include_self), [a, src])


@pytest.mark.parametrize("call, message", [
    (lambda: mg.zeros(2).scatter_reduce(0, mg.tensor([0]), mg.ones(1), "foo"),
     "scatter_reduce\\(\\): reduce argument must be either sum, prod, mean, amax or amin"),
    (lambda: mg.zeros(2).scatter(0, mg.tensor([5]), mg.ones(1)),
     "scatter\\(\\): index 5 is out of bounds for dimension 0 with size 2"),
    (lambda: mg.zeros(2).scatter(0, mg.tensor([0.0]), mg.ones(1)),
     "scatter\\(\\): expected dtype int32 or int64 for index"),
    (lambda: mg.zeros(2).index_copy(0, mg.tensor([0], dtype=mg.int32), mg.ones(1)),
     "index_copy\\(\\): expected dtype int64 for index"),
    (lambda: mg.zeros(2, 2).scatter(0, mg.tensor([0]), mg.ones(1)),
     "scatter\\(\\): index tensor must have the same number of dimensions"),
    (lambda: mg.zeros(2).scatter(0, mg.tensor([0, 1, 1]), mg.ones(2)),
     "scatter\\(\\): expected index \\[3\\]"),
    (lambda: mg.zeros(2).scatter_add(0, mg.tensor([0]), mg.ones(1, dtype=mg.float64)),
     "scatter_reduce\\(\\): expected self.dtype to be equal to src.dtype"),
    (lambda: mg.zeros(2).index_add(0, mg.tensor([0, 5]), mg.ones(2)),
     "index_add\\(\\): index 5 is out of bounds"),
    (lambda: mg.zeros(2).index_add(0, mg.tensor([0, 1]), mg.ones(3)),
     "index_add\\(\\): source of shape \\(3,\\)"),
    (lambda: mg.zeros(2).index_copy(0, mg.tensor([[0]]), mg.ones(1)),
     "index_copy\\(\\): index should have at most"),
    (lambda: mg.zeros(2).index_fill(0, mg.tensor([0]), mg.ones(2)),
     "index_fill\\(\\): only supports a 0-dimensional"),
    (lambda: mg.zeros(3).masked_scatter(mg.tensor([True, False, True]), mg.tensor([1.0])),
     "masked_scatter\\(\\): number of elements of source \\(1\\) < number of ones in mask \\(2\\)"),
    (lambda: mg.zeros(3).masked_fill_(mg.tensor([1, 0, 1]), 2.0), "masked_fill_ only supports boolean masks"),
])
def test_scatter_errors(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()


def test_masked_scatter_broadcasts_input_and_mask_together():
    x, src = mg.tensor([1.0, 2.0, 3.0], requires_grad=True), mg.arange(6.0, requires_grad=True)
    y = x.masked_scatter(mg.tensor([[True, False, True], [False, True, True]]), src * 10)
    assert y.tolist() == [[0.0, 2.0, 10.0], [1.0, 20.0, 30.0]]  # PyTorch's
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 0.0] and src.grad.tolist() == [10.0, 10.0, 10.0, 10.0, 0.0, 0.0]
    with pytest.raises(RuntimeError):  # in place, the mask must broadcast to the tensor
        mg.zeros(3).masked_scatter_(mg.ones(2, 3, dtype=mg.bool), mg.ones(6))


def test_sign_of_bools_is_bool():
    assert mg.tensor([True, False]).sign().tolist() == [True, False]
    assert mg.sign(mg.tensor([True, False])).dtype == mg.bool


def test_in_place_indexed_writes_change_the_tensor():
    x = mg.zeros(3)
    assert x.scatter_(0, mg.tensor([0, 2]), value=4.5) is x and x.tolist() == [4.5, 0.0, 4.5]
    x.index_add_(0, mg.tensor([1, 1]), mg.tensor([1.0, 2.0]))
    assert x.tolist() == [4.5, 3.0, 4.5]
    x.index_fill_(0, mg.tensor([0]), -1.0).masked_fill_(x > 4, 0.0)
    assert x.tolist() == [-1.0, 3.0, 0.0]
    x.scatter_add_(0, mg.tensor([2]), mg.tensor([7.0])).index_copy_(0, mg.tensor([1]), mg.tensor([9.0]))
    assert x.tolist() == [-1.0, 9.0, 7.0]
    x.masked_scatter_(mg.tensor([True, False, False]), mg.tensor([5.0]))
    x.scatter_reduce_(0, mg.tensor([0]), mg.tensor([2.0]), "prod")
    assert x.tolist() == [10.0, 9.0, 7.0]
    assert mg.zeros(3, dtype=mg.int64).scatter_(0, mg.tensor([0, 2]), 4.5).tolist() == [4, 0, 4]


def test_in_place_arithmetic_helpers():
    x = mg.tensor([1.0, 2.0])
    x.addcmul_(mg.tensor([1.0, 2.0]), mg.tensor([3.0, 3.0]), value=2)
    assert x.tolist() == [7.0, 14.0]
    x.addcdiv_(mg.tensor([2.0, 2.0]), mg.tensor([4.0, 1.0]))
    assert x.tolist() == [7.5, 16.0]
    x.lerp_(mg.tensor([8.5, 0.0]), 0.5)
    assert x.tolist() == [8.0, 8.0]


def test_in_place_write_is_differentiable_through_the_graph():
    w = mg.tensor([1.0, 2.0, 3.0], dtype=mg.float64, requires_grad=True)
    src = mg.tensor([10.0], dtype=mg.float64, requires_grad=True)
    y = w * 2
    y.scatter_(0, mg.tensor([1]), src)
    y.index_add_(0, mg.tensor([2]), src * 3)
    (y * mg.tensor([1.0, 2.0, 3.0], dtype=mg.float64)).sum().backward()
    assert w.grad.tolist() == [2.0, 0.0, 6.0]  # the overwritten element gets no gradient
    assert src.grad.tolist() == [2.0 + 9.0]


def test_in_place_on_a_leaf_that_requires_grad_is_refused():
    w = mg.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w.index_fill_(0, mg.tensor([0]), 1.0)


# --- elementwise and reduction details ---------------------------------------------------------------
def test_cumprod_gradient_is_exact_at_zeros():
    x = mg.tensor([[2.0, 0.0, 3.0, 0.0, 4.0], [0.5, 1.5, 0.0, 2.0, -1.0]], dtype=mg.float64,
                  requires_grad=True)
    assert gradcheck(lambda t: t.cumprod(-1), [x])
    assert gradgradcheck(lambda t: t.cumprod(-1), [x])


def test_logcumsumexp_does_not_underflow():
    out = mg.logcumsumexp(mg.tensor([-1000.0, 0.0, 1.0], dtype=mg.float64), 0)
    np.testing.assert_allclose(out.numpy(), [-1000.0, 0.0, np.logaddexp(0.0, 1.0)])


def test_dtype_rules_of_new_elementwise_ops():
    ints = mg.tensor([1, 2])
    assert ints.log2().dtype is mg.float32 and ints.log10().dtype is mg.float32
    assert ints.floor().dtype is mg.int64 and ints.nan_to_num().dtype is mg.int64
    assert ints.cumprod(0).dtype is mg.int64 and mg.tensor([True, True]).cumprod(0).tolist() == [1, 1]
    assert mg.fmod(mg.tensor([-3, 3]), 2).tolist() == [-1, 1]
    assert mg.tensor([-3.5, 3.5]).fmod(-2).tolist() == [-1.5, 1.5]
    assert mg.tensor([1.0, 2.0]).hypot(mg.tensor([1.0, 1.0])).dtype is mg.float32


def test_nan_to_num_defaults_and_gradient():
    x = mg.tensor([1.0, float("inf"), -float("inf"), float("nan")], dtype=mg.float64, requires_grad=True)
    y = x.nan_to_num(posinf=5.0)
    assert y.tolist() == [1.0, 5.0, np.finfo(np.float64).min, 0.0]
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 0.0, 0.0]


def test_all_any_with_dim_and_count_nonzero():
    x = mg.tensor([[1.5, 0.0], [2.0, 3.0]])
    assert x.all().item() is False and x.any().item() is True
    assert mg.all(x, dim=1).tolist() == [False, True] and x.any(0, keepdim=True).shape == (1, 2)
    assert mg.count_nonzero(x, dim=0).tolist() == [2, 1] and x.count_nonzero().item() == 3


def test_isclose_allclose_equal():
    a = mg.tensor([1.0, float("nan"), float("inf")])
    b = mg.tensor([1.0 + 1e-9, float("nan"), float("inf")])
    assert mg.isclose(a, b).tolist() == [True, False, True]
    assert mg.isclose(a, b, equal_nan=True).tolist() == [True, True, True]
    assert mg.allclose(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 2.0 + 1e-7]))
    assert mg.equal(mg.tensor([1, 2]), mg.tensor([1.0, 2.0])) and not mg.equal(mg.ones(2), mg.ones(3))
    with pytest.raises(RuntimeError, match="isclose: minigrad.int64 did not match minigrad.float32"):
        mg.allclose(mg.tensor([1, 2]), mg.tensor([1.0, 2.0]))


def test_logical_ops_treat_nonzero_as_true():
    a, b = mg.tensor([0.0, 1.5, 2.0]), mg.tensor([2, 0, 1])
    assert mg.logical_and(a, b).tolist() == [False, False, True]
    assert mg.logical_or(a, b).tolist() == [True, True, True]
    assert mg.logical_xor(a, b).tolist() == [True, True, False]
    assert mg.logical_not(a).tolist() == [True, False, False]


def test_round_decimals_and_std_mean():
    assert mg.round(mg.tensor([1.2345, 2.5]), decimals=2).tolist() == pytest.approx([1.23, 2.5])
    std, mean = mg.std_mean(mg.tensor([1.0, 2.0, 4.0]), dim=0)
    assert mean.item() == pytest.approx(7 / 3) and std.item() == pytest.approx(1.5275252)


# --- shape and helpers -------------------------------------------------------------------------------
def test_shape_helpers():
    x = mg.arange(6).reshape(2, 3)
    assert x.nelement() == 6 and mg.numel(x) == 6
    assert mg.roll(x, 1).tolist() == [[5, 0, 1], [2, 3, 4]]
    assert mg.repeat_interleave(mg.tensor([2, 1])).tolist() == [0, 0, 1]
    assert mg.movedim(mg.ones(2, 3, 4), (0, 1), (2, 0)).shape == (3, 4, 2)
    assert mg.tile(mg.ones(2, 3), (2,)).shape == (2, 6)
    assert x.swapdims(0, 1).shape == (3, 2) and mg.unbind(x, 1)[2].tolist() == [2, 5]
    assert x.is_contiguous() and not x.T.is_contiguous()


@pytest.mark.parametrize("call, message", [
    (lambda: mg.ones(2, 3).narrow(1, 1, 5),
     "narrow: start \\(1\\) \\+ length \\(5\\) exceeds dimension size \\(3\\)"),
    (lambda: mg.roll(mg.ones(3), (1, 2), (0,)),
     "roll: shifts \\(2\\) and dims \\(1\\) should have the same length"),
    (lambda: mg.repeat_interleave(mg.ones(2), mg.tensor([1, 2, 3])), "repeat_interleave: repeats must have"),
    (lambda: mg.movedim(mg.ones(2, 3), (0, 1), (0,)), "movedim: invalid source or destination dims"),
])
def test_shape_errors(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()


def test_small_helpers():
    assert mg.is_tensor(mg.ones(1)) and not mg.is_tensor(1.0)
    assert mg.finfo(mg.float32).eps == np.finfo(np.float32).eps and mg.finfo().bits == 32
    assert mg.finfo(mg.float64).tiny == np.finfo(np.float64).tiny
    assert mg.iinfo(mg.int32).max == 2 ** 31 - 1 and mg.iinfo(mg.int64).bits == 64
    with pytest.raises(TypeError, match="finfo: minigrad.int64 is not a floating point dtype"):
        mg.finfo(mg.int64)
    assert mg.get_default_dtype() is mg.float32


# --- linear algebra errors -------------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda: mg.mm(mg.ones(2, 3), mg.ones(4, 2)),
     "mm: mat1 and mat2 shapes cannot be multiplied \\(2x3 and 4x2\\)"),
    (lambda: mg.mm(mg.ones(3), mg.ones(3, 2)), "mm: both arguments must be matrices"),
    (lambda: mg.mm(mg.ones(2, 2), mg.ones(2, 2, dtype=mg.float64)),
     "mm: expected both operands to have the same dtype"),
    (lambda: mg.bmm(mg.ones(2, 2, 3), mg.ones(3, 3, 2)),
     "bmm: expected size for first two dimensions of batch2"),
    (lambda: mg.bmm(mg.ones(2, 3), mg.ones(3, 2)), "bmm: both arguments must be 3-d tensors"),
    (lambda: mg.mv(mg.ones(2, 3), mg.ones(2)), "mv: size mismatch"),
    (lambda: mg.dot(mg.ones(2), mg.ones(3)), "dot: inconsistent tensor size"),
    (lambda: mg.dot(mg.ones(2, 1), mg.ones(2, 1)), "dot: 1D tensors expected"),
    (lambda: mg.outer(mg.ones(2), mg.ones(3, 1)), "outer: expected 1-D arguments"),
    (lambda: mg.addmm(mg.ones(4), mg.ones(2, 3), mg.ones(3, 3)),
     "addmm: input of shape \\(4,\\) does not broadcast"),
    (lambda: mg.tril(mg.ones(3)), "tril: input tensor must have at least 2 dimensions"),
    (lambda: mg.diag(mg.ones(2, 2, 2)), "diag\\(\\): supports 1D or 2D tensors"),
    (lambda: mg.trace(mg.ones(2, 2, 2)), "trace: expected a matrix"),
    (lambda: mg.cdist(mg.ones(2, 3), mg.ones(4, 2)), "cdist: X1 and X2 must have the same number of columns"),
    (lambda: mg.linalg.inv(mg.ones(2, 3)), "linalg.inv: A must be batches of square matrices"),
    (lambda: mg.linalg.inv(mg.eye(2, dtype=mg.int64)), "linalg.inv: expected a floating point tensor"),
    (lambda: mg.linalg.solve(mg.eye(2), mg.ones(3)), "linalg.solve: incompatible shapes of A and B"),
    (lambda: mg.linalg.det(mg.ones(2, 3)), "linalg.det: A must be batches of square matrices"),
    (lambda: mg.linalg.vector_norm(mg.tensor([3, 4])),
     "linalg.vector_norm: expected a floating point tensor"),
    (lambda: mg.linalg.qr(mg.eye(2), mode="full"), "linalg.qr: qr received unrecognized mode 'full'"),
])
def test_linalg_errors(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda: mg.linalg.inv(mg.zeros(2, 2)), "linalg.inv: the input matrix is singular"),
    (lambda: mg.linalg.solve(mg.zeros(2, 2), mg.ones(2)), "linalg.solve: the input matrix A is singular"),
    (lambda: mg.linalg.cholesky(-mg.eye(2)), "linalg.cholesky: the input is not positive-definite"),
])
def test_linalg_failures_raise_linalgerror_a_runtimeerror(call, message):
    with pytest.raises(mg.linalg.LinAlgError, match=message) as info:
        call()
    assert isinstance(info.value, RuntimeError)  # code written for PyTorch catches that


def test_vector_norm_refuses_a_matrix_norm_name():
    with pytest.raises(TypeError, match="linalg.vector_norm: ord must be a number"):
        mg.linalg.vector_norm(mg.ones(3), "fro")


def test_qr_mode_r_returns_r_and_an_empty_q_and_is_not_differentiable():
    a = mg.tensor([[3.0, 1.0], [4.0, 2.0], [0.0, 1.0]], dtype=mg.float64, requires_grad=True)
    q, r = mg.linalg.qr(a, mode="r")
    assert q.shape == (0,)
    np.testing.assert_allclose(r.detach().numpy(), mg.linalg.qr(a).R.detach().numpy())
    with pytest.raises(RuntimeError, match="mode='r'"):
        r.sum().backward()


def test_torch_level_det_slogdet_inverse_and_methods():
    a = mg.tensor([[4.0, 1.0], [2.0, 3.0]], dtype=mg.float64)
    assert mg.det(a).item() == pytest.approx(10.0) and a.det().item() == pytest.approx(10.0)
    assert mg.slogdet(a).logabsdet.item() == pytest.approx(math.log(10.0))
    np.testing.assert_allclose((a.inverse() @ a).numpy(), np.eye(2), atol=1e-15)
    np.testing.assert_allclose(mg.inverse(a).numpy(), np.linalg.inv(a.numpy()))


def test_strict_products_record_pytorchs_node_names():
    a = mg.ones(2, 2, requires_grad=True)
    v = mg.ones(2, requires_grad=True)
    names = [type(t.grad_fn).__name__ for t in (a.mm(a), mg.bmm(a[None], a[None]), a.mv(v), v.dot(v))]
    assert names == ["MmBackward0", "BmmBackward0", "MvBackward0", "DotBackward0"]


def test_tril_and_triu_in_place():
    x = mg.ones(3, 3)
    assert x.tril_(-1) is x and x.tolist() == [[0, 0, 0], [1, 0, 0], [1, 1, 0]]
    assert mg.ones(2, 3).triu_(1).tolist() == [[0, 1, 1], [0, 0, 1]]
    w = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = w * 1
    y.triu_()
    (y * mg.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert w.grad.tolist() == [[1.0, 2.0], [0.0, 4.0]]  # the zeroed corner gets no gradient
    with pytest.raises(RuntimeError, match="tril_: input tensor must have at least 2 dimensions"):
        mg.ones(3).tril_()


@pytest.mark.parametrize("call, error, message", [
    (lambda: mg.frac(mg.tensor([3])), NotImplementedError, "frac: not implemented for minigrad.int64"),
    (lambda: mg.round(mg.tensor([3]), decimals=1), NotImplementedError, "round\\(decimals=\\)"),
    (lambda: mg.logcumsumexp(mg.tensor([1, 2]), 0), NotImplementedError, "logcumsumexp: not implemented"),
    (lambda: mg.bincount(mg.tensor([1.0])), NotImplementedError, "bincount: not implemented for .*float32"),
    (lambda: mg.histc(mg.tensor([1, 2])), NotImplementedError, "histc: expected a floating point input"),
    (lambda: mg.fmod(mg.tensor([1, 2]), 0), RuntimeError, "fmod: ZeroDivisionError"),
    (lambda: mg.meshgrid(mg.ones(2), indexing="yx"), RuntimeError, "meshgrid: indexing must be 'ij' or 'xy'"),
    (lambda: mg.zeros(3).index_fill(0, mg.tensor([0.0]), 1.0), IndexError, "index_fill\\(\\): expected"),
    (lambda: mg.ones(2).new_zeros(-1), RuntimeError, "Trying to create tensor with negative dimension -1"),
    (lambda: mg.zeros(2, -3), RuntimeError, "negative dimension -3: \\[2, -3\\]"),
])
def test_pytorchs_error_types(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_integer_ops_pytorch_keeps_integer():
    assert mg.round(mg.tensor([1, 2])).dtype is mg.int64
    assert mg.floor(mg.tensor([3])).dtype is mg.int64 and mg.trunc(mg.tensor([3])).tolist() == [3]
    assert mg.fmod(mg.tensor([-7, 7]), 3).tolist() == [-1, 1]


def test_in_place_elementwise_variants_write_through_views_and_keep_the_dtype():
    x = mg.tensor([[1.5, -2.5], [0.25, 8.0]])
    row = x[1]
    assert row.log2_() is row and x.tolist() == [[1.5, -2.5], [-2.0, 3.0]]  # the base sees the write
    x[0].floor_()
    assert x[0].tolist() == [1.0, -3.0]
    n = mg.tensor([7, -7])
    assert n.floor_().tolist() == [7, -7] and n.square_().tolist() == [49, 49] and n.dtype is mg.int64
    assert n.fmod_(5).tolist() == [4, 4]
    for call in (lambda: n.log2_(), lambda: n.reciprocal_(), lambda: n.fmod_(2.5), lambda: n.atan2_(n)):
        with pytest.raises(RuntimeError, match="result type minigrad.float32 can.t be cast to the desired"):
            call()
    with pytest.raises(NotImplementedError, match="frac_"):
        n.frac_()
    with pytest.raises(RuntimeError, match="leaf"):
        mg.ones(2, requires_grad=True).ceil_()


def test_erfinv_edges_and_the_fallback_without_scipy():
    from minigrad.backend.numpy_backend import _erfinv_scalar
    assert mg.erfinv(mg.tensor([1.0, -1.0, 2.0, 0.0])).tolist()[:2] == [math.inf, -math.inf]
    assert math.isnan(mg.erfinv(mg.tensor([2.0])).item()) and mg.erfinv(mg.tensor([1, 0])).dtype is mg.float32
    # torch 2.13's values; the fallback (Newton's method on erf, or on erfc near ±1) matches to round-off
    for y, x in [(-0.999, -2.3267537655135246), (0.2, 0.1791434546212917), (1 - 1e-12, 5.042031898572696)]:
        assert _erfinv_scalar(y) == pytest.approx(x, rel=1e-14)
        assert mg.erfinv(mg.tensor([y], dtype=mg.float64)).item() == pytest.approx(x, rel=1e-14)
    assert _erfinv_scalar(1e-300) == pytest.approx(math.sqrt(math.pi) / 2 * 1e-300, rel=1e-15)
    assert (_erfinv_scalar(1.0), _erfinv_scalar(-1.0)) == (math.inf, -math.inf)
    assert math.isnan(_erfinv_scalar(1.5))


def test_scans_take_a_dtype():
    x = mg.tensor([1, 2, 3], dtype=mg.int32)
    assert mg.cumprod(x, 0).dtype is mg.int64 and mg.cumsum(x, 0).dtype is mg.int64  # PyTorch's upcast
    assert x.cumprod(0, dtype=mg.float64).tolist() == [1.0, 2.0, 6.0]
    assert mg.cumsum(x, 0, dtype=mg.float32).dtype is mg.float32


def test_type_as_takes_the_other_tensors_dtype():
    x = mg.tensor([1.5, 2.0], requires_grad=True)
    y = x.type_as(mg.zeros(1, dtype=mg.float64))
    assert y.dtype is mg.float64 and y.requires_grad and x.type_as(x) is x
    assert x.type_as(mg.tensor([1])).tolist() == [1, 2]


def test_int32_indices_are_accepted_where_pytorch_accepts_them():
    src = mg.tensor([[1.0, 2.0]], dtype=mg.float64, requires_grad=True)
    index = mg.tensor([[2, 0]], dtype=mg.int32)
    out = mg.zeros(3, 2, dtype=mg.float64).scatter_add(0, index, src)
    assert out.tolist() == [[0.0, 2.0], [0.0, 0.0], [1.0, 0.0]]
    out.sum().backward()
    assert src.grad.tolist() == [[1.0, 1.0]]
    rows = mg.zeros(3, 2).index_add(0, mg.tensor([1], dtype=mg.int32), mg.ones(1, 2))
    assert rows.tolist() == [[0, 0], [1, 1], [0, 0]]


def test_addmm_beta_zero_ignores_nan_input():
    out = mg.addmm(mg.full((2, 2), float("nan")), mg.eye(2), mg.eye(2), beta=0)
    assert out.tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_linalg_results_and_named_fields():
    a = mg.tensor([[4.0, 1.0], [1.0, 3.0]], dtype=mg.float64)
    sign, logabsdet = mg.linalg.slogdet(a)
    assert sign.item() == 1.0 and logabsdet.item() == pytest.approx(math.log(11))
    assert mg.linalg.slogdet(mg.tensor([[0.0, 1.0], [1.0, 0.0]])).sign.item() == -1.0
    q, r = mg.linalg.qr(mg.ones(3, 2))
    assert q.shape == (3, 2) and mg.linalg.qr(mg.ones(3, 2), mode="complete").Q.shape == (3, 3)
    assert mg.linalg.svd(mg.ones(3, 2)).U.shape == (3, 3)
    assert mg.linalg.svd(mg.ones(3, 2), False).U.shape == (3, 2)
    w, v = mg.linalg.eigh(a)
    np.testing.assert_allclose((v @ mg.diag(w) @ v.T).numpy(), a.numpy(), atol=1e-12)
    np.testing.assert_allclose(mg.linalg.cholesky(a, upper=True).numpy(), np.linalg.cholesky(a.numpy()).T)
    two_norm = mg.linalg.norm(mg.tensor([[3.0, 4.0], [1.0, 1.0]]), ord=2)
    assert two_norm.item() == pytest.approx(5.1926, abs=1e-4)
    assert mg.linalg.vector_norm(mg.tensor([3.0, 4.0]), ord=1).item() == 7.0


def test_svd_with_full_matrices_is_not_differentiable_for_a_non_square_input():
    a = mg.ones(3, 2, dtype=mg.float64, requires_grad=True)
    u, s, vh = mg.linalg.svd(a)
    with pytest.raises(NotImplementedError, match="full_matrices=False"):
        s.sum().backward()


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "var", "std", "amax", "amin", "argmax", "argmin",
                                  "logsumexp", "norm", "all", "any"])
def test_keepdims_is_accepted_where_keepdim_is(name):
    x = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]])
    method = getattr(x, name)
    dim_args = {"dim": 1} if name != "norm" else {"p": 2, "dim": 1}
    assert method(**dim_args, keepdims=True).shape == (2, 1)
    expected = method(**dim_args, keepdim=True).tolist()
    assert getattr(mg, name)(x, **dim_args, keepdims=True).tolist() == expected


def test_keepdims_on_max_min_with_dim_and_std_mean():
    x = mg.tensor([[1.0, 2.0], [4.0, 3.0]])
    assert x.max(1, keepdims=True).values.shape == (2, 1)
    assert mg.min(x, 0, keepdims=True).indices.shape == (1, 2)
    assert [t.shape for t in mg.std_mean(x, 0, keepdims=True)] == [(1, 2), (1, 2)]


def test_legacy_construct_then_initialise_idiom():
    mg.manual_seed(0)
    w = mg.nn.Parameter(mg.Tensor(3, 4).uniform_(-1, 1))
    assert w.shape == (3, 4) and w.requires_grad and w.abs().max().item() <= 1
    assert mg.FloatTensor(3).fill_(2).tolist() == [2.0, 2.0, 2.0]
    assert mg.zeros(2, dtype=mg.int64).new(2, 2).dtype is mg.int64
    assert mg.zeros(1).new([1, 2]).tolist() == [1.0, 2.0]


def test_integer_results_stay_on_the_input_device(backend):
    x = mg.tensor(3.0)
    outputs = [x.sort().indices, x.nonzero(), mg.bincount(mg.tensor([0, 1, 1])),
               mg.tensor([2, 1, 2]).unique(), mg.tensor([3, 1], dtype=mg.uint8).argsort(descending=True),
               mg.ones(3).multinomial(2),
               mg.zeros(3).scatter_reduce(0, mg.tensor([0, 0]), mg.ones(2), "mean"), mg.zeros(2).bernoulli()]
    assert all(t.device == backend for t in outputs)


def test_qr_complete_with_more_rows_is_not_differentiable():
    a = mg.ones(3, 2, dtype=mg.float64, requires_grad=True)
    q, r = mg.linalg.qr(a, mode="complete")
    with pytest.raises(NotImplementedError, match="mode='complete' is not differentiable"):
        q.sum().backward()


@pytest.mark.parametrize("values, call, op, expected", [
    ([1.0], lambda t: t.std(), "std", math.nan),  # one value, correction 1: 0 / 0
    ([1.0, 2.0], lambda t: t.var(correction=2), "var", math.inf),  # Σ (x - x̄)² = 0.5 over 0
    ([], lambda t: t.var(), "var", math.nan),
    ([[1.0, 3.0]], lambda t: t.var(dim=0), "var", [math.nan, math.nan]),
])
def test_no_degrees_of_freedom_warns_as_pytorch_and_gives_inf_or_nan(backend, values, call, op, expected):
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = call(mg.tensor(values))
    assert [str(w.message) for w in caught] == [
        f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction factor "
        "(input numel divided by output numel)."]  # PyTorch's words, and no NumPy RuntimeWarning
    assert caught[0].category is UserWarning and caught[0].filename == __file__  # at the caller's line
    np.testing.assert_array_equal(out.cpu().numpy(), np.asarray(expected))


def test_index_put_writes_or_accumulates_with_pytorchs_values_and_gradients(backend):
    x = mg.tensor([1.0, 2.0, 3.0])
    x.index_put_((mg.tensor([0, 0, 2]),), mg.tensor([1.0, 1.0, 5.0]), accumulate=True)
    assert x.tolist() == [3.0, 2.0, 8.0]  # a repeated position adds up
    x.index_put_((mg.tensor([0, 2]),), mg.tensor(7.0))
    assert x.tolist() == [7.0, 2.0, 7.0]
    grid = mg.zeros(2, 3)
    grid.index_put_((mg.tensor([0, 0, 1]), mg.tensor([1, 1, 2])), mg.tensor(1.0), accumulate=True)
    assert grid.tolist() == [[0.0, 2.0, 0.0], [0.0, 0.0, 1.0]]
    a = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (a * 1).index_put((mg.tensor([1, 1]),), v, accumulate=True)
    (y * mg.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert y.tolist() == [1.0, 5.0, 3.0]
    assert a.grad.tolist() == [1.0, 10.0, 100.0] and v.grad.tolist() == [10.0, 10.0]
    with pytest.raises(IndexError):
        mg.zeros(3).index_put_((mg.tensor([5]),), mg.tensor(1.0), accumulate=True)
    with pytest.raises(RuntimeError, match="dtypes match"):
        mg.tensor([1, 2]).index_put_((mg.tensor([0]),), mg.tensor(2.5))


def test_index_put_gradcheck(float64):
    index = (mg.tensor([0, 2, 0]),)
    a, v = mg.randn(3, 2, requires_grad=True), mg.randn(3, 2, requires_grad=True)
    assert gradcheck(lambda a, v: a.index_put(index, v, accumulate=True), (a, v))
    assert gradgradcheck(lambda a, v: a.index_put(index, v, accumulate=True), (a, v))
    a, v = mg.randn(3, requires_grad=True), mg.randn(1, requires_grad=True)
    assert gradcheck(lambda a, v: a.index_put((mg.tensor([1]),), v), (a, v))


def test_median_is_pytorchs_lower_median_with_nan_and_indices(backend):
    nan = math.nan
    x = mg.tensor([[3.0, 1.0, 2.0, 5.0], [1.0, nan, 0.0, 2.0], [2.0, 2.0, 1.0, 2.0]])
    assert math.isnan(x.median().item())
    values, indices = x.median(dim=1)
    np.testing.assert_array_equal(values.cpu().numpy(), [2.0, nan, 2.0])
    assert indices.tolist() == [2, 1, 0]  # the first 2 of row 3; row 2's NaN
    values, indices = mg.median(x, dim=0, keepdim=True)
    np.testing.assert_array_equal(values.cpu().numpy(), [[2.0, nan, 1.0, 2.0]])
    assert indices.tolist() == [[2, 1, 2, 2]]
    assert mg.tensor([4.0, 1.0, 3.0, 2.0]).median().item() == 2.0  # even count: the lower one
    assert mg.tensor([2, 7, 1]).median().item() == 2 and math.isnan(mg.tensor([]).median().item())
    with pytest.raises(IndexError, match="median"):
        mg.zeros(2, 0).median(1)


def test_median_gradient_goes_to_the_median_element(float64):
    y = mg.tensor([[4.0, 1.0, 3.0, 2.0], [0.5, 0.7, 0.1, 0.2]], requires_grad=True)
    y.median(1).values.sum().backward()
    assert y.grad.tolist() == [[0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0]]
    assert gradcheck(lambda t: t.median(dim=0).values, (mg.randn(3, 4, requires_grad=True),))


def test_nanmedian_leaves_nan_out_and_is_nan_only_for_an_all_nan_slice(backend):
    nan = math.nan
    x = mg.tensor([[nan, 1.0, nan, 2.0, 3.0], [nan, nan, nan, nan, nan], [4.0, 1.0, 3.0, 2.0, 0.0]])
    values, indices = x.nanmedian(dim=1)
    np.testing.assert_array_equal(values.cpu().numpy(), [2.0, nan, 2.0])
    assert indices.tolist() == [3, 0, 3]
    assert mg.nanmedian(x).item() == 2.0  # of 1, 2, 3, 4, 1, 3, 2, 0: the lower median
    assert math.isnan(mg.tensor([]).nanmedian().item())
    assert mg.nanmedian(mg.tensor([2, 1, 3])).item() == 2
    with pytest.raises(IndexError, match="nanmedian"):
        mg.zeros(2, 0).nanmedian(1)


def test_quantile_interpolates_between_sorted_values(backend):
    x = mg.tensor([[0.0, 3.0, 1.0, 2.0], [5.0, 4.0, 6.0, 7.0]])
    q = mg.tensor([0.5, 1 / 3])
    assert mg.quantile(x, q, dim=1).tolist() == [[1.5, 5.5], [1.0, 5.0]]  # the q axis first
    assert mg.quantile(x, q, dim=1, keepdim=True).shape == (2, 2, 1)
    assert mg.quantile(x, 0.5, dim=None, keepdim=True).shape == (1, 1)
    assert x.quantile(0.5).item() == 3.5
    # ranks 1.5 and 0.5: midpoint averages the neighbours, nearest rounds half to even (as PyTorch)
    assert x[0].quantile(0.5, interpolation="midpoint").item() == 1.5
    assert mg.quantile(mg.tensor([0.0, 1.0, 2.0, 3.0]), mg.tensor([0.5, 1 / 6]),
                       interpolation="nearest").tolist() == [2.0, 0.0]


def test_quantile_is_nan_with_nan_and_nanquantile_skips_it(backend):
    x = mg.tensor([math.nan, 1.0, math.nan, 2.0, 3.0])
    assert math.isnan(mg.quantile(x, 0.5).item())
    assert mg.nanquantile(x, 0.5).item() == 2.0 and mg.nanquantile(x, 0.75).item() == 2.5
    assert math.isnan(mg.nanquantile(mg.tensor([math.nan, math.nan]), 0.2).item())


def test_quantile_gradient_splits_between_the_two_neighbours(float64):
    x = mg.tensor([0.0, 3.0, 1.0, 2.0], requires_grad=True)
    x.quantile(0.25).backward()  # rank 0.75: 0.25 of x[0] and 0.75 of x[2]
    assert x.grad.tolist() == [0.25, 0.0, 0.75, 0.0]
    x = mg.randn(5, 3, requires_grad=True)
    assert gradgradcheck(lambda t: t.quantile(mg.tensor([0.2, 0.9]), dim=0), (x,))


def test_quantile_errors_are_pytorchs():
    x = mg.randn(3, 4)
    with pytest.raises(RuntimeError, match=r"quantile\(\) input tensor must be either float or double"):
        mg.quantile(x.long(), 0.3)
    with pytest.raises(RuntimeError, match="q tensor must be same dtype"):
        mg.quantile(x, mg.tensor([0.3], dtype=mg.float64))
    with pytest.raises(RuntimeError, match="q must be a scalar or 1D tensor"):
        mg.quantile(x, mg.tensor([[0.3]]))
    with pytest.raises(RuntimeError, match=r"q values must be in the range \[0, 1\]"):
        mg.quantile(x, mg.tensor([1.3]))
    with pytest.raises(RuntimeError, match=r"nanquantile\(\) q must be in the range \[0, 1\] but got 1.3"):
        mg.nanquantile(x, 1.3)
    with pytest.raises(RuntimeError, match="input tensor must be non-empty"):
        mg.quantile(x[:0], 0.3)
    with pytest.raises(RuntimeError, match="interpolation must be one of linear, lower, higher, midpoint "
                                           "or nearest, but got foo"):
        mg.quantile(x, 0.3, interpolation="foo")


def test_diff_of_bool_is_inequality_and_n_past_the_length_is_empty(backend):
    x = mg.tensor([[1, 4, 9], [2, 2, 3]])
    assert mg.diff(x).tolist() == [[3, 5], [0, 1]] and mg.diff(x).dtype is mg.int64
    assert mg.diff(x > 2).tolist() == [[True, False], [False, True]]
    assert mg.diff(x, n=0).tolist() == x.tolist()
    assert mg.diff(x, n=5).shape == (2, 0)
    assert mg.diff(x, dim=0, prepend=mg.tensor([[0, 0, 0]])).tolist() == [[1, 4, 9], [1, -2, -6]]


def test_diff_errors_are_pytorchs():
    x = mg.randn(3, 4)
    with pytest.raises(RuntimeError, match="diff expects input to be at least one-dimensional"):
        mg.diff(mg.tensor(1.0))
    with pytest.raises(RuntimeError, match="order must be non-negative but got -1"):
        mg.diff(x, n=-1)
    with pytest.raises(RuntimeError, match="same dimension as input"):
        mg.diff(x, prepend=mg.ones(3))
    with pytest.raises(RuntimeError, match=r"input.size\(0\) = 3, but got tensor.size\(0\) = 4"):
        mg.diff(x, prepend=mg.ones(4, 1))
    with pytest.raises(TypeError, match="argument 'prepend' must be Tensor, not float"):
        mg.diff(x, prepend=1.0)


def test_einsum_repeated_index_takes_the_diagonal(backend):
    a = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert mg.einsum("ii->i", a).tolist() == [1.0, 4.0]
    assert mg.einsum("ii", a).item() == 5.0
    assert mg.einsum("ii,j->j", a, mg.tensor([1.0, 2.0])).tolist() == [5.0, 10.0]
    with pytest.raises(RuntimeError, match="subscript i is repeated for operand 0 but the sizes don't "
                                           "match, 4 != 3"):
        mg.einsum("ii->i", mg.ones(3, 4))


def test_div_rounding_modes_keep_integers_and_round_toward_zero_or_down(backend):
    x = mg.tensor([-7, 7, -6])
    assert mg.div(x, 2).tolist() == [-3.5, 3.5, -3.0]
    assert mg.div(x, 2, rounding_mode="trunc").tolist() == [-3, 3, -3]
    assert x.div(-2, rounding_mode="trunc").tolist() == [3, -3, 3]
    assert mg.divide(x, 2, rounding_mode="floor").tolist() == [-4, 3, -3]
    assert mg.div(x, 2, rounding_mode="trunc").dtype is mg.int64
    assert mg.div(mg.tensor([-7.5, 7.5]), 2, rounding_mode="trunc").tolist() == [-3, 3]
    assert mg.true_divide(x, 2).dtype is mg.float32 and mg.floor_divide(x, 2).tolist() == [-4, 3, -3]
    with pytest.raises(RuntimeError, match="div expected rounding_mode to be one of None, 'trunc', or "
                                           "'floor' but found 'foo'"):
        x.div(2, rounding_mode="foo")


def test_rounded_division_has_zero_gradient(backend):
    x = mg.tensor([1.5, -2.5], requires_grad=True)
    (mg.div(x, 2, rounding_mode="trunc") * 3).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_arithmetic_function_spellings(backend):
    x = mg.tensor([1.0, 2.0])
    assert mg.add(x, x, alpha=2).tolist() == [3.0, 6.0] and mg.sub(x, 1, alpha=3).tolist() == [-2.0, -1.0]
    assert mg.rsub(x, 1).tolist() == [0.0, -1.0] and mg.subtract(x, x).tolist() == [0.0, 0.0]
    assert mg.mul(2, x).tolist() == [2.0, 4.0] and mg.multiply(x, x).tolist() == [1.0, 4.0]
    assert mg.remainder(-3, mg.tensor([2, 4])).tolist() == [1, 1]  # the sign of the divisor
    assert mg.remainder(mg.tensor([-3.0, 3.0]), -2).tolist() == [-1.0, -1.0]
    assert mg.neg(x).tolist() == mg.negative(x).tolist() == [-1.0, -2.0]
    assert mg.clamp_min(x, 1.5).tolist() == [1.5, 2.0] and x.clamp_max(1.5).tolist() == [1.0, 1.5]
    y = x.clone()
    y.clamp_min_(1.5).clip_(max=1.75)
    assert y.tolist() == [1.5, 1.75]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's note on log(0) and 0/0
def test_xlogy_is_zero_where_x_is_zero_unless_y_is_nan(backend):
    # PyTorch 2.13's values: a NaN y wins; dx = log y (0 where x = 0 and y <= 0), dy = x / y
    x = mg.tensor([0.0, 0.0, 2.0], requires_grad=True)
    y = mg.tensor([0.0, math.nan, math.e], requires_grad=True)
    out = mg.xlogy(x, y)
    assert out.tolist()[0] == 0.0 and math.isnan(out.tolist()[1]) and out.tolist()[2] == pytest.approx(2.0)
    out.sum().backward()
    gx, gy = x.grad.tolist(), y.grad.tolist()
    assert gx[0] == 0.0 and math.isnan(gx[1]) and gx[2] == pytest.approx(1.0)
    assert math.isnan(gy[0]) and math.isnan(gy[1]) and gy[2] == pytest.approx(2 / math.e)


def test_transcendental_functions_promote_integers_and_logaddexp_handles_infinities(backend):
    assert mg.expm1(mg.tensor([0])).dtype is mg.float32 and mg.exp2(mg.tensor([3])).tolist() == [8.0]
    assert mg.logaddexp(mg.tensor(-math.inf), mg.tensor(-math.inf)).item() == -math.inf
    assert mg.logaddexp(mg.tensor(1000.0), mg.tensor(1000.0)).item() == pytest.approx(1000 + math.log(2))
    assert mg.logit(mg.tensor([0.0, 0.5]), eps=0.25).tolist() == pytest.approx([math.log(1 / 3), 0.0])


def test_bucketize_and_searchsorted_sides(backend):
    b = mg.tensor([1.0, 3.0, 5.0])
    x = mg.tensor([[0.0, 1.0, 3.5, 5.0, 9.0]])
    assert mg.bucketize(x, b).tolist() == [[0, 0, 2, 2, 3]]
    assert x.bucketize(b, right=True).tolist() == [[0, 1, 2, 3, 3]]
    assert mg.searchsorted(b, x, side="right").tolist() == [[0, 1, 2, 3, 3]]
    assert mg.searchsorted(b, 3.0).item() == 1 and mg.bucketize(3, b).item() == 1
    assert mg.bucketize(mg.tensor([math.nan, 2.0]), b).tolist() == [3, 1]  # NaN sorts last
    assert mg.bucketize(mg.tensor([0, 9]), b).dtype is mg.int64
    assert mg.searchsorted(b, mg.tensor([1.0]), out_int32=True).dtype is mg.int32
    rows = mg.tensor([[1.0, 3.0], [2.0, 4.0]])
    assert mg.searchsorted(rows, mg.tensor([[2.0, 3.5], [1.0, 5.0]])).tolist() == [[1, 2], [0, 2]]
    assert mg.searchsorted(mg.tensor([5.0, 1.0, 3.0]), mg.tensor([2.0, 4.0]),
                           sorter=mg.tensor([1, 2, 0])).tolist() == [1, 2]


def test_bucketize_and_searchsorted_errors():
    b = mg.tensor([1.0, 3.0, 5.0])
    with pytest.raises(RuntimeError, match=r"boundaries tensor must be 1 dimension, but got dim\(2\)"):
        mg.bucketize(mg.tensor([1.0]), b.reshape(1, 3))
    with pytest.raises(RuntimeError, match="first N-1 dimensions of boundaries tensor and input value tensor "
                                           r"must match, but we got boundaries tensor \[2, 2\]"):
        mg.searchsorted(mg.ones(2, 2), mg.ones(1, 3))
    with pytest.raises(RuntimeError, match="side and right can't be set to opposites"):
        mg.searchsorted(b, mg.tensor([1.0]), side="left", right=True)


def test_tril_and_triu_indices_are_row_major(backend):
    assert mg.tril_indices(3, 4, 1).tolist() == [[0, 0, 1, 1, 1, 2, 2, 2, 2], [0, 1, 0, 1, 2, 0, 1, 2, 3]]
    assert mg.triu_indices(3, 3, -1).tolist() == [[0, 0, 0, 1, 1, 1, 2, 2], [0, 1, 2, 0, 1, 2, 1, 2]]
    assert mg.tril_indices(0, 3).shape == (2, 0) and mg.tril_indices(2, 2, dtype=mg.int32).dtype is mg.int32
    a = mg.arange(9.0).reshape(3, 3)
    rows, cols = mg.tril_indices(3, 3)
    assert a[rows, cols].tolist() == [0.0, 3.0, 4.0, 6.0, 7.0, 8.0]
    with pytest.raises(NotImplementedError, match="integers only"):
        mg.tril_indices(3, 3, dtype=mg.float32)


def test_cummax_takes_the_latest_tie_and_propagates_nan(backend):
    values, indices = mg.cummax(mg.tensor([1.0, 3.0, 3.0, 2.0, math.nan, 5.0, math.nan, 1.0]), 0)
    np.testing.assert_array_equal(values.cpu().numpy(), [1.0, 3.0, 3.0, 3.0] + [math.nan] * 4)
    assert indices.tolist() == [0, 1, 2, 2, 4, 4, 6, 6]
    values, indices = mg.tensor([[3, 1, 1, 2]]).cummin(1)
    assert values.tolist() == [[3, 1, 1, 1]] and indices.tolist() == [[0, 1, 2, 2]]
    assert mg.cummax(mg.tensor(2.0), 0).indices.item() == 0


def test_cummax_gradient_goes_to_the_running_maximum(backend):
    x = mg.tensor([1.0, 3.0, 2.0, 4.0], requires_grad=True)
    x.cummax(0).values.sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 0.0, 1.0]


def test_stacking_and_splitting_helpers(backend):
    assert mg.atleast_2d(mg.tensor(1.0)).shape == (1, 1)
    assert [t.shape for t in mg.atleast_3d(mg.ones(2), mg.ones(2, 3))] == [(1, 2, 1), (2, 3, 1)]
    assert mg.row_stack([mg.ones(3), mg.zeros(3)]).shape == (2, 3)
    assert [p.shape[0] for p in mg.tensor_split(mg.ones(7), 3)] == [3, 2, 2]
    pieces = mg.tensor_split(mg.arange(7), [2, 5, 3, -1])
    assert [p.tolist() for p in pieces] == [[0, 1], [2, 3, 4], [], [3, 4, 5], [6]]
    assert [p.shape for p in mg.ones(2, 6).hsplit(3)] == [(2, 2)] * 3
    with pytest.raises(RuntimeError, match="torch.hsplit attempted to split along dimension 1, but the size "
                                           "of the dimension 6 is not divisible by the split_size 4!"):
        mg.hsplit(mg.ones(2, 6), 4)
    with pytest.raises(RuntimeError, match="expected rotation dims to be different"):
        mg.rot90(mg.ones(2, 2), 1, (1, 1))


def test_linear_algebra_helpers_by_hand(backend):
    assert mg.kron(mg.tensor([1, 2]), mg.tensor([[1, 10]])).tolist() == [[1, 10, 2, 20]]
    assert mg.block_diag(mg.tensor([[1, 2]]), mg.tensor(3)).tolist() == [[1, 2, 0], [0, 0, 3]]
    assert mg.cross(mg.tensor([[1.0, 0.0, 0.0]]), mg.tensor([[0.0, 1.0, 0.0]])).tolist() == [[0.0, 0.0, 1.0]]
    assert mg.linalg.cross(mg.tensor([0.0, 1.0, 0.0]), mg.tensor([0.0, 0.0, 1.0])).tolist() == [1.0, 0.0, 0.0]
    x = mg.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 7.0]])
    np.testing.assert_allclose(mg.cov(x).cpu().numpy(), [[1.0, 2.5], [2.5, 19 / 3]], rtol=1e-6)
    np.testing.assert_allclose(mg.corrcoef(x).cpu().numpy()[0, 1], 2.5 / math.sqrt(19 / 3), rtol=1e-6)
    assert mg.cov(mg.tensor([1, 2, 3])).item() == 1.0  # integers: a float result
    assert mg.cartesian_prod(mg.tensor([1, 2])).tolist() == [1, 2]
    assert mg.diag_embed(mg.tensor([-1.0, 2.0])).tolist() == [[-1.0, 0.0], [0.0, 2.0]]
    with pytest.raises(RuntimeError, match="linalg.cross: inputs dimension -1 must have length 3. Got 3 and"):
        mg.linalg.cross(mg.ones(2, 3), mg.ones(2, 4))
    with pytest.raises(RuntimeError, match="cov\\(\\): expected input to have two or fewer dimensions"):
        mg.cov(mg.ones(2, 3, 4))
    with pytest.raises(RuntimeError, match="contracted dimensions need to match"):
        mg.tensordot(mg.ones(2, 3), mg.ones(2, 3), dims=1)


def test_gamma_functions_at_poles_and_integers_as_pytorch(backend):
    x = mg.tensor([0.0, -1.0, 1.0, 2.0])
    assert mg.lgamma(x).tolist() == [math.inf, math.inf, 0.0, 0.0]
    psi = mg.digamma(x).tolist()
    assert psi[0] == -math.inf and math.isnan(psi[1]) and psi[2] == pytest.approx(-0.5772157)
    assert mg.polygamma(1, mg.tensor([1.0])).item() == pytest.approx(math.pi ** 2 / 6)
    assert mg.lgamma(mg.tensor([3])).dtype is mg.float32  # integers promoted
    with pytest.raises(RuntimeError, match="polygamma.*negative n"):
        mg.polygamma(-1, x)


def test_polygamma_fallback_without_scipy_matches_the_series():
    from minigrad.backend.numpy_backend import _lgamma_scalar, _polygamma_scalar
    for v in (0.3, 1.0, 4.5, 12.0):
        k = np.arange(100000)
        assert _polygamma_scalar(0, v) == pytest.approx(math.log(v + 1e5) - 1 / (2 * (v + 1e5))
                                                        - (1 / (v + k)).sum(), rel=1e-9)
        assert _polygamma_scalar(1, v) == pytest.approx((1 / (v + k) ** 2).sum() + 1 / (v + 1e5), rel=1e-9)
    assert _polygamma_scalar(0, -0.5) == pytest.approx(0.03648997397857652, rel=1e-12)
    assert _lgamma_scalar(-2.0) == math.inf and _polygamma_scalar(0, 0.0) == -math.inf


def test_special_namespace(backend):
    x = mg.tensor([0.0, 0.5, -1.0, 2.0], requires_grad=True)
    assert mg.special.sinc(x).tolist()[:2] == pytest.approx([1.0, 2 / math.pi])
    entropy = mg.special.entr(x).tolist()
    assert entropy[0] == 0.0 and entropy[2] == -math.inf and entropy[3] == pytest.approx(-2 * math.log(2))
    assert mg.special.ndtr(mg.tensor([0.0])).item() == 0.5
    assert mg.special.ndtri(mg.tensor([0.975])).item() == pytest.approx(1.959964, rel=1e-5)
    assert mg.special.xlog1py(mg.tensor([0.0, 2.0]), mg.tensor([-1.0, 0.0])).tolist() == [0.0, 0.0]
    assert mg.special.multigammaln(mg.tensor([2.5]), 2).item() == pytest.approx(
        0.5 * math.log(math.pi) + math.lgamma(2.5) + math.lgamma(2.0), rel=1e-6)
    mg.special.sinc(x).sum().backward()
    assert x.grad.tolist()[0] == 0.0  # the removable singularity has derivative 0
    assert mg.special.expit is mg.sigmoid and mg.special.gammaln is mg.lgamma and mg.special.psi is mg.digamma


def test_in_place_random_fills_have_their_distributions():
    mg.manual_seed(0)
    x = mg.empty(100000)
    assert x.exponential_(2.0).mean().item() == pytest.approx(0.5, rel=0.02)
    assert x.geometric_(0.25).min().item() == 1.0 and x.mean().item() == pytest.approx(4.0, rel=0.02)
    assert abs(x.cauchy_().median().item()) < 0.02
    assert x.log_normal_(0.0, 0.5).mean().item() == pytest.approx(math.exp(0.125), rel=0.02)
    x.random_(5, 10)
    assert x.min().item() == 5.0 and x.max().item() == 9.0 and x.dtype is mg.float32
    assert set(mg.empty(1000, dtype=mg.int64).random_(3).tolist()) == {0, 1, 2}


def test_rng_state_round_trip():
    state = mg.get_rng_state()
    assert state.dtype is mg.uint8
    a = mg.rand(3)
    mg.set_rng_state(state)
    assert mg.equal(a, mg.rand(3))


def test_unfold_take_put_and_strides(backend):
    x = mg.arange(6.0).reshape(2, 3)
    assert x.unfold(1, 2, 1).tolist() == [[[0.0, 1.0], [1.0, 2.0]], [[3.0, 4.0], [4.0, 5.0]]]
    with pytest.raises(RuntimeError, match="maximum size for tensor at dimension 1 is 3 but size is 4"):
        x.unfold(1, 4, 1)
    assert mg.take(x, mg.tensor([[5, 0]])).tolist() == [[5.0, 0.0]]
    z = mg.zeros(4)
    z.put_(mg.tensor([1, 1, 3]), mg.tensor([2.0, 3.0, 4.0]), accumulate=True)
    assert z.tolist() == [0.0, 5.0, 0.0, 4.0]
    assert mg.ones(2, 3, 4).stride() == (12, 4, 1) and mg.ones(2, 3).T.stride(0) == 1
    assert mg.tensor([-0.0, 0.0, -1.0]).signbit().tolist() == [True, False, True]


def test_selection_helpers(backend):
    values, indices = mg.mode(mg.tensor([[3, 1, 2, 1, 3, 5], [2, 2, 7, 7, 1, 0]]), 1)
    assert values.tolist() == [1, 2] and indices.tolist() == [3, 1]  # the smallest mode, its last place
    assert mg.isin(mg.tensor([1, 2, 3]), mg.tensor([2, 5])).tolist() == [False, True, False]
    assert mg.isin(mg.tensor([1, 2, 3]), 2, invert=True).tolist() == [True, False, True]
    assert mg.argwhere(mg.tensor([[0, 1], [2, 0]])).tolist() == [[0, 1], [1, 0]]
    lo, hi = mg.aminmax(mg.tensor([[1.0, 5.0], [-2.0, 0.0]]))
    assert (lo.item(), hi.item()) == (-2.0, 5.0)
    assert math.isnan(mg.nanmean(mg.tensor([math.nan, math.nan])).item())
    assert mg.heaviside(mg.tensor([-1.0, 0.0, 2.0]), mg.tensor(0.5)).tolist() == [0.0, 0.5, 1.0]


def test_numeric_helpers(backend):
    assert mg.logspace(0, 2, 3).tolist() == pytest.approx([1.0, 10.0, 100.0])
    assert mg.vander(mg.tensor([1, 2, 3]), N=3).tolist() == [[1, 1, 1], [4, 2, 1], [9, 3, 1]]
    assert mg.trapezoid(mg.tensor([1.0, 2.0, 3.0]), mg.tensor([0.0, 1.0, 3.0])).item() == 6.5
    assert mg.cumulative_trapezoid(mg.tensor([1.0, 2.0, 3.0])).tolist() == [1.5, 4.0]
    assert mg.float_power(mg.tensor([2]), 2).dtype is mg.float64
    assert mg.deg2rad(mg.tensor([180])).item() == pytest.approx(math.pi)
    assert mg.copysign(mg.tensor([1.0, -2.0]), -0.0).tolist() == [-1.0, -2.0]
    assert mg.renorm(mg.tensor([[3.0, 4.0], [0.3, 0.4]]), 2, 0, 1.0).tolist()[1] == pytest.approx([0.3, 0.4])
    assert mg.linalg.matrix_rank(mg.tensor([[1.0, 2.0], [2.0, 4.0]])).item() == 1
    a = mg.tensor([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    solution = mg.linalg.lstsq(a, mg.tensor([[1.0], [2.0], [3.0]])).solution
    assert solution.flatten().tolist() == pytest.approx([1.0, 1.0], abs=1e-5)


def test_dtype_and_shape_helpers():
    assert mg.broadcast_shapes((2, 1), (3,)) == (2, 3)
    assert [t.shape for t in mg.broadcast_tensors(mg.ones(2, 1), mg.ones(3))] == [(2, 3), (2, 3)]
    assert mg.result_type(mg.tensor([1]), 1.0) is mg.float32 and mg.result_type(1, 2) is mg.int64
    assert not mg.can_cast(mg.float32, mg.int32) and mg.can_cast(mg.int32, mg.float32)
    assert mg.Size([2, 3]).numel() == 6 and mg.ones(2, 3).shape == mg.Size([2, 3])
    assert mg.ones(2).sum_to_size(1).tolist() == [2.0]
    assert mg.ones(2, 3).sum_to_size(2, 1).tolist() == [[3.0], [3.0]]
    assert mg.is_nonzero(mg.tensor([1.0])) and not mg.is_nonzero(mg.tensor(0))


def test_settings_are_accepted_and_remembered():
    mg.set_num_threads(3)
    assert mg.get_num_threads() == 3
    mg.use_deterministic_algorithms(True)
    assert mg.are_deterministic_algorithms_enabled()
    mg.use_deterministic_algorithms(False)
    mg.set_float32_matmul_precision("high")
    assert mg.get_float32_matmul_precision() == "high"
    mg.set_float32_matmul_precision("highest")
    x = mg.ones(1, 2, 3, 3)
    assert x.to("cpu", non_blocking=True, memory_format=mg.channels_last).shape == x.shape
    assert x.clone(memory_format=mg.contiguous_format).is_contiguous()
    assert mg.nn.Linear(2, 2).to(memory_format=mg.channels_last) is not None


def test_checkpoint_runs_the_function_with_its_gradients():
    from minigrad.utils.checkpoint import checkpoint, checkpoint_sequential
    x = mg.ones(2, requires_grad=True)
    checkpoint(lambda a: (a * 3).sum(), x, use_reentrant=False).backward()
    assert x.grad.tolist() == [3.0, 3.0]
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        checkpoint(lambda a: a, x)
    layers = mg.nn.Sequential(mg.nn.Identity(), mg.nn.ReLU())
    assert checkpoint_sequential(layers, 2, -x, use_reentrant=False).tolist() == [0.0, 0.0]


def test_unique_consecutive_runs(backend):
    values, inverse, counts = mg.unique_consecutive(mg.tensor([1, 1, 2, 2, 3, 1, 1]), return_inverse=True,
                                                    return_counts=True)
    assert values.tolist() == [1, 2, 3, 1] and inverse.tolist() == [0, 0, 1, 1, 2, 3, 3]
    assert counts.tolist() == [2, 2, 1, 2]
    assert mg.unique_consecutive(mg.tensor([[1, 1], [1, 1], [2, 3]]), dim=0).tolist() == [[1, 1], [2, 3]]


def test_poisson_asarray_isreal_logical_not_(backend):
    mg.manual_seed(0)
    draws = mg.poisson(mg.full((20000,), 3.0))
    assert draws.dtype is mg.float32 and draws.mean().item() == pytest.approx(3.0, rel=0.03)
    assert mg.asarray([1, 2]).dtype is mg.int64 and mg.asarray(mg.ones(2), dtype=mg.int64).tolist() == [1, 1]
    source = mg.ones(2)
    assert mg.asarray(source) is source and mg.asarray(source, copy=True) is not source
    assert mg.tensor([1.0, math.nan]).isreal().tolist() == [True, True]
    assert mg.tensor([0.0, 2.0]).logical_not_().tolist() == [1.0, 0.0]


def test_type_accepts_legacy_types_and_names():
    x = mg.ones(2)
    assert x.type() == "torch.FloatTensor" and x.long().type() == "torch.LongTensor"
    assert x.type(mg.LongTensor).dtype is mg.int64 and x.type("torch.DoubleTensor").dtype is mg.float64
    assert x.type(mg.float16).dtype is mg.float16
    with pytest.raises(ValueError, match="invalid type"):
        x.type("torch.NoSuchTensor")


def test_jit_and_default_device_spellings():
    def f(t):
        return t * 2
    assert mg.jit.script(f) is f and mg.jit.trace(f, (mg.ones(1),)) is f
    assert mg.jit.ignore(f) is f and mg.jit.ignore(drop=True)(f) is f and not mg.jit.is_scripting()
    assert mg.get_default_device() == mg.device("cpu")
    mg.set_default_device("cpu")
    assert mg.get_backend() == "numpy"


def test_membership_tests_any_equal_entry(backend):
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert 3.0 in x and 5 not in x and mg.tensor([1.0, 2.0]) in x
    with pytest.raises(RuntimeError, match="only supports Tensor or scalar"):
        "a" in x  # noqa: B015


def test_in_place_shape_changes_keep_the_storage(backend):
    x = mg.arange(6.0).reshape(2, 3)
    row = x[0]
    assert x.t_() is x and x.shape == (3, 2)
    x[0, 0] = 9.0
    assert row.tolist() == [9.0, 1.0, 2.0]  # the same storage, read transposed
    x.unsqueeze_(0)
    assert x.shape == (1, 3, 2)
    assert x.squeeze_().transpose_(0, 1).shape == (2, 3)


def test_in_place_shape_changes_in_a_graph_are_refused():
    leaf = mg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        leaf.unsqueeze_(0)
    with pytest.raises(RuntimeError, match="use the out-of-place unsqueeze"):
        (leaf * 2).unsqueeze_(0)
    with mg.no_grad():
        leaf.unsqueeze_(0)
    assert leaf.shape == (1, 2)


def test_shifts_and_bitwise_ops_with_python_numbers(backend):
    assert (mg.tensor([3, 1]) ^ 1).tolist() == [2, 0]
    assert (mg.tensor([8, 2]) >> 1).tolist() == [4, 1]
    assert mg.tensor([1]).bitwise_left_shift(3).tolist() == [8]
    assert (mg.tensor([1, 2]) << mg.tensor([2, 1])).tolist() == [4, 4]
    assert (mg.tensor([True, False]) & True).tolist() == [True, False]
    for bad in (lambda: mg.tensor([1.0]) << 1, lambda: mg.tensor([1]) ^ 1.5):
        with pytest.raises(RuntimeError, match="not defined for floating point"):
            bad()


def test_mean_and_softmax_take_pytorchs_dtype_argument(backend):
    assert mg.tensor([[1, 2]]).mean(dim=1, dtype=mg.float32).tolist() == [1.5]
    assert mg.mean(mg.tensor([1, 2]), dtype=mg.float64).dtype is mg.float64
    p = mg.softmax(mg.tensor([1, 2]), 0, dtype=mg.float64)
    assert p.dtype is mg.float64 and abs(p.sum().item() - 1) < 1e-12
    assert mg.tensor([1.0, 2.0]).log_softmax(0, dtype=mg.float64).dtype is mg.float64
