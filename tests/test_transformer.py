"""``MultiheadAttention`` and the Transformer modules against PyTorch: the same state dict in, the
same outputs, attention weights and gradients out (float64, to 1e-9).

PyTorch 2.13 made each module with a seed, saved its state dict, inputs, outputs and gradients of
sum(output * weight) (benchmarks/torch_reference/make_attention.py wrote tests/data/torch/attention.npz);
torch is not needed here.
"""

import copy
import pathlib

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F

TORCH = np.load(pathlib.Path(__file__).parent / "data" / "torch" / "attention.npz")


def _state(name):
    prefix = f"{name}/state/"
    return {k[len(prefix):]: mg.tensor(TORCH[k]) for k in TORCH.files if k.startswith(prefix)}


def _inputs(name, grad_inputs):
    prefix = f"{name}/in/"
    arrays = {k[len(prefix):]: TORCH[k] for k in TORCH.files if k.startswith(prefix)}
    tensors = {k: mg.tensor(a, requires_grad=k in grad_inputs) for k, a in arrays.items()}
    if all(k in arrays for k in ("query", "key", "value")) and np.array_equal(arrays["query"], arrays["key"]):
        tensors["key"] = tensors["value"] = tensors["query"]  # self-attention: one tensor, as the caller had
    return tensors


def _check(name, module, kwargs, grad_inputs=(), weights=False):
    """Load PyTorch's state dict, run, and compare output, weights and every gradient."""
    missing = module.load_state_dict(_state(name))
    assert not missing.missing_keys and not missing.unexpected_keys
    inputs = _inputs(name, grad_inputs)
    result = module(**{k: v for k, v in inputs.items() if k not in kwargs}, **kwargs)
    out, attn = result if isinstance(result, tuple) else (result, None)
    (out * mg.tensor(TORCH[f"{name}/weight"])).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), TORCH[f"{name}/out"], rtol=1e-9, atol=1e-11)
    if weights:
        np.testing.assert_allclose(attn.detach().numpy(), TORCH[f"{name}/attn_weights"], rtol=1e-9,
                                   atol=1e-11)
    for key in grad_inputs:
        np.testing.assert_allclose(inputs[key].grad.numpy(), TORCH[f"{name}/grad_in/{key}"], rtol=1e-8,
                                   atol=1e-10, err_msg=key)
    for key, p in module.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), TORCH[f"{name}/grad/{key}"], rtol=1e-8, atol=1e-10,
                                   err_msg=key)


def _mask(key, dtype=None):
    return mg.tensor(TORCH[key], dtype=dtype)


def test_self_attention_with_padding_and_causal_masks_matches_torch():
    module = nn.MultiheadAttention(8, 2, dtype=mg.float64)
    _check("mha_self", module, {"key_padding_mask": _mask("mha_self/in/key_padding_mask"),
                                "attn_mask": _mask("mha_self/in/attn_mask")}, weights=True)


def test_cross_attention_kdim_vdim_batch_first_float_mask_per_head_matches_torch():
    module = nn.MultiheadAttention(8, 2, kdim=6, vdim=4, batch_first=True, dtype=mg.float64)
    assert module.in_proj_weight is None and tuple(module.k_proj_weight.shape) == (8, 6)
    _check("mha_cross", module, {"average_attn_weights": False}, ("query", "key", "value", "attn_mask"),
           weights=True)


def test_attention_with_bias_kv_and_zero_attn_matches_torch():
    module = nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True, dtype=mg.float64)
    assert tuple(module.bias_k.shape) == (1, 1, 8)
    _check("mha_extra_keys", module, {"key_padding_mask": _mask("mha_extra_keys/in/key_padding_mask"),
                                      "attn_mask": _mask("mha_extra_keys/in/attn_mask")}, ("query", "key"),
           weights=True)


def test_unbatched_attention_without_bias_matches_torch():
    module = nn.MultiheadAttention(8, 4, bias=False, dtype=mg.float64)
    assert module.in_proj_bias is None and module.out_proj.bias is None
    _check("mha_unbatched", module, {}, ("query",), weights=True)


def test_prenorm_gelu_encoder_with_masks_matches_torch():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation="gelu",
                                       batch_first=True, norm_first=True, dtype=mg.float64)
    encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8, dtype=mg.float64))
    padding = _mask("encoder_prenorm/in/src_key_padding_mask")
    _check("encoder_prenorm", encoder,
           {"mask": _mask("causal_float_mask"), "is_causal": True, "src_key_padding_mask": padding}, ("src",))


def test_postnorm_relu_encoder_layer_sequence_first_matches_torch():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, dtype=mg.float64)
    _check("encoder_layer_postnorm", layer, {}, ("src",))


