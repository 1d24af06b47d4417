"""The zone masks levers target (issue 19: built with fewer steps, the same masks)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents.zone import DELISTED, NATIONAL, REGION
from sim.model.zonemodel import ZoneModel
from sim.policies._common import CLASS_WORDS, has_perks, target_mask

from .conftest import build


def _old_target_mask(model, targets):
    zs = model.zones
    mask = np.zeros(zs.capacity, dtype=bool)
    ids = {z: i for i, z in enumerate(model.zone_ids)}
    for t in targets:
        if t in CLASS_WORDS:
            lv = CLASS_WORDS[t]
            mask |= np.ones(zs.capacity, dtype=bool) if lv is None else (zs.level == lv)
        elif t in ids:
            mask[ids[t]] = True
    return mask & zs.alive & (zs.level != DELISTED)


@pytest.mark.parametrize("targets", [("all",), ("national",), ("region",), ("national", "region"),
                                     ("baise",), ("baise", "nanning"), ("region", "nanning"), ("all", "baise")])
def test_target_masks_are_those_of_the_direct_rule(world, targets):
    lever = build("management_reform", zones=list(targets))
    m = ZoneModel(world=world, levers=[lever], rng=1, agent_handles="lazy")
    zs = m.zones
    rng = np.random.default_rng(7)
    for _ in range(5):  # zones delisted, dead, suspended or moved between classes at random
        zs.level[:] = rng.choice([NATIONAL, REGION, DELISTED], zs.capacity)
        zs.alive[:] = rng.random(zs.capacity) < 0.9
        zs.perks_lost[:] = rng.integers(-1, 2, zs.capacity)
        want = _old_target_mask(m, targets)
        assert np.array_equal(target_mask(m, targets), want)
        assert np.array_equal(lever.mask(m, perks=False), want)
        assert np.array_equal(lever.mask(m), want & has_perks(m))


@pytest.mark.parametrize("values", [
    [0.3, -1.2, 5.0],
    [np.nan, 1.0, np.nan],
    [np.inf, -np.inf, np.nan, 2.5],
    [],
])
def test_zero_nan_is_nan_to_num_and_a_new_array(values):
    from sim.policies._common import zero_nan

    a = np.array(values, dtype=float)
    before = a.copy()
    out = zero_nan(a)
    np.testing.assert_array_equal(out, np.nan_to_num(before, nan=0.0))
    assert out.dtype == np.float64 and not np.shares_memory(out, a)
    np.testing.assert_array_equal(a, before)  # the input untouched
