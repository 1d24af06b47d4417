"""Chart and table labels in English and Chinese, and CJK font set-up for matplotlib.

``label(key, lang)`` gives the human label of an outcome (every name in ``sim.outcomes.metrics``), a
level, or a chart title. Chinese labels live in ``ZH``; English ones are built from the
outcome's unit unless ``EN_EXTRA`` says otherwise. Another module may add a line to either dict.

Chinese text in matplotlib needs a CJK font: ``setup_fonts("zh")`` finds one (Debian:
``apt-get install fonts-noto-cjk``), registering it with matplotlib even when matplotlib's font
cache predates the font's installation, so no character is drawn as a box.
"""

from __future__ import annotations

from functools import lru_cache

from sim.outcomes.metrics import BY_NAME, REGION_OUTCOMES

LANGS = ("en", "zh")

ZH = {
    # outcomes (sim.outcomes.metrics.OUTCOMES), with units
    "output": "总产出（十亿元）", "value_added": "增加值（十亿元）", "firms": "企业数",
    "hightech_firms": "高新技术企业数", "entries": "新进入企业（家/年）", "startups": "新创企业（家/年）",
    "spinoffs": "衍生企业（家/年）", "arrivals": "区外迁入企业（家/年）", "exits": "退出企业（家/年）",
    "entries_blocked": "因缺地未能落户企业（家/年）", "moves_in": "区内迁入企业（家/年）",
    "moves_out": "迁出企业（家/年）", "employees": "从业人员（人）", "talent": "人才（人）",
    "high_skill": "高层次人才（人）", "high_skill_share": "高层次人才占比",
    "talent_inflow": "人才流入（人/年）", "talent_outflow": "人才流出（人/年）",
    "rd": "研发投入（十亿元）", "rd_intensity": "研发强度（研发/产出）", "innovations": "创新成果（项/年）",
    "land_total": "规划面积（平方公里）", "land_developed": "已开发土地（平方公里）",
    "land_available": "未开发土地（平方公里）", "land_occupied": "企业用地（平方公里）",
    "land_allotted": "新增建设用地指标（平方公里/年）",
    "output_per_km2": "地均产出（十亿元/平方公里）", "tax": "税收（十亿元）", "tax_kept": "园区留存税收（十亿元）",
    "transfers": "奖补资金（十亿元）", "budget": "园区预算（十亿元）", "platforms": "创新平台（个）",
    "mgmt_eff": "管理效率（0–1）", "score": "评价得分（0–100）", "rank": "类内排名（1=最好）",
    "level": "级别代码", "hosted_by": "托管园区",
    # recorded by levers (sim/policies)
    "rewards": "评价奖励资金（十亿元/年）", "region_support": "自治区直接扶持支出（十亿元/年）",
    "warnings": "约谈次数（次/年）", "promoted": "升级、新设或恢复（次/年）", "demoted": "降级或摘牌（次/年）",
    "tax_shared": "托管分成税收（十亿元/年，+收入/-支出）", "land_reclaimed": "收回闲置用地（平方公里/年）",
    # region-only outcomes (sim.outcomes.metrics.REGION_OUTCOMES)
    "region_talent_inflow": "区外人才流入（人/年）", "region_talent_outflow": "人才流出区外或退休（人/年）",
    "land_quota_issued": "下达建设用地指标（平方公里/年）", "output_cv": "园区间产出变异系数",
    "public_money": "财政奖补总额（十亿元）",
    # levels and table words
    "national": "国家级", "region": "自治区级", "delisted": "已撤销", "hosted": "被托管",
    "zone": "高新区", "level_name": "级别", "year": "年份", "package": "政策包", "seed": "随机种子",
    # chart titles
    "region_title": "广西高新区合计（中位数及5–95%区间，{seeds}个随机种子）",
    "zone_output_title": "各高新区总产出（十亿元，对数坐标）", "zone_rank_title": "各高新区类内排名（1=最好；实线=国家级）",
    "map_title": "高新区分布（点大小=产出，颜色=级别）", "lon": "经度", "lat": "纬度",
}
EN_EXTRA = {
    "region_title": "Guangxi zones, region totals (median and 5-95% band over {seeds} seeds)",
    "zone_output_title": "Output by zone (CNY bn, log scale)",
    "zone_rank_title": "Rank within class (1 = best; solid = national)",
    "map_title": "Zones by location (size = output, colour = level)", "lon": "longitude", "lat": "latitude",
    "national": "national", "region": "region-level", "delisted": "delisted", "hosted": "hosted",
    "zone": "zone", "level_name": "level", "year": "year", "package": "package", "seed": "seed",
}


def label(key: str, lang: str = "en") -> str:
    """Human label of an outcome, level or chart title in ``lang`` (unknown keys: readable key)."""
    if lang == "zh" and key in ZH:
        return ZH[key]
    if key in EN_EXTRA:
        return EN_EXTRA[key]
    o = BY_NAME.get(key) or next((r for r in REGION_OUTCOMES if r.name == key), None)
    if o is not None:
        return f"{o.name.replace('_', ' ')} ({o.unit})"
    return key.replace("_", " ")


def level_label(level_name: str, lang: str = "en", hosted: bool = False) -> str:
    """'national' / 'region-level' / 'delisted', plus ', hosted' (国家级 / 自治区级 / 已撤销 / 被托管)."""
    text = label(level_name, lang)
    if hosted:
        text += ("，" if lang == "zh" else ", ") + label("hosted", lang)
    return text


def zone_label(zone_id: str, lang: str, names: dict[str, str] | None = None) -> str:
    if names and zone_id in names:
        return names[zone_id]
    return zone_id.replace("_", " ").title()


CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "Noto Serif CJK SC")
# File-name hints of CJK fonts, to register fonts installed after matplotlib built its cache.
_CJK_FILE_HINTS = ("notosanscjk", "notoserifcjk", "sourcehansans", "wqy", "simhei", "msyh")


@lru_cache(maxsize=None)
def cjk_font() -> str | None:
    """The first installed CJK font matplotlib can use, or None.

    matplotlib's font list is cached on disk; a font installed later (``apt-get install
    fonts-noto-cjk``) is missing from it, so system font files that look like CJK fonts are
    registered with ``fontManager.addfont`` before giving up.
    """
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    found = next((f for f in CJK_FONTS if f in have), None)
    if found:
        return found
    for path in font_manager.findSystemFonts():
        if any(h in path.lower().replace("-", "").replace("_", "") for h in _CJK_FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    have = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in have), None)


def setup_fonts(lang: str) -> str | None:
    """Point matplotlib at a CJK font for ``zh`` (returns its name, or None if none is installed)."""
    import matplotlib

    if lang == "zh":
        font = cjk_font()
        if font:
            matplotlib.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
            matplotlib.rcParams["font.family"] = "sans-serif"
            matplotlib.rcParams["axes.unicode_minus"] = False
        return font
    matplotlib.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = True
    return None


def fmt_number(v: float | None, na: str = "n/a") -> str:
    """A number for tables and summaries in words: thousands separated from 1,000, one decimal
    from 10, 3 significant digits below; ``na`` when missing or not finite."""
    import math

    if v is None or not math.isfinite(v):
        return na
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    return f"{v:.1f}" if a >= 10 else f"{v:.3g}"
