"""``zonesim report``: one self-contained HTML hand-out from a results folder, in Chinese or English.

``folder`` reads the results folder (the only part touching the disk), ``sections`` builds the
content for each kind of result (charts from ``sim.present.charts``, words from
``sim.present.summaries``), ``html`` holds the page primitives with the screen and A4 print styles, ``page`` assembles them.
"""

from __future__ import annotations

from pathlib import Path

from sim.analysis.summary import headline, level_changes
from sim.present.report.folder import Folder, read_folder
from sim.present.report.page import render, write_report


def build_report(folder: str | Path, lang: str = "en") -> str:
    """The report's HTML text for a results folder."""
    from sim.present.i18n import check_lang

    check_lang(lang)
    return render(read_folder(Path(folder)), lang)


__all__ = ["build_report", "write_report", "read_folder", "render", "Folder", "headline", "level_changes"]
