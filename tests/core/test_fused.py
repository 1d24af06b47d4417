"""The fused per-firm kernels (sim/core/fused.py) give bit for bit the numbers of the numpy code
they replace: the normal quantile, each stage's arithmetic on random inputs (through whole runs
with the kernels on and off), settings that hit numpy's fast paths for ``**``, and the probe that
keeps them off unless their functions give sim.core.pmath's numbers."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from sim.core import fused, kernels, maths
from sim.core import pmath as pm
from sim.core.streams import Streams, ndtri

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed or switched off")


@pytest.fixture
def on(monkeypatch):
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    if not fused.available():
        pytest.skip("the fused kernels' probe found a contraction here")


def both(fn, monkeypatch):
    """fn() with the fused kernels, then with numpy."""
    got = fn()
    monkeypatch.setitem(fused._STATE, "arith", False)
    assert not fused.available()
    want = fn()
    monkeypatch.setitem(fused._STATE, "arith", True)
    return got, want


def test_normal_quantile_matches_numpy(monkeypatch):
    """The normal draws' quantile with its compiled central part (``kernels.ndtri_central``, which
    replaced the fused kernel of the whole quantile: one copy of AS 241's central function, run on
    every CPU) against numpy's alone, bit for bit."""
    rng = np.random.default_rng(3)
    u = rng.uniform(0.0, 1.0, 200_000)
    u[:500] = rng.uniform(0.0, 1e-12, 500)  # far tails (r > 5)
    u[500:1000] = 1.0 - rng.uniform(0.0, 1e-12, 500)
    u[1000:1004] = [0.075, 0.925, 0.5 + 2.0**-52, 2.0**-53]  # the central/tail boundary, the middle
    two = u[:4000].reshape(2, 2000)
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    assert kernels.ENABLED
    got, got_two = ndtri(u), ndtri(two)
    monkeypatch.setattr(kernels, "ENABLED", False)
    assert np.array_equal(got.view(np.int64), ndtri(u).view(np.int64))
    assert np.array_equal(got_two, ndtri(two)) and got_two.shape == (2, 2000)


@pytest.mark.parametrize("overrides", [
    {},
    # numpy's `**` operator fast paths (sqrt, copy, square-free) and np.power's plain pow
    {"capital_elasticity": 0.5, "labour_elasticity": 0.0},
    {"capital_elasticity": 0.0, "labour_elasticity": 0.5},
    # no size effect on exit, no catch-up, no growth noise (the tilt's other branch)
    {"exit_size_elasticity": 0.0, "innovation_catch_up": 0.0, "growth_noise": 0.0},
])
def test_runs_identical_with_and_without_fused_kernels(on, monkeypatch, overrides):
    from sim.experiments.runner import simulate
    from sim.scenario.packages import load_package
    from sim.scenario.world import load_world

    world = load_world("synthetic:8,3000,6000")
    full = load_package("guangxi-23")  # every measure (growth caps, differentiated prices) but the Liuzhou park
    pkg = dataclasses.replace(full, levers={k: v for k, v in full.levers.items() if k != "park_integration"})
    pools = {}

    def probe(m):
        f = m.firms
        pools.setdefault(fused.available(), []).append(
            [getattr(f, c)[:f.n].copy() for c in ("employees", "capital", "land", "tfp", "knowledge", "ip",
                                                    "cert_left", "hightech", "losses", "age", "tax", "profit")])

    got, want = both(lambda: simulate(world, pkg, overrides, 11, 4, probe=probe), monkeypatch)
    assert got.equals(want)
    for a, b in zip(pools[True][-1], pools[False][-1]):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_growth_cap_branch_matches_numpy(on, monkeypatch):
    """The green constraint's growth cap (energy-intensive sectors) through both paths."""
    from sim.experiments.runner import simulate
    from sim.scenario.packages import load_package
    from sim.scenario.world import load_world

    got, want = both(lambda: simulate(load_world("synthetic:6,2000,4000"), load_package("green-constraint"), None,
                                      5, 4), monkeypatch)
    assert got.equals(want)


def test_fused_kernels_on_whatever_numpy_dispatches(monkeypatch):
    """The fused kernels call the model's own functions, as the numpy code does (sim.core.pmath): they
    turn on whatever numpy's dispatch table says (an AVX-512 CPU's, where numpy's exp, log and pow are
    its own SIMD loops, included)."""
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    feats = {"AVX2": True, "AVX512F": True, "AVX512_SKX": True, "X86_V4": True}
    monkeypatch.setattr("numpy._core._multiarray_umath.__cpu_features__", feats)
    assert maths.simd_maths()
    monkeypatch.setattr(fused, "_STATE", {})
    assert fused.available() and fused.arithmetic()


