"""sim/model/spinup.py: a start copied from the cache is the start built afresh, bit for bit."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiments.runner import simulate
from sim.model import initial, spinup
from sim.model.spinup import SpinupCache, SpunUp, fingerprint
from sim.model.zonemodel import ZoneModel
from sim.scenario.packages import load_package
from sim.scenario.world import PACKAGES, load_world

from .state import assert_same_state

BUNDLED = sorted(p.stem for p in Path(PACKAGES).glob("*.yaml"))
YEARS = 8  # every bundled package's levers act within it (check_horizon)


def _model(world, package, seed, cache=None, handles="lazy"):
    return ZoneModel(world=world, levers=load_package(package).build(), rng=seed, agent_handles=handles,
                     spinup_cache=cache)


def _arrays(model):
    """Every array the restore copied (pools, committees, model attributes)."""
    out = [getattr(model, k) for k in vars(model) if type(getattr(model, k)) is np.ndarray]
    for obj in (model.zones, model.firms, model.talent, model.committees):
        out += [v for v in vars(obj).values() if type(v) is np.ndarray]
    out += [v for v in model.flows.values() if type(v) is np.ndarray]
    return out


@pytest.fixture(scope="module")
def cache():
    return SpinupCache()


@pytest.mark.parametrize("package", BUNDLED)
def test_every_package_runs_the_same_from_a_copied_start(world, cache, package):
    """For every bundled package and two seeds: the model built from the cache (the start stored
    by the first package's run on the seed in this process) equals the model built afresh in every
    attribute after construction and after YEARS years (pools, committees, government, levers,
    Mesa's registries, random states), its results table is the same bit for bit, and the model
    that stored the start equals a fresh one too."""
    load_package(package).check_horizon(YEARS)
    for seed in (7, 20210):
        fresh = _model(world, package, seed)
        if cache.key(world, seed, "lazy") not in cache:  # this worker's first run on the seed: it stores the start
            assert_same_state(fresh, _model(world, package, seed, cache))
        hits = cache.hits
        cached = _model(world, package, seed, cache)
        assert cache.hits == hits + 1
        assert_same_state(fresh, cached)
        snap = cache.entry(cache.key(world, seed, "lazy"))
        stored = _arrays_of_snapshot(snap)
        assert not any(np.shares_memory(a, b) for a in _arrays(cached) for b in stored), "restore must copy"
        for _ in range(YEARS):
            fresh.step()
            cached.step()
        assert_same_state(fresh, cached)
        pd.testing.assert_frame_equal(fresh.results(), cached.results(), check_exact=True)


def _arrays_of_snapshot(snap: SpunUp) -> list[np.ndarray]:
    return spinup._arrays([snap.model_state, snap.pools, snap.committees, snap.streams], [])


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 20210])
def test_every_package_20_years_cache_on_equals_off(world, seed):
    """The run path (runner.simulate) with the cache on and off, every bundled package, 20 years."""
    cache = SpinupCache()
    for package in BUNDLED:
        pkg = load_package(package)
        off = simulate(world, pkg, None, seed, 20, spinup_cache=False)
        on = simulate(world, pkg, None, seed, 20, spinup_cache=cache)
        pd.testing.assert_frame_equal(off, on, check_exact=True)
    assert cache.hits == len(BUNDLED) - 1


def test_a_parameter_override_is_its_own_start(world):
    """An override changes the key (another start), and its cached runs equal the uncached ones."""
    cache = SpinupCache()
    params = {"agglomeration_elasticity": 0.05}
    for package in ("baseline", "funding-reward"):
        pkg = load_package(package)
        off = simulate(world, pkg, params, 3, 4, spinup_cache=False)
        on = simulate(world, pkg, params, 3, 4, spinup_cache=cache)
        pd.testing.assert_frame_equal(off, on, check_exact=True)
    assert (cache.hits, cache.misses, len(cache)) == (1, 1, 1)
    simulate(world, load_package("baseline"), None, 3, 4, spinup_cache=cache)
    assert (cache.hits, cache.misses, len(cache)) == (1, 2, 2)
    # a lever setting does not touch the start: a hit
    simulate(world, load_package("baseline"), {"funding_reward.budget": 12.0}, 3, 4, spinup_cache=cache)
    assert cache.hits == 2


def test_the_key_is_the_content_of_world_params_seed_and_handles(world):
    """A key holds the world's content without its parameters, the seed, the handle mode, and every
    parameter's value (a copy is matched by the values its build read)."""
    c = SpinupCache()
    key = c.key(world, 5, "lazy")
    assert c.key(load_world("guangxi"), 5, "lazy") == key  # another object, the same content
    assert c.key(world.with_params(spinup_years=7), 5, "lazy") != key
    assert c.key(world.with_params(agglomeration_elasticity=world.params.agglomeration_elasticity + 1e-12),
                 5, "lazy") != key
    assert c.key(world, 6, "lazy") != key
    assert c.key(world, 5, "eager") != key
    assert c.key(load_world("synthetic:3,40,300"), 5, "lazy") != key
    # the zone table's citations are read by no build: another citation, the same start; a zone row's
    # figure is read
    cell = next(iter(world.sources))
    assert c.key(dataclasses.replace(world, sources={**world.sources, cell: "estimate: another way"}), 5,
                 "lazy") == key
    row = world.zones[0].model_copy(update={"firms": world.zones[0].firms + 1})
    assert c.key(dataclasses.replace(world, zones=(row, *world.zones[1:])), 5, "lazy") != key
    # seeds that are not plain integers are not cached
    assert c.key(world, np.random.default_rng(5), "lazy") is None
    assert c.key(world, None, "lazy") is None
    assert c.key(world, True, "lazy") is None
    assert fingerprint(0.0) != fingerprint(-0.0) and fingerprint((1,)) != fingerprint([1])
    assert fingerprint({"a": 1, "b": 2}) == fingerprint({"b": 2, "a": 1})


def test_the_encoders_fast_paths_write_what_the_general_branches_write(world):
    """``_encode``'s exact-type paths (strings, floats, tuples, pydantic models) write the same bytes
    as ``_encode_other``'s general branches; subclasses and other types take the general ones."""
    from enum import IntEnum

    class Level(IntEnum):
        A = 1

    values = ["", "é" * 40, "\ud800", 0.0, -0.0, 1.5, float("inf"), float("nan"), (), (1, "x", (2.0,)),
              tuple(range(12)), world.zones[0], world.anchors[0], world.params, world.with_params(beta_wage=2.0).params,
              True, 3, Level.A, np.float64(2.5), np.arange(3), [1.0, "a"], {("z", "c"): "s"}, None]
    for v in values:
        fast, general = [], []
        spinup._encode(v, fast)
        spinup._encode_other(v, general)
        assert b"".join(fast) == b"".join(general), v
    assert not spinup._plain_model(bool) and not spinup._plain_model(Level) and spinup._plain_model(type(world.params))
    assert fingerprint(world) == fingerprint(load_world("guangxi"))


def test_a_different_world_params_or_seed_misses(world):
    c = SpinupCache()
    small = load_world("synthetic:3,40,300")
    ZoneModel(world=small, rng=1, agent_handles="lazy", spinup_cache=c)
    ZoneModel(world=small, rng=2, agent_handles="lazy", spinup_cache=c)
    ZoneModel(world=small, rng=1, agent_handles="lazy", spinup_cache=c, spinup_years=4)
    ZoneModel(world=load_world("synthetic:4,40,300"), rng=1, agent_handles="lazy", spinup_cache=c)
    assert (c.hits, c.misses, len(c)) == (0, 4, 4)
    ZoneModel(world=small, rng=1, agent_handles="lazy", spinup_cache=c, spinup_years=4)
    assert c.hits == 1


def test_the_cache_is_bounded_in_entries_and_bytes():
    small = load_world("synthetic:3,40,300")
    c = SpinupCache(max_entries=2)
    for seed in (1, 2, 3):
        ZoneModel(world=small, rng=seed, agent_handles="lazy", spinup_cache=c)
    assert len(c) == 2 and c.key(small, 1, "lazy") not in c  # the least recently used went
    ZoneModel(world=small, rng=2, agent_handles="lazy", spinup_cache=c)  # a hit: 2 is now the newest
    ZoneModel(world=small, rng=4, agent_handles="lazy", spinup_cache=c)
    assert c.key(small, 2, "lazy") in c and c.key(small, 3, "lazy") not in c
    one = next(iter(c._entries.values())).nbytes
    assert one > 0
    c = SpinupCache(max_entries=8, max_bytes=int(2.5 * one))
    for seed in range(1, 6):
        ZoneModel(world=small, rng=seed, agent_handles="lazy", spinup_cache=c)
        assert c.nbytes <= c.max_bytes and 1 <= len(c) <= 3 and c.key(small, seed, "lazy") in c
    # a copy larger than the bound is not kept (copies differ in size by seed: a compact pool's
    # live block is copied, not its room)
    own = SpinupCache()
    ZoneModel(world=small, rng=1, agent_handles="lazy", spinup_cache=own)
    c = SpinupCache(max_bytes=own.nbytes - 1)
    ZoneModel(world=small, rng=1, agent_handles="lazy", spinup_cache=c)
    assert len(c) == 0


def test_switching_it_off(world, monkeypatch):
    """ZONESIM_SPINUP_CACHE=0 and spinup_cache=False leave the process cache alone; an eager model
    and a model built without a cache never use one."""
    small = load_world("synthetic:3,40,300")
    proc = spinup.process_cache()
    before = (proc.hits, proc.misses, len(proc))
    monkeypatch.setenv("ZONESIM_SPINUP_CACHE", "0")
    assert not spinup.enabled()
    simulate(small, None, None, 11, 1)
    simulate(small, None, None, 11, 1)
    monkeypatch.setenv("ZONESIM_SPINUP_CACHE", "1")
    assert spinup.enabled()
    simulate(small, None, None, 11, 1, spinup_cache=False)
    assert (proc.hits, proc.misses, len(proc)) == before
    simulate(small, None, None, 11, 1)
    assert proc.misses == before[1] + 1
    c = SpinupCache()
    ZoneModel(world=small, rng=1, agent_handles="eager", spinup_cache=c)
    ZoneModel(world=small, rng=1, agent_handles="eager", spinup_cache=c)
    assert (c.hits, c.misses, len(c)) == (0, 0, 0)


def test_what_the_build_adds_is_captured_without_being_listed(monkeypatch):
    """Capture by exclusion: an attribute the build sets (of a type the copier knows) is copied
    and restored; one it cannot copy, or a Mesa agent the build makes, refuses the capture (the
    run builds its own start, correctly)."""
    small = load_world("synthetic:3,40,300")
    real = initial.spin_up

    def with_extra(model, rows, anchors=()):
        real(model, rows, anchors)
        model.extra = {"a": np.arange(3.0), "b": [1, (2.0, "x")]}

    monkeypatch.setattr("sim.model.zonemodel.spin_up", with_extra)
    c = SpinupCache()
    fresh = ZoneModel(world=small, rng=1, agent_handles="lazy")
    ZoneModel(world=small, rng=1, agent_handles="lazy", spinup_cache=c)
    cached = ZoneModel(world=small, rng=1, agent_handles="lazy", spinup_cache=c)
    assert c.hits == 1 and cached.extra is not fresh.extra
    assert_same_state(fresh, cached)

    for odd in (lambda m: setattr(m, "extra", object()),  # a type the copier does not know
                lambda m: m.firms.handle(0),  # a firm's Mesa agent made during the build
                lambda m: setattr(m, "extra", m.firms.tfp[:5]),  # an array sharing memory with a column
                # a parameter object (the recording copy or the world's) would carry one run's values
                # into another's
                lambda m: setattr(m, "kept", m.params), lambda m: setattr(m, "kept", {"p": m.world.params}),
                lambda m: setattr(m.committees, "kept", [m.params])):
        def build(model, rows, anchors=(), _odd=odd):
            real(model, rows, anchors)
            _odd(model)

        monkeypatch.setattr("sim.model.zonemodel.spin_up", build)
        c = SpinupCache()
        ZoneModel(world=small, rng=1, agent_handles="lazy", spinup_cache=c)
        assert (len(c), c.refused) == (0, 1)


def test_the_comparison_bites(world):
    """The whole-state comparison notices an attribute the restore forgot, a changed bit and an
    array shared with the cache."""
    c = SpinupCache()
    fresh = ZoneModel(world=world, rng=4, agent_handles="lazy")
    ZoneModel(world=world, rng=4, agent_handles="lazy", spinup_cache=c)
    snap = next(iter(c._entries.values()))
    cached = ZoneModel(world=world, rng=4, agent_handles="lazy", spinup_cache=c)
    cached.firms.tfp[5] = np.nextafter(cached.firms.tfp[5], 2.0)
    with pytest.raises(AssertionError, match="model.firms.tfp"):
        assert_same_state(fresh, cached)
    del snap.model_state["job_odds"]  # as if the capture had missed it: the fresh model's ones stay
    with pytest.raises(AssertionError, match="model.job_odds"):
        assert_same_state(fresh, ZoneModel(world=world, rng=4, agent_handles="lazy", spinup_cache=c))
    other = ZoneModel(world=world, rng=4, agent_handles="lazy")
    other.distance = fresh.distance
    with pytest.raises(AssertionError, match="shared state"):
        assert_same_state(fresh, other)


@pytest.mark.parametrize(("var", "value", "allowed"), [
    ("ZONESIM_SPINUP_CACHE", "maybe", "1, on, true, yes (the default) or 0, off, false, no"),
    ("ZONESIM_SPINUP_CACHE_MB", "abc", "a whole number of MiB, 0 or more"),
    ("ZONESIM_SPINUP_CACHE_MB", "-5", "a whole number of MiB, 0 or more"),
    ("ZONESIM_SPINUP_CACHE_MB", "²", "a whole number of MiB, 0 or more"),  # a digit to str.isdigit, not to int()
])
def test_bad_environment_switch_is_one_line_exit_2_and_nothing_written(monkeypatch, refused_before_writing, var, value,
                                                                       allowed):
    """A spin-up cache switch with a value it does not allow stops the command before it writes
    anything (earlier results untouched), with one line naming the variable and what is allowed;
    the library raises the same InputError."""
    from sim.core.errors import InputError

    monkeypatch.setenv(var, value)
    monkeypatch.setattr(spinup, "_PROCESS", None)
    refused_before_writing(var, repr(value), allowed)
    with pytest.raises(InputError, match=var):
        spinup.check_env()


@pytest.mark.parametrize(("switch", "mb", "want"), [("", "", (True, 256)), ("off", "0", (False, 0)),
                                                   (" Yes ", "64", (True, 64)), ("0", "1024", (False, 1024))])
def test_environment_switches_allowed_values(monkeypatch, switch, mb, want):
    for var, value in (("ZONESIM_SPINUP_CACHE", switch), ("ZONESIM_SPINUP_CACHE_MB", mb)):
        if value:
            monkeypatch.setenv(var, value)
        else:
            monkeypatch.delenv(var, raising=False)
    assert spinup.check_env() == want
    assert spinup.enabled() is want[0]


# ------------------------------------------------------------------------------------------
# keyed by the parameters the build reads
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(spinup.UNREAD_BY_BUILD))
def test_a_parameter_the_build_does_not_read_shares_the_start(world, name):
    """A model whose parameters differ from a cached start's only in one the build does not read
    takes that start, and is then the model built afresh with its own parameters, in every
    attribute after construction and after YEARS years (results bit for bit)."""
    from sim.core.params import Params

    field = Params.model_fields[name]
    value = getattr(world.params, name)
    other = _other_value(field, value)
    c = SpinupCache()
    ZoneModel(world=world, rng=9, agent_handles="lazy", spinup_cache=c)
    assert (c.hits, c.misses, len(c)) == (0, 1, 1)
    assert name not in c.read(c.key(world, 9, "lazy"))
    changed = world.with_params(**{name: other})
    fresh = ZoneModel(world=changed, rng=9, agent_handles="lazy")
    cached = ZoneModel(world=changed, rng=9, agent_handles="lazy", spinup_cache=c)
    assert (c.hits, c.misses, len(c)) == (1, 1, 1)
    assert getattr(cached.params, name) == other and type(cached.params) is Params
    _same_now_and_after_years(fresh, cached)


def _same_now_and_after_years(fresh, cached, years=3):
    """The two models are the same in every attribute now and after ``years`` years, and so are
    their results tables, bit for bit."""
    assert_same_state(fresh, cached)
    for _ in range(years):
        fresh.step()
        cached.step()
    assert_same_state(fresh, cached)
    pd.testing.assert_frame_equal(fresh.results(), cached.results(), check_exact=True)


def _other_value(field, value):
    """Another allowed value of a parameter (within its bounds)."""
    if isinstance(value, tuple):  # the indicator weights: another mix
        return tuple(v * (1.5 if i == 0 else 1.0) for i, v in enumerate(value))
    lo = hi = None
    for m in field.metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
    new = value + 1 if isinstance(value, int) else value * 1.1 + 0.01
    if hi is not None and new > hi:
        new = value - 1 if isinstance(value, int) else (value + (lo if lo is not None else 0.0)) / 2
    assert new != value and (lo is None or new >= lo) and (hi is None or new <= hi)
    return new


def test_a_parameter_the_build_reads_is_another_start(world):
    """Changing a parameter the build reads misses the cache, even when every other value is equal."""
    c = SpinupCache()
    ZoneModel(world=world, rng=9, agent_handles="lazy", spinup_cache=c)
    read = c.read(c.key(world, 9, "lazy"))
    assert "agglomeration_elasticity" in read and "land_quota" in read
    for name, value in (("agglomeration_elasticity", world.params.agglomeration_elasticity * (1 + 1e-15)),
                        ("land_quota", world.params.land_quota + 1.0)):
        changed = world.with_params(**{name: value})
        assert c.key(changed, 9, "lazy") not in c
        m = ZoneModel(world=changed, rng=9, agent_handles="lazy", spinup_cache=c)
        assert c.hits == 0
        assert_same_state(ZoneModel(world=changed, rng=9, agent_handles="lazy"), m)
    assert (c.misses, len(c)) == (3, 3)


def _read_set(world, seed):
    c = SpinupCache()
    ZoneModel(world=world, rng=seed, agent_handles="lazy", spinup_cache=c)
    return c.read(c.key(world, seed, "lazy"))


def test_the_unread_list_is_what_builds_read(world):
    """``UNREAD_BY_BUILD`` (used to order a study's runs) is exactly the parameters no build of the
    bundled world and of synthetic worlds reads, on several seeds: a parameter the build starts
    reading must leave the list (else its rows are put together for nothing), one it stops reading
    may join it."""
    from sim.core.params import Params

    read = set()
    for w, seed in ((world, 1), (world, 20210), (load_world("synthetic:3,40,300"), 2),
                    (load_world("synthetic:14,100,1000"), 3)):
        read |= _read_set(w, seed)
    assert set(Params.model_fields) - read == set(spinup.UNREAD_BY_BUILD)


# ------------------------------------------------------------------------------------------
# the population before the spin-up
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(spinup.READ_BY_SPINUP_ONLY))
def test_a_parameter_only_the_spin_up_reads_shares_the_population(world, name):
    """A model whose parameters differ from a cached population's only in one the spin-up reads
    (not populate, the geometry or the committees) takes that population and runs its own
    spin-up: it is then the model built afresh, in every attribute after construction and after 3
    years (results bit for bit), and the start it stores carries the read set of a fresh build."""
    from sim.core.params import Params

    other = _other_value(Params.model_fields[name], getattr(world.params, name))
    c = SpinupCache()
    ZoneModel(world=world, rng=9, agent_handles="lazy", spinup_cache=c, spinup_offer=spinup.POINTS)
    assert (c.populated_hits, c.populated_misses, len(c)) == (0, 1, 2)
    assert name not in c.read(c.key(world, 9, "lazy").at(spinup.POPULATED))
    changed = world.with_params(**{name: other})
    fresh = ZoneModel(world=changed, rng=9, agent_handles="lazy")
    cached = ZoneModel(world=changed, rng=9, agent_handles="lazy", spinup_cache=c, spinup_offer=spinup.POINTS)
    assert (c.hits, c.misses, c.populated_hits, c.populated_misses, len(c)) == (0, 2, 1, 1, 3)
    assert c.read(c.key(changed, 9, "lazy")) == _read_set(changed, 9)
    _same_now_and_after_years(fresh, cached)


