"""``mg.special``: PyTorch's ``torch.special`` names for the special functions minigrad has.

Each is the same function (and gradient) as its ``mg.<name>`` spelling; ``ndtr``, ``ndtri``,
``erfc``, ``sinc``, ``entr``, ``xlog1py`` and ``multigammaln`` are compositions of those.
"""

import math

from .functions import (  # noqa: F401  # noqa: F401  # noqa: F401
    digamma,
    erf,
    erfinv,
    exp,
    exp2,
    expm1,
    lgamma,
    log1p,
    log_softmax,
    logit,
    logsumexp,
    polygamma,
    round,
    sigmoid,
    softmax,
    where,
    xlogy,
)

expit = sigmoid
gammaln = lgamma
psi = digamma


def erfc(input):
    """1 - erf(x) (computed as that difference: PyTorch's kernel keeps more digits far in the tail)."""
    return 1 - erf(input)


def ndtr(input):
    """The standard normal CDF Φ(x) = ½(1 + erf(x/√2))."""
    return 0.5 * (1 + erf(input / math.sqrt(2)))


def ndtri(input):
    """The inverse of ``ndtr``: √2 · erf⁻¹(2p - 1)."""
    return math.sqrt(2) * erfinv(2 * input - 1)


def sinc(input):
    """sin(πx)/(πx), and 1 at x = 0 (gradient 0 there).

    >>> import minigrad as mg
    >>> mg.special.sinc(mg.tensor([0.0, 0.5])).tolist()
    [1.0, 0.6366197466850281]
    """
    zero = input == 0
    safe = where(zero, 1.0, input) * math.pi
    return where(zero, 1.0, safe.sin() / safe)


def entr(input):
    """-x log x for x > 0, 0 at 0, -inf for x < 0 (the elementwise entropy)."""
    positive = input > 0
    outside = where(input == 0, input * 0, -math.inf)  # 0 at 0 (no gradient), -inf below
    return where(positive, -xlogy(input, where(positive, input, 1.0)), outside)


def xlog1py(input, other):
    """x · log1p(y), and 0 where x = 0."""
    zero = input == 0
    return where(zero, 0.0, input * where(zero, 0.0, other).log1p())


def multigammaln(input, p):
    """The multivariate log-gamma log Γ_p(a) = p(p-1)/4 · log π + Σᵢ₌₀^{p-1} log Γ(a - i/2)."""
    if p < 1:
        raise RuntimeError(f"p has to be greater than or equal to 1, got {p}")
    return p * (p - 1) / 4 * math.log(math.pi) + sum(lgamma(input - i / 2) for i in range(p))
