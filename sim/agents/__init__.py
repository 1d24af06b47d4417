"""Mesa agents of the model: zones, enterprises, talent cohorts (state in numpy pools)."""

from sim.agents.enterprise import Enterprise
from sim.agents.talent import Talent
from sim.agents.zone import Zone

__all__ = ["Enterprise", "Talent", "Zone"]
