"""The one run path: (world, package, parameters, seed, years) -> the tidy table.

:func:`simulate` is the only place that builds a :class:`~sim.model.zonemodel.ZoneModel` for a
batch run, steps it and lets it go; every command that runs the model goes through it:

* ``zonesim run`` / ``compare`` and the dashboard's comparison: :class:`Job` s, :func:`run_jobs`;
* ``sweep``, ``sensitivity``, ``attribute``, ``robust``: a study's runs, :func:`run_chunk`
  (one chunk of :class:`RunSpec` s, the unit the store saves);
* ``validate`` and ``calibrate``: :func:`sim.analysis.validate.simulate`, which adds a ``probe``
  (the firm population at the start and the end);
* ``sim.run`` / ``sim.run_scalar`` for SALib or EMA Workbench users.

Where the runs execute (this process, a local pool, Dask) is the executor's business
(:mod:`sim.experiments.executor`); results do not depend on it, because each run depends only on
its own (world, package, parameters, seed, years).

Seeds: replicate ``i`` of a base seed gets ``derive_seeds(base, k)[i]`` (:mod:`sim.experiments.seeds`).

Shared starts: a run's build and spin-up depend only on its world (the parameters the build
reads included) and seed, not on its package, so :func:`simulate` copies them from the process's
small cache when an earlier run built them (:mod:`sim.model.spinup`; bit-identical; ``ZONESIM_SPINUP_CACHE=0`` or
``spinup_cache=False`` switches it off). Jobs and a study's chunks are handed out in an order that
puts runs of one start together (:func:`job_order`, :func:`chunk_order`, and inside a chunk
:func:`run_chunk`), and a run whose start no other run shares is marked to skip the cache.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.executor import Executor, default_workers, using
from sim.experiments.seeds import derive_seeds
from sim.experiments.study import RunContext
from sim.model import spinup
from sim.model.spinup import POPULATED, SPUN_UP, SpinupCache
from sim.model.zonemodel import ZoneModel
from sim.scenario.overrides import configure
from sim.scenario.packages import Package, empty_package, load_package
from sim.scenario.world import World, load_world

__all__ = ["simulate", "release", "derive_seeds", "default_workers", "Job", "run_job", "make_jobs", "run_jobs",
           "RunSpec", "PACKAGE_FACTOR", "PackagesContext", "run_one", "run_chunk", "chunks_of", "run",
           "run_scalar", "shared_starts", "job_order", "start_key", "chunk_order"]


def simulate(world: World, package: Package | None, params: Mapping[str, Any] | None, seed: int, years: int, *,
             probe: Callable[[ZoneModel], None] | None = None, after_step: Callable[[ZoneModel, int], None] | None = None,
             source: str = "params", spinup_cache: bool | SpinupCache | None = None) -> pd.DataFrame:
    """Run the model once and return its tidy table (one row per year and zone, plus a ``region``
    row per year; columns: :mod:`sim.outcomes.metrics`).

    ``package``: the levers (None: no levers). ``params``: overrides applied first, plain names
    for :class:`sim.core.params.Params`, ``LEVER.FIELD`` for a lever's settings (bad values: one
    InputError line naming ``source``). ``probe(model)`` is called once after the model is built
    and once after the last year, to read what the table does not hold (the firm population);
    ``after_step(model, t)`` after each year ``t`` (0-based), e.g. to keep a panel of firm sizes.
    Agent handles are lazy (identical results, no Mesa agent per firm up front) and the finished
    model is released, so a long study stays flat in memory.

    ``spinup_cache``: the start up to the end of the spin-up, which depends only on (world, the
    values of the parameters the build reads, seed), is copied from this process's cache when a run before built it, and
    kept for the runs after (sim/model/spinup.py; results bit-identical). None: the process cache
    unless ``ZONESIM_SPINUP_CACHE=0``; False: build it here; True: the process cache; or a given
    :class:`~sim.model.spinup.SpinupCache`."""
    model = _finished(world, package, params, seed, years, probe=probe, after_step=after_step, source=source,
                      spinup_cache=spinup_cache)
    df = model.results()
    release(model)
    return df


def _finished(world: World, package: Package | None, params: Mapping[str, Any] | None, seed: int, years: int, *,
              probe: Callable[[ZoneModel], None] | None = None,
              after_step: Callable[[ZoneModel, int], None] | None = None, source: str = "params",
              spinup_cache: bool | SpinupCache | None = None,
              spinup_offer: tuple[str, ...] = (SPUN_UP,)) -> ZoneModel:
    """:func:`simulate`'s model after its last year, not yet released (the caller reads it, then
    calls :func:`release`). ``spinup_offer``: the copies of its build it stores in the cache
    (``ZoneModel``'s)."""
    package = package if package is not None else empty_package()
    if params:
        world, package = configure(world, package, dict(params), source)
    model = ZoneModel(world=world, levers=package.build(), rng=int(seed), agent_handles="lazy",
                      spinup_cache=_cache(spinup_cache), spinup_offer=spinup_offer)
    if probe is not None:
        probe(model)
    for t in range(int(years)):
        model.step()
        if after_step is not None:
            after_step(model, t)
    if probe is not None:
        probe(model)
    return model


def _cache(choice: bool | SpinupCache | None) -> SpinupCache | None:
    if isinstance(choice, SpinupCache):
        return choice
    use = spinup.enabled() if choice is None else bool(choice)
    return spinup.process_cache() if use else None


def shared_starts(keys: Sequence[Hashable]) -> tuple[list[int], list[bool]]:
    """For runs whose spin-up keys are ``keys`` (equal keys: the same start): an order that puts
    the runs of one start next to each other (starts in the order they first appear, runs in
    their order within a start), so a process's small cache holds the start while its runs pass
    and pool workers taking tasks from the front and back of the queue share few starts; and
    whether each run shares its start with another (a run alone in its group gains nothing from
    the cache and is not copied into it). Results never depend on the order."""
    first: dict[Hashable, int] = {}
    count: dict[Hashable, int] = {}
    for i, k in enumerate(keys):
        first.setdefault(k, i)
        count[k] = count.get(k, 0) + 1
    order = sorted(range(len(keys)), key=lambda i: first[keys[i]])
    return order, [count[k] > 1 for k in keys]


def release(model: ZoneModel) -> None:
    """Let a finished model be garbage-collected. Mesa 3.3.1 keeps a reference to every model
    ever built in the class attribute ``Agent._ids`` (mesa/mesa#3179, fixed after 3.3.1 in a
    release that needs Python >= 3.12), 8.8 MB per 5-year default run (benchmarks/bench_memory.py):
    without this, many runs in one process (sweeps, validation, calibration, ``sim.run`` in a
    SALib loop) grow until they run out of memory.

    The model's firm and cohort pools are emptied here (:meth:`sim.core.pool.Pool.free`): a model
    is cyclic garbage (its Mesa agents and bound stage methods refer back to it) that Python frees
    only at a full collection, and a lazy study worker went ~90 runs between two, holding every
    finished model's pools meanwhile (~1.7 GB per worker in the Sobol benchmark). Read what you
    need (``results()``, the recorder, the pools) before releasing: afterwards the model has no
    Mesa agents (``model.agents`` is empty) and its firm and cohort pools no members. An eager
    model's objects, frozen out of the collector's way while it ran, go back to it every few
    releases (:func:`sim.core.memory.thaw`: at most eight released models, under 1 MB each for the
    default world, wait meanwhile)."""
    import mesa

    from sim.core.memory import thaw
    from sim.core.pool import drop_agents

    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)
    agents = 0
    for pool in (getattr(model, "firms", None), getattr(model, "talent", None)):
        if pool is not None:
            agents += pool.n
            pool.free()
    drop_agents(model)  # its Mesa agents die now, by reference counting (sim/core/pool.py)
    thaw(agents)  # an eager model's objects were frozen (sim/core/memory.py): back to the collector, every few releases


