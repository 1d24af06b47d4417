"""The firms' pool kernels (sim/core/firm_k.py) give what the numpy code they replace gives: the
employers following the firms' slots after ``Pool.remove``, and the census' counts and sums by
zone (bit for bit, in element order)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core import firm_k, kernels
from sim.core.pool import Pool

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed or switched off")


@pytest.fixture
def on(monkeypatch):
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    assert firm_k.on()


def _numpy_follow(employer, gone, src, dst, capacity):
    follow = np.arange(-1, capacity)
    follow[gone + 1] = -1
    follow[src + 1] = dst
    return follow[employer + 1]


@pytest.mark.parametrize("n", [1, 2, 3, 64, 65, 130, 1000])
@pytest.mark.parametrize("share", [0.0, 0.05, 0.5, 1.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_follow_employers_matches_numpy(on, n, share, seed):
    """Random exits (none, a few, half, all; slots in the tail and below it, at word boundaries of
    the bitmap) from a compact pool; cohorts without a job, employed by closed firms, by moved
    firms and by firms that stay; the slots Pool.remove gives."""
    rng = np.random.default_rng(seed * 1000 + n)
    pool = Pool({"x": (np.float64, 0.0)}, capacity=n + 3, compact=True)
    pool.add(n, x=np.arange(n, dtype=np.float64))
    k = int(round(share * n))
    gone = np.sort(rng.choice(n, k, replace=False)).astype(np.int64)
    employer = rng.integers(-1, n, 3 * n + 5).astype(np.int64)
    want = _numpy_follow(employer, gone, *pool.remove(gone), pool.capacity)
    pool2 = Pool({"x": (np.float64, 0.0)}, capacity=n + 3, compact=True)
    pool2.add(n, x=np.arange(n, dtype=np.float64))
    src, dst = pool2.remove(gone)
    got = employer.copy()
    assert firm_k.follow_employers(got, gone, src, dst, n)
    assert np.array_equal(got, want)
    # the employers point at the same firms as before (by the value each firm carries), or -1
    x_before = np.where(employer >= 0, employer, -1).astype(np.float64)
    closed = np.isin(employer, gone)
    assert np.array_equal(got == -1, (employer == -1) | closed)
    assert np.array_equal(pool2.x[got[got >= 0]], x_before[got >= 0])


def test_follow_employers_declines_outside_values(on):
    """An employer outside [-1, n_old) leaves the array untouched and numpy decides."""
    employer = np.array([0, 3, 5, -1], dtype=np.int64)
    before = employer.copy()
    assert not firm_k.follow_employers(employer, np.array([1], dtype=np.int64), np.zeros(0, np.int64),
                                       np.zeros(0, np.int64), 5)
    assert np.array_equal(employer, before)


def test_follow_employers_off_without_kernels(monkeypatch):
    monkeypatch.setattr(kernels, "ENABLED", False)
    assert not firm_k.follow_employers(np.zeros(3, np.int64), np.array([0]), np.zeros(0, np.int64),
                                       np.zeros(0, np.int64), 3)


@pytest.mark.parametrize("size", [0, 255, 256, 257, 5000])
def test_census_sums_match_group_sums(on, size):
    """The census' firm and cohort sums in one compiled pass each: the counts and sums of
    group_sums over the float copies of the flags, bit for bit (None below the size threshold)."""
    rng = np.random.default_rng(size)
    zone = rng.integers(0, 9, size)
    emp, land = np.round(rng.lognormal(1, 1, size), 2), rng.lognormal(0, 1, size)
    flag = rng.uniform(0, 1, size) < 0.3
    got = firm_k.firm_census(zone, emp, land, flag, 9)
    want = kernels.group_sums(zone, (emp, land, flag.astype(float)), 9, count=True)
    tz, skill = rng.integers(-1, 9, size), rng.lognormal(0, 0.5, size)
    skill[::7] = 1.3  # ties with the threshold
    got_t = firm_k.cohort_census(tz, skill, 1.3, 10)
    want_t = kernels.group_sums(tz + 1, ((skill >= 1.3).astype(float),), 10, count=True)
    if size < 256:
        assert got is None and got_t is None
        return
    for a, b in zip(got + got_t, want + want_t, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    zone[3] = 9  # outside: numpy decides
    tz[3] = -2
    assert firm_k.firm_census(zone, emp, land, flag, 9) is None
    assert firm_k.cohort_census(tz, skill, 1.3, 10) is None
