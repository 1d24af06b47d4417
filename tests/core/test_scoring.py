"""The compiled evaluation kernel (sim/core/scoring.py) gives bit for bit the numbers of the numpy
code it replaces in RegionalGovernment.evaluate: on random sub-indicator values (classes of every
size, flat and tied rows, NaN and infinite values) and through a model's evaluation with its
levels and weights changed; and the compiled class ranks are class_ranks'."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from sim.agents import government as gov
from sim.agents.government import GROWTH, LOG, SUBS, area_means, standardise
from sim.agents.zone import DELISTED, NATIONAL
from sim.core import kernels, scoring
from sim.core.params import INDICATORS
from sim.model.zonemodel import ZoneModel
from sim.outcomes.metrics import zone_outcomes
from sim.scenario.world import load_world

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed or switched off")


@pytest.fixture
def on(monkeypatch):
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    if not scoring.available():
        pytest.skip("the arithmetic kernels are off on this machine")


def bits(a):
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def numpy_reference(values, classes, clip, w, sub_w, current, years, span, alive):
    """evaluate's numpy steps (standardise, area_means, einsum, the sensitivity)."""
    n_subs, nz = values.shape
    sub, slope = np.zeros((n_subs, nz)), np.zeros((n_subs, nz))
    if classes:
        cols = np.array([i for c in classes for i in c], dtype=np.intp)
        sub[:, cols], slope[:, cols] = standardise(values[:, cols], [len(c) for c in classes], clip)
    ind = area_means(sub)
    score = np.where(alive, np.einsum("kz,zk->z", ind, w), np.nan)
    dval = np.nan_to_num(current)
    dval[LOG] = 1.0
    dval /= years
    dval[GROWTH] = np.divide(1.0, span, out=np.zeros(nz), where=span > 0)
    return sub, slope, ind, score, sub_w * slope * dval


