"""The workshop dashboard: Mesa's SolaraViz on the zone model, plus a side-by-side comparison.

Served by ``zonesim dashboard`` (``solara run sim.present.dashboard.app``). The initial world, package
and language come from ``ZONESIM_WORLD``, ``ZONESIM_PACKAGE`` and ``ZONESIM_LANG``.

Layout: the side bar holds the world / package / language choice, SolaraViz's controller
(Reset, ▶ play, Step, with the steps per click) and one control per lever setting (built from the
levers' ``Settings``, starting from the package). Lever and seed changes apply on **Reset**, which
restarts the run at year 0. The main area has two tabs: *Live run* (region totals, zone
trajectories, the ranking table with levels, the map) and *Compare* (two packages run on the same
seeds, side by side).

The browser is not trusted (:mod:`sim.present.dashboard.inputs`): every value it sends is
checked on the server; worlds and packages come from the bundled lists; a comparison is bounded
(10 seeds, MAX_YEARS years), one at a time per session, at most one per core across the server,
and stops between runs when its page is gone. Text shown as HTML is escaped. When started with a
token (``zonesim dashboard --host ... --token``), a page opened without it gets nothing else.
"""

from __future__ import annotations

import hmac
import os
import threading
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

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
from sim.experiments.runner import Job, derive_seeds, run_job  # noqa: E402
from sim.scenario.world import DEFAULT_PACKAGE, DEFAULT_WORLD, PACKAGES, load_world  # noqa: E402
from sim.analysis.summary import headline, ranking  # noqa: E402
from sim.present.charts.common import to_png  # noqa: E402
from sim.present.charts.maps import zone_map  # noqa: E402
from sim.present.charts.trajectories import region_panels, zone_trajectories  # noqa: E402
from sim.present.format import pct, value  # noqa: E402
from sim.present.i18n import label  # noqa: E402
from sim.present.report.sections import ranking_html  # noqa: E402
from sim.present.dashboard.controls import lever_controls, lever_long_title, lever_title, settings_from_controls  # noqa: E402
from sim.present.dashboard import inputs  # noqa: E402
from sim.core.params import MAX_YEARS  # noqa: E402

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
        w = load_world(inputs.world_choice(world))
        pkg = load_package(inputs.package_choice(package))
        self.package = pkg
        self.control_error: str | None = None
        try:
            self.base_seed = inputs.seed_value(seed)
        except InputError as exc:
            self.base_seed = 20210
            self.control_error = str(exc)
        try:
            years = inputs.years_value(years if years is not None else w.years)
        except InputError as exc:
            years = w.years
            self.control_error = "; ".join(filter(None, [self.control_error, str(exc)]))
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
            self.control_error = "; ".join(filter(None, [self.control_error, str(exc)]))
            settings = dict(pkg.settings)
        self.lever_settings = settings
        levers = [REGISTRY[name](s) for name, s in settings.items()]
        try:
            super().__init__(world=w, levers=levers, rng=self.run_seed, max_years=years)
        except (InputError, ValueError) as exc:
            self.control_error = str(exc)
            self.lever_settings = dict(pkg.settings)
            super().__init__(world=w, levers=pkg.build(), rng=self.run_seed, max_years=years)

    def as_package(self) -> Package:
        """The settings now in force, as a package (for the comparison tab)."""
        s = self.lever_settings
        return Package("current", "current settings", "当前设置", "", {k: v.model_dump() for k, v in s.items()},
                       ("current",), "", dict(s))


# Session-wide choices (per browser tab via solara's reactive scoping of module-level reactives).
# The initial values are the operator's (command line); a browser changes them only through
# choose_world / choose_package, which accept nothing but the names offered.
world_choice = solara.reactive(inputs.operator_world())
package_choice = solara.reactive(inputs.operator_package())
choice_error = solara.reactive("")
choice_refusals = solara.reactive(0)  # remounts the selects after a refusal, so they show the kept value


