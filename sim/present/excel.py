"""Tables as an Excel workbook (openpyxl): officials work in Excel.

One sheet per table, a bold frozen header row, readable column widths, numbers kept as numbers
(not text) with a plain number format (no scientific notation); missing values are empty cells.

A workbook is read by people, so its numbers are rounded for reading (money to 0.1 亿元 / 0.01 CNY bn,
other values to three significant digits, correlations to three decimals; the CSV and Parquet
files keep full precision and codes). In Chinese it speaks Chinese: column headers, sheet names,
package titles, zone and outcome names, units and verdicts are translated, money is in 亿元 and
shares in per cent (``sim.present.i18n.display``); a study's factors (``factors``) by their names
and categorical values in words (``factor_name``, ``factor_value``).
"""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd

from sim.present.format import decimals, finite, rounded
from sim.present.i18n import OUTCOME_NAMES, TEXT, display, factor_label, factor_unit, factor_value, tr, zone_name

MAX_SHEET = 31  # Excel's limit on a sheet name


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(c for c in name if c not in "[]:*?/\\")[:MAX_SHEET] or "sheet"
    out, k = base, 2
    while out in used:
        out = f"{base[:MAX_SHEET - 3]}_{k}"
        k += 1
    used.add(out)
    return out


def _cell(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "item"):  # numpy scalars
        v = v.item()
        if isinstance(v, float) and not math.isfinite(v):
            return None
    if isinstance(v, (list, tuple, dict)):
        return str(v)
    return v


# columns in the unit of the row's outcome (long tables: differences, region_summary, pairing)
_IN_UNIT = ("baseline", "value", "diff", "lo", "hi", "mean", "p05", "p95")
_RATIO = ("rel_change", "rel_half_width")  # fractions of the baseline: shown as per cent
_CORR = ("correlation", "zone_correlation_median")
_MONEY = ("public_money", "public_money_se", "net_fiscal_cost", "net_fiscal_cost_se", "output_gain", "output_gain_se")


def _fmt(places: int, percent: bool = False) -> str:
    return ("0" if percent else "#,##0") + ("." + "0" * places if places else "") + ("%" if percent else "")


def _number(v: Any, outcome: str | None, lang: str) -> tuple[Any, str | None]:
    """A value in the unit of ``outcome`` (scaled to the reader's unit in Chinese), rounded, and
    its number format."""
    if not finite(v):
        return None, None
    v = float(v)
    money = False
    if outcome is not None:
        d = display(outcome, lang)
        money = d.model_unit.startswith("CNY bn")
        if lang == "zh":
            v *= d.scale
    places = (1 if lang == "zh" else 2) if money else decimals(v, 3)
    return rounded(v, places=places), _fmt(places)


