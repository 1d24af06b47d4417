"""Values applied on top of a (world, package): what a study point, ``sim.run(params)`` and
calibration change before a run.

A plain name (``agglomeration_elasticity``) overrides a model parameter of
:class:`sim.core.params.Params`; ``LEVER.FIELD`` (``funding_reward.budget``) re-validates that
lever's settings with the new field, adding the lever if the package lacks it. Bad values are
one :class:`~sim.core.errors.InputError` line naming ``source`` and the field.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sim.core.errors import unknown_name
from sim.policies import REGISTRY
from sim.scenario.packages import Package
from sim.scenario.world import World, validate


def configure(world: World, package: Package, values: dict[str, Any], source: str = "study") -> tuple[World, Package]:
    """(world, package) with ``values`` applied: plain names are Params overrides, ``LEVER.FIELD``
    names re-validate that lever's settings with the new field (adding the lever if the package
    lacks it). Bad values raise InputError."""
    params = {k: v for k, v in values.items() if "." not in k}
    by_lever: dict[str, dict[str, Any]] = {}
    for k, v in values.items():
        if "." in k:
            lever, fieldname = k.split(".", 1)
            by_lever.setdefault(lever, {})[fieldname] = v
    if params:
        world = world.with_params(**params)
    if by_lever:
        package = apply_levers(package, by_lever, source)
    return world, package


def apply_levers(package: Package, updates: dict[str, dict[str, Any]], source: str = "study",
                 prefix: str = "levers") -> Package:
    """``package`` with each lever's settings updated by ``updates`` ({lever: {field: value}})."""
    levers = {k: dict(v) for k, v in package.levers.items()}
    settings = dict(package.settings)
    for lever, fields in updates.items():
        if lever not in REGISTRY:
            raise unknown_name(source, f"{prefix}.{lever}", lever, REGISTRY, "lever")
        cls = REGISTRY[lever].Settings
        current = settings[lever].model_dump() if lever in settings else {}
        merged = {**current, **fields}
        settings[lever] = validate(cls, merged, source, f"{prefix}.{lever}")
        levers[lever] = {**levers.get(lever, {}), **fields}
    return dataclasses.replace(package, levers=levers, settings=settings)
