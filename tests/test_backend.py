"""Devices and backends: the one-flag toggle, explicit transfers, and the errors when CUDA is missing."""

import os
import subprocess
import sys
import types

import numpy as np
import pytest

import minigrad as mg
from minigrad.backend import cupy_backend


def test_default_backend_is_numpy_on_cpu():
    assert mg.get_backend() == "numpy"
    x = mg.ones(2)
    assert x.device == "cpu" and str(x.device) == "cpu"
    assert isinstance(x.array, np.ndarray)


def test_use_backend_scopes_the_default_device(backend):
    x = mg.ones(2)
    assert x.device == backend
    assert mg.ones(2, device="cpu").device == "cpu"
    with mg.use_backend("numpy"):
        assert mg.zeros(1).device == "cpu"
    assert mg.zeros(1).device == backend


def test_cuda_without_cupy_says_cupy_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # makes `import cupy` fail
    message = cupy_backend.CupyBackend().available()
    assert "CuPy is not installed" in message and "minigrad[gpu]" in message


def test_cuda_without_gpu_says_no_gpu_was_found(monkeypatch):
    fake = types.ModuleType("cupy")
    fake.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=lambda: 0))
    monkeypatch.setitem(sys.modules, "cupy", fake)
    message = cupy_backend.CupyBackend().available()
    assert "no GPU was found" in message and "CuPy is installed" in message


@pytest.mark.skipif(mg.cuda.is_available(), reason="this machine has a GPU")
def test_asking_for_cuda_without_it_raises_at_the_call():
    assert not mg.cuda.is_available() and mg.cuda.device_count() == 0
    with pytest.raises(RuntimeError, match="CUDA requested but"):
        mg.ones(2, device="cuda")
    with pytest.raises(RuntimeError, match="CUDA requested but"):
        mg.ones(2).to("cuda")
    with pytest.raises(RuntimeError, match="CUDA requested but"):
        mg.set_backend("cupy")
    assert mg.get_backend() == "numpy"  # left as it was


def test_environment_variable_selects_backend_at_import():
    code = "import minigrad as mg; print(mg.get_backend(), mg.ones(1).device)"
    env = dict(os.environ, MINIGRAD_BACKEND="numpy")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["numpy", "cpu"]
    env["MINIGRAD_BACKEND"] = "nonsense"
    bad = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert bad.returncode != 0 and "unknown backend 'nonsense'" in bad.stderr


@pytest.mark.skipif(mg.backend._backend("cupy").available() is None, reason="CuPy is usable here")
def test_environment_asking_for_a_missing_backend_warns_in_one_line():
    code = "import minigrad as mg; print(mg.get_backend(), mg.ones(1).device)"
    env = dict(os.environ, MINIGRAD_BACKEND="cupy")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["numpy", "cpu"]
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "MINIGRAD_BACKEND=cupy ignored, using numpy (CPU)" in lines[0]
    assert "CuPy is not installed" in lines[0] and "Traceback" not in out.stderr


def test_unknown_device_string():
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        mg.ones(1, device="tpu")


def test_mixing_devices_names_both():
    with mg.use_backend("strict"):
        on_device = mg.ones(2)
    with pytest.raises(RuntimeError, match="found cpu and strict"):
        mg.ones(2) + on_device
    with pytest.raises(RuntimeError, match="strict"):
        mg.ones(2).add_(on_device)


def test_explicit_transfer_and_gradient_back():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.to("strict")
    assert y.device == "strict" and y.grad_fn is not None
    (y * y).sum().backward()
    assert x.grad.device == "cpu" and x.grad.tolist() == [2.0, 4.0]
    assert y.cpu().device == "cpu"


def test_device_arrays_refuse_implicit_numpy_conversion():
    with mg.use_backend("strict"):
        x = mg.ones(2)
    with pytest.raises(TypeError, match="cpu"):
        x.numpy()
    with pytest.raises(TypeError, match="cpu"):
        np.asarray(x)
    assert x.cpu().numpy().tolist() == [1.0, 1.0]


def test_to_dtype_and_device_together():
    x = mg.ones(2)
    y = x.to("strict", mg.float64)
    assert y.device == "strict" and y.dtype is mg.float64
    assert x.to(y).device == "strict"
    assert x.double().dtype is mg.float64 and x.long().dtype is mg.int64


def test_from_numpy_shares_memory():
    a = np.zeros(3, dtype=np.float32)
    t = mg.from_numpy(a)
    a[0] = 5
    assert t[0].item() == 5.0
    assert mg.tensor(a).array is not a  # mg.tensor copies


def test_dlpack_round_trip_shares_memory():
    a = np.arange(4.0)
    t = mg.from_dlpack(a)
    back = np.from_dlpack(t)
    a[1] = 10.0
    assert t.tolist() == [0.0, 10.0, 2.0, 3.0]
    assert back[1] == 10.0


