"""Memory over a long study: resident set size of one process after every batch of runs.

    python benchmarks/bench_memory.py [--runs 200] [--batch 25] [--years 5] [--only validate|calibrate]

Runs ``--runs`` models in this process (one worker) through the loops of ``zonesim validate``
(:func:`sim.analysis.validate.run_stats`, the default world on fresh seeds) and of
``zonesim calibrate`` (:func:`sim.analysis.calibrate.model_problem`, one seed per parameter
point), and prints the process's RSS (``VmRSS``) after every ``--batch`` runs. Flat memory means
every finished model was freed; a leak shows as RSS growing by about the size of a model per run.
Stops early (and says so) above ``--limit`` MB, so a leak cannot take the machine's memory.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.analysis import calibrate as C  # noqa: E402
from sim.analysis import validate as V  # noqa: E402
from sim.experiments.runner import derive_seeds  # noqa: E402
from sim.scenario.world import load_world  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def validate_batches(world, runs: int, batch: int, years: int):
    seeds = derive_seeds(1, runs)
    for i in range(0, runs, batch):
        V.run_stats(world, seeds[i:i + batch], years, 1, csn=False)
        yield min(i + batch, runs)


def calibrate_batches(world, runs: int, batch: int, years: int):
    problem = C.model_problem(world, derive_seeds(2, 1), years, 1)
    lo, hi = C.FREE[0].lo, C.FREE[0].hi
    for i in range(0, runs, batch):
        n = min(batch, runs - i)
        problem.simulate([{C.FREE[0].name: lo + (hi - lo) * (i + j) / runs} for j in range(n)])
        yield i + n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--batch", type=int, default=25)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--only", choices=("validate", "calibrate"), default=None)
    ap.add_argument("--limit", type=float, default=8000.0, help="stop above this RSS in MB (default: %(default)s)")
    args = ap.parse_args()
    world = load_world("guangxi")
    loops = {"validate": validate_batches, "calibrate": calibrate_batches}
    for name, loop in loops.items():
        if args.only and name != args.only:
            continue
        start = rss_mb()
        t0 = time.perf_counter()
        print(f"{name}: default world, {args.years} years a run, one process; RSS before {start:,.0f} MB")
        done = 0
        for done in loop(world, args.runs, args.batch, args.years):
            now = rss_mb()
            print(f"  after {done:4d} runs: RSS {now:8,.0f} MB ({(now - start) / done:+.2f} MB/run)", flush=True)
            if now > args.limit:
                print(f"  stopped: RSS above --limit {args.limit:,.0f} MB")
                break
        print(f"RSS {name} after {done} runs: {rss_mb():,.0f} MB (started {start:,.0f} MB), "
              f"{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
