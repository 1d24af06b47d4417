"""sim.draws: the shortcut samplers have the exact distributions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.draws import POISSON_INVERSION_MAX, bernoulli_slots, poisson


@pytest.mark.parametrize("lam", [0.0, 0.003, 0.2, 1.5, 7.0, POISSON_INVERSION_MAX * 3])
def test_poisson_frequencies_match_the_pmf(lam):
    rng = np.random.default_rng(int(lam * 1000) + 1)
    n = 200_000
    x = poisson(rng, np.full(n, lam))
    assert x.dtype == np.int64 and (x >= 0).all()
    ks = np.arange(x.max() + 1)
    expected = stats.poisson.pmf(ks, lam) * n
    observed = np.bincount(x, minlength=ks.size)
    keep = expected > 20  # chi-square over the well-populated counts
    if keep.sum() > 1:
        exp = expected[keep] * observed[keep].sum() / expected[keep].sum()
        assert stats.chisquare(observed[keep], exp).pvalue > 1e-4
    assert abs(x.mean() - lam) < 5 * np.sqrt(max(lam, 1e-3) / n) + 1e-9


def test_poisson_mixed_rates_keep_their_order():
    rng = np.random.default_rng(3)
    lam = np.tile([0.01, 50.0, 0.5], 50_000)
    x = poisson(rng, lam)
    for j, value in enumerate([0.01, 50.0, 0.5]):
        assert abs(x[j::3].mean() - value) < 5 * np.sqrt(value / 50_000)


def test_poisson_is_reproducible_and_uses_the_given_generator():
    lam = np.random.default_rng(0).random(1000)
    a = poisson(np.random.default_rng(9), lam)
    b = poisson(np.random.default_rng(9), lam)
    c = poisson(np.random.default_rng(10), lam)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize("p", [0.0, 1e-300, 1e-12, 0.001, 0.02, 0.5, 1.0])
def test_bernoulli_slots_are_a_bernoulli_process(p):
    rng = np.random.default_rng(5)
    n, reps = 1000, 400
    picks = [bernoulli_slots(rng, n, p) for _ in range(reps)]
    assert all(((s >= 0) & (s < n)).all() and (np.diff(s) > 0).all() for s in picks)
    counts = np.array([s.size for s in picks])
    assert abs(counts.mean() - n * p) <= 5 * np.sqrt(n * p * (1 - p) / reps) + 1e-9
    hits = np.bincount(np.concatenate(picks), minlength=n) if p > 0 else np.zeros(n)
    if 0 < p < 1:  # every slot equally likely: first and second half alike
        assert abs(hits[: n // 2].sum() - hits[n // 2:].sum()) <= 5 * np.sqrt(hits.sum())
