"""zonesim installs like a library: a wheel carries the bundled scenarios, and installed in a fresh
virtual environment it runs ``zonesim compare`` from a folder outside the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "sim", "scenarios")


def test_a_checkout_reads_the_top_level_scenarios():
    from sim.scenario import world

    assert world.SCENARIOS == ROOT / "scenarios"
    assert not (ROOT / "sim" / "_scenarios").exists()  # made only inside a wheel (setup.py)
    assert world.WORLDS == ROOT / "scenarios" / "worlds" and world.PACKAGES == ROOT / "scenarios" / "packages"


def _build_wheel(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for name in BUILD_INPUTS:  # a clean copy: no stale build/ folder can leak into the wheel
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "_scenarios"))
        else:
            shutil.copy(path, src / name)
    dist = tmp_path / "dist"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(dist)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (wheel,) = dist.glob("zonesim-*.whl")
    return wheel


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_runs_compare_outside_the_checkout(tmp_path):
    wheel = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    bundled = {n.removeprefix("sim/_scenarios/") for n in names if n.startswith("sim/_scenarios/")}
    shipped = {p.relative_to(ROOT / "scenarios").as_posix() for p in (ROOT / "scenarios").rglob("*") if p.is_file()}
    assert bundled == shipped
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "scenarios/", "docs/"))]

    venv = tmp_path / "venv"
    # dependencies come from this environment (no download); zonesim itself only from the wheel
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True,
                   capture_output=True, timeout=300)
    away = tmp_path / "elsewhere"
    away.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MPLBACKEND"] = "Agg"
    where = subprocess.run([str(py), "-c", "import sim, sim.scenario.world as w; print(sim.__file__); "
                            "print(w.SCENARIOS)"], cwd=away, env=env, capture_output=True, text=True, check=True)
    module, scenarios = where.stdout.split()
    assert module.startswith(str(venv)) and scenarios.startswith(str(venv)) and scenarios.endswith("_scenarios")

    out = away / "cmp"
    proc = subprocess.run([str(venv / "bin" / "zonesim"), "compare", "--seeds", "2", "--years", "3", "--out",
                           str(out), "--no-progress"], cwd=away, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Region output" in proc.stdout
    assert (out / "summary.md").is_file() and (out / "differences.csv").is_file() and (out / "map.png").is_file()
    scenario = (out / "scenario.yaml").read_text(encoding="utf-8")
    assert str(venv) in scenario  # the world file was read from the installed package
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["years"] == 3 and len(manifest["seeds"]) == 2
