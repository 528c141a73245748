"""``mg.backends.mps``: Apple's Metal backend, which minigrad does not have."""


def is_available():
    """False: minigrad runs on the CPU (NumPy) or CUDA (CuPy) only."""
    return False


def is_built():
    """False: minigrad has no MPS backend."""
    return False
