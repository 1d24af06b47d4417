"""Issue 17, mis-specified measures and free lunches: each lever moves its own target in the
intended direction on the default world (a few years, paired seed) and books its cost."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.params import SECTORS
from sim.model.zonemodel import ZoneModel
from sim.policies import Lever
from sim.policies.environment import energy_use

from .conftest import build, run


def sector_output(m):
    f = m.firms
    return np.bincount(f.sector[:f.n], weights=f.output[:f.n], minlength=len(SECTORS))


def test_green_development_lowers_energy_intensity_without_collapsing_a_sector(world, base):
    lever = build("green_development", budget=2000.0)
    m = run(world, [lever])
    assert lever.upgraded > 0
    intensity = lambda mm, e: e.sum() / mm.firms.output[:mm.firms.n].sum()  # noqa: E731
    before = intensity(base, energy_use(base))
    after = intensity(m, energy_use(m, lever.done, lever.settings.saving))
    assert after < 0.99 * before  # the upgraded firms use less energy per unit of output
    assert np.all(sector_output(m) > 0.97 * sector_output(base))  # no sector collapses (the old cap: -63% Baise)
    b = m.government.budget
    assert 0 < b.booked["green_development"] <= 2000.0 + 1e-6  # paid from the region's budget, within the plan
    assert lever.summary()["paid_cny_m"] == pytest.approx(lever.paid)
    assert lever.summary()["energy_tce_per_cny_10k"] == pytest.approx(after * 1e4)


def test_green_development_without_budget_does_nothing(world, base):
    lever = build("green_development", budget=0.0)
    m = run(world, [lever], years=1)
    assert lever.upgraded == 0 and m.government.budget.booked["green_development"] == 0.0


def test_tech_finance_raises_borrowers_output_and_keeps_no_zombies(world, base):
    lever = build("tech_finance")
    m = run(world, [lever])
    assert lever.borrowers > 0 and lever.lent > 0
    assert np.all(m.zones.credit == 0.0)  # loss-driven exits are no longer averted
    fb, fm = base.firms, m.firms
    # the firms that borrowed in year 1 and are alive in both runs produce more than without the loan
    borrowed = lever.keys[lever.year == 1]
    kb = dict(zip(fb.key[:fb.n].tolist(), fb.output[:fb.n].tolist()))
    pairs = [(kb[k], o) for k, o in zip(fm.key[:fm.n].tolist(), fm.output[:fm.n].tolist())
             if k in kb and k in set(borrowed.tolist())]
    assert len(pairs) > 100
    ob, om = np.array(pairs).T
    assert om.sum() > 1.02 * ob.sum()
    # output per km2 does not fall: no loss-makers kept alive
    opl = lambda mm: mm.flows["output"].sum() / mm.zones.land_developed[mm.zones.alive].sum()  # noqa: E731
    assert opl(m) >= opl(base)
    assert m.government.budget.booked["tech_finance"] > 0


def test_tech_finance_cost_is_interest_on_running_loans_plus_risk(world):
    lever = build("tech_finance", loan_ratio=0.1, interest_subsidy=0.02, risk_share=0.03, term=2)
    m = ZoneModel(world=world, levers=[lever], rng=5)
    m.step()
    lent1 = lever.lent
    assert m.government.budget.booked["tech_finance"] == pytest.approx(0.05 * lent1)
    m.step()
    lent2 = lever.lent - lent1
    assert m.government.budget.booked["tech_finance"] == pytest.approx(0.02 * (lent1 + lent2) + 0.03 * lent2)
    assert not np.isin(lever.keys[lever.year == 2], lever.keys[lever.year == 1]).any()  # one loan at a time


def test_high_level_talent_draws_high_level_people_at_a_fraction_of_the_old_cost(world, base):
    lever = build("high_level_talent", zones=["baise"])
    m = run(world, [lever])
    z = m.zone_ids.index("baise")

    def high(mm):
        t = mm.talent
        return np.sum((t.zone[:t.n] == z) & (t.skill[:t.n] >= mm.params.high_skill_threshold))

    assert high(m) > high(base)
    assert lever.recruited > 0
    assert lever.grants == pytest.approx(lever.recruited * 100.0 / 1000.0)  # CNY 100 k a recruit
    assert m.government.budget.booked["high_level_talent"] > 0
    # cost order of magnitude: the old allowance paid CNY 20 k a year to every skilled person
    old = build("talent_subsidy", amount=20.0, zones=["baise"])
    mo = run(world, [old])
    assert m.government.budget.booked["high_level_talent"] < 0.5 * mo.government.budget.booked["talent_subsidy"]


@pytest.mark.parametrize("name", ["tech_transfer", "management_reform"])
def test_former_free_lunches_book_their_cost(world, name):
    lever = build(name, cost_per_zone=10.0, zones=["national"])
    m = ZoneModel(world=world, levers=[lever], rng=2)
    m.step()
    national = int(np.sum(m.zones.alive & (m.zones.level == 0)))
    assert m.government.budget.booked[name] == pytest.approx(10.0 * national)
    free = build(name, cost_per_zone=0.0)
    m2 = ZoneModel(world=world, levers=[free], rng=2)
    m2.step()
    assert m2.government.budget.booked[name] == 0.0


def test_tech_transfer_gain_scales_with_funding(world):
    lever = build("tech_transfer", gain=0.2, cost_per_zone=10.0)
    m = ZoneModel(world=world, levers=[lever], rng=2)
    m.step()
    lever.funding = 0.5
    lever.start_year(m)
    alive = m.zones.alive
    np.testing.assert_allclose(m.zones.innovation_mult[alive], 1.1)


class DemandSeen(Lever):
    """Test lever: records the zones' land demand each year, allots nothing itself."""

    name = "demand_seen"

    def __init__(self) -> None:
        super().__init__(None)
        self.asked: list[float] = []

    def allocate_land(self, model, demand):
        self.asked.append(float(demand[model.zones.alive[:demand.size]].sum()))
        return None


