"""Which rounding this process's numpy gives the model's transcendental functions: a fingerprint.

The model's arithmetic (+, -, *, /, sqrt) rounds the same on every IEEE machine, but numpy's float64
``exp``, ``log``, ``log1p``, ``power`` and the like do not: on x86-64 CPUs with AVX-512 numpy runs its
own SIMD loops for them, elsewhere the C library's functions, and the two differ in the last bit of a
few per cent of their results (measured on an Intel Xeon with AVX-512 over 20,000 numbers each: exp
944, log 12, log1p 958, power 1,110; docs/performance.md, twenty-ninth session). The same world,
package and seed therefore give bit-identical tables on one machine, whatever the number of worker
processes and with or without the compiled kernels, but across CPUs of the two kinds only tables that
agree closely: a last-bit difference can flip a discrete choice (an exit, a committee's option) and
then grows (the 23 measures over 20 years: region totals 1e-4 to 1e-3 apart, the baseline 1e-12).

:func:`fingerprint` hashes numpy's answers over fixed inputs, so two processes with the same
fingerprint round these functions alike and two with different ones may not. Run manifests record
it, and a Dask cluster whose workers round differently from the submitting machine is refused
(``sim.experiments.distributed``). numpy's own switch ``NPY_DISABLE_CPU_FEATURES`` (set before
numpy is imported) makes an AVX-512 machine use the C library's functions, and so round as the
others do with the same C library; on the Intel machine that made a Sobol study row take 1.4x as long.
"""

from __future__ import annotations

import hashlib
import os

import numpy as np

# what numpy's switch must name on an x86-64 machine with AVX-512 for the C library's functions
NPY_SWITCH = "NPY_DISABLE_CPU_FEATURES=\"X86_V4 AVX512_ICL AVX512_SPR\""

_FINGERPRINT: str | None = None


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


def fingerprint() -> str:
    """12 hex digits of a SHA-256 over numpy's exp, expm1, log, log1p, log2, log10, sin, cos and
    power on fixed inputs, computed once per process."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        x, e = _inputs()
        h = hashlib.sha256()
        for out in (np.exp(e * 7.0), np.expm1(e), np.log(x), np.log1p(x), np.log2(x), np.log10(x),
                    np.sin(e), np.cos(e), np.power(x, e), np.power(x, -0.3), x ** 0.35):
            h.update(np.ascontiguousarray(out, dtype=np.float64).tobytes())
        _FINGERPRINT = h.hexdigest()[:12]
    return _FINGERPRINT


def differs(theirs: object, here: str) -> str:
    """The words for another process's fingerprint ``theirs`` that is not this one's ``here``."""
    return (f"numpy rounds exp, log and power differently (maths {theirs}, here {here}: a CPU with AVX-512 "
            "beside one without, or another C library)")


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
