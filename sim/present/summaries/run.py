"""What ``zonesim run`` prints: region outcomes at a few years, mean and 5-95% across seeds."""

from __future__ import annotations

import pandas as pd

from sim.present.format import value
from sim.present.i18n import display


def format_summary(summary: pd.DataFrame, title: str, package: str, n_seeds: int, lang: str = "en") -> str:
    """Plain-text table: one row per outcome, one column per year, 'mean [p05, p95]'."""
    lines = [f"{title} — package '{package}', {n_seeds} seeds (mean [5%, 95%])"]
    years = sorted(summary["year"].unique())
    width = 30
    head = f"{'outcome':<34}" + "".join(f"{y:>{width}}" for y in years)
    lines += [head, "-" * len(head)]
    for outcome, sub in summary.groupby("outcome", sort=False):
        cells = []
        for y in years:
            at = sub[sub["year"] == y]
            if at.empty:
                cells.append("–".rjust(width))
                continue
            r = at.iloc[0]
            f = (lambda v: value(outcome, v, lang, unit=False))
            cells.append(f"{f(r['mean'])} [{f(r['p05'])}, {f(r['p95'])}]".rjust(width))
        lines.append(f"{display(outcome, lang).label_in(lang)[:33]:<34}" + "".join(cells))
    return "\n".join(lines)
