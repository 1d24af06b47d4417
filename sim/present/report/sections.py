"""The sections of the report, per kind of results folder: a run, a comparison (opening with a
one-page overview), a sweep and a sensitivity study (findings, not file lists), the analyses
(attribution, robustness, discovery), and anything else (what can be shown without knowing it)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sim.analysis.compare import differences, pairing_summary
from sim.analysis.pairing import TARGET
from sim.analysis.summary import headline, ranking, unbound_budgets
from sim.present.charts.common import to_png
from sim.present.charts.maps import change_map, zone_map, zones_by_package
from sim.present.charts.ranks import bump_chart
from sim.present.charts.trajectories import difference_panels, region_chart, zone_trajectories
from sim.present.format import NA, change, count, finite, money, num, pct, value, value_range
from sim.present.i18n import (
    TEXT,
    display,
    factor_label,
    factor_name,
    factor_unit,
    factor_value,
    kind_name,
    level_label,
    paren,
    player_name,
    tr,
)
from sim.present.report.folder import Folder
from sim.present.report.html import esc, figure, table, text_table
from sim.present.summaries.compare import pairing_rows, verdict_text
from sim.present.summaries.report import summary_sentences

ANALYSIS_KINDS = ("attribution", "robustness", "discovery")
HEADLINE_EN = ("output", "value_added", "firms", "hightech_firms", "talent", "high_skill_share", "rd_intensity",
               "innovations", "output_per_km2", "tax", "output_cv", "public_money")
# The one-page overview: outcomes a package should raise (or, for these, lower).
ONE_PAGE = ("output", "hightech_firms", "talent", "innovations", "tax", "output_per_km2", "output_cv")
LOWER_IS_BETTER = {"output_cv", "exits", "entries_blocked", "public_money"}
DPI = 90


def _png(fig: Any) -> bytes:
    return to_png(fig, DPI)


# ------------------------------------------------------------------------------------------
# shared pieces
# ------------------------------------------------------------------------------------------
def _summary(df: pd.DataFrame, lang: str, ctx: dict[str, Any], compare: bool = False,
             clear: dict[tuple[str, str], bool] | None = None) -> str:
    """The summary in words; for a comparison the baseline's story once, then one line per
    package against it (no block repeated per package), each change marked clear or not by
    ``clear`` (the paired interval of the table beside it)."""
    full = [list(df["package"].unique())[0]] if compare else None
    sentences = summary_sentences(df, lang, ctx["names"], ctx["titles"], full=full, clear=clear)
    return (f"<h2>{esc(tr('r.summary', lang))}</h2><ul class=\"summary\">"
            + "".join(f"<li>{esc(s)}</li>" for s in sentences) + "</ul>")


def ranking_html(rank: pd.DataFrame, lang: str, names: dict[str, str], table_id: str = "ranking") -> str:
    """The final ranking as an HTML table: whole-number ranks, level (with host), output in the
    reader's unit (``data-zone`` on rows, ``data-level`` for styling)."""
    if rank.empty:
        return ""
    unit = display("output", lang).unit
    cols = ["zone", "level", "rank", "score", "output", "output_change_pct"]
    if rank["delisted_share"].gt(0).any():
        cols.append("delisted_share")
    heads = {c: tr(f"rk.{c}", lang, u=unit) for c in cols}
    body = []
    for r in rank.itertuples():
        level = level_label(r.level_code, lang, r.hosted)
        if r.hosted and r.host:
            host = names.get(r.host, r.host)
            level += paren(host, lang)
        # a delisted zone has no place: its level stands where the rank would
        rank_txt = esc(level_label("delisted", lang)) if r.level_code == "delisted" else count(r.rank)
        cells = {"zone": esc(names.get(r.zone_id, r.zone_id)), "level": esc(level), "rank": rank_txt,
                 "score": num(r.score), "output": value("output", r.output, lang, unit=False),
                 "output_change_pct": pct(r.output_change_pct), "delisted_share": pct(100 * r.delisted_share, sign=False)}
        body.append(f'<tr data-zone="{esc(str(r.zone_id))}" data-level="{esc(str(r.level_code))}">'
                    + "".join(f"<td>{cells[c]}</td>" for c in cols) + "</tr>")
    th = "".join(f"<th>{esc(heads[c])}</th>" for c in cols)
    return (f'<table class="ranking" id="{esc(table_id)}"><thead><tr>{th}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def rank_note(df: pd.DataFrame, lang: str) -> str:
    """What a rank in the tables is (one line above the table): the place rule of
    :func:`sim.analysis.summary.class_places`, and why the median score beside it may run
    against it."""
    n = int(df["seed"].nunique()) if "seed" in df else 1
    text = tr("rk.rank_note", lang, n=count(n)) if n > 1 else tr("rk.rank_note_1", lang)
    return f'<p class="muted">{esc(text)}</p>'


def compare_ranking_rows(ranks: dict[str, pd.DataFrame], base: str, lang: str, names: dict[str, str],
                         titles: dict[str, str]) -> list[dict[str, str]]:
    """The final ranking of a comparison, one column per package (``ranks``: package ->
    :func:`sim.analysis.summary.ranking`). Rows are the baseline's zones, then the zones only
    some packages have (created by a package, marked new), each within its class; a delisted
    zone shows its status, never a place; a zone in another class than the row's shows it."""
    ranks = {p: r.set_index("zone_id") for p, r in ranks.items()}
    rk0 = ranks[base]
    level_of = dict(zip(rk0.index, rk0["level_code"]))
    for r in ranks.values():
        for zid, lvl in zip(r.index, r["level_code"]):
            level_of.setdefault(zid, lvl)
    order = {"national": 0, "region": 1, "delisted": 2}
    zids = sorted(level_of, key=lambda z: (order.get(level_of[z], 3), z not in rk0.index))
    rows = []
    for zid in zids:
        lvl = level_of[zid]
        row = {tr("rk.zone", lang): esc(names.get(zid, zid)),
               tr("rk.level", lang): esc(level_label(lvl, lang) + ("" if zid in rk0.index
                                                                    else paren(tr("rk.new", lang), lang)))}
        for p, rk in ranks.items():
            r = rk.loc[zid] if zid in rk.index else None
            if r is None:
                row[titles.get(p, p)] = NA
            elif r["level_code"] == "delisted":
                # delisted in only some seeds (half of them is enough to be shown delisted): say
                # in how many, or two zones delisted once each read as two delisted zones
                share = r.get("delisted_share", 1.0)
                row[titles.get(p, p)] = esc(level_label("delisted", lang) if not finite(share) or share >= 1
                                            else tr("rk.delisted_in", lang, p=pct(100 * share, sign=False)))
            else:
                row[titles.get(p, p)] = count(r["rank"]) + ("" if r["level_code"] == lvl
                                                            else esc(paren(level_label(r["level_code"], lang), lang)))
        rows.append(row)
    return rows


def _final_map(df: pd.DataFrame, lang: str, ctx: dict[str, Any], y1: int) -> bytes | None:
    world = ctx["world"]
    coords = {z["id"]: (z.get("lon"), z.get("lat")) for z in world.get("zones") or [] if z.get("lon") is not None}
    if not coords:
        return None
    slot_ids = ctx["slot_ids"]
    last = df[(df["zone"] != "region") & (df["year"] == y1)]
    final = last.groupby("zone").agg(output=("output", "median"), level_name=("level_name", lambda s: s.mode().iloc[0]),
                                     hosted_by=("hosted_by", "median")).reset_index()
    hosts = {r.zone: slot_ids[int(r.hosted_by)] for r in final.itertuples()
             if r.hosted_by >= 0 and int(r.hosted_by) < len(slot_ids)}
    return _png(zone_map(final, {z: c[0] for z, c in coords.items()}, {z: c[1] for z, c in coords.items()},
                         ctx["names"], lang, hosts))


def _coords(ctx: dict[str, Any], f: Folder) -> dict[str, tuple[float, float]]:
    coords = {z["id"]: (z["lon"], z["lat"]) for z in ctx["world"].get("zones") or [] if z.get("lon") is not None}
    for p in f.packages:
        nz = (p.get("levers") or {}).get("new_zones") if isinstance(p.get("levers"), dict) else None
        for park in (nz or {}).get("parks", []) if isinstance(nz, dict) else []:
            if isinstance(park, dict) and park.get("lon") is not None:
                coords.setdefault(park["id"], (park["lon"], park["lat"]))
    return coords


# ------------------------------------------------------------------------------------------
# a single run
# ------------------------------------------------------------------------------------------
def run_sections(f: Folder, lang: str, ctx: dict[str, Any]) -> list[str]:
    df = f.results
    titles, names = ctx["titles"], ctx["names"]
    parts = [_summary(df, lang, ctx)]
    head = headline(df)
    y0, y1 = int(df["year"].min()), int(df["year"].max())
    pkgs = list(dict.fromkeys(head["package"]))
    rows = []
    for r in head.itertuples():
        row = {tr("outcome", lang): esc(display(r.outcome, lang).label_in(lang))}
        if len(pkgs) > 1:
            row = {tr("package", lang): esc(titles.get(r.package, r.package)), **row}
        f_ = (lambda v, o=r.outcome: value(o, v, lang, unit=False))
        row[tr("r.start", lang, y=y0)] = f_(r.start)
        row[tr("r.end", lang, y=y1) + " — " + tr("r.ci", lang)] = f"{f_(r.end)} [{f_(r.end_p05)}, {f_(r.end_p95)}]"
        row[tr("r.change", lang)] = pct(r.change_pct)
        rows.append(row)
    parts += [f"<h2>{esc(tr('r.headline', lang))}</h2>", text_table(rows, "headline")]
    parts.append(f"<h2>{esc(tr('r.charts', lang))}</h2>")
    parts.append(figure(_png(region_chart(df, lang, titles)), tr("r.region_charts", lang), "chart-region"))
    sub = df[df["package"] == pkgs[0]] if "package" in df else df
    parts.append(figure(_png(zone_trajectories(sub, names, lang)), tr("r.zone_charts", lang), "chart-zones"))
    rk = ranking(sub, ctx["slot_ids"])
    parts.append(f"<h2>{esc(tr('r.ranking', lang) + paren(tr('run.year', lang, y=y1), lang))}</h2>" + rank_note(sub, lang)
                 + ranking_html(rk, lang, names, "ranking-0"))
    png = _final_map(sub, lang, ctx, y1)
    if png:
        parts.append(figure(png, tr("r.map", lang), "chart-map"))
    return parts


# ------------------------------------------------------------------------------------------
# a comparison
# ------------------------------------------------------------------------------------------
def _diffs(f: Folder) -> tuple[pd.DataFrame, str, int]:
    df = f.results
    base = list(df["package"].unique())[0]
    y1 = int(df["year"].max())
    outs = tuple(o for o in dict.fromkeys((*ONE_PAGE, *HEADLINE_EN, "public_money")) if o in df)
    zone_outs = tuple(o for o in ("output",) if o in df)
    return differences(df, [y1], base, region=outs, zones=zone_outs), base, y1


def one_page(f: Folder, lang: str, ctx: dict[str, Any]) -> str:
    """The overview that opens a comparison's hand-out: for each outcome the package that did
    best against the baseline, the change with its 95% interval, whether that is clear, and the
    public money that package pays; then every package's public money."""
    titles = ctx["titles"]
    diff, base, y1 = _diffs(f)
    reg = diff[diff["zone"] == "region"]
    pair = _pairing(f, base, y1, ONE_PAGE).set_index(["package", "outcome"])
    cols = list(tr("r.best_cols", lang))
    cols[2], cols[3] = tr("cp.best_change", lang), tr("cp.how_certain", lang)
    money_end = {p: v for p, v in reg[reg["outcome"] == "public_money"].set_index("package")["value"].items()}
    base_money = reg[reg["outcome"] == "public_money"]["baseline"]
    base_money = float(base_money.iloc[0]) if len(base_money) else float("nan")
    rows = []
    for o in ONE_PAGE:
        sub = reg[reg["outcome"] == o].dropna(subset=["rel_change"])
        if sub.empty:
            continue
        sign = -1.0 if o in LOWER_IS_BETTER else 1.0
        best = sub.loc[(sign * sub["rel_change"]).idxmax()]
        better = sign * best["rel_change"] > 0
        row = {cols[0]: esc(display(o, lang).name)}
        if not better:
            row[cols[1]] = esc(tr("r.no_better", lang))
            row[cols[2]] = row[cols[3]] = row[cols[4].format(y=y1)] = NA
        else:
            clear = bool(best["significant"])
            row[cols[1]] = f"<b>{esc(titles.get(best['package'], best['package']))}</b>"
            row[cols[2]] = esc(change(o, best["diff"], best["lo"], best["hi"], best["baseline"], lang))
            key = (best["package"], o)
            how = (verdict_text(pair.loc[key], lang, TARGET) if key in pair.index
                   else tr("r.certain" if clear else "r.uncertain", lang))
            row[cols[3]] = f'<span class="{"clear" if clear else "unclear"}">{esc(how)}</span>'
            row[cols[4].format(y=y1)] = esc(money(money_end.get(best["package"], float("nan")), lang))
        rows.append(row)
    sep = tr("s.list_sep", lang)
    pm = [f"{titles.get(base, base)} {money(base_money, lang)}"] + [
        f"{titles.get(p, p)} {money(v, lang)}" for p, v in money_end.items()]
    return (f'<section class="onepage" id="one-page"><h2>{esc(tr("r.onepage", lang))} — '
            f'{esc(tr("r.best_on", lang, y=y1))}</h2>'
            + text_table(rows, "text", "best-table")
            + f"<p>{esc(tr('r.money_line', lang, lst=sep.join(pm)))}</p>"
            + f"<p class=\"muted\">{esc(tr('r.note_compare', lang))}</p></section>")


def _pairing(f: Folder, base: str, y1: int, outcomes: tuple[str, ...] = ("output",)) -> pd.DataFrame:
    """``pairing_summary`` of the results at the last year (from results.parquet, so an older
    folder without pairing.csv gets the table too)."""
    return pairing_summary(f.results, y1, base, [o for o in outcomes if o in f.results])


def pairing_html(f: Folder, lang: str, ctx: dict[str, Any], base: str, y1: int) -> str:
    """What the pairing on common random numbers bought: per package, the correlation of
    final-year region output between baseline and package, its median over zones, the variance
    reduction, the seeds for +-2%, paired and independent, the effect with its paired interval
    and the verdict."""
    from sim.present.summaries.compare import target_text

    pair = _pairing(f, base, y1)
    if pair.empty:
        return ""
    heads, rows = pairing_rows(pair, lang, TARGET, ctx["titles"])
    seeds = int(pair["seeds"].max())
    cells = [{h: esc(c) for h, c in zip(heads, row)} for row in rows]
    return (f'<section id="pairing"><h2>{esc(tr("cp.head", lang))}</h2>'
            f'<p>{esc(tr("cp.table_intro", lang, y=y1, s=seeds, t=target_text(TARGET)))}</p>'
            + text_table(cells, "text", "pairing-table") + "</section>")


def compare_sections(f: Folder, lang: str, ctx: dict[str, Any]) -> list[str]:
    df = f.results
    titles, names = ctx["titles"], ctx["names"]
    pkgs = list(df["package"].unique())
    base = pkgs[0]
    y1 = int(df["year"].max())
    diff, _, _ = _diffs(f)
    reg = diff[diff["zone"] == "region"]
    clear = {(p, o): bool(c) for p, o, c in zip(reg["package"], reg["outcome"], reg["significant"])}
    parts = [_summary(df, lang, ctx, compare=True, clear=clear)]
    # end values: one row per outcome, one column per package (short, not one row per package)
    head = headline(df)
    rows = []
    for o in dict.fromkeys(head["outcome"]):
        h = head[head["outcome"] == o].set_index("package")
        row = {tr("outcome", lang): esc(display(o, lang).label_in(lang))}
        for p in pkgs:
            row[titles.get(p, p)] = value(o, h.loc[p, "end"], lang, unit=False) if p in h.index else NA
        rows.append(row)
    parts += [f"<h2>{esc(tr('r.headline', lang))} — {esc(tr('r.end', lang, y=y1))}</h2>", text_table(rows, "headline")]
    # against the baseline: change in % with the 95% interval (paired t-interval), in the change's unit
    rows = []
    for o in dict.fromkeys(head["outcome"]):
        d = reg[reg["outcome"] == o].set_index("package")
        row = {tr("outcome", lang): esc(display(o, lang).name)}
        for p in pkgs[1:]:
            if p in d.index and finite(d.loc[p, "diff"]):
                x = d.loc[p]
                txt = esc(change(o, x["diff"], x["lo"], x["hi"], x["baseline"], lang))
                row[titles.get(p, p)] = f'<span class="{"clear" if x["significant"] else "unclear"}">{txt}</span>'
            else:
                row[titles.get(p, p)] = NA
        rows.append(row)
    parts += [f"<h3>{esc(tr('cp.r_vs', lang, b=titles.get(base, base), y=y1))}</h3>", text_table(rows, "headline")]
    parts.append(pairing_html(f, lang, ctx, base, y1))
    # pictures: totals, difference, ranks, change map, zones and the map under the baseline
    parts.append(f"<h2>{esc(tr('r.charts', lang))}</h2>")
    parts.append(figure(_png(region_chart(df, lang, titles)), tr("r.region_charts", lang), "chart-region"))
    parts.append(figure(_png(difference_panels(df, base, lang, titles)), tr("r.diff_chart", lang), "chart-difference"))
    parts.append(figure(_png(bump_chart(df, lang, names, titles)), tr("r.bump_chart", lang), "chart-bump"))
    zdiff = differences(df, [y1], base, region=(), zones=("output",))
    coords = _coords(ctx, f)
    if coords and len(zdiff):
        parts.append(figure(_png(change_map(zdiff, coords, y1, "output", lang, names, titles, base,
                                            zones_by_package(df))),
                            tr("r.change_map", lang), "chart-change-map"))
    sub = df[df["package"] == base]
    parts.append(figure(_png(zone_trajectories(sub, names, lang)),
                        f"{tr('r.zone_charts', lang)} — {titles.get(base, base)}", "chart-zones"))
    png = _final_map(sub, lang, ctx, y1)
    if png:
        parts.append(figure(png, f"{tr('r.map', lang)} — {titles.get(base, base)}", "chart-map"))
    ranks = {p: ranking(df[df["package"] == p], ctx["slot_ids"]) for p in pkgs}
    rows = compare_ranking_rows(ranks, base, lang, names, titles)
    parts.append(f"<h2>{esc(tr('r.ranking', lang) + paren(tr('run.year', lang, y=y1), lang))} — {esc(tr('rk.rank', lang))}</h2>"
                 + rank_note(df, lang)
                 + text_table(rows, "text", "ranking-0"))
    return parts


# ------------------------------------------------------------------------------------------
# a sweep: findings
# ------------------------------------------------------------------------------------------
def _explained(y: pd.Series, x: pd.Series) -> float:
    """Share of the spread of ``y`` explained by the groups of ``x`` (a numeric factor with many
    values is grouped into quantile bins: five, fewer when there are under ten points, so that
    a bin holds two points or more): between-group variance over total variance. NaN when every
    point is a group of its own: any factor would then 'explain' 100% (a Latin hypercube of 5
    points said so of each factor)."""
    n = len(x)
    bins = max(2, min(5, n // 2))
    if pd.api.types.is_numeric_dtype(x) and x.nunique() > min(6, bins):
        x = pd.qcut(x.rank(method="first"), bins, labels=False)
    if x.nunique() >= n:
        return float("nan")
    total = float(((y - y.mean()) ** 2).sum())
    if total <= 0:
        return 0.0
    g = y.groupby(x.astype(str))
    between = float((g.size() * (g.mean() - y.mean()) ** 2).sum())
    return between / total


def sweep_sections(f: Folder, lang: str, ctx: dict[str, Any]) -> list[str]:
    from sim.present.charts.sweep import sweep_chart

    df = f.study
    factors = [c for c in (f.manifest.get("factors") or []) if c in df]
    keys = {"run", "point", "replicate", "seed", "step", "year", "zone", "chunk", *factors}
    outcomes = [c for c in df.columns if c not in keys and pd.api.types.is_numeric_dtype(df[c])]
    year = int(df["year"].max())
    last = df[df["year"] == year]
    per_point = last.groupby("point").agg({**{o: "mean" for o in outcomes}, **{c: "first" for c in factors}})
    n_points, seeds = len(per_point), len(f.manifest.get("seeds") or [])
    parts = [f"<h2>{esc(tr('r.sweep_findings', lang))}</h2>",
             f"<p>{esc(tr('r.sweep_intro', lang, p=n_points, s=seeds, r=f.manifest.get('n_runs', len(last)), y=year))}</p>"]
    lines = []
    shown = [o for o in ("output", "hightech_firms", "talent", "public_money", "output_cv", "firms") if o in outcomes]
    shown = (shown or outcomes)[:4]
    for o in shown:
        y = per_point[o]
        if not factors:
            continue
        share = {c: v for c in factors if finite(v := _explained(y, per_point[c]))}
        lo, hi = value_range(o, y.min(), y.max(), lang)
        if not share:
            lines.append(tr("r.sweep_range", lang, o=display(o, lang).name, lo=lo, hi=hi))
            continue
        best = max(share, key=share.get)
        lines.append(tr("r.sweep_effect", lang, o=display(o, lang).name, lo=lo, hi=hi, f=factor_name(best, lang),
                        c=pct(100 * share[best], sign=False)))
    for u in unbound_budgets(df, factors):  # a budget that never binds (the tiers pay fixed amounts)
        lever = u["factor"].partition(".")[0]
        why = tr(f"r.sweep_unbound_why.{lever}", lang) if f"r.sweep_unbound_why.{lever}" in TEXT else ""
        lines.append(tr("r.sweep_unbound_all" if u["all"] else "r.sweep_unbound", lang,
                        f=factor_name(u["factor"], lang), x=num(u["x"]), hi=num(u["hi"]), s=num(u["spent"]),
                        u=factor_unit(u["factor"], lang), y=year, why=why))
    parts.append("<ul class=\"summary\">" + "".join(f"<li>{esc(s)}</li>" for s in lines) + "</ul>")
    if factors and shown:
        parts.append(figure(_png(sweep_chart(per_point, factors[:4], shown, lang)), tr("r.sweep_chart", lang),
                            "chart-sweep"))
    design = f.design.drop_duplicates("point")[["point", *factors]] if f.design is not None else None
    if design is not None:
        shown_design = design.assign(**{c: design[c].map(lambda v: factor_value(v, lang))
                                        for c in factors if not pd.api.types.is_numeric_dtype(design[c])})
        shown_design = shown_design.rename(columns={"point": tr("r.point", lang),
                                                    **{c: factor_label(c, lang) for c in factors}})
        parts.append(f"<h3>{esc(tr('r.design', lang))}</h3>" + table(shown_design, lang, max_rows=12))
    return parts


# ------------------------------------------------------------------------------------------
# a sensitivity study: indices with intervals, the most influential factors
# ------------------------------------------------------------------------------------------
def sensitivity_sections(f: Folder, lang: str, ctx: dict[str, Any]) -> list[str]:
    from sim.present.charts.sensitivity import sensitivity_charts
    from sim.present.summaries.analyses import (
        sensitivity_caption,
        sensitivity_findings,
        sensitivity_index,
        sensitivity_rows,
        sensitivity_unit,
    )

    idx = f.tables["sensitivity/indices.csv"]
    parts = [f"<h2>{esc(tr('r.sens_findings', lang))}</h2><ul class=\"summary\">"]
    sep = tr("s.list_sep", lang)
    findings = sensitivity_findings(idx)
    for outcome, year, zone, top, method in findings:
        lst = sep.join(f"{factor_name(fac, lang)} {sensitivity_index(method, outcome, v, lang)} "
                       f"[{sensitivity_index(method, outcome, lo, lang)}, {sensitivity_index(method, outcome, hi, lang)}]"
                       for fac, v, lo, hi in top)
        k = (tr("r.sens_of_morris", lang, u=sensitivity_unit(method, outcome, lang)) if method == "morris"
             else tr("r.sens_of_sobol", lang))
        parts.append(f"<li>{esc(tr('r.sens_line_of', lang, o=display(outcome, lang).name, y=year, k=k, lst=lst))}</li>")
    conv = f.tables.get("sensitivity/convergence.csv")
    if conv is not None and len(conv) and "within_ci" in conv:
        parts.append(f"<li>{esc(tr('r.sens_conv', lang, ok=int(conv['within_ci'].sum()), n=len(conv)))}</li>")
    parts.append("</ul>")
    # sensitivity_charts and sensitivity_findings walk the same groups in the same order
    for (stem, fig), (outcome, year, zone, _, method) in zip(sensitivity_charts(idx, lang), findings):
        parts.append(figure(_png(fig), sensitivity_caption(method, outcome, year, zone, lang, ctx.get("names")),
                            f"chart-{stem}"))
    parts.append(f"<h3>{esc(tr('r.indices', lang))}</h3>")
    for head, rows in sensitivity_rows(idx, lang):
        parts.append(f"<h4>{esc(head)}</h4>" + text_table([{k: esc(v) for k, v in r.items()} for r in rows],
                                                           "headline"))
    return parts


# ------------------------------------------------------------------------------------------
# attribution, robustness, discovery
# ------------------------------------------------------------------------------------------
def analysis_sections(f: Folder, lang: str, ctx: dict[str, Any]) -> list[str]:
    parts: list[str] = []
    text = analysis_text(f, lang, ctx) or f.texts.get("summary.md", "")
    words = [x for x in text.split("\n|")[0].splitlines()[1:] if x.strip() and not x.startswith("#")]
    head = {"attribution": "a.attribution", "robustness": "a.robustness", "discovery": "a.discovery"}[f.kind]
    parts.append(f"<h2>{esc(tr(head, lang))}</h2>" + "".join(f"<p>{esc(x)}</p>" for x in words))
    if f.kind == "attribution" and "shapley.csv" in f.tables:
        parts += _attribution(f, lang, ctx)
    elif f.kind == "robustness" and "ranking.csv" in f.tables:
        rows = _md_table(text)
        if rows:  # the ranking with headers in the report's language
            parts.append(f"<h2>{esc(tr('a.ranking', lang))}</h2>" + text_table(rows, "headline", "ranking-table"))
        else:
            rk = f.tables["ranking.csv"].copy()
            rk["package"] = [ctx["titles"].get(p, p) for p in rk["package"]]
            parts.append(f"<h2>{esc(tr('a.ranking', lang))}</h2>" + table(rk, lang))
        if "regret.png" in f.pictures:
            parts.append(figure(f.pictures["regret.png"], tr("a.regret", lang)))
    elif f.kind == "discovery":
        rows = _md_table(text)
        if rows:
            parts.append(f"<h2>{esc(tr('a.boxes', lang))}</h2>" + text_table(rows, "text", "limits-table"))
        elif "boxes.csv" in f.tables:
            parts.append(f"<h2>{esc(tr('a.boxes', lang))}</h2>" + table(f.tables["boxes.csv"], lang, cls="text"))
        if "discovery.png" in f.pictures:
            parts.append(figure(f.pictures["discovery.png"], tr("a.peeling", lang)))
    return parts


def _md_table(text: str) -> list[dict[str, str]]:
    """The first markdown table of ``text`` as rows of escaped cells keyed by its header."""
    lines = text.splitlines()
    for i, x in enumerate(lines):
        if x.startswith("|---") and i:
            heads = [c.strip() for c in lines[i - 1].strip().strip("|").split("|")]
            rows = []
            for y in lines[i + 1:]:
                if not y.startswith("|"):
                    break
                cells = [c.strip() for c in y.strip().strip("|").split("|")]
                rows.append({h: esc(c) for h, c in zip(heads, cells)})
            return rows
    return []


def analysis_text(f: Folder, lang: str, ctx: dict[str, Any]) -> str | None:
    """The summary of an attribution, robustness or discovery folder written again in the
    report's language from its saved tables and manifest (the folder's summary.md is in the
    language of the command that made it); None when a table or field is missing."""
    from types import SimpleNamespace

    from sim.present.summaries.analyses import attribution_markdown, discovery_markdown, robust_markdown

    m, t = f.manifest, f.tables
    titles = ctx["titles"]
    try:
        if f.kind == "attribution":
            a = SimpleNamespace(shapley=t["shapley.csv"], interactions=t.get("interactions.csv", pd.DataFrame()),
                                combinations=t["combinations.csv"], totals=m["totals"])
            pkg = next((p for p in f.packages if p.get("name") == m["package"]), {"name": m["package"]})
            return attribution_markdown(a, pkg, m["baseline"], m["by"], str(t["shapley.csv"]["outcome"].iloc[0]),
                                        int(m["year"]), ctx.get("world_title") or m.get("world", ""), lang=lang,
                                        baseline_title=titles.get(m["baseline"], m["baseline"]))
        if f.kind == "robustness":
            return robust_markdown(t["ranking.csv"], study=m["study"], outcome=m["outcome"], year=int(m["year"]),
                                   n_futures=int(m["futures"]), seeds=len(m.get("seeds") or []),
                                   uncertainties=list(m.get("uncertainties") or []), target=m.get("target"),
                                   maximise=bool(m.get("maximise", True)), titles=titles, lang=lang)
        if f.kind == "discovery":
            from sim.analysis.discover import MAX_QP

            d = SimpleNamespace(boxes=t["boxes.csv"], limits=t.get("limits.csv", pd.DataFrame()),
                                trajectory=t.get("trajectory.csv", pd.DataFrame(columns=["density"])),
                                base_rate=float(m["base_rate"]), n=int(m["runs"]))
            return discovery_markdown(d, m["where"], int(m["year"]), m.get("zone", "region"), m.get("source", ""),
                                      float(m["threshold"]), MAX_QP, lang=lang)
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return None


def _attribution(f: Folder, lang: str, ctx: dict[str, Any]) -> list[str]:
    """Shapley table and the waterfall redrawn in the report's language from the saved tables."""
    from types import SimpleNamespace

    from sim.present.charts.attribution import waterfall

    m = f.manifest
    sh = f.tables["shapley.csv"]
    outcome = str(sh["outcome"].iloc[0]) if "outcome" in sh and len(sh) else m.get("outcome", "output")
    rows = []
    who, u, val, ci, share = tr("a.shapley_cols", lang)
    by = m.get("by")
    who = tr(f"at.by.{by}", lang) if lang == "zh" and by in ("area", "measure") else who
    for r in sh.itertuples():
        rows.append({who: esc(player_name(r.player, lang)),
                     u: esc(display(outcome, lang).unit),
                     val: value(outcome, r.shapley, lang, sign=True, unit=False),
                     ci: f"[{value(outcome, r.shapley_lo, lang, sign=True, unit=False)}, "
                         f"{value(outcome, r.shapley_hi, lang, sign=True, unit=False)}]",
                     share: pct(100 * r.share_of_total, sign=False) if finite(r.share_of_total) else NA})
    parts = [f"<h2>{esc(tr('a.shapley', lang))}</h2>" + text_table(rows, "text")]
    totals = m.get("totals") or {}
    players = [SimpleNamespace(name=p["name"]) for p in m.get("players") or []]
    inter = f.tables.get("interactions.csv", pd.DataFrame(columns=["player_i", "player_j", "interaction"]))
    needed = {"total_effect", "total_lo", "total_hi", "baseline", "package", "total_pct", "interaction_total"}
    if players and needed <= set(totals) and len(players) == len(sh):
        a = SimpleNamespace(shapley=sh, interactions=inter, totals=totals)
        titles = ctx["titles"]
        fig = waterfall(a, players, outcome, int(m.get("year", 0)), lang,
                        package_title=titles.get(m.get("package"), m.get("package", "")),
                        baseline_title=titles.get(m.get("baseline"), m.get("baseline", "")))
        parts.append(figure(_png(fig), tr("a.waterfall", lang), "chart-waterfall"))
    elif "waterfall.png" in f.pictures:
        parts.append(figure(f.pictures["waterfall.png"], tr("a.waterfall", lang)))
    return parts


# ------------------------------------------------------------------------------------------
# anything else
# ------------------------------------------------------------------------------------------
def generic_sections(f: Folder, lang: str) -> list[str]:
    """What can be shown of any results folder: a sentence on what was found, the tables, the
    pictures."""
    known = f.kind in ("run", "compare", "study", "sweep", "sensitivity", *ANALYSIS_KINDS, "validate", "calibrate")
    msg = tr("r.generic" if known else "r.unknown", lang, k=kind_name(f.kind, lang) if known else f.kind,
             n=len(f.files))
    parts = [f'<h2>{esc(tr("r.summary", lang))}</h2><p id="kind-note">{esc(msg)}</p>']
    for name, text in f.texts.items():
        words = [x for x in text.split("\n|")[0].splitlines()[1:] if x.strip() and not x.startswith("![")]
        parts.append("".join(f"<p>{esc(x)}</p>" for x in words[:12]))
    if f.tables:
        parts.append(f"<h2>{esc(tr('r.tables', lang))}</h2>" + "".join(
            f"<h3>{esc(n)}</h3>" + table(t.rename(columns={c: tr(c, lang) for c in t.columns
                                                          if c in ("package", "year", "zone", "seed")}), lang)
            for n, t in list(f.tables.items())[:8]))
    if f.pictures:
        parts.append(f"<h2>{esc(tr('r.pictures', lang))}</h2>" + "".join(
            figure(png, n) for n, png in f.pictures.items()))
    return parts


__all__ = ["run_sections", "compare_sections", "one_page", "sweep_sections", "sensitivity_sections",
           "analysis_sections", "generic_sections", "ranking_html", "compare_ranking_rows", "rank_note"]
