"""Bad input thrown at the public API, each case compared with PyTorch 2.13.

Every case is ordinary PyTorch code with ``m`` in place of ``torch`` (``D(m)`` is ``torch.utils.data``
or ``minigrad.data``). The expected outcomes in ``TORCH`` were recorded by running the same functions
under PyTorch 2.13 (CPU): either the value PyTorch returns (tensors as ``[dtype, values]``) or
``RAISES``. Where PyTorch raises, minigrad must raise too, with a message that contains the case's
keyword (the op or layer, or what was wrong), raised by a ``raise`` statement of minigrad itself (not
passed through from NumPy, nor a raw Python error such as ZeroDivisionError deep in the library).
"""

import linecache
import math
import os
import warnings

import pytest

import minigrad as mg

nan, inf = math.nan, math.inf
RAISES = "raises"


def F(m):
    return m.nn.functional


def D(m):
    return m.utils.data if m.__name__ == "torch" else m.data


def t(m, data, dtype="float32", rg=False):
    return m.tensor(data, dtype=getattr(m, dtype), requires_grad=rg)


def grad(m, f, data, dtype="float64"):
    """The gradient of ``f(x).sum()`` at ``x = data``."""
    x = t(m, data, dtype, True)
    f(x).sum().backward()
    return x.grad


def grad_through(m, f, data, upstream):
    """The gradient at ``x = data`` of ``f(x)`` given the upstream gradient ``upstream``."""
    x = t(m, data, "float64", True)
    f(x).backward(t(m, upstream, "float64"))
    return x.grad


def lin(m, i=3, o=2):
    m.manual_seed(0)
    return m.nn.Linear(i, o)


def opt(m, cls, **kw):
    return getattr(m.optim, cls)([m.nn.Parameter(m.ones(2))], **kw)


def sched(m, cls, *args, **kw):
    return getattr(m.optim.lr_scheduler, cls)(opt(m, "SGD", lr=0.1), *args, **kw)


def steps(s, n):
    for _ in range(n):
        s.optimizer.step()
        s.step()
    return s.get_last_lr()


def ds(m, n=4):
    return D(m).TensorDataset(m.arange(n * 2.0).reshape(n, 2), m.arange(n))


def batches(m, **kw):
    return [b[1].tolist() for b in D(m).DataLoader(ds(m), **kw)]


def load(m, module, state, strict=True):
    result = module.load_state_dict(state, strict=strict)
    return sorted(result.missing_keys), sorted(result.unexpected_keys)


