"""Property-based invariants, checked every year over random packages, parameters and seeds.

Land: developed + available = total per zone, occupied <= developed, quota handed out <= issued.
Money: kept tax sums to the zones' shares of tax raised (sharing moves it, never creates it).
People: region talent(t+1) = talent(t) + inflow - outflow. Firms: count(t+1) = count(t) +
entries - exits. Ranks: a permutation 1..n within each class.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.zonemodel import ZoneModel
from sim.scenario.packages import load_package
from sim.scenario.world import PACKAGES, load_world

WORLD = load_world("guangxi")
PACKAGE_FILES = sorted(PACKAGES.glob("*.yaml"))

param_overrides = st.fixed_dictionaries({}, optional={
    "exit_base_hazard": st.floats(0.0, 0.5),
    "startup_rate": st.floats(0.0, 30.0),
    "land_quota": st.floats(0.0, 50.0),
    "graduate_rate": st.floats(0.0, 0.3),
    "growth_noise": st.floats(0.0, 0.6),
    "relocation_rate": st.floats(0.0, 0.3),
    "zone_tax_share": st.floats(0.0, 1.0),
    "outside_wage_ratio": st.floats(0.5, 3.0),
})


def check_year(m: ZoneModel, prev: dict, cur: dict) -> None:
    zs = m.zones
    alive = zs.alive
    assert cur["firms"] == prev["firms"] + cur["entries"] - cur["exits"]
    assert cur["talent"] == pytest.approx(prev["talent"] + cur["region_talent_inflow"] - cur["region_talent_outflow"])
    avail = zs.land_total - zs.land_developed
    assert (avail[alive] >= -1e-9).all()
    np.testing.assert_allclose(zs.land_developed + avail, zs.land_total)
    assert (m.occupied_land()[alive] <= zs.land_developed[alive] + 1e-6).all()
    assert cur["land_allotted"] <= cur["land_quota_issued"] + cur.get("land_reclaimed", 0.0) + 1e-9
    np.testing.assert_allclose(zs.tax_kept[alive].sum(), (zs.tax_share * zs.tax_raised)[alive].sum(),
                               rtol=1e-9, atol=1e-9)
    for lv in (0, 1, 2):
        r = np.sort(zs.rank[alive & (zs.level == lv)])
        assert np.array_equal(r, np.arange(1, r.size + 1))
    f = m.firms
    i = m.live_firms()
    assert (f.employees[i] >= 1.0 - 1e-9).all() and np.isfinite(f.tfp[i]).all()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), over=param_overrides,
       pkg=st.sampled_from(PACKAGE_FILES) if PACKAGE_FILES else st.none(), years=st.integers(1, 4))
def test_invariants_hold_every_year(seed, over, pkg, years):
    levers = load_package(pkg).build() if pkg is not None else []
    m = ZoneModel(world=WORLD, levers=levers, rng=seed, **over)
    prev = m.recorder.region_latest
    for _ in range(years):
        m.step()
        cur = m.recorder.region_latest
        check_year(m, prev, cur)
        prev = cur
