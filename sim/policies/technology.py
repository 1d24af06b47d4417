"""Area 2, innovation capability: key and core technology programmes (加强关键核心技术攻关).

``key_technology`` — the region funds R&D projects on key and core technologies, selected
competitively by R&D capacity: ``start_year`` keeps paying the running projects (``grant`` CNY m a
year each, for ``years`` years; a project ends early when its firm exits) and awards new ones
with what is left of ``budget`` x funding to the firms of the targeted zones (with perks) that
spent most on R&D last year (ties by key; no random draw), at most one project per firm at a
time, only firms whose R&D share reaches ``min_rd_share``. The grant adds to the firm's
knowledge stock (CNY m of R&D), which raises its innovation rate, its spill-overs to the zone's
sector and its chance of spinning off a firm (``sim.agents.enterprise.innovate``, ``entrants``).
Cost: the grants, booked as ``region_support``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field

from sim.core.keys import isin_keys
from sim.core.ranking import largest_first
from sim.policies._common import TARGETS_DOC, Targeted
from sim.policies.base import LeverSettings

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


class KeyTechnology(Targeted):
    name = "key_technology"
    area = 2
    title = "Key and core technology programmes"
    intent = ("innovations", 1)

    class Settings(LeverSettings):
        budget: float = Field(300.0, ge=0.0, le=1_000_000.0, description="CNY m a year for key-technology projects "
                              "(estimate: Guangxi's major science and technology special projects, of the order of "
                              "CNY 100s of m a year)")
        grant: float = Field(5.0, gt=0.0, le=10_000.0, description="CNY m a year per project (estimate: major "
                             "provincial projects CNY 2-10 m a year)")
        years: int = Field(3, ge=1, le=20, description="years a project runs (estimate: 3-year programmes)")
        min_rd_share: float = Field(0.01, ge=0.0, le=1.0, description="R&D spending per unit of output a firm "
                                    "needs to apply (share; estimate: the R&D-capable firms)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.keys = np.zeros(0, dtype=np.uint64)  # lineage keys of firms with a project ...
        self.year = np.zeros(0, dtype=np.int64)  # ... and the year it started
        self.cost = 0.0
        self.projects = 0

    def plan_cost(self, model: ZoneModel) -> float:
        return self.settings.budget

    def start_year(self, model: ZoneModel) -> None:
        s, f, y = self.settings, model.firms, model.steps
        L = f.n
        keep = self.year > y - s.years
        self.keys, self.year = self.keys[keep], self.year[keep]
        fk = f.key[:L]
        running = isin_keys(fk, self.keys)
        money = s.budget * self.funding
        grant = s.grant * self.funding
        n_new = max(int((money - grant * running.sum()) // grant), 0) if grant > 0 else 0
        ok = self.mask(model)[f.zone[:L]] & ~running & (f.rd_share[:L] >= s.min_rd_share) & (f.rd[:L] > 0)
        cand = np.flatnonzero(ok)
        new = cand[largest_first(f.rd[cand], fk[cand], n_new)]  # the largest R&D spenders first (ties by key)
        self.keys = np.concatenate([self.keys, fk[new]])
        self.year = np.concatenate([self.year, np.full(new.size, y)])
        funded = np.flatnonzero(running)
        funded = np.concatenate([funded, new])
        # an unfunded running project is dropped when the budget shrinks (the latest first)
        funded = funded[: int(money // grant)] if grant > 0 else funded[:0]
        f.knowledge[funded] += grant
        paid = np.bincount(f.zone[funded], minlength=model.n_zone_slots) * grant
        model.flows["region_support"] += paid  # the year's flows were reset before start_year
        self.cost += float(paid.sum())
        self.projects += int(new.size)

    def summary(self) -> dict[str, Any]:
        return {"cost_cny_m": self.cost, "projects": self.projects}
