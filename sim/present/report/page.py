"""The report page: what was run, then the sections for the kind of result (``sections``),
assembled with the page styles of ``html``; ``write_report`` puts it next to the results."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from sim import __version__
from sim.core.errors import InputError
from sim.present.i18n import check_lang, kind_name, package_title, pick, tr
from sim.present.report import sections
from sim.present.report.folder import Folder, read_folder
from sim.present.format import NA
from sim.present.report.html import CSS, FONT_STACK, KNOWN_KINDS, esc, facts

GENERATOR = "zonesim report"  # in every report's <head>: a file without it is not ours to overwrite


def context(f: Folder, lang: str) -> dict[str, Any]:
    """Names and titles for the report: package titles, zone names, zone slots, world title."""
    world = f.world
    titles = {p["name"]: package_title(p, lang) for p in f.packages}
    zones = world.get("zones") or []
    names = {z["id"]: pick(z.get("name"), z.get("name_zh"), lang) or z["id"] for z in zones}
    for p in f.packages:  # zones a package creates
        nz = ((p.get("levers") or {}).get("new_zones") or {}) if isinstance(p.get("levers"), dict) else {}
        for park in nz.get("parks", []) if isinstance(nz, dict) else []:
            if isinstance(park, dict) and park.get("id"):
                names.setdefault(park["id"], pick(park.get("name"), park.get("name_zh"), lang) or park["id"])
    world_title = pick(world.get("title"), world.get("title_zh"), lang) or world.get("name") or f.manifest.get("world", NA)
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
        (tr("r.years", lang), esc(tr("r.years_span", lang, n=years, a=start, b=start + int(years)) if start
                                  else f"{years}") if years else NA),
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
    from sim.present.fonts import cjk_font, embedded_font_css

    check_lang(lang)
    ctx = context(f, lang)
    tidy = f.results is not None and {"zone", "year", "step", "output"} <= set(f.results.columns)
    base = f.manifest.get("baseline") or f.scenario.get("baseline")
    if tidy and isinstance(base, str) and "package" in f.results and (f.results["package"] == base).any():
        # the baseline first: differences and the summary are stated against it
        order = [base] + [p for p in dict.fromkeys(f.results["package"]) if p != base]
        f.results = f.results.assign(_o=f.results["package"].map({p: i for i, p in enumerate(order)})) \
            .sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
    parts: list[str] = []
    head_parts: list[str] = []
    if f.incomplete:
        head_parts.append(f'<p class="warning" id="incomplete"><b>{esc(tr("r.incomplete", lang))}</b> '
                          f'{esc(f.incomplete)}</p>')
    note = f"<p class=\"muted\">{esc(tr('r.note', lang))}</p>"
    if tidy and f.kind not in ("sweep", "study", "sensitivity"):
        if f.kind not in KNOWN_KINDS:
            note = tr("r.unknown", lang, k=f.kind, n=len(f.files))
            parts.append(f'<p id="kind-note" class="muted">{esc(note)}</p>')
        if f.kind == "compare" and "package" in f.results and f.results["package"].nunique() > 1:
            head_parts.append(sections.one_page(f, lang, ctx))
            note = ""  # the one page ends with the comparison's own note (which interval is which): once
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
    body = (f"<h1>{esc(title)}</h1><p class=\"muted\">{esc(made)}</p>" + "\n".join(head_parts)
            + note + what_was_run(f, lang, ctx)
            + "\n".join(parts))
    # the Chinese glyphs the page uses travel with it: no CJK font needed where it is read or printed
    fontface = embedded_font_css(title + re.sub(r'src="data:[^"]*"', "", body)) if lang == "zh" else ""
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="{GENERATOR}">'
            f"<title>{esc(title)}</title><style>{fontface}{CSS % {'font': FONT_STACK[lang]}}</style></head><body>"
            + body + "</body></html>\n")


def write_report(folder: str | Path, lang: str = "en", out: str | Path | None = None) -> Path:
    """Write the report next to the results (``report-LANG.html``) or to ``out``; returns the path."""
    from sim.experiments.results import atomic_write

    path = Path(out) if out else Path(folder) / f"report-{lang}.html"
    check_report_path(path)
    text = render(read_folder(Path(folder)), lang)
    atomic_write(path, text)
    return path


def check_report_path(path: Path) -> None:
    """Refuse (one line, exit 2) to replace anything but a report zonesim wrote (its generator tag)."""
    if not os.path.lexists(path):
        return
    if path.is_symlink() or not path.is_file():
        raise InputError(path, "--out", "exists and is not a regular file; give a new file name")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise InputError(path, "--out", f"exists and cannot be read ({exc.strerror}); give a new file name") from None
    if f'<meta name="generator" content="{GENERATOR}">'.encode() not in head:
        raise InputError(path, "--out", "exists and was not written by zonesim report; give a new file name "
                                        "(zonesim replaces only its own reports)")
