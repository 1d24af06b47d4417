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

Every member has a permanent ``uid`` (never reused within a run) and at most one Mesa agent,
its *handle*, which stands for that member for its whole life: an eager pool makes it when the
member is added, a lazy pool when it is first asked for (``handle(slot)``, ``handle_of(uid)``).
The handle finds its member by uid, so it follows the member when compaction moves it; when the
member exits, the handle is removed from the model with Mesa's ``Agent.remove()`` and never
reused. A lazy pool that nobody asks for handles costs nothing on the yearly path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


class Pool:
    """Columns of equal length with an ``alive`` mask and ``n`` live members."""

    def __init__(self, columns: dict[str, tuple[Any, Any]], capacity: int,
                 make_handle: Callable[[int], Any] | None = None, lazy: bool = False,
                 compact: bool = False) -> None:
        self._columns = {"uid": (np.int64, -1)} | dict(columns)
        self.compact = compact
        self.capacity = 0
        self.n = 0  # live members (in a compact pool: slots 0 .. n-1)
        self.alive = np.zeros(0, dtype=bool)
        self._uid_slot = np.zeros(0, dtype=np.int64)  # slot of every uid ever given, -1 once it left
        for name, (dtype, _fill) in self._columns.items():
            setattr(self, name, np.zeros(0, dtype=dtype))
        self.handles: dict[int, Any] = {}  # uid -> Mesa agent, live members only
        self._make_handle = make_handle
        self.lazy = lazy  # lazy: a handle is made on first use (handle()), not when a member is added
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
        uids = np.arange(self.next_uid, self.next_uid + k)
        self.uid[idx] = uids
        self.next_uid += k
        if self._uid_slot.size < self.next_uid:
            self._uid_slot = np.concatenate([self._uid_slot, np.full(max(self.next_uid - self._uid_slot.size,
                                                                         self._uid_slot.size), -1, dtype=np.int64)])
        self._uid_slot[uids] = slots
        if self._make_handle is not None and not self.lazy:
            make, handles = self._make_handle, self.handles
            for u in uids.tolist():
                handles[u] = make(u)
        return slots

    def remove(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Free the slots ``idx`` (live, no repeats). A compact pool then fills each hole below
        the new end with a member from the end of the live block; returns the moves as
        ``(from_slots, to_slots)`` (empty for a non-compact pool). The values left in freed slots
        are not a member's: ``alive`` is False there, a departed member's handle raises ``Exited``,
        and ``add`` sets every column of a slot it reuses."""
        idx = np.asarray(idx, dtype=np.int64)
        none = np.zeros(0, dtype=np.int64)
        if idx.size == 0:
            return none, none
        self._live = None
        gone = self.uid[idx]
        self._uid_slot[gone] = -1
        if self.handles:  # the exited members' Mesa agents leave the model for good
            pop = self.handles.pop
            for u in gone.tolist():
                h = pop(u, None)
                if h is not None:
                    h.remove()
        if not self.compact:
            self.n -= int(self.alive[idx].sum())
            self.alive[idx] = False
            return none, none
        end = self.n - idx.size
        stays = np.ones(idx.size, dtype=bool)  # over the tail slots end .. n-1
        stays[idx[idx >= end] - end] = False
        src = end + np.flatnonzero(stays)
        dst = np.sort(idx[idx < end])
        if src.size:  # move rows (a copy: the freed slots' values are dead until add() overwrites them)
            for name in self._columns:
                col = getattr(self, name)
                col[dst] = col[src]
            self._uid_slot[self.uid[dst]] = dst
        self.alive[end:self.n] = False
        self.n = end
        return src, dst

    def handle(self, slot: int) -> Any:
        """The Mesa agent of the live member in ``slot`` (made now if it does not exist yet)."""
        if not (0 <= slot < self.capacity and self.alive[slot]):
            raise IndexError(f"slot {slot} holds no live member")
        return self.handle_of(int(self.uid[slot]))

    def handle_of(self, uid: int) -> Any:
        """The Mesa agent of the live member ``uid`` (made now if it does not exist yet)."""
        h = self.handles.get(uid)
        if h is None:
            if self.slot_of(uid) < 0:
                raise LookupError(f"member {uid} is not live (it left, or never existed)")
            h = self.handles[uid] = self._make_handle(uid)
        return h

    def slot_of(self, uid: int) -> int:
        """The slot the member ``uid`` sits in now; -1 once it has left."""
        return int(self._uid_slot[uid]) if 0 <= uid < self.next_uid else -1

    def live(self) -> np.ndarray:
        """Slot indices of the live members, ascending (cached until the next add/remove;
        ``alive`` must only change through ``add`` and ``remove``). Read-only. In a compact
        pool this is ``arange(n)``: the hot paths use the slice ``[:n]`` instead."""
        if self._live is None:
            self._live = np.arange(self.n) if self.compact else np.flatnonzero(self.alive)
            self._live.flags.writeable = False
        return self._live

    def nbytes(self) -> int:
        return int(self.alive.nbytes + self._uid_slot.nbytes + sum(getattr(self, c).nbytes for c in self._columns))


class Exited(LookupError):
    """Raised when the state of a member that has left its pool is read through its old handle."""


class Pooled:
    """Mixin of the pooled Mesa agents: ``pool`` and the member's permanent ``uid``; ``slot``
    follows the member when compaction moves it, and is -1 once it has left."""

    pool: Pool
    uid: int

    @property
    def slot(self) -> int:
        return int(self.pool._uid_slot[self.uid])

    @property
    def alive(self) -> bool:
        return self.pool._uid_slot[self.uid] >= 0


class Column:
    """Descriptor: ``agent.attr`` reads and writes ``pool.attr[agent.slot]`` as a Python scalar."""

    def __init__(self, doc: str = "") -> None:
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return getattr(obj.pool, self.name)[_live_slot(obj)].item()

    def __set__(self, obj: Any, value: Any) -> None:
        getattr(obj.pool, self.name)[_live_slot(obj)] = value


def _live_slot(obj: Pooled) -> int:
    slot = obj.slot
    if slot < 0:
        raise Exited(f"{type(obj).__name__} {obj.uid} has left the model; its agent was removed")
    return slot
