"""The original ``nn.utils.spectral_norm`` (PyTorch keeps it beside the parametrization): the
parameter ``<name>_orig``, buffers ``<name>_u`` and ``<name>_v``, and a forward pre-hook that sets
``<name>`` = W / σ(W) before each forward, one power-iteration step per training forward."""

from ...autograd.grad_mode import no_grad
from .. import functional as F
from ..parameter import Parameter


class SpectralNorm:
    """The forward pre-hook: v ← Wᵀu/‖Wᵀu‖, u ← Wv/‖Wv‖ (in training), σ = uᵀWv, w = W/σ."""

    def __init__(self, name="weight", n_power_iterations=1, dim=0, eps=1e-12):
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.name, self.dim, self.n_power_iterations, self.eps = name, dim, n_power_iterations, eps

    def reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module, do_power_iteration):
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with no_grad():
                for _ in range(self.n_power_iterations):
                    v.copy_(F.normalize(weight_mat.detach().mT @ u, dim=0, eps=self.eps))
                    u.copy_(F.normalize(weight_mat.detach() @ v, dim=0, eps=self.eps))
            u, v = u.clone(), v.clone()
        sigma = u @ (weight_mat @ v)
        return weight / sigma

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide ``module.<name>`` by its largest singular value, estimated by power iteration; ``dim``
    defaults to 1 for transposed convolutions and 0 otherwise.

    >>> import minigrad.nn as nn
    >>> sorted(name for name, _ in nn.utils.spectral_norm(nn.Linear(3, 2)).named_parameters())
    ['bias', 'weight_orig']
    """
    from ..modules.conv import ConvTranspose2d
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}")
    if dim is None:
        dim = 1 if isinstance(module, ConvTranspose2d) else 0
    fn = SpectralNorm(name, n_power_iterations, dim, eps)
    weight = module._parameters[name]
    with no_grad():
        weight_mat = fn.reshape_weight_to_matrix(weight.detach())
        h, w = weight_mat.shape
        u = F.normalize(weight.new_empty(h).normal_(0, 1), dim=0, eps=eps)
        v = F.normalize(weight.new_empty(w).normal_(0, 1), dim=0, eps=eps)
    del module._parameters[name]
    module.register_parameter(name + "_orig", Parameter(weight.detach(), weight.requires_grad))
    setattr(module, name, weight.detach())
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    module.register_forward_pre_hook(fn)
    return module


def remove_spectral_norm(module, name="weight"):
    """Undo ``spectral_norm``: ``<name>`` becomes one Parameter holding the normalised weight."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, SpectralNorm) and hook.name == name:
            with no_grad():
                weight = hook.compute_weight(module, do_power_iteration=False).detach()
            del module._forward_pre_hooks[key]
            del module._parameters[name + "_orig"]
            del module._buffers[name + "_u"], module._buffers[name + "_v"]
            module.__dict__.pop(name, None)
            module.register_parameter(name, Parameter(weight))
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")
