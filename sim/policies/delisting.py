"""Delisting (area 6, 摘牌): zones ranked last in the evaluation for several consecutive years
lose their status (连续多年评价考核末位), after a warning (约谈) their committee responds to.

Lifecycle
---------
* ``setup``: the **reference class** is fixed (``reference: fixed``): the zones of each class at
  the start (region-level zones, and national zones when ``bottom_national`` > 0). A zone keeps
  its place in its reference class after it is delisted, so the class does not shrink and the
  rule does not re-apply to the next-weakest zone the year after. Zones created later (new
  parks) join the region-level reference class after ``join_years`` evaluations.
  ``reference: current`` ranks within the current class instead (the class shrinks as zones go).
* ``start_year``: years of lost perks count down (``perks_lost``).
* ``incentives``: what the rule makes a score point worth to each committee: ``loss_years`` of its
  budget (rewards, land priority, support, standing) times the slope of its chance of being
  delisted, given its record and its learned score noise. A warned zone is one year closer, so
  its score is worth more: the committee shifts spending towards what the evaluation rewards.
* ``after_evaluation``: a listed zone is *at the bottom* when it is among the last
  ``bottom_region`` (region-level) or ``bottom_national`` (national) places of its reference
  class, ranked by score (never the whole class). Its record counts consecutive years at the
  bottom (or years within the last ``window`` evaluations). Each year at the bottom short of
  ``years`` is a warning (约谈; ``warnings``), which also raises the zone's management efficiency
  by ``warning_effort`` of its gap to 1. At ``years`` the zone loses its status: a national zone
  is downgraded to region-level (without perks for ``perk_years``), a region-level zone is
  delisted; at most ``max_per_year`` zones a year (the lowest-scored first; the others keep their
  record). A delisted zone has no perks, is less attractive to firms (``attract_penalty``) and its
  firms exit more (``exit_multiplier``).
* **Re-listing**: after ``cooling_off`` years a delisted zone is re-listed as region-level when its
  score reaches the median score of the listed region-level zones (``reapply``); its record
  starts again from zero.
* ``delisting_risk`` (per zone, every year): the committee's chance of being delisted at the end
  of its current run at the bottom, (chance of being last next year) ^ (years still needed).

Defaults: last place (``bottom_region: 1``) three years running (连续多年, "several consecutive
years"), one zone a year at most, a fixed reference class. Guangxi's 2010 industrial-park rule
(last two places two years running, CALIBRATION.md) is ``bottom_region: 2, years: 2``. National
zones are not downgraded by default (``bottom_national: 0``): national status is decided by the
State Council, not the region.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from sim.agents.committee import prob_above, rank_slope
from sim.agents.zone import DELISTED, NATIONAL, REGION
from sim.policies._common import pad, zero_nan
from sim.policies.base import Lever, LeverSettings
from sim.core import pmath as pm

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


class Delisting(Lever):
    """Downgrade or delist zones held last in their reference class; warnings first."""

    name = "delisting"
    area = 6
    title = "Delisting of zones ranked last"
    intent = ("output", 1)

    class Settings(LeverSettings):
        bottom_region: int = Field(1, ge=0, le=100, description="last places of the region-level reference class "
                                   "that count (the document: last place, 末位)")
        bottom_national: int = Field(0, ge=0, le=100, description="last places of the national reference class "
                                     "that count; 0 = national zones are never downgraded")
        years: int = Field(3, ge=1, le=50, description="k: years at the bottom that cost the status (连续多年: "
                           "several consecutive years; estimate 3, the 2-3 years of the rules in CALIBRATION.md)")
        window: int | None = Field(None, ge=1, le=50, description="n: count years at the bottom within "
                                   "the last n evaluations; null = k consecutive years")
        max_per_year: int = Field(1, ge=1, le=100, description="most zones that lose their status in one year "
                                  "(the lowest-scored first; the others keep their record)")
        reference: Literal["fixed", "current"] = Field("fixed", description="'fixed': ranked within the class as "
                                                       "it was at the start (delisted zones keep their place); "
                                                       "'current': within the current class (it shrinks)")
        join_years: int = Field(3, ge=0, le=50, description="evaluations before a zone created during the run joins "
                                "the region-level reference class")
        warning_effort: float = Field(0.02, ge=0.0, le=1.0, description="share of the gap to 1 by which "
                                      "a warned zone's management efficiency rises (estimate)")
        loss_years: float = Field(2.0, ge=0.0, le=100.0, description="what delisting costs a committee, in years of "
                                  "its budget (lost rewards, land priority, region support and standing; estimate)")
        perk_years: int = Field(1, ge=0, le=50, description="years a downgraded national zone is without "
                                "perks (Guangxi 2010: one year)")
        attract_penalty: float = Field(0.5, ge=0.0, le=100.0, description="utility a delisted zone loses as a firm "
                                       "location (estimate: the national-status pull is 0.5)")
        exit_multiplier: float = Field(1.1, ge=0.0, le=10.0, description="factor on the exit hazard of "
                                       "firms in a delisted zone (lost preferential policies; estimate)")
        cooling_off: int = Field(3, ge=0, le=100, description="years before a delisted zone may re-apply")
        reapply: bool = Field(True, description="re-list a delisted zone at region level after the cooling-off "
                              "period once its score reaches the median of the listed region-level zones")

        @model_validator(mode="after")
        def _window(self) -> Delisting.Settings:
            if self.window is not None and self.window < self.years:
                raise ValueError(f"window ({self.window}) must be at least years ({self.years})")
            return self

    @classmethod
    def horizon_error(cls, settings: LeverSettings, years: int) -> tuple[str, str] | None:
        longest = max(settings.years, settings.window or 0)
        if longest > years:
            field = "window" if (settings.window or 0) >= settings.years else "years"
            return field, (f"a delisting window of {longest} years is longer than the run's horizon of {years} "
                           f"years, so no zone could ever be delisted; use at most {years}")
        return None

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.history: list[np.ndarray] = []  # one bool array per evaluation: at the bottom
        self.delisted_at: dict[int, int] = {}
        self.events: list[dict[str, Any]] = []
        self.reference = np.zeros(0, dtype=np.int8)  # reference class per slot: 0 national, 1 region, -1 none
        self.born: dict[int, int] = {}  # slot -> step of a zone created during the run
        self.at_once: list[int] = []  # zones delisted at the same time, per year

    def setup(self, model: ZoneModel) -> None:
        zs = model.zones
        self.reference = np.where(zs.alive, zs.level, -1).astype(np.int8)

    def _reference(self, model: ZoneModel) -> np.ndarray:
        """Reference class per zone slot (zones created during the run join after join_years)."""
        zs = model.zones
        n = zs.capacity
        if self.settings.reference == "current":
            return np.where(zs.alive & (zs.level != DELISTED), zs.level, -1).astype(np.int8)
        ref = pad(self.reference.astype(float), n, -1.0).astype(np.int8)
        for z in np.flatnonzero(zs.alive & (ref < 0)):  # zones created during the run (any free slot)
            self.born.setdefault(int(z), model.steps)
            if model.steps - self.born[int(z)] >= self.settings.join_years:
                ref[z] = REGION
        return ref

    def start_year(self, model: ZoneModel) -> None:
        zs = model.zones
        zs.perks_lost[:] = np.where(zs.level != DELISTED, np.maximum(zs.perks_lost - 1, 0), zs.perks_lost)

    def _bottom_places(self, lv: int) -> int:
        return self.settings.bottom_national if lv == NATIONAL else self.settings.bottom_region

    def _listed(self, model: ZoneModel, ref: np.ndarray, lv: int) -> np.ndarray:
        """Zones that can lose status in reference class ``lv``: alive, in it, and still of that level."""
        zs = model.zones
        return zs.alive & (ref == lv) & (zs.level == lv)

    def at_bottom(self, model: ZoneModel) -> np.ndarray:
        zs = model.zones
        ref = self._reference(model)
        out = np.zeros(zs.capacity, dtype=bool)
        score = np.nan_to_num(zs.score, nan=-np.inf)
        for lv in (NATIONAL, REGION):
            members = np.flatnonzero(zs.alive & (ref == lv))
            m = min(self._bottom_places(lv), max(members.size - 1, 0))
            if m <= 0:
                continue
            # rank within the reference class by score (ties to the lower slot, as the government ranks)
            order = members[np.lexsort((members, -score[members]))]
            last = order[-m:]
            out[last] = True
        return out & self._listed_any(model, ref)

    def _listed_any(self, model: ZoneModel, ref: np.ndarray) -> np.ndarray:
        return self._listed(model, ref, NATIONAL) | self._listed(model, ref, REGION)

    def count(self, n: int) -> np.ndarray:
        """Years at the bottom per zone slot: consecutive, or within the window."""
        if self.settings.window is not None:
            hist = np.array([pad(h.astype(float), n, 0.0) for h in self.history]) if self.history else np.zeros((0, n))
            return hist[-self.settings.window:].sum(axis=0)
        # the streak that reaches the latest evaluation, counted back from it (stops once no zone
        # is still in one): the same whole numbers as running through the history from the start
        run = np.zeros(n)
        streak = np.ones(n, dtype=bool)
        for h in reversed(self.history):
            streak &= pad(h, n, False)
            if not streak.any():
                break
            run += streak
        return run

    def _clear(self, slots: np.ndarray) -> None:
        for h in self.history:
            h[slots[slots < h.size]] = False

    def after_evaluation(self, model: ZoneModel) -> None:
        s, zs, fl = self.settings, model.zones, model.flows
        n = zs.capacity
        self.history.append(self.at_bottom(model))
        count = self.count(n)
        bottom = self.history[-1]
        due = np.flatnonzero(bottom & (count >= s.years))
        lose = due[np.lexsort((due, np.nan_to_num(zs.score[due], nan=-np.inf)))][: s.max_per_year]
        warn = bottom.copy()
        warn[lose] = False
        fl["warnings"][warn] += 1
        zs.mgmt_eff[warn] += s.warning_effort * (1.0 - zs.mgmt_eff[warn])
        year = model.start_year + model.steps
        for z in lose:
            old = int(zs.level[z])
            if old == NATIONAL:
                zs.level[z] = REGION
                zs.perks_lost[z] = s.perk_years
            else:
                zs.level[z] = DELISTED
                self.delisted_at[int(z)] = model.steps
            fl["demoted"][z] += 1
            self.events.append({"year": year, "zone": model.zone_ids[z], "event": "downgraded" if old == NATIONAL
                                else "delisted"})
        self._clear(np.asarray(lose, dtype=np.int64))
        if s.reapply:
            self._relist(model, year)
        self.at_once.append(int((zs.alive & (zs.level == DELISTED)).sum()))
        self._risk(model)

    def _relist(self, model: ZoneModel, year: int) -> None:
        zs = model.zones
        region = zs.alive & (zs.level == REGION)
        if not region.any():
            return
        bar = float(np.median(zs.score[region]))
        for z, since in list(self.delisted_at.items()):
            if zs.level[z] == DELISTED and model.steps - since >= self.settings.cooling_off and zs.score[z] >= bar:
                zs.level[z] = REGION
                model.flows["promoted"][z] += 1
                del self.delisted_at[z]
                self._clear(np.array([z]))
                self.events.append({"year": year, "zone": model.zone_ids[z], "event": "re-listed"})

    def _chances(self, model: ZoneModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per zone slot: chance of being at the bottom next year, its slope in the zone's score,
        and the years at the bottom still needed to lose status (0 for zones that cannot)."""
        s, zs = self.settings, model.zones
        n = zs.capacity
        ref = self._reference(model)
        noise = pad(model.committees.score_noise, n, model.params.committee_score_noise)
        score = zero_nan(zs.score)
        p = np.zeros(n)
        slope = np.zeros(n)
        need = np.zeros(n)
        count = self.count(n)
        for lv in (NATIONAL, REGION):
            members = np.flatnonzero(zs.alive & (ref == lv))
            m = min(self._bottom_places(lv), max(members.size - 1, 0))
            if m <= 0:
                continue
            listed = members[(zs.level[members] == lv)]
            order = members[np.lexsort((members, -score[members]))]
            # the score z must stay above: the m-th lowest of the others (``order`` without z). In
            # ``order`` that is place size - 1 - m when z is after it, else size - m (removing z
            # moves it up one). All listed zones at once: the functions act element by element
            # (norm_cdf by math.erfc per element, pmath's exp the same for any array length), so
            # each zone gets the numbers of a call for it alone.
            place = np.empty(members.size, dtype=np.int64)
            place[np.searchsorted(members, order)] = np.arange(members.size)  # members is ascending
            k = place[np.searchsorted(members, listed)]
            last = members.size - 1 - m
            cut = score[order[np.where(k > last, last, last + 1)]]
            sl, nl = score[listed], noise[listed]
            p[listed] = 1.0 - prob_above(sl, cut, nl)
            slope[listed] = rank_slope(sl, cut, nl)
            done = np.where(self.history[-1][listed], count[listed], 0.0) if self.history else np.zeros(listed.size)
            need[listed] = np.maximum(s.years - done, 1.0)
        return p, slope, need

    def _risk(self, model: ZoneModel) -> None:
        p, _, need = self._chances(model)
        model.zones.delisting_risk[:] = np.where(need > 0, pm.power(p, np.maximum(need, 1.0)), 0.0)

    def incentives(self, model: ZoneModel) -> dict[str, np.ndarray]:
        """CNY m per score point: loss x d P(lose status) / d score, P = p^need."""
        zs = model.zones
        p, slope, need = self._chances(model)
        dprob = np.where(need > 0, need * pm.power(p, np.maximum(need - 1.0, 0.0)) * slope, 0.0)
        loss = self.settings.loss_years * np.maximum(zs.budget, 0.0)
        return {"score": loss * dprob}

    def attractiveness(self, model: ZoneModel) -> np.ndarray | None:
        zs = model.zones
        return np.where(zs.level == DELISTED, -self.settings.attract_penalty, 0.0)

    def exit_multiplier(self, model: ZoneModel, slots: np.ndarray) -> np.ndarray | None:
        if self.settings.exit_multiplier == 1.0:
            return None
        # per zone, then gathered by firm: the same numbers as per firm, one pass over the firms
        per_zone = np.where(model.zones.level == DELISTED, self.settings.exit_multiplier, 1.0)
        return per_zone[model.firms.zone[slots]]

    def summary(self) -> dict[str, Any]:
        at_once = np.array(self.at_once) if self.at_once else np.zeros(1)
        return {"events": list(self.events), "most_delisted_at_once": int(at_once.max()),
                "years_with_k_delisted": {int(k): int((at_once == k).sum()) for k in np.unique(at_once)}}
