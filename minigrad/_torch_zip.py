"""Reading what PyTorch's ``torch.save`` wrote, without running anything in the file.

``torch.save`` (PyTorch 1.6 and later) writes a zip archive, every member stored uncompressed
under one folder (``archive/`` or the file's base name):

* ``data.pkl``: a pickle (protocol 2) of the saved object, in which each tensor is a call
  ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)`` and
  each storage a *persistent id* ``("storage", torch.FloatStorage, key, location, numel)``;
* ``data/<key>``: each storage's raw bytes; ``byteorder``: ``little`` or ``big``;
  ``version``, ``.format_version``, ``.storage_alignment``, ``.data/serialization_id``.

Unpickling is the dangerous part: a pickle names any importable callable and calls it. Like
``torch.load(weights_only=True)``, the unpickler here resolves names only from an allowlist, and
the allowlist holds *our* functions, never PyTorch's or the standard library's general ones:
the tensor rebuilders (which read only the storages of this archive), ``OrderedDict``, ``set``,
``complex``, dtype and storage-type names, ``torch.Size``/``torch.device`` and
``_codecs.encode`` for bytes (latin-1 only). Anything else stops the load with a ``ValueError``
naming it, before it is called. The work is bounded by the file: the pickle may not exceed
``_MAX_PICKLE`` bytes or build more than about ``_MAX_OBJECTS`` objects (counted before
unpickling), and the tensors may not expand to more than a few times the stored bytes (a
broadcast view with zero strides is materialised as a copy).

Views come back as contiguous copies; tensors that are the same view of the same storage (tied
weights in a state dict) come back as one Tensor. bfloat16 (which minigrad lacks) becomes
float32, which holds every bfloat16 value exactly.
"""

import pickle
import zipfile
from collections import OrderedDict

import numpy as np

from . import dtypes as _dtypes

_MAX_PICKLE = 64 << 20
_MAX_OBJECTS = 1 << 21
# opcodes that build a container or call a function (1 byte in the file, 50-200 bytes in memory)
_BUILDERS = b"](}\x8f)\x85\x86\x87Rbsu\x81\x92e"
_MAX_DEPTH = 500
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError)

_STORAGES = {"FloatStorage": "f4", "DoubleStorage": "f8", "HalfStorage": "f2", "BFloat16Storage": "bf16",
             "LongStorage": "i8", "IntStorage": "i4", "ShortStorage": "i2", "CharStorage": "i1",
             "ByteStorage": "u1", "BoolStorage": "b1"}
_TORCH_DTYPES = {"float32": "float32", "float": "float32", "float64": "float64", "double": "float64",
                 "float16": "float16", "half": "float16", "int64": "int64", "long": "int64",
                 "int32": "int32", "int": "int32", "int16": "int16", "short": "int16", "int8": "int8",
                 "uint8": "uint8", "bool": "bool"}


class _Refused(Exception):
    """The file asks for something the allowlist does not hold, or is malformed (message says which)."""


class _StorageType:
    __slots__ = ("name", "dtype")

    def __init__(self, name):
        self.name = name
        self.dtype = _STORAGES[name]


class _TensorRef:
    """A rebuilt tensor's host array, replaced by a Tensor once the whole pickle is read."""

    __slots__ = ("array", "requires_grad", "parameter")

    def __init__(self, array, requires_grad, parameter=False):
        self.array, self.requires_grad, self.parameter = array, requires_grad, parameter

    def __setstate__(self, state):
        raise _Refused("the pickle sets attributes on a tensor (a tensor subclass?); not supported")


class _Marker:
    """A name from the allowlist that is only ever an argument (torch.Tensor, nn.Parameter)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


def _latin1(text, encoding="utf-8"):
    """``_codecs.encode``, as protocol-2 pickles use it for bytes: a str to bytes in latin-1 only."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise _Refused(f"_codecs.encode called with {type(text).__name__} and {encoding!r}")
    return text.encode("latin1")


