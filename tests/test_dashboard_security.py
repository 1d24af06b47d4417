"""The dashboard is a server: nothing a browser sends is trusted (issue 20, items 7 and 8).

The components are rendered with solara (no browser) and driven with the messages a browser
sends over the websocket: a widget ``update`` of ``v_model`` (what picking from a select or
moving a slider sends) and a ``custom`` click event, handed to the widget's own message handler,
i.e. the code path of a real websocket message. tests/test_dashboard.py::test_hostile_client_
in_chromium (slow) does the same from Chromium through the real server.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

pytest.importorskip("solara")

import ipyvuetify as v  # noqa: E402
import solara  # noqa: E402

from sim.core.errors import InputError  # noqa: E402
from sim.core.params import MAX_YEARS  # noqa: E402
from sim.present.dashboard import app, inputs  # noqa: E402
from sim.present.report.sections import ranking_html  # noqa: E402  (the dashboard's ranking table)
from sim.present.dashboard.controls import lever_controls, settings_from_controls  # noqa: E402
from sim.scenario.packages import load_package  # noqa: E402

HOSTILE = '<img src=x onerror="alert(1)">'
HOSTILE_ZH = "<script>alert('zh')</script>"


def send(widget, **state):
    """What the browser sends when a user changes a control: a comm 'update' message."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state, "buffer_paths": []}},
                        "buffers": []})


def click(widget):
    widget._handle_msg({"content": {"data": {"method": "custom", "content": {"event": "click", "data": {}}}},
                        "buffers": []})


def alerts(rc) -> list[str]:
    return [" ".join(map(str, w.children)) for w in rc.find(v.Alert).widgets]


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


@pytest.fixture
def choices():
    world, package = app.world_choice.value, app.package_choice.value
    yield
    app.world_choice.set(world)
    app.package_choice.set(package)
    app.choice_error.set("")


# ------------------------------------------------------------------------------------------
# values from the browser, checked like the command line
# ------------------------------------------------------------------------------------------
def test_names_only_from_the_bundled_lists(fifo):
    assert inputs.package_choice("hosting") == "hosting" and inputs.world_choice("guangxi") == "guangxi"
    for bad in ("/etc/passwd", "../scenarios/packages/baseline.yaml", "scenarios/packages/baseline.yaml",
                "/dev/zero", str(fifo), "baseline.yaml", "", None, 7, ["baseline"], "x" * 10_000):
        with pytest.raises(InputError) as err:
            inputs.package_choice(bad)
        assert "\n" not in str(err.value) and len(str(err.value)) < 300
        with pytest.raises(InputError):
            inputs.world_choice(bad)


def test_whole_numbers_are_bounded():
    assert inputs.seeds_value(10) == 10 and inputs.years_value(MAX_YEARS) == MAX_YEARS
    assert inputs.seed_value("20210") == 20210 and inputs.seeds_value(3.0) == 3
    for bad in (0, 11, 200_000, -1, 2.5, float("nan"), float("inf"), "1e9", True, None, "9" * 5000):
        with pytest.raises(InputError):
            inputs.seeds_value(bad)
    for bad in (0, MAX_YEARS + 1, 10**9):
        with pytest.raises(InputError):
            inputs.years_value(bad)
    for bad in (-5, 2**63, "abc", "²", "-", "", "--5", "١٢"):  # '²' and Arabic-Indic digits: str.isdigit, not int()
        with pytest.raises(InputError):
            inputs.seed_value(bad)


def test_lever_controls_take_only_values_within_their_spec():
    specs = lever_controls(load_package("baseline"))
    slider = next(s for s in specs.values() if s["type"] == "SliderFloat")
    assert inputs.control_value(slider, slider["max"]) == slider["max"]
    for bad in (slider["max"] * 10 + 1, float("nan"), float("inf"), "1", None, True):
        with pytest.raises(InputError):
            inputs.control_value(slider, bad)
    select = next(s for s in specs.values() if s["type"] == "Select")
    with pytest.raises(InputError):
        inputs.control_value(select, "/etc/passwd")
    text = next(s for s in specs.values() if s["type"] == "InputText")
    with pytest.raises(InputError):
        inputs.control_value(text, "x" * (inputs.MAX_TEXT + 1))


