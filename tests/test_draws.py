"""sim.core.draws: the shortcut sampler has the exact distribution."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.draws import bernoulli_slots


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
