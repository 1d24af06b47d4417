"""Study files: sweeps and sensitivity studies over levers and uncertainties.

A study (``scenarios/studies/NAME.yaml``; YAML, TOML or JSON) declares apart:

* the ``world`` and base ``package``, the horizon ``years``, ``seeds`` per design point and the
  ``base_seed`` they derive from (common random numbers: every point runs on the same seeds);
* ``levers`` (what the government chooses) and ``uncertainties`` (what nobody knows), each a
  ``range: [low, high]`` or a ``values: [...]`` list. A name ``LEVER.FIELD`` sets one field of a
  lever's settings (``funding_reward.top_amount``); a plain name is a model parameter of
  :class:`sim.core.params.Params` (``agglomeration_elasticity``);
* the ``outcomes`` to keep (names, years, whether per zone);
* the ``design``: ``full_factorial``, ``latin_hypercube``, ``morris``, ``sobol`` (Saltelli) or
  ``table`` (an explicit CSV, one row per point).

Loading resolves everything (world, package, each factor's bounds checked against the
parameter or lever it sets) and every problem is one :class:`~sim.core.errors.InputError` line
naming the file, the field and what is allowed. Nothing here runs the model; ``Study.context``
gives the picklable piece the workers need, ``configure`` turns one point into (world, package).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, model_validator

from sim.core.errors import InputError, did_you_mean, unknown_name
from sim.outcomes.metrics import OUTCOME_NAMES, REGION_OUTCOMES
from sim.scenario.packages import Package, load_package
from sim.core.params import MAX_YEARS, Params
from sim.experiments.seeds import derive_seeds
# configure (a point -> (world, package)) is kept importable from here
from sim.scenario.overrides import apply_levers, configure  # noqa: F401
from sim.scenario.world import SCENARIOS, World, load_world, read_mapping, read_text, resolve, validate

STUDIES = SCENARIOS / "studies"
METHODS = ("full_factorial", "latin_hypercube", "morris", "sobol", "table")
SENSITIVITY_METHODS = ("morris", "sobol")
ALL_OUTCOMES = tuple(OUTCOME_NAMES) + tuple(o.name for o in REGION_OUTCOMES)
Scalar = StrictBool | StrictInt | StrictFloat | StrictStr


# --------------------------------------------------------------------------------------------
# the file schema
# --------------------------------------------------------------------------------------------
class FactorSpec(BaseModel):
    """One lever or uncertainty: a ``range`` (continuous) or a ``values`` list (discrete)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    range: tuple[StrictInt | StrictFloat, StrictInt | StrictFloat] | None = None
    values: list[Scalar] | None = Field(None, min_length=1)
    levels: int | None = Field(None, ge=2, le=1000, description="points on the range in a full factorial")

    @model_validator(mode="after")
    def _one_of(self) -> FactorSpec:
        if (self.range is None) == (self.values is None):
            raise ValueError("give either 'range: [low, high]' or 'values: [...]'")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range low must be below high (got {list(self.range)})")
        if self.values is not None:
            if len(set(map(repr, self.values))) != len(self.values):
                raise ValueError("values must not repeat")
            kinds = {"bool" if isinstance(v, bool) else "number" if isinstance(v, (int, float)) else "text"
                     for v in self.values}
            if len(kinds) > 1:
                raise ValueError(f"values must be all numbers, all true/false or all text (got {self.values})")
        return self


class OutcomeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    names: list[str] = Field(min_length=1)
    years: Literal["all", "final"] | list[int] = "all"
    zones: bool | list[str] = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"names": data} if isinstance(data, list) else data

    @model_validator(mode="after")
    def _known(self) -> OutcomeSpec:
        for name in self.names:
            if name not in ALL_OUTCOMES:
                raise ValueError(f"unknown outcome '{name}'{did_you_mean(name, ALL_OUTCOMES)}; "
                                 f"allowed: {', '.join(ALL_OUTCOMES)}")
        if len(set(self.names)) != len(self.names):
            raise ValueError("outcome names must not repeat")
        return self


class DesignSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["full_factorial", "latin_hypercube", "morris", "sobol", "table"]
    samples: int | None = Field(None, ge=1, le=1_000_000,
                                description="LHS points, Morris trajectories, or Sobol base sample N")
    levels: int = Field(4, ge=2, le=1000, description="grid levels (Morris) / points per range (factorial)")
    table: str | None = Field(None, description="CSV design table, relative to the study file")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="seed of the sampler")
    second_order: bool = False
    convergence: bool = Field(True, description="Morris/Sobol: sample 2N so indices at N and 2N can be compared")

    @model_validator(mode="after")
    def _needs(self) -> DesignSpec:
        if self.method in ("latin_hypercube", "morris", "sobol") and self.samples is None:
            raise ValueError(f"method '{self.method}' needs 'samples'")
        if self.method == "table" and not self.table:
            raise ValueError("method 'table' needs 'table: FILE.csv'")
        if self.method != "table" and self.table:
            raise ValueError("'table' is only for method 'table'")
        if self.method == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"Sobol samples must be a power of 2 (got {self.samples})")
        return self


class StudyFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    title: str = ""
    description: str = ""
    world: str = "guangxi"
    package: str | None = "baseline"
    years: int | None = Field(None, ge=1, le=MAX_YEARS)
    seeds: int = Field(1, ge=1, le=100_000, description="replicate seeds per design point")
    base_seed: int = Field(20210, ge=0, le=2**63 - 1)
    levers: dict[str, FactorSpec] = Field(default_factory=dict)
    uncertainties: dict[str, FactorSpec] = Field(default_factory=dict)
    outcomes: OutcomeSpec
    design: DesignSpec
    over: Literal["all", "levers", "uncertainties"] = Field(
        "all", description="which factors vary: both groups, or one group with the other at base values")

    @model_validator(mode="after")
    def _factors(self) -> StudyFile:
        both = sorted(set(self.levers) & set(self.uncertainties))
        if both:
            raise ValueError(f"'{both[0]}' is declared both as a lever and as an uncertainty")
        if not self.levers and not self.uncertainties:
            raise ValueError("declare at least one lever or uncertainty")
        return self


# --------------------------------------------------------------------------------------------
# resolved objects
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Factor:
    """A resolved factor: which group, what it sets, its range or values, its value type."""

    name: str
    group: Literal["lever", "uncertainty"]
    range: tuple[float, float] | None
    values: tuple[Any, ...] | None
    levels: int | None
    integer: bool = False

    @property
    def lever(self) -> str | None:
        return self.name.split(".", 1)[0] if "." in self.name else None

    @property
    def field(self) -> str:
        return self.name.split(".", 1)[1] if "." in self.name else self.name

    def bounds(self) -> list[float]:
        """SALib bounds: the range, or [0, k) for k listed values (mapped back by ``decode``)."""
        return list(self.range) if self.range is not None else [0.0, float(len(self.values))]

    def decode(self, x: float) -> Any:
        """A sampled number (in ``bounds``) to the value the run uses."""
        if self.values is not None:
            return self.values[min(int(math.floor(x)), len(self.values) - 1)]
        return int(round(x)) if self.integer else float(x)

    def grid(self, default_levels: int) -> list[Any]:
        if self.values is not None:
            return list(self.values)
        lo, hi = self.range
        pts = np.linspace(lo, hi, self.levels or default_levels)
        return list(dict.fromkeys(int(round(v)) for v in pts)) if self.integer else [float(v) for v in pts]

    def canonical(self, value: Any) -> Any:
        """The listed value equal to ``value`` (numbers compare across int/float, not with bools)."""
        for v in self.values or ():
            same_kind = type(value) is type(v) or (_number(value) and _number(v))
            if same_kind and value == v:
                return v
        return None

    def check(self, value: Any) -> str | None:
        """Why ``value`` is outside this factor, or None."""
        if self.values is not None:
            return None if self.canonical(value) is not None else f"{value!r} is not one of {list(self.values)}"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{value!r} is not a number"
        lo, hi = self.range
        return None if lo <= value <= hi else f"{value!r} is outside the range [{lo}, {hi}]"


