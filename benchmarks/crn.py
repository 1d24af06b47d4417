"""What common random numbers buy: pairing of every bundled package with the baseline.

    python benchmarks/crn.py [--seeds 16] [--years 20] [--workers 2] [--pairing both|on|off]

Runs the baseline and every package of ``zonesim compare``'s default set and every bundled
single-measure package (one lever on top of the baseline) on the default world, and prints for
each, from the final year's output (``sim.analysis.pairing``):

* ``corr``: the baseline-package correlation of region output over seeds, and ``zone corr``:
  its median over the zones;
* ``var red``: the variance reduction, (var(baseline) + var(package)) / var(difference);
* ``seeds 2%``: the seeds needed for a 95% interval of +-2% of baseline output on the effect;
* the effect and its interval (% of baseline output).

``--pairing on`` runs every package on the baseline's seeds (what ``zonesim compare`` does);
``off`` runs each package on its own independent seeds (no pairing: the reference); ``both``
(default) runs both and prints them side by side. Targets (issue 14): correlation >= 0.95 for the
default set and >= 0.9 for every single-measure package, median variance reduction >= 10x,
median zone correlation >= 0.9.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.analysis.compare import DEFAULT_PACKAGES  # noqa: E402
from sim.analysis.pairing import MAX_SEEDS, pairing_table, zone_correlations  # noqa: E402
from sim.experiments.runner import Job, derive_seeds, run_job  # noqa: E402
from sim.scenario.packages import load_package  # noqa: E402
from sim.scenario.world import PACKAGES, load_world  # noqa: E402

BASE_SEED = 20210


def package_sets() -> tuple[list[str], list[str]]:
    """compare's default packages, and the other bundled packages with exactly one lever."""
    default = [p for p in DEFAULT_PACKAGES if p != "baseline"]
    single = []
    for path in sorted(PACKAGES.glob("*.yaml")):
        pkg = load_package(path.stem)
        if len(pkg.levers) == 1 and pkg.name not in default:
            single.append(pkg.name)
    return default, single


def one(args: tuple[str, int, int, int, str, dict]) -> pd.DataFrame:
    """One run; keeps the final year's output of the region and every zone."""
    package, seed, replicate, years, label, params = args
    world = load_world("guangxi")
    if params:
        world = world.with_params(**params)
    df = run_job(Job(world, load_package(package), seed, years, replicate))
    last = df[df["year"] == df["year"].max()][["package", "seed", "replicate", "year", "zone", "output"]].copy()
    last["pairing"] = label
    return last


def run_all(packages: list[str], seeds: int, years: int, workers: int, modes: list[str],
            params: dict | None = None) -> pd.DataFrame:
    paired = derive_seeds(BASE_SEED, seeds)
    params = params or {}
    jobs = [("baseline", s, r, years, m, params) for m in modes for r, s in enumerate(paired)]
    for i, pkg in enumerate(packages):
        for m in modes:
            own = paired if m == "on" else derive_seeds(BASE_SEED + 7919 * (i + 1), seeds)  # independent seeds
            jobs += [(pkg, s, r, years, m, params) for r, s in enumerate(own)]
    if "on" in modes and "off" in modes:  # the baseline runs are the same in both modes: run them once
        jobs = [j for j in jobs if not (j[0] == "baseline" and j[4] == "off")]
    with ProcessPoolExecutor(workers) as ex:
        frames = list(ex.map(one, jobs, chunksize=2))
    out = pd.concat(frames, ignore_index=True)
    if "on" in modes and "off" in modes:
        base = out[(out["package"] == "baseline")].copy()
        base["pairing"] = "off"
        out = pd.concat([out, base], ignore_index=True)
    return out


def table(df: pd.DataFrame) -> pd.DataFrame:
    """Pairing statistics per package: region row of pairing_table plus the median zone correlation.
    Runs are matched by replicate (with independent seeds, replicate i of a package is compared
    with replicate i of the baseline, as an unpaired design would)."""
    df = df.assign(seed=df["replicate"])
    reg = pairing_table(df, "baseline", "output")
    zc = zone_correlations(df, "baseline", "output").groupby("package")["correlation"].median()
    reg["zone_corr_median"] = reg["package"].map(zc)
    return reg.set_index("package")


def fmt_seeds(n: float) -> str:
    return f">{MAX_SEEDS:,}" if n >= MAX_SEEDS else f"{int(n):,}"


