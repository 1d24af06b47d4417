"""What people look at (sim.present): numbers without scientific notation or NaN, Chinese money
in 亿元/万亿元, whole ranks, one translation table, charts that leave the caller's matplotlib
alone, one line for a missing glyph, the compare hand-out, sweep and sensitivity findings, the
Excel workbooks, and refusing a folder that is not a results folder."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli.main import main
from sim.present import format as F

ROOT = Path(__file__).resolve().parents[1]
# a number in scientific notation (1e-05, 1.392e+04), or NaN/inf, as a person would read it
SCI = re.compile(r"\d[eE][+-]?\d")
NAN = re.compile(r"\b(nan|NaN|inf|Infinity)\b")


def visible_text(html: str) -> str:
    """The page without embedded pictures and style sheet (what a reader sees)."""
    html = re.sub(r'src="data:image/png;base64,[^"]+"', "", html)
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return html


def assert_readable(text: str, where: str) -> None:
    m = SCI.search(text) or NAN.search(text)
    assert m is None, f"{where}: {text[max(0, m.start() - 80):m.end() + 40]!r}"


# ------------------------------------------------------------------------------------------
# numbers
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("v", [8.69e-05, -1.57e3, 1.392e4, 0.003755, 1e-9, 123456789.0, -0.0, 0.0, 2.5,
                               float("nan"), float("inf"), None, 1e300])
def test_no_formatter_writes_scientific_notation_or_nan(v):
    outs = [F.num(v), F.num(v, sign=True), F.count(v), F.pct(v), F.pct(v, ratio=True), F.money(v),
            F.money(v, "zh"), F.value("output", v, "zh"), F.value("rd_intensity", v), F.value("firms", v),
            F.change("output", v, v, v, 1000.0), F.change("output", v, v, v, 0.0, "zh")]
    for s in outs:
        assert_readable(s, repr(v))


def test_chinese_money_in_yi_and_wan_yi():
    assert F.money(1234.0, "zh") == "1.23万亿元"      # CNY 1,234 bn
    assert F.money(45.67, "zh") == "457亿元"          # CNY 45.67 bn = 456.7 亿元 (3 significant digits)
    assert F.money(0.5, "zh") == "5亿元"
    assert F.money(1234.0) == "CNY 1,234 bn"
    assert "十亿" not in F.value("output", 12.0, "zh") and F.value("output", 12.0, "zh") == "120亿元"


def test_counts_and_ranks_are_whole_numbers():
    assert F.count(4.62) == "5" and F.rank(4.5) in ("4", "5") and F.count(12345.4) == "12,345"
    # halves round up as people do (round() gave 2 for a mean of 2.5 promotions)
    assert F.count(2.5) == "3" and F.count(0.5) == "1" and F.count(-2.5) == "-3" and F.count(2.49) == "2"


def test_interval_in_the_unit_of_the_change():
    # a change of +10 on a baseline of 200: +5.0% with its interval in per cent too
    assert F.change("output", 10.0, 4.0, 16.0, 200.0) == "+5.0% [+2.0%, +8.0%]"


def test_a_clear_interval_never_shows_a_bound_of_zero():
    """compare --lang zh showed 被摘牌园区数 '+1个 [0, +2] | 明确': the lower bound 0.454 rounded to 0,
    and a change of +0.003% of the baseline was '+0.00%'. A bound that is not zero keeps a
    decimal; a bound that is zero stays 0."""
    assert F.change("delisted_zones", 1.0, 0.454, 1.55, 0.0, "zh") == "+1个 [+0.45, +2]"
    assert F.change("delisted_zones", 2.0, 1.2, 2.8, 0.0) == "+2 zones [+1, +3]"
    assert F.change("delisted_zones", 0.0, 0.0, 0.0, 0.0, "zh") == "0个 [0, 0]"
    assert F.change("delisted_zones", 0.25, -0.2, 0.7, 0.0) == "+0.25 zones [-0.2, +1]"
    assert F.pct(0.003) == "+0.003%" and F.pct(-0.0004) == "-0.0004%" and F.pct(0.0) == "+0.0%"
    assert F.change("output", 0.03, 0.0003, 0.06, 1000.0) == "+0.003% [+0.00003%, +0.01%]"


def test_log_axes_and_ticks_are_plain_numbers():
    from sim.present.charts.common import new_figure

    fig = new_figure((4, 3))
    ax = fig.subplots()
    ax.plot([1, 2, 3], [12.0, 340.0, 5600.0])
    ax.set_yscale("log")
    F.plain_axes(ax)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert labels and not any("^" in s or "$" in s or SCI.search(s) for s in labels), labels
    assert "1,000" in labels or "100" in labels


# ------------------------------------------------------------------------------------------
# one translation table
# ------------------------------------------------------------------------------------------
def test_translation_table_is_complete():
    from sim.outcomes.metrics import OUTCOMES, REGION_OUTCOMES
    from sim.policies import REGISTRY
    from sim.present.i18n import LEVERS, OUTCOME_NAMES, TEXT, UNITS, display

    for key, (en, zh) in TEXT.items():
        assert en and zh, key
    for o in (*OUTCOMES, *REGION_OUTCOMES):
        assert o.name in OUTCOME_NAMES, o.name
        assert o.unit in UNITS, o.unit
        assert display(o.name, "zh").name != o.name  # a Chinese name, not the slug
    for name in REGISTRY:
        assert name in LEVERS, name


def test_no_inline_chinese_outside_the_table():
    """Chinese strings live in sim/present/i18n.py; the other modules of sim/present and
    sim/analysis hold none in their code (docstrings aside; the dashboard's own controls are
    not part of this yet)."""
    import ast

    han = re.compile(r"[\u4e00-\u9fff]")
    # not text for readers: cnmaps' query keys (its data is keyed by Chinese names), and the
    # Chinese term quoted inside an English validation claim
    allowed = {"广西壮族自治区", "市"}
    bad = []
    for folder in ("present", "analysis"):
        for f in (ROOT / "sim" / folder).rglob("*.py"):
            if f.name == "i18n.py" or "dashboard" in f.parts:
                continue
            tree = ast.parse(f.read_text(encoding="utf-8"))
            docs = {id(n.body[0].value) for n in ast.walk(tree)
                    if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and n.body
                    and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
            for n in ast.walk(tree):
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs \
                        and han.search(n.value) and n.value not in allowed and "(亩均效益)" not in n.value:
                    bad.append(f"{f.relative_to(ROOT)}:{n.lineno}: {n.value[:30]!r}")
    assert not bad, bad


# ------------------------------------------------------------------------------------------
# charts leave the caller's matplotlib alone; fonts
# ------------------------------------------------------------------------------------------
def test_importing_and_drawing_leaves_the_backend_and_rcparams_alone():
    code = """
