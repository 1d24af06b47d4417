"""Year-0 population of a world: zones from the zone table, firms and talent drawn to match it.

Procedure (documented in docs/ODD.md, "Initialisation"):

1. each zone's ``firms`` are split among sectors by its sector shares; each firm's output is
   drawn from the size law fitted to the published counts of large firms
   (:mod:`sim.model.firm_sizes`); the world's anchor firms replace the largest draws of their
   zone; each zone's draws are scaled to the table's output keeping the counts above the
   thresholds; employment is output / ``OUTPUT_PER_WORKER`` times a lognormal labour-intensity
   factor (dispersion ``TFP_SIGMA``), scaled so the zone's employment is its output /
   ``OUTPUT_PER_WORKER``;
2. ``hightech_firms`` certified firms are the certified anchors plus firms picked among
   R&D-intensive ones;
3. firms' land use is scaled so they occupy ``OCCUPIED_SHARE`` of the zone's developed land;
4. talent cohorts: ``talent / talent_scale`` per zone, most with the zone as home;
5. after one matching and production pass, each firm's TFP is set so its output is its drawn
   size (so each zone's output equals the table's ``output_bn``), wages are set from value
   added, knowledge stocks from R&D and age, and services stocks at their steady state.

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
from sim.core import kernels
from sim.core.keys import INIT_COHORT, INIT_FILL, INIT_FIRM, counted_keys, zone_keys
from sim.core.params import N_SECTORS, SECTORS
from sim.core.streams import smallest_per_group
from sim.model.plan import SPINUP_STAGES
from sim.core.units import bn_from_m, m_from_bn
from sim.model import firm_sizes
from sim.scenario.world import Anchor, ZoneRow
from sim.core import pmath as pm

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel

FIRM_SIZE_MAX_SHARE = 0.25  # no random firm above this share of its zone's output (estimate; anchors exempt)
OUTPUT_PER_WORKER = 1.0  # CNY m per employee in 2021 (estimate: above-scale industry ~1-1.3)
OCCUPIED_SHARE = 0.85  # share of developed land in use at the start (estimate)
HOME_ELSEWHERE = 0.2  # share of talent whose home zone is another zone (estimate)
SECTOR_LAND_INTENSITY = np.array([0.8, 0.9, 1.5, 1.2, 1.6])  # relative land per worker (estimate)
TFP_SIGMA = 0.35  # dispersion of log output per worker within a zone (estimate; Hsieh & Klenow 2009 larger)
RD_SIGMA = 0.5  # dispersion of log R&D share (estimate)
MEAN_FIRM_AGE = 8.0  # years (SAIC 2013: half of firms under 5; estimate)


def populate(model: ZoneModel, rows: tuple[ZoneRow, ...], anchors: tuple[Anchor, ...] = ()) -> None:
    """Fill the zone, firm and talent pools of ``model`` from the zone table and the anchor firms."""
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
    target_out = np.array([m_from_bn(r.output_bn) for r in rows])  # CNY m
    law = firm_sizes.fit(float(bn_from_m(target_out.sum())), int(counts.sum()))
    out = law.quantile(S.uniform("init.size", 0, fk))  # output of each firm, CNY m a year
    fixed, anchor_ht, placed = _place_anchors(anchors, [r.id for r in rows], zone, sector, out)
    model.anchor_keys = fk[fixed]
    model.anchor_names = {int(fk[slot]): name for slot, name in placed.items()}
    out = firm_sizes.zone_sizes(out, zone, fixed, target_out, FIRM_SIZE_MAX_SHARE)
    # employment: output per worker varies (lognormal), anchors at the mean; each zone's employment
    # is its output / OUTPUT_PER_WORKER
    intensity = np.where(fixed, 1.0, S.lognormal("init.tfp", 0, fk, 0.0, TFP_SIGMA))
    size = out / OUTPUT_PER_WORKER * intensity
    target_emp = target_out / OUTPUT_PER_WORKER
    size *= (target_emp / np.maximum(kernels.group_sum(zone, size, nz), 1e-9))[zone]  # = np.bincount
    size = np.maximum(size, 1.0)
    rd_share = model.sector_rd[sector] * S.lognormal("init.rd", 0, fk, -RD_SIGMA**2 / 2, RD_SIGMA)
    ht_anchors = np.bincount(zone[anchor_ht], minlength=nz)  # certified anchors per zone
    targets = [r.hightech_firms - int(ht_anchors[z]) for z, r in enumerate(rows)]
    hightech = _pick_hightech(S, fk, zone, sector, rd_share, targets, ~fixed) | anchor_ht
    rd_share = np.where(hightech, np.maximum(rd_share, p.hightech_rd_threshold * 1.05), rd_share)
    land_w = size * SECTOR_LAND_INTENSITY[sector]
    occupied = np.array([r.land_developed_km2 for r in rows]) * OCCUPIED_SHARE
    land = land_w * (occupied / kernels.group_sum(zone, land_w, nz))[zone]
    age = S.geometric("init.age", 0, fk, 1.0 / MEAN_FIRM_AGE) - 1
    model.firms.add(
        zone.size, key=fk, zone=zone, sector=sector, origin=0, employees=size,
        capital=size * model.sector_capital[sector] * S.lognormal("init.capital", 0, fk, -0.02, 0.2),
        tfp=np.ones(zone.size), rd_share=rd_share, hightech=hightech,  # TFP set by _calibrate
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

    _calibrate(model, out)


def _zone_columns(rows: tuple[ZoneRow, ...], p) -> dict:
    col = lambda name: np.array([getattr(r, name) for r in rows], dtype=float)  # noqa: E731
    return {
        "level": np.array([NATIONAL if r.level == "national" else REGION for r in rows], dtype=np.int8),
        "located": np.array([r.located for r in rows], dtype=bool), "lon": col("lon"), "lat": col("lat"),
        "land_total": col("land_total_km2"), "land_developed": col("land_developed_km2"),
        "platforms": col("platforms"), "amenity": col("amenity"), "housing_base": col("housing_cost"),
        "mgmt_eff": col("mgmt_efficiency"),
    }


def _place_anchors(anchors: tuple[Anchor, ...], ids: list[str], zone: np.ndarray, sector: np.ndarray,
                   out: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """Anchor firms take the places of their zone's largest draws (their output and sector, in
    place); returns which firms are anchors, which of them are certified, and each anchor's slot."""
    fixed = np.zeros(zone.size, dtype=bool)
    certified = np.zeros(zone.size, dtype=bool)
    placed: dict[int, str] = {}
    for z, zid in enumerate(ids):
        mine = [a for a in anchors if a.zone == zid]
        if not mine:
            continue
        members = np.flatnonzero(zone == z)
        take = members[_largest(out[members], len(mine))]
        for slot, a in zip(take, sorted(mine, key=lambda a: -a.output_bn)):
            out[slot] = m_from_bn(a.output_bn)
            sector[slot] = SECTORS.index(a.sector)
            fixed[slot] = True
            certified[slot] = a.hightech
            placed[int(slot)] = a.name
    return fixed, certified, placed


