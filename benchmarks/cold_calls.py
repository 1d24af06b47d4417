"""What a year's small calls cost when the caches are cold: the fixed part of a year (issue 19).

    python benchmarks/cold_calls.py [--flush-mb 16] [--calls 300] [--world synthetic:14,300,3000] [--runs 6]

A model year is ~2,500 Python-level calls (numpy's functions, the compiled kernels' wrappers, the
keyed streams), most of them on a zone's or a few hundred firms' numbers. Timed in a loop, such a
call finds its code, numpy's and numba's dispatch tables and its arrays in the caches; inside a
year it runs after passes over the firm pool's columns (megabytes at the default world's ~45,000
firms), which have pushed them out. This script measures the difference:

- **single calls, warm and cold**: each call in a loop (the median of blocks of calls), then with
  ``--flush-mb`` megabytes read before each call (the caches emptied of everything else), on a
  model of the bundled world: a numpy sum of two 14-number arrays, the keyed Poisson counts of
  entry (two streams, 14 zones), the committees' decision and the land left free (a group sum over
  every firm). Beside them **a stand-in of entry's zone arithmetic** (not the model's code: the same
  kind of ~20 numpy operations on 14 numbers, and the same operations in one numba call) — what
  compiling such a sequence gains when cold, not only when warm.
- **a year, warm and cold**: lazy 20-year runs of ``--world`` (a small world, whose data stay in the
  caches), alternately as they are and with the caches flushed before each stage of the year; the
  flushes' own time (timed alone) is taken out. What the same year's calls cost once their code and
  data have to come from memory again.

Times are for the record, not targets: they move with the machine (its cache sizes, the host's
other tenants); compare the two columns of one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_threads import whole  # noqa: E402  (a whole number >= low, else one line and exit 2)

from sim.core import kernels  # noqa: E402  (main() turns them on before the first call it times)


class Flush:
    """Reads ``mb`` megabytes: afterwards the caches hold those, not what ran before."""

    def __init__(self, mb: int) -> None:
        self.block = np.ones(mb * 131072)
        self()
        self.seconds = statistics.median(self._timed() for _ in range(25))  # what one flush costs alone

    def __call__(self) -> None:
        self.block.sum()

    def _timed(self) -> float:
        t = time.perf_counter()
        self()
        return time.perf_counter() - t


def warm_cold(call: Callable[[], object], flush: Flush, calls: int) -> tuple[float, float]:
    """Microseconds a call: warm (in a row; the median of blocks of 10) and cold (``flush`` before each; median)."""
    call()
    warm = []
    for _ in range(max(calls // 10, 1)):
        t = time.perf_counter()
        for _ in range(10):
            call()
        warm.append((time.perf_counter() - t) / 10)
    cold = []
    for _ in range(calls):
        flush()
        t = time.perf_counter()
        call()
        cold.append(time.perf_counter() - t)
    return statistics.median(warm) * 1e6, statistics.median(cold) * 1e6


def _zone_sequence(plat, smult, talent, active, attract, amult):
    """The stand-in, numpy: entry's kind of zone arithmetic (~20 numpy operations on 14 numbers)."""
    incub = (1.0 + 0.3 * np.log1p(plat)) * smult
    lam_start = 0.005 * talent * incub * active
    finite = np.isfinite(attract)
    w = np.exp(attract - attract[finite].max()) * amult
    total = w.sum()
    lam = 500.0
    if total > 0 and not np.all(amult[active] == 1.0):
        lam = 500.0 * float(total / (w / np.maximum(amult, 1e-12)).sum())
    out = np.empty((2, plat.size))
    out[0], out[1] = lam_start, lam * (w / total)
    return out


def _zone_kernel():
    """The stand-in's operations in one compiled call (its sums in element order: a stand-in, not
    the model's numbers)."""
    nb = kernels.numba

    @nb.njit(cache=False)
    def seq(plat, smult, talent, active, attract, amult, out):  # pragma: no cover - compiled
        n = plat.size
        top = -np.inf
        for i in range(n):
            if np.isfinite(attract[i]) and attract[i] > top:
                top = attract[i]
        w = np.empty(n)
        total = 0.0
        base = 0.0
        ones = True
        for i in range(n):
            w[i] = np.exp(attract[i] - top) * amult[i]
            total += w[i]
            base += w[i] / max(amult[i], 1e-12)
            if active[i] and amult[i] != 1.0:
                ones = False
        lam = 500.0 * total / base if (total > 0 and not ones) else 500.0
        for i in range(n):
            out[0, i] = 0.005 * talent[i] * ((1.0 + 0.3 * np.log1p(plat[i])) * smult[i]) * active[i]
            out[1, i] = lam * (w[i] / total)

    return seq