def test_decoder_with_causal_and_memory_padding_masks_matches_torch():
    layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True,
                                       dtype=mg.float64)
    decoder = nn.TransformerDecoder(layer, 2)
    _check("decoder", decoder, {"tgt_mask": _mask("causal_float_mask"), "tgt_is_causal": True,
                                "memory_key_padding_mask": _mask("decoder/in/memory_key_padding_mask")},
           ("tgt", "memory"))


def test_transformer_matches_torch():
    model = nn.Transformer(8, 2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16, dropout=0.0,
                           norm_first=True, activation=F.gelu, dtype=mg.float64)
    _check("transformer", model, {"tgt_mask": _mask("causal_float_mask")}, ("src", "tgt"))


def test_state_dict_keys_and_shapes_are_torchs_both_ways():
    model = nn.Transformer(8, 2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16,
                           dtype=mg.float64)
    theirs = _state("transformer")
    ours = model.state_dict()
    assert {k: tuple(v.shape) for k, v in ours.items()} == {k: tuple(v.shape) for k, v in theirs.items()}
    model.load_state_dict(theirs)
    for key, value in model.state_dict().items():  # and back out unchanged, for torch to load
        np.testing.assert_array_equal(value.numpy(), TORCH[f"transformer/state/{key}"])


def test_square_subsequent_mask_is_torchs():
    np.testing.assert_array_equal(nn.Transformer.generate_square_subsequent_mask(5, dtype=mg.float64).numpy(),
                                  TORCH["causal_float_mask"])


def test_encoder_layers_are_independent_copies():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
    encoder = nn.TransformerEncoder(layer, 3)
    weights = [id(m.linear1.weight) for m in encoder.layers]
    assert len(set(weights)) == 3 and id(layer.linear1.weight) not in weights
    assert len(encoder.state_dict()) == 3 * len(layer.state_dict())


def test_attention_module_gradients_check_on_both_backends(backend, float64):
    module = nn.MultiheadAttention(4, 2, batch_first=True).to(backend)
    x = mg.randn(2, 3, 4, requires_grad=True)
    pad = mg.tensor([[False, False, True], [False, False, False]])
    fn = lambda t: module(t, t, t, key_padding_mask=pad)[0]
    assert mg.autograd.gradcheck(fn, [x]) and mg.autograd.gradgradcheck(fn, [x])


def test_dropout_in_attention_is_off_in_eval():
    mg.manual_seed(0)
    module = nn.MultiheadAttention(8, 2, dropout=0.5, batch_first=True)
    x = mg.randn(2, 4, 8)
    module.eval()
    a, b = module(x, x, x)[0], module(x, x, x)[0]
    assert (a == b).all().item()
    module.train()
    assert not (module(x, x, x)[0] == a).all().item()


def test_need_weights_false_returns_none():
    module = nn.MultiheadAttention(8, 2)
    x = mg.randn(4, 2, 8)
    assert module(x, x, x, need_weights=False)[1] is None


def test_activation_module_is_a_submodule_and_bad_names_fail():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, activation=nn.GELU())
    assert isinstance(layer.activation, nn.GELU)
    with pytest.raises(RuntimeError, match="relu/gelu"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")


@pytest.mark.parametrize("kwargs, message", [
    ({"attn_mask": mg.zeros(3, 3, dtype=mg.bool)}, "attn_mask of shape"),
    ({"key_padding_mask": mg.zeros(4, 4, dtype=mg.bool)}, "key_padding_mask of shape"),
    ({"is_causal": True}, "give the mask"),
    ({"attn_mask": mg.zeros(4, 4, dtype=mg.int64)}, "bool or float"),
])
def test_attention_mask_errors(kwargs, message):
    module = nn.MultiheadAttention(8, 2)
    x = mg.randn(4, 2, 8)
    with pytest.raises(RuntimeError, match=message):
        module(x, x, x, **kwargs)


def test_constructor_errors():
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(10, 3)
    model = nn.Transformer(8, 2, 1, 1, 16)
    with pytest.raises(RuntimeError, match="batch number"):
        model(mg.randn(5, 2, 8), mg.randn(5, 3, 8))
    with pytest.raises(RuntimeError, match="d_model"):
        model(mg.randn(5, 2, 8), mg.randn(5, 2, 6))


def test_deepcopy_keeps_parameters_apart():
    module = nn.MultiheadAttention(8, 2)
    twin = copy.deepcopy(module)
    assert twin.in_proj_weight is not module.in_proj_weight
    assert (twin.in_proj_weight == module.in_proj_weight).all().item()
