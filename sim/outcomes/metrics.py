"""Outcomes, declared once: name, unit, meaning, and how the region row is formed.

``zone_outcomes(model)`` computes every per-zone outcome for the current year from the model's
state and the year's flows (a dict of arrays over zone slots); ``Recorder`` stores one such
snapshot per step and turns them into the tidy table: one row per (step, zone) plus one
``region`` row per step. Reports, the evaluation and the tests read the same definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.agents.zone import LEVELS
from sim.core.kernels import group_sum
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
    tz = t.zone[:C] + 1  # bin 0: cohorts outside Guangxi
    scale = float(model.params.talent_scale)
    return {
        "firms": group_sum(fz, None, nz).astype(float),
        "hightech_firms": group_sum(fz[f.hightech[:L]], None, nz).astype(float),
        "employees": group_sum(fz, f.employees[:L], nz),
        "land_occupied": group_sum(fz, f.land[:L], nz),
        "talent": group_sum(tz, None, nz + 1)[1:] * scale,
        "high_skill": group_sum(tz[t.skill[:C] >= model.params.high_skill_threshold], None, nz + 1)[1:] * scale,
    }


def zone_outcomes(model: ZoneModel, counts: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Every per-zone outcome for the current year, arrays over zone slots, in the units of
    ``OUTCOMES``; ``counts``: this year's :func:`census` if already taken."""
    zs, fl = model.zones, model.flows
    c = census(model) if counts is None else counts
    talent, high = c["talent"].copy(), c["high_skill"].copy()
    out = {
        "output": bn_from_m(fl["output"]),
        "value_added": bn_from_m(fl["value_added"]),
        "firms": c["firms"].copy(),
        "hightech_firms": c["hightech_firms"].copy(),
        "entries": fl["startups"] + fl["spinoffs"] + fl["arrivals"],
        "startups": fl["startups"].copy(),
        "spinoffs": fl["spinoffs"].copy(),
        "arrivals": fl["arrivals"].copy(),
        "exits": fl["exits"].copy(),
        "entries_blocked": fl["entries_blocked"].copy(),
        "moves_in": fl["moves_in"].copy(),
        "moves_out": fl["moves_out"].copy(),
        "employees": c["employees"].copy(),
        "talent": talent,
        "high_skill": high,
        "high_skill_share": _ratio(high, talent),
        "talent_inflow": fl["talent_inflow"].copy(),
        "talent_outflow": fl["talent_outflow"].copy(),
        "rd": bn_from_m(fl["rd"]),
        "rd_intensity": _ratio(fl["rd"], fl["output"]),
        "innovations": fl["innovations"].copy(),
        "land_total": zs.land_total.copy(),
        "land_developed": zs.land_developed.copy(),
        "land_available": zs.land_total - zs.land_developed,
        "land_occupied": c["land_occupied"].copy(),
        "land_allotted": fl["land_allotted"].copy(),
        "output_per_km2": _ratio(bn_from_m(fl["output"]), zs.land_developed),
        "tax": bn_from_m(zs.tax_raised),
        "tax_kept": bn_from_m(zs.tax_kept),
        "transfers": bn_from_m(fl["transfers"]),
        "budget": bn_from_m(zs.budget),
        "platforms": zs.platforms.copy(),
        "mgmt_eff": zs.mgmt_eff.copy(),
        "score": zs.score.copy(),
        "rank": zs.rank.astype(float),
        "level": zs.level.astype(float),
        "hosted_by": zs.hosted_by.astype(float),
        "rewards": bn_from_m(fl["rewards"]),
        "region_support": bn_from_m(fl["region_support"]),
        "warnings": fl["warnings"].copy(),
        "promoted": fl["promoted"].copy(),
        "demoted": fl["demoted"].copy(),
        "tax_shared": bn_from_m(fl["tax_shared"]),
        "land_reclaimed": fl["land_reclaimed"].copy(),
    }
    out.update(_committee_outcomes(model, out["output"]))
    return out


def _committee_outcomes(model: ZoneModel, output_bn: np.ndarray) -> dict[str, np.ndarray]:
    """Committees' shares and values, hosting accounts, national place and delisting risk."""
    from sim.agents.committee import OPTIONS

    zs, cm = model.zones, model.committees
    n = zs.capacity
    out: dict[str, np.ndarray] = {}
    shares = cm.shares[:n] if cm.shares.shape[0] >= n else np.zeros((n, len(OPTIONS)))
    for k, name in enumerate(OPTIONS):
        out[f"share_{name}"] = shares[:, k].copy()
    out["score_value"] = _fit(cm.score_value, n)
    out["evaluation_motive"] = _fit(cm.motive, n)
    out["host_support"] = bn_from_m(_fit(cm.support, n))
    credited = output_bn.copy()
    host_of = _fit(cm.host_of.astype(float), n, -1.0).astype(np.int64)
    credit = _fit(cm.gdp_credit, n)
    for b in np.flatnonzero(host_of >= 0):
        moved = credit[b] * output_bn[b]
        credited[b] -= moved
        credited[host_of[b]] += moved
    out["output_credited"] = credited
    out["national_place"] = _fit(model.government.national_place, n)
    out["delisting_risk"] = zs.delisting_risk.copy()
    return out


