"""The docs site builds with MkDocs in strict mode (any warning, broken link or anchor fails), and
the API reference generated from the docstrings covers the public API."""

import importlib.util
import os
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
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
                          check=False)


def test_docs_build_strict_without_warnings(tmp_path):
    proc = _build(ROOT / "mkdocs.yml", tmp_path / "site")
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "WARNING" not in log, log
    assert (tmp_path / "site" / "api" / "data" / "index.html").exists()


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


@pytest.mark.parametrize("page, names", [
    ("api/data.md", ["DataLoader", "TensorDataset", "random_split", "digits", "mnist", "read_idx"]),
    ("api/optim.md", ["SGD", "Momentum", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Lion", "LBFGS"]),
    ("api/autograd.md", ["Function", "grad", "gradcheck", "hvp"]),
    ("api/nn.md", ["Module", "Linear", "Conv2d", "CrossEntropyLoss"]),
    ("api/tensor.md", ["Tensor"]),
])
def test_api_reference_documents_public_names(api_pages, page, names):
    headings = {line.lstrip("#").strip() for line in api_pages[page].splitlines() if line.startswith("#")}
    assert set(names) <= headings


def test_every_api_page_is_in_the_nav(api_pages):
    nav = (ROOT / "mkdocs.yml").read_text()
    assert all(f"- {page}" in nav for page in api_pages)


def test_docstring_sections_become_markdown():
    render = _gen_api().render_docstring
    text = render('''Add two numbers.

        Args:
            a (int): the first, ``x_1``.
            b: the second
                (continued).

        Returns:
            int: the sum.

        >>> 1 + 2
        3
        ''')
    assert "- `a (int)`: the first, `x_1`." in text and "- `b`: the second (continued)." in text
    assert "`int`: the sum." in text and "```pycon\n>>> 1 + 2\n3\n```" in text


def test_docstring_prose_is_escaped_but_code_is_not():
    text = _gen_api().render_docstring("Values in [0, 1] times *w*, see ``a_b[0]``.")
    assert r"\[0, 1\]" in text and r"\*w\*" in text and "`a_b[0]`" in text
