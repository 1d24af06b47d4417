"""The compiled kernels (sim/core/kernels.py) give bit for bit the numbers of the numpy code they
replace: the hash and uniforms of the keyed streams, Poisson counts, group sums, and whole runs."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core import kernels
from sim.core.streams import Streams, poisson_ppf

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed or switched off")


@pytest.fixture(autouse=True)
def kernels_on(monkeypatch):
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())


def both(fn, monkeypatch):
    """fn() with the kernels, then with numpy."""
    got = fn()
    monkeypatch.setattr(kernels, "ENABLED", False)
    want = fn()
    monkeypatch.setattr(kernels, "ENABLED", True)
    return got, want


@pytest.mark.parametrize("rounds", [1, 2])
def test_keyed_bits_and_uniforms_match_numpy(monkeypatch, rounds):
    rng = np.random.default_rng(5)
    keys = rng.integers(0, 2**63, 5_000, dtype=np.int64).view(np.uint64)
    keys[:3] = [0, 1, np.uint64(2**64 - 1)]
    s = Streams(42, ["a", "b", "c"], rounds=rounds)
    for fn in (lambda: s.bits("a", 3, keys), lambda: s.uniform("b", -8, keys, draw=2),
               lambda: s.bits(("a", "b", "c"), 1, keys), lambda: s.uniform(("c", "a"), 7, keys.reshape(50, 100)),
               lambda: s.normal(("a", "b"), 2, keys), lambda: s.uniform("a", 1, keys[:0])):
        got, want = both(fn, monkeypatch)
        assert got.dtype == want.dtype and got.shape == want.shape
        assert np.array_equal(got.view(np.uint64), want.view(np.uint64))
    for n in (1, 2047, 2048, 2049, 4097):  # the uniforms' blocks of 2,048 hashes: their edges
        got, want = both(lambda n=n: s.uniform("b", 5, keys[:n]), monkeypatch)
        assert np.array_equal(got.view(np.uint64), want.view(np.uint64))


def test_normal_quantile_matches_numpy(monkeypatch):
    """The compiled central rational function and tails (after numpy's log) give numpy's normal
    quantiles bit for bit: centre, both tails, the far tails (r > 5), the cut-offs and the extremes
    of (0, 1)."""
    from sim.core.streams import ndtri

    rng = np.random.default_rng(3)
    u = np.concatenate([rng.uniform(0, 1, 20_000), rng.uniform(0, 1e-12, 500), 1.0 - rng.uniform(0, 1e-12, 500),
                        [0.075, 0.925, 0.5, 0.5 - 2.0**-53, 2.0**-53, 1.0 - 2.0**-53, 1e-300, 0.0749999, 0.9250001]])
    for x in (u, u[:20_000].reshape(10, -1), u[:0], rng.uniform(0.2, 0.8, 1000)):
        got, want = both(lambda x=x: ndtri(x), monkeypatch)
        assert got.shape == want.shape and np.array_equal(got.view(np.uint64), want.view(np.uint64))


@pytest.mark.parametrize("survival", [True, False])
def test_poisson_counts_match_numpy(monkeypatch, survival):
    """The compiled sequential head and windows give numpy's counts: with uniforms within 2**-20
    of 1 (the survival side over each group's window) and without (every row in one shared
    window: widths from a few cells to thousands, the count must not depend on the window's width)."""
    rng = np.random.default_rng(9 + survival)
    lam = np.concatenate([rng.uniform(0, 3, 3000), rng.uniform(3, 60, 3000), rng.lognormal(5, 2, 2000),
                          [1e-9, 2.9, 3.0, 400.0, 5e4]])
    u = rng.uniform(0, 1, lam.size)
    if survival:
        u[:200] = 1.0 - rng.uniform(0, 2.0**-20, 200)  # the survival side
    else:
        u[:200] = 1.0 - rng.uniform(2.0**-20, 2.0**-12, 200)  # close to 1, not that close
    u[200:300] = rng.uniform(0, 1e-12, 100)
    got, want = both(lambda: poisson_ppf(u, lam), monkeypatch)
    assert np.array_equal(got, want)
    for part in (slice(0, 3000), slice(3000, 6000), slice(6000, None), slice(0, 7)):  # a call's rows alone
        got, want = both(lambda part=part: poisson_ppf(u[part], lam[part]), monkeypatch)
        assert np.array_equal(got, want)
    # a year's entry or graduates: a few rows of a few zones (the windows' compiled set-up), rates
    # whose first window cell is either side of the log-factorial table's end (4,096)
    edge = [x for x in np.arange(4700.0, 4900.0) if np.floor(x - 11.0 * np.sqrt(x) - 5.0) in (4095.0, 4096.0)]
    assert len(edge) >= 2
    for rates in (np.array([[2.5] * 14, [40.0] * 14]), np.array(edge), rng.uniform(3, 500, 28).reshape(2, 14)):
        uu = rng.uniform(0, 1, rates.shape)
        got, want = both(lambda r=rates, x=uu: poisson_ppf(x, r), monkeypatch)
        assert got.shape == want.shape == rates.shape and np.array_equal(got, want)


def test_group_sum_matches_bincount(monkeypatch):
    rng = np.random.default_rng(1)
    g = rng.integers(0, 37, 10_000)
    w = rng.lognormal(0, 3, g.size)
    assert np.array_equal(kernels.group_sum(g, w, 40), np.bincount(g, weights=w, minlength=40))
    assert np.array_equal(kernels.group_sum(g, None, 40), np.bincount(g, minlength=40))
    # groups beyond the size lengthen the result, negative ones raise: as bincount
    assert np.array_equal(kernels.group_sum(g, w, 10), np.bincount(g, weights=w, minlength=10))
    with pytest.raises(ValueError):
        kernels.group_sum(np.array([0, -1]), np.ones(2), 3)


@pytest.mark.parametrize("layout", ["sorted", "runs", "one group", "alternating", "scrambled", "tiny"])
def test_group_sums_over_runs_match_bincount(layout):
    """The kernels keep a run of equal groups' sum in a register: the same sums, bit for bit, whatever
    the layout (firms are stored mostly zone by zone), and the group order of the sums unchanged."""
    rng = np.random.default_rng(7)
    n = 3 if layout == "tiny" else 20_000
    g = {"sorted": np.sort(rng.integers(0, 14, n)),
         "runs": np.repeat(rng.integers(0, 14, n // 50), rng.integers(1, 100, n // 50))[:n],
         "one group": np.full(n, 5),
         "alternating": np.arange(n) % 2 * 13,
         "scrambled": rng.integers(0, 14, n),  # the plain loop (_mostly_switching)
         "tiny": np.array([2, 2, 0])}[layout].astype(np.int64)
    w = rng.lognormal(0, 3, g.size) * rng.choice([-1.0, 1.0], g.size)
    assert np.array_equal(kernels.group_sum(g, w, 14), np.bincount(g, weights=w, minlength=14))
    assert np.array_equal(kernels.group_sum(g, None, 14), np.bincount(g, minlength=14))
    emp, share, sector = np.abs(w), rng.uniform(0, 1, 8), rng.integers(0, 8, g.size)
    got = kernels.demand(g, emp, share, sector, 14)
    assert got is not None and np.array_equal(got[1], np.bincount(g, weights=emp * share[sector], minlength=14))
    bad = g.copy()
    bad[-1] = 14  # a group outside [0, size) after a run: bincount decides, as before
    assert kernels.demand(bad, emp, share, sector, 14) is None
    assert np.array_equal(kernels.group_sum(bad, w, 14), np.bincount(bad, weights=w, minlength=14))


def test_the_group_sums_pick_their_loop_by_how_often_the_group_changes():
    """Runs of one group: the running sum in a register; a group that changes at many elements
    (firms by zone after a few years: ~60 % of neighbours differ): the plain loop, which a
    mispredicted test of the change would make 2-4x slower (docs/performance.md, eleventh session)."""
    rng = np.random.default_rng(3)
    n = 50_000
    assert not kernels._mostly_switching(np.sort(rng.integers(0, 14, n)))
    assert not kernels._mostly_switching(np.repeat(np.arange(14), n // 14).astype(np.int64))
    assert kernels._mostly_switching(rng.integers(0, 14, n))
    assert kernels._mostly_switching(np.arange(n, dtype=np.int64) % 3)
    assert not kernels._mostly_switching(rng.integers(0, 14, 100))  # short: not worth a sample
    # ~5 % changes: runs; ~40 %: plain
    for p, want in ((0.05, False), (0.4, True)):
        g = (np.cumsum(rng.random(n) < p) % 14).astype(np.int64)
        assert kernels._mostly_switching(g) is want


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_several_group_sums_in_one_pass_match_bincount(monkeypatch, k):
    """group_sums: bincount's counts and sums for 1-4 weights in one pass (5: bincount each), bit
    for bit, on sorted and shuffled groups; groups outside [0, size) go to bincount as before."""
    rng = np.random.default_rng(k)
    for g in (np.sort(rng.integers(0, 30, 9000)), rng.integers(0, 30, 9000), rng.integers(0, 30, 100)):
        ws = tuple(rng.lognormal(0, 3, g.size) * rng.choice([-1.0, 1.0], g.size) for _ in range(k))
        want = [np.bincount(g, minlength=32)] + [np.bincount(g, weights=w, minlength=32) for w in ws]
        for count in (True, False):
            got, ref = both(lambda g=g, ws=ws, count=count: kernels.group_sums(g, ws, 32, count=count), monkeypatch)
            expect = want if count else want[1:]
            assert len(got) == len(expect) == len(ref)
            for a, b, c in zip(got, expect, ref):
                assert a.dtype == b.dtype == c.dtype and np.array_equal(a, b) and np.array_equal(c, b)
    bad = np.r_[np.zeros(300, dtype=np.int64), 40]
    sums = kernels.group_sums(bad, (np.ones(bad.size),), 32, count=True)
    assert sums[0].size == 41 and sums[1][40] == 1.0  # bincount lengthens, as before


def test_runs_identical_with_and_without_kernels(monkeypatch):
    import dataclasses

    from sim.experiments.runner import simulate
    from sim.scenario.packages import load_package
    from sim.scenario.world import load_world

    world = load_world("synthetic:8,3000,6000")
    full = load_package("guangxi-23")  # every measure but the park it names, which is in Liuzhou
    pkg = dataclasses.replace(full, levers={k: v for k, v in full.levers.items() if k != "park_integration"})
    got, want = both(lambda: simulate(world, pkg, None, 11, 4), monkeypatch)
    assert got.equals(want)


def test_kernels_switch_on_after_enough_agents(monkeypatch):
    monkeypatch.setattr(kernels, "ENABLED", False)
    monkeypatch.setattr(kernels, "_agents", 0)
    monkeypatch.setattr(kernels, "_warmed", False)
    monkeypatch.setattr(kernels, "WARM_UP", 1000)
    kernels.model_started(600)
    assert not kernels.ENABLED
    kernels.model_started(600)
    assert kernels.ENABLED


def test_kernels_switch_on_at_the_first_model_when_the_expected_ones_will_pay(monkeypatch):
    """``expect_models``: a command that will build N models in this process switches at the first
    when N of its size reach the warm-up, not after the warm-up's agents are built."""
    monkeypatch.setattr(kernels, "ENABLED", False)
    monkeypatch.setattr(kernels, "_agents", 0)
    monkeypatch.setattr(kernels, "_warmed", False)
    monkeypatch.setattr(kernels, "WARM_UP", 1000)
    monkeypatch.setattr(kernels, "_expected", 0)
    kernels.expect_models(1)  # one model of 600: not worth it
    kernels.model_started(600)
    assert not kernels.ENABLED
    monkeypatch.setattr(kernels, "_agents", 0)
    kernels.expect_models(2)  # two of 600 reach 1,000
    kernels.model_started(600)
    assert kernels.ENABLED == kernels.AVAILABLE


@pytest.mark.parametrize(("no_numba", "after", "want"), [
    ("", "", (False, 300_000)), (" OFF ", "0", (False, 0)), ("yes", "1000", (True, 1000)), ("1", " 42 ", (True, 42)),
])
def test_kernel_switches_allowed_values(monkeypatch, no_numba, after, want):
    for var, value in (("ZONESIM_NO_NUMBA", no_numba), ("ZONESIM_KERNELS_AFTER", after)):
        monkeypatch.setenv(var, value)
    assert kernels.switches_wanted() == want


@pytest.mark.parametrize(("var", "value", "allowed"), [
    ("ZONESIM_KERNELS_AFTER", "abc", "a whole number of agents, 0 or more (default 300,000"),
    ("ZONESIM_KERNELS_AFTER", "-5", "a whole number of agents, 0 or more"),
    ("ZONESIM_KERNELS_AFTER", "1e5", "a whole number of agents, 0 or more"),
    ("ZONESIM_KERNELS_AFTER", "²", "a whole number of agents, 0 or more"),  # a digit to str.isdigit, not to int()
    ("ZONESIM_NO_NUMBA", "maybe", "1, on, true, yes or 0, off, false, no (the default)"),
])
def test_bad_kernel_switch_is_one_line_exit_2_nothing_written_and_no_broken_import(monkeypatch, refused_before_writing,
                                                                                   var, value, allowed):
    """A kernel switch with a value it does not allow stops a command before it writes anything (one
    line naming the variable and what is allowed, exit 2, an earlier folder kept byte for byte); the
    module still imports (each switch falls back: the numpy code for a bad ZONESIM_NO_NUMBA, the
    default warm-up for a bad ZONESIM_KERNELS_AFTER) instead of failing with a traceback."""
    import subprocess
    import sys

    from sim.core.errors import InputError

    monkeypatch.setenv(var, value)
    with pytest.raises(InputError, match=var):
        kernels.switches_wanted()
    refused_before_writing(var, repr(value), allowed)
    fresh = subprocess.run([sys.executable, "-c", "from sim.core import kernels as k; print(k.WARM_UP, k.AVAILABLE)"],
                           capture_output=True, text=True, check=True)
    warm_up, available = fresh.stdout.split()
    assert int(warm_up) == 300_000
    if var == "ZONESIM_NO_NUMBA":
        assert available == "False"


@pytest.mark.parametrize("n_zones", [1, 2, 14, 40, 400, 4000])
def test_zone_key_order_matches_numpy(monkeypatch, n_zones):
    from sim.core.streams import zone_key_order

    rng = np.random.default_rng(n_zones)
    zone = rng.integers(0, n_zones, 30_000)
    keys = rng.integers(0, 2**63, zone.size, dtype=np.int64).view(np.uint64)
    got, want = both(lambda: zone_key_order(zone, keys, n_zones), monkeypatch)
    assert np.array_equal(got, want)


def test_demand_matches_numpy():
    rng = np.random.default_rng(4)
    zone, sector = rng.integers(0, 14, 20_000), rng.integers(0, 8, 20_000)
    emp, share = rng.lognormal(2, 1, zone.size), rng.uniform(0, 1, 8)
    want, demand = kernels.demand(zone, emp, share, sector, 14)
    assert np.array_equal(want, emp * share[sector])
    assert np.array_equal(demand, np.bincount(zone, weights=emp * share[sector], minlength=14))
    zone[5] = 20  # outside [0, size): the caller's numpy decides
    assert kernels.demand(zone, emp, share, sector, 14) is None


@pytest.mark.parametrize("n_moves", [0, 31, 32, 500])
def test_pool_row_moves_match_numpy(monkeypatch, n_moves):
    """Pool.remove's row moves (kernels.move_row_groups: one pass per dtype) leave every column, the
    uid-to-slot map and the returned moves as numpy's gather and scatter do, for every dtype of a
    firm pool; a kernel that skipped a column, a dtype group or the last row fails."""
    from sim.agents.enterprise import FIRM_COLUMNS
    from sim.core.pool import Pool

    def run():
        rng = np.random.default_rng(n_moves)
        pool = Pool(FIRM_COLUMNS, 64, compact=True)
        n = 3000
        pool.add(n, **{name: (rng.integers(0, 2**63, n, dtype=np.int64) if np.dtype(dt).kind in "iu" and dt != np.int8
                              else rng.random(n) > 0.5 if dt is np.bool_ else rng.integers(-5, 5, n).astype(dt)
                              if dt is np.int8 else rng.normal(size=n)).astype(dt)
                          for name, (dt, _fill) in FIRM_COLUMNS.items()})
        # holes below the new end (moved into from the tail) and exits in the tail itself
        low = rng.choice(n - 600, n_moves, replace=False)
        tail = rng.choice(np.arange(n - 600, n), 100, replace=False)
        moves = pool.remove(np.r_[low, tail])
        return [moves, pool._uid_slot.copy()] + [getattr(pool, name)[:pool.n].copy() for name in pool._columns]

    got, want = both(run, monkeypatch)
    assert len(got) == len(want)
    for a, b in zip(got[2:], want[2:]):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert all(np.array_equal(a, b) for a, b in zip(got[0], want[0])) and np.array_equal(got[1], want[1])
    groups = [(np.arange(10.0),), (np.arange(10),)]
    assert not kernels.move_row_groups(groups, 2, np.arange(5, 10), np.arange(5))  # too few rows to pay: numpy's


def test_counted_keys_match_numpy(monkeypatch):
    """keys.counted_keys in one compiled pass (kernels.counted_keys_from: the zone keys' chain step and
    the agents' keys): the same uint64 keys, zones with no agent included; a negative count raises as
    numpy's repeat does."""
    from sim.core.keys import counted_keys

    rng = np.random.default_rng(12)
    zk = rng.integers(0, 2**64, 30, dtype=np.uint64)
    counts = rng.integers(0, 40, 30)
    counts[[0, 7, 29]] = 0
    for year in (None, 0, -3, 2041):
        got, want = both(lambda year=year: counted_keys(5, year, zk, counts), monkeypatch)
        assert got.dtype == want.dtype == np.uint64 and np.array_equal(got, want)
    got, want = both(lambda: counted_keys(5, 1, zk[:0], counts[:0]), monkeypatch)
    assert got.shape == want.shape == (0,)
    assert kernels.counted_keys_from(np.uint64(3), zk, -counts - 1) is None
    with pytest.raises(ValueError):
        counted_keys(5, 1, zk, -counts - 1)



def test_sums_by_two_indices_match_bincount(monkeypatch):
    """kernels.sums_by_two: one weight summed by two indices in one pass, bincount's sums bit for
    bit (each in element order); an index outside its range goes to bincount, which lengthens."""
    rng = np.random.default_rng(21)
    z = np.sort(rng.integers(0, 14, 5000))
    cell = z * 5 + rng.integers(0, 5, z.size)
    w = rng.lognormal(0, 3, z.size)
    got, want = both(lambda: kernels.sums_by_two(cell, z, w, 70, 14), monkeypatch)
    for a, b, c in zip(got, want, (np.bincount(cell, w, minlength=70), np.bincount(z, w, minlength=14))):
        assert np.array_equal(a, c) and np.array_equal(b, c)
    a, b = kernels.sums_by_two(cell, np.r_[z[:-1], 20], w, 70, 14)
    assert b.size == 21 and b[20] == w[-1]


def test_bernoulli_picks_match_numpy(monkeypatch):
    """Streams.below: the indices numpy's uniform < p picks, per-key and scalar p, 0 and 1 and NaN
    thresholds, empty keys; a 2-d key array or an integer p takes numpy's path."""
    from sim.core.streams import Streams

    s = Streams(7, ["a.b"])
    rng = np.random.default_rng(2)
    keys = rng.integers(0, 2**64, 20_000, dtype=np.uint64)
    p = rng.uniform(-0.1, 1.1, keys.size)
    p[:50] = np.nan
    for thr in (p, 0.3, 0.0, 1.0, np.float64(0.5)):
        got, want = both(lambda thr=thr: s.below("a.b", 3, keys, thr), monkeypatch)
        assert got.dtype == np.int64 and np.array_equal(got, want)
        assert np.array_equal(want, np.flatnonzero(s.uniform("a.b", 3, keys) < thr))
    got, want = both(lambda: s.below("a.b", 3, keys[:0], 0.5), monkeypatch)
    assert got.size == want.size == 0
    for n in (1, 2047, 2048, 2049, 4096, 4097):  # the kernel's blocks of 2,048 keys: their edges
        for thr in (p[:n], 0.3):
            got, want = both(lambda n=n, thr=thr: s.below("a.b", 3, keys[:n], thr), monkeypatch)
            assert np.array_equal(got, want)
    assert np.array_equal(s.below("a.b", 1, keys[:100].reshape(10, 10), 0.5),
                          np.flatnonzero(s.uniform("a.b", 1, keys[:100].reshape(10, 10)) < 0.5))


# -- sorts and searches (issue 19) -----------------------------------------------------------
_ODD_FLOATS = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1.0, -1.0, 2.0, 5e-324, -5e-324, 1e308,
                        np.frombuffer(np.uint64(0x7FF0000000000123).tobytes(), np.float64)[0],  # NaN payloads
                        np.frombuffer(np.uint64(0xFFF8000000000001).tobytes(), np.float64)[0]])


def _keys(rng, kind, n):
    """Sort keys with few or many ties: uniforms, a handful of values, NaN / signed zero / infinity,
    uint64 hashes with duplicates, rounded normals."""
    if kind == "uniform":
        return rng.uniform(0, 1, n)
    if kind == "few":
        return rng.integers(0, 3, n).astype(np.float64)
    if kind == "odd":
        return rng.choice(_ODD_FLOATS, n)
    if kind == "rounded":
        return np.round(rng.normal(0, 3, n), 1)
    k = rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)
    k[rng.uniform(0, 1, n) < 0.3] = np.uint64(7)
    k[rng.uniform(0, 1, n) < 0.05] = np.uint64(2**64 - 1)
    return k


@pytest.mark.parametrize("kind", ["uniform", "few", "odd", "rounded", "uint64"])
@pytest.mark.parametrize("n_group", [1, 2, 14, 300])
def test_group_lexsort_is_lexsort(monkeypatch, kind, n_group):
    """The radix sort gives np.lexsort((key, group)): ties (equal keys, 0.0 and -0.0, every NaN) keep
    index order, NaN sorts last; from one element up (the size threshold lowered), one group or
    many; out-of-range groups and other dtypes go to lexsort."""
    monkeypatch.setattr(kernels, "_SORTS_MIN", 1)
    rng = np.random.default_rng(n_group)
    for n in (0, 1, 2, 5, 100, 3000, 40_000):
        key, group = _keys(rng, kind, n), rng.integers(0, n_group, n)
        assert np.array_equal(kernels.group_lexsort(key, group, n_group), np.lexsort((key, group))), n
    bad = rng.integers(0, n_group, 3000)
    bad[7] = -1
    key = _keys(rng, kind, 3000)
    assert np.array_equal(kernels.group_lexsort(key, bad, n_group), np.lexsort((key, bad)))
    bad[7] = n_group
    assert np.array_equal(kernels.group_lexsort(key, bad, n_group), np.lexsort((key, bad)))


@pytest.mark.parametrize("n_group", [1, 14, 1600, 2049, 70_000])
def test_prefix_lexsort_settles_ties_or_hands_over(n_group):
    """The packed (group, top key bits) sort: random uint64 keys (no ties in the packed number),
    keys sharing their top bits in short runs (put in order by insertion, equal keys in index
    order), and long runs of distinct keys with the same top bits in reverse order (more shifts
    than keys: False, the full sort's turn); each result that is returned is lexsort's."""
    if not kernels.sorts_on():
        pytest.skip("compiled sorts off")
    rng = np.random.default_rng(n_group)
    n = 20_000
    group = rng.integers(0, n_group, n)
    out = np.empty(n, dtype=np.int64)
    key = rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)
    assert kernels._prefix_lexsort(key, group, n_group, out)
    assert np.array_equal(out, np.lexsort((key, group)))
    top = rng.integers(0, 40, n, dtype=np.uint64) << np.uint64(40)  # ~40 top-bit patterns a group
    low = rng.integers(0, 4, n, dtype=np.uint64)  # equal keys too
    key = top | low
    short = n_group >= 1600  # a few keys a group: short runs
    if short:
        assert kernels._prefix_lexsort(key, group, n_group, out)
        assert np.array_equal(out, np.lexsort((key, group)))
    rev = (np.uint64(1) << np.uint64(40)) - np.arange(n, dtype=np.uint64)  # one top pattern, descending low bits
    ok = kernels._prefix_lexsort(rev, np.zeros(n, dtype=np.int64), 1, out)
    assert not ok
    assert np.array_equal(kernels.group_lexsort(rev, np.zeros(n, dtype=np.int64), 1),
                          np.lexsort((rev, np.zeros(n, dtype=np.int64))))
    assert np.array_equal(kernels.group_lexsort(key, group, n_group), np.lexsort((key, group)))


def test_group_lexsort_compiled_passes_run(monkeypatch):
    """The radix kernel itself (not a fallback) orders keys that agree in all but one 11-bit digit
    (the other passes are skipped), in one digit only, or in none."""
    calls = []
    real = kernels._radix_lexsort if kernels.sorts_on() else None

    def spy(*a):
        calls.append(real(*a))
        return calls[-1]

    monkeypatch.setattr(kernels, "_radix_lexsort", spy)
    rng = np.random.default_rng(2)
    g = rng.integers(0, 5, 5000)
    for key in (np.full(5000, 3.0), rng.integers(0, 4, 5000).astype(np.uint64) << np.uint64(40),
                rng.integers(0, 2**11, 5000).astype(np.uint64), -rng.uniform(0, 1, 5000)):
        assert np.array_equal(kernels.group_lexsort(key, g, 5), np.lexsort((key, g)))
    assert calls == [True] * 4


@pytest.mark.parametrize("n", [0, 1, 17, 5000, 60_000])
def test_stable_argsort_u16_is_numpys(monkeypatch, n):
    monkeypatch.setattr(kernels, "_U16_MIN", 1)
    rng = np.random.default_rng(n)
    for hi in (2, 300, 65536):
        cell = rng.integers(0, hi, n).astype(np.uint16)
        assert np.array_equal(kernels.stable_argsort_u16(cell), np.argsort(cell, kind="stable"))


def test_cum_search_is_searchsorted_of_cumsum():
    """Positions in the cumulative demand: firms with no demand (steps of 0: equal cumulative sums),
    targets exactly on a cumulative sum (side right: the next firm), below 0, above the total, NaN
    (numpy: the end), repeated targets; a negative or NaN demand returns None (numpy decides)."""
    rng = np.random.default_rng(8)
    for n, m in ((1, 1), (7, 40), (5000, 800), (40_000, 3000)):
        want = rng.lognormal(0, 2, n) * (rng.uniform(0, 1, n) < 0.7)
        order = rng.permutation(n)
        cum = np.cumsum(want[order])
        target = np.concatenate([rng.uniform(-1, cum[-1] * 1.01, m), rng.choice(cum, m), [cum[0], -0.0, 0.0,
                                 np.inf, -np.inf, np.nan, cum[-1]]])
        target[5:10] = target[4]
        got = kernels.cum_search(want, order, target)
        assert np.array_equal(got, np.searchsorted(cum, target, side="right"))
    assert kernels.cum_search(np.array([1.0, -0.5, 2.0]), np.arange(3), np.array([1.0])) is None
    assert kernels.cum_search(np.array([1.0, np.nan, 2.0]), np.arange(3), np.array([1.0])) is None
    assert kernels.cum_search(np.array([np.nan]), np.arange(1), np.array([1.0])) is None
    assert kernels.cum_search(np.array([np.inf, -np.inf]), np.arange(2), np.array([1.0])) is None
    assert kernels.cum_search(np.ones(3), np.array([0, 3, 1]), np.array([1.0])) is None  # numpy raises
    assert kernels.cum_search(np.ones(3), np.array([0, -1, 1]), np.array([1.0])) is None  # numpy: from the end


def _queue_fits_numpy(order, values, groups, limit):
    """The land queues' rule as sim/agents/enterprise.py wrote it before the kernel (np.r_ and all)."""
    v, g = values[order], groups[order]
    total = np.cumsum(v)
    start = np.r_[True, g[1:] != g[:-1]]
    offset = np.maximum.accumulate(np.where(start, np.arange(v.size), 0))
    cum = np.zeros(values.size)
    cum[order] = total - np.r_[0.0, total][offset]
    return cum <= limit[groups]


def test_queue_fits_is_the_numpy_queue():
    """Running totals by group in the queue's order against each group's limit: the same booleans
    as numpy's cumsum less the total before the group (rounding included: sums of many unequal
    values sit on the limit exactly in the last case), for groups met in any order, empty groups,
    zero and infinite limits; a bad index or group returns None (numpy decides)."""
    rng = np.random.default_rng(12)
    for n, ng in ((1, 1), (9, 3), (700, 14), (20_000, 40)):
        values = rng.lognormal(0, 1.5, n) * (rng.uniform(0, 1, n) < 0.9)
        groups = rng.integers(0, ng, n)
        order = np.lexsort((rng.uniform(size=n), groups))
        limit = rng.uniform(0, values.sum() / ng * 1.2, ng)
        limit[0], limit[-1] = 0.0, np.inf
        got = kernels.queue_fits(order, values, groups, limit)
        want = _queue_fits_numpy(order, values, groups, limit)
        assert np.array_equal(got, want) and 0 < want.sum() < n or n < 10
    values = np.array([0.1, 0.2, 0.3, 0.7, 0.1])  # 0.1 + 0.2 = 0.30000000000000004: above a 0.3 limit
    groups = np.zeros(5, dtype=np.int64)
    for lim in (0.3, 0.30000000000000004, 0.6, 1.4):
        limit = np.array([lim])
        assert np.array_equal(kernels.queue_fits(np.arange(5), values, groups, limit),
                              _queue_fits_numpy(np.arange(5), values, groups, limit))
    assert kernels.queue_fits(np.array([0, 5]), np.ones(2), np.zeros(2, dtype=np.int64), np.ones(1)) is None
    assert kernels.queue_fits(np.arange(2), np.ones(2), np.array([0, 1]), np.ones(1)) is None


def test_group_starts_is_searchsorted():
    rng = np.random.default_rng(6)
    for g in (np.zeros(0, dtype=np.int64), np.zeros(5, dtype=np.int64), np.sort(rng.integers(0, 14, 30_000)),
              np.sort(rng.integers(-3, 4, 1000)), np.array([0, 0, 3, 3, 3, 9]), np.arange(50)):
        assert np.array_equal(kernels.group_starts(g), np.searchsorted(g, g, side="left"))


def test_keyed_normals_match_numpy(monkeypatch):
    """Streams.normal of one stream in one compiled pass (uniform, central function, tail rows):
    numpy's uniform-then-quantile numbers bit for bit, 1-d and 2-d keys, empty keys, two rounds."""
    from sim.core.streams import Streams

    rng = np.random.default_rng(5)
    keys = rng.integers(0, 2**64, 30_000, dtype=np.uint64)
    for rounds in (1, 2):
        s = Streams(11, ["x.y"], rounds=rounds)
        for k in (keys, keys[:600].reshape(20, 30), keys[:0]):
            got, want = both(lambda k=k, s=s: s.normal("x.y", 4, k), monkeypatch)
            assert got.shape == want.shape == k.shape
            assert np.array_equal(got.view(np.uint64), want.view(np.uint64))
    s = Streams(11, ["x.y"])
    assert (np.abs(s.normal("x.y", 4, keys)) > 2.0).sum() > 1000  # the tails were drawn
    for n in (1, 2047, 2048, 2049, 4097):  # the kernel's blocks of 2,048 keys: their edges
        got, want = both(lambda n=n, s=s: s.normal("x.y", 4, keys[:n]), monkeypatch)
        assert np.array_equal(got.view(np.uint64), want.view(np.uint64))
    s = Streams(11, ["x.y", "x.z", "x.w"])  # several streams in one call: one row each, as one call each
    for k in (keys[:5000], keys[:600].reshape(20, 30), keys[:0]):
        got, want = both(lambda k=k, s=s: s.normal(("x.y", "x.z", "x.w"), 4, k, draw=2), monkeypatch)
        assert got.shape == want.shape == (3,) + k.shape
        assert np.array_equal(got.view(np.uint64), want.view(np.uint64))
        assert np.array_equal(got[1], s.normal("x.z", 4, k, draw=2))


def test_cell_and_zone_sums_match_bincount(monkeypatch):
    """kernels.cell_zone_sums: one weight by cell and two by zone in one pass, bincount's sums bit
    for bit; an index outside its range goes to bincount, which lengthens."""
    rng = np.random.default_rng(22)
    z = np.sort(rng.integers(0, 14, 6000))
    cell = z * 5 + rng.integers(0, 5, z.size)
    w0, w1, w2 = (rng.lognormal(0, 3, z.size) for _ in range(3))
    got, want = both(lambda: kernels.cell_zone_sums(cell, z, w0, (w1, w2), 70, 14), monkeypatch)
    expect = [np.bincount(cell, w0, minlength=70), np.bincount(z, w1, minlength=14), np.bincount(z, w2, minlength=14)]
    assert len(got) == len(want) == 3
    for a, b, c in zip(got, want, expect):
        assert np.array_equal(a, c) and np.array_equal(b, c)
    out = kernels.cell_zone_sums(cell, np.r_[z[:-1], 20], w0, (w1,), 70, 14)
    assert out[1].size == 21 and out[1][20] == w1[-1]


def test_logit_cdf_compiled_is_numpys(monkeypatch):
    """choice.logit_cdf through kernels.logit_rows (compiled around numpy's exp) gives numpy's bits,
    at the edges too: rows of -inf (uniform), NaN utilities, +inf, zeros of both signs, one column,
    a single row, a non-contiguous input and large utilities; draw_alternatives' cached row shifts
    give the same alternatives as with the kernels off."""
    from sim.core.choice import draw_alternatives, logit_cdf
    rng = np.random.default_rng(19)
    util = rng.normal(0, 3, (14, 14))
    util[2] = -np.inf
    util[3, ::2] = -np.inf
    util[4, 5] = np.nan
    util[5, 1] = np.inf
    util[6] = 0.0
    util[6, ::3] = -0.0
    util[7] *= 300.0
    cases = [util, util[:, :5], util[:, :1], util[:1], util.T, np.full((3, 4), -np.inf), rng.normal(0, 1, (40, 7))]
    for u in cases:
        got, want = both(lambda u=u: logit_cdf(u), monkeypatch)
        assert got.tobytes() == want.tobytes()
    assert kernels.logit_rows(util[:, :0]) is None and kernels.logit_rows(util.astype(np.float32)) is None
    cdf = logit_cdf(util)
    group, v = rng.integers(0, 14, 5000), rng.uniform(0, 1, 5000)
    for _ in range(2):  # the second call with the row shifts kept from the first
        got, want = both(lambda: draw_alternatives(cdf, group, v), monkeypatch)
        assert np.array_equal(got, want)


@pytest.mark.parametrize("kind", ["float", "uint"])
def test_group_smallest_is_lexsorts_first_k(kind):
    """The first k[g] of each group in np.lexsort((key, group)): ties by index at the k-th place,
    -0.0 = 0.0, NaN last, +inf, k of 0, negative, or above a group's size, empty groups."""
    rng = np.random.default_rng(8)
    for n in (1, 7, 300, 20_000):
        for n_group in (1, 3, 40):
            g = rng.integers(0, n_group, n)
            if kind == "float":
                key = rng.choice(np.array([0.0, -0.0, 1.5, 2.0, np.inf, -np.inf, np.nan]), n)
                some = rng.random(n) < 0.5
                key[some] = rng.integers(0, 4, some.sum()) * 0.5  # more ties
            else:
                key = rng.integers(0, 5, n).astype(np.uint64) << np.uint64(61)
            k = rng.integers(-1, max(2, n // n_group + 2), n_group)
            order = np.lexsort((key, g))
            gs = g[order]
            rank = np.arange(n) - np.searchsorted(gs, gs)
            want = np.zeros(n, dtype=bool)
            want[order] = rank < k[gs]
            got = kernels.group_smallest(key, g, k)
            assert got is not None and np.array_equal(got, want)


def test_group_smallest_declines_what_it_cannot_do(monkeypatch):
    g = np.array([0, 1, 2])
    assert kernels.group_smallest(np.ones(3), g, np.array([1, 1])) is None  # a group outside k
    assert kernels.group_smallest(np.ones(3, dtype=np.float32), g, np.ones(3, dtype=np.int64)) is None
    monkeypatch.setattr(kernels, "ENABLED", False)
    assert kernels.group_smallest(np.ones(3), g, np.ones(3, dtype=np.int64)) is None


def test_keyed_poisson_matches_numpy(monkeypatch):
    """Streams.poisson's compiled path (the uniforms of each stream into one array, the rows split in
    one pass, the head and windows behind them) gives the numpy path's counts, uniform then
    poisson_ppf: one stream and several, a year's 14 zones and 2 x 14, tens of thousands of firms,
    rates 0, tiny, at the head's limit and far above it, one rate for all keys or one per stream row,
    2-d and empty keys, two hash rounds, and keys whose uniforms lie within 5e-5 of 1."""
    rng = np.random.default_rng(31)
    keys = rng.integers(0, 2**64, 60_000, dtype=np.uint64)
    s0 = Streams(3, ["p.a"])
    u0 = s0.uniform("p.a", 2, keys)
    near = keys[np.argsort(u0)[-6:]]  # 1 - u below ~1e-4: deep into the head and windows
    assert (1.0 - s0.uniform("p.a", 2, near)).max() < 5e-4
    lam = np.concatenate([rng.uniform(0, 0.3, 20_000), rng.uniform(0, 3, 20_000), rng.lognormal(3, 2, 20_000)])
    lam[:50] = 0.0
    lam[50:60] = [1e-300, 1e-9, 2.9999999, 3.0, 3.0000001, 4096.0, 5e4, 2e5, 1e-3, 0.5]
    cases = [("p.a", keys, lam), ("p.a", keys[:14], lam[40_000:40_014]), ("p.a", keys[:14], 0.0),
             ("p.a", keys[:14], 55.0), (("p.a", "p.b"), keys[:14], np.stack([lam[40_000:40_014], lam[20_000:20_014]])),
             (("p.a", "p.b"), keys[:14], np.array([[2.5], [700.0]])), ("p.a", keys[:600].reshape(20, 30), lam[:600].reshape(20, 30)),
             ("p.a", keys[:0], lam[:0]), (("p.a", "p.b"), keys[:0], 1.0),
             ("p.a", near, np.array([0.0, 0.01, 1.0, 2.9, 30.0, 3000.0])), ("p.a", near, 0.7),
             (["p.b", "p.a"], near, np.array([[1e-5] * 6, [9.0] * 6]))]
    for rounds in (1, 2):
        s = Streams(3, ["p.a", "p.b"], rounds=rounds)
        for name, k, la in cases:
            got, want = both(lambda name=name, k=k, la=la, s=s: s.poisson(name, 2, k, la), monkeypatch)
            assert got.dtype == want.dtype == np.int64 and got.shape == want.shape
            assert np.array_equal(got, want), (name, np.shape(la))
    s = Streams(3, ["p.a", "p.b"])
    assert s.poisson("p.a", 2, near, np.full(6, 2000.0)).min() > 1800  # the windows ran on the far side
    assert (s.poisson("p.a", 2, keys, lam) > 3).sum() > 5000
    two = s.poisson(("p.a", "p.b"), 2, keys[:14], np.stack([lam[:14], lam[40_000:40_014]]))
    assert np.array_equal(two[1], s.poisson("p.b", 2, keys[:14], lam[40_000:40_014]))  # a row is its stream's draw


def test_keyed_poisson_in_one_call(monkeypatch):
    """kernels.keyed_poisson (Streams.poisson in one compiled call, pmath's exp and log loops inside) gives
    the counts of the call-by-call path (keyed_poisson_rows, then streams._poisson_rest) bit for bit:
    rates at the head, beyond its steps, in windows, zero, NaN and negative; it declines (None) where
    that path hands over to numpy: a window row's uniform within 2**-20 of 1, a window beyond the
    log-factorial table. Its cache, and keyed_normals', is keyed by pmath's source (a closure value)."""
    from sim.core import streams as st

    kernels.draws_on()
    rng = np.random.default_rng(8)
    keys = rng.integers(0, 2**64, 40_000, dtype=np.uint64)
    lam = np.concatenate([rng.uniform(0, 0.2, 20_000), rng.uniform(0, 6, 10_000), rng.lognormal(2, 1.5, 10_000)])
    lam[:6] = [0.0, np.nan, -1.0, 2.999, 3.0, 1e-300]
    s = Streams(3, ["p.a", "p.b"])

    def steps(names, k, la):
        cs = s._const_rows(names, 2)
        u, act, neg, rows, buf = kernels.keyed_poisson_rows(k, cs, s.rounds, la, st._ABOVE, st._SEQ_RATE)
        out = np.zeros(la.size, dtype=np.int64)
        st._poisson_rest(out, u, la, act, neg, rows, buf)
        return out, u

    def one(names, k, la):
        return kernels.keyed_poisson(k, s._const_rows(names, 2), s.rounds, la, st._ABOVE, st._SEQ_RATE,
                                     st._SEQ_STEPS, st._LOGFACT)

    for names, k, la in ((("p.a",), keys, lam), (("p.a", "p.b"), keys[:14], np.concatenate([lam[-14:], lam[:14]])),
                         (("p.b",), keys[:0], lam[:0]), (("p.a",), keys[:3000], np.full(3000, 2.9))):
        want, u = steps(names, k, la)
        got = one(names, k, la)
        assert got is not None and np.array_equal(got, want)
    assert (want > 3).sum() > 10  # beyond the head's steps: the rows it leaves to the windows
    # a window row whose uniform is within 2**-20 of 1: numpy's survival side, so the one call declines
    many = rng.integers(0, 2**64, 8_000_000, dtype=np.uint64)
    far = many[s.uniform("p.a", 2, many) > 1.0 - 2.0**-20][:3]
    assert far.size == 3
    assert one(("p.a",), far, np.full(3, 50.0)) is None
    assert np.array_equal(one(("p.a",), far, np.full(3, 1e-3)), steps(("p.a",), far, np.full(3, 1e-3))[0])  # head only
    assert one(("p.a",), keys[:5], np.full(5, 5e5)) is None  # a window beyond the table: numpy decides
    for kernel in (kernels._keyed_poisson, kernels._keyed_normals_all):
        cell = [c.cell_contents for c in kernel.py_func.__closure__ or ()]
        assert int(kernels._pmath_stamp()[:15], 16) in cell


def test_poisson_rows_and_window_rows(monkeypatch):
    """The split of poisson_ppf's rows in one pass is flatnonzero's, by rate; window_rows' largest
    first cell is lo.max() (and -1 with no rows)."""
    rng = np.random.default_rng(4)
    kernels.draws_on()
    lam = np.concatenate([rng.uniform(0, 6, 5000), [0.0, 3.0, np.nan, 1e6]])
    u = rng.uniform(0, 1, lam.size)
    u[-4:] = [1.0 - 2.0**-45, 0.5, 0.99, 0.1]
    act, neg, rows, buf = kernels.poisson_rows(u, lam, 1.0 - 2.0**-40, 3.0)
    above = np.flatnonzero(u + lam > 1.0 - 2.0**-40)
    assert np.array_equal(act, above[lam[above] < 3.0]) and np.array_equal(rows, above[lam[above] >= 3.0])
    assert np.array_equal(neg, -lam[act]) and buf.size == u.size and act.size > 100 and rows.size > 100
    _, _, lo, w, lomax = kernels.window_rows(rows, lam, u)
    assert w > 0 and lomax == lo.max() == np.floor(1e6 - 11.0 * np.sqrt(1e6) - 5.0)
    assert kernels.window_rows(rows[:0], lam, u)[3:] == (0, -1.0)
    x = rng.uniform(0, 3000, 400)
    got = kernels.window_logp(np.floor(x), np.log(x), x, np.arange(4096.0))
    assert np.array_equal(got.view(np.uint64), (np.floor(x) * np.log(x) - x - np.floor(x)).view(np.uint64))


def test_year_constants_batch_matches_numpy(monkeypatch):
    """Streams._batch in one compiled pass: numpy's words for every stream, both hash rounds' keys,
    years negative, huge and ordinary, after more streams were registered."""
    from sim.model.plan import STREAMS
    for rounds in (1, 2):
        s = Streams(20241102, STREAMS, rounds=rounds)
        for year in (0, 1, 2024, -3, 2**40, 2**64 - 1):
            got, want = both(lambda year=year, s=s: s._batch(year), monkeypatch)
            assert got.dtype == want.dtype == np.uint64 and got.shape == want.shape == (len(STREAMS), 2)
            assert np.array_equal(got, want)
        s.register("lever.late")
        got, want = both(lambda s=s: s._batch(7), monkeypatch)
        assert got.shape == (len(STREAMS) + 1, 2) and np.array_equal(got, want)


def test_several_streams_normals_match_numpy(monkeypatch):
    """Streams.normal of several streams in one array (kernels.keyed_normals: one compiled call, one
    pass a stream, the tails of all rows after one logarithm at their flat positions): numpy's numbers
    and one call a stream's, for a year's few entrants, a block's edges, tails in every row, draws and
    two rounds."""
    rng = np.random.default_rng(8)
    keys = rng.integers(0, 2**64, 9000, dtype=np.uint64)
    names = ("n.a", "n.b", "n.c")
    for rounds in (1, 2):
        s = Streams(5, names, rounds=rounds)
        for k in (keys[:1], keys[:14], keys[:2049], keys[:9000], keys[:12].reshape(3, 4), keys[:0]):
            for draw in (0, 3):
                got, want = both(lambda k=k, s=s, d=draw: s.normal(names, 2, k, draw=d), monkeypatch)
                assert got.shape == want.shape == (3,) + k.shape
                assert np.array_equal(got.view(np.uint64), want.view(np.uint64))
                for i, n in enumerate(names):
                    assert np.array_equal(got[i].view(np.uint64), s.normal(n, 2, k, draw=draw).view(np.uint64))
        z = s.normal(names, 2, keys)
        assert ((np.abs(z) > 1.5).sum(axis=1) > 500).all()  # every row had tails


@pytest.mark.parametrize("size", [0, 1, 255, 256, 257, 5000])
@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.uint32])
def test_group_sum_of_integer_weights_is_bincounts(size, dtype):
    """The sums by zone of an integer column (innovations), bit for bit those of bincount over its
    float copy (large values whose float sums round, ties, empty groups, below and above the size
    threshold; int64 compiled, other integer types bincount's)."""
    rng = np.random.default_rng(size)
    group = rng.integers(0, 7, size).astype(np.int64)
    hi = np.iinfo(dtype).max if dtype != np.int64 else 2**60
    values = rng.integers(0, hi, size, endpoint=True).astype(dtype)
    got = kernels.group_sum(group, values, 9)
    want = np.bincount(group, values.astype(np.float64), minlength=9)
    assert got.shape == want.shape and np.array_equal(got, want)


def test_group_sum_of_integer_weights_outside_groups_go_to_bincount():
    group = np.full(300, 2, dtype=np.int64)
    group[-1] = 5
    with pytest.raises(ValueError):  # negative groups: bincount raises, as before
        kernels.group_sum(-group, np.ones(300, np.int64), 3)
    got = kernels.group_sum(group, np.ones(300, np.int64), 3)  # bincount lengthens, as before
    assert np.array_equal(got, np.bincount(group, np.ones(300), minlength=3))


@pytest.mark.parametrize("k_short", [0, 1, 300])
def test_class_bill_changes_are_numpys(monkeypatch, k_short):
    """kernels.class_bill_changes (the mu-yield lever's firm costs): each firm's change x bill and the
    zones' discounts and surcharges, numpy's numbers bit for bit (unclassed -1 and firms after the
    classed ones change nothing; zeros, a NaN output); it declines a class or sector it cannot index."""
    rng = np.random.default_rng(23)
    n, nz = 5000, 17
    cls = rng.integers(-1, 4, n - k_short)
    table = np.array([-0.05 * 0.7, 0.0, 0.1, 0.3, 0.0])
    output = rng.lognormal(0, 2, n)
    output[rng.integers(0, n, 40)] = 0.0
    output[7] = np.nan
    per_output = rng.random(5)
    sector = rng.integers(0, 5, n)
    land = rng.random(n) * 0.01
    zone = np.sort(rng.integers(0, nz, n))
    got = kernels.class_bill_changes(cls, table, output, per_output, sector, land, 9.0, zone, nz)
    assert got is not None
    change = np.zeros(n)
    change[:cls.size] = table[cls]
    extra = change * (output * per_output[sector] + 9.0 * land)
    want = (extra, np.bincount(zone, np.maximum(-extra, 0.0), minlength=nz),
            np.bincount(zone, np.maximum(extra, 0.0), minlength=nz))
    for a, b in zip(got, want):
        assert np.array_equal(a, b, equal_nan=True)
    assert np.isnan(got[0][7]) and np.isnan(got[1][zone[7]]) and np.isnan(got[2][zone[7]])  # NaN x 0 is NaN
    bad = cls.copy()
    bad[-1] = 5
    assert kernels.class_bill_changes(bad, table, output, per_output, sector, land, 9.0, zone, nz) is None
    badsec = sector.copy()
    badsec[3] = 5
    assert kernels.class_bill_changes(cls, table, output, per_output, badsec, land, 9.0, zone, nz) is None
    monkeypatch.setattr(kernels, "ENABLED", False)
    assert kernels.class_bill_changes(cls, table, output, per_output, sector, land, 9.0, zone, nz) is None


def test_energy_by_zone_is_numpys(monkeypatch):
    """kernels.energy_by_zone (green development's energy use): numpy's per-firm arithmetic, the
    upgraded firms' saving and bincount's zone sums, bit for bit; a sector outside the table declines."""
    rng = np.random.default_rng(24)
    n, nz = 7000, 15
    output = rng.lognormal(0, 2, n)
    output[rng.integers(0, n, 30)] = 0.0
    sector = rng.integers(0, 5, n)
    upgraded = rng.random(n) < 0.1
    zone = rng.integers(0, nz, n)
    intensity = np.array([0.04, 0.08, 0.6, 0.12, 0.8])
    got = kernels.energy_by_zone(output, intensity, sector, upgraded, 0.15, zone, nz)
    use = output * 100.0 * intensity[sector] / 1e6
    use[upgraded] *= 1.0 - 0.15
    assert got is not None and np.array_equal(got, np.bincount(zone, use, minlength=nz))
    bad = sector.copy()
    bad[5] = 9
    assert kernels.energy_by_zone(output, intensity, bad, upgraded, 0.15, zone, nz) is None
    monkeypatch.setattr(kernels, "ENABLED", False)
    assert kernels.energy_by_zone(output, intensity, sector, upgraded, 0.15, zone, nz) is None


def test_viable_rd_firms_is_numpys(monkeypatch):
    """kernels.viable_rd_firms (tech finance's borrowers): the positions numpy's masks give, with
    NaN and zero outputs, NaN R&D shares and profits, tiny outputs; a zone outside the mask declines."""
    rng = np.random.default_rng(25)
    n, nz = 9000, 20
    zone = rng.integers(0, nz, n)
    zone_ok = rng.random(nz) < 0.8
    output = rng.lognormal(0, 2, n)
    output[rng.integers(0, n, 50)] = 0.0
    output[rng.integers(0, n, 20)] = 1e-12
    output[rng.integers(0, n, 5)] = np.nan
    rd_share = rng.random(n) * 0.1
    rd_share[rng.integers(0, n, 10)] = np.nan
    hightech = rng.random(n) < 0.2
    excluded = rng.random(n) < 0.15
    profit = rng.normal(0, 1, n) * output
    profit[rng.integers(0, n, 10)] = np.nan
    for margin in (-1.0, 0.0, 0.05):
        got = kernels.viable_rd_firms(zone_ok, zone, output, rd_share, 0.03, hightech, excluded, profit, margin)
        ok = zone_ok[zone] & (output > 0) & ((rd_share >= 0.03) | hightech) & ~excluded
        i = np.flatnonzero(ok)
        want = i[profit[i] / np.maximum(output[i], 1e-9) > margin]
        assert got is not None and got.dtype == np.int64 and np.array_equal(got, want), margin
    bad = zone.copy()
    bad[0] = nz
    assert kernels.viable_rd_firms(zone_ok, bad, output, rd_share, 0.03, hightech, excluded, profit, 0.0) is None
    monkeypatch.setattr(kernels, "ENABLED", False)
    assert kernels.viable_rd_firms(zone_ok, zone, output, rd_share, 0.03, hightech, excluded, profit, 0.0) is None


def _every_dispatcher():
    """Every compiled kernel of zonesim's modules: bound to a module name, kept in a module's ``_K``
    table, or held by another kernel (a helper it calls), as (where, dispatcher)."""
    import sys

    from numba.core.registry import CPUDispatcher

    seen: dict[int, str] = {}
    todo = []
    for name, mod in list(sys.modules.items()):
        if not name.startswith("sim.") or mod is None:
            continue
        spaces = [vars(mod)] + [t for k, t in vars(mod).items() if k == "_K" and isinstance(t, dict)]
        todo += [(f"{name}.{k}", v) for space in spaces for k, v in list(space.items()) if isinstance(v, CPUDispatcher)]
    while todo:
        where, d = todo.pop()
        if id(d) in seen:
            continue
        seen[id(d)] = where
        yield where, d
        glob = d.py_func.__globals__
        todo += [(f"{where} -> {k}", glob[k]) for k in d.py_func.__code__.co_names
                 if isinstance(glob.get(k), CPUDispatcher)]
        todo += [(f"{where} -> cell {i}", c.cell_contents) for i, c in enumerate(d.py_func.__closure__ or ())
                 if isinstance(c.cell_contents, CPUDispatcher)]


def test_no_kernel_keeps_a_kernel_in_a_closure_cell():
    """numba keys a kernel's on-disk cache by its pickled closure cells, and a pickled dispatcher
    differs in every process: a kernel calling another one through a closure cell misses the cache
    in every process, compiles again (~1 s for production's two kernels, found in the twenty-fourth
    session) and writes one more cache file each time. Every tier is built here (the lazy ones
    too), and every kernel reachable from zonesim's modules must find the kernels it calls as
    module globals."""
    from numba.core.registry import CPUDispatcher

    from sim.core import committees_k, firm_k, fused, scoring, yearly

    if not kernels.enable():
        pytest.skip("numba not installed or switched off")
    fused.available()
    fused.arithmetic()
    committees_k.available()
    scoring.available()
    firm_k.on()
    yearly.on()
    for on in (kernels.sorts_on, kernels.small_on, kernels.build_on, kernels.draws_on):
        on()
    found = list(_every_dispatcher())
    assert len(found) > 100  # the walk reaches the kernels (not an empty pass)
    held = [f"{where} (closure cell {name!r})" for where, d in found
            for name, cell in zip(d.py_func.__code__.co_freevars, d.py_func.__closure__ or ())
            if isinstance(cell.cell_contents, CPUDispatcher)]
    assert not held, held


@pytest.mark.parametrize("n", [0, 1, 2, 7, 50, 1023, 1024, 1025, 5000])
def test_keyed_order_is_lexsort(n):
    """Streams.order's one compiled call (kernels.keyed_order: the keys' bits, then a merge sort below
    1,024 keys or the radix sort; below 1,024 keys in groups of at most 48, a counting sort and
    insertion sorts) gives np.lexsort((bits, group))'s permutation: repeated keys (ties keep index
    order), groups few, a zone-origin queue's 56, negative, above 2**24 (the radix sort declines: the
    merge sort) and one group for all."""
    rng = np.random.default_rng(n)
    s = Streams(3, ["q"])
    for kind in ("small", "zones", "negative", "large", "one"):
        keys = rng.integers(0, 2**64, n, dtype=np.uint64)
        if n > 3:
            keys[n // 2], keys[n // 3] = keys[0], keys[1]
        group = {"small": rng.integers(0, 8, n), "zones": rng.integers(0, 56, n), "negative": rng.integers(-3, 5, n),
                 "large": rng.integers(0, 2**40, n), "one": np.zeros(n, dtype=np.int64)}[kind]
        want = np.lexsort((s.bits("q", 4, keys), group))
        c1, c2 = s._const("q", 4, 0)
        got = kernels.keyed_order(keys, c1, c2, s.rounds, group)
        assert got is not None and np.array_equal(got, want), kind
        assert np.array_equal(s.order("q", 4, keys, group), want)


@pytest.mark.parametrize("shape", [(1, 1), (14, 15), (3, 40), (40, 41), (200, 201)])
def test_keyed_choice_is_the_two_steps(shape):
    """Streams.choice's one compiled call (kernels.keyed_choice: the keys' uniforms, the shifted rows
    and row_search, or its guide table for long rows with many agents) gives draw_alternatives'
    alternatives from the keyed uniforms: rows with impossible alternatives, an empty row (uniform
    over all), no agents, one group; a group outside the table declines (numpy decides)."""
    from sim.core.choice import draw_alternatives, logit_cdf, shifts

    rng = np.random.default_rng(shape[1])
    groups, k = shape
    for rounds in (1, 2):
        s = Streams(5, ["pick"], rounds=rounds)
        util = rng.normal(size=shape)
        util[rng.random(shape) < 0.3] = -np.inf
        util[0] = -np.inf
        cdf = logit_cdf(util)
        for n in (0, 1, 9, 4 * cdf.size + 3):
            keys = rng.integers(0, 2**64, n, dtype=np.uint64)
            group = rng.integers(0, groups, n)
            want = draw_alternatives(cdf, group, s.uniform("pick", 2, keys))
            c1, c2 = s._const("pick", 2, 0)
            got = kernels.keyed_choice(keys, c1, c2, rounds, cdf, shifts(groups)[1], group)
            assert got is not None and np.array_equal(got, want), (rounds, n)
            assert np.array_equal(s.choice("pick", 2, keys, cdf, group), want)
    c1, c2 = s._const("pick", 2, 0)
    outside = np.array([groups], dtype=np.int64)
    assert kernels.keyed_choice(keys[:1], c1, c2, 2, cdf, shifts(groups)[1], outside) is None


@pytest.mark.parametrize("n", [0, 1, 7, 300, 5000])
def test_keyed_lognormal_is_the_steps(n):
    """Streams.lognormal's one compiled call (kernels.keyed_lognormal) gives the steps' bits: the keyed
    normals (tails included), times sigma, plus mean, pmath's exp; sigmas whose exponent under- and
    overflows (0 and inf as the steps give them), integer parameters; float32 ones take the steps."""
    from sim.core import pmath as pm

    rng = np.random.default_rng(n)
    keys = rng.integers(0, 2**64, n, dtype=np.uint64)
    for rounds in (1, 2):
        s = Streams(9, ["w"], rounds=rounds)
        for mean, sigma in ((0.0, 1.0), (-0.18, 0.6), (3, 2), (-1.5, 400.0), (np.float32(0.5), 1.0)):
            z = s.normal("w", 6, keys, 1)
            z *= sigma
            z += mean
            want = pm.exp(z, out=z)
            got = s.lognormal("w", 6, keys, mean, sigma, 1)
            assert got.dtype == np.float64 and np.array_equal(got.view(np.uint64), want.view(np.uint64))
        c1, c2 = s._const("w", 6, 1)
        assert kernels.keyed_lognormal(keys, c1, c2, rounds, -0.18, 0.6) is not None


def test_compact_moves_are_pool_removes():
    """Pool.remove's moves in one compiled pass (kernels.compact_moves) are the numpy steps': the
    tail's surviving slots, ascending, into the freed slots below the new end, ascending, for freed
    slots in any order, all in the tail, none in it, every slot; a repeated or outside slot is None."""
    rng = np.random.default_rng(12)

    def numpy_moves(idx, n):
        end = n - idx.size
        stays = np.ones(idx.size, dtype=bool)
        stays[idx[idx >= end] - end] = False
        return end + np.flatnonzero(stays), np.sort(idx[idx < end])

    for n in (1, 2, 5, 40, 1000):
        for share in (0.0, 0.1, 0.5, 1.0):
            idx = np.flatnonzero(rng.random(n) < share)
            for order in (idx, rng.permutation(idx), idx[::-1].copy()):
                got = kernels.compact_moves(order, n)
                want = numpy_moves(order, n)
                assert got is not None and all(np.array_equal(a, b) for a, b in zip(got, want))
    assert kernels.compact_moves(np.array([1, 1]), 5) is None
    assert kernels.compact_moves(np.array([4, 4]), 5) is None  # repeated in the tail
    assert kernels.compact_moves(np.array([5]), 5) is None and kernels.compact_moves(np.array([-1]), 5) is None
    assert kernels.compact_moves(np.array([1.0]), 5) is None  # not int64: numpy decides


@pytest.mark.parametrize("case", ["some", "no start-ups", "no spin-offs", "none", "many"])
def test_entrant_ids_are_the_steps(case):
    """enterprise.entrants' assembly in one compiled call (kernels.entrant_ids) gives the steps'
    arrays: zones by np.repeat and concatenation, origins, keys by keys.counted_keys and
    keys.spinoff_keys, sectors by Streams.choice, in the same dtypes; a negative count, a cdf whose
    choice declines (NaN) and other dtypes give None (the steps then decide)."""
    from sim.agents.enterprise import _ORIGINS
    from sim.core.choice import logit_cdf, shifts
    from sim.core.keys import ARRIVAL, SPINOFF, STARTUP, counted_keys, spinoff_keys
    from sim.core.streams import combine

    rng = np.random.default_rng(len(case))
    nz, n_sec, L = 14, 8, 3000
    s = Streams(11, ["entry.sector"])
    counts = rng.poisson({"many": 40.0, "none": 0.0}.get(case, 3.0), (2, nz)).astype(np.int64)
    if case == "no start-ups":
        counts[0] = 0
    parents = np.sort(rng.choice(L, 0 if case in ("no spin-offs", "none") else 200, replace=False)).astype(np.int64)
    zone, sector = rng.integers(0, nz, L), rng.integers(0, n_sec, L)
    fkey = rng.integers(0, 2**64, L, dtype=np.uint64)
    zk = rng.integers(0, 2**64, nz, dtype=np.uint64)
    cdf = logit_cdf(rng.normal(size=(nz, n_sec)))
    y = 7
    pre = (combine(STARTUP, y), combine(ARRIVAL, y), combine(SPINOFF, y))
    consts = s.compiled_constants("entry.sector", y)
    cap = shifts(nz)[1]
    codes = _ORIGINS  # enterprise's origin codes: start-up, spin-off, arrival
    got = kernels.entrant_ids(counts, parents, zone, sector, fkey, zk, pre, consts, cdf, cap, codes)
    ns = int(counts[0].sum())
    z_other = np.repeat(np.tile(np.arange(nz), 2), counts.reshape(-1))
    k_start, k_arr = counted_keys(STARTUP, y, zk, counts[0]), counted_keys(ARRIVAL, y, zk, counts[1])
    s_other = s.choice("entry.sector", y, np.concatenate([k_start, k_arr]), cdf, z_other)
    want = (np.concatenate([z_other[:ns], zone[parents], z_other[ns:]]),
            np.repeat(codes, (ns, parents.size, z_other.size - ns)),
            np.concatenate([k_start, spinoff_keys(y, fkey[parents]), k_arr]),
            np.concatenate([s_other[:ns], sector[parents], s_other[ns:]]))
    assert got is not None
    for a, b in zip(got, want):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    if case == "some":
        bad = counts.copy()
        bad[1, 3] = -1
        assert kernels.entrant_ids(bad, parents, zone, sector, fkey, zk, pre, consts, cdf, cap, codes) is None
        nan = cdf.copy()
        nan[2, 1] = np.nan
        assert kernels.entrant_ids(counts, parents, zone, sector, fkey, zk, pre, consts, nan, cap, codes) is None
        assert kernels.entrant_ids(counts, parents, zone.astype(np.int32), sector, fkey, zk, pre, consts, cdf,
                                   cap, codes) is None
        s.bits = s.bits  # a wrapper on the instance (as tests record draws): every draw through the methods
        assert s.compiled_constants("entry.sector", y) is None


@pytest.mark.parametrize("case", ["some", "tight", "nobody", "none fit"])
def test_relocate_moves_are_the_steps(case):
    """enterprise.relocate's steps after its candidates in one compiled call (kernels.relocate_moves)
    give the steps' moves, zones and free land bit for bit: destinations by Streams.choice, the queue
    by Streams.order, who fits by queue_fits, the zones written, free land plus two group sums' difference
    (a -0.0 stays -0.0 only where the steps leave it); a NaN choice table gives None, nothing written."""
    from sim.agents.enterprise import queue_fits
    from sim.core.choice import logit_cdf, shifts

    rng = np.random.default_rng(len(case))
    nz, L = 14, 4000
    s = Streams(3, ["d", "q"])
    zone, key = rng.integers(0, nz, L), rng.integers(0, 2**64, L, dtype=np.uint64)
    land = rng.lognormal(0.0, 1.0, L)
    cand = np.sort(rng.choice(L, 300, replace=False)).astype(np.int64)
    util = rng.normal(size=(nz, nz))
    if case == "nobody":
        util = np.where(np.eye(nz, dtype=bool), 0.0, -np.inf)
    cdf = logit_cdf(util)
    free = {"tight": rng.uniform(-2.0, 8.0, nz), "none fit": np.full(nz, -0.0)}.get(case, rng.uniform(0, 200, nz))
    free[0] = -0.0
    y = 5

    def steps():
        zn, fr = zone.copy(), free.copy()
        here = zn[cand]
        dest = s.choice("d", y, key[cand], cdf, here)
        moving = dest != here
        movers, dest, here = cand[moving], dest[moving], here[moving]
        if movers.size == 0:
            return np.zeros((0, 2), dtype=np.int64), zn, fr
        order = s.order("q", y, key[movers], dest)
        ok = queue_fits(order, land[movers], dest, np.maximum(fr, 0.0))
        movers, dest, here = movers[ok], dest[ok], here[ok]
        zn[movers] = dest
        fr += kernels.group_sum(here, land[movers], nz) - kernels.group_sum(dest, land[movers], nz)
        return np.stack([here, dest], axis=1), zn, fr

    want = steps()
    zn, fr = zone.copy(), free.copy()
    c = cand.copy()
    cap = shifts(nz)[1]
    got = kernels.relocate_moves(c, zn, key, land, s.compiled_constants("d", y), s.compiled_constants("q", y), cdf, cap,
                                 fr)
    assert got is not None and got.dtype == np.int64 and np.array_equal(got, want[0])
    assert np.array_equal(zn, want[1]) and np.array_equal(fr.view(np.uint64), want[2].view(np.uint64))
    assert np.array_equal(c, cand)  # the caller's candidates untouched
    if case == "some":
        assert got.shape[0] > 0
        bad = cdf.copy()
        bad[3, 2] = np.nan
        zn, fr = zone.copy(), free.copy()
        assert kernels.relocate_moves(cand, zn, key, land, s.compiled_constants("d", y), s.compiled_constants("q", y),
                                      bad, cap, fr) is None
        assert np.array_equal(zn, zone) and np.array_equal(fr.view(np.uint64), free.view(np.uint64))
    if case == "tight":
        assert 0 < got.shape[0]


@pytest.mark.parametrize("case", ["plain", "multiplier", "per firm", "edges", "no size", "rising", "loss-makers",
                                  "on the edge"])
def test_exit_picks_are_the_steps(case):
    """enterprise.exits' picks in one compiled call (kernels.exit_picks: the size factor's power only for
    the firms whose uniform lies below a bound of their hazard) are the steps' slots: the hazard by age
    as enterprise.exit_hazard works it out, the loss hazard, numpy's size factor and min (exit_hazard's
    numpy path), the levers' multiplier, then Streams.below. Employment at the buckets' edges, below 1,
    zero, negative, infinite and NaN, multipliers of either sign and NaN, and a rising or absent size
    factor included; a negative age or a loss-maker's zone outside the table gives None. "On the edge":
    each firm's multiplier puts its hazard within a rounding of its own uniform, so a hazard one unit in
    the last place off anywhere changes the picks."""
    from sim.core import pmath as pm

    rng = np.random.default_rng(len(case) + 17)
    L, nz, y = 20000, 14, 7
    s = Streams(11, ["x"])
    key = rng.integers(0, 2**64, L, dtype=np.uint64)
    age = rng.integers(0, 30, L)
    losses = rng.integers(0, 8 if case in ("loss-makers", "edges") else 3, L)
    zone = rng.integers(0, nz, L)
    emp = rng.lognormal(2.0, 1.5, L)
    base, young, scale, loss_years, ref, elast = 0.03, 0.4, 3.0, 3.0, 10.0, 0.3
    loss = rng.uniform(0.0, 0.3, nz)
    mult: np.ndarray | float = 1.0
    if case == "edges":  # employment at and around the buckets' lower ends, and odd values
        edges = 2.0 ** (np.arange(-3, 30) / 8.0)
        emp[:edges.size * 3] = np.concatenate([edges, np.nextafter(edges, 0.0), np.nextafter(edges, np.inf)])
        emp[200:208] = [0.0, -0.0, -5.0, 0.5, np.inf, -np.inf, np.nan, 1.0]
        base, young = 0.2, 0.8  # large hazards: many firms near their bound
    if case == "multiplier":
        mult = 1.7
    if case == "per firm":
        mult = rng.uniform(-0.5, 3.0, L)
        mult[:50] = np.nan
    if case == "no size":
        elast = 0.0
    if case == "rising":
        elast = -0.2

    def hazard():
        by_age = base + young * pm.exp(-np.arange(age.max(initial=0) + 1) / scale)
        h = by_age[age]
        losing = np.flatnonzero(losses >= loss_years)
        h[losing] += loss[zone[losing]]
        if elast:
            h *= pm.power(np.maximum(emp, 1.0) / ref, -elast)
        return np.minimum(h, 1.0, out=h)

    if case == "on the edge":
        mult = s.uniform("x", y, key) / hazard()

    def steps():
        h = hazard()
        return s.below("x", y, key, h if np.isscalar(mult) and mult == 1.0 else h * mult)

    with np.errstate(invalid="ignore"):
        want = steps()
    consts = s.compiled_constants("x", y)
    got = kernels.exit_picks(age, base, young, scale, losses, loss_years, loss, zone, emp, ref, elast, mult, key,
                             consts)
    assert got is not None and got.dtype == np.int64 and np.array_equal(got, want)
    assert 0 < want.size < L
    if case == "edges":
        bad = age.copy()
        bad[5] = -1
        assert kernels.exit_picks(bad, base, young, scale, losses, loss_years, loss, zone, emp, ref, elast, mult, key,
                                  consts) is None
        far = zone.copy()
        far[np.flatnonzero(losses >= loss_years)[0]] = nz
        assert kernels.exit_picks(age, base, young, scale, losses, loss_years, loss, far, emp, ref, elast, mult, key,
                                  consts) is None
        assert kernels.exit_picks(age.astype(np.int32), base, young, scale, losses, loss_years, loss, zone, emp, ref,
                                  elast, mult, key, consts) is None


@pytest.mark.parametrize("n", [0, 1, 37, 605, 5000])
@pytest.mark.parametrize("case", ["some", "tight", "edges", "two rounds"])
def test_admit_queue_is_the_steps(n, case):
    """kernels.admit_queue (ZoneModel._admit's queue in one call) gives the steps' admitted positions and
    counts: Streams.order within zone x 4 + origin, enterprise.queue_fits against np.maximum(free, 0),
    np.bincount of zone x 5 + origin or + 4, np.flatnonzero; free land negative, -0.0, zero, NaN and
    infinite; queues short of land and with room; one hash round and two; small and large queues."""
    from sim.agents.enterprise import queue_fits

    rng = np.random.default_rng(n + len(case))
    nz = 12
    s = Streams(8, ["entry.admit_queue"], rounds=2 if case == "two rounds" else 1)
    y = 4
    keys = rng.integers(0, 2**64, n, dtype=np.uint64)
    z = rng.integers(0, nz, n)
    origin = rng.integers(1, 4, n).astype(np.int8)
    land = rng.lognormal(-1.0, 1.0, n)
    free = rng.uniform(0.0, {"tight": 0.5}.get(case, 40.0), nz)
    if case == "edges":
        free[:6] = [-1.0, -0.0, 0.0, np.nan, np.inf, 1e-300]
        land[::7] = 0.0
    got = kernels.admit_queue(keys, s.compiled_constants("entry.admit_queue", y), z, origin, land, free)
    order = s.order("entry.admit_queue", y, keys, z * 4 + origin)
    ok = queue_fits(order, land, z, np.maximum(free, 0.0))
    counts = np.bincount(np.where(ok, z * 5 + origin, z * 5 + 4), minlength=5 * nz).reshape(nz, 5)
    assert got is not None
    assert np.array_equal(got[0], np.flatnonzero(ok)) and got[0].dtype == np.int64
    assert np.array_equal(got[1], counts) and got[1].shape == (nz, 5)
    if n >= 605 and case != "edges":
        assert 0 < got[0].size < n  # some admitted, some turned away
    consts = s.compiled_constants("entry.admit_queue", y)
    if n:
        bad = z.copy()
        bad[-1] = nz
        assert kernels.admit_queue(keys, consts, bad, origin, land, free) is None
        assert kernels.admit_queue(keys, consts, z, origin.astype(np.int64), land, free) is None
        far = origin.copy()
        far[0] = 7
        assert kernels.admit_queue(keys, consts, z, far, land, free) is None
