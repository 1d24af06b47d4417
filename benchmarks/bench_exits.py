"""What a year's exits cost: the steps against the screened compiled call, on a run's own firms.

    python benchmarks/bench_exits.py [--world guangxi] [--years 20] [--repeats 25]

Runs a lazy baseline model of ``--world`` for ``--years`` years. Before each year's step it times, on
that year's firms (interleaved, the median of ``--repeats`` pairs):

* the steps: ``enterprise.exit_hazard`` (every firm's size factor raised to its power, pmath's, between
  compiled passes) and the keyed comparison ``Streams.below``;
* ``kernels.exit_picks`` (forty-sixth session of issue 19): the keyed uniform first compared with an
  upper bound of each firm's hazard, the power only for the firms below it.

It checks that both pick the same firms, and counts the firm-years that exit and those below their
bound (the ones ``exit_picks`` raises to the power). Times are for the record: compare lines of one
run, not runs of days; the whole-run effect is ``ab_fixed.py``'s to measure.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np

from reference import positive  # a whole number >= 1, else one line and exit 2


def main() -> None:
    ap = argparse.ArgumentParser(prog="bench_exits.py", description=__doc__.splitlines()[0])
    ap.add_argument("--world", default="guangxi", help="a world (default guangxi)")
    ap.add_argument("--years", type=positive, default=20, help="years of the run, timed before each (default 20)")
    ap.add_argument("--repeats", type=positive, default=25, help="timed pairs a year, the median taken (default 25)")
    args = ap.parse_args()

    from sim.scenario.world import load_world
    try:
        world = load_world(args.world)
    except Exception as exc:  # noqa: BLE001 - any failure to load is the one line below
        ap.error(f"--world: {args.world!r} is not a world: {str(exc).splitlines()[0]}")

    os.environ.setdefault("ZONESIM_KERNELS_AFTER", "0")
    from sim.agents import enterprise as ent
    from sim.core import fused, kernels
    from sim.core import pmath as pm
    from sim.model.zonemodel import ZoneModel
    from sim.scenario.packages import load_package

    if not (kernels.enable() and fused.arithmetic()):
        print("the compiled kernels are off (numba missing or ZONESIM_NO_NUMBA set): nothing to compare")
        return
    model = ZoneModel(world=world, levers=load_package("baseline").build(), rng=1, agent_handles="lazy")
    f, p, S = model.firms, model.params, model.streams
    steps_t, picks_t, firm_years, exited, below = [], [], 0, 0, 0
    for _ in range(args.years):
        L, y = f.n, model.steps

        def steps() -> np.ndarray:
            return S.below("firm.exit", y, f.key[:L], ent.exit_hazard(model))

        def picks() -> np.ndarray | None:
            return ent._exits_compiled(model, 1.0)

        a, b = steps(), picks()
        if b is None or not np.array_equal(a, b):
            raise SystemExit(f"year {y}: the compiled picks differ from the steps' (or it declined)")
        pairs = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            steps()
            t1 = time.perf_counter()
            picks()
            pairs.append((t1 - t0, time.perf_counter() - t1))
        t = np.median(np.array(pairs), axis=0)
        steps_t.append(t[0])
        picks_t.append(t[1])
        # the firms exit_picks raises to the power: uniform below the hazard's bound (its steps, in numpy)
        age = f.age[:L]
        by_age = p.exit_base_hazard + p.exit_young_hazard * pm.exp(-np.arange(age.max(initial=0) + 1)
                                                                     / p.young_age_scale)
        h = by_age[age]
        losing = f.losses[:L] >= p.loss_years_to_exit
        h[losing] += ent._loss_hazard(model)[f.zone[:L][losing]]
        bucket = np.clip((f.employees[:L].view(np.int64) >> 49) - kernels._EXIT_T_LO, 0, kernels._EXIT_BUCKETS - 1)
        bound = h * kernels._exit_bound(float(p.size_reference), float(p.exit_size_elasticity))[bucket]
        below += int(np.count_nonzero(S.uniform("firm.exit", y, f.key[:L]) < bound))
        firm_years += L
        exited += a.size
        model.step()
    s, c = float(np.mean(steps_t)), float(np.mean(picks_t))
    print(f"{args.world}, {args.years} years ({firm_years:,} firm-years), median of {args.repeats} pairs a year; "
          f"the same picks every year")
    print(f"  steps (exit_hazard + Streams.below)      {s * 1e6:8.1f} us a year")
    print(f"  kernels.exit_picks (screened)            {c * 1e6:8.1f} us a year   time ratio {c / s:.3f}")
    print(f"  firm-years that exit {exited / firm_years:.2%}; below their bound (raised to the power) "
          f"{below / firm_years:.2%}, {below / max(exited, 1):.3f}x the exits")


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
