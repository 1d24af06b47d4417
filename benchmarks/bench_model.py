"""Speed of one default run against a plain-Mesa reference loop timed in the same process.

    python benchmarks/bench_model.py [--repeats 5] [--years 20] [--package baseline]

zonesim: build the default Guangxi world, step it ``years`` times (every stage, outcomes
recorded each year), and build the tidy results table. Reference: the pattern of Mesa's
Boltzmann-wealth benchmark without a grid — the same number of agents as zonesim's live
firms + talent cohorts + zones, each with a Python ``step()`` that gives one unit of wealth to a
random agent, activated with ``shuffle_do`` for the same number of years.

zonesim is timed with eager agent handles (every firm's Mesa agent made up front, the default of
``ZoneModel``) and lazy ones (made on first use; what ``zonesim`` runs and sweeps use; identical
results). Prints agent-steps per second for each and their ratio (the figure to quote: it is measured in
one run, so machine load affects both sides alike), plus absolute times for the record, and
where the time of a lazy run goes: the share of each stage of the year plan (the model's own
stage timer, ``time_stages=True``; the same seeds, summed over the repeats), of the build's
spin-up years and of the rest of the build, and the share spent drawing keyed random numbers.
``--package P`` runs a bundled package's levers (e.g. ``guangxi-23``: all 23 measures) in every
zonesim run; the reference stays the same model of as many agents.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reference import in_own_process, seconds

from sim.model.zonemodel import ZoneModel
from sim.scenario.world import load_world


def time_zonesim(world, years: int, seed: int, handles: str = "eager", package=None) -> tuple[float, float, float, float, int]:
    t0 = time.perf_counter()
    m = ZoneModel(world=world, levers=package.build() if package is not None else (), rng=seed, agent_handles=handles)
    t1 = time.perf_counter()
    agent_steps = 0
    for _ in range(years):
        agent_steps += m.firms.n + m.talent.n + m.zones.n
        m.step()
    t2 = time.perf_counter()
    m.results()
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, t3 - t0, agent_steps


def stage_profile(world, years: int, seeds: list[int], package=None) -> tuple[dict[str, float], float]:
    """Seconds spent in each stage of the year plan in lazy runs (``time_stages=True``: the model
    times its own stages), plus construction (its spin-up apart) and the results table; and the
    seconds spent in the keyed random streams (every public method of ``Streams``, timed from
    outside, nested calls once), which fall inside the stages and the build."""
    import sim.model.zonemodel as zm
    from sim.core.streams import Streams

    spent: dict[str, float] = {"build, spin up": 0.0, "build, the rest": 0.0, "results table": 0.0}
    drawing = [0.0]
    depth = [0]
    real_spin_up = zm.spin_up
    originals = {}

    def timed_spin_up(*a, **k):
        t = time.perf_counter()
        try:
            return real_spin_up(*a, **k)
        finally:
            spent["build, spin up"] += time.perf_counter() - t

    for name in ("bits", "uniform", "bernoulli", "normal", "lognormal", "geometric", "poisson", "choice",
                 "integers", "order", "sample_weighted", "gumbel_choice"):
        if hasattr(Streams, name):
            fn = originals[name] = getattr(Streams, name)

            def draw(self, *a, _fn=fn, **k):
                depth[0] += 1
                t = time.perf_counter()
                try:
                    return _fn(self, *a, **k)
                finally:
                    depth[0] -= 1
                    if depth[0] == 0:
                        drawing[0] += time.perf_counter() - t
            setattr(Streams, name, draw)
    zm.spin_up = timed_spin_up
    try:
        for seed in seeds:
            t0 = time.perf_counter()
            before = spent["build, spin up"]
            m = ZoneModel(world=world, levers=package.build() if package is not None else (), rng=seed,
                          agent_handles="lazy", time_stages=True)
            spent["build, the rest"] += time.perf_counter() - t0 - (spent["build, spin up"] - before)
            for _ in range(years):
                m.step()
            for name, sec in (m.stage_seconds or {}).items():
                spent[name] = spent.get(name, 0.0) + sec
            t2 = time.perf_counter()
            m.results()
            spent["results table"] += time.perf_counter() - t2
    finally:
        zm.spin_up = real_spin_up
        for name, fn in originals.items():
            setattr(Streams, name, fn)
    return spent, drawing[0]


def time_reference(n: int, years: int, seed: int) -> tuple[float, int]:
    """The reference's seconds (build and ``years`` steps) in this process, and its agent-steps."""
    return seconds(n, years, seed), n * years


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--package", default="baseline", help="bundled package whose levers every zonesim run has")
    args = ap.parse_args()
    world = load_world("guangxi")
    from sim.core.errors import InputError
    from sim.scenario.packages import load_package

    try:
        package = load_package(args.package)
    except InputError as e:  # one line, exit 2
        ap.error(f"--package: {e}")
    from sim.core import kernels

    kernels.enable()  # the compiled kernels, as in a study's workers after their first runs (sim/core/kernels.py)
    time_zonesim(world, 2, 0, package=package)  # warm-up (imports, caches)
    zs = {"eager": [], "lazy": []}
    refs = []
    for r in range(args.repeats):  # interleaved, so load drifts hit all alike
        for mode in zs:
            zs[mode].append(time_zonesim(world, args.years, 100 + r, mode, package))
        n_agents = round(zs["eager"][-1][4] / args.years)
        refs.append(time_reference(n_agents, args.years, 100 + r))
    ref_total = statistics.median(r[0] for r in refs)
    r_rate = statistics.median(r[1] / r[0] for r in refs)
    print(f"default world, package {package.name}, {args.years} years, median of {args.repeats} interleaved repeats, "
          f"~{zs['eager'][0][4] / args.years:,.0f} agents")
    print(f"  plain-Mesa reference, same agents and years: {ref_total:.3f} s, {r_rate:,.0f} agent-steps/s")
    for mode, runs in zs.items():
        build = statistics.median(z[0] for z in runs)
        step = statistics.median(z[1] for z in runs)
        frame = statistics.median(z[2] for z in runs)
        total = statistics.median(z[3] for z in runs)
        z_rate = statistics.median(z[4] / z[3] for z in runs)
        print(f"  zonesim, {mode} agent handles: {total:.3f} s (build {build:.3f}, {args.years} steps {step:.3f}, "
              f"results table {frame:.3f}), {z_rate:,.0f} agent-steps/s")
        print(f"RATIO ({mode}) zonesim / plain-Mesa agent-steps per second: {z_rate / r_rate:.2f}x "
              f"(run time ratio reference/zonesim {ref_total / total:.2f});  "
              f"1,000 runs on 2 workers ~ {1000 * total / 2 / 60:.1f} min at this load")
    # the same reference in a process that imports Mesa only: this process's imports and settings
    # (zonesim's frozen collector generation, the allocator's thresholds) change its speed
    own = statistics.median(in_own_process(n_agents, args.years, args.repeats))
    ratios = ", ".join(f"{mode} {statistics.median(z[4] / z[3] for z in runs) * own / (n_agents * args.years):.2f}x"
                       for mode, runs in zs.items())
    print(f"  the reference in a process that imports Mesa only (median of {args.repeats}): {own:.3f} s; "
          f"ratios against it: {ratios}")
    spent, drawing = stage_profile(world, args.years, [100 + r for r in range(args.repeats)], package)
    whole = sum(spent.values())
    print(f"where the time of a lazy run goes ({args.repeats} runs, {whole / args.repeats:.3f} s each with the stage timer):")
    for name, sec in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {name.lstrip('_'):36s} {100 * sec / whole:5.1f} %")
    print(f"  (across the stages and the build, drawing from the keyed random streams: {100 * drawing / whole:.1f}% "
          f"of the run)")


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
