"""What every chart shares: a figure that never touches pyplot, colours, bands, fonts, labels
that do not overlap, and PNG bytes.

Charts build ``matplotlib.figure.Figure`` objects with their own Agg canvas: no module here
selects a backend or calls ``pyplot``, so importing or calling a chart function leaves the
caller's backend and global settings as they were (only the CLI decides how figures are shown).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.present.fonts import apply_fonts, font_family, missing_glyphs

LEVEL_COLORS = {"national": "#c0392b", "region": "#2471a3", "delisted": "#7f8c8d"}
PACKAGE_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
# tab10 and six darker companions: every colour is dark enough for a label written in it
ZONE_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
               "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354",
               "#756bb1", "#636363")
PALETTE = ZONE_COLORS


def new_figure(size: tuple[float, float], layout: str | None = "constrained") -> Figure:
    """A figure with its own Agg canvas (no pyplot, no backend change)."""
    fig = Figure(figsize=size, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def finish(fig: Figure, lang: str) -> Figure:
    """Fonts for ``lang`` on every text of the figure; returns it."""
    return apply_fonts(fig, lang)


def to_png(fig: Figure, dpi: int = 100, report: list[str] | None = None) -> bytes:
    """The figure as PNG bytes; characters no font can draw are reported in one line."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    with missing_glyphs(report):
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def package_color(k: int) -> str:
    return PACKAGE_COLORS[k % len(PACKAGE_COLORS)]


def band(df: pd.DataFrame, outcome: str, by: list[str] | None = None) -> pd.DataFrame:
    """Median and 5-95% band across seeds of ``outcome`` per (by..., year)."""
    g = df.groupby((by or []) + ["year"])[outcome]
    out = g.quantile([0.05, 0.5, 0.95]).unstack()
    out.columns = ["lo", "mid", "hi"]
    return out.reset_index()


def spread_labels(values: list[float], gap: float) -> list[float]:
    """Positions near ``values`` at least ``gap`` apart, in the same order (labels at the ends of
    lines that end close together): a deterministic push-apart, then re-centred on the values."""
    if not values:
        return []
    order = np.argsort(values)
    v = np.asarray(values, dtype=float)[order]
    pos = v.copy()
    for i in range(1, len(pos)):
        pos[i] = max(pos[i], pos[i - 1] + gap)
    pos -= (pos - v).mean()
    for i in range(1, len(pos)):  # re-centring may close a gap again at the bottom
        pos[i] = max(pos[i], pos[i - 1] + gap)
    out = np.empty_like(pos)
    out[order] = pos
    return out.tolist()


def end_labels(ax: Any, x: float, ys: list[float], texts: list[str], colors: list[Any], *, log: bool = False,
               inverted: bool = False, fontsize: float = 7.5, min_gap: float = 0.045) -> None:
    """Write ``texts`` just right of ``x`` at heights near ``ys`` (the ends of lines), spread so
    they do not overlap, with a thin leader line where a label had to move."""
    if not ys:
        return
    lo, hi = ax.get_ylim()
    f = np.log10 if log else (lambda a: np.asarray(a, dtype=float))
    inv = (lambda a: 10 ** np.asarray(a)) if log else (lambda a: np.asarray(a))
    span = abs(float(f(hi) - f(lo))) or 1.0
    pos = spread_labels([float(f(y)) for y in ys], min_gap * span)
    for y, p, text, c in zip(ys, pos, texts, colors):
        ax.annotate(text, (x, y), xytext=(x, float(inv(p))), textcoords="data", fontsize=fontsize, color=c,
                    va="center", ha="left", annotation_clip=False,
                    arrowprops={"arrowstyle": "-", "color": c, "lw": 0.5, "alpha": 0.6, "shrinkA": 0, "shrinkB": 0})
    # labels sit right of the last year: room for them, but no year ticks past the data
    x0, x1 = ax.get_xlim()
    ax.set_xticks([t for t in ax.get_xticks() if x0 <= t <= x + 0.5])
    ax.set_xlim(x0, x1 + 0.28 * (x1 - x0))
    all_pos = [float(inv(p)) for p in pos] + [lo, hi]
    if inverted:
        ax.set_ylim(max(all_pos), min(all_pos))
    else:
        ax.set_ylim(min(all_pos), max(all_pos))


def point_labels(ax: Any, xs: list[float], ys: list[float], texts: list[str], lang: str = "en", *,
                 fontsize: float = 7.5, avoid: list[Any] | None = None,
                 above: list[float] | None = None) -> list[Any]:
    """Labels next to points (map zones, factors on a plane) moved so that none overlaps another
    or the points: ``adjustText`` when installed, else alternating offsets.

    ``above``: the radius of each point's marker in points (maps): each label starts just above
    its marker, with a white halo, and keeps off the markers of ``avoid`` (scatter collections),
    so no label is written across a circle. Without it the labels start on the points and avoid
    the points themselves (``avoid`` unused)."""
    from matplotlib import patheffects

    family = font_family(lang)  # set now: adjustText measures the labels before the figure is finished
    if above is not None:
        # points -> data units on the y axis, with the axes' final limits
        fig = ax.figure
        h_in = ax.get_position().height * fig.get_figheight()
        lo, hi = ax.get_ylim()
        per_pt = abs(hi - lo) / max(h_in * 72.0, 1e-9)
        halo = [patheffects.withStroke(linewidth=2.2, foreground="white", alpha=0.85)]
        objs = [ax.text(x, y + (r + 1.5) * per_pt, t, fontsize=fontsize, zorder=5, fontfamily=family,
                        ha="center", va="bottom", path_effects=halo)
                for x, y, t, r in zip(xs, ys, texts, above)]
    else:
        objs = [ax.text(x, y, t, fontsize=fontsize, zorder=5, fontfamily=family) for x, y, t in zip(xs, ys, texts)]
    if not objs:
        return objs
    try:
        from adjustText import adjust_text

        apply_fonts(ax.figure, lang)  # adjustText draws the figure to measure the labels
        if above is not None:
            from adjustText import get_bboxes_pathcollection

            ax.figure.canvas.draw()
            boxes = [b for c in (avoid or []) for b in get_bboxes_pathcollection(c, ax)]
            adjust_text(objs, x=list(xs), y=list(ys), objects=boxes or None, target_x=list(xs), target_y=list(ys),
                        ax=ax, expand=(1.05, 1.15), ensure_inside_axes=True, force_pull=(0.002, 0.02),
                        arrowprops={"arrowstyle": "-", "color": "#555", "lw": 0.5}, iter_lim=400)
        else:
            adjust_text(objs, x=list(xs), y=list(ys), ax=ax, expand=(1.1, 1.3), ensure_inside_axes=True,
                        arrowprops={"arrowstyle": "-", "color": "#555", "lw": 0.5}, iter_lim=400)
    except (ImportError, ValueError):  # not installed, or a degenerate layout: alternate above / below
        for k, o in enumerate(objs):
            if above is None:
                o.set_position((xs[k], ys[k]))
                o.set_va("bottom" if k % 2 == 0 else "top")
    return objs
