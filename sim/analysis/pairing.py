"""What the pairing of packages on common random numbers buys: correlation, paired interval,
seeds needed.

Every package runs on the same replicate seeds, and every random decision draws from a stream
keyed by (seed, stream, year, agent) (``sim.core.streams``), so a package and the baseline on
one seed differ by the package's effect and little else. The effect of a package is then
estimated seed by seed (``package - baseline``) and its interval is narrow when the two runs are
highly correlated: the variance of the paired difference is ``var(b) + var(p) - 2 cov(b, p)``,
against ``var(b) + var(p)`` for independent runs.

:func:`pairing_table` gives, for each package against the baseline and one outcome of one zone
(the region by default) at one year: the effect and its paired interval (both also in % of the
baseline mean), the baseline-package correlation over seeds, the variance reduction (unpaired
variance over paired variance), and the seeds needed for an interval of +-``target`` (2 % by
default) of the baseline mean, paired and unpaired. :func:`zone_correlations` gives the same
correlation for every zone. Input: the tidy results table of ``sim.experiments.runner.run_jobs``
(columns ``package, seed, year, zone`` and the outcomes). Both are tables; the compare summary
and report will print them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

CONFIDENCE = 0.95
TARGET = 0.02  # half-width of the interval wanted, as a share of the baseline mean
MAX_SEEDS = 1_000_000  # "seeds needed" is capped here (an effect with no pairing and no spread)

PAIRING_COLUMNS = ["package", "zone", "year", "outcome", "seeds", "baseline", "value", "diff", "lo", "hi",
                   "rel_change", "rel_half_width", "correlation", "variance_reduction", "seeds_needed",
                   "seeds_needed_unpaired"]


def _t(n: int, confidence: float) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.5 + confidence / 2, n - 1)) if n > 1 else math.nan


def seeds_needed(variance: float, half_width: float, confidence: float = CONFIDENCE) -> int:
    """Smallest n >= 2 with t(n-1) * sqrt(variance / n) <= ``half_width`` (the seeds a
    t-interval of that half-width needs, for a difference with that variance per seed).
    Capped at MAX_SEEDS."""
    if not (variance >= 0.0) or not (half_width > 0.0):
        return MAX_SEEDS
    if variance == 0.0:
        return 2
    from scipy import stats

    z = stats.norm.ppf(0.5 + confidence / 2)
    n = max(2, math.ceil(z * z * variance / half_width**2))
    while n < MAX_SEEDS and _t(n, confidence) * math.sqrt(variance / n) > half_width:
        n += 1 if n < 100 else max(1, n // 100)
    return min(n, MAX_SEEDS)


def _paired(df: pd.DataFrame, baseline: str, outcome: str, year: int | None, zone: str | None) -> pd.DataFrame:
    """Rows of (package, zone, seed) with the package's and the baseline's value of ``outcome``
    at ``year`` (default: the last year in the table), merged on seed and zone."""
    if not (df["package"] == baseline).any():
        raise ValueError(f"no rows for the baseline package '{baseline}'")
    if outcome not in df:
        raise KeyError(f"no outcome '{outcome}' in the results")
    year = int(df["year"].max()) if year is None else int(year)
    sub = df[df["year"] == year]
    if zone is not None:
        sub = sub[sub["zone"] == zone]
    sub = sub[["package", "seed", "zone", outcome]]
    base = sub[sub["package"] == baseline].drop(columns="package")
    cur = sub[sub["package"] != baseline]
    m = cur.merge(base, on=["seed", "zone"], suffixes=("", "__base"))
    m = m.rename(columns={outcome: "value", f"{outcome}__base": "base"})
    m["year"] = year
    return m


def pairing_table(df: pd.DataFrame, baseline: str = "baseline", outcome: str = "output", year: int | None = None,
                  zone: str | None = "region", target: float = TARGET, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """One row per package (besides ``baseline``): ``outcome`` of ``zone`` at ``year`` (default:
    the last year), paired seed by seed with the baseline run on the same seed.

    Columns: ``seeds``; ``baseline`` and ``value`` (means over seeds); ``diff`` (mean paired
    difference) and its ``confidence`` t-interval ``lo``, ``hi``; ``rel_change`` and
    ``rel_half_width`` (the effect and the interval's half-width in % of the baseline mean, as
    fractions); ``correlation`` of baseline and package over seeds; ``variance_reduction``:
    (var(baseline) + var(package)) / var(package - baseline), the factor by which pairing cuts
    the seeds an interval needs; ``seeds_needed`` and ``seeds_needed_unpaired``: the seeds for
    a half-width of ``target`` x the baseline mean, paired and with independent seeds per
    package. ``zone=None``: one row per package and zone. Zones that exist in only one of the
    two runs are left out."""
    import pandas as pd

    m = _paired(df, baseline, outcome, year, zone)
    rows = []
    for (pkg, z), g in m.groupby(["package", "zone"], sort=False):
        b = g["base"].to_numpy(dtype=float)
        v = g["value"].to_numpy(dtype=float)
        n = b.size
        d = v - b
        var_b = float(b.var(ddof=1)) if n > 1 else math.nan
        var_v = float(v.var(ddof=1)) if n > 1 else math.nan
        var_d = float(d.var(ddof=1)) if n > 1 else math.nan
        corr = float(np.corrcoef(b, v)[0, 1]) if n > 2 and var_b > 0 and var_v > 0 else math.nan
        half = _t(n, confidence) * math.sqrt(var_d / n) if n > 1 else math.nan
        mean_b = float(b.mean())
        scale = abs(mean_b)
        want = target * scale
        rows.append({
            "package": pkg, "zone": z, "year": int(g["year"].iloc[0]), "outcome": outcome, "seeds": n,
            "baseline": mean_b, "value": float(v.mean()), "diff": float(d.mean()),
            "lo": float(d.mean()) - half, "hi": float(d.mean()) + half,
            "rel_change": float(d.mean()) / scale if scale > 0 else math.nan,
            "rel_half_width": half / scale if scale > 0 else math.nan,
            "correlation": corr,
            "variance_reduction": (var_b + var_v) / var_d if var_d > 0 else math.inf,
            "seeds_needed": seeds_needed(var_d, want, confidence) if n > 1 else MAX_SEEDS,
            "seeds_needed_unpaired": seeds_needed(var_b + var_v, want, confidence) if n > 1 else MAX_SEEDS,
        })
    return pd.DataFrame(rows, columns=PAIRING_COLUMNS)


def zone_correlations(df: pd.DataFrame, baseline: str = "baseline", outcome: str = "output",
                      year: int | None = None) -> pd.DataFrame:
    """Baseline-package correlation over seeds of ``outcome`` at ``year`` (default: the last)
    for every zone present in both runs (not the region row): columns ``package, zone, seeds,
    correlation`` (NaN where either side does not vary over seeds)."""
    import pandas as pd

    m = _paired(df, baseline, outcome, year, None)
    m = m[m["zone"] != "region"]
    rows = []
    for (pkg, z), g in m.groupby(["package", "zone"], sort=False):
        b, v = g["base"].to_numpy(dtype=float), g["value"].to_numpy(dtype=float)
        ok = b.size > 2 and b.std() > 0 and v.std() > 0
        rows.append({"package": pkg, "zone": z, "seeds": b.size,
                     "correlation": float(np.corrcoef(b, v)[0, 1]) if ok else math.nan})
    return pd.DataFrame(rows, columns=["package", "zone", "seeds", "correlation"])
