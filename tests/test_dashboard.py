"""zonesim dashboard: lever controls built from the levers' Settings, and the app used in a browser.

The unit tests check that every registered lever gets controls and that the controls round-trip
to the package's settings. The browser test starts ``zonesim dashboard`` on a loopback port in a
subprocess and drives it with Playwright in Debian's Chromium as a workshop would: step the
years, switch a lever on and move its slider, Reset, step again, check that the charts, year and
ranking table changed; run the side-by-side comparison; then open a generated report in the same
browser. Screenshots go to the test's temporary folder.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sim.present.dashboard.controls import lever_controls, settings_from_controls
from sim.scenario.packages import load_package
from sim.policies import REGISTRY
from sim.scenario.world import PACKAGES

CHROMIUM = "/usr/bin/chromium"
# generous waits: CI machines may be shared and busy (a step redraws four charts server-side)
WAIT = 180_000
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def start_values(specs):
    return {k: v["value"] for k, v in specs.items()}


# ------------------------------------------------------------------------------------------
# controls from Settings
# ------------------------------------------------------------------------------------------
def test_every_lever_and_every_setting_has_a_control():
    specs = lever_controls(load_package("baseline"))
    for name, cls in REGISTRY.items():
        assert specs[name]["type"] == "Checkbox"
        for field, info in cls.Settings.model_fields.items():
            assert any(k == f"{name}.{field}" or k.startswith(f"{name}.{field}.") for k in specs), (name, field)
    for key, spec in specs.items():
        if spec["type"] in ("SliderInt", "SliderFloat"):
            assert spec["min"] <= spec["value"] <= spec["max"], key
            assert spec["step"] > 0


@pytest.mark.parametrize("package", sorted(p.stem for p in PACKAGES.glob("*.yaml")))
def test_controls_round_trip_to_the_package_settings(package):
    pkg = load_package(package)
    specs = lever_controls(pkg)
    got = settings_from_controls(pkg, start_values(specs))
    assert set(got) == set(pkg.levers)
    for name in pkg.levers:
        assert got[name] == pkg.settings[name], name


def _first_numeric(specs, lever):
    for key, spec in specs.items():
        if key.startswith(lever + ".") and spec["type"] in ("SliderInt", "SliderFloat") and spec["max"] > spec["value"]:
            return key, spec
    return None, None


def test_moving_a_control_changes_the_settings_and_bad_values_name_the_lever():
    if not REGISTRY:
        pytest.fail("no levers registered in sim.policies.REGISTRY")
    pkg = load_package("baseline")
    specs = lever_controls(pkg)
    lever = next(n for n in REGISTRY if _first_numeric(specs, n)[0])
    key, spec = _first_numeric(specs, lever)
    values = {**start_values(specs), lever: True, key: spec["max"]}
    got = settings_from_controls(pkg, values)
    field = key.split(".")
    obj = got[lever]
    for part in field[1:]:
        obj = obj[int(part)] if part.isdigit() else getattr(obj, part)
    assert obj == pytest.approx(spec["max"])
    values[key] = -1e9 if spec["min"] >= 0 else 1e12
    with pytest.raises(ValueError, match=lever):
        settings_from_controls(pkg, values)
    # switched off: the lever is gone whatever its controls say
    values[lever] = False
    assert lever not in settings_from_controls(pkg, values)


def test_yaml_text_controls_parse():
    """Settings that are neither numbers, switches nor choices are YAML text boxes."""
    pkg = load_package("baseline")
    specs = lever_controls(pkg)
    text = [k for k, s in specs.items() if s["type"] == "InputText"]
    for key in text:
        lever = key.split(".")[0]
        values = {**start_values(specs), lever: True}
        settings_from_controls(pkg, values)  # the starting text parses back
        values[key] = "[unclosed"
        with pytest.raises(ValueError, match="YAML"):
            settings_from_controls(pkg, values)


# ------------------------------------------------------------------------------------------
# issue 18: the dashboard as a workshop tool (components, no browser)
# ------------------------------------------------------------------------------------------
ASCII_WORD = re.compile(r"(?!GDP)[A-Za-z]{3,}")   # an English word (GDP is written so in Chinese too)


def test_packages_listed_by_title_grouped_by_area():
    from sim.present.dashboard.labels import package_areas, package_items
    from sim.present.i18n import package_title

    names = sorted(p.stem for p in PACKAGES.glob("*.yaml"))
    titles = {n: package_title(load_package(n), "zh") for n in names}
    items = package_items(names, "zh", titles)
    heads = [i["header"] for i in items if "header" in i]
    assert heads[0] == "综合方案" and "一、优化布局" in heads and "六、组织管理" in heads
    shown = [i["text"] for i in items if "value" in i]
    assert sorted(i["value"] for i in items if "value" in i) == names
    assert not set(shown) & set(names), "a slug is shown"
    assert package_areas()["hosting"] == 4 and package_areas()["guangxi-23"] == 0
    assert package_areas()["area2-innovation"] == 2


def test_every_setting_has_a_name_unit_and_help_in_both_languages():
    from sim.present.dashboard.labels import setting_words

    specs = lever_controls(load_package("guangxi-23"))
    for key, spec in specs.items():
        if "." not in key:
            continue
        for lang in ("zh", "en"):
            name, unit, hlp = setting_words(key, lang, spec.get("help_en", ""))
            assert name and "_" not in name, (key, lang, name)
            assert hlp or key.endswith(".on"), (key, lang)
            if lang == "zh":
                assert not ASCII_WORD.search(name), (key, name)
        if spec["type"] in ("SliderInt", "SliderFloat") and not key.endswith(("count", "per_host")):
            pass
    assert not [k for k, s in specs.items() if s["type"] == "InputText" and not s.get("picker")], \
        "every list is a picker, no YAML box"


def test_controls_speak_the_page_language():
    import ipyvuetify as v
    import solara

    from sim.present.dashboard import app

    model = solara.reactive(app.DashboardModel())
    params = solara.reactive({"seed": 20210, "years": 5, "band": 1, "interval": 400})
    box, rc = solara.render(app.RunControls(model, app.DashboardModel, params, solara.reactive(0), "zh"),
                            handle_error=False)
    words = [" ".join(map(str, b.children)) for b in rc.find(v.Btn).widgets]
    words += [str(s.label) for s in rc.find(v.Slider).widgets] + [str(t.label) for t in rc.find(v.TextField).widgets]
    assert words and not [w for w in words if ASCII_WORD.search(w)], words
    assert {"重置", "播放", "单步"} <= set(words)
    pkg = load_package("talent-subsidy")
    specs = lever_controls(pkg)
    controls = solara.reactive({k: s["value"] for k, s in specs.items()})
    box, rc = solara.render(app.LeverPanel(specs, controls, {}, "zh", on_restore=lambda: None, package=pkg),
                            handle_error=False)
    labels = [str(w.label) for w in rc.find(v.Slider).widgets + rc.find(v.Switch).widgets + rc.find(v.Select).widgets]
    assert labels and not [x for x in labels if ASCII_WORD.search(x)], labels
    assert any(x.startswith("补贴金额: ") and "千元/人" in x for x in labels), labels


def test_header_says_modified_and_the_settings_in_words():
    from sim.present.dashboard import app

    pkg = load_package("guangxi-23")
    specs = lever_controls(pkg)
    model = app.DashboardModel(package="guangxi-23")
    head = app.header_html(model, "zh", 2021)
    assert "已修改" not in head and "广西" in head
    for slug in ("host_share", "move_cost_factor", "funding_reward", "e+", "nan"):
        assert slug not in head, slug
    values = {k: s["value"] for k, s in specs.items()}
    values["hosting.host_share"] = 0.6
    edited = app.DashboardModel(package="guangxi-23", controls=values)
    head = app.header_html(edited, "zh", 2021)
    assert 'id="zs-modified"' in head and "已修改" in head and "托管方税收分成 60%" in head
    assert "modified" in app.header_html(edited, "en", 2021)
    assert app.header_html(model, "zh", 2021, pending=True).count("已修改") == 1


def test_saved_package_file_loads_back_to_the_same_settings(tmp_path):
    from sim.present.dashboard import exports

    pkg = load_package("hosting")
    specs = lever_controls(pkg)
    values = {**start_values(specs), "hosting.host_share": 0.55, "talent_subsidy": True, "talent_subsidy.zones": ["nanning"]}
    settings = settings_from_controls(pkg, values)
    path = tmp_path / "saved.yaml"
    path.write_bytes(exports.package_yaml(pkg, settings, True))
    back = load_package(path)
    assert back.name == "hosting-custom" and back.title_zh.endswith("（已修改）")
    assert set(back.settings) == set(settings)
    for k in settings:
        assert back.settings[k] == settings[k], k
    assert back.settings["talent_subsidy"].zones == ("nanning",)


def test_tables_and_charts_export_without_scientific_notation():
    import io

    import matplotlib
    import pandas as pd

    from sim.present.dashboard import app, exports

    df = pd.DataFrame({"a": [1.5e-7, 12345678.9, float("nan")], "b": ["南宁", "x", "y"]})
    text = exports.csv_bytes(df).decode("utf-8-sig")
    assert "e-" not in text and "e+" not in text and "nan" not in text.lower() and "南宁" in text
    book = pd.read_excel(io.BytesIO(exports.xlsx_bytes({"t": df}, "zh")))
    assert list(book.columns) == ["a", "b"]
    model = app.DashboardModel(years=3)
    model.step()
    from sim.present.charts.trajectories import region_panels

    fig = exports.legible(region_panels(model.band_frame(), "zh"))
    assert exports.smallest_text_pt(fig) >= exports.MIN_PT
    assert exports.png(fig)[:8] == b"\x89PNG\r\n\x1a\n"
    assert exports.MIN_PX >= 12
    _ = matplotlib


def test_live_band_runs_more_seeds_and_the_baseline_in_step():
    from sim.present.dashboard import app

    model = app.DashboardModel(package="hosting", band=3, reference=True, years=4)
    model.step()
    model.step()
    df = model.band_frame()
    cur, ref = df[df["package"] == "current"], df[df["package"] == "baseline"]
    assert cur["seed"].nunique() == 3 and ref["seed"].nunique() == 3
    assert set(cur["seed"]) == set(ref["seed"])
    assert cur["step"].max() == ref["step"].max() == 2
    one = app.DashboardModel(package="hosting", years=4)
    one.step()
    one.step()
    a = one.results()
    b = cur[cur["seed"] == model.run_seed].drop(columns=["package", "seed"]).reset_index(drop=True)
    pd_testing = __import__("pandas").testing
    pd_testing.assert_frame_equal(a.reset_index(drop=True), b, check_dtype=False)   # the band's first seed is the run
    with pytest.raises(Exception):
        from sim.present.dashboard import inputs

        inputs.band_value(inputs.MAX_BAND + 1)


# ------------------------------------------------------------------------------------------
# the dashboard in a browser
# ------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(proc: subprocess.Popen) -> str:
    """The end of the server log the fixture passes as the process's stdout file."""
    log = getattr(proc, "log_path", None)
    return Path(log).read_text(errors="replace")[-3000:] if log else "(no log)"


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            out = proc.stdout.read()[-3000:] if proc.stdout else _log_tail(proc)
            raise AssertionError(f"dashboard exited with {proc.returncode}: {out}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"dashboard did not answer at {url} within {timeout} s")


@pytest.fixture
def dashboard(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (Debian package 'chromium'; CI installs it)")
    port = free_port()
    log = open(tmp_path / "server.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "dashboard", "--port", str(port), "--host", "127.0.0.1",
                             "--lang", "en", "--package", "baseline"], stdout=log, stderr=subprocess.STDOUT,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"), start_new_session=True)
    proc.log_path = tmp_path / "server.log"
    url = f"http://127.0.0.1:{port}/"
    try:
        try:
            wait_http(url, proc)
        except AssertionError:
            log.seek(0)
            raise AssertionError(log.read()[-3000:]) from None
        yield url
    finally:
        # the command execs the server (same pid); its session is ours alone, stop all of it
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        log.close()
        assert subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True).stdout.strip() == b"", \
            "dashboard processes left running"


def year_is(page, year: int, timeout: float = WAIT) -> None:
    page.wait_for_function(f"document.querySelector('#zs-year') && "
                           f"document.querySelector('#zs-year').textContent.includes('{year}')", timeout=timeout)


def step(page, times: int, start_year: int) -> None:
    for i in range(times):
        page.get_by_role("button", name="Step", exact=True).click()
        year_is(page, start_year + i + 1)


def img_src(page, ident: str) -> str:
    return page.locator(f"#{ident} img").get_attribute("src")


@pytest.mark.slow
def test_workshop_session_in_chromium(dashboard, tmp_path, world):
    from playwright.sync_api import sync_playwright

    y0 = world.start_year
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.set_default_timeout(WAIT)
            page.goto(dashboard)
            page.wait_for_selector("#zs-region img", timeout=WAIT)
            year_is(page, y0)
            # SolaraViz rendered (Mesa 3.3.1 + ipyvuetify<2): its controller and parameter cards
            for text in ("Controls", "Model Parameters", "Reset", "Step"):
                assert page.get_by_text(text, exact=True).first.is_visible(), text
            charts0 = {i: img_src(page, i) for i in ("zs-region", "zs-zones", "zs-map")}
            rank0 = page.locator("#zs-ranking").inner_text()
            assert page.locator("#zs-ranking tbody tr").count() == len(world.zones)
            assert "national" in rank0 and "region-level" in rank0

            # run three years of the package as it is
            step(page, 3, y0)
            base_rank = page.locator("#zs-ranking").inner_text()
            base_region = img_src(page, "zs-region")
            assert base_region != charts0["zs-region"] and img_src(page, "zs-zones") != charts0["zs-zones"]
            assert base_rank != rank0

            # switch a lever on and move one of its sliders to the end of its range
            lever = next(n for n in ("talent_subsidy", "tech_finance", "incubators") if n in REGISTRY)
            box = page.locator(f"[data-lever={lever}]")
            box.locator("label").first.click()
            page.wait_for_selector("#zs-pending", timeout=WAIT)
            on = page.locator("[data-lever] input[role=switch][aria-checked=true]")
            assert on.count() == 1, "exactly the clicked lever is switched on"
            assert on.first.locator(f"xpath=ancestor::*[@data-lever='{lever}']").count() == 1
            slider = box.get_by_role("slider").first
            label_before = slider.get_attribute("aria-label")          # e.g. "amount: 20"
            top = slider.get_attribute("aria-valuemax")
            slider.focus()
            slider.press("End")
            page.wait_for_function(
                "([sel, before]) => { const e = document.querySelector(sel);"
                " return e && e.getAttribute('aria-label') !== before; }",
                arg=[f"[data-lever={lever}] [role=slider]", label_before], timeout=WAIT)
            label_after = slider.get_attribute("aria-label")
            assert float(label_after.rsplit(":", 1)[1]) == pytest.approx(float(top)), (label_before, label_after)
            page.screenshot(path=str(tmp_path / "dashboard-lever.png"))

            # Reset applies it; the same seed and three years now give a different ranking and charts
            page.get_by_role("button", name="Reset", exact=True).click()
            year_is(page, y0)
            page.wait_for_selector("#zs-pending", state="detached", timeout=WAIT)
            title = REGISTRY[lever].title
            page.wait_for_function(f"document.body.innerText.includes({title!r})", timeout=WAIT)
            field, value = label_after.split(":")
            value = float(value)
            shown = f"{field.strip()}={value:.3g}"
            assert shown in page.locator("#zs-year").locator("xpath=..").inner_text(), shown  # applied
            assert page.locator("[data-lever] input[role=switch][aria-checked=true]").count() == 1
            step(page, 3, y0)
            lever_rank = page.locator("#zs-ranking").inner_text()
            assert lever_rank != base_rank, "the lever changed nothing in the ranking table"
            assert img_src(page, "zs-region") != base_region
            page.screenshot(path=str(tmp_path / "dashboard-live.png"), full_page=True)

            # the second view: two packages side by side on the same seeds
            page.get_by_role("tab", name="Compare").click()
            seeds = page.get_by_role("slider", name=re.compile(r"^Seeds: \d+"))
            seeds.focus()
            seeds.press("Home")
            page.wait_for_function("document.body.innerText.includes('Seeds: 1')", timeout=WAIT)
            years = page.get_by_role("slider", name=re.compile(r"^Years: \d+"))
            years.focus()
            years.press("Home")
            for _ in range(4):
                years.press("ArrowRight")
            page.wait_for_function("document.body.innerText.includes('Years: 5')", timeout=WAIT)
            page.locator("#zs-run-both").click()
            page.wait_for_selector("#zs-compare-region img", timeout=WAIT)
            assert "Both packages run on the same seeds" in page.locator("body").inner_text()
            assert page.locator("#zs-compare-ranking-0 tbody tr").count() == len(world.zones)
            assert page.locator("#zs-compare-ranking-1 tbody tr").count() >= len(world.zones)  # B may add zones
            assert page.locator("#zs-compare-diff tbody tr").count() >= 5
            page.screenshot(path=str(tmp_path / "dashboard-compare.png"), full_page=True)
            for name in ("dashboard-lever.png", "dashboard-live.png", "dashboard-compare.png"):
                assert (tmp_path / name).stat().st_size > 20_000

            # a report, opened in the same browser: pictures load, Chinese drawn with a CJK font
            from sim.cli.main import main as cli
            from tests.test_report import check_report_in_browser

            run = tmp_path / "run"
            assert cli(["run", "--seeds", "1", "--years", "3", "--workers", "1", "--no-progress",
                        "--out", str(run)]) == 0
            assert cli(["report", str(run), "--lang", "zh", "--out", str(tmp_path / "zh.html")]) == 0
            check_report_in_browser(page, tmp_path / "zh.html", tmp_path / "report-zh.png", zh=True)
        finally:
            browser.close()


def test_dashboard_command_refuses_unknown_package(capsys):
    from sim.cli.main import main as cli

    assert cli(["dashboard", "--package", "no-such-package"]) == 2
    assert "no-such-package" in capsys.readouterr().err



def test_dashboard_app_imports():
    """The SolaraViz app and everything mesa.visualization needs are installed (fast check; the
    browser test is slow)."""
    import importlib

    importlib.import_module("sim.present.dashboard.app")
