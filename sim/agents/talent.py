"""Talent agents: cohorts of skilled people who choose where to live and work, and are hired.

One :class:`Talent` agent stands for ``params.talent_scale`` people with a common skill, home
zone, location and employer. Cohorts outside Guangxi (``zone == OUTSIDE``) stay in the pool and
may return. All yearly behaviour is vectorised over cohorts; every random decision draws from a
named stream of ``model.streams`` keyed by the cohort's permanent lineage key (column ``key``).

Wages in CNY k per person per year.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.core import yearly
from sim.core.choice import logit_cdf
from sim.core.kernels import cum_search, group_sum
from sim.core.kernels import demand as demand_by_zone
from sim.core.pool import Column, Pool, Pooled
from sim.core.streams import zone_key_order
from sim.core.units import k_from_m
from sim.core import pmath as pm

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel

OUTSIDE = -1

TALENT_COLUMNS = {
    "key": (np.uint64, 0),  # permanent lineage key: keys the cohort's random draws (sim.core.keys)
    "zone": (np.int64, OUTSIDE),
    "home": (np.int64, 0),
    "employer": (np.int64, -1),  # firm slot, -1 if without a job in a zone firm
    "skill": (np.float64, 1.0),
    "wage": (np.float64, 0.0),
    "years": (np.int64, 0),
}


class Talent(Pooled, mesa.Agent):
    """A cohort of skilled people: one Mesa agent for the cohort's whole life (``uid`` is its
    permanent id). Its state lives in the model's talent pool (``sim.core.pool``); the agent follows
    its cohort when slots are compacted and is removed from the model when the cohort retires."""

    key = Column("permanent lineage key (sim.core.keys): keys the cohort's random draws")
    zone = Column("slot of the zone where the cohort lives, -1 outside Guangxi")
    home = Column("slot of the home zone")
    employer = Column("slot of the employing firm, -1 if none")
    skill = Column("skill units (1 = average)")
    wage = Column("CNY k per person per year")
    years = Column("years in the labour market")

    def __init__(self, model: ZoneModel, uid: int) -> None:
        super().__init__(model)
        self.pool: Pool = model.talent
        self.uid = uid  # the member's permanent id; the slot follows it (sim.core.pool)

    @property
    def people(self) -> int:
        return self.model.params.talent_scale

    @property
    def high_skill(self) -> bool:
        return self.skill >= self.model.params.high_skill_threshold

    def step(self) -> None:
        """Cohorts act through the model's vectorised stages; a single step is a no-op."""

    def __repr__(self) -> str:
        if not self.alive:
            return f"Talent(uid={self.uid}, retired)"
        return f"Talent(uid={self.uid}, zone={self.zone}, skill={self.skill:.2f})"


# ------------------------------------------------------------------------------------------
# yearly behaviour over all cohorts: the pool is compact (live cohorts are slots 0 .. n-1)
# ------------------------------------------------------------------------------------------
def skill_premium(model: ZoneModel, skill: np.ndarray) -> np.ndarray:
    """Wage multiplier of a person of ``skill`` relative to the zone mean."""
    # 1 + premium x max(skill - 1, -0.9), worked in one buffer: ``clip`` with a lower bound only is
    # numpy's ``maximum`` behind a Python wrapper, and each operand order is kept
    prem = np.subtract(skill, 1.0)
    if not isinstance(prem, np.ndarray):  # a single skill: no buffer to work in
        return 1.0 + model.params.skill_wage_premium * np.maximum(prem, -0.9)
    np.maximum(prem, -0.9, out=prem)
    np.multiply(model.params.skill_wage_premium, prem, out=prem)
    return np.add(1.0, prem, out=prem)


def skilled_wage(model: ZoneModel, zone: np.ndarray, skill: np.ndarray) -> np.ndarray:
    """CNY k per year a person of ``skill`` earns in ``zone`` (zone mean wage x skill premium)."""
    return k_from_m(model.zones.wage[zone]) * skill_premium(model, skill)


def outside_wage(model: ZoneModel, skill: np.ndarray) -> np.ndarray:
    """Wage of the outside option (leaving Guangxi), CNY k per year."""
    return _outside_unit_wage(model) * skill_premium(model, skill)


def _outside_unit_wage(model: ZoneModel) -> float:
    """``outside_wage`` of skill 1, whose premium is exactly 1 (``skill_wage_premium`` is finite)."""
    p = model.params
    region = k_from_m(model.region_mean_wage) * float(pm.power(1.0 + p.outside_wage_growth, float(model.steps)))
    return p.outside_wage_ratio * region


