"""``zonesim validate``: the default world against stylised facts and public figures -> report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.cli.main import positive_int, years_option  # noqa: E402
from sim.present.labels import fmt_number  # noqa: E402
from sim.core.params import Params  # noqa: E402
from sim.experiments.results import default_out, manifest, staged_output, world_dict, write_json, write_table, write_yaml  # noqa: E402
from sim.experiments.runner import default_workers, derive_seeds  # noqa: E402
from sim.scenario.world import DEFAULT_WORLD, load_world  # noqa: E402
from sim.analysis import validate as V  # noqa: E402


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
    p.add_argument("--seed", type=positive_int(0, 2**63 - 1), default=20210, help="base seed (default: %(default)s)")
    p.add_argument("--workers", "-w", type=positive_int(1, 1024), default=None,
                   help="worker processes (default: all cores)")
    p.add_argument("--out", "-o", type=Path, default=None,
                   help="output folder, must be new or empty (default: results/validate-WORLD-TIME)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace --out if it is a results folder zonesim made (never any other folder)")
    p.add_argument("--strict", action="store_true", help="exit with code 1 if any target fails")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.analysis.calibrate import FREE, MOMENTS

    world = load_world(args.world)
    years = args.years or world.years
    seeds = derive_seeds(args.seed, args.seeds)
    workers = args.workers or default_workers()
    out = args.out or default_out("validate", world.name)
    with staged_output(out, args.overwrite) as tmp:
        stats = V.run_stats(world, seeds, years, workers)
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
            status = V.status_experiment(world, [large, small], pseeds, years, workers)
            write_table(tmp, "status_runs", status)
            from sim.policies import REGISTRY

            arms = V.lever_arms(list(REGISTRY))
            levers = V.lever_runs(world, arms, pseeds, years, workers)
            write_table(tmp, "lever_runs", levers)
            policy = pd.concat([V.status_checks(status, small, large), V.lever_checks(levers)], ignore_index=True)
            write_table(tmp, "policy", policy)
        write_table(tmp, "validation", table)
        write_table(tmp, "seeds", stats)
        write_table(tmp, "calibrated_parameters", fitted)
        rec = V.simulate(world, seeds[0], years)
        validation_chart(table, stats, tmp / "validation.png")
        firm_size_chart(rec, tmp / "firm_sizes.png")
        if not policy.empty:
            policy_chart(policy, tmp / "policy.png")
        (tmp / "report.md").write_text(report_md(world, table, fitted, policy, len(seeds), args.policy_seeds,
                                                 years), encoding="utf-8")
        write_yaml(tmp / "scenario.yaml", {"world": world_dict(world), "package": None, "years": years})
        write_json(tmp / "manifest.json", manifest(["zonesim", *sys.argv[1:]], kind="validate", world=world.name,
                                                  years=years, base_seed=args.seed, seeds=seeds, workers=workers,
                                                  passed=int(table["pass"].sum()), targets=len(table)))
    print(format_table(table))
    if not policy.empty:
        print("\n" + format_policy(policy))
    print(f"\nwrote {out}/ (report.md, validation.csv, policy.csv, seeds.csv, validation.png, firm_sizes.png, "
          "policy.png, manifest.json)")
    return 1 if args.strict and not table["pass"].all() else 0


# -----------------------------------------------------------------------------------------------
# formatting
# -----------------------------------------------------------------------------------------------
def _interval(lo: float, hi: float) -> str:
    if not np.isfinite(hi):
        return f">= {fmt_number(lo)}"
    if not np.isfinite(lo):
        return f"<= {fmt_number(hi)}"
    return f"[{fmt_number(lo)}, {fmt_number(hi)}]"


def format_table(table: pd.DataFrame) -> str:
    lines = [f"{'statistic':<58} {'model mean [5%, 95%]':>30} {'accepted':>20}  result"]
    lines.append("-" * len(lines[0]))
    for r in table.to_dict("records"):
        model = f"{fmt_number(r['model_mean'])} [{fmt_number(r['model_p05'])}, {fmt_number(r['model_p95'])}]"
        lines.append(f"{r['statistic'][:58]:<58} {model:>30} {_interval(r['lo'], r['hi']):>20}  "
                     f"{'pass' if r['pass'] else 'FAIL'}{' (fitted)' if r.get('calibrated') else ''}")
    n = int(table["pass"].sum())
    lines.append(f"{n} of {len(table)} targets pass")
    return "\n".join(lines)


def format_policy(policy: pd.DataFrame) -> str:
    lines = ["policy responses"]
    for r in policy.to_dict("records"):
        res = _result(r["pass"], r["seeds"])
        lines.append(f"  {r['claim'][:70]:<70} {fmt_number(r['model_mean']):>8}  {r['expect']:<44} {res}")
    return "\n".join(lines)


def _result(ok, seeds: int = 1) -> str:
    if ok is None or (isinstance(ok, float) and np.isnan(ok)):
        return "inconclusive" if seeds else "not checked"
    return "pass" if ok else "DISAGREES"


def report_md(world, table: pd.DataFrame, fitted: pd.DataFrame, policy: pd.DataFrame, n_seeds: int,
              n_policy: int, years: int) -> str:
    L = [f"# Validation of world '{world.name}' ({world.title})", "",
         f"{n_seeds} seeds, {years} years, no levers. A target passes when the model's mean across seeds lies "
         "in the accepted interval; the 5-95% spread across seeds is shown beside it. Rows marked *fitted* are "
         "moments the calibration (`zonesim calibrate`, docs/calibration.md) fitted; the others are out of "
         "sample.", "",
         "| statistic | when | model mean [5%, 95%] | accepted | published figure | source | result |",
         "|---|---|---|---|---|---|---|"]
    for r in table.to_dict("records"):
        L.append(f"| {r['statistic']} | {r['when']} | {fmt_number(r['model_mean'])} [{fmt_number(r['model_p05'])}, "
                 f"{fmt_number(r['model_p95'])}] | {_interval(r['lo'], r['hi'])} | {r['target']} | {r['source']} | "
                 f"{'pass' if r['pass'] else '**FAIL**'}{' (fitted)' if r['calibrated'] else ''} |")
    L += ["", f"**{int(table['pass'].sum())} of {len(table)} targets pass.**", "",
          "![targets](validation.png)", "", "![firm sizes](firm_sizes.png)", "",
          "## Calibrated parameters", "",
          "| parameter | params.py default | value in this world | fitted | moment it is fitted to |", "|---|---|---|---|---|"]
    for r in fitted.to_dict("records"):
        L.append(f"| `{r['parameter']}` | {r['default']} | {r['world_value']} | {'yes' if r['fitted'] else 'no'} "
                 f"| {r['moment']} |")
    if not policy.empty:
        L += ["", "## Policy responses", "",
              f"{n_policy} seeds per arm, common random numbers (each arm uses the same seeds).", "",
              "| claim | source | expected | model mean [5%, 95%] | result | note |", "|---|---|---|---|---|---|"]
        for r in policy.to_dict("records"):
            res = _result(r["pass"], r["seeds"]).replace("DISAGREES", "**disagrees**")
            L.append(f"| {r['claim']} | {r['source']} | {r['expect']} | {fmt_number(r['model_mean'])} "
                     f"[{fmt_number(r['model_p05'])}, {fmt_number(r['model_p95'])}] | {res} | {r['note']} |")
        L += ["", "![policy](policy.png)"]
    L += ["", "Where a row fails or disagrees, docs/validation.md explains why and what would fix it.", ""]
    return "\n".join(L)


# -----------------------------------------------------------------------------------------------
# charts
# -----------------------------------------------------------------------------------------------
def validation_chart(table: pd.DataFrame, stats: pd.DataFrame, path: Path) -> Path:
    """One panel per target: seeds' values (dots), their mean (bar), the accepted interval (band)."""
    n = len(table)
    cols = 5
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.3 * cols, 2.6 * rows), constrained_layout=True)
    for ax, r in zip(axes.flat, table.to_dict("records")):
        v = stats[r["key"]].to_numpy(float)
        lo, hi = r["lo"], r["hi"]
        span = max(hi - lo, abs(hi) * 0.05, 1e-3)
        ax.axhspan(lo, hi if hi > lo else lo + 1e-9, color="tab:green", alpha=0.2, lw=0)
        if hi == lo:
            ax.axhline(lo, color="tab:green", lw=2)
        x = np.random.default_rng(0).uniform(-0.15, 0.15, v.size)
        ax.scatter(x, v, s=10, color="0.3", alpha=0.7)
        ax.hlines(np.nanmean(v), -0.3, 0.3, color="tab:green" if r["pass"] else "tab:red", lw=3)
        ymin = min(np.nanmin(v), lo) - 0.3 * span
        ymax = max(np.nanmax(v), hi) + 0.3 * span
        ax.set_ylim(ymin, ymax)
        ax.set_xlim(-0.5, 0.5)
        ax.set_xticks([])
        ax.set_title(("" if r["pass"] else "FAIL: ") + r["statistic"], fontsize=7.5, wrap=True)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle("Model (dots: seeds; bar: mean) vs accepted interval (green band)", fontsize=11)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def firm_size_chart(rec: V.RunRecord, path: Path) -> Path:
    """Complementary CDF of firm employment at year 0 and at the last year, log-log, with Zipf."""
    fig, ax = plt.subplots(figsize=(6.5, 5), constrained_layout=True)
    for snap, label, color in ((rec.first, "year 0", "tab:blue"), (rec.last, "last year", "tab:orange")):
        x = np.sort(snap.employees)[::-1]
        ccdf = np.arange(1, x.size + 1) / x.size
        ax.loglog(x, ccdf, color=color, lw=1.5, label=f"{label} (Hill {V.hill(x):.2f})")
    x0 = np.median(rec.last.employees) * 3
    xs = np.logspace(np.log10(x0), np.log10(rec.last.employees.max()), 20)
    ax.loglog(xs, 0.2 * (xs / x0) ** -1.0, "k--", lw=1, label="Zipf slope -1")
    ax.set_xlabel("employees")
    ax.set_ylabel("P(size > s)")
    ax.set_title("Firm size distribution")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def policy_chart(policy: pd.DataFrame, path: Path) -> Path:
    p = policy[policy["seeds"] > 0].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.6 * max(len(p), 1) + 1.2), constrained_layout=True)
    y = np.arange(len(p))
    colors = [{"pass": "tab:green", "inconclusive": "tab:gray"}.get(_result(ok), "tab:red") for ok in p["pass"]]
    ax.errorbar(p["model_mean"], y, xerr=[p["model_mean"] - p["model_p05"], p["model_p95"] - p["model_mean"]],
                fmt="none", ecolor="0.5")
    ax.scatter(p["model_mean"], y, c=colors, zorder=3)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([c[:60] for c in p["claim"]], fontsize=8)
    ax.set_title("Policy responses: mean and 5-95% across seeds (green pass, red disagrees, grey inconclusive)",
                 fontsize=9)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
