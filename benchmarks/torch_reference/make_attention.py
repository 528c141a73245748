"""Write tests/data/torch/attention.npz: inputs, outputs and gradients of PyTorch 2.13's attention
and transformer modules, for tests/test_attention.py and tests/test_transformer.py (run once with a
torch install: python benchmarks/torch_reference/make_attention.py; the tests only read the file)."""

import pathlib

import numpy as np
import torch
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "torch" / "attention.npz"
data = {}


def sdpa_cases():
    rng = np.random.default_rng(7)
    q, k, v = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 4)), rng.standard_normal((2, 4, 3))
    weight = rng.standard_normal((2, 3, 3))  # the loss is sum(out * weight)
    bool_mask = np.array([[True, False, True, True], [False] * 4, [True, True, False, True]])
    float_mask = rng.standard_normal((1, 3, 4))
    data.update({"sdpa/q": q, "sdpa/k": k, "sdpa/v": v, "sdpa/weight": weight,
                 "sdpa/bool_mask": bool_mask, "sdpa/float_mask": float_mask})
    cases = {"plain": {}, "bool": {"attn_mask": bool_mask}, "float": {"attn_mask": float_mask},
             "causal": {"is_causal": True}, "scale": {"scale": 0.3}}
    for name, kw in cases.items():
        tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
        mask = kw.get("attn_mask")
        tm = None if mask is None else torch.tensor(mask, requires_grad=mask.dtype != bool)
        out = F.scaled_dot_product_attention(tq, tk, tv, **{**kw, "attn_mask": tm})
        (out * torch.tensor(weight)).sum().backward()
        for key, t in (("out", out), ("dq", tq.grad), ("dk", tk.grad), ("dv", tv.grad)):
            data[f"sdpa/{name}/{key}"] = t.detach().numpy()
        if tm is not None and tm.requires_grad:
            data[f"sdpa/{name}/dmask"] = tm.grad.numpy()
    grouped = [rng.standard_normal(s) for s in ((1, 4, 3, 2), (1, 2, 5, 2), (1, 2, 5, 3))]
    data.update({f"sdpa/gqa/{n}": a for n, a in zip("qkv", grouped)})
    out = F.scaled_dot_product_attention(*map(torch.tensor, grouped), enable_gqa=True)
    data["sdpa/gqa/out"] = out.numpy()


def record(name, module, inputs, kwargs, grad_inputs=()):
    """Save ``module``'s state dict, the inputs, its output (and weights) and the gradients of
    sum(output * weight) for the inputs named in ``grad_inputs`` and for every parameter."""
    module.train()  # dropout is 0 in every case; training mode keeps PyTorch off its nested-tensor path
    rng = np.random.default_rng(len(data))
    tensors = {}
    for key, value in inputs.items():
        if isinstance(value, np.ndarray):
            data[f"{name}/in/{key}"] = value
            tensors[key] = torch.tensor(value, requires_grad=key in grad_inputs)
        else:
            tensors[key] = value
    if "key" in inputs and inputs["key"] is inputs["query"]:  # self-attention: one tensor, as callers have it
        tensors["key"] = tensors["value"] = tensors["query"]
    result = module(**tensors, **kwargs)
    out, weights = result if isinstance(result, tuple) else (result, None)
    weight = rng.standard_normal(tuple(out.shape))
    data[f"{name}/weight"] = weight
    (out * torch.tensor(weight, dtype=out.dtype)).sum().backward()
    data[f"{name}/out"] = out.detach().numpy()
    if weights is not None:
        data[f"{name}/attn_weights"] = weights.detach().numpy()
    for key in grad_inputs:
        data[f"{name}/grad_in/{key}"] = tensors[key].grad.numpy()
    for key, value in module.state_dict().items():
        data[f"{name}/state/{key}"] = value.numpy()
    for key, p in module.named_parameters():
        data[f"{name}/grad/{key}"] = p.grad.numpy()


