"""Dashboard controls built from the levers' ``Settings`` models, and settings rebuilt from them.

Every lever in ``sim.policies.REGISTRY`` gets an on/off switch (key ``LEVER``) and one control per
setting, keyed by its dotted path (``LEVER.FIELD``, ``LEVER.tiers.0.amount`` for a tuple of
sub-models). The control follows the field's type:

* ``int`` / ``float``          -> slider within the field's ``ge``/``le`` bounds (an open upper
                                   bound gets a generous one around the starting value);
* ``bool``                     -> switch (checkbox);
* ``Literal[...]``             -> select;
* ``X | None`` with X a number -> switch ``LEVER.FIELD.on`` plus the slider;
* a sub-model / tuple of them  -> its fields, one control each (the count comes from the package);
* anything else (zone lists, pairs, mappings) -> a text box holding the value as YAML,
  e.g. ``[[nanning, laibin]]``.

The package supplies the starting values (or the lever's defaults when the package does not use
it); :func:`settings_from_controls` merges control values back over them and validates the result
with the lever's own ``Settings``, so a control can never produce settings a package file could not.
"""

from __future__ import annotations

import math
import types
import typing
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from sim.policies import REGISTRY
from sim.scenario.packages import Package

LEVER_ZH = {
    "funding_reward": "财政奖励", "delisting": "摘牌退出", "hosting": "托管", "land_allocation": "用地指标分配",
    "new_zones": "新设园区", "promotion": "升级为国家级", "talent_subsidy": "人才补贴", "platform_building": "平台共建",
    "tech_transfer": "成果转化", "incubators": "孵化器", "certification_support": "高企认定扶持",
    "outside_attraction": "区外招商", "management_reform": "管理体制改革", "fiscal_autonomy": "财政自主",
    "tech_finance": "科技金融", "green_constraint": "绿色约束", "classified_evaluation": "分类评价",
    "green_development": "绿色发展", "high_level_talent": "高层次人才",
    "mu_yield": "亩均效益评价", "zone_expansion": "扩区", "park_integration": "整合托管工业园区",
    "key_technology": "关键核心技术攻关", "industry_clusters": "产业集聚与战略性新兴产业",
    "industry_upgrading": "产业优化升级", "performance_pay": "岗位管理与绩效工资",
    "direct_channel": "直通车与一事一议", "city_industry": "产城融合",
}


def lever_title(name: str) -> str:
    """Short bilingual lever label for the controls, e.g. '财政奖励 funding_reward'."""
    zh = LEVER_ZH.get(name)
    return f"{zh} {name}" if zh else name


def lever_long_title(name: str) -> str:
    """The lever class's own title (English) with the Chinese name, for headings."""
    cls = REGISTRY.get(name)
    en = (getattr(cls, "title", "") or name.replace("_", " ")).strip()
    zh = LEVER_ZH.get(name)
    return f"{en} · {zh}" if zh else en


def _unwrap(ann: Any) -> tuple[Any, bool]:
    """(inner annotation, optional?) for ``X | None``."""
    origin = typing.get_origin(ann)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(ann)) == 2:
            return args[0], True
    return ann, False


def _bounds(info: Any) -> tuple[float | None, float | None]:
    lo = hi = None
    for m in getattr(info, "metadata", []):
        for attr, is_lo in (("ge", True), ("gt", True), ("le", False), ("lt", False)):
            v = getattr(m, attr, None)
            if v is not None:
                if is_lo:
                    lo = float(v)
                else:
                    hi = float(v)
    return lo, hi


def _nice(x: float) -> float:
    """A round number >= x (1, 2, 5 x 10^k)."""
    if x <= 0:
        return 1.0
    e = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * e >= x:
            return float(m * e)
    return float(10 * e)


def _number_spec(label: str, value: Any, info: Any, is_int: bool) -> dict[str, Any]:
    lo, hi = _bounds(info)
    lo = 0.0 if lo is None else lo
    v = float(value) if value is not None else lo
    if hi is None or hi - lo > 50 * max(abs(v), 1):   # open or huge range: a usable one around v
        hi = _nice(max((10 if is_int else 4) * abs(v), lo + (20 if is_int else 1.0)))
    hi = max(hi, v)
    if is_int:
        return {"type": "SliderInt", "label": label, "value": int(round(v)), "min": int(lo), "max": int(hi),
                "step": 1}
    step = _nice((hi - lo) / 200) if hi > lo else 0.01
    if step >= 1 and (hi - lo) <= 10:
        step = 0.1
    return {"type": "SliderFloat", "label": label, "value": v, "min": lo, "max": hi, "step": step}


