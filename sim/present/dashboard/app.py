"""The workshop dashboard: the zone model run live, and up to four packages side by side.

Served by ``zonesim dashboard`` (``solara run sim.present.dashboard.app``). The initial world, package
and language come from ``ZONESIM_WORLD``, ``ZONESIM_PACKAGE`` and ``ZONESIM_LANG``.

Layout: the side bar holds the world / package / language choice (packages by title, grouped by
the policy's six areas; a package file can be loaded), the run controls (reset, play / pause,
step, play interval, seed, years, seeds in the band) and one card per lever (switch, settings
with their names, units and help, zone pickers), with "restore the package's settings" and "save
as package file". Every word is in the chosen language; the Mesa/SolaraViz controller is not used
(its words are English). Lever and seed changes apply on Reset, which restarts at year 0. The
main area has two tabs: *Live run* (a header saying what runs and whether it was modified; region
totals as a median line with a 5-95% band over several seeds, the baseline on the same seeds for
reference; zone trajectories; the map; the ranking table) and *Compare* (two to four packages on
the same seeds). Every chart downloads as PNG, every table as CSV and Excel.

The browser is not trusted (:mod:`sim.present.dashboard.inputs`): every value it sends is
checked on the server; worlds and packages come from the bundled lists, a loaded package file
goes through the project's loader (size cap, safe YAML, ``extends`` only a bundled name); a
comparison is bounded (10 seeds, four packages, MAX_YEARS years), one at a time per session, at
most one per core across the server, and stops between runs when its page is gone. Text shown as
HTML is escaped. When started with a token (``zonesim dashboard --host ... --token``), a page
opened without it gets nothing else.
"""

from __future__ import annotations

import hmac
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import pandas as pd
import reacton.ipyvuetify as rv
import solara
import solara.lab

from sim.analysis.summary import headline, ranking
from sim.core.errors import InputError
from sim.core.params import MAX_YEARS
from sim.experiments.runner import Job, derive_seeds, run_job
from sim.model.zonemodel import ZoneModel
from sim.policies import REGISTRY
from sim.present.charts.maps import zone_map
from sim.present.charts.trajectories import region_panels, zone_trajectories
from sim.present.dashboard import exports, inputs, webfont
from sim.present.dashboard.controls import lever_controls, lever_long_title, lever_title, picked, settings_from_controls
from sim.present.dashboard.exports import ranking_table, region_table
from sim.present.dashboard.labels import (
    UI,
    _zone_word,
    choice_word,
    control_label,
    lever_label,
    package_items,
    setting_words,
    settings_summary,
    ui,
)
from sim.present.format import pct, value
from sim.present.i18n import label, package_title
from sim.present.report.sections import ranking_html
from sim.scenario.packages import Package, load_package
from sim.scenario.world import DEFAULT_PACKAGE, DEFAULT_WORLD, PACKAGES, load_world

CURRENT = "(current settings)"
NONE = ""                # "no package" in the third and fourth compare slots
MAX_PACKAGES = inputs.MAX_PACKAGES
REFERENCE = "baseline"   # the package drawn for reference in the live run
__all__ = ["UI", "Page", "page"]


def names_in(folder: Any) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.yaml"))


