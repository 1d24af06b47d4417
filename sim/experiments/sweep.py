"""Run a study into its store: in-process, on a local process pool, or on a Dask cluster.

The unit of work is a *chunk* of consecutive runs (fixed by the store, see :mod:`sim.experiments.store`).
Every backend calls the same :func:`run_chunk` and hands the finished table to the parent,
which alone writes the store — so results are byte-identical for 1 worker, N workers and
Dask. The pool is started once per study with the shared :class:`~sim.experiments.study.RunContext`
installed in each worker (not pickled per task), and chunks are submitted all at once, so
the overhead beyond the runs themselves is worker start-up plus one small message per chunk.

Ctrl-C: pending chunks are cancelled, chunks already running are finished and saved, then
the sweep stops (exit 130); ``--resume`` continues from there.

A chunk that fails (an exception in a run) loses nothing else: every other chunk is still
computed and saved, then the sweep ends with one line naming the first failure (exit 3), and
``--resume`` computes only what is missing. Every chunk comes back with the code hash of the
process that computed it; the store refuses a part computed by other model code. Pool workers
end with the parent (:func:`sim.core.process.die_with_parent`).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.core.errors import EnvError
from sim.core.process import die_with_parent
from sim.model.zonemodel import ZoneModel
from sim.experiments.runner import release
from sim.scenario.packages import Package
from sim.experiments.study import RunContext, Study, configure
from sim.experiments.store import Store


@dataclass(frozen=True)
class RunSpec:
    """One run of a study: its number, point, replicate, seed and factor values."""

    run: int
    point: int
    replicate: int
    seed: int
    values: tuple[tuple[str, Any], ...]


# A study whose points choose their package (attribution: sub-packages; robustness: the
# packages compared) has a factor of this name; its values are keys of ``PackagesContext.packages``.
PACKAGE_FACTOR = "package"


@dataclass(frozen=True)
class PackagesContext(RunContext):
    """A RunContext whose points run one of several packages, named by the ``package`` factor."""

    packages: tuple[tuple[str, Package], ...] = ()


def run_one(ctx: RunContext, spec: RunSpec) -> pd.DataFrame:
    """One model run -> the kept rows (years x region [+ zones]) and outcome columns, keyed."""
    values = dict(spec.values)
    base = ctx.package
    if isinstance(ctx, PackagesContext) and PACKAGE_FACTOR in values:
        base = dict(ctx.packages)[values[PACKAGE_FACTOR]]
    world, package = configure(ctx.world, base, {k: v for k, v in values.items() if k != PACKAGE_FACTOR})
    model = ZoneModel(world=world, levers=package.build(), rng=spec.seed, agent_handles="lazy")
    for _ in range(ctx.years):
        model.step()
    df = model.results()
    release(model)
    zones = df["zone"].to_numpy()
    in_zones = (zones == "region") | np.isin(zones, list(ctx.zones)) if ctx.zones else zones == "region"
    keep = df["step"].isin(ctx.steps).to_numpy() & in_zones
    df = df.loc[keep, ["step", "year", "zone", *ctx.outcomes]].reset_index(drop=True)
    num = df[list(ctx.outcomes)].select_dtypes("number")
    inf = np.isinf(num.to_numpy(dtype=float, na_value=np.nan))
    if inf.any():  # an overflow is a failed run, never a result
        row, col = map(int, np.argwhere(inf)[0])
        raise FloatingPointError(f"the model overflowed: '{num.columns[col]}' is infinite in {df['year'].iloc[row]}")
    n = len(df)
    keys = {"run": np.full(n, spec.run, dtype=np.int64), "point": np.full(n, spec.point, dtype=np.int64),
            "replicate": np.full(n, spec.replicate, dtype=np.int64), "seed": np.full(n, spec.seed, dtype=np.int64)}
    front = pd.DataFrame(keys)
    for name in ctx.factors:
        front[name] = pd.Series([values[name]] * n, dtype=_dtype(values[name]))
    out = pd.concat([front, df], axis=1)
    out["step"] = out["step"].astype(np.int64)
    out["year"] = out["year"].astype(np.int64)
    return out


def run_chunk(ctx: RunContext, specs: Sequence[RunSpec]) -> pd.DataFrame:
    return pd.concat([run_one(ctx, s) for s in specs], ignore_index=True)


def _dtype(v: Any) -> Any:
    if isinstance(v, bool):
        return bool
    if isinstance(v, int):
        return np.int64
    if isinstance(v, float):
        return np.float64
    return object


def chunks_of(runs: pd.DataFrame, chunk: int, factors: Sequence[str]) -> dict[int, list[RunSpec]]:
    """Run table -> {chunk: [RunSpec, ...]} with plain Python values."""
    out: dict[int, list[RunSpec]] = {}
    for rec in runs.to_dict("records"):
        values = tuple((f, _native(rec[f])) for f in factors)
        spec = RunSpec(int(rec["run"]), int(rec["point"]), int(rec["replicate"]), int(rec["seed"]), values)
        out.setdefault(spec.run // chunk, []).append(spec)
    return out


def _native(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


# ------------------------------------------------------------------------------------------
# local pool workers: the context is installed once per process
# ------------------------------------------------------------------------------------------
_CTX: RunContext | None = None
_CODE: str | None = None


def own_code() -> str:
    """This process's model-code hash (sim.experiments.results.code_sha256), computed once."""
    global _CODE
    if _CODE is None:
        from sim.experiments.results import code_sha256

        _CODE = code_sha256()
    return _CODE