def choose_world(value: Any) -> None:
    try:
        world_choice.set(inputs.world_choice(value))
        choice_error.set("")
    except InputError as exc:
        choice_error.set(str(exc))
        choice_refusals.set(choice_refusals.value + 1)


def choose_package(value: Any) -> None:
    try:
        package_choice.set(inputs.package_choice(value))
        choice_error.set("")
    except InputError as exc:
        choice_error.set(str(exc))
        choice_refusals.set(choice_refusals.value + 1)
lang_choice = solara.reactive(os.environ.get("ZONESIM_LANG", "zh") if os.environ.get("ZONESIM_LANG") in ("zh", "en")
                              else "zh")


def model_params(world: str, package: str, years: int, controls: Any) -> dict[str, Any]:
    """SolaraViz parameters: world and package fixed (chosen above, as offered names), seed and
    years as sliders, and the lever controls as one fixed reactive dict edited by :func:`LeverPanel`."""
    return {
        "world": world,
        "package": package,
        "seed": {"type": "InputText", "label": "seed 随机种子", "value": "20210"},
        "years": {"type": "SliderInt", "label": "years 模拟年数", "value": years, "min": 1, "max": MAX_YEARS,
                  "step": 1},
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

    refused = solara.use_reactive("")
    refusals = solara.use_reactive(0)  # remounts the controls after a refusal, so they show the kept value

    def setter(key: str):
        def on_value(v: Any) -> None:
            try:  # the browser may send anything: only values within the control's own bounds
                controls.set({**controls.value, key: inputs.control_value(specs[key], v)})
                refused.set("")
            except InputError as exc:
                refused.set(str(exc))
                refusals.set(refusals.value + 1)
        return on_value

    values = controls.value
    n = refusals.value
    pending = any(values.get(k) != applied.get(k, spec.get("value")) for k, spec in specs.items())
    title = "政策工具（点击 Reset 生效）" if lang == "zh" else "Levers (applied on Reset)"
    with solara.Card(title):
        # always present (possibly empty) and every lever block keyed by name, so that widgets
        # keep their identity when the warning appears or a lever opens its settings
        with solara.Div().key("pending"):
            if refused.value:
                solara.Error(refused.value, dense=True, attributes={"id": "zs-control-refused"})
            if pending:
                solara.Warning("有未生效的修改：请点击 Reset" if lang == "zh" else "Changes pending: press Reset",
                               dense=True, attributes={"id": "zs-pending"})
        levers = [k for k in specs if "." not in k]
        for name in levers:
            on = bool(values.get(name))
            with solara.Div(classes=["zs-lever"], attributes={"data-lever": name}).key(f"lever-{name}"):
                solara.Switch(label=specs[name]["label"], value=on, on_value=setter(name)).key(f"switch-{name}-{n}")
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
                                         step=spec.get("step") or 1, on_value=setter(key)).key(f"{key}-{n}")
                    elif kind == "SliderFloat":
                        solara.SliderFloat(f"{short}: {_fmt_value(v)}", value=float(v), min=spec["min"],
                                           max=spec["max"], step=spec["step"], on_value=setter(key)).key(f"{key}-{n}")
                    elif kind == "Checkbox":
                        solara.Checkbox(label=short, value=bool(v), on_value=setter(key)).key(f"{key}-{n}")
                    elif kind == "Select":
                        solara.Select(short, value=v, values=spec["values"], on_value=setter(key)).key(f"{key}-{n}")
                    else:
                        solara.InputText(short, value=str(v), on_value=setter(key),
                                         continuous_update=False).key(f"{key}-{n}")


def _names(model: ZoneModel, lang: str) -> dict[str, str]:
    return dict(zip(model.zone_ids, model.zone_names_zh if lang == "zh" else model.zone_names))


@solara.component
def Figure(fig: Any, ident: str) -> None:
    """A matplotlib figure as a PNG <img> in a div with a stable id (for tests and screen readers)."""
    png = to_png(fig, 90)
    with solara.Div(attributes={"id": ident}, classes=["zs-figure"]):
        solara.Image(png, width="100%")


