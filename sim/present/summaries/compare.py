"""The comparison in words (``summary.md`` of ``zonesim compare``): per package, what changed
most in the region and which zones gained or lost most, with 95% intervals over paired seeds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.present.format import count, finite, pct, value
from sim.present.i18n import display, name_of, tr, zone_name

def summary_markdown(diff: pd.DataFrame, events: pd.DataFrame, *, world: str, years: int, seeds: int,
                     year: int, baseline: str = "baseline", titles: dict[str, str] | None = None,
                     names: dict[str, str] | None = None, lang: str = "en") -> str:
    titles = titles or {}
    sep = tr("s.sep", lang)
    btitle = titles.get(baseline, baseline)
    lines = [tr("c.head", lang, w=world), "", tr("c.intro", lang, s=seeds, n=years, b=btitle, y=year), ""]
    reg = diff[(diff["zone"] == "region") & (diff["year"] == year)]
    zon = diff[(diff["zone"] != "region") & (diff["year"] == year)]
    ev = events.set_index("package") if len(events) else pd.DataFrame()
    for pkg in dict.fromkeys(reg["package"]):
        r = reg[reg["package"] == pkg].copy()
        name = titles.get(pkg, pkg)
        lines += [f"## {name}" + (f" ({pkg})" if name != pkg else ""), ""]
        clear = r[r["significant"] & r["rel_change"].notna()].copy()
        clear["mag"] = clear["rel_change"].abs()
        clear = clear.sort_values("mag", ascending=False)
        if clear.empty:
            lines.append(tr("c.none", lang, b=btitle, y=year))
        else:
            parts = [f"{name_of(o, lang)} {pct(c, ratio=True)}" for o, c in zip(clear["outcome"][:4], clear["rel_change"][:4])]
            lines.append(tr("c.most", lang, y=year, lst=sep.join(parts)))
        out = r[r["outcome"] == "output"]
        if len(out):
            o = out.iloc[0]
            base = o["baseline"] if o["baseline"] else np.nan  # the interval, like the change, in % of baseline
            lines.append(tr("c.output", lang,
                v=value("output", o["value"], lang), b=value("output", o["baseline"], lang),
                c=pct(o["rel_change"], ratio=True), lo=pct(o["lo"] / base, ratio=True), hi=pct(o["hi"] / base, ratio=True),
                w=tr("c.clearly", lang) if o["significant"] else tr("c.not_clearly", lang)))
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
        lines += ["", tr("c.table", lang), "|---|---:|---:|---|:-:|"]
        for _, x in r.iterrows():
            lines.append(f"| {display(x['outcome'], lang).label_in(lang)} | {value(x['outcome'], x['baseline'], lang)} | "
                         f"{value(x['outcome'], x['value'], lang)} | {_change(x, lang)} | "
                         f"{tr('yes', lang) if x['significant'] else ''} |")
        lines.append("")
    return "\n".join(lines)


def _change(x: Any, lang: str) -> str:
    from sim.present.format import change

    if not finite(x["diff"]):
        return "–"
    return change(x["outcome"], x["diff"], x["lo"], x["hi"], x["baseline"], lang)
