"""Tables that summarise a tidy results table (one run or a comparison): start and end values
with seed spreads, paired differences, level changes, the final ranking of zones.

Tables in, tables out: the report, the dashboard and ``zonesim run`` present these.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.core.units import m_from_bn
from sim.outcomes.metrics import FLOWS_FROM_YEAR_1

# Flows of the year without a value at step 0 (the calibrated start has no past year), as
# declared with the outcomes (sim.outcomes.metrics).
FLOWS = FLOWS_FROM_YEAR_1
HEADLINE = ("output", "value_added", "firms", "hightech_firms", "talent", "high_skill_share", "rd_intensity",
            "innovations", "output_per_km2", "tax", "output_cv", "public_money")


def region_rows(df: pd.DataFrame) -> pd.DataFrame:
    """The region rows, with ``package`` and ``seed`` columns even for a single run."""
    reg = df[df["zone"] == "region"].copy()
    if "package" not in reg:
        reg["package"] = "run"
    if "seed" not in reg:
        reg["seed"] = 0
    return reg


def _pct(a: float, b: float) -> float:
    return 100.0 * (b / a - 1.0) if a and np.isfinite(a) and a != 0 else np.nan


def headline(df: pd.DataFrame, outcomes: tuple[str, ...] = HEADLINE) -> pd.DataFrame:
    """Per package and outcome: start and end values (mean, p05, p95 across seeds), the change in
    %, and against the first package the paired (same seed) difference at the end: mean, 5-95%
    across seeds, and the same in % of the first package's mean."""
    reg = region_rows(df)
    outcomes = tuple(o for o in outcomes if o in reg)
    y0, y1 = int(reg["year"].min()), int(reg["year"].max())
    pkgs = list(dict.fromkeys(reg["package"]))
    base = reg[(reg["package"] == pkgs[0]) & (reg["year"] == y1)].set_index("seed")
    rows = []
    for pkg in pkgs:
        s = reg[(reg["package"] == pkg) & (reg["year"] == y0)]
        e = reg[(reg["package"] == pkg) & (reg["year"] == y1)].set_index("seed")
        for o in outcomes:
            sv, ev = s[o].to_numpy(float), e[o].to_numpy(float)
            if o in FLOWS:      # flows of the year: nothing has flowed at step 0
                sv = np.full(1, np.nan)
            row = {"package": pkg, "outcome": o, "start": float(np.mean(sv)), "end": ev.mean(),
                   "end_p05": np.quantile(ev, 0.05), "end_p95": np.quantile(ev, 0.95),
                   "change_pct": _pct(sv.mean(), ev.mean()), "seeds": len(ev)}
            common = e.index.intersection(base.index)
            if pkg != pkgs[0] and len(common):
                d = e.loc[common, o].to_numpy(float) - base.loc[common, o].to_numpy(float)
                b = float(base.loc[common, o].mean())
                row.update(diff=d.mean(), diff_p05=np.quantile(d, 0.05), diff_p95=np.quantile(d, 0.95),
                           base_end=b, diff_pct=100 * d.mean() / abs(b) if b else np.nan)
            rows.append(row)
    return pd.DataFrame(rows)


def level_changes(df: pd.DataFrame) -> pd.DataFrame:
    """Per package and zone: share of seeds in which the zone's level at the end differs from the
    start (promoted to national, delisted) or in which it ended hosted."""
    zones = df[df["zone"] != "region"]
    if "package" not in zones:
        zones = zones.assign(package="run")
    if "seed" not in zones:
        zones = zones.assign(seed=0)
    y0, y1 = zones["year"].min(), zones["year"].max()
    a = zones[zones["year"] == y0].set_index(["package", "seed", "zone"])["level_name"]
    b = zones[zones["year"] == y1].set_index(["package", "seed", "zone"])
    j = b.join(a.rename("start_level"), how="left")
    j["promoted"] = (j["start_level"] != "national") & (j["level_name"] == "national")
    j["delisted"] = (j["start_level"] != "delisted") & (j["level_name"] == "delisted")
    j["hosted"] = j["hosted_by"] >= 0
    return j.groupby(["package", "zone"])[["promoted", "delisted", "hosted"]].mean().reset_index()


CLASS_ORDER = {"national": 0, "region": 1, "delisted": 2}


