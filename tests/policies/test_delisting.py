import numpy as np
import pytest

from sim.agents.zone import DELISTED, NATIONAL, REGION
from sim.policies.delisting import Delisting

from .conftest import ForceRank, build


@pytest.mark.parametrize("k", [1, 2, 3])
def test_zone_held_at_bottom_is_delisted_after_exactly_k_years(make, k):
    m = make(ForceRank("baise", "bottom"), build("delisting", bottom_region=1, years=k, cooling_off=50))
    z = m.zone_ids.index("baise")
    for year in range(1, k + 2):
        m.step()
        if year < k:
            assert m.zones.level[z] == REGION, f"delisted before year {k}"
            assert m.flows["warnings"][z] == 1  # 约谈 first
            assert m.flows["warnings"].sum() == 1  # only the forced zone is in the bottom 1
        elif year == k:
            assert m.zones.level[z] == DELISTED
            assert m.flows["demoted"][z] == 1 and m.flows["demoted"].sum() == 1
        else:
            assert m.zones.level[z] == DELISTED and m.flows["demoted"][z] == 0
            # the next-last zone is at the bottom for its first year: delisted at once only if k == 1
            assert m.flows["demoted"].sum() == (1 if k == 1 else 0)


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
