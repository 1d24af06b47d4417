"""Scaling: agent-steps per second against plain Mesa at 10k / 100k / 1M agents, cost as agents
and years grow 10x, memory per agent, and a province-sized world.

    python benchmarks/bench_scaling.py [--sizes 10000,100000,1000000] [--years 20] [--quick]
                                       [--repeats 3] [--kernels on|auto] [--only-ratio]

Section 0 is the issue-19 ratio: for each size, one fresh process times the plain-Mesa reference
and zonesim alternately ``--repeats`` times (medians), with the compiled kernels loaded before the
timing and two warm-up models (a tiny one and one of 23,000 agents, for the kernels only large
worlds call) stepped once, so every kernel's machine code is loaded for every argument type (a
study worker's steady state: without it the first model of the process paid ~0.15 s of loading,
which halved the 10k ratio; this one-time start-up is printed apart). Kernels that are still first
loaded inside the timed runs (~3-4 ms each from numba's cache) are named in the output. The other
sections run every measurement in a fresh subprocess (so peak memory is its own). For each size N,
zonesim runs a synthetic world (``sim/synthetic.py``) with ~0.85 N firms and ~0.15 N talent
cohorts (N agents in all), all stages and data collection on; the reference is a plain Mesa
model of N agents with one Python ``step()`` each (Boltzmann-wealth pattern, no grid),
activated by ``shuffle_do`` for the same years. Both include model construction. Ratios are
measured in the same run, so machine load affects both sides alike. Section 0 also times the
reference in a process that imports Mesa only (``benchmarks/reference.py``), after the pair: the
shared process's imports and zonesim's process-wide settings change the reference's speed (the
collector's full collections walk every object of the process), so both ratios are printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from reference import in_own_process, positive

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
kind, n, years = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
from sim.model.zonemodel import ZoneModel
from sim.scenario.world import load_world
def rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
base = rss_mb()
if kind == "zonesim":
    zones = max(14, n // 2500)
    w = load_world(f"synthetic:{{zones}},{{int(n * 0.85)}},{{int(n * 0.15 * 50)}}")
    t0 = time.perf_counter()
    m = ZoneModel(world=w, rng=1, agent_handles={handles!r})
    t1 = time.perf_counter()
    agent_steps = 0
    for _ in range(years):
        agent_steps += m.firms.n + m.talent.n + m.zones.n
        m.step()
    df = m.results()
    t2 = time.perf_counter()
    agents = m.firms.n + m.talent.n + m.zones.n
    handles = m.firms.capacity + m.talent.capacity + m.zones.capacity
else:
    sys.path.insert(0, {root!r} + "/benchmarks")
    from reference import Reference  # the plain-Mesa reference (a Mesa-only module)
    t0 = time.perf_counter()
    m = Reference(n, 1)
    t1 = time.perf_counter()
    for _ in range(years):
        m.step()
    t2 = time.perf_counter()
    agents = handles = n
    agent_steps = n * years
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(dict(kind=kind, n=n, years=years, build=t1 - t0, total=t2 - t0, agent_steps=agent_steps,
                      rate=agent_steps / (t2 - t0), step_rate=agent_steps / max(t2 - t1, 1e-9), agents=agents, handles=handles, peak_mb=peak,
                      mem_per_agent_kb=(rss_mb() - base) * 1024 / max(handles, 1))))
"""


