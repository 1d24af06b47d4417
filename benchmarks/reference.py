"""The project's plain-Mesa reference, in a module that imports Mesa only.

The pattern of Mesa's Boltzmann-wealth benchmark without a grid: N agents, each with a Python
``step()`` that gives one unit of wealth to a random agent, activated with ``shuffle_do``. The
benchmarks time it interleaved with zonesim in one process (the issue-19 protocol). That process
also holds zonesim's imports and its process-wide settings (the collector's frozen generation,
the allocator's thresholds), and the reference's speed depends on them: the collector's full
collections walk every object a process has. Run as a script, this module times the reference
in a process that has imported Mesa and nothing else, what a plain-Mesa user runs:

    python benchmarks/reference.py N YEARS REPEATS    # prints {"n", "times"} as JSON
"""

from __future__ import annotations

import json
import sys
import time

import mesa


class MoneyAgent(mesa.Agent):
    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        self.wealth = 1

    def step(self) -> None:
        if self.wealth > 0:
            other = self.model.agent_list[self.model.random.randrange(len(self.model.agent_list))]
            other.wealth += 1
            self.wealth -= 1


class Reference(mesa.Model):
    def __init__(self, n: int, seed: int) -> None:
        super().__init__(rng=seed)
        MoneyAgent.create_agents(self, n)
        self.agent_list = list(self.agents)  # a list: AgentSet indexing is O(N) per call

    def step(self) -> None:
        self.agents.shuffle_do("step")


def seconds(n: int, years: int, seed: int) -> float:
    """Seconds to build the reference of ``n`` agents and step it ``years`` times."""
    t0 = time.perf_counter()
    m = Reference(n, seed)
    for _ in range(years):
        m.step()
    return time.perf_counter() - t0


def in_own_process(n: int, years: int, repeats: int) -> list[float]:
    """The reference's times (each build and ``years`` steps) in a fresh process that imports
    Mesa only (this module run as a script)."""
    import subprocess
    out = subprocess.run([sys.executable, __file__, str(n), str(years), str(repeats)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["times"]


def positive(text: str) -> int:
    """A whole number of at least 1 (argparse refuses anything else with one line, exit 2)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="The plain-Mesa reference timed in a process that imports Mesa only.")
    for name in ("agents", "years", "repeats"):
        ap.add_argument(name, type=positive)
    args = ap.parse_args()
    times = [seconds(args.agents, args.years, 1 + r) for r in range(args.repeats)]
    print(json.dumps({"n": args.agents, "times": times}))