def _checked(kind, *types):
    def make(*args):
        if not all(isinstance(a, types) for a in args) or len(args) > 2:
            raise _Refused(f"{kind.__name__} called with {[type(a).__name__ for a in args]}")
        return kind(*args)
    return make


def _size(*args):
    if len(args) > 1 or (args and not isinstance(args[0], (tuple, list))):
        raise _Refused("torch.Size called with something other than a tuple")
    return tuple(args[0]) if args else ()


def _device(kind, index=None):
    if not isinstance(kind, str) or not (index is None or type(index) is int):
        raise _Refused("torch.device called with something other than a string and an index")
    return kind if index is None else f"{kind}:{index}"


class _Archive:
    """The zip's members under their folder, read only if stored uncompressed and inside the file."""

    def __init__(self, file, size):
        try:
            self.zip = zipfile.ZipFile(file)
            infos = self.zip.infolist()
        except _ZIP_ERRORS as e:
            raise _Refused(f"a damaged zip archive ({e})") from None
        pickles = [i.filename for i in infos
                   if i.filename.endswith("/data.pkl") and i.filename.count("/") == 1]
        if len(pickles) != 1:
            names = [i.filename for i in infos][:5]
            what = "a TorchScript archive (torch.jit.save); load it with PyTorch" if any(
                n.endswith("/constants.pkl") for n in names) else f"members {names}"
            raise _Refused("a zip file but not a torch.save checkpoint: no single <folder>/data.pkl "
                           f"({what})")
        self.prefix = pickles[0][:-len("data.pkl")]
        self.infos = {i.filename: i for i in infos}
        self.size = size

    def read(self, name, limit=None):
        info = self.infos.get(self.prefix + name)
        if info is None:
            raise _Refused(f"the archive has no member {self.prefix + name!r}")
        if info.compress_type != zipfile.ZIP_STORED:
            raise _Refused(f"member {info.filename!r} is compressed; torch.save stores members uncompressed")
        bound = self.size if limit is None else min(self.size, limit)
        if info.file_size > bound:
            raise _Refused(f"member {info.filename!r} claims {info.file_size} bytes, more than the "
                           f"{bound} it may have")
        try:
            return self.zip.read(info)
        except _ZIP_ERRORS as e:
            raise _Refused(f"member {info.filename!r} is damaged ({e})") from None


