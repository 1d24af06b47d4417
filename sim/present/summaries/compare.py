"""The comparison in words (``summary.md`` of ``zonesim compare``): per package, what changed
most in the region and which zones gained or lost most; every change with its PAIRED 95%
interval (the t-interval of the per-seed differences package - baseline on common random
numbers), the baseline-package correlation and the verdict: clear, or whether more seeds would
settle it (from ``sim.analysis.compare.pairing_summary``, never a fixed number). Then the table
of what the pairing bought, per package."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.present.format import NA, count, finite, num, pct, value
from sim.present.i18n import display, name_of, tr, zone_name


def target_text(target: float) -> str:
    """The precision aimed at, in per cent: ``2%``."""
    return num(100.0 * float(target)) + "%"


def corr_text(r: Any) -> str:
    """A correlation: two decimals, three when two would round it to 1.00."""
    if not finite(r):
        return NA
    r = float(r)
    return f"{r:.3f}" if abs(r) >= 0.995 else f"{r:.2f}"


def seeds_text(n: Any, lang: str) -> str:
    """A seed count: a whole number; the cap of ``seeds_needed`` as 'more than'."""
    from sim.analysis.pairing import MAX_SEEDS

    if not finite(n):
        return NA
    if int(n) >= MAX_SEEDS:
        return tr("cp.more_than", lang, n=count(MAX_SEEDS))
    return count(n)


def times_text(v: Any, lang: str) -> str:
    """A variance reduction: ``35×``; an en dash when the runs never differ."""
    return tr("cp.times", lang, v=num(v, digits=2)) if finite(v) else NA


def verdict_text(p: Any, lang: str, target: float) -> str:
    """The verdict on one effect (a row of ``pairing_summary``) in words."""
    t = target_text(target)
    v = str(p["verdict"])
    if v == "more_seeds":
        return tr("cp.v.more_seeds", lang, s=count(p["seeds"]), n=seeds_text(p["seeds_needed"], lang), t=t)
    if v == "small" and finite(p["diff"]) and float(p["diff"]) != 0.0:
        return tr("cp.v.small", lang, t=t) + tr("cp.v.sign", lang, n=seeds_text(p["seeds_to_clear"], lang))
    return tr(f"cp.v.{v}", lang, t=t)


def pairing_sentence(p: Any, lang: str, target: float) -> str:
    """'Pairing: baseline and package correlate 0.97 over seeds (median over zones 0.93); ...'."""
    if finite(p["variance_reduction"]):
        vr = tr("cp.vr", lang, v=times_text(p["variance_reduction"], lang), n=seeds_text(p["seeds_needed"], lang),
                u=seeds_text(p["seeds_needed_unpaired"], lang), t=target_text(target))
    else:
        vr = tr("cp.vr_identical", lang)
    if not finite(p["correlation"]) and finite(p["seeds"]) and int(p["seeds"]) <= 2:
        # sim.analysis.pairing gives no correlation of two points (always ±1): say so, not '相关系数为–'
        return tr("cp.pairing_few", lang, s=count(p["seeds"]), vr=vr)
    return tr("cp.pairing", lang, r=corr_text(p["correlation"]), z=corr_text(p["zone_correlation_median"]), vr=vr)


def pairing_rows(pair: pd.DataFrame, lang: str, target: float, titles: dict[str, str] | None = None,
                 outcome: str = "output") -> tuple[list[str], list[list[str]]]:
    """The pairing table (one row per package, ``outcome``) as headers and rows of text."""
    titles = titles or {}
    t = target_text(target)
    heads = [h.format(t=t) for h in tr("cp.cols", lang)]
    rows = []
    for _, p in pair[pair["outcome"] == outcome].iterrows():
        eff = NA if not finite(p["diff"]) else _change_row(outcome, p, lang)
        rows.append([titles.get(p["package"], p["package"]), corr_text(p["correlation"]),
                     corr_text(p["zone_correlation_median"]), times_text(p["variance_reduction"], lang),
                     seeds_text(p["seeds_needed"], lang), seeds_text(p["seeds_needed_unpaired"], lang), eff,
                     verdict_text(p, lang, target)])
    return heads, rows


def _change_row(outcome: str, p: Any, lang: str) -> str:
    from sim.present.format import change

    return change(outcome, p["diff"], p["lo"], p["hi"], p["baseline"], lang)


def summary_markdown(diff: pd.DataFrame, events: pd.DataFrame, *, world: str, years: int, seeds: int,
                     year: int, baseline: str = "baseline", titles: dict[str, str] | None = None,
                     names: dict[str, str] | None = None, lang: str = "en",
                     pairing: pd.DataFrame | None = None, target: float | None = None) -> str:
    """``pairing``: :func:`sim.analysis.compare.pairing_summary` of the region outcomes at
    ``year`` (correlation and verdict per effect; without it those columns show an en dash)."""
    from sim.analysis.compare import MIN_SEEDS_CLEAR
    from sim.analysis.pairing import TARGET

    target = TARGET if target is None else float(target)
    titles = titles or {}
    sep = tr("s.sep", lang)
    btitle = titles.get(baseline, baseline)
    lines = [tr("c.head", lang, w=world), "",
             tr("cp.intro", lang, s=seeds, n=years, b=btitle, y=year, t=target_text(target),
                few=tr("cp.few_note", lang, s=seeds) if seeds < MIN_SEEDS_CLEAR else ""), ""]
    reg = diff[(diff["zone"] == "region") & (diff["year"] == year)]
    zon = diff[(diff["zone"] != "region") & (diff["year"] == year)]
    ev = events.set_index("package") if len(events) else pd.DataFrame()
    pair = (pairing.set_index(["package", "outcome"]) if pairing is not None and len(pairing)
            else pd.DataFrame(columns=["verdict"]))
    for pkg in dict.fromkeys(reg["package"]):
        r = reg[reg["package"] == pkg].copy()
        name = titles.get(pkg, pkg)
        lines += [f"## {name}" + (f" ({pkg})" if name != pkg else ""), ""]
        clear = r[r["significant"] & r["rel_change"].notna()].copy()
        clear["mag"] = clear["rel_change"].abs()
        clear = clear.sort_values("mag", ascending=False)
        # a clear change from a zero baseline (zones delisted 0 -> 1, public money 0 -> 2.2) has no
        # per cent: named after the others in its own unit, so the line never says "none" above a
        # table that marks it clear
        zero = r[r["significant"] & r["rel_change"].isna() & r["diff"].map(finite) & (r["diff"] != 0)]
        parts = [f"{name_of(o, lang)} {pct(c, ratio=True)}" for o, c in zip(clear["outcome"][:4], clear["rel_change"][:4])]
        parts += [f"{name_of(o, lang)} {value(o, d, lang, sign=True, bound=True)}"
                  for o, d in zip(zero["outcome"], zero["diff"])][:4 - len(parts)]
        if not parts:
            lines.append(tr("c.none", lang, b=btitle, y=year))
        else:
            lines.append(tr("c.most", lang, y=year, lst=sep.join(parts)))
        out = r[r["outcome"] == "output"]
        if len(out):
            o = out.iloc[0]
            base = o["baseline"] if o["baseline"] else np.nan  # the interval, like the change, in % of baseline
            p = pair.loc[(pkg, "output")] if (pkg, "output") in pair.index else None
            w = (verdict_text(p, lang, target) if p is not None
                 else tr("c.clearly", lang) if o["significant"] else tr("c.not_clearly", lang))
            lines.append(tr("cp.output", lang,
                v=value("output", o["value"], lang), b=value("output", o["baseline"], lang),
                c=pct(o["rel_change"], ratio=True), lo=pct(o["lo"] / base, ratio=True), hi=pct(o["hi"] / base, ratio=True),
                w=w))
            if p is not None:
                lines.append(pairing_sentence(p, lang, target))
        z = zon[(zon["package"] == pkg) & (zon["outcome"] == "output")].dropna(subset=["rel_change"])
        z = z.sort_values("rel_change")
        if len(z) >= 2:
            up, down = z.iloc[-1], z.iloc[0]
            key = "zones_up" if down["rel_change"] >= 0 else "zones_down" if up["rel_change"] <= 0 else "zones"
            lines.append(tr("c." + key, lang, up=zone_name(up["zone"], lang, names), upc=pct(up["rel_change"], ratio=True),
                                           upn="" if up["significant"] else tr("c.not_clear", lang),
                                           dn=zone_name(down["zone"], lang, names),
                                           dnc=pct(down["rel_change"], ratio=True),
                                           dnn="" if down["significant"] else tr("c.not_clear", lang)))
        if pkg in ev.index:
            e = ev.loc[pkg]
            if e["demoted"] + e["promoted"] + e["warnings"] > 0:
                lines.append(tr("c.status", lang, d=count(e["demoted"]), p=count(e["promoted"]), w=count(e["warnings"])))
        lines += ["", tr("cp.table", lang), "|---|---:|---:|---|---:|---|"]
        for _, x in r.iterrows():
            p = pair.loc[(pkg, x["outcome"])] if (pkg, x["outcome"]) in pair.index else None
            verdict = (verdict_text(p, lang, target) if p is not None
                       else tr("cp.v.clear", lang) if x["significant"] else "")
            lines.append(f"| {display(x['outcome'], lang).label_in(lang)} | {value(x['outcome'], x['baseline'], lang)} | "
                         f"{value(x['outcome'], x['value'], lang)} | {_change(x, lang)} | "
                         f"{corr_text(p['correlation']) if p is not None else NA} | {verdict} |")
        lines.append("")
    if pairing is not None and len(pairing) and (pairing["outcome"] == "output").any():
        heads, rows = pairing_rows(pairing, lang, target, titles)
        lines += [f"## {tr('cp.head', lang)}", "",
                  tr("cp.table_intro", lang, y=year, s=seeds, t=target_text(target)), "",
                  "| " + " | ".join(heads) + " |", "|---|---:|---:|---:|---:|---:|---|---|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)


def _change(x: Any, lang: str) -> str:
    from sim.present.format import change

    if not finite(x["diff"]):
        return "–"
    return change(x["outcome"], x["diff"], x["lo"], x["hi"], x["baseline"], lang)
