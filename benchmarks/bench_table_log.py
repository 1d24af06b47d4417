"""What ``log`` and ``log1p`` by power's table would gain: a prototype measured beside the model's own.

    python benchmarks/bench_table_log.py [--size 50000] [--repeats 7] [--check 2000]

The model's ``log`` is fdlibm's (``sim.core.pmath_k._log_loop``) and its ``log1p`` is fdlibm's log in two
doubles plus the rounding error of ``1 + x`` (``_log1p_loop``). Since the thirty-fourth session ``power``
computes ``log x`` in two doubles from a 128-entry table (the method of Arm's optimized-routines:
``_tlog_split``, ``_tlog``). This script builds ``log`` and ``log1p`` from that same table in the
table-driven loops' way (blocks of 256, the look-ups in a scalar pass of their own between vectorised
ones): ``log`` the two doubles rounded once, ``log1p(x)`` as ``g + (g_lo + e/u)`` with ``u = 1 + x``
rounded and ``e`` its rounding error. It is not the model's code (switching would change every result's
last bits); it decides whether the switch is worth it (docs/performance.md, thirty-fifth session).

Printed: nanoseconds per number for each (best of ``--repeats`` of 100 calls on ``--size`` numbers,
interleaved in one process), and over ``--check`` numbers of each of four samples how many results are
not the correctly rounded value (Python's decimal at 60 digits, ``bench_portable_maths``) and the largest error in units in the last place.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numba as nb  # noqa: E402
from bench_portable_maths import correctly_rounded, ulps  # noqa: E402  (decimal at 60 digits; ulps apart)
from reference import positive  # noqa: E402

from sim.core import pmath_k as K  # noqa: E402
from sim.core.pmath_k import LOG_C, LOG_CTAIL, LOG_INVC, _TBLOCK, _tlog, _tlog_split  # noqa: E402

_JIT = dict(cache=False, fastmath=False, nogil=True, error_model="numpy")


@nb.njit(boundscheck=False, **_JIT)
def table_log(x, out):  # pragma: no cover - compiled
    """log of positive normal finite numbers (the prototype has no slow path), x and out apart."""
    n = min(x.size, _TBLOCK)
    ib, kd_b, zb = np.empty(n, dtype=np.int64), np.empty(n), np.empty(n)
    ivb, lcb, ctb = np.empty(n), np.empty(n), np.empty(n)
    for s in range(0, x.size, _TBLOCK):
        xs, os = x[s:s + _TBLOCK], out[s:s + _TBLOCK]
        for j in range(xs.size):
            ib[j], kd_b[j], zb[j] = _tlog_split(xs[j])
        for j in range(xs.size):
            t = ib[j]
            ivb[j], lcb[j], ctb[j] = LOG_INVC[t], LOG_C[t], LOG_CTAIL[t]
        for j in range(xs.size):
            g, _ = _tlog(zb[j], kd_b[j], ivb[j], lcb[j], ctb[j])
            os[j] = g


@nb.njit(boundscheck=False, **_JIT)
def table_log1p(x, out):  # pragma: no cover - compiled
    """log(1 + x) for x > -1 with 1 + x normal and finite (no slow path), x and out apart."""
    n = min(x.size, _TBLOCK)
    ib, kd_b, zb = np.empty(n, dtype=np.int64), np.empty(n), np.empty(n)
    ivb, lcb, ctb = np.empty(n), np.empty(n), np.empty(n)
    eb, ub = np.empty(n), np.empty(n)
    for s in range(0, x.size, _TBLOCK):
        xs, os = x[s:s + _TBLOCK], out[s:s + _TBLOCK]
        for j in range(xs.size):
            v = xs[j]
            u = 1.0 + v
            ub[j] = u
            eb[j] = ((1.0 - u) + v) if abs(v) <= 1.0 else ((v - u) + 1.0)  # 1 + v = u + e exactly
            ib[j], kd_b[j], zb[j] = _tlog_split(u)
        for j in range(xs.size):
            t = ib[j]
            ivb[j], lcb[j], ctb[j] = LOG_INVC[t], LOG_C[t], LOG_CTAIL[t]
        for j in range(xs.size):
            g, g_lo = _tlog(zb[j], kd_b[j], ivb[j], lcb[j], ctb[j])
            os[j] = g + (g_lo + eb[j] / ub[j])


def samples(size: int, seed: int = 1) -> dict[str, np.ndarray]:
    """The inputs: log over e^N(0, 3) and near 1, log1p over U(-0.9, 3) and |x| < 1e-3."""
    rng = np.random.default_rng(seed)
    return {"log": np.exp(rng.normal(0.0, 3.0, size)), "log near 1": 1.0 + rng.uniform(-0.01, 0.01, size),
            "log1p": rng.uniform(-0.9, 3.0, size), "log1p small": rng.uniform(-1e-3, 1e-3, size)}


def ns_per_number(loop, x: np.ndarray, repeats: int) -> float:
    out = np.empty_like(x)
    loop(x, out)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(100):
            loop(x, out)
        best = min(best, (time.perf_counter() - t0) / 100 / x.size * 1e9)
    return best


def rounding(loop, x: np.ndarray, name: str) -> tuple[float, int]:
    """(share of results not correctly rounded, largest error in ulps): against
    ``bench_portable_maths.correctly_rounded`` (Python's decimal at 60 digits, rounded once)."""
    out = np.empty_like(x)
    loop(x, out)
    d = ulps(out, correctly_rounded(name, (x,)))
    return float(np.mean(d != 0)), int(d.max())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=positive, default=50_000, help="numbers per call (default 50,000)")
    ap.add_argument("--repeats", type=positive, default=7)
    ap.add_argument("--check", type=positive, default=2_000, help="numbers of each sample checked against the correctly rounded value")
    a = ap.parse_args(argv)
    xs = samples(a.size)
    pairs = {"log": (K._log_loop, table_log), "log1p": (K._log1p_loop, table_log1p)}
    for name, (model, table) in pairs.items():
        tm, tt = [], []
        for _ in range(2):  # interleaved
            tm.append(ns_per_number(model, xs[name], a.repeats))
            tt.append(ns_per_number(table, xs[name], a.repeats))
        m, t = min(tm), min(tt)
        print(f"{name:6s} the model's {m:5.2f} ns a number, by the table {t:5.2f} ns  RATIO {m / t:.2f}x")
    print(f"not correctly rounded, of {a.check} numbers (largest error in ulps): the model's | by the table")
    for label, x in xs.items():
        name = label.split()[0]
        model, table = pairs[name]
        (sm, um), (st, ut) = rounding(model, x[:a.check], name), rounding(table, x[:a.check], name)
        print(f"  {label:12s} {100 * sm:6.2f} % ({um}) | {100 * st:6.2f} % ({ut})")
    return 0


if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    sys.exit(watched(main))
