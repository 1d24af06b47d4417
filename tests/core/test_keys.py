"""KeyIndex and isin_keys (sim.core.keys): the positions and memberships numpy's searchsorted and
isin give, with the hash-table kernel and without it."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core import kernels
from sim.core.keys import KeyIndex, isin_keys


# 300 keys: the filter in front of the table lets ~1 % of absent queries through to the probe; 300,000:
# the filter at its size cap (2**23 bits), ~3.5 % through
@pytest.mark.parametrize("m", [0, 1, 7, 300, 5000, 300_000])
def test_find_gives_first_position_and_isin(kernels_on, m):
    rng = np.random.default_rng(m)
    table = rng.integers(0, 2**64, m, dtype=np.uint64)
    if m > 3:
        table[-3:] = table[:3]  # repeated keys: the first position is found
    query = np.concatenate([rng.integers(0, 2**64, 4000, dtype=np.uint64), table, table[: m // 2]])
    rng.shuffle(query)
    index = KeyIndex(table)
    pos = index.find(query)
    assert pos.dtype == np.int64 and pos.shape == query.shape
    assert np.array_equal(pos >= 0, np.isin(query, table))
    assert np.array_equal(isin_keys(query, table), np.isin(query, table))
    first: dict[int, int] = {}
    for i, k in enumerate(table.tolist()):
        first.setdefault(k, i)
    assert [first[k] for k in query[pos >= 0].tolist()] == pos[pos >= 0].tolist()
    assert index.repeated == (m > 3)


def test_clustered_keys_probe_past_collisions(kernels_on):
    """Keys that share their hash slot (multiples of a large power of two collide under the
    multiplicative hash's top bits less often, so use small consecutive keys and a full table)."""
    table = np.arange(1, 2049, dtype=np.uint64) << np.uint64(50)
    query = np.arange(0, 4100, dtype=np.uint64) << np.uint64(50)
    pos = KeyIndex(table).find(query)
    want = np.where((query >> np.uint64(50) >= 1) & (query >> np.uint64(50) <= 2048), (query >> np.uint64(50)).astype(np.int64) - 1, -1)
    assert np.array_equal(pos, want)


def test_hash_kernel_is_what_runs(monkeypatch):
    if not kernels.enable():
        pytest.skip("numba not installed or switched off")
    monkeypatch.setattr(kernels, "ENABLED", True)
    assert KeyIndex(np.arange(10, dtype=np.uint64))._hash is not None
    monkeypatch.setattr(kernels, "ENABLED", False)
    assert KeyIndex(np.arange(10, dtype=np.uint64))._hash is None
