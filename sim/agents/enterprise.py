"""Enterprise agents: production, R&D and innovation, growth within land, exit, relocation, entry.

All firms' numeric state is one :class:`~sim.pool.Pool` (``model.firms``); an
:class:`Enterprise` is the Mesa agent of one slot. Every yearly behaviour is a function over all
live firms at once (numpy), called by a stage of :class:`~sim.model.ZoneModel`.

Units: output, value added, profit, capital, R&D and knowledge in CNY m; land in km2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ..params import N_SECTORS, SECTORS
from ..pool import Column, Pool

if TYPE_CHECKING:
    from ..model import ZoneModel

ORIGINS = ("initial", "startup", "spinoff", "arrival")
# Sectors whose growth the green constraint (zone column ``growth_cap``) limits: materials and
# traditional industry (chemicals, metals, building materials); estimate.
ENERGY_INTENSIVE = np.isin(np.array(SECTORS), ("new_materials", "traditional"))

FIRM_COLUMNS = {
    "zone": (np.int64, -1),
    "sector": (np.int64, 0),
    "origin": (np.int8, 0),
    "employees": (np.float64, 0.0),
    "capital": (np.float64, 0.0),
    "tfp": (np.float64, 1.0),
    "knowledge": (np.float64, 0.0),
    "rd_share": (np.float64, 0.0),  # the firm's R&D spending per unit of output
    "rd": (np.float64, 0.0),
    "output": (np.float64, 0.0),
    "value_added": (np.float64, 0.0),
    "profit": (np.float64, 0.0),
    "tax": (np.float64, 0.0),
    "skilled": (np.float64, 0.0),  # skilled people employed
    "innovations": (np.int64, 0),  # this year
    "ip": (np.float64, 0.0),  # recent innovations (decaying count: the IP a certification needs)
    "hightech": (np.bool_, False),
    "cert_left": (np.int64, 0),  # years of certification left
    "age": (np.int64, 0),
    "land": (np.float64, 0.0),
    "losses": (np.int64, 0),  # consecutive loss years
}


class Enterprise(mesa.Agent):
    """A firm in a zone. Pooled handle: ``uid`` identifies the firm occupying the slot now."""

    uid = Column("firm id (unique over the run)")
    zone = Column("slot of the firm's zone")
    sector = Column("index into sim.params.SECTORS")
    employees = Column("people")
    capital = Column("CNY m")
    tfp = Column("total factor productivity")
    knowledge = Column("CNY m of R&D knowledge stock")
    rd = Column("CNY m R&D spending this year")
    output = Column("CNY m this year")
    profit = Column("CNY m this year")
    skilled = Column("skilled people employed")
    hightech = Column("certified high-tech enterprise")
    age = Column("years")
    land = Column("km2 used")

    def __init__(self, model: ZoneModel, slot: int) -> None:
        super().__init__(model)
        self.pool: Pool = model.firms
        self.slot = slot

    @property
    def alive(self) -> bool:
        return bool(self.pool.alive[self.slot])

    @property
    def sector_name(self) -> str:
        return SECTORS[self.sector]

    def step(self) -> None:
        """Firms act through the model's vectorised stages; a single firm step is a no-op."""

    def __repr__(self) -> str:
        state = "" if self.alive else ", exited"
        return f"Enterprise(uid={self.uid}, {self.sector_name}, zone={self.zone}{state})"