import matplotlib
matplotlib.use("svg")
before = (matplotlib.get_backend(), list(matplotlib.rcParams["font.sans-serif"]), matplotlib.rcParams["font.family"])
import sim.present.report, sim.present.charts.trajectories, sim.present.charts.maps, sim.analysis.compare
import sim.analysis.attribution, sim.analysis.robust, sim.analysis.discover, sim.analysis.sensitivity
import pandas as pd
from sim.present.charts.trajectories import region_panels
from sim.present.charts.common import to_png
df = pd.DataFrame({"zone": "region", "year": [2021, 2022], "step": [0, 1], "output": [1.0, 2.0], "firms": 1.0,
                   "hightech_firms": 1.0, "talent": 1.0, "rd_intensity": 0.01, "output_per_km2": 1.0})
png = to_png(region_panels(df, "zh"))
after = (matplotlib.get_backend(), list(matplotlib.rcParams["font.sans-serif"]), matplotlib.rcParams["font.family"])
assert png[:4] == b"\\x89PNG"
assert before == after, (before, after)
print("ok", after[0])
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok svg"


def test_no_module_but_the_cli_selects_a_backend():
    bad = [str(f.relative_to(ROOT)) for f in (ROOT / "sim").rglob("*.py")
           if "matplotlib.use(" in f.read_text(encoding="utf-8") and "cli" not in f.parts]
    assert not bad, bad
    bad = [str(f.relative_to(ROOT)) for f in (ROOT / "sim").rglob("*.py")
           if re.search(r"^\s*(import matplotlib.pyplot|from matplotlib import pyplot)", f.read_text(encoding="utf-8"), re.M)]
    assert not bad, bad


