"""Issue 19's steps switched off and on in one process, interleaved with the plain-Mesa reference.

    python benchmarks/ab_issue19.py [--repeats 5] [--world guangxi] [--years 20] [--handles lazy,eager]

On a shared, loaded machine two separate benchmark invocations (old code, new code) see different
loads; here every repeat times the reference, then each configuration, back to back, on the same
seed. Configurations: ``before`` (all steps off: numpy kernels, the collector running, the
old per-call stream constants and the old swapping ``Pool.remove`` — copies of the replaced code
kept below), each step alone on top of ``before``, and ``after`` (all on, the code as it is).
Results are the same in every configuration (checked: the results tables are compared).
Prints median seconds and the ratio to the reference for each.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from bench_model import time_reference  # noqa: E402
import sim.model.zonemodel as zm  # noqa: E402
from sim.core import fused, kernels  # noqa: E402
from sim.core.pool import Pool  # noqa: E402
from sim.core.streams import U64, Streams, _combine_int  # noqa: E402
from sim.scenario.world import load_world  # noqa: E402

NEW_CONST, NEW_REMOVE, NEW_GC = Streams._const, Pool.remove, zm.no_cycle_collection


def old_const(self, name, year, draw):  # before issue 19: the whole chain per stream-year
    c = self._consts.get((name, year, draw))
    if c is None:
        sid = self._ids[name]
        c = (U64(_combine_int(self._k1, sid, year, draw)), U64(_combine_int(self._k2, sid, year, draw)))
        self._consts[(name, year, draw)] = c
    return c


def old_remove(self, idx):  # before issue 19: rows swapped, not copied
    idx = np.asarray(idx, dtype=np.int64)
    none = np.zeros(0, dtype=np.int64)
    if idx.size == 0:
        return none, none
    self._live = None
    gone = self.uid[idx]
    self._uid_slot[gone] = -1
    if self.handles:
        pop = self.handles.pop
        for u in gone.tolist():
            h = pop(u, None)
            if h is not None:
                h.remove()
    if not self.compact:
        self.n -= int(self.alive[idx].sum())
        self.alive[idx] = False
        return none, none
    end = self.n - idx.size
    stays = np.ones(idx.size, dtype=bool)
    stays[idx[idx >= end] - end] = False
    src = end + np.flatnonzero(stays)
    dst = np.sort(idx[idx < end])
    if src.size:
        for name in self._columns:
            col = getattr(self, name)
            col[dst], col[src] = col[src], col[dst]
        self._uid_slot[self.uid[dst]] = dst
    self.alive[end:self.n] = False
    self.n = end
    return src, dst


STEPS = ("kernels", "gc pause", "stream constants", "pool copy", "fused")
FUSED_OK = {"ok": False}  # whether this CPU may use the fused kernels (sim/core/fused.py)


def configure(on: set[str]) -> None:
    kernels.ENABLED = "kernels" in on and kernels.numba is not None
    zm.no_cycle_collection = NEW_GC if "gc pause" in on else (lambda freeze=False: contextlib.nullcontext())
    Streams._const = NEW_CONST if "stream constants" in on else old_const
    Pool.remove = NEW_REMOVE if "pool copy" in on else old_remove
    fused._STATE["arith"] = "fused" in on and FUSED_OK["ok"]  # needs the kernels too: off when they are


def one_run(world, years: int, seed: int, handles: str):
    t0 = time.perf_counter()
    m = zm.ZoneModel(world=world, rng=seed, agent_handles=handles)
    agents = 0
    for _ in range(years):
        agents += m.firms.n + m.talent.n + m.zones.n
        m.step()
    df = m.results()
    return time.perf_counter() - t0, agents, df


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--world", default="guangxi")
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--handles", default="lazy,eager")
    ap.add_argument("--singles", action="store_true", help="also each step alone on top of 'before'")
    ap.add_argument("--fused", action="store_true", help="also 'after' without the fused kernels (their own gain)")
    args = ap.parse_args()
    world = load_world(args.world)
    configs = {"before": set(), "after": set(STEPS)}
    if args.singles:
        configs.update({f"+{s}": {s} for s in STEPS})
    if args.fused:
        configs["after, no fused"] = set(STEPS) - {"fused"}
    modes = args.handles.split(",")
    kernels.enable()
    FUSED_OK["ok"] = fused.available()
    configure(set(STEPS))
    one_run(world, 2, 0, "lazy")  # warm-up: imports, compiled kernels
    times: dict[tuple[str, str], list[float]] = {}
    refs: list[float] = []
    agents = 0
    for r in range(args.repeats):
        seed = 100 + r
        tables = []
        for mode in modes:
            for name, on in configs.items():
                configure(on)
                sec, agents, df = one_run(world, args.years, seed, mode)
                times.setdefault((mode, name), []).append(sec)
                tables.append(df)
        configure(set(STEPS))
        refs.append(time_reference(round(agents / args.years), args.years, seed)[0])
        assert all(t.equals(tables[0]) for t in tables), "a configuration changed the results"
    ref = statistics.median(refs)
    print(f"{args.world}, {args.years} years, median of {args.repeats} interleaved repeats; plain-Mesa reference "
          f"(~{round(agents / args.years):,} agents) {ref:.3f} s; results identical in every configuration")
    for mode in modes:
        base = statistics.median(times[(mode, "before")])
        for name in configs:
            t = statistics.median(times[(mode, name)])
            print(f"  {mode:5s} {name:18s} {t:7.3f} s  ratio to reference {ref / t:5.2f}x  "
                  f"time vs before {t / base:5.3f}")


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
