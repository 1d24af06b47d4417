"""Area 5, development environment: post-based management and performance pay, the direct channel
to region departments with one-matter-one-decision, and city-industry integration.

``performance_pay`` — post-based management and performance pay (岗位管理制度改革, 绩效工资,
多劳多得、优绩优酬) as behaviour of the zone committee: the region pays each targeted
committee's staff a bonus of ``bonus_per_point`` CNY m per evaluation point the zone scores.
The bonus acts twice through the committee (``sim.agents.committee``):

* effort: staff raise the zone's management efficiency (``mgmt_eff``: the service effect on
  productivity and land development) above its level without the reform by ``a`` such that the
  marginal bonus equals the marginal cost of effort, ``b x g = effort_cost x a`` (the linear
  incentive contract of Holmström & Milgrom 1987), where ``b`` is the bonus per point (x funding)
  and ``g`` the points a unit of efficiency brings: the evaluation's points per log point of
  output (``RegionalGovernment.sensitivity`` of the output-linked sub-indicators) times the log
  output a unit of efficiency brings through the service effect (``sim.agents.zone.service_effect``).
  Efficiency moves a share ``speed`` of the way to that level a year and never above ``max_eff``;
* budget: the bonus is what a score point is worth to the committee's staff, so it adds ``b`` to the
  committee's value of a point (``incentives``: ``"score"``), and committees shift their budgets
  towards the uses the evaluation scores.

Cost: the bonuses paid, ``b`` x the zone's score of the year, booked as ``region_support`` at
``end_year``.

``direct_channel`` — the direct channel to region departments (直通车) and one-matter-one-decision
for major projects (重大事项一事一议): ``start_year`` raises the targeted zones' arrivals of
outside firms by ``arrival_gain`` x funding (faster approvals: projects land where the
decision is quick); ``end_year`` gives the ``projects`` largest new firms of the year in targeted
zones with perks (by staff, ties by key) a tailored package of ``grant`` CNY m x funding, which
finances capital, and books it and ``cost_per_zone`` (the channel's running cost) as
``region_support``.

``city_industry`` — city-industry integration (推进产城融合): the region invests ``budget`` CNY m
a year in housing, schools, transport and services around the targeted zones (split ``equal`` or
by skilled head-count, ``talent``); the stock depreciates by ``depreciation`` a year and raises
the zone's amenity index by ``max_gain`` x stock / (stock + ``half_stock``) (saturating). Amenity
enters the talent location logit (``beta_amenity``) and the evaluation's liveability indicator.
Cost: the investment, booked as ``region_support``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field

from sim.agents.government import SUBS
from sim.core.ranking import largest_first
from sim.policies._common import TARGETS_DOC, Contribution, Targeted, pad, zero_nan
from sim.policies.base import LeverSettings

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel

_OUTPUT_LINKED = np.array([s.output_linked for s in SUBS])


class PerformancePay(Targeted):
    name = "performance_pay"
    area = 5
    title = "Post-based management and performance pay (committee effort)"
    intent = ("output", 1)

    class Settings(LeverSettings):
        bonus_per_point: float = Field(0.15, ge=0.0, le=1_000.0, description="CNY m a year paid to a committee's "
                                       "staff per evaluation point of its zone (estimate: a performance-pay pool of "
                                       "~CNY 7.5 m at a score of 50, ~200 staff x CNY 0.2 m pay x 20%)")
        effort_cost: float = Field(2.5, gt=0.0, le=1_000_000.0, description="CNY m a year of staff effort per "
                                   "(unit of management efficiency)^2 / 2 (estimate: set so that the default bonus "
                                   "raises efficiency by ~0.1 within 20 years, a third of the gap between the "
                                   "weakest zones (0.45) and the best (0.75))")
        speed: float = Field(0.3, gt=0.0, le=1.0, description="share of the way to the chosen efficiency moved a year "
                             "(estimate: staff and procedures change over 3-4 years)")
        max_eff: float = Field(0.95, ge=0.0, le=1.0, description="highest management efficiency (0..1)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.part = Contribution("mgmt_eff", "add")
        self.effort = np.zeros(0)
        self.cost = 0.0

    def plan_cost(self, model: ZoneModel) -> float:
        zs = model.zones
        return self.settings.bonus_per_point * float(np.sum(np.where(self.mask(model, perks=False),
                                                                      zero_nan(zs.score), 0.0)))

    def points_per_efficiency(self, model: ZoneModel) -> np.ndarray:
        """Evaluation points a unit of management efficiency brings each zone (as its committee
        sees it): points per log output x d log(service effect) / d efficiency."""
        zs, p, nz = model.zones, model.params, model.n_zone_slots
        sens = model.government.sensitivity
        out_pts = pad(sens[_OUTPUT_LINKED].sum(axis=0) if sens.shape[1] else None, nz, 0.0)
        half = p.service_half_saturation * np.maximum(zs.output_prev, 1.0)
        r = zs.services / np.maximum(zs.services + half, 1e-12)
        dlog = p.service_effect_max * r / (1.0 + p.service_effect_max * zs.mgmt_eff * r)
        return np.maximum(out_pts, 0.0) * dlog

    def start_year(self, model: ZoneModel) -> None:
        s, zs = self.settings, model.zones
        nz = model.n_zone_slots
        m = self.mask(model, perks=False)
        own = zs.mgmt_eff - self.part.values(nz)  # efficiency without the reform
        b = s.bonus_per_point * self.funding
        want = np.clip(b * self.points_per_efficiency(model) / s.effort_cost, 0.0, np.maximum(s.max_eff - own, 0.0))
        last = pad(self.effort, nz, 0.0)
        self.effort = np.where(m, last + s.speed * (want - last), 0.0)
        self.part.set(model, self.effort)

    def incentives(self, model: ZoneModel) -> dict[str, np.ndarray]:
        return {"score": np.where(self.mask(model, perks=False), self.settings.bonus_per_point * self.funding, 0.0)}

    def end_year(self, model: ZoneModel) -> None:
        zs = model.zones
        pay = np.where(self.mask(model, perks=False), self.settings.bonus_per_point * self.funding *
                       np.maximum(zero_nan(zs.score), 0.0), 0.0)
        model.flows["region_support"] += pay
        self.cost += float(pay.sum())

    def summary(self) -> dict[str, Any]:
        return {"cost_cny_m": self.cost, "effort": [round(float(e), 4) for e in self.effort]}


class DirectChannel(Targeted):
    name = "direct_channel"
    area = 5
    title = "Direct channel to region departments and one-matter-one-decision for major projects"
    intent = ("output", 1)

    class Settings(LeverSettings):
        arrival_gain: float = Field(0.05, ge=0.0, le=10.0, description="rise in the zone's arrivals of outside "
                                    "firms from faster approvals (share; estimate)")
        projects: int = Field(20, ge=0, le=100_000, description="major new projects a year given a tailored "
                              "package (the largest new firms of the year in targeted zones; estimate)")
        grant: float = Field(5.0, ge=0.0, le=100_000.0, description="CNY m per major project, financing its "
                             "capital (estimate: case-by-case packages of CNY 1-10 m)")
        cost_per_zone: float = Field(1.0, ge=0.0, le=100_000.0, description="CNY m a year per targeted zone: the "
                                     "channel's liaison staff and running cost (estimate)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.part = Contribution("arrival_mult", "mul")
        self.cost = 0.0
        self.supported = 0

    def plan_cost(self, model: ZoneModel) -> float:
        s = self.settings
        return s.projects * s.grant + s.cost_per_zone * float(self.mask(model, perks=False).sum())

    def start_year(self, model: ZoneModel) -> None:
        self.part.set(model, np.where(self.mask(model), 1.0 + self.settings.arrival_gain * self.funding, 1.0))

    def end_year(self, model: ZoneModel) -> None:
        s, f, nz = self.settings, model.firms, model.n_zone_slots
        L = f.n
        new = np.flatnonzero((f.age[:L] == 0) & (f.origin[:L] != 0) & self.mask(model)[f.zone[:L]])
        big = new[largest_first(f.employees[new], f.key[new], s.projects)]
        grant = s.grant * self.funding
        f.capital[big] += grant
        cost = np.bincount(f.zone[big], minlength=nz) * grant
        cost += np.where(self.mask(model, perks=False), s.cost_per_zone * self.funding, 0.0)
        model.flows["region_support"] += cost
        self.cost += float(cost.sum())
        self.supported += int(big.size)

    def summary(self) -> dict[str, Any]:
        return {"cost_cny_m": self.cost, "projects": self.supported}


class CityIndustry(Targeted):
    name = "city_industry"
    area = 5
    title = "City-industry integration (amenity investment)"
    intent = ("talent", 1)

    class Settings(LeverSettings):
        budget: float = Field(300.0, ge=0.0, le=1_000_000.0, description="CNY m a year the region invests in "
                              "housing, schools, transport and services around the zones (estimate)")
        split: Literal["equal", "talent"] = Field("talent", description="how the budget is split among the targeted "
                                                  "zones: equal, or by skilled head-count")
        max_gain: float = Field(0.3, ge=0.0, le=10.0, description="largest rise of the amenity index (index units; the "
                                "zones start at 0.8-1.3; estimate: the gap between a mid and the best zone)")
        half_stock: float = Field(1000.0, gt=0.0, le=1_000_000.0, description="CNY m of amenity stock at which half "
                                  "of max_gain is reached (estimate)")
        depreciation: float = Field(0.05, ge=0.0, le=1.0, description="share of the amenity stock lost a year "
                                    "(estimate: buildings and services, 20-year life)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.part = Contribution("amenity", "add")
        self.stock = np.zeros(0)
        self.spent = 0.0

    def plan_cost(self, model: ZoneModel) -> float:
        return self.settings.budget

    def start_year(self, model: ZoneModel) -> None:
        s, nz = self.settings, model.n_zone_slots
        m = self.mask(model)
        w = m.astype(float) if s.split == "equal" else np.where(m, model.talent_by_zone(), 0.0)
        money = s.budget * self.funding * w / w.sum() if w.sum() > 0 else np.zeros(nz)
        self.stock = pad(self.stock, nz, 0.0) * (1.0 - s.depreciation) + money
        self.part.set(model, s.max_gain * self.stock / (self.stock + s.half_stock))
        model.flows["region_support"] += money  # the year's flows were reset before start_year
        self.spent += float(money.sum())

    def summary(self) -> dict[str, Any]:
        return {"spent_cny_m": self.spent}