def test_float16_unsupported_on_strict_is_a_clear_error():
    with mg.use_backend("strict"):
        with pytest.raises(TypeError, match="float16 is not supported by the strict backend"):
            mg.zeros(2, dtype=mg.float16)


@pytest.mark.gpu
def test_cuda_round_trip_on_a_real_gpu():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.cuda()
    assert y.device.type == "cuda"
    (y * y).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    with mg.use_backend("cupy"):
        w = mg.randn(3, 3, requires_grad=True)
        (w @ w).sum().backward()
        assert w.grad.device.type == "cuda"
    mg.cuda.synchronize()


@pytest.mark.parametrize("case", [
    ("sum", {}), ("sum", {"axis": (0, 2), "keepdims": True}), ("sum", {"axis": 1, "dtype": np.float64}),
    ("prod", {"axis": -1}), ("max", {}), ("max", {"axis": 0, "keepdims": True}), ("min", {"axis": (1,)}),
])
@pytest.mark.parametrize("dtype", [np.float32, np.int8, np.bool_])
def test_fast_numpy_reductions_equal_numpys_own(case, dtype):
    from minigrad.backend.numpy_namespace import namespace as fast
    name, kwargs = case
    x = (np.arange(24).reshape(2, 3, 4) % 5).astype(dtype)
    ours, theirs = getattr(fast, name)(x, **kwargs), getattr(np, name)(x, **kwargs)
    assert type(ours) is type(theirs) and ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_fast_numpy_shape_functions_equal_numpys_own():
    from minigrad.backend.numpy_namespace import namespace as fast
    x = np.arange(6.0).reshape(1, 2, 3)[:, :, ::2]  # not contiguous
    for name, args in [("reshape", ((2, 2),)), ("permute_dims", ((2, 0, 1),)), ("squeeze", (0,)),
                       ("astype", (np.int16,)), ("matrix_transpose", ())]:
        ours, theirs = getattr(fast, name)(x, *args), getattr(np, name)(x, *args)
        assert ours.dtype == theirs.dtype and ours.strides == theirs.strides
        np.testing.assert_array_equal(ours, theirs)
    for axis in (0, 1, 3, -1, -4):
        ours, theirs = fast.expand_dims(x, axis=axis), np.expand_dims(x, axis)
        assert ours.shape == theirs.shape and np.shares_memory(ours, x)
        np.testing.assert_array_equal(ours, theirs)
    with pytest.raises(ValueError):
        fast.expand_dims(x, axis=4)
    assert not np.shares_memory(fast.reshape(x, (4,), copy=True), x)
    assert fast.astype(x, x.dtype, copy=False) is x
    assert fast.exp is np.exp  # everything else is NumPy's own


@pytest.mark.parametrize("shape, target", [((), (4, 4)), ((1, 4), (3, 4)), ((2, 3), (5, 2, 3)),
                                           ((0, 3), (2, 0, 3)), ((1,), (0,)), ((3, 1), (3, 1)),
                                           ((2, 6), (2, 3))])
def test_fast_numpy_broadcast_to_is_numpys_view(shape, target):
    from minigrad.backend.numpy_namespace import namespace as fast
    x = np.arange(float(np.prod(shape))).reshape(shape)
    if target == (2, 3):
        x, shape = x[:, ::2], (2, 3)  # not contiguous: NumPy's own path
    ours, theirs = fast.broadcast_to(x, target), np.broadcast_to(x, target)
    assert ours.shape == theirs.shape
    def strides(a):  # strides along size-1 axes don't matter
        return [s for s, n in zip(a.strides, target) if n > 1]
    assert strides(ours) == strides(theirs)
    assert not ours.flags.writeable and (ours.size == 0 or np.shares_memory(ours, x))
    np.testing.assert_array_equal(ours, theirs)


def test_fast_numpy_broadcast_to_refuses_what_numpy_refuses():
    from minigrad.backend.numpy_namespace import namespace as fast
    for shape, target in [((3,), (4,)), ((2, 3), (3,)), ((2, 1), (3, 5))]:
        with pytest.raises(ValueError):
            fast.broadcast_to(np.ones(shape), target)


def test_numpy_pack_reuses_a_released_buffer_only(monkeypatch):
    from minigrad.backend import numpy_backend
    monkeypatch.setattr(numpy_backend, "_POOLED_FROM", 0)  # small arrays, pooled as large ones
    backend = numpy_backend.NumpyBackend()
    view = np.arange(24.0).reshape(2, 3, 4).transpose(2, 0, 1)
    first = backend.pack(view, (4, 6))
    np.testing.assert_array_equal(first, np.ascontiguousarray(view).reshape(4, 6))
    second = backend.pack(view, (4, 6))
    assert second is not first  # both held
    first_id = id(first)
    del first
    again = backend.pack(view * 2, (4, 6))
    assert id(again) == first_id  # released: reused, and overwritten
    np.testing.assert_array_equal(again, np.ascontiguousarray(view * 2).reshape(4, 6))
    part = again[1:]
    del again
    assert id(backend.pack(view, (4, 6))) != first_id  # a live view keeps it in use
    assert part.shape == (3, 6)


