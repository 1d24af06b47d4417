"""Zone management committees: one Mesa agent per zone; shares from an expected-value logit; the
spending's effects; responses to retained tax and to incentives; no random draws."""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents.committee import HOSTED, LAND, N_OWN, OPTIONS, PROMOTION, ZoneCommittee
from sim.model.zonemodel import ZoneModel
from sim.policies.base import Lever


class Incentive(Lever):
    """Test lever: a fixed score incentive (CNY m per point) for one zone."""

    name = "incentive"

    def __init__(self, zone: str, per_point: float) -> None:
        super().__init__(None)
        self.zone, self.per_point = zone, per_point

    def incentives(self, model):
        out = np.zeros(model.zones.capacity)
        out[model.zone_ids.index(self.zone)] = self.per_point
        return {"score": out}


def test_one_committee_agent_per_zone_and_shares_sum_to_one(world):
    m = ZoneModel(world=world, rng=1)
    agents = list(m.agents_by_type[ZoneCommittee])
    assert len(agents) == len(world.zones) and sorted(a.zone_id for a in agents) == sorted(m.zone_ids)
    np.testing.assert_allclose(m.committees.shares[:14, :N_OWN], np.tile(m.params.prior_shares, (14, 1)))
    for _ in range(3):
        m.step()
    sh = m.committees.shares[:14]
    assert (sh >= 0).all() and np.allclose(sh.sum(axis=1), 1.0)
    assert (sh[:, HOSTED] == 0).all()  # nobody hosts in the baseline
    a = agents[0]
    assert set(a.shares) == set(OPTIONS) and a.score_value > 0 and a.score_noise > 0


def test_committees_draw_no_random_numbers(world):
    m = ZoneModel(world=world, rng=1)
    m.step()
    state = m.rng.bit_generator.state
    m.committees.decide()
    m.committees.learn()
    assert m.rng.bit_generator.state == state


def test_without_sensitivity_committees_keep_the_status_quo_split_and_the_calibrated_capacities(world):
    m = ZoneModel(world=world, rng=1, committee_sensitivity=0.0)
    for _ in range(3):
        m.step()
    np.testing.assert_allclose(m.committees.shares[:14, :N_OWN], np.tile(m.params.prior_shares, (14, 1)))
    # budgets are the kept tax (no transfers), which is the status-quo spending: every multiplier is 1
    np.testing.assert_allclose(m.committees.land_capacity()[:14], 1.0)
    np.testing.assert_allclose(m.committees.startup_part[:14], 1.0)
    np.testing.assert_allclose(m.committees.arrival_part[:14], 1.0)


def test_a_score_incentive_moves_spending_towards_the_uses_that_buy_evaluation_points(world):
    base = ZoneModel(world=world, rng=2)
    push = ZoneModel(world=world, rng=2, levers=[Incentive("baise", 500.0)])
    base.step()
    push.step()
    z = base.zone_ids.index("baise")
    assert push.committees.score_value[z] > 10 * base.committees.score_value[z]
    pts = push.committees.points[z]
    assert push.committees.shares[z, :N_OWN] @ pts > base.committees.shares[z, :N_OWN] @ pts
    best, worst = int(np.argmax(pts)), int(np.argmin(pts))
    assert push.committees.shares[z, best] > base.committees.shares[z, best]
    assert push.committees.shares[z, worst] < base.committees.shares[z, worst]
    others = [k for k in range(14) if k != z]
    assert push.committees.score_value[others] == pytest.approx(base.committees.score_value[others])


def test_retained_tax_raises_what_output_is_worth_to_the_committee(world):
    from tests.policies.conftest import build

    base = ZoneModel(world=world, rng=3)
    auto = ZoneModel(world=world, rng=3, levers=[build("fiscal_autonomy", share=0.5, zones=["region"])])
    base.step()
    auto.step()
    region = np.flatnonzero(base.zones.level[:14] == 1)
    ratio = lambda m: m.committees.output_value[region] / m.committees.score_value[region]  # noqa: E731
    assert (auto.zones.budget[region] > base.zones.budget[region]).all()
    assert (ratio(auto) > 1.3 * ratio(base)).all()  # output counts for more against a score point
    national = np.flatnonzero(base.zones.level[:14] == 0)
    assert ratio(auto)[:0].size == 0 and np.allclose(
        auto.committees.output_value[national] / auto.committees.score_value[national],
        base.committees.output_value[national] / base.committees.score_value[national], rtol=0.05)


def test_promotion_spending_pulls_arrivals_from_other_zones_and_land_spending_develops_more(world):
    m = ZoneModel(world=world, rng=4)
    m.step()
    cm = m.committees
    z = m.zone_ids.index("yulin")
    spend = cm.spend.copy()
    spend[z, PROMOTION] *= 4.0
    spend[z, LAND] *= 4.0
    before = m.zones.arrival_mult.copy()
    land0, start0 = cm.land_capacity()[z], cm.startup_part[z]
    cm._effects(spend)
    pull = m.zones.arrival_mult
    assert pull[z] > before[z] * 1.5
    others = [k for k in range(14) if k != z]
    assert (pull[others] < before[others]).all()  # zero-sum among zones
    w = m.flows["arrivals"][:14] + 1.0
    assert np.sum(w * cm.arrival_part[:14]) / w.sum() == pytest.approx(1.0)
    assert cm.land_capacity()[z] > 1.3 * land0 and cm.startup_part[z] > start0  # 4x spending: 4^0.5 at most


def test_new_zones_get_a_committee(world):
    from sim.scenario.packages import load_package

    m = ZoneModel(world=world, rng=5, levers=load_package("new-zones").build())
    for _ in range(4):
        m.step()
    alive = np.flatnonzero(m.zones.alive)
    assert alive.size > 14
    assert sorted(a.slot for a in m.agents_by_type[ZoneCommittee]) == alive.tolist()  # one per live zone
    assert np.allclose(m.committees.shares[alive].sum(axis=1), 1.0)