def test_off_without_compiled_kernels(monkeypatch):
    monkeypatch.setattr(kernels, "ENABLED", False)
    assert not fused.available()


@pytest.fixture
def arithmetic_only(monkeypatch):
    """The fused kernels on (sim.core.pmath's functions between them)."""
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    if not fused.arithmetic():
        pytest.skip("the arithmetic probe did not match numpy here")


@pytest.mark.parametrize("overrides", [{}, {"capital_elasticity": 0.5, "labour_elasticity": 0.0},
                                       {"innovation_catch_up": 0.0},
                                       {"exit_size_elasticity": 0.0, "growth_noise": 0.0}])
@pytest.mark.parametrize("package", ["guangxi-23", "green-constraint"])
def test_runs_identical_with_and_without_arithmetic_kernels(arithmetic_only, monkeypatch, overrides, package):
    """Production after its powers, tax and loss runs, knowledge, innovation rates,
    certification, growth and exit hazards compiled (pmath's exp/log/log1p/pow between them): every
    table and pool column the same as numpy's alone, with the measures that add firm costs,
    certification support and the green growth cap."""
    from sim.experiments.runner import simulate
    from sim.scenario.packages import load_package
    from sim.scenario.world import load_world

    world = load_world("synthetic:8,3000,6000")
    full = load_package(package)
    pkg = dataclasses.replace(full, levers={k: v for k, v in full.levers.items() if k != "park_integration"})
    pools = {}

    def probe(m):
        f = m.firms
        pools.setdefault(fused.arithmetic(), []).append(
            [getattr(f, c)[:f.n].copy() for c in ("employees", "tfp", "knowledge", "ip", "cert_left", "hightech",
                                                    "losses", "tax", "profit", "output", "value_added", "rd",
                                                    "land", "capital", "age", "key", "zone", "sector",
                                                    "origin", "rd_share")])

    got = simulate(world, pkg, overrides, 11, 4, probe=probe)
    monkeypatch.setitem(fused._STATE, "arith", False)
    assert not fused.arithmetic()
    want = simulate(world, pkg, overrides, 11, 4, probe=probe)
    assert got.equals(want)
    for a, b in zip(pools[True][-1], pools[False][-1]):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_arithmetic_probe_catches_a_contraction(monkeypatch):
    """The probe fails when a kernel rounds a product and a sum once (a fused multiply-add) instead
    of twice: the arithmetic kernels then stay off."""
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    assert fused._build()
    real = fused._K["produce_after_powers"]

    def contracted(tfp, local, cell, us, z, kp, lp, k, n, va_share, sector, rd_share, wage, cost, y, va, rd, profit):
        real(tfp, local, cell, us, z, kp, lp, k, n, va_share, sector, rd_share, wage, cost, y, va, rd, profit)
        profit[:] = np.nextafter(profit, np.inf)  # one ulp: what one rounding instead of two may give

    monkeypatch.setitem(fused._K, "produce_after_powers", contracted)
    assert not fused._probe_arithmetic()
    monkeypatch.setitem(fused._K, "produce_after_powers", real)
    assert fused._probe_arithmetic()


@pytest.mark.parametrize("kernel", ["grow_head", "grow_tail", "exit_after_power"])
def test_arithmetic_probe_catches_growth_and_exit_kernels(monkeypatch, kernel):
    """A growth or exit kernel one ulp off numpy's chain turns the arithmetic kernels off."""
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    assert fused._build()
    real = fused._K[kernel]

    def off(*args):
        got = real(*args)
        out = {"grow_head": args[6], "grow_tail": args[5]}.get(kernel, args[-1])  # margins / land per worker / hazards
        out[:] = np.nextafter(out, np.inf)
        return got

    monkeypatch.setitem(fused._K, kernel, off)
    assert not fused._probe_arithmetic()
    monkeypatch.setitem(fused._K, kernel, real)
    assert fused._probe_arithmetic()



def _grow_chain(emp, profit, output, u, z, sector, land, energy, cap, ref, elast, noise, drift, sens, nz):
    """enterprise.grow's numpy chain up to the sums (fresh arrays from every numpy function)."""
    n = emp.copy()
    margin = profit / np.maximum(output, 1e-9)
    mean_margin = np.average(margin, weights=n) if n.size else 0.0
    sigma = np.minimum(pm.power(np.maximum(n, 1.0) / ref, -elast) * noise, 0.95)
    d = u - 0.5
    g = pm.log1p(-2.0 * np.abs(d)) * (-np.sign(d) / np.sqrt(2.0)) * sigma + pm.log1p(-0.5 * sigma * sigma)
    g += drift + sens * ((margin - mean_margin) * (sigma / noise))
    if cap is not None:
        g = np.where(energy[sector], np.minimum(g, cap[z]), g)
    ch = np.maximum(n * pm.exp(g), 1.0) - n
    lpw = land / np.maximum(n, 1e-9)
    return [n, ch, lpw, np.bincount(z, np.maximum(ch * lpw, 0.0), minlength=nz),
            np.bincount(z, ch * lpw, minlength=nz), np.bincount(z, land, minlength=nz)]


