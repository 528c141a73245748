"""``mg.backends.cpu``: what PyTorch reports about its CPU kernels."""


def get_cpu_capability():
    """``"DEFAULT"``: minigrad's CPU code is NumPy's, which picks its own SIMD kernels at run time."""
    return "DEFAULT"