# ------------------------------------------------------------------------------------------
# runs of whole packages: run, compare, the dashboard
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    """One model run: everything it depends on (picklable)."""

    world: World
    package: Package
    seed: int
    years: int
    replicate: int = 0
    spinup: bool | None = None  # use the process's spin-up cache (None: unless ZONESIM_SPINUP_CACHE=0)


def run_job(job: Job) -> pd.DataFrame:
    """One run's tidy table with its keys in front: package, seed, replicate."""
    return _keyed(simulate(job.world, job.package, None, job.seed, job.years, spinup_cache=job.spinup),
                  job.package.name, job.seed, job.replicate)


def job_order(jobs: Sequence[Job]) -> dict[int, Job]:
    """``jobs`` as executor items ``{index: job}`` in the order that lets runs on one seed (one
    world) reuse its spin-up: seed-major (packages of a seed one after another), whatever order
    the jobs are listed in; a job alone on its seed is marked not to use the cache."""
    order, shared = shared_starts([(_world_key(j.world), j.seed) for j in jobs])
    return {i: jobs[i] if shared[i] or jobs[i].spinup is not None else replace(jobs[i], spinup=False)
            for i in order}


def _world_key(world: World) -> int:
    """Groups jobs by world object for ordering only (the cache's key is the world's content hash)."""
    return id(world)


