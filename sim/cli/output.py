"""How the command line writes pictures and workbooks: the only place that picks matplotlib's
backend (Agg: zonesim writes PNG files, it never opens windows), and the place that collects
the one-line notes about characters no font could draw."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

NOTES: list[str] = []


def use_file_backend() -> None:
    """matplotlib's non-interactive Agg backend, for a process that only writes files (set
    through the environment when matplotlib is not loaded yet, so a command that draws nothing
    does not pay for importing it; worker processes inherit it)."""
    import os

    if "matplotlib" in sys.modules:
        sys.modules["matplotlib"].use("Agg")
    else:
        os.environ["MPLBACKEND"] = "Agg"


def save_figure(fig: Any, path: Path, dpi: int = 100) -> Path:
    """Write ``fig`` as a PNG (atomically); a missing glyph becomes one note, printed at the end."""
    from sim.experiments.results import atomic_write
    from sim.present.charts.common import to_png

    atomic_write(Path(path), to_png(fig, dpi, NOTES))
    return Path(path)


def _drawn(_shared: Any, item: tuple[Any, tuple, dict, int]) -> tuple[bytes, list[str]]:
    """An executor task: one chart's PNG bytes and its notes on missing glyphs."""
    from sim.present.charts.common import to_png

    chart, args, kwargs, dpi = item
    notes: list[str] = []
    return to_png(chart(*args, **kwargs), dpi, notes), notes


Charts = dict  # file name -> (chart function, args, kwargs); the function at module level, so a worker can call it


class StartedFigures:
    """Charts being drawn on an executor's workers (``start_figures``); ``save`` writes them."""

    def __init__(self, names: list[str], started: Any, dpi: int) -> None:
        self.names, self.started, self.dpi = names, started, dpi

    def save(self, folder: Path, here: Charts | None = None) -> None:
        """Draw the charts of ``here`` in this process, then collect the started ones (this process
        drawing those no worker has begun) and write every PNG into ``folder`` (atomically; the
        started charts first, each group in its order)."""
        from sim.experiments.results import atomic_write

        got: dict[str, tuple[bytes, list[str]]] = {}
        for name, (chart, args, kwargs) in (here or {}).items():
            got[name] = _drawn(None, (chart, args, kwargs, self.dpi))
        self.started.finish(lambda k, result: got.__setitem__(k, result))
        for name in [*self.names, *(here or {})]:
            png, notes = got[name]
            NOTES.extend(notes)
            atomic_write(Path(folder) / name, png)


def start_figures(figures: Charts, ex: Any = None, dpi: int = 100) -> StartedFigures:
    """Begin drawing ``figures`` on the workers of the executor ``ex`` while this process does other
    work (a comparison's tables and workbook); ``save`` on the result finishes and writes them. A chart
    depends only on its arguments, so every process draws the same bytes (a comparison's four charts
    took ~10 of its ~36 s one after the other, issue 19). In one process nothing is drawn before ``save``."""
    from sim.experiments.executor import InProcess

    items = {name: (chart, args, kwargs, dpi) for name, (chart, args, kwargs) in figures.items()}
    return StartedFigures(list(figures), (ex or InProcess()).start(_drawn, items), dpi)


def save_workbook(path: Path, sheets: dict[str, Any], lang: str = "en", **labels: Any) -> Path:
    """Write the tables as one Excel workbook (one sheet each), atomically; ``labels``: the
    package ``titles``, zone ``names`` and a study's ``factors`` of a Chinese workbook."""
    from sim.experiments.results import atomic_write
    from sim.present.excel import workbook

    atomic_write(Path(path), workbook(sheets, lang, **labels))
    return Path(path)


def print_notes() -> None:
    for line in dict.fromkeys(NOTES):
        sys.stderr.write(line + "\n")
    NOTES.clear()
