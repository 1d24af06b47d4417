"""Enterprise agents: production, R&D and innovation, growth within land, exit, relocation, entry.

All firms' numeric state is one :class:`~sim.core.pool.Pool` (``model.firms``); an
:class:`Enterprise` is the Mesa agent of one slot. Every yearly behaviour is a function over all
live firms at once (numpy), called by a stage of :class:`~sim.model.zonemodel.ZoneModel`.
Every random decision draws from a named stream of ``model.streams`` (``sim.core.streams``),
keyed by the firm's permanent lineage key (column ``key``, ``sim.core.keys``): a firm's draw
for a decision and year is the same in every package in which the firm exists.

Units: output, value added, profit, capital, R&D and knowledge in CNY m; land in km2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.core import fused
from sim.core import kernels
from sim.core.kernels import group_sum, group_sums, sums_by_two
from sim.core.choice import logit_cdf, shifts
from sim.core.keys import ARRIVAL, SPINOFF, STARTUP, counted_keys, spinoff_keys
from sim.core.streams import combine
from sim.core.params import N_SECTORS, SECTORS
from sim.core.pool import Column, Pool, Pooled
from sim.core import pmath as pm

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel

ORIGINS = ("initial", "startup", "spinoff", "arrival")
# Sectors whose growth the green constraint (zone column ``growth_cap``) limits: materials and
# traditional industry (chemicals, metals, building materials); estimate.
ENERGY_INTENSIVE = np.isin(np.array(SECTORS), ("new_materials", "traditional"))

FIRM_COLUMNS = {
    "key": (np.uint64, 0),  # permanent lineage key: keys the firm's random draws (sim.core.keys)
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


class Enterprise(Pooled, mesa.Agent):
    """A firm in a zone: one Mesa agent for the firm's whole life (``uid`` is the firm's permanent
    id). Its state lives in the model's firm pool (``sim.core.pool``); the agent follows its firm
    when slots are compacted and is removed from the model (``Agent.remove()``) when the firm exits."""

    key = Column("permanent lineage key (sim.core.keys): keys the firm's random draws")
    zone = Column("slot of the firm's zone")
    sector = Column("index into sim.core.params.SECTORS")
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

    def __init__(self, model: ZoneModel, uid: int) -> None:
        super().__init__(model)
        self.pool: Pool = model.firms
        self.uid = uid  # the member's permanent id; the slot follows it (sim.core.pool)

    @property
    def sector_name(self) -> str:
        return SECTORS[self.sector]

    def step(self) -> None:
        """Firms act through the model's vectorised stages; a single firm step is a no-op."""

    def __repr__(self) -> str:
        if not self.alive:
            return f"Enterprise(uid={self.uid}, exited)"
        return f"Enterprise(uid={self.uid}, {self.sector_name}, zone={self.zone})"


# ------------------------------------------------------------------------------------------
# yearly behaviour over all live firms: the pool is compact, so they are slots 0 .. n-1 and
# every column is read and written as the slice [:n] (a view, no gather)
# ------------------------------------------------------------------------------------------
def cells(model: ZoneModel) -> np.ndarray:
    """The (zone, sector) cell of every live firm: ``zone * N_SECTORS + sector``."""
    f = model.firms
    return f.zone[:f.n] * N_SECTORS + f.sector[:f.n]


