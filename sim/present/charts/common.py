"""What every chart shares: a figure that never touches pyplot, colours, bands, fonts, labels
that do not overlap, and PNG bytes.

Charts build ``matplotlib.figure.Figure`` objects with their own Agg canvas: no module here
selects a backend or calls ``pyplot``, so importing or calling a chart function leaves the
caller's backend and global settings as they were (only the CLI decides how figures are shown).
"""

from __future__ import annotations

import io
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

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
                 fontsize: float = 7.5) -> list[Any]:
    """Labels on points (factors on a plane) moved so that none overlaps another or the points:
    ``adjustText`` when installed, else alternating above and below. (Map markers are labelled
    above, on the finished figure: ``marker_labels``.)"""
    family = font_family(lang)  # set now: adjustText measures the labels before the figure is finished
    objs = [ax.text(x, y, t, fontsize=fontsize, zorder=5, fontfamily=family) for x, y, t in zip(xs, ys, texts)]
    if not objs:
        return objs
    try:
        from adjustText import adjust_text

        apply_fonts(ax.figure, lang)  # adjustText draws the figure to measure the labels
        adjust_text(objs, x=list(xs), y=list(ys), ax=ax, expand=(1.1, 1.3), ensure_inside_axes=True,
                    arrowprops={"arrowstyle": "-", "color": "#555", "lw": 0.5}, iter_lim=400)
    except (ImportError, ValueError):  # not installed, or a degenerate layout: alternate above / below
        for k, o in enumerate(objs):
            o.set_position((xs[k], ys[k]))
            o.set_va("bottom" if k % 2 == 0 else "top")
    return objs


class MarkerLabels(NamedTuple):
    """One panel's labels for ``marker_labels``: the points, their labels, each marker's radius in
    points (each label starts just above its marker) and the scatter collections to keep off."""

    ax: Any
    xs: list[float]
    ys: list[float]
    texts: list[str]
    radii: list[float]
    avoid: list[Any]


def marker_labels(fig: Figure, lang: str, panels: list[MarkerLabels], fontsize: float = 7.5) -> list[list[Any]]:
    """Label the markers of every panel of a finished figure (maps): each label starts just above
    its marker, with a white halo, and ``adjustText`` (when installed) moves the labels so that
    none overlaps another or a marker of ``avoid``, inside the axes.

    The figure is laid out once, first, and its layout then fixed (no engine): the labels stay
    inside their axes, so they could not move it, and adjustText's own draw before it measures is
    skipped. (Labelling one panel at a time on a laid-out figure drew the whole figure twice a
    panel, each draw with the label arrows of the panels before: on the five-panel change map,
    most of the comparison's drawing time.) Returns each panel's labels."""
    from matplotlib import patheffects

    apply_fonts(fig, lang)
    fig.draw_without_rendering()  # the layout, aspect and every transform, as the PNG will have them
    fig.set_layout_engine(None)  # no engine at all: savefig would draw once more for a placeholder one
    family = font_family(lang)
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white", alpha=0.85)]
    out = []
    for p in panels:
        ax = p.ax
        lo, hi = ax.get_ylim()  # points -> data units on the y axis, with the axes' final limits and size
        per_pt = abs(hi - lo) / max(ax.get_position().height * fig.get_figheight() * 72.0, 1e-9)
        objs = [ax.text(x, y + (r + 1.5) * per_pt, t, fontsize=fontsize, zorder=5, fontfamily=family,
                        ha="center", va="bottom", path_effects=halo)
                for x, y, t, r in zip(p.xs, p.ys, p.texts, p.radii)]
        out.append(objs)
        if objs:
            _adjust_above(ax, objs, p)
    return out


class _LabelBox:
    """A placed label as the patch its arrow is clipped at: the same test as the label's own
    ``Text.contains`` (the point inside its box), with the box computed once for what it depends
    on instead of at every step of the clipping's bisection (a text layout each: most of drawing
    a map's arrows)."""

    def __init__(self, text: Any) -> None:
        self.text = text
        self._key: Any = None
        self._box: Any = None

    def contains(self, event: Any) -> tuple[bool, dict]:
        t = self.text
        if not t.get_visible() or t.figure is None or getattr(t, "_renderer", None) is None:
            return False, {}  # as Text.contains: not drawn or measured yet, nothing to clip at
        # what Text.get_window_extent reads: the dpi, the renderer the label was last measured or drawn
        # with (in a draw, the arrows come before the labels: the last draw's), the label and its place
        key = (t.figure.dpi, id(t._renderer), t.get_text(), tuple(t.get_unitless_position()),
               t.get_transform().get_matrix().tobytes())
        if key != self._key:
            self._key, self._box = key, Text.get_window_extent(t)
        b = self._box
        return bool(b.x0 <= event.x <= b.x1 and b.y0 <= event.y <= b.y1), {}


def _adjust_above(ax: Any, objs: list[Any], p: MarkerLabels) -> None:
    """adjustText on one panel of a laid-out figure (``marker_labels``); without it, or on a
    degenerate layout, the labels stay above their markers."""
    try:
        import adjustText
        from adjustText import adjust_text, get_bboxes_pathcollection
    except ImportError:
        return
    boxes = [b for c in p.avoid for b in get_bboxes_pathcollection(c, ax)]
    # adjustText draws the figure first (its module's force_draw) to set the transforms: they are
    # set and fixed. (If a later version draws otherwise, it only costs time.)
    saved = getattr(adjustText, "force_draw", None)
    adjustText.force_draw = lambda ax: None
    try:
        placed = adjust_text(objs, x=list(p.xs), y=list(p.ys), objects=boxes or None, target_x=list(p.xs),
                             target_y=list(p.ys), ax=ax, expand=(1.05, 1.15), ensure_inside_axes=True,
                             force_pull=(0.002, 0.02), arrowprops={"arrowstyle": "-", "color": "#555", "lw": 0.5},
                             iter_lim=400)
        # (texts, arrows) in adjustText 1.4; a version that gives no arrows back leaves them clipped at their labels
        arrows = placed[1] if isinstance(placed, tuple) and len(placed) == 2 else []
        for a in arrows:
            if isinstance(getattr(a, "patchA", None), Text):
                a.set_patchA(_LabelBox(a.patchA))
    except ValueError:
        pass
    finally:
        if saved is None:
            del adjustText.force_draw
        else:
            adjustText.force_draw = saved
