"""Scenario discovery: PRIM (EMA Workbench) finds a rule planted in synthetic data; cases are read
from a real study store with factors as columns and the condition as the mark."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ema_workbench")

from sim.analysis.discover import cases, discover, open_results, quasi_p  # noqa: E402
from sim.core.errors import InputError  # noqa: E402
from sim.analysis.robust import Condition  # noqa: E402


def _planted(n=400, seed=0):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"a": rng.uniform(0, 1, n), "b": rng.uniform(0, 1, n), "noise": rng.uniform(10, 20, n),
                      "rule": pd.Categorical(rng.choice(["demand", "output_per_land", "rank"], n))})
    y = (x["a"] > 0.7).to_numpy() & (x["rule"] == "demand").to_numpy()
    return x, y


def test_prim_finds_the_planted_box():
    x, y = _planted()
    d = discover(x, y, threshold=0.8, max_boxes=1)
    assert len(d.boxes) == 1
    box = d.boxes.iloc[0]
    assert box["density"] >= 0.8 and box["coverage"] >= 0.8
    lim = d.limits.set_index("factor")
    assert set(lim.index) == {"a", "rule"}  # b and noise are left free
    assert lim.loc["a", "lower"] == pytest.approx(0.7, abs=0.05) and lim.loc["a", "kind"] == "range"
    assert lim.loc["rule", "values"] == "demand"
    assert box["rule"].startswith("a >= 0.") and "rule in {demand}" in box["rule"]
    assert d.base_rate == pytest.approx(y.mean())
    # the trajectory marks exactly the chosen step, with the box's stats
    chosen = d.trajectory[d.trajectory["chosen"]]
    assert len(chosen) == 1 and chosen["coverage"].iloc[0] == pytest.approx(box["coverage"])


def test_quasi_p_for_numeric_and_categorical_restrictions():
    """Both planted restrictions are significant (EMA's own inspect fails on the categorical one);
    a restriction that adds nothing gets a large quasi-p."""
    x, y = _planted()
    lim = discover(x, y, threshold=0.8, max_boxes=1).limits.set_index("factor")
    assert lim.loc["a", "qp"] < 1e-6 and lim.loc["rule", "qp"] < 1e-6
    box = pd.DataFrame({"a": [0.7, 1.0], "b": [0.0, 0.9], "noise": [10.0, 20.0],
                        "rule": [{"demand"}, {"demand"}]})
    qp = quasi_p(x, y, np.ones(len(y), dtype=bool), box)
    assert qp["b"] > 0.3 and qp["a"] < 1e-6 and qp["rule"] < 1e-6


def test_quasi_p_matches_ema_workbench_on_numeric_boxes():
    from ema_workbench.analysis import prim

    rng = np.random.default_rng(4)
    x = pd.DataFrame({"a": rng.uniform(0, 1, 600), "b": rng.uniform(0, 1, 600)})
    y = ((x["a"] > 0.6) & (x["b"] < 0.5)).to_numpy() | (rng.random(600) < 0.05)
    box = prim.Prim(x, y, threshold=0.8).find_box()
    i = len(box.peeling_trajectory) - 1
    ema = box.inspect(i, style="data")[0][1].iloc[:, 2:].max(axis=1)
    ours = quasi_p(x, y, np.ones(len(y), dtype=bool), box.box_lims[i])
    assert set(ema.index) <= set(ours)
    for c in ema.index:
        assert ours[c] == pytest.approx(float(ema[c]), rel=1e-6, abs=1e-12)


def test_two_planted_boxes_are_found_in_turn():
    rng = np.random.default_rng(3)
    n = 1500
    x = pd.DataFrame({"a": rng.uniform(0, 1, n), "b": rng.uniform(0, 1, n)})
    y = ((x["a"] > 0.8) | (x["b"] < 0.15)).to_numpy()
    d = discover(x, y, threshold=0.8, max_boxes=2)
    assert len(d.boxes) == 2
    found = {r.factor: r for r in d.limits.itertuples()}
    assert found["a"].lower == pytest.approx(0.8, abs=0.05)
    assert found["b"].upper == pytest.approx(0.15, abs=0.05)


def test_no_failures_and_all_failures_are_refused():
    x, y = _planted()
    with pytest.raises(InputError, match="holds in no run"):
        discover(x, np.zeros(len(x), dtype=bool))
    with pytest.raises(InputError, match="holds in every run"):
        discover(x, np.ones(len(x), dtype=bool))


def test_cases_from_a_study_store(tmp_path):
    from sim.experiments.study import load_study
    from sim.experiments.sweep import execute, open_store

    from .test_robust import write_study

    path = write_study(tmp_path, levers={"land_allocation.rule": {"values": ["demand", "output_per_land"]}},
                       uncertainties={"agglomeration_elasticity": {"range": [0.02, 0.12]}},
                       outcomes={"names": ["output", "talent"], "years": "all"},
                       design={"method": "full_factorial", "levels": 2}, years=2, seeds=1)
    study = load_study(path)
    store = open_store(study, tmp_path / "s")
    execute(study, store, workers=1)
    store = open_results(tmp_path / "s")
    df = store.load()
    last = df[(df["zone"] == "region") & (df["year"] == 2023)]
    cut = float(last["output"].median())
    x, y, year = cases(store, Condition("output", "<", cut))
    assert year == 2023 and len(x) == 4 and list(x.columns) == ["land_allocation.rule", "agglomeration_elasticity"]
    assert isinstance(x["land_allocation.rule"].dtype, pd.CategoricalDtype)
    assert list(y) == list(last.sort_values("run")["output"] < cut)
    x0, _, y0 = cases(store, Condition("talent", ">", 0), year=2021)
    assert y0 == 2021
    with pytest.raises(InputError, match="unknown outcome kept by this study 'firms'"):
        cases(store, Condition("firms", "<", 1))
    with pytest.raises(InputError, match="year 2030 is not kept"):
        cases(store, Condition("output", "<", 1), year=2030)
    with pytest.raises(InputError, match="not a results folder"):
        open_results(tmp_path)
