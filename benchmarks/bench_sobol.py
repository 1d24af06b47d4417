"""The Sobol study of issue 19, timed: 10 factors, N = 512, second-order indices, 11,264 default
20-year runs (the bundled study ``scenarios/studies/bench-sobol-10x512.yaml``).

    python benchmarks/bench_sobol.py [--workers 2]            # all 11,264 runs
    python benchmarks/bench_sobol.py --runs 1024 --workers 2  # the first 1,024 runs only

Times one ``execute`` of the study on a fresh store (worker start-up, every run, every part
written with its checksum), as ``zonesim sweep`` does. With ``--runs`` only the first runs of the
design are computed, and the output says so: the figure for the whole study is then a linear
projection, printed as one and never as a measurement. The machine's load average is printed
before and after (a shared machine slows the runs), with a plain-Mesa reference loop timed just
before and after for scale (``bench_model.py``'s, default world's agent count, 20 years).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STUDY = "bench-sobol-10x512"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=int, help="compute only the first RUNS runs of the design (default: all)")
    ap.add_argument("--reference-agents", type=int, default=47_600)
    args = ap.parse_args()

    from bench_model import time_reference

    from sim.experiments.store import Store, auto_chunk
    from sim.experiments.study import load_study
    from sim.experiments.sweep import execute

    study = load_study(STUDY)
    runs = study.runs()
    total = len(runs)
    part = runs if args.runs is None or args.runs >= total else runs.iloc[:args.runs].reset_index(drop=True)
    n = len(part)
    out = Path(tempfile.mkdtemp(prefix="bench-sobol-")) / "store"
    store = Store.create(out, study, part, auto_chunk(n), ["bench_sobol.py"])
    print(f"study {STUDY}: {total:,} runs x {study.years} years; computing {n:,} "
          f"({'all' if n == total else f'the first {n / total:.1%}'}) on {args.workers} workers; "
          f"load average {os.getloadavg()[0]:.2f}")
    ref0 = time_reference(args.reference_agents, study.years, 1)[0]
    t0 = time.perf_counter()
    execute(study, store, workers=args.workers)
    wall = time.perf_counter() - t0
    ref1 = time_reference(args.reference_agents, study.years, 2)[0]
    done = Store.open(out).design()
    print(f"computed {n:,} runs in {wall:.1f} s wall: {n / wall:.2f} runs/s, {wall / n * 1000:.0f} ms/run "
          f"(store: {out}, {len(done):,} runs in its design)")
    print(f"plain-Mesa reference run (same agents, {study.years} years) before/after: {ref0:.3f} s / {ref1:.3f} s; "
          f"load average now {os.getloadavg()[0]:.2f}")
    if n == total:
        print(f"MEASURED: the whole study ({total:,} runs) took {wall / 60:.1f} min on {args.workers} workers")
    else:
        print(f"NOT the whole study: {n:,} of {total:,} runs measured ({wall / 60:.1f} min). A linear projection "
              f"(an extrapolation, not a measurement) gives {wall * total / n / 60:.1f} min for all of it.")


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
