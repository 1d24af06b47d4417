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


def test_green_development_upgraded_firms_are_looked_up_once_between_years(world, monkeypatch):
    import sim.policies.environment as env

    lever = build("green_development")
    m = ZoneModel(world=world, levers=[lever], rng=3, agent_handles="lazy")
    for _ in range(2):
        m.step()
    f, L = m.firms, m.firms.n
    first = lever._upgraded(m)
    assert first.any() and np.array_equal(first, isin_keys(f.key[:L], lever.done))
    calls = []
    monkeypatch.setattr(env, "isin_keys", lambda q, t: calls.append(1) or isin_keys(q, t))
    assert lever._upgraded(m) is first and not calls  # end_year's answer, reused
    a, b = np.flatnonzero(first)[0], np.flatnonzero(~first)[0]
    f.key[[a, b]] = f.key[[b, a]]  # keys moved between slots: looked up again
    got = lever._upgraded(m)
    assert calls and np.array_equal(got, isin_keys(f.key[:L], lever.done)) and not got[a] and got[b]
    f.key[[a, b]] = f.key[[b, a]]
    lever.done = lever.done[:0]  # a new record of upgraded firms
    assert not lever._upgraded(m).any()
    # energy use from the mask is energy use from the keys
    lever.done = f.key[np.flatnonzero(first)]
    assert env.energy_use(m, saving=0.15, upgraded=lever._upgraded(m)).tobytes() == \
        env.energy_use(m, lever.done, 0.15).tobytes()


def test_tech_finance_eligible_firms_are_those_of_the_direct_rule(world):
    lever = build("tech_finance", term=2, min_margin=0.02)
    m = ZoneModel(world=world, levers=[lever], rng=4, agent_handles="lazy")
    for _ in range(3):
        m.step()
        f, s, L = m.firms, lever.settings, m.firms.n
        margin = f.profit[:L] / np.maximum(f.output[:L], 1e-9)
        ok = lever.mask(m)[f.zone[:L]] & (f.output[:L] > 0) & (margin > s.min_margin)
        ok &= (f.rd_share[:L] >= m.params.hightech_rd_threshold) | f.hightech[:L]
        ok &= ~isin_keys(f.key[:L], lever.keys[lever.year > m.steps - s.term])
        want = np.flatnonzero(ok)
        got = lever.eligible(m)
        assert want.size > 0 and np.array_equal(got, want)
        assert (margin[f.output[:L] > 0] <= s.min_margin).any()  # the margin test has firms to exclude


def test_energy_use_is_the_direct_formula(world):
    from sim.policies.environment import ENERGY_INTENSITY, energy_use

    m = ZoneModel(world=world, rng=2, agent_handles="lazy")
    m.step()
    f, L = m.firms, m.firms.n
    done = f.key[: L : 7]
    use = f.output[:L] * 100.0 * ENERGY_INTENSITY[f.sector[:L]] / 1e6
    for keys, saving in ((None, 0.0), (done, 0.15), (done[:0], 0.3)):
        u = use if keys is None or not keys.size else np.where(isin_keys(f.key[:L], keys), use * (1.0 - saving), use)
        want = np.bincount(f.zone[:L], weights=u, minlength=m.n_zone_slots)
        assert energy_use(m, keys, saving).tobytes() == want.tobytes()
