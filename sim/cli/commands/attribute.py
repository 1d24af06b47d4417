"""``zonesim attribute``: split a package's effect among its measures or areas (Shapley values)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli.main import add_force_option, positive_int


def add_backend_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``attribute`` and ``robust``: where the runs go and how they run."""
    p.add_argument("--workers", "-w", type=positive_int(1, 1024), default=None,
                   help="local worker processes (default: all cores)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                   help="run on this Dask distributed scheduler instead of the local pool")
    p.add_argument("--out", "-o", type=Path, default=None, help="output folder (default: under results/)")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted analysis in --out (finished runs are kept); also re-analyses "
                        "a finished one, e.g. with another --outcome")
    p.add_argument("--overwrite", action="store_true",
                   help="delete an existing --out folder zonesim made and start again (never any other folder)")
    add_force_option(p)
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of the summary and the charts (default: %(default)s)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("attribute", help="Shapley attribution of a package's effect to its measures or areas",
                       description="Run every sub-package of PACKAGE (2^k combinations of its measures or of "
                                   "its areas 1-6, on common seeds; resumable, local pool or Dask) and split "
                                   "its effect against the baseline on OUTCOME in YEAR by Shapley values, with "
                                   "95% intervals across seeds, solo and last-in effects, pairwise "
                                   "interactions and a waterfall chart. See docs/analyses.md.")
    p.add_argument("package", metavar="PACKAGE", help="package name or file")
    p.add_argument("--by", choices=("area", "measure"), default="area",
                   help="players: the package's areas 1-6 or its measures (levers) (default: %(default)s)")
    p.add_argument("--outcome", default="output", help="region outcome to attribute (default: %(default)s)")
    p.add_argument("--year", type=positive_int(1, 9999), default=None,
                   help="calendar year (default: 2035, or the world's last year if earlier)")
    p.add_argument("--seeds", "-k", type=positive_int(2, 100_000), default=4,
                   help="replicate seeds per sub-package, at least 2 for an interval (default: %(default)s)")
    p.add_argument("--seed", type=positive_int(0, 2**63 - 1), default=20210,
                   help="base seed; replicate seeds derive from it (default: %(default)s)")
    p.add_argument("--world", "-W", default="guangxi", help="world name or file (default: %(default)s)")
    p.add_argument("--baseline", "-b", default="baseline", help="package compared against (default: %(default)s)")
    add_backend_options(p)
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.analysis.attribution import (KEPT_OUTCOMES, attribute, attribution_study, coalition_values, region_values,
                                          run_package_study)
    from sim.cli.output import save_figure
    from sim.present.charts.attribution import waterfall
    from sim.present.i18n import package_title, pick
    from sim.present.summaries.analyses import attribution_markdown
    from sim.core.errors import unknown_name
    from sim.scenario.packages import load_package
    from sim.experiments.results import RESULTS, atomic_write, manifest, world_dict, write_json, write_table, write_yaml
    from sim.experiments.runner import default_workers
    from sim.scenario.world import load_world

    if args.outcome not in KEPT_OUTCOMES:
        raise unknown_name("--outcome", None, args.outcome, KEPT_OUTCOMES, "region outcome")
    world = load_world(args.world)
    package, baseline = load_package(args.package), load_package(args.baseline)
    final = world.start_year + world.years
    year = args.year or (min(2035, final) if world.start_year < 2035 else final)
    study, ps = attribution_study(package, baseline, args.by, world, year, args.seeds, args.seed)
    from sim.cli import budget

    budget.check_study(study, args.workers or default_workers(), args.force, remote=bool(args.scheduler))
    out = args.out or RESULTS / f"attribute-{package.name}-by-{args.by}-{year}"
    store, session = run_package_study(study, out, resume=args.resume, overwrite=args.overwrite,
                                       workers=args.workers or default_workers(), scheduler=args.scheduler,
                                       progress=not args.no_progress and sys.stderr.isatty())
    df = region_values(store, args.outcome, year)
    v, seeds = coalition_values(df, ps, args.outcome)
    a = attribute(v, ps, args.outcome)
    write_table(out, "shapley", a.shapley)
    write_table(out, "interactions", a.interactions)
    write_table(out, "combinations", a.combinations)
    text = attribution_markdown(a, package, baseline.name, args.by, args.outcome, year,
                                pick(world.title, world.title_zh, args.lang) if args.lang == "zh" else world.name,
                                lang=args.lang, baseline_title=package_title(baseline, args.lang))
    atomic_write(out / "summary.md", text)
    save_figure(waterfall(a, ps, args.outcome, year, args.lang, package_title(package, args.lang),
                          package_title(baseline, args.lang)), out / "waterfall.png")
    write_yaml(out / "scenario.yaml", {"world": world_dict(world), "baseline": baseline.name,
                                       "packages": [baseline.to_dict(), package.to_dict()], "year": year})
    write_json(out / "manifest.json", manifest(
        ["zonesim", *sys.argv[1:]], kind="attribution", world=world.name, package=package.name,
        baseline=baseline.name, by=args.by, players=[{"name": p.name, "levers": list(p.levers)} for p in ps],
        outcome=args.outcome, year=year, years=study.years, base_seed=args.seed, seeds=seeds,
        runs=store.info["n_runs"], runs_folder="runs", fingerprint=store.info["fingerprint"],
        totals=a.totals, packages=[baseline.name, package.name], lang=args.lang))
    print(text.split("\n|")[0].strip())
    from sim.present.i18n import runs_line, tr

    print("\n" + runs_line(store.info["n_runs"], session, args.lang))
    print(tr("run.wrote", args.lang, d=out, f="summary.md, shapley.csv, interactions.csv, combinations.csv, "
             "waterfall.png, manifest.json, runs/"))
    return 0
