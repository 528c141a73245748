"""Data loading: datasets, samplers and the ``DataLoader`` (``torch.utils.data``'s names).

>>> import minigrad as mg
>>> from minigrad.data import DataLoader, datasets
>>> ds = datasets.spiral(20, 3, generator=mg.Generator().manual_seed(0))
>>> x, y = next(iter(DataLoader(ds, batch_size=8)))
>>> tuple(x.shape), x.dtype, y.dtype
((8, 2), minigrad.float32, minigrad.int64)
"""

from . import datasets
from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .sampler import (
    BatchSampler,
    DistributedSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .worker import WorkerInfo, get_worker_info

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
           "random_split", "DataLoader", "default_collate", "default_convert", "get_worker_info",
           "WorkerInfo", "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler", "DistributedSampler", "datasets"]
