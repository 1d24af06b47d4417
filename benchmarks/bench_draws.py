"""What a keyed draw costs a key on this machine, and whether its loops vectorise here.

    python benchmarks/bench_draws.py [--keys 50000] [--repeats 7]

Times the compiled keyed draws (``sim.core.kernels``: hashes, uniforms, Bernoulli picks at a small
scalar and per-key probability and at random per-key probabilities, normals) on ``--keys`` random
keys, best of ``--repeats`` blocks of calls, in nanoseconds a key. Beside the uniforms it times the
same arithmetic written as one loop (hash and conversion together, as the kernels had it before
issue 19's twentieth session) compiled here: on an Intel AVX-512 machine (LLVM's "rocketlake") that
loop vectorised without unrolling and ran ~4x slower than the kernels' two loops a block. Both give
the same numbers (checked). Times are for the record: compare lines of one run, not runs of days.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np

from reference import positive  # a whole number >= 1, else one line and exit 2


def one_loop_uniform(nb):
    """The uniforms as one compiled loop (hash, then conversion, in the same iteration)."""
    from sim.core import kernels as k

    gold, m1, m2 = k._GOLD, k._M1, k._M2
    s30, s27, s31, s12, s1, one, half = k._S30, k._S27, k._S31, k._S12, k._S1, k._ONE, k._HALF_ULP

    @nb.njit(nogil=True, boundscheck=False, error_model="numpy")
    def uniform(keys, c1, out):  # pragma: no cover - compiled
        for i in range(keys.size):
            x = keys[i] * gold + c1
            x ^= x >> s30
            x *= m1
            x ^= x >> s27
            x *= m2
            x ^= x >> s31
            out[i] = np.float64(((x >> s12) << s1) | one) * half

    return uniform


def main() -> None:
    ap = argparse.ArgumentParser(prog="bench_draws.py", description=__doc__.splitlines()[0])
    ap.add_argument("--keys", type=positive, default=50_000, help="keys a call")
    ap.add_argument("--repeats", type=positive, default=7, help="timed blocks (best taken)")
    args = ap.parse_args()

    from sim.core import kernels

    if not kernels.enable():
        print("the compiled kernels are off (numba missing or ZONESIM_NO_NUMBA set): nothing to time")
        return
    import llvmlite.binding as ll
    import numba

    n = args.keys
    rng = np.random.default_rng(1)
    keys = rng.integers(0, 2**64, n, dtype=np.uint64)
    c1, c2 = np.uint64(0x1234_5678_9ABC_DEF1), np.uint64(0x0FED_CBA9_8765_4321)
    small, scalar, anyp = np.full(n, 0.02), np.array(0.02), rng.random(n)
    fused = one_loop_uniform(numba)
    out = np.empty(n)
    fused(keys, c1, out)
    same = np.array_equal(out.view(np.uint64), kernels.keyed_uniform(keys, c1, c2, 1).view(np.uint64))
    cases = {
        "hashes, 1 round": lambda: kernels.keyed_bits(keys, c1, c2, 1),
        "hashes, 2 rounds": lambda: kernels.keyed_bits(keys, c1, c2, 2),
        "uniforms (the kernels' two loops a block)": lambda: kernels.keyed_uniform(keys, c1, c2, 1),
        "uniforms as one loop (before; same numbers: " + ("yes" if same else "NO") + ")": lambda: fused(keys, c1, out),
        "Bernoulli picks, p = 0.02 scalar": lambda: kernels.keyed_below(keys, c1, c2, 1, scalar),
        "Bernoulli picks, p = 0.02 a key": lambda: kernels.keyed_below(keys, c1, c2, 1, small),
        "Bernoulli picks, p uniform at random a key": lambda: kernels.keyed_below(keys, c1, c2, 1, anyp),
        "normals": lambda: kernels.keyed_normal(keys, c1, c2, 1),
    }
    print(f"{n:,} keys, best of {args.repeats} blocks; CPU as LLVM names it: {ll.get_host_cpu_name()}")
    for name, fn in cases.items():
        fn()
        number = max(1, int(2e7 // n))
        t = min(timeit.repeat(fn, number=number, repeat=args.repeats)) / number
        print(f"  {name:62s} {t / n * 1e9:6.2f} ns a key")


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main)
