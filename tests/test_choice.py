"""Grouped logit draws (sim.core.choice): the frequencies are the logit probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core import kernels
from sim.core.choice import draw_alternatives, logit_cdf



def _same_with_numpy(monkeypatch, c, g, x):
    """draw_alternatives with the kernels on gives numpy's path's array (dtype and values)."""
    got = draw_alternatives(c, g, x)
    monkeypatch.setattr(kernels, "ENABLED", False)
    want = draw_alternatives(c, g, x)
    monkeypatch.setattr(kernels, "ENABLED", True)
    assert got.dtype == want.dtype and np.array_equal(got, want)

def test_draws_follow_the_logit_probabilities_of_their_group():
    rng = np.random.default_rng(1)
    util = np.array([[0.0, 1.0, -np.inf, 2.0],
                     [3.0, 0.0, 0.0, -np.inf],
                     [0.0, 0.0, 0.0, 0.0]])
    p = np.exp(np.where(np.isfinite(util), util, -np.inf))
    p /= p.sum(axis=1, keepdims=True)
    n = 200_000
    group = rng.integers(0, 3, n)
    pick = draw_alternatives(logit_cdf(util), group, rng.random(n))
    for g in range(3):
        freq = np.bincount(pick[group == g], minlength=4) / (group == g).sum()
        np.testing.assert_allclose(freq, p[g], atol=0.006)
    assert not ((group == 0) & (pick == 2)).any() and not ((group == 1) & (pick == 3)).any()


def test_matches_the_gumbel_max_choice_it_replaces():
    """Same distribution as argmax(utility + Gumbel noise), the textbook logit draw."""
    rng = np.random.default_rng(2)
    util = rng.normal(size=(1, 6)) * 2
    n = 200_000
    gumbel = np.argmax(util + rng.gumbel(size=(n, 6)), axis=1)
    ours = draw_alternatives(logit_cdf(util), np.zeros(n, dtype=int), rng.random(n))
    np.testing.assert_allclose(np.bincount(ours, minlength=6) / n, np.bincount(gumbel, minlength=6) / n,
                               atol=0.006)


@settings(max_examples=200, deadline=None)
@given(groups=st.integers(1, 400), k=st.integers(1, 12), seed=st.integers(0, 2**32 - 1),
       edge=st.sampled_from([0.0, 1.0 - 2**-53, 0.5]))
def test_never_picks_an_impossible_alternative(groups, k, seed, edge):
    """Even for u next to 1 in the last of 400 groups (where g + u rounds to g + 1)."""
    rng = np.random.default_rng(seed)
    util = rng.normal(size=(groups, k)) * 5
    util[rng.random((groups, k)) < 0.4] = -np.inf
    util[np.arange(groups), rng.integers(0, k, groups)] = 0.0  # every group has a choice
    group = rng.integers(0, groups, 500)
    u = rng.random(500)
    u[:50] = edge
    pick = draw_alternatives(logit_cdf(util), group, u)
    assert ((pick >= 0) & (pick < k)).all()
    assert np.isfinite(util[group, pick]).all()


def test_a_row_without_choices_is_uniform_not_nan():
    cdf = logit_cdf(np.full((1, 3), -np.inf))
    np.testing.assert_allclose(cdf, [[1 / 3, 2 / 3, 1.0]])
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(logit_cdf(np.array([[0.0, 0.0]])), [[0.4, 1.0]])


@pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed or switched off")
@pytest.mark.parametrize("groups,k", [(1, 1), (1, 6), (14, 5), (14, 15), (3, 40), (400, 3)])
def test_compiled_row_search_is_the_flat_search(monkeypatch, groups, k):
    """The compiled search in the agent's own row gives the numpy search's alternatives: plateaus
    (impossible alternatives: equal cumulative values), uniforms exactly on a cumulative value (side
    right: the next alternative), next to 0 and 1 (g + u rounds to g or g + 1), 0 itself, one row,
    wide rows (a binary search above 32 alternatives), no agents; rows that do not ascend inside
    their interval, negative uniforms or groups outside the rows go to numpy."""
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    rng = np.random.default_rng(groups * k)
    util = rng.normal(size=(groups, k)) * 3
    util[rng.random((groups, k)) < 0.3] = -np.inf
    util[np.arange(groups), rng.integers(0, k, groups)] = 0.0
    cdf = logit_cdf(util)
    n = 4000
    group = rng.integers(0, groups, n)
    u = rng.random(n)
    u[:1000] = cdf[group[:1000], rng.integers(0, k, 1000)]
    u[1000:1100] = rng.choice([0.0, 5e-324, 2.0**-53, 2.0**-52, 1.0 - 2.0**-53, 1.0 - 2.0**-52, 0.5], 100)
    bad_rows = cdf.copy()
    bad_rows[0, -1] = 1.0 + 2.0**-52  # above its interval
    reversed_rows = cdf[:, ::-1].copy()
    neg_u = u.copy()
    neg_u[5] = -0.25
    out_group = group.copy()
    out_group[3] = groups
    cases = [(cdf, group, u), (cdf, group[:0], u[:0]), (cdf, group[:1], u[:1]), (bad_rows, group, u),
             (reversed_rows, group, u), (cdf, group, neg_u), (cdf, out_group, u)]
    for c, g, x in cases:
        _same_with_numpy(monkeypatch, c, g, x)
    flat = cdf + np.arange(groups)[:, None]
    cap = np.nextafter(np.arange(groups) + 1.0, 0.0)
    assert kernels.row_search(flat, cap, group, u) is not None  # the compiled path ran on valid rows
    for c, g, x in cases[3:] if k > 1 else cases[3:4] + cases[5:]:  # one alternative: reversed is the same
        assert kernels.row_search(c + np.arange(groups)[:, None], cap, g, x) is None  # numpy decided


@pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed or switched off")
@pytest.mark.parametrize("groups,k,n,big,path", [
    (3, 40, 4000, 65536, "guide"), (3, 33, 4000, 1, "guide"), (3, 33, 4000, 65536, "guide"),
    (50, 400, 5000, 65536, "guide"), (50, 400, 5000, 1, "guide"), (1, 1000, 3000, 1, "guide"),
    (400, 401, 1500, 65536, "search"), (3, 32, 4000, 65536, "search"), (14, 5, 4000, 1, "search")])
def test_row_search_guide_table_is_the_flat_search(monkeypatch, groups, k, n, big, path):
    """Long rows searched by many agents go through the guide table (64 or 256 buckets a row, the
    latter from ``_GUIDE_BIG`` cells), the rest through the plain search; both give numpy's
    alternatives: plateaus and zero-probability runs (long runs of equal cells inside one bucket),
    uniforms exactly on a cumulative value or a bucket edge (j / G), next to 0 and 1; rows that do
    not ascend inside their interval, negative uniforms and groups outside the rows go to numpy."""
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    monkeypatch.setattr(kernels, "_GUIDE_BIG", big)
    kernels.sorts_on()
    ran = []
    for name in ("_row_guide", "_row_search"):
        def spy(*a, _f=getattr(kernels, name), _n=name):
            ran.append(_n)
            return _f(*a)
        monkeypatch.setattr(kernels, name, spy)
    rng = np.random.default_rng(groups * k + n)
    util = rng.normal(size=(groups, k)) * 3
    util[rng.random((groups, k)) < 0.3] = -np.inf
    util[:, k // 3: k // 2] = -np.inf  # a long run of equal cumulative values
    util[np.arange(groups), rng.integers(0, k, groups)] = 0.0
    cdf = logit_cdf(util)
    group = rng.integers(0, groups, n)
    u = rng.random(n)
    u[:1000] = cdf[group[:1000], rng.integers(0, k, 1000)]
    u[1000:1100] = rng.choice([0.0, 5e-324, 2.0**-53, 2.0**-52, 1.0 - 2.0**-53, 1.0 - 2.0**-52, 0.5], 100)
    u[1100:1300] = rng.integers(0, 256, 200) / 256.0  # bucket edges
    u[1300:1400] = np.nextafter(u[1100:1200], 0.0)
    bad_rows = cdf.copy()
    bad_rows[0, -1] = 1.0 + 2.0**-52
    reversed_rows = cdf[:, ::-1].copy()
    neg_u = u.copy()
    neg_u[n - 5] = -0.25
    out_group = group.copy()
    out_group[n - 3] = groups
    cases = [(cdf, group, u), (bad_rows, group, u), (reversed_rows, group, u), (cdf, group, neg_u),
             (cdf, out_group, u)]
    for i, (c, g, x) in enumerate(cases):
        _same_with_numpy(monkeypatch, c, g, x)
        flat = c + np.arange(groups)[:, None]
        cap = np.nextafter(np.arange(groups) + 1.0, 0.0)
        assert (kernels.row_search(flat, cap, g, x) is None) == (i > 0)  # numpy decided the bad cases
    assert set(ran) == {"_row_" + path}
