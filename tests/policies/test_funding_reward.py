import numpy as np
import pytest

from sim.agents.committee import N_OWN
from sim.agents.zone import NATIONAL, REGION
from sim.policies.funding_reward import FundingReward

from .conftest import ForceRank, build


def test_rewards_never_exceed_the_pot_and_money_is_conserved(make):
    lever = build("funding_reward", budget=5.0, leftover="carry",
                  tiers=[{"level": "national", "count": 2, "amount": 4.0}, {"level": "region", "count": 3, "amount": 2.0}])
    m = make(lever)
    for _ in range(4):
        pot = lever.settings.budget + lever.reserve
        m.step()
        paid = m.flows["rewards"].sum()
        assert paid <= pot + 1e-9
        assert paid == pytest.approx(pot)  # tiers want more than the pot: all of it is paid
    assert lever.paid + lever.returned + lever.reserve == pytest.approx(lever.issued)
    assert lever.paid == pytest.approx(20.0)


def test_unpaid_money_is_carried_or_returned():
    for leftover in ("carry", "return"):
        lever = build("funding_reward", budget=10.0, leftover=leftover,
                      tiers=[{"level": "region", "count": 1, "amount": 3.0}])
        # drive the lever directly on a model state after two evaluations
        from sim.model.zonemodel import ZoneModel
        m = ZoneModel(world="guangxi", levers=[lever], rng=3)
        m.step()
        m.step()
        assert lever.paid == pytest.approx(6.0)
        if leftover == "carry":
            assert lever.reserve == pytest.approx(14.0) and lever.returned == 0.0
        else:
            assert lever.reserve == 0.0 and lever.returned == pytest.approx(14.0)


def test_reward_reaches_the_top_ranked_zone_and_its_next_budget(make):
    lever = build("funding_reward", budget=100.0,
                  tiers=[{"level": "national", "rule": "top", "count": 1, "amount": 30.0},
                         {"level": "region", "rule": "top", "count": 1, "amount": 20.0}])
    m = make(ForceRank("beihai", "top"), ForceRank("baise", "top"), lever)
    m.step()
    zs = m.zones
    beihai, baise = m.zone_ids.index("beihai"), m.zone_ids.index("baise")
    assert zs.rank[beihai] == 1 and zs.level[beihai] == NATIONAL
    assert zs.rank[baise] == 1 and zs.level[baise] == REGION
    expect = np.zeros(zs.capacity)
    expect[beihai], expect[baise] = 30.0, 20.0
    np.testing.assert_allclose(m.flows["rewards"], expect)
    np.testing.assert_allclose(zs.transfers, expect)  # waiting for next year's budget
    m.step()
    # next year's budget = kept tax + last year's reward (+ this year's new award is still pending)
    assert zs.budget[baise] == pytest.approx(zs.tax_kept[baise] + 20.0)


def test_zone_without_perks_is_skipped(make):
    lever = build("funding_reward", budget=100.0, tiers=[{"level": "region", "count": 1, "amount": 20.0}])
    m = make(ForceRank("baise", "top"), lever)
    m.zones.perks_lost[m.zone_ids.index("baise")] = 5
    m.step()
    zs = m.zones
    got = np.flatnonzero(m.flows["rewards"] > 0)
    assert m.zone_ids.index("baise") not in got
    assert got.size == 1 and zs.rank[got[0]] == 2 and zs.level[got[0]] == REGION


def test_most_improved_tier_rewards_largest_score_gain(make):
    lever = build("funding_reward", budget=100.0, tiers=[{"level": "all", "rule": "improved", "count": 1, "amount": 7.0}])
    m = make(lever)
    m.step()
    before = lever.prev_score.copy()
    gain = m.zones.score - before
    winner = int(np.nanargmax(gain))
    assert np.flatnonzero(m.flows["rewards"]).tolist() == [winner]


def test_earmarked_rewards_build_platforms(make):
    lever = build("funding_reward", budget=100.0, use="platforms",
                  tiers=[{"level": "region", "count": 1, "amount": 50.0}])
    m = make(ForceRank("baise", "top"), lever)
    z = m.zone_ids.index("baise")
    m.step()
    assert m.zones.transfers.sum() == 0.0
    assert m.flows["region_support"][z] == pytest.approx(50.0)
    before = m.zones.platforms.copy()
    lever.after_evaluation(m)  # the lever's own step: 50 / platform_cost platforms, nobody else
    added = m.zones.platforms - before
    assert added[z] == pytest.approx(50.0 / m.params.platform_cost) and np.count_nonzero(added) == 1


