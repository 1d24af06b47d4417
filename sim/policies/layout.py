"""Area 1, layout (优化布局): new region-level zones from county parks; promotion to national.

``new_zones`` — Lifecycle: ``start_year`` of the park's ``year`` (1 = the first simulated year)
creates a region-level zone with the park's land, location and starting conditions through
``model.add_zone`` (recorded as ``promoted`` that year); it starts without firms of its own (they arrive by entry and relocation, as
the zone's free land, services and output pull them). Counts as a status change (``promoted``).

``promotion`` — Lifecycle: ``after_evaluation`` counts, for each region-level zone, consecutive
years ranked within the class's top ``top`` while meeting the output and certified-firm
thresholds; after ``years`` such years the zone becomes national (at most one every
``min_gap`` years, and no more than ``max_national`` national zones). Defaults are estimates:
Hezhou applied for national status in 2023 (CALIBRATION.md); national zones in 2020 averaged
well above CNY 50 bn of output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sim.agents.zone import NATIONAL, REGION
from sim.core.errors import InputError
from sim.core.params import MAX_YEARS
from sim.core.units import bn_from_m
from sim.policies.base import Lever, LeverSettings

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


class Park(BaseModel):
    """A county park that becomes a region-level zone."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    name: str = Field(min_length=1)
    name_zh: str = ""
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    year: int = Field(1, ge=1, le=MAX_YEARS, description="simulated year in which it is created (1 = first)")
    land_total: float = Field(10.0, gt=0.0, le=100_000.0, description="km2 inside the boundary")
    land_developed: float = Field(3.0, ge=0.0, le=100_000.0, description="km2 developed at creation")
    mgmt_eff: float = Field(0.45, ge=0.0, le=1.0, description="management efficiency (weakest zones: 0.45)")
    amenity: float = Field(0.8, ge=0.0, le=10.0, description="amenity index (smallest zones: 0.8)")
    housing_cost: float = Field(5.5, gt=0.0, le=1000.0, description="CNY k per m2 (smallest zones: 5.5)")
    platforms: float = Field(1.0, ge=0.0, le=100_000.0, description="innovation platforms at creation")


class NewZones(Lever):
    """Create region-level zones from county parks in given years."""

    name = "new_zones"
    area = 1
    title = "New region-level zones from county parks"
    intent = ("firms", 1)

    class Settings(LeverSettings):
        parks: tuple[Park, ...] = Field((), description="parks to upgrade into region-level zones")

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.created: list[dict[str, Any]] = []

    def setup(self, model: ZoneModel) -> None:
        ids = [p.id for p in self.settings.parks]
        clash = [i for i in ids if i in model.zone_ids] or [i for i in ids if ids.count(i) > 1]
        if clash:
            raise InputError("package", f"levers.{self.name}.parks", f"zone id '{clash[0]}' already exists")
        bad = [p.id for p in self.settings.parks if p.land_developed > p.land_total]
        if bad:
            raise InputError("package", f"levers.{self.name}.parks", f"'{bad[0]}': land_developed > land_total")

    def start_year(self, model: ZoneModel) -> None:
        for park in self.settings.parks:
            if park.year != model.steps:
                continue
            slot = model.add_zone(
                zone_id=park.id, name=park.name, name_zh=park.name_zh or park.name, level=REGION,
                lon=park.lon, lat=park.lat, land_total=park.land_total, land_developed=park.land_developed,
                mgmt_eff=park.mgmt_eff, amenity=park.amenity, housing_base=park.housing_cost,
                talent_base=1000.0, platforms=park.platforms, tax_share=model.params.zone_tax_share)
            model.flows["promoted"][slot] += 1  # the year's flows were reset before start_year
            self.created.append({"year": model.start_year + model.steps, "zone": park.id})

    def summary(self) -> dict[str, Any]:
        return {"created": list(self.created)}


