"""What the dashboard's controls say: every setting's name, unit and help in Chinese and English,
the words of the page, and the package list grouped by the policy's six areas.

A setting is named by its path without item numbers (``funding_reward.tiers.amount``). The
English help is the field's own description (``sim.policies``, the source of truth); the Chinese
help is written here. Package titles come from the package files (``title`` / ``title_zh``),
lever and area names from :mod:`sim.present.i18n`: a slug is never shown.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sim.present.format import num
from sim.present.i18n import AREAS, lever_name

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
    "zones": ("Zones", "适用园区", "", "", "政策适用的高新区：全部、国家级、自治区级或指定园区；已撤销园区不适用"),
    "on": ("on", "启用", "", "", ""),
}
INDICATORS = (("innovation", "创新"), ("structure", "结构"), ("green", "绿色"), ("openness", "开放"), ("quality", "质量"))
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
}


def _path(key: str) -> str:
    """'funding_reward.tiers.0.amount' -> 'funding_reward.tiers.amount'."""
    return ".".join(p for p in key.split(".") if not p.isdigit())


def setting_words(key: str, lang: str, description: str = "") -> tuple[str, str, str]:
    """(name, unit, help) of the control at ``key`` in ``lang``."""
    parts = key.split(".")
    path = _path(key)
    if path.endswith(".on"):
        name, unit, hlp = setting_words(key[:-3], lang, description)
        return (f"{name}：启用" if lang == "zh" else f"{name}: on"), "", hlp
    row = SETTINGS.get(path) or (SETTINGS["zones"] if parts[-1] == "zones" else None)
    weight = parts[-1].isdigit() and path in ("classified_evaluation.national_weights",
                                              "classified_evaluation.region_weights")
    if row is None:
        words = parts[-1].replace("_", " ")
        return words, "", description
    en, zh, uen, uzh, hzh = row
    name = zh if lang == "zh" else en
    if weight:
        ind = INDICATORS[int(parts[-1])]
        name = f"{name}：{ind[1]}" if lang == "zh" else f"{name}: {ind[0]}"
    items = [p for p in parts[1:-1] if p.isdigit()]
    if items:   # one item of a list (a reward tier)
        name = (f"第{int(items[0]) + 1}档 " if lang == "zh" else f"tier {int(items[0]) + 1}: ") + name
    return name, (uzh if lang == "zh" else uen), (hzh if lang == "zh" else description)


def choice_word(value: Any, lang: str) -> str:
    en, zh = CHOICES.get(str(value), (str(value).replace("_", " "), str(value).replace("_", " ")))
    return zh if lang == "zh" else en


# ------------------------------------------------------------------------------------------
# the page's words
# ------------------------------------------------------------------------------------------
UI: dict[str, dict[str, Any]] = {
    "en": {"world": "World", "package": "Package", "lang": "Language", "live": "Live run", "compare": "Compare",
           "year": "Year", "levers": "Levers on", "none": "none", "apply": "Lever and seed changes apply on Reset.",
           "not_applied": "Settings not applied (the package's own settings are used)", "a": "Package A",
           "b": "Package B", "c": "Package C", "d": "Package D", "seeds": "Seeds", "years": "Years",
           "run_both": "Run the comparison", "running": "Running…",
           "same_seeds": "All packages run on the same seeds: {s}.", "ranking": "Ranking, year {y}",
           "region": "Region totals", "zones": "Zones", "map": "Map",
           "diff": "Final year: each package minus A (mean over seeds)",
           "diff_cols": ("Package", "Outcome", "Change vs A", "5–95% over seeds", "Change vs A (%)"),
           "controls": "Run", "reset": "Reset", "step": "Step", "play": "Play", "pause": "Pause",
           "interval": "Play interval (ms)", "params": "Run settings", "seed": "Random seed", "horizon": "Horizon (years)",
           "band": "Band seeds", "current": "(current settings)", "no_pkg": "(none)",
           "modified": "modified", "restore": "Restore the package's settings", "save": "Save as package file",
           "load": "Load a package file (.yaml)", "loaded": "Loaded: {t}", "export": "Export",
           "csv": "Table (CSV)", "xlsx": "Table (Excel)", "png": "Chart (PNG)",
           "levers_card": "Levers (applied on Reset)", "pending": "Changes pending: press Reset",
           "band_note": "Lines: median over {k} seeds, band 5–95%; the baseline runs on the same seeds for reference (see the legend).",
           "baseline": "Baseline (reference)", "help": "Help", "all_pkgs": "Whole packages",
           "area_pkgs": "Area {a}", "several": "Several areas", "uploaded": "Loaded files",
           "settings_of": "Settings", "on_zones": "zones", "pairs_none": "chosen by rule",
           "custom": "custom", "upload_bad": "Not loaded — {e}"},
    "zh": {"world": "模拟区域", "package": "政策包", "lang": "语言", "live": "实时模拟", "compare": "政策包对比",
           "year": "年份", "levers": "启用的政策工具", "none": "无", "apply": "政策参数和随机种子在点击“重置”后生效。",
           "not_applied": "参数未生效（使用政策包原设置）", "a": "政策包 A", "b": "政策包 B", "c": "政策包 C",
           "d": "政策包 D", "seeds": "随机种子数", "years": "模拟年数", "run_both": "运行对比", "running": "运行中…",
           "same_seeds": "所有政策包使用相同的随机种子：{s}。", "ranking": "{y}年排名",
           "region": "全区合计", "zones": "各高新区", "map": "空间分布", "diff": "末年差值（各政策包 − A，各种子均值）",
           "diff_cols": ("政策包", "指标", "相对A的变化", "各种子5–95%区间", "相对A变化（%）"),
           "controls": "运行", "reset": "重置", "step": "单步", "play": "播放", "pause": "暂停",
           "interval": "播放间隔（毫秒）", "params": "模拟设置", "seed": "随机种子", "horizon": "模拟期（年）",
           "band": "区间带的种子数", "current": "（当前设置）", "no_pkg": "（不选）",
           "modified": "已修改", "restore": "恢复政策包原设置", "save": "保存为政策包文件",
           "load": "载入政策包文件（.yaml）", "loaded": "已载入：{t}", "export": "导出",
           "csv": "数据表（CSV）", "xlsx": "数据表（Excel）", "png": "图表（PNG）",
           "levers_card": "政策工具（点击“重置”生效）", "pending": "有未生效的修改：请点击“重置”",
           "band_note": "线为{k}个随机种子的中位数，阴影为5–95%区间；基准方案在相同种子下运行，作为参照（见图例）。",
           "baseline": "基准（参照）", "help": "说明", "all_pkgs": "综合方案",
           "area_pkgs": "{a}", "several": "跨领域方案", "uploaded": "载入的文件",
           "settings_of": "设置", "on_zones": "园区", "pairs_none": "按规则自动配对",
           "custom": "自定义", "upload_bad": "未载入：{e}"},
}


def ui(key: str, lang: str, **fields: Any) -> Any:
    text = UI["zh" if lang == "zh" else "en"][key]
    return text.format(**fields) if fields and isinstance(text, str) else text


# ------------------------------------------------------------------------------------------
# packages grouped by area
# ------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def package_areas() -> dict[str, int]:
    """Package name -> the area (1-6) of the levers it sets beyond the baseline; 0 for a whole
    package (the baseline, or levers from several areas)."""
    from sim.policies import REGISTRY
    from sim.scenario.packages import load_package
    from sim.scenario.world import PACKAGES, bundled_names

    base = load_package("baseline")
    out: dict[str, int] = {}
    for name in bundled_names(PACKAGES):
        try:
            pkg = load_package(name)
        except Exception:  # noqa: BLE001 - a broken bundled file is listed as a whole package
            out[name] = 0
            continue
        changed = {k for k in set(pkg.levers) | set(base.levers)
                   if pkg.settings.get(k) != base.settings.get(k)}
        areas = {REGISTRY[k].area for k in changed if k in REGISTRY}
        out[name] = areas.pop() if len(areas) == 1 else 0
    return out


def package_items(names: list[str], lang: str, titles: dict[str, str], extra: list[tuple[str, str]] = ()) -> list:
    """Items of a grouped package select: a header per area (whole packages first), then the
    packages of that area by title; ``extra`` (value, text) pairs come first, without a header."""
    areas = package_areas()
    items: list[dict[str, Any]] = [{"text": t, "value": v} for v, t in extra]
    for area in range(7):
        group = sorted((n for n in names if areas.get(n, 0) == area), key=lambda n: (n != "baseline", titles[n]))
        if not group:
            continue
        head = ui("all_pkgs", lang) if area == 0 else (
            area_name_words(area, lang))
        items.append({"header": head})
        items.extend({"text": titles[n], "value": n} for n in group)
    return items


def area_name_words(area: int, lang: str) -> str:
    en, zh = AREAS[area]
    return f"{'一二三四五六'[area - 1]}、{zh}" if lang == "zh" else f"Area {area}: {en}"


def lever_words(name: str, lang: str) -> str:
    return lever_name(name, lang)


# ------------------------------------------------------------------------------------------
# settings in words (the header, the control labels)
# ------------------------------------------------------------------------------------------
def with_unit(v: float, unit: str) -> str:
    """A number and its unit; shares (0-1) are shown in per cent: 0.15 'share/yr' -> '15%/yr'."""
    for word in ("share", "比例"):
        if unit.startswith(word):
            p = f"{float(v) * 100:,.2f}".rstrip("0").rstrip(".")
            return f"{p}%{unit[len(word):]}"
    return f"{plain(v)} {unit}".strip()


def plain(v: Any) -> str:
    """A setting's number as people write it (no scientific notation)."""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return f"{v:,d}"
    if isinstance(v, float):
        return num(v)
    return str(v)