def _fit(values: np.ndarray, n: int, fill: float = 0.0) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.size >= n:
        return values[:n].copy()
    return np.concatenate([values, np.full(n - values.size, fill)])


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num/den with 0 where den is 0 (a zone with no firms has zero output per land, not NaN)."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def region_row(zone: dict[str, np.ndarray], alive: np.ndarray, model: ZoneModel) -> dict[str, float]:
    """Region totals: sums, ratios recomputed from sums, and the region-only outcomes."""
    row: dict[str, float] = {}
    for o in OUTCOMES:
        v = zone[o.name][alive]
        if o.region == "sum":
            row[o.name] = float(v.sum())
        elif o.region.startswith("ratio:"):
            num, den = o.region[6:].split("/")
            d = float(zone[den][alive].sum())
            row[o.name] = float(zone[num][alive].sum()) / d if d > 0 else 0.0
        elif o.region.startswith("wmean:"):
            w = zone[o.region[6:]][alive]
            row[o.name] = float(np.sum(v * w) / np.sum(w)) if np.sum(w) > 0 else 0.0
        else:
            row[o.name] = np.nan
    fl = model.flows
    out = zone["output"][alive]
    mean = out.mean() if out.size else 0.0
    row["region_talent_inflow"] = float(fl["region_talent_inflow"])
    row["region_talent_outflow"] = float(fl["region_talent_outflow"])
    row["land_quota_issued"] = float(fl["land_quota_issued"])
    row["output_cv"] = float(out.std() / mean) if mean > 0 else 0.0
    row["public_money"] = row["transfers"] + row["region_support"]
    b = model.government.budget
    row["region_budget"] = bn_from_m(b.envelope)
    row["region_committed"] = bn_from_m(b.committed)
    row["budget_funded_share"] = b.funded
    row["region_revenue"] = (1.0 - model.params.zone_tax_share) * row["tax"]
    row["region_net_fiscal"] = row["region_revenue"] - row["public_money"]
    row["delisted_zones"] = float(np.sum(model.zones.level[alive] == 2))
    return row


class Recorder:
    """Keeps one snapshot per step; ``frame()`` gives the tidy table keyed by (step, zone)."""

    def __init__(self) -> None:
        self._steps: list[tuple[int, np.ndarray, dict[str, np.ndarray], dict[str, float]]] = []

    def collect(self, model: ZoneModel, counts: dict[str, np.ndarray] | None = None) -> None:
        zone = zone_outcomes(model, counts)
        alive = model.zones.alive.copy()
        self._steps.append((model.steps, alive, zone, region_row(zone, alive, model)))

    @property
    def region_latest(self) -> dict[str, float]:
        return self._steps[-1][3]

    def frame(self, model: ZoneModel) -> pd.DataFrame:
        """Tidy table: columns step, year, zone, level_name, then every outcome (zone rows carry
        NaN in the region-only columns)."""
        ids = np.array(model.zone_ids, dtype=object)
        region_names = list(self._steps[0][3]) if self._steps else []
        cols: dict[str, list[np.ndarray]] = {name: [] for name in ("step", "zone", *OUTCOME_NAMES)}
        extra: dict[str, list[np.ndarray]] = {name: [] for name in region_names if name not in BY_NAME}
        for step, alive, zone, region in self._steps:
            idx = np.flatnonzero(alive)
            n = idx.size + 1  # the zones, then the region row
            cols["step"].append(np.full(n, step))
            cols["zone"].append(np.append(ids[idx], "region"))
            for name in OUTCOME_NAMES:
                cols[name].append(np.append(zone[name][idx], region[name]))
            for name in extra:
                block = np.full(n, np.nan)
                block[-1] = region[name]
                extra[name].append(block)
        df = pd.DataFrame({k: np.concatenate(v) for k, v in {**cols, **extra}.items()})
        df["year"] = model.start_year + df["step"]
        lvl = df["level"].to_numpy()
        df["level_name"] = np.where(np.isnan(lvl), "region", np.array(LEVELS, dtype=object)[
            np.nan_to_num(lvl, nan=0).astype(int)])
        front = ["step", "year", "zone", "level_name"]
        cols = front + [c for c in df.columns if c not in front]
        return df[cols]
