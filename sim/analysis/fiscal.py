"""What each package costs the region and what it buys per yuan, against the baseline on the same
seeds (paired).

From the region rows of a results table (``sim.experiments.runner.run_jobs``), per package and seed
over the years after year 0:

* ``public_money``: money the region paid or forwent (rewards, support, forgone tax), summed;
* ``net_fiscal_cost``: the fall of the region's net receipts from the zones (``region_net_fiscal``:
  its share of the zones' tax less ``public_money``) against the baseline, summed: a package that
  pays for itself through more tax has a net cost below its gross cost, or a negative one;
* ``output_gain``: output against the baseline, summed over the years (CNY bn of output);
* ``output_per_yuan`` and ``output_per_net_yuan``: output gained per yuan of gross and of net cost
  (``output_per_yuan`` empty when the package pays nothing). ``output_per_net_yuan`` only where
  the net cost is clearly positive (its paired 95% t-interval over the seeds lies above 0):
  where the package saves the region money (interval below 0) or its net cost cannot be told
  from 0, a ratio would mislead (hosting, which gains output and saves money, and land-by-output,
  which loses output and costs money, both got a negative ratio; delisting got -26 from a net
  cost of -0.1 ± 0.1), so it is empty and :func:`ratio_note` says why.

Means over seeds with the standard error of the mean (paired differences).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# why output_per_net_yuan is empty (ratio_note); "" when it is given
NOTES = ("saves_money", "cost_not_clear", "one_seed")
COLUMNS = ["package", "seeds", "public_money", "public_money_se", "net_fiscal_cost", "net_fiscal_cost_se",
           "output_gain", "output_gain_se", "output_per_yuan", "output_per_net_yuan"]


def fiscal_table(df: pd.DataFrame, baseline: str = "baseline") -> pd.DataFrame:
    """One row per package other than ``baseline`` (money and output in CNY bn, summed over years 1..N)."""
    reg = df[(df["zone"] == "region") & (df["step"] > 0)]
    cols = ["public_money", "region_net_fiscal", "output"]
    per = reg.groupby(["package", "seed"], sort=False)[cols].sum()
    if baseline not in per.index.get_level_values(0):
        raise ValueError(f"no rows for the baseline package '{baseline}'")
    base = per.loc[baseline]
    rows = []
    for pkg in dict.fromkeys(per.index.get_level_values(0)):
        if pkg == baseline:
            continue
        cur = per.loc[pkg]
        seeds = cur.index.intersection(base.index)
        if seeds.empty:
            continue
        c, b = cur.loc[seeds], base.loc[seeds]
        gross = c["public_money"] - b["public_money"]
        net = -(c["region_net_fiscal"] - b["region_net_fiscal"])
        gain = c["output"] - b["output"]
        row = {"package": pkg, "seeds": int(seeds.size)}
        for name, v in (("public_money", gross), ("net_fiscal_cost", net), ("output_gain", gain)):
            row[name] = float(v.mean())
            row[f"{name}_se"] = float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("nan")
        row["output_per_yuan"] = row["output_gain"] / row["public_money"] if abs(row["public_money"]) > 1e-9 else np.nan
        row["output_per_net_yuan"] = (row["output_gain"] / row["net_fiscal_cost"]
                                      if ratio_note(row) == "" else np.nan)
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def ratio_note(row) -> str:
    """Why a row of :func:`fiscal_table` has no ``output_per_net_yuan`` (one of ``NOTES``), or
    "" when the net cost is clearly positive and the ratio is given."""
    from sim.analysis.pairing import CONFIDENCE, _t  # the paired interval compare reports

    n, net, se = int(row["seeds"]), float(row["net_fiscal_cost"]), float(row["net_fiscal_cost_se"])
    if n < 2 or not np.isfinite(se):
        return "one_seed"
    half = _t(n, CONFIDENCE) * se
    if net - half > 0 and abs(net) > 1e-9:
        return ""
    if net + half < 0:
        return "saves_money"
    return "cost_not_clear"


def with_notes(table: pd.DataFrame) -> pd.DataFrame:
    """The fiscal table with a ``note`` column (:func:`ratio_note`) for people to read (the
    workbook); fiscal.csv keeps its columns."""
    return table.assign(note=[ratio_note(r) for r in table.to_dict("records")])
