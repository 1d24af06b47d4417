"""Validation in words: the table printed by ``zonesim validate`` and its ``report.md``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.present.charts.validation import check_result
from sim.present.format import num, stat


def interval_text(lo: float, hi: float, unit: Any = "1") -> str:
    """An accepted interval, its bounds as a statistic in ``unit`` reads (a rate in per cent)."""
    if not np.isfinite(hi):
        return f">= {stat(lo, unit)}"
    if not np.isfinite(lo):
        return f"<= {stat(hi, unit)}"
    return f"[{stat(lo, unit)}, {stat(hi, unit)}]"


def model_text(r: Any, k: float = 1.0) -> str:
    """A target row's model mean and 5-95% range across seeds, ``mean [p05, p95]``, each times ``k``
    (Chinese money: CNY bn -> 亿元) and read as its unit says (rates and shares in per cent)."""
    u = r.get("unit")
    return f"{stat(k * r['model_mean'], u)} [{stat(k * r['model_p05'], u)}, {stat(k * r['model_p95'], u)}]"


def verdict_key(r: Any) -> str:
    """The i18n key of a target row's result: 'va.pass', 'va.fail' or 'va.na' (not assessed: the
    run could not compute it; an old table without ``status`` reads ``pass``)."""
    from sim.analysis.validate import status_of

    status = r.get("status")
    status = status if isinstance(status, str) else status_of(r["pass"])
    return {"pass": "va.pass", "fail": "va.fail"}.get(status, "va.na")


def headline(table: pd.DataFrame, lang: str = "en") -> str:
    """'k of n targets pass', or, when some targets were not assessed, 'k of a assessed targets
    pass; m of n not assessed (run too short: 5 years, needs 10 years)', without a full stop."""
    from sim.analysis.validate import NOT_ASSESSED, tally
    from sim.present.i18n import tr

    c = tally(table)
    if not c["not_assessed"]:
        return tr("va.headline", lang, k=c["passed"], n=len(table))
    na = table[table["status"] == NOT_ASSESSED]
    run = table["run_years"].iloc[0] if "run_years" in table else None
    need = na["years_needed"] if "years_needed" in na else pd.Series(0, index=na.index)
    is_short = need > int(run) if run is not None and not pd.isna(run) else pd.Series(False, index=na.index)
    short = sorted({int(n) for n in need[is_short]})
    why = [tr("va.why_short", lang, y=int(run), need=tr("va.or", lang).join(map(str, short)))] if short else []
    if not is_short.all():
        why.append(tr("va.why_none", lang))
    return tr("va.headline_na", lang, k=c["passed"], a=c["assessed"], m=c["not_assessed"], n=len(table),
              why=tr("va.why_sep", lang).join(why))


def target_row(r: Any, lang: str = "en") -> tuple[str, float]:
    """A target's name in ``lang`` and the factor its money values take (Chinese: CNY bn -> 亿元,
    x 10; output per firm stays in CNY m, 百万元, the unit of its published figure)."""
    from sim.core.units import yi_from_bn
    from sim.present.i18n import VALIDATION_STATS_ZH

    if lang != "zh":
        return str(r["statistic"]), 1.0
    k = yi_from_bn(1.0) if str(r.get("unit")) in ("CNY bn/yr", "CNY bn") else 1.0
    return VALIDATION_STATS_ZH.get(str(r.get("key")), str(r["statistic"])), k


def target_text(r: Any, lang: str = "en") -> str:
    """What the published figure implies for a target, in ``lang`` (Chinese: ``i18n.VALIDATION_TARGETS_ZH``)."""
    from sim.present.i18n import VALIDATION_TARGETS_ZH

    zh = VALIDATION_TARGETS_ZH.get(str(r.get("key"))) if lang == "zh" else None
    if not zh:
        return str(r["target"])
    from sim.analysis.validate import _N20, _N133

    return zh.format(n20=f"{_N20:,.0f}", n133=f"{_N133:,.0f}")


def moment_text(r: Any, lang: str = "en") -> str:
    """The moment a calibrated parameter is fitted to, in ``lang`` (Chinese: ``i18n.FITTED_MOMENTS_ZH``)."""
    from sim.present.i18n import FITTED_MOMENTS_ZH

    zh = FITTED_MOMENTS_ZH.get(str(r.get("parameter"))) if lang == "zh" else None
    return zh or str(r["moment"])


