"""``Independent``: a batch of distributions read as one distribution over their joint values."""

from .distribution import Distribution


class Independent(Distribution):
    """Reinterprets the last ``reinterpreted_batch_ndims`` batch axes of ``base_distribution`` as
    event axes: the draws are the same, and log p(x) = Σ log pᵢ(xᵢ) over those axes (the values
    are independent), as is the entropy. A diagonal Gaussian is ``Independent(Normal(μ, σ), 1)``.

    >>> import minigrad as mg
    >>> D = mg.distributions
    >>> d = D.Independent(D.Normal(mg.zeros(3), mg.ones(3)), 1)
    >>> d.batch_shape, d.event_shape, round(d.log_prob(mg.zeros(3)).item(), 4)
    ((), (3,), -2.7568)
    """

    def __init__(self, base_distribution, reinterpreted_batch_ndims, validate_args=None):
        n = int(reinterpreted_batch_ndims)
        batch = base_distribution.batch_shape
        if not 0 <= n <= len(batch):
            raise ValueError(f"Independent: expected 0 <= reinterpreted_batch_ndims <= "
                             f"len(base_distribution.batch_shape) = {len(batch)}, actual {n}")
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = n
        super().__init__(batch[:len(batch) - n], batch[len(batch) - n:] + base_distribution.event_shape,
                         validate_args)

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    @property
    def mean(self):
        return self.base_dist.mean

    @property
    def mode(self):
        return self.base_dist.mode

    @property
    def variance(self):
        return self.base_dist.variance

    def sample(self, sample_shape=()):
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape=()):
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value):
        return self._sum_rightmost(self.base_dist.log_prob(value))

    def entropy(self):
        return self._sum_rightmost(self.base_dist.entropy())

    def _sum_rightmost(self, t):
        n = self.reinterpreted_batch_ndims
        return t.sum(tuple(range(-n, 0))) if n else t
