"""``zonesim discover``: PRIM scenario discovery over a study's results (EMA Workbench)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli.main import positive_int


def _fraction(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}") from None
    if not 0.0 < v <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {v}")
    return v


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("discover", help="PRIM scenario discovery: where in the factor space does an outcome fail",
                       description="Read a finished study folder (zonesim sweep, or the runs of robust/"
                                   "attribute), mark the runs where --where holds (e.g. \"output < 1200\") "
                                   "at --year, and find boxes of uncertainties and levers where that happens "
                                   "(PRIM from EMA Workbench: pip install 'zonesim[discovery]'), with coverage "
                                   "and density, a table and a chart. See docs/analyses.md.")
    p.add_argument("results", type=Path, metavar="RESULTS", help="a study folder")
    p.add_argument("--where", required=True, metavar='"OUTCOME OP VALUE"',
                   help='the failure to explain, e.g. "output < 1200" (OP: <, <=, >, >=)')
    p.add_argument("--year", type=positive_int(1, 9999), default=None,
                   help="calendar year (default: the last year the study keeps)")
    p.add_argument("--zone", default="region", help="'region' or a zone the study keeps (default: region)")
    p.add_argument("--threshold", type=_fraction, default=0.8,
                   help="density a box must reach (default: %(default)s)")
    p.add_argument("--boxes", type=positive_int(1, 10), default=2, help="boxes to search for (default: %(default)s)")
    p.add_argument("--peel-alpha", type=_fraction, default=0.05, help="share peeled per step (default: %(default)s)")
    p.add_argument("--out", "-o", type=Path, default=None,
                   help="output folder, must be new or empty (default: RESULTS/discover-OUTCOME-YEAR)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace --out if it is a results folder zonesim made (never any other folder)")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of the summary and the chart (default: %(default)s)")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.analysis.discover import MAX_QP, cases, discover, load_prim, open_results
    from sim.cli.output import save_figure
    from sim.present.charts.discovery import discovery_chart
    from sim.present.summaries.analyses import discovery_markdown
    from sim.experiments.results import atomic_write, manifest, staged_output, write_json, write_table
    from sim.analysis.robust import parse_condition

    load_prim()
    store = open_results(args.results)
    factors = set(store.info.get("factors") or [])
    kept = [o for o in (store.info.get("outcomes") or _outcomes(store)) if o not in factors]
    cond = parse_condition(args.where, "--where", kept)
    x, y, year = cases(store, cond, args.year, args.zone)
    d = discover(x, y, threshold=args.threshold, max_boxes=args.boxes, peel_alpha=args.peel_alpha)
    out = args.out or Path(args.results) / f"discover-{cond.outcome}-{year}"
    with staged_output(out, args.overwrite) as tmp:
        write_table(tmp, "boxes", d.boxes)
        write_table(tmp, "limits", d.limits)
        write_table(tmp, "trajectory", d.trajectory)
        text = discovery_markdown(d, cond, year, args.zone, str(store.path), args.threshold, MAX_QP, lang=args.lang)
        atomic_write(tmp / "summary.md", text)
        save_figure(discovery_chart(d, x, cond, year, args.lang), tmp / "discovery.png")
        write_json(tmp / "manifest.json", manifest(
            ["zonesim", *sys.argv[1:]], kind="discovery", source=str(store.path), study=store.info.get("study"),
            world=store.info.get("world"), where=str(cond), year=year, zone=args.zone, threshold=args.threshold,
            peel_alpha=args.peel_alpha, factors=list(x.columns), runs=d.n, base_rate=d.base_rate,
            boxes=d.boxes.to_dict("records"), seeds=store.info.get("seeds"), base_seed=store.info.get("base_seed"),
            lang=args.lang))
    print(text.split("\n|")[0].strip())
    print(f"\nwrote {out}/ (summary.md, boxes.csv, limits.csv, trajectory.csv, discovery.png, manifest.json)")
    return 0


def _outcomes(store) -> list[str]:
    import yaml

    study = yaml.safe_load((store.path / "study.yaml").read_text(encoding="utf-8")) or {}
    o = (study.get("study") or {}).get("outcomes") or {}
    return list(o.get("names") or [])
