"""Area 5, development environment (发展环境): management reform, fiscal autonomy, technology
finance, a green constraint. (Land allocation, also area 5, is ``land_allocation``.)

``management_reform`` — post-based management, performance pay, devolved economic powers and a
direct channel to regional departments, modelled as management efficiency: ``start_year`` moves
each targeted zone's ``mgmt_eff`` a share ``speed`` of the way to ``target``. Efficiency scales
the zone's service effect and how much land it can develop.

``fiscal_autonomy`` — first-level fiscal authority: ``start_year`` sets the targeted zones'
``tax_share`` (share of tax raised they keep) to ``share`` (to the world's ``zone_tax_share``
plus the region's funded share of the difference, when the region's budget cannot fund all its
measures); zones without perks keep the world's ``zone_tax_share``. The revenue the region
forgoes counts against the region's budget (planned from last year's tax raised) and is booked
as ``region_support`` at ``end_year``. Zones keeping more tax have more to spend, and their
committees value output more (retained tax).

``tech_finance`` — technology finance (loans, guarantees, risk compensation): ``start_year`` sets
the targeted zones' ``credit``, the share of loss-driven firm exits averted.

``green_constraint`` — energy-intensive growth capped: ``start_year`` sets the targeted zones'
``growth_cap``, the most log-employment growth a firm of an energy-intensive sector (new
materials, traditional industry: ``sim.agents.enterprise.ENERGY_INTENSIVE``) may take in a year;
other sectors grow freely.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field

from sim.policies._common import TARGETS_DOC, Contribution, Targeted
from sim.policies.base import LeverSettings

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


class ManagementReform(Targeted):
    name = "management_reform"
    area = 5
    title = "Performance pay and devolved powers (management efficiency)"

    class Settings(LeverSettings):
        target: float = Field(0.85, ge=0.0, le=1.0, description="management efficiency the reform aims at "
                              "(0..1; the best zones start at 0.75; estimate)")
        speed: float = Field(0.15, ge=0.0, le=1.0, description="share of the gap to target closed per year "
                             "(estimate)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def start_year(self, model: ZoneModel) -> None:
        zs, m = model.zones, self.mask(model, perks=False)
        gap = np.maximum(self.settings.target - zs.mgmt_eff, 0.0)
        zs.mgmt_eff[:] = np.where(m, zs.mgmt_eff + self.settings.speed * gap, zs.mgmt_eff)


class FiscalAutonomy(Targeted):
    name = "fiscal_autonomy"
    area = 5
    title = "Fiscal autonomy (share of tax a zone keeps)"

    class Settings(LeverSettings):
        share: float = Field(0.4, ge=0.0, le=1.0, description="share of tax raised the zone keeps (the "
                             "world default is 0.25; estimate)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.forgone = 0.0

    def plan_cost(self, model: ZoneModel) -> float:
        """Revenue forgone at full strength, from last year's tax raised in the targeted zones."""
        zs = model.zones
        extra = max(self.settings.share - model.params.zone_tax_share, 0.0)
        return float(extra * np.sum(np.where(self.mask(model), zs.tax_raised, 0.0)))

    def start_year(self, model: ZoneModel) -> None:
        zs = model.zones
        base = model.params.zone_tax_share
        share = base + self.funding * (self.settings.share - base) if self.settings.share > base else self.settings.share
        zs.tax_share[:] = np.where(self.mask(model), share, np.where(zs.alive, base, zs.tax_share))

    def end_year(self, model: ZoneModel) -> None:
        zs = model.zones
        extra = (zs.tax_share - model.params.zone_tax_share) * zs.tax_raised
        extra = np.where(zs.alive, extra, 0.0)
        model.flows["region_support"] += extra
        self.forgone += float(extra.sum())

    def summary(self) -> dict[str, Any]:
        return {"forgone_tax_cny_m": self.forgone}


class TechFinance(Targeted):
    name = "tech_finance"
    area = 5
    title = "Technology finance (credit for firms)"

    class Settings(LeverSettings):
        credit: float = Field(0.3, ge=0.0, le=1.0, description="share of loss-driven exits averted by loans "
                              "and guarantees (estimate)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.part = Contribution("credit", "add")

    def start_year(self, model: ZoneModel) -> None:
        self.part.set(model, np.where(self.mask(model, perks=False), self.settings.credit, 0.0))


class GreenConstraint(Targeted):
    name = "green_constraint"
    area = 5
    title = "Green constraint on energy-intensive growth"

    class Settings(LeverSettings):
        max_growth: float = Field(0.25, ge=0.0, le=5.0, description="most log-employment growth of an energy-"
                                  "intensive firm in a year (estimate: ~28%/yr)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def start_year(self, model: ZoneModel) -> None:
        zs = model.zones
        zs.growth_cap[:] = np.where(self.mask(model, perks=False), self.settings.max_growth, np.inf)
