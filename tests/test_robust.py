"""Robustness: regret and satisficing on tables with known answers, and a futures x packages study
on a small world (common futures and seeds; a package that equals another scores the same)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.analysis.attribution import region_values, run_package_study
from sim.core.errors import InputError
from sim.scenario.packages import load_package
from sim.analysis.robust import future_values, parse_condition, rank, regret, robust_study
from sim.experiments.store import Store
from sim.experiments.study import apply_levers, load_study
from sim.experiments.sweep import execute, open_store


def test_parse_condition():
    c = parse_condition("output >= 1500", "--target", ["output", "talent"])
    assert (c.outcome, c.op, c.value) == ("output", ">=", 1500.0)
    assert list(c.test([1499.9, 1500, 2000])) == [False, True, True]
    assert str(parse_condition(" talent<2e5", "--target", ["output", "talent"])) == "talent < 200000"
    with pytest.raises(InputError, match="expected 'OUTCOME OP VALUE'"):
        parse_condition("output == 3", "--target", ["output"])
    with pytest.raises(InputError, match="unknown outcome 'ouput'.*did you mean 'output'"):
        parse_condition("ouput > 3", "--target", ["output"])


def _table(values: dict[str, list[float]]) -> pd.DataFrame:
    rows = [{"future": f, "package": p, "value": v} for p, vs in values.items() for f, v in enumerate(vs)]
    return pd.DataFrame(rows)


def test_dominated_package_has_higher_regret_and_ranks_lower():
    vals = {"a": [10.0, 12.0, 8.0, 15.0], "b": [9.0, 11.0, 7.5, 14.0], "c": [11.0, 9.0, 8.0, 13.0]}
    r = regret(_table(vals))
    assert r.groupby("future")["regret"].min().eq(0).all()
    assert r[r["package"] == "b"]["regret"].tolist() == [2.0, 1.0, 0.5, 1.0]  # b = a - something everywhere
    t = rank(_table(vals), list(vals)).set_index("package")
    assert t.loc["b", "max_regret"] > t.loc["a", "max_regret"]
    assert t.loc["a", "rank_regret"] == 1 and t.loc["b", "rank_regret"] > t.loc["a", "rank_regret"]
    assert t.loc["c", "max_regret"] == 3.0 and t.loc["a", "best_in"] == 3
    # less is better: regret measured the other way
    two = {k: vals[k] for k in ("a", "b")}
    low = rank(_table(two), list(two), maximise=False).set_index("package")
    assert low.loc["b", "rank_regret"] == 1 and low.loc["a", "max_regret"] == 1.0


def test_satisficing_share():
    vals = {"a": [10.0, 12.0, 8.0, 15.0], "b": [9.0, 11.0, 7.5, 14.0]}
    target = parse_condition("output >= 10", "--target", ["output"])
    t = rank(_table(vals), list(vals), target, _table(vals)).set_index("package")
    assert t.loc["a", "satisficing"] == 0.75 and t.loc["b", "satisficing"] == 0.5
    assert t.loc["a", "rank_satisficing"] == 1


def write_study(tmp_path, **over):
    spec = {"name": "unc-small", "world": "synthetic:3,150,1500", "years": 3, "seeds": 2,
            "uncertainties": {"agglomeration_elasticity": {"range": [0.02, 0.12]},
                              "outside_wage_ratio": {"range": [1.1, 1.6]}},
            "levers": {"funding_reward.budget": {"range": [0.0, 20.0]}},
            "outcomes": ["output"], "design": {"method": "latin_hypercube", "samples": 3, "seed": 3}}
    spec.update(over)
    path = tmp_path / "unc.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def _packages():
    base = load_package("baseline")
    same = apply_levers(base, {"funding_reward": {"budget": 0.0}})  # rewards with no money: does nothing
    same = dataclasses.replace(same, name="no-money")
    land = apply_levers(base, {"land_allocation": {"rule": "output_per_land", "quota": 12.0}})  # more land
    return [base, same, dataclasses.replace(land, name="land-by-output")]


def test_futures_are_common_and_an_idle_package_scores_like_the_baseline(tmp_path):
    study = load_study(write_study(tmp_path))
    pkgs = _packages()
    year = study.world.start_year + 3
    ps, fut = robust_study(study, pkgs, None, year)
    assert len(fut) == 3 and "funding_reward.budget" not in fut  # levers of the study are not used
    runs = ps.runs()
    assert len(runs) == 3 * 3 * 2
    # each future: the same uncertainty values and the same seeds for every package
    runs["future"] = runs["point"] // 3
    assert (runs.groupby("future")[["agglomeration_elasticity", "outside_wage_ratio"]].nunique() == 1).all().all()
    assert (runs.groupby(["future", "package"])["seed"].apply(tuple).groupby("future").nunique() == 1).all()
    store, _ = run_package_study(ps, tmp_path / "r", resume=False, overwrite=False, workers=1, scheduler=None,
                                 progress=False)
    v = future_values(region_values(store, "output", year), 3, "output")
    wide = v.pivot(index="future", columns="package", values="value")
    assert (wide["baseline"] == wide["no-money"]).all()
    assert wide["baseline"].nunique() == 3  # the futures differ
    t = rank(v, [p.name for p in pkgs]).set_index("package")
    assert t.loc["baseline", "max_regret"] == t.loc["no-money", "max_regret"]
    assert t.loc["land-by-output", "rank_regret"] == 1 and t.loc["land-by-output", "max_regret"] == 0.0


def test_interrupted_robustness_resumes_to_identical_results(tmp_path):
    study = load_study(write_study(tmp_path))
    pkgs = _packages()[:2]
    ps, _ = robust_study(study, pkgs, 2, study.world.start_year + 2)
    clean, _ = run_package_study(ps, tmp_path / "clean", resume=False, overwrite=False, workers=1, scheduler=None,
                                 progress=False)
    store = open_store(ps, tmp_path / "cut" / "runs")

    def stop(k):
        if k == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        execute(ps, store, workers=1, on_chunk=stop)
    # chunks of one run; which were saved before the stop depends on the order chunks are handed
    # out in (runs sharing a start go together: runner.chunk_order), not on their numbers
    saved = len(Store.open(tmp_path / "cut" / "runs").verified())
    assert 0 < saved < 8
    resumed, session = run_package_study(ps, tmp_path / "cut", resume=True, overwrite=False, workers=1,
                                         scheduler=None, progress=False)
    assert session["runs_computed"] == 8 - saved
    assert resumed.part_bytes() == clean.part_bytes()


def test_study_without_uncertainties_is_refused(tmp_path):
    study = load_study(write_study(tmp_path, uncertainties={}))
    with pytest.raises(InputError, match="needs a study that declares uncertainties"):
        robust_study(study, _packages(), None, study.world.start_year + 3)
    study = load_study(write_study(tmp_path))
    with pytest.raises(InputError, match="at least two packages"):
        robust_study(study, _packages()[:1], None, study.world.start_year + 3)
    assert np.isfinite(study.world.start_year)


def test_a_stored_run_equals_the_same_run_made_directly(tmp_path):
    """The package, uncertainty values and seed of a point are exactly what its run used."""
    from sim.experiments.runner import run

    study = load_study(write_study(tmp_path))
    pkgs = _packages()
    ps, _ = robust_study(study, [pkgs[0], pkgs[2]], 2, study.world.start_year + 2)
    store, _ = run_package_study(ps, tmp_path / "r", resume=False, overwrite=False, workers=1, scheduler=None,
                                 progress=False)
    df = region_values(store, "output", study.world.start_year + 2)
    row = df[df["package"] == "land-by-output"].iloc[-1]
    params = {k: float(row[k]) for k in ("agglomeration_elasticity", "outside_wage_ratio")}
    direct = run(params, seed=int(row["seed"]), years=2, world=study.world, package=pkgs[2])
    assert direct[(direct["zone"] == "region") & (direct["step"] == 2)]["output"].iloc[0] == row["output"]