def _zone_word(z: str, names: dict[str, Any], lang: str) -> str:
    if z in ("all", "national", "region"):
        return choice_word(z, lang)
    n = names.get(z)
    return (n[1] if lang == "zh" else n[0]) if n else z


def setting_value_text(key: str, v: Any, lang: str, names: dict[str, Any]) -> str:
    """One setting's value in words: numbers plain with their unit, choices in words, zones and
    parks by name."""
    _, unit, _ = setting_words(key, lang)
    if v is None:
        return "不设" if lang == "zh" else "none"
    if isinstance(v, bool):
        return ("是" if v else "否") if lang == "zh" else ("yes" if v else "no")
    if isinstance(v, (int, float)):
        if lang == "zh" and key.endswith("min_output_bn"):
            return f"{num(v * 10)} 亿元/年"
        return with_unit(v, unit)
    if isinstance(v, str):
        return choice_word(v, lang)
    if isinstance(v, (list, tuple)):
        items = []
        for x in v:
            if isinstance(x, dict) and "host" in x:
                items.append(f"{_zone_word(x['host'], names, lang)}→{_zone_word(x['hosted'], names, lang)}")
            elif isinstance(x, dict) and "id" in x:
                items.append(str(x.get("name_zh") if lang == "zh" else x.get("name")))
            elif isinstance(x, dict):
                items.append("(" + ", ".join(f"{setting_value_text(k, y, lang, names)}" for k, y in x.items()) + ")")
            elif isinstance(x, (int, float)):
                items.append(plain(x))
            else:
                items.append(_zone_word(str(x), names, lang))
        if not items:
            return ui("pairs_none", lang) if key.endswith("pairs") else ("无" if lang == "zh" else "none")
        return ("、" if lang == "zh" else ", ").join(items)
    return str(v)


