"""Data loading: datasets, samplers and the ``DataLoader`` (``torch.utils.data``'s names).

>>> import minigrad as mg
>>> from minigrad.data import DataLoader, datasets
>>> ds = datasets.spiral(20, 3, generator=mg.Generator().manual_seed(0))
>>> x, y = next(iter(DataLoader(ds, batch_size=8)))
>>> tuple(x.shape), x.dtype, y.dtype
((8, 2), minigrad.float32, minigrad.int64)
"""

from . import datasets
from .dataloader import DataLoader, default_collate, default_convert
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from .sampler import (
    BatchSampler,
    DistributedSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
)

__all__ = ["Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "DataLoader",
           "default_collate", "default_convert", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "BatchSampler", "DistributedSampler", "datasets"]
