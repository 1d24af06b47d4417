"""Funding rewards (area 6, 资金奖励): zones placed high receive money, as the document writes it:
national zones for their place in the national comprehensive ranking (全国综合排名前列),
region-level zones for their place in the region's evaluation.

Lifecycle
---------
* ``plan_cost``: the year's ``budget`` (the region's budget may fund only a share of it).
* ``start_year``: remember last year's scores (for the "most improved" tier).
* ``incentives``: what the tiers make a score point (region-level tiers, most improved) and a
  log point of output (national tiers) worth to each committee: each tier's amount times the
  slope of the chance of making its cut-off, with the committee's learned noise (the
  tournament incentive: largest for zones near a cut-off).
* ``after_evaluation``: this year's pot is ``budget`` x the region's funded share plus any carried
  reserve; tiers are paid in the order given, each winner the tier's ``amount``; when the pot
  runs short the tier is paid pro rata and later tiers get nothing. Tier rules:
  ``top`` (ranks 1..``count`` within the class), ``improved`` (the ``count`` largest score gains
  since last year), ``national_place`` (national zones placed ``places`` or better among the
  ``national_zones`` national zones of the modelled national ranking, ``sim.agents.government``;
  at most ``count`` of them, best first). What is left is carried (``leftover: carry``, up to
  ``max_reserve``) or returned to the region's budget (``leftover: return``). Money goes through
  ``model.pay``: it is added to the winner's next budget and its committee spends it; with
  ``use: platforms`` it is earmarked for innovation platforms instead.
* Zones without perks (delisted, or suspended after a downgrade) receive nothing.

Conservation: paid + carried + returned = money issued + reserve brought in, every year.
Defaults: Jiangxi's pot (CNY 10 m a year, CALIBRATION.md); the national tier rewards a place in
the first 50 of 169 national zones (全国综合排名前列; the cut-off is an estimate).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.agents.committee import rank_slope
from sim.agents.zone import NATIONAL, REGION
from sim.policies._common import has_perks, pad, zero_nan
from sim.policies.base import Lever, LeverSettings

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


class Tier(BaseModel):
    """One reward tier: who wins and how much each winner gets."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    level: Literal["national", "region", "all"] = Field("region", description="class the tier ranks within")
    rule: Literal["top", "improved", "national_place"] = Field(
        "top", description="'top': rank 1..count in the class; 'improved': the count largest score gains since "
                           "last year; 'national_place': national zones placed 'places' or better in the national "
                           "ranking (level must be national)")
    count: int = Field(1, ge=0, le=1000, description="winners per year (national_place: at most this many)")
    places: int = Field(50, ge=1, le=10_000, description="national_place: the place in the national ranking a zone "
                                                         "must reach (1 = best)")
    amount: float = Field(1.0, ge=0.0, le=100_000.0, description="CNY m per winner per year")

    @model_validator(mode="after")
    def _national(self) -> Tier:
        if self.rule == "national_place" and self.level != "national":
            raise ValueError("rule national_place needs level national (the national ranking places national zones)")
        return self


CLASSES = {"national": NATIONAL, "region": REGION}

DEFAULT_TIERS = (
    Tier(level="national", rule="national_place", count=4, places=50, amount=3.0),
    Tier(level="region", rule="top", count=3, amount=1.5),
    Tier(level="all", rule="improved", count=2, amount=1.0),
)


