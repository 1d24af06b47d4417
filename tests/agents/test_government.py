"""The government's evaluation helpers give, bit for bit, what the straightforward numpy they
replace gives (issue 19: fewer small numpy calls a year, the same figures), and its cached
values follow the classes and weights they depend on."""

from __future__ import annotations

import types

import numpy as np
import pytest

from sim.agents import government as gov
from sim.agents.government import (
    NATIONAL,
    OUTPUT,
    SUBS,
    RegionalGovernment,
    class_ranks,
    national_places,
    norm_cdf,
    standardise,
)
from sim.agents.zone import DELISTED, REGION
from sim.core import kernels, scoring
from sim.model.zonemodel import ZoneModel
from sim.scenario.world import load_world


def bits(a):
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


# ------------------------------------------------------------------ standardisation
def standardise_by_class(values, classes, clip):
    """The class-by-class loop standardise replaces, with numpy's own mean and std."""
    sub = np.zeros_like(values)
    slope = np.zeros_like(values)
    for members in classes:
        n = members.size
        v = values[:, members]
        mu, sd = v.mean(axis=1, keepdims=True), v.std(axis=1, keepdims=True)
        flat = sd[:, 0] <= 1e-12 * np.maximum(np.abs(mu[:, 0]), 1.0)
        z = np.divide(v - mu, sd, out=np.zeros_like(v), where=~flat[:, None])
        sub[:, members] = 50.0 + 50.0 * np.clip(z, -clip, clip) / clip
        inside = (np.abs(z) < clip) & ~flat[:, None] & (n > 1)
        dz = (1.0 - 1.0 / n - z * z / n) / np.where(flat, 1.0, sd[:, 0])[:, None]
        slope[:, members] = np.where(inside, 50.0 / clip * dz, 0.0)
    return sub, slope


@pytest.mark.parametrize("sizes", [(1, 13), (4, 10), (9, 1), (2, 2), (8, 130), (17,), (300, 7)])
def test_standardise_is_the_class_by_class_loop_bit_for_bit(sizes):
    rng = np.random.default_rng(sum(sizes))
    nz = sum(sizes) + 3  # three slots in no class
    values = rng.standard_normal((len(SUBS), nz)) * 10.0 ** rng.uniform(-3, 3, (len(SUBS), 1))
    values[2] = 0.7  # a flat sub-indicator
    values[5, :] = rng.choice([0.1, 0.2], nz)  # ties
    slots = rng.permutation(nz)
    classes, start = [], 0
    for size in sizes:
        classes.append(np.sort(slots[start:start + size]))
        start += size
    want_sub, want_slope = standardise_by_class(values, classes, 2.5)
    cols = np.concatenate(classes)
    sub, slope = np.zeros_like(values), np.zeros_like(values)
    sub[:, cols], slope[:, cols] = standardise(values[:, cols], list(sizes), 2.5)
    np.testing.assert_array_equal(bits(sub), bits(want_sub))
    np.testing.assert_array_equal(bits(slope), bits(want_slope))


def test_a_class_sum_over_a_fancy_index_adds_its_zones_in_slot_order():
    """What standardise relies on: numpy lays ``values[:, members]`` out column-major, so its
    row sums add the zones one after the other (not pairwise): a row-block sum down axis 0."""
    rng = np.random.default_rng(3)
    values = rng.standard_normal((13, 200)) * 10.0 ** rng.uniform(-3, 3, (13, 200))
    members = np.flatnonzero(rng.random(200) < 0.6)
    v = values[:, members]
    assert v.flags.f_contiguous
    seq = v[:, 0].copy()
    for j in range(1, members.size):
        seq = seq + v[:, j]
    np.testing.assert_array_equal(bits(v.sum(axis=1)), bits(seq))
    np.testing.assert_array_equal(bits(np.ascontiguousarray(v.T).sum(axis=0)), bits(seq))


# ------------------------------------------------------------------ ranks and national places
def ranks_by_lexsort(alive, level, score):
    """The numpy ranking class_ranks replaces on short lists."""
    level = level.astype(int)
    score = np.nan_to_num(score, nan=-np.inf) if np.isinf(score).any() else np.where(np.isnan(score), -np.inf, score)
    rank = np.full(alive.size, -1, dtype=np.int32)
    members = np.flatnonzero(alive & (level >= 0) & (level < 3))
    order = members[np.lexsort((members, -score[members], level[members]))]
    lv = level[order]
    rank[order] = np.arange(1, order.size + 1) - np.searchsorted(lv, lv, side="left")
    return rank


@pytest.mark.parametrize("n", [1, 5, 14, 48, 49, 120])
def test_class_ranks_are_the_lexsort_ranking(n):
    rng = np.random.default_rng(n)
    for trial in range(30):
        alive = rng.random(n) < 0.8
        level = rng.integers(-1, 4, n).astype(np.int8)
        score = rng.choice([10.0, 20.0, 20.0, 35.5, -0.0, 0.0], n) + (rng.random(n) if trial % 2 else 0.0)
        if trial % 3 == 0:
            score[rng.random(n) < 0.2] = np.nan
        if trial % 5 == 0:
            score[rng.random(n) < 0.2] = rng.choice([np.inf, -np.inf])
        want = ranks_by_lexsort(alive, level, score)
        assert class_ranks(alive.tolist(), level.tolist(), score.tolist()) == want.tolist()
        # rank() itself: Python lists up to _RANK_IN_PYTHON slots, numpy beyond
        zones = types.SimpleNamespace(alive=alive, level=level, score=score, capacity=n,
                                      rank=np.zeros(n, dtype=np.int32))
        RegionalGovernment.rank(types.SimpleNamespace(model=types.SimpleNamespace(zones=zones)))
        np.testing.assert_array_equal(zones.rank, want)