def test_a_parameter_read_before_the_spin_up_is_another_population(world):
    """The agglomeration elasticity (read by populate's calibration) misses the population too,
    even changed by 1 part in 10^15."""
    c = SpinupCache()
    ZoneModel(world=world, rng=9, agent_handles="lazy", spinup_cache=c, spinup_offer=spinup.POINTS)
    changed = world.with_params(agglomeration_elasticity=world.params.agglomeration_elasticity * (1 + 1e-15))
    m = ZoneModel(world=changed, rng=9, agent_handles="lazy", spinup_cache=c, spinup_offer=spinup.POINTS)
    assert (c.hits, c.populated_hits, c.populated_misses, len(c)) == (0, 0, 2, 4)
    assert_same_state(ZoneModel(world=changed, rng=9, agent_handles="lazy"), m)


def test_what_a_build_offers_is_what_it_stores(world):
    """By default a build stores its whole start only; ``spinup_offer=()`` stores nothing (it still
    takes what the cache holds); both points store both. Results never depend on it."""
    small = load_world("synthetic:3,40,300")
    for offer, points in (((spinup.SPUN_UP,), [spinup.SPUN_UP]), ((), []), (spinup.POINTS, list(spinup.POINTS)),
                          ((spinup.POPULATED,), [spinup.POPULATED])):
        c = SpinupCache()
        kw = {} if offer == (spinup.SPUN_UP,) else {"spinup_offer": offer}
        ZoneModel(world=small, rng=4, agent_handles="lazy", spinup_cache=c, **kw)
        key = c.key(small, 4, "lazy")
        assert [p for p in spinup.POINTS if key.at(p) in c] == points
    with pytest.raises(ValueError, match="point must be one of"):
        key.at("halfway")
    for bad in ("populated", ("halfway",), (spinup.SPUN_UP, "spun_up")):  # a bare string, an unknown point
        with pytest.raises(ValueError, match="spinup_offer must be a collection of"):
            ZoneModel(world=small, rng=4, agent_handles="lazy", spinup_cache=SpinupCache(), spinup_offer=bad)


