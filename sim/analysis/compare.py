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
