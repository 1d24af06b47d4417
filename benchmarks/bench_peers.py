"""Peers on the same axis: agent-steps per second of zonesim, mesa-frames and Starsim against the
project's plain-Mesa reference, all timed interleaved in one process.

    python benchmarks/bench_peers.py [--agents 100000] [--years 20] [--repeats 3] [--only NAMES]

The peers are NOT zonesim dependencies. Install them into a separate virtual environment that
sees the project's packages, and run the script with that environment's Python:

    python -m venv --system-site-packages /work/venvs/peers
    /work/venvs/peers/bin/pip install starsim polars
    /work/venvs/peers/bin/pip install --no-deps mesa-frames
    PYTHONPATH=$PWD /work/venvs/peers/bin/python benchmarks/bench_peers.py

(``--no-deps`` for mesa-frames: its only release on the registry, 0.1.0a0, pins ``numpy~=1.26``;
resolving that pin would give the whole environment numpy 1.26 instead of the project's numpy 2
and hold Starsim back at 3.3.4. The 0.1.0a0 code runs on numpy 2 and polars 2; the wealth check
below shows each variant did its work.) With the project's own Python the peers are skipped, one
line each saying how to install them, and zonesim and the reference still run.

What is timed, each from construction to the end of the last step (construction included, as in
bench_model.py and bench_scaling.py):

- ``reference``: ``Reference`` from reference.py — Mesa's Boltzmann wealth model without a grid,
  N agents, one Python ``step()`` per agent, activated with ``shuffle_do``, ``--years`` steps.
- ``zonesim``: a synthetic world of N agents built as bench_scaling.py builds it
  (``synthetic:{zones},{0.85 N},{0.15 N * 50}``, zones = max(14, N // 2500)), lazy agent handles,
  every stage and the yearly record, ``--years`` steps, then the tidy results table; agent-steps are
  the live firms + talent cohorts + zones summed over the years, as bench_scaling.py counts them
  (the build's 8-year spin-up is in the time, not in the agent-steps).
  The compiled kernels are switched on first (``kernels.enable()``, as bench_model.py does), so
  every repeat runs the same code.
- ``mesa-frames polars native`` (the figure to quote for mesa-frames), ``polars concise``,
  ``pandas concise`` and ``pandas native``: the Boltzmann wealth model (no grid, N agents,
  ``--years`` steps) exactly as mesa-frames 0.1.0a0's own benchmark writes it
  (examples/boltzmann_wealth/performance_plot.py at tag v0.1.0-alpha, copied below); agent-steps
  N x steps. After each run the total wealth must still be N: the ``pandas native`` example fails
  that check (its ``self.active_agents.index.isin(self.agents)`` tests agent ids against the
  frame's column names, so donors never lose wealth); it is reported as a wrong result and not quoted.
- ``starsim SIS``: ``ss.Sim(n_agents=N, diseases='sis', networks='random', ...)`` as Starsim's
  tests/profile_sim.py and its profiling guide build it (without demographics, so N stays N),
  with one-year steps from 2000 to 2000 + years - 1: ``--years`` time points, each one step;
  agent-steps N x time points.

Every model runs once at a small size first (imports, numba compilation of zonesim and Starsim,
polars' first queries), then the repeats run interleaved — each repeat times every model once, in
the order above — so drifts in machine load hit all alike. Figures are the **median** over the
repeats of each model's agent-steps per second; RATIO is that median over the reference's median
(the figure to quote: less sensitive to load than the times), and the range of the per-repeat
ratios (each model against the reference run in the same repeat) shows the spread; the seconds of
every repeat are printed last. The header prints the package versions, the thread counts and the
load average before and after.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

INSTALL = ("into a separate venv, not the project's (python -m venv --system-site-packages /work/venvs/peers; "
           "its pip install starsim polars, then pip install --no-deps mesa-frames) and run this with its python")


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


# ---------------------------------------------------------------- the plain-Mesa reference and zonesim


def run_reference(n: int, years: int, seed: int) -> tuple[float, int, str]:
    from reference import Reference  # the project's plain-Mesa reference (a Mesa-only module)

    t0 = time.perf_counter()
    m = Reference(n, seed)
    for _ in range(years):
        m.step()
    sec = time.perf_counter() - t0
    total = sum(a.wealth for a in m.agent_list)
    return sec, n * years, "" if total == n else f"total wealth {total:,} after {years} steps, not {n:,}"


_WORLDS: dict[int, object] = {}


def zonesim_world(n: int):
    """bench_scaling.py's synthetic world of n agents (built once per size: its generation is not the model)."""
    if n not in _WORLDS:
        from sim.scenario.world import load_world

        zones = max(14, n // 2500)
        _WORLDS[n] = load_world(f"synthetic:{zones},{int(n * 0.85)},{int(n * 0.15 * 50)}")
    return _WORLDS[n]


def run_zonesim(n: int, years: int, seed: int) -> tuple[float, int, str]:
    from sim.model.zonemodel import ZoneModel

    w = zonesim_world(n)
    t0 = time.perf_counter()
    m = ZoneModel(world=w, rng=seed, agent_handles="lazy")
    agent_steps = 0
    for _ in range(years):
        agent_steps += m.firms.n + m.talent.n + m.zones.n
        m.step()
    df = m.results()
    sec = time.perf_counter() - t0
    return sec, agent_steps, "" if len(df) else "empty results table"


# ---------------------------------------------------------------- mesa-frames 0.1.0a0's Boltzmann wealth model


def mesa_frames_classes() -> dict[str, type]:
    """The agent sets of mesa-frames 0.1.0a0's examples/boltzmann_wealth/performance_plot.py (tag v0.1.0-alpha),
    copied as written there (comments listing alternative spellings left out)."""
    import numpy as np
    import pandas as pd
    import polars as pl
    from mesa_frames import AgentSetPandas, AgentSetPolars, ModelDF

    class MoneyAgentPolarsConcise(AgentSetPolars):
        def __init__(self, n: int, model: ModelDF):
            super().__init__(model)
            self += pl.DataFrame(
                {"unique_id": pl.arange(n, eager=True), "wealth": pl.ones(n, eager=True)}
            )

        def step(self) -> None:
            self.do("give_money")

        def give_money(self):
            self.select(self.wealth > 0)
            other_agents = self.agents.sample(
                n=len(self.active_agents), with_replacement=True
            )
            self["active", "wealth"] -= 1
            new_wealth = other_agents.group_by("unique_id").len()
            self[new_wealth, "wealth"] += new_wealth["len"]

    class MoneyAgentPolarsNative(AgentSetPolars):
        def __init__(self, n: int, model: ModelDF):
            super().__init__(model)
            self += pl.DataFrame(
                {"unique_id": pl.arange(n, eager=True), "wealth": pl.ones(n, eager=True)}
            )

        def step(self) -> None:
            self.do("give_money")

        def give_money(self):
            self.select(pl.col("wealth") > 0)
            other_agents = self.agents.sample(
                n=len(self.active_agents), with_replacement=True
            )
            self.agents = self.agents.with_columns(
                wealth=pl.when(pl.col("unique_id").is_in(self.active_agents["unique_id"]))
                .then(pl.col("wealth") - 1)
                .otherwise(pl.col("wealth"))
            )
            new_wealth = other_agents.group_by("unique_id").len()
            self.agents = (
                self.agents.join(new_wealth, on="unique_id", how="left")
                .fill_null(0)
                .with_columns(wealth=pl.col("wealth") + pl.col("len"))
                .drop("len")
            )

    class MoneyAgentPandasConcise(AgentSetPandas):
        def __init__(self, n: int, model: ModelDF) -> None:
            super().__init__(model)
            self += pd.DataFrame(
                {"unique_id": np.arange(n, dtype="int64"), "wealth": np.ones(n)}
            )

        def step(self) -> None:
            self.do("give_money")

        def give_money(self):
            self.select(self.wealth > 0)
            other_agents = self.agents.sample(n=len(self.active_agents), replace=True)
            self["active", "wealth"] -= 1
            new_wealth = other_agents.groupby("unique_id").count()
            self[new_wealth, "wealth"] += new_wealth["wealth"]

    class MoneyAgentPandasNative(AgentSetPandas):
        def __init__(self, n: int, model: ModelDF) -> None:
            super().__init__(model)
            self += pd.DataFrame(
                {"unique_id": np.arange(n, dtype="int64"), "wealth": np.ones(n)}
            )

        def step(self) -> None:
            self.do("give_money")

        def give_money(self):
            self.select(self.agents["wealth"] > 0)
            other_agents = self.agents.sample(n=len(self.active_agents), replace=True)
            b_mask = self.active_agents.index.isin(self.agents)
            self.agents.loc[b_mask, "wealth"] -= 1
            new_wealth = other_agents.groupby("unique_id").count()
            merged = pd.merge(
                self.agents, new_wealth, on="unique_id", how="left", suffixes=("", "_new")
            )
            merged["wealth"] = merged["wealth"] + merged["wealth_new"].fillna(0)
            self.agents = merged.drop(columns=["wealth_new"])

    class MoneyModelDF(ModelDF):
        def __init__(self, N: int, agents_cls):
            super().__init__()
            self.n_agents = N
            self.agents += agents_cls(N, self)

        def step(self):
            self.agents.do("step")

        def run_model(self, n):
            for _ in range(n):
                self.step()

    return {"model": MoneyModelDF, "polars_native": MoneyAgentPolarsNative, "polars_concise": MoneyAgentPolarsConcise,
            "pandas_concise": MoneyAgentPandasConcise, "pandas_native": MoneyAgentPandasNative}


_MF: dict[str, type] = {}


def mesa_frames_runner(variant: str):
    def run(n: int, years: int, seed: int) -> tuple[float, int, str]:
        if not _MF:
            _MF.update(mesa_frames_classes())
        # the example seeds nothing (ModelDF draws its own seed); seed is unused, as there
        t0 = time.perf_counter()
        m = _MF["model"](n, _MF[variant])
        m.run_model(years)
        sec = time.perf_counter() - t0
        (agentset,) = m.agents._agentsets
        total = float(agentset.agents["wealth"].sum())
        rows = len(agentset.agents)
        bad = "" if total == n and rows == n else (f"total wealth {total:,.0f} over {rows:,} agents after {years} "
                                                    f"steps, not {n:,}")
        return sec, n * years, bad
    return run


def mesa_frames_missing() -> str:
    if importlib.util.find_spec("mesa_frames") is None or importlib.util.find_spec("polars") is None:
        return "not installed; install mesa-frames and polars " + INSTALL
    import mesa_frames

    if not all(hasattr(mesa_frames, k) for k in ("ModelDF", "AgentSetPolars", "AgentSetPandas")):
        return (f"mesa-frames {version('mesa-frames')} has a newer API than the 0.1.0a0 examples copied here "
                f"(ModelDF / AgentSetPolars); pip install --no-deps mesa-frames==0.1.0a0")
    return ""


# ---------------------------------------------------------------- Starsim's SIS model


def run_starsim(n: int, years: int, seed: int) -> tuple[float, int, str]:
    import starsim as ss

    t0 = time.perf_counter()
    sim = ss.Sim(n_agents=n, start=2000, stop=2000 + years - 1, diseases="sis", networks="random",
                 rand_seed=seed, verbose=0)
    sim.run()
    sec = time.perf_counter() - t0
    steps = int(sim.t.npts)
    people = len(sim.people)
    bad = "" if steps == years and people == n else f"{steps} time points and {people:,} people, not {years} and {n:,}"
    return sec, n * steps, bad


def starsim_missing() -> str:
    if importlib.util.find_spec("starsim") is None:
        return "not installed; install starsim " + INSTALL
    return ""


# ---------------------------------------------------------------- the benchmark

MODELS = [  # name, label, runner, why it cannot run ("" if it can)
    ("reference", "plain Mesa reference (Boltzmann wealth, shuffle_do)", run_reference, lambda: ""),
    ("zonesim", "zonesim (synthetic world, lazy handles, results table)", run_zonesim, lambda: ""),
    ("mf-polars-native", "mesa-frames Boltzmann, polars native", mesa_frames_runner("polars_native"), mesa_frames_missing),
    ("mf-polars-concise", "mesa-frames Boltzmann, polars concise", mesa_frames_runner("polars_concise"), mesa_frames_missing),
    ("mf-pandas-concise", "mesa-frames Boltzmann, pandas concise", mesa_frames_runner("pandas_concise"), mesa_frames_missing),
    ("mf-pandas-native", "mesa-frames Boltzmann, pandas native", mesa_frames_runner("pandas_native"), mesa_frames_missing),
    ("starsim", "Starsim SIS, random network", run_starsim, starsim_missing),
]


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: must be a whole number >= 1")
    return value


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=positive, default=100_000, help="N agents for every model (default 100,000)")
    ap.add_argument("--years", type=positive, default=20, help="steps of every model (default 20)")
    ap.add_argument("--repeats", type=positive, default=3, help="interleaved repeats; the median is reported (default 3)")
    ap.add_argument("--only", default="", help="comma-separated subset of: " + ", ".join(m[0] for m in MODELS)
                    + " (the reference always runs)")
    args = ap.parse_args(argv)
    names = [m[0] for m in MODELS]
    wanted = set(names) if not args.only else {s.strip() for s in args.only.split(",") if s.strip()} | {"reference"}
    unknown = sorted(wanted - set(names))
    if unknown:
        ap.error(f"--only: {', '.join(unknown)}: allowed are {', '.join(names)}")
    warnings.filterwarnings("ignore")  # peers' deprecation chatter would bury the table

    from sim.core import kernels

    kernels_on = kernels.enable() if "zonesim" in wanted else kernels.ENABLED
    n, years = args.agents, args.years
    print(f"bench_peers: N = {n:,} agents, {years} steps, median of {args.repeats} interleaved repeats, "
          f"construction included")
    print(f"load average (1, 5, 15 min) at start: {load()}; CPUs: {os.cpu_count()}")
    versions = [("python", platform.python_version()), ("zonesim", version("zonesim")), ("mesa", version("mesa")),
                ("numpy", version("numpy")), ("pandas", version("pandas")), ("numba", version("numba")),
                ("polars", version("polars")), ("mesa-frames", version("mesa-frames")), ("starsim", version("starsim"))]
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions))
    print(f"zonesim compiled kernels: {'on' if kernels_on else 'off (numba missing or ZONESIM_NO_NUMBA)'}")
    if importlib.util.find_spec("polars") is not None:
        import polars as pl

        print(f"polars threads: {pl.thread_pool_size()}")

    active = []
    for name, label, runner, missing in MODELS:
        if name not in wanted:
            continue
        why = missing()
        if why:
            print(f"SKIPPED {name}: {why}")
            continue
        active.append((name, label, runner))

    small = min(n, 2000)
    for name, label, runner in active:  # warm-up: imports, numba compilation, first queries
        runner(small, min(years, 3), 0)

    runs: dict[str, list[tuple[float, int, str]]] = {name: [] for name, _, _ in active}
    for r in range(args.repeats):
        for name, _label, runner in active:
            runs[name].append(runner(n, years, 100 + r))
    print(f"load average (1, 5, 15 min) at end: {load()}")

    ref_rates = [steps / sec for sec, steps, _ in runs["reference"]]
    ref_rate = statistics.median(ref_rates)
    for name, label, _runner in active:
        rs = runs[name]
        problems = sorted({bad for _, _, bad in rs if bad})
        rates = [steps / sec for sec, steps, _ in rs]
        rate = statistics.median(rates)
        sec = statistics.median(s for s, _, _ in rs)
        paired = [a / b for a, b in zip(rates, ref_rates)]
        head = f"  {label:56s} {rate:>13,.0f} agent-steps/s  {sec:8.3f} s"
        if problems:
            print(f"{head}  WRONG RESULT ({name}): {'; '.join(problems)}: not quoted")
        elif name == "reference":
            print(f"{head}  (the reference: 1.00x)")
        else:
            print(f"{head}  RATIO ({name}) {rate / ref_rate:.2f}x  (per repeat {min(paired):.2f}x-{max(paired):.2f}x)")
    print("seconds per repeat, in the order run: " + ";  ".join(
        f"{name} " + " ".join(f"{sec:.3f}" for sec, _, _ in runs[name]) for name, _, _ in active))


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
