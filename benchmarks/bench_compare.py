"""Where the README's first command spends its time: ``zonesim compare``'s runs against its outputs.

    python benchmarks/bench_compare.py [--lang zh] [--years 20] [--seeds 8] [--workers 2] [PACKAGE ...]

Runs ``zonesim compare`` in this process (into a temporary folder, removed afterwards), with a
wall-clock timer around each phase: the runs (``run_all``), the paired tables (differences,
pairing summary, region summary, fiscal table), the workbook, the summary in words, and the charts.
The charts are drawn on the runs' pool: since the twenty-fifth session its helpers draw three of
them while this process writes the tables, and the charts' phase ("charts (wall, not hidden)") is
this process drawing the map and then waiting for the helpers' charts: the part of the charts not
hidden behind the tables.
Prints each phase in seconds and as a share of the command, the rest (imports, the results table,
the manifest) last. Shares are the figures to quote; times move with the machine's load (issue 19,
twenty-second session: the outputs were more than half of the command before it).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import importlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reference import positive  # a whole number >= 1, else one line and exit 2

# (module, function) -> the phase it belongs to; the command looks each one up where it calls it
PHASES = {
    ("sim.cli.jobs", "run_all"): "runs",
    ("sim.analysis.compare", "differences"): "paired tables",
    ("sim.analysis.compare", "pairing_summary"): "paired tables",
    ("sim.analysis.compare", "status_events"): "paired tables",
    ("sim.analysis.summary", "summary_table"): "paired tables",
    ("sim.analysis.fiscal", "fiscal_table"): "paired tables",
    ("sim.experiments.results", "write_table"): "tables written (csv, parquet)",
    ("sim.cli.output", "save_workbook"): "workbook",
    ("sim.present.summaries.compare", "summary_markdown"): "summary in words",
    ("sim.cli.output", "StartedFigures.save"): "charts (wall, not hidden)",
}


def timed(spent: dict[str, float]) -> None:
    """Wrap each function of PHASES in its module so its wall time adds to its phase."""
    for (module, name), phase in PHASES.items():
        mod = importlib.import_module(module)
        *owner, name = name.split(".")  # "Class.method": wrapped on its class
        if owner:
            mod = getattr(mod, owner[0])
        f = getattr(mod, name)

        @functools.wraps(f)
        def wrapper(*a, _f=f, _p=phase, **kw):
            t0 = time.perf_counter()
            try:
                return _f(*a, **kw)
            finally:
                spent[_p] = spent.get(_p, 0.0) + time.perf_counter() - t0
        setattr(mod, name, wrapper)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("packages", nargs="*", help="packages to compare (default: compare's own list)")
    ap.add_argument("--lang", choices=("en", "zh"), default="zh")
    ap.add_argument("--years", type=positive)
    ap.add_argument("--seeds", type=positive, default=8)
    ap.add_argument("--workers", type=positive, default=2)
    args = ap.parse_args()

    from sim.cli.main import main as zonesim

    spent: dict[str, float] = {}
    timed(spent)
    out = Path(tempfile.mkdtemp(prefix="bench-compare-")) / "cmp"
    shown = ["compare", *args.packages, "--lang", args.lang, "--seeds", str(args.seeds), "--workers",
             str(args.workers)] + (["--years", str(args.years)] if args.years else [])
    t0 = time.perf_counter()
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the command's own summary: not the benchmark's
            code = zonesim([*shown, "--out", str(out), "--no-progress"])
    finally:
        total = time.perf_counter() - t0
        shutil.rmtree(out.parent, ignore_errors=True)
    if code != 0:
        raise SystemExit(code)
    print(f"zonesim {' '.join(shown)}: {total:.1f} s in all")
    for phase, s in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {phase:30s} {s:6.1f} s  {100 * s / total:5.1f} %")
    rest = total - sum(spent.values())
    print(f"  {'the rest':30s} {rest:6.1f} s  {100 * rest / total:5.1f} %")
    outputs = total - spent.get("runs", 0.0)
    print(f"the outputs (everything but the runs): {100 * outputs / total:.1f} % of the command")


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
