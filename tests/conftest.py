"""Shared fixtures: the default world loaded once, small runs cached per session."""

from __future__ import annotations

import pytest

from sim.scenario.world import load_world


@pytest.fixture(scope="session")
def world():
    return load_world("guangxi")


@pytest.fixture
def model(world):
    from sim.model.zonemodel import ZoneModel

    return ZoneModel(world=world, rng=42)


@pytest.fixture
def refused_before_writing(tmp_path, capsys):
    """A check that a command stops on bad input before it writes anything: ``check(*parts)`` runs
    ``zonesim run`` into a folder holding an earlier result, with ``--overwrite``, and asserts exit 2,
    one line on stderr containing every one of ``parts``, and the earlier folder kept byte for byte."""
    from sim.cli.main import main

    def check(*parts: str) -> None:
        out = tmp_path / "earlier"
        out.mkdir(exist_ok=True)
        (out / "results.csv").write_text("kept\n")
        assert main(["run", "--seeds", "1", "--years", "1", "--out", str(out), "--overwrite", "--no-progress"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and all(part in err[0] for part in parts), err
        assert sorted(p.name for p in out.iterdir()) == ["results.csv"] and (out / "results.csv").read_text() == "kept\n"

    return check
