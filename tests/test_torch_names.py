"""PyTorch's function spellings and further helpers: every expected value below is the one
PyTorch 2.13 gives for the same call, edges included (NaN, infinities, signed zeros, ties).
Gradients and second derivatives of the differentiable ones are in test_ops.py's table."""

import math

import numpy as np
import pytest

import minigrad as mg

NAN, INF = math.nan, math.inf


def _values(t):
    return np.asarray(t.detach().tolist(), dtype=float)


def _grads(fn, *values):
    xs = [mg.tensor(v, dtype=mg.float64, requires_grad=True) for v in values]
    fn(*xs).sum().backward()
    return [_values(x.grad) for x in xs]


# PyTorch's functions that are also Tensor methods: both spellings exist here too
BOTH_SPELLINGS = (
    "add sub subtract mul multiply div divide true_divide floor_divide remainder neg negative positive "
    "absolute eq ne lt le gt ge greater greater_equal less less_equal not_equal clone detach t "
    "is_floating_point bitwise_and bitwise_or bitwise_xor bitwise_not bitwise_left_shift bitwise_right_shift "
    "sinh cosh asin acos atan asinh acosh atanh arcsin arccos arctan arcsinh arccosh arctanh expm1 exp2 "
    "logit sinc deg2rad rad2deg sgn signbit xlogy logaddexp logaddexp2 copysign fmax fmin float_power "
    "heaviside isneginf isposinf isreal clamp_min clamp_max nansum nanmean aminmax cov corrcoef argwhere "
    "msort tensor_split rot90 kron diag_embed take cross select ravel is_nonzero hsplit vsplit dsplit "
    "split_with_sizes fliplr flipud diagflat inner vdot addmv addr addbmm matrix_power logdet dist "
    "is_signed is_complex is_same_size conj resolve_conj resolve_neg cummax cummin").split()
METHODS_ONLY = ("unfold fill_diagonal_ exponential_ geometric_ cauchy_ log_normal_ random_ stride "
                "data_ptr").split()


@pytest.mark.parametrize("name", BOTH_SPELLINGS)
def test_pytorch_function_and_method_spellings_both_exist(name):
    assert callable(getattr(mg, name)) and callable(getattr(mg.Tensor, name))


@pytest.mark.parametrize("name", METHODS_ONLY)
def test_pytorch_tensor_methods_exist(name):
    assert callable(getattr(mg.Tensor, name))


def test_module_level_helpers_exist():
    for name in ("hstack vstack dstack column_stack row_stack concat concatenate atleast_1d atleast_2d "
                 "atleast_3d block_diag cartesian_prod combinations broadcast_tensors broadcast_shapes "
                 "searchsorted bucketize isin logspace tril_indices triu_indices result_type can_cast "
                 "promote_types get_rng_state set_rng_state").split():
        assert callable(getattr(mg, name)), name
    assert callable(mg.linalg.cross)


def test_add_and_sub_take_alpha_and_div_takes_a_rounding_mode():
    assert mg.add(mg.tensor([1, 2]), mg.tensor([3, 4]), alpha=2).tolist() == [7, 10]
    assert mg.tensor([1.0, 2.0]).add(mg.tensor([3.0, 4.0]), alpha=-1).tolist() == [-2.0, -2.0]
    assert mg.sub(mg.tensor([1.0, 2.0]), 1, alpha=0.5).tolist() == [0.5, 1.5]
    a, b = mg.tensor([7, -7, 7, -7]), mg.tensor([2, 2, -2, -2])
    trunc = mg.div(a, b, rounding_mode="trunc")
    assert trunc.tolist() == [3, -3, -3, 3] and trunc.dtype is mg.int64
    assert mg.div(a, b, rounding_mode="floor").tolist() == [3, -4, -4, 3]
    assert mg.div(mg.tensor([7, -7]), -2, rounding_mode="trunc").tolist() == [-3, 3]
    assert mg.tensor([7.0, -7.0]).div(2, rounding_mode="trunc").tolist() == [3.0, -3.0]
    assert mg.divide(mg.tensor([7.5, -7.5]), 2, rounding_mode="floor").tolist() == [3.0, -4.0]
    assert mg.true_divide(mg.tensor([1, 2]), 2).tolist() == [0.5, 1.0]
    with pytest.raises(RuntimeError, match="rounding_mode to be one of None, 'trunc', or 'floor'"):
        mg.div(mg.tensor([1.0]), 2, rounding_mode="round")
    x = mg.tensor([1.5, -2.5], requires_grad=True)
    mg.div(x, 2, rounding_mode="trunc").sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]  # piecewise constant, as PyTorch


