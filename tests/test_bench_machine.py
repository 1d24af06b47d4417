"""benchmarks/machine.py: the load average and CPU steal a benchmark prints beside its figures."""

from __future__ import annotations

import re
import time
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import machine  # noqa: E402

STAT = "cpu  {u} 10 {s} {i} 5 0 7 {st} 40 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 1 2 3\n"


def test_cpu_times_reads_the_all_cores_line():
    got = machine.cpu_times(STAT.format(u=1000, s=200, i=5000, st=30))
    assert got == {"user": 1000, "nice": 10, "system": 200, "idle": 5000, "iowait": 5, "irq": 0, "softirq": 7,
                   "steal": 30}


def test_steal_share_is_steal_over_the_time_the_cores_ran_or_were_stolen_from():
    a = machine.cpu_times(STAT.format(u=1000, s=200, i=5000, st=30))
    b = machine.cpu_times(STAT.format(u=1700, s=300, i=5100, st=130))  # ran 700 + 100, stolen 100, idle 100
    assert machine.steal_share(a, b) == 100 / 900
    idle = machine.cpu_times(STAT.format(u=1000, s=200, i=9000, st=30))
    assert machine.steal_share(a, idle) is None  # no core ran: nothing to say
    assert machine.steal_share(a, a) is None  # no time passed
    assert machine.steal_share(None, b) is None


def test_a_text_that_is_not_proc_stat_gives_no_reading():
    assert machine.cpu_times("") is None
    assert machine.cpu_times("intr 1 2 3 4 5 6 7 8 9\n") is None
    assert machine.cpu_times("cpu 1 2 3\n") is None  # too few fields
    assert machine.cpu_times("cpu a b c d e f g h i j\n") is None


def test_watch_line_on_this_machine_and_without_proc_stat(monkeypatch):
    with machine.Watch() as w:
        t = time.perf_counter()
        while time.perf_counter() - t < 0.2:  # a core runs for many clock ticks
            pass
    line = w.line()
    assert line.startswith("machine: load average ")
    if machine.cpu_times() is not None:  # Linux: a share between 0 and 100 %
        assert re.search(r"CPU steal [0-9]+\.[0-9] % of the time the [0-9]+ cores ran or waited for the host;",
                         line), line
        assert w.steal is not None and 0.0 <= w.steal <= 1.0
    assert re.search(r"; memory copy [0-9.]+ -> [0-9.]+ GB/s; first touch [0-9.]+ -> [0-9.]+ us a 4 KiB page$", line), line
    assert 0.1 < w.copy_start < 10_000 and 0.1 < w.copy_end < 10_000
    assert 0.0 < w.touch_start < 10_000 and 0.0 < w.touch_end < 10_000
    monkeypatch.setattr(machine, "STAT", ROOT / "no-such-proc-stat")
    w = machine.Watch(probe=False).start().stop()
    assert w.steal is None and w.copy_start is None and w.touch_start is None
    assert w.line().endswith("CPU steal not known (no /proc/stat)")  # and no copy speed without the probe


def test_watched_returns_what_main_returned_and_prints_the_line_after_it(capsys):
    got = machine.watched(lambda x, *, y: print("main ran") or x + y, 2, y=3)
    out = capsys.readouterr().out.splitlines()
    assert got == 5 and out[0] == "main ran" and out[-1].startswith("machine: load average ")


def test_watched_prints_no_line_when_main_stops_with_an_error(capsys):
    import pytest

    def bad() -> None:
        raise SystemExit("bench: error: --repeats: 0 is not allowed")

    with pytest.raises(SystemExit):
        machine.watched(bad)
    assert capsys.readouterr().out == ""


def test_bench_sobol_counts_the_runs_finished_in_each_minute():
    import bench_sobol

    t0 = 1000.0
    stamps = [(t0 + 10, 4), (t0 + 59.9, 4), (t0 + 60.0, 4), (t0 + 130, 4), (t0 + 150, 2)]
    per, tail_min, tail = bench_sobol.pace(stamps, t0)
    assert per == [8, 4] and tail == 6 and abs(tail_min - 0.5) < 1e-9
    line = bench_sobol.pace_line(stamps, t0)
    assert "minute by minute: 8 4 (then 6 in the last 0.5 min); slowest whole minute 4, fastest 8" in line
    assert bench_sobol.pace([], t0) == ([], 0.0, 0)
    assert "less than a minute" in bench_sobol.pace_line([(t0 + 5, 4)], t0)


def test_first_touch_writes_every_page_of_fresh_memory_once():
    """Each 4 KiB page of the probe's memory is new to the process: a page fault a page (counted by
    the kernel where it backs such memory with 4 KiB pages)."""
    import resource

    assert 0.0 < machine.first_touch(1) < 10_000
    thp = Path("/sys/kernel/mm/transparent_hugepage/enabled")
    if sys.platform != "linux" or (thp.exists() and "[always]" in thp.read_text()):
        return  # huge pages by default: one fault fills many pages
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    machine.first_touch(4)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    assert faults >= 1024, faults  # 4 MB: 1,024 pages, each touched for the first time
