import pytest

from sim.agents.zone import NATIONAL, REGION
from sim.core.errors import InputError

from .conftest import ForceRank, build

PARK = {"id": "test_park", "name": "Test park", "lon": 107.36, "lat": 22.40, "year": 2, "land_total": 12.0,
        "land_developed": 3.0}


def test_new_zone_is_created_in_its_year_and_recorded(make):
    lever = build("new_zones", parks=[PARK])
    m = make(lever)
    m.step()
    assert "test_park" not in m.zone_ids
    m.step()
    z = m.zone_ids.index("test_park")
    assert m.zones.alive[z] and m.zones.level[z] == REGION
    assert m.zones.land_total[z] == 12.0 and m.zones.land_developed[z] >= 3.0
    assert m.flows["promoted"][z] == 1
    m.step()
    df = m.results()
    assert set(df[df.zone == "test_park"]["year"]) == {m.start_year + 2, m.start_year + 3}
    assert m.zones.rank[z] >= 1  # evaluated within the region-level class


def test_park_id_clash_is_an_input_error(make):
    with pytest.raises(InputError, match="already exists"):
        make(build("new_zones", parks=[{**PARK, "id": "baise"}]))


def test_zone_promoted_after_years_at_the_top(make):
    lever = build("promotion", top=1, years=2, min_output_bn=0.0, min_hightech_firms=0, min_gap=0)
    m = make(ForceRank("hezhou", "top"), lever)
    z = m.zone_ids.index("hezhou")
    m.step()
    assert m.zones.level[z] == REGION
    m.step()
    assert m.zones.level[z] == NATIONAL and m.flows["promoted"][z] == 1


def test_promotion_needs_thresholds_and_respects_cap(make):
    m = make(ForceRank("hezhou", "top"), build("promotion", years=1, min_output_bn=10_000.0))
    m.step()
    m.step()
    assert (m.zones.level == NATIONAL).sum() == 4
    m = make(ForceRank("hezhou", "top"), build("promotion", years=1, min_output_bn=0, min_hightech_firms=0,
                                                max_national=4))
    m.step()
    assert (m.zones.level == NATIONAL).sum() == 4


def test_measures_listed_before_new_zones_handle_the_new_slot(make):
    """Levers that keep per-zone arrays cope with a zone created later in the same year."""
    levers = [build(n) for n in ("talent_subsidy", "incubators", "certification_support", "outside_attraction",
                                 "tech_transfer")] + [build("new_zones", parks=[{**PARK, "year": 1}])]
    m = make(*levers)
    m.step()
    m.step()
    z = m.zone_ids.index("test_park")
    assert m.zones.alive[z] and m.zones.subsidy_extra[z] == 20.0


def test_the_chance_of_promotion_is_worth_most_to_the_qualifying_zones_near_the_top(make):
    """Issue 16: committees respond to the chance of promotion. Only zones that meet the output and
    certified-firm thresholds see it, and most the ones near first place."""
    import numpy as np

    lever = build("promotion", top=1, years=3, min_output_bn=0.0, min_hightech_firms=0)
    m = make(lever)
    m.step()
    inc = lever.incentives(m)["score"]
    zs = m.zones
    region = np.flatnonzero(zs.alive & (zs.level == REGION))
    order = region[np.argsort(zs.rank[region])]
    assert inc[order[:2]].min() > inc[order[-1]] and inc[order[:2]].max() > 0
    assert (inc[zs.level == NATIONAL] == 0).all()
    strict = build("promotion", min_output_bn=1e6)  # nobody qualifies: nobody is moved by it
    m2 = make(strict)
    m2.step()
    assert (strict.incentives(m2)["score"] == 0).all()


def test_promotion_raises_the_value_of_a_score_point_to_the_leading_committees(make):
    import numpy as np

    base = make()
    lever = build("promotion", top=1, years=3, min_output_bn=0.0, min_hightech_firms=0)
    m = make(lever)
    lead = int(np.flatnonzero((m.zones.level == REGION) & (m.zones.rank == 1))[0])
    base.step()
    m.step()
    assert m.committees.score_value[lead] > 1.5 * base.committees.score_value[lead]
