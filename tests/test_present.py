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


def test_log_axis_minor_labels_are_whole_numbers_from_one():
    # the Morris plane's log axes read 1, 2, 5, 10, 20.0, 50.0, 100: the minor labels (2x, 5x) from 10 up had a decimal
    from sim.present.charts.common import new_figure

    fig = new_figure((4, 3))
    ax = fig.subplots()
    ax.plot([0.02, 3000.0], [0.02, 3000.0])
    ax.set_xscale("log")
    F.plain_axes(ax, y=False, x=True)
    fig.canvas.draw()
    minor = [t.get_text() for t in ax.get_xticklabels(minor=True) if t.get_text()]
    assert {"0.05", "0.2", "2", "5", "20", "50", "200", "500", "2,000"} <= set(minor), minor
    assert not any(s.endswith(".0") for s in minor), minor


def test_tick_labels_on_one_axis_are_distinct():
    from sim.present.charts.common import new_figure

    # an R&D-intensity axis (per cent, ticks 0.05 apart) printed 2.3%, 2.4%, 2.4%, 2.5%, 2.5%, 2.6%
    fig = new_figure((4, 3))
    ax = fig.subplots()
    ax.plot([2021, 2031], [2.29, 2.59])
    ax.set_yticks([2.30, 2.35, 2.40, 2.45, 2.50, 2.55])
    F.plain_axes(ax, percent=True)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["2.30%", "2.35%", "2.40%", "2.45%", "2.50%", "2.55%"], labels
    # plain numbers too, and the usual labels where they already differ
    f = F.axis_formatter()
    f.set_locs([1.21, 1.22, 1.23])
    assert len({f(x) for x in (1.21, 1.22, 1.23)}) == 3
    f = F.axis_formatter(percent=True)
    f.set_locs([0, 10, 20])
    assert [f(x) for x in (0, 10, 20)] == ["0%", "10%", "20%"]


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


def _setting_paths(model, prefix):
    """Every field of a lever's settings, nested models (reward tiers, parks, their firms) included."""
    import typing

    from pydantic import BaseModel

    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}"
        yield path
        for t in (field.annotation, *typing.get_args(field.annotation)):
            for u in (t, *typing.get_args(t)):
                if isinstance(u, type) and issubclass(u, BaseModel):
                    yield from _setting_paths(u, path)


def test_every_parameter_and_lever_setting_has_a_chinese_name():
    """A study or calibration may vary any model parameter or lever setting: in Chinese its name is
    Chinese words (abbreviations the tables already use aside), never the field's slug."""
    from sim.core.params import Params
    from sim.policies import REGISTRY
    from sim.present.i18n import factor_name

    accepted = re.compile(r"R&D|GDP|TFP|[ABCD]类")
    factors = list(Params.model_fields)
    for lever, cls in REGISTRY.items():
        factors += list(_setting_paths(cls.Settings, lever))
    assert len(factors) > 250 and "funding_reward.tiers.amount" in factors   # the walk found them all
    bad = [f"{f}: {factor_name(f, 'zh')}" for f in factors
           if re.search(r"[A-Za-z]", accepted.sub("", factor_name(f, "zh")))]
    assert not bad, bad


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


def test_zone_map_notes_zones_without_location_keys_colours_and_labels_above_markers():
    from matplotlib.legend import Legend

    from sim.present.charts.maps import change_map, zone_map

    final = pd.DataFrame({"zone": ["nanning", "guilin", "beihai", "nowhere"], "level_name": ["national", "region",
                          "region", "region"], "output": [400.0, 60.0, 120.0, 20.0]})
    lon = {"nanning": 108.3, "guilin": 110.3, "beihai": 109.1}
    lat = {"nanning": 22.8, "guilin": 25.3, "beihai": 21.5}
    names = {"nowhere": "无处高新区"}
    fig = zone_map(final, lon, lat, names, "zh")
    notes = " ".join(t.get_text() for t in fig.texts)
    assert "未标注位置：无处高新区" in notes  # before: the zone silently missing
    ax = fig.axes[0]
    legends = [a for a in ax.get_children() if isinstance(a, Legend)]
    assert any(lg.get_title().get_text() == "颜色=级别" and len(lg.get_texts()) == 2 for lg in legends)
    labels = {t.get_text(): t for t in ax.texts}
    for zid in lon:  # each label starts above its circle, not across it
        t = labels[zone_name_zh(zid)]
        assert t.get_position()[1] > lat[zid]
    diff = pd.DataFrame({"package": "p", "zone": ["nanning", "nowhere"], "outcome": "output", "year": 2030,
                         "rel_change": [0.01, 0.02], "baseline": [400.0, 20.0], "significant": [True, False]})
    fig = change_map(diff, {"nanning": (108.3, 22.8)}, 2030, lang="zh", names=names)
    assert "未标注位置：无处高新区" in " ".join(t.get_text() for t in fig.texts)


