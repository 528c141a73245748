"""Reverse-mode automatic differentiation: ``backward``, ``grad``, ``Function`` and the checks."""

import warnings

from ..tensor import Tensor
from . import function, functional, graph
from .anomaly import detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled, set_detect_anomaly
from .engine import accumulate, run_backward
from .function import Function, once_differentiable
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import gradcheck, gradgradcheck

__all__ = ["Function", "once_differentiable", "backward", "grad", "gradcheck", "gradgradcheck",
           "functional", "graph", "no_grad", "enable_grad", "inference_mode", "set_grad_enabled",
           "is_grad_enabled", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "Variable"]


def Variable(data, requires_grad=False):
    """PyTorch's deprecated ``Variable(t)``: returns ``t`` itself (with ``requires_grad`` set)."""
    return data.requires_grad_(True) if requires_grad else data


def _as_tuple(x):
    """One tensor, or a sequence of them, or a dict's values (``inputs`` may be a dict, as PyTorch's)."""
    if x is None or isinstance(x, Tensor):
        return (x,)
    return tuple(x.values() if isinstance(x, dict) else x)


def _root_grads(outputs, grad_outputs):
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        device = out.device
        if g is None:
            if out.array.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs; output {i} has shape "
                    f"{tuple(out.shape)}: pass gradient= (grad_outputs=) of that shape")
            ones = device.backend.full(out.array.shape, 1, out.array.dtype, device.index)
            g = Tensor._wrap(ones, device)
        elif not isinstance(g, Tensor):
            g = Tensor._wrap(device.backend.asarray(g, out.dtype, device.index), device)
        elif g.shape != out.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(g.shape)} and "
                               f"output[{i}] has a shape of {tuple(out.shape)}")
        elif g.device != device:
            raise RuntimeError(f"grad_output[{i}] is on {g.device} but output[{i}] is on {device}")
        elif g.dtype is not out.dtype:  # PyTorch casts the seed gradient to the output's dtype
            g = g.type(out.dtype)
        grads.append(g)
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves they depend on."""
    tensors = _as_tuple(tensors)
    grad_tensors = (None,) * len(tensors) if grad_tensors is None else _as_tuple(grad_tensors)
    retain_graph = create_graph if retain_graph is None else retain_graph
    roots = _root_grads(tensors, grad_tensors)
    if inputs is None:
        run_backward(tensors, roots, retain_graph, create_graph)
        return
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("backward: the `inputs` argument cannot be empty (None means every leaf)")
    captured = run_backward(tensors, roots, retain_graph, create_graph, inputs=inputs)
    for t, g in zip(inputs, captured):
        if g is None:
            continue
        if t.grad_fn is None:  # a leaf: into .grad as backward() does, in place
            accumulate(t, g, False, create_graph)
        else:
            g = g if create_graph else g.detach()
            t.grad = g if t.grad is None else t.grad + g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple (a dict for a dict of
    inputs, as PyTorch's); ``.grad`` is untouched.

    An input the outputs do not depend on raises, unless ``allow_unused`` (its gradient is then
    None) or ``materialize_grads`` (zeros, requiring grad under ``create_graph``). ``only_inputs``
    is PyTorch's deprecated argument, accepted and ignored as there.

    >>> import minigrad as mg
    >>> x = mg.tensor(3.0, requires_grad=True)
    >>> (dx,) = mg.grad(x ** 3, x, create_graph=True)
    >>> (d2x,) = mg.grad(dx, x)
    >>> dx.item(), d2x.item()
    (27.0, 18.0)
    """
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). To "
                      "accumulate gradient for other parts of the graph, please use torch.autograd.backward.",
                      FutureWarning, stacklevel=2)
    if is_grads_batched:
        raise NotImplementedError("grad: is_grads_batched=True needs vmap, which minigrad does not have")
    if allow_unused is False and materialize_grads:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    allow_unused = bool(allow_unused) or materialize_grads
    names = list(inputs) if isinstance(inputs, dict) else None
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("grad: the `inputs` argument cannot be empty")
    grad_outputs = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    retain_graph = create_graph if retain_graph is None else retain_graph
    captured = run_backward(outputs, _root_grads(outputs, grad_outputs), retain_graph, create_graph,
                            inputs=inputs)
    result = []
    for i, g in enumerate(captured):
        if g is None and not allow_unused:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) appears to not have been "
                               "used in the graph. Set allow_unused=True if this is the desired behavior.")
        if g is None and materialize_grads:
            g = inputs[i].detach().new_zeros(inputs[i].shape).requires_grad_(create_graph)
        result.append(g if g is None or create_graph else g.detach())
    return tuple(result) if names is None else dict(zip(names, result))
