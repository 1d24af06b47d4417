"""What named functions of the model cost a call inside whole runs, and against another revision
(issue 19, docs/performance.md).

    python benchmarks/bench_calls.py FUNC [FUNC ...] [--base REV] [--world guangxi] [--package baseline]
                                    [--runs 15] [--years 20] [--handles lazy|eager]

``FUNC`` is ``module:name`` or ``module:Class.name`` of the ``sim`` package (for example
``sim.agents.enterprise:entrants`` or ``sim.core.pool:Pool.remove``). Each is wrapped in a timer
(``time.perf_counter`` around the call, nested calls counted in their callers too) and runs of
``--world`` (lazy agent handles unless ``--handles eager``) with the compiled kernels on are timed
whole, ``--runs`` of them after two warm-up runs; printed: the median over the runs of each
function's microseconds a call, its calls a run and its share of the run's time. A step that takes a
few per cent out of one function is then seen there, where a whole run's paired ratio
(``ab_fixed.py``) cannot tell it from the machine's noise.

With ``--base REV`` the revision's ``sim`` (``git archive``, renamed ``simbase``) and this
checkout's working tree (renamed ``simthis``) are imported in one process as ``ab_fixed.py`` does,
their runs interleaved on the same seeds (the order alternating); a function must exist in both.
Printed for each side, and the ratio of the medians (this checkout / base). The wrappers' own cost
(~0.3 us a call) is in both sides alike. Times move with the machine: compare the columns of one run.
A function is replaced in its own module only: a caller that imported it by name (``from m import f``)
still calls the original, and a function no run calls through its module is printed with a note.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ab_fixed import copy_this, unpack_base  # noqa: E402
from reference import positive  # noqa: E402  (a whole number >= 1, else one line and exit 2)


def resolve(pkg: str, spec: str) -> tuple[object, str, Callable]:
    """(owner, attribute, function) of ``module:name`` or ``module:Class.name`` in package ``pkg``
    (``sim`` in ``spec`` replaced by ``pkg``); ValueError with one line if it is not there."""
    mod, sep, name = spec.partition(":")
    if not sep or not (mod == "sim" or mod.startswith("sim.")) or not name:
        raise ValueError(f"{spec!r}: expected module:name or module:Class.name of the sim package")
    try:
        owner: object = importlib.import_module(pkg + mod[3:])
    except ImportError as exc:
        raise ValueError(f"{spec!r}: no module {mod} ({exc})") from None
    *path, attr = name.split(".")
    for part in path:
        owner = getattr(owner, part, None)
        if owner is None:
            raise ValueError(f"{spec!r}: no {part} in {mod}")
    fn = getattr(owner, attr, None)
    if not callable(fn):
        raise ValueError(f"{spec!r}: no function {name} in {mod}")
    return owner, attr, fn


class Timers:
    """Wrappers around the named functions of one package: seconds and calls of each, per run."""

    def __init__(self, pkg: str, specs: list[str]) -> None:
        self.specs = specs
        self.spent = dict.fromkeys(specs, 0.0)
        self.calls = dict.fromkeys(specs, 0)
        for spec in specs:
            owner, attr, fn = resolve(pkg, spec)
            setattr(owner, attr, self._wrap(spec, fn))

    def _wrap(self, spec: str, fn: Callable) -> Callable:
        spent, calls, clock = self.spent, self.calls, time.perf_counter

        def timed(*args, **kwargs):
            t = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[spec] += clock() - t
                calls[spec] += 1

        return timed

    def reset(self) -> None:
        for spec in self.specs:
            self.spent[spec], self.calls[spec] = 0.0, 0


def runner(pkg: str, world_name: str, package: str, years: int, handles: str) -> Callable[[int], float]:
    """A function running one model of ``pkg`` on a seed and returning its seconds (the model's
    release after the clock stops)."""
    kernels = importlib.import_module(f"{pkg}.core.kernels")
    kernels.enable()
    ZoneModel = importlib.import_module(f"{pkg}.model.zonemodel").ZoneModel
    load_package = importlib.import_module(f"{pkg}.scenario.packages").load_package
    release = importlib.import_module(f"{pkg}.experiments.runner").release
    world = importlib.import_module(f"{pkg}.scenario.world").load_world(world_name)
    pack = load_package(package)

    def one(seed: int) -> float:
        t = time.perf_counter()
        m = ZoneModel(world=world, levers=pack.build(), rng=seed, agent_handles=handles)
        m.run(years)
        dt = time.perf_counter() - t
        release(m)
        return dt

    return one


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("funcs", nargs="+", metavar="FUNC", help="module:name or module:Class.name of the sim package")
    ap.add_argument("--base", help="git revision to compare with (e.g. main, a commit)")
    ap.add_argument("--world", default="guangxi")
    ap.add_argument("--package", default="baseline")
    ap.add_argument("--runs", type=positive, default=15)
    ap.add_argument("--years", type=positive, default=20)
    ap.add_argument("--handles", choices=("lazy", "eager"), default="lazy")
    args = ap.parse_args()
    os.environ.setdefault("ZONESIM_KERNELS_AFTER", "0")
    with tempfile.TemporaryDirectory() as tmp:
        sides: list[tuple[str, str]] = [("this checkout", "sim")]
        if args.base:
            base_dir, this_dir = Path(tmp) / "base", Path(tmp) / "this"  # each with its own scenarios
            base_dir.mkdir()
            this_dir.mkdir()
            try:
                unpack_base(args.base, base_dir)
            except Exception as exc:  # noqa: BLE001 - git's own message, one line
                ap.error(f"--base {args.base}: not a revision here ({str(exc).splitlines()[0]})")
            copy_this(this_dir)
            sys.path[:0] = [str(base_dir), str(this_dir)]
            sides = [(args.base, "simbase"), ("this checkout", "simthis")]
        try:
            timers = {pkg: Timers(pkg, args.funcs) for _, pkg in sides}
            runs = {pkg: runner(pkg, args.world, args.package, args.years, args.handles) for _, pkg in sides}
        except ValueError as exc:
            ap.error(str(exc))
        except Exception as exc:  # noqa: BLE001 - a bad world or package: one line
            ap.error(f"--world {args.world} / --package {args.package}: {str(exc).splitlines()[0]}")
        for _, pkg in sides:  # warm-up: the kernels compiled or loaded, the caches filled
            for seed in (900, 901):
                runs[pkg](seed)
        per_call = {pkg: {s: [] for s in args.funcs} for _, pkg in sides}
        per_run = {pkg: {s: [] for s in args.funcs} for _, pkg in sides}
        share = {pkg: {s: [] for s in args.funcs} for _, pkg in sides}
        for r in range(args.runs):
            order = sides if r % 2 == 0 else sides[::-1]
            for _, pkg in order:
                timers[pkg].reset()
                total = runs[pkg](100 + r)
                for s in args.funcs:
                    n = timers[pkg].calls[s]
                    per_call[pkg][s].append(timers[pkg].spent[s] / n * 1e6 if n else 0.0)
                    per_run[pkg][s].append(n)
                    share[pkg][s].append(timers[pkg].spent[s] / total * 100.0)
    print(f"{args.world}, package {args.package}, {args.handles} handles, {args.years} years, "
          f"medians of {args.runs} runs" + (" interleaved with the base" if args.base else ""))
    width = max(len(s) for s in args.funcs)
    for s in args.funcs:
        cells = []
        for label, pkg in sides:
            cells.append(f"{label}: {statistics.median(per_call[pkg][s]):9.1f} us a call, "
                         f"{statistics.median(per_run[pkg][s]):6.1f} calls a run, "
                         f"{statistics.median(share[pkg][s]):5.1f}% of the run")
        line = f"  {s:<{width}}  " + "   ".join(cells)
        if args.base:
            base, this = (statistics.median(per_call[pkg][s]) for _, pkg in sides)
            line += f"   ratio {this / base:.3f}" if base > 0 else "   ratio -"
        if all(statistics.median(per_run[pkg][s]) == 0 for _, pkg in sides):
            line += "   (no call through its module: imported by name where it is called?)"
        print(line)


if __name__ == "__main__":
    main()
