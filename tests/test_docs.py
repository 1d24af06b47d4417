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
