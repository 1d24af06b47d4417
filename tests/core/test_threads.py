"""sim.core.threads: the opt-in split of elementwise loops gives the one thread's bits, everywhere it is used."""

from __future__ import annotations

import multiprocessing
import threading

import numpy as np
import pytest

from sim.core import kernels, pmath, threads


@pytest.fixture
def thread_count():
    """Set the process's thread count for a test (``ZONESIM_THREADS`` re-read afterwards)."""
    old = threads.set_count(1)
    yield threads.set_count
    threads.set_count(old)


def each_count(fn, counts=(1, 2, 3)):
    """``fn()`` with each thread count; the results."""
    out = []
    for k in counts:
        threads.set_count(k)
        out.append(fn())
    return out


def same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize(("value", "want"), [("", 1), (" 2 ", 2), ("64", 64), ("1", 1)])
def test_setting_allowed_values(monkeypatch, value, want):
    monkeypatch.setenv(threads.ENV, value)
    assert threads.wanted() == want


@pytest.mark.parametrize("value", ["0", "65", "two", "-1", "1.5", "²"])
def test_bad_setting_is_one_line_exit_2_nothing_written(monkeypatch, refused_before_writing, value):
    from sim.core.errors import InputError

    monkeypatch.setenv(threads.ENV, value)
    with pytest.raises(InputError, match=threads.ENV):
        threads.wanted()
    refused_before_writing(threads.ENV, "a whole number of threads from 1 to 64")


def test_set_count_refuses_nonsense(thread_count):
    for bad in (0, 65, 1.5, "2"):
        with pytest.raises(ValueError):
            thread_count(bad)


@pytest.mark.parametrize("k", [2, 3, 4])
@pytest.mark.parametrize("n", [threads.MIN_ROWS, threads.MIN_ROWS + 1, 3 * threads.MIN_ROWS + 777])
def test_parts_cover_the_rows_in_order_aligned(thread_count, k, n):
    thread_count(k)
    ranges = threads.parts(n, 512)
    assert ranges[0][0] == 0 and ranges[-1][1] == n and len(ranges) <= k
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    assert all((hi - lo) % 512 == 0 for lo, hi in ranges[:-1]) and all(hi > lo for lo, hi in ranges)


