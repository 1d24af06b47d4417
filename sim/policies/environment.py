"""Area 5, development environment (发展环境): management reform, fiscal autonomy, technology
finance, green development. (Land allocation, also area 5, is ``land_allocation``.)

``management_reform`` — devolved region- and city-level economic powers (下放经济管理权限),
modelled as management efficiency (performance pay is ``performance_pay``, the direct channel
``direct_channel``, in ``sim.policies.governance``): ``start_year`` moves
each targeted zone's ``mgmt_eff`` a share ``speed`` (x funding) of the way to ``target`` and books
``cost_per_zone`` (the performance-pay pool and running cost) as ``region_support``. Efficiency
scales the zone's service effect and how much land it can develop.

``fiscal_autonomy`` — first-level fiscal authority: ``start_year`` sets the targeted zones'
``tax_share`` (share of tax raised they keep) to ``share`` (to the world's ``zone_tax_share``
plus the region's funded share of the difference, when the region's budget cannot fund all its
measures); zones without perks keep the world's ``zone_tax_share``. The revenue the region
forgoes counts against the region's budget (planned from last year's tax raised) and is booked
as ``region_support`` at ``end_year``. Zones keeping more tax have more to spend, and their
committees value output more (retained tax).

``tech_finance`` — technology finance for viable, R&D-intensive firms: ``start_year`` lends each
eligible firm of a targeted zone (last year's margin above ``min_margin``, R&D share at the
certification threshold or certified, no loan running) ``loan_ratio`` x its output, which
finances capital; the region pays ``interest_subsidy`` a year on the running loans and
``risk_share`` of new ones (``region_support``); at the end of its ``term`` the loan is repaid
and the capital it financed goes back. Loss-makers get nothing.

``green_development`` — green development supported: ``start_year`` pays ``subsidy_share`` of
energy-saving upgrades (``investment`` x output) of the targeted zones' biggest energy users,
up to ``budget`` a year; an upgraded firm uses ``saving`` less energy per unit of output and its
productivity rises by the energy bill saved. Energy use: output x ``ENERGY_INTENSITY`` by sector.

``green_constraint`` — (not the document's measure, kept for comparison) energy-intensive growth
capped: ``start_year`` sets the targeted zones' ``growth_cap``, the most log-employment growth a
firm of an energy-intensive sector (``sim.agents.enterprise.ENERGY_INTENSIVE``) may take in a year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field

from sim.core import kernels
from sim.core.kernels import group_sum
from sim.core.keys import KeyIndex, isin_keys
from sim.core.ranking import largest_first
from sim.policies._common import TARGETS_DOC, Targeted
from sim.policies.base import LeverSettings

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


class ManagementReform(Targeted):
    name = "management_reform"
    area = 5
    title = "Devolved economic powers (management efficiency)"
    intent = ("output", 1)

    class Settings(LeverSettings):
        target: float = Field(0.85, ge=0.0, le=1.0, description="management efficiency the reform aims at "
                              "(0..1; the best zones start at 0.75; estimate)")
        speed: float = Field(0.15, ge=0.0, le=1.0, description="share of the gap to target closed per year "
                             "(estimate)")
        cost_per_zone: float = Field(8.0, ge=0.0, le=100_000.0, description="CNY m a year per targeted zone: the "
                                     "performance-pay pool and the reform's running cost (estimate: ~200 committee "
                                     "staff x CNY 0.2 m pay x a 20% performance-pay pool)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.cost = 0.0

    def plan_cost(self, model: ZoneModel) -> float:
        return self.settings.cost_per_zone * float(self.mask(model, perks=False).sum())

    def start_year(self, model: ZoneModel) -> None:
        zs, m = model.zones, self.mask(model, perks=False)
        gap = np.maximum(self.settings.target - zs.mgmt_eff, 0.0)
        zs.mgmt_eff[:] = np.where(m, zs.mgmt_eff + self.settings.speed * self.funding * gap, zs.mgmt_eff)
        cost = np.where(m, self.settings.cost_per_zone * self.funding, 0.0)
        model.flows["region_support"] += cost  # the year's flows were reset before start_year
        self.cost += float(cost.sum())

    def summary(self) -> dict[str, Any]:
        return {"cost_cny_m": self.cost}


class FiscalAutonomy(Targeted):
    name = "fiscal_autonomy"
    area = 5
    title = "Fiscal autonomy (share of tax a zone keeps)"
    intent = ("output", 1)

    class Settings(LeverSettings):
        share: float = Field(0.4, ge=0.0, le=1.0, description="share of tax raised the zone keeps (the "
                             "world default is 0.25; estimate)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.forgone = 0.0

    def plan_cost(self, model: ZoneModel) -> float:
        """Revenue forgone at full strength, from last year's tax raised in the targeted zones."""
        zs = model.zones
        extra = max(self.settings.share - model.params.zone_tax_share, 0.0)
        return float(extra * np.sum(np.where(self.mask(model), zs.tax_raised, 0.0)))

    def start_year(self, model: ZoneModel) -> None:
        zs = model.zones
        base = model.params.zone_tax_share
        share = base + self.funding * (self.settings.share - base) if self.settings.share > base else self.settings.share
        zs.tax_share[:] = np.where(self.mask(model), share, np.where(zs.alive, base, zs.tax_share))

    def end_year(self, model: ZoneModel) -> None:
        zs = model.zones
        extra = (zs.tax_share - model.params.zone_tax_share) * zs.tax_raised
        extra = np.where(zs.alive, extra, 0.0)
        model.flows["region_support"] += extra
        self.forgone += float(extra.sum())

    def summary(self) -> dict[str, Any]:
        return {"forgone_tax_cny_m": self.forgone}


