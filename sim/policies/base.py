"""The lever lifecycle: one class per lever or measure, configured from a package file.

A lever is built from its validated ``Settings`` (a frozen pydantic model: unknown keys are
errors), then the model calls, in this order:

* ``setup(model)`` once, after the world is built and before the first year: check the
  settings against the world (e.g. named zones exist) and set the zone columns it controls;
* every year, at fixed points of :meth:`sim.model.zonemodel.ZoneModel.step`:
  ``start_year(model)`` before anything moves;
  ``firm_costs(model)`` (in production, once every firm's output is known) may return a cost
  (positive) or rebate (negative) for each live firm, CNY m, that its profit bears this year
  (亩均 differentiated prices); the lever books what the region pays or collects itself;
  ``allocate_land(model, demand)`` may return the km2 of quota for each zone (the last lever
  that returns an array wins; default is the model's by-demand rule);
  ``share_tax(model)`` may move kept tax between zones (``zones.tax_kept``) without changing
  its sum;
  ``exit_multiplier(model, slots)`` and ``attractiveness(model)`` may return arrays that
  multiply firms' exit hazards and add to zones' utility as firm locations;
  ``sector_pull(model)`` may return a (zone slots x sectors) array added to the utility with
  which start-ups and arriving firms choose their sector (industry clusters);
  ``evaluation_stats(model, stats)`` may re-attribute the year's per-zone statistics before the
  government scores them (hosting: split GDP and tax as agreed), without changing their sums;
  ``after_evaluation(model)`` acts on the year's scores and ranks (rewards, delisting, promotion);
  ``end_year(model)``; these two act on zones, the region and next year's settings, not on
  firms or cohorts: the year's census of firms and people (``sim.outcomes.metrics.census``) is taken at
  evaluation and recorded after ``end_year``;
* ``summary()`` reports what the lever did over the run (e.g. money paid), for the results.

Money (``sim.agents.government.RegionalBudget``): before the levers' ``start_year`` the region
opens its yearly budget; each lever states its planned cost at full strength
(``plan_cost(model)``, CNY m; ``None`` = last year's cost at full strength) and is told the share
the budget funds (``funding``, 0..1, the same for every paying lever when the plans exceed the
envelope); a lever scales what it pays or gives by ``funding``. What a lever actually pays
(``model.pay`` transfers, ``region_support``) is booked to it by the hooks, hook by hook.

Incentives (``sim.agents.committee``): ``incentives(model)`` may return what the lever's rules
make a zone's evaluation score (``"score"``: CNY m per point) and its output (``"output"``: CNY m
per log point) worth to its committee this year; committees add them to their own values.

A lever acts through model and agent state, never by rewriting the parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


class LeverSettings(BaseModel):
    # allow_inf_nan=False: every number of a lever's settings is finite (a NaN passes range checks)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Lever:
    """Base class; subclasses set ``name``, ``area`` (1-6 of POLICY.md), ``Settings``."""

    name: ClassVar[str] = ""
    area: ClassVar[int] = 0
    title: ClassVar[str] = ""
    measure: ClassVar[bool] = True  # one of the document's measures; False: a reading kept for comparison
    # (region outcome, +1 or -1): the direction the measure is meant to move it; ``zonesim validate``
    # lists measures whose paired region effect at their defaults has the opposite sign
    intent: ClassVar[tuple[str, int] | None] = None
    Settings: ClassVar[type[LeverSettings]] = LeverSettings

    def __init__(self, settings: LeverSettings) -> None:
        self.settings = settings
        self.funding = 1.0  # share of its planned cost the regional budget funds this year

    def plan_cost(self, model: ZoneModel) -> float | None:
        """CNY m the lever would pay or forgo this year at full strength (0 for levers that
        spend nothing); ``None``: the budget estimates it from last year's booked cost."""
        return 0.0

    def incentives(self, model: ZoneModel) -> dict[str, np.ndarray] | None:
        """What the lever's rules make a score point (``"score"``) and a log point of output
        (``"output"``) worth to each zone's committee this year, CNY m per zone slot."""
        return None

    @classmethod
    def horizon_error(cls, settings: LeverSettings, years: int) -> tuple[str, str] | None:
        """(field, message) when the settings cannot act within a run of ``years`` years."""
        return None

    def setup(self, model: ZoneModel) -> None: ...
    def start_year(self, model: ZoneModel) -> None: ...
    def allocate_land(self, model: ZoneModel, demand: np.ndarray) -> np.ndarray | None:
        return None
    def firm_costs(self, model: ZoneModel) -> np.ndarray | None:
        return None
    def share_tax(self, model: ZoneModel) -> None: ...
    def exit_multiplier(self, model: ZoneModel, slots: np.ndarray) -> np.ndarray | None:
        return None
    def attractiveness(self, model: ZoneModel) -> np.ndarray | None:
        return None
    def sector_pull(self, model: ZoneModel) -> np.ndarray | None:
        return None
    def evaluation_stats(self, model: ZoneModel, stats: dict[str, np.ndarray]) -> None: ...
    def after_evaluation(self, model: ZoneModel) -> None: ...
    def end_year(self, model: ZoneModel) -> None: ...
    def summary(self) -> dict[str, Any]:
        return {}


