"""minigrad: a small autograd framework with PyTorch's API, on NumPy (CPU) or CuPy (GPU)."""

import importlib

from . import accelerator, amp, backend, backends, compiler, cuda, dtypes
from .amp import autocast
from .autograd import enable_grad, grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .backend import Device, device, get_backend, set_backend, use_backend
from .compiler import compile  # noqa: A004 - PyTorch's name
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_dlpack,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import bool_ as bool  # noqa: A001 - PyTorch's name
from .dtypes import (
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from .functions import (
    abs,
    amax,
    amin,
    argmax,
    argmin,
    broadcast_to,
    cat,
    chunk,
    clamp,
    clip,
    cos,
    cumsum,
    einsum,
    erf,
    exp,
    flatten,
    flip,
    gather,
    index_select,
    isfinite,
    isnan,
    log,
    log1p,
    log_softmax,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    norm,
    permute,
    prod,
    relu,
    reshape,
    rsqrt,
    sigmoid,
    sign,
    sin,
    softmax,
    split,
    sqrt,
    squeeze,
    stack,
    std,
    sum,
    tan,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)
from .random import (
    Generator,
    initial_seed,
    manual_seed,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    seed,
)
from .tensor import Tensor

float = float32  # noqa: A001
double = float64
half = float16
long = int64

__version__ = "0.1.0"

_SUBMODULES = ("autograd", "nn", "optim", "data", "viz", "utils", "distributed")
_LAZY = {"save": "serialization", "load": "serialization"}


def __getattr__(name):
    """Import ``nn``, ``optim``, ``data`` and ``viz`` on first use, keeping ``import minigrad`` light."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")


backend._init_from_environment()
