"""Synthetic worlds of any size, for scaling studies and benchmarks.

``synthetic_world(zones, firms, people)`` builds a World whose zone table is drawn from a fixed
generator: zone sizes follow Zipf's law, each zone's output is proportional to its firms, land
and talent to its output, sector mixes and coordinates are random; figures per firm match the
Guangxi default (CNY 28 m output and ~5 skilled people per firm). Name it on the command line
as ``synthetic:ZONES,FIRMS,PEOPLE`` (e.g. ``zonesim run synthetic:120,100000,1000000``).
"""

from __future__ import annotations

import numpy as np

from sim.core.errors import InputError
from sim.core.params import SECTORS
from sim.scenario.world import World, ZoneRow, load_world, validate

OUTPUT_PER_FIRM_BN = 0.028  # CNY bn, as in the Guangxi table (1,030 / 36,500)


def synthetic_world(zones: int, firms: int, people: int, seed: int = 0, talent_scale: int | None = None) -> World:
    """A reproducible synthetic world (``seed`` fixes the table; model seeds are separate)."""
    if zones < 1 or firms < zones or people < 0:
        raise InputError(f"synthetic:{zones},{firms},{people}", None,
                         "need zones >= 1, firms >= zones and people >= 0")
    rng = np.random.default_rng(seed)
    weight = 1.0 / np.arange(1, zones + 1)  # Zipf across zones
    weight = rng.permutation(weight)
    n_firms = np.maximum(1, np.floor(firms * weight / weight.sum())).astype(int)
    n_firms[np.argmax(n_firms)] += firms - n_firms.sum()
    output = n_firms * OUTPUT_PER_FIRM_BN
    talent = people * n_firms / n_firms.sum()
    developed = np.maximum(output / 3.3, 0.5)  # ~CNY 3.3 bn per km2 as in Guangxi
    shares = rng.dirichlet(np.ones(len(SECTORS)), size=zones)
    rows = []
    for z in range(zones):
        data = {
            "id": f"z{z:04d}", "name": f"Synthetic zone {z}", "name_zh": f"合成园区{z}", "city": "synthetic",
            "level": "national" if z < max(1, zones // 4) else "region",
            "lon": float(rng.uniform(105.0, 112.0)), "lat": float(rng.uniform(21.0, 26.0)),
            "output_bn": float(output[z]), "firms": int(n_firms[z]),
            "hightech_firms": int(round(0.04 * n_firms[z])), "talent": float(talent[z]),
            "land_total_km2": float(developed[z] * 1.8), "land_developed_km2": float(developed[z]),
            "platforms": float(max(1.0, n_firms[z] / 200)), "amenity": float(rng.uniform(0.8, 1.3)),
            "housing_cost": float(rng.uniform(5.0, 12.0)), "mgmt_efficiency": float(rng.uniform(0.45, 0.75)),
            **{f"share_{s}": float(shares[z, k]) for k, s in enumerate(SECTORS)},
            "source": f"synthetic (seed {seed})",
        }
        rows.append(validate(ZoneRow, data, f"synthetic:{zones},{firms},{people}"))
    base = load_world("guangxi")
    w = World(f"synthetic-{zones}-{firms}-{people}", f"Synthetic world: {zones} zones, {firms:,} firms, "
              f"{people:,} skilled people", "合成世界", base.start_year, base.years, tuple(rows), base.params,
              f"synthetic:{zones},{firms},{people}", {})
    return w.with_params(talent_scale=talent_scale) if talent_scale else w


def parse(spec: str) -> World:
    """``synthetic:ZONES,FIRMS,PEOPLE[,TALENT_SCALE]`` -> World; one clear line if malformed."""
    try:
        parts = [int(x.replace("_", "")) for x in spec.split(":", 1)[1].split(",")]
        if len(parts) not in (3, 4):
            raise ValueError
    except (ValueError, IndexError):
        raise InputError(spec, None, "expected synthetic:ZONES,FIRMS,PEOPLE[,TALENT_SCALE] with whole numbers, "
                                     "e.g. synthetic:120,100000,1000000") from None
    return synthetic_world(*parts[:3], talent_scale=parts[3] if len(parts) == 4 else None)
