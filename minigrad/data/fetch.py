"""Fetchers: one batch from a dataset, given what the sampler produced (PyTorch's ``_utils.fetch``).

The same fetcher runs in the main process (``num_workers=0``) and in each worker process, so a
batch is built the same way wherever it is built.
"""

import numpy as np

from ..creation import from_numpy
from .collate import default_collate
from .sampler import as_index_array


class MapFetcher:
    """Samples ``dataset[i]`` for the indices of one batch, collated.

    With ``default_collate`` and a dataset offering ``_get_batch`` (``TensorDataset``, a ``Subset``
    of one) the batch is gathered with one indexing operation per tensor instead of sample by
    sample; a dataset with ``__getitems__`` gets all the batch's indices in one call, as in PyTorch.
    """

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        fast = getattr(dataset, "_get_batch", None)
        self._fast = fast if auto_collation and collate_fn is default_collate else None

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self._fast is not None:
            batch = self._fast(as_index_array(index))
            if batch is not None:
                return tuple(from_numpy(np.ascontiguousarray(b)) if isinstance(b, np.ndarray) else b
                             for b in batch)
        getitems = getattr(self.dataset, "__getitems__", None)
        samples = getitems(index) if getitems is not None else [self.dataset[i] for i in index]
        return self.collate_fn(samples)


class IterableFetcher:
    """The next samples of ``iter(dataset)``: a batch of up to ``len(index)`` of them, collated.

    Raises StopIteration when the stream is exhausted: at once if no sample is left, or, with
    ``drop_last``, when fewer than a full batch remain.
    """

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)
