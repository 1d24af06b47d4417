"""Every word a person reads, in English and Chinese: one table, one lookup.

``tr(key, lang, **fields)`` gives the text of ``key`` in ``lang`` ("en" or "zh"), formatted
with ``fields``. ``TEXT`` holds every string of the charts, summaries and reports; outcome
names and their display units come from ``OUTCOME_NAMES`` and ``UNITS`` (the model's outcome
declarations, ``sim.outcomes.metrics``, stay the source of truth for meaning and unit).

Units follow the reader: English money is in CNY bn; Chinese money in 亿元 (and 万亿元 in
sentences), the units official documents use, so a Chinese chart's values are scaled by
``display(outcome, "zh").scale`` (10 亿元 per CNY bn, ``sim.core.units``). Shares are shown in
per cent.

Names are looked up, never shown as slugs: zones, packages, levers and areas all come with a
Chinese and an English name (``zone_name``, ``package_title``, ``lever_name``, ``area_name``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.core.units import YI_PER_BN
from sim.outcomes.metrics import BY_NAME, REGION_OUTCOMES

LANGS = ("en", "zh")

# ------------------------------------------------------------------------------------------
# outcomes: names (without unit) and display units
# ------------------------------------------------------------------------------------------
OUTCOME_NAMES: dict[str, tuple[str, str]] = {
    "output": ("output", "总产出"), "value_added": ("value added", "增加值"), "firms": ("firms", "企业数"),
    "hightech_firms": ("high-tech firms", "高新技术企业数"), "entries": ("new firms", "新进入企业"),
    "startups": ("start-ups", "新创企业"), "spinoffs": ("spin-offs", "衍生企业"),
    "arrivals": ("arrivals from outside", "区外迁入企业"), "exits": ("exits", "退出企业"),
    "entries_blocked": ("entries blocked for lack of land", "因缺地未能落户企业"),
    "moves_in": ("firms moving in", "区内迁入企业"), "moves_out": ("firms moving out", "迁出企业"),
    "employees": ("employees", "从业人员"), "talent": ("skilled talent", "人才"),
    "high_skill": ("high-level talent", "高层次人才"), "high_skill_share": ("high-level talent share", "高层次人才占比"),
    "talent_inflow": ("talent inflow", "人才流入"), "talent_outflow": ("talent outflow", "人才流出"),
    "rd": ("R&D spending", "研发投入"), "rd_intensity": ("R&D intensity", "研发强度"),
    "innovations": ("innovations", "创新成果"), "land_total": ("planned area", "规划面积"),
    "land_developed": ("developed land", "已开发土地"), "land_available": ("undeveloped land", "未开发土地"),
    "land_occupied": ("land used by firms", "企业用地"), "land_allotted": ("land quota allotted", "新增建设用地指标"),
    "output_per_km2": ("output per km²", "地均产出"), "tax": ("tax", "税收"), "tax_kept": ("tax kept by zones", "园区留存税收"),
    "transfers": ("transfers to zones", "奖补资金"), "budget": ("zone budgets", "园区预算"),
    "platforms": ("innovation platforms", "创新平台"), "mgmt_eff": ("management efficiency", "管理效率"),
    "score": ("evaluation score", "评价得分"), "rank": ("rank within class", "类内排名"),
    "level": ("level code", "级别代码"), "hosted_by": ("hosting zone", "托管园区"),
    "rewards": ("evaluation rewards", "评价奖励资金"), "region_support": ("region's direct support", "自治区直接扶持支出"),
    "warnings": ("warnings", "约谈次数"), "promoted": ("promotions", "升级、新设或恢复"),
    "demoted": ("downgrades or delistings", "降级或摘牌"), "tax_shared": ("tax shared under hosting", "托管分成税收"),
    "land_reclaimed": ("idle land reclaimed", "收回闲置用地"),
    "region_talent_inflow": ("talent entering from outside", "区外人才流入"),
    "region_talent_outflow": ("talent leaving or retiring", "人才流出区外或退休"),
    "land_quota_issued": ("land quota issued", "下达建设用地指标"),
    "output_cv": ("spread of output between zones (CV)", "园区间产出差距（变异系数）"),
    "public_money": ("public money to zones", "财政奖补总额"),
    # zone committees, the regional budget and the evaluation (issue 16)
    "share_promotion": ("budget share: investment promotion", "预算占比：招商引资"),
    "share_land": ("budget share: land development", "预算占比：土地开发"),
    "share_services": ("budget share: zone services", "预算占比：园区服务"),
    "share_platforms": ("budget share: innovation platforms", "预算占比：创新平台"),
    "share_talent": ("budget share: talent recruitment", "预算占比：人才引进"),
    "share_hosted": ("budget share: the hosted zone", "预算占比：托管园区"),
    "score_value": ("value of one evaluation point", "评价每分价值"),
    "evaluation_motive": ("weight of the evaluation in spending", "评价考核在支出决策中的权重"),
    "host_support": ("host support", "托管支持资金"),
    "output_credited": ("output credited (GDP split)", "统计核算产出（GDP分成）"),
    "national_place": ("place among national zones", "国家高新区排名位次"),
    "delisting_risk": ("delisting risk", "摘牌风险"),
    "region_budget": ("regional budget for zone measures", "自治区园区政策预算"),
    "region_committed": ("cost of the measures as planned", "政策措施计划支出"),
    "budget_funded_share": ("share of the plans funded", "预算保障比例"),
    "region_revenue": ("regional tax revenue from zones", "自治区来自园区的税收"),
    "region_net_fiscal": ("net fiscal balance of the region", "自治区财政净收支"),
    "delisted_zones": ("zones delisted", "被摘牌园区数"),
}

# model unit (sim.outcomes.metrics) -> (kind, English unit, Chinese unit, display scale en, zh)
UNITS: dict[str, tuple[str, str, str, float, float]] = {
    "CNY bn/yr": ("money", "CNY bn/yr", "亿元/年", 1.0, YI_PER_BN),
    "CNY bn per km2": ("money", "CNY bn/km²", "亿元/平方公里", 1.0, YI_PER_BN),
    "firms": ("count", "firms", "家", 1.0, 1.0), "firms/yr": ("count", "firms/yr", "家/年", 1.0, 1.0),
    "people": ("count", "people", "人", 1.0, 1.0), "people/yr": ("count", "people/yr", "人/年", 1.0, 1.0),
    "count": ("count", "", "个", 1.0, 1.0), "count/yr": ("count", "per yr", "次/年", 1.0, 1.0),
    "share": ("share", "%", "%", 100.0, 100.0), "share of output": ("share", "% of output", "占产出%", 100.0, 100.0),
    "km2": ("number", "km²", "平方公里", 1.0, 1.0), "km2/yr": ("number", "km²/yr", "平方公里/年", 1.0, 1.0),
    "0..1": ("number", "0–1", "0–1", 1.0, 1.0), "0..100": ("number", "0–100", "0–100", 1.0, 1.0),
    "1 = best": ("rank", "1 = best", "1=最好", 1.0, 1.0), "1": ("number", "", "", 1.0, 1.0),
    "code": ("number", "code", "代码", 1.0, 1.0), "zone slot": ("number", "slot", "序号", 1.0, 1.0),
    "share of budget": ("share", "% of budget", "占预算%", 100.0, 100.0),
    "CNY m per point": ("number", "CNY m per point", "百万元/分", 1.0, 1.0),
    "place": ("rank", "place", "位", 1.0, 1.0), "zones": ("count", "zones", "个", 1.0, 1.0),
}
# Counts whose Chinese unit is not the generic one
_ZH_UNIT = {"innovations": "项/年", "platforms": "个"}


@dataclass(frozen=True)
class Display:
    """How an outcome is shown: its name, unit text, the factor from the table's unit to the
    shown one, and its kind (money, count, share, rank, number)."""

    name: str
    unit: str
    scale: float
    kind: str
    model_unit: str = ""

    @property
    def label(self) -> str:
        return self.name + (f" ({self.unit})" if self.unit else "")

    def label_in(self, lang: str) -> str:
        if lang == "zh":
            return self.name + (f"（{self.unit}）" if self.unit else "")
        return self.label


def _outcome(name: str) -> Any:
    return BY_NAME.get(name) or next((r for r in REGION_OUTCOMES if r.name == name), None)


def display(outcome: str, lang: str = "en") -> Display:
    """The display name, unit, scale and kind of an outcome in ``lang``."""
    zh = lang == "zh"
    o = _outcome(outcome)
    en_name, zh_name = OUTCOME_NAMES.get(outcome, (outcome.replace("_", " "), outcome.replace("_", " ")))
    if o is None:
        return Display(zh_name if zh else en_name, "", 1.0, "number")
    kind, en_u, zh_u, s_en, s_zh = UNITS.get(o.unit, ("number", o.unit, o.unit, 1.0, 1.0))
    unit = (_ZH_UNIT.get(outcome, zh_u) if zh else en_u)
    return Display(zh_name if zh else en_name, unit, s_zh if zh else s_en, kind, o.unit)


def label(key: str, lang: str = "en") -> str:
    """Human label of an outcome (with its unit), a level or any key of ``TEXT``."""
    if key in TEXT:
        return tr(key, lang)
    if key in OUTCOME_NAMES or _outcome(key) is not None:
        return display(key, lang).label_in(lang)
    return key.replace("_", " ")


def name_of(outcome: str, lang: str = "en") -> str:
    """An outcome's name without unit."""
    return display(outcome, lang).name


# ------------------------------------------------------------------------------------------
# names of things: zones, packages, levers, areas, kinds
# ------------------------------------------------------------------------------------------
LEVERS: dict[str, tuple[str, str]] = {
    "funding_reward": ("funding rewards", "财政奖励"), "delisting": ("delisting", "摘牌退出"),
    "hosting": ("hosting", "托管"), "land_allocation": ("land quota allocation", "用地指标分配"),
    "new_zones": ("new zones", "新设园区"), "promotion": ("promotion to national", "升级为国家级"),
    "talent_subsidy": ("talent subsidies", "人才补贴"), "platform_building": ("platform co-funding", "平台共建"),
    "tech_transfer": ("technology transfer", "成果转化"), "incubators": ("incubators", "孵化器"),
    "certification_support": ("high-tech certification support", "高企认定扶持"),
    "outside_attraction": ("attracting firms from outside", "区外招商"),
    "management_reform": ("management reform", "管理体制改革"), "fiscal_autonomy": ("fiscal autonomy", "财政自主"),
    "tech_finance": ("technology finance", "科技金融"), "green_constraint": ("green constraint", "绿色约束"),
    "classified_evaluation": ("classified evaluation", "分类评价"),
    "green_development": ("green development", "绿色发展"), "high_level_talent": ("high-level talent", "高层次人才"),
    "mu_yield": ("yield per mu: firm classes and prices", "亩均效益评价"),
    "zone_expansion": ("zone boundary expansion", "扩区"),
    "park_integration": ("integration or hosting of industrial parks", "整合托管工业园区"),
    "key_technology": ("key and core technology programmes", "关键核心技术攻关"),
    "industry_clusters": ("industry clusters and emerging industries", "产业集聚与战略性新兴产业"),
    "industry_upgrading": ("upgrading of traditional industries", "产业优化升级"),
    "performance_pay": ("post-based management and performance pay", "岗位管理与绩效工资"),
    "direct_channel": ("direct channel and one-matter-one-decision", "直通车与一事一议"),
    "city_industry": ("city-industry integration", "产城融合"),
}
AREAS: dict[int, tuple[str, str]] = {1: ("layout", "优化布局"), 2: ("innovation", "创新能力"),
                                     3: ("high-tech industry", "高新技术产业"), 4: ("open innovation", "开放创新"),
                                     5: ("environment", "发展环境"), 6: ("organisation", "组织管理")}


def lever_name(name: str, lang: str = "en") -> str:
    en, zh = LEVERS.get(name, (name.replace("_", " "), name.replace("_", " ")))
    return zh if lang == "zh" else en


def area_name(area: int, lang: str = "en") -> str:
    en, zh = AREAS.get(area, (str(area), str(area)))
    return f"{area} {zh if lang == 'zh' else en}"


def player_name(player: str, lang: str = "en") -> str:
    """An attribution player: ``areaN`` or a lever name, or several joined by '+'."""
    parts = []
    for p in player.split("+"):
        if p.startswith("area") and p[4:].isdigit():
            parts.append(area_name(int(p[4:]), lang))
        elif p == "none":
            parts.append(tr("baseline", lang))
        else:
            parts.append(lever_name(p, lang))
    return " + ".join(parts)


