"""numpy's own SIMD functions against the C library's: their speed, a study row's time, and the results.

    python benchmarks/bench_maths.py functions          # per-number cost of exp, log, log1p, power
    python benchmarks/bench_maths.py rows [--rows 200] [--rounds 3]
    python benchmarks/bench_maths.py tables [--years 20] [--seeds 3]

On an x86-64 CPU with AVX-512 numpy computes float64 exp, log, log1p and power with its own SIMD
loops; elsewhere, and in a process started with numpy's switch ``NPY_DISABLE_CPU_FEATURES`` (the value
``sim.core.maths.NPY_SWITCH`` names), with the C library's, which is what numba's compiled code calls.
Each part runs child processes both ways and prints ratios (docs/performance.md, twenty-ninth session):

* ``functions``: ns a number of each function over 20,000 numbers (best of 7 x 300 calls after 300) with the
  switch over without;
* ``rows``: the Sobol benchmark study's first ``--rows`` rows (``run_one`` in a loop after 3 warm-up
  runs, as a worker runs them) today, with the switch and the fused kernels kept off, and with the switch
  and the fused kernels on (which compute the functions inside compiled loops), ``--rounds`` interleaved
  rounds;
* ``tables``: the Guangxi world, packages baseline and guangxi-23, seeds 1..``--seeds``, ``--years``
  years, with and without the switch: the share of cells equal bit for bit, the largest relative
  difference, and the last year's region output, firms and talent apart. What a CPU without AVX-512
  computes with the same C library is what the switch computes here.

On a machine where numpy uses the C library already there is nothing to compare: one line, exit 0.

Since the thirty-second session the model computes these functions itself (``sim.core.pmath``), so
``tables`` compares two runs of the same arithmetic: every cell should be equal (the check that numpy's
dispatch no longer reaches the results), and ``rows`` measures numpy's switch on the rest of a row.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from reference import positive  # a whole number >= 1, else one line and exit 2

FUNCTIONS = ("exp", "log", "log1p", "power")


def child(args: list[str], switched: bool) -> dict:
    """Run this script's ``child`` part in a new process (numpy reads the switch at import) and
    return the JSON it prints last."""
    from sim.core.maths import switched_env

    out = subprocess.run([sys.executable, __file__, "child", *args], capture_output=True, text=True, check=True,
                         env=switched_env() if switched else None, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


# ---------------------------------------------------------------------------- the child's parts
def _functions() -> dict:
    import numpy as np

    rng = np.random.default_rng(1)
    n = 20_000
    x, y = rng.uniform(-3, 3, n), rng.uniform(0.1, 50, n)
    calls = {"exp": lambda: np.exp(x), "log": lambda: np.log(y), "log1p": lambda: np.log1p(y),
             "power": lambda: np.power(y, -0.3), "multiply": lambda: x * y}
    out = {}
    for name, f in calls.items():
        for _ in range(300):  # warm: the allocator's pages and the caches, before any timing
            f()
        best = float("inf")
        for _ in range(7):
            t0 = time.perf_counter()
            for _ in range(300):
                f()
            best = min(best, (time.perf_counter() - t0) / 300)
        out[name] = best / n * 1e9
    return out


def _rows(n: int, fused_on: bool) -> dict:
    import sim.core.fused as fused

    if not fused_on:  # with the switch the fused kernels turn on by themselves: kept off for this way
        fused._STATE["arith"] = False
    from bench_sobol import STUDY
    from sim.experiments.runner import chunks_of, run_one, simulate
    from sim.experiments.study import load_study

    study = load_study(STUDY)
    runs = study.runs().iloc[:n].reset_index(drop=True)
    ctx = study.context()
    specs = [s for chunk in chunks_of(runs, len(runs) + 1, list(ctx.factors)).values() for s in chunk]
    for i in range(3):
        simulate(ctx.world, ctx.package, None, 1000 + i, ctx.years, spinup_cache=False)
    t0 = time.perf_counter()
    for s in specs:
        run_one(ctx, s)
    return {"ms": (time.perf_counter() - t0) / len(specs) * 1e3, "fused": fused.available()}


def _tables(years: int, seeds: int, path: str) -> dict:
    import pandas as pd

    from sim.experiments.runner import simulate
    from sim.scenario.packages import load_package
    from sim.scenario.world import load_world

    frames = []
    for pkg in ("baseline", "guangxi-23"):
        for seed in range(1, seeds + 1):
            df = simulate(load_world("guangxi"), load_package(pkg), None, seed, years, spinup_cache=False)
            frames.append(df.assign(package=pkg, seed=seed))
    pd.concat(frames, ignore_index=True).to_pickle(path)
    return {"path": path}


# ---------------------------------------------------------------------------- comparisons
def compare_tables(a, b) -> list[dict]:
    """Per (package, seed) of two tables with the same rows in the same order: the share of numeric cells
    equal bit for bit (NaN equal to NaN), the largest relative difference, and the last year's region
    output, firms and talent apart (relative)."""
    import numpy as np

    num = [c for c in a.columns if a[c].dtype.kind in "fi" and c not in ("seed", "step", "year")]
    out = []
    for (pkg, seed), g in a.groupby(["package", "seed"], sort=False):
        h = b[(b["package"] == pkg) & (b["seed"] == seed)]
        if len(h) != len(g):
            raise ValueError(f"{pkg} seed {seed}: {len(g)} rows against {len(h)}")
        x, y = g[num].to_numpy(float), h[num].to_numpy(float)
        same = (x == y) | (np.isnan(x) & np.isnan(y))
        scale = np.maximum(np.abs(x), np.abs(y))
        rel = np.where(same | (scale == 0), 0.0, np.abs(x - y) / np.where(scale == 0, 1.0, scale))
        row = {"package": pkg, "seed": int(seed), "identical": float(same.mean()), "max_rel": float(np.nanmax(rel))}
        at = (g["year"] == g["year"].max()).to_numpy() & (g["zone"] == "region").to_numpy()
        for col in ("output", "firms", "talent"):
            xa, yb = float(g.loc[at, col].sum()), float(h.loc[at, col].sum())
            row[col] = abs(xa - yb) / abs(xa) if xa else 0.0
        out.append(row)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="bench_maths.py", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="part", required=True)
    sub.add_parser("functions", help="per-number cost of the functions, with the switch over without")
    r = sub.add_parser("rows", help="a Sobol study row's time three ways")
    r.add_argument("--rows", type=positive, default=200)
    r.add_argument("--rounds", type=positive, default=3)
    t = sub.add_parser("tables", help="results with and without the switch")
    t.add_argument("--years", type=positive, default=20)
    t.add_argument("--seeds", type=positive, default=3)
    c = sub.add_parser("child")
    c.add_argument("what")
    c.add_argument("rest", nargs="*")
    args = ap.parse_args(argv)

    if args.part == "child":
        if args.what == "functions":
            res = _functions()
        elif args.what == "rows":
            res = _rows(int(args.rest[0]), args.rest[1] == "fused")
        else:
            res = _tables(int(args.rest[0]), int(args.rest[1]), args.rest[2])
        print(json.dumps(res))
        return

    from sim.core.maths import simd_maths

    if not simd_maths():
        print("numpy uses the C library's functions here already (no AVX-512 loops): nothing to compare")
        return
    from machine import watched

    watched(_parent, args)


def _parent(args: argparse.Namespace) -> None:
    if args.part == "functions":
        simd, libm = child(["functions"], False), child(["functions"], True)
        for name in (*FUNCTIONS, "multiply"):
            print(f"  {name:9s} the C library's / numpy's own: {libm[name] / simd[name]:5.2f}x")
    elif args.part == "rows":
        ways = (("today (numpy's AVX-512 functions, arithmetic kernels)", False, "arith"),
                ("numpy with the C library's functions", True, "arith"),
                ("the same and the fused kernels", True, "fused"))
        got: dict[str, list[float]] = {w[0]: [] for w in ways}
        for _ in range(args.rounds):
            for label, switched, mode in ways:
                res = child(["rows", str(args.rows), mode], switched)
                if res["fused"] != (mode == "fused"):  # the comparison would not be what it says
                    raise SystemExit(f"bench_maths.py: the fused kernels were {'on' if res['fused'] else 'off'} "
                                     f"in '{label}'")
                got[label].append(res["ms"])
        base = statistics.median(got[ways[0][0]])
        print(f"the Sobol study's first {args.rows} rows, {args.rounds} interleaved rounds, medians against today:")
        for label, _, _ in ways:
            print(f"  {label:55s} {statistics.median(got[label]) / base:5.2f}x")
    else:
        import tempfile

        import pandas as pd

        with tempfile.TemporaryDirectory() as tmp:
            paths = [str(Path(tmp) / f"{k}.pkl") for k in ("simd", "libm")]
            for p, switched in zip(paths, (False, True)):
                child(["tables", str(args.years), str(args.seeds), p], switched)
            rows = compare_tables(pd.read_pickle(paths[0]), pd.read_pickle(paths[1]))
        print(f"{args.years} years, with the switch against without (relative differences):")
        for r in rows:
            print(f"  {r['package']:11s} seed {r['seed']}: {r['identical']:6.1%} of cells bit for bit, largest "
                  f"{r['max_rel']:.1e}; last year's region output {r['output']:.1e}, firms {r['firms']:.1e}, "
                  f"talent {r['talent']:.1e}")


if __name__ == "__main__":
    main()
