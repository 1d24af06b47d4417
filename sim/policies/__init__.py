"""The read-only registry of levers: name -> class. Adding a lever: one module + one line here.

The four levers named first (``funding_reward``, ``delisting``, ``hosting``,
``land_allocation``) and the other measures of the six areas of the 23 measures; see
``docs/levers.md`` for what each does, its lifecycle and its defaults.
"""

from __future__ import annotations

from types import MappingProxyType

from .base import Hooks, Lever, LeverSettings
from .delisting import Delisting
from .environment import FiscalAutonomy, GreenConstraint, ManagementReform, TechFinance
from .evaluation import ClassifiedEvaluation
from .funding_reward import FundingReward
from .hosting import Hosting
from .industry import CertificationSupport, Incubators
from .innovation import PlatformBuilding, TalentSubsidy, TechTransfer
from .land_allocation import LandAllocation
from .layout import NewZones, Promotion
from .openness import OutsideAttraction

_LEVERS: dict[str, type[Lever]] = {cls.name: cls for cls in (
    # the four named levers
    FundingReward, Delisting, Hosting, LandAllocation,
    # area 1 layout
    NewZones, Promotion,
    # area 2 innovation capability
    TalentSubsidy, PlatformBuilding, TechTransfer,
    # area 3 high-tech industry
    Incubators, CertificationSupport,
    # area 4 open innovation (hosting above)
    OutsideAttraction,
    # area 5 environment (land allocation above)
    ManagementReform, FiscalAutonomy, TechFinance, GreenConstraint,
    # area 6 organisation (rewards and delisting above)
    ClassifiedEvaluation,
)}

REGISTRY = MappingProxyType(_LEVERS)

__all__ = ["REGISTRY", "Hooks", "Lever", "LeverSettings"]
