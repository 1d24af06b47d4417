"""Compiled scalar functions and loops of :mod:`sim.core.pmath` (the methods are described there).

Imported on first use of :mod:`sim.core.pmath` (numba's start-up is not paid by ``zonesim --help``) and by
the fused kernels (``sim.core.fused``), which call the scalar functions inline.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.core.extending import intrinsic

from sim.core import pmath_tables as _T

# exp (constants: Python's decimal at 60 digits, rounded once; a test recomputes them)
INV_LN2 = 1.4426950408889634
LN2_HI = 0.6931471787393093  # ln 2 rounded with its lowest 24 significand bits cleared: k * LN2_HI is exact
LN2_LO = 1.8206359985041462e-09  # ln 2 - LN2_HI
SHIFT = 6755399441055744.0  # 1.5 x 2^52: (z + SHIFT) - SHIFT is z rounded to an integer (|z| < 2^51)
E3, E4, E5, E6, E7, E8 = (0.16666666666666666, 0.041666666666666664, 0.008333333333333333,
                          0.001388888888888889, 0.0001984126984126984, 2.48015873015873e-05)
E9, E10, E11, E12, E13 = (2.7557319223985893e-06, 2.755731922398589e-07, 2.505210838544172e-08,
                          2.08767569878681e-09, 1.6059043836821613e-10)  # 1/n!
# exp's fast path: 2^k a normal number, and (table-driven) scale x tmp in _texp_finish far enough above the
# subnormal numbers that its rounding (absolute 2^-1075 there) is below 2^-13 of the result's last place:
# below -700 (2^-1010) the slow path's two-step scale (at -708 the fast path was 0.67 ulp off on 10 % of
# numbers; test_pmath's "exp, subnormal and near overflow")
EXP_LO, EXP_HI = -700.0, 709.0
# the table-driven exp and pow (Arm's optimized-routines method; sim/core/pmath_tables.py, written by
# scripts/gen_pmath_tables.py): 2^(j/128) from a table, Taylor's series of exp(r) to r^5 for
# |r| <= ln2/256 (remainder < 2^-60), log(1 + r) to r^9 for |r| < 1/128 (remainder < 2^-72)
TN = _T.N  # 128 parts
EXP_TAIL, EXP_SBITS, LOG_INVC, LOG_C, LOG_CTAIL = _T.EXP_TAIL, _T.EXP_SBITS, _T.LOG_INVC, _T.LOG_C, _T.LOG_CTAIL
EXP_INV_LN2_N, EXP_LN2_HI_N, EXP_LN2_LO_N = _T.EXP_INV_LN2_N, _T.EXP_LN2_HI_N, _T.EXP_LN2_LO_N
LOG_LN2_HI, LOG_LN2_LO, LOG_OFF = _T.LOG_LN2_HI, _T.LOG_LN2_LO, _T.OFF
TE2, TE3, TE4, TE5 = 0.5, 0.16666666666666666, 0.041666666666666664, 0.008333333333333333  # 1/n!
# log(1 + r) - r + r^2/2 = (-r^3/2) (PA1 + r PA2 + (-r^2/2) (PA3 + r PA4 + (-r^2/2) (PA5 + r PA6 + (-r^2/2) PA7)))
PA1, PA2, PA3, PA4 = -0.6666666666666666, 0.5, 0.8, -0.6666666666666666  # -2/3, 1/2, 4/5, -2/3
PA5, PA6, PA7 = -1.1428571428571428, 1.0, 1.7777777777777777  # -8/7, 1, 16/9
SHIFT_BITS = 0x4338000000000000  # the bits of SHIFT: bits(SHIFT) + k is SHIFT + k for |k| < 2^51
TOP12 = -(1 << 52)  # an int64 with its top 12 bits set
# fdlibm e_log.c
LG_LN2_HI = 6.93147180369123816490e-01  # 0x3fe62e42 fee00000
LG_LN2_LO = 1.9082149292705877e-10  # ln 2 - LG_LN2_HI
Lg1, Lg2, Lg3, Lg4 = 6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01, 2.222219843214978396e-01
Lg5, Lg6, Lg7 = 1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01
TINY = 2.2250738585072014e-308  # the smallest positive normal double
TWO54 = 18014398509481984.0
# fdlibm k_sin.c, k_cos.c, e_rem_pio2.c
S1, S2, S3 = -1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04
S4, S5, S6 = 2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10
C1, C2, C3 = 4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05
C4, C5, C6 = -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11
INV_PIO2 = 6.36619772367581382433e-01
PIO2_1 = 1.57079632673412561417e+00  # the first 33 bits of pi/2
PIO2_1T = 6.07710050650619224932e-11  # pi/2 - PIO2_1
PIO2_2 = 6.07710050630396597660e-11  # the second 33 bits
PIO2_2T = 2.02226624879595063154e-21  # pi/2 - (PIO2_1 + PIO2_2)
TRIG_MAX = 1647099.3291652855
# fdlibm e_asin.c
PIO2_HI, PIO2_LO, PIO4_HI = 1.57079632679489655800e+00, 6.12323399573676603587e-17, 7.85398163397448278999e-01
PS0, PS1, PS2 = 1.66666666666666657415e-01, -3.25565818622400915405e-01, 2.01212532134862925881e-01
PS3, PS4, PS5 = -4.00555345006794114027e-02, 7.91534994289814532176e-04, 3.47933107596021167570e-05
QS1, QS2 = -2.40339491173441421878e+00, 2.02094576023350569471e+00
QS3, QS4 = -6.88283971605453293030e-01, 7.70381505559019352791e-02  # 2^20 pi/2: the reduction's range

_JIT = dict(error_model="numpy", cache=True, nogil=True)  # nogil: the loops may run in parts on threads (sim.core.threads)


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


@intrinsic
def as_f64(typingctx, bits):  # pragma: no cover - compiled
    """The double whose bits are the int64 ``bits``."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@intrinsic