def header_html(model: DashboardModel, lang: str, year: int) -> str:
    """The live header: year, package title and the levers in force, every piece escaped (a
    package title is text from a file and must never become markup)."""
    t = UI[lang]
    title_of = lever_title if lang == "zh" else lever_long_title
    levers = "; ".join(f"{inputs.text(title_of(n))} ({_settings_text(st)})" for n, st in model.lever_settings.items()
                       ) or inputs.text(t["none"])
    title = model.package.title_zh if lang == "zh" else model.package.title
    return (f'<b id="zs-year">{inputs.text(t["year"])}: {int(year)}</b> &nbsp; <span id="zs-package">'
            f'{inputs.text(title)}</span> &nbsp; <span class="muted">{inputs.text(t["levers"])}: {levers}</span>')


@solara.component
def LivePanels(model: DashboardModel, lang: str) -> None:
    update_counter.get()           # re-render after every step
    t = UI[lang]
    df = model.results()
    names = _names(model, lang)
    year = model.start_year + model.steps
    with solara.Row(style={"align-items": "baseline", "flex-wrap": "wrap"}):
        solara.HTML(tag="div", unsafe_innerHTML=header_html(model, lang, year))
    solara.Text(t["apply"], style={"color": "#777", "font-size": "0.85em"})
    if model.control_error:
        solara.Error(f'{t["not_applied"]}: {model.control_error}')
    with solara.Columns([3, 2]):
        with solara.Column():
            solara.HTML(tag="h4", unsafe_innerHTML=inputs.text(t['region']))
            xlim = (model.start_year - 0.5, model.start_year + int(model.max_years or model.world.years) + 0.5)
            Figure(region_panels(df, lang, xlim=xlim), "zs-region")
            solara.HTML(tag="h4", unsafe_innerHTML=inputs.text(t['zones']))
            Figure(zone_trajectories(df, names, lang, xlim=xlim), "zs-zones")
        with solara.Column():
            solara.HTML(tag="h4", unsafe_innerHTML=inputs.text(t['map']))
            zs = model.zones
            alive = zs.alive
            ids = [z for z, a, placed in zip(model.zone_ids, alive, zs.located) if a and placed]  # no point: no marker
            last = df[(df["zone"] != "region") & (df["step"] == model.steps)]
            hosts = {z: model.zone_ids[h] for z, h in zip(model.zone_ids, zs.hosted_by) if h >= 0}
            lon = {z: float(x) for z, x in zip(model.zone_ids, zs.lon) if z in ids}
            lat = {z: float(y) for z, y in zip(model.zone_ids, zs.lat) if z in ids}
            Figure(zone_map(last, lon, lat, names, lang, hosts), "zs-map")
            solara.HTML(tag="h4", unsafe_innerHTML=inputs.text(t['ranking'].format(y=year)))
            solara.HTML(tag="div", unsafe_innerHTML=ranking_html(ranking(df, list(model.zone_ids)), lang, names,
                                                                 "zs-ranking"))


# Comparisons running at once on this server (each is single-threaded numpy); more wait their turn.
RUN_SLOTS = threading.BoundedSemaphore(max(1, (os.cpu_count() or 1)))


class Cancelled(Exception):
    """The page that asked for the runs is gone (closed, disconnected) or asked again."""


def run_pair(world: str, a: Package, b: Package, base_seed: int, k: int, years: int,
             stop: Any = None) -> pd.DataFrame:
    """Both packages on the same ``k`` seeds for ``years`` years. The sizes are checked again here
    (the last line of defence: a browser sets any slider value), and ``stop()`` is asked before
    each run, so runs end soon after the page that wanted them is gone."""
    k = inputs.seeds_value(k)
    years = inputs.years_value(years)
    w = load_world(world)
    seeds = derive_seeds(inputs.seed_value(base_seed), k)
    jobs = [Job(w, pkg, s, years, r) for pkg in (a, b) for r, s in enumerate(seeds)]
    if not RUN_SLOTS.acquire(timeout=1.0):
        raise InputError("dashboard", None, "the server is busy with other comparisons; try again in a minute")
    try:
        frames = []
        for job in jobs:
            if stop is not None and stop():
                raise Cancelled()
            frames.append(run_job(job))
    finally:
        RUN_SLOTS.release()
    return pd.concat(frames, ignore_index=True)


