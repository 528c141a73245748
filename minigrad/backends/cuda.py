"""``mg.backends.cuda``: PyTorch's CUDA backend switches, accepted; none changes a computation.

* ``is_built()``: whether CuPy (minigrad's GPU backend) is installed; a GPU may still be missing
  (``mg.cuda.is_available()`` says whether one can be used).
* ``matmul.allow_tf32`` and the reduced-precision flags: no effect; GPU matrix multiplies use
  CuPy's setting (full float32 unless ``CUPY_TF32=1`` is set before CuPy is imported).
* ``enable_flash_sdp`` / ``enable_mem_efficient_sdp`` / ``enable_math_sdp`` / ``enable_cudnn_sdp``:
  record the flag (read back by ``*_sdp_enabled()``); minigrad has one attention computation, the
  plain softmax(QKᵀ/√d)V, whatever they say.
"""

import importlib.util


def is_built():
    """True when CuPy is installed (PyTorch: built with CUDA); says nothing about a GPU being present."""
    return importlib.util.find_spec("cupy") is not None


class _MatmulFlags:
    """``matmul.allow_tf32`` & co.: settable attributes with PyTorch's defaults and no effect."""

    def __init__(self):
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()

_sdp = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


def enable_flash_sdp(enabled):
    _sdp["flash"] = bool(enabled)


def enable_mem_efficient_sdp(enabled):
    _sdp["mem_efficient"] = bool(enabled)


def enable_math_sdp(enabled):
    _sdp["math"] = bool(enabled)


def enable_cudnn_sdp(enabled):
    _sdp["cudnn"] = bool(enabled)


def flash_sdp_enabled():
    return _sdp["flash"]


def mem_efficient_sdp_enabled():
    return _sdp["mem_efficient"]


def math_sdp_enabled():
    return _sdp["math"]


def cudnn_sdp_enabled():
    return _sdp["cudnn"]
