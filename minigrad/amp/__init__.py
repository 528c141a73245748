"""``mg.amp``: PyTorch's mixed-precision names, so that mixed-precision scripts run.

* ``autocast`` is accepted and changes nothing: ops compute in the dtypes of their inputs, as
  outside it, on every device. There is no float16 speed-up and no float16 rounding.
* ``GradScaler`` is real: it scales the loss, unscales the gradients, skips the optimizer step
  when a gradient is inf or NaN, and adapts the scale, exactly as PyTorch's. With float32 models
  (what ``autocast`` leaves you) it is harmless; with a model you cast to float16 yourself
  (``model.half()``) it does the job it exists for.

>>> import minigrad as mg
>>> with mg.autocast("cpu"):                     # torch.autocast is torch.amp.autocast
...     y = mg.ones(2) * 3
>>> y.dtype
minigrad.float32
"""

from .autocast_mode import autocast
from .grad_scaler import GradScaler

__all__ = ["autocast", "GradScaler"]
