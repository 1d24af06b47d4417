"""The compiled committee kernels (sim/core/committees_k.py) give bit for bit the numbers of the
numpy code they replace in Committees.decide (committee._utility and committee._new_shares): on
random values, priors and shares with zeros, NaN and infinite entries, with and without the hosted
use open, every zone slot live or some free; and through a model's years with hosting."""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents import committee as com
from sim.core import committees_k, kernels

pytestmark = [pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed or switched off"),
              # the inputs hold NaN and inf on purpose: numpy's reference path warns about them
              pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning"),
              pytest.mark.filterwarnings("ignore:divide by zero encountered:RuntimeWarning")]


@pytest.fixture
def on(monkeypatch):
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    if not committees_k.available():
        pytest.skip("the arithmetic kernels are off on this machine")


def bits(a):
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def same(a, b):
    """Equal bits, a NaN matching any NaN (numpy's reductions may pick either NaN operand)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    nan = np.isnan(a)
    assert np.array_equal(nan, np.isnan(b))
    assert np.array_equal(bits(np.where(nan, 0.0, a)), bits(np.where(nan, 0.0, b)))


def spiky(rng, shape, scale=1.0, odd=0.1):
    a = rng.standard_normal(shape) * scale * 10.0 ** rng.integers(-6, 6, shape)
    pick = rng.random(shape)
    a[pick < odd] = 0.0
    a[(pick >= odd) & (pick < 1.5 * odd)] = -0.0
    a[(pick >= 1.5 * odd) & (pick < 1.7 * odd)] = np.nan
    a[(pick >= 1.7 * odd) & (pick < 1.8 * odd)] = np.inf
    a[(pick >= 1.8 * odd) & (pick < 1.9 * odd)] = -np.inf
    return a


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("hosting", [False, True])
@pytest.mark.parametrize("odd", [0.0, 0.15])
def test_kernels_match_numpy(on, seed, hosting, odd):
    rng = np.random.default_rng(seed)
    nz, k = int(rng.integers(1, 20)), len(com.OPTIONS)
    prior = rng.dirichlet(np.ones(k), nz)
    prior[rng.random((nz, k)) < 0.2] = 0.0
    if not hosting:
        prior[:, com.HOSTED] = 0.0
    ok = prior > 0
    log_prior = np.log(np.where(ok, prior, 1.0))
    v = spiky(rng, (nz, k), odd=odd)
    sv = np.abs(spiky(rng, nz, odd=odd))
    points = spiky(rng, (nz, com.N_OWN), odd=odd)
    last = rng.dirichlet(np.ones(k), nz)
    last[rng.random((nz, k)) < odd] = 0.0
    alive = rng.random(nz) < 0.7
    for every in (True, False):
        for sens in (0.0, 1.7, 40.0):
            ref_util = com._utility(v, prior, ok, log_prior, sens)
            util = np.empty_like(v)
            committees_k.utility(v, prior, ok, log_prior, sens, util)
            # a row maximum of 0.0 or -0.0 may leave the other sign of zero: exp() is the same
            same(np.exp(ref_util), np.exp(util))
            target = np.exp(ref_util)
            ref_last, ref_motive = last.copy(), np.full(nz, 7.0)
            com._new_shares(target.copy(), ref_last, ok, alive, every, 0.3, v, sv, points, com.N_OWN, ref_motive)
            got_last, got_motive = last.copy(), np.full(nz, 7.0)
            committees_k.new_shares(target.copy(), got_last, ok, alive, every, 0.3, v, sv, points, com.N_OWN,
                                    got_motive)
            same(ref_last, got_last)
            same(ref_motive, got_motive)


def test_rowsum_is_numpys_order(on):
    rng = np.random.default_rng(3)
    for n in range(1, 8):
        a = rng.standard_normal((200, n)) * 10.0 ** rng.integers(-8, 17, (200, n))
        ref = com._add(np.where(a > -np.inf, a, 0.0), axis=1)
        util = np.empty_like(a)
        committees_k.utility(a, np.ones_like(a), np.ones(a.shape, bool), np.zeros_like(a), 0.0, util)
        assert util.shape == a.shape
        got = np.array([committees_k.rowsum(a, i, n) for i in range(a.shape[0])])
        assert np.array_equal(bits(ref), bits(got))


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("odd", [0.0, 0.15])
def test_values_match_numpy(on, seed, odd):
    rng = np.random.default_rng(100 + seed)
    nz, n_subs = int(rng.integers(1, 20)), len(com.SUBS)
    sens = spiky(rng, (n_subs, nz), odd=odd)
    e = spiky(rng, (n_subs, com.N_OWN, nz), odd=odd)
    out_el = np.abs(spiky(rng, (nz, com.N_OWN), odd=odd))
    sv, ov = spiky(rng, nz, odd=odd), spiky(rng, nz, odd=odd)
    xh = np.abs(spiky(rng, (nz, com.N_OWN), odd=odd))
    score_pts = com._score_points(sens, e)
    ref_out_pts = com._add(sens[com._OUTPUT_LINKED], axis=0)
    pts = score_pts + ref_out_pts[:, None] * out_el
    ref_v = np.full((nz, len(com.OPTIONS)), 5.0)
    own_v = np.multiply(sv[:, None], pts, out=ref_v[:, : com.N_OWN])
    own_v += ov[:, None] * out_el
    own_v /= xh
    v, out_pts, points = np.full((nz, len(com.OPTIONS)), 5.0), np.empty(nz), np.empty((nz, com.N_OWN))
    committees_k.values(sens, e, com._LINKED, out_el, sv, ov, xh, out_pts, v, points)
    same(ref_out_pts, out_pts)
    same(ref_v, v)
    same(pts / xh, points)


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("hosting", [False, True])
@pytest.mark.parametrize("odd", [0.0, 0.15])
def test_spend_matches_numpy(on, seed, hosting, odd):
    rng = np.random.default_rng(200 + seed)
    nz, k = int(rng.integers(1, 20)), len(com.OPTIONS)
    shares = np.abs(spiky(rng, (nz, k), odd=odd))
    own, support = spiky(rng, nz, odd=odd), spiky(rng, nz, odd=odd) if hosting else np.zeros(nz)
    platforms, services, talent = spiky(rng, nz, odd=odd), spiky(rng, nz, odd=odd), spiky(rng, nz, odd=odd)
    pk, pc, sk = 0.9, 3.5, 0.85
    # spend_budget's numpy steps
    ref_p, ref_s, ref_sub = platforms.copy(), services.copy(), np.empty(nz)
    own_shares = shares[:, :com.N_OWN] / np.maximum(com._add(shares[:, :com.N_OWN], axis=1, keepdims=True), 1e-12)
    ref = np.zeros((nz, k))
    np.multiply(own_shares, np.maximum(own, 0.0)[:, None], out=ref[:, :com.N_OWN])
    if hosting:
        np.maximum(-support, 0.0, out=ref[:, com.HOSTED])
    ref_p *= pk
    ref_p += ref[:, com.PLATFORMS] / pc
    ref_s *= sk
    ref_s += ref[:, com.SERVICES]
    np.divide(com.k_from_m(ref[:, com.TALENT]), np.maximum(talent, 1.0), out=ref_sub)
    got, got_p, got_s, got_sub = np.empty((nz, k)), platforms.copy(), services.copy(), np.empty(nz)
    committees_k.spend(shares, own, support, hosting, com.N_OWN, got, got_p, pk, pc, got_s, sk, talent,
                       com.k_from_m(1.0), got_sub, com._USES)
    for a, b in ((ref, got), (ref_p, got_p), (ref_s, got_s), (ref_sub, got_sub)):
        same(a, b)


@pytest.mark.parametrize("seed", range(6))
def test_channels_match_numpy(on, monkeypatch, seed):
    from sim.model.zonemodel import ZoneModel
    from sim.scenario.world import load_world

    m = ZoneModel(world=load_world("synthetic:14,100,1000"), rng=seed)
    for _ in range(2):
        m.step()
    rng = np.random.default_rng(seed)
    zs, com_ = m.zones, m.committees
    nz = zs.capacity
    if seed % 2:  # zeros, -0.0, NaN and inf among the inputs
        for a in (m.flows["arrivals"], m.flows["startups"], zs.services, zs.platforms, zs.subsidy, zs.output_prev):
            a[: nz][rng.random(a[: nz].size) < 0.3] = rng.choice([0.0, -0.0, np.nan, np.inf])
    x = np.abs(spiky(rng, (nz, com.N_OWN), odd=0.1 * (seed % 2)))
    got = com_.channels(x)
    monkeypatch.setattr(committees_k, "available", lambda uses=6: False)
    ref = com_.channels(x)
    same(ref, got)


def test_the_kernels_step_aside_for_rows_numpy_sums_pairwise():
    """numpy adds a row of 8 or more numbers pairwise: with that many uses the committees keep numpy."""
    from sim.core import committees_k, kernels
    kernels.enable()
    assert not committees_k.available(8)
    assert committees_k.available(committees_k.MAX_USES) == committees_k.available(6)
