"""NaN, inf and huge values in every numeric field are refused with one line (issue 20, item 6).

Every numeric field of the model parameters, of every lever's settings (and their sub-models:
reward tiers, parks), every numeric cell of the zone table, and the bounds and values of study
factors and design tables get NaN, +inf and -inf in turn — exhaustively, not sampled — and a
hypothesis test mixes them into random package files. Each must end in one InputError line.
"""

from __future__ import annotations

import csv
import io
import math
import shutil
import types
import typing

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from sim.core.errors import InputError
from sim.core.params import MAX_YEARS, Params
from sim.experiments.study import load_study
from sim.policies import REGISTRY
from sim.scenario.packages import load_package
from sim.scenario.world import WORLDS, ZoneRow, load_world, validate

from .test_study import write_study

BAD = [math.nan, math.inf, -math.inf]


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert text and "\n" not in text and len(text) < 1200, text
    return text


def _unwrap(ann):
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        return args[0] if len(args) == 1 else ann
    return ann


def numeric_paths(model: type[BaseModel], prefix: tuple = ()) -> list[tuple[tuple, str]]:
    """(path, kind) of every number in ``model``: kind 'scalar' or 'tuple' (a path ends with an
    index), sub-models and tuples of sub-models followed (index 0)."""
    out = []
    for name, info in model.model_fields.items():
        ann = _unwrap(info.annotation)
        origin = typing.get_origin(ann)
        if ann in (int, float):
            out.append((prefix + (name,), "scalar"))
        elif origin is tuple and all(a in (int, float) for a in typing.get_args(ann)):
            for i in range(len(typing.get_args(ann))):
                out.append((prefix + (name, i), "tuple"))
        elif isinstance(ann, type) and issubclass(ann, BaseModel):
            out += numeric_paths(ann, prefix + (name,))
        elif origin in (tuple, list):
            args = [a for a in typing.get_args(ann) if a is not Ellipsis]
            if len(args) == 1 and isinstance(args[0], type) and issubclass(args[0], BaseModel):
                out += numeric_paths(args[0], prefix + (name, 0))
    return out


def default_data(model: type[BaseModel]) -> dict:
    """Valid data for ``model``: its defaults, with one item in every tuple of sub-models."""
    data = {}
    for name, info in model.model_fields.items():
        ann = _unwrap(info.annotation)
        value = None if info.is_required() else info.get_default(call_default_factory=True)
        args = [a for a in typing.get_args(ann) if a is not Ellipsis]
        if typing.get_origin(ann) in (tuple, list) and len(args) == 1 and isinstance(args[0], type) \
                and issubclass(args[0], BaseModel):
            value = [_sample(args[0])]
        elif isinstance(value, BaseModel):
            value = value.model_dump()
        elif isinstance(value, tuple):
            value = list(value)
        if value is not None:
            data[name] = value
    return data


def _sample(model: type[BaseModel]) -> dict:
    """A valid item of a lever's sub-model (a park, a tier, a pair)."""
    samples = {"Park": {"id": "newpark", "name": "New park", "lon": 108.0, "lat": 22.5},
               "Pair": {"host": "nanning", "hosted": "laibin"},
               "OutsidePark": {"id": "outpark", "name": "Outside park"}, "Designation": {"zone": "wuzhou"}}
    base = default_data(model)
    return {**base, **samples.get(model.__name__, {})}


def set_path(data, path, value):
    data = yaml.safe_load(yaml.safe_dump(data))  # a deep copy of plain data
    cur = data
    for part in path[:-1]:
        cur = cur[part]
    cur[path[-1]] = value
    return data


# ------------------------------------------------------------------------------------------
# model parameters
# ------------------------------------------------------------------------------------------
PARAM_PATHS = numeric_paths(Params)


def test_every_parameter_is_covered():
    assert len(PARAM_PATHS) > 60
    names = {p[0] for p, _ in PARAM_PATHS}
    assert names == set(Params.model_fields) - {n for n, f in Params.model_fields.items()
                                                if _unwrap(f.annotation) not in (int, float)
                                                and typing.get_origin(f.annotation) is not tuple}


