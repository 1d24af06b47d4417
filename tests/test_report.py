"""zonesim report: one self-contained HTML file per results folder, in Chinese and English.

A real (small) ``zonesim run`` makes the folder; the report is checked as a reader would: no
outside resources, every picture embedded and decodable, the numbers in the summary equal to
those in the results, Chinese titles / zone names / text with ``--lang zh``, and a folder of an
unknown kind described rather than refused. The browser test opens the Chinese report in
Debian's Chromium and asks the browser which font drew the heading (a CJK font, not boxes).
"""

from __future__ import annotations

import base64
import json
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from sim.cli.main import main as cli
from sim.present.fonts import cjk_font
from sim.present.report import build_report, headline, write_report

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "run"
    rc = cli(["run", "--seeds", "2", "--years", "4", "--workers", "1", "--no-progress", "--out", str(out)])
    assert rc == 0
    return out


def images(html: str) -> list[bytes]:
    srcs = re.findall(r'<img[^>]*\ssrc="([^"]+)"', html)
    out = []
    for s in srcs:
        assert s.startswith("data:image/png;base64,"), s[:60]
        out.append(base64.b64decode(s.split(",", 1)[1]))
    return out


def assert_self_contained(html: str) -> None:
    assert "<link" not in html.lower()
    assert not re.search(r'<script[^>]*\bsrc=', html, re.I)
    assert not re.search(r'(src|href)="(https?:)?//', html, re.I), "refers to an outside resource"
    assert "url(http" not in html


