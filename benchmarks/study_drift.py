"""Does a study worker slow down over thousands of runs, and do later rows of the design cost more?

    python benchmarks/study_drift.py [--rows 3000] [--window 500] [--start 0] [--probes 5] [--warmup 8]

Runs the Sobol benchmark study's rows (``scenarios/studies/bench-sobol-10x512.yaml``, through
``run_one`` as a study worker does, in one process, in design order from ``--start``) in windows
of ``--window`` rows, and between the windows a fixed probe (``--probes`` default runs of the
bundled world on one seed, median): the probe moves with the machine's speed that minute, the
windows with that and with the worker's own state and the rows' content. A worker that degrades
shows windows that grow while the probe stays; the hour's speed moves both. Prints per window the
milliseconds a run, the probe's, and the number of objects the collector tracks. Times are for the record:
compare windows with the probe beside them, not with another day's figures.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_sobol import STUDY  # the Sobol benchmark study's name
from reference import positive  # a whole number >= 1, else one line and exit 2


def main() -> None:
    ap = argparse.ArgumentParser(prog="study_drift.py", description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=positive, default=3000, help="rows of the design to run")
    ap.add_argument("--window", type=positive, default=500, help="rows per timed window")
    ap.add_argument("--start", type=int, default=0, help="first row (0-based) of the design")
    ap.add_argument("--probes", type=positive, default=5, help="probe runs between windows (median)")
    ap.add_argument("--warmup", type=int, default=8, help="default runs before timing (loads the kernels)")
    args = ap.parse_args()

    from sim.experiments.runner import chunks_of, run_one, simulate
    from sim.experiments.study import load_study

    study = load_study(STUDY)
    design = study.runs()
    if not 0 <= args.start < len(design):
        ap.error(f"--start: must be 0 to {len(design) - 1} (the study has {len(design):,} rows), got {args.start}")
    if args.warmup < 0:
        ap.error(f"--warmup: must be 0 or more, got {args.warmup}")
    runs = design.iloc[args.start:args.start + args.rows].reset_index(drop=True)
    ctx = study.context()
    specs = [s for chunk in chunks_of(runs, len(runs) + 1, list(ctx.factors)).values() for s in chunk]
    world, package = ctx.world, ctx.package  # the study's own world and base package

    def probe() -> float:
        times = []
        for _ in range(args.probes):
            t = time.perf_counter()
            simulate(world, package, None, 4242, ctx.years, spinup_cache=False)
            times.append(time.perf_counter() - t)
        return statistics.median(times) * 1e3

    for i in range(args.warmup):
        simulate(world, package, None, 1000 + i, ctx.years, spinup_cache=False)
    print(f"study {study.name}: rows {args.start:,} to {args.start + len(specs):,} of {len(design):,} in windows of "
          f"{args.window}; probe: {args.probes} default run(s) of {world.name} on one seed, median; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"probe before: {probe():.1f} ms a run", flush=True)
    for a in range(args.start, args.start + len(specs), args.window):
        window = specs[a - args.start:a - args.start + args.window]
        t = time.perf_counter()
        for spec in window:
            run_one(ctx, spec)
        each = (time.perf_counter() - t) / len(window) * 1e3
        print(f"rows {a:,}-{a + len(window):,}: {each:.1f} ms a run; probe {probe():.1f} ms; "
              f"objects the collector tracks {len(gc.get_objects()):,}; load average {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