def test_numpy_buffers_kept_stay_under_the_byte_limit(monkeypatch):
    from minigrad.backend import numpy_backend
    size = numpy_backend._POOLED_FROM  # bytes of a float64 (n,)
    monkeypatch.setattr(numpy_backend, "_PACKED_BYTES", 3 * size)
    backend = numpy_backend.NumpyBackend()
    n = size // 8
    held = [backend.buffer((n,), np.float64, None), backend.buffer((n + 1,), np.float64, None)]
    held.append(backend.buffer((n,), np.float64, None))  # over the limit: (n + 1,), least recent, goes
    assert list(backend._packed) == [((n,), np.dtype(float))] and backend._packed_bytes == 2 * size
    held.append(backend.buffer((n + 2,), np.float64, None))  # and now (n,)
    assert list(backend._packed) == [((n + 2,), np.dtype(float))] and backend._packed_bytes == size + 16


def test_numpy_buffers_below_the_pooled_size_are_fresh_arrays():
    from minigrad.backend.numpy_backend import _POOLED_FROM, NumpyBackend
    backend = NumpyBackend()
    small = (_POOLED_FROM // 8 - 1,)
    assert backend.buffer(small, np.float64, None).shape == small
    assert not backend._packed
    backend.buffer((_POOLED_FROM // 8,), np.float64, None)
    assert len(backend._packed) == 1


def test_numpy_matmul_writes_into_a_buffer_released_by_every_holder():
    from minigrad.backend.numpy_backend import NumpyBackend
    backend = NumpyBackend()
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 64, 128)), rng.standard_normal((128, 96))  # (256, 96) rows: 192 KiB
    first = backend.matmul(a, b)
    np.testing.assert_allclose(first, a @ b, rtol=1e-12, atol=1e-12)
    held = backend.matmul(a, b)
    assert held.base is not first.base  # ``first`` (a view of its buffer) holds it
    base_id = id(first.base)
    del first
    again = backend.matmul(2 * a, b)
    assert id(again.base) == base_id  # released: reused, and overwritten
    np.testing.assert_allclose(again, 2 * a @ b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("a_shape, b_shape", [
    ((5, 3, 4), (4, 2)), ((2, 5, 3, 4), (4, 2)), ((0, 3, 4), (4, 2)), ((2, 3, 0), (0, 2)), ((3, 4), (4, 2)),
    ((2, 3, 4), (2, 4, 5))])
def test_matmul_of_a_stack_by_one_matrix_is_one_product_with_numpys_result(backend, a_shape, b_shape):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    kernels = mg.tensor(0.0).device.backend
    xa, xb = mg.tensor(a).array, mg.tensor(b).array
    np.testing.assert_allclose(kernels.to_numpy(kernels.matmul(xa, xb)), a @ b, rtol=1e-12, atol=1e-12)
    if len(a_shape) == 3 and len(b_shape) == 2:  # a strided stack (not foldable without a copy): NumPy's path
        xs = mg.tensor(a).transpose(0, 1).array
        np.testing.assert_allclose(kernels.to_numpy(kernels.matmul(xs, xb)), a.transpose(1, 0, 2) @ b,
                                   rtol=1e-12, atol=1e-12)


def test_numpy_pack_keeps_buffers_of_the_last_shapes_only(monkeypatch):
    from minigrad.backend import numpy_backend
    from minigrad.backend.numpy_backend import _PACKED_SHAPES, NumpyBackend
    monkeypatch.setattr(numpy_backend, "_POOLED_FROM", 0)
    backend = NumpyBackend()
    for n in range(1, _PACKED_SHAPES + 6):  # e.g. a conv1d over sequences of ever new lengths
        backend.pack(np.ones((2, n)), (2, n))
    assert len(backend._packed) == _PACKED_SHAPES
    assert ((2, _PACKED_SHAPES + 5), np.dtype(float)) in backend._packed  # the newest is kept
    assert ((2, 1), np.dtype(float)) not in backend._packed  # the oldest went first


def test_floating_point_edge_cases_are_silent_as_in_pytorch():
    # in a fresh interpreter, as a user runs it (the test configuration turns such warnings into errors)
    import subprocess
    import sys
    code = ("import minigrad as mg, numpy as np\n"
            "print((mg.tensor([1.0, 0.0]) / 0).tolist(), mg.tensor([-1.0]).log().tolist(),"
            " mg.tensor([1000.0]).exp().tolist(), (mg.tensor([1.0]) // 0).tolist())\n"
            "np.log(np.array([-1.0]))  # the user's own NumPy code still warns\n")
    proc = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.stdout.strip() == "[inf, nan] [nan] [inf] [inf]"
    warned = [line for line in proc.stderr.splitlines() if "RuntimeWarning" in line]
    assert len(warned) == 1 and "invalid value encountered in log" in warned[0]
