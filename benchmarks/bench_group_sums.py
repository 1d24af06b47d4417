"""The group sums of one default run, captured from the model and replayed: the compiled kernel
(``sim.core.kernels``: a run of equal groups summed in a register) against the plain loop
(``out[g] += w``, what it replaced) and ``np.bincount``, same calls, same results.

    python benchmarks/bench_group_sums.py [--world guangxi] [--years 20] [--repeats 3]

Prints the total time of the replayed calls for each (best of the repeats), their ratio, and
how sorted the group indices are (the share of neighbours in the same group): the register pays
where groups come in runs (firms are stored mostly zone by zone).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.core import kernels


def capture(world: str, years: int) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Every weighted group sum a run makes (group, weights, size), copied."""
    from sim.model.zonemodel import ZoneModel
    from sim.scenario.world import load_world

    calls: list[tuple[np.ndarray, np.ndarray, int]] = []
    real = kernels.group_sum

    def spy(group, weights, size):
        if weights is not None and group.size >= 256 and group.dtype == np.int64:
            calls.append((group.copy(), np.ascontiguousarray(weights, dtype=np.float64).copy(), size))
        return real(group, weights, size)

    mods = [m for m in list(sys.modules.values()) if getattr(m, "__name__", "").startswith("sim.")
            and getattr(m, "group_sum", None) is real]
    for m in mods:
        m.group_sum = spy
    try:
        model = ZoneModel(world=load_world(world), rng=1, agent_handles="lazy")
        for _ in range(years):
            model.step()
    finally:
        for m in mods:
            m.group_sum = real
    return calls


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", default="guangxi")
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    if a.repeats < 1 or a.years < 1:
        print("bench_group_sums.py: --repeats and --years: must be a whole number of at least 1", file=sys.stderr)
        sys.exit(2)
    if not kernels.enable():
        print("bench_group_sums.py: numba is not available (or ZONESIM_NO_NUMBA is set)", file=sys.stderr)
        sys.exit(2)
    import numba

    @numba.njit(boundscheck=False, error_model="numpy")
    def plain(group, weights, out):  # the kernel before: one store per element
        for i in range(group.size):
            out[group[i]] += weights[i]

    calls = capture(a.world, a.years)
    same = float(np.mean([(g[1:] == g[:-1]).mean() for g, _w, _s in calls]))
    ways = {"register (now)": lambda g, w, s: kernels._group_sum(g, w, np.zeros(s)),
            "plain loop (before)": lambda g, w, s: plain(g, w, np.zeros(s)),
            "np.bincount": lambda g, w, s: np.bincount(g, weights=w, minlength=s)}
    for g, w, s in calls[:3]:  # compile and warm up
        for fn in ways.values():
            fn(g, w, s)
    for g, w, s in calls:  # the same sums, bit for bit
        out = np.zeros(s)
        kernels._group_sum(g, w, out)
        assert np.array_equal(out, np.bincount(g, weights=w, minlength=s))
    best = dict.fromkeys(ways, float("inf"))
    for _ in range(a.repeats):
        for name, fn in ways.items():
            t0 = time.perf_counter()
            for g, w, s in calls:
                fn(g, w, s)
            best[name] = min(best[name], time.perf_counter() - t0)
    print(f"{a.world}, {a.years} years: {len(calls)} weighted group sums, "
          f"{sum(g.size for g, _w, _s in calls):,} elements; neighbours in the same group: {same:.0%}")
    for name, t in best.items():
        print(f"  {name:20s} {t * 1e3:8.2f} ms   {t / best['register (now)']:.2f}x the register's time")


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
