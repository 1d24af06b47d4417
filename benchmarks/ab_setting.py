"""A process-wide setting of zonesim on / off: runs in fresh processes, the two settings alternating.

Usage:
    python benchmarks/ab_setting.py --setting hugepages [--world synthetic:40,850000,7500000] [--years 20]
                                    [--runs 1] [--repeats 3]
    python benchmarks/ab_setting.py --setting gc-freeze [--world guangxi] [--runs 30] [--repeats 3]
    python benchmarks/ab_setting.py --setting wide-vectors [--world guangxi] [--runs 16] [--repeats 4]

The settings (``sim.core.memory``, applied once per process when it builds its first model):

* ``hugepages``: zonesim switches numpy's ``madvise(MADV_HUGEPAGE)`` for arrays of 4 MiB and more
  off (``no_huge_page_advice``) unless ``NUMPY_MADVISE_HUGEPAGE`` is set, so
  ``NUMPY_MADVISE_HUGEPAGE=1`` gives numpy's default back ("on" below is the default's setting:
  numpy's advice, i.e. zonesim's step off).
* ``gc-freeze``: zonesim moves the objects alive at the first model into the collector's permanent
  generation (``freeze_long_lived``) unless ``ZONESIM_GC_FREEZE=0``; its effect shows in a loop of
  runs, as a study worker makes them (``--runs``): a full collection walked every object of the
  imported modules.
* ``wide-vectors``: zonesim asks LLVM for 512-bit vectors in its maths loops only
  (``sim.core.pmath_k.wide_vectors``), keeping LLVM's default for the CPU elsewhere (256 bits on
  Intel's AVX-512 CPUs); "off" compiles every kernel with 512-bit vectors (numba's
  ``NUMBA_CPU_FEATURES``: this machine's features with ``-prefer-256-bit``; another cache, so
  the first process of that side compiles its kernels before it times). Only on a CPU with AVX-512.

The settings are process-wide, so the two cannot share a process: each side is a new process (the
compiled kernels loaded and a small model run before timing, as bench_scaling's ``--kernels on``),
which runs ``--runs`` lazy runs of the world one after the other (each released, as a study does),
timed inside it: wall, user and system seconds of the builds and of the years, and the seconds the
cyclic collector took (``gc.callbacks``). Prints each pair and the medians of the ratios
(zonesim's step / without it); checks that both give the same results tables (they must: memory
only). ``hugepages``' default world is bench_scaling's 1M-agent world (~850k firms), ``gc-freeze``'s
the default Guangxi world.
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
import gc, hashlib, json, resource, sys, time
import sim.core.kernels as K
K.enable()
from sim.experiments.runner import release
from sim.model.zonemodel import ZoneModel
from sim.scenario.world import load_world
world, years, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
warm = ZoneModel(world=load_world("synthetic:6,1500,3000"), rng=99, agent_handles="lazy")
for _ in range(2):
    warm.step()
release(warm)
w = load_world(world)
collector = [0.0, 0.0]
def timer(phase, info):
    if phase == "start":
        collector[1] = time.perf_counter()
    else:
        collector[0] += time.perf_counter() - collector[1]
gc.callbacks.append(timer)
def usage():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), r.ru_utime, r.ru_stime
build, steps, digest = [0.0] * 3, [0.0] * 3, hashlib.sha256()
for run in range(runs):
    a = usage()
    m = ZoneModel(world=w, rng=1 + run, agent_handles="lazy")
    b = usage()
    for _ in range(years):
        m.step()
    c = usage()
    digest.update(m.results().to_csv(index=False).encode())
    release(m)
    del m
    for i in range(3):
        build[i] += b[i] - a[i]
        steps[i] += c[i] - b[i]
print(json.dumps({"build": build, "years": steps, "gc": collector[0], "digest": digest.hexdigest()[:16]}))
"""

