"""Built-in datasets: digits, spiral, moons, and MNIST-style IDX files written by the tests."""

import gzip
import os
import struct
import sys

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import datasets
from minigrad.data.idx import IDXError, parse_idx, read_idx

try:
    import sklearn  # noqa: F401
    HAVE_SKLEARN = True
except ImportError:
    HAVE_SKLEARN = False
needs_sklearn = pytest.mark.skipif(not HAVE_SKLEARN, reason="scikit-learn (the data extra) is not installed")


def _idx_bytes(array, type_code=0x08):
    array = np.asarray(array)
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _write(path, data):
    if str(path).endswith(".gz"):
        data = gzip.compress(data)
    with open(path, "wb") as f:
        f.write(data)


def _mnist_files(folder, n=3, rows=4, cols=5, gz=False, prefix="train", labels_n=None):
    os.makedirs(folder, exist_ok=True)
    images = (np.arange(n * rows * cols) % 256).astype(np.uint8).reshape(n, rows, cols)
    labels = np.arange(labels_n if labels_n is not None else n, dtype=np.uint8) % 10
    ext = ".gz" if gz else ""
    _write(os.path.join(folder, f"{prefix}-images-idx3-ubyte{ext}"), _idx_bytes(images))
    _write(os.path.join(folder, f"{prefix}-labels-idx1-ubyte{ext}"), _idx_bytes(labels))
    return images, labels


# --- digits --------------------------------------------------------------------------------------

@needs_sklearn
def test_digits_shape_and_dtypes():
    x, y = datasets.digits().tensors
    assert tuple(x.shape) == (1797, 1, 8, 8) and x.dtype == mg.float32 and y.dtype == mg.int64


@needs_sklearn
def test_digits_scaled_to_unit_interval():
    x, _ = datasets.digits().tensors
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0


@needs_sklearn
def test_digits_labels_are_ten_classes():
    _, y = datasets.digits().tensors
    assert sorted(set(y.tolist())) == list(range(10))


def test_digits_without_sklearn_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install 'minigrad\[data\]'"):
        datasets.digits()


# --- spiral and moons ------------------------------------------------------------------------------

def test_spiral_shapes_and_balance():
    x, y = datasets.spiral(40, 4, generator=mg.Generator().manual_seed(0)).tensors
    assert tuple(x.shape) == (160, 2) and np.bincount(y.numpy()).tolist() == [40] * 4


def test_spiral_dtypes():
    x, y = datasets.spiral(5, 2, generator=mg.Generator().manual_seed(0)).tensors
    assert (x.dtype, y.dtype) == (mg.float32, mg.int64)


def test_spiral_seeded():
    def make():
        return datasets.spiral(10, 3, generator=mg.Generator().manual_seed(3)).tensors[0].tolist()
    assert make() == make()


def test_spiral_follows_manual_seed():
    def make():
        mg.manual_seed(8)
        return datasets.spiral(10, 3).tensors[0].tolist()
    assert make() == make()


def test_spiral_radius_within_unit_disc():
    x, _ = datasets.spiral(50, 3, generator=mg.Generator().manual_seed(0)).tensors
    assert float((x * x).sum(1).max()) <= 1.0 + 1e-6


def test_moons_shapes_and_balance():
    x, y = datasets.moons(101, generator=mg.Generator().manual_seed(0)).tensors
    assert tuple(x.shape) == (101, 2) and np.bincount(y.numpy()).tolist() == [50, 51]


def test_moons_without_noise_lie_on_circles():
    x, y = datasets.moons(20, noise=0.0, generator=mg.Generator().manual_seed(0)).tensors
    x, y = x.numpy().astype(np.float64), y.numpy()
    upper = np.hypot(x[y == 0, 0], x[y == 0, 1])
    lower = np.hypot(x[y == 1, 0] - 1.0, x[y == 1, 1] - 0.5)
    assert np.allclose(upper, 1.0, atol=1e-6) and np.allclose(lower, 1.0, atol=1e-6)


def test_moons_seeded():
    def make():
        return datasets.moons(30, generator=mg.Generator().manual_seed(1)).tensors[0].tolist()
    assert make() == make()


# --- IDX parsing --------------------------------------------------------------------------------------

def test_parse_idx_uint8():
    assert parse_idx(_idx_bytes(np.array([[1, 2], [3, 4]], np.uint8))).tolist() == [[1, 2], [3, 4]]


