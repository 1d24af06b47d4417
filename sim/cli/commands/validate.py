"""``zonesim validate``: the default world against stylised facts and public figures -> report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.analysis import validate as V
from sim.cli.main import bounded_float, positive_int, years_option
from sim.cli.output import save_figure
from sim.core.params import Params
from sim.experiments.executor import executor
from sim.experiments.results import default_out, manifest, staged_output, world_dict, write_json, write_table, write_yaml
from sim.experiments.runner import default_workers, derive_seeds
from sim.present.charts.validation import firm_size_chart, policy_chart, validation_chart
from sim.present.i18n import tr
from sim.present.summaries.validation import format_oos, format_policy, format_signs, format_table, report_md
from sim.scenario.world import DEFAULT_WORLD, load_world


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check the world against stylised facts and public figures",
                       description="Run WORLD (default: guangxi, no levers) over --seeds replicates and compare "
                                   "the model with the calibration targets (firm-size tail, entry and exit rates, "
                                   "agglomeration, starting aggregates, rank dynamics) and with known policy "
                                   "responses; write a report (table, charts, report.md) into a new folder.")
    p.add_argument("--world", default=DEFAULT_WORLD, help="world name or file (default: %(default)s)")
    p.add_argument("--seeds", "-k", type=positive_int(2, 10_000), default=20,
                   help="replicate seeds for the targets (default: %(default)s)")
    p.add_argument("--policy-seeds", type=positive_int(0, 10_000), default=6,
                   help="seeds for the policy-response experiments, 0 = skip them (default: %(default)s)")
    years_option(p, 1, "the world's horizon")
    p.add_argument("--sign-seeds", type=positive_int(0, 10_000), default=4,
                   help="seeds for the sign check of the measures (each single-measure package against the "
                        "baseline, paired), 0 = skip it (default: %(default)s)")
    p.add_argument("--sign-years", type=positive_int(1, 100), default=10,
                   help="years of the sign-check runs (default: %(default)s)")
    p.add_argument("--sign-packages", nargs="+", default=None, metavar="PACKAGE",
                   help="single-measure packages to check (default: every bundled one)")
    p.add_argument("--sign-tolerance", type=bounded_float(0.0, 100.0), default=0.1, metavar="PCT",
                   help="effects smaller than this (per cent) are 'negligible', not a sign (default: %(default)s)")
    p.add_argument("--signs-only", action="store_true",
                   help="run only the sign check (no targets, no policy experiments): cheap")
    p.add_argument("--seed", type=positive_int(0, 2**63 - 1), default=20210, help="base seed (default: %(default)s)")
    p.add_argument("--workers", "-w", type=positive_int(1, 1024), default=None,
                   help="worker processes (default: all cores)")
    p.add_argument("--out", "-o", type=Path, default=None,
                   help="output folder, must be new or empty (default: results/validate-WORLD-TIME)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace --out if it is a results folder zonesim made (never any other folder)")
    p.add_argument("--strict", action="store_true",
                   help="exit with code 1 if any target fails or a measure's sign is opposite (a target the run "
                        "is too short to compute is 'not assessed', not a failure)")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of what a person reads: the printed tables (targets, policy responses, sign check, "
                        "out of sample), report.md and the charts; in Chinese the statistics and claims are named in "
                        "Chinese, results read 通过/未通过/未评估 and money is in 亿元; what a published figure implies, "
                        "the policy notes and the fitted moments are in Chinese too, while sources are quoted as "
                        "published. CSV and Parquet "
                        "files keep their English column names, values and CNY bn (machine-readable) "
                        "(default: %(default)s)")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.analysis.calibrate import FREE, MOMENTS

    world = load_world(args.world)
    years = args.years or world.years
    if args.signs_only:
        return signs_only(args, world)
    seeds = derive_seeds(args.seed, args.seeds)
    workers = args.workers or default_workers()
    out = args.out or default_out("validate", world.name)
    # one executor for every run of the command: the pool starts once
    with staged_output(out, args.overwrite) as tmp, executor(workers) as ex:
        stats = V.run_stats(world, seeds, years, ex)
        table = V.summarise(stats)
        table.insert(1, "calibrated", table["key"].isin(MOMENTS))
        fitted = pd.DataFrame([{"parameter": p.name, "default": Params.model_fields[p.name].default,
                                "world_value": getattr(world.params, p.name),
                                "fitted": p.name in world.param_overrides, "moment": p.why} for p in FREE])
        policy = pd.DataFrame()
        if args.policy_seeds:
            pseeds = derive_seeds(args.seed + 1, args.policy_seeds)
            regional = V.region_zones_by_size(world)
            large, small = regional[0], regional[-1]
            status = V.status_experiment(world, [large, small], pseeds, years, ex)
            write_table(tmp, "status_runs", status)
            from sim.policies import REGISTRY

            arms = V.lever_arms(list(REGISTRY))
            levers = V.lever_runs(world, arms, pseeds, years, ex)
            write_table(tmp, "lever_runs", levers)
            policy = pd.concat([V.status_checks(status, small, large), V.lever_checks(levers)], ignore_index=True)
            write_table(tmp, "policy", policy)
        signs = pd.DataFrame()
        if args.sign_seeds:
            signs = sign_table(args, world, ex)
            write_table(tmp, "signs", signs)
        write_table(tmp, "validation", table)
        write_table(tmp, "seeds", stats)
        write_table(tmp, "calibrated_parameters", fitted)
        rec = V.simulate(world, seeds[0], years)
        save_figure(validation_chart(table[table["key"].isin(stats.columns)], stats, args.lang), tmp / "validation.png")
        write_table(tmp, "cv_by_year", V.cv_by_year(stats))  # seed-to-seed spread of region output
        oos = pd.DataFrame()
        if world.name == DEFAULT_WORLD:  # the out-of-sample check: the 2017 world run to 2021
            oos = V.out_of_sample(seeds[:10], ex)
            write_table(tmp, "out_of_sample", oos)
        save_figure(firm_size_chart(rec.first.employees, rec.last.employees, V.hill, args.lang),
                    tmp / "firm_sizes.png")
        if not policy.empty:
            save_figure(policy_chart(policy, args.lang), tmp / "policy.png")
        (tmp / "report.md").write_text(report_md(world, table, fitted, policy, len(seeds), args.policy_seeds,
                                                 years, lang=args.lang), encoding="utf-8")
        write_yaml(tmp / "scenario.yaml", {"world": world_dict(world), "package": None, "years": years})
        write_json(tmp / "manifest.json", manifest(["zonesim", *sys.argv[1:]], kind="validate", world=world.name,
                                                  years=years, base_seed=args.seed, seeds=seeds, workers=workers,
                                                  passed=V.tally(table)["passed"], targets=len(table),
                                                  not_assessed=V.tally(table)["not_assessed"],
                                                  lang=args.lang))
    print(format_table(table, args.lang))
    if not policy.empty:
        print("\n" + format_policy(policy, args.lang))
    if not signs.empty:
        print("\n" + format_signs(signs, args.sign_years, args.lang))
    if not oos.empty:
        print("\n" + format_oos(oos, args.lang))
    print("\n" + tr("run.wrote", args.lang, d=out, f="report.md, validation.csv, policy.csv, seeds.csv, validation.png, "
                                                    "firm_sizes.png, policy.png, cv_by_year.csv, out_of_sample.csv, "
                                                    "manifest.json"))
    opposite = not signs.empty and bool((signs["verdict"] == "opposite").any())
    # a target the run could not compute (too short) is not assessed: --strict fails only on a real FAIL
    return 1 if args.strict and (V.tally(table)["failed"] > 0 or opposite) else 0


def sign_table(args: argparse.Namespace, world, ex) -> pd.DataFrame:
    """Each single-measure package against the baseline on ``--sign-seeds`` paired seeds."""
    packages = V.single_measure_packages(args.sign_packages)
    seeds = derive_seeds(args.seed + 2, args.sign_seeds)
    runs = V.sign_runs(world, packages, seeds, args.sign_years, ex)
    return V.sign_checks(runs, packages, args.sign_tolerance / 100.0)


def signs_only(args: argparse.Namespace, world) -> int:
    """``--signs-only``: the sign check alone, written to --out as signs.csv and manifest.json."""
    if not args.sign_seeds:
        from sim.core.errors import InputError

        raise InputError("command line", "--sign-seeds", "must be at least 1 with --signs-only")
    workers = args.workers or default_workers()
    out = args.out or default_out("validate", world.name)
    with staged_output(out, args.overwrite) as tmp, executor(workers) as ex:
        signs = sign_table(args, world, ex)
        write_table(tmp, "signs", signs)
        write_json(tmp / "manifest.json", manifest(["zonesim", *sys.argv[1:]], kind="validate-signs",
                                                  world=world.name, years=args.sign_years, base_seed=args.seed,
                                                  seeds=derive_seeds(args.seed + 2, args.sign_seeds), workers=workers,
                                                  lang=args.lang))
    print(format_signs(signs, args.sign_years, args.lang))
    print("\n" + tr("run.wrote", args.lang, d=out, f="signs.csv, manifest.json"))
    return 1 if args.strict and bool((signs["verdict"] == "opposite").any()) else 0
