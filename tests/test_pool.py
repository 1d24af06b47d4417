from __future__ import annotations

import numpy as np

from sim.core.pool import Pool


def test_add_reuses_lowest_free_slots_and_grows():
    made = []
    p = Pool({"x": (np.float64, 0.0)}, 4, lambda slots: made.extend(slots) or [object() for _ in slots])
    a = p.add(3, x=np.array([1.0, 2.0, 3.0]))
    assert list(a) == [0, 1, 2] and p.n == 3
    p.remove(np.array([1]))
    assert list(p.live()) == [0, 2]
    b = p.add(3, x=7.0)
    assert list(b) == [1, 3, 4]  # slot 1 reused, then grown
    assert p.capacity >= 5 and len(p.handles) == p.capacity == len(made)
    assert list(p.uid[p.live()]) == [0, 3, 2, 4, 5]
    assert p.x[4] == 7.0


def test_live_is_cached_and_invalidated():
    p = Pool({"x": (np.float64, 0.0)}, 2)
    p.add(2)
    first = p.live()
    assert p.live() is first
    p.remove(np.array([0]))
    assert list(p.live()) == [1]


def test_lazy_pool_makes_handles_on_first_use():
    made = []
    p = Pool({"x": (np.float64, 0.0)}, 4, lambda slots: [made.append(int(s)) or f"h{int(s)}" for s in slots],
             lazy=True)
    p.add(3)
    assert made == [] and p.handles == [None] * 4
    assert p.handle(2) == "h2" and p.handle(2) == "h2" and made == [2]


class Handle:
    def __init__(self, box, hid):
        self.box, self.hid = box, hid  # box: [pool], filled once the pool exists

    @property
    def slot(self):
        return self.box[0].slot_of(self.hid)


def compact_pool(capacity=4, lazy=False):
    made, box = [], []

    def make(hids):
        made.extend(int(h) for h in hids)
        return [Handle(box, int(h)) for h in hids]

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
    assert not p.alive[closed.slot] and p.x[closed.slot] == 1.0  # parked on a free slot, own values ...
    new = p.add(1, x=7.0)
    assert p.handle(int(new[0])) is closed and p.uid[closed.slot] == 5  # ... and reused by an entrant
    assert len(made) == 8  # eager: one handle per slot, none made on the way


def test_compact_pool_remove_everything_and_nothing():
    p, _ = compact_pool()
    p.add(3)
    assert [a.size for a in p.remove(np.array([], dtype=np.int64))] == [0, 0]
    p.remove(np.array([0, 1, 2]))
    assert p.n == 0 and not p.alive.any() and p.live().size == 0


def test_compact_pool_matches_a_reference_under_random_churn():
    """Whatever is added and removed, the live block holds exactly the live members' values."""
    rng = np.random.default_rng(0)
    p, _ = compact_pool(2, lazy=True)
    ref: dict[int, float] = {}
    for _ in range(200):
        k = int(rng.integers(0, 5))
        vals = rng.random(k)
        slots = p.add(k, x=vals)
        ref.update(zip(p.uid[slots].tolist(), vals.tolist()))
        gone = np.flatnonzero(rng.random(p.n) < 0.3)
        for u in p.uid[gone]:
            del ref[int(u)]
        p.remove(gone)
        assert p.n == len(ref)
        assert dict(zip(p.uid[:p.n].tolist(), p.x[:p.n].tolist())) == ref
        assert p.alive[:p.n].all() and not p.alive[p.n:].any()
        assert (p._slot[p.hid[:p.capacity]] == np.arange(p.capacity)).all()
