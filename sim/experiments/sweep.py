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
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from sim.experiments.executor import executor
from sim.experiments.runner import (PACKAGE_FACTOR, PackagesContext, RunSpec, chunks_of, run_chunk,  # noqa: F401
                                    run_one)
from sim.experiments.study import Study
from sim.experiments.store import Store


# ------------------------------------------------------------------------------------------
# the driver
# ------------------------------------------------------------------------------------------
def execute(study: Study, store: Store, *, workers: int = 1, scheduler: str | None = None,
            progress: bool = False, on_chunk: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Compute every chunk the store lacks; returns a session record (backend, counts, seconds)."""
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

    def save(k: int, df: pd.DataFrame) -> None:
        store.write_chunk(k, df)
        saved[0] += len(todo[k])
        bar.update(len(todo[k]))
        if on_chunk:
            on_chunk(k)

    try:
        if todo:
            n = 1 if backend == "in-process" else min(workers, len(todo))
            with executor(n, scheduler, name=store.info["fingerprint"][:12]) as ex:
                ex.each(run_chunk, {k: todo[k] for k in sorted(todo)}, save, shared=ctx)
    finally:
        bar.close()
        from sim import __version__

        session = {"zonesim_version": __version__, "backend": backend, "scheduler": scheduler,
                   "workers": workers, "runs_planned": n_todo,
                   "runs_computed": saved[0], "finished": saved[0] == n_todo,
                   "seconds": round(time.perf_counter() - t0, 3)}
        store.add_session(session)
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
        store = Store.open(out)
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
        return store
    if not resume and out.exists() and (out / "manifest.json").exists() and not overwrite:
        raise InputError(out, "--out", "a study folder is already there; pass --resume to continue it "
                                       "or --overwrite to start again")
    runs = study.runs()
    return Store.create(out, study, runs, chunk or auto_chunk(len(runs)), command or [], overwrite=overwrite)
