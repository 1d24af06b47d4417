"""The run order that lets runs on one start share it (sim/experiments/runner.py), and results
that do not depend on it: jobs of run/compare, a study's chunks and the runs inside a chunk."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.cli.jobs import run_all
from sim.cli.main import main
from sim.experiments.runner import (
    PACKAGE_FACTOR,
    Job,
    RunSpec,
    chunk_order,
    chunks_of,
    job_order,
    make_jobs,
    offers,
    run_chunk,
    run_jobs,
    run_one,
    shared_starts,
    start_key,
)
from sim.experiments.store import Store
from sim.model import spinup
from sim.scenario.packages import load_package
from sim.scenario.world import load_world

from ..test_study import write_study


@pytest.fixture(scope="module")
def small():
    return load_world("synthetic:3,40,300")


def test_shared_starts_groups_by_first_appearance_and_flags_singletons():
    order, shared = shared_starts(["a", "b", "a", "c", "b", "a"])
    assert order == [0, 2, 5, 1, 4, 3]
    assert shared == [True, True, True, False, True, True]
    assert shared_starts([]) == ([], [])


def test_jobs_run_seed_major_and_a_lone_seed_skips_the_cache(small):
    packages = [load_package(n) for n in ("baseline", "funding-reward", "delisting")]
    jobs = make_jobs(small, packages, [11, 12], 3)  # package-major, as compare lists them
    items = job_order(jobs)
    assert [(jobs[i].seed, jobs[i].package.name) for i in items] == [
        (11, "baseline"), (11, "funding-reward"), (11, "delisting"),
        (12, "baseline"), (12, "funding-reward"), (12, "delisting")]
    assert all(job.spinup is None for job in items.values())
    alone = job_order(make_jobs(small, packages[:1], [11, 12], 3))
    assert [job.spinup for job in alone.values()] == [False, False]


def test_job_results_do_not_depend_on_the_cache_order_or_workers(small, monkeypatch):
    """run_jobs and the CLI's run_all: rows in job order, the same bytes with the cache off
    (in-process), on (in-process) and on with two workers."""
    packages = [load_package(n) for n in ("baseline", "funding-reward", "hosting")]
    jobs = make_jobs(small, packages, [5, 6], 3)
    monkeypatch.setenv("ZONESIM_SPINUP_CACHE", "0")
    off = run_jobs(jobs)
    monkeypatch.setenv("ZONESIM_SPINUP_CACHE", "1")
    cache = spinup.process_cache()
    hits = cache.hits
    on = run_jobs(jobs)
    assert cache.hits - hits >= 4  # 3 packages on each of 2 seeds: 2 builds, 4 copies at most (LRU of 8)
    pd.testing.assert_frame_equal(off, on, check_exact=True)
    assert list(off.drop_duplicates(["package", "seed"])[["package", "seed"]].itertuples(index=False)) == [
        (j.package.name, j.seed) for j in jobs]
    pd.testing.assert_frame_equal(off, run_jobs(jobs, workers=2), check_exact=True)
    done = run_all(jobs, workers=1)
    assert done.complete
    pd.testing.assert_frame_equal(off, done.table, check_exact=True)


def test_run_all_tells_each_process_how_many_runs_it_makes(small, monkeypatch):
    """The CLI's run_all hands every task the runs a process makes (so the compiled kernels switch on
    at a process's first run when its runs will pay for them: ``kernels.expect_models``), and takes the
    hint back when it ends; the results are the same whatever the hint."""
    from sim.core import kernels

    packages = [load_package(n) for n in ("baseline", "funding-reward")]
    jobs = make_jobs(small, packages, [5, 6, 7], 2)
    told = []
    real = kernels.expect_models
    monkeypatch.setattr(kernels, "expect_models", lambda n: (told.append(n), real(n)))
    done = run_all(jobs, workers=1)
    assert done.complete and told[:-1] == [6] * 6 and told[-1] == 0 and kernels._expected == 0


def _spec(run, seed, **values):
    return RunSpec(run, run, 0, seed, tuple(values.items()))


def test_start_key_ignores_the_package_and_lever_settings():
    a = _spec(0, 7, package="baseline", land_quota=6.0, **{"funding_reward.budget": 1.0})
    b = _spec(1, 7, package="hosting", land_quota=6.0, **{"funding_reward.budget": 9.0})
    assert start_key(a) == start_key(b)
    assert start_key(_spec(2, 8, package="baseline", land_quota=6.0)) != start_key(a)
    assert start_key(_spec(3, 7, package="baseline", land_quota=7.0)) != start_key(a)


def test_start_key_ignores_the_parameters_the_build_does_not_read():
    """Rows differing only in a parameter no build reads (a talent or wage parameter) are put
    together and offered to the cache; one the build reads keeps them apart."""
    assert {"beta_wage", "outside_wage_ratio"} <= spinup.UNREAD_BY_BUILD
    a = _spec(0, 7, land_quota=6.0, beta_wage=2.5, outside_wage_ratio=1.35)
    assert start_key(a) == start_key(_spec(1, 7, land_quota=6.0, beta_wage=3.0, outside_wage_ratio=1.2))
    assert start_key(a) != start_key(_spec(2, 7, land_quota=7.0, beta_wage=2.5, outside_wage_ratio=1.35))
    runs = pd.DataFrame({"run": range(4), "point": range(4), "replicate": 0, "seed": 11,
                         "agglomeration_elasticity": [0.05, 0.05, 0.08, 0.05], "beta_wage": [2.0, 3.0, 2.0, 2.0]})
    chunks = chunks_of(runs, 1, ["agglomeration_elasticity", "beta_wage"])
    assert {k: v[0].spinup for k, v in chunks.items()} == {0: None, 1: None, 2: False, 3: None}
    assert chunk_order(chunks) == [0, 1, 3, 2]


def test_rows_differing_in_what_only_the_spin_up_reads_offer_their_population():
    """A row whose start is its own but whose population before the spin-up another row with
    another start shares (it differs from it only in a parameter the spin-up reads, the land
    quota) offers that population to the cache; a row sharing its whole start offers that too;
    a row sharing neither (another seed) offers nothing and does not use the cache."""
    assert "land_quota" in spinup.READ_BY_SPINUP_ONLY and "agglomeration_elasticity" not in spinup.UNREAD_BEFORE_SPINUP
    assert spinup.UNREAD_BY_BUILD < spinup.UNREAD_BEFORE_SPINUP
    runs = pd.DataFrame({"run": range(5), "point": range(5), "replicate": 0, "seed": [11, 11, 11, 11, 12],
                         "land_quota": [6.0, 6.0, 9.0, 6.0, 6.0], "beta_wage": [2.0, 3.0, 2.0, 2.0, 2.0]})
    specs = [v[0] for v in chunks_of(runs, 1, ["land_quota", "beta_wage"]).values()]
    both, pop = (spinup.POPULATED, spinup.SPUN_UP), (spinup.POPULATED,)
    assert [(s.spinup, s.offer) for s in specs][:4] == [(None, both), (None, both), (None, pop), (None, both)]
    assert specs[4].spinup is False
    assert start_key(specs[0], spinup.POPULATED) == start_key(specs[2], spinup.POPULATED)
    assert start_key(specs[0]) != start_key(specs[2])
    # the Sobol benchmark's factors: only the agglomeration elasticity is read before the spin-up
    assert offers([_spec(0, 7, land_quota=6.0, growth_drift=0.0), _spec(1, 7, land_quota=7.0, growth_drift=0.01),
                   _spec(2, 7, land_quota=6.0, agglomeration_elasticity=0.09)]) == [pop, pop, ()]


def test_chunks_mark_lone_starts_and_order_shared_ones_together():
    runs = pd.DataFrame({"run": range(6), "point": [0, 0, 1, 1, 2, 2], "replicate": [0, 1] * 3,
                         "seed": [11, 12] * 3, PACKAGE_FACTOR: ["a", "a", "b", "b", "c", "c"],
                         "agglomeration_elasticity": [0.05, 0.05, 0.05, 0.05, 0.08, 0.08]})
    chunks = chunks_of(runs, 1, [PACKAGE_FACTOR, "agglomeration_elasticity"])
    flags = {k: v[0].spinup for k, v in chunks.items()}
    assert flags == {0: None, 1: None, 2: None, 3: None, 4: False, 5: False}  # 0.08: alone per seed
    assert chunk_order(chunks) == [0, 2, 1, 3, 4, 5]  # seed 11's runs of points 0 and 1, then seed 12's
    assert chunk_order(chunks_of(runs, 2, [PACKAGE_FACTOR, "agglomeration_elasticity"])) == [0, 1, 2]


def test_a_chunk_keeps_run_order_whatever_order_it_computes_in(small):
    from sim.experiments.study import RunContext

    ctx = RunContext(small, load_package("baseline"), 2, ("output", "firms"), (2,), (), ("land_quota",))
    specs = [_spec(0, 3, land_quota=6.0), _spec(1, 4, land_quota=6.0), _spec(2, 3, land_quota=6.0)]
    want = pd.concat([run_one(ctx, s) for s in specs], ignore_index=True)
    pd.testing.assert_frame_equal(run_chunk(ctx, specs), want, check_exact=True)
    assert list(run_chunk(ctx, specs)["run"]) == [0, 1, 2]


def test_a_study_whose_points_share_starts_writes_the_same_store_with_and_without_the_cache(tmp_path, monkeypatch):
    """Points differing only in a lever setting share their seeds' starts; the parts are the same
    bytes with the cache off, on, and on two workers."""
    path = write_study(tmp_path, levers={"funding_reward.budget": {"values": [0.0, 20.0, 40.0]}}, uncertainties=None,
                       years=2, outcomes={"names": ["output", "talent"], "years": "final", "zones": True})
    stores = {}
    for name, env, workers in (("off", "0", 1), ("on", "1", 1), ("on2", "1", 2)):
        monkeypatch.setenv("ZONESIM_SPINUP_CACHE", env)
        assert main(["sweep", str(path), "--workers", str(workers), "--out", str(tmp_path / name)]) == 0
        stores[name] = Store.open(tmp_path / name).part_bytes()
    assert len(stores["off"]) == 6
    assert stores["off"] == stores["on"] == stores["on2"]


def test_a_study_over_parameters_the_build_does_not_read_writes_the_same_store_with_and_without_the_cache(
        tmp_path, monkeypatch):
    """A design over a parameter the build reads and one it does not: points that differ only in
    the second share their start; the parts are the same bytes with the cache off, on and on two
    workers, and the cache was used."""
    path = write_study(tmp_path, levers={"land_quota": {"values": [6.0, 12.0]}},
                       uncertainties={"beta_wage": {"range": [1.5, 3.5], "levels": 3},
                                      "outside_wage_ratio": {"range": [1.1, 1.6], "levels": 2}},
                       seeds=1, years=2, outcomes={"names": ["output", "talent"], "years": "final", "zones": True})
    stores = {}
    for name, env, workers in (("off", "0", 1), ("on", "1", 1), ("on2", "1", 2)):
        monkeypatch.setenv("ZONESIM_SPINUP_CACHE", env)
        monkeypatch.setattr(spinup, "_PROCESS", None)  # this process's cache, empty
        assert main(["sweep", str(path), "--workers", str(workers), "--out", str(tmp_path / name)]) == 0
        stores[name] = Store.open(tmp_path / name).part_bytes()
        if name == "on":  # 12 runs on 2 starts (the land quota's): 10 taken from the cache, and the
            # second start's population before the spin-up from the first's (the spin-up reads the quota)
            c = spinup.process_cache()
            assert (c.hits, c.misses, c.populated_hits, c.populated_misses) == (10, 2, 1, 1)
    assert len(stores["off"]) == 12
    assert stores["off"] == stores["on"] == stores["on2"]


def test_job_with_an_explicit_choice_keeps_it(small):
    job = Job(small, load_package("baseline"), 3, 1, spinup=True)
    assert job_order([job])[0].spinup is True
