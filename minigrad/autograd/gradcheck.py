"""Compare analytic gradients with central finite differences, in float64.

Everything stays on the tensors' device: perturbations, Jacobians and the comparison use the
array namespace, and only the verdict (a few Python floats) leaves it.
"""

from ..tensor import Tensor
from .grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    """The analytic and numerical Jacobians disagree."""


def _outputs(fn, inputs):
    out = fn(*inputs)
    return (out,) if isinstance(out, Tensor) else tuple(out)


def _one_hot(like, k):
    backend, device = like.device.backend, like.device
    flat = backend.full((like.numel(),), 0, like.array.dtype, device.index)
    flat[k] = 1
    return Tensor._wrap(device.xp.reshape(flat, like.shape), device)


def _perturbed(array, j, delta, xp):
    flat = xp.reshape(xp.asarray(array, copy=True), (-1,))
    flat[j] = flat[j] + delta
    return xp.reshape(flat, array.shape)


def _numerical(fn, inputs, x, eps):
    """Columns d(outputs)/d(x_j) by central differences, as one (n_out, n_in) array."""
    xp = x.device.xp
    original = x.array
    columns = []
    with no_grad():
        for j in range(x.numel()):
            values = []
            for delta in (eps, -eps):
                x.array = _perturbed(original, j, delta, xp)
                outs = _outputs(fn, inputs)
                values.append(xp.concat([xp.reshape(xp.astype(o.array, xp.float64), (-1,)) for o in outs]))
            x.array = original
            columns.append((values[0] - values[1]) / (2 * eps))
    return xp.stack(columns, axis=1) if columns else None


def _analytic(outputs, x):
    """Rows d(output_k)/dx from one backward pass per output element, as (n_out, n_in)."""
    from . import grad
    xp = x.device.xp
    rows = []
    for out in outputs:
        for k in range(out.numel()):
            if out.requires_grad:
                (g,) = grad(out, x, grad_outputs=_one_hot(out, k), retain_graph=True, allow_unused=True)
            else:
                g = None
            rows.append(xp.zeros_like(xp.reshape(x.array, (-1,)), dtype=xp.float64) if g is None
                        else xp.reshape(xp.astype(g.array, xp.float64), (-1,)))
    return xp.stack(rows, axis=0) if rows else None


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check ``fn``'s gradients w.r.t. every float64 input that requires grad.

    The analytic Jacobian (one backward per output element) must match the central difference
    (f(x + ε eⱼ) - f(x - ε eⱼ)) / 2ε within ``atol + rtol·|numerical|``; otherwise raises (or
    returns False) naming the input, the output and input elements, and both values.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    checked = [(i, x) for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad")
    for i, x in checked:
        if x.dtype.name != "float64":
            raise ValueError(f"gradcheck: input {i} is {x.dtype}; finite differences need float64")
    outputs = _outputs(fn, inputs)
    for i, x in checked:
        xp = x.device.xp
        numerical = _numerical(fn, inputs, x, eps)
        analytic = _analytic(outputs, x)
        if analytic is None or numerical is None or numerical.shape[0] == 0:
            continue
        excess = xp.abs(analytic - numerical) - (atol + rtol * xp.abs(numerical))
        worst = int(xp.argmax(xp.reshape(excess, (-1,))))
        nan_mismatch = bool(xp.any(xp.isnan(analytic) != xp.isnan(numerical)))
        if float(xp.reshape(excess, (-1,))[worst]) > 0 or nan_mismatch:
            k, j = divmod(worst, numerical.shape[1])
            message = (f"gradcheck: Jacobian mismatch for input {i} (shape {tuple(x.shape)}) at output "
                       f"element {k}, input element {j}: analytic {float(analytic[k, j])!r} vs numerical "
                       f"{float(numerical[k, j])!r} (atol={atol}, rtol={rtol})")
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check second derivatives: ``gradcheck`` of x, v -> vᵀ ∂fn/∂x built with ``create_graph``."""
    from .. import randn_like
    from . import grad
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    outputs = _outputs(fn, inputs)
    if grad_outputs is None:
        grad_outputs = tuple(randn_like(o).requires_grad_(True) for o in outputs)
    n = len(inputs)

    def first_derivative(*args):
        xs, vs = args[:n], args[n:]
        with enable_grad():  # the finite differences evaluate this under no_grad
            outs = _outputs(fn, xs)
            grads = grad(outs, [xs[i] for i in diff], grad_outputs=vs, create_graph=True,
                         allow_unused=True)
            return tuple(g if g is not None else xs[i] * 0 for g, i in zip(grads, diff))

    return gradcheck(first_derivative, inputs + tuple(grad_outputs), eps, atol, rtol, raise_exception)
