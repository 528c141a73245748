"""Neural networks: ``Module``, layers, losses, ``functional`` and ``init`` (PyTorch's names)."""

from . import functional, init
from .module import Module
from .modules import (ELU, GELU, Bilinear, Flatten, Hardtanh, Identity, LeakyReLU, Linear, LogSigmoid,
                      LogSoftmax, Mish, ModuleDict, ModuleList, ParameterDict, ParameterList, ReLU, ReLU6,
                      Sequential, Sigmoid, SiLU, Softmax, Softmin, Softplus, Tanh, Unflatten)
from .parameter import Parameter
