"""Sensitivity: SALib indices on known functions through our design slicing, and end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.cli.main import main
from sim.core.errors import InputError
from sim.analysis.sensitivity import analyze, convergence, indices, require_method
from sim.experiments.store import Store
from sim.experiments.study import load_study

from .test_study import write_study

THREE = {"levers": {"land_quota": {"range": [6.0, 24.0]}},
         "uncertainties": {"agglomeration_elasticity": {"range": [0.03, 0.11]},
                           "beta_wage": {"range": [1.5, 3.5]}}}


def _linear(study, x):
    """y = 10 a + 1 b + 0 c (in unit scale): a dominates, c has no effect."""
    lo = np.array([f.bounds()[0] for f in study.varying])
    hi = np.array([f.bounds()[1] for f in study.varying])
    u = (x - lo) / (hi - lo)
    return 10 * u[:, 0] + 1 * u[:, 1] + 0 * u[:, 2]


def test_sobol_indices_rank_a_known_function(tmp_path):
    study = load_study(write_study(tmp_path, **THREE, design={"method": "sobol", "samples": 256, "seed": 1}))
    x = study.sample()
    assert x.shape == (2 * 256 * 5, 3)
    y = _linear(study, x)
    full = indices(study, x, y, 512, resamples=100)
    half = indices(study, x, y, 256, resamples=100)
    s1 = dict(zip(full["factor"], full["S1"]))
    st = dict(zip(full["factor"], full["ST"]))
    # analytic: Var = (100 + 1)/12 -> S1 = ST = 100/101, 1/101, 0
    assert s1["land_quota"] == pytest.approx(100 / 101, abs=0.05)
    assert st["agglomeration_elasticity"] == pytest.approx(1 / 101, abs=0.02)
    assert abs(st["beta_wage"]) < 1e-9
    assert (full["ST_conf"] > 0).all() or full["ST_conf"].iloc[2] == 0
    assert half["N"].iloc[0] == 256 and full["N"].iloc[0] == 512
    assert not np.allclose(half["S1"], full["S1"])  # different runs enter each estimate


def test_morris_indices_rank_a_known_function(tmp_path):
    study = load_study(write_study(tmp_path, **THREE, design={"method": "morris", "samples": 20, "seed": 2}))
    x = study.sample()
    y = _linear(study, x)
    t = indices(study, x, y, 40)
    mu = dict(zip(t["factor"], t["mu_star"]))
    # SALib's elementary effects are per unit of the scaled range: 10, 1, 0
    assert mu["land_quota"] == pytest.approx(10)
    assert mu["agglomeration_elasticity"] == pytest.approx(1)
    assert mu["beta_wage"] == 0
    assert t["sigma"].abs().max() < 1e-9  # linear: no interactions


def test_convergence_table():
    idx = pd.DataFrame({"outcome": "o", "year": 1, "zone": "region", "factor": ["a", "b"] * 2,
                        "N": [4, 4, 8, 8], "S1": [0.5, 0.1, 0.6, 0.1], "ST": [0.7, 0.1, 0.6, 0.3],
                        "ST_conf": [0.2, 0.2, 0.05, 0.25]})
    c = convergence(idx, "sobol")
    assert c["ST_change"].tolist() == pytest.approx([0.1, 0.2])
    assert c["within_ci"].tolist() == [False, True]


def test_require_method(tmp_path):
    with pytest.raises(InputError, match="design.method: sensitivity needs method morris or sobol"):
        require_method(load_study(write_study(tmp_path)))


def test_morris_on_the_model_end_to_end(tmp_path):
    """A lever rule (a list of words) and a parameter, 1+1 trajectories, 1 year: the store,
    indices, convergence and charts."""
    spec = {"levers": {"land_allocation.rule": {"values": ["demand", "rank"]}},
            "uncertainties": {"agglomeration_elasticity": {"range": [0.03, 0.11]}},
            "seeds": 1, "outcomes": {"names": ["output", "firms"], "years": "final"},
            "design": {"method": "morris", "samples": 1, "levels": 4, "seed": 3}}
    path = write_study(tmp_path, **spec)
    assert main(["sensitivity", str(path), "--workers", "1", "--out", str(tmp_path / "s"), "--no-progress",
                 "--resamples", "20"]) == 0
    folder = tmp_path / "s" / "sensitivity"
    idx = pd.read_parquet(folder / "indices.parquet")
    assert set(idx["outcome"]) == {"output", "firms"} and set(idx["N"]) == {1, 2}
    assert set(idx["factor"]) == {"land_allocation.rule", "agglomeration_elasticity"}
    assert dict(zip(idx["factor"], idx["group"])) == {"land_allocation.rule": "lever",
                                                       "agglomeration_elasticity": "uncertainty"}
    assert (idx["mu_star"] >= 0).all()
    assert (folder / "convergence.csv").stat().st_size > 0
    assert (folder / "morris_output_2022.png").stat().st_size > 5000
    # the same indices straight from the store and SALib
    study = load_study(path)
    store = Store.open(tmp_path / "s")
    again, _ = analyze(study, store, ["output"], [2022], resamples=20, seed=3)
    mine = idx[idx["outcome"] == "output"].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, again)
    from SALib.analyze import morris

    df = store.load()
    y = df[df["zone"] == "region"].groupby("point")["output"].mean().to_numpy()
    ref = morris.analyze(study.problem(), study.sample(), y, num_resamples=20, num_levels=4, seed=3)
    top = mine[mine["N"] == 2]
    assert top["mu_star"].tolist() == pytest.approx(list(ref["mu_star"]))


def test_sensitivity_prints_its_tables_in_chinese_with_lang_zh(tmp_path, capsys):
    """Seen with `zonesim sensitivity <morris study> --lang zh`: charts Chinese, the terminal English
    ('morris — output, 2022, region', 'factor group mu_star mu_star_conf', 'agglomeration_elasticity',
    μ* in CNY bn); English stays the researcher's table."""
    import re

    from sim.present.format import value

    spec = {"levers": {"land_allocation.rule": {"values": ["demand", "rank"]}},
            "uncertainties": {"agglomeration_elasticity": {"range": [0.03, 0.11]}},
            "seeds": 1, "outcomes": {"names": ["output", "firms"], "years": "final"},
            "design": {"method": "morris", "samples": 1, "levels": 4, "seed": 3}}
    path = write_study(tmp_path, **spec)
    argv = ["sensitivity", str(path), "--workers", "1", "--out", str(tmp_path / "s"), "--no-progress",
            "--resamples", "20"]
    assert main([*argv, "--lang", "zh"]) == 0
    printed = capsys.readouterr().out
    for word in ("2022年总产出 — Morris法", "因素", "类型", "μ*（亿元/年）", "σ（亿元/年）", "95%区间", "产业集聚弹性",
                 "用地指标分配：分配规则", "政策工具", "不确定因素", "收敛性检验", "同时改变政策工具和不确定因素"):
        assert word in printed, word
    for line in printed.strip().splitlines():
        if line.startswith("已写入"):
            continue  # the folder and file names
        left = [w for w in re.findall(r"[A-Za-z]{2,}", line.replace("convergence.csv", "")) if w not in ("Morris",)]
        assert not left, (line, left)
        assert not re.search(r"\d[eE][+-]?\d|\b(nan|NaN|inf)\b", line), line
    idx = pd.read_parquet(tmp_path / "s" / "sensitivity" / "indices.parquet")
    top = idx[(idx["N"] == idx["N"].max()) & (idx["outcome"] == "output")
              & (idx["factor"] == "agglomeration_elasticity")].iloc[0]
    row = next(x for x in printed.splitlines() if "产业集聚弹性" in x)  # output's table comes first
    assert value("output", top["mu_star"], "zh", unit=False) in row  # μ* in 亿元, as in the report
    # English: the table as it was
    assert main([*argv, "--resume"]) == 0
    en = capsys.readouterr().out
    assert "morris — output, 2022, region (N = 2)" in en and "mu_star_conf" in en and "agglomeration_elasticity" in en
    assert not re.search(r"[\u4e00-\u9fff]", en)


@pytest.mark.slow
def test_sobol_cli_over_uncertainties(tmp_path, capsys):
    spec = {**THREE, "seeds": 1, "outcomes": {"names": ["output"], "years": "final"},
            "design": {"method": "sobol", "samples": 2, "seed": 4}}
    path = write_study(tmp_path, **spec)
    assert main(["sensitivity", str(path), "--over", "uncertainties", "--workers", "2",
                 "--out", str(tmp_path / "s"), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "over uncertainties" in out and "convergence (N -> 2N)" in out
    idx = pd.read_parquet(tmp_path / "s" / "sensitivity" / "indices.parquet")
    assert set(idx["factor"]) == {"agglomeration_elasticity", "beta_wage"}
    assert set(idx["group"]) == {"uncertainty"}
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(idx.columns)
    assert (tmp_path / "s" / "sensitivity" / "sobol_output_2022.png").exists()
    # the fixed lever stays at its base value in every run
    df = Store.open(tmp_path / "s").load()
    assert "land_quota" not in df.columns and len(df.drop_duplicates("run")) == 2 * 2 * 4