def test_english_report_is_self_contained_with_pictures_and_true_numbers(run_dir, tmp_path):
    out = tmp_path / "en.html"
    assert cli(["report", str(run_dir), "--lang", "en", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert_self_contained(html)
    pics = images(html)
    assert len(pics) >= 3
    assert all(p.startswith(b"\x89PNG\r\n\x1a\n") and len(p) > 5000 for p in pics)
    assert '<html lang="en">' in html
    for text in ("What was run", "Headline numbers", "Summary", "Guangxi high-tech zones, 2021", "baseline",
                 "Nanning", "zonesim 0.1.0", "Mesa 3.3.1"):
        assert text in html, text
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert all(str(s) in html for s in manifest["seeds"])
    # the summary's final output is the mean over seeds of the region's output in the last year
    df = pd.read_parquet(run_dir / "results.parquet")
    reg = df[(df["zone"] == "region")]
    end = reg[reg["year"] == reg["year"].max()]["output"].mean()
    start = reg[reg["year"] == reg["year"].min()]["output"].mean()
    assert f"CNY {end:,.0f} bn in {reg['year'].max()}" in html or f"CNY {end:,.1f} bn in {reg['year'].max()}" in html
    assert f"{100 * (end / start - 1):.1f}%" in html
    assert "国家级" not in html and "南宁高新区" not in html


def test_chinese_report_has_chinese_titles_zone_names_and_text(run_dir, tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = write_report(run_dir, "zh", tmp_path / "zh.html")
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert not missing, f"glyphs missing from the chart font: {missing[:3]}"
    html = path.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert len(images(html)) >= 3
    assert '<html lang="zh-CN">' in html
    for text in ("政策模拟报告", "模拟设置", "主要结果", "结论摘要", "广西高新区（2021年）", "现状（基准）",
                 "南宁高新区", "桂林高新区", "国家级", "自治区级", "总产出（亿元", "全区高新区总产出"):
        assert text in html, text
    assert "What was run" not in html and "Headline numbers" not in html
    assert "Noto Sans CJK SC" in html  # the page asks for a CJK font first


def test_chinese_report_writes_years_the_chinese_way(run_dir):
    # `zonesim report RUN --lang zh` wrote '末年各高新区情况 (2025)' and '模拟年数 4 (2021–2025)'
    html = build_report(run_dir, "zh")
    assert "<h2>末年各高新区情况（2025年）</h2>" in html and " (2025)" not in html
    assert "<th>模拟年数</th><td>4年（2021–2025年）</td>" in html
    en = build_report(run_dir, "en")
    assert "<h2>Zones in the final year (2025)</h2>" in en and "<td>4 (2021–2025)</td>" in en


def test_chinese_charts_use_the_cjk_font_installed_with_zonesim():
    """No Debian font needed: the Noto Sans CJK SC of the mplfonts dependency is registered."""
    from sim.present.fonts import bundled_font_file

    assert bundled_font_file() is not None, "mplfonts (a zonesim dependency) is not installed"
    assert cjk_font() is not None, "a CJK font is installed but matplotlib cannot find it"


def test_headline_pairs_packages_on_seeds():
    rows = []
    for pkg, bump in (("a", 0.0), ("b", 1.0)):
        for seed in (1, 2):
            for year in (2021, 2022):
                rows.append({"package": pkg, "seed": seed, "year": year, "step": year - 2021, "zone": "region",
                             "output": 10.0 + seed + bump * (year - 2021)})
    head = headline(pd.DataFrame(rows), ("output",))
    b = head[head["package"] == "b"].iloc[0]
    assert b["diff"] == pytest.approx(1.0) and b["diff_p05"] == pytest.approx(1.0)
    assert head[head["package"] == "a"].iloc[0]["end"] == pytest.approx(11.5)


def test_summary_words_match_the_tables():
    """The report said 'high-tech firms 0.0% lower' (低0.0%) for a difference of exactly 0 and
    'spread from 1 to 1.1' beside a table showing 1.02 -> 1.07: no change reads 'unchanged'
    (持平), and the spread has the tables' three significant digits."""
    from sim.present.summaries.report import summary_sentences

    rows = []
    for pkg, bump in (("a", 0.0), ("b", 1.0)):
        for seed in (1, 2):
            for year in (2021, 2022):
                rows.append({"package": pkg, "seed": seed, "year": year, "step": year - 2021, "zone": "region",
                             "output": 100.0 + seed + bump * (year - 2021), "firms": 50.0, "hightech_firms": 7.0,
                             "talent": 900.0 + bump, "output_cv": 1.02 if year == 2021 else 1.07, "public_money": 0.0})
                rows.append({"package": pkg, "seed": seed, "year": year, "step": year - 2021, "zone": "z",
                             "rank": 1, "score": 50.0, "level_name": "national", "hosted_by": -1})
    df = pd.DataFrame(rows)
    titles = {"a": "A", "b": "B"}
    for lang, same, cv in (("en", "high-tech firms unchanged", "from 1.02 to 1.07"), ("zh", "高新技术企业数持平", "从1.02变为1.07")):
        text = " ".join(summary_sentences(df, lang, {}, titles))
        assert same in text and cv in text, text
        assert "0.0%" not in text.split(same)[0][-30:] and "低0.0%" not in text and "0.0% lower" not in text
    assert "talent 0.1% higher" in " ".join(summary_sentences(df, "en", {}, titles))


def test_summary_names_the_seed_range_it_judges_a_change_by():
    """A change whose per-seed differences straddle zero was flagged '各种子间不确定' / 'not
    consistent across seeds', beside tables whose intervals are paired 95% intervals: the flag
    now says which spread it looked at, in the words of the report's note (5–95% over seeds)."""
    from sim.present.summaries.report import summary_sentences

    rows = []
    for pkg, bumps in (("a", (0.0, 0.0)), ("b", (3.0, -1.0))):   # b: +3 in seed 1, -1 in seed 2
        for seed, bump in zip((1, 2), bumps):
            for year in (2021, 2022):
                rows.append({"package": pkg, "seed": seed, "year": year, "step": year - 2021, "zone": "region",
                             "output": 100.0 + bump * (year - 2021), "firms": 50.0, "hightech_firms": 7.0,
                             "talent": 900.0, "output_cv": 1.0, "public_money": 0.0})
                rows.append({"package": pkg, "seed": seed, "year": year, "step": year - 2021, "zone": "z",
                             "rank": 1, "score": 50.0, "level_name": "national", "hosted_by": -1})
    df = pd.DataFrame(rows)
    en = " ".join(summary_sentences(df, "en", {}, {"a": "A", "b": "B"}))
    zh = " ".join(summary_sentences(df, "zh", {}, {"a": "A", "b": "B"}))
    assert "output 1.0% higher (the 5–95% range of the per-seed differences includes 0)" in en, en
    assert "总产出高1.0%（各随机种子差值的5–95%范围含0）" in zh, zh
    assert "不确定" not in zh and "not consistent" not in en


def test_unknown_kind_is_described_not_refused(tmp_path):
    d = tmp_path / "odd"
    d.mkdir()
    (d / "manifest.json").write_text(json.dumps({"kind": "mystery", "zonesim_version": "0.1.0", "world": "guangxi"}))
    pd.DataFrame({"x": [1, 2, 3], "y": [0.5, 0.25, 0.125]}).to_csv(d / "indices.csv", index=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    fig.savefig(d / "curve.png")
    plt.close(fig)
    for lang, phrase in (("en", "does not know results of kind 'mystery'"), ("zh", "本报告不认识“mystery”类型的结果")):
        html = build_report(d, lang)
        assert phrase in html.replace("&#x27;", "'")
        assert "indices.csv" in html and "0.125" in html
        assert len(images(html)) == 1
        assert_self_contained(html)


def test_bad_folder_is_one_line_exit_2(tmp_path, capsys):
    assert cli(["report", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a folder" in err[0]


def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (Debian package 'chromium'; CI installs it)")
    from playwright.sync_api import sync_playwright

    return sync_playwright()


def used_fonts(page, selector: str) -> list[str]:
    """Font families Chromium actually used to draw the text of ``selector`` (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return [f["familyName"] for f in fonts if f.get("glyphCount", 0) > 0]


def check_report_in_browser(page, path: Path, shot: Path, zh: bool) -> None:
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    n = page.locator("img").count()
    assert n >= 3
    widths = page.eval_on_selector_all("img", "els => els.map(e => e.complete ? e.naturalWidth : 0)")
    assert all(w > 300 for w in widths), widths
    box = page.locator("h1").bounding_box()
    assert box and box["width"] > 100 and box["height"] > 10
    if zh:
        fonts = used_fonts(page, "h1")
        assert any("CJK" in f or "Han" in f or "WenQuanYi" in f for f in fonts), fonts
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000


def test_reports_render_in_chromium(run_dir, tmp_path):
    zh = write_report(run_dir, "zh", tmp_path / "zh.html")
    en = write_report(run_dir, "en", tmp_path / "en.html")
    with browser() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = b.new_page(viewport={"width": 1200, "height": 900})
            check_report_in_browser(page, zh, tmp_path / "report-zh.png", zh=True)
            check_report_in_browser(page, en, tmp_path / "report-en.png", zh=False)
        finally:
            b.close()


# ------------------------------------------------------------------------------------------
# one rank rule: the summary's movers, the run table and the compare table agree
# ------------------------------------------------------------------------------------------
def _mover_rows() -> pd.DataFrame:
    """Three region-level zones, two seeds, two years. In the last year c ranks 1 and 2 (median
    1.5) and a ranks 2 and 1 (median 1.5), c with the higher score: c's place is 1, while its
    rounded median rank would be 2."""
    ranks = {2025: {1: (1, 2, 3), 2: (1, 2, 3)}, 2030: {1: (2, 3, 1), 2: (1, 3, 2)}}
    rows = []
    for year, by_seed in ranks.items():
        for seed, rk in by_seed.items():
            for zid, r in zip("abc", rk):
                rows.append({"package": "run", "seed": seed, "year": year, "step": year - 2025, "zone": zid,
                             "rank": r, "score": 50.0 + (zid == "c"), "level_name": "region", "hosted_by": -1,
                             "output": 1.0})
            rows.append({"package": "run", "seed": seed, "year": year, "step": year - 2025, "zone": "region",
                         "rank": 0, "score": 0.0, "level_name": "", "hosted_by": -1, "output": 3.0})
    return pd.DataFrame(rows)


def test_summary_movers_use_the_places_of_the_ranking_table():
    from sim.analysis.summary import ranking
    from sim.present.summaries.report import summary_sentences

    df = _mover_rows()
    rk = ranking(df, list("abc")).set_index("zone_id")
    assert rk.loc["c", "rank"] == 1
    text = " ".join(summary_sentences(df, "zh", {}, {}))
    assert "c（类内第3名→第1名）" in text  # the old sentence said 3 -> 2 (its rounded median 1.5)
    en = " ".join(summary_sentences(df, "en", {}, {}))
    assert "c (rank 3 → 1 within its class)" in en


def test_run_report_says_what_a_rank_is_and_shows_no_place_for_a_delisted_zone():
    from sim.analysis.summary import ranking
    from sim.present.report.sections import rank_note, ranking_html

    df = _mover_rows()
    df.loc[(df["zone"] == "b") & (df["year"] == 2030), "level_name"] = "delisted"
    html = ranking_html(ranking(df, list("abc")), "zh", {})
    row_b = re.search(r'<tr data-zone="b".*?</tr>', html).group(0)
    assert re.findall(r"<td>(.*?)</td>", row_b)[2] == "已撤销"
    assert "中位数" in rank_note(df, "zh") and "2个" in rank_note(df, "zh")


def test_compare_ranking_lists_new_zones_in_their_class_and_delisted_without_a_place():
    from sim.present.report.sections import compare_ranking_rows

    def rk(rows):
        return pd.DataFrame(rows, columns=["zone_id", "rank", "level_code"])

    ranks = {"baseline": rk([("a", 1, "region"), ("b", 2, "region"), ("c", 3, "region")]),
             "cut": rk([("a", 1, "region"), ("c", 2, "region"), ("b", 1, "delisted")]),
             "new": rk([("b", 1, "region"), ("a", 2, "region"), ("n", 3, "region"), ("c", 1, "delisted")])}
    rows = compare_ranking_rows(ranks, "baseline", "zh", {}, {})
    zones = [r["高新区"] for r in rows]
    assert zones == ["a", "b", "c", "n"]  # the new zone listed, within its class
    by = {r["高新区"]: r for r in rows}
    assert by["b"]["cut"] == "已撤销" and by["c"]["new"] == "已撤销"  # no '1 (已撤销)'
    assert by["n"]["new"] == "3" and by["n"]["baseline"] == "–" and "新设" in by["n"]["级别"]


def test_compare_ranking_says_in_how_many_seeds_a_zone_was_delisted():
    # `zonesim compare delisting --seeds 2 --years 6` then `zonesim report`: one zone delisted per
    # seed, a different one in each, and the table showed both as 已撤销 (two delisted zones beside
    # a summary counting one)
    from sim.present.report.sections import compare_ranking_rows

    cols = ["zone_id", "rank", "level_code", "delisted_share"]
    ranks = {"baseline": pd.DataFrame([("a", 1, "region", 0.0), ("b", 2, "region", 0.0), ("c", 3, "region", 0.0)],
                                      columns=cols),
             "cut": pd.DataFrame([("a", 1, "region", 0.0), ("b", 1, "delisted", 0.5), ("c", 1, "delisted", 1.0)],
                                 columns=cols)}
    by = {r["高新区"]: r for r in compare_ranking_rows(ranks, "baseline", "zh", {}, {})}
    assert by["b"]["cut"] == "已撤销（占种子的50.0%）" and by["c"]["cut"] == "已撤销"
    en = {r["Zone"]: r for r in compare_ranking_rows(ranks, "baseline", "en", {}, {})}
    assert en["b"]["cut"] == "delisted in 50.0% of seeds" and en["c"]["cut"] == "delisted"


def test_sweep_findings_do_not_credit_every_factor_with_all_the_spread():
    # `zonesim sweep` of a 5-point Latin hypercube, then `zonesim report`: each point had its own
    # value of every numeric factor, so each factor 'explained 100.0%' of every outcome
    import numpy as np

    from sim.present.report.sections import _explained

    rng = np.random.default_rng(1)
    noise = pd.Series(rng.permutation(5).astype(float))
    y = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0])
    assert _explained(y, noise) < 0.9 and _explained(y, y * 10) > 0.5
    assert np.isnan(_explained(y.iloc[:2], noise.iloc[:2]))  # two points: no grouping tells anything
    assert _explained(y, pd.Series(["a", "a", "b", "b", "c"])) > 0.8  # a categorical factor as before
    # forty points: five bins, as before
    x = pd.Series(np.linspace(0, 1, 40))
    assert _explained(x * 3, x) > 0.9


def test_sweep_findings_say_when_a_lever_budget_does_not_bind(tmp_path):
    # a 5-year sweep of funding_reward.budget, then `zonesim report`: the lever spent 0.065 亿元 a
    # year at every budget from 15.5 to 44.8 百万元 (the tiers pay fixed amounts, the rest is carried
    # or returned) and the findings did not say the budget never bound
    import html as html_lib

    import numpy as np

    from sim.analysis.summary import unbound_budgets

    study = tmp_path / "reward.yaml"
    study.write_text("name: reward-budget\nworld: guangxi\npackage: baseline\nyears: 5\nseeds: 1\nbase_seed: 20210\n"
                     "levers:\n  funding_reward.budget: {range: [0.0, 50.0]}\n"
                     "outcomes:\n  names: [output, public_money]\n  years: all\n  zones: false\n"
                     "design:\n  method: latin_hypercube\n  samples: 4\n  seed: 3\n")
    out = tmp_path / "sweep"
    assert cli(["sweep", str(study), "--workers", "1", "--no-progress", "--out", str(out)]) == 0
    df = pd.read_parquet(out / "results")
    (u,) = unbound_budgets(df, ["funding_reward.budget"])
    budgets = sorted(df.groupby("point")["funding_reward.budget"].first())
    assert u["x"] == pytest.approx(budgets[1]) and u["hi"] == pytest.approx(budgets[-1]) and not u["all"]
    last = df[df["year"] == df["year"].max()].set_index("point")["public_money"] * 1000
    assert u["spent"] == pytest.approx(last[last.index != last.idxmin()].mean())  # CNY m, from the results
    x, s = (f"{v:.1f}" for v in (u["x"], u["spent"]))
    en, zh = (html_lib.unescape(build_report(out, lang)) for lang in ("en", "zh"))
    assert f"funding rewards: budget does not bind from {x} CNY m/yr up" in en
    assert "the tiers pay fixed amounts" in en and f"{s} CNY m/yr in" in en
    assert f"财政奖励：奖励资金总额在{x}百万元/年及以上不起约束作用" in zh and "各奖励档次按固定金额发放" in zh
    # a budget that binds everywhere (spending follows the budget) gets no sentence
    bound = pd.DataFrame({"point": np.repeat([0, 1, 2], 2), "year": [2021, 2022] * 3,
                          "funding_reward.budget": np.repeat([5.0, 10.0, 20.0], 2),
                          "public_money": [0.0, 0.005, 0.0, 0.01, 0.0, 0.02]})
    assert unbound_budgets(bound, ["funding_reward.budget"]) == []
