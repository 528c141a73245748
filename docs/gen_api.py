"""The API reference: one page per public namespace, one entry per public name.

An MkDocs hook (``hooks: [docs/gen_api.py]`` in mkdocs.yml). ``on_files`` adds the pages
``api/*.md`` to the build in memory, so they follow the code and are never committed. Each page
lists the public names of its namespaces (``__all__``, or what the package imports), as
mkdocstrings directives such as ``::: minigrad.nn.Linear``: the entry is titled and linked by the
name a user types, never by the private module that defines it. mkdocstrings renders the
docstrings (Google style) with the site's Markdown extensions, so ``$...$`` maths is typeset.

``on_files`` also adds MathJax, from the ``django-static-mathjax`` package on PyPI, to the site:
the pages typeset their maths without a network connection.

``python docs/gen_api.py --out DIR`` writes the generated Markdown to DIR, to read it.
"""

import argparse
import importlib
import inspect
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# page -> (title, namespaces documented on it, intro)
PAGES = {
    "minigrad.md": ("minigrad", ["minigrad"], "Tensor creation, math functions, random numbers, "
                    "gradient modes and saving, as exported by `import minigrad as mg`."),
    "tensor.md": ("Tensor", ["minigrad.tensor"], "The `Tensor` class: data, gradient and graph node."),
    "autograd.md": ("minigrad.autograd", ["minigrad.autograd", "minigrad.autograd.functional",
                                          "minigrad.autograd.graph"],
                    "Reverse-mode differentiation: `backward`, `grad`, `Function`, checks, higher-order, "
                    "saved-tensor hooks."),
    "backend.md": ("Backends, devices, CUDA", ["minigrad.backend", "minigrad.cuda"],
                   "Where tensors live and the GPU flag."),
    "environment.md": ("Accelerator, amp, backends, compile",
                       ["minigrad.accelerator", "minigrad.amp", "minigrad.backends",
                        "minigrad.backends.cudnn", "minigrad.backends.cuda", "minigrad.backends.mps",
                        "minigrad.compiler"],
                       "PyTorch's environment names, and exactly what each does in minigrad."),
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
    "linalg.md": ("minigrad.linalg", ["minigrad.linalg"], "Norms, inverse, solve, determinants and "
                  "decompositions, with gradients."),
    "distributions.md": ("minigrad.distributions", ["minigrad.distributions"],
                         "Probability distributions: sampling, reparameterised sampling, densities, KL."),
    "viz.md": ("minigrad.viz", ["minigrad.viz"], "Graph pictures, the explorer and training plots."),
    "utils.checkpoint.md": ("minigrad.utils.checkpoint", ["minigrad.utils.checkpoint"],
                            "Activation checkpointing: activations recomputed in backward instead of kept."),
    "utils.tensorboard.md": ("minigrad.utils.tensorboard", ["minigrad.utils.tensorboard"],
                             "PyTorch's TensorBoard writer, on the `tensorboard` package."),
    "serialization.md": ("Saving and loading", ["minigrad.serialization"], "`mg.save` and `mg.load`."),
    "distributed.md": ("minigrad.distributed", ["minigrad.distributed", "minigrad.nn.parallel"],
                       "Process groups, collectives, checkpoints and `DistributedDataParallel`."),
}

# namespaces whose objects are also re-exported at the top level come first, so that each object is
# documented once, under the name of the namespace that owns it
_FIRST = ("tensor.md", "autograd.md", "backend.md", "environment.md", "serialization.md")
GENERATION_ORDER = list(_FIRST) + [p for p in PAGES if p not in _FIRST]

