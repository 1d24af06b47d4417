"""benchmarks/profiler_bias.py: a workload of known parts, and its shares in a py-spy profile of it."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import profiler_bias as pb  # noqa: E402


def test_the_parts_shares_by_their_own_clocks_sum_to_one():
    got = pb.run(0.05)
    assert set(got) == set(pb.PARTS) and abs(sum(got.values()) - 1.0) < 1e-12
    assert all(v > 0 for v in got.values())


def test_reading_a_profile_counts_each_parts_samples():
    lines = ["<module> (profiler_bias.py:90);main (profiler_bias.py:80);run (profiler_bias.py:50);"
             "native_part (profiler_bias.py:30);DOUBLE_multiply_X86_V3 (numpy.so) 6",
             "<module> (profiler_bias.py:90);run (profiler_bias.py:50);python_part (profiler_bias.py:36) 3",
             "<module> (profiler_bias.py:90);run (profiler_bias.py:50);small_calls (profiler_bias.py:42) 1",
             "<module> (profiler_bias.py:90);_find_and_load (<frozen>:1) 50", ""]
    assert pb.read(lines) == {"native_part": 0.6, "python_part": 0.3, "small_calls": 0.1}
    assert pb.line(pb.read(lines), "x") == "x: native_part 60.0 %, python_part 30.0 %, small_calls 10.0 %"


def test_a_profile_of_something_else_is_one_line_and_exit_2(tmp_path, capsys):
    other = tmp_path / "other.txt"
    other.write_text("<module> (x.py:1);f (x.py:2) 5\n", encoding="utf-8")
    assert pb.main(["--read", str(other)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "profiler_bias.py" in err
    assert pb.main(["--seconds", "0"]) == 2
    assert "--seconds" in capsys.readouterr().err


def test_a_malformed_line_is_refused_as_in_native_profile(tmp_path, capsys):
    bad = tmp_path / "bias.txt"
    bad.write_text("run (profiler_bias.py:50);native_part (profiler_bias.py:30) 6\nnot a profile line\n",
                   encoding="utf-8")
    assert pb.main(["--read", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "py-spy raw" in err


def test_the_clock_mode_ends_with_the_machine_line(capsys):
    assert pb.main(["--seconds", "0.05"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("the parts' own clocks: native_part") and out[-1].startswith("machine: ")
