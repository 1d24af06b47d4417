"""The model's own exp, log, log1p and pow (``sim.core.pmath``) against numpy's on this machine: speed and rounding.

    python benchmarks/bench_portable_maths.py [--size 50000] [--repeats 7]

numpy's float64 ``exp``, ``log``, ``log1p`` and ``power`` are the C library's on CPUs without AVX-512 and
numpy's own SIMD loops on those with it; the two round differently in the last bit of a few per cent of
their results, which made the same scenario and seed give tables that agreed closely but not bit for bit
across the two kinds of CPU (docs/performance.md, twenty-ninth session). Since the thirty-second session
the model computes these functions itself (``sim.core.pmath``: compiled arithmetic only, vectorised by
LLVM; the same bits on every IEEE machine). This script was the prototype's (thirty-first session) and
now measures the module the model uses.

Printed: nanoseconds per number of each against numpy's (RATIO numpy / portable: above 1, the model's
are faster), timed interleaved in one process, best of ``--repeats``; and over the ranges the model feeds
them how many of 200,000 results differ from numpy's and by how many units in the last place, and how
many of 2,000 are not the correctly rounded value (Python's decimal at 60 digits), for both.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from decimal import Context, Decimal, localcontext
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reference import positive  # noqa: E402  (a whole number >= 1, else one line and exit 2)

from sim.core import maths  # noqa: E402
from sim.core import pmath as pm  # noqa: E402

DIGITS = Context(prec=60)  # the reference values' arithmetic (not the process's context)
FUNCTIONS = {"exp": (pm.exp, np.exp), "log": (pm.log, np.log), "log1p": (pm.log1p, np.log1p),
             "pow": (pm.power, np.power)}


def ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Units in the last place between two arrays of doubles of one sign each (by magnitude)."""
    return np.abs(np.abs(a).view(np.int64) - np.abs(b).view(np.int64))


def model_ranges(size: int) -> dict[str, tuple]:
    """Inputs over the ranges the model feeds these functions (positive x from 1e-6 to 1e6, exponents
    from -3 to 3, and the elasticities' constant powers)."""
    rng = np.random.default_rng(19)
    x = np.exp(rng.uniform(np.log(1e-6), np.log(1e6), size))
    return {
        "exp": (rng.uniform(-21.0, 21.0, size),),
        "log": (x,),
        "log1p": (rng.uniform(-0.99, 20.0, size),),
        "pow, exponent -3..3": (x, rng.uniform(-3.0, 3.0, size)),
        "pow, exponent 0.35": (x, np.full(size, 0.35)),
        "pow, exponent -0.3": (x, np.full(size, -0.3)),
    }


def both(name: str, inputs: tuple) -> tuple[np.ndarray, np.ndarray]:
    """(the model's results, numpy's) of a :func:`model_ranges` entry."""
    ours, theirs = FUNCTIONS[name.split(",")[0]]
    return ours(*inputs), theirs(*inputs)


def correctly_rounded(name: str, inputs: tuple) -> np.ndarray:
    """Each result computed in Python's decimal at 60 digits, then rounded once to a double."""
    with localcontext(DIGITS):
        if name == "exp":
            vals = [Decimal(float(v)).exp() for v in inputs[0]]
        elif name == "log":
            vals = [Decimal(float(v)).ln() for v in inputs[0]]
        elif name == "log1p":
            vals = [(1 + Decimal(float(v))).ln() for v in inputs[0]]
        else:
            vals = [(Decimal(float(b)).ln() * Decimal(float(e))).exp() for b, e in zip(*inputs)]
    return np.array([float(v) for v in vals])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=positive, default=50_000, help="numbers per call (default 50,000: a default world's firms)")
    ap.add_argument("--repeats", type=positive, default=7)
    args = ap.parse_args(argv)
    n = args.size
    rng = np.random.default_rng(1)
    x_exp = rng.uniform(-30.0, 30.0, n)
    x_pos = np.exp(rng.uniform(-10.0, 10.0, n))
    x_l1p = rng.uniform(-0.9, 10.0, n)
    out = np.empty(n)
    cases = [
        ("exp", lambda: pm.exp(x_exp, out=out), lambda: np.exp(x_exp, out=out)),
        ("log", lambda: pm.log(x_pos, out=out), lambda: np.log(x_pos, out=out)),
        ("log1p", lambda: pm.log1p(x_l1p, out=out), lambda: np.log1p(x_l1p, out=out)),
        ("pow", lambda: pm.power(x_pos, 0.35, out=out), lambda: np.power(x_pos, 0.35, out=out)),
    ]
    for _, ours, _ in cases:
        ours()  # compile or load
    number = max(1, 5_000_000 // n)
    print(f"{n:,} numbers a call, best of {args.repeats} x {number} calls; numpy's float64 functions here are "
          + ("numpy's SIMD loops (AVX-512)" if maths.simd_maths() else "the C library's"))
    for name, ours, theirs in cases:
        t_ours, t_np = [], []
        for _ in range(args.repeats):  # interleaved, so that the machine's load falls on both alike
            t_ours.append(timeit.timeit(ours, number=number))
            t_np.append(timeit.timeit(theirs, number=number))
        a, b = min(t_ours) / number / n * 1e9, min(t_np) / number / n * 1e9
        print(f"  {name}: portable {a:.2f} ns a number, numpy {b:.2f} ns: RATIO numpy / portable {b / a:.2f}")
    # in place (out= the input, as the model calls them): a copy of the input, then the call; the copy's
    # own time is measured alike and taken off (a loop writing over its input ran unvectorised before 33rd)
    work = np.empty(n)
    inputs = {"exp": (x_exp,), "log": (x_pos,), "log1p": (x_l1p,), "pow": (x_pos, 0.35)}
    funcs = {"exp": pm.exp, "log": pm.log, "log1p": pm.log1p, "pow": pm.power}
    for name, args_ in inputs.items():
        src, rest = args_[0], args_[1:]
        t_in, t_copy = [], []
        for _ in range(args.repeats):
            t_in.append(timeit.timeit(lambda: (np.copyto(work, src), funcs[name](work, *rest, out=work)), number=number))
            t_copy.append(timeit.timeit(lambda: np.copyto(work, src), number=number))
        c = (min(t_in) - min(t_copy)) / number / n * 1e9
        print(f"  {name} in place (out= its input): portable {c:.2f} ns a number")
    print("against numpy's results over the model's ranges (200,000 numbers each):")
    for name, inputs in model_ranges(200_000).items():
        ours, theirs = both(name, inputs)
        d = ulps(ours, theirs)
        print(f"  {name}: {np.mean(d != 0) * 100:.2f} % differ, by at most {int(d.max())} ulp")
    print("against the correctly rounded result (Python's decimal at 60 digits, 2,000 numbers each):")
    for name, inputs in model_ranges(2_000).items():
        ours, theirs = both(name, inputs)
        exact = correctly_rounded(name.split(",")[0], inputs)
        d_ours, d_np = ulps(ours, exact), ulps(theirs, exact)
        print(f"  {name}: portable {np.mean(d_ours != 0) * 100:.2f} % not correctly rounded (at most "
              f"{int(d_ours.max())} ulp off), numpy {np.mean(d_np != 0) * 100:.2f} % (at most {int(d_np.max())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
