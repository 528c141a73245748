"""``MixtureSameFamily``: a mixture of K components of one family (Gaussian mixtures, mixture
density networks), chosen by a ``Categorical`` over the components."""

from .categorical import Categorical
from .distribution import Distribution


class MixtureSameFamily(Distribution):
    """p(x) = Σₖ πₖ pₖ(x), the K components along the last batch axis of
    ``component_distribution`` and π from ``mixture_distribution`` (a ``Categorical`` over K).

    log p(x) = logsumexp_k(log πₖ + log pₖ(x));  mean = Σ πₖ μₖ;  variance by the law of total
    variance. ``sample`` picks a component, then draws from it (no ``rsample``).

    >>> import minigrad as mg
    >>> D = mg.distributions
    >>> gmm = D.MixtureSameFamily(D.Categorical(probs=mg.tensor([0.5, 0.5])),
    ...                           D.Normal(mg.tensor([-1.0, 1.0]), mg.tensor([1.0, 1.0])))
    >>> round(gmm.mean.item(), 4), round(gmm.variance.item(), 4)
    (0.0, 2.0)
    """

    def __init__(self, mixture_distribution, component_distribution, validate_args=None):
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError("The Mixture distribution needs to be an instance of "
                             "torch.distributions.Categorical")
        batch = component_distribution.batch_shape
        if not batch:
            raise ValueError("`component_distribution` needs a batch dimension for the components")
        k = batch[-1]
        if mixture_distribution.logits.shape[-1] != k:
            raise ValueError(f"`mixture_distribution component` ({mixture_distribution.logits.shape[-1]}) "
                             f"does not equal `component_distribution.batch_shape[-1]` ({k})")
        self.mixture_distribution = mixture_distribution
        self.component_distribution = component_distribution
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(batch[:-1], component_distribution.event_shape, validate_args)

    @property
    def has_rsample(self):
        return False

    def _pad_weights(self, weights):
        """Mixture weights (…, K) with a trailing 1 per event axis, to weigh the components' values."""
        return weights.reshape(tuple(weights.shape) + (1,) * self._event_ndims)

    @property
    def mean(self):
        probs = self._pad_weights(self.mixture_distribution.probs)
        return (probs * self.component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self):
        probs = self._pad_weights(self.mixture_distribution.probs)
        axis = -1 - self._event_ndims
        mean_cond_var = (probs * self.component_distribution.variance).sum(axis)
        spread = self.component_distribution.mean - self.mean.unsqueeze(axis)
        var_cond_mean = (probs * spread ** 2).sum(axis)
        return mean_cond_var + var_cond_mean

    def log_prob(self, value):
        x = value.unsqueeze(-1 - self._event_ndims)  # against every component
        log_prob_x = self.component_distribution.log_prob(x)
        return (log_prob_x + self.mixture_distribution.logits.log_softmax(-1)).logsumexp(-1)

    def cdf(self, value):
        x = value.unsqueeze(-1 - self._event_ndims)
        return (self.component_distribution.cdf(x) * self.mixture_distribution.probs).sum(-1)

    def sample(self, sample_shape=()):
        sample_shape = tuple(sample_shape)
        which = self.mixture_distribution.sample(sample_shape)  # sample_shape + batch_shape
        draws = self.component_distribution.sample(sample_shape)  # ... + (K,) + event_shape
        index = which.reshape(tuple(which.shape) + (1,) * (1 + self._event_ndims))
        index = index.expand(tuple(which.shape) + (1,) + tuple(self.event_shape))
        return draws.gather(len(sample_shape) + len(self.batch_shape), index).squeeze(
            len(sample_shape) + len(self.batch_shape))
