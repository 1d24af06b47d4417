"""Struct-of-arrays storage behind the agents, and the column descriptor agents read it through.

A population (zones, enterprises, talent cohorts) keeps its numeric state in one numpy array per
attribute, so the yearly behaviour of the whole population is a handful of array operations.
Each slot of a pool has one Mesa agent, its *handle*, created when the pool grows (or, in a lazy
pool, when first asked for with ``handle(slot)``); a slot freed by an exit is reused by a later
entry (the handle gets the new occupant's ``uid``). Pooling keeps Mesa's per-agent creation cost
(~3-6 us) off the yearly path: ``docs/ODD.md`` and ``docs/performance.md`` explain why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


class Pool:
    """Columns of equal length with an ``alive`` mask; slots are reused lowest-first."""

    def __init__(self, columns: dict[str, tuple[Any, Any]], capacity: int,
                 make_handles: Callable[[np.ndarray], list] | None = None, lazy: bool = False) -> None:
        self._columns = {"uid": (np.int64, -1)} | dict(columns)
        self.capacity = 0
        self.alive = np.zeros(0, dtype=bool)
        for name, (dtype, _fill) in self._columns.items():
            setattr(self, name, np.zeros(0, dtype=dtype))
        self.handles: list = []
        self._make_handles = make_handles
        self.lazy = lazy  # lazy: a slot's handle is made on first use (handle()), not when the pool grows
        self.next_uid = 0
        self._live: np.ndarray | None = None  # cache of live(); cleared by add/remove/_grow
        self._grow(capacity)

    def _grow(self, new_capacity: int) -> None:
        old = self.capacity
        if new_capacity <= old:
            return
        extra = new_capacity - old
        self.alive = np.concatenate([self.alive, np.zeros(extra, dtype=bool)])
        for name, (dtype, fill) in self._columns.items():
            setattr(self, name, np.concatenate([getattr(self, name), np.full(extra, fill, dtype=dtype)]))
        self.capacity = new_capacity
        self._live = None
        if self._make_handles is not None:
            if self.lazy:
                self.handles.extend([None] * extra)
            else:
                self.handles.extend(self._make_handles(np.arange(old, new_capacity)))

    def add(self, k: int, **values: Any) -> np.ndarray:
        """Occupy ``k`` free slots (lowest first), set the given columns, return the slot indices."""
        if k <= 0:
            return np.zeros(0, dtype=np.int64)
        free = np.flatnonzero(~self.alive)
        if free.size < k:
            self._grow(max(self.capacity + k - free.size, int(self.capacity * 1.25) + 16))
            free = np.flatnonzero(~self.alive)
        idx = free[:k]
        for name, (_dtype, fill) in self._columns.items():
            getattr(self, name)[idx] = values.pop(name, fill)
        if values:
            raise KeyError(f"unknown pool columns: {sorted(values)}")
        self.alive[idx] = True
        self._live = None
        self.uid[idx] = np.arange(self.next_uid, self.next_uid + k)
        self.next_uid += k
        return idx

    def handle(self, slot: int) -> Any:
        """The Mesa agent of ``slot`` (made now if the pool is lazy and it does not exist yet)."""
        h = self.handles[slot]
        if h is None:
            h = self.handles[slot] = self._make_handles(np.array([slot]))[0]
        return h

    def remove(self, idx: np.ndarray) -> None:
        """Free the slots ``idx``; their columns keep stale values until reused."""
        self.alive[idx] = False
        self._live = None

    def live(self) -> np.ndarray:
        """Slot indices of the live members, ascending (cached until the next add/remove;
        ``alive`` must only change through ``add`` and ``remove``). Read-only."""
        if self._live is None:
            self._live = np.flatnonzero(self.alive)
            self._live.flags.writeable = False
        return self._live

    @property
    def n(self) -> int:
        return int(self.alive.sum())

    def nbytes(self) -> int:
        return int(self.alive.nbytes + sum(getattr(self, c).nbytes for c in self._columns))


class Column:
    """Descriptor: ``agent.attr`` reads and writes ``pool.attr[agent.slot]`` as a Python scalar."""

    def __init__(self, doc: str = "") -> None:
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return getattr(obj.pool, self.name)[obj.slot].item()

    def __set__(self, obj: Any, value: Any) -> None:
        getattr(obj.pool, self.name)[obj.slot] = value
