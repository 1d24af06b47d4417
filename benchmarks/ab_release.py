"""A loop of released runs, as a user writes one, at two revisions in fresh processes, alternated
(issue 19, docs/performance.md, forty-eighth session).

    python benchmarks/ab_release.py --base REV [--handles eager] [--world guangxi] [--runs 8] [--pairs 3]

Each side is a new Python process (the collector's freezes are process-wide) with ``PYTHONPATH`` at
the base's ``sim`` and ``scenarios`` (``git archive``) or at this checkout. It builds the world once,
then runs ``--runs`` models in a loop, each timed whole: ``ZoneModel(...)`` with ``--handles``, its
``--years``, ``results()`` and ``sim.experiments.runner.release`` (the next model is built while the
loop's variable still holds the last one, as in ``for s in seeds: m = ZoneModel(...)``), after two
untimed runs. It prints the loop's milliseconds a run (its time over its runs: a mean, not a median, since
a release walks the heap only every eighth time, ``sim.core.memory.THAW_EVERY``; with ``--runs`` a multiple
of eight every timed loop holds its share of walks) and the collector's (``gc.callbacks``). One untimed
process a side first (the base's copy compiles its kernels into its own cache). The sides then run in the
order base, this, this, base, ... (``--pairs`` pairs); printed:
each process's figures, each pair's ratio (this / base) and the median ratio; after each pair the plain-Mesa
reference with this checkout's agents a year runs once in a process that imports Mesa only
(``benchmarks/reference.py``), and the median ratios of the reference's run time to each side's are printed
(the issue's ratio, for a loop of released runs). ``bench_model.py`` keeps
every model alive instead (no release): its eager figure leaves out what a release loop pays.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from ab_fixed import unpack_base  # noqa: E402
from reference import positive  # noqa: E402  (a whole number >= 1, else one line and exit 2)

CHILD = """
import gc, os, statistics, sys, time
os.environ.setdefault("ZONESIM_KERNELS_AFTER", "0")
from sim.core import kernels
from sim.experiments.runner import release
from sim.model.zonemodel import ZoneModel
from sim.scenario.world import load_world

world_name, handles, runs, years = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
kernels.enable()
world = load_world(world_name)
spent = [0.0, 0.0]

def clock(phase, info):
    if phase == "start":
        spent[1] = time.perf_counter()
    else:
        spent[0] += time.perf_counter() - spent[1]

gc.callbacks.append(clock)
wall, in_gc, agents = [], [], []
m = None
for i in range(runs + 2):
    spent[0] = 0.0
    steps = 0
    t = time.perf_counter()
    m = ZoneModel(world=world, rng=100 + i, agent_handles=handles)
    for _ in range(years):
        steps += m.firms.n + m.talent.n + m.zones.n
        m.step()
    m.results()
    release(m)
    if i >= 2:
        wall.append(time.perf_counter() - t)
        in_gc.append(spent[0])
        agents.append(steps / years)
print(f"{statistics.fmean(wall) * 1e3:.1f} {statistics.fmean(in_gc) * 1e3:.1f} {statistics.median(agents):.0f}")
"""


def one_side(path: Path, world: str, handles: str, runs: int, years: int) -> tuple[float, float, int]:
    env = dict(os.environ, PYTHONPATH=str(path))
    out = subprocess.run([sys.executable, "-c", CHILD, world, handles, str(runs), str(years)], env=env, cwd=path,
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "the run failed")
    wall, in_gc, agents = out.stdout.split()
    return float(wall), float(in_gc), int(agents)


def reference_ms(agents: int, years: int) -> float:
    """The plain-Mesa reference (``benchmarks/reference.py``) with ``agents`` agents for ``years`` steps, in
    a process that imports Mesa only: milliseconds of one run."""
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "reference.py"), str(agents), str(years), "1"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["times"][0] * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="git revision to compare with (e.g. main, a commit)")
    ap.add_argument("--world", default="guangxi")
    ap.add_argument("--handles", choices=("eager", "lazy"), default="eager")
    ap.add_argument("--runs", type=positive, default=8)
    ap.add_argument("--years", type=positive, default=20)
    ap.add_argument("--pairs", type=positive, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        try:
            unpack_base(args.base, base, rename=False)
        except Exception as exc:  # noqa: BLE001 - git's own message, one line
            ap.error(f"--base {args.base}: not a revision here ({str(exc).splitlines()[0]})")
        sides = {"base": base, "this": ROOT}
        try:  # untimed warm-ups: the base's copy compiles its kernels into its own cache; a bad world fails here
            for path in sides.values():
                one_side(path, args.world, args.handles, 1, 2)
        except RuntimeError as exc:
            ap.error(f"--world {args.world}: {exc}")
        print(f"{args.world}, {args.handles} handles, {args.years} years, a loop of {args.runs} released runs a "
              f"process (ms a run: the loop's time over its runs; of it in the collector), base {args.base} against "
              "this checkout")
        ratios, to_ref = [], {"base": [], "this": []}
        for p in range(args.pairs):
            order = ("base", "this") if p % 2 == 0 else ("this", "base")
            got = {side: one_side(sides[side], args.world, args.handles, args.runs, args.years) for side in order}
            ratios.append(got["this"][0] / got["base"][0])
            ref = reference_ms(got["this"][2], args.years)
            for side in to_ref:
                to_ref[side].append(ref / got[side][0])
            print(f"  pair {p + 1}: base {got['base'][0]:7.1f} ms ({got['base'][1]:6.1f} collector)   "
                  f"this {got['this'][0]:7.1f} ms ({got['this'][1]:6.1f} collector)   ratio {ratios[-1]:.3f}   "
                  f"reference {ref:7.1f} ms ({got['this'][2]:,} agents)")
        print(f"RATIO this / base, median of {args.pairs} pairs: {statistics.median(ratios):.3f}")
        print(f"against plain Mesa (benchmarks/reference.py, a process of its own, after each pair), median: this "
              f"{statistics.median(to_ref['this']):.2f}x, base {statistics.median(to_ref['base']):.2f}x")


if __name__ == "__main__":
    main()
