"""sim.core.streams and sim.core.keys: determinism, key independence, uniformity, no correlation
between streams / years / draws / seeds / adjacent keys, exact quantile functions, and the CRN
properties the model relies on. Every check is deterministic (fixed seeds and keys), so a
statistical threshold either always passes or always fails: thresholds are ~5 sigma.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as st

from sim.core import kernels
from sim.core.keys import ARRIVAL, STARTUP, check_unique, counted_keys, spinoff_keys, within_group_index, zone_keys
from sim.core.streams import Streams, as_keys, combine, name_key, ndtri, poisson_ppf, zone_key_order
from sim.model.plan import STREAMS

N = 100_000
COUNTER = np.arange(N, dtype=np.uint64)  # the hardest keys: adjacent integers
RANDOM = np.random.default_rng(12345).integers(0, 2**63, N, dtype=np.int64).view(np.uint64) * np.uint64(2) + np.uint64(1)


@pytest.fixture(params=[1, 2], ids=["rounds1", "rounds2"])
def s(request):
    return Streams(20241102, STREAMS, rounds=request.param)


def _corr(a, b):
    return float(np.corrcoef(a, b)[0, 1])


LIM = 5.0 / np.sqrt(N)  # 5 sigma for a correlation of N independent pairs


# ------------------------------------------------------------------ determinism and keys
def test_deterministic_and_seed_dependent():
    a = Streams(7, STREAMS).uniform("firm.exit", 3, RANDOM[:1000])
    b = Streams(7, STREAMS).uniform("firm.exit", 3, RANDOM[:1000])
    c = Streams(8, STREAMS).uniform("firm.exit", 3, RANDOM[:1000])
    assert np.array_equal(a, b)
    assert not np.any(a == c)


def test_value_independent_of_other_keys(s):
    """An agent's draw does not depend on which other agents draw, nor on their order."""
    keys = RANDOM[:5000]
    full = s.uniform("firm.exit", 4, keys)
    pick = np.random.default_rng(1).permutation(5000)[:1234]
    assert np.array_equal(s.uniform("firm.exit", 4, keys[pick]), full[pick])
    lam = np.linspace(0.0, 40.0, 5000)
    pk = s.poisson("firm.innovate", 4, keys, lam)
    assert np.array_equal(s.poisson("firm.innovate", 4, keys[pick], lam[pick]), pk[pick])
    z = s.normal("firm.grow", 4, keys)
    assert np.array_equal(s.normal("firm.grow", 4, keys[pick]), z[pick])
    assert np.array_equal(s.uniform("firm.exit", 4, keys[7]), full[7])  # a scalar key


def test_input_keys_not_modified(s):
    keys = RANDOM[:100].copy()
    s.uniform("firm.exit", 1, keys)
    combine(keys, 5)
    assert np.array_equal(keys, RANDOM[:100])


