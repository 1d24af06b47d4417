"""benchmarks/bench_portable_maths.py: the prototype's exp, log and pow are accurate, round alike
whatever the array they are in, and fall back for inputs outside their fast paths."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_portable_maths as pm  # noqa: E402


@pytest.mark.parametrize("name", ["exp", "log", "pow, exponent -3..3", "pow, exponent -0.3"])
def test_within_one_ulp_of_the_correctly_rounded_result(name):
    inputs = pm.model_ranges(400)[name]
    ours, _ = pm.both(name, inputs)
    d = pm.ulps(ours, pm.correctly_rounded(name, inputs))
    assert d.max() <= 1
    assert np.mean(d != 0) < 0.05  # nearly always correctly rounded (measured: 0.6-1.6 %), not merely close


def test_a_wrong_coefficient_is_caught():
    # the accuracy test above can fail: the same comparison with log's first coefficient off by 1e-12
    inputs = pm.model_ranges(400)["log"]
    exact = pm.correctly_rounded("log", inputs)
    old = pm.Lg1
    try:
        pm.Lg1 = old * (1 + 1e-12)
        pm._log_m.recompile()
        assert pm.ulps(pm.plog(*inputs), exact).max() > 1
    finally:
        pm.Lg1 = old
        pm._log_m.recompile()
    assert pm.ulps(pm.plog(*inputs), exact).max() <= 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=1e-6, max_value=1e6), min_size=1, max_size=40),
       st.floats(min_value=-3.0, max_value=3.0))
def test_the_same_bits_alone_or_in_an_array(xs, e):
    """The vectorised loop and its scalar remainder round alike: each number's result does not
    depend on where in an array it sits (no reassociation or contraction by the compiler)."""
    x = np.array(xs)
    together = (pm.pexp(np.log(x) * e), pm.plog(x), pm.ppow(x, e))
    for i in range(x.size):
        alone = (pm.pexp(np.log(x[i:i + 1]) * e), pm.plog(x[i:i + 1]), pm.ppow(x[i:i + 1], e))
        for a, b in zip(together, alone):
            assert a[i].tobytes() == b[0].tobytes()


def test_inputs_outside_the_fast_paths_fall_back_to_numpy():
    x = np.array([0.0, -1.0, np.inf, np.nan, 1e-310])
    e = np.array([-800.0, 800.0, np.nan, -np.inf, 709.5])
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(pm.plog(x), np.log(x))
        np.testing.assert_array_equal(pm.pexp(e), np.exp(e))
        np.testing.assert_array_equal(pm.ppow(x, 0.5), np.power(x, 0.5))
        big, y = np.array([1e300, 2.0, 1e-300]), np.array([3.0, np.inf, 3.0])
        np.testing.assert_array_equal(pm.ppow(big, y), np.power(big, y))
    # the fast paths' exact cases
    assert pm.pexp(np.array([0.0]))[0] == 1.0 and pm.plog(np.array([1.0]))[0] == 0.0
    assert pm.ppow(np.array([1.0, 4.0]), 0.5).tolist() == [1.0, 2.0]


def test_main_prints_ratios_and_ulps(capsys):
    assert pm.main(["--size", "2000", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("RATIO numpy / portable") == 3
    assert "differ, by at most" in out and "not correctly rounded" in out


def test_import_leaves_the_process_decimal_context_alone():
    import decimal
    import importlib

    before = decimal.getcontext().prec
    importlib.reload(pm)
    assert decimal.getcontext().prec == before
    assert pm.DIGITS.prec == 60


@pytest.mark.parametrize("args", [["--size", "0"], ["--repeats", "-1"], ["--size", "many"]])
def test_nonsense_sizes_are_refused_with_one_line(args, capsys):
    with pytest.raises(SystemExit) as done:
        pm.main(args)
    assert done.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "must be a whole number of at least 1" in err[-1]