class FundingReward(Lever):
    """Rewards from the region's budget to zones placed high: national zones in the national
    ranking, region-level zones in the regional evaluation."""

    name = "funding_reward"
    area = 6
    title = "Funding rewards for top-ranked zones"
    intent = ("output", 1)

    class Settings(LeverSettings):
        budget: float = Field(10.0, ge=0.0, le=1_000_000.0, description="CNY m issued per year for rewards "
                              "(Jiangxi: CNY 10 m a year, CALIBRATION.md)")
        tiers: tuple[Tier, ...] = Field(DEFAULT_TIERS, description="paid in order; see Tier")
        leftover: Literal["carry", "return"] = Field("carry", description="unpaid money: carried to next "
                                                     "year's pot or returned to the region's budget")
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

    def plan_cost(self, model: ZoneModel) -> float:
        return self.settings.budget

    def start_year(self, model: ZoneModel) -> None:
        self.prev_score = model.zones.score.copy()

    @staticmethod
    def _members(model: ZoneModel, tier: Tier, perks: np.ndarray) -> np.ndarray:
        """The tier's zone slots: those with perks (``has_perks``, the same for every tier of a year),
        of the tier's class."""
        return np.flatnonzero(perks if tier.level == "all" else perks & (model.zones.level == CLASSES[tier.level]))

    def award(self, model: ZoneModel) -> np.ndarray:
        """This year's reward per zone slot (CNY m), within the pot."""
        s, zs = self.settings, model.zones
        n = zs.capacity
        pot = s.budget * self.funding + self.reserve
        amounts = np.zeros(n)
        left = pot
        prev = pad(self.prev_score, n, np.nan)
        place = pad(model.government.national_place, n, 0.0)
        perks = has_perks(model)
        for tier in s.tiers:
            if left <= 0:
                break
            slots = self._members(model, tier, perks)
            if tier.rule == "top":
                key = -zs.score[slots] if tier.level == "all" else zs.rank[slots].astype(float)
            elif tier.rule == "national_place":
                slots = slots[(place[slots] >= 1.0) & (place[slots] <= tier.places)]
                key = place[slots]
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

    def incentives(self, model: ZoneModel) -> dict[str, np.ndarray]:
        """CNY m per score point (region tiers, most improved) and per log point of output (national
        tiers) for each zone: amount x the slope of the chance of making the tier's cut-off."""
        s, zs, cm = self.settings, model.zones, model.committees
        n = zs.capacity
        score_v, output_v = np.zeros(n), np.zeros(n)
        # committees expect what the pot can pay: tiers are cut when it runs short (and a pot of 0 pays nothing)
        want = sum(t.amount * t.count for t in s.tiers)
        pot = s.budget * self.funding + self.reserve
        scale = min(1.0, pot / want) if want > 0 else 0.0
        noise = pad(cm.score_noise, n, model.params.committee_score_noise)
        perks = has_perks(model)
        for tier in s.tiers:
            members = self._members(model, tier, perks)
            if members.size == 0 or tier.amount <= 0:
                continue
            if tier.rule == "national_place":
                cut = model.government.national_threshold(tier.places)
                log_out = pad(model.government.national_log_output, n, -np.inf)[members]
                years = float(model.params.evaluation_years)
                out_noise = pad(cm.output_noise, n, 0.1)[members]
                output_v[members] += tier.amount * scale * rank_slope(log_out, cut, out_noise) / years
                continue
            score = zero_nan(zs.score[members])
            if tier.rule == "improved":
                prev = zero_nan(pad(self.prev_score, n, np.nan)[members])
                score = score - prev
            if tier.count <= 0 or tier.count >= members.size:
                continue
            ordered = np.sort(score)[::-1]
            cut = 0.5 * (ordered[tier.count - 1] + ordered[tier.count])
            score_v[members] += tier.amount * scale * rank_slope(score, cut, noise[members])
        return {"score": score_v, "output": output_v}

    def after_evaluation(self, model: ZoneModel) -> None:
        s = self.settings
        amounts = self.award(model)
        issued = s.budget * self.funding
        pot = issued + self.reserve
        paid = float(amounts.sum())
        left = max(pot - paid, 0.0)
        if s.leftover == "carry":
            self.reserve = left if s.max_reserve is None else min(left, s.max_reserve)
        else:
            self.reserve = 0.0
        self.returned += left - self.reserve
        self.issued += issued
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