@pytest.mark.parametrize("rule", ["output_per_land", "equal", "rank"])
def test_land_rules_issue_what_the_zones_ask_for(world, rule):
    seen, land = DemandSeen(), build("land_allocation", rule=rule)
    m = ZoneModel(world=world, levers=[seen, land], rng=4)
    issued = []
    for _ in range(3):
        m.step()
        issued.append(land.last["allotted"] + land.last["carried_out"] + land.last["returned"])
    quota = m.params.land_quota
    np.testing.assert_allclose(issued, np.minimum(seen.asked, quota))  # the baseline's amount, not the whole quota


def test_land_quota_setting_issues_that_much(world):
    land = build("land_allocation", rule="output_per_land", quota=20.0)
    m = ZoneModel(world=world, levers=[land], rng=4)
    m.step()
    assert land.last["issued"] == 20.0
    assert land.last["allotted"] + land.last["returned"] + land.last["carried_out"] == pytest.approx(20.0)


def test_tech_finance_loans_are_repaid_at_the_end_of_their_term(world):
    lever = build("tech_finance", term=1)
    m = ZoneModel(world=world, levers=[lever], rng=5)
    m.step()
    f = m.firms
    borrowed = np.isin(f.key[:f.n], lever.keys)
    k_before = f.capital[:f.n][borrowed].copy()
    frac = dict(zip(lever.keys.tolist(), lever.frac.tolist()))
    keys = f.key[:f.n][borrowed]
    lever.repay(m, lever.year <= 1)
    expect = k_before * (1.0 - np.array([frac[k] for k in keys.tolist()]))
    np.testing.assert_allclose(f.capital[:f.n][borrowed], expect)
    assert lever.repaid == int(borrowed.sum()) > 0
