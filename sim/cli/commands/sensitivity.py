"""``zonesim sensitivity``: run a Morris or Sobol study, then SALib indices, charts, convergence."""

from __future__ import annotations

import argparse

from sim.cli.main import positive_int
from sim.cli.commands.sweep import add_run_options, run_study


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sensitivity", help="Morris or Sobol sensitivity indices of a study (SALib)",
                       description="Run STUDY (design method morris or sobol; resumable like 'sweep'), then "
                                   "compute SALib indices — Morris mu*/sigma or Sobol S1/ST with bootstrap "
                                   "CIs — for each outcome and year, with charts and a convergence check "
                                   "(indices at N and 2N). Output: OUT/sensitivity/. See docs/studies.md.")
    add_run_options(p, "sensitivity")
    p.add_argument("--over", choices=("all", "levers", "uncertainties"), default=None,
                   help="vary levers and uncertainties together, or one group with the other at base values "
                        "(default: the study's 'over', normally all)")
    p.add_argument("--outcome", action="append", default=None,
                   help="outcome to analyse (repeatable; default: every outcome of the study)")
    p.add_argument("--year", action="append", type=int, default=None,
                   help="calendar year to analyse (repeatable; default: the last year the study keeps)")
    p.add_argument("--zone", default="region", help="'region' or a zone id the study keeps (default: region)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the charts and the printed tables (default: %(default)s)")
    p.add_argument("--resamples", type=positive_int(10, 100_000), default=200,
                   help="bootstrap resamples for confidence intervals (default: %(default)s)")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.core.errors import InputError, unknown_name
    from sim.experiments.results import write_table
    from sim.analysis.sensitivity import analyze, require_method
    from sim.cli.output import save_figure
    from sim.present.charts.sensitivity import sensitivity_charts
    from sim.present.i18n import study_title, tr
    from sim.present.summaries.analyses import sensitivity_table
    from sim.experiments.study import load_study

    study = load_study(args.study)
    require_method(study)
    if args.over and args.over != study.spec.over:
        study = study.with_over(args.over)
    for o in args.outcome or []:
        if o not in study.spec.outcomes.names:
            raise unknown_name(study.source, "--outcome", o, study.spec.outcomes.names, "outcome of this study")
    kept = [study.world.start_year + s for s in study.outcome_steps()]
    for y in args.year or []:
        if y not in kept:
            raise InputError(study.source, "--year", f"year {y} is not kept by the study (kept: "
                                                     f"{', '.join(map(str, kept))})")
    if args.zone != "region" and args.zone not in (study.outcome_zones() or []):
        raise unknown_name(study.source, "--zone", args.zone, ["region", *(study.outcome_zones() or [])],
                           "zone kept by this study")
    if args.out is None and study.spec.over != "all":
        from sim.experiments.results import RESULTS
        args.out = RESULTS / f"sensitivity-{study.name}-{study.spec.over}"
    study, store, session = run_study(args, "sensitivity", study)
    idx, conv = analyze(study, store, args.outcome, args.year, args.zone, resamples=args.resamples,
                        seed=study.spec.design.seed)
    folder = store.path / "sensitivity"
    folder.mkdir(exist_ok=True)
    write_table(folder, "indices", idx)
    if not conv.empty:
        write_table(folder, "convergence", conv)
    pngs = [save_figure(fig, folder / f"{stem}.png", dpi=110) for stem, fig in sensitivity_charts(idx, args.lang)]
    lang = args.lang
    print(tr("sens.run", lang, s=study_title(study.name, lang, study.spec.title) if lang == "zh" else study.name,
             m=tr(f"sens.m.{study.method}", lang), o=tr(f"sens.over.{study.spec.over}", lang),
             n=store.info["n_runs"], c=session["runs_computed"], t=f"{session['seconds']:.1f}"))
    print(sensitivity_table(idx, lang))
    if not conv.empty:
        print("\n" + tr("sens.conv", lang, ok=int(conv["within_ci"].sum()), n=len(conv)))
    print("\n" + tr("run.wrote", lang, d=folder, f=tr("sens.files", lang, n=len(pngs))))
    return 0
