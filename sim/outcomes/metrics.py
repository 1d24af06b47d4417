"""Outcomes, declared once: name, unit, meaning, and how the region row is formed.

``zone_outcomes(model)`` computes every per-zone outcome for the current year from the model's
state and the year's flows (a dict of arrays over zone slots); ``Recorder`` stores one such
snapshot per step and turns them into the tidy table: one row per (step, zone) plus one
``region`` row per step. Reports, the evaluation and the tests read the same definitions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.agents.committee import OPTIONS
from sim.agents.zone import LEVELS
from sim.core import firm_k, scoring
from sim.core.kernels import group_sums
from sim.core.units import bn_from_m

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


@dataclass(frozen=True)
class Outcome:
    name: str
    unit: str
    description: str
    region: str = "sum"  # "sum", "ratio:NUM/DEN", "wmean:WEIGHT" (weighted mean over zones), or "none"
    # A flow is an amount during the year (its unit is per year); anything else is a level at the
    # end of the year. The model counts a flow when ``counted`` (``model.flows[name]``, zeroed at
    # the start of each year; the stages and levers add to it). A flow has a value at year 0 only
    # when ``at_start``: the calibrated start's accounts (production and tax); every other flow
    # begins at year 1, as nothing has flowed before the start.
    flow: bool = False
    counted: bool = False
    at_start: bool = False


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("output", "CNY bn/yr", "gross output (revenue) of the zone's firms",
            flow=True, counted=True, at_start=True),
    Outcome("value_added", "CNY bn/yr", "value added of the zone's firms", flow=True, counted=True, at_start=True),
    Outcome("firms", "firms", "live enterprises at the end of the year"),
    Outcome("hightech_firms", "firms", "certified high-tech enterprises at the end of the year"),
    Outcome("entries", "firms/yr", "new firms: start-ups, spin-offs and arrivals from outside", flow=True),
    Outcome("startups", "firms/yr", "start-ups from local talent", flow=True, counted=True),
    Outcome("spinoffs", "firms/yr", "spin-offs of incumbent firms", flow=True, counted=True),
    Outcome("arrivals", "firms/yr", "firms arriving from outside Guangxi", flow=True, counted=True),
    Outcome("exits", "firms/yr", "firms that closed", flow=True, counted=True),
    Outcome("entries_blocked", "firms/yr", "would-be entrants turned away for lack of land", flow=True, counted=True),
    Outcome("moves_in", "firms/yr", "firms relocating into the zone from another zone", flow=True, counted=True),
    Outcome("moves_out", "firms/yr", "firms relocating out of the zone to another zone", flow=True, counted=True),
    Outcome("employees", "people", "employment of the zone's firms"),
    Outcome("talent", "people", "skilled people living in the zone"),
    Outcome("high_skill", "people", "high-level talent (skill above the threshold) in the zone"),
    Outcome("high_skill_share", "share", "high-level share of the zone's talent", "ratio:high_skill/talent"),
    Outcome("talent_inflow", "people/yr", "skilled people who moved into the zone (incl. graduates)",
            flow=True, counted=True),
    Outcome("talent_outflow", "people/yr", "skilled people who left the zone (moves, emigration, retirement)",
            flow=True, counted=True),
    Outcome("rd", "CNY bn/yr", "R&D spending of the zone's firms", flow=True, counted=True, at_start=True),
    Outcome("rd_intensity", "share of output", "R&D spending / output", "ratio:rd/output"),
    Outcome("innovations", "count/yr", "innovations (patent-like events) of the zone's firms", flow=True, counted=True),
    Outcome("land_total", "km2", "land inside the zone's boundary"),
    Outcome("land_developed", "km2", "developed (serviced) land"),
    Outcome("land_available", "km2", "undeveloped land: land_total - land_developed"),
    Outcome("land_occupied", "km2", "developed land used by firms"),
    Outcome("land_allotted", "km2/yr", "construction-land quota allotted to the zone this year",
            flow=True, counted=True),
    Outcome("output_per_km2", "CNY bn per km2", "output per km2 of developed land (亩均效益 x 0.0015)",
            "ratio:output/land_developed"),
    Outcome("tax", "CNY bn/yr", "tax raised from the zone's firms", flow=True, counted=True, at_start=True),
    Outcome("tax_kept", "CNY bn/yr", "tax the zone keeps for its budget (after any sharing)", flow=True, at_start=True),
    Outcome("transfers", "CNY bn/yr", "money the region paid to the zone (rewards, support)", flow=True, counted=True),
    Outcome("budget", "CNY bn/yr", "zone budget spent this year", flow=True, at_start=True),
    Outcome("platforms", "count", "innovation platforms"),
    Outcome("mgmt_eff", "0..1", "management efficiency", "none"),
    Outcome("score", "0..100", "evaluation score", "none"),
    Outcome("rank", "1 = best", "rank within the zone's class (national / region-level / delisted)", "none"),
    Outcome("level", "code", "0 national, 1 region-level, 2 delisted", "none"),
    Outcome("hosted_by", "zone slot", "slot of the hosting zone, -1 if none", "none"),
    # recorded by levers (sim/policies, docs/levers.md); zero when no lever acts
    Outcome("rewards", "CNY bn/yr", "evaluation rewards paid to the zone (part of transfers)", flow=True, counted=True),
    Outcome("region_support", "CNY bn/yr", "region's direct spending on measures in the zone (talent "
                                           "subsidies, platform co-funding, certification awards)",
            flow=True, counted=True),
    Outcome("warnings", "count/yr", "warnings (约谈) for ranking in the bottom of the class",
            flow=True, counted=True),
    Outcome("promoted", "count/yr", "status raised this year (promoted to national, or re-listed)",
            flow=True, counted=True),
    Outcome("demoted", "count/yr", "status lost this year (national downgraded, or delisted)", flow=True, counted=True),
    Outcome("tax_shared", "CNY bn/yr", "kept tax received (+) or handed over (-) under hosting agreements",
            flow=True, counted=True),
    Outcome("land_reclaimed", "km2/yr", "allotted but undeveloped land quota taken back by the region",
            flow=True, counted=True),
    # zone management committees (sim/agents/committee.py): how they split their budget, and why
    Outcome("share_promotion", "share of budget", "committee's budget share for investment promotion", "wmean:budget"),
    Outcome("share_land", "share of budget", "committee's budget share for land development", "wmean:budget"),
    Outcome("share_services", "share of budget", "committee's budget share for zone services", "wmean:budget"),
    Outcome("share_platforms", "share of budget", "committee's budget share for innovation platforms", "wmean:budget"),
    Outcome("share_talent", "share of budget", "committee's budget share for talent recruitment (subsidies)",
            "wmean:budget"),
    Outcome("share_hosted", "share of budget", "host committee's budget share spent in its hosted zone",
            "wmean:budget"),
    Outcome("score_value", "CNY m per point", "what one evaluation score point is worth to the committee this year "
                                              "(career value, rewards, delisting risk, promotion chance)",
            "wmean:budget"),
    Outcome("evaluation_motive", "share", "share of the value the committee sees in its budget split that comes from "
                                          "the evaluation (score points), the rest from output (tax kept, credited "
                                          "GDP)", "wmean:budget"),
    Outcome("host_support", "CNY bn/yr", "money a host committee spent in its hosted zone: received (+) or given (-)",
            flow=True),
    Outcome("output_credited", "CNY bn/yr", "output credited to the zone under the hosting agreement's GDP split "
                                            "(equals output without a split: own accounting)",
            flow=True, at_start=True),
    Outcome("national_place", "place", "place in the modelled national ranking of national zones (1 = best; "
                                       "0 = not a national zone)", "none"),
    Outcome("delisting_risk", "0..1", "chance of losing status at the end of the zone's current run at the bottom "
                                      "(delisting lever); region row: expected number of zones"),
)
OUTCOME_NAMES = tuple(o.name for o in OUTCOMES)
BY_NAME = {o.name: o for o in OUTCOMES}

# Region-only outcomes (flows across Guangxi's boundary and spread between zones).
REGION_OUTCOMES: tuple[Outcome, ...] = (
    Outcome("region_talent_inflow", "people/yr", "skilled people entering Guangxi's zones from outside "
                                                 "(graduates and returners)", flow=True, counted=True),
    Outcome("region_talent_outflow", "people/yr", "skilled people leaving the zones for outside or retiring",
            flow=True, counted=True),
    Outcome("land_quota_issued", "km2/yr", "construction-land quota the region issued", flow=True, counted=True),
    Outcome("output_cv", "1", "coefficient of variation of output across zones (spread)"),
    Outcome("public_money", "CNY bn/yr", "money the region paid to zones: transfers "
                                                 "(rewards) plus direct support of measures", flow=True),
    Outcome("region_budget", "CNY bn/yr", "the region's budget for zone measures this year (region_budget_share "
                                          "x last year's tax raised, less any overrun carried)", flow=True),
    Outcome("region_committed", "CNY bn/yr", "what the measures of the package would cost this year at full "
                                             "strength (their plans)", flow=True),
    Outcome("budget_funded_share", "share", "share of the measures' plans the budget funds (1 = all; measures are "
                                            "scaled down pro rata below 1)"),
    Outcome("region_revenue", "CNY bn/yr", "the region's share of the tax raised in the zones at the world's tax "
                                           "share (revenue forgone under fiscal autonomy counts in public_money)",
            flow=True, at_start=True),
    Outcome("region_net_fiscal", "CNY bn/yr", "region_revenue - public_money: the region's net receipts from the "
                                              "zones after measures; a package's net fiscal cost is its fall",
            flow=True, at_start=True),
    Outcome("delisted_zones", "zones", "zones delisted at the end of the year (how many are out at once)"),
)

# Derived from the declarations above, never written out again:
# the per-zone flows the model counts during a year (``model.flows``, sim.model.zonemodel);
COUNTED_FLOWS: tuple[str, ...] = tuple(o.name for o in OUTCOMES if o.counted)
# the flows without a value at year 0 (charts and summaries start them at year 1).
FLOWS_FROM_YEAR_1: frozenset[str] = frozenset(o.name for o in (*OUTCOMES, *REGION_OUTCOMES)
                                              if o.flow and not o.at_start)


def census(model: ZoneModel) -> dict[str, np.ndarray]:
    """Head-counts of firms and people per zone slot, the part of the outcomes that reads every
    firm and cohort. Taken once a year at evaluation and reused when the year is recorded
    (levers' ``after_evaluation`` and ``end_year`` hooks do not change firms or cohorts)."""
    f, t = model.firms, model.talent
    nz = model.n_zone_slots
    L, C = f.n, t.n
    fz = f.zone[:L]
    scale = float(model.params.talent_scale)
    thr = model.params.high_skill_threshold
    # a count of the firms (cohorts) that have a property is the sum of a 0/1 weight, exact in
    # floats: counted in the same pass as the other sums, one call instead of a selection and a
    # call (issue 19); compiled: the flags read as they are, no float copies (sim/core/firm_k.py)
    sums = firm_k.firm_census(fz, f.employees[:L], f.land[:L], f.hightech[:L], nz)
    if sums is None:
        sums = group_sums(fz, (f.employees[:L], f.land[:L], f.hightech[:L].astype(float)), nz, count=True)
    firms, employees, land, hightech = sums
    sums = firm_k.cohort_census(t.zone[:C], t.skill[:C], thr, nz + 1)
    if sums is None:
        tz = t.zone[:C] + 1  # bin 0: cohorts outside Guangxi
        sums = group_sums(tz, ((t.skill[:C] >= thr).astype(float),), nz + 1, count=True)
    cohorts, high = sums
    return {
        "firms": firms.astype(float),
        "hightech_firms": hightech,
        "employees": employees,
        "land_occupied": land,
        "talent": cohorts[1:] * scale,
        "high_skill": high[1:] * scale,
    }


def zone_outcomes(model: ZoneModel, counts: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Every per-zone outcome for the current year, arrays over zone slots, in the units of
    ``OUTCOMES``; ``counts``: this year's :func:`census` if already taken. The arrays are the rows
    of one (outcomes x zone slots) matrix (:func:`zone_matrix`), in ``OUTCOMES`` order."""
    return dict(zip(OUTCOME_NAMES, zone_matrix(model, counts)))


_ROW = {name: i for i, name in enumerate(OUTCOME_NAMES)}
# The outcomes that are copies of one array each, gathered into one staging matrix in two blocks
# (CNY m amounts converted to CNY bn, then the rest) that are filled by one concatenate each and
# go into the zone matrix by one fancy assignment: some fifty copies and conversions of
# 14-element arrays cost ~1 us each, the three calls a few (issue 19).
_STAGED_BN_FLOWS = ("output", "value_added", "rd", "transfers", "rewards", "region_support", "tax_shared")
_STAGED_BN_ZONE = (("tax_raised", "tax"), ("tax_kept", "tax_kept"), ("budget", "budget"))  # (column, outcome)
_STAGED_FLOWS = ("startups", "spinoffs", "arrivals", "exits", "entries_blocked", "moves_in", "moves_out",
                 "talent_inflow", "talent_outflow", "innovations", "land_allotted", "warnings", "promoted", "demoted",
                 "land_reclaimed")
_STAGED_CENSUS = ("firms", "hightech_firms", "employees", "talent", "high_skill", "land_occupied")
_STAGED_ZONE = ("land_total", "land_developed", "platforms", "mgmt_eff", "score", "rank", "level", "hosted_by",
                "delisting_risk")
_STAGED_BN_ZONE_COLUMNS = tuple(col for col, _ in _STAGED_BN_ZONE)
_N_STAGED_BN = len(_STAGED_BN_FLOWS) + len(_STAGED_BN_ZONE)
# the staging matrix's rows in the zone matrix, in staging order
_STAGED_ROWS = np.array([_ROW[o] for o in (*_STAGED_BN_FLOWS, *(o for _, o in _STAGED_BN_ZONE), *_STAGED_FLOWS,
                                           *_STAGED_CENSUS, *_STAGED_ZONE)], dtype=np.intp)
assert len(set(_STAGED_ROWS.tolist())) == _STAGED_ROWS.size


def zone_matrix(model: ZoneModel, counts: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Every per-zone outcome for the current year as one float matrix, a row per outcome of
    ``OUTCOMES`` and a column per zone slot (what :func:`zone_outcomes` and the recorder read;
    one matrix instead of some sixty small arrays keeps the yearly cost of recording low)."""
    zs, fl = model.zones, model.flows
    c = census(model) if counts is None else counts
    n = zs.capacity
    Z = np.zeros((len(OUTCOMES), n))
    stage = np.empty((_STAGED_ROWS.size, n))
    k = _N_STAGED_BN
    np.concatenate([*(fl[name] for name in _STAGED_BN_FLOWS), *(getattr(zs, col) for col in _STAGED_BN_ZONE_COLUMNS)],
                   out=stage[:k].reshape(-1))
    stage[:k] = bn_from_m(stage[:k])
    np.concatenate([*(fl[name] for name in _STAGED_FLOWS), *(c[name] for name in _STAGED_CENSUS),
                    *(getattr(zs, col) for col in _STAGED_ZONE)], out=stage[k:].reshape(-1))
    Z[_STAGED_ROWS] = stage
    R = _ROW
    entries = Z[R["entries"]]
    np.add(fl["startups"], fl["spinoffs"], out=entries)
    entries += fl["arrivals"]
    # the ratios' rows are still zero: a zone without a denominator keeps 0
    np.divide(Z[R["high_skill"]], Z[R["talent"]], out=Z[R["high_skill_share"]], where=Z[R["talent"]] > 0)
    np.divide(fl["rd"], fl["output"], out=Z[R["rd_intensity"]], where=fl["output"] > 0)
    np.subtract(zs.land_total, zs.land_developed, out=Z[R["land_available"]])
    np.divide(Z[R["output"]], zs.land_developed, out=Z[R["output_per_km2"]], where=zs.land_developed > 0)
    _committee_outcomes(model, Z)
    return Z


_SHARE_ROWS = tuple(_ROW[f"share_{name}"] for name in OPTIONS)
# the share rows are neighbours, in the committees' order: a slice of the matrix, cheaper than a fancy index
assert _SHARE_ROWS == tuple(range(_SHARE_ROWS[0], _SHARE_ROWS[0] + len(_SHARE_ROWS)))
_SHARES = slice(_SHARE_ROWS[0], _SHARE_ROWS[0] + len(_SHARE_ROWS))


def _committee_outcomes(model: ZoneModel, Z: np.ndarray) -> None:
    """Committees' shares and values, hosting accounts and national place (rows of ``Z``)."""
    cm = model.committees
    n = Z.shape[1]
    if cm.shares.shape[0] >= n:  # else the shares stay 0
        Z[_SHARES] = cm.shares[:n].T
    _fit(cm.score_value, Z[_ROW["score_value"]])
    _fit(cm.motive, Z[_ROW["evaluation_motive"]])
    support = Z[_ROW["host_support"]]
    _fit(cm.support, support)
    support[:] = bn_from_m(support)
    credited = Z[_ROW["output_credited"]]
    output_bn = Z[_ROW["output"]]
    credited[:] = output_bn
    host_of = cm.host_of
    if host_of.size and host_of.max() >= 0:  # hosting: the agreed share of output is credited to the host
        host = np.full(n, -1, dtype=np.int64)
        _fit(host_of, host, -1)
        credit = np.zeros(n)
        _fit(cm.gdp_credit, credit)
        for b in np.flatnonzero(host >= 0):
            moved = credit[b] * output_bn[b]
            credited[b] -= moved
            credited[host[b]] += moved
    _fit(model.government.national_place, Z[_ROW["national_place"]])


def _fit(values: np.ndarray, out: np.ndarray, fill: float = 0.0) -> None:
    """``out`` (length n) = the first n ``values``, then ``fill``."""
    if values.size == out.size:  # the usual case: one copy
        out[:] = values
        return
    k = min(values.size, out.size)
    out[:k] = values[:k]
    out[k:] = fill


# How the region row is formed from the zone rows (``Outcome.region``), as row indices of the matrix.
_SUM = np.array([i for i, o in enumerate(OUTCOMES) if o.region == "sum"], dtype=np.intp)
_RATIO = tuple((i, _ROW[o.region[6:].split("/")[0]], _ROW[o.region[6:].split("/")[1]])
               for i, o in enumerate(OUTCOMES) if o.region.startswith("ratio:"))
_WMEAN = np.array([i for i, o in enumerate(OUTCOMES) if o.region.startswith("wmean:")], dtype=np.intp)
_WMEAN_WEIGHT = {o.region[6:] for o in OUTCOMES if o.region.startswith("wmean:")}
assert len(_WMEAN_WEIGHT) <= 1, "one weight for every weighted mean (the region row sums them together)"
_WEIGHT = _ROW[_WMEAN_WEIGHT.pop()] if _WMEAN_WEIGHT else 0
_NONE = np.array([i for i, o in enumerate(OUTCOMES) if o.region == "none"], dtype=np.intp)
REGION_NAMES: tuple[str, ...] = OUTCOME_NAMES + tuple(o.name for o in REGION_OUTCOMES)
_REGION_COL = {name: i for i, name in enumerate(REGION_NAMES)}  # a name's column in frame()'s values


def region_values(Z: np.ndarray, alive: np.ndarray, model: ZoneModel) -> np.ndarray:
    """The region row (``REGION_NAMES`` order) from the zone matrix: sums, ratios recomputed from
    sums, weighted means, and the region-only outcomes. Every row is summed over the live zones
    in one reduction along the matrix's rows, which numpy performs row by row exactly as it sums
    one row on its own (the same pairwise order): the figures are those of summing each outcome
    separately."""
    row = np.empty(len(REGION_NAMES))
    S = row[:len(OUTCOMES)]
    wsums, extra = np.empty(_WMEAN.size), np.empty(2)
    # the same sums in one compiled loop (sim/core/scoring.py) up to 128 zones and without NaN
    if Z.shape[1] <= 128 and scoring.available() and scoring.region_sums(
            Z, alive, _WMEAN, _WEIGHT, _ROW["output"], _ROW["level"], 2.0, S, wsums, extra):
        cv, delisted = float(extra[0]), float(extra[1])
    else:
        live = np.compress(alive, Z, axis=1)  # C-contiguous: each row's sum is pairwise, as a row's own
        S = live.sum(axis=1)  # every outcome's sum over live zones
        row[:len(OUTCOMES)] = S
        wsums = (live[_WMEAN] * live[_WEIGHT]).sum(axis=1) if _WMEAN.size else None
        cv = _cv(live[_ROW["output"]], S[_ROW["output"]])
        delisted = float(np.count_nonzero(live[_ROW["level"]] == 2))  # delisted: the matrix's classes
    for i, num, den in _RATIO:
        d = S[den]
        row[i] = S[num] / d if d > 0 else 0.0
    if _WMEAN.size:
        w_sum = S[_WEIGHT]
        row[_WMEAN] = wsums / w_sum if w_sum > 0 else 0.0
    row[_NONE] = np.nan
    fl = model.flows
    b = model.government.budget
    transfers, support, tax = S[_ROW["transfers"]], S[_ROW["region_support"]], S[_ROW["tax"]]
    public = float(transfers) + float(support)
    revenue = (1.0 - model.params.zone_tax_share) * float(tax)
    row[len(OUTCOMES):] = (
        float(fl["region_talent_inflow"]), float(fl["region_talent_outflow"]), float(fl["land_quota_issued"]),
        cv, public, bn_from_m(b.envelope), bn_from_m(b.committed),
        b.funded, revenue, revenue - public, delisted)
    return row


def _cv(x: np.ndarray, total: float) -> float:
    """``float(x.std() / x.mean())`` for a contiguous 1-d ``x`` whose sum is ``total`` (0 when the
    mean is not positive or ``x`` is empty), in numpy's own steps (``_methods._mean`` and
    ``_var``: the sum over the count; the deviations squared, summed, over the count,
    square-rooted) without np.std's and np.mean's dozen calls (issue 19). ``total`` is the
    pairwise sum of ``x``, as ``x.sum()`` gives it."""
    n = x.size
    if not n:
        return 0.0
    mean = total / n
    if not mean > 0:
        return 0.0
    dev = x - mean
    np.multiply(dev, dev, out=dev)
    return float(np.sqrt(dev.sum() / n) / mean)


def region_row(zone: dict[str, np.ndarray], alive: np.ndarray, model: ZoneModel) -> dict[str, float]:
    """Region totals: sums, ratios recomputed from sums, and the region-only outcomes."""
    Z = np.array([zone[name] for name in OUTCOME_NAMES], dtype=float)
    return dict(zip(REGION_NAMES, region_values(Z, alive, model).tolist()))


class _RegionRow(Mapping[str, float]):
    """A region row read by name: each value looked up in the row's list when asked for. The
    model's reporters read five of its seventy names a year; a dict of all of them cost more
    than the rest of their reading (issue 19)."""

    __slots__ = ("_values",)

    def __init__(self, values: list[float]) -> None:
        self._values = values

    def __getitem__(self, name: str) -> float:
        return self._values[_REGION_COL[name]]

    def __iter__(self) -> Iterator[str]:
        return iter(REGION_NAMES)

    def __len__(self) -> int:
        return len(REGION_NAMES)


class Recorder:
    """Keeps one snapshot per step (the zone matrix, the live zones and the region row);
    ``frame()`` gives the tidy table keyed by (step, zone)."""

    def __init__(self) -> None:
        self._years: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
        self._latest: _RegionRow | None = None  # the last region row by name, made when first read
        self._evaluated: tuple[int, np.ndarray] | None = None  # (step, zone matrix) of this year's evaluation

    def evaluation_outcomes(self, model: ZoneModel, counts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """:func:`zone_outcomes` for the evaluation stage; its matrix is kept for :meth:`collect`
        when no lever acts (see there)."""
        Z = zone_matrix(model, counts)
        self._evaluated = None if model.hooks.levers else (model.steps, Z)
        return dict(zip(OUTCOME_NAMES, Z))

    def _reused(self, model: ZoneModel) -> np.ndarray | None:
        """This year's evaluation matrix brought up to date, when no lever acts: between the
        evaluation's outcomes and the record only the evaluation itself writes what the matrix
        holds (scores, ranks, national places; the committees learn only their noise), so those
        three rows are copied again instead of the whole matrix made anew (issue 19;
        tests/outcomes/test_metrics.py compares it with a fresh matrix every year)."""
        ev, self._evaluated = self._evaluated, None
        if ev is None or ev[0] != model.steps or model.hooks.levers:
            return None
        Z = ev[1]
        zs = model.zones
        if Z.shape[1] != zs.capacity:
            return None
        Z[_ROW["score"]] = zs.score
        Z[_ROW["rank"]] = zs.rank
        _fit(model.government.national_place, Z[_ROW["national_place"]])
        return Z

    def collect(self, model: ZoneModel, counts: dict[str, np.ndarray] | None = None) -> None:
        Z = self._reused(model)
        if Z is None:
            Z = zone_matrix(model, counts)
        alive = model.zones.alive.copy()
        self._years.append((model.steps, alive, Z, region_values(Z, alive, model)))
        self._latest = None

    @property
    def _steps(self) -> list[tuple[int, np.ndarray, dict[str, np.ndarray], dict[str, float]]]:
        """Each recorded step as (step, live zones, zone outcomes by name, region row by name)."""
        return [(step, alive, dict(zip(OUTCOME_NAMES, Z)), dict(zip(REGION_NAMES, region.tolist())))
                for step, alive, Z, region in self._years]

    @property
    def region_latest(self) -> Mapping[str, float]:
        """The last recorded region row by name (Python floats)."""
        if self._latest is None:
            self._latest = _RegionRow(self._years[-1][3].tolist())
        return self._latest

    def rows(self, model: ZoneModel, steps: Iterable[int], zones: Iterable[str],
             names: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows of :meth:`frame` that a study keeps, straight from the snapshots: recorded
        steps in ``steps``, the live zones whose id is in ``zones`` (and the ``region`` row),
        columns ``names`` only. Returns (step: int64, zone: object array of ids, values: float
        matrix, a column per name), rows and values exactly as in ``frame()`` filtered to them;
        a study keeps one year of 20 and four columns of 70, and building the whole table first
        cost ~5 ms of a ~250 ms run (issue 19)."""
        want = {int(s) for s in steps}
        ids = np.array(model.zone_ids, dtype=object)
        # frame() keeps a row whose zone is "region" whatever ``zones`` says: the same here
        listed = np.isin(ids, list(zones)) | (ids == "region") if ids.size else np.zeros(0, dtype=bool)
        col = np.array([_REGION_COL[name] for name in names], dtype=np.intp)
        zcol = col < len(OUTCOMES)  # outcomes the zone rows carry; the region-only ones are NaN there
        step_parts, zone_parts, value_parts = [], [], []
        for s, alive, Z, region in self._years:
            if s not in want:
                continue
            idx = np.flatnonzero(alive[:ids.size] & listed[:alive.size])
            k = idx.size
            block = np.full((k + 1, col.size), np.nan)
            block[:k, zcol] = Z[col[zcol]][:, idx].T
            block[k] = region[col]
            value_parts.append(block)
            step_parts.append(np.full(k + 1, s, dtype=np.int64))
            zone_parts.append(np.append(ids[idx], "region"))
        if not value_parts:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=object), np.empty((0, col.size))
        return np.concatenate(step_parts), np.concatenate(zone_parts), np.concatenate(value_parts)

    def frame(self, model: ZoneModel) -> pd.DataFrame:
        """Tidy table: columns step, year, zone, level_name, then every outcome (zone rows carry
        NaN in the region-only columns)."""
        ids = np.array(model.zone_ids, dtype=object)
        n_out, n_all = len(OUTCOMES), len(REGION_NAMES)
        idxs = [np.flatnonzero(alive) for _, alive, _, _ in self._years]
        rows = sum(idx.size + 1 for idx in idxs)
        values = np.empty((rows, n_all))
        step = np.empty(rows, dtype=np.int64)
        zone = np.empty(rows, dtype=object)
        r = 0
        for (s, _, Z, region), idx in zip(self._years, idxs):
            k = idx.size
            values[r:r + k, :n_out] = Z[:, idx].T
            values[r:r + k, n_out:] = np.nan
            values[r + k] = region
            step[r:r + k + 1] = s
            zone[r:r + k] = ids[idx]
            zone[r + k] = "region"
            r += k + 1
        lvl = values[:, _ROW["level"]]
        level_name = np.where(np.isnan(lvl), "region", np.array(LEVELS, dtype=object)[
            np.nan_to_num(lvl, nan=0).astype(int)])
        # the four leading columns and the outcomes' one block side by side: the same table as
        # inserting the four columns one by one, in half the time (each insert rebuilt the columns)
        front = pd.DataFrame({"step": step, "year": model.start_year + step, "zone": zone, "level_name": level_name})
        return pd.concat([front, pd.DataFrame(values, columns=list(REGION_NAMES))], axis=1)