def test_yaml_alias_bomb_in_a_text_box_is_refused_quickly():
    bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    pkg = load_package("baseline")
    specs = lever_controls(pkg)
    key = next(k for k, s in specs.items() if s["type"] == "InputText" and k.startswith("hosting."))
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="aliases"):
        settings_from_controls(pkg, {**{k: s["value"] for k, s in specs.items()}, "hosting": True, key: bomb})
    assert time.perf_counter() - t0 < 5


def test_model_built_from_browser_values_is_bounded(monkeypatch):
    m = app.DashboardModel(seed=-5, years=10**6)
    assert m.base_seed == 20210 and m.max_years <= MAX_YEARS and "seed" in m.control_error
    m = app.DashboardModel(seed="7", years=MAX_YEARS + 1)
    assert m.base_seed == 7 and m.max_years == m.world.years and "years" in m.control_error
    for bad in ("/etc/passwd", "../../etc/passwd", "synthetic:4000,5000000,90000000"):
        with pytest.raises(InputError):
            app.DashboardModel(world=bad)
        with pytest.raises(InputError):
            app.DashboardModel(package=bad)


# ------------------------------------------------------------------------------------------
# the components, driven by client messages
# ------------------------------------------------------------------------------------------
def test_scenario_picker_refuses_paths_sent_by_a_client(choices, fifo, tmp_path):
    evil = tmp_path / "evil.yaml"
    evil.write_text(f"name: evil\ntitle: '{HOSTILE}'\nextends: baseline\n")
    box, rc = solara.render(app.ScenarioPicker(), handle_error=False)
    world_select, package_select = rc.find(v.Select).widgets
    for bad in (str(evil), "/etc/passwd", "/dev/zero", str(fifo), "../packages/baseline", 42):
        t0 = time.perf_counter()
        send(package_select, v_model=bad)
        send(world_select, v_model=bad)
        assert time.perf_counter() - t0 < 5          # a pipe is never opened, so never waited on
        assert app.package_choice.value == inputs.operator_package()
        assert app.world_choice.value == inputs.operator_world()
        assert any("not one of the" in a for a in alerts(rc)), alerts(rc)
    send(rc.find(v.Select).widgets[1], v_model="hosting")   # an offered name is taken
    assert app.package_choice.value == "hosting" and not alerts(rc)


def test_compare_panel_bounds_sizes_and_runs_one_comparison_at_a_time(monkeypatch):
    calls: list = []
    real = app.run_job
    monkeypatch.setattr(app, "run_job", lambda job: calls.append(job) or real(job))
    model = app.DashboardModel()
    box, rc = solara.render(app.ComparePanel(model, "en"), handle_error=False)
    seeds, years = rc.find(v.Slider).widgets
    send(seeds, v_model=200_000)                       # the slider's maximum is 10: refused
    send(rc.find(v.Slider).widgets[1], v_model=10**6)
    assert [s.v_model for s in rc.find(v.Slider).widgets] == [3, model.max_years]
    assert any("from 1 to 10" in a for a in alerts(rc)) or any(str(MAX_YEARS) in a for a in alerts(rc))
    a_select = rc.find(v.Select).widgets[0]
    send(a_select, v_model="/etc/passwd")
    assert rc.find(v.Select).widgets[0].v_model == app.CURRENT
    assert any("not one of the packages" in a for a in alerts(rc))
    send(rc.find(v.Slider).widgets[0], v_model=1)
    send(rc.find(v.Slider).widgets[1], v_model=1)
    button = rc.find(v.Btn).widgets[0]
    for _ in range(5):                                 # clicks while running start nothing more
        click(button)
    deadline = time.time() + 120
    while len(calls) < 2 and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    assert len(calls) == 2 and {c.years for c in calls} == {1}
    # the last line of defence: run_pair itself refuses sizes beyond the sliders, before any run
    calls.clear()
    pkg = load_package("baseline")
    for k, y in ((200_000, 1), (1, 10**6), (0, 1)):
        with pytest.raises(InputError):
            app.run_pair("guangxi", pkg, pkg, 20210, k, y)
    assert calls == []


