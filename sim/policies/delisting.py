"""Delisting (area 6, 摘牌): zones ranked at the bottom of their class for k years lose status.

Lifecycle
---------
* ``start_year``: years of lost perks count down (``perks_lost``).
* ``after_evaluation``: a zone is "at the bottom" when its rank within its class is among the
  last ``bottom_region`` (region-level) or ``bottom_national`` (national) places (never the whole
  class). Its record counts the years at the bottom: consecutive years (``window: null``) or
  years within the last ``window`` evaluations. When the count reaches ``years`` the zone loses
  its status — a national zone is downgraded to region-level (and is without perks for
  ``perk_years``), a region-level zone is delisted. Before that, each year at the bottom is a
  warning (约谈) that raises the zone's management efficiency by ``warning_effort`` of the gap
  to 1 (pressure to improve). A delisted zone has no perks (rewards, land priority, region
  support), is less attractive to firms (``attract_penalty``), its firms exit more
  (``exit_multiplier``), and after ``cooling_off`` years it is re-listed as region-level if its
  score reaches the median score of the region-level zones. Any status change clears the record.

Defaults: Guangxi's 2010 industrial-park rule (CALIBRATION.md): the last two places two years
running lose one level and its perks for a year. National zones are not downgraded by default
(``bottom_national: 0``): national status is decided by the State Council, not the region.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field, model_validator

from sim.agents.zone import DELISTED, NATIONAL, REGION
from sim.policies._common import pad
from sim.policies.base import Lever, LeverSettings

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


class Delisting(Lever):
    """Downgrade or delist zones held at the bottom of their class; warnings first."""

    name = "delisting"
    area = 6
    title = "Delisting of zones ranked last"

    class Settings(LeverSettings):
        bottom_region: int = Field(2, ge=0, le=100, description="places at the bottom of the region-level "
                                   "class that count (Guangxi 2010 rule: last two)")
        bottom_national: int = Field(0, ge=0, le=100, description="places at the bottom of the national "
                                     "class that count; 0 = national zones are never downgraded")
        years: int = Field(2, ge=1, le=50, description="k: years at the bottom that cost the status "
                           "(Guangxi 2010: two years running)")
        window: int | None = Field(None, ge=1, le=50, description="n: count years at the bottom within "
                                   "the last n evaluations; null = k consecutive years")
        warning_effort: float = Field(0.02, ge=0.0, le=1.0, description="share of the gap to 1 by which "
                                      "a warned zone's management efficiency rises (estimate)")
        perk_years: int = Field(1, ge=0, le=50, description="years a downgraded national zone is without "
                                "perks (Guangxi 2010: one year)")
        attract_penalty: float = Field(0.5, ge=0.0, le=100.0, description="utility a delisted zone loses as a firm "
                                       "location (estimate: the national-status pull is 0.5)")
        exit_multiplier: float = Field(1.1, ge=0.0, le=10.0, description="factor on the exit hazard of "
                                       "firms in a delisted zone (lost preferential policies; estimate)")
        cooling_off: int = Field(3, ge=0, le=100, description="years before a delisted zone may re-apply")
        reapply: bool = Field(True, description="re-list a delisted zone at region level after the cooling-off "
                              "period once its score reaches the region-level median")

        @model_validator(mode="after")
        def _window(self) -> Delisting.Settings:
            if self.window is not None and self.window < self.years:
                raise ValueError(f"window ({self.window}) must be at least years ({self.years})")
            return self

    @classmethod
    def horizon_error(cls, settings: LeverSettings, years: int) -> tuple[str, str] | None:
        longest = max(settings.years, settings.window or 0)
        if longest > years:
            field = "window" if (settings.window or 0) >= settings.years else "years"
            return field, (f"a delisting window of {longest} years is longer than the run's horizon of {years} "
                           f"years, so no zone could ever be delisted; use at most {years}")
        return None

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.history: list[np.ndarray] = []  # one bool array per evaluation: at the bottom
        self.delisted_at: dict[int, int] = {}
        self.events: list[dict[str, Any]] = []

    def start_year(self, model: ZoneModel) -> None:
        zs = model.zones
        zs.perks_lost[:] = np.where(zs.level != DELISTED, np.maximum(zs.perks_lost - 1, 0), zs.perks_lost)

    def at_bottom(self, model: ZoneModel) -> np.ndarray:
        zs = model.zones
        out = np.zeros(zs.capacity, dtype=bool)
        for lv, m in ((NATIONAL, self.settings.bottom_national), (REGION, self.settings.bottom_region)):
            members = zs.alive & (zs.level == lv)
            size = int(members.sum())
            m = min(m, max(size - 1, 0))
            if m > 0:
                out |= members & (zs.rank > size - m)
        return out

    def count(self, n: int) -> np.ndarray:
        """Years at the bottom per zone slot: consecutive, or within the window."""
        hist = np.array([pad(h.astype(float), n, 0.0) for h in self.history]) if self.history else np.zeros((0, n))
        if self.settings.window is not None:
            return hist[-self.settings.window:].sum(axis=0)
        run = np.zeros(n)
        for row in hist:
            run = np.where(row > 0, run + 1, 0)
        return run

    def _clear(self, slots: np.ndarray) -> None:
        for h in self.history:
            h[slots[slots < h.size]] = False

    def after_evaluation(self, model: ZoneModel) -> None:
        s, zs, fl = self.settings, model.zones, model.flows
        n = zs.capacity
        self.history.append(self.at_bottom(model))
        count = self.count(n)
        bottom = self.history[-1]
        lose = bottom & (count >= s.years)
        warn = bottom & ~lose
        fl["warnings"][warn] += 1
        zs.mgmt_eff[warn] += s.warning_effort * (1.0 - zs.mgmt_eff[warn])
        year = model.start_year + model.steps
        for z in np.flatnonzero(lose):
            old = int(zs.level[z])
            if old == NATIONAL:
                zs.level[z] = REGION
                zs.perks_lost[z] = s.perk_years
            else:
                zs.level[z] = DELISTED
                self.delisted_at[int(z)] = model.steps
            fl["demoted"][z] += 1
            self.events.append({"year": year, "zone": model.zone_ids[z], "event": "downgraded" if old == NATIONAL
                                else "delisted"})
        self._clear(np.flatnonzero(lose))
        if s.reapply:
            self._relist(model, year)

    def _relist(self, model: ZoneModel, year: int) -> None:
        zs = model.zones
        region = zs.alive & (zs.level == REGION)
        if not region.any():
            return
        bar = float(np.median(zs.score[region]))
        for z, since in list(self.delisted_at.items()):
            if zs.level[z] == DELISTED and model.steps - since >= self.settings.cooling_off and zs.score[z] >= bar:
                zs.level[z] = REGION
                model.flows["promoted"][z] += 1
                del self.delisted_at[z]
                self._clear(np.array([z]))
                self.events.append({"year": year, "zone": model.zone_ids[z], "event": "re-listed"})

    def attractiveness(self, model: ZoneModel) -> np.ndarray | None:
        zs = model.zones
        return np.where(zs.level == DELISTED, -self.settings.attract_penalty, 0.0)

    def exit_multiplier(self, model: ZoneModel, slots: np.ndarray) -> np.ndarray | None:
        if self.settings.exit_multiplier == 1.0:
            return None
        delisted = model.zones.level[model.firms.zone[slots]] == DELISTED
        return np.where(delisted, self.settings.exit_multiplier, 1.0)

    def summary(self) -> dict[str, Any]:
        return {"events": list(self.events)}
