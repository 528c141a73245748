"""``mg.save`` / ``mg.load``: checkpoints in the safetensors format, which cannot run code when read.

File layout (the safetensors convention, readable by ``safetensors.safe_open`` / ``load_file``):

* 8 bytes: N, the header length, unsigned little-endian;
* N bytes: a UTF-8 JSON object (padded with spaces to a multiple of 8). Each tensor has an entry
  ``name: {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}`` with offsets into
  the data section; ``"__metadata__"`` is a flat string -> string map;
* the data section: every tensor's bytes, little-endian, C order, back to back.

The saved object (nested dicts, lists, tuples, tensors, numbers, strings, None, bools) rides in
``__metadata__["minigrad.structure"]`` as JSON in which a tensor is ``{"__tensor__": name}``, a
dict is ``{"__dict__": [[key, value], ...]}`` (so integer keys such as an optimizer's parameter
indices come back as integers), a tuple ``{"__tuple__": [...]}`` and a non-finite float
``{"__float__": "nan"}``. Tensor names are the dotted key paths, so a module's state dict
appears under its usual keys (``fc.weight``) to any safetensors reader. Tensors that share
storage (tied weights) are written once.

Loading parses only JSON and raw numbers, never pickle or ``eval``, and validates the whole file
first (header bounds, JSON, dtypes, shapes, offsets inside the data and neither overlapping nor
leaving gaps, sizes matching shapes); anything else raises ``ValueError`` naming the problem.
A file written by another safetensors writer (no structure) loads as a dict ``name -> Tensor``.
"""

import json
import math
import numbers
import os
import struct
import tempfile
from collections import OrderedDict

import numpy as np

from . import backend as _backend
from . import dtypes as _dtypes
from .tensor import Tensor

__all__ = ["save", "load"]

_STRUCTURE_KEY = "minigrad.structure"
_FORMAT_VERSION = "1"
_MAX_HEADER = 100_000_000  # the safetensors library's own limit

_CODE_OF = {"float16": "F16", "float32": "F32", "float64": "F64", "int8": "I8", "int16": "I16",
            "int32": "I32", "int64": "I64", "uint8": "U8", "bool": "BOOL"}
_NUMPY_OF = {code: np.dtype(name).newbyteorder("<") if name != "bool" else np.dtype(bool)
             for name, code in _CODE_OF.items()}


# --- saving ---------------------------------------------------------------------------------------
class _Encoder:
    """Turns the object into JSON-able structure while collecting tensors (by storage) to write."""

    def __init__(self):
        self.tensors = OrderedDict()  # name -> host array
        self.by_storage = {}  # id(backend array) -> name (tensors sharing storage are written once)
        self.keepalive = []

    def encode(self, obj, path):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, Tensor):
            return self._tensor(obj, path)
        if isinstance(obj, np.ndarray):
            return {"__ndarray__": self._array(obj, path)}
        if isinstance(obj, numbers.Integral):
            return int(obj)
        if isinstance(obj, numbers.Real):
            value = float(obj)
            return value if math.isfinite(value) else {"__float__": repr(value)}
        if isinstance(obj, _dtypes.dtype):
            return {"__dtype__": obj.name}
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                if not isinstance(k, (str, bool, int, float, type(None))):
                    raise TypeError(f"mg.save: dict keys must be str, int, float, bool or None; got "
                                    f"{type(k).__name__} at {'.'.join(path) or '<root>'}")
                key = k if not isinstance(k, float) or math.isfinite(k) else {"__float__": repr(k)}
                items.append([key, self.encode(v, path + [str(k)])])
            out = {"__dict__": items}
            if isinstance(obj, OrderedDict):
                out["ordered"] = True
            return out
        if isinstance(obj, tuple):
            return {"__tuple__": [self.encode(v, path + [str(i)]) for i, v in enumerate(obj)]}
        if isinstance(obj, list):
            return [self.encode(v, path + [str(i)]) for i, v in enumerate(obj)]
        hint = " (save its .state_dict() instead)" if hasattr(obj, "state_dict") else ""
        raise TypeError(f"mg.save: cannot save an object of type {type(obj).__name__} at "
                        f"{'.'.join(path) or '<root>'}{hint}: only tensors, NumPy arrays, numbers, strings, "
                        "None, bools and dicts/lists/tuples of them")

    def _name(self, path):
        base = ".".join(path) or "tensor"
        name, n = base, 1
        while name in self.tensors or name == "__metadata__":
            name, n = f"{base}#{n}", n + 1
        return name

    def _tensor(self, t, path):
        out = {"__tensor__": self._storage(t.array, path, lambda: t.device.backend.to_numpy(t.array))}
        if t.requires_grad:
            out["requires_grad"] = True
        return out

    def _array(self, a, path):
        return self._storage(a, path, lambda: a)

    def _storage(self, array, path, host):
        key = id(array)
        if key in self.by_storage:
            return self.by_storage[key]
        name = self._name(path)
        self.by_storage[key] = name
        self.keepalive.append(array)
        self.tensors[name] = host()
        return name


