"""The runs of ``zonesim compare`` with the spin-up cache on and off, interleaved in one process
(docs/performance.md, "Spin-up reuse"): what reusing the policy-free start gains.

    python benchmarks/ab_spinup.py [--seeds 8] [--years 20] [--workers 1] [--repeats 3] [PACKAGE ...]

The jobs are ``zonesim compare``'s (the baseline and the default packages, or the PACKAGEs, on
``--seeds`` common seeds, default world), run through the command's own path
(:func:`sim.cli.jobs.run_all`: seed-major hand-out, local pool for ``--workers`` > 1). Every
repeat runs them with ``ZONESIM_SPINUP_CACHE=0`` and with the cache on, the order alternating,
each "on" run starting from an empty cache (this process's, and new pool workers); the two
tables must be identical to the last bit. Prints the median seconds of each and the median of the
paired ratios (on / off); charts, tables and the summary that ``compare`` also writes are not
timed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd

from sim.analysis.compare import DEFAULT_PACKAGES
from sim.cli.jobs import run_all
from sim.experiments.runner import derive_seeds, make_jobs
from sim.model import spinup
from sim.scenario.packages import load_package
from sim.scenario.world import load_world


def timed(jobs, workers: int, on: bool) -> tuple[float, pd.DataFrame, tuple[int, int]]:
    os.environ[spinup.ENV_SWITCH] = "1" if on else "0"  # read by this process and by pool workers at spawn
    cache = spinup.process_cache()
    cache.clear()  # every "on" run starts cold: no start kept from an earlier repeat
    t0 = time.perf_counter()
    done = run_all(jobs, workers=workers)
    seconds = time.perf_counter() - t0
    assert done.complete, done.message()
    return seconds, done.table, (cache.hits, cache.misses)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("packages", nargs="*", help="packages besides the baseline (default: compare's default set)")
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if min(args.seeds, args.years, args.workers, args.repeats) < 1:
        print("ab_spinup.py: --seeds, --years, --workers and --repeats: must be a whole number of at least 1",
              file=sys.stderr)
        sys.exit(2)
    names = ["baseline", *(args.packages or DEFAULT_PACKAGES[1:])]
    jobs = make_jobs(load_world("guangxi"), [load_package(n) for n in dict.fromkeys(names)],
                     derive_seeds(20210, args.seeds), args.years)
    print(f"{len(jobs)} runs ({len(names)} packages x {args.seeds} seeds x {args.years} years), "
          f"{args.workers} worker(s), {args.repeats} repeats, order alternating")
    timed(jobs[:2], 1, True)  # imports and first-call costs outside the timings
    secs: dict[bool, list[float]] = {True: [], False: []}
    ratios = []
    for r in range(args.repeats):
        got = {}
        for on in ((True, False) if r % 2 == 0 else (False, True)):
            s, table, (hits, misses) = timed(jobs, args.workers, on)
            secs[on].append(s)
            got[on] = table
            print(f"  repeat {r + 1}: cache {'on ' if on else 'off'} {s:7.2f} s"
                  + (f"  (this process: {hits} copies, {misses} builds)" if on else ""), flush=True)
        pd.testing.assert_frame_equal(got[True], got[False], check_exact=True)
        ratios.append(secs[True][-1] / secs[False][-1])
    print(f"median seconds: cache on {statistics.median(secs[True]):.2f}, off {statistics.median(secs[False]):.2f}; "
          "results identical in every repeat")
    print(f"RATIO cache on / off: {statistics.median(ratios):.3f}x (median of {args.repeats} paired ratios, "
          f"range {min(ratios):.3f}-{max(ratios):.3f})")


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
