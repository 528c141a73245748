"""``summary(model, input_size)``: a model's layers, output shapes and parameter counts, printed as
torchinfo prints them.

The model runs once (without recording gradients) on an example input; forward pre-hooks and
hooks on every module record, in call order, each call's depth, output shape and parameters.
"""

import math

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor

__all__ = ["summary", "ModelStatistics"]

_HEADERS = {"input_size": "Input Shape", "output_size": "Output Shape", "num_params": "Param #",
            "mult_adds": "Mult-Adds", "kernel_size": "Kernel Shape"}
_NAME_W, _COL_W = 40, 25  # torchinfo's column widths


class _Row:
    def __init__(self, module, depth, index, recursive):
        self.module, self.depth, self.index, self.recursive = module, depth, index, recursive
        self.input_shape = self.output_shape = None
        self.output_bytes = 0
        self.children = False  # whether a deeper module was called inside this one


def _first_tensor(value):
    """The first Tensor in a (nested) input or output (torchinfo shows its shape); None if none."""
    stack = [value]
    while stack:
        v = stack.pop(0)
        if isinstance(v, Tensor):
            return v
        if isinstance(v, (tuple, list)):
            stack = list(v) + stack
        elif isinstance(v, dict):
            stack = list(v.values()) + stack
    return None


def _numel(params):
    return sum(p.numel() for p in params)


def _mult_adds(row):
    """Multiply-adds of one call, estimated as torchinfo does: each weight is used once per output
    position of a convolution, once per time step of a recurrent layer, else once per sample."""
    out = row.output_shape
    params = _numel(row.module.parameters(recurse=False)) if not row.children else 0
    if not params or not out:
        return 0
    name = type(row.module).__name__
    if name.startswith("Conv"):
        return params * math.prod(out[:1] + out[2:])
    if name in ("RNN", "LSTM", "GRU"):
        return params * math.prod(out[:2])
    return params * out[0]


class ModelStatistics:
    """What ``summary`` found: ``summary_list`` (one row per module call), ``total_params``,
    ``trainable_params``, ``total_mult_adds``, ``total_input`` and ``total_output_bytes``; its
    ``str`` is torchinfo's table."""

    def __init__(self, model, rows, col_names, depth, input_bytes):
        self.model, self.summary_list, self.col_names, self.depth = model, rows, col_names, depth
        params = list(model.parameters())
        self.total_params = _numel(params)
        self.trainable_params = _numel(p for p in params if p.requires_grad)
        self.total_mult_adds = sum(_mult_adds(r) for r in rows if not r.recursive)
        self.total_input = input_bytes
        # forward and backward: every layer's output is held once for each pass
        self.total_output_bytes = 2 * sum(r.output_bytes for r in rows if not r.children and r.depth > 0)
        self.total_param_bytes = sum(p.numel() * p.dtype.itemsize for p in params)

    def _params_text(self, row):
        if row.recursive:
            return "(recursive)"
        shown_leaf = not row.children or row.depth >= self.depth
        n = _numel(row.module.parameters(recurse=shown_leaf))
        return f"{n:,}" if n else "--"

    def _cell(self, row, col):
        if col == "output_size":
            return str(row.output_shape) if row.output_shape is not None else "--"
        if col == "input_size":
            return str(row.input_shape) if row.input_shape is not None else "--"
        if col == "num_params":
            return self._params_text(row)
        if col == "mult_adds":
            n = _mult_adds(row)
            return f"{n:,}" if n and not row.recursive else "--"
        if col == "kernel_size":
            w = getattr(row.module, "weight", None)
            return str(list(w.shape)) if isinstance(w, Tensor) and w.ndim > 1 else "--"
        raise ValueError(f"summary: unknown column {col!r}; known: {', '.join(_HEADERS)}")

    def __str__(self):
        width = _NAME_W + _COL_W * len(self.col_names)
        rule = "=" * width
        def line(cells):
            return (f"{cells[0]:<{_NAME_W}} " + "".join(f"{c:<{_COL_W}} " for c in cells[1:])).rstrip()

        out = [rule, line(["Layer (type:depth-idx)"] + [_HEADERS[c] for c in self.col_names]), rule]
        for row in self.summary_list:
            if row.depth > self.depth:
                continue
            name = type(row.module).__name__
            if row.depth == 0:
                label = name
            else:
                branch = "├─" if row.depth == 1 else "│    " * (row.depth - 1) + "└─"
                label = f"{branch}{name}: {row.depth}-{row.index}"
            out.append(line([label] + [self._cell(row, c) for c in self.col_names]))
        mb = lambda n: f"{n / 1e6:.2f}"
        out += [rule, f"Total params: {self.total_params:,}", f"Trainable params: {self.trainable_params:,}",
                f"Non-trainable params: {self.total_params - self.trainable_params:,}",
                f"Total mult-adds (M): {mb(self.total_mult_adds)}", rule,
                f"Input size (MB): {mb(self.total_input)}",
                f"Forward/backward pass size (MB): {mb(self.total_output_bytes)}",
                f"Params size (MB): {mb(self.total_param_bytes)}",
                f"Estimated Total Size (MB): "
                f"{mb(self.total_input + self.total_output_bytes + self.total_param_bytes)}", rule]
        return "\n".join(out)

    __repr__ = __str__


