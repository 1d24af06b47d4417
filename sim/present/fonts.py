"""Chinese in the pictures on any machine: the CJK font that pip installs with zonesim.

zonesim depends on ``mplfonts``, a maintained PyPI package that ships Noto Sans CJK SC (思源黑体)
as a font file. At chart time that file is registered with matplotlib (``fontManager.addfont``;
nothing is copied into matplotlib's folders and no rc file is changed), so ``--lang zh`` draws
Chinese on a fresh machine without Debian's ``fonts-noto-cjk``. A CJK font the system has
(Noto, Source Han, WenQuanYi, SimHei, YaHei) is used when the bundled one is missing.

Fonts are set on each figure's text (``apply_fonts``), never in the global ``rcParams``: making a
chart does not change the fonts of the caller's own plots. The family lists a CJK font first and
DejaVu Sans second, so matplotlib's per-glyph fallback covers Latin and symbols.

A character that no font can draw is reported once per picture as one line
(``missing_glyphs``), instead of matplotlib's warning per glyph.
"""

from __future__ import annotations

import importlib.util
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "Noto Serif CJK SC")
BUNDLED = ("mplfonts", "fonts", "NotoSansCJKsc-Regular.otf")
LATIN = "DejaVu Sans"
# File-name hints of CJK fonts, to register system fonts installed after matplotlib built its cache.
_CJK_FILE_HINTS = ("notosanscjk", "notoserifcjk", "sourcehansans", "wqy", "simhei", "msyh")
_found: str | None = None


def bundled_font_file() -> str | None:
    """The Noto Sans CJK SC file of the ``mplfonts`` package, or None when it is not installed
    (found without importing the package, which would change nothing here but costs time)."""
    spec = importlib.util.find_spec(BUNDLED[0])
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(folder, *BUNDLED[1:])
        if os.path.isfile(path):
            return path
    return None


def cjk_font() -> str | None:
    """The name of a CJK font matplotlib can use (the bundled one first), registering font files
    matplotlib's cached font list does not know; None if there is none. A found font is
    remembered; a miss is not, so a font installed while a server runs is found on the next chart."""
    global _found
    if _found:
        return _found
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    bundled = bundled_font_file()
    if bundled and "Noto Sans CJK SC" not in have:
        try:
            font_manager.fontManager.addfont(bundled)
        except (OSError, RuntimeError, ValueError):
            pass
        have = {f.name for f in font_manager.fontManager.ttflist}
    found = next((f for f in CJK_FONTS if f in have), None)
    if not found:
        for path in font_manager.findSystemFonts():
            if any(h in path.lower().replace("-", "").replace("_", "") for h in _CJK_FILE_HINTS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        have = {f.name for f in font_manager.fontManager.ttflist}
        found = next((f for f in CJK_FONTS if f in have), None)
    _found = found
    return found


def font_family(lang: str) -> list[str]:
    """The font family list for text in ``lang`` (a CJK font first for Chinese)."""
    if lang == "zh":
        font = cjk_font()
        return [font, LATIN] if font else [LATIN]
    return [LATIN]


def apply_fonts(fig: Any, lang: str) -> Any:
    """Set the font family on every text of ``fig`` (titles, labels, legends, annotations and the
    tick labels, which later ticks copy), leaving matplotlib's global settings alone."""
    from matplotlib.text import Text

    family = font_family(lang)
    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            axis.get_major_ticks()
            axis.get_minor_ticks()
            for t in axis.get_ticklabels(which="both"):
                t.set_fontfamily(family)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                tick.label1.set_fontfamily(family)
                tick.label2.set_fontfamily(family)
    for t in fig.findobj(Text):
        t.set_fontfamily(family)
    return fig


_GLYPH = re.compile(r"Glyph \d+ \((.+?)\) missing from (?:current )?font")


@contextmanager
def missing_glyphs(report: list[str] | None = None) -> Iterator[list[str]]:
    """Collect matplotlib's per-glyph 'missing from font' warnings while drawing; on leaving,
    give one line naming the characters: appended to ``report`` when given (the CLI prints it),
    else issued as one warning."""
    chars: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield chars
    for w in caught:
        m = _GLYPH.search(str(w.message))
        if m:
            c = m.group(1)
            if c not in chars:
                chars.append(c)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if chars:
        shown = "".join(c if len(c) == 1 else f" {c} " for c in chars[:12]).strip()
        line = (f"zonesim: warning: {len(chars)} character(s) have no glyph in the chart fonts and are drawn as "
                f"boxes: {shown}{' …' if len(chars) > 12 else ''} (fonts: {', '.join(font_family('zh'))})")
        if report is not None:
            report.append(line)
        else:
            warnings.warn(line, UserWarning, stacklevel=3)


EMBED_FAMILY = "zonesim CJK"


def embedded_font_css(text: str) -> str:
    """An ``@font-face`` rule carrying the bundled Noto Sans CJK SC cut down to the characters of
    ``text`` (fontTools' subsetter; typically 50-150 KB for a report), so an HTML report shows
    its Chinese on a machine without any CJK font, on screen and in print. Empty when the
    bundled font is missing."""
    import base64
    import io

    path = bundled_font_file()
    chars = "".join(sorted({c for c in text if ord(c) > 0x7F}))
    if not path or not chars:
        return ""
    from fontTools import subset

    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.notdef_outline = True
    opts.name_IDs = ["*"]
    font = subset.load_font(path, opts)
    sub = subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, opts)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f"@font-face{{font-family:'{EMBED_FAMILY}';src:url(data:font/otf;base64,{data}) format('opentype');"
            "font-display:block}")