def as_i64(typingctx, x):  # pragma: no cover - compiled
    """The bits of the double ``x`` as an int64."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@intrinsic
def wide_vectors(typingctx):  # pragma: no cover - compiled
    """Lets LLVM vectorise the calling function's loops with the widest vectors the CPU has (512 bits
    with AVX-512) instead of its default for the CPU (256 bits on Intel's AVX-512 CPUs, to spare the
    clock in code that mixes vectors with scalar work: LLVM's ``prefer-vector-width``, set on the one
    function). Called first in a loop function: the same operations, so the same bits (no fast-math:
    each element's arithmetic is what it was, only how many run side by side changes); on a CPU without
    AVX-512 nothing changes. The maths loops below ran 10-25 % faster with it on an Intel Sapphire
    Rapids (docs/performance.md, forty-fourth session). (Not sin's, cos's and arcsin's: their loops call a
    branching function a number and are not vectorised.)"""
    def codegen(context, builder, signature, args):
        # llvmlite knows no string attributes; the IR it writes takes them as they are
        set.add(builder.function.attributes, '"prefer-vector-width"="512"')
        return context.get_dummy_value()

    return types.none(), codegen


# --- exp -------------------------------------------------------------------------------------------

@nb.njit(inline="always", **_JIT)
def _exp_parts(x, x_lo):  # pragma: no cover - compiled
    """exp(x + x_lo) as (k, exp(r)) with x + x_lo = k ln2 + r; x clamped to [-746, 710] (k in [-1076, 1025]),
    |x_lo| tiny beside x. The slow path's (x below EXP_LO or above EXP_HI), by Taylor's series to r^13."""
    xi = min(max(x, -746.0), 710.0)
    kd = (xi * INV_LN2 + SHIFT) - SHIFT
    t = xi - kd * LN2_HI  # exact
    c = kd * LN2_LO - x_lo
    r = t - c
    r_lo = (t - r) - c  # r + r_lo = t - c to twice the precision
    q = E9 + r * (E10 + r * (E11 + r * (E12 + r * E13)))
    q = E5 + r * (E6 + r * (E7 + r * (E8 + r * q)))
    one_r = 1.0 + r  # 1 + r and its rounding error (|r| < 1: Fast2Sum), so that the series' sum rounds once
    e_r = one_r + ((((1.0 - one_r) + r) + r_lo) + r * r * (0.5 + r * (E3 + r * (E4 + r * q))))
    return np.int64(kd), e_r


@nb.njit(inline="always", **_JIT)
def _texp_reduce(x, x_lo):  # pragma: no cover - compiled
    """x + x_lo = k ln2/128 + r, |r| <= ln2/256 (to ~2^-60 with |x_lo| tiny): (r, k's bits: k in the low
    bits of SHIFT + k, which is all _texp_finish reads of them)."""
    kd = EXP_INV_LN2_N * x + SHIFT
    ki = as_i64(kd)
    kd -= SHIFT
    r = (x - kd * EXP_LN2_HI_N) - kd * EXP_LN2_LO_N  # kd * EXP_LN2_HI_N exact (33 bits by |k| < 2^18)
    return r + x_lo, ki


@nb.njit(inline="always", **_JIT)
def _texp_finish(r, ki, tail, sbits):  # pragma: no cover - compiled
    """exp(k ln2/128 + r) = 2^q H[j] (1 + T[j]) exp(r), k = 128 q + j; ``tail`` = T[j], ``sbits`` = the table's
    bits of H[j] less j << 45 (adding k << 45 puts q in the exponent)."""
    r2 = r * r
    tmp = tail + r + r2 * (TE2 + r * TE3) + r2 * r2 * (TE4 + r * TE5)
    scale = as_f64(sbits + (ki << 45))
    return scale + scale * tmp


@nb.njit(inline="always", **_JIT)
def _exp_fast(x, x_lo):  # pragma: no cover - compiled
    """exp(x + x_lo) for x in [EXP_LO, EXP_HI] (elsewhere a number, not exp's): the table-driven method."""
    r, ki = _texp_reduce(x, x_lo)
    j = ki & (TN - 1)
    return _texp_finish(r, ki, EXP_TAIL[j], EXP_SBITS[j])


@nb.njit(**_JIT)
def _exp_slow(x, x_lo):  # pragma: no cover - compiled
    """exp(x + x_lo) for x outside the fast path: NaN, infinities, results that overflow, and x below EXP_LO
    (results near or below the smallest normal number: 2^k in two steps)."""
    if x != x:
        return x
    if x > 709.8:
        return np.inf
    if x < -745.2:
        return 0.0
    k, e = _exp_parts(x, x_lo)
    k1 = k >> 1
    return (e * as_f64((k1 + 1023) << 52)) * as_f64((k - k1 + 1023) << 52)


@nb.njit(inline="always", **_JIT)
def exp2p(x, x_lo):  # pragma: no cover - compiled
    """exp(x + x_lo), x any double, |x_lo| tiny beside x."""
    if x >= EXP_LO and x <= EXP_HI:
        return _exp_fast(x, x_lo)
    return _exp_slow(x, x_lo)


@nb.njit(inline="always", **_JIT)
def exp1(x):  # pragma: no cover - compiled
    """exp(x) of one number."""
    return exp2p(x, 0.0)


# --- log -------------------------------------------------------------------------------------------

@nb.njit(inline="always", **_JIT)
def _split(x):  # pragma: no cover - compiled
    """x = 2^k m, m in [sqrt(2)/2, sqrt(2)), for a positive normal x: (m, k as a double, which of fdlibm's
    two formulas)."""
    xb = as_i64(x)
    hx = (xb >> 32) & 0xFFFFFFFF
    k = (hx >> 20) - 1023
    hx &= 0x000FFFFF
    t = (hx + 0x95F64) & 0x100000
    m = as_f64(((hx | (t ^ 0x3FF00000)) << 32) | (xb & 0xFFFFFFFF))
    return m, np.float64(k + (t >> 20)), ((hx - 0x6147A) | (0x6B851 - hx)) > 0


@nb.njit(inline="always", **_JIT)
def _fdlibm_r(f):  # pragma: no cover - compiled
    """fdlibm's s = f / (2 + f) and its polynomial R(s^2) for log(1 + f)."""
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    return s, z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7))) + w * (Lg2 + w * (Lg4 + w * Lg6))


