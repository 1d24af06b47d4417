"""The bundled worlds' data: every figure has a source or "estimate: how", placeholders have no
location and stay out of distance-based rules, anchors are valid and placed (issue 15)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from sim.core.errors import InputError
from sim.scenario.packages import load_package
from sim.scenario.world import PACKAGES, SOURCED_COLUMNS, WORLDS, load_world

BUNDLED = ("guangxi", "guangxi2017")
# a citation names an outlet, a document or a dated page; everything else must say how it was estimated
CITATION = re.compile(r"(19|20)\d\d|CALIBRATION\.md|data15|\.com|\.cn|\.net|Daily|plan")


@pytest.mark.parametrize("name", BUNDLED)
def test_every_cell_has_a_source_or_an_estimate(name):
    w = load_world(name)
    assert w.sources, "the world file names no source table"
    for z in w.zones:
        for col in SOURCED_COLUMNS:
            text = w.sources[(z.id, col)]
            if text.startswith("estimate:"):
                assert len(text.split()) >= 4, f"{z.id}.{col}: an estimate must say how it was made"
            elif not text.startswith(("placeholder", "empty", "true", "false")):
                assert CITATION.search(text), f"{z.id}.{col}: '{text[:60]}' cites nothing"


def test_2020_is_in_the_extrapolation():
    w = load_world("guangxi")
    total = sum(z.output_bn for z in w.zones)
    assert 850 <= total <= 950  # data15 s6: ~900 with zero growth in 2020, not 1,030 at 7%/yr
    out = {z.id: z.output_bn for z in w.zones}
    assert 150 <= out["liuzhou"] <= 220 and 45 <= out["guilin"] <= 65
    assert "2020" in w.sources[("nanning", "output_bn")] or "x1.191" in w.sources[("nanning", "output_bn")]


def test_2017_world_matches_the_published_aggregates():
    w = load_world("guangxi2017")
    assert w.start_year == 2017 and len(w.zones) == 9
    assert sum(z.output_bn for z in w.zones) == pytest.approx(544.497 * 4 / 3, abs=1.0)
    assert sum(z.firms for z in w.zones) == 25_264
    assert sum(z.hightech_firms for z in w.zones) == 535
    assert set(w.zone_ids) <= set(load_world("guangxi").zone_ids)


def test_2017_world_uses_the_default_worlds_parameters():
    assert load_world("guangxi2017").param_overrides == load_world("guangxi").param_overrides


def test_placeholders_have_no_location(world):
    unid = [z for z in world.zones if z.id.startswith("unidentified")]
    assert len(unid) == 2
    assert all(not z.located and z.lon is None and z.lat is None for z in unid)
    assert all(z.located for z in world.zones if not z.id.startswith("unidentified"))


def test_no_new_zones_park_sits_on_a_zone(world):
    """Parks of every bundled package are at least 20 km from every located zone; placeholders have
    no point at all, so no park can overlap one."""
    for path in PACKAGES.glob("*.yaml"):
        nz = load_package(path).settings.get("new_zones")
        for park in getattr(nz, "parks", ()):
            if park.lat is None:  # a placeholder park: no point
                continue
            for z in world.zones:
                if z.located:
                    km = 111.0 * np.hypot(park.lat - z.lat, (park.lon - z.lon) * np.cos(np.radians(z.lat)))
                    assert km > 20.0, f"{path.stem}: park {park.id} is {km:.0f} km from {z.id}"


def test_unlocated_zones_sit_at_the_mean_distance(model):
    zs = model.zones
    placed = np.flatnonzero(zs.located)
    other = np.flatnonzero(~zs.located)
    d = model.distance
    assert np.isfinite(d).all()
    mean = d[np.ix_(placed, placed)].sum() / (placed.size * (placed.size - 1))
    for z in other:
        off = np.arange(d.shape[0]) != z
        assert np.allclose(d[z, off], mean) and np.allclose(d[off, z], mean) and d[z, z] == 0.0


def test_hosting_by_rule_never_pairs_an_unlocated_zone(world):
    from sim.model.zonemodel import ZoneModel
    from sim.policies import REGISTRY

    cls = REGISTRY["hosting"]
    for rule in ("nearest", "complementary"):
        lever = cls(cls.Settings.model_validate({"rule": rule, "per_host": 3, "max_distance_km": 2000}))
        ZoneModel(world=world, levers=[lever], rng=1, agent_handles="lazy")
        assert lever.pairs and not any(b.startswith("unidentified") for _, b in lever.pair_ids)


@pytest.fixture
def world_copy(tmp_path):
    for f in WORLDS.glob("guangxi*"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error(path: Path) -> str:
    with pytest.raises(InputError) as e:
        load_world(path)
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def test_a_located_zone_needs_coordinates(world_copy):
    _edit(world_copy / "guangxi_zones.csv", "national,true,108.27,22.85,", "national,true,,22.85,")
    assert "line 2 (nanning)" in _error(world_copy / "guangxi.yaml")


def test_an_unlocated_zone_must_not_have_coordinates(world_copy):
    _edit(world_copy / "guangxi_zones.csv", "region,false,,,14,", "region,false,109.6,23.1,14,")
    assert "located false must leave lon and lat empty" in _error(world_copy / "guangxi.yaml")


def test_the_located_column_is_optional(world_copy):
    p = world_copy / "guangxi_zones.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    import csv
    import io

    rows = [r for r in csv.reader(io.StringIO("\n".join(lines))) if not r[0].startswith("unidentified")]
    k = rows[0].index("located")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([r[:k] + r[k + 1:] for r in rows])
    p.write_text(buf.getvalue(), encoding="utf-8")
    _edit(world_copy / "guangxi.yaml", "sources: guangxi_sources.csv\n", "")
    w = load_world(world_copy / "guangxi.yaml")
    assert len(w.zones) == 12 and all(z.located for z in w.zones)


@pytest.mark.parametrize("old,new,expect", [
    ("    zone: yulin\n", "    zone: yullin\n", "anchors[4].zone: unknown zone 'yullin' (did you mean 'yulin'?)"),
    ("    sector: advanced_manufacturing\n    output_bn: 20\n    hightech",
     "    sector: autos\n    output_bn: 20\n    hightech", "anchors.4.sector: unknown sector 'autos'"),
    ("    output_bn: 20\n    hightech: true", "    output_bn: 50\n    hightech: true", "more than 80% of the zone's output_bn"),
    ("    output_bn: 30\n", "    output_bn: -3\n", "anchors.0.output_bn"),
    ("  - name: LiuGong\n", "  - name: Yuchai Machinery\n", "anchor 'Yuchai Machinery' is listed twice"),
    ("  - name: LiuGong\n", "  - nmae: LiuGong\n", "anchors.2.name: Field required"),
])
def test_bad_anchor_is_one_line(world_copy, old, new, expect):
    _edit(world_copy / "guangxi.yaml", old, new)
    msg = _error(world_copy / "guangxi.yaml")
    assert expect in msg and "guangxi.yaml" in msg


@pytest.mark.parametrize("old,new,expect", [
    ("nanning,firms,", "nanning,firmz,", "unknown column 'firmz' (did you mean 'firms'?)"),
    ("nanning,firms,", "nanjing,firms,", "unknown zone 'nanjing'"),
    ("zone,column,source", "zone,col,source", "header: expected the columns zone, column, source"),
])
def test_bad_source_table_is_one_line(world_copy, old, new, expect):
    _edit(world_copy / "guangxi_sources.csv", old, new)
    assert expect in _error(world_copy / "guangxi.yaml")


def test_a_missing_or_empty_source_is_an_error(world_copy):
    p = world_copy / "guangxi_sources.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    p.write_text("\n".join(line for line in lines if not line.startswith("guilin,amenity,")) + "\n", encoding="utf-8")
    assert "no source for guilin.amenity" in _error(world_copy / "guangxi.yaml")
    p.write_text("\n".join(lines + ["guilin,talent,estimate"]) + "\n", encoding="utf-8")
    msg = _error(world_copy / "guangxi.yaml")
    assert "estimate: how it was made" in msg


def test_params_from_errors_are_one_line(world_copy):
    p = world_copy / "guangxi2017.yaml"
    _edit(p, "params_from: guangxi.yaml", "params_from: nowhere.yaml")
    assert "nowhere.yaml: file not found" in _error(p)
    _edit(p, "params_from: nowhere.yaml", "params_from: guangxi2017.yaml")
    assert "params_from: names the world file itself" in _error(p)
