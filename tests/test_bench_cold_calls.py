"""benchmarks/cold_calls.py: a year's small calls timed warm and with the caches flushed before each."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import cold_calls as C  # noqa: E402


def test_main_prints_warm_and_cold_for_each_call_and_a_year(capsys):
    assert C.main(["--flush-mb", "1", "--calls", "10", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("  ")]
    assert len(rows) >= 5 and all(re.search(r"warm +[0-9.]+ us +cold +[0-9.]+ us +RATIO +[0-9.]+$", r) for r in rows)
    assert "keyed Poisson counts" in out and "stand-in" in out
    year = [line for line in out.splitlines() if line.startswith("a year of synthetic:14,300,3000")]
    assert len(year) == 1 and re.search(r"RATIO [0-9]+\.[0-9]{2}$", year[0])
    assert "e+" not in out and "nan" not in out.lower()


def test_a_flush_is_timed_and_evicts_by_reading():
    f = C.Flush(1)
    assert f.block.nbytes == 1 << 20 and 0 < f.seconds < 1


def test_the_stand_in_kernel_computes_what_the_numpy_sequence_does():
    np = pytest.importorskip("numpy")
    from sim.core import kernels

    if kernels.numba is None:
        pytest.skip("numba not importable")
    rng = np.random.default_rng(3)
    args = [rng.random(14) for _ in range(3)] + [rng.random(14) > 0.2] + [rng.random(14), rng.random(14)]
    out = np.empty((2, 14))
    C._zone_kernel()(*args, out)
    np.testing.assert_allclose(out, C._zone_sequence(*args), rtol=1e-12)


@pytest.mark.parametrize("args", [["--flush-mb", "0"], ["--calls", "5"], ["--runs", "x"],
                                  ["--world", "nowhere:1"]])
def test_nonsense_is_refused_with_one_line(args, capsys):
    with pytest.raises(SystemExit) as done:
        C.main(args)
    assert done.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("usage:") and [line for line in err if "error:" in line] == [err[-1]]


def test_importing_the_script_leaves_the_environment_alone():
    import importlib
    import os

    before = dict(os.environ)
    importlib.reload(C)
    assert dict(os.environ) == before
