"""``Tensor``: a backend array, its gradient, and the node of the graph that produced it.

Every method that computes is a one-line call of an op's ``Op.apply`` (``minigrad/ops``);
the Tensor itself only holds state: the array, ``grad``, ``requires_grad``, ``grad_fn`` (the
node that made it, None for leaves), the device, and a version counter that in-place ops bump
so that the engine can tell when a value saved for backward was overwritten.
"""

import operator
import weakref

import numpy as np

from . import backend as _backend
from . import dtypes as _dtypes


class Tensor:
    """A multi-dimensional array that records the operations applied to it.

    ``mg.Tensor(data)`` is always floating point (the default dtype); ``mg.tensor(data)`` infers.

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad.tolist()
    [2.0, 4.0, 6.0]
    """

    __slots__ = ("array", "_grad", "_grad_fn", "device", "_requires_grad", "_output_nr", "_version",
                 "__weakref__", "__dict__")
    __hash__ = object.__hash__
    _hooks = None  # hooks of a leaf (a non-leaf's live on its grad_fn)
    _post_accumulate_hooks = None  # hook(tensor) after backward has written a leaf's .grad
    _retains_grad = False
    name = None  # shown in error messages and pictures
    _base = None  # for a view: the tensor that owns the storage (see autograd/views.py)
    _view_chain = ()  # for a view: the view ops that make it from its base
    _view_version = 0  # for a view: the version its grad_fn was made at

    def __init__(self, data, requires_grad=False, *, dtype=None, device=None):
        if isinstance(data, Tensor):
            data = data.detach()
            dev = data.device if device is None else _backend.device(device)
            if dev != data.device:
                raise RuntimeError(f"Tensor(...): data is on {data.device}, not {dev}; use .to()")
            array = data.array
        else:
            dev = _backend.default_device() if device is None else _backend.device(device)
            array = dev.backend.asarray(data, None, dev.index)
        _init(self, array, dev)
        target = _dtypes.as_dtype(dtype) if dtype is not None else _dtypes.get_default_dtype()
        if self.dtype is not target:
            self.array = dev.xp.astype(self.array, dev.backend.native_dtype[target])
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array, device):
        """A Tensor around a backend array: no history, no gradient."""
        t = object.__new__(cls)
        t.array = array
        t.device = device
        t._requires_grad = False
        t._grad_fn = None
        t._output_nr = 0
        t._grad = None
        t._version = [0]
        return t

    @classmethod
    def _output_of(cls, node, output_nr, array, device):
        """Output ``output_nr`` of the recorded ``node``: a Tensor that requires grad."""
        t = object.__new__(cls)
        t.array = array
        t.device = device
        t._requires_grad = True
        t._grad_fn = node
        t._output_nr = output_nr
        t._grad = None
        t._version = [0]
        return t

    # --- attributes ------------------------------------------------------------------------------
    @property
    def grad_fn(self):
        """The node that made this tensor (None for a leaf)."""
        if self._base is not None and self._version[0] != self._view_version:
            _views.refresh(self)
        return self._grad_fn

    @property
    def requires_grad(self):
        if self._base is not None and self._version[0] != self._view_version:
            _views.refresh(self)
        return self._requires_grad

    @property
    def grad(self):
        """The gradient accumulated by backward (None until then)."""
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None, got {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"assigned grad has data of a different size: {tuple(value.shape)} "
                                   f"for a tensor of shape {tuple(self.shape)}")
            if value.dtype is not self.dtype:
                raise RuntimeError(f"assigned grad has data of a different type: {value.dtype.name} for a "
                                   f"tensor of dtype {self.dtype.name}")
            if value.device != self.device:
                raise RuntimeError(f"assigned grad is on {value.device} but the tensor is on {self.device}")
        self._grad = value

    @requires_grad.setter
    def requires_grad(self, flag):
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        """Start (or stop) recording operations on this leaf; only floating tensors can."""
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError("you can only change requires_grad flags of leaf variables: use .detach()")
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError(
                f"only tensors of floating point dtype can require gradients, got {self.dtype}")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def dtype(self):
        return self.device.backend.dtype_of[self.array.dtype]

    @property
    def shape(self):
        return self.array.shape

    @property
    def ndim(self):
        return self.array.ndim

    def dim(self):
        return self.array.ndim

    def size(self, dim=None):
        return self.array.shape if dim is None else self.array.shape[dim]

    def numel(self):
        n = 1
        for s in self.array.shape:
            n *= s
        return n

    def __len__(self):
        if not self.array.shape:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def element_size(self):
        return self.dtype.itemsize

    @property
    def data(self):
        """A Tensor sharing storage, detached from the graph; assigning swaps the storage."""
        return Tensor._wrap(self.array, self.device)

    @data.setter
    def data(self, value):
        if value.shape != self.shape and self.grad_fn is not None:
            raise RuntimeError(f"data: cannot assign shape {value.shape} to a non-leaf of shape {self.shape}")
        self.array = value.array
        self.device = value.device

    def describe(self):
        """A short name for error messages: 'Tensor name' or 'Tensor of shape (...)'."""
        label = f"Tensor '{self.name}'" if self.name else "Tensor"
        return f"{label} of shape {tuple(self.shape)} (dtype {self.dtype.name}, {self.grad_fn or 'leaf'})"

    # --- conversion ----------------------------------------------------------------------------
    def numpy(self):
        """A NumPy array on the host; on the CPU it shares memory (like PyTorch)."""
        if self.requires_grad:
            raise RuntimeError("numpy() on a tensor that requires grad: call .detach().numpy()")
        if self.device.type != "cpu":
            raise TypeError(f"numpy() on a {self.device} tensor: copy it to the host with .cpu() first")
        return self.device.backend.to_numpy(self.array)

    def __array__(self, dtype=None, copy=None):
        if self.device.type != "cpu":
            raise TypeError(f"can't convert a {self.device} tensor to NumPy; use .cpu() first")
        return np.asarray(self.array, dtype=dtype)

    def item(self):
        if self.numel() != 1:
            raise RuntimeError(f"item(): a Tensor with {self.numel()} elements cannot be converted "
                               "to a scalar")
        return _python_scalar(self.array, self.dtype)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError(f"the truth value of a tensor with {self.numel()} elements is ambiguous")
        return bool(self.item())

    def __index__(self):
        if self.dtype.category not in ("int", "bool") or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    def tolist(self):
        return self.cpu().numpy().tolist() if not self.requires_grad else self.detach().tolist()

    def detach(self):
        """The same storage (and version counter), cut from the graph."""
        t = Tensor._wrap(self.array, self.device)
        t._version = self._version
        return t

    def detach_(self):
        if self._base is not None:
            raise RuntimeError("detach_() of a view: use detach() (out of place) instead")
        self._grad_fn = None
        self._requires_grad = False
        return self

    def clone(self):
        return Clone.apply(self)

    def contiguous(self):
        return self

    def to(self, *args, dtype=None, device=None, copy=False):
        """``.to(device)``, ``.to(dtype)``, ``.to(device, dtype)`` or ``.to(other_tensor)``."""
        for a in args:
            if isinstance(a, Tensor):
                device, dtype = a.device, a.dtype
            elif isinstance(a, _dtypes.dtype) or (not isinstance(a, (str, _backend.Device))):
                dtype = a
            else:
                device = a
        out = self
        if device is not None:
            target = _backend.device(device)
            if target != out.device:
                out = ToDevice.apply(out, device=target)
        if dtype is not None:
            out = out.type(dtype)
        if copy and out is self:
            out = self.clone()
        return out

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else f"cuda:{device}" if isinstance(device, int) else device)

    def type(self, dtype):
        dtype = _dtypes.as_dtype(dtype)
        return self if dtype is self.dtype else Cast.apply(self, dtype=dtype)

    def float(self):
        return self.type(_dtypes.float32)

    def double(self):
        return self.type(_dtypes.float64)

    def half(self):
        return self.type(_dtypes.float16)

    def long(self):
        return self.type(_dtypes.int64)

    def int(self):
        return self.type(_dtypes.int32)

    def bool(self):
        return self.type(_dtypes.bool_)

    def __dlpack__(self, *args, **kwargs):
        return self.array.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self.array.__dlpack_device__()

    # --- autograd ------------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (chain rule, reverse mode)."""
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned Tensor replaces it."""
        if not self.requires_grad:
            raise RuntimeError("register_hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
        else:
            self.grad_fn.register_hook_for_output(self._output_nr, hook)
        return _RemovableHook(self, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(self)`` each time backward has accumulated into this leaf's ``.grad``."""
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = []
        self._post_accumulate_hooks.append(hook)
        return _RemovableHook(self, hook, "_post_accumulate_hooks")

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad on a tensor that doesn't require gradient")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        ref = weakref.ref(self)

        def keep(grad):
            t = ref()
            if t is not None:
                g = grad.detach()
                t.grad = g if t.grad is None else t.grad + g
        self.grad_fn.register_hook_for_output(self._output_nr, keep)

    @property
    def retains_grad(self):
        return self._retains_grad

    # --- printing ------------------------------------------------------------------------------
    def __repr__(self):
        body = np.array2string(self.device.backend.to_numpy(self.array), separator=", ",
                               prefix="tensor(") if self.numel() <= 1000 else f"<shape {tuple(self.shape)}>"
        extras = []
        if self.device.type != "cpu":
            extras.append(f"device='{self.device}'")
        if self.dtype is not _dtypes.get_default_dtype() and self.dtype is not _dtypes.int64 \
                and self.dtype is not _dtypes.bool_:
            extras.append(f"dtype={self.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    def __format__(self, spec):
        if self.numel() == 1 and spec:
            return format(self.item(), spec)
        return repr(self)

    # --- arithmetic (broadcasting as NumPy; dtype promotion as PyTorch) -----------------------
    def __add__(self, other):
        return Add.apply(*_promote(self, other))

    def __radd__(self, other):
        return Add.apply(*_promote(self, other)[::-1])

    def __sub__(self, other):
        return Sub.apply(*_promote(self, other))

    def __rsub__(self, other):
        return Sub.apply(*_promote(self, other)[::-1])

    def __mul__(self, other):
        return Mul.apply(*_promote(self, other))

    def __rmul__(self, other):
        return Mul.apply(*_promote(self, other)[::-1])

    def __truediv__(self, other):
        return Div.apply(*_promote(self, other, true_div=True))

    def __rtruediv__(self, other):
        return Div.apply(*_promote(self, other, true_div=True)[::-1])

    def __pow__(self, other):
        return Pow.apply(*_promote(self, other))

    def __rpow__(self, other):
        return Pow.apply(*_promote(self, other)[::-1])

    def __matmul__(self, other):
        return MatMul.apply(*_promote(self, other))

    def __rmatmul__(self, other):
        return MatMul.apply(*_promote(self, other)[::-1])

    def __neg__(self):
        return Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return Abs.apply(self)

    def __floordiv__(self, other):
        return FloorDiv.apply(*_promote(self, other))

    def __rfloordiv__(self, other):
        return FloorDiv.apply(*_promote(self, other)[::-1])

    def __mod__(self, other):
        return Remainder.apply(*_promote(self, other))

    # comparisons: bool tensors, never differentiable
    def __eq__(self, other):
        return Compare.apply(*_promote(self, other), op="equal")

    def __ne__(self, other):
        return Compare.apply(*_promote(self, other), op="not_equal")

    def __lt__(self, other):
        return Compare.apply(*_promote(self, other), op="less")

    def __le__(self, other):
        return Compare.apply(*_promote(self, other), op="less_equal")

    def __gt__(self, other):
        return Compare.apply(*_promote(self, other), op="greater")

    def __ge__(self, other):
        return Compare.apply(*_promote(self, other), op="greater_equal")

    def __invert__(self):
        return Logical.apply(self, op="bitwise_invert")

    def __and__(self, other):
        return Logical.apply(*_promote(self, other), op="bitwise_and")

    def __or__(self, other):
        return Logical.apply(*_promote(self, other), op="bitwise_or")

    def __xor__(self, other):
        return Logical.apply(*_promote(self, other), op="bitwise_xor")

    add = __add__
    sub = __sub__
    mul = __mul__
    div = __truediv__
    matmul = __matmul__
    neg = __neg__
    pow = __pow__
    eq = __eq__
    ne = __ne__
    lt = __lt__
    le = __le__
    gt = __gt__
    ge = __ge__

    # --- elementwise ---------------------------------------------------------------------------
    def exp(self):
        return Exp.apply(self)

    def log(self):
        return Log.apply(self)

    def log1p(self):
        return Log1p.apply(self)

    def sqrt(self):
        return Sqrt.apply(self)

    def rsqrt(self):
        return Rsqrt.apply(self)

    def abs(self):
        return Abs.apply(self)

    def sign(self):
        return Sign.apply(self)

    def sin(self):
        return Sin.apply(self)

    def cos(self):
        return Cos.apply(self)

    def tan(self):
        return Tan.apply(self)

    def tanh(self):
        return Tanh.apply(self)

    def sigmoid(self):
        return Sigmoid.apply(self)

    def relu(self):
        return Relu.apply(self)

    def leaky_relu(self, negative_slope=0.01):
        return LeakyRelu.apply(self, negative_slope=negative_slope)

    def gelu(self, approximate="none"):
        return Gelu.apply(self, approximate=approximate)

    def softplus(self, beta=1.0, threshold=20.0):
        return Softplus.apply(self, beta=beta, threshold=threshold)

    def erf(self):
        return Erf.apply(self)

    def square(self):
        return self * self

    def reciprocal(self):
        return 1.0 / self

    def clamp(self, min=None, max=None):
        return Clamp.apply(self, min=min, max=max)

    clip = clamp

    def maximum(self, other):
        return Maximum.apply(*_promote(self, other))

    def minimum(self, other):
        return Minimum.apply(*_promote(self, other))

    def where(self, condition, other):
        return where(condition, self, other)

    def masked_fill(self, mask, value):
        return where(mask, _promote(self, value)[1], self)

    def isnan(self):
        return Compare.apply(self, self, op="not_equal")

    def isfinite(self):
        return Logical.apply(self, op="isfinite")

    # --- reductions ----------------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, dtype=None):
        x = self if dtype is None else self.type(dtype)
        if x.dtype.category != "float" and dtype is None:
            x = x.type(_dtypes.int64)
        return Sum.apply(x, dim=_dims(dim, self.ndim), keepdim=keepdim)

    def mean(self, dim=None, keepdim=False):
        if not self.dtype.is_floating_point:
            raise RuntimeError(f"mean(): could not infer output dtype; input dtype {self.dtype} "
                               "is not floating point: use .float() first")
        return Mean.apply(self, dim=_dims(dim, self.ndim), keepdim=keepdim)

    def prod(self, dim=None, keepdim=False):
        return Prod.apply(self, dim=_dims(dim, self.ndim), keepdim=keepdim)

    def var(self, dim=None, keepdim=False, *, correction=1, unbiased=None):
        if unbiased is not None:
            correction = int(unbiased)
        return Var.apply(self, dim=_dims(dim, self.ndim), keepdim=keepdim, correction=correction)

    def std(self, dim=None, keepdim=False, *, correction=1, unbiased=None):
        return self.var(dim, keepdim, correction=correction, unbiased=unbiased).sqrt()

    def max(self, dim=None, keepdim=False):
        """Without ``dim``: the largest value. With ``dim``: ``(values, indices)``."""
        if dim is None:
            return Amax.apply(self, dim=_dims(None, self.ndim), keepdim=False)
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        return _values_indices(*MaxDim.apply(self, dim=_dim(dim, self.ndim), keepdim=keepdim, largest=True))

    def min(self, dim=None, keepdim=False):
        """Without ``dim``: the smallest value. With ``dim``: ``(values, indices)``."""
        if dim is None:
            return Amin.apply(self, dim=_dims(None, self.ndim), keepdim=False)
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        return _values_indices(*MaxDim.apply(self, dim=_dim(dim, self.ndim), keepdim=keepdim, largest=False))

    def amax(self, dim=None, keepdim=False):
        return Amax.apply(self, dim=_dims(dim, self.ndim), keepdim=keepdim)

    def amin(self, dim=None, keepdim=False):
        return Amin.apply(self, dim=_dims(dim, self.ndim), keepdim=keepdim)

    def argmax(self, dim=None, keepdim=False):
        return ArgExtreme.apply(self, dim=None if dim is None else _dim(dim, self.ndim), keepdim=keepdim,
                                op="argmax")

    def argmin(self, dim=None, keepdim=False):
        return ArgExtreme.apply(self, dim=None if dim is None else _dim(dim, self.ndim), keepdim=keepdim,
                                op="argmin")

    def logsumexp(self, dim=None, keepdim=False):
        return LogSumExp.apply(self, dim=_dims(dim, self.ndim), keepdim=keepdim)

    def norm(self, p=2, dim=None, keepdim=False):
        """The vector p-norm over ``dim`` (all elements by default); ``p`` may be ``inf``."""
        if p == "fro":
            p = 2
        return Norm.apply(self, p=float(p), dim=_dims(dim, self.ndim), keepdim=keepdim)

    def softmax(self, dim):
        return Softmax.apply(self, dim=_dim(dim, self.ndim))

    def log_softmax(self, dim):
        return LogSoftmax.apply(self, dim=_dim(dim, self.ndim))

    def cumsum(self, dim):
        return Cumsum.apply(self, dim=_dim(dim, self.ndim))

    def all(self):
        return Logical.apply(self, op="all")

    def any(self):
        return Logical.apply(self, op="any")

    # --- shape ---------------------------------------------------------------------------------
    def reshape(self, *shape):
        shape = _shape_arg(shape)
        return self if shape == self.shape else Reshape.apply(self, shape=_infer_shape(shape, self.numel()))

    def view(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (_dtypes.dtype, str)):
            raise NotImplementedError("view(dtype) is not supported")
        return self.reshape(*shape)

    def view_as(self, other):
        return self.reshape(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        if self.ndim == 0:
            return self.reshape(1)
        s, e = _dim(start_dim, self.ndim), _dim(end_dim, self.ndim)
        shape = self.shape
        return self.reshape(shape[:s] + (-1,) + shape[e + 1:]) if s <= e else self

    def unflatten(self, dim, sizes):
        dim = _dim(dim, self.ndim)
        return self.reshape(self.shape[:dim] + tuple(sizes) + self.shape[dim + 1:])

    def squeeze(self, dim=None):
        if dim is None:
            dims = tuple(i for i, s in enumerate(self.shape) if s == 1)
        else:
            dims = tuple(d for d in _dims(dim, self.ndim) if self.shape[d] == 1)
        return Squeeze.apply(self, dim=dims) if dims else self

    def unsqueeze(self, dim):
        return Unsqueeze.apply(self, dim=_dim(dim, self.ndim + 1))

    def permute(self, *dims):
        dims = tuple(_dim(d, self.ndim) for d in _shape_arg(dims))
        if sorted(dims) != list(range(self.ndim)):
            raise RuntimeError(f"permute: dims {dims} are not a permutation of {self.ndim} dimensions")
        return Permute.apply(self, dims=dims)

    def transpose(self, dim0, dim1):
        ndim = self.array.ndim
        dims = list(range(ndim))
        a, b = _dim(dim0, ndim), _dim(dim1, ndim)
        dims[a], dims[b] = dims[b], dims[a]
        return Permute.apply(self, dims=tuple(dims))

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, got {self.ndim}")
        return self.transpose(0, 1) if self.ndim == 2 else self

    @property
    def T(self):
        return Permute.apply(self, dims=tuple(reversed(range(self.ndim))))

    @property
    def mT(self):
        ndim = self.array.ndim
        if ndim < 2:
            raise RuntimeError(f"mT needs at least 2 dimensions, got shape {tuple(self.shape)}")
        return Permute.apply(self, dims=tuple(range(ndim - 2)) + (ndim - 1, ndim - 2))

    def expand(self, *sizes):
        sizes = _shape_arg(sizes)
        lead = len(sizes) - self.ndim
        shape = tuple(self.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
        return self.broadcast_to(shape)

    def expand_as(self, other):
        return self.broadcast_to(other.shape)

    def broadcast_to(self, shape):
        shape = tuple(shape)
        return self if shape == self.shape else BroadcastTo.apply(self, shape=shape)

    def repeat(self, *repeats):
        return Repeat.apply(self, repeats=_shape_arg(repeats))

    def flip(self, *dims):
        return Flip.apply(self, dims=_dims(_shape_arg(dims), self.ndim))

    def split(self, split_size_or_sections, dim=0):
        return split(self, split_size_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return chunk(self, chunks, dim)

    def unbind(self, dim=0):
        dim = _dim(dim, self.ndim)
        return tuple(t.squeeze(dim) for t in split(self, 1, dim))

    def index_select(self, dim, index):
        return IndexSelect.apply(self, _index_array(index, self.device), dim=_dim(dim, self.ndim))

    def gather(self, dim, index):
        return Gather.apply(self, _index_array(index, self.device), dim=_dim(dim, self.ndim))

    def __getitem__(self, key):
        return GetItem.apply(self, key=_key(key, self))

    def __setitem__(self, key, value):
        key = _key(key, self)
        value = _promote(self, value)[1]
        if _is_advanced(key):  # a copy, not a view: written by an index_put
            _views.apply_inplace(self, SetItem, value, key=key)
        else:  # PyTorch's x[key] = v is x[key].copy_(v), through the view
            self[key].copy_(value)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    # --- in-place ------------------------------------------------------------------------------
    def add_(self, other, alpha=1):
        return _inplace_arith(self, Add, operator.iadd, other * alpha if alpha != 1 else other)

    def sub_(self, other, alpha=1):
        return _inplace_arith(self, Sub, operator.isub, other * alpha if alpha != 1 else other)

    def mul_(self, other):
        return _inplace_arith(self, Mul, operator.imul, other)

    def div_(self, other):
        return _inplace_arith(self, Div, operator.itruediv, other)

    def pow_(self, other):
        return _views.apply_inplace(self, Pow, _promote(self, other)[1])

    def clamp_(self, min=None, max=None):
        return _views.apply_inplace(self, Clamp, min=min, max=max)

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        return _views.apply_inplace(self, Fill, value=value)

    def copy_(self, src):
        if not isinstance(src, Tensor):
            src = Tensor._wrap(self.device.backend.asarray(src, self.dtype, self.device.index),
                               self.device)
        if src.device != self.device:
            raise RuntimeError(f"copy_: source on {src.device}, destination on {self.device}; "
                               "use src.to(dst.device) explicitly")
        return _views.apply_inplace(self, Copy, src.type(self.dtype))

    def normal_(self, mean=0.0, std=1.0, generator=None):
        from .random import _fill_random
        return _fill_random(self, "normal", generator, mean=mean, std=std)

    def uniform_(self, a=0.0, b=1.0, generator=None):
        from .random import _fill_random
        return _fill_random(self, "uniform", generator, low=a, high=b)

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_


class _RemovableHook:
    def __init__(self, tensor, hook, registry="_hooks"):
        self._ref = weakref.ref(tensor)
        self._hook = hook
        self._registry = registry

    def remove(self):
        t = self._ref()
        if t is None:
            return
        if t.grad_fn is None:
            hooks = getattr(t, self._registry)
            if hooks and self._hook in hooks:
                hooks.remove(self._hook)
        elif t.grad_fn._hooks:
            hooks = t.grad_fn._hooks.get(t._output_nr, [])
            if self._hook in hooks:
                hooks.remove(self._hook)


class _ValuesIndices(tuple):
    """``(values, indices)`` with ``.values`` and ``.indices``, as PyTorch's max/min(dim)."""

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])


def _values_indices(values, indices):
    return _ValuesIndices((values, indices))


def _init(t, array, device):
    t.array = array
    t.device = device
    t._requires_grad = False
    t._grad_fn = None
    t._output_nr = 0
    t._grad = None
    t._version = [0]


def _python_scalar(array, dtype):
    value = float(array[(0,) * array.ndim] if array.ndim else array)
    if dtype.category == "bool":
        return bool(value)
    if dtype.category == "int":
        return int(value)
    return value


def _inplace_arith(t, fn, array_operator, other):
    """``t op= other``: PyTorch's rule that the result must fit ``t``'s dtype, then in place.

    Without a graph to record this is the array's own in-place operator: no temporary, no copy.
    """
    promoted, other = _promote(t, other)
    if promoted.dtype is not t.dtype and not (promoted.dtype.is_floating_point and t.dtype.is_floating_point):
        raise RuntimeError(f"{fn.__name__.lower()}_: result type {promoted.dtype} can't be cast to the "
                           f"desired output type {t.dtype}")
    if isinstance(other, Tensor):
        if other.device is not t.device and other.device != t.device:
            raise RuntimeError(f"{fn.__name__.lower()}_: expected both tensors on the same device, "
                               f"found {t.device} and {other.device}; move one explicitly with .to()")
        if other.dtype is not t.dtype:
            other = other.type(t.dtype)
    if is_grad_enabled() and (t.requires_grad or isinstance(other, Tensor) and other._requires_grad):
        return _views.apply_inplace(t, fn, other)
    value = other.array if isinstance(other, Tensor) else other
    if isinstance(other, Tensor) and other.shape != t.shape and \
            _broadcast_shape(t.shape, other.shape) != tuple(t.shape):
        raise RuntimeError(f"{fn.__name__.lower()}_: output with shape {tuple(t.shape)} doesn't match "
                           f"the broadcast shape of {tuple(other.shape)}")
    try:
        array_operator(t.array, value)  # NumPy and CuPy arrays update themselves
    except ValueError as err:
        raise _views.write_error(err, fn.__name__.lower() + "_", t, value) from None
    t._version[0] += 1
    return t


# Imported last: these modules import Tensor from here.
from . import autograd as _autograd  # noqa: E402
from ._coerce import _broadcast_shape, _dim, _dims, _index_array, _infer_shape, _key, _promote, _shape_arg  # noqa: E402
from .autograd import views as _views  # noqa: E402
from .autograd.grad_mode import is_grad_enabled  # noqa: E402
from .ops.elementwise import (  # noqa: E402
    Abs,
    Add,
    Cast,
    Clamp,
    Clone,
    Compare,
    Copy,
    Cos,
    Div,
    Erf,
    Exp,
    Fill,
    FloorDiv,
    Gelu,
    LeakyRelu,
    Log,
    Log1p,
    Logical,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    Relu,
    Remainder,
    Rsqrt,
    Sigmoid,
    Sign,
    Sin,
    Softplus,
    Sqrt,
    Sub,
    Tan,
    Tanh,
    where,
)
from .ops.indexing import Gather, GetItem, IndexSelect, SetItem, _is_advanced  # noqa: E402
from .ops.linalg import MatMul  # noqa: E402
from .ops.movement import (  # noqa: E402
    BroadcastTo,
    Flip,
    Permute,
    Repeat,
    Reshape,
    Squeeze,
    ToDevice,
    Unsqueeze,
    chunk,
    split,
)
from .ops.reduce import (  # noqa: E402
    Amax,
    Amin,
    ArgExtreme,
    Cumsum,
    LogSoftmax,
    LogSumExp,
    MaxDim,
    Mean,
    Norm,
    Prod,
    Softmax,
    Sum,
    Var,
)
