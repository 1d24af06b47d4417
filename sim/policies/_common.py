"""Helpers shared by the levers: which zones a lever targets, who has perks, and how several
levers move the same zone column without overwriting each other."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from sim.agents.zone import DELISTED, NATIONAL, REGION
from sim.core.errors import InputError
from sim.policies.base import Lever

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel

CLASS_WORDS = {"all": None, "national": NATIONAL, "region": REGION}
TARGETS_DOC = ("zones the measure applies to: 'all', 'national', 'region' (by the zone's current class) "
               "or zone ids; a delisted zone is never targeted")


def check_zone_ids(model: ZoneModel, lever: str, field: str, names: Sequence[str], words: bool = True) -> None:
    """InputError naming the lever's setting if a zone id is not in the world."""
    known = set(model.zone_ids)
    for n in names:
        if (words and n in CLASS_WORDS) or n in known:
            continue
        allowed = (sorted(CLASS_WORDS) if words else []) + sorted(known)
        raise InputError("package", f"levers.{lever}.{field}", f"unknown zone '{n}'; allowed: {', '.join(allowed)}")


def target_mask(model: ZoneModel, targets: Sequence[str]) -> np.ndarray:
    """Boolean mask over zone slots: live, not delisted, and named by ``targets``."""
    zs = model.zones
    listed = zs.alive & (zs.level != DELISTED)
    if len(targets) == 1 and targets[0] == "all":  # the usual case: every listed zone
        return listed
    mask = np.zeros(zs.capacity, dtype=bool)
    ids = None  # zone id -> slot, built only when a target names zones (most levers say "all")
    for t in targets:
        if t in CLASS_WORDS:
            lv = CLASS_WORDS[t]
            if lv is None:
                mask[:] = True
            else:
                mask |= zs.level == lv
        else:
            if ids is None:
                ids = {z: i for i, z in enumerate(model.zone_ids)}
            if t in ids:
                mask[ids[t]] = True
    return mask & listed


def has_perks(model: ZoneModel) -> np.ndarray:
    """Zones entitled to rewards, land priority and region support: live, listed, not suspended."""
    zs = model.zones
    return zs.alive & (zs.level != DELISTED) & (zs.perks_lost <= 0)


def zero_nan(values: np.ndarray) -> np.ndarray:
    """``np.nan_to_num(values, nan=0.0)`` of a float array: a new array with the same values (NaN 0,
    infinities the largest finite floats). numpy's function, about ten calls, only when a value is
    not finite: zone scores almost never are, and on 14 zones the calls were the cost (issue 19)."""
    if np.isfinite(values).all():
        return values.copy()
    return np.nan_to_num(values, nan=0.0)


def pad(values: np.ndarray | None, n: int, fill: float) -> np.ndarray:
    """``values`` extended with ``fill`` to length ``n`` (zones created during the run)."""
    if values is None:
        return np.full(n, fill, dtype=float)
    if values.size >= n:
        return values[:n]
    return np.concatenate([values, np.full(n - values.size, fill)])


class Contribution:
    """One lever's part of a zone column that several levers may move (e.g. ``innovation_mult``):
    multiplicative (``mul``) or additive (``add``). Setting a new value replaces only this lever's
    previous part, so levers compose in any order."""

    def __init__(self, column: str, mode: Literal["mul", "add"]) -> None:
        self.column, self.mode = column, mode
        self.current: np.ndarray | None = None

    def set(self, model: ZoneModel, values: np.ndarray | float) -> None:
        col = getattr(model.zones, self.column)
        n = col.size
        neutral = 1.0 if self.mode == "mul" else 0.0
        new = np.array(np.broadcast_to(np.asarray(values, dtype=float), (n,)))
        old = pad(self.current, n, neutral)
        if self.mode == "mul":
            col[:] = col / old * new
        else:
            col[:] = col - old + new
        self.current = new

    def values(self, n: int) -> np.ndarray:
        """This lever's current part over ``n`` zone slots (neutral for slots added since)."""
        return pad(self.current, n, 1.0 if self.mode == "mul" else 0.0)


class Targeted(Lever):
    """A measure applied to a set of zones (its ``zones`` setting), checked against the world."""

    def setup(self, model: ZoneModel) -> None:
        check_zone_ids(model, self.name, "zones", self.settings.zones)

    def mask(self, model: ZoneModel, perks: bool = True) -> np.ndarray:
        m = target_mask(model, self.settings.zones)
        # has_perks less what target_mask already required (live, listed): the same mask
        return m & (model.zones.perks_lost <= 0) if perks else m
