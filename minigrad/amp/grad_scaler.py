"""``GradScaler``: dynamic loss scaling, PyTorch's algorithm, with real inf/NaN checks."""

import collections.abc
import enum
import warnings

import numpy as np

from .. import cuda as _cuda
from .. import dtypes as _dtypes
from ..autograd import no_grad
from ..tensor import Tensor


class _Stage(enum.Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _fresh_state():
    return {"stage": _Stage.READY, "found_inf": None}


def _float32(x):
    return float(np.float32(x))  # PyTorch keeps the scale in a float32 tensor


class GradScaler:
    """Scale the loss so that small float16 gradients do not flush to zero; skip steps that overflow.

    With scale s (starting at ``init_scale``), one iteration is::

        scaler.scale(loss).backward()   # the gradients are those of s·loss: s·g
        scaler.unscale_(optimizer)      # optional, e.g. before clipping: g ← (s·g)·(1/s),
                                        # found_inf ← some gradient has an inf or NaN
        scaler.step(optimizer)          # unscale_ if not done yet; optimizer.step() only if not found_inf
        scaler.update()                 # found_inf: s ← s·backoff_factor, tracker ← 0;
                                        # else tracker ← tracker + 1, and when tracker = growth_interval:
                                        # s ← s·growth_factor, tracker ← 0

    The order of calls and their errors are PyTorch's. The inf/NaN check reads every gradient of
    the optimizer's parameters (one host synchronisation per step on the GPU).

    Args:
        device: ``"cuda"`` (PyTorch's default) or ``"cpu"``. A ``"cuda"`` scaler on a machine
            without a usable GPU warns and disables itself, as PyTorch's does: every method then
            passes through (``scale`` returns its input, ``step`` just steps).
        init_scale: the first scale.
        growth_factor: the factor applied after ``growth_interval`` steps without inf/NaN.
        backoff_factor: the factor applied after a step with inf/NaN.
        growth_interval: steps without inf/NaN before the scale grows.
        enabled: False makes every method a pass-through.

    Example:
        >>> import minigrad as mg
        >>> w = mg.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = mg.optim.SGD([w], lr=0.1)
        >>> scaler = GradScaler("cpu", init_scale=1024.0)
        >>> scaler.scale((w * w).sum()).backward()
        >>> w.grad.tolist()                              # scaled: 1024 · 2w
        [2048.0, 4096.0]
        >>> scaler.step(opt); scaler.update()
        >>> w.tolist()                                   # w - 0.1 · 2w, the unscaled step
        [0.800000011920929, 1.600000023841858]
        >>> w.grad.fill_(float("inf")); scaler.step(opt); scaler.update()
        tensor([inf, inf])
        >>> w.tolist(), scaler.get_scale()               # step skipped, scale halved
        ([0.800000011920929, 1.600000023841858], 512.0)
    """

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        if device not in ("cuda", "cpu"):
            raise ValueError(f"GradScaler: device must be 'cuda' or 'cpu', got {device!r}")
        if growth_factor <= 1.0:
            raise ValueError(f"The growth factor must be > 1.0, got {growth_factor}")
        if not 0.0 < backoff_factor < 1.0:
            raise ValueError(f"The backoff factor must be < 1.0, got {backoff_factor}")
        if not isinstance(growth_interval, int) or growth_interval <= 0:
            raise ValueError(f"growth_interval must be a positive int, got {growth_interval!r}")
        if enabled and device == "cuda" and not _cuda.is_available():
            warnings.warn("mg.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                          UserWarning, stacklevel=2)
            enabled = False
        self._device = device
        self._enabled = enabled
        self._init_scale = _float32(init_scale)
        self._scale = None  # set by the first scale(), as in PyTorch
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval
        self._growth_tracker = 0
        self._states = collections.defaultdict(_fresh_state)  # id(optimizer) -> stage, found_inf

    # --- the iteration -------------------------------------------------------------------------
    def scale(self, outputs):
        """``outputs`` (a Tensor, or nested lists/tuples of them) multiplied by the current scale."""
        if not self._enabled:
            return outputs
        if self._scale is None:
            self._scale = self._init_scale
        if isinstance(outputs, Tensor):
            return outputs * self._scale
        if isinstance(outputs, collections.abc.Iterable) and not isinstance(outputs, (str, bytes)):
            scaled = [self.scale(o) for o in outputs]
            return type(outputs)(scaled) if isinstance(outputs, (list, tuple)) else scaled
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def unscale_(self, optimizer):
        """Divide the gradients of ``optimizer``'s parameters by the scale, in place, and note inf/NaN.

        Raises:
            RuntimeError: called twice, or after ``step``, since the last ``update``.
            ValueError: a gradient is float16 (unscaling it in float16 would lose what scaling saved).
        """
        if not self._enabled:
            return
        self._require_scale("unscale_")
        state = self._states[id(optimizer)]
        if state["stage"] is _Stage.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last "
                               "update().")
        if state["stage"] is _Stage.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv_scale = _float32(1.0 / self._scale)
        non_finite = []
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    if p.grad.dtype == _dtypes.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    non_finite.append((~p.grad.isfinite()).any())
                    p.grad.mul_(inv_scale)
        # one synchronisation for all gradients, not one per parameter
        state["found_inf"] = any(bool(flag.item()) for flag in non_finite)
        state["stage"] = _Stage.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """Unscale (unless ``unscale_`` did) and run ``optimizer.step(*args, **kwargs)`` if no gradient
        had an inf or NaN; returns what it returned, or None when the step was skipped.

        Raises:
            RuntimeError: a ``closure`` is passed, ``scale`` was never called, or ``step`` was already
                called since the last ``update``.
        """
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._require_scale("step")
        state = self._states[id(optimizer)]
        if state["stage"] is _Stage.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is _Stage.READY:
            self.unscale_(optimizer)
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = _Stage.STEPPED
        return result

    def update(self, new_scale=None):
        """Adapt the scale from this iteration's inf/NaN checks (or set it to ``new_scale``); start afresh.

        Raises:
            RuntimeError: ``scale`` was never called, or no optimizer was unscaled or stepped.
        """
        if not self._enabled:
            return
        self._require_scale("update")
        if new_scale is not None:
            if isinstance(new_scale, Tensor):
                if new_scale.numel() != 1 or new_scale.requires_grad:
                    raise ValueError("new_scale should be a float or a 1-element tensor with "
                                     "requires_grad=False.")
                new_scale = new_scale.item()
            self._scale = _float32(new_scale)
        else:
            found = [s["found_inf"] for s in self._states.values() if s["found_inf"] is not None]
            if not found:
                raise RuntimeError("No inf checks were recorded prior to update().")
            if any(found):
                self._scale = _float32(self._scale * self._backoff_factor)
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    self._scale = _float32(self._scale * self._growth_factor)
                    self._growth_tracker = 0
        self._states = collections.defaultdict(_fresh_state)

    def _require_scale(self, name):
        if self._scale is None:
            raise RuntimeError(f"Attempted {name} but _scale is None.  This may indicate your script did "
                               "not use scaler.scale(loss or outputs) earlier in the iteration.")

    # --- settings and state --------------------------------------------------------------------
    def get_scale(self):
        """The current scale (``init_scale`` before the first ``scale``; 1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else self._scale

    def is_enabled(self):
        return self._enabled

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def state_dict(self):
        """PyTorch's keys: ``scale``, ``growth_factor``, ``backoff_factor``, ``growth_interval``,
        ``_growth_tracker`` (an empty dict when disabled)."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from a "
                               "disabled instance of GradScaler.")
        self._init_scale = _float32(state_dict["scale"])
        if self._scale is not None:
            self._scale = self._init_scale
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._growth_tracker = int(state_dict["_growth_tracker"])
