"""Calibration: the SMM core on toy problems, identification, writing the fit into a world file."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import yaml

from sim.analysis import calibrate as C
from sim.experiments.runner import derive_seeds
from sim.scenario.world import WORLDS, load_world

TRUE = {"a": 0.3, "b": 2.0}
PARAMS = [C.FreeParam("a", 0.0, 1.0), C.FreeParam("b", 0.0, 5.0)]


def toy_simulate(thetas):
    """Two moments of a noisy toy model with common random numbers (fixed noise per call)."""
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 0.01, 2)
    return [{"m1": th["a"] + 0.1 * th["b"] + noise[0], "m2": th["a"] * th["b"] + noise[1]} for th in thetas]


def toy_problem(params=PARAMS):
    target = toy_simulate([TRUE])[0]
    return C.Problem(list(params), target, {"m1": 0.05, "m2": 0.05}, toy_simulate)


def test_objective_decreases_and_recovers_truth_on_a_toy_problem():
    p = toy_problem()
    fit = C.smm(p, design=12, iterations=80, seed=1, start={"a": 0.9, "b": 4.5})
    assert fit["objective"] < fit["start_objective"]
    assert fit["objective"] <= fit["design_best"]
    assert fit["objective"] < 0.01
    assert fit["theta"]["a"] == pytest.approx(TRUE["a"], abs=0.05)
    assert fit["theta"]["b"] == pytest.approx(TRUE["b"], abs=0.25)
    assert len(p.history) == fit["evaluations"]


def test_objective_is_below_one_inside_all_tolerances():
    p = toy_problem()
    inside = {m: p.targets[m] + 0.9 * p.scales[m] for m in p.targets}
    outside = {m: p.targets[m] + 1.5 * p.scales[m] for m in p.targets}
    assert p.objective(inside) < 1.0 < p.objective(outside)
    assert p.objective({"m1": np.nan, "m2": 0.0}) >= 1e6


def test_identification_flags_inert_and_collinear_parameters():
    def sim(thetas):
        # c has no effect; d acts exactly like a (collinear)
        return [{"m1": th["a"] + th.get("d", 0) + 0.1 * th["b"], "m2": th["a"] + th.get("d", 0) - 0.2 * th["b"]}
                for th in thetas]

    p = C.Problem(PARAMS, {"m1": 0.5, "m2": 0.6}, {"m1": 0.05, "m2": 0.05}, sim)
    probes = [C.FreeParam("c", 0.0, 1.0), C.FreeParam("d", 0.0, 0.5)]
    jac = C.jacobian(p, TRUE, probes)
    ident = C.identification(jac, ["m1", "m2"]).set_index("parameter")
    assert ident.loc["a", "verdict"] == "identified"
    assert ident.loc["b", "verdict"] == "identified"
    assert ident.loc["c", "verdict"].startswith("not identified")
    assert ident.loc["d", "verdict"].startswith("not identified given the fitted parameters")
    assert ident.loc["d", "with"] == "a"
    assert not ident.loc["c", "fitted"]
    # with one fitted parameter and two moments, a strong probe could still be fitted
    p1 = C.Problem(PARAMS[:1], p.targets, p.scales, sim)
    ident1 = C.identification(C.jacobian(p1, TRUE, [C.FreeParam("b", 0.0, 5.0)]), ["m1", "m2"])
    assert ident1.set_index("parameter").loc["b", "verdict"].startswith("could be fitted")


def test_identification_flags_collinear_fitted_parameters():
    def sim(thetas):
        return [{"m1": th["a"] + 5 * th["b"], "m2": 2 * th["a"] + 10 * th["b"]} for th in thetas]

    p = C.Problem(PARAMS, {"m1": 0.5, "m2": 0.6}, {"m1": 0.05, "m2": 0.05}, sim)
    ident = C.identification(C.jacobian(p, TRUE, []), ["m1", "m2"]).set_index("parameter")
    assert ident.loc["a", "verdict"].startswith("not separately identified: collinear with b")


def test_write_world_params_keeps_the_rest_of_the_file(tmp_path):
    src = WORLDS / "guangxi.yaml"
    shutil.copy(src, tmp_path / "guangxi.yaml")
    for f in WORLDS.glob("guangxi_*.csv"):
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "guangxi.yaml"
    before = yaml.safe_load(path.read_text())
    C.write_world_params(path, {"growth_noise": 0.31234, "exit_base_hazard": 0.04}, "fitted: test\nline two",
                         drop=["startup_rate"])
    text = path.read_text()
    after = yaml.safe_load(text)
    assert "# fitted: test" in text and "# line two" in text
    assert after["params"]["growth_noise"] == pytest.approx(0.3123)
    assert after["params"]["exit_base_hazard"] == 0.04
    assert "startup_rate" not in after["params"]
    for key in ("name", "zones", "start_year", "years", "anchors", "sources"):
        assert after[key] == before[key]
    world = load_world(path)  # still a valid world
    assert world.params.growth_noise == pytest.approx(0.3123)
    # rewriting replaces the fitted block instead of appending another
    C.write_world_params(path, {"growth_noise": 0.2}, "fitted: again", drop=["exit_base_hazard"])
    again = yaml.safe_load(path.read_text())
    assert again["params"] == {**{k: v for k, v in before["params"].items()
                                  if k not in ("growth_noise", "exit_base_hazard", "startup_rate")},
                               "growth_noise": 0.2}
    assert sum(line.startswith("params:") for line in path.read_text().splitlines()) == 1


def test_model_problem_moments_respond_to_exit_hazard(world):
    """One evaluation of the real model: a higher exit hazard gives a higher exit rate."""
    p = C.model_problem(world, derive_seeds(3, 1), 4, workers=1)
    lo, hi = p.simulate([{"exit_base_hazard": 0.02}, {"exit_base_hazard": 0.07}])
    assert hi["exit_rate"] > lo["exit_rate"] + 0.03
    assert set(lo) == set(C.MOMENTS)


@pytest.mark.slow
def test_calibrate_command_runs_and_does_not_write_with_no_write(tmp_path):
    from sim.cli.main import main

    before = (WORLDS / "guangxi.yaml").read_text()
    out = tmp_path / "cal"
    assert main(["calibrate", "--no-write", "--design", "2", "--iterations", "2", "--seeds", "1", "--years", "4",
                 "--workers", "1", "--no-identification", "--out", str(out)]) == 0
    assert (out / "fit.json").exists() and (out / "history.csv").exists()
    assert (WORLDS / "guangxi.yaml").read_text() == before