PAIR = r"""
import json, statistics, sys, time
import numpy as np
sys.path.insert(0, {root!r})
sys.path.insert(0, {root!r} + "/benchmarks")
n, years, repeats, kern = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "on"
t = time.perf_counter()
from sim.core import fused, kernels
if kern:
    kernels.enable()
    fused.available()
from sim.model.zonemodel import ZoneModel
from sim.scenario.world import load_world
from sim.experiments.runner import release
from numba.core.registry import CPUDispatcher
def dispatchers(mod):  # a module's compiled kernels: bound to its names, or kept in its _K table by name
    names = vars(sys.modules[mod])
    table = names.get("_K")
    yield from ((k, v) for k, v in list(names.items()) if isinstance(v, CPUDispatcher))
    if isinstance(table, dict):
        yield from ((f"_K[{{k}}]", v) for k, v in list(table.items()) if isinstance(v, CPUDispatcher))
def loaded():  # every compiled kernel's loaded signatures: (module.name, signature)
    return {{(f"{{mod}}.{{k}}", str(sig)) for mod in list(sys.modules) if mod.startswith("sim.")
            for k, v in dispatchers(mod) for sig in v.signatures}}
if kern:  # each kernel's machine code for each argument type before the timing: a tiny model for four
    # years (the evaluation's window of each length), a 23,000-agent one for a year (the large-world
    # paths: hiring's search above 1,024 firms, the location choice's guide tables, the zone-key
    # counting sort, the row moves of both pools) and Poisson counts of rates above a 100k-agent
    # zone's (the windows past the log-factorial table)
    for spec, steps in (("synthetic:6,1500,3000", 4), ("synthetic:40,20000,150000", 1)):
        warm = ZoneModel(world=load_world(spec), rng=99, agent_handles={handles!r})
        for _ in range(steps):
            warm.step()
        warm.results()
        release(warm)
        del warm
    from sim.core.streams import Streams, poisson_ppf
    poisson_ppf(np.array([0.5, 0.5, 1.0 - 2.0**-30]), np.array([3.0e3, 6.0e4, 6.0e4]))
    # and keyed: Streams.poisson's one-call kernel hands such rates to its step-by-step path, whose
    # kernels (the rows, the head, the windows) a large world's years load otherwise (~10 ms)
    lam = np.concatenate([np.linspace(0.5, 40.0, 200), [3.0e3, 6.0e4, 6.0e4]])  # the head's rates, then windows
    Streams(1, ["warm"]).poisson("warm", 1, np.arange(1, lam.size + 1, dtype=np.uint64), lam)
before = loaded()
startup = time.perf_counter() - t
from reference import seconds  # the plain-Mesa reference (a Mesa-only module): build and steps, timed
zones = max(14, n // 2500)
w = load_world(f"synthetic:{{zones}},{{int(n * 0.85)}},{{int(n * 0.15 * 50)}}")
zs, rs = [], []
for r in range(repeats):  # interleaved: reference, zonesim, reference, zonesim, ...
    rs.append(seconds(n, years, 1 + r))
    t0 = time.perf_counter()
    m = ZoneModel(world=w, rng=1 + r, agent_handles={handles!r})
    t1 = time.perf_counter()
    agent_steps = 0
    for _ in range(years):
        agent_steps += m.firms.n + m.talent.n + m.zones.n
        m.step()
    m.results()
    zs.append((time.perf_counter() - t0, t1 - t0, agent_steps))
    del m
zt = statistics.median(z[0] for z in zs)
cold = sorted({{k for k, _ in loaded() - before}})  # kernels first loaded (from numba's cache) inside the timing
print(json.dumps(dict(n=n, zonesim=zt, cold=cold, build=statistics.median(z[1] for z in zs),
                      agent_steps=statistics.median(z[2] for z in zs), reference=statistics.median(rs),
                      ref_steps=n * years, startup=startup, kernels=kernels.ENABLED, fused=fused.available())))
"""

HANDLES = "lazy"