@nb.njit(inline="always", **_JIT)
def _log_fast(x):  # pragma: no cover - compiled
    """log(x) of a positive normal finite x (elsewhere a number, not log's)."""
    m, k, sel = _split(x)
    f = m - 1.0
    s, big_r = _fdlibm_r(f)
    hfsq = 0.5 * f * f
    a = k * LG_LN2_HI - ((hfsq - (s * (hfsq + big_r) + k * LG_LN2_LO)) - f)
    b = k * LG_LN2_HI - ((s * (f - big_r) - k * LG_LN2_LO) - f)
    return a if sel else b


@nb.njit(**_JIT)
def _log_slow(x):  # pragma: no cover - compiled
    """log(x) outside the fast path: NaN, negatives, zero, infinity, subnormal numbers."""
    if x != x:
        return x
    if x < 0.0:
        return np.nan
    if x == 0.0:
        return -np.inf
    if x == np.inf:
        return x
    return _log_fast(x * TWO54) - 54.0 * LG_LN2_HI - 54.0 * LG_LN2_LO  # subnormal: scaled exactly first


@nb.njit(inline="always", **_JIT)
def log1(x):  # pragma: no cover - compiled
    """log(x) of one number."""
    if x >= TINY and x < np.inf:
        return _log_fast(x)
    return _log_slow(x)


