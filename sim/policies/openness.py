"""Area 4, open innovation (开放创新) beyond hosting: attraction of firms from outside Guangxi.

``outside_attraction`` — ``start_year``: the targeted zones' expected arrivals of outside firms
(``arrival_mult``) are multiplied by ``1 + gain`` (investment promotion, one-stop services); this
raises the region's total arrivals as well as the targeted zones' share. ``end_year`` books
``cost_per_arrival`` for each arrival in a targeted zone as ``region_support``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field

from sim.policies._common import TARGETS_DOC, Contribution, Targeted
from sim.policies.base import LeverSettings

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


class OutsideAttraction(Targeted):
    name = "outside_attraction"
    area = 4
    title = "Attraction of firms from outside the region"
    intent = ("arrivals", 1)

    class Settings(LeverSettings):
        gain: float = Field(0.3, ge=0.0, le=10.0, description="rise in expected arrivals (share; estimate)")
        cost_per_arrival: float = Field(0.5, ge=0.0, le=10_000.0, description="CNY m of promotion and incentives per "
                                        "arriving firm (estimate)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.part = Contribution("arrival_mult", "mul")
        self.cost = 0.0

    def plan_cost(self, model: ZoneModel) -> None:  # the region's budget estimates it from last year
        return None

    def start_year(self, model: ZoneModel) -> None:
        self.part.set(model, np.where(self.mask(model, perks=False), 1.0 + self.settings.gain * self.funding, 1.0))

    def end_year(self, model: ZoneModel) -> None:
        cost = np.where(self.part.values(model.n_zone_slots) > 1.0, model.flows["arrivals"], 0.0) * \
            self.settings.cost_per_arrival * self.funding
        model.flows["region_support"] += cost
        self.cost += float(cost.sum())

    def summary(self) -> dict[str, Any]:
        return {"cost_cny_m": self.cost}
