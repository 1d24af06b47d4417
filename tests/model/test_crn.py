"""Common random numbers at the model level (issue 14): every draw comes from a keyed stream,
no draw bypasses the streams, draws do not depend on other agents, and a minuscule lever change
moves the outcome by a minuscule amount. (A do-nothing package is bit-identical to the baseline:
tests/policies/test_packages.py; 1 and 2 workers and Dask byte-identical: tests/test_sweep.py,
tests/test_distributed.py.)"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from sim.core.keys import check_unique
from sim.core.streams import Streams
from sim.model.plan import BUILD_STREAMS, PLAN, STREAMS
from sim.model.zonemodel import ZoneModel
from sim.scenario.packages import load_package


class Recorder:
    """Wraps ``model.streams.bits`` (every draw goes through it): (stream, year, draw, key) ->
    bits, and which streams each stage used."""

    def __init__(self, streams: Streams) -> None:
        self.values: dict[tuple[str, int, int], dict[int, int]] = defaultdict(dict)
        self.used: dict[str, set[str]] = defaultdict(set)
        self.stage = "setup"
        inner = streams.bits

        def bits(name, year, keys, draw=0):
            out = inner(name, year, keys, draw)
            names, rows = ([name], [out]) if isinstance(name, str) else (list(name), list(out))
            for n, o in zip(names, rows):
                self.used[self.stage].add(n)
                self.values[(n, int(year), int(draw))].update(zip(np.atleast_1d(keys).tolist(), np.atleast_1d(o).tolist()))
            return out

        streams.bits = bits


def recorded_model(world, seed: int, levers=(), recorder: Recorder | None = None) -> tuple[ZoneModel, Recorder]:
    """A model whose draws are recorded from construction on (Streams patched before populate)."""
    real_init = Streams.__init__
    rec: list[Recorder] = []

    def init(self, *a, **k):
        real_init(self, *a, **k)
        rec.append(Recorder(self))

    Streams.__init__ = init
    try:
        m = ZoneModel(world=world, levers=list(levers), rng=seed, agent_handles="lazy")
    finally:
        Streams.__init__ = real_init
    r = rec[0]
    for i, st in enumerate(PLAN):  # attribute each draw to the stage that makes it
        run = m._stages[i]

        def staged(run=run, name=st.name):
            r.stage = name
            run()
        m._stages[i] = staged
    return m, r


def test_the_model_never_draws_from_mesas_generators(world):
    """Tripwire: Mesa's model.rng and model.random are untouched by construction and by three
    years of the full package (every lever), so no draw bypasses the keyed streams."""
    m = ZoneModel(world=world, levers=load_package("guangxi-23").build(), rng=7)
    fresh = np.random.default_rng(7)
    assert m.rng.bit_generator.state == fresh.bit_generator.state
    before = m.random.getstate()
    for _ in range(3):
        m.step()
    _ = list(m.enterprises)[:3], m.zone_agents
    assert m.rng.bit_generator.state == fresh.bit_generator.state
    assert m.random.getstate() == before


def test_every_stage_draws_only_from_the_streams_it_declares(world):
    m, rec = recorded_model(world, 5, load_package("guangxi-23").build())
    assert rec.used["setup"] <= set(BUILD_STREAMS)  # the initial population and the spin-up
    for _ in range(3):
        m.step()
    for st in PLAN:
        assert rec.used.get(st.name, set()) <= set(st.streams), st.name
    used = set().union(*rec.used.values())
    assert used == set(STREAMS)  # and every declared stream is used: none is stale


def test_run_seeds_for_every_kind_of_rng(world):
    def seed(rng):
        return ZoneModel(world=world, rng=rng, agent_handles="lazy", max_years=1).streams.seed

    assert seed(3) == 3 and seed(np.int64(3)) == 3
    ss = np.random.SeedSequence(9)
    assert seed(ss) is ss
    ref = np.random.default_rng(4)
    ref.integers(np.iinfo(np.int32).max)  # Mesa seeds model.random with one draw of a Generator
    assert seed(np.random.default_rng(4)) == int(ref.integers(2**63))  # then the streams take one
    assert isinstance(seed(None), np.random.SeedSequence)


def test_keys_are_permanent_and_unique(world):
    m = ZoneModel(world=world, rng=2, agent_handles="lazy")
    f, t = m.firms, m.talent
    key_of = dict(zip(f.uid[:f.n].tolist(), f.key[:f.n].tolist()))
    for _ in range(4):
        m.step()
    assert check_unique(f.key[:f.n]) and check_unique(t.key[:t.n])
    assert (f.key[:f.n] != 0).all() and (t.key[:t.n] != 0).all() and f.key.dtype == np.uint64
    still = [u for u in f.uid[:f.n].tolist() if u in key_of]  # survivors kept their key through compaction
    assert len(still) > 20_000
    assert all(key_of[u] == k for u, k in zip(f.uid[:f.n].tolist(), f.key[:f.n].tolist()) if u in key_of)
    assert m.firms.handle(0).key == int(f.key[0])


def test_removing_one_firm_leaves_every_other_draw_of_the_year_unchanged(world):
    """One firm (one employee) closes after year 1 in one of two runs on the same seed: every
    (stream, year, key) drawn in both runs has the same value, and in year 2 every other firm
    draws its innovation, productivity shock and exit, exactly as in the run with the firm."""
    a, ra = recorded_model(world, 11)
    b, rb = recorded_model(world, 11)
    a.step()
    b.step()
    f = b.firms
    small = int(np.flatnonzero(f.employees[:f.n] <= 1.0)[0])
    gone_key = int(f.key[small])
    b._remove_firms(np.array([small]))
    a.step()
    b.step()
    common = set(ra.values) & set(rb.values)
    assert {("firm.innovate", 2, 0), ("firm.exit", 2, 0), ("hire.firm", 2, 0)} <= common
    differ = 0
    for sk in common:
        va, vb = ra.values[sk], rb.values[sk]
        differ += sum(va[k] != vb[k] for k in va.keys() & vb.keys())
    assert differ == 0
    for stream in ("firm.innovate", "firm.tfp_shock", "firm.exit"):  # drawn by every live firm
        ka, kb = set(ra.values[(stream, 2, 0)]), set(rb.values[(stream, 2, 0)])
        assert ka - kb == {gone_key} and kb <= ka


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_reward_of_a_few_thousand_yuan_moves_2041_output_negligibly(world, tmp_path, seed):
    """Paired runs: a package paying CNY 5,000 of rewards a year changes final-year region output
    by a negligible amount (before keyed streams, the first divergent draw gave an unrelated run:
    differences of the order of the seed noise, several per cent)."""
    f = tmp_path / "tiny.yaml"
    f.write_text("""name: tiny-reward
extends: baseline
levers:
  funding_reward:
    budget: 0.005
    tiers:
      - {level: national, rule: top, count: 1, amount: 0.005}
""")
    tiny = load_package(f)
    base = ZoneModel(world=world, rng=seed, agent_handles="lazy")
    pkg = ZoneModel(world=world, levers=tiny.build(), rng=seed, agent_handles="lazy")
    for _ in range(20):
        base.step()
        pkg.step()
    assert pkg.flows["rewards"].sum() > 0  # the lever acted
    out_b = base.recorder.region_latest["output"]
    out_p = pkg.recorder.region_latest["output"]
    assert abs(out_p / out_b - 1.0) < 1e-6  # measured: ~1.5e-9 on seeds 1-5