@nb.njit(inline="always", **_JIT)
def log2p(x):  # pragma: no cover - compiled
    """log(x) of a positive normal finite x in two doubles (hi, lo), |lo| <= ulp(hi)/2."""
    m, k, _ = _split(x)
    f = m - 1.0
    s, big_r = _fdlibm_r(f)
    hf = 0.5 * f * f
    hfe = fma(0.5 * f, f, -hf)  # f^2/2 = hf + hfe exactly
    h = f - hf
    lo_m = ((f - h) - hf) - hfe + s * (hf + big_r)  # log m = h + lo_m
    a = k * LG_LN2_HI  # exact: 21 bits of k times 32 of ln2's high part
    hi = a + h
    lo = (((a - hi) + h) if abs(a) >= abs(h) else ((h - hi) + a)) + (lo_m + k * LG_LN2_LO)
    g = hi + lo
    return g, (hi - g) + lo


@nb.njit(inline="always", **_JIT)
def _log1p_fast(x):  # pragma: no cover - compiled
    """log(1 + x) for x > -1 with 1 + x finite."""
    u = 1.0 + x
    e = ((1.0 - u) + x) if abs(x) <= 1.0 else ((x - u) + 1.0)  # u = 1 + x - e... exactly: 1 + x = u + e
    g, g_lo = log2p(u)
    return g + (g_lo + e / u)


@nb.njit(**_JIT)
def _log1p_slow(x):  # pragma: no cover - compiled
    if x != x:
        return x
    if x == -1.0:
        return -np.inf
    if x < -1.0:
        return np.nan
    return x  # +inf


@nb.njit(inline="always", **_JIT)
def log1p1(x):  # pragma: no cover - compiled
    """log(1 + x) of one number."""
    if x > -1.0 and x < np.inf:
        return _log1p_fast(x)
    return _log1p_slow(x)


# --- pow -------------------------------------------------------------------------------------------

@nb.njit(inline="always", **_JIT)
def _tlog_split(x):  # pragma: no cover - compiled
    """x = 2^k z, z in [0x1.69555p-1, 0x1.69555p0) (x positive, normal, finite): (the table's part i, k as a
    double, z)."""
    ix = as_i64(x)
    tmp = ix - LOG_OFF
    kd = as_f64((tmp >> 52) + SHIFT_BITS) - SHIFT  # k exactly (no int64-to-double conversion: vectorises)
    return (tmp >> 45) & (TN - 1), kd, as_f64(ix - (tmp & TOP12))


