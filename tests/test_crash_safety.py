"""Crash safety: a sweep killed with SIGKILL several times, at random moments, and resumed each
time ends with exactly the dataset of an uninterrupted sweep (byte for byte, nothing lost or
duplicated). The moments come from a seeded generator, so the test is reproducible."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time

import pytest

from sim.store import INDEX, Store

from .test_sweep import _sweep_cmd, reference  # noqa: F401  (fixture)

KILLS = 3


@pytest.mark.slow
def test_repeated_sigkill_at_random_moments_then_resume(reference, tmp_path):  # noqa: F811
    path, full = reference
    out = tmp_path / "s"
    rng = random.Random(20211)
    cycles = 0
    for k in range(KILLS):
        args = ["--workers", "2"] + (["--resume"] if out.exists() else [])
        proc = subprocess.Popen(_sweep_cmd(path, out, *args), start_new_session=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.5, 6.0))  # a random moment: start-up, mid-run or mid-write
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            cycles += 1
        proc.communicate(timeout=120)
        if out.exists() and (out / "manifest.json").exists():
            Store.open(out).verified()  # whatever was left is readable and checkable
    res = subprocess.run(_sweep_cmd(path, out, "--workers", "2", *(["--resume"] if out.exists() else [])),
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    resumed = Store.open(out)
    assert resumed.part_bytes() == full.part_bytes()
    assert resumed.load().equals(full.load())
    chunks = [json.loads(x)["chunk"] for x in (out / INDEX).read_text().splitlines()]
    assert sorted(chunks) == sorted(set(chunks)) == list(range(12))
    assert cycles >= 1