def test_national_zones_are_rewarded_for_their_place_in_the_national_ranking(make):
    lever = build("funding_reward", budget=1000.0,
                  tiers=[{"level": "national", "rule": "national_place", "places": 60, "count": 4, "amount": 10.0}])
    m = make(lever)
    m.step()
    place = m.government.national_place
    national = np.flatnonzero(m.zones.alive & (m.zones.level == NATIONAL))
    assert (place[national] >= 1).all() and (place[m.zones.level != NATIONAL] == 0).all()
    winners = national[place[national] <= 60]
    assert 0 < winners.size < national.size  # the default world has national zones on both sides of 60
    expect = np.zeros(m.zones.capacity)
    expect[winners] = 10.0
    np.testing.assert_allclose(m.flows["rewards"], expect)
    # the benchmark grows faster than these zones' output: places worsen over the years
    first = place[national].copy()
    for _ in range(4):
        m.step()
    assert np.mean(m.government.national_place[national]) > np.mean(first)


def test_national_place_tier_needs_level_national():
    with pytest.raises(Exception, match="national_place needs level national"):
        FundingReward.Settings(tiers=[{"level": "region", "rule": "national_place"}])


def test_rewards_are_scaled_by_the_share_the_regional_budget_funds(make):
    lever = build("funding_reward", budget=500.0, leftover="return", tiers=[{"level": "region", "count": 10,
                                                                             "amount": 50.0}])
    m = make(lever, region_budget_share=0.005)  # an envelope of ~CNY 230 m against a plan of 500
    m.step()
    b = m.government.budget
    assert b.funded == pytest.approx(b.envelope / 500.0) and b.funded < 1.0
    assert m.flows["rewards"].sum() == pytest.approx(500.0 * b.funded)
    assert b.spent == pytest.approx(m.flows["rewards"].sum())


def test_the_tournament_incentive_is_largest_near_the_cut_off(make):
    """Rewards for the top 3 of the region-level class make a score point worth most to the zones
    whose scores are near the 3rd and 4th places, and little to the last."""
    lever = build("funding_reward", budget=300.0, tiers=[{"level": "region", "rule": "top", "count": 3,
                                                          "amount": 50.0}])
    m = make(lever)
    m.step()
    zs = m.zones
    region = np.flatnonzero(zs.alive & (zs.level == REGION))
    inc = lever.incentives(m)["score"]
    order = region[np.argsort(zs.rank[region])]
    near = order[2:4]  # ranks 3 and 4
    assert inc[near].max() >= inc[region].max() - 1e-12 or inc[near].max() > inc[order[-1]]
    assert inc[near].max() > 5 * inc[order[-1]]
    assert (inc[zs.level != REGION] == 0).all()


def test_rewards_raise_the_effort_of_zones_near_the_threshold(make):
    """Issue 16: with a reward for the top 3, the committees of zones near the cut-off value a score point
    more than without it, and put more of their budget where the evaluation's points are."""
    runs = {}
    for with_reward in (False, True):
        levers = [build("funding_reward", budget=300.0, tiers=[{"level": "region", "rule": "top", "count": 3,
                                                                "amount": 100.0}])] if with_reward else []
        m = make(*levers, seed=5)
        rank0 = m.zones.rank.copy()  # the standing the committees see when they decide in year 1
        m.step()
        runs[with_reward] = m
    m0, m1 = runs[False], runs[True]
    zs = m1.zones
    region = np.flatnonzero(zs.alive & (zs.level == REGION))
    near = region[np.argsort(np.abs(rank0[region] - 3.5))[:2]]
    far = region[np.argmax(rank0[region])]
    lift = m1.committees.score_value / np.maximum(m0.committees.score_value, 1e-9)
    assert (lift[near] > 1.5).all()
    cm0, cm1 = m0.committees, m1.committees
    # the split buys more evaluation points per CNY m (valued at the reward run's margins)
    for z in near:
        assert cm1.shares[z, :N_OWN] @ cm1.points[z] > cm0.shares[z, :N_OWN] @ cm1.points[z]
    assert lift[near].min() > lift[far]


def test_settings_reject_negative_budget():
    with pytest.raises(Exception):
        FundingReward.Settings(budget=-1.0)
