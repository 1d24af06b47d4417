"""Scenario files: every bundled file loads; bad input gives one line naming file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.core.errors import InputError
from sim.scenario.packages import load_package
from sim.core.params import Params
from sim.scenario.world import PACKAGES, WORLDS, load_world

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", sorted(WORLDS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_world_loads(path):
    w = load_world(path)
    assert len(w.zones) >= 1


@pytest.mark.parametrize("path", sorted(PACKAGES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_package_loads(path):
    assert load_package(path).name


def test_default_world_is_guangxi_14_zones(world):
    assert len(world.zones) == 14
    levels = [z.level for z in world.zones]
    assert levels.count("national") == 4 and levels.count("region") == 10
    national = {z.id for z in world.zones if z.level == "national"}
    assert national == {"nanning", "liuzhou", "guilin", "beihai"}
    unidentified = [z for z in world.zones if z.id.startswith("unidentified")]
    assert len(unidentified) == 2 and all("placeholder" in z.source for z in unidentified)
    assert all(z.source for z in world.zones)


@pytest.fixture
def world_copy(tmp_path):
    for f in WORLDS.glob("guangxi*"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as e:
        load_world(tmp_path / "nope.yaml")
    assert "nope.yaml" in one_line(e) and "not found" in one_line(e)


def test_unknown_bundled_name_lists_choices():
    with pytest.raises(InputError) as e:
        load_world("guangxy")
    assert "did you mean 'guangxi'" in one_line(e)


def test_yaml_syntax_error_names_line(world_copy):
    p = world_copy / "guangxi.yaml"
    edit(p, "years: 20", "years: [20")
    with pytest.raises(InputError) as e:
        load_world(p)
    assert "YAML syntax error" in one_line(e) and "line" in one_line(e)


def test_unknown_field_suggests(world_copy):
    p = world_copy / "guangxi.yaml"
    edit(p, "years: 20", "yeers: 20")
    with pytest.raises(InputError) as e:
        load_world(p)
    assert "yeers" in one_line(e) and "did you mean 'years'" in one_line(e)


def test_unknown_parameter_suggests(world_copy):
    p = world_copy / "guangxi.yaml"
    edit(p, "params:\n", "params:\n  startup_rat: 3\n")
    with pytest.raises(InputError) as e:
        load_world(p)
    assert "params.startup_rat" in one_line(e) and "did you mean 'startup_rate'" in one_line(e)


def test_out_of_range_parameter(world_copy):
    p = world_copy / "guangxi.yaml"
    edit(p, "params:\n", "params:\n  loss_exit_probability: 1.5\n")
    with pytest.raises(InputError) as e:
        load_world(p)
    assert "params.loss_exit_probability" in one_line(e) and "1.5" in one_line(e)


def test_weights_must_be_valid(world_copy):
    p = world_copy / "guangxi.yaml"
    edit(p, "params:\n", "params:\n  indicator_weights: [20, 20, -15, 15, 30]\n")
    with pytest.raises(InputError) as e:
        load_world(p)
    assert "indicator_weights" in one_line(e)


def test_negative_land_in_zone_table(world_copy):
    p = world_copy / "guangxi_zones.csv"
    edit(p, "nanning,Nanning,南宁高新区,Nanning,national,true,108.27,22.85,254,11000,390,60000,90,",
         "nanning,Nanning,南宁高新区,Nanning,national,true,108.27,22.85,254,11000,390,60000,-90,")
    with pytest.raises(InputError) as e:
        load_world(world_copy / "guangxi.yaml")
    msg = one_line(e)
    assert "guangxi_zones.csv" in msg and "line 2 (nanning).land_total_km2" in msg


def test_developed_above_total_land(world_copy):
    p = world_copy / "guangxi_zones.csv"
    edit(p, ",90,60,60,", ",90,95,60,")
    with pytest.raises(InputError) as e:
        load_world(world_copy / "guangxi.yaml")
    assert "land_developed_km2 must not exceed land_total_km2" in one_line(e)


def test_unknown_csv_column(world_copy):
    p = world_copy / "guangxi_zones.csv"
    edit(p, "id,name,", "id,nmae,")
    with pytest.raises(InputError) as e:
        load_world(world_copy / "guangxi.yaml")
    assert "column 'nmae'" in one_line(e) and "did you mean 'name'" in one_line(e)


def test_not_utf8(world_copy):
    p = world_copy / "guangxi.yaml"
    p.write_bytes("name: 广西\n".encode("gb18030"))
    with pytest.raises(InputError) as e:
        load_world(p)
    assert "UTF-8" in one_line(e)


def test_empty_file(world_copy):
    p = world_copy / "guangxi.yaml"
    p.write_text("  \n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_world(p)
    assert "empty" in one_line(e)


def test_committee_prior_shares_are_normalised_and_must_not_all_be_zero():
    p = Params(spend_platforms=0.5, spend_services=0.5, spend_subsidies=0.2, spend_promotion=0.2, spend_land=0.6)
    assert sum(p.prior_shares) == pytest.approx(1.0) and p.prior_shares[4] == pytest.approx(0.1)
    with pytest.raises(ValueError):
        Params(spend_platforms=0.0, spend_services=0.0, spend_subsidies=0.0, spend_promotion=0.0, spend_land=0.0)


def test_unknown_lever_lists_valid_ones(tmp_path):
    p = tmp_path / "pkg.yaml"
    p.write_text("name: x\nlevers:\n  no_such_lever: {}\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_package(p)
    assert "unknown lever 'no_such_lever'" in one_line(e) and "allowed:" in one_line(e)


def test_world_with_params_validates(world):
    assert world.with_params(startup_rate=3.0).params.startup_rate == 3.0
    with pytest.raises(InputError):
        world.with_params(startup_rate=-1.0)
