"""``Distribution``: the interface every distribution shares (PyTorch's ``torch.distributions``).

A distribution has a ``batch_shape`` (independent distributions side by side, from its
broadcast parameters) and an ``event_shape`` (the shape of one draw: ``()`` for scalars,
``(K,)`` for a one-hot vector). ``sample(sample_shape)`` returns
``sample_shape + batch_shape + event_shape`` values without gradient; ``rsample`` (where
``has_rsample``) returns the same through the reparameterisation trick, so gradients flow to the
parameters.
"""

import math

from .. import creation as _creation
from ..autograd.grad_mode import no_grad
from ..dtypes import get_default_dtype
from ..tensor import Tensor


class Distribution:
    """Base class: subclasses set ``has_rsample`` and define what they support."""

    has_rsample = False
    arg_constraints = {}

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self.batch_shape = tuple(batch_shape)
        self.event_shape = tuple(event_shape)
        self._validate_args = True if validate_args is None else bool(validate_args)

    def sample(self, sample_shape=()):
        """A draw of shape ``sample_shape + batch_shape + event_shape``, without gradient."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        raise NotImplementedError(f"{type(self).__name__} does not support rsample (has_rsample is False); "
                                  "use sample()")

    def log_prob(self, value):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    @property
    def mean(self):
        raise NotImplementedError

    @property
    def variance(self):
        raise NotImplementedError

    @property
    def stddev(self):
        return self.variance.sqrt()

    def _extended_shape(self, sample_shape=()):
        return tuple(sample_shape) + self.batch_shape + self.event_shape

    def _check(self, name, ok, constraint):
        """PyTorch's argument validation: raise naming the parameter and the constraint it breaks."""
        if self._validate_args and not bool(ok.all()):
            raise ValueError(f"{type(self).__name__}: expected parameter {name} to satisfy the constraint "
                             f"{constraint}, but found invalid values")

    def _check_value(self, ok, support):
        if self._validate_args and not bool(ok.all()):
            raise ValueError(f"{type(self).__name__}.log_prob: expected value argument to be within the "
                             f"support ({support}) of the distribution, but found invalid values")

    def __repr__(self):
        params = ", ".join(f"{k}: {tuple(getattr(self, k).shape) or getattr(self, k).item()}"
                           for k in self.arg_constraints if k in self.__dict__)
        return f"{type(self).__name__}({params})"


def as_param(value, like=None):
    """A parameter as a Tensor: Tensors unchanged, numbers in the default dtype (on ``like``'s device)."""
    if isinstance(value, Tensor):
        return value
    device = like.device if isinstance(like, Tensor) else None
    dtype = like.dtype if isinstance(like, Tensor) and like.dtype.is_floating_point else get_default_dtype()
    return _creation.tensor(float(value), dtype=dtype, device=device)


def broadcast_params(*values):
    """Tensors of the parameters broadcast to one shape (numbers follow the first tensor's dtype)."""
    like = next((v for v in values if isinstance(v, Tensor)), None)
    tensors = [as_param(v, like) for v in values]
    shape = ()
    for t in tensors:
        shape = _broadcast(shape, tuple(t.shape))
    return [t if t.shape == shape else t.broadcast_to(shape) for t in tensors], shape


def _broadcast(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            raise ValueError(f"distribution parameters of shapes {a} and {b} do not broadcast")
        out.append(max(x, y) if 0 not in (x, y) else 0)
    return tuple(out)


HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def draw(kind, shape, like, **params):
    """A draw of ``kind`` ("gamma", "poisson", "binomial") of ``shape`` in ``like``'s dtype and on its
    device, its tensor parameters broadcast to ``shape``; no gradient."""
    from ..random import _random
    arrays = {k: v.detach().broadcast_to(shape).array if isinstance(v, Tensor) else v
              for k, v in params.items()}
    return _random(kind, shape, None, like.dtype, like.device, False, **arrays)
