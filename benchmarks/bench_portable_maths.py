"""Portable exp, log and pow in compiled arithmetic: how fast, and how close to numpy's (a prototype).

    python benchmarks/bench_portable_maths.py [--size 50000] [--repeats 7]

Why: numpy's float64 ``exp``, ``log`` and ``power`` are the C library's on CPUs without AVX-512 and
numpy's own SIMD loops on those with it, and the two round differently in the last bit of a few per
cent of their results (``sim.core.maths``): the same scenario and seed gives tables that agree closely
but not bit for bit across the two kinds of CPU. On a CPU without AVX-512 the C library's functions are
also slow: a third of a Sobol study row's time on an AMD EPYC with AVX2 (docs/performance.md,
thirty-first session; ~7 % on the Intel Xeon with AVX-512, where they are numpy's SIMD loops).

Functions written in the model's own compiled arithmetic (``+ - * /``, comparisons, integer bit
operations and IEEE's correctly rounded ``fma``; no library call) round alike on every IEEE machine
(numba compiles without fast-math, so LLVM may not reorder or contract them) and LLVM can vectorise
their loops. This script holds such functions, as a prototype the model does not use, and measures them
against numpy on this machine:

- ``exp``: ``x = k ln2 + r``, ``|r| <= ln2/2`` (Cody and Waite's two-part ln2, ``r`` kept in two
  doubles), Taylor's series of ``exp(r)`` to ``r^13`` (remainder < 5e-18) summed so that only its last
  addition rounds at full size (``1 + r`` and its rounding error apart: 1.5 % of results 1 ulp off the
  correctly rounded value, 10 % without), ``2^k`` built from its bits in a second pass;
- ``log``: fdlibm's ``e_log.c`` (Sun Microsystems, 1993; its constants ``Lg1``-``Lg7``, error < 1 ulp)
  with its two formulas both computed and one selected (no branch: the loop vectorises);
- ``pow(x, y)``: ``exp(y log x)`` with ``log x`` carried in two doubles (fdlibm's log, its ``f^2/2`` made
  exact with an ``fma``) and ``y log x`` in two (``fma`` again), the low part added to ``exp``'s ``r``.

Inputs outside the fast paths (``exp``: outside [-708, 709] or NaN; ``log`` and ``pow``: x not a
positive normal finite number, ``y`` not finite, or a result outside [-708, 709] in the exponent) are
handed to numpy here; a version the model used would need its own special cases (the model feeds these
functions none). Printed: nanoseconds per number of each against numpy's (ratio numpy / portable), and
over the ranges the model feeds them how many of 200,000 results differ from numpy's and by how many
units in the last place.
"""

from __future__ import annotations

import argparse
import math
import sys
import timeit
from decimal import Context, Decimal, localcontext
from pathlib import Path

import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.core.extending import intrinsic

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reference import positive  # noqa: E402  (a whole number >= 1, else one line and exit 2)

from sim.core import maths  # noqa: E402

DIGITS = Context(prec=60)  # the constants' and the reference values' arithmetic (not the process's context)
_LN2 = DIGITS.ln(Decimal(2))


def _hi_part(d: Decimal, clear_bits: int) -> float:
    """``d`` rounded to a double with its lowest ``clear_bits`` significand bits cleared (so that an
    integer times it of up to ``clear_bits`` bits is exact)."""
    bits = np.array([float(d)]).view(np.int64) & ~np.int64((1 << clear_bits) - 1)
    return float(bits.view(np.float64)[0])


INV_LN2 = float(DIGITS.divide(1, _LN2))
LN2_HI = _hi_part(_LN2, 24)
LN2_LO = float(DIGITS.subtract(_LN2, Decimal(LN2_HI)))
SHIFT = 6755399441055744.0  # 1.5 x 2^52: (z + SHIFT) - SHIFT is z rounded to an integer (|z| < 2^51)
E2, E3, E4, E5, E6, E7, E8, E9, E10, E11, E12, E13 = (float(DIGITS.divide(1, math.factorial(n)))
                                                      for n in range(2, 14))