class Promotion(Lever):
    """Promote a region-level zone that stays at the top of its class to national status."""

    name = "promotion"
    area = 1
    title = "Promotion of qualifying region-level zones to national status"
    intent = ("output", 1)

    class Settings(LeverSettings):
        top: int = Field(1, ge=1, le=100, description="ranks within the region-level class that qualify")
        years: int = Field(3, ge=1, le=50, description="consecutive qualifying years needed (estimate)")
        min_output_bn: float = Field(60.0, ge=0.0, le=1e9, description="CNY bn/yr of output needed (estimate)")
        min_hightech_firms: int = Field(60, ge=0, le=1_000_000_000, description="certified high-tech firms needed (estimate)")
        max_national: int | None = Field(None, ge=1, le=100_000, description="cap on the number of national zones")
        min_gap: int = Field(5, ge=0, le=100, description="years between two promotions (estimate: the "
                             "State Council approves national zones in batches)")
        value_years: float = Field(3.0, ge=0.0, le=100.0, description="what national status is worth to a "
                                   "zone's committee, in years of its budget (estimate; committees respond to "
                                   "the chance of promotion, sim/agents/committee.py)")

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.streak: np.ndarray | None = None
        self.last_promotion = -10**9
        self.events: list[dict[str, Any]] = []

    def after_evaluation(self, model: ZoneModel) -> None:
        s, zs = self.settings, model.zones
        n = zs.capacity
        streak = np.zeros(n) if self.streak is None else np.concatenate([self.streak, np.zeros(n - self.streak.size)])
        fl = model.flows
        hightech = model.year_data.census["hightech_firms"]  # certified firms per zone this year (sim.outcomes.metrics.census)
        ok = (zs.alive & (zs.level == REGION) & (zs.rank >= 1) & (zs.rank <= s.top)
              & (bn_from_m(fl["output"]) >= s.min_output_bn) & (hightech >= s.min_hightech_firms))
        streak = np.where(ok, streak + 1, 0)
        n_nat = int((zs.alive & (zs.level == NATIONAL)).sum())
        ready = np.flatnonzero(streak >= s.years)
        if ready.size and model.steps - self.last_promotion >= s.min_gap and \
                (s.max_national is None or n_nat < s.max_national):
            z = ready[np.argmin(zs.rank[ready])]
            zs.level[z] = NATIONAL
            fl["promoted"][z] += 1
            streak[z] = 0
            self.last_promotion = model.steps
            self.events.append({"year": model.start_year + model.steps, "zone": model.zone_ids[z]})
        self.streak = streak

    def incentives(self, model: ZoneModel) -> dict[str, np.ndarray]:
        """CNY m per score point: value of national status x d P(promotion) / d score, for the
        region-level zones that meet the output and certified-firm thresholds."""
        from sim.agents.committee import prob_above, rank_slope

        s, zs = self.settings, model.zones
        n = zs.capacity
        out = np.zeros(n)
        members = np.flatnonzero(zs.alive & (zs.level == REGION))
        n_nat = int((zs.alive & (zs.level == NATIONAL)).sum())
        if members.size <= s.top or (s.max_national is not None and n_nat >= s.max_national):
            return {"score": out}
        hightech = np.zeros(n)
        got = model.year_data.census.get("hightech_firms", np.zeros(0))[:n]
        hightech[: got.size] = got
        ok = (bn_from_m(zs.output_prev[members]) >= s.min_output_bn) & (hightech[members] >= s.min_hightech_firms)
        score = np.nan_to_num(zs.score[members], nan=0.0)
        cut = 0.5 * (np.sort(score)[::-1][s.top - 1] + np.sort(score)[::-1][s.top])
        noise = model.committees.score_noise[members]
        streak = np.zeros(n) if self.streak is None else np.concatenate([self.streak, np.zeros(n - self.streak.size)])
        need = np.maximum(s.years - streak[members], 1.0)
        p = prob_above(score, cut, noise)
        dprob = need * p ** (need - 1.0) * rank_slope(score, cut, noise)
        out[members] = np.where(ok, s.value_years * np.maximum(zs.budget[members], 0.0) * dprob, 0.0)
        return {"score": out}

    def summary(self) -> dict[str, Any]:
        return {"promoted": list(self.events)}
