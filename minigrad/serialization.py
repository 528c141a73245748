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

Loading parses only JSON and raw numbers, never ``eval``, and validates the whole header before
reading any tensor (header bounds, JSON size, duplicate keys, dtypes, shapes, offsets inside the
data and neither overlapping nor leaving gaps, sizes matching shapes); anything else raises
``ValueError`` naming the file and the problem. Only regular files are opened, so a FIFO or a
device is refused instead of blocking or reading forever. A file written by another safetensors
writer (no structure) loads as a dict ``name -> Tensor``. A zip file is PyTorch's ``torch.save``
format, read by ``_torch_zip`` through an allowlist unpickler; a bare pickle is refused.
"""

import errno
import gc
import io
import json
import math
import numbers
import os
import socket
import stat
import struct
import tempfile
import zlib
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
        f: a path or a binary file object. A path is written atomically: a temporary file in the
            same directory (``.NAME.HOST.PID.XXXX.tmp``), flushed and fsync'ed, then renamed over
            ``f``, so a crash leaves either the old file or the new one. A symlink is followed
            (its target is written, as ``open()`` does). Temporary files left by a save that was
            killed are removed by the next save of the same path.

    Raises:
        TypeError: ``obj`` holds something else (a Module itself: save its ``state_dict()``),
            or ``f`` is a text-mode file.
        OSError: the file cannot be written; the message names ``f``, not the temporary file.

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
        if isinstance(f, io.TextIOBase):
            raise TypeError("mg.save: the file object is open in text mode; open it in binary mode "
                            "(open(path, 'wb') or io.BytesIO())")
        for p in parts:
            f.write(p)
        return
    given = os.fspath(f)
    path = os.path.realpath(given)  # through symlinks to the file they name, as open() goes
    try:
        _write_atomically(path, parts)
    except OSError as e:
        if e.errno is None:
            raise
        raise type(e)(e.errno, f"mg.save could not write {given!r}: {e.strerror}") from None


_TEMP_SUFFIX = ".tmp"
_writing = set()  # temporary files this process is writing right now (other threads may save too)


def _temp_prefix(path):
    """``.NAME.HOST.`` : the temporary files of ``path``, with the host they were written on."""
    host = format(zlib.crc32(socket.gethostname().encode()), "08x")
    return f".{os.path.basename(path)}.{host}."


def _write_atomically(path, parts):
    directory = os.path.dirname(path)
    prefix = _temp_prefix(path)
    _remove_stale_temps(directory, prefix)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f"{prefix}{os.getpid()}.", suffix=_TEMP_SUFFIX)
    _writing.add(tmp)
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
    finally:
        _writing.discard(tmp)
    try:  # make the rename itself durable (not possible on every platform)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def _remove_stale_temps(directory, prefix):
    """Delete this path's temporary files whose writer (a process on this host) is gone: a save
    killed before its rename (kill -9, out of memory, power loss) leaves one behind."""
    try:
        names = [n for n in os.listdir(directory) if n.startswith(prefix) and n.endswith(_TEMP_SUFFIX)]
    except OSError:
        return
    for name in names:
        pid = name[len(prefix):].split(".", 1)[0]
        full = os.path.join(directory, name)
        if not pid.isdigit() or full in _writing or (int(pid) != os.getpid() and _alive(int(pid))):
            continue
        try:
            os.unlink(full)
        except OSError:
            pass


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _file_mode(path):
    """The mode a plain ``open(path, "wb")`` would give (mkstemp makes files private)."""
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# --- loading --------------------------------------------------------------------------------------
# Work is bounded by the file: the header is read only after its length is checked against the
# file's size, tensors only after their byte ranges are, and the JSON is parsed only when its
# number of values (counted in C, before any Python object is built) is under a limit: a hostile
# 96 MB header of empty containers would otherwise cost some 50 bytes of Python objects per byte.
_MAX_JSON_VALUES = 1 << 21  # a 100,000-tensor state dict needs about 1.2 million
_MAX_DIMS = 64  # NumPy's limit


class _Source:
    """A file being loaded: reads exactly what is asked, knows the size when it can, and names
    the file as the user gave it in every error."""

    def __init__(self, f):
        if hasattr(f, "read"):
            if isinstance(f, io.TextIOBase):
                raise TypeError("mg.load: the file object is open in text mode; open it in binary mode "
                                "(open(path, 'rb') or io.BytesIO(data))")
            self.file, self.owned = f, False
            self.name = repr(getattr(f, "name", None) or type(f).__name__)
            self.size = _remaining(f)
        else:
            path = os.fspath(f)
            self.name = repr(path)
            self.file, self.owned = _open_regular(path), True
            self.size = os.fstat(self.file.fileno()).st_size

    def close(self):
        if self.owned:
            self.file.close()

    def error(self, message):
        return ValueError(f"mg.load({self.name}): {message}")

    def read(self, n, what):
        """Exactly ``n`` bytes (``what`` they are, for the error when the file ends first)."""
        data = self.file.read(n) if n else b""
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"mg.load: {self.name}.read() returned {type(data).__name__}, not bytes; open "
                            "the file in binary mode ('rb')")
        if len(data) != n:
            raise self.error(f"truncated file: {what} needs {n} bytes, only {len(data)} remain")
        return data

    def read_into(self, array, what):
        """Fill ``array``'s memory straight from the file (no intermediate copy when possible)."""
        view = memoryview(array.reshape(-1).view(np.uint8))
        readinto = getattr(self.file, "readinto", None)
        got = readinto(view) if readinto is not None else None
        if got is None:
            data = self.read(len(view), what)
            view[:] = data
            return
        while 0 < got < len(view):  # raw files may return short reads
            more = readinto(view[got:])
            if not more:
                break
            got += more
        if got != len(view):
            raise self.error(f"truncated file: {what} needs {len(view)} bytes, only {got} remain")


