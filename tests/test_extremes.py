"""Extreme but valid worlds run, stay finite and non-negative, and show why in the results."""

from __future__ import annotations

import csv
import warnings

import numpy as np
import pytest

from sim.agents.zone import DELISTED
from sim.model.zonemodel import ZoneModel
from sim.scenario.world import WORLDS, load_world

NON_NEGATIVE = ["output", "value_added", "firms", "hightech_firms", "entries", "exits", "talent", "rd",
                "innovations", "land_developed", "land_available", "output_per_km2", "tax", "budget", "platforms"]


def check(df):
    num = df.select_dtypes("number").drop(columns=["score", "rank"], errors="ignore")
    region_only = [c for c in num.columns if df.loc[df.zone != "region", c].isna().all()]
    zone_part = num.loc[df.zone != "region"].drop(columns=region_only)
    assert np.isfinite(zone_part.to_numpy()).all()
    from sim.outcomes.metrics import OUTCOMES

    no_region_value = [o.name for o in OUTCOMES if o.region == "none"]  # mgmt_eff, level, hosted_by, ...
    assert np.isfinite(num.loc[df.zone == "region"].drop(columns=no_region_value, errors="ignore").to_numpy()).all()
    assert (df[NON_NEGATIVE].to_numpy() >= 0).all()


def run(world, years=6, seed=1, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no silent divide-by-zero or overflow
        m = ZoneModel(world=world, rng=seed, **kw)
        for _ in range(years):
            m.step()
        return m, m.results()


@pytest.mark.parametrize("over", [
    dict(zone_tax_share=0.0),
    dict(land_quota=0.0),
    dict(graduate_rate=0.0, reconsider_rate=0.0),
    dict(exit_base_hazard=1.0),
    dict(startup_rate=0.0, spinoff_rate=0.0, outside_arrivals=0.0),
    dict(outside_wage_ratio=1e3),
    dict(growth_noise=0.0, productivity_noise=0.0, skill_sigma=0.0),
], ids=lambda d: ",".join(d))
def test_extreme_parameters(world, over):
    _, df = run(world, **over)
    check(df)


def test_every_firm_exits_gives_zero_output_not_nan(world):
    m, df = run(world, years=3, exit_base_hazard=1.0, exit_size_elasticity=0.0, startup_rate=0.0, spinoff_rate=0.0, outside_arrivals=0.0)
    last = df[df.step == 3]
    assert (last["firms"] == 0).all()
    assert (last["output_per_km2"] == 0).all() and (last["output"] >= 0).all()
    check(df)


def test_all_zones_delisted(world):
    m = ZoneModel(world=world, rng=2)
    m.zones.level[:] = DELISTED
    for _ in range(3):
        m.step()
    df = m.results()
    check(df)
    zones = df[(df.zone != "region") & (df.step == 3)]
    assert sorted(zones["rank"]) == list(range(1, 15))


@pytest.fixture
def single_zone_world(tmp_path):
    src = WORLDS / "guangxi_zones.csv"
    with open(src, encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with open(tmp_path / "one.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows[:2])
    import yaml

    doc = yaml.safe_load((WORLDS / "guangxi.yaml").read_text(encoding="utf-8"))
    doc["zones"] = "one.csv"
    doc.pop("sources", None)  # the source table and the anchors name the other zones
    doc["anchors"] = [a for a in doc.get("anchors", []) if a["zone"] == rows[1][0]]
    (tmp_path / "one.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_world(tmp_path / "one.yaml")


def test_single_zone_world(single_zone_world):
    m, df = run(single_zone_world, years=5)
    check(df)
    assert set(df.zone) == {"nanning", "region"}
    assert (df[df.zone == "nanning"]["rank"] == 1).all()


def test_one_year(world):
    _, df = run(world, years=1)
    assert sorted(df.step.unique()) == [0, 1]
    check(df)


@pytest.mark.slow
def test_hundred_years(world):
    _, df = run(world, years=100)
    check(df)
    assert df.step.max() == 100
