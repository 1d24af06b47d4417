"""What switching the compiled kernels on costs a process, and what it gains a run.

    python benchmarks/bench_startup.py [--processes 2] [--numpy-runs 4] [--kernel-runs 6] [--years 20]

Each of ``--processes`` fresh Python processes runs default-world runs (``simulate``, no spin-up
cache, a new seed each) on numpy, then switches the kernels on (``kernels.enable()``: numba's
import), then runs on the kernels; it prints the seconds of each. The first run on the kernels pays
for loading their machine code from numba's disk cache (~10 ms a kernel); the later ones are a
study worker's steady state. A last line says whether the process found every kernel it called in
the cache (``NUMBA_DEBUG_CACHE``: no kernel saved again; a kernel compiled in every process, as
production's two were until issue 19's twenty-fourth session, shows here), and how many kernels it
loaded. The pay-back, in runs, is the switch's cost (enable + the first run's extra) over a run's
gain (numpy's median run less the kernels'). Results are the same either way (the kernels give
numpy's numbers). Times are for the record: compare lines of one run, not runs of days.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from reference import positive  # a whole number >= 1, else one line and exit 2

CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
numpy_runs, kernel_runs, years = (int(a) for a in sys.argv[1:4])
from sim.core import kernels
from sim.experiments.runner import simulate
from sim.scenario.world import load_world
world = load_world("guangxi")
def run(seed):
    t = time.perf_counter()
    simulate(world, None, None, seed, years, spinup_cache=False)
    return time.perf_counter() - t
np_runs = [run(100 + s) for s in range(numpy_runs)]
t = time.perf_counter()
on = kernels.enable()
enable = time.perf_counter() - t
k_runs = [run(200 + s) for s in range(kernel_runs)]
print(json.dumps(dict(on=on, numpy=np_runs, enable=enable, kernels=k_runs)))
"""


def one_process(numpy_runs: int, kernel_runs: int, years: int) -> dict:
    env = dict(os.environ, NUMBA_DEBUG_CACHE="1")
    env.pop("ZONESIM_KERNELS_AFTER", None)  # the child switches them on itself, after its numpy runs
    env.pop("ZONESIM_NO_NUMBA", None)
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), str(numpy_runs), str(kernel_runs), str(years)],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode != 0:
        sys.exit(f"bench_startup.py: the child process failed:\n{out.stderr[-2000:]}")
    lines = out.stdout.strip().splitlines()
    got = json.loads(lines[-1])
    debug = [line for line in lines[:-1] if line.startswith("[cache]")]
    got["saved"] = sorted({line.split("__pycache__/")[-1].split("-")[0] for line in debug if "data saved" in line})
    got["loaded"] = sum("data loaded" in line for line in debug)
    return got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--processes", type=positive, default=2, help="fresh processes, one after the other")
    ap.add_argument("--numpy-runs", type=positive, default=4)
    ap.add_argument("--kernel-runs", type=positive, default=6, help="at least 2: the first pays the loading")
    ap.add_argument("--years", type=positive, default=20)
    args = ap.parse_args()
    if args.kernel_runs < 2:
        ap.error("argument --kernel-runs: at least 2 (the first run on the kernels pays their loading)")
    print(f"default world, {args.years} years a run, {args.processes} fresh processes "
          f"({args.numpy_runs} runs on numpy, then the kernels switched on, then {args.kernel_runs} runs)")
    for p in range(args.processes):
        g = one_process(args.numpy_runs, args.kernel_runs, args.years)
        if not g["on"]:
            print("the compiled kernels are off (numba missing or ZONESIM_NO_NUMBA set): nothing to time")
            return
        nmed = statistics.median(g["numpy"])
        kmed = statistics.median(g["kernels"][1:])
        first_extra = g["kernels"][0] - kmed
        gain = nmed - kmed
        payback = f"{(g['enable'] + first_extra) / gain:.1f} runs" if gain > 0 else "never (no gain a run)"
        print(f"process {p + 1}: numpy runs {', '.join(f'{x:.2f}' for x in g['numpy'])} s; enable {g['enable']:.2f} s; "
              f"kernel runs {', '.join(f'{x:.2f}' for x in g['kernels'])} s")
        print(f"  the switch costs {g['enable'] + first_extra:.2f} s (enable {g['enable']:.2f} + the first run's loading "
              f"{first_extra:.2f}); a run gains {gain:.2f} s (median {nmed:.2f} -> {kmed:.2f} s): paid back after "
              f"{payback}")
        saved = ", ".join(g["saved"]) if g["saved"] else "none"
        print(f"  kernels loaded from numba's cache: {g['loaded']}; saved to it again (compiled in this process): {saved}")


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
