"""Area 3, high-tech industry: industry clusters and strategic emerging industries (加速产业集聚
发展, 壮大战略性新兴产业) and the upgrading of traditional industries (加快产业优化升级).

``industry_clusters`` — each targeted zone (with perks) supports its leading sector (the sector
with most of its output last year, when ``leading``) and the strategic emerging ``sectors``:
``start_year`` raises the zone's arrivals of outside firms by ``arrival_gain`` x funding
(chain-based investment promotion, 产业链招商) and, through the ``sector_pull`` hook, adds
``pull`` x funding to the utility with which the zone's start-ups and arriving firms choose a
supported sector (``sim.agents.enterprise.entrants``: the zone's firm mix as logit utilities).
Concentration then works through the model's own agglomeration economies (productivity rises
with the employment of the zone-sector, ``agglomeration_elasticity``). ``end_year`` books
``grant`` per entrant of the year in a supported zone-sector (landing and fit-out support) as
``region_support``.

``industry_upgrading`` — firms of a traditional sector can switch to a more advanced one:
``start_year`` gives each viable firm (profit not negative last year) of the ``from_sectors``
in a targeted zone with perks a yearly chance ``rate`` x funding to upgrade to ``to_sector``,
drawn from the keyed stream ``lever.industry_upgrading.switch`` (firm key, year: the same
firm draws the same number in every package). An upgrading firm installs the new sector's
capital per worker (``capital_per_worker``; the investment is the capital added), takes the new
sector's R&D intensity relative to its old one (a firm at twice its old sector's mean keeps twice
the new mean) and its value-added ratio; its productivity, staff and land are kept (estimate).
The region pays ``grant_share`` of the investment (technical-transformation subsidies,
``region_support``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator

from sim.core.kernels import group_sum
from sim.core.params import N_SECTORS, SECTORS
from sim.policies._common import TARGETS_DOC, Contribution, Targeted
from sim.policies.base import LeverSettings

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel

SECTORS_DOC = "sectors, among: " + ", ".join(SECTORS)
Sector = Literal[SECTORS]  # type: ignore[valid-type]  # one of sim.core.params.SECTORS


class IndustryClusters(Targeted):
    name = "industry_clusters"
    area = 3
    title = "Industry clusters and strategic emerging industries"
    intent = ("output", 1)

    class Settings(LeverSettings):
        sectors: tuple[Sector, ...] = Field(("electronics", "biomedicine", "new_materials"),
                                         description="strategic emerging sectors supported in every targeted zone "
                                                     "(" + SECTORS_DOC + "; default: new-generation IT, biomedicine, new materials, "
                                                     "as in Guangxi's 14th five-year plan for strategic emerging industries)")
        leading: bool = Field(True, description="also support each zone's leading sector (most output last year)")
        pull: float = Field(0.5, ge=0.0, le=10.0, description="utility added to a supported sector in entrants' "
                            "sector choice (log points: 0.5 = 1.65 times the odds; estimate)")
        arrival_gain: float = Field(0.1, ge=0.0, le=10.0, description="rise in the zone's arrivals of outside "
                                    "firms (share; estimate: chain-based investment promotion)")
        grant: float = Field(0.2, ge=0.0, le=10_000.0, description="CNY m per entrant in a supported zone-sector "
                             "(estimate: landing and fit-out support of CNY 0.1-0.5 m per new small firm)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.part = Contribution("arrival_mult", "mul")
        self.supported = np.zeros((0, N_SECTORS), dtype=bool)
        self.cost = 0.0
        self.entrants = 0

    def plan_cost(self, model: ZoneModel) -> None:  # the region's budget estimates it from last year
        return None

    def _supported(self, model: ZoneModel) -> np.ndarray:
        """(zone slots x sectors): supported cells of the targeted zones this year."""
        f, nz = model.firms, model.n_zone_slots
        sup = np.zeros((nz, N_SECTORS), dtype=bool)
        sup[:, [SECTORS.index(s) for s in self.settings.sectors]] = True
        if self.settings.leading and f.n:
            # bincount's sums, compiled when the kernels are on
            out = group_sum(f.zone[:f.n] * N_SECTORS + f.sector[:f.n], f.output[:f.n], nz * N_SECTORS).reshape(nz, N_SECTORS)
            has = out.sum(axis=1) > 0
            sup[np.flatnonzero(has), out[has].argmax(axis=1)] = True
        return sup & self.mask(model)[:, None]

    def start_year(self, model: ZoneModel) -> None:
        self.supported = self._supported(model)
        self.part.set(model, np.where(self.supported.any(axis=1), 1.0 + self.settings.arrival_gain * self.funding, 1.0))

    def sector_pull(self, model: ZoneModel) -> np.ndarray | None:
        if self.settings.pull <= 0 or not self.supported.any():
            return None
        nz = model.n_zone_slots
        sup = np.zeros((nz, N_SECTORS), dtype=bool)
        sup[: min(nz, self.supported.shape[0])] = self.supported[:nz]
        return np.where(sup, self.settings.pull * self.funding, 0.0)

    def end_year(self, model: ZoneModel) -> None:
        f, nz = model.firms, model.n_zone_slots
        L = f.n
        new = np.flatnonzero((f.age[:L] == 0) & (f.origin[:L] != 0))  # this year's entrants
        sup = np.zeros((nz, N_SECTORS), dtype=bool)
        sup[: min(nz, self.supported.shape[0])] = self.supported[:nz]
        new = new[sup[f.zone[new], f.sector[new]]]
        cost = np.bincount(f.zone[new], minlength=nz) * self.settings.grant * self.funding
        model.flows["region_support"] += cost
        self.cost += float(cost.sum())
        self.entrants += int(new.size)

    def summary(self) -> dict[str, Any]:
        return {"cost_cny_m": self.cost, "supported_entrants": self.entrants}


class IndustryUpgrading(Targeted):
    name = "industry_upgrading"
    area = 3
    title = "Upgrading of traditional industries"
    intent = ("value_added", 1)
    STREAM = "lever.industry_upgrading.switch"

    class Settings(LeverSettings):
        from_sectors: tuple[Sector, ...] = Field(("traditional",), description="sectors whose firms may upgrade ("
                                              + SECTORS_DOC + ")")
        to_sector: Sector = Field("advanced_manufacturing", description="sector an upgrading firm moves to ("
                               + SECTORS_DOC + ")")
        rate: float = Field(0.03, ge=0.0, le=1.0, description="yearly chance that an eligible firm upgrades "
                            "(estimate: Guangxi's technical-transformation programmes reach a few per cent of "
                            "industrial firms a year)")
        grant_share: float = Field(0.2, ge=0.0, le=1.0, description="share of the upgrade investment (the capital "
                                   "added) the region pays (estimate: technical-transformation subsidies of 10-30%)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

        @field_validator("to_sector")
        @classmethod
        def _check_to(cls, v: str, info: ValidationInfo) -> str:
            if v in info.data.get("from_sectors", ()):
                raise ValueError("must differ from every sector in from_sectors")
            return v

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.cost = self.invested = 0.0
        self.upgraded = 0

    def setup(self, model: ZoneModel) -> None:
        super().setup(model)
        model.streams.register(self.STREAM)

    def plan_cost(self, model: ZoneModel) -> None:  # the region's budget estimates it from last year
        return None

    def in_from_sectors(self, sector: np.ndarray) -> np.ndarray:
        """Mask of sector codes (0 .. N_SECTORS - 1) in ``from_sectors``: a five-entry table
        gathered by sector, np.isin's answer without its sort."""
        table = np.zeros(N_SECTORS, dtype=bool)
        table[[SECTORS.index(x) for x in self.settings.from_sectors]] = True
        return table[sector]

    def start_year(self, model: ZoneModel) -> None:
        s, f, p = self.settings, model.firms, model.params
        L = f.n
        if s.rate <= 0 or L == 0:
            return
        frm = self.in_from_sectors(f.sector[:L])
        cand = np.flatnonzero(frm & self.mask(model)[f.zone[:L]] & (f.profit[:L] >= 0.0) & (f.output[:L] > 0))
        if cand.size == 0:
            return
        draw = model.streams.uniform(self.STREAM, model.steps, f.key[cand])
        up = cand[draw < s.rate * self.funding]
        if up.size == 0:
            return
        to = SECTORS.index(s.to_sector)
        old = f.sector[up]
        cap = np.asarray(p.capital_per_worker)
        added = np.maximum(f.capital[up] * (cap[to] / cap[old] - 1.0), 0.0)  # new equipment; none taken out
        f.capital[up] += added
        f.rd_share[up] *= model.sector_rd[to] / model.sector_rd[old]
        f.sector[up] = to
        paid = np.bincount(f.zone[up], weights=s.grant_share * added, minlength=model.n_zone_slots)
        model.flows["region_support"] += paid  # the year's flows were reset before start_year
        self.cost += float(paid.sum())
        self.invested += float(added.sum())
        self.upgraded += int(up.size)

    def summary(self) -> dict[str, Any]:
        return {"cost_cny_m": self.cost, "invested_cny_m": self.invested, "firms_upgraded": self.upgraded}
