"""The IDX file format of MNIST and Fashion-MNIST, read with clear errors for damaged files.

An IDX file is a 4-byte magic number ``0x00 0x00 <type> <ndim>``, then ``ndim`` big-endian
uint32 sizes, then the values in C order, big-endian. ``<type>`` is 0x08 (uint8), 0x09 (int8),
0x0B (int16), 0x0C (int32), 0x0D (float32) or 0x0E (float64). Files may be gzipped.
"""

import gzip
import os

import numpy as np

IDX_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
             0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


class IDXError(ValueError):
    """A file is not a valid IDX file (wrong magic number, truncated, or trailing bytes)."""


def _read_bytes(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":  # gzip's magic, whatever the file is called
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, gzip.BadGzipFile) as err:
            raise IDXError(f"{path}: the gzip stream is damaged or truncated ({err}); "
                           "download the file again") from err
    return raw


def parse_idx(raw, name="<bytes>"):
    """Decode the bytes of an IDX file into a NumPy array (native byte order).

    Example:
        >>> parse_idx(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9])).tolist()
        [7, 8, 9]
    """
    if len(raw) < 4:
        raise IDXError(f"{name}: truncated: {len(raw)} bytes, too short for the 4-byte IDX magic number")
    magic = int.from_bytes(raw[:4], "big")
    type_code, ndim = raw[2], raw[3]
    if raw[0] != 0 or raw[1] != 0 or type_code not in IDX_TYPES:
        raise IDXError(f"{name}: not an IDX file: magic number 0x{magic:08X}; an IDX file starts with "
                       "0x0000TTNN (TT the type 08/09/0B/0C/0D/0E, NN the number of dimensions), "
                       "e.g. 0x00000803 for MNIST images and 0x00000801 for labels")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXError(f"{name}: truncated: the header of {ndim} dimensions needs {header} bytes, "
                       f"the file has {len(raw)}")
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    dtype = IDX_TYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(raw) - header
    if found < expected:
        raise IDXError(f"{name}: truncated: shape {shape} needs {expected} bytes of data, "
                       f"found {found}; download the file again")
    if found > expected:
        raise IDXError(f"{name}: {found - expected} unexpected bytes after the data of shape {shape}")
    data = np.frombuffer(raw, dtype=dtype, count=expected // dtype.itemsize, offset=header)
    return data.reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path):
    """Read an IDX file (raw or gzipped) into a NumPy array.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        IDXError: the file is not IDX (wrong magic number), is truncated, or has trailing bytes.
    """
    return parse_idx(_read_bytes(os.fspath(path)), name=os.fspath(path))