def test_where_of_two_numbers_and_comparison_with_none():
    cond = mg.tensor([True, False])
    assert mg.where(cond, 1, 0.5).tolist() == [1.0, 0.5] and mg.where(cond, 1, 0.5).dtype is mg.float32
    assert mg.where(cond, 1, 2).dtype is mg.int64 and mg.where(cond, True, 2).dtype is mg.int64
    assert (mg.tensor([1]) == None) is False and (mg.tensor([1]) != None) is True  # noqa: E711


def test_unary_math_edges():
    assert mg.signbit(mg.tensor([-0.0, 0.0, -2.0])).tolist() == [True, False, True]
    assert mg.signbit(mg.tensor([-1, 0, 2])).tolist() == [True, False, False]
    np.testing.assert_allclose(_values(mg.sinc(mg.tensor([0.0, 0.5, 2.0]))), [1.0, 0.63662, 0.0], atol=1e-5)
    assert mg.exp2(mg.tensor([3, -1])).tolist() == [8.0, 0.5]
    assert mg.deg2rad(mg.tensor([180])).dtype is mg.float32
    assert mg.isneginf(mg.tensor([-INF, INF, NAN])).tolist() == [True, False, False]
    assert mg.isposinf(mg.tensor([-INF, INF, NAN])).tolist() == [False, True, False]
    assert mg.isreal(mg.tensor([NAN])).tolist() == [True]
    assert mg.clamp_min(mg.tensor([-1.0, 2.0]), 0).tolist() == [0.0, 2.0]
    assert mg.tensor([-1.0, 2.0]).clamp_max(0).tolist() == [-1.0, 0.0]
    assert mg.bitwise_not(mg.tensor([5])).tolist() == [-6]
    assert mg.bitwise_and(mg.tensor([12]), mg.tensor([10])).tolist() == [8]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's note on log(0) and 0/0, as for mg.log
