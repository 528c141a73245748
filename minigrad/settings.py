"""Process-wide switches that PyTorch programs set, accepted with PyTorch's names.

minigrad computes with NumPy or CuPy, so none of them changes a result: the thread count is
remembered (NumPy's BLAS sizes its own pool), minigrad is deterministic on the CPU already,
float32 products are always full precision, and tensors are always row-major (a memory format
is accepted wherever PyTorch takes one and the layout stays row-major).
"""

_state = {"threads": 1, "interop_threads": 1, "deterministic": False, "warn_only": False,
          "matmul_precision": "highest"}


class memory_format:
    """A tensor layout name (``mg.contiguous_format``, ``mg.channels_last``, ...)."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")


def get_num_threads():
    return _state["threads"]


def set_num_threads(n):
    """Remembered for ``get_num_threads``; NumPy's BLAS keeps its own pool (set OMP_NUM_THREADS)."""
    if int(n) <= 0:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n}")
    _state["threads"] = int(n)


def get_num_interop_threads():
    return _state["interop_threads"]


def set_num_interop_threads(n):
    _state["interop_threads"] = int(n)


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Accepted: minigrad's CPU kernels are deterministic (CuPy's scatter-add may not be)."""
    _state["deterministic"], _state["warn_only"] = bool(mode), bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _state["warn_only"]


def set_float32_matmul_precision(precision):
    """Accepted ("highest", "high", "medium"): float32 products are always computed in full."""
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision: {precision!r}; expected 'highest', 'high' or 'medium'")
    _state["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _state["matmul_precision"]
