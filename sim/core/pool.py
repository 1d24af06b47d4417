"""Struct-of-arrays storage behind the agents, and the column descriptor agents read it through.

A population (zones, enterprises, talent cohorts) keeps its numeric state in one numpy array per
attribute, so the yearly behaviour of the whole population is a handful of array operations.

A **compact** pool (enterprises, talent cohorts) keeps its live members in slots ``0 .. n-1``:
an entrant is appended at slot ``n``; an exit is filled by moving a member from the end of the
live block into the hole (``remove`` returns these moves, so references by slot, such as a
cohort's employer, can follow). The yearly behaviour then works on contiguous slices
(``pool.col[:pool.n]``: views, no gathers), which is most of what makes a run fast
(``docs/performance.md``). A non-compact pool (zones) never moves a member; a freed slot is
reused lowest-first.

Each member has one Mesa agent, its *handle*, made when the pool grows (or, in a lazy pool,
when first asked for with ``handle(slot)``). A handle follows its member when the member moves
(handle id ``hid`` -> slot); the handle of a member that exits is parked on a free slot and is
reused by a later entrant (which gets a new ``uid``). Pooling keeps Mesa's per-agent creation
cost (~3-6 us) off the yearly path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


class Pool:
    """Columns of equal length with an ``alive`` mask and ``n`` live members."""

    def __init__(self, columns: dict[str, tuple[Any, Any]], capacity: int,
                 make_handles: Callable[[np.ndarray], list] | None = None, lazy: bool = False,
                 compact: bool = False) -> None:
        self._columns = {"uid": (np.int64, -1)} | dict(columns)
        self.compact = compact
        self.capacity = 0
        self.n = 0  # live members (in a compact pool: slots 0 .. n-1)
        self.alive = np.zeros(0, dtype=bool)
        self.hid = np.zeros(0, dtype=np.int64)  # handle id of the agent in each slot
        self._slot = np.zeros(0, dtype=np.int64)  # slot of each handle id
        for name, (dtype, _fill) in self._columns.items():
            setattr(self, name, np.zeros(0, dtype=dtype))
        self.handles: list = []  # indexed by handle id
        self._make_handles = make_handles
        self.lazy = lazy  # lazy: a handle is made on first use (handle()), not when the pool grows
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
        self.hid = np.concatenate([self.hid, np.arange(old, new_capacity)])
        self._slot = np.concatenate([self._slot, np.arange(old, new_capacity)])
        self.capacity = new_capacity
        self._live = None
        if self._make_handles is not None:
            if self.lazy:
                self.handles.extend([None] * extra)
            else:
                self.handles.extend(self._make_handles(np.arange(old, new_capacity)))

    def add(self, k: int, **values: Any) -> np.ndarray:
        """Occupy ``k`` slots (compact: the next ``k`` after the live block; otherwise the lowest
        free ones), set the given columns (the rest get their fill value), return the slots."""
        if k <= 0:
            if values.keys() - self._columns.keys():
                raise KeyError(f"unknown pool columns: {sorted(values.keys() - self._columns.keys())}")
            return np.zeros(0, dtype=np.int64)
        if self.capacity - self.n < k:
            self._grow(max(self.n + k, int(self.capacity * 1.25) + 16))
        if self.compact:
            idx: np.ndarray | slice = slice(self.n, self.n + k)
            slots = np.arange(self.n, self.n + k)
        else:
            slots = idx = np.flatnonzero(~self.alive)[:k]
        for name, (_dtype, fill) in self._columns.items():
            getattr(self, name)[idx] = values.pop(name, fill)
        if values:
            raise KeyError(f"unknown pool columns: {sorted(values)}")
        self.alive[idx] = True
        self.n += k
        self._live = None
        self.uid[idx] = np.arange(self.next_uid, self.next_uid + k)
        self.next_uid += k
        return slots

    def remove(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Free the slots ``idx`` (live, no repeats). A compact pool then fills each hole below
        the new end with a member from the end of the live block; returns the moves as
        ``(from_slots, to_slots)`` (empty for a non-compact pool). A freed slot keeps the last
        values of the member that left (its handle reads them, with ``alive`` False) until reused."""
        idx = np.asarray(idx, dtype=np.int64)
        none = np.zeros(0, dtype=np.int64)
        if idx.size == 0:
            return none, none
        self._live = None
        if not self.compact:
            self.n -= int(self.alive[idx].sum())
            self.alive[idx] = False
            return none, none
        end = self.n - idx.size
        stays = np.ones(idx.size, dtype=bool)  # over the tail slots end .. n-1
        stays[idx[idx >= end] - end] = False
        src = end + np.flatnonzero(stays)
        dst = np.sort(idx[idx < end])
        if src.size:  # swap rows, so a freed slot keeps the last values of the member that left
            for name in (*self._columns, "hid"):
                col = getattr(self, name)
                col[dst], col[src] = col[src], col[dst]
            self._slot[self.hid[dst]], self._slot[self.hid[src]] = dst, src
        self.alive[end:self.n] = False
        self.n = end
        return src, dst

    def handle(self, slot: int) -> Any:
        """The Mesa agent of the member in ``slot`` (made now if the pool is lazy and it does
        not exist yet)."""
        hid = int(self.hid[slot])
        h = self.handles[hid]
        if h is None:
            h = self.handles[hid] = self._make_handles(np.array([hid]))[0]
        return h

    def slot_of(self, hid: int) -> int:
        """The slot the agent with handle id ``hid`` sits in now."""
        return int(self._slot[hid])

    def live(self) -> np.ndarray:
        """Slot indices of the live members, ascending (cached until the next add/remove;
        ``alive`` must only change through ``add`` and ``remove``). Read-only. In a compact
        pool this is ``arange(n)``: the hot paths use the slice ``[:n]`` instead."""
        if self._live is None:
            self._live = np.arange(self.n) if self.compact else np.flatnonzero(self.alive)
            self._live.flags.writeable = False
        return self._live

    def nbytes(self) -> int:
        return int(self.alive.nbytes + self.hid.nbytes + self._slot.nbytes
                   + sum(getattr(self, c).nbytes for c in self._columns))


class Pooled:
    """Mixin of the pooled Mesa agents: ``pool`` and handle id ``hid``; ``slot`` follows moves."""

    pool: Pool
    hid: int

    @property
    def slot(self) -> int:
        return int(self.pool._slot[self.hid])

    @property
    def alive(self) -> bool:
        return bool(self.pool.alive[self.slot])


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