def test_the_spin_up_only_list_is_what_builds_read_after_the_population(world):
    """``READ_BY_SPINUP_ONLY`` (used to order a study's runs and choose what they offer) is exactly
    the parameters the builds of the bundled and synthetic worlds read, but not before the spin-up."""
    before, whole = set(), set()
    for w, seed in ((world, 1), (world, 20210), (load_world("synthetic:3,40,300"), 2),
                    (load_world("synthetic:14,100,1000"), 3)):
        c = SpinupCache()
        ZoneModel(world=w, rng=seed, agent_handles="lazy", spinup_cache=c, spinup_offer=spinup.POINTS)
        key = c.key(w, seed, "lazy")
        before |= c.read(key.at(spinup.POPULATED))
        whole |= c.read(key)
    assert whole - before == set(spinup.READ_BY_SPINUP_ONLY)
    assert before <= whole


def test_a_compact_pools_copy_holds_its_live_block():
    """A stored start copies a compact pool's live block, not its room; the restored columns have
    the room again (the same capacity), the live block bit for bit."""
    small = load_world("synthetic:3,40,300")
    c = SpinupCache()
    built = ZoneModel(world=small, rng=4, agent_handles="lazy", spinup_cache=c)
    snap = c.entry(c.key(small, 4, "lazy"))
    head = snap.pools["firms"]["tfp"]
    assert head.values.size == built.firms.n < head.capacity == built.firms.capacity
    restored = ZoneModel(world=small, rng=4, agent_handles="lazy", spinup_cache=c)
    assert c.hits == 1 and restored.firms.tfp.size == built.firms.capacity
    assert_same_state(built, restored)