def _field_specs(prefix: str, label: str, model_cls: type[BaseModel], values: dict[str, Any],
                 ctx: dict[str, Any] | None = None) -> dict[str, Any]:
    ctx = ctx or {}
    out: dict[str, Any] = {}
    for name, info in model_cls.model_fields.items():
        key, lab = f"{prefix}.{name}", f"{prefix}.{name}"
        value = values.get(name, info.default if not info.is_required() else None)
        ann, optional = _unwrap(info.annotation)
        origin = typing.get_origin(ann)
        args = [a for a in typing.get_args(ann) if a is not Ellipsis]
        help_en = info.description or ""
        if ann is bool:
            out[key] = {"type": "Checkbox", "label": lab, "value": bool(value)}
        elif ann in (int, float):
            if optional:
                out[f"{key}.on"] = {"type": "Checkbox", "label": f"{lab}.on", "value": value is not None}
            out[key] = _number_spec(lab, value, info, ann is int)
        elif origin is Literal:
            choices = list(typing.get_args(ann))
            if all(isinstance(c, str) for c in choices):
                out[key] = {"type": "Select", "label": lab, "value": value if value in choices else choices[0],
                            "values": choices}
            else:
                out[key] = {"type": "InputText", "label": lab, "value": _dump(value)}
        elif origin is tuple and args and all(a is float for a in args) and isinstance(value, (list, tuple)):
            for i, v in enumerate(value):   # a fixed tuple of numbers (indicator weights): one slider each
                out[f"{key}.{i}"] = _number_spec(f"{lab}.{i}", v, info, False)
                out[f"{key}.{i}"]["help_en"] = help_en
        elif origin is tuple and len(args) == 1 and typing.get_origin(args[0]) is Literal:
            choices = list(typing.get_args(args[0]))   # a set of named choices (sectors): one multi-select
            out[key] = {"type": "MultiSelect", "label": lab, "value": [str(v) for v in (value or ())],
                        "values": choices}
        elif origin is tuple and args == [str] and name == "zones":
            chosen = [str(z) for z in (value or ())]
            offered = ["all", "national", "region", *ctx.get("zones", {})]
            offered += [z for z in chosen if z not in offered]
            out[key] = {"type": "MultiSelect", "label": lab, "value": chosen, "values": offered,
                        "names": ctx.get("names", {})}
        elif isinstance(ann, type) and issubclass(ann, BaseModel) and not optional:
            sub = value.model_dump() if isinstance(value, BaseModel) else dict(value or {})
            out.update(_field_specs(key, lab, ann, sub, ctx))
        elif (origin in (tuple, list) and _item_model(ann) is not None and isinstance(value, (list, tuple))
              and value and _simple_model(_item_model(ann))):
            item = _item_model(ann)
            for i, v in enumerate(value):
                sub = v.model_dump() if isinstance(v, BaseModel) else dict(v)
                out.update(_field_specs(f"{key}.{i}", f"{key}.{i}", item, sub, ctx))
        else:
            out[key] = {"type": "InputText", "label": f"{lab} (YAML)", "value": _dump(value)}
            picker = _picker(key, value, ctx)
            if picker:
                out[key].update(picker)
        if key in out:
            out[key]["help_en"] = help_en
    return out