def test_unary_gradients_where_the_formula_has_no_value():
    (g,) = _grads(mg.logit, [-0.9, 0.0, 0.4, 1.5])
    assert np.isnan(g[0]) and g[1] == INF and g[2] == pytest.approx(1 / 0.24) and np.isnan(g[3])
    (g,) = _grads(lambda t: mg.logit(t, eps=0.2), [0.1, 0.5, 0.9])
    assert g.tolist() == [0.0, 4.0, 0.0]
    (g,) = _grads(mg.sinc, [0.0])
    assert g.tolist() == [0.0]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_binary_math_edges_and_gradients():
    xs, ys = mg.tensor([0.0, 0.0, 1.0]), mg.tensor([0.0, NAN, 0.0])
    assert _values(mg.xlogy(xs, ys)).tolist()[::2] == [0.0, -INF]
    assert np.isnan(mg.xlogy(mg.tensor([0.0]), mg.tensor([NAN])).item())
    gx, gy = _grads(mg.xlogy, [0.0, 1.0, 2.0, 0.0], [0.0, 2.0, 3.0, 1.0])
    np.testing.assert_allclose(gx, [0.0, math.log(2), math.log(3), 0.0])
    assert np.isnan(gy[0]) and gy[1:].tolist() == pytest.approx([0.5, 2 / 3, 0.0])
    same = mg.logaddexp(mg.tensor([-INF, INF]), mg.tensor([-INF, INF]))
    assert same.tolist() == [-INF, INF]
    assert mg.logaddexp2(mg.tensor([1.0]), mg.tensor([1.0])).item() == pytest.approx(2.0)
    a, b = [1.5, -2.0, 0.0, 0.0, 2.0, 3.0], [-1.0, 2.0, -3.0, 0.0, 2.0, 0.5]
    ga, gb = _grads(mg.copysign, a, b)
    assert ga.tolist() == [-1.0, -1.0, 0.0, 0.0, 1.0, 1.0] and gb.tolist() == [0.0] * 6
    with_nan_a, with_nan_b = [1.5, -2.0, 0.0, 0.0, NAN, 3.0], [-1.0, 2.0, -3.0, 0.0, 1.0, NAN]
    assert mg.fmax(mg.tensor(with_nan_a), mg.tensor(with_nan_b)).tolist() == [1.5, 2.0, 0.0, 0.0, 1.0, 3.0]
    assert mg.fmin(mg.tensor(with_nan_a), mg.tensor(with_nan_b)).tolist() == [-1.0, -2.0, -3.0, 0.0, 1.0, 3.0]
    ga, gb = _grads(mg.fmax, a, b)  # a tie (0, 0) and (2, 2) goes to the first input
    assert ga.tolist() == [1.0, 0.0, 1.0, 1.0, 1.0, 1.0] and gb.tolist() == [0.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    ga, gb = _grads(mg.fmin, a, b)
    assert ga.tolist() == [0.0, 1.0, 0.0, 1.0, 1.0, 0.0] and gb.tolist() == [1.0, 0.0, 1.0, 0.0, 0.0, 1.0]
    powered = mg.float_power(mg.tensor([2]), 2)
    assert powered.dtype is mg.float64 and powered.tolist() == [4.0]
    assert mg.heaviside(mg.tensor([-1.5, 0.0, 2.0]), mg.tensor([0.5])).tolist() == [0.0, 0.5, 1.0]
    with pytest.raises(RuntimeError, match="heaviside is not yet implemented for tensors with different"):
        mg.heaviside(mg.tensor([1.0]), mg.tensor([1]))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_pow_gradients_at_zero_and_negative_bases_are_pytorchs():
    # d/da a^b = b a^(b-1), 0 where b = 0; d/db = a^b log a, 0 where a = 0 and b >= 0, NaN for a < 0
    ga, gb = _grads(lambda a, b: a ** b, [1.5, -2.0, 0.0, 0.0, 2.0], [-1.0, 2.0, -3.0, 0.0, 0.5])
    np.testing.assert_allclose(ga, [-1 / 1.5 ** 2, -4.0, -INF, 0.0, 0.5 / math.sqrt(2)])
    np.testing.assert_allclose(gb[[0, 4]], [math.log(1.5) / 1.5, math.sqrt(2) * math.log(2)])
    assert np.isnan(gb[1]) and gb[2] == -INF and gb[3] == 0.0
    (gb,) = _grads(lambda b: 0.0 ** b, [-1.0, 0.0, 2.0])
    assert gb.tolist() == [-INF, 0.0, 0.0]
    (gb,) = _grads(lambda b: (-2.0) ** b, [2.0])
    assert np.isnan(gb[0])


def test_integer_power_with_negative_integer_exponents_is_pytorchs():
    # PyTorch: 1 for a base of 1, ±1 for -1 by parity, 0 otherwise (NumPy refuses negative powers)
    a, b = mg.tensor([5, -7, 3, 1, -1, -1, 0, 2]), mg.tensor([-7, -7, 2, -3, -3, -2, 3, 0])
    assert (a ** b).tolist() == [0, 0, 9, 1, -1, 1, 0, 1]
    assert mg.pow(2, mg.tensor([-1, 3])).tolist() == [0, 8]
    x = mg.tensor([5, 7, 3, 1], dtype=mg.uint8)
    x **= mg.tensor([-7, -7, 2, -3])
    assert x.dtype is mg.uint8 and x.tolist() == [0, 0, 9, 1]
    with pytest.raises(RuntimeError, match="negative integer powers"):  # a number exponent raises, as there
        mg.tensor([2]) ** -1


def test_searchsorted_bucketize_and_isin():
    seq = mg.tensor([1.0, 2.0, 2.0, 3.0])
    assert mg.searchsorted(seq, mg.tensor([0.0, 2.0, 2.5, 4.0, NAN])).tolist() == [0, 1, 3, 4, 4]
    assert mg.searchsorted(seq, mg.tensor([0.0, 2.0, 2.5, 4.0]), right=True).tolist() == [0, 3, 3, 4]
    assert mg.searchsorted(seq, mg.tensor([2.0]), side="right").tolist() == [3]
    assert mg.searchsorted(seq, mg.tensor([2.0]), out_int32=True).dtype is mg.int32
    assert mg.searchsorted(seq, 2.5).item() == 3
    rows = mg.tensor([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]])
    assert mg.searchsorted(rows, mg.tensor([[3.0, 6.0], [1.0, 7.0]])).tolist() == [[1, 3], [0, 3]]
    assert mg.searchsorted(rows, mg.tensor([[3.0, 6.0], [1.0, 4.0]]), right=True).tolist() == [[2, 3], [0, 2]]
    unsorted = mg.tensor([3.0, 1.0, 2.0])
    assert mg.searchsorted(unsorted, mg.tensor([2.5]), sorter=mg.tensor([1, 2, 0])).tolist() == [2]
    with pytest.raises(RuntimeError, match="first N-1 dimensions"):
        mg.searchsorted(rows, mg.tensor([[1.0]] * 3))
    boundaries = mg.tensor([1.0, 2.0, 3.0])
    inputs = mg.tensor([[0.5, 1.0, 2.5], [3.0, 9.0, 1.5]])
    assert mg.bucketize(inputs, boundaries).tolist() == [[0, 0, 2], [2, 3, 1]]
    assert mg.bucketize(mg.tensor([1.0, 2.5]), boundaries, right=True).tolist() == [1, 2]
    assert mg.isin(mg.tensor([[1, 2], [3, 4]]), mg.tensor([2, 3, 9])).tolist() == [[False, True],
                                                                                   [True, False]]
    with_nan = mg.tensor([1.0, 2.0, NAN])
    assert mg.isin(with_nan, mg.tensor([2.0, NAN]), invert=True).tolist() == [True, False, True]
    assert mg.isin(mg.tensor([1, 2]), 2).tolist() == [False, True]
    assert mg.isin(mg.tensor([1, 2]), mg.tensor([], dtype=mg.int64)).tolist() == [False, False]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # 0/0 for the all-NaN column, as NumPy's nanmean
