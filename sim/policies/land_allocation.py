"""Land allocation (area 5, 用地保障): the region's yearly construction-land quota divided by a rule.

Lifecycle
---------
* ``allocate_land`` (the model's land stage, after production): first idle land may be
  reclaimed — ``reclaim_share`` of each zone's allotted-but-undeveloped quota (and, with
  ``reclaim_developed``, of its developed land beyond the model's ``idle_land_buffer``) goes back
  to the region's pool. The pool (the year's ``params.land_quota`` + reclaimed land + any carried remainder) is
  then divided by ``rule``:

  - ``equal``: equal shares among listed zones;
  - ``demand``: in proportion to what zones ask for (the model's own rule: each gets its demand
    if the pool covers all demand, else demand scaled down; identical to no lever);
  - ``output_per_land``: in proportion to output per km2 of developed land (亩均效益) to the power
    ``sharpness``;
  - ``rank``: in proportion to ``n + 1 - rank`` within the zone's class.

  No zone gets more than the undeveloped room inside its boundary (nor more than its demand if
  ``cap_to_demand``); what one zone cannot take is passed to the others by the same weights
  (water-filling). Zones without perks (delisted or suspended) have their weight multiplied by
  ``suspended_weight`` (loss of land priority). What nobody can take is carried to next year's
  pool or returned, as configured.

How much new quota is issued (``quota``): by default what the zones ask for in total, at most the
world's ``params.land_quota`` — the amount the model's own by-demand rule issues — less the land
reclaimed and carried in, so every rule hands out the same land as the baseline and a comparison of
rules measures the rule, not more land. A package that sets ``quota`` (km2 a year) issues that much.

Conservation, every year: allotted + carried + returned = quota issued + reclaimed + carried in.
A zone can only develop land it has been allotted (the model's ``develop_land``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field

from sim.policies._common import has_perks
from sim.policies.base import Lever, LeverSettings
from sim.core import pmath as pm

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


def waterfill(pool: float, weights: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Split ``pool`` by ``weights`` without exceeding ``caps``; the excess of capped zones is
    re-split among the others. Returns allotments (sum <= pool; < only if every cap binds)."""
    out = np.zeros_like(caps, dtype=float)
    w = np.where(caps > 0, np.maximum(weights, 0.0), 0.0)
    left = float(pool)
    for _ in range(caps.size + 1):
        open_ = (w > 0) & (out < caps - 1e-12)
        if left <= 1e-12 or not open_.any():
            break
        share = np.where(open_, left * w / w[open_].sum(), 0.0)
        give = np.minimum(share, caps - out)
        out += give
        left -= float(give.sum())
    return out


