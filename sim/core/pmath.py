"""The model's own ``exp``, ``log``, ``log1p``, ``power``, ``sin``, ``cos`` and ``arcsin``: the same bits on every machine.

numpy's float64 transcendental functions are the C library's on CPUs without AVX-512 and numpy's own
SIMD loops on those with it, and the two round differently in the last bit of a few per cent of their
results (docs/performance.md, twenty-ninth session): with them the same scenario and seed gave tables
that agreed closely but not bit for bit across the two kinds of CPU. These are written in compiled
arithmetic only (``+ - * /``, comparisons, integer bit operations and IEEE's correctly rounded ``fma``;
no library call; numba compiles without fast-math, so LLVM neither reorders nor contracts them), so they
round alike on every IEEE machine (a table is read by integer indices: the same numbers anywhere), and
their loops vectorise (the table look-ups in a scalar pass of their own between vectorised ones). Where
numpy's functions are the C library's (CPUs without AVX-512) these are also faster: exp 4.0x, log 2.2x,
log1p 4.1x, power 2.8x on an AMD EPYC with AVX2 (``benchmarks/bench_portable_maths.py``, docs/performance.md,
thirty-second and thirty-fourth sessions).

Methods (each result within 1 ulp of the correctly rounded one; tests/core/test_pmath.py checks them
against mpmath at 200 bits):

- ``exp``: table-driven, the method of Arm's optimized-routines (Szabolcs Nagy, 2018; glibc's and musl's
  ``exp`` since): ``x = k ln2/128 + r``, ``|r| <= ln2/256`` (a two-part ``ln2/128``), ``2^(k/128)`` as
  ``2^q H[j] (1 + T[j])`` from a 128-entry table (``sim/core/pmath_tables.py``, computed at 300 bits by
  ``scripts/gen_pmath_tables.py``), Taylor's series of ``exp(r)`` to ``r^5`` (remainder < 2^-60), one
  rounding at the end; results below ``e^-700`` or that overflow take the slow path (the series to ``r^13``
  after a one-part reduction, ``2^k`` in two steps where it is not a normal number). 0.1-0.2 % of results
  1 ulp off (the earlier series-only method: 1.6 %);
- ``log``: fdlibm's ``e_log.c`` (Sun Microsystems, 1993; constants ``Lg1``-``Lg7``), its two formulas
  both computed and one selected (no branch); subnormal inputs scaled by ``2^54`` first;
- ``log1p(x)``: ``log(u) + e/u`` with ``u = 1 + x`` rounded, ``e`` its rounding error (exact by
  Fast2Sum) and ``log(u)`` carried in two doubles (fdlibm's, its ``f^2/2`` made exact with an ``fma``);
- ``power(x, y)``: ``exp(y log x)`` with ``log x`` in two doubles by the same method's table (``x = 2^k z``,
  ``z/c - 1`` exact in one ``fma`` for a ``c`` of ``z``'s 128th part, ``log c`` in two doubles, ``log(1 + r)``
  to ``r^9``), ``y log x`` in two (``fma``), the low part added to ``exp``'s ``r``; C99's special cases (zeros,
  infinities, NaN, negative bases with integer exponents; subnormal bases by fdlibm's log, scaled);
- ``arcsin``: fdlibm's ``e_asin.c``;
- ``sin``, ``cos``: fdlibm's ``k_sin.c`` and ``k_cos.c`` after a reduction by ``pi/2`` in three parts
  (fdlibm's ``e_rem_pio2.c`` medium case; accurate for ``|x| < 2^20 pi/2``, which the model's angles
  are; larger ones are refused).

Use: the array functions (:func:`exp`, :func:`log`, :func:`log1p`, :func:`power`, :func:`sin`,
:func:`cos`, :func:`arcsin`; :func:`power_op` is numpy's ``**`` operator with its fast paths) take
arrays of any shape or numbers and ``out=`` as numpy's do. The scalar functions of ``sim.core.pmath_k``
(``exp1``, ``log1``, ``log1p1``, ``pow1``, ``sin1``, ``cos1``, ``asin1``) are the loops' slow path and
can be inlined into compiled code (a test holds them to the loops' bits); the model's compiled kernels
call none of them (the vectorised loops between their passes were faster: ``sim.core.fused``). numpy's
``sqrt``, ``square`` and ``reciprocal`` are correctly rounded by IEEE and stay numpy's.
"""


from __future__ import annotations

import numpy as np

from sim.core import threads as _threads

_K = None  # sim.core.pmath_k, imported on first use


def _k():
    global _K
    if _K is None:
        try:
            from sim.core import pmath_k
        except ImportError as exc:  # numba is a dependency; a broken install says so in one line
            from sim.core.errors import EnvError

            raise EnvError(None, f"the model's exp, log and power are compiled with numba, which does not import "
                                 f"here ({exc}); reinstall zonesim's dependencies (pip install numba)") from exc
        _K = pmath_k
    return _K