def test_nan_skipping_statistics_and_aminmax():
    n = mg.tensor([[1.0, NAN, 3.0], [NAN, NAN, 2.0]])
    assert mg.nansum(n).item() == 6.0 and mg.nansum(n, 1).tolist() == [4.0, 2.0]
    assert n.nansum(0, keepdim=True).tolist() == [[1.0, 0.0, 5.0]]
    assert mg.nanmean(n).item() == 2.0
    assert _values(n.nanmean(0)).tolist()[::2] == [1.0, 2.5] and np.isnan(n.nanmean(0)[1].item())
    assert mg.nansum(mg.tensor([1, 2])).item() == 3
    with pytest.raises(RuntimeError, match="nanmean"):
        mg.nanmean(mg.tensor([1, 2]))
    (g,) = _grads(lambda t: mg.nansum(t * 2), [1.0, NAN, 3.0])
    assert g.tolist() == [2.0, 0.0, 2.0]
    (g,) = _grads(mg.nanmean, [1.0, NAN, 3.0])
    assert g.tolist() == [0.5, 0.0, 0.5]
    m = mg.arange(12.0).reshape(3, 4)
    low, high = mg.aminmax(m, dim=1, keepdim=True)
    assert low.tolist() == [[0.0], [4.0], [8.0]] and mg.aminmax(m).max.item() == 11.0