def test_combine_is_the_scalar_chain(kernels_on):
    """combine of 1-d parts (compiled when the kernels are on) equals the chain h <- fmix(h ^
    fmix(part + GOLDEN)) computed on Python ints, element by element: scalar prefixes, an array
    start, signed parts, a one-element array, broadcasting a column against a row (numpy's path)."""
    from sim.core.streams import _combine_int

    a = RANDOM[:300]
    b = np.arange(-150, 150, dtype=np.int64)
    cases = [((3, 2021, a), 0), ((a, b), 0), ((7, a, b), 5), ((a,), a), ((a[:1], b[:1]), 0)]
    for parts, start in cases:
        got = combine(*parts, start=start)
        n = max(np.size(p) for p in parts)
        for i in (0, n // 2, n - 1):
            h = int(start[i]) if isinstance(start, np.ndarray) else start
            for p in parts:
                h = _combine_int(int(as_keys(p)[i]) if np.ndim(p) else int(p), start=h)
            assert int(got[i]) == h
    grid = combine(a[:5, None], b[None, :4])
    assert grid.shape == (5, 4) and int(grid[2, 3]) == _combine_int(int(a[2]), int(as_keys(b)[3]))
    assert combine(np.zeros(0, dtype=np.uint64), 4).size == 0
    # leading scalar parts are memoised (streams._CHAIN): the same words on a second call, for
    # negative, numpy and boolean scalars and a start, and after the bounded memo is cleared
    from sim.core import streams
    streams._CHAIN.clear()  # (the test runs once with and once without the kernels)
    scalars = (-1, np.uint64(2**64 - 1), np.int64(-5), True, 2**63)
    want = 11
    for p in scalars:
        want = _combine_int(int(p), start=want)
    assert int(combine(*scalars, start=11)) == want
    assert int(combine(*scalars, start=11)) == want  # from the memo
    streams._CHAIN.update({(-i, i): 0 for i in range(1, 4097)})  # full: the next new step clears it
    assert int(combine(*scalars[:-1], 2**62, start=11)) == _combine_int(2**62, start=_combine_int(
        *map(int, scalars[:-1]), start=11))
    assert len(streams._CHAIN) < 4096


def test_signed_and_unsigned_keys_agree(s):
    k = np.array([0, 1, 2**62, -1, -2**63], dtype=np.int64)
    assert np.array_equal(s.uniform("firm.exit", 1, k), s.uniform("firm.exit", 1, k.view(np.uint64)))


def test_bijection_no_ties(s):
    """Distinct keys never share bits in one stream-year, so key orders have no ties."""
    b = s.bits("firm.relocate_queue", 2, np.concatenate([COUNTER, RANDOM]))
    assert np.unique(b).size == 2 * N


def test_unknown_stream_is_an_error_with_a_hint():
    s = Streams(1, STREAMS)
    with pytest.raises(KeyError, match="did you mean 'firm.exit'"):
        s.uniform("firm.exti", 1, COUNTER[:3])
    s.register("lever.hosting.pairing")
    assert s.uniform("lever.hosting.pairing", 1, COUNTER[:3]).shape == (3,)


@pytest.mark.parametrize("rounds", [1, 2])
def test_year_batch_of_constants_is_the_scalar_chain(rounds):
    """A year's draw-0 constants come from one vectorised pass over the streams (Streams._batch): the
    same words as the scalar chain _combine_int(k, sid, year, draw), for streams registered before
    and after a year's batch (those take the scalar path), other draws, and negative or huge years."""
    from sim.core.streams import _combine_int
    s = Streams(20241102, STREAMS[:5], rounds=rounds)
    k1, k2 = s._k1, s._k2

    def scalar(name, year, draw):
        return _combine_int(k1, name_key(name), year, draw), _combine_int(k2, name_key(name), year, draw)

    for year in (0, 1, 2024, -3, 2**40):
        assert tuple(map(int, s._const(STREAMS[2], year, 0))) == scalar(STREAMS[2], year, 0)
    s.register("lever.late")  # after the batches above: the scalar path for those years
    for name in (*STREAMS[:5], "lever.late"):
        for year, draw in ((2024, 0), (2025, 0), (2024, 3)):
            assert tuple(map(int, s._const(name, year, draw))) == scalar(name, year, draw), (name, year, draw)
    assert s._pre.shape == (6, 2) and s._year_consts[2025].shape == (6, 2)  # 2025 batched after the late one
    assert tuple(map(int, s._year_consts[2025][5])) == scalar("lever.late", 2025, 0)
    with pytest.raises(KeyError):
        s._const("firm.exti", 2025, 0)


def test_stream_ids_distinct():
    assert len({name_key(n) for n in STREAMS}) == len(STREAMS)


# ------------------------------------------------------------------ uniformity and independence
@pytest.mark.parametrize("keys", [COUNTER, RANDOM], ids=["counter", "random"])
def test_uniform_ks(s, keys):
    for name, year in (("firm.exit", 1), ("talent.retire", 17), ("init.size", 0)):
        u = s.uniform(name, year, keys)
        assert 0.0 < u.min() and u.max() < 1.0
        assert st.kstest(u, "uniform").pvalue > 1e-4, (name, year)


@pytest.mark.parametrize("keys", [COUNTER, RANDOM], ids=["counter", "random"])
def test_every_bit_balanced(s, keys):
    b = s.bits("firm.exit", 1, keys)
    ones = ((b[:, None] >> np.arange(64, dtype=np.uint64)[None, :]) & np.uint64(1)).mean(axis=0)
    assert np.all(np.abs(ones - 0.5) < 5 * 0.5 / np.sqrt(N))


@pytest.mark.parametrize("keys", [COUNTER, RANDOM], ids=["counter", "random"])
def test_no_correlation(s, keys):
    base = s.uniform("firm.exit", 5, keys)
    others = {
        "other stream": s.uniform("firm.grow", 5, keys),
        "next year": s.uniform("firm.exit", 6, keys),
        "other draw": s.uniform("firm.exit", 5, keys, draw=1),
        "other seed": Streams(20241103, STREAMS, rounds=s.rounds).uniform("firm.exit", 5, keys),
    }
    for what, u in others.items():
        assert abs(_corr(base, u)) < LIM, what
        assert abs(_corr(ndtri(base), ndtri(u))) < LIM, what  # tails too
    assert abs(_corr(base[:-1], base[1:])) < LIM  # adjacent keys


def test_serial_pairs_fill_the_square(s):
    """(u_k, u_k+1) of adjacent counter keys: chi-square over a 20 x 20 grid."""
    u = s.uniform("firm.exit", 1, COUNTER)
    h, _, _ = np.histogram2d(u[:-1:2], u[1::2], bins=20, range=[[0, 1], [0, 1]])
    assert st.chisquare(h.ravel()).pvalue > 1e-4
    v = s.uniform("firm.exit", 2, COUNTER)  # same key, consecutive years
    h, _, _ = np.histogram2d(u, v, bins=20, range=[[0, 1], [0, 1]])
    assert st.chisquare(h.ravel()).pvalue > 1e-4


# ------------------------------------------------------------------ distributions
def test_ndtri_matches_scipy():
    u = np.concatenate([np.linspace(0, 1, 200_001)[1:-1], [2.0**-53, 1 - 2.0**-53, 1e-300, 1e-20, 0.075, 0.925]])
    z = ndtri(u)
    assert np.abs(z - sp.ndtri(u)).max() < 1e-6  # AS 241 PPND7
    assert np.all(np.diff(ndtri(np.sort(u))) >= 0)  # monotone: a larger uniform never gives a smaller z


def test_normal_and_lognormal(s):
    z = s.normal("firm.grow", 3, RANDOM)
    assert st.kstest(z, "norm").pvalue > 1e-4
    x = s.lognormal("entry.size", 3, RANDOM, -0.32, 0.8)
    assert st.kstest(np.log(x), "norm", args=(-0.32, 0.8)).pvalue > 1e-4


@pytest.mark.parametrize("lam", [0.0, 1e-9, 0.04, 0.3, 1.0, 4.0, 11.99, 12.0, 30.0, 141.0, 1056.0, 1e5])
def test_poisson_ppf_is_exact(lam):
    n = 20_000 if lam < 1e4 else 1_000  # a window of ~7,000 cells per value at 1e5
    u = np.concatenate([np.random.default_rng(3).random(n), [2.0**-53, 0.5, 1e-10, 1 - 1e-10]])
    got = poisson_ppf(u, np.full(u.size, lam))
    assert np.array_equal(got, st.poisson.ppf(u, lam).astype(np.int64))


def test_poisson_distribution_and_monotone(s):
    lam = np.full(N, 2.5)
    k = s.poisson("firm.innovate", 1, RANDOM, lam)
    obs = np.bincount(k, minlength=13)[:13]
    exp = st.poisson.pmf(np.arange(13), 2.5) * N
    assert st.chisquare(obs[:11], exp[:11] * obs[:11].sum() / exp[:11].sum()).pvalue > 1e-4
    # CRN: a rate higher by d moves a count only for keys whose uniform sits within d x pmf of
    # a CDF step, only upwards, by one: a share sum_k pmf(k) d = d of the keys (here 0.0025)
    k2 = s.poisson("firm.innovate", 1, RANDOM, lam + 0.0025)
    assert np.all(k2 >= k) and np.all(k2 - k <= 1)
    assert abs((k2 != k).mean() - 0.0025) < 5 * np.sqrt(0.0025 / N)


def test_mixed_rates_in_one_call(s):
    lam = np.random.default_rng(0).lognormal(-3.0, 2.0, 50_000)  # like the innovation rates: 0 .. 1000s
    keys = RANDOM[:50_000]
    k = s.poisson("firm.innovate", 1, keys, lam)
    u = s.uniform("firm.innovate", 1, keys)
    assert np.array_equal(k, st.poisson.ppf(u, lam).astype(np.int64))


def test_integers_and_geometric(s):
    i = s.integers("init.years", 0, RANDOM, 40)
    assert i.min() == 0 and i.max() == 39
    assert st.chisquare(np.bincount(i, minlength=40)).pvalue > 1e-4
    g = s.geometric("init.age", 0, RANDOM, 1 / 8)
    obs = np.bincount(g)[1:30]
    exp = st.geom.pmf(np.arange(1, 30), 1 / 8) * N
    assert st.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue > 1e-4


def test_choice_matches_logit(s):
    util = np.array([[0.0, 1.0, -np.inf, 0.5], [2.0, 0.0, 0.0, 0.0]])
    p = np.exp(np.where(np.isfinite(util), util, -np.inf))
    p /= p.sum(axis=1, keepdims=True)
    cdf = np.cumsum(p, axis=1)
    group = np.arange(N) % 2
    for pick in (s.choice("talent.location", 1, RANDOM, cdf, group),
                 s.gumbel_choice("talent.location", 1, RANDOM, util, group, np.arange(4))):
        for g in (0, 1):
            obs = np.bincount(pick[group == g], minlength=4)
            ok = p[g] > 0
            assert obs[~ok].sum() == 0
            assert st.chisquare(obs[ok], p[g][ok] * obs.sum()).pvalue > 1e-4


def test_gumbel_choice_new_alternative_moves_only_to_it(s):
    """Adding an alternative (a new zone) moves agents only to the new one, whatever its slot."""
    rng = np.random.default_rng(5)
    util = rng.normal(size=(3, 6))
    group = np.arange(20_000) % 3
    alt = np.arange(100, 106, dtype=np.uint64)
    before = s.gumbel_choice("talent.location", 2, RANDOM[:20_000], util, group, alt)
    util2 = np.insert(util, 2, 0.3, axis=1)  # the new zone sits in slot 2
    alt2 = np.insert(alt, 2, np.uint64(999))
    after = s.gumbel_choice("talent.location", 2, RANDOM[:20_000], util2, group, alt2)
    old_in_new = np.where(before >= 2, before + 1, before)
    moved = after != old_in_new
    assert moved.any() and np.all(after[moved] == 2)


def test_order_is_key_based(s):
    keys = RANDOM[:1000]
    o = s.order("entry.admit_queue", 3, keys)
    rank = np.empty(1000, dtype=np.int64)
    rank[o] = np.arange(1000)
    sub = np.random.default_rng(2).permutation(1000)[:300]  # a queue without 700 of them
    o2 = s.order("entry.admit_queue", 3, keys[sub])
    assert np.array_equal(sub[o2], sub[np.argsort(rank[sub])])
    g = np.arange(1000) % 7
    og = s.order("entry.admit_queue", 3, keys, g)
    assert np.all(np.diff(g[og]) >= 0)
    for z in range(7):  # within a group, the same relative order as without groups
        members = og[g[og] == z]
        assert np.all(np.diff(rank[members]) > 0)
    # the first place is uniform over keys: over many years, every key of 10 leads ~equally often
    first = [s.order("entry.admit_queue", y, keys[:10])[0] for y in range(5000)]
    assert st.chisquare(np.bincount(first, minlength=10)).pvalue > 1e-4


def test_sample_weighted_is_successive_sampling(s):
    """Exponential race = numpy's choice(replace=False, p): first pick prob. w / sum, and the
    pair inclusion probabilities of successive sampling, over many years."""
    w = np.array([1.0, 2.0, 3.0, 4.0])
    keys = np.arange(4, dtype=np.uint64)
    picks = np.array([np.flatnonzero(s.sample_weighted("init.hightech", y, keys, w, 2)) for y in range(6_000)])
    pw = w / w.sum()
    pair = {}
    for i in range(4):
        for j in range(i + 1, 4):
            pair[(i, j)] = pw[i] * pw[j] / (1 - pw[i]) + pw[j] * pw[i] / (1 - pw[j])
    obs = np.array([np.sum((picks[:, 0] == i) & (picks[:, 1] == j)) for (i, j) in pair])
    assert st.chisquare(obs, np.array(list(pair.values())) * len(picks)).pvalue > 1e-4


# ------------------------------------------------------------------ agent keys
def test_counted_keys_prefix_stable():
    zk = zone_keys(["nanning", "liuzhou", "guilin"])
    a = counted_keys(STARTUP, 5, zk, [3, 0, 2])
    b = counted_keys(STARTUP, 5, zk, [4, 0, 2])  # one start-up more in Nanning
    assert np.array_equal(a[:3], b[:3]) and np.array_equal(a[3:], b[4:])
    assert np.array_equal(within_group_index([3, 0, 2]), [0, 1, 2, 0, 1])
    assert not np.intersect1d(a, counted_keys(ARRIVAL, 5, zk, [3, 0, 2])).size
    assert not np.intersect1d(a, counted_keys(STARTUP, 6, zk, [3, 0, 2])).size


def test_zone_key_from_id_not_slot():
    assert zone_keys(["a", "b"])[1] == zone_keys(["b"])[0]
    assert zone_keys(["nanning"])[0] == np.uint64(name_key("nanning"))


@pytest.mark.slow
def test_keys_unique_at_scale():
    zk = zone_keys([f"z{i:04d}" for i in range(400)])
    counts = np.full(400, 2_500)  # a million agents
    k = np.concatenate([counted_keys(STARTUP, y, zk, counts // 10) for y in range(1, 11)])
    k = np.concatenate([k, spinoff_keys(3, k[:100_000]), spinoff_keys(4, k[:100_000])])
    assert check_unique(k)
    assert as_keys(k).dtype == np.uint64


def test_order_ties_fall_back_to_exact():
    s = Streams(3, STREAMS)
    keys = RANDOM[:50_000]
    g = np.arange(50_000) % 3
    o = s.order("entry.admit_queue", 1, keys, g)
    b = s.bits("entry.admit_queue", 1, keys)
    assert np.array_equal(o, np.lexsort((b, g)))


@pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed or switched off")
def test_compiled_sorts_give_numpys_order_and_samples(monkeypatch):
    """With the sort kernels (radix sorts), ``order`` is np.lexsort((bits, group)) and
    ``sample_weighted`` numpy's draw, ties included: repeated keys (equal bits), weights of 0
    (infinite races) and equal weights of repeated keys at the k-th place, one group, a group
    of one, k of 0 or above a group's size, small and large queues."""
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    s = Streams(5, STREAMS)
    rng = np.random.default_rng(11)
    for n in (1, 300, 5000, 40_000):
        keys = RANDOM[:n].copy()
        keys[rng.integers(0, n, n // 5)] = keys[0]  # repeated keys: equal bits
        groups = [np.zeros(n, dtype=np.int64), rng.integers(0, 56, n), np.arange(n) % 3]
        groups[1][0] = 99  # a group of one
        w = rng.choice([0.0, 1.0, 2.5], n)
        for g in groups:
            b = s.bits("entry.admit_queue", 2, keys)
            k = rng.integers(0, max(2, n // 20), int(g.max()) + 1)
            k[0] = n  # more than the group has
            runs = []
            for on in (True, False):
                monkeypatch.setattr(kernels, "SORTS", on)
                runs.append((s.order("entry.admit_queue", 2, keys, g),
                             s.sample_weighted("init.hightech", 0, keys, w, k, group=g)))
            monkeypatch.setattr(kernels, "ENABLED", False)  # numpy's lexsort (sample_weighted's selection
            numpy_draw = s.sample_weighted("init.hightech", 0, keys, w, k, group=g)  # is compiled apart from SORTS)
            monkeypatch.setattr(kernels, "ENABLED", True)
            assert np.array_equal(runs[0][0], np.lexsort((b, g))) and np.array_equal(runs[0][0], runs[1][0])
            assert np.array_equal(runs[0][1], runs[1][1]) and np.array_equal(runs[0][1], numpy_draw)


def test_zone_key_order_independent_of_slots():
    """Firms by zone, then by the top 12 key bits (14 zones): the same sequence of (zone, key
    bits) cells whatever the slots; only firms sharing a cell keep slot order among themselves."""
    rng = np.random.default_rng(4)
    zone = rng.integers(0, 14, 40_000)
    keys = RANDOM[:40_000]
    o = zone_key_order(zone, keys, 14)
    assert np.all(np.diff(zone[o]) >= 0)
    top = (keys >> np.uint64(52)).astype(np.int64)
    cell = zone * 4096 + top
    assert np.all(np.diff(cell[o]) >= 0)
    perm = rng.permutation(40_000)  # the same firms in other slots (compaction)
    o2 = zone_key_order(zone[perm], keys[perm], 14)
    assert np.array_equal(cell[o], cell[perm][o2])
    alone = np.bincount(cell, minlength=14 * 4096)[cell[o]] == 1
    assert np.array_equal(keys[o][alone], keys[perm][o2][alone]) and alone.mean() > 0.4


def test_poisson_constants_are_what_poisson_draws_with(monkeypatch):
    """Streams.poisson_constants hands a kernel what poisson's one-call path uses: keyed_poisson with
    them gives poisson's counts (two streams, small and window rates); None with the kernels off or
    a wrapper on ``bits`` (every draw through the methods then)."""
    if not kernels.enable():
        pytest.skip("numba not installed or switched off")
    s = Streams(5, ["a", "b"])
    keys = np.arange(1, 41, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    lam = np.vstack([np.linspace(0.0, 6.0, 40), np.linspace(1.0, 900.0, 40)])
    cs, rounds, thr, seq_rate, steps, logfact = s.poisson_constants(("a", "b"), 9)
    got = kernels.keyed_poisson(keys, cs, rounds, lam.reshape(-1), thr, seq_rate, steps, logfact)
    assert got is not None and np.array_equal(got.reshape(2, -1), s.poisson(("a", "b"), 9, keys, lam))
    other = s.poisson_constants(("b", "a"), 9)[0]
    assert np.array_equal(other, cs[::-1]) and not np.array_equal(s.poisson_constants(("a", "b"), 10)[0], cs)
    s.bits = s.bits
    assert s.poisson_constants(("a", "b"), 9) is None
    monkeypatch.setattr(kernels, "ENABLED", False)
    assert Streams(5, ["a", "b"]).poisson_constants(("a", "b"), 9) is None
