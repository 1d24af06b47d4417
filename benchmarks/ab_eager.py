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
and wall seconds, ratios to the reference, and the CPU seconds the collector took (``gc.callbacks``).
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

import mesa
from reference import Reference  # the plain-Mesa reference (a Mesa-only module)

from sim.core import memory, pool
from sim.experiments.runner import release
from sim.model.zonemodel import ZoneModel
from sim.scenario.world import load_world

BULK_OK, KEEPS = pool.mesa_bulk_ok, memory._mesa_keeps_models
CONFIGS = {"before": (False, False), "+bulk": (True, False), "+freeze": (False, True), "after": (True, True)}


def configure(bulk: bool, freeze: bool) -> None:
    pool.mesa_bulk_ok = BULK_OK if bulk else (lambda model, cls: False)
    memory._mesa_keeps_models = KEEPS if freeze else (lambda: False)


def clocks() -> tuple[float, float]:
    return time.process_time(), time.perf_counter()


GC_SECONDS = [0.0, 0.0]  # CPU seconds inside the collector (total, start of the current collection)


def _gc_clock(phase: str, info: dict) -> None:
    if phase == "start":
        GC_SECONDS[1] = time.process_time()
    else:
        GC_SECONDS[0] += time.process_time() - GC_SECONDS[1]


def one_run(world, years: int, seed: int, handles: str, keep: bool):
    GC_SECONDS[0] = 0.0
    c0, w0 = clocks()
    m = ZoneModel(world=world, rng=seed, agent_handles=handles)
    m.agent_steps = 0
    for _ in range(years):
        m.agent_steps += m.firms.n + m.talent.n + m.zones.n
        m.step()
    df = m.results()
    c1, w1 = clocks()
    in_gc = GC_SECONDS[0]
    agents = sorted((a.unique_id, type(a).__name__) for a in m.agents) if handles == "eager" else None
    per_step = m.agent_steps / max(years, 1)
    if keep:
        KEPT.append(m)
    else:
        release(m)  # pops it from Mesa's Agent._ids, thaws what was frozen
        del m
        gc.collect()
    return c1 - c0, w1 - w0, in_gc, df, agents, per_step


KEPT: list = []  # --no-release: every model stays alive (Mesa 3.3 would keep them anyway)


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
    gc.callbacks.append(_gc_clock)

    keep = args.no_release
    configure(True, True)
    one_run(world, 2, 0, "eager", keep)  # warm-up: imports, caches
    n_agents = round(one_run(world, args.years, 100, "lazy", keep)[5])  # the reference's size, as bench_model's
    cpu: dict[str, list[float]] = {}
    wall: dict[str, list[float]] = {}
    in_gc: dict[str, list[float]] = {}
    for r in range(args.repeats):
        seed = 100 + r
        c, w, ref = reference(n_agents, args.years, seed)
        cpu.setdefault("reference", []).append(c)
        wall.setdefault("reference", []).append(w)
        if keep:
            KEPT.append(ref)
        else:
            mesa.Agent._ids.pop(ref, None)
        del ref
        gc.collect()
        seen = {}
        order = names[r % len(names):] + names[:r % len(names)]
        for name in [*order, "lazy"]:
            configure(*CONFIGS.get(name, (True, True)))
            c, w, g, df, agents, _ = one_run(world, args.years, seed, "lazy" if name == "lazy" else "eager", keep)
            cpu.setdefault(name, []).append(c)
            wall.setdefault(name, []).append(w)
            in_gc.setdefault(name, []).append(g)
            seen[name] = (df, agents)
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
    print(f"  {'':10s} {'cpu s':>7s} {'ratio':>6s} {'vs before':>9s} {'wall s':>7s} {'ratio':>6s} {'in gc s':>7s}")
    base = statistics.median(cpu["before"])
    for name in ["reference", *names, "lazy"]:
        c, w = statistics.median(cpu[name]), statistics.median(wall[name])
        g = f"{statistics.median(in_gc[name]):7.3f}" if name in in_gc else ""
        print(f"  {name:10s} {c:7.3f} {ref_c / c:5.2f}x {c / base:9.3f} {w:7.3f} {ref_w / w:5.2f}x {g}")


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