class Hooks:
    """Calls every lever's hook in package order; neutral when there are no levers. Books the
    money each lever pays (``transfers`` and ``region_support`` flows) to the region's budget."""

    def __init__(self, levers: list[Lever]) -> None:
        self.levers = list(levers)

    def _booked(self, model: ZoneModel, hook: str) -> None:
        """Call ``hook`` of every lever that overrides it, booking to each lever the change of the
        money paid (``transfers`` + ``region_support`` flows) across its call. Nothing runs
        between two levers' calls, so one lever's sum after is the next one's sum before: one
        sum per lever, not two (the same floats, so the same amounts booked)."""
        fl = model.flows
        book = model.government.budget.book
        before = None
        for lever in self._acting(hook):
            if before is None:
                before = float(fl["transfers"].sum() + fl["region_support"].sum())
            getattr(lever, hook)(model)
            after = float(fl["transfers"].sum() + fl["region_support"].sum())
            book(lever.name, after - before)
            before = after

    def setup(self, model: ZoneModel) -> None:
        for lever in self.levers:
            lever.setup(model)

    def _acting(self, hook: str) -> list[Lever]:
        """The levers whose class overrides ``hook``: the others' hook does nothing, and the
        money booked for it would be 0 (the same sums before and after), which books nothing."""
        return [lever for lever in self.levers if _overrides(type(lever), hook) or hook in lever.__dict__]

    def start_year(self, model: ZoneModel) -> None:
        model.government.budget.open_year(model, self.levers)
        self._booked(model, "start_year")

    def allocate_land(self, model: ZoneModel, demand: np.ndarray) -> np.ndarray | None:
        result = None
        for lever in self.levers:
            got = lever.allocate_land(model, demand)
            if got is not None:
                result = got
        return result

    def firm_costs(self, model: ZoneModel) -> np.ndarray | None:
        out = None
        for lever in self.levers:
            got = lever.firm_costs(model)
            if got is not None:
                out = got if out is None else out + got
        return out

    def share_tax(self, model: ZoneModel) -> None:
        for lever in self.levers:
            lever.share_tax(model)

    def exit_multiplier(self, model: ZoneModel, slots: np.ndarray | None = None) -> np.ndarray | float:
        """The product of the levers' factors on the exit hazard of the firms in ``slots`` (None: every
        live firm, ``model.live_firms()``, asked only when a lever overrides the hook); 1.0 for none."""
        out: np.ndarray | float = 1.0
        acting = self._acting("exit_multiplier")
        if acting and slots is None:
            slots = model.live_firms()
        for lever in acting:
            got = lever.exit_multiplier(model, slots)
            if got is not None:
                out = out * got
        return out

    def attractiveness(self, model: ZoneModel) -> np.ndarray | float:
        out: np.ndarray | float = 0.0
        for lever in self.levers:
            got = lever.attractiveness(model)
            if got is not None:
                out = out + got
        return out

    def sector_pull(self, model: ZoneModel) -> np.ndarray | None:
        """Utility added to each (zone slot, sector) in entrants' sector choice; None: no lever pulls."""
        out = None
        for lever in self.levers:
            got = lever.sector_pull(model)
            if got is not None:
                out = got if out is None else out + got
        return out

    def incentives(self, model: ZoneModel) -> dict[str, np.ndarray]:
        """The levers' incentives summed per kind (``score``, ``output``), CNY m per zone slot."""
        out: dict[str, np.ndarray] = {}
        n = model.zones.capacity
        for lever in self.levers:
            got = lever.incentives(model)
            for kind, values in (got or {}).items():
                v = np.zeros(n)
                v[: np.size(values)] = values
                out[kind] = out.get(kind, np.zeros(n)) + v
        return out

    def evaluation_stats(self, model: ZoneModel, stats: dict[str, np.ndarray]) -> None:
        for lever in self.levers:
            lever.evaluation_stats(model, stats)

    def after_evaluation(self, model: ZoneModel) -> None:
        self._booked(model, "after_evaluation")

    def end_year(self, model: ZoneModel) -> None:
        self._booked(model, "end_year")
        model.government.budget.close_year(model, self.levers)


_OVERRIDES: dict[tuple[type, str], bool] = {}


def _overrides(cls: type, hook: str) -> bool:
    """Whether lever class ``cls`` overrides ``Lever.hook`` (cached per class and hook)."""
    got = _OVERRIDES.get((cls, hook))
    if got is None:
        got = _OVERRIDES[(cls, hook)] = getattr(cls, hook) is not getattr(Lever, hook)
    return got