@dataclass(frozen=True)
class Study:
    """A study with its world, package and factors resolved and checked."""

    spec: StudyFile
    source: str
    world: World
    package: Package
    years: int
    factors: tuple[Factor, ...]
    table: pd.DataFrame | None = dataclasses.field(default=None, compare=False)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def method(self) -> str:
        return self.spec.design.method

    @property
    def seeds(self) -> list[int]:
        return derive_seeds(self.spec.base_seed, self.spec.seeds)

    @property
    def varying(self) -> tuple[Factor, ...]:
        """The factors the design varies (all, or one group when ``over`` says so)."""
        over = self.spec.over
        if over == "all":
            return self.factors
        group = "lever" if over == "levers" else "uncertainty"
        return tuple(f for f in self.factors if f.group == group)

    def with_over(self, over: str) -> Study:
        spec = self.spec.model_copy(update={"over": over})
        study = dataclasses.replace(self, spec=spec)
        if not study.varying:
            raise InputError(self.source, "over", f"the study declares no {over}")
        return study

    def problem(self) -> dict[str, Any]:
        """The SALib problem over the varying factors."""
        fs = self.varying
        return {"num_vars": len(fs), "names": [f.name for f in fs], "bounds": [f.bounds() for f in fs]}

    def base_samples(self) -> int | None:
        return self.spec.design.samples

    def sample_size(self) -> int | None:
        """N actually sampled: 2N when a Morris/Sobol convergence check is asked for."""
        d = self.spec.design
        if d.method in SENSITIVITY_METHODS and d.convergence:
            return 2 * d.samples
        return d.samples

    def sample(self) -> np.ndarray | None:
        """The SALib sample matrix (rows = points) for LHS, Morris and Sobol, else None."""
        d, problem, n = self.spec.design, self.problem(), self.sample_size()
        if d.method == "latin_hypercube":
            from SALib.sample import latin
            return latin.sample(problem, n, seed=d.seed)
        if d.method == "morris":
            from SALib.sample import morris
            return morris.sample(problem, n, num_levels=d.levels, seed=d.seed)
        if d.method == "sobol":
            from SALib.sample import sobol
            return sobol.sample(problem, n, calc_second_order=d.second_order, scramble=True, seed=d.seed)
        return None

    def points(self) -> pd.DataFrame:
        """One row per design point: ``point`` then one column per varying factor (run values)."""
        fs = self.varying
        d = self.spec.design
        if d.method == "full_factorial":
            grids = [f.grid(d.levels) for f in fs]
            rows = [dict(zip([f.name for f in fs], combo)) for combo in _product(grids)]
        elif d.method == "table":
            rows = [{f.name: row[f.name] for f in fs} for row in self.table.to_dict("records")]
        else:
            x = self.sample()
            rows = [{f.name: f.decode(v) for f, v in zip(fs, xs)} for xs in x]
        df = pd.DataFrame(rows, columns=[f.name for f in fs])
        for f in fs:
            df[f.name] = _typed(df[f.name], f)
        df.insert(0, "point", np.arange(len(df), dtype=np.int64))
        return df

    def runs(self) -> pd.DataFrame:
        """One row per run (point x replicate): run, point, replicate, seed, factor values."""
        pts = self.points()
        seeds = self.seeds
        n, k = len(pts), len(seeds)
        runs = pts.loc[np.repeat(np.arange(n), k)].reset_index(drop=True)
        runs.insert(1, "replicate", np.tile(np.arange(k, dtype=np.int64), n))
        runs.insert(2, "seed", np.tile(np.asarray(seeds, dtype=np.int64), n))
        runs.insert(0, "run", np.arange(n * k, dtype=np.int64))
        return runs

    def outcome_steps(self) -> list[int]:
        o = self.spec.outcomes.years
        if o == "all":
            return list(range(self.years + 1))
        if o == "final":
            return [self.years]
        return sorted(y - self.world.start_year for y in o)

    def outcome_zones(self) -> list[str] | None:
        """Zones kept besides the region row: None = region only; a list = those zones."""
        z = self.spec.outcomes.zones
        if z is True:
            return list(self.world.zone_ids)
        return list(z) if z else None

    def context(self) -> RunContext:
        return RunContext(self.world, self.package, self.years, tuple(self.spec.outcomes.names),
                          tuple(self.outcome_steps()), tuple(self.outcome_zones() or ()),
                          tuple(f.name for f in self.varying))

    def to_dict(self) -> dict[str, Any]:
        """The resolved study as data (for study.yaml and the fingerprint)."""
        from sim.experiments.results import world_dict

        return {"study": self.spec.model_dump(mode="json"), "source": self.source, "years": self.years,
                "varying": [f.name for f in self.varying],
                "factors": [{"name": f.name, "group": f.group, "range": list(f.range) if f.range else None,
                             "values": list(f.values) if f.values else None, "integer": f.integer}
                            for f in self.factors],
                "seeds": self.seeds, "world": world_dict(self.world), "package": self.package.to_dict(),
                "design_table": None if self.table is None else self.table.to_dict("list")}

    def fingerprint(self) -> str:
        d = self.to_dict()
        d.pop("source")
        d["world"] = {k: v for k, v in d["world"].items() if k != "source"}
        text = json.dumps(d, sort_keys=True, default=str, ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class RunContext:
    """What every run of a study shares (picklable, sent to each worker once)."""

    world: World
    package: Package
    years: int
    outcomes: tuple[str, ...]
    steps: tuple[int, ...]
    zones: tuple[str, ...]
    factors: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------------
def load_study(name_or_path: str | Path) -> Study:
    path = resolve(name_or_path, STUDIES, "study")
    spec = validate(StudyFile, read_mapping(path), path)
    src = str(path)
    world = load_world(_beside(spec.world, path, "worlds"))
    package = load_package(_beside(spec.package, path, "packages")) if spec.package else _empty()
    years = spec.years or world.years
    package.check_horizon(years)
    factors = tuple([_factor(n, s, "lever", world, package, src, "levers") for n, s in spec.levers.items()]
                    + [_factor(n, s, "uncertainty", world, package, src, "uncertainties")
                       for n, s in spec.uncertainties.items()])
    _check_outcomes(spec, world, years, src)
    study = Study(spec, src, world, package, years, factors)
    if not study.varying:
        raise InputError(src, "over", f"the study declares no {spec.over}")
    if spec.design.method == "table":
        study = dataclasses.replace(study, table=_read_table(path.parent / spec.design.table, study.varying))
    return study


def _empty() -> Package:
    from sim.scenario.packages import empty_package
    return empty_package()


def _beside(name: str, study_path: Path, kind: str) -> str | Path:
    """Names resolve to bundled files; relative paths resolve beside the study file."""
    p = Path(name)
    if len(p.parts) > 1 or p.suffix:
        cand = study_path.parent / p
        return cand if cand.exists() or not p.exists() else p
    return name


def _factor(name: str, spec: FactorSpec, group: str, world: World, package: Package, src: str,
            section: str) -> Factor:
    field = f"{section}.{name}"
    if "." in name:
        from sim.policies import REGISTRY

        lever, sub = name.split(".", 1)
        if lever not in REGISTRY:
            raise unknown_name(src, field, lever, REGISTRY, "lever") if REGISTRY else \
                InputError(src, field, "no levers are registered yet")
        fields = REGISTRY[lever].Settings.model_fields
        if sub not in fields:
            raise unknown_name(src, field, sub, fields, f"field of lever '{lever}'")
        ann = fields[sub].annotation
    else:
        if name not in Params.model_fields:
            raise InputError(src, field, f"unknown parameter{did_you_mean(name, Params.model_fields)}; "
                                         "parameters are listed in docs/parameters.md; lever fields are "
                                         "written LEVER.FIELD")
        ann = Params.model_fields[name].annotation
    integer = ann is int
    if integer and spec.values is None:
        lo, hi = spec.range
        if lo != int(lo) or hi != int(hi):
            raise InputError(src, f"{field}.range", f"'{name}' is a whole number; give whole-number bounds")
    factor = Factor(name, group, tuple(float(v) for v in spec.range) if spec.range else None,
                    tuple(spec.values) if spec.values is not None else None, spec.levels, integer)
    candidates = list(spec.values) if spec.values is not None else [factor.decode(v) for v in spec.range]
    for v in candidates:
        if "." in name:
            apply_levers(package, {name.split(".", 1)[0]: {name.split(".", 1)[1]: v}}, src, section)
        else:
            validate(Params, {**world.param_overrides, name: v}, src, section)
    return factor


def _check_outcomes(spec: StudyFile, world: World, years: int, src: str) -> None:
    o = spec.outcomes
    if isinstance(o.years, list):
        lo, hi = world.start_year, world.start_year + years
        for y in o.years:
            if not lo <= y <= hi:
                raise InputError(src, "outcomes.years", f"year {y} is outside the study's years {lo}-{hi}")
    if isinstance(o.zones, list):
        for z in o.zones:
            if z not in world.zone_ids:
                raise unknown_name(src, "outcomes.zones", z, world.zone_ids, "zone")


def _read_table(path: Path, factors: tuple[Factor, ...]) -> pd.DataFrame:
    """The CSV design table: one column per varying factor, one row per point, values checked."""
    reader = csv.DictReader(io.StringIO(read_text(path)))
    names = [f.name for f in factors]
    cols = reader.fieldnames or []
    for c in cols:
        if c not in names:
            raise unknown_name(path, f"column '{c}'", c, names, "factor")
    for n in names:
        if n not in cols:
            raise InputError(path, f"column '{n}'", "every declared factor needs a column")
    rows = []
    for lineno, raw in enumerate(reader, start=2):
        if None in raw:
            raise InputError(path, f"line {lineno}", f"more values than the {len(cols)} columns")
        row = {}
        for f in factors:
            value = _parse_cell(raw[f.name])
            if f.integer and isinstance(value, float) and value.is_integer():
                value = int(value)
            why = f.check(value)
            if why:
                raise InputError(path, f"line {lineno}, column '{f.name}'", why)
            row[f.name] = f.canonical(value) if f.values is not None else value
        rows.append(row)
    if not rows:
        raise InputError(path, None, "the design table has no rows")
    return pd.DataFrame(rows, columns=names)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _parse_cell(text: str | None) -> Any:
    s = (text or "").strip()
    if s.lower() in ("true", "false"):
        return s.lower() == "true"
    for conv in (int, float):
        try:
            return conv(s)
        except ValueError:
            pass
    return s


def _typed(col: pd.Series, f: Factor) -> pd.Series:
    vals = list(col)
    if all(isinstance(v, bool) for v in vals):
        return col.astype(bool)
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in vals) and \
            (f.integer or f.values is not None):
        return col.astype(np.int64)
    if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in vals):
        return col.astype(np.float64)
    return col.astype(str)


def _product(grids: list[list[Any]]) -> list[tuple[Any, ...]]:
    import itertools
    return list(itertools.product(*grids))
