"""``Tensor``: a backend array, its gradient, and the node of the graph that produced it.

Every method that computes is a one-line call of an op's ``Op.apply`` (``minigrad/ops``);
the Tensor itself only holds state: the array, ``grad``, ``requires_grad``, ``grad_fn`` (the
node that made it, None for leaves), the device, and a version counter that in-place ops bump
so that the engine can tell when a value saved for backward was overwritten.
"""

import math
import operator
import warnings
import weakref

import numpy as np

from . import backend as _backend
from . import dtypes as _dtypes


class Tensor:
    """A multi-dimensional array that records the operations applied to it.

    ``mg.Tensor(data)`` is always floating point (the default dtype); ``mg.tensor(data)`` infers.
    Given sizes instead of data, ``mg.Tensor(2, 3)`` is an uninitialised 2x3 tensor (PyTorch's
    legacy constructor; minigrad fills it with zeros).

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
    _retain_hook = None  # retain_grad's hook on grad_fn, moved along when the tensor gets a new grad_fn
    name = None  # shown in error messages and pictures
    _base = None  # for a view: the tensor that owns the storage (see autograd/views.py)
    _view_chain = ()  # for a view: the view ops that make it from its base
    _view_version = 0  # for a view: the version its grad_fn was made at
    _no_grad_view = False  # for a view: made with recording off (or from such a view)
    _function_alias = False  # a custom Function's output sharing an input's storage (no in-place ops)

    def __init__(self, *data, requires_grad=False, dtype=None, device=None):
        sizes, data = _legacy_data(data)
        if sizes is not None:  # an uninitialised tensor of that shape (PyTorch's legacy form)
            dev = _backend.default_device() if device is None else _backend.device(device)
            target = _dtypes.as_dtype(dtype) if dtype is not None else _dtypes.get_default_dtype()
            _init(self, dev.backend.full(sizes, 0, dev.backend.native(target), dev.index), dev)
            return
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
        # asking about a view made without recording never raises (using it after a write may)
        if self._base is not None and self._version[0] != self._view_version and not self._no_grad_view:
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
        if not isinstance(requires_grad, (bool, int, np.bool_)):
            raise TypeError(f"requires_grad_(): argument 'requires_grad' must be bool, not "
                            f"{type(requires_grad).__name__}")
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
    def numpy(self, *, force=False):
        """A NumPy array on the host; on the CPU it shares memory (like PyTorch). ``force=True``
        detaches and copies to the host first (``t.detach().cpu().numpy()``)."""
        if force:
            return self.detach().cpu().numpy()
        if self.requires_grad:
            raise RuntimeError("numpy() on a tensor that requires grad: call .detach().numpy()")
        if self.device.type != "cpu":
            raise TypeError(f"numpy() on a {self.device} tensor: copy it to the host with .cpu() first")
        return self.device.backend.to_numpy(self.array)

    # NumPy's operators defer to ours: np.float64(2) * x (and np.sqrt(2) * x) is a Tensor in the
    # graph, as in PyTorch, not an ndarray made through __array__ that drops the gradient
    __array_priority__ = 1000

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
        value = self.item()
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"int(): cannot convert a tensor holding {value} to an integer")
        return int(value)

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

    def clone(self, *, memory_format=None):
        return Clone.apply(self)

    def contiguous(self, memory_format=None):
        """``self`` when its elements are laid out row-major already, else a row-major copy (the
        gradient passes through, as PyTorch's ``CloneBackward0``)."""
        return self if self.is_contiguous() else Clone.apply(self, row_major=True)

    def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False, memory_format=None):
        """``.to(device)``, ``.to(dtype)``, ``.to(device, dtype)`` or ``.to(other_tensor)``."""
        for a in args:
            if isinstance(a, Tensor):
                device, dtype = a.device, a.dtype
            elif isinstance(a, int) and not isinstance(a, bool):  # a GPU index, as PyTorch
                device = f"cuda:{a}"
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

    def type_as(self, tensor):
        """This tensor with ``tensor``'s dtype and device (PyTorch's tensor types name both)."""
        return self.to(tensor)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else f"cuda:{device}" if isinstance(device, int) else device)

    def type(self, dtype=None, non_blocking=False):
        """Cast to ``dtype`` (a dtype, its name, a legacy type such as ``mg.LongTensor`` or
        ``"torch.cuda.FloatTensor"``, which also moves to the GPU); without one, the legacy type
        name (``"torch.FloatTensor"``), as PyTorch."""
        if dtype is None:
            name = next(n for n, t in _creation.LEGACY_TYPES.items() if t.dtype is self.dtype)
            return f"torch.{'cuda.' if self.device.type == 'cuda' else ''}{name}"
        target = self
        if isinstance(dtype, str) and dtype.startswith("torch."):
            *module, name = dtype.split(".")
            if name not in _creation.LEGACY_TYPES:
                raise ValueError(f"invalid type: {dtype!r}")
            target = self.to("cuda" if "cuda" in module else "cpu")
            dtype = _creation.LEGACY_TYPES[name]
        if isinstance(dtype, type) and isinstance(getattr(dtype, "dtype", None), _dtypes.dtype):
            dtype = dtype.dtype  # a legacy type: mg.FloatTensor
        dtype = _dtypes.as_dtype(dtype)
        return target if dtype is target.dtype else Cast.apply(target, dtype=dtype)

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
        if gradient is not None and not isinstance(gradient, Tensor):  # a list would read as one per output
            raise TypeError(f"backward(): gradient must be a Tensor or None, got {type(gradient).__name__}")
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned Tensor replaces it."""
        if not self.requires_grad:
            raise RuntimeError("register_hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
            hooks.append(hook)
        else:
            self.grad_fn.register_hook_for_output(self._output_nr, hook)
            hooks = self.grad_fn._hooks[self._output_nr]
            if self._retain_hook is not None:  # retain_grad's hook runs last, as PyTorch's
                hooks.remove(self._retain_hook)
                hooks.append(self._retain_hook)
        return _RemovableHook(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(self)`` each time backward has accumulated into this leaf's ``.grad``."""
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = []
        self._post_accumulate_hooks.append(hook)
        return _RemovableHook(self._post_accumulate_hooks, hook)

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward: the gradient of its value
        when backward runs (an in-place op moves the hook to the tensor's new node, as PyTorch)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad on a tensor that doesn't require gradient")
        if self.grad_fn is None or self._retain_hook is not None:
            return
        ref = weakref.ref(self)

        def keep(grad):
            t = ref()
            if t is not None:
                g = grad.detach()
                t.grad = g if t.grad is None else t.grad + g
        self._retain_hook = keep
        self.grad_fn.register_hook_for_output(self._output_nr, keep)

    @property
    def retains_grad(self):
        return self._retain_hook is not None

    # --- printing ------------------------------------------------------------------------------
    def __repr__(self):
        return _printing.tensor_repr(self)

    def __format__(self, spec):
        # as PyTorch's: a plain 0-d tensor formats as its number (f"{loss:.3f}", f"{loss}"); any
        # other tensor, a Parameter included, only with an empty spec, as str(self)
        if self.ndim == 0 and type(self) is Tensor:
            return format(self.item(), spec)
        return super().__format__(spec)

    # --- arithmetic (broadcasting as NumPy; dtype promotion as PyTorch) -----------------------
    def __add__(self, other):
        return Add.apply(*_promote(self, other))

    def __radd__(self, other):
        return Add.apply(*_promote(self, other)[::-1])

    def __sub__(self, other):
        _no_bool_subtraction(self, other)
        return Sub.apply(*_promote(self, other))

    def __rsub__(self, other):
        _no_bool_subtraction(self, other)
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
        op = PowTensor if isinstance(other, Tensor) else Pow
        return op.apply(*_promote(self, other, scalar=_exponent))

    def __rpow__(self, other):
        return PowScalarBase.apply(*_promote(self, other)[::-1])

    def __matmul__(self, other):
        if isinstance(other, Tensor) and other.dtype is not self.dtype:
            raise RuntimeError(f"matmul: expected both operands to have the same dtype, got {self.dtype} "
                               f"and {other.dtype}; convert one (e.g. .float())")
        op = PRODUCT_BY_NDIM.get((self.ndim, other.ndim), MatMul) if isinstance(other, Tensor) else MatMul
        return op.apply(*_promote(self, other))

    def __rmatmul__(self, other):
        return MatMul.apply(*_promote(self, other)[::-1])

    def __neg__(self):
        if self.dtype is _dtypes.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                               "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
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
        if other is None:  # as PyTorch: a tensor is never None
            return False
        return Compare.apply(*_promote(self, other), op="equal")

    def __ne__(self, other):
        if other is None:
            return True
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

    def __lshift__(self, other):
        return Logical.apply(*_promote(self, other), op="bitwise_left_shift")

    def __rshift__(self, other):
        return Logical.apply(*_promote(self, other), op="bitwise_right_shift")

    bitwise_left_shift = __lshift__
    bitwise_right_shift = __rshift__

    def add(self, other, *, alpha=1):
        return self + _times_alpha(self, other, alpha)

    def sub(self, other, *, alpha=1):
        return self - _times_alpha(self, other, alpha)

    def rsub(self, other, *, alpha=1):
        return other - _times_alpha(self, self, alpha)

    def div(self, other, *, rounding_mode=None):
        return _div(self, other, rounding_mode)

    def remainder(self, other):
        return Remainder.apply(*_promote(self, other))

    mul = multiply = __mul__
    subtract = sub
    divide = div
    true_divide = __truediv__
    floor_divide = __floordiv__
    matmul = __matmul__
    neg = negative = __neg__
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

    # PyTorch has no integer kernel for the smooth activations (and no bool one for relu): they
    # refuse such an input rather than compute it in float
    def relu(self):
        _dtypes.require("relu", self.dtype, _dtypes.NOT_BOOL)
        return Relu.apply(self)

    def leaky_relu(self, negative_slope=0.01):
        _dtypes.require("leaky_relu", self.dtype)
        return LeakyRelu.apply(self, negative_slope=negative_slope)

    def gelu(self, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        _dtypes.require("gelu", self.dtype)
        return Gelu.apply(self, approximate=approximate)

    def softplus(self, beta=1.0, threshold=20.0):
        _dtypes.require("softplus", self.dtype)
        return Softplus.apply(self, beta=beta, threshold=threshold)

    def erf(self):
        return Erf.apply(self)

    def square(self):
        return (self.long() if self.dtype is _dtypes.bool_ else self) ** 2  # PyTorch's pow(x, 2)

    def reciprocal(self):
        return Reciprocal.apply(self)

    def clamp(self, min=None, max=None):
        x, min, max = self._clamp_operands(min, max, "clamp")
        by_tensors = isinstance(min, Tensor) or isinstance(max, Tensor)
        return (Clamp if by_tensors else ClampScalar).apply(x, min=min, max=max)

    def _clamp_operands(self, min, max, op):
        """``self`` and the bounds in PyTorch's result dtype of the three (an int tensor clamped by
        floats is float32), tensor bounds converted to it."""
        if min is None and max is None:
            raise RuntimeError(f"{op}: at least one of 'min' or 'max' must not be None")
        x, bounds = self, []
        for bound in (min, max):
            if bound is not None:
                x, bound = _promote(x, bound, scalar=_scalar_as)
            bounds.append(bound)
        return (x, *(b.type(x.dtype) if isinstance(b, Tensor) else b for b in bounds))

    clip = clamp

    def maximum(self, other):
        return Maximum.apply(*_promote(self, other))

    def minimum(self, other):
        return Minimum.apply(*_promote(self, other))

    def where(self, condition, other):
        return where(condition, self, other)

    def masked_fill(self, mask, value):
        return _scatter.masked_fill(self, mask, value)

    def isnan(self):
        return Compare.apply(self, self, op="not_equal")

    def isfinite(self):
        return Logical.apply(self, op="isfinite")

    # --- reductions ----------------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, dtype=None, *, keepdims=None):
        keepdim = keepdim if keepdims is None else keepdims
        x = self if dtype is None else self.type(dtype)
        if x.dtype.category != "float" and dtype is None:
            x = x.type(_dtypes.int64)
        return (Sum if dim is None else SumDims).apply(x, dim=_reduced_dims(dim, self.ndim), keepdim=keepdim)

    def mean(self, dim=None, keepdim=False, *, dtype=None, keepdims=None):
        keepdim = keepdim if keepdims is None else keepdims
        x = self if dtype is None else self.type(dtype)
        if not x.dtype.is_floating_point:
            raise RuntimeError(f"mean(): could not infer output dtype; input dtype {x.dtype} "
                               "is not floating point: pass dtype=mg.float32 or use .float() first")
        return (Mean if dim is None else MeanDims).apply(x, dim=_reduced_dims(dim, x.ndim), keepdim=keepdim)

    def prod(self, dim=None, keepdim=False, *, dtype=None, keepdims=None):
        keepdim = keepdim if keepdims is None else keepdims
        x = self.type(dtype) if dtype is not None else self
        return Prod.apply(x, dim=_reduced_dims(dim, self.ndim), keepdim=keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=1, keepdims=None):
        """Variance over ``dim`` with ``correction`` (Bessel's by default); positional arguments as
        PyTorch's overloads ``var(dim, unbiased, keepdim)`` and ``var(unbiased)``."""
        dim, correction = self._spread(dim, unbiased, correction, "var")
        keepdim = keepdim if keepdims is None else keepdims
        return Var.apply(self, dim=dim, keepdim=keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=1, keepdims=None):
        """Standard deviation: the square root of ``var`` with the same arguments."""
        dim, correction = self._spread(dim, unbiased, correction, "std")
        keepdim = keepdim if keepdims is None else keepdims
        return Std.apply(self, dim=dim, keepdim=keepdim, correction=correction)

    def _spread(self, dim, unbiased, correction, op):
        """``var``'s and ``std``'s axes and correction; a bool first argument is ``unbiased``."""
        _need_floating(self, op, "std and var only support floating point dtypes: call .float() first")
        if isinstance(dim, bool):
            dim, unbiased = None, dim
        if unbiased is not None:
            correction = int(unbiased)
        dim = _reduced_dims(dim, self.ndim)
        _warn_no_degrees_of_freedom(self, dim, correction, op)
        return dim, correction

    def max(self, dim=None, keepdim=False, *, keepdims=None):
        """Without ``dim``: the largest value. With ``dim``: ``(values, indices)``."""
        keepdim = keepdim if keepdims is None else keepdims
        if dim is None:
            return Max.apply(self, dim=_dims(None, self.ndim), keepdim=False)
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        return _ValuesIndices(MaxDim.apply(self, dim=_dim(dim, self.ndim), keepdim=keepdim, largest=True))

    def min(self, dim=None, keepdim=False, *, keepdims=None):
        """Without ``dim``: the smallest value. With ``dim``: ``(values, indices)``."""
        keepdim = keepdim if keepdims is None else keepdims
        if dim is None:
            return Min.apply(self, dim=_dims(None, self.ndim), keepdim=False)
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        return _ValuesIndices(MinDim.apply(self, dim=_dim(dim, self.ndim), keepdim=keepdim, largest=False))

    def amax(self, dim=None, keepdim=False, *, keepdims=None):
        keepdim = keepdim if keepdims is None else keepdims
        return Amax.apply(self, dim=_reduced_dims(dim, self.ndim), keepdim=keepdim)

    def amin(self, dim=None, keepdim=False, *, keepdims=None):
        keepdim = keepdim if keepdims is None else keepdims
        return Amin.apply(self, dim=_reduced_dims(dim, self.ndim), keepdim=keepdim)

    def argmax(self, dim=None, keepdim=False, *, keepdims=None):
        keepdim = keepdim if keepdims is None else keepdims
        return ArgExtreme.apply(self, dim=None if dim is None else _dim(dim, self.ndim), keepdim=keepdim,
                                op="argmax")

    def argmin(self, dim=None, keepdim=False, *, keepdims=None):
        keepdim = keepdim if keepdims is None else keepdims
        return ArgExtreme.apply(self, dim=None if dim is None else _dim(dim, self.ndim), keepdim=keepdim,
                                op="argmin")

    def logsumexp(self, dim=None, keepdim=False, *, keepdims=None):
        keepdim = keepdim if keepdims is None else keepdims
        return LogSumExp.apply(self, dim=_dims(dim, self.ndim), keepdim=keepdim)

    def norm(self, p=2, dim=None, keepdim=False, *, keepdims=None):
        """The vector p-norm over ``dim`` (all elements by default); ``p`` may be ``inf``."""
        keepdim = keepdim if keepdims is None else keepdims
        if p == "fro":
            p = 2
        return Norm.apply(self, p=float(p), dim=_reduced_dims(dim, self.ndim), keepdim=keepdim)

    def softmax(self, dim, dtype=None):
        x = self if dtype is None else self.type(dtype)
        _need_floating(x, "softmax", "pass dtype=mg.float32 or call .float() first")
        return Softmax.apply(x, dim=_dim(dim, x.ndim))

    def log_softmax(self, dim, dtype=None):
        x = self if dtype is None else self.type(dtype)
        _need_floating(x, "log_softmax", "pass dtype=mg.float32 or call .float() first")
        return LogSoftmax.apply(x, dim=_dim(dim, x.ndim))

    def cumsum(self, dim, *, dtype=None):
        return Cumsum.apply(self._scanned(dtype), dim=_dim(dim, self.ndim))

    def _scanned(self, dtype):
        """The input of ``cumsum``/``cumprod``: ``dtype`` if given, else integers and bools as int64."""
        if dtype is not None:
            return self.type(dtype)
        return self if self.dtype.is_floating_point else self.long()

    def all(self, dim=None, keepdim=False, *, keepdims=None):
        keepdim = keepdim if keepdims is None else keepdims
        return LogicalReduce.apply(self, op="all", dim=_dims(dim, self.ndim), keepdim=keepdim)

    def any(self, dim=None, keepdim=False, *, keepdims=None):
        keepdim = keepdim if keepdims is None else keepdims
        return LogicalReduce.apply(self, op="any", dim=_dims(dim, self.ndim), keepdim=keepdim)

    # --- shape ---------------------------------------------------------------------------------
    def reshape(self, *shape):
        return self._reshape(shape, "reshape")

    def view(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (_dtypes.dtype, str)):
            raise NotImplementedError("view(dtype) is not supported")
        out = self._reshape(shape, "view")
        # the reshape had to copy: raise where PyTorch's strides would refuse too, that is where a
        # view of a row-major tensor was taken across its strides; a result that is not row-major
        # (an elementwise op's on transposed operands, where PyTorch raises) is copied, as reshape
        if (out._base is None and out.numel() and self._base is not None
                and self.device.backend.is_contiguous(self._base.array)):
            raise RuntimeError(
                f"view size is not compatible with input tensor's size and stride (at least one dimension "
                f"spans across two contiguous subspaces): shape {list(self.shape)} to {list(out.shape)}. "
                "Use .reshape(...) instead (it copies when it must), or .contiguous().view(...)")
        return out

    def _reshape(self, shape, op):
        # a new view even of the same shape, as PyTorch's: hooks and retain_grad on it are its own
        return Reshape.apply(self, shape=_infer_shape(_shape_arg(shape, op), self.numel(), op))

    def view_as(self, other):
        return self.reshape(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        if self.ndim == 0:
            return self.reshape(1)
        s, e = _dim(start_dim, self.ndim), _dim(end_dim, self.ndim)
        if s > e:
            raise RuntimeError(f"flatten(): start_dim {start_dim} cannot come after end_dim {end_dim} "
                               f"(input of shape {tuple(self.shape)})")
        if s == e:
            return self  # as PyTorch's
        shape = self.shape
        return self.reshape(shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])

    def unflatten(self, dim, sizes):
        dim = _dim(dim, self.ndim)
        return self._reshape(self.shape[:dim] + tuple(sizes) + self.shape[dim + 1:], "unflatten")

    def squeeze(self, dim=None):
        if dim is None:
            dims = tuple(i for i, s in enumerate(self.shape) if s == 1)
        else:
            dims = tuple(d for d in _dims(dim, self.ndim) if self.shape[d] == 1)
        op = Squeeze if dim is None else SqueezeDim if isinstance(dim, int) else SqueezeDims
        return op.apply(self, dim=dims)  # a new view even where nothing is squeezed, as PyTorch's

    def unsqueeze(self, dim):
        return Unsqueeze.apply(self, dim=_dim(dim, self.ndim + 1))

    def permute(self, *dims):
        dims = tuple(_dim(d, self.ndim) for d in _shape_arg(dims, "permute"))
        if sorted(dims) != list(range(self.ndim)):
            raise RuntimeError(f"permute: dims {dims} are not a permutation of {self.ndim} dimensions")
        return Permute.apply(self, dims=dims)

    def transpose(self, dim0, dim1):
        ndim = self.array.ndim
        dims = list(range(ndim))
        a, b = _dim(dim0, ndim), _dim(dim1, ndim)
        dims[a], dims[b] = dims[b], dims[a]
        return Transpose.apply(self, dims=tuple(dims))

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, got {self.ndim}")
        return MatrixTranspose.apply(self, dims=tuple(reversed(range(self.ndim))))

    @property
    def T(self):
        return Permute.apply(self, dims=tuple(reversed(range(self.ndim))))

    @property
    def mT(self):
        ndim = self.array.ndim
        if ndim < 2:
            raise RuntimeError(f"mT needs at least 2 dimensions, got shape {tuple(self.shape)}")
        return Transpose.apply(self, dims=tuple(range(ndim - 2)) + (ndim - 1, ndim - 2))

    def expand(self, *sizes):
        """A broadcast view: size -1 keeps a dimension, a size-1 dimension stretches to any size."""
        return self._expand(sizes, "expand")

    def expand_as(self, other):
        return self._expand(other.shape, "expand_as")

    def broadcast_to(self, shape):
        return self._expand(shape, "broadcast_to")

    def _expand(self, sizes, op):
        return BroadcastTo.apply(self, shape=_expanded_shape(self.shape, _shape_arg(sizes, op), op))

    def repeat(self, *repeats):
        return Repeat.apply(self, repeats=_shape_arg(repeats, "repeat"))

    def flip(self, *dims):
        return Flip.apply(self, dims=_dims(_shape_arg(dims, "flip"), self.ndim))

    def split(self, split_size_or_sections, dim=0):
        return split(self, split_size_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return _movement.unbind(self, dim)

    def index_select(self, dim, index):
        return IndexSelect.apply(self, _index_array(index, self.device), dim=_dim(dim, self.ndim))

    def gather(self, dim, index):
        return Gather.apply(self, _index_array(index, self.device), dim=_dim(dim, self.ndim))

    def __getitem__(self, key):
        key = _key(key, self)
        split = _split_key(key, self)
        if split is not None:  # integers select first, as PyTorch's
            return Index.apply(reader(split[0]).apply(self, key=split[0]), key=split[1])
        return reader(key).apply(self, key=key)

    def __setitem__(self, key, value):
        key = _key(key, self)
        split = _split_key(key, self)
        if split is not None:  # through the view of the integers' selection, as __getitem__
            self[split[0]][split[1]] = value
            return
        value = _promote(self, value, scalar=_scalar_as)[1]
        if _is_advanced(key):  # a copy, not a view: written by an index_put
            _views.apply_inplace(self, SetItem, value, key=key)
        else:  # PyTorch's x[key] = v is x[key].copy_(v), through the view
            self[key].copy_(value)

    # in-place shape changes: the tensor reads a view of its own storage
    def unsqueeze_(self, dim):
        return self._reshape_inplace("unsqueeze_", self.unsqueeze(dim))

    def squeeze_(self, dim=None):
        return self._reshape_inplace("squeeze_", self.squeeze(dim))

    def transpose_(self, dim0, dim1):
        return self._reshape_inplace("transpose_", self.transpose(dim0, dim1))

    def t_(self):
        return self._reshape_inplace("t_", self.t())

    swapdims_ = swapaxes_ = transpose_

    def _reshape_inplace(self, name, view):
        if self.requires_grad and is_grad_enabled():
            if self.grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                                   "operation.")
            raise RuntimeError(f"{name}: minigrad does not change the shape of a tensor of a recorded graph "
                               f"in place; use the out-of-place {name[:-1]} (y = x.{name[:-1]}(...))")
        self.array = view.array
        return self

    def __contains__(self, element):
        """``element in t``: whether any entry equals ``element`` (a number or a tensor), as PyTorch."""
        if not isinstance(element, (Tensor, int, float, bool)):
            raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                               f"{type(element)}.")
        return bool((self == element).any())

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    # --- in-place ------------------------------------------------------------------------------
    def add_(self, other, alpha=1):
        return _inplace_arith(self, Add, operator.iadd, _times_alpha(self, other, alpha))

    def sub_(self, other, alpha=1):
        _no_bool_subtraction(self, other)
        return _inplace_arith(self, Sub, operator.isub, _times_alpha(self, other, alpha))

    def mul_(self, other):
        return _inplace_arith(self, Mul, operator.imul, other)

    def div_(self, other):
        return _inplace_arith(self, Div, operator.itruediv, other)

    def pow_(self, other):
        if isinstance(other, Tensor) and other.dtype is not self.dtype:
            # computed in the promoted dtype, then written back, as PyTorch's: the exponent cast to
            # self's dtype first would change it (uint8 ** int64 -7 read as ** 249)
            _check_fits("pow_", _promote(self, other)[0].dtype, self)
            return _views.written_back(self, True, lambda x: x ** other)
        return _inplace_op(self, "pow_", Pow, other, scalar=_exponent)

    def clamp_(self, min=None, max=None):
        x, min, max = self._clamp_operands(min, max, "clamp_")
        _check_fits("clamp_", x.dtype, self)
        min, max = (b.type(self.dtype) if isinstance(b, Tensor) else b for b in (min, max))
        return _views.apply_inplace(self, Clamp, min=min, max=max)

    clip_ = clamp_

    def clamp_min_(self, min):
        return self.clamp_(min=min)

    def clamp_max_(self, max):
        return self.clamp_(max=max)

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        if not isinstance(value, Tensor):
            value = _scalar_as(value, self.dtype)
        return _views.apply_inplace(self, Fill, value=value)

    def copy_(self, src):
        if not isinstance(src, Tensor):
            src = Tensor._wrap(self.device.backend.asarray(src, self.dtype, self.device.index),
                               self.device)
        if src.device != self.device:
            raise RuntimeError(f"copy_: source on {src.device}, destination on {self.device}; "
                               "use src.to(dst.device) explicitly")
        _expanded_shape(tuple(src.shape), tuple(self.shape), "copy_")  # src must broadcast to self
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

    # --- v2 additions for real PyTorch programs: one-line delegations to ops ----------------------
    # creation and sampling
    def new(self, *data):
        return Tensor(*data, dtype=self.dtype, device=self.device)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        return _creation.new_tensor(self, data, dtype, device, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        return _creation.new_full(self, size, fill_value, dtype, device, requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation.new_full(self, _shape_arg(size, "new_zeros"), 0, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation.new_full(self, _shape_arg(size, "new_ones"), 1, dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation.new_full(self, _shape_arg(size, "new_empty"), 0, dtype, device, requires_grad)

    def bernoulli(self, p=None, *, generator=None):
        return _random.bernoulli(self, p, generator=generator)

    def bernoulli_(self, p=0.5, *, generator=None):
        return self.copy_(_random.bernoulli(self.detach(), p, generator=generator))

    # in-place draws from other distributions, by inverting their CDF at uniform draws u
    def exponential_(self, lambd=1.0, *, generator=None):
        """Fill with draws of Exp(λ): -log(1 - u)/λ."""
        return self._fill_from_uniform(lambda u: -(-u).log1p() / lambd, generator)

    def geometric_(self, p, *, generator=None):
        """Fill with draws of the number of trials up to the first success (1, 2, ...)."""
        return self._fill_from_uniform(lambda u: ((-u).log1p() / math.log1p(-p)).ceil().clamp(min=1),
                                       generator)

    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
        """Fill with draws of Cauchy(median, σ): median + σ tan(π(u - ½))."""
        return self._fill_from_uniform(lambda u: median + sigma * (math.pi * (u - 0.5)).tan(), generator)

    def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
        """Fill with draws of exp(N(mean, std²))."""
        return self.copy_((_random.randn_like(self.detach(), generator=generator) * std + mean).exp())

    def random_(self, from_=0, to=None, *, generator=None):
        """Fill with integers drawn uniformly from [from_, to) (``random_(to)``: [0, to)); without
        ``to``, up to 2^(mantissa bits) for floating dtypes and the dtype's maximum for integers."""
        if to is None and from_ != 0:
            from_, to = 0, from_
        if to is None:
            # every integer up to 2^(mantissa bits + 1) is exact in a floating dtype
            to = 2 ** (1 - round(math.log2(_dtypes.finfo(self.dtype).eps))) if self.dtype.is_floating_point \
                else _dtypes.iinfo(self.dtype).max
        draw = _random.randint(from_, to, self.shape, generator=generator, device=self.device)
        return self.copy_(draw.type(self.dtype))

    def _fill_from_uniform(self, transform, generator):
        return self.copy_(transform(_random.rand_like(self.detach(), generator=generator)))

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        return _random.multinomial(self, num_samples, replacement, generator=generator)

    # elementwise
    def expm1(self):
        return Expm1.apply(self)

    def exp2(self):
        return Exp2.apply(self)

    def sinh(self):
        return Sinh.apply(self)

    def cosh(self):
        return Cosh.apply(self)

    def asin(self):
        return Asin.apply(self)

    def acos(self):
        return Acos.apply(self)

    def atan(self):
        return Atan.apply(self)

    def asinh(self):
        return Asinh.apply(self)

    def acosh(self):
        return Acosh.apply(self)

    def atanh(self):
        return Atanh.apply(self)

    arcsin = asin
    arccos = acos
    arctan = atan
    arcsinh = asinh
    arccosh = acosh
    arctanh = atanh

    def lgamma(self):
        return Lgamma.apply(self)

    def digamma(self):
        return Polygamma.apply(self, n=0)

    def polygamma(self, n):
        return _transcendental.polygamma(n, self)

    def logit(self, eps=None):
        return _transcendental.logit(self, eps)

    def xlogy(self, other):
        return _transcendental.xlogy(self, other)

    def logaddexp(self, other):
        return _transcendental.logaddexp(self, other)

    def logaddexp2(self, other):
        return _transcendental.logaddexp2(self, other)

    def clamp_min(self, min):
        if isinstance(min, Tensor):
            return self.clamp(min=min)
        x, min, _ = self._clamp_operands(min, None, "clamp_min")
        return ClampMin.apply(x, min=min, max=None)

    def clamp_max(self, max):
        if isinstance(max, Tensor):
            return self.clamp(max=max)
        x, _, max = self._clamp_operands(None, max, "clamp_max")
        return ClampMax.apply(x, min=None, max=max)

    def log2(self):
        return LogBase.apply(self, base=2)

    def log10(self):
        return LogBase.apply(self, base=10)

    def erfinv(self):
        return Erfinv.apply(self)

    def floor(self):
        return Floor.apply(self)

    def ceil(self):
        return Ceil.apply(self)

    def trunc(self):
        return Trunc.apply(self)

    fix = trunc

    def round(self, decimals=0):
        return _pointwise.round(self, decimals)

    def frac(self):
        return _pointwise.frac(self)

    def fmod(self, other):
        return Fmod.apply(*_promote(self, other))

    def atan2(self, other):
        return Atan2.apply(*_promote(self, other))

    arctan2 = atan2

    def hypot(self, other):
        return Hypot.apply(*_promote(self, other))

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return NanToNum.apply(self, nan=nan, posinf=posinf, neginf=neginf)

    def isinf(self):
        return Logical.apply(self, op="isinf")

    def logical_not(self):
        return Logical.apply(self != 0, op="logical_not")

    def logical_and(self, other):
        return Logical.apply(self != 0, _promote(self, other)[1] != 0, op="logical_and")

    def logical_or(self, other):
        return Logical.apply(self != 0, _promote(self, other)[1] != 0, op="logical_or")

    def logical_xor(self, other):
        return Logical.apply(self != 0, _promote(self, other)[1] != 0, op="logical_xor")

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _pointwise.isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return bool(_pointwise.isclose(self, other, rtol, atol, equal_nan).all())

    def equal(self, other):
        return self.shape == other.shape and bool((self == other).all())

    def addcmul(self, tensor1, tensor2, *, value=1):
        return self + value * tensor1 * tensor2

    def addcdiv(self, tensor1, tensor2, *, value=1):
        return self + value * tensor1 / tensor2

    def lerp(self, end, weight):
        return _pointwise.lerp(self, end, weight)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        return self.add_(value * tensor1 * tensor2)

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        return self.add_(value * tensor1 / tensor2)

    def lerp_(self, end, weight):
        return _pointwise.lerp(self, end, weight, inplace=True)

    # in-place variants of the elementwise functions (the graph is rebased onto the op)
    def exp_(self):
        return _inplace_op(self, "exp_", Exp)

    def log_(self):
        return _inplace_op(self, "log_", Log)

    def log1p_(self):
        return _inplace_op(self, "log1p_", Log1p)

    def sqrt_(self):
        return _inplace_op(self, "sqrt_", Sqrt)

    def rsqrt_(self):
        return _inplace_op(self, "rsqrt_", Rsqrt)

    def abs_(self):
        return _inplace_op(self, "abs_", Abs)

    def neg_(self):
        return _inplace_op(self, "neg_", Neg)

    def sign_(self):
        return _inplace_op(self, "sign_", Sign)

    def sin_(self):
        return _inplace_op(self, "sin_", Sin)

    def cos_(self):
        return _inplace_op(self, "cos_", Cos)

    def tan_(self):
        return _inplace_op(self, "tan_", Tan)

    def tanh_(self):
        return _inplace_op(self, "tanh_", Tanh)

    def sigmoid_(self):
        return _inplace_op(self, "sigmoid_", Sigmoid)

    def relu_(self):
        _dtypes.require("relu_", self.dtype, _dtypes.NOT_BOOL)
        return _inplace_op(self, "relu_", Relu)

    def erf_(self):
        return _inplace_op(self, "erf_", Erf)

    def expm1_(self):
        return _inplace_op(self, "expm1_", Expm1)

    def exp2_(self):
        return _inplace_op(self, "exp2_", Exp2)

    def sinh_(self):
        return _inplace_op(self, "sinh_", Sinh)

    def cosh_(self):
        return _inplace_op(self, "cosh_", Cosh)

    def asin_(self):
        return _inplace_op(self, "asin_", Asin)

    def acos_(self):
        return _inplace_op(self, "acos_", Acos)

    def atan_(self):
        return _inplace_op(self, "atan_", Atan)

    def asinh_(self):
        return _inplace_op(self, "asinh_", Asinh)

    def acosh_(self):
        return _inplace_op(self, "acosh_", Acosh)

    def atanh_(self):
        return _inplace_op(self, "atanh_", Atanh)

    def lgamma_(self):
        return _inplace_op(self, "lgamma_", Lgamma)

    negative_ = neg_
    arcsin_ = asin_
    arccos_ = acos_
    arctan_ = atan_

    def digamma_(self):
        return _inplace_op(self, "digamma_", Polygamma, n=0)

    # in-place variants of the v2 elementwise ops and scans
    def floor_(self):
        return _inplace_op(self, "floor_", Floor)

    def ceil_(self):
        return _inplace_op(self, "ceil_", Ceil)

    def trunc_(self):
        return _inplace_op(self, "trunc_", Trunc)

    fix_ = trunc_

    def round_(self, decimals=0):
        if decimals:
            _dtypes.require("round_(decimals=)", self.dtype)
        return _inplace_op(self, "round_", RoundDecimals if decimals else Round, decimals=decimals)

    def frac_(self):
        _dtypes.require("frac_", self.dtype)
        return self.sub_(self.trunc())

    def fmod_(self, other):
        return _inplace_op(self, "fmod_", Fmod, other)

    def atan2_(self, other):
        return _inplace_op(self, "atan2_", Atan2, other)

    arctan2_ = atan2_

    def hypot_(self, other):
        return _inplace_op(self, "hypot_", Hypot, other)

    def erfinv_(self):
        return _inplace_op(self, "erfinv_", Erfinv)

    def log2_(self):
        return _inplace_op(self, "log2_", LogBase, base=2)

    def log10_(self):
        return _inplace_op(self, "log10_", LogBase, base=10)

    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
        return _inplace_op(self, "nan_to_num_", NanToNum, nan=nan, posinf=posinf, neginf=neginf)

    def square_(self):
        return self.pow_(2)

    def reciprocal_(self):
        return _inplace_op(self, "reciprocal_", Reciprocal)

    def cumprod_(self, dim):
        return _inplace_op(self, "cumprod_", Cumprod, dim=_dim(dim, self.ndim))

    # reductions and scans
    def cumprod(self, dim, *, dtype=None):
        return Cumprod.apply(self._scanned(dtype), dim=_dim(dim, self.ndim))

    def logcumsumexp(self, dim):
        return _pointwise.logcumsumexp(self, dim)

    def count_nonzero(self, dim=None):
        return (self != 0).sum(dim)

    # selection and sorting
    def sort(self, dim=-1, descending=False, stable=False):
        return _sorting.sort(self, dim, descending, stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return _sorting.argsort(self, dim, descending, stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _sorting.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k, dim=-1, keepdim=False):
        return _sorting.kthvalue(self, k, dim, keepdim)

    def median(self, dim=None, keepdim=False):
        return _sorting.median(self, dim, keepdim)

    def nanmedian(self, dim=None, keepdim=False):
        return _sorting.nanmedian(self, dim, keepdim)

    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return _sorting.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return _sorting.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return _sorting.unique(self, sorted, return_inverse, return_counts, dim)

    def cummax(self, dim):
        return _sorting.cummax(self, dim)

    def cummin(self, dim):
        return _sorting.cummin(self, dim)

    def bucketize(self, boundaries, *, out_int32=False, right=False):
        return _sorting.bucketize(self, boundaries, out_int32=out_int32, right=right)

    def bincount(self, weights=None, minlength=0):
        return _sorting.bincount(self, weights, minlength)

    def histc(self, bins=100, min=0, max=0):
        return _sorting.histc(self, bins, min, max)

    def nonzero(self, *, as_tuple=False):
        return _sorting.nonzero(self, as_tuple=as_tuple)

    def masked_select(self, mask):
        return _sorting.masked_select(self, mask)

    def take_along_dim(self, indices, dim=None):
        return _sorting.take_along_dim(self, indices, dim)

    # scatter and in-place indexing
    def scatter(self, dim, index, src=None, value=None, *, reduce=None):
        return _scatter.scatter(self, dim, index, src, value, reduce)

    def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
        return _scatter.scatter(self, dim, index, src, value, reduce, inplace=True)

    def scatter_add(self, dim, index, src):
        return _scatter.scatter_reduce(self, dim, index, src, "sum")

    def scatter_add_(self, dim, index, src):
        return _scatter.scatter_reduce(self, dim, index, src, "sum", inplace=True)

    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return _scatter.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        return _scatter.scatter_reduce(self, dim, index, src, reduce, include_self=include_self, inplace=True)

    def index_add(self, dim, index, source, *, alpha=1):
        return _scatter.index_add(self, dim, index, source, alpha)

    def index_add_(self, dim, index, source, *, alpha=1):
        return _scatter.index_add(self, dim, index, source, alpha, inplace=True)

    def index_put(self, indices, values, accumulate=False):
        return _scatter.index_put(self, indices, values, accumulate)

    def index_put_(self, indices, values, accumulate=False):
        return _scatter.index_put(self, indices, values, accumulate, inplace=True)

    def index_copy(self, dim, index, source):
        return _scatter.index_copy(self, dim, index, source)

    def index_copy_(self, dim, index, source):
        return _scatter.index_copy(self, dim, index, source, inplace=True)

    def index_fill(self, dim, index, value):
        return _scatter.index_fill(self, dim, index, value)

    def index_fill_(self, dim, index, value):
        return _scatter.index_fill(self, dim, index, value, inplace=True)

    def masked_fill_(self, mask, value):
        return _scatter.masked_fill(self, mask, value, inplace=True)

    def masked_scatter(self, mask, source):
        return _scatter.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask, source):
        return _scatter.masked_scatter(self, mask, source, inplace=True)

    # shape
    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        return _reduce.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        return _reduce.nanmean(self, dim, keepdim, dtype=dtype)

    def aminmax(self, *, dim=None, keepdim=False):
        return _reduce.aminmax(self, dim=dim, keepdim=keepdim)

    def mode(self, dim=-1, keepdim=False):
        return _sorting.mode(self, dim, keepdim)

    def isin(self, test_elements, *, assume_unique=False, invert=False):
        return _sorting.isin(self, test_elements, invert=invert)

    def argwhere(self):
        return _sorting.argwhere(self)

    def msort(self):
        return _sorting.msort(self)

    def copysign(self, other):
        return _pointwise.copysign(self, other)

    def heaviside(self, values):
        return _pointwise.heaviside(self, values)

    def float_power(self, exponent):
        return _pointwise.float_power(self, exponent)

    def deg2rad(self):
        return _pointwise.deg2rad(self)

    def rad2deg(self):
        return _pointwise.rad2deg(self)

    def fmax(self, other):
        return _pointwise.fmax(self, other)

    def fmin(self, other):
        return _pointwise.fmin(self, other)

    def dist(self, other, p=2):
        return _linalg.dist(self, other, p)

    def renorm(self, p, dim, maxnorm):
        return _linalg.renorm(self, p, dim, maxnorm)

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        return _linalg.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def addr(self, vec1, vec2, *, beta=1, alpha=1):
        return _linalg.addr(self, vec1, vec2, beta=beta, alpha=alpha)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _linalg.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def logdet(self):
        return _functions.logdet(self)

    def matrix_power(self, n):
        return _linalg_api.matrix_power(self, n)

    def pinverse(self, rcond=1e-15):
        return _linalg_api.pinv(self, rtol=rcond)

    def bitwise_and(self, other):
        return self & other

    def bitwise_or(self, other):
        return self | other

    def bitwise_xor(self, other):
        return self ^ other

    def bitwise_not(self):
        return ~self

    def sum_to_size(self, *size):
        """The sum over the axes that broadcasting would have expanded to give this shape."""
        size = _shape_arg(size, "sum_to_size")
        lead = self.ndim - len(size)
        dims = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(size)
                                          if n == 1 and self.shape[lead + i] != 1)
        return self.sum(dims, keepdim=True).reshape(size) if dims else self

    def data_ptr(self):
        """The address of the first element (for identity checks, as PyTorch code uses it)."""
        return self.device.backend.data_pointer(self.array)

    def storage_offset(self):
        """Elements from the start of the storage (its base's first element) to this view's first."""
        base = self if self._base is None else self._base
        return (self.data_ptr() - base.data_ptr()) // self.dtype.itemsize

    @property
    def is_cpu(self):
        return self.device.type == "cpu"

    def get_device(self):
        """The CUDA device index, -1 on the CPU (PyTorch's convention)."""
        return -1 if self.device.type == "cpu" else self.device.index or 0

    def byte(self):
        return self.type(_dtypes.uint8)

    def char(self):
        return self.type(_dtypes.int8)

    def short(self):
        return self.type(_dtypes.int16)

    def is_nonzero(self):
        if self.numel() != 1:
            many = "no values" if self.numel() == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {many} is ambiguous")
        return bool(self.item())

    def is_signed(self):
        return self.dtype not in (_dtypes.bool_, _dtypes.uint8)

    def is_same_size(self, other):
        return self.shape == other.shape

    def isneginf(self):
        return self.isinf() & (self < 0)

    def isposinf(self):
        return self.isinf() & (self > 0)

    def sinc(self):
        from .special import sinc
        return sinc(self)

    def select(self, dim, index):
        return self[(slice(None),) * _dim(dim, self.ndim) + (index,)]

    def ravel(self):
        return self.reshape(-1)

    def split_with_sizes(self, split_sizes, dim=0):
        return split(self, list(split_sizes), dim)

    def vdot(self, other):
        return _linalg.dot(self, other)

    def fill_diagonal_(self, fill_value, wrap=False):
        """``fill_value`` written at (i, i, …): a 2-D tensor's diagonal, or the main diagonal of one
        whose dims are all equal; with ``wrap`` a tall matrix's diagonal starts again every
        cols + 1 rows (NumPy's and PyTorch's rule)."""
        if self.ndim < 2 or (self.ndim > 2 and len(set(self.shape)) > 1):
            raise RuntimeError(f"fill_diagonal_: expected at least 2 dimensions, all of equal length "
                               f"beyond 2, got shape {list(self.shape)}")
        step = sum(math.prod(self.shape[d + 1:]) for d in range(self.ndim))  # cols + 1 for a matrix
        end = self.numel() if wrap and self.ndim == 2 else min(self.shape) * step
        self[np.unravel_index(np.arange(0, end, step), self.shape)] = fill_value
        return self

    # in-place forms whose result is a composite of ops: computed, then written into the storage
    def copysign_(self, other):
        return _views.written_back(self, True, lambda x: x.copysign(other))

    def xlogy_(self, other):
        return _views.written_back(self, True, lambda x: x.xlogy(other))

    def logit_(self, eps=None):
        return _views.written_back(self, True, lambda x: x.logit(eps))

    def sinc_(self):
        return _views.written_back(self, True, lambda x: x.sinc())

    def deg2rad_(self):
        return self.mul_(math.pi / 180)

    def rad2deg_(self):
        return self.mul_(180 / math.pi)

    def remainder_(self, other):
        _check_fits("remainder_", _promote(self, other)[0].dtype, self)
        return _views.written_back(self, True, lambda x: x.remainder(other))

    def floor_divide_(self, other):
        _check_fits("floor_divide_", _promote(self, other)[0].dtype, self)
        return _views.written_back(self, True, lambda x: x // other)

    def cumsum_(self, dim):
        return _views.written_back(self, True, lambda x: x.cumsum(dim))

    absolute = abs
    absolute_ = abs_
    sgn_ = sign_
    arcsinh_ = asinh_
    arccosh_ = acosh_
    arctanh_ = atanh_
    multiply_ = mul_
    subtract_ = sub_
    divide_ = div_
    true_divide_ = div_
    greater = __gt__
    greater_equal = __ge__
    less = __lt__
    less_equal = __le__
    not_equal = __ne__

    # in-place comparisons and logic: the result (1 or 0, True or False) in the tensor's own dtype
    def eq_(self, other):
        return self.copy_(self == other)

    def ne_(self, other):
        return self.copy_(self != other)

    def lt_(self, other):
        return self.copy_(self < other)

    def le_(self, other):
        return self.copy_(self <= other)

    def gt_(self, other):
        return self.copy_(self > other)

    def ge_(self, other):
        return self.copy_(self >= other)

    not_equal_ = ne_
    less_ = lt_
    less_equal_ = le_
    greater_ = gt_
    greater_equal_ = ge_

    def logical_and_(self, other):
        return self.copy_(self.logical_and(other))

    def logical_or_(self, other):
        return self.copy_(self.logical_or(other))

    def logical_xor_(self, other):
        return self.copy_(self.logical_xor(other))

    def bitwise_and_(self, other):
        return _copy_fitting(self, "bitwise_and_", self & other)

    def bitwise_or_(self, other):
        return _copy_fitting(self, "bitwise_or_", self | other)

    def bitwise_xor_(self, other):
        return _copy_fitting(self, "bitwise_xor_", self ^ other)

    def bitwise_not_(self):
        return self.copy_(~self)

    def bitwise_left_shift_(self, other):
        return _copy_fitting(self, "bitwise_left_shift_", self << other)

    def bitwise_right_shift_(self, other):
        return _copy_fitting(self, "bitwise_right_shift_", self >> other)

    # the augmented assignments beyond += -= *= /=, in place as PyTorch's (a view's base sees them)
    __ipow__ = pow_
    __ifloordiv__ = floor_divide_
    __imod__ = remainder_
    __iand__ = bitwise_and_
    __ior__ = bitwise_or_
    __ixor__ = bitwise_xor_
    __ilshift__ = bitwise_left_shift_
    __irshift__ = bitwise_right_shift_

    def stride(self, dim=None):
        """Elements to step in memory for one step along each axis (along ``dim``)."""
        strides = self.device.backend.strides(self.array)
        return strides if dim is None else strides[_dim(dim, self.ndim)]

    def ndimension(self):
        return self.ndim

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def nbytes(self):
        return self.numel() * self.dtype.itemsize

    def isreal(self):
        return self.new_ones(self.shape, dtype=_dtypes.bool_)  # every element of a real tensor (NaN too)

    def logical_not_(self):
        return self.copy_(self.logical_not())

    is_sparse = False  # minigrad has dense tensors only

    def to_dense(self):
        return self

    def is_complex(self):
        return False  # minigrad has no complex dtypes

    def positive(self):
        return self

    def conj(self):
        return self  # real tensors are their own conjugate

    resolve_conj = resolve_neg = conj

    @property
    def mH(self):
        return self.mT

    H = mH

    def adjoint(self):
        return self.mT

    @property
    def real(self):
        return self

    def sgn(self):
        return self.sign()

    def signbit(self):
        if not self.dtype.is_floating_point:
            return self < 0
        return Logical.apply(self, op="signbit")  # -0.0 has its sign bit set

    def unfold(self, dimension, size, step):
        return _movement.unfold(self, dimension, size, step)

    def take(self, index):
        return self.reshape(-1)[index]

    def put_(self, index, source, accumulate=False):
        if not self.is_contiguous():
            raise RuntimeError("put_: expected a contiguous tensor (it writes through a flat view)")
        self.view(-1).index_put_((index.reshape(-1),), source.reshape(-1), accumulate)
        return self

    def put(self, index, source, accumulate=False):
        return self.clone().put_(index, source, accumulate)

    def nelement(self):
        return self.numel()

    def is_contiguous(self, memory_format=None):
        return self.device.backend.is_contiguous(self.array)

    def narrow(self, dim, start, length):
        return _movement.narrow(self, dim, start, length)

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        return _movement.diff(self, n, dim, prepend, append)

    def roll(self, shifts, dims=None):
        return _movement.roll(self, shifts, dims)

    def tensor_split(self, indices_or_sections, dim=0):
        return _movement.tensor_split(self, indices_or_sections, dim)

    def hsplit(self, indices_or_sections):
        return _movement.hsplit(self, indices_or_sections)

    def vsplit(self, indices_or_sections):
        return _movement.vsplit(self, indices_or_sections)

    def dsplit(self, indices_or_sections):
        return _movement.dsplit(self, indices_or_sections)

    def rot90(self, k=1, dims=(0, 1)):
        return _movement.rot90(self, k, dims)

    def fliplr(self):
        return _movement.fliplr(self)

    def flipud(self):
        return _movement.flipud(self)

    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        return _movement.repeat_interleave(self, repeats, dim, output_size=output_size)

    def movedim(self, source, destination):
        return _movement.movedim(self, source, destination)

    moveaxis = movedim

    def swapaxes(self, axis0, axis1):
        return self.transpose(axis0, axis1)

    def swapdims(self, dim0, dim1):
        return self.transpose(dim0, dim1)

    def tile(self, *dims):
        return _movement.tile(self, _shape_arg(dims, "tile"))

    # linear algebra
    def mm(self, mat2):
        return _linalg.mm(self, mat2)

    def bmm(self, mat2):
        return _linalg.bmm(self, mat2)

    def mv(self, vec):
        return _linalg.mv(self, vec)

    def dot(self, other):
        return _linalg.dot(self, other)

    def outer(self, vec2):
        return _linalg.outer(self, vec2)

    ger = outer

    def inner(self, other):
        return _linalg.inner(self, other)

    def kron(self, other):
        return _linalg.kron(self, other)

    def cross(self, other, dim=None):
        return _linalg.cross(self, other, dim)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        return _linalg.diag_embed(self, offset, dim1, dim2)

    def diagflat(self, offset=0):
        return _linalg.diagflat(self, offset)

    def cov(self, *, correction=1, fweights=None, aweights=None):
        return _linalg.cov(self, correction=correction, fweights=fweights, aweights=aweights)

    def corrcoef(self):
        return _linalg.corrcoef(self)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _linalg.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _linalg.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def tril(self, diagonal=0):
        return _linalg.tril(self, diagonal)

    def tril_(self, diagonal=0):
        return _linalg.tril_(self, diagonal)

    def triu(self, diagonal=0):
        return _linalg.triu(self, diagonal)

    def triu_(self, diagonal=0):
        return _linalg.triu_(self, diagonal)

    def diag(self, diagonal=0):
        return _linalg.diag(self, diagonal)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return _linalg.diagonal(self, offset, dim1, dim2)

    def trace(self):
        return _linalg.trace(self)

    def det(self):
        return _linalg_api.det(self)

    def slogdet(self):
        return _linalg_api.slogdet(self)

    def inverse(self):
        return _linalg_api.inv(self)


class _RemovableHook:
    """The handle ``register_hook`` returns: ``remove()`` takes the hook out of the list it was
    added to (a leaf's, or its node's for the output), even after an in-place op has given the
    tensor a new node."""

    def __init__(self, hooks, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class Size(tuple):
    """PyTorch's shape type: a tuple of ints (minigrad's ``.shape`` is a plain tuple, equal to it)."""

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


def _legacy_data(args):
    """``Tensor(*args)``: ``(sizes, None)`` or ``(None, data)``, as PyTorch's legacy constructor reads them.

    ``Tensor(2, 3)`` is an uninitialised 2x3 tensor and ``Tensor()`` an empty one; one sequence,
    array or Tensor is data; a lone Python number is refused, as in PyTorch (``Tensor(2)`` would
    be a size, ``Tensor(2.0)`` is ambiguous).
    """
    if not args:
        return (0,), None
    if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
        if any(a < 0 for a in args):
            raise RuntimeError(f"Tensor(): negative dimension in size {tuple(int(a) for a in args)}")
        return tuple(int(a) for a in args), None
    if len(args) == 1 and not isinstance(args[0], (float, complex, bool, str)):
        return None, args[0]
    kinds = ", ".join(type(a).__name__ for a in args)
    raise TypeError(f"Tensor(): expected sizes (ints) or one sequence of data, got ({kinds})")


def _init(t, array, device):
    t.array = array
    t.device = device
    t._requires_grad = False
    t._grad_fn = None
    t._output_nr = 0
    t._grad = None
    t._version = [0]


def _python_scalar(array, dtype):
    value = array[(0,) * array.ndim] if array.ndim else array
    if dtype.category == "bool":
        return bool(value)
    if dtype.category == "int":
        return int(value)  # exact: through float, int64 beyond 2**53 would lose digits
    return float(value)


def _need_floating(t, op, advice):
    """PyTorch refuses integer inputs to these ops rather than converting them silently."""
    if not t.dtype.is_floating_point:
        raise RuntimeError(f"{op}(): input dtype {t.dtype} is not floating point; {advice}")


def _no_bool_subtraction(t, other):
    """PyTorch refuses a subtraction with a bool tensor (NumPy's error would name NumPy, and a bool
    tensor minus a number would pass)."""
    other_bool = type(other) is bool or isinstance(other, Tensor) and other.dtype is _dtypes.bool_
    if t.dtype is _dtypes.bool_ and other_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                           "`^` or `logical_xor()` operator instead.")
    if t.dtype is _dtypes.bool_ or other_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def _expanded_shape(shape, sizes, op):
    """``sizes`` with each -1 read from ``shape``, after PyTorch's checks that ``shape`` expands
    (broadcasts) to it."""
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(f"{op}: the number of sizes provided ({len(sizes)}) must be greater or equal "
                           f"to the number of dimensions in the tensor ({len(shape)})")
    for i, s in enumerate(sizes):
        old = shape[i - lead] if i >= lead else None
        if (s == -1 and old is None) or s < -1:
            note = " (a new, leading dimension)" if old is None else ""
            raise RuntimeError(f"{op}: the expanded size {s} isn't allowed at dimension {i} of "
                               f"{list(sizes)}{note}")
        if s != -1 and old not in (None, 1, s):
            raise RuntimeError(f"{op}: the expanded size of the tensor ({s}) must match the existing "
                               f"size ({old}) at non-singleton dimension {i}; target sizes "
                               f"{list(sizes)}, tensor sizes {list(shape)}")
    return tuple(shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))


def _warn_no_degrees_of_freedom(t, dim, correction, op):
    """PyTorch's warning when n - correction <= 0 (the result is then inf, or NaN where every value
    is equal), at the line calling var or std (through Tensor._spread) rather than NumPy's own two."""
    if degrees_of_freedom(t.shape, dim, correction) <= 0:
        warnings.warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=4)


def _check_fits(name, result_dtype, t):
    """PyTorch's rule for in-place ops: the result's dtype must cast to ``t``'s, never to a lower
    category (a float result into an integer tensor, an integer one into a bool tensor)."""
    if not _dtypes.can_cast(result_dtype, t.dtype):
        raise RuntimeError(f"{name}: result type {result_dtype} can't be cast to the desired output type "
                           f"{t.dtype}")


def _copy_fitting(t, name, result):
    """``t.copy_(result)`` for an in-place op computed out of place: same shape, a dtype that fits."""
    _check_fits(name, result.dtype, t)
    if result.shape != t.shape:
        raise RuntimeError(f"{name}: output with shape {list(t.shape)} doesn't match the broadcast shape "
                           f"{list(result.shape)}")
    return t.copy_(result)


def _times_alpha(t, other, alpha):
    """``alpha · other`` for ``add``/``sub``, ``alpha`` converted to the result's dtype as PyTorch
    converts it (checked: 300 with uint8 operands raises; a float with integer ones too)."""
    if alpha == 1:
        return other
    result = _promote(t, other)[0].dtype
    if result.category != "float" and isinstance(alpha, float):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    return other * _scalar_as(alpha, result)


def _inplace_op(t, name, op, *other, scalar=None, **attrs):
    """``t.name(*other)`` written into ``t``, under PyTorch's rule that the result's dtype must
    cast to ``t``'s (a float result never goes into an integer tensor); a number ``other`` is
    converted by ``scalar`` (see ``_promote``)."""
    promoted = t
    if other:
        promoted, value = _promote(t, other[0], scalar=scalar)
        other = (value.type(t.dtype) if isinstance(value, Tensor) and value.dtype is not t.dtype else value,)
    _check_fits(name, _dtypes.get_default_dtype() if op.floating_only and not promoted.dtype.is_floating_point
                else promoted.dtype, t)
    return _views.apply_inplace(t, op, *other, **attrs)


def _inplace_arith(t, fn, array_operator, other):
    """``t op= other``: PyTorch's rule that the result must fit ``t``'s dtype, then in place.

    Without a graph to record this is the array's own in-place operator: no temporary, no copy.
    """
    promoted, other = _promote(t, other, true_div=fn is Div)
    _check_fits(fn.__name__.lower() + "_", promoted.dtype, t)
    if isinstance(other, Tensor):
        if other.device is not t.device and other.device != t.device:
            raise RuntimeError(f"{fn.__name__.lower()}_: expected both tensors on the same device, "
                               f"found {t.device} and {other.device}; move one explicitly with .to()")
        if other.dtype is not t.dtype:
            other = other.type(t.dtype)
    if is_grad_enabled() and (t.requires_grad or isinstance(other, Tensor) and other._requires_grad
                              or t._base is not None and t._base._requires_grad):
        return _views.apply_inplace(t, fn, other)
    value = other.array if isinstance(other, Tensor) else other
    if isinstance(other, Tensor) and other.shape != t.shape and \
            _broadcast_shape(t.shape, other.shape) != tuple(t.shape):
        raise RuntimeError(f"{fn.__name__.lower()}_: output with shape {tuple(t.shape)} doesn't match "
                           f"the broadcast shape of {tuple(other.shape)}")
    if t.device.backend.overlaps_itself(t.array):
        raise _views.overlap_error(fn.__name__.lower() + "_")
    try:
        array_operator(t.array, value)  # NumPy and CuPy arrays update themselves
    except ValueError as err:
        raise _views.write_error(err, fn.__name__.lower() + "_", t, value) from None
    t._version[0] += 1
    return t


# Imported last, as they need Tensor defined: autograd, _coerce and the Tensor-level modules (creation,
# functions, linalg, printing, random) import it from here. The ops import neither tensor.py nor the
# name (they speak arrays and ctx: tests/test_layering.py), only autograd and _coerce.
from . import autograd as _autograd  # noqa: E402
from . import creation as _creation  # noqa: E402
from . import functions as _functions  # noqa: E402
from . import linalg as _linalg_api  # noqa: E402
from . import printing as _printing  # noqa: E402
from . import random as _random  # noqa: E402
from ._coerce import (  # noqa: E402
    _broadcast_shape,
    _dim,
    _dims,
    _exponent,
    _index_array,
    _infer_shape,
    _key,
    _promote,
    _reduced_dims,
    _scalar_as,
    _shape_arg,
    _split_key,
)
from .autograd import views as _views  # noqa: E402
from .autograd.grad_mode import is_grad_enabled  # noqa: E402
from .ops import linalg as _linalg  # noqa: E402
from .ops import movement as _movement  # noqa: E402
from .ops import pointwise as _pointwise  # noqa: E402
from .ops import reduce as _reduce  # noqa: E402
from .ops import scatter as _scatter  # noqa: E402
from .ops import sorting as _sorting  # noqa: E402
from .ops import transcendental as _transcendental  # noqa: E402
from .ops.elementwise import (  # noqa: E402
    Abs,
    Add,
    Cast,
    Clamp,
    ClampMax,
    ClampMin,
    ClampScalar,
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
    PowScalarBase,
    PowTensor,
    Reciprocal,
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
from .ops.elementwise import div as _div  # noqa: E402
from .ops.indexing import Gather, Index, IndexSelect, SetItem, _is_advanced, reader  # noqa: E402
from .ops.linalg import PRODUCT_BY_NDIM, MatMul  # noqa: E402
from .ops.movement import (  # noqa: E402
    BroadcastTo,
    Flip,
    MatrixTranspose,
    Permute,
    Repeat,
    Reshape,
    Squeeze,
    SqueezeDim,
    SqueezeDims,
    ToDevice,
    Transpose,
    Unsqueeze,
    chunk,
    split,
)
from .ops.pointwise import (  # noqa: E402
    Atan2,
    Ceil,
    Cumprod,
    Erfinv,
    Floor,
    Fmod,
    Hypot,
    LogBase,
    LogicalReduce,
    NanToNum,
    Round,
    RoundDecimals,
    Trunc,
)
from .ops.reduce import (  # noqa: E402
    Amax,
    Amin,
    ArgExtreme,
    Cumsum,
    LogSoftmax,
    LogSumExp,
    Max,
    MaxDim,
    Mean,
    MeanDims,
    Min,
    MinDim,
    Norm,
    Prod,
    Softmax,
    Std,
    Sum,
    SumDims,
    Var,
    _ValuesIndices,
    degrees_of_freedom,
)
from .ops.transcendental import (  # noqa: E402
    Acos,
    Acosh,
    Asin,
    Asinh,
    Atan,
    Atanh,
    Cosh,
    Exp2,
    Expm1,
    Lgamma,
    Polygamma,
    Sinh,
)
