"""The report's HTML: one self-contained page (pictures embedded as ``data:`` URIs) with a
stylesheet for screens and for A4 paper (headings kept with their pictures, the one-page
overview on its own page)."""

from __future__ import annotations

import base64
import html
from typing import Any

import numpy as np
import pandas as pd

from sim.present.format import NA, finite, num
from sim.present.i18n import tr

MAX_TABLE_ROWS = 60
KNOWN_KINDS = ("run", "compare", "study", "sweep", "sensitivity", "attribution", "robustness", "discovery")

CSS = """
body{font-family:%(font)s;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.55}
h1{font-size:1.7em;border-bottom:3px solid #c0392b;padding-bottom:.3em}
h2{font-size:1.3em;margin-top:1.8em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right;vertical-align:top}
th{background:#f3f3f3} td:first-child,th:first-child{text-align:left}
table.text td,table.text th,table.facts td{text-align:left} .muted{color:#777;font-size:.85em}
.warning{background:#fff3cd;border:1px solid #e0b000;padding:.5em .8em}
tr[data-level=national] td:nth-child(2){color:#c0392b} tr[data-level=delisted]{color:#888}
td.clear{font-weight:bold} td.unclear{color:#888}
img{max-width:100%%;border:1px solid #eee;margin:.5em 0} .summary li{margin:.35em 0}
figure{margin:0 0 1em 0} figcaption{font-weight:bold;margin:.6em 0 .2em}
section.onepage{border:2px solid #c0392b;border-radius:6px;padding:.4em 1.2em 1em;margin:1em 0 2em}
section.onepage h2{margin-top:.4em;border:none}
code{font-size:.85em;background:#f6f6f6;padding:.1em .3em}
@page{size:A4;margin:14mm 12mm}
@media print{
  body{max-width:none;margin:0;padding:0;font-size:10pt}
  h1{font-size:16pt} h2{font-size:13pt;margin-top:1em} h3{font-size:11pt}
  h1,h2,h3,figcaption{break-after:avoid;page-break-after:avoid}
  figure,img,tr,li{break-inside:avoid;page-break-inside:avoid}
  img{max-height:235mm;border:none}
  section.onepage{break-after:page;page-break-after:always;border:none;padding:0}
  table{font-size:8.5pt} .noprint{display:none}
}
"""
FONT_STACK = {"zh": "'zonesim CJK','Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',"
                    "'WenQuanYi Zen Hei',sans-serif",
              "en": "'DejaVu Sans','Helvetica Neue',Arial,sans-serif"}


def esc(x: Any) -> str:
    return html.escape(str(x))


def img(png: bytes, alt: str, ident: str = "") -> str:
    data = base64.b64encode(png).decode("ascii")
    idattr = f' id="{ident}"' if ident else ""
    return f'<img{idattr} alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def figure(png: bytes, caption: str, ident: str = "") -> str:
    """A picture with its caption, kept together on paper."""
    return f"<figure><figcaption>{esc(caption)}</figcaption>{img(png, caption, ident)}</figure>"


def cell(v: Any) -> str:
    """A table cell as a person reads it: numbers without scientific notation, no NaN."""
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return NA
    if isinstance(v, (bool, np.bool_)):
        return "✓" if v else ""
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,d}"
    if isinstance(v, (float, np.floating)):
        return num(float(v), digits=3) if finite(v) else NA
    if isinstance(v, str) and v.lower() in ("nan", "none", "inf", "-inf"):
        return NA
    return esc(v)


def table(df: pd.DataFrame, lang: str, max_rows: int = MAX_TABLE_ROWS, cls: str = "") -> str:
    shown = df.head(max_rows)
    head = "".join(f"<th>{esc(c)}</th>" for c in shown.columns)
    rows = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in shown.itertuples(index=False))
    body = f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    if len(df) > max_rows:
        body += f'<p class="muted">{esc(tr("r.rows_shown", lang, n=max_rows, m=len(df)))}</p>'
    return body


def text_table(rows: list[dict[str, str]], cls: str = "", ident: str = "") -> str:
    """A table of already formatted (and escaped) cells."""
    if not rows:
        return ""
    cols = list(rows[0])
    head = "".join(f"<th>{esc(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{r[c]}</td>" for c in cols) + "</tr>" for r in rows)
    idattr = f' id="{ident}"' if ident else ""
    return f'<table class="{cls}"{idattr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def facts(rows: list[tuple[str, str]]) -> str:
    return '<table class="facts">' + "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"
