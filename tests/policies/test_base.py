"""The hooks' money booking (issue 19): one sum of the paid flows per lever, the next lever's
"before" being this one's "after", books what booking each lever's call on its own did."""

from __future__ import annotations

from contextlib import contextmanager

from sim.model.zonemodel import ZoneModel
from sim.policies.base import Hooks
from sim.scenario.packages import load_package


class TwoSumHooks(Hooks):
    """The booking as it was before issue 19: both sums taken around every lever's call."""

    @contextmanager
    def _booking(self, model, lever):
        fl = model.flows
        before = float(fl["transfers"].sum() + fl["region_support"].sum())
        yield
        model.government.budget.book(lever.name, float(fl["transfers"].sum() + fl["region_support"].sum()) - before)

    def _booked(self, model, hook):
        for lever in self._acting(hook):
            with self._booking(model, lever):
                getattr(lever, hook)(model)


def test_one_sum_per_lever_books_the_same_amounts_as_two(world):
    pkg = load_package("guangxi-23")
    runs = []
    for hooks in (Hooks, TwoSumHooks):
        m = ZoneModel(world=world, levers=pkg.build(), rng=2, agent_handles="lazy")
        m.hooks = hooks(m.levers)
        booked = []
        close = m.government.budget.close_year

        def record(model, levers, close=close, booked=booked):
            booked.append(dict(model.government.budget.booked))
            close(model, levers)

        m.government.budget.close_year = record
        for _ in range(3):
            m.step()
        runs.append(booked)
    assert len(runs[0]) == 3 and sum(v != 0 for v in runs[0][-1].values()) >= 5
    assert runs[0] == runs[1]  # the same floats, lever by lever and year by year


def test_exit_hook_asks_for_the_live_firms_only_when_a_lever_acts(world):
    """The levers' exit factor over every live firm: the slots are asked for only when a lever
    overrides the hook (a baseline year does not build them), and given slots are used as given."""
    import numpy as np

    m = ZoneModel(world=world, rng=3, agent_handles="lazy")
    asked = []
    live = m.live_firms

    def counted():
        asked.append(1)
        return live()

    m.live_firms = counted
    assert m.hooks.exit_multiplier(m) == 1.0 and not asked
    m.step()
    assert not asked  # a baseline year: no lever, no slots
    pkg = load_package("guangxi-23")
    g = ZoneModel(world=world, levers=pkg.build(), rng=3, agent_handles="lazy")
    from sim.policies.delisting import DELISTED

    g.zones.level[:2] = DELISTED  # two zones delisted: their firms' factor is the lever's
    glive = g.live_firms()
    g.live_firms = lambda: (asked.append(1), glive)[1]
    got = g.hooks.exit_multiplier(g)
    assert asked == [1]
    want = g.hooks.exit_multiplier(g, glive)
    assert asked == [1] and np.array_equal(got, want)
    assert isinstance(got, np.ndarray) and got.shape == glive.shape and (got > 1.0).any() and (got == 1.0).any()