def note_text(r: Any, lang: str = "en") -> str:
    """A policy-response row's note in ``lang``, formatted from its template keys (``note_key``)
    and fields (``note_fields``, JSON) with the template of :data:`sim.analysis.validate.NOTES`
    (English) or ``i18n.VALIDATION_NOTES_ZH`` (Chinese; each number written as the English template
    writes it). A row without them (an older table) shows its ``note`` as it is."""
    import json
    import string

    from sim.analysis.validate import NOTES
    from sim.present.i18n import VALIDATION_NOTES_ZH

    key, fields = r.get("note_key"), r.get("note_fields")
    if not isinstance(key, str) or not isinstance(fields, str):
        note = r.get("note")
        return "" if note is None or (isinstance(note, float) and np.isnan(note)) else f"{note}"
    keys = [k for k in key.split("; ") if k]
    parts = []
    for k, f in zip(keys, json.loads(fields)):
        if lang != "zh":
            parts.append(NOTES[k].format(**f))
            continue
        spec = {name: fmt for _, name, fmt, _ in string.Formatter().parse(NOTES[k]) if name}
        parts.append(VALIDATION_NOTES_ZH[k].format(**{n: format(v, spec.get(n, "")) for n, v in f.items()}))
    return ("；" if lang == "zh" else "; ").join(parts)


def format_table(table: pd.DataFrame, lang: str = "en") -> str:
    """The targets as printed by ``zonesim validate``: in ``lang``, lined up for Chinese too."""
    from sim.present.format import clip, pad, text_width
    from sim.present.i18n import tr

    head = (pad(tr("va.t.stat", lang), 58) + " " + pad(tr("va.t.model", lang), 30, right=True) + " "
            + pad(tr("va.t.accepted", lang), 20, right=True) + "  " + tr("va.t.result", lang))
    lines = [head, "-" * text_width(head)]
    for r in table.to_dict("records"):
        name, k = target_row(r, lang)
        model = model_text(r, k)
        res = {"va.pass": "pass", "va.fail": "FAIL"}.get(verdict_key(r)) if lang == "en" else None
        res = res or tr(verdict_key(r), lang).strip("*")  # no markdown bold in a terminal
        lines.append(pad(clip(name, 58), 58) + " " + pad(model, 30, right=True) + " "
                     + pad(interval_text(k * r["lo"], k * r["hi"], r.get("unit")), 20, right=True) + "  "
                     + res + (tr("va.t.fitted", lang) if r.get("calibrated") else ""))
    lines.append(headline(table, lang))
    return "\n".join(lines)


def format_policy(policy: pd.DataFrame, lang: str = "en") -> str:
    """The policy-response checks as printed by ``zonesim validate``, in ``lang``."""
    from sim.present.format import clip, pad, text_width
    from sim.present.i18n import VALIDATION_CLAIMS_ZH, tr

    lines = [tr("va.t.policy", lang)]
    rows = []
    for r in policy.to_dict("records"):
        res = check_result(r["pass"], r["seeds"])
        claim, expect = ((VALIDATION_CLAIMS_ZH.get(str(r.get("key"))) or (r["claim"], r["expect"]))
                         if lang == "zh" else (r["claim"], r["expect"]))
        rows.append((claim, num(r["model_mean"]), expect, res if lang == "en" else tr(f"va.r.{res}", lang).strip("*")))
    ew = max([44] + [text_width(e) for _, _, e, _ in rows])
    for claim, mean, expect, res in rows:
        lines.append(f"  {pad(clip(claim, 70), 70)} {pad(mean, 8, right=True)}  {pad(expect, ew)} {res}")
    return "\n".join(lines)


def format_oos(oos: pd.DataFrame, lang: str = "en") -> str:
    """The out-of-sample check as printed: published figure, model mean, difference."""
    from sim.core.units import yi_from_bn
    from sim.present.format import is_rate, pct, points
    from sim.present.i18n import VALIDATION_OOS_ZH, tr

    lines = [tr("va.t.oos", lang)]
    for r in oos.itertuples():
        # a growth rate (unit '1/yr'; a table without units: the key says) in per cent, its difference
        # from the published one in percentage points; the other figures differ by a relative difference
        rate = is_rate(getattr(r, "unit", None)) or r.key.endswith("growth_2018")
        diff = points(r.difference, lang) if rate else f"{r.difference:+.1%}"
        k = yi_from_bn(1.0) if lang == "zh" and r.key == "output_2021" else 1.0  # CNY bn -> 亿元
        spec = ",.0f" if abs(r.published) >= 100 else ",.3f"
        p, m = ((pct(r.published, sign=False, ratio=True), pct(r.model_mean, sign=False, ratio=True)) if rate else
                (format(k * r.published, spec), format(k * r.model_mean, spec)))
        name = VALIDATION_OOS_ZH.get(r.key, r.figure) if lang == "zh" else r.figure
        lines.append(tr("va.t.oos_row", lang, f=name, p=p, m=m, d=diff))
    return "\n".join(lines)


