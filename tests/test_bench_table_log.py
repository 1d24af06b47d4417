"""benchmarks/bench_table_log.py: log and log1p from power's table, measured beside the model's (a
prototype that decides whether switching is worth a change of every result; docs/performance.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_table_log as B  # noqa: E402

from sim.core import pmath  # noqa: E402


def test_main_prints_ratios_and_rounding(capsys):
    assert B.main(["--size", "600", "--repeats", "1", "--check", "50"]) == 0
    out = capsys.readouterr().out
    assert out.count("RATIO") == 2
    assert all(label in out for label in ("log near 1", "log1p small"))


@pytest.mark.parametrize("name", ["log", "log near 1", "log1p", "log1p small"])
def test_prototype_computes_the_function_it_is_measured_as(name):
    """Within 1 ulp of the model's function, which the model's tests hold to mpmath (a prototype
    that measured another function, or a wrong block's numbers, would not be)."""
    x = B.samples(700, seed=5)[name]  # more than two blocks of 256
    out = np.empty_like(x)
    (B.table_log1p if name.startswith("log1p") else B.table_log)(x, out)
    ours = pmath.log1p(x) if name.startswith("log1p") else pmath.log(x)
    assert np.all(np.abs(out - ours) <= np.spacing(np.abs(ours)))


@pytest.mark.parametrize("args", [["--size", "0"], ["--check", "-1"], ["--repeats", "many"]])
def test_nonsense_sizes_are_refused_with_one_line(args, capsys):
    with pytest.raises(SystemExit) as done:
        B.main(args)
    assert done.value.code == 2
    assert "must be a whole number of at least 1" in capsys.readouterr().err.strip().splitlines()[-1]
