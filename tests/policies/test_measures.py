"""Areas 2-6 measures: each sets what it says on the zones it targets, and books its cost."""

import numpy as np
import pytest

from sim.agents.zone import DELISTED
from sim.core.errors import InputError

from .conftest import build


def test_talent_subsidy_targets_and_cost(make):
    m = make(build("talent_subsidy", amount=30.0, zones=["region"]))
    z = m.zone_ids.index("baise")
    m.zones.level[m.zone_ids.index("laibin")] = DELISTED
    m.step()
    zs = m.zones
    expect = np.where((zs.level == 1), 30.0, 0.0)
    np.testing.assert_allclose(zs.subsidy_extra, expect)
    assert zs.subsidy_extra[z] == 30.0 and zs.subsidy_extra[m.zone_ids.index("laibin")] == 0.0
    np.testing.assert_allclose(m.flows["region_support"], expect * m.talent_by_zone() / 1000.0)


def test_talent_subsidy_draws_talent(world):
    from sim.model.zonemodel import ZoneModel
    base = ZoneModel(world=world, rng=4).run(2)
    sub = ZoneModel(world=world, levers=[build("talent_subsidy", amount=60.0, zones=["baise"])], rng=4).run(2)
    get = lambda df: df[(df.zone == "baise") & (df.step == 2)]["talent"].iloc[0]  # noqa: E731
    assert get(sub) > get(base)


def test_platform_building_adds_platforms_worth_the_budget(make):
    lever = build("platform_building", budget=100.0, split="need")
    m = make(lever)
    m.step()  # the year's public finance changes platforms too: test the lever's own step
    before = m.zones.platforms.copy()
    lever.start_year(m)
    added = m.zones.platforms - before
    assert added.sum() == pytest.approx(100.0 / m.params.platform_cost)
    assert added[np.argmin(before[:14])] == added[:14].max()  # 'need': fewest platforms get most
    lever.end_year(m)
    assert lever.spent == pytest.approx(100.0 + 100.0)


def test_multipliers_compose_across_levers(make):
    tt = build("tech_transfer", gain=0.2, zones=["nanning"])
    host = build("hosting", pairs=[{"host": "guilin", "hosted": "nanning"}], spillover=1.0)
    m = make(tt, host)
    m.step()
    z = m.zone_ids.index("nanning")
    assert m.zones.innovation_mult[z] == pytest.approx(1.2 * host.innovation.current[z])
    tt.start_year(m)  # setting again replaces only this lever's part
    assert m.zones.innovation_mult[z] == pytest.approx(1.2 * host.innovation.current[z])


def test_incubators_raise_startups(world):
    from sim.model.zonemodel import ZoneModel
    runs = [ZoneModel(world=world, levers=lv, rng=6) for lv in ([], [build("incubators", gain=1.0)])]
    for r in runs:
        r.step()
    base, inc = (r.flows["startups"].sum() for r in runs)
    assert inc > 1.5 * base
    assert runs[1].flows["region_support"].sum() == pytest.approx(0.2 * inc)


def test_certification_support_sets_multiplier(make):
    m = make(build("certification_support", gain=0.5, zones=["national"]))
    m.step()
    np.testing.assert_allclose(m.zones.certification_mult[:14], np.where(m.zones.level[:14] == 0, 1.5, 1.0))


def test_outside_attraction_raises_total_arrivals(world):
    from sim.model.zonemodel import ZoneModel
    totals = []
    for lv in ([], [build("outside_attraction", gain=1.0)]):
        arr = 0.0
        for seed in (1, 2):
            m = ZoneModel(world=world, levers=lv, rng=seed)
            m.step()
            arr += m.flows["arrivals"].sum()
        totals.append(arr)
    # expected arrivals double; some are turned away for lack of free land, so admitted ones rise less
    assert totals[1] > 1.3 * totals[0]


def test_management_reform_closes_the_gap(make):
    m = make(build("management_reform", target=0.9, speed=0.5, zones=["baise"]))
    z = m.zone_ids.index("baise")
    e = m.zones.mgmt_eff.copy()
    m.step()
    assert m.zones.mgmt_eff[z] == pytest.approx(e[z] + 0.5 * (0.9 - e[z]))
    others = np.arange(14) != z
    np.testing.assert_allclose(m.zones.mgmt_eff[:14][others], e[:14][others])


def test_fiscal_autonomy_keeps_more_tax_and_books_forgone_revenue(make):
    m = make(build("fiscal_autonomy", share=0.5, zones=["region"]))
    m.step()
    zs = m.zones
    region = zs.level == 1
    np.testing.assert_allclose(zs.tax_share[region], 0.5)
    np.testing.assert_allclose(zs.tax_share[zs.alive & ~region], m.params.zone_tax_share)
    np.testing.assert_allclose(zs.tax_kept[zs.alive], (zs.tax_share * zs.tax_raised)[zs.alive])
    np.testing.assert_allclose(m.flows["region_support"][region], (0.5 - 0.25) * zs.tax_raised[region])


def test_green_constraint_sets_its_column(make):
    m = make(build("green_constraint", max_growth=0.05))
    f = m.firms
    i0 = m.live_firms().copy()
    uid0 = f.uid[i0].copy()
    emp0 = f.employees[i0].copy()
    m.step()
    np.testing.assert_allclose(m.zones.growth_cap[:14], 0.05)
    same = f.alive[i0] & (f.uid[i0] == uid0) & (emp0 >= 1.0)
    growth = np.log(f.employees[i0][same] / emp0[same])
    from sim.agents.enterprise import ENERGY_INTENSIVE
    energy = ENERGY_INTENSIVE[f.sector[i0][same]]
    assert growth[energy].max() <= 0.05 + 1e-9  # energy-intensive firms are capped
    assert growth[~energy].max() > 0.05  # the others are not


def test_classified_evaluation_sets_weights_per_class(make):
    m = make(build("classified_evaluation", national_weights=(1, 1, 1, 1, 1), region_weights=(4, 0, 0, 0, 0)))
    w = m.government.weights
    np.testing.assert_allclose(w[0], 0.2)
    np.testing.assert_allclose(w[1], [1, 0, 0, 0, 0])
    m.step()
    region = np.flatnonzero(m.zones.alive & (m.zones.level == 1))
    np.testing.assert_allclose(m.zones.score[region], m.government.indicators[0][region])


def test_unknown_target_zone_is_an_input_error(make):
    with pytest.raises(InputError, match="unknown zone 'atlantis'.*allowed: all, national, region"):
        make(build("incubators", zones=["atlantis"]))


def test_classified_weights_move_committee_spending_towards_the_weighted_area(world):
    """Weighting innovation more (area 6, classified evaluation) makes the uses that feed innovation
    (platforms: innovations, start-ups, certification) buy more evaluation points, and committees
    put more of their budgets there."""
    from sim.agents.committee import N_OWN, PLATFORMS
    from sim.model.zonemodel import ZoneModel

    runs = {}
    for w in ((20, 20, 15, 15, 30), (80, 5, 5, 5, 5)):
        lever = build("classified_evaluation", national_weights=w, region_weights=w)
        m = ZoneModel(world=world, levers=[lever], rng=8)
        for _ in range(3):
            m.step()
        runs[w[0]] = m
    a, b = runs[20].committees, runs[80].committees
    alive = np.flatnonzero(runs[20].zones.alive)
    assert np.mean(b.shares[alive, PLATFORMS]) > np.mean(a.shares[alive, PLATFORMS])
    assert np.mean(np.sum(b.shares[alive, :N_OWN] * b.points[alive], axis=1)) > 0
