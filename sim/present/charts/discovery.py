"""PRIM scenario discovery: the peeling trajectory and the limits of each box."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim.present.charts.common import finish, new_figure
from sim.present.format import num, pct, value
from sim.present.i18n import display, factor_name, factor_value, tr


def condition_label(cond: Any, lang: str = "en") -> str:
    """A condition (``output < 1160``) as typed in English; in Chinese with the outcome's name and
    the value in the reader's unit (总产出 < 1.16万亿元)."""
    if lang == "zh" and hasattr(cond, "outcome"):
        d = display(cond.outcome, lang)
        v = value(cond.outcome, cond.value, lang) if d.kind == "money" else num(cond.value)
        return f"{d.name} {cond.op} {v}"
    return str(cond)


def discovery_chart(d: Any, x: pd.DataFrame, cond: Any, year: int, lang: str = "en") -> Figure:
    """Left: peeling trajectories (coverage vs density, colour = restricted factors, chosen box
    circled). Right: the limits of each box on each restricted factor, as a share of its range.
    ``d``: a :class:`sim.analysis.discover.Discovery`."""
    fig = new_figure((13, 5.2))
    axes = fig.subplots(1, 2)
    ax = axes[0]
    sc = None
    for b, tr_ in (d.trajectory.groupby("box") if len(d.trajectory) else ()):
        sc = ax.scatter(tr_["coverage"], tr_["density"], c=tr_["res_dim"], cmap="viridis", s=18, vmin=0,
                        vmax=max(1, int(d.trajectory["res_dim"].max())),
                        marker="o" if b == 1 else "s", label=tr("box", lang, b=b))
        ch = tr_[tr_["chosen"]]
        ax.scatter(ch["coverage"], ch["density"], s=160, facecolors="none", edgecolors="red", linewidths=1.5)
    if sc is not None:
        fig.colorbar(sc, ax=ax, label=tr("restricted", lang))
        ax.legend(fontsize=8)
    ax.set_xlabel(tr("coverage", lang))
    ax.set_ylabel(tr("density", lang))
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(tr("peel_title", lang, c=condition_label(cond, lang), y=year, r=pct(d.base_rate, sign=False, ratio=True), n=d.n),
                 fontsize=10)
    ax2 = axes[1]
    lim = d.limits
    labels = []
    for k, r in enumerate(lim.itertuples()):
        y = len(lim) - 1 - k
        if r.kind == "range":
            span = r.max - r.min or 1.0
            a, b = (r.lower - r.min) / span, (r.upper - r.min) / span
            ax2.barh(y, b - a, left=a, color="#2a9d8f" if r.box == 1 else "#e9c46a", height=0.6)
            ax2.text(a, y + 0.35, num(r.lower), fontsize=7, ha="left")
            ax2.text(b, y + 0.35, num(r.upper), fontsize=7, ha="right")
        else:
            cats = list(map(str, x[r.factor].cat.categories))
            kept = set(r.values.split(", ")) if r.values else set()
            for j, c in enumerate(cats):
                ax2.barh(y, 1 / len(cats), left=j / len(cats), height=0.6, edgecolor="white",
                         color=("#2a9d8f" if r.box == 1 else "#e9c46a") if c in kept else "#dddddd")
                ax2.text((j + 0.5) / len(cats), y, factor_value(c, lang), fontsize=7, ha="center", va="center")
        labels.append(f"{tr('box', lang, b=r.box)}{'：' if lang == 'zh' else ': '}{factor_name(r.factor, lang)}")
    ax2.set_yticks(range(len(lim)), labels[::-1], fontsize=8)
    ax2.set_xlim(0, 1)
    ax2.set_xlabel(tr("box_position", lang))
    ax2.set_title(tr("box_limits", lang), fontsize=10)
    ax2.grid(axis="x", alpha=0.3)
    return finish(fig, lang)
