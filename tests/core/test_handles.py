"""Eager Mesa handles made and removed in bulk (sim.core.pool.MesaHandles) are exactly what Mesa's
public path makes, and the collector freeze of eager models (sim.core.memory) keeps memory flat."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

import mesa
import numpy as np
import pytest

import sim.core.pool as pool_mod
from sim.core.pool import MesaHandles, Pool, Pooled
from sim.model.zonemodel import ZoneModel

WORLD = "synthetic:4,600,3000"


def public_path(monkeypatch) -> None:
    monkeypatch.setattr(pool_mod, "mesa_bulk_ok", lambda model, cls: False)


def registries(model: mesa.Model) -> dict:
    """Everything Mesa knows about the model's agents, in Mesa's own orders."""
    return {
        "agents": [(type(a).__name__, a.unique_id, getattr(a, "uid", None), a.pos) for a in model.agents],
        "len": len(model.agents),
        "strong": [(type(a).__name__, a.unique_id) for a in model._agents],
        "by_type": {cls.__name__: [a.unique_id for a in s] for cls, s in model.agents_by_type.items()},
        "by_type_len": {cls.__name__: len(s) for cls, s in model.agents_by_type.items()},
        "attrs": sorted({tuple(vars(a)) for a in model.agents if isinstance(a, Pooled)}),
        "pools": [a.pool is getattr(model, {"Enterprise": "firms", "Talent": "talent", "Zone": "zones"}[
            type(a).__name__]) for a in model.agents if isinstance(a, Pooled)].count(False),
        "pooled": sum(isinstance(a, Pooled) for a in model.agents),
        "next_id": next(mesa.Agent._ids[model]),
    }


def run(years: int = 4) -> tuple[dict, list, object]:
    m = ZoneModel(world=WORLD, rng=7)
    for _ in range(years):
        m.step()
    return registries(m), m.results(), m


def test_the_bulk_path_is_on_with_mesa_3_3():
    """If a Mesa upgrade turns the bulk path off, this says so (the fallback is correct, only slower)."""
    m = ZoneModel(world=WORLD, rng=1, max_years=1)
    on = [m.firms._make_handles.__self__.bulk, m.talent._make_handles.__self__.bulk]
    if mesa.__version__.startswith("3.3."):
        assert on == [True, True]
    else:
        assert on in ([True, True], [False, False])


def test_bulk_and_public_paths_give_the_same_model(monkeypatch):
    bulk, bulk_table, m = run()
    assert m.firms._make_handles.__self__.bulk is True
    public_path(monkeypatch)
    public, public_table, m = run()
    assert m.firms._make_handles.__self__.bulk is False
    assert bulk == public
    assert bulk["pools"] == 0 and bulk["attrs"] == [("model", "unique_id", "pos", "pool", "uid")]
    assert bulk["pooled"] == m.firms.n + m.talent.n + m.zones.n  # every live member, no exited one
    assert bulk_table.equals(public_table)


# --------------------------------------------------------------------------- a toy model
class Thing(Pooled, mesa.Agent):
    def __init__(self, model, uid):
        super().__init__(model)
        self.pool = model.things
        self.uid = uid


class Other(mesa.Agent):
    pass


class Toy(mesa.Model):
    def __init__(self, bulk: bool, cls=Thing):
        super().__init__(rng=1)
        Other(self)
        self.handles = MesaHandles(self, cls, "things")
        if not bulk:
            self.handles.bulk = False
        h = self.handles
        self.things = Pool({"x": (np.float64, 0.0)}, 0, h.one, compact=True, make_handles=h.many,
                           drop_handles=h.drop)


def churn(model: Toy) -> list:
    """Adds and removes, with agents removed by hand (wholly or from one registry) before their
    member leaves: Agent.remove ignores what is gone, and the bulk path must too. Returns those
    agents (held, else the weak registries would forget them anyway)."""
    p = model.things
    p.add(1)
    p.add(40)
    p.remove(np.array([3, 5, 7]))
    h = p.handles
    held = [h[int(u)] for u in p.uid[:4]]
    held[0].remove()  # wholly removed by hand
    model.agents.remove(held[1])  # from model.agents only
    model.agents_by_type[Thing].remove(held[2])  # from its type's AgentSet only
    del model._agents[held[3]]  # from Mesa's strong references only
    p.add(5)
    p.remove(np.array([0, 1, 2, 3, 10, 11]))
    p.add(3)
    p.remove(np.arange(p.n)[::2])
    return held


def test_toy_bulk_matches_public_with_hand_removals():
    got = {}
    for bulk in (True, False):
        m = Toy(bulk)
        held = churn(m)
        assert m.handles.bulk is bulk
        got[bulk] = (registries_toy(m), sorted(m.things.handles), [a in m.agents for a in held])
    assert got[True] == got[False]
    assert got[True][2] == [False, False, True, True]  # Agent.remove left these in model.agents


def registries_toy(model: mesa.Model) -> dict:
    return {
        "agents": [(type(a).__name__, a.unique_id) for a in model.agents],
        "len": len(model.agents),
        "strong": [a.unique_id for a in model._agents],
        "by_type": {cls.__name__: [a.unique_id for a in s] for cls, s in model.agents_by_type.items()},
        "by_type_len": {cls.__name__: len(s) for cls, s in model.agents_by_type.items()},
        "next_id": next(mesa.Agent._ids[model]),
    }


def test_guards_fall_back_to_the_public_path():
    class Registers(Toy):
        def register_agent(self, agent):
            super().register_agent(agent)

    assert Registers(True).handles.bulk is False  # the model overrides Mesa's registration

    class Removes(Thing):
        def remove(self):
            super().remove()

    assert Toy(True, Removes).handles.bulk is False  # the agent overrides remove()

    class Extra(Thing):
        def __init__(self, model, uid):
            super().__init__(model, uid)
            self.more = 1

    m = Toy(True, Extra)
    m.things.add(3)
    assert m.handles.bulk is False  # the first agent showed an __init__ that sets more
    assert all(a.more == 1 for a in m.things.handles.values())


def test_mesa_debug_log_takes_the_public_path(caplog):
    m = Toy(True)
    m.things.add(1)
    with caplog.at_level(logging.DEBUG, logger=pool_mod._MESA_LOG.name):
        m.things.add(3)
        m.things.remove(np.array([0, 1]))
    assert sum("registered Thing" in r.getMessage() for r in caplog.records) == 3
    assert sum("deregistered" in r.getMessage() for r in caplog.records) == 2


def test_bulk_agents_have_one_weak_reference_for_both_agent_sets():
    """A bulk-made agent is keyed in its type's AgentSet and in model.agents by one weak reference
    (Mesa's path makes two): half the objects per agent (issue 19)."""
    import weakref

    m = Toy(True)
    m.things.add(1)  # the first, by the public path
    m.things.add(50)
    bulk = list(m.things.handles.values())[1:]
    assert len(bulk) == 50
    assert all(weakref.getweakrefcount(a) == 1 for a in bulk)
    of_type, every = m.agents_by_type[Thing]._agents.data, m.agents._agents.data
    assert all(k1 is k2 for k1, k2 in zip(list(of_type)[1:], list(every)[2:]))  # every: Other and the first first


def test_drop_looks_bulk_agents_up_by_the_registries_own_key():
    """Removal finds a bulk-made agent in both weak registries by the very reference they are keyed
    by (no twin made: issue 19, fortieth session), and an agent made by Mesa's path by one equal
    to its key."""
    import weakref

    m = Toy(True)
    m.things.add(1)
    m.things.add(20)
    agents = list(m.things.handles.values())
    refs = pool_mod._lookup_refs(agents)
    every = m.agents._agents.data
    keys = {id(k): k for k in every}
    assert all(id(r) in keys for r in refs[1:])  # the bulk-made ones: the key itself
    assert all(isinstance(r, weakref.ReferenceType) and r() is a for r, a in zip(refs, agents))
    assert refs[0] in every  # the first (Mesa's path): a reference equal to its key


@pytest.mark.parametrize("extra", ["proxy", "ref", "weak_value", "both_sets_by_hand"])
def test_drop_with_other_weak_references_matches_the_public_path(extra):
    """Agents someone else holds weak references to (a proxy, a plain reference, a
    WeakValueDictionary's), or that were taken out of both AgentSets by hand (no weak reference
    left), are removed exactly as Mesa's path removes them."""
    import weakref

    got = {}
    for bulk in (True, False):
        m = Toy(bulk)
        p = m.things
        p.add(1)
        p.add(30)
        chosen = [p.handles[int(u)] for u in p.uid[2:12]]
        keep = []
        if extra == "proxy":
            keep = [weakref.proxy(a) for a in chosen[::2]]
        elif extra == "ref":
            keep = [weakref.ref(a) for a in chosen]
        elif extra == "weak_value":
            keep = [weakref.WeakValueDictionary({a.unique_id: a for a in chosen})]
        else:
            for a in chosen[:3]:
                m.agents.remove(a)
                m.agents_by_type[Thing].remove(a)
            assert weakref.getweakrefcount(chosen[0]) == 0
        p.remove(np.arange(0, 14))
        p.add(4)
        p.remove(np.array([1, 3]))
        got[bulk] = (registries_toy(m), sorted(p.handles), [a in m.agents for a in chosen],
                     [a in m.agents_by_type[Thing] for a in chosen], [a in m._agents for a in chosen])
        del keep
    assert got[True] == got[False]
    assert not any(got[True][2]) and not any(got[True][3]) and not any(got[True][4])


def test_an_agent_that_dies_while_listed_leaves_both_agent_sets():
    """As with Mesa's own references: an agent deleted by hand from Mesa's strong references and
    then garbage leaves model.agents and its type's AgentSet (the shared reference's callback calls
    both dictionaries' removal), also when it was already taken out of one of them by hand."""
    import gc

    for bulk in (True, False):
        m = Toy(bulk)
        m.things.add(1)
        m.things.add(10)
        before = len(m.agents), len(m.agents_by_type[Thing])
        a, b = m.things.handles[3], m.things.handles[5]
        m.agents.remove(b)  # b: out of model.agents by hand first
        for x in (a, b):
            del m._agents[x]
        m.things.remove(np.array([3, 5]))  # their members leave: gone from the pool's handles too
        ids = {a.unique_id, b.unique_id}
        del a, b, x
        gc.collect()
        assert not ids & {g.unique_id for g in m.agents}, bulk
        assert not ids & {g.unique_id for g in m.agents_by_type[Thing]}, bulk
        assert (len(m.agents), len(m.agents_by_type[Thing])) == (before[0] - 2, before[1] - 2), bulk


def test_agent_sets_rebuilt_by_mesa_keep_bulk_and_public_paths_equal():
    """AgentSet.sort(inplace=True) and shuffle(inplace=True) give model.agents new keys (sort: a new
    dictionary with Mesa's own references); later bulk makes and drops still match the public path."""
    got = {}
    for bulk in (True, False):
        m = Toy(bulk)
        p = m.things
        p.add(1)
        p.add(20)
        m.agents.sort("unique_id", ascending=True, inplace=True)
        m.agents_by_type[Thing].shuffle(inplace=True)
        p.add(15)
        p.remove(np.array([0, 2, 4, 30, 33]))
        m.agents.shuffle(inplace=True)
        p.add(6)
        p.remove(np.arange(p.n)[::3])
        got[bulk] = (sorted(a.unique_id for a in m.agents), len(m.agents),
                     sorted(a.unique_id for a in m.agents_by_type[Thing]), len(m.agents_by_type[Thing]),
                     sorted(h.unique_id for h in p.handles.values()))
    assert got[True] == got[False]
    assert got[True][0] == sorted([*got[True][2], min(got[True][0])])  # Thing agents and the one Other


# --------------------------------------------------------------------------- the collector
GC_CHECK = textwrap.dedent("""
    import gc, weakref
    import sim.core.memory as memory
    from sim.experiments.runner import release
    from sim.model.zonemodel import ZoneModel

    W = "synthetic:3,300,1500"
    lazy = ZoneModel(world=W, rng=1, agent_handles="lazy")
    lazy.step()
    # a lazy model freezes only what was alive at the process's first model (freeze_long_lived)
    assert memory._BASE is True and gc.get_freeze_count() > 10_000 and not memory._FROZEN

    class Cycle:
        pass

    # a loop of eager models, each released: the heap is thawed and walked every THAW_EVERY-th release; at
    # most THAW_EVERY dead models wait meanwhile, frozen (right after a thaw, one: the one just released)
    assert memory.THAW_EVERY == 8 and memory.THAW_AGENTS == 1_000_000  # the documented pace
    memory.THAW_EVERY = 3
    alive = weakref.WeakSet()
    waiting = []
    for i in range(6):
        m = ZoneModel(world=W, rng=i)
        assert memory._FROZEN and gc.get_freeze_count() > 1000
        c = Cycle(); c.me = c; probe = weakref.ref(c); del c  # garbage made between two years
        m.step()
        assert probe() is None  # collected when the year began, not frozen with the model
        m.step()
        alive.add(m)
        release(m)
        del m
        waiting.append(len(alive))
        assert memory._FROZEN == (i % 3 != 2)  # thawed at the third and the sixth release
    assert waiting == [1, 2, 1, 2, 3, 1], waiting
    assert gc.get_freeze_count() == 0 and not memory._FROZEN  # the sixth release thawed everything
    assert memory._BASE is False  # the long-lived objects too (gc.unfreeze is all-or-nothing), not frozen again
    # or sooner, once the models released since held THAW_AGENTS agents
    memory.THAW_AGENTS = 1
    m = ZoneModel(world=W, rng=20)
    m.step()
    release(m)
    assert gc.get_freeze_count() == 0 and not memory._FROZEN
    memory.THAW_AGENTS = 1_000_000
    # or at once, asked
    m = ZoneModel(world=W, rng=21)
    release(m)
    assert memory._FROZEN and gc.get_freeze_count() > 1000  # not this release's turn
    assert memory.thaw(force=True) and gc.get_freeze_count() == 0 and not memory._FROZEN
    assert not memory.thaw(force=True)  # nothing frozen since
    # a model never released stays frozen (Mesa 3.3 keeps it anyway); a later release thaws it
    kept = ZoneModel(world=W, rng=9)
    kept.step()
    assert gc.get_freeze_count() > 1000
    for j in range(3):  # a lazy model's release counts too
        other = ZoneModel(world=W, rng=10 + j, agent_handles="lazy")
        release(other)
        assert (gc.get_freeze_count() == 0) == (j == 2)
    print("ok")
""")


def test_eager_models_freeze_and_release_thaws_in_a_loop():
    """In a fresh process (the freeze is process-wide)."""
    out = subprocess.run([sys.executable, "-c", GC_CHECK], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


ONE_WALK = textwrap.dedent("""
    import gc
    import sim.core.memory as memory
    from sim.experiments.runner import release
    from sim.model.zonemodel import ZoneModel

    calls = []

    class Counting:  # the collector as sim.core.memory calls it, its full collections counted
        def __getattr__(self, name):
            return getattr(gc, name)

        def collect(self, *args):
            calls.append(args)
            return gc.collect(*args)

    memory.gc = Counting()
    memory.THAW_EVERY = 1  # a thaw at every release (the pace itself: test_eager_models_freeze_...)
    W = "synthetic:3,300,1500"
    m = ZoneModel(world=W, rng=0)
    assert len(calls) == 1  # the first eager build collects what is not frozen yet
    m.step()
    assert len(calls) == 2  # each year collects what was made since the last freeze
    for i in range(3):
        release(m)
        assert len(calls) == 3 + 3 * i and memory._COLLECTED  # the thaw: everything unfrozen and collected
        m = ZoneModel(world=W, rng=i + 1)
        assert len(calls) == 3 + 3 * i and not memory._COLLECTED  # so the build right after does not walk it again
        assert memory._FROZEN and gc.get_freeze_count() > 1000
        m.step()
        m.step()
        assert len(calls) == 5 + 3 * i  # the years collect as before
    lazy = ZoneModel(world=W, rng=7, agent_handles="lazy")
    lazy.step()
    release(lazy)  # thaws the eager model's freeze
    assert len(calls) == 12 and memory._COLLECTED and gc.get_freeze_count() == 0
    other = ZoneModel(world=W, rng=8, agent_handles="lazy")
    release(other)  # nothing frozen to thaw, but a model released since: the next eager build collects first
    assert len(calls) == 12 and not memory._COLLECTED
    m = ZoneModel(world=W, rng=9)
    assert len(calls) == 13
    memory.THAW_EVERY = 2
    release(m)  # not this release's turn: no walk, the model waits frozen
    assert len(calls) == 13 and memory._FROZEN
    m = ZoneModel(world=W, rng=10)  # collects only what was made since the last freeze
    assert len(calls) == 14
    release(m)  # the second since the last thaw: thawed and walked
    assert len(calls) == 15 and memory._COLLECTED and not memory._FROZEN
    print("ok")
""")


def test_an_eager_build_right_after_a_release_does_not_collect_again():
    """In a fresh process: a release's thaw walks the heap once; the eager build after it skips its
    own first collection (garbage made in between is frozen and goes at the next release)."""
    out = subprocess.run([sys.executable, "-c", ONE_WALK], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


def test_drop_agents_lets_the_agents_go_by_reference_counting():
    """A finished model's Mesa agents die as soon as its registries let go (no collection needed:
    the collector is off here); the zones' agents, which the zones' pool still holds, stay."""
    import gc
    import weakref

    m = ZoneModel(world=WORLD, rng=2)
    m.step()
    firms = weakref.WeakSet(m.firms.handles.values())
    zones = list(m.zones.handles.values())
    assert len(firms) > 100 and len(m.agents) > len(firms)
    was = gc.isenabled()
    gc.disable()
    try:
        m.firms.free()
        m.talent.free()
        assert len(firms) > 100  # Mesa's registries still hold them
        assert pool_mod.drop_agents(m)
        assert len(firms) == 0 and len(m.agents) == 0 and all(len(s) == 0 for s in m.agents_by_type.values())
        # the registries' tables freed too (removing entry by entry keeps a dictionary's table at its largest)
        weak = [m._all_agents._agents, *(s._agents for s in m.agents_by_type.values())]
        assert all(sys.getsizeof(w.data) < 1000 for w in weak) and sys.getsizeof(m._agents) < 1000
        assert all(z.model is m for z in zones)
    finally:
        if was:
            gc.enable()
    assert not pool_mod.drop_agents(object())  # not a Mesa model: nothing done


@pytest.mark.parametrize("handles", ["eager", "lazy"])
def test_results_identical_with_the_collector_freeze_off(monkeypatch, handles):
    from sim.core import memory

    a = ZoneModel(world=WORLD, rng=3, agent_handles=handles, max_years=3)
    a.run_model()
    monkeypatch.setattr(memory, "_mesa_keeps_models", lambda: False)
    b = ZoneModel(world=WORLD, rng=3, agent_handles=handles, max_years=3)
    b.run_model()
    assert a.results().equals(b.results())


@pytest.mark.slow
def test_ab_eager_script_runs_and_checks_identity():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(root / "benchmarks" / "ab_eager.py"), "--repeats", "1", "--years", "2",
                          "--world", "synthetic:3,300,1500"], capture_output=True, text=True, timeout=900, cwd=root,
                         check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "results and agents identical" in out.stdout and "after" in out.stdout
