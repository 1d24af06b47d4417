"""A sweep's outcomes against its factors: one panel per outcome x factor, a dot per design
point (mean over seeds) and the median for each value (or fifth) of the factor."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.present.charts.common import finish, new_figure
from sim.present.format import plain_axes
from sim.present.i18n import display, factor_label, factor_value


def sweep_chart(per_point: pd.DataFrame, factors: list[str], outcomes: list[str], lang: str = "en") -> Figure:
    fig = new_figure((3.4 * len(factors) + 0.8, 2.8 * len(outcomes) + 0.6))
    axes = fig.subplots(len(outcomes), len(factors), squeeze=False)
    for i, o in enumerate(outcomes):
        d = display(o, lang)
        y = per_point[o] * d.scale
        for j, c in enumerate(factors):
            ax = axes[i, j]
            x = per_point[c]
            if pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x):
                ax.scatter(x, y, s=12, alpha=0.6, color="#1f77b4")
                groups = x if x.nunique() <= 6 else pd.qcut(x.rank(method="first"), 5, labels=False)
                g = pd.DataFrame({"x": x, "y": y, "g": groups}).groupby("g").agg(x=("x", "median"), y=("y", "median"))
                ax.plot(g["x"], g["y"], color="#c0392b", lw=2)
                plain_axes(ax, x=True)
            else:
                cats = list(dict.fromkeys(x.astype(str)))
                pos = {c_: k for k, c_ in enumerate(cats)}
                xs = np.array([pos[v] for v in x.astype(str)], dtype=float)
                ax.scatter(xs + np.random.default_rng(0).uniform(-0.12, 0.12, len(xs)), y, s=12, alpha=0.6)
                med = pd.Series(y.to_numpy()).groupby(xs).median()
                ax.plot(med.index, med.values, "_", color="#c0392b", ms=30, mew=2)
                ax.set_xticks(range(len(cats)), [factor_value(c_, lang) for c_ in cats], rotation=20, fontsize=8)
                plain_axes(ax)
            if i == len(outcomes) - 1:
                ax.set_xlabel(factor_label(c, lang), fontsize=9)
            if j == 0:
                ax.set_ylabel(d.label_in(lang), fontsize=9)
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=8)
    return finish(fig, lang)