def test_runs_stop_when_the_page_is_gone(monkeypatch):
    calls: list = []
    real = app.run_job
    monkeypatch.setattr(app, "run_job", lambda job: calls.append(job) or real(job))
    pkg = load_package("baseline")
    with pytest.raises(app.Cancelled):
        app.run_pair("guangxi", pkg, pkg, 20210, 10, 1, stop=lambda: len(calls) >= 1)
    assert len(calls) == 1  # 20 runs asked for, one done before the page left

    class Ctx:
        def __init__(self, closed, statuses):
            self.closed_event = threading.Event()
            if closed:
                self.closed_event.set()
            self.page_status = statuses

    from solara.server.kernel_context import PageStatus

    assert app.page_gone(Ctx(True, {}))
    assert app.page_gone(Ctx(False, {"p": PageStatus.DISCONNECTED}))
    assert app.page_gone(Ctx(False, {"p": PageStatus.CLOSED}))
    assert not app.page_gone(Ctx(False, {"p": PageStatus.CONNECTED, "q": PageStatus.DISCONNECTED}))
    assert not app.page_gone(None)


def test_lever_panel_refuses_values_beyond_the_slider(monkeypatch):
    pkg = load_package("baseline")
    specs = lever_controls(pkg)
    controls = solara.reactive({k: s["value"] for k, s in specs.items()})
    box, rc = solara.render(app.LeverPanel(specs, controls, {}, "en"), handle_error=False)
    switch = next(w for w in rc.find(v.Switch).widgets if "talent_subsidy" in str(w.label))
    send(switch, v_model=True)
    assert controls.value["talent_subsidy"] is True
    slider = next(w for w in rc.find(v.Slider).widgets if "amount" in str(w.label))
    top = specs["talent_subsidy.amount"]["max"]
    send(slider, v_model=1e12)
    assert controls.value["talent_subsidy.amount"] == specs["talent_subsidy.amount"]["value"]
    assert any("talent_subsidy" in a and f"{top:g}" in a for a in alerts(rc)), alerts(rc)
    send(next(w for w in rc.find(v.Slider).widgets if "amount" in str(w.label)), v_model=top)
    assert controls.value["talent_subsidy.amount"] == top


# ------------------------------------------------------------------------------------------
# HTML: everything shown is escaped
# ------------------------------------------------------------------------------------------
def _hostile_package(tmp_path, monkeypatch):
    path = tmp_path / "hostile.yaml"
    path.write_text(f"name: hostile\ntitle: '{HOSTILE}'\ntitle_zh: \"{HOSTILE_ZH}\"\nextends: talent-subsidy\n",
                    encoding="utf-8")
    monkeypatch.setenv("ZONESIM_PACKAGE", str(path))  # the operator's own file: trusted to load, not to render
    return path


def _no_markup(html_text: str) -> None:
    assert "<img" not in html_text and "<script" not in html_text and "onerror=" not in html_text.replace(
        "onerror=&quot;", "")


def test_hostile_package_title_is_escaped_in_the_live_header(tmp_path, monkeypatch):
    path = _hostile_package(tmp_path, monkeypatch)
    model = app.DashboardModel(package=str(path))
    for lang, raw in (("en", HOSTILE), ("zh", HOSTILE_ZH)):
        html_text = app.header_html(model, lang, 2021)
        _no_markup(html_text)
        assert ("&lt;img" if lang == "en" else "&lt;script&gt;") in html_text
    # rendered, every HTML widget of the live view holds escaped text only
    import solara.widgets

    box, rc = solara.render(app.LivePanels(model, "en"), handle_error=False)
    shown = [str(w.unsafe_innerHTML) for w in rc.find(solara.widgets.HTML).widgets]
    assert len(shown) >= 5 and any("&lt;img" in s for s in shown)
    for s in shown:
        _no_markup(s)


