"""Area 1, layout (优化布局): region-level zones built on existing county parks; national status.
(Area 4's integration or hosting of non-zone industrial parks, ``park_integration``, is here too:
it shares the parks' firms, ``sim.policies.parks``.)

``new_zones`` (依托现有园区…建设自治区级高新区) — Lifecycle: ``setup`` draws each park's firms (they
exist before the upgrade, outside the zone system: ``sim.policies.parks``); ``start_year`` of the
park's ``year`` (1 = the first simulated year) creates a region-level zone with the park's land,
location and starting conditions through ``model.add_zone`` (recorded as ``promoted`` that
year), and the park's firms become the zone's firms. The park chooses a management model
(``management``): its own management committee (管委会), the county government running it
(县政府直管), or hosting by a national zone (托管): management efficiency, a yearly running
cost and, when hosted, the host's management and lower moving costs to the host. The region pays
the upgrade (``upgrade_cost`` per km2 of the park's land, once) and the running cost. A park
without a location (no ``lon``/``lat``) is a placeholder: it is kept out of distance rules (a
hosted placeholder must name its host).

``promotion`` (培育创建国家高新区) — Lifecycle: ``after_evaluation`` counts, for each region-level
zone, consecutive years ranked within the class's top ``top`` while meeting the output and
certified-firm thresholds; after ``years`` such years the zone becomes national (at most one
every ``min_gap`` years, and no more than ``max_national`` national zones); ``designate`` names
zones the State Council approves in a given year (a zone the region cultivates). A zone that
becomes national during the run gets the channels national status brings (``start_year``, while
it stays national): a larger planning area (``area_km2``, once), a land quota of its own
(``land_quota_km2`` a year), funding (``funding`` CNY m a year, ``region_share`` of it from the
region's budget, the rest central), policy pilots (innovation rate x ``1 + pilot_gain``) and the
brand (arrivals x ``1 + brand_gain``), on top of the location bonus every national zone has
(``attract_national``). Defaults calibrated so a zone made national in year 1 produces about
20% more after ten years than on the same seed without (Alder, Shao & Zilibotti 2016: state-level
zone status raises a city's GDP by about 20%, CALIBRATION.md). Hezhou applied for national status
in 2023 (CALIBRATION.md); national zones in 2020 averaged well above CNY 50 bn of output.

``park_integration`` (整合或托管…各类工业园区) — Lifecycle: ``setup`` draws the parks' firms;
``start_year`` of a park's ``year`` adds the park's land (inside the boundary and developed) to
the receiving zone and the park's firms become that zone's firms. ``integrate`` (整合): the
region pays ``cost_per_km2`` of the park's land once (bringing it to the zone's standard);
``host`` (托管): the zone manages the park for the county and the region pays the hosting zone
``host_fee`` a year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sim.agents.zone import DELISTED, NATIONAL, REGION
from sim.core.errors import InputError
from sim.core.params import MAX_YEARS
from sim.core.units import bn_from_m
from sim.policies._common import Contribution, check_zone_ids, zero_nan
from sim.policies.base import Lever, LeverSettings
from sim.policies.parks import ParkFirms, ParkPopulation
from sim.core import pmath as pm

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


class Park(BaseModel):
    """An existing county park (with its firms) that becomes a region-level zone."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    name: str = Field(min_length=1)
    name_zh: str = ""
    lon: float | None = Field(None, ge=-180, le=180, description="longitude; none with lat: a placeholder "
                              "without a location, kept out of distance rules")
    lat: float | None = Field(None, ge=-90, le=90)
    year: int = Field(1, ge=1, le=MAX_YEARS, description="simulated year in which it is created (1 = first)")
    land_total: float = Field(10.0, gt=0.0, le=100_000.0, description="km2 inside the boundary")
    land_developed: float = Field(3.0, gt=0.0, le=100_000.0, description="km2 developed at creation (the park's "
                                  "firms use 85% of it)")
    mgmt_eff: float | None = Field(None, ge=0.0, le=1.0, description="management efficiency; null: the "
                                   "management model's")
    amenity: float = Field(0.8, ge=0.0, le=10.0, description="amenity index (smallest zones: 0.8)")
    housing_cost: float = Field(5.5, gt=0.0, le=1000.0, description="CNY k per m2 (smallest zones: 5.5)")
    platforms: float = Field(1.0, ge=0.0, le=100_000.0, description="innovation platforms at creation")
    firms: ParkFirms = Field(ParkFirms(), description="the park's firms before the upgrade")
    management: Literal["committee", "county", "hosted"] = Field(
        "committee", description="management model: own management committee (管委会), run by the county "
        "government (县政府直管) or hosted by a national zone (托管)")
    host: str | None = Field(None, description="zone id of the host (management hosted); null: the nearest "
                             "located national zone")


