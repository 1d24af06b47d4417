"""Bundled packages: all load, extend as documented, and a neutral package changes nothing."""

from pathlib import Path

import pandas as pd
import pytest

from sim.core.errors import InputError
from sim.model.zonemodel import ZoneModel
from sim.scenario.packages import load_package
from sim.policies import REGISTRY
from sim.scenario.world import PACKAGES

NAMED = {"funding-reward": "funding_reward", "delisting": "delisting", "hosting": "hosting",
         "land-by-output": "land_allocation"}


def bundled() -> list[str]:
    return sorted(p.stem for p in PACKAGES.glob("*.yaml"))


@pytest.mark.parametrize("name", bundled())
def test_every_bundled_package_loads(name):
    pkg = load_package(name)
    assert pkg.name == name
    assert all(lever in REGISTRY for lever in pkg.levers)


def test_one_package_per_lever_and_per_area():
    names = set(bundled())
    for pkg, lever in NAMED.items():
        assert lever in load_package(pkg).levers
    for lever in REGISTRY:
        assert any(list(load_package(n).levers) == [lever] for n in names), f"no package for {lever}"
    for area in range(1, 7):
        pkg = next(n for n in names if n.startswith(f"area{area}-"))
        areas = {REGISTRY[name].area for name in load_package(pkg).levers}
        assert area in areas


def test_baseline_has_no_levers_and_full_package_has_all():
    assert load_package("baseline").levers == {}
    full = load_package("guangxi-23")
    assert set(full.levers) == {n for n, cls in REGISTRY.items() if cls.measure}  # not the comparison readings
    assert {n for n, cls in REGISTRY.items() if not cls.measure} == {"talent_subsidy", "green_constraint"}
    assert full.chain[0] == "baseline" and full.chain[-1] == "guangxi-23"


def test_unknown_lever_lists_the_valid_ones(tmp_path: Path):
    f = tmp_path / "bad.yaml"
    f.write_text("name: bad\nextends: baseline\nlevers:\n  funding_rewards: {}\n")
    with pytest.raises(InputError, match="did you mean 'funding_reward'.*allowed: .*land_allocation"):
        load_package(f)


def test_a_missing_parent_names_the_file_and_extends(tmp_path: Path):
    f = tmp_path / "bad.yaml"
    f.write_text("name: bad\nextends: nosuchbase\n")
    with pytest.raises(InputError) as err:
        load_package(f)
    text = str(err.value)
    assert text.startswith(f"{f}: extends: 'nosuchbase': no such package") and "bundled: " in text


def test_bad_setting_names_the_field(tmp_path: Path):
    f = tmp_path / "bad.yaml"
    f.write_text("name: bad\nlevers:\n  delisting: {years: 0}\n")
    with pytest.raises(InputError, match=r"levers\.delisting\.years"):
        load_package(f)


def test_a_package_that_changes_nothing_is_identical_to_baseline(world, tmp_path: Path):
    f = tmp_path / "neutral.yaml"
    f.write_text("""name: neutral
extends: baseline
levers:
  funding_reward: {budget: 0.0}
  delisting: {bottom_region: 0, bottom_national: 0}
  land_allocation: {rule: demand}
  talent_subsidy: {amount: 0.0}
  tech_transfer: {gain: 0.0, cost_per_zone: 0.0}
  high_level_talent: {grant: 0.0, support: 0.0}
  green_development: {budget: 0.0}
  management_reform: {speed: 0.0, cost_per_zone: 0.0}
  incubators: {gain: 0.0, cost_per_startup: 0.0}
  certification_support: {gain: 0.0, award: 0.0}
  outside_attraction: {gain: 0.0, cost_per_arrival: 0.0}
  tech_finance: {loan_ratio: 0.0, interest_subsidy: 0.0, risk_share: 0.0}
  fiscal_autonomy: {share: 0.25}
  platform_building: {budget: 0.0}
  promotion: {min_output_bn: 1.0e9}
  new_zones: {parks: []}
""")
    neutral = load_package(f)
    a = ZoneModel(world=world, levers=neutral.build(), rng=11).run(4)
    b = ZoneModel(world=world, levers=load_package("baseline").build(), rng=11).run(4)
    pd.testing.assert_frame_equal(a, b)


def test_same_seed_same_results(world):
    pkg = load_package("guangxi-23")
    a = ZoneModel(world=world, levers=pkg.build(), rng=3).run(3)
    b = ZoneModel(world=world, levers=pkg.build(), rng=3).run(3)
    pd.testing.assert_frame_equal(a, b)


def test_docs_list_every_lever_and_its_settings():
    from sim.policies._doc import overview_table, settings_table
    from sim.scenario.world import ROOT

    text = (ROOT / "docs" / "levers.md").read_text(encoding="utf-8")
    assert overview_table() in text, "docs/levers.md is stale: python -m sim.policies._doc"
    for name in REGISTRY:
        assert settings_table(name) in text, f"docs/levers.md: settings of {name} are stale"
