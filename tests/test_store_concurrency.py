"""One store, one writer, one study (issue 20, item 3; measured before: two sweeps on one --out
made a mixed store that said "complete, verified" in 3 of 4 tries, and a --resume beside a
running sweep crashed it).

* While a sweep runs, a second sweep with ``--resume`` and one with ``--overwrite`` on its folder
  are refused with one line naming the holder; the running sweep ends complete, byte-identical
  to a sweep that ran alone.
* Two sweeps of different studies started together on one new folder: one writes it, the other
  is refused; every part carries the winner's fingerprint.
* A part copied in from another study, or computed by other model code, never counts as done.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.core.errors import EnvError
from sim.experiments.store import INDEX, Store, part_meta
from sim.experiments.study import load_study
from sim.experiments.sweep import execute, open_store

from .test_study import write_study

ROOT = Path(__file__).resolve().parents[1]
STUDY = {"years": 3, "seeds": 3, "levers": {"land_quota": {"values": [6.0, 12.0, 24.0]}},
         "uncertainties": {"agglomeration_elasticity": {"values": [0.05]}}, "outcomes": {"names": ["output"]}}


def _named(folder, name, **changes):
    """A study file NAME.yaml whose study is called NAME."""
    path = write_study(folder, f"{name}.yaml", **changes)
    path.write_text(path.read_text().replace("name: t\n", f"name: {name}\n", 1))
    return path


def _sweep(path, out, *extra):
    return subprocess.Popen([sys.executable, "-m", "sim.cli", "sweep", str(path), "--out", str(out), "--workers",
                             "1", "--chunk", "1", "--no-progress", *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


LONG = {**STUDY, "years": 6, "seeds": 5}


@pytest.mark.slow
def test_a_second_writer_is_refused_while_a_sweep_runs(tmp_path):
    path = write_study(tmp_path, **LONG)
    alone = tmp_path / "alone"
    p = _sweep(path, alone)
    assert p.wait(600) == 0, p.stderr.read()
    out = tmp_path / "s"
    first = _sweep(path, out)
    try:
        deadline = time.time() + 300
        while not (out / "manifest.json").exists() and time.time() < deadline:
            time.sleep(0.05)
        assert first.poll() is None, "the first sweep ended before the others could try"
        second = _sweep(path, out, "--resume")
        third = _sweep(path, out, "--overwrite")
        fourth = _sweep(path, out)
        outs = [(q.wait(300), q.communicate()[1]) for q in (second, third, fourth)]
    finally:
        assert first.wait(600) == 0, first.stderr.read()
    if first.returncode == 0 and outs[0][0] == 0:
        pytest.skip("the first sweep finished before the second started (machine too fast for this check)")
    (rc2, err2), (rc3, err3), (rc4, err4) = outs
    assert rc2 == 3 and f"in use by pid {first.pid}" in _one_line(err2) and "sweep" in err2
    assert rc3 == 3 and f"in use by pid {first.pid}" in _one_line(err3)
    assert rc4 == 2 and "a study folder is already there" in _one_line(err4)
    store, ref = Store.open(out), Store.open(alone)
    assert len(store.verified()) == store.n_chunks == 15
    assert store.part_bytes() == ref.part_bytes()
    assert len([s for s in store.info["sessions"]]) == 1


def test_two_studies_started_together_on_one_folder_never_mix(tmp_path):
    small = {**STUDY, "years": 2, "seeds": 2}
    a = _named(tmp_path, "a", **small)
    b = _named(tmp_path, "b", **{**small, "levers": {"land_quota": {"values": [3.0, 9.0, 27.0]}}})
    out = tmp_path / "both"
    procs = [_sweep(a, out), _sweep(b, out)]
    results = [(q.wait(600), q.communicate()[1]) for q in procs]
    codes = sorted(rc for rc, _ in results)
    assert codes in ([0, 2], [0, 3]), results
    loser = next(err for rc, err in results if rc != 0)
    assert _one_line(loser)
    store = Store.open(out)
    fingerprint = store.info["fingerprint"]
    assert len(store.verified()) == store.n_chunks
    for f in (out / "results").glob("part-*.parquet"):
        assert part_meta(f)["fingerprint"] == fingerprint
    winner = load_study(a if store.info["study"] == "a" else b)
    assert fingerprint == winner.fingerprint()


@pytest.fixture(scope="module")
def two_stores(tmp_path_factory):
    d = tmp_path_factory.mktemp("two")
    x = load_study(_named(d, "x", **STUDY))
    y = load_study(_named(d, "y", **{**STUDY, "seeds": 2}))
    sx, sy = open_store(x, d / "x"), open_store(y, d / "y")
    execute(x, sx, workers=1)
    execute(y, sy, workers=1)
    sx.release()
    sy.release()
    return d, x, y


def test_a_part_of_another_study_is_never_accepted(two_stores, tmp_path):
    d, x, y = two_stores
    out = tmp_path / "y"
    shutil.copytree(d / "y", out)
    victim = Store.open(out)
    n = victim.n_chunks
    # put study x's part 0 in place of y's, with x's index line: same name, valid checksum
    shutil.copy(d / "x" / "results" / "part-00000.parquet", out / "results" / "part-00000.parquet")
    x_line = next(line for line in (d / "x" / INDEX).read_text().splitlines() if json.loads(line)["chunk"] == 0)
    with open(out / INDEX, "a") as fh:
        fh.write(x_line + "\n")
    assert 0 not in victim.verified() and len(victim.verified()) == n - 1
    # and an index line forged to name y's fingerprint does not help: the file says x
    forged = {**json.loads(x_line), "fingerprint": victim.info["fingerprint"]}
    with open(out / INDEX, "a") as fh:
        fh.write(json.dumps(forged) + "\n")
    assert 0 not in victim.verified()
    # --resume recomputes it; the result equals the untouched store
    resumed = open_store(y, out, resume=True)
    assert execute(y, resumed, workers=1)["runs_computed"] == 1
    assert resumed.part_bytes() == Store.open(d / "y").part_bytes()
    resumed.release()


def test_a_part_of_other_model_code_is_never_accepted(two_stores, tmp_path):
    d, x, y = two_stores
    out = tmp_path / "y"
    shutil.copytree(d / "y", out)
    store = open_store(y, out, resume=True)
    df = pd.read_parquet(out / "results" / "part-00001.parquet")
    with pytest.raises(EnvError, match="other model code"):
        store.write_chunk(1, df, "f" * 64)
    # an index line claiming other code is not counted, even with a matching checksum
    line = next(json.loads(x) for x in (out / INDEX).read_text().splitlines() if json.loads(x)["chunk"] == 1)
    line["code_sha256"] = "f" * 64
    lines = [x for x in (out / INDEX).read_text().splitlines() if json.loads(x)["chunk"] != 1]
    (out / INDEX).write_text("\n".join(lines + [json.dumps(line)]) + "\n")
    assert 1 not in store.verified()
    store.release()


def test_a_store_refuses_writes_without_its_lock(two_stores, tmp_path):
    d, x, y = two_stores
    shutil.copytree(d / "y", tmp_path / "y")
    store = Store.open(tmp_path / "y")
    with pytest.raises(EnvError, match="not locked"):
        store.write_chunk(0, pd.read_parquet(tmp_path / "y" / "results" / "part-00000.parquet"))
