"""What the machine was doing while a benchmark ran: its load average, the share of its CPU time
the hypervisor gave to other guests (steal), read from ``/proc/stat`` at the start and the end, and
the memory's copy speed at the start and the end (numpy copying a 64 MB array: ~0.1 s).

On a shared virtual machine the same code ran 0.79-0.86 of its parent's time in one hour and
0.92-0.98 in the next (docs/performance.md, "Twenty-fifth session") with nothing else running on
the machine: the load average, which counts this machine's own processes, did not tell the two
hours apart, and steal was not recorded then. Steal is the time a core of this machine was ready to
run but the host ran something else; it is printed as a share of the time the cores ran or waited
so (10 % means the timed code ran at about 0.9 of the machine's speed). Steal does not show
everything: on the twenty-sixth session's day the same Intel machine, with 1-3 % steal, multiplied
20 million numbers at 4.9-6.4 ns a number (1.9 ns in the twentieth session) and copied memory at
5.7-6.5 GB/s, while numpy's power over 53,730 numbers (in the caches) took 4.3 ns a number (5.4
then): its memory was slower, not its cores, as if other guests of the host loaded it. That day it
ran the Sobol study's rows ~1.8x slower than in the twentieth and twenty-first sessions (36 parts of
4 runs a minute at the study's start against 61-69; the twenty-first session's code 478 ms a row
against 266). So the line gives the memory's copy speed too. Quote a figure with the line it was
measured with; compare figures measured at similar steal and copy speed, or measure again.

The line also gives what a first write to a page of memory costs (``first_touch``: fresh anonymous
memory, one write a 4 KiB page, each a page fault). On the thirty-eighth session's Intel machine
(a virtual machine two minutes after boot) that was 7.6-9 us a page at first and 1-2.5 us later
the same hour (an estimate of why: the host backs a guest's memory when the guest first touches
it): a benchmark that keeps its models alive allocates new memory every run (a default run faults
~3,200 pages there, and took 0.21 s against 0.20 s when its models were released), so a first hour
on a new machine can be slower for that alone.

    with Watch() as w:
        ...  # the timed work
    print(w.line())  # "machine: load average 0.4 -> 1.9; CPU steal 3.1 % of the time ...; memory copy ..."

A script's whole run: ``watched(main)`` (the line printed after ``main`` returns, not when it exits
with an error).

Elsewhere than Linux (no ``/proc/stat``) the line says that steal is not known.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

STAT = Path("/proc/stat")
# /proc/stat's first line: cpu user nice system idle iowait irq softirq steal guest guest_nice
# (guest time is already counted in user and nice, so it is left out of the total)
_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def cpu_times(text: str | None = None) -> dict[str, int] | None:
    """The machine's CPU times (clock ticks over all cores since boot) from ``/proc/stat``'s text,
    or None when there is no such file or its first line is not the all-cores ``cpu`` line."""
    if text is None:
        try:
            text = STAT.read_text()
        except OSError:
            return None
    first = text.split("\n", 1)[0].split()
    if len(first) < 1 + len(_FIELDS) or first[0] != "cpu":
        return None
    try:
        values = [int(v) for v in first[1:1 + len(_FIELDS)]]
    except ValueError:
        return None
    return dict(zip(_FIELDS, values))


def steal_share(before: dict[str, int] | None, after: dict[str, int] | None) -> float | None:
    """Steal as a share (0..1) of the time the cores wanted to run between two readings (busy time
    plus steal: an idle core is never stolen from, so counting idle time would halve a
    one-process benchmark's steal on two cores); None when a reading is missing or no core ran."""
    if before is None or after is None:
        return None
    passed = {k: after[k] - before[k] for k in _FIELDS}
    wanted = sum(v for k, v in passed.items() if k not in ("idle", "iowait"))
    if wanted <= 0:
        return None
    return max(passed["steal"], 0) / wanted


def copy_speed(mb: int = 64, repeats: int = 3) -> float:
    """GB a second numpy copies from one ``mb``-megabyte array into another (the bytes read; best of
    ``repeats`` after one untimed copy that touches the pages). 64 MB is beyond a core's own caches (4 MiB
    of L2 on the machines measured; the L3 is the host's, shared with its other guests): the speed at
    which a large world's columns stream."""
    a = np.ones(mb * 131_072)  # float64: mb MB
    b = np.empty_like(a)
    np.copyto(b, a)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.copyto(b, a)
        best = min(best, time.perf_counter() - t0)
    return a.nbytes / best / 1e9


def first_touch(mb: int = 8) -> float:
    """Microseconds the first write to a 4 KiB page of memory costs: ``mb`` megabytes of fresh
    anonymous memory (an ``mmap`` the process never touched), one byte written a page, each write a
    page fault. Where the kernel backs such memory with huge pages by default, one fault fills many
    pages and the figure is per 4 KiB all the same."""
    import mmap

    size = mb << 20
    region = mmap.mmap(-1, size)
    pages = np.frombuffer(region, dtype=np.uint8)
    t0 = time.perf_counter()
    pages[::4096] = 1
    took = time.perf_counter() - t0
    del pages
    region.close()
    return took / (size >> 12) * 1e6


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


@dataclass
class Watch:
    """The machine's state over a ``with`` block (or from ``start()`` to ``stop()``)."""

    load_start: float | None = None
    load_end: float | None = None
    steal: float | None = None
    copy_start: float | None = None  # GB/s (copy_speed)
    copy_end: float | None = None
    touch_start: float | None = None  # us a 4 KiB page (first_touch)
    touch_end: float | None = None
    probe: bool = True  # time the memory's copy speed and first touch at the start and the end
    _times: dict[str, int] | None = field(default=None, repr=False)

    def start(self) -> Watch:
        if self.probe:
            self.copy_start, self.touch_start = copy_speed(), first_touch()
        self.load_start, self._times = load_average(), cpu_times()
        return self

    def stop(self) -> Watch:
        self.load_end = load_average()
        self.steal = steal_share(self._times, cpu_times())
        if self.probe:
            self.copy_end, self.touch_end = copy_speed(), first_touch()
        return self

    def __enter__(self) -> Watch:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def line(self) -> str:
        """One line for a benchmark's output."""
        load = " -> ".join(f"{x:.1f}" for x in (self.load_start, self.load_end) if x is not None) or "not known"
        if self._times is None:
            steal = "CPU steal not known (no /proc/stat)"
        elif self.steal is None:
            steal = "CPU steal not measured (no core ran for a clock tick)"
        else:
            cores = os.cpu_count()
            steal = f"CPU steal {100 * self.steal:.1f} % of the time the {cores} cores ran or waited for the host"
        copies = [f"{x:.1f}" for x in (self.copy_start, self.copy_end) if x is not None]
        copy = f"; memory copy {' -> '.join(copies)} GB/s" if copies else ""
        touches = [f"{x:.1f}" for x in (self.touch_start, self.touch_end) if x is not None]
        touch = f"; first touch {' -> '.join(touches)} us a 4 KiB page" if touches else ""
        return f"machine: load average {load}; {steal}{copy}{touch}"


def watched(main: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``main(*args, **kwargs)``, then the machine's line for its run; returns what ``main`` returned."""
    with Watch() as w:
        result = main(*args, **kwargs)
    print(w.line())
    return result
