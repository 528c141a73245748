"""Samplers: the order in which a ``DataLoader`` visits a dataset's indices.

Random orders come from an ``mg.Generator`` (or the default generator that ``mg.manual_seed``
seeds). Each pass draws a fresh permutation from the generator, so epochs differ from each other
while the whole sequence of epochs is reproducible.
"""

import numpy as np

from .. import random as _random


class Sampler:
    """An iterable over dataset indices; subclasses implement ``__iter__`` (and usually ``__len__``)."""

    def __iter__(self):
        raise NotImplementedError

    def __len__(self):
        raise TypeError(f"{type(self).__name__} has no length")


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


def _draw_permutation(n, generator):
    return _random.randperm(n, generator=generator, device="cpu").numpy()


class RandomSampler(Sampler):
    """A random order of the indices, different on every pass.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw ``num_samples`` indices with replacement instead of permuting.
        num_samples: how many indices per pass (default: the dataset's length).
        generator: an ``mg.Generator``; None uses the default one (``mg.manual_seed``).

    Example:
        >>> import minigrad as mg
        >>> s = RandomSampler(range(5), generator=mg.Generator().manual_seed(0))
        >>> sorted(s) == [0, 1, 2, 3, 4]
        True
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if num_samples is not None and (not isinstance(num_samples, int) or num_samples <= 0):
            raise ValueError(f"num_samples should be a positive integer, got {num_samples!r}")
        if num_samples is not None and not replacement and num_samples > len(data_source):
            raise ValueError("num_samples larger than the dataset needs replacement=True")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        if self.replacement:
            draw = _random.randint(0, n, (self.num_samples,), generator=self.generator, device="cpu")
            return iter(draw.numpy().tolist())
        return iter(_draw_permutation(n, self.generator)[:self.num_samples].tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order, different on every pass."""

    def __init__(self, indices, generator=None):
        self.indices = list(indices)
        self.generator = generator

    def __iter__(self):
        order = _draw_permutation(len(self.indices), self.generator)
        return (self.indices[i] for i in order.tolist())

    def __len__(self):
        return len(self.indices)


class BatchSampler(Sampler):
    """Group a sampler's indices into lists of ``batch_size`` (the last one shorter unless ``drop_last``).

    Example:
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer, got {batch_size!r}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(int(index))
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def as_index_array(batch):
    """A batch of indices as an int64 NumPy array (for ``_get_batch``)."""
    return np.asarray(batch, dtype=np.int64)