def _picker(key: str, value: Any, ctx: dict[str, Any]) -> dict[str, Any] | None:
    """A picker in place of the YAML box, for the lists a workshop edits: hosting pairs (every
    national zone with every region-level zone) and the county parks to upgrade. The control's
    value stays the YAML text the package file would hold."""
    if key == "hosting.pairs":
        levels = ctx.get("levels", {})
        hosts = [z for z, lv in levels.items() if lv == "national"]
        hosted = [z for z, lv in levels.items() if lv != "national"]
        options = [f"{h}>{d}" for h in hosts for d in hosted]
        for p in value or ():
            pair = p.model_dump() if isinstance(p, BaseModel) else dict(p)
            opt = f"{pair.get('host')}>{pair.get('hosted')}"
            if opt not in options:
                options.append(opt)
        return {"picker": "pairs", "options": options, "names": ctx.get("names", {})}
    if key == "promotion.designate":  # region-level zones, each approved in its package year (or year 1)
        levels = ctx.get("levels", {})
        catalogue = {z: {"zone": z, "year": 1} for z, lv in levels.items() if lv == "region"}
        for p in value or ():
            d = p.model_dump(mode="json") if isinstance(p, BaseModel) else dict(p)
            catalogue[str(d.get("zone"))] = d
        return {"picker": "designate", "options": list(catalogue), "catalogue": catalogue,
                "names": ctx.get("names", {})}
    if key in ("new_zones.parks", "park_integration.parks"):
        catalogue = dict(ctx.get("parks", {})) if key == "new_zones.parks" else dict(ctx.get("outside_parks", {}))
        for p in value or ():
            park = p.model_dump(mode="json") if isinstance(p, BaseModel) else dict(p)
            catalogue.setdefault(str(park.get("id")), park)
        return {"picker": "parks", "options": list(catalogue), "catalogue": catalogue, "names": ctx.get("names", {})}
    return None


def picked(spec: dict[str, Any], text: str) -> list[str]:
    """The picker options a YAML value holds (pairs as 'host>hosted', parks by id)."""
    from sim.present.dashboard.inputs import yaml_text

    try:
        data = yaml_text(text, spec.get("label", "setting")) or []
    except ValueError:
        return []
    out = []
    for item in data if isinstance(data, list) else []:
        if not isinstance(item, dict):
            continue
        opt = f"{item.get('host')}>{item.get('hosted')}" if spec.get("picker") == "pairs" else \
            str(item.get("zone") if spec.get("picker") == "designate" else item.get("id"))
        if opt in spec.get("options", ()):
            out.append(opt)
    return out


def _simple_model(cls: type[BaseModel]) -> bool:
    """Every field a number, switch or choice (so each item gets sliders; otherwise the whole
    list is one YAML text box, where items can also be added or removed)."""
    for info in cls.model_fields.values():
        ann, _ = _unwrap(info.annotation)
        if ann not in (int, float, bool) and not (typing.get_origin(ann) is Literal):
            return False
    return True


def _item_model(ann: Any) -> type[BaseModel] | None:
    args = [a for a in typing.get_args(ann) if a is not Ellipsis]
    if len(args) == 1 and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return args[0]
    return None


def _dump(value: Any) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, tuple):
        value = list(value)
    return yaml.safe_dump(_plain(value), default_flow_style=True, allow_unicode=True, width=10_000).strip()


def _plain(v: Any) -> Any:
    if isinstance(v, BaseModel):
        return v.model_dump(mode="json")
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


def start_values(package: Package, name: str) -> dict[str, Any]:
    """The lever's settings in ``package`` (validated), else its defaults, as plain data."""
    if name in package.settings:
        return package.settings[name].model_dump()
    cls = REGISTRY[name].Settings
    out: dict[str, Any] = {}
    for field, info in cls.model_fields.items():
        if not info.is_required():
            out[field] = info.get_default(call_default_factory=True)
    return out


def lever_controls(package: Package, world: Any = None) -> dict[str, dict[str, Any]]:
    """One control spec per lever (on/off) and per setting, starting from ``package``; zone lists
    offer the zones of ``world`` (the default world when not given) by name.

    Levers of the package come first, in package order, then the others (switched off)."""
    ctx = _context(package, world)
    names = list(package.levers) + [n for n in REGISTRY if n not in package.levers]
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        out[name] = {"type": "Checkbox", "label": lever_title(name), "value": name in package.levers,
                     "help_en": (getattr(REGISTRY[name], "title", "") or "").strip()}
        out.update(_field_specs(name, name, REGISTRY[name].Settings, start_values(package, name), ctx))
    return out


