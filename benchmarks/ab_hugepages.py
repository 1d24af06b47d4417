"""numpy's huge-page advice on / off: one world's run in fresh processes, the two settings alternating.

Usage:
    python benchmarks/ab_hugepages.py [--world synthetic:40,850000,7500000] [--years 20] [--repeats 3]

zonesim switches numpy's ``madvise(MADV_HUGEPAGE)`` for arrays of 4 MiB and more off in its
processes (``sim.core.memory.no_huge_page_advice``) unless ``NUMPY_MADVISE_HUGEPAGE`` is set, so
``NUMPY_MADVISE_HUGEPAGE=1`` gives numpy's default back. The setting is process-wide, so the two
cannot share a process: each run is a new process (the compiled kernels loaded and a small model
run before timing, as bench_scaling's ``--kernels on``), timed inside it: wall, user and system
seconds of the build and of the years. Prints each pair and the medians of the ratios off / on;
checks that both settings give the same results table (they must: memory placement only).
The default world is bench_scaling's 1M-agent world (~850k firms).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import hashlib, json, resource, sys, time
import sim.core.kernels as K
K.enable()
from sim.experiments.runner import release
from sim.model.zonemodel import ZoneModel
from sim.scenario.world import load_world
world, years = sys.argv[1], int(sys.argv[2])
warm = ZoneModel(world=load_world("synthetic:6,1500,3000"), rng=99, agent_handles="lazy")
for _ in range(2):
    warm.step()
release(warm)
w = load_world(world)
def usage():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), r.ru_utime, r.ru_stime
a = usage()
m = ZoneModel(world=w, rng=1, agent_handles="lazy")
b = usage()
for _ in range(years):
    m.step()
df = m.results()
c = usage()
digest = hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()[:16]
print(json.dumps({"build": [b[i] - a[i] for i in range(3)], "years": [c[i] - b[i] for i in range(3)], "digest": digest}))
"""


def one(world: str, years: int, advice: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if advice:
        env["NUMPY_MADVISE_HUGEPAGE"] = "1"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", CHILD, world, str(years)], env=env, capture_output=True, text=True)
    if out.returncode != 0:  # e.g. a world that does not load: its last line, not a traceback
        last = (out.stderr.strip().splitlines() or ["(no message)"])[-1]
        print(f"ab_hugepages.py: --world {world!r}: the run failed: {last}", file=sys.stderr)
        sys.exit(2)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", default="synthetic:40,850000,7500000")
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if args.repeats < 1 or args.years < 1:
        ap.error("--repeats and --years must be at least 1")
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    print(f"world {args.world}, {args.years} years, {args.repeats} pairs; load average {load:.2f} at the start")
    ratios: dict[str, list[float]] = {"whole (wall)": [], "build (wall)": [], "years (wall)": []}
    digests = set()
    for r in range(args.repeats):
        pair = {}
        for advice in ((True, False) if r % 2 == 0 else (False, True)):
            pair[advice] = one(args.world, args.years, advice)
            digests.add(pair[advice]["digest"])
        on, off = pair[True], pair[False]
        w_on, w_off = on["build"][0] + on["years"][0], off["build"][0] + off["years"][0]
        ratios["whole (wall)"].append(w_off / w_on)
        ratios["build (wall)"].append(off["build"][0] / on["build"][0])
        ratios["years (wall)"].append(off["years"][0] / on["years"][0])
        print(f"  pair {r + 1}: advice on  build {on['build'][0]:.2f} s (sys {on['build'][2]:.2f}), "
              f"years {on['years'][0]:.2f} s (sys {on['years'][2]:.2f})")
        print(f"          advice off build {off['build'][0]:.2f} s (sys {off['build'][2]:.2f}), "
              f"years {off['years'][0]:.2f} s (sys {off['years'][2]:.2f})")
    print("time with the advice off / on (median of the pairs; lower is faster):")
    for name, values in ratios.items():
        print(f"  {name}: {statistics.median(values):.3f} ({', '.join(f'{v:.3f}' for v in values)})")
    print("results tables: " + ("identical" if len(digests) == 1 else f"DIFFERENT ({len(digests)} digests)"))
    if len(digests) != 1:
        sys.exit(1)


if __name__ == "__main__":
    main()
