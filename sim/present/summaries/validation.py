"""Validation in words: the table printed by ``zonesim validate`` and its ``report.md``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.present.charts.validation import check_result
from sim.present.format import num


def interval_text(lo: float, hi: float) -> str:
    if not np.isfinite(hi):
        return f">= {num(lo)}"
    if not np.isfinite(lo):
        return f"<= {num(hi)}"
    return f"[{num(lo)}, {num(hi)}]"


def format_table(table: pd.DataFrame) -> str:
    lines = [f"{'statistic':<58} {'model mean [5%, 95%]':>30} {'accepted':>20}  result"]
    lines.append("-" * len(lines[0]))
    for r in table.to_dict("records"):
        model = f"{num(r['model_mean'])} [{num(r['model_p05'])}, {num(r['model_p95'])}]"
        lines.append(f"{r['statistic'][:58]:<58} {model:>30} {interval_text(r['lo'], r['hi']):>20}  "
                     f"{'pass' if r['pass'] else 'FAIL'}{' (fitted)' if r.get('calibrated') else ''}")
    n = int(table["pass"].sum())
    lines.append(f"{n} of {len(table)} targets pass")
    return "\n".join(lines)


def format_policy(policy: pd.DataFrame) -> str:
    lines = ["policy responses"]
    for r in policy.to_dict("records"):
        res = check_result(r["pass"], r["seeds"])
        lines.append(f"  {r['claim'][:70]:<70} {num(r['model_mean']):>8}  {r['expect']:<44} {res}")
    return "\n".join(lines)


def report_md(world: Any, table: pd.DataFrame, fitted: pd.DataFrame, policy: pd.DataFrame, n_seeds: int,
              n_policy: int, years: int) -> str:
    L = [f"# Validation of world '{world.name}' ({world.title})", "",
         f"{n_seeds} seeds, {years} years, no levers. A target passes when the model's mean across seeds lies "
         "in the accepted interval; the 5-95% spread across seeds is shown beside it. Rows marked *fitted* are "
         "moments the calibration (`zonesim calibrate`, docs/calibration.md) fitted; the others are out of "
         "sample.", "",
         "| statistic | when | model mean [5%, 95%] | accepted | published figure | source | result |",
         "|---|---|---|---|---|---|---|"]
    for r in table.to_dict("records"):
        L.append(f"| {r['statistic']} | {r['when']} | {num(r['model_mean'])} [{num(r['model_p05'])}, "
                 f"{num(r['model_p95'])}] | {interval_text(r['lo'], r['hi'])} | {r['target']} | {r['source']} | "
                 f"{'pass' if r['pass'] else '**FAIL**'}{' (fitted)' if r['calibrated'] else ''} |")
    L += ["", f"**{int(table['pass'].sum())} of {len(table)} targets pass.**", "",
          "![targets](validation.png)", "", "![firm sizes](firm_sizes.png)", "",
          "## Calibrated parameters", "",
          "| parameter | params.py default | value in this world | fitted | moment it is fitted to |", "|---|---|---|---|---|"]
    for r in fitted.to_dict("records"):
        L.append(f"| `{r['parameter']}` | {num(r['default'], digits=4)} | {num(r['world_value'], digits=4)} | "
                 f"{'yes' if r['fitted'] else 'no'} | {r['moment']} |")
    if not policy.empty:
        L += ["", "## Policy responses", "",
              f"{n_policy} seeds per arm, common random numbers (each arm uses the same seeds).", "",
              "| claim | source | expected | model mean [5%, 95%] | result | note |", "|---|---|---|---|---|---|"]
        for r in policy.to_dict("records"):
            res = check_result(r["pass"], r["seeds"]).replace("DISAGREES", "**disagrees**")
            L.append(f"| {r['claim']} | {r['source']} | {r['expect']} | {num(r['model_mean'])} "
                     f"[{num(r['model_p05'])}, {num(r['model_p95'])}] | {res} | {r['note']} |")
        L += ["", "![policy](policy.png)"]
    L += ["", "Where a row fails or disagrees, docs/validation.md explains why and what would fix it.", ""]
    return "\n".join(L)
