"""The API reference, generated from minigrad's docstrings with ``inspect`` (no plugins needed).

Used two ways:

* as an MkDocs hook (``hooks: [docs/gen_api.py]`` in mkdocs.yml): ``on_files`` adds the pages
  ``api/*.md`` to the build in memory, so they are always in step with the code and never
  committed;
* as a script, ``python docs/gen_api.py --out DIR``, writing the same Markdown files to DIR.

Docstrings are Google style: a summary, prose (``literal`` becomes `literal`), indented blocks
(formulas, shapes) kept verbatim, ``Args:``/``Returns:``/``Raises:``... sections as lists, and
``>>>`` examples as code blocks.
"""

import argparse
import importlib
import inspect
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# page -> (title, modules documented on it, intro)
PAGES = {
    "minigrad.md": ("minigrad", ["minigrad"], "Tensor creation, math functions, random numbers, "
                    "gradient modes and saving, as exported by `import minigrad as mg`."),
    "tensor.md": ("Tensor", ["minigrad.tensor"], "The `Tensor` class: data, gradient and graph node."),
    "autograd.md": ("minigrad.autograd", ["minigrad.autograd", "minigrad.autograd.functional"],
                    "Reverse-mode differentiation: `backward`, `grad`, `Function`, checks, higher-order."),
    "backend.md": ("Backends, devices, CUDA", ["minigrad.backend", "minigrad.cuda"],
                   "Where tensors live and the GPU flag."),
    "nn.md": ("minigrad.nn", ["minigrad.nn"], "Modules, layers, activations and losses."),
    "nn.functional.md": ("minigrad.nn.functional", ["minigrad.nn.functional"], "The functional forms."),
    "nn.init.md": ("minigrad.nn.init", ["minigrad.nn.init"], "Parameter initialisation."),
    "nn.utils.md": ("minigrad.nn.utils", ["minigrad.nn.utils", "minigrad.nn.utils.rnn"],
                    "Gradient clipping, parameter vectors, and padded / packed sequences."),
    "optim.md": ("minigrad.optim", ["minigrad.optim"], "Optimizers."),
    "optim.lr_scheduler.md": ("minigrad.optim.lr_scheduler", ["minigrad.optim.lr_scheduler"],
                              "Learning-rate schedules."),
    "data.md": ("minigrad.data", ["minigrad.data", "minigrad.data.datasets", "minigrad.data.idx"],
                "Datasets, samplers, the DataLoader and the built-in datasets."),
    "viz.md": ("minigrad.viz", ["minigrad.viz"], "Graph pictures and training plots."),
    "serialization.md": ("Saving and loading", ["minigrad.serialization"], "`mg.save` and `mg.load`."),
    "distributed.md": ("minigrad.distributed", ["minigrad.distributed", "minigrad.nn.parallel"],
                       "Process groups, collectives, checkpoints and `DistributedDataParallel`."),
}

# pages whose objects are also re-exported at the top level come first, so that each object is
# documented once, on the page of the module that owns it
GENERATION_ORDER = ["tensor.md", "autograd.md", "backend.md", "serialization.md"] + [
    p for p in PAGES if p not in ("tensor.md", "autograd.md", "backend.md", "serialization.md")]

SECTIONS = {"args", "arguments", "parameters", "returns", "return", "yields", "raises", "attributes",
            "example", "examples", "note", "notes", "shape", "shapes", "references", "see also",
            "warning", "warnings", "keyword args", "keyword arguments", "todo"}
LISTED = {"args", "arguments", "parameters", "raises", "attributes", "keyword args", "keyword arguments"}


# --- docstring -> Markdown ---------------------------------------------------------------------

_CODE = re.compile(r"(``.+?``|`[^`]+`)")
_SPECIAL = re.compile(r"([\\*_\[\]<>|#!{}])")


_ROLE = re.compile(r":(?:class|func|meth|attr|mod|data|obj|exc):`~?([^`]+)`")


def _prose(text):
    """Escape Markdown in prose, keeping code spans (RST ``x`` and :class:`x` become `x`)."""
    text = _ROLE.sub(r"`\1`", text)
    text = re.sub(r"\s*::$", ":", text.rstrip()) if text.rstrip().endswith("::") else text
    if text.strip() == ":":
        return ""
    out = []
    for part in _CODE.split(text):
        if part.startswith("``") and part.endswith("``") and len(part) > 4:
            out.append("`" + part[2:-2] + "`")
        elif part.startswith("`") and part.endswith("`") and len(part) > 2:
            out.append(part)
        else:
            out.append(_SPECIAL.sub(r"\\\1", part))
    return "".join(out)