def _keyed(df: pd.DataFrame, package: str, seed: int, replicate: int) -> pd.DataFrame:
    df.insert(0, "replicate", replicate)
    df.insert(0, "seed", seed)
    df.insert(0, "package", package)
    return df


def _job_task(_shared: Any, job: Job) -> pd.DataFrame:
    return run_job(job)


def make_jobs(world: World, packages: Iterable[Package], seeds: Sequence[int], years: int) -> list[Job]:
    """Every package on the same seeds (common random numbers)."""
    packages = list(packages)
    for pkg in packages:
        pkg.check_horizon(years)
    return [Job(world, pkg, s, years, r) for pkg in packages for r, s in enumerate(seeds)]


def run_jobs(jobs: Sequence[Job], workers: int | Executor = 1, progress: bool = False) -> pd.DataFrame:
    """Run ``jobs`` (in-process, on a local pool of ``workers``, or on a given executor; handed out
    seed-major, :func:`job_order`); rows in job order."""
    from tqdm import tqdm

    frames: dict[Hashable, pd.DataFrame] = {}

    def done(i: Hashable, df: pd.DataFrame) -> None:
        frames[i] = df
        bar.update(1)

    with using(workers, len(jobs)) as ex, \
            tqdm(total=len(jobs), unit="run", disable=not progress, dynamic_ncols=True, leave=False) as bar:
        ex.each(_job_task, job_order(jobs), done)
    return pd.concat([frames[i] for i in range(len(jobs))], ignore_index=True)


# ------------------------------------------------------------------------------------------
# runs of a study: sweep, sensitivity, attribute, robust
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunSpec:
    """One run of a study: its number, point, replicate, seed and factor values."""

    run: int
    point: int
    replicate: int
    seed: int
    values: tuple[tuple[str, Any], ...]
    spinup: bool | None = None  # use the process's spin-up cache (None: unless ZONESIM_SPINUP_CACHE=0)
    # the copies of its build it stores in the cache (sim.model.spinup.POINTS): what another run
    # of the study can take (chunks_of)
    offer: tuple[str, ...] = (SPUN_UP,)


# A study whose points choose their package (attribution: sub-packages; robustness: the
# packages compared) has a factor of this name; its values are keys of ``PackagesContext.packages``.
PACKAGE_FACTOR = "package"


@dataclass(frozen=True)
class PackagesContext(RunContext):
    """A RunContext whose points run one of several packages, named by the ``package`` factor."""

    packages: tuple[tuple[str, Package], ...] = ()


