"""Charts from the tidy results (matplotlib, Agg): region totals with seed bands, zone panels.

Every function takes the tidy table and returns a saved PNG path; labels come from
``sim.present.labels`` in the chosen language.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
import pandas as pd  # noqa: E402

from sim.present.labels import label, setup_fonts, zone_label  # noqa: E402
from sim.outcomes.metrics import FLOWS_FROM_YEAR_1  # noqa: E402

REGION_PANELS = ("output", "firms", "hightech_firms", "talent", "rd_intensity", "output_per_km2",
                 "entries", "exits", "tax")
# Flows are zero at step 0 (the calibrated start has no past year): plotted from step 1.
FLOW_OUTCOMES = FLOWS_FROM_YEAR_1
PALETTE = plt.get_cmap("tab20").colors


def band(df: pd.DataFrame, outcome: str, by: list[str]) -> pd.DataFrame:
    """Median and 5-95% band across seeds of ``outcome`` per (by..., year)."""
    g = df.groupby(by + ["year"])[outcome]
    out = g.quantile([0.05, 0.5, 0.95]).unstack()
    out.columns = ["lo", "mid", "hi"]
    return out.reset_index()


def region_chart(df: pd.DataFrame, path: Path, lang: str = "en", title: str = "") -> Path:
    """3x3 panels of region totals over time; one line + 5-95% band per package."""
    setup_fonts(lang)
    reg = df[df["zone"] == "region"]
    packages = list(dict.fromkeys(reg["package"])) if "package" in reg else ["run"]
    fig, axes = plt.subplots(3, 3, figsize=(15, 11), constrained_layout=True)
    for ax, outcome in zip(axes.flat, REGION_PANELS):
        for k, pkg in enumerate(packages):
            sub = reg[reg["package"] == pkg] if "package" in reg else reg
            if outcome in FLOW_OUTCOMES:
                sub = sub[sub["step"] > 0]
            b = band(sub, outcome, [])
            color = PALETTE[(2 * k) % len(PALETTE)]
            ax.fill_between(b["year"], b["lo"], b["hi"], color=color, alpha=0.25, linewidth=0)
            ax.plot(b["year"], b["mid"], color=color, lw=2, label=pkg)
        ax.set_title(label(outcome, lang), fontsize=11)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(packages) > 1:
        axes.flat[0].legend(fontsize=8)
    n_seeds = reg["seed"].nunique() if "seed" in reg else 1
    fig.suptitle(title or label("region_title", lang).format(seeds=n_seeds), fontsize=14)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def zone_chart(df: pd.DataFrame, path: Path, lang: str = "en", zone_names: dict[str, str] | None = None) -> Path:
    """Each zone's output (median across seeds) and rank within its class over time."""
    setup_fonts(lang)
    zones = df[df["zone"] != "region"]
    ids = list(dict.fromkeys(zones["zone"]))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(16, 7), constrained_layout=True)
    for k, zid in enumerate(ids):
        sub = zones[zones["zone"] == zid]
        color = PALETTE[k % len(PALETTE)]
        name = zone_label(zid, lang, zone_names)
        national = (sub["level_name"] == "national").mean() > 0.5
        b = band(sub, "output", [])
        ax1.plot(b["year"], b["mid"], color=color, lw=2.2 if national else 1.3, label=name)
        r = sub.groupby("year")["rank"].median()
        ax2.plot(r.index, r.values, color=color, lw=2.2 if national else 1.3, ls="-" if national else "--",
                 marker="o", ms=3, label=name)
    for ax in (ax1, ax2):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax1.set_yscale("log")
    ax1.set_title(label("zone_output_title", lang))
    ax1.set_ylabel(label("output", lang))
    ax1.grid(alpha=0.3, which="both")
    ax2.invert_yaxis()
    ax2.set_title(label("zone_rank_title", lang))
    ax2.set_ylabel(label("rank", lang))
    ax2.grid(alpha=0.3)
    ax2.legend(fontsize=8, ncol=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def summary_table(df: pd.DataFrame, years: list[int], outcomes: tuple[str, ...]) -> pd.DataFrame:
    """Region outcomes at chosen years: mean and 5-95% across seeds, one row per (year, outcome)."""
    reg = df[(df["zone"] == "region") & df["year"].isin(years)]
    rows = []
    for (pkg, year), sub in reg.groupby(["package", "year"], sort=False):
        for o in outcomes:
            if o in FLOW_OUTCOMES and (sub["step"] == 0).all():
                continue  # no flows at the calibrated start
            v = sub[o].to_numpy(dtype=float)
            rows.append({"package": pkg, "year": int(year), "outcome": o, "mean": float(np.mean(v)),
                         "p05": float(np.quantile(v, 0.05)), "p95": float(np.quantile(v, 0.95)),
                         "seeds": int(v.size)})
    return pd.DataFrame(rows)
