"""Two revisions of the model in one process, interleaved, with the plain-Mesa reference: what a
change to the fixed cost per year gained (issue 19, docs/performance.md).

    python benchmarks/ab_fixed.py --base REV [--world synthetic:14,8500,75000] [--package baseline]
                                  [--repeats 5] [--years 20] [--kernels] [--handles lazy|eager]

The base revision's ``sim`` package (``git archive REV sim scenarios``) is unpacked into a
temporary directory and renamed ``simbase`` (its absolute imports rewritten), and this checkout's
working tree is copied the same way as ``simthis``, so both versions run in the same process and
in the same way (both imported from a temporary folder, both compiled in the process; with this
checkout imported in place and its numba kernels loaded from its cache, identical code on both sides
timed 0.979-0.990 in its favour: docs/performance.md, forty-first session). Every repeat times the base,
this checkout and the reference back to
back on the same seed (the order alternating), and checks that both results tables are identical
to the last bit (``%.17g``). Prints median seconds (build, per year, results table), the ratio of
each to the reference, and the median of the paired time ratios (this checkout / base).
``--handles eager`` times both with a Mesa agent for every firm, cohort and zone (``ZoneModel``'s
default; lazy, what runs and studies use, by default).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_model import time_reference


def unpack_base(rev: str, into: Path, rename: bool = True) -> None:
    """``sim`` and ``scenarios`` of ``rev``, with the package renamed ``simbase`` (to import both in
    one process; ``rename=False`` keeps ``sim``, for a process of its own: ab_command.py)."""
    tar = into / "base.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(tar), rev, "sim", "scenarios"], check=True)
    with tarfile.open(tar) as tf:
        tf.extractall(into, filter="data")
    tar.unlink()
    if rename:
        _rename(into, "simbase")


def copy_this(into: Path) -> None:
    """This checkout's working tree (``sim`` and ``scenarios``, uncommitted changes included, no
    caches) as the package ``simthis``: imported and compiled as the base is."""
    skip = shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc")
    shutil.copytree(ROOT / "sim", into / "sim", ignore=skip)
    shutil.copytree(ROOT / "scenarios", into / "scenarios", ignore=skip)
    _rename(into, "simthis")


def _rename(into: Path, name: str) -> None:
    """``into/sim`` renamed ``name``, its absolute imports of ``sim`` rewritten."""
    (into / "sim").rename(into / name)
    pattern = re.compile(r"\b(from|import) sim(?=[.\s])|([\"'])sim\.")
    for path in (into / name).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        path.write_text(pattern.sub(lambda m: f"{m.group(1)} {name}" if m.group(1) else f"{m.group(2)}{name}.", text),
                        encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="git revision to compare with (e.g. main, a commit)")
    ap.add_argument("--world", default="synthetic:14,8500,75000", help="bench_scaling.py's 10k world by default")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--package", default="baseline",
                    help="measure package (scenarios/packages); its levers run in both versions (default baseline)")
    ap.add_argument("--kernels", action="store_true",
                    help="numba kernels on in both versions before timing (a study worker's steady state)")
    ap.add_argument("--handles", choices=("lazy", "eager"), default="lazy",
                    help="agent handles of both versions (default lazy: what runs and studies use)")
    args = ap.parse_args()
    from sim.core.errors import InputError
    from sim.scenario.packages import load_package

    try:  # this checkout's list of packages: a bad name is one line, exit 2, before anything is unpacked
        load_package(args.package)
    except InputError as e:
        ap.error(f"--package: {e}")
    tmp, tmp_this = tempfile.TemporaryDirectory(), tempfile.TemporaryDirectory()
    unpack_base(args.base, Path(tmp.name))
    copy_this(Path(tmp_this.name))
    sys.path.insert(0, tmp.name)
    sys.path.insert(0, tmp_this.name)
    from simbase.model.zonemodel import ZoneModel as Base
    from simbase.scenario.packages import load_package as package_base
    from simbase.scenario.world import load_world as load_base
    from simthis.model.zonemodel import ZoneModel as New
    from simthis.scenario.packages import load_package as package_new
    from simthis.scenario.world import load_world as load_new
    if args.kernels:
        import simbase.core.kernels
        import simthis.core.kernels

        simbase.core.kernels.enable()
        simthis.core.kernels.enable()

    import simbase.model.zonemodel
    import simthis.model.zonemodel

    import sim.core.memory

    # one collector freeze for the process: each copy of sim/core/memory.py would freeze on its own
    # and the first would leave the other's eager models unfrozen (the freeze is process-wide)
    simbase.model.zonemodel.no_cycle_collection = sim.core.memory.no_cycle_collection
    simthis.model.zonemodel.no_cycle_collection = sim.core.memory.no_cycle_collection
    models = {"base": (Base, load_base(args.world), package_base(args.package)),
              "this": (New, load_new(args.world), package_new(args.package))}

    def run(kind: str, seed: int, years: int) -> tuple[tuple[float, ...], int, str]:
        model_cls, world, package = models[kind]
        t0 = time.perf_counter()
        m = model_cls(world=world, levers=package.build(), rng=seed, agent_handles=args.handles)
        t1 = time.perf_counter()
        agents = 0
        for _ in range(years):
            agents += m.firms.n + m.talent.n + m.zones.n
            m.step()
        t2 = time.perf_counter()
        df = m.results()
        t3 = time.perf_counter()
        return (t1 - t0, t2 - t1, t3 - t2, t3 - t0), agents, df.to_csv(index=False, float_format="%.17g")

    for kind in models:
        run(kind, 0, 2)  # warm-up: imports, caches
    times: dict[str, list[tuple[float, ...]]] = {k: [] for k in models}
    refs, paired = [], []
    agents = 0
    for r in range(args.repeats):
        tables = {}
        for kind in (("base", "this") if r % 2 == 0 else ("this", "base")):
            t, agents, tables[kind] = run(kind, 100 + r, args.years)
            times[kind].append(t)
        assert tables["base"] == tables["this"], f"seed {100 + r}: the results tables differ"
        paired.append(times["this"][-1][3] / times["base"][-1][3])
        refs.append(time_reference(round(agents / args.years), args.years, 100 + r)[0])
    ref = statistics.median(refs)
    print(f"{args.world}, package {args.package}, {args.handles} handles, {args.years} years, median of {args.repeats} interleaved repeats, load average "
          f"{os.getloadavg()[0]:.1f}; results tables identical (%.17g); plain-Mesa reference "
          f"(~{round(agents / args.years):,} agents) {ref:.3f} s")
    for kind in models:
        build, steps, frame, total = (statistics.median(t[i] for t in times[kind]) for i in range(4))
        label = args.base if kind == "base" else "this checkout"
        print(f"  {label:14s} {total:7.3f} s (build {build:.3f}, {1e3 * steps / args.years:.2f} ms a year, results "
              f"{1e3 * frame:.1f} ms)  ratio to reference {ref / total:.2f}x")
    print(f"  time, this checkout / {args.base} (median of paired repeats): {statistics.median(paired):.3f}")


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
