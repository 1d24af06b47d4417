"""How this process rounds the model's transcendental functions: a fingerprint; and numpy's own.

The model's arithmetic (+, -, *, /, sqrt) rounds the same on every IEEE machine, but numpy's float64
``exp``, ``log``, ``log1p``, ``power`` and the like do not: on x86-64 CPUs with AVX-512 numpy runs its
own SIMD loops for them, elsewhere the C library's functions, and the two differ in the last bit of a
few per cent of their results (measured on an Intel Xeon with AVX-512 over 20,000 numbers each: exp
944, log 12, log1p 958, power 1,110; docs/performance.md, twenty-ninth session). A last-bit difference
can flip a discrete choice (an exit, a committee's option) and then grows, so until the thirty-second
session of issue 19 the same world, package and seed gave tables that agreed only closely across the
two kinds of CPU. The model now computes these functions itself (``sim.core.pmath``: compiled
arithmetic, no library call), so they round alike on every machine.

:func:`fingerprint` hashes the model's functions' answers over fixed inputs, so two processes with
the same fingerprint round them alike (expected everywhere; a difference would mean another version
of ``sim.core.pmath`` or a compiler that contracted its arithmetic). Run manifests record it, and a
Dask cluster whose workers round differently from the submitting machine is refused
(``sim.experiments.distributed``). :func:`numpy_fingerprint` is the same hash over numpy's functions,
which the model no longer calls (kept for the benchmarks that compare them: ``benchmarks/bench_maths.py``);
numpy's switch ``NPY_DISABLE_CPU_FEATURES`` (set before numpy is imported) makes an AVX-512 machine
use the C library's functions.
"""

from __future__ import annotations

import hashlib
import os

import numpy as np

# what numpy's switch must name on an x86-64 machine with AVX-512 for the C library's functions
NPY_SWITCH = "NPY_DISABLE_CPU_FEATURES=\"X86_V4 AVX512_ICL AVX512_SPR\""

_FINGERPRINT: str | None = None
_NUMPY_FINGERPRINT: str | None = None


def switched_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's environment) with numpy's switch set, for a child process
    (numpy reads it when it is imported)."""
    name, value = NPY_SWITCH.split("=", 1)
    return {**(os.environ if env is None else env), name: value.strip('"')}


def _inputs() -> tuple[np.ndarray, np.ndarray]:
    """Fixed float64 inputs made by arithmetic alone (the same bits on every machine): 4,096 points over
    the ranges the model feeds these functions, and exponents for ``power``."""
    i = np.arange(4096, dtype=np.float64)
    frac = (i * 0.6180339887498949) % 1.0  # golden-ratio steps: spread, not on a grid
    x = frac * frac * frac * 1.0e6 + 1.0e-6  # 1e-6 .. 1e6, positive (log, power); arithmetic only
    e = frac * 6.0 - 3.0  # -3 .. 3
    return x, e


def _digest(fns) -> str:
    x, e = _inputs()
    h = hashlib.sha256()
    angles = e * 0.5  # -1.5 .. 1.5 radians (sin, cos); e / 3: -1 .. 1 (arcsin)
    for out in (fns.exp(e * 7.0), fns.log(x), fns.log1p(x), fns.log1p(e * 0.3), fns.sin(angles), fns.cos(angles),
                fns.arcsin(e / 3.0), fns.power(x, e), fns.power(x, -0.3), fns.power(x, 0.35)):
        h.update(np.ascontiguousarray(out, dtype=np.float64).tobytes())
    return h.hexdigest()[:12]


def fingerprint() -> str:
    """12 hex digits of a SHA-256 over the model's exp, log, log1p, sin, cos, arcsin and power
    (``sim.core.pmath``) on fixed inputs, computed once per process."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        from sim.core import pmath

        _FINGERPRINT = _digest(pmath)
    return _FINGERPRINT


def numpy_fingerprint() -> str:
    """The same hash over numpy's functions (which differ between CPUs with and without AVX-512)."""
    global _NUMPY_FINGERPRINT
    if _NUMPY_FINGERPRINT is None:
        _NUMPY_FINGERPRINT = _digest(np)
    return _NUMPY_FINGERPRINT


def differs(theirs: object, here: str) -> str:
    """The words for another process's fingerprint ``theirs`` that is not this one's ``here``."""
    return (f"the model's exp, log and power round differently (maths {theirs}, here {here}: another version of "
            "zonesim, or one from before the model computed them itself)")


def cpu_features() -> dict[str, bool]:
    """numpy's table of this CPU's features as numpy's dispatch sees them (``NPY_DISABLE_CPU_FEATURES``
    switches entries off)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_features__ as feats  # type: ignore[no-redef]
    return feats


def simd_maths() -> bool:
    """True when numpy may use its own SIMD loops for these functions in this process: an x86-64 CPU
    with AVX-512 whose dispatch was not switched off (``NPY_DISABLE_CPU_FEATURES``)."""
    feats = cpu_features()
    return bool(feats.get("X86_V4") or feats.get("AVX512_SKX"))
