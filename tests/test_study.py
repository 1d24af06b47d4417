"""Study files: schema, one-line errors, designs, seeds, lever and parameter factors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field

from sim.core.errors import InputError
from sim.policies import Lever, LeverSettings
from sim.experiments.runner import derive_seeds
from sim.experiments.study import STUDIES, Factor, configure, load_study

BASE: dict[str, Any] = {
    "name": "t",
    "years": 1,
    "seeds": 2,
    "levers": {"land_quota": {"values": [6.0, 24.0]}},
    "uncertainties": {"agglomeration_elasticity": {"range": [0.03, 0.11], "levels": 3}},
    "outcomes": {"names": ["output", "firms"]},
    "design": {"method": "full_factorial"},
}


def write_study(folder: Path, name: str = "study.yaml", **changes: Any) -> Path:
    """A study file in ``folder``: BASE with top-level keys replaced (None removes a key)."""
    data = {**BASE, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


class BonusSettings(LeverSettings):
    factor: float = Field(1.0, ge=0.0, le=5.0, description="multiplier of firms' exit hazard")
    note: str = "test"


class BonusLever(Lever):
    """Test-only lever: multiplies every firm's exit hazard by ``factor``."""

    name = "test_bonus"
    Settings = BonusSettings

    def exit_multiplier(self, model, slots):
        return self.settings.factor


@pytest.fixture
def test_lever(monkeypatch):
    import sim.policies as pol

    monkeypatch.setitem(pol._LEVERS, "test_bonus", BonusLever)
    return BonusLever


