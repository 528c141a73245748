"""Stochastic weight averaging (Izmailov et al., 2018) and exponential moving averages of a
model's weights, with PyTorch's ``torch.optim.swa_utils`` names: ``AveragedModel``, ``SWALR``,
``update_bn``, ``get_ema_avg_fn``, ``get_ema_multi_avg_fn``."""

import copy
import itertools
import math

from ..autograd.grad_mode import no_grad
from ..creation import tensor
from ..dtypes import int64
from ..nn.module import Module
from ..nn.modules.normalization import _BatchNorm
from .lr_scheduler import LRScheduler


def get_ema_avg_fn(decay=0.999):
    """avg ← decay · avg + (1 - decay) · current, one tensor at a time."""
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_ema_multi_avg_fn(decay=0.999):
    """The EMA update applied in place to lists of averaged and current tensors."""
    def ema_update(ema_param_list, current_param_list, _num_averaged):
        for ema, current in zip(ema_param_list, current_param_list):
            ema.lerp_(current, 1 - decay)
    return ema_update


def get_swa_multi_avg_fn():
    """The running equal-weight average avg ← avg + (current - avg)/(n + 1), in place on lists."""
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        n = float(num_averaged.item()) if hasattr(num_averaged, "item") else float(num_averaged)
        for avg, current in zip(averaged_param_list, current_param_list):
            avg.add_((current - avg) / (n + 1))
    return swa_update


def get_swa_avg_fn():
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters are the running average of ``model``'s, updated by
    ``update_parameters(model)``: the equal-weight average (SWA) by default, or ``avg_fn`` /
    ``multi_avg_fn`` (e.g. ``get_ema_multi_avg_fn(0.999)``). Buffers are copied from the model
    unless ``use_buffers``, which averages them too. ``n_averaged`` counts the updates."""

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=int64, device=device))
        self.avg_fn, self.multi_avg_fn, self.use_buffers = avg_fn, multi_avg_fn, use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        averaged = (list(itertools.chain(self.module.parameters(), self.module.buffers())) if self.use_buffers
                    else list(self.parameters()))
        current = (list(itertools.chain(model.parameters(), model.buffers())) if self.use_buffers
                   else list(model.parameters()))
        with no_grad():
            pairs = [(a, c.detach().to(a.device)) for a, c in zip(averaged, current)]
            if int(self.n_averaged.item()) == 0:
                for a, c in pairs:
                    a.copy_(c)
            elif self.multi_avg_fn is not None:
                floating = [(a, c) for a, c in pairs if a.dtype.is_floating_point]
                self.multi_avg_fn([a for a, _ in floating], [c for _, c in floating], self.n_averaged)
            else:
                update = self.avg_fn or get_swa_avg_fn()
                for a, c in pairs:
                    if a.dtype.is_floating_point:
                        a.copy_(update(a, c, self.n_averaged.to(a.device)))
            if not self.use_buffers:  # keep the buffers (BatchNorm statistics) in step with the model
                for b_avg, b_model in zip(self.module.buffers(), model.buffers()):
                    b_avg.copy_(b_model.detach().to(b_avg.device))
            self.n_averaged.add_(1)


class SWALR(LRScheduler):
    """Anneals each group's learning rate to ``swa_lr`` over ``anneal_epochs`` steps ("cos" or
    "linear"), then holds it: lr_t = swa_lr·α + lr_{t-1}'s start·(1 - α), α = anneal(t / anneal_epochs)."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        swa_lrs = swa_lr if isinstance(swa_lr, (list, tuple)) else [swa_lr] * len(optimizer.param_groups)
        if len(swa_lrs) != len(optimizer.param_groups):
            raise ValueError(f"swa_lr must have the same length as optimizer.param_groups: swa_lr has "
                             f"{len(swa_lrs)}, optimizer.param_groups has {len(optimizer.param_groups)}")
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must by one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        return swa_lr if alpha == 1 else (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        groups = self.optimizer.param_groups
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in groups]
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(groups, prev_lrs)]

    def state_dict(self):
        return {k: v for k, v in super().state_dict().items() if k != "anneal_func"}


def update_bn(loader, model, device=None):
    """Recompute the BatchNorm running statistics of ``model`` over one pass of ``loader``
    (cumulative averages, momentum None), as SWA needs for its averaged weights."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm) and module.track_running_stats:
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)
