"""benchmarks/bench_threads.py: the loops ZONESIM_THREADS splits, timed alone on one thread and on several."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_threads as B  # noqa: E402

from sim.core import threads  # noqa: E402


def test_main_prints_a_ratio_for_each_loop_and_size_and_restores_the_settings(capsys):
    before_rows = threads.MIN_ROWS
    assert B.main(["--sizes", "3000,5000", "--repeats", "1", "--threads", "3"]) == 0
    out = capsys.readouterr().out
    assert out.count("RATIO") == 6 and "3 threads" in out
    assert all(name in out for name in ("power", "log1p", "keyed uniform"))
    assert threads.MIN_ROWS == before_rows


@pytest.mark.parametrize("args", [["--sizes", "0"], ["--sizes", "1e5"], ["--threads", "1"], ["--repeats", "0"]])
def test_nonsense_is_refused_with_one_line(args, capsys):
    with pytest.raises(SystemExit) as done:
        B.main(args)
    assert done.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("usage:") and [line for line in err if "error:" in line] == [err[-1]]  # one error line
