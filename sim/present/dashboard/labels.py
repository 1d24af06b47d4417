"""What the dashboard's controls say: every setting's name, unit and help in Chinese and English,
the words of the page, and the package list grouped by the policy's six areas.

A setting is named by its path without item numbers (``funding_reward.tiers.amount``). The
English help is the field's own description (``sim.policies``, the source of truth); the names
and the Chinese help are in :mod:`sim.present.i18n` (shared with study factors). Package
titles come from the package files (``title`` / ``title_zh``), lever and area names from
:mod:`sim.present.i18n`: a slug is never shown.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sim.present.format import num
from sim.present.i18n import AREAS, CHOICES, SETTINGS, lever_name  # SETTINGS, CHOICES: shared with study factors

INDICATORS = (("innovation", "创新"), ("structure", "结构"), ("green", "绿色"), ("openness", "开放"), ("quality", "质量"))


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
            if isinstance(x, dict) and "host" in x and "hosted" in x:
                items.append(f"{_zone_word(x['host'], names, lang)}→{_zone_word(x['hosted'], names, lang)}")
            elif isinstance(x, dict) and "id" in x:
                items.append(str(x.get("name_zh") if lang == "zh" else x.get("name")))
            elif isinstance(x, dict) and "zone" in x and "year" in x:  # a zone designated national
                items.append(_zone_word(str(x["zone"]), names, lang))
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


