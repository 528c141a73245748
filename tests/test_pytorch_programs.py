"""Every program in examples/pytorch_programs runs as a PyTorch user would run it.

The programs are PyTorch programs whose only change is the import lines; each checks its own
results with asserts. Here each one runs with ``--dry-run`` in a subprocess, and its text is
checked for the one rule of the folder: minigrad is named on import lines only.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = sorted((ROOT / "examples" / "pytorch_programs").glob("*.py"))


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
def test_minigrad_is_named_on_import_lines_only(program):
    for number, line in enumerate(program.read_text().splitlines(), 1):
        if "minigrad" in line:
            assert line.lstrip().startswith(("import ", "from ")), f"{program.name}:{number}: {line}"


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
def test_program_runs(program, tmp_path):
    environment = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    environment.pop("MINIGRAD_BACKEND", None)
    proc = subprocess.run([sys.executable, str(program), "--dry-run"], capture_output=True, text=True,
                          env=environment, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, f"{program.name} failed:\n{proc.stdout}\n{proc.stderr}"