SETTINGS = {  # name: (what "on" is, the environment of a process with zonesim's step on / off)
    "hugepages": ("numpy's huge-page advice off", {}, {"NUMPY_MADVISE_HUGEPAGE": "1"}),
    "gc-freeze": ("long-lived objects frozen", {}, {"ZONESIM_GC_FREEZE": "0"}),
    "wide-vectors": ("512-bit vectors in the maths loops only, not in every kernel", {},
                     {"NUMBA_CPU_FEATURES": lambda: _host_features() + ",-prefer-256-bit"}),
}
CLEARED = ("NUMPY_MADVISE_HUGEPAGE", "ZONESIM_GC_FREEZE", "NUMBA_CPU_FEATURES")
DEFAULT_WORLD = {"hugepages": "synthetic:40,850000,7500000", "gc-freeze": "guangxi", "wide-vectors": "guangxi"}
DEFAULT_RUNS = {"hugepages": 1, "gc-freeze": 30, "wide-vectors": 16}


def _host_features() -> str:
    """This CPU's features as LLVM names them (numba's own default for its kernels)."""
    import llvmlite.binding as ll

    ll.initialize_native_target()
    return ll.get_host_cpu_features().flatten()


def one(setting: str, world: str, years: int, runs: int, step_on: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update({k: (v() if callable(v) else v) for k, v in SETTINGS[setting][1 if step_on else 2].items()})
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", CHILD, world, str(years), str(runs)], env=env, capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:  # e.g. a world that does not load: its last line, not a traceback
        last = (out.stderr.strip().splitlines() or ["(no message)"])[-1]
        print(f"{Path(sys.argv[0]).name}: --world {world!r}: the run failed: {last}", file=sys.stderr)
        sys.exit(2)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None, setting: str | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    if setting is None:
        ap.add_argument("--setting", required=True, choices=sorted(SETTINGS))
    ap.add_argument("--world", default=None, help="default: the setting's (see the module's help)")
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--runs", type=int, default=None, help="runs in a row in each process (default: the setting's)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    setting = setting or args.setting
    world = args.world or DEFAULT_WORLD[setting]
    runs = DEFAULT_RUNS[setting] if args.runs is None else args.runs
    if args.repeats < 1 or args.years < 1 or runs < 1:
        ap.error("--repeats, --years and --runs must be at least 1")
    if setting == "wide-vectors" and "+avx512f" not in _host_features().split(","):
        print(f"{Path(sys.argv[0]).name}: --setting wide-vectors: this CPU has no AVX-512, so both sides are "
              "the same", file=sys.stderr)
        sys.exit(2)
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    what = SETTINGS[setting][0]
    print(f"setting {setting} ({what}); world {world}, {runs} run(s) of {args.years} years a process, "
          f"{args.repeats} pairs; load average {load:.2f} at the start")
    ratios: dict[str, list[float]] = {"whole (wall)": [], "build (wall)": [], "years (wall)": []}
    digests = set()
    for r in range(args.repeats):
        pair = {}
        for step_on in ((False, True) if r % 2 == 0 else (True, False)):
            pair[step_on] = one(setting, world, args.years, runs, step_on)
            digests.add(pair[step_on]["digest"])
        on, off = pair[True], pair[False]
        w_on, w_off = on["build"][0] + on["years"][0], off["build"][0] + off["years"][0]
        ratios["whole (wall)"].append(w_on / w_off)
        ratios["build (wall)"].append(on["build"][0] / off["build"][0])
        ratios["years (wall)"].append(on["years"][0] / off["years"][0])
        for label, side in (("without", off), ("with   ", on)):
            print(f"  pair {r + 1} {label}: build {side['build'][0]:.2f} s (sys {side['build'][2]:.2f}), "
                  f"years {side['years'][0]:.2f} s (sys {side['years'][2]:.2f}), collector {side['gc']:.3f} s")
    print(f"time with zonesim's step ({what}) / without it (median of the pairs; lower is faster):")
    for name, values in ratios.items():
        print(f"  {name}: {statistics.median(values):.3f} ({', '.join(f'{v:.3f}' for v in values)})")
    print("results tables: " + ("identical" if len(digests) == 1 else f"DIFFERENT ({len(digests)} digests)"))
    if len(digests) != 1:
        sys.exit(1)


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