@pytest.mark.parametrize("size", [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 1000, 4099])
@pytest.mark.parametrize("capped", [False, True])
def test_grow_and_exit_arith_in_place_match_numpy(monkeypatch, size, capped):
    """grow_arith and exit_arith run numpy's power, log1p and exp in place (out=) on their own
    buffers: the same numbers as the chain's fresh arrays at every length around the SIMD loops'
    widths and tails, with repeated sizes (ties) and firms below one employee."""
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    if not fused.arithmetic():
        pytest.skip("the arithmetic probe did not match numpy here")
    rng = np.random.default_rng(size + 7 * capped)
    n = np.round(rng.lognormal(1.0, 1.5, size), 1)  # ties, and values below 1
    u, land = rng.uniform(0.0, 1.0, size), rng.lognormal(0.0, 1.0, size)
    output = rng.lognormal(3.0, 1.0, size)
    profit = rng.normal(0.0, 0.2, size) * output
    z, sector = rng.integers(0, 6, size), rng.integers(0, 4, size)
    energy, cap = np.array([False, True, False, True]), rng.normal(0.0, 0.1, 6) if capped else None
    args = (n, profit, output, u, z, sector, land, energy, cap, 40.0, 0.18, 0.25, 0.01, 0.5, 6)
    got = fused.grow_arith(*args)
    for a, b in zip(got, _grow_chain(*args)):
        assert a.shape == b.shape and np.array_equal(a, b)
    assert not np.shares_memory(got[0], n)  # employment before growth: a copy
    age, losses = rng.integers(0, 5, size), rng.integers(0, 4, size)
    by_age, loss = rng.uniform(0.0, 0.1, 5), rng.uniform(0.0, 0.2, 6)
    want = np.minimum((by_age[age] + np.where(losses >= 2, loss[z], 0.0)) * pm.power(np.maximum(n, 1.0) / 40.0, -0.3),
                      1.0)
    assert np.array_equal(fused.exit_arith(age, by_age, losses, 2, loss, z, n, 40.0, 0.3), want)


@pytest.mark.parametrize("size", [0, 1, 5, 256, 3001])
def test_production_sums_on_the_way_match_cell_zone_sums(monkeypatch, size):
    """produce_sums and tax_losses_sums write what produce_after_powers and tax_losses write, and
    return the output by cell and the R&D and tax by zone that cell_zone_sums (bincount) adds up
    afterwards, bit for bit (ties in cells and zones, losses and profits)."""
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    if not fused.arithmetic():
        pytest.skip("the arithmetic probe did not match numpy here")
    rng = np.random.default_rng(size)
    tfp, kp, lp, k, n, rd_share = (rng.lognormal(0.0, 1.0, size) for _ in range(6))
    z, sector = rng.integers(0, 5, size), rng.integers(0, 4, size)
    cell = z * 4 + sector
    local, us, va_share, wage = rng.lognormal(0, 1, 20), rng.lognormal(0, 1, 5), rng.uniform(0, 1, 4), \
        rng.lognormal(0, 1, 5) * 3.0
    hightech, rates = rng.uniform(0, 1, size) < 0.3, np.array([0.25, 0.15])
    want, got = [np.empty(size) for _ in range(4)], [np.empty(size) for _ in range(4)]
    fused.produce_after_powers(tfp, local, cell, us, z, kp, lp, k, n, va_share, sector, rd_share, wage, 0.37, *want)
    by_cell, rd = fused.produce_sums(tfp, local, cell, us, z, kp, lp, k, n, va_share, sector, rd_share, wage, 0.37,
                                     *got, 20, 5)
    assert all(np.array_equal(a, b) for a, b in zip(got, want))
    losses = rng.integers(0, 3, size)
    tax_w, tax_g, loss_w, loss_g = np.empty(size), np.empty(size), losses.copy(), losses.copy()
    fused.tax_losses(want[1], want[3], hightech, rates, 0.13, tax_w, loss_w)
    tax = fused.tax_losses_sums(got[1], got[3], hightech, rates, 0.13, tax_g, loss_g, z, 5)
    assert np.array_equal(tax_g, tax_w) and np.array_equal(loss_g, loss_w)
    for a, b in zip([by_cell, rd, tax], kernels.cell_zone_sums(cell, z, want[0], (want[2], tax_w), 20, 5)):
        assert a.shape == b.shape and np.array_equal(a, b)
    assert np.array_equal(by_cell, np.bincount(cell, want[0], minlength=20))
    assert np.array_equal(tax, np.bincount(z, tax_w, minlength=5))


