"""The Bernoulli distribution: 1 with probability p, else 0."""

from ..dtypes import finfo
from ..random import bernoulli
from .distribution import Distribution, broadcast_params


class Bernoulli(Distribution):
    """Bernoulli(p), given ``probs`` p or ``logits`` log(p/(1-p)) (exactly one).

    log p(x) = x·logit - softplus(logit) (stable for large |logit|);
    entropy = -p log p - (1-p) log(1-p); mean = p, variance = p(1 - p). No ``rsample``: a draw
    is discrete.
    """

    arg_constraints = {"probs": "unit_interval", "logits": "real"}

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Bernoulli: either `probs` or `logits` must be specified, but not both")
        (param,), shape = broadcast_params(probs if probs is not None else logits)
        super().__init__(shape, (), validate_args)
        if probs is not None:
            self._check("probs", (param >= 0) & (param <= 1), "Interval(lower_bound=0.0, upper_bound=1.0)")
            eps = finfo(param.dtype).eps
            clamped = param.clamp(eps, 1 - eps)  # finite logits at p = 0 and 1, as PyTorch
            self.probs, self.logits = param, clamped.log() - (1 - clamped).log()
        else:
            self.probs, self.logits = param.sigmoid(), param

    @property
    def mean(self):
        return self.probs

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        return bernoulli(self.probs.detach().expand(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        value = value.type(self.logits.dtype) if hasattr(value, "type") else value
        self._check_value((value == 0) | (value == 1), "Boolean()")
        return value * self.logits - self.logits.softplus()

    def entropy(self):
        return self.logits.softplus() - self.probs * self.logits