def test_change_map_labels_each_panel_once_laid_out_without_overlaps_inside_the_axes():
    """The map labels every panel after one layout of the whole figure (``marker_labels``): in
    each panel no two labels overlap and each lies inside its axes, the PNG draws the same figure (no layout engine left to move it), and adjustText's
    module is left as it was."""
    import adjustText

    from sim.present.charts.common import to_png
    from sim.present.charts.maps import change_map

    drawer = adjustText.force_draw
    zones = {"nanning": (108.3, 22.8), "wuming": (108.27, 23.16), "liuzhou": (109.4, 24.3),
             "liujiang": (109.33, 24.25), "guilin": (110.3, 25.3), "beihai": (109.1, 21.5),
             "qinzhou": (108.6, 21.97), "fangcheng": (108.35, 21.69)}
    rows = [{"package": pkg, "zone": z, "outcome": "output", "year": 2030, "rel_change": 0.01 * (k + 1) * sign,
             "baseline": 100.0 + 50 * k, "significant": k % 2 == 0}
            for pkg, sign in (("p", 1), ("q", -1), ("r", 1), ("s", -1)) for k, z in enumerate(zones)]
    fig = change_map(pd.DataFrame(rows), zones, 2030, lang="zh", titles={p: p.upper() for p in "pqrs"})
    placed = [ax.get_position().bounds for ax in fig.axes]
    assert to_png(fig)[:4] == b"\x89PNG"
    assert [ax.get_position().bounds for ax in fig.axes] == placed  # the PNG kept the labelled layout
    r = fig.canvas.get_renderer()
    panels = [ax for ax in fig.axes if ax.get_title() in ("P", "Q", "R", "S")]
    assert len(panels) == 4
    for ax in panels:
        labels = [t for t in ax.texts if "%" in t.get_text()]
        assert len(labels) == len(zones)
        boxes = [t.get_window_extent(r) for t in labels]
        frame = ax.get_window_extent(r)
        for i, b in enumerate(boxes):
            assert frame.x0 - 1 <= b.x0 and b.x1 <= frame.x1 + 1 and frame.y0 - 1 <= b.y0 and b.y1 <= frame.y1 + 1
            for j in range(i):
                assert not b.overlaps(boxes[j]), (ax.get_title(), labels[i].get_text(), labels[j].get_text())
    assert adjustText.force_draw is drawer


def test_map_arrows_are_clipped_at_their_labels_boxes_as_matplotlib_clips_at_the_labels():
    """Each arrow of a map label is clipped at a stand-in for its label (``_LabelBox``: the box
    computed once a dpi and place, not at every step of the clipping): inside exactly where the
    label's own ``Text.contains`` says, at the figure's dpi and at another."""
    from types import SimpleNamespace

    import numpy as np
    from matplotlib.text import Text

    from sim.present.charts.common import _LabelBox, to_png
    from sim.present.charts.maps import change_map

    zones = {"nanning": (108.3, 22.8), "wuming": (108.27, 23.16), "liuzhou": (109.4, 24.3),
             "liujiang": (109.33, 24.25), "qinzhou": (108.6, 21.97), "fangcheng": (108.35, 21.69)}
    diff = pd.DataFrame({"package": "p", "zone": list(zones), "outcome": "output", "year": 2030,
                         "rel_change": 0.01, "baseline": 100.0, "significant": False})
    fig = change_map(diff, zones, 2030, lang="zh")
    stands = [a.patchA for ax in fig.axes for a in ax.patches if isinstance(getattr(a, "patchA", None), _LabelBox)]
    assert stands, "no arrow was drawn: crowd the zones more"
    for dpi in (100, 150, 100):
        fig.set_dpi(dpi)  # as savefig sets it while it draws
        to_png(fig, dpi)
        for box in stands:
            b = Text.get_window_extent(box.text)
            for x in np.linspace(b.x0 - 3, b.x1 + 3, 9):
                for y in np.linspace(b.y0 - 3, b.y1 + 3, 7):
                    ev = SimpleNamespace(x=x, y=y)
                    assert box.contains(ev)[0] == box.text.contains(ev)[0]


