"""Datasets: anything with ``__getitem__`` and ``__len__``, plus the ways to combine and split them.

A map-style dataset returns sample ``i`` from ``dataset[i]``. ``TensorDataset`` wraps tensors (or
NumPy arrays) sharing their first dimension and can also hand out a whole batch at once, which the
``DataLoader`` uses to avoid collating sample by sample.
"""

import bisect
import math
import numbers

import numpy as np

from .. import random as _random
from ..tensor import Tensor


class Dataset:
    """A map-style dataset: subclasses implement ``__getitem__(i)`` and ``__len__()``.

    Example:
        >>> class Squares(Dataset):
        ...     def __len__(self):
        ...         return 4
        ...     def __getitem__(self, i):
        ...         return float(i), i * i
        >>> Squares()[3]
        (3.0, 9)
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples: subclasses implement ``__iter__`` instead of ``__getitem__``.

    The ``DataLoader`` takes samples from ``iter(dataset)`` in order and batches them; it accepts no
    sampler and no ``shuffle``. With ``num_workers=N`` every worker process iterates its own copy of
    the dataset, so unless ``__iter__`` splits the work (using ``get_worker_info()``) each sample
    comes N times, as in PyTorch.

    Example:
        >>> from minigrad.data import get_worker_info
        >>> class Count(IterableDataset):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         info = get_worker_info()   # None in the main process
        ...         start, step = (0, 1) if info is None else (info.id, info.num_workers)
        ...         return iter(range(start, self.n, step))
        >>> list(Count(5))
        [0, 1, 2, 3, 4]
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __getitem__(self, index):
        raise TypeError(f"{type(self).__name__} is an IterableDataset: it has no __getitem__, iterate it")

    def __len__(self):  # an optional extra for iterable datasets, as in PyTorch
        raise TypeError(f"{type(self).__name__} has no len(): it defines no __len__")

    def __add__(self, other):
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """Several iterable datasets one after the other (``ds1 + ds2`` for iterable datasets)."""

    def __init__(self, datasets):
        self.datasets = list(datasets)

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset only supports IterableDataset, got {type(d).__name__}")
            yield from d

    def __len__(self):
        return sum(len(d) for d in self.datasets)


def _as_tensor(data):
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        from ..creation import from_numpy
        return from_numpy(data)
    raise TypeError(f"TensorDataset expects Tensors or NumPy arrays, got {type(data).__name__}")


class TensorDataset(Dataset):
    """Samples are slices of tensors along their first dimension: ``ds[i] = (t[i] for t in tensors)``.

    NumPy arrays are accepted and wrapped without a copy (``mg.from_numpy``); data kept on the host
    is moved to the current device one batch at a time by the ``DataLoader``.

    Args:
        *tensors: Tensors or NumPy arrays, all with the same size in dimension 0.

    Example:
        >>> import numpy as np
        >>> ds = TensorDataset(np.zeros((5, 2), np.float32), np.arange(5))
        >>> len(ds), ds[4][1].item()
        (5, 4)
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        self.tensors = tuple(_as_tensor(t) for t in tensors)
        n = self.tensors[0].shape[0] if self.tensors[0].ndim else None
        for t in self.tensors:
            if t.ndim == 0 or t.shape[0] != n:
                raise ValueError("TensorDataset: size mismatch between tensors: first dimensions are "
                                 f"{[tuple(t.shape)[:1] for t in self.tensors]}")

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]

    def _get_batch(self, indices):
        """The samples at ``indices`` (an int64 NumPy array), already stacked: one gather per tensor.

        Host tensors are gathered with NumPy and returned as NumPy arrays (the loader moves them);
        tensors on a device, or in a graph, are gathered there with ``index_select``.
        """
        out = []
        for t in self.tensors:
            if t.device.type == "cpu" and not t.requires_grad:
                out.append(t.array[indices])
            else:
                out.append(t.index_select(0, indices))
        return tuple(out)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = [int(i) for i in indices]

    def __getitem__(self, index):
        if isinstance(index, (list, tuple, np.ndarray)):
            return [self.dataset[self.indices[int(i)]] for i in index]
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)

    def _get_batch(self, indices):
        parent = getattr(self.dataset, "_get_batch", None)
        if parent is None:
            return None
        return parent(np.asarray(self.indices, dtype=np.int64)[indices])


class ConcatDataset(Dataset):
    """Several datasets one after the other."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset needs at least one dataset")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]))

    def __len__(self):
        return int(self.cumulative_sizes[-1])

    def __getitem__(self, index):
        if index < 0:
            if -index > len(self):
                raise IndexError("index out of range")
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = 0 if which == 0 else int(self.cumulative_sizes[which - 1])
        return self.datasets[which][index - start]


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` at random into non-overlapping ``Subset`` s of the given lengths.

    ``lengths`` are either counts summing to ``len(dataset)`` or fractions summing to 1 (the floor
    of each share, with the remainder handed out one by one from the first split, as PyTorch does).
    The permutation comes from ``generator`` (an ``mg.Generator``), or from the default generator,
    so ``mg.manual_seed`` makes it reproducible.

    Example:
        >>> import minigrad as mg
        >>> train, test = random_split(range(10), [0.8, 0.2], generator=mg.Generator().manual_seed(0))
        >>> len(train), len(test), sorted(train.indices + test.indices) == list(range(10))
        (8, 2, True)
    """
    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(isinstance(f, numbers.Real) and not isinstance(f, numbers.Integral) for f in lengths) \
            and math.isclose(sum(lengths), 1.0, abs_tol=1e-6):
        if any(f < 0 or f > 1 for f in lengths):
            raise ValueError(f"random_split: fractions must lie in [0, 1], got {lengths}")
        counts = [math.floor(n * f) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if any(not isinstance(k, numbers.Integral) or k < 0 for k in lengths):
        raise ValueError("random_split: lengths must be non-negative ints or fractions summing to 1, "
                         f"got {lengths}")
    if sum(lengths) != n:
        raise ValueError(f"random_split: the lengths {lengths} sum to {sum(lengths)}, "
                         f"but the dataset has {n} samples")
    order = _random.randperm(n, generator=generator, device="cpu").numpy().tolist()
    out, start = [], 0
    for k in lengths:
        out.append(Subset(dataset, order[start:start + k]))
        start += k
    return out