def page_gone(ctx: Any) -> bool:
    """Whether the browser page of a solara kernel context has left (closed, or no page connected)."""
    if ctx is None:
        return False
    if getattr(ctx, "closed_event", None) is not None and ctx.closed_event.is_set():
        return True
    statuses = list(getattr(ctx, "page_status", {}).values())
    return bool(statuses) and all(getattr(st, "value", st) != "connected" for st in statuses)


def _current_context() -> Any:
    try:
        from solara.server import kernel_context

        return kernel_context.get_current_context()
    except Exception:  # noqa: BLE001 - rendered outside a server (tests): nothing to watch
        return None


@solara.component
def ComparePanel(model: DashboardModel, lang: str) -> None:
    t = UI[lang]
    options = [CURRENT, *names_in(PACKAGES)]
    a, set_a = solara.use_state(CURRENT)
    b, set_b = solara.use_state(next((n for n in options[1:] if n != model.package.name), options[-1]))
    k, set_k = solara.use_state(3)
    years, set_years = solara.use_state(int(model.max_years or model.world.years))
    refused, set_refused = solara.use_state("")
    refusals, set_refusals = solara.use_state(0)  # a refused value remounts the controls: they show the kept one
    ctx = solara.use_memo(_current_context, [])
    holder = solara.use_memo(dict, [])

    def checked(setter: Any, check: Any) -> Any:
        """A control's on_value that takes only values the server accepts; a refused value changes
        nothing and says why."""
        def on_value(v: Any) -> None:
            try:
                setter(check(v))
                set_refused("")
            except InputError as exc:
                set_refused(str(exc))
                set_refusals(refusals + 1)
        return on_value

    def pkg(name: str) -> Package:
        return model.as_package() if name == CURRENT else load_package(inputs.package_choice(name))

    def work() -> tuple[pd.DataFrame, dict[str, str]] | None:
        pa, pb = pkg(inputs.choice(a, options, "package")), pkg(inputs.choice(b, options, "package"))
        if pa.name == pb.name:   # same package twice: keep the two runs apart in the table
            pb = Package(pb.name + " (B)", pb.title, pb.title_zh, pb.description, pb.levers, pb.chain, pb.source,
                         pb.settings)
        task_now = holder.get("task")

        def stop() -> bool:
            return page_gone(ctx) or (task_now is not None and not task_now.is_current())
        try:
            df = run_pair(model.world.name, pa, pb, model.base_seed, k, years, stop)
        except Cancelled:
            return None
        titles = {p.name: (p.title_zh if lang == "zh" else p.title) for p in (pa, pb)}
        return df, titles

    task = solara.lab.use_task(work, dependencies=None, prefer_threaded=True)
    holder["task"] = task

    def start() -> None:
        if not task.pending:  # one comparison at a time per session, whatever the browser sends
            task()

    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.Select(t["a"], value=a, values=options,
                      on_value=checked(set_a, lambda v: inputs.choice(v, options, "package"))).key(f"a-{refusals}")
        solara.Select(t["b"], value=b, values=options,
                      on_value=checked(set_b, lambda v: inputs.choice(v, options, "package"))).key(f"b-{refusals}")
        solara.SliderInt(f'{t["seeds"]}: {k}', value=k, min=1, max=inputs.MAX_SEEDS,
                         on_value=checked(set_k, inputs.seeds_value)).key(f"k-{refusals}")
        solara.SliderInt(f'{t["years"]}: {years}', value=years, min=1, max=MAX_YEARS,
                         on_value=checked(set_years, inputs.years_value)).key(f"y-{refusals}")
        solara.Button(t["run_both"], color="primary", on_click=start, disabled=task.pending,
                      attributes={"id": "zs-run-both"})
    if refused:
        solara.Error(refused, attributes={"id": "zs-refused"})
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
            solara.HTML(tag="h4", unsafe_innerHTML=inputs.text(t['diff']))
            solara.HTML(tag="div", unsafe_innerHTML=diff_table_html(second, lang))
        names = _names(model, lang)
        with solara.Columns([1, 1]):
            for i, name in enumerate(titles):
                with solara.Column():
                    sub = df[df["package"] == name]
                    solara.HTML(tag="h4", unsafe_innerHTML=compare_heading_html(
                        titles[name], t['ranking'].format(y=int(sub['year'].max()))))
                    solara.HTML(tag="div", unsafe_innerHTML=ranking_html(
                        ranking(sub, list(model.zone_ids)), lang, names, f"zs-compare-ranking-{i}"))