def zone_name_zh(zid):
    from sim.present.i18n import zone_name

    return zone_name(zid, "zh")


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


def test_class_places_take_the_median_rank_only_over_seeds_in_that_class():
    from sim.analysis.summary import class_places

    # zone a is delisted in one seed of three (the model then ranks it 1 among the delisted); that
    # rank must not lift it among the region-level zones, where it ranked 2 and 3
    rows = []
    for seed, ranks in ((1, (2, 1, 3)), (2, (3, 1, 2)), (3, (1, 1, 2))):
        for zid, r in zip("abc", ranks):
            rows.append({"zone": zid, "year": 2030, "seed": seed, "rank": r, "score": 50.0 + (zid == "a"),
                         "level_name": "delisted" if (zid, seed) == ("a", 3) else "region"})
    pl = class_places(pd.DataFrame(rows)).set_index("zone")
    assert pl.loc["a", "level"] == "region" and pl.loc["a", "median_rank"] == 2.5
    assert pl.loc["c", "place"] == 2 and pl.loc["a", "place"] == 3  # before: a 2nd on its median 2


def test_class_places_show_a_zone_delisted_in_half_the_seeds_as_delisted():
    from sim.analysis.summary import class_places

    rows = []
    for seed, lv, r in ((1, "region", 1), (2, "delisted", 1)):
        rows += [{"zone": "a", "year": 2030, "seed": seed, "rank": r, "score": 60.0, "level_name": lv},
                 {"zone": "b", "year": 2030, "seed": seed, "rank": 2 if lv == "region" else 1, "score": 50.0,
                  "level_name": "region"}]
    pl = class_places(pd.DataFrame(rows)).set_index("zone")
    assert pl.loc["a", "level"] == "delisted" and pl.loc["b", "place"] == 1


def test_bump_chart_plots_whole_places_not_median_ranks():
    from sim.present.charts.ranks import bump_chart

    fig = bump_chart(_half_rank_rows())
    ys = [y for ax in fig.axes for line in ax.get_lines() for y in line.get_ydata() if np.isfinite(y)]
    assert len(ys) == 8 and set(ys) == {1.0, 2.0}  # 4 zones x 2 years, none at the median 1.5


def test_bump_chart_ticks_every_place_and_names_every_line():
    from sim.present.charts.ranks import bump_chart

    # eleven region-level zones; "k" is delisted in the last year, its line stops a year early
    zones = [f"z{i}" for i in range(10)] + ["k"]
    rows = []
    for year in (2025, 2026, 2027):
        for i, zid in enumerate(zones):
            lvl = "delisted" if (zid == "k" and year == 2027) else "region"
            rows.append({"zone": zid, "year": year, "seed": 1, "rank": (i + year) % 11 + 1, "score": 50.0,
                         "level_name": lvl, "hosted_by": -1, "output": 1.0})
    fig = bump_chart(pd.DataFrame(rows), names={z: f"name-{z}" for z in zones})
    ax = fig.axes[1]
    assert [int(t) for t in ax.get_yticks()] == list(range(1, 12))  # not 2, 4, ... 10
    texts = {t.get_text() for t in ax.texts}
    assert {f"name-{z}" for z in zones} <= texts  # k named at its last point too


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


