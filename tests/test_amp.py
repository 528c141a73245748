"""mg.amp: GradScaler's algorithm and errors (PyTorch's), and autocast changing nothing."""

import warnings

import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.optim as optim
from minigrad.amp import GradScaler, autocast


def _setup(init_scale=1024.0, opt=optim.SGD, **kw):
    w = mg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    optimizer = opt([w], lr=0.1)
    return w, optimizer, GradScaler("cpu", init_scale=init_scale, **kw)


def _iteration(scaler, optimizer, w, poison=None):
    optimizer.zero_grad()
    scaler.scale((w * w).sum()).backward()
    if poison is not None:
        w.grad[1] = poison
    scaler.step(optimizer)
    scaler.update()


# --- the algorithm ---------------------------------------------------------------------------------

def test_scale_multiplies_the_loss_by_the_scale():
    _, _, scaler = _setup(init_scale=8.0)
    assert scaler.scale(mg.tensor(1.5)).item() == 12.0


def test_scale_handles_nested_sequences_of_tensors():
    _, _, scaler = _setup(init_scale=2.0)
    a, (b, c) = scaler.scale([mg.tensor(1.0), (mg.tensor(2.0), mg.tensor(3.0))])
    assert (a.item(), b.item(), c.item()) == (2.0, 4.0, 6.0)


def test_a_clean_step_equals_the_unscaled_step():
    w, optimizer, scaler = _setup()
    _iteration(scaler, optimizer, w)
    assert w.tolist() == pytest.approx([0.8, -1.6, 2.4])       # w - 0.1 · 2w
    assert w.grad.tolist() == [2.0, -4.0, 6.0]                 # unscaled in place


@pytest.mark.parametrize("poison", [float("inf"), float("-inf"), float("nan")])
def test_a_non_finite_gradient_skips_the_step_and_backs_off(poison):
    w, optimizer, scaler = _setup()
    _iteration(scaler, optimizer, w, poison=poison)
    assert w.tolist() == [1.0, -2.0, 3.0] and scaler.get_scale() == 512.0


def test_a_skipped_step_leaves_the_optimizer_state_untouched():
    w, optimizer, scaler = _setup(opt=optim.Adam)
    _iteration(scaler, optimizer, w, poison=float("inf"))
    assert len(optimizer.state) == 0 and w.tolist() == [1.0, -2.0, 3.0]
    _iteration(scaler, optimizer, w)
    assert optimizer.state[w]["step"] == 1


def test_the_scale_grows_after_growth_interval_clean_steps():
    w, optimizer, scaler = _setup(init_scale=4.0, growth_interval=3)
    scales = []
    for poison in (None, None, None, None, float("nan"), None):
        _iteration(scaler, optimizer, w, poison=poison)
        scales.append(scaler.get_scale())
    assert scales == [4.0, 4.0, 8.0, 8.0, 4.0, 4.0]


def test_unscale_before_clipping_then_step_does_not_unscale_again():
    w, optimizer, scaler = _setup(init_scale=64.0)
    scaler.scale((w * w).sum()).backward()
    scaler.unscale_(optimizer)
    assert w.grad.tolist() == [2.0, -4.0, 6.0]
    nn.utils.clip_grad_norm_([w], max_norm=1.0)
    clipped = w.grad.tolist()
    scaler.step(optimizer)
    assert w.grad.tolist() == clipped


def test_only_the_optimizer_with_an_inf_skips_its_step():
    a = mg.tensor([1.0], requires_grad=True)
    b = mg.tensor([1.0], requires_grad=True)
    opt_a, opt_b = optim.SGD([a], lr=0.5), optim.SGD([b], lr=0.5)
    scaler = GradScaler("cpu", init_scale=4.0)
    scaler.scale((a * a + b * b).sum()).backward()
    b.grad.fill_(float("inf"))
    scaler.step(opt_a)
    scaler.step(opt_b)
    scaler.update()
    assert a.item() == 0.0 and b.item() == 1.0 and scaler.get_scale() == 2.0


def test_update_with_a_new_scale_sets_it():
    w, optimizer, scaler = _setup()
    scaler.scale((w * w).sum()).backward()
    scaler.step(optimizer)
    scaler.update(new_scale=mg.tensor(3.0))
    assert scaler.get_scale() == 3.0


def test_state_dict_round_trip():
    w, optimizer, scaler = _setup(init_scale=16.0, growth_interval=5)
    _iteration(scaler, optimizer, w)
    other = GradScaler("cpu")
    other.load_state_dict(scaler.state_dict())
    assert other.state_dict() == {"scale": 16.0, "growth_factor": 2.0, "backoff_factor": 0.5,
                                  "growth_interval": 5, "_growth_tracker": 1}


