"""``DataLoader``: mini-batches of a dataset, shuffled reproducibly, on the current device.

One epoch is one pass over the loader: the sampler orders the indices, the batch sampler groups
them, each group is fetched and collated into stacked tensors, and tensors still on the host are
moved to the device that new tensors go to (``mg.set_backend``), so the GPU toggle needs no change
to the training loop.
"""

import collections.abc
import numbers
import warnings

import numpy as np

from .. import backend as _backend
from .. import dtypes as _dtypes
from ..creation import from_numpy
from ..functions import stack
from ..tensor import Tensor
from .sampler import BatchSampler, RandomSampler, SequentialSampler, as_index_array


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
    if isinstance(sample, (np.generic, numbers.Number)):
        return default_collate([sample]).reshape(())
    if isinstance(sample, collections.abc.Mapping):
        return {k: default_convert(v) for k, v in sample.items()}
    if isinstance(sample, tuple):
        return tuple(default_convert(v) for v in sample)
    if isinstance(sample, list):
        return [default_convert(v) for v in sample]
    return sample


def _move(obj, device):
    """Move host (CPU) tensors inside ``obj`` to ``device``; tensors elsewhere stay put."""
    if isinstance(obj, Tensor):
        return obj.to(device) if obj.device.type == "cpu" and device.type != "cpu" else obj
    if isinstance(obj, tuple):
        return tuple(_move(v, device) for v in obj)
    if isinstance(obj, list):
        return [_move(v, device) for v in obj]
    if isinstance(obj, dict):
        return {k: _move(v, device) for k, v in obj.items()}
    return obj


class DataLoader:
    """Iterate over a dataset in mini-batches.

    Each ``for batch in loader`` is one epoch. With ``shuffle=True`` every epoch visits the samples
    in a new random order drawn from ``generator`` (or from the default generator, so that
    ``mg.manual_seed`` fixes the whole sequence of epochs). Batches are collated by ``collate_fn``
    and tensors on the host are moved to ``device`` (default: the current default device, see
    ``mg.set_backend``); with ``TensorDataset`` and the default collation each batch is gathered with
    one indexing operation per tensor instead of sample by sample.

    Args:
        dataset: a map-style dataset (``__getitem__`` and ``__len__``).
        batch_size: samples per batch; None yields single samples, unstacked.
        shuffle: visit the samples in a new random order every epoch.
        sampler: an iterable of indices (instead of ``shuffle``).
        batch_sampler: an iterable of lists of indices (instead of ``batch_size``, ``shuffle``,
            ``sampler`` and ``drop_last``).
        num_workers: accepted for PyTorch compatibility; loading always runs in the main process
            (a value above 0 warns once). ``pin_memory``, ``timeout``, ``worker_init_fn``,
            ``multiprocessing_context``, ``prefetch_factor``, ``persistent_workers`` and
            ``pin_memory_device`` are accepted and ignored likewise.
        collate_fn: turns a list of samples into a batch (default: ``default_collate``).
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        generator: the ``mg.Generator`` that shuffles.
        device: where the batches go (default: the default device when iteration starts).

    The positional order of the arguments is PyTorch's.

    Example:
        >>> import minigrad as mg
        >>> from minigrad.data import TensorDataset
        >>> ds = TensorDataset(mg.arange(10).float(), mg.arange(10))
        >>> loader = DataLoader(ds, batch_size=4, shuffle=True, generator=mg.Generator().manual_seed(0))
        >>> len(loader), [len(y) for _, y in loader]
        (3, [4, 4, 2])
        >>> sorted(i for _, y in loader for i in y.tolist()) == list(range(10))
        True
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="", device=None):
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"num_workers option should be non-negative, got {num_workers!r}")
        if num_workers > 0:  # accepted so that PyTorch scripts run unchanged
            warnings.warn(f"DataLoader(num_workers={num_workers}): minigrad loads batches in the main "
                          "process; the worker options are ignored", UserWarning, stacklevel=2)
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler is mutually exclusive with batch_size, shuffle, sampler "
                                 "and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None (no batching) is incompatible with drop_last")
        if sampler is not None and shuffle:
            raise ValueError("sampler is mutually exclusive with shuffle")
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.collate_fn = collate_fn
        self.device = device

    def __len__(self):
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def __iter__(self):
        device = _backend.default_device() if self.device is None else _backend.device(self.device)
        if self.batch_sampler is None:
            for index in self.sampler:
                yield _move(default_convert(self.dataset[index]) if self.collate_fn is None
                            else self.collate_fn(self.dataset[index]), device)
            return
        fast = getattr(self.dataset, "_get_batch", None) if self.collate_fn is None else None
        for indices in self.batch_sampler:
            batch = fast(as_index_array(indices)) if fast is not None else None
            if batch is not None:
                batch = tuple(from_numpy(np.ascontiguousarray(b)) if isinstance(b, np.ndarray) else b
                              for b in batch)
            else:
                samples = [self.dataset[i] for i in indices]
                batch = (self.collate_fn or default_collate)(samples)
            yield _move(batch, device)

    def __repr__(self):
        return (f"DataLoader(dataset of {len(self.dataset)}, batch_size={self.batch_size}, "
                f"shuffle={isinstance(self.sampler, RandomSampler)}, drop_last={self.drop_last})")
