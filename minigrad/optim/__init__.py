"""Optimizers (``minigrad.optim``): PyTorch's names, defaults and update formulas.

Every algorithm is one file whose docstring gives its update in math and whose ``_update`` is
that formula, line by line, in place; :class:`Optimizer` owns the rest.
"""

from . import lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .lion import Lion
from .momentum import Momentum
from .muon import Muon
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Momentum", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax",
           "NAdam", "RAdam", "Lion", "Muon", "Adafactor", "ASGD", "Rprop", "LBFGS", "lr_scheduler"]
