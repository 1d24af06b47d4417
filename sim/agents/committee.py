"""Zone management committees (管委会): each year every zone's committee splits its budget among
investment promotion, land development, services, innovation platforms and talent recruitment
(and, for a host under hosting, support of its hosted zone), following what it expects each use
to bring it: evaluation score (with the rewards, warnings, delisting and promotion that hang on
it), retained tax, and the output credited to it.

The decision is an expected-value logit with partial adjustment (no random draws):

* **value of a use** (CNY m of value per CNY m spent), for zone z and use k::

      V[z, k] = (S[z] * sum_j sens[j, z] * e[j, k, z] + O[z] * E * prior[k]) / (x[z, k] + h[k])

  The committee believes that log(spending on k + h[k]) raises the log of evaluation
  sub-indicator j by e[j, k] (the channels the model has: promotion -> arrivals and entries;
  land -> free land -> arrivals, entries and lower output per km2; services -> arrivals;
  platforms -> innovations, start-ups, certification; talent -> talent inflow and start-ups) and
  raises output with elasticity E * prior[k] (Cobb-Douglas in the uses, exponents in the ratio of
  the status-quo shares, so that with no evaluation motive the status-quo split is its choice).
  ``sens[j, z]`` are the evaluation's points per log unit of this year's value
  (``RegionalGovernment.sensitivity``); ``x`` this year's spending at last year's shares.
* **what a score point and an output log point are worth to it**::

      S[z] = committee_score_value * B0 + sum over levers of their score incentive
      O[z] = committee_gdp_value * B0 + committee_horizon * own kept tax + levers' output incentive

  (B0: the budget the zone would keep under the world's tax share, so that keeping more tax
  raises the revenue motive against the career and evaluation motives.)

  Levers publish the marginal value of a score point (rewards near a tier's threshold, the risk
  of a warning turning into delisting, the chance of promotion) and of output (the national
  ranking), computed from their published rules with the committee's learned score noise.
* **choice**: target shares = softmax(log prior + committee_sensitivity x (V - Vbar)/Vbar), Vbar
  the prior allocation's value; this year's shares close ``committee_adjustment`` of the gap
  from last year's.
* **learning**: a committee learns how much its score and its output move from one year to the
  next (exponentially weighted, ``committee_memory``); these set how likely a score point is to
  change its rank, i.e. how sharp the tournament incentives are.

Effects of the spending (the model's mechanics, not the committee's beliefs): platforms,
services and talent subsidies as before (stocks and a per-head subsidy); promotion multiplies the
zone's pull on arriving firms (zero-sum among zones: normalised to a mean of 1 over last year's
arrivals) and its start-ups; land spending multiplies the zone's development capacity and the
free-land buffer it asks quota for. Both are relative to the status-quo spending (prior share x
the budget the zone would keep under the world's tax share), so a committee keeping the
status-quo split has the calibrated world's capacities.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from sim.agents.government import SUB_NAMES, SUBS, norm_cdf, norm_pdf
from sim.core import committees_k, scoring
from sim.core.units import k_from_m
from sim.core import pmath as pm

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel

OPTIONS: tuple[str, ...] = ("promotion", "land", "services", "platforms", "talent", "hosted")
PROMOTION, LAND, SERVICES, PLATFORMS, TALENT, HOSTED = range(len(OPTIONS))
N_OWN = 5  # the uses of a zone's own budget; HOSTED only for hosts

# Certification follows innovation: share of a rise in innovations that shows in the certified
# share of firms (recent IP is one of the two requirements, R&D intensity the other, which
# platforms do not move; estimate: one half).
CERT_PER_INNOVATION = 0.5

_SUB = {name: j for j, name in enumerate(SUB_NAMES)}
_ARRIVALS, _ENTRY, _OUTPUT_PER_KM2 = _SUB["arrivals_per_firm"], _SUB["entry_rate"], _SUB["output_per_km2"]
_INNOVATIONS, _HIGHTECH, _TALENT_INFLOW = _SUB["innovations_per_1000"], _SUB["hightech_share"], _SUB["talent_inflow_rate"]
assert (LAND, SERVICES) == (1, 2)  # channels() writes their entry rows as one block
_OUTPUT_LINKED = np.array([s.output_linked for s in SUBS])
_LINKED = np.flatnonzero(_OUTPUT_LINKED)
_ROWS = (_ARRIVALS, _ENTRY, _OUTPUT_PER_KM2, _INNOVATIONS, _HIGHTECH, _TALENT_INFLOW)
_USES = (PROMOTION, LAND, SERVICES, PLATFORMS, TALENT)
# ndarray.sum(...) and .max(...) are these ufuncs' reduce behind a Python wrapper: the same sums
_add, _max = np.add.reduce, np.maximum.reduce


def _pad(values: np.ndarray, n: int, fill: float) -> np.ndarray:
    if values.shape[0] >= n:
        return values
    extra = np.full((n - values.shape[0], *values.shape[1:]), fill, dtype=values.dtype)
    return np.concatenate([values, extra])


def rank_slope(score: np.ndarray, threshold: np.ndarray | float, noise: np.ndarray) -> np.ndarray:
    """d P(score next year > threshold) / d score when both move with noise ``noise`` (normal):
    the tournament incentive of a cut-off (Lazear & Rosen 1981)."""
    s = np.sqrt(2.0) * np.maximum(noise, 1e-6)
    return norm_pdf((score - threshold) / s) / s


def prob_above(score: np.ndarray, threshold: np.ndarray | float, noise: np.ndarray) -> np.ndarray:
    s = np.sqrt(2.0) * np.maximum(noise, 1e-6)
    return norm_cdf((score - threshold) / s)


class ZoneCommittee(mesa.Agent):
    """The management committee of one zone (a Mesa agent); its state lives in
    ``model.committees`` (one row per zone slot), this agent reads its row."""

    def __init__(self, model: ZoneModel, slot: int) -> None:
        super().__init__(model)
        self.slot = slot

    @property
    def zone_id(self) -> str:
        return self.model.zone_ids[self.slot]

    @property
    def shares(self) -> dict[str, float]:
        """This year's budget shares by use."""
        row = self.model.committees.shares[self.slot]
        return {name: float(row[k]) for k, name in enumerate(OPTIONS)}

    @property
    def score_value(self) -> float:
        """CNY m a score point is worth to the committee this year (incentives included)."""
        return float(self.model.committees.score_value[self.slot])

    def points_per_yuan(self) -> float:
        """Evaluation points this year's split buys per CNY m (at the margin, as the committee sees it)."""
        cm = self.model.committees
        return float(np.multiply(cm.shares[self.slot, :N_OWN], cm.points[self.slot]).sum())  # numpy's sum, not BLAS

    @property
    def score_noise(self) -> float:
        return float(self.model.committees.score_noise[self.slot])

    def step(self) -> None:
        """Committees decide together in the model's public-finance stage (vectorised)."""

    def __repr__(self) -> str:
        return f"ZoneCommittee({self.zone_id})"