def _remaining(f):
    """Bytes left in a seekable file object, or None."""
    try:
        if not f.seekable():
            return None
        here = f.tell()
        end = f.seek(0, os.SEEK_END)
        f.seek(here)
        return end - here
    except (AttributeError, OSError, ValueError):
        return None


def _open_regular(path):
    """Open ``path`` for reading if it is a regular file; a FIFO, a device (``/dev/zero``) or a
    directory is refused without blocking (O_NONBLOCK: opening a FIFO waits for a writer)."""
    flags = os.O_RDONLY
    for extra in ("O_NONBLOCK", "O_CLOEXEC", "O_BINARY"):
        flags |= getattr(os, extra, 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "mg.load: is a directory, not a checkpoint file", path)
        if not stat.S_ISREG(mode):
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode)
                    or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
            raise ValueError(f"mg.load({path!r}): {kind}; checkpoints are read from regular files only "
                             "(pass an open binary file object to read from a stream)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise


def _reject_constant(name):
    raise ValueError(f"invalid JSON constant {name}")


def _unique_keys(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _json(text, what, source):
    """Parse bounded JSON: duplicate keys, NaN/Infinity and oversized documents are refused."""
    values = text.count(b",") + text.count(b"{") + text.count(b"[") if isinstance(text, bytes) else \
        text.count(",") + text.count("{") + text.count("[")
    if values > _MAX_JSON_VALUES:
        raise source.error(f"{what} holds about {values:,} JSON values, more than the limit of "
                           f"{_MAX_JSON_VALUES:,} (a corrupted or hostile file)")
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        reason = "nested too deeply" if isinstance(e, RecursionError) else str(e)
        raise source.error(f"corrupted safetensors file: {what} is not valid JSON ({reason})") from None


def _parse_header(source):
    """Read and validate the header; return (entries sorted by offset, metadata, data-section size)."""
    size = source.size
    if size is not None and size < 8:
        raise source.error(f"not a safetensors file: {size} bytes is shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", source.read(8, "the header length"))
    if n > _MAX_HEADER:
        raise source.error(f"corrupted safetensors file: header length {n} exceeds the limit {_MAX_HEADER}")
    if size is not None and 8 + n > size:
        raise source.error(f"truncated or corrupted safetensors file: header length {n} runs past the end of "
                           f"the {size}-byte file")
    header = _json(source.read(n, "the header"), "the header", source)
    if not isinstance(header, dict):
        raise source.error("corrupted safetensors file: the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in metadata.items()):
        raise source.error("corrupted safetensors file: __metadata__ must map strings to strings")
    buffer_len = None if size is None else size - 8 - n
    entries = [_entry(name, entry, buffer_len, source) for name, entry in header.items()]
    entries.sort(key=lambda e: e[3])
    end = 0
    for name, _, _, begin, stop in entries:
        if begin < end:
            raise source.error(f"corrupted safetensors file: the data of {name!r} overlaps another tensor's")
        if begin > end:
            raise source.error(f"corrupted safetensors file: a gap of {begin - end} bytes before {name!r}")
        end = stop
    if buffer_len is not None and end != buffer_len:
        raise source.error(f"corrupted safetensors file: the tensors cover {end} bytes of a "
                           f"{buffer_len}-byte data section")
    return entries, metadata


def _entry(name, entry, buffer_len, source):
    """One tensor's (name, NumPy dtype, shape, begin, end), every field checked."""
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise source.error(f"corrupted safetensors file: entry {name!r} must have exactly dtype, shape and "
                           "data_offsets")
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if not isinstance(dtype, str) or dtype not in _NUMPY_OF:
        raise source.error(f"unsupported or unknown dtype {dtype!r} for tensor {name!r} "
                           f"(known: {', '.join(_NUMPY_OF)})")
    if not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape):
        raise source.error(f"corrupted safetensors file: shape of {name!r} must be a list of non-negative "
                           f"integers, got {_short(shape)}")
    if len(shape) > _MAX_DIMS or any(s >= 2 ** 62 for s in shape):
        raise source.error(f"corrupted safetensors file: tensor {name!r} has an impossible shape "
                           f"{_short(shape)} (at most {_MAX_DIMS} dimensions, each below 2**62)")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(o) is int for o in offsets)
            and 0 <= offsets[0] <= offsets[1] <= (2 ** 63 if buffer_len is None else buffer_len)):
        where = "" if buffer_len is None else f" of the {buffer_len}-byte data section"
        raise source.error(f"corrupted or truncated safetensors file: data_offsets {_short(offsets)} of "
                           f"{name!r} fall outside the data{where}")
    expected = math.prod(shape) * _NUMPY_OF[dtype].itemsize
    if offsets[1] - offsets[0] != expected:
        raise source.error(f"corrupted safetensors file: tensor {name!r} has shape {_short(shape)} of "
                           f"{dtype} ({expected} bytes) but data_offsets span {offsets[1] - offsets[0]} "
                           "bytes")
    return name, _NUMPY_OF[dtype], tuple(shape), offsets[0], offsets[1]