class TechFinance(Targeted):
    name = "tech_finance"
    area = 5
    title = "Technology finance (loans for viable R&D-intensive firms)"
    intent = ("output", 1)

    class Settings(LeverSettings):
        loan_ratio: float = Field(0.1, ge=0.0, le=5.0, description="loan to an eligible firm as a share of its "
                                  "yearly output, turned into capital (estimate: Guangxi's tech-SME loans of CNY "
                                  "1-10 m for firms with CNY 10-50 m revenue)")
        interest_subsidy: float = Field(0.02, ge=0.0, le=1.0, description="share of an outstanding loan the region "
                                        "pays each year of its term (贴息; estimate: about half the 2021 one-year "
                                        "LPR of 3.85%)")
        risk_share: float = Field(0.03, ge=0.0, le=1.0, description="share of each new loan the region's risk-"
                                  "compensation pool pays for defaults (estimate: ~6% default rate x 50% "
                                  "compensation)")
        term: int = Field(3, ge=1, le=30, description="years a loan runs; a firm gets a new loan only after its "
                          "last one ends (estimate: tech loans run 1-3 years)")
        min_margin: float = Field(0.0, ge=-1.0, le=1.0, description="profit per unit of output last year above "
                                  "which a firm is viable (share; estimate)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.keys = np.zeros(0, dtype=np.uint64)  # lineage keys of firms with a loan ...
        self.year = np.zeros(0, dtype=np.int64)  # ... the year it was granted
        self.frac = np.zeros(0)  # ... and the share of the borrower's capital it financed
        self.repaid = 0
        self.outstanding: list[tuple[int, np.ndarray]] = []  # (year granted, CNY m lent per zone slot)
        self.lent = self.cost = 0.0
        self.borrowers = 0
        self._loan_memo: tuple[Any, ...] | None = None  # _has_loan's last answer and its inputs

    def _has_loan(self, model: ZoneModel) -> np.ndarray:
        """Mask of live firms with a loan still running. ``plan_cost`` and ``start_year`` both ask
        (through ``eligible``); the answer depends only on the loan book (``self.keys``,
        ``self.year``: replaced each year, never changed in place), the year and the firms' keys
        by slot, so it is reused when those are the same objects, year and keys."""
        f, L, year = model.firms, model.firms.n, model.steps
        memo = self._loan_memo
        if (memo is not None and memo[0] is self.keys and memo[1] is self.year and memo[2] == year
                and memo[3].size == L and np.array_equal(memo[3], f.key[:L])):
            return memo[4]
        running = self.year > year - self.settings.term
        has = isin_keys(f.key[:L], self.keys[running])
        self._loan_memo = (self.keys, self.year, year, f.key[:L].copy(), has)
        return has

    def eligible(self, model: ZoneModel) -> np.ndarray:
        """Live firms (slots) that may borrow this year: in a targeted zone with perks, viable (last
        year's profit margin above ``min_margin``), R&D-intensive (R&D share at the certification
        threshold, or certified), and without a loan still running."""
        f, s = model.firms, self.settings
        L = f.n
        got = kernels.viable_rd_firms(self.mask(model), f.zone[:L], f.output[:L], f.rd_share[:L],
                                      model.params.hightech_rd_threshold, f.hightech[:L], self._has_loan(model),
                                      f.profit[:L], s.min_margin)
        if got is not None:  # the same tests in one compiled pass
            return got
        ok = self.mask(model)[f.zone[:L]] & (f.output[:L] > 0)
        ok &= (f.rd_share[:L] >= model.params.hightech_rd_threshold) | f.hightech[:L]
        ok &= ~self._has_loan(model)
        i = np.flatnonzero(ok)
        # the margin test last, on the firms left (the same margins, a fraction of the divisions)
        return i[f.profit[i] / np.maximum(f.output[i], 1e-9) > s.min_margin]

    def plan_cost(self, model: ZoneModel) -> float:
        """Interest subsidy on the loans still running plus risk compensation and the first year's
        subsidy on the loans this year's eligible firms would take at full strength."""
        s, f = self.settings, model.firms
        new = s.loan_ratio * float(f.output[self.eligible(model)].sum())
        running = sum(float(v.sum()) for y, v in self.outstanding if y > model.steps - s.term)
        return s.interest_subsidy * (running + new) + s.risk_share * new

    def start_year(self, model: ZoneModel) -> None:
        s, f, n = self.settings, model.firms, model.n_zone_slots
        year = model.steps
        self.repay(model, self.year <= year - s.term)
        i = self.eligible(model)
        loan = s.loan_ratio * self.funding * f.output[i]
        f.capital[i] += loan  # the loan finances capital the firm could not fund from its own cash
        by_zone = np.bincount(f.zone[i], weights=loan, minlength=n)
        self.outstanding = [(y, v) for y, v in self.outstanding if y > year - s.term] + [(year, by_zone)]
        keep = self.year > year - s.term
        self.keys = np.concatenate([self.keys[keep], f.key[i]])
        self.year = np.concatenate([self.year[keep], np.full(i.size, year)])
        self.frac = np.concatenate([self.frac[keep], loan / np.maximum(f.capital[i], 1e-12)])
        running = sum(np.pad(v, (0, n - v.size)) for _, v in self.outstanding)
        cost = s.interest_subsidy * running + s.risk_share * by_zone
        model.flows["region_support"] += cost  # the year's flows were reset before start_year
        self.lent += float(loan.sum())
        self.cost += float(cost.sum())
        self.borrowers += int(i.size)

    def repay(self, model: ZoneModel, due: np.ndarray) -> None:
        """Loans at the end of their term are repaid: each live borrower gives back the share of its
        capital the loan financed (capital follows employment, so the share is kept, not the yuan)."""
        if not due.any():
            return
        f = model.firms
        L = f.n
        index = KeyIndex(self.keys[due])
        if index.repeated:  # a firm with two loans due (never in practice): the first one found by a sort, as ever
            o = np.argsort(self.keys[due])
            keys, frac = self.keys[due][o], self.frac[due][o]
            pos = np.minimum(np.searchsorted(keys, f.key[:L]), keys.size - 1)
            hit = np.flatnonzero(keys[pos] == f.key[:L])
        else:
            frac = self.frac[due]
            pos = index.find(f.key[:L])
            hit = np.flatnonzero(pos >= 0)
        f.capital[hit] *= 1.0 - frac[pos[hit]]
        self.repaid += int(hit.size)

    def summary(self) -> dict[str, Any]:
        return {"lent_cny_m": self.lent, "cost_cny_m": self.cost, "loans": self.borrowers, "repaid": self.repaid}


class GreenConstraint(Targeted):
    name = "green_constraint"
    measure = False  # not the document's measure (issue 17); kept for comparison
    area = 5
    title = "Cap on energy-intensive growth (not the document's measure; kept for comparison)"

    class Settings(LeverSettings):
        max_growth: float = Field(0.25, ge=0.0, le=5.0, description="most log-employment growth of an energy-"
                                  "intensive firm in a year (estimate: ~28%/yr)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def start_year(self, model: ZoneModel) -> None:
        zs = model.zones
        zs.growth_cap[:] = np.where(self.mask(model, perks=False), self.settings.max_growth, np.inf)


# energy use per unit of output by sector (SECTORS order: electronics, biomedicine, new materials,
# advanced manufacturing, traditional), tonnes of standard coal equivalent (tce) per CNY 10k of
# output. Estimate: China's industry used ~3.2 bn tce on ~CNY 100 trn of output around 2019-2020
# (~0.3 tce per CNY 10k on average; China Energy Statistical Yearbook, China Statistical Yearbook);
# chemicals, metals and building materials several times the average, electronics a fraction.
ENERGY_INTENSITY = np.array([0.04, 0.08, 0.6, 0.12, 0.8])


def energy_use(model: ZoneModel, retrofitted: np.ndarray | None = None, saving: float = 0.0,
               upgraded: np.ndarray | None = None) -> np.ndarray:
    """Energy used this year by each zone slot's firms, million tce: output x the sector's intensity,
    less ``saving`` for firms whose key is in ``retrofitted`` (or, given instead, the live firms
    ``upgraded``: a mask the caller already has)."""
    f = model.firms
    L = f.n
    if upgraded is None and retrofitted is not None and retrofitted.size:
        upgraded = isin_keys(f.key[:L], retrofitted)
    if upgraded is not None:  # one compiled pass when the kernels are on (the same numbers)
        got = kernels.energy_by_zone(f.output[:L], ENERGY_INTENSITY, f.sector[:L], upgraded, saving, f.zone[:L],
                                     model.n_zone_slots)
        if got is not None:
            return got
    use = f.output[:L] * 100.0 * ENERGY_INTENSITY[f.sector[:L]] / 1e6  # CNY m -> CNY 10k; tce -> million tce
    if upgraded is not None:
        use[upgraded] *= 1.0 - saving  # the upgraded firms' use only: the same products
    return group_sum(f.zone[:L], use, model.n_zone_slots)  # bincount's sums, compiled when the kernels are on


class GreenDevelopment(Targeted):
    name = "green_development"
    area = 5
    title = "Green development: subsidised energy-efficiency upgrading of firms"
    intent = ("output", 1)

    class Settings(LeverSettings):
        budget: float = Field(300.0, ge=0.0, le=1_000_000.0, description="CNY m a year the region pays towards "
                              "firms' energy-saving upgrades (estimate: provincial energy-saving special funds "
                              "of the order of CNY 100s of m a year)")
        subsidy_share: float = Field(0.3, gt=0.0, le=1.0, description="share of an upgrade's investment the "
                                     "region pays (estimate: energy-saving retrofit subsidies of 20-30% of "
                                     "investment)")
        investment: float = Field(0.04, gt=0.0, le=10.0, description="upgrade investment per CNY of the firm's "
                                  "yearly output (estimate: a 2-5 year payback on the energy saved)")
        saving: float = Field(0.15, ge=0.0, le=1.0, description="share of the firm's energy use an upgrade saves "
                              "(estimate: energy audits find 10-20%)")
        energy_price: float = Field(1000.0, ge=0.0, le=100_000.0, description="CNY per tce: the energy bill an "
                                    "upgrade saves raises the firm's productivity by saving x intensity x price "
                                    "(estimate: thermal coal ~CNY 600-1,000 per tonne in 2019-2021)")
        zones: tuple[str, ...] = Field(("all",), description=TARGETS_DOC)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.done = np.zeros(0, dtype=np.uint64)  # lineage keys of upgraded firms
        self.paid = 0.0
        self.upgraded = 0
        self.energy = self.output = 0.0  # the region's energy use (million tce) and output (CNY m), last year
        self._done_memo: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # _upgraded's last answer

    def _upgraded(self, model: ZoneModel) -> np.ndarray:
        """Mask of live firms already upgraded. ``end_year`` and the next ``start_year`` both ask;
        the answer depends only on ``self.done`` (replaced when firms are added, never changed in
        place) and the firms' keys by slot, so it is reused when ``done`` is the same object and
        the keys are equal (no firm entered, left or moved in between)."""
        f, L = model.firms, model.firms.n
        memo = self._done_memo
        if memo is not None and memo[0] is self.done and memo[1].size == L and np.array_equal(memo[1], f.key[:L]):
            return memo[2]
        got = isin_keys(f.key[:L], self.done)
        self._done_memo = (self.done, f.key[:L].copy(), got)
        return got

    def plan_cost(self, model: ZoneModel) -> float:
        return self.settings.budget

    def start_year(self, model: ZoneModel) -> None:
        s, f = self.settings, model.firms
        L = f.n
        if s.budget <= 0 or L == 0:
            return
        cand = np.flatnonzero(self.mask(model)[f.zone[:L]] & (f.output[:L] > 0) & ~self._upgraded(model))
        # the biggest energy users first (ties by key): no random draw. Grants are positive, so the
        # firms taken are a beginning of that order: rank only the first `first` places, four times
        # more until the money runs out within them (the same firms as ranking all: sim.core.ranking)
        use, fk = f.output[cand] * ENERGY_INTENSITY[f.sector[cand]], f.key[cand]  # intensities of candidates only
        first = 256
        while True:
            order = cand[largest_first(use, fk, first)]
            grant = s.subsidy_share * s.investment * f.output[order]
            fits = grant <= s.budget * self.funding  # a firm whose grant alone exceeds the budget is passed over
            order, grant = order[fits], grant[fits]
            spent = np.cumsum(grant)
            if first >= cand.size or (spent.size and spent[-1] > s.budget * self.funding):
                break
            first *= 4
        take = order[spent <= s.budget * self.funding]
        if take.size == 0:
            return
        f.tfp[take] *= 1.0 + s.saving * ENERGY_INTENSITY[f.sector[take]] * s.energy_price / 10_000.0  # the energy bill saved
        paid = s.subsidy_share * s.investment * f.output[take]
        model.flows["region_support"] += np.bincount(f.zone[take], weights=paid, minlength=model.n_zone_slots)
        self.done = np.concatenate([self.done, f.key[take]])
        self.paid += float(paid.sum())
        self.upgraded += int(take.size)

    def end_year(self, model: ZoneModel) -> None:
        self.energy = float(energy_use(model, saving=self.settings.saving, upgraded=self._upgraded(model)).sum())
        self.output = float(model.firms.output[:model.firms.n].sum())

    def summary(self) -> dict[str, Any]:
        return {"paid_cny_m": self.paid, "firms_upgraded": self.upgraded, "energy_mtce": self.energy,
                "energy_tce_per_cny_10k": self.energy * 1e6 / max(self.output * 100.0, 1e-9)}
