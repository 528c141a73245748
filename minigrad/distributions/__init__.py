"""``mg.distributions``: probability distributions with sampling, reparameterised sampling,
log-densities, entropies and KL divergences, as ``torch.distributions``.

>>> import minigrad as mg
>>> mu = mg.tensor([0.5], requires_grad=True)
>>> x = mg.distributions.Normal(mu, 1.0).rsample((4,))
>>> x.sum().backward()
>>> mu.grad.tolist()
[4.0]
"""

from . import transforms
from .bernoulli import Bernoulli
from .categorical import Categorical, OneHotCategorical
from .continuous import (
    Beta,
    Cauchy,
    Chi2,
    Dirichlet,
    Exponential,
    Gamma,
    Gumbel,
    HalfNormal,
    Laplace,
    LogNormal,
    StudentT,
)
from .discrete import Binomial, Geometric, Poisson
from .distribution import Distribution
from .independent import Independent
from .kl import kl_divergence, register_kl
from .mixture import MixtureSameFamily
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .relaxed import ExpRelaxedCategorical, LogitRelaxedBernoulli, RelaxedBernoulli, RelaxedOneHotCategorical
from .transforms import TransformedDistribution
from .uniform import Uniform

__all__ = ["Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2", "Dirichlet", "Distribution",
           "ExpRelaxedCategorical", "Exponential", "Gamma", "Geometric", "Gumbel", "HalfNormal",
           "Independent", "Laplace", "LogNormal", "LogitRelaxedBernoulli", "MixtureSameFamily",
           "MultivariateNormal", "Normal", "OneHotCategorical", "Poisson", "RelaxedBernoulli",
           "RelaxedOneHotCategorical", "StudentT", "TransformedDistribution", "Uniform", "kl_divergence",
           "register_kl"]
