"""The read-only registry of levers: name -> class. Adding a lever: one module + one line here."""

from __future__ import annotations

from types import MappingProxyType

from .base import Hooks, Lever, LeverSettings

_LEVERS: dict[str, type[Lever]] = {}

REGISTRY = MappingProxyType(_LEVERS)

__all__ = ["REGISTRY", "Hooks", "Lever", "LeverSettings"]
