"""`--lang zh` for attribute, robust, discover and validate (issue 18): the summary.md / report.md
is Chinese: Chinese headings and table headers, no English words left in them, and the English
text of the same command is English. Each test runs the command itself (small worlds)."""

from __future__ import annotations

import re

import pytest
import yaml

from sim.cli.main import main
from sim.present.report import build_report

from ..test_robust import write_study

WORLD = "synthetic:3,150,1500"
HAN = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}")
# names that stay as they are in Chinese text: methods, tools, files
KEEP = {"Shapley", "PRIM", "EMA", "Workbench", "params", "zonesim", "calibrate", "docs", "calibration", "validation"}


def headings(text: str) -> list[str]:
    """Markdown headings and table header rows (the row above a |---| line)."""
    lines = text.splitlines()
    out = [x for x in lines if x.startswith("#")]
    out += [lines[i - 1] for i, x in enumerate(lines) if i and x.startswith("|---")]
    return out


def assert_chinese(text: str, names: set[str] = frozenset()) -> None:
    heads = headings(text)
    assert heads, "no headings"
    for h in heads:
        assert HAN.search(h), f"heading without Chinese: {h!r}"
        left = [w for w in WORD.findall(re.sub(r"`[^`]*`", "", h)) if w not in KEEP and w not in names]
        assert not left, f"English left in heading {h!r}: {left}"
    # the sentences too: the first paragraph after the title is Chinese
    body = [x for x in text.splitlines()[1:] if x.strip() and not x.startswith(("|", "#", "!"))]
    assert body and all(HAN.search(x) for x in body), body[:3]
    assert not re.search(r"\d[eE][+-]?\d|\b(nan|NaN|inf)\b", text)


def _package_file(tmp_path):
    path = tmp_path / "land-and-idle-rewards.yaml"
    path.write_text(yaml.safe_dump({"name": "land-and-idle-rewards", "title": "Land and idle rewards",
                                    "title_zh": "用地与闲置奖励", "extends": "baseline", "levers": {
                                        "land_allocation": {"rule": "output_per_land", "quota": 12.0},
                                        "funding_reward": {"budget": 0.0}}}))
    return path


def test_attribute_summary_in_chinese(tmp_path, capsys):
    out = tmp_path / "att"
    assert main(["attribute", str(_package_file(tmp_path)), "--by", "measure", "--world", WORLD, "--year", "2024",
                 "--seeds", "2", "--workers", "1", "--out", str(out), "--no-progress", "--lang", "zh"]) == 0
    text = (out / "summary.md").read_text(encoding="utf-8")
    assert_chinese(text)
    assert text.startswith("# 用地与闲置奖励按政策措施的效应归因 — 2024年总产出")
    assert "用地指标分配" in text and "财政奖励" in text and "Total effect" not in text
    printed = capsys.readouterr().out
    assert "总效应" in printed
    assert "次运行（本次计算" in printed and f"已写入 {out}/（summary.md" in printed  # not "4 runs (...)", "wrote"
    assert "wrote" not in printed and "computed now" not in printed
    # the report writes the words again in its own language, whatever the command's
    assert "Total effect of `land-and-idle-rewards`" in build_report(out, "en")
    assert "总效应" in build_report(out, "zh") and "Total effect" not in build_report(out, "zh")
    # English from the same runs, re-analysed: English text
    assert main(["attribute", str(_package_file(tmp_path)), "--by", "measure", "--world", WORLD, "--year", "2024",
                 "--seeds", "2", "--workers", "1", "--out", str(out), "--no-progress", "--resume"]) == 0
    en = (out / "summary.md").read_text(encoding="utf-8")
    assert "Total effect of `land-and-idle-rewards`" in en and not HAN.search(en)


