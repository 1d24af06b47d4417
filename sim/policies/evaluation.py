"""Area 6, organisation (组织管理): classified evaluation. (Rewards and delisting, also area 6,
are ``funding_reward`` and ``delisting``.)

``classified_evaluation`` — ``setup``: national and region-level zones are judged separately
(they are always ranked within their class) and with their own indicator weights, through
``model.government.set_weights``; delisted zones are scored with the region-level weights. The
five indicators are innovation, structure, green, openness, quality (``sim.agents.government``).
Defaults: national weights from the 2021 national index (国科发火〔2021〕106号; first weight
official, rest UNVERIFIED); region-level weights an estimate that stresses innovation and
entrepreneurial activity over openness, as the measures ask of smaller zones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, field_validator

from sim.agents.zone import DELISTED, NATIONAL, REGION
from sim.core.params import check_weights
from sim.policies.base import Lever, LeverSettings

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel

Weights = tuple[float, float, float, float, float]


class ClassifiedEvaluation(Lever):
    name = "classified_evaluation"
    area = 6
    title = "Classified evaluation with per-class indicator weights"
    intent = ("output", 1)

    class Settings(LeverSettings):
        national_weights: Weights = Field((20.0, 20.0, 15.0, 15.0, 30.0), description="points for innovation, "
                                          "structure, green, openness, quality (2021 national index)")
        region_weights: Weights = Field((30.0, 20.0, 15.0, 10.0, 25.0), description="points for the same "
                                        "five indicators for region-level zones (estimate)")

        @field_validator("national_weights", "region_weights")
        @classmethod
        def _positive(cls, v: Weights) -> Weights:
            return check_weights(v)  # after pydantic's finite check (a NaN passes x < 0)

    def setup(self, model: ZoneModel) -> None:
        g = model.government
        g.set_weights(NATIONAL, self.settings.national_weights)
        g.set_weights(REGION, self.settings.region_weights)
        g.set_weights(DELISTED, self.settings.region_weights)