class DashboardModel(ZoneModel):
    """ZoneModel with flat, browser-friendly parameters.

    ``world`` and ``package`` are names (or a Package the server loaded); ``seed`` is the base seed
    (the run uses the first replicate seed derived from it, the same as ``zonesim run --seed
    SEED``); ``years`` the horizon; ``band`` the number of seeds behind the live band (this model
    is the first; the others run in step with it); ``reference`` adds the baseline package on the
    same seeds. Lever controls come as a mapping (``controls``) or flat keywords (see
    :mod:`sim.present.dashboard.controls`). Settings that fail validation are reported in
    ``control_error`` and the package's own settings are used instead, so a bad slider
    combination never breaks the workshop.
    """

    def __init__(self, *, world: str = DEFAULT_WORLD, package: Any = DEFAULT_PACKAGE, seed: Any = 20210,
                 years: Any = None, controls: Any = None, band: Any = 1, reference: bool = False,
                 **kwargs: Any) -> None:
        w = load_world(inputs.world_choice(world))
        pkg = package if isinstance(package, Package) else load_package(inputs.package_choice(package))
        self.package = pkg
        self.control_error: str | None = None
        errors: list[str] = []
        try:
            self.base_seed = inputs.seed_value(seed)
        except InputError as exc:
            self.base_seed = 20210
            errors.append(str(exc))
        try:
            years = inputs.years_value(years if years is not None else w.years)
        except InputError as exc:
            years = w.years
            errors.append(str(exc))
        try:
            self.band = inputs.band_value(band)
        except InputError as exc:
            self.band = 1
            errors.append(str(exc))
        self.run_seeds = derive_seeds(int(self.base_seed), self.band)
        self.run_seed = self.run_seeds[0]
        values = dict(getattr(controls, "value", controls) or {})
        values.update(kwargs)
        self.controls_applied = values
        try:
            settings = settings_from_controls(pkg, values)
        except ValueError as exc:
            errors.append(str(exc))
            settings = dict(pkg.settings)
        self.lever_settings = settings
        self.control_error = "; ".join(errors) or None
        levers = [REGISTRY[name](s) for name, s in settings.items()]
        try:
            super().__init__(world=w, levers=levers, rng=self.run_seed, max_years=years)
        except (InputError, ValueError) as exc:
            self.control_error = "; ".join(filter(None, [self.control_error, str(exc)]))
            self.lever_settings = dict(pkg.settings)
            super().__init__(world=w, levers=pkg.build(), rng=self.run_seed, max_years=years)
        self.modified = _settings_differ(self.lever_settings, pkg.settings)
        self.reference = bool(reference)
        self._lock = threading.RLock()
        self._others: list[tuple[str, int, ZoneModel]] | None = None
        self._frame: tuple[int, pd.DataFrame] | None = None

    def as_package(self) -> Package:
        """The settings now in force, as a package (for the comparison tab)."""
        s = self.lever_settings
        p = self.package
        title = p.title + (" (modified)" if self.modified else "")
        title_zh = p.title_zh + ("（已修改）" if self.modified else "")
        return Package("current", title, title_zh, "", {k: v.model_dump() for k, v in s.items()},
                       ("current",), "", dict(s))

    # -- the band: the same settings on more seeds, and the baseline, in step with this model --
    def _companions(self) -> list[tuple[str, int, ZoneModel]]:
        if self._others is None:
            others = []
            for s in self.run_seeds[1:]:
                levers = [REGISTRY[name](st) for name, st in self.lever_settings.items()]
                others.append(("current", s, ZoneModel(world=self.world, levers=levers, rng=s,
                                                        max_years=self.max_years)))
            if self.reference:
                ref = load_package(REFERENCE)
                if _settings_differ(self.lever_settings, ref.settings):
                    for s in self.run_seeds:
                        others.append((REFERENCE, s, ZoneModel(world=self.world, levers=ref.build(), rng=s,
                                                               max_years=self.max_years)))
            self._others = others
        for _, _, m in self._others:
            while m.steps < self.steps and m.running:
                m.step()
        return self._others

    def step(self) -> None:
        with self._lock:
            super().step()
            if self._others is not None:
                self._companions()

    def band_frame(self) -> pd.DataFrame:
        """Results of every seed of the band (package 'current') and of the reference, with
        ``package`` and ``seed`` columns, up to this model's year."""
        with self._lock:
            if self._frame is not None and self._frame[0] == self.steps:
                return self._frame[1]
            parts = [self.results().assign(package="current", seed=self.run_seed)]
            if self.band > 1 or self.reference:
                for pkg, s, m in self._companions():
                    parts.append(m.results().assign(package=pkg, seed=s))
            df = pd.concat(parts, ignore_index=True)
            self._frame = (self.steps, df)
            return df