def test_the_build_reads_from_the_constructor_on(world):
    """Parameters read by the constructor before the build (the sectors' arrays, the pools' room)
    are in the read set: their values go into the state the copy holds."""
    read = _read_set(world, 1)
    assert {"value_added_ratio", "rd_intensity", "capital_per_worker", "skilled_share_demand",
            "talent_scale"} <= read


@pytest.mark.parametrize("whole", [repr, str, hash, list, vars, lambda p: p.model_dump(), lambda p: p == p,
                                   lambda p: p.model_copy(), lambda p: dict(p), lambda p: p.__dict__,
                                   lambda p: copy.copy(p), lambda p: copy.deepcopy(p), lambda p: f"{p}"])
def test_reading_the_parameters_whole_reads_every_one(whole):
    from sim.core.params import Params

    p = spinup.reading(Params())
    assert spinup.reads_of(p) == frozenset()
    whole(p)
    assert spinup.reads_of(p) == frozenset(Params.model_fields)


def test_the_reading_copy_reads_like_the_parameters():
    from sim.core.params import Params

    plain = Params(land_quota=7.0)
    p = spinup.reading(plain)
    assert isinstance(p, Params) and p.land_quota == 7.0 and p.prior_shares == plain.prior_shares
    assert spinup.reads_of(p) == {"land_quota", "spend_promotion", "spend_land", "spend_services", "spend_platforms",
                                  "spend_subsidies"}  # a property of Params reads through the same hook
    assert all(getattr(p, n) == getattr(plain, n) for n in Params.model_fields)
    with pytest.raises(Exception):  # frozen as the original
        p.land_quota = 1.0


