"""Collation: a list of samples into one batch of stacked tensors (``default_collate``).

Host data stays on the host here; the ``DataLoader`` moves finished batches to the device, in the
main process, so that worker processes never touch the GPU.
"""

import collections.abc
import numbers

import numpy as np

from .. import dtypes as _dtypes
from ..creation import from_numpy
from ..functions import stack
from ..tensor import Tensor


def _host_stack(arrays):
    return from_numpy(np.ascontiguousarray(np.stack(arrays)))


def default_collate(batch):
    """Stack a list of samples into a batch, keeping the samples' structure.

    Tensors and NumPy arrays are stacked along a new first dimension (host data stays on the host:
    the loader moves it); Python floats become the default dtype (float32), ints int64, bools
    bool; tuples, lists and dicts are collated field by field; strings are returned as a list.

    Example:
        >>> x, y = default_collate([(1.0, 3), (2.0, 4)])
        >>> x.dtype, x.tolist(), y.dtype, y.tolist()
        (minigrad.float32, [1.0, 2.0], minigrad.int64, [3, 4])
    """
    if not batch:
        raise ValueError("default_collate: empty batch")
    elem = batch[0]
    if isinstance(elem, Tensor):
        if all(t.device.type == "cpu" and not t.requires_grad for t in batch):
            return _host_stack([t.array for t in batch])
        return stack(list(batch))
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "OUS":
            raise TypeError(f"default_collate: cannot batch NumPy arrays of dtype {elem.dtype}")
        return _host_stack(batch)
    if isinstance(elem, np.generic):
        return _host_stack([np.asarray(v) for v in batch])
    if isinstance(elem, bool):
        return from_numpy(np.array(batch, dtype=bool))
    if isinstance(elem, numbers.Integral):
        return from_numpy(np.array(batch, dtype=np.int64))
    if isinstance(elem, numbers.Real):
        return from_numpy(np.array(batch, dtype=_dtypes.get_default_dtype().name))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(s) != size for s in batch):
            raise RuntimeError("default_collate: each sample in a batch must have the same number of fields")
        fields = [default_collate(list(column)) for column in zip(*batch)]
        return tuple(fields) if isinstance(elem, tuple) else fields
    raise TypeError(f"default_collate: don't know how to batch samples of type {type(elem).__name__}")


def default_convert(sample):
    """Turn one sample's NumPy arrays and numbers into tensors without stacking (``batch_size=None``)."""
    if isinstance(sample, Tensor):
        return sample
    if isinstance(sample, np.ndarray) and sample.dtype.kind not in "OUS":
        return from_numpy(sample)
    if isinstance(sample, np.generic):  # Python numbers stay numbers, as in PyTorch
        return default_collate([sample]).reshape(())
    if isinstance(sample, collections.abc.Mapping):
        return {k: default_convert(v) for k, v in sample.items()}
    if isinstance(sample, tuple):
        return tuple(default_convert(v) for v in sample)
    if isinstance(sample, list):
        return [default_convert(v) for v in sample]
    return sample

