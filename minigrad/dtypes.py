"""Backend-neutral dtypes and PyTorch's type-promotion rules.

A ``minigrad.dtype`` names a data type; each backend maps it to its own array dtype
(``numpy.float32``, ``cupy.float32``, ``array_api_strict.float32``).
"""


_CATEGORY = {"bool": 0, "int": 1, "float": 2}


class dtype:
    """A tensor element type, e.g. ``minigrad.float32``."""

    __slots__ = ("name", "itemsize", "category")

    def __init__(self, name, itemsize, category):
        self.name = name
        self.itemsize = itemsize
        self.category = category

    @property
    def is_floating_point(self):
        return self.category == "float"

    def __repr__(self):
        return f"minigrad.{self.name}"

    def __reduce__(self):
        return self.name


float16 = dtype("float16", 2, "float")
float32 = dtype("float32", 4, "float")
float64 = dtype("float64", 8, "float")
int8 = dtype("int8", 1, "int")
uint8 = dtype("uint8", 1, "int")
int16 = dtype("int16", 2, "int")
int32 = dtype("int32", 4, "int")
int64 = dtype("int64", 8, "int")
bool_ = dtype("bool", 1, "bool")

ALL = (float16, float32, float64, int8, uint8, int16, int32, int64, bool_)
BY_NAME = {d.name: d for d in ALL}
BY_NAME.update(half=float16, float=float32, double=float64, long=int64, int=int32)

FLOATING = frozenset((float16, float32, float64))
NOT_BOOL = frozenset(ALL) - {bool_}


def require(op, d, allowed=FLOATING):
    """Refuse dtype ``d`` where PyTorch has no kernel of ``op`` for it, as PyTorch does (a
    NotImplementedError, which is a RuntimeError), naming both. ``allowed``: the dtypes it has one
    for (floating point by default); a set, so that the check is one hash of ``d``."""
    if d not in allowed:
        kinds = "floating point" if allowed == FLOATING else ", ".join(a.name for a in ALL if a in allowed)
        raise NotImplementedError(f"{op}: not implemented for {d} tensors (it takes {kinds} only)")


def require_same(op, d, *others):
    """Refuse operands of more than one dtype where PyTorch does not promote them: ``d`` and each of
    ``others`` must be the same dtype."""
    for o in others:
        if o is not d:
            raise RuntimeError(f"{op}: expected {'both' if len(others) == 1 else 'all'} operands to have the "
                               f"same dtype, got {d} and {o}; convert one with .to(dtype)")


_default_dtype = float32  # per process, as in PyTorch: every thread sees the same default


def get_default_dtype():
    """The floating dtype that Python floats and ``mg.Tensor(...)`` become (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(d):
    """Set the default floating dtype (``mg.float64`` for gradient checking)."""
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype: only floating dtypes are allowed, got {d}")
    global _default_dtype
    _default_dtype = d


def as_dtype(d):
    """Accept a minigrad dtype, a name such as ``"float32"``, or a NumPy dtype/type."""
    if isinstance(d, dtype):
        return d
    name = d if isinstance(d, str) else getattr(d, "name", None) or getattr(d, "__name__", None)
    if name == "bool_":
        name = "bool"
    try:
        return BY_NAME[name]
    except KeyError:
        raise TypeError(f"unknown dtype {d!r}; expected one of {sorted(BY_NAME)}") from None


def promote_types(a, b, a_is_scalar_tensor=False, b_is_scalar_tensor=False):
    """PyTorch's promotion of two tensor dtypes.

    The higher category (bool < int < float) wins; within a category the wider type wins,
    except that a 0-d tensor never widens a dimensioned tensor of the same category.
    """
    if a is b:
        return a
    ca, cb = _CATEGORY[a.category], _CATEGORY[b.category]
    if ca != cb:
        return a if ca > cb else b
    if a_is_scalar_tensor != b_is_scalar_tensor:
        return b if a_is_scalar_tensor else a
    if a.category == "int" and {a.name, b.name} == {"uint8", "int8"}:
        return int16
    return a if a.itemsize >= b.itemsize else b


def scalar_result_dtype(tensor_dtype, scalar):
    """Dtype of ``tensor op python_scalar``: the scalar only lifts the category."""
    if isinstance(scalar, bool):
        return tensor_dtype
    if isinstance(scalar, int):
        return int64 if tensor_dtype is bool_ else tensor_dtype
    if isinstance(scalar, float):
        return tensor_dtype if tensor_dtype.is_floating_point else get_default_dtype()
    raise TypeError(f"unsupported operand type {type(scalar).__name__}")


class finfo:
    """Machine limits of a floating dtype (the default dtype when none is given): ``bits``,
    ``eps`` (the gap between 1 and the next number), ``max``, ``min``, ``tiny`` (=
    ``smallest_normal``) and ``resolution`` (10^-precision)."""

    def __init__(self, type=None):
        import numpy as np
        d = get_default_dtype() if type is None else as_dtype(type)
        if not d.is_floating_point:
            raise TypeError(f"finfo: {d} is not a floating point dtype; use iinfo")
        info = np.finfo(d.name)
        self.dtype = d.name
        self.bits = int(info.bits)
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = float(info.resolution)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype: ``bits``, ``min``, ``max``."""

    def __init__(self, type):
        import numpy as np
        d = as_dtype(type)
        if d.category != "int":
            raise TypeError(f"iinfo: {d} is not an integer dtype; use finfo")
        info = np.iinfo(d.name)
        self.dtype = d.name
        self.bits, self.min, self.max = int(info.bits), int(info.min), int(info.max)

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def result_type(tensor1, tensor2):
    """The dtype PyTorch's arithmetic gives two operands (tensors or Python numbers)."""
    from ._coerce import _promote
    from .creation import tensor
    first = tensor1 if hasattr(tensor1, "dtype") or not hasattr(tensor2, "dtype") else tensor2
    other = tensor2 if first is tensor1 else tensor1
    return _promote(first if hasattr(first, "dtype") else tensor(first), other)[0].dtype

def can_cast(from_, to):
    """Whether PyTorch's casting rules allow ``from_`` to ``to`` in an in-place op: never to a lower
    category (float to integer, integer to bool)."""
    return _CATEGORY[as_dtype(from_).category] <= _CATEGORY[as_dtype(to).category]
