"""The Sobol study of issue 19, timed: 10 factors, N = 512, second-order indices, 11,264 default
20-year runs (the bundled study ``scenarios/studies/bench-sobol-10x512.yaml``).

    python benchmarks/bench_sobol.py [--workers 2]            # all 11,264 runs
    python benchmarks/bench_sobol.py --runs 1024 --workers 2  # the first 1,024 runs only

Times one ``execute`` of the study on a fresh store (worker start-up, every run, every part
written with its checksum), as ``zonesim sweep`` does. With ``--runs`` only the first runs of the
design are computed, and the output says so: the figure for the whole study is then a linear
projection, printed as one and never as a measurement. The machine's load average is printed
before and after (a shared machine slows the runs), with a plain-Mesa reference loop timed just
before and after for scale (``bench_model.py``'s, default world's agent count, 20 years), and the
runs finished in each minute of the study (a machine that slows part-way shows in them).
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


def pace(stamps: list[tuple[float, int]], t0: float) -> tuple[list[int], float, int]:
    """Runs finished in each whole minute after ``t0`` (``stamps``: when each part was written, and
    its runs), and the last, shorter stretch: its length in minutes and its runs."""
    if not stamps:
        return [], 0.0, 0
    end = max(t for t, _ in stamps) - t0
    whole = int(end // 60)
    per = [0] * whole
    tail = 0
    for t, n in stamps:
        m = int((t - t0) // 60)
        if m < whole:
            per[m] += n
        else:
            tail += n
    return per, (end - 60 * whole) / 60, tail


def pace_line(stamps: list[tuple[float, int]], t0: float) -> str:
    """The study's sustained speed, minute by minute: a machine that slows part-way shows (a prefix of
    the study sees its first minutes only)."""
    per, tail_min, tail = pace(stamps, t0)
    if not per:
        return "runs a minute: the study took less than a minute"
    line = " ".join(str(r) for r in per)
    return (f"runs finished in each minute, minute by minute: {line}"
            + (f" (then {tail} in the last {tail_min:.1f} min)" if tail else "")
            + f"; slowest whole minute {min(per)}, fastest {max(per)}")


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
    size = store.design().groupby("chunk").size().to_dict()  # runs in each part
    stamps: list[tuple[float, int]] = []  # (when, runs) as each part is written
    t0 = time.perf_counter()
    execute(study, store, workers=args.workers, on_chunk=lambda k: stamps.append((time.perf_counter(), size[k])))
    wall = time.perf_counter() - t0
    ref1 = time_reference(args.reference_agents, study.years, 2)[0]
    done = Store.open(out).design()
    print(f"computed {n:,} runs in {wall:.1f} s wall: {n / wall:.2f} runs/s, {wall / n * 1000:.0f} ms/run "
          f"(store: {out}, {len(done):,} runs in its design)")
    print(f"plain-Mesa reference run (same agents, {study.years} years) before/after: {ref0:.3f} s / {ref1:.3f} s; "
          f"load average now {os.getloadavg()[0]:.2f}")
    print(pace_line(stamps, t0))
    if n == total:
        print(f"MEASURED: the whole study ({total:,} runs) took {wall / 60:.1f} min on {args.workers} workers")
    else:
        print(f"NOT the whole study: {n:,} of {total:,} runs measured ({wall / 60:.1f} min). A linear projection "
              f"(an extrapolation, not a measurement) gives {wall * total / n / 60:.1f} min for all of it.")


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
