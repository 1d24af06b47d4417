"""Run a study into its store: in-process, on a local process pool, or on a Dask cluster.

The unit of work is a *chunk* of consecutive runs (fixed by the store, see :mod:`sim.experiments.store`).
Every backend runs the same :func:`sim.experiments.runner.run_chunk` through one executor
(:mod:`sim.experiments.executor`) and hands the finished table to the parent, which alone
writes the store — so results are byte-identical for 1 worker, N workers and Dask. The study's
shared :class:`~sim.experiments.study.RunContext` goes to each worker once (not with every
task), and chunks are submitted all at once, so the overhead beyond the runs themselves is
worker start-up plus one small message per chunk.

Ctrl-C: pending chunks are cancelled, chunks already running are finished and saved, then
the sweep stops (exit 130); ``--resume`` continues from there.

A chunk that fails (an exception in a run) loses nothing else: every other chunk is still
computed and saved, then the sweep ends with one line naming the first failure (exit 3), and
``--resume`` computes only what is missing. Every chunk comes back with the code hash of the
process that computed it; the store refuses a part computed by other model code. Pool workers
end with the parent (:func:`sim.core.process.die_with_parent`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from sim.core import maths
from sim.core.errors import EnvError
from sim.experiments.executor import executor
from sim.experiments.results import own_code
from sim.experiments.runner import (PACKAGE_FACTOR, PackagesContext, RunSpec, chunk_order, chunks_of, run_chunk,  # noqa: F401
                                    run_one)
from sim.experiments.study import RunContext, Study
from sim.experiments.store import Store


def _chunk_task(ctx: RunContext, specs: list[RunSpec]) -> tuple[pd.DataFrame | None, str | None, str]:
    """An executor task, a chunk's runs: the chunk's table, or its error as one line (a failed chunk
    loses no other), with the code hash of the process that computed it (the store refuses other
    code's parts)."""
    try:
        return run_chunk(ctx, specs), None, own_code()
    except Exception as exc:  # noqa: BLE001 - recorded; the other chunks still run
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": "), own_code()


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

    finished: set[int] = set()

    def collect(k: int, result: tuple[pd.DataFrame | None, str | None, str]) -> None:
        df, err, code = result
        finished.add(k)
        if err is not None:
            failed[k] = err
        else:
            save(k, df, code)

    try:
        if todo:
            n = 1 if backend == "in-process" else min(workers, len(todo))
            with executor(n, scheduler, name=store.info["fingerprint"][:12]) as ex:
                try:  # each process told its share of the runs (on Dask: all of them, at most)
                    ex.each(_chunk_task, {k: todo[k] for k in chunk_order(todo)}, collect, shared=ctx,
                            runs=n_todo)
                except EnvError:
                    raise
                except Exception as exc:  # noqa: BLE001 - e.g. a pool worker killed: the saved chunks stay
                    for k in todo:
                        if k not in finished:
                            fail(k, exc)
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
            theirs = store.info.get("maths_fingerprint")  # absent in folders made before it was recorded
            if theirs is not None and theirs != maths.fingerprint():
                why = maths.differs(theirs, maths.fingerprint())
                raise InputError(out, "--resume", f"the folder's runs were computed where {why}; resuming would mix "
                                                  "results: resume it with that version or start a new --out")
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
