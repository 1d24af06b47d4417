"""Eager agent handles: the bulk handle path and the collector freeze switched off and on in one
process, interleaved with the plain-Mesa reference (issue 19, docs/performance.md "Eager handles").

    python benchmarks/ab_eager.py [--repeats 5] [--world guangxi] [--years 20] [--no-release]

Configurations of an eager run (the default world, ``agent_handles="eager"``):
``before`` (Mesa's public path for every agent, the collector only paused while the model builds
and steps: the code before this work), ``+bulk`` (agents made and removed in bulk,
``sim.core.pool.MesaHandles``), ``+freeze`` (the model's objects frozen after its build and each
year, ``sim.core.memory.no_cycle_collection(freeze=True)``), and ``after`` (both: the code as it
is); plus a lazy run for scale. Every repeat times the reference, then each configuration in turn
(the order rotates), on the same seed. The results tables, the unique ids and types of
``model.agents`` are checked identical across the configurations.

By default every model (the reference's too) is released after it is timed and the heap
collected, so each run starts from the same state; ``--no-release`` keeps them all, as
``bench_model.py`` does (Mesa 3.3 keeps every model alive), so the collector's work grows with
the repeats. Prints median CPU seconds (``process_time``: other processes' load does not count)
and wall seconds, and ratios to the reference.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import mesa  # noqa: E402

import sim.core.memory as memory  # noqa: E402
import sim.core.pool as pool  # noqa: E402
from bench_model import Reference  # noqa: E402
from sim.experiments.runner import release  # noqa: E402
from sim.model.zonemodel import ZoneModel  # noqa: E402
from sim.scenario.world import load_world  # noqa: E402

BULK_OK, KEEPS = pool.mesa_bulk_ok, memory._mesa_keeps_models
CONFIGS = {"before": (False, False), "+bulk": (True, False), "+freeze": (False, True), "after": (True, True)}


def configure(bulk: bool, freeze: bool) -> None:
    pool.mesa_bulk_ok = BULK_OK if bulk else (lambda model, cls: False)
    memory._mesa_keeps_models = KEEPS if freeze else (lambda: False)


def clocks() -> tuple[float, float]:
    return time.process_time(), time.perf_counter()


def one_run(world, years: int, seed: int, handles: str):
    c0, w0 = clocks()
    m = ZoneModel(world=world, rng=seed, agent_handles=handles)
    m.agent_steps = 0
    for _ in range(years):
        m.agent_steps += m.firms.n + m.talent.n + m.zones.n
        m.step()
    df = m.results()
    c1, w1 = clocks()
    agents = sorted((a.unique_id, type(a).__name__) for a in m.agents) if handles == "eager" else None
    return c1 - c0, w1 - w0, m, df, agents


def reference(n: int, years: int, seed: int):
    c0, w0 = clocks()
    m = Reference(n, seed)
    for _ in range(years):
        m.step()
    c1, w1 = clocks()
    return c1 - c0, w1 - w0, m


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--world", default="guangxi")
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--no-release", action="store_true", help="keep every model alive, as bench_model.py does")
    args = ap.parse_args()
    world = load_world(args.world)
    names = list(CONFIGS)

    def settle(model) -> None:
        if not args.no_release:
            release(model)  # pops it from Mesa's Agent._ids, thaws what was frozen
            del model
            gc.collect()

    configure(True, True)
    _, _, m, _, _ = one_run(world, 2, 0, "eager")  # warm-up: imports, caches
    settle(m)
    _, _, m, _, _ = one_run(world, args.years, 100, "lazy")  # the reference's size, as bench_model.py's
    n_agents = round(m.agent_steps / args.years)
    settle(m)
    cpu: dict[str, list[float]] = {}
    wall: dict[str, list[float]] = {}
    for r in range(args.repeats):
        seed = 100 + r
        c, w, ref = reference(n_agents, args.years, seed)
        cpu.setdefault("reference", []).append(c)
        wall.setdefault("reference", []).append(w)
        if not args.no_release:
            mesa.Agent._ids.pop(ref, None)
        del ref
        if not args.no_release:
            gc.collect()
        seen = {}
        order = names[r % len(names):] + names[:r % len(names)]
        for name in [*order, "lazy"]:
            configure(*CONFIGS.get(name, (True, True)))
            c, w, m, df, agents = one_run(world, args.years, seed, "lazy" if name == "lazy" else "eager")
            cpu.setdefault(name, []).append(c)
            wall.setdefault(name, []).append(w)
            seen[name] = (df, agents)
            settle(m)
            del m
        configure(True, True)
        first = seen["before"]
        for name, (df, agents) in seen.items():
            assert df.equals(first[0]), f"{name}: results differ"
            assert agents is None or agents == first[1], f"{name}: model.agents differ"
        print(f"repeat {r + 1}: " + ", ".join(f"{k} {cpu[k][-1]:.2f}" for k in ["reference", *names, "lazy"]),
              flush=True)
    ref_c, ref_w = statistics.median(cpu["reference"]), statistics.median(wall["reference"])
    print(f"{args.world}, {args.years} years, {n_agents:,} agents in the reference, median of {args.repeats} "
          f"interleaved repeats "
          f"({'models kept alive' if args.no_release else 'each model released'}); results and agents identical")
    print(f"  {'':10s} {'cpu s':>7s} {'ratio':>6s} {'vs before':>9s} {'wall s':>7s} {'ratio':>6s}")
    base = statistics.median(cpu["before"])
    for name in ["reference", *names, "lazy"]:
        c, w = statistics.median(cpu[name]), statistics.median(wall[name])
        print(f"  {name:10s} {c:7.3f} {ref_c / c:5.2f}x {c / base:9.3f} {w:7.3f} {ref_w / w:5.2f}x")


if __name__ == "__main__":
    main()