def settings_summary(settings: dict[str, Any], lang: str, names: dict[str, Any]) -> list[tuple[str, str]]:
    """(lever name, its settings in words) per lever in force: what the header shows."""
    out = []
    for name, st in settings.items():
        parts = []
        for field, v in st.model_dump(mode="json").items():
            key = f"{name}.{field}"
            if field.endswith("weights") and isinstance(v, list):
                text = "/".join(plain(x) for x in v) + (" 分" if lang == "zh" else " points")
            elif field == "tiers" and isinstance(v, list):
                text = "; ".join(
                    f"{choice_word(t['level'], lang)} {choice_word(t['rule'], lang)} {t['count']}"
                    f"{'家' if lang == 'zh' else ''}×{plain(t['amount'])} {setting_words(key + '.amount', lang)[1]}"
                    for t in v)
            else:
                text = setting_value_text(key, v, lang, names)
            parts.append(f"{setting_words(key, lang)[0]} {text}")
        out.append((lever_name(name, lang), ("；" if lang == "zh" else "; ").join(parts)))
    return out


def control_label(key: str, spec: dict[str, Any], v: Any, lang: str) -> str:
    """'Subsidy amount: 20 CNY k per person/yr' — the name, the value now and the unit."""
    name, unit, _ = setting_words(key, lang, spec.get("help_en", ""))
    if spec["type"] in ("SliderInt", "SliderFloat"):
        if lang == "zh" and key.endswith("min_output_bn"):
            return f"{name}: {num(float(v) * 10)} 亿元/年"
        return f"{name}: {with_unit(v, unit)}"
    return name


def lever_label(name: str, lang: str) -> str:
    """A lever's switch: its name; in English also the key a package file uses."""
    return lever_name(name, lang) if lang == "zh" else f"{lever_name(name, lang).capitalize()} · {name}"