def test_cov_and_corrcoef_against_their_definitions():
    c = [[0.0, 1.0, 2.0], [2.0, 1.0, 0.5], [1.0, 1.0, 3.0]]
    t, f, w = mg.tensor(c), mg.tensor([1, 2, 1]), mg.tensor([0.5, 1.0, 2.0])
    np.testing.assert_allclose(_values(mg.cov(t)), np.cov(c), rtol=1e-6)
    np.testing.assert_allclose(_values(mg.cov(t, correction=0)), np.cov(c, ddof=0), rtol=1e-6)
    np.testing.assert_allclose(_values(t.cov(fweights=f)), np.cov(c, fweights=[1, 2, 1]), rtol=1e-6)
    np.testing.assert_allclose(_values(mg.cov(t, aweights=w)), np.cov(c, aweights=[0.5, 1, 2]), rtol=1e-6)
    both = [[0.64286, -0.42857, 0.85714], [-0.42857, 0.30357, -0.5], [0.85714, -0.5, 1.42857]]
    np.testing.assert_allclose(_values(mg.cov(t, fweights=f, aweights=w)), both, rtol=1e-4)
    assert mg.cov(mg.tensor([1.0, 2.0, 4.0])).item() == pytest.approx(7 / 3)
    integers = mg.tensor([[1, 2, 4], [1, 0, 1]])
    np.testing.assert_allclose(_values(mg.cov(integers)), [[7 / 3, 1 / 6], [1 / 6, 1 / 3]])
    with pytest.raises(RuntimeError, match="fweights to have integral dtype"):
        mg.cov(t, fweights=w)
    np.testing.assert_allclose(_values(mg.corrcoef(t)), np.corrcoef(c), rtol=1e-5)
    assert mg.corrcoef(mg.tensor([1.0, 2.0, 4.0])).item() == 1.0


def test_arranging_helpers():
    assert [p.tolist() for p in mg.tensor_split(mg.arange(7), 3)] == [[0, 1, 2], [3, 4], [5, 6]]
    m = mg.arange(12.0).reshape(3, 4)
    assert [p.shape for p in m.tensor_split(mg.tensor([1]), 0)] == [(1, 4), (2, 4)]
    assert [p.tolist() for p in mg.arange(5).tensor_split([3, 1])] == [[0, 1, 2], [], [1, 2, 3, 4]]
    parts = m.tensor_split(2, 1)
    parts[0][0, 0] = 100.0  # the pieces are views
    assert m[0, 0].item() == 100.0
    assert mg.hstack([mg.tensor([1, 2]), mg.tensor([3])]).tolist() == [1, 2, 3]
    assert mg.dstack([mg.tensor([1, 2]), mg.tensor([3, 4])]).shape == (1, 2, 2)
    assert mg.atleast_3d(mg.tensor([1.0, 2.0])).shape == (1, 2, 1)
    assert [t.shape for t in mg.atleast_2d(mg.tensor(1.0), mg.tensor([2.0]))] == [(1, 1), (1, 1)]
    assert mg.block_diag(mg.tensor(5.0), mg.tensor([1.0, 2.0]), mg.ones(2, 1)).tolist() == [
        [5.0, 0.0, 0.0, 0.0], [0.0, 1.0, 2.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0]]
    assert mg.combinations(mg.tensor([1.0, 2.0]), r=0).shape == (0,)
    assert mg.combinations(mg.tensor([1.0]), r=2).shape == (0, 2)
    assert mg.cartesian_prod(mg.tensor([1, 2]), mg.tensor([3, 4, 5])).shape == (6, 2)
    assert mg.diag_embed(mg.tensor([1.0, 2.0]), offset=1).tolist() == [[0.0, 1.0, 0.0], [0.0, 0.0, 2.0],
                                                                        [0.0, 0.0, 0.0]]
    assert [t.shape for t in mg.broadcast_tensors(mg.ones(2, 1), mg.ones(3))] == [(2, 3), (2, 3)]
    assert mg.broadcast_shapes((2, 1), (3,)) == (2, 3)
    assert mg.take(mg.tensor([[1, 2], [3, 4]]), mg.tensor([[0, -1]])).tolist() == [[1, 4]]
    with pytest.raises(IndexError):
        mg.take(mg.tensor([1, 2]), mg.tensor([2]))
    assert m.select(1, -1).tolist() == [3.0, 7.0, 11.0] and mg.ravel(m.t()).shape == (12,)
    assert mg.msort(mg.tensor([[3.0, 1.0], [1.0, 2.0]])).tolist() == [[1.0, 1.0], [3.0, 2.0]]
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        mg.linalg.cross(mg.tensor([1.0, 2.0, 3.0]), mg.ones(2, 3))
    assert mg.cross(mg.ones(3, 2), mg.ones(3, 2)).tolist() == [[0.0, 0.0]] * 3  # the first size-3 axis


