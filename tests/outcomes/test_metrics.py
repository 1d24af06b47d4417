"""The zone matrix, the census and the region row give, bit for bit, what the straightforward
numpy they replace gives (issue 19: fewer small numpy calls a year, the same figures)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.units import bn_from_m
from sim.model.zonemodel import ZoneModel
from sim.outcomes import metrics
from sim.outcomes.metrics import OUTCOME_NAMES, OUTCOMES, REGION_NAMES, census, zone_matrix
from sim.scenario.packages import load_package
from sim.scenario.world import load_world


def bits(a):
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


@pytest.fixture(scope="module")
def stepped():
    """A small world with levers that pay, warn and delist, three years in."""
    m = ZoneModel(world=load_world("synthetic:8,80,600"), levers=load_package("delisting").build(), rng=4,
                  agent_handles="lazy")
    for _ in range(3):
        m.step()
    return m


def test_census_counts_are_the_selected_counts(stepped):
    m = stepped
    f, t, nz = m.firms, m.talent, m.n_zone_slots
    fz, tz = f.zone[:f.n], t.zone[:t.n] + 1
    scale = float(m.params.talent_scale)
    c = census(m)
    np.testing.assert_array_equal(c["hightech_firms"], np.bincount(fz[f.hightech[:f.n]], minlength=nz).astype(float))
    np.testing.assert_array_equal(c["firms"], np.bincount(fz, minlength=nz).astype(float))
    np.testing.assert_array_equal(c["talent"], np.bincount(tz, minlength=nz + 1)[1:] * scale)
    high = t.skill[:t.n] >= m.params.high_skill_threshold
    np.testing.assert_array_equal(c["high_skill"], np.bincount(tz[high], minlength=nz + 1)[1:] * scale)


def test_the_zone_matrix_rows_are_their_sources(stepped):
    """Every row copied from one array (converted to CNY bn where the outcome is), through the
    staging matrix, is that array; the computed rows are their formulas."""
    m = stepped
    zs, fl, c = m.zones, m.flows, census(m)
    Z = zone_matrix(m, c)
    assert Z.shape == (len(OUTCOMES), zs.capacity) and Z.flags.c_contiguous
    row = dict(zip(OUTCOME_NAMES, Z))
    for name in metrics._STAGED_BN_FLOWS:
        np.testing.assert_array_equal(bits(row[name]), bits(bn_from_m(fl[name])))
    for col, name in metrics._STAGED_BN_ZONE:
        np.testing.assert_array_equal(bits(row[name]), bits(bn_from_m(getattr(zs, col))))
    for name in metrics._STAGED_FLOWS:
        np.testing.assert_array_equal(bits(row[name]), bits(fl[name]))
    for name in metrics._STAGED_CENSUS:
        np.testing.assert_array_equal(bits(row[name]), bits(c[name]))
    for name in metrics._STAGED_ZONE:
        np.testing.assert_array_equal(bits(row[name]), bits(getattr(zs, name).astype(float)))
    np.testing.assert_array_equal(row["entries"], fl["startups"] + fl["spinoffs"] + fl["arrivals"])
    dev = zs.land_developed
    want = np.zeros(zs.capacity)
    np.divide(bn_from_m(fl["output"]), dev, out=want, where=dev > 0)
    np.testing.assert_array_equal(bits(row["output_per_km2"]), bits(want))
    assert (row["score"][zs.alive] > 0).all() and (row["rank"][zs.alive] >= 1).all()
    np.testing.assert_array_equal(row[f"share_{metrics.OPTIONS[0]}"], m.committees.shares[:zs.capacity, 0])


@pytest.mark.parametrize("n", [0, 1, 5, 8, 9, 14, 200])
def test_the_region_spread_is_numpy_std_over_mean(n):
    rng = np.random.default_rng(n)
    for x in (rng.lognormal(0.0, 1.5, n), -rng.random(n), np.zeros(n)):
        want = float(x.std() / x.mean()) if n and x.mean() > 0 else 0.0
        assert bits(metrics._cv(x, x.sum())) == bits(want)


def test_region_latest_reads_the_last_region_row_by_name(stepped):
    latest = stepped.recorder.region_latest
    row = stepped.recorder._years[-1][3].tolist()
    np.testing.assert_array_equal(bits([latest[name] for name in REGION_NAMES]), bits(row))
    assert dict(latest).keys() == set(REGION_NAMES)
    assert len(latest) == len(REGION_NAMES) and list(latest) == list(REGION_NAMES)
    assert type(latest["output"]) is float
    with pytest.raises(KeyError):
        latest["no_such_outcome"]


def test_the_results_table_is_the_one_built_column_by_column(stepped):
    """Recorder.frame puts the leading columns beside the outcomes' block in one go: the same table
    (values, dtypes, column order, index) as inserting step, year, zone and level name one by one."""
    import pandas as pd
    df = stepped.results()
    rows = df[list(REGION_NAMES)].to_numpy()
    ref = pd.DataFrame(rows, columns=list(REGION_NAMES))
    ref.insert(0, "level_name", df["level_name"].to_numpy(dtype=object))
    ref.insert(0, "zone", df["zone"].to_numpy(dtype=object))
    ref.insert(0, "year", df["year"].to_numpy())
    ref.insert(0, "step", df["step"].to_numpy())
    pd.testing.assert_frame_equal(df, ref, check_exact=True)
    assert list(df.columns[:4]) == ["step", "year", "zone", "level_name"]
    assert df["step"].dtype == np.int64 and df["year"].dtype == np.int64
    assert (df.loc[df["zone"] == "region", "level_name"] == "region").all()


@pytest.mark.parametrize("package", [None, "delisting"])
def test_the_recorded_matrix_is_a_fresh_zone_matrix_every_year(package):
    """Without levers the record reuses the evaluation's matrix with its scores, ranks and
    national places copied again (Recorder._reused); with levers it makes a new one. Either way
    each year's recorded matrix is the zone matrix of the model as recorded, bit for bit."""
    levers = load_package(package).build() if package else []
    m = ZoneModel(world=load_world("synthetic:8,80,600"), levers=levers, rng=6, agent_handles="lazy")
    for _ in range(5):
        m.step()
        got = m.recorder._years[-1][2]
        want = zone_matrix(m, m.year_data.census)
        np.testing.assert_array_equal(bits(got), bits(want))
    # the shortcut was taken (or not) as the levers say
    ev = metrics.Recorder()
    assert (ev.evaluation_outcomes(m, m.year_data.census) is not None) and ((ev._evaluated is None) == bool(levers))


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 14, 16, 23, 64, 127, 128])
def test_the_compiled_region_sums_are_numpys(stepped, monkeypatch, n):
    """region_values with the compiled reductions (scoring.region_sums: numpy's pairwise sums over
    the live zones) and with numpy, bit for bit: random matrices with NaN, infinities, -0.0, levels."""
    from sim.core import kernels, scoring

    monkeypatch.setattr(kernels, "ENABLED", kernels.enable())
    if not scoring.available():
        pytest.skip("the compiled kernels are off")
    rng = np.random.default_rng(n)
    for trial in range(20):
        nz = n + int(rng.integers(0, 4))
        Z = rng.normal(0.0, 1.0, (len(OUTCOMES), nz)) * 10.0 ** rng.uniform(-6, 6, (len(OUTCOMES), nz))
        Z[metrics._ROW["level"]] = rng.integers(0, 3, nz)
        if trial % 3 == 0 and nz:
            Z[rng.integers(0, len(OUTCOMES), 3), rng.integers(0, nz, 3)] = rng.choice([np.nan, np.inf, -0.0], 3)
        if trial % 4 == 1:
            Z[metrics._ROW["output"]] = np.abs(Z[metrics._ROW["output"]])  # a positive mean: the spread
        alive = np.zeros(nz, dtype=bool)
        alive[rng.permutation(nz)[:n]] = True
        monkeypatch.setattr(scoring, "available", lambda: True)
        got = metrics.region_values(Z, alive, stepped)
        monkeypatch.setattr(scoring, "available", lambda: False)
        want = metrics.region_values(Z, alive, stepped)
        np.testing.assert_array_equal(bits(got), bits(want))
