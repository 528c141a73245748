"""The normal (Gaussian) distribution N(loc, scale²)."""

import math

from ..random import randn
from .distribution import HALF_LOG_2PI, Distribution, broadcast_params


class Normal(Distribution):
    """N(loc, scale²), with ``rsample`` x = loc + scale·ε, ε ~ N(0, 1) (the reparameterisation
    trick: x is differentiable in loc and scale).

    log p(x) = -(x - μ)²/(2σ²) - log σ - ½ log 2π;  entropy = ½ + ½ log 2π + log σ.

    >>> import minigrad as mg
    >>> d = mg.distributions.Normal(0.0, 1.0)
    >>> round(d.log_prob(mg.tensor(0.0)).item(), 4), round(d.entropy().item(), 4)
    (-0.9189, 1.4189)
    """

    has_rsample = True
    arg_constraints = {"loc": "real", "scale": "positive"}

    def __init__(self, loc, scale, validate_args=None):
        (self.loc, self.scale), shape = broadcast_params(loc, scale)
        super().__init__(shape, (), validate_args)
        self._check("scale", self.scale > 0, "GreaterThan(lower_bound=0.0)")

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale * self.scale

    def rsample(self, sample_shape=()):
        eps = randn(self._extended_shape(sample_shape), dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + self.scale * eps

    def log_prob(self, value):
        var = self.scale * self.scale
        return -((value - self.loc) ** 2) / (2 * var) - self.scale.log() - HALF_LOG_2PI

    def entropy(self):
        return 0.5 + HALF_LOG_2PI + self.scale.log()

    def cdf(self, value):
        """P(X ≤ value) = ½ (1 + erf((value - μ)/(σ√2)))."""
        return 0.5 * (1 + ((value - self.loc) / (self.scale * math.sqrt(2))).erf())

    def icdf(self, value):
        """The x with P(X ≤ x) = value: μ + σ√2 · erf⁻¹(2·value - 1)."""
        return self.loc + self.scale * math.sqrt(2) * (2 * value - 1).erfinv()
