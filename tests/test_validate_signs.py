"""Issue 17: ``zonesim validate`` lists measures whose region effect has the opposite sign to their
declared intent (``Lever.intent``), from the single-measure packages paired with the baseline."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.analysis import validate as V
from sim.policies import REGISTRY
from sim.scenario.world import load_world


def test_every_measure_declares_an_intent_and_has_a_single_measure_package():
    measures = {n for n, c in REGISTRY.items() if c.measure}
    assert all(REGISTRY[n].intent is not None and REGISTRY[n].intent[1] in (1, -1) for n in measures)
    assert set(V.single_measure_packages()) == measures
    assert V.single_measure_packages()["land_allocation"].name == "land-by-output"


def test_sign_checks_verdicts():
    pk = V.single_measure_packages(["tech-transfer", "key-technology", "city-industry"])
    rows = []
    for seed, (b, up, down, flat) in enumerate([(100, 110, 90, 101), (100, 111, 91, 99), (100, 109, 89, 100.5)]):
        rows += [{"arm": "baseline", "seed": seed, "innovations": b, "talent": b},
                 {"arm": "tech_transfer", "seed": seed, "innovations": up},
                 {"arm": "key_technology", "seed": seed, "innovations": down},
                 {"arm": "city_industry", "seed": seed, "talent": flat}]
    got = V.sign_checks(pd.DataFrame(rows), pk).set_index("measure")["verdict"].to_dict()
    assert got == {"tech_transfer": "as intended", "key_technology": "opposite", "city_industry": "inconclusive"}
    # a clear effect below the tolerance is negligible, not a wrong sign
    tiny = pd.DataFrame([{"arm": a, "seed": s, "innovations": v} for s in range(3)
                         for a, v in (("baseline", 100.0), ("key_technology", 99.99 - 0.001 * s))])
    pk1 = {"key_technology": pk["key_technology"]}
    assert V.sign_checks(tiny, pk1)["verdict"].tolist() == ["negligible"]
    assert V.sign_checks(tiny, pk1, tolerance=0.0)["verdict"].tolist() == ["opposite"]
    text = V.format_signs(V.sign_checks(pd.DataFrame(rows), pk), 3)
    assert "opposite sign: key_technology" in text


@pytest.fixture
def wrong_intent(monkeypatch):
    """tech_transfer claims to lower innovations: the check must catch it."""
    monkeypatch.setattr(REGISTRY["tech_transfer"], "intent", ("innovations", -1))


def test_a_wrong_intent_is_listed_as_opposite(wrong_intent):
    world = load_world("guangxi")
    pk = V.single_measure_packages(["tech-transfer", "key-technology"])
    runs = V.sign_runs(world, pk, [1, 2], 2, 1)
    got = V.sign_checks(runs, pk).set_index("measure")
    assert got.loc["tech_transfer", "verdict"] == "opposite"
    assert got.loc["key_technology", "verdict"] == "as intended"


def test_validate_signs_only_cli(tmp_path, capsys, wrong_intent):
    from sim.cli.main import main

    out = tmp_path / "v"
    argv = ["validate", "--signs-only", "--sign-seeds", "2", "--sign-years", "2", "--sign-packages", "tech-transfer",
            "--workers", "1", "--out", str(out)]
    assert main(argv + ["--strict"]) == 1  # an opposite sign fails --strict
    text = capsys.readouterr().out
    assert "opposite sign: tech_transfer" in text
    table = pd.read_csv(out / "signs.csv")
    assert list(table["verdict"]) == ["opposite"]


def test_validate_sign_packages_must_be_single_measure(tmp_path, capsys):
    from sim.cli.main import main

    assert main(["validate", "--signs-only", "--sign-packages", "guangxi-23", "--out", str(tmp_path / "v")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--sign-packages" in err[0]


@pytest.mark.parametrize("bad", ["nan", "inf", "-1", "101", "x"])
def test_sign_tolerance_is_refused_before_any_run(tmp_path, capsys, bad):
    from sim.cli.main import main

    with pytest.raises(SystemExit) as ex:
        main(["validate", "--signs-only", "--sign-tolerance", bad, "--out", str(tmp_path / "v")])
    assert ex.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--sign-tolerance" in err[0]
    assert not (tmp_path / "v").exists()
