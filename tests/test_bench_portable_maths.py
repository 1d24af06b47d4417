"""benchmarks/bench_portable_maths.py: it measures sim.core.pmath against numpy and prints ratios and
rounding counts (the functions' own accuracy: tests/core/test_pmath.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_portable_maths as B  # noqa: E402


def test_main_prints_ratios_and_ulps(capsys):
    assert B.main(["--size", "2000", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("RATIO numpy / portable") == 4
    assert out.count("differ, by at most") == 6 and out.count("not correctly rounded") == 6


@pytest.mark.parametrize("name", ["exp", "log", "log1p", "pow, exponent -3..3", "pow, exponent 0.35"])
def test_reference_values_are_the_correctly_rounded_ones(name):
    """The script's decimal reference and the model's functions agree within 1 ulp (a wrong reference,
    or a function measured in place of another, would not)."""
    inputs = B.model_ranges(300)[name]
    ours, _ = B.both(name, inputs)
    assert B.ulps(ours, B.correctly_rounded(name.split(",")[0], inputs)).max() <= 1


def test_import_leaves_the_process_decimal_context_alone():
    import decimal
    import importlib

    before = decimal.getcontext().prec
    importlib.reload(B)
    assert decimal.getcontext().prec == before and B.DIGITS.prec == 60


@pytest.mark.parametrize("args", [["--size", "0"], ["--repeats", "-1"], ["--size", "many"]])
def test_nonsense_sizes_are_refused_with_one_line(args, capsys):
    with pytest.raises(SystemExit) as done:
        B.main(args)
    assert done.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "must be a whole number of at least 1" in err[-1]


def test_ulps_counts_units_in_the_last_place():
    a = np.array([1.0, -2.0])
    assert B.ulps(a, np.nextafter(a, np.inf)).tolist() == [1, 1]
