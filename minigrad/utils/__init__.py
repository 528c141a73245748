"""PyTorch's ``torch.utils`` spelling, for ported scripts: ``minigrad.utils.data`` *is* ``minigrad.data``.

Its submodules are the same module objects too (``minigrad.utils.data.dataloader`` *is*
``minigrad.data.dataloader``), so ``from minigrad.utils.data.sampler import Sampler`` works and
classes and ``isinstance`` agree whichever path imported them.

>>> from minigrad.utils.data import DataLoader
>>> from minigrad.utils.data.dataloader import DataLoader as FromSubmodule
>>> import minigrad.data
>>> DataLoader is minigrad.data.DataLoader is FromSubmodule
True
"""

import importlib
import pkgutil
import sys

from .. import data
from . import checkpoint

# Register each submodule under its second name before anyone imports it by that name: otherwise
# Python would load the file again as a new module whose relative imports resolve against
# minigrad.utils and fail ("cannot import name 'backend' from 'minigrad.utils'").
sys.modules[__name__ + ".data"] = data
for _info in pkgutil.iter_modules(data.__path__):
    sys.modules[f"{__name__}.data.{_info.name}"] = importlib.import_module(f"{data.__name__}.{_info.name}")

__all__ = ["checkpoint", "data"]