# the levers' settings and their options, named for the dashboard's controls
# (sim.present.dashboard.labels) and for a study's factors (factor_name, factor_value) alike
# path -> (English name, Chinese name, English unit, Chinese unit, Chinese help)
SETTINGS: dict[str, tuple[str, str, str, str, str]] = {
    "funding_reward.budget": ("Reward budget", "奖励资金总额", "CNY m/yr", "百万元/年", "每年用于评价奖励的资金"),
    "funding_reward.tiers": ("Reward tiers", "奖励档次", "", "", "按顺序发放的奖励档次"),
    "funding_reward.tiers.level": ("Class ranked", "排名范围", "", "", "该档次在哪一类高新区中排名"),
    "funding_reward.tiers.rule": ("Who wins", "获奖规则", "", "", "top：类内前几名；improved：得分进步最大的几家"),
    "funding_reward.tiers.count": ("Winners", "获奖名额", "zones/yr", "家/年", "每年获奖的高新区数"),
    "funding_reward.tiers.amount": ("Reward amount", "奖励金额", "CNY m per winner", "百万元/家", "每家获奖高新区每年的奖励"),
    "funding_reward.leftover": ("Unpaid money", "未发放资金", "", "", "carry：结转下年；return：退回财政"),
    "funding_reward.max_reserve": ("Reserve cap", "结转上限", "CNY m", "百万元", "结转资金的上限，超出部分退回"),
    "funding_reward.use": ("Use of rewards", "奖励用途", "", "", "budget：并入园区预算；platforms：专用于平台建设"),
    "delisting.bottom_region": ("Bottom places (region-level)", "末位名次（自治区级）", "places", "名",
                                "自治区级高新区排名末尾计入的名次数（广西2010年规定：末两名）"),
    "delisting.bottom_national": ("Bottom places (national)", "末位名次（国家级）", "places", "名",
                                  "国家级高新区排名末尾计入的名次数；0=国家级不降级"),
    "delisting.years": ("Years at the bottom", "末位年数", "years", "年", "排名末位多少年即失去资格（广西2010年：连续两年）"),
    "delisting.window": ("Counting window", "统计窗口", "years", "年", "在最近几次评价中累计末位年数；关闭=须连续"),
    "delisting.warning_effort": ("Effort after a warning", "约谈后的整改力度", "share of gap", "差距比例",
                                 "被约谈园区的管理效率向1提升的差距比例（估计值）"),
    "delisting.perk_years": ("Years without perks", "取消优惠年数", "years", "年", "降级的国家级高新区失去优惠政策的年数"),
    "delisting.attract_penalty": ("Loss of attraction", "吸引力损失", "utility", "效用", "被撤销园区对企业吸引力的下降（估计值）"),
    "delisting.exit_multiplier": ("Exit hazard factor", "企业退出风险倍数", "×", "倍", "被撤销园区企业退出风险的倍数（估计值）"),
    "delisting.cooling_off": ("Cooling-off period", "重新申请等待期", "years", "年", "被撤销后多少年方可重新申请"),
    "delisting.reapply": ("Re-listing allowed", "允许恢复", "", "", "等待期满且得分达到自治区级中位数后恢复为自治区级"),
    "hosting.pairs": ("Host and hosted zones", "托管关系", "", "", "指定托管园区与被托管园区；不选=按规则自动配对"),
    "hosting.pairs.host": ("Host zone", "托管方", "", "", "托管方（国家级高新区）"),
    "hosting.pairs.hosted": ("Hosted zone", "被托管园区", "", "", "被托管的园区"),
    "hosting.rule": ("Pairing rule", "配对规则", "", "", "nearest：就近托管；complementary：产业互补优先"),
    "hosting.per_host": ("Zones per host", "每家托管数量", "zones", "家", "每个国家级高新区托管的园区数（按规则配对时）"),
    "hosting.max_distance_km": ("Farthest hosted zone", "最远托管距离", "km", "公里", "按规则配对时的最远距离"),
    "hosting.convergence": ("Management catch-up", "管理水平追赶速度", "share/yr", "比例/年", "被托管园区每年缩小与托管方管理效率差距的比例（估计值）"),
    "hosting.spillover": ("Knowledge spillover", "知识溢出", "share", "比例", "被托管园区企业可利用托管方创新平台的比例（估计值）"),
    "hosting.move_cost_factor": ("Moving-cost factor", "迁移成本系数", "×", "倍", "托管双方之间企业迁移成本的倍数（估计值）"),
    "hosting.host_share": ("Host's share of tax", "托管方税收分成", "share", "比例", "被托管园区留存税收中归托管方的约定比例（估计值）"),
    "hosting.compliance": ("Split honoured", "分成兑现率", "share", "比例", "约定分成实际兑现的比例（估计值）"),
    "hosting.evaluation": ("GDP counted", "GDP统计口径", "", "", "own：按发生地统计；split：按约定比例分计"),
    "land_allocation.rule": ("Allocation rule", "分配规则", "", "", "equal：平均；demand：按需求；output_per_land：按地均产出；rank：按排名"),
    "land_allocation.sharpness": ("Sharpness", "集中程度", "exponent", "指数", "按地均产出分配时的指数：0=平均，越大越向用地效率高的园区集中"),
    "land_allocation.cap_to_demand": ("Cap at demand", "不超过需求", "", "", "任何园区获得的指标不超过其需求"),
    "land_allocation.reclaim_share": ("Idle land reclaimed", "闲置土地收回比例", "share/yr", "比例/年", "每年收回闲置用地的比例（估计值）"),
    "land_allocation.reclaim_developed": ("Also developed land", "含已开发土地", "", "", "同时收回超出闲置缓冲的已开发土地"),
    "land_allocation.suspended_weight": ("Weight without perks", "失去优惠园区权重", "×", "倍", "被撤销或暂停园区的用地权重系数（估计值）"),
    "land_allocation.unplaced": ("Unplaced quota", "未分配指标", "", "", "carry：结转下年；return：退回"),
    "land_allocation.quota": ("Yearly land quota", "年度用地指标", "km2/yr", "平方公里/年",
                              "每年下达的新增用地指标；关闭=按各园区需求合计下达（与现状相同）"),
    "high_level_talent.grant": ("Settling-in grant", "安家补贴", "CNY k per person", "千元/人",
                                "新引进的高层次人才到目标园区时一次性发放（估计值：广西分层次安家补贴）"),
    "high_level_talent.support": ("Yearly support", "年度支持经费", "CNY k/yr per person", "千元/人/年",
                                  "在支持年限内每年给予的生活补贴和科研启动经费（估计值）"),
    "high_level_talent.support_years": ("Years supported", "支持年限", "years", "年", "新引进人才获得支持的年数（估计值：3–5年）"),
    "high_level_talent.min_skill": ("Skill threshold", "人才层次门槛", "skill units", "技能单位", "达到该技能水平才算高层次人才"),
    "tech_transfer.cost_per_zone": ("Cost per zone", "每园区经费", "CNY m/yr", "百万元/年",
                                    "技术转移中心、技术经纪人和成果转化奖励的年度费用（估计值）"),
    "management_reform.cost_per_zone": ("Cost per zone", "每园区经费", "CNY m/yr", "百万元/年",
                                        "绩效工资资金和改革运行费用（估计值）"),
    "tech_finance.loan_ratio": ("Loan size", "贷款规模", "share of output", "占产值比例", "贷款占企业年产值的比例，形成资本（估计值）"),
    "tech_finance.interest_subsidy": ("Interest subsidy", "贴息比例", "share/yr", "比例/年", "贷款期内财政每年补贴的利息占贷款余额比例（估计值）"),
    "tech_finance.risk_share": ("Risk compensation", "风险补偿比例", "share of loan", "占贷款比例", "风险补偿资金池为每笔新贷款承担的违约损失比例（估计值）"),
    "tech_finance.term": ("Loan term", "贷款期限", "years", "年", "贷款年限；到期后企业方可再次申请"),
    "tech_finance.min_margin": ("Viability threshold", "经营门槛", "share", "比例", "上年利润率高于该值的企业才可获得贷款（估计值）"),
    "green_development.budget": ("Budget", "年度资金", "CNY m/yr", "百万元/年", "自治区每年用于企业节能改造补助的资金（估计值）"),
    "green_development.subsidy_share": ("Subsidy share", "补助比例", "share", "比例", "改造投资中由财政补助的比例（估计值：20–30%）"),
    "green_development.investment": ("Upgrade investment", "改造投资强度", "CNY per CNY of output", "元/元产值", "每元年产值所需的改造投资（估计值）"),
    "green_development.saving": ("Energy saved", "节能比例", "share", "比例", "一次改造节约的企业能耗比例（估计值：10–20%）"),
    "green_development.energy_price": ("Energy price", "能源价格", "CNY per tce", "元/吨标煤", "节约的能源费用按此价格提高企业效率（估计值）"),
    "new_zones.parks": ("Parks upgraded", "升级的县域园区", "", "", "选择要升级为自治区级高新区的县域园区"),
    "promotion.top": ("Qualifying ranks", "达标名次", "places", "名", "自治区级高新区中排名前几名符合条件"),
    "promotion.years": ("Qualifying years", "连续达标年数", "years", "年", "需要连续达标的年数（估计值）"),
    "promotion.min_output_bn": ("Minimum output", "最低总产出", "CNY bn/yr", "十亿元/年", "升级所需的最低总产出（估计值）"),
    "promotion.min_hightech_firms": ("Minimum high-tech firms", "最少高新技术企业", "firms", "家", "升级所需的高新技术企业数（估计值）"),
    "promotion.max_national": ("Cap on national zones", "国家级数量上限", "zones", "家", "国家级高新区数量上限；关闭=不设上限"),
    "promotion.min_gap": ("Years between promotions", "两次升级间隔", "years", "年", "国务院分批审批，两次升级之间的年数（估计值）"),
    "talent_subsidy.amount": ("Subsidy amount", "补贴金额", "CNY k per person/yr", "千元/人·年",
                              "每名人才每年的补贴（估计值：广西城市毕业生住房和生活补贴约1–3万元）"),
    "platform_building.budget": ("Co-funding budget", "共建资金", "CNY m/yr", "百万元/年", "自治区每年共建创新平台的资金"),
    "platform_building.split": ("How it is split", "分配方式", "", "", "equal：平均；output：按产出；need：按需要"),
    "tech_transfer.gain": ("Rise in innovation rate", "创新率提高", "share", "比例", "成果转化带来的创新率提高（估计值）"),
    "incubators.gain": ("Rise in start-up rate", "创业率提高", "share", "比例", "孵化器带来的新创企业比例提高（估计值）"),
    "incubators.cost_per_startup": ("Cost per start-up", "每家新创企业支出", "CNY m", "百万元", "自治区对每家新创企业的扶持（估计值）"),
    "certification_support.gain": ("Rise in certification chance", "认定概率提高", "share", "比例", "符合条件企业每年通过认定概率的提高（估计值）"),
    "certification_support.award": ("Award per certified firm", "每家认定奖励", "CNY m", "百万元", "每家首次认定企业的奖励（估计值：0.1–0.3百万元）"),
    "outside_attraction.gain": ("Rise in arrivals", "迁入企业增加", "share", "比例", "区外企业迁入预期的提高（估计值）"),
    "outside_attraction.cost_per_arrival": ("Cost per arriving firm", "每家迁入企业支出", "CNY m", "百万元", "每家迁入企业的招商和激励支出（估计值）"),
    "management_reform.target": ("Target efficiency", "目标管理效率", "0–1", "0–1", "改革目标的管理效率（最好的园区起始为0.75；估计值）"),
    "management_reform.speed": ("Speed", "改革速度", "share of gap/yr", "差距比例/年", "每年缩小与目标差距的比例（估计值）"),
    "fiscal_autonomy.share": ("Tax kept by the zone", "园区留存税收比例", "share", "比例", "园区留存的税收比例（默认0.25；估计值）"),
    "tech_finance.credit": ("Exits averted by credit", "信贷避免的退出", "share", "比例", "贷款和担保避免的亏损退出比例（估计值）"),
    "green_constraint.max_growth": ("Growth cap, energy-intensive firms", "高耗能企业增长上限", "log growth/yr", "对数增长/年",
                                    "高耗能企业每年就业增长的上限（估计值：约28%/年）"),
    "classified_evaluation.national_weights": ("National zones' weights", "国家级评价权重", "points", "分",
                                               "创新、结构、绿色、开放、质量五项指标的分值（2021年国家评价指标）"),
    "classified_evaluation.region_weights": ("Region-level zones' weights", "自治区级评价权重", "points", "分",
                                             "自治区级高新区五项指标的分值（估计值）"),
    # settings added on main with issues 15-16 (committees, reference classes, national places)
    "delisting.max_per_year": ("Most delisted a year", "每年最多撤销", "zones/yr", "家/年",
                               "每年最多撤销的园区数（得分最低者优先，其余保留记录）"),
    "delisting.reference": ("Reference class", "排名参照范围", "", "", "fixed：按期初类别排名（已撤销园区保留名次）；current：按当前类别排名"),
    "delisting.join_years": ("Years before new zones count", "新园区纳入年数", "evaluations", "次评价",
                             "新设园区经过几次评价后纳入自治区级排名"),
    "delisting.loss_years": ("Cost of delisting to a zone", "撤销对园区的损失", "years of budget", "年预算",
                             "撤销给园区管委会带来的损失，以其年度预算的年数计（估计值）"),
    "funding_reward.tiers.places": ("National place needed", "全国排名要求", "place", "名",
                                    "national_place 规则：在全国排名中须达到的名次（1=最好）"),
    "hosting.support_prior": ("Host's support to the hosted zone", "托管方投入比例", "share", "比例",
                              "托管方管委会在被托管园区投入的预算比例（无其他因素时；估计值）"),
    "promotion.value_years": ("Value of national status", "国家级资格的价值", "years of budget", "年预算",
                              "国家级资格对园区管委会的价值，以其年度预算的年数计（估计值）"),
    # issue 17, land and zones
    "new_zones.committee_eff": ("Efficiency, own committee", "管委会管理效率", "0-1", "0-1", "设立管委会时新园区的管理效率（估计值）"),
    "new_zones.county_eff": ("Efficiency, county-run", "县政府直管管理效率", "0-1", "0-1", "由县政府直接管理时的管理效率（估计值）"),
    "new_zones.hosted_factor": ("Efficiency when hosted", "托管管理效率系数", "× host", "倍于托管方", "被托管新园区管理效率至少为托管方的倍数（估计值）"),
    "new_zones.committee_cost": ("Cost, own committee", "管委会运行经费", "CNY m/yr", "百万元/年", "自治区每年承担的管委会运行经费（估计值）"),
    "new_zones.county_cost": ("Cost, county-run", "县管运行经费", "CNY m/yr", "百万元/年", "县政府直管时自治区每年承担的经费（估计值）"),
    "new_zones.hosted_cost": ("Cost, hosted", "托管运行经费", "CNY m/yr", "百万元/年", "托管时自治区每年承担的经费（估计值）"),
    "new_zones.upgrade_cost": ("Upgrade cost", "升级改造费用", "CNY m per km²", "百万元/平方公里", "按园区已开发土地一次性支付的基础设施提升费用（估计值）"),
    "new_zones.parks.id": ("Park id", "园区代码", "", "", "园区的标识代码"),
    "new_zones.parks.name": ("Name", "园区名称", "", "", "园区的英文名称"),
    "new_zones.parks.name_zh": ("Chinese name", "园区中文名称", "", "", "园区的中文名称"),
    "new_zones.parks.lon": ("Longitude", "经度", "°", "度", "园区位置的经度；不填=无位置，不参与按距离的规则"),
    "new_zones.parks.lat": ("Latitude", "纬度", "°", "度", "园区位置的纬度"),
    "new_zones.parks.year": ("Year created", "设立年份", "", "", "升级为自治区级高新区的模拟年份（1=第一年）"),
    "new_zones.parks.land_total": ("Planned area", "规划面积", "km²", "平方公里", "园区边界内的面积"),
    "new_zones.parks.land_developed": ("Developed land", "已开发土地", "km²", "平方公里", "已开发的土地（园区企业使用其中85%）"),
    "new_zones.parks.mgmt_eff": ("Management efficiency", "管理效率", "0–1", "0–1", "新园区的管理效率；不填=按管理模式取值"),
    "new_zones.parks.amenity": ("Amenity index", "宜居指数", "index", "指数", "园区的宜居指数（最小的园区为0.8）"),
    "new_zones.parks.housing_cost": ("Housing cost", "房价", "CNY k per m²", "千元/平方米", "园区的住房价格（最小的园区为5.5千元/平方米）"),
    "new_zones.parks.platforms": ("Innovation platforms", "创新平台数", "platforms", "个", "设立时的创新平台数"),
    "new_zones.parks.firms": ("Firms of the park", "园区企业", "", "", "升级前园区内的企业"),
    "new_zones.parks.firms.firms": ("Firms", "企业数", "firms", "家", "并入前园区内的企业数（估计值：广西县域园区有数十至数百家企业）"),
    "new_zones.parks.firms.employees": ("Employees per firm", "企业平均从业人数", "employees", "人",
                                        "每家企业的平均从业人数（估计值：县域园区企业规模小，高新区平均约70人）"),
    "new_zones.parks.firms.sector_shares": ("Shares by sector", "各产业企业比例", "share", "比例",
                                            "电子信息、生物医药、新材料、先进制造、传统产业企业所占比例（估计值）"),
    "new_zones.parks.firms.productivity": ("Relative productivity", "企业相对生产率", "×", "倍", "并入时相对于全区同产业企业的生产率（估计值）"),
    "new_zones.parks.firms.rd_share": ("Relative R&D intensity", "企业相对研发强度", "×", "倍",
                                       "相对于本产业平均水平的研发强度（估计值：县域园区企业研发较少）"),
    "new_zones.parks.management": ("Management model", "管理模式", "", "",
                                   "committee：设立管委会；county：县政府直管；hosted：由国家级高新区托管"),
    "new_zones.parks.host": ("Host zone", "托管方", "", "", "托管模式下的托管方；不填=最近的国家级高新区"),
    "promotion.designate": ("Zones approved as national", "培育创建的园区", "", "", "指定年份获批为国家高新区的自治区级高新区"),
    "promotion.designate.zone": ("Zone", "园区", "", "", "获批为国家高新区的自治区级高新区"),
    "promotion.designate.year": ("Year approved", "获批年份", "", "", "获批的模拟年份（1=第一年）"),
    "promotion.area_km2": ("Added planning area", "新增规划面积", "km²", "平方公里", "升级为国家级时扩大的规划面积（估计值）"),
    "promotion.land_quota_km2": ("Own land quota", "单列用地指标", "km²/yr", "平方公里/年", "新升级国家高新区每年单列的用地指标（估计值）"),
    "promotion.funding": ("Funds for the zone", "专项资金", "CNY m/yr", "百万元/年", "新升级国家高新区每年获得的中央和自治区资金（估计值）"),
    "promotion.region_share": ("Region's share of funds", "自治区承担比例", "share", "比例", "专项资金中由自治区财政承担的比例，其余为中央资金（估计值）"),
    "promotion.pilot_gain": ("Policy pilots", "先行先试", "share", "比例", "国家级政策试点使创新率提高的比例（估计值）"),
    "promotion.brand_gain": ("National brand", "国家级品牌", "share", "比例", "国家级品牌使区外企业落户增加的比例（估计值，与其他渠道一起校准为十年产出约增加20%）"),
    "park_integration.parks": ("Parks joining a zone", "整合或托管的园区", "", "", "选择并入或由高新区托管的工业园区"),
    "park_integration.cost_per_km2": ("Integration cost", "整合费用", "CNY m per km²", "百万元/平方公里", "整合园区按已开发土地一次性支付的基础设施提升费用（估计值）"),
    "park_integration.host_fee": ("Hosting fee", "托管经费", "CNY m/yr", "百万元/年", "自治区每年支付给托管园区的管理经费（估计值）"),
    "park_integration.parks.id": ("Park id", "园区代码", "", "", "园区的标识代码"),
    "park_integration.parks.name": ("Name", "园区名称", "", "", "园区的英文名称"),
    "park_integration.parks.name_zh": ("Chinese name", "园区中文名称", "", "", "园区的中文名称"),
    "park_integration.parks.lon": ("Longitude", "经度", "°", "度", "园区位置的经度；不填=无位置，不参与按距离的规则"),
    "park_integration.parks.lat": ("Latitude", "纬度", "°", "度", "园区位置的纬度"),
    "park_integration.parks.zone": ("Receiving zone", "接收园区", "", "", "整合或托管该园区的高新区；nearest：最近的高新区（该园区须有位置）"),
    "park_integration.parks.year": ("Year joined", "并入年份", "", "", "并入高新区的模拟年份（1=第一年）"),
    "park_integration.parks.mode": ("Integrated or hosted", "整合或托管", "", "", "integrate：整合并入高新区；host：由高新区代县托管"),
    "park_integration.parks.land_total": ("Planned area", "规划面积", "km²", "平方公里", "园区边界内的面积"),
    "park_integration.parks.land_developed": ("Developed land", "已开发土地", "km²", "平方公里", "已开发的土地（园区企业使用其中85%）"),
    "park_integration.parks.firms": ("Firms of the park", "园区企业", "", "", "并入前园区内的企业"),
    "park_integration.parks.firms.firms": ("Firms", "企业数", "firms", "家", "并入前园区内的企业数（估计值：广西县域园区有数十至数百家企业）"),
    "park_integration.parks.firms.employees": ("Employees per firm", "企业平均从业人数", "employees", "人",
                                               "每家企业的平均从业人数（估计值：县域园区企业规模小，高新区平均约70人）"),
    "park_integration.parks.firms.sector_shares": ("Shares by sector", "各产业企业比例", "share", "比例",
                                                   "电子信息、生物医药、新材料、先进制造、传统产业企业所占比例（估计值）"),
    "park_integration.parks.firms.productivity": ("Relative productivity", "企业相对生产率", "×", "倍",
                                                  "并入时相对于全区同产业企业的生产率（估计值）"),
    "park_integration.parks.firms.rd_share": ("Relative R&D intensity", "企业相对研发强度", "×", "倍",
                                              "相对于本产业平均水平的研发强度（估计值：县域园区企业研发较少）"),
    "mu_yield.weight_tax": ("Weight of tax per mu", "亩均税收权重", "share", "比例", "综合评分中亩均税收的权重，其余为亩均产出（估计值）"),
    "mu_yield.shares": ("Shares of classes", "各类企业比例", "share", "比例", "园区内A、B、C、D类企业所占比例（估计值）"),
    "mu_yield.price_a": ("Price change, class A", "A类价格调整", "share", "比例", "A类企业用能、用水、用地成本的调整比例（负数为优惠）"),
    "mu_yield.price_b": ("Price change, class B", "B类价格调整", "share", "比例", "B类企业用能、用水、用地成本的调整比例"),
    "mu_yield.price_c": ("Price change, class C", "C类价格调整", "share", "比例", "C类企业用能、用水、用地成本的加价比例（估计值）"),
    "mu_yield.price_d": ("Price change, class D", "D类价格调整", "share", "比例", "D类企业用能、用水、用地成本的加价比例（估计值）"),
    "mu_yield.energy_price": ("Energy price", "能源价格", "CNY per tce", "元/吨标准煤", "计算企业用能成本的价格（估计值）"),
    "mu_yield.water_share": ("Water bill", "用水成本", "share of output", "占产值比例", "企业用水成本占产值的比例（估计值）"),
    "mu_yield.land_tax": ("Land-use tax", "城镇土地使用税", "CNY m per km²/yr", "百万元/平方公里/年", "工业用地每年的城镇土地使用税（估计值）"),
    "mu_yield.min_mu": ("Smallest plot classed", "参评最小用地", "mu", "亩", "用地少于此面积的企业不参加评价（浙江：3亩）"),
    "mu_yield.reclaim_share": ("Share of plot reclaimed", "用地收回比例", "share/yr", "比例/年", "持续D类企业每年被收回的用地比例（估计值）"),
    "mu_yield.reclaim_after": ("D years before reclaiming", "收回前D类年数", "years", "年", "连续评为D类多少年后开始收回用地（估计值）"),
    "mu_yield.reclaim_cost": ("Compensation", "收回补偿", "CNY m per km²", "百万元/平方公里", "收回用地的补偿费用（估计值）"),
    "zone_expansion.rule": ("When a zone qualifies", "扩区条件", "", "", "blocked：因缺地拒绝入驻企业；room：区内剩余可开发土地不足"),
    "zone_expansion.min_blocked": ("Entrants turned away", "拒绝入驻企业数", "firms/yr", "家/年", "一年内因缺地拒绝的企业达到此数即可扩区（估计值）"),
    "zone_expansion.room_share": ("Room left", "剩余土地比例", "share of developed", "占已开发比例", "区内剩余可开发土地低于已开发土地的此比例即可扩区（估计值）"),
    "zone_expansion.km2": ("Area per grant", "每次扩区面积", "km²", "平方公里", "每次批准扩大的面积（估计值）"),
    "zone_expansion.max_grants": ("Grants per zone", "每园区扩区次数", "grants", "次", "每个园区在模拟期内最多扩区次数（估计值）"),
    "zone_expansion.gap_years": ("Years between grants", "扩区间隔", "years", "年", "同一园区两次扩区之间的年数（估计值）"),
    "zone_expansion.per_year": ("Grants a year", "每年扩区数", "grants/yr", "次/年", "自治区每年批准的扩区数（估计值）"),
    "zone_expansion.cost_per_km2": ("Cost per km²", "扩区费用", "CNY m per km²", "百万元/平方公里", "征地补偿（扣除土地出让收入）和干线基础设施费用（估计值）"),
    # issue 17, industry and people
    "key_technology.budget": ("Programme budget", "攻关资金", "CNY m/yr", "百万元/年", "自治区每年用于关键核心技术攻关项目的资金（估计值）"),
    "key_technology.grant": ("Grant per project", "每项目资助", "CNY m/yr", "百万元/年", "每个攻关项目每年的资助（估计值：2–10百万元）"),
    "key_technology.years": ("Project years", "项目年限", "years", "年", "攻关项目持续的年数（估计值）"),
    "key_technology.min_rd_share": ("R&D share needed", "研发强度门槛", "share", "比例", "申报企业研发支出占产值的最低比例（估计值）"),
    "industry_clusters.sectors": ("Emerging sectors", "战略性新兴产业", "", "", "各目标园区重点支持的战略性新兴产业"),
    "industry_clusters.leading": ("Leading sector too", "支持主导产业", "", "", "同时支持各园区产值最大的主导产业"),
    "industry_clusters.pull": ("Pull on new firms", "新企业产业引导", "utility", "效用", "新设和迁入企业选择受支持产业的效用加成（估计值）"),
    "industry_clusters.arrival_gain": ("Rise in arrivals", "迁入企业增加", "share", "比例", "产业链招商带来的区外企业迁入增加（估计值）"),
    "industry_clusters.grant": ("Grant per new firm", "每家新企业补助", "CNY m", "百万元", "受支持产业每家新企业的落户补助（估计值）"),
    "industry_upgrading.from_sectors": ("Sectors upgraded", "升级的产业", "", "", "可以升级的传统产业"),
    "industry_upgrading.to_sector": ("Sector upgraded to", "升级后的产业", "", "", "升级企业转入的产业"),
    "industry_upgrading.rate": ("Yearly upgrade chance", "年升级概率", "share/yr", "比例/年", "符合条件企业每年升级的概率（估计值）"),
    "industry_upgrading.grant_share": ("Subsidy share", "技改补助比例", "share", "比例", "升级投资中由财政补助的比例（估计值：10–30%）"),
    "performance_pay.bonus_per_point": ("Bonus per point", "每分绩效奖金", "CNY m/point", "百万元/分", "园区评价每得一分，管委会员工获得的绩效奖金（估计值）"),
    "performance_pay.effort_cost": ("Cost of effort", "努力成本", "CNY m", "百万元", "提高管理效率所需努力的成本系数（估计值）"),
    "performance_pay.speed": ("Speed", "调整速度", "share/yr", "比例/年", "每年向所选努力水平调整的比例（估计值）"),
    "performance_pay.max_eff": ("Highest efficiency", "管理效率上限", "0–1", "0–1", "管理效率的上限"),
    "direct_channel.arrival_gain": ("Rise in arrivals", "迁入企业增加", "share", "比例", "审批加快带来的区外企业迁入增加（估计值）"),
    "direct_channel.projects": ("Major projects a year", "每年重大项目数", "projects/yr", "个/年", "每年获得一事一议支持的最大新项目数（估计值）"),
    "direct_channel.grant": ("Package per project", "每项目支持", "CNY m", "百万元", "每个重大项目的一事一议支持，形成资本（估计值）"),
    "direct_channel.cost_per_zone": ("Cost per zone", "每园区经费", "CNY m/yr", "百万元/年", "直通车联络和运行费用（估计值）"),
    "city_industry.budget": ("Investment budget", "产城融合投资", "CNY m/yr", "百万元/年", "自治区每年在园区周边住房、学校、交通和服务上的投资（估计值）"),
    "city_industry.split": ("How it is split", "分配方式", "", "", "equal：平均；talent：按人才数量"),
    "city_industry.max_gain": ("Largest amenity gain", "宜居指数最大提高", "index", "指数", "投资可使宜居指数提高的上限（估计值）"),
    "city_industry.half_stock": ("Half-effect stock", "半效投资存量", "CNY m", "百万元", "达到一半最大效果所需的投资存量（估计值）"),
    "city_industry.depreciation": ("Depreciation", "折旧率", "share/yr", "比例/年", "投资存量每年的折旧比例（估计值）"),
    "zones": ("Zones", "适用园区", "", "", "政策适用的高新区：全部、国家级、自治区级或指定园区；已撤销园区不适用"),
    "on": ("on", "启用", "", "", ""),
}
CHOICES: dict[str, tuple[str, str]] = {   # options of the selects, in words
    "national": ("national zones", "国家级"), "region": ("region-level zones", "自治区级"), "all": ("all zones", "全部"),
    "top": ("top of the class", "类内前几名"), "improved": ("most improved", "进步最大"),
    "carry": ("carried to next year", "结转下年"), "return": ("returned", "退回财政"),
    "budget": ("zone budget", "并入园区预算"), "platforms": ("platforms", "专用于平台"),
    "nearest": ("nearest", "就近"), "complementary": ("complementary industries", "产业互补"),
    "own": ("where it arises", "按发生地"), "split": ("by the agreed split", "按约定分计"),
    "equal": ("equal", "平均"), "demand": ("by demand", "按需求"), "output_per_land": ("by output per km²", "按地均产出"),
    "rank": ("by rank", "按排名"), "output": ("by output", "按产出"), "need": ("by need", "按需要"),
    "national_place": ("national ranking place", "全国排名名次"), "fixed": ("class at the start", "期初类别"),
    "current": ("current class", "当前类别"),
    "committee": ("own management committee", "设立管委会"), "county": ("county-run", "县政府直管"),
    "hosted": ("hosted by a national zone", "托管"), "integrate": ("merged into the zone", "整合"),
    "host": ("hosted for the county", "代县托管"),
    "blocked": ("entrants turned away", "拒绝入驻"), "room": ("little room left", "剩余土地不足"),
    "talent": ("by skilled head-count", "按人才数量"), "electronics": ("electronics", "电子信息"),
    "biomedicine": ("biomedicine", "生物医药"), "new_materials": ("new materials", "新材料"),
    "advanced_manufacturing": ("advanced manufacturing", "先进制造"), "traditional": ("traditional industry", "传统产业"),
}


