"""The year as a plan: the ordered, named stages of one ``ZoneModel.step()``.

Like Starsim's loop plan, the plan is data: ``zonesim plan`` prints it (with the levers of a
package attached to the stages whose hooks they use), and a model built with
``time_stages=True`` times every stage without patching anything (``model.stage_seconds``).
Stages hand data to later stages only through :class:`YearData` (``model.year_data``), whose
fields are declared here with the stage that writes them.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Stage:
    """One stage of the year: ``ZoneModel._<name>()`` runs it; ``hooks`` are the lever hooks
    (:class:`sim.policies.base.Lever`) called inside it; ``streams`` the named random streams
    (:class:`sim.core.streams.Streams`) its decisions draw from, keyed by (seed, stream, year,
    agent key). A stage that draws from a stream it does not declare fails the test suite."""

    name: str
    does: str
    hooks: tuple[str, ...] = ()
    streams: tuple[str, ...] = ()


PLAN: tuple[Stage, ...] = (
    Stage("start_year", "the year's flow counters reset; the region opens its budget for measures, then levers "
          "act before anything moves", ("plan_cost", "start_year"),
          ("lever.industry_upgrading.switch",)),  # sim.policies.clusters: which firms upgrade their sector
    Stage("talent_moves", "retirements, new graduates, and cohorts choosing a zone (logit)", (),
          ("talent.retire", "talent.graduates", "talent.graduate_skill", "talent.reconsider", "talent.location")),
    Stage("labour_market", "firms hire the talent of their zone; wages", (), ("hire.job", "hire.firm")),
    Stage("production", "output, value added, R&D, profit and tax of every firm", ("firm_costs",)),
    Stage("innovation", "knowledge, innovations, productivity, high-tech certification", (),
          ("firm.innovate", "firm.tfp_shock", "firm.certify")),
    Stage("land", "the region's quota is allotted; zones develop land", ("allocate_land",)),
    Stage("firm_dynamics", "exits, growth within free land, relocation, entry", ("exit_multiplier", "attractiveness"),
          ("firm.exit", "firm.grow", "firm.relocate", "firm.relocate_dest", "firm.relocate_queue", "firm.spinoff",
           "entry.startups", "entry.arrivals", "entry.sector", "entry.size", "entry.tfp", "entry.rd",
           "entry.admit_queue")),
    Stage("public_finance", "zones keep their tax share; committees split the budget among promotion, land, "
          "services, platforms, talent (and a hosted zone)", ("share_tax", "incentives")),
    Stage("evaluation", "the government scores (multi-year, within class) and ranks zones; committees learn; "
          "levers act on the ranking", ("evaluation_stats", "after_evaluation")),
    Stage("end_year", "levers' end-of-year hook; the region closes its budget", ("end_year",)),
    Stage("record", "the year's outcomes are recorded (Recorder, Mesa DataCollector)"),
)

STAGE_NAMES: tuple[str, ...] = tuple(s.name for s in PLAN)

# Streams drawn while the model is built (year 0, before levers exist): the initial population
# (sim/model/initial.py) and its first matching of talent to firms.
SETUP_STREAMS: tuple[str, ...] = (
    "init.sector", "init.size", "init.rd", "init.hightech", "init.age", "init.capital", "init.tfp",
    "init.cert_left", "init.home_elsewhere", "init.home", "init.skill", "init.years", "hire.job", "hire.firm",
    "init.thin", "init.fill", "init.remap",
    # the firms of existing county parks that levers bring into the zone system (sim.policies.parks):
    # drawn when the lever is set up, keyed by (park, k-th firm), whether or when they join
    "park.sector", "park.size", "park.tfp", "park.rd", "park.age")

# The stages the spin-up runs before the start year (sim.model.initial.spin_up: the firm population
# under the baseline rules; talent, public finance, the evaluation and the levers wait for year 1).
SPINUP_STAGES: tuple[str, ...] = ("labour_market", "production", "innovation", "land", "firm_dynamics")
# Streams drawn while the model is built: the initial population's and the spin-up stages' (in
# the spin-up's own years -spinup_years .. -1, so those numbers are never reused by a year >= 1).
BUILD_STREAMS: tuple[str, ...] = tuple(dict.fromkeys(
    SETUP_STREAMS + tuple(n for st in PLAN if st.name in SPINUP_STAGES for n in st.streams)))

# Every stream of the model (the registry of ``ZoneModel.streams``): one per decision.
STREAMS: tuple[str, ...] = tuple(dict.fromkeys(SETUP_STREAMS + tuple(n for st in PLAN for n in st.streams)))


@dataclass
class YearData:
    """What one stage hands to later stages of the same year (and ``record`` to the recorder)."""

    service: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """zone service effect on productivity, per zone slot (written by ``production``; read by
    firm dynamics for relocation and entry)"""
    cells: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """(zone, sector) cell of every live firm (``production``; read by ``innovation``; valid until
    firm dynamics change zones and sectors)"""
    census: dict[str, Any] = field(default_factory=dict)
    """firms and people per zone, taken once at ``evaluation`` (read by levers' ``after_evaluation``
    and by ``record``)"""


def describe(levers: list[Any] = ()) -> str:
    """The plan as text: one line per stage, with the levers that act in it, and the random
    streams it draws from (one per decision, keyed by seed, year and agent)."""
    lines = []
    for i, st in enumerate(PLAN, 1):
        acting = [lv.name for lv in levers for h in st.hooks if _overrides(lv, h)]
        acting = list(dict.fromkeys(acting))
        tail = f"  [levers: {', '.join(acting)}]" if acting else ""
        lines.append(f"{i:>2}. {st.name:<15} {st.does}{tail}")
        if st.streams:
            lines += textwrap.wrap("random streams: " + ", ".join(st.streams), 100, initial_indent=" " * 20,
                                   subsequent_indent=" " * 36)
    lines += textwrap.wrap("Building the model (year 0) draws from: " + ", ".join(SETUP_STREAMS), 100)
    lines += textwrap.wrap("and its spin-up (years before the start, stages " + ", ".join(SPINUP_STAGES)
                           + ") from those stages' streams", 100)
    return "\n".join(lines)


def _overrides(lever: Any, hook: str) -> bool:
    from sim.policies.base import Lever  # noqa: PLC0415  (the plan is data; levers are optional)

    return getattr(type(lever), hook, None) is not getattr(Lever, hook, None)
