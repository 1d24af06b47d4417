"""Year-0 population of a world: zones from the zone table, firms and talent drawn to match it.

Procedure (documented in docs/ODD.md, "Initialisation"):

1. each zone's ``firms`` are split among sectors by its sector shares; employment is drawn
   from a Pareto (Zipf, tail exponent ``FIRM_SIZE_TAIL``) and scaled so that the zone's
   employment equals output / ``OUTPUT_PER_WORKER``;
2. ``hightech_firms`` certified firms are picked among R&D-intensive firms;
3. firms' land use is scaled so they occupy ``OCCUPIED_SHARE`` of the zone's developed land;
4. talent cohorts: ``talent / talent_scale`` per zone, most with the zone as home;
5. after one matching and production pass, each zone's TFP level is scaled so its output
   equals the table's ``output_bn``, wages are set from value added, knowledge stocks from
   R&D and age, and services stocks at their steady state.

Every draw comes from a named ``init.*`` stream of ``model.streams`` (year 0), keyed by the
agent's permanent key: the k-th firm or cohort of a zone's row (``sim.core.keys``). So a change
to one zone's row leaves every other zone's agents as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.enterprise import cells, produce
from sim.agents.talent import hire
from sim.agents.zone import NATIONAL, REGION, service_effect
from sim.core.keys import INIT_COHORT, INIT_FIRM, counted_keys, zone_keys
from sim.core.params import N_SECTORS
from sim.core.units import m_from_bn
from sim.scenario.world import ZoneRow

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel

FIRM_SIZE_TAIL = 1.05  # Pareto exponent of employment; Axtell 2001 (Zipf ~ 1)
FIRM_SIZE_MIN = 3.0  # employees, smallest firm before scaling (estimate)
FIRM_SIZE_MAX_SHARE = 0.25  # no firm above this share of its zone's employment (estimate)
OUTPUT_PER_WORKER = 1.0  # CNY m per employee in 2021 (estimate: above-scale industry ~1-1.3)
OCCUPIED_SHARE = 0.85  # share of developed land in use at the start (estimate)
HOME_ELSEWHERE = 0.2  # share of talent whose home zone is another zone (estimate)
SECTOR_LAND_INTENSITY = np.array([0.8, 0.9, 1.5, 1.2, 1.6])  # relative land per worker (estimate)
TFP_SIGMA = 0.35  # dispersion of log TFP within a zone (estimate; Hsieh & Klenow 2009 larger)
RD_SIGMA = 0.5  # dispersion of log R&D share (estimate)
MEAN_FIRM_AGE = 8.0  # years (SAIC 2013: half of firms under 5; estimate)


def populate(model: ZoneModel, rows: tuple[ZoneRow, ...]) -> None:
    """Fill the zone, firm and talent pools of ``model`` from the zone table."""
    S, p = model.streams, model.params
    zs = model.zones
    nz = len(rows)
    zk = zone_keys([r.id for r in rows])
    slots = zs.add(nz, key=zk, **_zone_columns(rows, p))
    assert np.array_equal(slots, np.arange(nz))
    zs.tax_share[:] = p.zone_tax_share

    # firms -----------------------------------------------------------------------------------
    counts = np.array([r.firms for r in rows], dtype=np.int64)
    zone = np.repeat(np.arange(nz), counts)
    fk = counted_keys(INIT_FIRM, None, zk, counts)
    share_cdf = np.cumsum(np.array([r.sector_shares for r in rows], dtype=float), axis=1)
    share_cdf /= share_cdf[:, -1:]
    sector = S.choice("init.sector", 0, fk, share_cdf, zone)
    size = FIRM_SIZE_MIN * (1.0 - S.uniform("init.size", 0, fk)) ** (-1.0 / FIRM_SIZE_TAIL)
    target_emp = np.array([m_from_bn(r.output_bn) / OUTPUT_PER_WORKER for r in rows])
    raw_total = np.bincount(zone, weights=size, minlength=nz)
    size = np.minimum(size, FIRM_SIZE_MAX_SHARE * raw_total[zone])
    size *= (target_emp / np.maximum(np.bincount(zone, weights=size, minlength=nz), 1e-9))[zone]
    size = np.maximum(size, 1.0)
    rd_share = model.sector_rd[sector] * S.lognormal("init.rd", 0, fk, -RD_SIGMA**2 / 2, RD_SIGMA)
    hightech = _pick_hightech(S, fk, zone, sector, rd_share, [r.hightech_firms for r in rows])
    rd_share = np.where(hightech, np.maximum(rd_share, p.hightech_rd_threshold * 1.05), rd_share)
    land_w = size * SECTOR_LAND_INTENSITY[sector]
    occupied = np.array([r.land_developed_km2 for r in rows]) * OCCUPIED_SHARE
    land = land_w * (occupied / np.bincount(zone, weights=land_w, minlength=nz))[zone]
    age = S.geometric("init.age", 0, fk, 1.0 / MEAN_FIRM_AGE) - 1
    model.firms.add(
        zone.size, key=fk, zone=zone, sector=sector, origin=0, employees=size,
        capital=size * model.sector_capital[sector] * S.lognormal("init.capital", 0, fk, -0.02, 0.2),
        tfp=S.lognormal("init.tfp", 0, fk, 0.0, TFP_SIGMA), rd_share=rd_share, hightech=hightech,
        cert_left=np.where(hightech, S.integers("init.cert_left", 0, fk, p.certification_years + 1, low=1), 0),
        age=age, land=land,
    )

    # talent ----------------------------------------------------------------------------------
    n_coh = np.array([int(round(r.talent / p.talent_scale)) for r in rows], dtype=np.int64)
    tz = np.repeat(np.arange(nz), n_coh)
    ck = counted_keys(INIT_COHORT, None, zk, n_coh)
    home = np.where(S.uniform("init.home_elsewhere", 0, ck) < HOME_ELSEWHERE, S.integers("init.home", 0, ck, nz), tz)
    skill = S.lognormal("init.skill", 0, ck, -p.skill_sigma**2 / 2, p.skill_sigma)
    model.talent.add(tz.size, key=ck, zone=tz, home=home, skill=skill, years=S.integers("init.years", 0, ck, 40))
    zs.talent_base[:nz] = np.maximum(n_coh * p.talent_scale, 1.0)

    _calibrate(model, np.array([m_from_bn(r.output_bn) for r in rows]))


def _zone_columns(rows: tuple[ZoneRow, ...], p) -> dict:
    col = lambda name: np.array([getattr(r, name) for r in rows], dtype=float)  # noqa: E731
    return {
        "level": np.array([NATIONAL if r.level == "national" else REGION for r in rows], dtype=np.int8),
        "lon": col("lon"), "lat": col("lat"),
        "land_total": col("land_total_km2"), "land_developed": col("land_developed_km2"),
        "platforms": col("platforms"), "amenity": col("amenity"), "housing_base": col("housing_cost"),
        "mgmt_eff": col("mgmt_efficiency"),
    }


def _pick_hightech(streams, keys, zone, sector, rd_share, targets) -> np.ndarray:
    """Per zone, certify ``target`` firms drawn without replacement with weight rd_share^2 among
    non-traditional firms (successive sampling, by a keyed exponential race)."""
    w = rd_share**2 * (sector != N_SECTORS - 1) + 1e-12
    return streams.sample_weighted("init.hightech", 0, keys, w, np.asarray(targets, dtype=np.int64), group=zone)


def _calibrate(model: ZoneModel, target_output: np.ndarray) -> None:
    """Scale TFP per zone to hit the table's output; set wages, knowledge and services."""
    f, zs, p = model.firms, model.zones, model.params
    nz = target_output.size
    i = model.live_firms()
    z = f.zone[i]
    hire(model)
    cell = cells(model)
    zs.output_prev[:nz] = target_output
    # services at their steady state for the zone's budget (needs a first pass for tax)
    produce(model, service_effect(model), cell)
    tax = np.bincount(z, weights=f.tax[i], minlength=nz)
    zs.services[:nz] = p.spend_services * zs.tax_share[:nz] * tax / max(p.services_depreciation, 1e-9)
    service = service_effect(model)
    produce(model, service, cell)
    got = np.bincount(z, weights=f.output[i], minlength=nz)
    f.tfp[i] *= (target_output / np.maximum(got, 1e-9))[z]
    emp = produce(model, service, cell)[:nz]
    va = np.bincount(z, weights=f.value_added[i], minlength=nz)
    zs.wage[:nz] = p.labour_share * va / np.maximum(emp, 1e-9)
    produce(model, service, cell)
    d = p.knowledge_depreciation
    f.knowledge[i] = f.rd[i] * (1.0 - (1.0 - d) ** (f.age[i] + 1)) / max(d, 1e-9)
    model.region_mean_wage = float(np.average(zs.wage[:nz], weights=emp))
    f.losses[i] = (f.profit[i] < 0).astype(np.int64)
    f.ip[i] = np.where(f.hightech[i], 2.0, 0.0)
