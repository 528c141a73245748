"""``mg.backends.cudnn``: PyTorch's cuDNN flags, accepted; minigrad never calls cuDNN.

Convolutions and pooling run as minigrad's own strided-window and matrix-multiply code on every
device, so:

* ``benchmark`` (PyTorch: time several convolution algorithms, keep the fastest) changes nothing:
  there is one algorithm.
* ``deterministic`` changes nothing. minigrad's GPU results are reproducible run to run except
  where a gradient is accumulated with atomic adds (indexing, ``gather``, embeddings on the GPU),
  whose float32 summation order can vary; this flag does not change that.
* ``allow_tf32`` changes nothing: GPU matrix multiplies use CuPy's setting (full float32 unless
  the environment variable ``CUPY_TF32=1`` is set before CuPy is imported).
* ``enabled`` changes nothing.
"""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True  # PyTorch's default for cuDNN


def is_available():
    """False: minigrad does not use cuDNN (on any device)."""
    return False


def version():
    """None: minigrad is not linked against cuDNN."""
    return None
