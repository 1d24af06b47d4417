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


@pytest.fixture(params=[(False, "numpy"), (True, "numpy"), (True, "compiled")],
                ids=["numpy", "kernels-numpy-selection", "kernels-compiled-selection"])
def selection_paths(request, monkeypatch):
    """Each test three times: numpy's path, the kernels with numpy's selection, the kernels with
    numba's (``kernels.selection`` picks one of the two by timing; both must give the same numbers)."""
    on, how = request.param
    if on and not kernels.enable():
        pytest.skip("numba not installed or switched off")
    monkeypatch.setattr(kernels, "ENABLED", on)
    monkeypatch.setattr(kernels, "SELECTION", how)
    return request.param
