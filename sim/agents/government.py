"""The regional government: the annual evaluation of every zone, and where levers hook in.

Each year it computes five first-level indicators per zone (the 2021 national index's areas),
normalises each to 0-100 across the evaluated zones (min-max), weights them into a score, and
ranks zones within their class: national, region-level, delisted. Weights can differ by class
(area 6, classified evaluation); by default both classes use ``params.indicator_weights``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.agents.zone import LEVELS
from sim.core.params import INDICATORS

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


def indicator_values(stats: dict[str, np.ndarray]) -> np.ndarray:
    """Raw indicator sub-scores, shape (n_indicators, n_zones); each row is later min-max scaled.

    innovation: R&D intensity, innovations per firm and entry rate (equal thirds, each scaled);
    structure: certified high-tech share of firms and value-added ratio;
    green: output per km2 of developed land (a resource-efficiency proxy) and amenity;
    openness: arrivals from outside per firm and talent inflow per head;
    quality: log output and output per employee.
    """
    firms = np.maximum(stats["firms"], 1.0)
    out = stats["output"]
    parts = [
        [stats["rd_intensity"], stats["innovations"] / firms, stats["entries"] / firms],
        [stats["hightech_firms"] / firms, _safe(stats["value_added"], out)],
        [stats["output_per_km2"], stats["amenity"]],
        [stats["arrivals"] / firms, _safe(stats["talent_inflow"], np.maximum(stats["talent"], 1.0))],
        [np.log1p(out), _safe(out, stats["employees"])],
    ]
    return parts  # type: ignore[return-value]


def _safe(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)


def _minmax(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Scale to 0-100 over the zones in ``mask``; a constant indicator gives everyone 50."""
    out = np.zeros_like(x, dtype=float)
    if not mask.any():
        return out
    lo, hi = x[mask].min(), x[mask].max()
    out[mask] = 50.0 if hi - lo <= 1e-12 * max(abs(hi), 1.0) else 100.0 * (x[mask] - lo) / (hi - lo)
    return out


class RegionalGovernment(mesa.Agent):
    """Evaluates and ranks zones each year; holds the evaluation weights per class."""

    def __init__(self, model: ZoneModel, weights: tuple[float, ...]) -> None:
        super().__init__(model)
        w = np.asarray(weights, dtype=float)
        # one row of weights per class: national, region-level, delisted
        self.weights = np.tile(w / w.sum(), (len(LEVELS), 1))
        self.indicators = np.zeros((len(INDICATORS), 0))

    def set_weights(self, level: int, weights: tuple[float, ...] | np.ndarray) -> None:
        w = np.asarray(weights, dtype=float)
        self.weights[level] = w / w.sum()

    def evaluate(self, stats: dict[str, np.ndarray]) -> None:
        """Score (0-100) and rank (1 = best within class) every live zone; writes ``zones``."""
        zs = self.model.zones
        alive = zs.alive
        parts = indicator_values(stats)
        ind = np.zeros((len(INDICATORS), zs.capacity))
        for k, subs in enumerate(parts):
            ind[k] = np.mean([_minmax(np.asarray(s, dtype=float), alive) for s in subs], axis=0)
        self.indicators = ind
        level = zs.level.astype(int)
        score = np.einsum("kz,zk->z", ind, self.weights[level])
        zs.score[:] = np.where(alive, score, np.nan)
        self.rank()

    def rank(self) -> None:
        """Rank live zones by score within their current class (1 = best; ties to the lower
        slot, so ranks are a permutation 1..n). Called again after levers change levels."""
        zs = self.model.zones
        level = zs.level.astype(int)
        score = np.nan_to_num(zs.score, nan=-np.inf)
        rank = np.full(zs.capacity, -1, dtype=np.int32)
        for lv in range(len(LEVELS)):
            members = np.flatnonzero(zs.alive & (level == lv))
            order = members[np.lexsort((members, -score[members]))]
            rank[order] = np.arange(1, order.size + 1)
        zs.rank[:] = rank

    def step(self) -> None:
        """The government acts through ``evaluate`` in the model's evaluation stage."""
