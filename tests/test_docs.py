"""Generated docs are current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_parameter_docs_are_current():
    spec = importlib.util.spec_from_file_location("gen", ROOT / "scripts" / "gen_param_docs.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.DOC.read_text(encoding="utf-8") == gen.render(), \
        "docs/parameters.md is stale: run python scripts/gen_param_docs.py"


def test_every_parameter_has_unit_and_source():
    from sim.core.params import param_table

    for row in param_table():
        assert row["unit"] and row["source"] and row["description"], row["name"]


def test_docs_describe_zones_png_as_it_is_drawn():
    """zones.png shows each zone's output only (its rank panel went to bump.png, whole places):
    the READMEs said 'output and rank'."""
    import pandas as pd

    from sim.present.charts.trajectories import zone_trajectories

    df = pd.DataFrame({"zone": ["a", "a"], "year": [2025, 2026], "output": [1.0, 2.0], "level_name": "region"})
    assert len(zone_trajectories(df, {}).axes) == 1  # one panel: output
    for doc in ("README.md", "results/README.md"):
        row = next(line for line in (ROOT / doc).read_text(encoding="utf-8").splitlines() if "`zones.png`" in line)
        assert "output and rank" not in row and "output and its rank" not in row, (doc, row)
