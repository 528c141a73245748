"""The docs site builds with MkDocs in strict mode (any warning, broken link or anchor fails), its
API reference lists the public API by public name with typeset maths, and every Python block of
the docs runs."""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocs", reason="the docs extra (mkdocs) is not installed")

ROOT = Path(__file__).resolve().parents[1]


def _gen_api():
    spec = importlib.util.spec_from_file_location("gen_api", ROOT / "docs" / "gen_api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _build(config, site):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg", NO_MKDOCS_2_WARNING="1")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
                          check=False)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built once in strict mode (any warning, broken link or anchor fails the build)."""
    site = tmp_path_factory.mktemp("site")
    proc = _build(ROOT / "mkdocs.yml", site)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "WARNING" not in log, log
    return site


def test_docs_build_strict_without_warnings(site):
    assert (site / "api" / "data" / "index.html").exists()


def test_docs_build_fails_on_a_broken_link(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("images"))
    os.symlink(ROOT / "docs" / "images", docs / "images")
    with open(docs / "data.md", "a") as f:
        f.write("\nSee [the missing page](missing.md).\n")
    config = (ROOT / "mkdocs.yml").read_text().replace("- docs/gen_api.py", f"- {docs / 'gen_api.py'}")
    (tmp_path / "mkdocs.yml").write_text(config)
    proc = _build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert proc.returncode != 0 and "missing.md" in proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def api_pages():
    return _gen_api().render_all()


def test_every_api_page_is_in_the_nav(api_pages):
    nav = (ROOT / "mkdocs.yml").read_text()
    assert all(f"- {page}" in nav for page in api_pages)


def _html(site, page):
    return (site / page / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("page, names", [
    ("api/data", ["data.DataLoader", "data.TensorDataset", "data.random_split", "data.datasets.digits",
                  "data.datasets.mnist", "data.datasets.read_idx"]),
    ("api/optim", ["optim.SGD", "optim.Momentum", "optim.Adagrad", "optim.Adadelta", "optim.RMSprop",
                   "optim.Adam", "optim.AdamW", "optim.Lion", "optim.LBFGS", "optim.Optimizer.zero_grad"]),
    ("api/autograd", ["autograd.Function", "autograd.grad", "autograd.gradcheck", "autograd.functional.hvp"]),
    ("api/nn", ["nn.Module", "nn.Linear", "nn.Conv2d", "nn.CrossEntropyLoss", "nn.Module.zero_grad"]),
    ("api/nn.functional", ["nn.functional.conv2d", "nn.functional.cross_entropy"]),
    ("api/minigrad", ["zeros", "manual_seed", "exp"]),
])
def test_api_reference_by_public_name(site, page, names):
    """Each entry is titled and anchored by the name a user types (`minigrad.nn.Linear`), never by
    the private module that defines it."""
    html = _html(site, page)
    assert all(f'id="minigrad.{name}"' in html for name in names), [
        n for n in names if f'id="minigrad.{n}"' not in html]
    assert "From <code>minigrad" not in html and "minigrad.nn._" not in html and "modules.loss" not in html


def test_api_reference_leaves_out_internal_helpers(site):
    html = _html(site, "api/optim")
    assert 'id="minigrad.optim.Adam.update"' not in html
    assert 'id="minigrad.optim.Optimizer.update"' not in html
    assert 'id="minigrad.optim.Optimizer._step_group"' not in html


def test_tensor_and_top_level_names_are_titled_as_imported(site):
    assert "minigrad.Tensor" in _html(site, "api/tensor")
    assert "minigrad.save" in _html(site, "api/serialization")


def test_search_finds_api_entries(site):
    """The search index has an entry for the method, pointing at its API anchor."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"] for doc in index["docs"] if "zero_grad" in doc["title"]}
    assert "api/optim/#minigrad.optim.Optimizer.zero_grad" in locations
    assert "api/nn/#minigrad.nn.Module.zero_grad" in locations


def test_maths_is_typeset_offline(site):
    """Formulas in pages and docstrings reach MathJax (arithmatex), which the site serves itself."""
    assert '<div class="arithmatex">' in _html(site, "optimizers")
    functional = _html(site, "api/nn.functional")
    assert '<div class="arithmatex">' in functional and ".. math::" not in functional
    assert (site / "assets" / "mathjax" / "tex-svg-full.js").stat().st_size > 500_000
    assert "cdn.jsdelivr" not in _html(site, "optimizers") and "unpkg.com" not in _html(site, "optimizers")


