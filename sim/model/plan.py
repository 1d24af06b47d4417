"""The year as a plan: the ordered, named stages of one ``ZoneModel.step()``.

Like Starsim's loop plan, the plan is data: ``zonesim plan`` prints it (with the levers of a
package attached to the stages whose hooks they use), and a model built with
``time_stages=True`` times every stage without patching anything (``model.stage_seconds``).
Stages hand data to later stages only through :class:`YearData` (``model.year_data``), whose
fields are declared here with the stage that writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Stage:
    """One stage of the year: ``ZoneModel._<name>()`` runs it; ``hooks`` are the lever hooks
    (:class:`sim.policies.base.Lever`) called inside it."""

    name: str
    does: str
    hooks: tuple[str, ...] = ()


PLAN: tuple[Stage, ...] = (
    Stage("start_year", "the year's flow counters reset; the region opens its budget for measures, then levers "
          "act before anything moves", ("plan_cost", "start_year")),
    Stage("talent_moves", "retirements, new graduates, and cohorts choosing a zone (logit)"),
    Stage("labour_market", "firms hire the talent of their zone; wages"),
    Stage("production", "output, value added, R&D, profit and tax of every firm"),
    Stage("innovation", "knowledge, innovations, productivity, high-tech certification"),
    Stage("land", "the region's quota is allotted; zones develop land", ("allocate_land",)),
    Stage("firm_dynamics", "exits, growth within free land, relocation, entry", ("exit_multiplier", "attractiveness")),
    Stage("public_finance", "zones keep their tax share; committees split the budget among promotion, land, "
          "services, platforms, talent (and a hosted zone)", ("share_tax", "incentives")),
    Stage("evaluation", "the government scores (multi-year, within class) and ranks zones; committees learn; "
          "levers act on the ranking", ("evaluation_stats", "after_evaluation")),
    Stage("end_year", "levers' end-of-year hook; the region closes its budget", ("end_year",)),
    Stage("record", "the year's outcomes are recorded (Recorder, Mesa DataCollector)"),
)

STAGE_NAMES: tuple[str, ...] = tuple(s.name for s in PLAN)


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
    """The plan as text: one line per stage, with the levers that act in it."""
    lines = []
    for i, st in enumerate(PLAN, 1):
        acting = [lv.name for lv in levers for h in st.hooks if _overrides(lv, h)]
        acting = list(dict.fromkeys(acting))
        tail = f"  [levers: {', '.join(acting)}]" if acting else ""
        lines.append(f"{i:>2}. {st.name:<15} {st.does}{tail}")
    return "\n".join(lines)


def _overrides(lever: Any, hook: str) -> bool:
    from sim.policies.base import Lever  # noqa: PLC0415  (the plan is data; levers are optional)

    return getattr(type(lever), hook, None) is not getattr(Lever, hook, None)
