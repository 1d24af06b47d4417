"""Area 2, innovation capability (创新能力): high-level talent, platform building, technology transfer.

``high_level_talent`` — the document's talent measure: ``end_year`` pays a one-off ``grant`` per
high-level person (skill >= ``min_skill``) newly recruited into a targeted zone (new graduates and
people from outside Guangxi; once per cohort) and ``support`` a year to recruits for
``support_years``; ``start_year`` puts the programme's expected value per skilled person into
``subsidy_extra`` (the location logit does not tell skills apart).

``talent_subsidy`` — (kept for comparison) ``start_year``: the region pays ``amount`` (CNY k per skilled person per
year) to the talent of the targeted zones (``subsidy_extra``, which enters the talent location
logit next to the zone's own subsidy); ``end_year`` books its cost (amount x head-count) as
``region_support``. Zones without perks get nothing.

``platform_building`` — ``start_year``: the region co-funds ``budget`` CNY m a year of innovation
platforms in the targeted zones, split ``equal``, by ``output`` or by ``need`` (fewest platforms
first, in inverse proportion); platforms = money / ``params.platform_cost``;
``end_year`` books the money as ``region_support``. The platforms' effect
on innovation and start-ups is the model's (log of the stock: diminishing returns).

``tech_transfer`` — ``start_year``: the targeted zones' innovation rate (``innovation_mult``) is
multiplied by ``1 + gain`` (x funding): faster transfer of research results into firms'
innovations; the region pays ``cost_per_zone`` a year per targeted zone (``region_support``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field

from sim.core.keys import KeyIndex, isin_keys
from sim.core.units import m_from_k
from sim.policies._common import TARGETS_DOC, Contribution, Targeted
from sim.policies.base import LeverSettings

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


class TalentSubsidy(Targeted):
    name = "talent_subsidy"
    measure = False  # not the document's measure (issue 17); kept for comparison
    area = 2
    title = "Talent subsidies paid by the region"
    intent = ("talent", 1)

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
    intent = ("innovations", 1)

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
    intent = ("innovations", 1)

    class Settings(LeverSettings):
        gain: float = Field(0.15, ge=0.0, le=5.0, description="rise in the innovation rate (share; estimate)")
        cost_per_zone: float = Field(20.0, ge=0.0, le=100_000.0, description="CNY m a year per targeted zone: "
                                     "transfer centres, technology brokers and awards for transferred results "
                                     "(estimate: a centre's running cost plus awards, ~CNY 10-30 m a zone-year)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.part = Contribution("innovation_mult", "mul")
        self.cost = 0.0

    def plan_cost(self, model: ZoneModel) -> float:
        return self.settings.cost_per_zone * float(self.mask(model, perks=False).sum())

    def start_year(self, model: ZoneModel) -> None:
        m = self.mask(model, perks=False)
        self.part.set(model, np.where(m, 1.0 + self.settings.gain * self.funding, 1.0))
        cost = np.where(m, self.settings.cost_per_zone * self.funding, 0.0)
        model.flows["region_support"] += cost  # the year's flows were reset before start_year
        self.cost += float(cost.sum())

    def summary(self) -> dict[str, Any]:
        return {"cost_cny_m": self.cost}


class HighLevelTalent(Targeted):
    name = "high_level_talent"
    area = 2
    title = "Recruiting and supporting high-level talent"
    intent = ("talent", 1)

    class Settings(LeverSettings):
        grant: float = Field(100.0, ge=0.0, le=100_000.0, description="CNY k, one-off, per high-level person "
                             "newly arrived in a targeted zone (estimate: Guangxi's tiered high-level talent "
                             "housing and settling-in grants, ~CNY 50 k-1 m a person by tier)")
        support: float = Field(20.0, ge=0.0, le=100_000.0, description="CNY k a year per supported high-level "
                               "person in a targeted zone, for support_years after arrival (estimate: living "
                               "allowances and research start-up funds)")
        support_years: int = Field(3, ge=1, le=40, description="years a newly recruited person is supported "
                                   "(estimate: programmes run 3-5 years)")
        min_skill: float = Field(1.3, ge=0.0, le=100.0, description="skill units a person needs to count as high-"
                                 "level talent for the programme (default: the model's high_skill_threshold)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.part = Contribution("subsidy_extra", "add")
        self.keys = np.zeros(0, dtype=np.uint64)  # lineage keys of cohorts ever recruited ...
        self.year = np.zeros(0, dtype=np.int64)  # ... and their year of arrival
        self.before: tuple[np.ndarray, np.ndarray] | None = None  # (keys, zones) at the start of the year
        self.cost = self.grants = self.supports = 0.0
        self.recruited = 0.0

    def plan_cost(self, model: ZoneModel) -> None:  # the region's budget estimates it from last year
        return None

    def _value(self, model: ZoneModel) -> float:
        """The programme's yearly value to a skilled person choosing a zone, CNY k: the chance of
        being high-level x (support + the grant spread over the support years). The location logit
        (``sim.agents.talent``) does not tell skills apart, so the programme enters it at its
        expected value for a cohort."""
        s, t = self.settings, model.talent
        high = float(np.mean(t.skill[:t.n] >= s.min_skill)) if t.n else 0.0
        return high * (s.support + s.grant / s.support_years)

    def start_year(self, model: ZoneModel) -> None:
        t = model.talent
        self.part.set(model, np.where(self.mask(model), self._value(model) * self.funding, 0.0))
        self.before = (t.key[:t.n].copy(), t.zone[:t.n].copy())

    def end_year(self, model: ZoneModel) -> None:
        s, t, n = self.settings, model.talent, model.n_zone_slots
        year, scale = model.steps, float(model.params.talent_scale)
        C = t.n
        key, zone = t.key[:C], t.zone[:C]
        here = np.zeros(C, dtype=bool)
        m = self.mask(model)
        here[zone >= 0] = m[zone[zone >= 0]]
        high = here & (t.skill[:C] >= s.min_skill)
        # newly recruited: new graduates and people from outside Guangxi (a move between zones is not
        # a recruit for the region), each cohort at most once
        inside = np.zeros(C, dtype=bool)
        if self.before is not None and self.before[0].size:
            index = KeyIndex(self.before[0])
            if index.repeated:  # two cohorts with one key (chance ~1e-10): the one a sort finds, as ever
                o = np.argsort(self.before[0])
                k0, z0 = self.before[0][o], self.before[1][o]
                pos = np.minimum(np.searchsorted(k0, key), k0.size - 1)
                inside = (k0[pos] == key) & (z0[pos] >= 0)
            else:
                pos = index.find(key)
                inside = (pos >= 0) & (self.before[1][pos] >= 0)
        new = high & ~inside & ~isin_keys(key, self.keys)
        self.keys = np.concatenate([self.keys, key[new]])
        self.year = np.concatenate([self.year, np.full(int(new.sum()), year)])
        supported = high & isin_keys(key, self.keys[self.year > year - s.support_years])
        grants = m_from_k(s.grant * self.funding * scale * np.bincount(zone[new], minlength=n))
        support = m_from_k(s.support * self.funding * scale * np.bincount(zone[supported], minlength=n))
        model.flows["region_support"] += grants + support
        self.grants += float(grants.sum())
        self.supports += float(support.sum())
        self.cost += float((grants + support).sum())
        self.recruited += float(new.sum()) * scale

    def summary(self) -> dict[str, Any]:
        return {"cost_cny_m": self.cost, "grants_cny_m": self.grants, "support_cny_m": self.supports,
                "recruited_people": self.recruited}
