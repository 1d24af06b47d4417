"""What the dashboard hands out, and how its pictures stay legible on a projector.

* :func:`legible` raises every text of a figure (titles, tick labels, legends, labels) to at least
  :data:`MIN_PT` points and :func:`png` renders it at :data:`DPI`, so one point is more than one
  pixel: 12 pt -> 13 px when the picture is shown at its own width (the page never enlarges it
  beyond that and shrinks it only on a narrow screen).
* :func:`package_yaml` writes the designed package as a package file that
  ``sim.scenario.packages.load_package`` reads back to the same settings.
* :func:`csv_bytes` / :func:`xlsx_bytes`: tables as CSV (UTF-8 with BOM, so Excel opens Chinese
  correctly) and as an Excel workbook (``sim.present.excel``).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any

import pandas as pd
import yaml

from sim.present.charts.common import to_png

MIN_PT = 12.0
DPI = 80
MIN_PX = MIN_PT * DPI / 72


def legible(fig: Any, min_pt: float = MIN_PT) -> Any:
    """Every text of ``fig`` at least ``min_pt`` points, tick labels included (also those the
    axes create when drawn)."""
    from matplotlib.text import Text

    for ax in fig.axes:
        ax.tick_params(axis="both", which="both", labelsize=min_pt)
    for t in fig.findobj(Text):
        if t.get_fontsize() < min_pt:
            t.set_fontsize(min_pt)
    return fig


def smallest_text_pt(fig: Any) -> float:
    """The smallest font size of any visible text in ``fig`` once drawn (for tests)."""
    from matplotlib.text import Text

    fig.canvas.draw() if hasattr(fig.canvas, "draw") else None
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return min(sizes) if sizes else math.inf


def png(fig: Any) -> bytes:
    return to_png(legible(fig), DPI)


def csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, float_format=_plain_float).encode("utf-8-sig")


def _plain_float(x: float) -> str:  # pandas passes a format string or callable; no 1e+04 in a CSV
    return f"{x:.6f}".rstrip("0").rstrip(".")


def xlsx_bytes(sheets: dict[str, pd.DataFrame], lang: str) -> bytes:
    from sim.present.excel import workbook

    return workbook(sheets, lang)


def slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text)).strip("-.")
    return s[:60] or "package"


def package_yaml(base: Any, settings: dict[str, Any], modified: bool) -> bytes:
    """The package designed on screen as a package file: every lever switched on with all its
    settings written out (no ``extends``: the file stands alone)."""
    name = slug(base.name + ("-custom" if modified and not base.name.endswith("-custom") else ""))
    title = base.title + (" (modified)" if modified and "(modified)" not in base.title else "")
    title_zh = base.title_zh + ("（已修改）" if modified and "已修改" not in base.title_zh else "")
    data = {"name": name, "title": title, "title_zh": title_zh,
            "description": (base.description or f"Designed in the zonesim dashboard from '{base.name}'."),
            "levers": {k: s.model_dump(mode="json") for k, s in settings.items()}}
    head = (f"# zonesim package file, saved from the dashboard on {_dt.date.today().isoformat()}\n"
            f"# load it with: zonesim run --package FILE, or the dashboard's 'load a package file'\n")
    return (head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)).encode("utf-8")


def ranking_table(rank: pd.DataFrame, lang: str, names: dict[str, str]) -> pd.DataFrame:
    """The ranking as a table to download, columns in words, output in the reader's unit."""
    from sim.present.i18n import display, level_label, tr

    if rank.empty:
        return pd.DataFrame()
    d = display("output", lang)
    return pd.DataFrame({
        tr("rk.zone", lang): [names.get(z, z) for z in rank["zone_id"]],
        tr("rk.level", lang): [level_label(lv, lang, h) for lv, h in zip(rank["level_code"], rank["hosted"])],
        # a delisted zone has no place in a class: an empty cell (its level column says 已撤销 / delisted)
        tr("rk.rank", lang): pd.Series([None if lv == "delisted" else int(round(r))
                                        for r, lv in zip(rank["rank"], rank["level_code"])], dtype=object),
        tr("rk.score", lang): rank["score"].round(2),
        tr("rk.output", lang, u=d.unit): (rank["output"] * d.scale).round(2),
        tr("rk.output_change_pct", lang) + (" (%)" if lang == "en" else "（%）"): rank["output_change_pct"].round(1),
    })


def region_table(df: pd.DataFrame, lang: str, titles: dict[str, str]) -> pd.DataFrame:
    """Region totals by package and year (median over seeds), in the reader's units."""
    from sim.present.charts.trajectories import DASH_PANELS
    from sim.present.i18n import display, tr

    reg = df[df["zone"] == "region"]
    g = reg.groupby(["package", "year"], sort=False)[list(DASH_PANELS)].median().reset_index()
    out = pd.DataFrame({tr("package", lang): [titles.get(p, p) for p in g["package"]],
                        tr("year", lang): g["year"].astype(int)})
    for o in DASH_PANELS:
        d = display(o, lang)
        out[d.label_in(lang)] = (g[o] * d.scale).round(4)
    return out
