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


# --------------------------------------------------------------------- issue 19: the same bits
def _small_model(rng: int = 3, years: int = 3) -> ZoneModel:
    from sim.scenario.world import load_world

    m = ZoneModel(world=load_world("synthetic:14,100,1000"), rng=rng, agent_handles="lazy")
    for _ in range(years):
        m.step()
    return m


def _channels_as_written(cm, x):
    """Committees.channels as its formulas read (before issue 19 wrote its rows in place)."""
    from sim.agents.committee import _SUB, CERT_PER_INNOVATION, PLATFORMS, SERVICES, SUBS, TALENT

    m = cm.model
    p, zs, fl = m.params, m.zones, m.flows
    e = np.zeros((len(SUBS), N_OWN, zs.capacity))
    entries = fl["startups"] + fl["spinoffs"] + fl["arrivals"]
    arr_sh = np.where(entries > 0, fl["arrivals"] / np.maximum(entries, 1e-9), 0.1)
    st_sh = np.where(entries > 0, fl["startups"] / np.maximum(entries, 1e-9), 0.8)
    x_share = x / (x + cm._h)
    e[_SUB["arrivals_per_firm"], PROMOTION] = p.promotion_arrival_elasticity
    e[_SUB["entry_rate"], PROMOTION] = arr_sh * p.promotion_arrival_elasticity + st_sh * p.promotion_startup_elasticity
    free = np.maximum(m.free_land(), 0.0)
    pull = p.attract_land * 10.0 * free / (1.0 + 10.0 * free)
    e[_SUB["arrivals_per_firm"], LAND] = p.land_spend_elasticity * pull
    e[_SUB["entry_rate"], LAND] = p.land_spend_elasticity * pull * arr_sh
    dev = np.maximum(zs.land_developed, 1e-9)
    e[_SUB["output_per_km2"], LAND] = -p.land_spend_elasticity * np.minimum(free / dev, 1.0)
    half = p.service_half_saturation * np.maximum(zs.output_prev, 1.0)
    sv = p.service_effect_max * zs.mgmt_eff * zs.services * half / np.maximum(zs.services + half, 1e-9) ** 2
    e[_SUB["arrivals_per_firm"], SERVICES] = p.attract_services * sv * x_share[:, SERVICES]
    e[_SUB["entry_rate"], SERVICES] = e[_SUB["arrivals_per_firm"], SERVICES] * arr_sh
    pl = zs.platforms
    lg = np.log1p(pl)
    frac = pl / (1.0 + pl) * x_share[:, PLATFORMS]
    innov = p.platform_effect * frac / (1.0 + p.platform_effect * lg)
    e[_SUB["innovations_per_1000"], PLATFORMS] = innov
    e[_SUB["hightech_share"], PLATFORMS] = CERT_PER_INNOVATION * innov
    e[_SUB["entry_rate"], PLATFORMS] = st_sh * p.incubator_effect * frac / (1.0 + p.incubator_effect * lg)
    sub_k = zs.subsidy * x_share[:, TALENT]
    e[_SUB["talent_inflow_rate"], TALENT] = p.beta_subsidy * sub_k
    movers = min(p.graduate_rate + p.reconsider_rate, 1.0)
    e[_SUB["entry_rate"], TALENT] = st_sh * movers * p.beta_subsidy * sub_k
    return e


def _same_bits(a, b):
    return a.shape == b.shape and np.array_equal(np.asarray(a).view(np.uint64), np.asarray(b).view(np.uint64))


def test_channels_give_the_formulas_bits():
    m = _small_model()
    cm = m.committees
    nz = m.zones.capacity
    m.zones.platforms[3] = 0.0  # a zone without platforms, one without free land: zero and signed-zero rows
    m.zones.land_developed[5] = 1e-12
    x = cm.shares[:nz, :N_OWN] * np.maximum(m.zones.budget, 0.0)[:, None]
    want = _channels_as_written(cm, x)
    assert _same_bits(cm.channels(x), want)
    assert _same_bits(cm.channels(x, x + cm.halves()), want)


def test_score_points_are_einsums_bits_and_layout():
    """_score_points replaces np.einsum("jz,jkz->zk"): the same sums (signed zeros, inf and NaN
    included) and the same column-major layout, on which the reductions over uses depend."""
    from sim.agents.committee import _score_points

    rng = np.random.default_rng(7)
    for nz in (1, 2, 14, 20, 33):
        sens = rng.normal(size=(13, nz)) * 10.0 ** rng.uniform(-4, 4, size=(13, nz))
        e = rng.normal(size=(13, N_OWN, nz)) * 10.0 ** rng.uniform(-4, 4, size=(13, N_OWN, nz))
        e[rng.random(e.shape) < 0.5] = 0.0
        e[rng.random(e.shape) < 0.2] = -0.0
        sens[:, 0], e[:, :, 0] = -0.0, np.abs(e[:, :, 0])  # zone 0: every product -0.0, einsum's sum +0.0
        if nz > 2:  # inf x 0 (x86's default NaN) in one zone's sums, a NaN channel in another's
            sens[2, 1], e[4, 0, 2] = np.inf, np.nan
        with np.errstate(invalid="ignore"):
            got, want = _score_points(sens, e), np.einsum("jz,jkz->zk", sens, e)
        assert _same_bits(got, want) and (nz == 1 or got.strides == want.strides)
    # two different NaNs in one sum: which one's sign bit survives may differ; NaN it is in both
    sens, e = np.ones((13, 3)), np.ones((13, N_OWN, 3))
    sens[2, 1], e[2, :, 1], e[4, :, 1] = np.inf, 0.0, np.nan
    with np.errstate(invalid="ignore"):
        assert np.array_equal(_score_points(sens, e), np.einsum("jz,jkz->zk", sens, e), equal_nan=True)
    m = _small_model(years=2)
    cm = m.committees
    x = cm.shares[:14, :N_OWN] * np.maximum(m.zones.budget, 0.0)[:, None]
    e = cm.channels(x)
    assert _same_bits(_score_points(m.government.sensitivity, e), np.einsum("jz,jkz->zk", m.government.sensitivity, e))


def test_hosting_terms_are_cached_and_follow_the_terms():
    m = _small_model(years=1)
    cm, zs = m.committees, m.zones
    hosts, hosted, credit_left = cm._hosting()
    assert hosts.size == 0 and hosted.size == 0 and credit_left is None
    assert cm._hosting()[0] is hosts  # unchanged terms: the cached arrays
    assert _same_bits(cm.own_tax(), zs.tax_share * zs.tax_raised * (1.0 - cm.tax_credit[: zs.capacity]))
    cm.set_hosting([(0, 1)], gdp_credit=0.5, tax_credit=0.2, support_prior=0.1)
    hosts, hosted, credit_left = cm._hosting()
    assert hosts.tolist() == [0] and hosted.tolist() == [1]
    assert credit_left[1] == 0.8 and credit_left[0] == 1.0
    assert _same_bits(cm.own_tax(), zs.tax_share * zs.tax_raised * (1.0 - cm.tax_credit[: zs.capacity]))
    cm.host_of[2] = 0  # written directly, not through set_hosting: seen too
    assert cm._hosting()[1].tolist() == [1, 2]
    m.step()  # a year with hosting: the host's support reaches both hosted zones
    assert cm.support[0] < 0 and (cm.support[[1, 2]] >= 0).all()
