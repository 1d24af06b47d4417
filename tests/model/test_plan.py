"""The year plan: named stages in order, printable, timed by the model itself, levers attached."""

from __future__ import annotations

import pandas as pd

from sim.cli.main import main as cli
from sim.model.plan import PLAN, STAGE_NAMES, describe
from sim.model.zonemodel import ZoneModel
from sim.scenario.packages import load_package


def test_every_stage_is_a_model_method_and_the_order_is_the_documented_one():
    assert STAGE_NAMES == ("start_year", "talent_moves", "labour_market", "production", "innovation", "land",
                           "firm_dynamics", "public_finance", "evaluation", "end_year", "record")
    for st in PLAN:
        assert callable(getattr(ZoneModel, f"_{st.name}")), st.name


def test_timing_stages_changes_nothing_and_accounts_for_every_stage(world):
    plain = ZoneModel(world=world, rng=3, agent_handles="lazy")
    timed = ZoneModel(world=world, rng=3, agent_handles="lazy", time_stages=True)
    for _ in range(3):
        plain.step()
        timed.step()
    pd.testing.assert_frame_equal(plain.results(), timed.results(), check_exact=True)
    assert plain.stage_seconds is None
    assert set(timed.stage_seconds) == set(STAGE_NAMES) and all(v > 0 for v in timed.stage_seconds.values())


def test_levers_are_shown_in_the_stages_whose_hooks_they_use():
    text = describe(load_package("land-by-output").build())
    land = next(line for line in text.splitlines() if " land " in line)
    assert "land_allocation" in land
    assert "land_allocation" not in next(line for line in text.splitlines() if "talent_moves" in line)


def test_zonesim_plan_prints_the_plan(capsys):
    assert cli(["plan", "hosting"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in STAGE_NAMES) and "hosting" in out