def _largest(x: np.ndarray, m: int) -> np.ndarray:
    """``np.argsort(-x, kind="stable")[:m]``: the positions of the m largest, ties in index order,
    sorting only those at or above the m-th largest (a zone's ~2,600 draws: the full stable sort
    cost ~0.07 ms a zone)."""
    neg = -x
    if 0 < m < x.size:
        t = np.partition(neg, m - 1)[m - 1]  # the m-th smallest of -x
        if not np.isnan(t):  # (with NaN among the first m, the full sort)
            cand = np.flatnonzero(neg <= t)  # index order; every one of the first m is here
            return cand[np.argsort(neg[cand], kind="stable")[:m]]
    return np.argsort(neg, kind="stable")[:m]


def _pick_hightech(streams, keys, zone, sector, rd_share, targets, eligible=None) -> np.ndarray:
    """Per zone, certify ``target`` firms drawn without replacement with weight rd_share^2 among
    non-traditional firms (and among ``eligible`` ones, when given; successive sampling, by a keyed
    exponential race)."""
    w = rd_share**2 * (sector != N_SECTORS - 1) + 1e-12
    if eligible is not None:
        w = w * eligible  # weight 0: never drawn (its race time is infinite)
    with np.errstate(divide="ignore"):
        return streams.sample_weighted("init.hightech", 0, keys, w, np.asarray(targets, dtype=np.int64), group=zone)


