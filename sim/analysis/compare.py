"""Compare measure packages against a baseline on common random numbers.

Every package runs on the same replicate seeds, so a difference is measured seed by seed
(paired): ``package - baseline`` for each seed, year and zone, then averaged over seeds with a
95% t-interval. The functions here take the tidy results table of :func:`sim.experiments.runner.run_jobs`
(columns ``package, seed, year, zone`` and the outcomes) and return tables, charts and a short
markdown summary; ``sim.cli.commands.compare`` writes them to disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.present.labels import fmt_number

if TYPE_CHECKING:
    import pandas as pd

# matplotlib and scipy are imported where they are used, so `zonesim --help` stays quick.


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


# What `zonesim compare` runs with no package named: the status quo, the four named levers and
# the full package (6 packages x 8 seeds x 20 years: about a minute on 2 cores).
DEFAULT_PACKAGES = ("baseline", "funding-reward", "delisting", "hosting", "land-by-output", "guangxi-23")
BASELINE = "baseline"

# Outcomes in the difference table (region and zones) and in the charts.
REGION_COMPARE = ("output", "value_added", "firms", "hightech_firms", "entries", "exits", "talent",
                  "high_skill_share", "rd_intensity", "innovations", "output_per_km2", "land_developed",
                  "tax", "public_money", "region_net_fiscal", "output_cv", "delisted_zones")
ZONE_COMPARE = ("output", "output_credited", "firms", "hightech_firms", "talent", "innovations", "output_per_km2",
                "tax", "tax_kept", "score", "rank", "level")
DIFF_PANELS = ("output", "firms", "hightech_firms", "talent", "innovations", "output_per_km2", "tax",
               "public_money", "output_cv")
CONFIDENCE = 0.95


def outcome_unit(name: str) -> str:
    from sim.outcomes.metrics import BY_NAME, REGION_OUTCOMES

    o = BY_NAME.get(name) or next((r for r in REGION_OUTCOMES if r.name == name), None)
    return o.unit if o else ""


def differences(df: pd.DataFrame, years: Sequence[int], baseline: str = BASELINE,
                region: Sequence[str] = REGION_COMPARE, zones: Sequence[str] = ZONE_COMPARE) -> pd.DataFrame:
    """Paired differences against ``baseline`` at ``years``: one row per (package, zone, year,
    outcome) with the baseline and package means, the mean difference and its 95% interval over
    seeds, the relative change, and whether the interval excludes zero. Zones that exist in only
    one of the two runs (new zones) are left out."""
    import pandas as pd

    key = ["seed", "year", "zone"]
    sub = df[df["year"].isin(list(years))]
    base = sub[sub["package"] == baseline]
    if base.empty:
        raise ValueError(f"no rows for the baseline package '{baseline}'")
    rows = []
    for pkg in dict.fromkeys(sub["package"]):
        if pkg == baseline:
            continue
        cur = sub[sub["package"] == pkg]
        m = cur.merge(base, on=key, suffixes=("", "__base"))
        is_region = m["zone"] == "region"
        for scope, names in (("region", region), ("zone", zones)):
            part = m[is_region] if scope == "region" else m[~is_region]
            for o in names:
                if o not in part:
                    continue
                d = part[o].astype(float) - part[f"{o}__base"].astype(float)
                frame = pd.DataFrame({"zone": part["zone"], "year": part["year"], "diff": d,
                                      "value": part[o].astype(float), "base": part[f"{o}__base"].astype(float)})
                g = frame.groupby(["zone", "year"], sort=False)
                agg = g.agg(n=("diff", "size"), diff=("diff", "mean"), sd=("diff", "std"),
                            value=("value", "mean"), base=("base", "mean")).reset_index()
                agg["package"] = pkg
                agg["outcome"] = o
                rows.append(agg)
    if not rows:
        return pd.DataFrame(columns=["package", "zone", "year", "outcome", "baseline", "value", "diff", "lo", "hi",
                                     "rel_change", "significant", "seeds", "unit"])
    out = pd.concat(rows, ignore_index=True)
    n = out["n"].to_numpy(dtype=float)
    from scipy import stats

    tq = np.where(n > 1, stats.t.ppf(0.5 + CONFIDENCE / 2, np.maximum(n - 1, 1)), np.nan)
    half = tq * out["sd"].fillna(0.0).to_numpy() / np.sqrt(np.maximum(n, 1))
    out["lo"] = out["diff"] - half
    out["hi"] = out["diff"] + half
    base_abs = out["base"].abs()
    out["rel_change"] = np.where(base_abs > 1e-12, out["diff"] / base_abs.where(base_abs > 1e-12, 1.0), np.nan)
    out["significant"] = (out["lo"] > 0) | (out["hi"] < 0)
    out["unit"] = [outcome_unit(o) for o in out["outcome"]]
    out = out.rename(columns={"base": "baseline", "n": "seeds"})
    cols = ["package", "zone", "year", "outcome", "unit", "baseline", "value", "diff", "lo", "hi", "rel_change",
            "significant", "seeds"]
    return out[cols]


def status_events(df: pd.DataFrame) -> pd.DataFrame:
    """Status changes per package: mean over seeds of zones delisted/downgraded, promoted or
    re-listed, and warnings over the whole run (region rows)."""
    reg = df[df["zone"] == "region"]
    per_seed = reg.groupby(["package", "seed"], sort=False)[["demoted", "promoted", "warnings"]].sum()
    return per_seed.groupby("package", sort=False).mean().reset_index()


# ------------------------------------------------------------------------------------------
# charts
# ------------------------------------------------------------------------------------------
def _packages(df: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(df["package"]))


def _color(k: int) -> tuple:
    from sim.present.plots import PALETTE

    return PALETTE[(2 * k) % len(PALETTE)]


def difference_chart(df: pd.DataFrame, path: Path, baseline: str = BASELINE, lang: str = "en") -> Path:
    """Region outcomes: package minus baseline, seed by seed; median and 5-95% band per package."""
    plt = _plt()
    from matplotlib.ticker import MaxNLocator

    from sim.present.labels import label, setup_fonts
    from sim.present.plots import band

    setup_fonts(lang)
    reg = df[df["zone"] == "region"]
    base = reg[reg["package"] == baseline].set_index(["seed", "year"])
    fig, axes = plt.subplots(3, 3, figsize=(15, 11), constrained_layout=True)
    for ax, o in zip(axes.flat, DIFF_PANELS):
        for k, pkg in enumerate(_packages(reg)):
            if pkg == baseline:
                continue
            cur = reg[reg["package"] == pkg].set_index(["seed", "year"])
            d = (cur[o] - base[o]).dropna().rename("d").reset_index()
            b = band(d, "d", [])
            ax.fill_between(b["year"], b["lo"], b["hi"], color=_color(k), alpha=0.18, linewidth=0)
            ax.plot(b["year"], b["mid"], color=_color(k), lw=2, label=pkg)
        ax.axhline(0.0, color="black", lw=0.8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(label(o, lang), fontsize=11)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    title = (f"差值：方案减基准（{baseline}），逐种子配对；中位数及5–95%区间" if lang == "zh" else
             f"Difference from '{baseline}' (paired by seed): median and 5-95% band")
    fig.suptitle(title, fontsize=14)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def bump_chart(df: pd.DataFrame, path: Path, lang: str = "en", names: dict[str, str] | None = None) -> Path:
    """Rank within class over time (median over seeds), one panel per package; solid = national
    at the start, dashed = region-level."""
    plt = _plt()
    from matplotlib.ticker import MaxNLocator

    from sim.present.labels import label, setup_fonts, zone_label
    from sim.present.plots import PALETTE

    setup_fonts(lang)
    zones = df[df["zone"] != "region"]
    pkgs = _packages(zones)
    ncol = min(3, len(pkgs))
    nrow = int(np.ceil(len(pkgs) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(5.5 * ncol, 4.5 * nrow), squeeze=False, constrained_layout=True)
    ids = list(dict.fromkeys(zones["zone"]))
    first = zones[zones["step"] == zones["step"].min()].drop_duplicates("zone").set_index("zone")["level_name"]
    for ax, pkg in zip(axes.flat, pkgs):
        sub = zones[zones["package"] == pkg]
        med = sub.groupby(["zone", "year"])["rank"].median().unstack("year")
        for k, zid in enumerate(ids):
            if zid not in med.index:
                continue
            national = first.get(zid, "region") == "national"
            r = med.loc[zid]
            ax.plot(r.index, r.values, color=PALETTE[k % len(PALETTE)], lw=2.2 if national else 1.2,
                    ls="-" if national else "--", marker="o", ms=2.5)
            ax.annotate(zone_label(zid, lang, names), (r.index[-1], r.values[-1]), fontsize=6,
                        xytext=(3, 0), textcoords="offset points", va="center")
        ax.invert_yaxis()
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(pkg, fontsize=11)
        ax.set_ylabel(label("rank", lang))
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(pkgs):]:
        ax.axis("off")
    fig.suptitle("各方案类内排名（种子中位数；实线=国家级）" if lang == "zh" else
                 "Rank within class over time (median over seeds; solid = national at start)", fontsize=13)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def map_chart(diff: pd.DataFrame, coords: dict[str, tuple[float, float]], path: Path, year: int,
              outcome: str = "output", lang: str = "en", names: dict[str, str] | None = None) -> Path:
    """Zones by longitude/latitude, coloured by the relative change of ``outcome`` against the
    baseline in ``year`` (one panel per package); zones only in the package are grey triangles."""
    plt = _plt()
    import matplotlib

    from sim.present.labels import label, setup_fonts, zone_label

    setup_fonts(lang)
    d = diff[(diff["outcome"] == outcome) & (diff["year"] == year) & (diff["zone"] != "region")]
    pkgs = list(dict.fromkeys(d["package"]))
    if not pkgs:
        pkgs = [""]
    ncol = min(3, len(pkgs))
    nrow = int(np.ceil(len(pkgs) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(5.5 * ncol, 4.8 * nrow), squeeze=False, constrained_layout=True)
    lim = float(np.nanmax(np.abs(d["rel_change"]))) * 100 if len(d) else 1.0
    lim = max(lim if np.isfinite(lim) else 1.0, 1.0)
    norm = matplotlib.colors.TwoSlopeNorm(vmin=-lim, vcenter=0.0, vmax=lim)
    sc = None
    for ax, pkg in zip(axes.flat, pkgs):
        sub = d[d["package"] == pkg].set_index("zone")
        for zid, (lon, lat) in coords.items():
            if zid in sub.index:
                row = sub.loc[zid]
                size = 40 + 400 * np.sqrt(max(row["baseline"], 0.0) / max(sub["baseline"].max(), 1e-9))
                sc = ax.scatter(lon, lat, c=[100 * row["rel_change"]], cmap="RdBu", norm=norm, s=size,
                                edgecolors="black" if row["significant"] else "none", linewidths=1.0)
            else:
                ax.scatter(lon, lat, marker="^", color="grey", s=40)
            ax.annotate(zone_label(zid, lang, names), (lon, lat), fontsize=6, xytext=(4, 4), textcoords="offset points")
        ax.set_title(pkg, fontsize=11)
        ax.set_xlabel("经度" if lang == "zh" else "longitude")
        ax.set_ylabel("纬度" if lang == "zh" else "latitude")
        ax.grid(alpha=0.3)
        ax.set_aspect("equal", adjustable="datalim")
    for ax in list(axes.flat)[len(pkgs):]:
        ax.axis("off")
    if sc is not None:
        fig.colorbar(sc, ax=axes, shrink=0.7, label=("%相对基准变化" if lang == "zh" else "% change vs baseline"))
    fig.suptitle((f"{year}年{label(outcome, lang)}相对基准的变化（黑框=95%区间不含0）" if lang == "zh" else
                  f"Change in {outcome} vs baseline in {year} (black edge: 95% interval excludes 0)"), fontsize=12)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


# ------------------------------------------------------------------------------------------
# words
# ------------------------------------------------------------------------------------------
def _pct(v: float) -> str:
    return "n/a" if not np.isfinite(v) else f"{100 * v:+.1f}%"


def summary_markdown(diff: pd.DataFrame, events: pd.DataFrame, *, world: str, years: int, seeds: int,
                     year: int, baseline: str = BASELINE, titles: dict[str, str] | None = None) -> str:
    """A short report in words: per package, what changed most in the region and which zones
    gained or lost most, with 95% intervals over paired seeds."""
    import pandas as pd

    titles = titles or {}
    lines = [f"# Package comparison — {world}", "",
             f"{seeds} seeds, {years} years, every package on the same seeds (common random numbers); "
             f"changes are package minus `{baseline}` in {year}, mean over seeds with a 95% interval. "
             "A change is called clear when its interval excludes zero.", ""]
    reg = diff[(diff["zone"] == "region") & (diff["year"] == year)]
    zon = diff[(diff["zone"] != "region") & (diff["year"] == year)]
    ev = events.set_index("package") if len(events) else pd.DataFrame()
    for pkg in dict.fromkeys(reg["package"]):
        r = reg[reg["package"] == pkg].copy()
        name = titles.get(pkg, pkg)
        lines += [f"## {pkg}" + (f" — {name}" if name != pkg else ""), ""]
        clear = r[r["significant"] & r["rel_change"].notna()].copy()
        clear["mag"] = clear["rel_change"].abs()
        clear = clear.sort_values("mag", ascending=False)
        if clear.empty:
            lines.append(f"No region outcome differs clearly from `{baseline}` in {year}.")
        else:
            parts = [f"{o.replace('_', ' ')} {_pct(c)}" for o, c in zip(clear["outcome"][:4], clear["rel_change"][:4])]
            lines.append(f"What changed most in the region by {year}: " + "; ".join(parts) + ".")
        out = r[r["outcome"] == "output"]
        if len(out):
            o = out.iloc[0]
            word = "clearly" if o["significant"] else "not clearly (within seed noise)"
            base = o["baseline"] if o["baseline"] else np.nan  # the interval, like the change, in % of baseline
            lines.append(f"Region output: {fmt_number(o['value'])} vs {fmt_number(o['baseline'])} CNY bn/yr, "
                         f"{_pct(o['rel_change'])} (95% interval {_pct(o['lo'] / base)} to {_pct(o['hi'] / base)}) "
                         f"— {word} different.")
        z = zon[(zon["package"] == pkg) & (zon["outcome"] == "output")].sort_values("rel_change")
        if len(z) >= 2:
            up, down = z.iloc[-1], z.iloc[0]
            lines.append(f"Zone output: largest gain {up['zone']} {_pct(up['rel_change'])}"
                         f"{'' if up['significant'] else ' (not clear)'}, largest loss {down['zone']} "
                         f"{_pct(down['rel_change'])}{'' if down['significant'] else ' (not clear)'}.")
        if pkg in ev.index:
            e = ev.loc[pkg]
            if e["demoted"] + e["promoted"] + e["warnings"] > 0:
                lines.append(f"Status over the run (mean per seed): {fmt_number(e['demoted'])} downgraded or delisted, "
                             f"{fmt_number(e['promoted'])} promoted, created or re-listed, {fmt_number(e['warnings'])} warnings.")
        lines += ["", "| outcome | unit | baseline | package | change | 95% interval | clear |",
                  "|---|---|---:|---:|---:|---|:-:|"]
        for _, x in r.iterrows():
            lines.append(f"| {x['outcome']} | {x['unit']} | {fmt_number(x['baseline'])} | {fmt_number(x['value'])} | "
                         f"{_pct(x['rel_change'])} | [{fmt_number(x['lo'])}, {fmt_number(x['hi'])}] | "
                         f"{'yes' if x['significant'] else ''} |")
        lines.append("")
    return "\n".join(lines)
