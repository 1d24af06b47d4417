import numpy as np
import pytest

from sim.agents.committee import N_OWN
from sim.agents.zone import DELISTED, NATIONAL, REGION
from sim.policies.delisting import Delisting

from .conftest import ForceRank, build


@pytest.mark.parametrize("k", [1, 2, 3])
def test_zone_held_last_is_delisted_after_exactly_k_years_with_a_warning_each_year_before(make, k):
    m = make(ForceRank("baise", "bottom"), build("delisting", bottom_region=1, years=k, cooling_off=50))
    z = m.zone_ids.index("baise")
    for year in range(1, k + 2):
        m.step()
        if year < k:
            assert m.zones.level[z] == REGION, f"delisted before year {k}"
            assert m.flows["warnings"][z] == 1  # 约谈 first
            assert m.flows["warnings"].sum() == 1  # only the forced zone is last
        elif year == k:
            assert m.zones.level[z] == DELISTED
            assert m.flows["demoted"][z] == 1 and m.flows["demoted"].sum() == 1
        else:
            # the reference class is fixed: the delisted zone keeps last place, nobody else is at the bottom
            assert m.zones.level[z] == DELISTED and m.flows["demoted"].sum() == 0
            assert m.flows["warnings"].sum() == 0


def test_a_current_reference_class_cascades_a_fixed_one_does_not(make):
    """The defect of issue 16: with the class shrinking as zones go, the rule re-applies to the next-weakest."""
    demoted = {}
    for ref in ("fixed", "current"):
        m = make(ForceRank("baise", "bottom"), build("delisting", bottom_region=1, years=1, reference=ref,
                                                     cooling_off=50))
        for _ in range(4):
            m.step()
        demoted[ref] = int((m.zones.level == DELISTED).sum())
    assert demoted["fixed"] == 1
    assert demoted["current"] == 4  # one more every year


def test_at_most_max_per_year_zones_lose_status_lowest_score_first(make):
    lever = build("delisting", bottom_region=2, years=1, max_per_year=1, cooling_off=50)
    m = make(ForceRank("baise", "bottom"), ForceRank("yulin", "bottom"), lever)
    m.step()
    delisted = [m.zone_ids[z] for z in np.flatnonzero(m.zones.level == DELISTED)]
    assert len(delisted) == 1
    assert m.flows["warnings"].sum() == 1  # the other one is warned and keeps its record
    m.step()
    assert int((m.zones.level == DELISTED).sum()) == 2
    assert [e["zone"] for e in lever.events] == [delisted[0], ({"baise", "yulin"} - set(delisted)).pop()]


def test_k_of_last_n_counts_non_consecutive_years(make):
    lever = build("delisting", bottom_region=1, years=2, window=3, cooling_off=50)
    m = make(ForceRank("baise", "bottom", years={1, 3}), ForceRank("baise", "top", years={2}), lever)
    z = m.zone_ids.index("baise")
    m.step()
    m.step()
    assert m.zones.level[z] == REGION
    m.step()
    assert m.zones.level[z] == DELISTED  # 2 of the last 3 years at the bottom


def test_consecutive_rule_resets_after_a_year_off_the_bottom(make):
    lever = build("delisting", bottom_region=1, years=2, cooling_off=50)
    m = make(ForceRank("baise", "bottom", years={1, 3}), ForceRank("baise", "top", years={2}), lever)
    z = m.zone_ids.index("baise")
    for _ in range(3):
        m.step()
    assert m.zones.level[z] == REGION
    assert lever.count(m.zones.capacity)[z] == 1


def test_national_zone_is_downgraded_and_loses_perks(make):
    lever = build("delisting", bottom_region=0, bottom_national=1, years=2, perk_years=2)
    m = make(ForceRank("beihai", "bottom"), lever)
    z = m.zone_ids.index("beihai")
    m.step()
    assert m.zones.level[z] == NATIONAL
    m.step()
    assert m.zones.level[z] == REGION and m.zones.perks_lost[z] == 2
    m.step()  # one year of lost perks used up at the start of the year
    assert m.zones.perks_lost[z] == 1
    assert lever.events[0]["event"] == "downgraded" and lever.events[0]["zone"] == "beihai"


