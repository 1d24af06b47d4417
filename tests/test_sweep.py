"""``zonesim sweep``: same bytes for 1 and N workers; kill -9 and Ctrl-C, then --resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from sim.cli.main import main
from sim.experiments.store import INDEX, Store

from .test_study import write_study

TWO = {"levers": {"land_quota": {"values": [24.0]}},
        "uncertainties": {"agglomeration_elasticity": {"values": [0.05]}},
        "outcomes": {"names": ["output", "talent"], "years": "final", "zones": True}}


def test_one_and_two_workers_write_identical_stores(tmp_path, capsys):
    path = write_study(tmp_path, **TWO)
    assert main(["sweep", str(path), "--workers", "1", "--out", str(tmp_path / "w1")]) == 0
    assert main(["sweep", str(path), "--workers", "2", "--out", str(tmp_path / "w2")]) == 0
    out = capsys.readouterr().out
    assert "1 points x 2 seeds = 2 runs (2 computed now on process-pool" in out
    a, b = Store.open(tmp_path / "w1"), Store.open(tmp_path / "w2")
    assert len(a.part_bytes()) == 2
    assert a.part_bytes() == b.part_bytes()
    df = a.load()
    assert len(df) == 2 * 15  # final year only; 14 zones + region
    assert set(df["year"]) == {2022}
    # nothing left to do: a resume computes nothing
    assert main(["sweep", str(path), "--resume", "--out", str(tmp_path / "w1")]) == 0
    assert "0 computed now" in capsys.readouterr().out


def test_a_sweep_tells_each_process_how_many_runs_it_makes(tmp_path, monkeypatch):
    """Every chunk task carries the runs a process makes (the compiled kernels switch on at a
    process's first run when its runs will pay: ``kernels.expect_models``); the hint ends with the call."""
    from sim.core import kernels

    path = write_study(tmp_path)  # 12 runs, in one process
    told = []
    real = kernels.expect_models
    monkeypatch.setattr(kernels, "expect_models", lambda n: (told.append(n), real(n)))
    assert main(["sweep", str(path), "-w", "1", "--out", str(tmp_path / "s"), "--no-progress"]) == 0
    assert told and set(told[:-1]) == {12} and told[-1] == 0 and kernels._expected == 0


def test_cli_errors_are_one_line(tmp_path, capsys):
    bad = write_study(tmp_path, design={"method": "latin_hypercube"})
    assert main(["sweep", str(bad), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("zonesim: error: ") and "design: Value error" not in err
    assert "method 'latin_hypercube' needs 'samples'" in err and "\n" not in err
    good = write_study(tmp_path, "good.yaml", **TWO)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "manifest.json").write_text("{}")
    assert main(["sweep", str(good), "--out", str(tmp_path / "taken"), "--workers", "1"]) == 2
    assert "pass --resume to continue" in capsys.readouterr().err
    assert main(["sensitivity", str(good), "--out", str(tmp_path / "s")]) == 2
    assert "sensitivity needs method morris or sobol" in capsys.readouterr().err


def test_sweep_lang_zh_writes_a_chinese_workbook_and_keeps_the_tables(tmp_path, capsys):
    """`zonesim sweep STUDY --lang zh` was refused (no --lang); its tables.xlsx had sheets `design`,
    `points_region_mean`, headers `land_allocation.rule`, `output`, values `demand` and money in CNY bn.
    Now the workbook is Chinese, money in 亿元 (0.1), the CSV and Parquet files as in English."""
    import re

    from openpyxl import load_workbook

    path = write_study(tmp_path, levers={"land_allocation.rule": {"values": ["demand", "output_per_land"]}},
                       uncertainties={"agglomeration_elasticity": {"values": [0.05]}}, seeds=1,
                       world="synthetic:3,150,1500",
                       outcomes={"names": ["output", "talent", "rd_intensity"], "years": "final", "zones": False})
    args = ["sweep", str(path), "--workers", "1", "--no-progress"]
    assert main([*args, "--out", str(tmp_path / "zh"), "--lang", "zh"]) == 0
    assert "研究“t”：2个设计点 × 1个随机种子 = 2次运行" in capsys.readouterr().out
    assert main([*args, "--out", str(tmp_path / "en")]) == 0
    wb = load_workbook(tmp_path / "zh" / "tables.xlsx")
    assert wb.sheetnames == ["设计表", "各设计点全区均值", "各次运行全区结果"]
    rows = [[c.value for c in r] for r in wb["各设计点全区均值"].iter_rows()]
    assert rows[0] == ["设计点", "用地指标分配：分配规则", "产业集聚弹性", "年份", "总产出（亿元/年）", "人才（人）",
                       "研发强度（占产出%）"]
    assert [r[1] for r in rows[1:]] == ["按需求", "按地均产出"]
    region = Store.open(tmp_path / "en").load()
    mean = region[region["zone"] == "region"].groupby("point")["output"].mean()
    shown = [r[4] for r in rows[1:]]
    assert shown == pytest.approx([v * 10 for v in mean], abs=0.051)  # CNY bn -> 亿元 ...
    assert all(round(x, 1) == x for x in shown)  # ... rounded to 0.1 亿元
    for ws in wb:
        for r in ws.iter_rows():
            for c in r:
                assert not (isinstance(c.value, str) and re.search(r"[a-z]{3,}", c.value)), (ws.title, c.value)
    # what a program reads stays as it was: the same design and runs, columns and precision
    for f in ("design.csv", "design.parquet"):
        assert (tmp_path / "zh" / f).read_bytes() == (tmp_path / "en" / f).read_bytes(), f
    assert Store.open(tmp_path / "zh").part_bytes() == Store.open(tmp_path / "en").part_bytes()
    en = load_workbook(tmp_path / "en" / "tables.xlsx")
    assert en.sheetnames == ["design", "points_region_mean", "runs_region"]
    assert [c.value for c in en["points_region_mean"][1]][:2] == ["point", "land_allocation.rule"]


def _sweep_cmd(path, out, *extra):
    return [sys.executable, "-m", "sim.cli", "sweep", str(path), "--out", str(out), "--no-progress", *extra]


def _wait_for_parts(out, n, proc, timeout=120):
    t0 = time.time()
    while time.time() - t0 < timeout:
        index = out / INDEX
        if index.exists() and len(index.read_text().splitlines()) >= n:
            return
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        time.sleep(0.05)
    raise AssertionError("no progress")


TWELVE = {"levers": {"land_quota": {"values": [6.0, 12.0, 24.0]}},
          "uncertainties": {"agglomeration_elasticity": {"values": [0.05, 0.09]}},
          "outcomes": {"names": ["output", "firms"], "zones": ["nanning", "liuzhou"]}}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ref")
    path = write_study(folder, **TWELVE)
    assert main(["sweep", str(path), "--workers", "1", "--out", str(folder / "full"), "--no-progress"]) == 0
    return path, Store.open(folder / "full")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_interrupted_sweep_resumes_byte_for_byte(reference, tmp_path, how):
    """Kill the whole process group (-9: a machine going away) or press Ctrl-C mid-sweep; --resume
    finishes it; the dataset equals the uninterrupted one byte for byte, nothing duplicated."""
    path, full = reference
    out = tmp_path / "s"
    proc = subprocess.Popen(_sweep_cmd(path, out, "--workers", "2"), start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_parts(out, 3, proc)
    os.killpg(proc.pid, getattr(signal, how))
    _, err = proc.communicate(timeout=120)
    if how == "SIGKILL":
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130 and "interrupted" in err
    partial = Store.open(out)
    done = len(partial.verified())
    assert 3 <= done < 12
    res = subprocess.run(_sweep_cmd(path, out, "--workers", "2", "--resume"), capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    assert f"({12 - done} computed now" in res.stdout
    resumed = Store.open(out)
    assert resumed.part_bytes() == full.part_bytes()
    assert resumed.load().equals(full.load())
    chunks = [json.loads(x)["chunk"] for x in (out / INDEX).read_text().splitlines()]
    assert sorted(chunks) == list(range(12))
    assert not [p for p in (out / "results").iterdir() if p.name.startswith(".")]
