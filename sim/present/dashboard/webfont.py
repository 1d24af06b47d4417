"""Chinese in the browser on any machine: the bundled Noto Sans CJK SC, cut to the characters
the dashboard can show, served inside the page's CSS.

The charts draw with the font ``mplfonts`` ships (``sim.present.fonts``); the page's own text
(controls, header, tables) is drawn by the browser, which on a fresh Linux machine has no CJK
font and shows boxes. The full font is 16 MB; the characters of the label tables, the bundled
worlds and packages are about 600, a 270 KB subset (measured: 6-7 s once per server, with
fontTools, which matplotlib already depends on).
"""

from __future__ import annotations

import base64
import io
import threading
from typing import Any

FAMILY = "ZonesimCJK"
_LOCK = threading.Lock()
_CSS: list[str] = []


def _strings(x: Any, out: set[str]) -> None:
    if isinstance(x, str):
        out.update(x)
    elif isinstance(x, dict):
        for k, v in x.items():
            _strings(k, out)
            _strings(v, out)
    elif isinstance(x, (list, tuple, set)):
        for v in x:
            _strings(v, out)


def characters() -> str:
    """Every character the dashboard may show: its tables, the bundled worlds and packages."""
    from sim.present import i18n
    from sim.present.dashboard import labels
    from sim.scenario.world import PACKAGES, WORLDS

    chars: set[str] = set(chr(i) for i in range(32, 127))
    for mod in (i18n, labels):
        for v in vars(mod).values():
            if isinstance(v, (dict, tuple, list)):
                _strings(v, chars)
    from sim.scenario.world import bundled_names, load_world

    for folder in (WORLDS, PACKAGES):
        for p in folder.glob("*.y*ml"):
            _strings(p.read_text(encoding="utf-8", errors="replace"), chars)
    for name in bundled_names(WORLDS):
        try:
            w = load_world(name)
        except Exception:  # noqa: BLE001 - a world that does not load shows no names
            continue
        _strings([w.title_zh, *[(z.name_zh, z.name) for z in w.zones]], chars)
    chars.update("０１２３４５６７８９，。：；、（）“”《》！？—…·→×−–")
    return "".join(sorted(c for c in chars if c.isprintable()))


def font_css() -> str:
    """``@font-face`` for the subset as a data URL, or "" when the font or fontTools is missing
    (the browser then uses whatever CJK font it has)."""
    with _LOCK:
        if _CSS:
            return _CSS[0]
        css = ""
        try:
            from fontTools import subset
            from fontTools.ttLib import TTFont

            from sim.present.fonts import bundled_font_file

            path = bundled_font_file()
            if path:
                opts = subset.Options()
                opts.layout_features = ["*"]
                font = TTFont(path, lazy=True)
                sub = subset.Subsetter(opts)
                sub.populate(text=characters())
                sub.subset(font)
                buf = io.BytesIO()
                font.save(buf)
                data = base64.b64encode(buf.getvalue()).decode("ascii")
                css = (f"@font-face{{font-family:'{FAMILY}';src:url(data:font/otf;base64,{data}) format('opentype');"
                       f"font-display:swap}}")
        except Exception:  # noqa: BLE001 - no font, no fontTools: the browser's own fonts
            css = ""
        _CSS.append(css)
        return css


def warm() -> None:
    """Build the subset in the background (server start), so the first page does not wait."""
    threading.Thread(target=font_css, name="zonesim-webfont", daemon=True).start()
