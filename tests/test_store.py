"""The results store: atomic parts, checksummed index, damage detection, in-process resume."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.core.errors import InputError
from sim.experiments.store import INDEX, Store, auto_chunk
from sim.experiments.study import load_study
from sim.experiments.sweep import execute, open_store

from .test_study import write_study

SMALL = {"levers": {"land_quota": {"values": [6.0, 24.0]}},
         "uncertainties": {"agglomeration_elasticity": {"values": [0.05]}},
         "outcomes": {"names": ["output", "firms"], "zones": ["nanning"]}}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A 4-run, 1-year study and its complete, uninterrupted store (computed once)."""
    folder = tmp_path_factory.mktemp("study")
    study = load_study(write_study(folder, **SMALL))
    store = open_store(study, folder / "full")
    execute(study, store, workers=1)
    return study, store


def test_layout_rows_and_manifest(small):
    study, store = small
    assert sorted(p.name for p in store.path.iterdir() if p.name != ".zonesim.lock") == [
        "design.csv", "design.parquet", "index.jsonl", "manifest.json", "results", "study.yaml"]
    df = store.load()
    # one row per point x seed x year x (region + 1 zone)
    assert len(df) == 2 * 2 * 2 * 2
    assert list(df.columns[:8]) == ["run", "point", "replicate", "seed", "land_quota",
                                    "agglomeration_elasticity", "step", "year"]
    assert df["run"].is_monotonic_increasing
    assert not df.duplicated(["run", "step", "zone"]).any()
    info = json.loads((store.path / "manifest.json").read_text())
    assert info["fingerprint"] == study.fingerprint()
    assert info["complete"] is True and info["chunks_done"] == info["n_chunks"] == 4
    assert [r["seed"] for r in info["runs"]] == df.drop_duplicates("run")["seed"].tolist()
    assert info["package"] == "baseline" and info["zonesim_version"]
    assert info["runs"][1]["land_quota"] == 6.0 and info["runs"][2]["land_quota"] == 24.0
    design = store.design()
    assert [r["agglomeration_elasticity"] for r in info["runs"]] == design["agglomeration_elasticity"].tolist()


def test_manifest_records_sampled_values_exactly(tmp_path):
    study = load_study(write_study(tmp_path, design={"method": "latin_hypercube", "samples": 5, "seed": 2},
                                   levers={"land_quota": {"range": [6.0, 24.0]}}))
    store = open_store(study, tmp_path / "s")  # the store and its manifest, no runs needed
    info = json.loads((store.path / "manifest.json").read_text())
    assert [r["land_quota"] for r in info["runs"]] == study.runs()["land_quota"].tolist()
    assert [r["seed"] for r in info["runs"]] == study.runs()["seed"].tolist()


def test_runs_match_a_direct_model_run(small):
    import sim

    study, store = small
    df = store.load()
    run3 = df[(df["run"] == 3) & (df["zone"] == "region")]
    direct = sim.run({"land_quota": 24.0, "agglomeration_elasticity": 0.05}, seed=int(run3["seed"].iloc[0]),
                     years=1)
    direct = direct[direct["zone"] == "region"]
    assert run3["output"].tolist() == direct["output"].tolist()


def _copy(store, dest):
    import shutil

    shutil.copytree(store.path, dest)
    return Store.open(dest)


def test_damaged_and_torn_parts_are_recomputed(small, tmp_path):
    study, full = small
    st = _copy(full, tmp_path / "s")
    # flip a byte in one part, truncate another, tear the index's last line, leave an orphan temp
    p1 = st.path / "results" / "part-00001.parquet"
    data = bytearray(p1.read_bytes())
    data[100] ^= 0xFF
    p1.write_bytes(bytes(data))
    p2 = st.path / "results" / "part-00002.parquet"
    p2.write_bytes(p2.read_bytes()[:50])
    lines = (st.path / INDEX).read_text().splitlines(keepends=True)
    (st.path / INDEX).write_text("".join(lines[:3]) + lines[3][:20])
    (st.path / "results" / ".part-00003.parquet.tmp").write_bytes(b"partial")
    assert set(st.verified()) == {0}
    with pytest.raises(InputError, match="incomplete"):
        st.load()
    assert len(st.load(allow_partial=True)) == 4  # chunk 0: 1 run x 2 years x 2 rows
    session = execute(study, st, workers=1)
    assert session["runs_computed"] == 3
    assert st.part_bytes() == full.part_bytes()
    assert st.load().equals(full.load())
    assert sorted(json.loads(x)["chunk"] for x in (st.path / INDEX).read_text().splitlines()) == [0, 1, 2, 3]


def test_interrupted_in_process_sweep_resumes_identically(small, tmp_path):
    """Stop after the first part (2 runs per part here), resume: same table as the full run."""
    study, full = small
    store = open_store(study, tmp_path / "s", chunk=2)

    def stop(chunk):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        execute(study, store, workers=1, on_chunk=stop)
    assert len(Store.open(store.path).verified()) == 1
    resumed = open_store(study, tmp_path / "s", resume=True)
    session = execute(study, resumed, workers=1)
    assert session["runs_computed"] == 2
    assert len(resumed.part_bytes()) == 2
    pd.testing.assert_frame_equal(resumed.load(), full.load())
    assert [s["runs_computed"] for s in resumed.info["sessions"]] == [2, 2]
    assert [s["finished"] for s in resumed.info["sessions"]] == [False, True]


def test_nothing_is_recomputed_when_complete(small, tmp_path):
    study, full = small
    st = _copy(full, tmp_path / "s")
    before = {p.name: p.stat().st_mtime_ns for p in (st.path / "results").iterdir()}
    assert execute(study, st, workers=1)["runs_computed"] == 0
    assert {p.name: p.stat().st_mtime_ns for p in (st.path / "results").iterdir()} == before