def _calibrate(model: ZoneModel, firm_output: np.ndarray) -> None:
    """Set each firm's TFP so its output is ``firm_output`` (CNY m; the zones' sums are the table's
    output); set wages, knowledge and services."""
    f, zs, p = model.firms, model.zones, model.params
    i = model.live_firms()
    z = f.zone[i]
    nz = model.n_zone_slots
    hire(model)
    cell = cells(model)
    target_output = kernels.group_sum(z, firm_output, nz)  # np.bincount's sums, one compiled pass
    zs.output_prev[:nz] = target_output
    # the passes below change TFP, services and wages only: employment, skills and capital are raised to
    # their powers once (produce's ``powers``)
    powers: dict = {}
    # services at their steady state for the zone's budget (needs a first pass for tax)
    produce(model, service_effect(model), cell, powers=powers)
    tax = kernels.group_sum(z, f.tax[i], nz)
    zs.services[:nz] = p.spend_services * zs.tax_share[:nz] * tax / max(p.services_depreciation, 1e-9)
    service = service_effect(model)
    produce(model, service, cell, powers=powers)
    f.tfp[i] *= firm_output / np.maximum(f.output[i], 1e-12)  # output is linear in the firm's own TFP
    emp = produce(model, service, cell, powers=powers)[:nz]
    va = kernels.group_sum(z, f.value_added[i], nz)
    zs.wage[:nz] = p.labour_share * va / np.maximum(emp, 1e-9)
    produce(model, service, cell, powers=powers)
    d = p.knowledge_depreciation
    age = f.age[i]
    if age.size and 0 <= age.min() and age.max() < 4 * age.size:  # (1 - d) ** (age + 1) from a table of
        kept = pm.power(1.0 - d, np.arange(1.0, age.max() + 2))[age]  # the ages: the same bits
    else:  # (each element's power does not depend on its neighbours), ~60 powers instead of ~36,500
        kept = pm.power(1.0 - d, age + 1.0)
    f.knowledge[i] = f.rd[i] * (1.0 - kept) / max(d, 1e-9)
    model.region_mean_wage = float(np.average(zs.wage[:nz], weights=emp))
    f.losses[i] = (f.profit[i] < 0).astype(np.int64)
    f.ip[i] = np.where(f.hightech[i], 2.0, 0.0)


# ---------------------------------------------------------------------------------------------
# spin-up: a start without transients
# ---------------------------------------------------------------------------------------------
def spin_up(model: ZoneModel, rows: tuple[ZoneRow, ...], anchors: tuple[Anchor, ...] = ()) -> None:
    """Run the firm population ``spinup_years`` years under the baseline rules before the start
    year, then re-anchor the zones' totals to the table (docs/ODD.md, "Initialisation").

    The drawn state has no history: loss runs, IP stocks, certificates, knowledge and ages are
    guesses, and loss-making low-productivity firms that would long have closed are still there.
    Started from it, year 1 has an exit spike and certified firms collapse (issue 15). The
    spin-up lets the model's own firm dynamics (hiring, production, innovation and certification,
    land, exit, growth, relocation, entry) write that history, with talent and the zones'
    finances held at the table (no talent moves, no public spending, no evaluation: nothing a
    lever could act on, and levers are not yet set up). Its years are numbered -spinup_years ..
    -1, so their random draws are their own. Then :func:`reanchor` puts each zone back on the
    table: firm counts (a keyed random thinning; anchors kept), developed land, employment and
    output, keeping every firm's relative size and its history."""
    years = model.params.spinup_years
    if years <= 0:
        return
    zs = model.zones
    for t in range(-years, 0):
        model.steps = t
        model._reset_flows()
        for stage in SPINUP_STAGES:
            getattr(model, f"_{stage}")()
        zs.output_prev[:] = model.flows["output"]
    model.steps = 0
    model._reset_flows()
    reanchor(model, rows, anchors)
    close_year_zero(model)