def test_national_places_are_the_norm_cdf_formula():
    rng = np.random.default_rng(7)
    log_out = np.append(rng.normal(4.0, 1.5, 50), [np.nan, -50.0, 50.0])
    mu, sigma, zones = 4.6, 1.07, 169
    want = 1.0 + (zones - 1) * (1.0 - norm_cdf((log_out - mu) / sigma))
    np.testing.assert_array_equal(bits(national_places(log_out, mu, sigma, zones)), bits(want))


# ------------------------------------------------------------------ multi-year values
def multi_year_stacked(history, current, step, n_years):
    """The multi-year mean and trend from the stack of the window's years (the replaced code)."""
    nz = current.shape[1]

    def padded(a):
        return np.concatenate([a, np.full((a.shape[0], nz - a.shape[1]), np.nan)], axis=1)

    stack = np.array([padded(history[s]) for s in range(step - n_years + 1, step + 1) if s in history])
    seen = np.isfinite(stack)
    mean = np.where(seen, stack, 0.0).sum(axis=0) / np.maximum(seen.sum(axis=0), 1)
    growth, span = np.zeros(nz), np.zeros(nz)
    for k in range(n_years, 0, -1):
        if step - k not in history:
            continue
        past = padded(history[step - k])[OUTPUT]
        ok = (span == 0) & np.isfinite(past)
        growth[ok] = (current[OUTPUT][ok] - past[ok]) / k
        span[ok] = k
    mean[gov.GROWTH] = growth
    return mean, np.maximum(seen[:, 0, :].sum(axis=0), 1).astype(float), span


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("n_years", [1, 3, 12])
def test_multi_year_is_the_stacked_mean_also_after_zones_are_added(n_years, compiled, monkeypatch):
    """The multi-year means, counts and trends, with the numpy steps and with the compiled loops
    (sim/core/scoring.py), are those of the stacked window."""
    if compiled:
        monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
        if not scoring.available():
            pytest.skip("the compiled kernels are off")
    monkeypatch.setattr(scoring, "available", lambda: compiled)
    rng = np.random.default_rng(n_years)
    g = types.SimpleNamespace(model=types.SimpleNamespace(params=types.SimpleNamespace(evaluation_years=n_years)),
                              history={}, _width=0)
    g._year = lambda s, nz: RegionalGovernment._year(g, s, nz)
    g._padded = RegionalGovernment._padded
    kept = {}
    nz = 6
    for step in range(20):
        if step in (4, 11):
            nz += 2  # zones added: the years stored before are padded
        current = rng.standard_normal((len(SUBS), nz)) * 10.0 ** rng.uniform(-2, 2, (len(SUBS), 1))
        current[:, rng.random(nz) < 0.2] = np.nan  # zones not (yet, or no longer) there
        current[rng.integers(0, len(SUBS)), rng.integers(0, nz)] = rng.choice([np.inf, -np.inf, 0.5])
        kept[step] = current
        kept = {s: v for s, v in kept.items() if s > step - max(n_years, 1) - 1}
        want = multi_year_stacked(kept, current, step, n_years)
        got = RegionalGovernment.multi_year(g, current.copy(), step)
        for a, b in zip(got, want):
            np.testing.assert_array_equal(bits(a), bits(b))
        assert sorted(g.history) == sorted(kept)


# ------------------------------------------------------------------ cached weights
def test_the_zones_weights_follow_levels_and_weights():
    m = ZoneModel(world=load_world("synthetic:6,60,300"), rng=1, agent_handles="lazy")
    g, zs = m.government, m.zones

    def fresh():
        w = g.weights[zs.level]
        return w, w.T[gov.AREA] / gov.PER_AREA[gov.AREA][:, None]

    for change in ("none", "level", "set_weights", "written", "delisted"):
        if change == "level":
            zs.level[0] = NATIONAL if zs.level[0] != NATIONAL else REGION
        elif change == "set_weights":
            g.set_weights(REGION, (5.0, 1.0, 1.0, 1.0, 1.0))
        elif change == "written":
            g.weights[NATIONAL] = g.weights[NATIONAL][::-1].copy()
        elif change == "delisted":
            zs.level[1] = DELISTED
            g.set_weights(DELISTED, (1.0, 1.0, 1.0, 1.0, 6.0))
        m.step()  # evaluates with the weights as they are now
        for got, want in zip(g._zone_weights(zs.level), fresh()):
            np.testing.assert_array_equal(got, want)
        np.testing.assert_allclose(np.einsum("kz,zk->z", g.indicators, fresh()[0])[zs.alive], zs.score[zs.alive])
