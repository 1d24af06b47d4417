"""sim.core.ranking: the first places of a ranking and orders within groups, the same positions as
numpy's lexsort (ties, repeated keys, signed zeros, infinities, NaN) with and without the kernels."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core import kernels
from sim.core.ranking import group_medians, largest_first, order_within_groups


def _case(rng, trial, n):
    v = rng.normal(size=n) * 10.0 ** rng.integers(-5, 5)
    if trial % 3 == 0:
        v = np.round(v, 1)  # many ties
    if trial % 5 == 0 and n:
        v[rng.integers(0, n, n // 3)] = 0.0
        v[rng.integers(0, n, n // 5)] = -0.0  # equal to 0.0 in a sort: ties broken by key
    if trial % 7 == 0 and n:
        v[rng.integers(0, n, n // 6)] = np.inf
        v[rng.integers(0, n, n // 8)] = -np.inf
    if trial % 11 == 0 and n:
        v[rng.integers(0, n, 3)] = np.nan  # numpy's path
    key = rng.integers(0, 2**64, n, dtype=np.uint64)
    if trial % 4 == 0 and n:
        key[rng.integers(0, n, n // 2)] = key[0]  # repeated keys: then by position
    return v, key


def test_largest_first_is_lexsort_prefix(selection_paths):
    rng = np.random.default_rng(1)
    for trial in range(120):
        n = int(rng.integers(0, 2500))
        v, key = _case(rng, trial, n)
        for k in (None, 0, 1, 7, 100, n - 1, n, n + 5):
            if k is not None and k < 0:
                continue
            assert np.array_equal(largest_first(v, key, k), np.lexsort((key, -v))[:k]), (trial, k)


@pytest.mark.parametrize("sorted_groups", [False, True])
def test_order_within_groups_is_lexsort(kernels_on, sorted_groups):
    rng = np.random.default_rng(2 + sorted_groups)
    for trial in range(120):
        n = int(rng.integers(0, 2500))
        n_groups = int(rng.integers(1, 40))
        group = rng.integers(0, n_groups, n)
        if sorted_groups:
            group = np.sort(group)
        v, key = _case(rng, trial, n)
        assert np.array_equal(order_within_groups(group, v, key, n_groups), np.lexsort((key, v, group))), trial
        assert np.array_equal(order_within_groups(group, v, None, n_groups), np.lexsort((v, group))), trial


def test_groups_outside_the_range_fall_back(kernels_on):
    group = np.array([0, 3, 1, 3] * 200)
    v = np.arange(800.0)[::-1]
    assert np.array_equal(order_within_groups(group, v, None, 2), np.lexsort((v, group)))


def _median_by_lexsort(group, v, n_groups, empty):
    """The medians as MuYield computed them before: sort each group, average its middle places."""
    o = np.lexsort((v, group))
    counts = np.bincount(group, minlength=n_groups)
    start = np.cumsum(counts) - counts
    vs = v[o]
    if vs.size == 0:
        return np.full(n_groups, empty)
    last = vs.size - 1
    return np.where(counts > 0, 0.5 * (vs[np.minimum(start + (counts - 1) // 2, last)]
                                       + vs[np.minimum(start + counts // 2, last)]), empty)


@pytest.mark.parametrize("many", [False, True], ids=["few-groups", "many-groups"])
def test_group_medians_are_the_sorted_middles(selection_paths, many):
    rng = np.random.default_rng(4 + many)
    for trial in range(150):
        n = int(rng.integers(0, 2000))
        n_groups = int(rng.integers(1, 30)) + (kernels.MANY_GROUPS if many else 0)  # many: the compiled loop
        group = rng.integers(0, n_groups, n)
        v, _ = _case(rng, trial, n)
        got = group_medians(group, v, n_groups, 1.0)
        want = _median_by_lexsort(group, v, n_groups, 1.0)
        # equal in value; a mean of two signed zeros may differ in sign only (callers take max(., tiny))
        assert np.array_equal(got, want, equal_nan=True), trial
        assert np.array_equal(np.maximum(got, 1e-12), np.maximum(want, 1e-12), equal_nan=True)
        # two rows by the same groups (one gathering): each row's own medians
        w, _ = _case(rng, trial + 1, n)
        both = group_medians(group, np.stack([v, w]), n_groups, 1.0)
        assert both.shape == (2, n_groups)
        assert np.array_equal(both[0], got, equal_nan=True), trial
        assert np.array_equal(both[1], _median_by_lexsort(group, w, n_groups, 1.0), equal_nan=True), trial


def test_selection_is_timed_once_or_fixed(monkeypatch):
    """``selection`` answers one of the two ways, keeps its answer, and a fixed choice is kept."""
    if not kernels.enable():
        pytest.skip("numba not installed or switched off")
    monkeypatch.setattr(kernels, "SELECTION", "")
    first = kernels.selection()
    assert first in ("numpy", "compiled")
    assert kernels.selection() == first == kernels.SELECTION
    monkeypatch.setattr(kernels, "SELECTION", "compiled")
    assert kernels.selection() == "compiled"
    monkeypatch.setattr(kernels, "ENABLED", False)
    monkeypatch.setattr(kernels, "SELECTION", "")
    assert kernels.selection() == "numpy"  # without the kernels there is only numpy's


def test_selection_env_fixes_the_choice_and_refuses_nonsense(monkeypatch, refused_before_writing):
    """``ZONESIM_SELECTION`` (any case) fixes the selection; a value it does not allow stops a command
    before it writes anything: one line naming the variable and what is allowed, exit 2."""
    from sim.core.errors import InputError

    if not kernels.enable():
        pytest.skip("numba not installed or switched off")
    for word, want in ((" Compiled ", "compiled"), ("NUMPY", "numpy")):
        monkeypatch.setenv("ZONESIM_SELECTION", word)
        monkeypatch.setattr(kernels, "SELECTION", "")
        assert kernels.selection_wanted() == want and kernels.selection() == want
    monkeypatch.setenv("ZONESIM_SELECTION", "fastest")
    monkeypatch.setattr(kernels, "SELECTION", "")
    with pytest.raises(InputError, match="ZONESIM_SELECTION"):
        kernels.selection()
    refused_before_writing("ZONESIM_SELECTION", "'fastest'", "numpy, compiled")
