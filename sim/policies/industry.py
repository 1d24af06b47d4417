"""Area 3, high-tech industry (高新技术产业): incubators / start-up support, certification support.

``incubators`` — ``start_year``: the targeted zones' start-up rate (``startup_mult``) is
multiplied by ``1 + gain`` (incubators, maker spaces, seed funds); ``end_year`` books
``cost_per_startup`` for each start-up of the year as ``region_support``.

``certification_support`` — ``start_year``: the chance that a qualifying firm of a targeted zone
obtains high-tech certification in a year (``certification_mult``) is multiplied by ``1 + gain``
(application guidance and awards); ``end_year`` books ``award`` per net new certified firm of
the zone as ``region_support``. The R&D and IP requirements themselves are unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field

from sim.core.kernels import group_sum
from sim.policies._common import TARGETS_DOC, Contribution, Targeted
from sim.policies.base import LeverSettings

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


class Incubators(Targeted):
    name = "incubators"
    area = 3
    title = "Incubators and start-up support"
    intent = ("startups", 1)

    class Settings(LeverSettings):
        gain: float = Field(0.3, ge=0.0, le=10.0, description="rise in the start-up rate (share; estimate)")
        cost_per_startup: float = Field(0.2, ge=0.0, le=10_000.0, description="CNY m of region support per start-up "
                                        "(estimate: incubation and seed support)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.part = Contribution("startup_mult", "mul")
        self.cost = 0.0

    def plan_cost(self, model: ZoneModel) -> None:  # the region's budget estimates it from last year
        return None

    def start_year(self, model: ZoneModel) -> None:
        self.part.set(model, np.where(self.mask(model), 1.0 + self.settings.gain * self.funding, 1.0))

    def end_year(self, model: ZoneModel) -> None:
        cost = np.where(self.part.values(model.n_zone_slots) > 1.0, model.flows["startups"], 0.0) * \
            self.settings.cost_per_startup * self.funding
        model.flows["region_support"] += cost
        self.cost += float(cost.sum())

    def summary(self) -> dict[str, Any]:
        return {"cost_cny_m": self.cost}


class CertificationSupport(Targeted):
    name = "certification_support"
    area = 3
    title = "Support for high-tech enterprise certification"
    intent = ("hightech_firms", 1)

    class Settings(LeverSettings):
        gain: float = Field(0.5, ge=0.0, le=10.0, description="rise in the yearly certification chance of a "
                            "qualifying firm (share; estimate)")
        award: float = Field(0.2, ge=0.0, le=10_000.0, description="CNY m per newly certified firm (estimate: provincial "
                             "awards of CNY 0.1-0.3 m per first certification)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.part = Contribution("certification_mult", "mul")
        self.cost = 0.0
        self.before: np.ndarray | None = None

    def _certified(self, model: ZoneModel) -> np.ndarray:
        f = model.firms  # compact: the live firms are slots 0 .. n-1
        return group_sum(f.zone[:f.n], f.hightech[:f.n].astype(np.float64), model.n_zone_slots)

    def plan_cost(self, model: ZoneModel) -> None:  # the region's budget estimates it from last year
        return None

    def start_year(self, model: ZoneModel) -> None:
        self.part.set(model, np.where(self.mask(model), 1.0 + self.settings.gain * self.funding, 1.0))
        self.before = self._certified(model)

    def end_year(self, model: ZoneModel) -> None:
        after = self._certified(model)
        before = np.concatenate([self.before, np.zeros(after.size - self.before.size)])
        cost = np.where(self.part.values(after.size) > 1.0, np.maximum(after - before, 0.0), 0.0) * \
            self.settings.award * self.funding
        model.flows["region_support"] += cost
        self.cost += float(cost.sum())

    def summary(self) -> dict[str, Any]:
        return {"cost_cny_m": self.cost}