def location_utility(model: ZoneModel, job_odds: np.ndarray, housing: np.ndarray) -> np.ndarray:
    """Utility of each alternative (leaving Guangxi: column 0, then zone slot ``s`` in column
    ``s + 1``) for a cohort of each home zone (rows), without the skill premium: a cohort's log
    skill premium adds the same ``beta_wage * log(premium)`` to every alternative (its zone wages
    and its outside wage alike), so it does not change the choice. Inactive zones are ``-inf``.
    The outside option comes first so that a zone added by a lever (appended) does not move its
    interval in the choice's cumulative probabilities."""
    p, zs = model.params, model.zones
    nz = model.n_zone_slots
    if yearly.on():  # compiled after pmath's logarithms: the same sums and products (sim.core.yearly)
        util = np.empty((nz, nz + 1))
        yearly.utility(float(p.beta_wage), pm.log(np.maximum(k_from_m(zs.wage), 1e-6)), float(p.beta_amenity),
                       zs.amenity, float(p.beta_housing), pm.log(housing), float(p.beta_subsidy), zs.subsidy,
                       zs.subsidy_extra, float(p.beta_unemployed), job_odds, zs.alive, zs.n == zs.capacity,
                       float(p.beta_home),
                       float(p.beta_wage * pm.log(np.float64(_outside_unit_wage(model))) - p.outside_penalty), util)
        return util
    base = (p.beta_wage * pm.log(np.maximum(k_from_m(zs.wage), 1e-6))
            + p.beta_amenity * zs.amenity
            - p.beta_housing * pm.log(housing)
            + p.beta_subsidy * (zs.subsidy + zs.subsidy_extra)
            - p.beta_unemployed * (1.0 - job_odds))
    util = np.empty((nz, nz + 1))
    # the outside wage of skill 1 (premium 1: x 1.0 changes no bit), its log taken by numpy as before
    util[:, 0] = p.beta_wage * pm.log(np.float64(_outside_unit_wage(model))) - p.outside_penalty
    if zs.n < zs.capacity:  # a free zone slot: inactive (where() would copy base when every slot is live)
        base = np.where(zs.alive, base, -np.inf)
    np.add(base[None, :], _home_bonus(nz, p.beta_home), out=util[:, 1:])
    return util


@functools.lru_cache(maxsize=16)
def _home_bonus(nz: int, beta_home: float) -> np.ndarray:
    """``beta_home * eye(nz)``: the same every year while the zone slots are (read-only)."""
    bonus = beta_home * np.eye(nz)
    bonus.flags.writeable = False
    return bonus


def choose_location(model: ZoneModel, movers: np.ndarray, job_odds: np.ndarray, housing: np.ndarray) -> np.ndarray:
    """Multinomial logit over the active zones plus leaving Guangxi; returns the chosen zone
    (or OUTSIDE) for each cohort in ``movers``. Utility: wage, amenity, housing cost, subsidies,
    home preference, chance of a job (``location_utility``); one keyed uniform per cohort (stream
    ``talent.location``) picks from its home zone's row of probabilities (``sim.core.choice``)."""
    t = model.talent
    cdf = logit_cdf(location_utility(model, job_odds, housing))
    pick = model.streams.choice("talent.location", model.steps, t.key[movers], cdf, t.home[movers])
    return pick + OUTSIDE  # column 0 is leaving Guangxi (OUTSIDE = -1), column s + 1 zone slot s


def hire(model: ZoneModel) -> tuple[np.ndarray, np.ndarray]:
    """Match cohorts to firms of their zone (``hire_with_odds``); returns (demand, supply) of
    skilled people per zone slot."""
    demand, supply, _ = hire_with_odds(model)
    return demand, supply


