"""`zonesim attribute`, `robust` and `discover` end to end on a small world: files, manifests,
re-analysis with --resume (no runs recomputed), the report, and one-line errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from sim.cli.main import main
from sim.present.report import build_report

from ..test_robust import write_study

WORLD = "synthetic:3,150,1500"


def _package_file(tmp_path):
    path = tmp_path / "land-and-idle-rewards.yaml"
    path.write_text(yaml.safe_dump({"name": "land-and-idle-rewards", "extends": "baseline", "levers": {
        "land_allocation": {"rule": "output_per_land"}, "funding_reward": {"budget": 0.0}}}))
    return path


def test_attribute_cli_files_resume_and_report(tmp_path, capsys):
    out = tmp_path / "att"
    argv = ["attribute", str(_package_file(tmp_path)), "--by", "measure", "--world", WORLD, "--year", "2024",
            "--seeds", "2", "--workers", "1", "--out", str(out), "--no-progress"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "Total effect of `land-and-idle-rewards` on output in 2024" in text and "8 runs (8 computed now" in text
    for name in ("summary.md", "shapley.csv", "interactions.csv", "combinations.csv", "waterfall.png",
                 "manifest.json", "scenario.yaml"):
        assert (out / name).stat().st_size > 0, name
    man = json.loads((out / "manifest.json").read_text())
    assert man["kind"] == "attribution" and man["by"] == "measure" and len(man["seeds"]) == 2
    assert sorted(p["name"] for p in man["players"]) == ["funding_reward", "land_allocation"]
    sh = pd.read_csv(out / "shapley.csv").set_index("player")
    assert sh.loc["funding_reward", "shapley"] == 0.0
    assert sh["shapley"].sum() == pytest.approx(man["totals"]["total_effect"])
    assert len(pd.read_csv(out / "combinations.csv")) == 4
    # another outcome from the same runs: nothing recomputed
    assert main(argv + ["--resume", "--outcome", "firms"]) == 0
    assert "8 runs (0 computed now" in capsys.readouterr().out
    assert set(pd.read_csv(out / "shapley.csv")["outcome"]) == {"firms"}
    page = build_report(out, "en")
    assert "Shapley values" in page and "attribution (Shapley)" in page and "data:image/png;base64," in page
    assert "归因" in build_report(out, "zh")
    # the folder is taken now: the same command again is refused, offering --resume and --overwrite
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "pass --resume to reuse them" in err and "--overwrite to start again" in err


def test_robust_and_discover_cli(tmp_path, capsys):
    study = write_study(tmp_path)
    out = tmp_path / "rob"
    pkg = tmp_path / "land-quota.yaml"  # the whole quota by output per km2: more land than the baseline (issue 17)
    pkg.write_text("name: land-quota\nextends: baseline\nlevers:\n  land_allocation: {rule: output_per_land, reclaim_share: 0.3, quota: 12.0}\n", encoding="utf-8")
    argv = ["robust", "baseline", str(pkg), "--study", str(study), "--futures", "3", "--target",
            "output >= 0", "--workers", "1", "--out", str(out), "--no-progress"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "Least regret" in text and "12 runs (12 computed now" in text
    for name in ("summary.md", "ranking.csv", "regret.csv", "futures.csv", "regret.png", "manifest.json"):
        assert (out / name).stat().st_size > 0, name
    rank = pd.read_csv(out / "ranking.csv")
    assert list(rank.columns[:3]) == ["package", "futures", "mean_value"] and set(rank["satisficing"]) == {1.0}
    man = json.loads((out / "manifest.json").read_text())
    assert man["kind"] == "robustness" and man["futures"] == 3 and man["packages"] == ["baseline", "land-quota"]
    regret = pd.read_csv(out / "regret.csv")
    # a different target from the same runs: nothing recomputed
    wide = regret.pivot(index="future", columns="package", values="value")
    cut = float(wide.to_numpy().mean())
    assert main(["robust", "baseline", str(pkg), "--study", str(study), "--futures", "3", "--target",
                 f"output >= {cut}", "--workers", "1", "--out", str(out), "--resume", "--no-progress"]) == 0
    assert "12 runs (0 computed now" in capsys.readouterr().out
    assert "robustness (regret)" in build_report(out, "en")

    # discovery on the same runs: which package/futures fall below the cut?
    assert wide["baseline"].max() < wide["land-quota"].min()  # more land raises output in every future
    cut = float((wide["baseline"].max() + wide["land-quota"].min()) / 2)
    assert main(["discover", str(out), "--where", f"output < {cut}", "--threshold", "0.6"]) == 0
    text = capsys.readouterr().out
    assert "Box 1:" in text and "package in {baseline}" in text
    d = out / f"discover-output-{man['year']}"
    for name in ("summary.md", "boxes.csv", "limits.csv", "trajectory.csv", "discovery.png", "manifest.json"):
        assert (d / name).stat().st_size > 0, name
    assert json.loads((d / "manifest.json").read_text())["kind"] == "discovery"
    assert "scenario discovery (PRIM)" in build_report(d, "en")


@pytest.mark.parametrize("argv,needle", [
    (["attribute", "guangxi-23", "--by", "measure", "--world", WORLD], "at most 8 players"),
    (["attribute", "delisting", "--outcome", "nope", "--world", WORLD], "unknown region outcome 'nope'"),
    (["attribute", "baseline", "--world", WORLD], "nothing to attribute"),
    (["attribute", "delisting", "--world", WORLD, "--resume", "--out", "{tmp}/none"], "nothing to resume"),
    (["robust", "baseline", "delisting", "--study", "{study}", "--target", "output = 3"],
     "expected 'OUTCOME OP VALUE'"),
    (["robust", "baseline", "--study", "{study}"], "at least two packages"),
    (["discover", "{tmp}", "--where", "output < 3"], "not a results folder"),
])
def test_errors_are_one_line(tmp_path, capsys, argv, needle):
    study = write_study(tmp_path)
    argv = [a.format(tmp=tmp_path, study=study) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("zonesim: error: ") and needle in err and "\n" not in err


@pytest.mark.slow
def test_attribute_and_robust_on_dask_match_the_local_pool(tmp_path, capsys):
    """The sub-package and futures x packages studies run on a Dask cluster (two worker processes
    on loopback) into the same bytes as on the local pool; a dropped part is recomputed on resume."""
    distributed = pytest.importorskip("distributed")
    from sim.experiments.store import Store

    pkg = str(_package_file(tmp_path))
    study = str(write_study(tmp_path))
    att = ["attribute", pkg, "--by", "measure", "--world", WORLD, "--year", "2024", "--seeds", "2", "--no-progress"]
    rob = ["robust", "baseline", "land-by-output", "--study", study, "--futures", "3", "--no-progress"]
    assert main(att + ["--workers", "2", "--out", str(tmp_path / "att-local")]) == 0
    assert main(rob + ["--workers", "2", "--out", str(tmp_path / "rob-local")]) == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert main(att + ["--scheduler", address, "--out", str(tmp_path / "att-dask")]) == 0
        assert main(rob + ["--scheduler", address, "--out", str(tmp_path / "rob-dask")]) == 0
        assert "computed now on dask" in capsys.readouterr().out
        (tmp_path / "rob-dask" / "runs" / "results" / "part-00004.parquet").unlink()
        assert main(rob + ["--scheduler", address, "--out", str(tmp_path / "rob-dask"), "--resume"]) == 0
        assert "12 runs (1 computed now on dask" in capsys.readouterr().out
    for name in ("att", "rob"):
        local, dask = Store.open(tmp_path / f"{name}-local" / "runs"), Store.open(tmp_path / f"{name}-dask" / "runs")
        assert dask.part_bytes() == local.part_bytes()
    assert (tmp_path / "att-dask" / "shapley.csv").read_text() == (tmp_path / "att-local" / "shapley.csv").read_text()
    assert (tmp_path / "rob-dask" / "ranking.csv").read_text() == (tmp_path / "rob-local" / "ranking.csv").read_text()
