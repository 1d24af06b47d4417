"""Runs of ``zonesim run`` and ``compare``: every job, in job order, and a failed job loses no other.

``runner.run_jobs`` stops at the first failing run and drops every finished one (measured: a run
that overflowed at year 105 threw away all runs ``compare`` had computed). Here each job's
failure is recorded and the others go on; the command then saves the finished runs, marks the
folder incomplete and ends with one line. The runs go through the executor
(:mod:`sim.experiments.executor`), whose pool workers end with the command
(:func:`sim.core.process.die_with_parent`); each task returns its frame or its error, and the
executor's ``on_done`` keeps every finished run. Results are the same as ``run_jobs``' (each run
depends only on its own job; frames are joined in job order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.executor import Executor, using
from sim.experiments.runner import Job, job_order, run_job


@dataclass
class Outcome:
    """The finished runs (in job order) and the failed ones, as (job, 'Type: message')."""

    table: pd.DataFrame | None
    failed: list[tuple[Job, str]] = field(default_factory=list)
    n_jobs: int = 0

    @property
    def complete(self) -> bool:
        return not self.failed

    def failures(self) -> list[dict[str, Any]]:
        return [{"package": j.package.name, "seed": j.seed, "replicate": j.replicate, "error": e}
                for j, e in self.failed]

    def message(self) -> str:
        job, err = self.failed[0]
        done = self.n_jobs - len(self.failed)
        return (f"{len(self.failed)} of {self.n_jobs} runs failed (first: package '{job.package.name}', seed "
                f"{job.seed}: {err}); the {done} finished runs are saved")


def checked_run(job: Job) -> pd.DataFrame:
    """``run_job`` and a check that no number is infinite: the model has left its valid range
    (overflow) rather than produced a result."""
    df = run_job(job)
    num = df.select_dtypes("number")
    bad = np.isinf(num.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        row, col = map(int, np.argwhere(bad)[0])
        year = df["year"].iloc[row] if "year" in df else "?"
        raise FloatingPointError(f"the model overflowed: '{num.columns[col]}' is infinite in {year}")
    return df


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:300].rstrip(": ")


def _checked_task(_shared: Any, job: Job) -> tuple[pd.DataFrame | None, str | None]:
    """An executor task: the run's frame, or its error as one line (the other runs go on)."""
    try:
        return checked_run(job), None
    except Exception as exc:  # noqa: BLE001 - recorded; the other runs go on
        return None, _describe(exc)


def run_all(jobs: list[Job], workers: int | Executor = 1, progress: bool = False) -> Outcome:
    """Run ``jobs`` (in-process for one worker, else the executor's pool, or a given executor);
    never lose a finished run."""
    from tqdm import tqdm

    frames: list[pd.DataFrame | None] = [None] * len(jobs)
    failed: dict[int, str] = {}
    finished: set[int] = set()
    bar = tqdm(total=len(jobs), unit="run", disable=not progress, dynamic_ncols=True, leave=False)

    def on_done(i: Any, result: tuple[pd.DataFrame | None, str | None]) -> None:
        frames[i], err = result
        if err is not None:
            failed[i] = err
        finished.add(i)
        bar.update(1)

    try:
        with using(workers, len(jobs)) as ex:
            try:  # seed-major: runs on a seed share its spin-up; each process told its share of the runs
                ex.each(_checked_task, job_order(jobs), on_done, runs=len(jobs))
            except Exception as exc:  # noqa: BLE001 - e.g. a worker killed for memory: finished runs kept
                for i in range(len(jobs)):
                    if i not in finished:
                        failed[i] = _describe(exc)
    finally:
        bar.close()
    done = [f for f in frames if f is not None]
    table = pd.concat(done, ignore_index=True) if done else None
    return Outcome(table, [(jobs[i], failed[i]) for i in sorted(failed)], len(jobs))