def setting_path(key: str) -> str:
    """'funding_reward.tiers.0.amount' -> 'funding_reward.tiers.amount'."""
    return ".".join(p for p in key.split(".") if not p.isdigit())


# model parameters a study may vary (sim.core.params; the bundled studies' factors and the
# calibration's free parameters): English words as before, Chinese names written here
PARAMS: dict[str, tuple[str, str]] = {
    "land_quota": ("land quota", "年度新增建设用地指标"),
    "agglomeration_elasticity": ("agglomeration elasticity", "产业集聚弹性"),
    "urbanisation_elasticity": ("urbanisation elasticity", "城市化集聚弹性"),
    "startup_rate": ("startup rate", "人才创业率"), "outside_arrivals": ("outside arrivals", "区外企业年迁入数"),
    "growth_drift": ("growth drift", "企业平均增长率"), "growth_noise": ("growth noise", "企业增长波动"),
    "growth_noise_size_elasticity": ("growth noise size elasticity", "增长波动的规模弹性"),
    "size_reference": ("size reference", "参照企业规模"),
    "growth_profit_sensitivity": ("growth profit sensitivity", "增长对利润率的敏感度"),
    "productivity_noise": ("productivity noise", "生产率波动"),
    "exit_base_hazard": ("exit base hazard", "成熟企业退出率"), "exit_young_hazard": ("exit young hazard", "新企业额外退出率"),
    "exit_size_elasticity": ("exit size elasticity", "退出率的规模弹性"),
    "young_age_scale": ("young age scale", "新企业风险的年龄尺度"), "spinup_years": ("spinup years", "预运行年数"),
    "loss_years_to_exit": ("loss years to exit", "亏损退出年限"),
    "loss_exit_probability": ("loss exit probability", "持续亏损企业退出率"),
    "beta_wage": ("beta wage", "人才择业的工资权重"), "beta_amenity": ("beta amenity", "人才择业的宜居权重"),
    "beta_housing": ("beta housing", "人才择业的房价权重"),
    "beta_subsidy": ("beta subsidy", "人才择业的补贴权重"), "beta_home": ("beta home", "人才的恋家偏好"),
    "beta_unemployed": ("beta unemployed", "人才失业的效用损失"), "reconsider_rate": ("reconsider rate", "人才重新择业率"),
    "high_skill_threshold": ("high skill threshold", "高层次人才技能门槛"), "skill_sigma": ("skill sigma", "人才技能离散度"),
    "skilled_share_demand": ("skilled share demand", "企业人才需求比例"),
    "housing_elasticity": ("housing elasticity", "房价对人才数量的弹性"),
    "outside_wage_ratio": ("outside wage ratio", "区外工资倍数"), "outside_penalty": ("outside penalty", "离开广西的成本"),
    "outside_wage_growth": ("outside wage growth", "区外工资相对增长率"),
    "innovation_rate": ("innovation rate", "创新产出率"), "certification_rate": ("certification rate", "高企认定率"),
    "knowledge_depreciation": ("knowledge depreciation", "知识存量折旧率"),
    "innovation_step": ("innovation step", "创新的生产率提升"), "innovation_catch_up": ("innovation catch up", "领先企业创新递减弹性"),
    "hightech_rd_threshold": ("hightech rd threshold", "高企认定研发强度门槛"),
    "certification_years": ("certification years", "高企认定有效期"),
    "entrant_size_mean": ("entrant size mean", "新企业平均规模"), "spinoff_rate": ("spinoff rate", "衍生企业率"),
    "relocation_rate": ("relocation rate", "企业迁移考虑率"), "rd_intensity": ("rd intensity", "研发强度"),
    "entrant_productivity": ("entrant productivity", "新企业相对生产率"), "relocation_cost": ("relocation cost", "企业迁移固定成本"),
    "relocation_distance_cost": ("relocation distance cost", "企业迁移距离成本"),
    "attract_output": ("attract output", "企业选址的产出规模权重"), "attract_services": ("attract services", "企业选址的园区服务权重"),
    "attract_national": ("attract national", "国家级园区的吸引力加成"), "attract_land": ("attract land", "企业选址的可用土地权重"),
    "knowledge_spillover": ("knowledge spillover", "知识溢出"), "zone_tax_share": ("zone tax share", "园区税收留存比例"),
    "va_tax_rate": ("va tax rate", "增加值间接税率"), "income_tax_rate": ("income tax rate", "企业所得税税率"),
    "hightech_income_tax_rate": ("hightech income tax rate", "高企所得税税率"),
    "graduate_rate": ("graduate rate", "毕业生流入率"), "retirement_rate": ("retirement rate", "人才退休率"),
    "capital_elasticity": ("capital elasticity", "资本产出弹性"), "labour_elasticity": ("labour elasticity", "劳动产出弹性"),
    "value_added_ratio": ("value added ratio", "增加值率"), "capital_per_worker": ("capital per worker", "企业人均资本"),
    "capital_user_cost": ("capital user cost", "资本使用成本"), "labour_share": ("labour share", "劳动报酬份额"),
    "skill_wage_premium": ("skill wage premium", "人才技能工资溢价"), "talent_scale": ("talent scale", "每个人才主体代表人数"),
    "skill_effect": ("skill effect", "人才技能效应"), "platform_effect": ("platform effect", "创新平台效应"),
    "incubator_effect": ("incubator effect", "孵化器效应"),
    "service_effect_max": ("service effect max", "园区服务最大效应"),
    "service_half_saturation": ("service half saturation", "园区服务半饱和存量"),
    "services_depreciation": ("services depreciation", "园区服务存量折旧率"), "platform_cost": ("platform cost", "创新平台建设成本"),
    "platform_depreciation": ("platform depreciation", "创新平台失效率"),
    "committee_score_value": ("committee score value", "评价每分价值"),
    "committee_gdp_value": ("committee gdp value", "产出的政绩价值"),
    "committee_score_noise": ("committee score noise", "管委会预期评分波动"),
    "committee_output_elasticity": ("committee output elasticity", "管委会预期的产出预算弹性"),
    "committee_half": ("committee half", "管委会支出收益递减点"), "committee_memory": ("committee memory", "管委会估计的记忆权重"),
    "committee_sensitivity": ("committee sensitivity", "管委会预算分配敏感度"),
    "committee_adjustment": ("committee adjustment", "管委会预算调整速度"),
    "committee_horizon": ("committee horizon", "管委会计算税收的年限"),
    "spend_platforms": ("spend platforms", "管委会现状预算：创新平台比例"), "spend_services": ("spend services", "管委会现状预算：园区服务比例"),
    "spend_subsidies": ("spend subsidies", "管委会现状预算：人才引进比例"),
    "spend_promotion": ("spend promotion", "管委会现状预算：招商引资比例"), "spend_land": ("spend land", "管委会现状预算：土地开发比例"),
    "promotion_arrival_elasticity": ("promotion arrival elasticity", "区外迁入对招商支出的弹性"),
    "promotion_startup_elasticity": ("promotion startup elasticity", "创业对招商支出的弹性"),
    "promotion_half": ("promotion half", "招商支出收益递减点"),
    "land_spend_elasticity": ("land spend elasticity", "土地开发能力对支出的弹性"), "land_half": ("land half", "土地开发支出收益递减点"),
    "indicator_weights": ("indicator weights", "评价一级指标权重"), "evaluation_years": ("evaluation years", "评价统计年数"),
    "evaluation_clip": ("evaluation clip", "评价标准分截断值"),
    "region_budget_share": ("region budget share", "自治区园区政策预算比例"),
    "land_development_capacity": ("land development capacity", "土地开发能力"),
    "idle_land_buffer": ("idle land buffer", "可用土地储备比例"), "national_zones": ("national zones", "全国国家级高新区数"),
    "national_median_output_bn": ("national median output bn", "国家级高新区产出中位数"),
    "national_output_sigma": ("national output sigma", "国家级高新区产出离散度"),
    "national_output_growth": ("national output growth", "国家级高新区产出增长率"),
}
# the bundled studies (scenarios/studies/*.yaml have an English title only)
STUDIES: dict[str, str] = {
    "elementary-effects-morris": "模型参数筛选（Morris法）",
    "evaluation-levers": "不确定条件下的评价奖励、摘牌和用地规则",
    "land-and-agglomeration": "用地指标与产业集聚",
    "talent-uncertainty-sobol": "产出和人才的驱动因素（Sobol法）",
    "bench-sobol-10x512": "速度基准：Sobol法，10个因素",
}