def test_delisted_zone_is_relisted_after_cooling_off_when_it_recovers(make):
    lever = build("delisting", bottom_region=1, years=1, cooling_off=2)
    m = make(ForceRank("baise", "bottom", years={1}), ForceRank("baise", "top", years={2, 3, 4}), lever)
    z = m.zone_ids.index("baise")
    m.step()
    assert m.zones.level[z] == DELISTED
    m.step()  # ranked among delisted zones now; cooling off
    assert m.zones.level[z] == DELISTED
    m.step()  # 2 years since delisting, forced score above the region-level median
    assert m.zones.level[z] == REGION and m.flows["promoted"][z] == 1
    assert lever.count(m.zones.capacity)[z] == 0  # its record starts again


def test_delisted_zone_repels_firms_and_raises_exits(make):
    lever = build("delisting", attract_penalty=0.7, exit_multiplier=1.5)
    m = make(lever)
    z = m.zone_ids.index("baise")
    m.zones.level[z] = DELISTED
    a = lever.attractiveness(m)
    assert a[z] == -0.7 and np.count_nonzero(a) == 1
    i = m.live_firms()
    mult = lever.exit_multiplier(m, i)
    np.testing.assert_array_equal(mult, np.where(m.firms.zone[i] == z, 1.5, 1.0))


def test_nobody_is_delisted_with_zero_bottom_places(make):
    m = make(ForceRank("baise", "bottom"), build("delisting", bottom_region=0, years=1))
    for _ in range(3):
        m.step()
    assert (m.zones.level[m.zones.alive] != DELISTED).all()


class JustLast(ForceRank):
    """Put ``zone`` one point below the lowest other zone of its class: last, but not hopelessly."""

    def after_evaluation(self, model) -> None:
        zs = model.zones
        z = model.zone_ids.index(self.zone)
        others = np.flatnonzero(zs.alive & (zs.level == zs.level[z]) & (np.arange(zs.capacity) != z))
        zs.score[z] = zs.score[others].min() - 1.0
        model.government.rank()


def test_delisting_risk_grows_with_each_year_at_the_bottom_and_is_nil_at_the_top(make):
    lever = build("delisting", bottom_region=1, years=3, cooling_off=50)
    m = make(JustLast("baise"), ForceRank("yulin", "top"), lever)
    z, top = m.zone_ids.index("baise"), m.zone_ids.index("yulin")
    risks = []
    for _ in range(2):
        m.step()
        risks.append(m.zones.delisting_risk[z])
    assert 0.0 < risks[0] < risks[1] < 1.0
    assert m.zones.delisting_risk[top] < 1e-6
    assert (m.zones.delisting_risk[m.zones.level == NATIONAL] == 0).all()  # bottom_national 0
    m.step()
    assert m.zones.level[z] == DELISTED and m.zones.delisting_risk[z] == 0.0


def test_a_warned_committee_shifts_spending_towards_what_the_evaluation_rewards(make):
    """Issue 16: the warning (约谈) works through the committee. The same zone held last, with and
    without the delisting rule: with it, a score point is worth more to its committee and its budget
    moves towards the uses that buy evaluation points."""
    runs = {}
    for with_rule in (False, True):
        levers = [JustLast("baise")] + ([build("delisting", years=3, cooling_off=50)] if with_rule else [])
        m = make(*levers)
        for _ in range(2):  # warned in years 1 and 2; the year-2 budget follows the first warning
            m.step()
        runs[with_rule] = m
    z = runs[True].zone_ids.index("baise")
    cm0, cm1 = runs[False].committees, runs[True].committees
    assert runs[True].flows["warnings"][z] == 1
    assert cm1.score_value[z] > 3.0 * cm0.score_value[z]
    # this year's split buys more evaluation points per CNY m (valued at the same margins)
    assert cm1.shares[z, :N_OWN] @ cm1.points[z] > cm0.shares[z, :N_OWN] @ cm1.points[z]
    assert runs[True].committees.agents[z].points_per_yuan() > cm0.shares[z, :N_OWN] @ cm1.points[z]


def test_window_shorter_than_years_is_rejected():
    with pytest.raises(Exception, match="window"):
        Delisting.Settings(years=3, window=2)