_F64 = np.dtype(np.float64)


def _apply(loop, x, out, *more):
    """Run ``loop`` over ``x`` (any shape, or a number) into ``out`` (``x``'s shape, float64; None: a new
    array; ``x`` itself: in place). A number in, a numpy float64 out."""
    if (type(x) is np.ndarray and x.dtype is _F64 and x.ndim == 1 and (out is None or out is x)
            and x.size < _threads.MIN_ROWS and x.flags.c_contiguous):
        # the model's usual call: a 1-d float64 column into a new array or in place, one thread (below
        # MIN_ROWS no loop splits): the loop straight away, without the general path's conversions and
        # checks (each a Python call, which a year pays cold: docs/performance.md, thirty-ninth session)
        res = np.empty(x.size) if out is None else x
        loop(x, *more, res)
        return res
    a = np.asarray(x, dtype=np.float64)
    if out is None:
        res = np.empty(a.shape)
    elif isinstance(out, np.ndarray) and out.dtype == np.float64 and out.shape == a.shape:
        res = out
    else:
        raise ValueError(f"out must be a float64 array of shape {a.shape}")
    src = np.ascontiguousarray(a).reshape(-1)
    if res.flags.c_contiguous:
        dst = res.reshape(-1)
        if out is not None and out is not x:  # numpy's rule: an input overlapping out only in part is read
            # as a copy (the loops work in place, the same array in and out, but would read numbers they
            # had written); out=x itself, the model's way, needs no check
            src = _apart(src, dst)
            more = tuple(_apart(m, dst) if m.size > 1 else m for m in more)
        _loop(loop, src, more, dst)
    else:
        tmp = np.empty(a.size)
        _loop(loop, src, more, tmp)
        res[...] = tmp.reshape(a.shape)
    return res[()] if a.ndim == 0 and out is None else res


def _loop(loop, src, more, dst):
    """``loop(src, *more, dst)``, in parts on threads for a large array when ``ZONESIM_THREADS`` asks
    (``sim.core.threads``: every number is its own row's, so the same bits)."""
    ranges = _threads.parts(src.size)
    if ranges is None:
        loop(src, *more, dst)
        return

    def part(lo, hi):
        loop(src[lo:hi], *(m[lo:hi] if m.size > 1 else m for m in more), dst[lo:hi])

    _threads.run(part, ranges)


def _apart(a, dst):
    """``a``, or a copy of it where it shares memory with ``dst`` other than as the same array."""
    if a is dst or not np.may_share_memory(a, dst):
        return a
    same = a.__array_interface__["data"][0] == dst.__array_interface__["data"][0] and a.size == dst.size
    return a if same else a.copy()


def exp(x, out=None):
    """e^x, elementwise (as ``np.exp``)."""
    return _apply(_k()._exp_loop, x, out)


def log(x, out=None):
    """The natural logarithm, elementwise (as ``np.log``)."""
    return _apply(_k()._log_loop, x, out)


def log1p(x, out=None):
    """log(1 + x), elementwise (as ``np.log1p``)."""
    return _apply(_k()._log1p_loop, x, out)


def power(x, y, out=None):
    """x^y, elementwise (as ``np.power`` of float64; ``y`` a number or an array of ``x``'s shape, or
    ``x`` a number and ``y`` an array)."""
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    if ya.ndim == 0:
        return _apply(_k()._pow_loop, xa, out, ya.reshape(1))
    if xa.shape != ya.shape:
        xa, ya = np.broadcast_arrays(xa, ya)
    return _apply(_k()._pow_loop, xa, out, np.ascontiguousarray(ya).reshape(-1))


def sin(x, out=None):
    """sin(x), elementwise, ``|x| < 2^20 pi/2`` (NaN beyond)."""
    return _apply(_k()._sin_loop, x, out)


def cos(x, out=None):
    """cos(x), elementwise, ``|x| < 2^20 pi/2`` (NaN beyond)."""
    return _apply(_k()._cos_loop, x, out)


def arcsin(x, out=None):
    """arcsin(x), elementwise (fdlibm's method)."""
    return _apply(_k()._asin_loop, x, out)


def power_op(x, e, out=None):
    """numpy's operator ``x ** e`` of a float64 array and a number ``e``: its fast paths for ``e`` in
    {2, 0.5, -1, 1, 0} (square, sqrt, reciprocal, copy, ones: each correctly rounded), :func:`power` for
    any other exponent."""
    e = float(e)
    fast = {2.0: np.square, 0.5: np.sqrt, -1.0: np.reciprocal, 1.0: np.positive}.get(e)
    if fast is not None:
        return fast(np.asarray(x, dtype=np.float64), out=out)
    if e == 0.0:
        a = np.asarray(x, dtype=np.float64)
        res = np.ones(a.shape) if out is None else out
        res[...] = 1.0
        return res
    return power(x, e, out=out)
