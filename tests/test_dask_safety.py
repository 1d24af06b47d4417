"""Dask safety (issue 20, item 4 and 'also found'): a worker running other model code or other
library versions is refused before any run; an address that is not a scheduler fails fast with
one line and leaves nothing behind."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.core import maths
from sim.core.errors import EnvError, InputError

from .test_study import write_study

pytest.importorskip("distributed")

from sim.experiments import distributed as D  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIX = {"levers": {"land_quota": {"values": [6.0, 24.0]}},
       "uncertainties": {"agglomeration_elasticity": {"values": [0.05]}},
       "seeds": 3, "outcomes": {"names": ["output"]}}


def test_versions_report_and_mismatch():
    mine = D.versions()
    assert set(mine) >= {"code_sha256", "zonesim", "python", "numpy", "pandas", "mesa", "pydantic", "pyarrow"}
    assert D.mismatch(mine, dict(mine)) is None
    assert "model code differs" in D.mismatch(mine, {**mine, "code_sha256": "0" * 64})
    assert D.mismatch(mine, {**mine, "numpy": "1.0.0"}) == f"numpy 1.0.0 (here {mine['numpy']})"
    assert D.mismatch(mine, None) == "no version report"
    # a worker whose model functions round exp, log and power otherwise (sim.core.maths) is named with the remedy
    assert mine["maths"] == maths.fingerprint() and len(mine["maths"]) == 12
    why = D.mismatch(mine, {**mine, "maths": "0" * 12})
    assert why.startswith(f"the model's exp, log and power round differently (maths 000000000000, here {mine['maths']}")
    assert "install one version" in why


class FakeClient:
    def __init__(self, reports):
        self.reports = reports

    def wait_for_workers(self, n, timeout):
        if not self.reports:
            raise TimeoutError

    def run(self, fn):
        return self.reports


def test_check_workers_names_the_mismatched_worker():
    mine = D.versions()
    ok = {"tcp://10.0.0.1:1": mine}
    assert D.check_workers(FakeClient(ok), "tcp://s:8786") == ok
    bad = {**ok, "tcp://10.0.0.2:1": {**mine, "code_sha256": "a" * 64}}
    with pytest.raises(EnvError, match=r"worker tcp://10.0.0.2:1: model code differs .*nothing was run"):
        D.check_workers(FakeClient(bad), "tcp://s:8786")
    with pytest.raises(EnvError, match="pandas 0.1"):
        D.check_workers(FakeClient({"w": {**mine, "pandas": "0.1"}}), "tcp://s:8786")
    with pytest.raises(EnvError, match="no workers"):
        D.check_workers(FakeClient({}), "tcp://s:8786", wait=0.1)


class Silent:
    """A TCP port that accepts connections and says nothing (or some HTTP): not a scheduler."""

    def __init__(self, reply: bytes = b""):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.conns: list = []
        self.reply = reply
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            if self.reply:
                c.sendall(self.reply)

    def close(self):
        for c in self.conns:
            c.close()
        self.sock.close()


@pytest.mark.parametrize("reply", [b"", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" * 3], ids=["silent", "http"])
def test_a_port_that_is_not_a_scheduler_fails_fast_and_leaves_nothing(tmp_path, capsys, reply):
    server = Silent(reply)
    try:
        path = write_study(tmp_path, **SIX)
        t0 = time.time()
        assert main(["sweep", str(path), "--scheduler", f"tcp://127.0.0.1:{server.port}",
                     "--out", str(tmp_path / "d"), "--no-progress"]) == 2
        elapsed = time.time() - t0
    finally:
        server.close()
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and "--scheduler" in err[0], err
    assert ("cannot reach the scheduler" in err[0]) or ("not a Dask scheduler" in err[0])
    assert elapsed < 30, elapsed  # was > 120 s
    assert not (tmp_path / "d").exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_probe_of_a_closed_port_is_one_line():
    with pytest.raises(InputError, match="cannot reach the scheduler"):
        D.probe("tcp://127.0.0.1:1", timeout=1)


def test_the_docs_of_the_backend_never_recommend_every_interface():
    text = Path(D.__file__).read_text()
    assert "0.0.0.0" not in text
    assert "0.0.0.0" not in (ROOT / "docs" / "studies.md").read_text()


def _modified_copy(tmp_path: Path) -> Path:
    """A copy of the package whose model code differs by one comment."""
    copy = tmp_path / "other"
    shutil.copytree(ROOT / "sim", copy / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    f = copy / "sim" / "model" / "zonemodel.py"
    f.write_text(f.read_text() + "\n# a different version of the model\n")
    return copy


@pytest.mark.slow
def test_a_worker_with_other_model_code_is_refused_before_any_run(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    path = write_study(tmp_path, **SIX)
    other = _modified_copy(tmp_path)
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp://", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                   "--nworkers", "1", "--no-dashboard"], cwd=tmp_path,
                                  env=dict(os.environ, PYTHONPATH=str(other)), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            with distributed.Client(address) as client:
                client.wait_for_workers(1, timeout=120)
            # a new study: refused before the folder is made
            assert main(["sweep", str(path), "--scheduler", address, "--out", str(tmp_path / "new"),
                         "--no-progress"]) == 3
            line = capsys.readouterr().err.strip()
            assert "\n" not in line and "model code differs" in line and "nothing was run" in line
            assert not (tmp_path / "new").exists()
            # resuming a local study on that cluster: refused before any run, the store untouched
            assert main(["sweep", str(path), "--workers", "1", "--out", str(tmp_path / "local"),
                         "--no-progress"]) == 0
            (tmp_path / "local" / "results" / "part-00002.parquet").unlink()
            before = sorted(p.name for p in (tmp_path / "local" / "results").iterdir())
            capsys.readouterr()
            assert main(["sweep", str(path), "--scheduler", address, "--out", str(tmp_path / "local"), "--resume",
                         "--no-progress"]) == 3
            assert "model code differs" in capsys.readouterr().err
            assert sorted(p.name for p in (tmp_path / "local" / "results").iterdir()) == before
        finally:
            os.killpg(worker.pid, 15)
            worker.wait(30)
