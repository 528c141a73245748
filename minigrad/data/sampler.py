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


class DistributedSampler(Sampler):
    """Each rank's share of the dataset: disjoint shards that together cover it once per epoch.

    The indices (shuffled with seed ``seed + epoch`` when ``shuffle``, so every rank draws the
    same permutation) are padded by repeating the first ones up to a multiple of
    ``num_replicas`` (or, with ``drop_last``, cut down to one), then rank r takes every
    ``num_replicas``-th index starting at r. Call ``set_epoch(e)`` before each epoch, or every
    epoch repeats the same order (PyTorch's rule).

    Args:
        dataset: the dataset (only its length is used).
        num_replicas: the number of ranks (default: the process group's world size).
        rank: this rank (default: the process group's).
        shuffle: a new permutation each epoch.
        seed: the permutation's base seed, the same on every rank.
        drop_last: drop the tail instead of padding, so no sample is seen twice in an epoch.

    Example:
        >>> shards = [list(DistributedSampler(range(10), num_replicas=3, rank=r, shuffle=False))
        ...           for r in range(3)]
        >>> shards   # 10 indices padded to 12 with 0 and 1 again
        [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            from ..distributed import process_group
            if num_replicas is None:
                num_replicas = process_group.group("DistributedSampler").size
            if rank is None:
                rank = process_group.group("DistributedSampler").rank
        if not isinstance(num_replicas, int) or num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be a positive integer, "
                             f"got {num_replicas!r}")
        if not 0 <= rank < num_replicas:
            raise ValueError(f"DistributedSampler: invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.shuffle = shuffle
        self.seed = seed
        self.drop_last = drop_last
        self.epoch = 0
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = (n - num_replicas) // num_replicas + 1 if n >= num_replicas else 0
        else:
            self.num_samples = -(-n // num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            from ..random import Generator
            generator = Generator().manual_seed(self.seed + self.epoch)
            indices = _draw_permutation(n, generator).tolist()
        else:
            indices = list(range(n))
        if self.total_size > len(indices):
            padding = self.total_size - len(indices)
            indices += (indices * (padding // max(len(indices), 1) + 1))[:padding]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Make the next pass use the permutation of ``epoch`` (the same on every rank)."""
        self.epoch = epoch
