"""The continuous uniform distribution on [low, high)."""

import math

from ..random import rand
from .distribution import Distribution, broadcast_params


class Uniform(Distribution):
    """U[low, high), with ``rsample`` x = low + (high - low)·u, u ~ U[0, 1) (differentiable in
    both bounds).

    log p(x) = -log(high - low) inside the support;  entropy = log(high - low);
    mean = (low + high)/2, stddev = (high - low)/√12.
    """

    has_rsample = True
    arg_constraints = {"low": "real", "high": "real"}

    def __init__(self, low, high, validate_args=None):
        (self.low, self.high), shape = broadcast_params(low, high)
        super().__init__(shape, (), validate_args)
        self._check("low", self.low < self.high, "LessThan(high)")

    @property
    def mean(self):
        return (self.low + self.high) / 2

    @property
    def stddev(self):
        return (self.high - self.low) / math.sqrt(12)

    @property
    def variance(self):
        return (self.high - self.low) ** 2 / 12

    def rsample(self, sample_shape=()):
        u = rand(self._extended_shape(sample_shape), dtype=self.low.dtype, device=self.low.device)
        return self.low + (self.high - self.low) * u

    def log_prob(self, value):
        inside = (value >= self.low) & (value < self.high)
        self._check_value(inside, "Interval(low, high)")
        return (inside.type(self.low.dtype)).log() - (self.high - self.low).log()

    def entropy(self):
        return (self.high - self.low).log()

    def cdf(self, value):
        return ((value - self.low) / (self.high - self.low)).clamp(0, 1)
