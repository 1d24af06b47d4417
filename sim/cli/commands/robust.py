"""``zonesim robust``: rank packages by regret and satisficing across a study's uncertain futures."""

from __future__ import annotations

import argparse
import sys

from sim.cli.main import positive_int
from sim.cli.commands.attribute import add_backend_options


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("robust", help="rank packages by regret and satisficing across uncertain futures",
                       description="Run every PACKAGE in every future of a Latin hypercube over STUDY's "
                                   "uncertainties (common futures and seeds; resumable, local pool or Dask), "
                                   "then rank the packages by regret (loss against the best package in each "
                                   "future: max, 90th percentile, mean) and by satisficing (share of futures "
                                   "meeting --target). The study's levers are not used. See docs/analyses.md.")
    p.add_argument("packages", nargs="+", metavar="PACKAGE", help="package names or files (at least two)")
    p.add_argument("--study", "-s", required=True, help="study name or file whose uncertainties span the futures")
    p.add_argument("--futures", "-n", type=positive_int(2, 100_000), default=None,
                   help="Latin hypercube size (default: the study's LHS samples, else 20)")
    p.add_argument("--outcome", default=None,
                   help="region outcome for regret (default: the target's outcome, else output)")
    p.add_argument("--minimise", action="store_true", help="less of the outcome is better (e.g. public_money)")
    p.add_argument("--target", default=None, metavar='"OUTCOME OP VALUE"',
                   help='satisficing target, e.g. "output >= 1500" (OP: >=, >, <=, <)')
    p.add_argument("--year", type=positive_int(1, 9999), default=None,
                   help="calendar year (default: the study's last year)")
    add_backend_options(p)
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.analysis.attribution import KEPT_OUTCOMES, region_values, run_package_study
    from sim.core.errors import unknown_name
    from sim.scenario.packages import load_package
    from sim.experiments.results import RESULTS, atomic_write, manifest, world_dict, write_json, write_table, write_yaml
    from sim.analysis.robust import future_values, parse_condition, rank, regret, robust_study
    from sim.cli.output import save_figure
    from sim.present.charts.robust import regret_chart
    from sim.present.i18n import package_title
    from sim.present.summaries.analyses import robust_markdown
    from sim.experiments.runner import default_workers
    from sim.experiments.study import load_study

    study = load_study(args.study)
    allowed = list(dict.fromkeys([*KEPT_OUTCOMES, *study.spec.outcomes.names]))
    target = parse_condition(args.target, "--target", allowed) if args.target else None
    outcome = args.outcome or (target.outcome if target else "output")
    if outcome not in allowed:
        raise unknown_name("--outcome", None, outcome, allowed, "region outcome")
    packages = [load_package(n) for n in args.packages]
    year = args.year or study.world.start_year + study.years
    pstudy, fut = robust_study(study, packages, args.futures, year)
    from sim.cli import budget

    budget.check_study(pstudy, args.workers or default_workers(), args.force, remote=bool(args.scheduler))
    out = args.out or RESULTS / f"robust-{study.name}-{year}"
    store, session = run_package_study(pstudy, out, resume=args.resume, overwrite=args.overwrite,
                                       workers=args.workers or default_workers(), scheduler=args.scheduler,
                                       progress=not args.no_progress and sys.stderr.isatty())
    df = region_values(store, outcome, year)
    names = [p.name for p in packages]
    values = future_values(df, len(names), outcome)
    tvalues = future_values(df, len(names), target.outcome) if target else None
    table = rank(values, names, target, tvalues, maximise=not args.minimise)
    detail = regret(values, maximise=not args.minimise).merge(fut, on="future")
    if target is not None:
        detail["meets_target"] = target.test(
            tvalues.set_index(["future", "package"]).loc[list(zip(detail["future"], detail["package"])), "value"])
    write_table(out, "ranking", table)
    write_table(out, "regret", detail)
    write_table(out, "futures", fut)
    unc = [c for c in fut.columns if c != "future"]
    text = robust_markdown(table, study=study.name, outcome=outcome, year=year, n_futures=len(fut),
                           seeds=len(study.seeds), uncertainties=unc, target=target, maximise=not args.minimise,
                           titles={p.name: package_title(p, args.lang) for p in packages}, lang=args.lang)
    atomic_write(out / "summary.md", text)
    save_figure(regret_chart(detail, table, outcome, year, target, args.lang,
                             {p.name: package_title(p, args.lang) for p in packages}), out / "regret.png")
    write_yaml(out / "scenario.yaml", {"world": world_dict(study.world), "study": study.name,
                                       "packages": [p.to_dict() for p in packages], "year": year})
    write_json(out / "manifest.json", manifest(
        ["zonesim", *sys.argv[1:]], kind="robustness", world=study.world.name, study=study.name,
        packages=[p.name for p in packages],
        outcome=outcome, maximise=not args.minimise, target=str(target) if target else None, year=year,
        years=pstudy.years, futures=len(fut), uncertainties=unc, base_seed=study.spec.base_seed, seeds=study.seeds,
        runs=store.info["n_runs"], runs_folder="runs", fingerprint=store.info["fingerprint"], lang=args.lang))
    print(text.strip())
    from sim.present.i18n import runs_line, tr

    print("\n" + runs_line(store.info["n_runs"], session, args.lang))
    print(tr("run.wrote", args.lang, d=out, f="summary.md, ranking.csv, regret.csv, futures.csv, regret.png, "
             "manifest.json, runs/"))
    return 0
