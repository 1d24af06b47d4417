"""``zonesim calibrate``: fit the "estimate" parameters the targets constrain (simulated method of
moments) and store the fitted values in the world file's ``params:`` block."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from sim.cli.main import positive_int, years_option
from sim.core.errors import InputError
from sim.experiments.executor import executor
from sim.experiments.results import default_out, manifest, staged_output, world_dict, write_json, write_table, write_yaml
from sim.experiments.runner import derive_seeds
from sim.scenario.world import DEFAULT_WORLD, load_world, resolve, WORLDS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calibrate", help="fit estimated parameters to the calibration targets (SMM)",
                       description="Fit the free parameters (sim.analysis.calibrate.FREE) of WORLD to the calibration "
                                   "moments (exit and entry rates, share of young firms, firm-size tail, "
                                   "agglomeration elasticity) by the simulated method of moments: a Latin-"
                                   "hypercube design, then Nelder-Mead, on common random numbers; then probe "
                                   "which parameters the moments identify. Writes the fit into the world "
                                   "file's params: block (unless --no-write) and a report folder.")
    p.add_argument("--world", default=DEFAULT_WORLD, help="world name or file (default: %(default)s)")
    p.add_argument("--seeds", "-k", type=positive_int(1, 1000), default=2,
                   help="seeds per evaluation, the same for every evaluation (default: %(default)s)")
    years_option(p, 2, "the world's horizon")
    p.add_argument("--design", type=positive_int(0, 10_000), default=16,
                   help="Latin-hypercube design points (default: %(default)s)")
    p.add_argument("--iterations", type=positive_int(0, 10_000), default=30,
                   help="Nelder-Mead evaluations after the design (default: %(default)s)")
    p.add_argument("--seed", type=positive_int(0, 2**63 - 1), default=8, help="base seed (default: %(default)s)")
    p.add_argument("--workers", "-w", type=positive_int(1, 1024), default=2, help="worker processes (default: 2)")
    p.add_argument("--no-write", action="store_true", help="do not change the world file")
    p.add_argument("--no-identification", action="store_true", help="skip the identification probe")
    p.add_argument("--out", "-o", type=Path, default=None,
                   help="output folder (default: results/calibrate-WORLD-TIME)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace --out if it is a results folder zonesim made (never any other folder)")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.analysis import calibrate as C

    world = load_world(args.world)
    path = resolve(args.world, WORLDS, "world")
    if not args.no_write and path.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(path, "--world", "can only write fitted values into a YAML world file; use --no-write")
    years = args.years or world.years
    seeds = derive_seeds(args.seed, args.seeds)
    out = args.out or default_out("calibrate", world.name)
    # start from the declared defaults of the free parameters (sim/params.py), keep other overrides
    from sim.core.params import Params

    defaults = {p.name: Params.model_fields[p.name].default for p in C.FREE}
    base = world.with_params(**defaults)
    # one executor for the whole calibration (no pool start-up per evaluation)
    with staged_output(out, args.overwrite) as tmp, executor(args.workers) as ex:
        problem = C.model_problem(base, seeds, years, ex)
        fit = C.smm(problem, design=args.design, iterations=args.iterations, seed=args.seed, start=defaults)
        history = pd.DataFrame(problem.history)
        write_table(tmp, "history", history)
        ident = pd.DataFrame()
        if not args.no_identification:
            jac = C.jacobian(problem, fit["theta"], C.PROBES)
            ident = C.identification(jac, list(problem.targets))
            write_table(tmp, "jacobian", jac)
            write_table(tmp, "identification", ident)
        fitted = C.rounded(fit["theta"])
        ok = ident["fitted"] & ident["verdict"].str.match(r"(identified|weakly identified)") if not ident.empty \
            else None
        keep = ident[ok]["parameter"].tolist() if ok is not None else list(fitted)
        store = {k: v for k, v in fitted.items() if k in keep}
        fit["stored"] = store
        fit["not_stored"] = {k: v for k, v in fitted.items() if k not in keep}
        write_json(tmp / "fit.json", fit)
        write_yaml(tmp / "scenario.yaml", {"world": world_dict(world), "years": years})
        write_json(tmp / "manifest.json", manifest(["zonesim", *sys.argv[1:]], kind="calibrate", world=world.name,
                                                  years=years, base_seed=args.seed, seeds=seeds,
                                                  design=args.design, iterations=args.iterations,
                                                  evaluations=fit["evaluations"]))
    print(format_fit(fit, problem, ident))
    if not args.no_write:
        note = (f"fitted: zonesim calibrate --seeds {args.seeds} --design {args.design} --iterations "
                f"{args.iterations} --seed {args.seed} ({date.today().isoformat()}; objective "
                f"{fit['objective']:.3f}; docs/calibration.md)")
        C.write_world_params(path, store, note, drop=[p.name for p in C.FREE])
        print(f"\nwrote fitted values into {path} (params:)")
    print(f"wrote {out}/ (fit.json, history.csv, jacobian.csv, identification.csv, manifest.json)")
    return 0


def format_fit(fit: dict, problem, ident: pd.DataFrame) -> str:
    lines = [f"objective {fit['start_objective']:.3f} (declared defaults) -> {fit['design_best']:.3f} (design) -> "
             f"{fit['objective']:.3f} (fit), {fit['evaluations']} evaluations", "", "moment              target"
             "            fitted model"]
    for m, v in fit["moments"].items():
        t, s = problem.targets[m], problem.scales[m]
        lines.append(f"{m:<18} {t:>8.4f} +/- {s:<8.4f} {v:>10.4f}")
    lines += ["", "parameter                    fitted"]
    for k, v in fit["theta"].items():
        lines.append(f"{k:<28} {v:.4g}" + ("" if k in fit.get("stored", fit["theta"]) else "  (not stored)"))
    if not ident.empty:
        lines += ["", "identification (strength = largest moment move over the range, in tolerance half-widths)"]
        for r in ident.to_dict("records"):
            lines.append(f"  {r['parameter']:<26} {'fitted' if r['fitted'] else 'probe ':<7} "
                         f"{r['strength']:7.2f}  {r['main_moment']:<14} {r['verdict']}")
    return "\n".join(lines)