def close_year_zero(model: ZoneModel) -> None:
    """The start year's own production (the table's output: recorded as year 0's flows), then its
    end-of-year firm processes (innovation, exits, growth, relocation, entry) under the baseline
    rules. Year 1 then produces with a population that has grown for a year; without this its output
    equals year 0's, and the first year of every run is flat (issue 15). Land and the zones'
    finances follow from year 1, as in every year; the year-0 flows are those of the production."""
    model._production()
    flows = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in model.flows.items()}
    model._innovation()
    model._firm_dynamics()
    model.flows.update(flows)
    model.year_zero_closed = True


def _fill(model: ZoneModel, rows: tuple[ZoneRow, ...], target_firms: np.ndarray) -> None:
    """Copies of spun-up firms for the zones below the table's firm count (see :func:`reanchor`)."""
    f = model.firms
    nz = len(rows)
    short = np.maximum(target_firms - np.bincount(f.zone[:f.n], minlength=nz), 0)
    if not short.any():
        return
    z = f.zone[:f.n]
    pick = ~np.isin(f.key[:f.n], model.anchor_keys) & (short > 0)[z]  # only the short zones' firms are copied
    # each zone's candidates in key order (independent of slots), then the k-th copy takes the
    # candidate at its keyed uniform's position
    cand = np.flatnonzero(pick)
    cand = cand[kernels.group_lexsort(f.key[:f.n][cand], z[cand], nz)]  # np.lexsort((key, zone)), compiled
    n_cand = np.bincount(z[cand], minlength=nz)
    short = np.where(n_cand > 0, short, 0)
    first = np.cumsum(n_cand) - n_cand
    new_keys = counted_keys(INIT_FILL, None, zone_keys([r.id for r in rows]), short)
    new_zone = np.repeat(np.arange(nz), short)
    u = model.streams.uniform("init.fill", 0, new_keys)
    src = cand[first[new_zone] + np.minimum((u * n_cand[new_zone]).astype(np.int64), n_cand[new_zone] - 1)]
    values = {name: getattr(f, name)[src].copy() for name in f._columns if name not in ("uid", "key")}
    f.add(src.size, key=new_keys, **values)


