"""The one run path (sim.experiments.runner.simulate): the same table as stepping the model by
hand, and every command's loop releases its models (memory stays flat over a long study)."""

from __future__ import annotations

import gc
import subprocess
import sys

import pandas as pd
import pytest

from sim.experiments.runner import Job, derive_seeds, make_jobs, run_jobs, simulate
from sim.scenario.packages import load_package

SMALL = "synthetic:3,40,400"


@pytest.fixture(scope="module")
def small():
    from sim.scenario.world import load_world

    return load_world(SMALL)


def test_simulate_is_the_model_stepped_by_hand(world):
    from sim.model.zonemodel import ZoneModel

    pkg = load_package("guangxi-23")
    got = simulate(world, pkg, {"land_quota": 20.0}, 7, 2)
    m = ZoneModel(world=world.with_params(land_quota=20.0), levers=pkg.build(), rng=7, agent_handles="lazy")
    for _ in range(2):
        m.step()
    pd.testing.assert_frame_equal(got, m.results())


def test_params_set_lever_fields_and_bad_ones_are_one_line(small):
    from sim.core.errors import InputError

    base = simulate(small, load_package("baseline"), None, 3, 1)
    assert base.equals(simulate(small, load_package("baseline"), {}, 3, 1))
    with pytest.raises(InputError, match=r"params\.land_qota: unknown field \(did you mean 'land_quota'\?\)"):
        simulate(small, None, {"land_qota": 1.0}, 3, 1)
    with pytest.raises(InputError, match=r"^here: levers\.no_lever: unknown lever"):
        simulate(small, None, {"no_lever.amount": 1.0}, 3, 1, source="here")
    funded = simulate(small, load_package("baseline"), {"funding_reward.budget": 500.0}, 3, 1)
    assert not funded.equals(base)


def test_the_probe_sees_the_model_at_the_start_and_after_the_last_year(small):
    steps = []
    simulate(small, None, None, 1, 3, probe=lambda m: steps.append(m.steps))
    assert steps == [0, 3]


def test_run_jobs_gives_the_same_rows_in_process_and_on_two_workers(small):
    jobs = make_jobs(small, [load_package("baseline"), load_package("funding-reward")], derive_seeds(5, 2), 2)
    one = run_jobs(jobs, workers=1)
    two = run_jobs(jobs, workers=2)
    pd.testing.assert_frame_equal(one, two)
    assert list(one.columns[:3]) == ["package", "seed", "replicate"]
    assert isinstance(jobs[0], Job)


def _models_alive() -> int:
    from sim.model.zonemodel import ZoneModel

    gc.collect()
    # type(), not isinstance(): isinstance asks a weak proxy for its referent's class, and a dead proxy
    # that some library left among the collector's objects raises ReferenceError
    return sum(issubclass(type(o), ZoneModel) for o in gc.get_objects())


def test_validate_and_calibrate_loops_release_their_models(small):
    """Mesa 3.3.1 keeps every model in Agent._ids (mesa#3179): the loops of validate and calibrate
    go through the run path, which releases each model after its run."""
    from sim.analysis import calibrate as C
    from sim.analysis import validate as V

    simulate(small, None, None, 1, 1)
    before = _models_alive()
    seeds = derive_seeds(2, 3)
    V.run_stats(small, seeds, 2, 1, csn=False)
    V.lever_runs(small, {"baseline": (), "land": (("land_allocation", {"rule": "equal"}),)}, seeds[:1], 2)
    C.model_problem(small, seeds[:2], 2, 1).simulate([{"exit_base_hazard": 0.03}, {"exit_base_hazard": 0.05}])
    V.simulate(small, 4, 2)
    assert _models_alive() == before


def test_release_frees_the_pools_before_the_collector_runs(small):
    """A model is cyclic garbage (Mesa agents and bound stage methods refer back to it), freed
    only at a full collection: release empties its firm and cohort pools at once, so a loop of
    released models does not hold their columns until then (a study worker grew to ~1.7 GB)."""
    import weakref

    from sim.experiments.runner import release
    from sim.model.zonemodel import ZoneModel

    m = ZoneModel(world=small, rng=3, agent_handles="lazy")
    m.step()
    df = m.results()
    firm_col, cohort_col = weakref.ref(m.firms.employees), weakref.ref(m.talent.skill)
    was = gc.isenabled()
    gc.disable()  # no collection may free them: release itself must
    try:
        release(m)
        assert firm_col() is None and cohort_col() is None
        assert m.firms.n == m.firms.capacity == 0 and m.talent.n == 0
        assert len(df) > 0  # what was read before release stays
    finally:
        if was:
            gc.enable()


def test_release_lets_an_eager_models_agents_go_before_the_collector_runs(small):
    """An eager model's Mesa agents (one per firm and cohort) die at release by reference counting,
    not at the next full collection (which walked each of them: docs/performance.md)."""
    import weakref

    from sim.experiments.runner import release
    from sim.model.zonemodel import ZoneModel

    m = ZoneModel(world=small, rng=3)
    m.step()
    agents = weakref.WeakSet([*m.firms.handles.values(), *m.talent.handles.values()])
    assert len(agents) > 50
    was = gc.isenabled()
    gc.disable()
    try:
        release(m)
        assert len(m.agents) == 0 and len(agents) == 0
    finally:
        if was:
            gc.enable()


def test_reading_a_study_does_not_import_the_model():
    code = ("import sys; from sim.experiments.study import load_study; load_study('land-and-agglomeration'); "
            "print('sim.model.zonemodel' in sys.modules, 'sim.experiments.runner' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
