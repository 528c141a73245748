"""Datasets that need no download: scikit-learn's digits, generated spirals and moons, and
MNIST / Fashion-MNIST read from IDX files the user already has.

Each returns a ``TensorDataset`` of (float32 inputs, int64 labels) kept on the host; the
``DataLoader`` moves each batch to the current device.
"""

import math
import os

import numpy as np

from .. import dtypes as _dtypes
from .. import random as _random
from .dataset import TensorDataset
from .idx import IDXError, read_idx

__all__ = ["digits", "spiral", "moons", "mnist", "fashion_mnist", "read_idx", "IDXError"]


def _normal(shape, generator):
    return _random.randn(*shape, generator=generator, dtype=_dtypes.float64, device="cpu").numpy()


def digits():
    """The 1,797 8x8 handwritten digits (0-9) that scikit-learn ships, scaled to [0, 1].

    Inputs are (1797, 1, 8, 8) float32 (pixel / 16), labels (1797,) int64. Needs scikit-learn
    (``pip install 'minigrad[data]'``); no download.

    Example:
        >>> ds = digits()
        >>> x, y = ds.tensors
        >>> tuple(x.shape), x.dtype, y.dtype, float(x.max())
        ((1797, 1, 8, 8), minigrad.float32, minigrad.int64, 1.0)
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as err:
        raise ImportError("minigrad.data.datasets.digits() reads the digits that scikit-learn ships, and "
                          "scikit-learn is not installed: pip install 'minigrad[data]' "
                          "(or pip install scikit-learn)") from err
    bunch = load_digits()
    images = (bunch.images.astype(np.float32) / np.float32(16.0)).reshape(-1, 1, 8, 8)
    return TensorDataset(np.ascontiguousarray(images), bunch.target.astype(np.int64))


def spiral(n_per_class=100, classes=3, noise=0.2, generator=None):
    """Interleaved spiral arms, one class per arm (CS231n's toy problem, not linearly separable).

    Arm ``k`` has points at radius r = linspace(0, 1) and angle t = linspace(4k, 4(k+1)) + noise·N(0, 1):
    x = (r sin t, r cos t). Noise comes from ``generator`` (default: the one ``mg.manual_seed`` seeds).

    Returns:
        TensorDataset of (n_per_class·classes, 2) float32 points and int64 labels.

    Example:
        >>> import minigrad as mg
        >>> x, y = spiral(50, 3, generator=mg.Generator().manual_seed(0)).tensors
        >>> tuple(x.shape), y.tolist().count(2)
        ((150, 2), 50)
    """
    if n_per_class < 1 or classes < 1:
        raise ValueError(f"spiral needs n_per_class >= 1 and classes >= 1, got {n_per_class}, {classes}")
    eps = _normal((classes, n_per_class), generator)
    xs, ys = [], []
    for k in range(classes):
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(4.0 * k, 4.0 * (k + 1), n_per_class) + noise * eps[k]
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(n_per_class, k, dtype=np.int64))
    return TensorDataset(np.concatenate(xs).astype(np.float32), np.concatenate(ys))


def moons(n=200, noise=0.1, generator=None):
    """Two interleaving half circles (as scikit-learn's ``make_moons``), shuffled.

    The upper moon is (cos s, sin s), the lower one (1 - cos s, 1/2 - sin s), s in [0, π], plus
    Gaussian noise of standard deviation ``noise``; label 0 is the upper moon.

    Returns:
        TensorDataset of (n, 2) float32 points and int64 labels.

    Example:
        >>> import minigrad as mg
        >>> x, y = moons(100, generator=mg.Generator().manual_seed(0)).tensors
        >>> tuple(x.shape), int(y.sum())
        ((100, 2), 50)
    """
    if n < 2:
        raise ValueError(f"moons needs n >= 2, got {n}")
    n_out = n // 2
    n_in = n - n_out
    s_out = np.linspace(0.0, math.pi, n_out)
    s_in = np.linspace(0.0, math.pi, n_in)
    x = np.concatenate([np.stack([np.cos(s_out), np.sin(s_out)], 1),
                        np.stack([1.0 - np.cos(s_in), 0.5 - np.sin(s_in)], 1)])
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    x = x + noise * _normal((n, 2), generator)
    order = _random.randperm(n, generator=generator, device="cpu").numpy()
    return TensorDataset(x[order].astype(np.float32), y[order])


_MNIST_FILES = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
                False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def _find(root, dirname, stem):
    """The path of ``stem`` (raw, ``.gz``, or Kaggle's ``train-images.idx3-ubyte`` spelling) or None."""
    dotted = stem.replace("-idx", ".idx")
    for folder in (root, os.path.join(root, dirname, "raw"), os.path.join(root, dirname)):
        for name in (stem, stem + ".gz", dotted, dotted + ".gz"):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                return path
    return None


def _idx_dataset(root, train, dirname, title, source):
    root = os.path.abspath(os.path.expanduser(os.fspath(root)))
    stems = _MNIST_FILES[bool(train)]
    paths = [_find(root, dirname, stem) for stem in stems]
    missing = [stem for stem, path in zip(stems, paths) if path is None]
    if missing:
        split = "training" if train else "test"
        raise FileNotFoundError(
            f"{title} {split} files not found. Put these files (raw or gzipped, .gz) in {root}:\n"
            + "".join(f"    {stem}  (or {stem}.gz)\n" for stem in stems)
            + f"missing: {', '.join(missing)}. Also searched {os.path.join(root, dirname, 'raw')} "
            f"(torchvision's layout). minigrad downloads nothing; the files are published at {source}")
    images, labels = (read_idx(p) for p in paths)
    if images.ndim != 3:
        raise IDXError(f"{paths[0]}: expected images of shape (N, rows, cols), got shape {images.shape}")
    if labels.ndim != 1:
        raise IDXError(f"{paths[1]}: expected labels of shape (N,), got shape {labels.shape}")
    if len(images) != len(labels):
        raise IDXError(f"{title}: {len(images)} images in {paths[0]} but {len(labels)} labels in {paths[1]}")
    x = (images.astype(np.float32) / np.float32(255.0))[:, None, :, :]
    return TensorDataset(np.ascontiguousarray(x), labels.astype(np.int64))


def mnist(root, train=True):
    """MNIST read from the four IDX files in ``root`` (raw or gzipped): no download.

    Inputs are (N, 1, 28, 28) float32 in [0, 1] (pixel / 255), labels int64. ``train`` picks
    ``train-*`` (60,000) or ``t10k-*`` (10,000). Files may also sit in ``root/MNIST/raw``.

    Raises:
        FileNotFoundError: naming the files to put in ``root`` when they are missing.
        IDXError: a file has a wrong magic number, is truncated, or images and labels disagree.
    """
    return _idx_dataset(root, train, "MNIST", "MNIST", "https://ossci-datasets.s3.amazonaws.com/mnist/")


def fashion_mnist(root, train=True):
    """Fashion-MNIST (Zalando's clothing images) from IDX files in ``root``; same layout as ``mnist``.

    Files may also sit in ``root/FashionMNIST/raw``.
    """
    return _idx_dataset(root, train, "FashionMNIST", "Fashion-MNIST",
                        "https://github.com/zalandoresearch/fashion-mnist")
