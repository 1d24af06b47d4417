"""Random draws shaped to the model's arrays, from the model's generator (same distributions as
numpy's own, fewer numbers drawn or fewer operations per agent).

* :func:`bernoulli_slots` picks each of ``n`` slots with probability ``p`` by drawing the
  geometric gaps between picks: ~``n p`` draws instead of ``n`` (firm relocation: p = 2 %).
* :func:`poisson` draws Poisson counts by inversion with one uniform number per agent; nearly
  all firms have a small innovation rate (median 0.03 a year), where numpy's generator spends
  a product of uniforms and an exponential per draw. Rates above ``POISSON_INVERSION_MAX`` use
  numpy's sampler. ``tests/test_draws.py`` checks both against the exact distributions.
"""

from __future__ import annotations

import numpy as np

POISSON_INVERSION_MAX = 10.0  # rates above this use numpy's sampler (few firms; long inversion)


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


def poisson(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """Poisson counts with rates ``lam`` (>= 0): the smallest k with F(k) > u for one uniform u
    per rate, the terms of F built for the undecided rates only."""
    lam = np.asarray(lam, dtype=float)
    u = rng.random(lam.shape)
    out = np.zeros(lam.shape, dtype=np.int64)
    term = np.exp(-lam)  # P(k = 0)
    todo = np.flatnonzero(u >= term)
    big = lam[todo] > POISSON_INVERSION_MAX
    if big.any():
        out[todo[big]] = rng.poisson(lam[todo[big]])
        todo = todo[~big]
    lam_t, u_t, term_t = lam[todo], u[todo], term[todo]
    cdf = term_t.copy()
    k = 0
    while todo.size:
        k += 1
        term_t *= lam_t / k
        cdf += term_t
        done = (u_t < cdf) | (term_t <= 0.0)  # term 0: F stopped growing below u by rounding (u ~ 1)
        out[todo[done]] = k
        keep = ~done
        todo, lam_t, u_t, term_t, cdf = todo[keep], lam_t[keep], u_t[keep], term_t[keep], cdf[keep]
    return out