def learned(mem: float, score: np.ndarray, log_out: np.ndarray, alive: np.ndarray, produced: np.ndarray,
            last_score: np.ndarray, last_log_output: np.ndarray, score_noise: np.ndarray,
            output_noise: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:meth:`Committees.learn`'s arithmetic: the new noise of score and log output (two rows) and
    the new last score and log output; in one compiled loop when the kernels are on
    (``sim.core.scoring.learn_core``: the same operations, tests/core/test_scoring.py)."""
    if scoring.available():
        noise = np.empty((2, score.size))
        last = np.empty((2, score.size))
        scoring.learn_core(mem, score, log_out, alive, produced, last_score, last_log_output, score_noise,
                           output_noise, noise, last)
        return noise, last[0], last[1]
    now = np.array([score, log_out])
    last = np.array([last_score, last_log_output])
    ok = np.array([alive & np.isfinite(score), produced]) & np.isfinite(last)
    noise = np.array([score_noise, output_noise])
    change = now - np.where(ok, last, 0.0)
    return (np.where(ok, np.sqrt(mem * noise**2 + (1 - mem) * change**2), noise), np.where(alive, score, np.nan),
            np.where(produced, log_out, np.nan))


class Committees:
    """The committees of all zones, vectorised over zone slots (rows grow with new zones)."""

    def __init__(self, model: ZoneModel) -> None:
        self.model = model
        p = model.params
        self.prior_own = np.asarray(p.prior_shares, dtype=float)
        n = model.zones.capacity
        self.shares = np.zeros((0, len(OPTIONS)))
        self.values = np.zeros((0, len(OPTIONS)))
        self.points = np.zeros((0, N_OWN))  # evaluation points per CNY m by use, at this year's decision
        self.motive = np.zeros(0)  # share of the value of its split that comes from the evaluation
        self.score_value = np.zeros(0)
        self.output_value = np.zeros(0)
        self.score_noise = np.zeros(0)
        self.output_noise = np.zeros(0)
        self.last_score = np.zeros(0)
        self.last_log_output = np.zeros(0)
        self.spend = np.zeros((0, len(OPTIONS)))  # CNY m this year
        self.support = np.zeros(0)  # CNY m received (+) from a host / given (-) to a hosted zone
        self.arrival_part = np.ones(0)
        self.startup_part = np.ones(0)
        self.land_mult = np.ones(0)
        # hosting terms (set by the hosting lever): host slot per hosted slot, and what passes
        self.host_of = np.full(0, -1, dtype=np.int64)
        self.gdp_credit = np.zeros(0)  # share of the hosted zone's output credited to the host
        self.tax_credit = np.zeros(0)  # share of the hosted zone's kept tax paid to the host
        self.support_prior = 0.0
        self.pair_value = np.zeros(0)
        self.agents: dict[int, ZoneCommittee] = {}  # zone slot -> its committee's Mesa agent
        self._synced = (-1, -1)  # (zone slots, live zones) when the agents were last matched to zones
        self._prior: tuple[Any, tuple[np.ndarray, ...]] | None = None  # prior() and what follows from it
        self._hosting_terms: tuple[Any, tuple[np.ndarray, ...]] | None = None  # _hosting(), and its key
        self._h = np.array([p.promotion_half, p.land_half, p.committee_half, p.committee_half, p.committee_half])
        self._grow(n)

    # ------------------------------------------------------------------ state
    def _grow(self, n: int) -> None:
        old = self.shares.shape[0]
        if n <= old:
            return
        p = self.model.params
        self.shares = _pad(self.shares, n, 0.0)
        self.shares[old:, :N_OWN] = self.prior_own
        self.values = _pad(self.values, n, 0.0)
        self.spend = _pad(self.spend, n, 0.0)
        self.score_value = _pad(self.score_value, n, 0.0)
        self.output_value = _pad(self.output_value, n, 0.0)
        self.score_noise = _pad(self.score_noise, n, p.committee_score_noise)
        self.output_noise = _pad(self.output_noise, n, 0.1)
        self.last_score = _pad(self.last_score, n, np.nan)
        self.last_log_output = _pad(self.last_log_output, n, np.nan)
        self.support = _pad(self.support, n, 0.0)
        self.arrival_part = _pad(self.arrival_part, n, 1.0)
        self.startup_part = _pad(self.startup_part, n, 1.0)
        self.land_mult = _pad(self.land_mult, n, 1.0)
        self.host_of = _pad(self.host_of, n, -1)
        self.gdp_credit = _pad(self.gdp_credit, n, 0.0)
        self.tax_credit = _pad(self.tax_credit, n, 0.0)
        self._sync_agents()

    def _sync_agents(self) -> None:
        """One ZoneCommittee agent per live zone (zones are never removed; a new zone gets one)."""
        zs = self.model.zones
        if self._synced == (zs.capacity, zs.n):  # zones are never removed: no new zone, nothing to do
            return
        self._synced = (zs.capacity, zs.n)
        for slot in np.flatnonzero(zs.alive[: zs.capacity]):
            if int(slot) not in self.agents:
                self.agents[int(slot)] = ZoneCommittee(self.model, int(slot))

    def prior(self) -> np.ndarray:
        """Prior shares per zone slot: the status-quo split; a host sets ``support_prior`` aside
        for its hosted zone."""
        n = self.shares.shape[0]
        pr = np.zeros((n, len(OPTIONS)))
        pr[:, :N_OWN] = self.prior_own
        hosts = self.hosts()
        if hosts.size and self.support_prior > 0:
            pr[hosts, :N_OWN] *= 1.0 - self.support_prior
            pr[hosts, HOSTED] = self.support_prior
        return pr

    def hosts(self) -> np.ndarray:
        """Slots that host a zone (one hosted zone per host is supported)."""
        hosting = self.host_of >= 0
        if not hosting.any():
            return np.zeros(0, dtype=self.host_of.dtype)
        return np.unique(self.host_of[hosting])

    def _prior_terms(self, nz: int) -> tuple[np.ndarray, ...]:
        """``prior()[:nz]``, where it is positive, the log of its positive entries (1 elsewhere)
        and the output elasticity of each own use: fixed while hosting terms and zones are, so
        worked out again only when they change."""
        key = (nz, self.shares.shape[0], self.support_prior, self.host_of.tobytes())
        if self._prior is None or self._prior[0] != key:
            prior = self.prior()[:nz]
            ok = prior > 0
            own = prior[:, :N_OWN]
            out_el = self.model.params.committee_output_elasticity * own / np.maximum(own.sum(axis=1, keepdims=True),
                                                                                       1e-12)
            terms = (prior, ok, pm.log(np.where(ok, prior, 1.0)), out_el)
            for a in terms:
                a.flags.writeable = False
            self._prior = (key, terms)
        return self._prior[1]

    def set_hosting(self, pairs: list[tuple[int, int]], gdp_credit: float, tax_credit: float,
                    support_prior: float) -> None:
        """Hosting terms (called by the hosting lever at set-up)."""
        self._grow(self.model.zones.capacity)
        for host, hosted in pairs:
            self.host_of[hosted] = host
            self.gdp_credit[hosted] = gdp_credit
            self.tax_credit[hosted] = tax_credit
        self.support_prior = support_prior
        self.shares[:] = np.where(self.shares.sum(axis=1, keepdims=True) > 0, self.prior(), self.shares)

    # ------------------------------------------------------------------ learning
    def learn(self) -> None:
        """After each evaluation: update the learned noise of score and log output."""
        m = self.model
        zs = m.zones
        self._grow(zs.capacity)
        mem = m.params.committee_memory
        score = zs.score
        out = m.flows["output"]
        produced = zs.alive & (out > 0)
        log_out = pm.log(np.maximum(out, 1e-9))
        # noise <- sqrt(mem noise^2 + (1 - mem) change^2) where this year's and last year's
        # figures are both known, else kept; the score's (row 0) and log output's (row 1) as one
        # two-row array: the same elementwise steps, half the small numpy calls (issue 19). The
        # change is worked out everywhere (last year's figure 0 where unknown: no warnings) and
        # used where known
        (self.score_noise, self.output_noise), self.last_score, self.last_log_output = learned(
            mem, score, log_out, zs.alive, produced, self.last_score, self.last_log_output, self.score_noise,
            self.output_noise)

    # ------------------------------------------------------------------ beliefs
    def channels(self, x: np.ndarray, xh: np.ndarray | None = None) -> np.ndarray:
        """e[j, k, z]: log change of sub-indicator j per log change of (spending on k + h[k])
        (``xh``: ``x + halves()`` when the caller has it)."""
        # Each row of e is written by its ufunc's ``out=`` and the terms shared by several rows are
        # worked out once: ~70 numpy calls on a few dozen numbers are this stage's cost (issue 19);
        # every product and sum is the one written in the comment beside it, in its order.
        m = self.model
        p, zs, fl = m.params, m.zones, m.flows
        nz = zs.capacity
        e = np.zeros((len(SUBS), N_OWN, nz))
        if committees_k.available(len(OPTIONS)):  # the same steps in one compiled loop, pmath's log1p
            c = (p.promotion_arrival_elasticity, p.promotion_startup_elasticity, p.attract_land * 10.0,
                 p.land_spend_elasticity, p.service_half_saturation, p.service_effect_max, p.attract_services,
                 p.platform_effect, CERT_PER_INNOVATION, p.incubator_effect, p.beta_subsidy,
                 min(p.graduate_rate + p.reconsider_rate, 1.0))
            committees_k.channels(fl["arrivals"], fl["startups"], fl["spinoffs"], x, x + self._h if xh is None else xh,
                                  m.free_land(), zs.land_developed, zs.output_prev, zs.mgmt_eff, zs.services,
                                  zs.platforms, pm.log1p(zs.platforms), zs.subsidy, c, _ROWS, e)
            return e
        arrivals, startups = fl["arrivals"], fl["startups"]
        entries = startups + fl["spinoffs"] + arrivals
        some = entries > 0
        per = np.maximum(entries, 1e-9)
        arr_sh = np.where(some, arrivals / per, 0.1)
        st_sh = np.where(some, startups / per, 0.8)
        x_share = x / (x + self._h if xh is None else xh)  # d log(x + h) / d log x
        # promotion: arrivals (pull) and start-ups
        e[_ARRIVALS, PROMOTION] = p.promotion_arrival_elasticity
        row = np.multiply(arr_sh, p.promotion_arrival_elasticity, out=e[_ENTRY, PROMOTION])
        row += st_sh * p.promotion_startup_elasticity
        # land: free land pulls arriving firms (attract_land on log free land) and lowers output per km2
        free = np.maximum(m.free_land(), 0.0)
        pull = np.multiply(p.attract_land * 10.0, free)  # attract_land * 10 * free / (1 + 10 free)
        pull /= 1.0 + 10.0 * free
        np.multiply(p.land_spend_elasticity, pull, out=e[_ARRIVALS, LAND])
        dev = np.maximum(zs.land_developed, 1e-9)
        row = np.divide(free, dev, out=e[_OUTPUT_PER_KM2, LAND])  # -land_spend_elasticity * min(free / dev, 1)
        np.minimum(row, 1.0, out=row)
        np.multiply(-p.land_spend_elasticity, row, out=row)
        # services pull arriving firms too (attract_services on the service effect)
        half = p.service_half_saturation * np.maximum(zs.output_prev, 1.0)
        sv = p.service_effect_max * zs.mgmt_eff  # ... * services * half / max(services + half, 1e-9) ** 2
        sv *= zs.services
        sv *= half
        den = np.add(zs.services, half, out=half)
        np.maximum(den, 1e-9, out=den)
        sv /= np.square(den, out=den)  # ** 2 is numpy's square
        row = np.multiply(p.attract_services, sv, out=e[_ARRIVALS, SERVICES])
        row *= x_share[:, SERVICES]
        # entries by land and by services: the arrivals' rows (land, services: neighbours) x arr_sh
        np.multiply(e[_ARRIVALS, LAND:SERVICES + 1], arr_sh, out=e[_ENTRY, LAND:SERVICES + 1])
        # platforms: innovations (platform_effect), start-ups (incubator_effect), certification
        pl = zs.platforms
        lg = pm.log1p(pl)
        frac = pl / (1.0 + pl)
        frac *= x_share[:, PLATFORMS]
        innov = np.multiply(p.platform_effect, frac, out=e[_INNOVATIONS, PLATFORMS])
        innov /= 1.0 + p.platform_effect * lg
        np.multiply(CERT_PER_INNOVATION, innov, out=e[_HIGHTECH, PLATFORMS])
        row = np.multiply(st_sh, p.incubator_effect, out=e[_ENTRY, PLATFORMS])  # ... * frac / (1 + ie lg)
        row *= frac
        row /= 1.0 + p.incubator_effect * lg
        # talent: the subsidy per head enters the location logit (beta_subsidy); inflow and start-ups
        sub_k = zs.subsidy * x_share[:, TALENT]
        np.multiply(p.beta_subsidy, sub_k, out=e[_TALENT_INFLOW, TALENT])
        movers = min(p.graduate_rate + p.reconsider_rate, 1.0)  # share of the skilled stock choosing a zone a year
        row = np.multiply(st_sh, movers, out=e[_ENTRY, TALENT])  # st_sh * movers * beta_subsidy * sub_k
        row *= p.beta_subsidy
        row *= sub_k
        return e

    def halves(self) -> np.ndarray:
        return self._h.copy()

    def own_tax(self) -> np.ndarray:
        """Tax the zone keeps of its own raised tax (after any share it must pay its host), CNY m."""
        zs = self.model.zones
        kept = zs.tax_share * zs.tax_raised
        credit_left = self._hosting()[2]
        return kept if credit_left is None else np.multiply(kept, credit_left, out=kept)

    def _keep(self) -> np.ndarray:
        """The budget each zone would keep under the world's tax share, CNY m (``reference()`` is
        the prior shares of it)."""
        zs = self.model.zones
        return self.model.params.zone_tax_share * np.maximum(zs.tax_raised, 0.0)

    def incentives(self, keep: np.ndarray | None = None,
                   out: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """CNY m per score point and per log point of output, per zone slot (``keep``: ``_keep()``
        when the caller has it; ``out``: two arrays to write them to)."""
        m = self.model
        p = m.params
        # career values scale with the budget the zone would keep under the world's tax share, so
        # that keeping more tax (fiscal autonomy) raises the revenue motive against the others
        scale = self._keep() if keep is None else keep
        score_v = p.committee_score_value * scale
        output_v = p.committee_gdp_value * scale
        output_v += p.committee_horizon * self.own_tax()
        extra = m.hooks.incentives(m)
        if extra.get("score") is not None:
            score_v = score_v + extra["score"]
        if extra.get("output") is not None:
            output_v = output_v + extra["output"]
        if out is None:
            out = (score_v, output_v)
        return np.maximum(score_v, 0.0, out=out[0]), np.maximum(output_v, 0.0, out=out[1])

    def _hosting(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """``hosts()``, the live hosted zones' slots and 1 - ``tax_credit`` per zone slot (None when
        no zone pays a credit: x 1.0 changes no bit): fixed while the hosting terms and the zones
        are, so worked out again only when they change (the key holds every array they come from,
        so a lever writing ``host_of`` directly is seen too)."""
        zs = self.model.zones
        key = (zs.capacity, zs.n, self.host_of.tobytes(), self.tax_credit.tobytes())
        if self._hosting_terms is None or self._hosting_terms[0] != key:
            hosted = np.flatnonzero((self.host_of[: zs.capacity] >= 0) & zs.alive)
            credit = self.tax_credit[: zs.capacity]
            terms = (self.hosts(), hosted, 1.0 - credit if credit.any() else None)
            for a in terms:
                if a is not None:
                    a.flags.writeable = False
            self._hosting_terms = (key, terms)
        return self._hosting_terms[1]

    # ------------------------------------------------------------------ the decision
    def decide(self, budget: np.ndarray | None = None, keep: np.ndarray | None = None) -> np.ndarray:
        """This year's shares (zones x uses), from the zones' budgets; also stores the values.
        ``budget`` (the budgets floored at 0) and ``keep`` (``_keep()``): when the caller has them."""
        # Fewer numpy calls than the formulas' plain reading (issue 19: on 14 zones the calls are
        # the cost), each value the same bits: in-place steps keep every operation's operands and
        # order; a where() over the live zones is left out when every slot is live; array layouts
        # that feed a reduction (einsum's output is column-major) are kept.
        m = self.model
        p, zs = m.params, m.zones
        nz = zs.capacity
        self._grow(nz)
        self._sync_agents()
        if budget is None:
            budget = np.maximum(zs.budget, 0.0)
        prior, ok, log_prior, out_el = self._prior_terms(nz)
        last = self.shares[:nz]
        x = last[:, :N_OWN] * budget[:, None]
        h = self._h
        xh = x + h
        sens = m.government.sensitivity
        if sens.shape[1] < nz:
            sens = np.concatenate([sens, np.zeros((sens.shape[0], nz - sens.shape[1]))], axis=1)
        e = self.channels(x, xh)
        sv, ov = self.incentives(keep, out=(self.score_value[:nz], self.output_value[:nz]))
        v = self.values[:nz]  # this year's values, worked out in place
        fast = committees_k.available(len(OPTIONS))
        if fast:  # the same sums and steps in one compiled loop
            out_pts, self.points = np.empty(nz), np.empty((nz, N_OWN))
            committees_k.values(sens, e, _LINKED, out_el, sv, ov, xh, out_pts, v, self.points)
        else:
            score_pts = _score_points(sens, e)  # points per log(x + h)
            out_pts = _add(sens[_OUTPUT_LINKED], axis=0)  # points per log point of (evaluated) output
            pts = score_pts + out_pts[:, None] * out_el
            own_v = np.multiply(sv[:, None], pts, out=v[:, :N_OWN])  # (sv pts + ov out_el) / (x + h)
            own_v += ov[:, None] * out_el
            own_v /= xh
            self.points = pts / xh  # evaluation points a further CNY m buys in each use, as seen this year
        hosted_v = self._hosted_value(sv, ov, out_pts, budget, out_el, x, h)
        v[:, HOSTED] = 0.0 if hosted_v is None else hosted_v
        self.motive = _pad(self.motive, nz, 0.0)
        args = (ok, zs.alive, zs.n >= zs.capacity, p.committee_adjustment, v, sv, self.points, N_OWN, self.motive[:nz])
        if fast:  # the same steps in two compiled loops around pmath's exp
            util = np.empty_like(v)
            committees_k.utility(v, prior, ok, log_prior, p.committee_sensitivity, util)
            committees_k.new_shares(pm.exp(util, out=util), last, *args)
        else:
            _new_shares(pm.exp(_utility(v, prior, ok, log_prior, p.committee_sensitivity)), last, *args)
        return self.shares[:nz]

    def _hosted_value(self, sv: np.ndarray, ov: np.ndarray, out_pts: np.ndarray, budget: np.ndarray,
                      out_el: np.ndarray, x: np.ndarray, h: np.ndarray) -> np.ndarray | None:
        """Value to a host of one CNY m spent in its hosted zone: the hosted zone's output rises as
        its own committee spends the money; the host is credited ``gdp_credit`` of that output (GDP
        statistics and, with a split evaluation, its score) and receives ``tax_credit`` of the tax
        the hosted zone keeps on it. None when no live zone is hosted (nothing for the hosted use)."""
        m = self.model
        p, zs = m.params, m.zones
        nz = zs.capacity
        hosts, hosted, _ = self._hosting()
        self.pair_value = np.zeros(nz)  # value to its host of a CNY m in each hosted zone
        if hosted.size == 0:  # no hosting: nothing for the hosted use
            return None
        v = np.zeros(nz)
        out = np.maximum(m.flows["output"], 1e-9)
        own_tax = self.own_tax()
        for b in hosted:
            a = int(self.host_of[b])
            if not zs.alive[a]:
                continue
            # log output of b per CNY m it spends, at its own shares (Cobb-Douglas beliefs)
            gain_b = float(np.sum(self.shares[b, :N_OWN] * out_el[b] / (x[b] + h)))
            credit = self.gdp_credit[b] * out[b] / out[a]  # host's log output per log output of b
            tax_b = zs.tax_share[b] * zs.tax_raised[b]  # what b keeps before paying its host
            gdp_value = ov[a] - p.committee_horizon * own_tax[a]  # career value and national-ranking incentives
            self.pair_value[b] = gain_b * (sv[a] * out_pts[a] * credit + gdp_value * credit
                                           + p.committee_horizon * self.tax_credit[b] * tax_b)
        for a in hosts:
            if a < nz:
                v[a] = self.pair_value[self.host_of[:nz] == a].mean()
        return v

    # ------------------------------------------------------------------ spending
    def spend_budget(self) -> None:
        """Decide, move host support, and spend: platforms, services, talent subsidies now;
        promotion and land multipliers for next year's firm dynamics and land stage."""
        m = self.model
        p, zs = m.params, m.zones
        nz = zs.capacity
        budget = np.maximum(zs.budget, 0.0)
        keep = self._keep()
        shares = self.decide(budget, keep)
        support = np.zeros(nz)
        hosts = self._hosting()[0]
        if hosts.size:
            give = shares[:, HOSTED] * budget
            for a in hosts:
                hosted = np.flatnonzero((self.host_of[:nz] == a) & zs.alive)
                if a >= nz or hosted.size == 0:
                    continue
                w = np.maximum(self.pair_value[hosted], 0.0)
                w = w / w.sum() if w.sum() > 0 else np.full(hosted.size, 1.0 / hosted.size)
                support[a] -= give[a]
                support[hosted] += give[a] * w  # split among its hosted zones by what each is worth to it
        self.support = _pad(self.support, nz, 0.0)
        self.support[:nz] = support
        own = np.add(budget, support, out=zs.budget)  # a host spends the rest on its own uses, a hosted zone adds the support
        # a hosted zone spends its host's support at its own shares; a host spends the rest
        if committees_k.available(len(OPTIONS)):  # the same steps in one compiled loop
            spend = np.empty((nz, len(OPTIONS)))
            committees_k.spend(shares, own, support, bool(hosts.size), N_OWN, spend, zs.platforms,
                               1.0 - p.platform_depreciation, p.platform_cost, zs.services, 1.0 - p.services_depreciation,
                               m.talent_by_zone(), k_from_m(1.0), zs.subsidy, _USES)
            self.spend = spend
        else:
            own_shares = shares[:, :N_OWN] / np.maximum(_add(shares[:, :N_OWN], axis=1, keepdims=True), 1e-12)
            spend = np.zeros((nz, len(OPTIONS)))
            np.multiply(own_shares, np.maximum(own, 0.0)[:, None], out=spend[:, :N_OWN])
            if hosts.size:  # else support is 0 and max(-0.0, 0.0) the 0.0 spend holds already
                np.negative(support, out=support)  # max(-support, 0)
                np.maximum(support, 0.0, out=spend[:, HOSTED])
            self.spend = spend
            zs.platforms *= 1.0 - p.platform_depreciation  # platforms (1 - depreciation) + spend / cost
            zs.platforms += spend[:, PLATFORMS] / p.platform_cost
            zs.services *= 1.0 - p.services_depreciation
            zs.services += spend[:, SERVICES]
            heads = np.maximum(m.talent_by_zone(), 1.0)
            np.divide(k_from_m(spend[:, TALENT]), heads, out=zs.subsidy)  # per person
        self._effects(spend, keep)

    def reference(self) -> np.ndarray:
        """Status-quo spending per use (CNY m): prior share x what the zone would keep under the
        world's tax share. The calibrated capacities correspond to it."""
        zs, p = self.model.zones, self.model.params
        return self.prior_own[None, :] * (p.zone_tax_share * np.maximum(zs.tax_raised, 0.0))[:, None]

    def _effects(self, spend: np.ndarray, keep: np.ndarray | None = None) -> None:
        """The spending's multipliers (``keep``: ``_keep()``, when the caller has it). Zones with
        a free slot among them leave it at 1; with every slot live the where()s are left out and
        the ratios divided in place (the same values, fewer numpy calls)."""
        m = self.model
        p, zs = m.params, m.zones
        nz = zs.capacity
        if keep is None:
            keep = self._keep()  # reference(): prior share x this, by use
        alive = zs.alive
        every = zs.n == zs.capacity  # every zone slot live: where(alive, a, 1) is a, x * alive is x
        promotion = p.promotion_half + spend[:, PROMOTION]  # (h + spend) / (h + prior x keep)
        promotion /= p.promotion_half + self.prior_own[PROMOTION] * keep
        pull = pm.power_op(promotion, p.promotion_arrival_elasticity)
        w = m.flows["arrivals"] + 1.0
        if not every:
            w *= alive
        w_sum = _add(w)
        mean = float(_add(w * pull) / w_sum) if w_sum > 0 else 1.0
        pull /= max(mean, 1e-12)  # zero-sum among zones
        startup = pm.power_op(promotion, p.promotion_startup_elasticity)
        land = p.land_half + spend[:, LAND]
        land /= p.land_half + self.prior_own[LAND] * keep
        land = pm.power_op(land, p.land_spend_elasticity)
        if not every:
            pull, startup, land = (np.where(alive, a, 1.0) for a in (pull, startup, land))
        self.arrival_part = _set_part(zs.arrival_mult, _pad(self.arrival_part, nz, 1.0), pull)
        self.startup_part = _set_part(zs.startup_mult, _pad(self.startup_part, nz, 1.0), startup)
        self.land_mult = _pad(self.land_mult, nz, 1.0)
        self.land_mult[:nz] = land

    def land_capacity(self) -> np.ndarray:
        """Factor on each zone's land development capacity and free-land buffer (from last year's
        land spending relative to the status quo)."""
        return _pad(self.land_mult, self.model.zones.capacity, 1.0)[: self.model.zones.capacity]

    def summary(self) -> dict[str, Any]:
        ids = self.model.zone_ids
        alive = np.flatnonzero(self.model.zones.alive)
        return {"shares": {ids[z]: {k: round(float(self.shares[z, i]), 4) for i, k in enumerate(OPTIONS)}
                           for z in alive}}