def _settings_differ(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return set(a) != set(b) or any(a[k] != b[k] for k in a)


# Session-wide choices (per browser tab via solara's reactive scoping of module-level reactives).
# The initial values are the operator's (command line); a browser changes them only through
# choose_world / choose_package, which accept nothing but the names offered.
world_choice = solara.reactive(inputs.operator_world())
package_choice = solara.reactive(inputs.operator_package())
uploaded = solara.reactive(None)          # a Package loaded from a file the browser sent (validated)
choice_error = solara.reactive("")
choice_refusals = solara.reactive(0)  # remounts the selects after a refusal, so they show the kept value
lang_choice = solara.reactive(os.environ.get("ZONESIM_LANG", "zh") if os.environ.get("ZONESIM_LANG") in ("zh", "en")
                              else "zh")


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
        uploaded.set(None)
        choice_error.set("")
    except InputError as exc:
        choice_error.set(str(exc))
        choice_refusals.set(choice_refusals.value + 1)


def choose_lang(value: Any) -> None:
    if value in UI:
        lang_choice.set(value)


def load_uploaded(data: Any, filename: Any = "") -> None:
    """A package file from the browser: validated through the project's loader; a bad file is
    one line and changes nothing."""
    try:
        pkg = inputs.package_upload(data, filename)
    except InputError as exc:
        choice_error.set(str(exc))
        choice_refusals.set(choice_refusals.value + 1)
        return
    uploaded.set(pkg)
    choice_error.set("")


# ------------------------------------------------------------------------------------------
# words for settings
# ------------------------------------------------------------------------------------------
def header_html(model: DashboardModel, lang: str, year: int, pending: bool = False,
                names: dict[str, Any] | None = None) -> str:
    """The live header: year, package title, "modified" when the levers were edited, and the
    levers in force in words; every piece escaped (a package title is text from a file and must
    never become markup)."""
    t = UI[lang]
    title = package_title(model.package, lang)
    mod = (f' <span id="zs-modified" class="zs-badge">{inputs.text(t["modified"])}</span>'
           if (model.modified or pending) else "")
    rows = settings_summary(model.lever_settings, lang, names or _zone_names(model))
    levers = "".join(f"<li><b>{inputs.text(n)}</b>{'：' if lang == 'zh' else ': '}{inputs.text(s)}</li>"
                     for n, s in rows) or f"<li>{inputs.text(t['none'])}</li>"
    return (f'<div class="zs-head"><b id="zs-year">{inputs.text(t["year"])}: {int(year)}</b> &nbsp; '
            f'<span id="zs-package">{inputs.text(title)}</span>{mod}</div>'
            f'<div class="muted">{inputs.text(t["levers"])}:</div><ul id="zs-settings" class="zs-settings">'
            f'{levers}</ul>')


def _zone_names(model: ZoneModel) -> dict[str, Any]:
    return {z: (en, zh) for z, en, zh in zip(model.zone_ids, model.zone_names, model.zone_names_zh)}


def _names(model: ZoneModel, lang: str) -> dict[str, str]:
    return dict(zip(model.zone_ids, model.zone_names_zh if lang == "zh" else model.zone_names))


# ------------------------------------------------------------------------------------------
# the lever card
# ------------------------------------------------------------------------------------------
@solara.component
def Help(text: str) -> None:
    if text:
        solara.Text(text, classes=["zs-help"])


@solara.component
def LeverPanel(specs: dict[str, dict[str, Any]], controls: solara.Reactive[dict], applied: dict[str, Any],
               lang: str, on_restore: Callable[[], None] | None = None, package: Package | None = None) -> None:
    """One block per lever: its on/off switch and a control per setting (name, value and unit
    in the label, help below), zone lists as pickers. Values go into ``controls``; the model
    takes them on Reset."""

    refused = solara.use_reactive("")
    refusals = solara.use_reactive(0)  # remounts the controls after a refusal, so they show the kept value

    def setter(key: str, convert: Callable[[Any], Any] | None = None):
        def on_value(v: Any) -> None:
            try:  # the browser may send anything: only values within the control's own bounds
                v = convert(v) if convert else v
                controls.set({**controls.value, key: inputs.control_value(specs[key], v)})
                refused.set("")
            except InputError as exc:
                refused.set(str(exc))
                refusals.set(refusals.value + 1)
        return on_value

    values = controls.value
    n = refusals.value
    pending = any(values.get(k) != applied.get(k, spec.get("value")) for k, spec in specs.items())
    edited = any(values.get(k) != spec.get("value") for k, spec in specs.items())
    with solara.Card(ui("levers_card", lang)):
        # always present (possibly empty) and every lever block keyed by name, so that widgets
        # keep their identity when the warning appears or a lever opens its settings
        with solara.Div().key("pending"):
            if refused.value:
                solara.Error(refused.value, dense=True, attributes={"id": "zs-control-refused"})
            if pending:
                solara.Warning(ui("pending", lang), dense=True, attributes={"id": "zs-pending"})
        with solara.Row(style={"flex-wrap": "wrap"}).key("tools"):
            if on_restore is not None:
                solara.Button(ui("restore", lang), on_click=on_restore, outlined=True, disabled=not edited,
                              attributes={"id": "zs-restore"})
            if package is not None:
                SaveButton(package, values, lang, edited)
        levers = [k for k in specs if "." not in k]
        for name in levers:
            on = bool(values.get(name))
            with solara.Div(classes=["zs-lever"], attributes={"data-lever": name}).key(f"lever-{name}"):
                solara.Switch(label=lever_label(name, lang), value=on, on_value=setter(name)).key(
                    f"switch-{name}-{n}")
                if not on:
                    continue
                for key, spec in specs.items():
                    if not key.startswith(name + "."):
                        continue
                    if key.endswith(".on") or (f"{key}.on" in specs and values.get(f"{key}.on") is False):
                        if key.endswith(".on"):
                            solara.Checkbox(label=setting_words(key, lang)[0], value=bool(values.get(key)),
                                            on_value=setter(key)).key(f"{key}-{n}")
                        continue
                    Control(key, spec, values.get(key, spec.get("value")), lang, setter, n)


@solara.component
def Control(key: str, spec: dict[str, Any], v: Any, lang: str, setter: Callable, n: int) -> None:
    kind = spec["type"]
    name, unit, hlp = setting_words(key, lang, spec.get("help_en", ""))
    text = control_label(key, spec, v, lang)
    with solara.Div(classes=["zs-control"], attributes={"data-key": key}):
        # keyed by setting, so a slider never inherits another setting's state
        if kind == "SliderInt":
            solara.SliderInt(text, value=int(v), min=spec["min"], max=spec["max"], step=spec.get("step") or 1,
                             on_value=setter(key)).key(f"{key}-{n}")
        elif kind == "SliderFloat":
            solara.SliderFloat(text, value=float(v), min=spec["min"], max=spec["max"], step=spec["step"],
                               on_value=setter(key)).key(f"{key}-{n}")
        elif kind == "Checkbox":
            solara.Checkbox(label=text, value=bool(v), on_value=setter(key)).key(f"{key}-{n}")
        elif kind == "Select":
            items = [{"text": choice_word(c, lang), "value": c} for c in spec["values"]]
            rv.Select(label=text, v_model=v, items=items, on_v_model=setter(key)).key(f"{key}-{n}")
        elif kind == "MultiSelect":
            names = spec.get("names", {})
            items = [{"text": _zone_word(c, names, lang), "value": c} for c in spec["values"]]
            rv.Select(label=text, v_model=list(v or []), items=items, multiple=True, chips=True,
                      small_chips=True, deletable_chips=True, on_v_model=setter(key)).key(f"{key}-{n}")
        elif spec.get("picker"):
            names = spec.get("names", {})
            if spec["picker"] == "pairs":
                items = [{"text": "→".join(_zone_word(z, names, lang) for z in c.split(">", 1)), "value": c}
                         for c in spec["options"]]
            else:
                items = [{"text": _zone_word(c, names, lang), "value": c} for c in spec["options"]]
            rv.Select(label=text, v_model=picked(spec, str(v)), items=items, multiple=True, chips=True,
                      small_chips=True, deletable_chips=True,
                      on_v_model=setter(key, lambda sel: inputs.picker_value(spec, sel))).key(f"{key}-{n}")
        else:
            solara.InputText(text, value=str(v), on_value=setter(key), continuous_update=False).key(f"{key}-{n}")
        Help(hlp)


@solara.component
def SaveButton(package: Package, values: dict[str, Any], lang: str, edited: bool) -> None:
    """Download the package designed on screen as a package file (YAML the loader reads)."""
    def build() -> bytes | None:
        try:
            return exports.package_yaml(package, settings_from_controls(package, values), edited)
        except ValueError:
            return None
    data = solara.use_memo(build, [package, repr(sorted(values.items(), key=lambda kv: kv[0]))])
    if data is None:
        return
    fname = exports.slug(package.name + ("-custom" if edited else "")) + ".yaml"
    solara.FileDownload(data, filename=fname, label=ui("save", lang), mime_type="text/yaml")


# ------------------------------------------------------------------------------------------
# figures and downloads
# ------------------------------------------------------------------------------------------
@solara.component
def Figure(fig: Any, ident: str, lang: str = "zh") -> None:
    """A matplotlib figure as a PNG <img> at its own size (shrunk only on a narrow screen), in a
    div with a stable id, with a PNG download."""
    png = exports.png(fig)
    with solara.Div(attributes={"id": ident, "data-min-px": f"{exports.MIN_PX:.2f}"}, classes=["zs-figure"]):
        solara.Image(png)
    solara.FileDownload(png, filename=f"{ident.removeprefix('zs-')}.png", label=ui("png", lang),
                        mime_type="image/png")


@solara.component
def TableDownloads(frames: dict[str, pd.DataFrame], stem: str, lang: str) -> None:
    first = next(iter(frames.values()))
    with solara.Row(classes=["zs-downloads"]):
        solara.FileDownload(lambda: exports.csv_bytes(first), filename=f"{stem}.csv", label=ui("csv", lang),
                            mime_type="text/csv")
        solara.FileDownload(lambda: exports.xlsx_bytes(frames, lang), filename=f"{stem}.xlsx",
                            label=ui("xlsx", lang),
                            mime_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# ------------------------------------------------------------------------------------------
# the live run
# ------------------------------------------------------------------------------------------
@solara.component
def LivePanels(model: DashboardModel, lang: str, tick: int = 0, pending: bool = False) -> None:
    t = UI[lang]
    df = model.band_frame()
    main = df[df["package"] == "current"]
    names = _names(model, lang)
    year = model.start_year + model.steps
    solara.HTML(tag="div", unsafe_innerHTML=header_html(model, lang, year, pending, _zone_names(model)),
                attributes={"id": "zs-header"})
    solara.HTML(tag="div", unsafe_innerHTML=inputs.text(t["apply"]), classes=["muted"])
    if model.control_error:
        solara.Error(f'{t["not_applied"]}: {model.control_error}')
    titles = {"current": package_title(model.package, lang) + (f"（{t['modified']}）" if lang == "zh" and model.modified
                                                               else f" ({t['modified']})" if model.modified else ""),
              REFERENCE: t["baseline"]}
    solara.HTML(tag="h4", unsafe_innerHTML=inputs.text(t['region']))
    if model.band > 1 or (df["package"] == REFERENCE).any():
        solara.HTML(tag="div", unsafe_innerHTML=inputs.text(t["band_note"].format(k=model.band)), classes=["muted"])
    xlim = (model.start_year - 0.5, model.start_year + int(model.max_years or model.world.years) + 0.5)
    Figure(region_panels(df, lang, titles=titles, xlim=xlim), "zs-region", lang)
    solara.HTML(tag="h4", unsafe_innerHTML=inputs.text(t['zones']))
    Figure(zone_trajectories(main[main["seed"] == model.run_seed], names, lang, xlim=xlim, size=(12, 5.6)),
           "zs-zones", lang)
    solara.HTML(tag="h4", unsafe_innerHTML=inputs.text(t['map']))
    zs = model.zones
    ids = [z for z, a, placed in zip(model.zone_ids, zs.alive, zs.located) if a and placed]  # no point: no marker
    last = main[(main["seed"] == model.run_seed) & (main["zone"] != "region") & (main["step"] == model.steps)]
    hosts = {z: model.zone_ids[h] for z, h in zip(model.zone_ids, zs.hosted_by) if h >= 0}
    lon = {z: float(x) for z, x in zip(model.zone_ids, zs.lon) if z in ids}
    lat = {z: float(y) for z, y in zip(model.zone_ids, zs.lat) if z in ids}
    Figure(zone_map(last, lon, lat, names, lang, hosts, size=(9, 7.2)), "zs-map", lang)
    solara.HTML(tag="h4", unsafe_innerHTML=inputs.text(t['ranking'].format(y=year)))
    rank = ranking(main[main["seed"] == model.run_seed], list(model.zone_ids))
    solara.HTML(tag="div", unsafe_innerHTML=ranking_html(rank, lang, names, "zs-ranking"))
    TableDownloads({t["ranking"].format(y=year): ranking_table(rank, lang, names),
                    t["region"]: region_table(df, lang, titles)}, f"ranking-{year}", lang)


@solara.component
def RunControls(model: solara.Reactive, make: Callable[[], DashboardModel], params: solara.Reactive[dict],
                tick: solara.Reactive[int], lang: str) -> None:
    """Reset, play / pause, step, the play interval, and the run's seed, years and band: our own
    controls (every word in the page's language), checked on the server."""
    playing = solara.use_reactive(False)
    refused = solara.use_reactive("")
    n = solara.use_reactive(0)
    m = model.value

    def done() -> bool:
        mm = model.value
        return not mm.running or (mm.max_years is not None and mm.steps >= mm.max_years)

    def do_step() -> None:
        if not done():
            model.value.step()
            tick.set(tick.value + 1)

    def do_reset() -> None:
        playing.set(False)
        model.set(make())
        tick.set(tick.value + 1)

    def loop(cancel: threading.Event) -> None:
        while playing.value and not cancel.is_set():
            if done():
                playing.set(False)
                return
            model.value.step()
            tick.set(tick.value + 1)
            cancel.wait(params.value["interval"] / 1000)

    solara.use_thread(loop, [playing.value, m], intrusive_cancel=False)

    def checked(key: str, check: Callable[[Any], Any]):
        def on_value(v: Any) -> None:
            try:
                params.set({**params.value, key: check(v)})
                refused.set("")
            except InputError as exc:
                refused.set(str(exc))
                n.set(n.value + 1)
        return on_value

    p = params.value
    k = n.value
    with solara.Card(ui("controls", lang)):
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.Button(ui("reset", lang), on_click=do_reset, outlined=True, attributes={"id": "zs-reset"})
            solara.Button(ui("pause", lang) if playing.value else ui("play", lang), color="primary",
                          on_click=lambda: playing.set(not playing.value), disabled=done() and not playing.value,
                          attributes={"id": "zs-play"})
            solara.Button(ui("step", lang), on_click=do_step, outlined=True, disabled=done() or playing.value,
                          attributes={"id": "zs-step"})
        solara.SliderInt(f"{ui('interval', lang)}: {p['interval']:,}", value=p["interval"], min=100, max=3000,
                         step=100, on_value=checked("interval", lambda v: inputs.whole(v, 100, 3000, "interval"))
                         ).key(f"interval-{k}")
        solara.HTML(tag="div", unsafe_innerHTML=inputs.text(ui("params", lang)), classes=["zs-subhead"])
        solara.InputText(ui("seed", lang), value=str(p["seed"]), continuous_update=False,
                         on_value=checked("seed", inputs.seed_value)).key(f"seed-{k}")
        solara.SliderInt(f"{ui('horizon', lang)}: {p['years']}", value=p["years"], min=1, max=MAX_YEARS,
                         on_value=checked("years", inputs.years_value)).key(f"years-{k}")
        solara.SliderInt(f"{ui('band', lang)}: {p['band']}", value=p["band"], min=1, max=inputs.MAX_BAND,
                         on_value=checked("band", inputs.band_value)).key(f"band-{k}")
        if refused.value:
            solara.Error(refused.value, dense=True, attributes={"id": "zs-run-refused"})


@solara.component
def LiveView(world: str, package: Any, lang: str) -> None:
    """The run of one (world, package): remounted when either changes, so every control starts
    from the package's values."""
    pkg = solara.use_memo(lambda: package if isinstance(package, Package) else load_package(package), [package])
    w = solara.use_memo(lambda: load_world(world), [world])
    specs = solara.use_memo(lambda: lever_controls(pkg, w), [pkg, w])
    start = {k: v["value"] for k, v in specs.items()}
    controls = solara.use_reactive(start)
    params = solara.use_reactive({"seed": 20210, "years": w.years, "band": 5, "interval": 400})
    tick = solara.use_reactive(0)

    def make() -> DashboardModel:
        p = params.value
        return DashboardModel(world=world, package=pkg, seed=p["seed"], years=p["years"], band=p["band"],
                              reference=True, controls=dict(controls.value))

    initial = solara.use_memo(make, [world, pkg])
    model = solara.use_reactive(initial)

    def restore() -> None:
        controls.set(dict(start))
        model.set(make())
        tick.set(tick.value + 1)

    applied = model.value.controls_applied
    pending = any(controls.value.get(k) != applied.get(k, s.get("value")) for k, s in specs.items())
    with solara.Sidebar():
        RunControls(model, make, params, tick, lang)
        LeverPanel(specs, controls, applied, lang, on_restore=restore, package=pkg)
    t = UI[lang]
    with solara.lab.Tabs():
        with solara.lab.Tab(t["live"]):
            LivePanels(model.value, lang, tick.value, pending)
        with solara.lab.Tab(t["compare"]):
            ComparePanel(model.value, lang)


# ------------------------------------------------------------------------------------------
# the comparison
# ------------------------------------------------------------------------------------------
# Comparisons running at once on this server (each is single-threaded numpy); more wait their turn.
RUN_SLOTS = threading.BoundedSemaphore(max(1, (os.cpu_count() or 1)))


class Cancelled(Exception):
    """The page that asked for the runs is gone (closed, disconnected) or asked again."""


def run_packages(world: str, packages: list[Package], base_seed: int, k: int, years: int,
                 stop: Any = None) -> pd.DataFrame:
    """Every package on the same ``k`` seeds for ``years`` years. The sizes are checked again here
    (the last line of defence: a browser sets any slider value), and ``stop()`` is asked before
    each run, so runs end soon after the page that wanted them is gone."""
    k = inputs.seeds_value(k)
    years = inputs.years_value(years)
    if not 1 <= len(packages) <= MAX_PACKAGES:
        raise InputError("dashboard packages", None, f"compare 1 to {MAX_PACKAGES} packages, got {len(packages)}")
    w = load_world(world)
    seeds = derive_seeds(inputs.seed_value(base_seed), k)
    jobs = [Job(w, pkg, s, years, r) for pkg in packages for r, s in enumerate(seeds)]
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


def run_pair(world: str, a: Package, b: Package, base_seed: int, k: int, years: int,
             stop: Any = None) -> pd.DataFrame:
    """Two packages on the same seeds (see :func:`run_packages`)."""
    return run_packages(world, [a, b], base_seed, k, years, stop)


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


def _titles() -> dict[str, Package]:
    out = {}
    for n in names_in(PACKAGES):
        try:
            out[n] = load_package(n)
        except InputError:
            continue
    return out


_BUNDLED: list[dict[str, Package]] = []


def bundled_packages() -> dict[str, Package]:
    if not _BUNDLED:
        _BUNDLED.append(_titles())
    return _BUNDLED[0]


@solara.component
def ComparePanel(model: DashboardModel, lang: str) -> None:
    t = UI[lang]
    bundled = bundled_packages()
    options = [CURRENT, *bundled]
    optional = [NONE, *options]
    a, set_a = solara.use_state(CURRENT)
    b, set_b = solara.use_state(next((n for n in options[1:] if n != model.package.name), options[-1]))
    c, set_c = solara.use_state(NONE)
    d, set_d = solara.use_state(NONE)
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

    def work() -> tuple[pd.DataFrame, list[Package]] | None:
        chosen = [inputs.choice(a, options, "package"), inputs.choice(b, options, "package")]
        chosen += [x for x in (inputs.choice(c, optional, "package"), inputs.choice(d, optional, "package")) if x]
        pkgs: list[Package] = []
        for slot, name in zip("ABCD", chosen):
            p = pkg(name)
            if any(q.name == p.name for q in pkgs):   # the same package twice: keep the runs apart
                p = Package(f"{p.name} ({slot})", f"{p.title} ({slot})", f"{p.title_zh}（{slot}）", p.description,
                            p.levers, p.chain, p.source, p.settings)
            pkgs.append(p)
        task_now = holder.get("task")

        def stop() -> bool:
            return page_gone(ctx) or (task_now is not None and not task_now.is_current())
        try:
            df = run_packages(model.world.name, pkgs, model.base_seed, k, years, stop)
        except Cancelled:
            return None
        return df, pkgs

    task = solara.lab.use_task(work, dependencies=None, prefer_threaded=True)
    holder["task"] = task

    def start() -> None:
        if not task.pending:  # one comparison at a time per session, whatever the browser sends
            task()

    def titles_of(names: list[str]) -> dict[str, str]:
        return {n: package_title(bundled[n], lang) for n in names if n in bundled}

    tt = titles_of(list(bundled))
    extra = [(CURRENT, t["current"])]
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        for slot, val, setter, opts, ex in (("a", a, set_a, options, extra), ("b", b, set_b, options, extra),
                                             ("c", c, set_c, optional, [(NONE, t["no_pkg"]), *extra]),
                                             ("d", d, set_d, optional, [(NONE, t["no_pkg"]), *extra])):
            rv.Select(label=t[slot], v_model=val, items=package_items(list(bundled), lang, tt, ex),
                      on_v_model=checked(setter, lambda v, o=opts: inputs.choice(v, o, "package")),
                      style_="min-width: 260px; max-width: 360px").key(f"{slot}-{refusals}")
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
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
        df, pkgs = task.value
        CompareResults(df, pkgs, model, lang)


@solara.component
def CompareResults(df: pd.DataFrame, pkgs: list[Package], model: DashboardModel, lang: str) -> None:
    """The comparison's charts and tables, drawn in the page's language now (titles are looked up
    at drawing time, so switching the language redraws every legend)."""
    t = UI[lang]
    titles = {p.name: f"{'ABCD'[i]}: {package_title(p, lang)}" for i, p in enumerate(pkgs)}
    seeds = sorted(df["seed"].unique())
    solara.Text(t["same_seeds"].format(s=", ".join(map(str, seeds))))
    Figure(region_panels(df, lang, titles=titles, size=(12, 6.4)), "zs-compare-region", lang)
    head = headline(df)
    others = head[head["package"] != pkgs[0].name]
    names = _names(model, lang)
    frames: dict[str, pd.DataFrame] = {}
    if "diff" in others:
        solara.HTML(tag="h4", unsafe_innerHTML=inputs.text(t['diff']))
        solara.HTML(tag="div", unsafe_innerHTML=diff_table_html(others, lang, titles))
        frames[t["diff"][:31]] = diff_table(others, lang, titles)
    with solara.Columns([1, 1]):
        for i, p in enumerate(pkgs):
            with solara.Column():
                sub = df[df["package"] == p.name]
                solara.HTML(tag="h4", unsafe_innerHTML=compare_heading_html(
                    titles[p.name], t['ranking'].format(y=int(sub['year'].max()))))
                rank = ranking(sub, list(model.zone_ids))
                solara.HTML(tag="div", unsafe_innerHTML=ranking_html(rank, lang, names, f"zs-compare-ranking-{i}"))
                frames[f"{'ABCD'[i]} {t['ranking'].format(y=int(sub['year'].max()))}"] = ranking_table(rank, lang, names)
    frames[t["region"]] = region_table(df, lang, titles)
    TableDownloads(frames, "comparison", lang)


def compare_heading_html(title: str, ranking_text: str) -> str:
    """'TITLE — Ranking, year Y', escaped (the title comes from a package file)."""
    return f"{inputs.text(title)} — {inputs.text(ranking_text)}"


def _diff_rows(second: pd.DataFrame, lang: str, titles: dict[str, str] | None) -> list[list[str]]:
    rows = []
    for r in second.itertuples():
        if not pd.notna(r.diff):
            continue
        pkg = getattr(r, "package", "")
        v = (lambda x, r=r: value(r.outcome, x, lang, sign=True, unit=False))
        rows.append([(titles or {}).get(pkg, pkg), label(r.outcome, lang), v(r.diff),
                     f"[{v(r.diff_p05)}, {v(r.diff_p95)}]", pct(r.diff_pct)])
    return rows


def diff_table(second: pd.DataFrame, lang: str, titles: dict[str, str] | None = None) -> pd.DataFrame:
    return pd.DataFrame(_diff_rows(second, lang, titles), columns=list(UI[lang]["diff_cols"]))


def diff_table_html(second: pd.DataFrame, lang: str, titles: dict[str, str] | None = None) -> str:
    """Each package minus A in the final year, every cell escaped."""
    t = UI[lang]
    rows = "".join("<tr>" + "".join(f"<td>{inputs.text(c)}</td>" for c in row) + "</tr>"
                   for row in _diff_rows(second, lang, titles))
    head = "".join(f"<th>{inputs.text(h)}</th>" for h in t["diff_cols"])
    return (f'<table class="ranking" id="zs-compare-diff"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>")


CSS = """
html, body, .v-application{font-size:16px}
body, .v-application, .v-application .title, .v-application .headline{font-family:Roboto,'ZonesimCJK','Noto Sans CJK SC',
  'Source Han Sans SC','Microsoft YaHei',sans-serif !important}
table.ranking{border-collapse:collapse;font-size:15px;width:100%}
table.ranking th,table.ranking td{border:1px solid #ddd;padding:3px 8px;text-align:right}
table.ranking td:first-child,table.ranking th:first-child,table.ranking td:nth-child(2){text-align:left}
table.ranking tr[data-level=national] td:nth-child(2){color:#c0392b;font-weight:bold}
table.ranking tr[data-level=delisted]{color:#999;text-decoration:line-through}
.muted{color:#666;font-size:14px}
.zs-help{color:#666;font-size:13px;line-height:1.3;display:block;margin:2px 0 6px 0}
.zs-control .zs-help{margin:-6px 0 8px 0}
.zs-badge{background:#e67e22;color:white;border-radius:4px;padding:1px 8px;margin-left:8px;font-size:14px}
.zs-head{font-size:18px}
.zs-settings{font-size:14px;margin:2px 0 8px 0}
.zs-subhead{font-weight:bold;margin-top:8px;font-size:14px}
.zs-figure img{max-width:100%;height:auto;width:auto}
.v-label, .v-input, .v-select__selection, .v-chip__content, .v-list-item__title, .v-subheader,
.v-btn__content, .v-tab, .v-card__title, .v-alert, .v-messages{font-size:14px !important}
.v-chip.v-size--small{font-size:13px !important;height:auto}
.v-subheader{font-weight:bold;color:#333 !important}
.v-navigation-drawer__content{overflow-x:hidden}
.v-navigation-drawer .v-label{white-space:normal;max-width:100%}
.v-navigation-drawer .v-input__slot{flex-wrap:wrap;max-width:100%}
.v-navigation-drawer .v-card, .v-navigation-drawer .v-alert{max-width:100%;overflow-wrap:anywhere}
"""


def token_ok(search: str | None, expected: str | None = None) -> bool:
    """Whether the page's address carries the dashboard's token (always true without one)."""
    expected = os.environ.get("ZONESIM_TOKEN", "") if expected is None else expected
    if not expected:
        return True
    given = parse_qs(search or "").get("token", [""])[0]
    return hmac.compare_digest(given.encode(), expected.encode())


@solara.component
def Upload(lang: str) -> None:
    """A package file from this computer (``<input type=file>``): at most inputs.MAX_UPLOAD bytes
    are read, then :func:`load_uploaded` checks it."""
    solara.Text(ui("load", lang), classes=["zs-help"])
    FileField()


@solara.component
def FileField() -> Any:
    from ipyvuetify.extra import FileInput

    info, set_info = solara.use_state(None)
    wired, set_wired = solara.use_state(None)
    el = FileInput.element(accept=".yaml,.yml", multiple=False, on_file_info=set_info)

    def wire() -> None:   # in the render context: the widget and its file handles
        if not info:
            return
        widget = solara.get_widget(el)
        widget.version += 1
        widget.reset_stats()
        set_wired(widget.get_files(timeout=120))   # a busy server (a run redrawing) answers late

    solara.use_effect(wire, [info])

    def read(cancel: threading.Event) -> None:
        if not wired:
            return
        f = wired[0]
        if int(f.get("size") or 0) > inputs.MAX_UPLOAD:
            load_uploaded(b"x" * (inputs.MAX_UPLOAD + 1), f.get("name"))   # refused by size, unread
            return
        load_uploaded(f["file_obj"].read(inputs.MAX_UPLOAD + 1), f.get("name"))

    def safe_read(cancel: threading.Event) -> None:
        try:
            read(cancel)
        except Exception as exc:  # noqa: BLE001 - the browser did not send the file in time: say so
            choice_error.set(f"uploaded package: could not read the file ({str(exc)[:120]})")

    solara.use_thread(safe_read, [wired], intrusive_cancel=False)
    return el


@solara.component
def ScenarioPicker() -> None:
    """World, package (by title, grouped by area) and language, and a package file to load; a
    value the browser sends that is not offered changes nothing."""
    lang = lang_choice.value
    t = UI[lang]
    with solara.Card(f"{t['world']} / {t['package']}"):
        n = choice_refusals.value
        worlds = inputs.world_names()
        witems = []
        for name in worlds:
            try:
                w = load_world(name)
                witems.append({"text": w.title_zh if lang == "zh" else w.title, "value": name})
            except InputError:
                witems.append({"text": name, "value": name})
        rv.Select(label=t["world"], v_model=world_choice.value, items=witems, on_v_model=choose_world).key(
            f"world-{n}")
        bundled = bundled_packages()
        names = inputs.package_names()
        titles = {p: package_title(bundled[p], lang) if p in bundled else _operator_title(p, lang) for p in names}
        rv.Select(label=t["package"], v_model=package_choice.value, items=package_items(names, lang, titles),
                  on_v_model=choose_package).key(f"package-{n}")
        Upload(lang).key("upload")   # keeps its identity (and its file field) when the line below appears
        with solara.Div().key("loaded"):
            if uploaded.value is not None:
                solara.HTML(tag="div", unsafe_innerHTML=inputs.text(t["loaded"].format(
                    t=package_title(uploaded.value, lang))), attributes={"id": "zs-loaded"})
        with solara.Row():
            for code, word in (("zh", "中文"), ("en", "English")):
                solara.Button(word, on_click=lambda c=code: choose_lang(c), outlined=lang != code,
                              color="primary", attributes={"id": f"zs-lang-{code}"})
        if choice_error.value:
            solara.Error(choice_error.value, attributes={"id": "zs-choice-error"})


def _operator_title(name: str, lang: str) -> str:
    try:
        return package_title(load_package(name), lang)
    except InputError:
        return name


@solara.component
def Page() -> None:
    solara.Style(webfont.font_css() + CSS)
    if not token_ok(solara.use_router().search):
        solara.Error("This dashboard needs the address with its token (?token=...) that zonesim printed when it "
                     "started. / 请使用启动时显示的带 token 的完整地址打开。", attributes={"id": "zs-token"})
        return
    lang = lang_choice.value
    solara.Title("zonesim")
    with solara.Sidebar():
        ScenarioPicker()
    pkg = uploaded.value if uploaded.value is not None else package_choice.value
    key = f"{world_choice.value}|{package_choice.value}|{id(uploaded.value)}"
    LiveView(world_choice.value, pkg, lang).key(key)


page = Page
if os.path.basename(sys.argv[0] if sys.argv else "").startswith("solara") or "solara" in (sys.argv[0] if sys.argv else ""):
    webfont.warm()   # served: cut the page font while the server starts
_ = (lever_long_title, lever_title, time)
