"""Attention: ``F.scaled_dot_product_attention`` against PyTorch's numbers, its masks, dropout and errors.

The expected values were computed by PyTorch 2.13 (benchmarks/torch_reference/make_attention.py wrote
attention.npz); the op table (tests/test_ops.py) holds the gradchecks on both backends.
"""

import pathlib

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.ops.attention import attention

TORCH = np.load(pathlib.Path(__file__).parent / "data" / "torch" / "attention.npz")


def _t(name, requires_grad=False):
    return mg.tensor(TORCH[name], requires_grad=requires_grad)


@pytest.mark.parametrize("case, kw", [("plain", {}), ("bool", {"attn_mask": "bool_mask"}),
                                      ("float", {"attn_mask": "float_mask"}), ("causal", {"is_causal": True}),
                                      ("scale", {"scale": 0.3})])
def test_sdpa_values_and_gradients_match_torch(backend, case, kw):
    q, k, v = (_t(f"sdpa/{n}", True) for n in "qkv")
    if "attn_mask" in kw:
        kw = {**kw, "attn_mask": _t(f"sdpa/{kw['attn_mask']}", case == "float")}
    out = F.scaled_dot_product_attention(q, k, v, **kw)
    (out * _t("sdpa/weight")).sum().backward()
    np.testing.assert_allclose(out.detach().cpu().numpy(), TORCH[f"sdpa/{case}/out"], rtol=1e-10, atol=1e-12)
    for name, t in (("dq", q), ("dk", k), ("dv", v)):
        np.testing.assert_allclose(t.grad.cpu().numpy(), TORCH[f"sdpa/{case}/{name}"], rtol=1e-9, atol=1e-12)
    if case == "float":
        np.testing.assert_allclose(kw["attn_mask"].grad.cpu().numpy(), TORCH["sdpa/float/dmask"],
                                   rtol=1e-9, atol=1e-12)


def test_sdpa_grouped_query_heads_match_torch(backend):
    q, k, v = (_t(f"sdpa/gqa/{n}") for n in "qkv")
    out = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    np.testing.assert_allclose(out.cpu().numpy(), TORCH["sdpa/gqa/out"], rtol=1e-10, atol=1e-12)


def test_fully_masked_row_gives_zero_output_and_zero_gradient(backend):
    q, k, v = (_t(f"sdpa/{n}", True) for n in "qkv")
    mask = mg.zeros(3, 4, dtype=mg.bool)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    out.sum().backward()
    assert not out.isnan().any().item()
    assert out.abs().sum().item() == 0.0 and q.grad.abs().sum().item() == 0.0


def test_large_logits_do_not_overflow(backend):
    q = mg.tensor([[[300.0, 0.0], [0.0, 300.0]]])  # float32 logits of 6e4: exp would overflow unshifted
    out = F.scaled_dot_product_attention(q, q, mg.tensor([[[1.0], [2.0]]]))
    assert out.flatten().tolist() == [1.0, 2.0]


def test_causal_mask_is_top_left_aligned_when_lengths_differ():
    q, k, v = mg.randn(2, 4), mg.randn(3, 4), mg.randn(3, 5)
    out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    np.testing.assert_allclose(out[0].numpy(), v[0].numpy(), rtol=1e-6)  # query 0 sees key 0 alone


def test_dropout_zeroes_weights_and_scales_the_rest():
    mg.manual_seed(0)
    q, k, v = mg.randn(8, 16, 4), mg.randn(8, 16, 4), mg.randn(8, 16, 4)
    _, plain = attention(q, k, v)
    mg.manual_seed(1)
    _, dropped = attention(q, k, v, dropout_p=0.25)
    kept = dropped.numpy() != 0
    assert 0.7 < kept.mean() < 0.8
    np.testing.assert_allclose(dropped.numpy()[kept], plain.numpy()[kept] / 0.75, rtol=1e-5)
    assert F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).abs().sum().item() == 0.0


def test_dropout_gradients_check_under_a_fixed_seed(float64):
    q, k, v = (mg.randn(2, 3, 4, requires_grad=True) for _ in range(3))

    def fn(*qkv):
        mg.manual_seed(3)  # the same dropout mask at every evaluation
        return F.scaled_dot_product_attention(*qkv, dropout_p=0.4)
    assert gradcheck(fn, [q, k, v]) and gradgradcheck(fn, [q, k, v])


def test_weights_output_is_differentiable_twice(float64):
    q, k, v = (mg.randn(2, 3, 4, requires_grad=True) for _ in range(3))
    assert gradgradcheck(lambda *t: attention(*t, is_causal=True)[1], [q, k, v])


@pytest.mark.parametrize("args, kw, message", [
    (((4,), (4,), (4,)), {}, "at least 2 dimensions"),
    (((3, 4), (5, 3), (5, 2)), {}, "last dimension"),
    (((3, 4), (5, 4), (4, 2)), {}, "number of positions"),
    (((2, 4, 3, 4), (2, 3, 5, 4), (2, 3, 5, 4)), {"enable_gqa": True}, "enable_gqa"),
    (((3, 4), (5, 4), (5, 2)), {"is_causal": True, "attn_mask": mg.ones(3, 5, dtype=mg.bool)},
     "should not be set when is_causal"),
    (((3, 4), (5, 4), (5, 2)), {"attn_mask": mg.ones(3, 5, dtype=mg.int64)}, "bool or float"),
    (((3, 4), (5, 4), (5, 2)), {"attn_mask": mg.ones(4, 5)}, "broadcast|shapes|must match"),
])
def test_sdpa_errors_name_the_problem(args, kw, message):
    with pytest.raises(RuntimeError, match=message):
        F.scaled_dot_product_attention(*(mg.randn(*s) for s in args), **kw)


def test_sdpa_rejects_mixed_dtypes_and_bad_dropout():
    q = mg.randn(3, 4)
    with pytest.raises(RuntimeError, match="one floating dtype"):
        F.scaled_dot_product_attention(q, q.double(), q)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.scaled_dot_product_attention(q, q, q, dropout_p=1.5)
