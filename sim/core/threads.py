"""Threads for the elementwise loops of very large worlds (opt-in: ``ZONESIM_THREADS``).

A loop whose every number comes from that row's inputs alone gives the same bits however its rows
are split: the model's ``exp``, ``log``, ``log1p``, ``power``, ``sin``, ``cos`` and ``arcsin``
(``sim.core.pmath``; the numbers a block leaves to the scalar path are the vectorised path's, a test
holds them so), the keyed streams' uniforms, picks and normals (``sim.core.kernels``; each key's
number is its hash's) and the pools' row moves (each column on its own). With ``ZONESIM_THREADS=N``
such a loop over at least ``MIN_ROWS`` rows runs in ``N`` parts at once (the compiled loops release
Python's lock: numba's ``nogil``), the caller's thread taking the first part; picks and tail rows
are joined in the parts' order, so every result is the one thread's to the last bit (tests compare
whole runs).

Off by default (1 thread). Measured on a 2-core AMD EPYC (docs/performance.md, thirty-seventh
session; ``benchmarks/ab_fixed.py`` with ``ZONESIM_THREADS=2`` for this side only): a
1,000,000-agent run 0.85-0.93 of its time with 2 threads; a 100,000-agent run not faster (1.03), as a
part's wake-up and its columns' move to the other core's cache cost about what it saves there. A
study's workers already keep every core busy, so they gain nothing either: this is for single runs
of worlds of about a million agents.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

ENV = "ZONESIM_THREADS"
MAX_THREADS = 64
MIN_ROWS = 1 << 17  # a loop over fewer rows stays in one thread (100,000-agent worlds gained nothing)

_count: int | None = None  # the setting, read on first use
_pool = None
_pool_pid = 0  # the process that made _pool (a forked child makes its own: the parent's threads are not there)


def wanted() -> int:
    """``ZONESIM_THREADS`` read strictly: unset or empty is 1; a whole number from 1 to 64 otherwise;
    another value raises InputError, one line naming the variable and what is allowed (the command
    line checks it before it writes anything, exit 2)."""
    from sim.core.errors import InputError, env_whole

    what = (f"a whole number of threads from 1 to {MAX_THREADS} (default 1; more than 1 splits the largest "
            "loops of worlds of about a million agents)")
    n = env_whole(ENV, 1, what)
    if not 1 <= n <= MAX_THREADS:
        raise InputError(f"environment variable {ENV}", None, f"{n!r} is not allowed: {what}")
    return n


def count() -> int:
    """The threads a large loop uses in this process (``ZONESIM_THREADS``, read once; :func:`set_count`)."""
    global _count
    if _count is None:
        _count = wanted()
    return _count


def set_count(n: int | None) -> int | None:
    """Set this process's thread count (None: read ``ZONESIM_THREADS`` again at the next use); returns the
    previous setting. For tests, benchmarks and embedding programs; results do not depend on it."""
    global _count
    if n is not None and not (isinstance(n, int) and 1 <= n <= MAX_THREADS):
        raise ValueError(f"threads must be a whole number from 1 to {MAX_THREADS}, not {n!r}")
    old, _count = _count, n
    return old


def parts(n: int, align: int = 512, width: int = 1) -> list[tuple[int, int]] | None:
    """The row ranges ``[lo, hi)`` of a loop over ``n`` rows of ``width`` numbers each, one a thread, each
    but the last a multiple of ``align`` long; None when the loop stays whole (one thread, fewer than
    ``MIN_ROWS`` numbers, or too few rows for a part each)."""
    k = count()
    if k == 1 or n * width < MIN_ROWS or n < k * align:
        return None
    step = -(-n // k)
    step = -(-step // align) * align
    return [(lo, min(lo + step, n)) for lo in range(0, n, step)]


def run(part: Callable[[int, int], Any], ranges: list[tuple[int, int]]) -> list[Any]:
    """``part(lo, hi)`` for every range, the first in this thread and the others in the pool's at the same
    time; their results in the ranges' order. Every part has finished when this returns or raises
    (none writes into arrays its caller has dropped)."""
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        from concurrent.futures import ThreadPoolExecutor

        _pool = ThreadPoolExecutor(MAX_THREADS - 1, thread_name_prefix="zonesim-loop")
        _pool_pid = os.getpid()
    futures = [_pool.submit(part, lo, hi) for lo, hi in ranges[1:]]
    try:
        first = part(*ranges[0])
    finally:
        for f in futures:
            f.exception()  # waits for it (its error, if any, is raised by result() below)
    return [first] + [f.result() for f in futures]
