"""The yearly kernels (sim/core/yearly.py) give bit for bit the numbers of the numpy code they
replace in talent moves, the labour market and land: each kernel against its numpy steps on
random inputs with NaNs, infinities and zeros, and whole runs (levers on the paths: land
allocation, talent subsidies, hosting) with the kernels on and with ``yearly.on`` switched off."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.core import kernels, yearly

pytestmark = [pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed or switched off"),
              pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")]


@pytest.fixture
def on(monkeypatch):
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    assert yearly.on()


def same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a.view(np.uint8), b.view(np.uint8))


def _floats(rng, n, special=True):
    x = rng.normal(0.0, 2.0, n)
    if special:
        x[::7] = 0.0
        x[3::11] = np.nan
        x[5::13] = np.inf
        x[6::17] = -np.inf
    return x


def test_land_demand_and_develop_match_numpy(on):
    rng = np.random.default_rng(1)
    for n in (1, 7, 14, 40):
        cap, occ = _floats(rng, n), np.abs(_floats(rng, n))
        tot, dev, allot = rng.uniform(0, 5, n), rng.uniform(0, 4, n), rng.uniform(0, 1, n)
        tot[::5] = dev[::5] + allot[::5]  # no room left
        occ[::4] = np.nan
        buffer = 0.3 * cap
        want = occ * (1.0 + buffer) + occ * 0.03 - dev - allot
        ref = np.clip(want, 0.0, np.maximum(tot - dev - allot, 0.0))
        out = np.empty(n)
        yearly.land_demand(0.3, cap, occ, tot, dev, allot, out)
        assert same(out, ref)
        # allotment then development
        a = np.abs(_floats(rng, n))
        eff, capf = rng.uniform(0, 1, n), rng.uniform(0.5, 2, n)
        eff[::6] = np.nan
        allotted, flows, dev2 = allot.copy(), rng.uniform(0, 1, n), dev.copy()
        r_allotted, r_flows, r_dev = allotted.copy(), flows.copy(), dev.copy()
        r_allotted += a
        r_flows += a
        d = np.maximum(np.minimum(np.minimum(r_allotted, tot - r_dev), 0.7 * eff * capf), 0.0)
        r_dev += d
        r_allotted -= d
        yearly.develop(a, allotted, flows, tot, dev2, 0.7, eff, capf)
        assert same(allotted, r_allotted) and same(flows, r_flows) and same(dev2, r_dev)


def test_talent_flows_match_bincount(on):
    rng = np.random.default_rng(2)
    nz = 14
    zone = rng.integers(-1, nz, 500)
    employer = rng.integers(-1, 50, 500)
    retire = np.flatnonzero(rng.uniform(size=500) < 0.1)
    out = rng.uniform(size=nz)
    ref = out.copy()
    gone = np.bincount(zone[retire] + 1, minlength=nz + 1)
    ref += gone[1:] * 10.0
    assert yearly.retire_flows(zone, retire, 10.0, out) == retire.size - gone[0]
    assert same(out, ref)
    movers = np.flatnonzero(rng.uniform(size=500) < 0.4)
    new = rng.integers(-1, nz, movers.size)
    outflow, inflow = rng.uniform(size=nz), rng.uniform(size=nz)
    r_out, r_in, r_zone, r_emp = outflow.copy(), inflow.copy(), zone.copy(), employer.copy()
    old = r_zone[movers]
    moved = new != old
    left = np.bincount(old[moved] + 1, minlength=nz + 1)
    came = np.bincount(new[moved] + 1, minlength=nz + 1)
    r_out += left[1:] * 10.0
    r_in += came[1:] * 10.0
    r_zone[movers[moved]] = new[moved]
    r_emp[movers[moved]] = -1
    assert yearly.move_flows(movers, new, zone, employer, 10.0, outflow, inflow) == (left[0], came[0])
    assert same(outflow, r_out) and same(inflow, r_in) and same(zone, r_zone) and same(employer, r_emp)


@pytest.mark.parametrize("every", [True, False])
def test_utility_matches_numpy(on, every):
    rng = np.random.default_rng(3)
    nz = 14
    lw, am, lh, sub, ext, jo = (_floats(rng, nz, special=False) for _ in range(6))
    alive = rng.uniform(size=nz) < 0.8
    base = 0.9 * lw + 0.4 * am - 0.7 * lh + 0.05 * (sub + ext) - 1.3 * (1.0 - jo)
    if not every:
        base = np.where(alive, base, -np.inf)
    ref = np.empty((nz, nz + 1))
    ref[:, 0] = -2.5
    np.add(base[None, :], 0.8 * np.eye(nz), out=ref[:, 1:])
    util = np.empty((nz, nz + 1))
    yearly.utility(0.9, lw, 0.4, am, 0.7, lh, 0.05, sub, ext, 1.3, jo, alive, every, 0.8, -2.5, util)
    assert same(util, ref)


def test_hiring_steps_match_numpy(on):
    rng = np.random.default_rng(4)
    nz, C, L = 14, 300, 80
    demand = rng.uniform(0, 30, nz)
    demand[[2, 5]] = 0.0
    tz = rng.integers(-1, nz, C)
    tz[tz == 7] = 3  # a zone without people
    supply, fill, job_odds, odds = np.empty(nz), np.empty(nz), np.empty(nz), np.empty(nz + 1)
    yearly.odds(demand, tz, 10.0, supply, fill, job_odds, odds)
    r_supply = np.bincount(tz + 1, minlength=nz + 1)[1:] * 10.0
    r_fill = np.where(demand > 0, np.minimum(1.0, r_supply / np.maximum(demand, 1e-9)), 0.0)
    r_odds = np.where(r_supply > 0, np.minimum(1.0, demand / np.maximum(r_supply, 1e-9)), 1.0)
    assert same(supply, r_supply) and same(fill, r_fill) and same(job_odds, r_odds)
    assert same(odds, np.concatenate(([0.0], r_odds)))
    u = rng.uniform(size=C)
    employer = rng.integers(-1, L, C)
    jobs = yearly.jobs(u, odds, tz, employer)
    assert same(jobs, np.flatnonzero(u < odds[tz + 1])) and (employer == -1).all()


@pytest.mark.parametrize("n_firms", [1, 40, 300, 5000])
def test_key_order_is_zone_key_order(on, monkeypatch, n_firms):
    from sim.core import streams

    rng = np.random.default_rng(7)
    for nz in (1, 14, 300, 4096):
        zone = rng.integers(0, nz, n_firms)
        keys = rng.integers(0, 2**63, n_firms, dtype=np.uint64) << np.uint64(1)
        keys[::5] = keys[0]  # ties: the sort's stability
        zbits = max(1, int(nz - 1).bit_length())
        got = yearly.key_order(zone, keys, zbits)
        monkeypatch.setattr(kernels, "ENABLED", False)
        assert same(got, streams.zone_key_order(zone, keys, nz))
        monkeypatch.setattr(kernels, "ENABLED", True)


def test_search_employ_matches_numpy(on):
    rng = np.random.default_rng(8)
    nz, C, L = 14, 300, 80
    for case in range(4):
        demand = rng.uniform(0, 30, nz)
        demand[[2, 5]] = 0.0
        tz = rng.integers(-1, nz, C)
        jobs = np.flatnonzero((tz >= 0) & (rng.uniform(size=C) < 0.7))
        u = rng.uniform(size=jobs.size)
        u[:3] = [0.0, 1.0 - 2**-53, np.nan]
        want, fz, fill = rng.uniform(0, 3, L), rng.integers(0, nz, L), rng.uniform(0, 1, nz)
        want[::9] = 0.0  # ties in the cumulative demand
        if case == 1:
            want[4] = -1.0  # a fall: numpy decides
        order = rng.permutation(L)
        employer, skilled = rng.integers(-1, L, C), np.full(L, -7.0)
        r_employer = employer.copy()
        start = np.zeros(nz)
        np.cumsum(demand[:-1], out=start[1:])
        target = u * demand[tz[jobs]]
        target += start[tz[jobs]]
        cum = np.cumsum(want[order])
        r_employer[jobs] = order[np.minimum(np.searchsorted(cum, target, side="right"), L - 1)]
        got = u.copy()
        t_only = u.copy()
        assert not yearly.search_employ(want, order, t_only, demand, tz, jobs, employer.copy(), fill, fz, skilled,
                                        False)
        assert same(t_only, target) and (skilled == -7.0).all()
        ok = yearly.search_employ(want, order, got, demand, tz, jobs, employer, fill, fz, skilled, True)
        assert same(got, target)
        if case == 1:
            assert not ok and (skilled == -7.0).all()
            continue
        assert ok and same(employer, r_employer) and same(skilled, want * fill[fz])


def test_wages_match_numpy(on):
    rng = np.random.default_rng(5)
    C, nz = 400, 14
    skill = rng.lognormal(0.0, 0.6, C)
    skill[::9] = 0.05  # below the premium's floor
    zone, employer = rng.integers(0, nz, C), rng.integers(-1, 30, C)
    zw = rng.uniform(0.05, 0.2, nz)
    prem = np.maximum(skill - 1.0, -0.9)
    prem = 1.0 + 0.6 * prem
    prem *= 1000.0
    ref = zw[zone] * prem
    ref *= employer >= 0
    wage = np.empty(C)
    yearly.wages(skill, 0.6, 1000.0, zw, zone, employer, wage)
    assert same(wage, ref)


@pytest.mark.parametrize("package", ["baseline", "land-by-output", "talent-subsidy", "hosting"])
def test_runs_match_with_yearly_off(on, monkeypatch, package):
    """Whole runs with the yearly kernels and with their numpy code: the same results and pools."""
    from sim.model.zonemodel import ZoneModel
    from sim.scenario.packages import load_package
    from sim.scenario.world import load_world

    w = load_world("synthetic:14,300,3000")

    def run():
        m = ZoneModel(world=w, levers=load_package(package).build(), rng=7, agent_handles="lazy")
        df = m.run(6)
        return df, {(i, n): getattr(pool, n)[:pool.n].copy() for i, pool in enumerate((m.firms, m.talent, m.zones))
                    for n in pool._columns}

    got, got_cols = run()
    monkeypatch.setattr(yearly, "on", lambda: False)
    want, want_cols = run()
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    for k in want_cols:
        assert same(got_cols[k], want_cols[k]), k


def test_heads_years_and_movers_match_numpy(on):
    rng = np.random.default_rng(6)
    nz, n = 14, 700
    zone, years = rng.integers(-1, nz, n), rng.integers(0, 40, n)
    heads, lam = np.empty(nz), np.empty(nz)
    r_years = years + 1
    yearly.heads_years(zone, years, 50.0, 0.07, heads, lam)
    r_heads = np.bincount(zone + 1, minlength=nz + 1)[1:] * 50.0
    assert same(years, r_years) and same(heads, r_heads) and same(lam, 0.07 * r_heads / 50.0)
    r = rng.uniform(size=n)
    r[::13] = np.nan
    employer = rng.integers(-1, 20, n)
    for settled in (0, 500, n):
        consider = (r < 0.15) | ((employer < 0) & (r < 0.5))
        consider[settled:] = True
        assert same(yearly.movers(r, 0.15, employer, settled), np.flatnonzero(consider))


def test_repeat_index_and_housing_ratio_match_numpy(on):
    rng = np.random.default_rng(9)
    for counts in (np.zeros(14, dtype=np.int64), rng.integers(0, 5, 14), np.array([3], dtype=np.int64)):
        assert same(yearly.repeat_index(counts), np.repeat(np.arange(counts.size), counts))
    assert yearly.repeat_index(np.array([2, -1], dtype=np.int64)) is None
    talent, base = rng.uniform(0, 3, 40), rng.uniform(0, 3, 40)
    talent[::7], base[::9] = np.nan, np.inf
    ratio = np.empty(40)
    yearly.housing_ratio(talent, base, ratio)
    assert same(ratio, np.maximum(talent, 1.0) / np.maximum(base, 1.0))
    heads, lam, years = np.empty(14), np.empty(14), np.zeros(50, dtype=np.int64)
    zone = rng.integers(-1, 14, 50)
    yearly.heads_years(zone, years, 50.0, 0.07, heads, lam)
    assert same(lam, 0.07 * heads / 50.0)


def test_max_min_clip_follow_numpy_on_signed_zeros_and_nan(on):
    """The kernels' maxima, minima and clip against numpy's on every pair of a grid with both signs
    of zero, NaN and infinities: on a tie numpy's maximum and minimum return the second operand
    (max(-0.0, 0.0) is 0.0, max(0.0, -0.0) is -0.0) and clip keeps x; a NaN anywhere gives NaN."""
    from numba import njit

    grid = np.array([-0.0, 0.0, 1.0, -1.0, np.nan, np.inf, -np.inf, 2.5])
    mx, mn, cl = (njit(lambda a, b: yearly._max(a, b)), njit(lambda a, b: yearly._min(a, b)),
                  njit(lambda x, lo, hi: yearly._clip(x, lo, hi)))
    a, b = np.meshgrid(grid, grid)
    a, b = a.ravel(), b.ravel()
    assert same(np.array([mx(x, y) for x, y in zip(a, b)]), np.maximum(a, b))
    assert same(np.array([mn(x, y) for x, y in zip(a, b)]), np.minimum(a, b))
    for lo in grid:
        for hi in grid:
            want = np.clip(grid, lo, hi)
            got = np.array([cl(x, lo, hi) for x in grid])
            assert np.array_equal(np.isnan(got), np.isnan(want)), (lo, hi)
            assert same(np.where(np.isnan(got), 0.0, got), np.where(np.isnan(want), 0.0, want)), (lo, hi)
