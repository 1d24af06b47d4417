"""Grouped logit draws (sim.core.choice): the frequencies are the logit probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.choice import draw_alternatives, logit_cdf


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
