"""Issue 17, land and zones: the 亩均 reform (``mu_yield``) and zone boundary expansion
(``zone_expansion``) move their own targets in the intended direction on the default world (a few
years, paired seed) and book their cost."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.zonemodel import ZoneModel
from sim.policies.land_use import MU_PER_KM2

from .conftest import build, by_key, run


def test_mu_yield_classes_firms_within_each_zone_by_yield_per_mu(world):
    lever = build("mu_yield", shares=[0.25, 0.25, 0.25, 0.25])
    m = ZoneModel(world=world, levers=[lever], rng=3, agent_handles="lazy")
    m.step()
    f = m.firms
    cls = lever.classify(m)
    assert (cls >= 0).sum() > 0.1 * f.n  # firms on at least 3 mu
    for z in np.flatnonzero(m.zones.alive)[:4]:
        mine = (f.zone[:f.n] == z) & (cls >= 0)
        counts = np.bincount(cls[mine], minlength=4)
        assert counts.max() - counts.min() <= 2  # equal shares within the zone
        out_mu = f.output[:f.n][mine] / (f.land[:f.n][mine] * MU_PER_KM2)
        a, d = out_mu[cls[mine] == 0], out_mu[cls[mine] == 3]
        assert np.median(a) > 2 * np.median(d)  # A yields far more per mu than D


@pytest.mark.parametrize("shares", [(0.1, 0.2, 0.3, 0.4), (0.5, 0.0, 0.0, 0.5), (0.0, 0.0, 0.0, 1.0)])
def test_mu_yield_classes_are_the_shares_of_each_zones_ranking(world, shares):
    """A firm's class is the number of class boundaries (the shares' running sum) at or below its
    place in its zone's ranking: a zone's classes hold the shares of its classed firms (to one
    firm), an empty share holds none, and the class ascends with the place."""
    lever = build("mu_yield", shares=list(shares))
    m = ZoneModel(world=world, levers=[lever], rng=4, agent_handles="lazy")
    m.step()
    f = m.firms
    cls = lever.classify(m)
    assert cls.dtype == np.int64 and cls.min() >= -1 and cls.max() <= 3
    for z in np.flatnonzero(m.zones.alive)[:5]:
        mine = (f.zone[:f.n] == z) & (cls >= 0)
        n = int(mine.sum())
        counts = np.bincount(cls[mine], minlength=4)
        assert np.all(np.abs(counts - n * np.array(shares)) <= 1.0), (z, counts, n)
        assert np.all(counts[np.array(shares) == 0.0] == 0)


def test_mu_yield_squeezes_low_yield_firms_reclaims_their_plots_and_raises_output_per_mu(world, base):
    lever = build("mu_yield", reclaim_after=1)
    m = run(world, [lever])
    s = lever.summary()
    assert s["reclaimed_km2"] > 0 and s["surcharges_cny_m"] > 0 and s["discounts_cny_m"] > 0
    # output per mu of the land firms occupy rises (亩均效益): low-yield plots go back to the zones
    opl = lambda mm: mm.flows["output"].sum() / mm.occupied_land()[mm.zones.alive].sum()
    assert opl(m) > 1.01 * opl(base)
    assert m.free_land()[m.zones.alive].sum() > base.free_land()[base.zones.alive].sum()
    # the classes feel their prices: D firms (this year's class) earn less than in the baseline, A firms more
    cls = lever.cls
    f = m.firms
    pb = by_key(base, "profit")
    keys = f.key[:f.n].tolist()
    for c, sign in ((0, 1.0), (3, -1.0)):
        pairs = np.array([(pb[k], p) for k, p, cc in zip(keys, f.profit[:f.n].tolist(), cls[:f.n].tolist())
                          if cc == c and k in pb])
        assert len(pairs) > 100
        assert sign * (pairs[:, 1].sum() - pairs[:, 0].sum()) > 0
    # the region pays the discounts less the surcharges (not below zero per zone) and the compensation
    assert m.government.budget.booked["mu_yield"] > 0


def test_mu_yield_without_price_changes_or_reclaiming_changes_nothing(world, base):
    lever = build("mu_yield", price_a=0.0, price_c=0.0, price_d=0.0, reclaim_share=0.0)
    m = run(world, [lever])
    np.testing.assert_array_equal(m.flows["output"], base.flows["output"])
    assert m.government.budget.booked["mu_yield"] == 0.0


def test_zone_expansion_grants_area_to_zones_short_of_room_and_books_it(world, base):
    lever = build("zone_expansion", rule="room", room_share=10.0, km2=5.0, per_year=100, gap_years=1,
                  max_grants=2, cost_per_km2=1.0)
    m = run(world, [lever])
    alive = np.flatnonzero(base.zones.alive)
    grown = m.zones.land_total[alive] - base.zones.land_total[alive]
    np.testing.assert_allclose(grown, 10.0)  # decided at the end of years 1 and 2, granted in years 2 and 3
    assert lever.added == pytest.approx(10.0 * alive.size)
    assert lever.cost == pytest.approx(1.0 * lever.added)
    assert m.government.budget.booked["zone_expansion"] == pytest.approx(1.0 * 5.0 * alive.size)
    # the zones ask for quota for the new room: at least as much land developed as without
    assert m.zones.land_developed[alive].sum() >= base.zones.land_developed[alive].sum() - 1e-9


def test_zone_expansion_lets_a_land_starved_zone_admit_entrants(world):
    """A zone without room left turns entrants away; expanding it lets them in."""
    def starved(levers):
        m = ZoneModel(world=world, levers=levers, rng=2, agent_handles="lazy")
        z = m.zone_ids.index("nanning")
        zs = m.zones  # no free land and no room inside the boundary
        zs.land_developed[z] = zs.land_total[z] = m.occupied_land()[z]
        zs.land_allotted[z] = 0.0
        for _ in range(6):
            m.step()
        return m, z

    b, z = starved([])
    lever = build("zone_expansion", rule="blocked", min_blocked=1, km2=20.0, gap_years=1, zones=["nanning"])
    m, _ = starved([lever])
    assert lever.added > 0
    assert m.zones.land_developed[z] > b.zones.land_developed[z]
    firms = lambda mm: np.sum(mm.firms.zone[:mm.firms.n] == z)
    assert firms(m) > firms(b)


def _old_changes(lever, cls, funding=None):
    """The price changes as mu_yield computed them before its five-entry table (issue 19)."""
    change = np.where(cls >= 0, lever.prices()[np.maximum(cls, 0)], 0.0)
    return change if funding is None else np.where(change < 0, change * funding, change)


@pytest.mark.parametrize("funding", [None, 1.0, 0.37])
def test_mu_yield_price_changes_from_the_table_are_the_same_bits(funding):
    lever = build("mu_yield", price_a=-0.07, price_b=-0.0, price_c=0.1, price_d=0.3)
    cls = np.random.default_rng(5).integers(-1, 4, 1000)
    got, want = lever._changes(cls, funding), _old_changes(lever, cls, funding)
    assert got.tobytes() == want.tobytes()


def test_mu_yield_bill_and_class_sums_are_those_of_the_direct_formulas(world):
    """The per-sector bill table and the class sums without masked copies give the bits of the
    formulas they replaced (issue 19)."""
    from sim.core.kernels import group_sums
    from sim.policies.environment import ENERGY_INTENSITY

    lever = build("mu_yield", reclaim_after=1)
    m = ZoneModel(world=world, levers=[lever], rng=3, agent_handles="lazy")
    seen = []
    start_year = lever.start_year

    def checked(model):  # the class sums as start_year took them before issue 19, from its inputs
        f, L = model.firms, model.firms.n
        if lever.cls.size != L:
            lever.cls = lever.classify(model)
        valid = lever.cls >= 0
        want = group_sums(lever.cls[valid], (f.output[:L][valid], f.land[:L][valid] * MU_PER_KM2), 4, count=True)
        start_year(model)
        seen.append(int(want[0].sum()))
        assert lever.counts.tolist() == want[0].tolist()
        per_mu = np.divide(want[1], want[2], out=np.zeros(4), where=want[2] > 0)
        assert lever.output_per_mu.tobytes() == per_mu.tobytes()

    lever.start_year = checked
    for _ in range(3):
        m.step()
    assert len(seen) == 3 and seen[-1] > 0
    f, s, L = m.firms, lever.settings, m.firms.n
    old_bill = f.output[:L] * (ENERGY_INTENSITY[f.sector[:L]] * s.energy_price / 10_000.0 + s.water_share) \
        + s.land_tax * f.land[:L]
    assert lever._bill(m, L).tobytes() == old_bill.tobytes()


def test_mu_yield_due_is_reused_only_while_its_inputs_are_unchanged(world):
    lever = build("mu_yield", reclaim_after=2)
    m = ZoneModel(world=world, levers=[lever], rng=3, agent_handles="lazy")
    for _ in range(3):
        m.step()
    f, L = m.firms, m.firms.n
    lever.cls = lever.classify(m)
    first = lever._due(m)
    assert first.any() and lever._due(m) is first  # same inputs: the same answer, not recomputed

    def fresh():
        lever._due_memo = None
        return lever._due(m).copy(), lever._d_run.copy()

    # another slot order of the keys (as after an exit) must be seen: a due firm's slot now holds
    # the key of a firm that was not D last year, so it is not due
    saved = f.key[:L].copy()
    d = np.flatnonzero(first)[0]
    other = np.flatnonzero(~first)[0]
    f.key[[d, other]] = f.key[[other, d]]
    got = (lever._due(m).copy(), lever._d_run.copy())
    assert first[d] and not got[0][d]
    want = fresh()
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    f.key[:L] = saved
    # new classes (a new array) are seen too
    lever._due(m)
    cls = lever.cls.copy()
    cls[d] = 0
    lever.cls = cls
    assert not lever._due(m)[d]
    # and a new record of last year's D firms
    lever.d_keys, lever.d_years = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    assert np.array_equal(lever._due(m), fresh()[0])


def _old_due(lever, model):
    """mu-yield's D-years lookup over all firms, as before issue 19 (the reference)."""
    from sim.core.keys import KeyIndex

    f, L = model.firms, model.firms.n
    years = np.zeros(L, dtype=np.int64)
    if lever.d_keys.size:
        pos = KeyIndex(lever.d_keys).find(f.key[:L])
        hit = pos >= 0
        years[hit] = lever.d_years[pos[hit]]
    d = lever.cls[:L] == 3
    run = np.where(d, years + 1, 0)
    return d & (run >= lever.settings.reclaim_after), run


@pytest.mark.parametrize("after", [1, 2, 3])
def test_mu_yield_due_of_the_d_firms_alone_is_the_lookup_over_all_firms(world, after):
    lever = build("mu_yield", reclaim_after=after)
    m = ZoneModel(world=world, levers=[lever], rng=5, agent_handles="lazy")
    due = lever._due
    seen = []

    def checked(model):
        want, run = _old_due(lever, model)
        got = due(model)
        assert got.dtype == want.dtype and np.array_equal(got, want)
        assert lever._d_run.dtype == run.dtype and np.array_equal(lever._d_run, run)
        seen.append(int(run.max(initial=0)))
        return got

    lever._due = checked
    for _ in range(5):
        m.step()
    assert max(seen) >= 3  # firms D several years running were looked up