@nb.njit(inline="always", **_JIT)
def _tlog(z, kd, invc, logc, logctail):  # pragma: no cover - compiled
    """log(2^k z) in two doubles (hi, lo) from the table's part of z: k ln2 + log(c) + log(1 + r),
    r = z/c - 1 exact in one fma, |r| < 1/128; log(c) = logc + logctail with k ln2_hi + logc exact."""
    r = fma(z, invc, -1.0)
    t1 = kd * LOG_LN2_HI + logc
    t2 = t1 + r
    lo1 = kd * LOG_LN2_LO + logctail
    lo2 = t1 - t2 + r
    ar = -0.5 * r
    ar2 = r * ar
    ar3 = r * ar2
    hi = t2 + ar2
    lo3 = fma(ar, r, -ar2)  # the rounding error of ar2 = -r^2/2
    lo4 = t2 - hi + ar2
    p = ar3 * (PA1 + r * PA2 + ar2 * (PA3 + r * PA4 + ar2 * (PA5 + r * PA6 + ar2 * PA7)))
    lo = lo1 + lo2 + lo3 + lo4 + p
    g = hi + lo
    return g, hi - g + lo


@nb.njit(inline="always", **_JIT)
def _pow_arg(z, kd, invc, logc, logctail, y):  # pragma: no cover - compiled
    """y log x in two doubles (p, p_lo)."""
    g, g_lo = _tlog(z, kd, invc, logc, logctail)
    p = y * g
    return p, y * g_lo + fma(y, g, -p)


@nb.njit(inline="always", **_JIT)
def _pow_fast(x, y):  # pragma: no cover - compiled
    """x^y for a positive normal finite x and finite y: exp(y log x), both table-driven."""
    i, kd, z = _tlog_split(x)
    p, p_lo = _pow_arg(z, kd, LOG_INVC[i], LOG_C[i], LOG_CTAIL[i], y)
    return exp2p(p, p_lo)


@nb.njit(**_JIT)
def _pow_slow(x, y):  # pragma: no cover - compiled
    """x^y outside the fast path, with C99's special cases."""
    if y == 0.0 or x == 1.0:
        return 1.0
    if x != x or y != y:
        return np.nan
    ax = abs(x)
    if abs(y) == np.inf:
        if ax == 1.0:
            return 1.0
        return np.inf if (ax > 1.0) == (y > 0.0) else 0.0
    odd = False
    neg = as_i64(x) < 0  # the sign bit: -0.0 too
    if neg:
        whole = np.floor(y) == y
        if not whole and ax != np.inf and ax != 0.0:
            return np.nan  # a negative number to a fractional power (-inf's and -0's: as +inf's and +0's)
        odd = whole and abs(y) < 9007199254740992.0 and np.floor(0.5 * y) != 0.5 * y
    if ax == 0.0:
        r = np.inf if y < 0.0 else 0.0
    elif ax == np.inf:
        r = np.inf if y > 0.0 else 0.0
    elif ax < TINY:  # subnormal: log of the exactly scaled number, less 54 ln2, in two parts
        g, g_lo = log2p(ax * TWO54)
        g2 = g - 54.0 * LG_LN2_HI  # 54 * LG_LN2_HI is exact
        g_lo = ((g - g2) - 54.0 * LG_LN2_HI) + g_lo - 54.0 * LG_LN2_LO
        p = y * g2
        r = exp2p(p, fma(y, g2, -p) + y * g_lo)
    else:
        r = _pow_fast(ax, y)
    return -r if odd else r


@nb.njit(inline="always", **_JIT)
def pow1(x, y):  # pragma: no cover - compiled
    """x^y of two numbers."""
    if x >= TINY and x < np.inf and abs(y) < np.inf:
        return _pow_fast(x, y)
    return _pow_slow(x, y)


# --- sin, cos --------------------------------------------------------------------------------------

@nb.njit(inline="always", **_JIT)
def _ksin(x, y):  # pragma: no cover - compiled
    z = x * x
    v = z * x
    r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)))
    return x - ((z * (0.5 * y - v * r) - y) - v * S1)


