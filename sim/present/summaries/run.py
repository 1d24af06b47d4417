"""What ``zonesim run`` prints: region outcomes at a few years, mean and 5-95% across seeds."""

from __future__ import annotations

import pandas as pd

from sim.present.format import NA, clip, pad, text_width, value
from sim.present.i18n import display, tr


def format_summary(summary: pd.DataFrame, title: str, package: str, n_seeds: int, lang: str = "en") -> str:
    """Plain-text table: one row per outcome, one column per year, 'mean [p05, p95]'; in
    ``lang`` (``title`` and ``package``: the world's title and the package as the reader
    names them), the columns lined up for Chinese characters too."""
    lines = [tr("run.head", lang, w=title, p=package, n=n_seeds)]
    years = sorted(summary["year"].unique())
    width = 30
    head = pad(tr("outcome", lang), 34) + "".join(pad(tr("run.year", lang, y=y), width, right=True) for y in years)
    lines += [head, "-" * text_width(head)]
    for outcome, sub in summary.groupby("outcome", sort=False):
        cells = []
        for y in years:
            at = sub[sub["year"] == y]
            if at.empty:
                cells.append(pad(NA, width, right=True))
                continue
            r = at.iloc[0]
            f = (lambda v: value(outcome, v, lang, unit=False))
            cells.append(pad(f"{f(r['mean'])} [{f(r['p05'])}, {f(r['p95'])}]", width, right=True))
        lines.append(pad(clip(display(outcome, lang).label_in(lang), 33), 34) + "".join(cells))
    return "\n".join(lines)