def _morris_folder(tmp_path):
    """A sensitivity folder as `zonesim sensitivity` writes it: a Morris study of output with
    the bundled screening study's small factors crowded near the origin."""
    d = tmp_path / "sens"
    (d / "sensitivity").mkdir(parents=True)
    (d / "manifest.json").write_text(json.dumps({"kind": "study", "world": "guangxi", "seeds": [1]}))
    factors = ["growth_drift", "exit_base_hazard", "startup_rate", "beta_wage", "land_quota", "loss_years_to_exit",
               "outside_wage_ratio", "funding_reward.budget", "delisting.bottom_region"]
    mu = [461.3, 190.9, 162.2, 11.6, 9.73, 13.6, 18.1, 0.2, 0.8]
    idx = pd.DataFrame({"method": "morris", "outcome": "output", "year": 2031, "zone": "region", "N": 6,
                        "factor": factors, "group": ["uncertainty"] * 7 + ["lever"] * 2, "mu_star": mu,
                        "mu_star_conf": [40.1, 92.8, 34.1, 6.96, 12.4, 12.9, 4.69, 0.198, 0.648],
                        "sigma": [53.1, 126.0, 46.1, 8.59, 16.1, 23.7, 6.23, 0.286, 1.1], "mu": mu})
    idx.to_csv(d / "sensitivity" / "indices.csv", index=False)
    return d, idx


def test_sensitivity_report_in_chinese_names_factors_and_keeps_one_unit(tmp_path):
    """Seen with `zonesim sensitivity <morris study> --lang zh` then `zonesim report --lang zh`: factor
    names in English, headers `outcome | year | factor | group | mu_star ...`, the year as 2,031, the
    table's μ* in CNY bn (461) beside the summary's 亿元 (4,613), captions 'morris output 2031'."""
    from sim.present.report import build_report

    d, _ = _morris_folder(tmp_path)
    page = visible_text(build_report(d, "zh"))
    text = re.sub(r"<[^>]+>", "|", page)
    for word in ("企业平均增长率", "人才择业的工资权重", "年度新增建设用地指标", "财政奖励：奖励资金总额",
                 "摘牌退出：末位名次（自治区级）", "μ*（亿元/年）", "σ（亿元/年）", "政策工具", "不确定因素",
                 "Morris筛选：2031年总产出"):
        assert word in text, word
    for raw in ("growth drift", "beta wage", "land quota", "mu_star", "2,031", "uncertainty", "morris output",
                "budget", "bottom region"):
        assert raw not in text, raw
    # the same index, in the same unit, in the summary and the table: 461.3 CNY bn = 4,613 亿元
    assert "企业平均增长率 4,613 [4,212, 5,014]" in text
    assert re.search(r"\|企业平均增长率\|+不确定因素\|+4,613\|+\[4,212, 5,014\]\|+531\|", text)
    assert "单位：亿元/年" in text
    en = re.sub(r"<[^>]+>", "|", visible_text(build_report(d, "en")))
    assert "growth drift" in en and "funding rewards: budget" in en and "μ* (CNY bn/yr)" in en and "2,031" not in en


