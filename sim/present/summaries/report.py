"""The report's summary in plain language, computed from the numbers: growth of the main
totals, spread between zones, movers in the ranking, level changes, public money, and (for
several packages) what differs from the first."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.summary import headline, level_changes, rank_movers, region_rows
from sim.present.format import count, money, num, pct
from sim.present.i18n import name_of, paren, tr


def summary_sentences(df: pd.DataFrame, lang: str, names: dict[str, str], titles: dict[str, str],
                      full: list[str] | None = None,
                      clear: dict[tuple[str, str], bool] | None = None) -> list[str]:
    """``full``: the packages described in full (default: all); the others only get their line
    against the first package. ``clear``: (package, outcome) -> whether the paired 95% interval
    excludes 0 (a comparison's table beside these lines); the lines then mark a change by that
    interval, not by the 5–95% range of the per-seed differences (with two seeds the two could
    disagree: '高新技术企业数低0.6%' beside -0.6% [-3.3%, +2.0%] marked unclear)."""
    head = headline(df)
    reg = region_rows(df)
    y0, y1 = int(reg["year"].min()), int(reg["year"].max())
    pkgs = list(dict.fromkeys(reg["package"]))
    n_seeds = int(reg.groupby("package")["seed"].nunique().max())
    sep = tr("s.list_sep", lang)
    out: list[str] = []

    def get(pkg: str, o: str) -> pd.Series | None:
        r = head[(head["package"] == pkg) & (head["outcome"] == o)]
        return r.iloc[0] if len(r) else None

    def updown(p: float) -> str:
        if not np.isfinite(p) or abs(p) <= 0.05:
            return tr("s.flat", lang)
        return tr("s.grows" if p > 0 else "s.falls", lang, p=pct(abs(p), sign=False))

    for pkg in pkgs:
        if full is not None and pkg not in full:
            continue
        t = titles.get(pkg, pkg)
        o, f, h, tal = get(pkg, "output"), get(pkg, "firms"), get(pkg, "hightech_firms"), get(pkg, "talent")
        if o is None:
            continue
        cagr = 100 * ((o["end"] / o["start"]) ** (1 / max(y1 - y0, 1)) - 1) if o["start"] > 0 else np.nan
        s = tr("s.output", lang, t=t, ud=updown(o["change_pct"]), a=money(o["start"], lang), y0=y0,
               b=money(o["end"], lang), y1=y1, g=pct(cagr, sign=False), n=n_seeds,
               lo=money(o["end_p05"], lang), hi=money(o["end_p95"], lang))
        if f is not None and h is not None:
            s += tr("s.firms", lang, f=count(f["end"]), fp=pct(f["change_pct"]), fud=updown(f["change_pct"]),
                    h=count(h["end"]), hp=pct(h["change_pct"]), hud=updown(h["change_pct"]))
            s += (tr("s.talent", lang, t=count(tal["end"]), tp=pct(tal["change_pct"]), tud=updown(tal["change_pct"]))
                  if tal is not None else tr("s.stop", lang))
        out.append(s)
        cv = get(pkg, "output_cv")
        if cv is not None and np.isfinite(cv["start"]):
            key = ("s.cv_wider" if cv["end"] > cv["start"] * 1.02 else
                   "s.cv_narrower" if cv["end"] < cv["start"] * 0.98 else "s.cv_same")
            # three significant digits, as the tables show it (two gave 'from 1 to 1.1' beside 1.02 -> 1.07)
            out.append(tr("s.cv", lang, a=num(cv["start"]), b=num(cv["end"]), w=tr(key, lang)))
        # ranking movers: places within class at start and end (class_places, the rule of the
        # ranking tables), zones that kept their class
        zones = df[(df["zone"] != "region")]
        if "package" in zones:
            zones = zones[zones["package"] == pkg]
        mv = rank_movers(zones) if len(zones) else pd.DataFrame(columns=["zone", "first", "last", "gain"])
        if len(mv) and mv["gain"].iloc[0] >= 1:
            up = mv.iloc[0]
            out.append(tr("s.climber", lang, z=names.get(up["zone"], up["zone"]), a=count(up["first"]),
                          b=count(up["last"])))
        if len(mv) and mv["gain"].iloc[-1] <= -1:
            dn = mv.iloc[-1]
            out.append(tr("s.faller", lang, z=names.get(dn["zone"], dn["zone"]), a=count(dn["first"]),
                          b=count(dn["last"])))
        lc = level_changes(df)
        lc = lc[lc["package"] == (pkg if "package" in df else "run")]
        for col in ("delisted", "promoted", "hosted"):
            hit = lc[lc[col] > 0]
            if len(hit):
                parts = [names.get(z, z) + paren(pct(100 * s_, sign=False), lang) for z, s_ in zip(hit["zone"], hit[col])]
                out.append(tr("s.level_zones", lang, w=tr(f"s.w.{col}", lang), lst=sep.join(parts)))
            elif col == "delisted":
                out.append(tr("s.none_delisted", lang))
        pm = get(pkg, "public_money")
        if pm is not None and pm["end"] > 0:
            out.append(tr("s.public_money", lang, m=money(pm["end"], lang)))
    # differences against the first package (paired on seeds)
    if len(pkgs) > 1:
        b = titles.get(pkgs[0], pkgs[0])
        for pkg in pkgs[1:]:
            t = titles.get(pkg, pkg)
            parts = []
            for o in ("output", "hightech_firms", "talent", "output_cv"):
                r = get(pkg, o)
                if r is None or "diff" not in r or pd.isna(r.get("diff")) or pd.isna(r.get("diff_pct")):
                    continue
                paired = clear is not None and (pkg, o) in clear
                sure = bool(clear[(pkg, o)]) if paired else (r["diff_p05"] > 0 or r["diff_p95"] < 0)
                note = tr("s.not_clear_paired" if paired else "s.not_sure", lang)
                p = pct(abs(r["diff_pct"]), sign=False)
                if r["diff"] == 0 or p == pct(0.0, sign=False):  # no change is neither higher nor lower
                    spread = not sure if paired else (r["diff_p05"] < 0 or r["diff_p95"] > 0)
                    parts.append(tr("s.same", lang, o=name_of(o, lang)) + (note if spread else ""))
                    continue
                word = "s.higher" if r["diff"] > 0 else "s.lower"
                parts.append(tr(word, lang, o=name_of(o, lang), p=p) + ("" if sure else note))
            if parts:
                out.append(tr("s.compared", lang, b=b, t=t, y=y1, lst=tr("s.sep", lang).join(parts)))
    return out