@pytest.mark.parametrize("size", [1, 7, 300, 4001])  # no firms: the numpy path (bincount's int zeros)
def test_cell_stats_after_log_matches_numpy(monkeypatch, size):
    """entrants' cell statistics on the arithmetic tier (numpy's log, then one compiled pass): the
    weighted logs and the count, employment, log and land sums by cell of the numpy path."""
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    if not fused.arithmetic():
        pytest.skip("the arithmetic probe did not match numpy here")
    rng = np.random.default_rng(size)
    zone, sector = rng.integers(0, 6, size), rng.integers(0, 8, size)
    emp, tfp, land = np.round(rng.lognormal(1, 1, size), 1), rng.lognormal(0, 0.5, size), rng.lognormal(0, 1, size)
    log_tfp = np.log(tfp)
    got = fused.cell_stats_after_log(zone, sector, 8, emp, log_tfp, land, 48)
    want_log = np.log(tfp) * emp
    want = [np.bincount(zone * 8 + sector, minlength=48)] + [
        np.bincount(zone * 8 + sector, w, minlength=48) for w in (emp, want_log, land)]
    assert np.array_equal(log_tfp, want_log)
    for a, b in zip(got, want):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_no_kernel_is_given_one_array_under_two_names(on, monkeypatch):
    """A compiled loop reading one argument and writing another is vectorised by LLVM behind a check
    that the two do not overlap; given the same array twice it runs its scalar version (growth's
    kernels did, 33rd session). Every fused kernel and every kernel of sim.core.kernels, through a
    few years of a small world with growth's land cap and levers: no call passes two arrays that share
    memory (an in-and-out array is one argument)."""
    import numba

    from sim.model.zonemodel import ZoneModel
    from sim.scenario.world import load_world

    shared = []

    def watch(name, fn):
        def call(*args, **kw):
            arrays = [a for a in args if isinstance(a, np.ndarray) and a.size > 1]
            if any(np.shares_memory(p, q) for i, p in enumerate(arrays) for q in arrays[i + 1:]):
                shared.append(name)
            return fn(*args, **kw)
        return call

    for name, fn in list(fused._K.items()):
        monkeypatch.setitem(fused._K, name, watch(name, fn))
    for name in dir(kernels):
        if isinstance(getattr(kernels, name), numba.core.registry.CPUDispatcher):
            monkeypatch.setattr(kernels, name, watch(name, getattr(kernels, name)))
    model = ZoneModel(world=load_world("synthetic:6,3000,20000"), rng=5, agent_handles="lazy")
    for _ in range(3):
        model.step()
    assert fused.available() and model.firms.n > 1000
    assert not shared, f"kernels given one array under two names: {sorted(set(shared))}"


def _magnitudes(rng, n):
    """Numbers of mixed signs and magnitudes: their sum depends on the order of the additions."""
    return rng.standard_normal(n) * 10.0 ** rng.uniform(-6, 6, n)


def test_weighted_sums_match_numpys_sums_at_every_length(on):
    """fused.weighted_sums is numpy's multiply-and-sum and sum to the last bit: every length up to
    300 (the 8-wide blocks, their tails and the first splits at 128), longer ones around the
    splits, and the default world's size and more; a sum in plain order differs (the test can tell)."""
    rng = np.random.default_rng(19)
    lengths = [*range(301), 383, 384, 385, 1023, 1024, 1025, 45_000, 2**17 + 5, 1_000_003]
    plain_differs = 0
    for n in lengths:
        a, w = _magnitudes(rng, n), rng.uniform(0.0, 50.0, n)
        s, t = fused.weighted_sums(a, w)
        assert s == np.multiply(a, w).sum() and t == w.sum(), n
        plain_differs += float(sum((a * w).tolist())) != s
    assert plain_differs > 100  # the order matters for these numbers: pairwise, not plain, is matched


def test_weighted_sums_signed_zeros_and_non_finite(on):
    """numpy adds its pairwise sum to 0.0: a sum of -0.0s is 0.0; NaN and infinities as numpy."""
    for n in (1, 7, 8, 9, 200):
        z = np.full(n, -0.0)
        got = fused.weighted_sums(z, np.ones(n))
        want = (np.multiply(z, np.ones(n)).sum(), np.ones(n).sum())
        assert got == want and math.copysign(1.0, got[0]) == math.copysign(1.0, want[0]) == 1.0
    rng = np.random.default_rng(5)
    for bad in (np.nan, np.inf, -np.inf):
        a, w = _magnitudes(rng, 1000), rng.uniform(0.0, 5.0, 1000)
        a[417] = bad
        s, t = fused.weighted_sums(a, w)
        want = np.multiply(a, w).sum()
        assert (np.isnan(s) and np.isnan(want)) or s == want
        assert t == w.sum()


