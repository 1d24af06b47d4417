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

An eager pool makes and removes handles in bulk when it is given ``make_handles`` and
``drop_handles`` (``add`` and ``remove`` then make one call each, not one per member);
:class:`MesaHandles` provides all three for a Mesa model, registering and deregistering many
agents at once with the same result as Mesa's one-by-one path (issue 19, docs/performance.md).
"""

from __future__ import annotations

import itertools
import logging
import operator
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import mesa
import numpy as np

from sim.core import kernels


class Pool:
    """Columns of equal length with an ``alive`` mask and ``n`` live members."""

    def __init__(self, columns: dict[str, tuple[Any, Any]], capacity: int,
                 make_handle: Callable[[int], Any] | None = None, lazy: bool = False,
                 compact: bool = False, make_handles: Callable[[list[int]], list[Any]] | None = None,
                 drop_handles: Callable[[list[Any]], None] | None = None) -> None:
        self._columns = {"uid": (np.int64, -1)} | dict(columns)
        self.compact = compact
        self._empty()
        self._make_handle = make_handle
        # bulk versions: make_handles(uids) == [make_handle(u) for u in uids]; drop_handles(hs) does
        # h.remove() for each h in order (both optional: one call per member without them)
        self._make_handles = make_handles or (lambda uids: [make_handle(u) for u in uids])  # type: ignore[misc]
        self._drop_handles = drop_handles or _remove_each
        self.lazy = lazy  # lazy: a handle is made on first use (handle()), not when a member is added
        self._grow(capacity)

    def _empty(self) -> None:
        """No member, no slot, no uid given: the state a pool starts from (and ``free`` returns to)."""
        self.capacity = 0
        self.n = 0  # live members (in a compact pool: slots 0 .. n-1)
        self.alive = np.zeros(0, dtype=bool)
        self._uid_slot = np.zeros(0, dtype=np.int64)  # slot of every uid ever given, -1 once it left
        for name, (dtype, _fill) in self._columns.items():
            setattr(self, name, np.zeros(0, dtype=dtype))
        self.handles: dict[int, Any] = {}  # uid -> Mesa agent, live members only
        self.next_uid = 0
        self._live: np.ndarray | None = None  # cache of live(); cleared by add/remove/_grow
        self._groups: tuple[np.ndarray, list[tuple[np.ndarray, ...]]] | None = None  # see _dtype_groups

    def _grow(self, new_capacity: int) -> None:
        old = self.capacity
        if new_capacity <= old:
            return
        self.alive = _extended(self.alive, new_capacity, False)
        # a compact pool copies its live block only: the slots from n on hold no member's values
        # (``remove`` leaves them dead, ``add`` sets every column of the slots it takes), so they
        # are left unwritten and their pages are first touched when a member takes them
        head = self.n if self.compact else None
        for name, (dtype, fill) in self._columns.items():
            setattr(self, name, _extended(getattr(self, name), new_capacity, fill, head))
        self.capacity = new_capacity
        self._live = None
        self._groups = None

    def _next_capacity(self, need: int) -> int:
        """The capacity to grow to when ``need`` slots are wanted. A compact pool doubles ``need``:
        growing copies every column (a 100k-agent run's firm pool grew three times by 1.25, ~3 %
        of the run), while its unused slots cost address space only (never written, see
        ``_grow``); other pools fill every slot, so they grow by a quarter."""
        if self.compact:
            return 2 * need
        return max(need, int(self.capacity * 1.25) + 16)

    def add(self, k: int, rows: np.ndarray | None = None, **values: Any) -> np.ndarray:
        """Occupy ``k`` slots (compact: the next ``k`` after the live block; otherwise the lowest
        free ones), set the given columns (the rest get their fill value), return the slots.
        ``rows``: the ``k`` positions of the new members in the given 1-d arrays (``values[name]
        [rows]`` each, gathered straight into the columns: no copies of the chosen rows first)."""
        if k <= 0:
            if values.keys() - self._columns.keys():
                raise KeyError(f"unknown pool columns: {sorted(values.keys() - self._columns.keys())}")
            return np.zeros(0, dtype=np.int64)
        if self.capacity - self.n < k:
            self._grow(self._next_capacity(self.n + k))
        if self.compact:
            idx: np.ndarray | slice = slice(self.n, self.n + k)
            slots = np.arange(self.n, self.n + k)
        else:
            slots = idx = np.flatnonzero(~self.alive)[:k]
        done: frozenset[str] = frozenset()  # columns already set (gathered by the compiled path)
        if rows is not None:
            rows = np.asarray(rows, dtype=np.int64)
            if rows.shape != (k,):
                raise ValueError(f"rows: {k} positions expected, got shape {rows.shape}")
            if self.compact and kernels.ENABLED:
                done = self._gather_compiled(rows, values)
            if done:
                rows = None  # gathered (compiled): those columns are set; the rest as below
            else:
                lo, hi = int(rows.min()), int(rows.max())
        for name, (_dtype, fill) in self._columns.items():
            if name in done:
                continue
            v = values.pop(name, fill)
            col = getattr(self, name)
            if rows is not None and isinstance(v, np.ndarray) and v.ndim == 1:
                if lo < 0 or hi >= v.size:
                    raise IndexError(f"rows: positions {lo}..{hi} outside column {name!r} of {v.size}")
                if self.compact:  # a view of the new slots: the gather writes there (mode="clip":
                    np.take(v, rows, out=col[idx], mode="clip")  # unbuffered; the bounds checked above)
                    continue
                v = v[rows]
            col[idx] = v
        if values:
            raise KeyError(f"unknown pool columns: {sorted(values)}")
        self.alive[idx] = True
        self.n += k
        self._live = None
        uids = np.arange(self.next_uid, self.next_uid + k)
        self.uid[idx] = uids
        self.next_uid += k
        if self._uid_slot.size < self.next_uid:
            self._uid_slot = _uid_map_grown(self._uid_slot, self.next_uid)
        self._uid_slot[uids] = slots
        if self._make_handle is not None and not self.lazy:
            ul = uids.tolist()
            self.handles.update(zip(ul, self._make_handles(ul)))
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
        if self.handles:  # the exited members' Mesa agents leave the model for good, in the order they came (uid):
            # the dictionary's entries are in that order, so the pops walk its memory forward (an eager default
            # year 0.965-0.988 of its time against the slots' order, docs/performance.md, forty-ninth session)
            hs = list(map(self.handles.pop, np.sort(gone).tolist(), itertools.repeat(None)))
            if None in hs:  # lazy: members never asked for have no agent
                hs = [h for h in hs if h is not None]
            if hs:
                self._drop_handles(hs)
        if not self.compact:
            self.n -= int(self.alive[idx].sum())
            self.alive[idx] = False
            return none, none
        end = self.n - idx.size
        moves = kernels.compact_moves(idx, self.n)  # compiled: the same moves in one call
        if moves is not None:
            src, dst = moves
        else:
            stays = np.ones(idx.size, dtype=bool)  # over the tail slots end .. n-1
            stays[idx[idx >= end] - end] = False
            src = end + np.flatnonzero(stays)
            dst = idx[idx < end]
            # callers mostly pass ascending slots; a sort costs ~20x the check
            if dst.size > 1 and not (dst[1:] > dst[:-1]).all():
                dst = np.sort(dst)
        if src.size:  # move rows (a copy: the freed slots' values are dead until add() overwrites them)
            if not kernels.move_row_groups(self._dtype_groups(), len(self._columns), src, dst):
                for name in self._columns:
                    col = getattr(self, name)
                    col[dst] = col[src]
            self._uid_slot[self.uid[dst]] = dst
        self.alive[end:self.n] = False
        self.n = end
        return src, dst

    def _dtype_groups(self) -> list[tuple[np.ndarray, ...]]:
        """The columns by dtype (each a tuple in column order; the groups in order of first
        appearance), for the compiled row moves: kept until the columns are replaced. Every path
        that replaces columns replaces ``uid`` with them (``_grow``, ``_empty``, the spin-up's
        restore, which sets every column), so the cache is checked against ``uid`` itself."""
        g = self._groups
        if g is None or g[0] is not self.uid:
            by: dict[np.dtype, list[np.ndarray]] = {}
            for name in self._columns:
                col = getattr(self, name)
                by.setdefault(col.dtype, []).append(col)
            g = self._groups = (self.uid, [tuple(cols) for cols in by.values()])
        return g[1]

    def _gather_compiled(self, rows: np.ndarray, values: dict[str, Any]) -> frozenset[str]:
        """``add``'s gathers into the new slots of a compact pool by dtype in one compiled call each
        (``kernels.gather_rows``: the same values as ``np.take``, fewer calls), when every value
        with rows to gather is a 1-d C-contiguous array of its column's dtype and every row is
        inside every such array; then those values are popped and their names returned. Otherwise
        nothing is written or popped (empty: ``add``'s own loop)."""
        groups: dict[np.dtype, tuple[list[np.ndarray], list[np.ndarray]]] = {}
        names = []
        for name, v in values.items():
            spec = self._columns.get(name)
            if spec is None or not isinstance(v, np.ndarray) or v.ndim != 1:
                continue  # unknown names raise in add's loop; scalars are set there
            if v.dtype != spec[0] or not v.flags.c_contiguous:
                return frozenset()
            cols, srcs = groups.setdefault(v.dtype, ([], []))
            cols.append(getattr(self, name))
            srcs.append(v)
            names.append(name)
        if not kernels.gather_rows(groups, rows, self.n):
            return frozenset()
        for name in names:
            del values[name]
        return frozenset(names)

    def free(self) -> None:
        """Drop every member and the columns' memory now, without waiting for the collector (why:
        ``sim.experiments.runner.release``). Afterwards the pool is empty and starts over (uids
        from 0 again): nothing of the released model may be read from it."""
        self._empty()

    def make_handles(self) -> None:
        """Switch a lazy pool to eager: every live member without a Mesa agent gets one now, in
        the order the members were added (uid), as if each had had it from the start (what the
        agents hold is the same either way: their member's uid; Mesa numbers them in this order).
        From now on each entrant gets its agent when it is added."""
        self.lazy = False
        if self._make_handle is None or self.n == 0:
            return
        uids = np.sort(self.uid[self.live()]).tolist()
        if self.handles:
            uids = [u for u in uids if u not in self.handles]
        self.handles.update(zip(uids, self._make_handles(uids)))

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


def _remove_each(handles: list[Any]) -> None:
    for h in handles:
        h.remove()


def _uid_map_grown(old: np.ndarray, need: int) -> np.ndarray:
    """The uid -> slot map with room for ``need`` uids (at least twice its old size): the old
    entries copied, the rest left unwritten. Only uids below ``next_uid`` are ever looked up
    (``slot_of`` checks, handles hold given uids) and ``add`` writes the entries of the uids it
    gives before anything reads them, so the tail is first touched when uids reach it: at 1M agents
    the map grows past 16 and 32 MB, where filling the tail with -1 in a temporary and joining the
    two touched three times the memory."""
    out = np.empty(max(need, 2 * old.size), dtype=np.int64)
    out[:old.size] = old
    return out


def _extended(col: np.ndarray, capacity: int, fill: Any, head: int | None = None) -> np.ndarray:
    """``col`` lengthened to ``capacity`` with ``fill`` (one write per element: no zero-length or
    fill-then-copy arrays). With ``head``: only ``col[:head]`` is copied and nothing else written
    (a compact pool's dead slots, whose values are never read)."""
    out = np.empty(capacity, dtype=col.dtype)
    if head is not None:
        out[:head] = col[:head]
        return out
    out[:col.size] = col
    out[col.size:] = fill
    return out


class MesaHandles:
    """Makes and removes the Mesa agents of one pool, one at a time or many at once.

    ``one(uid)`` is ``cls(model, uid)``: Mesa's public path (``Agent.__init__`` gives the next
    unique id and calls ``model.register_agent``; ``Agent.remove`` calls ``model.deregister_agent``).
    ``many(uids)`` and ``drop(agents)`` do the same for a whole list, a few passes over it in all: agents made
    with ``cls.__new__`` and given the attributes ``Agent.__init__`` and the handle's ``__init__``
    set (``model``, ``unique_id``, ``pos``, then ``pool`` and ``uid``), unique ids taken from Mesa's
    own per-model counter in the same order, and the three registries of the model
    (``model._agents``, ``model._agents_by_type[cls]``, ``model._all_agents``) updated with one
    ``update`` each, and emptied with one ``pop`` pass each (docs/performance.md, issue 19). The
    result is the same as the public path, agent by agent (tests/core/test_handles.py).

    The bulk path relies on Mesa 3.3's internals, so it is used only when :func:`mesa_bulk_ok`
    finds them as expected for this model and class (and Mesa's debug log is off, which the
    public path writes a line to per agent); otherwise ``many`` and ``drop`` fall back to the
    public path. The first agent is always made by the public path, and the bulk path is used only
    if that agent holds exactly the attributes listed above. ``drop`` keeps ``Agent.remove``'s
    semantics for an agent already removed (wholly or in part) by hand before its member left.
    """

    def __init__(self, model: Any, cls: type, pool_name: str) -> None:
        self.model, self.cls, self.pool_name = model, cls, pool_name
        self.bulk: bool | None = None if mesa_bulk_ok(model, cls) else False  # None: not checked yet
        self._removal: tuple | None = None  # (AgentSet dict of the type, of model.agents, their joint callback)

    def one(self, uid: int) -> Any:
        agent = self.cls(self.model, uid)
        if self.bulk is None:  # the first agent, made by the public path, shows what __init__ sets
            self.bulk = (list(vars(agent)) == ["model", "unique_id", "pos", "pool", "uid"]
                         and agent.pool is getattr(self.model, self.pool_name) and agent.uid == uid)
        return agent

    def many(self, uids: Sequence[int]) -> list[Any]:
        model, cls = self.model, self.cls
        if self.bulk is None and uids:
            return [self.one(uids[0]), *self.many(uids[1:])]
        if not (self.bulk and uids) or _MESA_LOG.isEnabledFor(logging.DEBUG):
            return [cls(model, u) for u in uids]
        pool = getattr(model, self.pool_name)
        new = cls.__new__
        agents = [new(cls) for _ in uids]
        for a, i, u in zip(agents, itertools.islice(mesa.Agent._ids[model], len(agents)), uids):
            a.model = model  # as Agent.__init__ sets them, in its order, then the handle's __init__
            a.unique_id = i
            a.pos = None
            a.pool = pool
            a.uid = u
        model._agents.update(zip(agents, itertools.repeat(None)))  # one insert each (fromkeys made a dict first)
        of_type = model._agents_by_type.get(cls)
        if of_type is None:
            model._agents_by_type[cls] = mesa.agent.AgentSet(agents, random=model.random)
            _weak_add(model._all_agents._agents, agents)
        else:
            self._weak_add_both(of_type._agents, model._all_agents._agents, agents)
        return agents

    def _weak_add_both(self, of_type: weakref.WeakKeyDictionary, every: weakref.WeakKeyDictionary,
                       agents: list[Any]) -> None:
        """``of_type[a] = None`` and ``every[a] = None`` for every agent, keyed in both by one weak
        reference whose callback is both dictionaries' removal callbacks in turn. Mesa's
        ``WeakKeyDictionary.__setitem__`` gives each dictionary its own reference with its own
        callback: two objects per agent where one does the same (issue 19: making and removing
        eager agents is most of an eager year; this cut a default eager run's years by ~9 %). An
        agent that dies while listed leaves both, as before, and one removed from either by hand
        leaves the other (the callbacks ignore a missing key)."""
        cached = self._removal
        if cached is None or cached[0] is not of_type or cached[1] is not every:  # AgentSet._update swaps them
            first, second = of_type._remove, every._remove

            def removal(ref: weakref.ref, first=first, second=second) -> None:
                first(ref)
                second(ref)

            cached = self._removal = (of_type, every, removal)
        refs = list(map(weakref.ref, agents, itertools.repeat(cached[2])))
        of_type.data.update(zip(refs, itertools.repeat(None)))
        every.data.update(zip(refs, itertools.repeat(None)))

    def drop(self, agents: list[Any]) -> None:
        if not self.bulk or _MESA_LOG.isEnabledFor(logging.DEBUG):
            _remove_each(agents)
            return
        # Model.deregister_agent for each agent: del model._agents[a], then del from the AgentSet of
        # its type, then from model.agents; Agent.remove ignores the KeyError of a step and skips the
        # rest. Done structure by structure; an agent missing from one (removed by hand before its
        # member left) is left out of the later ones, as Agent.remove leaves it.
        model, missing = self.model, _MISSING
        strong = model._agents
        n = len(strong)
        popped = list(map(strong.pop, agents, itertools.repeat(missing)))
        if len(strong) != n - len(agents):
            agents = [a for a, p in zip(agents, popped) if p is not missing]
        if not agents:
            return
        refs = _lookup_refs(agents)
        of_type = model._agents_by_type.get(self.cls)
        for weak in (of_type._agents if of_type is not None else None, model._all_agents._agents):
            if weak is None:  # no AgentSet of the type: every deletion raised
                return
            data = weak.data
            weak._dirty_len = True  # as WeakKeyDictionary.__delitem__
            n = len(data)
            popped = list(map(data.pop, refs, itertools.repeat(missing)))
            if len(data) != n - len(refs):
                refs = [r for r, p in zip(refs, popped) if p is not missing]


_MISSING = object()
_MESA_LOG: logging.Logger = getattr(mesa.model, "_mesa_logger", None) or logging.getLogger("MESA.mesa.model")
_FIRST = operator.itemgetter(0)


def _lookup_refs(agents: list[Any]) -> list[weakref.ref]:
    """A weak reference to each agent, to find it in the weak registries by: one it has already
    where every agent has one (``weakref.getweakrefs``; for an agent made by the bulk path that is
    the registries' own key, which a dictionary finds by identity, its hash kept), else new ones
    (equal to the keys: a weak reference compares by its referent). Taking the existing reference
    instead of making a twin halved the two registries' removals and took 3 % off an eager default
    run (docs/performance.md, fortieth session). A proxy (``weakref.proxy``) is no key: then new
    ones too."""
    try:
        refs = list(map(_FIRST, map(weakref.getweakrefs, agents)))
    except IndexError:  # an agent without any weak reference (taken out of both registries by hand)
        return list(map(weakref.ref, agents))
    if not all(issubclass(t, weakref.ReferenceType) for t in set(map(type, refs))):
        return list(map(weakref.ref, agents))
    return refs


def _weak_add(weak: weakref.WeakKeyDictionary, agents: list[Any]) -> None:
    """``weak[a] = None`` for every agent (WeakKeyDictionary.__setitem__: a weak key with the
    dictionary's removal callback), in one ``update``."""
    weak.data.update(zip(map(weakref.ref, agents, itertools.repeat(weak._remove)), itertools.repeat(None)))


def drop_agents(model: Any) -> bool:
    """Let go of every Mesa agent of a finished model at once (``sim.experiments.runner.release``):
    Mesa 3.3's three registries emptied, the two weak ones first (their entries then go without a
    callback each), so the agents die by reference counting now instead of waiting, with the model
    they point back to, for a full collection that walks each of them (~100,000 objects in a default
    eager run: docs/performance.md, forty-eighth session). Afterwards ``model.agents`` is empty.
    Returns whether it was done; where Mesa's registries are not as expected it does nothing (the
    collector frees the agents with the model)."""
    try:
        agents, by_type, every = model._agents, model._agents_by_type, model._all_agents
        sets = [every, *by_type.values()]
        weak = [st._agents for st in sets]
    except AttributeError:
        return False
    if not (mesa.__version__.startswith("3.3.") and type(agents) is dict and type(by_type) is dict
            and all(type(st) is mesa.agent.AgentSet for st in sets)
            and all(type(w) is weakref.WeakKeyDictionary for w in weak)):
        return False
    for w in weak:  # the dictionary's own clear (WeakKeyDictionary has none: MutableMapping's pops the entries one
        # by one in Python, ~20 ms a default eager release, and leaves each table at its largest, ~5 MB, which the
        # dead model then held until its collection)
        w._dirty_len = True  # as WeakKeyDictionary.popitem marks it
        w.data.clear()
    agents.clear()
    return True


def mesa_bulk_ok(model: Any, cls: type) -> bool:
    """Whether Mesa's internals are what :class:`MesaHandles`' bulk path was written against
    (Mesa 3.3): the model registers and deregisters agents with Mesa's own methods into a dict and
    two AgentSets over WeakKeyDictionaries, unique ids come from ``Agent._ids[model]``, and the
    handle class does not override ``remove``. (What the handle's ``__init__`` sets is checked on
    the first agent, which :class:`MesaHandles` makes by the public path.)"""
    try:
        if not mesa.__version__.startswith("3.3."):
            return False
        Model, Agent = mesa.Model, mesa.Agent
        ok = (type(model).register_agent is Model.register_agent
              and type(model).deregister_agent is Model.deregister_agent
              and issubclass(cls, Agent) and cls.remove is Agent.remove
              and isinstance(Agent._ids, dict) and type(Agent._ids[model]) is itertools.count
              and type(model._agents) is dict and type(model._agents_by_type) is dict
              and type(model._all_agents) is mesa.agent.AgentSet)
        weak = model._all_agents._agents
        return bool(ok and type(weak) is weakref.WeakKeyDictionary and type(weak.data) is dict
                    and callable(weak._remove))
    except AttributeError:
        return False