def test_hostile_titles_are_escaped_in_the_comparison(tmp_path, monkeypatch):
    import pandas as pd

    _no_markup(app.compare_heading_html(HOSTILE, "Ranking, year 2022"))
    assert "&lt;img src=x" in app.compare_heading_html(HOSTILE, "x")
    diff = pd.DataFrame({"outcome": [HOSTILE], "diff": [1.0], "diff_p05": [0.5], "diff_p95": [1.5],
                         "diff_pct": [2.0]})
    _no_markup(app.diff_table_html(diff, "en"))
    zone_id = 'x" onmouseover="alert(1)'
    rank = pd.DataFrame({"zone_id": [zone_id], "level_code": ['1" onclick="alert(1)'], "hosted": [True],
                         "host": [HOSTILE_ZH], "rank": [1], "score": [50.0], "output": [10.0],
                         "output_change_pct": [1.0], "delisted_share": [0.0]})
    out = ranking_html(rank, "en", {zone_id: HOSTILE}, 'r" onload="alert(1)')
    _no_markup(out)
    assert 'onmouseover="' not in out and 'onclick="' not in out and 'onload="' not in out


def test_token_gate():
    assert app.token_ok(None, "")                      # no token configured: loopback default
    assert app.token_ok("token=s3cret-token", "s3cret-token")
    for search in (None, "", "token=wrong", "tok=s3cret-token", "token="):
        assert not app.token_ok(search, "s3cret-token")


# ------------------------------------------------------------------------------------------
# the real server, driven from Chromium over the websocket (slow)
# ------------------------------------------------------------------------------------------
SET_WIDGET = """async ([label, value, exact]) => {
    const wm = solara.debug.widgetManager();
    for (const p of Object.values(wm._models)) {
        const m = await p;
        const l = m.get('label');
        if (typeof l === 'string' && (exact ? l === label : l.startsWith(label)) && m.get('v_model') !== undefined) {
            m.set('v_model', value);
            m.save_changes();
            return l;
        }
    }
    return null;
}"""


def _serve(tmp_path, *extra):
    import signal
    import subprocess
    import sys

    from .test_dashboard import free_port, wait_http

    port = free_port()
    log = open(tmp_path / f"server-{port}.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "dashboard", "--port", str(port), "--lang", "en",
                             *extra], stdout=log, stderr=subprocess.STDOUT,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"), start_new_session=True)
    url = f"http://127.0.0.1:{port}/"

    def stop():
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
    try:
        wait_http(url, proc)
    except BaseException:
        stop()
        raise
    return url, stop, tmp_path / f"server-{port}.log"


