"""``zonesim run``: one world and package over K seeds -> tables, charts, manifest."""

from __future__ import annotations

import argparse
import sys

from sim.cli.main import add_output_options, years_option
from sim.scenario.world import DEFAULT_PACKAGE, DEFAULT_WORLD

# Heavy modules (mesa, matplotlib) are imported in main(), so `zonesim --help` stays quick.

SUMMARY_OUTCOMES = ("output", "value_added", "firms", "hightech_firms", "entries", "exits", "talent",
                    "rd_intensity", "output_per_km2", "tax")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run one world under one package over several seeds",
                       description="Run WORLD (a bundled name or a world file; default: guangxi) under a "
                                   "measure package for --years over --seeds replicates, and write tidy "
                                   "tables (Parquet + CSV), charts (PNG), the resolved scenario and a "
                                   "manifest into a new folder.")
    p.add_argument("scenario", nargs="?", default=DEFAULT_WORLD, metavar="SCENARIO",
                   help="a world (name or file; default: %(default)s) or a package (name or file) to run on "
                        "the default world")
    p.add_argument("--package", "-p", default=None, help=f"package name or file (default: {DEFAULT_PACKAGE})")
    years_option(p)
    add_output_options(p, "results/run-WORLD-PACKAGE-TIME", seeds_default=10)
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.analysis.summary import summary_table
    from sim.cli import budget
    from sim.cli.jobs import run_all
    from sim.cli.output import save_figure
    from sim.core.errors import EnvError
    from sim.present.charts.trajectories import region_chart, zone_trajectories
    from sim.present.i18n import package_title, pick, tr, zone_names
    from sim.present.summaries.run import format_summary
    from sim.scenario.packages import load_package
    from sim.experiments.results import default_out, manifest, staged_output, world_dict, write_json, write_table, write_yaml
    from sim.experiments.runner import default_workers, derive_seeds, make_jobs
    from sim.scenario.world import load_world

    world_arg, package_arg = split_scenario(args.scenario, args.package)
    world = load_world(world_arg)
    package = load_package(package_arg)
    years = args.years or world.years
    seeds = derive_seeds(args.seed, args.seeds)
    out = args.out or default_out("run", world.name, package.name)
    workers = min(args.workers or default_workers(), len(seeds))
    command = ["zonesim", *sys.argv[1:]]
    with staged_output(out, args.overwrite) as tmp:
        jobs = make_jobs(world, [package], seeds, years)
        budget.check(world, len(jobs), years, workers, args.force)
        done = run_all(jobs, workers=workers, progress=not args.no_progress and sys.stderr.isatty())
        df = done.table
        write_yaml(tmp / "scenario.yaml", {"world": world_dict(world), "package": package.to_dict(),
                                           "years": years})
        info = dict(kind="run", world=world.name, package=package.name, years=years, base_seed=args.seed,
                    seeds=seeds, workers=workers, rows=0 if df is None else len(df), complete=done.complete)
        if not done.complete:  # keep every finished run; no summary or charts of an incomplete set
            info["failed_runs"] = done.failures()
            if df is not None:
                write_table(tmp, "results", df)
            write_json(tmp / "manifest.json", manifest(command, **info))
        else:
            write_table(tmp, "results", df)
            last = world.start_year + years
            marks = sorted({world.start_year, min(world.start_year + 10, last), last})
            summary = summary_table(df, marks, SUMMARY_OUTCOMES)
            write_table(tmp, "summary", summary)
            write_json(tmp / "manifest.json", manifest(command, **info))
            names = zone_names(world, args.lang)
            titles = {package.name: package_title(package, args.lang)}
            save_figure(region_chart(df, args.lang, titles), tmp / "region.png", dpi=110)
            save_figure(zone_trajectories(df, names, args.lang), tmp / "zones.png", dpi=110)
    if not done.complete:
        raise EnvError(out, f"{done.message()} in results.parquet (manifest: complete false)")
    zh = args.lang == "zh"  # English names the package as typed; Chinese by its title
    print(format_summary(summary, pick(world.title, world.title_zh, args.lang),
                         package_title(package, args.lang) if zh else package.name, len(seeds), args.lang))
    print("\n" + tr("run.wrote", args.lang, d=out, f="results.parquet/.csv, summary.csv, region.png, zones.png, "
                                                   "scenario.yaml, manifest.json"))
    return 0


def split_scenario(scenario: str, package: str | None) -> tuple[str, str]:
    """SCENARIO may name a world or a package: a bundled package name, or a file with ``levers`` /
    ``extends`` and no ``zones``, is run as a package on the default world."""
    from sim.core.errors import InputError
    from sim.scenario.world import PACKAGES, WORLDS, read_mapping, resolve

    try:
        path = resolve(scenario, WORLDS, "world")
    except InputError:
        if any((PACKAGES / f"{scenario}{ext}").exists() for ext in (".yaml", ".yml", ".toml", ".json")):
            if package is not None:
                raise InputError(scenario, "--package", "SCENARIO already names a package; drop --package "
                                                        "or give a world as SCENARIO") from None
            return DEFAULT_WORLD, scenario
        raise
    if path.exists() and path.is_file():
        data = read_mapping(path)
        if "zones" not in data and ("levers" in data or "extends" in data):
            if package is not None:
                raise InputError(path, "--package", "SCENARIO is a package file; drop --package or give a "
                                                    "world as SCENARIO")
            return DEFAULT_WORLD, str(path)
    return scenario, package or DEFAULT_PACKAGE
