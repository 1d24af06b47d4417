"""The resource budget: a command that would need more memory or time than this machine sensibly
gives is refused up front (one line with the estimate), unless ``--force``.

The estimate, from measurements of the default world (40,370 agents at the start; lazy handles,
one core of a busy 2-core machine): a 20-year run took 1.0 s and peaked at 179 MB, a 50-year run
2.9 s and 215 MB (firms multiply over the horizon). Per run, with A agents at the start and Y
years, conservatively:

* time   = 1.5 µs x A x Y x (1 + Y/50)
* memory = 150 MB + 1.5 KB x A x (1 + Y/50) in each worker;

plus the table the parent holds: about 2 KB per row (a row = one run, year and zone; ~70 numbers,
held twice while joined and written). The budget: **half of this machine's memory** and
**6 hours** of wall time on the chosen workers. ``--seeds 100000`` for ``run`` was accepted before
and would have needed about 63 GB.
"""

from __future__ import annotations

import os
from typing import Any

from sim.core.errors import InputError

SECONDS_PER_AGENT_YEAR = 1.5e-6
WORKER_BASE_BYTES = 150e6
BYTES_PER_AGENT = 1.5e3
BYTES_PER_ROW = 2e3
MAX_HOURS = 6.0


def machine_memory() -> float:
    """Physical memory in bytes (16 GiB if unknown)."""
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 16.0 * 2**30


def world_agents(world: Any) -> int:
    """Firms plus talent cohorts at the start."""
    firms = sum(int(z.firms) for z in world.zones)
    talent = sum(float(z.talent) for z in world.zones) / max(int(world.params.talent_scale), 1)
    return int(firms + talent)


def estimate(world: Any, runs: int, years: int, workers: int, rows: int | None = None,
             remote: bool = False) -> tuple[float, float]:
    """(peak bytes, wall seconds) for ``runs`` runs of ``years`` years on ``workers`` processes;
    ``rows``: table rows the parent holds (default: every year and zone of every run). ``remote``
    (a Dask cluster): only the parent's table counts here, and no time (the cluster's size is
    not known in advance)."""
    agents = world_agents(world)
    growth = 1.0 + years / 50.0
    per_run = SECONDS_PER_AGENT_YEAR * agents * years * growth
    workers = max(1, min(workers, runs))
    if rows is None:
        rows = runs * (years + 1) * (len(world.zones) + 1)
    if remote:
        return BYTES_PER_ROW * rows, 0.0
    memory = workers * (WORKER_BASE_BYTES + BYTES_PER_AGENT * agents * growth) + BYTES_PER_ROW * rows
    return memory, per_run * runs / workers


def size_text(n: float) -> str:
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= scale:
            return f"{n / scale:.0f} {unit}" if n / scale >= 10 else f"{n / scale:.1f} {unit}"
    return f"{n / 1e3:.0f} KB"


def time_text(s: float) -> str:
    if s >= 48 * 3600:
        return f"{s / 86400:.0f} days"
    if s >= 3600:
        return f"{s / 3600:.1f} h"
    if s >= 60:
        return f"{s / 60:.0f} min"
    return f"{s:.0f} s"


def check(world: Any, runs: int, years: int, workers: int, force: bool, option: str = "--seeds",
          rows: int | None = None, remote: bool = False) -> tuple[float, float]:
    """Refuse (InputError, exit 2) work beyond the budget unless ``force``; returns the estimate."""
    memory, seconds = estimate(world, runs, years, workers, rows, remote)
    limit = machine_memory() / 2
    if not force and (memory > limit or seconds > MAX_HOURS * 3600):
        raise InputError(option, None,
                         f"{runs:,} runs x {years} years of a {world_agents(world):,}-agent world need about "
                         f"{size_text(memory)} of memory and {time_text(seconds)} on {max(1, min(workers, runs))} "
                         f"worker(s), beyond the budget ({size_text(limit)}: half this machine's memory; "
                         f"{MAX_HOURS:g} h); use fewer runs or years, or pass --force")
    return memory, seconds


def check_study(study: Any, workers: int, force: bool, remote: bool = False) -> tuple[float, float]:
    """:func:`check` for a study: all its runs, and the rows it keeps (its outcomes' years and zones)."""
    runs = len(study.runs())
    rows = runs * len(study.outcome_steps()) * (1 + len(study.outcome_zones() or []))
    return check(study.world, runs, study.years, workers, force, str(study.source or study.name), rows, remote)
