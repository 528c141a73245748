"""``mg.cuda.amp``: PyTorch's deprecated ``torch.cuda.amp`` spellings of ``autocast`` and ``GradScaler``.

Each warns as PyTorch does (a FutureWarning naming the ``mg.amp`` spelling) and then behaves as
``mg.amp.autocast("cuda", ...)`` / ``mg.amp.GradScaler("cuda", ...)``.
"""

import warnings

from .. import dtypes as _dtypes
from . import autocast_mode, grad_scaler


class autocast(autocast_mode.autocast):  # noqa: N801 - PyTorch's name
    """``mg.amp.autocast("cuda", ...)``: changes no dtype (see ``mg.amp.autocast``)."""

    def __init__(self, enabled=True, dtype=_dtypes.float16, cache_enabled=True):
        warnings.warn("`mg.cuda.amp.autocast(args...)` is deprecated. Please use "
                      "`mg.amp.autocast('cuda', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(grad_scaler.GradScaler):
    """``mg.amp.GradScaler("cuda", ...)``: disabled, with a warning, without a usable GPU."""

    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                 enabled=True):
        warnings.warn("`mg.cuda.amp.GradScaler(args...)` is deprecated. Please use "
                      "`mg.amp.GradScaler('cuda', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cuda", init_scale=init_scale, growth_factor=growth_factor,
                         backoff_factor=backoff_factor, growth_interval=growth_interval, enabled=enabled)
