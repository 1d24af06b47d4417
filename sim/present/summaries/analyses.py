"""Summaries in words (markdown) of the analyses: attribution, robustness, scenario discovery,
and the plain-text tables ``zonesim sensitivity`` prints. Every number goes through
``sim.present.format``; outcomes, levers and areas are named from ``sim.present.i18n``."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from sim.present.format import NA, count, num, pad, pct, text_width, value
from sim.present.i18n import (
    display,
    factor_name,
    factor_value,
    lever_name,
    name_of,
    package_title,
    player_name,
    study_title,
    tr,
    zone_name,
)


def _v(outcome: str, v: Any, sign: bool = False, lang: str = "en") -> str:
    return value(outcome, v, lang, sign=sign, unit=False)


def condition_text(cond: Any, lang: str = "en") -> str:
    """A condition (``output >= 1500``) as typed in English, with the outcome's name in Chinese."""
    if isinstance(cond, str):  # as saved in a manifest: "output >= 1500"
        parts = cond.split()
        try:
            cond = SimpleNamespace(outcome=parts[0], op=parts[1], value=float(parts[2])) if len(parts) == 3 else cond
        except ValueError:
            pass
    if lang == "zh" and hasattr(cond, "outcome"):
        from sim.present.charts.discovery import condition_label

        return condition_label(cond, lang)
    return str(cond) if not hasattr(cond, "outcome") or not isinstance(cond, SimpleNamespace) else \
        f"{cond.outcome} {cond.op} {num(cond.value)}"


def _levers(levers: str, lang: str) -> str:
    """A player's levers ('land_allocation funding_reward') by their names in ``lang``."""
    return tr("s.list_sep", lang).join(lever_name(x, lang) for x in str(levers).split())


# ------------------------------------------------------------------------------------------
# attribution
# ------------------------------------------------------------------------------------------
def attribution_markdown(a: Any, package: Any, baseline: str, by: str, outcome: str, year: int, world: str,
                         lang: str = "en", baseline_title: str | None = None) -> str:
    """``a``: a :class:`sim.analysis.attribution.Attribution` (or anything with its ``shapley``,
    ``interactions``, ``combinations`` and ``totals``)."""
    t = a.totals
    unit = display(outcome, lang).unit
    oname = name_of(outcome, lang)
    title = package_title(package, lang)
    V = lambda v, sign=False: _v(outcome, v, sign, lang)  # noqa: E731
    lines = [tr("at.head", lang, p=title, by=tr(f"at.by.{by}", lang), o=oname, y=year), "",
             tr("at.intro", lang, w=world, s=t["seeds"], k=len(a.combinations), b=baseline_title or baseline, u=unit), "",
             tr("at.total_titled", lang, n=title if lang == "zh" else
                package.name if hasattr(package, "name") else package["name"], o=oname, y=year,
                e=V(t["total_effect"], True), u=unit, p=pct(t["total_pct"]),
                b=value(outcome, t["baseline"], lang), lo=V(t["total_lo"], True), hi=V(t["total_hi"], True)), ""]
    parts = []
    for r in a.shapley.sort_values("shapley", key=abs, ascending=False).itertuples():
        share = tr("at.share", lang, p=pct(100 * r.share_of_total, sign=False)) if np.isfinite(r.share_of_total) else ""
        parts.append(f"{player_name(r.player, lang)} {V(r.shapley, True)}{share}")
    lines.append(tr("at.of_it", lang, lst=tr("s.sep", lang).join(parts)))
    lines += ["", tr("at.interactions", lang, s=V(t["sum_shapley"], True), g=num(t["efficiency_gap"], digits=2),
                     solo=V(t["sum_solo"], True), i=V(t["interaction_total"], True), lo=V(t["interaction_lo"], True),
                     hi=V(t["interaction_hi"], True)), "",
              tr("at.table", lang), "|---|---|---:|---|---:|---:|---:|"]
    for r in a.shapley.itertuples():
        share = pct(100 * r.share_of_total, sign=False) if np.isfinite(r.share_of_total) else NA
        lines.append(f"| {player_name(r.player, lang)} | {_levers(r.levers, lang)} | {V(r.shapley, True)} | "
                     f"[{V(r.shapley_lo, True)}, {V(r.shapley_hi, True)}] | {share} | "
                     f"{V(r.solo, True)} | {V(r.last_in, True)} |")
    if len(a.interactions):
        top = a.interactions.reindex(a.interactions["interaction"].abs().sort_values(ascending=False).index)[:5]
        lines += ["", tr("at.strongest", lang), ""]
        for r in top.itertuples():
            lines.append(f"- {player_name(r.player_i, lang)} × {player_name(r.player_j, lang)}{tr('s.colon', lang)}"
                         f"{V(r.interaction, True)} [{V(r.lo, True)}, {V(r.hi, True)}]")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# robustness