def test_sensitivity_table_in_chinese_has_names_yi_and_no_raw_numbers(tmp_path):
    """The table `zonesim sensitivity --lang zh` prints: factors and headers in Chinese, μ* in 亿元, no
    1e-05 or nan (a Sobol index without interval, a tiny μ*), the columns lined up."""
    from sim.present.format import text_width
    from sim.present.summaries.analyses import sensitivity_table

    _, idx = _morris_folder(tmp_path)
    idx.loc[7, ["mu_star", "mu_star_conf", "sigma"]] = [3.0e-6, np.nan, np.nan]
    text = sensitivity_table(idx, "zh")
    assert_readable(text, "sensitivity table zh")
    assert "2031年总产出 — Morris法，r = 6" in text and "企业平均增长率" in text and "μ*（亿元/年）" in text
    assert "4,613" in text and "[4,212, 5,014]" in text  # 461.3 CNY bn
    assert not re.findall(r"[A-Za-z]{2,}", text.replace("Morris", ""))
    assert len({text_width(x) for x in text.strip().splitlines()[1:]}) == 1  # header and rows line up
    sobol = pd.DataFrame({"method": "sobol", "outcome": "rd_intensity", "year": 2031, "zone": "region", "N": 8,
                          "factor": ["beta_wage", "land_quota"], "group": ["uncertainty", "lever"],
                          "S1": [0.61, 2.0e-7], "S1_conf": [0.2, np.nan], "ST": [0.9, np.nan], "ST_conf": [0.3, np.nan]})
    text = sensitivity_table(sobol, "zh")
    assert_readable(text, "sobol table zh")
    assert "2031年研发强度 — Sobol法，N = 8" in text and "人才择业的工资权重" in text and "ST（总效应）" in text
    assert "beta_wage" not in sensitivity_table(sobol, "zh") and "beta_wage" in sensitivity_table(sobol, "en")


def test_morris_chart_labels_do_not_overlap(tmp_path):
    """The bundled screening study's small factors (beta wage, land quota, ...) sat at the origin
    of a linear plane, their labels on top of each other."""
    from sim.present.charts.sensitivity import sensitivity_charts

    _, idx = _morris_folder(tmp_path)
    for lang in ("zh", "en"):
        (_, fig), = sensitivity_charts(idx, lang)
        ax = fig.axes[0]
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        boxes = [t.get_window_extent(r) for t in ax.texts]
        assert len(boxes) == len(idx)
        for i in range(len(boxes)):
            for j in range(i):
                assert not boxes[i].overlaps(boxes[j]), (lang, ax.texts[i].get_text(), ax.texts[j].get_text())


def test_sweep_report_in_chinese_names_factors_points_and_categories(tmp_path):
    """Seen with `zonesim report <sweep of evaluation-levers> --lang zh`: '影响最大的因素是财政奖励: budget',
    design headers `point`, `agglomeration elasticity`, land rules `demand` / `rank` on the chart's ticks."""
    from sim.present.charts.sweep import sweep_chart
    from sim.present.report import build_report

    from .test_study import write_study

    path = write_study(tmp_path, levers={"land_allocation.rule": {"values": ["demand", "output_per_land"]},
                                         "funding_reward.budget": {"values": [0.0, 40.0]}},
                       uncertainties={"agglomeration_elasticity": {"values": [0.05]}}, seeds=1,
                       outcomes={"names": ["output"], "years": "final", "zones": False})
    out = tmp_path / "sw"
    assert main(["sweep", str(path), "--workers", "1", "--out", str(out), "--no-progress"]) == 0
    text = re.sub(r"<[^>]+>", "|", visible_text(build_report(out, "zh")))
    for word in ("|设计点|", "|用地指标分配：分配规则|", "|财政奖励：奖励资金总额（百万元/年）|", "|产业集聚弹性|", "|按需求|",
                 "|按地均产出|"):
        assert word in text, word
    for raw in ("|point|", "budget", "agglomeration elasticity", "|demand|", "output_per_land"):
        assert raw not in text, raw
    per_point = pd.DataFrame({"output": [1.0, 2.0], "land_allocation.rule": ["demand", "rank"]})
    ax = sweep_chart(per_point, ["land_allocation.rule"], ["output"], "zh").axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["按需求", "按排名"]
    ax = sweep_chart(per_point, ["land_allocation.rule"], ["output"], "en").axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["demand", "rank"]  # English as in the study