def reanchor(model: ZoneModel, rows: tuple[ZoneRow, ...], anchors: tuple[Anchor, ...] = ()) -> None:
    """Put each zone back on its table row after the spin-up, keeping every firm's history:

    1. thin its firms to the table's count (a keyed uniform, stream ``init.thin``; anchor firms are
       never thinned); a zone the spin-up left with fewer firms is filled up with copies of its own
       spun-up firms (history included; each copy has a new key (INIT_FILL, zone, k) and copies the
       firm its keyed uniform picks, stream ``init.fill``): small zones with little talent shrink
       in the spin-up (their entry is proportional to talent), and the start must hold the table;
    2. give its firms, in the order of their spun-up output, the outputs of a fresh draw from the
       size law fitted to the published counts (stream ``init.remap``; anchors at their sizes; each
       zone's sum the table's output): the spin-up's own dynamics do not hold the published shape
       (nearly flat between CNY 20 m and 133 m), and the start must;
    3. scale each firm's employment and capital with its output and set its TFP so its output is
       exactly its new one: output per worker, wage, margin and so loss runs are unchanged;
    4. restore the zone's developed land (firms occupy ``OCCUPIED_SHARE`` of it, each in proportion
       to its land).

    Knowledge, loss runs, IP, certificates, ages and relative productivity are kept: they are the
    spun-up history."""
    f, zs = model.firms, model.zones
    nz = len(rows)
    target_firms = np.array([r.firms for r in rows], dtype=np.int64)
    u = model.streams.uniform("init.thin", 0, f.key[:f.n])
    anchor = np.isin(f.key[:f.n], model.anchor_keys)
    u[anchor] = 2.0  # anchors last in the queue: never thinned
    extra = np.maximum(np.bincount(f.zone[:f.n], minlength=nz) - target_firms, 0)
    # the first extra[z] of each zone in the order np.lexsort((u, zone))
    model._remove_firms(np.flatnonzero(smallest_per_group(u, f.zone[:f.n], extra)))
    _fill(model, rows, target_firms)

    L = f.n
    z = f.zone[:L]
    fk = f.key[:L]
    anchor = np.isin(fk, model.anchor_keys)
    target_out = np.array([m_from_bn(r.output_bn) for r in rows])
    losses = f.losses[:L].copy()  # the production passes below are not years: loss runs stay
    hire(model)
    cell = cells(model)
    zs.output_prev[:nz] = target_out
    service = service_effect(model)
    produce(model, service, cell)  # every firm's output now, the last year's entrants included
    law = firm_sizes.fit(float(bn_from_m(target_out.sum())), L)  # the counts, whatever the firms left
    draw = law.quantile(model.streams.uniform("init.remap", 0, fk))
    # within each zone, the k-th largest spun-up firm gets the k-th largest draw; anchors take the
    # places of the largest draws (as in populate) and their own sizes
    new = np.empty(L)
    # np.lexsort((-output, anchor, z)) and np.lexsort((-draw, z)) (compiled: the same permutations;
    # zone and anchor flag are one group, 2 z + anchor)
    by_output = kernels.group_lexsort(-f.output[:L], 2 * z + anchor, 2 * nz)  # per zone: others by output, anchors last
    by_draw = kernels.group_lexsort(-draw, z, nz)
    count = np.bincount(z, minlength=nz)
    n_anchor = np.bincount(z, weights=anchor, minlength=nz).astype(np.int64)
    first = np.cumsum(count) - count
    pos = np.arange(L) - first[z[by_draw]]  # rank of each draw within its zone
    keep = pos >= n_anchor[z[by_draw]]  # the largest draws make way for the anchors
    others = by_output[~anchor[by_output]]
    new[others] = draw[by_draw[keep]]
    sizes = {a.name: m_from_bn(a.output_bn) for a in anchors}
    for slot in np.flatnonzero(anchor):
        new[slot] = sizes.get(model.anchor_names.get(int(fk[slot]), ""), f.output[slot])
    new = firm_sizes.zone_sizes(new, z, anchor, target_out, FIRM_SIZE_MAX_SHARE)

    ratio = new / np.maximum(f.output[:L], 1e-12)
    f.employees[:L] = np.maximum(f.employees[:L] * ratio, 1.0)
    f.capital[:L] *= ratio
    hire(model)
    powers: dict = {}  # the second pass changes TFP only
    produce(model, service, cell, powers=powers)
    f.tfp[:L] *= new / np.maximum(f.output[:L], 1e-12)  # output is linear in the firm's own TFP
    emp = produce(model, service, cell, powers=powers)[:nz]
    if emp.sum() > 0:  # else (every firm closed in the spin-up, extreme settings) keep the last wage
        model.region_mean_wage = float(np.average(zs.wage[:nz], weights=emp))
    f.losses[:L] = losses

    developed = np.array([r.land_developed_km2 for r in rows])
    zs.land_developed[:nz] = developed
    zs.land_allotted[:nz] = 0.0
    used = np.bincount(z, weights=f.land[:L], minlength=nz)
    f.land[:L] *= (OCCUPIED_SHARE * developed / np.maximum(used, 1e-12))[z]