def measure_pair(n: int, years: int, repeats: int, kernels_on: bool) -> dict:
    """zonesim and the plain-Mesa reference timed interleaved in one fresh process (medians)."""
    out = subprocess.run([sys.executable, "-c", PAIR.format(root=str(ROOT), handles=HANDLES), str(n), str(years),
                          str(repeats), "on" if kernels_on else "off"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(kind: str, n: int, years: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), handles=HANDLES), kind, str(n),
                          str(years)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="sizes 10k,100k and 5 years")
    ap.add_argument("--handles", choices=("lazy", "eager"), default="lazy",
                    help="zonesim's agent handles (lazy: what runs and sweeps use; eager: ZoneModel's default)")
    ap.add_argument("--repeats", type=positive, default=3,
                    help="interleaved repeats per size in section 0 (median; default 3)")
    ap.add_argument("--kernels", choices=("on", "auto"), default="on",
                    help="on: numba kernels loaded before timing (a study worker's steady state; the start-up "
                         "is printed apart); auto: as a fresh single run (they switch on after 300,000 agents)")
    ap.add_argument("--only-ratio", action="store_true", help="section 0 only")
    args = ap.parse_args()
    global HANDLES
    HANDLES = args.handles
    print(f"zonesim agent handles: {HANDLES}")
    sizes = [10_000, 100_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    years = 5 if args.quick else args.years
    print(f"0. RATIO to plain Mesa, interleaved in one process ({args.repeats} repeats, median; {years} years, "
          f"construction and results table included; kernels {args.kernels})")
    for n in sizes:
        q = measure_pair(n, years, args.repeats, args.kernels == "on")
        zr, rr = q["agent_steps"] / q["zonesim"], q["ref_steps"] / q["reference"]
        print(f"  N={n:>9,}: zonesim {zr:>12,.0f} agent-steps/s ({q['zonesim']:.2f} s, build {q['build']:.2f} s)   "
              f"reference {rr:>12,.0f}/s ({q['reference']:.2f} s)   RATIO {zr / rr:.2f}x   "
              f"[compiled kernels {'on' if q['kernels'] else 'off'}, fused {'on' if q['fused'] else 'off'}; "
              f"their start-up{' and a warm-up model' if args.kernels == 'on' else ''}, once per process, "
              f"not timed: {q['startup']:.2f} s]")
        if q["cold"]:
            print(f"  {'':12s}compiled kernels first loaded inside the timed runs (~3-4 ms each): {', '.join(q['cold'])}")
        own = statistics.median(in_own_process(n, years, args.repeats))
        print(f"  {'':12s}the reference in a process that imports Mesa only (median of {args.repeats}): {own:.2f} s, "
              f"RATIO against it {zr * own / q['ref_steps']:.2f}x")
    if args.only_ratio:
        return
    print(f"1. agent-steps/s, zonesim vs plain Mesa, {years} years, construction included (separate processes)")
    for n in sizes:
        z = measure("zonesim", n, years)
        r = measure("reference", n, years)
        print(f"  N={n:>9,}: zonesim {z['rate']:>12,.0f}/s ({z['total']:.2f} s, build {z['build']:.2f} s, "
              f"peak {z['peak_mb']:.0f} MB, {z['mem_per_agent_kb']:.2f} KB per agent)   "
              f"reference {r['rate']:>12,.0f}/s ({r['total']:.2f} s, {r['mem_per_agent_kb']:.2f} KB per agent)   "
              f"RATIO {z['rate'] / r['rate']:.2f}x (stepping only: {z['step_rate']:,.0f}/s vs "
              f"{r['step_rate']:,.0f}/s, {z['step_rate'] / r['step_rate']:.2f}x)")
    print("3. cost growth (10x the work should take <= 11x the time)")
    small = measure("zonesim", sizes[0], years)
    big = measure("zonesim", sizes[0] * 10, years)
    print(f"  agents x10 ({sizes[0]:,} -> {sizes[0] * 10:,}): time x{big['total'] / small['total']:.2f} for "
          f"x{big['agent_steps'] / small['agent_steps']:.2f} agent-steps")
    short = measure("zonesim", sizes[0], max(2, years // 4))
    long = measure("zonesim", sizes[0], max(2, years // 4) * 10)
    print(f"  years x10 ({short['years']} -> {long['years']}): time x{long['total'] / short['total']:.2f} "
          f"(stepping only: x{(long['total'] - long['build']) / (short['total'] - short['build']):.2f} for "
          f"x{long['agent_steps'] / short['agent_steps']:.2f} agent-steps, as firms multiply over time)")
    print("   province-sized world: 120 zones, 100,000 firms, 1,000,000 people, 20 years")
    prov = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), handles=HANDLES).replace(
        'load_world(f"synthetic:{zones},{int(n * 0.85)},{int(n * 0.15 * 50)}")',
        'load_world("synthetic:120,100000,1000000")'), "zonesim", "120000", "20"],
        capture_output=True, text=True, check=True)
    p = json.loads(prov.stdout.strip().splitlines()[-1])
    print(f"  {p['agents']:,} agents at the end; {p['total']:.1f} s; peak memory {p['peak_mb']:.0f} MB "
          f"({p['mem_per_agent_kb']:.2f} KB per agent slot)")


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
