"""Full backward hooks of a module: identity nodes around its call that see the gradients of
its outputs and of its inputs, as PyTorch's ``BackwardHook`` does.

The outputs pass through one identity node: when backward reaches it, it holds the gradient of
every output (``grad_output``), runs the backward pre-hooks (which may replace it) and keeps it.
The positional inputs that require grad pass through another: when backward reaches that one, it
holds their gradients (``grad_input``: one entry per positional argument, None for those that are
not Tensors or need no gradient) and runs the backward hooks with both. When no input
requires grad, the backward hooks run at the output node with ``grad_input`` all None.
"""

from ..autograd.function import Op
from ..tensor import Tensor


class _HookIdentity(Op):
    """y₁, …, yₙ = x₁, …, xₙ; the gradients, all at once, go through ``on_grads`` (which may
    replace them): the one place a module's full backward hooks see them."""

    materialize_grads = False  # an output that got no gradient shows as None, as PyTorch's hooks see

    @staticmethod
    def forward(ctx, *arrays, on_grads):
        return arrays if len(arrays) > 1 else arrays[0]

    @staticmethod
    def backward(ctx, *grads):
        return tuple(ctx.attrs["on_grads"](grads))


class BackwardHook:
    """One call of a module with full backward hooks: wraps its inputs and outputs."""

    def __init__(self, module, pre_hooks, hooks):
        self.module, self.pre_hooks, self.hooks = module, pre_hooks, hooks
        self.n_inputs = 0
        self.input_wrapped = False
        self.grad_output = None

    def setup_inputs(self, args):
        """``args`` with each positional Tensor that requires grad passed through the input node."""
        self.n_inputs = len(args)
        self.positions = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        if not self.positions:
            return args
        self.input_wrapped = True
        wrapped = _HookIdentity.apply(*(args[i] for i in self.positions), on_grads=self._on_input_grads)
        wrapped = wrapped if isinstance(wrapped, tuple) else (wrapped,)
        args = list(args)
        for i, w in zip(self.positions, wrapped):
            args[i] = w
        return tuple(args)

    def setup_outputs(self, out):
        """``out`` (a Tensor or a tuple) with its Tensors that require grad passed through the output node."""
        single = isinstance(out, Tensor)
        outs = (out,) if single else out
        if not isinstance(outs, tuple):
            return out
        positions = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
        if not positions:
            return out
        wrapped = _HookIdentity.apply(*(outs[i] for i in positions), on_grads=self._on_output_grads)
        wrapped = wrapped if isinstance(wrapped, tuple) else (wrapped,)
        outs = list(outs)
        for i, w in zip(positions, wrapped):
            outs[i] = w
        return outs[0] if single else tuple(outs)

    def _on_output_grads(self, grads):
        for hook in list(self.pre_hooks.values()):
            result = hook(self.module, grads)
            if result is not None:
                grads = _checked(result, len(grads), "backward pre-hook", "grad_output")
        self.grad_output = grads
        if not self.input_wrapped:  # nothing upstream will report: the hooks run now, grad_input all None
            self._run_hooks((None,) * self.n_inputs)
        return grads

    def _on_input_grads(self, grads):
        grad_input = [None] * self.n_inputs
        for i, g in zip(self.positions, grads):
            grad_input[i] = g
        grad_input = self._run_hooks(tuple(grad_input))
        return tuple(grad_input[i] for i in self.positions)

    def _run_hooks(self, grad_input):
        for hook in list(self.hooks.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                grad_input = _checked(result, len(grad_input), "backward hook", "grad_input")
        return grad_input


def _checked(result, n, what, name):
    result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    if len(result) != n:
        raise RuntimeError(f"{what} returned {len(result)} values for {name}; expected {n}")
    return result
