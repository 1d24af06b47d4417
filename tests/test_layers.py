"""The layers of sim/ (pyproject.toml [tool.importlinter]) hold: checked by import-linter itself."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.fail("import-linter is not installed: pip install -e '.[test]'")
    proc = subprocess.run([exe, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "BROKEN" not in proc.stdout


def test_a_layer_violation_is_caught(tmp_path):
    """The contract bites: a copy of sim/ where core imports the CLI is reported broken."""
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.fail("import-linter is not installed")
    shutil.copytree(ROOT / "sim", tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    bad = tmp_path / "sim" / "core" / "params.py"
    bad.write_text(bad.read_text() + "\nfrom sim.cli import main  # noqa\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    proc = subprocess.run([exe, "--config", str(tmp_path / "pyproject.toml")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env={"PYTHONPATH": str(tmp_path), "PATH": str(Path(sys.executable).parent)})
    assert proc.returncode != 0 and "sim.core is not allowed to import sim.cli" in proc.stdout


def test_an_import_cycle_inside_a_function_is_caught(tmp_path):
    """A cycle hidden in a function (executor importing the sweep that imports it) is reported."""
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.fail("import-linter is not installed")
    shutil.copytree(ROOT / "sim", tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    bad = tmp_path / "sim" / "experiments" / "executor.py"
    bad.write_text(bad.read_text() + "\n\ndef _late():\n    from sim.experiments.sweep import execute  # noqa\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    env = {"PYTHONPATH": str(tmp_path), "PATH": str(Path(sys.executable).parent)}
    proc = subprocess.run([exe, "--config", str(tmp_path / "pyproject.toml")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=env)
    assert proc.returncode != 0 and "No cycles are allowed in sim.experiments" in proc.stdout
