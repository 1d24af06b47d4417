"""Attribution: Shapley values on known games, and on sub-package studies where the answer is known
by construction (a lever that does nothing gets exactly nothing); interrupt + resume."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.attribution import (MAX_PLAYERS, Player, attribute, attribution_study, coalition_values, interaction_index,
                             players, region_values, run_package_study, shapley, sub_package)
from sim.core.errors import InputError
from sim.scenario.packages import load_package
from sim.scenario.world import load_world
from sim.experiments.study import apply_levers
from sim.experiments.store import Store
from sim.experiments.sweep import execute, open_store

WORLD = "synthetic:3,150,1500"


def _game(k: int, f) -> np.ndarray:
    """Coalition values v[mask] = f(set of players in mask)."""
    return np.array([f({i for i in range(k) if m >> i & 1}) for m in range(2 ** k)], dtype=float)


def _shapley_by_orders(v: np.ndarray, k: int) -> np.ndarray:
    """The definition: average marginal contribution over all k! orders."""
    phi = np.zeros(k)
    for order in itertools.permutations(range(k)):
        mask = 0
        for i in order:
            phi[i] += v[mask | 1 << i] - v[mask]
            mask |= 1 << i
    return phi / math.factorial(k)


def test_additive_game_gives_each_player_its_own_part():
    w = np.array([3.0, -1.0, 0.0, 5.0])
    v = _game(4, lambda s: 10 + sum(w[i] for i in s))
    assert np.allclose(shapley(v), w)
    assert np.allclose(interaction_index(v), 0.0)


def test_pure_interaction_is_split_equally_and_shows_as_interaction():
    v = _game(3, lambda s: 6.0 if {0, 1} <= s else 0.0)  # players 0 and 1 only work together
    phi = shapley(v)
    assert np.allclose(phi, [3.0, 3.0, 0.0])
    ii = interaction_index(v)
    assert ii[0, 1] == pytest.approx(6.0) and ii[0, 2] == pytest.approx(0.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5).flatmap(lambda k: st.tuples(st.just(k), st.lists(
    st.floats(-1e3, 1e3, allow_nan=False), min_size=2 ** k, max_size=2 ** k))))
def test_shapley_matches_the_definition_and_is_efficient(case):
    k, vals = case
    v = np.array(vals)
    phi = shapley(v)
    assert np.allclose(phi, _shapley_by_orders(v, k), atol=1e-6)
    assert phi.sum() == pytest.approx(v[-1] - v[0], abs=1e-6)


def test_per_seed_efficiency_and_intervals():
    rng = np.random.default_rng(1)
    v = rng.normal(100, 5, size=(6, 8))  # 6 seeds x 3 players
    ps = [Player(f"p{i}", (f"l{i}",)) for i in range(3)]
    a = attribute(v, ps, "output")
    assert a.totals["efficiency_gap"] < 1e-9
    assert a.shapley["shapley"].sum() == pytest.approx(a.totals["total_effect"])
    assert (a.shapley["shapley_lo"] < a.shapley["shapley"]).all()
    assert (a.shapley["shapley"] < a.shapley["shapley_hi"]).all()
    assert len(a.interactions) == 3 and len(a.combinations) == 8


# ------------------------------------------------------------------------------------------
# players and sub-packages
# ------------------------------------------------------------------------------------------
def test_players_by_area_and_by_measure_for_the_full_package():
    full, base = load_package("guangxi-23"), load_package("baseline")
    areas = players(full, base, "area")
    assert [p.name for p in areas] == [f"area{a}" for a in range(1, 7)]
    assert "land_allocation" in dict((p.name, p.levers) for p in areas)["area5"]
    measures = players(full, base, "measure")
    assert len(measures) > MAX_PLAYERS
    with pytest.raises(InputError, match="at most 8 players.*try --by area"):
        attribution_study(full, base, "measure", load_world(WORLD), 2023, 2, 1)


def test_sub_packages_span_baseline_to_package():
    full, base = load_package("area5-environment"), load_package("baseline")
    ps = players(full, base, "measure")
    none, everything = sub_package(full, base, ps, 0), sub_package(full, base, ps, 2 ** len(ps) - 1)
    assert none.levers == base.levers
    assert everything.to_dict()["levers"] == full.to_dict()["levers"]
    one = sub_package(full, base, ps, 1)
    assert list(one.levers) == [ps[0].levers[0]]


def test_identical_package_is_refused():
    base = load_package("baseline")
    with pytest.raises(InputError, match="does not differ"):
        players(base, base, "area")


# ------------------------------------------------------------------------------------------
# end to end on a small world: the answer known by construction
# ------------------------------------------------------------------------------------------
def _package():
    """The whole land quota by output (area 5, more land than the baseline asks for: changes output) + rewards
    with no budget (area 6, does nothing)."""
    base = load_package("baseline")
    pkg = apply_levers(base, {"land_allocation": {"rule": "output_per_land", "quota": 12.0},
                              "funding_reward": {"budget": 0.0}})
    return pkg, base


@pytest.mark.parametrize("by", ["area", "measure"])
def test_inactive_measure_gets_nothing_active_one_gets_everything(tmp_path, by):
    pkg, base = _package()
    world = load_world(WORLD)
    study, ps = attribution_study(pkg, base, by, world, world.start_year + 4, 3, 11)
    store, _ = run_package_study(study, tmp_path / "a", resume=False, overwrite=False, workers=1, scheduler=None,
                                 progress=False)
    v, seeds = coalition_values(region_values(store, "output", world.start_year + 4), ps, "output")
    assert v.shape == (3, 4) and len(set(seeds)) == 3
    a = attribute(v, ps, "output")
    sh = a.shapley.set_index("player")
    idle = "area6" if by == "area" else "funding_reward"
    active = "area5" if by == "area" else "land_allocation"
    assert sh.loc[idle, "shapley"] == 0.0 and sh.loc[idle, "shapley_lo"] == 0.0
    assert abs(a.totals["total_effect"]) > 0.1  # the land rule does change output here
    assert sh.loc[active, "shapley"] == pytest.approx(a.totals["total_effect"], abs=1e-9)
    assert sh.loc[active, "share_of_total"] == pytest.approx(1.0)
    assert a.interactions["interaction"].abs().max() == 0.0


def test_interrupted_attribution_resumes_to_identical_results(tmp_path):
    pkg, base = _package()
    world = load_world(WORLD)
    study, ps = attribution_study(pkg, base, "measure", world, world.start_year + 3, 2, 5)
    clean, _ = run_package_study(study, tmp_path / "clean", resume=False, overwrite=False, workers=1, scheduler=None,
                                 progress=False)
    # interrupted after 3 of 8 parts (as Ctrl-C would), then resumed
    store = open_store(study, tmp_path / "cut" / "runs")
    done = []

    def stop(k):
        done.append(k)
        if len(done) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        execute(study, store, workers=1, on_chunk=stop)
    assert len(Store.open(tmp_path / "cut" / "runs").verified()) == 3
    with pytest.raises(InputError, match="incomplete"):
        Store.open(tmp_path / "cut" / "runs").load()
    resumed, session = run_package_study(study, tmp_path / "cut", resume=True, overwrite=False, workers=1,
                                         scheduler=None, progress=False)
    assert session["runs_computed"] == 5
    assert resumed.part_bytes() == clean.part_bytes()
    # a different package in the same folder is refused
    other, _ = attribution_study(apply_levers(pkg, {"funding_reward": {"budget": 5.0}}), base, "measure", world,
                                 world.start_year + 3, 2, 5)
    with pytest.raises(InputError, match="different study"):
        run_package_study(other, tmp_path / "cut", resume=True, overwrite=False, workers=1, scheduler=None,
                          progress=False)
    # the same command again without --resume: refused, offering --resume (which computes nothing)
    with pytest.raises(InputError, match=r"--out: holds the runs of an earlier study; pass --resume"):
        run_package_study(study, tmp_path / "clean", resume=False, overwrite=False, workers=1, scheduler=None,
                          progress=False)
    again, session = run_package_study(study, tmp_path / "clean", resume=True, overwrite=False, workers=1,
                                       scheduler=None, progress=False)
    assert session["runs_computed"] == 0 and again.part_bytes() == clean.part_bytes()
