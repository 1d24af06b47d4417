"""The starting state: the size law fitted to the published counts, anchors in place (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core import pmath as pm
from sim.core import kernels
from sim.core.units import m_from_bn
from sim.model import firm_sizes as fs
from sim.model import initial
from sim.model.zonemodel import ZoneModel
from sim.scenario.world import load_world


@pytest.mark.parametrize("output_bn,firms", [(726.0, 25_264), (936.0, 36_500), (50.0, 5_000)])
def test_law_passes_through_the_published_shares(output_bn, firms):
    law = fs.fit(output_bn, firms)
    n20, n133 = fs.target_counts(output_bn)
    assert law.survival(fs.ABOVE_SCALE_CNY_M) == pytest.approx(min(n20 / firms, 0.5))
    assert law.survival(fs.LARGE_CNY_M) == pytest.approx(min(n133 / firms, 0.99 * law.p20))
    u = np.linspace(0.001, 0.999, 999)
    assert np.allclose(1.0 - law.survival(law.quantile(u)), u)  # quantile inverts the survival function
    assert np.all(np.diff(law.quantile(u)) > 0)


def test_2017_law_reproduces_the_counts_and_the_mean():
    law = fs.fit(fs.OUTPUT_2017_BN, fs.FIRMS_2017)
    x = law.quantile((np.arange(2_000_000) + 0.5) / 2_000_000)  # a fine grid of quantiles
    assert np.mean(x >= 20.0) * fs.FIRMS_2017 == pytest.approx(1_040, rel=1e-3)
    assert np.mean(x >= fs.LARGE_CNY_M) * fs.FIRMS_2017 == pytest.approx(640, rel=1e-3)
    assert 1.05 < law.a_top < 1.3  # the top tail stays Zipf-like
    assert law.mean() == pytest.approx(fs.OUTPUT_2017_BN * 1000 / fs.FIRMS_2017, rel=1e-3)


def test_quantile_is_the_three_piece_expression():
    """SizeLaw.quantile computes each piece's power only where it applies: the same doubles as the
    three powers over every uniform and np.where (tails of every length, the knots, 0 and 1)."""
    law = fs.fit(936.0, 36_500)
    rng = np.random.default_rng(2)
    knots = [u for p in (law.p20, law.p133) for u in 1.0 - p + np.arange(-4, 5) * 2.0**-53]  # the nearest u
    for n in (1, 5, 17, 1000, 36_500):
        u = rng.random(n)
        u[: n // 3] = rng.choice([0.0, 1.0, np.nan, *knots], n // 3)
        v = np.clip(1.0 - u, 1e-300, 1.0)
        want = np.where(v > law.p20, fs.X_MIN * pm.power(v, -1.0 / law.a_low),
                        np.where(v > law.p133, fs.ABOVE_SCALE_CNY_M * pm.power(v / law.p20, -1.0 / law.a_mid),
                                 fs.LARGE_CNY_M * pm.power(v / law.p133, -1.0 / law.a_top)))
        assert np.array_equal(law.quantile(u).view(np.uint64), want.view(np.uint64))


@pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed or switched off")
def test_compiled_zone_sizes_are_numpys(monkeypatch):
    """The compiled zone_sizes gives numpy's doubles: zones stretched, shrunk, shrunk past their
    excess (c < 0), with no firm above 133 m, with only anchors, an empty zone, NaN draws."""
    rng = np.random.default_rng(5)
    law = fs.fit(936.0, 36_500)
    zone = np.repeat(np.arange(6), [20_000, 10_000, 6_000, 400, 3, 0])
    x = law.quantile(rng.random(zone.size))
    x[36_000:36_400] = np.minimum(x[36_000:36_400], 50.0)  # zone 3: nobody above 133 m
    fixed = rng.random(zone.size) < 0.001
    fixed[-3:] = True  # zone 4: anchors only
    x[5] = np.nan
    for target in ([500_000.0, 120_000.0, 40.0, 9_000.0, 1.0, 3.0], [1e6, 1e3, 1e7, 1.0, 5e5, 0.0]):
        target = np.array(target)
        monkeypatch.setattr(kernels, "ENABLED", False)
        want = fs.zone_sizes(x, zone, fixed, target, 0.25)
        monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
        assert kernels.zone_sizes(x, zone, fixed, target, 0.25, fs.LARGE_CNY_M) is not None
        got = fs.zone_sizes(x, zone, fixed, target, 0.25)
        assert np.array_equal(got.view(np.uint64), want.view(np.uint64))


def test_largest_is_the_stable_sorts_first():
    rng = np.random.default_rng(6)
    for _ in range(500):
        n = int(rng.integers(1, 200))
        m = int(rng.integers(0, n + 2))
        x = rng.choice([1.0, 2.0, 3.5, np.nan, -0.0, 0.0, np.inf], n) if rng.random() < 0.5 else rng.random(n)
        assert np.array_equal(initial._largest(x, m), np.argsort(-x, kind="stable")[:m])


@pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed or switched off")
def test_compiled_build_is_numpys(monkeypatch):
    """The build with every kernel (sample_weighted's selection, zone_sizes, the thinning) is the
    build with numpy alone: every firm column, bit for bit."""
    w = load_world("guangxi2017")
    built = []
    for on in (True, False):
        monkeypatch.setattr(kernels, "ENABLED", kernels.enable() and on)
        m = ZoneModel(world=w, rng=9, agent_handles="lazy")
        built.append({c: getattr(m.firms, c)[:m.firms.n].copy() for c in m.firms._columns})
    assert all(np.array_equal(built[0][c].view(np.uint8), built[1][c].view(np.uint8)) for c in built[0])


def test_zone_sizes_hit_targets_and_keep_counts():
    rng = np.random.default_rng(0)
    law = fs.fit(936.0, 36_500)
    zone = np.repeat(np.arange(3), [20_000, 10_000, 6_500])
    x = law.quantile(rng.random(zone.size))
    fixed = np.zeros(zone.size, dtype=bool)
    fixed[0] = True
    x[0] = 30_000.0
    target = np.array([500_000.0, 120_000.0, 400_000.0])
    y = fs.zone_sizes(x, zone, fixed, target, 0.25)
    assert np.allclose(np.bincount(zone, weights=y), target)
    assert y[0] == 30_000.0
    for t in (20.0, fs.LARGE_CNY_M):
        assert ((y >= t) == (x >= t)).sum() >= zone.size - 5  # counts above the thresholds kept


@pytest.mark.parametrize("name,spinup", [("guangxi", None), ("guangxi2017", None), ("guangxi", 0)])
def test_start_matches_table_counts_and_anchors(name, spinup):
    w = load_world(name)
    m = ZoneModel(world=w, rng=5, agent_handles="lazy", **({} if spinup is None else {"spinup_years": spinup}))
    f = m.firms
    y = f.output[:f.n]
    z = f.zone[:f.n]
    year0 = m.results().set_index("zone")
    for k, row in enumerate(w.zones):
        # the recorded start year produces the table's output (the firms then close year 0 with
        # their own exits, growth and entry: the state read here)
        assert year0.loc[row.id, "output"] == pytest.approx(row.output_bn)
        if spinup == 0:
            assert y[z == k].sum() == pytest.approx(m_from_bn(row.output_bn))
            assert (z == k).sum() == row.firms
        else:  # the spin-up thins or fills each zone to the table, then year 0 moves it
            assert (z == k).sum() == pytest.approx(row.firms, rel=0.2)
        if spinup == 0:  # the drawn state: the table's certified firms exactly
            assert int(f.hightech[:f.n][z == k].sum()) == row.hightech_firms
    n20, n133 = fs.target_counts(sum(r.output_bn for r in w.zones))
    assert (y >= 20.0).sum() == pytest.approx(n20, rel=0.1)
    assert (y >= fs.LARGE_CNY_M).sum() == pytest.approx(n133, rel=0.1)
    for a in w.anchors:
        k = m.zone_ids.index(a.zone)
        hit = np.flatnonzero((z == k) & np.isclose(y, a.output_bn * 1000.0))
        assert hit.size == 1, a.name
        assert f.hightech[hit[0]] == a.hightech or not a.hightech


def _anchors_before_reanchor(monkeypatch, world, seeds, **over):
    """Where each anchor firm is (its zone ids; [] if it closed) at the end of the spin-up, just
    before reanchor, for each seed."""
    import sim.model.initial as ini

    seen: dict[int, dict[str, list[str]]] = {}
    real = ini.reanchor
    current = [None]

    def spy(model, rows, anchors=()):
        f = model.firms
        seen[current[0]] = {name: [model.zone_ids[z] for z in f.zone[:f.n][f.key[:f.n] == k]]
                            for k, name in model.anchor_names.items()}
        return real(model, rows, anchors)

    monkeypatch.setattr(ini, "reanchor", spy)
    for seed in seeds:
        current[0] = seed
        ZoneModel(world=world, rng=seed, agent_handles="lazy", **over)
    return seen


def test_anchors_stay_open_and_at_home_through_the_spin_up(monkeypatch, world):
    """The spin-up writes the other firms' history; the anchors (published firms in published zones)
    neither close nor move before the start (docs/validation.md, structural note 6). Before the
    fix, 16 of these 41 seeds lost or moved an anchor (seed 22 closed SGMW's Baojun base, the
    region's largest firm; seed 1 Liuzhou Wuling; seed 20210, the golden run's, moved it to Qinzhou)."""
    seeds = list(range(40)) + [20210]
    home = {a.name: [a.zone] for a in world.anchors}
    seen = _anchors_before_reanchor(monkeypatch, world, seeds)
    assert {s: {n: z for n, z in where.items() if z != home[n]} for s, where in seen.items()} == {s: {} for s in seeds}


def test_anchor_that_would_move_in_the_spin_up_leaves_a_finite_start():
    """The example hypothesis found (tests/test_invariants.py): with these settings SGMW's Baojun
    base (CNY 30 bn, Liuzhou) moved to Hezhou (23 bn) in the spin-up, reanchor kept it at its size
    there, Hezhou's other firms got a negative total and output turned NaN."""
    m = ZoneModel(world=load_world("guangxi"), rng=15577, agent_handles="lazy", startup_rate=0.0,
                  land_quota=0.0, zone_tax_share=0.0, relocation_rate=0.25)
    assert np.isfinite(m.firms.output[:m.firms.n]).all()
    assert m.recorder.region_latest["output"] == pytest.approx(936.0)
    m.step()
    assert np.isfinite(m.recorder.region_latest["output"])


def test_anchors_close_and_move_like_any_firm_from_year_zero(world):
    """The exemption is the spin-up's only: from year 0 on an anchor's own draws decide."""
    from sim.agents import enterprise as ent

    m = ZoneModel(world=world, rng=3, agent_handles="lazy")
    f = m.firms
    slots = np.flatnonzero(np.isin(f.key[:f.n], m.anchor_keys))
    assert slots.size == len(world.anchors)
    for year in (0, 1, 7):
        m.steps = year
        assert np.array_equal(ent._not_anchors_in_spin_up(m, slots), slots)
    m.steps = -3
    assert ent._not_anchors_in_spin_up(m, slots).size == 0
    others = np.setdiff1d(np.arange(f.n), slots)[:50]
    assert np.array_equal(ent._not_anchors_in_spin_up(m, np.sort(np.r_[slots, others])), others)


def test_spin_up_leaves_no_start_up_transients(world):
    """Year 1 looks like the years after it: no exit spike, certified firms do not fall, output does
    not stall (issue 15: exits 11.6% in year 1 against 8.1% later; certified firms 1,465 -> 1,100)."""
    m = ZoneModel(world=world, rng=8, agent_handles="lazy")
    f = m.firms
    firms, exits, ht, out = [f.n], [], [int(f.hightech[:f.n].sum())], [m.flows["output"].sum()]
    for _ in range(5):
        m.step()
        exits.append(m.flows["exits"].sum())
        firms.append(f.n)
        ht.append(int(f.hightech[:f.n].sum()))
        out.append(m.flows["output"].sum())  # the year's output (firms that closed after producing too)
    rate = np.array(exits) / np.array(firms[:-1])
    assert rate[0] == pytest.approx(rate[1:].mean(), rel=0.2)
    assert ht[4] >= 0.95 * ht[0]
    growth = np.diff(np.log(out))
    assert abs(growth[:2].mean() - growth[2:].mean()) < 0.03


def test_without_spin_up_the_drawn_state_has_the_old_transients(world):
    """The check above can fail: started from the drawn state, year 1 has the exit spike."""
    m = ZoneModel(world=world, rng=8, agent_handles="lazy", spinup_years=0)
    f = m.firms
    firms, exits = [f.n], []
    for _ in range(4):
        m.step()
        exits.append(m.flows["exits"].sum())
        firms.append(f.n)
    rate = np.array(exits) / np.array(firms[:-1])
    assert rate[0] > 1.2 * rate[1:].mean()


def test_spin_up_is_the_same_in_every_package(world):
    """The spin-up runs before levers exist: a package cannot change the start."""
    from sim.policies import REGISTRY

    cls = REGISTRY["hosting"]
    a = ZoneModel(world=world, rng=4, agent_handles="lazy")
    b = ZoneModel(world=world, rng=4, agent_handles="lazy", levers=[cls(cls.Settings.model_validate({}))])
    np.testing.assert_array_equal(a.firms.key[:a.firms.n], b.firms.key[:b.firms.n])
    np.testing.assert_array_equal(a.firms.output[:a.firms.n], b.firms.output[:b.firms.n])


@pytest.mark.skipif(not kernels.AVAILABLE, reason="numba not installed or switched off")
@pytest.mark.parametrize("name", ["guangxi", "guangxi2017"])
def test_compiled_sorts_build_the_same_start(monkeypatch, name):
    """reanchor and _fill with the radix sorts (kernels.group_lexsort) build numpy's start: the same
    thinning, copies and size ranks, ties included (anchors all queue at 2.0; copied firms share
    their original's output)."""
    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    w = load_world(name)
    built = []
    for on in (True, False):
        monkeypatch.setattr(kernels, "SORTS", on)
        m = ZoneModel(world=w, rng=7, agent_handles="lazy")
        built.append({c: getattr(m.firms, c)[:m.firms.n].copy() for c in m.firms._columns})
    assert built[0].keys() == built[1].keys()
    assert all(np.array_equal(built[0][c], built[1][c]) for c in built[0])
