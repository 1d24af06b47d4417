"""Runs: one (world, package, seed, years) -> tidy DataFrame; many -> concatenated, in order.

Seeds: replicate ``i`` of a base seed gets ``derive_seeds(base, k)[i]``, from numpy's
``SeedSequence(base).spawn(k)``, so replicate seeds are independent streams, recorded in every
output, and do not depend on how many workers run them. Results are bit-identical for any
number of workers because each run depends only on its own (world, package, seed, years).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.model.zonemodel import ZoneModel
from sim.scenario.packages import Package, empty_package, load_package
from sim.scenario.world import World, load_world


def derive_seeds(base_seed: int, k: int) -> list[int]:
    """``k`` replicate seeds (uint32) derived from ``base_seed`` with numpy's SeedSequence."""
    children = np.random.SeedSequence(int(base_seed)).spawn(int(k))
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


@dataclass(frozen=True)
class Job:
    """One model run: everything it depends on (picklable)."""

    world: World
    package: Package
    seed: int
    years: int
    replicate: int = 0


def run_job(job: Job) -> pd.DataFrame:
    """Run one model and return its tidy table with run keys in front."""
    model = ZoneModel(world=job.world, levers=job.package.build(), rng=job.seed, agent_handles="lazy")
    for _ in range(job.years):
        model.step()
    df = model.results()
    release(model)
    df.insert(0, "replicate", job.replicate)
    df.insert(0, "seed", job.seed)
    df.insert(0, "package", job.package.name)
    return df


def release(model: ZoneModel) -> None:
    """Let a finished model be garbage-collected. Mesa 3.3.1 keeps a reference to every model
    ever built in the class attribute ``Agent._ids`` (mesa/mesa#3179, fixed after 3.3.1 in a
    release that needs Python >= 3.12), ~30 MB per run here: without this, many runs in one
    process (sweeps, ``sim.run`` in a SALib loop) grow until they run out of memory."""
    import mesa

    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)


def run_jobs(jobs: Sequence[Job], workers: int = 1, progress: bool = False) -> pd.DataFrame:
    """Run ``jobs`` on a local process pool (or in-process for 1 worker); rows in job order."""
    bar = _progress(len(jobs), progress)
    if workers <= 1 or len(jobs) <= 1:
        frames = []
        for job in jobs:
            frames.append(run_job(job))
            bar.update(1)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            frames = []
            for df in pool.map(run_job, jobs, chunksize=1):
                frames.append(df)
                bar.update(1)
    bar.close()
    return pd.concat(frames, ignore_index=True)


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="run", disable=not enabled, dynamic_ncols=True, leave=False)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def make_jobs(world: World, packages: Iterable[Package], seeds: Sequence[int], years: int) -> list[Job]:
    """Every package on the same seeds (common random numbers)."""
    packages = list(packages)
    for pkg in packages:
        pkg.check_horizon(years)
    return [Job(world, pkg, s, years, r) for pkg in packages for r, s in enumerate(seeds)]


# ------------------------------------------------------------------------------------------
# Interoperability: plain functions for SALib / EMA Workbench users
# ------------------------------------------------------------------------------------------
def run(params: dict[str, Any] | None = None, seed: int = 0, years: int = 20, *,
        world: str | World = "guangxi", package: str | Package | None = "baseline") -> pd.DataFrame:
    """Run the model once: ``params`` are overrides of :class:`sim.core.params.Params` and, written
    ``LEVER.FIELD``, of the package's lever settings (as in study files); returns the tidy table
    (one row per year and zone, plus a ``region`` row per year)."""
    w = world if isinstance(world, World) else load_world(world)
    pkg = package if isinstance(package, Package) else (load_package(package) if package else empty_package())
    if params:
        from sim.experiments.study import configure

        w, pkg = configure(w, pkg, dict(params), "sim.run(params)")
    return run_job(Job(w, pkg, int(seed), int(years)))


def run_scalar(params: dict[str, Any] | None = None, seed: int = 0, years: int = 20, *,
               outcome: str = "output", zone: str = "region", **kwargs: Any) -> float:
    """One number: ``outcome`` for ``zone`` in the final year (e.g. for SALib's evaluate step)."""
    df = run(params, seed, years, **kwargs)
    last = df[(df["zone"] == zone) & (df["step"] == years)]
    if last.empty:
        raise KeyError(f"no zone '{zone}' in the results")
    return float(last[outcome].iloc[0])
