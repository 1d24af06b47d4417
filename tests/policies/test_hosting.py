import numpy as np
import pytest

from sim.core.errors import InputError

from .conftest import build


def test_tax_is_split_by_the_ratio_times_compliance(make):
    for share, comp in ((0.4, 1.0), (0.5, 0.6)):
        m = make(build("hosting", pairs=[{"host": "nanning", "hosted": "qinzhou"}], host_share=share, compliance=comp))
        m.step()
        zs = m.zones
        a, b = m.zone_ids.index("nanning"), m.zone_ids.index("qinzhou")
        own = zs.tax_share * zs.tax_raised  # what each zone would keep without the agreement
        moved = share * comp * own[b]
        assert zs.tax_kept[b] == pytest.approx(own[b] - moved)
        assert zs.tax_kept[a] == pytest.approx(own[a] + moved)
        assert zs.tax_kept.sum() == pytest.approx(own.sum())  # the split sums to the tax kept
        assert m.flows["tax_shared"][a] == pytest.approx(moved) and m.flows["tax_shared"].sum() == pytest.approx(0.0)


def test_nearest_rule_pairs_each_national_zone_with_a_close_region_zone(make):
    lever = build("hosting", rule="nearest", per_host=1)
    m = make(lever)
    pairs = dict(lever.pair_ids)
    assert pairs["liuzhou"] == "liuzhou_hexi"  # 6 km apart
    assert len(pairs) == len(set(pairs.values()))
    for host, guest in lever.pairs:
        assert m.zones.level[host] == 0 and m.zones.level[guest] == 1
        assert m.zones.hosted_by[guest] == host
        assert m.distance[host, guest] <= 200.0


def test_complementary_rule_prefers_a_different_sector_mix(make):
    lever = build("hosting", rule="complementary", per_host=1, max_distance_km=400)
    make(lever)
    assert len(lever.pairs) == 4


def test_management_converges_and_moving_gets_cheaper(make):
    lever = build("hosting", pairs=[{"host": "nanning", "hosted": "baise"}], convergence=0.5, move_cost_factor=0.25)
    m = make(lever)
    a, b = m.zone_ids.index("nanning"), m.zone_ids.index("baise")
    assert m.move_cost[a, b] == 0.25 and m.move_cost[b, a] == 0.25 and m.move_cost[a, a] == 1.0
    ea, eb = m.zones.mgmt_eff[a], m.zones.mgmt_eff[b]
    m.step()
    assert m.zones.mgmt_eff[b] == pytest.approx(eb + 0.5 * (ea - eb))


def test_spillover_raises_the_hosted_zones_innovation_rate(make):
    lever = build("hosting", pairs=[{"host": "nanning", "hosted": "baise"}], spillover=1.0)
    m = make(lever)
    b = m.zone_ids.index("baise")
    lever.start_year(m)
    mult = m.zones.innovation_mult
    assert mult[b] > 1.0 and np.count_nonzero(mult != 1.0) == 1


def test_evaluation_split_moves_gdp_to_the_host_without_changing_the_sum(make):
    lever = build("hosting", pairs=[{"host": "nanning", "hosted": "baise"}], evaluation="split", host_share=0.3)
    m = make(lever)
    from sim.outcomes.metrics import zone_outcomes
    stats = zone_outcomes(m)
    before = stats["output"].copy()
    lever.evaluation_stats(m, stats)
    a, b = m.zone_ids.index("nanning"), m.zone_ids.index("baise")
    assert stats["output"][b] == pytest.approx(0.7 * before[b])
    assert stats["output"][a] == pytest.approx(before[a] + 0.3 * before[b])
    assert stats["output"].sum() == pytest.approx(before.sum())


def test_unknown_or_invalid_pairs_are_input_errors(make):
    with pytest.raises(InputError, match="unknown zone 'atlantis'"):
        make(build("hosting", pairs=[{"host": "atlantis", "hosted": "baise"}]))
    with pytest.raises(InputError, match="hosted once"):
        make(build("hosting", pairs=[{"host": "nanning", "hosted": "baise"}, {"host": "guilin", "hosted": "baise"}]))


def test_gdp_credit_and_tax_share_raise_the_host_committees_effort_towards_the_hosted_zone(make):
    """Issue 16: what the host is credited of the hosted zone's results changes how much of its budget
    its committee spends there: more with a larger tax share, more still when GDP is split too."""
    from sim.agents.committee import HOSTED

    share = {}
    for label, settings in (("little tax", dict(host_share=0.1)), ("more tax", dict(host_share=0.6)),
                            ("tax and gdp", dict(host_share=0.6, evaluation="split"))):
        m = make(build("hosting", pairs=[{"host": "nanning", "hosted": "qinzhou"}], compliance=1.0, **settings))
        for _ in range(3):
            m.step()
        a = m.zone_ids.index("nanning")
        share[label] = m.committees.shares[a, HOSTED]
        b = m.zone_ids.index("qinzhou")
        assert m.committees.support[b] == pytest.approx(-m.committees.support[a]) and m.committees.support[b] > 0
    assert share["little tax"] < share["more tax"] < share["tax and gdp"]
    others = [z for z in range(14) if m.zone_ids[z] != "nanning"]
    assert (m.committees.shares[others, HOSTED] == 0).all()


def test_results_show_split_and_own_accounting(make):
    m = make(build("hosting", pairs=[{"host": "nanning", "hosted": "qinzhou"}], host_share=0.3, evaluation="split"))
    df = m.run(2)
    last = df[(df.step == 2) & (df.zone != "region")].set_index("zone")
    assert last.loc["qinzhou", "output_credited"] == pytest.approx(0.7 * last.loc["qinzhou", "output"])
    assert last.loc["nanning", "output_credited"] == pytest.approx(last.loc["nanning", "output"]
                                                                  + 0.3 * last.loc["qinzhou", "output"])
    assert last["output_credited"].sum() == pytest.approx(last["output"].sum())
    assert last.loc["qinzhou", "host_support"] > 0 and last["host_support"].sum() == pytest.approx(0.0)
    own = make(build("hosting", pairs=[{"host": "nanning", "hosted": "qinzhou"}], host_share=0.3)).run(1)
    z = own[own.zone != "region"]
    np.testing.assert_allclose(z["output_credited"], z["output"])  # evaluation: own = own accounting
