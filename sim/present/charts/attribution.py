"""The attribution waterfall: baseline and package as whole bars, the total effect split into
each measure's (or area's) Shapley value with 95% intervals, and the pairwise interactions."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from sim.present.charts.common import finish, new_figure
from sim.present.format import num, pct, value
from sim.present.i18n import display, player_name, tr


def waterfall(a: Any, players: list[Any], outcome: str, year: int, lang: str = "en",
              package_title: str = "", baseline_title: str = "") -> Figure:
    """``a``: an :class:`sim.analysis.attribution.Attribution`; ``players`` its players."""
    d = display(outcome, lang)
    s = d.scale
    k = len(players)
    t = a.totals
    fig = new_figure((15 if k > 1 else 11, 5.8))
    ratios = [0.8, 2.2, 1.3] if k > 1 else [0.8, 2.2]
    axes = fig.subplots(1, len(ratios), gridspec_kw={"width_ratios": ratios})
    # 1. whole bars from zero: the baseline and the package
    ax = axes[0]
    vals = [t["baseline"] * s, t["package"] * s]
    ax.bar([0, 1], vals, color=["#888888", "#264653"])
    for x, v, raw in zip([0, 1], vals, [t["baseline"], t["package"]]):
        ax.text(x, v, value(outcome, raw, lang), ha="center", va="bottom", fontsize=8)
    ax.set_xticks([0, 1], [baseline_title or tr("baseline", lang), package_title or tr("package_bar", lang)],
                  rotation=20, ha="right")
    ax.set_ylim(0, max(vals + [0]) * 1.15 or 1.0)
    ax.set_ylabel(d.label_in(lang))
    ax.grid(axis="y", alpha=0.3)
    from sim.present.format import plain_axes

    plain_axes(ax)
    # 2. the effect, split: floating bars from zero up to the total effect
    ax = axes[1]
    names = [player_name(p.name, lang) for p in players]
    level = 0.0
    ends = [0.0]
    for i, r in enumerate(a.shapley.itertuples()):
        v = r.shapley * s
        color = "#2a9d8f" if v >= 0 else "#e76f51"
        ax.bar(i, v, bottom=level, color=color)
        if np.isfinite(r.shapley_lo):
            ax.errorbar(i, level + v, yerr=[[v - r.shapley_lo * s], [r.shapley_hi * s - v]], color="black",
                        capsize=3, lw=1)
            ends += [level + r.shapley_lo * s, level + r.shapley_hi * s]
        if i < k - 1:
            ax.plot([i + 0.4, i + 0.6], [level + v, level + v], color="black", lw=0.6)
        level += v
        ends.append(level)
    total = t["total_effect"] * s
    ax.bar(k, total, color="#264653")
    if np.isfinite(t["total_lo"]):
        ax.errorbar(k, total, yerr=[[total - t["total_lo"] * s], [t["total_hi"] * s - total]], color="black",
                    capsize=3, lw=1)
        ends += [t["total_lo"] * s, t["total_hi"] * s]
    ax.axhline(0, color="black", lw=0.8)
    lo, hi = min(ends + [0.0]), max(ends + [0.0])
    pad = 0.12 * (hi - lo or 1.0)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xticks(range(k + 1), [*names, tr("total_effect", lang)], rotation=25, ha="right")
    ax.set_ylabel(tr("effect_axis", lang, u=d.unit))
    ax.grid(axis="y", alpha=0.3)
    plain_axes(ax)
    ax.set_title(tr("waterfall_title", lang, o=d.name, y=year, t=value(outcome, t["total_effect"], lang, sign=True),
                    p=pct(t["total_pct"]), i=value(outcome, t["interaction_total"], lang, sign=True)), fontsize=10)
    # 3. interactions
    if k > 1:
        ax2 = axes[2]
        mat = np.zeros((k, k))
        idx = {p.name: i for i, p in enumerate(players)}
        for r in a.interactions.itertuples():
            mat[idx[r.player_i], idx[r.player_j]] = mat[idx[r.player_j], idx[r.player_i]] = r.interaction * s
        lim = max(float(np.abs(mat).max()), 1e-12)
        im = ax2.imshow(mat, cmap="RdBu", vmin=-lim, vmax=lim)
        ax2.set_xticks(range(k), names, rotation=45, ha="right", fontsize=8)
        ax2.set_yticks(range(k), names, fontsize=8)
        for i in range(k):
            for j in range(k):
                if i != j:
                    ax2.text(j, i, num(mat[i, j], digits=2), ha="center", va="center", fontsize=7,
                             color="white" if abs(mat[i, j]) > lim / 2 else "black")
        cb = fig.colorbar(im, ax=ax2, shrink=0.7)
        cb.set_label(d.unit, fontsize=8)
        ax2.set_title(tr("interaction_title", lang), fontsize=10)
    return finish(fig, lang)