def backward_twice(m):
    x = t(m, [1., 2.], rg=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def grad_unused(m, **kw):
    x, z = t(m, [1.], rg=True), t(m, [2.], rg=True)
    return m.autograd.grad((x * 2).sum(), [x, z], **kw)


def leaf_inplace(m):
    x = t(m, [1., 2.], rg=True)
    x.add_(1)


def set_requires_grad_nonleaf(m):
    x = t(m, [1.], rg=True)
    (x * 2).requires_grad_(False)


def nonleaf_grad(m):
    x = t(m, [1.], rg=True)
    y = x * 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return y.grad


def lstm(m, seq, **kw):
    m.manual_seed(0)
    return m.nn.LSTM(3, 4, **kw)(m.zeros(seq, 2, 3))[0].shape


def step_with(m, cls, **kw):
    p = m.nn.Parameter(t(m, [1., 2.]))
    o = getattr(m.optim, cls)([p], **kw)
    p.grad = t(m, [0.5, -1.])
    o.step()
    return p.detach()


def set_attr(obj, name, value):
    setattr(obj, name, value)


def hooked(m, hook, on_leaf=True):
    """``x.grad`` after backward through ``(x * 2).sum()`` with ``hook`` on x (or on x * 2)."""
    x = t(m, [1., 2.], rg=True)
    y = x * 2
    (x if on_leaf else y).register_hook(hook)
    y.sum().backward()
    return x.grad


def set_grad(m, value):
    x = t(m, [1., 2., 3.], rg=True)
    x.grad = value
    return x.grad


def bad_module(m):
    class Net(m.nn.Module):
        def __init__(self):
            self.fc = m.nn.Linear(2, 2)  # before super().__init__()

    Net()


def clip_nonfinite(m):
    p = m.nn.Parameter(t(m, [1., 2.]))
    p.grad = t(m, [nan, 1.])
    return m.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def collate_ragged(m):
    class Ragged(D(m).Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return m.zeros(i + 1)

    return next(iter(D(m).DataLoader(Ragged(), batch_size=2)))


def plateau(m, **kw):
    s = m.optim.lr_scheduler.ReduceLROnPlateau(opt(m, "SGD", lr=1.0), **kw)
    for _ in range(3):
        s.step(1.0)
    return s.optimizer.param_groups[0]["lr"]


def sequential(m, milestones):
    o = opt(m, "SGD", lr=0.1)
    S = m.optim.lr_scheduler
    schedulers = [S.ConstantLR(o, factor=0.5, total_iters=2), S.ExponentialLR(o, 0.9)]
    return S.SequentialLR(o, schedulers, milestones)


BIG = 2 ** 63 - 1

# (id, keyword the error must contain, code); the id's prefix is the family.
CASES = [
    # --- shapes -------------------------------------------------------------------------------------
    ("shape/reshape_size", "reshape", lambda m: m.arange(6).reshape(4, 2)),
    ("shape/pad_negative_past_the_size", "pad", lambda m: F(m).pad(m.ones(2), (-3, 0))),
    ("shape/pad_negative_to_empty_ok", "", lambda m: F(m).pad(m.ones(2), (-1, -1))),
    ("shape/setitem_broadcast", "expanded size", lambda m: m.ones(4).__setitem__(slice(0, 2), m.ones(3))),
    ("shape/copy_more_dims", "copy_", lambda m: m.ones(2, 3).copy_(m.ones(2, 1, 3))),
    ("shape/copy_broadcast_ok", "", lambda m: m.zeros(2, 3).copy_(m.arange(3.0))),
    ("shape/view_across_strides", "view size is not compatible", lambda m: m.zeros(2, 3).t().view(6)),
    ("shape/view_after_contiguous_ok", "", lambda m: m.arange(6.0).reshape(2, 3).t().contiguous().view(6)),
    ("shape/reshape_float", "reshape", lambda m: m.arange(6).reshape(2.5, 2)),
    ("shape/reshape_two_inferred", "reshape", lambda m: m.arange(6).reshape(-1, -1)),
    ("shape/reshape_negative", "reshape", lambda m: m.arange(6).reshape(-2, -3)),
    ("shape/reshape_empty_ambiguous", "reshape", lambda m: m.zeros(0).reshape(0, -1)),
    ("shape/reshape_string", "reshape", lambda m: m.arange(6).reshape("6")),
    ("shape/view_size", "view", lambda m: m.arange(6).view(4)),
    ("shape/view_ok", "view", lambda m: m.arange(6).view(3, -1)),
    ("shape/expand_leading_minus1", "expand", lambda m: m.arange(3).expand(-1, 3)),
    ("shape/expand_mismatch", "expand", lambda m: m.arange(3).expand(2)),
    ("shape/expand_fewer_dims", "expand", lambda m: m.zeros(2, 3).expand(3)),
    ("shape/expand_negative", "expand", lambda m: m.zeros(1).expand(-2)),
    ("shape/expand_ok", "expand", lambda m: m.zeros(3, 1).expand(-1, 2)),
    ("shape/broadcast_to_mismatch", "broadcast", lambda m: m.broadcast_to(m.zeros(3), (2, 4))),
    ("shape/add_mismatch", "size", lambda m: m.zeros(2, 3) + m.zeros(4)),
    ("shape/mul_mismatch", "size", lambda m: m.zeros(2, 3) * m.zeros(2)),
    ("shape/add_inplace_grow", "add_", lambda m: m.zeros(3).add_(m.zeros(2, 3))),
    ("shape/where_mismatch", "where", lambda m: m.where(m.zeros(2) > 0, m.zeros(3), m.zeros(3))),
    ("shape/matmul_mismatch", "mat", lambda m: m.zeros(2, 3) @ m.zeros(4, 2)),
    ("shape/matmul_0d", "matmul", lambda m: m.tensor(2.) @ m.zeros(2)),
    ("shape/matmul_vec_mismatch", "matmul", lambda m: m.zeros(3) @ m.zeros(4)),
    ("shape/matmul_batched_mismatch", "matmul", lambda m: m.zeros(2, 2, 3) @ m.zeros(3, 3, 2)),
    ("shape/matmul_empty_inner", "matmul", lambda m: (m.zeros(2, 0) @ m.zeros(0, 3)).tolist()),
    ("shape/cat_0d", "cat", lambda m: m.cat([m.tensor(1.), m.tensor(2.)])),
    ("shape/cat_ndim", "cat", lambda m: m.cat([m.zeros(2, 2), m.zeros(2)])),
    ("shape/cat_sizes", "cat", lambda m: m.cat([m.zeros(2, 2), m.zeros(3, 3)])),
    ("shape/cat_dim_range", "dim", lambda m: m.cat([m.zeros(2), m.zeros(2)], dim=1)),
    ("shape/cat_empty_list", "cat", lambda m: m.cat([])),
    ("shape/cat_not_tensors", "cat", lambda m: m.cat([1, 2])),
    ("shape/cat_legacy_empty", "cat", lambda m: m.cat([m.zeros(0), m.ones(2, 2)])),
    ("shape/cat_dtype_promotes", "cat", lambda m: m.cat([m.zeros(1, dtype=m.int64), m.ones(1)])),
    ("shape/stack_mismatch", "stack", lambda m: m.stack([m.zeros(2), m.zeros(3)])),
    ("shape/stack_empty", "stack", lambda m: m.stack([])),
    ("shape/stack_dim_range", "dim", lambda m: m.stack([m.zeros(2), m.zeros(2)], dim=3)),
    ("shape/chunk_zero", "chunk", lambda m: m.arange(6).chunk(0)),
    ("shape/chunk_negative", "chunk", lambda m: m.arange(6).chunk(-1)),
    ("shape/chunk_0d", "chunk", lambda m: m.tensor(1.).chunk(2)),
    ("shape/chunk_more", "chunk", lambda m: [c.tolist() for c in m.arange(3).chunk(5)]),
    ("shape/split_zero", "split", lambda m: m.arange(3).split(0)),
    ("shape/split_sizes_sum", "split", lambda m: m.arange(3).split([1, 1])),
    ("shape/split_negative_size", "split", lambda m: m.arange(3).split([4, -1])),
    ("shape/split_float", "split", lambda m: m.arange(3).split(1.5)),
    ("shape/flatten_reversed", "flatten", lambda m: m.zeros(2, 3, 4).flatten(2, 1)),
    ("shape/flatten_dim_range", "dim", lambda m: m.zeros(2, 3).flatten(0, 5)),
    ("shape/flatten_0d", "flatten", lambda m: m.tensor(3.).flatten().tolist()),
    ("shape/permute_repeat", "permute", lambda m: m.zeros(2, 3).permute(0, 0)),
    ("shape/permute_count", "permute", lambda m: m.zeros(2, 3).permute(0)),
    ("shape/permute_range", "dim", lambda m: m.zeros(2, 3).permute(0, 2)),
    ("shape/transpose_range", "dim", lambda m: m.zeros(2, 3).transpose(0, 5)),
    ("shape/t_3d", "t()", lambda m: m.zeros(2, 3, 4).t()),
    ("shape/unsqueeze_range", "dim", lambda m: m.zeros(3).unsqueeze(3)),
    ("shape/unsqueeze_end", "unsqueeze", lambda m: m.zeros(3).unsqueeze(-1).shape),
    ("shape/squeeze_range", "dim", lambda m: m.zeros(3).squeeze(2)),
    ("shape/squeeze_not_one", "squeeze", lambda m: m.zeros(3).squeeze(0).shape),
    ("shape/repeat_fewer", "repeat", lambda m: m.zeros(2, 3).repeat(2)),
    ("shape/repeat_negative", "repeat", lambda m: m.zeros(2).repeat(-1)),
    ("shape/len_0d", "len", lambda m: len(m.tensor(1.))),
    ("shape/iter_0d", "iter", lambda m: list(m.tensor(1.))),
    ("shape/mT_1d", "mT", lambda m: m.zeros(3).mT),
    ("shape/sum_dim_range", "dim", lambda m: m.zeros(2, 3).sum(dim=2)),
    ("shape/sum_dim_repeat", "dim", lambda m: m.zeros(2, 3).sum(dim=(0, 0))),
    ("shape/sum_dim_float", "dim", lambda m: m.zeros(2, 3).sum(dim=1.5)),
    ("shape/mean_dim_range", "dim", lambda m: m.zeros(2).mean(dim=-2)),
    ("shape/softmax_dim_range", "dim", lambda m: m.softmax(m.zeros(2, 3), dim=2)),
    ("shape/log_softmax_dim_range", "dim", lambda m: m.log_softmax(m.zeros(2, 3), dim=-3)),
    ("shape/cumsum_dim_range", "dim", lambda m: m.cumsum(m.zeros(2), dim=1)),
    ("shape/argmax_dim_range", "dim", lambda m: m.zeros(2).argmax(dim=1)),
    ("shape/max_dim_range", "dim", lambda m: m.zeros(2).max(dim=1)),
    ("shape/flip_dim_range", "dim", lambda m: m.flip(m.zeros(2), dims=(1,))),
    ("shape/norm_dim_range", "dim", lambda m: m.norm(m.zeros(2), dim=1)),
    ("shape/var_dim_range", "dim", lambda m: m.var(m.zeros(2), dim=3)),
    ("shape/0d_dim0", "sum", lambda m: m.tensor(2.).sum(dim=0).tolist()),
    ("shape/0d_dim1", "dim", lambda m: m.tensor(2.).sum(dim=1)),
    ("shape/einsum_bad", "einsum", lambda m: m.einsum("ij,jk->ik", m.zeros(2, 3), m.zeros(4, 2))),
    ("shape/einsum_count", "einsum", lambda m: m.einsum("ij,jk->ik", m.zeros(2, 3))),
    ("shape/pad_odd", "pad", lambda m: F(m).pad(m.zeros(2, 2), (1,))),
    ("shape/pad_mode", "pad", lambda m: F(m).pad(m.zeros(1, 2, 2), (1, 1), mode="bogus")),
    ("shape/pad_too_many", "pad", lambda m: F(m).pad(m.zeros(2), (1, 1, 1, 1))),
    ("shape/zeros_negative", "negative", lambda m: m.zeros(-1)),
    ("shape/ones_negative", "negative", lambda m: m.ones(2, -3)),
    ("shape/zeros_float", "zeros", lambda m: m.zeros(2.5)),
    ("shape/empty_negative", "negative", lambda m: m.empty(-2)),
    ("shape/full_negative", "negative", lambda m: m.full((-1,), 1.0)),
    ("shape/randn_negative", "negative", lambda m: m.randn(-1)),
    ("shape/rand_negative", "negative", lambda m: m.rand(2, -1)),
    ("shape/randint_negative", "negative", lambda m: m.randint(0, 3, (-1,))),
    ("shape/eye_negative", "eye", lambda m: m.eye(-1)),
    ("shape/linspace_negative_steps", "linspace", lambda m: m.linspace(0, 1, -1)),
    ("shape/linspace_zero_steps", "linspace", lambda m: m.linspace(0, 1, 0).tolist()),
    ("shape/randperm_negative", "randperm", lambda m: m.randperm(-1)),
    ("shape/tensor_ragged", "sequence", lambda m: m.tensor([[1, 2], [3]])),
    ("shape/tensor_ragged_deep", "sequence", lambda m: m.tensor([[[1.]], [2.]])),
    ("shape/numel_shape", "shape", lambda m: list(m.zeros(2, 0, 3).shape)),
    # --- dtypes -------------------------------------------------------------------------------------
    ("dtype/to_float128", "float128", lambda m: m.zeros(2).to("float128")),
    ("dtype/bool_minus_bool", "two bool tensors", lambda m: m.tensor([True]) - m.tensor([False])),
    ("dtype/bool_minus_number", "bool tensor", lambda m: m.tensor([True]) - 1),
    ("dtype/number_minus_bool", "bool tensor", lambda m: 1 - m.tensor([True])),
    ("dtype/int_minus_python_bool", "bool tensor", lambda m: m.tensor([2]) - True),
    ("dtype/bool_sub_inplace", "bool tensor", lambda m: m.tensor([True]).sub_(1)),
    ("dtype/bool_negation", "negation", lambda m: -m.tensor([True])),
    ("dtype/to_bogus", "bogus", lambda m: m.zeros(2).to("bogus")),
    ("dtype/to_int", "device|cuda", lambda m: m.zeros(2).to(5)),
    ("dtype/tensor_str", "str", lambda m: m.tensor("abc")),
    ("dtype/tensor_mixed_str", "str", lambda m: m.tensor([1, "a"])),
    ("dtype/tensor_none", "none", lambda m: m.tensor(None)),
    ("dtype/tensor_dict", "dict", lambda m: m.tensor({"a": 1})),
    ("dtype/tensor_dtype_string", "dtype", lambda m: m.tensor([1.], dtype="float32")),
    ("dtype/tensor_overflow", "overflow", lambda m: m.tensor(2 ** 64)),
    ("dtype/tensor_overflow_list", "overflow", lambda m: m.tensor([1, 2 ** 63])),
    ("dtype/int64_max_item", "item", lambda m: m.tensor(BIG).item()),
    ("dtype/int64_max_int", "int", lambda m: int(m.tensor(BIG))),
    ("dtype/int64_min_item", "item", lambda m: m.tensor(-BIG - 1).item()),
    ("dtype/int64_odd_item", "item", lambda m: m.tensor(2 ** 53 + 1).item()),
    ("dtype/int64_odd_list_item", "item", lambda m: m.tensor([2 ** 53 + 1, 3])[0].item()),
    ("dtype/int64_tolist", "tolist", lambda m: m.tensor([BIG, 2 ** 53 + 1]).tolist()),
    ("dtype/int64_sum_exact", "sum", lambda m: m.tensor([2 ** 53, 1]).sum().item()),
    ("dtype/int64_add_scalar", "add", lambda m: (m.tensor([2 ** 53]) + 1).tolist()),
    ("dtype/int64_index", "index", lambda m: int(m.tensor([2 ** 62 + 1])[0])),
    ("dtype/float_of_int", "float", lambda m: float(m.tensor(BIG))),
    ("dtype/int8_wraps", "add", lambda m: (m.tensor([127], dtype=m.int8) + 1).tolist()),
    ("dtype/uint8_wraps", "sub", lambda m: (m.tensor([0], dtype=m.uint8) - 1).tolist()),
    ("dtype/f16_mean_large", "mean", lambda m: m.ones(70000, dtype=m.float16).mean().item()),
    ("dtype/f16_var_large", "var", lambda m: m.ones(70000, dtype=m.float16).var().item()),
    ("dtype/f16_std_large", "std", lambda m: m.ones(70000, dtype=m.float16).std().item()),
    ("dtype/f16_mean_dim", "mean", lambda m: m.ones(2, 70000, dtype=m.float16).mean(dim=1).tolist()),
    ("dtype/f16_sum_large", "sum", lambda m: m.ones(70000, dtype=m.float16).sum().item()),
    ("dtype/f16_mean_dtype", "mean", lambda m: m.ones(3, dtype=m.float16).mean().dtype),
    ("dtype/f16_var_small", "var", lambda m: m.tensor([1., 2., 4.], dtype=m.float16).var().item()),
    ("dtype/f16_mean_precision", "mean", lambda m: m.full((4096,), 0.1, dtype=m.float16).mean().item()),
    ("dtype/mean_int", "mean", lambda m: m.tensor([1, 2]).mean()),
    ("dtype/var_int", "var", lambda m: m.tensor([1, 2]).var()),
    ("dtype/std_int", "std", lambda m: m.tensor([1, 2]).std()),
    ("dtype/softmax_int", "softmax", lambda m: m.softmax(m.tensor([1, 2]), dim=0)),
    ("dtype/int_floordiv_zero", "zero", lambda m: (m.tensor([5, 3]) // 0).tolist()),
    ("dtype/int_floordiv_zero_tensor", "zero", lambda m: (m.tensor([5, 3]) // m.tensor([1, 0])).tolist()),
    ("dtype/int_mod_zero", "zero", lambda m: (m.tensor([5, 3]) % 0).tolist()),
    ("dtype/int_mod_zero_tensor", "zero", lambda m: (m.tensor([5, 3]) % m.tensor([0, 2])).tolist()),
    ("dtype/int_rfloordiv_zero", "zero", lambda m: (7 // m.tensor([0, 2])).tolist()),
    ("dtype/int_floordiv_ok", "floor", lambda m: (m.tensor([-7, 7]) // 2).tolist()),
    ("dtype/int_mod_negative", "mod", lambda m: (m.tensor([-7, 7]) % 3).tolist()),
    ("dtype/int_truediv_zero", "div", lambda m: (m.tensor([5, 0]) / 0).tolist()),
    ("dtype/float_floordiv_zero", "floor", lambda m: (m.tensor([5., 0.]) // 0).tolist()),
    ("dtype/float_mod_zero", "mod", lambda m: (m.tensor([5., -1.]) % 0).tolist()),
    ("dtype/int_pow_negative", "power", lambda m: (m.tensor([2, 3]) ** -1).tolist()),
    ("dtype/int_pow_zero", "pow", lambda m: (m.tensor([2, 0]) ** 0).tolist()),
    ("dtype/int_pow_float", "pow", lambda m: (m.tensor([4]) ** 0.5).tolist()),
    ("dtype/bool_sub", "bool", lambda m: m.tensor([True]) - m.tensor([False])),
    ("dtype/bool_neg", "bool", lambda m: -m.tensor([True])),
    ("dtype/float_invert", "float", lambda m: ~m.tensor([1.])),
    ("dtype/bool_add", "add", lambda m: (m.tensor([True]) + m.tensor([True])).tolist()),
    ("dtype/int_add_inplace_float", "add_", lambda m: m.tensor([1]).add_(1.5)),
    ("dtype/int_mul_inplace_float_tensor", "mul_", lambda m: m.tensor([1]).mul_(m.tensor([1.5]))),
    ("dtype/int_div_inplace", "div_", lambda m: m.tensor([4]).div_(2)),
    ("dtype/float_add_int_inplace", "add_", lambda m: m.tensor([1.5]).add_(m.tensor([1])).tolist()),
    ("dtype/int_sqrt", "sqrt", lambda m: m.sqrt(m.tensor([4])).tolist()),
    ("dtype/int_exp_dtype", "exp", lambda m: m.exp(m.tensor([0])).dtype),
    ("dtype/int_requires_grad", "floating", lambda m: m.tensor([1, 2], requires_grad=True)),
    ("dtype/int_requires_grad_", "floating", lambda m: m.tensor([1, 2]).requires_grad_()),
    ("dtype/int_parameter", "floating", lambda m: m.nn.Parameter(m.tensor([1, 2]))),
    ("dtype/rand_int", "rand", lambda m: m.rand(2, dtype=m.int64)),
    ("dtype/randn_int", "randn", lambda m: m.randn(2, dtype=m.int64)),
    ("dtype/randint_empty_range", "randint", lambda m: m.randint(5, 5, (2,))),
    ("dtype/randint_reversed", "randint", lambda m: m.randint(5, 1, (2,))),
    ("dtype/full_int_float_fill", "full", lambda m: m.full((2,), 1.7, dtype=m.int64).tolist()),
    ("dtype/arange_int_dtype", "arange", lambda m: m.arange(3).dtype),
    ("dtype/arange_float_dtype", "arange", lambda m: m.arange(0, 1, 0.5).dtype),
    ("dtype/linear_int_input", "dtype|type", lambda m: lin(m)(m.tensor([[1, 2, 3]]))),
    ("dtype/linear_double_input", "dtype|type", lambda m: lin(m)(m.zeros(1, 3, dtype=m.float64))),
    ("dtype/matmul_int_float", "dtype|type", lambda m: m.tensor([[1, 2]]) @ m.ones(2, 1)),
    ("dtype/conv_int", "conv", lambda m: m.nn.Conv2d(1, 1, 1)(m.zeros(1, 1, 2, 2, dtype=m.int64))),
    ("dtype/embedding_float_index", "embedding", lambda m: m.nn.Embedding(3, 2)(m.tensor([0.]))),
    ("dtype/index_float_tensor", "ind", lambda m: m.arange(3)[m.tensor([0.])]),
    ("dtype/index_float", "ind", lambda m: m.arange(3)[1.5]),
    ("dtype/index_str", "ind", lambda m: m.arange(3)["a"]),
    ("dtype/int_of_float_tensor", "int", lambda m: int(m.tensor([2.7]))),
    ("dtype/index_tensor_float_operator", "index", lambda m: [0, 1][m.tensor(1.)]),
    ("dtype/one_hot_float", "one_hot", lambda m: F(m).one_hot(m.tensor([1.]))),
    # --- NaN / Inf ----------------------------------------------------------------------------------
    ("nan/bce_nan", "binary_cross_entropy", lambda m: F(m).binary_cross_entropy(t(m, [nan]), t(m, [0.]))),
    ("nan/bce_above_one", "binary_cross_entropy",
     lambda m: F(m).binary_cross_entropy(t(m, [1.5]), t(m, [1.]))),
    ("nan/bce_below_zero", "binary_cross_entropy",
     lambda m: F(m).binary_cross_entropy(t(m, [-.5]), t(m, [0.]))),
    ("nan/bce_inf", "binary_cross_entropy", lambda m: F(m).binary_cross_entropy(t(m, [inf]), t(m, [0.]))),
    ("nan/bce_module_above_one", "binary_cross_entropy", lambda m: m.nn.BCELoss()(t(m, [2.]), t(m, [1.]))),
    ("nan/bce_edges", "binary_cross_entropy",
     lambda m: F(m).binary_cross_entropy(t(m, [0., 1.]), t(m, [1., 0.]), reduction="none").tolist()),
    ("nan/bce_target_out_of_range", "binary_cross_entropy",
     lambda m: F(m).binary_cross_entropy(t(m, [.5]), t(m, [2.])).item()),
    ("nan/bce_grad_edges", "binary_cross_entropy",
     lambda m: grad(m, lambda x: F(m).binary_cross_entropy(x, t(m, [1., 0.], "float64")), [0., 1.]).tolist()),
    ("nan/bce_logits_nan", "binary_cross_entropy",
     lambda m: F(m).binary_cross_entropy_with_logits(t(m, [nan, inf, -inf]), t(m, [0., 1., 0.]),
                                                     reduction="none").tolist()),
    ("nan/max_nan", "max", lambda m: m.tensor([1., nan, 3.]).max().item()),
    ("nan/min_nan", "min", lambda m: m.tensor([1., nan, 3.]).min().item()),
    ("nan/argmax_nan", "argmax", lambda m: m.tensor([1., nan, 3.]).argmax().item()),
    ("nan/argmin_nan", "argmin", lambda m: m.tensor([1., nan, 3.]).argmin().item()),
    ("nan/max_dim_nan", "max", lambda m: [v.tolist() for v in m.tensor([[1., nan], [2., 1.]]).max(dim=1)]),
    ("nan/amax_nan", "amax", lambda m: m.amax(m.tensor([[1., nan], [2., 1.]]), dim=1).tolist()),
    ("nan/maximum_nan", "maximum", lambda m: m.maximum(t(m, [nan, 1.]), t(m, [0., nan])).tolist()),
    ("nan/clamp_nan", "clamp", lambda m: m.clamp(t(m, [nan, 5.]), 0., 1.).tolist()),
    ("nan/clamp_min_gt_max", "clamp", lambda m: m.clamp(t(m, [-1., 0.5, 2.]), 1., 0.).tolist()),
    ("nan/clamp_none", "clamp", lambda m: m.clamp(t(m, [1.]))),
    ("nan/relu_nan", "relu", lambda m: m.relu(t(m, [nan, -inf, inf])).tolist()),
    ("nan/relu_grad_nan_masked", "relu", lambda m: grad_through(m, m.relu, [-1., 2.], [nan, 1.]).tolist()),
    ("nan/relu_grad_inf_masked", "relu", lambda m: grad_through(m, m.relu, [-1., 0.], [inf, -inf]).tolist()),
    ("nan/relu_grad_at_zero", "relu", lambda m: grad(m, m.relu, [0., -0.]).tolist()),
    ("nan/relu_nan_input_grad", "relu", lambda m: grad(m, m.relu, [nan]).tolist()),
    ("nan/leaky_relu_grad_nan", "leaky_relu",
     lambda m: grad_through(m, F(m).leaky_relu, [-1., 2.], [nan, 1.]).tolist()),
    ("nan/hardtanh_grad_edges", "hardtanh", lambda m: grad(m, F(m).hardtanh, [-1., 1., 0.5, 2.]).tolist()),
    ("nan/hardtanh_module_grad", "hardtanh", lambda m: grad(m, m.nn.Hardtanh(-2., 2.), [-2., 2.]).tolist()),
    ("nan/relu6_grad_edges", "relu6", lambda m: grad(m, F(m).relu6, [0., 6., 3.]).tolist()),
    ("nan/clamp_grad_edges", "clamp",
     lambda m: grad(m, lambda x: m.clamp(x, -1., 1.), [-1., 1., 0.]).tolist()),
    ("nan/abs_grad_zero", "abs", lambda m: grad(m, m.abs, [0.]).tolist()),
    ("nan/sqrt_grad_zero", "sqrt", lambda m: grad(m, m.sqrt, [0.]).tolist()),
    ("nan/norm_grad_zero", "norm", lambda m: grad(m, m.norm, [0., 0.]).tolist()),
    ("nan/max_grad_ties", "max", lambda m: grad(m, lambda x: x.max(), [1., 3., 3.]).tolist()),
    ("nan/amax_grad_ties", "amax", lambda m: grad(m, lambda x: m.amax(x, dim=0), [3., 3., 1.]).tolist()),
    ("nan/std_const_grad", "std", lambda m: grad(m, lambda x: x.std(), [2., 2., 2.]).tolist()),
    ("nan/std_const_value", "std", lambda m: t(m, [2., 2., 2.]).std().item()),
    ("nan/var_one_value", "var", lambda m: t(m, [2.]).var().item()),
    ("nan/var_one_grad", "var", lambda m: grad(m, lambda x: x.var(), [2.]).tolist()),
    ("nan/std_one_grad", "std", lambda m: grad(m, lambda x: x.std(), [2.]).tolist()),
    ("nan/var_one_dim_grad", "var", lambda m: grad(m, lambda x: x.var(dim=1), [[1.], [2.]]).tolist()),
    ("nan/var_unbiased0_one_grad", "var", lambda m: grad(m, lambda x: x.var(correction=0), [2.]).tolist()),
    ("nan/std_zero_dim_grad", "std",
     lambda m: grad(m, lambda x: x.std(dim=1), [[1., 1.], [1., 3.]]).tolist()),
    ("nan/softmax_inf", "softmax", lambda m: m.softmax(t(m, [inf, 1.]), dim=0).tolist()),
    ("nan/softmax_all_neg_inf", "softmax", lambda m: m.softmax(t(m, [-inf, -inf]), dim=0).tolist()),
    ("nan/log_softmax_neg_inf", "log_softmax", lambda m: m.log_softmax(t(m, [-inf, 0.]), dim=0).tolist()),
    ("nan/logsumexp_inf", "logsumexp", lambda m: m.logsumexp(t(m, [inf, 1.]), dim=0).item()),
    ("nan/logsumexp_neg_inf", "logsumexp", lambda m: m.logsumexp(t(m, [-inf, -inf]), dim=0).item()),
    ("nan/log_zero", "log", lambda m: m.log(t(m, [0., -1.])).tolist()),
    ("nan/sigmoid_inf", "sigmoid", lambda m: m.sigmoid(t(m, [inf, -inf, nan])).tolist()),
    ("nan/tanh_inf", "tanh", lambda m: m.tanh(t(m, [inf, -inf])).tolist()),
    ("nan/exp_overflow", "exp", lambda m: m.exp(t(m, [100.])).tolist()),
    ("nan/mse_nan", "mse", lambda m: F(m).mse_loss(t(m, [nan, 1.]), t(m, [0., 1.])).item()),
    ("nan/ce_inf_logit", "cross_entropy",
     lambda m: F(m).cross_entropy(t(m, [[inf, 0.]]), m.tensor([0])).item()),
    ("nan/ce_large_logits", "cross_entropy",
     lambda m: F(m).cross_entropy(t(m, [[1e4, 0.]]), m.tensor([1])).item()),
    ("nan/where_sqrt_grad", "where",
     lambda m: grad(m, lambda x: m.where(x > 0, m.sqrt(x.clamp(min=0)), 0.), [-1., 4.]).tolist()),
    ("nan/clip_nonfinite", "non-finite|nonfinite", clip_nonfinite),
    ("nan/isfinite", "isfinite", lambda m: m.isfinite(t(m, [nan, inf, 1.])).tolist()),
    ("nan/sign_nan", "sign", lambda m: m.sign(t(m, [nan, -0.])).tolist()),
    ("nan/arange_nan", "arange", lambda m: m.arange(0, nan)),
    ("nan/arange_inf", "arange", lambda m: m.arange(0, inf)),
    ("nan/full_nan", "full", lambda m: m.full((2,), nan).tolist()),
    ("nan/int_tensor_nan", "nan", lambda m: m.tensor([nan], dtype=m.int64)),
    ("nan/batchnorm_nan", "batch_norm", lambda m: m.nn.BatchNorm1d(1)(t(m, [[nan], [1.]])).tolist()),
    ("nan/dropout_nan", "dropout", lambda m: F(m).dropout(t(m, [nan]), 0.0).tolist()),
    ("nan/sum_inf_minus_inf", "sum", lambda m: t(m, [inf, -inf]).sum().item()),
    ("nan/prod_inf_zero", "prod", lambda m: t(m, [inf, 0.]).prod().item()),
    ("nan/cumsum_nan", "cumsum", lambda m: m.cumsum(t(m, [1., nan, 1.]), dim=0).tolist()),
    # float64: PyTorch's float32 kernel gives gelu(inf) = NaN, its float64 one (and the maths) inf
    ("nan/gelu_inf", "gelu", lambda m: F(m).gelu(t(m, [inf, -inf], "float64")).tolist()),
    ("nan/softplus_inf", "softplus", lambda m: F(m).softplus(t(m, [inf, -inf])).tolist()),
    ("nan/item_nan", "item", lambda m: t(m, [nan]).item()),
    ("nan/int_nan", "int", lambda m: int(t(m, [nan]))),
    # --- empty tensors ------------------------------------------------------------------------------
    ("empty/sum", "sum", lambda m: m.zeros(0).sum().item()),
    ("empty/mean", "mean", lambda m: m.zeros(0).mean().item()),
    ("empty/mean_dim", "mean", lambda m: m.zeros(2, 0).mean(dim=1).tolist()),
    ("empty/prod", "prod", lambda m: m.zeros(0).prod().item()),
    ("empty/max", "max", lambda m: m.zeros(0).max()),
    ("empty/min", "min", lambda m: m.zeros(0).min()),
    ("empty/argmax", "argmax", lambda m: m.zeros(0).argmax()),
    ("empty/argmin", "argmin", lambda m: m.zeros(0).argmin()),
    ("empty/max_dim", "max", lambda m: m.zeros(0, 2).max(dim=0)),
    ("empty/max_other_dim", "max", lambda m: m.zeros(0, 2).max(dim=1)[0].tolist()),
    ("empty/amax", "amax", lambda m: m.amax(m.zeros(0), dim=0)),
    ("empty/amin", "amin", lambda m: m.amin(m.zeros(0, 3), dim=0)),
    ("empty/var", "var", lambda m: m.zeros(0).var().item()),
    ("empty/std", "std", lambda m: m.zeros(0).std().item()),
    ("empty/logsumexp", "logsumexp", lambda m: m.logsumexp(m.zeros(0), dim=0).item()),
    ("empty/norm", "norm", lambda m: m.norm(m.zeros(0)).item()),
    ("empty/softmax", "softmax", lambda m: m.softmax(m.zeros(0), dim=0).tolist()),
    ("empty/cumsum", "cumsum", lambda m: m.cumsum(m.zeros(0), dim=0).tolist()),
    ("empty/cat", "cat", lambda m: m.cat([m.zeros(0), t(m, [1., 2.])]).tolist()),
    ("empty/stack", "stack", lambda m: m.stack([m.zeros(0), m.zeros(0)]).shape),
    ("empty/item", "element", lambda m: m.zeros(0).item()),
    ("empty/bool", "ambiguous|no values", lambda m: bool(m.zeros(0))),
    ("empty/index", "index", lambda m: m.zeros(0)[0]),
    ("empty/linear", "linear", lambda m: list(lin(m)(m.zeros(0, 3)).shape)),
    ("empty/linear_grad", "linear", lambda m: lin(m)(m.zeros(0, 3)).sum().backward()),
    ("empty/ce", "cross_entropy",
     lambda m: F(m).cross_entropy(m.zeros(0, 3), m.zeros(0, dtype=m.int64)).item()),
    ("empty/ce_sum", "cross_entropy",
     lambda m: F(m).cross_entropy(m.zeros(0, 3), m.zeros(0, dtype=m.int64), reduction="sum").item()),
    ("empty/mse", "mse", lambda m: F(m).mse_loss(m.zeros(0), m.zeros(0)).item()),
    ("empty/bce", "binary_cross_entropy", lambda m: F(m).binary_cross_entropy(m.zeros(0), m.zeros(0)).item()),
    ("empty/l1", "l1", lambda m: F(m).l1_loss(m.zeros(0), m.zeros(0)).item()),
    ("empty/ce_all_ignored", "cross_entropy",
     lambda m: F(m).cross_entropy(m.zeros(2, 3), m.tensor([-100, -100])).item()),
    ("empty/lstm_seq0", "seq|length", lambda m: lstm(m, 0)),
    ("empty/gru_seq0", "seq|length", lambda m: m.nn.GRU(3, 4)(m.zeros(0, 2, 3))),
    ("empty/rnn_seq0", "seq|length", lambda m: m.nn.RNN(3, 4)(m.zeros(0, 2, 3))),
    ("empty/lstm_batch0", "lstm", lambda m: lstm(m, 2, batch_first=False)),
    ("empty/batchnorm_batch0", "batch_norm|batchnorm|value per channel",
     lambda m: m.nn.BatchNorm1d(3)(m.zeros(0, 3)).shape),
    ("empty/batchnorm_batch1", "value per channel", lambda m: m.nn.BatchNorm1d(3)(m.zeros(1, 3))),
    ("empty/layernorm", "layer_norm", lambda m: m.nn.LayerNorm(3)(m.zeros(0, 3)).shape),
    ("empty/conv", "conv", lambda m: m.nn.Conv2d(1, 1, 1)(m.zeros(0, 1, 2, 2)).shape),
    ("empty/embedding", "embedding",
     lambda m: m.nn.Embedding(3, 2)(m.zeros(0, dtype=m.int64)).shape),
    ("empty/matmul_zero_rows", "matmul", lambda m: (m.zeros(0, 2) @ m.zeros(2, 3)).shape),
    ("empty/reshape_zero", "reshape", lambda m: m.zeros(0, 3).reshape(3, 0).shape),
    ("empty/sum_grad", "sum", lambda m: grad(m, lambda x: x.sum(), []).tolist()),
    ("empty/mean_grad", "mean", lambda m: grad(m, lambda x: x.mean(), []).tolist()),
    ("empty/gather", "gather", lambda m: m.gather(m.zeros(3), 0, m.zeros(0, dtype=m.int64)).tolist()),
    ("empty/index_select", "index_select",
     lambda m: m.index_select(m.zeros(3), 0, m.zeros(0, dtype=m.int64)).tolist()),
    ("empty/dataloader", "dataloader", lambda m: list(D(m).DataLoader(D(m).TensorDataset(m.zeros(0, 2))))),
    ("empty/randperm0", "randperm", lambda m: m.randperm(0).tolist()),
    ("empty/chunk", "chunk", lambda m: len(m.zeros(0).chunk(2))),
    ("empty/split", "split", lambda m: len(m.zeros(0).split(0))),
    ("empty/one_hot", "one_hot", lambda m: F(m).one_hot(m.zeros(0, dtype=m.int64))),
    ("empty/one_hot_num", "one_hot", lambda m: F(m).one_hot(m.zeros(0, dtype=m.int64), 3).shape),
    ("empty/median_like_sort", "topk|sort|argmax", lambda m: m.zeros(0, 3).argmax(dim=1).tolist()),
    # --- indices and dims ---------------------------------------------------------------------------
    ("index/gather_minus1", "gather", lambda m: m.gather(t(m, [1., 2., 3.]), 0, m.tensor([-1]))),
    ("index/masked_fill_int_with_float_ok", "",
     lambda m: m.tensor([-1, 2]).masked_fill(m.tensor([True, False]), -2.7)),
    ("index/masked_fill_bool_with_float_ok", "",
     lambda m: m.tensor([True, False]).masked_fill(m.tensor([True, True]), 0.0)),
    ("index/masked_fill_int_mask", "boolean", lambda m: m.ones(2).masked_fill(m.tensor([1, 0]), 3.0)),
    ("index/float_tensor_index", "used as indices", lambda m: m.arange(3.0)[t(m, [0.0])]),
    ("index/float_0d_tensor_index", "used as indices", lambda m: m.arange(3.0)[t(m, 1.0)]),
    ("index/float_list_index_ok", "", lambda m: m.arange(3.0)[[1.7, 0.2]]),
    ("index/empty_list_index_ok", "", lambda m: m.arange(3.0)[[]]),
    ("index/gather_too_big", "gather", lambda m: m.gather(t(m, [1., 2., 3.]), 0, m.tensor([3]))),
    ("index/gather_2d_minus1", "gather", lambda m: m.gather(m.zeros(2, 2), 1, m.tensor([[0], [-1]]))),
    ("index/gather_float", "gather", lambda m: m.gather(t(m, [1., 2.]), 0, t(m, [0.]))),
    ("index/gather_ndim", "gather", lambda m: m.gather(m.zeros(2, 2), 1, m.tensor([0]))),
    ("index/gather_dim_range", "dim", lambda m: m.gather(m.zeros(2), 1, m.tensor([0]))),
    ("index/gather_size", "gather", lambda m: m.gather(m.zeros(2, 2), 1, m.tensor([[0], [0], [0]]))),
    ("index/gather_ok", "gather",
     lambda m: m.gather(t(m, [[1., 2.], [3., 4.]]), 1, m.tensor([[1], [0]])).tolist()),
    ("index/index_select_minus1", "index_select",
     lambda m: m.index_select(t(m, [1., 2., 3.]), 0, m.tensor([-1]))),
    ("index/index_select_too_big", "index_select",
     lambda m: m.index_select(t(m, [1., 2.]), 0, m.tensor([2]))),
    ("index/index_select_2d", "index_select",
     lambda m: m.index_select(t(m, [1., 2.]), 0, m.tensor([[0, 1]]))),
    ("index/index_select_float", "index_select", lambda m: m.index_select(t(m, [1., 2.]), 0, t(m, [0.]))),
    ("index/index_select_dim", "dim", lambda m: m.index_select(t(m, [1., 2.]), 1, m.tensor([0]))),
    ("index/index_select_0d", "index_select",
     lambda m: m.index_select(t(m, [1., 2.]), 0, m.tensor(1)).tolist()),
    ("index/getitem_out", "index", lambda m: m.arange(3)[5]),
    ("index/getitem_negative_out", "index", lambda m: m.arange(3)[-4]),
    ("index/getitem_too_many", "indices|index", lambda m: m.arange(3)[0, 0]),
    ("index/getitem_tensor_out", "index", lambda m: m.arange(3)[m.tensor([5])]),
    ("index/getitem_tensor_negative", "index", lambda m: m.arange(3)[m.tensor([-1])].tolist()),
    ("index/getitem_tensor_negative_out", "index", lambda m: m.arange(3)[m.tensor([-4])]),
    ("index/getitem_mask_shape", "mask", lambda m: m.arange(3)[m.tensor([True, False])]),
    ("index/getitem_mask_2d", "mask", lambda m: m.zeros(2, 2)[m.tensor([True, False, True])]),
    ("index/getitem_list_out", "index", lambda m: m.arange(3)[[0, 3]]),
    ("index/getitem_slice_out", "slice", lambda m: m.arange(3)[5:].tolist()),
    ("index/getitem_step_zero", "step", lambda m: m.arange(3)[::0]),
    ("index/getitem_step_negative", "step", lambda m: m.arange(3)[::-1]),
    ("index/getitem_ellipsis_twice", "ellipsis", lambda m: m.zeros(2, 2)[..., ...]),
    ("index/getitem_none", "index", lambda m: m.arange(3)[None].shape),
    ("index/getitem_0d", "index", lambda m: m.tensor(1.)[0]),
    ("index/setitem_out", "index", lambda m: m.arange(3).__setitem__(3, 1)),
    ("index/setitem_shape", "shape|size", lambda m: m.zeros(3).__setitem__(slice(0, 2), m.ones(3))),
    ("index/setitem_mask_shape", "mask", lambda m: m.zeros(3).__setitem__(m.tensor([True]), 1.)),
    ("index/embedding_out", "index", lambda m: m.nn.Embedding(3, 2)(m.tensor([3]))),
    ("index/embedding_negative", "index", lambda m: m.nn.Embedding(3, 2)(m.tensor([-1]))),
    ("index/embedding_padding_out", "padding_idx", lambda m: m.nn.Embedding(3, 2, padding_idx=3)),
    ("index/embedding_padding_neg", "padding_idx", lambda m: m.nn.Embedding(3, 2, padding_idx=-4)),
    ("index/one_hot_negative", "one_hot|class", lambda m: F(m).one_hot(m.tensor([-1]), 3)),
    ("index/one_hot_too_big", "one_hot|class", lambda m: F(m).one_hot(m.tensor([3]), 3)),
    ("index/ce_target_out", "target", lambda m: F(m).cross_entropy(m.zeros(2, 3), m.tensor([0, 3]))),
    ("index/ce_target_negative", "target", lambda m: F(m).cross_entropy(m.zeros(2, 3), m.tensor([0, -1]))),
    ("index/nll_target_out", "target", lambda m: F(m).nll_loss(m.zeros(2, 3), m.tensor([0, 5]))),
    ("index/ce_ignore_index_out", "cross_entropy",
     lambda m: F(m).cross_entropy(m.zeros(2, 3), m.tensor([0, 7]), ignore_index=7).item()),
    ("index/topk_like_argmax", "argmax", lambda m: m.argmax(t(m, [[1., 2.]]), dim=-1).tolist()),
    ("index/index_int_tensor_2d", "index", lambda m: m.arange(3)[m.tensor([[0, 2]])].tolist()),
    ("index/getitem_bool_scalar", "index", lambda m: m.arange(3)[True].shape),
    # --- autograd misuse ----------------------------------------------------------------------------
    ("autograd/backward_nonscalar", "scalar", lambda m: (t(m, [1., 2.], rg=True) * 2).backward()),
    ("autograd/backward_twice", "second time|retain_graph", backward_twice),
    ("autograd/backward_no_grad", "grad", lambda m: t(m, [1.]).sum().backward()),
    ("autograd/backward_in_no_grad", "grad", lambda m: _in_no_grad(m)),
    ("autograd/backward_detached", "grad", lambda m: t(m, [1.], rg=True).detach().sum().backward()),
    ("autograd/backward_gradient_shape", "shape",
     lambda m: (t(m, [1., 2.], rg=True) * 2).backward(m.ones(3))),
    ("autograd/backward_gradient_int", "gradient|grad",
     lambda m: (t(m, [1., 2.], rg=True) * 2).backward(m.tensor([1, 1]))),
    ("autograd/backward_gradient_list", "gradient|grad|tensor",
     lambda m: (t(m, [1., 2.], rg=True) * 2).backward([1., 1.])),
    ("autograd/grad_unused", "used", lambda m: grad_unused(m)),
    ("autograd/grad_unused_allowed", "used",
     lambda m: [g is None for g in grad_unused(m, allow_unused=True)]),
    ("autograd/grad_no_requires", "grad", lambda m: m.autograd.grad(t(m, [1.], rg=True).sum(), [t(m, [1.])])),
    ("autograd/grad_nonscalar", "scalar", lambda m: m.autograd.grad(t(m, [1., 2.], rg=True) * 2,
                                                                   [t(m, [1.], rg=True)])),
    ("autograd/grad_output_no_grad", "grad",
     lambda m: m.autograd.grad(t(m, [1.]).sum(), [t(m, [1.], rg=True)])),
    ("autograd/leaf_inplace", "leaf", leaf_inplace),
    ("autograd/leaf_setitem", "leaf", lambda m: t(m, [1., 2.], rg=True).__setitem__(0, 5.)),
    ("autograd/leaf_inplace_no_grad", "leaf", lambda m: _inplace_no_grad(m)),
    ("autograd/nonleaf_requires_grad_false", "leaf", set_requires_grad_nonleaf),
    ("autograd/nonleaf_grad_none", "grad", lambda m: nonleaf_grad(m) is None),
    ("autograd/numpy_requires_grad", "numpy", lambda m: t(m, [1.], rg=True).numpy()),
    ("autograd/item_multi", "item|element", lambda m: t(m, [1., 2.]).item()),
    ("autograd/bool_multi", "ambiguous", lambda m: bool(t(m, [1., 2.]))),
    ("autograd/float_multi", "element|scalar|convert", lambda m: float(t(m, [1., 2.]))),
    ("autograd/int_multi", "element|scalar|convert", lambda m: int(t(m, [1., 2.]))),
    ("autograd/hook_no_grad", "hook", lambda m: t(m, [1.]).register_hook(lambda g: g)),
    ("autograd/hook_returns_str", "hook", lambda m: hooked(m, lambda g: "a")),
    ("autograd/hook_wrong_shape", "hook", lambda m: hooked(m, lambda g: m.ones(3))),
    ("autograd/hook_wrong_shape_nonleaf", "hook", lambda m: hooked(m, lambda g: m.ones(3), on_leaf=False)),
    ("autograd/hook_wrong_dtype", "hook", lambda m: hooked(m, lambda g: g.double())),
    ("autograd/hook_returns_none", "hook", lambda m: hooked(m, lambda g: None)),
    ("autograd/hook_scales", "hook", lambda m: hooked(m, lambda g: g * 3, on_leaf=False)),
    ("autograd/grad_set_wrong_shape", "size|shape", lambda m: set_grad(m, m.ones(4))),
    ("autograd/grad_set_wrong_dtype", "type", lambda m: set_grad(m, m.ones(3, dtype=m.float64))),
    ("autograd/grad_set_list", "tensor", lambda m: set_grad(m, [1., 2., 3.])),
    ("autograd/grad_set_ok", "grad", lambda m: set_grad(m, m.ones(3))),
    ("autograd/retain_grad_no_grad", "retain_grad|grad", lambda m: t(m, [1.]).retain_grad()),
    ("autograd/detach_inplace_view", "detach_", lambda m: t(m, [1., 2.], rg=True)[:1].detach_()),
    ("autograd/grad_of_int_output", "grad", lambda m: m.tensor([1, 2]).sum().backward()),
    ("autograd/requires_grad_string", "requires_grad",
     lambda m: t(m, [1.]).requires_grad_("yes").requires_grad),
    ("autograd/saved_modified", "modified|version", lambda m: _saved_modified(m)),
    ("autograd/double_backward_no_graph", "second time|retain_graph|grad", lambda m: _double_backward(m)),
    ("autograd/grad_outputs_shape", "shape", lambda m: _grad_outputs_shape(m)),
    ("autograd/grad_empty_inputs", "grad|input", lambda m: m.autograd.grad(t(m, [1.], rg=True).sum(), [])),
    ("autograd/backward_inputs_empty", "inputs", lambda m: t(m, [1.], rg=True).sum().backward(inputs=[])),
    # --- optimizers ---------------------------------------------------------------------------------
    ("optim/sgd_lr_negative", "learning rate|lr", lambda m: opt(m, "SGD", lr=-1.)),
    ("optim/sgd_momentum_negative", "momentum", lambda m: opt(m, "SGD", lr=.1, momentum=-.5)),
    ("optim/sgd_weight_decay_negative", "weight_decay", lambda m: opt(m, "SGD", lr=.1, weight_decay=-1.)),
    ("optim/sgd_nesterov_no_momentum", "nesterov", lambda m: opt(m, "SGD", lr=.1, nesterov=True)),
    ("optim/sgd_nesterov_dampening", "nesterov",
     lambda m: opt(m, "SGD", lr=.1, momentum=.9, dampening=.1, nesterov=True)),
    ("optim/sgd_empty", "empty", lambda m: m.optim.SGD([], lr=.1)),
    ("optim/sgd_tensor_params", "iterable", lambda m: m.optim.SGD(m.nn.Parameter(m.ones(2)), lr=.1)),
    ("optim/sgd_duplicate_groups", "more than one", lambda m: _duplicate_groups(m)),
    ("optim/sgd_nonleaf", "leaf", lambda m: m.optim.SGD([m.nn.Parameter(m.ones(1)) * 2], lr=.1)),
    ("optim/sgd_group_no_params", "params", lambda m: m.optim.SGD([{"lr": .1}], lr=.1)),
    ("optim/sgd_step", "step", lambda m: step_with(m, "SGD", lr=.1, momentum=.9).tolist()),
    ("optim/adam_beta0", "beta", lambda m: opt(m, "Adam", betas=(1.0, .999))),
    ("optim/adam_beta1", "beta", lambda m: opt(m, "Adam", betas=(.9, -.1))),
    ("optim/adam_eps", "epsilon|eps", lambda m: opt(m, "Adam", eps=-1.)),
    ("optim/adam_lr", "learning rate|lr", lambda m: opt(m, "Adam", lr=-.1)),
    ("optim/adam_wd", "weight_decay", lambda m: opt(m, "Adam", weight_decay=-.1)),
    ("optim/adam_step", "step", lambda m: step_with(m, "Adam", lr=.1).tolist()),
    ("optim/adamw_lr", "learning rate|lr", lambda m: opt(m, "AdamW", lr=-.1)),
    ("optim/adamw_beta", "beta", lambda m: opt(m, "AdamW", betas=(.9, 1.5))),
    ("optim/adamw_step", "step", lambda m: step_with(m, "AdamW", lr=.1).tolist()),
    ("optim/rmsprop_alpha", "alpha", lambda m: opt(m, "RMSprop", alpha=-1.)),
    ("optim/rmsprop_momentum", "momentum", lambda m: opt(m, "RMSprop", momentum=-1.)),
    ("optim/rmsprop_eps", "epsilon|eps", lambda m: opt(m, "RMSprop", eps=-1.)),
    ("optim/adagrad_lr_decay", "lr_decay", lambda m: opt(m, "Adagrad", lr_decay=-1.)),
    ("optim/adagrad_init_acc", "initial_accumulator_value|accumulator",
     lambda m: opt(m, "Adagrad", initial_accumulator_value=-1.)),
    ("optim/adadelta_rho", "rho", lambda m: opt(m, "Adadelta", rho=1.5)),
    ("optim/adamax_beta", "beta", lambda m: opt(m, "Adamax", betas=(1.5, .9))),
    ("optim/step_no_grads", "step", lambda m: _step_no_grad(m)),
    ("optim/add_param_group_dup", "more than one|some parameters", lambda m: _add_group_dup(m)),
    ("optim/lr_string", "lr|learning rate", lambda m: opt(m, "SGD", lr="0.1")),
    # --- schedulers ---------------------------------------------------------------------------------
    ("sched/not_optimizer", "optimizer", lambda m: m.optim.lr_scheduler.StepLR("sgd", 2)),
    ("sched/multistep_unsorted", "milestones|increasing",
     lambda m: steps(sched(m, "MultiStepLR", [3, 1]), 4)),
    ("sched/lambda_count", "lr_lambda", lambda m: sched(m, "LambdaLR", [lambda e: 1., lambda e: 1.])),
    ("sched/plateau_factor", "factor", lambda m: plateau(m, factor=1.0)),
    ("sched/plateau_mode", "mode", lambda m: plateau(m, mode="bogus")),
    ("sched/plateau_threshold_mode", "threshold", lambda m: plateau(m, threshold_mode="bogus")),
    ("sched/plateau_ok", "plateau", lambda m: plateau(m, patience=0, factor=0.5)),
    ("sched/onecycle_no_total", "total_steps", lambda m: sched(m, "OneCycleLR", max_lr=1.)),
    ("sched/onecycle_total_zero", "total_steps", lambda m: sched(m, "OneCycleLR", max_lr=1., total_steps=0)),
    ("sched/onecycle_past_end", "step", lambda m: steps(sched(m, "OneCycleLR", max_lr=1., total_steps=3), 4)),
    ("sched/onecycle_pct", "pct_start",
     lambda m: sched(m, "OneCycleLR", max_lr=1., total_steps=3, pct_start=2.)),
    ("sched/onecycle_anneal", "anneal", lambda m: sched(m, "OneCycleLR", max_lr=1., total_steps=3,
                                                        anneal_strategy="bogus")),
    ("sched/onecycle_epochs_zero", "epochs", lambda m: sched(m, "OneCycleLR", max_lr=1., epochs=0,
                                                           steps_per_epoch=2)),
    ("sched/warm_restarts_t0", "T_0", lambda m: sched(m, "CosineAnnealingWarmRestarts", 0)),
    ("sched/warm_restarts_tmult", "T_mult", lambda m: sched(m, "CosineAnnealingWarmRestarts", 2, T_mult=0)),
    ("sched/warm_restarts_float_t0", "T_0", lambda m: sched(m, "CosineAnnealingWarmRestarts", 2.5)),
    ("sched/linear_start_zero", "factor", lambda m: sched(m, "LinearLR", start_factor=0.)),
    ("sched/linear_end_big", "factor", lambda m: sched(m, "LinearLR", end_factor=1.5)),
    ("sched/constant_factor", "factor", lambda m: sched(m, "ConstantLR", factor=1.5)),
    ("sched/sequential_milestones", "milestone", lambda m: sequential(m, [1, 2])),
    ("sched/sequential_ok", "sequential", lambda m: steps(sequential(m, [1]), 3)),
    ("sched/cyclic_mode", "mode", lambda m: sched(m, "CyclicLR", .01, .1, mode="bogus")),
    ("sched/cosine_tmax_zero", "T_max", lambda m: steps(sched(m, "CosineAnnealingLR", 0), 2)),
    ("sched/step_size_zero", "step_size", lambda m: steps(sched(m, "StepLR", 0), 2)),
    ("sched/step_ok", "step", lambda m: steps(sched(m, "StepLR", 2, gamma=.5), 5)),
    ("sched/exponential_ok", "exponential", lambda m: steps(sched(m, "ExponentialLR", .5), 2)),
    ("sched/polynomial_ok", "polynomial", lambda m: steps(sched(m, "PolynomialLR", total_iters=2), 4)),
    ("sched/last_epoch_no_initial", "initial_lr", lambda m: sched(m, "StepLR", 2, last_epoch=3)),
    ("sched/chained_different_optimizers", "optimizer", lambda m: m.optim.lr_scheduler.ChainedScheduler(
        [sched(m, "StepLR", 2), sched(m, "StepLR", 2)])),
    ("sched/multiplicative_count", "lr_lambda", lambda m: sched(m, "MultiplicativeLR", [lambda e: .9] * 2)),
    # --- data ---------------------------------------------------------------------------------------
    ("data/batch_size_zero", "batch_size", lambda m: D(m).DataLoader(ds(m), batch_size=0)),
    ("data/batch_size_negative", "batch_size", lambda m: D(m).DataLoader(ds(m), batch_size=-1)),
    ("data/batch_size_float", "batch_size", lambda m: D(m).DataLoader(ds(m), batch_size=1.5)),
    ("data/num_workers_negative", "num_workers", lambda m: D(m).DataLoader(ds(m), num_workers=-1)),
    ("data/shuffle_and_sampler", "sampler", lambda m: D(m).DataLoader(ds(m), shuffle=True,
                                                                      sampler=D(m).SequentialSampler(ds(m)))),
    ("data/batch_sampler_and_batch_size", "batch_sampler", lambda m: D(m).DataLoader(
        ds(m), batch_size=2, batch_sampler=D(m).BatchSampler(D(m).SequentialSampler(ds(m)), 2, False))),
    ("data/batch_sampler_and_drop_last", "batch_sampler", lambda m: D(m).DataLoader(
        ds(m), batch_size=None, drop_last=True, batch_sampler=D(m).BatchSampler(range(4), 2, False))),
    ("data/timeout_negative", "timeout", lambda m: D(m).DataLoader(ds(m), timeout=-1)),
    ("data/prefetch_no_workers", "prefetch_factor", lambda m: D(m).DataLoader(ds(m), prefetch_factor=2)),
    ("data/drop_last", "drop_last", lambda m: batches(m, batch_size=3, drop_last=True)),
    ("data/batch_bigger", "batch", lambda m: batches(m, batch_size=10)),
    ("data/batch_none", "batch", lambda m: batches(m, batch_size=None)),
    ("data/tensor_dataset_mismatch", "size mismatch", lambda m: D(m).TensorDataset(m.zeros(3), m.zeros(4))),
    ("data/tensor_dataset_index_out", "index", lambda m: ds(m)[4]),
    ("data/random_split_sum", "lengths|length", lambda m: D(m).random_split(ds(m), [1, 2])),
    ("data/random_split_fractions", "sum", lambda m: D(m).random_split(ds(m), [0.5, 0.6])),
    ("data/random_split_ok", "split", lambda m: [len(s) for s in D(m).random_split(ds(m), [0.5, 0.5])]),
    ("data/subset_out", "index", lambda m: D(m).Subset(ds(m), [7])[0]),
    ("data/batch_sampler_size_zero", "batch_size", lambda m: D(m).BatchSampler(range(4), 0, False)),
    ("data/batch_sampler_drop_last_str", "drop_last", lambda m: D(m).BatchSampler(range(4), 2, "no")),
    ("data/random_sampler_num_samples", "num_samples", lambda m: D(m).RandomSampler(range(4), num_samples=0)),
    ("data/random_sampler_replacement", "replacement", lambda m: D(m).RandomSampler(range(4), replacement=1)),
    ("data/collate_ragged", "stack|size|collate", collate_ragged),
    ("data/concat_empty", "concat|empty|iterable", lambda m: D(m).ConcatDataset([])),
    ("data/concat_index_out", "index|range", lambda m: D(m).ConcatDataset([ds(m), ds(m)])[8]),
    ("data/concat_negative_index", "index|range", lambda m: D(m).ConcatDataset([ds(m), ds(m)])[-1][1].item()),
    ("data/concat_too_negative", "index|range|length", lambda m: D(m).ConcatDataset([ds(m)])[-9]),
    ("data/len_iterable_sampler", "len", lambda m: len(D(m).DataLoader(ds(m), batch_size=3))),
    ("data/distributed_rank_out", "rank", lambda m: D(m).DistributedSampler(ds(m), num_replicas=2, rank=2)),
    ("data/distributed_rank_negative", "rank",
     lambda m: D(m).DistributedSampler(ds(m), num_replicas=2, rank=-1)),
    # --- state dicts --------------------------------------------------------------------------------
    ("state/missing_key", "missing", lambda m: lin(m).load_state_dict({"weight": m.zeros(2, 3)})),
    ("state/unexpected_key", "unexpected",
     lambda m: lin(m).load_state_dict({**lin(m).state_dict(), "extra": m.zeros(1)})),
    ("state/size_mismatch", "size mismatch|shape",
     lambda m: lin(m).load_state_dict({"weight": m.zeros(3, 3), "bias": m.zeros(2)})),
    ("state/not_mapping", "dict|mapping", lambda m: lin(m).load_state_dict([("weight", m.zeros(2, 3))])),
    ("state/list_value", "weight",
     lambda m: lin(m).load_state_dict({"weight": [[0.] * 3] * 2, "bias": m.zeros(2)})),
    ("state/strict_false", "missing",
     lambda m: load(m, lin(m), {"weight": m.zeros(2, 3), "x": m.zeros(1)}, False)),
    ("state/strict_false_size", "size mismatch|shape",
     lambda m: load(m, lin(m), {"weight": m.zeros(3, 3)}, False)),
    ("state/dtype_cast", "dtype",
     lambda m: _loaded_dtype(m, {"weight": m.zeros(2, 3, dtype=m.float64), "bias": m.zeros(2)})),
    ("state/int_values", "dtype",
     lambda m: _loaded_dtype(m, {"weight": m.zeros(2, 3, dtype=m.int64), "bias": m.zeros(2)})),
    ("state/nested_missing", "missing",
     lambda m: m.nn.Sequential(lin(m), m.nn.ReLU()).load_state_dict({"weight": m.zeros(2, 3)})),
    ("state/buffers_missing", "missing", lambda m: m.nn.BatchNorm1d(2).load_state_dict(
        {"weight": m.ones(2), "bias": m.zeros(2)})),
    ("state/optim_groups", "group", lambda m: opt(m, "SGD", lr=.1).load_state_dict(
        {"state": {}, "param_groups": []})),
    ("state/optim_group_size", "size|group|parameters", lambda m: _optim_group_size(m)),
    ("state/scheduler_roundtrip", "state", lambda m: _sched_roundtrip(m)),
    # --- layer constructors and layer inputs --------------------------------------------------------
    ("layer/linear_negative", "negative", lambda m: m.nn.Linear(-1, 3)),
    ("layer/linear_float", "linear|int", lambda m: m.nn.Linear(3.5, 2)),
    ("layer/linear_zero_in", "linear", lambda m: m.nn.Linear(0, 2)(m.zeros(1, 0)).tolist()),
    ("layer/linear_wrong_in", "linear", lambda m: lin(m)(m.zeros(2, 5))),
    ("layer/linear_image", "flatten", lambda m: lin(m, 12)(m.zeros(2, 1, 3, 4))),
    # a layer's shape error names the layer (its repr) and suggests the likely fix
    ("layer/linear_image_names_layer", "Linear(in_features=12, out_features=2",
     lambda m: lin(m, 12)(m.zeros(2, 1, 3, 4))),
    ("layer/linear_image_other_size", "flatten", lambda m: lin(m, 784)(m.zeros(2, 1, 28, 29))),
    ("layer/linear_in_names_layer", "Linear(in_features=3, out_features=2", lambda m: lin(m)(m.zeros(2, 5))),
    ("layer/conv_channels_names_layer", "Conv2d(3, 4, kernel_size=(1, 1)",
     lambda m: m.nn.Conv2d(3, 4, 1)(m.zeros(1, 2, 5, 5))),
    ("layer/conv_flat_input", "unflatten", lambda m: m.nn.Conv2d(1, 4, 3)(m.zeros(2, 784))),
    ("layer/conv_transpose_channels", "ConvTranspose2d(3, 4",
     lambda m: m.nn.ConvTranspose2d(3, 4, 3)(m.zeros(1, 2, 5, 5))),
    ("layer/lstm_input_names_layer", "LSTM", lambda m: m.nn.LSTM(3, 4)(m.zeros(2, 1, 5))),
    ("layer/batchnorm2d_channels_names_layer", "BatchNorm2d",
     lambda m: m.nn.BatchNorm2d(3)(m.zeros(2, 4, 5, 5))),
    ("layer/linear_0d", "linear", lambda m: lin(m)(m.tensor(1.))),
    ("layer/linear_1d", "linear", lambda m: lin(m)(m.zeros(3)).shape),
    ("layer/linear_functional_wrong", "linear", lambda m: F(m).linear(m.zeros(2, 5), m.zeros(2, 3))),
    ("layer/linear_bias_wrong", "linear|bias|size",
     lambda m: F(m).linear(m.zeros(2, 3), m.zeros(2, 3), m.zeros(3))),
    ("layer/bilinear_wrong", "bilinear", lambda m: m.nn.Bilinear(2, 3, 4)(m.zeros(1, 2), m.zeros(1, 2))),
    ("layer/conv_kernel_zero", "kernel|conv", lambda m: m.nn.Conv2d(3, 4, 0)(m.zeros(1, 3, 5, 5))),
    ("layer/conv_kernel_negative", "kernel|conv|negative", lambda m: m.nn.Conv2d(3, 4, -1)),
    ("layer/conv_groups", "groups", lambda m: m.nn.Conv2d(3, 4, 3, groups=2)),
    ("layer/conv_out_groups", "groups", lambda m: m.nn.Conv2d(4, 3, 3, groups=2)),
    ("layer/conv_groups_zero", "groups", lambda m: m.nn.Conv2d(4, 4, 3, groups=0)),
    ("layer/conv_padding_same_stride", "padding", lambda m: m.nn.Conv2d(3, 4, 3, stride=2, padding="same")),
    ("layer/conv_padding_str", "padding", lambda m: m.nn.Conv2d(3, 4, 3, padding="bogus")),
    ("layer/conv_padding_mode", "padding_mode", lambda m: m.nn.Conv2d(3, 4, 3, padding_mode="bogus")),
    ("layer/conv_stride_zero", "stride|conv", lambda m: m.nn.Conv2d(1, 1, 1, stride=0)(m.zeros(1, 1, 2, 2))),
    ("layer/conv_channels", "channels", lambda m: m.nn.Conv2d(3, 4, 1)(m.zeros(1, 2, 5, 5))),
    ("layer/conv_2d_input", "conv", lambda m: m.nn.Conv2d(3, 4, 1)(m.zeros(5, 5))),
    ("layer/conv_kernel_big", "kernel|size", lambda m: m.nn.Conv2d(1, 1, 5)(m.zeros(1, 1, 3, 3))),
    ("layer/conv_unbatched_ok", "conv", lambda m: m.nn.Conv2d(1, 2, 1)(m.zeros(1, 3, 3)).shape),
    ("layer/conv_transpose_groups", "groups", lambda m: m.nn.ConvTranspose2d(3, 4, 3, groups=2)),
    ("layer/maxpool_zero", "kernel|pool", lambda m: m.nn.MaxPool2d(0)(m.zeros(1, 1, 4, 4))),
    ("layer/maxpool_pad_big", "pad", lambda m: m.nn.MaxPool2d(2, padding=2)(m.zeros(1, 1, 4, 4))),
    ("layer/maxpool_too_small", "size|pool", lambda m: m.nn.MaxPool2d(5)(m.zeros(1, 1, 4, 4))),
    ("layer/avgpool_divisor_zero", "divisor",
     lambda m: m.nn.AvgPool2d(2, divisor_override=0)(m.zeros(1, 1, 4, 4))),
    ("layer/adaptive_zero", "output_size|adaptive",
     lambda m: m.nn.AdaptiveAvgPool2d(0)(m.zeros(1, 1, 4, 4)).shape),
    ("layer/dropout_p_big", "dropout|probability", lambda m: m.nn.Dropout(1.5)),
    ("layer/dropout_p_negative", "dropout|probability", lambda m: m.nn.Dropout(-0.1)),
    ("layer/dropout_functional_p", "dropout|probability", lambda m: F(m).dropout(m.zeros(2), 2.0)),
    ("layer/dropout2d_p", "dropout|probability", lambda m: m.nn.Dropout2d(1.1)),
    ("layer/dropout_p_one", "dropout", lambda m: F(m).dropout(m.ones(3), 1.0).tolist()),
    ("layer/lstm_layers_zero", "num_layers", lambda m: m.nn.LSTM(3, 4, num_layers=0)),
    ("layer/lstm_hidden_zero", "hidden_size", lambda m: m.nn.LSTM(3, 0)),
    ("layer/lstm_dropout_big", "dropout", lambda m: m.nn.LSTM(3, 4, dropout=2.)),
    ("layer/lstm_proj", "proj_size", lambda m: m.nn.LSTM(3, 4, proj_size=5)),
    ("layer/rnn_nonlinearity", "nonlinearity", lambda m: m.nn.RNN(3, 4, nonlinearity="bogus")),
    ("layer/lstm_input_size", "input", lambda m: m.nn.LSTM(3, 4)(m.zeros(2, 1, 5))),
    ("layer/lstm_input_dims", "lstm|dim|input", lambda m: m.nn.LSTM(3, 4)(m.zeros(2, 1, 1, 3))),
    ("layer/lstm_hidden_shape", "hidden", lambda m: m.nn.LSTM(3, 4)(m.zeros(2, 1, 3), (m.zeros(1, 1, 5),
                                                                                       m.zeros(1, 1, 4)))),
    ("layer/gru_hidden_shape", "hidden", lambda m: m.nn.GRU(3, 4)(m.zeros(2, 1, 3), m.zeros(2, 1, 4))),
    ("layer/lstm_cell_input", "input", lambda m: m.nn.LSTMCell(3, 4)(m.zeros(2, 5))),
    ("layer/batchnorm_features", "running_mean|features|elements|channels",
     lambda m: m.nn.BatchNorm1d(4)(m.zeros(2, 5))),
    ("layer/batchnorm2d_dims", "4d|4-d|dim", lambda m: m.nn.BatchNorm2d(3)(m.zeros(2, 3))),
    ("layer/batchnorm1d_dims", "2d|3d|dim", lambda m: m.nn.BatchNorm1d(3)(m.zeros(2, 3, 4, 5))),
    ("layer/batchnorm_momentum_none", "momentum", lambda m: m.nn.BatchNorm1d(1, momentum=None)(
        t(m, [[1.], [3.]])).tolist()),
    ("layer/layernorm_shape", "normalized_shape", lambda m: m.nn.LayerNorm(4)(m.zeros(2, 3))),
    ("layer/groupnorm_divide", "num_groups|divisible", lambda m: m.nn.GroupNorm(3, 4)),
    ("layer/groupnorm_channels", "channels|group", lambda m: m.nn.GroupNorm(2, 4)(m.zeros(1, 6, 2))),
    ("layer/instancenorm_dims", "instance|dim", lambda m: m.nn.InstanceNorm2d(3)(m.zeros(3))),
    ("layer/embedding_negative_num", "negative|embedding", lambda m: m.nn.Embedding(-1, 2)),
    ("layer/embedding_max_norm", "embedding",
     lambda m: m.nn.Embedding(3, 2, max_norm=1.)(m.tensor([0])).shape),
    ("layer/softmax_no_dim", "softmax", lambda m: _softmax_implicit(m)),
    ("layer/prelu_wrong", "prelu|channel|weight", lambda m: m.nn.PReLU(3)(m.zeros(2, 4))),
    ("layer/glu_odd", "glu|even|halve", lambda m: F(m).glu(m.zeros(2, 3))),
    ("layer/gelu_bogus", "approximate", lambda m: m.nn.GELU(approximate="bogus")(m.zeros(1))),
    ("layer/flatten_range", "dim", lambda m: m.nn.Flatten(2, 1)(m.zeros(2, 3, 4))),
    ("layer/unflatten_size", "unflatten|size", lambda m: m.nn.Unflatten(1, (2, 2))(m.zeros(2, 3))),
    ("layer/sequential_non_module", "module", lambda m: m.nn.Sequential(m.nn.Linear(2, 2), m.zeros(2))),
    ("layer/modulelist_non_module", "module", lambda m: m.nn.ModuleList([lambda x: x])),
    ("layer/modulelist_index", "index|range", lambda m: m.nn.ModuleList([m.nn.ReLU()])[3]),
    ("layer/sequential_index", "index|range", lambda m: m.nn.Sequential(m.nn.ReLU())[3]),
    ("layer/module_dot_name", "name|\".\"|'.'", lambda m: m.nn.Module().add_module("a.b", m.nn.ReLU())),
    ("layer/module_empty_name", "name|empty", lambda m: m.nn.Module().add_module("", m.nn.ReLU())),
    ("layer/module_not_module", "module", lambda m: m.nn.Module().add_module("a", 3)),
    ("layer/register_parameter_tensor", "parameter",
     lambda m: m.nn.Module().register_parameter("w", m.zeros(2))),
    ("layer/assign_tensor_to_param", "parameter", lambda m: set_attr(lin(m), "weight", m.zeros(2, 3))),
    ("layer/register_buffer_non_tensor", "buffer", lambda m: m.nn.Module().register_buffer("b", 3)),
    ("layer/module_before_init", "__init__", bad_module),
    ("layer/module_getattr", "attribute", lambda m: lin(m).wieght),
    ("layer/to_bogus_dtype", "float128|bogus", lambda m: lin(m).to("float128")),
    ("layer/forward_missing", "forward", lambda m: m.nn.Module()(m.zeros(1))),
    ("layer/parameter_list_non_param", "parameter", lambda m: len(m.nn.ParameterList([m.zeros(2)]))),
    ("layer/module_dict_non_module", "module", lambda m: m.nn.ModuleDict({"a": 3})),
    ("layer/identity_args", "identity", lambda m: m.nn.Identity(3, x=1)(m.ones(2)).tolist()),
    # --- losses -------------------------------------------------------------------------------------
    ("loss/ce_weight_size", "weight",
     lambda m: F(m).cross_entropy(m.zeros(2, 3), m.tensor([0, 1]), weight=m.ones(2))),
    ("loss/ce_weight_2d", "weight", lambda m: F(m).cross_entropy(m.zeros(2, 3), m.tensor([0, 1]),
                                                                 weight=m.ones(1, 3))),
    ("loss/ce_module_weight_size", "weight",
     lambda m: m.nn.CrossEntropyLoss(weight=m.ones(4))(m.zeros(2, 3), m.tensor([0, 1]))),
    ("loss/nll_weight_size", "weight",
     lambda m: F(m).nll_loss(m.zeros(2, 3), m.tensor([0, 1]), weight=m.ones(2))),
    ("loss/ce_float_target", "target", lambda m: F(m).cross_entropy(m.zeros(2, 3), t(m, [0., 1.]))),
    ("loss/ce_float_target_module", "target",
     lambda m: m.nn.CrossEntropyLoss()(m.zeros(2, 3), t(m, [0., 1.]))),
    ("loss/nll_float_target", "target", lambda m: F(m).nll_loss(m.zeros(2, 3), t(m, [0., 1.]))),
    ("loss/ce_onehot_int_target", "target",
     lambda m: F(m).cross_entropy(m.zeros(2, 3), m.tensor([[1, 0, 0], [0, 1, 0]]))),
    ("loss/ce_batch_mismatch", "batch|target",
     lambda m: F(m).cross_entropy(m.zeros(2, 3), m.tensor([0, 1, 2]))),
    ("loss/ce_prob_target_shape", "target|shape", lambda m: F(m).cross_entropy(m.zeros(2, 3), m.zeros(2, 2))),
    ("loss/ce_prob_target_ok", "cross_entropy",
     lambda m: F(m).cross_entropy(m.zeros(2, 2), t(m, [[1., 0.], [.5, .5]])).item()),
    ("loss/ce_0d_input", "cross_entropy|dimension", lambda m: F(m).cross_entropy(m.tensor(1.), m.tensor(0))),
    ("loss/ce_1d_input", "cross_entropy", lambda m: F(m).cross_entropy(t(m, [0., 0.]), m.tensor(1)).item()),
    ("loss/ce_label_smoothing", "label_smoothing",
     lambda m: F(m).cross_entropy(m.zeros(2, 3), m.tensor([0, 1]),
                                                                                label_smoothing=1.5)),
    ("loss/ce_reduction", "reduction", lambda m: F(m).cross_entropy(m.zeros(2, 3), m.tensor([0, 1]),
                                                                    reduction="bogus")),
    ("loss/ce_int_input", "cross_entropy|dtype|float|long",
     lambda m: F(m).cross_entropy(m.tensor([[1, 2]]), m.tensor([0]))),
    ("loss/ce_spatial_target_shape", "target|size|shape",
     lambda m: F(m).cross_entropy(m.zeros(2, 3, 4), m.zeros(2, 5, dtype=m.int64))),
    ("loss/mse_shape", "mse", lambda m: F(m).mse_loss(m.zeros(2, 1), m.ones(2)).item()),
    ("loss/mse_reduction", "reduction", lambda m: F(m).mse_loss(m.zeros(2), m.ones(2), reduction="avg")),
    ("loss/mse_int", "mse", lambda m: F(m).mse_loss(m.tensor([1, 2]), m.tensor([1, 3]))),
    ("loss/mse_int_target", "mse", lambda m: F(m).mse_loss(m.zeros(2), m.tensor([1, 3])).item()),
    ("loss/mse_incompatible", "size", lambda m: F(m).mse_loss(m.zeros(2), m.ones(3))),
    ("loss/l1_shape", "l1", lambda m: F(m).l1_loss(m.zeros(2, 1), m.ones(2)).item()),
    ("loss/bce_shape", "size", lambda m: F(m).binary_cross_entropy(m.full((2,), .5), m.ones(3))),
    ("loss/bce_logits_shape", "size", lambda m: F(m).binary_cross_entropy_with_logits(m.zeros(2), m.ones(3))),
    ("loss/bce_int_target", "binary_cross_entropy",
     lambda m: F(m).binary_cross_entropy(m.full((2,), .5), m.tensor([1, 0])).item()),
    ("loss/bce_weight_shape", "weight|size",
     lambda m: F(m).binary_cross_entropy(m.full((2,), .5), m.ones(2), weight=m.ones(3))),
    ("loss/huber_delta", "delta", lambda m: F(m).huber_loss(m.zeros(2), m.ones(2), delta=-1.)),
    ("loss/smooth_l1_beta", "beta", lambda m: F(m).smooth_l1_loss(m.zeros(2), m.ones(2), beta=-1.)),
    ("loss/smooth_l1_beta_zero", "smooth_l1",
     lambda m: F(m).smooth_l1_loss(m.zeros(2), m.ones(2), beta=0.).item()),
    ("loss/kl_div_shape", "kl_div",
     lambda m: F(m).kl_div(m.zeros(2, 3), m.ones(2, 3), reduction="batchmean").item()),
    ("loss/gaussian_var_negative", "var",
     lambda m: F(m).gaussian_nll_loss(m.zeros(2), m.ones(2), -m.ones(2))),
    ("loss/gaussian_var_shape", "var|size",
     lambda m: F(m).gaussian_nll_loss(m.zeros(2, 2), m.ones(2, 2), m.ones(3))),
    ("loss/margin_ranking_shape", "size",
     lambda m: F(m).margin_ranking_loss(m.zeros(2), m.zeros(3), m.ones(2))),
    ("loss/triplet_shape", "size|shape|triplet",
     lambda m: F(m).triplet_margin_loss(m.zeros(2, 3), m.zeros(2, 3),
                                                                                  m.zeros(2, 4))),
    ("loss/cosine_embedding_target", "target|dim|size", lambda m: F(m).cosine_embedding_loss(
        m.zeros(2, 3), m.zeros(2, 3), m.ones(2, 3))),
    ("loss/nll_3d_target", "target|size|shape",
     lambda m: F(m).nll_loss(m.zeros(2, 3), m.zeros(2, 1, dtype=m.int64))),
    ("loss/poisson_shape", "poisson|size", lambda m: F(m).poisson_nll_loss(m.zeros(2), m.zeros(2)).item()),
    # --- creation -----------------------------------------------------------------------------------
    ("create/arange_step_zero", "step", lambda m: m.arange(0, 10, 0)),
    ("create/arange_wrong_sign", "step|bound", lambda m: m.arange(10, 0, 1)),
    ("create/arange_negative_end", "step|bound", lambda m: m.arange(-5)),
    ("create/arange_empty", "arange", lambda m: m.arange(0, 0).tolist()),
    ("create/arange_string", "arange", lambda m: m.arange("5")),
    ("create/linspace_float_steps", "steps|linspace", lambda m: m.linspace(0, 1, 2.5)),
    ("create/full_bad_fill", "full|fill", lambda m: m.full((2,), "a")),
    ("create/full_like_ok", "full_like", lambda m: m.full_like(m.zeros(2), 7).tolist()),
    ("create/eye_float", "eye", lambda m: m.eye(2.5)),
    ("create/manual_seed_negative", "seed", lambda m: m.manual_seed(-(2 ** 64))),
    ("create/manual_seed_string", "seed", lambda m: m.manual_seed("a")),
    ("create/randint_float_size", "size|randint", lambda m: m.randint(0, 3, 2)),
    ("create/zeros_like_dtype", "zeros_like", lambda m: m.zeros_like(m.zeros(2), dtype=m.int64).dtype),
    ("create/tensor_requires_grad_int_list", "floating", lambda m: m.tensor([1, 2], requires_grad=True)),
    ("create/as_tensor_list", "as_tensor", lambda m: m.as_tensor([1, 2]).tolist()),
    ("create/from_numpy_list", "numpy|ndarray", lambda m: m.from_numpy([1, 2])),
    ("create/tensor_of_tensors", "tensor", lambda m: m.tensor([m.tensor(1.), m.tensor(2.)]).tolist()),
    ("create/tensor_of_multi_tensors", "tensor|element|scalar", lambda m: m.tensor([m.zeros(2), m.zeros(2)])),
]


def _in_no_grad(m):
    x = t(m, [1.], rg=True)
    with m.no_grad():
        y = x.sum()
    y.backward()


def _inplace_no_grad(m):
    x = t(m, [1., 2.], rg=True)
    with m.no_grad():
        x.mul_(2)
    return x.tolist()


def _saved_modified(m):
    x = t(m, [1., 2.], rg=True)
    y = x.exp()
    z = y.sum() + (y * 1).sum()
    y.add_(1)
    z.backward()


def _double_backward(m):
    x = t(m, [1., 2.], rg=True)
    (g,) = m.autograd.grad((x * x).sum(), [x])
    g.sum().backward()


def _grad_outputs_shape(m):
    x = t(m, [1., 2.], rg=True)
    m.autograd.grad(x * 2, [x], grad_outputs=[m.ones(3)])


def _duplicate_groups(m):
    p = m.nn.Parameter(m.ones(1))
    m.optim.SGD([{"params": [p]}, {"params": [p]}], lr=.1)


def _step_no_grad(m):
    p = m.nn.Parameter(t(m, [1., 2.]))
    m.optim.Adam([p], lr=.1).step()
    return p.tolist()


def _add_group_dup(m):
    p = m.nn.Parameter(m.ones(1))
    o = m.optim.SGD([p], lr=.1)
    o.add_param_group({"params": [p]})


def _loaded_dtype(m, state):
    layer = lin(m)
    layer.load_state_dict(state)
    return layer.weight.dtype, layer.weight.tolist()


def _optim_group_size(m):
    a = opt(m, "SGD", lr=.1)
    b = m.optim.SGD([m.nn.Parameter(m.ones(2)), m.nn.Parameter(m.ones(2))], lr=.1)
    a.load_state_dict(b.state_dict())


def _sched_roundtrip(m):
    s = sched(m, "StepLR", 2, gamma=.5)
    steps(s, 3)
    s2 = sched(m, "StepLR", 2, gamma=.5)
    s2.load_state_dict(s.state_dict())
    return s2.last_epoch, s2.get_last_lr()


def _softmax_implicit(m):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return F(m).softmax(t(m, [[0., 0.]])).tolist()


def plain(value):
    """Tensors as [dtype name, values]; dtypes and sizes as plain Python values."""
    if hasattr(value, "tolist") and hasattr(value, "dtype"):
        return [str(value.dtype).split(".")[-1], value.tolist()]
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if type(value).__name__ in ("Size", "dtype"):
        return str(value).split(".")[-1] if type(value).__name__ == "dtype" else list(value)
    return value


def run(m, fn):
    """``("value", plain result)`` or ``("raise", exception)``; warnings are not part of the outcome."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "value", plain(fn(m))
        except Exception as e:  # noqa: BLE001 - every failure is an outcome to compare
            return "raise", e


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b or abs(a - b) <= 1e-6 * max(1.0, abs(b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("name,keyword,fn", CASES, ids=[c[0] for c in CASES])
def test_bad_input(name, keyword, fn):
    expected = TORCH[name]
    kind, got = run(mg, fn)
    if expected is RAISES:
        assert kind == "raise", f"PyTorch raises, minigrad returned {got!r}"
        message = str(got).lower()
        assert any(k.lower() in message for k in keyword.split("|")), \
            f"{type(got).__name__}: {got} (should name {keyword!r})"
        innermost = got.__traceback__
        while innermost.tb_next is not None:
            innermost = innermost.tb_next
        where = innermost.tb_frame.f_code.co_filename
        assert f"{os.sep}minigrad{os.sep}" in where, f"raised inside {where}: {type(got).__name__}: {got}"
        line = linecache.getline(where, innermost.tb_lineno).strip()
        assert line.startswith("raise"), \
            f"raw {type(got).__name__} from NumPy or Python at {where}:{innermost.tb_lineno} ({line}): {got}"
    else:
        assert kind == "value", f"PyTorch returns {expected!r}, minigrad raised {type(got).__name__}: {got}"
        assert same(got, expected), f"minigrad {got!r} != PyTorch {expected!r}"


def test_case_table_covers_every_family():
    families = {name.split("/")[0] for name, _, _ in CASES}
    assert families == {"shape", "dtype", "nan", "empty", "index", "autograd", "optim", "sched", "data",
                        "state", "layer", "loss", "create"}
    assert len(CASES) >= 300 and len({c[0] for c in CASES}) == len(CASES)


# --- the outcomes PyTorch 2.13 gave (recorded by running CASES with m = torch) ------------------------
TORCH = {
    "shape/reshape_size": RAISES,
    "dtype/bool_minus_bool": RAISES,
    "dtype/bool_minus_number": RAISES,
    "dtype/number_minus_bool": RAISES,
    "dtype/int_minus_python_bool": RAISES,
    "dtype/bool_sub_inplace": RAISES,
    "dtype/bool_negation": RAISES,
    "index/float_tensor_index": RAISES,
    'index/masked_fill_int_with_float_ok': ['int64', [-2, 2]],
    'index/masked_fill_bool_with_float_ok': ['bool', [False, False]],
    "index/masked_fill_int_mask": RAISES,
    "index/float_0d_tensor_index": RAISES,
    'index/float_list_index_ok': ['float32', [1.0, 0.0]],
    'index/empty_list_index_ok': ['float32', []],
    "shape/setitem_broadcast": RAISES,
    "shape/pad_negative_past_the_size": RAISES,
    'shape/pad_negative_to_empty_ok': ['float32', []],
    "shape/copy_more_dims": RAISES,
    'shape/copy_broadcast_ok': ['float32', [[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]]],
    "shape/view_across_strides": RAISES,
    'shape/view_after_contiguous_ok': ['float32', [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]],
    "shape/reshape_float": RAISES,
    "shape/reshape_two_inferred": RAISES,
    "shape/reshape_negative": RAISES,
    "shape/reshape_empty_ambiguous": RAISES,
    "shape/reshape_string": RAISES,
    "shape/view_size": RAISES,
    'shape/view_ok': ['int64', [[0, 1], [2, 3], [4, 5]]],
    "shape/expand_leading_minus1": RAISES,
    "shape/expand_mismatch": RAISES,
    "shape/expand_fewer_dims": RAISES,
    "shape/expand_negative": RAISES,
    'shape/expand_ok': ['float32', [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]],
    "shape/broadcast_to_mismatch": RAISES,
    "shape/add_mismatch": RAISES,
    "shape/mul_mismatch": RAISES,
    "shape/add_inplace_grow": RAISES,
    "shape/where_mismatch": RAISES,
    "shape/matmul_mismatch": RAISES,
    "shape/matmul_0d": RAISES,
    "shape/matmul_vec_mismatch": RAISES,
    "shape/matmul_batched_mismatch": RAISES,
    "shape/matmul_empty_inner": [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
    "shape/cat_0d": RAISES,
    "shape/cat_ndim": RAISES,
    "shape/cat_sizes": RAISES,
    "shape/cat_dim_range": RAISES,
    "shape/cat_empty_list": RAISES,
    "shape/cat_not_tensors": RAISES,
    'shape/cat_legacy_empty': ['float32', [[1.0, 1.0], [1.0, 1.0]]],
    'shape/cat_dtype_promotes': ['float32', [0.0, 1.0]],
    "shape/stack_mismatch": RAISES,
    "shape/stack_empty": RAISES,
    "shape/stack_dim_range": RAISES,
    "shape/chunk_zero": RAISES,
    "shape/chunk_negative": RAISES,
    "shape/chunk_0d": RAISES,
    "shape/chunk_more": [[0], [1], [2]],
    "shape/split_zero": RAISES,
    "shape/split_sizes_sum": RAISES,
    "shape/split_negative_size": RAISES,
    "shape/split_float": RAISES,
    "shape/flatten_reversed": RAISES,
    "shape/flatten_dim_range": RAISES,
    "shape/flatten_0d": [3.0],
    "shape/permute_repeat": RAISES,
    "shape/permute_count": RAISES,
    "shape/permute_range": RAISES,
    "shape/transpose_range": RAISES,
    "shape/t_3d": RAISES,
    "shape/unsqueeze_range": RAISES,
    "shape/unsqueeze_end": [3, 1],
    "shape/squeeze_range": RAISES,
    "shape/squeeze_not_one": [3],
    "shape/repeat_fewer": RAISES,
    "shape/repeat_negative": RAISES,
    "shape/len_0d": RAISES,
    "shape/iter_0d": RAISES,
    "shape/mT_1d": RAISES,
    "shape/sum_dim_range": RAISES,
    "shape/sum_dim_repeat": RAISES,
    "shape/sum_dim_float": RAISES,
    "shape/mean_dim_range": RAISES,
    "shape/softmax_dim_range": RAISES,
    "shape/log_softmax_dim_range": RAISES,
    "shape/cumsum_dim_range": RAISES,
    "shape/argmax_dim_range": RAISES,
    "shape/max_dim_range": RAISES,
    "shape/flip_dim_range": RAISES,
    "shape/norm_dim_range": RAISES,
    "shape/var_dim_range": RAISES,
    "shape/0d_dim0": 2.0,
    "shape/0d_dim1": RAISES,
    "shape/einsum_bad": RAISES,
    "shape/einsum_count": RAISES,
    "shape/pad_odd": RAISES,
    "shape/pad_mode": RAISES,
    "shape/pad_too_many": RAISES,
    "shape/zeros_negative": RAISES,
    "shape/ones_negative": RAISES,
    "shape/zeros_float": RAISES,
    "shape/empty_negative": RAISES,
    "shape/full_negative": RAISES,
    "shape/randn_negative": RAISES,
    "shape/rand_negative": RAISES,
    "shape/randint_negative": RAISES,
    "shape/eye_negative": RAISES,
    "shape/linspace_negative_steps": RAISES,
    "shape/linspace_zero_steps": [],
    "shape/randperm_negative": RAISES,
    "shape/tensor_ragged": RAISES,
    "shape/tensor_ragged_deep": RAISES,
    "shape/numel_shape": [2, 0, 3],
    "dtype/to_float128": RAISES,
    "dtype/to_bogus": RAISES,
    "dtype/to_int": RAISES,
    "dtype/tensor_str": RAISES,
    "dtype/tensor_mixed_str": RAISES,
    "dtype/tensor_none": RAISES,
    "dtype/tensor_dict": RAISES,
    "dtype/tensor_dtype_string": RAISES,
    "dtype/tensor_overflow": RAISES,
    "dtype/tensor_overflow_list": RAISES,
    "dtype/int64_max_item": 9223372036854775807,
    "dtype/int64_max_int": 9223372036854775807,
    "dtype/int64_min_item": -9223372036854775808,
    "dtype/int64_odd_item": 9007199254740993,
    "dtype/int64_odd_list_item": 9007199254740993,
    "dtype/int64_tolist": [9223372036854775807, 9007199254740993],
    "dtype/int64_sum_exact": 9007199254740993,
    "dtype/int64_add_scalar": [9007199254740993],
    "dtype/int64_index": 4611686018427387905,
    "dtype/float_of_int": 9.223372036854776e+18,
    "dtype/int8_wraps": [-128],
    "dtype/uint8_wraps": [255],
    "dtype/f16_mean_large": 1.0,
    "dtype/f16_var_large": 0.0,
    "dtype/f16_std_large": 0.0,
    "dtype/f16_mean_dim": [1.0, 1.0],
    "dtype/f16_sum_large": inf,
    'dtype/f16_mean_dtype': 'float16',
    "dtype/f16_var_small": 2.333984375,
    "dtype/f16_mean_precision": 0.0999755859375,
    "dtype/mean_int": RAISES,
    "dtype/var_int": RAISES,
    "dtype/std_int": RAISES,
    "dtype/softmax_int": RAISES,
    "dtype/int_floordiv_zero": RAISES,
    "dtype/int_floordiv_zero_tensor": RAISES,
    "dtype/int_mod_zero": RAISES,
    "dtype/int_mod_zero_tensor": RAISES,
    "dtype/int_rfloordiv_zero": RAISES,
    "dtype/int_floordiv_ok": [-4, 3],
    "dtype/int_mod_negative": [2, 1],
    "dtype/int_truediv_zero": [inf, nan],
    "dtype/float_floordiv_zero": [inf, nan],
    "dtype/float_mod_zero": [nan, nan],
    "dtype/int_pow_negative": RAISES,
    "dtype/int_pow_zero": [1, 1],
    "dtype/int_pow_float": [2.0],
    "dtype/bool_sub": RAISES,
    "dtype/bool_neg": RAISES,
    "dtype/float_invert": RAISES,
    "dtype/bool_add": [True],
    "dtype/int_add_inplace_float": RAISES,
    "dtype/int_mul_inplace_float_tensor": RAISES,
    "dtype/int_div_inplace": RAISES,
    "dtype/float_add_int_inplace": [2.5],
    "dtype/int_sqrt": [2.0],
    'dtype/int_exp_dtype': 'float32',
    "dtype/int_requires_grad": RAISES,
    "dtype/int_requires_grad_": RAISES,
    "dtype/int_parameter": RAISES,
    "dtype/rand_int": RAISES,
    "dtype/randn_int": RAISES,
    "dtype/randint_empty_range": RAISES,
    "dtype/randint_reversed": RAISES,
    "dtype/full_int_float_fill": [1, 1],
    'dtype/arange_int_dtype': 'int64',
    'dtype/arange_float_dtype': 'float32',
    "dtype/linear_int_input": RAISES,
    "dtype/linear_double_input": RAISES,
    "dtype/matmul_int_float": RAISES,
    "dtype/conv_int": RAISES,
    "dtype/embedding_float_index": RAISES,
    "dtype/index_float_tensor": RAISES,
    "dtype/index_float": RAISES,
    "dtype/index_str": RAISES,
    "dtype/int_of_float_tensor": 2,
    "dtype/index_tensor_float_operator": RAISES,
    "dtype/one_hot_float": RAISES,
    "nan/bce_nan": RAISES,
    "nan/bce_above_one": RAISES,
    "nan/bce_below_zero": RAISES,
    "nan/bce_inf": RAISES,
    "nan/bce_module_above_one": RAISES,
    "nan/bce_edges": [100.0, 100.0],
    "nan/bce_target_out_of_range": RAISES,
    "nan/bce_grad_edges": [-500000001997.9014, 500000001997.9014],
    "nan/bce_logits_nan": [nan, nan, nan],
    "nan/max_nan": nan,
    "nan/min_nan": nan,
    "nan/argmax_nan": 1,
    "nan/argmin_nan": 1,
    "nan/max_dim_nan": [[nan, 2.0], [1, 0]],
    "nan/amax_nan": [nan, 2.0],
    "nan/maximum_nan": [nan, nan],
    "nan/clamp_nan": [nan, 1.0],
    "nan/clamp_min_gt_max": [0.0, 0.0, 0.0],
    "nan/clamp_none": RAISES,
    "nan/relu_nan": [nan, 0.0, inf],
    "nan/relu_grad_nan_masked": [0.0, 1.0],
    "nan/relu_grad_inf_masked": [0.0, 0.0],
    "nan/relu_grad_at_zero": [0.0, 0.0],
    "nan/relu_nan_input_grad": [1.0],
    "nan/leaky_relu_grad_nan": [nan, 1.0],
    "nan/hardtanh_grad_edges": [0.0, 0.0, 1.0, 0.0],
    "nan/hardtanh_module_grad": [0.0, 0.0],
    "nan/relu6_grad_edges": [0.0, 0.0, 1.0],
    "nan/clamp_grad_edges": [1.0, 1.0, 1.0],
    "nan/abs_grad_zero": [0.0],
    "nan/sqrt_grad_zero": [inf],
    "nan/norm_grad_zero": [0.0, 0.0],
    "nan/max_grad_ties": [0.0, 0.5, 0.5],
    "nan/amax_grad_ties": [0.5, 0.5, 0.0],
    "nan/std_const_grad": [0.0, 0.0, 0.0],
    "nan/std_const_value": 0.0,
    "nan/var_one_value": nan,
    "nan/var_one_grad": [nan],
    "nan/std_one_grad": [nan],
    "nan/var_one_dim_grad": [[nan], [nan]],
    "nan/var_unbiased0_one_grad": [0.0],
    "nan/std_zero_dim_grad": [[0.0, 0.0], [-0.7071067811865475, 0.7071067811865475]],
    "nan/softmax_inf": [nan, nan],
    "nan/softmax_all_neg_inf": [nan, nan],
    "nan/log_softmax_neg_inf": [-inf, 0.0],
    "nan/logsumexp_inf": inf,
    "nan/logsumexp_neg_inf": -inf,
    "nan/log_zero": [-inf, nan],
    "nan/sigmoid_inf": [1.0, 0.0, nan],
    "nan/tanh_inf": [1.0, -1.0],
    "nan/exp_overflow": [inf],
    "nan/mse_nan": nan,
    "nan/ce_inf_logit": nan,
    "nan/ce_large_logits": 10000.0,
    "nan/where_sqrt_grad": [0.0, 0.25],
    "nan/clip_nonfinite": RAISES,
    "nan/isfinite": [False, False, True],
    "nan/sign_nan": [0.0, 0.0],
    "nan/arange_nan": RAISES,
    "nan/arange_inf": RAISES,
    "nan/full_nan": [nan, nan],
    "nan/int_tensor_nan": RAISES,
    "nan/batchnorm_nan": [[nan], [nan]],
    "nan/dropout_nan": [nan],
    "nan/sum_inf_minus_inf": nan,
    "nan/prod_inf_zero": nan,
    "nan/cumsum_nan": [1.0, nan, nan],
    "nan/gelu_inf": [inf, nan],
    "nan/softplus_inf": [inf, 0.0],
    "nan/item_nan": nan,
    "nan/int_nan": RAISES,
    "empty/sum": 0.0,
    "empty/mean": nan,
    "empty/mean_dim": [nan, nan],
    "empty/prod": 1.0,
    "empty/max": RAISES,
    "empty/min": RAISES,
    "empty/argmax": RAISES,
    "empty/argmin": RAISES,
    "empty/max_dim": RAISES,
    "empty/max_other_dim": [],
    "empty/amax": RAISES,
    "empty/amin": RAISES,
    "empty/var": nan,
    "empty/std": nan,
    "empty/logsumexp": -inf,
    "empty/norm": 0.0,
    "empty/softmax": [],
    "empty/cumsum": [],
    "empty/cat": [1.0, 2.0],
    "empty/stack": [2, 0],
    "empty/item": RAISES,
    "empty/bool": RAISES,
    "empty/index": RAISES,
    "empty/linear": [0, 2],
    "empty/linear_grad": None,
    "empty/ce": nan,
    "empty/ce_sum": 0.0,
    "empty/mse": nan,
    "empty/bce": nan,
    "empty/l1": nan,
    "empty/ce_all_ignored": nan,
    "empty/lstm_seq0": RAISES,
    "empty/gru_seq0": RAISES,
    "empty/rnn_seq0": RAISES,
    "empty/lstm_batch0": [2, 2, 4],
    "empty/batchnorm_batch0": [0, 3],
    "empty/batchnorm_batch1": RAISES,
    "empty/layernorm": [0, 3],
    "empty/conv": [0, 1, 2, 2],
    "empty/embedding": [0, 2],
    "empty/matmul_zero_rows": [0, 3],
    "empty/reshape_zero": [3, 0],
    "empty/sum_grad": [],
    "empty/mean_grad": [],
    "empty/gather": [],
    "empty/index_select": [],
    "empty/dataloader": [],
    "empty/randperm0": [],
    "empty/chunk": 2,
    "empty/split": 1,
    "empty/one_hot": RAISES,
    "empty/one_hot_num": [0, 3],
    "empty/median_like_sort": [],
    "index/gather_minus1": RAISES,
    "index/gather_too_big": RAISES,
    "index/gather_2d_minus1": RAISES,
    "index/gather_float": RAISES,
    "index/gather_ndim": RAISES,
    "index/gather_dim_range": RAISES,
    "index/gather_size": RAISES,
    "index/gather_ok": [[2.0], [3.0]],
    "index/index_select_minus1": RAISES,
    "index/index_select_too_big": RAISES,
    "index/index_select_2d": RAISES,
    "index/index_select_float": RAISES,
    "index/index_select_dim": RAISES,
    "index/index_select_0d": [2.0],
    "index/getitem_out": RAISES,
    "index/getitem_negative_out": RAISES,
    "index/getitem_too_many": RAISES,
    "index/getitem_tensor_out": RAISES,
    "index/getitem_tensor_negative": [2],
    "index/getitem_tensor_negative_out": RAISES,
    "index/getitem_mask_shape": RAISES,
    "index/getitem_mask_2d": RAISES,
    "index/getitem_list_out": RAISES,
    "index/getitem_slice_out": [],
    "index/getitem_step_zero": RAISES,
    "index/getitem_step_negative": RAISES,
    'index/getitem_ellipsis_twice': ['float32', [[0.0, 0.0], [0.0, 0.0]]],
    "index/getitem_none": [1, 3],
    "index/getitem_0d": RAISES,
    "index/setitem_out": RAISES,
    "index/setitem_shape": RAISES,
    "index/setitem_mask_shape": RAISES,
    "index/embedding_out": RAISES,
    "index/embedding_negative": RAISES,
    "index/embedding_padding_out": RAISES,
    "index/embedding_padding_neg": RAISES,
    "index/one_hot_negative": RAISES,
    "index/one_hot_too_big": RAISES,
    "index/ce_target_out": RAISES,
    "index/ce_target_negative": RAISES,
    "index/nll_target_out": RAISES,
    "index/ce_ignore_index_out": 1.0986123085021973,
    "index/topk_like_argmax": [1],
    "index/index_int_tensor_2d": [[0, 2]],
    "index/getitem_bool_scalar": [1, 3],
    "autograd/backward_nonscalar": RAISES,
    "autograd/backward_twice": RAISES,
    "autograd/backward_no_grad": RAISES,
    "autograd/backward_in_no_grad": RAISES,
    "autograd/backward_detached": RAISES,
    "autograd/backward_gradient_shape": RAISES,
    "autograd/backward_gradient_int": None,
    "autograd/backward_gradient_list": RAISES,
    "autograd/grad_unused": RAISES,
    "autograd/grad_unused_allowed": [False, True],
    "autograd/grad_no_requires": RAISES,
    "autograd/grad_nonscalar": RAISES,
    "autograd/grad_output_no_grad": RAISES,
    "autograd/leaf_inplace": RAISES,
    "autograd/leaf_setitem": RAISES,
    "autograd/leaf_inplace_no_grad": [2.0, 4.0],
    "autograd/nonleaf_requires_grad_false": RAISES,
    "autograd/nonleaf_grad_none": True,
    "autograd/numpy_requires_grad": RAISES,
    "autograd/item_multi": RAISES,
    "autograd/bool_multi": RAISES,
    "autograd/float_multi": RAISES,
    "autograd/int_multi": RAISES,
    "autograd/hook_no_grad": RAISES,
    "autograd/hook_returns_str": RAISES,
    "autograd/hook_wrong_shape": RAISES,
    "autograd/hook_wrong_shape_nonleaf": RAISES,
    "autograd/hook_wrong_dtype": RAISES,
    'autograd/hook_returns_none': ['float32', [2.0, 2.0]],
    'autograd/hook_scales': ['float32', [6.0, 6.0]],
    "autograd/grad_set_wrong_shape": RAISES,
    "autograd/grad_set_wrong_dtype": RAISES,
    "autograd/grad_set_list": RAISES,
    'autograd/grad_set_ok': ['float32', [1.0, 1.0, 1.0]],
    "autograd/retain_grad_no_grad": RAISES,
    "autograd/detach_inplace_view": RAISES,
    "autograd/grad_of_int_output": RAISES,
    "autograd/requires_grad_string": RAISES,
    "autograd/saved_modified": RAISES,
    "autograd/double_backward_no_graph": RAISES,
    "autograd/grad_outputs_shape": RAISES,
    "autograd/grad_empty_inputs": RAISES,
    "autograd/backward_inputs_empty": RAISES,
    "optim/sgd_lr_negative": RAISES,
    "optim/sgd_momentum_negative": RAISES,
    "optim/sgd_weight_decay_negative": RAISES,
    "optim/sgd_nesterov_no_momentum": RAISES,
    "optim/sgd_nesterov_dampening": RAISES,
    "optim/sgd_empty": RAISES,
    "optim/sgd_tensor_params": RAISES,
    "optim/sgd_duplicate_groups": RAISES,
    "optim/sgd_nonleaf": RAISES,
    "optim/sgd_group_no_params": RAISES,
    "optim/sgd_step": [0.949999988079071, 2.0999999046325684],
    "optim/adam_beta0": RAISES,
    "optim/adam_beta1": RAISES,
    "optim/adam_eps": RAISES,
    "optim/adam_lr": RAISES,
    "optim/adam_wd": RAISES,
    "optim/adam_step": [0.9000000357627869, 2.0999999046325684],
    "optim/adamw_lr": RAISES,
    "optim/adamw_beta": RAISES,
    "optim/adamw_step": [0.8990000486373901, 2.0980000495910645],
    "optim/rmsprop_alpha": RAISES,
    "optim/rmsprop_momentum": RAISES,
    "optim/rmsprop_eps": RAISES,
    "optim/adagrad_lr_decay": RAISES,
    "optim/adagrad_init_acc": RAISES,
    "optim/adadelta_rho": RAISES,
    "optim/adamax_beta": RAISES,
    "optim/step_no_grads": [1.0, 2.0],
    "optim/add_param_group_dup": RAISES,
    "optim/lr_string": RAISES,
    "sched/not_optimizer": RAISES,
    "sched/multistep_unsorted": [0.0010000000000000002],
    "sched/lambda_count": RAISES,
    "sched/plateau_factor": RAISES,
    "sched/plateau_mode": RAISES,
    "sched/plateau_threshold_mode": RAISES,
    "sched/plateau_ok": 0.25,
    "sched/onecycle_no_total": RAISES,
    "sched/onecycle_total_zero": RAISES,
    "sched/onecycle_past_end": RAISES,
    "sched/onecycle_pct": RAISES,
    "sched/onecycle_anneal": RAISES,
    "sched/onecycle_epochs_zero": RAISES,
    "sched/warm_restarts_t0": RAISES,
    "sched/warm_restarts_tmult": RAISES,
    "sched/warm_restarts_float_t0": RAISES,
    "sched/linear_start_zero": RAISES,
    "sched/linear_end_big": RAISES,
    "sched/constant_factor": RAISES,
    "sched/sequential_milestones": RAISES,
    "sched/sequential_ok": [0.08100000000000002],
    "sched/cyclic_mode": RAISES,
    "sched/cosine_tmax_zero": RAISES,
    "sched/step_size_zero": RAISES,
    "sched/step_ok": [0.025],
    "sched/exponential_ok": [0.025],
    "sched/polynomial_ok": [0.0],
    "sched/last_epoch_no_initial": RAISES,
    "sched/chained_different_optimizers": RAISES,
    "sched/multiplicative_count": RAISES,
    "data/batch_size_zero": RAISES,
    "data/batch_size_negative": RAISES,
    "data/batch_size_float": RAISES,
    "data/num_workers_negative": RAISES,
    "data/shuffle_and_sampler": RAISES,
    "data/batch_sampler_and_batch_size": RAISES,
    "data/batch_sampler_and_drop_last": RAISES,
    "data/timeout_negative": RAISES,
    "data/prefetch_no_workers": RAISES,
    "data/drop_last": [[0, 1, 2]],
    "data/batch_bigger": [[0, 1, 2, 3]],
    "data/batch_none": [0, 1, 2, 3],
    "data/tensor_dataset_mismatch": RAISES,
    "data/tensor_dataset_index_out": RAISES,
    "data/random_split_sum": RAISES,
    "data/random_split_fractions": RAISES,
    "data/random_split_ok": [2, 2],
    "data/subset_out": RAISES,
    "data/batch_sampler_size_zero": RAISES,
    "data/batch_sampler_drop_last_str": RAISES,
    "data/random_sampler_num_samples": RAISES,
    "data/random_sampler_replacement": RAISES,
    "data/collate_ragged": RAISES,
    "data/concat_empty": RAISES,
    "data/concat_index_out": RAISES,
    "data/concat_negative_index": 3,
    "data/concat_too_negative": RAISES,
    "data/len_iterable_sampler": 2,
    "data/distributed_rank_out": RAISES,
    "data/distributed_rank_negative": RAISES,
    "state/missing_key": RAISES,
    "state/unexpected_key": RAISES,
    "state/size_mismatch": RAISES,
    "state/not_mapping": RAISES,
    "state/list_value": RAISES,
    'state/strict_false': [['bias'], ['x']],
    "state/strict_false_size": RAISES,
    'state/dtype_cast': ['float32', [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]],
    'state/int_values': ['float32', [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]],
    "state/nested_missing": RAISES,
    "state/buffers_missing": RAISES,
    "state/optim_groups": RAISES,
    "state/optim_group_size": RAISES,
    "state/scheduler_roundtrip": [3, [0.05]],
    "layer/linear_negative": RAISES,
    "layer/linear_float": RAISES,
    "layer/linear_zero_in": [[0.0, 0.0]],
    "layer/linear_wrong_in": RAISES,
    "layer/linear_image": RAISES,
    "layer/linear_image_names_layer": RAISES,
    "layer/linear_image_other_size": RAISES,
    "layer/linear_in_names_layer": RAISES,
    "layer/conv_channels_names_layer": RAISES,
    "layer/conv_flat_input": RAISES,
    "layer/conv_transpose_channels": RAISES,
    "layer/lstm_input_names_layer": RAISES,
    "layer/batchnorm2d_channels_names_layer": RAISES,
    "layer/linear_0d": RAISES,
    "layer/linear_1d": [2],
    "layer/linear_functional_wrong": RAISES,
    "layer/linear_bias_wrong": RAISES,
    "layer/bilinear_wrong": RAISES,
    "layer/conv_kernel_zero": RAISES,
    "layer/conv_kernel_negative": RAISES,
    "layer/conv_groups": RAISES,
    "layer/conv_out_groups": RAISES,
    "layer/conv_groups_zero": RAISES,
    "layer/conv_padding_same_stride": RAISES,
    "layer/conv_padding_str": RAISES,
    "layer/conv_padding_mode": RAISES,
    "layer/conv_stride_zero": RAISES,
    "layer/conv_channels": RAISES,
    "layer/conv_2d_input": RAISES,
    "layer/conv_kernel_big": RAISES,
    "layer/conv_unbatched_ok": [2, 3, 3],
    "layer/conv_transpose_groups": RAISES,
    "layer/maxpool_zero": RAISES,
    "layer/maxpool_pad_big": RAISES,
    "layer/maxpool_too_small": RAISES,
    "layer/avgpool_divisor_zero": RAISES,
    "layer/adaptive_zero": [1, 1, 0, 0],
    "layer/dropout_p_big": RAISES,
    "layer/dropout_p_negative": RAISES,
    "layer/dropout_functional_p": RAISES,
    "layer/dropout2d_p": RAISES,
    "layer/dropout_p_one": [0.0, 0.0, 0.0],
    "layer/lstm_layers_zero": RAISES,
    "layer/lstm_hidden_zero": RAISES,
    "layer/lstm_dropout_big": RAISES,
    "layer/lstm_proj": RAISES,
    "layer/rnn_nonlinearity": RAISES,
    "layer/lstm_input_size": RAISES,
    "layer/lstm_input_dims": RAISES,
    "layer/lstm_hidden_shape": RAISES,
    "layer/gru_hidden_shape": RAISES,
    "layer/lstm_cell_input": RAISES,
    "layer/batchnorm_features": RAISES,
    "layer/batchnorm2d_dims": RAISES,
    "layer/batchnorm1d_dims": RAISES,
    "layer/batchnorm_momentum_none": [[-0.9999949932098389], [0.9999949932098389]],
    "layer/layernorm_shape": RAISES,
    "layer/groupnorm_divide": RAISES,
    "layer/groupnorm_channels": RAISES,
    "layer/instancenorm_dims": RAISES,
    "layer/embedding_negative_num": RAISES,
    "layer/embedding_max_norm": [1, 2],
    "layer/softmax_no_dim": [[0.5, 0.5]],
    "layer/prelu_wrong": RAISES,
    "layer/glu_odd": RAISES,
    "layer/gelu_bogus": RAISES,
    "layer/flatten_range": RAISES,
    "layer/unflatten_size": RAISES,
    "layer/sequential_non_module": RAISES,
    "layer/modulelist_non_module": RAISES,
    "layer/modulelist_index": RAISES,
    "layer/sequential_index": RAISES,
    "layer/module_dot_name": RAISES,
    "layer/module_empty_name": RAISES,
    "layer/module_not_module": RAISES,
    "layer/register_parameter_tensor": RAISES,
    "layer/assign_tensor_to_param": RAISES,
    "layer/register_buffer_non_tensor": RAISES,
    "layer/module_before_init": RAISES,
    "layer/module_getattr": RAISES,
    "layer/to_bogus_dtype": RAISES,
    "layer/forward_missing": RAISES,
    "layer/parameter_list_non_param": 1,
    "layer/module_dict_non_module": RAISES,
    "layer/identity_args": [1.0, 1.0],
    "loss/ce_weight_size": RAISES,
    "loss/ce_weight_2d": RAISES,
    "loss/ce_module_weight_size": RAISES,
    "loss/nll_weight_size": RAISES,
    "loss/ce_float_target": RAISES,
    "loss/ce_float_target_module": RAISES,
    "loss/nll_float_target": RAISES,
    "loss/ce_onehot_int_target": RAISES,
    "loss/ce_batch_mismatch": RAISES,
    "loss/ce_prob_target_shape": RAISES,
    "loss/ce_prob_target_ok": 0.6931471824645996,
    "loss/ce_0d_input": RAISES,
    "loss/ce_1d_input": 0.6931471824645996,
    "loss/ce_label_smoothing": RAISES,
    "loss/ce_reduction": RAISES,
    "loss/ce_int_input": RAISES,
    "loss/ce_spatial_target_shape": RAISES,
    "loss/mse_shape": 1.0,
    "loss/mse_reduction": RAISES,
    "loss/mse_int": RAISES,
    "loss/mse_int_target": 5.0,
    "loss/mse_incompatible": RAISES,
    "loss/l1_shape": 1.0,
    "loss/bce_shape": RAISES,
    "loss/bce_logits_shape": RAISES,
    "loss/bce_int_target": RAISES,
    "loss/bce_weight_shape": RAISES,
    "loss/huber_delta": RAISES,
    "loss/smooth_l1_beta": RAISES,
    "loss/smooth_l1_beta_zero": 1.0,
    "loss/kl_div_shape": 0.0,
    "loss/gaussian_var_negative": RAISES,
    "loss/gaussian_var_shape": RAISES,
    "loss/margin_ranking_shape": RAISES,
    "loss/triplet_shape": RAISES,
    "loss/cosine_embedding_target": RAISES,
    "loss/nll_3d_target": RAISES,
    "loss/poisson_shape": 1.0,
    "create/arange_step_zero": RAISES,
    "create/arange_wrong_sign": RAISES,
    "create/arange_negative_end": RAISES,
    "create/arange_empty": [],
    "create/arange_string": RAISES,
    "create/linspace_float_steps": RAISES,
    "create/full_bad_fill": RAISES,
    "create/full_like_ok": [7.0, 7.0],
    "create/eye_float": RAISES,
    "create/manual_seed_negative": RAISES,
    "create/manual_seed_string": RAISES,
    "create/randint_float_size": RAISES,
    'create/zeros_like_dtype': 'int64',
    "create/tensor_requires_grad_int_list": RAISES,
    "create/as_tensor_list": [1, 2],
    "create/from_numpy_list": RAISES,
    "create/tensor_of_tensors": [1.0, 2.0],
    "create/tensor_of_multi_tensors": RAISES,
}