class NewZones(Lever):
    """Upgrade existing county parks, firms included, to region-level zones in given years."""

    name = "new_zones"
    area = 1
    title = "Region-level zones built on existing county parks (firms included; management model)"
    intent = ("firms", 1)

    class Settings(LeverSettings):
        parks: tuple[Park, ...] = Field((), description="parks to upgrade into region-level zones")
        committee_eff: float = Field(0.55, ge=0.0, le=1.0, description="management efficiency with the zone's own "
                                     "management committee (0..1; estimate: between the weakest zones' 0.45 "
                                     "and the region-level median)")
        county_eff: float = Field(0.45, ge=0.0, le=1.0, description="management efficiency when the county "
                                  "government runs the zone (estimate: the weakest zones)")
        hosted_factor: float = Field(0.9, ge=0.0, le=1.0, description="a hosted zone's management efficiency "
                                     "as a share of its host's (estimate)")
        committee_cost: float = Field(20.0, ge=0.0, le=100_000.0, description="CNY m a year the region pays "
                                      "towards a committee-run zone (estimate: ~100 staff x CNY 0.2 m)")
        county_cost: float = Field(5.0, ge=0.0, le=100_000.0, description="CNY m a year towards a county-run "
                                   "zone (estimate: a small office in the county government)")
        hosted_cost: float = Field(10.0, ge=0.0, le=100_000.0, description="CNY m a year towards a hosted zone "
                                   "(estimate: the host's staff seconded, half a committee's cost)")
        upgrade_cost: float = Field(30.0, ge=0.0, le=100_000.0, description="CNY m per km2 of the park's "
                                    "developed land, once, to bring roads, utilities and services to a zone's "
                                    "standard (estimate)")

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.created: list[dict[str, Any]] = []
        self.populations: dict[str, ParkPopulation] = {}
        self.slots: dict[str, int] = {}  # park id -> zone slot, once created
        self.hosts: dict[str, int] = {}  # park id -> host slot (management hosted)
        self.cost = 0.0
        self.firms_joined = 0

    def setup(self, model: ZoneModel) -> None:
        ids = [p.id for p in self.settings.parks]
        clash = [i for i in ids if i in model.zone_ids] or [i for i in ids if ids.count(i) > 1]
        if clash:
            raise InputError("package", f"levers.{self.name}.parks", f"zone id '{clash[0]}' already exists")
        bad = [p.id for p in self.settings.parks if p.land_developed > p.land_total]
        if bad:
            raise InputError("package", f"levers.{self.name}.parks", f"'{bad[0]}': land_developed > land_total")
        half = [p.id for p in self.settings.parks if (p.lon is None) != (p.lat is None)]
        if half:
            raise InputError("package", f"levers.{self.name}.parks", f"'{half[0]}': give both lon and lat, or neither")
        for p in self.settings.parks:
            if p.host is not None:
                check_zone_ids(model, self.name, "parks.host", [p.host], words=False)
                if model.zones.level[model.zone_ids.index(p.host)] != NATIONAL:
                    raise InputError("package", f"levers.{self.name}.parks.host", f"'{p.host}' is not a national zone")
            elif p.management == "hosted" and p.lon is None:
                raise InputError("package", f"levers.{self.name}.parks.host", f"'{p.id}' has no location: "
                                 "a hosted placeholder must name its host")
        self.populations = {p.id: ParkPopulation(model, p.id, p.firms) for p in self.settings.parks}

    def _host(self, model: ZoneModel, slot: int, park: Park) -> int:
        """The named host, or the nearest located national zone (a placeholder never is nearest)."""
        zs = model.zones
        if park.host is not None:
            return model.zone_ids.index(park.host)
        cand = np.flatnonzero(zs.alive & zs.located & (zs.level == NATIONAL))
        cand = cand[cand != slot]
        if cand.size == 0:
            return -1
        return int(cand[np.argmin(model.distance[slot, cand])])

    def plan_cost(self, model: ZoneModel) -> float:
        s = self.settings
        year = model.steps  # the year start_year is about to act in
        run = sum(self._running(p.management) for p in s.parks if p.id in self.slots)
        new = sum(self._running(p.management) + s.upgrade_cost * p.land_developed
                  for p in s.parks if p.year == year and p.id not in self.slots)
        return run + new

    def _running(self, management: str) -> float:
        s = self.settings
        return {"committee": s.committee_cost, "county": s.county_cost, "hosted": s.hosted_cost}[management]

    def start_year(self, model: ZoneModel) -> None:
        s, zs = self.settings, model.zones
        for park in s.parks:
            if park.year != model.steps or park.id in self.slots:
                continue
            located = park.lon is not None
            eff = {"committee": s.committee_eff, "county": s.county_eff, "hosted": s.county_eff}[park.management]
            slot = model.add_zone(
                zone_id=park.id, name=park.name, name_zh=park.name_zh or park.name, level=REGION,
                lon=park.lon if located else 0.0, lat=park.lat if located else 0.0, located=located,
                land_total=park.land_total, land_developed=park.land_developed,
                mgmt_eff=park.mgmt_eff if park.mgmt_eff is not None else eff, amenity=park.amenity,
                housing_base=park.housing_cost, talent_base=1000.0, platforms=park.platforms,
                tax_share=model.params.zone_tax_share)
            model.flows["promoted"][slot] += 1  # the year's flows were reset before start_year
            self.slots[park.id] = slot
            if park.management == "hosted":
                host = self._host(model, slot, park)
                if host >= 0:
                    self.hosts[park.id] = host
                    zs.hosted_by[slot] = host
                    model.move_cost[host, slot] *= 0.5  # one management, one investment service (as hosting)
                    model.move_cost[slot, host] *= 0.5
            self.firms_joined += self.populations[park.id].join(model, slot, park.land_developed).size
            upgrade = s.upgrade_cost * park.land_developed * self.funding
            model.flows["region_support"][slot] += upgrade
            self.cost += upgrade
            self.created.append({"year": model.start_year + model.steps, "zone": park.id,
                                 "management": park.management, "firms": int(park.firms.firms)})
        for park in s.parks:  # every created zone: the management model's running cost (and the host's management)
            slot = self.slots.get(park.id)
            if slot is None or not zs.alive[slot] or zs.level[slot] == DELISTED:
                continue
            host = self.hosts.get(park.id)
            if host is not None and park.mgmt_eff is None:
                zs.mgmt_eff[slot] = max(zs.mgmt_eff[slot], s.hosted_factor * zs.mgmt_eff[host])
            cost = self._running(park.management) * self.funding
            model.flows["region_support"][slot] += cost
            self.cost += cost

    def summary(self) -> dict[str, Any]:
        return {"created": list(self.created), "firms_joined": self.firms_joined, "cost_cny_m": self.cost}


