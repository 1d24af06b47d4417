"""Zone agents: a high-tech zone's status, land, budget and services, and their yearly behaviour.

The numeric state of all zones is one :class:`~sim.core.pool.Pool`; a :class:`Zone` is the Mesa agent
for one slot. Behaviour that runs every year over all zones at once is written as functions of
the model (``public_finance``, ``develop_land``, ``service_effect``) so it costs the same for 14
zones or 400.

Units: money in CNY m, land in km2, subsidies in CNY k per person per year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.core import yearly
from sim.core.pool import Column, Pool, Pooled
from sim.core import pmath as pm

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel

NATIONAL, REGION, DELISTED = 0, 1, 2
LEVELS = ("national", "region", "delisted")

ZONE_COLUMNS = {
    "key": (np.uint64, 0),  # permanent key from the zone id (sim.core.keys.zone_keys): keys zone-level draws
    "level": (np.int8, REGION),
    "hosted_by": (np.int64, -1),  # slot of the hosting zone, -1 if none
    "located": (np.bool_, True),  # false: not identified, no coordinates; kept out of distance-based rules
    "lon": (np.float64, 0.0),
    "lat": (np.float64, 0.0),
    "land_total": (np.float64, 0.0),  # km2 inside the zone's boundary
    "land_developed": (np.float64, 0.0),  # km2 serviced and buildable
    "land_allotted": (np.float64, 0.0),  # km2 of quota allotted but not yet developed
    "budget": (np.float64, 0.0),  # CNY m available this year
    "tax_raised": (np.float64, 0.0),  # CNY m raised in the zone this year
    "tax_kept": (np.float64, 0.0),  # CNY m the zone kept this year
    "transfers": (np.float64, 0.0),  # CNY m received from the region this year (rewards etc.)
    "mgmt_eff": (np.float64, 0.5),  # 0..1
    "platforms": (np.float64, 0.0),  # count of innovation platforms
    "services": (np.float64, 0.0),  # CNY m stock of zone services
    "subsidy": (np.float64, 0.0),  # CNY k per skilled person per year, paid by the zone
    "amenity": (np.float64, 1.0),  # index
    "housing_base": (np.float64, 1.0),  # CNY k per m2 at the starting head-count
    "talent_base": (np.float64, 1.0),  # skilled people at the start (for housing cost)
    "wage": (np.float64, 0.1),  # CNY m per worker per year (zone mean)
    "output_prev": (np.float64, 0.0),  # CNY m last year (for service saturation)
    "score": (np.float64, np.nan),
    "rank": (np.int32, -1),  # 1 = best within its class
    # Lever-facing settings: neutral defaults, levers change them through the model.
    "tax_share": (np.float64, 0.25),  # share of tax raised the zone keeps
    "subsidy_extra": (np.float64, 0.0),  # CNY k per skilled person per year, paid by the region
    "startup_mult": (np.float64, 1.0),
    "arrival_mult": (np.float64, 1.0),
    "innovation_mult": (np.float64, 1.0),
    "certification_mult": (np.float64, 1.0),
    "credit": (np.float64, 0.0),  # 0..1: share of loss-driven exits averted by technology finance
    "growth_cap": (np.float64, np.inf),  # most log-growth of an energy-intensive firm a year (green)
    "perks_lost": (np.int64, 0),  # years left without perks (rewards, land priority, support): delisting
    "delisting_risk": (np.float64, 0.0),  # 0..1: chance of losing status under the delisting rule (lever)
}


class Zone(Pooled, mesa.Agent):
    """A high-tech zone (高新区): identity and status; state lives in ``model.zones``."""

    key = Column("permanent key from the zone id (sim.core.keys): keys zone-level random draws")
    level = Column("0 national, 1 region-level, 2 delisted")
    hosted_by = Column("slot of the hosting zone, -1 if none")
    lon = Column("longitude, degrees")
    lat = Column("latitude, degrees")
    land_total = Column("km2")
    land_developed = Column("km2")
    land_allotted = Column("km2 of allotted, undeveloped quota")
    budget = Column("CNY m")
    mgmt_eff = Column("management efficiency, 0..1")
    platforms = Column("innovation platforms")
    services = Column("CNY m services stock")
    amenity = Column("amenity index")
    score = Column("evaluation score, 0..100")
    rank = Column("rank within class, 1 = best")

    def __init__(self, model: ZoneModel, uid: int) -> None:
        super().__init__(model)
        self.pool: Pool = model.zones
        self.uid = uid  # the member's permanent id; the slot follows it (sim.core.pool)

    # identity -------------------------------------------------------------------------------
    @property
    def zone_id(self) -> str:
        return self.model.zone_ids[self.slot]

    @property
    def name(self) -> str:
        return self.model.zone_names[self.slot]

    @property
    def level_name(self) -> str:
        return LEVELS[self.level]

    @property
    def land_available(self) -> float:
        """Undeveloped land inside the boundary, km2 (total = developed + available)."""
        return self.land_total - self.land_developed

    def firms(self) -> np.ndarray:
        """Slots of the live enterprises in this zone."""
        f = self.model.firms
        return np.flatnonzero(f.alive & (f.zone == self.slot))

    def step(self) -> None:
        """Zones act through the model's vectorised stages; a single zone step is a no-op."""

    def __repr__(self) -> str:
        return f"Zone({self.zone_id}, {self.level_name})"