@nb.njit(inline="always", **_JIT)
def _kcos(x, y):  # pragma: no cover - compiled
    z = x * x
    w = z * z
    r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6))
    hz = 0.5 * z
    w = 1.0 - hz
    return w + (((1.0 - w) - hz) + (z * r - x * y))


@nb.njit(inline="always", **_JIT)
def _reduce(x):  # pragma: no cover - compiled
    """x = n pi/2 + (r + r_lo), |r| <= ~pi/4: (n mod 4, r, r_lo), |x| < TRIG_MAX."""
    n = (x * INV_PIO2 + SHIFT) - SHIFT
    r1 = x - n * PIO2_1  # exact: n has at most 20 bits, PIO2_1 33
    w = n * PIO2_1T
    t = r1
    w2 = n * PIO2_2
    r1 = t - w2
    w = n * PIO2_2T - ((t - r1) - w2)
    r = r1 - w
    return np.int64(n) & 3, r, (r1 - r) - w


@nb.njit(inline="always", **_JIT)
def _trig(x, shift):  # pragma: no cover - compiled
    """sin(x + shift pi/2), |x| < TRIG_MAX (else NaN): sin with shift 0, cos with shift 1."""
    if not abs(x) < TRIG_MAX:
        return np.nan
    q, r, r_lo = _reduce(x)
    q = (q + shift) & 3
    if q == 0:
        return _ksin(r, r_lo)
    if q == 1:
        return _kcos(r, r_lo)
    if q == 2:
        return -_ksin(r, r_lo)
    return -_kcos(r, r_lo)


@nb.njit(**_JIT)
def sin1(x):  # pragma: no cover - compiled
    """sin(x) of one number, |x| < TRIG_MAX (else NaN)."""
    return _trig(x, 0)


@nb.njit(**_JIT)
def cos1(x):  # pragma: no cover - compiled
    """cos(x) of one number, |x| < TRIG_MAX (else NaN)."""
    return _trig(x, 1)


@nb.njit(inline="always", **_JIT)
def _asin_pq(t):  # pragma: no cover - compiled
    """fdlibm's rational function R(t) = p(t)/q(t) of e_asin.c."""
    p = t * (PS0 + t * (PS1 + t * (PS2 + t * (PS3 + t * (PS4 + t * PS5)))))
    q = 1.0 + t * (QS1 + t * (QS2 + t * (QS3 + t * QS4)))
    return p / q


@nb.njit(**_JIT)
def asin1(x):  # pragma: no cover - compiled
    """arcsin(x) of one number (fdlibm's e_asin.c)."""
    ax = abs(x)
    if not ax < 1.0:
        if ax == 1.0:
            return x * PIO2_HI + x * PIO2_LO
        return np.nan
    if ax < 0.5:
        if ax < 7.450580596923828e-09:  # 2^-27: asin(x) = x
            return x
        return x + x * _asin_pq(x * x)
    t = (1.0 - ax) * 0.5
    r = _asin_pq(t)
    s = np.sqrt(t)
    if ax >= 0.975:
        t = PIO2_HI - (2.0 * (s + s * r) - PIO2_LO)
    else:
        w = as_f64(as_i64(s) & np.int64(-4294967296))  # s with its low 32 bits cleared
        c = (t - w * w) / (s + w)
        p = 2.0 * s * r - (PIO2_LO - 2.0 * c)
        q = PIO4_HI - 2.0 * w
        t = PIO4_HI - (p - q)
    return t if x > 0.0 else -t


