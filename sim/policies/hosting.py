"""Hosting (area 4, 托管): a national zone takes over the management of region-level zones.

Lifecycle
---------
* ``setup``: pairs are fixed — named in the package (``pairs``), or chosen by ``rule``:
  ``nearest`` (each national zone takes the nearest free region-level zones within
  ``max_distance_km``, shortest pairs first) or ``complementary`` (highest sector-mix
  dissimilarity per distance). The hosted zone's ``hosted_by`` is set, and the firm moving cost
  between host and hosted is multiplied by ``move_cost_factor`` (one management, one
  investment service). The terms are told to the committees (``sim.agents.committee``): the
  host is credited ``host_share`` of the hosted zone's output when GDP is split
  (``evaluation: split``) and receives ``host_share`` x ``compliance`` of the tax it keeps; its
  committee then decides each year how much of its budget to spend in the hosted zone (starting
  from ``support_prior``), more the more of the hosted zone's results are credited to it.
* ``start_year``: the hosted zone's management efficiency closes ``convergence`` of its gap to the
  host's, times the host committee's effort towards it (its share of budget for the hosted zone
  over ``support_prior``, at most 3); knowledge spills over: the hosted zone's firms draw on
  ``spillover`` of the host's innovation platforms (the innovation rate uses the model's
  ``platform_effect`` on the combined platforms).
* ``share_tax``: of the tax the hosted zone keeps, the agreed ``host_share`` goes to the host,
  times ``compliance`` (the share of agreements honoured); the sum kept is unchanged.
* ``evaluation_stats``: with ``evaluation: split`` the hosted zone's output, value added and tax
  are counted ``host_share`` to the host in the evaluation (GDP statistics split by agreement);
  ``own`` leaves the statistics where they arise. The results table shows both accountings:
  ``output`` where it arises, ``output_credited`` by the agreed split.

Defaults: estimates; splits by agreement and their weak enforcement from the enclave-park rules
(发改地区〔2017〕922号, CALIBRATION.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sim.agents.zone import NATIONAL, REGION
from sim.core.errors import InputError
from sim.core.params import SECTORS
from sim.policies._common import Contribution, check_zone_ids
from sim.policies.base import Lever, LeverSettings
from sim.core import pmath as pm

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel


class Pair(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    host: str = Field(description="zone id of the hosting (national) zone")
    hosted: str = Field(description="zone id of the hosted zone")


class Hosting(Lever):
    """National zones manage neighbouring region-level zones: management, spillovers, tax split."""

    name = "hosting"
    area = 4
    title = "Hosting (托管) of region-level zones by national zones"
    intent = ("output", 1)

    class Settings(LeverSettings):
        pairs: tuple[Pair, ...] = Field((), description="host/hosted pairs; empty = chosen by rule")
        rule: Literal["nearest", "complementary"] = Field("nearest", description="how pairs are chosen when "
                                                          "none are named")
        per_host: int = Field(1, ge=1, le=20, description="zones each national zone hosts (by rule)")
        max_distance_km: float = Field(200.0, gt=0.0, le=5000.0, description="farthest hosted zone (by rule), km")
        convergence: float = Field(0.2, ge=0.0, le=1.0, description="share of the management-efficiency gap "
                                   "to the host closed per year (estimate)")
        spillover: float = Field(0.3, ge=0.0, le=1.0, description="share of the host's platforms the hosted "
                                 "zone's firms draw on (estimate)")
        move_cost_factor: float = Field(0.5, ge=0.0, le=1.0, description="factor on the firm moving cost "
                                        "between host and hosted (estimate)")
        host_share: float = Field(0.4, ge=0.0, le=1.0, description="agreed share of the hosted zone's kept "
                                  "tax (and, if split, its GDP) that goes to the host (estimate)")
        compliance: float = Field(0.7, ge=0.0, le=1.0, description="share of the agreed tax split actually "
                                  "paid (enclave splits are often not honoured, CALIBRATION.md; estimate)")
        evaluation: Literal["own", "split"] = Field("own", description="whether the evaluation (and the GDP "
                                                    "credited to each committee) counts output where it arises "
                                                    "or by the agreed split")
        support_prior: float = Field(0.05, ge=0.0, le=0.5, description="share of the host's budget its committee "
                                     "spends in the hosted zone when nothing favours more or less (estimate)")

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.pairs: list[tuple[int, int]] = []
        self.pair_ids: list[tuple[str, str]] = []
        self.innovation = Contribution("innovation_mult", "mul")
        self.shared = 0.0

    def setup(self, model: ZoneModel) -> None:
        s, zs = self.settings, model.zones
        if s.pairs:
            check_zone_ids(model, self.name, "pairs", [p.host for p in s.pairs] + [p.hosted for p in s.pairs],
                           words=False)
            ids = {z: i for i, z in enumerate(model.zone_ids)}
            self.pairs = [(ids[p.host], ids[p.hosted]) for p in s.pairs]
        else:
            self.pairs = self.choose(model)
        hosted = [b for _, b in self.pairs]
        if len(set(hosted)) != len(hosted) or any(a == b for a, b in self.pairs) or set(hosted) & {a for a, _ in self.pairs}:
            raise InputError("package", f"levers.{self.name}.pairs", "a zone may be hosted once, not host itself, "
                                                                     "and not host while hosted")
        self.pair_ids = [(model.zone_ids[a], model.zone_ids[b]) for a, b in self.pairs]
        for a, b in self.pairs:
            zs.hosted_by[b] = a
            model.move_cost[a, b] *= s.move_cost_factor
            model.move_cost[b, a] *= s.move_cost_factor
        gdp = s.host_share if s.evaluation == "split" else 0.0
        model.committees.set_hosting(self.pairs, gdp_credit=gdp, tax_credit=s.host_share * s.compliance,
                                     support_prior=s.support_prior)

    def choose(self, model: ZoneModel) -> list[tuple[int, int]]:
        """Pairs by rule: score every national x region-level pair, take the best greedily."""
        s, zs = self.settings, model.zones
        # a zone without a known location (located false) is never paired by distance
        hosts = np.flatnonzero(zs.alive & zs.located & (zs.level == NATIONAL))
        guests = np.flatnonzero(zs.alive & zs.located & (zs.level == REGION) & (zs.hosted_by < 0))
        d = model.distance[np.ix_(hosts, guests)]
        if s.rule == "nearest":
            merit = -d
        else:
            mix = self._sector_mix(model)
            a, b = mix[hosts], mix[guests]
            # the dot products as numpy's own sums, not BLAS (whose kernels differ from CPU to CPU)
            dots = np.multiply(a[:, None, :], b[None, :, :]).sum(axis=2)
            cos = dots / np.maximum(np.linalg.norm(a, axis=1)[:, None] * np.linalg.norm(b, axis=1)[None, :], 1e-12)
            merit = (1.0 - cos) / (1.0 + d / 100.0)
        merit = np.where(d <= s.max_distance_km, merit, -np.inf)
        taken: dict[int, int] = {}
        used: set[int] = set()
        pairs = []
        for flat in np.argsort(-merit, axis=None, kind="stable"):
            i, j = np.unravel_index(flat, merit.shape)
            if not np.isfinite(merit[i, j]) or guests[j] in used or taken.get(hosts[i], 0) >= s.per_host:
                continue
            pairs.append((int(hosts[i]), int(guests[j])))
            used.add(guests[j])
            taken[hosts[i]] = taken.get(hosts[i], 0) + 1
        return pairs

    @staticmethod
    def _sector_mix(model: ZoneModel) -> np.ndarray:
        f = model.firms
        i = model.live_firms()
        cell = f.zone[i] * len(SECTORS) + f.sector[i]
        emp = np.bincount(cell, weights=f.employees[i], minlength=model.n_zone_slots * len(SECTORS))
        return emp.reshape(model.n_zone_slots, len(SECTORS))

    def start_year(self, model: ZoneModel) -> None:
        s, zs, p = self.settings, model.zones, model.params
        mult = np.ones(zs.capacity)
        effort = self.effort(model)
        for a, b in self.pairs:
            gap = zs.mgmt_eff[a] - zs.mgmt_eff[b]
            if gap > 0:
                zs.mgmt_eff[b] += min(s.convergence * effort[a], 1.0) * gap
            own = 1.0 + p.platform_effect * pm.log1p(zs.platforms[b])
            joint = 1.0 + p.platform_effect * pm.log1p(zs.platforms[b] + s.spillover * zs.platforms[a])
            mult[b] = joint / own
        self.innovation.set(model, mult)

    def effort(self, model: ZoneModel) -> np.ndarray:
        """Host committees' effort towards their hosted zone relative to the neutral one (0..3)."""
        from sim.agents.committee import HOSTED

        shares = model.committees.shares[:, HOSTED]
        neutral = self.settings.support_prior
        return np.clip(shares / neutral, 0.0, 3.0) if neutral > 0 else np.ones(shares.size)

    def share_tax(self, model: ZoneModel) -> None:
        s, zs, fl = self.settings, model.zones, model.flows
        for a, b in self.pairs:
            moved = s.host_share * s.compliance * zs.tax_kept[b]
            zs.tax_kept[b] -= moved
            zs.tax_kept[a] += moved
            fl["tax_shared"][b] -= moved
            fl["tax_shared"][a] += moved
            self.shared += moved

    def evaluation_stats(self, model: ZoneModel, stats: dict[str, np.ndarray]) -> None:
        if self.settings.evaluation != "split":
            return
        for key in ("output", "value_added", "tax"):
            v = stats[key] = stats[key].copy()
            for a, b in self.pairs:
                moved = self.settings.host_share * v[b]
                v[b] -= moved
                v[a] += moved
        land = stats["land_developed"]
        stats["output_per_km2"] = np.divide(stats["output"], land, out=np.zeros_like(land), where=land > 0)

    def summary(self) -> dict[str, Any]:
        return {"pairs": [f"{a} hosts {b}" for a, b in self.pair_ids], "tax_shared_cny_m": self.shared}
