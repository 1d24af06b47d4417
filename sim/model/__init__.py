"""The model: :class:`ZoneModel` composes the agents, the levers and the world into one year
plan; :mod:`sim.model.initial` builds the starting state from a world's zone table."""

from sim.model.zonemodel import (FLOW_NAMES, ZoneModel, region_firms, region_hightech, region_output,
                                 region_output_per_km2, region_talent)

__all__ = ["FLOW_NAMES", "ZoneModel", "region_firms", "region_hightech", "region_output",
           "region_output_per_km2", "region_talent"]
