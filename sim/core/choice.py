"""Logit choice for groups of agents that share their utilities.

In both location choices of the model (a talent cohort choosing where to live, a firm choosing
where to relocate) an agent's utilities differ from those of the other agents of its *group*
only by a constant (the cohort's skill premium, which is the same for every alternative) — the
group is the cohort's home zone, the firm's current zone. The multinomial-logit choice
probabilities are therefore one row per group, and each agent draws its alternative from its
group's row with one uniform number: O(agents x log(alternatives)) instead of one Gumbel draw per
agent and alternative, which is what keeps a 400-zone province as cheap per agent as 14 zones.
The choice probabilities are exactly the logit's (``tests/test_choice.py`` checks the draws
against them).
"""

from __future__ import annotations

import numpy as np

from sim.core import kernels
from sim.core import pmath as pm


def logit_cdf(util: np.ndarray) -> np.ndarray:
    """Cumulative logit probabilities of each row of ``util`` (groups x alternatives; ``-inf``
    marks an alternative a group cannot choose). A row with no possible alternative gets the
    uniform distribution over them all, so callers must give every group at least one."""
    util = np.asarray(util, dtype=float)
    cdf = kernels.logit_rows(util)  # compiled around pmath's exp: the same bits (~12 numpy calls less)
    if cdf is not None:
        return cdf
    top = util.max(axis=1, keepdims=True)
    top[~np.isfinite(top)] = 0.0
    w = pm.exp(util - top)
    w[~np.isfinite(w)] = 0.0
    cdf = np.cumsum(w, axis=1)
    empty = cdf[:, -1] <= 0.0
    if empty.any():
        cdf[empty] = np.arange(1, util.shape[1] + 1)
    cdf /= cdf[:, -1:]
    return cdf


def draw_alternatives(cdf: np.ndarray, group: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Alternative drawn by each agent: the first whose cumulative probability in the agent's
    ``group`` row of ``cdf`` exceeds its uniform number ``u`` (one vectorised binary search:
    row ``g`` is shifted to the interval (g, g + 1] of one ascending array; with the kernels on,
    a compiled search of the agent's row alone, the same alternatives)."""
    groups, k = cdf.shape
    group = np.asarray(group, dtype=np.int64)
    shift, cap = shifts(groups)
    flat = cdf + shift
    # compiled: each agent searches its own row only (the same alternatives, while the shifted rows
    # ascend inside their intervals, as cumulative probabilities do; else None and numpy's search)
    if kernels.ENABLED:
        pick = kernels.row_search(flat, cap, group, np.asarray(u))
        if pick is not None:
            return pick
    flat = flat.ravel()
    key = np.minimum(group + u, np.nextafter(group + 1.0, 0.0))  # stay inside the row when g + u rounds up
    pos = np.searchsorted(flat, key, side="right")
    return np.minimum(pos - group * k, k - 1)


_SHIFTS: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def shifts(groups: int) -> tuple[np.ndarray, np.ndarray]:
    """``arange(groups)[:, None]`` (each row's shift) and ``nextafter(arange(groups) + 1, 0)`` (its
    cap), read-only and kept per number of groups: the model draws from 14-row tables a few times a
    year, where making them again cost more than the search."""
    s = _SHIFTS.get(groups)
    if s is None:
        g = np.arange(groups)
        s = (g[:, None], np.nextafter(g + 1.0, 0.0))
        for a in s:
            a.flags.writeable = False
        if len(_SHIFTS) < 256:  # bounded: a process sees few table sizes
            _SHIFTS[groups] = s
    return s
