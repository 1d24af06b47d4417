from __future__ import annotations

import numpy as np
import pytest

from sim.core.pool import Pool


def test_add_reuses_lowest_free_slots_and_grows():
    made = []
    p = Pool({"x": (np.float64, 0.0)}, 4, lambda uid: made.append(uid) or Handle([None], uid))
    a = p.add(3, x=np.array([1.0, 2.0, 3.0]))
    assert list(a) == [0, 1, 2] and p.n == 3
    p.remove(np.array([1]))
    assert list(p.live()) == [0, 2]
    b = p.add(3, x=7.0)
    assert list(b) == [1, 3, 4]  # slot 1 reused, then grown
    assert p.capacity >= 5 and len(p.handles) == p.n == 5 and made == [0, 1, 2, 3, 4, 5]
    assert 1 not in p.handles and made.count(1) == 1  # the removed member's agent is gone for good
    assert list(p.uid[p.live()]) == [0, 3, 2, 4, 5]
    assert p.x[4] == 7.0


def test_exited_members_agents_leave_in_the_order_they_came():
    """``remove`` hands the exited members' agents to ``drop_handles`` in uid order, whatever the
    order of the slots (a compact pool's slots are not in uid order once members have moved)."""
    dropped = []
    p = Pool({"x": (np.float64, 0.0)}, 8, lambda uid: f"h{uid}", compact=True,
             drop_handles=lambda hs: dropped.append(list(hs)))
    p.add(8)
    p.remove(np.array([1, 2]))  # slots 1 and 2 now hold uids 6 and 7
    assert list(p.uid[:p.n]) == [0, 6, 7, 3, 4, 5]
    p.remove(np.array([2, 5, 1, 0]))  # uids 7, 5, 6, 0
    assert dropped == [["h1", "h2"], ["h0", "h5", "h6", "h7"]]


def test_live_is_cached_and_invalidated():
    p = Pool({"x": (np.float64, 0.0)}, 2)
    p.add(2)
    first = p.live()
    assert p.live() is first
    p.remove(np.array([0]))
    assert list(p.live()) == [1]


def test_lazy_pool_makes_handles_on_first_use():
    made = []
    p = Pool({"x": (np.float64, 0.0)}, 4, lambda uid: made.append(uid) or f"h{uid}", lazy=True)
    p.add(3)
    assert made == [] and p.handles == {}
    assert p.handle(2) == "h2" and p.handle(2) == "h2" and made == [2]
    assert p.handle_of(1) == "h1" and made == [2, 1]
    with pytest.raises(IndexError):
        p.handle(3)  # no live member there
    with pytest.raises(LookupError):
        p.handle_of(7)  # never existed


class Handle:
    """Stands in for a Mesa agent: knows its member's uid, records its removal."""

    def __init__(self, box, uid):
        self.box, self.uid, self.removed = box, uid, False  # box: [pool], filled once the pool exists

    @property
    def slot(self):
        return self.box[0].slot_of(self.uid)

    def remove(self):
        assert not self.removed, "removed twice"
        self.removed = True


def compact_pool(capacity=4, lazy=False):
    made, box = [], []

    def make(uid):
        made.append(uid)
        return Handle(box, uid)

    p = Pool({"x": (np.float64, 0.0)}, capacity, make, lazy=lazy, compact=True)
    box.append(p)
    return p, made


def test_compact_pool_fills_holes_from_the_end_and_reports_moves():
    p, _ = compact_pool()
    p.add(6, x=np.arange(6.0))  # grows past 4
    src, dst = p.remove(np.array([1, 4]))
    # the live block stays 0..3: slot 5 (x=5) moved into hole 1; slot 4 was closed at the end
    assert p.n == 4 and list(p.live()) == [0, 1, 2, 3]
    assert list(src) == [5] and list(dst) == [1]
    assert list(p.x[:4]) == [0.0, 5.0, 2.0, 3.0]
    assert list(p.uid[:4]) == [0, 5, 2, 3]
    assert p.alive[:4].all() and not p.alive[4:].any()
    b = p.add(2, x=9.0)  # entrants are appended after the live block
    assert list(b) == [4, 5] and list(p.uid[4:6]) == [6, 7] and p.n == 6