# --- loops over arrays -----------------------------------------------------------------------------
# exp, log, log1p: a first pass counts the inputs outside the fast path (a read-only loop); when there
# are none, the fast path runs branch-free over all (vectorised by LLVM), else every number takes the
# scalar function. LLVM vectorises a loop writing ``out[i]`` from ``x[i]`` behind a run-time check that
# the two do not overlap, and runs the loop's scalar version where they do; the model mostly works in
# place (``out`` is ``x``), where that cost 2.5-3x (exp 10.5 against 3.9 ns a number, log1p 11.1 against
# 4.1; ``benchmarks/bench_portable_maths.py``, docs/performance.md, thirty-third session). So in place
# log and log1p go through a buffer of the function's own, a block at a time (apart, straight into
# ``out``: the buffer's copy costs ~0.5 ns a number). exp and power, table-driven, always go by blocks
# through buffers (below): LLVM does not vectorise a loop that reads a table by a computed index, so the
# look-ups have a scalar pass of their own between vectorised ones (exp in one loop, its look-ups inside:
# 2.8 ns a number; in three passes: 1.4; thirty-fourth session). The same numbers every way: the
# buffers change where a result is written, not how it is computed. (With ``wide_vectors`` on a CPU with
# AVX-512, LLVM vectorises the look-up passes too, by gathers; there one pass with the look-ups inside
# would be faster still, exp 0.86 against 0.70 ns a number, but scalar elsewhere: docs/performance.md,
# forty-fourth session.)

_BLOCK = 512  # numbers a block (4 KB of doubles: L1)
_TBLOCK = 256  # the table-driven loops' blocks (exp 4, pow 9 buffers of 2 KB: L1; 512 was slower for pow)


@nb.njit(boundscheck=False, **_JIT)
def _exp_loop(x, out):  # pragma: no cover - compiled
    wide_vectors()
    # the table-driven fast path in blocks, three passes a block over buffers of its own: the reduction
    # (vectorised), the table's two numbers for each (a pass of its own: scalar with 256-bit vectors, by
    # gathers with wide_vectors on AVX-512; the note above), the series and scale (vectorised). In place
    # as apart: the block's inputs are read before it is written.
    bad = 0
    for i in range(x.size):
        bad += not (x[i] >= EXP_LO and x[i] <= EXP_HI)
    if bad:
        for i in range(x.size):
            out[i] = exp1(x[i])
        return
    n = min(x.size, _TBLOCK)
    rb, kb, tb, sb = np.empty(n), np.empty(n, dtype=np.int64), np.empty(n), np.empty(n, dtype=np.int64)
    for s in range(0, x.size, _TBLOCK):
        xs, os = x[s:s + _TBLOCK], out[s:s + _TBLOCK]
        for j in range(xs.size):
            rb[j], kb[j] = _texp_reduce(xs[j], 0.0)
        for j in range(xs.size):
            t = kb[j] & (TN - 1)
            tb[j], sb[j] = EXP_TAIL[t], EXP_SBITS[t]
        for j in range(xs.size):
            os[j] = _texp_finish(rb[j], kb[j], tb[j], sb[j])


@nb.njit(boundscheck=False, **_JIT)
def _log_loop(x, out):  # pragma: no cover - compiled
    wide_vectors()
    bad = 0
    for i in range(x.size):
        bad += not (x[i] >= TINY and x[i] < np.inf)
    if bad:
        for i in range(x.size):
            out[i] = log1(x[i])
        return
    if x.ctypes.data != out.ctypes.data:  # apart: straight into out
        for i in range(x.size):
            out[i] = _log_fast(x[i])
        return
    buf = np.empty(_BLOCK)  # in place: through a buffer, a block at a time
    for s in range(0, x.size, _BLOCK):
        xs, os = x[s:s + _BLOCK], out[s:s + _BLOCK]
        for j in range(xs.size):
            buf[j] = _log_fast(xs[j])
        for j in range(xs.size):
            os[j] = buf[j]


@nb.njit(boundscheck=False, **_JIT)
def _log1p_loop(x, out):  # pragma: no cover - compiled
    wide_vectors()
    bad = 0
    for i in range(x.size):
        bad += not (x[i] > -1.0 and x[i] < np.inf)
    if bad:
        for i in range(x.size):
            out[i] = log1p1(x[i])
        return
    if x.ctypes.data != out.ctypes.data:  # apart: straight into out
        for i in range(x.size):
            out[i] = _log1p_fast(x[i])
        return
    buf = np.empty(_BLOCK)  # in place: through a buffer, a block at a time
    for s in range(0, x.size, _BLOCK):
        xs, os = x[s:s + _BLOCK], out[s:s + _BLOCK]
        for j in range(xs.size):
            buf[j] = _log1p_fast(xs[j])
        for j in range(xs.size):
            os[j] = buf[j]