def single_calls(flush: Flush, calls: int) -> list[tuple[str, float, float]]:
    from sim.model.zonemodel import ZoneModel
    from sim.scenario.packages import load_package

    m = ZoneModel(world="guangxi", levers=load_package("baseline").build(), rng=1, agent_handles="lazy")
    m.run(3)
    nz = m.zones.capacity
    a = np.ones(nz)
    lam2 = np.full((2, nz), 0.7)
    budget, keep = np.maximum(m.zones.budget, 0.0), m.committees._keep()
    rng = np.random.default_rng(19)
    plat, smult, talent, attract, amult = (rng.random(nz) for _ in range(5))
    active = rng.random(nz) > 0.1
    rows = [
        ("numpy: a + b of 14 numbers", lambda: a + a),
        ("keyed Poisson counts, 2 streams x 14 zones (entry)",
         lambda: m.streams.poisson(("entry.startups", "entry.arrivals"), 3, m.zones.key, lam2)),
        ("committees' decision (14 zones)", lambda: m.committees.decide(budget, keep)),
        (f"land left free (a group sum over {m.firms.n:,} firms)", m.free_land),
        ("stand-in: ~20 numpy operations on 14 numbers",
         lambda: _zone_sequence(plat, smult, talent, active, attract, amult)),
    ]
    if kernels.numba is not None:
        seq, out = _zone_kernel(), np.empty((2, nz))
        rows.append(("stand-in: the same in one compiled call",
                     lambda: seq(plat, smult, talent, active, attract, amult, out)))
    return [(name, *warm_cold(call, flush, calls)) for name, call in rows]


def year(world: str, flush: Flush, runs: int) -> tuple[float, float, int]:
    """Milliseconds a year of ``world``: as it runs, and with ``flush`` before each stage (its own time taken out)."""
    from sim.experiments.runner import release
    from sim.model.plan import PLAN
    from sim.model.zonemodel import ZoneModel
    from sim.scenario.packages import load_package

    years = 20

    def one(seed: int, flushed: bool) -> float:
        m = ZoneModel(world=world, levers=load_package("baseline").build(), rng=seed, agent_handles="lazy")
        if flushed:
            def before(stage):
                def run():
                    flush()
                    stage()
                return run
            m._stages = [before(s) for s in m._stages]
        t = time.perf_counter()
        m.run(years)
        dt = time.perf_counter() - t
        release(m)
        return dt

    one(100, False)
    one(100, True)
    plain, flushed = [], []
    for seed in range(runs):
        for f in ((False, True) if seed % 2 else (True, False)):
            (flushed if f else plain).append(one(seed, f))
    per_year = statistics.median(plain) / years * 1e3
    cold = statistics.median(flushed) / years * 1e3 - len(PLAN) * flush.seconds * 1e3
    return per_year, cold, len(PLAN)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flush-mb", type=whole(1), default=16, help="megabytes read to empty the caches (default 16)")
    ap.add_argument("--calls", type=whole(10), default=300, help="calls timed a side (default 300)")
    ap.add_argument("--world", default="synthetic:14,300,3000", help="the world of the year's runs (default: small)")
    ap.add_argument("--runs", type=whole(1), default=6, help="20-year runs a side (default 6)")
    args = ap.parse_args(argv)
    from sim.scenario.world import load_world

    try:
        load_world(args.world)
    except Exception as exc:  # one line: the world named is not one
        ap.error(f"--world {args.world!r}: {str(exc).splitlines()[0]}")
    kernels.enable()
    flush = Flush(args.flush_mb)
    print(f"a flush reads {args.flush_mb} MB ({flush.seconds * 1e6:,.0f} us alone); microseconds a call, "
          f"median of {args.calls} calls a side")
    for name, w, c in single_calls(flush, args.calls):
        print(f"  {name:<58} warm {w:8.1f} us   cold {c:8.1f} us   RATIO {c / w:5.1f}")
    per_year, cold, stages = year(args.world, flush, args.runs)
    print(f"a year of {args.world} (lazy, median of {args.runs} runs of 20 years a side): {per_year:.3f} ms as it "
          f"runs, {cold:.3f} ms with the caches flushed before each of its {stages} stages (the flushes' time "
          f"taken out)   RATIO {cold / per_year:.2f}")
    return 0


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    sys.exit(watched(main))