@pytest.mark.slow
def test_hostile_client_in_chromium(tmp_path, monkeypatch):
    """Through the real server and websocket: a hostile package title stays text; a client that
    sends a server path for the package, 200,000 seeds or too many years is refused; with a token
    the page without it gets nothing."""
    from .test_dashboard import CHROMIUM, FLAGS, WAIT

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(f"name: hostile\ntitle: '{HOSTILE}'\nextends: baseline\n", encoding="utf-8")
    evil = tmp_path / "evil.yaml"
    evil.write_text("name: evil\ntitle: PWNED\nextends: baseline\n", encoding="utf-8")
    url, stop, log = _serve(tmp_path, "--package", str(hostile), "--token", "workshop-token-1")
    dialogs: list = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                page = browser.new_page(viewport={"width": 1500, "height": 1000})
                page.set_default_timeout(WAIT)
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                # without the token: only the refusal, no model, no controls
                page.goto(url)
                page.wait_for_selector("#zs-token", timeout=WAIT)
                assert page.locator("#zs-region").count() == 0 and page.locator("[data-lever]").count() == 0
                # with it: the app; the hostile title is shown as text, never as markup
                page.goto(url + "?token=workshop-token-1")
                page.wait_for_selector("#zs-region img", timeout=WAIT)
                assert page.locator("#zs-package").inner_text() == HOSTILE
                assert page.evaluate("document.querySelectorAll('img[onerror], script:not([src])').length") == \
                    page.evaluate("document.querySelectorAll('script:not([src])').length")
                assert page.evaluate("document.querySelectorAll('img[onerror]').length") == 0
                # a server path sent as the package: refused, nothing loaded
                assert page.evaluate(SET_WIDGET, ["Package", str(evil), True]) == "Package"
                page.wait_for_selector("#zs-choice-error", timeout=WAIT)
                assert "not one of the packages" in page.locator("#zs-choice-error").inner_text()
                assert page.locator("#zs-package").inner_text() == HOSTILE
                assert "PWNED" not in page.locator("body").inner_text()
                # the comparison: 200,000 seeds and 10^6 years refused by the server
                page.get_by_role("tab", name="Compare").click()
                page.wait_for_selector("#zs-run-both", timeout=WAIT)
                assert page.evaluate(SET_WIDGET, ["Seeds:", 200000, False]).startswith("Seeds:")
                page.wait_for_selector("#zs-refused", timeout=WAIT)
                assert "from 1 to 10" in page.locator("#zs-refused").inner_text()
                assert page.evaluate(SET_WIDGET, ["Years:", 10**6, False]).startswith("Years:")
                page.wait_for_function("document.querySelector('#zs-refused') && "
                                       "document.querySelector('#zs-refused').innerText.includes('years')",
                                       timeout=WAIT)
                assert page.get_by_role("slider", name="Seeds: 3").count() == 1  # the kept value is shown
            finally:
                browser.close()
    finally:
        stop()
    assert dialogs == []
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-2000:]


# ------------------------------------------------------------------------------------------
# issue 18: loaded package files, pickers and four-package comparisons are checked too
# ------------------------------------------------------------------------------------------
GOOD_UPLOAD = b"name: my-package\ntitle: My package\ntitle_zh: \xe6\x88\x91\xe7\x9a\x84\xe6\x94\xbf\xe7\xad\x96\xe5\x8c\x85\n" \
              b"extends: hosting\nlevers:\n  talent_subsidy: {amount: 25.0, zones: [national]}\n"