def test_resume_refuses_another_study_and_existing_folder(small, tmp_path):
    study, full = small
    st = _copy(full, tmp_path / "s")
    other = load_study(write_study(tmp_path, **{**SMALL, "seeds": 3}))
    with pytest.raises(InputError, match="different study or an edited version"):
        open_store(other, st.path, resume=True)
    with pytest.raises(InputError, match="pass --resume to continue"):
        open_store(study, st.path)
    with pytest.raises(InputError, match="was started with --chunk 1"):
        open_store(study, st.path, resume=True, chunk=2)
    with pytest.raises(InputError, match="not a study folder"):
        Store.open(tmp_path)


def test_chunking_depends_on_runs_only():
    assert auto_chunk(1) == 1 and auto_chunk(99) == 1 and auto_chunk(100) == 4 and auto_chunk(8000) == 4
    assert auto_chunk(8001) == 5 and auto_chunk(10**6) == 500


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A store skeleton of a real study with two parts written from a plain table (no model runs)."""
    folder = tmp_path_factory.mktemp("syn")
    study = load_study(write_study(folder, **SMALL))
    store = open_store(study, folder / "s")
    for k in (0, 1):
        store.write_chunk(k, pd.DataFrame({"run": [k, k], "step": [0, 1], "output": [1.5 * k, 2.0]}))
    return store


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(data=st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_damage_to_a_part_is_detected(synthetic, data):
    part = synthetic.path / "results" / "part-00001.parquet"
    original = part.read_bytes()
    try:
        if data.draw(st.booleans(), label="truncate"):
            cut = data.draw(st.integers(0, len(original) - 1), label="keep bytes")
            part.write_bytes(original[:cut])
        else:
            pos = data.draw(st.integers(0, len(original) - 1), label="position")
            bit = data.draw(st.integers(0, 7), label="bit")
            damaged = bytearray(original)
            damaged[pos] ^= 1 << bit
            part.write_bytes(bytes(damaged))
        assert set(synthetic.verified()) == {0}
    finally:
        part.write_bytes(original)
    assert set(synthetic.verified()) == {0, 1}


def test_progress_bar_shows_runs_rate_and_time_left(small, tmp_path, capsys):
    study, full = small
    st = _copy(full, tmp_path / "s")
    (st.path / "results" / "part-00003.parquet").unlink()
    execute(study, st, workers=1, progress=True)
    err = capsys.readouterr().err
    assert "runs:" in err and "4/4" in err and "run/s" in err and "<00:00" in err
    assert "3/4" in err  # starts from the runs already done


def test_resume_refuses_results_of_other_model_code(small, tmp_path):
    """A study folder resumes only with the model code that started it (manifest code_sha256)."""
    from sim.experiments.results import atomic_write, code_sha256

    study, full = small
    st = _copy(full, tmp_path / "s")
    info = json.loads((st.path / "manifest.json").read_text())
    assert info["code_sha256"] == code_sha256()
    open_store(study, st.path, resume=True)  # same code: fine
    info["code_sha256"] = "0" * 64
    atomic_write(st.path / "manifest.json", json.dumps(info))
    with pytest.raises(InputError, match="another version of the model code"):
        open_store(study, st.path, resume=True)


def test_resume_refuses_results_of_a_machine_that_rounds_differently(small, tmp_path):
    """A study folder records how the model's exp, log and power rounded (sim.core.maths); resuming it
    where they round otherwise (another version of them) would mix results: one line, and nothing is
    computed. A folder made before the fingerprint was recorded resumes as before."""
    from sim.core import maths
    from sim.experiments.results import atomic_write

    study, full = small
    st = _copy(full, tmp_path / "s")
    info = json.loads((st.path / "manifest.json").read_text())
    assert info["maths_fingerprint"] == maths.fingerprint()
    assert isinstance(info["numpy_simd_maths"], bool)
    open_store(study, st.path, resume=True).release()  # the same machine: fine
    info["maths_fingerprint"] = "0" * 12
    atomic_write(st.path / "manifest.json", json.dumps(info))
    before = sorted(p.name for p in (st.path / "results").iterdir())
    with pytest.raises(InputError, match=r"exp, log and power round differently \(maths 000000000000, here "):
        open_store(study, st.path, resume=True)
    assert sorted(p.name for p in (st.path / "results").iterdir()) == before
    del info["maths_fingerprint"]  # an older folder
    atomic_write(st.path / "manifest.json", json.dumps(info))
    open_store(study, st.path, resume=True).release()


def test_the_code_hash_covers_what_determines_results_not_charts(tmp_path):
    """Editing the model or the run function changes code_sha256; editing a chart, the CLI or
    the sweep driver does not (so it does not block --resume)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "sim"
    shutil.copytree(src, tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))

    def digest() -> str:
        code = "from sim.experiments.results import code_sha256; print(code_sha256())"
        return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
                              env={"PYTHONPATH": str(tmp_path), "PATH": ""}).stdout.strip()

    first = digest()
    assert len(first) == 64
    for rel in ("present/charts/trajectories.py", "cli/main.py", "experiments/sweep.py", "analysis/compare.py"):
        with open(tmp_path / "sim" / rel, "a") as fh:
            fh.write("\n# an edit that does not change results\n")
        assert digest() == first, rel
    for rel in ("core/params.py", "experiments/runner.py", "scenario/world.py", "policies/hosting.py"):
        with open(tmp_path / "sim" / rel, "a") as fh:
            fh.write("\n# an edit in code that determines results\n")
        now = digest()
        assert now != first, rel
        first = now