def _context(package: Package, world: Any) -> dict[str, Any]:
    """Zones (id -> (English, Chinese) name), their levels, and the county parks known from the
    package and the bundled new-zones package, for the pickers."""
    from sim.scenario.world import DEFAULT_WORLD, load_world

    if world is None:
        world = _default_world()
    zones = {z.id: (z.name, z.name_zh) for z in world.zones}
    levels = {z.id: z.level for z in world.zones}
    parks: dict[str, Any] = {}
    sources = [package]
    try:
        from sim.scenario.packages import load_package

        sources.append(load_package("new-zones"))
        sources.append(load_package("park-integration"))
    except Exception:  # noqa: BLE001 - no bundled parks: the package's own only
        pass
    names = dict(zones)
    outside: dict[str, Any] = {}
    for src in sources:
        for park in getattr(src.settings.get("park_integration"), "parks", ()):
            d = park.model_dump(mode="json")
            outside.setdefault(d["id"], d)
            names.setdefault(d["id"], (d["name"], d["name_zh"]))
    for i, src in enumerate(sources):
        nz = src.settings.get("new_zones")
        for park in getattr(nz, "parks", ()):
            d = park.model_dump(mode="json")
            parks.setdefault(d["id"], d)
            names.setdefault(d["id"], (d["name"], d["name_zh"]))
            if i == 0:   # zone lists may name the package's own new zones
                zones.setdefault(d["id"], (d["name"], d["name_zh"]))
    _ = DEFAULT_WORLD, load_world
    return {"zones": zones, "levels": levels, "parks": parks, "outside_parks": outside, "names": names}


_WORLD: list[Any] = []


def _default_world() -> Any:
    from sim.scenario.world import DEFAULT_WORLD, load_world

    if not _WORLD:
        _WORLD.append(load_world(DEFAULT_WORLD))
    return _WORLD[0]


def _set_path(data: Any, path: list[str], value: Any) -> None:
    for i, part in enumerate(path[:-1]):
        key: Any = int(part) if isinstance(data, list) else part
        if isinstance(data, list):
            while len(data) <= key:
                data.append({})
        elif key not in data or data[key] is None:
            data[key] = [] if path[i + 1].isdigit() else {}
        elif isinstance(data[key], tuple):
            data[key] = list(data[key])
        data = data[key]
    last = path[-1]
    if isinstance(data, list):
        data[int(last)] = value
    else:
        data[last] = value


def settings_from_controls(package: Package, controls: dict[str, Any]) -> dict[str, Any]:
    """Validated ``Settings`` of every switched-on lever: the package's values (or the lever's
    defaults) with the control values merged in. Raises ``ValueError`` naming the lever."""
    names = list(package.levers) + [n for n in REGISTRY if n not in package.levers]
    result: dict[str, Any] = {}
    for name in names:
        on = controls.get(name, name in package.levers)
        if not on:
            continue
        cls = REGISTRY[name].Settings
        data = _plain(start_values(package, name))
        keys = sorted((k for k in controls if k.startswith(name + ".")), key=lambda k: k.count("."))
        for key in keys:
            path = key[len(name) + 1:].split(".")
            if path[-1] == "on":
                continue
            value = controls[key]
            spec_optional_off = controls.get(f"{key}.on") is False
            if spec_optional_off:
                value = None
            elif isinstance(value, str) and _is_text_field(cls, path):
                from sim.present.dashboard.inputs import yaml_text

                value = yaml_text(value, f"{lever_title(name)} · {'.'.join(path)}")  # short, aliases capped
            _set_path(data, path, value)
        try:
            result[name] = cls.model_validate(data)
        except Exception as exc:  # pydantic ValidationError: one readable line per problem
            errs = getattr(exc, "errors", None)
            msg = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errs()) if errs else str(exc)
            raise ValueError(f"{lever_title(name)}: {msg}") from None
    return result


def _is_text_field(cls: type[BaseModel], path: list[str]) -> bool:
    """Whether the control at ``path`` is a YAML text box (not a Literal select)."""
    model: Any = cls
    for i, part in enumerate(path):
        if part.isdigit():
            continue
        info = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if info is None:
            return False
        ann, _ = _unwrap(info.annotation)
        if i == len(path) - 1:
            return not (typing.get_origin(ann) is Literal and all(isinstance(c, str) for c in typing.get_args(ann)))
        item = _item_model(ann) if typing.get_origin(ann) in (tuple, list) else None
        model = item or ann
    return False
