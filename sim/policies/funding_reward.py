"""Funding rewards (area 6, 资金奖励): zones ranked high in the annual evaluation receive money.

Lifecycle
---------
* ``start_year``: remember last year's scores (for the "most improved" tier).
* ``after_evaluation``: this year's pot is ``budget`` plus any carried reserve; tiers are paid in
  the order given (top-ranked within a class, or most improved score), each winner the tier's
  ``amount``; when the pot runs short the tier is paid pro rata and later tiers get nothing.
  What is left is carried to next year (``leftover: carry``, up to ``max_reserve``) or returned
  to the region's treasury (``leftover: return``). Money goes through ``model.pay``: it is added
  to the winner's next budget and spent like the zone's own money on platforms, services and
  talent subsidies, whose effects saturate (diminishing returns) — so a reward feeds back into
  the next year's score. With ``use: platforms`` it is earmarked for innovation platforms instead.
* Zones without perks (delisted, or suspended after a downgrade) receive nothing.

Conservation: paid + carried + returned = budget issued + reserve brought in, every year.
Defaults: Jiangxi's rules (CALIBRATION.md): CNY 10 m a year in total; praise for the top
national and provincial zones and the 5 most improved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sim.agents.zone import NATIONAL, REGION
from sim.policies._common import has_perks, pad
from sim.policies.base import Lever, LeverSettings

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


class Tier(BaseModel):
    """One reward tier: who wins and how much each winner gets."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    level: Literal["national", "region", "all"] = Field("region", description="class the tier ranks within")
    rule: Literal["top", "improved"] = Field("top", description="'top': rank 1..count in the class; "
                                             "'improved': the count largest score gains since last year")
    count: int = Field(1, ge=0, le=1000, description="winners per year")
    amount: float = Field(1.0, ge=0.0, le=100_000.0, description="CNY m per winner per year")


CLASSES = {"national": NATIONAL, "region": REGION}

DEFAULT_TIERS = (
    Tier(level="national", rule="top", count=1, amount=3.0),
    Tier(level="region", rule="top", count=3, amount=1.5),
    Tier(level="all", rule="improved", count=2, amount=1.0),
)


class FundingReward(Lever):
    """Rewards from a finite regional budget to zones ranked high within their class."""

    name = "funding_reward"
    area = 6
    title = "Funding rewards for top-ranked zones"

    class Settings(LeverSettings):
        budget: float = Field(10.0, ge=0.0, le=1_000_000.0, description="CNY m issued per year for rewards "
                              "(Jiangxi: CNY 10 m a year, CALIBRATION.md)")
        tiers: tuple[Tier, ...] = Field(DEFAULT_TIERS, description="paid in order; see Tier")
        leftover: Literal["carry", "return"] = Field("carry", description="unpaid money: carried to next "
                                                     "year's pot or returned to the treasury")
        max_reserve: float | None = Field(None, ge=0.0, le=10_000_000.0, description="CNY m cap on the carried reserve "
                                          "(excess returned); none = no cap")
        use: Literal["budget", "platforms"] = Field("budget", description="'budget': added to the zone's "
                                                    "next budget; 'platforms': earmarked for platforms")

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.reserve = 0.0
        self.issued = self.paid = self.returned = 0.0
        self.prev_score: np.ndarray | None = None
        self.winners: dict[str, int] = {}

    def start_year(self, model: ZoneModel) -> None:
        self.prev_score = model.zones.score.copy()

    def award(self, model: ZoneModel) -> np.ndarray:
        """This year's reward per zone slot (CNY m), within the pot."""
        s, zs = self.settings, model.zones
        n = zs.capacity
        pot = s.budget + self.reserve
        amounts = np.zeros(n)
        left = pot
        eligible = has_perks(model)
        prev = pad(self.prev_score, n, np.nan)
        for tier in s.tiers:
            if left <= 0:
                break
            members = eligible if tier.level == "all" else eligible & (zs.level == CLASSES[tier.level])
            slots = np.flatnonzero(members)
            if tier.rule == "top":
                if tier.level == "all":
                    key = -zs.score[slots]
                else:
                    key = zs.rank[slots].astype(float)
            else:
                gain = zs.score[slots] - prev[slots]
                slots, gain = slots[np.isfinite(gain)], gain[np.isfinite(gain)]
                key = -gain
            order = slots[np.lexsort((slots, key))][: tier.count]
            want = tier.amount * order.size
            if want <= 0:
                continue
            pay = min(want, left)
            amounts[order] += pay / order.size
            left -= pay
        return amounts

    def after_evaluation(self, model: ZoneModel) -> None:
        s = self.settings
        amounts = self.award(model)
        pot = s.budget + self.reserve
        paid = float(amounts.sum())
        left = max(pot - paid, 0.0)
        if s.leftover == "carry":
            self.reserve = left if s.max_reserve is None else min(left, s.max_reserve)
        else:
            self.reserve = 0.0
        self.returned += left - self.reserve
        self.issued += s.budget
        self.paid += paid
        slots = np.flatnonzero(amounts > 0)
        if slots.size:
            if s.use == "budget":
                model.pay(slots, amounts[slots])
            else:
                model.zones.platforms[slots] += amounts[slots] / model.params.platform_cost
                model.flows["region_support"][slots] += amounts[slots]
            model.flows["rewards"][slots] += amounts[slots]
            for z in slots:
                zid = model.zone_ids[z]
                self.winners[zid] = self.winners.get(zid, 0) + 1

    def summary(self) -> dict[str, Any]:
        return {"issued_cny_m": self.issued, "paid_cny_m": self.paid, "returned_cny_m": self.returned,
                "reserve_cny_m": self.reserve, "times_rewarded": dict(self.winners)}
