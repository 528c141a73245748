"""Samplers: the order in which a ``DataLoader`` visits a dataset's indices.

Random orders come from an ``mg.Generator`` (or the default generator that ``mg.manual_seed``
seeds). Each pass draws a fresh permutation from the generator, so epochs differ from each other
while the whole sequence of epochs is reproducible.
"""

import itertools

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
    return _random.randperm(n, generator=generator, device="cpu").tolist()


def draw_seed(generator=None):
    """A fresh 63-bit seed drawn from ``generator`` (default: the default generator).

    PyTorch draws such a seed (``torch.empty((), dtype=torch.int64).random_()``) wherever a pass
    needs its own stream: the loader's ``base_seed`` for workers, and the private generator of a
    ``RandomSampler`` built without one.
    """
    return int(_random.randint(0, 2 ** 63 - 1, (), generator=generator, device="cpu").item())


class RandomSampler(Sampler):
    """A random order of the indices, different on every pass; drawn lazily, as it is consumed.

    Without replacement a pass is a permutation of the dataset (several permutations one after the
    other when ``num_samples`` exceeds its length). With replacement the indices are drawn 32 at a
    time as the pass goes, so ``num_samples`` may be far larger than memory (10**10 costs nothing
    until it is iterated). Without a ``generator``, each pass draws a seed from the default
    generator (``mg.manual_seed``) and uses a private generator seeded with it, as PyTorch does.

    Args:
        data_source: the dataset (only its length is used, read at each pass).
        replacement: draw ``num_samples`` indices with replacement instead of permuting.
        num_samples: how many indices per pass (default: the dataset's length).
        generator: an ``mg.Generator``; None uses a per-pass seed from the default one.

    Raises:
        TypeError: ``replacement`` is not a bool.
        ValueError: ``num_samples`` is not a positive integer.

    Example:
        >>> import minigrad as mg
        >>> s = RandomSampler(range(5), generator=mg.Generator().manual_seed(0))
        >>> sorted(s) == [0, 1, 2, 3, 4]
        True
        >>> huge = RandomSampler(range(5), replacement=True, num_samples=10**10)
        >>> len(huge), all(0 <= i < 5 for i, _ in zip(huge, range(100)))
        (10000000000, True)
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        if not isinstance(self.num_samples, int) or isinstance(self.num_samples, bool) \
                or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        generator = self.generator
        if generator is None:
            generator = _random.Generator().manual_seed(draw_seed())
        if self.replacement:
            for _ in range(self.num_samples // _CHUNK):
                yield from _random.randint(0, n, (_CHUNK,), generator=generator, device="cpu").tolist()
            yield from _random.randint(0, n, (self.num_samples % _CHUNK,), generator=generator,
                                       device="cpu").tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from _draw_permutation(n, generator)
            yield from _draw_permutation(n, generator)[:self.num_samples % n]

    def __len__(self):
        return self.num_samples


_CHUNK = 32  # indices drawn at a time with replacement (PyTorch's figure)


class SubsetRandomSampler(Sampler):
    """The given indices in a random order, different on every pass.

    Example:
        >>> import minigrad as mg
        >>> sorted(SubsetRandomSampler([7, 3, 9], generator=mg.Generator().manual_seed(0)))
        [3, 7, 9]
    """

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in _draw_permutation(len(self.indices), self.generator):
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """Indices 0 … len(weights)-1 drawn with probability proportional to ``weights``.

    P(index i) = wᵢ / Σⱼ wⱼ at every draw with replacement. Without replacement each index is drawn
    at most once per pass (successive draws renormalise the weights of the indices left), as
    ``multinomial`` does. With replacement the draws are made lazily, a chunk at a time, by
    inverting the cumulative weights with uniform numbers from the generator's host stream.

    Args:
        weights: a 1-D sequence of non-negative, finite weights, not necessarily summing to one.
        num_samples: how many indices per pass.
        replacement: draw with replacement (the default) or not.
        generator: an ``mg.Generator``; None uses the default one (``mg.manual_seed``).

    Raises:
        ValueError: ``num_samples`` is not a positive integer, ``replacement`` is not a bool, the
            weights are not 1-D, negative, not finite, sum to zero, or (without replacement) have
            fewer non-zero entries than ``num_samples``. PyTorch finds the last four only when
            ``multinomial`` runs, at the first pass, and raises a RuntimeError there.

    Example:
        >>> import minigrad as mg
        >>> s = WeightedRandomSampler([0.0, 1.0, 3.0], 8, generator=mg.Generator().manual_seed(0))
        >>> draws = list(s)
        >>> len(draws), 0 in draws
        (8, False)
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        w = np.asarray(weights.tolist() if hasattr(weights, "tolist") else weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {w.shape}")
        if not np.isfinite(w).all() or (w < 0).any():
            raise ValueError("WeightedRandomSampler: weights must be finite and non-negative")
        if w.sum() <= 0:
            raise ValueError("WeightedRandomSampler: the weights sum to zero")
        if not replacement and np.count_nonzero(w) < num_samples:
            raise ValueError(f"WeightedRandomSampler: cannot draw {num_samples} samples without "
                             f"replacement from {np.count_nonzero(w)} non-zero weights")
        self.weights = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        rng = (self.generator or _random.default_generator).numpy_rng()
        p = self.weights / self.weights.sum()
        if not self.replacement:
            yield from rng.choice(len(p), self.num_samples, replace=False, p=p).tolist()
            return
        cdf = np.cumsum(p)
        cdf /= cdf[-1]  # so that the last bin ends exactly at 1 despite round-off
        last = len(p) - 1
        for start in range(0, self.num_samples, _WEIGHTED_CHUNK):
            u = rng.random(min(_WEIGHTED_CHUNK, self.num_samples - start))
            yield from np.minimum(np.searchsorted(cdf, u, side="right"), last).tolist()

    def __len__(self):
        return self.num_samples


_WEIGHTED_CHUNK = 1024  # uniforms drawn at a time; each chunk costs O(chunk * log(len(weights)))


class BatchSampler(Sampler):
    """Group a sampler's indices into lists of ``batch_size`` (the last one shorter unless ``drop_last``).

    Example:
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        indices = iter(self.sampler)
        batch = list(itertools.islice(indices, self.batch_size))
        while batch and (len(batch) == self.batch_size or not self.drop_last):
            yield batch
            batch = list(itertools.islice(indices, self.batch_size))

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
            indices = _draw_permutation(n, generator)
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
