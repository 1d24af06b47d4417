"""Study overhead: parallel efficiency of 2 workers against 1, and Dask on loopback against the
local pool, for one 200-run study (all three measured in the same invocation).

    python benchmarks/bench_study.py                # 200 runs, 2 years each
    python benchmarks/bench_study.py --runs 60 --years 1 --no-dask

Targets (issue 4): efficiency = T(1 worker) / (2 x T(2 workers)) >= 0.9;
Dask / local pool <= 1.15. Each timing is a whole ``execute`` call on a fresh store: worker
start-up, sending runs, writing every part with its checksum. The cluster itself (scheduler and
two worker processes, like ``dask scheduler`` + ``dask worker``) is started before timing; its
workers import the model on their first task, inside the timing, as the local pool's do. The
three stores are checked to be byte-identical. The machine's load average is printed: on a
shared machine other processes inflate the parallel timings.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import yaml


def study_file(folder: Path, runs: int, years: int) -> Path:
    points = max(1, runs // 2)
    data = {"name": "bench", "years": years, "seeds": 2,
            "levers": {"land_quota": {"range": [6.0, 24.0]}},
            "uncertainties": {"agglomeration_elasticity": {"range": [0.02, 0.12]}},
            "outcomes": {"names": ["output", "firms", "talent", "hightech_firms"], "zones": True},
            "design": {"method": "latin_hypercube", "samples": points, "seed": 1}}
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _worker_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(study, out: Path, client=None, **kw) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process + pool children + Dask workers)."""
    from sim.experiments.sweep import execute, open_store

    store = open_store(study, out)
    before = sum(client.run(_worker_cpu).values()) if client else 0.0
    c0, k0, t0 = time.process_time(), _children_cpu(), time.perf_counter()
    execute(study, store, **kw)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0 + _children_cpu() - k0
    if client:
        cpu += sum(client.run(_worker_cpu).values()) - before
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--years", type=int, default=2)
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()

    from sim.experiments.store import Store
    from sim.experiments.study import load_study

    tmp = Path(tempfile.mkdtemp(prefix="bench-study-"))
    study = load_study(study_file(tmp, args.runs, args.years))
    n = len(study.runs())
    print(f"study: {n} runs x {args.years} years, per-zone outcomes; load average {os.getloadavg()[0]:.2f}")

    t1, c1 = timed(study, tmp / "w1", workers=1)
    print(f"1 worker (in-process):       {t1:8.2f} s wall {c1:8.2f} s CPU  {n / t1:6.2f} runs/s  "
          f"{t1 / n * 1000:6.0f} ms/run")
    t2, c2 = timed(study, tmp / "w2", workers=2)
    print(f"2 workers (local pool):      {t2:8.2f} s wall {c2:8.2f} s CPU  {n / t2:6.2f} runs/s")
    print(f"parallel efficiency T1/(2 T2) = {t1 / (2 * t2):.3f}  (target >= 0.9; wall clock)")
    print(f"CPU efficiency CPU1/CPU2      = {c1 / c2:.3f}  (work added by the pool: start-up, transfers)")
    same = Store.open(tmp / "w1").part_bytes() == Store.open(tmp / "w2").part_bytes()

    if not args.no_dask:
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster:
            from distributed import Client

            with Client(cluster.scheduler_address) as client:
                td, cd = timed(study, tmp / "dask", client=client, scheduler=cluster.scheduler_address)
        print(f"Dask, 2 workers on loopback: {td:8.2f} s wall {cd:8.2f} s CPU  {n / td:6.2f} runs/s")
        print(f"Dask / local pool = {td / t2:.3f} wall, {cd / c2:.3f} CPU  (target <= 1.15)")
        same = same and Store.open(tmp / "w1").part_bytes() == Store.open(tmp / "dask").part_bytes()
    print(f"stores byte-identical: {same}; load average now {os.getloadavg()[0]:.2f}; folders in {tmp}")


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