def test_creation_and_dtype_helpers():
    assert mg.logspace(0, 2, 3).tolist() == [1.0, 10.0, 100.0]
    assert mg.logspace(0, 2, 3, base=2).tolist() == [1.0, 2.0, 4.0]
    assert mg.logspace(0, 3, 4, dtype=mg.int64).tolist() == [1, 10, 100, 1000]
    assert mg.tril_indices(3, 3, -1).tolist() == [[1, 2, 2], [0, 0, 1]]
    assert mg.triu_indices(2, 4, 1).tolist() == [[0, 0, 0, 1, 1], [1, 2, 3, 2, 3]]
    assert mg.tril_indices(3, 2).tolist() == [[0, 1, 1, 2, 2], [0, 0, 1, 0, 1]]
    assert mg.result_type(mg.tensor([1]), 1.0) is mg.float32
    assert mg.result_type(mg.tensor([1], dtype=mg.int32), mg.tensor(1)) is mg.int32
    assert mg.result_type(1, 2.0) is mg.float32
    assert [mg.can_cast(mg.float32, mg.int32), mg.can_cast(mg.int32, mg.float32),
            mg.can_cast(mg.int64, mg.bool), mg.can_cast(mg.bool, mg.int8)] == [False, True, False, True]
    assert mg.promote_types(mg.int32, mg.float16) is mg.float16
    assert mg.is_nonzero(mg.tensor([0.0])) is False and mg.tensor(2).is_nonzero() is True
    with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
        mg.tensor([1, 2]).is_nonzero()
    state = mg.get_rng_state()
    first = mg.rand(3)
    mg.set_rng_state(state)
    assert mg.rand(3).tolist() == first.tolist()


def test_splitting_flipping_and_small_linear_algebra():
    m = mg.arange(24.0).reshape(2, 3, 4)
    assert [p.shape for p in mg.hsplit(m, 3)] == [(2, 1, 4)] * 3
    assert [p.shape for p in m.dsplit([1, 3])] == [(2, 3, 1), (2, 3, 2), (2, 3, 1)]
    with pytest.raises(RuntimeError, match="not divisible by the split_size 2"):
        mg.hsplit(m, 2)
    with pytest.raises(RuntimeError, match="at least 2 dimension"):
        mg.vsplit(mg.arange(4), 2)
    with pytest.raises(RuntimeError, match="Input must be >= 2-d"):
        mg.fliplr(mg.arange(3))
    assert mg.diagflat(mg.tensor([[1, 2], [3, 4]]), 1).shape == (5, 5)
    assert mg.inner(mg.tensor(2.0), mg.tensor([3.0, 4.0])).tolist() == [6.0, 8.0]
    assert mg.matrix_power(mg.tensor([[1.0, 1.0], [0.0, 1.0]]), 5).tolist() == [[1.0, 5.0], [0.0, 1.0]]
    upper = mg.tensor([[2.0, 1.0], [0.0, 1.0]])
    assert mg.linalg.matrix_power(upper[None], 0).tolist() == [[[1.0, 0.0], [0.0, 1.0]]]
    assert mg.linalg.matrix_power(upper, -2).tolist() == [[0.25, -0.75], [0.0, 1.0]]
    positive, negative, singular = mg.diag(mg.tensor([2.0, 3.0])), mg.diag(mg.tensor([-1.0, 1.0])), \
        mg.diag(mg.tensor([0.0, 1.0]))
    logdets = mg.logdet(mg.stack([positive, negative, singular]))
    assert logdets[0].item() == pytest.approx(math.log(6)) and math.isnan(logdets[1].item())
    assert logdets[2].item() == -INF
    assert mg.dist(mg.tensor([1.0, 2.0]), mg.tensor([4.0, 6.0])).item() == 5.0
    assert mg.tensor([1]).is_signed() and not mg.tensor([True]).is_signed()
    assert not mg.tensor([1], dtype=mg.uint8).is_signed()
    t = mg.ones(2)
    assert mg.conj(t) is t and t.real is t and not mg.is_complex(t) and t.is_same_size(mg.zeros(2))


INPLACE_MATH = ("abs neg exp exp2 expm1 log log1p sqrt rsqrt sign sin cos tan tanh sinh cosh asin acos atan "
                "asinh acosh atanh sigmoid relu erf sinc logit deg2rad rad2deg absolute negative sgn "
                "arcsin").split()