def test_a_build_that_reads_the_parameters_whole_is_keyed_by_all(monkeypatch, world):
    """A build that looks at the parameter object whole (here its repr) stores its copy under every
    parameter's value: a change of a parameter builds otherwise never read then misses."""
    real = initial.spin_up

    def build(model, rows, anchors=()):
        real(model, rows, anchors)
        repr(model.params)

    monkeypatch.setattr("sim.model.zonemodel.spin_up", build)
    c = SpinupCache()
    ZoneModel(world=world, rng=2, agent_handles="lazy", spinup_cache=c)
    assert c.read(c.key(world, 2, "lazy")) == frozenset(type(world.params).model_fields)
    ZoneModel(world=world.with_params(beta_wage=world.params.beta_wage + 0.5), rng=2, agent_handles="lazy",
              spinup_cache=c)
    assert (c.hits, c.misses, len(c)) == (0, 2, 2)


def test_after_the_build_the_model_reads_its_own_parameters(world):
    """The recording copy lives only through the build: the model's ``params`` afterwards is the
    world's own object, on a miss and on a hit, and nothing else holds the copy."""
    import gc

    c = SpinupCache()
    made = []
    real = spinup.reading

    def kept(params):
        made.append(real(params))
        return made[-1]

    import unittest.mock
    with unittest.mock.patch.object(spinup, "reading", kept):
        for _ in range(2):
            m = ZoneModel(world=world, rng=3, agent_handles="lazy", spinup_cache=c)
            assert m.params is world.params
    assert c.hits == 1 and len(made) == 2
    gc.collect()
    for p in made:
        assert [r for r in gc.get_referrers(p) if r is not made] == []
