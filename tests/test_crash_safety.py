"""Crash safety: a sweep killed with SIGKILL several times, at random moments, and resumed each
time ends with exactly the dataset of an uninterrupted sweep (byte for byte, nothing lost or
duplicated). The moments come from a seeded generator, so the test is reproducible: each cycle
waits for a random number of new result parts (0 = still starting up), then a random fraction of
a second (mid-run or mid-write), then kills the whole process group."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time

import pytest

from sim.cli.main import main
from sim.experiments.store import INDEX, Store

from .test_study import write_study
from .test_sweep import _sweep_cmd

KILLS = 3
STUDY = {"name": "crash", "years": 4, "seeds": 4,
         "levers": {"land_quota": {"values": [6.0, 12.0, 24.0]}},
         "uncertainties": {"agglomeration_elasticity": {"values": [0.05, 0.09]}},
         "outcomes": {"names": ["output", "firms"], "zones": ["nanning"]}}


def parts(out) -> int:
    index = out / INDEX
    return len(index.read_text().splitlines()) if index.exists() else 0


@pytest.mark.slow
def test_repeated_sigkill_at_random_moments_then_resume(tmp_path):
    path = write_study(tmp_path, **STUDY)
    assert main(["sweep", str(path), "--workers", "2", "--chunk", "1", "--out", str(tmp_path / "full"),
                 "--no-progress"]) == 0
    full = Store.open(tmp_path / "full")
    total = len(full.verified())
    out = tmp_path / "s"
    rng = random.Random(20211)
    kills = 0
    for _ in range(KILLS):
        resume = ["--resume"] if (out / "manifest.json").exists() else []
        start = parts(out)
        proc = subprocess.Popen(_sweep_cmd(path, out, "--workers", "2", "--chunk", "1", *resume),
                                start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wanted = start + rng.randint(0, 3)
        t0 = time.time()
        while parts(out) < wanted and proc.poll() is None and time.time() - t0 < 300:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.5))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=120)
        if (out / "manifest.json").exists():
            assert len(Store.open(out).verified()) <= total  # what was left is readable and checkable
    resume = ["--resume"] if (out / "manifest.json").exists() else []
    res = subprocess.run(_sweep_cmd(path, out, "--workers", "2", "--chunk", "1", *resume), capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    resumed = Store.open(out)
    assert resumed.part_bytes() == full.part_bytes()
    assert resumed.load().equals(full.load())
    chunks = [json.loads(x)["chunk"] for x in (out / INDEX).read_text().splitlines()]
    assert sorted(chunks) == sorted(set(chunks)) == list(range(total))
    assert kills >= 2, "the sweep finished before it could be killed: make STUDY larger"