def test_a_missing_glyph_is_one_line():
    from sim.present.charts.common import finish, new_figure, to_png

    fig = new_figure((3, 2))
    fig.subplots().set_title("\ue000\ue001 南宁")  # private-use characters: no font has them
    finish(fig, "zh")
    notes: list[str] = []
    to_png(fig, 50, notes)
    assert len(notes) == 1 and "2 character(s)" in notes[0] and "\n" not in notes[0]


def test_chinese_renders_with_the_bundled_font_without_warnings():
    import warnings

    from sim.present.charts.common import finish, new_figure, to_png
    from sim.present.fonts import cjk_font

    assert cjk_font() is not None
    fig = new_figure((3, 2))
    fig.subplots().set_title("广西高新区合计（亿元）")
    finish(fig, "zh")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        to_png(fig, 50)
    assert not [w for w in caught if "glyph" in str(w.message).lower()]


def test_map_has_guangxis_prefecture_outlines_when_cnmaps_is_installed():
    pytest.importorskip("cnmaps")
    from sim.present.charts.maps import prefecture_outlines

    outlines = prefecture_outlines()
    assert outlines is not None and len(outlines) == 14
    names = {n for n, _ in outlines}
    assert {"南宁市", "柳州市", "桂林市"} <= names
    for _, rings in outlines:
        for ring in rings:
            assert 104 < ring[:, 0].mean() < 112.5 and 20.5 < ring[:, 1].mean() < 26.5


# ------------------------------------------------------------------------------------------
# whole-number ranks
# ------------------------------------------------------------------------------------------
def test_ranking_gives_whole_ranks_per_class():
    from sim.analysis.summary import ranking

    rows = []
    for seed, ranks in ((1, (1, 2, 1, 2)), (2, (2, 1, 2, 1))):  # medians are half-ranks: 1.5 each
        for zid, lvl, r in zip("abcd", ("national", "national", "region", "region"), ranks):
            rows.append({"zone": zid, "year": 2030, "seed": seed, "rank": r, "level_name": lvl, "hosted_by": -1,
                         "output": 1.0, "score": 50.0 + (zid in "ac")})
    rk = ranking(pd.DataFrame(rows), list("abcd"))
    assert rk["rank"].tolist() == [1, 2, 1, 2] and rk["rank"].dtype.kind == "i"
    assert rk["zone_id"].tolist() == ["a", "b", "c", "d"]  # ties broken by score



def _half_rank_rows(years=(2025, 2030)):
    """Two seeds that swap the order of each pair: every median rank is 1.5."""
    rows = []
    for year in years:
        for seed, ranks in ((1, (1, 2, 1, 2)), (2, (2, 1, 2, 1))):
            for zid, lvl, r in zip("abcd", ("national", "national", "region", "region"), ranks):
                rows.append({"zone": zid, "year": year, "seed": seed, "rank": r, "level_name": lvl, "hosted_by": -1,
                             "output": 1.0, "score": 50.0 + (zid in ("b", "c")), "package": "p"})
    return pd.DataFrame(rows)


def test_class_places_are_whole_places_per_year_and_class():
    from sim.analysis.summary import class_places

    pl = class_places(_half_rank_rows())
    assert pl["median_rank"].eq(1.5).all() and pl["place"].dtype.kind == "i"
    for (_, _), g in pl.groupby(["year", "level"]):
        assert sorted(g["place"]) == [1, 2]
    best = pl[pl["place"] == 1].groupby("year")["zone"].apply(sorted)
    assert all(z == ["b", "c"] for z in best)  # ties broken by the higher median score


def test_bump_chart_plots_whole_places_not_median_ranks():
    from sim.present.charts.ranks import bump_chart

    fig = bump_chart(_half_rank_rows())
    ys = [y for ax in fig.axes for line in ax.get_lines() for y in line.get_ydata() if np.isfinite(y)]
    assert len(ys) == 8 and set(ys) == {1.0, 2.0}  # 4 zones x 2 years, none at the median 1.5


