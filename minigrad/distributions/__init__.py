"""``mg.distributions``: probability distributions with sampling, reparameterised sampling,
log-densities, entropies and KL divergences, as ``torch.distributions``.

>>> import minigrad as mg
>>> mu = mg.tensor([0.5], requires_grad=True)
>>> x = mg.distributions.Normal(mu, 1.0).rsample((4,))
>>> x.sum().backward()
>>> mu.grad.tolist()
[4.0]
"""

from .bernoulli import Bernoulli
from .categorical import Categorical, OneHotCategorical
from .distribution import Distribution
from .independent import Independent
from .kl import kl_divergence, register_kl
from .normal import Normal
from .uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "Independent", "Normal", "OneHotCategorical",
           "Uniform", "kl_divergence", "register_kl"]
