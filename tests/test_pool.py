from __future__ import annotations

import numpy as np

from sim.pool import Pool


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
