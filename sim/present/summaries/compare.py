"""The comparison in words (``summary.md`` of ``zonesim compare``): per package, what changed
most in the region and which zones gained or lost most, with 95% intervals over paired seeds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.present.format import count, finite, pct, value
from sim.present.i18n import display, name_of, zone_name

W = {
    "en": {"head": "# Package comparison — {w}",
           "intro": "{s} seeds, {n} years, every package on the same seeds (common random numbers); changes are "
                    "package minus '{b}' in {y}, mean over seeds with a 95% interval, in per cent of the baseline. "
                    "A change is called clear when its interval excludes zero.",
           "none": "No region outcome differs clearly from '{b}' in {y}.",
           "most": "What changed most in the region by {y}: {lst}.",
           "output": "Region output: {v} against {b}, {c} (95% interval {lo} to {hi}) — {w} different.",
           "clearly": "clearly", "not_clearly": "not clearly (within seed noise)",
           "zones": "Zone output: largest gain {up} {upc}{upn}, largest loss {dn} {dnc}{dnn}.",
           "zones_up": "Zone output: every zone gains; most {up} {upc}{upn}, least {dn} {dnc}{dnn}.",
           "zones_down": "Zone output: every zone loses; least {up} {upc}{upn}, most {dn} {dnc}{dnn}.",
           "not_clear": " (not clear)",
           "status": "Status over the run (mean per seed, rounded): {d} downgraded or delisted, {p} promoted, "
                     "created or re-listed, {w} warnings.",
           "table": "| outcome | baseline | package | change [95% interval] | clear |", "yes": "yes"},
    "zh": {"head": "# 政策包比较 — {w}",
           "intro": "{s}个随机种子，模拟{n}年，所有政策包使用相同的随机种子（共同随机数）；变化为{y}年政策包减“{b}”，"
                    "取各种子均值及95%区间，以基准的百分比表示。区间不含0时称为明确的变化。",
           "none": "{y}年没有全区指标与“{b}”有明确差异。",
           "most": "到{y}年全区变化最大的指标：{lst}。",
           "output": "全区总产出：{v}，基准为{b}，变化{c}（95%区间{lo}至{hi}）——{w}。",
           "clearly": "差异明确", "not_clearly": "差异不明确（在随机波动范围内）",
           "zones": "各高新区总产出：增幅最大的是{up}（{upc}{upn}），降幅最大的是{dn}（{dnc}{dnn}）。",
           "zones_up": "各高新区总产出均有增长：最多的是{up}（{upc}{upn}），最少的是{dn}（{dnc}{dnn}）。",
           "zones_down": "各高新区总产出均有下降：最少的是{up}（{upc}{upn}），最多的是{dn}（{dnc}{dnn}）。",
           "not_clear": "，不明确",
           "status": "模拟期内的级别变化（每个种子的平均次数，取整）：降级或摘牌{d}次，升级、新设或恢复{p}次，约谈{w}次。",
           "table": "| 指标 | 基准 | 政策包 | 变化 [95%区间] | 明确 |", "yes": "是"},
}


def summary_markdown(diff: pd.DataFrame, events: pd.DataFrame, *, world: str, years: int, seeds: int,
                     year: int, baseline: str = "baseline", titles: dict[str, str] | None = None,
                     names: dict[str, str] | None = None, lang: str = "en") -> str:
    w = W[lang]
    titles = titles or {}
    sep = "；" if lang == "zh" else "; "
    btitle = titles.get(baseline, baseline)
    lines = [w["head"].format(w=world), "", w["intro"].format(s=seeds, n=years, b=btitle, y=year), ""]
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
            lines.append(w["none"].format(b=btitle, y=year))
        else:
            parts = [f"{name_of(o, lang)} {pct(c, ratio=True)}" for o, c in zip(clear["outcome"][:4], clear["rel_change"][:4])]
            lines.append(w["most"].format(y=year, lst=sep.join(parts)))
        out = r[r["outcome"] == "output"]
        if len(out):
            o = out.iloc[0]
            base = o["baseline"] if o["baseline"] else np.nan  # the interval, like the change, in % of baseline
            lines.append(w["output"].format(
                v=value("output", o["value"], lang), b=value("output", o["baseline"], lang),
                c=pct(o["rel_change"], ratio=True), lo=pct(o["lo"] / base, ratio=True), hi=pct(o["hi"] / base, ratio=True),
                w=w["clearly"] if o["significant"] else w["not_clearly"]))
        z = zon[(zon["package"] == pkg) & (zon["outcome"] == "output")].dropna(subset=["rel_change"])
        z = z.sort_values("rel_change")
        if len(z) >= 2:
            up, down = z.iloc[-1], z.iloc[0]
            key = "zones_up" if down["rel_change"] >= 0 else "zones_down" if up["rel_change"] <= 0 else "zones"
            lines.append(w[key].format(up=zone_name(up["zone"], lang, names), upc=pct(up["rel_change"], ratio=True),
                                           upn="" if up["significant"] else w["not_clear"],
                                           dn=zone_name(down["zone"], lang, names),
                                           dnc=pct(down["rel_change"], ratio=True),
                                           dnn="" if down["significant"] else w["not_clear"]))
        if pkg in ev.index:
            e = ev.loc[pkg]
            if e["demoted"] + e["promoted"] + e["warnings"] > 0:
                lines.append(w["status"].format(d=count(e["demoted"]), p=count(e["promoted"]), w=count(e["warnings"])))
        lines += ["", w["table"], "|---|---:|---:|---|:-:|"]
        for _, x in r.iterrows():
            lines.append(f"| {display(x['outcome'], lang).label_in(lang)} | {value(x['outcome'], x['baseline'], lang)} | "
                         f"{value(x['outcome'], x['value'], lang)} | {_change(x, lang)} | "
                         f"{w['yes'] if x['significant'] else ''} |")
        lines.append("")
    return "\n".join(lines)


def _change(x: Any, lang: str) -> str:
    from sim.present.format import change

    if not finite(x["diff"]):
        return "–"
    return change(x["outcome"], x["diff"], x["lo"], x["hi"], x["baseline"], lang)