def format_signs(table: pd.DataFrame, years: int, lang: str = "en") -> str:
    """The sign check as printed: measures with the opposite sign first, then the rest; in Chinese
    the measures and outcomes by their Chinese names (the English text is that of
    :func:`sim.analysis.validate.format_signs`)."""
    from sim.present.format import pad, text_width
    from sim.present.i18n import lever_name, name_of, tr

    if lang != "zh":
        from sim.analysis.validate import format_signs as english

        return english(table, years)
    lines = [tr("va.s.head", lang, y=years)]
    order = table.assign(o=table["verdict"].map({"opposite": 0, "inconclusive": 1, "negligible": 2,
                                                 "as intended": 3}))
    mw = max([16] + [text_width(lever_name(m, lang)) for m in table["measure"]])
    ow = max([16] + [text_width(name_of(o, lang)) for o in table["outcome"]])
    for r in order.sort_values(["o", "measure"]).itertuples():
        lines.append(tr("va.s.row", lang, v=pad(tr(f"va.s.v.{r.verdict}", lang), 8), m=pad(lever_name(r.measure, lang), mw),
                        o=pad(name_of(r.outcome, lang), ow), i=r.intended, e=f"{100 * r.effect:+.3f}",
                        se=f"{100 * r.se:.3f}", p=r.package, n=r.seeds))
    bad = table[table["verdict"] == "opposite"]
    names = tr("va.s.sep", lang).join(lever_name(m, lang) for m in bad["measure"])
    lines.append(tr("va.s.opposite", lang, l=names or tr("va.s.none", lang)))
    return "\n".join(lines)


def when_text(when: str, lang: str = "en") -> str:
    """When a statistic is measured ('year 0', 'years 1..N', 'last 5 years') in ``lang``."""
    import re

    from sim.present.i18n import TEXT, tr

    if f"va.when.{when}" in TEXT:
        return tr(f"va.when.{when}", lang)
    m = re.fullmatch(r"years (\w+)\.\.(\w+)", when)
    if m:
        return tr("va.when.years", lang, a=m.group(1), b=m.group(2))
    m = re.fullmatch(r"year (\d+)", when)
    if m:
        return tr("va.when.year_n", lang, n=m.group(1))
    m = re.fullmatch(r"last (\d+) years", when)
    return tr("va.when.last_n", lang, n=m.group(1)) if m else when


def report_md(world: Any, table: pd.DataFrame, fitted: pd.DataFrame, policy: pd.DataFrame, n_seeds: int,
              n_policy: int, years: int, lang: str = "en") -> str:
    from sim.present.i18n import VALIDATION_CLAIMS_ZH, pick, tr

    title = pick(world.title, getattr(world, "title_zh", None), lang)
    L = [tr("va.head", lang, w=world.name, t=title), "", tr("va.intro", lang, s=n_seeds, y=years), "",
         tr("va.table", lang), "|---|---|---|---|---|---|---|"]
    for r in table.to_dict("records"):
        when = when_text(str(r["when"]), lang)
        name, k = target_row(r, lang)  # Chinese: the name in Chinese, CNY bn in 亿元
        L.append(f"| {name} | {when} | {model_text(r, k)} | {interval_text(k * r['lo'], k * r['hi'], r.get('unit'))} | "
                 f"{target_text(r, lang)} | {r['source']} | "
                 f"{tr(verdict_key(r), lang)}"
                 f"{tr('va.fitted', lang) if r['calibrated'] else ''} |")
    L += ["", f"**{headline(table, lang)}{tr('va.stop', lang)}**", "",
          f"![{tr('va.pic_targets', lang)}](validation.png)", "", f"![{tr('va.pic_sizes', lang)}](firm_sizes.png)", "",
          tr("va.calibrated", lang), "", tr("va.cal_table", lang), "|---|---|---|---|---|"]
    for r in fitted.to_dict("records"):
        L.append(f"| `{r['parameter']}` | {num(r['default'], digits=4)} | {num(r['world_value'], digits=4)} | "
                 f"{tr('yes' if r['fitted'] else 'no', lang)} | {moment_text(r, lang)} |")
    if not policy.empty:
        L += ["", tr("va.policy", lang), "", tr("va.policy_intro", lang, n=n_policy), "",
              tr("va.policy_table", lang), "|---|---|---|---|---|---|"]
        for r in policy.to_dict("records"):
            res = tr(f"va.r.{check_result(r['pass'], r['seeds'])}", lang)
            claim, expect = ((VALIDATION_CLAIMS_ZH.get(str(r.get("key"))) or (r["claim"], r["expect"]))
                             if lang == "zh" else (r["claim"], r["expect"]))
            L.append(f"| {claim} | {r['source']} | {expect} | {num(r['model_mean'])} "
                     f"[{num(r['model_p05'])}, {num(r['model_p95'])}] | {res} | {note_text(r, lang)} |")
        L += ["", f"![{tr('va.pic_policy', lang)}](policy.png)"]
    L += ["", tr("va.footer", lang), ""]
    return "\n".join(L)
