"""The Dask backend: a real scheduler and two worker processes on loopback, same bytes as local."""

from __future__ import annotations

import pytest

from sim.cli.main import main
from sim.core.errors import InputError
from sim.experiments.store import Store

from .test_study import write_study

SIX = {"levers": {"land_quota": {"values": [6.0, 24.0]}},
       "uncertainties": {"agglomeration_elasticity": {"values": [0.05]}},
       "seeds": 3, "outcomes": {"names": ["output", "talent", "firms"], "zones": ["nanning"]}}


def test_unreachable_scheduler_is_one_line():
    from sim.experiments.distributed import connect

    with pytest.raises(InputError) as err:
        connect("tcp://127.0.0.1:1", timeout=1)
    assert str(err.value).startswith("tcp://127.0.0.1:1: --scheduler: cannot reach the scheduler")
    assert "\n" not in str(err.value)


def test_bad_scheduler_address(tmp_path, capsys):
    path = write_study(tmp_path, **SIX)
    assert main(["sweep", str(path), "--scheduler", "localhost:8786", "--out", str(tmp_path / "d")]) == 2
    assert "expected an address like tcp://HOST:8786" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


@pytest.mark.slow
def test_dask_cluster_matches_local_pool(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    path = write_study(tmp_path, **SIX)
    assert main(["sweep", str(path), "--workers", "1", "--out", str(tmp_path / "local"), "--no-progress"]) == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        out = tmp_path / "dask"
        assert main(["sweep", str(path), "--scheduler", address, "--out", str(out), "--no-progress"]) == 0
        assert "6 computed now on dask" in capsys.readouterr().out
        # both workers took part
        with distributed.Client(address) as client:
            assert len(client.scheduler_info()["workers"]) == 2
        # interrupted Dask study: drop three parts, resume on the cluster
        store = Store.open(out)
        for name in ("part-00001.parquet", "part-00004.parquet", "part-00005.parquet"):
            (out / "results" / name).unlink()
        assert main(["sweep", str(path), "--scheduler", address, "--out", str(out), "--resume",
                     "--no-progress"]) == 0
        assert "3 computed now on dask" in capsys.readouterr().out
    local, dask = Store.open(tmp_path / "local"), Store.open(out)
    assert dask.part_bytes() == local.part_bytes()
    assert dask.load().equals(local.load())
    assert [s["backend"] for s in dask.info["sessions"]] == ["dask", "dask"]
    assert store.info["n_runs"] == 6