def test_discovery_summary_in_chinese_says_the_box_by_name():
    """Seen with `zonesim discover <sweep> --where "output < 1160" --lang zh`: '盒子1：funding_reward.budget
    >= 9.492 and funding_reward.budget <= 23.9 … 限制条件：(none)'."""
    from types import SimpleNamespace

    from sim.present.summaries.analyses import discovery_markdown

    boxes = pd.DataFrame({"box": [1], "coverage": [0.5], "density": [1.0], "mass": [0.25], "runs_in_box": [2],
                          "failing_in_box": [2], "restricted": [2],
                          "rule": ["funding_reward.budget >= 9.492 and funding_reward.budget <= 23.9 and "
                                   "land_allocation.rule in {demand, rank}"], "significant_rule": ["(none)"]})
    limits = pd.DataFrame({"box": [1, 1], "factor": ["funding_reward.budget", "land_allocation.rule"],
                           "kind": ["range", "values"], "lower": [9.492, np.nan], "upper": [23.9, np.nan],
                           "min": [1.07, np.nan], "max": [49.5, np.nan], "values": [np.nan, "demand, rank"],
                           "qp": [0.25, 0.01]})
    d = SimpleNamespace(boxes=boxes, limits=limits, trajectory=pd.DataFrame(columns=["density"]), base_rate=0.5, n=8)
    cond = SimpleNamespace(outcome="output", op="<", value=1160.0)
    zh = discovery_markdown(d, cond, 2026, "region", "sw", 0.8, 0.05, lang="zh")
    assert "盒子1：财政奖励：奖励资金总额在9.49至23.9之间，且用地指标分配：分配规则取按需求、按排名 — " in zh
    assert "限制条件：用地指标分配：分配规则取按需求、按排名。" in zh
    assert "| 1 | 用地指标分配：分配规则 |  |  | 按需求、按排名 | 0.01 |" in zh
    for raw in ("funding_reward", "(none)", " and ", "demand", "budget"):
        assert raw not in zh, raw
    d.limits = limits.assign(qp=[0.25, 0.5])
    assert "限制条件：无。" in discovery_markdown(d, cond, 2026, "region", "sw", 0.8, 0.05, lang="zh")
    en = discovery_markdown(d, cond, 2026, "region", "sw", 0.8, 0.05, lang="en")
    assert "funding_reward.budget >= 9.492 and" in en and "(none)" in en  # English as the analysis wrote it


def test_robust_and_attribution_summaries_in_chinese_name_studies_factors_packages_and_units():
    """Seen with `zonesim robust ... --study evaluation-levers --lang zh` ('研究evaluation-levers', '对agglomeration
    elasticity、outside wage ratio做拉丁超立方抽样', a ranking without units) and `zonesim attribute area4-open
    --lang zh` ('`area4-open`对2031年总产出…（为基准13,870的+1.4%）')."""
    from types import SimpleNamespace

    from sim.present.summaries.analyses import attribution_markdown, robust_markdown

    table = pd.DataFrame({"rank_regret": [1, 2], "package": ["hosting", "funding-reward"], "mean_value": [1162.9, 1161.3],
                          "worst_value": [1160.2, 1158.7], "max_regret": [0.0, 1.79], "p90_regret": [0.0, 1.75],
                          "mean_regret": [0.0, 1.64], "best_in": [3, 0], "rank_satisficing": [1, 2],
                          "satisficing": [1.0, 0.667]})
    zh = robust_markdown(table, study="evaluation-levers", outcome="output", year=2026, n_futures=3, seeds=2,
                         uncertainties=["agglomeration_elasticity", "outside_wage_ratio"], target=None, maximise=True,
                         titles={"hosting": "托管", "funding-reward": "奖励"}, lang="zh")
    assert "研究“不确定条件下的评价奖励、摘牌和用地规则”" in zh
    assert "对产业集聚弹性、区外工资倍数做拉丁超立方抽样" in zh
    assert "| 排名 | 政策包 | 均值（亿元/年） | 最差（亿元/年） | 最大遗憾值（亿元/年） | 90分位遗憾值（亿元/年） |" in zh
    assert "evaluation-levers" not in zh and "elasticity" not in zh
    sh = pd.DataFrame({"player": ["hosting", "outside_attraction"], "levers": ["hosting", "outside_attraction"],
                       "shapley": [4.71, 15.2], "shapley_lo": [-4.77, 6.53], "shapley_hi": [14.2, 23.8],
                       "share_of_total": [0.237, 0.763], "solo": [4.97, 15.4], "last_in": [4.45, 14.9]})
    inter = pd.DataFrame({"player_i": ["hosting"], "player_j": ["outside_attraction"], "interaction": [-0.518],
                          "lo": [-1.16], "hi": [0.124]})
    totals = {"seeds": 2, "total_effect": 19.9, "total_pct": 1.4, "baseline": 1387.0, "total_lo": 1.77,
              "total_hi": 38.0, "sum_shapley": 19.9, "efficiency_gap": 0.0, "sum_solo": 20.4,
              "interaction_total": -0.518, "interaction_lo": -1.16, "interaction_hi": 0.124}
    a = SimpleNamespace(shapley=sh, interactions=inter, combinations=[1, 2, 3, 4], totals=totals)
    pkg = {"name": "area4-open", "title": "Area 4: open innovation", "title_zh": "四、推进开放创新"}
    zh = attribution_markdown(a, pkg, "baseline", "measure", "output", 2031, "广西", lang="zh", baseline_title="现状")
    assert "“四、推进开放创新”对2031年总产出的总效应：+199亿元/年（为基准1.39万亿元的+1.4%）" in zh
    assert "area4-open" not in zh and "托管 × 区外招商：" in zh
    en = attribution_markdown(a, pkg, "baseline", "measure", "output", 2031, "guangxi", lang="en")
    assert "Total effect of `area4-open` on output in 2031" in en  # English names the package as typed


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