class _Unpickler(pickle.Unpickler):
    """``pickle.Unpickler`` whose every global comes from the allowlist and whose storages come
    from the archive; nothing else can be constructed or called."""

    def __init__(self, data, archive, byteorder, budget):
        import io
        super().__init__(io.BytesIO(data))
        self.archive = archive
        self.byteorder = byteorder
        self.storages = {}  # key -> (dtype code, 1-D host array)
        self.tensors = {}  # (key, offset, size, stride) -> _TensorRef: identical views load as one tensor
        self.budget = budget  # bytes the rebuilt tensors may still take
        self.allowed = {
            ("collections", "OrderedDict"): OrderedDict,
            ("torch._utils", "_rebuild_tensor_v2"): self.rebuild_tensor,
            ("torch._utils", "_rebuild_parameter"): self.rebuild_parameter,
            ("torch._utils", "_rebuild_parameter_with_state"): self.rebuild_parameter,
            ("torch._tensor", "_rebuild_from_type_v2"): self.rebuild_from_type,
            ("torch", "Tensor"): _Marker("Tensor"),
            ("torch.nn.parameter", "Parameter"): _Marker("Parameter"),
            ("torch", "Size"): _size,
            ("torch", "device"): _device,
            ("_codecs", "encode"): _latin1,
        }
        for builtins in ("builtins", "__builtin__"):  # protocol 2 writes Python 2's name
            self.allowed[builtins, "set"] = _checked(set, list, tuple)
            self.allowed[builtins, "complex"] = _checked(complex, int, float)

    def find_class(self, module, name):
        found = self.allowed.get((module, name))
        if found is not None:
            return found
        if module == "torch" and name in _STORAGES:
            return _StorageType(name)
        if module == "torch" and name in _TORCH_DTYPES:
            return _dtypes.BY_NAME[_TORCH_DTYPES[name]]
        if module == "torch" and name in ("bfloat16", "complex64", "complex128", "cfloat", "cdouble"):
            raise _Refused(f"the checkpoint holds the dtype torch.{name}, which minigrad does not have")
        raise _Refused(f"the pickle asks for {module}.{name}, which is not on the allowlist of what a "
                       "checkpoint may build (tensors, state dicts, containers, numbers, strings); "
                       "nothing was run")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType) and isinstance(pid[2], str) and type(pid[4]) is int
                and pid[4] >= 0):
            raise _Refused(f"an unknown persistent id {str(pid)[:80]}")
        _, kind, key, _, numel = pid
        if key not in self.storages:
            raw = self.archive.read(f"data/{key}")
            code = kind.dtype
            itemsize = 2 if code == "bf16" else int(code[1:])
            if len(raw) < numel * itemsize:
                raise _Refused(f"storage {key} holds {len(raw)} bytes, less than its {numel} elements of "
                               f"{kind.name} need")
            self.storages[key] = (code, _host_array(raw[:numel * itemsize], code, self.byteorder))
        elif self.storages[key][0] != kind.dtype:
            raise _Refused(f"storage {key} is read as two different types")
        return (key, self.storages[key][1])

    def rebuild_tensor(self, storage, offset, size, stride, requires_grad=False, hooks=None, metadata=None):
        if not (isinstance(storage, tuple) and len(storage) == 2 and isinstance(storage[1], np.ndarray)):
            raise _Refused("_rebuild_tensor_v2 called without a storage of this archive")
        if not (_ints(size) and _ints(stride) and len(size) == len(stride) and len(size) <= 64
                and type(offset) is int and offset >= 0 and isinstance(requires_grad, bool)):
            raise _Refused(f"a tensor with a malformed layout: offset {offset!r}, size {str(size)[:60]}, "
                           f"stride {str(stride)[:60]}")
        key, flat = storage
        ident = (key, offset, tuple(size), tuple(stride))
        if ident in self.tensors:
            return self.tensors[ident]
        numel = int(np.prod(size, dtype=object)) if size else 1
        if numel and offset + sum((n - 1) * s for n, s in zip(size, stride)) >= flat.size:
            raise _Refused(f"a {tuple(size)} tensor with strides {tuple(stride)} at offset {offset} reaches "
                           f"past the end of its {flat.size}-element storage {key}")
        if offset == 0 and numel == flat.size and list(stride) == _c_strides(size):
            ref = _TensorRef(flat.reshape(size), requires_grad)  # the whole storage in order: no copy
        else:
            self.budget -= numel * flat.itemsize
            if self.budget < 0:
                raise _Refused(f"the tensors would expand to more than a few times the file's size (a "
                               f"{tuple(size)} view with strides {tuple(stride)} of a {flat.size}-element "
                               "storage)")
            strides = [s * flat.itemsize for s in stride]
            view = np.lib.stride_tricks.as_strided(flat[offset:], size, strides) if numel else \
                np.empty(size, dtype=flat.dtype)
            ref = _TensorRef(np.array(view, order="C"), requires_grad)
        self.tensors[ident] = ref
        return ref

    def rebuild_parameter(self, data, requires_grad, hooks=None, state=None):
        if not isinstance(data, _TensorRef) or not isinstance(requires_grad, bool) or state:
            raise _Refused("_rebuild_parameter called without a tensor, or with extra attributes")
        return _TensorRef(data.array, requires_grad, parameter=True)

    def rebuild_from_type(self, func, new_type, args, state):
        if func not in (self.rebuild_tensor, self.rebuild_parameter) or not isinstance(new_type, _Marker) \
                or not isinstance(args, tuple) or state:
            raise _Refused("_rebuild_from_type_v2 with a type or state minigrad does not rebuild")
        return func(*args)


def _c_strides(size):
    """The strides (in elements) of a C-contiguous tensor of ``size``."""
    strides, step = [], 1
    for n in reversed(size):
        strides.append(step)
        step *= max(n, 1)
    return strides[::-1]