# fdlibm e_log.c
LG_LN2_HI = 6.93147180369123816490e-01  # 0x3fe62e42 fee00000
LG_LN2_LO = float(DIGITS.subtract(_LN2, Decimal(LG_LN2_HI)))
Lg1, Lg2, Lg3, Lg4 = 6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01, 2.222219843214978396e-01
Lg5, Lg6, Lg7 = 1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01
TINY = float(np.finfo(np.float64).tiny)  # the smallest positive normal double


@intrinsic
def fma(typingctx, a, b, c):  # pragma: no cover - compiled
    """IEEE's fused multiply-add, correctly rounded (LLVM's ``llvm.fma``: one instruction with FMA, a
    correctly rounded library call without)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        d = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [d], ir.FunctionType(d, [d, d, d]))
        return builder.call(fn, args)

    return sig, codegen


@nb.njit(inline="always", error_model="numpy")
def _exp_parts(x, x_lo):  # pragma: no cover - compiled
    """exp(x + x_lo), |x_lo| tiny beside x, as (the bits of 2^k, exp(r)): x = k ln2 + r."""
    xi = min(max(x, -708.0), 709.0)
    kd = (xi * INV_LN2 + SHIFT) - SHIFT
    t = xi - kd * LN2_HI  # exact
    c = kd * LN2_LO - x_lo
    r = t - c
    r_lo = (t - r) - c  # r + r_lo = t - c to twice the precision
    q = E9 + r * (E10 + r * (E11 + r * (E12 + r * E13)))
    q = E5 + r * (E6 + r * (E7 + r * (E8 + r * q)))
    one_r = 1.0 + r  # 1 + r and its rounding error (|r| < 1: Fast2Sum), so that the series' sum rounds once
    e_r = one_r + ((((1.0 - one_r) + r) + r_lo) + r * r * (0.5 + r * (E3 + r * (E4 + r * q))))
    return (np.int64(np.int32(kd)) + 1023) << 52, e_r


@nb.njit(boundscheck=False, error_model="numpy")
def _exp_r(x, out, kb):  # pragma: no cover - compiled
    # exp(r) into out, the bits of 2^k into kb (_times multiplies them in)
    for i in range(x.size):
        kb[i], out[i] = _exp_parts(x[i], 0.0)


@nb.njit(boundscheck=False)
def _times(out, scale):  # pragma: no cover - compiled
    for i in range(out.size):
        out[i] *= scale[i]


@nb.njit(boundscheck=False)
def _log_split(xb, mb, dk, sel):  # pragma: no cover - compiled
    # x = 2^k m with m in [sqrt(2)/2, sqrt(2)) (positive normal x), and which of fdlibm's two formulas
    for i in range(xb.size):
        hx = (xb[i] >> 32) & 0xFFFFFFFF
        k = (hx >> 20) - 1023
        hx &= 0x000FFFFF
        t = (hx + 0x95F64) & 0x100000
        mb[i] = ((hx | (t ^ 0x3FF00000)) << 32) | (xb[i] & 0xFFFFFFFF)
        dk[i] = np.float64(k + (t >> 20))
        sel[i] = 1.0 if ((hx - 0x6147A) | (0x6B851 - hx)) > 0 else 0.0


@nb.njit(inline="always", error_model="numpy")
def _fdlibm_r(f):  # pragma: no cover - compiled
    """fdlibm's s = f / (2 + f) and its polynomial R(s^2) for log(1 + f)."""
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    return s, z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7))) + w * (Lg2 + w * (Lg4 + w * Lg6))


@nb.njit(boundscheck=False, error_model="numpy")
def _log_m(m, dk, sel, out):  # pragma: no cover - compiled
    for i in range(m.size):
        f = m[i] - 1.0
        s, big_r = _fdlibm_r(f)
        k = dk[i]
        hfsq = 0.5 * f * f
        a = k * LG_LN2_HI - ((hfsq - (s * (hfsq + big_r) + k * LG_LN2_LO)) - f)
        b = k * LG_LN2_HI - ((s * (f - big_r) - k * LG_LN2_LO) - f)
        out[i] = a if sel[i] > 0.5 else b


