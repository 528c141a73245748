"""mg.accelerator, mg.backends, mg.cuda's seeding and memory functions, mg.compile: what each does."""

import importlib.util

import pytest

import minigrad as mg
import minigrad.nn as nn

no_gpu = pytest.mark.skipif(mg.cuda.is_available(), reason="checks the behaviour without a GPU")


# --- mg.accelerator -----------------------------------------------------------------------------

def test_accelerator_device_idiom_picks_a_usable_device():
    device = mg.accelerator.current_accelerator().type if mg.accelerator.is_available() else "cpu"
    assert mg.ones(2, device=device).device.type == device


def test_accelerator_answers_for_cuda():
    assert mg.accelerator.is_available() == mg.cuda.is_available()
    assert mg.accelerator.device_count() == mg.cuda.device_count()


@no_gpu
def test_accelerator_without_a_gpu_is_none_and_zero():
    assert mg.accelerator.current_accelerator() is None
    assert mg.accelerator.current_accelerator(check_available=True) is None
    assert mg.accelerator.device_count() == 0 and mg.accelerator.memory_allocated() == 0


@pytest.mark.gpu
def test_accelerator_with_a_gpu_is_cuda():
    assert mg.accelerator.current_accelerator() == mg.device("cuda")


# --- mg.backends -----------------------------------------------------------------------------------

def test_cudnn_flags_are_settable_and_read_back(monkeypatch):
    flags = [("benchmark", True), ("deterministic", True), ("allow_tf32", False), ("enabled", False)]
    for flag, value in flags:
        monkeypatch.setattr(mg.backends.cudnn, flag, value)
        assert getattr(mg.backends.cudnn, flag) is value


def test_cudnn_reports_it_is_not_used():
    assert mg.backends.cudnn.is_available() is False and mg.backends.cudnn.version() is None


def test_mps_is_never_available():
    assert mg.backends.mps.is_available() is False and mg.backends.mps.is_built() is False


def test_cuda_is_built_means_cupy_is_installed():
    assert mg.backends.cuda.is_built() == (importlib.util.find_spec("cupy") is not None)


def test_cuda_matmul_and_sdp_flags_are_settable(monkeypatch):
    monkeypatch.setattr(mg.backends.cuda.matmul, "allow_tf32", True)
    assert mg.backends.cuda.matmul.allow_tf32 is True
    mg.backends.cuda.enable_flash_sdp(False)
    try:
        assert mg.backends.cuda.flash_sdp_enabled() is False
    finally:
        mg.backends.cuda.enable_flash_sdp(True)


def test_backends_leaves_a_training_step_unchanged(monkeypatch):
    def step():
        mg.manual_seed(0)
        model = nn.Conv2d(1, 2, 3)
        return model(mg.randn(1, 1, 5, 5)).tolist()

    plain = step()
    monkeypatch.setattr(mg.backends.cudnn, "benchmark", True)
    monkeypatch.setattr(mg.backends.cudnn, "deterministic", True)
    assert step() == plain


# --- mg.cuda ----------------------------------------------------------------------------------------

def test_cuda_manual_seed_leaves_the_cpu_stream_alone():
    mg.manual_seed(0)
    expected = mg.rand(3).tolist()
    mg.manual_seed(0)
    mg.cuda.manual_seed(123)
    mg.cuda.manual_seed_all(456)
    assert mg.rand(3).tolist() == expected


def test_generator_gpu_seeds_follow_pytorch_precedence():
    g = mg.Generator().manual_seed(1)
    g.seed_device(None, 7)     # manual_seed_all
    g.seed_device(1, 9)        # manual_seed on device 1 only
    assert g._gpu_seeds == {None: 7, 1: 9}
    g.seed_device(None, 3)     # a later manual_seed_all overrides every device
    assert g._gpu_seeds == {None: 3}
    g.manual_seed(5)           # mg.manual_seed reseeds every stream
    assert g._gpu_seeds == {}


@no_gpu
def test_cuda_memory_and_sync_functions_are_harmless_without_a_gpu():
    mg.cuda.synchronize()
    mg.cuda.empty_cache()
    assert mg.cuda.memory_allocated() == 0 and mg.cuda.memory_reserved() == 0


@no_gpu
def test_get_device_name_without_a_gpu_says_what_is_missing():
    with pytest.raises(RuntimeError, match="CUDA requested"):
        mg.cuda.get_device_name()


def test_bf16_is_not_supported():
    assert mg.cuda.is_bf16_supported() is False


@pytest.mark.gpu
def test_cuda_manual_seed_makes_gpu_draws_reproducible_independent_of_cpu_seed():
    mg.cuda.manual_seed(7)
    a = mg.rand(4, device="cuda").tolist()
    mg.manual_seed(99)         # reseeds everything...
    mg.cuda.manual_seed(7)     # ...then the GPU again
    assert mg.rand(4, device="cuda").tolist() == a


@pytest.mark.gpu
def test_cuda_memory_allocated_counts_live_tensors():
    mg.cuda.synchronize()
    before = mg.cuda.memory_allocated()
    x = mg.zeros(1024, 1024, device="cuda")   # 4 MiB of float32
    assert mg.cuda.memory_allocated() - before >= 4 * 1024 * 1024
    del x
    cached = mg.cuda.memory_reserved()        # the freed block stays in CuPy's pool...
    assert mg.cuda.memory_allocated() == before
    mg.cuda.empty_cache()                     # ...until empty_cache hands it back
    assert mg.cuda.memory_reserved() <= cached - 4 * 1024 * 1024
    assert isinstance(mg.cuda.get_device_name(), str)


# --- mg.compile -------------------------------------------------------------------------------------

def test_compile_returns_the_module_itself():
    model = nn.Linear(2, 2)
    compiled = mg.compile(model, mode="max-autotune")
    assert compiled is model and list(compiled.state_dict()) == ["weight", "bias"]


def test_compile_as_decorator_with_and_without_arguments():
    @mg.compile
    def f(x):
        return x * 2

    @mg.compile(fullgraph=True)
    def g(x):
        return x * 3

    assert f(mg.ones(1)).item() == 2.0 and g(mg.ones(1)).item() == 3.0


@pytest.mark.parametrize("kw, error, match", [
    (dict(mode="fast"), RuntimeError, "Unrecognized mode=fast"),
    (dict(mode="default", options={"a": 1}), RuntimeError, "Either mode or options"),
])
def test_compile_checks_its_options(kw, error, match):
    with pytest.raises(error, match=match):
        mg.compile(nn.Linear(1, 1), **kw)


def test_compile_rejects_a_non_callable():
    with pytest.raises(TypeError, match="A callable function is expected"):
        mg.compile(5)


def test_compiler_is_never_compiling():
    assert mg.compiler.is_compiling() is False
