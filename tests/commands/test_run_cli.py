"""`zonesim run` end to end, as a user calls it."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from sim.cli.main import main


def test_run_writes_a_complete_folder(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["run", "--years", "3", "--seeds", "2", "--workers", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "output" in printed and "2021" in printed and "2024" in printed
    names = {p.name for p in out.iterdir()}
    assert {"results.parquet", "results.csv", "summary.csv", "summary.parquet", "region.png", "zones.png",
            "scenario.yaml", "manifest.json"} <= names
    df = pd.read_parquet(out / "results.parquet")
    assert set(df["replicate"]) == {0, 1}
    assert sorted(df["year"].unique()) == [2021, 2022, 2023, 2024]
    assert df.groupby(["seed", "year"]).size().eq(15).all()  # 14 zones + region
    man = json.loads((out / "manifest.json").read_text())
    assert man["seeds"] == sorted(set(df["seed"]), key=list(df["seed"]).index)
    assert man["zonesim_version"]
    scen = yaml.safe_load((out / "scenario.yaml").read_text(encoding="utf-8"))
    assert len(scen["world"]["zones"]) == 14 and scen["years"] == 3
    csv = pd.read_csv(out / "results.csv")
    assert len(csv) == len(df)
    assert (out / "region.png").stat().st_size > 10_000


def test_run_prints_its_table_in_chinese_with_lang_zh(tmp_path, capsys):
    """Seen with `zonesim run --seeds 2 --years 5 --lang zh`: the files were Chinese, the table on the
    terminal English (`outcome`, `output (CNY bn/yr)  936 [936, 936]`, package 'baseline')."""
    import re
    import unicodedata

    from sim.present.format import value

    def text_width(text):  # terminal columns: a Chinese character takes two
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    out = tmp_path / "r"
    assert main(["run", "--years", "2", "--seeds", "2", "--workers", "1", "--out", str(out), "--no-progress",
                 "--lang", "zh"]) == 0
    printed = capsys.readouterr().out
    lines = printed.strip().splitlines()
    table = lines[:lines.index("")]  # the title, the header, the rule and one row per outcome
    assert table[0].startswith("广西高新区") and "现状（基准）" in table[0] and "2个随机种子" in table[0]
    assert table[1].startswith("指标") and "2021年" in table[1] and "2023年" in table[1]
    for row in table:
        assert not re.findall(r"[A-Za-z]{2,}", row), row  # no English words, units or package names
        assert not re.search(r"\d[eE][+-]?\d|\b(nan|NaN|inf)\b", row), row
    assert {text_width(x) for x in table[1:]} == {text_width(table[1])}  # columns line up in Chinese too
    summary = pd.read_csv(out / "summary.csv")
    final = summary[(summary["outcome"] == "output") & (summary["year"] == 2023)].iloc[0]
    row = next(x for x in table if x.startswith("总产出（亿元/年）"))
    assert value("output", final["mean"], "zh", unit=False) in row  # in 亿元: ten times the CNY bn of the file
    assert f"{final['mean'] * 10:,.0f}" in row
    assert lines[-1].startswith("已写入 ")


def test_run_is_reproducible_and_worker_independent(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", "-y", "2", "-k", "3", "-w", "1", "--out", str(a)]) == 0
    assert main(["run", "-y", "2", "-k", "3", "-w", "2", "--out", str(b)]) == 0
    assert (a / "results.csv").read_bytes() == (b / "results.csv").read_bytes()


@pytest.mark.parametrize("argv, needle", [
    (["run", "no_such_world"], "no such world"),
    (["run", "--package", "no_such_package"], "no such package"),
    (["run", "--years", "0"], "--years"),
    (["run", "--years", "x"], "--years"),
    (["run", "--seeds", "-3"], "--seeds"),
])
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, argv, needle):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "sim.cli", *argv, "--out", str(out)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in proc.stderr
    assert not out.exists()
    assert not any(tmp_path.glob(".*partial"))


def test_existing_nonempty_out_is_refused_and_untouched(tmp_path):
    out = tmp_path / "keep"
    out.mkdir()
    (out / "precious.txt").write_text("x")
    assert main(["run", "-y", "1", "-k", "1", "--out", str(out)]) == 2
    assert [p.name for p in out.iterdir()] == ["precious.txt"]


def test_help_is_complete(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    text = capsys.readouterr().out
    assert "run" in text
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = capsys.readouterr().out
    for opt in ("--package", "--years", "--seeds", "--seed", "--workers", "--out", "--lang"):
        assert opt in text


def test_scenario_may_name_a_package(tmp_path):
    out = tmp_path / "pkg"
    assert main(["run", "hosting", "-y", "1", "-k", "1", "-w", "1", "--out", str(out)]) == 0
    df = pd.read_parquet(out / "results.parquet")
    assert set(df["package"]) == {"hosting"}
    assert main(["run", "hosting", "--package", "baseline", "-y", "1", "--out", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()
