"""What the levers' own hooks cost a year, lever by lever, against the baseline's year.

    python benchmarks/bench_levers.py [--package guangxi-23] [--world guangxi] [--seeds 3] [--years 20]

Runs ``--seeds`` lazy models of the package (after one untimed run that loads the compiled kernels)
and as many of the baseline, interleaved, and prints: a year's time of each (the model's years only,
the build and spin-up left out), and the time spent inside each lever's hooks (every hook its class
overrides, ``plan_cost`` included), as a share of the package's years and in ms a year, largest
first. The hooks are timed by wrapping the lever instance's own overridden methods, so which levers
the model calls for which hook does not change, nor does any result. Then the two selections the
per-zone medians and the rankings' cuts can use (``sim.core.kernels.selection``: numba's quickselect
or numpy's ``np.partition``, whichever a timing at start-up finds faster on the machine) on the
same ``--select`` random values, and which one this process chose. Shares and ratios are the
figures to quote; the times are for the record (machine load moves them).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import timeit
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reference import positive  # a whole number >= 1, else one line and exit 2

def timed_levers(levers: list, spent: dict) -> None:
    """Wrap each lever's overridden hooks (on the instance) so their time adds to ``spent[(lever, hook)]``.
    The hooks are ``Lever``'s own methods (every one but ``summary``), so a hook added there is timed too."""
    import inspect

    from sim.policies.base import Lever

    hooks = [name for name, f in vars(Lever).items()
             if inspect.isfunction(f) and not name.startswith("_") and name != "summary"]
    depth = [0]  # a hook that reaches another lever's hook through the model counts once, as the outer one
    for lever in levers:
        for hook in hooks:
            if getattr(type(lever), hook) is getattr(Lever, hook):
                continue  # not overridden: the model does not call it for this lever, keep it so
            method = getattr(lever, hook)

            def wrapper(*a, _m=method, _k=(type(lever).__name__, hook), **kw):
                if depth[0]:
                    return _m(*a, **kw)
                depth[0] += 1
                t0 = time.perf_counter()
                try:
                    return _m(*a, **kw)
                finally:
                    spent[_k] += time.perf_counter() - t0
                    depth[0] -= 1
            setattr(lever, hook, wrapper)


def years_of(world, package, seed: int, years: int, spent: dict | None) -> float:
    """Seconds of the model's ``years`` (not its build) for one lazy run."""
    from sim.experiments.runner import release
    from sim.model.zonemodel import ZoneModel

    levers = package.build()
    if spent is not None:
        timed_levers(levers, spent)
    model = ZoneModel(world=world, levers=levers, rng=seed, agent_handles="lazy", max_years=years)
    if spent is not None:
        spent.clear()  # setup's time belongs to the build
    t0 = time.perf_counter()
    for _ in range(years):
        model.step()
    took = time.perf_counter() - t0
    release(model)
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--package", default="guangxi-23")
    ap.add_argument("--world", default="guangxi")
    ap.add_argument("--seeds", type=positive, default=3)
    ap.add_argument("--years", type=positive, default=20)
    ap.add_argument("--select", type=positive, default=12_000, help="values for the selection comparison")
    args = ap.parse_args()

    import numpy as np

    from sim.core import kernels
    from sim.scenario.packages import load_package
    from sim.scenario.world import load_world

    kernels.enable()
    world, package, base = load_world(args.world), load_package(args.package), load_package("baseline")
    years_of(world, package, 1, min(args.years, 3), None)  # loads the kernels for these array sizes
    spent: dict = defaultdict(float)
    total: dict = defaultdict(float)
    t_pkg, t_base = [], []
    for s in range(args.seeds):
        t_pkg.append(years_of(world, package, 100 + s, args.years, spent))
        for k, v in spent.items():
            total[k] += v
        t_base.append(years_of(world, base, 100 + s, args.years, None))
    per_year = statistics.median(t_pkg) / args.years
    base_year = statistics.median(t_base) / args.years
    hooks = sum(total.values())
    print(f"{args.package} on {args.world}, {args.seeds} seeds x {args.years} years, lazy, kernels on "
          f"(median a year; the build left out)")
    print(f"  a year of {args.package}: {per_year * 1e3:.2f} ms; of the baseline: {base_year * 1e3:.2f} ms; "
          f"ratio {per_year / base_year:.2f}")
    print(f"  the levers' hooks: {hooks / sum(t_pkg) * 100:.1f} % of the package's years")
    by_lever: dict = defaultdict(float)
    for (lever, _hook), v in total.items():
        by_lever[lever] += v
    n_years = args.seeds * args.years
    for lever, v in sorted(by_lever.items(), key=lambda kv: -kv[1]):
        parts = ", ".join(f"{h} {total[(lv, h)] / n_years * 1e3:.2f}" for lv, h in sorted(total, key=lambda k: -total[k])
                          if lv == lever)
        print(f"  {lever:<24} {v / sum(t_pkg) * 100:5.1f} %  {v / n_years * 1e3:6.2f} ms a year  ({parts})")

    a = np.random.default_rng(19).random(args.select)
    group = np.zeros(a.size, dtype=np.int64)
    k = a.size // 2
    chosen = kernels.selection()
    best = lambda f: min(timeit.repeat(f, number=1, repeat=30))  # noqa: E731
    times = {}
    for how in ("compiled", "numpy"):
        kernels.SELECTION = how
        got = kernels.group_middles(group, a, 1)
        assert got is not None and got[1][0] == np.partition(a, k)[k]  # the same middle value either way
        times[how] = best(lambda: kernels.group_middles(group, a, 1))
    kernels.SELECTION = chosen
    print(f"  a median of {a.size:,} values (both middle values, the gather included): numba's quickselect "
          f"{times['compiled'] * 1e3:.3f} ms, numpy's np.partition {times['numpy'] * 1e3:.3f} ms; numba / numpy "
          f"{times['compiled'] / times['numpy']:.2f}; this process chose {chosen!r}")

if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
