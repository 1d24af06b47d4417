"""The first places of a ranking, without sorting everyone.

Levers pick the firms they fund by rank: the largest R&D spenders for key-technology projects,
the biggest energy users for green upgrades, the largest new firms for direct-channel projects,
ties broken by the firm's permanent key (no random draw). Written as ``np.lexsort((key,
-value))[:k]`` this sorts every candidate, tens of thousands of firms a year, when only the first
tens or hundreds are taken; numpy's sorts run at ~35 ns an element on the machines measured
(issue 19), so a lever paid milliseconds a year for places nobody looked at.

:func:`largest_first` gives exactly the same first ``k`` positions: the ``k``-th largest value is
found by selection (``np.partition``, linear time), every candidate with a value at least as large
is kept (all ties of that value too), and only those are lexsorted. The kept set is exactly the
first places of the full order (everyone outside it has a smaller value), so the lexsort of the
kept set, which breaks ties by key and then by position as the full one does, is the full order's
beginning (tests/core/test_ranking.py compares them, ties and repeated keys included).
"""

from __future__ import annotations

import numpy as np

from sim.core import kernels

SMALL = 512  # below this many candidates the full lexsort is as cheap


def largest_first(value: np.ndarray, key: np.ndarray, k: int | None = None) -> np.ndarray:
    """Positions of the ``k`` (all if None) largest ``value``, largest first, ties by ``key``
    then by position: ``np.lexsort((key, -value))[:k]``, bit for bit."""
    value = np.asarray(value)
    neg = -value
    n = neg.size
    if k is None or k >= n or n <= SMALL or neg.dtype.kind != "f" or np.isnan(neg).any():
        return np.lexsort((key, neg))[:k]
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    cut = kernels.kth_smallest(neg, k - 1)  # the k-th smallest of -value
    kept = np.flatnonzero(neg <= cut)  # ascending: position order among ties is kept
    return kept[np.lexsort((np.asarray(key)[kept], neg[kept]))][:k]


def order_within_groups(group: np.ndarray, value: np.ndarray, key: np.ndarray | None, n_groups: int) -> np.ndarray:
    """``np.lexsort((key, value, group))`` (``key`` None: ``np.lexsort((value, group))``): members
    by group, within a group by ``value`` ascending, ties by key, then by position. With the kernels
    on, for float values without NaN: the compiled radix sort by (group, value)
    (``kernels.group_lexsort``), then each run of equal values by key; otherwise numpy's lexsort."""
    group, value = np.asarray(group), np.asarray(value)
    if kernels.ENABLED and value.dtype == np.float64 and group.dtype == np.int64 and not np.isnan(value).any():
        order = kernels.group_lexsort(value, group, n_groups)
        if key is None or kernels.break_ties(order, group, value, np.asarray(key)):
            return order
    return np.lexsort((value, group)) if key is None else np.lexsort((key, value, group))


def group_medians(group: np.ndarray, value: np.ndarray, n_groups: int, empty: float) -> np.ndarray:
    """Median of ``value`` in each group (the mean of the two middle values of an even group;
    ``empty`` for a group without members): the numbers of sorting each group with
    ``np.lexsort((value, group))`` and averaging its middle places, by selection when the kernels
    are on (linear time; which of two equal middle values a selection returns does not change the
    mean, signed zeros included, as both halves of the mean are values of the group). A 2-d
    ``value`` gives each row's medians by the same groups (one gathering of the groups)."""
    group, value = np.asarray(group), np.asarray(value)
    counts = np.bincount(group, minlength=n_groups) if group.size else np.zeros(n_groups, dtype=np.int64)
    mid = None
    if value.dtype == np.float64 and counts.size == n_groups and not np.isnan(value).any():
        mid = kernels.group_middles(group, value, n_groups)
    if mid is None and value.ndim == 2:
        if value.shape[0] == 0:
            return np.zeros((0, counts.size))
        return np.stack([group_medians(group, row, n_groups, empty) for row in value]).reshape(-1, counts.size)
    if mid is None:
        o = np.lexsort((value, group))
        start = np.cumsum(counts) - counts
        vs = value[o]
        last = max(vs.size - 1, 0)
        if vs.size == 0:
            return np.full(counts.size, empty)
        mid = (vs[np.minimum(start + (counts - 1) // 2, last)], vs[np.minimum(start + counts // 2, last)])
    return np.where(counts > 0, 0.5 * (mid[0] + mid[1]), empty)