def summary(model, input_size=None, input_data=None, *, col_names=("output_size", "num_params"),
            depth=3, dtypes=None, device=None, verbose=1, **kwargs):
    """Summarise ``model`` as torchinfo does: one row per module call with its output shape and
    parameter count, then the totals and memory estimates.

    Args:
        model: the Module.
        input_size: the example input's shape, batch included (``(1, 28, 28)``), or a list of
            shapes for several inputs; random normal inputs of that shape are used.
        input_data: the example input(s) instead (a Tensor or a list/tuple of them).
        col_names: columns from ``"input_size"``, ``"output_size"``, ``"num_params"``,
            ``"mult_adds"``, ``"kernel_size"``.
        depth: the deepest module level shown (deeper parameters are counted in their parent).
        dtypes: per input, the dtype of the random input (default: the default dtype).
        device: where the random inputs are made.
        verbose: 1 prints the table, 0 only returns it.
        **kwargs: more keyword arguments for ``model.forward``.

    Returns:
        ModelStatistics: ``str()`` gives the table.

    >>> import minigrad as mg
    >>> stats = mg.nn.summary(mg.nn.Sequential(mg.nn.Linear(3, 4), mg.nn.ReLU()), (2, 3), verbose=0)
    >>> print(str(stats).splitlines()[4])
    ├─Linear: 1-1                            [2, 4]                    16
    """
    from ..random import randn
    if input_data is None and input_size is None:
        raise ValueError("summary: give input_size (the example input's shape) or input_data")
    if input_data is not None:
        inputs = tuple(input_data) if isinstance(input_data, (list, tuple)) else (input_data,)
    else:
        sizes = [input_size] if all(isinstance(s, int) for s in input_size) else list(input_size)
        dtypes = dtypes or [None] * len(sizes)
        inputs = tuple(randn(*s, dtype=d, device=device) for s, d in zip(sizes, dtypes))
    col_names = tuple(col_names)
    for c in col_names:
        if c not in _HEADERS:
            raise ValueError(f"summary: unknown column {c!r}; known: {', '.join(_HEADERS)}")
    rows, stack, counters, seen, handles = [], [], {}, set(), []

    def pre(module, args):
        d = len(stack)
        if stack:
            stack[-1].children = True
        counters[d] = counters.get(d, 0) + 1
        row = _Row(module, d, counters[d], id(module) in seen and bool(list(module.parameters())))
        seen.add(id(module))
        first = _first_tensor(args)
        row.input_shape = list(first.shape) if first is not None else None
        rows.append(row)
        stack.append(row)

    def post(module, args, output):
        row, first = stack.pop(), _first_tensor(output)
        if first is not None:
            row.output_shape, row.output_bytes = list(first.shape), first.numel() * first.dtype.itemsize

    for m in model.modules():
        handles.append(m.register_forward_pre_hook(pre))
        handles.append(m.register_forward_hook(post))
    try:
        with no_grad():
            model(*inputs, **kwargs)
    finally:
        for h in handles:
            h.remove()
    input_bytes = sum(t.numel() * t.dtype.itemsize for t in inputs if isinstance(t, Tensor))
    stats = ModelStatistics(model, rows, col_names, depth, input_bytes)
    if verbose:
        print(stats)
    return stats
