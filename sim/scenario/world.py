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
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.core.errors import InputError, did_you_mean, shown, unknown_name
from sim.core.params import MAX_YEARS, SECTORS, Params

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
EXTENSIONS = (".yaml", ".yml", ".toml", ".json")


# --------------------------------------------------------------------------------------------
# reading files
# --------------------------------------------------------------------------------------------
def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; one clear line otherwise.

    Checked before reading: a pipe would block the reader forever and a device such as
    ``/dev/zero`` never ends, so only regular files are read, and the size is taken from the file
    system before a byte is read. The file is opened non-blocking and checked again on the open
    descriptor, so a file swapped for a pipe between the two checks cannot block either."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, None, "file not found") from None
    except OSError as exc:
        raise InputError(path, None, f"cannot read the file ({exc.strerror or type(exc).__name__})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(path, None, "is a folder, expected a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(path, None, "not a regular file (a device, pipe or socket); give a file")
    if st.st_size > limit:
        raise InputError(path, None, f"file larger than {limit:,} bytes ({st.st_size:,} bytes)")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InputError(path, None, f"cannot read the file ({exc.strerror or type(exc).__name__})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(path, None, "not a regular file (a device, pipe or socket); give a file")
        chunks, size = [], 0
        while size <= limit:
            block = os.read(fd, min(1 << 20, limit + 1 - size))
            if not block:
                break
            chunks.append(block)
            size += len(block)
    except OSError as exc:
        raise InputError(path, None, f"cannot read the file ({exc.strerror or type(exc).__name__})") from None
    finally:
        os.close(fd)
    if size > limit:  # grew while being read
        raise InputError(path, None, f"file larger than {limit:,} bytes")
    return b"".join(chunks)


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The file's text as UTF-8 (BOM allowed); one clear line if missing, empty, not a regular
    file, larger than ``limit`` bytes or not UTF-8."""
    raw = read_bytes(path, limit)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, None, f"not valid UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    if not text.strip():
        raise InputError(path, None, "file is empty")
    return text


# A YAML alias (*name) repeats the node its anchor (&name) marks; nested aliases multiply, so a
# few hundred bytes can stand for 10^9 values (the "billion laughs"). Before a document is built,
# its events are read once (LibYAML's C parser where installed) and the values the aliases stand
# for are counted; past this many the file is refused. Hand-written files use few or none.
MAX_ALIAS_VALUES = 10_000
# Files of settings (worlds, packages, studies) are small; building a YAML document costs ~35 µs a
# value even with LibYAML (measured: a 2 MB list took 7 s, 38 s without LibYAML), so they are
# capped far below MAX_FILE_BYTES, which still applies to tables (CSV).
MAX_MAPPING_BYTES = 1_000_000
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_aliases(text: str) -> None:
    """Count the values the aliases of ``text`` stand for (expanded, nested ones multiplied)."""
    sizes: dict[str, int] = {}
    open_nodes: list[list[Any]] = []  # [anchor, values so far] of each open mapping or sequence
    aliased = 0
    for ev in yaml.parse(text, Loader=_YAML_LOADER):
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            open_nodes.append([ev.anchor, 1])
            continue
        if isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, n = open_nodes.pop()
            if anchor:
                sizes[anchor] = n
        elif isinstance(ev, yaml.ScalarEvent):
            n = 1
            if ev.anchor:
                sizes[ev.anchor] = 1
        elif isinstance(ev, yaml.AliasEvent):
            n = sizes.get(ev.anchor, 1)
            aliased += n
            if aliased > MAX_ALIAS_VALUES:
                raise yaml.composer.ComposerError(
                    None, None, f"aliases (*{ev.anchor}) repeat more than {MAX_ALIAS_VALUES:,} values; write the "
                                "values out", ev.start_mark)
        else:
            continue
        if open_nodes:
            open_nodes[-1][1] += n


def safe_yaml(text: str) -> Any:
    """``yaml.safe_load`` (LibYAML's where installed) with aliases capped (:data:`MAX_ALIAS_VALUES`)."""
    _check_aliases(text)
    return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


def read_mapping(path: Path) -> dict[str, Any]:
    """Parse a YAML, TOML or JSON file into a dict; syntax errors name their line."""
    text = read_text(path, MAX_MAPPING_BYTES)
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            data = safe_yaml(text)
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
    if err["type"] == "string_pattern_mismatch" and (err.get("ctx") or {}).get("pattern") == NAME_PATTERN:
        msg = "a name may hold letters, digits, '-', '_' and '.' only, and must not start with '.'"
    got = err.get("input")
    if "(got " in msg or (err["type"] == "value_error" and isinstance(got, dict)):
        # a validator's own message says what it got (or checks a whole mapping, which
        # "(got a mapping)" would not describe)
        return InputError(source, fieldname or None, msg)
    value = shown(got) if not isinstance(got, dict) else "a mapping"  # never the whole input
    return InputError(source, fieldname or None, f"{msg} (got {value})")


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

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    name: str = Field(min_length=1)
    name_zh: str = Field(min_length=1)
    city: str
    level: Literal["national", "region"]
    # false for a zone known to exist but not identified (no coordinates): the model keeps it out of
    # every distance-based rule (relocation distance cost, hosting by rule); an optional column,
    # true when absent or empty
    located: bool = True
    lon: float | None = Field(None, ge=-180, le=180, description="empty when located is false")
    lat: float | None = Field(None, ge=-90, le=90, description="empty when located is false")
    output_bn: float = Field(gt=0, le=1e5, description="CNY bn/yr")
    firms: int = Field(ge=1, le=5_000_000)
    hightech_firms: int = Field(ge=0, le=5_000_000)
    talent: float = Field(ge=0, le=1e8, description="skilled people")
    land_total_km2: float = Field(gt=0, le=1e5)
    land_developed_km2: float = Field(gt=0, le=1e5)
    platforms: float = Field(ge=0, le=1e5)
    amenity: float = Field(ge=0, le=10)
    housing_cost: float = Field(gt=0, le=1000, description="CNY k per m2")
    mgmt_efficiency: float = Field(ge=0, le=1)
    share_electronics: float = Field(ge=0, le=1)
    share_biomedicine: float = Field(ge=0, le=1)
    share_new_materials: float = Field(ge=0, le=1)
    share_advanced_manufacturing: float = Field(ge=0, le=1)
    share_traditional: float = Field(ge=0, le=1)
    source: str = Field(min_length=1)

    @field_validator("located", "lon", "lat", mode="before")
    @classmethod
    def _empty_cell(cls, v: Any, info: Any) -> Any:
        if isinstance(v, str) and not v.strip():
            return True if info.field_name == "located" else None
        return v

    @model_validator(mode="after")
    def _consistent(self) -> ZoneRow:
        if self.located and (self.lon is None or self.lat is None):
            raise ValueError("lon and lat are required for a located zone (set located to false for a zone "
                             "without a known location)")
        if not self.located and (self.lon is not None or self.lat is not None):
            raise ValueError("a zone with located false must leave lon and lat empty")
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


class Anchor(BaseModel):
    """A known large firm (from public sources) that initialisation places in its zone instead of
    one of the zone's largest random draws (sim/model/initial.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=120)
    name_zh: str = ""
    zone: str = Field(min_length=1, description="zone id of the zone table")
    sector: str = Field(min_length=1, description="one of sim.core.params.SECTORS")
    output_bn: float = Field(gt=0, le=1e4, description="CNY bn/yr in the world's start year")
    hightech: bool = Field(False, description="a certified high-tech enterprise at the start")
    source: str = Field(min_length=1, description="where the firm, its zone and its size come from")

    @field_validator("sector")
    @classmethod
    def _sector(cls, v: str) -> str:
        if v not in SECTORS:
            raise ValueError(f"unknown sector '{v}'{did_you_mean(v, SECTORS)}; allowed: {', '.join(SECTORS)}")
        return v


ANCHOR_MAX_SHARE = 0.8  # anchors may carry at most this share of their zone's output (the rest: other firms)


# Names end up in folder names (results/run-WORLD-PACKAGE-...): letters, digits and -_. only,
# not starting with a dot (so never '..' or a hidden name), short enough for any file system.
NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
NAME_FIELD = {"min_length": 1, "max_length": 80, "pattern": NAME_PATTERN}


class WorldFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str = Field(**NAME_FIELD)
    title: str = ""
    title_zh: str = ""
    start_year: int = Field(2021, ge=1900, le=2200)
    years: int = Field(20, ge=1, le=MAX_YEARS)
    zones: str = Field(min_length=1, description="path of the zone table CSV, relative to the world file")
    sources: str | None = Field(None, min_length=1, description="path of the per-cell source table CSV "
                                "(columns zone, column, source), relative to the world file")
    anchors: tuple[Anchor, ...] = Field((), description="known large firms placed at initialisation")
    params_from: str | None = Field(None, min_length=1, description="another world file whose params: block "
                                    "this world uses (its own params: override it), relative to this file")
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
    anchors: tuple[Anchor, ...] = ()
    # (zone id, column) -> where the cell's figure comes from, or "estimate: how"; empty when the
    # world file names no source table
    sources: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def zone_ids(self) -> list[str]:
        return [z.id for z in self.zones]

    def with_params(self, **overrides: Any) -> World:
        """A copy with some parameters replaced (validated like a file's ``params:``)."""
        from dataclasses import replace

        merged = {**self.param_overrides, **overrides}
        params = validate(Params, merged, self.source, "params")
        return replace(self, params=params, param_overrides=merged)


# columns of a zone table that carry figures (every one needs a source in a source table)
SOURCED_COLUMNS: tuple[str, ...] = tuple(c for c in ZoneRow.model_fields if c not in ("id", "source"))


def check_anchors(anchors: tuple[Anchor, ...], zones: tuple[ZoneRow, ...], source: str | Path) -> None:
    """Anchors name known zones, have unique names, and leave room for the zone's other firms."""
    by_id = {z.id: z for z in zones}
    names: set[str] = set()
    for k, a in enumerate(anchors):
        if a.zone not in by_id:
            raise unknown_name(source, f"anchors[{k}].zone", a.zone, by_id, "zone")
        if a.name in names:
            raise InputError(source, f"anchors[{k}].name", f"anchor '{a.name}' is listed twice")
        names.add(a.name)
    for z in zones:
        mine = [a for a in anchors if a.zone == z.id]
        total = sum(a.output_bn for a in mine)
        if mine and total > ANCHOR_MAX_SHARE * z.output_bn:
            raise InputError(source, "anchors", f"anchors in zone '{z.id}' produce {total:g} CNY bn, more than "
                                                f"{ANCHOR_MAX_SHARE:.0%} of the zone's output_bn ({z.output_bn:g})")
        if len(mine) > z.firms:
            raise InputError(source, "anchors", f"zone '{z.id}' has more anchors than firms ({z.firms})")
        certified = sum(a.hightech for a in mine)
        if certified > z.hightech_firms:
            raise InputError(source, "anchors", f"zone '{z.id}' has {certified} certified anchors but "
                                                f"hightech_firms is {z.hightech_firms}")


def read_source_table(path: Path, zones: tuple[ZoneRow, ...]) -> dict[tuple[str, str], str]:
    """The per-cell source table: one row (zone, column, source) for every figure of the zone table,
    no more, no less; a source is a citation or starts with "estimate:" and says how."""
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    want = ["zone", "column", "source"]
    if (reader.fieldnames or []) != want:
        raise InputError(path, "header", f"expected the columns {', '.join(want)}")
    ids = [z.id for z in zones]
    out: dict[tuple[str, str], str] = {}
    for lineno, raw in enumerate(reader, start=2):
        if None in raw or any(v is None for v in raw.values()):
            raise InputError(path, f"line {lineno}", "expected exactly 3 values: zone, column, source")
        zone, col, src = (raw[k].strip() for k in want)
        if zone not in ids:
            raise unknown_name(path, f"line {lineno}.zone", zone, ids, "zone")
        if col not in SOURCED_COLUMNS:
            raise unknown_name(path, f"line {lineno}.column", col, SOURCED_COLUMNS, "column")
        if not src or src.lower().rstrip(":") == "estimate":
            raise InputError(path, f"line {lineno}.source", "empty: give a source, or 'estimate: how it was made'")
        if (zone, col) in out:
            raise InputError(path, f"line {lineno}", f"{zone}.{col} has a source already")
        out[(zone, col)] = src
    missing = next(((z, c) for z in ids for c in SOURCED_COLUMNS if (z, c) not in out), None)
    if missing:
        raise InputError(path, None, f"no source for {missing[0]}.{missing[1]}: every cell of the zone table needs one")
    return out


OPTIONAL_COLUMNS = ("located",)  # a zone table may leave these out (defaults in ZoneRow)


def read_zone_table(path: Path) -> tuple[ZoneRow, ...]:
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    fields = reader.fieldnames or []
    allowed = list(ZoneRow.model_fields)
    for name in fields:
        if name not in allowed:
            raise InputError(path, f"column '{name}'", f"unknown column{did_you_mean(name, allowed)}; "
                                                       f"allowed: {', '.join(allowed)}")
    missing = [n for n in allowed if n not in fields and n not in OPTIONAL_COLUMNS]
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
    if p.suffix.lower() in EXTENSIONS or p.exists() or len(p.parts) > 1:
        return p
    for ext in EXTENSIONS:
        cand = folder / f"{name_or_path}{ext}"
        if cand.exists():
            return cand
    names = sorted(q.stem for q in folder.glob("*.y*ml")) + sorted(q.stem for q in folder.glob("*.toml"))
    raise InputError(str(name_or_path), None, f"no such {what}{did_you_mean(str(name_or_path), names)}; "
                                              f"bundled: {', '.join(names)}")


def bundled_names(folder: Path) -> list[str]:
    """The names of the bundled files in ``folder`` (worlds or packages)."""
    return sorted({q.stem for ext in EXTENSIONS for q in folder.glob(f"*{ext}")
                   if q.is_file() and re.fullmatch(NAME_PATTERN, q.stem)})


def bundled(name: Any, folder: Path, what: str) -> Path:
    """The bundled file of that name, and nothing else: for values from a browser, which must never
    name a path on the server. Unknown names (or anything not a string) are one InputError line."""
    names = bundled_names(folder)
    if not isinstance(name, str) or name not in names:
        raise InputError(shown(name) if not isinstance(name, str) else name[:80], what,
                         f"not a bundled {what}; choose one of: {', '.join(names)}")
    return next(folder / f"{name}{ext}" for ext in EXTENSIONS if (folder / f"{name}{ext}").is_file())


def load_world(name_or_path: str | Path = DEFAULT_WORLD) -> World:
    """A bundled world by name, a world file, or ``synthetic:ZONES,FIRMS,PEOPLE`` (sim/synthetic.py)."""
    if isinstance(name_or_path, str) and name_or_path.startswith("synthetic:"):
        from sim.scenario.synthetic import parse

        return parse(name_or_path)
    path = resolve(name_or_path, WORLDS, "world")
    spec = validate(WorldFile, read_mapping(path), path)
    overrides = dict(spec.params)
    if spec.params_from:
        base = path.parent / spec.params_from
        if base.resolve() == path.resolve():
            raise InputError(path, "params_from", "names the world file itself")
        inherited = read_mapping(base).get("params") or {}
        if not isinstance(inherited, dict):
            raise InputError(base, "params", "expected a mapping of parameter names to values")
        overrides = {**inherited, **overrides}
    params = validate(Params, overrides, path, "params")
    zones = read_zone_table((path.parent / spec.zones))
    check_anchors(spec.anchors, zones, path)
    sources = read_source_table(path.parent / spec.sources, zones) if spec.sources else {}
    return World(spec.name, spec.title, spec.title_zh, spec.start_year, spec.years, zones, params, str(path),
                 overrides, spec.anchors, sources)