def hire_with_odds(model: ZoneModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Match cohorts to firms of their zone: each firm wants ``skilled_share_demand`` of its
    employees; cohorts find a job with probability min(1, demand / supply) of their zone, then
    a firm drawn in proportion to its demand; firms are filled up to demand, and each firm's
    ``skilled`` head-count is set. Returns (demand, supply) of skilled people per zone slot and
    each zone's job odds, min(1, demand / supply) (1 in a zone without skilled people).
    The firms' demand is laid out by zone and, within a zone, by the firms' permanent keys
    (``zone_key_order``), so a cohort's keyed uniform lands on the same firm whatever the pool
    slots."""
    t, f, p, S, y = model.talent, model.firms, model.params, model.streams, model.steps
    nz = model.n_zone_slots
    L, C = f.n, t.n
    fz = f.zone[:L]
    both = demand_by_zone(fz, f.employees[:L], model.sector_skill, f.sector[:L], nz)  # one compiled pass
    if both is None:
        want = f.employees[:L] * model.sector_skill[f.sector[:L]]
        demand = group_sum(fz, want, nz)
    else:
        want, demand = both
    tz = t.zone[:C]
    if yearly.on() and demand.dtype == np.float64 and demand.size == nz:
        return _hire_compiled(model, want, demand, tz)
    tz1 = tz + 1  # cohorts outside (OUTSIDE = -1): bin 0
    supply = group_sum(tz1, None, nz + 1)[1:] * float(p.talent_scale)
    fill = np.where(demand > 0, np.minimum(1.0, supply / np.maximum(demand, 1e-9)), 0.0)
    job_odds = np.where(supply > 0, np.minimum(1.0, demand / np.maximum(supply, 1e-9)), 1.0)
    # the chance of a job by cohort zone + 1: 0 outside (bin 0), the zone's odds inside (a zone
    # without skilled people, odds 1, has no cohort to draw with them)
    odds = np.concatenate(([0.0], job_odds))
    # which cohorts find a job (never those outside), then which firm: inverse CDF of demand
    # over the firms sorted by zone and key
    u = S.uniform("hire.job", y, t.key[:C])
    jobs = np.flatnonzero(u < odds[tz1])
    employer = t.employer[:C]  # this year's employers, written in place (nothing below reads last year's)
    employer.fill(-1)
    if jobs.size and L:
        order = zone_key_order(fz, f.key[:L], nz)
        # where each zone's demand starts in the cumulative demand: 0, then the running sums
        # (cumsum adds in order, so the prefix of the full cumsum is the same)
        zone_start = np.zeros(nz)
        np.cumsum(demand[:-1], out=zone_start[1:])
        jz = tz[jobs]
        target = S.uniform("hire.firm", y, t.key[jobs])
        target *= demand[jz]
        target += zone_start[jz]
        # compiled: the cumulative demand and each target's position in it in one call (the same
        # sums, added in order, and positions: a target's position does not depend on the others',
        # so the targets need no sort); None (a negative or NaN demand, kernels off): numpy
        pos = cum_search(want, order, target)
        if pos is not None:
            employer[jobs] = order[np.minimum(pos, L - 1)]
        else:
            cum = np.cumsum(want[order])
            by_target = np.argsort(target)  # sorted keys: the binary searches walk the array in order (3x faster)
            pos = np.searchsorted(cum, target[by_target], side="right")
            employer[jobs[by_target]] = order[np.minimum(pos, L - 1)]
    np.multiply(want, fill[fz], out=f.skilled[:L])
    return demand, supply, job_odds


_SMALL = 1024  # firms or jobs below which hiring's compiled order and search replace sim.core.kernels' sorts


def _hire_compiled(model: ZoneModel, want: np.ndarray, demand: np.ndarray,
                   tz: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``hire_with_odds`` after the demand, its numpy chains as compiled calls (``sim.core.yearly``:
    the same counts, products, running sums and writes; the same draws and searches)."""
    t, f, S, y = model.talent, model.firms, model.streams, model.steps
    nz, L, C = demand.size, f.n, t.n
    fz = f.zone[:L]
    supply, fill, job_odds, odds = np.empty(nz), np.empty(nz), np.empty(nz), np.empty(nz + 1)
    yearly.odds(demand, tz, float(model.params.talent_scale), supply, fill, job_odds, odds)
    u = S.uniform("hire.job", y, t.key[:C])
    employer = t.employer[:C]
    jobs = yearly.jobs(u, odds, tz, employer)
    if jobs.size and L:
        # the firms in zone_key_order: compiled with its sort when the zones fit its cells (the same
        # stable order), the targets, search, employers and skilled head-counts in one call
        # stay small: larger worlds keep the sorts and the ordered search of sim.core.kernels
        zbits = max(1, int(nz - 1).bit_length())
        keys = f.key[:L]
        order = yearly.key_order(fz, keys, zbits) if zbits <= 12 and L < _SMALL else zone_key_order(fz, keys, nz)
        target = S.uniform("hire.firm", y, t.key[jobs])
        small = jobs.size < _SMALL
        if yearly.search_employ(want, order, target, demand, tz, jobs, employer, fill, fz, f.skilled[:L], small):
            return demand, supply, job_odds
        pos = None if small else cum_search(want, order, target)
        if pos is not None:
            employer[jobs] = order[np.minimum(pos, L - 1)]
        else:  # not ascending: numpy's search, as hire_with_odds (the targets are set)
            cum = np.cumsum(want[order])
            by_target = np.argsort(target)
            pos = np.searchsorted(cum, target[by_target], side="right")
            employer[jobs[by_target]] = order[np.minimum(pos, L - 1)]
    np.multiply(want, fill[fz], out=f.skilled[:L])
    return demand, supply, job_odds