# ------------------------------------------------------------------------------------------
# yearly behaviour over all live firms
# ------------------------------------------------------------------------------------------
def zone_sector_sum(model: ZoneModel, i: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum of ``values`` by (zone, sector) cell, shape (n_zones * N_SECTORS,)."""
    f = model.firms
    cell = f.zone[i] * N_SECTORS + f.sector[i]
    return np.bincount(cell, weights=values, minlength=model.n_zone_slots * N_SECTORS)


def produce(model: ZoneModel, i: np.ndarray, service: np.ndarray) -> None:
    """Output y = A * G * S * k^a * (n(1 + phi h/n))^b; value added, R&D, profit and tax."""
    f, p, zs = model.firms, model.params, model.zones
    z, s = f.zone[i], f.sector[i]
    n = f.employees[i]
    emp_cell = zone_sector_sum(model, i, n)
    emp_zone = np.bincount(z, weights=n, minlength=model.n_zone_slots)
    agglo = (np.maximum(emp_cell[z * N_SECTORS + s], 1.0) ** p.agglomeration_elasticity
             * np.maximum(emp_zone[z], 1.0) ** p.urbanisation_elasticity)
    labour = n * (1.0 + p.skill_effect * f.skilled[i] / np.maximum(n, 1e-9))
    y = f.tfp[i] * agglo * service[z] * f.capital[i] ** p.capital_elasticity * labour ** p.labour_elasticity
    va = y * model.sector_va[s]
    rd = y * f.rd_share[i]
    profit = va - zs.wage[z] * n - p.capital_user_cost * f.capital[i] - rd
    rate = np.where(f.hightech[i], p.hightech_income_tax_rate, p.income_tax_rate)
    f.output[i] = y
    f.value_added[i] = va
    f.rd[i] = rd
    f.profit[i] = profit
    f.tax[i] = p.va_tax_rate * va + rate * np.maximum(profit, 0.0)
    f.losses[i] = np.where(profit < 0.0, f.losses[i] + 1, 0)


def innovate(model: ZoneModel, i: np.ndarray) -> None:
    """Knowledge accumulates from R&D; innovations arrive as Poisson events with a rate raised by
    zone-sector spillovers and platforms; they lift TFP; qualifying firms get certified."""
    f, p, zs, rng = model.firms, model.params, model.zones, model.rng
    z, s = f.zone[i], f.sector[i]
    k = f.knowledge[i] * (1.0 - p.knowledge_depreciation) + f.rd[i]
    f.knowledge[i] = k
    cell = z * N_SECTORS + s
    n = f.employees[i]
    k_per_worker = zone_sector_sum(model, i, k) / np.maximum(zone_sector_sum(model, i, n), 1e-9)
    boost = (1.0 + p.platform_effect * np.log1p(zs.platforms)) * zs.innovation_mult
    rate = p.innovation_rate * (k + p.knowledge_spillover * k_per_worker[cell] * n) * boost[z]
    inno = rng.poisson(rate)
    f.innovations[i] = inno
    # TFP gain depends on innovation intensity (per 100 employees), so it does not scale with size
    shock = rng.standard_normal(i.size)
    f.tfp[i] *= np.exp(p.innovation_step * np.log1p(100.0 * inno / np.maximum(n, 1.0))
                       + p.productivity_noise * shock - 0.5 * p.productivity_noise**2)
    # certification: R&D intensity above the threshold and recent IP (decaying innovation count)
    ip = f.ip[i] * (2.0 / 3.0) + inno
    f.ip[i] = ip
    eligible = (f.rd_share[i] >= p.hightech_rd_threshold) & (ip >= 1.0)
    left = np.where(f.hightech[i], f.cert_left[i] - 1, 0)
    expired = f.hightech[i] & (left <= 0)
    draw = rng.random(i.size)
    chance = p.certification_rate * zs.certification_mult[z]
    new = eligible & (((draw < chance) & ~f.hightech[i]) | expired)  # expired + eligible: renewed
    keep = f.hightech[i] & ~expired
    f.hightech[i] = keep | new
    f.cert_left[i] = np.where(new, p.certification_years, np.where(keep, left, 0))


def grow(model: ZoneModel, i: np.ndarray) -> None:
    """Gibrat growth of employment, tilted by profit margin, capped by free land and, for
    energy-intensive sectors, by each zone's growth cap; capital and land follow employment."""
    f, p, zs, rng = model.firms, model.params, model.zones, model.rng
    z = f.zone[i]
    n = f.employees[i]
    margin = f.profit[i] / np.maximum(f.output[i], 1e-9)
    mean_margin = np.average(margin, weights=n) if i.size else 0.0
    g = (p.growth_drift + p.growth_profit_sensitivity * (margin - mean_margin)
         + p.growth_noise * rng.standard_normal(i.size))
    capped = ENERGY_INTENSIVE[f.sector[i]]  # the green constraint binds on energy-intensive sectors only
    g = np.where(capped, np.minimum(g, zs.growth_cap[z]), g)
    new_n = np.maximum(n * np.exp(g), 1.0)
    land_per_worker = f.land[i] / np.maximum(n, 1e-9)
    extra = np.maximum(new_n - n, 0.0) * land_per_worker
    freed = np.maximum(n - new_n, 0.0) * land_per_worker
    free = model.free_land() + np.bincount(z, weights=freed, minlength=model.n_zone_slots)
    need = np.bincount(z, weights=extra, minlength=model.n_zone_slots)
    ratio = np.where(need > free, np.maximum(free, 0.0) / np.maximum(need, 1e-12), 1.0)
    grown = np.where(new_n > n, n + (new_n - n) * ratio[z], new_n)
    f.capital[i] *= grown / n
    f.land[i] = grown * land_per_worker
    f.employees[i] = grown
    f.age[i] += 1


def exit_hazard(model: ZoneModel, i: np.ndarray) -> np.ndarray:
    """Yearly exit probability: base + young-firm hazard + persistent-loss hazard (less credit)."""
    f, p, zs = model.firms, model.params, model.zones
    young = p.exit_young_hazard * np.exp(-f.age[i] / p.young_age_scale)
    loss = (f.losses[i] >= p.loss_years_to_exit) * p.loss_exit_probability * (1.0 - zs.credit[f.zone[i]])
    return np.clip(p.exit_base_hazard + young + loss, 0.0, 1.0)


def exits(model: ZoneModel, i: np.ndarray) -> np.ndarray:
    """Firms that close this year (slots); the model frees them."""
    draw = model.rng.random(i.size)
    return i[draw < exit_hazard(model, i) * model.hooks.exit_multiplier(model, i)]


def zone_attractiveness(model: ZoneModel, service: np.ndarray) -> np.ndarray:
    """Utility of each zone as a firm location (output market, services, status, free land)."""
    zs, p = model.zones, model.params
    free = np.maximum(model.free_land(), 0.0)
    u = (p.attract_output * np.log1p(zs.output_prev) + p.attract_services * (service - 1.0)
         + p.attract_national * (zs.level == 0) + p.attract_land * np.log1p(free * 10.0))
    u = u + model.hooks.attractiveness(model)
    return np.where(model.zone_active(), u, -np.inf)


def relocate(model: ZoneModel, i: np.ndarray, service: np.ndarray) -> np.ndarray:
    """A share of firms compares zones by logit (attractiveness less moving and distance costs)
    and moves when another zone wins and has free land. Returns origin zone of each mover."""
    f, p, rng = model.firms, model.params, model.rng
    cand = i[rng.random(i.size) < p.relocation_rate]
    if cand.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    here = f.zone[cand]
    attract = zone_attractiveness(model, service)
    cost = p.relocation_cost * model.move_cost[here] + p.relocation_distance_cost * model.distance[here] / 100.0
    cost[np.arange(cand.size), here] = 0.0
    util = attract[None, :] - cost + rng.gumbel(size=cost.shape)
    dest = np.argmax(util, axis=1)
    moving = dest != here
    movers, dest, here = cand[moving], dest[moving], here[moving]
    if movers.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    # destinations accept movers in order until their free land runs out
    need = f.land[movers]
    order = np.lexsort((np.arange(movers.size), dest))
    cum = np.zeros(movers.size)
    cum[order] = _cumsum_by_group(need[order], dest[order])
    ok = cum <= np.maximum(model.free_land(), 0.0)[dest]
    movers, dest, here = movers[ok], dest[ok], here[ok]
    f.zone[movers] = dest
    return np.stack([here, dest], axis=1)


def _cumsum_by_group(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Running sum of ``values`` restarting at each new value of sorted ``groups``."""
    total = np.cumsum(values)
    start = np.r_[True, groups[1:] != groups[:-1]]
    offset = np.maximum.accumulate(np.where(start, np.arange(values.size), 0))
    before = np.r_[0.0, total][offset]
    return total - before


def entrants(model: ZoneModel, i: np.ndarray, service: np.ndarray, talent: np.ndarray) -> dict:
    """New firms this year: start-ups from local talent and platforms, spin-offs from knowledge-rich
    incumbents, and arrivals from outside Guangxi split by zone attractiveness. Returns columns
    for the pool (before the land check)."""
    f, p, zs, rng = model.firms, model.params, model.zones, model.rng
    nz = model.n_zone_slots
    active = model.zone_active()
    incub = (1.0 + p.incubator_effect * np.log1p(zs.platforms)) * zs.startup_mult
    lam = p.startup_rate / 1000.0 * talent * incub * active
    n_start = rng.poisson(lam)
    # spin-offs from incumbents, more likely the more knowledge they hold
    k = f.knowledge[i]
    mean_k = k.mean() if i.size else 0.0
    prob = np.minimum(p.spinoff_rate * k / max(mean_k, 1e-9), 1.0) * active[f.zone[i]]
    parents = i[rng.random(i.size) < prob]
    # arrivals from outside
    attract = zone_attractiveness(model, service)
    w = np.exp(attract - attract[np.isfinite(attract)].max()) * zs.arrival_mult if np.isfinite(attract).any() else np.zeros(nz)
    total = w.sum()
    # arrival_mult (levers: attraction of outside firms) scales each zone's expected arrivals, so it
    # raises the region's total as well as the zone's share; all ones = the plain split
    mult = zs.arrival_mult
    lam = p.outside_arrivals
    if total > 0 and not np.all(mult[active] == 1.0):
        base = w / np.maximum(mult, 1e-12)
        lam = p.outside_arrivals * float(total / base.sum()) if base.sum() > 0 else lam
    n_arr = rng.multinomial(rng.poisson(lam), w / total) if total > 0 else np.zeros(nz, dtype=np.int64)
    # assemble: zone and sector for each entrant
    z_start = np.repeat(np.arange(nz), n_start)
    z_arr = np.repeat(np.arange(nz), n_arr)
    z_new = np.concatenate([z_start, f.zone[parents], z_arr]).astype(np.int64)
    origin = np.concatenate([np.full(z_start.size, 1), np.full(parents.size, 2), np.full(z_arr.size, 3)])
    # sectors of start-ups and arrivals follow the zone's firm mix; spin-offs keep the parent's
    mix = zone_sector_sum(model, i, np.ones(i.size)).reshape(nz, N_SECTORS) + 0.5
    mix /= mix.sum(axis=1, keepdims=True)
    cdf = np.cumsum(mix, axis=1)
    z_other = np.concatenate([z_start, z_arr])
    u = rng.random(z_other.size)
    s_other = np.minimum((u[:, None] > cdf[z_other]).sum(axis=1), N_SECTORS - 1)
    s_new = np.concatenate([s_other[:z_start.size], f.sector[parents], s_other[z_start.size:]]).astype(np.int64)
    m = z_new.size
    size = np.maximum(1.0, rng.lognormal(np.log(p.entrant_size_mean) - 0.32, 0.8, m))
    # productivity: entrant ratio x the zone-sector's employment-weighted geometric mean TFP
    cellw = zone_sector_sum(model, i, f.employees[i])
    logA = zone_sector_sum(model, i, np.log(f.tfp[i]) * f.employees[i]) / np.maximum(cellw, 1e-9)
    region_logA = np.average(np.log(f.tfp[i]), weights=f.employees[i]) if i.size else 0.0
    logA = np.where(cellw > 0, logA, region_logA)
    cell = z_new * N_SECTORS + s_new
    tfp = p.entrant_productivity * np.exp(logA[cell] + 0.25 * rng.standard_normal(m))
    lpw = zone_sector_sum(model, i, f.land[i]) / np.maximum(cellw, 1e-9)
    zone_lpw = np.bincount(f.zone[i], weights=f.land[i], minlength=nz) / np.maximum(
        np.bincount(f.zone[i], weights=f.employees[i], minlength=nz), 1e-9)
    lpw = np.where(cellw > 0, lpw, zone_lpw[np.arange(nz).repeat(N_SECTORS)])
    rd_share = model.sector_rd[s_new] * rng.lognormal(-0.125, 0.5, m)
    return {"zone": z_new, "sector": s_new, "origin": origin.astype(np.int8), "employees": size,
            "capital": size * model.sector_capital[s_new], "tfp": tfp, "rd_share": rd_share,
            "land": size * lpw[cell]}
