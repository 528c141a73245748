"""Categorical distributions over K classes: indices (``Categorical``) or one-hot vectors."""

from .._coerce import _broadcast_shape
from ..creation import arange
from ..dtypes import finfo
from ..random import multinomial
from .distribution import Distribution


class Categorical(Distribution):
    """P(X = k) = pₖ over the last axis of ``probs`` (normalised to sum to one) or ``logits``
    (log-probabilities up to a constant); exactly one of them.

    log p(k) = logitsₖ - logsumexp(logits);  entropy = -Σ pₖ log pₖ. Draws are int64 indices of
    shape ``sample_shape + batch_shape``; no ``rsample`` (discrete).

    >>> import minigrad as mg
    >>> d = mg.distributions.Categorical(probs=mg.tensor([0.25, 0.75]))
    >>> round(d.log_prob(mg.tensor(1)).exp().item(), 4)
    0.75
    """

    arg_constraints = {"probs": "simplex", "logits": "real_vector"}

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError(f"{type(self).__name__}: either `probs` or `logits` must be specified, "
                             "but not both")
        param = probs if probs is not None else logits
        if param.ndim < 1:
            raise ValueError(f"{type(self).__name__}: `probs` or `logits` needs at least one "
                             "dimension (the classes)")
        self._validate_args = True if validate_args is None else bool(validate_args)
        if probs is not None:
            self._check("probs", (probs >= 0) & probs.isfinite(), "Simplex()")
            self.probs = probs / probs.sum(-1, keepdim=True)
            self.logits = self.probs.clamp(min=finfo(probs.dtype).tiny).log()
        else:
            self.logits = logits - logits.logsumexp(-1, keepdim=True)
            self.probs = self.logits.softmax(-1)
        self._num_events = param.shape[-1]
        super().__init__(param.shape[:-1], (), validate_args)

    @property
    def param_shape(self):
        return self.probs.shape

    @property
    def mean(self):
        return self.probs.new_full(self.batch_shape, float("nan"))

    @property
    def variance(self):
        return self.probs.new_full(self.batch_shape, float("nan"))

    @property
    def mode(self):
        return self.probs.argmax(-1)

    def sample(self, sample_shape=()):
        sample_shape = tuple(sample_shape)
        n = 1
        for s in sample_shape:
            n *= s
        flat = self.probs.detach().reshape(-1, self._num_events)
        draws = multinomial(flat, n, replacement=True) if n else flat.new_zeros((flat.shape[0], 0)).long()
        return draws.T.reshape(sample_shape + self.batch_shape)

    def log_prob(self, value):
        value = value.long()
        support = f"IntegerInterval(0, {self._num_events - 1})"
        self._check_value((value >= 0) & (value < self._num_events), support)
        shape = _broadcast_shape(tuple(value.shape), self.batch_shape)
        logits = self.logits.expand(shape + (self._num_events,))
        return logits.gather(-1, value.expand(shape).unsqueeze(-1)).squeeze(-1)

    def entropy(self):
        logits = self.logits.clamp(min=finfo(self.logits.dtype).min)
        return -(self.probs * logits).sum(-1)


class OneHotCategorical(Distribution):
    """``Categorical`` with draws as one-hot vectors (event shape ``(K,)``): mean = p,
    variance = p(1 - p); log_prob reads the index of the one in ``value``."""

    arg_constraints = Categorical.arg_constraints

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits, validate_args)
        super().__init__(self._categorical.batch_shape, (self._categorical._num_events,), validate_args)

    probs = property(lambda self: self._categorical.probs)
    logits = property(lambda self: self._categorical.logits)

    @property
    def mean(self):
        return self.probs

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        index = self._categorical.sample(sample_shape)
        classes = arange(self.event_shape[0], device=index.device)
        return (index.unsqueeze(-1) == classes).type(self.probs.dtype)

    def log_prob(self, value):
        self._check_value(((value == 0) | (value == 1)).all(-1) & (value.sum(-1) == 1), "OneHot()")
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self):
        return self._categorical.entropy()
