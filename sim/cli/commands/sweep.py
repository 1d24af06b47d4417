"""``zonesim sweep``: run every point x seed of a study into a resumable Parquet store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli.main import add_force_option, positive_int
from sim.experiments.results import RESULTS
from sim.experiments.runner import default_workers


def add_run_options(p: argparse.ArgumentParser, kind: str) -> None:
    """Options shared by ``sweep`` and ``sensitivity``."""
    p.add_argument("study", help="study name (scenarios/studies/NAME.yaml) or file")
    p.add_argument("--workers", "-w", type=positive_int(1, 1024), default=None,
                   help="local worker processes (default: all cores)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                   help="run on this Dask distributed scheduler instead of the local pool")
    p.add_argument("--out", "-o", type=Path, default=None,
                   help=f"study folder (default: results/{kind}-STUDY)")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted study in --out: finished runs are kept, the rest computed")
    p.add_argument("--overwrite", action="store_true",
                   help="delete an existing study folder zonesim made and start again (never any other folder)")
    add_force_option(p)
    p.add_argument("--chunk", type=positive_int(1, 100_000), default=None,
                   help="runs per part file (default: 1 up to 2000 runs, then runs/2000)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sweep", help="run a study's design (levers x uncertainties x seeds)",
                       description="Run every point x seed of STUDY's design (full factorial, Latin "
                                   "hypercube, Morris, Sobol or a CSV table) on a local process pool or a "
                                   "Dask cluster, into a resumable Parquet dataset with a manifest. "
                                   "See docs/studies.md.")
    add_run_options(p, "sweep")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of the Excel workbook tables.xlsx (default: %(default)s); CSV and Parquet "
                        "keep their column names and full precision")
    p.set_defaults(handler=main)


def run_study(args: argparse.Namespace, kind: str, study=None):
    """Load (if needed), open the store and execute; returns (study, store, session)."""
    from sim.experiments.study import load_study
    from sim.experiments.sweep import execute, open_store

    if args.scheduler:
        from sim.experiments.distributed import check_address
        check_address(args.scheduler)
    from sim.cli import budget

    study = study or load_study(args.study)
    budget.check_study(study, args.workers or default_workers(), args.force, remote=bool(args.scheduler))
    out = args.out or RESULTS / f"{kind}-{study.name}"
    store = open_store(study, out, resume=args.resume, overwrite=args.overwrite, chunk=args.chunk,
                       command=["zonesim", *sys.argv[1:]])
    workers = args.workers or default_workers()
    show = not args.no_progress and sys.stderr.isatty()
    session = execute(study, store, workers=workers, scheduler=args.scheduler, progress=show)
    return study, store, session


def main(args: argparse.Namespace) -> int:
    study, store, session = run_study(args, "sweep")
    info = store.info
    write_workbook(store, args.lang)
    from sim.present.i18n import backend_name, study_title, tr

    lang = args.lang
    print(tr("sweep.run", lang, s=study_title(study.name, lang, study.spec.title) if lang == "zh" else study.name,
             p=info["n_points"], k=len(info["seeds"]), n=info["n_runs"], c=session["runs_computed"],
             b=backend_name(session, lang), t=f"{session['seconds']:.1f}"))
    print(tr("run.wrote", lang, d=store.path, f=tr("sweep.files", lang)))
    return 0


MAX_EXCEL_ROWS = 200_000  # a sheet holds 1,048,576 rows; beyond this the runs stay in Parquet only


def write_workbook(store, lang: str = "en") -> None:
    """``tables.xlsx`` beside the store: the design, the region outcomes per design point (mean
    over seeds, each kept year), and, when small enough, every run's region rows; in ``lang``
    (Chinese: sheet names, headers, factor and outcome names, money in 亿元)."""
    from sim.cli.output import save_workbook

    factors = list(store.info.get("factors") or [])
    df = store.load()
    region = df[df["zone"] == "region"] if "zone" in df else df
    design = store.design()
    keys = ["point", *factors, "year"]
    outcomes = [c for c in region.columns if c not in {"run", "point", "replicate", "seed", "step", "year", "zone",
                                                       "chunk", *factors}
                and region[c].dtype.kind in "fiub"]
    points = region.groupby(keys, sort=True, dropna=False)[outcomes].mean().reset_index()
    sheets = {"design": design.drop(columns=["chunk"], errors="ignore"), "points_region_mean": points}
    if len(region) <= MAX_EXCEL_ROWS:
        sheets["runs_region"] = region
    save_workbook(store.path / "tables.xlsx", sheets, lang, factors=factors)
