"""Measure packages: files that switch levers on, off and tune them, with ``extends``.

A package file (``scenarios/packages/NAME.yaml``)::

    name: land-by-output
    title: Land quota by output per unit of land
    extends: baseline            # optional: start from another package
    levers:
      land_allocation: {rule: output_per_land}
      funding_reward: null       # null switches off a lever the base package has

Levers are applied in the order they first appear along the ``extends`` chain. Settings of a
lever named in both the base and the child are merged key by key (child wins).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sim.core.errors import InputError, unknown_name
from sim.policies import REGISTRY, Lever
from sim.scenario.world import DEFAULT_PACKAGE, EXTENSIONS, NAME_FIELD, PACKAGES, read_mapping, resolve, validate


class PackageFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str = Field(**NAME_FIELD)
    title: str = ""
    title_zh: str = ""
    description: str = ""
    extends: str | None = None
    levers: dict[str, dict[str, Any] | None] = Field(default_factory=dict)


@dataclass(frozen=True)
class Package:
    """A resolved package: the merged lever settings (validated), and where they came from."""

    name: str
    title: str
    title_zh: str
    description: str
    levers: dict[str, dict[str, Any]]
    chain: tuple[str, ...] = ()
    source: str = ""
    settings: dict[str, Any] = field(default_factory=dict, compare=False)

    def build(self) -> list[Lever]:
        """Fresh lever objects for one model run (levers keep per-run state)."""
        return [REGISTRY[name](self.settings[name]) for name in self.levers]

    def check_horizon(self, years: int) -> None:
        """One InputError line if a lever's settings cannot act within ``years`` (e.g. a delisting
        window longer than the run)."""
        for name in self.levers:
            got = REGISTRY[name].horizon_error(self.settings[name], years)
            if got is not None:
                raise InputError(self.source or self.name, f"levers.{name}.{got[0]}", got[1])

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "title_zh": self.title_zh,
                "description": self.description, "extends_chain": list(self.chain),
                "levers": {k: self.settings[k].model_dump(mode="json") for k in self.levers}}


def load_package(name_or_path: str | Path = DEFAULT_PACKAGE, _seen: tuple[str, ...] = ()) -> Package:
    path = resolve(name_or_path, PACKAGES, "package")
    key = str(path.resolve())
    if key in _seen:
        raise InputError(path, "extends", "circular 'extends' chain")
    spec = validate(PackageFile, read_mapping(path), path)
    levers: dict[str, dict[str, Any]] = {}
    chain: tuple[str, ...] = ()
    if spec.extends:
        try:
            parent = extends_path(spec.extends, path)
        except InputError as exc:  # name the file and the field that named the missing package
            raise InputError(path, "extends", f"{spec.extends!r}: {exc.message}") from None
        base = load_package(parent, _seen + (key,))
        levers = {k: dict(v) for k, v in base.levers.items()}
        chain = base.chain
    for name, settings in spec.levers.items():
        if name not in REGISTRY:
            raise unknown_name(path, f"levers.{name}", name, REGISTRY, "lever")
        if settings is None:
            levers.pop(name, None)
        else:
            levers[name] = {**levers.get(name, {}), **settings}
    built = {name: validate(REGISTRY[name].Settings, levers[name], path, f"levers.{name}") for name in levers}
    return Package(spec.name, spec.title or spec.name, spec.title_zh or spec.title or spec.name, spec.description,
                   levers, chain + (spec.name,), str(path), built)


def extends_path(extends: str, path: Path) -> Path:
    """The file ``extends`` names, resolved beside the package file that names it (never against
    the working folder, so the same command picks the same parent wherever it runs): a file name
    or relative path is taken from the package's folder; a bare name is a package file in that
    folder if there is one, else a bundled package."""
    p = Path(extends)
    if p.suffix.lower() in EXTENSIONS or len(p.parts) > 1:
        return path.parent / p
    for ext in EXTENSIONS:
        if (path.parent / f"{extends}{ext}").is_file():
            return path.parent / f"{extends}{ext}"
    return resolve(extends, PACKAGES, "package")


def empty_package() -> Package:
    """No levers at all: the model's own defaults (land by demand, no rewards, no delisting)."""
    return Package("none", "no levers", "无政策", "", {}, ("none",), "", {})
