"""Writes the PyTorch checkpoints in tests/data/torch (run once with PyTorch 2.13 CPU; the tests only
read the files, torch is not needed to run them):

    python benchmarks/torch_reference/make_checkpoints.py

Every value is built from ``arange`` so the tests can rebuild the expected numbers with NumPy.
"""

import collections
import os

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data", "torch")


def base(dtype=torch.float32):
    return torch.arange(12, dtype=torch.float64).reshape(3, 4).div(4).to(dtype)  # 0, 0.25, ... 2.75


def tensors():
    """Every dtype minigrad reads, views of one storage, a shared storage, a parameter, plain values."""
    b = base()
    return {
        "f32": b, "f64": base(torch.float64), "f16": base(torch.float16), "bf16": base(torch.bfloat16),
        "i64": torch.arange(-3, 3), "i32": torch.arange(4, dtype=torch.int32),
        "i16": torch.arange(3, dtype=torch.int16), "i8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 255], dtype=torch.uint8), "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(7.5), "empty": torch.zeros(0, 3),
        "transposed": b.t(), "strided": b[1:, ::2], "column": b[:, 1], "same": b,  # views of b's storage
        "param": nn.Parameter(torch.ones(2)), "frozen": nn.Parameter(torch.zeros(2), requires_grad=False),
        "grad": torch.ones(2, requires_grad=True),
        "numbers": [1, -2.5, 3 + 4j, True, None, "text", b"\x00\xffbytes"],
        "tuple": (1, (2, 3)), "set": {1, 2}, "big": 2 ** 70,
        "dtype": torch.float16, "size": torch.Size([2, 3]), "device": torch.device("cpu"),
        "nested": collections.OrderedDict(a={"b": [torch.tensor([1.0, 2.0])]}),
    }


def model():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))
    with torch.no_grad():
        for i, p in enumerate(net.parameters()):
            p.copy_(torch.linspace(-1, 1, p.numel()).reshape(p.shape) * (i + 1) / 4)
    x = torch.arange(20, dtype=torch.float32).reshape(5, 4) / 10 - 1
    net.train()
    net(x)  # moves the running statistics
    net.eval()
    return {"model": net.state_dict(), "x": x, "y": net(x).detach(), "epoch": 3}


def tied():
    """Two state-dict entries on one storage (weight tying), as PyTorch writes them."""
    emb = nn.Embedding(5, 3)
    head = nn.Linear(3, 5, bias=False)
    head.weight = emb.weight
    return nn.ModuleDict({"emb": emb, "head": head}).state_dict()


if __name__ == "__main__":
    torch.save(tensors(), os.path.join(OUT, "tensors.pt"))
    torch.save(model(), os.path.join(OUT, "model.pt"))
    torch.save(tied(), os.path.join(OUT, "tied.pt"))
    torch.save(base(), os.path.join(OUT, "tensor.pt"))  # a bare tensor, not a dict
    torch.save({"w": base()}, os.path.join(OUT, "legacy.pt"), _use_new_zipfile_serialization=False)
    print(torch.__version__, sorted(f for f in os.listdir(OUT) if f.endswith(".pt")))