class Designation(BaseModel):
    """A region-level zone the State Council approves as national in a given year."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    zone: str = Field(description="zone id of a region-level zone")
    year: int = Field(1, ge=1, le=MAX_YEARS, description="simulated year of the approval (1 = first)")


class Promotion(Lever):
    """Promote a region-level zone that stays at the top of its class to national status."""

    name = "promotion"
    area = 1
    title = "Promotion of qualifying region-level zones to national status"
    intent = ("output", 1)

    class Settings(LeverSettings):
        top: int = Field(1, ge=1, le=100, description="ranks within the region-level class that qualify")
        years: int = Field(3, ge=1, le=50, description="consecutive qualifying years needed (estimate)")
        min_output_bn: float = Field(60.0, ge=0.0, le=1e9, description="CNY bn/yr of output needed (estimate)")
        min_hightech_firms: int = Field(60, ge=0, le=1_000_000_000, description="certified high-tech firms needed (estimate)")
        max_national: int | None = Field(None, ge=1, le=100_000, description="cap on the number of national zones")
        min_gap: int = Field(5, ge=0, le=100, description="years between two promotions (estimate: the "
                             "State Council approves national zones in batches)")
        value_years: float = Field(3.0, ge=0.0, le=100.0, description="what national status is worth to a "
                                   "zone's committee, in years of its budget (estimate; committees respond to "
                                   "the chance of promotion, sim/agents/committee.py)")
        designate: tuple[Designation, ...] = Field((), description="region-level zones approved as national "
                                                   "in a given year, whatever their rank (the zone the region "
                                                   "cultivates, 培育创建)")
        area_km2: float = Field(10.0, ge=0.0, le=10_000.0, description="km2 added to a newly national zone's "
                                "boundary (its approved planning area; estimate: Guangxi's national zones hold "
                                "70-100 km2, region-level ones 10-40)")
        land_quota_km2: float = Field(0.5, ge=0.0, le=1_000.0, description="km2 a year of land quota a newly "
                                      "national zone gets besides the region's quota (national zones' priority in "
                                      "the national land plan; estimate)")
        funding: float = Field(60.0, ge=0.0, le=100_000.0, description="CNY m a year of funds for a newly "
                               "national zone's services and platforms (estimate: central and provincial "
                               "special funds for national zones, tens of CNY m a year)")
        region_share: float = Field(0.5, ge=0.0, le=1.0, description="share of those funds the region pays "
                                    "(booked to its budget); the rest is central money (estimate)")
        pilot_gain: float = Field(0.1, ge=0.0, le=5.0, description="innovation rate x (1 + gain) from the "
                                  "national policy pilots (先行先试; estimate)")
        brand_gain: float = Field(0.5, ge=0.0, le=20.0, description="arrivals of outside firms x (1 + gain) "
                                  "from the national brand (estimate, calibrated with the other channels to "
                                  "~+20% output in ten years, Alder, Shao & Zilibotti 2016)")

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.streak: np.ndarray | None = None
        self.last_promotion = -10**9
        self.events: list[dict[str, Any]] = []
        self.new_national: list[int] = []  # slots of zones made national during the run (the channels)
        self.innovation = Contribution("innovation_mult", "mul")
        self.arrivals = Contribution("arrival_mult", "mul")
        self.paid = self.central = self.land_given = 0.0

    def setup(self, model: ZoneModel) -> None:
        names = [d.zone for d in self.settings.designate]
        check_zone_ids(model, self.name, "designate", names, words=False)
        for n in names:
            if model.zones.level[model.zone_ids.index(n)] != REGION:
                raise InputError("package", f"levers.{self.name}.designate", f"'{n}' is not a region-level zone")

    def _promote(self, model: ZoneModel, z: int) -> None:
        zs = model.zones
        zs.level[z] = NATIONAL
        model.flows["promoted"][z] += 1
        zs.land_total[z] += self.settings.area_km2
        self.new_national.append(int(z))
        self.last_promotion = model.steps
        self.events.append({"year": model.start_year + model.steps, "zone": model.zone_ids[z]})

    def channels(self, model: ZoneModel) -> np.ndarray:
        """Slots of the zones made national during the run that are still national."""
        zs = model.zones
        got = np.array(self.new_national, dtype=np.int64)
        return got[zs.alive[got] & (zs.level[got] == NATIONAL)] if got.size else got

    def plan_cost(self, model: ZoneModel) -> float:
        s = self.settings
        due = sum(1 for d in s.designate if d.year == model.steps)
        return s.region_share * s.funding * (self.channels(model).size + due)

    def start_year(self, model: ZoneModel) -> None:
        s, zs = self.settings, model.zones
        for d in s.designate:
            z = model.zone_ids.index(d.zone)
            if d.year == model.steps and zs.alive[z] and zs.level[z] == REGION:
                self._promote(model, z)
        ch = self.channels(model)
        n = zs.capacity
        pilot, brand = np.ones(n), np.ones(n)
        pilot[ch] += s.pilot_gain
        brand[ch] += s.brand_gain
        self.innovation.set(model, pilot)
        self.arrivals.set(model, brand)
        if ch.size == 0:
            return
        room = np.maximum(zs.land_total[ch] - zs.land_developed[ch] - zs.land_allotted[ch], 0.0)
        land = np.minimum(s.land_quota_km2, room)  # the zone's own quota, outside the region's
        zs.land_allotted[ch] += land
        self.land_given += float(land.sum())
        region = s.region_share * s.funding * self.funding
        central = (1.0 - s.region_share) * s.funding
        model.pay(ch, np.full(ch.size, region))  # booked to the region's budget
        zs.transfers[ch] += central  # central money: into the zone's budget, not the region's
        self.paid += region * ch.size
        self.central += central * ch.size

    def after_evaluation(self, model: ZoneModel) -> None:
        s, zs = self.settings, model.zones
        n = zs.capacity
        streak = np.zeros(n) if self.streak is None else np.concatenate([self.streak, np.zeros(n - self.streak.size)])
        fl = model.flows
        hightech = model.year_data.census["hightech_firms"]  # certified firms per zone this year (sim.outcomes.metrics.census)
        ok = (zs.alive & (zs.level == REGION) & (zs.rank >= 1) & (zs.rank <= s.top)
              & (bn_from_m(fl["output"]) >= s.min_output_bn) & (hightech >= s.min_hightech_firms))
        streak = np.where(ok, streak + 1, 0)
        n_nat = int((zs.alive & (zs.level == NATIONAL)).sum())
        ready = np.flatnonzero(streak >= s.years)
        if ready.size and model.steps - self.last_promotion >= s.min_gap and \
                (s.max_national is None or n_nat < s.max_national):
            z = ready[np.argmin(zs.rank[ready])]
            self._promote(model, z)
            streak[z] = 0
        self.streak = streak

    def incentives(self, model: ZoneModel) -> dict[str, np.ndarray]:
        """CNY m per score point: value of national status x d P(promotion) / d score, for the
        region-level zones that meet the output and certified-firm thresholds."""
        from sim.agents.committee import prob_above, rank_slope

        s, zs = self.settings, model.zones
        n = zs.capacity
        out = np.zeros(n)
        members = np.flatnonzero(zs.alive & (zs.level == REGION))
        n_nat = int((zs.alive & (zs.level == NATIONAL)).sum())
        if members.size <= s.top or (s.max_national is not None and n_nat >= s.max_national):
            return {"score": out}
        hightech = np.zeros(n)
        got = model.year_data.census.get("hightech_firms", np.zeros(0))[:n]
        hightech[: got.size] = got
        ok = (bn_from_m(zs.output_prev[members]) >= s.min_output_bn) & (hightech[members] >= s.min_hightech_firms)
        score = zero_nan(zs.score[members])
        ordered = np.sort(score)[::-1]
        cut = 0.5 * (ordered[s.top - 1] + ordered[s.top])
        noise = model.committees.score_noise[members]
        streak = np.zeros(n) if self.streak is None else np.concatenate([self.streak, np.zeros(n - self.streak.size)])
        need = np.maximum(s.years - streak[members], 1.0)
        p = prob_above(score, cut, noise)
        dprob = need * pm.power(p, need - 1.0) * rank_slope(score, cut, noise)
        out[members] = np.where(ok, s.value_years * np.maximum(zs.budget[members], 0.0) * dprob, 0.0)
        return {"score": out}

    def summary(self) -> dict[str, Any]:
        return {"promoted": list(self.events), "region_funds_cny_m": self.paid, "central_funds_cny_m": self.central,
                "national_land_quota_km2": self.land_given}


class OutsidePark(BaseModel):
    """A non-zone industrial park (with its firms) that joins an existing zone."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    name: str = Field(min_length=1)
    name_zh: str = ""
    zone: str = Field("nearest", description="zone id of the receiving zone, or 'nearest': the nearest located, "
                      "listed zone (the park needs a location)")
    lon: float | None = Field(None, ge=-180, le=180, description="longitude (needed for zone: nearest)")
    lat: float | None = Field(None, ge=-90, le=90)
    year: int = Field(1, ge=1, le=MAX_YEARS, description="simulated year in which it joins (1 = first)")
    mode: Literal["integrate", "host"] = Field("integrate", description="整合 (merged into the zone) or 托管 "
                                               "(managed by the zone for the county)")
    land_total: float = Field(8.0, gt=0.0, le=100_000.0, description="km2 of the park inside its boundary")
    land_developed: float = Field(3.0, gt=0.0, le=100_000.0, description="km2 of it developed (the park's firms "
                                  "use 85% of it)")
    firms: ParkFirms = Field(ParkFirms(), description="the park's firms")