@nb.njit(inline="always", **_JIT)
def _pow_ok(x, y, p):  # pragma: no cover - compiled
    """x^y takes the fast path: x positive, normal and finite, y finite, y log x in exp's fast path."""
    return (x >= TINY) & (x < np.inf) & (abs(y) < np.inf) & (p >= EXP_LO) & (p <= EXP_HI)


@nb.njit(boundscheck=False, **_JIT)
def _pow_loop(x, y, out):  # pragma: no cover - compiled
    wide_vectors()
    # y: as long as x, or one number (size 1). Block by block, five passes over buffers of the loop's own:
    # x split (vectorised), the log table's three numbers for each (a pass of its own: scalar, or gathers with
    # wide vectors; the note above), y log x in two doubles and exp's reduction (vectorised), exp's table (the
    # same), the series and scale into out (vectorised); or, when a number of the block leaves the fast
    # path, the block number by number (pow1). Inputs are read before the block is written: out may be x
    # or y. Each block by its own views (xs[j], not x[s + j]: an index numba cannot prove non-negative is
    # wrapped, slower)
    one = y.size == 1
    y0 = y[0] if one else 0.0  # (y may be empty with x)
    n = min(x.size, _TBLOCK)
    ib, kd_b, zb = np.empty(n, dtype=np.int64), np.empty(n), np.empty(n)
    ivb, lcb, ctb = np.empty(n), np.empty(n), np.empty(n)
    rb, kb = np.empty(n), np.empty(n, dtype=np.int64)
    for s in range(0, x.size, _TBLOCK):
        xs, os = x[s:s + _TBLOCK], out[s:s + _TBLOCK]
        ys = y if one else y[s:s + _TBLOCK]
        for j in range(xs.size):
            ib[j], kd_b[j], zb[j] = _tlog_split(xs[j])
        for j in range(xs.size):
            t = ib[j]
            ivb[j], lcb[j], ctb[j] = LOG_INVC[t], LOG_C[t], LOG_CTAIL[t]
        bad = 0
        if one:
            for j in range(xs.size):
                p, p_lo = _pow_arg(zb[j], kd_b[j], ivb[j], lcb[j], ctb[j], y0)
                bad += not _pow_ok(xs[j], y0, p)
                rb[j], kb[j] = _texp_reduce(p, p_lo)
        else:
            for j in range(xs.size):
                p, p_lo = _pow_arg(zb[j], kd_b[j], ivb[j], lcb[j], ctb[j], ys[j])
                bad += not _pow_ok(xs[j], ys[j], p)
                rb[j], kb[j] = _texp_reduce(p, p_lo)
        if bad:
            for j in range(xs.size):  # into a buffer first: pow1 reads x and y, which may be out
                zb[j] = pow1(xs[j], y0 if one else ys[j])
            for j in range(xs.size):
                os[j] = zb[j]
            continue
        tb, sb = ivb, ib  # the log's look-up buffers, read: they take exp's table values now
        for j in range(xs.size):
            t = kb[j] & (TN - 1)
            tb[j], sb[j] = EXP_TAIL[t], EXP_SBITS[t]
        for j in range(xs.size):
            os[j] = _texp_finish(rb[j], kb[j], tb[j], sb[j])


@nb.njit(boundscheck=False, **_JIT)
def _sin_loop(x, out):  # pragma: no cover - compiled
    for i in range(x.size):
        out[i] = sin1(x[i])


@nb.njit(boundscheck=False, **_JIT)
def _asin_loop(x, out):  # pragma: no cover - compiled
    for i in range(x.size):
        out[i] = asin1(x[i])


@nb.njit(boundscheck=False, **_JIT)
def _cos_loop(x, out):  # pragma: no cover - compiled
    for i in range(x.size):
        out[i] = cos1(x[i])
