"""Issue 17, industry and people: each new lever moves its own target in the intended direction on
the default world (a few years, paired seed) and books its cost against the region's budget."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.params import SECTORS
from sim.model.zonemodel import ZoneModel

from .conftest import build, by_key, run


def test_key_technology_raises_the_selected_firms_knowledge_and_innovations(world, base):
    lever = build("key_technology", budget=600.0, grant=5.0)
    m = run(world, [lever])
    assert lever.projects > 0
    kb, km = by_key(base, "knowledge"), by_key(m, "knowledge")
    chosen = [k for k in lever.keys.tolist() if k in kb and k in km]
    assert len(chosen) > 50
    assert all(km[k] > kb[k] for k in chosen)  # every funded firm alive in both runs knows more
    assert m.flows["innovations"].sum() > base.flows["innovations"].sum()
    assert m.government.budget.booked["key_technology"] == pytest.approx(600.0)  # the whole budget, booked


def test_key_technology_selects_by_rd_capacity(world):
    lever = build("key_technology", budget=50.0, grant=5.0)  # ten projects
    m = ZoneModel(world=world, levers=[lever], rng=3)
    f = m.firms
    rd_before = f.rd[:f.n].copy()
    keys_before = f.key[:f.n].copy()
    m.step()
    assert lever.projects == 10
    top = keys_before[np.argsort(-rd_before)[:10]]
    assert set(lever.keys.tolist()) == set(top.tolist())


def test_industry_clusters_concentrate_entrants_in_supported_sectors(world, base):
    lever = build("industry_clusters", leading=False, pull=2.0, arrival_gain=0.2)
    m = run(world, [lever])
    supported = [SECTORS.index(s) for s in lever.settings.sectors]

    def share(mm):
        f = mm.firms
        young = f.origin[:f.n] != 0
        young &= f.age[:f.n] <= 2
        return np.isin(f.sector[:f.n][young], supported).mean()

    assert share(m) > share(base) + 0.05
    assert m.flows["arrivals"].sum() > base.flows["arrivals"].sum()
    assert lever.entrants > 0
    assert lever.funding == 1.0 and lever.cost == pytest.approx(lever.settings.grant * lever.entrants)
    assert m.government.budget.booked["industry_clusters"] > 0


def test_industry_clusters_without_pull_leave_sector_choice_alone(world):
    lever = build("industry_clusters", pull=0.0, arrival_gain=0.0, grant=0.0)
    a, b = run(world, [lever], years=2), run(world, [], years=2)
    np.testing.assert_array_equal(a.firms.sector[:a.firms.n], b.firms.sector[:b.firms.n])


def test_industry_upgrading_moves_traditional_firms_up_and_raises_value_added(world, base):
    lever = build("industry_upgrading", rate=0.2)
    m = run(world, [lever])
    trad, adv = SECTORS.index("traditional"), SECTORS.index("advanced_manufacturing")
    count = lambda mm, s: int(np.sum(mm.firms.sector[:mm.firms.n] == s))
    assert lever.upgraded > 100
    assert count(m, trad) < count(base, trad) and count(m, adv) > count(base, adv)
    assert m.flows["value_added"].sum() > base.flows["value_added"].sum()
    assert m.government.budget.booked["industry_upgrading"] > 0
    assert lever.cost == pytest.approx(0.2 * lever.invested)


def test_industry_upgrading_draws_are_keyed_by_firm_and_year(world):
    """The same firm draws the same number whatever else happens: the upgrades of year 1 are the
    same firms under two packages that differ elsewhere."""
    a = build("industry_upgrading", rate=0.1)
    b = build("industry_upgrading", rate=0.1)
    m1 = ZoneModel(world=world, levers=[a], rng=4)
    m2 = ZoneModel(world=world, levers=[b, build("tech_transfer")], rng=4)
    m1.step()
    m2.step()
    adv = SECTORS.index("advanced_manufacturing")
    up = lambda m: set(m.firms.key[:m.firms.n][m.firms.sector[:m.firms.n] == adv].tolist())
    assert a.upgraded == b.upgraded > 0
    assert up(m1) == up(m2) or len(up(m1) ^ up(m2)) < 0.02 * len(up(m1))  # entrants of year 1 may differ


def test_industry_upgrading_refuses_a_sector_to_itself():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="to_sector"):
        build("industry_upgrading", from_sectors=["traditional"], to_sector="traditional")


def test_performance_pay_raises_committee_effort_and_is_paid_by_score(world, base):
    lever = build("performance_pay", bonus_per_point=0.3)
    m = run(world, [lever], years=4)
    alive = np.flatnonzero(m.zones.alive)
    assert np.all(lever.effort[alive] > 0)
    assert np.all(m.zones.mgmt_eff[alive] > base.zones.mgmt_eff[alive] - 1e-12)
    assert m.zones.mgmt_eff[alive].mean() > base.zones.mgmt_eff[alive].mean() + 0.01
    # the bonus is worth a score point to each committee
    assert np.all(m.committees.score_value[alive] >= 0.3 - 1e-9)
    # the bonus paid this year is the score times the bonus per point
    score = np.nan_to_num(m.zones.score[alive])
    assert m.government.budget.booked["performance_pay"] == pytest.approx(0.3 * score.sum())
    assert m.flows["output"].sum() > base.flows["output"].sum() * 0.999


def test_performance_pay_effort_rises_with_the_bonus(world):
    lo, hi = build("performance_pay", bonus_per_point=0.05), build("performance_pay", bonus_per_point=0.5)
    run(world, [lo], years=2), run(world, [hi], years=2)
    assert hi.effort[:14].sum() > 2 * lo.effort[:14].sum() > 0


def test_direct_channel_supports_the_largest_new_projects(world, base):
    lever = build("direct_channel", projects=10, grant=5.0, arrival_gain=0.2, cost_per_zone=1.0)
    m = run(world, [lever])
    assert lever.supported == 30  # ten a year
    assert m.flows["arrivals"].sum() > base.flows["arrivals"].sum()
    n_zones = int(m.zones.alive.sum())
    assert m.government.budget.booked["direct_channel"] == pytest.approx(10 * 5.0 + n_zones * 1.0)


def test_city_industry_raises_amenity_and_draws_talent(world, base):
    lever = build("city_industry", budget=2000.0, split="equal")
    m = run(world, [lever], years=4)
    alive = np.flatnonzero(m.zones.alive)
    assert np.all(m.zones.amenity[alive] > base.zones.amenity[alive])
    assert m.talent_by_zone().sum() > base.talent_by_zone().sum()
    assert m.government.budget.booked["city_industry"] == pytest.approx(2000.0 * lever.funding)


def test_neutral_settings_of_the_new_levers_keep_the_baseline(world, base):
    levers = [build("key_technology", budget=0.0), build("industry_clusters", pull=0.0, arrival_gain=0.0, grant=0.0),
              build("industry_upgrading", rate=0.0), build("direct_channel", projects=0, arrival_gain=0.0,
                                                           cost_per_zone=0.0),
              build("city_industry", budget=0.0), build("performance_pay", bonus_per_point=0.0)]
    m = run(world, levers)
    import pandas as pd

    pd.testing.assert_frame_equal(m.results(), base.results())
