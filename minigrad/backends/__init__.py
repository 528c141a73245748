"""``mg.backends``: PyTorch's backend switches, accepted so that scripts run unchanged.

Not to be confused with ``mg.backend`` (singular), which chooses where tensors live. minigrad has
no cuDNN, MPS or TF32 code paths, so every flag here can be set and read back but changes no
computation; each module says exactly what that means.

>>> import minigrad as mg
>>> mg.backends.cudnn.benchmark = True          # accepted; no effect
>>> mg.backends.mps.is_available()
False
"""

from . import cpu, cuda, cudnn, mps

__all__ = ["cpu", "cuda", "cudnn", "mps"]
