"""sim.experiments.runner.run_one takes a study run's rows straight from the model's recorder
(sim.outcomes.metrics.Recorder.rows): the same rows, values, types and stored bytes as filtering
the model's whole table, which is what it did before (kept here as the reference)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sim.experiments import runner
from sim.experiments.runner import PackagesContext, RunSpec, run_one
from sim.experiments.store import to_parquet_bytes
from sim.experiments.study import RunContext
from sim.scenario.packages import empty_package, load_package
from sim.scenario.world import load_world


def reference_run_one(ctx: RunContext, spec: RunSpec) -> pd.DataFrame:
    """run_one as it was: the whole table from simulate(), filtered with pandas."""
    values = dict(spec.values)
    base = ctx.package
    if isinstance(ctx, PackagesContext) and runner.PACKAGE_FACTOR in values:
        base = dict(ctx.packages)[values[runner.PACKAGE_FACTOR]]
    df = runner.simulate(ctx.world, base, {k: v for k, v in values.items() if k != runner.PACKAGE_FACTOR},
                         spec.seed, ctx.years, source="study", spinup_cache=spec.spinup)
    zones = df["zone"].to_numpy()
    in_zones = (zones == "region") | np.isin(zones, list(ctx.zones)) if ctx.zones else zones == "region"
    keep = df["step"].isin(ctx.steps).to_numpy() & in_zones
    df = df.loc[keep, ["step", "year", "zone", *ctx.outcomes]].reset_index(drop=True)
    n = len(df)
    front = pd.DataFrame({k: np.full(n, getattr(spec, k), dtype=np.int64) for k in ("run", "point", "replicate", "seed")})
    for name in ctx.factors:
        front[name] = pd.Series([values[name]] * n, dtype=runner._dtype(values[name]))
    out = pd.concat([front, df], axis=1)
    out["step"] = out["step"].astype(np.int64)
    out["year"] = out["year"].astype(np.int64)
    return out


@pytest.fixture(scope="module")
def ctx():
    world = load_world("synthetic:4,40,300")
    return RunContext(world, load_package("baseline"), 3, ("output", "talent", "output_cv", "public_money", "level"),
                      (3,), (), ("agglomeration_elasticity", "funding_reward.budget", "delisting.bottom_region",
                                 "land_allocation.rule", "flagged"))


SPEC = RunSpec(7, 3, 1, 12345, (("agglomeration_elasticity", 0.07), ("funding_reward.budget", 20.0),
                                ("delisting.bottom_region", 1), ("land_allocation.rule", "equal"), ("flagged", True)))


@pytest.mark.parametrize("change", [
    {},  # the final year, the region row only (a Sobol study)
    {"steps": (0, 1, 3)},
    {"steps": (2, 3), "zones": "first two"},
    {"steps": (0, 1, 2, 3), "zones": "all"},
    {"steps": (9,)},  # no recorded step: no row, the same column types
])
def test_rows_from_the_recorder_equal_the_filtered_table(ctx, change, monkeypatch):
    change = dict(change)
    ids = list(ctx.world.zone_ids)
    if "zones" in change:
        change["zones"] = tuple(ids[:2] if change["zones"] == "first two" else ids)
    c = dataclasses.replace(ctx, **change)
    # "flagged" is not a model parameter: it only becomes a column
    real = runner.configure
    monkeypatch.setattr(runner, "configure", lambda w, p, values, source: real(w, p, {
        k: v for k, v in values.items() if k != "flagged"}, source))
    want, got = reference_run_one(c, SPEC), run_one(c, SPEC)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert list(got.dtypes) == list(want.dtypes)
    assert to_parquet_bytes(got, {"chunk": 1}) == to_parquet_bytes(want, {"chunk": 1})
    if "zones" in change:
        assert set(got["zone"]) == {*change["zones"], "region"}


def test_rows_with_a_package_factor(ctx):
    c = PackagesContext(ctx.world, ctx.package, 2, ("output", "firms"), (2,), (), ("package",),
                        packages=(("levers", load_package("baseline")), ("none", empty_package())))
    for i, name in enumerate(("levers", "none")):
        spec = RunSpec(i, i, 0, 40 + i, (("package", name),))
        want, got = reference_run_one(c, spec), run_one(c, spec)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        assert to_parquet_bytes(got) == to_parquet_bytes(want)


def test_an_infinite_outcome_fails_the_run_with_its_name_and_year(ctx, monkeypatch):
    from sim.outcomes.metrics import Recorder

    real = Recorder.rows

    def overflow(self, *a):
        step, zone, values = real(self, *a)
        values[-1, 1] = np.inf
        return step, zone, values

    monkeypatch.setattr(Recorder, "rows", overflow)
    c = dataclasses.replace(ctx, factors=(), steps=(2, 3))
    with pytest.raises(FloatingPointError, match=rf"'talent' is infinite in {ctx.world.start_year + 3}"):
        run_one(c, RunSpec(0, 0, 0, 5, ()))
