"""Issue 19: technology finance's loan book lookup, reused between the budget's plan and the
year's lending only while its inputs are unchanged."""

from __future__ import annotations

import numpy as np

from sim.core.keys import isin_keys
from sim.model.zonemodel import ZoneModel

from .conftest import build


def test_tech_finance_running_loans_are_reused_only_while_their_inputs_are_unchanged(world):
    lever = build("tech_finance", term=3)
    m = ZoneModel(world=world, levers=[lever], rng=3, agent_handles="lazy")
    for _ in range(3):
        m.step()
    f, L = m.firms, m.firms.n

    def direct():
        return isin_keys(f.key[:L], lever.keys[lever.year > m.steps - lever.settings.term])

    first = lever._has_loan(m)
    assert first.any() and not first.all() and np.array_equal(first, direct())
    assert lever._has_loan(m) is first  # same inputs: not recomputed
    # keys moved between slots (an exit filled from the end of the block)
    a, b = np.flatnonzero(first)[0], np.flatnonzero(~first)[0]
    f.key[[a, b]] = f.key[[b, a]]
    got = lever._has_loan(m)
    assert got is not first and np.array_equal(got, direct()) and not got[a] and got[b]
    f.key[[a, b]] = f.key[[b, a]]
    # another year: loans granted three years ago stop running
    assert np.array_equal(lever._has_loan(m), first)
    m.steps += 1
    assert np.array_equal(lever._has_loan(m), direct())
    m.steps -= 1
    # a new loan book (start_year replaces it)
    lever.keys, lever.year = lever.keys[:0], lever.year[:0]
    assert not lever._has_loan(m).any()