def test_weighted_sums_checks_its_arrays(on):
    with pytest.raises(ValueError, match="one length"):
        fused.weighted_sums(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="1-d"):
        fused.weighted_sums(np.ones((2, 2)), np.ones((2, 2)))
    a = np.arange(40.0)[::2]  # a strided view: made contiguous first, the same numbers
    assert fused.weighted_sums(a, np.ones(20)) == (a.sum(), 20.0)


@pytest.mark.parametrize("n", [1, 9, 130, 45_000])
def test_enterprise_average_is_numpys_weighted_average_either_way(on, monkeypatch, n):
    """enterprise._average (growth's mean margin, innovation's catch-up mean) is np.average with
    the fused kernels and without."""
    from sim.agents import enterprise

    rng = np.random.default_rng(n)
    a, w = _magnitudes(rng, n), rng.uniform(1.0, 500.0, n)
    got, want = both(lambda: enterprise._average(a, w), monkeypatch)
    assert got == want == np.average(a, weights=w)
    with pytest.raises(ZeroDivisionError):
        enterprise._average(a, np.zeros(n))


@pytest.mark.parametrize("size", [1, 7, 9, 1000])
def test_grow_arith_margins_of_odd_outputs_match_numpy(on, size):
    """growth's head in one pass: employment copied (not a view), profit / max(output, 1e-9) and
    np.average's mean margin, with zero, negative, tiny, NaN and infinite outputs among them; weights
    summing to zero raise np.average's ZeroDivisionError."""
    rng = np.random.default_rng(size)
    emp, profit = rng.lognormal(2.0, 1.0, size), rng.normal(0.0, 5.0, size)
    output = rng.choice(np.array([0.0, -1.0, 1e-12, np.nan, np.inf, 3.5, 120.0]), size)
    u, land, z, sector = rng.uniform(0.0, 1.0, size), rng.lognormal(0.0, 1.0, size), np.zeros(size, np.int64), \
        rng.integers(0, 4, size)
    args = (emp, profit, output, u, z, sector, land, np.array([False, True, False, True]), None, 40.0, 0.18, 0.25,
            0.01, 0.5, 1)
    with np.errstate(invalid="ignore"):
        want = _grow_chain(*args)
    for a, b in zip(fused.grow_arith(*args), want):
        assert a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    with pytest.raises(ZeroDivisionError, match="Weights sum to zero"):  # np.average's words
        fused.grow_arith(np.zeros(size), *args[1:])