@pytest.mark.parametrize("name", INPLACE_MATH)
def test_inplace_math_is_the_plain_op_written_into_the_tensor(name):
    values = [1.2, 1.5, 1.9] if name in ("acosh",) else [0.2, 0.5, 0.7]
    weights = mg.tensor([1.0, -2.0, 0.5], dtype=mg.float64)
    a = mg.tensor(values, dtype=mg.float64, requires_grad=True)
    expected = getattr(a * 1.0, name)()
    (expected * weights).sum().backward()
    expected_grad, a.grad = a.grad, None
    x = a * 1.0
    assert getattr(x, name + "_")() is x
    np.testing.assert_allclose(_values(x), _values(expected))
    (x * weights).sum().backward()
    np.testing.assert_allclose(_values(a.grad), _values(expected_grad))


def test_inplace_comparisons_logic_scans_and_diagonals():
    x = mg.tensor([1.0, 2.0, 3.0])
    assert x.clone().gt_(1.5).tolist() == [0.0, 1.0, 1.0] and x.clone().eq_(2).tolist() == [0.0, 1.0, 0.0]
    assert x.clone().logical_not_().tolist() == [0.0, 0.0, 0.0]
    assert x.clone().cumsum_(0).tolist() == [1.0, 3.0, 6.0]
    assert x.clone().clamp_min_(2).tolist() == [2.0, 2.0, 3.0]
    assert mg.tensor([5, -7]).remainder_(3).tolist() == [2, 2]
    assert mg.tensor([6, 3]).bitwise_and_(mg.tensor([3, 1])).tolist() == [2, 1]
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        mg.tensor([1, 2]).exp_()
    tall = mg.zeros(7, 3)
    tall.fill_diagonal_(5, wrap=True)
    assert [row.index(5.0) if 5.0 in row else None for row in tall.tolist()] == [0, 1, 2, None, 0, 1, 2]
    cube = mg.zeros(2, 2, 2).fill_diagonal_(1)
    assert cube.sum().item() == 2 and cube[1, 1, 1].item() == 1
    assert mg.zeros(2, 4).fill_diagonal_(3).tolist() == [[3.0, 0.0, 0.0, 0.0], [0.0, 3.0, 0.0, 0.0]]


def test_random_fills_follow_their_distributions():
    mg.manual_seed(0)
    n = 40000
    exponential = mg.empty(n, dtype=mg.float64).exponential_(2.0)
    assert exponential.min().item() >= 0 and exponential.mean().item() == pytest.approx(0.5, rel=0.03)
    geometric = mg.empty(n, dtype=mg.float64).geometric_(0.25)
    assert geometric.min().item() == 1 and (geometric == geometric.round()).all()
    assert geometric.mean().item() == pytest.approx(4.0, rel=0.03)  # 1/p trials on average
    cauchy = mg.empty(n, dtype=mg.float64).cauchy_(1.0, 2.0)
    assert cauchy.median().item() == pytest.approx(1.0, abs=0.1)
    log_normal = mg.empty(n, dtype=mg.float64).log_normal_(0.5, 0.25)
    assert log_normal.log().mean().item() == pytest.approx(0.5, abs=0.01)
    integers = mg.empty(n).random_(3, 7)
    assert set(integers.tolist()) == {3.0, 4.0, 5.0, 6.0}
    assert set(mg.empty(1000, dtype=mg.int64).random_(4).tolist()) == {0, 1, 2, 3}


def test_layout_and_size_queries():
    x = mg.arange(12.0).reshape(3, 4)
    assert x.stride() == (4, 1) and x.t().stride() == (1, 4) and x.stride(-2) == 4
    corner = x[1:, 1:]
    assert corner.storage_offset() == 5 and x.storage_offset() == 0
    assert corner.data_ptr() == x.data_ptr() + 5 * 4
    assert x.itemsize == 4 and x.nbytes == 48 and x.ndimension() == 2
    assert x.is_cpu and x.get_device() == -1
    assert (x.byte().dtype, x.char().dtype, x.short().dtype) == (mg.uint8, mg.int8, mg.int16)
    assert mg.ones(2, 3).sum_to_size(1, 3).tolist() == [[2.0, 2.0, 2.0]]
    assert mg.ones(2, 3).sum_to_size(3).tolist() == [2.0, 2.0, 2.0]


