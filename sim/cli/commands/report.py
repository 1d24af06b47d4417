"""``zonesim report``: one self-contained HTML hand-out from a results folder (zh or en)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write a self-contained HTML report of a results folder (zh/en)",
                       description="Read RESULTS_DIR (written by zonesim run, compare, sweep or sensitivity; "
                                   "its manifest.json says which) and write one HTML file with the pictures "
                                   "embedded: what was run, the headline table, charts, the ranking of zones "
                                   "and a plain-language summary. --lang zh writes Chinese titles, labels, "
                                   "zone names and text (with the Noto Sans CJK SC font that installs with zonesim).")
    p.add_argument("results_dir", type=Path, metavar="RESULTS_DIR", help="a results folder")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language (default: %(default)s)")
    p.add_argument("--out", "-o", type=Path, default=None,
                   help="HTML file to write (default: RESULTS_DIR/report-LANG.html)")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.present.fonts import cjk_font
    from sim.present.i18n import tr
    from sim.present.report import write_report

    path = write_report(args.results_dir, args.lang, args.out)
    if args.lang == "zh" and cjk_font() is None:
        sys.stderr.write("zonesim: warning: no CJK font found; Chinese text in the charts shows as boxes "
                         "(reinstall zonesim, which brings Noto Sans CJK SC through the mplfonts package)\n")
    print(tr("report.wrote", args.lang, p=path))
    return 0
