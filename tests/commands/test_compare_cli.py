"""`zonesim compare`: writes every output whole, errors are one line with exit 2."""

import json

import pandas as pd
import pytest

from sim.cli.main import main


def test_compare_writes_tables_charts_and_summary(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["compare", "delisting", "land-by-output", "--years", "3", "--seeds", "2", "--at", "1", "3",
                 "--workers", "1", "--out", str(out), "--no-progress"])
    assert code == 0
    for name in ("summary.md", "differences.csv", "differences.parquet", "results.parquet", "status_events.csv", "fiscal.csv",
                 "trajectories.png", "difference.png", "bump.png", "map.png", "scenario.yaml", "manifest.json"):
        assert (out / name).stat().st_size > 0, name
    diff = pd.read_csv(out / "differences.csv")
    assert set(diff["package"]) == {"delisting", "land-by-output"}
    assert set(diff["year"]) == {2022, 2024}  # delisting needs 3 years (its default rule)
    assert {"region", "nanning"} <= set(diff["zone"])
    man = json.loads((out / "manifest.json").read_text())
    assert man["packages"] == ["baseline", "delisting", "land-by-output"] and len(man["seeds"]) == 2
    text = (out / "summary.md").read_text()
    # packages by their titles (with the file name beside), not by slugs alone
    assert "## Delisting of zones ranked last (delisting)" in text and "(land-by-output)" in text
    assert "Package comparison" in capsys.readouterr().out


def test_compare_zh_with_new_zones(tmp_path, capsys):
    out = tmp_path / "zh"
    assert main(["compare", "new-zones", "--years", "2", "--seeds", "2", "--at", "2", "--workers", "1", "--out", str(out),
                 "--lang", "zh", "--no-progress"]) == 0
    assert (out / "map.png").exists()
    printed = capsys.readouterr().out
    assert f"已写入 {out}/（summary.md" in printed and "wrote" not in printed  # the last line in Chinese too


@pytest.mark.parametrize("argv,needle", [
    (["compare", "no-such-package"], "no such package"),
    (["compare", "delisting", "--years", "3", "--at", "5"], "beyond the horizon"),
    (["compare", "baseline"], "nothing to compare"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, argv, needle):
    out = tmp_path / "x"
    assert main(argv + ["--out", str(out), "--seeds", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "\n" not in err
    assert not out.exists()


def test_refuses_non_empty_out(tmp_path, capsys):
    out = tmp_path / "full"
    out.mkdir()
    (out / "f").write_text("x")
    assert main(["compare", "delisting", "--years", "1", "--seeds", "2", "--out", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err


def test_compare_writes_the_same_files_on_one_worker_and_on_two(tmp_path):
    """On a pool the charts are drawn in a worker process and in this one at once (issue 19:
    ~10 of the comparison's ~36 s were its four charts one after the other): every file but the
    manifest (which records the workers) is the same bytes as with one worker."""
    outs = {}
    for w in (1, 2):
        outs[w] = tmp_path / f"w{w}"
        assert main(["compare", "delisting", "--years", "3", "--seeds", "2", "--at", "3", "--workers", str(w),
                     "--out", str(outs[w]), "--no-progress", "--lang", "zh"]) == 0
    names = sorted(p.name for p in outs[1].iterdir())
    assert names == sorted(p.name for p in outs[2].iterdir())
    assert {"map.png", "bump.png", "trajectories.png", "difference.png"} <= set(names)
    for name in names:  # the manifest records the workers; the workbook its time of writing
        if name not in ("manifest.json", "tables.xlsx"):
            assert (outs[1] / name).read_bytes() == (outs[2] / name).read_bytes(), name
