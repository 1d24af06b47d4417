"""Area 5, land (优化土地资源配置): the firm-level 亩均效益 reform and zone boundary expansion.

``mu_yield`` (亩均效益评价, 资源要素差别化配置) — each zone's committee classes its firms every
year by what they yield per mu of land (1 mu = 1/1,500 km2), as Zhejiang's 亩均论英雄 reform and
Guangxi's 2019 亩均效益 evaluation do: a score ``weight_tax`` x (tax per mu) / (zone median) +
(1 - ``weight_tax``) x (output per mu) / (zone median), from last year's output and tax; firms on
at least ``min_mu`` mu are ranked within their zone and the top ``shares[0]`` are class A, the next
``shares[1]`` B, then C, and the bottom ``shares[3]`` D (firms with no output yet, or on less land,
are not classed). Lifecycle:

* ``start_year``: classify (vectorised: one lexsort by zone and score); D-class firms that have
  been D ``reclaim_after`` years running give back ``reclaim_share`` of their land (收回 /
  腾退: the plot is reclaimed or redeveloped; the firm intensifies on the rest): the land goes
  back to the zone's free developed land, for entrants and growing firms. The region pays
  ``reclaim_cost`` per km2 reclaimed (compensation), booked to its budget.
* ``firm_costs`` (production): each classed firm's resource bill (energy: output x the sector's
  energy intensity x ``energy_price``; water: ``water_share`` x output; the land-use tax:
  ``land_tax`` x km2) changes by its class's ``price_a`` .. ``price_d`` (差别化电价、水价、城镇土地使用税):
  a discount for A, a surcharge for C and D. Profit, and so growth and loss-driven exit, move
  with it.
* ``end_year``: what the region paid in discounts less what it collected in surcharges, per zone
  (not below zero), is booked to its budget (surcharge revenue funds the discounts, as Zhejiang's
  差别化电价 revenue does); the gross figures are in the summary.

``zone_expansion`` (扩区) — zones that run out of land are granted extra area. ``end_year``: a
targeted zone qualifies when (rule ``blocked``) at least ``min_blocked`` would-be entrants were
turned away for lack of land this year, or (rule ``room``) its undeveloped room inside the
boundary is below ``room_share`` of its developed land; at most ``max_grants`` grants a zone,
``gap_years`` apart, and at most ``per_year`` grants a year (most entrants turned away first,
ties by slot). ``start_year`` of the next year: the boundary grows by ``km2`` x funding, and the
region pays ``cost_per_km2`` (land acquisition and compensation net of land sales, trunk
infrastructure), booked to its budget. The new area is undeveloped: the zone asks for quota for
it and develops it as any other land (``sim.agents.zone.land_demand``, ``develop_land``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, field_validator

from sim.core import kernels
from sim.core.kernels import group_sum, group_sums
from sim.core.keys import KeyIndex
from sim.core.ranking import group_medians, order_within_groups
from sim.policies._common import TARGETS_DOC, Targeted
from sim.policies.base import LeverSettings
from sim.policies.environment import ENERGY_INTENSITY

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel

MU_PER_KM2 = 1500.0  # 1 mu = 666.67 m2
CLASSES = ("A", "B", "C", "D")
UNCLASSED = -1


class MuYield(Targeted):
    name = "mu_yield"
    area = 5
    title = "Yield per mu (亩均效益): firms classed by output and tax per mu; differentiated prices; low-yield plots reclaimed"
    intent = ("output_per_km2", 1)

    class Settings(LeverSettings):
        weight_tax: float = Field(0.6, ge=0.0, le=1.0, description="weight of tax per mu in the score; the rest "
                                  "is output per mu (estimate: Zhejiang's evaluation weighs tax per mu most)")
        shares: tuple[float, float, float, float] = Field(
            (0.2, 0.5, 0.2, 0.1), description="shares of a zone's classed firms in classes A, B, C, D, best first "
            "(estimate: Zhejiang counties put 5-10% of firms in D)")
        price_a: float = Field(-0.05, ge=-1.0, le=5.0, description="change of an A firm's resource bill (energy, "
                               "water, land-use tax), share (estimate: land-use tax rebates for A firms, a few per "
                               "cent of their bill)")
        price_b: float = Field(0.0, ge=-1.0, le=5.0, description="change of a B firm's resource bill, share")
        price_c: float = Field(0.1, ge=-1.0, le=5.0, description="change of a C firm's resource bill, share "
                               "(estimate: Zhejiang's differentiated power prices add CNY 0.05-0.1 per kWh for C)")
        price_d: float = Field(0.3, ge=-1.0, le=5.0, description="change of a D firm's resource bill, share "
                               "(estimate: CNY 0.1-0.3 per kWh more for D, ~15-50% of the power price, and the full "
                               "land-use tax)")
        energy_price: float = Field(2500.0, ge=0.0, le=100_000.0, description="CNY per tce of the energy bill "
                                    "(estimate: a mix of power at ~CNY 0.6 per kWh, ~CNY 4,900 per tce, and coal "
                                    "at ~CNY 1,000 per tce)")
        water_share: float = Field(0.005, ge=0.0, le=1.0, description="water bill per CNY of output (estimate: "
                                   "industrial water ~0.5% of output value)")
        land_tax: float = Field(9.0, ge=0.0, le=1_000.0, description="CNY m per km2 a year: the urban land-use tax "
                                "(CNY 1.5-30 per m2 a year by law; ~CNY 9 for industrial land in Guangxi's cities; "
                                "estimate)")
        min_mu: float = Field(3.0, ge=0.0, le=1_000_000.0, description="mu of land below which a firm is not "
                              "classed (Zhejiang: firms on 3 mu or more)")
        reclaim_share: float = Field(0.2, ge=0.0, le=1.0, description="share of a persistent D firm's land "
                                     "reclaimed a year (estimate)")
        reclaim_after: int = Field(2, ge=1, le=50, description="consecutive D years before its land is reclaimed "
                                   "(estimate: a year of rectification first)")
        reclaim_cost: float = Field(150.0, ge=0.0, le=100_000.0, description="CNY m per km2 reclaimed: "
                                    "compensation (estimate: ~CNY 100 k per mu of industrial land buy-back)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

        @field_validator("shares")
        @classmethod
        def _sum_one(cls, v: tuple[float, ...]) -> tuple[float, ...]:
            if any(x < 0 for x in v) or abs(sum(v) - 1.0) > 1e-6:
                raise ValueError("the four shares must be >= 0 and sum to 1")
            return v

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.cls = np.zeros(0, dtype=np.int64)  # class of each live firm this year (slots), -1 unclassed
        self.d_keys = np.zeros(0, dtype=np.uint64)  # sorted keys of last year's D firms ...
        self.d_years = np.zeros(0, dtype=np.int64)  # ... and their consecutive D years
        self.rebate = self.surcharge = np.zeros(0)  # CNY m per zone slot this year
        self.reclaimed = self.compensation = 0.0
        self.rebates = self.surcharges = self.booked = 0.0
        self.counts = np.zeros(len(CLASSES), dtype=np.int64)  # firms in each class, last year
        self.output_per_mu = np.zeros(len(CLASSES))  # CNY m of output per mu by class, last year
        # _due's last answer and what it was computed from (plan_cost and start_year both ask)
        self._due_memo: tuple[np.ndarray, ...] | None = None

    def prices(self) -> np.ndarray:
        """Change of the resource bill by class A..D, share."""
        s = self.settings
        return np.array([s.price_a, s.price_b, s.price_c, s.price_d])

    def _changes(self, cls: np.ndarray, funding: float | None = None) -> np.ndarray:
        """Change of each firm's bill by its class (``cls``: 0..3, -1 unclassed: no change), the
        discounts scaled by ``funding`` when given. One gather from a five-entry table whose last
        entry (index -1) is the unclassed firms' 0: the same numbers as
        ``np.where(cls >= 0, prices[max(cls, 0)], 0)`` and then scaling each negative change,
        without three passes over all firms."""
        return self._table(funding)[cls]

    def _table(self, funding: float | None = None) -> np.ndarray:
        """The change of the bill by class A..D and, last (index -1), unclassed (0); the discounts
        scaled by ``funding`` when given."""
        table = np.append(self.prices(), 0.0)
        if funding is not None:
            table = np.where(table < 0, table * funding, table)
        return table

    def _per_output(self) -> np.ndarray:
        """The bill per CNY of output by sector (energy at the sector's intensity, and water)."""
        s = self.settings
        return ENERGY_INTENSITY * s.energy_price / 10_000.0 + s.water_share

    def classify(self, model: ZoneModel) -> np.ndarray:
        """Class (0 A .. 3 D, -1 unclassed) of every live firm from last year's output and tax."""
        s, f = self.settings, model.firms
        L = f.n
        z = f.zone[:L]
        mu = f.land[:L] * MU_PER_KM2
        ok = self.mask(model, perks=False)[z] & (f.output[:L] > 0) & (mu >= max(s.min_mu, 1e-9))
        i = np.flatnonzero(ok)
        cls = np.full(L, UNCLASSED, dtype=np.int64)
        if i.size == 0:
            return cls
        nz = model.n_zone_slots
        mu_i = mu[i]
        out_mu, tax_mu = f.output[i] / mu_i, f.tax[i] / mu_i
        zi = z[i]
        med_tax, med_out = np.maximum(group_medians(zi, np.stack([tax_mu, out_mu]), nz, 1.0), 1e-12)  # one gathering
        score = s.weight_tax * tax_mu / med_tax[zi] + (1.0 - s.weight_tax) * out_mu / med_out[zi]
        # rank within zone, best first (ties by key: no draw needed)
        o = order_within_groups(zi, -score, f.key[i], nz)  # np.lexsort((f.key[i], -score, zi))
        counts = group_sum(zi, None, nz)  # np.bincount(zi, minlength=nz), compiled when the kernels are on
        start = np.cumsum(counts) - counts
        pos = np.empty(i.size)
        zo = zi[o]
        pos[o] = (np.arange(i.size) - start[zo] + 0.5) / counts[zo]  # rank share in (0, 1)
        cut = np.cumsum(s.shares)[:-1]  # ascending: a firm's class is the number of cuts at or below its place
        ci = (pos >= cut[0]).astype(np.int64)  # np.searchsorted(cut, pos, side="right"), 3 comparisons
        for c in cut[1:]:
            ci += pos >= c
        cls[i] = ci
        return cls

    def plan_cost(self, model: ZoneModel) -> float:
        """Discounts less surcharges at last year's output (the net the region pays), plus the
        compensation for this year's reclaiming at full strength."""
        s, f = self.settings, model.firms
        self.cls = self.classify(model)
        L = f.n
        bill = self._bill(model, L)
        change = self._changes(self.cls)
        net = max(-float(np.sum(np.minimum(change, 0.0) * bill)) - float(np.sum(np.maximum(change, 0.0) * bill)), 0.0)
        due = self._due(model)
        return net + s.reclaim_cost * s.reclaim_share * float(f.land[:L][due].sum())

    def _bill(self, model: ZoneModel, L: int) -> np.ndarray:
        """Each firm's yearly resource bill at its current output, CNY m."""
        s, f = self.settings, model.firms
        # the bill per CNY of output by sector, gathered: the same per-element arithmetic as on
        # the gathered intensities, done on five numbers
        per_output = self._per_output()[f.sector[:L]]
        return f.output[:L] * per_output + s.land_tax * f.land[:L]

    def _due(self, model: ZoneModel) -> np.ndarray:
        """Mask of live firms in class D this year that have been D ``reclaim_after`` years running
        (and ``self._d_run``: each firm's D years running, 0 if not D).

        The budget's ``plan_cost`` and ``start_year`` both ask, with other levers' ``start_year``
        between them; the answer depends only on the classes (``self.cls``), last year's D firms
        (``self.d_keys``, ``self.d_years``: both replaced, never changed in place) and the firms'
        keys by slot, so it is reused when those are the same objects and the keys are equal."""
        f = model.firms
        L = f.n
        memo = self._due_memo
        if (memo is not None and memo[0] is self.cls and memo[1] is self.d_keys and memo[2] is self.d_years
                and memo[3].size == L and np.array_equal(memo[3], f.key[:L])):
            self._d_run = memo[4]
            return memo[5]
        d = self.cls[:L] == 3
        i = np.flatnonzero(d)  # only D firms can be due: look up their keys alone
        years = np.zeros(i.size, dtype=np.int64)  # D years before this one
        if self.d_keys.size and i.size:
            keys = f.key[i]
            index = KeyIndex(self.d_keys)
            if index.repeated:  # two firms with one key (chance ~1e-10): the one the binary search finds, as ever
                pos = np.minimum(np.searchsorted(self.d_keys, keys), self.d_keys.size - 1)
                hit = self.d_keys[pos] == keys
            else:
                pos = index.find(keys)
                hit = pos >= 0
            years[hit] = self.d_years[pos[hit]]
        self._d_run = np.zeros(L, dtype=np.int64)
        self._d_run[i] = years + 1
        due = np.zeros(L, dtype=bool)
        due[i] = years + 1 >= self.settings.reclaim_after
        self._due_memo = (self.cls, self.d_keys, self.d_years, f.key[:L].copy(), self._d_run, due)
        return due

    def start_year(self, model: ZoneModel) -> None:
        s, f, nz = self.settings, model.firms, model.n_zone_slots
        L = f.n
        if self.cls.size != L:  # plan_cost classifies; a direct call classifies here
            self.cls = self.classify(model)
        due = self._due(model)
        d = self._d_run > 0
        kd = f.key[:L][d]
        o = np.argsort(kd)
        self.d_keys, self.d_years = kd[o], self._d_run[d][o]
        # firms, output and mu by class: bincount's sums, one compiled pass when the kernels are on;
        # unclassed firms (-1) go to group 7 (-1 & 7), dropped (each group adds its members in slot
        # order, so classes A..D get the same sums as from the classed firms alone). The bitwise and
        # is one cheap pass; np.where(cls >= 0, cls, 4) took 0.37 ms on 61,000 firms (Intel machine)
        nc = len(CLASSES)
        counts, out, mu = group_sums(self.cls & 7, (f.output[:L], f.land[:L] * MU_PER_KM2), 8, count=True)
        self.counts, out, mu = counts[:nc], out[:nc], mu[:nc]
        self.output_per_mu = np.divide(out, mu, out=np.zeros(len(CLASSES)), where=mu > 0)
        i = np.flatnonzero(due)
        take = s.reclaim_share * self.funding * f.land[i]
        f.land[i] -= take  # the plot goes back to the zone's free developed land
        back = np.bincount(f.zone[i], weights=take, minlength=nz)
        model.flows["land_reclaimed"] += back
        comp = s.reclaim_cost * back
        model.flows["region_support"] += comp  # the year's flows were reset before start_year
        self.reclaimed += float(back.sum())
        self.compensation += float(comp.sum())
        self.rebate, self.surcharge = np.zeros(nz), np.zeros(nz)

    def firm_costs(self, model: ZoneModel) -> np.ndarray | None:
        f = model.firms
        L = f.n
        if model.steps == 0 or self.cls.size == 0:
            return None
        k = min(L, self.cls.size)
        nz = model.n_zone_slots
        z = f.zone[:L]
        # one compiled pass when the kernels are on (the same numbers: kernels.class_bill_changes)
        got = kernels.class_bill_changes(self.cls[:k], self._table(self.funding), f.output[:L], self._per_output(),
                                         f.sector[:L], f.land[:L], self.settings.land_tax, z, nz)
        if got is not None:
            extra, self.rebate, self.surcharge = got
            return extra
        change = np.zeros(L)  # firms added after classification (parks joining) are unclassed: 0
        change[:k] = self._changes(self.cls[:k], self.funding)  # the region funds the discounts
        extra = change * self._bill(model, L)
        self.rebate, self.surcharge = group_sums(z, (np.maximum(-extra, 0.0), np.maximum(extra, 0.0)), nz)
        return extra

    def end_year(self, model: ZoneModel) -> None:
        if self.rebate.size == 0:
            return
        nz = model.n_zone_slots
        rebate = np.pad(self.rebate, (0, nz - self.rebate.size))
        surcharge = np.pad(self.surcharge, (0, nz - self.surcharge.size))
        net = np.maximum(rebate - surcharge, 0.0)
        model.flows["region_support"] += net
        self.rebates += float(rebate.sum())
        self.surcharges += float(surcharge.sum())
        self.booked += float(net.sum())

    def summary(self) -> dict[str, Any]:
        return {"reclaimed_km2": self.reclaimed, "compensation_cny_m": self.compensation,
                "discounts_cny_m": self.rebates, "surcharges_cny_m": self.surcharges,
                "net_price_cost_cny_m": self.booked,
                "firms_by_class": dict(zip(CLASSES, self.counts.tolist())),
                "output_per_mu_by_class_cny_m": dict(zip(CLASSES, self.output_per_mu.tolist()))}


class ZoneExpansion(Targeted):
    name = "zone_expansion"
    area = 5
    title = "Zone boundary expansion (扩区) for zones that run out of land"
    intent = ("output", 1)

    class Settings(LeverSettings):
        rule: Literal["blocked", "room"] = Field("room", description="when a zone qualifies: 'blocked' "
                                                 "(would-be entrants turned away for lack of land) or 'room' "
                                                 "(little undeveloped land left inside the boundary)")
        min_blocked: int = Field(50, ge=1, le=1_000_000, description="entrants turned away in a year that make a "
                                 "zone qualify (rule blocked; estimate)")
        room_share: float = Field(0.1, ge=0.0, le=10.0, description="undeveloped room below this share of the "
                                  "developed land makes a zone qualify (rule room; estimate)")
        km2: float = Field(5.0, gt=0.0, le=10_000.0, description="km2 added to the boundary per grant (estimate: "
                           "boundary adjustments approved for Chinese zones add a few to tens of km2)")
        max_grants: int = Field(3, ge=1, le=100, description="grants a zone may get over the run (estimate)")
        gap_years: int = Field(3, ge=1, le=100, description="years between two grants to one zone (estimate: "
                               "each adjustment needs the region's and the land ministry's approval)")
        per_year: int = Field(2, ge=1, le=1000, description="grants the region approves a year (estimate)")
        cost_per_km2: float = Field(100.0, ge=0.0, le=100_000.0, description="CNY m per km2 the region pays: land "
                                    "acquisition and compensation net of later land sales, and trunk "
                                    "infrastructure (estimate: ~CNY 65 k per mu)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.pending = np.zeros(0, dtype=np.int64)  # slots granted at the next start_year
        self.grants: np.ndarray = np.zeros(0, dtype=np.int64)
        self.last: np.ndarray = np.zeros(0, dtype=np.int64)
        self.events: list[dict[str, Any]] = []
        self.added = self.cost = 0.0

    def plan_cost(self, model: ZoneModel) -> float:
        return self.settings.km2 * self.settings.cost_per_km2 * self.pending.size

    def start_year(self, model: ZoneModel) -> None:
        s, zs = self.settings, model.zones
        z = self.pending[zs.alive[self.pending]] if self.pending.size else self.pending
        self.pending = np.zeros(0, dtype=np.int64)
        if z.size == 0:
            return
        km2 = s.km2 * self.funding
        zs.land_total[z] += km2
        cost = np.zeros(zs.capacity)
        cost[z] = s.cost_per_km2 * km2
        model.flows["region_support"] += cost  # the year's flows were reset before start_year
        self.added += km2 * z.size
        self.cost += float(cost.sum())
        for slot in z.tolist():
            self.events.append({"year": model.start_year + model.steps, "zone": model.zone_ids[slot], "km2": km2})

    def end_year(self, model: ZoneModel) -> None:
        s, zs = self.settings, model.zones
        n = zs.capacity
        self.grants = np.pad(self.grants, (0, n - self.grants.size))
        self.last = np.pad(self.last, (0, n - self.last.size), constant_values=-10**6)
        blocked = model.flows["entries_blocked"]
        if s.rule == "blocked":
            need = blocked >= s.min_blocked
        else:
            room = zs.land_total - zs.land_developed - zs.land_allotted
            need = room < s.room_share * zs.land_developed
        ok = (self.mask(model) & need & (self.grants < s.max_grants)
              & (model.steps + 1 - self.last >= s.gap_years))
        cand = np.flatnonzero(ok)
        cand = cand[np.lexsort((cand, -blocked[cand]))][: s.per_year]
        self.grants[cand] += 1
        self.last[cand] = model.steps + 1
        self.pending = cand

    def summary(self) -> dict[str, Any]:
        return {"grants": list(self.events), "km2_added": self.added, "cost_cny_m": self.cost}
