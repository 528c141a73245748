"""PyTorch's ``torch.utils`` spelling, for ported scripts: ``minigrad.utils.data`` *is* ``minigrad.data``.

>>> from minigrad.utils.data import DataLoader
>>> import minigrad.data
>>> DataLoader is minigrad.data.DataLoader
True
"""

import sys

from .. import data

sys.modules[__name__ + ".data"] = data  # the same module object, so classes and isinstance agree

__all__ = ["data"]