def test_compact_pool_handles_follow_their_member():
    p, made = compact_pool(8)
    p.add(5, x=np.arange(5.0))
    last = p.handle(4)
    closed = p.handle(1)
    p.remove(np.array([1]))
    assert last.slot == 1 and p.x[last.slot] == 4.0 and p.handle(1) is last
    assert closed.removed and closed.slot == -1 and closed.uid not in p.handles  # removed for good ...
    new = p.add(1, x=7.0)
    entrant = p.handle(int(new[0]))
    assert entrant is not closed and entrant.uid == 5 and not entrant.removed  # ... never reused
    assert made == [0, 1, 2, 3, 4, 5]  # eager: one handle per member, made when it enters


def test_compact_pool_remove_everything_and_nothing():
    p, _ = compact_pool()
    p.add(3)
    assert [a.size for a in p.remove(np.array([], dtype=np.int64))] == [0, 0]
    p.remove(np.array([0, 1, 2]))
    assert p.n == 0 and not p.alive.any() and p.live().size == 0


@pytest.mark.parametrize("compiled", [False, True])
def test_compact_pool_matches_a_reference_under_random_churn(compiled, monkeypatch):
    """Whatever is added and removed, the live block holds exactly the live members' values (numpy's
    steps and the compiled ones: kernels.compact_moves, move_row_groups; slots freed in any order)."""
    from sim.core import kernels

    monkeypatch.setattr(kernels, "ENABLED", kernels.enable() if compiled else False)
    rng = np.random.default_rng(0)
    p, _ = compact_pool(2, lazy=True)
    ref: dict[int, float] = {}
    for _ in range(200):
        k = int(rng.integers(0, 5))
        vals = rng.random(k)
        slots = p.add(k, x=vals)
        ref.update(zip(p.uid[slots].tolist(), vals.tolist()))
        gone = rng.permutation(np.flatnonzero(rng.random(p.n) < 0.3))
        for u in p.uid[gone]:
            del ref[int(u)]
        p.remove(gone)
        assert p.n == len(ref)
        assert dict(zip(p.uid[:p.n].tolist(), p.x[:p.n].tolist())) == ref
        assert p.alive[:p.n].all() and not p.alive[p.n:].any()
        assert all(p.slot_of(u) == s for s, u in enumerate(p.uid[:p.n].tolist()))
        assert all(p.handle_of(u).slot == p.slot_of(u) for u in ref)  # handles follow (made lazily)
        assert set(p.handles) == set(ref)  # and only live members keep one


@pytest.mark.parametrize("compiled", [False, True])
def test_compact_pool_moves_every_column_of_every_dtype(compiled, monkeypatch):
    """Removals that move many rows (the compiled moves: from 32 rows, one call a dtype over the
    pool's cached column groups) carry every column of every dtype with its member, also after the
    pool grew and after its columns were replaced from outside (as the spin-up's restore does: the
    cache is checked against the columns it holds)."""
    from sim.core import kernels

    monkeypatch.setattr(kernels, "ENABLED", kernels.enable() if compiled else False)
    rng = np.random.default_rng(3)
    cols = {"a": (np.float64, 0.0), "b": (np.int64, -1), "c": (bool, False), "d": (np.uint64, 0),
            "e": (np.float64, 1.0)}
    p = Pool(cols, 8, None, lazy=True, compact=True)
    ref: dict[int, tuple] = {}
    for step in range(40):
        k = int(rng.integers(0, 120))
        vals = {"a": rng.random(k), "b": rng.integers(-9, 9, k), "c": rng.random(k) < 0.5,
                "d": rng.integers(0, 2**63, k).astype(np.uint64), "e": rng.random(k)}
        slots = p.add(k, **vals)
        ref.update((int(u), tuple(vals[c][i].item() for c in cols)) for i, u in enumerate(p.uid[slots]))
        if step == 20:  # replaced from outside, every column with uid (the spin-up's restore)
            for name in p._columns:
                setattr(p, name, getattr(p, name).copy())
        gone = rng.permutation(np.flatnonzero(rng.random(p.n) < 0.4))
        for u in p.uid[gone]:
            del ref[int(u)]
        p.remove(gone)
        got = {int(u): tuple(getattr(p, c)[s].item() for c in cols) for s, u in enumerate(p.uid[:p.n])}
        assert got == ref
    if compiled:  # the cache holds the pool's own columns
        held = {id(c) for group in p._dtype_groups() for c in group}
        assert held == {id(getattr(p, name)) for name in p._columns}