@pytest.mark.parametrize("path", [p for p, _ in PARAM_PATHS], ids=lambda p: ".".join(map(str, p)))
def test_parameters_refuse_nan_and_inf(world, path):
    for bad in BAD:
        data = {path[0]: bad} if len(path) == 1 else \
            {path[0]: [bad if i == path[1] else x for i, x in enumerate(getattr(world.params, path[0]))]}
        with pytest.raises(InputError) as err:
            world.with_params(**data)
        assert "params." + path[0] in one_line(err.value)


def test_every_numeric_parameter_has_an_upper_bound():
    """'Fields with only a lower bound accept inf' (issue 20): every scalar has one now."""
    for name, info in Params.model_fields.items():
        if _unwrap(info.annotation) in (int, float):
            assert any(getattr(m, "le", None) is not None or getattr(m, "lt", None) is not None
                       for m in info.metadata), name


def test_the_reported_cases(world, tmp_path):
    for over, field in ((dict(outside_arrivals=1e12), "outside_arrivals"),
                        (dict(capital_per_worker=(math.nan, 0.7, 0.8, 0.6, 0.5)), "capital_per_worker"),
                        (dict(indicator_weights=(math.nan, 20.0, 15.0, 15.0, 30.0)), "indicator_weights")):
        with pytest.raises(InputError, match=field):
            world.with_params(**over)
    # the same through a world file, as a user would write it
    for f in WORLDS.glob("guangxi*"):
        shutil.copy(f, tmp_path / f.name)
    doc = yaml.safe_load((tmp_path / "guangxi.yaml").read_text())
    doc["params"]["indicator_weights"] = [".nan", 20, 15, 15, 30]
    (tmp_path / "guangxi.yaml").write_text(yaml.safe_dump(doc).replace("'.nan'", ".nan"))
    with pytest.raises(InputError, match="indicator_weights.0: Input should be a finite number"):
        load_world(tmp_path / "guangxi.yaml")


def test_years_are_limited_to_the_tested_horizon(tmp_path):
    from sim.cli.main import main

    for f in WORLDS.glob("guangxi*"):
        shutil.copy(f, tmp_path / f.name)
    text = (tmp_path / "guangxi.yaml").read_text().replace("years: 20", f"years: {MAX_YEARS + 1}")
    (tmp_path / "guangxi.yaml").write_text(text)
    with pytest.raises(InputError, match="years"):
        load_world(tmp_path / "guangxi.yaml")
    with pytest.raises(SystemExit) as e:
        main(["run", "--years", str(MAX_YEARS + 1)])
    assert e.value.code == 2


# ------------------------------------------------------------------------------------------
# lever settings
# ------------------------------------------------------------------------------------------
LEVER_PATHS = [(name, path) for name, cls in sorted(REGISTRY.items()) for path, _ in numeric_paths(cls.Settings)]


def test_every_lever_number_is_covered():
    assert {n for n, _ in LEVER_PATHS} >= {"funding_reward", "talent_subsidy", "new_zones", "classified_evaluation"}
    assert ("funding_reward", ("tiers", 0, "amount")) in LEVER_PATHS
    assert ("new_zones", ("parks", 0, "land_total")) in LEVER_PATHS


@pytest.mark.parametrize("lever,path", LEVER_PATHS, ids=lambda x: x if isinstance(x, str) else ".".join(map(str, x)))
def test_lever_settings_refuse_nan_and_inf(lever, path):
    cls = REGISTRY[lever].Settings
    base = default_data(cls)
    validate(cls, base, "test")  # the starting point is valid
    for bad in BAD:
        with pytest.raises(InputError) as err:
            validate(cls, set_path(base, path, bad), "package.yaml", f"levers.{lever}")
        assert f"levers.{lever}.{path[0]}" in one_line(err.value)


def test_lever_money_has_upper_bounds():
    """'talent_subsidy: {amount: .inf}' gave exit 0, public money inf (issue 20): bounded now."""
    cls = REGISTRY["talent_subsidy"].Settings
    for huge in (1e12, math.inf):
        with pytest.raises(InputError):
            validate(cls, {"amount": huge}, "p.yaml", "levers.talent_subsidy")


finite_or_not = st.one_of(st.sampled_from(BAD), st.floats(allow_nan=False, allow_infinity=False),
                          st.sampled_from([1e12, 1e300, -1e300]))