@nb.njit(boundscheck=False, error_model="numpy")
def _pow_r(m, dk, y, out, kb):  # pragma: no cover - compiled
    for i in range(m.size):
        f = m[i] - 1.0
        s, big_r = _fdlibm_r(f)
        k = dk[i]
        hf = 0.5 * f * f
        hfe = fma(0.5 * f, f, -hf)  # f^2/2 = hf + hfe exactly
        h = f - hf
        lo_m = ((f - h) - hf) - hfe + s * (hf + big_r)  # log m = h + lo_m
        a = k * LG_LN2_HI  # exact: 21 bits of k times 32 of ln2's high part
        hi = a + h
        lo = (((a - hi) + h) if abs(a) >= abs(h) else ((h - hi) + a)) + (lo_m + k * LG_LN2_LO)
        g = hi + lo
        g_lo = (hi - g) + lo  # log x = g + g_lo
        p = y[i] * g
        kb[i], e = _exp_parts(p, fma(y[i], g, -p) + y[i] * g_lo)  # exp(y log x), y log x = p + its low part
        out[i] = e if -708.0 <= p <= 709.0 else np.nan  # outside exp's fast path: marked for ppow's fallback


class Work:
    """Buffers for ``size`` numbers, so that timings see the functions' passes, not allocation."""

    def __init__(self, size: int) -> None:
        self.out = np.empty(size)
        self.kb = np.empty(size, dtype=np.int64)
        self.mb = np.empty(size, dtype=np.int64)
        self.dk = np.empty(size)
        self.sel = np.empty(size)

    def exp(self, x: np.ndarray) -> np.ndarray:
        _exp_r(x, self.out, self.kb)
        _times(self.out, self.kb.view(np.float64))
        return self.out

    def log(self, x: np.ndarray) -> np.ndarray:
        _log_split(x.view(np.int64), self.mb, self.dk, self.sel)
        _log_m(self.mb.view(np.float64), self.dk, self.sel, self.out)
        return self.out

    def pow(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        _log_split(x.view(np.int64), self.mb, self.dk, self.sel)
        _pow_r(self.mb.view(np.float64), self.dk, y, self.out, self.kb)
        _times(self.out, self.kb.view(np.float64))
        return self.out


def _f64(x) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=np.float64)


def pexp(x) -> np.ndarray:
    """Portable ``exp`` of a 1-d array (a new array)."""
    x = _f64(x)
    out = Work(x.size).exp(x)
    rest = ~((x >= -708.0) & (x <= 709.0))
    out[rest] = np.exp(x[rest])
    return out


def plog(x) -> np.ndarray:
    """Portable ``log`` of a 1-d array (a new array)."""
    x = _f64(x)
    out = Work(x.size).log(x)
    rest = ~((x >= TINY) & (x < np.inf))
    out[rest] = np.log(x[rest])
    return out


def ppow(x, y) -> np.ndarray:
    """Portable ``x ** y`` of a 1-d array ``x`` and an array or number ``y`` (a new array)."""
    x = _f64(x)
    y = _f64(np.broadcast_to(y, x.shape))
    out = Work(x.size).pow(x, y)  # NaN where y log x left exp's fast path
    rest = ~((x >= TINY) & (x < np.inf) & np.isfinite(y)) | np.isnan(out)
    out[rest] = np.power(x[rest], y[rest])
    return out


def ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Units in the last place between two arrays of positive doubles (or equal ones)."""
    return np.abs(a.view(np.int64) - b.view(np.int64))


def model_ranges(size: int) -> dict[str, tuple]:
    """Inputs over the ranges the model feeds these functions (sim.core.maths' fingerprint ranges:
    positive x from 1e-6 to 1e6, exponents from -3 to 3, and the elasticities' constant powers)."""
    rng = np.random.default_rng(19)
    x = np.exp(rng.uniform(np.log(1e-6), np.log(1e6), size))
    return {
        "exp": (rng.uniform(-21.0, 21.0, size),),
        "log": (x,),
        "pow, exponent -3..3": (x, rng.uniform(-3.0, 3.0, size)),
        "pow, exponent 0.35": (x, np.full(size, 0.35)),
        "pow, exponent -0.3": (x, np.full(size, -0.3)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=positive, default=50_000, help="numbers per call (default 50,000: a default world's firms)")
    ap.add_argument("--repeats", type=positive, default=7)
    args = ap.parse_args(argv)
    n = args.size
    rng = np.random.default_rng(1)
    w = Work(n)
    x_exp = rng.uniform(-30.0, 30.0, n)
    x_pos = np.exp(rng.uniform(-10.0, 10.0, n))
    y = np.full(n, 0.35)
    out = np.empty(n)
    cases = [
        ("exp", lambda: w.exp(x_exp), lambda: np.exp(x_exp, out=out)),
        ("log", lambda: w.log(x_pos), lambda: np.log(x_pos, out=out)),
        ("pow", lambda: w.pow(x_pos, y), lambda: np.power(x_pos, y, out=out)),
    ]
    w.exp(x_exp), w.log(x_pos), w.pow(x_pos, y)  # compile
    number = max(1, 5_000_000 // n)
    print(f"{n:,} numbers a call, best of {args.repeats} x {number} calls; numpy's float64 functions here are "
          + ("numpy's SIMD loops (AVX-512)" if maths.simd_maths() else "the C library's"))
    for name, ours, theirs in cases:
        # interleaved, so that the machine's load falls on both alike
        t_ours, t_np = [], []
        for _ in range(args.repeats):
            t_ours.append(timeit.timeit(ours, number=number))
            t_np.append(timeit.timeit(theirs, number=number))
        a, b = min(t_ours) / number / n * 1e9, min(t_np) / number / n * 1e9
        print(f"  {name}: portable {a:.2f} ns a number, numpy {b:.2f} ns: RATIO numpy / portable {b / a:.2f}")
    print("against numpy's results over the model's ranges (200,000 numbers each):")
    for name, inputs in model_ranges(200_000).items():
        ours, theirs = both(name, inputs)
        d = ulps(ours, theirs)
        print(f"  {name}: {np.mean(d != 0) * 100:.2f} % differ, by at most {int(d.max())} ulp")
    print("against the correctly rounded result (Python's decimal at 60 digits, 2,000 numbers each):")
    for name, inputs in model_ranges(2_000).items():
        ours, theirs = both(name, inputs)
        exact = correctly_rounded(name, inputs)
        d_ours, d_np = ulps(ours, exact), ulps(theirs, exact)
        print(f"  {name}: portable {np.mean(d_ours != 0) * 100:.2f} % not correctly rounded (at most "
              f"{int(d_ours.max())} ulp off), numpy {np.mean(d_np != 0) * 100:.2f} % (at most {int(d_np.max())})")
    return 0


def both(name: str, inputs: tuple) -> tuple[np.ndarray, np.ndarray]:
    """(the portable function's results, numpy's) of a :func:`model_ranges` entry."""
    if name == "exp":
        return pexp(*inputs), np.exp(*inputs)
    if name == "log":
        return plog(*inputs), np.log(*inputs)
    return ppow(*inputs), np.power(*inputs)


def correctly_rounded(name: str, inputs: tuple) -> np.ndarray:
    """Each result computed in Python's decimal at 60 digits, then rounded once to a double (log's
    results may be negative: compared by their bits all the same, as both sides have one sign)."""
    with localcontext(DIGITS):
        if name == "exp":
            vals = [Decimal(float(v)).exp() for v in inputs[0]]
        elif name == "log":
            vals = [Decimal(float(v)).ln() for v in inputs[0]]
        else:
            vals = [(Decimal(float(b)).ln() * Decimal(float(e))).exp() for b, e in zip(*inputs)]
    return np.array([float(v) for v in vals])


if __name__ == "__main__":
    raise SystemExit(main())
