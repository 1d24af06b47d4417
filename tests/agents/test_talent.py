"""Talent behaviour: logit location choice and hiring."""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents import talent as tal
from sim.agents.talent import OUTSIDE
from sim.agents.zone import housing_cost
from sim.core import kernels
from sim.model.zonemodel import ZoneModel


def choose(m, **over):
    c = m.live_talent()
    housing = housing_cost(m, m.talent_by_zone())
    return c, tal.choose_location(m, c, np.ones(m.n_zone_slots), housing)


def test_higher_wage_draws_talent(world):
    m = ZoneModel(world=world, rng=1)
    c, base = choose(m)
    m.zones.wage[5] *= 3.0
    _, richer = choose(m)
    assert (richer == 5).sum() > 2 * (base == 5).sum()


def test_huge_outside_wage_empties_the_region(world):
    m = ZoneModel(world=world, rng=2, outside_wage_ratio=1e6)
    _, pick = choose(m)
    assert (pick == OUTSIDE).all()


def test_home_preference(world):
    m = ZoneModel(world=world, rng=3, beta_home=50.0)
    c, pick = choose(m)
    assert (pick == m.talent.home[c]).mean() > 0.99


def test_subsidy_attracts(world):
    m = ZoneModel(world=world, rng=4)
    _, base = choose(m)
    m.zones.subsidy_extra[7] = 200.0  # CNY k per person per year
    _, more = choose(m)
    assert (more == 7).sum() > (base == 7).sum()


def test_hiring_stays_in_zone_and_within_demand(world):
    m = ZoneModel(world=world, rng=5)
    c, i = m.live_talent(), m.live_firms()
    tal.hire(m)
    t, f = m.talent, m.firms
    employed = c[t.employer[c] >= 0]
    assert employed.size > 0
    assert (f.zone[t.employer[employed]] == t.zone[employed]).all()
    want = f.employees[i] * m.sector_skill[f.sector[i]]
    assert (f.skilled[i] <= want + 1e-9).all()


def test_no_talent_no_skilled_workers(world):
    m = ZoneModel(world=world, rng=6)
    m.talent.zone[m.live_talent()] = OUTSIDE
    tal.hire(m)
    assert m.firms.skilled[m.live_firms()].sum() == 0


@pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed or switched off")
def test_compiled_hiring_search_matches_numpy(world, monkeypatch):
    """The compiled cumulative-demand search (kernels.cum_search) picks numpy's employers: also with
    firms of no skilled demand (equal cumulative sums: a target on one goes to the next firm with
    demand) and after demand shrank (many cohorts per firm)."""
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    m = ZoneModel(world=world, rng=5, agent_handles="lazy")
    f, t = m.firms, m.talent
    for step in range(3):
        got = []
        for on in (True, False):
            monkeypatch.setattr(kernels, "SORTS", on)
            demand, supply = tal.hire(m)
            got.append((t.employer[:t.n].copy(), f.skilled[:f.n].copy(), demand, supply))
        assert all(np.array_equal(a, b) for a, b in zip(*got, strict=True))
        assert (got[0][0] >= 0).sum() > (100 if step < 2 else 10)
        if step == 0:
            m.sector_skill = np.where(np.arange(m.sector_skill.size) % 2 == 0, 0.0, m.sector_skill)
        else:
            f.employees[:f.n] *= 0.01


# --------------------------------------------------------------------- issue 19: the same bits
def _small_model(rng: int = 3, years: int = 2) -> ZoneModel:
    from sim.scenario.world import load_world

    m = ZoneModel(world=load_world("synthetic:14,100,1000"), rng=rng, agent_handles="lazy")
    for _ in range(years):
        m.step()
    return m


def _utility_as_written(m, job_odds, housing):
    """location_utility as its formulas read (before issue 19)."""
    from sim.core.units import k_from_m

    p, zs = m.params, m.zones
    nz = m.n_zone_slots
    base = (p.beta_wage * np.log(np.maximum(k_from_m(zs.wage), 1e-6)) + p.beta_amenity * zs.amenity
            - p.beta_housing * np.log(housing) + p.beta_subsidy * (zs.subsidy + zs.subsidy_extra)
            - p.beta_unemployed * (1.0 - job_odds))
    region = k_from_m(m.region_mean_wage) * (1.0 + p.outside_wage_growth) ** m.steps
    outside = p.outside_wage_ratio * region * (1.0 + p.skill_wage_premium * (np.ones(1) - 1.0).clip(-0.9))
    util = np.empty((nz, nz + 1))
    util[:, 0] = p.beta_wage * np.log(outside[0]) - p.outside_penalty
    util[:, 1:] = np.where(m.zone_active(), base, -np.inf)[None, :] + p.beta_home * np.eye(nz)
    return util


def _same_bits(a, b):
    return a.shape == b.shape and np.array_equal(np.asarray(a).view(np.uint64), np.asarray(b).view(np.uint64))


def test_location_utility_gives_the_formulas_bits_also_with_a_free_zone_slot():
    m = _small_model()
    housing = housing_cost(m, m.talent_by_zone())
    assert m.zones.n == m.zones.capacity
    assert _same_bits(tal.location_utility(m, m.job_odds, housing), _utility_as_written(m, m.job_odds, housing))
    m.add_zone(zone_id="test_park", lat=23.0, lon=108.0)  # the pool grows: free slots, inactive (-inf)
    assert m.zones.n < m.zones.capacity
    housing = housing_cost(m, m.talent_by_zone())
    util = tal.location_utility(m, m.job_odds, housing)
    assert _same_bits(util, _utility_as_written(m, m.job_odds, housing))
    assert np.isneginf(util[:, 1 + m.zones.n:]).all()


def test_home_bonus_is_cached_per_slots_and_beta_home_and_read_only():
    a, b = tal._home_bonus(5, 1.5), tal._home_bonus(5, 2.0)
    assert a is tal._home_bonus(5, 1.5) and not a.flags.writeable
    assert _same_bits(a, 1.5 * np.eye(5)) and _same_bits(b, 2.0 * np.eye(5))
    assert tal._home_bonus(6, 1.5).shape == (6, 6)


def test_skill_premium_is_the_clipped_formula():
    m = _small_model(years=0)
    skill = np.concatenate([np.linspace(-1.0, 4.0, 501), [1.0, 0.1, 0.1 - 1e-17]])
    want = 1.0 + m.params.skill_wage_premium * (skill - 1.0).clip(-0.9)
    assert _same_bits(tal.skill_premium(m, skill), want)
    assert _same_bits(tal.outside_wage(m, skill[:3]), tal._outside_unit_wage(m) * want[:3])
    assert tal.skill_premium(m, skill[0]) == want[0] and tal.skill_premium(m, skill[-1]) == want[-1]  # one skill


def test_hire_with_odds_hires_as_hire_and_gives_the_job_odds():
    one, two = _small_model(rng=8), _small_model(rng=8)
    demand, supply, odds = tal.hire_with_odds(one)
    d2, s2 = tal.hire(two)
    assert _same_bits(demand, d2) and _same_bits(supply, s2)
    assert np.array_equal(one.talent.employer[:one.talent.n], two.talent.employer[:two.talent.n])
    assert _same_bits(odds, np.where(supply > 0, np.minimum(1.0, demand / np.maximum(supply, 1e-9)), 1.0))
