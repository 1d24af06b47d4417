"""Compare measure packages against a baseline on common random numbers.

Every package runs on the same replicate seeds, so a difference is measured seed by seed
(paired): ``package - baseline`` for each seed, year and zone, then averaged over seeds with a
95% t-interval. The functions here take the tidy results table of :func:`sim.experiments.runner.run_jobs`
(columns ``package, seed, year, zone`` and the outcomes) and return tables; the charts and the
summary in words are in ``sim.present``, and ``sim.cli.commands.compare`` writes them to disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

# scipy is imported where it is used, so `zonesim --help` stays quick.

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
CONFIDENCE = 0.95
# Fewer seeds than this never make a change clear: two seeds that moved an outcome by exactly the
# same amount (cohorts move in steps of 25-50 people) give a paired interval of zero width that
# excludes zero and is no evidence; a t-interval of two points says little anyway.
MIN_SEEDS_CLEAR = 3


def outcome_unit(name: str) -> str:
    from sim.outcomes.metrics import BY_NAME, REGION_OUTCOMES

    o = BY_NAME.get(name) or next((r for r in REGION_OUTCOMES if r.name == name), None)
    return o.unit if o else ""


def differences(df: pd.DataFrame, years: Sequence[int], baseline: str = BASELINE,
                region: Sequence[str] = REGION_COMPARE, zones: Sequence[str] = ZONE_COMPARE) -> pd.DataFrame:
    """Paired differences against ``baseline`` at ``years``: one row per (package, zone, year,
    outcome) with the baseline and package means, the mean difference and its 95% interval over
    seeds, the relative change, and whether the interval excludes zero (``significant``; never
    with fewer than MIN_SEEDS_CLEAR seeds). Zones that exist in only one of the two runs (new
    zones) are left out."""
    import pandas as pd

    key = ["seed", "year", "zone"]
    sub = df[df["year"].isin(list(years))]
    base = sub[sub["package"] == baseline]
    if base.empty:
        raise ValueError(f"no rows for the baseline package '{baseline}'")
    rows = []
    for pkg in sub["package"].unique():  # in order of appearance
        if pkg == baseline:
            continue
        cur = sub[sub["package"] == pkg]
        m = cur.merge(base, on=key, suffixes=("", "__base"))
        is_region = m["zone"] == "region"
        for scope, names in (("region", region), ("zone", zones)):
            part = m[is_region] if scope == "region" else m[~is_region]
            present = [o for o in names if o in part]
            if not present:
                continue
            # every outcome's seeds grouped in one pass (the same sums, column by column, as one
            # groupby an outcome), then one block of rows an outcome, in the order named
            cols = {"zone": part["zone"], "year": part["year"]}
            for k, o in enumerate(present):
                value, before = part[o].astype(float), part[f"{o}__base"].astype(float)
                cols[f"d{k}"], cols[f"v{k}"], cols[f"b{k}"] = value - before, value, before
            g = pd.DataFrame(cols).groupby(["zone", "year"], sort=False)
            diffs = [f"d{k}" for k in range(len(present))]
            means, sds, size = g.mean(), g[diffs].std(), g.size()
            index = means.index.to_frame(index=False)
            for k, o in enumerate(present):
                rows.append(index.assign(n=size.to_numpy(), diff=means[f"d{k}"].to_numpy(),
                                         sd=sds[f"d{k}"].to_numpy(), value=means[f"v{k}"].to_numpy(),
                                         base=means[f"b{k}"].to_numpy(), package=pkg, outcome=o))
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
    out["significant"] = ((out["lo"] > 0) | (out["hi"] < 0)) & (n >= MIN_SEEDS_CLEAR)
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
# what the pairing bought: correlation, variance reduction, seeds needed, the verdict
# ------------------------------------------------------------------------------------------
PAIRING_SUMMARY_COLUMNS = ["package", "outcome", "year", "seeds", "baseline", "value", "diff", "lo", "hi",
                           "rel_change", "rel_half_width", "correlation", "zone_correlation_median",
                           "variance_reduction", "seeds_needed", "seeds_needed_unpaired", "seeds_to_clear", "verdict"]

# The verdict on an effect at the seeds run (sim.present words it):
#   "clear": the paired interval excludes zero (MIN_SEEDS_CLEAR seeds or more); more seeds narrow it
#            but do not change the call.
#   "few_seeds": fewer than MIN_SEEDS_CLEAR seeds: not clear whatever the interval (two seeds with the
#            same change give an interval of zero width).
#   "small": the interval straddles zero but is already within +-target of the baseline mean: the
#            effect, if any, is smaller than that; more seeds would not change the call at +-target.
#   "more_seeds": the interval straddles zero and is wider than +-target; ``seeds_needed`` seeds
#            would narrow it to +-target (and could make the effect clear).
#   "no_scale": the baseline mean is zero, so +-target of it means nothing; only clear or not.
VERDICTS = ("clear", "small", "more_seeds", "no_scale", "few_seeds")


def verdict(significant: bool, rel_half_width: float, baseline: float, target: float,
            seeds: float = MIN_SEEDS_CLEAR) -> str:
    """The verdict on one paired effect at ``seeds`` seeds (see VERDICTS)."""
    if not (seeds >= MIN_SEEDS_CLEAR):
        return "few_seeds"
    if bool(significant):
        return "clear"
    if not (abs(float(baseline)) > 1e-12) or not np.isfinite(rel_half_width):
        return "no_scale"
    return "small" if rel_half_width <= target else "more_seeds"


def pairing_summary(df: pd.DataFrame, year: int | None = None, baseline: str = BASELINE,
                    outcomes: Sequence[str] = ("output",), target: float | None = None) -> pd.DataFrame:
    """What the pairing on common random numbers bought, per package and region outcome at
    ``year`` (default: the last year): the effect and its PAIRED 95% interval (the t-interval of
    the per-seed differences package - baseline, as in :func:`differences`), the baseline-package
    correlation over seeds, the median over zones of the same correlation (for outcomes kept per
    zone), the variance reduction against independent seeds, the seeds needed for an interval of
    +-``target`` (2% by default) of the baseline mean, paired and unpaired, and the verdict
    (see VERDICTS); ``seeds_to_clear``: the seeds a paired interval of half-width ``|diff|``
    needs (the seeds that would make an effect of the estimated size clear; capped like
    ``seeds_needed``). Built on :func:`sim.analysis.pairing.pairing_table`."""
    import pandas as pd

    from sim.analysis.pairing import MAX_SEEDS, TARGET, pairing_table, seeds_needed, zone_correlations
    from scipy import stats

    target = TARGET if target is None else float(target)
    year = int(df["year"].max()) if year is None else int(year)
    if not (df["package"] == baseline).any():
        raise ValueError(f"no rows for the baseline package '{baseline}'")
    # the year's rows once (each table below looks at this year alone); with no baseline row in
    # it, every table would be empty, as the pairing needs the baseline on each seed
    at = df[df["year"] == year]
    zones = at[at["zone"] != "region"]
    parts = []
    for o in outcomes if (at["package"] == baseline).any() else ():
        if o not in df:
            continue
        t = pairing_table(at, baseline=baseline, outcome=o, year=year, zone="region", target=target,
                          confidence=CONFIDENCE)
        if t.empty:
            continue
        if o in zones and zones[o].notna().any():
            zc = zone_correlations(at, baseline=baseline, outcome=o, year=year)
            med = zc.groupby("package", sort=False)["correlation"].median()
            t["zone_correlation_median"] = [float(med.get(p, np.nan)) for p in t["package"]]
        else:
            t["zone_correlation_median"] = np.nan
        sig = (t["lo"] > 0) | (t["hi"] < 0)
        n = t["seeds"].to_numpy(dtype=float)
        tq = np.where(n > 1, stats.t.ppf(0.5 + CONFIDENCE / 2, np.maximum(n - 1, 1)), np.nan)
        var_d = ((t["hi"] - t["lo"]).to_numpy(dtype=float) / 2 / tq) ** 2 * n  # back from the half-width
        t["seeds_to_clear"] = [seeds_needed(v, abs(d), CONFIDENCE) if k > 1 and np.isfinite(v) else MAX_SEEDS
                               for v, d, k in zip(var_d, t["diff"], n)]
        t["verdict"] = [verdict(s, h, b, target, k)
                        for s, h, b, k in zip(sig, t["rel_half_width"], t["baseline"], n)]
        parts.append(t)
    if not parts:
        return pd.DataFrame(columns=PAIRING_SUMMARY_COLUMNS)
    return pd.concat(parts, ignore_index=True)[PAIRING_SUMMARY_COLUMNS]
