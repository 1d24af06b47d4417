"""Area 2, innovation capability (创新能力): talent subsidies, platform building, technology transfer.

``talent_subsidy`` — ``start_year``: the region pays ``amount`` (CNY k per skilled person per
year) to the talent of the targeted zones (``subsidy_extra``, which enters the talent location
logit next to the zone's own subsidy); ``end_year`` books its cost (amount x head-count) as
``region_support``. Zones without perks get nothing.

``platform_building`` — ``start_year``: the region co-funds ``budget`` CNY m a year of innovation
platforms in the targeted zones, split ``equal``, by ``output`` or by ``need`` (fewest platforms
first, in inverse proportion); platforms = money / ``params.platform_cost``;
``end_year`` books the money as ``region_support``. The platforms' effect
on innovation and start-ups is the model's (log of the stock: diminishing returns).

``tech_transfer`` — ``start_year``: the targeted zones' innovation rate (``innovation_mult``) is
multiplied by ``1 + gain``: faster transfer of research results into firms' innovations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field

from sim.core.units import m_from_k
from sim.policies._common import TARGETS_DOC, Contribution, Targeted
from sim.policies.base import LeverSettings

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


class TalentSubsidy(Targeted):
    name = "talent_subsidy"
    area = 2
    title = "Talent subsidies paid by the region"

    class Settings(LeverSettings):
        amount: float = Field(20.0, ge=0.0, le=10_000.0, description="CNY k per skilled person per year (estimate: "
                              "housing/living allowances for graduates in Guangxi cities, ~CNY 10-30 k)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.part = Contribution("subsidy_extra", "add")
        self.cost = 0.0

    def plan_cost(self, model: ZoneModel) -> float:  # the region's budget (sim/agents/government.py)
        return float(np.sum(np.where(self.mask(model), m_from_k(self.settings.amount * model.talent_by_zone()), 0.0)))

    def start_year(self, model: ZoneModel) -> None:
        self.part.set(model, np.where(self.mask(model), self.settings.amount * self.funding, 0.0))

    def end_year(self, model: ZoneModel) -> None:
        cost = m_from_k(self.part.values(model.n_zone_slots) * model.talent_by_zone())  # CNY k x people
        model.flows["region_support"] += cost
        self.cost += float(cost.sum())

    def summary(self) -> dict[str, Any]:
        return {"cost_cny_m": self.cost}


class PlatformBuilding(Targeted):
    name = "platform_building"
    area = 2
    title = "Region co-funding of innovation platforms"

    class Settings(LeverSettings):
        budget: float = Field(200.0, ge=0.0, le=1_000_000.0, description="CNY m per year (estimate: Guangxi's innovation-"
                              "platform funds are of the order of CNY 100s of m a year)")
        split: Literal["equal", "output", "need"] = Field("equal", description="how the budget is split "
                                                          "among the targeted zones")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.spent = 0.0

    def plan_cost(self, model: ZoneModel) -> float:  # the region's budget (sim/agents/government.py)
        return self.settings.budget

    def start_year(self, model: ZoneModel) -> None:
        zs, m = model.zones, self.mask(model)
        if not m.any() or self.settings.budget <= 0:
            return
        if self.settings.split == "equal":
            w = m.astype(float)
        elif self.settings.split == "output":
            w = np.where(m, zs.output_prev, 0.0)
        else:
            w = np.where(m, 1.0 / (1.0 + zs.platforms), 0.0)
        if w.sum() <= 0:
            return
        money = self.settings.budget * self.funding * w / w.sum()
        zs.platforms += money / model.params.platform_cost
        model.flows["region_support"] += money  # the year's flows were reset before start_year
        self.spent += float(money.sum())

    def summary(self) -> dict[str, Any]:
        return {"spent_cny_m": self.spent}


class TechTransfer(Targeted):
    name = "tech_transfer"
    area = 2
    title = "Faster transfer of research results"

    class Settings(LeverSettings):
        gain: float = Field(0.15, ge=0.0, le=5.0, description="rise in the innovation rate (share; estimate)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.part = Contribution("innovation_mult", "mul")

    def start_year(self, model: ZoneModel) -> None:
        self.part.set(model, np.where(self.mask(model, perks=False), 1.0 + self.settings.gain, 1.0))