# Section titles for the defining modules (private ones included: their names never appear), in the
# order the sections appear on a page. A module not listed comes last, titled by its docstring.
SECTIONS = {
    "minigrad.creation": "Creating tensors",
    "minigrad.functions": "Math functions",
    "minigrad._coerce": "Type checks",
    "minigrad.ops.movement": "Shapes and joins",
    "minigrad.ops.linalg": "Matrix products",
    "minigrad.ops.elementwise": "Elementwise",
    "minigrad.random": "Random numbers",
    "minigrad.dtypes": "Data types",
    "minigrad.autograd": "Differentiation",
    "minigrad.autograd.grad_mode": "Gradient modes",
    "minigrad.autograd.function": "Custom functions",
    "minigrad.autograd.gradcheck": "Gradient checks",
    "minigrad.autograd.anomaly": "Anomaly detection",
    "minigrad.autograd.graph": "Saved-tensor hooks",
    "minigrad.backend": "Backends and devices",
    "minigrad.backend.base": "Kernel tables",
    "minigrad.nn.module": "Module",
    "minigrad.nn.parameter": "Parameter",
    "minigrad.nn.modules.container": "Containers",
    "minigrad.nn.modules.linear": "Linear and shape layers",
    "minigrad.nn.modules.conv": "Convolution",
    "minigrad.nn.modules.pooling": "Pooling",
    "minigrad.nn.modules.activation": "Activations",
    "minigrad.nn.modules.normalization": "Normalisation",
    "minigrad.nn.modules.dropout": "Dropout",
    "minigrad.nn.modules.attention": "Attention",
    "minigrad.nn.modules.transformer": "Transformers",
    "minigrad.nn.modules.sparse": "Embedding",
    "minigrad.nn.modules.rnn": "Recurrent layers",
    "minigrad.nn.modules.loss": "Losses",
    "minigrad.nn.summary": "Model summary",
    "minigrad.nn.parallel.sync_batchnorm": "Synchronised batch normalisation",
    "minigrad.nn.parallel.distributed": "Data-parallel training",
    "minigrad.nn.functional": "Activations and linear maps",
    "minigrad.nn._layers": "Normalisation, dropout and embedding",
    "minigrad.nn._loss": "Losses",
    "minigrad.ops.attention": "Attention",
    "minigrad.ops.conv": "Convolution",
    "minigrad.ops.pool": "Pooling",
    "minigrad.nn.utils.clip_grad": "Gradient clipping",
    "minigrad.nn.utils.convert_parameters": "Parameters as one vector",
    "minigrad.optim.optimizer": "The base class",
    "minigrad.data.dataset": "Datasets",
    "minigrad.data.dataloader": "Loading batches",
    "minigrad.data.sampler": "Samplers",
    "minigrad.data.datasets": "Built-in datasets",
    "minigrad.data.idx": "The IDX format",
    "minigrad.viz.graph": "The forward graph",
    "minigrad.viz.backward": "The backward pass",
    "minigrad.viz.steps": "Backprop step by step",
    "minigrad.viz.explore": "The explorer",
    "minigrad.viz.plots": "Training plots",
    "minigrad.viz.race": "Optimizer races",
    "minigrad.viz._render": "Rendering",
    "minigrad.distributed.process_group": "Process groups",
    "minigrad.distributed.collectives": "Collectives on tensors",
    "minigrad.distributed.objects": "Collectives on Python objects",
    "minigrad.distributed.work": "Asynchronous work",
    "minigrad.distributed.checkpoint": "Checkpoints",
}

# Pages whose names are used from the top level, `minigrad.Tensor` and `minigrad.save` (a lazy import
# that griffe cannot follow): documented where they are defined, titled by that name.
PUBLIC_PREFIX = {"tensor.md": "minigrad", "serialization.md": "minigrad"}

# Per-page mkdocstrings options: the optimizers' private methods (``_update``, ``_validate``) stay
# off their page; a Tensor's undocumented methods are still listed.
PAGE_OPTIONS = {
    "optim.md": {"filters": ["!^_"]},
    "tensor.md": {"show_if_no_docstring": True},
}


def _title(origin):
    if origin in SECTIONS:
        return SECTIONS[origin]
    doc = inspect.getdoc(sys.modules.get(origin)) or origin
    return doc.split("\n")[0].split(":")[0].replace("``", "`").strip() or origin


def _source_order(entry):
    name, obj = entry
    try:
        return inspect.getsourcelines(obj)[1], name
    except (TypeError, OSError):
        return 10 ** 6, name


def _section_order(origin):
    order = list(SECTIONS)
    return order.index(origin) if origin in order else len(order)


def _is_public_member(module, name, obj):
    if name.startswith("_") or not (inspect.isclass(obj) or inspect.isfunction(obj)):
        return False
    origin = getattr(obj, "__module__", "") or ""
    return origin == module.__name__ or origin.startswith(module.__name__ + ".") or (
        hasattr(module, "__all__") and name in module.__all__ and origin.startswith("minigrad"))


