"""Tables as an Excel workbook (openpyxl): officials work in Excel.

One sheet per table, a bold frozen header row, readable column widths, numbers kept as numbers
(not text) with a plain number format (no scientific notation); missing values are empty cells.
"""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd

from sim.present.i18n import tr

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


def workbook(sheets: dict[str, pd.DataFrame], lang: str = "en") -> bytes:
    """The workbook's bytes: one sheet per table (in order), plus nothing else."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for name, df in sheets.items():
        ws = wb.create_sheet(_sheet_name(name, used))
        cols = [tr(c, lang) if lang == "zh" and c in ("package", "year", "zone", "seed", "outcome", "unit") else str(c)
                for c in df.columns]
        ws.append(cols)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in df.itertuples(index=False):
            ws.append([_cell(v) for v in row])
        ws.freeze_panes = "A2"
        for j, c in enumerate(df.columns, start=1):
            s = df[c]
            width = max([len(cols[j - 1])] + [len(str(v)) for v in s.head(200)]) if len(s) else len(cols[j - 1])
            ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), 48)
            if pd.api.types.is_float_dtype(s):
                for cell in ws.iter_cols(min_col=j, max_col=j, min_row=2):
                    for x in cell:
                        x.number_format = "#,##0.0###"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