def test_images_open_full_size(site):
    html = _html(site, "gallery")
    assert 'class="glightbox"' in html


def test_docstring_rst_becomes_markdown():
    spec = importlib.util.spec_from_file_location("griffe_rst", ROOT / "docs" / "griffe_rst.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.markdown("Sum.\n\n.. math::\n    y = \\sum_i x_i\n\nSee :class:`~minigrad.optim.Adam`, "
                           ":mod:`minigrad.optim.optimizer` and this::\n\n    code\n\n>>> [1, 2][0]\n1\n")
    assert "$$\ny = \\sum_i x_i\n$$" in text
    assert "[`Adam`][minigrad.optim.Adam]" in text and "`minigrad.optim.optimizer`" in text
    assert "and this:\n" in text and "```pycon\n>>> [1, 2][0]\n1\n```" in text
    examples = module.markdown("Examples:\n    >>> 1\n    1\n")
    assert "```" not in examples  # griffe turns an Examples section into code itself


# --- every Python block in the docs runs ------------------------------------------------------------

_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                    re.MULTILINE | re.DOTALL)
_MARK = re.compile(r"<!--\s*(?P<kind>not run|raises):\s*(?P<text>.*?)\s*-->\s*$")


def python_blocks(text):
    """(line, code, mark) for each ```python block of a page; mark is None or (kind, text).

    The line before a fence may mark its block: ``<!-- not run: why -->`` leaves it out (a reason is
    required), ``<!-- raises: RuntimeError -->`` says that its last line raises that error (a block
    that shows an error message).
    """
    blocks = []
    for match in _FENCE.finditer(text):
        if match["lang"] not in ("python", "py"):
            continue
        line = text.count("\n", 0, match.start()) + 1
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = _MARK.search(before)
        body = "\n".join(s[len(match["indent"]):] for s in match["body"].splitlines())
        blocks.append((line, body, (mark["kind"], mark["text"]) if mark else None))
    return blocks


# Runs one page's blocks in order in one namespace, as a reader pastes them into a session; a block
# marked `raises` must raise that error on its last line.
_RUNNER = """
import json, sys, traceback
namespace = {"__name__": "__main__"}
for path, code, raises in json.load(sys.stdin):
    try:
        exec(compile(code, path, "exec"), namespace)
    except Exception as error:
        lines = [f.lineno for f in traceback.extract_tb(error.__traceback__) if f.filename == path]
        if raises and type(error).__name__ == raises and lines[-1] == len(code.splitlines()):
            continue
        raise
    if raises:
        sys.exit(f"{path}: the block should raise {raises} on its last line, and raised nothing")
"""

PAGES = sorted(p.name for p in (ROOT / "docs").glob("*.md"))


def _page_blocks(page):
    return python_blocks((ROOT / "docs" / page).read_text(encoding="utf-8"))


def _gpu():
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


@pytest.mark.parametrize("page", PAGES)
def test_every_python_block_of_a_page_runs(page, tmp_path):
    """Each page in a fresh process (defaults, seeds and backend as a new session has them) and an
    empty working directory (the files the blocks write land there)."""
    blocks = []
    for line, code, mark in _page_blocks(page):
        kind, text = mark or (None, None)
        if kind == "not run" and not (text.startswith("needs a GPU") and _gpu()):
            continue
        blocks.append((f"docs/{page}:{line}", code, text if kind == "raises" else None))
    if not blocks:
        pytest.skip(f"docs/{page} has no Python block to run")
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-c", _RUNNER], input=json.dumps(blocks), capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=600, check=False)
    if proc.returncode != 0:
        pytest.fail(proc.stderr[-3000:], pytrace=False)


def test_blocks_left_out_say_why_and_most_run():
    marks = [mark for page in PAGES for _, _, mark in _page_blocks(page)]
    not_run = [text for kind, text in filter(None, marks) if kind == "not run"]
    assert all(text.strip() for text in not_run)
    assert len(marks) >= 20 and len(not_run) <= 3, (len(marks), not_run)


def test_block_extraction():
    page = ("Text\n\n```python\nx = 1\n```\n\n<!-- not run: needs a GPU -->\n```python\ny = 2\n```\n\n"
            "```text\nz\n```\n\n- item\n\n    <!-- raises: ValueError -->\n"
            "    ```python\n    w = 3\n    ```\n")
    assert python_blocks(page) == [(3, "x = 1", None), (8, "y = 2", ("not run", "needs a GPU")),
                                   (19, "w = 3", ("raises", "ValueError"))]