def test_compact_pool_doubles_and_copies_only_its_live_block():
    """A compact pool grows to twice what it needs (growing copies every column; its free slots
    are never written until taken), and only the live block is copied; other pools grow by a
    quarter and fill every new slot."""
    p, _ = compact_pool(4)
    p.add(4, x=np.arange(4.0))
    p.remove(np.array([1]))  # slot 3's member moves to slot 1; slot 3 is dead
    p.add(2, x=np.array([10.0, 11.0]))  # needs 5 slots
    assert p.capacity == 10
    assert p.x[:p.n].tolist() == [0.0, 3.0, 2.0, 10.0, 11.0]
    assert p.alive[:p.n].all() and not p.alive[p.n:].any()
    q = Pool({"x": (np.float64, -1.0)}, 4)
    q.add(5)
    assert q.capacity == 21 and q.x[5:].tolist() == [-1.0] * 16  # max(5, 4 * 1.25 + 16)


def test_model_never_reads_a_compact_pool_dead_slot(monkeypatch):
    """Poison every slot a compact pool leaves unwritten when it grows (NaN, nonsense codes) and the
    uid map's unwritten tail: the results and the live members are those of a run with clean
    slots, with levers and hosting on."""
    from sim.core import pool
    from sim.model.zonemodel import ZoneModel
    from sim.scenario.packages import load_package
    from sim.scenario.world import load_world

    plain = pool._extended

    def poisoned(col, capacity, fill, head=None):
        out = plain(col, capacity, fill, head)
        if head is not None:
            bad = {"f": np.nan, "i": -7 if col.dtype.itemsize == 1 else -777_777, "u": 12345, "b": True}
            out[head:] = bad[col.dtype.kind]
        return out

    def run():
        pkg = load_package("guangxi-23")
        m = ZoneModel(world=load_world("guangxi"), levers=pkg.build(), rng=4, agent_handles="lazy")
        for _ in range(6):
            m.step()
        live = {name: getattr(m.firms, name)[:m.firms.n].copy() for name in m.firms._columns}
        return m.results(), live

    plain_map = pool._uid_map_grown

    def poisoned_map(old, need):  # the uid map's unwritten tail: slots no pool has
        out = plain_map(old, need)
        out[old.size:] = -777_777
        return out

    clean, clean_live = run()
    monkeypatch.setattr(pool, "_extended", poisoned)
    monkeypatch.setattr(pool, "_uid_map_grown", poisoned_map)
    dirty, dirty_live = run()
    assert clean.equals(dirty)
    assert all(np.array_equal(clean_live[k], dirty_live[k]) for k in clean_live)