def _short(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "...]"


class _Decoder:
    def __init__(self, arrays, make_tensor, source):
        self.arrays = arrays
        self.make_tensor = make_tensor
        self.source = source
        self.cache = {}

    def error(self, message):
        return self.source.error(f"corrupted structure: {message}")

    def decode(self, node):
        if node is None or isinstance(node, (bool, str, int, float)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict):
            raise self.error(f"unexpected {type(node).__name__}")
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
        name = node.get("__dtype__")
        if keys == {"__dtype__"} and isinstance(name, str) and name in _dtypes.BY_NAME:
            return _dtypes.BY_NAME[name]
        if keys in ({"__dict__"}, {"__dict__", "ordered"}) and isinstance(node["__dict__"], list):
            out = OrderedDict() if node.get("ordered") is True else {}
            for item in node["__dict__"]:
                if not (isinstance(item, list) and len(item) == 2):
                    raise self.error("a dict item must be a [key, value] pair")
                key = item[0]
                if isinstance(key, dict):
                    key = self.decode(key)
                    if not isinstance(key, float):
                        raise self.error("invalid dict key")
                elif not (key is None or isinstance(key, (str, int, float, bool))):
                    raise self.error("invalid dict key")
                out[key] = self.decode(item[1])
            return out
        raise self.error(f"unknown node with keys {sorted(keys)[:5]}")

    def _tensor(self, name, kind):
        if not isinstance(name, str) or name not in self.arrays:
            raise self.error(f"reference to a missing tensor {_short(name)}")
        key = (name, kind)
        if key not in self.cache:
            array = self.arrays[name]
            self.cache[key] = array if kind == "ndarray" else self.make_tensor(array)
        return self.cache[key]


def _target_device(map_location):
    if map_location is None:
        return _backend.device("cpu")
    if isinstance(map_location, (str, _backend.Device)):
        return _backend.device(map_location)
    raise TypeError("map_location must be None, a device string or a Device, got "
                    f"{type(map_location).__name__}")


def load(f, map_location=None, weights_only=True):
    """Read a checkpoint from a path or binary file object: what ``mg.save`` wrote, any
    safetensors file, or what PyTorch's ``torch.save`` wrote (its zip format).

    Args:
        f: a path (a regular file: FIFOs, devices and directories are refused) or a binary
            file object.
        map_location: where tensors go: None (the CPU), ``"cpu"``, ``"cuda"``, ``"cuda:1"`` or a
            Device.
        weights_only: accepted for PyTorch compatibility; loading is always weights-only.

    Returns:
        The saved object; a plain safetensors file (written by another tool) loads as an ordered
        dict ``name -> Tensor``.

    Raises:
        ValueError: a corrupted, truncated or hostile file, naming the file and what is wrong,
            or a PyTorch file that needs something outside the allowlist. Nothing in the file is
            ever executed.
        TypeError: ``f`` is a text-mode file object.
    """
    device = _target_device(map_location)

    def make_tensor(host):
        return Tensor._wrap(device.backend.from_numpy(host, device.index), device)

    source = _Source(f)
    collecting = gc.isenabled()
    gc.disable()  # a checkpoint builds many containers and no cycles: the collector would rescan them all
    try:
        head = _peek(source, 9)
        if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
            from . import _torch_zip
            return _torch_zip.load(source, make_tensor)
        # a pickle opens with PROTO (0x80, 2-5); so does a safetensors file whose header is 640, 896,
        # 1152 or 1408 bytes long, but its ninth byte opens the JSON header
        if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05") and head[8:9] != b"{":
            raise source.error(
                "this is a pickle, not a checkpoint mg.load can read safely: a legacy PyTorch file "
                "(torch.save(..., _use_new_zipfile_serialization=False) or PyTorch before 1.6) or a plain "
                "pickle. Unpickling runs code, so it is never done; re-save it with a current "
                "torch.save(obj, path) (the zip format) or with safetensors")
        return _load_safetensors(source, make_tensor)
    finally:
        if collecting:
            gc.enable()
        source.close()


def _peek(source, n):
    """The first ``n`` bytes, leaving the file where it was (seekable files) or re-reading them."""
    if source.size is not None:
        here = source.file.tell()
        data = source.file.read(n)
        source.file.seek(here)
        return data if isinstance(data, bytes) else b""
    data = source.file.read(n)
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"mg.load: {source.name}.read() returned {type(data).__name__}, not bytes; open the "
                        "file in binary mode ('rb')")
    source.file = _Prepended(bytes(data), source.file)
    return bytes(data)


class _Prepended:
    """A non-seekable stream with bytes already read put back in front."""

    def __init__(self, head, rest):
        self.head, self.rest = head, rest

    def read(self, n=-1):
        if n is None or n < 0:
            out, self.head = self.head + self.rest.read(), b""
            return out
        out, self.head = self.head[:n], self.head[n:]
        if len(out) < n:
            more = self.rest.read(n - len(out))
            if not isinstance(more, (bytes, bytearray)):
                raise TypeError("mg.load: the file object's read() did not return bytes; open the file in "
                                "binary mode ('rb')")
            out += more
        return out


def _load_safetensors(source, make_tensor):
    entries, metadata = _parse_header(source)
    arrays = OrderedDict()
    for name, dtype, shape, _, _ in entries:  # in file order: one pass, no seeking
        host = np.empty(shape, dtype=dtype)
        source.read_into(host, f"tensor {name!r}")
        arrays[name] = host if dtype.isnative else host.astype(dtype.newbyteorder("="))
    if source.size is None and source.file.read(1):
        raise source.error("corrupted safetensors file: bytes follow the last tensor's data")
    if _STRUCTURE_KEY not in metadata:
        return OrderedDict((name, make_tensor(array)) for name, array in arrays.items())
    structure = _json(metadata[_STRUCTURE_KEY], "the structure", source)
    try:
        return _Decoder(arrays, make_tensor, source).decode(structure)
    except RecursionError:
        raise source.error("corrupted structure: nested too deeply") from None
