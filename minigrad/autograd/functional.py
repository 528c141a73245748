"""Higher-level derivatives built from ``grad``: Jacobians, Hessians, vector products.

As PyTorch's (with ``strict=False``): the derivative of an output with respect to an input it
does not depend on is zeros, also where the output does not require grad at all (the gradient of
a linear function, of a ReLU network with respect to its input), not an error.
"""

from ..tensor import Tensor


def _tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _prepare(inputs):
    return tuple(x.detach().requires_grad_(True) for x in _tuple(inputs))


def grad_or_zeros(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False):
    """``grad`` of those ``outputs`` that require grad (PyTorch's ``_autograd_grad``), with zeros
    for the inputs none of them reaches."""
    from . import grad
    outputs = _tuple(outputs)
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else _tuple(grad_outputs)
    kept = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    grads = (None,) * len(inputs)
    if kept:
        grads = grad([o for o, _ in kept], inputs, [g for _, g in kept], retain_graph=retain_graph,
                     create_graph=create_graph, allow_unused=True)
    return tuple(x.detach().new_zeros(x.shape) if g is None else g for g, x in zip(grads, inputs))


def vjp(func, inputs, v=None, create_graph=False):
    """``(func(inputs), vᵀ J)``."""
    single = isinstance(inputs, Tensor)
    xs = _prepare(inputs)
    out = func(*xs)
    grads = grad_or_zeros(out, xs, v, create_graph=create_graph)
    return out if create_graph else out.detach(), grads[0] if single else grads


def jacobian(func, inputs, create_graph=False):
    """J[i..., j...] = ∂ func(inputs)[i...] / ∂ inputs[j...]; a tuple per input when given several,
    and per output when ``func`` returns several."""
    from ..ops.movement import stack
    xs = _prepare(inputs)
    out = func(*xs)
    jacobians = []
    for o in _tuple(out):
        flat = o.reshape(-1)
        rows = [[] for _ in xs]
        for k in range(flat.numel()):
            for row, g in zip(rows, grad_or_zeros(flat[k], xs, retain_graph=True, create_graph=create_graph)):
                row.append(g)
        jac = tuple(stack(row).reshape(tuple(o.shape) + tuple(x.shape)) if row
                    else x.detach().new_zeros(tuple(o.shape) + tuple(x.shape)) for row, x in zip(rows, xs))
        jacobians.append(jac[0] if isinstance(inputs, Tensor) else jac)
    return jacobians[0] if isinstance(out, Tensor) else tuple(jacobians)


def hessian(func, inputs, create_graph=False):
    """H = ∂² func / ∂x² for a scalar ``func`` (the Jacobian of its gradient)."""

    def gradient(*xs):
        return grad_or_zeros(func(*xs), xs[:1], create_graph=True)[0]

    if not isinstance(inputs, Tensor):
        raise NotImplementedError("hessian: pass a single input tensor")
    return jacobian(gradient, inputs, create_graph=create_graph)


def hvp(func, inputs, v, create_graph=False):
    """``(func(x), H v)`` by double backprop: the gradient of (∇f · v), never forming H.

    >>> import minigrad as mg
    >>> f = lambda x: (x ** 3).sum()          # H = diag(6x)
    >>> hvp(f, mg.tensor([1.0, 2.0]), mg.tensor([1.0, 1.0]))[1]
    tensor([ 6., 12.])"""
    single = isinstance(inputs, Tensor)
    xs = _prepare(inputs)
    vs = _tuple(v)
    out = func(*xs)
    grads = grad_or_zeros(out, xs, create_graph=True)
    dot = sum((g * u).sum() for g, u in zip(grads, vs))
    hv = grad_or_zeros(dot, xs, create_graph=create_graph)
    return out.detach(), hv[0] if single else hv


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``, the forward-mode product computed in reverse mode by the
    double-backward trick: with u a dummy cotangent, g(u) = uᵀJ is linear in u and ∂(g(u)·v)/∂u = J v.

    >>> import minigrad as mg
    >>> jvp(lambda x: x ** 2, mg.tensor([1.0, 3.0]), mg.tensor([1.0, 1.0]))[1]
    tensor([2., 6.])"""
    xs = _prepare(inputs)
    if v is None:
        if any(x.numel() != 1 for x in xs):
            raise RuntimeError("The vector v can only be None if the input to the user-provided function "
                               "is a single Tensor with a single element.")
        v = tuple(x.detach() * 0 + 1 for x in xs)
    vs = _tuple(v)
    out = func(*xs)
    outs = _tuple(out)
    dummies = tuple(o.detach().new_zeros(o.shape).requires_grad_(True) for o in outs)
    vjps = grad_or_zeros(outs, xs, dummies, create_graph=True)
    dot = sum((g * u).sum() for g, u in zip(vjps, vs))
    jv = grad_or_zeros(dot, dummies, create_graph=create_graph)
    detached = out.detach() if isinstance(out, Tensor) else tuple(o.detach() for o in out)
    return detached, jv[0] if isinstance(out, Tensor) else jv


def vhp(func, inputs, v, create_graph=False, strict=False):
    """``(func(x), vᵀ H)``; H is symmetric, so this is ``hvp``'s product."""
    return hvp(func, inputs, v, create_graph)