def test_parts_none_for_one_thread_or_a_small_loop(thread_count):
    assert threads.parts(10 * threads.MIN_ROWS) is None  # one thread
    thread_count(2)
    assert threads.parts(threads.MIN_ROWS - 1) is None
    assert threads.parts(threads.MIN_ROWS) is not None
    # rows of several numbers (the row moves: a row a column each): the numbers count, and each part has a row
    assert threads.parts(threads.MIN_ROWS // 8 - 1, 1, 8) is None
    assert threads.parts(threads.MIN_ROWS // 8, 1, 8) == [(0, threads.MIN_ROWS // 16), (threads.MIN_ROWS // 16, threads.MIN_ROWS // 8)]
    assert threads.parts(1, 1, 10 * threads.MIN_ROWS) is None  # one row cannot be shared by two threads


def test_run_keeps_the_parts_order_and_runs_them_at_once(thread_count):
    thread_count(3)
    names = []
    got = threads.run(lambda lo, hi: names.append(threading.current_thread().name) or (lo, hi), [(0, 1), (1, 2), (2, 3)])
    assert got == [(0, 1), (1, 2), (2, 3)]
    assert names.count(threading.current_thread().name) == 1  # the caller takes one part, the pool the others


def test_run_waits_for_every_part_before_an_error_is_raised(thread_count):
    import time

    done = []

    def part(lo, hi):
        if lo == 0:
            raise RuntimeError("first part failed")
        time.sleep(0.05)
        done.append(lo)

    with pytest.raises(RuntimeError, match="first part"):
        threads.run(part, [(0, 1), (1, 2), (2, 3)])
    assert sorted(done) == [1, 2]  # both had finished when the error came out

    def late(lo, hi):
        if lo == 2:
            raise ValueError("a pool part failed")

    with pytest.raises(ValueError, match="pool part"):
        threads.run(late, [(0, 1), (1, 2), (2, 3)])


def _child_runs(q):
    threads.set_count(2)
    q.put(threads.run(lambda lo, hi: hi - lo, [(0, 5), (5, 7)]))


def test_a_forked_child_makes_its_own_pool(thread_count):
    """A study's forked worker finds the parent's pool without its threads: it makes its own."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork here")
    thread_count(2)
    threads.run(lambda lo, hi: None, [(0, 1), (1, 2)])  # the parent's pool exists
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child_runs, args=(q,))
    p.start()
    try:
        assert q.get(timeout=60) == [5, 2]
    finally:
        p.join(60)
    assert p.exitcode == 0


def _maths_inputs(n):
    rng = np.random.default_rng(37)
    x = rng.lognormal(0.0, 2.0, n)
    x[::9973] = rng.uniform(-3.0, 3.0, x[::9973].size)  # negatives and small ones: other paths
    x[5], x[77_777], x[n - 3] = np.nan, 0.0, 5e-320  # NaN, zero, a subnormal number
    x[n // 2] = np.inf
    y = rng.normal(0.0, 1.5, n)
    y[1234] = 0.0
    return x, y


@pytest.mark.parametrize("n", [threads.MIN_ROWS + 4097, 2 * threads.MIN_ROWS])
def test_maths_the_same_bits_on_any_thread_count(thread_count, n):
    x, y = _maths_inputs(n)
    with np.errstate(all="ignore"):
        def maths():
            inplace = x.copy()
            pmath.power(inplace, y, out=inplace)
            return [pmath.exp(x * 3.0), pmath.exp(-np.abs(x) * 300.0), pmath.log(x), pmath.log1p(x), pmath.power(x, y),
                    pmath.power(np.abs(x), 0.37), pmath.sin(np.nan_to_num(x, posinf=1.0) % 100.0), inplace]

        one, two, three = each_count(maths)
    for a, b, c in zip(one, two, three):
        assert same(a, b) and same(a, c)


@pytest.mark.parametrize("rounds", [1, 2])
def test_keyed_draws_the_same_on_any_thread_count(thread_count, rounds):
    if not kernels.enable():
        pytest.skip("numba not installed or switched off")
    rng = np.random.default_rng(19)
    keys = rng.integers(0, 2**63, threads.MIN_ROWS * 2 + 3001, dtype=np.int64).view(np.uint64)
    p = rng.uniform(0.0, 0.2, keys.size)
    c1, c2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(12345)

    def draws():
        return [kernels.keyed_uniform(keys, c1, c2, rounds), kernels.keyed_below(keys, c1, c2, rounds, np.array(0.07)),
                kernels.keyed_below(keys, c1, c2, rounds, p), kernels.keyed_normal(keys, c1, c2, rounds),
                kernels.keyed_below(keys, c1, c2, rounds, np.array(0.0)),
                kernels.keyed_below(keys, c1, c2, rounds, np.array(0.9))]  # the parts' picks overlap when joined

    results = each_count(draws, (1, 2, 3, 4))
    for got in results[1:]:
        for a, b in zip(results[0], got):
            assert same(a, b)
    assert results[0][4].size == 0 and results[0][1].size > 1000
    assert np.all(np.diff(results[0][2]) > 0)  # picks ascending, as numpy's flatnonzero
    for k in (1, 2, 3):  # and numpy's flatnonzero of the uniforms, on any thread count
        threads.set_count(k)
        assert np.array_equal(kernels.keyed_below(keys, c1, c2, rounds, np.array(0.9)), np.flatnonzero(results[0][0] < 0.9))
        assert np.array_equal(kernels.keyed_below(keys, c1, c2, rounds, p), np.flatnonzero(results[0][0] < p))


def test_row_moves_the_same_on_any_thread_count(thread_count):
    if not kernels.enable():
        pytest.skip("numba not installed or switched off")
    rng = np.random.default_rng(3)
    n = 400_000
    cols = [rng.normal(size=n), rng.integers(0, 99, n), rng.normal(size=n), rng.integers(0, 9, n).astype(np.int32),
            rng.random(n) < 0.5]
    src = rng.choice(n // 2, 60_000, replace=False).astype(np.int64) + n // 2
    dst = rng.choice(n // 2, 60_000, replace=False).astype(np.int64)

    def moved():
        cs = [c.copy() for c in cols]
        assert kernels.move_row_groups([(cs[0], cs[2]), (cs[1],), (cs[3],), (cs[4],)], len(cs), src, dst)  # by dtype
        return cs

    results = each_count(moved)
    for got in results[1:]:
        for a, b in zip(results[0], got):
            assert same(a, b)
    assert np.array_equal(results[0][0][dst], cols[0][src])


def test_a_whole_run_the_same_on_two_threads(thread_count, monkeypatch):
    """A run whose loops all split (MIN_ROWS lowered to one block, so the default world's loops over firms,
    cohorts and keys run in parts): every results table the one thread's to the last bit."""
    from sim.model.zonemodel import ZoneModel
    from sim.scenario.packages import load_package

    kernels.enable()
    monkeypatch.setattr(threads, "MIN_ROWS", 600)
    split = []
    real = threads.run
    monkeypatch.setattr(threads, "run", lambda part, ranges: split.append(len(ranges)) or real(part, ranges))

    def table():
        m = ZoneModel(levers=load_package("guangxi-23").build(), rng=7, agent_handles="lazy")
        for _ in range(4):
            m.step()
        return m.results()

    one, two = each_count(table, (1, 2))
    assert len(split) > 100  # the two-thread run split its loops
    assert one.equals(two)
    for col in one.columns:
        if one[col].dtype.kind == "f":
            assert np.array_equal(one[col].to_numpy(), two[col].to_numpy(), equal_nan=True), col
