"""Where runs execute: in this process, on a local process pool, or on a Dask cluster.

Every command that runs the model more than once (run, compare, sweep, sensitivity, attribute,
robust, validate, calibrate) hands its tasks to one :class:`Executor`::

    with executor(workers=4) as ex:                 # or executor(scheduler="tcp://HOST:8786")
        tables = ex.map(task, items, shared=world)  # in order
        ex.each(task, {key: item, ...}, on_done)    # on_done(key, result) as each one finishes

A task is a module-level function ``task(shared, item) -> result`` (picklable by reference).
``shared`` is what all tasks of a call have in common (a study's world and package, say): it
is sent to each worker process once (the pool's initializer, Dask's ``scatter``), not with every
task, and the items stay small. Results do not depend on the executor: each task depends only
on its own arguments, so 1 worker, N workers and Dask give the same bytes.
A call whose tasks run the model says how many runs they make in all (``runs=``): every process
that computes them is told its share before its first task (``sim.core.kernels.expect_models``,
so the compiled kernels switch on at its first run when its runs will pay for them), and the hint
is taken back in this process when the call ends. A hint changes when the kernels load, never a
result.

* :class:`InProcess`: tasks run here, in order.
* :class:`LocalPool` (``workers`` > 1): ``workers - 1`` spawned pool processes take tasks from the
  front of the queue while this process takes them from the back (so it works while the pool is
  still starting) and collects every result; when the queue is empty it takes back a task the
  pool has not started, so a call does not end waiting on a queued task while this process idles.
  The pool lives as long as the executor (calibration reuses it for every evaluation) and is
  restarted only when a call brings a different ``shared`` object. Its workers end with this
  process (:func:`sim.core.process.die_with_parent`), even after a SIGKILL.
  ``start(task, items)`` returns at once while a thread of this process hands the helpers one task
  each from the front as they become free; ``finish(on_done)`` on the returned handle stops that
  thread and goes on as ``each`` (this process taking the back): a comparison's helpers draw its
  charts while this process writes its tables. Elsewhere ``start`` begins nothing and ``finish`` is
  ``each``. An item may be sent as late as ``finish``: the caller must not change it before then.
* :class:`DaskCluster`: one Dask task per item on the scheduler at ``address``
  (:mod:`sim.experiments.distributed`).

Ctrl-C: pending tasks are cancelled; tasks already running are finished and handed to
``on_done`` (a study saves them), then ``KeyboardInterrupt`` propagates.
"""

from __future__ import annotations

import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from functools import partial
from typing import Any

from sim.core import kernels
from sim.core.memory import tune_malloc
from sim.core.process import die_with_parent

Task = Callable[[Any, Any], Any]
OnDone = Callable[[Hashable, Any], None]


class Started:
    """Tasks begun by ``Executor.start``: ``finish(on_done)`` completes them (once)."""

    def __init__(self, finish: Callable[[OnDone], None]) -> None:
        self._finish: Callable[[OnDone], None] | None = finish

    def finish(self, on_done: OnDone) -> None:
        if self._finish is None:
            raise RuntimeError("these tasks were finished already")
        finish, self._finish = self._finish, None
        finish(on_done)


