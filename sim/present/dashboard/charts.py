"""Matplotlib figures and tables shared by the live dashboard and the hand-out report.

Everything here reads the tidy results table (``ZoneModel.results()`` or a results folder's
``results.parquet``, optionally with ``package``/``seed`` columns) and takes ``lang``; nothing
here imports solara, so ``sim.present.report`` can use it without the dashboard extra.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from sim.present.labels import label, level_label, setup_fonts  # noqa: E402

LEVEL_COLORS = {"national": "#c0392b", "region": "#2471a3", "delisted": "#7f8c8d"}
PACKAGE_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
ZONE_COLORS = plt.get_cmap("tab20").colors
DASH_PANELS = ("output", "firms", "hightech_firms", "talent", "rd_intensity", "output_per_km2")
FLOWS = {"entries", "exits", "startups", "spinoffs", "arrivals", "innovations", "transfers", "public_money",
         "talent_inflow", "talent_outflow", "land_allotted"}


def zone_names(ids: list[str], names_en: list[str], names_zh: list[str], lang: str) -> dict[str, str]:
    return dict(zip(ids, names_zh if lang == "zh" else names_en))


def _packages(df: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(df["package"])) if "package" in df else [""]


def region_panels(df: pd.DataFrame, lang: str = "en", panels: tuple[str, ...] = DASH_PANELS,
                  titles: dict[str, str] | None = None, ncols: int = 3, size: tuple[float, float] = (11, 5.6),
                  xlim: tuple[int, int] | None = None) -> Figure:
    """Region totals over the years, one panel per outcome; one line (median) + 5-95% band per
    package when there are several seeds."""
    setup_fonts(lang)
    reg = df[df["zone"] == "region"]
    nrows = int(np.ceil(len(panels) / ncols))
    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, outcome in zip(axes.flat, panels):
        for k, pkg in enumerate(_packages(reg)):
            sub = reg[reg["package"] == pkg] if pkg else reg
            if outcome in FLOWS:
                sub = sub[sub["step"] > 0]
            g = sub.groupby("year")[outcome]
            mid = g.median()
            color = PACKAGE_COLORS[k % len(PACKAGE_COLORS)]
            name = (titles or {}).get(pkg, pkg)
            if g.size().max() > 1:
                ax.fill_between(mid.index, g.quantile(0.05), g.quantile(0.95), color=color, alpha=0.2, lw=0)
            ax.plot(mid.index, mid.values, color=color, lw=2, marker="o" if len(mid) < 4 else None, label=name)
        ax.set_title(label(outcome, lang), fontsize=10)
        ax.grid(alpha=0.3)
        if xlim:
            ax.set_xlim(*xlim)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    if len(_packages(reg)) > 1:
        axes.flat[0].legend(fontsize=8)
    return fig


def zone_trajectories(df: pd.DataFrame, names: dict[str, str], lang: str = "en", outcome: str = "output",
                      size: tuple[float, float] = (11, 4.6), xlim: tuple[int, int] | None = None) -> Figure:
    """Each zone's ``outcome`` (median across seeds, log scale) and rank within class."""
    setup_fonts(lang)
    zones = df[df["zone"] != "region"]
    fig = Figure(figsize=size, layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    for k, zid in enumerate(dict.fromkeys(zones["zone"])):
        sub = zones[zones["zone"] == zid]
        color = ZONE_COLORS[k % len(ZONE_COLORS)]
        last = sub[sub["year"] == sub["year"].max()]
        national = (last["level_name"] == "national").mean() > 0.5
        y = sub.groupby("year")[outcome].median()
        r = sub.groupby("year")["rank"].median()
        kw = dict(color=color, lw=2.2 if national else 1.2, ls="-" if national else "--")
        ax1.plot(y.index, y.values, label=names.get(zid, zid), **kw)
        ax2.plot(r.index, r.values, marker="o", ms=2.5, label=names.get(zid, zid), **kw)
    ax1.set_yscale("log")
    ax1.set_title(label("zone_output_title", lang) if outcome == "output" else label(outcome, lang), fontsize=10)
    ax2.set_title(label("zone_rank_title", lang), fontsize=10)
    ax2.invert_yaxis()
    for ax in (ax1, ax2):
        if xlim:
            ax.set_xlim(*xlim)
        ax.grid(alpha=0.3, which="both")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        ax.tick_params(labelsize=8)
    ax2.legend(fontsize=7, ncol=1, loc="upper left", bbox_to_anchor=(1.0, 1.02))
    return fig


def zone_map(final: pd.DataFrame, lon: dict[str, float], lat: dict[str, float], names: dict[str, str],
             lang: str = "en", hosts: dict[str, str] | None = None, size: tuple[float, float] = (6.5, 5.2)) -> Figure:
    """Zones at their coordinates: marker area ~ output, colour = level, grey line to the host
    of a hosted zone. ``final``: one row per zone (zone, level_name, output)."""
    setup_fonts(lang)
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.subplots()
    final = final[final["zone"].isin(lon)]
    for zid, host in (hosts or {}).items():
        if zid in lon and host in lon:
            ax.plot([lon[zid], lon[host]], [lat[zid], lat[host]], color="#888", lw=1.2, ls=":", zorder=1)
    top = max(float(final["output"].max()), 1e-9) if len(final) else 1.0
    for lvl, color in LEVEL_COLORS.items():
        sub = final[final["level_name"] == lvl]
        if sub.empty:
            continue
        ax.scatter([lon[z] for z in sub["zone"]], [lat[z] for z in sub["zone"]],
                   s=40 + 900 * sub["output"].to_numpy() / top, color=color, alpha=0.75, edgecolor="k", lw=0.6,
                   label=label(lvl, lang), zorder=2)
    placed: list[tuple[float, float]] = []
    for zid in final.sort_values("output", ascending=False)["zone"]:
        x, y = lon[zid], lat[zid]
        crowded = any(abs(x - px) < 0.6 and abs(y - py) < 0.25 for px, py in placed)
        ax.annotate(names.get(zid, zid), (x, y), fontsize=7, xytext=(6, -11) if crowded else (6, 5),
                    textcoords="offset points")
        placed.append((x, y))
    ax.set_xlabel(label("lon", lang))
    ax.set_ylabel(label("lat", lang))
    ax.set_title(label("map_title", lang), fontsize=10)
    ax.grid(alpha=0.3)
    ax.set_aspect(1 / np.cos(np.radians(23.5)))
    ax.margins(0.12)
    from matplotlib.lines import Line2D

    present = [lvl for lvl in LEVEL_COLORS if (final["level_name"] == lvl).any()]
    handles = [Line2D([], [], ls="", marker="o", ms=8, color=LEVEL_COLORS[lvl], mec="k", label=label(lvl, lang))
               for lvl in present]
    if hosts:
        handles.append(Line2D([], [], color="#888", ls=":", label=label("hosted", lang)))
    ax.legend(handles=handles, fontsize=8, loc="lower right")
    return fig


def ranking(df: pd.DataFrame, names: dict[str, str], slot_ids: list[str], lang: str = "en") -> pd.DataFrame:
    """The final year's ranking: one row per zone, medians across seeds, sorted by level then rank.

    Columns: zone id, name, level (text, with 'hosted'), rank, score, output, output change since
    the first year (%), and the share of seeds in which the zone ended delisted / hosted.
    """
    zones = df[df["zone"] != "region"]
    if zones.empty:
        return pd.DataFrame()
    first_year, last_year = zones["year"].min(), zones["year"].max()
    last = zones[zones["year"] == last_year]
    first = zones[zones["year"] == first_year].groupby("zone")["output"].median()
    rows = []
    for zid, sub in last.groupby("zone", sort=False):
        level = sub["level_name"].mode().iloc[0]
        hosted_share = float((sub["hosted_by"] >= 0).mean())
        host_slot = int(sub["hosted_by"].mode().iloc[0])
        host = slot_ids[host_slot] if 0 <= host_slot < len(slot_ids) else ""
        out = float(sub["output"].median())
        start = float(first.get(zid, np.nan))
        rows.append({
            "zone_id": zid, "zone": names.get(zid, zid), "level_code": level,
            "level": level_label(level, lang, hosted_share > 0.5)
            + ((f"（{names.get(host, host)}）" if lang == "zh" else f" ({names.get(host, host)})")
               if hosted_share > 0.5 and host else ""),
            "rank": float(sub["rank"].median()), "score": float(sub["score"].median()), "output": out,
            "output_change_pct": 100 * (out / start - 1) if start and start > 0 else np.nan,
            "delisted_share": float((sub["level_name"] == "delisted").mean()), "hosted_share": hosted_share,
        })
    order = {"national": 0, "region": 1, "delisted": 2}
    out = pd.DataFrame(rows)
    out["_o"] = out["level_code"].map(order).fillna(3)
    return out.sort_values(["_o", "rank"]).drop(columns="_o").reset_index(drop=True)


RANK_HEAD = {
    "en": {"zone": "Zone", "level": "Level", "rank": "Rank", "score": "Score", "output": "Output (CNY bn)",
           "output_change_pct": "Output change since start", "delisted_share": "Delisted (share of seeds)"},
    "zh": {"zone": "高新区", "level": "级别", "rank": "类内排名", "score": "评价得分", "output": "总产出（十亿元）",
           "output_change_pct": "产出较起始年变化", "delisted_share": "被撤销（种子占比）"},
}


def ranking_html(rank: pd.DataFrame, lang: str = "en", table_id: str = "ranking") -> str:
    """The ranking as an HTML table (``data-zone`` on rows, ``data-level`` for styling)."""
    import html

    head = RANK_HEAD[lang]
    cols = ["zone", "level", "rank", "score", "output", "output_change_pct"]
    if "delisted_share" in rank and rank["delisted_share"].gt(0).any():
        cols.append("delisted_share")
    th = "".join(f"<th>{html.escape(head[c])}</th>" for c in cols)
    body = []
    for _, r in rank.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            if c in ("rank",):
                txt = f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"
            elif c == "score":
                txt = f"{v:.1f}"
            elif c == "output":
                txt = f"{v:,.1f}"
            elif c == "output_change_pct":
                txt = "" if pd.isna(v) else f"{v:+.1f}%"
            elif c == "delisted_share":
                txt = f"{100 * v:.0f}%"
            else:
                txt = html.escape(str(v))
            cells.append(f"<td>{txt}</td>")
        body.append(f'<tr data-zone="{html.escape(str(r["zone_id"]))}" data-level="{html.escape(str(r["level_code"]))}">'
                    + "".join(cells) + "</tr>")
    return (f'<table class="ranking" id="{html.escape(table_id)}"><thead><tr>{th}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def to_png(fig: Figure, dpi: int = 100) -> bytes:
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