def test_a_range_shows_the_digits_that_tell_its_ends_apart():
    # `zonesim report SWEEP --lang zh` of a 5-point sweep: '总产出：在设计范围内从1.16万亿元到1.16万亿元'
    from sim.present.format import value_range

    assert value_range("output", 1155.27, 1158.65, "zh") == ("11,553亿元", "11,586亿元")
    assert value_range("output", 1155.27, 1158.65, "en") == ("CNY 1,155 bn", "CNY 1,159 bn")  # already apart
    assert value_range("output_cv", 1.0311, 1.0334, "zh") == ("1.031", "1.033")
    assert value_range("output", 900.0, 1200.0, "zh") == ("9,000亿元", "1.20万亿元")  # the usual text when apart
    assert value_range("output", 1155.27, 1155.27, "zh") == ("1.16万亿元", "1.16万亿元")  # equal stays equal


def test_workbook_says_cumulative_only_for_the_fiscal_tables_sum():
    # `zonesim sweep STUDY --lang zh` (outcome public_money): the sweep's sheets headed the yearly
    # outcome '财政奖补（累计，亿元）', the header of compare's fiscal table, which sums over the run
    import io

    from openpyxl import load_workbook

    from sim.present.excel import workbook

    per_point = pd.DataFrame({"point": [0, 1], "year": [2026, 2026], "output": [1155.3, 1158.6],
                              "public_money": [0.0065, 0.0009]})
    fiscal = pd.DataFrame([{"package": "funding-reward", "seeds": 2, "public_money": 14.8, "public_money_se": 0.8,
                            "net_fiscal_cost": 14.1, "net_fiscal_cost_se": 0.6}])
    wb = load_workbook(io.BytesIO(workbook({"points": per_point, "fiscal": fiscal}, "zh")))
    heads = [next(ws.iter_rows(values_only=True)) for ws in wb]
    assert heads[0][3] == "财政奖补总额（亿元/年）"
    assert heads[1][2] == "财政奖补（累计，亿元）"


def test_a_factor_shown_with_its_values_carries_its_unit():
    # `zonesim report SWEEP --lang zh` and the sweep's tables.xlsx: the design's column
    # '财政奖励：奖励资金总额' held 44.3, 24.8 … with no unit (the study file's CNY m a year)
    import io

    from openpyxl import load_workbook

    from sim.present.excel import workbook
    from sim.present.i18n import factor_label

    assert factor_label("funding_reward.budget", "zh") == "财政奖励：奖励资金总额（百万元/年）"
    assert factor_label("funding_reward.budget", "en").endswith(" (CNY m/yr)")
    assert factor_label("land_quota", "zh") == "年度新增建设用地指标（平方公里/年）"
    assert factor_label("land_allocation.rule", "zh") == "用地指标分配：分配规则"  # no unit, no brackets
    assert factor_label("agglomeration_elasticity", "zh") == "产业集聚弹性"
    design = pd.DataFrame({"point": [0, 1], "funding_reward.budget": [44.31, 24.79]})
    wb = load_workbook(io.BytesIO(workbook({"design": design}, "zh", factors=["funding_reward.budget"])))
    assert next(wb.worksheets[0].iter_rows(values_only=True))[1] == "财政奖励：奖励资金总额（百万元/年）"


