"""zonesim: an agent-based simulator of high-tech development zones, built on Mesa."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