def test_uploaded_package_goes_through_the_loader():
    pkg = inputs.package_upload(GOOD_UPLOAD, "my.yaml")
    assert pkg.title_zh == "我的政策包" and pkg.settings["talent_subsidy"].amount == 25.0
    assert "hosting" in pkg.levers                   # extends a bundled package
    assert "zonesim-upload" not in pkg.source
    bomb = ("a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))).encode()
    bad = {
        "size": b"#" * (inputs.MAX_UPLOAD + 1),
        "utf-8": b"name: x\ntitle: \xff\xfe\n",
        "YAML": b"name: [unclosed\n",
        "aliases": bomb,
        "package file": b"- just\n- a list\n",
        "bundled": b"name: x\nextends: /etc/passwd\n",
        "bundled package": b"name: x\nextends: ../worlds/guangxi\n",
        "lever": b"name: x\nlevers:\n  no_such_lever: {}\n",
        "amount": b"name: x\nlevers:\n  talent_subsidy: {amount: -5}\n",
        "name": b"name: '../../evil'\n",
    }
    for what, data in bad.items():
        t0 = time.perf_counter()
        with pytest.raises(InputError) as err:
            inputs.package_upload(data, "x.yaml")
        msg = str(err.value)
        assert "\n" not in msg and len(msg) < 600, (what, msg)
        assert "zonesim-upload" not in msg and "/tmp" not in msg, msg   # no server paths in the message
        assert time.perf_counter() - t0 < 5
    with pytest.raises(InputError):
        inputs.package_upload("name: x", "x.yaml")   # not bytes


def test_a_bad_upload_changes_nothing(choices):
    app.uploaded.set(None)
    before = app.package_choice.value
    app.load_uploaded(b"name: x\nextends: /etc/passwd\n", "evil.yaml")
    assert app.uploaded.value is None and app.package_choice.value == before
    assert "not a bundled package" in app.choice_error.value
    app.load_uploaded(GOOD_UPLOAD, "my.yaml")
    assert app.uploaded.value.name == "my-package" and app.choice_error.value == ""
    app.uploaded.set(None)


def test_zone_and_pair_pickers_take_only_offered_values():
    pkg = load_package("baseline")
    specs = lever_controls(pkg)
    zones = specs["talent_subsidy.zones"]
    assert zones["type"] == "MultiSelect" and "nanning" in zones["values"]
    assert inputs.control_value(zones, ["nanning", "national", "nanning"]) == ["nanning", "national"]
    for bad in (["/etc/passwd"], "nanning", [["nanning"]], ["x"] * 1000, None, [1]):
        with pytest.raises(InputError):
            inputs.control_value(zones, bad)
    pairs = specs["hosting.pairs"]
    text = inputs.picker_value(pairs, ["nanning>laibin"])
    got = settings_from_controls(pkg, {**{k: s["value"] for k, s in specs.items()}, "hosting": True,
                                       "hosting.pairs": text})
    assert [(p.host, p.hosted) for p in got["hosting"].pairs] == [("nanning", "laibin")]
    for bad in (["nanning>/etc/passwd"], ["laibin>nanning"], "nanning>laibin", [{"host": "nanning"}]):
        with pytest.raises(InputError):
            inputs.picker_value(pairs, bad)


def test_lever_panel_zone_picker_refuses_a_client_value():
    pkg = load_package("talent-subsidy")
    specs = lever_controls(pkg)
    controls = solara.reactive({k: s["value"] for k, s in specs.items()})
    box, rc = solara.render(app.LeverPanel(specs, controls, {}, "zh"), handle_error=False)
    picker = next(w for w in rc.find(v.Select).widgets if w.multiple and w.label == "适用园区")
    send(picker, v_model=["/etc/passwd"])
    assert controls.value["talent_subsidy.zones"] == specs["talent_subsidy.zones"]["value"]
    assert alerts(rc)
    picker = next(w for w in rc.find(v.Select).widgets if w.multiple and w.label == "适用园区")
    send(picker, v_model=["nanning", "liuzhou"])
    assert controls.value["talent_subsidy.zones"] == ["nanning", "liuzhou"]


def test_compare_takes_at_most_four_packages_and_refuses_other_names(monkeypatch):
    calls: list = []
    real = app.run_job
    monkeypatch.setattr(app, "run_job", lambda job: calls.append(job) or real(job))
    pkg = load_package("baseline")
    with pytest.raises(InputError):
        app.run_packages("guangxi", [pkg] * 5, 20210, 1, 1)
    assert calls == []
    model = app.DashboardModel()
    box, rc = solara.render(app.ComparePanel(model, "en"), handle_error=False)
    selects = rc.find(v.Select).widgets
    assert len(selects) == 4 and selects[2].v_model == app.NONE
    send(selects[2], v_model="/etc/passwd")
    assert rc.find(v.Select).widgets[2].v_model == app.NONE
    send(rc.find(v.Select).widgets[2], v_model="hosting")
    send(rc.find(v.Select).widgets[3], v_model="delisting")
    for w in rc.find(v.Slider).widgets:
        send(w, v_model=1)
    click(rc.find(v.Btn).widgets[0])
    deadline = time.time() + 120
    while len(calls) < 4 and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    assert len(calls) == 4 and {c.package.name for c in calls} >= {"hosting", "delisting"}


def test_an_oversized_upload_is_refused_unread(choices):
    """The browser reports the file's size: beyond the cap nothing is read, one line says why."""
    from ipyvuetify.extra import FileInput

    app.uploaded.set(None)
    box, rc = solara.render(app.Upload("en"), handle_error=False)
    rc.find(FileInput).widget.file_info = [{"name": "big.yaml", "size": 50_000_000, "isFile": True}]
    deadline = time.time() + 10
    while not app.choice_error.value and time.time() < deadline:
        time.sleep(0.05)
    assert "at most 64 KB" in app.choice_error.value and app.uploaded.value is None
