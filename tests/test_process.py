"""Pool workers end with the process that started them, even when it is killed with SIGKILL
(issue 20: workers of a killed ``compare``/``sweep`` ran on for 40 minutes, ~220 MB each)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_study import write_study

ROOT = Path(__file__).resolve().parents[1]
psutil = pytest.importorskip("psutil")


def _gone(pid: int, within: float) -> bool:
    end = time.time() + within
    while time.time() < end:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


POOL = """
import multiprocessing as mp, os, sys, time
sys.path.insert(0, sys.argv[1])
from concurrent.futures import ProcessPoolExecutor
from sim.core.process import die_with_parent
if __name__ == "__main__":
    pool = ProcessPoolExecutor(1, mp_context=mp.get_context(sys.argv[2]), initializer=die_with_parent,
                               initargs=(os.getpid(),))
    pool.submit(time.sleep, 600)
    time.sleep(1.0)
    print(*pool._processes, flush=True)
    time.sleep(600)
"""


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_worker_dies_when_its_parent_is_killed(tmp_path, method):
    script = tmp_path / "pool.py"
    script.write_text(POOL)
    parent = subprocess.Popen([sys.executable, str(script), str(ROOT), method], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline().split()[0])
        assert psutil.pid_exists(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        assert _gone(child, 10), "the pool worker outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()


@pytest.mark.slow
@pytest.mark.parametrize("command", ["sweep", "compare"])
def test_sigkill_of_sweep_or_compare_leaves_no_worker(tmp_path, command):
    if command == "sweep":
        path = write_study(tmp_path, years=8, seeds=4)
        argv = ["sweep", str(path), "--workers", "2", "--out", str(tmp_path / "s"), "--no-progress"]
    else:
        argv = ["compare", "hosting", "-y", "8", "-k", "4", "-w", "2", "--out", str(tmp_path / "c"), "--no-progress"]
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", *argv], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        me = psutil.Process(proc.pid)
        workers: list = []
        end = time.time() + 120
        while time.time() < end and not workers:
            workers = [c for c in me.children(recursive=True) if "resource_tracker" not in " ".join(c.cmdline())]
            time.sleep(0.2)
        assert workers, "no pool worker started"
        if command == "sweep":  # let the spawned workers finish importing (the initializer then runs)
            index = tmp_path / "s" / "index.jsonl"
            while time.time() < end and not (index.exists() and index.read_text().count("\n") >= 3):
                time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)  # the parent alone, as an OOM killer or `kill -9 PID` would
        proc.wait(10)
        for w in workers:
            assert _gone(w.pid, 30), f"worker {w.pid} outlived the killed {command}"
    finally:
        if proc.poll() is None:
            proc.kill()