# ------------------------------------------------------------------ bundled studies
@pytest.mark.parametrize("path", sorted(STUDIES.glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_studies_resolve(path):
    study = load_study(path)
    runs = study.runs()
    assert len(runs) == runs["point"].nunique() * study.spec.seeds
    assert study.fingerprint() == load_study(path).fingerprint()
    for f in study.varying:
        assert all(f.check(v) is None for v in runs[f.name].tolist())


def test_bundled_names_resolve():
    assert load_study("land-and-agglomeration").name == "land-and-agglomeration"
    with pytest.raises(InputError, match="no such study.*did you mean 'land-and-agglomeration'"):
        load_study("land-and-agglomeratio")


# ------------------------------------------------------------------ designs
def test_full_factorial_is_the_product_with_common_seeds(tmp_path):
    study = load_study(write_study(tmp_path))
    runs = study.runs()
    assert len(runs) == 2 * 3 * 2
    assert sorted(set(runs["agglomeration_elasticity"])) == pytest.approx([0.03, 0.07, 0.11])
    assert runs.groupby("point").size().eq(2).all()
    seeds = derive_seeds(20210, 2)
    assert runs.groupby("point")["seed"].apply(list).map(lambda s: s == seeds).all()
    assert runs["run"].tolist() == list(range(12))


def test_latin_hypercube_one_point_per_stratum(tmp_path):
    design = {"method": "latin_hypercube", "samples": 10, "seed": 5}
    study = load_study(write_study(tmp_path, design=design, seeds=1,
                                   levers={"land_quota": {"range": [5.0, 25.0]}}))
    pts = study.points()
    assert len(pts) == 10
    strata = np.floor((pts["land_quota"] - 5.0) / 2.0).astype(int)
    assert sorted(strata) == list(range(10))
    again = load_study(write_study(tmp_path, design=design, seeds=1, levers={"land_quota": {"range": [5.0, 25.0]}}))
    assert again.points().equals(pts)


def test_morris_and_sobol_sizes_with_convergence(tmp_path):
    m = load_study(write_study(tmp_path, design={"method": "morris", "samples": 3, "levels": 4}))
    assert len(m.points()) == 2 * 3 * (2 + 1)
    s = load_study(write_study(tmp_path, design={"method": "sobol", "samples": 4, "convergence": False}))
    assert len(s.points()) == 4 * (2 + 2)
    s2 = load_study(write_study(tmp_path, design={"method": "sobol", "samples": 4, "second_order": True}))
    assert len(s2.points()) == 8 * (2 * 2 + 2)


def test_values_list_is_sampled_by_index(tmp_path):
    study = load_study(write_study(tmp_path, design={"method": "morris", "samples": 4},
                                   uncertainties={"loss_years_to_exit": {"values": [1, 2, 3]}}))
    pts = study.points()
    assert set(pts["loss_years_to_exit"]) <= {1, 2, 3}
    assert pts["loss_years_to_exit"].dtype == np.int64
    assert set(pts["land_quota"]) <= {6.0, 24.0}


@given(x=st.floats(0.0, 1.0))
@settings(max_examples=60, deadline=None)
def test_decode_stays_inside(x):
    rng = Factor("a", "uncertainty", (2.0, 7.0), None, None, integer=True)
    vals = Factor("b", "lever", None, ("low", "mid", "high"), None)
    assert rng.check(rng.decode(2.0 + 5.0 * x)) is None
    assert vals.decode(3.0 * x) in ("low", "mid", "high")


def test_table_design(tmp_path):
    (tmp_path / "design.csv").write_text("land_quota,agglomeration_elasticity\n6.0,0.05\n24,0.1\n")
    study = load_study(write_study(tmp_path, design={"method": "table", "table": "design.csv"}))
    pts = study.points()
    assert pts[["land_quota", "agglomeration_elasticity"]].values.tolist() == [[6.0, 0.05], [24.0, 0.1]]


def test_over_restricts_the_varying_factors(tmp_path):
    study = load_study(write_study(tmp_path, over="levers"))
    assert [f.name for f in study.varying] == ["land_quota"]
    assert len(study.points()) == 2
    assert study.with_over("all").fingerprint() != study.fingerprint()


def test_fingerprint_follows_the_content(tmp_path):
    a = load_study(write_study(tmp_path)).fingerprint()
    b = load_study(write_study(tmp_path, seeds=3)).fingerprint()
    assert a != b
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    assert load_study(write_study(moved)).fingerprint() == a


# ------------------------------------------------------------------ levers as factors
def test_lever_field_factor_revalidates_settings(tmp_path, test_lever, world):
    study = load_study(write_study(tmp_path, levers={"test_bonus.factor": {"range": [0.5, 2.0]}}))
    w, pkg = configure(study.world, study.package, {"test_bonus.factor": 1.5})
    assert pkg.settings["test_bonus"].factor == 1.5
    assert pkg.settings["test_bonus"].note == "test"
    assert [type(lv) for lv in pkg.build()] == [BonusLever]
    assert "test_bonus" not in study.package.settings  # the base package is untouched
    with pytest.raises(InputError, match=r"levers\.test_bonus\.factor"):
        load_study(write_study(tmp_path, levers={"test_bonus.factor": {"range": [0.5, 9.0]}}))
    with pytest.raises(InputError, match=r"unknown field of lever 'test_bonus' 'factr'.*did you mean 'factor'"):
        load_study(write_study(tmp_path, levers={"test_bonus.factr": {"range": [0.5, 2.0]}}))


def test_params_factor_applies_to_world(tmp_path, world):
    w, _ = configure(world, load_study(write_study(tmp_path)).package, {"land_quota": 7.5})
    assert w.params.land_quota == 7.5 and world.params.land_quota != 7.5


# ------------------------------------------------------------------ one-line errors
BAD = [
    ({"nmae": "x"}, "nmae: unknown field (did you mean 'name'?)"),
    ({"levers": {"land_quota": {"range": [1, 2], "values": [1]}}}, "levers.land_quota: give either"),
    ({"levers": {"land_quota": {"range": [5, 2]}}}, "range low must be below high"),
    ({"levers": {"land_qouta": {"range": [1, 2]}}},
     "levers.land_qouta: unknown parameter (did you mean 'land_quota'?)"),
    ({"levers": {"no_such_lever.x": {"range": [1, 2]}}}, "levers.no_such_lever"),
    ({"uncertainties": {"agglomeration_elasticity": {"range": [0.0, 0.5]}}},
     "uncertainties.agglomeration_elasticity: Input should be less than or equal to 0.3"),
    ({"uncertainties": {"loss_years_to_exit": {"range": [1, 2.5]}}}, "is a whole number"),
    ({"uncertainties": {"land_quota": {"range": [1, 2]}}}, "declared both as a lever and as an uncertainty"),
    ({"levers": {}, "uncertainties": {}}, "declare at least one lever or uncertainty"),
    ({"design": {"method": "sobel"}}, "design.method: Input should be"),
    ({"design": {"method": "sobol", "samples": 10}}, "must be a power of 2"),
    ({"design": {"method": "morris"}}, "method 'morris' needs 'samples'"),
    ({"outcomes": {"names": ["outptu"]}}, "unknown outcome 'outptu' (did you mean 'output'?)"),
    ({"outcomes": {"names": ["output"], "years": [2040]}}, "outcomes.years: year 2040 is outside"),
    ({"outcomes": {"names": ["output"], "zones": ["atlantis"]}}, "outcomes.zones: unknown zone 'atlantis'"),
    ({"levers": {"land_quota": {"values": [6.0, "many"]}}}, "values must be all numbers, all true/false or all"),
    ({"seeds": 0}, "seeds: Input should be greater than or equal to 1"),
    ({"package": "no-such-package"}, "no such package"),
    ({"over": "levers", "levers": {}}, "over: the study declares no levers"),
]


@pytest.mark.parametrize("changes,message", BAD, ids=[m[:30] for _, m in BAD])
def test_invalid_studies_give_one_line(tmp_path, changes, message):
    path = write_study(tmp_path, **changes)
    with pytest.raises(InputError) as err:
        load_study(path)
    text = str(err.value)
    assert message in text
    assert "\n" not in text
    assert str(path) in text or "no such package" in text
    assert "(got a mapping)" not in text  # a validator's own message, not the mapping it checked


@pytest.mark.parametrize("changes,message", [
    ({"levers": {"funding_reward.budget": {"range": [50.0, 0.0]}}},
     "range low must be below high (got [50.0, 0.0])"),
    ({"outcomes": {"names": ["outputz"]}}, "(did you mean 'output'?); allowed: output,"),
])
def test_a_validators_message_is_not_followed_by_got_a_mapping(tmp_path, changes, message):
    path = write_study(tmp_path, **changes)
    with pytest.raises(InputError) as err:
        load_study(path)
    text = str(err.value)
    assert message in text and "(got a mapping)" not in text and text.count("(got ") <= 1


def test_table_errors_name_line_and_column(tmp_path):
    design = {"method": "table", "table": "d.csv"}
    (tmp_path / "d.csv").write_text("land_quota,agglomeration_elasticity\n6.0,0.05\n24.0,0.5\n")
    with pytest.raises(InputError, match=r"d\.csv: line 3, column 'agglomeration_elasticity': 0\.5 is outside"):
        load_study(write_study(tmp_path, design=design))
    (tmp_path / "d.csv").write_text("land_quota,agglomeration_elasticty\n6.0,0.05\n")
    with pytest.raises(InputError, match="unknown factor 'agglomeration_elasticty'"):
        load_study(write_study(tmp_path, design=design))
    (tmp_path / "d.csv").write_text("land_quota,agglomeration_elasticity\n7.0,0.05\n")
    with pytest.raises(InputError, match=r"7\.0 is not one of \[6\.0, 24\.0\]"):
        load_study(write_study(tmp_path, design=design))


def test_syntax_error_names_the_line(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("name: x\nlevers: [\n")
    with pytest.raises(InputError, match="YAML syntax error: line"):
        load_study(p)


def test_real_levers_are_swept_by_field():
    study = load_study("evaluation-levers")
    assert [f.group for f in study.factors] == ["lever"] * 3 + ["uncertainty"] * 2
    values = study.runs().iloc[0][[f.name for f in study.varying]].to_dict()
    world, pkg = configure(study.world, study.package, values)
    assert pkg.settings["funding_reward"].budget == values["funding_reward.budget"]
    assert pkg.settings["delisting"].bottom_region == values["delisting.bottom_region"]
    assert pkg.settings["land_allocation"].rule == values["land_allocation.rule"]
    assert sorted(type(lv).name for lv in pkg.build()) == ["delisting", "funding_reward", "land_allocation"]
    assert world.params.outside_wage_ratio == values["outside_wage_ratio"]