def test_parse_idx_big_endian_int32():
    out = parse_idx(_idx_bytes(np.array([1, -2, 70000], np.int32), type_code=0x0C))
    assert out.tolist() == [1, -2, 70000] and out.dtype == np.int32


def test_parse_idx_float64():
    assert parse_idx(_idx_bytes(np.array([0.5, -1.25]), type_code=0x0E)).tolist() == [0.5, -1.25]


def test_read_idx_gzipped(tmp_path):
    _write(tmp_path / "a.gz", _idx_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3)))
    assert read_idx(tmp_path / "a.gz").tolist() == [[0, 1, 2], [3, 4, 5]]


def test_wrong_magic_number(tmp_path):
    _write(tmp_path / "bad", b"\x12\x34\x08\x01" + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(IDXError, match="magic number 0x12340801"):
        read_idx(tmp_path / "bad")


def test_unknown_type_code():
    with pytest.raises(IDXError, match="not an IDX file"):
        parse_idx(b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00")


def test_truncated_data():
    raw = _idx_bytes(np.zeros((2, 3), np.uint8))[:-2]
    with pytest.raises(IDXError, match=r"truncated: shape \(2, 3\) needs 6 bytes of data, found 4"):
        parse_idx(raw)


def test_truncated_header():
    with pytest.raises(IDXError, match="truncated: the header"):
        parse_idx(b"\x00\x00\x08\x03" + struct.pack(">I", 5))


def test_too_short_for_magic():
    with pytest.raises(IDXError, match="too short"):
        parse_idx(b"\x00\x00")


def test_trailing_bytes():
    with pytest.raises(IDXError, match="2 unexpected bytes"):
        parse_idx(_idx_bytes(np.zeros(3, np.uint8)) + b"\x00\x00")


def test_truncated_gzip(tmp_path):
    data = gzip.compress(_idx_bytes(np.arange(200, dtype=np.uint8)))
    (tmp_path / "t.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(IDXError, match="gzip stream is damaged or truncated"):
        read_idx(tmp_path / "t.gz")


# --- mnist / fashion_mnist --------------------------------------------------------------------------------

def test_mnist_reads_raw_files(tmp_path):
    _, labels = _mnist_files(tmp_path)
    x, y = datasets.mnist(tmp_path).tensors
    assert tuple(x.shape) == (3, 1, 4, 5) and y.tolist() == labels.tolist()


def test_mnist_scales_pixels(tmp_path):
    images, _ = _mnist_files(tmp_path)
    x, _ = datasets.mnist(tmp_path).tensors
    assert x.dtype == mg.float32 and np.allclose(x.numpy()[:, 0], images / 255.0)


def test_mnist_reads_gzipped_test_split(tmp_path):
    _, labels = _mnist_files(tmp_path, n=2, gz=True, prefix="t10k")
    x, y = datasets.mnist(tmp_path, train=False).tensors
    assert tuple(x.shape) == (2, 1, 4, 5) and y.dtype == mg.int64 and y.tolist() == labels.tolist()


def test_fashion_mnist_in_torchvision_layout(tmp_path):
    _mnist_files(tmp_path / "FashionMNIST" / "raw", n=4)
    assert len(datasets.fashion_mnist(tmp_path)) == 4


def test_mnist_missing_files_lists_names_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        datasets.mnist(tmp_path)
    message = str(info.value)
    assert "train-images-idx3-ubyte" in message and "train-labels-idx1-ubyte" in message \
        and str(tmp_path) in message


def test_mnist_missing_test_files_name_t10k(tmp_path):
    _mnist_files(tmp_path)
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        datasets.mnist(tmp_path, train=False)


def test_mnist_label_count_mismatch(tmp_path):
    _mnist_files(tmp_path, n=3, labels_n=2)
    with pytest.raises(IDXError, match="3 images .* but 2 labels"):
        datasets.mnist(tmp_path)


def test_mnist_truncated_image_file(tmp_path):
    _mnist_files(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(IDXError, match="truncated"):
        datasets.mnist(tmp_path)


def test_mnist_loader_batches(tmp_path):
    _mnist_files(tmp_path, n=5)
    loader = mg.data.DataLoader(datasets.mnist(tmp_path), batch_size=2)
    assert [tuple(x.shape) for x, _ in loader] == [(2, 1, 4, 5), (2, 1, 4, 5), (1, 1, 4, 5)]
