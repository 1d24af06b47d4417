"""The annual evaluation: scores, ranks within class, weights."""

from __future__ import annotations

import numpy as np

from sim.agents.zone import DELISTED, NATIONAL, REGION
from sim.outcomes.metrics import zone_outcomes


def test_ranks_follow_scores_within_class(model):
    zs = model.zones
    for lv in (NATIONAL, REGION):
        members = np.flatnonzero(zs.alive & (zs.level == lv))
        order = members[np.argsort(zs.rank[members])]
        assert (np.diff(zs.score[order]) <= 0).all()


def test_delisted_zone_ranked_in_its_own_class(model):
    zs = model.zones
    zs.level[5] = DELISTED
    stats = zone_outcomes(model)
    stats["amenity"] = zs.amenity
    model.government.evaluate(stats)
    assert zs.rank[5] == 1
    r = np.sort(zs.rank[zs.level == REGION])
    assert np.array_equal(r, np.arange(1, r.size + 1))


def test_weights_decide_the_order(model):
    zs = model.zones
    stats = zone_outcomes(model)
    stats["amenity"] = zs.amenity
    model.government.set_weights(NATIONAL, (0, 0, 0, 0, 1))  # quality only: log output, output/worker
    model.government.evaluate(stats)
    a = zs.rank.copy()
    model.government.set_weights(NATIONAL, (0, 0, 1, 0, 0))  # green only
    model.government.evaluate(stats)
    assert not np.array_equal(a[zs.level == NATIONAL], zs.rank[zs.level == NATIONAL])
    assert np.nanmax(zs.score) <= 100 and np.nanmin(zs.score) >= 0
