"""``DataParallel``: PyTorch's single-process wrapper that splits a batch across the GPUs of one
machine. minigrad runs one device per process, so here it runs the wrapped module on the whole
batch, as PyTorch's does when it has one device or none; ``DistributedDataParallel`` (one
process per device) is the way to use several."""

from ..module import Module


class DataParallel(Module):
    """Holds ``module`` (so checkpoint keys gain PyTorch's ``module.`` prefix) and calls it on the
    whole input.

    >>> import minigrad as mg
    >>> model = mg.nn.DataParallel(mg.nn.Linear(2, 1))
    >>> model(mg.ones(4, 2)).shape, list(model.state_dict())
    ((4, 1), ['module.weight', 'module.bias'])
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.device_ids = [] if device_ids is None else list(device_ids)
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
