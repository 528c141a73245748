"""Bijective transforms and ``TransformedDistribution``: y = f(x) for x from a base distribution,
log p(y) = log p_base(f⁻¹(y)) - log|det ∂f/∂x| (normalizing flows, bounded action spaces)."""

import math

from .distribution import Distribution


class Transform:
    """A bijection y = f(x) with its inverse and log|det ∂y/∂x| (elementwise: ``event_dim`` 0)."""

    event_dim = 0

    def __call__(self, x):
        return self._call(x)

    def _call(self, x):
        raise NotImplementedError

    def _inverse(self, y):
        raise NotImplementedError

    def log_abs_det_jacobian(self, x, y):
        raise NotImplementedError

    @property
    def inv(self):
        return _InverseTransform(self)


class _InverseTransform(Transform):
    def __init__(self, transform):
        self._inv = transform
        self.event_dim = transform.event_dim

    def _call(self, x):
        return self._inv._inverse(x)

    def _inverse(self, y):
        return self._inv(y)

    def log_abs_det_jacobian(self, x, y):
        return -self._inv.log_abs_det_jacobian(y, x)

    @property
    def inv(self):
        return self._inv


class ExpTransform(Transform):
    """y = eˣ;  log|dy/dx| = x."""

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x


class AffineTransform(Transform):
    """y = loc + scale·x;  log|dy/dx| = log|scale| (summed over ``event_dim`` trailing axes)."""

    def __init__(self, loc, scale, event_dim=0):
        self.loc, self.scale, self.event_dim = loc, scale, event_dim

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        scale = self.scale
        result = (scale.abs().log() if hasattr(scale, "abs") else math.log(abs(scale))) + x * 0
        return result.sum(tuple(range(-self.event_dim, 0))) if self.event_dim else result


class SigmoidTransform(Transform):
    """y = σ(x);  log|dy/dx| = -softplus(-x) - softplus(x)."""

    def _call(self, x):
        return x.sigmoid()

    def _inverse(self, y):
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x, y):
        return -(-x).softplus() - x.softplus()


class TanhTransform(Transform):
    """y = tanh x;  log|dy/dx| = 2(log 2 - x - softplus(-2x)) (stable, as PyTorch)."""

    def _call(self, x):
        return x.tanh()

    def _inverse(self, y):
        return y.atanh()

    def log_abs_det_jacobian(self, x, y):
        return 2.0 * (math.log(2.0) - x - (-2.0 * x).softplus())


class PowerTransform(Transform):
    """y = xᵉ (x > 0);  log|dy/dx| = log|e·y/x|."""

    def __init__(self, exponent):
        self.exponent = exponent

    def _call(self, x):
        return x ** self.exponent

    def _inverse(self, y):
        return y ** (1 / self.exponent)

    def log_abs_det_jacobian(self, x, y):
        return (self.exponent * y / x).abs().log()


class ComposeTransform(Transform):
    """The transforms applied in order; the log-determinants add up."""

    def __init__(self, parts):
        self.parts = list(parts)
        self.event_dim = max((p.event_dim for p in self.parts), default=0)

    def _call(self, x):
        for part in self.parts:
            x = part(x)
        return x

    def _inverse(self, y):
        for part in reversed(self.parts):
            y = part._inverse(y)
        return y

    def log_abs_det_jacobian(self, x, y):
        total = 0.0
        for part in self.parts:
            nxt = part(x)
            total = total + _sum_event(part.log_abs_det_jacobian(x, nxt), self.event_dim - part.event_dim)
            x = nxt
        return total


def _sum_event(value, dims):
    return value.sum(tuple(range(-dims, 0))) if dims > 0 else value


class TransformedDistribution(Distribution):
    """The law of y = f(x), x ~ ``base_distribution``, f the ``transforms`` applied in order.

    log p(y) = log p_base(x) - Σ log|det ∂fᵢ| with x = f⁻¹(y); ``rsample`` when the base has it.

    >>> import minigrad as mg
    >>> D = mg.distributions
    >>> d = D.TransformedDistribution(D.Normal(0.0, 1.0), [D.transforms.ExpTransform()])
    >>> round(d.log_prob(mg.tensor(1.0)).item(), 4)  # the log-normal density at 1
    -0.9189
    """

    def __init__(self, base_distribution, transforms, validate_args=None):
        self.base_dist = base_distribution
        self.transforms = [transforms] if isinstance(transforms, Transform) else list(transforms)
        event_dim = max([len(base_distribution.event_shape)] + [t.event_dim for t in self.transforms])
        shape = base_distribution.batch_shape + base_distribution.event_shape
        cut = len(shape) - event_dim
        super().__init__(shape[:cut], shape[cut:], validate_args)

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    def sample(self, sample_shape=()):
        x = self.base_dist.sample(sample_shape)
        for transform in self.transforms:
            x = transform(x)
        return x.detach()

    def rsample(self, sample_shape=()):
        x = self.base_dist.rsample(sample_shape)
        for transform in self.transforms:
            x = transform(x)
        return x

    def log_prob(self, value):
        event_dim = len(self.event_shape)
        log_prob, y = 0.0, value
        for transform in reversed(self.transforms):
            x = transform._inverse(y)
            jacobian = transform.log_abs_det_jacobian(x, y)
            log_prob = log_prob - _sum_event(jacobian, event_dim - transform.event_dim)
            y = x
        return log_prob + _sum_event(self.base_dist.log_prob(y), event_dim - len(self.base_dist.event_shape))
