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
            mu, sg = t["mu_star"].to_numpy(float) * d.scale, np.nan_to_num(t["sigma"].to_numpy(float) * d.scale)
            conf = np.nan_to_num(t["mu_star_conf"].to_numpy(float) * d.scale)
            # log axes: screening indices span orders of magnitude, and on linear axes the small
            # factors pile up at the origin with their labels on top of each other (a Morris study
            # of the bundled model: 8 of 11 labels within 3% of the axis); the 1:1 line stays a line
            pos = np.concatenate([mu[mu > 0], sg[sg > 0]])
            lo = float(pos.min()) / 3 if len(pos) else 1e-3
            hi = float(pos.max()) * 3 if len(pos) else 1.0
            mu_p, sg_p = np.maximum(mu, lo), np.maximum(sg, lo)  # a zero index sits on the axis
            dots = ax.scatter(mu_p, sg_p, c=colors, zorder=3)
            ax.errorbar(mu_p, sg_p, xerr=[np.minimum(conf, mu_p - lo * 1.0001).clip(0), conf], fmt="none",
                        ecolor="grey", alpha=0.5)
            ax.plot([lo, hi], [lo, hi], ls=":", color="grey", lw=0.8)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlim(lo, hi)
            ax.set_ylim(lo, hi)
            ax.set_xlabel(tr("morris_x_log", lang, u=d.unit))
            ax.set_ylabel(tr("morris_y_log", lang, u=d.unit))
            ax.set_title(tr("morris_title", lang, o=d.name, y=year, w=where, n=int(t["N"].iloc[0])), fontsize=9)
            plain_axes(ax, x=True)
            point_labels(ax, list(mu_p), list(sg_p), names, lang, fontsize=8)
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