# ------------------------------------------------------------------------------------------
# yearly behaviour over all zones
# ------------------------------------------------------------------------------------------
def service_effect(model: ZoneModel) -> np.ndarray:
    """Productivity multiplier of each zone's services: 1 + max * eff * S/(S + h*Y), saturating."""
    z, p = model.zones, model.params
    half = p.service_half_saturation * np.maximum(z.output_prev, 1.0)
    return 1.0 + p.service_effect_max * z.mgmt_eff * z.services / (z.services + half)


def housing_cost(model: ZoneModel, talent: np.ndarray) -> np.ndarray:
    """Housing cost rises with a zone's skilled head-count (elasticity ``housing_elasticity``)."""
    z = model.zones
    if yearly.on() and talent.dtype == np.float64 and talent.shape == z.talent_base.shape:
        ratio = np.empty(talent.shape)
        yearly.housing_ratio(talent, z.talent_base, ratio)  # compiled: the same maxima and quotient
    else:
        ratio = np.maximum(talent, 1.0)  # base x (max(talent, 1) / max(talent_base, 1)) ** elasticity
        ratio /= np.maximum(z.talent_base, 1.0)
    pm.power_op(ratio, model.params.housing_elasticity, out=ratio)
    return np.multiply(z.housing_base, ratio, out=ratio)


def public_finance(model: ZoneModel, tax_by_zone: np.ndarray) -> None:
    """Zones keep their tax share (after any sharing between host and hosted zones), add the
    region's transfers, and their committees (``sim.agents.committee``) split the budget among
    promotion, land, services, platforms, talent and a hosted zone; nothing is carried over."""
    z = model.zones
    z.tax_raised[:] = tax_by_zone
    np.multiply(z.tax_share, tax_by_zone, out=z.tax_kept)  # written in place: no temporary to copy
    model.hooks.share_tax(model)  # levers (hosting) may move kept tax between zones
    np.add(z.tax_kept, z.transfers, out=z.budget)
    model.committees.spend_budget()
    z.transfers[:] = 0.0


def land_demand(model: ZoneModel, occupied: np.ndarray) -> np.ndarray:
    """km2 of new developed land each zone asks for: enough to restore its free-land buffer (larger
    when its committee spends more on land than the status quo)."""
    z, p = model.zones, model.params
    if yearly.on() and occupied.dtype == np.float64 and occupied.shape == z.land_total.shape:
        out = np.empty(occupied.shape)  # compiled: the same steps, element by element
        yearly.land_demand(float(p.idle_land_buffer), model.committees.land_capacity(), occupied, z.land_total,
                           z.land_developed, z.land_allotted, out)
        return out
    buffer = p.idle_land_buffer * model.committees.land_capacity()  # committees' land spending
    want = occupied * (1.0 + buffer) + occupied * 0.03 - z.land_developed - z.land_allotted
    room = z.land_total - z.land_developed - z.land_allotted
    return np.clip(want, 0.0, np.maximum(room, 0.0))


def allot_and_develop(model: ZoneModel, allot: np.ndarray) -> bool:
    """``land_allotted += allot``, the flow ``land_allotted += allot`` and ``develop_land``, in one
    compiled call (the same sums, ``sim.core.yearly``); False, having done nothing, when the
    kernels are off or ``allot`` is not a float64 array of the zones' size (the caller does it)."""
    z = model.zones
    allot = np.asarray(allot)
    flows = model.flows["land_allotted"]
    if not (yearly.on() and allot.dtype == np.float64 and allot.shape == z.land_total.shape
            and flows.shape == allot.shape):
        return False
    yearly.develop(allot, z.land_allotted, flows, z.land_total, z.land_developed,
                   float(model.params.land_development_capacity), z.mgmt_eff, model.committees.land_capacity())
    return True


def develop_land(model: ZoneModel) -> np.ndarray:
    """Zones turn allotted quota into developed land, limited by capacity x efficiency x the
    committee's land spending relative to the status quo."""
    z, p = model.zones, model.params
    available = z.land_total - z.land_developed
    capacity = p.land_development_capacity * z.mgmt_eff * model.committees.land_capacity()
    dev = np.minimum(np.minimum(z.land_allotted, available), capacity)
    dev = np.maximum(dev, 0.0)
    z.land_developed += dev
    z.land_allotted -= dev
    return dev