@pytest.mark.parametrize("sizes", [(1, 13), (4, 10), (9, 1), (2, 2), (8, 130), (0, 17), (1, 0), (3, 0), (300, 7)])
@pytest.mark.parametrize("odd", [False, True])
def test_the_kernel_is_the_numpy_evaluation_bit_for_bit(on, sizes, odd):
    rng = np.random.default_rng(sum(sizes) + odd)
    nz = sum(sizes) + 3  # three slots in no class
    values = rng.standard_normal((len(SUBS), nz)) * 10.0 ** rng.uniform(-3, 3, (len(SUBS), 1))
    values[2] = 0.7  # a flat sub-indicator
    values[5, :] = rng.choice([0.1, 0.2], nz)  # ties
    values[7, : nz // 2] = 1e6 * values[7, : nz // 2]  # beyond the clip
    current = rng.standard_normal((len(SUBS), nz))
    current[rng.integers(0, len(SUBS), 6), rng.integers(0, nz, 6)] = np.nan
    current[rng.integers(0, len(SUBS), 3), rng.integers(0, nz, 3)] = np.inf
    current[rng.integers(0, len(SUBS), 3), rng.integers(0, nz, 3)] = -np.inf
    if odd:
        values[rng.integers(0, len(SUBS), 4), rng.integers(0, nz, 4)] = np.nan
        values[rng.integers(0, len(SUBS), 2), rng.integers(0, nz, 2)] = np.inf
        values[rng.integers(0, len(SUBS), 2), rng.integers(0, nz, 2)] = -np.inf
    slots = rng.permutation(nz)
    classes = [sorted(slots[:sizes[0]].tolist()), sorted(slots[sizes[0]:sum(sizes)].tolist())]
    national = np.zeros(nz, dtype=bool)
    national[classes[0]] = True
    national[slots[-1]] = True  # a dead national zone is in no class
    classes = [c for c in classes if c]
    alive = np.zeros(nz, dtype=bool)
    alive[[i for c in classes for i in c]] = True
    w = rng.uniform(0.0, 1.0, (nz, len(INDICATORS)))
    w /= w.sum(axis=1, keepdims=True)
    sub_w = np.ascontiguousarray(w.T[gov.AREA] / gov._PER_AREA_OF_SUB)
    years = rng.integers(1, 5, nz).astype(float)
    span = rng.integers(0, 4, nz).astype(float)
    want = numpy_reference(values, classes, 2.5, w, sub_w, current, years, span, alive)
    got = [np.zeros((len(SUBS), nz)), np.zeros((len(SUBS), nz)), np.empty((len(INDICATORS), nz)), np.empty(nz),
           np.empty((len(SUBS), nz))]
    done = scoring.evaluate_core(values, alive, national, 2.5, gov.AREA_START, gov._AREA_COUNT_INT, w, sub_w, current,
                                 gov._IS_LOG, GROWTH, years, span, *got)
    finite = np.isfinite(values[:, alive]).all()
    assert done == finite  # non-finite values are left to the numpy code
    if not done:
        return
    for name, g, x in zip(("sub", "slope", "ind", "score", "sens"), got, want):
        np.testing.assert_array_equal(bits(g), bits(x), err_msg=name)


@pytest.mark.parametrize("n", [1, 2, 5, 14, 48])
def test_the_compiled_class_ranks_are_class_ranks(on, n):
    rng = np.random.default_rng(n)
    for trial in range(200):
        alive = rng.uniform(size=n) < 0.8
        level = rng.integers(-1, 4, n).astype(np.int8)  # -1 and 3: in no class
        score = rng.choice([10.0, 20.0, 0.0, -0.0, 55.5], n) if trial % 2 else rng.uniform(0, 100, n)
        if trial % 3 == 0:
            score[rng.integers(0, n, 2)] = rng.choice([np.nan, np.inf, -np.inf, sys.float_info.max], 2)
        want = gov.class_ranks(alive.tolist(), level.tolist(), score.tolist())
        got = np.zeros(n, dtype=np.int32)
        scoring.class_ranks(alive, level, score, len(gov.LEVELS), got)
        assert got.tolist() == want


def test_a_model_evaluates_the_same_with_and_without_the_kernel(on, monkeypatch):
    m = ZoneModel(world=load_world("synthetic:9,60,300"), rng=4, agent_handles="lazy")
    g, zs = m.government, m.zones
    for year in range(6):
        if year == 2:
            zs.level[0], zs.level[1] = DELISTED, NATIONAL
            g.set_weights(DELISTED, (1.0, 2.0, 1.0, 1.0, 6.0))
        if year == 4:
            zs.level[:] = NATIONAL  # one class
        m.step()  # the year's evaluation ran; evaluate it again both ways
        st = zone_outcomes(m, m.year_data.census)
        st["amenity"] = zs.amenity
        if year == 5:
            st["output"] = st["output"].copy()
            st["output"][2] = np.inf  # a non-finite raw value: the nan_to_num branch
        out = []
        for compiled in (True, False):
            monkeypatch.setattr(scoring, "available", lambda c=compiled: c)
            g.evaluate(dict(st))
            out.append([zs.score.copy(), zs.rank.copy().astype(float), g.indicators, g.subscores, g.sensitivity,
                        g.national_place])
        for a, b in zip(*out):
            np.testing.assert_array_equal(bits(a), bits(b))


@pytest.mark.parametrize("n", [1, 3, 14, 40])
def test_the_compiled_learning_is_the_numpy_learning(on, monkeypatch, n):
    """committee.learned with the kernel (scoring.learn_core) and with numpy, bit for bit: scores
    and last figures with NaN, dead and idle zones, large changes."""
    from sim.agents.committee import learned

    rng = np.random.default_rng(n)
    for trial in range(50):
        alive = rng.uniform(size=n) < 0.8
        produced = alive & (rng.uniform(size=n) < 0.8)
        score = np.where(rng.uniform(size=n) < 0.1, np.nan, rng.uniform(0, 100, n))
        log_out = rng.normal(0, 3, n)
        last_score = np.where(rng.uniform(size=n) < 0.2, np.nan, rng.uniform(0, 100, n))
        last_log = np.where(rng.uniform(size=n) < 0.2, np.nan, rng.normal(0, 3, n) * 10.0 ** (trial % 5))
        sn, on_ = rng.uniform(0, 20, n), rng.uniform(0, 1, n)
        mem = float(rng.uniform(0.3, 0.95))
        args = (mem, score, log_out, alive, produced, last_score, last_log, sn, on_)
        monkeypatch.setattr(scoring, "available", lambda: True)
        got = learned(*args)
        monkeypatch.setattr(scoring, "available", lambda: False)
        want = learned(*args)
        for g, x in zip(got, want):
            np.testing.assert_array_equal(bits(g), bits(x))


@pytest.mark.parametrize("n", [1, 2, 14, 60])
def test_the_compiled_raw_values_are_to_scale_of_raw_values(on, n):
    """government.scaled_values (scoring.raw_core, numpy's log, scoring.scaled) against
    ``_to_scale(raw_values(stats))`` with NaN for dead zones, bit for bit: zeros, negatives, NaN
    and infinite figures, idle zones."""
    rng = np.random.default_rng(n)
    names = ("firms", "output", "employees", "rd_intensity", "innovations", "entries", "hightech_firms",
             "value_added", "output_per_km2", "amenity", "arrivals", "talent", "talent_inflow", "tax")
    for trial in range(40):
        stats = {k: rng.lognormal(0.0, 2.0, n) * rng.choice([0.0, 1.0, 1.0, 1.0, -1.0], n) for k in names}
        if trial % 4 == 0:
            k = names[rng.integers(0, len(names))]
            stats[k][rng.integers(0, n)] = rng.choice([np.nan, np.inf, -np.inf, -0.0])
        alive = rng.uniform(size=n) < 0.8
        want = gov._to_scale(gov.raw_values(stats))
        want[:, ~alive] = np.nan
        got = gov.scaled_values(stats, alive)
        np.testing.assert_array_equal(bits(got), bits(want))