def test_disabled_scaler_passes_everything_through():
    w, optimizer, _ = _setup()
    scaler = GradScaler("cpu", enabled=False)
    loss = (w * w).sum()
    assert scaler.scale(loss) is loss and scaler.get_scale() == 1.0 and scaler.state_dict() == {}
    loss.backward()
    scaler.step(optimizer)
    scaler.update()
    assert w.tolist() == pytest.approx([0.8, -1.6, 2.4])


@pytest.mark.skipif(mg.cuda.is_available(), reason="checks the behaviour without a GPU")
def test_cuda_scaler_without_a_gpu_warns_and_disables_itself():
    with pytest.warns(UserWarning, match="CUDA is not available.  Disabling"):
        scaler = GradScaler()
    assert not scaler.is_enabled()


def test_cuda_amp_spelling_is_deprecated_as_in_pytorch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # no GPU here: the scaler disables itself
        with pytest.warns(FutureWarning, match=r"mg.amp.GradScaler\('cuda', args...\)"):
            mg.cuda.amp.GradScaler()
    from minigrad.cuda.amp import GradScaler as Legacy
    assert issubclass(Legacy, GradScaler)


# --- errors ----------------------------------------------------------------------------------------

def test_unscale_twice_raises():
    w, optimizer, scaler = _setup()
    scaler.scale((w * w).sum()).backward()
    scaler.unscale_(optimizer)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
        scaler.unscale_(optimizer)


def test_unscale_after_step_raises():
    w, optimizer, scaler = _setup()
    scaler.scale((w * w).sum()).backward()
    scaler.step(optimizer)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) is being called after step"):
        scaler.unscale_(optimizer)


def test_step_twice_raises():
    w, optimizer, scaler = _setup()
    scaler.scale((w * w).sum()).backward()
    scaler.step(optimizer)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        scaler.step(optimizer)


def test_step_before_scale_raises():
    _, optimizer, scaler = _setup()
    with pytest.raises(RuntimeError, match="did not use scaler.scale"):
        scaler.step(optimizer)


def test_update_without_any_step_raises():
    _, _, scaler = _setup()
    scaler.scale(mg.tensor(1.0))
    with pytest.raises(RuntimeError, match="No inf checks were recorded"):
        scaler.update()


def test_closure_is_refused():
    w, optimizer, scaler = _setup()
    scaler.scale((w * w).sum()).backward()
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(optimizer, closure=lambda: None)


def test_scale_of_a_number_raises():
    _, _, scaler = _setup()
    with pytest.raises(ValueError, match="outputs must be a Tensor"):
        scaler.scale(3.0)


def test_unscaling_float16_gradients_raises():
    w = mg.tensor([1.0, 2.0], dtype=mg.float16, requires_grad=True)
    optimizer = optim.SGD([w], lr=0.1)
    scaler = GradScaler("cpu", init_scale=2.0)
    scaler.scale((w * w).sum()).backward()
    with pytest.raises(ValueError, match="Attempting to unscale FP16 gradients"):
        scaler.step(optimizer)


@pytest.mark.parametrize("kw, match", [
    (dict(device="mps"), "device must be 'cuda' or 'cpu'"),
    (dict(device="cpu", growth_factor=1.0), "growth factor must be > 1.0"),
    (dict(device="cpu", backoff_factor=1.0), "backoff factor must be < 1.0"),
    (dict(device="cpu", growth_interval=0), "growth_interval must be a positive int"),
])
def test_bad_settings_raise(kw, match):
    with pytest.raises(ValueError, match=match):
        GradScaler(**kw)


# --- autocast --------------------------------------------------------------------------------------

def test_autocast_changes_no_dtype_and_no_value():
    model = nn.Linear(3, 2)
    x = mg.randn(4, 3)
    expected = model(x)
    with autocast("cpu", dtype=mg.float16):
        y = model(x)
    assert y.dtype == mg.float32 and y.tolist() == expected.tolist()


def test_autocast_as_a_decorator_and_top_level_alias():
    @mg.autocast("cuda")
    def f(x):
        return x + 1

    assert mg.autocast is autocast and f(mg.ones(2)).dtype == mg.float32


def test_autocast_records_pytorch_default_dtype():
    assert autocast("cuda").fast_dtype == mg.float16 and autocast("cpu").fast_dtype is None


def test_autocast_rejects_a_non_string_device_type():
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        autocast(mg.device("cpu"))


def test_autocast_rejects_an_unknown_device_type():
    with pytest.raises(RuntimeError, match="unknown device_type 'xyz'"):
        autocast("xyz")