# ------------------------------------------------------------------------------------------
# the compare hand-out, its workbook, and the summaries
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("present") / "cmp"
    assert main(["compare", "delisting", "land-by-output", "--years", "3", "--seeds", "2", "--workers", "2",
                 "--out", str(out), "--no-progress"]) == 0
    return out


@pytest.mark.parametrize("lang", ["zh", pytest.param("en", marks=pytest.mark.slow)])
def test_compare_report_opens_with_one_page_and_has_the_comparison_pictures(compare_dir, lang):
    from sim.present.report import build_report

    html = build_report(compare_dir, lang)
    page = visible_text(html)
    assert_readable(page, f"report-{lang}")
    # the one-page overview first, before the facts of what was run
    assert page.index('id="one-page"') < page.index("<h2>" + ("模拟设置" if lang == "zh" else "What was run"))
    assert 'id="best-table"' in page
    for ident in ("chart-region", "chart-difference", "chart-bump", "chart-change-map", "chart-zones", "chart-map"):
        assert f'id="{ident}"' in html, ident
    assert "@page{size:A4" in html and "@media print" in html and "break-after:avoid" in html
    # package titles, never slugs alone
    assert ("末位摘牌" if lang == "zh" else "Delisting of zones ranked last") in page
    if lang == "zh":
        assert "亿元" in page and "十亿元" not in page


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_compare_report_says_once_which_interval_is_which(compare_dir, lang):
    """The compare report printed its disclaimer twice in a row, saying the intervals are 5-95
    percentiles right after a table of paired 95% intervals; now once, naming both."""
    from sim.present.report import build_report

    page = visible_text(build_report(compare_dir, lang))
    key = "并非预测" if lang == "zh" else "not forecasts"
    assert page.count(key) == 1
    i = page.index(key)
    note = page[i:page.index("</p>", i)]
    assert ("配对95%区间" if lang == "zh" else "paired 95% intervals") in note
    assert ("第5至第95百分位" if lang == "zh" else "5th to 95th percentile") in note


