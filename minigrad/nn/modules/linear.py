"""``Linear``, ``Identity``, ``Flatten``, ``Unflatten``: the affine map and the shape-only layers."""

import math
import numbers

from ... import creation
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter


def _sizes(layer, **sizes):
    """A layer's sizes, each a non-negative int, or an error naming the layer and the size."""
    for name, value in sizes.items():
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            raise TypeError(f"{layer}: {name} must be an int, got {type(value).__name__} {value!r}")
        if value < 0:
            raise ValueError(f"{layer}: {name} must be non-negative, got {value}")


class Identity(Module):
    """Returns its input unchanged (accepts and ignores constructor arguments, as PyTorch)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x Wᵀ + b.

    Shapes: input (…, in_features) -> output (…, out_features); ``weight`` (out_features,
    in_features), ``bias`` (out_features,).

    Initialisation (PyTorch's): ``kaiming_uniform_(weight, a=√5)``, i.e. W ~ U(-1/√in, 1/√in),
    and b ~ U(-1/√in, 1/√in).

    Note:
        This default is the classic U(-1/√fan_in, 1/√fan_in), not He's ReLU initialisation
        (std √(2/fan_in)); use ``nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")`` or
        ``nn.init.xavier_uniform_`` explicitly for those.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> _ = mg.manual_seed(0)
    >>> layer = nn.Linear(3, 2)
    >>> layer(mg.ones(5, 3)).shape, layer.weight.shape, layer.bias.shape
    ((5, 2), (2, 3), (2,))
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        _sizes("Linear", in_features=in_features, out_features=out_features)
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(creation.empty(out_features, in_features, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: W ~ kaiming_uniform(a=√5) = U(-1/√in_features, 1/√in_features), b likewise."""
        init._default_affine_(self.weight, self.bias)

    def forward(self, input):
        F._check_linear(input, self.weight, self.bias, self)
        return F._linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """y_k = x₁ᵀ W_k x₂ + b_k; W, b ~ U(-1/√in1, 1/√in1) as PyTorch."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        self.weight = Parameter(creation.empty(out_features, in1_features, in2_features, device=device,
                                               dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Flatten(Module):
    """Flattens dimensions ``start_dim`` … ``end_dim`` into one: (N, C, H, W) -> (N, C·H·W) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expands dimension ``dim`` into ``unflattened_size``."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
