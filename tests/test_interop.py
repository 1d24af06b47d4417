"""Interoperability: ``sim.run`` / ``sim.run_scalar`` for SALib or EMA Workbench users, and
Mesa's own ``batch_run`` driving ZoneModel."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest


def test_import_sim_is_light():
    code = "import sys, sim; print('mesa' in sys.modules, 'pandas' in sys.modules, callable(sim.run))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "True"]


def test_lazy_exports():
    import sim
    from sim.experiments import runner

    assert sim.run is runner.run and sim.run_scalar is runner.run_scalar
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        sim.nope  # noqa: B018


def test_run_is_a_plain_function_of_params_seed_years(world):
    import sim

    a = sim.run({"land_quota": 20.0}, seed=5, years=1, world=world)
    assert isinstance(a, pd.DataFrame)
    assert sorted(a["step"].unique()) == [0, 1]
    assert len(a) == 2 * 15 and set(a["seed"]) == {5}
    b = sim.run({"land_quota": 20.0}, seed=5, years=1, world=world)
    pd.testing.assert_frame_equal(a, b)
    c = sim.run({"land_quota": 20.0}, seed=6, years=1, world=world)
    assert not np.array_equal(a["firms"], c["firms"])
    final = a[(a["zone"] == "region") & (a["step"] == 1)]["output"].iloc[0]
    assert sim.run_scalar({"land_quota": 20.0}, seed=5, years=1, world=world) == final
    assert sim.run_scalar({"land_quota": 20.0}, seed=5, years=1, world=world, outcome="firms",
                          zone="nanning") == a[(a["zone"] == "nanning") & (a["step"] == 1)]["firms"].iloc[0]


def test_run_rejects_bad_params_in_one_line(world):
    import sim
    from sim.core.errors import InputError

    with pytest.raises(InputError, match="did you mean 'land_quota'"):
        sim.run({"land_qota": 1.0}, 0, 1, world=world)
    with pytest.raises(InputError, match="unknown lever 'no_lever'"):
        sim.run({"no_lever.amount": 1.0}, 0, 1, world=world)


def test_salib_evaluate_loop(world):
    """The SALib idiom: sample, evaluate a scalar function per row, analyse."""
    import sim
    from SALib.sample import latin

    problem = {"num_vars": 1, "names": ["agglomeration_elasticity"], "bounds": [[0.02, 0.12]]}
    x = latin.sample(problem, 2, seed=1)
    y = np.array([sim.run_scalar(dict(zip(problem["names"], row)), seed=1, years=1, world=world) for row in x])
    assert y.shape == (2,) and np.all(np.isfinite(y)) and y[0] != y[1]


def test_mesa_batch_run(world):
    """2 parameter values x 2 rng seeds, 2 steps, one process."""
    import mesa

    from sim.model.zonemodel import ZoneModel

    rows = mesa.batch_run(ZoneModel, parameters={"world": [world], "agglomeration_elasticity": [0.05, 0.09],
                                                 "rng": [11, 12]},
                          number_processes=1, max_steps=2, data_collection_period=-1, display_progress=False)
    df = pd.DataFrame(rows)
    assert len(df) == 4
    assert sorted(zip(df["agglomeration_elasticity"], df["rng"])) == [(0.05, 11), (0.05, 12), (0.09, 11), (0.09, 12)]
    assert {"output", "firms", "hightech_firms", "talent", "output_per_km2"} <= set(df.columns)
    assert df["output"].nunique() == 4
    # the same as driving the model by hand (batch_run's step label aside)
    m = ZoneModel(world=world, rng=12, agglomeration_elasticity=0.09)
    while m.running and m.steps < 2:
        m.step()
    got = df[(df["agglomeration_elasticity"] == 0.09) & (df["rng"] == 12)]["firms"].iloc[0]
    assert got == m.datacollector.get_model_vars_dataframe()["firms"].iloc[-1]


def _models_alive() -> int:
    import gc

    from sim.model.zonemodel import ZoneModel

    gc.collect()
    # type(), not isinstance(): isinstance asks a weak proxy for its referent's class, and a dead proxy
    # that some library left among the collector's objects raises ReferenceError
    return sum(issubclass(type(o), ZoneModel) for o in gc.get_objects())


def test_runs_do_not_keep_models_alive(world):
    """Mesa 3.3.1 keeps every model in Agent._ids (mesa#3179); run() and the sweep release them."""
    import dataclasses

    import sim
    from sim.experiments.study import load_study
    from sim.experiments.sweep import chunks_of, run_chunk

    sim.run({}, 1, 0, world=world)
    before = _models_alive()
    for s in range(3):
        sim.run({}, s, 0, world=world)
    study = load_study("land-and-agglomeration")
    ctx = dataclasses.replace(study.context(), years=0, steps=(0,))
    run_chunk(ctx, chunks_of(study.runs().head(3), 3, [f.name for f in study.varying])[0])
    assert _models_alive() == before
