"""sim.experiments.executor: one executor interface for in-process, local-pool and Dask runs."""

from __future__ import annotations

import os

import pytest

from sim.experiments.executor import DaskCluster, InProcess, LocalPool, executor, using


def square_plus(shared: int, item: int) -> tuple[int, int]:
    return item * item + shared, os.getpid()


def fail_on_three(shared: None, item: int) -> int:
    if item == 3:
        raise ValueError("three")
    return item


def test_factory_picks_the_backend():
    assert isinstance(executor(1), InProcess) and executor(1).backend == "in-process"
    pool = executor(3)
    assert isinstance(pool, LocalPool) and pool.backend == "process-pool" and pool.workers == 3
    with using(4, tasks=2) as ex:
        assert ex.workers == 2
    given = InProcess()
    with using(given) as ex:
        assert ex is given


@pytest.mark.parametrize("make", [InProcess, lambda: LocalPool(2), lambda: LocalPool(3)])
def test_map_keeps_the_order_and_sends_the_shared_part(make):
    items = list(range(9))
    seen = []
    with make() as ex:
        got = ex.map(square_plus, items, shared=100, on_done=lambda k, r: seen.append(k))
    assert [g[0] for g in got] == [i * i + 100 for i in items]
    assert sorted(seen) == items


def test_the_pool_is_kept_while_the_shared_part_is_the_same():
    shared_a, shared_b = 1000, 2000
    with LocalPool(2) as ex:
        got = ex.map(square_plus, list(range(12)), shared=shared_a)
        pool = ex._pool
        assert pool is not None
        assert len({pid for _, pid in got} - {os.getpid()}) <= 1  # at most one helper besides this process
        ex.map(square_plus, list(range(4)), shared=shared_a)
        assert ex._pool is pool
        got = ex.map(square_plus, list(range(4)), shared=shared_b)
        assert ex._pool is not pool and [g[0] for g in got] == [i * i + shared_b for i in range(4)]
    assert ex._pool is None


def test_each_hands_over_every_result_by_key():
    done = {}
    with LocalPool(2) as ex:
        ex.each(square_plus, {"a": 1, "b": 2, "c": 3}, lambda k, r: done.__setitem__(k, r[0]), shared=0)
    assert done == {"a": 1, "b": 4, "c": 9}


def sleep_then_pid(shared: None, item: float) -> tuple[int, float]:
    """Sleep ``item`` seconds; (the process, when the task began: ``time.time()``)."""
    import time

    began = time.time()
    time.sleep(item)
    return os.getpid(), began


@pytest.mark.parametrize("make", [InProcess, lambda: LocalPool(2), lambda: LocalPool(3)])
def test_started_tasks_finish_with_every_result_by_key(make):
    """``start`` then ``finish``: the same results as ``each``, whichever the executor."""
    done = {}
    with make() as ex:
        started = ex.start(square_plus, {"a": 1, "b": 2, "c": 3, "d": 4}, shared=10)
        started.finish(lambda k, r: done.__setitem__(k, r[0]))
        with pytest.raises(RuntimeError, match="finished already"):
            started.finish(lambda k, r: None)
    assert done == {"a": 11, "b": 14, "c": 19, "d": 26}


def test_a_pool_works_on_started_tasks_while_this_process_does_other_work():
    """The helper runs started tasks before ``finish`` (a comparison's charts while its tables are
    written); ``finish`` computes here the tasks no helper has begun, from the back, and waits for
    the rest. Fails if ``start`` only defers to ``finish`` (nothing begins before it) or only sends
    the first task (nothing feeds the helper its second while this process is busy)."""
    import time

    with LocalPool(2) as ex:
        ex.map(sleep_then_pid, [0.0, 0.0])  # the helper is up (the same shared part: None)
        here = os.getpid()
        started = ex.start(sleep_then_pid, {"first": 0.6, "second": 0.6, "third": 0.6, "last": 0.6})
        time.sleep(1.0)  # this process busy elsewhere: the helper ran "first" and began "second"
        finish_at = time.time()
        took = {}
        started.finish(took.__setitem__)
    assert took["first"][0] != here and took["first"][1] < finish_at - 0.5  # the helper's, begun at start
    assert took["second"][1] < finish_at  # fed by the thread while this process slept
    assert took["last"][0] == here  # not begun by the helper when finish came: taken back, computed here


