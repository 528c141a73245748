"""One flat vector from many parameters and back (``parameters_to_vector`` / ``vector_to_parameters``)."""

from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_same_device(params):
    devices = {p.device for p in params}
    if len(devices) > 1:
        raise TypeError(f"found parameters on several devices ({', '.join(sorted(map(str, devices)))}); "
                        "move them to one device first")


def parameters_to_vector(parameters):
    """Concatenate the parameters, each flattened, into one 1-D Tensor (differentiable).

    >>> import minigrad as mg
    >>> parameters_to_vector([mg.ones(2, 2), mg.zeros(3)]).tolist()
    [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    """
    from ...functions import cat
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    params = list(parameters)
    _check_same_device(params)
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of ``vec`` into the parameters (their storage is replaced, as in PyTorch).

    >>> import minigrad as mg
    >>> a, b = mg.zeros(2), mg.zeros(1, 2)
    >>> vector_to_parameters(mg.tensor([1.0, 2.0, 3.0, 4.0]), [a, b])
    >>> a.tolist(), b.tolist()
    ([1.0, 2.0], [[3.0, 4.0]])
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected vec to be a Tensor, but got: {type(vec).__name__}")
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    params = list(parameters)
    _check_same_device(params + [vec])
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ValueError(f"vec has shape {tuple(vec.shape)}, the parameters need {total} elements")
    xp, offset = vec.device.xp, 0
    for p in params:
        n = p.numel()
        p.data = Tensor._wrap(xp.reshape(vec.array[offset:offset + n], p.shape), vec.device)
        offset += n
