"""Load and validate worlds and measure packages; every failure is one InputError line.

A *world* (``scenarios/worlds/NAME.yaml`` + its zone table CSV) is the region at year 0 and the
model parameters. A *package* (``scenarios/packages/NAME.yaml``) is a set of levers with their
settings; it may ``extends`` another package and override only what differs. A *scenario* is a
world plus a package, resolved into plain validated objects; nothing here touches the model.
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.core.errors import InputError, did_you_mean
from sim.core.params import SECTORS, Params

PACKAGE = Path(__file__).resolve().parents[1]  # sim/
ROOT = PACKAGE.parent
# The bundled scenarios: shipped inside the package by a wheel (sim/_scenarios, copied by setup.py's
# build step), else scenarios/ at the top of the checkout (source tree, editable install).
SCENARIOS = PACKAGE / "_scenarios" if (PACKAGE / "_scenarios").is_dir() else ROOT / "scenarios"
WORLDS = SCENARIOS / "worlds"
PACKAGES = SCENARIOS / "packages"
DEFAULT_WORLD = "guangxi"
DEFAULT_PACKAGE = "baseline"
MAX_FILE_BYTES = 20_000_000


# --------------------------------------------------------------------------------------------
# reading files
# --------------------------------------------------------------------------------------------
def read_text(path: Path) -> str:
    """The file's text as UTF-8 (BOM allowed); one clear line if missing, empty or not UTF-8."""
    if not path.exists():
        raise InputError(path, None, "file not found")
    if path.is_dir():
        raise InputError(path, None, "is a folder, expected a file")
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(path, None, f"file larger than {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, None, f"not valid UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    if not text.strip():
        raise InputError(path, None, "file is empty")
    return text


def read_mapping(path: Path) -> dict[str, Any]:
    """Parse a YAML, TOML or JSON file into a dict; syntax errors name their line."""
    text = read_text(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(path, None, f"YAML syntax error: {line}{problem}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, None, f"TOML syntax error: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, None, f"JSON syntax error: line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(path, None, "nesting too deep") from None
    if not isinstance(data, dict):
        raise InputError(path, None, f"expected a mapping of fields at the top, got {type(data).__name__}")
    return data


def validate(model: type[BaseModel], data: Any, source: str | Path, prefix: str = "") -> Any:
    """``model.model_validate(data)``, turning the first pydantic error into one InputError line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise pydantic_error(exc, source, prefix, model) from None


def pydantic_error(exc: ValidationError, source: str | Path, prefix: str, model: type[BaseModel]) -> InputError:
    err = exc.errors()[0]
    loc = [str(x) for x in err["loc"]]
    fieldname = ".".join(([prefix] if prefix else []) + loc)
    if err["type"] == "extra_forbidden":
        allowed = _allowed_names(model, err["loc"][:-1])
        hint = did_you_mean(loc[-1], allowed) if allowed else ""
        extra = f"; allowed: {', '.join(allowed)}" if allowed and len(allowed) <= 40 else ""
        return InputError(source, fieldname, f"unknown field{hint}{extra}")
    msg = err["msg"].removeprefix("Value error, ")
    got = err.get("input")
    shown = repr(got) if not isinstance(got, dict) else "a mapping"
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return InputError(source, fieldname or None, f"{msg} (got {shown})")


def _allowed_names(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the (nested) pydantic model at ``loc``, for 'did you mean' hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        ann = fields[part].annotation
        current = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
        if current is None:
            return []
    return sorted(getattr(current, "model_fields", {}))


# --------------------------------------------------------------------------------------------
# worlds
# --------------------------------------------------------------------------------------------
class ZoneRow(BaseModel):
    """One row of a world's zone table; units in docs/parameters.md ('Zone table')."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    name: str = Field(min_length=1)
    name_zh: str = Field(min_length=1)
    city: str
    level: Literal["national", "region"]
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    output_bn: float = Field(gt=0, le=1e5, description="CNY bn/yr")
    firms: int = Field(ge=1, le=5_000_000)
    hightech_firms: int = Field(ge=0)
    talent: float = Field(ge=0, le=1e8, description="skilled people")
    land_total_km2: float = Field(gt=0, le=1e5)
    land_developed_km2: float = Field(gt=0)
    platforms: float = Field(ge=0)
    amenity: float = Field(ge=0, le=10)
    housing_cost: float = Field(gt=0, le=1000, description="CNY k per m2")
    mgmt_efficiency: float = Field(ge=0, le=1)
    share_electronics: float = Field(ge=0, le=1)
    share_biomedicine: float = Field(ge=0, le=1)
    share_new_materials: float = Field(ge=0, le=1)
    share_advanced_manufacturing: float = Field(ge=0, le=1)
    share_traditional: float = Field(ge=0, le=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ZoneRow:
        if self.hightech_firms > self.firms:
            raise ValueError("hightech_firms must not exceed firms")
        if self.land_developed_km2 > self.land_total_km2:
            raise ValueError("land_developed_km2 must not exceed land_total_km2")
        total = sum(self.sector_shares)
        if abs(total - 1.0) > 0.01:
            raise ValueError(f"sector shares must sum to 1 (they sum to {total:.3f})")
        return self

    @property
    def sector_shares(self) -> tuple[float, ...]:
        return tuple(getattr(self, f"share_{s}") for s in SECTORS)


class WorldFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    title: str = ""
    title_zh: str = ""
    start_year: int = Field(2021, ge=1900, le=2200)
    years: int = Field(20, ge=1, le=500)
    zones: str = Field(min_length=1, description="path of the zone table CSV, relative to the world file")
    params: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class World:
    """A validated world: zone rows, parameters, default horizon, where it came from."""

    name: str
    title: str
    title_zh: str
    start_year: int
    years: int
    zones: tuple[ZoneRow, ...]
    params: Params
    source: str
    param_overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def zone_ids(self) -> list[str]:
        return [z.id for z in self.zones]

    def with_params(self, **overrides: Any) -> World:
        """A copy with some parameters replaced (validated like a file's ``params:``)."""
        merged = {**self.param_overrides, **overrides}
        params = validate(Params, merged, self.source, "params")
        return World(self.name, self.title, self.title_zh, self.start_year, self.years, self.zones,
                     params, self.source, merged)


def read_zone_table(path: Path) -> tuple[ZoneRow, ...]:
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    fields = reader.fieldnames or []
    allowed = list(ZoneRow.model_fields)
    for name in fields:
        if name not in allowed:
            raise InputError(path, f"column '{name}'", f"unknown column{did_you_mean(name, allowed)}; "
                                                       f"allowed: {', '.join(allowed)}")
    missing = [n for n in allowed if n not in fields]
    if missing:
        raise InputError(path, f"column '{missing[0]}'", "required column is missing")
    rows = []
    for lineno, raw in enumerate(reader, start=2):
        if None in raw:
            raise InputError(path, f"line {lineno}", f"more values than the {len(fields)} columns")
        data = {k: (v.strip() if isinstance(v, str) else v) for k, v in raw.items()}
        rows.append(validate(ZoneRow, data, path, f"line {lineno} ({data.get('id') or '?'})"))
    if not rows:
        raise InputError(path, None, "the zone table has no rows")
    ids = [r.id for r in rows]
    dup = next((i for i in ids if ids.count(i) > 1), None)
    if dup:
        raise InputError(path, "id", f"zone id '{dup}' appears twice; ids must be unique")
    return tuple(rows)


def resolve(name_or_path: str | Path, folder: Path, what: str) -> Path:
    """A bundled name (``guangxi``) or a path to a file; unknown names list the bundled ones."""
    p = Path(name_or_path)
    if p.suffix.lower() in (".yaml", ".yml", ".toml", ".json") or p.exists() or len(p.parts) > 1:
        return p
    for ext in (".yaml", ".yml", ".toml", ".json"):
        cand = folder / f"{name_or_path}{ext}"
        if cand.exists():
            return cand
    names = sorted(q.stem for q in folder.glob("*.y*ml")) + sorted(q.stem for q in folder.glob("*.toml"))
    raise InputError(str(name_or_path), None, f"no such {what}{did_you_mean(str(name_or_path), names)}; "
                                              f"bundled: {', '.join(names)}")


def load_world(name_or_path: str | Path = DEFAULT_WORLD) -> World:
    """A bundled world by name, a world file, or ``synthetic:ZONES,FIRMS,PEOPLE`` (sim/synthetic.py)."""
    if isinstance(name_or_path, str) and name_or_path.startswith("synthetic:"):
        from sim.scenario.synthetic import parse

        return parse(name_or_path)
    path = resolve(name_or_path, WORLDS, "world")
    spec = validate(WorldFile, read_mapping(path), path)
    params = validate(Params, spec.params, path, "params")
    zones = read_zone_table((path.parent / spec.zones))
    return World(spec.name, spec.title, spec.title_zh, spec.start_year, spec.years, zones, params, str(path),
                 dict(spec.params))