def test_started_tasks_left_unfinished_end_with_the_pool_quietly():
    """A caller that stops before ``finish`` (an error while writing the tables): leaving the pool
    cancels what is queued, and the thread that fed the helpers ends without a traceback."""
    import threading

    seen = []
    old = threading.excepthook
    threading.excepthook = seen.append
    try:
        with pytest.raises(KeyError), LocalPool(2) as ex:
            ex.start(sleep_then_pid, {k: 0.3 for k in range(5)})
            raise KeyError("the caller's own error")
        for t in [t for t in threading.enumerate() if t.name == "zonesim-feeder"]:
            t.join(timeout=10)
            assert not t.is_alive()
    finally:
        threading.excepthook = old
    assert seen == []


@pytest.mark.parametrize("make", [InProcess, lambda: LocalPool(2)])
def test_a_failing_started_task_raises_at_finish(make):
    with make() as ex:
        started = ex.start(fail_on_three, dict(enumerate(range(6))))
        with pytest.raises(ValueError, match="three"):
            started.finish(lambda k, r: None)


@pytest.mark.parametrize("make", [InProcess, lambda: LocalPool(2)])
def test_a_failing_task_raises_in_the_caller(make):
    with pytest.raises(ValueError, match="three"), make() as ex:
        ex.map(fail_on_three, list(range(6)))


def test_a_bad_scheduler_address_is_one_line():
    from sim.core.errors import InputError

    with pytest.raises(InputError, match="expected an address like tcp://HOST:8786"):
        DaskCluster("localhost:8786")


@pytest.mark.slow
def test_dask_gives_the_same_results_as_in_process():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        with executor(scheduler=cluster.scheduler_address) as ex:
            assert ex.backend == "dask"
            got = ex.map(square_plus, list(range(6)), shared=7)
            again = ex.map(square_plus, list(range(3)), shared=8)
    assert [g[0] for g in got] == [i * i + 7 for i in range(6)]
    assert [g[0] for g in again] == [i * i + 8 for i in range(3)]
    assert os.getpid() not in {pid for _, pid in got}


def hint_seen(shared: None, item: int) -> tuple[int, int]:
    from sim.core import kernels

    return kernels._expected, os.getpid()


@pytest.mark.parametrize("make, processes", [(InProcess, 1), (lambda: LocalPool(2), 2), (lambda: LocalPool(3), 3)])
def test_every_process_is_told_its_share_of_the_runs(make, processes):
    """A call that says how many model runs its tasks make (``runs=``) tells every process that computes
    them its share, rounded up, before each task (``kernels.expect_models``: when the compiled kernels
    load, never a result); this process's hint is taken back when the call ends."""
    from sim.core import kernels

    with make() as ex:
        got = ex.map(hint_seen, list(range(8)), runs=13)
        alone = ex.map(hint_seen, [0], runs=7)  # one task: this process makes every run
    assert {told for told, _ in got} == {-(-13 // processes)}
    assert alone[0][0] == 7 and kernels._expected == 0


def test_without_runs_the_hint_is_left_as_it_is():
    from sim.core import kernels

    kernels.expect_models(5)
    try:
        assert [told for told, _ in InProcess().map(hint_seen, [1, 2])] == [5, 5]
        assert kernels._expected == 5
    finally:
        kernels.expect_models(0)


def test_the_hint_is_taken_back_when_a_task_fails():
    from sim.core import kernels

    with pytest.raises(ValueError, match="three"):
        InProcess().map(fail_on_three, [1, 3], runs=4)
    assert kernels._expected == 0
