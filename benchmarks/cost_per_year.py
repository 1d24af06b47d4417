"""What a simulated year costs: a fixed part plus a part per agent, fitted over worlds of
different sizes, and what that leaves for the issue's last idea (several replicates stepped as
one vectorised model) to gain.

    python benchmarks/cost_per_year.py [--seeds 7] [--years 20] [--world W --world W2 ...]

For each world, ``--seeds`` lazy runs of ``--years`` years are timed (the model's years only:
the build and its spin-up are left out; the first run of each world is left out too, it loads
the compiled kernels for the world's array sizes), with the mean number of live agents (firms,
talent cohorts, zones) over those years. A least-squares line through (agents, time per year)
gives the fixed cost of a year and the cost per agent-year. Stepping R replicates as one model
could at best pay the fixed part once instead of R times, so the fixed part's share of a
default-world year is the most that idea can save. Printed as shares (the figure to quote);
the times are for the record (machine load moves them).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reference import positive  # a whole number >= 1, else one line and exit 2

WORLDS = ("synthetic:14,300,3000", "synthetic:14,1500,15000", "synthetic:14,5000,50000",
          "synthetic:14,20000,200000", "guangxi")


def measure(spec: str, seeds: int, years: int) -> tuple[float, float]:
    """(mean live agents over the years, median seconds per year) over runs 2..seeds of ``spec``."""
    from sim.experiments.runner import release
    from sim.model.zonemodel import ZoneModel
    from sim.scenario.world import load_world

    world = load_world(spec)
    agents, per_year = [], []
    for seed in range(seeds + 1):
        m = ZoneModel(world=world, rng=seed, agent_handles="lazy")
        live = 0
        t0 = time.perf_counter()
        for _ in range(years):
            live += m.firms.n + m.talent.n + m.zones.n
            m.step()
        elapsed = time.perf_counter() - t0
        release(m)
        if seed:  # the first run loads the kernels for this world's sizes
            agents.append(live / years)
            per_year.append(elapsed / years)
    return statistics.median(agents), statistics.median(per_year)


def fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares (fixed seconds per year, seconds per agent-year) through the points."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    return my - slope * mx, slope


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=positive, default=7, help="timed runs per world (default 7)")
    ap.add_argument("--years", type=positive, default=20)
    ap.add_argument("--world", action="append", dest="worlds", metavar="WORLD",
                    help="a world spec (repeat it: at least two sizes); the default world 'guangxi' "
                         "among them gives the share (default: " + ", ".join(WORLDS) + ")")
    args = ap.parse_args(argv)
    worlds = list(dict.fromkeys(args.worlds or WORLDS))
    if len(worlds) < 2:
        ap.error("--world: give at least two different worlds (the fit needs two sizes)")
    from sim.core.errors import InputError
    from sim.scenario.world import load_world
    for w in worlds:
        try:
            load_world(w)
        except InputError as exc:
            ap.error(f"--world: {w!r} is not a world: {str(exc).splitlines()[0]}")

    from sim.core import kernels
    kernels.enable()
    points, by_world = [], {}
    print(f"{args.seeds} timed lazy runs of {args.years} years per world (median), years only:")
    for w in worlds:
        agents, sec = measure(w, args.seeds, args.years)
        points.append((agents, sec))
        by_world[w] = (agents, sec)
        print(f"  {w:<28} {agents:>10,.0f} live agents a year   {sec * 1e3:7.3f} ms a year", flush=True)
    fixed, per_agent = fit(points)
    print(f"fit: a year costs {fixed * 1e3:.2f} ms fixed + {per_agent * 1e9:.0f} ns per live agent")
    if "guangxi" in by_world:
        agents, sec = by_world["guangxi"]
        share = fixed / sec
        print(f"default world ({agents:,.0f} agents): the fixed part is {share:.0%} of a year; "
              f"stepping replicates as one model could save at most that ({fixed * 1e3:.2f} of "
              f"{sec * 1e3:.2f} ms); the rest, {1 - share:.0%}, is per agent")
    return 0


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    code = watched(main)
    raise SystemExit(code)
