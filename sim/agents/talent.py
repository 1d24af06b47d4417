"""Talent agents: cohorts of skilled people who choose where to live and work, and are hired.

One :class:`Talent` agent stands for ``params.talent_scale`` people with a common skill, home
zone, location and employer. Cohorts outside Guangxi (``zone == OUTSIDE``) stay in the pool and
may return. All yearly behaviour is vectorised over cohorts.

Wages in CNY k per person per year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ..pool import Column, Pool

if TYPE_CHECKING:
    from ..model import ZoneModel

OUTSIDE = -1

TALENT_COLUMNS = {
    "zone": (np.int64, OUTSIDE),
    "home": (np.int64, 0),
    "employer": (np.int64, -1),  # firm slot, -1 if without a job in a zone firm
    "skill": (np.float64, 1.0),
    "wage": (np.float64, 0.0),
    "years": (np.int64, 0),
}


class Talent(mesa.Agent):
    """A cohort of skilled people. Pooled handle: ``uid`` identifies the cohort in the slot now."""

    uid = Column("cohort id (unique over the run)")
    zone = Column("slot of the zone where the cohort lives, -1 outside Guangxi")
    home = Column("slot of the home zone")
    employer = Column("slot of the employing firm, -1 if none")
    skill = Column("skill units (1 = average)")
    wage = Column("CNY k per person per year")
    years = Column("years in the labour market")

    def __init__(self, model: ZoneModel, slot: int) -> None:
        super().__init__(model)
        self.pool: Pool = model.talent
        self.slot = slot

    @property
    def alive(self) -> bool:
        return bool(self.pool.alive[self.slot])

    @property
    def people(self) -> int:
        return self.model.params.talent_scale

    @property
    def high_skill(self) -> bool:
        return self.skill >= self.model.params.high_skill_threshold

    def step(self) -> None:
        """Cohorts act through the model's vectorised stages; a single step is a no-op."""

    def __repr__(self) -> str:
        return f"Talent(uid={self.uid}, zone={self.zone}, skill={self.skill:.2f})"


# ------------------------------------------------------------------------------------------
# yearly behaviour over all cohorts
# ------------------------------------------------------------------------------------------
def skilled_wage(model: ZoneModel, zone: np.ndarray, skill: np.ndarray) -> np.ndarray:
    """CNY k per year a person of ``skill`` earns in ``zone`` (zone mean wage x skill premium)."""
    p = model.params
    return model.zones.wage[zone] * 1000.0 * (1.0 + p.skill_wage_premium * (skill - 1.0).clip(-0.9))


def outside_wage(model: ZoneModel, skill: np.ndarray) -> np.ndarray:
    """Wage of the outside option (leaving Guangxi), CNY k per year."""
    p = model.params
    region = model.region_mean_wage * 1000.0 * (1.0 + p.outside_wage_growth) ** model.steps
    return p.outside_wage_ratio * region * (1.0 + p.skill_wage_premium * (skill - 1.0).clip(-0.9))


def choose_location(model: ZoneModel, movers: np.ndarray, job_odds: np.ndarray, housing: np.ndarray) -> np.ndarray:
    """Multinomial logit over the active zones plus leaving Guangxi; returns the chosen zone
    (or OUTSIDE) for each cohort in ``movers``. Utility: wage, amenity, housing cost, subsidies,
    home preference, chance of a job; Gumbel noise from the model's generator."""
    t, p, zs = model.talent, model.params, model.zones
    nz = model.n_zone_slots
    skill = t.skill[movers]
    zone_idx = np.arange(nz)
    wage = skilled_wage(model, zone_idx[None, :], skill[:, None])
    util = (p.beta_wage * np.log(np.maximum(wage, 1e-6))
            + p.beta_amenity * zs.amenity[None, :]
            - p.beta_housing * np.log(housing)[None, :]
            + p.beta_subsidy * (zs.subsidy + zs.subsidy_extra)[None, :]
            - p.beta_unemployed * (1.0 - job_odds)[None, :])
    util = util + p.beta_home * (t.home[movers][:, None] == zone_idx[None, :])
    util = np.where(model.zone_active()[None, :], util, -np.inf)
    out = p.beta_wage * np.log(outside_wage(model, skill)) - p.outside_penalty
    util = np.concatenate([util, out[:, None]], axis=1)
    util += model.rng.gumbel(size=util.shape)
    pick = np.argmax(util, axis=1)
    return np.where(pick == nz, OUTSIDE, pick)


def hire(model: ZoneModel, cohorts: np.ndarray, firms: np.ndarray) -> None:
    """Match cohorts to firms of their zone: each firm wants ``skilled_share_demand`` of its
    employees; cohorts are placed at random with probability proportional to open demand,
    firms are filled up to demand, and each firm's ``skilled`` head-count is set."""
    t, f, p = model.talent, model.firms, model.params
    nz = model.n_zone_slots
    scale = p.talent_scale
    want = f.employees[firms] * model.sector_skill[f.sector[firms]]
    fz = f.zone[firms]
    demand = np.bincount(fz, weights=want, minlength=nz)
    tz = t.zone[cohorts]
    inside = tz >= 0
    supply = np.bincount(tz[inside], minlength=nz) * scale
    fill = np.where(demand > 0, np.minimum(1.0, supply / np.maximum(demand, 1e-9)), 0.0)
    employ_p = np.where(supply > 0, np.minimum(1.0, demand / np.maximum(supply, 1e-9)), 0.0)
    # which cohorts find a job, then which firm (inverse CDF of demand within the zone)
    u = model.rng.random(cohorts.size)
    has_job = inside & (u < employ_p[np.maximum(tz, 0)])
    order = np.argsort(fz, kind="stable")
    cum = np.cumsum(want[order])
    zone_start = np.r_[0.0, np.cumsum(demand)][:nz]
    v = model.rng.random(cohorts.size)
    target = zone_start[np.maximum(tz, 0)] + v * demand[np.maximum(tz, 0)]
    pos = np.minimum(np.searchsorted(cum, target, side="right"), max(firms.size - 1, 0))
    employer = np.where(has_job & (firms.size > 0), firms[order][pos] if firms.size else -1, -1)
    t.employer[cohorts] = employer
    f.skilled[firms] = want * fill[fz]