def test_window_longer_than_the_horizon_is_refused(tmp_path):
    """Issue 7: a delisting window longer than the run is bad input (one line, exit 2, nothing written)."""
    from sim.cli.main import main

    pkg = tmp_path / "long.yaml"
    pkg.write_text("name: long\nextends: delisting\nlevers:\n  delisting: {years: 3, window: 25}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--package", str(pkg), "--years", "20", "--seeds", "1", "--out", str(out)]) == 2
    assert not out.exists()
    assert main(["run", "--package", str(pkg), "--years", "25", "--seeds", "1", "--workers", "1",
                 "--out", str(out)]) == 0


def _chances_one_by_one(lever, model):
    """Delisting's chances as computed zone by zone before issue 19 (the reference)."""
    from sim.agents.committee import prob_above, rank_slope
    from sim.policies._common import pad

    s, zs = lever.settings, model.zones
    n = zs.capacity
    ref = lever._reference(model)
    noise = pad(model.committees.score_noise, n, model.params.committee_score_noise)
    score = np.nan_to_num(zs.score, nan=0.0)
    p, slope, need = np.zeros(n), np.zeros(n), np.zeros(n)
    count = lever.count(n)
    for lv in (NATIONAL, REGION):
        members = np.flatnonzero(zs.alive & (ref == lv))
        m = min(lever._bottom_places(lv), max(members.size - 1, 0))
        if m <= 0:
            continue
        listed = members[(zs.level[members] == lv)]
        order = members[np.lexsort((members, -score[members]))]
        for z in listed:
            others = order[order != z]
            cut = score[others[-m]]
            p[z] = 1.0 - prob_above(score[z:z + 1], cut, noise[z:z + 1])[0]
            slope[z] = rank_slope(score[z:z + 1], cut, noise[z:z + 1])[0]
            done = count[z] if lever.history and lever.history[-1][z] else 0.0
            need[z] = max(s.years - done, 1.0)
    return p, slope, need


@pytest.mark.parametrize("places", [(1, 1), (2, 3), (4, 6)])
def test_chances_of_all_zones_at_once_are_those_zone_by_zone(make, places):
    lever = build("delisting", bottom_national=places[0], bottom_region=places[1], years=2)
    m = make(ForceRank("baise", "bottom"), lever, seed=4)
    m.committees.score_noise[:] = np.linspace(0.5, 3.0, m.committees.score_noise.size)  # not all equal
    checked = 0
    for _ in range(4):
        m.step()
        got, want = lever._chances(m), _chances_one_by_one(lever, m)
        for g, w in zip(got, want):
            assert g.tobytes() == w.tobytes()
        checked += int((want[1] > 0).sum())
    assert checked > 8  # zones with a chance were compared


def _old_count(lever, n):
    from sim.policies._common import pad

    hist = np.array([pad(h.astype(float), n, 0.0) for h in lever.history]) if lever.history else np.zeros((0, n))
    if lever.settings.window is not None:
        return hist[-lever.settings.window:].sum(axis=0)
    run = np.zeros(n)
    for row in hist:
        run = np.where(row > 0, run + 1, 0)
    return run


@pytest.mark.parametrize("window", [None, 3])
def test_years_at_the_bottom_counted_back_are_those_counted_forward(window):
    lever = build("delisting", years=2, window=window)
    rng = np.random.default_rng(11)
    assert _old_count(lever, 6).tobytes() == lever.count(6).tobytes()  # no history yet
    for size in (5, 5, 6, 6, 6, 6, 6):  # a zone slot added on the way
        lever.history.append(rng.random(size) < 0.6)
        for n in (6, 8):
            assert lever.count(n).tobytes() == _old_count(lever, n).tobytes()
    assert lever.count(6).max() >= 2


def test_exit_multiplier_per_zone_gathered_is_the_per_firm_rule(make):
    lever = build("delisting", exit_multiplier=1.5)
    m = make(lever)
    m.step()
    m.zones.level[m.zone_ids.index("baise")] = DELISTED
    slots = np.arange(m.firms.n)
    want = np.where(m.zones.level[m.firms.zone[slots]] == DELISTED, 1.5, 1.0)
    got = lever.exit_multiplier(m, slots)
    assert (want == 1.5).any() and got.tobytes() == want.tobytes()