def factor_name(factor: str, lang: str = "en") -> str:
    """A study factor: ``lever.field`` as the lever's name and the field, a parameter as words
    (in Chinese: the lever's and the field's names, the parameter's name; never the slug)."""
    if factor == "package":
        return tr("package", lang)
    lever, _, rest = factor.partition(".")
    if rest and lever in LEVERS:
        if lang == "zh":
            row = SETTINGS.get(setting_path(factor))  # the dashboard's controls use the same names
            if row is None and rest == "zones":   # every lever's zones: one name (as the dashboard's)
                row = SETTINGS["zones"]
            if row is not None:
                return f"{lever_name(lever, lang)}：{row[1]}"
        return f"{lever_name(lever, lang)}: {rest.replace('.', ' ').replace('_', ' ')}"
    if factor in PARAMS:
        return PARAMS[factor][1 if lang == "zh" else 0]
    return factor.replace("_", " ")


def factor_label(factor: str, lang: str = "en") -> str:
    """A study factor's name with its unit where a header or an axis shows its values: a lever
    setting's unit as the dashboard shows it (``财政奖励：奖励资金总额（百万元/年）``, the study
    file's CNY m), a parameter's when it is one of the outcome units (``km2/yr``); the name alone
    when there is none (an elasticity, a rule)."""
    name = factor_name(factor, lang)
    unit = factor_unit(factor, lang)
    return name + paren(unit, lang) if unit else name


def factor_unit(factor: str, lang: str = "en") -> str:
    """A study factor's unit as ``factor_label`` shows it (``百万元/年`` / ``CNY m/yr`` for a lever
    budget, the study file's unit); empty when it has none. The English workbook heads a factor
    column ``funding_reward.budget (CNY m/yr)`` with it."""
    lever, _, rest = factor.partition(".")
    unit = ""
    if rest and lever in LEVERS:
        row = SETTINGS.get(setting_path(factor))
        unit = (row[3] if lang == "zh" else row[2]) if row else ""
    elif factor in PARAMS:
        from sim.core.params import Params

        field = Params.model_fields.get(factor)
        raw = str((field.json_schema_extra or {}).get("unit", "")) if field is not None else ""
        unit = UNITS[raw][2 if lang == "zh" else 1] if raw in UNITS and UNITS[raw][0] != "rank" else ""
    return unit


def factor_value(value: Any, lang: str = "en") -> str:
    """A value of a categorical factor (a land rule ``output_per_land``) in words in Chinese; as
    written in the study in English."""
    if lang != "zh":
        return str(value)
    return CHOICES.get(str(value), (str(value),) * 2)[1]


def runs_line(n: int, session: dict, lang: str) -> str:
    """What a study command prints about its runs: how many, how many computed now, where, how long."""
    return tr("study.runs", lang, n=n, c=session["runs_computed"], b=backend_name(session, lang),
              t=f"{session['seconds']:.1f}")


def backend_name(session: dict, lang: str) -> str:
    """Where a study's runs were computed, in ``lang`` (an unknown backend as it is called)."""
    key = f"sweep.b.{session['backend']}"
    return tr(key, lang) if key in TEXT else str(session["backend"])


def study_title(name: str, lang: str = "en", title: str = "") -> str:
    """A study's title in ``lang``: the bundled studies' Chinese titles, else its own title or name."""
    return (STUDIES.get(name) if lang == "zh" else None) or title or name


def zone_name(zone_id: str, lang: str = "en", names: dict[str, str] | None = None) -> str:
    if names and zone_id in names:
        return names[zone_id]
    if zone_id == "region":
        return tr("region_total", lang)
    return zone_id.replace("_", " ").title()


