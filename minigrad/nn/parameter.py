"""``nn.Parameter``: a leaf Tensor that a Module registers as one of its learnable weights; and
``nn.Buffer``, a Tensor that a Module registers as one of its buffers when assigned."""

from .. import backend as _backend
from ..tensor import Tensor, _init


class Parameter(Tensor):
    """A Tensor that is a module's learnable weight (``requires_grad=True`` unless told otherwise).

    Assigning a Parameter to a Module attribute registers it, so ``named_parameters()`` and the
    optimizers find it. Built from a Tensor it shares that tensor's storage (as in PyTorch) and
    keeps its dtype and device; built from other data it follows ``mg.tensor``'s inference.

    >>> import minigrad as mg
    >>> p = mg.nn.Parameter(mg.zeros(2))
    >>> p.requires_grad, p.is_leaf, p.shape
    (True, True, (2,))
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            from ..creation import tensor
            data = tensor(data)
        _init(self, data.array, data.device)
        self._version = data._version
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        # copy.deepcopy / copy.copy: a new Parameter with a copy of the data (never pickled to disk:
        # mg.save writes arrays, not objects)
        return (_rebuild_parameter, (self.device.backend.to_numpy(self.array).copy(), str(self.device),
                                     self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        dev = self.device
        out = Parameter(Tensor._wrap(dev.xp.asarray(self.array, copy=True), dev),
                        self.requires_grad)
        if self.grad is not None:
            out.grad = Tensor._wrap(dev.xp.asarray(self.grad.array, copy=True), dev)
        memo[id(self)] = out
        return out


def _rebuild_parameter(host, device, requires_grad):
    dev = _backend.device(device)
    return Parameter(Tensor._wrap(dev.backend.from_numpy(host, dev.index), dev),
                     requires_grad)




class Buffer(Tensor):
    """Marks a Tensor for a Module to register as a buffer when it is assigned to an attribute:
    ``self.mask = nn.Buffer(mg.ones(3))`` is ``self.register_buffer("mask", mg.ones(3))``. As in
    PyTorch, the result is a plain Tensor (the data's, detached), not an instance of this class.

    >>> import minigrad as mg
    >>> class Scaled(mg.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.scale = mg.nn.Buffer(mg.tensor([2.0]))
    ...         self.cache = mg.nn.Buffer(mg.zeros(1), persistent=False)
    >>> m = Scaled()
    >>> [name for name, _ in m.named_buffers()], list(m.state_dict())
    (['scale', 'cache'], ['scale'])
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            from ..creation import tensor
            data = tensor(data)
        marked = data.detach()
        marked._buffer_persistent = persistent  # read (and removed) by Module.__setattr__
        return marked