class ParkIntegration(Lever):
    """Non-zone industrial parks merged into, or hosted by, existing zones: land and firms join."""

    name = "park_integration"
    area = 4
    title = "Integration or hosting of non-zone industrial parks (land and firms join a zone)"
    intent = ("firms", 1)

    class Settings(LeverSettings):
        parks: tuple[OutsidePark, ...] = Field((), description="parks that join a zone")
        cost_per_km2: float = Field(30.0, ge=0.0, le=100_000.0, description="CNY m per km2 of an integrated "
                                    "park's developed land, once: roads, utilities and services to the zone's "
                                    "standard (estimate)")
        host_fee: float = Field(5.0, ge=0.0, le=100_000.0, description="CNY m a year the region pays the zone "
                                "that hosts a park (management staff; estimate)")

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.populations: dict[str, ParkPopulation] = {}
        self.joined: dict[str, int] = {}  # park id -> receiving zone slot
        self.events: list[dict[str, Any]] = []
        self.cost = 0.0
        self.firms_joined = 0
        self.land_joined = 0.0

    def setup(self, model: ZoneModel) -> None:
        parks = self.settings.parks
        ids = [p.id for p in parks]
        clash = [i for i in ids if i in model.zone_ids] or [i for i in ids if ids.count(i) > 1]
        if clash:
            raise InputError("package", f"levers.{self.name}.parks", f"park id '{clash[0]}' is taken")
        check_zone_ids(model, self.name, "parks.zone", [p.zone for p in parks if p.zone != "nearest"], words=False)
        for p in parks:
            if p.land_developed > p.land_total:
                raise InputError("package", f"levers.{self.name}.parks", f"'{p.id}': land_developed > land_total")
            if (p.lon is None) != (p.lat is None):
                raise InputError("package", f"levers.{self.name}.parks", f"'{p.id}': give both lon and lat, or neither")
            if p.zone == "nearest" and p.lon is None:
                raise InputError("package", f"levers.{self.name}.parks.zone", f"'{p.id}' has no location: name "
                                 "its zone")
        self.populations = {p.id: ParkPopulation(model, p.id, p.firms) for p in parks}

    def receiver(self, model: ZoneModel, park: OutsidePark) -> int:
        """The named zone, or the nearest located, listed, live zone (placeholders never are)."""
        zs = model.zones
        if park.zone != "nearest":
            return model.zone_ids.index(park.zone)
        cand = np.flatnonzero(zs.alive & zs.located & (zs.level != DELISTED))
        if cand.size == 0:
            return -1
        lat1, lon1 = np.radians(park.lat), np.radians(park.lon)
        lat2, lon2 = np.radians(zs.lat[cand]), np.radians(zs.lon[cand])
        a = pm.sin((lat2 - lat1) / 2) ** 2 + pm.cos(lat1) * pm.cos(lat2) * pm.sin((lon2 - lon1) / 2) ** 2
        return int(cand[np.argmin(np.clip(a, 0.0, 1.0))])  # the nearest: arcsin(sqrt(a)) rises with a

    def plan_cost(self, model: ZoneModel) -> float:
        s = self.settings
        new = sum(s.cost_per_km2 * p.land_developed for p in s.parks
                  if p.year == model.steps and p.mode == "integrate" and p.id not in self.joined)
        hosted = sum(1 for p in s.parks if p.mode == "host" and (p.id in self.joined or p.year == model.steps))
        return new + s.host_fee * hosted

    def start_year(self, model: ZoneModel) -> None:
        s, zs = self.settings, model.zones
        for park in s.parks:
            if park.year != model.steps or park.id in self.joined:
                continue
            z = self.receiver(model, park)
            if z < 0 or not zs.alive[z]:
                continue
            zs.land_total[z] += park.land_total
            zs.land_developed[z] += park.land_developed
            self.land_joined += park.land_total
            self.firms_joined += self.populations[park.id].join(model, z, park.land_developed).size
            self.joined[park.id] = z
            if park.mode == "integrate":
                cost = s.cost_per_km2 * park.land_developed * self.funding
                model.flows["region_support"][z] += cost
                self.cost += cost
            self.events.append({"year": model.start_year + model.steps, "park": park.id,
                                "zone": model.zone_ids[z], "mode": park.mode})
        hosts = [z for pid, z in self.joined.items()
                 if next(p for p in s.parks if p.id == pid).mode == "host" and zs.alive[z]]
        if hosts and s.host_fee > 0:
            fee = np.full(len(hosts), s.host_fee * self.funding)
            model.pay(np.array(hosts, dtype=np.int64), fee)
            self.cost += float(fee.sum())

    def summary(self) -> dict[str, Any]:
        return {"joined": list(self.events), "firms_joined": self.firms_joined, "land_joined_km2": self.land_joined,
                "cost_cny_m": self.cost}
