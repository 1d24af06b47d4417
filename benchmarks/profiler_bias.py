"""How much a sampling profiler leans towards Python's frames: a workload of known parts.

    python benchmarks/profiler_bias.py [--seconds 30]
    py-spy record --native -r 40 -f raw -o bias.txt -- python benchmarks/profiler_bias.py
    python benchmarks/profiler_bias.py --read bias.txt

Runs three parts in turn for ``--seconds``: numpy passes over 200,000 numbers (``native_part``), a
pure Python loop (``python_part``) and 3,000 small numpy calls on 14 numbers (``small_calls``, the
call overhead of a zone-level stage), and prints each part's share of the time by its own clock.
``--read`` takes a py-spy raw profile of this script and prints each part's share of the samples:
the two lines side by side say how far the profiler's shares are from the clock's for native work,
the interpreter and numpy's call overhead (``benchmarks/native_profile.py`` quotes its shares with
that bias in mind). Shares, not times: compare lines of one run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/: native_profile, machine

PARTS = ("native_part", "python_part", "small_calls")


def native_part(a: np.ndarray, b: np.ndarray) -> None:
    for _ in range(20):
        np.multiply(a, b, out=a)
        a.clip(0, 1, out=a)


def python_part() -> int:
    s = 0
    for i in range(60_000):
        s += i * i
    return s


def small_calls(x: np.ndarray) -> np.ndarray:
    for _ in range(3000):
        x = x * 1.0 + 0.0
    return x


def run(seconds: float) -> dict[str, float]:
    """Each part's share of the time by its own clock, the parts run in turn for ``seconds``."""
    rng = np.random.default_rng(1)
    a, b, x = rng.random(200_000), rng.random(200_000), rng.random(14)
    spent = dict.fromkeys(PARTS, 0.0)
    start = time.perf_counter()
    while True:
        for name, call in (("native_part", lambda: native_part(a, b)), ("python_part", python_part),
                           ("small_calls", lambda: small_calls(x))):
            t = time.perf_counter()
            call()
            spent[name] += time.perf_counter() - t
        if time.perf_counter() - start >= seconds:
            break
    total = sum(spent.values())
    return {k: v / total for k, v in spent.items()}


def read(lines) -> dict[str, float]:
    """Each part's share of the samples of a py-spy raw profile of this script."""
    from native_profile import _name, stacks  # the same reading of py-spy's raw lines

    got: Counter = Counter()
    for frames, n in stacks(lines):
        names = [_name(f) for f in frames]
        for part in PARTS:
            if part in names:
                got[part] += n
    total = sum(got.values())
    if not total:
        raise ValueError("no sample in any of the parts: not a profile of benchmarks/profiler_bias.py")
    return {k: got[k] / total for k in PARTS}


def line(shares: dict[str, float], what: str) -> str:
    return what + ": " + ", ".join(f"{k} {100 * v:.1f} %" for k, v in shares.items())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=30.0, help="how long to run the parts")
    ap.add_argument("--read", type=Path, help="a py-spy raw profile of this script: its shares of the samples")
    a = ap.parse_args(argv)
    if a.read is not None:
        try:
            with a.read.open(encoding="utf-8", errors="replace") as fh:
                print(line(read(fh), "the profiler's samples"))
        except (OSError, ValueError) as exc:
            print(f"{a.read}: {exc}", file=sys.stderr)
            return 2
        return 0
    if not a.seconds > 0:
        print(f"--seconds: a number of seconds > 0, not {a.seconds}", file=sys.stderr)
        return 2
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(lambda: print(line(run(a.seconds), "the parts' own clocks")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
