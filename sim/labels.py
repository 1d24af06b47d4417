"""Chart and table labels in English and Chinese, and CJK font set-up for matplotlib."""

from __future__ import annotations

from functools import lru_cache

from .metrics import BY_NAME, REGION_OUTCOMES

LANGS = ("en", "zh")

ZH = {
    "output": "总产出（亿元→十亿元）", "value_added": "增加值（十亿元）", "firms": "企业数",
    "hightech_firms": "高新技术企业数", "entries": "新进入企业", "exits": "退出企业", "talent": "人才（人）",
    "high_skill_share": "高层次人才占比", "rd": "研发投入（十亿元）", "rd_intensity": "研发强度",
    "innovations": "创新成果（项）", "land_developed": "已开发土地（平方公里）",
    "output_per_km2": "地均产出（十亿元/平方公里）", "tax": "税收（十亿元）", "score": "评价得分",
    "rank": "类内排名", "employees": "从业人员", "budget": "园区预算（十亿元）", "transfers": "奖补资金（十亿元）",
    "region_title": "广西高新区合计（中位数及5–95%区间，{seeds}个随机种子）",
    "zone_output_title": "各高新区总产出（十亿元，对数坐标）", "zone_rank_title": "各高新区类内排名（1=最好）",
}
EN_EXTRA = {
    "region_title": "Guangxi zones, region totals (median and 5-95% band over {seeds} seeds)",
    "zone_output_title": "Output by zone (CNY bn, log scale)",
    "zone_rank_title": "Rank within class (1 = best; solid = national)",
}
ZH["output"] = "总产出（十亿元）"


def label(key: str, lang: str = "en") -> str:
    """Human label of an outcome or chart title in ``lang``."""
    if lang == "zh" and key in ZH:
        return ZH[key]
    if key in EN_EXTRA:
        return EN_EXTRA[key]
    o = BY_NAME.get(key) or next((r for r in REGION_OUTCOMES if r.name == key), None)
    if o is not None:
        return f"{o.name.replace('_', ' ')} ({o.unit})"
    return key.replace("_", " ")


def zone_label(zone_id: str, lang: str, names: dict[str, str] | None = None) -> str:
    if names and zone_id in names:
        return names[zone_id]
    return zone_id.replace("_", " ").title()


CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "Source Han Sans SC", "SimHei", "Microsoft YaHei")


@lru_cache(maxsize=None)
def cjk_font() -> str | None:
    """The first installed CJK font matplotlib can find, or None."""
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in have), None)


def setup_fonts(lang: str) -> None:
    import matplotlib

    if lang == "zh":
        font = cjk_font()
        if font:
            matplotlib.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
            matplotlib.rcParams["axes.unicode_minus"] = False
    else:
        matplotlib.rcParams["font.sans-serif"] = ["DejaVu Sans"]