def compare_heading_html(title: str, ranking_text: str) -> str:
    """'TITLE — Ranking, year Y', escaped (the title comes from a package file)."""
    return f"{inputs.text(title)} — {inputs.text(ranking_text)}"


def diff_table_html(second: pd.DataFrame, lang: str) -> str:
    """The B-minus-A table of the comparison, every cell escaped."""
    t = UI[lang]

    def v(r: Any, x: float) -> str:
        return inputs.text(value(r.outcome, x, lang, sign=True, unit=False))

    rows = "".join(f"<tr><td>{inputs.text(label(r.outcome, lang))}</td><td>{v(r, r.diff)}</td>"
                   f"<td>[{v(r, r.diff_p05)}, {v(r, r.diff_p95)}]</td><td>{inputs.text(pct(r.diff_pct))}</td></tr>"
                   for r in second.itertuples() if pd.notna(r.diff))
    head = "".join(f"<th>{inputs.text(h)}</th>" for h in t["diff_cols"])
    return (f'<table class="ranking" id="zs-compare-diff"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>")


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
    params = solara.use_memo(lambda: model_params(world, package, w.years, controls), [world, package])
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


def token_ok(search: str | None, expected: str | None = None) -> bool:
    """Whether the page's address carries the dashboard's token (always true without one)."""
    expected = os.environ.get("ZONESIM_TOKEN", "") if expected is None else expected
    if not expected:
        return True
    given = parse_qs(search or "").get("token", [""])[0]
    return hmac.compare_digest(given.encode(), expected.encode())


@solara.component
def ScenarioPicker() -> None:
    """World, package and language; a value the browser sends that is not offered changes nothing."""
    t = UI[lang_choice.value]
    with solara.Card(f"{t['world']} / {t['package']}"):
        n = choice_refusals.value
        solara.Select(t["world"], value=world_choice.value, values=inputs.world_names(),
                      on_value=choose_world).key(f"world-{n}")
        solara.Select(t["package"], value=package_choice.value, values=inputs.package_names(),
                      on_value=choose_package).key(f"package-{n}")
        solara.ToggleButtonsSingle(value=lang_choice.value, values=["zh", "en"],
                                   on_value=lambda v: lang_choice.set(v) if v in UI else None)
        if choice_error.value:
            solara.Error(choice_error.value, attributes={"id": "zs-choice-error"})


@solara.component
def Page() -> None:
    solara.Style(CSS)
    if not token_ok(solara.use_router().search):
        solara.Error("This dashboard needs the address with its token (?token=...) that zonesim printed when it "
                     "started. / 请使用启动时显示的带 token 的完整地址打开。", attributes={"id": "zs-token"})
        return
    with solara.Sidebar():
        ScenarioPicker()
    LiveView(world_choice.value, package_choice.value).key(f"{world_choice.value}|{package_choice.value}")


page = Page
