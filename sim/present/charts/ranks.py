"""Ranks within class over the years (bump chart): national and region-level zones are ranked
separately by the evaluation, so they get separate panels; a zone's line shows only the years
it spent in that class (most common level across seeds), at its whole-number place in the class
each year (``sim.analysis.summary.class_places``: the order of the median ranks across seeds, the
rule of the ranking tables). Every whole place is a tick; every line is named, at the right edge
when it reaches the last year, else at its own last point."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.analysis.summary import class_places
from sim.present.charts.common import ZONE_COLORS, end_labels, finish, new_figure
from sim.present.i18n import tr, zone_name

CLASSES = ("national", "region")


def bump_chart(df: pd.DataFrame, lang: str = "en", names: dict[str, str] | None = None,
               titles: dict[str, str] | None = None, packages: list[str] | None = None) -> Figure:
    """One row per package, one column per class (national, region-level); each zone's place in
    its class per year (whole numbers: zones ordered by their median rank across seeds), zone
    names at the line ends."""
    zones = df[df["zone"] != "region"]
    if "package" not in zones:
        zones = zones.assign(package="")
    pkgs = packages or list(dict.fromkeys(zones["package"]))
    ids = list(dict.fromkeys(zones["zone"]))
    colors = {z: ZONE_COLORS[k % len(ZONE_COLORS)] for k, z in enumerate(ids)}
    fig = new_figure((12, 3.6 * len(pkgs) + 0.8))
    axes = fig.subplots(len(pkgs), 2, squeeze=False)
    for row, pkg in enumerate(pkgs):
        sub = zones[zones["package"] == pkg]
        med = class_places(sub).set_index(["zone", "year"]).sort_index()
        for col, cls in enumerate(CLASSES):
            ax = axes[row, col]
            ends, texts, cols = [], [], []
            early: list[tuple[float, float, str, str]] = []
            n_max = 1
            last_year = sub["year"].max()
            for zid in ids:
                if zid not in med.index.get_level_values(0):
                    continue
                z = med.loc[zid]
                r = z["place"].where(z["level"] == cls)
                if r.notna().sum() == 0:
                    continue
                n_max = max(n_max, int(np.nanmax(r)))
                national = cls == "national"
                ax.plot(r.index, r.values, color=colors[zid], lw=2.2 if national else 1.5, marker="o", ms=2.5)
                if pd.notna(r.get(last_year)):
                    ends.append(float(r[last_year]))
                    texts.append(zone_name(zid, lang, names))
                    cols.append(colors[zid])
                else:  # the line ends earlier (the zone left the class, or was created and delisted)
                    stop = r.last_valid_index()
                    early.append((float(stop), float(r[stop]), zone_name(zid, lang, names), colors[zid]))
            ax.set_ylim(n_max + 0.5, 0.5)
            for x, y, text, c in early:
                ax.annotate(text, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=7, color=c,
                            va="bottom", ha="left", zorder=4,
                            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7})
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
            ax.grid(alpha=0.3)
            ax.set_ylabel(tr("rank_axis", lang), fontsize=9)
            head = tr(f"class_{cls}", lang)
            ax.set_title(f"{(titles or {}).get(pkg, pkg)} — {head}" if pkg else head, fontsize=11)
            if ends:
                end_labels(ax, float(last_year) + 0.2, ends, texts, cols, inverted=True, min_gap=0.06)
            # every whole place on the axis (a locator thins 1-11 to 2, 4, ... 10)
            ax.set_yticks(range(1, n_max + 1))
    fig.suptitle(tr("bump_title", lang), fontsize=13)
    return finish(fig, lang)