@pytest.mark.parametrize("size", [1, 7, 8, 9, 129, 1000, 45_000])
def test_spinoff_prob_matches_numpy(on, size):
    """entry's spin-off chances: the mean as np.mean sums (pairwise), Python's max, the capped
    product; with zeros, one huge value (chances capped at 1) and a NaN."""
    rng = np.random.default_rng(size)
    k = rng.lognormal(0.0, 2.0, size)
    k[rng.integers(0, size, max(size // 10, 1))] = 0.0
    for case in ("plain", "huge", "nan", "zeros"):
        x = k.copy()
        if case == "huge":
            x[0] = 1e12
        elif case == "nan":
            x[-1] = np.nan
        elif case == "zeros":
            x[:] = 0.0
        want = np.minimum(0.03 / max(x.mean(), 1e-9) * x, 1.0)
        assert np.array_equal(fused.spinoff_prob(x, 0.03), want, equal_nan=True), case


@pytest.mark.parametrize("size", [0, 1, 14, 700, 5000])
def test_entrant_columns_match_numpy(on, size):
    """fused.entrant_columns (two compiled passes around one pmath exp of the three rows) gives
    enterprise.entrants' numpy columns bit for bit: entrants in cells with and without employment
    (the fallback, asked for only then), a NaN cell, sizes below and above one worker."""
    rng = np.random.default_rng(size)
    ns, nz = 4, 6
    z, s = rng.integers(0, nz, size), rng.integers(0, ns, size)
    zn = rng.normal(0.0, 1.5, (3, size))
    cellw = rng.lognormal(0, 1, nz * ns) * (rng.uniform(0, 1, nz * ns) > 0.25)
    cellw[3] = np.nan
    cell_log, cell_land = rng.normal(0, 1, nz * ns), rng.lognormal(0, 1, nz * ns)
    sector_rd, sector_cap = rng.uniform(0, 0.1, ns), rng.lognormal(0, 1, ns)
    zone_lpw = rng.lognormal(0, 1, nz)
    asked = []

    def fallback():
        asked.append(1)
        return -0.4, zone_lpw

    c0 = float(pm.log(12.0) - 0.32)
    got = fused.entrant_columns(z, s, zn, cellw, cell_log, cell_land, ns, c0, 1.3, sector_rd, sector_cap, fallback)
    # enterprise.entrants' numpy code
    cell = z * ns + s
    w = cellw[cell]
    held = w > 0
    w = np.maximum(w, 1e-9)
    size_ = np.maximum(1.0, pm.exp(c0 + 0.8 * zn[0]))
    log_a = np.where(held, cell_log[cell] / w, -0.4)
    lpw = np.where(held, cell_land[cell] / w, zone_lpw[z])
    want = [size_, size_ * sector_cap[s], 1.3 * pm.exp(log_a + 0.25 * zn[1]),
            sector_rd[s] * pm.exp(-0.125 + 0.5 * zn[2]), size_ * lpw]
    for a, b in zip(got, want):
        assert a.shape == (size,) and np.array_equal(a.view(np.uint64), b.view(np.uint64))
    assert bool(asked) == (not held.all())
    if size >= 700:
        assert (~held).any() and held.any() and (size_ == 1.0).any() and (size_ > 1.0).any()


@pytest.mark.parametrize("size", [0, 1, 9, 130, 5000])
@pytest.mark.parametrize("catch_up", [0.0, 0.4])
@pytest.mark.parametrize("share", [0.0, 0.1, 1.0])
def test_tfp_update_matches_the_numpy_chain(on, monkeypatch, size, catch_up, share):
    """fused.tfp_update (enterprise._tfp_numpy in one compiled call, pmath's loops inside) gives its
    numpy chain's TFP and shocks bit for bit: no innovator, some (counts up to 3, firms below one
    worker), every firm, with and without the catch-up; and leaves everything alone where it does not
    apply (float counts)."""
    from sim.agents import enterprise as ent

    rng = np.random.default_rng(size + int(10 * catch_up) + int(100 * share))
    n = rng.lognormal(1.5, 1.5, size) * (rng.uniform(0, 1, size) > 0.05)  # some firms of no one
    tfp = rng.lognormal(0.0, 0.6, size)
    inno = np.where(rng.uniform(0, 1, size) < share, rng.integers(1, 4, size), 0).astype(np.int64)
    g0 = rng.normal(0.0, 1.0, size)
    params = type("P", (), dict(productivity_noise=0.07, innovation_step=0.03, innovation_catch_up=catch_up))
    firms = type("F", (), dict(n=size, employees=n, tfp=None))

    def run():
        firms.tfp, g = tfp.copy(), g0.copy()
        ent._tfp_numpy(type("M", (), dict(firms=firms, params=params)), inno, g)
        return firms.tfp, g

    called = []
    real = fused.tfp_update
    monkeypatch.setattr(fused, "tfp_update", lambda *a: called.append(1) or real(*a))
    (got, g_got), (want, g_want) = both(run, monkeypatch)
    assert called == [1]  # the compiled call ran (with the fused kernels on only)
    assert np.array_equal(got.view(np.uint64), want.view(np.uint64))
    assert np.array_equal(g_got.view(np.uint64), g_want.view(np.uint64))
    assert size == 0 or not np.array_equal(got, tfp)
    g = g0.copy()
    t = tfp.copy()
    assert not fused.tfp_update(g, inno.astype(np.float64), n, t, 0.07, 0.03, catch_up)
    assert np.array_equal(g, g0) and np.array_equal(t, tfp)


@pytest.mark.parametrize("world", ["synthetic:6,3000,20000", "synthetic:1,300,2000", "synthetic:150,3000,20000"])
@pytest.mark.parametrize("case", ["plain", "levers", "edges", "none active", "many arrivals", "one active",
                                  "beyond the table"])
def test_entry_rates_are_the_steps(on, world, case):
    """fused.entry_rates (enterprise.entrants' zone-level chain in one compiled call: start-up rates,
    attractiveness, arrivals' weights and rates, both streams' keyed Poisson counts, the sectors'
    cumulative logit shares) gives enterprise._entry_steps' counts, rates and shares bit for bit: the levers'
    multipliers (one of them 0, one below 1e-12), their attractiveness (a number or one a zone) and
    sector pull, inactive zones, free land negative, -0.0, NaN and infinite, rates large enough for
    the Poisson windows (rates beyond their table: handed over), no zone active; 1, 6 and 150 zones (numpy's pairwise sums past 128)."""
    from sim.agents import enterprise as ent
    from sim.core.params import N_SECTORS
    from sim.model.zonemodel import ZoneModel
    from sim.scenario.world import load_world

    over = {"outside_arrivals": {"many arrivals": 2000.0, "beyond the table": 1.0e5}.get(case, 150.0)}
    model = ZoneModel(world=load_world(world), rng=11, agent_handles="lazy", spinup_years=1, **over)
    model.step()
    zs, nz, p = model.zones, model.n_zone_slots, model.params
    rng = np.random.default_rng(len(case) * 7 + nz)
    f = model.firms
    count = np.bincount(f.zone[:f.n] * N_SECTORS + f.sector[:f.n], minlength=nz * N_SECTORS).astype(np.int64)
    service = rng.uniform(0.5, 2.0, nz)
    talent = model.talent_by_zone()
    free = rng.uniform(0.0, 5.0, nz)
    levers_u, pull = 0.0, None
    if case == "levers":
        zs.arrival_mult[:] = rng.uniform(0.5, 2.0, nz)
        zs.arrival_mult[0] = 0.0
        zs.arrival_mult[-1] = 1e-13
        zs.startup_mult[:] = rng.uniform(0.5, 2.0, nz)
        zs.platforms[:] = rng.integers(0, 9, nz)
        levers_u = rng.normal(0.0, 0.5, nz)
        pull = np.where(rng.uniform(size=(nz, N_SECTORS)) < 0.3, 0.7, 0.0)
    elif case == "edges":
        free[:: 2] = -1.0
        free[0] = np.nan if nz > 2 else -0.0
        free[-1] = np.inf if nz > 1 else free[-1]
        if nz > 3:
            free[1] = -0.0
        zs.alive[1::3] = False
        zs.arrival_mult[1::2] = 3.0
        levers_u = 0.25
    elif case == "none active":
        zs.alive[:] = False
    elif case == "many arrivals":
        talent = talent * 50.0
    elif case == "beyond the table":
        talent = talent * 1.0e6
    elif case == "one active":
        zs.alive[:] = False
        zs.alive[nz // 2] = True
        zs.arrival_mult[nz // 2] = 0.5
    active = model.zone_active()
    base = ent.attraction_base(model, service)
    poisson = model.streams.poisson_constants(("entry.startups", "entry.arrivals"), model.steps)
    got = fused.entry_rates(zs.platforms, p.incubator_effect, zs.startup_mult, p.startup_rate / 1000.0, talent,
                            active, base, free, p.attract_land, levers_u, zs.arrival_mult, p.outside_arrivals,
                            zs.key, poisson, count, pull, N_SECTORS)
    if case == "beyond the table":  # counts past keyed_poisson's log-factorial table: the steps decide
        assert got is None
        return
    assert got is not None
    want = ent._entry_steps(model, service, talent, free, base, active, count, levers_u, pull)
    assert np.array_equal(got[0], want[0])
    assert got[1].shape == want[1].shape == (2, nz)
    assert np.array_equal(got[1].view(np.uint64), want[1].view(np.uint64))  # the rates, to the bit
    assert got[2].shape == want[2].shape == (nz, N_SECTORS)
    assert np.array_equal(got[2].view(np.uint64), want[2].view(np.uint64))
    if case == "many arrivals":
        assert got[0][1].max() > 40  # past the sequential search: the Poisson windows
    if case == "none active":
        assert not got[0].any()


def test_entry_rates_hand_over_what_they_cannot_take(on):
    """fused.entry_rates leaves to the steps (None) inputs of other kinds or shapes: a zone column
    of another length or dtype, a levers' term of two dimensions, a pull of another shape."""
    nz, ns = 4, 3
    z = np.ones(nz)
    keys = np.arange(nz, dtype=np.uint64)
    act = np.ones(nz, dtype=bool)
    cs = np.ones((2, 2), dtype=np.uint64)
    poisson = (cs, 2, 1.0 - 2.0**-40, 3.0, 3, np.zeros(64))
    count = np.zeros(nz * ns, dtype=np.int64)

    def call(**kw):
        a = dict(platforms=z, incubator=0.1, startup_mult=z, c_start=0.001, talent=z, active=act, base=z, free=z,
                 attract_land=0.2, hook=0.0, arrival_mult=z, outside=10.0, keys=keys, poisson=poisson, count=count,
                 pull=None, n_sectors=ns)
        a.update(kw)
        return fused.entry_rates(**a)

    assert call() is not None
    assert call(free=np.ones(nz + 1)) is None
    assert call(talent=np.ones(nz, dtype=np.float32)) is None
    assert call(hook=np.zeros((nz, 2))) is None
    assert call(pull=np.zeros((nz, ns + 1))) is None
    assert call(active=np.ones(nz, dtype=np.int64)) is None


@pytest.mark.parametrize("case", ["some", "none held", "all held", "no chance", "sure chance", "empty", "on the edge"])
def test_certify_year_is_the_steps(on, case):
    """fused.certify_year (enterprise._innovate_fused's certification in one pass) gives numpy's steps'
    numbers bit for bit (enterprise.certify_numpy, the path without the kernels and the fused path's
    fallback): IP counts at and around the
    threshold of 1, R&D shares at theirs, certificates expiring, renewed, kept and granted; chances equal
    to an applicant's uniform; one round and two of the streams' hash."""
    from sim.agents.enterprise import certify_numpy

    rng = np.random.default_rng(len(case))
    L = 0 if case == "empty" else 5000
    nz = 9
    ip = rng.choice([0.0, 0.5, 1.0, 1.5, 1.4999999999999998, 3.0], L)
    inno = rng.poisson(0.4, L).astype(np.int64)
    rd = rng.choice([0.01, 0.03, 0.05, 0.2], L)
    held = rng.uniform(size=L) < {"none held": 0.0, "all held": 1.0}.get(case, 0.4)
    left = rng.integers(0, 4, L) * held
    keys = rng.integers(0, 2**64, L, dtype=np.uint64)
    z = rng.integers(0, nz, L)
    p_zone = {"no chance": np.zeros(nz), "sure chance": np.ones(nz)}.get(case, rng.uniform(0, 0.6, nz))
    for rounds in (1, 2):
        s = Streams(4, ["firm.certify"], rounds=rounds)
        y = 6
        consts = s.compiled_constants("firm.certify", y)
        ip1 = ip * (2.0 / 3.0) + inno
        applying = (rd >= 0.03) & (ip1 >= 1.0) & ~held
        if case == "on the edge":  # each zone's chance is one of its applicants' uniforms: u < p by a rounding
            a = np.flatnonzero(applying)
            p_zone = np.full(nz, 0.5)
            p_zone[z[a]] = s.uniform("firm.certify", y, keys[a])  # the last applicant of each zone
        got = [ip.copy(), held.copy(), left.copy()]
        assert fused.certify_year(got[0], inno, rd, 0.03, got[1], got[2], keys, z, p_zone, 3, consts)
        want = [ip.copy(), held.copy(), left.copy()]
        certify_numpy(s, y, want[0], inno, rd, 0.03, want[1], want[2], keys, z, p_zone, 3)
        for a, b in zip(got, want):
            assert a.dtype == b.dtype and np.array_equal(a, b)
        if case == "some":  # every kind of firm is there: granted, renewed, expired, kept
            assert applying.sum() > 100 and (want[1] & ~held).any() and (held & ~want[1]).any()
            assert ((want[2] == 3) & held).any() and ((want[2] > 0) & (want[2] < 3) & held).any()
    bad = np.array([0, nz], dtype=np.int64)
    two = np.zeros(2)
    assert not fused.certify_year(two, bad, two, 0.03, np.zeros(2, bool), bad, keys[:2], bad, p_zone, 3, consts)
    assert not fused.certify_year(two, bad, two, 0.03, np.zeros(2, bool), bad.astype(np.int32), keys[:2],
                                  bad * 0, p_zone, 3, consts)


def test_innovation_without_the_streams_constants_certifies_by_the_steps(on, monkeypatch):
    """Where the certification stream gives no compiled constants (a wrapped stream), innovation's
    fused path certifies by enterprise.certify_numpy: the same run as with certify_year."""
    from sim.agents import enterprise
    from sim.experiments.runner import simulate
    from sim.scenario.packages import load_package
    from sim.scenario.world import load_world

    world, pkg = load_world("synthetic:6,2000,4000"), load_package("baseline")
    want = simulate(world, pkg, None, 5, 4)
    real = Streams.compiled_constants
    calls = []
    steps = enterprise.certify_numpy

    def counted(*args):
        calls.append(1)
        return steps(*args)

    monkeypatch.setattr(Streams, "compiled_constants",
                        lambda self, name, y: None if name == "firm.certify" else real(self, name, y))
    monkeypatch.setattr(enterprise, "certify_numpy", counted)
    got = simulate(world, pkg, None, 5, 4)
    assert len(calls) >= 4 and got.equals(want)


def test_kernels_calling_another_files_kernels_are_keyed_by_its_source(on):
    """numba keys a kernel's on-disk cache by its own file only, and compiles the kernels it calls into
    it: the fused kernels that call sim.core.kernels' (the keyed Poisson counts, the logit rows, one
    key's uniform, inlined) or pmath's loops carry a digest of those files' source as a closure value,
    so that a change there compiles them again (a stale certify_year once kept an old _key_unit)."""
    fused.arithmetic()
    want = int(kernels._pmath_stamp(kernels)[:15], 16)
    for name in ("entry_rates", "certify_year", "tfp_update"):
        cells = [c.cell_contents for c in fused._K[name].py_func.__closure__ or ()]
        assert want in cells, name
    assert want != int(kernels._pmath_stamp()[:15], 16)