def module_cases():
    torch.manual_seed(0)
    rng = np.random.default_rng(1)
    f64 = torch.float64
    pad = np.zeros((3, 5), dtype=bool)
    pad[1, 3:] = pad[2, 4] = True  # padded keys at the end; key 0 is never masked, so no row is empty
    causal = ~np.tril(np.ones((5, 5), dtype=bool))  # MultiheadAttention's bool masks: True = masked
    x = rng.standard_normal((5, 3, 8))  # (L, N, E)
    record("mha_self", torch.nn.MultiheadAttention(8, 2, dtype=f64), {"query": x, "key": x, "value": x},
           {"key_padding_mask": torch.tensor(pad), "attn_mask": torch.tensor(causal)})
    data["mha_self/in/key_padding_mask"], data["mha_self/in/attn_mask"] = pad, causal
    q, k, v = rng.standard_normal((3, 4, 8)), rng.standard_normal((3, 5, 6)), rng.standard_normal((3, 5, 4))
    float_mask = rng.standard_normal((3 * 2, 4, 5))
    record("mha_cross", torch.nn.MultiheadAttention(8, 2, kdim=6, vdim=4, batch_first=True, dtype=f64),
           {"query": q, "key": k, "value": v, "attn_mask": float_mask}, {"average_attn_weights": False},
           grad_inputs=("query", "key", "value", "attn_mask"))
    q, kv = rng.standard_normal((4, 3, 8)), rng.standard_normal((5, 3, 8))
    extra = torch.nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True, dtype=f64)
    record("mha_extra_keys", extra,
           {"query": q, "key": kv, "value": kv}, {"key_padding_mask": torch.tensor(pad),
                                                   "attn_mask": torch.tensor(causal[:4])},
           grad_inputs=("query", "key"))
    data["mha_extra_keys/in/key_padding_mask"], data["mha_extra_keys/in/attn_mask"] = pad, causal[:4]
    x = rng.standard_normal((4, 8))
    record("mha_unbatched", torch.nn.MultiheadAttention(8, 4, bias=False, dtype=f64),
           {"query": x, "key": x, "value": x}, {}, grad_inputs=("query",))

    src_mask = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=f64)
    data["causal_float_mask"] = src_mask.numpy()
    layer = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation="gelu",
                                             batch_first=True, norm_first=True, dtype=f64)
    encoder = torch.nn.TransformerEncoder(layer, 2, norm=torch.nn.LayerNorm(8, dtype=f64),
                                          enable_nested_tensor=False)
    record("encoder_prenorm", encoder, {"src": rng.standard_normal((3, 5, 8))},
           {"mask": src_mask, "src_key_padding_mask": torch.tensor(pad), "is_causal": True},
           grad_inputs=("src",))
    data["encoder_prenorm/in/src_key_padding_mask"] = pad
    record("encoder_layer_postnorm",
           torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, dtype=f64),
           {"src": rng.standard_normal((5, 3, 8))}, {}, grad_inputs=("src",))
    layer = torch.nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True,
                                             dtype=f64)
    record("decoder", torch.nn.TransformerDecoder(layer, 2),
           {"tgt": rng.standard_normal((3, 5, 8)), "memory": rng.standard_normal((3, 5, 8))},
           {"tgt_mask": src_mask, "memory_key_padding_mask": torch.tensor(pad), "tgt_is_causal": True},
           grad_inputs=("tgt", "memory"))
    data["decoder/in/memory_key_padding_mask"] = pad
    record("transformer",
           torch.nn.Transformer(8, 2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16,
                                dropout=0.0, norm_first=True, activation=torch.nn.functional.gelu, dtype=f64),
           {"src": rng.standard_normal((6, 3, 8)), "tgt": rng.standard_normal((5, 3, 8))},
           {"tgt_mask": src_mask}, grad_inputs=("src", "tgt"))


sdpa_cases()
module_cases()
np.savez_compressed(OUT, **data)
print(f"wrote {OUT} ({len(data)} arrays)")