def package_title(pkg: dict[str, Any] | Any, lang: str = "en") -> str:
    """A package's title in ``lang`` (a Package or its dict), never its file slug unless it has none."""
    get = pkg.get if isinstance(pkg, dict) else (lambda k, d=None: getattr(pkg, k, d))
    return (get("title_zh") if lang == "zh" else get("title")) or get("title") or get("name")


def level_label(level_name: str, lang: str = "en", hosted: bool = False) -> str:
    """'national' / 'region-level' / 'delisted', plus ', hosted' (国家级 / 自治区级 / 已撤销 / 被托管)."""
    text = tr(level_name, lang) if level_name in TEXT else level_name
    if hosted:
        text += ("，" if lang == "zh" else ", ") + tr("hosted", lang)
    return text


# ------------------------------------------------------------------------------------------
# the table
# ------------------------------------------------------------------------------------------
TEXT: dict[str, tuple[str, str]] = {
    # levels and table words
    "national": ("national", "国家级"), "region": ("region-level", "自治区级"), "delisted": ("delisted", "已撤销"),
    "hosted": ("hosted", "被托管"), "zone": ("zone", "高新区"), "level_name": ("level", "级别"), "year": ("year", "年份"),
    "package": ("package", "政策包"), "seed": ("seed", "随机种子"), "region_total": ("all zones", "全区合计"),
    "baseline": ("baseline", "基准"), "lon": ("longitude", "经度"), "lat": ("latitude", "纬度"),
    "yes": ("yes", "是"), "no": ("no", "否"), "none": ("none", "无"), "outcome": ("outcome", "指标"),
    "unit": ("unit", "单位"), "money": ("CNY {v} bn", "{v}亿元"), "money_wan_yi": ("CNY {v} trn", "{v}万亿元"), "class_national": ("national zones", "国家级高新区"),
    "pp": ("{v} pp", "{v}个百分点"),  # a difference of two rates, in percentage points (format.points)
    "class_region": ("region-level zones", "自治区级高新区"),
    # chart titles
    "region_title": ("Guangxi zones, region totals (median and 5–95% band over {seeds} seeds)",
                     "广西高新区合计（中位数及5–95%区间，{seeds}个随机种子）"),
    "zone_output_title": ("Output by zone ({unit}, log scale)", "各高新区总产出（{unit}，对数坐标）"),
    "zone_rank_title": ("Rank within class (1 = best; solid = national)", "各高新区类内排名（1=最好；实线=国家级）"),
    "map_title": ("Zones by location (circle area = output, colour = level)", "高新区分布（圆面积=总产出，颜色=级别）"),
    "map_size_base": ("circle area: {o} under the baseline, largest {v}", "圆面积表示基准下的{o}，最大{v}"),
    "map_unplaced": ("not on the map (no location): {lst}", "未标注位置：{lst}"),
    "map_level_key": ("colour = level", "颜色=级别"),
    "map_outline_note": ("prefecture outlines: cnmaps (China's standard map data)", "地级市边界：cnmaps（符合国家标准地图）"),
    "map_no_outline": ("no outline: install zonesim[maps] (cnmaps) for prefecture boundaries",
                       "未绘制行政边界：安装 zonesim[maps]（cnmaps）后显示地级市边界"),
    "diff_title": ("Difference from '{b}' (paired by seed): median and 5–95% band",
                   "与“{b}”的差值（逐种子配对）：中位数及5–95%区间"),
    "bump_title": ("Place within class over time (zones ordered by their median rank over seeds; 1 = best)",
                   "各方案类内名次随时间变化（按各随机种子排名的中位数排序；1=最好）"),
    "change_map_title": ("Change in {o} against '{b}' in {y} (black edge: 95% interval excludes 0)",
                         "{y}年{o}相对“{b}”的变化（黑框=95%区间不含0）"),
    "change_pct_axis": ("% change against the baseline", "相对基准变化（%）"),
    "rank_axis": ("rank (1 = best)", "排名（1=最好）"),
    # attribution
    "waterfall_title": ("{o} in {y}: total effect {t} ({p}), split by Shapley value (95% interval);\n"
                        "total minus sum of solo effects = {i}",
                        "{y}年{o}：总效应 {t}（{p}），按Shapley值分解（95%区间）；\n总效应−单独效应之和 = {i}"),
    "interaction_title": ("pairwise Shapley interaction index", "成对交互作用指数"),
    "package_bar": ("package", "政策包"), "total_effect": ("total effect", "总效应"),
    "effect_axis": ("effect against the baseline ({u})", "相对基准的效应（{u}）"),
    # robustness
    "regret_axis": ("regret: loss against the best package in the future ({o})", "遗憾值：与该情景下最佳方案的差距（{o}）"),
    "regret_title": ("Regret across {n} futures, {y} (red: max, orange: 90th percentile)",
                     "各方案在{n}个未来情景下的遗憾值，{y}年（红线=最大，橙线=90分位）"),
    "satisficing_axis": ("% of futures meeting the target", "达标情景占比（%）"),
    "satisficing_title": ("Satisficing: {t} in {y}", "达标：{t}（{y}年）"),
    # discovery
    "restricted": ("restricted factors", "受限因素数"), "coverage": ("coverage", "覆盖率"), "density": ("density", "密度"),
    "peel_title": ("Peeling trajectory: {c} in {y} (base rate {r} of {n} runs)", "剥离轨迹：{c}（{y}年），基础比例 {r}（共{n}次运行）"),
    "box_position": ("position in the factor's range (0 = min, 1 = max)", "因素取值范围内的位置（0=最小，1=最大）"),
    "box_limits": ("Box limits", "各盒子的限制条件"), "box": ("box {b}", "盒子{b}"),
    # sensitivity
    "morris_x": ("μ* (mean |elementary effect|, {u})", "μ*（基本效应绝对值均值，{u}）"),
    "morris_y": ("σ (spread of elementary effects, {u})", "σ（基本效应标准差，{u}）"),
    "morris_x_log": ("μ* (mean |elementary effect|, {u}; log scale)", "μ*（基本效应绝对值均值，{u}；对数坐标）"),
    "morris_y_log": ("σ (spread of elementary effects, {u}; log scale)", "σ（基本效应标准差，{u}；对数坐标）"),
    "morris_title": ("Morris: {o} in {y}{w} (r = {n}; blue = lever, orange = uncertainty)",
                     "Morris：{y}年{o}{w}（r = {n}；蓝=政策工具，橙=不确定因素）"),
    "sobol_y": ("Sobol index (95% bootstrap interval)", "Sobol指数（95%自助法区间）"),
    "sobol_title": ("Sobol: {o} in {y}{w} (N = {n})", "Sobol：{y}年{o}{w}（N = {n}）"),
    "s1": ("S1 (first order)", "S1（一阶）"), "st": ("ST (total)", "ST（总效应）"),
    "lever": ("lever", "政策工具"), "uncertainty": ("uncertainty", "不确定因素"),
    # validation
    "validation_title": ("Model (dots: seeds; bar: mean) against the accepted interval (green band)",
                         "模型（点：各种子；横线：均值）与可接受区间（绿色带）"),
    "fail": ("FAIL", "未通过"), "no_value": ("no value", "无数值"), "firm_sizes": ("Firm size distribution", "企业规模分布"),
    "employees_axis": ("employees", "从业人员"), "ccdf_axis": ("P(size > s)", "P(规模 > s)"),
    "year0": ("year 0", "起始年"), "last_year": ("last year", "末年"), "zipf": ("Zipf slope −1", "齐普夫斜率 −1"),
    "policy_title": ("Policy responses: mean and 5–95% across seeds (green pass, red disagrees, grey inconclusive)",
                     "政策响应：各种子均值及5–95%区间（绿=通过，红=不符，灰=不确定）"),
    # the report
    "r.title": ("Policy simulation report", "政策模拟报告"), "r.made": ("Generated by zonesim {v} on {t}", "由 zonesim {v} 于 {t} 生成"),
    "r.incomplete": ("Incomplete results:", "结果不完整："),
    "r.what": ("What was run", "模拟设置"), "r.headline": ("Headline numbers", "主要结果"), "r.charts": ("Charts", "图表"),
    "r.summary": ("Summary", "结论摘要"), "r.ranking": ("Zones in the final year", "末年各高新区情况"),
    "r.kind": ("Kind of result", "结果类型"), "r.world": ("World", "模拟区域"), "r.packages": ("Measure packages", "政策包"),
    "r.years": ("Years simulated", "模拟年数"), "r.seeds": ("Replicate seeds", "重复模拟（随机种子）"),
    "r.years_span": ("{n} ({a}–{b})", "{n}年（{a}–{b}年）"),
    "r.base_seed": ("Base seed", "基础种子"), "r.version": ("Versions", "软件版本"), "r.command": ("Command", "运行命令"),
    "r.created": ("Created (UTC)", "生成时间（UTC）"), "r.folder": ("Results folder", "结果文件夹"),
    "r.start": ("Start {y}", "起始（{y}年）"), "r.end": ("End {y}", "末年（{y}年）"), "r.change": ("Change", "变化"),
    "r.vs": ("vs. {b} in {y} [5–95% over seeds]", "与“{b}”相比（{y}年）[各种子5–95%]"),
    "r.ci": ("mean [5%–95% across seeds]", "均值 [各种子5%–95%区间]"),
    # what `zonesim run` prints on the terminal
    "run.head": ("{w} — package '{p}', {n} seeds (mean [5%, 95%])", "{w} — 政策包“{p}”，{n}个随机种子（均值 [5%, 95%]）"),
    "run.year": ("{y}", "{y}年"),
    "run.wrote": ("wrote {d}/ ({f})", "已写入 {d}/（{f}）"),
    "report.wrote": ("wrote {p}", "已写入 {p}"),
    "r.region_charts": ("Region totals over time (median line, 5–95% band across seeds)", "全区合计随时间变化（中位数线，5–95%区间带）"),
    "r.zone_charts": ("Zones over time (median across seeds)", "各高新区随时间变化（各种子中位数）"),
    "r.map": ("Zones on the map, final year", "高新区空间分布（末年）"),
    "r.diff_chart": ("Difference from the baseline, seed by seed", "与基准的差值（逐种子配对）"),
    "r.bump_chart": ("Rank within class over time", "类内排名随时间变化"),
    "r.change_map": ("Change in each zone's output against the baseline", "各高新区总产出相对基准的变化"),
    "r.onepage": ("At a glance", "一页概览"),
    "r.best_on": ("Best package on each outcome in {y}", "{y}年各指标表现最好的政策包"),
    "r.best_cols": (("Outcome", "Best package", "Change against the baseline [95% interval]", "How certain",
                     "Public money in {y}"),
                    ("指标", "最好的政策包", "相对基准的变化 [95%区间]", "确定程度", "{y}年财政奖补")),
    "r.certain": ("clear: the interval excludes zero", "明确：区间不含0"),
    "r.uncertain": ("not clear: within seed noise", "不明确：在随机波动范围内"),
    "r.no_better": ("no package does better than the baseline", "没有政策包优于基准"),
    "r.money_line": ("Public money: {lst}.", "财政奖补（末年）：{lst}。"),
    "r.files": ("Files found", "找到的文件"), "r.tables": ("Tables", "数据表"), "r.pictures": ("Pictures", "图片"),
    "r.unknown": ("This report does not know results of kind '{k}'; it shows the manifest, every table and "
                  "every picture it found ({n} files).",
                  "本报告不认识“{k}”类型的结果；下面列出清单信息、找到的全部数据表和图片（共{n}个文件）。"),
    "r.generic": ("Results of kind '{k}': this report shows the manifest, the tables and the pictures "
                  "the command wrote ({n} files).",
                  "“{k}”类型的结果：下面列出清单信息、命令生成的数据表和图片（共{n}个文件）。"),
    "r.rows_shown": ("first {n} of {m} rows", "显示前{n}行（共{m}行）"),
    "r.note": ("Numbers are model outputs under stated assumptions, not forecasts. Bands show the "
               "spread across random seeds (5th to 95th percentile).",
               "以下数字是模型在既定假设下的模拟结果，并非预测。区间表示不同随机种子之间的差异（第5至第95百分位）。"),
    "r.note_compare": ("Numbers are model outputs under stated assumptions, not forecasts. The intervals in the "
                       "tables are paired 95% intervals of the mean change against the baseline (t-intervals of "
                       "the per-seed differences); the bands in the pictures show the spread across random seeds "
                       "(5th to 95th percentile).",
                       "以下数字是模型在既定假设下的模拟结果，并非预测。表中区间为相对基准平均变化的配对95%区间"
                       "（各种子差值的t区间）；图中色带表示不同随机种子之间的差异（第5至第95百分位）。"),
    "r.no_font": ("Note: no CJK font was found, so Chinese text in the pictures may show as boxes.",
                  "注意：未找到中文字体，图中汉字可能显示为方框；请重新安装 zonesim（自带思源黑体）。"),
    "r.sweep_findings": ("What the sweep found", "参数扫描的发现"),
    "r.sweep_intro": ("{p} design points × {s} seeds = {r} runs; outcomes in {y} against each factor "
                      "(mean over seeds; the line is the median over the other factors).",
                      "{p}个设计点 × {s}个随机种子 = {r}次运行；下图为{y}年各指标随各因素的变化（各种子均值；线为其他因素的中位数）。"),
    "r.sweep_effect": ("{o}: from {lo} to {hi} across the design; the factor that moves it most is {f} "
                       "(it explains {c} of the spread between design points).",
                       "{o}：在设计范围内从{lo}到{hi}；影响最大的因素是{f}（解释了设计点之间差异的{c}）。"),
    "r.sweep_range": ("{o}: from {lo} to {hi} across the design; too few design points to tell which factor moves "
                      "it most.", "{o}：在设计范围内从{lo}到{hi}；设计点太少，无法判断哪个因素影响最大。"),
    # a lever budget that does not bind over the top of its range (sim.analysis.summary.unbound_budgets)
    "r.sweep_unbound": ("{f} does not bind from {x} {u} up: at every budget from {x} to {hi} {u} the lever spends "
                        "the same, {s} {u} in {y}, and leaves the rest unspent{why}.",
                        "{f}在{x}{u}及以上不起约束作用：从{x}到{hi}{u}，该措施的支出都相同（{y}年为{s}{u}），"
                        "其余资金未使用{why}。"),
    "r.sweep_unbound_all": ("{f} does not bind anywhere in its range: at every budget from {x} to {hi} {u} the "
                            "lever spends the same, {s} {u} in {y}, and leaves the rest unspent{why}.",
                            "{f}在整个取值范围内都不起约束作用：从{x}到{hi}{u}，该措施的支出都相同"
                            "（{y}年为{s}{u}），其余资金未使用{why}。"),
    "r.sweep_unbound_why.funding_reward": ("; the tiers pay fixed amounts and the rest is carried or returned "
                                           "(sim/policies/funding_reward.py)",
                                           "（各奖励档次按固定金额发放，余额结转或退回）"),
    "r.sweep_chart": ("Outcomes against factors", "各指标与因素的关系"),
    "r.sens_findings": ("What matters most", "最重要的因素"),
    "r.sens_line": ("{o} in {y}: the most influential factors are {lst}.", "{y}年{o}：影响最大的因素依次是{lst}。"),
    "r.sens_conv": ("Convergence: {ok} of {n} main indices moved less than their confidence interval from N to 2N.",
                    "收敛性检验：{n}个主要指数中有{ok}个在样本量加倍时的变化小于其置信区间。"),
    "r.indices": ("Indices with 95% intervals", "敏感性指数（含95%区间）"),
    "r.sens_line_of": ("{o} in {y} ({k}): the most influential factors are {lst}.",
                       "{y}年{o}（{k}）：影响最大的因素依次是{lst}。"),
    "r.sens_of_morris": ("μ* with its 95% interval, in {u}", "μ*及95%区间，单位：{u}"),
    "r.sens_of_sobol": ("total-effect index ST with its 95% interval", "总效应指数ST及95%区间"),
    "r.sens_chart_morris": ("Morris screening: {o} in {y}{w} (μ* against σ)", "Morris筛选：{y}年{o}{w}（μ*与σ）"),
    "r.sens_chart_sobol": ("Sobol indices: {o} in {y}{w}", "Sobol指数：{y}年{o}{w}"),
    "r.sens_table_head": ("{o} in {y}{w} — {m}", "{y}年{o}{w} — {m}"),
    "r.sens_morris": ("Morris, r = {n}", "Morris法，r = {n}"), "r.sens_sobol": ("Sobol, N = {n}", "Sobol法，N = {n}"),
    "r.sens_cols": (("factor", "kind", "95% interval"), ("因素", "类型", "95%区间")),
    # what `zonesim sensitivity` prints on the terminal
    "sens.run": ("study '{s}' ({m}, over {o}): {n} runs ({c} computed now, {t} s)",
                 "研究“{s}”（{m}，{o}）：共{n}次运行（本次计算{c}次，用时{t}秒）"),
    "sens.m.morris": ("morris", "Morris法"), "sens.m.sobol": ("sobol", "Sobol法"),
    "sens.over.all": ("all", "同时改变政策工具和不确定因素"),
    "sens.over.levers": ("levers", "只改变政策工具，不确定因素取基准值"),
    "sens.over.uncertainties": ("uncertainties", "只改变不确定因素，政策工具取基准值"),
    "sens.conv": ("convergence (N -> 2N): {ok} of {n} main indices moved less than their 2N confidence interval; "
                  "see convergence.csv",
                  "收敛性检验（N → 2N）：{n}个主要指数中有{ok}个在样本量加倍时的变化小于其置信区间；详见convergence.csv"),
    "sens.files": ("indices.parquet/.csv, convergence.csv, {n} charts", "indices.parquet/.csv、convergence.csv、{n}张图"),
    # what `zonesim sweep` prints on the terminal
    "sweep.run": ("study '{s}': {p} points x {k} seeds = {n} runs ({c} computed now on {b}, {t} s)",
                  "研究“{s}”：{p}个设计点 × {k}个随机种子 = {n}次运行（本次计算{c}次，{b}，用时{t}秒）"),
    "sweep.b.in-process": ("in-process", "在本进程中"), "sweep.b.process-pool": ("process-pool", "本机多进程"),
    "sweep.b.dask": ("dask", "Dask集群"),
    "study.runs": ("{n} runs ({c} computed now on {b}, {t} s)", "{n}次运行（本次计算{c}次，{b}，用时{t}秒）"),
    "sweep.files": ("results/ Parquet dataset, design.parquet/.csv, tables.xlsx, study.yaml, manifest.json",
                    "results/ Parquet数据集、design.parquet/.csv、tables.xlsx、study.yaml、manifest.json"),
    "r.point": ("point", "设计点"),
    "r.design": ("Design (first rows)", "设计表（前几行）"),
    # kinds of results
    "k.run": ("single-package run", "单一政策包运行"), "k.compare": ("package comparison", "政策包比较"),
    "k.sweep": ("parameter sweep", "参数扫描"), "k.study": ("parameter sweep", "参数扫描"),
    "k.sensitivity": ("sensitivity analysis", "敏感性分析"), "k.attribution": ("attribution (Shapley)", "措施贡献归因"),
    "k.robustness": ("robustness (regret)", "稳健性比较"), "k.discovery": ("scenario discovery (PRIM)", "情景发现"),
    "k.validate": ("validation", "模型验证"), "k.calibrate": ("calibration", "参数校准"),
    # analysis report sections
    "a.attribution": ("Attribution", "归因摘要"), "a.shapley": ("Shapley values", "Shapley值"),
    "a.shapley_cols": (("Shapley values", "unit", "Shapley", "95%", "%"), ("参与方", "单位", "Shapley值", "95%区间", "占总效应比例")),
    "a.waterfall": ("Waterfall", "瀑布图"), "a.interactions": ("Interactions", "交互作用"),
    "a.robustness": ("Robustness", "稳健性摘要"), "a.ranking": ("Ranking", "方案排名"), "a.regret": ("Regret", "遗憾值"),
    "a.discovery": ("Scenario discovery", "情景发现摘要"), "a.boxes": ("PRIM boxes", "PRIM盒子"),
    "a.peeling": ("Peeling trajectory and box limits", "剥离轨迹与盒子"),
    # ranking table headers
    "rk.zone": ("Zone", "高新区"), "rk.level": ("Level", "级别"), "rk.rank": ("Rank", "类内排名"),
    "rk.score": ("Score", "评价得分"), "rk.output": ("Output ({u})", "总产出（{u}）"),
    "rk.output_change_pct": ("Output change since start", "产出较起始年变化"),
    "rk.delisted_share": ("Delisted (share of seeds)", "被撤销（种子占比）"),
    "rk.delisted_in": ("delisted in {p} of seeds", "已撤销（占种子的{p}）"),
    "rk.rank_note": ("Rank: the zones of a class ordered by their median rank over the {n} seeds (ties by median "
                     "score). The score shown is the median score, so its order can differ from the rank's: a zone "
                     "ranked high in one seed and low in another has a middling median rank.",
                     "名次：同一级别的高新区按各随机种子（{n}个）排名的中位数排序（相同时按得分中位数）。表中得分为各种子"
                     "得分的中位数，其高低次序可能与名次不同：某种子排名靠前、另一种子靠后的高新区，排名中位数居中。"),
    "rk.rank_note_1": ("Rank: the evaluation's rank within the class.", "名次：评价在同一级别内的排名。"),
    "rk.new": ("new", "新设"),
    # summaries in words (report and dashboard)
    "s.grows": ("grows by {p}", "增长{p}"), "s.falls": ("falls by {p}", "下降{p}"), "s.flat": ("stays about flat", "基本持平"),
    "s.output": ("Under '{t}', total output of the zones {ud} from {a} in {y0} to {b} in {y1} ({g} a year; "
                 "5–95% range over {n} seeds {lo}–{hi}).",
                 "在“{t}”下，{y0}年至{y1}年全区高新区总产出从{a}{ud}至{b}（年均{g}；{n}个种子的5–95%区间为{lo}–{hi}）。"),
    "s.firms": (" The number of firms reaches {f} ({fp}), certified high-tech firms {h} ({hp})",
                "企业数{fud}至{f}家，高新技术企业{hud}至{h}家"),
    "s.talent": (", and skilled talent {t} ({tp}).", "，人才{tud}至{t}人。"),
    "s.cv": ("The spread of output between zones (coefficient of variation) goes from {a} to {b}: {w}",
             "园区间产出差距（变异系数）从{a}变为{b}，{w}"),
    "s.cv_wider": ("the gap widens.", "差距扩大。"), "s.cv_narrower": ("the gap narrows.", "差距缩小。"),
    "s.cv_same": ("about unchanged.", "基本不变。"),
    "s.climber": ("The biggest climber in the ranking is {z} (rank {a} → {b} within its class).",
                  "排名上升最多的是{z}（类内第{a}名→第{b}名）。"),
    "s.faller": ("The biggest faller is {z} (rank {a} → {b}).", "排名下降最多的是{z}（第{a}名→第{b}名）。"),
    "s.level_zones": ("Zones {w} by the final year (share of seeds): {lst}.", "末年{w}的高新区（括号内为出现该情况的种子比例）：{lst}。"),
    "s.w.delisted": ("delisted", "被撤销"), "s.w.promoted": ("promoted to national", "升为国家级"),
    "s.w.hosted": ("hosted by another zone", "被托管"),
    "s.none_delisted": ("No zone was delisted in any seed.", "没有高新区在模拟期内被撤销。"),
    "s.public_money": ("Public money paid to zones in the final year: {m}.", "末年财政奖补总额为{m}。"),
    "s.compared": ("Compared with '{b}', '{t}' in {y}: {lst}.", "与“{b}”相比，“{t}”在{y}年：{lst}。"),
    "s.higher": ("{o} {p} higher", "{o}高{p}"), "s.lower": ("{o} {p} lower", "{o}低{p}"),
    "s.same": ("{o} unchanged", "{o}持平"),
    # the 5–95% range of the per-seed paired differences includes zero (not the paired 95% interval
    # the compare tables show: the summary says which spread it looked at)
    "s.not_sure": (" (the 5–95% range of the per-seed differences includes 0)", "（各随机种子差值的5–95%范围含0）"),
    "s.not_clear_paired": (" (not clear: the paired 95% interval includes 0)", "（不明确：配对95%区间含0）"),
    "s.sep": ("; ", "；"), "s.list_sep": (", ", "、"), "s.stop": (".", "。"),
    # the comparison's summary.md (sim.present.summaries.compare)
    "c.head": ("# Package comparison — {w}", "# 政策包比较 — {w}"),
    "c.intro": ("{s} seeds, {n} years, every package on the same seeds (common random numbers); changes are "
                "package minus '{b}' in {y}, mean over seeds with a 95% interval, in per cent of the baseline. "
                "A change is called clear when its interval excludes zero.",
                "{s}个随机种子，模拟{n}年，所有政策包使用相同的随机种子（共同随机数）；变化为{y}年政策包减“{b}”，"
                "取各种子均值及95%区间，以基准的百分比表示。区间不含0时称为明确的变化。"),
    "c.none": ("No region outcome differs clearly from '{b}' in {y}.", "{y}年没有全区指标与“{b}”有明确差异。"),
    "c.most": ("What changed most in the region by {y}: {lst}.", "到{y}年全区变化最大的指标：{lst}。"),
    "c.output": ("Region output: {v} against {b}, {c} (95% interval {lo} to {hi}) — {w} different.",
                 "全区总产出：{v}，基准为{b}，变化{c}（95%区间{lo}至{hi}）——{w}。"),
    "c.clearly": ("clearly", "差异明确"), "c.not_clearly": ("not clearly (within seed noise)", "差异不明确（在随机波动范围内）"),
    "c.zones": ("Zone output: largest gain {up} {upc}{upn}, largest loss {dn} {dnc}{dnn}.",
                "各高新区总产出：增幅最大的是{up}（{upc}{upn}），降幅最大的是{dn}（{dnc}{dnn}）。"),
    "c.zones_up": ("Zone output: every zone gains; most {up} {upc}{upn}, least {dn} {dnc}{dnn}.",
                   "各高新区总产出均有增长：最多的是{up}（{upc}{upn}），最少的是{dn}（{dnc}{dnn}）。"),
    "c.zones_down": ("Zone output: every zone loses; least {up} {upc}{upn}, most {dn} {dnc}{dnn}.",
                     "各高新区总产出均有下降：最少的是{up}（{upc}{upn}），最多的是{dn}（{dnc}{dnn}）。"),
    "c.not_clear": (" (not clear)", "，不明确"),
    "c.status": ("Status over the run (mean per seed, rounded): {d} downgraded or delisted, {p} promoted, "
                 "created or re-listed, {w} warnings.",
                 "模拟期内的级别变化（每个种子的平均次数，取整）：降级或摘牌{d}次，升级、新设或恢复{p}次，约谈{w}次。"),
    "c.table": ("| outcome | baseline | package | change [95% interval] | clear |", "| 指标 | 基准 | 政策包 | 变化 [95%区间] | 明确 |"),
    # what the pairing on common random numbers bought (compare's summary.md and report; issue 14)
    "cp.intro": ("{s} seeds, {n} years, every package on the same seeds (common random numbers: every random draw "
                 "is keyed by seed, stream, year and agent, so a package and '{b}' on one seed differ by the "
                 "package and little else). A change is package minus '{b}' in {y}, taken seed by seed and "
                 "averaged; its 95% interval is the paired one (a t-interval of the per-seed differences), in the "
                 "unit of the change (per cent of the baseline). A change is clear when its interval excludes "
                 "zero; otherwise the verdict says whether more seeds would settle it to ±{t} of the baseline.{few}",
                 "{s}个随机种子，模拟{n}年，所有政策包使用相同的随机种子（共同随机数：每一次随机抽取都由种子、随机流、"
                 "年份和主体确定，因此同一种子下政策包与“{b}”的差别几乎只来自政策包本身）。变化为{y}年政策包减“{b}”，"
                 "逐种子相减后取均值；95%区间为配对区间（各种子差值的t区间），单位与变化相同（基准的百分比）。"
                 "区间不含0时称为明确的变化；否则给出结论：增加种子能否把区间缩小到基准的±{t}以内。{few}"),
    # fewer than MIN_SEEDS_CLEAR seeds (sim.analysis.compare): no change is clear
    "cp.few_note": (" With {s} seeds no change is marked clear (3 or more are needed): a change of the same size "
                    "on both seeds gives an interval of zero width, which is no evidence.",
                    "种子少于3个时不判定任何变化为明确：两个种子下变化完全相同时，区间宽度为0，并不构成证据。"),
    "cp.output": ("Region output: {v} against {b}, {c} (paired 95% interval {lo} to {hi}) — {w}.",
                  "全区总产出：{v}，基准为{b}，变化{c}（配对95%区间{lo}至{hi}）——{w}。"),
    "cp.pairing": ("Pairing: baseline and package correlate {r} over seeds (median over zones {z}); {vr}.",
                   "配对：基准与政策包在各种子间的相关系数为{r}（各高新区中位数{z}）；{vr}。"),
    "cp.pairing_few": ("Pairing: {s} seeds are too few for a correlation of baseline and package; {vr}.",
                       "配对：{s}个种子太少，无法计算基准与政策包的相关系数；{vr}。"),
    "cp.vr": ("the paired difference varies {v} less than with independent seeds, so an interval of ±{t} needs "
              "about {n} seeds instead of {u}",
              "配对差值的方差比独立种子小{v}，区间达到±{t}约需{n}个种子，而独立种子需{u}个"),
    "cp.vr_identical": ("the package changed this outcome on no seed", "政策包在所有种子下都没有改变该指标"),
    "cp.times": ("{v}×", "{v}倍"), "cp.more_than": ("more than {n}", "超过{n}"),
    "cp.v.clear": ("clear", "明确"),
    "cp.v.small": ("not clear, though already resolved to ±{t}", "不明确，但区间已达到±{t}的精度"),
    "cp.v.sign": (" (about {n} seeds would tell its sign, if it is as estimated)",
                  "（若效应与估计值相同，约需{n}个种子才能判明方向）"),
    "cp.v.more_seeds": ("not clear at {s} seeds; about {n} seeds would resolve ±{t}",
                        "{s}个种子下不明确；约需{n}个种子才能分辨±{t}"),
    "cp.v.no_scale": ("not clear (the baseline is zero, so there is no ±{t} scale)",
                      "不明确（基准为0，无法按±{t}衡量）"),
    "cp.v.few_seeds": ("not clear: too few seeds to judge (3 or more needed)",
                       "不明确：种子太少，无法判断（至少需要3个）"),
    "cp.table": ("| outcome | baseline | package | change [paired 95% interval] | correlation | verdict |",
                 "| 指标 | 基准 | 政策包 | 变化 [配对95%区间] | 相关系数 | 结论 |"),
    "cp.head": ("What the pairing bought", "配对的作用"),
    "cp.table_intro": ("Region output in {y}, per package: the correlation between baseline and package over the "
                       "{s} seeds and its median over zones; the variance reduction (variance with independent "
                       "seeds over the paired variance); the seeds an interval of ±{t} of the baseline needs, "
                       "paired and with independent seeds; the verdict. Also in pairing.csv.",
                       "{y}年全区总产出，按政策包：基准与政策包在{s}个种子间的相关系数及其各高新区中位数；方差缩减倍数"
                       "（独立种子的方差除以配对方差）；区间达到基准±{t}所需的种子数（配对与独立种子）；结论。"
                       "数据见 pairing.csv。"),
    "cp.cols": (("package", "correlation (region output)", "median zone correlation", "variance reduction",
                 "seeds for ±{t}, paired", "seeds for ±{t}, independent", "effect [paired 95% interval]", "verdict"),
                ("政策包", "相关系数（全区总产出）", "各高新区相关系数中位数", "方差缩减", "达到±{t}所需种子（配对）",
                 "达到±{t}所需种子（独立）", "变化 [配对95%区间]", "结论")),
    "cp.r_vs": ("vs. {b} in {y} [paired 95% interval]", "与“{b}”相比（{y}年）[配对95%区间]"),
    # the workbook's column headers and sheet names (sim.present.excel; a zh workbook shows these)
    "x.baseline": ("baseline", "基准值"), "x.value": ("value", "政策包值"), "x.diff": ("diff", "差值（政策包−基准）"),
    "x.lo": ("lo", "配对95%区间下限"), "x.hi": ("hi", "配对95%区间上限"), "x.rel_change": ("rel_change", "相对变化"),
    "x.significant": ("significant", "明确（区间不含0）"), "x.seeds": ("seeds", "随机种子数"),
    "x.mean": ("mean", "均值"), "x.p05": ("p05", "第5百分位"), "x.p95": ("p95", "第95百分位"),
    "x.demoted": ("demoted", "降级或摘牌（每种子平均次数）"), "x.promoted": ("promoted", "升级、新设或恢复（每种子平均次数）"),
    "x.warnings": ("warnings", "约谈（每种子平均次数）"),
    "x.public_money": ("public_money", "财政奖补（累计，亿元）"), "x.public_money_se": ("public_money_se", "财政奖补标准误（亿元）"),
    "x.net_fiscal_cost": ("net_fiscal_cost", "净财政成本（累计，亿元）"),
    "x.net_fiscal_cost_se": ("net_fiscal_cost_se", "净财政成本标准误（亿元）"),
    "x.output_gain": ("output_gain", "产出增量（累计，亿元）"), "x.output_gain_se": ("output_gain_se", "产出增量标准误（亿元）"),
    "x.output_per_yuan": ("output_per_yuan", "每元财政奖补带来的产出（元）"),
    "x.output_per_net_yuan": ("output_per_net_yuan", "每元净财政成本带来的产出（元）"),
    "x.note": ("note", "说明"),
    "x.v.saves_money": ("no output per net yuan: the package saves the region money (net cost below 0)",
                        "不计算每元净成本产出：该政策包为自治区节省了财政资金（净成本小于0）"),
    "x.v.cost_not_clear": ("no output per net yuan: the net cost cannot be told from 0 (its 95% interval contains 0)",
                           "不计算每元净成本产出：净成本与0无法区分（其95%区间包含0）"),
    "x.v.one_seed": ("no output per net yuan: one seed gives no interval for the net cost",
                     "不计算每元净成本产出：只有一个种子，净成本没有区间"),
    "x.rel_half_width": ("rel_half_width", "区间相对半宽"), "x.correlation": ("correlation", "相关系数"),
    "x.zone_correlation_median": ("zone_correlation_median", "各高新区相关系数中位数"),
    "x.variance_reduction": ("variance_reduction", "方差缩减倍数"),
    "x.seeds_needed": ("seeds_needed", "达到±{t}所需种子（配对）"),
    "x.seeds_needed_unpaired": ("seeds_needed_unpaired", "达到±{t}所需种子（独立）"),
    "x.seeds_to_clear": ("seeds_to_clear", "判明方向约需种子"), "x.verdict": ("verdict", "结论"),
    "x.sheet.differences": ("differences", "与基准的差值"), "x.sheet.region_summary": ("region_summary", "全区汇总"),
    "x.sheet.status_events": ("status_events", "级别变化"), "x.sheet.fiscal": ("fiscal", "财政成本与产出"),
    "x.sheet.pairing": ("pairing", "配对的作用"),
    # the sweep's workbook (zonesim sweep --lang zh)
    "x.sheet.design": ("design", "设计表"), "x.sheet.points_region_mean": ("points_region_mean", "各设计点全区均值"),
    "x.sheet.runs_region": ("runs_region", "各次运行全区结果"),
    "x.run": ("run", "运行编号"), "x.point": ("point", "设计点"), "x.replicate": ("replicate", "重复序号"),
    "x.step": ("step", "模拟年次"),
    "cp.best_change": ("Change against the baseline [paired 95% interval]", "相对基准的变化 [配对95%区间]"),
    "cp.how_certain": ("Verdict (would more seeds change it?)", "结论（增加种子是否会改变）"),
    # attribution's summary.md (sim.present.summaries.analyses; issue 18)
    "at.by.area": ("areas", "政策领域"), "at.by.measure": ("measures", "政策措施"),
    "at.head": ("# Attribution of {p} by {by} — {o}, {y}", "# {p}按{by}的效应归因 — {y}年{o}"),
    "at.intro": ("World {w}; {s} seeds, every one of the {k} sub-packages on the same seeds. Effect = sub-package "
                 "minus '{b}'; 95% t-intervals across seeds; values in {u}.",
                 "模拟区域{w}；{s}个随机种子，全部{k}个子政策包使用相同的种子。效应 = 子政策包减“{b}”；"
                 "95%区间为各种子的t区间；数值单位为{u}。"),
    "at.total": ("Total effect of `{n}` on {o} in {y}: {e} {u} ({p} of {b}), 95% interval [{lo}, {hi}].",
                 "`{n}`对{y}年{o}的总效应：{e}{u}（为基准{b}的{p}），95%区间[{lo}, {hi}]。"),
    "at.total_titled": ("Total effect of `{n}` on {o} in {y}: {e} {u} ({p} of {b}), 95% interval [{lo}, {hi}].",
                        "“{n}”对{y}年{o}的总效应：{e}{u}（为基准{b}的{p}），95%区间[{lo}, {hi}]。"),
    "s.colon": (": ", "："),
    "at.share": (" ({p} of the effect)", "（占总效应{p}）"),
    "at.of_it": ("Of it: {lst}.", "其中：{lst}。"),
    "at.interactions": ("Interactions: the Shapley values add up to {s} (largest per-seed gap to the total: {g}); "
                        "the solo effects add up to {solo}, so interactions contribute {i} [{lo}, {hi}].",
                        "交互作用：各Shapley值之和为{s}（各种子与总效应的最大差距：{g}）；各措施单独效应之和为{solo}，"
                        "因此交互作用贡献{i} [{lo}, {hi}]。"),
    "at.table": ("| player | levers | Shapley | 95% interval | share | solo | last in |",
                 "| 参与方 | 政策工具 | Shapley值 | 95%区间 | 占比 | 单独效应 | 最后加入效应 |"),
    "at.strongest": ("Strongest pairwise interactions (Shapley interaction index; + reinforce, − substitute):",
                     "最强的成对交互作用（Shapley交互指数；+ 相互加强，− 相互替代）："),
    # robustness's summary.md
    "rb.head": ("# Robustness — {o} in {y}, study {s}", "# 稳健性比较 — {y}年{o}，研究{s}"),
    "rb.head_titled": ("# Robustness — {o} in {y}, study {s}", "# 稳健性比较 — {y}年{o}，研究“{s}”"),
    "rb.intro": ("{n} futures (Latin hypercube of {u}), {k} seeds each; every package in every future on the same "
                 "seeds. {m} {o} is better; regret = loss against the best package in the same future ({unit}).",
                 "{n}个未来情景（对{u}做拉丁超立方抽样），每个情景{k}个随机种子；每个政策包在每个情景下使用相同的种子。"
                 "{o}{m}；遗憾值 = 与同一情景下最佳政策包的差距（{unit}）。"),
    "rb.more": ("More", "越高越好"), "rb.less": ("Less", "越低越好"),
    "rb.least": ("Least regret: {p} (max regret {m}, {q} {v}; best in {b} of {n} futures).",
                 "遗憾值最小：{p}（最大遗憾值{m}，{q}{v}；在{n}个情景中有{b}个为最佳）。"),
    "rb.pq": ("p{q} regret", "{q}分位遗憾值"),
    "rb.meets": ("Most often meets {t}: {p} in {s} of futures.", "最常达到“{t}”的是{p}（{s}的情景）。"),
    "rb.cols": (("rank", "package", "mean", "worst", "max regret", "mean regret", "best in", "satisficing"),
                ("排名", "政策包", "均值", "最差", "最大遗憾值", "平均遗憾值", "最佳次数", "达标比例")),
    # discovery's summary.md
    "dc.head": ("# Scenario discovery — {c} in {y} ({z})", "# 情景发现 — {y}年{c}（{z}）"),
    "dc.intro": ("Runs from `{src}`: the condition holds in {k} of {n} runs ({p}). PRIM (EMA Workbench), density "
                 "threshold {t}.",
                 "运行结果来自`{src}`：{n}次运行中有{k}次满足条件（{p}）。方法：PRIM（EMA Workbench），密度阈值{t}。"),
    "dc.densest": (" (the densest step reached {p})", "（最高密度为{p}）"),
    "dc.no_box": ("No box reaches density {t}{b}: the failures are not concentrated in a simple region of the factors.",
                  "没有盒子的密度达到{t}{b}：未达标的运行并不集中在因素空间的某个简单区域。"),
    "dc.box": ("Box {b}: {r} — coverage {c} (of the failing runs), density {d} (of the {n} runs in the box fail), "
               "mass {m}. Restrictions with quasi-p <= {q}: {s}.",
               "盒子{b}：{r} — 覆盖率{c}（占未达标运行），密度{d}（盒内{n}次运行中未达标的比例），质量{m}。"
               "准p值 <= {q}的限制条件：{s}。"),
    "dc.in": ("{f} in {{{v}}}", "{f}取{v}"), "dc.between": ("{f} {lo} to {hi}", "{f}在{lo}至{hi}之间"),
    "dc.and": (" and ", "，且"), "dc.whole": ("(whole space)", "整个因素空间"),
    "dc.table": ("| box | factor | lower | upper | values | quasi-p |", "| 盒子 | 因素 | 下限 | 上限 | 取值 | 准p值 |"),
    # validation's report.md
    "va.head": ("# Validation of world '{w}' ({t})", "# 模型验证 — {t}"),
    "va.intro": ("{s} seeds, {y} years, no levers. A target passes when the model's mean across seeds lies in the "
                 "accepted interval; the 5-95% spread across seeds is shown beside it. Rows marked *fitted* are "
                 "moments the calibration (`zonesim calibrate`, docs/calibration.md) fitted; the others are out of "
                 "sample.",
                 "{s}个随机种子，模拟{y}年，不施加任何政策工具。模型各种子均值落在可接受区间内即为通过；旁边列出各种子的"
                 "5–95%范围。标注*已拟合*的行是校准（`zonesim calibrate`，见docs/calibration.md）所拟合的矩，其余为样本外检验。"),
    "va.table": ("| statistic | when | model mean [5%, 95%] | accepted | published figure | source | result |",
                 "| 统计量 | 时点 | 模型均值 [5%, 95%] | 可接受区间 | 公开数据 | 来源 | 结果 |"),
    "va.pass": ("pass", "通过"), "va.fail": ("**FAIL**", "**未通过**"), "va.fitted": (" (fitted)", "（已拟合）"),
    "va.passed": ("**{k} of {n} targets pass.**", "**{n}项目标中有{k}项通过。**"),
    "va.na": ("not assessed", "未评估"),
    "va.headline": ("{k} of {n} targets pass", "{n}项目标中有{k}项通过"),
    "va.headline_na": ("{k} of {a} assessed targets pass; {m} of {n} not assessed ({why})",
                       "已评估的{a}项目标中有{k}项通过；{n}项中有{m}项未评估（{why}）"),
    "va.why_short": ("run too short: {y} years, needs {need} years", "模拟期过短：本次{y}年，需{need}年"),
    "va.or": (" or ", "或"),
    "va.why_none": ("no seed gave a value", "各种子均无数值"),
    "va.why_sep": ("; ", "；"), "va.stop": (".", "。"),
    # validate's printed tables (sim.present.summaries.validation.format_table / format_policy / format_oos)
    "va.t.stat": ("statistic", "统计量"), "va.t.model": ("model mean [5%, 95%]", "模型均值 [5%, 95%]"),
    "va.t.accepted": ("accepted", "可接受区间"), "va.t.result": ("result", "结果"),
    "va.t.fitted": (" (fitted)", "（已拟合）"), "va.t.policy": ("policy responses", "政策响应"),
    "va.t.oos": ("out of sample (the 2017 world, 9 zones, run to 2021):", "样本外检验（2017年区域，9个高新区，模拟至2021年）："),
    "va.t.oos_row": ("  {f}: published {p}, model {m} ({d})", "  {f}：公开数据 {p}，模型 {m}（{d}）"),
    "va.s.head": ("measures against their intended sign (region, year {y}, paired log effect, mean +- s.e.):",
                  "各政策措施与预期方向的对比（全区，第{y}年，配对对数效应，均值 ± 标准误）："),
    "va.s.row": ("  {v} {m} {o} intended {i}  {e}% +- {se}  ({p}, {n} seeds)", "  {v} {m} {o} 预期{i}  {e}% ± {se}（{n}个种子）"),
    "va.s.opposite": ("opposite sign: {l}", "方向相反：{l}"), "va.s.none": ("none", "无"), "va.s.sep": (", ", "、"),
    "va.s.v.opposite": ("opposite", "方向相反"), "va.s.v.inconclusive": ("inconclusive", "不确定"),
    "va.s.v.negligible": ("negligible", "可忽略"), "va.s.v.as intended": ("as intended", "符合预期"),
    "va.pic_targets": ("targets", "验证目标"), "va.pic_sizes": ("firm sizes", "企业规模分布"),
    "va.pic_policy": ("policy", "政策响应"),
    "va.calibrated": ("## Calibrated parameters", "## 校准参数"),
    "va.cal_table": ("| parameter | params.py default | value in this world | fitted | moment it is fitted to |",
                     "| 参数 | params.py默认值 | 本区域取值 | 是否拟合 | 拟合的矩 |"),
    "va.policy": ("## Policy responses", "## 政策响应"),
    "va.policy_intro": ("{n} seeds per arm, common random numbers (each arm uses the same seeds).",
                        "每组{n}个随机种子，使用共同随机数（各组使用相同的种子）。"),
    "va.policy_table": ("| claim | source | expected | model mean [5%, 95%] | result | note |",
                        "| 论断 | 来源 | 预期 | 模型均值 [5%, 95%] | 结果 | 说明 |"),
    "va.r.pass": ("pass", "通过"), "va.r.DISAGREES": ("**disagrees**", "**不符**"),
    "va.r.inconclusive": ("inconclusive", "不确定"), "va.r.not checked": ("not checked", "未检验"),
    "va.when.year 0": ("year 0", "起始年"), "va.when.years 1..N": ("years 1..N", "第1至N年"),
    "va.when.last year": ("last year", "末年"),
    "va.when.years": ("years {a}..{b}", "第{a}至{b}年"), "va.when.last_n": ("last {n} years", "最后{n}年"), "va.when.year_n": ("year {n}", "第{n}年"),
    "va.footer": ("Where a row fails or disagrees, docs/validation.md explains why and what would fix it.",
                  "未通过或不符的行，原因及改进办法见docs/validation.md。"),
}