def _indent(line):
    return len(line) - len(line.lstrip())


def _fence(lines, lang=""):
    body = "\n".join(lines).rstrip("\n")
    return f"```{lang}\n{body}\n```"


def _split_item(text):
    """'name (type): description' -> ('name (type)', 'description') or None."""
    m = re.match(r"^(\*{0,2}[\w.]+(?:\s*\([^)]*\))?(?:\s*,\s*\*{0,2}[\w.]+)*)\s*:\s*(.*)$", text)
    return (m.group(1), m.group(2)) if m else None


def render_docstring(doc):
    """Google-style docstring text -> Markdown."""
    lines = inspect.cleandoc(doc).splitlines()
    blocks, para, i = [], [], 0

    def flush():
        if para:
            blocks.append(_prose(" ".join(s.strip() for s in para)))
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            flush()
            i += 1
            continue
        if stripped.startswith(">>>"):  # a doctest: prompt lines and their output, to a blank line
            flush()
            base, code = _indent(line), []
            while i < len(lines) and lines[i].strip():
                code.append(lines[i][base:] if _indent(lines[i]) >= base else lines[i].strip())
                i += 1
            blocks.append(_fence(code, "pycon"))
            continue
        if stripped.startswith(".. math::"):  # RST math: shown verbatim (no MathJax in a plain build)
            flush()
            code = [stripped[len(".. math::"):].strip()]
            i += 1
            while i < len(lines) and lines[i].strip() and _indent(lines[i]) > _indent(line):
                code.append(lines[i].strip())
                i += 1
            blocks.append(_fence([c for c in code if c], "text"))
            continue
        header = stripped[:-1].lower() if stripped.endswith(":") else None
        if header in SECTIONS and _indent(line) == 0:
            flush()
            i += 1
            body = []
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > 0):
                body.append(lines[i])
                i += 1
            while body and not body[-1].strip():
                body.pop()
            blocks.append(f"**{stripped[:-1]}**")
            blocks.append(_render_section(header, body))
            continue
        if _indent(line) > 0 and not para:  # an indented block: formula, shapes, a command
            flush()
            base, code = _indent(line), []
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) >= base):
                if lines[i].strip().startswith(">>>"):
                    break
                code.append(lines[i][base:])
                i += 1
            while code and not code[-1].strip():
                code.pop()
            blocks.append(_fence(code, "text"))
            continue
        para.append(line)
        i += 1
    flush()
    return "\n\n".join(b for b in blocks if b)


def _render_section(header, body):
    if not body:
        return ""
    base = min(_indent(s) for s in body if s.strip())
    lines = [s[base:] if s.strip() else "" for s in body]
    if header in LISTED:
        items, current = [], None
        for s in lines:
            if s and not s.startswith(" ") and _split_item(s):
                name, desc = _split_item(s)
                current = [name, [desc]]
                items.append(current)
            elif current is not None:
                current[1].append(s.strip())
        if items:
            return "\n".join(f"- `{name}`: {_prose(' '.join(d for d in desc if d))}" for name, desc in items)
    if header in ("example", "examples") or any(s.strip().startswith(">>>") for s in lines):
        return render_docstring("\n".join(lines))
    if header in ("returns", "return", "yields"):
        first = lines[0]
        item = _split_item(first) if not first.startswith(" ") else None
        if item and len(item[0]) < 40 and " " not in item[0].strip():
            rest = " ".join(s.strip() for s in lines[1:] if s.strip())
            return f"`{item[0]}`: {_prose((item[1] + ' ' + rest).strip())}"
    return render_docstring("\n".join(lines))


# --- objects -> Markdown --------------------------------------------------------------------------

def _signature(obj, name, method=False):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return f"{name}(...)"
    params = list(sig.parameters.values())
    if method and params and params[0].name in ("self", "cls"):
        sig = sig.replace(parameters=params[1:])
    return f"{name}{sig}"


def _line(obj):
    try:
        return inspect.getsourcelines(obj)[1]
    except (TypeError, OSError):
        return 10 ** 6