def cell_sum(model: ZoneModel, cell: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
    """Sum of ``values`` (or a count) by (zone, sector) cell, shape (n_zones * N_SECTORS,)."""
    return group_sum(cell, values, model.n_zone_slots * N_SECTORS)


def produce(model: ZoneModel, service: np.ndarray, cell: np.ndarray, sums: dict | None = None,
            powers: dict | None = None) -> np.ndarray:
    """Output y = A * G * S * k^a * (n(1 + phi h/n))^b; value added, R&D, profit and tax.
    Returns the employment of each zone slot. ``sums``: a dict that receives the output by cell and
    the R&D and tax by zone (``"by_cell"``, ``"rd"``, ``"tax"``: np.bincount's sums) when the
    compiled path adds them up on the way (it stays empty otherwise). ``powers``: for a caller that
    produces again with the same employees, skilled workers and capital (the build's calibration
    passes, which change only TFP, wages and services between them): an empty dict receives k^a and
    (n + phi h)^b on the compiled path, and a filled one is used instead of raising them again (the
    same arrays: the same bits).

    G, the agglomeration factor, is (zone-sector employment)^e_loc x (zone employment)^e_urb;
    it and the service factor S are computed once per cell or zone and gathered per firm."""
    f, p, zs = model.firms, model.params, model.zones
    L = f.n
    z, s = f.zone[:L], f.sector[:L]
    n, k = f.employees[:L], f.capital[:L]
    by_cell, emp_zone = sums_by_two(cell, z, n, model.n_zone_slots * N_SECTORS, model.n_zone_slots)  # cell_sum, zones
    local = pm.power_op(np.maximum(by_cell, 1.0), p.agglomeration_elasticity)
    urban = pm.power_op(np.maximum(emp_zone, 1.0), p.urbanisation_elasticity)
    if fused.arithmetic():  # the same operations as below in compiled passes (sim.core.fused)
        va, profit = f.value_added[:L], f.profit[:L]
        # the two powers by sim.core.pmath's vectorised loops, the rest compiled
        if powers:  # the caller's, of these same columns
            labour, k_pow = powers["labour"], powers["capital"]
        else:
            labour = fused.axpy(n, p.skill_effect, f.skilled[:L])  # n + phi h (a new array: raised in place,
            pm.power_op(labour, p.labour_elasticity, out=labour)  # `**` with numpy's fast paths, as `labour ** b`)
            k_pow = pm.power_op(k, p.capital_elasticity)
            if powers is not None:
                powers.update(labour=labour, capital=k_pow)
        if sums is not None:  # and the output by cell and R&D by zone on the way (large worlds: no second pass)
            sums["by_cell"], sums["rd"] = fused.produce_sums(
                f.tfp[:L], local, cell, urban * service, z, k_pow, labour, k, n, model.sector_va, s,
                f.rd_share[:L], zs.wage, p.capital_user_cost, f.output[:L], va, f.rd[:L], profit,
                model.n_zone_slots * N_SECTORS, model.n_zone_slots)
        else:
            fused.produce_after_powers(f.tfp[:L], local, cell, urban * service, z, k_pow, labour, k, n,
                                       model.sector_va, s, f.rd_share[:L], zs.wage, p.capital_user_cost,
                                       f.output[:L], va, f.rd[:L], profit)
        extra = model.hooks.firm_costs(model)  # levers' differentiated prices (None without such levers)
        if extra is not None:
            profit -= extra
        rates = (p.income_tax_rate, p.hightech_income_tax_rate)
        if sums:  # the tax by zone on the way too
            sums["tax"] = fused.tax_losses_sums(va, profit, f.hightech[:L], rates, p.va_tax_rate, f.tax[:L],
                                                f.losses[:L], z, model.n_zone_slots)
        else:
            fused.tax_losses(va, profit, f.hightech[:L], rates, p.va_tax_rate, f.tax[:L], f.losses[:L])
        return emp_zone
    labour = n + p.skill_effect * f.skilled[:L]  # = n (1 + phi h/n)
    y = f.tfp[:L] * local[cell] * (urban * service)[z] * pm.power_op(k, p.capital_elasticity) * pm.power_op(labour, p.labour_elasticity)
    f.output[:L] = y
    va = np.multiply(y, model.sector_va[s], out=f.value_added[:L])
    rd = np.multiply(y, f.rd_share[:L], out=f.rd[:L])
    profit = va - zs.wage[z] * n - p.capital_user_cost * k - rd
    extra = model.hooks.firm_costs(model)  # levers' differentiated prices (None without such levers)
    if extra is not None:
        profit -= extra
    f.profit[:L] = profit
    rate = np.array([p.income_tax_rate, p.hightech_income_tax_rate])[f.hightech[:L].view(np.int8)]
    f.tax[:L] = p.va_tax_rate * va + rate * np.maximum(profit, 0.0)
    losses = f.losses[:L]
    losses += 1
    losses *= profit < 0.0  # consecutive loss years: +1, or back to 0 after a profitable year
    return emp_zone


def innovate(model: ZoneModel, cell: np.ndarray) -> None:
    """Knowledge accumulates from R&D; innovations arrive as Poisson events with a rate raised by
    zone-sector spillovers and platforms; they lift TFP; qualifying firms get certified."""
    f, p, zs, S, y = model.firms, model.params, model.zones, model.streams, model.steps
    L = f.n
    z, n, fk = f.zone[:L], f.employees[:L], f.key[:L]
    if fused.arithmetic():  # the same operations as below, in compiled passes (sim.core.fused)
        _innovate_fused(model, cell)
        return
    k = f.knowledge[:L]
    k *= 1.0 - p.knowledge_depreciation
    k += f.rd[:L]
    k_per_worker = cell_sum(model, cell, k) / np.maximum(cell_sum(model, cell, n), 1e-9)
    boost = (1.0 + p.platform_effect * pm.log1p(zs.platforms)) * zs.innovation_mult
    rate = p.innovation_rate * (k + p.knowledge_spillover * k_per_worker[cell] * n) * boost[z]
    inno = S.poisson("firm.innovate", y, fk, rate)
    f.innovations[:L] = inno
    _tfp_numpy(model, inno, S.normal("firm.tfp_shock", y, fk))
    certify_numpy(S, y, f.ip[:L], inno, f.rd_share[:L], p.hightech_rd_threshold, f.hightech[:L], f.cert_left[:L],
                  fk, z, p.certification_rate * zs.certification_mult, p.certification_years)


def certify_numpy(streams, year: int, ip: np.ndarray, inno: np.ndarray, rd_share: np.ndarray, threshold: float,
                  held: np.ndarray, cert_left: np.ndarray, keys: np.ndarray, z: np.ndarray, p_zone: np.ndarray,
                  years: int) -> None:
    """A year's certification by numpy's steps (``fused.certify_year`` does the same in one compiled
    pass): R&D intensity above the threshold and recent IP (a decaying innovation count, ``ip``); a
    certificate lasts ``years``, is renewed if the firm is still eligible when it runs out, and a firm
    without one gets it with its zone's chance ``p_zone`` a year. ``ip``, ``held`` and ``cert_left``
    are updated in place."""
    ip *= 2.0 / 3.0
    ip += inno
    eligible = (rd_share >= threshold) & (ip >= 1.0)
    left = cert_left - held  # years left after this one (0 for firms without a certificate)
    expired = held & (left <= 0)
    new = eligible & expired  # expired + eligible: renewed
    apply = np.flatnonzero(eligible & ~held)  # first certification: a chance per year
    lucky = streams.uniform("firm.certify", year, keys[apply]) < p_zone[z[apply]]
    new[apply[lucky]] = True
    keep = held & ~expired
    cert_left[:] = left * keep + years * new
    held[:] = keep | new


def _weighted_sums(a: np.ndarray, w: np.ndarray) -> tuple[np.float64, np.float64]:
    """``(sum of a * w, sum of w)`` of 1-d float64 arrays, as numpy sums them (pairwise): with the
    fused kernels in one compiled call, without a product array (``sim.core.fused.weighted_sums``,
    the same numbers), else numpy's multiply and two sums."""
    if fused.arithmetic():
        s, scl = fused.weighted_sums(a, w)
        return np.float64(s), np.float64(scl)
    return np.multiply(a, w, dtype=np.float64).sum(), w.sum(dtype=np.float64)


def _average(a: np.ndarray, w: np.ndarray) -> np.float64:
    """``np.average(a, weights=w)`` of 1-d float64 arrays by numpy's own operations (the same
    number; numpy's wrapper adds ~10 checks a call, paid three times a year)."""
    s, scl = _weighted_sums(a, w)
    if scl == 0.0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    return s / scl


def _tfp_numpy(model: ZoneModel, inno: np.ndarray, growth: np.ndarray) -> None:
    """TFP: noise for every firm (``growth``: the standard normal shocks, scaled here in place),
    plus a gain from innovation intensity (per 100 employees, so it does not scale with size) for
    the firms that innovated."""
    f, p = model.firms, model.params
    L = f.n
    n = f.employees[:L]
    if fused.arithmetic() and fused.tfp_update(growth, inno, n, f.tfp[:L], p.productivity_noise, p.innovation_step,
                                               p.innovation_catch_up):
        return  # the chain below in one compiled call, pmath's loops inside: the same numbers
    if fused.arithmetic():  # the same two operations in one compiled pass
        fused.scale_shift(growth, p.productivity_noise, 0.5 * p.productivity_noise**2)
    else:
        growth *= p.productivity_noise
        growth -= 0.5 * p.productivity_noise**2
    did = np.flatnonzero(inno != 0)  # the same indices; numpy finds them 4x faster in a bool array
    gain = p.innovation_step * pm.log1p(100.0 * inno[did] / np.maximum(n[did], 1.0))
    if p.innovation_catch_up > 0.0 and did.size:
        # ideas get harder to find the further ahead a firm is (Bloom et al. 2020): without this,
        # R&D grows with output, innovations with R&D and productivity with innovations, and the
        # leaders' productivity runs away (the seed-to-seed spread of 2041 output came from it)
        log_a = pm.log(f.tfp[:L])
        s, scl = _weighted_sums(log_a, n)  # np.average's two sums; no weight: no mean
        mean_log_a = float(s / scl) if scl > 0 else 0.0
        gain *= pm.exp(-p.innovation_catch_up * np.maximum(log_a[did] - mean_log_a, 0.0))
    growth[did] += gain
    f.tfp[:L] *= pm.exp(growth, out=growth)  # in place: numpy's loop, the same numbers


def _innovate_fused(model: ZoneModel, cell: np.ndarray) -> None:
    """``innovate`` with its per-firm arithmetic in compiled passes: the same numbers."""
    f, p, zs, S, y = model.firms, model.params, model.zones, model.streams, model.steps
    L = f.n
    z, n, fk = f.zone[:L], f.employees[:L], f.key[:L]
    k = f.knowledge[:L]
    ksum, nsum = fused.knowledge(k, f.rd[:L], p.knowledge_depreciation, cell, n, model.n_zone_slots * N_SECTORS)
    k_per_worker = ksum / np.maximum(nsum, 1e-9)
    boost = (1.0 + p.platform_effect * pm.log1p(zs.platforms)) * zs.innovation_mult
    rate = fused.innovation_rate(k, k_per_worker, cell, n, z, boost, p.innovation_rate, p.knowledge_spillover)
    inno = S.poisson("firm.innovate", y, fk, rate)
    f.innovations[:L] = inno
    _tfp_numpy(model, inno, S.normal("firm.tfp_shock", y, fk))
    held = f.hightech[:L]
    consts = S.compiled_constants("firm.certify", y)
    p_zone = p.certification_rate * zs.certification_mult
    if consts is not None and fused.certify_year(f.ip[:L], inno, f.rd_share[:L], p.hightech_rd_threshold, held,
                                                 f.cert_left[:L], fk, z, p_zone, p.certification_years, consts):
        return  # certify_numpy's steps in one compiled pass, the same numbers
    certify_numpy(S, y, f.ip[:L], inno, f.rd_share[:L], p.hightech_rd_threshold, held, f.cert_left[:L], fk, z, p_zone,
                  p.certification_years)


def growth_volatility(model: ZoneModel, n: np.ndarray) -> np.ndarray:
    """Standard deviation of each firm's yearly log-employment shock: ``growth_noise`` at
    ``size_reference`` employees, falling as a power of size (Stanley et al. 1996; Amaral et al.
    1997), kept below 1 so the shock's mean growth factor exists."""
    p = model.params
    sigma = pm.power(np.maximum(n, 1.0) / p.size_reference, -p.growth_noise_size_elasticity)
    sigma *= p.growth_noise
    return np.minimum(sigma, 0.95, out=sigma)


def laplace(u: np.ndarray) -> np.ndarray:
    """Unit-variance Laplace (tent-shaped) numbers by inversion of uniforms in (0, 1)."""
    d = u - 0.5
    x = pm.log1p(-2.0 * np.abs(d))  # <= 0; finite, since u is strictly inside (0, 1)
    x *= -np.sign(d) / np.sqrt(2.0)
    return x


def grow(model: ZoneModel) -> np.ndarray | None:
    """Growth of employment: a tent-shaped (Laplace) shock whose volatility falls with size, a
    drift that makes the expected growth factor exp(``growth_drift``) for every firm, and a tilt
    by profit margin; capped by free land and, for energy-intensive sectors, by each zone's growth
    cap; capital and land follow employment. Returns the land occupied by zone afterwards when
    it was summed on the way (the compiled paths), else None."""
    f, p, zs = model.firms, model.params, model.zones
    L = f.n
    z = f.zone[:L]
    u = model.streams.uniform("firm.grow", model.steps, f.key[:L])
    capped = np.isfinite(zs.growth_cap).any()  # the green constraint binds on energy-intensive sectors only
    if fused.arithmetic():  # the same operations as below: pmath's power, log1p and exp between compiled passes
        n, change, land_per_worker, need, net, occupied = fused.grow_arith(
            f.employees[:L], f.profit[:L], f.output[:L], u, z, f.sector[:L], f.land[:L], ENERGY_INTENSIVE,
            zs.growth_cap if capped else None, p.size_reference, p.growth_noise_size_elasticity, p.growth_noise,
            p.growth_drift, p.growth_profit_sensitivity, model.n_zone_slots)
        free = model.free_land(occupied) + (need - net)
        ratio = np.where(need > free, np.maximum(free, 0.0) / np.maximum(need, 1e-12), 1.0)
        return fused.grow_apply(change, ratio if (ratio < 1.0).any() else None, z, n, land_per_worker,
                                f.capital[:L], f.land[:L], f.employees[:L], f.age[:L], model.n_zone_slots)
    n = f.employees[:L].copy()
    margin = f.profit[:L] / np.maximum(f.output[:L], 1e-9)
    mean_margin = _average(margin, n) if L else 0.0
    sigma = growth_volatility(model, n)
    g = laplace(u)
    g *= sigma
    # E[exp(sigma e)] = 1 / (1 - sigma^2 / 2) for a unit-variance Laplace e: taking its log out makes
    # the mean growth factor exp(growth_drift), not a by-product of the volatility (Jensen)
    g += pm.log1p(-0.5 * sigma * sigma)
    # the response to profitability scales with the firm's volatility: the whole growth rate of a
    # large firm, not only its shock, is less dispersed (Stanley et al. 1996 measure total growth)
    tilt = margin - mean_margin
    tilt *= sigma / max(p.growth_noise, 1e-12) if p.growth_noise > 0 else 1.0
    g += p.growth_drift + p.growth_profit_sensitivity * tilt
    if capped:
        g = np.where(ENERGY_INTENSIVE[f.sector[:L]], np.minimum(g, zs.growth_cap[z]), g)
    change = np.maximum(n * pm.exp(g), 1.0) - n
    land_per_worker = f.land[:L] / np.maximum(n, 1e-9)
    dland = change * land_per_worker
    # land needed by growing firms, the net change, and the land firms occupy now (model.free_land)
    need, net, occupied = group_sums(z, (np.maximum(dland, 0.0), dland, f.land[:L]), model.n_zone_slots)
    freed = need - net  # by shrinking firms
    free = model.free_land(occupied) + freed
    ratio = np.where(need > free, np.maximum(free, 0.0) / np.maximum(need, 1e-12), 1.0)
    if (ratio < 1.0).any():  # growth in zones short of land is scaled down to fit
        np.multiply(change, ratio[z], out=change, where=change > 0.0)
    grown = n + change
    f.capital[:L] *= grown / n
    np.multiply(grown, land_per_worker, out=f.land[:L])
    f.employees[:L] = grown
    f.age[:L] += 1


def exit_hazard(model: ZoneModel) -> np.ndarray:
    """Yearly exit probability of every live firm: (base + young-firm hazard + persistent-loss
    hazard, less the share technology finance averts) times a factor falling with size,
    (n / ``size_reference``)^-``exit_size_elasticity`` (Evans 1987; Dunne, Roberts & Samuelson
    1989: exit falls with size and with age)."""
    f, p = model.firms, model.params
    L = f.n
    age = f.age[:L]
    # (kernels.exit_picks works out the same hazard by age: keep the two alike)
    by_age = p.exit_base_hazard + p.exit_young_hazard * pm.exp(-np.arange(age.max(initial=0) + 1) / p.young_age_scale)
    loss = _loss_hazard(model)
    if fused.arithmetic():  # the same operations as below, pmath's power between compiled passes
        return fused.exit_arith(age, by_age, f.losses[:L], p.loss_years_to_exit, loss, f.zone[:L], f.employees[:L],
                                p.size_reference, p.exit_size_elasticity)
    hazard = by_age[age]  # ages are whole years: one exp per age, not per firm
    losing = np.flatnonzero(f.losses[:L] >= p.loss_years_to_exit)
    hazard[losing] += loss[f.zone[losing]]
    if p.exit_size_elasticity:
        hazard *= pm.power(np.maximum(f.employees[:L], 1.0) / p.size_reference, -p.exit_size_elasticity)
    return np.minimum(hazard, 1.0, out=hazard)


def _loss_hazard(model: ZoneModel) -> np.ndarray:
    """Each zone's exit hazard for persistent loss-makers, less the share technology finance averts."""
    return model.params.loss_exit_probability * (1.0 - model.zones.credit)


def exits(model: ZoneModel) -> np.ndarray:
    """Firms that close this year (slots, ascending); the model frees them."""
    mult = model.hooks.exit_multiplier(model)  # the levers' over every live firm (it does not depend on the hazard)
    gone = _exits_compiled(model, mult) if fused.arithmetic() else None
    if gone is None:
        hazard = exit_hazard(model)
        gone = model.streams.below("firm.exit", model.steps, model.firms.key[:model.firms.n],
                                   hazard if np.isscalar(mult) and mult == 1.0 else hazard * mult)
    return _not_anchors_in_spin_up(model, gone)


def _exits_compiled(model: ZoneModel, mult: np.ndarray | float) -> np.ndarray | None:
    """``exits``' picks by ``kernels.exit_picks`` (one compiled call; the size factor's power only for the
    firms whose uniform lies below a bound of their hazard): the same slots as ``exit_hazard`` and the
    keyed draw's comparison; None where it declines (the steps decide)."""
    f, p = model.firms, model.params
    consts = model.streams.compiled_constants("firm.exit", model.steps)
    if consts is None:
        return None
    L = f.n
    return kernels.exit_picks(f.age[:L], p.exit_base_hazard, p.exit_young_hazard, p.young_age_scale, f.losses[:L],
                              p.loss_years_to_exit, _loss_hazard(model), f.zone[:L], f.employees[:L],
                              p.size_reference, p.exit_size_elasticity, mult, f.key[:L], consts)


def _not_anchors_in_spin_up(model: ZoneModel, slots: np.ndarray) -> np.ndarray:
    """``slots`` without the world's anchor firms during the spin-up (years < 0), else unchanged.
    Anchors are published firms in published zones at the start year, and the spin-up only writes
    the other firms' history: an anchor that closed would be missing from the start, and one that
    moved would leave its home zone's table output short of its published size (the zone's other
    firms were then given a negative total, and output turned NaN: docs/validation.md, structural
    note 6). Every draw is keyed by the firm, so leaving anchors out changes no other firm's draw;
    from year 0 on, anchors close and move like any firm."""
    if model.steps >= 0 or slots.size == 0 or model.anchor_keys.size == 0:
        return slots
    return slots[~np.isin(model.firms.key[slots], model.anchor_keys)]


def attraction_base(model: ZoneModel, service: np.ndarray) -> np.ndarray:
    """The terms of :func:`zone_attractiveness` before free land (output market, services, status):
    firm dynamics computes them once for relocation and entry, which differ only in free land."""
    zs, p = model.zones, model.params
    return p.attract_output * pm.log1p(zs.output_prev) + p.attract_services * (service - 1.0) \
        + p.attract_national * (zs.level == 0)


def zone_attractiveness(model: ZoneModel, service: np.ndarray, free: np.ndarray | None = None,
                        base: np.ndarray | None = None, levers: np.ndarray | float | None = None) -> np.ndarray:
    """Utility of each zone as a firm location (output market, services, status, free land).
    ``base``: :func:`attraction_base` of the same model and ``service``, when the caller has it
    (the same additions in the same order); ``levers``: the levers' term
    (``model.hooks.attractiveness``), when the caller has asked for it already."""
    p = model.params
    free = np.maximum(model.free_land() if free is None else free, 0.0)
    if base is None:
        base = attraction_base(model, service)
    u = base + p.attract_land * pm.log1p(free * 10.0)
    u += model.hooks.attractiveness(model) if levers is None else levers
    return np.where(model.zone_active(), u, -np.inf)


def relocate(model: ZoneModel, service: np.ndarray, free: np.ndarray, base: np.ndarray | None = None) -> np.ndarray:
    """A share of firms compares zones by logit (attractiveness less moving and distance costs)
    and moves when another zone wins and has free land. ``free``: free land per zone, updated
    in place for the moves. Returns (origin, destination) zone of each mover. The logit depends
    on the origin zone only, so each candidate draws its destination from its origin's row of
    choice probabilities (``sim.core.choice``). Destinations accept movers in a key-based random
    order (a yearly stream) until their free land runs out."""
    f, p, S, y = model.firms, model.params, model.streams, model.steps
    cand = _not_anchors_in_spin_up(model, S.below("firm.relocate", y, f.key[:f.n], float(p.relocation_rate)))
    if cand.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    attract = zone_attractiveness(model, service, free, base)
    cdf = logit_cdf(attract[None, :] - _moving_cost(model))
    choice, queue = S.compiled_constants("firm.relocate_dest", y), S.compiled_constants("firm.relocate_queue", y)
    if choice is not None and queue is not None:  # the steps below in one compiled call: the same moves
        L = f.n
        moves = kernels.relocate_moves(cand, f.zone[:L], f.key[:L], f.land[:L], choice, queue, cdf,
                                       shifts(cdf.shape[0])[1], free)
        if moves is not None:
            return moves
    here = f.zone[cand]
    dest = S.choice("firm.relocate_dest", y, f.key[cand], cdf, here)
    moving = dest != here
    movers, dest, here = cand[moving], dest[moving], here[moving]
    if movers.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    # destinations accept movers in a key-based random order until their free land runs out
    order = S.order("firm.relocate_queue", y, f.key[movers], dest)
    ok = queue_fits(order, f.land[movers], dest, np.maximum(free, 0.0))
    movers, dest, here = movers[ok], dest[ok], here[ok]
    f.zone[movers] = dest
    nz = model.n_zone_slots
    free += group_sum(here, f.land[movers], nz) - group_sum(dest, f.land[movers], nz)
    return np.stack([here, dest], axis=1)


def _moving_cost(model: ZoneModel) -> np.ndarray:
    """Cost of moving between zones (rows: origin), 0 on the diagonal: kept on the model and
    recomputed only when the moving-cost or distance matrix (levers scale them in place) or the two
    cost parameters changed (the same operations, so the same numbers)."""
    p = model.params
    tag = (p.relocation_cost, p.relocation_distance_cost, model.move_cost.tobytes(), model.distance.tobytes())
    kept = getattr(model, "_moving_cost_kept", None)
    if kept is not None and kept[0] == tag:
        return kept[1]
    cost = p.relocation_cost * model.move_cost + p.relocation_distance_cost * model.distance / 100.0
    np.fill_diagonal(cost, 0.0)
    cost.flags.writeable = False
    model._moving_cost_kept = (tag, cost)
    return cost


def _cumsum_by_group(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Running sum of ``values`` restarting at each new value of sorted ``groups`` (the total so
    far less the total before the group's first element)."""
    total = np.cumsum(values)
    start = np.empty(values.size, dtype=bool)
    start[:1] = True
    np.not_equal(groups[1:], groups[:-1], out=start[1:])
    offset = np.maximum.accumulate(np.where(start, np.arange(values.size), 0))
    before = np.concatenate(([0.0], total))[offset]
    return total - before


def queue_fits(order: np.ndarray, values: np.ndarray, groups: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Mask of the members of a queue that fit: in the queue's ``order`` (ascending ``groups`` along
    it), each asks for ``values`` and fits while its group's running total, which counts everyone
    before it in the group whether they fitted or not, stays within ``limit[group]``. One compiled
    pass when the kernels are on (``kernels.queue_fits``: the same booleans)."""
    ok = kernels.queue_fits(order, values, groups, limit)
    if ok is None:
        cum = np.zeros(values.size)
        cum[order] = _cumsum_by_group(values[order], groups[order])
        ok = cum <= limit[groups]
    return ok


_ORIGINS = np.array([1, 2, 3], dtype=np.int8)  # entrants' origin codes: start-up, spin-off, arrival
_ZONE_PAIRS: dict[int, np.ndarray] = {}


def _zone_pairs(nz: int) -> np.ndarray:
    """``0 .. nz-1`` twice (read-only, kept per number of zone slots): the zone of each cell of the
    start-up and arrival counts, rows one after the other."""
    a = _ZONE_PAIRS.get(nz)
    if a is None:
        a = _ZONE_PAIRS[nz] = np.tile(np.arange(nz, dtype=np.int64), 2)
        a.flags.writeable = False
    return a


def _entry_steps(model: ZoneModel, service: np.ndarray, talent: np.ndarray, free: np.ndarray,
                 base: np.ndarray | None, active: np.ndarray, count: np.ndarray,
                 levers_u: np.ndarray | float, pull: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`entrants`' start-ups' and arrivals' counts by zone (rows 0 and 1), their rates and its
    sectors' cumulative shares, step by step (``fused.entry_rates`` does the same in one compiled call):
    start-ups from local talent and platforms, arrivals from outside split by attractiveness, one
    keyed Poisson count per zone and stream."""
    p, zs, nz = model.params, model.zones, model.n_zone_slots
    incub = (1.0 + p.incubator_effect * pm.log1p(zs.platforms)) * zs.startup_mult
    lam_start = p.startup_rate / 1000.0 * talent * incub * active
    attract = zone_attractiveness(model, service, free, base, levers_u)
    finite = np.isfinite(attract)
    w = pm.exp(attract - attract[finite].max()) * zs.arrival_mult if finite.any() else np.zeros(nz)
    total = w.sum()
    # arrival_mult (levers: attraction of outside firms) scales each zone's expected arrivals, so it
    # raises the region's total as well as the zone's share; all ones = the plain split
    mult = zs.arrival_mult
    lam = p.outside_arrivals
    if total > 0 and not np.all(mult[active] == 1.0):
        base = w / np.maximum(mult, 1e-12)
        lam = p.outside_arrivals * float(total / base.sum()) if base.sum() > 0 else lam
    lam_arr = lam * (w / total) if total > 0 else np.zeros(nz)
    lam2 = np.empty((2, nz))
    lam2[0], lam2[1] = lam_start, lam_arr
    counts = model.streams.poisson(("entry.startups", "entry.arrivals"), model.steps, zs.key, lam2)
    # sectors of start-ups and arrivals follow the zone's firm mix; spin-offs keep the parent's
    mix = pm.log(count.reshape(nz, N_SECTORS) + 0.5)  # shares (count + 0.5) as logit utilities
    if pull is not None:
        mix = mix + pull[:nz]
    return counts, lam2, logit_cdf(mix)


def entrants(model: ZoneModel, service: np.ndarray, talent: np.ndarray, free: np.ndarray,
             base: np.ndarray | None = None) -> dict:
    """New firms this year: start-ups from local talent and platforms, spin-offs from knowledge-rich
    incumbents, and arrivals from outside Guangxi split by zone attractiveness. ``free``: free
    land per zone. Returns columns for the pool (before the land check), with each entrant's
    permanent key: start-ups and arrivals (year, zone, k-th of the zone-year), spin-offs (year,
    parent). Counts are one Poisson per zone by inversion of a keyed uniform (arrivals: a
    Poisson total split by attractiveness is one Poisson per zone, the same distribution)."""
    f, p, zs, S, y = model.firms, model.params, model.zones, model.streams, model.steps
    nz = model.n_zone_slots
    L = f.n
    z = f.zone[:L]
    zk = zs.key
    if L and fused.arithmetic():  # pmath's log, the rest one compiled pass (no cells, no product array)
        log_tfp = pm.log(f.tfp[:L])
        count, cellw, cell_log, cell_land = fused.cell_stats_after_log(z, f.sector[:L], N_SECTORS, f.employees[:L],
                                                                       log_tfp, f.land[:L], nz * N_SECTORS)
    else:  # count, employment, employment-weighted log TFP and land by (zone, sector) cell, one pass
        emp = f.employees[:L]
        log_tfp = pm.log(f.tfp[:L]) * emp
        count, cellw, cell_log, cell_land = group_sums(cells(model), (emp, log_tfp, f.land[:L]),
                                                       nz * N_SECTORS, count=True)
    active = model.zone_active()
    # spin-offs from incumbents, more likely the more knowledge they hold
    k = f.knowledge[:L]
    if L and fused.arithmetic():  # the mean and the chances in one compiled call
        prob = fused.spinoff_prob(k, p.spinoff_rate)
    else:
        mean_k = k.mean() if L else 0.0
        prob = np.minimum(p.spinoff_rate / max(mean_k, 1e-9) * k, 1.0)
    if not active.all():
        prob *= active[z]
    parents = S.below("firm.spinoff", y, f.key[:L], prob)
    levers_u = model.hooks.attractiveness(model)  # levers: attraction of outside firms (zone_attractiveness)
    pull = model.hooks.sector_pull(model)  # levers (industry clusters) pull entrants to supported sectors
    poisson = S.poisson_constants(("entry.startups", "entry.arrivals"), y) if L and fused.arithmetic() else None
    got = None if poisson is None else fused.entry_rates(  # _entry_steps in one compiled call, the same numbers
        zs.platforms, p.incubator_effect, zs.startup_mult, p.startup_rate / 1000.0, talent, active,
        attraction_base(model, service) if base is None else base, model.free_land() if free is None else free,
        p.attract_land, levers_u, zs.arrival_mult, p.outside_arrivals, zk, poisson, count, pull, N_SECTORS)
    counts, _, cdf = got if got is not None else _entry_steps(model, service, talent, free, base, active, count,
                                                              levers_u, pull)
    # assemble: zone, origin, key and sector of each entrant, start-ups, then spin-offs, then arrivals
    consts = S.compiled_constants("entry.sector", y)
    prefixes = (combine(STARTUP, y), combine(ARRIVAL, y), combine(SPINOFF, y))  # the keys' chains (keys.py)
    ids = None if consts is None else kernels.entrant_ids(  # the steps below in one compiled call
        counts, parents, z, f.sector[:L], f.key[:L], zk, prefixes, consts, cdf, shifts(nz)[1], _ORIGINS)
    if ids is not None:
        z_new, origin, key, s_new = ids
    else:
        n_start, n_arr = counts
        z_other = np.repeat(_zone_pairs(nz), counts.reshape(-1))  # start-ups' zones, then arrivals'
        ns, npar = int(n_start.sum()), parents.size
        z_new = np.concatenate([z_other[:ns], z[parents], z_other[ns:]])
        origin = np.repeat(_ORIGINS, (ns, npar, z_other.size - ns))
        k_start, k_arr = counted_keys(STARTUP, y, zk, n_start), counted_keys(ARRIVAL, y, zk, n_arr)
        key = np.concatenate([k_start, spinoff_keys(y, f.key[parents]), k_arr])
        s_other = S.choice("entry.sector", y, np.concatenate([k_start, k_arr]), cdf, z_other)
        s_new = np.concatenate([s_other[:ns], f.sector[parents], s_other[ns:]])
    zn = S.normal(("entry.size", "entry.tfp", "entry.rd"), y, key)  # one call, three streams

    def fallbacks() -> tuple[float, np.ndarray]:
        """The region's employment-weighted log TFP and each zone's land per worker: for entrants
        whose zone-sector cell has no employment (a sector new to the zone)."""
        zone_emp = cellw.reshape(nz, N_SECTORS).sum(axis=1)
        return (log_tfp.sum() / f.employees[:L].sum() if L else 0.0,
                cell_land.reshape(nz, N_SECTORS).sum(axis=1) / np.maximum(zone_emp, 1e-9))

    size_log_mean = pm.log(p.entrant_size_mean) - 0.32
    if fused.arithmetic():  # the same numbers in two compiled passes around one pmath exp
        size, capital, tfp, rd_share, land = fused.entrant_columns(
            z_new, s_new, zn, cellw, cell_log, cell_land, N_SECTORS, size_log_mean, p.entrant_productivity,
            model.sector_rd, model.sector_capital, fallbacks)
    else:
        z_size, z_tfp, z_rd = zn
        size = np.maximum(1.0, pm.exp(size_log_mean + 0.8 * z_size))
        # productivity: entrant ratio x the zone-sector's employment-weighted geometric mean TFP
        # (taken at the entrants' cells only: the same elementwise numbers; the region's and zones'
        # fallbacks only when an entrant's cell has no employment)
        new_cell = z_new * N_SECTORS + s_new
        w_new = cellw[new_cell]
        held = w_new > 0
        all_held = held.all()
        w_new = np.maximum(w_new, 1e-9)
        logA = cell_log[new_cell] / w_new
        if not all_held:
            region_logA, zone_lpw = fallbacks()
            logA = np.where(held, logA, region_logA)
        tfp = p.entrant_productivity * pm.exp(logA + 0.25 * z_tfp)
        # land per worker of the zone-sector (of the zone where the sector is new)
        lpw = cell_land[new_cell] / w_new
        if not all_held:
            lpw = np.where(held, lpw, zone_lpw[z_new])
        rd_share = model.sector_rd[s_new] * pm.exp(-0.125 + 0.5 * z_rd)
        capital, land = size * model.sector_capital[s_new], size * lpw
    return {"key": key, "zone": z_new, "sector": s_new, "origin": origin, "employees": size,
            "capital": capital, "tfp": tfp, "rd_share": rd_share, "land": land}