class Executor:
    """Runs ``task(shared, item)`` for many items; subclasses say where."""

    backend = "in-process"
    workers = 1

    def each(self, task: Task, items: Mapping[Hashable, Any], on_done: OnDone, shared: Any = None, *,
             runs: int = 0) -> None:
        """Run every item; call ``on_done(key, result)`` in this process as each one finishes. ``runs``:
        the model runs the items make in all; each process computing them is told its share (the
        runs divided among ``processes``, rounded up), this one's hint taken back at the end."""
        if runs <= 0:
            self._each(task, items, on_done, shared)
            return
        try:
            self._each(partial(_told, task, -(-int(runs) // self.processes(len(items)))), items, on_done, shared)
        finally:
            kernels.expect_models(0)

    def _each(self, task: Task, items: Mapping[Hashable, Any], on_done: OnDone, shared: Any) -> None:
        raise NotImplementedError

    def processes(self, tasks: int) -> int:
        """The processes that would share ``tasks`` tasks (1: this process alone, or not known)."""
        return 1

    def start(self, task: Task, items: Mapping[Hashable, Any], shared: Any = None) -> Started:
        """Begin ``items`` on the workers while this process does other work; ``finish(on_done)`` on
        the returned handle completes them (this process computing what no worker has started) and
        hands every result to ``on_done``. Here: nothing starts early; ``finish`` is ``each``."""
        return Started(lambda on_done: self.each(task, items, on_done, shared))

    def map(self, task: Task, items: Sequence[Any], shared: Any = None,
            on_done: OnDone | None = None, *, runs: int = 0) -> list[Any]:
        """Results in the order of ``items`` (``on_done(index, result)`` as each one finishes)."""
        got: dict[Hashable, Any] = {}

        def done(k: Hashable, result: Any) -> None:
            got[k] = result
            if on_done is not None:
                on_done(k, result)

        self.each(task, dict(enumerate(items)), done, shared, runs=runs)
        return [got[i] for i in range(len(items))]

    def close(self) -> None:
        pass

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _told(task: Task, runs: int, shared: Any, item: Any) -> Any:
    """``task(shared, item)`` in a process told that it makes about ``runs`` model runs."""
    kernels.expect_models(runs)
    return task(shared, item)


class InProcess(Executor):
    """Every task here, one after the other, in the order given."""

    def _each(self, task: Task, items: Mapping[Hashable, Any], on_done: OnDone, shared: Any) -> None:
        for k, item in items.items():
            on_done(k, task(shared, item))


# ------------------------------------------------------------------------------------------
# the local pool: the shared object is installed once per worker process
# ------------------------------------------------------------------------------------------
_SHARED: Any = None


def _install(shared: Any, parent: int | None = None) -> None:
    global _SHARED
    if parent is not None:  # end with the process that started the pool (sim.core.process)
        die_with_parent(parent)
    _SHARED = shared
    tune_malloc()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


def _pool_task(task: Task, key: Hashable, item: Any) -> tuple[Hashable, Any]:
    return key, task(_SHARED, item)


class _Queued:
    """The tasks of one call on a local pool: a queue whose front the helpers take (at most ``limit``
    submitted and not finished) while this process takes its back, and the futures of what was
    submitted; results are handed over in this process as they finish."""

    def __init__(self, pool: ProcessPoolExecutor, task: Task, items: Mapping[Hashable, Any], shared: Any,
                 limit: int) -> None:
        self.pool, self.task, self.items, self.shared, self.limit = pool, task, items, shared, limit
        self.queue = deque(items)
        self.position = {k: i for i, k in enumerate(items)}
        self.pending: set[Future] = set()
        self.key_of: dict[Future, Hashable] = {}
        self.lock = threading.Lock()  # the queue and the futures: a feeder thread may submit (start)
        self._stop: Future = Future()
        self._feeder: threading.Thread | None = None

    def top_up(self) -> None:
        with self.lock:
            while self.queue and sum(not f.done() for f in self.pending) < self.limit:
                k = self.queue.popleft()
                fut = self.pool.submit(_pool_task, self.task, k, self.items[k])
                self.key_of[fut] = k
                self.pending.add(fut)

    def take_back(self, on_done: OnDone) -> bool:
        """Compute here the last (in the items' order) submitted task the pool has not begun, if any."""
        for fut in sorted(self.pending, key=lambda f: self.position[self.key_of[f]], reverse=True):
            if fut.cancel():  # not sent to a helper yet: compute it here
                self.pending.discard(fut)
                k = self.key_of[fut]
                on_done(k, self.task(self.shared, self.items[k]))
                return True
        return False

    def feed(self) -> None:
        """Keep the helpers busy from a thread of this process until ``drain`` (which stops it)."""
        def run() -> None:
            try:
                while True:
                    with self.lock:
                        if self._stop.done() or not self.queue:
                            return
                        live = [f for f in self.pending if not f.done()]
                    if live:  # until a helper is free (or drain stops this thread)
                        wait([*live, self._stop], return_when=FIRST_COMPLETED)
                    if not self._stop.done():
                        self.top_up()
            except RuntimeError:  # the pool was shut down (the caller stopped before finish): nothing to feed
                return

        self.top_up()
        self._feeder = threading.Thread(target=run, name="zonesim-feeder", daemon=True)
        self._feeder.start()

    def drain(self, on_done: OnDone) -> None:
        """Every task's result to ``on_done``: the helpers keep taking the queue's front, this process
        its back, then it waits for what the helpers have."""
        if self._feeder is not None:
            self._stop.set_result(None)
            self._feeder.join()
            self._feeder = None
            self.limit *= 2  # from now on as ``each``: a task sent ahead, so a helper never waits on this process
        try:
            self.top_up()
            while self.pending or self.queue:
                for fut in [f for f in self.pending if f.done()]:
                    self.pending.discard(fut)
                    on_done(*fut.result())
                self.top_up()
                if self.queue:
                    k = self.queue.pop()
                    on_done(k, self.task(self.shared, self.items[k]))
                elif self.pending and not self.take_back(on_done):
                    wait(self.pending, return_when=FIRST_COMPLETED)
        except KeyboardInterrupt:
            # keep what is running: cancel the rest, hand over the tasks that finish, then stop
            for fut in self.pending:
                fut.cancel()
            for fut in self.pending:
                if not fut.cancelled():
                    try:
                        on_done(*fut.result())
                    except Exception:  # noqa: BLE001 - a failed task is simply run again later
                        pass
            raise


class LocalPool(Executor):
    """``workers - 1`` spawned processes plus this one (see the module notes)."""

    backend = "process-pool"

    def __init__(self, workers: int) -> None:
        self.workers = max(1, int(workers))
        self._pool: ProcessPoolExecutor | None = None
        self._shared: Any = None

    def _helpers(self, shared: Any) -> ProcessPoolExecutor:
        if self._pool is None or self._shared is not shared:
            self.close()
            import multiprocessing as mp

            # spawn, not fork: the parent may hold threads (Dask client, dashboard) and locks
            self._pool = ProcessPoolExecutor(max_workers=self.workers - 1, mp_context=mp.get_context("spawn"),
                                             initializer=_install, initargs=(shared, os.getpid()))
            self._shared = shared
        return self._pool

    def processes(self, tasks: int) -> int:
        return max(1, min(self.workers, int(tasks)))

    def _each(self, task: Task, items: Mapping[Hashable, Any], on_done: OnDone, shared: Any) -> None:
        if self.processes(len(items)) <= 1:  # one worker or one task: here (and told every run)
            InProcess()._each(task, items, on_done, shared)
            return
        # two tasks a helper in flight: one running, one sent ahead (a queued task the pool has sent can
        # no longer be taken back, so no more than that)
        _Queued(self._helpers(shared), task, items, shared, 2 * (self.workers - 1)).drain(on_done)

    def start(self, task: Task, items: Mapping[Hashable, Any], shared: Any = None) -> Started:
        if self.workers <= 1 or not items:
            return super().start(task, items, shared)
        # one task a helper at a time, topped up by a thread while this process is busy: what no helper has
        # begun when ``finish`` comes stays in the queue, for this process to take from the back
        tasks = _Queued(self._helpers(shared), task, items, shared, self.workers - 1)
        tasks.feed()
        return Started(tasks.drain)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._shared = None


class DaskCluster(Executor):
    """Tasks on the Dask scheduler at ``address``; ``name`` prefixes the task keys."""

    backend = "dask"

    def __init__(self, address: str, name: str = "run") -> None:
        from sim.experiments.distributed import check_address

        check_address(address)
        self.address = address
        self.name = name
        self._client: Any = None

    def _each(self, task: Task, items: Mapping[Hashable, Any], on_done: OnDone, shared: Any) -> None:
        from sim.experiments.distributed import connect, run_on_dask

        if self._client is None:
            self._client = connect(self.address)
        run_on_dask(self._client, task, shared, items, on_done, key=self.name, address=self.address)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def executor(workers: int = 1, scheduler: str | None = None, name: str = "run") -> Executor:
    """A Dask executor for ``scheduler``, else a local pool of ``workers`` (in-process for 1)."""
    if scheduler:
        return DaskCluster(scheduler, name)
    return LocalPool(workers) if workers > 1 else InProcess()


@contextmanager
def using(workers: int | Executor = 1, tasks: int | None = None) -> Iterator[Executor]:
    """``workers`` as an executor: a given executor as is (its owner closes it), a number of
    workers as a new local one (no more workers than ``tasks``), closed on leaving."""
    if isinstance(workers, Executor):
        yield workers
        return
    n = int(workers) if tasks is None else min(int(workers), max(int(tasks), 1))
    with executor(n) as ex:
        yield ex


def default_workers() -> int:
    """The cores this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
