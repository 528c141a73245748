"""Counting distributions: Poisson, Geometric, Binomial (PyTorch's formulas; no ``rsample``)."""

from ..dtypes import finfo
from ..nn._loss import binary_cross_entropy_with_logits
from ..random import rand
from .distribution import Distribution, broadcast_params, draw


def _probs_logits(name, probs, logits):
    """``(probs, logits)`` from exactly one of them (probabilities clamped off 0 and 1 for the logits)."""
    if (probs is None) == (logits is None):
        raise ValueError(f"{name}: either `probs` or `logits` must be specified, but not both")
    if probs is not None:
        eps = finfo(probs.dtype).eps if hasattr(probs, "dtype") else 1.2e-7
        clamped = probs.clamp(eps, 1 - eps)
        return probs, clamped.log() - (-clamped).log1p()
    return logits.sigmoid(), logits


class Poisson(Distribution):
    """P(k) = λᵏe^(-λ)/k!;  log P = k log λ - λ - log Γ(k + 1);  mean = variance = λ.

    >>> import minigrad as mg
    >>> round(mg.distributions.Poisson(mg.tensor(3.0)).log_prob(mg.tensor(2.0)).item(), 4)
    -1.4959
    """

    arg_constraints = {"rate": "nonnegative"}

    def __init__(self, rate, validate_args=None):
        (self.rate,), shape = broadcast_params(rate)
        super().__init__(shape, (), validate_args)
        self._check("rate", self.rate >= 0, "GreaterThanEq(lower_bound=0.0)")

    mean = property(lambda self: self.rate)
    mode = property(lambda self: self.rate.floor())
    variance = property(lambda self: self.rate)

    def sample(self, sample_shape=()):
        return draw("poisson", self._extended_shape(sample_shape), self.rate, lam=self.rate)

    def log_prob(self, value):
        self._check_value((value >= 0) & (value == value.floor()), "IntegerGreaterThan(lower_bound=0)")
        return value.xlogy(self.rate) - self.rate - (value + 1).lgamma()


class Geometric(Distribution):
    """The number of failures before the first success: P(k) = (1 - p)ᵏ p.

    log P = k log(1 - p) + log p;  mean = 1/p - 1, variance = (1/p - 1)/p.
    """

    arg_constraints = {"probs": "unit_interval", "logits": "real"}

    def __init__(self, probs=None, logits=None, validate_args=None):
        (param,), shape = broadcast_params(probs if probs is not None else logits)
        self.probs, self.logits = _probs_logits("Geometric", param if probs is not None else None,
                                                param if logits is not None else None)
        super().__init__(shape, (), validate_args)
        if probs is not None:
            self._check("probs", (param > 0) & (param <= 1), "Interval(lower_bound=0.0, upper_bound=1.0)")

    mean = property(lambda self: 1 / self.probs - 1)
    mode = property(lambda self: self.probs * 0)
    variance = property(lambda self: (1 / self.probs - 1) / self.probs)

    def sample(self, sample_shape=()):
        tiny = finfo(self.probs.dtype).tiny
        u = rand(self._extended_shape(sample_shape), dtype=self.probs.dtype, device=self.probs.device)
        return (u.clamp(min=tiny).log() / (-self.probs.detach()).log1p()).floor()

    def log_prob(self, value):
        # a certain success (p = 1) at k = 0 has probability 1, not 0·log 0
        p = self.probs.masked_fill((self.probs == 1) & (value == 0), 0.0)
        return value * (-p).log1p() + self.probs.log()

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none") / self.probs


class Binomial(Distribution):
    """The number of successes in ``total_count`` n trials of probability p.

    log P(k) = log n! - log k! - log (n - k)! + k log p + (n - k) log(1 - p), in logits (stable);
    mean = np, variance = np(1 - p).
    """

    arg_constraints = {"total_count": "nonnegative_integer", "probs": "unit_interval", "logits": "real"}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        (param,), _ = broadcast_params(probs if probs is not None else logits)
        (self.total_count, param), shape = broadcast_params(total_count, param)
        self.total_count = self.total_count.type(param.dtype)
        self.probs, self.logits = _probs_logits("Binomial", param if probs is not None else None,
                                                param if logits is not None else None)
        super().__init__(shape, (), validate_args)

    mean = property(lambda self: self.total_count * self.probs)
    mode = property(lambda self: ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count))
    variance = property(lambda self: self.total_count * self.probs * (1 - self.probs))

    def sample(self, sample_shape=()):
        return draw("binomial", self._extended_shape(sample_shape), self.probs, n=self.total_count.long(),
                    p=self.probs)

    def log_prob(self, value):
        n, logits = self.total_count, self.logits
        normalize = n * ((logits.clamp(min=0) + logits - logits.clamp(max=0)) / 2) \
            + n * (-logits.abs()).exp().log1p() - (n + 1).lgamma()
        return value * logits - (value + 1).lgamma() - (n - value + 1).lgamma() - normalize
