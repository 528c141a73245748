"""Neural networks: ``Module``, layers, losses, ``functional`` and ``init`` (PyTorch's names)."""

from . import functional, init
from . import utils
from .module import Module
from .modules import (CELU, ELU, GELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, InstanceNorm1d,
                      InstanceNorm2d, PReLU, Softshrink, Softsign, Tanhshrink, Threshold)
from .modules import (BatchNorm1d, BatchNorm2d, BatchNorm3d, BCELoss, BCEWithLogitsLoss, Bilinear,
                      CosineEmbeddingLoss, CosineSimilarity, CrossEntropyLoss, Dropout, Dropout1d, Dropout2d,
                      Embedding, Flatten, GaussianNLLLoss, GroupNorm, Hardtanh, HingeEmbeddingLoss, HuberLoss,
                      Identity, KLDivLoss, L1Loss, LayerNorm, LeakyReLU, Linear, LogSigmoid, LogSoftmax,
                      MarginRankingLoss, Mish, ModuleDict, ModuleList, MSELoss, NLLLoss, PairwiseDistance,
                      ParameterDict, ParameterList, PoissonNLLLoss, ReLU, ReLU6, Sequential, Sigmoid, SiLU,
                      SmoothL1Loss, SoftMarginLoss, Softmax, Softmin, Softplus, Tanh, TripletMarginLoss, Unflatten)
from .parameter import Parameter
from .modules.conv import Conv2d, ConvTranspose2d
from .modules.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .modules.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell
