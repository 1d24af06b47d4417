"""``zonesim compare``: packages against a baseline on common random numbers -> tables, charts,
a summary in words."""

from __future__ import annotations

import argparse
import sys

from sim.cli.main import add_output_options, positive_int, years_option
from sim.analysis.compare import BASELINE, DEFAULT_PACKAGES
from sim.core.params import MAX_YEARS
from sim.scenario.world import DEFAULT_WORLD

# Region outcomes of the region_summary table and the workbook: mean and 5-95% across seeds.
REGION_SUMMARY = ("output", "value_added", "firms", "hightech_firms", "entries", "exits", "talent",
                  "rd_intensity", "innovations", "output_per_km2", "tax", "public_money", "output_cv")

# Heavy modules (mesa, matplotlib, scipy) are imported in main(), so `zonesim --help` stays quick.


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="compare measure packages against the baseline",
                       description="Run every PACKAGE (names or files) and the baseline on the same seeds "
                                   "(common random numbers) and write: the change of each outcome against "
                                   "the baseline with a 95% interval, for the region and each zone, at "
                                   "chosen years; charts (trajectories with seed bands, difference from "
                                   "baseline, rank bump chart, map of zones coloured by change); and a "
                                   "summary in words. With no PACKAGE: "
                                   + ", ".join(DEFAULT_PACKAGES[1:]) + " against baseline.")
    p.add_argument("packages", nargs="*", metavar="PACKAGE", help="package names or files")
    p.add_argument("--world", "-W", default=DEFAULT_WORLD, help="world name or file (default: %(default)s)")
    p.add_argument("--baseline", "-b", default=BASELINE, help="package compared against (default: %(default)s)")
    years_option(p)
    p.add_argument("--at", type=positive_int(1, MAX_YEARS), nargs="+", default=None, metavar="YEAR",
                   help="simulated years (1..N) for the difference table (default: 5, 10 and the last)")
    add_output_options(p, "results/compare-WORLD-TIME", seeds_default=8, seeds_min=2,
                       seeds_help="replicate seeds per package, at least 2 for an interval")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.cli import budget
    from sim.cli.jobs import run_all
    from sim.core.errors import EnvError, InputError
    from sim.experiments.executor import using
    from sim.experiments.results import default_out, manifest, staged_output, world_dict, write_json, write_table, write_yaml
    from sim.experiments.runner import default_workers, derive_seeds, make_jobs
    from sim.scenario.packages import load_package
    from sim.scenario.world import load_world

    world = load_world(args.world)
    names = list(args.packages) or list(DEFAULT_PACKAGES)
    baseline = load_package(args.baseline)
    packages = [baseline] + [load_package(n) for n in names]
    seen: dict[str, object] = {}
    for pkg in packages:
        if pkg.name in seen and seen[pkg.name] != pkg:
            raise InputError(pkg.source, "name", f"two different packages are both named '{pkg.name}'")
        seen[pkg.name] = pkg
    packages = list({p.name: p for p in packages}.values())
    if len(packages) < 2:
        raise InputError(args.baseline, None, "nothing to compare: name at least one package besides the baseline")
    years = args.years or world.years
    at = sorted(set(args.at or [min(5, years), min(10, years), years]))
    bad = [a for a in at if a > years]
    if bad:
        raise InputError("--at", None, f"year {bad[0]} is beyond the horizon of {years} years")
    seeds = derive_seeds(args.seed, args.seeds)
    out = args.out or default_out("compare", world.name)
    workers = min(args.workers or default_workers(), len(seeds) * len(packages))
    cal = [world.start_year + a for a in at]
    command = ["zonesim", *sys.argv[1:]]
    # one pool for the runs and the charts (its workers have imported the model already; it starts
    # with the first runs, after every check)
    with staged_output(out, args.overwrite) as tmp, using(workers) as ex:
        jobs = make_jobs(world, packages, seeds, years)
        budget.check(world, len(jobs), years, workers, args.force)
        done = run_all(jobs, workers=ex, progress=not args.no_progress and sys.stderr.isatty())
        df = done.table
        write_yaml(tmp / "scenario.yaml", {"world": world_dict(world), "baseline": baseline.name,
                                           "packages": [p.to_dict() for p in packages], "years": years})
        info = dict(kind="compare", world=world.name, packages=[p.name for p in packages], baseline=baseline.name,
                    years=years, at_years=cal, base_seed=args.seed, seeds=seeds, workers=workers,
                    rows=0 if df is None else len(df), complete=done.complete)
        if not done.complete:  # keep every finished run; no differences from an incomplete set
            if df is not None:
                write_table(tmp, "results", df, csv=False)
            write_json(tmp / "manifest.json", manifest(command, **info, failed_runs=done.failures()))
        else:
            text = _write_comparison(tmp, df, world, packages, baseline, years, seeds, cal, args.lang, ex)
            write_json(tmp / "manifest.json", manifest(command, **info))
    if not done.complete:
        raise EnvError(out, f"{done.message()} in results.parquet (manifest: complete false); no differences "
                            "were computed")
    print(text.split("\n## ")[0].strip())
    for block in text.split("\n## ")[1:]:
        head = block.split("\n| ")[0].strip()
        print("\n## " + head)
    from sim.present.i18n import tr

    print("\n" + tr("run.wrote", args.lang, d=out, f="summary.md, differences.csv/.parquet, pairing.csv/.parquet, "
                     "region_summary.csv, tables.xlsx, results.parquet, status_events.csv, fiscal.csv, "
                     "trajectories.png, difference.png, bump.png, map.png, scenario.yaml, manifest.json"))
    return 0


def _write_comparison(tmp, df, world, packages, baseline, years, seeds, cal, lang, ex=None) -> str:
    """Differences, events, summary, workbook and charts of a complete set of runs (the charts drawn on
    the executor ``ex`` when given); returns the summary text."""
    from sim.analysis.compare import REGION_COMPARE, differences, pairing_summary, status_events
    from sim.analysis.summary import summary_table
    from sim.cli.output import save_workbook, start_figures
    from sim.experiments.results import atomic_write, write_table
    from sim.present.charts.maps import change_map, zones_by_package
    from sim.present.charts.ranks import bump_chart
    from sim.present.charts.trajectories import difference_panels, region_chart
    from sim.present.i18n import package_title, pick, zone_names
    from sim.present.summaries.compare import summary_markdown

    titles = {p.name: package_title(p, lang) for p in packages}
    names = zone_names(world, lang, packages)
    coords = {z.id: (z.lon, z.lat) for z in world.zones if z.located}  # unidentified zones have no point
    for p in packages:
        for park in getattr(p.settings.get("new_zones"), "parks", ()):
            coords.setdefault(park.id, (park.lon, park.lat))
    # the charts that need only the runs are drawn on the pool's helpers while this process makes the tables,
    # the workbook and the map (issue 19, twenty-fifth session: the helpers idled through the tables)
    charts = start_figures({"bump.png": (bump_chart, (df, lang, names, titles), {}),
                            "difference.png": (difference_panels, (df, baseline.name, lang, titles), {}),
                            "trajectories.png": (region_chart, (df, lang, titles), {})}, ex)
    diff = differences(df, cal, baseline.name)
    events = status_events(df)
    region = summary_table(df, sorted({world.start_year, *cal}), REGION_SUMMARY)
    write_table(tmp, "results", df, csv=False)
    write_table(tmp, "differences", diff)
    write_table(tmp, "status_events", events)
    write_table(tmp, "region_summary", region)
    from sim.analysis.fiscal import fiscal_table, with_notes  # net fiscal cost and output per yuan (issue 16)

    fiscal = fiscal_table(df, baseline.name)
    write_table(tmp, "fiscal", fiscal)
    final = world.start_year + years
    # what the pairing bought: paired interval, correlation, seeds needed, verdict per region effect
    pair = pairing_summary(df, final, baseline.name, [o for o in REGION_COMPARE if o in df])
    pairing = pair[pair["outcome"] == "output"].reset_index(drop=True)
    # identical runs have no finite variance reduction: an empty cell, not "inf"
    write_table(tmp, "pairing", pairing.replace([float("inf"), float("-inf")], float("nan")))
    save_workbook(tmp / "tables.xlsx", {"differences": diff, "region_summary": region,
                                        "status_events": events, "fiscal": with_notes(fiscal), "pairing": pairing}, lang,
                  titles=titles, names=names)
    text = summary_markdown(diff, events, world=pick(world.title, world.title_zh, lang), years=years,
                            seeds=len(seeds), year=final, baseline=baseline.name, titles=titles,
                            names=names, lang=lang, pairing=pair)
    atomic_write(tmp / "summary.md", text)
    # this process draws the map (the longest chart), then any chart no helper has begun
    charts.save(tmp, here={"map.png": (change_map, (diff, coords, final, "output", lang, names, titles,
                                                    baseline.name, zones_by_package(df)), {})})
    return text
