"""Helpers for lever tests: build a model with given levers, and force a zone's rank."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.zonemodel import ZoneModel
from sim.policies import REGISTRY, Lever


def build(name: str, **settings):
    """A lever from the registry, its settings validated like a package file's."""
    cls = REGISTRY[name]
    return cls(cls.Settings.model_validate(settings))


class ForceRank(Lever):
    """Test lever: after each evaluation, put ``zone`` at the bottom (or top) of its class, for the
    years in ``years`` (1-based model steps; None = every year). Put it first in the lever list so
    later levers see the forced ranks."""

    name = "force_rank"

    def __init__(self, zone: str, where: str = "bottom", years: set[int] | None = None) -> None:
        super().__init__(None)
        self.zone, self.where, self.years = zone, where, years

    def after_evaluation(self, model) -> None:
        if self.years is not None and model.steps not in self.years:
            return
        zs = model.zones
        z = model.zone_ids.index(self.zone)
        zs.score[z] = -1.0 if self.where == "bottom" else 1000.0
        members = np.flatnonzero(zs.alive & (zs.level == zs.level[z]))
        order = members[np.lexsort((members, -zs.score[members]))]
        zs.rank[order] = np.arange(1, order.size + 1)


@pytest.fixture
def make(world):
    def _make(*levers, seed: int = 1, **overrides):
        return ZoneModel(world=world, levers=list(levers), rng=seed, **overrides)
    return _make


def run(world, levers, years: int = 3, seed: int = 3, **kwargs) -> ZoneModel:
    """A model of ``world`` with ``levers``, stepped ``years`` times (keyword arguments go to ZoneModel)."""
    m = ZoneModel(world=world, levers=list(levers), rng=seed, **kwargs)
    for _ in range(years):
        m.step()
    return m


@pytest.fixture(scope="module")
def base(world):
    """The baseline (no levers) after 3 years, shared by a module's tests."""
    return run(world, [])


def by_key(m, column: str) -> dict:
    """A firm column as {permanent key: value}, to compare the same firms across runs."""
    f = m.firms
    return dict(zip(f.key[:f.n].tolist(), getattr(f, column)[:f.n].tolist()))