def test_robust_and_discover_summaries_in_chinese(tmp_path, capsys):
    study = write_study(tmp_path)
    out = tmp_path / "rob"
    land = tmp_path / "land-by-output.yaml"  # the whole quota by output per km2: more land than the baseline's
    land.write_text("name: land-by-output\ntitle_zh: 按亩均效益分配用地指标\nextends: baseline\nlevers:\n"
                    "  land_allocation: {rule: output_per_land, reclaim_share: 0.3, quota: 12.0}\n", encoding="utf-8")
    assert main(["robust", "baseline", str(land), "--study", str(study), "--futures", "3", "--target",
                 "output >= 0", "--workers", "1", "--out", str(out), "--no-progress", "--lang", "zh"]) == 0
    text = (out / "summary.md").read_text(encoding="utf-8")
    assert_chinese(text, {"unc-small"})
    assert "遗憾值最小" in text and "按亩均效益分配用地指标" in text and "Least regret" not in text
    zh, en = build_report(out, "zh"), build_report(out, "en")
    assert "遗憾值最小" in zh and "<th>最大遗憾值（" in zh and "max_regret" not in zh  # with its unit
    assert "Least regret" in en and "<th>max regret (" in en and "遗憾值最小" not in en
    import pandas as pd

    printed = capsys.readouterr().out
    assert "次运行（本次计算" in printed and f"已写入 {out}/（summary.md" in printed
    assert "wrote" not in printed and "computed now" not in printed
    wide = pd.read_csv(out / "regret.csv").pivot(index="future", columns="package", values="value")
    cut = float((wide["baseline"].max() + wide["land-by-output"].min()) / 2)
    capsys.readouterr()
    assert main(["discover", str(out), "--where", f"output < {cut}", "--threshold", "0.6", "--lang", "zh"]) == 0
    d = next(out.glob("discover-output-*"))
    text = (d / "summary.md").read_text(encoding="utf-8")
    assert_chinese(text)
    assert text.startswith("# 情景发现 — ") and "盒子1：" in text and "Box 1" not in text
    assert "盒子1：" in capsys.readouterr().out
    assert "盒子1：" in build_report(d, "zh") and "Box 1:" in build_report(d, "en")


def test_validate_lang_help_says_what_it_covers(capsys):
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    helptext = " ".join(capsys.readouterr().out.split())
    assert "the printed tables" in helptext and "CSV and Parquet files keep their English column names" in helptext
    assert "通过/未通过/未评估" in helptext and "亿元" in helptext


def test_validate_sign_check_printed_in_chinese(tmp_path, capsys):
    """validate --signs-only --lang zh printed 'measures against their intended sign ...' in English."""
    assert main(["validate", "--signs-only", "--sign-seeds", "2", "--sign-years", "2", "--workers", "1",
                 "--sign-packages", "tech-transfer", "--out", str(tmp_path / "s"), "--lang", "zh"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("各政策措施与预期方向的对比") and "成果转化" in printed and "方向相反：" in printed
    assert not WORD.findall(printed.replace(str(tmp_path), "").replace("signs.csv", "").replace("manifest.json", "")), printed


def test_validate_report_in_chinese(tmp_path, capsys):
    out = tmp_path / "v"
    assert main(["validate", "--seeds", "2", "--policy-seeds", "0", "--years", "2", "--workers", "1",
                 "--out", str(out), "--lang", "zh"]) == 0
    # what the command prints is Chinese too (it printed the English table): names, results, 亿元
    printed = capsys.readouterr().out
    table = printed.split("\n\n")[0]
    assert table.startswith("统计量") and "起始年各高新区总产出（亿元）" in table and "9,360 [" in table
    assert "未评估" in table and "通过" in table and "已评估的" in table
    assert not WORD.findall(" ".join(x for x in table.splitlines() if "Hill" not in x and "CSN" not in x
                                     and "Spearman" not in x)), table
    assert "样本外检验" in printed and "已写入" in printed and "out of sample" not in printed
    import pandas as pd

    assert "statistic" in pd.read_csv(out / "validation.csv").columns  # machine-readable: English columns
    text = (out / "report.md").read_text(encoding="utf-8")
    assert_chinese(text.split("\n", 1)[0] + "\n" + "\n".join(
        x for x in text.splitlines()[1:] if x.startswith(("#", "|")) or HAN.search(x)))
    assert "## 校准参数" in text and "| 统计量 | 时点 |" in text and "项目标中有" in text
    assert "Calibrated parameters" not in text and "targets pass" not in text
    rows = [x.split("|") for x in text.splitlines() if x.startswith("| ") and "|---" not in x]
    whens = [r[2].strip() for r in rows if len(r) > 8 and r[1].strip() != "统计量"]
    assert whens and all(HAN.search(w) and "year" not in w for w in whens), whens
    # what each published figure implies, and the fitted moments, in Chinese ('0: no flat or jumping start')
    published = [r[5].strip() for r in rows if len(r) > 8 and r[1].strip() != "统计量"]
    moments = [r[5].strip() for r in rows if len(r) == 7 and r[1].strip() != "参数"]
    assert published and moments and not WORD.findall(" ".join(published + moments)), published + moments