def _is_public_member(module, name, obj):
    if name.startswith("_"):
        return False
    if not (inspect.isclass(obj) or inspect.isfunction(obj)):
        return False
    origin = getattr(obj, "__module__", "") or ""
    return origin == module.__name__ or origin.startswith(module.__name__ + ".") or (
        hasattr(module, "__all__") and name in module.__all__ and origin.startswith("minigrad"))


def public_objects(module):
    names = list(module.__all__) if hasattr(module, "__all__") else [n for n in vars(module)]
    out = []
    for name in names:
        obj = getattr(module, name, None)
        if obj is not None and _is_public_member(module, name, obj):
            out.append((name, obj))
    return out


def _class_members(cls):
    documented, plain = [], []
    for name, raw in vars(cls).items():
        if name.startswith("_") and name not in ("__call__", "__getitem__", "__len__", "__iter__"):
            continue
        obj = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
        if isinstance(raw, property):
            (documented if raw.__doc__ else plain).append((name, raw, "property"))
        elif inspect.isfunction(obj):
            (documented if obj.__doc__ else plain).append((name, obj, "method"))
    return documented, plain


def render_object(name, obj, level=3):
    hashes = "#" * level
    parts = [f"{hashes} {name}"]
    if inspect.isclass(obj):
        bases = [b.__name__ for b in obj.__bases__ if b is not object]
        base_note = f"  # ({', '.join(bases)})" if bases else ""
        parts.append(_fence([f"class {_signature(obj, name)}{base_note}"],
                            "python"))
    else:
        parts.append(_fence([_signature(obj, name)], "python"))
    if obj.__doc__:  # its own docstring only: an undocumented class does not inherit its base's
        parts.append(render_docstring(obj.__doc__))
    if inspect.isclass(obj):
        documented, plain = _class_members(obj)
        for mname, member, kind in documented:
            sig = mname if kind == "property" else _signature(member, mname, method=True)
            label = " *(property)*" if kind == "property" else ""
            parts.append(f"**`{sig}`**{label}\n\n" + render_docstring(member.__doc__))
        if plain:
            parts.append("Also: " + ", ".join(f"`{m}`" for m, _, _ in plain) + ".")
    return "\n\n".join(parts)


def render_page(title, modules, intro, seen):
    """One page; objects already in ``seen`` (documented on an earlier page) are skipped."""
    out = [f"# {title}", _prose(intro) if not intro.count("`") else intro]
    for module_name in modules:
        module = importlib.import_module(module_name)
        objects = [(n, o) for n, o in public_objects(module) if id(o) not in seen]
        if len(modules) > 1:
            out.append(f"## `{module_name}`")
        if module.__doc__:
            out.append(render_docstring(module.__doc__))
        groups = {}
        for name, obj in objects:
            seen.add(id(obj))
            groups.setdefault(obj.__module__, []).append((name, obj))
        level = 3 if len(modules) > 1 else 2
        for origin in sorted(groups, key=lambda m: (m != module_name, m)):
            members = sorted(groups[origin], key=lambda item: (_line(item[1]), item[0]))
            if len(groups) > 1:
                sub = sys.modules.get(origin)
                summary = (inspect.getdoc(sub) or "").split("\n")[0] if sub is not None else ""
                out.append(f"{'#' * level} From `{origin}`")
                if summary:
                    out.append(_prose(summary))
                for name, obj in members:
                    out.append(render_object(name, obj, level + 1))
            else:
                for name, obj in members:
                    out.append(render_object(name, obj, level))
    return "\n\n".join(out) + "\n"


def render_index():
    lines = ["# API reference", "",
             "Generated from the docstrings by `docs/gen_api.py` at every docs build.", ""]
    for page, (title, _, intro) in PAGES.items():
        lines.append(f"- [{title}]({page}): {intro}")
    return "\n".join(lines) + "\n"


def render_all():
    """{path inside docs/: Markdown} for every API page."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    pages, seen = {"api/index.md": render_index()}, set()
    for page in GENERATION_ORDER:
        title, modules, intro = PAGES[page]
        pages[f"api/{page}"] = render_page(title, modules, intro, seen)
    return pages


# --- MkDocs hook ------------------------------------------------------------------------------------

def on_files(files, config):
    """Add the generated API pages to the build (in memory; nothing is written to docs/)."""
    from mkdocs.structure.files import File
    for path, content in render_all().items():
        files.append(File.generated(config, path, content=content))
    return files


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="build/api-md", help="directory to write the Markdown into")
    args = parser.parse_args(argv)
    for path, content in render_all().items():
        target = Path(args.out) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        print(target)


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    main()