# ------------------------------------------------------------------------------------------
def robust_markdown(table: pd.DataFrame, *, study: str, outcome: str, year: int, n_futures: int, seeds: int,
                    uncertainties: list[str], target: Any, maximise: bool,
                    titles: dict[str, str] | None = None, lang: str = "en") -> str:
    titles = titles or {}
    unit = display(outcome, lang).unit
    oname = name_of(outcome, lang)
    V = lambda v: _v(outcome, v, False, lang)  # noqa: E731
    q = [c for c in table.columns if c.startswith("p") and c.endswith("_regret")][0]
    qname = tr("rb.pq", lang, q=q[1:-len("_regret")])
    lines = [tr("rb.head_titled", lang, o=oname, y=year, s=study_title(study, lang)), "",
             tr("rb.intro", lang, n=n_futures, u=tr("s.list_sep", lang).join(factor_name(u, lang) for u in uncertainties),
                k=seeds, m=tr("rb.more" if maximise else "rb.less", lang), o=oname, unit=unit), ""]
    top = table.iloc[0]
    lines.append(tr("rb.least", lang, p=titles.get(top["package"], top["package"]), m=V(top["max_regret"]), q=qname,
                    v=V(top[q]), b=count(top["best_in"]), n=n_futures))
    if target is not None:
        s = table.sort_values("rank_satisficing").iloc[0]
        lines.append(tr("rb.meets", lang, t=condition_text(target, lang), p=titles.get(s["package"], s["package"]),
                        s=pct(100 * s["satisficing"], sign=False)))
    c = list(tr("rb.cols", lang))
    u = f"（{unit}）" if lang == "zh" else f" ({unit})"
    c[2:5] = [x + u for x in c[2:5]]  # mean, worst and max regret in the outcome's unit
    c[5] += u
    heads = c[:5] + [qname + u] + c[5:7] + (c[7:8] if target is not None else [])
    lines += ["", "| " + " | ".join(heads) + " |",
              "|---:|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if target is not None else "")]
    for r in table.itertuples():
        d = r._asdict()
        lines.append(f"| {count(r.rank_regret)} | {titles.get(r.package, r.package)} | {V(r.mean_value)} | "
                     f"{V(r.worst_value)} | {V(r.max_regret)} | {V(d[q])} | "
                     f"{V(r.mean_regret)} | {count(r.best_in)} |"
                     + (f" {pct(100 * r.satisficing, sign=False)} |" if target is not None else ""))
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# scenario discovery
# ------------------------------------------------------------------------------------------
def discovery_markdown(d: Any, cond: Any, year: int, zone: str, source: str, threshold: float,
                       max_qp: float = 0.05, lang: str = "en") -> str:
    P = lambda v: pct(v, sign=False, ratio=True)  # noqa: E731
    lines = [tr("dc.head", lang, c=condition_text(cond, lang), y=year, z=zone_name(zone, lang)), "",
             tr("dc.intro", lang, src=source, k=count(d.base_rate * d.n), n=d.n, p=P(d.base_rate), t=num(threshold)), ""]
    if d.boxes.empty:
        best = tr("dc.densest", lang, p=P(d.trajectory["density"].max())) if len(d.trajectory) else ""
        lines.append(tr("dc.no_box", lang, t=num(threshold), b=best))
    for r in d.boxes.itertuples():
        rule, strong = r.rule, r.significant_rule
        if lang != "en":  # the analysis writes its rules with the factors' slugs: say them again by name
            rule, strong = box_rule(d.limits, r.box, lang), box_rule(d.limits, r.box, lang, max_qp)
        lines.append(tr("dc.box", lang, b=r.box, r=rule, c=P(r.coverage), d=P(r.density), n=r.runs_in_box,
                        m=P(r.mass), q=num(max_qp), s=strong))
    if len(d.limits):
        lines += ["", tr("dc.table", lang), "|---:|---|---:|---:|---|---:|"]
        for r in d.limits.itertuples():
            lo = "" if not np.isfinite(r.lower) else num(r.lower, digits=4)
            hi = "" if not np.isfinite(r.upper) else num(r.upper, digits=4)
            qp = "" if not np.isfinite(r.qp) else num(r.qp, digits=2)
            vals = _values(r.values, lang)
            lines.append(f"| {r.box} | {factor_name(r.factor, lang)} | {lo} | {hi} | {vals} | {qp} |")
    return "\n".join(lines) + "\n"


def _values(values: Any, lang: str) -> str:
    """The kept values of a categorical factor ('demand, rank') in words."""
    if not isinstance(values, str) or not values:  # numeric factors have none (NaN from a csv)
        return ""
    return tr("s.list_sep", lang).join(factor_value(v, lang) for v in values.split(", "))


def box_rule(limits: pd.DataFrame, box: int, lang: str = "en", max_qp: float | None = None) -> str:
    """A PRIM box's restrictions in words, factors and values by name (only those with quasi-p <=
    ``max_qp`` when given): '财政奖励：奖励资金总额 9.49–23.9'; 'whole space' / 'none' when there
    are none."""
    parts = []
    for r in limits[limits["box"] == box].itertuples():
        if max_qp is not None and not (np.isfinite(r.qp) and r.qp <= max_qp):
            continue
        name = factor_name(r.factor, lang)
        if r.kind == "values":
            parts.append(tr("dc.in", lang, f=name, v=_values(r.values, lang)))
        elif np.isfinite(r.lower) and r.lower > r.min and np.isfinite(r.upper) and r.upper < r.max:
            parts.append(tr("dc.between", lang, f=name, lo=num(r.lower), hi=num(r.upper)))
        elif np.isfinite(r.lower) and r.lower > r.min:
            parts.append(f"{name} >= {num(r.lower)}")
        else:
            parts.append(f"{name} <= {num(r.upper)}")
    return tr("dc.and", lang).join(parts) or tr("none" if max_qp is not None else "dc.whole", lang)


# ------------------------------------------------------------------------------------------
# sensitivity
# ------------------------------------------------------------------------------------------
def sensitivity_table(idx: pd.DataFrame, lang: str = "en") -> str:
    """Plain-text ranking of factors per outcome x year at the largest N. English: the indices'
    own names and values (a researcher's table); Chinese: :func:`sensitivity_rows`, the tables
    of the report (factors by name, μ* in 亿元, 95% intervals), lined up for Chinese characters."""
    if lang != "en":
        return "\n".join(_plain_table(head, rows) for head, rows in sensitivity_rows(idx, lang))
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


def _plain_table(head: str, rows: list[dict[str, str]]) -> str:
    """A heading and rows of formatted cells as terminal text: the first two columns (names)
    left-aligned, the numbers right-aligned, widths in terminal columns."""
    cols = list(rows[0]) if rows else []
    width = {c: max(text_width(c), *(text_width(r[c]) for r in rows)) for c in cols}

    def line(cells: dict[str, str]) -> str:
        return "  " + "  ".join(pad(cells[c], width[c], right=i > 1) for i, c in enumerate(cols)).rstrip()

    return "\n".join([f"\n{head}", line({c: c for c in cols}), *(line(r) for r in rows)])


def sensitivity_findings(idx: pd.DataFrame, top_n: int = 3) -> list[tuple[str, int, str, list[tuple[str, float, float, float]], str]]:
    """Per outcome and year at the largest N: (outcome, year, zone, the ``top_n`` factors as
    (factor, index, lo, hi), method) ranked by μ* (Morris) or ST (Sobol), with 95% intervals.
    A Morris index is in the outcome's unit (the table's, e.g. CNY bn/yr), a Sobol one a share."""
    top = idx[idx["N"] == idx["N"].max()]
    out = []
    for (method, outcome, year, zone), t in top.groupby(["method", "outcome", "year", "zone"], sort=False):
        key, conf = ("mu_star", "mu_star_conf") if method == "morris" else ("ST", "ST_conf")
        t = t.sort_values(key, ascending=False).head(top_n)
        out.append((outcome, int(year), zone, [(f, float(v), float(v - c), float(v + c))
                                               for f, v, c in zip(t["factor"], t[key], t[conf].fillna(0.0))],
                    str(method)))
    return out


def sensitivity_index(method: str, outcome: str, v: Any, lang: str = "en") -> str:
    """One index as a person reads it, without unit: a Morris μ* or σ in the outcome's display
    unit (亿元 in Chinese, scaled like every other value of the outcome), a Sobol index as a
    plain share."""
    return value(outcome, v, lang, unit=False) if method == "morris" else num(v, digits=2)


def sensitivity_unit(method: str, outcome: str, lang: str = "en") -> str:
    """The unit the indices of ``method`` on ``outcome`` are shown in ('' for Sobol shares)."""
    return display(outcome, lang).unit if method == "morris" else ""


def sensitivity_caption(method: str, outcome: str, year: int, zone: str, lang: str = "en",
                        names: dict[str, str] | None = None) -> str:
    """The caption of one sensitivity chart: what it shows, for which outcome, year and zone."""
    where = "" if zone == "region" else tr("s.list_sep", lang) + zone_name(zone, lang, names)
    return tr(f"r.sens_chart_{'morris' if method == 'morris' else 'sobol'}", lang, o=name_of(outcome, lang),
              y=int(year), w=where)


def sensitivity_rows(idx: pd.DataFrame, lang: str = "en") -> list[tuple[str, list[dict[str, str]]]]:
    """The indices at the largest N as tables a person reads: one per method x outcome x year x
    zone, (heading, rows of formatted cells keyed by headers in ``lang``), factors by their
    names, ranked by μ* (Morris) or ST (Sobol), every index with its 95% interval, the unit in
    the header; years are written without a thousands separator."""
    top = idx[idx["N"] == idx["N"].max()]
    out = []
    for (method, outcome, year, zone), t in top.groupby(["method", "outcome", "year", "zone"], sort=False):
        morris = method == "morris"
        u = sensitivity_unit(method, outcome, lang)
        unit = (f"（{u}）" if lang == "zh" else f" ({u})") if u else ""
        head = tr("r.sens_table_head", lang, y=int(year), o=name_of(outcome, lang),
                  m=tr("r.sens_morris" if morris else "r.sens_sobol", lang, n=int(t["N"].iloc[0])),
                  w="" if zone == "region" else tr("s.list_sep", lang) + zone_name(zone, lang))
        cols = tr("r.sens_cols", lang)
        def I(v: Any, method: str = method, outcome: str = outcome) -> str:
            return sensitivity_index(method, outcome, v, lang)

        rows = []
        for r in t.sort_values("mu_star" if morris else "ST", ascending=False).itertuples():
            row = {cols[0]: factor_name(r.factor, lang), cols[1]: tr(r.group, lang) if r.group in ("lever", "uncertainty")
                   else str(r.group)}
            if morris:
                c = r.mu_star_conf if np.isfinite(r.mu_star_conf) else np.nan
                row[f"μ*{unit}"] = I(r.mu_star)
                row[cols[2]] = f"[{I(r.mu_star - c)}, {I(r.mu_star + c)}]" if np.isfinite(c) else NA
                row[f"σ{unit}"] = I(r.sigma)
            else:
                for k in ("S1", "ST"):
                    v, c = getattr(r, k), getattr(r, f"{k}_conf")
                    row[tr(k.lower(), lang)] = I(v)
                    row[f"{k} {cols[2]}"] = f"[{I(v - c)}, {I(v + c)}]" if np.isfinite(c) else NA
            rows.append(row)
        out.append((head, rows))
    return out