def run_one(ctx: RunContext, spec: RunSpec) -> pd.DataFrame:
    """One run of a study -> the kept rows (years x region [+ zones]) and outcome columns, keyed."""
    values = dict(spec.values)
    base = ctx.package
    if isinstance(ctx, PackagesContext) and PACKAGE_FACTOR in values:
        base = dict(ctx.packages)[values[PACKAGE_FACTOR]]
    model = _finished(ctx.world, base, {k: v for k, v in values.items() if k != PACKAGE_FACTOR}, spec.seed,
                      ctx.years, source="study", spinup_cache=spec.spinup, spinup_offer=spec.offer)
    # the kept rows straight from the recorder: the same rows and values as filtering the model's
    # whole table (model.results()) with pandas, which took 3.8 ms of a ~270 ms default run; this
    # takes 0.3 ms (issue 19, paired on one finished model)
    step, zone, kept = model.recorder.rows(model, ctx.steps, ctx.zones, ctx.outcomes)
    year = model.start_year + step
    release(model)
    inf = np.isinf(kept)
    if inf.any():  # an overflow is a failed run, never a result
        row, col = map(int, np.argwhere(inf)[0])
        raise FloatingPointError(f"the model overflowed: '{ctx.outcomes[col]}' is infinite in {year[row]}")
    n = len(step)
    cols: dict[str, Any] = {"run": np.full(n, spec.run, dtype=np.int64), "point": np.full(n, spec.point, dtype=np.int64),
                            "replicate": np.full(n, spec.replicate, dtype=np.int64),
                            "seed": np.full(n, spec.seed, dtype=np.int64)}
    for name in ctx.factors:
        cols[name] = _column(values[name], n)
    cols["step"] = step.astype(np.int64)
    cols["year"] = year.astype(np.int64)
    cols["zone"] = pd.Series(zone, dtype=_zone_dtype())
    for j, name in enumerate(ctx.outcomes):
        cols[name] = kept[:, j]
    return pd.DataFrame(cols)


def run_chunk(ctx: RunContext, specs: Sequence[RunSpec]) -> pd.DataFrame:
    """A chunk of a study's runs, rows in run order (an executor task: ``ctx`` is the shared part);
    runs sharing a start are computed one after another (:func:`shared_starts`)."""
    order, _shared = shared_starts([start_key(s) for s in specs])
    frames = {i: run_one(ctx, specs[i]) for i in order}
    return pd.concat([frames[i] for i in range(len(specs))], ignore_index=True)


def start_key(spec: RunSpec, point: str = SPUN_UP) -> tuple[Any, ...]:
    """What a study run's start (the build and spin-up) depends on besides the study's world: its
    seed and its values of parameters (not of lever settings ``LEVER.FIELD``, not the package, not
    the parameters the build does not read, ``spinup.UNREAD_BY_BUILD``); with ``point`` POPULATED,
    what its population before the spin-up depends on (not the parameters only the spin-up reads
    either, ``spinup.UNREAD_BEFORE_SPINUP``). Only for the order of the runs and what they offer
    to the cache: a cached copy is reused by the values of the parameters its own build read
    (sim/model/spinup.py)."""
    unread = spinup.UNREAD_AT[point]
    return (spec.seed, tuple((k, v) for k, v in spec.values
                             if k != PACKAGE_FACTOR and "." not in k and k not in unread))


def chunk_order(chunks: Mapping[int, Sequence[RunSpec]]) -> list[int]:
    """The chunks' ids in an order that keeps chunks with the same starts together (by the first
    chunk holding them; chunk order otherwise), so a process's cache holds a start while the
    runs needing it pass. The store's parts do not depend on it."""
    ids = sorted(chunks)
    order, _shared = shared_starts([tuple(sorted({start_key(s) for s in chunks[k]}, key=repr)) for k in ids])
    return [ids[i] for i in order]


def _column(v: Any, n: int) -> Any:
    """A factor's column of ``n`` equal values, typed by the value (:func:`_dtype`): a numpy array
    for numbers and true/false, an object Series otherwise (a plain object array would be read
    as text by pandas and stored with another type)."""
    dtype = _dtype(v)
    return pd.Series([v] * n, dtype=object) if dtype is object else np.full(n, v, dtype=dtype)


