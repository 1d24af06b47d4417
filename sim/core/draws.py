"""Random draws shaped to the model's arrays, from the model's generator (same distributions as
numpy's own, fewer numbers drawn or fewer operations per agent).

* :func:`bernoulli_slots` picks each of ``n`` slots with probability ``p`` by drawing the
  geometric gaps between picks: ~``n p`` draws instead of ``n`` (firm relocation: p = 2 %).
  ``tests/test_draws.py`` checks it against the exact distribution.

(A Poisson sampler by inversion was tried for the innovations and dropped: with the model's
rates it was no faster than numpy's.)
"""

from __future__ import annotations

import numpy as np


def bernoulli_slots(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Slots ``0 .. n-1`` each chosen independently with probability ``p``, ascending (the same
    distribution as ``flatnonzero(rng.random(n) < p)``)."""
    if p <= 0.0 or n <= 0:
        return np.zeros(0, dtype=np.int64)
    if p >= 1.0:
        return np.arange(n)
    if p < 1e-9:  # gaps beyond int64 would overflow the running sum
        return np.flatnonzero(rng.random(n) < p)
    want = int(n * p + 6.0 * np.sqrt(n * p) + 10)  # enough gaps to pass n, nearly always
    pos = np.cumsum(rng.geometric(p, want)) - 1
    while pos[-1] < n:  # rare: draw more gaps
        pos = np.concatenate([pos, pos[-1] + np.cumsum(rng.geometric(p, want))])
    return pos[:np.searchsorted(pos, n)]
