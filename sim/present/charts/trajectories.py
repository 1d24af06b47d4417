"""Outcomes over the years: region totals with seed bands, each zone's output, and the paired
difference of each package from the baseline. Every function returns a Figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.analysis.summary import FLOWS
from sim.present.charts.common import ZONE_COLORS, band, end_labels, finish, new_figure, package_color
from sim.present.format import plain_axes
from sim.present.i18n import display, tr

REGION_PANELS = ("output", "firms", "hightech_firms", "talent", "rd_intensity", "output_per_km2",
                 "entries", "exits", "tax")
DASH_PANELS = ("output", "firms", "hightech_firms", "talent", "rd_intensity", "output_per_km2")
DIFF_PANELS = ("output", "firms", "hightech_firms", "talent", "innovations", "output_per_km2", "tax",
               "public_money", "output_cv")


def _packages(df: pd.DataFrame) -> list[str]:
    return list(df["package"].unique()) if "package" in df else [""]  # in order of appearance


def _year_axis(ax, xlim: tuple[int, int] | None = None) -> None:
    if xlim:
        ax.set_xlim(*xlim)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.tick_params(labelsize=9)
    ax.grid(alpha=0.3)


def region_panels(df: pd.DataFrame, lang: str = "en", panels: tuple[str, ...] = DASH_PANELS,
                  titles: dict[str, str] | None = None, ncols: int = 3, size: tuple[float, float] = (11, 5.6),
                  xlim: tuple[int, int] | None = None, title: str = "") -> Figure:
    """Region totals over the years, one panel per outcome, in the reader's units; one line
    (median) + 5-95% band per package when there are several seeds."""
    reg = df[df["zone"] == "region"]
    nrows = int(np.ceil(len(panels) / ncols))
    fig = new_figure(size)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    pkgs = _packages(reg)
    for ax, outcome in zip(axes.flat, panels):
        d = display(outcome, lang)
        for k, pkg in enumerate(pkgs):
            sub = reg[reg["package"] == pkg] if pkg else reg
            if outcome in FLOWS:
                sub = sub[sub["step"] > 0]
            g = sub.groupby("year")[outcome]
            mid = g.median() * d.scale
            color = package_color(k)
            name = (titles or {}).get(pkg, pkg)
            if g.size().max() > 1:
                ax.fill_between(mid.index, g.quantile(0.05) * d.scale, g.quantile(0.95) * d.scale, color=color,
                                alpha=0.2, lw=0)
            ax.plot(mid.index, mid.values, color=color, lw=2, marker="o" if len(mid) < 4 else None, label=name)
        ax.set_title(d.label_in(lang), fontsize=11)
        _year_axis(ax, xlim)
        plain_axes(ax, percent=d.kind == "share")
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    if len(pkgs) > 1:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=min(len(pkgs), 4), fontsize=10, frameon=False)
    if title:
        fig.suptitle(title, fontsize=13)
    return finish(fig, lang)


def region_chart(df: pd.DataFrame, lang: str = "en", titles: dict[str, str] | None = None) -> Figure:
    """The 3x3 region panels of ``zonesim run`` / ``compare`` with their title."""
    n_seeds = df[df["zone"] == "region"]["seed"].nunique() if "seed" in df else 1
    return region_panels(df, lang, REGION_PANELS, titles, ncols=3, size=(15, 11),
                         title=tr("region_title", lang, seeds=n_seeds))


def zone_trajectories(df: pd.DataFrame, names: dict[str, str], lang: str = "en", outcome: str = "output",
                      size: tuple[float, float] = (13, 5.2), xlim: tuple[int, int] | None = None) -> Figure:
    """Each zone's ``outcome`` over the years (median across seeds, log scale with plain
    numbers), labelled at the line ends; thick solid lines for national zones."""
    zones = df[df["zone"] != "region"]
    d = display(outcome, lang)
    fig = new_figure(size)
    ax = fig.subplots()
    ends, texts, colors = [], [], []
    for k, zid in enumerate(dict.fromkeys(zones["zone"])):
        sub = zones[zones["zone"] == zid]
        color = ZONE_COLORS[k % len(ZONE_COLORS)]
        last = sub[sub["year"] == sub["year"].max()]
        national = (last["level_name"] == "national").mean() > 0.5
        y = sub.groupby("year")[outcome].median() * d.scale
        ax.plot(y.index, y.values, color=color, lw=2.4 if national else 1.3, ls="-" if national else "--")
        if len(y) and y.iloc[-1] > 0:
            ends.append(float(y.iloc[-1]))
            texts.append(names.get(zid, zid))
            colors.append(color)
    ax.set_yscale("log")
    _year_axis(ax, xlim)
    ax.grid(alpha=0.3, which="both")
    plain_axes(ax)
    title = tr("zone_output_title", lang, unit=d.unit) if outcome == "output" else d.label_in(lang)
    ax.set_title(title, fontsize=11)
    if ends:
        end_labels(ax, float(zones["year"].max()) + 0.15, ends, texts, colors, log=True)
    return finish(fig, lang)


def difference_panels(df: pd.DataFrame, baseline: str, lang: str = "en", titles: dict[str, str] | None = None,
                      panels: tuple[str, ...] = DIFF_PANELS, size: tuple[float, float] = (15, 11),
                      base_title: str | None = None) -> Figure:
    """Region outcomes: package minus baseline, seed by seed, in the reader's units; median and
    5-95% band per package; a zero line."""
    reg = df[df["zone"] == "region"]
    base = reg[reg["package"] == baseline].set_index(["seed", "year"])
    ncols = 3
    nrows = int(np.ceil(len(panels) / ncols))
    fig = new_figure(size)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    pkgs = [p for p in _packages(reg) if p != baseline]
    for ax, o in zip(axes.flat, panels):
        d = display(o, lang)
        for k, pkg in enumerate(_packages(reg)):
            if pkg == baseline:
                continue
            cur = reg[reg["package"] == pkg].set_index(["seed", "year"])
            diff = ((cur[o] - base[o]) * d.scale).dropna().rename("d").reset_index()
            if diff.empty:
                continue
            b = band(diff, "d")
            ax.fill_between(b["year"], b["lo"], b["hi"], color=package_color(k), alpha=0.18, linewidth=0)
            ax.plot(b["year"], b["mid"], color=package_color(k), lw=2, label=(titles or {}).get(pkg, pkg))
        ax.axhline(0.0, color="black", lw=0.8)
        ax.set_title(d.label_in(lang), fontsize=11)
        _year_axis(ax)
        plain_axes(ax, percent=d.kind == "share")
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    if pkgs:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=min(len(pkgs), 4), fontsize=10, frameon=False)
    fig.suptitle(tr("diff_title", lang, b=base_title or (titles or {}).get(baseline, baseline)), fontsize=13)
    return finish(fig, lang)


__all__ = ["region_panels", "region_chart", "zone_trajectories", "difference_panels", "REGION_PANELS",
           "DASH_PANELS", "DIFF_PANELS"]