# the validation statistics' names in a Chinese report.md, by key (the English ones are the labels
# sim.analysis.validate gives them); a key not here keeps its English label
VALIDATION_STATS_ZH: dict[str, str] = {
    "tail_csn": "企业规模分布尾部指数（CSN幂律拟合）",
    "tail_hill": "企业规模分布尾部指数（Hill估计，前2%）",
    "tail_hill_0": "起始年企业规模分布尾部指数（Hill估计，前2%）",
    "above_scale_0": "起始年产值2,000万元及以上的企业数",
    "large_0": "起始年年产值1.33亿元及以上的企业数",
    "above_scale_elasticity": "产值2,000万元及以上企业数的增长与产出增长之比（对数）",
    "size_volatility": "企业增长波动（对数）对企业规模（对数）的斜率",
    "growth_kurtosis": "企业增长率的峰度（按规模十分位分组）",
    "exit_year1_ratio": "第1年退出率与第2至5年平均退出率之比",
    "hightech_4y_ratio": "第4年与起始年高新技术企业数之比",
    "output_growth_early_gap": "第1至2年与第3至10年产出增长率之差",
    "exit_rate": "企业年退出率",
    "entry_rate": "企业年进入率",
    "young_share": "成立不满5年的企业占在营企业比例",
    "agglomeration": "产业集聚弹性（人均产出对数对所在网格就业对数）",
    "output_0": "起始年各高新区总产出（亿元）",
    "firms_0": "起始年企业数",
    "hightech_0": "起始年高新技术企业数",
    "va_ratio_0": "起始年增加值率（增加值/产出）",
    "output_per_firm_0": "起始年企业平均产出（百万元）",
    "net_margin_0": "起始年净利润率（净利润/产出）",
    "top2_0": "起始年南宁、柳州为最大的两个高新区且各超过1,000亿元",
    "top2_last": "末年南宁、柳州仍为最大的两个高新区",
    "rank_first_to_last": "同类中由第一名跌至最后一名的园区年份占比",
    "output_rank_corr": "各高新区产出排名的逐年相关系数（Spearman）",
    "firms_growth": "企业数年增长率",
    "output_growth": "各高新区总产出年增长率",
    "output_cv_1": "第1年全区产出的种子间变异系数",
    "output_cv_last": "末年全区产出的种子间变异系数",
}

