import numpy as np
import pandas as pd
import pytest

from sim.model.zonemodel import ZoneModel
from sim.policies.land_allocation import waterfill

from .conftest import build

RULES = ("equal", "demand", "output_per_land", "rank")


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("unplaced,reclaim", [("return", 0.0), ("carry", 0.5)])
def test_quota_is_conserved_under_every_rule(make, rule, unplaced, reclaim):
    lever = build("land_allocation", rule=rule, unplaced=unplaced, reclaim_share=reclaim, reclaim_developed=reclaim > 0)
    m = make(lever)
    for _ in range(3):
        m.step()
        last = lever.last
        assert last["allotted"] + last["carried_out"] + last["returned"] == pytest.approx(
            last["issued"] + last["reclaimed"] + last["carried_in"])
        assert m.flows["land_allotted"].sum() == pytest.approx(last["allotted"])
        assert m.flows["land_reclaimed"].sum() == pytest.approx(last["reclaimed"])
        zs = m.zones
        assert (zs.land_developed + zs.land_allotted <= zs.land_total + 1e-9).all()
        if rule != "demand":  # room is ample in this world: the whole pool is handed out
            assert last["allotted"] == pytest.approx(last["issued"] + last["reclaimed"] + last["carried_in"])


def test_demand_rule_is_identical_to_no_lever(world):
    a = ZoneModel(world=world, levers=[build("land_allocation", rule="demand")], rng=5).run(4)
    b = ZoneModel(world=world, rng=5).run(4)
    pd.testing.assert_frame_equal(a, b)


def test_output_per_land_gives_most_to_the_most_land_efficient(make):
    lever = build("land_allocation", rule="output_per_land", sharpness=1.0, quota=12.0)  # an explicit quota
    m = make(lever)
    m.step()
    zs = m.zones
    opl = m.flows["output"] / zs.land_developed
    allot = lever.allocate_land(m, np.zeros(zs.capacity))  # issued whatever the zones ask for
    room = zs.land_total - zs.land_developed - zs.land_allotted
    free = allot < room - 1e-9  # zones whose cap did not bind
    assert free.sum() >= 3
    ratio = allot[free] / opl[free]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)  # proportional to output per km2
    assert allot.sum() == pytest.approx(12.0)


def test_zone_without_perks_gets_less_land(make):
    lever = build("land_allocation", rule="equal", suspended_weight=0.5)
    m = make(lever)
    z = m.zone_ids.index("baise")
    m.zones.perks_lost[z] = 9
    m.step()
    got = m.flows["land_allotted"]
    other = m.zone_ids.index("yulin")
    assert got[z] == pytest.approx(0.5 * got[other])


def test_no_land_is_developed_without_quota(world):
    m = ZoneModel(world=world, levers=[build("land_allocation", rule="equal")], rng=2, land_quota=0.0)
    dev0 = m.zones.land_developed.copy()
    m.run(3)
    assert (m.zones.land_developed <= dev0 + 1e-12).all()


def test_waterfill_respects_caps_and_hands_out_the_pool():
    caps = np.array([1.0, 5.0, 0.0, 10.0])
    out = waterfill(8.0, np.array([1.0, 1.0, 1.0, 1.0]), caps)
    assert (out <= caps + 1e-12).all() and out.sum() == pytest.approx(8.0)
    assert out[0] == pytest.approx(1.0) and out[2] == 0.0 and out[1] == pytest.approx(3.5)
    assert waterfill(100.0, np.ones(4), caps).sum() == pytest.approx(caps.sum())