def readable(df: pd.DataFrame, lang: str = "en", titles: dict[str, str] | None = None,
             names: dict[str, str] | None = None,
             factors: Any = ()) -> list[tuple[list[str], list[list[Any]], list[list[str | None]]]]:
    """The sheet as a person reads it: headers, rows of cell values and rows of number formats;
    ``factors``: the columns that are a study's factors."""
    from sim.analysis.pairing import TARGET
    from sim.present.summaries.compare import target_text

    zh = lang == "zh"
    t = target_text(TARGET)
    titles = titles or {}
    factors = set(factors or ())
    cols = list(df.columns)
    long = "outcome" in cols
    add_unit = zh and long and "unit" not in cols  # a Chinese reader needs the unit of baseline/value
    # public_money is both the yearly outcome (a sweep's columns) and, in compare's fiscal table,
    # a sum over the run: only that table's header says 累计
    fiscal = "net_fiscal_cost" in cols
    heads = []
    for c in cols:
        if zh and c in factors:
            heads.append(factor_label(c, lang))
        elif c in factors and factor_unit(c, lang):  # the study file's unit: 'funding_reward.budget (CNY m/yr)'
            heads.append(f"{c} ({factor_unit(c, lang)})")
        elif zh and f"x.{c}" in TEXT and (fiscal or long or c not in OUTCOME_NAMES):
            heads.append(tr(f"x.{c}", lang, t=t))
        elif zh and c in ("package", "year", "zone", "seed", "outcome", "unit"):
            heads.append(tr(c, lang))
        elif zh and not long and c in OUTCOME_NAMES:
            heads.append(display(c, lang).label_in(lang))
        else:
            heads.append(str(c))
        if add_unit and c == "outcome":
            heads.append(tr("unit", lang))
    rows, fmts = [], []
    for rec in df.to_dict("records"):
        outcome = rec.get("outcome") if long else None
        outcome = outcome if isinstance(outcome, str) else None
        row, fmt = [], []
        for c in cols:
            v, f = rec[c], None
            if c in _IN_UNIT and long:
                v, f = _number(v, outcome, lang)
            elif c in _MONEY:
                v, f = _number(v, "public_money", lang)
            elif not long and c in OUTCOME_NAMES and isinstance(v, float):
                v, f = _number(v, c, lang)
            elif c in _RATIO:
                p = decimals(100 * v, 3) if finite(v) else 0
                v, f = (rounded(v, places=p + 2), _fmt(p, percent=True)) if finite(v) else (None, None)
            elif c in _CORR:
                v, f = (rounded(v, places=3), _fmt(3)) if finite(v) else (None, None)
            elif isinstance(v, bool) or (hasattr(v, "dtype") and getattr(v, "dtype", None) == bool):
                v = (tr("yes", lang) if v else tr("no", lang)) if zh else bool(v)
            elif isinstance(v, float) or (hasattr(v, "item") and isinstance(v.item(), float)):
                v = _cell(v)
                if v is not None:
                    v, f = rounded(v, 4), _fmt(decimals(v, 4))
            elif c == "note" and isinstance(v, str) and f"x.v.{v}" in TEXT:
                v = tr(f"x.v.{v}", lang)  # a reason in words, in either language
            elif zh and isinstance(v, str):
                if c in factors:
                    v = factor_value(v, lang)  # a land rule in words
                elif c == "package":
                    v = titles.get(v, v)
                elif c == "zone":
                    v = zone_name(v, lang, names)
                elif c == "outcome":
                    v = display(v, lang).name
                elif c == "unit" and outcome is not None:
                    v = display(outcome, lang).unit
                elif c == "verdict" and f"cp.v.{v}" in TEXT:
                    v = tr(f"cp.v.{v}", lang, t=t)
            row.append(_cell(v))
            fmt.append(f)
            if add_unit and c == "outcome":
                row.append(display(outcome, lang).unit if outcome else None)
                fmt.append(None)
        rows.append(row)
        fmts.append(fmt)
    return heads, rows, fmts


def workbook(sheets: dict[str, pd.DataFrame], lang: str = "en", titles: dict[str, str] | None = None,
             names: dict[str, str] | None = None, factors: Any = ()) -> bytes:
    """The workbook's bytes: one sheet per table (in order), plus nothing else. ``titles``
    (package -> title), ``names`` (zone id -> name) and ``factors`` (a study's factor columns)
    name packages, zones and factors in a Chinese workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for name, df in sheets.items():
        sheet = tr(f"x.sheet.{name}", lang) if lang == "zh" and f"x.sheet.{name}" in TEXT else name
        ws = wb.create_sheet(_sheet_name(sheet, used))
        cols, rows, fmts = readable(df, lang, titles, names, factors)
        ws.append(cols)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for i, (row, fmt) in enumerate(zip(rows, fmts), start=2):
            ws.append(row)
            for j, f in enumerate(fmt, start=1):
                if f is not None:
                    ws.cell(row=i, column=j).number_format = f
        ws.freeze_panes = "A2"
        for j, head in enumerate(cols, start=1):
            texts = [_shown(r[j - 1]) for r in rows[:200]]
            width = max([_width(head)] + [_width(x) for x in texts])
            ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), 48)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _shown(v: Any) -> str:
    return "" if v is None else f"{v:,}" if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def _width(text: str) -> int:
    """Columns wide enough for Chinese: a CJK character takes two widths."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
