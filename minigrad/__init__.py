"""minigrad: a small autograd framework with PyTorch's API, on NumPy (CPU) or CuPy (GPU)."""

import importlib
import warnings

from . import accelerator, amp, backend, backends, compiler, cuda, dtypes
from .amp import autocast
from .autograd import (
    enable_grad,
    grad,
    inference_mode,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .backend import Device, device, get_backend, set_backend, use_backend
from .compiler import compile  # noqa: A004 - PyTorch's name
from .creation import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
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
    meshgrid,
    ones,
    ones_like,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import bool_ as bool  # noqa: A001 - PyTorch's name
from .dtypes import (
    dtype,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from .functions import (
    abs,
    addcdiv,
    addcmul,
    addmm,
    all,
    allclose,
    amax,
    amin,
    any,
    arctan2,
    argmax,
    argmin,
    argsort,
    atan2,
    baddbmm,
    bincount,
    bmm,
    broadcast_to,
    cat,
    cdist,
    ceil,
    chunk,
    clamp,
    clip,
    cos,
    count_nonzero,
    cumprod,
    cumsum,
    diag,
    diagonal,
    diff,
    dot,
    einsum,
    equal,
    erf,
    erfinv,
    exp,
    fix,
    flatten,
    flip,
    floor,
    fmod,
    frac,
    gather,
    histc,
    histogram,
    hypot,
    index_add,
    index_copy,
    index_fill,
    index_put,
    index_select,
    is_tensor,
    isclose,
    isfinite,
    isinf,
    isnan,
    kthvalue,
    lerp,
    log,
    log1p,
    log2,
    log10,
    log_softmax,
    logcumsumexp,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    logsumexp,
    masked_fill,
    masked_scatter,
    masked_select,
    matmul,
    max,
    maximum,
    mean,
    median,
    min,
    minimum,
    mm,
    moveaxis,
    movedim,
    mv,
    nan_to_num,
    nanmedian,
    nanquantile,
    narrow,
    nonzero,
    norm,
    numel,
    outer,
    permute,
    pow,
    prod,
    quantile,
    reciprocal,
    relu,
    repeat_interleave,
    reshape,
    roll,
    round,
    rsqrt,
    scatter,
    scatter_add,
    scatter_reduce,
    sigmoid,
    sign,
    sin,
    softmax,
    sort,
    split,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    std_mean,
    sum,
    swapaxes,
    swapdims,
    take_along_dim,
    tan,
    tanh,
    tile,
    topk,
    trace,
    transpose,
    tril,
    triu,
    trunc,
    unbind,
    unflatten,
    unique,
    unsqueeze,
    var,
    var_mean,
    where,
)
from .linalg import det, slogdet
from .linalg import inv as inverse
from .printing import set_printoptions
from .random import (
    Generator,
    bernoulli,
    initial_seed,
    manual_seed,
    multinomial,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
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

_SUBMODULES = ("autograd", "nn", "optim", "data", "viz", "utils", "distributed", "distributions", "linalg")
_LAZY = {"save": "serialization", "load": "serialization"}


def __getattr__(name):
    """Import ``nn``, ``optim``, ``data`` and ``viz`` on first use, keeping ``import minigrad`` light."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")


backend._init_from_environment()

# NumPy's floating-point warnings raised inside minigrad's ops (x / 0, log of a negative, exp
# overflow): PyTorch returns inf or NaN silently, and so does minigrad. Only warnings attributed
# to minigrad's modules are silenced; the user's own NumPy code still warns.
warnings.filterwarnings("ignore", message=r"(divide by zero|invalid value|overflow|underflow) encountered",
                        category=RuntimeWarning, module=r"minigrad\.")
