"""The read-only registry of levers: name -> class. Adding a lever: one module + one line here.

The four levers named first (``funding_reward``, ``delisting``, ``hosting``,
``land_allocation``) and the other measures of the six areas of the 23 measures; see
``docs/levers.md`` for what each does, its lifecycle and its defaults.
"""

from __future__ import annotations

from types import MappingProxyType

from sim.policies.base import Hooks, Lever, LeverSettings
from sim.policies.clusters import IndustryClusters, IndustryUpgrading
from sim.policies.delisting import Delisting
from sim.policies.environment import (FiscalAutonomy, GreenConstraint, GreenDevelopment, ManagementReform,
                                      TechFinance)
from sim.policies.evaluation import ClassifiedEvaluation
from sim.policies.funding_reward import FundingReward
from sim.policies.governance import CityIndustry, DirectChannel, PerformancePay
from sim.policies.hosting import Hosting
from sim.policies.industry import CertificationSupport, Incubators
from sim.policies.innovation import HighLevelTalent, PlatformBuilding, TalentSubsidy, TechTransfer
from sim.policies.land_allocation import LandAllocation
from sim.policies.land_use import MuYield, ZoneExpansion
from sim.policies.layout import NewZones, ParkIntegration, Promotion
from sim.policies.openness import OutsideAttraction
from sim.policies.technology import KeyTechnology

_LEVERS: dict[str, type[Lever]] = {cls.name: cls for cls in (
    # the four named levers
    FundingReward, Delisting, Hosting, LandAllocation,
    # area 1 layout
    NewZones, Promotion,
    # area 2 innovation capability
    HighLevelTalent, TalentSubsidy, PlatformBuilding, TechTransfer, KeyTechnology,
    # area 3 high-tech industry
    Incubators, CertificationSupport, IndustryClusters, IndustryUpgrading,
    # area 4 open innovation (hosting above)
    OutsideAttraction, ParkIntegration,
    # area 5 environment (land allocation above)
    ManagementReform, PerformancePay, DirectChannel, FiscalAutonomy, TechFinance, CityIndustry, GreenDevelopment,
    GreenConstraint, MuYield, ZoneExpansion,
    # area 6 organisation (rewards and delisting above)
    ClassifiedEvaluation,
)}

REGISTRY = MappingProxyType(_LEVERS)

__all__ = ["REGISTRY", "Hooks", "Lever", "LeverSettings"]
