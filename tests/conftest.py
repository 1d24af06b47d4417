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