def _ints(values):
    return isinstance(values, (tuple, list)) and all(type(v) is int and v >= 0 for v in values)


def _host_array(raw, code, byteorder):
    if code == "bf16":  # the high half of a float32: widening is exact
        halves = np.frombuffer(raw, dtype=byteorder + "u2").astype(np.uint32)
        return (halves << 16).view(np.float32)
    if code == "b1":
        return np.frombuffer(raw, dtype=np.uint8).astype(bool)
    return np.frombuffer(raw, dtype=byteorder + code).astype("=" + code)


_BUSY = object()


def _finish(node, make_tensor, seen, depth=0):
    """Replace every _TensorRef by a Tensor (in place for lists and dicts; cycles visited once)."""
    if isinstance(node, _TensorRef):
        if id(node) not in seen:  # the same view met twice (tied weights) becomes one Tensor
            if node.parameter:
                from .nn.parameter import Parameter
                t = Parameter(make_tensor(node.array), requires_grad=node.requires_grad)
            else:
                t = make_tensor(node.array)
                if node.requires_grad and t.dtype.is_floating_point:
                    t.requires_grad_(True)
            seen[id(node)] = (node, t)
        return seen[id(node)][1]
    if depth > _MAX_DEPTH:
        raise _Refused(f"the object is nested more than {_MAX_DEPTH} levels deep")
    if id(node) in seen:
        if seen[id(node)][1] is _BUSY:
            raise _Refused("a tuple or set that contains itself")
        return seen[id(node)][1]
    if not isinstance(node, (list, dict, tuple, set)):
        if isinstance(node, (_Marker, _StorageType)) or callable(node):
            raise _Refused("the pickle returns a type or function itself, not data")
        return node
    seen[id(node)] = (node, node if isinstance(node, (list, dict)) else _BUSY)  # node kept: ids stay unique
    if isinstance(node, list):
        for i, v in enumerate(node):
            node[i] = _finish(v, make_tensor, seen, depth + 1)
        return node
    if isinstance(node, dict):
        items = [(_finish(k, make_tensor, seen, depth + 1), _finish(v, make_tensor, seen, depth + 1))
                 for k, v in node.items()]
        node.clear()
        node.update(items)
        return node
    out = type(node)(_finish(v, make_tensor, seen, depth + 1) for v in node)
    seen[id(node)] = (node, out)
    return out


def load(source, make_tensor):
    """The object ``torch.save`` wrote to ``source`` (a serialization._Source), tensors made by
    ``make_tensor(host_array)``."""
    try:
        file = source.file
        if source.size is None:  # zipfile needs to seek: a stream is read into memory
            import io
            file = io.BytesIO(file.read())
        size = source.size if source.size is not None else len(file.getbuffer())
        archive = _Archive(file, size)
        data = archive.read("data.pkl", limit=_MAX_PICKLE)
        builders = sum(data.count(op) for op in (bytes([b]) for b in _BUILDERS))
        if builders > _MAX_OBJECTS:
            raise _Refused(f"the pickle would build about {builders:,} objects, more than the limit of "
                           f"{_MAX_OBJECTS:,}")
        byteorder = "<"
        if archive.prefix + "byteorder" in archive.infos:
            order = archive.read("byteorder", limit=16)
            if order not in (b"little", b"big"):
                raise _Refused(f"unknown byteorder {order[:16]!r}")
            byteorder = "<" if order == b"little" else ">"
        unpickler = _Unpickler(data, archive, byteorder, budget=4 * size + (16 << 20))
        obj = unpickler.load()
        return _finish(obj, make_tensor, {})
    except _Refused as e:
        raise source.error(f"PyTorch checkpoint refused: {e}") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError, KeyError, AttributeError,
            OverflowError, MemoryError, RecursionError) as e:
        raise source.error(f"PyTorch checkpoint refused: a damaged pickle ({type(e).__name__}: "
                           f"{str(e)[:200]})") from None
