"""Flows are declared once (sim/outcomes/metrics.py); the model's counters and the charts' lists
derive from the declarations and agree with what a run records."""

from __future__ import annotations

import numpy as np
import pytest

from sim.outcomes.metrics import COUNTED_FLOWS, FLOWS_FROM_YEAR_1, OUTCOMES, REGION_OUTCOMES

ALL = (*OUTCOMES, *REGION_OUTCOMES)


def test_a_flow_is_exactly_an_outcome_per_year():
    for o in ALL:
        assert o.flow == o.unit.endswith("/yr"), o.name
        assert o.flow or not (o.counted or o.at_start), o.name


def test_the_model_counts_exactly_the_counted_flows():
    from sim.model import FLOW_NAMES
    from sim.model.zonemodel import ZoneModel

    m = ZoneModel(world="synthetic:3,30,300", rng=1, agent_handles="lazy")
    zone_counters = {k for k, v in m.flows.items() if isinstance(v, np.ndarray)}
    region_counters = {k for k, v in m.flows.items() if not isinstance(v, np.ndarray)}
    assert FLOW_NAMES == COUNTED_FLOWS
    assert zone_counters == set(COUNTED_FLOWS)
    assert region_counters == {o.name for o in REGION_OUTCOMES if o.counted}


@pytest.mark.parametrize("package", ["baseline", "guangxi-23"])
def test_flows_from_year_1_are_zero_at_the_start_and_the_others_are_not(world, package):
    from sim.experiments.runner import simulate
    from sim.scenario.packages import load_package

    df = simulate(world, load_package(package), None, 4, 2)
    start = df[df["step"] == 0]
    region = start[start["zone"] == "region"].iloc[0]
    for o in ALL:
        if o.name in FLOWS_FROM_YEAR_1:
            assert np.nansum(np.abs(start[o.name].to_numpy(float))) == 0, o.name
        elif o.flow:
            assert region[o.name] > 0, o.name
    later = df[(df["step"] > 0) & (df["zone"] == "region")]
    assert (later[["entries", "exits", "innovations", "talent_inflow"]] > 0).all().all()


def test_charts_and_summaries_use_the_declared_flows():
    from sim.analysis import summary
    from sim.present.charts import trajectories

    assert summary.FLOWS is FLOWS_FROM_YEAR_1 and trajectories.FLOWS is FLOWS_FROM_YEAR_1
    assert {"entries", "moves_in", "public_money", "region_talent_inflow"} <= FLOWS_FROM_YEAR_1
    assert not {"output", "tax", "budget", "firms"} & FLOWS_FROM_YEAR_1
