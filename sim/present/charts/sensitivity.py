"""Sensitivity indices: the Morris μ*–σ plane and Sobol S1/ST bars with intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.present.charts.common import finish, new_figure, point_labels
from sim.present.format import plain_axes
from sim.present.i18n import display, factor_name, tr, zone_name


def sensitivity_charts(idx: pd.DataFrame, lang: str = "en") -> list[tuple[str, Figure]]:
    """One (file stem, figure) per method x outcome x year x zone, at the largest N."""
    out = []
    top = idx[idx["N"] == idx["N"].max()]
    for (method, outcome, year, zone), t in top.groupby(["method", "outcome", "year", "zone"], sort=False):
        d = display(outcome, lang)
        fig = new_figure((7.5, 5.5))
        ax = fig.subplots()
        where = "" if zone == "region" else f", {zone_name(zone, lang)}"
        names = [factor_name(f, lang) for f in t["factor"]]
        if method == "morris":
            colors = ["tab:blue" if g == "lever" else "tab:orange" for g in t["group"]]
            mu, sg = t["mu_star"].to_numpy(float) * d.scale, t["sigma"].to_numpy(float) * d.scale
            dots = ax.scatter(mu, sg, c=colors, zorder=3)
            ax.errorbar(mu, sg, xerr=t["mu_star_conf"].to_numpy(float) * d.scale, fmt="none", ecolor="grey",
                        alpha=0.5)
            lim = max(float(np.nanmax(mu)) if len(mu) else 0.0, float(np.nanmax(sg)) if len(sg) else 0.0, 1e-12) * 1.1
            ax.plot([0, lim], [0, lim], ls=":", color="grey", lw=0.8)
            ax.set_xlim(0, lim)
            ax.set_ylim(0, lim)
            ax.set_xlabel(tr("morris_x", lang, u=d.unit))
            ax.set_ylabel(tr("morris_y", lang, u=d.unit))
            ax.set_title(tr("morris_title", lang, o=d.name, y=year, w=where, n=int(t["N"].iloc[0])), fontsize=9)
            plain_axes(ax, x=True)
            point_labels(ax, list(mu), list(np.nan_to_num(sg)), names, lang, fontsize=8, avoid=[dots])
        else:
            pos = np.arange(len(t))
            ax.bar(pos - 0.2, t["S1"], 0.4, yerr=t["S1_conf"], capsize=3, label=tr("s1", lang))
            ax.bar(pos + 0.2, t["ST"], 0.4, yerr=t["ST_conf"], capsize=3, label=tr("st", lang))
            ax.set_xticks(pos, [f"{n}\n({tr(g, lang)})" for n, g in zip(names, t["group"])], fontsize=7,
                          rotation=30, ha="right")
            ax.axhline(0, color="black", lw=0.6)
            ax.set_ylabel(tr("sobol_y", lang))
            ax.set_title(tr("sobol_title", lang, o=d.name, y=year, w=where, n=int(t["N"].iloc[0])), fontsize=9)
            ax.legend(fontsize=8)
            plain_axes(ax)
        stem = f"{method}_{outcome}_{year}{'' if zone == 'region' else '_' + zone}"
        out.append((stem, finish(fig, lang)))
    return out
