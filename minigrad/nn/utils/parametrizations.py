"""``nn.utils.parametrizations``: ``weight_norm`` and ``spectral_norm`` as parametrizations."""

from ... import linalg
from ...autograd.grad_mode import no_grad
from .. import functional as F
from ..module import Module
from . import parametrize


def _norm_except_dim(v, dim):
    """‖v‖₂ over every axis but ``dim``, keeping them as size 1; over all of v when dim is -1
    (PyTorch's convention for ``dim=None``)."""
    if dim == -1:
        return v.norm()
    dim %= v.ndim
    return linalg.vector_norm(v, 2, dim=tuple(d for d in range(v.ndim) if d != dim), keepdim=True)


class _WeightNorm(Module):
    """w = g · v / ‖v‖ (Salimans & Kingma, 2016), the norm taken per slice along ``dim``."""

    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / _norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight):
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Reparametrize ``module.<name>`` as g · v / ‖v‖: ``parametrizations.<name>.original0`` is
    the magnitude g (one per slice along ``dim``; one in all for ``dim=None``), ``original1``
    the direction v.

    >>> import minigrad.nn as nn
    >>> layer = weight_norm(nn.Linear(4, 3))
    >>> layer.parametrizations.weight.original0.shape
    (3, 1)
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


class _SpectralNorm(Module):
    """w = W / σ(W), σ the largest singular value of W reshaped to (W.shape[dim], -1), estimated
    by power iteration (Miyato et al., 2018): u ← Wv/‖Wv‖, v ← Wᵀu/‖Wᵀu‖, σ = uᵀWv; one step
    (``n_power_iterations``) per forward in training mode. u and v are buffers (``_u``, ``_v``)."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight.detach())
            h, w = weight_mat.shape
            u, v = weight_mat.new_empty(h).normal_(0, 1), weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        with no_grad():
            for _ in range(n_power_iterations):
                self._u.copy_(F.normalize(weight_mat @ self._v, dim=0, eps=self.eps))
                self._v.copy_(F.normalize(weight_mat.mT @ self._u, dim=0, eps=self.eps))

    def forward(self, weight):
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = u @ (weight_mat @ v)
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Reparametrize ``module.<name>`` as W / σ(W) (see ``_SpectralNorm``); ``dim`` defaults to 1
    for transposed convolutions (their output channels) and 0 otherwise."""
    from ..modules.conv import ConvTranspose2d
    weight = getattr(module, name, None)
    if weight is None:
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, ConvTranspose2d) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