class LandAllocation(Lever):
    """Divide the yearly land quota among zones by a rule; reclaim idle land."""

    name = "land_allocation"
    area = 5
    title = "Land quota allocation rule"
    intent = ("output_per_km2", 1)

    class Settings(LeverSettings):
        rule: Literal["equal", "demand", "output_per_land", "rank"] = Field(
            "output_per_land", description="how the pool is divided (see module doc)")
        sharpness: float = Field(1.0, ge=0.0, le=5.0, description="exponent on output per km2 (rule "
                                 "output_per_land): 0 = equal, higher = more to the most land-efficient")
        cap_to_demand: bool = Field(False, description="no zone gets more than it asks for")
        reclaim_share: float = Field(0.0, ge=0.0, le=1.0, description="share of idle land (allotted but "
                                     "undeveloped quota; with reclaim_developed also developed land beyond "
                                     "the idle buffer) taken back each year (闲置土地处置; estimate)")
        reclaim_developed: bool = Field(False, description="also reclaim developed land beyond the zone's "
                                        "idle buffer (it returns to the undeveloped area inside the boundary)")
        suspended_weight: float = Field(0.5, ge=0.0, le=1.0, description="weight factor of zones without "
                                        "perks (delisted or suspended): loss of land priority (estimate)")
        unplaced: Literal["carry", "return"] = Field("return", description="quota no zone can take: carried "
                                                     "to next year's pool or returned")
        quota: float | None = Field(None, ge=0.0, le=10_000.0, description="km2 of new quota issued a year; "
                                    "null (default): what the zones ask for in total, at most the world's "
                                    "land_quota, as the model's own rule issues, so rules compare at equal land")

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.carry = 0.0
        self.issued = self.reclaimed = self.allotted = self.returned = 0.0
        self.last: dict[str, float] = {}

    def reclaim(self, model: ZoneModel) -> np.ndarray:
        """Take back idle land; returns km2 per zone slot (allotted quota first, then developed)."""
        share = self.settings.reclaim_share
        zs = model.zones
        if share <= 0:
            return np.zeros(zs.capacity)
        take_allotted = share * np.maximum(zs.land_allotted, 0.0)
        take_dev = np.zeros(zs.capacity)
        if self.settings.reclaim_developed:
            occupied = model.occupied_land()
            take_dev = share * np.maximum(zs.land_developed - occupied * (1.0 + model.params.idle_land_buffer), 0.0)
        zs.land_allotted -= take_allotted
        zs.land_developed -= take_dev
        got = np.where(zs.alive, take_allotted + take_dev, 0.0)
        model.flows["land_reclaimed"] += got
        return got

    def weights(self, model: ZoneModel, demand: np.ndarray) -> np.ndarray:
        s, zs = self.settings, model.zones
        if s.rule == "equal":
            w = np.ones(zs.capacity)
        elif s.rule == "demand":
            w = demand.astype(float)
        elif s.rule == "output_per_land":
            opl = np.divide(model.flows["output"], zs.land_developed, out=np.zeros(zs.capacity),
                            where=zs.land_developed > 0)
            w = pm.power_op(opl, s.sharpness)
        else:
            w = np.zeros(zs.capacity)
            for lv in np.unique(zs.level[zs.alive]):
                members = zs.alive & (zs.level == lv)
                w[members] = (members.sum() + 1 - zs.rank[members]) / members.sum()
        w = np.where(zs.alive, w, 0.0)
        return np.where(has_perks(model), w, w * s.suspended_weight)

    def allocate_land(self, model: ZoneModel, demand: np.ndarray) -> np.ndarray:
        s, zs = self.settings, model.zones
        back = self.reclaim(model)
        if s.quota is None:  # issue what the zones ask for (the model's own amount); reclaimed land counts first
            asked = min(float(np.sum(demand[zs.alive[: demand.size]])), float(model.params.land_quota))
            quota = max(asked - float(back.sum()) - self.carry, 0.0)
        else:
            quota = float(s.quota)
        pool = quota + float(back.sum()) + self.carry
        room = np.where(zs.alive, np.maximum(zs.land_total - zs.land_developed - zs.land_allotted, 0.0), 0.0)
        if s.rule == "demand":  # the model's own rule (bit-identical when every zone has perks)
            d = np.where(has_perks(model) | ~zs.alive, demand, demand * s.suspended_weight)
            total = d.sum()
            allot = d if total <= pool else d * (pool / total)
        else:
            caps = np.minimum(room, demand) if s.cap_to_demand else room
            allot = waterfill(pool, self.weights(model, demand), caps)
        left = max(pool - float(allot.sum()), 0.0)
        carry_in = self.carry
        self.carry = left if s.unplaced == "carry" else 0.0
        self.returned += left - self.carry
        self.issued += quota
        self.reclaimed += float(back.sum())
        self.allotted += float(allot.sum())
        self.last = {"issued": quota, "reclaimed": float(back.sum()), "carried_in": carry_in,
                     "allotted": float(allot.sum()), "carried_out": self.carry, "returned": left - self.carry}
        return allot

    def summary(self) -> dict[str, Any]:
        return {"quota_issued_km2": self.issued, "reclaimed_km2": self.reclaimed, "allotted_km2": self.allotted,
                "returned_km2": self.returned, "carried_km2": self.carry}
