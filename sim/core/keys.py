"""Permanent agent keys: who an agent is, derived from its lineage, the same in every package.

A pool's ``uid`` (a counter, ``Pool.next_uid``) numbers members in the order they are created,
so it diverges between a package and the baseline as soon as one of them has one entrant more:
it identifies Mesa handles, and never keys a random draw. The key an agent draws with
(``sim.core.streams``; the pools' ``key`` column) is a hash of facts that are the same in every
run where the agent exists:

================  =====================================================  ==================
agent             key                                                    helper
================  =====================================================  ==================
zone              blake2b-64 of the zone id (``"nanning"``)              ``zone_keys``
initial firm      (INIT_FIRM, zone key, k-th firm of the zone's row)     ``counted_keys``
initial cohort    (INIT_COHORT, zone key, k-th cohort of the zone)       ``counted_keys``
start-up          (STARTUP, year, zone key, k-th of the zone-year)       ``counted_keys``
arrival           (ARRIVAL, year, zone key, k-th of the zone-year)       ``counted_keys``
spin-off          (SPINOFF, year, parent key)                            ``spinoff_keys``
graduate cohort   (GRADUATE, year, home-zone key, k-th of the zone-year) ``counted_keys``
spun-up fill      (INIT_FILL, zone key, k-th firm the zone lacked)       ``counted_keys``
================  =====================================================  ==================

A relocating firm keeps its key (the zone in it is the zone of birth). Keys are set before the
land check: a blocked entrant's key simply goes unused. Keys are 64-bit hashes: two agents of a
run share one with probability ~ n**2 / 2**65 (3e-8 for a million agents); that would only make
their draws equal. ``check_unique`` is for the test suite, not the yearly path.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.core import kernels
from sim.core.streams import as_keys, combine, name_key

INIT_FIRM, INIT_COHORT, STARTUP, SPINOFF, ARRIVAL, GRADUATE, INIT_FILL = (name_key(t) for t in (
    "key.init_firm", "key.init_cohort", "key.startup", "key.spinoff", "key.arrival", "key.graduate",
    "key.init_fill"))


def zone_keys(zone_ids: Sequence[str]) -> np.ndarray:
    """Key of each zone from its id, so a zone added by a lever (layout) has the same key in
    every package and the slot it gets does not matter."""
    return np.array([name_key(z) for z in zone_ids], dtype=np.uint64)


def within_group_index(counts: np.ndarray) -> np.ndarray:
    """0, 1, .., counts[g]-1 for each group g, concatenated (the k of 'k-th of the zone-year')."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    start = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - start


def counted_keys(tag: int, year: int | None, zone_key: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Keys of ``counts[g]`` new agents in each zone ``g`` (zone keys ``zone_key``): the k-th
    agent of zone g in ``year`` gets (tag, year, zone key, k). When a count grows by one, the
    first agents keep their keys and only the new one is new. ``year=None``: initial agents."""
    counts = np.asarray(counts, dtype=np.int64)
    zk = as_keys(zone_key)
    if zk.ndim == 1:  # the zone keys' chain step and the agents' keys in one compiled pass: the same words
        keys = kernels.counted_keys_from(combine(tag) if year is None else combine(tag, int(year)), zk, counts)
        if keys is not None:
            return keys
    prefix = combine(tag, zk) if year is None else combine(tag, int(year), zk)
    return combine(within_group_index(counts), start=np.repeat(np.atleast_1d(prefix), counts))


def spinoff_keys(year: int, parent_keys: np.ndarray) -> np.ndarray:
    """A parent has at most one spin-off a year: (SPINOFF, year, parent key)."""
    return np.atleast_1d(combine(SPINOFF, int(year), as_keys(parent_keys)))


def check_unique(keys: np.ndarray) -> bool:
    return np.unique(as_keys(keys)).size == np.asarray(keys).size


class KeyIndex:
    """Where agents' keys sit in a table of keys: the firms or cohorts a lever holds by key
    (loans running, projects funded, last year's class-D firms), looked up for every live agent
    each year. ``find`` gives each query key's position in the table (its first, if repeated),
    -1 if absent; ``contains`` is ``np.isin(query, table)``.

    With the kernels on (sim.core.kernels) a hash table of the table's keys, so a look-up costs
    a few nanoseconds whatever the sizes; numpy's ``isin`` and ``searchsorted`` sort the table and
    search it (issue 19: ~1-3 ms a call over the default world's 47,000 firms, where numpy's sort
    runs at ~35 ns an element). Otherwise a stable sort of the table and a binary search: the same
    answers (tests/core/test_keys.py)."""

    def __init__(self, table: np.ndarray) -> None:
        self.table = np.ascontiguousarray(as_keys(table)).ravel()
        self._hash = None
        if kernels.ENABLED and self.table.size:
            self._hash = kernels.key_table(self.table)
            self.repeated = self._hash[2]
        else:
            self._order = np.argsort(self.table, kind="stable")  # equal keys: the first position first
            self._sorted = self.table[self._order]
            self.repeated = bool(np.any(self._sorted[1:] == self._sorted[:-1]))

    def find(self, query: np.ndarray) -> np.ndarray:
        q = np.ascontiguousarray(as_keys(query)).ravel()
        if self.table.size == 0:
            return np.full(q.size, -1, dtype=np.int64)
        if self._hash is not None:
            return kernels.key_find(self._hash, q)
        pos = np.minimum(np.searchsorted(self._sorted, q), self._sorted.size - 1)
        return np.where(self._sorted[pos] == q, self._order[pos], -1)

    def contains(self, query: np.ndarray) -> np.ndarray:
        return self.find(query) >= 0


def isin_keys(query: np.ndarray, table: np.ndarray) -> np.ndarray:
    """``np.isin(query, table)`` for agent keys (uint64), by :class:`KeyIndex`."""
    return KeyIndex(table).contains(query)