def test_tensor_unfold_windows():
    x = mg.arange(10.0).reshape(2, 5)
    assert x.unfold(1, 3, 2).tolist() == [[[0.0, 1.0, 2.0], [2.0, 3.0, 4.0]],
                                          [[5.0, 6.0, 7.0], [7.0, 8.0, 9.0]]]
    assert x.unfold(0, 1, 1).shape == (2, 5, 1) and mg.tensor(3.0).unfold(0, 1, 1).tolist() == [3.0]
    with pytest.raises(RuntimeError, match="maximum size for tensor at dimension 1 is 5 but size is 6"):
        x.unfold(1, 6, 1)
    with pytest.raises(RuntimeError, match="step is 0"):
        x.unfold(1, 2, 0)


def test_cummax_and_cummin_follow_pytorchs_ties_and_nans():
    values, indices = mg.cummax(mg.tensor([1.0, 3.0, 3.0, 2.0, 3.0]), 0)
    assert values.tolist() == [1.0, 3.0, 3.0, 3.0, 3.0] and indices.tolist() == [0, 1, 2, 2, 4]  # latest tie
    values, indices = mg.tensor([1.0, 3.0, 1.0, 2.0, 0.0]).cummin(0)
    assert values.tolist() == [1.0, 1.0, 1.0, 1.0, 0.0] and indices.tolist() == [0, 0, 2, 2, 4]
    values, indices = mg.cummax(mg.tensor([2.0, NAN, 1.0, 5.0]), 0)
    assert np.isnan(values[1:].numpy()).all() and indices.tolist() == [0, 1, 1, 1]  # a NaN stays the max
    assert mg.cummin(mg.tensor([NAN, 1.0, NAN, 0.0]), 0).indices.tolist() == [0, 0, 2, 2]
    x = mg.tensor([[1.0, 0.0, 2.0], [3.0, 1.0, 1.0]], requires_grad=True)
    values, indices = x.cummax(1)
    assert indices.tolist() == [[0, 0, 2], [0, 0, 0]]
    values.sum().backward()
    assert x.grad.tolist() == [[2.0, 0.0, 1.0], [3.0, 0.0, 0.0]]  # each running max's gradient to its source


def test_autograd_grad_takes_pytorchs_whole_signature():
    x, unused = mg.tensor([1.0, 2.0], requires_grad=True), mg.tensor([3.0], requires_grad=True)
    (g,) = mg.autograd.grad((x * x).sum(), x, only_inputs=True)  # WGAN-GP code passes it
    assert g.tolist() == [2.0, 4.0]
    with pytest.warns(FutureWarning, match="only_inputs argument is deprecated"):
        mg.autograd.grad((x * x).sum(), x, only_inputs=False)
    gx, gu = mg.autograd.grad((x * x).sum(), (x, unused), materialize_grads=True)
    assert gu.tolist() == [0.0]
    assert mg.autograd.grad((x * x).sum(), (x, unused), allow_unused=True)[1] is None
    with pytest.raises(ValueError, match="allow_unused to be True or not passed"):
        mg.autograd.grad((x * x).sum(), x, allow_unused=False, materialize_grads=True)


def test_type_numpy_force_prod_dtype_and_swapdims_keywords():
    assert mg.ones(2).type() == "torch.FloatTensor"
    assert mg.ones(2, dtype=mg.int64).type() == "torch.LongTensor"
    assert mg.ones(2).type("torch.DoubleTensor").dtype is mg.float64
    assert mg.ones(2).type(mg.float16, non_blocking=True).dtype is mg.float16
    assert mg.ones(2, requires_grad=True).numpy(force=True).tolist() == [1.0, 1.0]
    assert mg.tensor([2, 3]).prod(dtype=mg.float32).dtype is mg.float32
    assert mg.prod(mg.tensor([2.0, 3.0]), dtype=mg.float64).item() == 6.0
    assert mg.swapdims(mg.ones(2, 3), dim0=0, dim1=1).shape == (3, 2)
    assert mg.ones(2, 3).swapdims(dim0=1, dim1=0).shape == (3, 2)
