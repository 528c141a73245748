"""TensorBoard logging with PyTorch's path: ``from minigrad.utils.tensorboard import SummaryWriter``.

Needs the ``tensorboard`` package (``pip install tensorboard``); ``tensorboard --logdir runs``
shows what was written.
"""

from .writer import SummaryWriter

__all__ = ["SummaryWriter"]