def _score_points(sens: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``np.einsum("jz,jkz->zk", sens, e)``, bit for bit, in two ufunc calls (einsum's set-up is
    most of its cost on 14 zones): both add the products over j in order, starting from +0.0
    (add.reduce starts from add's identity: a sum of -0.0 products is +0.0 in both). Were two
    different NaNs to meet in one sum, which one's sign bit survives might differ (the model's
    sensitivities and channels are finite). The result is the transpose of a (uses, zones) array:
    einsum's column-major layout, which the reductions over uses downstream depend on
    (tests/agents/test_committee.py checks the bits, signed zeros and the layout)."""
    return _add(np.multiply(sens[:, None, :], e), axis=0).T


def _set_part(column: np.ndarray, old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Replace the committee's multiplicative part of a zone column (levers keep theirs)."""
    np.divide(column, old[: column.size], out=column)  # column / old * new, in place
    column *= new
    return new.copy()


__all__ = ["OPTIONS", "Committees", "ZoneCommittee", "prob_above", "rank_slope"]


def _utility(v: np.ndarray, prior: np.ndarray, ok: np.ndarray, log_prior: np.ndarray, sens: float) -> np.ndarray:
    """The committees' utilities (zones x uses) less their row maximum, before the exponential:
    log_prior + sens (v - vbar) / scale, -inf where a use is not open (numpy; the reference of
    ``sim.core.committees_k.utility``)."""
    vbar = _add(np.where(ok, prior * v, 0.0), axis=1)
    scale = np.abs(vbar)
    scale = np.where(scale > 1e-12, scale, 1.0)
    util = v - vbar[:, None]
    np.multiply(sens, util, out=util)
    util /= scale[:, None]
    np.add(log_prior, util, out=util)
    util = np.where(ok, util, -np.inf)
    util -= _max(util, axis=1, keepdims=True)
    return util


def _new_shares(target: np.ndarray, last: np.ndarray, ok: np.ndarray, alive: np.ndarray, every: bool, rate: float,
                v: np.ndarray, sv: np.ndarray, points: np.ndarray, n_own: int, motive: np.ndarray) -> None:
    """From ``target = exp(utility)``: the new shares written into ``last`` (a free slot keeps
    its shares unless ``every`` slot is live) and the share of the value of the own uses that
    comes from the evaluation motive into ``motive`` (numpy; the reference of
    ``sim.core.committees_k.new_shares``)."""
    target /= _add(target, axis=1, keepdims=True)
    new = (1.0 - rate) * last  # ... + rate * target
    target *= rate
    new += target
    # a zone that stopped hosting (or never did) has nothing for the hosted use
    new = np.where(ok, new, 0.0)
    new /= np.maximum(_add(new, axis=1, keepdims=True), 1e-12)
    if not every:  # a free slot keeps its shares
        new = np.where(alive[:, None], new, last)
    last[:] = new
    own = last[:, :n_own]
    total = _add(own * v[:, :n_own], axis=1)
    motive[:] = np.where(total > 0, _add(own * sv[:, None] * points, axis=1) / np.maximum(total, 1e-12), 0.0)
