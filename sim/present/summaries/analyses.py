"""Summaries in words (markdown) of the analyses: attribution, robustness, scenario discovery,
and the plain-text tables ``zonesim sensitivity`` prints. Every number goes through
``sim.present.format``; outcomes, levers and areas are named from ``sim.present.i18n``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.present.format import NA, count, num, pct, value
from sim.present.i18n import display, factor_name, name_of, player_name


def _v(outcome: str, v: Any, sign: bool = False) -> str:
    return value(outcome, v, "en", sign=sign, unit=False)


# ------------------------------------------------------------------------------------------
# attribution
# ------------------------------------------------------------------------------------------
def attribution_markdown(a: Any, package: Any, baseline: str, by: str, outcome: str, year: int, world: str) -> str:
    """``a``: a :class:`sim.analysis.attribution.Attribution`."""
    t = a.totals
    unit = display(outcome).unit
    oname = name_of(outcome)
    lines = [f"# Attribution of {package.title or package.name} by {by} — {oname}, {year}", "",
             f"World {world}; {t['seeds']} seeds, every one of the {len(a.combinations)} sub-packages on the same "
             f"seeds. Effect = sub-package minus '{baseline}'; 95% t-intervals across seeds; values in {unit}.", "",
             f"Total effect of `{package.name}` on {oname} in {year}: {_v(outcome, t['total_effect'], True)} {unit} "
             f"({pct(t['total_pct'])} of {_v(outcome, t['baseline'])}), 95% interval "
             f"[{_v(outcome, t['total_lo'], True)}, {_v(outcome, t['total_hi'], True)}].", ""]
    parts = []
    for r in a.shapley.sort_values("shapley", key=abs, ascending=False).itertuples():
        share = f" ({pct(100 * r.share_of_total, sign=False)} of the effect)" if np.isfinite(r.share_of_total) else ""
        parts.append(f"{player_name(r.player)} {_v(outcome, r.shapley, True)}{share}")
    lines.append(f"Of it: {'; '.join(parts)}.")
    lines += ["", f"Interactions: the Shapley values add up to {_v(outcome, t['sum_shapley'], True)} (largest per-seed "
              f"gap to the total: {num(t['efficiency_gap'], digits=2)}); the solo effects add up to "
              f"{_v(outcome, t['sum_solo'], True)}, so interactions contribute {_v(outcome, t['interaction_total'], True)} "
              f"[{_v(outcome, t['interaction_lo'], True)}, {_v(outcome, t['interaction_hi'], True)}].", "",
              "| player | levers | Shapley | 95% interval | share | solo | last in |", "|---|---|---:|---|---:|---:|---:|"]
    for r in a.shapley.itertuples():
        share = pct(100 * r.share_of_total, sign=False) if np.isfinite(r.share_of_total) else NA
        lines.append(f"| {player_name(r.player)} | {r.levers} | {_v(outcome, r.shapley, True)} | "
                     f"[{_v(outcome, r.shapley_lo, True)}, {_v(outcome, r.shapley_hi, True)}] | {share} | "
                     f"{_v(outcome, r.solo, True)} | {_v(outcome, r.last_in, True)} |")
    if len(a.interactions):
        top = a.interactions.reindex(a.interactions["interaction"].abs().sort_values(ascending=False).index)[:5]
        lines += ["", "Strongest pairwise interactions (Shapley interaction index; + reinforce, − substitute):", ""]
        for r in top.itertuples():
            lines.append(f"- {player_name(r.player_i)} × {player_name(r.player_j)}: {_v(outcome, r.interaction, True)} "
                         f"[{_v(outcome, r.lo, True)}, {_v(outcome, r.hi, True)}]")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# robustness
# ------------------------------------------------------------------------------------------
def robust_markdown(table: pd.DataFrame, *, study: str, outcome: str, year: int, n_futures: int, seeds: int,
                    uncertainties: list[str], target: Any, maximise: bool,
                    titles: dict[str, str] | None = None) -> str:
    titles = titles or {}
    unit = display(outcome).unit
    oname = name_of(outcome)
    q = [c for c in table.columns if c.startswith("p") and c.endswith("_regret")][0]
    lines = [f"# Robustness — {oname} in {year}, study {study}", "",
             f"{n_futures} futures (Latin hypercube of {', '.join(factor_name(u) for u in uncertainties)}), {seeds} "
             f"seeds each; every package in every future on the same seeds. {'More' if maximise else 'Less'} "
             f"{oname} is better; regret = loss against the best package in the same future ({unit}).", ""]
    top = table.iloc[0]
    lines.append(f"Least regret: {titles.get(top['package'], top['package'])} (max regret {_v(outcome, top['max_regret'])}, "
                 f"{q.replace('_', ' ')} {_v(outcome, top[q])}; best in {count(top['best_in'])} of {n_futures} futures).")
    if target is not None:
        s = table.sort_values("rank_satisficing").iloc[0]
        lines.append(f"Most often meets {target}: {titles.get(s['package'], s['package'])} in "
                     f"{pct(100 * s['satisficing'], sign=False)} of futures.")
    lines += ["", "| rank | package | mean | worst | max regret | " + q.replace("_", " ") + " | mean regret | best in |"
              + (" satisficing |" if target is not None else ""),
              "|---:|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if target is not None else "")]
    for r in table.itertuples():
        d = r._asdict()
        lines.append(f"| {count(r.rank_regret)} | {titles.get(r.package, r.package)} | {_v(outcome, r.mean_value)} | "
                     f"{_v(outcome, r.worst_value)} | {_v(outcome, r.max_regret)} | {_v(outcome, d[q])} | "
                     f"{_v(outcome, r.mean_regret)} | {count(r.best_in)} |"
                     + (f" {pct(100 * r.satisficing, sign=False)} |" if target is not None else ""))
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# scenario discovery
# ------------------------------------------------------------------------------------------
def discovery_markdown(d: Any, cond: Any, year: int, zone: str, source: str, threshold: float,
                       max_qp: float = 0.05) -> str:
    lines = [f"# Scenario discovery — {cond} in {year} ({zone})", "",
             f"Runs from `{source}`: the condition holds in {count(d.base_rate * d.n)} of {d.n} runs "
             f"({pct(d.base_rate, sign=False, ratio=True)}). PRIM (EMA Workbench), density threshold {num(threshold)}.", ""]
    if d.boxes.empty:
        best = (f" (the densest step reached {pct(d.trajectory['density'].max(), sign=False, ratio=True)})"
                if len(d.trajectory) else "")
        lines.append(f"No box reaches density {num(threshold)}{best}: the failures are not concentrated in a simple "
                     "region of the factors.")
    for r in d.boxes.itertuples():
        lines.append(f"Box {r.box}: {r.rule} — coverage {pct(r.coverage, sign=False, ratio=True)} (of the failing "
                     f"runs), density {pct(r.density, sign=False, ratio=True)} (of the {r.runs_in_box} runs in the box "
                     f"fail), mass {pct(r.mass, sign=False, ratio=True)}. Restrictions with quasi-p <= {num(max_qp)}: "
                     f"{r.significant_rule}.")
    if len(d.limits):
        lines += ["", "| box | factor | lower | upper | values | quasi-p |", "|---:|---|---:|---:|---|---:|"]
        for r in d.limits.itertuples():
            lo = "" if not np.isfinite(r.lower) else num(r.lower, digits=4)
            hi = "" if not np.isfinite(r.upper) else num(r.upper, digits=4)
            qp = "" if not np.isfinite(r.qp) else num(r.qp, digits=2)
            lines.append(f"| {r.box} | {factor_name(r.factor)} | {lo} | {hi} | {r.values} | {qp} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# sensitivity
# ------------------------------------------------------------------------------------------
def sensitivity_table(idx: pd.DataFrame) -> str:
    """Plain-text ranking of factors per outcome x year at the largest N."""
    top = idx[idx["N"] == idx["N"].max()]
    lines: list[str] = []
    for (method, outcome, year, zone), t in top.groupby(["method", "outcome", "year", "zone"], sort=False):
        key = "mu_star" if method == "morris" else "ST"
        cols: tuple[Any, ...] = (("mu_star", "mu_star_conf", "sigma") if method == "morris"
                                 else ("S1", "S1_conf", "ST", "ST_conf"))
        lines.append(f"\n{method} — {outcome}, {year}, {zone} (N = {int(t['N'].iloc[0])})")
        lines.append(f"  {'factor':<34}{'group':<13}" + "".join(f"{c:>14}" for c in cols))
        for _, r in t.sort_values(key, ascending=False).iterrows():
            lines.append(f"  {r['factor']:<34}{r['group']:<13}" + "".join(f"{num(r[c], digits=4):>14}" for c in cols))
    return "\n".join(lines)


def sensitivity_findings(idx: pd.DataFrame, top_n: int = 3) -> list[tuple[str, int, str, list[tuple[str, float, float, float]]]]:
    """Per outcome and year at the largest N: (outcome, year, zone, the ``top_n`` factors as
    (factor, index, lo, hi)) ranked by μ* (Morris) or ST (Sobol), with 95% intervals."""
    top = idx[idx["N"] == idx["N"].max()]
    out = []
    for (method, outcome, year, zone), t in top.groupby(["method", "outcome", "year", "zone"], sort=False):
        key, conf = ("mu_star", "mu_star_conf") if method == "morris" else ("ST", "ST_conf")
        t = t.sort_values(key, ascending=False).head(top_n)
        out.append((outcome, int(year), zone, [(f, float(v), float(v - c), float(v + c))
                                               for f, v, c in zip(t["factor"], t[key], t[conf].fillna(0.0))]))
    return out