def class_places(zones: pd.DataFrame, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Whole-number places within class, one row per zone, year and ``by`` group (e.g. package):
    ``level`` is the zone's most common level across seeds (a tie goes to delisted, then national),
    and ``place`` (1, 2, 3 …) its position within
    that level when the level's zones are ordered by their median rank across seeds (ties by
    median score, then the zones' order of appearance). With one seed it is the evaluation's own
    rank. Officials read a place, not a median: two seeds ranking a zone 1 and 2 give a median of
    1.5, a place of 1 or 2. Also ``median_rank`` and ``score`` (medians over the seeds in which
    the zone was at ``level``: a rank from another class says nothing about this one) and
    ``seeds`` (how many seeds those are).

    This is the one rule for a rank a person reads: the ranking tables, the movers named in the
    summaries and the bump chart all take their places from here."""
    keys = [*by, "zone", "year"]
    n = zones.groupby([*keys, "level_name"], sort=False).size().rename("_n").reset_index()
    # most seeds first; a tie as pandas' mode settles it (by name: delisted, national, region),
    # so a zone delisted in half the seeds is shown delisted, not at a place among the others
    top = (n.sort_values(["_n", "level_name"], ascending=[False, True], kind="mergesort")
           .drop_duplicates(keys)[[*keys, "level_name"]])
    at = zones[[*keys, "level_name", "rank", "score"]].merge(top, on=[*keys, "level_name"], how="inner")
    g = at.groupby([*keys, "level_name"], sort=False)
    out = (g.agg(median_rank=("rank", "median"), score=("score", "median"), seeds=("rank", "size"))
           .reset_index().rename(columns={"level_name": "level"}))
    order = {k: i for i, k in enumerate(dict.fromkeys(zones["zone"]))}
    out["_z"] = out["zone"].map(order)
    out["_o"] = out["level"].map(CLASS_ORDER).fillna(3)
    out = out.sort_values([*by, "year", "_o", "median_rank", "score", "_z"],
                          ascending=[True] * (len(by) + 3) + [False, True], kind="mergesort")
    out["place"] = out.groupby([*by, "year", "level"], sort=False).cumcount().astype(int) + 1
    cols = [*keys, "median_rank", "score", "level", "place", "seeds"]
    return out[cols].reset_index(drop=True)


def rank_movers(zones: pd.DataFrame) -> pd.DataFrame:
    """Places in the first and last year (:func:`class_places`) of the zones that were in the
    same class, not delisted, at both ends: ``zone``, ``level``, ``first``, ``last`` and ``gain``
    (places climbed, ``first - last``), biggest climber first. The summaries name the movers from
    here, so a sentence and the ranking table beside it give a zone the same place."""
    y0, y1 = zones["year"].min(), zones["year"].max()
    a = class_places(zones[zones["year"] == y0]).set_index("zone")
    b = class_places(zones[zones["year"] == y1]).set_index("zone")
    j = a[["level", "place"]].add_suffix("_0").join(b[["level", "place"]].add_suffix("_1"), how="inner")
    j = j[(j["level_0"] == j["level_1"]) & (j["level_1"] != "delisted")]
    out = pd.DataFrame({"zone": j.index, "level": j["level_1"].to_numpy(), "first": j["place_0"].to_numpy(int),
                        "last": j["place_1"].to_numpy(int)})
    out["gain"] = out["first"] - out["last"]
    return out.sort_values("gain", ascending=False, kind="mergesort").reset_index(drop=True)


def ranking(df: pd.DataFrame, slot_ids: list[str]) -> pd.DataFrame:
    """The final year's ranking: one row per zone, sorted by level then rank.

    ``rank`` is the zone's place within its class (:func:`class_places`: 1, 2, 3 …, a whole
    number, zones ordered by their median rank across seeds, ties by median score);
    ``median_rank`` keeps the median itself. Also: level (the most common across seeds), host,
    score, output, output change since the first year (%), and the shares of seeds in which the
    zone ended delisted / hosted."""
    zones = df[df["zone"] != "region"]
    if zones.empty:
        return pd.DataFrame()
    first_year, last_year = zones["year"].min(), zones["year"].max()
    last = zones[zones["year"] == last_year]
    first = zones[zones["year"] == first_year].groupby("zone")["output"].median()
    places = class_places(last)
    rows = []
    for zid, sub in last.groupby("zone", sort=False):
        hosted_share = float((sub["hosted_by"] >= 0).mean())
        host_slot = int(sub["hosted_by"].mode().iloc[0])
        host = slot_ids[host_slot] if 0 <= host_slot < len(slot_ids) else ""
        out = float(sub["output"].median())
        start = float(first.get(zid, np.nan))
        rows.append({
            "zone_id": zid, "hosted": hosted_share > 0.5, "host": host if hosted_share > 0.5 else "",
            "output": out, "output_change_pct": 100 * (out / start - 1) if start and start > 0 else np.nan,
            "delisted_share": float((sub["level_name"] == "delisted").mean()), "hosted_share": hosted_share,
        })
    out = places.rename(columns={"zone": "zone_id", "level": "level_code", "place": "rank"}).merge(
        pd.DataFrame(rows), on="zone_id", how="left")
    cols = ["zone_id", "rank", "level_code", "hosted", "host", "median_rank", "score", "output", "output_change_pct",
            "delisted_share", "hosted_share"]
    return out[cols].reset_index(drop=True)


def summary_table(df: pd.DataFrame, years: list[int], outcomes: tuple[str, ...]) -> pd.DataFrame:
    """Region outcomes at chosen years: mean and 5-95% across seeds, one row per (year, outcome)."""
    reg = region_rows(df)
    reg = reg[reg["year"].isin(years)]
    rows = []
    for (pkg, year), sub in reg.groupby(["package", "year"], sort=False):
        for o in outcomes:
            if o in FLOWS and (sub["step"] == 0).all():
                continue  # no flows at the calibrated start
            v = sub[o].to_numpy(dtype=float)
            rows.append({"package": pkg, "year": int(year), "outcome": o, "mean": float(np.mean(v)),
                         "p05": float(np.quantile(v, 0.05)), "p95": float(np.quantile(v, 0.95)),
                         "seeds": int(v.size)})
    return pd.DataFrame(rows)


# the outcome that is a lever's own spending (CNY bn/yr in the results); any other lever budget is
# judged by public_money, the money the region paid to zones
LEVER_SPENDING = {"funding_reward": "rewards"}


def unbound_budgets(df: pd.DataFrame, factors: list[str], tol: float = 0.01) -> list[dict[str, Any]]:
    """The lever budgets of a sweep (``LEVER.budget``, CNY m a year as in the study file) that do
    not bind over the top of their range, from the runs themselves: the lever's spending (its own
    outcome, ``rewards`` for funding_reward, else ``public_money``) per design point and year,
    mean over seeds, is the same (within ``tol`` of its largest value) at every point whose budget
    is at least ``x``, two points or more, and below each of those budgets in every year: the rest
    is unspent. One record per such factor: factor, spending column, ``x`` (the lowest budget of
    the flat stretch), ``hi``, ``spent`` (CNY m a year in the last year), ``all`` (flat over the
    whole range)."""
    out: list[dict[str, Any]] = []
    for c in factors:
        lever, _, field = c.partition(".")
        if field != "budget" or c not in df or not pd.api.types.is_numeric_dtype(df[c]):
            continue
        col = LEVER_SPENDING.get(lever)
        col = col if col in df else "public_money" if "public_money" in df else None
        if col is None:
            continue
        # spending in CNY m a year: design point x year, mean over seeds
        per = m_from_bn(df.groupby(["point", "year"])[col].mean().unstack("year"))
        budget = df.groupby("point")[c].first().reindex(per.index)
        order = budget.sort_values(kind="stable").index
        per, budget = per.loc[order], budget.loc[order]
        if per.isna().any().any() or budget.nunique() < 2:
            continue
        k = None
        for i in range(len(order) - 2, -1, -1):  # grow the stretch downwards from the largest budget
            part = per.iloc[i:]
            scale = max(float(part.abs().to_numpy().max()), 1e-9)
            flat = float((part.max() - part.min()).max()) <= tol * scale
            below = bool((part.max(axis=1) < budget.iloc[i:]).all())
            if not (flat and below and budget.iloc[i] < budget.iloc[-1]):
                break
            k = i
        if k is None:
            continue
        out.append({"factor": c, "column": col, "x": float(budget.iloc[k]), "hi": float(budget.iloc[-1]),
                    "spent": float(per.iloc[k:, -1].mean()), "all": k == 0})
    return out