def test_compare_summary_and_workbook_are_readable(compare_dir):
    from openpyxl import load_workbook

    text = (compare_dir / "summary.md").read_text(encoding="utf-8")
    assert_readable(text, "summary.md")
    wb = load_workbook(compare_dir / "tables.xlsx", read_only=True)
    assert wb.sheetnames[:3] == ["differences", "region_summary", "status_events"] and {"fiscal", "pairing"} <= set(wb.sheetnames)
    diff = pd.read_csv(compare_dir / "differences.csv")
    ws = wb["differences"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == list(diff.columns) and len(rows) == len(diff) + 1
    col = list(diff.columns).index("diff")
    assert all(isinstance(r[col], (int, float)) for r in rows[1:])  # numbers stay numbers


def _diff_rows() -> pd.DataFrame:
    return pd.DataFrame([
        {"package": "funding-reward", "zone": "region", "year": 2031, "outcome": "output", "unit": "CNY bn/yr",
         "baseline": 1372.6923389695964, "value": 1374.2953927927686, "diff": 1.6030538231721607,
         "lo": 0.6860862703734156, "hi": 2.520021375970906, "rel_change": 0.001167817272423538,
         "significant": True, "seeds": 4},
        {"package": "delisting", "zone": "nanning", "year": 2031, "outcome": "rd_intensity", "unit": "share of output",
         "baseline": 0.025123456789, "value": 0.025234567891, "diff": 0.000111111102, "lo": -0.00001234567,
         "hi": 0.00023456789, "rel_change": 0.004422561, "significant": False, "seeds": 4}])


def test_workbook_speaks_chinese_in_yi_and_rounds_for_reading():
    """tables.xlsx of `compare --lang zh` was half English (headers, package and outcome codes,
    'CNY bn/yr') with 15-digit floats; now Chinese headers and names, 亿元 (x10, one decimal), and
    rounded numbers that stay numbers; the English workbook keeps the codes but is rounded too."""
    import io

    from openpyxl import load_workbook

    from sim.present.excel import workbook

    diff = _diff_rows()
    events = pd.DataFrame({"package": ["delisting"], "demoted": [1.25], "promoted": [0.0], "warnings": [3.0]})
    fiscal = pd.DataFrame([{"package": "funding-reward", "seeds": 4, "public_money": 2.3400000000000003,
                            "public_money_se": 0.038297, "net_fiscal_cost": 2.08286730979897,
                            "net_fiscal_cost_se": 0.0362240, "output_gain": 6.455227748309426,
                            "output_gain_se": 1.21897, "output_per_yuan": 2.7586443368843696,
                            "output_per_net_yuan": 3.0992025838325996}])
    sheets = {"differences": diff, "status_events": events, "fiscal": fiscal}
    titles = {"funding-reward": "评价排名奖励资金", "delisting": "末位摘牌"}
    wb = load_workbook(io.BytesIO(workbook(sheets, "zh", titles=titles, names={"nanning": "南宁高新区"})))
    han = re.compile(r"[\u4e00-\u9fff]")
    for ws in wb:
        rows = list(ws.iter_rows(values_only=True))
        assert han.search(ws.title), ws.title
        for h in rows[0]:
            assert han.search(h) and not re.search(r"[a-z]{3}", h), (ws.title, h)  # no column codes
        for r in rows[1:]:
            for v in r:
                if isinstance(v, str):
                    assert not re.search(r"[A-Za-z]{3}", v), (ws.title, v)  # no codes, no 'CNY bn'
                elif isinstance(v, float):
                    assert len(repr(abs(v)).replace(".", "").lstrip("0")) <= 6, (ws.title, v)
    d = list(wb[wb.sheetnames[0]].iter_rows(values_only=True))
    assert d[1][:5] == ("评价排名奖励资金", "全区合计", 2031, "总产出", "亿元/年")
    assert d[1][5] == pytest.approx(13726.9) and d[1][7] == pytest.approx(16.0) and d[1][8] == pytest.approx(6.9)
    assert d[1][11] == "是" and d[2][1] == "南宁高新区" and d[2][4] == "占产出%"
    assert d[2][5] == pytest.approx(2.51)  # a share in per cent, three significant digits
    f = list(wb[wb.sheetnames[2]].iter_rows(values_only=True))
    assert f[1][2] == pytest.approx(23.4) and "亿元" in f[0][2]
    from sim.analysis.fiscal import with_notes

    saves = fiscal.assign(package="delisting", net_fiscal_cost=-0.81, net_fiscal_cost_se=0.16, output_per_net_yuan=float("nan"))
    for lang, word in (("zh", "节省"), ("en", "saves the region money")):
        book = load_workbook(io.BytesIO(workbook({"fiscal": with_notes(pd.concat([fiscal, saves]))}, lang, titles=titles)))
        f = list(book.worksheets[0].iter_rows(values_only=True))
        assert f[0][-1] == ("说明" if lang == "zh" else "note") and not f[1][-1] and word in f[2][-1]
    en = load_workbook(io.BytesIO(workbook(sheets, "en")))
    d = list(en["differences"].iter_rows(values_only=True))
    assert list(d[0]) == list(diff.columns) and d[1][0] == "funding-reward" and d[1][4] == "CNY bn/yr"
    assert d[1][5] == pytest.approx(1372.69) and d[1][10] == pytest.approx(0.00117)
    assert en["differences"].cell(row=2, column=11).number_format.endswith("%")


def test_compare_writes_the_pairing_table_and_the_report_shows_it(compare_dir):
    """pairing.csv: one row per package (final-year region output) with the correlation, median
    zone correlation, variance reduction and whole seed counts from pairing_table; the same table
    in summary.md and in the report, in both languages, the seed counts equal to the file's."""
    from openpyxl import load_workbook

    from sim.analysis.pairing import pairing_table
    from sim.present.report import build_report

    pair = pd.read_csv(compare_dir / "pairing.csv")
    assert pair["package"].tolist() == ["delisting", "land-by-output"] and set(pair["outcome"]) == {"output"}
    for c in ("correlation", "zone_correlation_median", "variance_reduction", "seeds_needed",
              "seeds_needed_unpaired", "lo", "hi", "verdict"):
        assert c in pair, c
    assert pair["seeds_needed"].dtype.kind == "i" and (pair["seeds"] == 2).all()
    df = pd.read_parquet(compare_dir / "results.parquet")
    want = pairing_table(df).set_index("package")
    assert pair.set_index("package")["seeds_needed"].to_dict() == want["seeds_needed"].to_dict()
    assert list(load_workbook(compare_dir / "tables.xlsx", read_only=True)["pairing"].values)[0][0] == "package"
    text = (compare_dir / "summary.md").read_text(encoding="utf-8")
    assert "## What the pairing bought" in text and "paired 95% interval" in text
    for lang, head in (("en", "What the pairing bought"), ("zh", "配对的作用")):
        page = visible_text(build_report(compare_dir, lang))
        assert_readable(page, f"report-{lang}")
        i = page.index('id="pairing-table"')
        assert head in page[i - 2000:i]
        table = page[i:page.index("</table>", i)]
        for n in pair["seeds_needed_unpaired"]:
            assert f"<td>{n:,d}</td>" in table
        if lang == "zh":
            assert "What the pairing" not in page and "paired 95%" not in page and "配对95%区间" in page


def test_run_summary_and_report_are_readable(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "--seeds", "2", "--years", "2", "--workers", "1", "--no-progress", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert_readable(printed, "zonesim run")
    from sim.present.report import build_report

    assert_readable(visible_text(build_report(out, "zh")), "run report zh")  # English: tests/test_report.py


# ------------------------------------------------------------------------------------------
# sweeps and sensitivity studies: findings, not file lists
# ------------------------------------------------------------------------------------------
def test_sweep_writes_a_workbook_and_its_report_shows_findings(tmp_path):
    from openpyxl import load_workbook

    from sim.present.report import build_report

    from .test_study import write_study

    path = write_study(tmp_path, levers={"land_quota": {"values": [12.0, 24.0]}},
                       outcomes={"names": ["output", "talent"], "years": "final", "zones": False})
    out = tmp_path / "sw"
    assert main(["sweep", str(path), "--workers", "1", "--out", str(out), "--no-progress"]) == 0
    wb = load_workbook(out / "tables.xlsx", read_only=True)
    assert {"design", "points_region_mean", "runs_region"} <= set(wb.sheetnames)
    for lang in ("en", "zh"):
        html = build_report(out, lang)
        page = visible_text(html)
        assert_readable(page, f"sweep report {lang}")
        assert ("参数扫描的发现" if lang == "zh" else "What the sweep found") in page
        assert 'id="chart-sweep"' in html
        assert ".parquet" not in page and "part-" not in page  # findings, not a list of files


def test_sensitivity_report_shows_indices_with_intervals(tmp_path):
    from sim.present.report import build_report

    d = tmp_path / "sens"
    (d / "sensitivity").mkdir(parents=True)
    (d / "manifest.json").write_text(json.dumps({"kind": "study", "world": "guangxi", "seeds": [1]}))
    idx = pd.DataFrame({"method": "morris", "outcome": "output", "year": 2030, "zone": "region", "N": 4,
                        "factor": ["land_allocation.rule", "agglomeration_elasticity"], "group": ["lever", "uncertainty"],
                        "mu_star": [120.0, 3.0e-5], "mu_star_conf": [10.0, 1.0e-5], "sigma": [50.0, np.nan],
                        "mu": [100.0, 1e-5]})
    idx.to_csv(d / "sensitivity" / "indices.csv", index=False)
    for lang in ("en", "zh"):
        html = build_report(d, lang)
        page = visible_text(html)
        assert_readable(page, f"sensitivity report {lang}")
        assert ("最重要的因素" if lang == "zh" else "What matters most") in page
        assert ("用地指标分配" if lang == "zh" else "land quota allocation") in page
        assert 'id="chart-morris_output_2030"' in html


# ------------------------------------------------------------------------------------------
# refusing what is not a results folder
# ------------------------------------------------------------------------------------------
def test_report_refuses_a_folder_that_is_not_a_results_folder(tmp_path, capsys):
    d = tmp_path / "notes"
    d.mkdir()
    (d / "letter.txt").write_text("hello")
    assert main(["report", str(d)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a results folder" in err[0]
    assert sorted(p.name for p in d.iterdir()) == ["letter.txt"]  # nothing written