@functools.cache
def _zone_dtype() -> Any:
    """The dtype pandas gives the ``zone`` column of a model's table (text inferred from an object
    array: ``str`` in pandas 3, ``object`` before), so the rows taken from the recorder are stored
    with exactly the type the table had, also when no row is kept."""
    return pd.DataFrame({"zone": np.array(["region"], dtype=object)})["zone"].dtype


def _dtype(v: Any) -> Any:
    if isinstance(v, bool):
        return bool
    if isinstance(v, int):
        return np.int64
    if isinstance(v, float):
        return np.float64
    return object


def chunks_of(runs: pd.DataFrame, chunk: int, factors: Sequence[str]) -> dict[int, list[RunSpec]]:
    """Run table -> {chunk: [RunSpec, ...]} with plain Python values. What each run offers to the
    spin-up cache (:func:`offers`); a run that offers nothing and can take nothing (its start and
    its population before the spin-up its own in the table) is marked not to use the cache."""
    specs = [RunSpec(int(rec["run"]), int(rec["point"]), int(rec["replicate"]), int(rec["seed"]),
                     tuple((f, _native(rec[f])) for f in factors)) for rec in runs.to_dict("records")]
    out: dict[int, list[RunSpec]] = {}
    for spec, offer in zip(specs, offers(specs)):
        spec = replace(spec, offer=offer) if offer else replace(spec, spinup=False)
        out.setdefault(spec.run // chunk, []).append(spec)
    return out


def offers(specs: Sequence[RunSpec]) -> list[tuple[str, ...]]:
    """Per run, the copies of its build worth storing (:data:`sim.model.spinup.POINTS`): its whole
    start when another run has the same start (:func:`start_key`), its population before the
    spin-up when another run with another start has the same population (a Sobol row that varies
    one parameter the spin-up reads, next to its base row). Empty: the run shares neither (it
    builds its own and stores nothing). Only what is stored depends on this, never a result."""
    whole = [start_key(s) for s in specs]
    before = [start_key(s, POPULATED) for s in specs]
    _order, shared = shared_starts(whole)
    starts: dict[Hashable, set[Hashable]] = {}
    for b, w in zip(before, whole):
        starts.setdefault(b, set()).add(w)
    return [tuple(p for p, on in ((POPULATED, len(starts[b]) > 1), (SPUN_UP, sh)) if on)
            for b, sh in zip(before, shared)]


def _native(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


# ------------------------------------------------------------------------------------------
# Interoperability: plain functions for SALib / EMA Workbench users
# ------------------------------------------------------------------------------------------
def run(params: dict[str, Any] | None = None, seed: int = 0, years: int = 20, *,
        world: str | World = "guangxi", package: str | Package | None = "baseline") -> pd.DataFrame:
    """Run the model once: ``params`` are overrides of :class:`sim.core.params.Params` and, written
    ``LEVER.FIELD``, of the package's lever settings (as in study files); returns the tidy table
    (one row per year and zone, plus a ``region`` row per year) with package, seed and replicate
    in front."""
    w = world if isinstance(world, World) else load_world(world)
    pkg = package if isinstance(package, Package) else (load_package(package) if package else empty_package())
    return _keyed(simulate(w, pkg, params, int(seed), int(years), source="sim.run(params)"), pkg.name, int(seed), 0)


def run_scalar(params: dict[str, Any] | None = None, seed: int = 0, years: int = 20, *,
               outcome: str = "output", zone: str = "region", **kwargs: Any) -> float:
    """One number: ``outcome`` for ``zone`` in the final year (e.g. for SALib's evaluate step)."""
    df = run(params, seed, years, **kwargs)
    last = df[(df["zone"] == zone) & (df["step"] == years)]
    if last.empty:
        raise KeyError(f"no zone '{zone}' in the results")
    return float(last[outcome].iloc[0])
