"""scripts/doc_figures.py: each subcommand's core function on one seed and a few years returns
finite numbers of the right shape, and one property of the model it measures holds."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from sim.scenario.world import load_world

_PATH = Path(__file__).resolve().parent.parent / "scripts" / "doc_figures.py"
_spec = importlib.util.spec_from_file_location("doc_figures", _PATH)
F = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(F)


@pytest.fixture(scope="module")
def world():
    return load_world("guangxi")


def test_land_allocation_capped_rule_gives_each_zone_its_demand(world):
    r = F.land_allocation([20210], 3, world=world)
    for arm in ("by_output", "capped"):
        assert set(r[arm]) == set(F.LAND_OUTCOMES)
        assert all(len(v) == 1 and np.isfinite(v).all() for v in r[arm].values())
    assert r["capped_max_gap_km2"] == pytest.approx(0.0, abs=1e-9)
    assert r["by_output"]["land_developed"][0] != 0.0  # the uncapped rule moves land


def test_evaluation_motive_is_a_share(world):
    r = F.evaluation_motive([20210], 3, world=world)
    assert r["n"] >= 3 * 12
    assert 0.0 <= r["p5"] <= r["mean"] <= r["p95"] <= 1.0


def test_national_status_raises_the_zone_output(world):
    r = F.national_status("wuzhou", [1], [2, 3], world=world)
    assert list(r["gains"]) == [2, 3] and all(len(g) == 1 for g in r["gains"].values())
    assert r["gains"][3][0] > 0.0


def test_industry_upgrading_counts_and_costs(world):
    r = F.industry_upgrading(20210, 3, world=world)
    assert len(r["cost_by_year"]) == 3 and np.isfinite(r["cost_by_year"]).all()
    assert 0 < r["upgraded"] <= r["traditional_at_start"]
    assert min(r["cost_by_year"]) > 0.0 and sum(r["cost_by_year"]) == pytest.approx(r["total_cost"])


def test_performance_pay_raises_efficiency(world):
    r = F.performance_pay(20210, 3, world=world)
    g, e = r["g_start"], r["effort_end"]
    assert g.size == e.size > 0 and np.isfinite(g).all() and np.isfinite(e).all()
    assert (g > 0).all() and (e > 0).all() and (e < 0.95).all()


@pytest.mark.parametrize("argv, field", [
    (["land-allocation", "--seeds", "0"], "--seeds"),
    (["evaluation-motive", "--years", "-3"], "--years"),
    (["national-status", "--years", "abc"], "--years"),
    (["national-status", "--zones", "nowhere", "--years", "1"], "--zones"),
    (["industry-upgrading", "--years", "x"], "--years"),
])
def test_bad_input_is_one_clear_line_and_exit_2(argv, field, capsys):
    with pytest.raises(SystemExit) as e:
        F.main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert e.value.code == 2 and [ln for ln in err if "error:" in ln] == err[-1:]  # usage, then one error line
    assert f"argument {field}" in err[-1] and ("allowed" in err[-1] or "e.g." in err[-1])
