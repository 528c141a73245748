"""Write attention.npz: inputs, outputs and gradients of PyTorch 2.13's attention and transformer
modules, for tests/test_attention.py (run with a torch install: python make_attention.py)."""

import pathlib

import numpy as np
import torch
import torch.nn.functional as F

OUT = pathlib.Path(__file__).with_name("attention.npz")
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


sdpa_cases()
np.savez_compressed(OUT, **data)
print(f"wrote {OUT} ({len(data)} arrays)")
