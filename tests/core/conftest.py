"""Fixtures shared by the tests of sim/core."""

from __future__ import annotations

import pytest

from sim.core import kernels


@pytest.fixture(params=[False, True], ids=["numpy", "kernels"])
def kernels_on(request, monkeypatch):
    """Each test twice: numpy's path, then the compiled kernels (skipped without numba)."""
    if request.param and not kernels.enable():
        pytest.skip("numba not installed or switched off")
    monkeypatch.setattr(kernels, "ENABLED", request.param)
    return request.param
