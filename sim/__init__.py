"""zonesim: an agent-based simulator of high-tech development zones, built on Mesa.

``sim.run(params, seed, years)`` and ``sim.run_scalar(...)`` (from :mod:`sim.experiments.runner`) are
imported on first use, so ``import sim`` stays light.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "run", "run_scalar"]

_LAZY = {"run": "sim.experiments.runner", "run_scalar": "sim.experiments.runner"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
