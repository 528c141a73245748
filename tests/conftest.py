"""Test fixtures: the second backend (array-api-strict's ``device1``) and the ``gpu`` marker
(skipped without a GPU, an error instead when ``MINIGRAD_REQUIRE_GPU=1``, as ``make gpu-check`` sets).

``device1`` stands in for a GPU: it refuses implicit conversion to NumPy and refuses to mix
with arrays of another device, as CuPy does. Tests that take the ``backend`` fixture run once
per backend; new tensors go to that backend's device.
"""

import os

import pytest

import minigrad as mg

try:
    import array_api_strict
except ImportError:  # the test extra installs it; without it only the NumPy backend runs
    array_api_strict = None

BACKENDS = ["numpy"]
if array_api_strict is not None:
    mg.backend.register_backend("strict", mg.backend.ArrayAPIBackend(
        array_api_strict, name="strict", device_type="strict",
        devices=[array_api_strict.Device("device1")]))
    BACKENDS.append("strict")


@pytest.fixture(params=BACKENDS)
def backend(request):
    """Run the test on each backend; yields the device new tensors are created on."""
    with mg.use_backend(request.param) as device:
        yield device


@pytest.fixture
def float64():
    """Make Python floats and ``mg.Tensor`` float64 for the test (gradient checks)."""
    previous = mg.get_default_dtype()
    mg.set_default_dtype(mg.float64)
    yield
    mg.set_default_dtype(previous)


def pytest_collection_modifyitems(config, items):
    if mg.cuda.is_available():
        return
    if os.environ.get("MINIGRAD_REQUIRE_GPU") == "1":  # make gpu-check: a missing GPU must not pass as skips
        raise pytest.UsageError(f"MINIGRAD_REQUIRE_GPU=1 but CUDA is not usable: {mg.cuda.why_unavailable()}")
    skip = pytest.mark.skip(reason=f"needs a CUDA GPU: {mg.cuda.why_unavailable()}")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
