"""Neural networks: ``Module``, layers, losses, ``functional`` and ``init`` (PyTorch's names)."""

from . import functional, init
from . import utils
from .module import Module
from .modules import (BatchNorm1d, BatchNorm2d, BatchNorm3d, BCELoss, BCEWithLogitsLoss, Bilinear, CELU,
                      CosineEmbeddingLoss, CosineSimilarity, CrossEntropyLoss, Dropout, Dropout1d, Dropout2d,
                      ELU, Embedding, Flatten, GaussianNLLLoss, GELU, GLU, GroupNorm, Hardshrink, Hardsigmoid,
                      Hardswish, Hardtanh, HingeEmbeddingLoss, HuberLoss, Identity, InstanceNorm1d,
                      InstanceNorm2d, KLDivLoss, L1Loss, LayerNorm, LeakyReLU, Linear, LogSigmoid, LogSoftmax,
                      MarginRankingLoss, Mish, ModuleDict, ModuleList, MSELoss, NLLLoss, PairwiseDistance,
                      ParameterDict, ParameterList, PoissonNLLLoss, PReLU, ReLU, ReLU6, SELU, Sequential,
                      Sigmoid, SiLU, SmoothL1Loss, SoftMarginLoss, Softmax, Softmin, Softplus, Softshrink,
                      Softsign, Tanh, Tanhshrink, Threshold, TripletMarginLoss, Unflatten)
from .parameter import Parameter
from .modules.conv import Conv2d, ConvTranspose2d
from .modules.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .modules.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell
