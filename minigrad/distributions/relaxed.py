"""Continuous relaxations of discrete distributions (Concrete / Gumbel-softmax; Maddison et al.
and Jang et al., 2017): reparameterised draws that tend to the discrete ones as the temperature
goes to 0. PyTorch's construction: a logit- (or log-) space distribution, then a transform."""

import math

from ..dtypes import finfo
from ..random import rand
from .categorical import Categorical
from .distribution import Distribution, as_param
from .transforms import ExpTransform, SigmoidTransform, TransformedDistribution


def _clamp_probs(p):
    eps = finfo(p.dtype).eps
    return p.clamp(eps, 1 - eps)


class LogitRelaxedBernoulli(Distribution):
    """The logit of a relaxed Bernoulli draw: (log u - log(1-u) + logit p) / τ, u ~ U(0, 1).

    log p(x) = log τ + d - 2 log(1 + eᵈ), d = logit p - τx.
    """

    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        from .discrete import _probs_logits
        param = probs if probs is not None else logits
        param = as_param(param)
        self.probs, self.logits = _probs_logits("LogitRelaxedBernoulli", param if probs is not None else None,
                                                param if logits is not None else None)
        self.temperature = as_param(temperature, param)
        super().__init__(tuple(param.shape), (), validate_args)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        probs = _clamp_probs(self.probs.expand(shape))
        u = _clamp_probs(rand(shape, dtype=probs.dtype, device=probs.device))
        return (u.log() - (-u).log1p() + probs.log() - (-probs).log1p()) / self.temperature

    def log_prob(self, value):
        diff = self.logits - value * self.temperature
        return self.temperature.log() + diff - 2 * diff.exp().log1p()


class RelaxedBernoulli(TransformedDistribution):
    """A value in (0, 1) that tends to a Bernoulli(p) draw as ``temperature`` → 0: σ of a
    ``LogitRelaxedBernoulli`` draw."""

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        super().__init__(LogitRelaxedBernoulli(temperature, probs, logits), SigmoidTransform(), validate_args)

    temperature = property(lambda self: self.base_dist.temperature)
    probs = property(lambda self: self.base_dist.probs)
    logits = property(lambda self: self.base_dist.logits)


class ExpRelaxedCategorical(Distribution):
    """The log of a relaxed one-hot draw: log_softmax((logits + g)/τ), g Gumbel(0, 1) noise.

    log p(x) = log Γ(K) + (K - 1) log τ + Σ (s - logsumexp s), s = logits - τx.
    """

    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        self.logits, self.probs = self._categorical.logits, self._categorical.probs
        self.temperature = as_param(temperature, self.logits)
        super().__init__(tuple(self.logits.shape[:-1]), tuple(self.logits.shape[-1:]), validate_args)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        u = _clamp_probs(rand(shape, dtype=self.logits.dtype, device=self.logits.device))
        scores = (self.logits + -(-u.log()).log()) / self.temperature
        return scores - scores.logsumexp(-1, keepdim=True)

    def log_prob(self, value):
        k = self.event_shape[0]
        log_scale = math.lgamma(k) + (k - 1) * self.temperature.log()
        score = self.logits - value * self.temperature
        return (score - score.logsumexp(-1, keepdim=True)).sum(-1) + log_scale


class RelaxedOneHotCategorical(TransformedDistribution):
    """A point of the simplex that tends to a one-hot Categorical draw as ``temperature`` → 0
    (the Gumbel-softmax sample): exp of an ``ExpRelaxedCategorical`` draw."""

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        super().__init__(ExpRelaxedCategorical(temperature, probs, logits), ExpTransform(), validate_args)

    temperature = property(lambda self: self.base_dist.temperature)
    probs = property(lambda self: self.base_dist.probs)
    logits = property(lambda self: self.base_dist.logits)