def public_objects(module):
    """(name, object) for each public class and function of ``module``, in its export order."""
    names = list(module.__all__) if hasattr(module, "__all__") else list(vars(module))
    out = []
    for name in names:
        obj = getattr(module, name, None)
        if obj is not None and _is_public_member(module, name, obj):
            out.append((name, obj))
    return out


def _directive(namespace, name, obj, level, options, title=None):
    path = f"{namespace}.{name}"
    if title:
        options = dict(options, heading=title, toc_label=name)
    lines = []
    if not title and inspect.ismodule(sys.modules.get(path)):
        # `minigrad.tensor` is a function and a module, and griffe takes the module: document the
        # function where it is defined, titled and anchored (an autorefs anchor) by its public name
        options = dict(options, heading=path, toc_label=name)
        lines.append(f"[](){{#{path}}}")
        path = f"{obj.__module__}.{obj.__qualname__}"
    lines += [f"::: {path}", "    options:", f"      heading_level: {level}"]
    lines += [f"      {key}: {json.dumps(value)}" for key, value in options.items()]  # JSON is YAML
    return "\n".join(lines)


def render_page(page, seen):
    """One page's Markdown; objects already in ``seen`` (documented on an earlier page) are skipped."""
    title, modules, intro = PAGES[page]
    out = [f"# {title}", intro]
    options = PAGE_OPTIONS.get(page, {})
    for module_name in modules:
        module = importlib.import_module(module_name)
        objects = [(n, o) for n, o in public_objects(module) if id(o) not in seen]
        if not objects:  # all documented under another name already (minigrad.data.idx)
            continue
        base = 2
        if len(modules) > 1:
            out.append(f"## `{module_name}`")
            base = 3
        summary = (inspect.getdoc(module) or "").split("\n\n")[0]
        if summary and len(modules) > 1:
            out.append(summary.replace("``", "`"))
        groups = {}  # defining module -> its objects, in export order
        for name, obj in objects:
            seen.add(id(obj))
            groups.setdefault(obj.__module__, []).append((name, obj))
        prefix = PUBLIC_PREFIX.get(page)
        if len(groups) > 1 and any(len(members) > 1 for members in groups.values()):
            sections = [(_title(origin), sorted(groups[origin], key=_source_order))
                        for origin in sorted(groups, key=_section_order)]
        else:  # one module, or one class per module (optim): one list, in export order
            sections = [(None, [entry for members in groups.values() for entry in members])]
        for heading, members in sections:
            if heading:
                out.append(f"{'#' * base} {heading}")
            out.extend(_directive(module_name, name, obj, base + bool(heading), options,
                                  prefix and f"{prefix}.{name}") for name, obj in members)
    return "\n\n".join(out) + "\n"


def render_index():
    lines = ["# API reference", "",
             "Every public name, under the name you import it by (`minigrad.nn.Linear` is "
             "`mg.nn.Linear`), with its signature and docstring.", ""]
    for page, (title, _, intro) in PAGES.items():
        lines.append(f"- [{title}]({page}): {intro}")
    return "\n".join(lines) + "\n"


def render_all():
    """{path inside docs/: Markdown} for every API page."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    pages, seen = {"api/index.md": render_index()}, set()
    for page in GENERATION_ORDER:
        pages[f"api/{page}"] = render_page(page, seen)
    return pages


# --- MkDocs hook ------------------------------------------------------------------------------------

MATHJAX_FILES = ["tex-svg-full.js"]  # SVG output: no web fonts to fetch, so file:// pages typeset too


def mathjax_files():
    """(path inside the site, file on disk) for MathJax's TeX-to-SVG bundle (every TeX extension in it)."""
    import mathjax  # the django-static-mathjax package: MathJax 3's release files, no Django needed
    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    for name in MATHJAX_FILES:
        source = es5 / name
        for path in sorted(source.rglob("*")) if source.is_dir() else [source]:
            if path.is_file():
                yield f"assets/mathjax/{path.relative_to(es5).as_posix()}", path


def on_files(files, config):
    """Add the generated API pages and MathJax to the build (nothing is written to docs/)."""
    from mkdocs.structure.files import File
    for path, content in render_all().items():
        files.append(File.generated(config, path, content=content))
    for path, source in mathjax_files():
        files.append(File.generated(config, path, abs_src_path=str(source)))
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
    main()