def _install(ctx: RunContext, parent: int | None = None) -> None:
    global _CTX
    die_with_parent(parent)
    _CTX = ctx
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    own_code()


def _pool_task(chunk: int, specs: list[RunSpec]) -> tuple[int, pd.DataFrame, str]:
    return chunk, run_chunk(_CTX, specs), own_code()


# ------------------------------------------------------------------------------------------
# the driver
# ------------------------------------------------------------------------------------------
def execute(study: Study, store: Store, *, workers: int = 1, scheduler: str | None = None,
            progress: bool = False, on_chunk: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Compute every chunk the store lacks; returns a session record (backend, counts, seconds).
    Takes the store's lock if this process does not hold it yet."""
    if store.lock is None:
        store.acquire()
    done = store.repair()
    runs = store.design()
    factors = list(store.info["factors"])
    todo = {k: v for k, v in chunks_of(runs, store.chunk, factors).items() if k not in done}
    n_todo = sum(len(v) for v in todo.values())
    ctx = study.context()
    bar = _bar(len(runs), len(runs) - n_todo, progress)
    t0 = time.perf_counter()
    backend = "dask" if scheduler else ("process-pool" if workers > 1 and len(todo) > 1 else "in-process")

    saved = [0]
    failed: dict[int, str] = {}
    store_code = store.info.get("code_sha256")

    def save(k: int, df: pd.DataFrame, code: str | None = None) -> None:
        code = own_code() if code is None else code
        if store_code is not None and code != store_code:
            failed[k] = f"computed by other model code (code {code[:12]}, the study's {store_code[:12]})"
            return
        store.write_chunk(k, df, code)
        saved[0] += len(todo[k])
        bar.update(len(todo[k]))
        if on_chunk:
            on_chunk(k)

    def fail(k: int, exc: BaseException) -> None:
        failed[k] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")

    try:
        if not todo:
            pass
        elif scheduler:
            from sim.experiments.distributed import run_on_dask
            run_on_dask(scheduler, ctx, todo, save, key=store.info["fingerprint"][:12], fail=fail)
        elif backend == "process-pool":
            _run_pool(ctx, todo, min(workers, len(todo)), save, fail)
        else:
            for k in sorted(todo):
                try:
                    df = run_chunk(ctx, todo[k])
                except Exception as exc:  # noqa: BLE001 - the others still run; reported below
                    fail(k, exc)
                    continue
                save(k, df)
    finally:
        bar.close()
        from sim import __version__

        session = {"zonesim_version": __version__, "backend": backend, "scheduler": scheduler,
                   "workers": workers, "runs_planned": n_todo,
                   "runs_computed": saved[0], "finished": saved[0] == n_todo,
                   "seconds": round(time.perf_counter() - t0, 3)}
        if failed:
            session["failed_chunks"] = {str(k): v for k, v in sorted(failed.items())}
        store.add_session(session)
    if failed:
        k = min(failed)
        spec = todo[k][0]
        n_bad = sum(len(todo[c]) for c in failed)
        raise EnvError(store.path, f"{n_bad} of {n_todo} runs failed (first: run {spec.run}, seed {spec.seed}: "
                                   f"{failed[k]}); the {saved[0]} finished runs are saved, and --resume "
                                   "computes only the rest")
    return session


def _run_pool(ctx: RunContext, todo: dict[int, list[RunSpec]], workers: int,
              save: Callable[..., None], fail: Callable[[int, BaseException], None]) -> None:
    """``workers - 1`` pool processes take chunks from the front of the queue while this process
    takes them from the back (so it works while the pool is still starting) and saves them all;
    when the queue is empty it takes back a chunk the pool has not started yet, so the study
    does not end waiting on a queued chunk while this process idles."""
    import multiprocessing as mp
    from collections import deque

    queue = deque(sorted(todo))
    helpers = workers - 1
    with ProcessPoolExecutor(max_workers=helpers, mp_context=mp.get_context("spawn"),
                             initializer=_install, initargs=(ctx, os.getpid())) as pool:
        pending: set = set()
        chunk_of: dict = {}

        def top_up() -> None:
            while queue and len(pending) < 2 * helpers:
                k = queue.popleft()
                fut = pool.submit(_pool_task, k, todo[k])
                chunk_of[fut] = k
                pending.add(fut)

        def here(k: int) -> None:
            try:
                df = run_chunk(ctx, todo[k])
            except Exception as exc:  # noqa: BLE001 - the others still run; reported by execute
                fail(k, exc)
                return
            save(k, df)

        def collect(fut: Any) -> None:
            try:
                got = fut.result()
            except Exception as exc:  # noqa: BLE001 - a failed chunk loses no other
                fail(chunk_of[fut], exc)
                return
            save(*got)

        def take_back() -> bool:
            for fut in sorted(pending, key=chunk_of.__getitem__, reverse=True):
                if fut.cancel():  # not started in the pool: compute it here
                    pending.discard(fut)
                    here(chunk_of[fut])
                    return True
            return False

        try:
            top_up()
            while pending or queue:
                for fut in [f for f in pending if f.done()]:
                    pending.discard(fut)
                    collect(fut)
                top_up()
                if queue:
                    here(queue.pop())
                elif pending and not take_back():
                    wait(pending, return_when=FIRST_COMPLETED)
        except KeyboardInterrupt:
            # keep what is running: cancel the rest, save the chunks that finish, then stop
            for fut in pending:
                fut.cancel()
            for fut in pending:
                if not fut.cancelled():
                    collect(fut)
            raise


def _bar(total: int, initial: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="run", disable=not enabled,
                smoothing=0.1, desc="runs")


def open_store(study: Study, out: Any, *, resume: bool = False, overwrite: bool = False,
               chunk: int | None = None, command: list[str] | None = None) -> Store:
    """The study's store: a new one, or (``resume``) the existing one if it is the same study."""
    from pathlib import Path

    from sim.core.errors import InputError
    from sim.experiments.store import auto_chunk

    out = Path(out)
    if resume and (out / "manifest.json").exists():
        store = Store.open(out).acquire(command)  # refused here if another process writes it
        try:
            if store.info.get("fingerprint") != study.fingerprint():
                raise InputError(out, "--resume", f"the folder holds a different study or an edited version of "
                                                  f"'{study.name}'; resume with the same study file or use a new --out")
            from sim.experiments.results import code_sha256

            if store.info.get("code_sha256", code_sha256()) != code_sha256():
                raise InputError(out, "--resume", "the folder was computed by another version of the model code "
                                                  f"(code {store.info['code_sha256'][:12]}, now {code_sha256()[:12]}); "
                                                  "resuming would mix results: start a new --out")
            if chunk is not None and chunk != store.chunk:
                raise InputError(out, "--chunk", f"the folder was started with --chunk {store.chunk}")
        except BaseException:
            store.release()
            raise
        return store
    if not resume and out.exists() and (out / "manifest.json").exists() and not overwrite:
        raise InputError(out, "--out", "a study folder is already there; pass --resume to continue it "
                                       "or --overwrite to start again")
    runs = study.runs()
    return Store.create(out, study, runs, chunk or auto_chunk(len(runs)), command or [], overwrite=overwrite)