def _serialize(obj):
    enc = _Encoder()
    structure = enc.encode(obj, [])
    header = {}
    chunks = []
    offset = 0
    for name, host in enc.tensors.items():
        dtype_name = _dtypes.as_dtype(host.dtype).name
        if dtype_name not in _CODE_OF:
            raise TypeError(f"mg.save: tensor {name!r} has dtype {dtype_name}, which safetensors cannot hold")
        data = np.ascontiguousarray(host, dtype=_NUMPY_OF[_CODE_OF[dtype_name]]).tobytes()
        header[name] = {"dtype": _CODE_OF[dtype_name], "shape": list(host.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt", "minigrad.version": _FORMAT_VERSION,
                              _STRUCTURE_KEY: json.dumps(structure, allow_nan=False, separators=(",", ":"))}
    text = json.dumps(header, allow_nan=False, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return [struct.pack("<Q", len(text)), text] + chunks


def save(obj, f):
    """Write ``obj`` (a state dict or any nesting of dicts, lists, tuples, tensors, numbers, strings,
    None and bools) to ``f`` in the safetensors format.

    Args:
        obj: what to save. Dict keys may be strings, ints, floats, bools or None; tensors that
            share storage (tied weights) are written once and come back shared.
        f: a path (written atomically: a temporary file in the same directory, flushed and
            fsync'ed, then renamed over ``f``, so a crash never leaves a torn checkpoint) or a
            binary file object.

    Raises:
        TypeError: ``obj`` holds something else (a Module itself: save its ``state_dict()``).

    Tensors are copied to the host explicitly; they load back on the CPU unless
    ``mg.load(..., map_location=)`` says otherwise.

    >>> import io
    >>> import minigrad as mg
    >>> buf = io.BytesIO()
    >>> mg.save({"w": mg.tensor([1.0, 2.0]), "step": 3, 7: (None, "x")}, buf)
    >>> _ = buf.seek(0)
    >>> out = mg.load(buf)
    >>> out["w"].tolist(), out["step"], out[7]
    ([1.0, 2.0], 3, (None, 'x'))
    """
    parts = _serialize(obj)
    if hasattr(f, "write"):
        for p in parts:
            f.write(p)
        return
    path = os.fspath(f)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            for p in parts:
                out.write(p)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable (not possible on every platform)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def _file_mode(path):
    """The mode a plain ``open(path, "wb")`` would give (mkstemp makes files private)."""
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# --- loading --------------------------------------------------------------------------------------
def _reject_constant(name):
    raise ValueError(f"invalid JSON constant {name}")


def _parse(data):
    """Validate the bytes of a safetensors file; return (entries by name, metadata, data offset)."""
    size = len(data)
    if size < 8:
        raise ValueError(f"not a safetensors file: {size} bytes is shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > _MAX_HEADER:
        raise ValueError(f"corrupted safetensors file: header length {n} exceeds the limit {_MAX_HEADER}")
    if 8 + n > size:
        raise ValueError(f"truncated or corrupted safetensors file: header length {n} runs past the end of "
                         f"the {size}-byte file")
    try:
        header = json.loads(bytes(data[8:8 + n]).decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ValueError(f"corrupted safetensors file: the header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise ValueError("corrupted safetensors file: the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in metadata.items()):
        raise ValueError("corrupted safetensors file: __metadata__ must map strings to strings")
    buffer_len = size - 8 - n
    spans = []
    for name, entry in header.items():
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise ValueError(f"corrupted safetensors file: entry {name!r} must have exactly dtype, shape and "
                             "data_offsets")
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if dtype not in _NUMPY_OF:
            raise ValueError(f"unsupported or unknown dtype {dtype!r} for tensor {name!r} "
                             f"(known: {', '.join(_NUMPY_OF)})")
        if not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape):
            raise ValueError(f"corrupted safetensors file: shape of {name!r} must be a list of non-negative "
                             f"integers, got {shape!r}")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(o) is int for o in offsets)
                and 0 <= offsets[0] <= offsets[1] <= buffer_len):
            raise ValueError(f"corrupted or truncated safetensors file: data_offsets {offsets!r} of {name!r} "
                             f"fall outside the {buffer_len}-byte data section")
        expected = math.prod(shape) * _NUMPY_OF[dtype].itemsize
        if offsets[1] - offsets[0] != expected:
            raise ValueError(f"corrupted safetensors file: {name!r} has shape {shape} of {dtype} "
                             f"({expected} bytes) but data_offsets span {offsets[1] - offsets[0]} bytes")
        spans.append((offsets[0], offsets[1], name))
    spans.sort()
    end = 0
    for begin, stop, name in spans:
        if begin < end:
            raise ValueError(f"corrupted safetensors file: the data of {name!r} overlaps another tensor's")
        if begin > end:
            raise ValueError(f"corrupted safetensors file: a gap of {begin - end} bytes before {name!r}")
        end = stop
    if end != buffer_len:
        raise ValueError(f"corrupted safetensors file: the tensors cover {end} bytes of a {buffer_len}-byte "
                         "data section")
    return header, metadata, 8 + n


class _Decoder:
    def __init__(self, make_tensor, names):
        self.make_tensor = make_tensor
        self.names = names
        self.cache = {}

    def decode(self, node):
        if node is None or isinstance(node, (bool, str, int, float)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict):
            raise ValueError(f"corrupted structure: unexpected {type(node).__name__}")
        keys = set(node)
        if keys in ({"__tensor__"}, {"__tensor__", "requires_grad"}):
            t = self._tensor(node["__tensor__"], "tensor")
            if node.get("requires_grad") is True and t.dtype.is_floating_point:
                t.requires_grad_(True)
            return t
        if keys == {"__ndarray__"}:
            return self._tensor(node["__ndarray__"], "ndarray")
        if keys == {"__tuple__"} and isinstance(node["__tuple__"], list):
            return tuple(self.decode(v) for v in node["__tuple__"])
        if keys == {"__float__"} and node["__float__"] in ("nan", "inf", "-inf"):
            return float(node["__float__"])
        if keys == {"__dtype__"} and node["__dtype__"] in _dtypes.BY_NAME:
            return _dtypes.BY_NAME[node["__dtype__"]]
        if keys in ({"__dict__"}, {"__dict__", "ordered"}) and isinstance(node["__dict__"], list):
            out = OrderedDict() if node.get("ordered") is True else {}
            for item in node["__dict__"]:
                if not (isinstance(item, list) and len(item) == 2):
                    raise ValueError("corrupted structure: a dict item must be a [key, value] pair")
                key = item[0]
                if isinstance(key, dict):
                    key = self.decode(key)
                    if not isinstance(key, float):
                        raise ValueError("corrupted structure: invalid dict key")
                elif not (key is None or isinstance(key, (str, int, float, bool))):
                    raise ValueError("corrupted structure: invalid dict key")
                out[key] = self.decode(item[1])
            return out
        raise ValueError(f"corrupted structure: unknown node with keys {sorted(keys)[:5]}")

    def _tensor(self, name, kind):
        if not isinstance(name, str) or name not in self.names:
            raise ValueError(f"corrupted structure: reference to a missing tensor {name!r}")
        key = (name, kind)
        if key not in self.cache:
            self.cache[key] = self.make_tensor(name, kind)
        return self.cache[key]


def _target_device(map_location):
    if map_location is None:
        return _backend.device("cpu")
    if isinstance(map_location, (str, _backend.Device)):
        return _backend.device(map_location)
    raise TypeError("map_location must be None, a device string or a Device, got "
                    f"{type(map_location).__name__}")


def load(f, map_location=None, weights_only=True):
    """Read what ``mg.save`` wrote (or any safetensors file) from a path or binary file object.

    Args:
        f: a path or a binary file object.
        map_location: where tensors go: None (the CPU), ``"cpu"``, ``"cuda"``, ``"cuda:1"`` or a
            Device.
        weights_only: accepted for PyTorch compatibility; loading is always weights-only.

    Returns:
        The saved object; a plain safetensors file (written by another tool) loads as an ordered
        dict ``name -> Tensor``.

    Raises:
        ValueError: a corrupted, truncated or hostile file, naming what is wrong. Nothing in
            the file is ever executed.
    """
    device = _target_device(map_location)
    if hasattr(f, "read"):
        data = f.read()
    else:
        with open(os.fspath(f), "rb") as fh:
            data = fh.read()
    data = memoryview(data)
    header, metadata, base = _parse(data)

    def make_tensor(name, kind):
        entry = header[name]
        begin, end = entry["data_offsets"]
        dtype = _NUMPY_OF[entry["dtype"]]
        host = np.frombuffer(data, dtype=dtype, count=(end - begin) // dtype.itemsize, offset=base + begin)
        host = host.reshape(entry["shape"]).astype(dtype.newbyteorder("="), copy=True)
        if kind == "ndarray":
            return host
        return Tensor._wrap(device.backend.from_numpy(host, device.index), device)

    if _STRUCTURE_KEY not in metadata:
        return OrderedDict((name, make_tensor(name, "tensor"))
                           for _, _, name in sorted((e["data_offsets"][0], e["data_offsets"][1], n)
                                                    for n, e in header.items()))
    try:
        structure = json.loads(metadata[_STRUCTURE_KEY], parse_constant=_reject_constant)
        return _Decoder(make_tensor, header).decode(structure)
    except RecursionError:
        raise ValueError("corrupted structure: nested too deeply") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"corrupted structure: not valid JSON ({e})") from None
