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
