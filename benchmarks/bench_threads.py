"""The loops ``ZONESIM_THREADS`` splits, timed alone on one thread and on ``--threads``: what a split
gains before a run's other work is around it (``sim.core.threads``; docs/performance.md, thirty-seventh
session).

    python benchmarks/bench_threads.py [--sizes 100000,1000000] [--threads 2] [--repeats 15]

For each size: the model's ``power`` (four a firm a year, the largest loop), ``log1p`` and the keyed
uniforms, each called on the same arrays with one thread and with ``--threads`` (``threads.set_count``)
alternately, ``--repeats`` times; prints the median milliseconds a call of each and their ratio
(threads / one). Each call's results are checked identical to the one thread's. This is the loops'
own gain, with their arrays in the caches of the thread that made them; inside a run the other
parts' columns come from the first thread's cache and a part waits for its thread to wake, so a
whole run gains less (``benchmarks/ab_fixed.py`` with ``ZONESIM_THREADS`` set measures that, against
a revision without the threads).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sim.core import kernels, pmath, threads  # noqa: E402


def positive_list(text: str) -> list[int]:
    try:
        sizes = [int(t) for t in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: every size must be 1 or more")
    return sizes


def whole(low: int):
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if n < low:
            raise argparse.ArgumentTypeError(f"{n} is below {low}")
        return n
    return parse


def loops(n: int) -> dict[str, callable]:
    rng = np.random.default_rng(n)
    x, y = rng.lognormal(2.0, 1.0, n), rng.normal(0.3, 0.2, n)
    keys = rng.integers(0, 2**63, n, dtype=np.int64).view(np.uint64)
    out = np.empty(n)
    return {
        "power": lambda: pmath.power(x, y, out=out),
        "log1p": lambda: pmath.log1p(x, out=out),
        "keyed uniform": lambda: kernels.keyed_uniform(keys, np.uint64(12345), np.uint64(678), 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=positive_list, default=[100_000, 1_000_000])
    ap.add_argument("--threads", type=whole(2), default=2)
    ap.add_argument("--repeats", type=whole(1), default=15)
    args = ap.parse_args(argv)
    kernels.enable()
    old_min = threads.MIN_ROWS
    threads.MIN_ROWS = 1  # every size splits here: the question is what a split of that size gains
    try:
        print(f"each loop alone, median of {args.repeats} calls a side, one thread and {args.threads} alternating")
        for n in args.sizes:
            for name, call in loops(n).items():
                times = {1: [], args.threads: []}
                first = {}
                for r in range(args.repeats + 1):
                    for k in ((1, args.threads) if r % 2 else (args.threads, 1)):
                        threads.set_count(k)
                        t = time.perf_counter()
                        got = call()
                        dt = time.perf_counter() - t
                        got = np.array(got, copy=True)
                        if k in first and not np.array_equal(first[k], got):
                            raise SystemExit(f"{name}: different results on a second call")
                        first.setdefault(k, got)
                        if r:  # the first round warms both sides up
                            times[k].append(dt)
                if not np.array_equal(first[1], first[args.threads]):
                    raise SystemExit(f"{name}, {n:,} rows: {args.threads} threads gave other numbers than one")
                one, many = statistics.median(times[1]), statistics.median(times[args.threads])
                print(f"  {n:>10,} rows  {name:<14} one thread {one * 1e3:8.3f} ms   {args.threads} threads "
                      f"{many * 1e3:8.3f} ms   RATIO {many / one:.3f}")
    finally:
        threads.MIN_ROWS = old_min
        threads.set_count(None)
    return 0


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    sys.exit(watched(main))
