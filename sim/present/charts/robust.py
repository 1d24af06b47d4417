"""Regret of each package across futures, and the share of futures meeting a target."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.present.charts.common import finish, new_figure, package_color
from sim.present.charts.discovery import condition_label
from sim.present.format import plain_axes
from sim.present.i18n import display, tr


def regret_chart(r: pd.DataFrame, table: pd.DataFrame, outcome: str, year: int, target: Any = None,
                 lang: str = "en", titles: dict[str, str] | None = None) -> Figure:
    """Dots per future, box of the middle half, max (red) and 90th percentile (orange) marked;
    beside it, satisficing bars when there is a target."""
    d = display(outcome, lang)
    pkgs = list(table["package"])
    names = [(titles or {}).get(p, p) for p in pkgs]
    ncol = 2 if target is not None else 1
    fig = new_figure((6.5 * ncol + 1.5, 0.6 * len(pkgs) + 3))
    axes = fig.subplots(1, ncol, squeeze=False)
    ax = axes[0, 0]
    rng = np.random.default_rng(0)  # jitter only
    q = [c for c in table.columns if c.startswith("p") and c.endswith("_regret")][0]
    for k, p in enumerate(pkgs):
        s = r[r["package"] == p]["regret"].to_numpy() * d.scale
        y = len(pkgs) - 1 - k
        q1, med, q3 = np.percentile(s, [25, 50, 75])
        ax.plot([s.min(), s.max()], [y, y], color="grey", lw=1, zorder=1)
        ax.plot([q1, q3], [y, y], color="grey", lw=8, alpha=0.5, solid_capstyle="butt", zorder=2)
        ax.plot([med, med], [y - 0.25, y + 0.25], color="black", lw=1.5, zorder=2)
        ax.scatter(s, y + rng.uniform(-0.18, 0.18, len(s)), s=12, color=package_color(k), alpha=0.7, zorder=3)
        row = table[table["package"] == p].iloc[0]
        ax.scatter([row["max_regret"] * d.scale], [y], marker="|", s=300, color="#c1121f", zorder=4)
        ax.scatter([row[q] * d.scale], [y], marker="|", s=200, color="#f4a261", zorder=4)
    ax.set_yticks(range(len(pkgs)), names[::-1])
    ax.set_xlabel(tr("regret_axis", lang, o=d.label_in(lang)))
    ax.set_title(tr("regret_title", lang, n=r["future"].nunique(), y=year), fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    plain_axes(ax, y=False, x=True)
    if target is not None:
        ax2 = axes[0, 1]
        ax2.barh(range(len(pkgs)), table["satisficing"].to_numpy()[::-1] * 100, color="#2a9d8f")
        ax2.set_yticks(range(len(pkgs)), names[::-1])
        ax2.set_xlim(0, 100)
        ax2.set_xlabel(tr("satisficing_axis", lang))
        ax2.set_title(tr("satisficing_title", lang, t=condition_label(target, lang), y=year), fontsize=10)
        ax2.grid(axis="x", alpha=0.3)
    return finish(fig, lang)
