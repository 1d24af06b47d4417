"""Model parameters: typed, frozen, each with a unit and a source.

Every behavioural constant of the model lives here, once. A world file may override any of
them under ``params:``; unknown names are errors. ``docs/parameters.md`` is generated from this
module by ``python scripts/gen_param_docs.py`` (a test checks it is current).

Sources: "estimate" means a judgement documented in ``docs/ODD.md`` and constrained by the
calibration targets of ``CALIBRATION.md`` where possible; everything else names its origin.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SECTORS: tuple[str, ...] = (
    "electronics",
    "biomedicine",
    "new_materials",
    "advanced_manufacturing",
    "traditional",
)
N_SECTORS = len(SECTORS)

INDICATORS: tuple[str, ...] = (
    "innovation",  # innovation capability & entrepreneurial activity
    "structure",  # structure & industrial value chain
    "green",  # green development & liveability
    "openness",  # open innovation & international competitiveness
    "quality",  # overall quality & sustained innovation
)


def P(default: Any, unit: str, source: str, desc: str, **bounds: Any) -> Any:
    """A documented parameter: default, unit, source and description, plus pydantic bounds."""
    return Field(default, description=desc, json_schema_extra={"unit": unit, "source": source}, **bounds)


SectorTuple = tuple[float, float, float, float, float]

# The longest horizon a run may have (years). The firm dynamics are not bounded: region output
# grows ever faster (default world, 4 seeds: ~3,000 CNY bn at year 20, ~30,000 at 50, ~10^5 at
# 60, 10^7-10^8 at 80) until numpy's exp overflows or its Poisson sampler refuses the rate ("lam
# value too large"): measured at year 95-98 for guangxi-23, area2-innovation and talent-subsidy
# (seed 3) and after year 105 for the baseline. 50 years keeps four orders of magnitude from
# that; tests/test_horizon.py (slow) runs every bundled package to it and checks every outcome
# is finite. The CLI, world, study and package files and the dashboard refuse longer runs.
MAX_YEARS = 50
MAX_WEIGHT = 1_000.0              # points of one evaluation indicator
MAX_CAPITAL_PER_WORKER = 100.0    # CNY m per worker (the defaults are 0.5-0.8)


def check_weights(v: tuple[float, ...]) -> tuple[float, ...]:
    """Evaluation weights: each finite, in [0, MAX_WEIGHT], with a positive sum (the caller's
    schema has already refused NaN; checked here again because a NaN passes every comparison)."""
    if any(not math.isfinite(x) for x in v):
        raise ValueError("weights must be finite numbers")
    if any(not 0.0 <= x <= MAX_WEIGHT for x in v) or sum(v) <= 0.0:
        raise ValueError(f"weights must lie in [0, {MAX_WEIGHT:g}] with a positive sum")
    return v


class Params(BaseModel):
    """Behavioural parameters of the zone model (see docs/parameters.md for the table)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    # --- scale -------------------------------------------------------------------------
    talent_scale: int = P(50, "people per talent agent", "estimate (issue 2: 10-100)",
                          "How many skilled people one Talent agent (a cohort) stands for.", ge=1, le=10_000)

    # --- production ----------------------------------------------------------------------
    capital_elasticity: float = P(0.40, "1", "Bai, Hsieh & Qian 2006 (capital share in China ~0.5); estimate",
                                  "Output elasticity of capital.", ge=0.0, le=0.9)
    labour_elasticity: float = P(0.55, "1", "estimate (returns to scale 0.95)",
                                 "Output elasticity of employment.", ge=0.0, le=0.9)
    skill_effect: float = P(0.6, "1", "estimate",
                            "Output gain per unit of skilled share of a firm's workforce: effective labour is "
                            "n(1 + skill_effect * h/n).", ge=0.0, le=5.0)
    agglomeration_elasticity: float = P(0.07, "1 (log-log)", "Combes & Gobillon 2015; Lobo et al. 2013 "
                                        "(2-11% per doubling; 0.07 = 5% per doubling)",
                                        "Elasticity of productivity to employment in the firm's zone and sector "
                                        "(Marshall externality).", ge=0.0, le=0.3)
    urbanisation_elasticity: float = P(0.02, "1 (log-log)", "Combes & Gobillon 2015 (Jacobs effects smaller); estimate",
                                       "Elasticity of productivity to the zone's total employment.", ge=0.0, le=0.3)
    service_effect_max: float = P(0.10, "share of output", "estimate",
                                  "Largest productivity gain zone services can give (saturating).", ge=0.0, le=1.0)
    service_half_saturation: float = P(0.004, "yuan of services stock per yuan of output", "estimate",
                                       "Services stock per unit of zone output at which half the maximum "
                                       "service effect is reached (diminishing returns).", gt=0.0, le=1.0)
    value_added_ratio: SectorTuple = P((0.24, 0.30, 0.27, 0.26, 0.22), "share of output",
                                       "CALIBRATION.md: 2017 zones VA/output = 140.0/544.5 = 0.257; sector split estimate",
                                       "Value added per unit of output, by sector.")
    capital_per_worker: SectorTuple = P((0.5, 0.7, 0.8, 0.6, 0.5), "CNY m per worker", "estimate",
                                        "Capital a firm installs per employee at entry, by sector.")
    capital_user_cost: float = P(0.10, "1/yr", "estimate (depreciation 6% + interest 4%)",
                                 "Annual cost of capital per unit of capital.", ge=0.0, le=1.0)
    labour_share: float = P(0.40, "share of value added", "estimate (China labour share ~0.5)",
                            "Share of value added per worker paid as wages (sets zone wages).", ge=0.05, le=0.95)
    skill_wage_premium: float = P(0.8, "1", "estimate",
                                  "Wage premium of a skilled worker over the zone's average wage, per unit of skill.",
                                  ge=0.0, le=5.0)

    # --- firm growth and exit --------------------------------------------------------------
    growth_drift: float = P(0.01, "1/yr (log of the mean growth factor)", "estimate (fitted to the zones' output "
                            "growth)", "Expected growth of a firm's employment: E[n(t+1)/n(t)] = exp(growth_drift) "
                            "for every firm, whatever its volatility (the shock's own mean is taken out), before the "
                            "profit tilt.", ge=-0.5, le=0.5)
    growth_noise: float = P(0.20, "1/yr (log employment)", "Stanley et al. 1996; Amaral et al. 1997; estimate "
                            "(fitted)", "Standard deviation of the yearly log-employment shock of a firm of "
                            "size_reference employees; it falls with size (growth_noise_size_elasticity). The "
                            "shock is Laplace (tent-shaped).", ge=0.0, le=1.0)
    growth_noise_size_elasticity: float = P(0.18, "1 (log-log)", "Stanley et al. 1996, Nature 379 (0.15 +/- 0.03, "
                                            "sales); Amaral et al. 1997 (about 0.2)",
                                            "How fast growth volatility falls with size: sigma(n) = growth_noise "
                                            "(n / size_reference)^-elasticity.", ge=0.0, le=1.0)
    size_reference: float = P(10.0, "employees", "estimate (a small firm)",
                              "Firm size at which growth_noise and the exit hazards are stated.", gt=0.0, le=1e6)
    exit_size_elasticity: float = P(0.25, "1 (log-log)", "Evans 1987; Dunne, Roberts & Samuelson 1989 (exit "
                                    "falls with size); estimate",
                                    "How fast the exit hazard falls with size: hazard x (n / size_reference)"
                                    "^-elasticity.", ge=0.0, le=2.0)
    growth_profit_sensitivity: float = P(0.5, "1/yr per unit margin", "estimate",
                                         "How much the profit margin raises log employment growth.", ge=0.0, le=10.0)
    productivity_noise: float = P(0.05, "1/yr (log TFP)", "estimate", "Std of the yearly log-productivity shock.",
                                  ge=0.0, le=1.0)
    exit_base_hazard: float = P(0.035, "1/yr", "SAIC 2013 (6-9%/yr overall); estimate",
                                "Exit probability of a mature firm without losses.", ge=0.0, le=1.0)
    exit_young_hazard: float = P(0.06, "1/yr", "SAIC 2013 (half of exits under 5 years); estimate",
                                 "Extra exit probability of a new firm, decaying with age over young_age_scale.",
                                 ge=0.0, le=1.0)
    young_age_scale: float = P(3.0, "yr", "estimate", "Age scale of the young-firm extra hazard.", gt=0.0,
                            le=100.0)
    loss_years_to_exit: int = P(2, "yr", "estimate", "Consecutive loss years after which a firm may close.",
                                ge=1, le=50)
    loss_exit_probability: float = P(0.4, "1/yr", "estimate",
                                     "Exit probability per year of a firm with persistent losses.", ge=0.0, le=1.0)

    spinup_years: int = P(8, "yr", "issue 15; estimate (IP decays by 1/3 a year, certificates last 3 years, "
                          "loss runs 2-3 years: 8 years forget the drawn state)",
                          "Years the firm population runs under the baseline rules before the start year "
                          "(talent and zone finances held, zone totals re-anchored to the table), so the start "
                          "has no transients; 0 = start from the drawn state.", ge=0, le=100)

    # --- innovation --------------------------------------------------------------------------
    rd_intensity: SectorTuple = P((0.030, 0.045, 0.022, 0.020, 0.006), "share of revenue",
                                  "estimate (China industrial R&D intensities by industry)",
                                  "Mean R&D spending per unit of output, by sector.")
    knowledge_depreciation: float = P(0.15, "1/yr", "Hall, Mairesse & Mohnen 2010",
                                      "Depreciation of a firm's R&D knowledge stock.", ge=0.0, le=1.0)
    innovation_rate: float = P(0.03, "innovations per CNY m of knowledge per yr", "estimate",
                               "Poisson rate of innovations per unit of effective knowledge.", ge=0.0, le=10.0)
    knowledge_spillover: float = P(0.2, "1", "estimate",
                                   "Weight of the zone-sector mean knowledge in a firm's effective knowledge.",
                                   ge=0.0, le=5.0)
    innovation_step: float = P(0.03, "log TFP per log(1+innovations)", "estimate",
                               "Productivity gain from a year's innovations.", ge=0.0, le=1.0)
    innovation_catch_up: float = P(1.0, "1 (elasticity)", "Bloom, Jones, Van Reenen & Webb 2020, AER 110(4) "
                                   "(ideas are getting harder to find); estimate of the elasticity",
                                   "How much harder a firm ahead finds its next gain: the gain from a year's "
                                   "innovations is scaled by (mean TFP / the firm's TFP)^this (mean: the "
                                   "region's employment-weighted geometric mean). 0 = the same gain at any "
                                   "distance ahead, which lets the leaders' productivity run away (R&D grows "
                                   "with output, so innovations grow with productivity).", ge=0.0, le=5.0)
    platform_effect: float = P(0.10, "1 per log(1+platforms)", "estimate",
                               "Rise in the innovation rate per log of a zone's platforms.", ge=0.0, le=5.0)
    hightech_rd_threshold: float = P(0.03, "share of revenue",
                                     "Measures for certifying high-tech enterprises 2016, art. 11 (3-5%)",
                                     "R&D intensity a firm needs to qualify as a certified high-tech enterprise.",
                                     ge=0.0, le=1.0)
    certification_rate: float = P(0.30, "1/yr", "estimate",
                                  "Probability a qualifying firm applies for and obtains certification in a year.",
                                  ge=0.0, le=1.0)
    certification_years: int = P(3, "yr", "Measures for certifying high-tech enterprises 2016 (3-year validity)",
                                 "Years a certification lasts before the firm must requalify.", ge=1, le=20)

    # --- entry and relocation ------------------------------------------------------------------
    startup_rate: float = P(6.0, "start-ups per 1,000 talent per yr", "estimate (fitted to 6-9% entry)",
                            "Start-ups created by a zone's skilled people.", ge=0.0, le=1000.0)
    incubator_effect: float = P(0.15, "1 per log(1+platforms)", "estimate",
                                "Rise in the start-up rate per log of a zone's platforms (incubators).", ge=0.0, le=5.0)
    spinoff_rate: float = P(0.01, "1/yr per firm", "Yang & Ettema 2012; estimate",
                            "Spin-offs per incumbent firm with average knowledge.", ge=0.0, le=1.0)
    outside_arrivals: float = P(500.0, "firms/yr", "estimate",
                                "Firms per year arriving in Guangxi's zones from outside, split by attractiveness.",
                                ge=0.0, le=100_000.0)
    entrant_size_mean: float = P(8.0, "employees", "estimate", "Mean employment of a new firm.", gt=0.0,
                                 le=10_000.0)
    entrant_productivity: float = P(0.95, "ratio to zone-sector mean TFP", "estimate",
                                    "Relative productivity of entrants.", gt=0.0, le=5.0)
    relocation_rate: float = P(0.02, "1/yr", "estimate", "Share of firms that consider relocating each year.",
                               ge=0.0, le=1.0)
    relocation_cost: float = P(2.0, "utility", "estimate", "Fixed utility cost of moving a firm.", ge=0.0,
                               le=100.0)
    relocation_distance_cost: float = P(0.5, "utility per 100 km", "estimate",
                                        "Utility cost of moving a firm per 100 km.", ge=0.0, le=100.0)
    attract_output: float = P(0.5, "utility per log output", "JASSS 18(4)13 (2015); estimate",
                              "Weight of a zone's output (market, suppliers) in firm location choice.", ge=0.0,
                              le=100.0)
    attract_services: float = P(5.0, "utility per unit service effect", "estimate",
                                "Weight of zone services in firm location choice.", ge=0.0, le=100.0)
    attract_national: float = P(0.5, "utility", "Alder, Shao & Zilibotti 2016; estimate",
                                "Extra pull of a national-level zone.", ge=0.0, le=100.0)
    attract_land: float = P(1.0, "utility per log free land", "estimate",
                            "Weight of free developed land in firm location choice.", ge=0.0, le=100.0)

    # --- talent ---------------------------------------------------------------------------------
    graduate_rate: float = P(0.07, "1/yr of the region's talent stock", "estimate",
                             "New graduates entering Guangxi's zone labour market each year.", ge=0.0, le=1.0)
    retirement_rate: float = P(0.025, "1/yr", "estimate (40-year careers)",
                               "Share of talent cohorts leaving the labour force each year.", ge=0.0, le=1.0)
    reconsider_rate: float = P(0.15, "1/yr", "estimate",
                               "Share of settled talent that reconsiders where to live and work each year.",
                               ge=0.0, le=1.0)
    high_skill_threshold: float = P(1.3, "skill units", "estimate (gives ~22% high-skill at skill_sigma 0.5)",
                                    "Skill above which a person counts as high-level talent.", gt=0.0,
                                    le=100.0)
    skill_sigma: float = P(0.5, "log skill", "estimate", "Dispersion of skill (lognormal).", ge=0.0, le=3.0)
    beta_wage: float = P(2.5, "utility per log wage", "Diamond 2016; Huang, Xing & Cui 2022; estimate",
                         "Weight of log wage in the talent location logit.", ge=0.0, le=100.0)
    beta_amenity: float = P(0.5, "utility per amenity index unit", "Diamond 2016; estimate",
                            "Weight of amenity in the talent location logit.", ge=0.0, le=100.0)
    beta_housing: float = P(1.0, "utility per log housing cost", "Diamond 2016; estimate",
                            "Weight of log housing cost (a disutility) in the talent logit.", ge=0.0,
                            le=100.0)
    beta_subsidy: float = P(0.02, "utility per CNY k/yr", "estimate",
                            "Weight of talent subsidies in the talent logit.", ge=0.0, le=100.0)
    beta_home: float = P(1.5, "utility", "Huang, Xing & Cui 2022 (strong home preference); estimate",
                         "Extra utility of living in one's home zone.", ge=0.0, le=100.0)
    beta_unemployed: float = P(1.0, "utility", "estimate",
                               "Utility loss of being without a job in a zone where demand is short.", ge=0.0,
                               le=100.0)
    outside_wage_ratio: float = P(1.35, "ratio to Guangxi mean skilled wage", "estimate (Guangdong pull)",
                                  "Wage of the outside option (leaving Guangxi) relative to Guangxi's mean.",
                                  gt=0.0, le=1_000_000.0)
    outside_penalty: float = P(1.2, "utility", "estimate", "Utility cost of leaving Guangxi.", ge=0.0, le=100.0)
    outside_wage_growth: float = P(0.0, "1/yr", "estimate", "Growth of the outside wage relative to Guangxi's.",
                                   ge=-0.5, le=0.5)
    housing_elasticity: float = P(0.3, "1 (log-log)", "estimate",
                                  "Elasticity of a zone's housing cost to its talent head-count.", ge=0.0, le=3.0)
    skilled_share_demand: SectorTuple = P((0.22, 0.25, 0.18, 0.18, 0.08), "share of employees", "estimate",
                                          "Skilled share of employment a firm wants, by sector.")

    # --- zone finance and land -----------------------------------------------------------------------
    va_tax_rate: float = P(0.10, "share of value added", "estimate (VAT 13% less rebates)",
                           "Indirect taxes per unit of value added.", ge=0.0, le=1.0)
    income_tax_rate: float = P(0.25, "share of profit", "Enterprise Income Tax Law 2007 art. 4",
                               "Corporate income tax rate.", ge=0.0, le=1.0)
    hightech_income_tax_rate: float = P(0.15, "share of profit", "Enterprise Income Tax Law 2007 art. 28",
                                        "Income tax rate of certified high-tech enterprises.", ge=0.0, le=1.0)
    zone_tax_share: float = P(0.25, "share of tax raised", "estimate (fiscal retention)",
                              "Share of the tax raised in a zone that the zone keeps as budget.", ge=0.0, le=1.0)
    # The zone committee's status-quo budget split (sim/agents/committee.py): the shares it starts
    # from and returns to when no incentive favours one use (the logit's prior). Normalised to sum 1.
    spend_platforms: float = P(0.24, "share of budget", "estimate: the former fixed 30/50/20 split of "
                               "platforms/services/subsidies scaled to the 80% left after promotion and land",
                               "Status-quo (prior) budget share of innovation platforms.", ge=0.0, le=1.0)
    spend_services: float = P(0.40, "share of budget", "estimate (as spend_platforms)",
                              "Status-quo (prior) budget share of zone services.", ge=0.0, le=1.0)
    spend_subsidies: float = P(0.16, "share of budget", "estimate (as spend_platforms)",
                               "Status-quo (prior) budget share of talent recruitment (subsidies per head).",
                               ge=0.0, le=1.0)
    spend_promotion: float = P(0.10, "share of budget", "estimate: investment promotion (招商引资) as one of "
                               "five uses of about equal standing with land; no published split found",
                               "Status-quo (prior) budget share of investment promotion (arrivals, start-ups).",
                               ge=0.0, le=1.0)
    spend_land: float = P(0.10, "share of budget", "estimate (as spend_promotion)",
                          "Status-quo (prior) budget share of land development (serviced land beyond the "
                          "zone's base capacity).", ge=0.0, le=1.0)
    promotion_arrival_elasticity: float = P(0.5, "1 (log-log)", "estimate: doubling promotion spending raises "
                                            "a zone's pull on arriving firms by ~40%",
                                            "Elasticity of a zone's expected arrivals from outside to (CNY "
                                            "promotion_half + promotion spending), relative to the status-quo "
                                            "spending.", ge=0.0, le=5.0)
    promotion_startup_elasticity: float = P(0.1, "1 (log-log)", "estimate: start-up services matter less "
                                            "than talent and incubators for start-ups",
                                            "Elasticity of a zone's start-ups to (promotion_half + promotion "
                                            "spending), relative to the status-quo spending.", ge=0.0, le=5.0)
    promotion_half: float = P(10.0, "CNY m/yr", "estimate: the smallest zones' promotion budgets",
                              "Promotion spending at which returns start to diminish (offset in the "
                              "promotion elasticities).", gt=0.0, le=100_000.0)
    land_spend_elasticity: float = P(0.5, "1 (log-log)", "estimate: doubling land spending develops ~40% more "
                                     "land a year",
                                     "Elasticity of a zone's land development capacity to (land_half + land "
                                     "spending), relative to the status-quo spending.", ge=0.0, le=5.0)
    land_half: float = P(10.0, "CNY m/yr", "estimate (as promotion_half)",
                         "Land spending at which returns start to diminish.", gt=0.0, le=100_000.0)
    platform_cost: float = P(50.0, "CNY m per platform", "estimate", "Cost of building one innovation platform.",
                             gt=0.0, le=100_000.0)
    platform_depreciation: float = P(0.05, "1/yr", "estimate", "Share of platforms that lapse each year.",
                                     ge=0.0, le=1.0)
    services_depreciation: float = P(0.2, "1/yr", "estimate", "Depreciation of the zone services stock.",
                                     ge=0.0, le=1.0)
    land_quota: float = P(12.0, "km2/yr", "estimate", "New construction-land quota the region issues per year.",
                          ge=0.0, le=10_000.0)
    land_development_capacity: float = P(3.0, "km2/yr at management efficiency 1", "estimate",
                                         "Most land a zone can develop in a year.", ge=0.0,
                                         le=10_000.0)
    idle_land_buffer: float = P(0.05, "share of developed land", "estimate",
                                "Free developed land a zone keeps ready for growth; it asks for quota "
                                "to restore this buffer.", ge=0.0, le=1.0)

    # --- evaluation ---------------------------------------------------------------------------------
    indicator_weights: SectorTuple = P((20.0, 20.0, 15.0, 15.0, 30.0), "points",
                                       "国科发火〔2021〕106号 (first weight official, rest UNVERIFIED)",
                                       "Weights of the five first-level indicators: innovation, structure, green, "
                                       "openness, quality.")

    evaluation_years: int = P(3, "yr", "Jiangxi and the ETDZ downgrade rules look at 2-3 years (CALIBRATION.md); "
                              "estimate", "Years of statistics each evaluation indicator averages (flows and "
                              "ratios: mean of the last N years; output growth: trend over N years).",
                              ge=1, le=20)
    evaluation_clip: float = P(2.5, "standard deviations", "estimate: keeps one outlier from deciding a class",
                               "Indicators are standardised within their class (z-scores) and clipped at this "
                               "many standard deviations before being mapped to 0-100.", gt=0.0, le=10.0)

    # --- zone management committees (sim/agents/committee.py) -----------------------------------------
    committee_sensitivity: float = P(1.5, "1", "estimate: options worth twice the average use of money get "
                                     "e^1.5 = 4.5 times their prior weight (quantal response)",
                                     "How strongly a committee's budget shares follow the value of each use "
                                     "(logit scale on values relative to the prior allocation's value).",
                                     ge=0.0, le=20.0)
    committee_adjustment: float = P(0.5, "1/yr", "estimate: incremental budgeting (this year's budget "
                                    "follows last year's)", "Share of the gap to the logit allocation closed "
                                    "each year.", gt=0.0, le=1.0)
    committee_horizon: float = P(4.0, "yr", "estimate: a committee's leaders serve ~5-year terms",
                                 "Years of retained tax a committee counts when it values an output gain.",
                                 ge=0.0, le=50.0)
    committee_gdp_value: float = P(1.0, "share of budget per log point of credited output",
                                   "Li & Zhou 2005 (cadres promoted on GDP growth); estimate",
                                   "Career value of credited output: raising credited output by 1% is worth "
                                   "this share of 1% of the committee's budget.", ge=0.0, le=100.0)
    committee_score_value: float = P(0.02, "share of budget per score point",
                                     "estimate: published rankings carry reputational and career weight "
                                     "even without rewards", "Value of one evaluation score point to a "
                                     "committee before any reward, warning or promotion rule.", ge=0.0, le=10.0)
    committee_score_noise: float = P(3.0, "score points", "estimate; then learned from the zone's own scores",
                                     "A committee's first guess of the standard deviation of its yearly score "
                                     "change (it learns the actual one from past years).", gt=0.0, le=100.0)
    committee_output_elasticity: float = P(0.05, "log output per log budget", "estimate: the model's own response "
                                           "of a zone's output to doubling every use of its budget is a few per cent "
                                           "(saturating services, log platforms); 0.05 keeps the evaluation a "
                                           "secondary motive in the status quo (docs/ODD.md 7.10)",
                                           "A committee's belief: doubling every use of its budget raises its output "
                                           "by this many log points (split among uses by the status-quo shares).",
                                           ge=0.0, le=5.0)
    committee_half: float = P(10.0, "CNY m/yr", "estimate (as promotion_half)",
                              "Offset of services, platform and talent spending in a committee's log beliefs "
                              "(returns diminish above it).", gt=0.0, le=100_000.0)
    committee_memory: float = P(0.7, "1", "estimate (adaptive expectations)",
                                "Weight of the past in a committee's learned estimates (score and output "
                                "noise): estimate_t = memory x estimate_t-1 + (1 - memory) x this year's.",
                                ge=0.0, lt=1.0)

    # --- the national ranking (国家高新区综合排名) that national zones' rewards refer to -----------------
    national_zones: int = P(169, "zones", "CALIBRATION.md (169 national zones 2020-22; 178 in 2024)",
                            "Number of national high-tech zones in the national ranking.", ge=2, le=10_000)
    national_median_output_bn: float = P(130.0, "CNY bn/yr", "estimate: 55 of 114 national zones had revenue "
                                         "above CNY 100 bn in 2013 (Xinhua 2014-08-02, via a mirror; "
                                         "UNVERIFIED), grown to 2021 and lowered for the 55 newer, smaller zones",
                                         "Median output of the national zones in the start year (benchmark "
                                         "distribution, lognormal).", gt=0.0, le=1_000_000.0)
    national_output_sigma: float = P(1.07, "log", "2013: mean CNY 178 bn (20.3 trn / 114) vs median ~100 bn "
                                     "gives sqrt(2 ln 1.78) = 1.07 (Xinhua 2014-08-02; UNVERIFIED)",
                                     "Dispersion of log output across national zones (benchmark).", gt=0.0, le=5.0)
    national_output_growth: float = P(0.07, "1/yr", "estimate: national zones' revenue grew 8-11%/yr in "
                                      "total 2013-2019 while their number grew",
                                      "Yearly growth of the benchmark median output.", ge=-0.5, le=0.5)

    # --- the regional government's budget for zone measures (sim/agents/government.py) -------------------
    region_budget_share: float = P(0.15, "share of the zones' tax raised last year",
                                   "estimate: of the order of Guangxi's yearly science and technology spending "
                                   "(CNY ~5-10 bn) at the 2021 tax base",
                                   "The region's yearly budget for region-paid zone measures (rewards, "
                                   "subsidies, support, revenue forgone under fiscal autonomy) as a share of "
                                   "the tax raised in all zones last year; measures asking for more are "
                                   "funded pro rata.", ge=0.0, le=10.0)

    # Pydantic runs these after its own type check, which (allow_inf_nan=False) has already
    # refused NaN and inf: a NaN passes every comparison below unnoticed (NaN < 0 is False).
    @field_validator("value_added_ratio", "rd_intensity", "skilled_share_demand")
    @classmethod
    def _shares(cls, v: SectorTuple) -> SectorTuple:
        if any(not 0.0 <= x <= 1.0 for x in v):
            raise ValueError("each of the 5 sector values must lie in [0, 1]")
        return v

    @field_validator("capital_per_worker")
    @classmethod
    def _positive(cls, v: SectorTuple) -> SectorTuple:
        if any(not 0.0 < x <= MAX_CAPITAL_PER_WORKER for x in v):
            raise ValueError(f"each of the 5 sector values must be > 0 and <= {MAX_CAPITAL_PER_WORKER:g}")
        return v

    @field_validator("indicator_weights")
    @classmethod
    def _weights(cls, v: SectorTuple) -> SectorTuple:
        return check_weights(v)

    @model_validator(mode="after")
    def _spending(self) -> Params:
        total = self.spend_platforms + self.spend_services + self.spend_subsidies + self.spend_promotion + \
            self.spend_land
        if total <= 1e-9:
            raise ValueError("spend_platforms + spend_services + spend_subsidies + spend_promotion + spend_land "
                             "must be > 0 (the committee's prior shares; they are normalised to sum 1)")
        return self

    @property
    def prior_shares(self) -> tuple[float, float, float, float, float]:
        """The committee's status-quo budget shares, normalised to sum 1, in the order of
        ``sim.agents.committee.OPTIONS``: promotion, land, services, platforms, talent."""
        raw = (self.spend_promotion, self.spend_land, self.spend_services, self.spend_platforms,
               self.spend_subsidies)
        total = sum(raw)
        return tuple(x / total for x in raw)  # type: ignore[return-value]


def param_table() -> list[dict[str, Any]]:
    """One row per parameter: name, default, unit, source, description (for docs and reports)."""
    rows = []
    for name, field in Params.model_fields.items():
        extra = field.json_schema_extra or {}
        rows.append({"name": name, "default": field.default, "unit": extra.get("unit", ""),
                     "source": extra.get("source", ""), "description": field.description or ""})
    return rows
