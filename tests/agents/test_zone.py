"""Zone behaviour: public finance, land development, services."""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents import zone as zon
from sim.agents.zone import Zone


def test_budget_is_kept_tax_plus_transfers_and_is_spent_by_the_committee(model):
    zs, p = model.zones, model.params
    tax = np.full(zs.capacity, 100.0)
    zs.transfers[:] = 0.0
    zs.transfers[2] = 50.0
    platforms0, services0 = zs.platforms.copy(), zs.services.copy()
    zon.public_finance(model, tax)
    np.testing.assert_allclose(zs.budget, zs.tax_share * 100.0 + np.where(np.arange(zs.capacity) == 2, 50.0, 0))
    spend = model.committees.spend
    np.testing.assert_allclose(spend.sum(axis=1), zs.budget)  # all of it is spent, nothing carried
    np.testing.assert_allclose(zs.platforms, platforms0 * (1 - p.platform_depreciation) + spend[:, 3] / p.platform_cost)
    np.testing.assert_allclose(zs.services, services0 * (1 - p.services_depreciation) + spend[:, 2])
    np.testing.assert_allclose(zs.subsidy, spend[:, 4] * 1000.0 / np.maximum(model.talent_by_zone(), 1.0))
    assert (zs.transfers == 0).all()


def test_land_development_needs_allotment_and_room(model):
    zs = model.zones
    zs.land_allotted[:] = 0.0
    dev0 = zs.land_developed.copy()
    zon.develop_land(model)
    np.testing.assert_array_equal(zs.land_developed, dev0)
    zs.land_allotted[:] = 1000.0
    zon.develop_land(model)
    assert (zs.land_developed <= zs.land_total + 1e-9).all()
    cap = model.params.land_development_capacity * zs.mgmt_eff * model.committees.land_capacity()
    assert (zs.land_developed - dev0 <= cap + 1e-9).all()


def test_services_saturate(model):
    zs = model.zones
    zs.services[:] = 1e12
    eff = zon.service_effect(model)
    np.testing.assert_allclose(eff, 1 + model.params.service_effect_max * zs.mgmt_eff, rtol=1e-6)
    zs.services[:] = 0.0
    np.testing.assert_allclose(zon.service_effect(model), 1.0)


def test_zone_agent_views_its_row(model):
    z = next(a for a in model.agents_by_type[Zone] if a.zone_id == "guilin")
    assert z.level_name == "national"
    assert z.land_total == pytest.approx(97.0)
    assert z.land_available == pytest.approx(97.0 - 18.0)
    z.mgmt_eff = 0.9
    assert model.zones.mgmt_eff[z.slot] == 0.9
    f = model.firms
    assert z.firms().size == int((f.zone[:f.n] == z.slot).sum()) == pytest.approx(6000, rel=0.05)


def test_housing_cost_is_the_formula():
    """housing_cost works in one buffer (issue 19): the formula's bits."""
    from sim.model.zonemodel import ZoneModel
    from sim.scenario.world import load_world

    m = ZoneModel(world=load_world("synthetic:14,100,1000"), rng=1, agent_handles="lazy")
    z = m.zones
    talent = m.talent_by_zone()
    talent[0] = 0.0
    want = z.housing_base * (np.maximum(talent, 1.0) / np.maximum(z.talent_base, 1.0)) ** m.params.housing_elasticity
    got = zon.housing_cost(m, talent)
    assert np.array_equal(got.view(np.uint64), want.view(np.uint64))
    assert talent[0] == 0.0  # the argument is left as it was
