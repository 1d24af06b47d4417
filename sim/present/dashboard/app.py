"""The workshop dashboard: Mesa's SolaraViz on the zone model, plus a side-by-side comparison.

Served by ``zonesim dashboard`` (``solara run sim.present.dashboard.app``). The initial world, package
and language come from ``ZONESIM_WORLD``, ``ZONESIM_PACKAGE`` and ``ZONESIM_LANG``.

Layout: the side bar holds the world / package / language choice, SolaraViz's controller
(Reset, ▶ play, Step, with the steps per click) and one control per lever setting (built from the
levers' ``Settings``, starting from the package). Lever and seed changes apply on **Reset**, which
restarts the run at year 0. The main area has two tabs: *Live run* (region totals, zone
trajectories, the ranking table with levels, the map) and *Compare* (two packages run on the same
seeds, side by side).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

# Mesa's ComponentsView returns early when given no components (we lay out our own views);
# solara's hook checker warns about that harmless early return.
warnings.filterwarnings("ignore", message=r".*ComponentsView.*use_state.*")

import pandas as pd  # noqa: E402
import solara  # noqa: E402
import solara.lab  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

from sim.core.errors import InputError  # noqa: E402
from sim.model.zonemodel import ZoneModel  # noqa: E402
from sim.scenario.packages import Package, load_package  # noqa: E402
from sim.policies import REGISTRY  # noqa: E402
from sim.experiments.runner import derive_seeds, make_jobs, run_jobs  # noqa: E402
from sim.scenario.world import DEFAULT_PACKAGE, DEFAULT_WORLD, PACKAGES, WORLDS, load_world  # noqa: E402
from sim.analysis.summary import headline, ranking  # noqa: E402
from sim.present.charts.common import to_png  # noqa: E402
from sim.present.charts.maps import zone_map  # noqa: E402
from sim.present.charts.trajectories import region_panels, zone_trajectories  # noqa: E402
from sim.present.format import pct, value  # noqa: E402
from sim.present.i18n import label  # noqa: E402
from sim.present.report.sections import ranking_html  # noqa: E402
from sim.present.dashboard.controls import lever_controls, lever_long_title, lever_title, settings_from_controls  # noqa: E402

CURRENT = "(current settings)"
UI = {
    "en": {"world": "World", "package": "Package", "lang": "Language", "live": "Live run", "compare": "Compare",
           "year": "Year", "levers": "Levers on", "none": "none", "apply": "Lever and seed changes apply on Reset.",
           "not_applied": "Settings not applied (the package's own settings are used)", "a": "Package A",
           "b": "Package B", "seeds": "Seeds", "years": "Years", "run_both": "Run both", "running": "Running…",
           "same_seeds": "Both packages run on the same seeds: {s}.", "ranking": "Ranking, year {y}",
           "region": "Region totals", "zones": "Zones", "map": "Map", "diff": "Final year: B minus A (mean over seeds)",
           "diff_cols": ("Outcome", "B − A", "5–95% over seeds", "B vs A")},
    "zh": {"world": "模拟区域", "package": "政策包", "lang": "语言", "live": "实时模拟", "compare": "政策包对比",
           "year": "年份", "levers": "启用的政策工具", "none": "无", "apply": "政策参数和随机种子在点击 Reset 后生效。",
           "not_applied": "参数未生效（使用政策包原设置）", "a": "政策包 A", "b": "政策包 B", "seeds": "随机种子数",
           "years": "模拟年数", "run_both": "运行对比", "running": "运行中…",
           "same_seeds": "两个政策包使用相同的随机种子：{s}。", "ranking": "{y}年排名",
           "region": "全区合计", "zones": "各高新区", "map": "空间分布", "diff": "末年差值（B − A，各种子均值）",
           "diff_cols": ("指标", "B − A", "各种子5–95%区间", "相对A")},
}


def names_in(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.yaml"))


class DashboardModel(ZoneModel):
    """ZoneModel with flat, SolaraViz-friendly parameters.

    ``world`` and ``package`` are names; ``seed`` is the base seed (the run uses the first
    replicate seed derived from it, the same as ``zonesim run --seed SEED``); ``years`` the
    horizon; every other keyword is a lever control (see :mod:`sim.present.dashboard.controls`).
    Settings that fail validation are reported in ``control_error`` and the package's own
    settings are used instead, so a bad slider combination never breaks the workshop.
    """

    def __init__(self, *, world: str = DEFAULT_WORLD, package: str = DEFAULT_PACKAGE, seed: int = 20210,
                 years: int | None = None, controls: Any = None, **kwargs: Any) -> None:
        w = load_world(world)
        pkg = load_package(package)
        self.package = pkg
        self.control_error: str | None = None
        try:
            self.base_seed = int(str(seed).strip())
        except ValueError:
            self.base_seed = 20210
            self.control_error = f"seed must be a whole number, got {seed!r}"
        seed = self.base_seed
        self.run_seed = derive_seeds(int(seed), 1)[0]
        # lever controls: flat keywords, and/or a mapping (or anything with .value, such as the
        # dashboard's reactive dict) read at construction, i.e. when Reset is pressed
        values = dict(getattr(controls, "value", controls) or {})
        values.update(kwargs)
        self.controls_applied = values
        try:
            settings = settings_from_controls(pkg, values)
        except ValueError as exc:
            self.control_error = str(exc)
            settings = dict(pkg.settings)
        self.lever_settings = settings
        levers = [REGISTRY[name](s) for name, s in settings.items()]
        try:
            super().__init__(world=w, levers=levers, rng=self.run_seed, max_years=int(years or w.years))
        except (InputError, ValueError) as exc:
            self.control_error = str(exc)
            self.lever_settings = dict(pkg.settings)
            super().__init__(world=w, levers=pkg.build(), rng=self.run_seed, max_years=int(years or w.years))

    def as_package(self) -> Package:
        """The settings now in force, as a package (for the comparison tab)."""
        s = self.lever_settings
        return Package("current", "current settings", "当前设置", "", {k: v.model_dump() for k, v in s.items()},
                       ("current",), "", dict(s))


# Session-wide choices (per browser tab via solara's reactive scoping of module-level reactives).
world_choice = solara.reactive(os.environ.get("ZONESIM_WORLD", DEFAULT_WORLD))
package_choice = solara.reactive(os.environ.get("ZONESIM_PACKAGE", DEFAULT_PACKAGE))
lang_choice = solara.reactive(os.environ.get("ZONESIM_LANG", "zh") if os.environ.get("ZONESIM_LANG") in ("zh", "en")
                              else "zh")


def model_params(world: str, package: Package, years: int, controls: Any) -> dict[str, Any]:
    """SolaraViz parameters: world and package fixed (chosen above), seed and years as sliders,
    and the lever controls as one fixed reactive dict edited by :func:`LeverPanel`."""
    return {
        "world": world,
        "package": package.name if Path(package.source).parent == PACKAGES else package.source,
        "seed": {"type": "InputText", "label": "seed 随机种子", "value": "20210"},
        "years": {"type": "SliderInt", "label": "years 模拟年数", "value": years, "min": 1, "max": 50, "step": 1},
        "controls": controls,
    }


def _settings_text(settings: Any, limit: int = 160) -> str:
    """'amount=100, zones=[all]': the settings in force, short enough for the header line."""
    import html

    parts = []
    for k, v in settings.model_dump(mode="json").items():
        if isinstance(v, list) and v and isinstance(v[0], dict):
            v = f"[{len(v)}]"
        elif isinstance(v, list):
            v = "[" + ", ".join(map(str, v)) + "]"
        parts.append(f"{k}={_fmt_value(v)}")
    text = ", ".join(parts)
    return html.escape(text if len(text) <= limit else text[: limit - 1] + "…")


def _fmt_value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


@solara.component
def LeverPanel(specs: dict[str, dict[str, Any]], controls: solara.Reactive[dict], applied: dict[str, Any],
               lang: str) -> None:
    """One card per lever: its on/off switch and a control per setting, the value shown in the
    label. Values go into ``controls``; the model takes them on Reset."""

    def setter(key: str):
        return lambda v: controls.set({**controls.value, key: v})

    values = controls.value
    pending = any(values.get(k) != applied.get(k, spec.get("value")) for k, spec in specs.items())
    title = "政策工具（点击 Reset 生效）" if lang == "zh" else "Levers (applied on Reset)"
    with solara.Card(title):
        # always present (possibly empty) and every lever block keyed by name, so that widgets
        # keep their identity when the warning appears or a lever opens its settings
        with solara.Div().key("pending"):
            if pending:
                solara.Warning("有未生效的修改：请点击 Reset" if lang == "zh" else "Changes pending: press Reset",
                               dense=True, attributes={"id": "zs-pending"})
        levers = [k for k in specs if "." not in k]
        for name in levers:
            on = bool(values.get(name))
            with solara.Div(classes=["zs-lever"], attributes={"data-lever": name}).key(f"lever-{name}"):
                solara.Switch(label=specs[name]["label"], value=on, on_value=setter(name)).key(f"switch-{name}")
                if not on:
                    continue
                for key, spec in specs.items():
                    if not key.startswith(name + "."):
                        continue
                    v = values.get(key, spec.get("value"))
                    short = spec["label"].split(" · ", 1)[-1]
                    kind = spec["type"]
                    # keyed by setting, so a slider never inherits another setting's state
                    if kind == "SliderInt":
                        solara.SliderInt(f"{short}: {v}", value=int(v), min=spec["min"], max=spec["max"],
                                         step=spec.get("step") or 1, on_value=setter(key)).key(key)
                    elif kind == "SliderFloat":
                        solara.SliderFloat(f"{short}: {_fmt_value(v)}", value=float(v), min=spec["min"],
                                           max=spec["max"], step=spec["step"], on_value=setter(key)).key(key)
                    elif kind == "Checkbox":
                        solara.Checkbox(label=short, value=bool(v), on_value=setter(key)).key(key)
                    elif kind == "Select":
                        solara.Select(short, value=v, values=spec["values"], on_value=setter(key)).key(key)
                    else:
                        solara.InputText(short, value=str(v), on_value=setter(key), continuous_update=False).key(key)


def _names(model: ZoneModel, lang: str) -> dict[str, str]:
    return dict(zip(model.zone_ids, model.zone_names_zh if lang == "zh" else model.zone_names))


@solara.component
def Figure(fig: Any, ident: str) -> None:
    """A matplotlib figure as a PNG <img> in a div with a stable id (for tests and screen readers)."""
    png = to_png(fig, 90)
    with solara.Div(attributes={"id": ident}, classes=["zs-figure"]):
        solara.Image(png, width="100%")


@solara.component
def LivePanels(model: DashboardModel, lang: str) -> None:
    update_counter.get()           # re-render after every step
    t = UI[lang]
    df = model.results()
    names = _names(model, lang)
    year = model.start_year + model.steps
    title_of = lever_title if lang == "zh" else lever_long_title
    levers = "; ".join(f"{title_of(n)} ({_settings_text(st)})" for n, st in model.lever_settings.items()
                       ) or t["none"]
    with solara.Row(style={"align-items": "baseline", "flex-wrap": "wrap"}):
        solara.HTML(tag="div", unsafe_innerHTML=f'<b id="zs-year">{t["year"]}: {year}</b>'
                    f' &nbsp; {model.package.title_zh if lang == "zh" else model.package.title}'
                    f' &nbsp; <span class="muted">{t["levers"]}: {levers}</span>')
    solara.Text(t["apply"], style={"color": "#777", "font-size": "0.85em"})
    if model.control_error:
        solara.Error(f'{t["not_applied"]}: {model.control_error}')
    with solara.Columns([3, 2]):
        with solara.Column():
            solara.HTML(tag="h4", unsafe_innerHTML=t['region'])
            xlim = (model.start_year - 0.5, model.start_year + int(model.max_years or model.world.years) + 0.5)
            Figure(region_panels(df, lang, xlim=xlim), "zs-region")
            solara.HTML(tag="h4", unsafe_innerHTML=t['zones'])
            Figure(zone_trajectories(df, names, lang, xlim=xlim), "zs-zones")
        with solara.Column():
            solara.HTML(tag="h4", unsafe_innerHTML=t['map'])
            zs = model.zones
            alive = zs.alive
            ids = [z for z, a in zip(model.zone_ids, alive) if a]
            last = df[(df["zone"] != "region") & (df["step"] == model.steps)]
            hosts = {z: model.zone_ids[h] for z, h in zip(model.zone_ids, zs.hosted_by) if h >= 0}
            lon = {z: float(x) for z, x in zip(model.zone_ids, zs.lon) if z in ids}
            lat = {z: float(y) for z, y in zip(model.zone_ids, zs.lat) if z in ids}
            Figure(zone_map(last, lon, lat, names, lang, hosts), "zs-map")
            solara.HTML(tag="h4", unsafe_innerHTML=t['ranking'].format(y=year))
            solara.HTML(tag="div", unsafe_innerHTML=ranking_html(ranking(df, list(model.zone_ids)), lang, names,
                                                                 "zs-ranking"))


def run_pair(world: str, a: Package, b: Package, base_seed: int, k: int, years: int) -> pd.DataFrame:
    """Both packages on the same seeds, in this process (the dashboard's server thread)."""
    return run_jobs(make_jobs(load_world(world), [a, b], derive_seeds(base_seed, k), years), workers=1)


@solara.component
def ComparePanel(model: DashboardModel, lang: str) -> None:
    t = UI[lang]
    options = [CURRENT, *names_in(PACKAGES)]
    a, set_a = solara.use_state(CURRENT)
    b, set_b = solara.use_state(next((n for n in options[1:] if n != model.package.name), options[-1]))
    k, set_k = solara.use_state(3)
    years, set_years = solara.use_state(int(model.max_years or model.world.years))

    def pkg(name: str) -> Package:
        return model.as_package() if name == CURRENT else load_package(name)

    def work() -> tuple[pd.DataFrame, dict[str, str]]:
        pa, pb = pkg(a), pkg(b)
        if pa.name == pb.name:   # same package twice: keep the two runs apart in the table
            pb = Package(pb.name + " (B)", pb.title, pb.title_zh, pb.description, pb.levers, pb.chain, pb.source,
                         pb.settings)
        df = run_pair(model.world.name, pa, pb, model.base_seed, k, years)
        titles = {p.name: (p.title_zh if lang == "zh" else p.title) for p in (pa, pb)}
        return df, titles

    task = solara.lab.use_task(work, dependencies=None, prefer_threaded=True)
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.Select(t["a"], value=a, values=options, on_value=set_a)
        solara.Select(t["b"], value=b, values=options, on_value=set_b)
        solara.SliderInt(f'{t["seeds"]}: {k}', value=k, min=1, max=10, on_value=set_k)
        solara.SliderInt(f'{t["years"]}: {years}', value=years, min=1, max=50, on_value=set_years)
        solara.Button(t["run_both"], color="primary", on_click=lambda: task(), disabled=task.pending,
                      attributes={"id": "zs-run-both"})
    if task.pending:
        solara.ProgressLinear(True)
        solara.Text(t["running"])
    if task.error:
        solara.Error(str(task.exception))
    if task.finished and task.value is not None:
        df, titles = task.value
        seeds = sorted(df["seed"].unique())
        solara.Text(t["same_seeds"].format(s=", ".join(map(str, seeds))))
        Figure(region_panels(df, lang, titles=titles, size=(12, 6)), "zs-compare-region")
        head = headline(df)
        second = head[head["package"] == list(titles)[1]]
        if "diff" in second:
            def v(r: Any, x: float) -> str:
                return value(r.outcome, x, lang, sign=True, unit=False)

            rows = "".join(f"<tr><td>{label(r.outcome, lang)}</td><td>{v(r, r.diff)}</td>"
                           f"<td>[{v(r, r.diff_p05)}, {v(r, r.diff_p95)}]</td><td>{pct(r.diff_pct)}</td></tr>"
                           for r in second.itertuples() if pd.notna(r.diff))
            solara.HTML(tag="h4", unsafe_innerHTML=t['diff'])
            head = "".join(f"<th>{h}</th>" for h in t["diff_cols"])
            solara.HTML(tag="div", unsafe_innerHTML=f'<table class="ranking" id="zs-compare-diff"><thead><tr>{head}'
                                                    f"</tr></thead><tbody>{rows}</tbody></table>")
        names = _names(model, lang)
        with solara.Columns([1, 1]):
            for i, name in enumerate(titles):
                with solara.Column():
                    sub = df[df["package"] == name]
                    solara.HTML(tag="h4", unsafe_innerHTML=f"{titles[name]} — {t['ranking'].format(y=int(sub['year'].max()))}")
                    solara.HTML(tag="div", unsafe_innerHTML=ranking_html(
                        ranking(sub, list(model.zone_ids)), lang, names, f"zs-compare-ranking-{i}"))


CSS = """
table.ranking{border-collapse:collapse;font-size:13px;width:100%}
table.ranking th,table.ranking td{border:1px solid #ddd;padding:2px 6px;text-align:right}
table.ranking td:first-child,table.ranking th:first-child,table.ranking td:nth-child(2){text-align:left}
table.ranking tr[data-level=national] td:nth-child(2){color:#c0392b;font-weight:bold}
table.ranking tr[data-level=delisted]{color:#999;text-decoration:line-through}
.muted{color:#777}
body{font-family:'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',Roboto,sans-serif}
"""


@solara.component
def _LeverSidebarInner(specs: dict[str, dict[str, Any]], controls: solara.Reactive[dict], applied: dict[str, Any],
                      lang: str) -> None:
    with solara.Sidebar():
        LeverPanel(specs, controls, applied, lang)


@solara.component
def LeverSidebar(specs: dict[str, dict[str, Any]], controls: solara.Reactive[dict], applied: dict[str, Any],
                 lang: str) -> None:
    """The lever card, nested one level deeper than SolaraViz's own side-bar cards so that solara
    places it after them (Reset / play / step stay at the top)."""
    _LeverSidebarInner(specs, controls, applied, lang)


@solara.component
def LiveView(world: str, package: str) -> None:
    """SolaraViz for one (world, package): remounted when either changes, so every slider starts
    from the package's values."""
    lang = lang_choice.value
    pkg = solara.use_memo(lambda: load_package(package), [package])
    w = solara.use_memo(lambda: load_world(world), [world])
    specs = solara.use_memo(lambda: lever_controls(pkg), [package])
    controls = solara.use_reactive({k: v["value"] for k, v in specs.items()})
    params = solara.use_memo(lambda: model_params(world, pkg, w.years, controls), [world, package])
    start = {k: (v["value"] if isinstance(v, dict) and "type" in v else v) for k, v in params.items()}
    initial = solara.use_memo(lambda: DashboardModel(**start), [world, package])
    model = solara.use_reactive(initial)
    SolaraViz(model, components=[], model_params=params, name=f"zonesim — {w.title_zh if lang == 'zh' else w.title}")
    LeverSidebar(specs, controls, model.value.controls_applied, lang)
    t = UI[lang]
    with solara.lab.Tabs():
        with solara.lab.Tab(t["live"]):
            LivePanels(model.value, lang)
        with solara.lab.Tab(t["compare"]):
            ComparePanel(model.value, lang)


@solara.component
def Page() -> None:
    solara.Style(CSS)
    t = UI[lang_choice.value]
    with solara.Sidebar():
        with solara.Card(f"{t['world']} / {t['package']}"):
            solara.Select(t["world"], value=world_choice, values=sorted(set(names_in(WORLDS)) | {world_choice.value}))
            solara.Select(t["package"], value=package_choice,
                          values=sorted(set(names_in(PACKAGES)) | {package_choice.value}))
            solara.ToggleButtonsSingle(value=lang_choice, values=["zh", "en"])
    LiveView(world_choice.value, package_choice.value).key(f"{world_choice.value}|{package_choice.value}")


page = Page