# the out-of-sample figures in Chinese, by key (sim.analysis.validate.OUT_OF_SAMPLE); money in 亿元
VALIDATION_OOS_ZH: dict[str, str] = {
    "liuzhou_growth_2018": "柳州高新区2018年产出增长率",
    "hightech_2019": "9个高新区2019年高新技术企业数",
    "hightech_2020": "9个高新区2020年高新技术企业数",
    "nanning_hightech_2020": "南宁高新区2020年10月高新技术企业数",
    "output_2021": "9个高新区2021年总产出（亿元）",
    "firms_2021": "9个高新区2021年企业数",
}

# validate's published figures in Chinese, by target key (sim.analysis.validate.TARGETS' `target`; {n20}/{n133}: the scaled counts)
VALIDATION_TARGETS_ZH: dict[str, str] = {
    "tail_csn": "齐夫分布：1.06 ± 0.05",
    "tail_hill": "齐夫分布：1.06 ± 0.05",
    "tail_hill_0": "约为1（齐夫分布）",
    "above_scale_0": "{n20}（2017年1–9月9个高新区1,040家，按产出936/726折算）",
    "large_0": "{n133}（2017年1–9月9个高新区产值1亿元以上640家，按936/726折算）",
    "above_scale_elasticity": "约为1：固定门槛以上的企业数随产出同步变化（齐夫尾部）",
    "size_volatility": "−0.15 ± 0.03（按销售额），约−0.2",
    "growth_kurtosis": "帐篷形（拉普拉斯分布：6），而非正态分布（3）",
    "exit_year1_ratio": "1：起步年份无退出高峰",
    "hightech_4y_ratio": "上升（广西：2017年1,204家，2020年底超过2,700家）",
    "output_growth_early_gap": "0：起步阶段产出不停滞、不跳升",
    "exit_rate": "每年6–9%",
    "entry_rate": "更替率6–9%，另加不超过1个百分点的净增长",
    "young_share": "近一半",
    "agglomeration": "规模每翻一番提高2–11%",
    "output_0": "约9,000亿元（2021年）",
    "firms_0": "36,700（各高新区合计；2017年9个高新区25,264家）；起始年自身的退出与进入会改变该数",
    "hightech_0": "1,318（按表：占广西2021年约3,000家的44%）",
    "va_ratio_0": "0.257（140.0/544.5）",
    "output_per_firm_0": "28.7（5,445亿元 × 12/9，除以25,264家企业）",
    "net_margin_0": "0.060（34.7/574.95营业收入）",
    "top2_0": "是",
    "top2_last": "保持领先",
    "rank_first_to_last": "无缘由时不应出现",
    "output_rank_corr": "排名稳定",
    "firms_growth": "增长：2014–2017年每个高新区每年约6%（6个高新区14,019家增至9个高新区25,264家）",
    "output_growth": "2017–2021年每年4.5%（含2020年冲击）；此前每年约7%",
    "output_cv_1": "较小：仅一年的个体企业冲击",
    "output_cv_last": "远低于7.8%（至多一半）",
}

