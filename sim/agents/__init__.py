"""Mesa agents of the model: zones, enterprises, talent cohorts (state in numpy pools)."""

from .enterprise import Enterprise
from .talent import Talent
from .zone import Zone

__all__ = ["Enterprise", "Talent", "Zone"]
