"""The multivariate normal distribution N(μ, Σ), through the Cholesky factor L of Σ = LLᵀ."""

import math

from .. import linalg
from ..random import randn
from .distribution import Distribution, _broadcast


class MultivariateNormal(Distribution):
    """N(``loc``, Σ) with Σ given as ``covariance_matrix``, ``precision_matrix`` (Σ⁻¹) or
    ``scale_tril`` (L, lower triangular with positive diagonal): exactly one.

    ``rsample`` x = μ + Lε;  log p = -½(k log 2π + ‖L⁻¹(x - μ)‖²) - Σ log Lᵢᵢ;
    entropy = ½k(1 + log 2π) + Σ log Lᵢᵢ. Event shape (k,).

    >>> import minigrad as mg
    >>> d = mg.distributions.MultivariateNormal(mg.zeros(2), scale_tril=mg.tensor([[1.0, 0.0], [0.5, 2.0]]))
    >>> round(d.log_prob(mg.tensor([0.3, -1.0])).item(), 4)
    -2.7413
    """

    has_rsample = True
    arg_constraints = {"loc": "real_vector", "covariance_matrix": "positive_definite",
                       "precision_matrix": "positive_definite", "scale_tril": "lower_cholesky"}

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [m for m in (covariance_matrix, precision_matrix, scale_tril) if m is not None]
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                             "specified.")
        matrix = given[0]
        if matrix.ndim < 2 or matrix.shape[-1] != matrix.shape[-2] or matrix.shape[-1] != loc.shape[-1]:
            raise ValueError(f"MultivariateNormal: the matrix of shape {tuple(matrix.shape)} must be square "
                             f"with the size of loc's last dimension ({loc.shape[-1]})")
        batch = _broadcast(tuple(loc.shape[:-1]), tuple(matrix.shape[:-2]))
        k = loc.shape[-1]
        if scale_tril is not None:
            tril = scale_tril
        elif covariance_matrix is not None:
            tril = linalg.cholesky(covariance_matrix)
        else:
            tril = linalg.cholesky(linalg.inv(precision_matrix))
        self.loc = loc.expand(batch + (k,))
        self._unbroadcasted_scale_tril = tril
        self.scale_tril = tril.expand(batch + (k, k))
        super().__init__(batch, (k,), validate_args)

    mean = property(lambda self: self.loc)
    mode = property(lambda self: self.loc)

    @property
    def covariance_matrix(self):
        return self.scale_tril @ self.scale_tril.mT

    @property
    def precision_matrix(self):
        return linalg.inv(self.covariance_matrix)

    @property
    def variance(self):
        return (self.scale_tril ** 2).sum(-1)

    def rsample(self, sample_shape=()):
        eps = randn(self._extended_shape(sample_shape), dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def _half_log_det(self):
        return self._unbroadcasted_scale_tril.diagonal(0, -2, -1).log().sum(-1)

    def log_prob(self, value):
        diff = value - self.loc
        shape = _broadcast(tuple(diff.shape[:-1]), tuple(self._unbroadcasted_scale_tril.shape[:-2]))
        tril = self._unbroadcasted_scale_tril.expand(shape + self.scale_tril.shape[-2:])
        z = linalg.solve(tril, diff.expand(shape + diff.shape[-1:]))  # L⁻¹(x - μ)
        k = self.event_shape[0]
        return -0.5 * (k * math.log(2 * math.pi) + (z ** 2).sum(-1)) - self._half_log_det()

    def entropy(self):
        k = self.event_shape[0]
        return (0.5 * k * (1.0 + math.log(2 * math.pi)) + self._half_log_det()).expand(self.batch_shape)
