"""The ops layer speaks arrays and ``ctx`` and receives Tensors only as arguments: no module of
``minigrad/ops`` imports ``minigrad.tensor`` or the name ``Tensor`` (``tensor.py`` imports the ops;
a backward's constants come from ``ctx.as_tensor``, argument checks from ``_coerce.is_tensor``)."""

import ast
import pathlib

import pytest

OPS = pathlib.Path(__file__).resolve().parents[1] / "minigrad" / "ops"


def tensor_imports(source, package="minigrad.ops"):
    """The imports in ``source`` (a module of ``package``) of ``minigrad.tensor`` or of a name
    ``Tensor``, as ``(line, module, name)``, function-local imports included."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, None) for a in node.names
                      if a.name == "minigrad.tensor" or a.name.startswith("minigrad.tensor.")]
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            parts = parts[:len(parts) - node.level + 1] if node.level else []  # ..x: minigrad.x
            base = ".".join(parts + ([node.module] if node.module else []))
            found += [(node.lineno, base, a.name) for a in node.names
                      if base == "minigrad.tensor" or f"{base}.{a.name}" == "minigrad.tensor"
                      or a.name == "Tensor"]
    return found


@pytest.mark.parametrize("source", ["from ..tensor import Tensor", "from minigrad.tensor import _wrap",
                                    "from .. import tensor", "import minigrad.tensor",
                                    "from .._coerce import Tensor", "def f():\n    from ..tensor import x"])
def test_tensor_imports_finds_each_spelling(source):
    assert tensor_imports(source)


def test_tensor_imports_passes_other_modules():
    assert not tensor_imports("from .._coerce import is_tensor\nfrom ..creation import arange\n"
                              "from .elementwise import where\nimport minigrad.tensorboard")


@pytest.mark.parametrize("path", sorted(OPS.glob("*.py")), ids=lambda p: p.name)
def test_ops_module_does_not_import_tensor(path):
    assert tensor_imports(path.read_text()) == []