def stream_share(runs: int = 3, years: int = 20) -> float:
    """Share of a default run's time (build and steps) spent drawing random numbers: every public
    method of ``Streams`` timed from the outside (nested calls counted once). A ratio within one
    process, so machine load cancels to first order."""
    from sim.core.streams import Streams
    from sim.model import ZoneModel

    spent = [0.0]
    depth = [0]
    originals = {}
    for name in ("bits", "uniform", "bernoulli", "normal", "lognormal", "geometric", "poisson", "choice",
                 "integers", "order", "sample_weighted", "gumbel_choice"):
        if not hasattr(Streams, name):
            continue
        fn = getattr(Streams, name)
        originals[name] = fn

        def timed(self, *a, _fn=fn, **k):
            depth[0] += 1
            t = time.perf_counter()
            try:
                return _fn(self, *a, **k)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    spent[0] += time.perf_counter() - t
        setattr(Streams, name, timed)
    try:
        total = 0.0
        for r in range(runs):
            t = time.perf_counter()
            m = ZoneModel(world="guangxi", rng=BASE_SEED + r, agent_handles="lazy")
            for _ in range(years):
                m.step()
            total += time.perf_counter() - t
    finally:
        for name, fn in originals.items():
            setattr(Streams, name, fn)
    return spent[0] / total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cost", action="store_true",
                    help="only measure the share of a default run's time spent drawing random numbers")
    ap.add_argument("--seeds", type=int, default=16)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--pairing", choices=("both", "on", "off"), default="both",
                    help="on: packages on the baseline's seeds; off: independent seeds per package")
    ap.add_argument("--packages", help="comma-separated packages instead of the default and single-measure sets")
    ap.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE",
                    help="parameter override for every run (diagnostics, e.g. relocation_rate=0)")
    ap.add_argument("--out", help="also write the final-year rows here (parquet)")
    ap.add_argument("--load", help="read final-year rows written by --out instead of running")
    args = ap.parse_args()
    if args.cost:
        share = stream_share(years=args.years)
        print(f"share of a default {args.years}-year run (build and steps, 3 runs) spent in the keyed random "
              f"streams: {share:.1%}")
        return
    default, single = package_sets()
    if args.packages:
        chosen = args.packages.split(",")
        default, single = [p for p in chosen if p in default], [p for p in chosen if p not in default]
    modes = ["on", "off"] if args.pairing == "both" else [args.pairing]
    t0 = time.perf_counter()
    if args.load:
        df = pd.read_parquet(args.load)
        modes = [m for m in ("on", "off") if m in set(df["pairing"])]
    else:
        params = {k: float(v) for k, v in (a.split("=", 1) for a in args.set)}
        df = run_all(default + single, args.seeds, args.years, args.workers, modes, params)
        if args.out:
            df.to_parquet(args.out)
    n_seeds = df[df["package"] == "baseline"]["replicate"].nunique()
    print(f"default world, {args.years} years, {n_seeds} seeds per package, final-year output "
          f"({time.perf_counter() - t0:.0f} s)")
    tabs = {m: table(df[df["pairing"] == m]) for m in modes}
    head = f"{'package':24s} {'set':7s}"
    for m in modes:
        tag = "paired" if m == "on" else "independent seeds"
        head += f" | {tag:^46s}"
    print(head)
    sub = f"{'':24s} {'':7s}" + " | corr   zone corr  var red  seeds 2%  effect % +- 95%" * len(modes)
    print(sub)
    for pkg in default + single:
        line = f"{pkg:24s} {'default' if pkg in default else 'single':7s}"
        for m in modes:
            r = tabs[m].loc[pkg]
            vr = f"{r.variance_reduction:7.0f}x" if np.isfinite(r.variance_reduction) else "  (same)"
            line += (f" | {r.correlation:5.3f}  {r.zone_corr_median:8.3f}  {vr}  "
                     f"{fmt_seeds(r.seeds_needed):>8s}  {100 * r.rel_change:+6.2f} +- {100 * r.rel_half_width:5.2f}")
        print(line)
    for m in modes:
        t = tabs[m]
        d, s = t.loc[default], t.loc[[p for p in single if p in t.index]]
        tag = "paired" if m == "on" else "independent seeds"
        print(f"{tag}: correlation min {t.correlation.min():.3f} (default set min {d.correlation.min():.3f}, "
              f"single-measure min {s.correlation.min() if len(s) else np.nan:.3f}); median variance reduction "
              f"{t.variance_reduction.median():.1f}x; median over packages of the median zone correlation "
              f"{t.zone_corr_median.median():.3f}; seeds for +-2%: median {int(t.seeds_needed.median()):,}, "
              f"max {fmt_seeds(t.seeds_needed.max())}")
    if "on" in modes:
        t = tabs["on"]
        d = t.loc[default]
        s = t.loc[[p for p in single if p in t.index]]
        checks = {
            "correlation >= 0.95 for compare's default set": bool((d.correlation >= 0.95).all()),
            "correlation >= 0.9 for every single-measure package": bool((s.correlation >= 0.9).all()),
            "median variance reduction >= 10x": bool(t.variance_reduction.median() >= 10),
            "median zone correlation >= 0.9 (every package)": bool((t.zone_corr_median >= 0.9).all()),
        }
        for what, ok in checks.items():
            print(f"TARGET {'met' if ok else 'MISSED'}: {what}")
        miss = t[(t.correlation < np.where(t.index.isin(default), 0.95, 0.9)) | (t.zone_corr_median < 0.9)]
        if len(miss):
            print("below target: " + ", ".join(f"{p} (corr {r.correlation:.3f}, zones {r.zone_corr_median:.3f})"
                                               for p, r in miss.iterrows()))


if __name__ == "__main__":
    main()
