"""The firms of an existing county industrial park, outside the zone system until a lever brings
them in (``new_zones`` upgrades the park to a zone; ``park_integration`` merges it into, or has
it hosted by, an existing zone).

A park's firms exist before they join: their sectors, sizes, productivity draws, R&D shares and
ages are drawn when the lever is set up (year 0), from the ``park.*`` streams keyed by each
firm's permanent key (``PARK_FIRM``, the park id's key, k-th firm of the park), so they are the
same firms whatever the package does elsewhere and whenever they join. They are not simulated
before they join (the model covers the zone system only). When they join, their productivity is
set against the region's productivity in their sector at that moment (``productivity`` x the
employment-weighted geometric mean, times the firm's own draw), their land is the park's
developed land x ``OCCUPIED_SHARE`` split by employment and the sector's land intensity, and
they enter the pool as firms of the receiving zone (counted as arrivals of that year: they come
from outside the zone system, so firms(t) = firms(t-1) + entries - exits still holds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sim.core.keys import counted_keys
from sim.core.params import N_SECTORS, SECTORS
from sim.core.streams import name_key
from sim.core import pmath as pm

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel

PARK_FIRM = name_key("key.park_firm")
OCCUPIED_SHARE = 0.85  # share of a park's developed land its firms use (as the zones at the start, sim.model.initial)
SECTOR_LAND_INTENSITY = np.array([0.8, 0.9, 1.5, 1.2, 1.6])  # relative land per worker (as sim.model.initial)
TFP_SIGMA = 0.35  # dispersion of log productivity within a park (as sim.model.initial)
SIZE_SIGMA = 1.0  # dispersion of log employment of a park's firms (estimate: county parks, mostly small firms)
RD_SIGMA = 0.5  # dispersion of log R&D share (as sim.model.initial)


class ParkFirms(BaseModel):
    """The firms of an existing county park (county parks' statistics; estimates where marked)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    firms: int = Field(120, ge=1, le=100_000, description="firms in the park before it joins (estimate: "
                       "Guangxi county parks hold tens to a few hundred firms)")
    employees: float = Field(60.0, ge=1.0, le=100_000.0, description="mean employees per firm (estimate: "
                             "county parks' firms are small; the zones' mean is ~70)")
    sector_shares: tuple[float, float, float, float, float] = Field(
        (0.05, 0.05, 0.2, 0.2, 0.5), description="share of the park's firms by sector (" + ", ".join(SECTORS)
        + "; estimate: county parks are mostly traditional industry and materials)")
    productivity: float = Field(0.8, gt=0.0, le=5.0, description="productivity relative to the region's "
                                "firms of the same sector when the park joins (estimate: county parks lag "
                                "the zones; Hsieh & Klenow 2009 spread)")
    rd_share: float = Field(0.5, ge=0.0, le=10.0, description="R&D intensity relative to the sector's "
                            "(estimate: county parks' firms do less R&D)")

    @field_validator("sector_shares")
    @classmethod
    def _shares(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if any(x < 0 for x in v) or not 0.0 < sum(v) <= 1.0 + 1e-9:
            raise ValueError("sector shares must be >= 0 and sum to a value in (0, 1]")
        return v


class ParkPopulation:
    """The drawn firms of one park (year 0), ready to join a zone."""

    def __init__(self, model: ZoneModel, park_id: str, spec: ParkFirms) -> None:
        S = model.streams
        n = spec.firms
        self.keys = counted_keys(PARK_FIRM, None, np.array([name_key(park_id)], dtype=np.uint64),
                                 np.array([n]))
        shares = np.asarray(spec.sector_shares, dtype=float)
        cdf = np.cumsum(shares / shares.sum())[None, :]
        self.sector = S.choice("park.sector", 0, self.keys, cdf, np.zeros(n, dtype=np.int64)).astype(np.int64)
        z_size, z_tfp, z_rd = S.normal(("park.size", "park.tfp", "park.rd"), 0, self.keys)
        # lognormal sizes with the given mean: exp(mu + s z), mu = log(mean) - s^2 / 2
        self.employees = np.maximum(1.0, pm.exp(pm.log(spec.employees) - 0.5 * SIZE_SIGMA**2 + SIZE_SIGMA * z_size))
        self.z_tfp = z_tfp
        self.rd_share = model.sector_rd[self.sector] * spec.rd_share * pm.exp(-0.125 + RD_SIGMA * z_rd)
        self.age = S.geometric("park.age", 0, self.keys, 1.0 / 8.0)  # mean 8 years (as the zones' firms)
        self.spec = spec

    def join(self, model: ZoneModel, zone: int, land_developed: float) -> np.ndarray:
        """Add the park's firms to the pool as firms of zone slot ``zone``, on ``land_developed``
        km2 of the park's developed land. Returns their slots."""
        f = model.firms
        L = f.n
        emp = f.employees[:L]
        log_a = pm.log(np.maximum(f.tfp[:L], 1e-300)) * emp
        by_s = np.bincount(f.sector[:L], weights=log_a, minlength=N_SECTORS)
        w = np.bincount(f.sector[:L], weights=emp, minlength=N_SECTORS)
        region = log_a.sum() / max(emp.sum(), 1e-9) if L else 0.0
        mean_log = np.where(w > 0, by_s / np.maximum(w, 1e-9), region)
        tfp = self.spec.productivity * pm.exp(mean_log[self.sector] + TFP_SIGMA * self.z_tfp - 0.5 * TFP_SIGMA**2)
        lpw = SECTOR_LAND_INTENSITY[self.sector]
        weight = self.employees * lpw
        land = OCCUPIED_SHARE * land_developed * weight / weight.sum()
        capital = self.employees * model.sector_capital[self.sector]
        slots = f.add(self.keys.size, key=self.keys, zone=np.full(self.keys.size, zone, dtype=np.int64),
                      sector=self.sector, origin=np.zeros(self.keys.size, dtype=np.int8), employees=self.employees,
                      capital=capital, tfp=tfp, rd_share=self.rd_share, land=land, age=self.age,
                      knowledge=3.0 * self.rd_share * self.employees)  # ~3 years of R&D at CNY 1 m output a worker
        model.flows["arrivals"][zone] += self.keys.size  # from outside the zone system (module doc)
        return slots