# validate's policy-response notes in Chinese, by template (sim.analysis.validate.NOTES; formatted from the rows' note_key and note_fields by summaries.validation.note_text)
VALIDATION_NOTES_ZH: dict[str, str] = {
    "ratio": "{n}个种子的总和之比（5–95%区间与标准误由自助法求得）",
    "near": "不确定：{b}与估计值之差不足2个标准误（{se}）",
    "noise": "不确定：{n}个种子下均值的绝对值小于2个标准误（{se}）",
    "gap": "最大与最小高新区产出之比（对数）变化{d}",
    "land": "与模型的按需分配规则相比：{d}（按地均产出分配发放全部用地指标，按需分配只发放各高新区申请的部分）；产出（对数）较平均分配{o}",
    "tranche": "第一笔资金每亿元带来产出{a}亿元，第二笔{b}亿元（末年产出，资金全部拨付）",
    "missing": "模型尚无此政策工具：未检验",
}

# the moment each calibrated parameter is fitted to, in Chinese (sim.analysis.calibrate.FREE's `why`)
FITTED_MOMENTS_ZH: dict[str, str] = {
    "exit_base_hazard": "企业退出率",
    "exit_young_hazard": "企业退出率与成立不满5年企业占比",
    "startup_rate": "企业进入率",
    "growth_noise": "企业规模分布尾部指数（增长与退出、进入共同决定）",
    "agglomeration_elasticity": "产业集聚弹性",
    "growth_drift": "各高新区总产出增长率",
    "innovation_rate": "起始年高新技术企业数（认定所需知识产权）与产出增长率",
    "certification_rate": "起始年高新技术企业数及其增长",
    "entrant_size_mean": "高新技术企业数与企业进入（新进入企业规模）",
}

# the policy responses' claims and expectations in Chinese, by key (sim.analysis.validate)
VALIDATION_CLAIMS_ZH: dict[str, tuple[str, str]] = {
    "status_effect": ("升为国家级提高该高新区的产出水平", "对数效应在[0.05, 0.40]之间"),
    "status_entry_share": ("产出增量更多来自企业净进入而非原有企业", "非原有企业贡献的增量占比 > 0.5"),
    "status_lower_tier": ("规模较小（级别较低）的高新区效应更大", "小园区效应 − 大园区效应 > 0"),
    "leaders_widen_gap": ("奖励集中于领先园区会拉大园区间差距", "产出变异系数（政策 − 基准）> 0"),
    "land_by_performance": ("按绩效分配用地提高地均产出", "对数地均产出（按地均产出分配 − 同一指标平均分配）> 0"),
    "reward_diminishing": ("支持的边际收益递减：第二笔资金每元带来的产出少于第一笔", "第二笔边际产出 − 第一笔边际产出 < 0"),
}


def tr(key: str, lang: str = "en", **fields: Any) -> Any:
    """The text of ``key`` in ``lang``, formatted with ``fields`` (a tuple entry is returned whole)."""
    en, zh = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**fields) if fields and isinstance(text, str) else text


def pick(en: Any, zh: Any, lang: str) -> Any:
    """The Chinese or English one of a pair of fields (``name`` / ``name_zh``); English when the
    Chinese one is empty."""
    return (zh or en) if lang == "zh" else en


def paren(text: str, lang: str) -> str:
    """``text`` in brackets, with the brackets and spacing of the language."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


def zone_names(world: Any, lang: str, packages: Any = ()) -> dict[str, str]:
    """Zone id -> name in ``lang`` for a world (and the new zones of ``packages``)."""
    names = {z.id: pick(z.name, z.name_zh, lang) for z in world.zones}
    for p in packages:
        for park in getattr(p.settings.get("new_zones"), "parks", ()):
            names.setdefault(park.id, pick(park.name, park.name_zh, lang))
    return names


def kind_name(kind: str, lang: str = "en") -> str:
    return tr(f"k.{kind}", lang) if f"k.{kind}" in TEXT else kind


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        from sim.core.errors import InputError

        raise InputError(None, "--lang", f"expected zh or en, got {lang!r}")
    return lang