@settings(max_examples=150, deadline=3000, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_package_files_with_random_bad_numbers(tmp_path_factory, data):
    """Random levers, random numeric fields, NaN/inf/huge values written as YAML: refused or valid,
    and if valid then every number of the settings is finite."""
    folder = tmp_path_factory.mktemp("pkg")
    k = data.draw(st.integers(1, 3), label="fields")
    levers: dict = {}
    for _ in range(k):
        lever, path = data.draw(st.sampled_from(LEVER_PATHS), label="field")
        value = data.draw(finite_or_not, label="value")
        base = levers.get(lever) or default_data(REGISTRY[lever].Settings)
        levers[lever] = set_path(base, path, value)
    p = folder / "p.yaml"
    p.write_text(yaml.safe_dump({"name": "fuzz", "levers": levers}), encoding="utf-8")
    try:
        pkg = load_package(p)
    except InputError as exc:
        one_line(exc)
        return
    for s in pkg.settings.values():
        for v in _numbers(s.model_dump()):
            assert math.isfinite(v)


def _numbers(x):
    if isinstance(x, bool):
        return
    if isinstance(x, (int, float)):
        yield x
    elif isinstance(x, dict):
        for v in x.values():
            yield from _numbers(v)
    elif isinstance(x, (list, tuple)):
        for v in x:
            yield from _numbers(v)


# ------------------------------------------------------------------------------------------
# study ranges and design tables
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("factor,spec", [
    ("land_quota", {"range": [6.0, ".inf"]}),
    ("land_quota", {"range": [".nan", 12.0]}),
    ("land_quota", {"range": ["-.inf", 12.0]}),
    ("land_quota", {"values": [6.0, ".nan"]}),
    ("loss_years_to_exit", {"range": [1, ".inf"]}),       # a whole-number parameter: was an OverflowError
    ("talent_subsidy.amount", {"range": [10.0, ".inf"]}),
    ("talent_subsidy.amount", {"values": [".inf"]}),
    ("funding_reward.budget", {"range": [0.0, 1e15]}),    # finite but beyond the lever's bound
])
def test_study_ranges_refuse_nan_inf_and_out_of_bounds(tmp_path, factor, spec):
    path = write_study(tmp_path, levers={factor: spec})
    path.write_text(path.read_text().replace("'.inf'", ".inf").replace("'-.inf'", "-.inf").replace("'.nan'", ".nan"))
    with pytest.raises(InputError) as err:
        load_study(path)
    assert "levers." + factor.split(".")[0] in one_line(err.value)


@pytest.mark.parametrize("cell", ["nan", "inf", "-inf", "1e400"])
def test_design_table_refuses_nan_and_inf(tmp_path, cell):
    (tmp_path / "design.csv").write_text(f"land_quota,agglomeration_elasticity\n6.0,0.05\n{cell},0.05\n")
    path = write_study(tmp_path, levers={"land_quota": {"range": [1.0, 30.0]}},
                       design={"method": "table", "table": "design.csv"})
    with pytest.raises(InputError) as err:
        load_study(path)
    assert "line 3" in one_line(err.value)


# ------------------------------------------------------------------------------------------
# the zone table
# ------------------------------------------------------------------------------------------
NUMERIC_COLUMNS = [c for c, f in ZoneRow.model_fields.items() if _unwrap(f.annotation) in (int, float)]


@pytest.fixture(scope="module")
def zone_world(tmp_path_factory):
    d = tmp_path_factory.mktemp("zones")
    for f in WORLDS.glob("guangxi*"):
        shutil.copy(f, d / f.name)
    return d


@pytest.mark.parametrize("column", NUMERIC_COLUMNS)
def test_zone_table_refuses_nan_and_inf_in_every_numeric_column(zone_world, column):
    rows = list(csv.reader(io.StringIO((WORLDS / "guangxi_zones.csv").read_text(encoding="utf-8"))))
    col = rows[0].index(column)
    try:
        for cell in ("nan", "inf", "-inf", "NaN", "Infinity"):
            for row in (1, len(rows) - 1):
                bad = [list(r) for r in rows]
                bad[row][col] = cell
                buf = io.StringIO()
                csv.writer(buf).writerows(bad)
                (zone_world / "guangxi_zones.csv").write_text(buf.getvalue(), encoding="utf-8")
                with pytest.raises(InputError) as err:
                    load_world(zone_world / "guangxi.yaml")
                assert f"line {row + 1}" in one_line(err.value)
    finally:
        shutil.copy(WORLDS / "guangxi_zones.csv", zone_world / "guangxi_zones.csv")