def test_english_sweep_workbook_heads_a_lever_budget_with_the_study_files_unit():
    # `zonesim sweep STUDY` (--lang en) tables.xlsx: the design column 'funding_reward.budget'
    # held 44.78, 15.46 … with no unit, beside the report's and dashboard's CNY m a year
    import io

    from openpyxl import load_workbook

    from sim.present.excel import workbook

    design = pd.DataFrame({"point": [0, 1], "funding_reward.budget": [44.78, 15.46],
                           "land_allocation.rule": ["demand", "rank"], "agglomeration_elasticity": [0.05, 0.1]})
    factors = ["funding_reward.budget", "land_allocation.rule", "agglomeration_elasticity"]
    wb = load_workbook(io.BytesIO(workbook({"design": design}, "en", factors=factors)))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("point", "funding_reward.budget (CNY m/yr)", "land_allocation.rule", "agglomeration_elasticity")
    assert rows[1][1] == 44.78  # the study file's number, not rescaled


def test_compare_report_summary_marks_a_change_unclear_as_the_table_beside_it_does(compare_dir):
    # `zonesim compare land-by-output hosting new-zones --seeds 2 --years 8` then `zonesim report`:
    # the summary said '高新技术企业数低0.6%' (its 5–95% range over two seeds' differences missed 0)
    # beside the table's -0.6% [-3.3%, +2.0%] marked unclear (the paired 95% interval)
    from sim.analysis.compare import differences
    from sim.present.i18n import name_of
    from sim.present.summaries.report import summary_sentences

    df = pd.read_parquet(compare_dir / "results.parquet")
    y1 = int(df["year"].max())
    outs = ("output", "hightech_firms", "talent", "output_cv")
    diff = differences(df, [y1], "baseline", region=outs, zones=())
    clear = {(p, o): bool(c) for p, o, c in zip(diff["package"], diff["outcome"], diff["significant"])}
    assert not all(clear.values())  # something to mark
    lines = [s for s in summary_sentences(df, "zh", {}, {}, full=["baseline"], clear=clear) if "相比" in s]
    assert len(lines) == 2
    for pkg, line in zip(("delisting", "land-by-output"), lines):
        for part in line.split("：", 1)[1].rstrip("。").split("；"):
            o = next(o for o in outs if part.startswith(name_of(o, "zh")))
            assert ("配对95%区间含0" in part) == (not clear[(pkg, o)]), part
        assert "5–95%范围" not in line


def test_change_map_draws_a_new_zone_only_under_the_package_that_creates_it():
    # `zonesim compare land-by-output hosting new-zones --lang zh`, map.png: the new county zones
    # (grey triangles) stood in the land-by-output and hosting panels too, where they never existed
    from sim.present.charts.maps import change_map

    diff = pd.DataFrame({"package": ["p", "q"], "zone": ["nanning", "nanning"], "outcome": "output", "year": 2030,
                         "rel_change": [0.01, 0.02], "baseline": [400.0, 400.0], "significant": [True, False]})
    coords = {"nanning": (108.3, 22.8), "newzone": (107.0, 24.5)}
    names = {"newzone": "新园区"}
    fig = change_map(diff, coords, 2030, lang="zh", names=names, titles={"p": "P", "q": "Q"},
                     zones_of={"p": {"nanning"}, "q": {"nanning", "newzone"}})
    by_title = {ax.get_title(): ax for ax in fig.axes if ax.get_title() in ("P", "Q")}
    assert "新园区" not in [t.get_text() for t in by_title["P"].texts]
    assert "新园区" in [t.get_text() for t in by_title["Q"].texts]
