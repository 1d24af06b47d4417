"""benchmarks/bench_maths.py: numpy's SIMD functions against the C library's (its comparisons and input)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_maths as bm  # noqa: E402


def _table(output_last: float, noise: float = 0.0) -> pd.DataFrame:
    rows = []
    for pkg in ("baseline", "guangxi-23"):
        for year in (2021, 2022):
            for zone, out in (("nanning", 10.0 + noise), ("region", output_last if year == 2022 else 20.0)):
                rows.append({"package": pkg, "seed": 1, "year": year, "zone": zone, "output": out,
                             "firms": 100.0, "talent": 50.0, "share": np.nan})
    return pd.DataFrame(rows)


def test_identical_tables_compare_equal():
    a = _table(30.0)
    for r in bm.compare_tables(a, a.copy()):
        assert r["identical"] == 1.0 and r["max_rel"] == 0.0 and r["output"] == 0.0


def test_differences_are_measured_relative_and_on_the_last_years_region_row():
    a, b = _table(30.0), _table(30.0 * (1 + 3e-4), noise=1e-12)
    r = bm.compare_tables(a, b)[0]
    assert r["output"] == pytest.approx(3e-4, rel=1e-9)  # the region row of the last year, not the sum of rows
    assert r["firms"] == 0.0 and r["talent"] == 0.0
    assert 0.0 < r["identical"] < 1.0 and r["max_rel"] == pytest.approx(3e-4 / (1 + 3e-4), rel=1e-9)  # over the larger of the two


def test_tables_of_other_shapes_are_refused():
    a = _table(30.0)
    with pytest.raises(ValueError, match="rows against"):
        bm.compare_tables(a, a.iloc[:-1])


@pytest.mark.parametrize("argv", [["rows", "--rows", "0"], ["tables", "--seeds", "-1"], ["bogus"]])
def test_nonsense_is_one_line_and_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as e:
        bm.main(argv)
    assert e.value.code == 2
    assert "error:" in capsys.readouterr().err
