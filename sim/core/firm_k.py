"""Compiled kernels (numba) for the firms' pool in large worlds (issue 19): the employers of the
cohorts following the firms' slots after exits, and the census' counts and sums by zone. Each
does what the numpy code it replaces does (which stays in ``sim.model.zonemodel`` as the
reference and the fallback; ``tests/core/test_firm_k.py`` compares them): the same slots, and
sums added in element order as ``np.bincount`` adds them. Defined and compiled on first use when
``sim.core.kernels`` is on (``on()``).
"""

from __future__ import annotations

import numpy as np

from sim.core import kernels

_K: dict[str, object] = {}


on = kernels.lazy_tier(_K, lambda nb: _build(nb))  # True when the kernels are on (built on first use)


def _build(nb) -> None:
    jit = nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")

    @jit
    def follow(employer, gone_below, tail, end, n_old):  # pragma: no cover - compiled
        # employer[i] -> its firm's slot after Pool.remove: slots end .. n_old - 1 through tail
        # (-1: closed, else the hole it moved into), closed slots below end (a bitmap) -> -1, the
        # rest unchanged; False (nothing written) if an employer is outside [-1, n_old)
        for i in range(employer.size):
            e = employer[i]
            if e < -1 or e >= n_old:
                return False
        bits = np.zeros((end >> 6) + 1, dtype=np.uint64)
        for j in range(gone_below.size):
            g = gone_below[j]
            bits[g >> 6] |= np.uint64(1) << np.uint64(g & 63)
        for i in range(employer.size):
            e = employer[i]
            if e >= end:
                employer[i] = tail[e - end]
            elif e >= 0 and (bits[e >> 6] >> np.uint64(e & 63)) & np.uint64(1):
                employer[i] = -1
        return True

    @jit
    def firm_census(zone, emp, land, flag, cnt, out):  # pragma: no cover - compiled
        # by zone: the count, and the sums of emp, land and the 0/1 flag (1.0 or 0.0 added), each in
        # element order; False if a zone is outside [0, cnt.size)
        size = cnt.size
        for i in range(zone.size):
            g = zone[i]
            if g < 0 or g >= size:
                return False
            cnt[g] += 1
            out[0, g] += emp[i]
            out[1, g] += land[i]
            out[2, g] += 1.0 if flag[i] else 0.0
        return True

    @jit
    def cohort_census(zone, skill, threshold, cnt, high):  # pragma: no cover - compiled
        # by zone + 1 (bin 0: outside): the count, and the sum of (skill >= threshold) as 1.0/0.0
        size = cnt.size
        for i in range(zone.size):
            g = zone[i] + 1
            if g < 0 or g >= size:
                return False
            cnt[g] += 1
            high[g] += 1.0 if skill[i] >= threshold else 0.0
        return True

    _K.update(follow=follow, firm_census=firm_census, cohort_census=cohort_census)


def follow_employers(employer: np.ndarray, gone: np.ndarray, src: np.ndarray, dst: np.ndarray, n_old: int) -> bool:
    """``employer[:] = follow[employer + 1]`` of ``ZoneModel._remove_firms`` in place: the cohorts
    of firms closed in slots ``gone`` (unique) lose their job (-1), those of firms moved from ``src`` to
    ``dst`` (``Pool.remove``'s moves; the pool had ``n_old`` live firms) follow them. False (nothing
    written) when the kernels are off or an employer is outside [-1, n_old): numpy decides."""
    if not on() or employer.dtype != np.int64 or not employer.flags.c_contiguous:
        return False
    end = n_old - gone.size
    tail = np.arange(end, n_old, dtype=np.int64)
    tail[gone[gone >= end] - end] = -1
    tail[src - end] = dst
    below = np.ascontiguousarray(gone[gone < end], dtype=np.int64)
    return bool(_K["follow"](employer, below, tail, end, n_old))


def firm_census(zone: np.ndarray, emp: np.ndarray, land: np.ndarray, flag: np.ndarray, size: int) -> list | None:
    """``group_sums(zone, (emp, land, flag.astype(float)), size, count=True)`` in one compiled pass
    without the flag's float copy; None when the kernels are off or the pass would not pay (the
    caller's numpy decides)."""
    if not (on() and zone.size >= 256 and zone.dtype == np.int64 and emp.dtype == land.dtype == np.float64
            and flag.dtype == np.bool_ and zone.ndim == 1 and zone.shape == emp.shape == land.shape == flag.shape):
        return None
    cnt, out = np.zeros(size, dtype=np.int64), np.zeros((3, size))
    if not _K["firm_census"](np.ascontiguousarray(zone), np.ascontiguousarray(emp), np.ascontiguousarray(land),
                             np.ascontiguousarray(flag), cnt, out):
        return None
    return [cnt, *out]


def cohort_census(zone: np.ndarray, skill: np.ndarray, threshold: float, size: int) -> list | None:
    """``group_sums(zone + 1, ((skill >= threshold).astype(float),), size, count=True)`` in one
    compiled pass; None when the kernels are off or the pass would not pay."""
    if not (on() and zone.size >= 256 and zone.dtype == np.int64 and skill.dtype == np.float64
            and zone.ndim == 1 and zone.shape == skill.shape):
        return None
    cnt, high = np.zeros(size, dtype=np.int64), np.zeros(size)
    if not _K["cohort_census"](np.ascontiguousarray(zone), np.ascontiguousarray(skill), float(threshold), cnt, high):
        return None
    return [cnt, high]
