"""The report's HTML: one self-contained page (pictures embedded as ``data:`` URIs) with a
stylesheet for screens and for A4 paper (headings kept with their pictures, the one-page
overview on its own page)."""

from __future__ import annotations

import base64
import html
from typing import Any

import numpy as np
import pandas as pd

from sim import __version__
from sim.present.format import NA, finite, num
from sim.present.i18n import check_lang, kind_name, package_title, tr
from sim.present.report.folder import Folder

MAX_TABLE_ROWS = 60
KNOWN_KINDS = ("run", "compare", "study", "sweep", "sensitivity", "attribution", "robustness", "discovery")

CSS = """
body{font-family:%(font)s;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.55}
h1{font-size:1.7em;border-bottom:3px solid #c0392b;padding-bottom:.3em}
h2{font-size:1.3em;margin-top:1.8em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right;vertical-align:top}
th{background:#f3f3f3} td:first-child,th:first-child{text-align:left}
table.text td,table.facts td{text-align:left} .muted{color:#777;font-size:.85em}
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
FONT_STACK = {"zh": "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Zen Hei',sans-serif",
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


def context(f: Folder, lang: str) -> dict[str, Any]:
    """Names and titles for the report: package titles, zone names, zone slots, world title."""
    world = f.world
    titles = {p["name"]: package_title(p, lang) for p in f.packages}
    zones = world.get("zones") or []
    zh = lang == "zh"
    names = {z["id"]: (z.get("name_zh") if zh else z.get("name")) or z["id"] for z in zones}
    for p in f.packages:  # zones a package creates
        nz = ((p.get("levers") or {}).get("new_zones") or {}) if isinstance(p.get("levers"), dict) else {}
        for park in nz.get("parks", []) if isinstance(nz, dict) else []:
            if isinstance(park, dict) and park.get("id"):
                names.setdefault(park["id"], (park.get("name_zh") if zh else park.get("name")) or park["id"])
    world_title = (world.get("title_zh") if zh else world.get("title")) or world.get("name") or f.manifest.get("world", NA)
    return {"titles": titles, "names": names, "slot_ids": [z["id"] for z in zones], "world_title": world_title,
            "world": world}


def what_was_run(f: Folder, lang: str, ctx: dict[str, Any]) -> str:
    m = f.manifest
    world = ctx["world"]
    kname = kind_name(f.kind, lang)
    seeds = m.get("seeds")
    n_seeds = len(seeds) if isinstance(seeds, list) else (
        int(f.results["seed"].nunique()) if f.results is not None and "seed" in f.results else None)
    years = m.get("years") or f.scenario.get("years")
    start = world.get("start_year")
    rows = [
        (tr("r.kind", lang), esc(f"{kname} ({f.kind})" if kname != f.kind else f.kind)),
        (tr("r.world", lang), esc(ctx["world_title"])),
        (tr("r.packages", lang), "<br>".join(esc(f"{ctx['titles'].get(p['name'], p['name'])} ({p['name']})")
                                             for p in f.packages) or tr("none", lang)),
        (tr("r.years", lang), esc(f"{years}" + (f" ({start}–{start + int(years)})" if years and start else ""))
         if years else NA),
        (tr("r.seeds", lang), esc(f"{n_seeds}" + (f" — {', '.join(map(str, seeds[:8]))}{' …' if len(seeds) > 8 else ''}"
                                                  if isinstance(seeds, list) else "")) if n_seeds else NA),
        (tr("r.base_seed", lang), esc(m.get("base_seed", NA))),
        (tr("r.version", lang), esc(f"zonesim {m.get('zonesim_version', '?')}, Mesa {m.get('mesa_version', '?')}, "
                                    f"Python {m.get('python', '?')}")),
        (tr("r.command", lang), f"<code>{esc(' '.join(map(str, m.get('command', [])))) or NA}</code>"),
        (tr("r.created", lang), esc(m.get("created_utc", NA))),
        (tr("r.folder", lang), f"<code>{esc(f.path.resolve())}</code>"),
    ]
    return f"<h2>{esc(tr('r.what', lang))}</h2>" + facts(rows)


def render(f: Folder, lang: str = "en") -> str:
    """The report's HTML text for a read results folder."""
    from sim.present.fonts import cjk_font
    from sim.present.report import sections

    check_lang(lang)
    ctx = context(f, lang)
    tidy = f.results is not None and {"zone", "year", "step", "output"} <= set(f.results.columns)
    base = f.manifest.get("baseline") or f.scenario.get("baseline")
    if tidy and isinstance(base, str) and "package" in f.results and base in set(f.results["package"]):
        # the baseline first: differences and the summary are stated against it
        order = [base] + [p for p in dict.fromkeys(f.results["package"]) if p != base]
        f.results = f.results.assign(_o=f.results["package"].map({p: i for i, p in enumerate(order)})) \
            .sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
    parts: list[str] = []
    head_parts: list[str] = []
    if tidy and f.kind not in ("sweep", "study", "sensitivity"):
        if f.kind not in KNOWN_KINDS:
            note = tr("r.unknown", lang, k=f.kind, n=len(f.files))
            parts.append(f'<p id="kind-note" class="muted">{esc(note)}</p>')
        if f.kind == "compare" and "package" in f.results and f.results["package"].nunique() > 1:
            head_parts.append(sections.one_page(f, lang, ctx))
            parts += sections.compare_sections(f, lang, ctx)
        else:
            parts += sections.run_sections(f, lang, ctx)
    elif f.kind == "study" and "sensitivity/indices.csv" in f.tables:
        parts += sections.sensitivity_sections(f, lang, ctx)
    elif f.kind == "study" and f.study is not None:
        parts += sections.sweep_sections(f, lang, ctx)
    elif f.kind in sections.ANALYSIS_KINDS:
        parts += sections.analysis_sections(f, lang, ctx)
    else:
        parts += sections.generic_sections(f, lang)
    if lang == "zh" and cjk_font() is None:
        parts.append(f'<p class="muted">{esc(tr("r.no_font", lang))}</p>')
    title = f"{tr('r.title', lang)} — {ctx['world_title']}"
    made = tr("r.made", lang, v=__version__, t=pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d %H:%M UTC"))
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS % {'font': FONT_STACK[lang]}}</style></head><body>"
            f"<h1>{esc(title)}</h1><p class=\"muted\">{esc(made)}</p>"
            + "\n".join(head_parts)
            + f"<p class=\"muted\">{esc(tr('r.note', lang))}</p>" + what_was_run(f, lang, ctx)
            + "\n".join(parts) + "</body></html>\n")