def test_uid_map_keeps_every_given_uid():
    """The uid -> slot map grows (at least doubling) with its old entries kept: every uid ever
    given maps to its slot, or to -1 once its member left, across several growths."""
    p = Pool({"x": (np.float64, 0.0)}, 4, compact=True)
    slots = {}
    for k in (3, 1, 9, 40, 2):
        for uid, slot in zip(range(p.next_uid, p.next_uid + k), p.add(k, x=1.0)):
            slots[uid] = int(slot)
    gone = np.array([0, 5, 30])
    moves = p.remove(np.array([slots[u] for u in gone]))
    for src, dst in zip(*moves):
        slots.update({u: int(dst) for u, s in slots.items() if s == src})
    for u in gone:
        slots[int(u)] = -1
    assert p._uid_slot.size >= p.next_uid == 55
    assert [p.slot_of(u) for u in range(p.next_uid)] == [slots[u] for u in range(p.next_uid)]


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("compact", [True, False])
def test_add_gathers_the_given_rows(compact, compiled, monkeypatch):
    """``add(k, rows=...)`` is ``add(k, **{name: v[rows]})``: arrays are gathered at ``rows``,
    scalars fill; wrong shapes and positions outside an array are refused before anything is
    written (numpy's steps and the compiled gathers of a compact pool: kernels.gather_rows; a value
    not contiguous takes numpy's steps)."""
    from sim.core import kernels

    monkeypatch.setattr(kernels, "ENABLED", kernels.enable() if compiled else False)
    cols = {"x": (np.float64, 0.0), "z": (np.int64, -1), "b": (np.bool_, False), "y": (np.float64, 2.5)}
    a, b = Pool(cols, 2, compact=compact), Pool(cols, 2, compact=compact)
    x, z = np.arange(10.0) * 1.5, np.arange(10) * 3
    rows = np.array([7, 0, 3, 3, 9])
    a.add(5, rows=rows, x=x, z=z, b=True)
    b.add(5, x=x[rows], z=z[rows], b=True)
    a.add(3, rows=rows[:3], x=x[::-1], z=z, b=np.arange(10) % 2 == 0)  # x reversed: not contiguous
    b.add(3, x=x[::-1][rows[:3]], z=z[rows[:3]], b=(np.arange(10) % 2 == 0)[rows[:3]])
    for name in ("uid", "x", "z", "b", "y", "alive"):
        assert np.array_equal(getattr(a, name)[:a.n], getattr(b, name)[:b.n]), name
    with pytest.raises(ValueError, match="rows"):
        a.add(2, rows=np.array([1, 2, 3]), x=x)
    with pytest.raises(IndexError, match="'x'"):
        a.add(2, rows=np.array([1, 10]), x=x)
    with pytest.raises(IndexError):
        a.add(2, rows=np.array([-1, 1]), x=x)
    with pytest.raises(IndexError, match="'z'"):  # a short array among long ones: nothing gathered
        a.add(2, rows=np.array([1, 8]), x=x, z=z[:5])
    with pytest.raises(KeyError, match="w"):
        a.add(2, rows=np.array([1, 2]), x=x, w=x)
    assert a.n == 8 and np.array_equal(a.x[:8], b.x[:8])


@pytest.mark.parametrize("compact", [True, False])
def test_free_empties_the_pool_and_it_can_be_filled_again(compact):
    """``free`` drops every member and column (a released model's pools); the pool is empty with
    its columns and dtypes, knows none of the old uids, and adding afterwards works as in a new
    pool (uids from 0 again)."""
    p = Pool({"x": (np.float64, 0.0), "z": (np.int32, -1)}, 8, compact=compact)
    p.add(5, x=np.arange(5.0))
    col = p.x
    p.free()
    assert p.n == p.capacity == 0 and p.x.size == p.z.size == p.alive.size == 0
    assert p.x.dtype == np.float64 and p.z.dtype == np.int32 and not np.shares_memory(col, p.x)
    assert p.slot_of(4) == -1
    slots = p.add(3, x=7.0)
    assert p.n == 3 and list(p.x[slots]) == [7.0] * 3 and list(p.uid[slots]) == [0, 1, 2]
    assert [p.slot_of(u) for u in range(3)] == list(slots)
