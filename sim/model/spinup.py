"""Reuse of the policy-free start: the model state after the spin-up, kept and copied into later runs.

``ZoneModel.__init__`` builds year 0 (``populate``, the zones' geometry, the committees) and runs
the spin-up (``sim.model.initial.spin_up``: eight years of firm dynamics under baseline rules,
``reanchor``, ``close_year_zero``) before any lever is set up. So the state at the end of
``spin_up`` depends only on (world, parameters included; run seed; handle mode), never on the
package. A comparison of six packages on the same seeds (common random numbers) builds the same
start six times; measured, the build is about a third of a default 20-year run
(docs/performance.md, "Spin-up reuse").

:class:`SpunUp` is a copy of that state: every column and counter of the three pools, the
committees' arrays, the model's own attributes set by the build (flows, distances, wages, job
odds, anchors, year data, ...) and the random streams' memo tables. Which attributes are state is
decided by exclusion: everything in the objects' ``vars`` except the *wiring* listed below
(objects the constructor makes before the build from its arguments: the world, the plan, Mesa's
registries, the pools' handle makers), so an attribute added to the build later is captured
without anyone remembering to list it. A value of a type the copier does not know, or two
captured arrays sharing memory, refuses the capture (the run goes on uncached), and
tests/model/test_spinup.py compares every attribute of a restored model with a freshly built one,
array by array and bit by bit.

Mesa's side: the build makes one Mesa agent per zone (the zones' pool has eager handles) and
one per committee, nothing else (a lazy model makes no firm or cohort agents; the capture checks
the model's registry holds exactly these). A restore makes them again, in the same order, through
the same code paths (the pool's handle maker, ``Committees``), so unique ids and Mesa's
registries are the same; the model's ``rng`` and ``random`` are never drawn from by the build.

:class:`SpinupCache` is a small least-recently-used cache of such copies, keyed by a content hash
of the world without its parameters and its figures' citations (:func:`fingerprint`: every other
field, zone rows included; never ``id()``), the integer run seed, the handle mode and **the values
of the parameters the build read**. A build reads its parameters through a recording copy (:func:`reading`, from the
constructor's first line to the end of the spin-up), so a copy is reused by a model whose
parameters differ only in ones that build never read (a study row that varies a talent or wage
parameter, which the spin-up does not use): the build is a function of what it reads, so the
start is the same bit for bit. Whatever reads the parameter object whole (``==``, ``hash``,
``repr``, iteration, pickling, ``model_dump``, ``vars``, any attribute that is not a field or one
of the parameters' own properties) counts as reading every parameter.

A copy can also be taken at a second point, :data:`POPULATED`: year 0's population, the zones'
geometry and the committees, just before the spin-up (keyed by the parameters read up to there).
A build that misses the whole start takes it when it can, notes the parameters its build read as
read (:func:`note_reads`: the start it stores later must carry them) and runs its own spin-up: a
study row that varies only what the spin-up reads (the land quota, firm and innovation rates)
shares its population with its base row. Which copies a model stores is its ``spinup_offer``.
A compact pool's columns are copied up to their live block (:class:`_Head`).

It is bounded twice: at most ``max_entries`` copies and ``max_bytes`` of arrays (defaults 8 and
256 MiB; the default world's whole start is about 7.5 MB, a 1M-agent world's about 200 MB). :func:`process_cache` is the one a process's runs share
(``sim.experiments.runner.simulate``); ``ZONESIM_SPINUP_CACHE=0`` switches it off and
``ZONESIM_SPINUP_CACHE_MB`` sets its byte bound. ``ZoneModel`` uses a cache only when given one
and only with lazy handles and an integer seed: an eager model, and every model a benchmark
builds directly, builds its own start.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import threading
from collections import OrderedDict
from collections.abc import Collection, Hashable
from enum import Enum
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel

# Attributes of the model that are not the build's state: made by mesa.Model.__init__ or by
# ZoneModel.__init__ before the build, from its arguments, the same on a cache hit. (The pools,
# the committees and the streams are captured by their own rules below.)
MODEL_WIRING = frozenset({
    "rng", "_rng", "random", "_seed", "_user_step", "step", "_agents", "_agents_by_type", "_all_agents",
    "plan", "_stages", "stage_seconds", "world", "params", "start_year", "max_years",
    "sector_va", "sector_rd", "sector_capital", "sector_skill", "hooks",
})
POOLS = ("zones", "firms", "talent")
# A pool's configuration, its Mesa agents (made again by restore) and its cache of column groups (checked
# against the columns it holds when used), not its state.
POOL_WIRING = frozenset({"_columns", "compact", "lazy", "handles", "_make_handle", "_make_handles", "_drop_handles",
                         "_groups"})
COMMITTEE_WIRING = frozenset({"model", "agents"})
SPECIAL = frozenset({*POOLS, "committees", "streams"})

DEFAULT_ENTRIES = 8
DEFAULT_MB = 256
ENV_SWITCH = "ZONESIM_SPINUP_CACHE"
ENV_MB = "ZONESIM_SPINUP_CACHE_MB"


class Uncapturable(TypeError):
    """The state holds something the snapshot cannot copy faithfully; the run builds its own start."""


# ------------------------------------------------------------------------------------------
# copying state
# ------------------------------------------------------------------------------------------
_IMMUTABLE = (type(None), bool, int, float, complex, str, bytes, np.generic)


def _copy(value: Any) -> Any:
    """A copy sharing no mutable part with ``value`` (arrays keep dtype, shape and the read-only
    flag); raises :class:`Uncapturable` for anything else than arrays, numbers, strings, lists,
    tuples, dicts and dataclass instances made of these."""
    if isinstance(value, _IMMUTABLE):
        return value
    t = type(value)
    if t is np.ndarray:
        if value.dtype.hasobject:
            raise Uncapturable("an array of Python objects")
        out = value.copy(order="K")
        out.flags.writeable = value.flags.writeable
        return out
    if t is list:
        return [_copy(v) for v in value]
    if t is tuple:
        return tuple(_copy(v) for v in value)
    if t is dict:
        return {_key(k): _copy(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = [f.name for f in dataclasses.fields(value)]
        if set(vars(value)) != set(names):
            raise Uncapturable(f"{t.__name__} holds attributes that are not its fields")
        new = object.__new__(t)
        for name in names:
            object.__setattr__(new, name, _copy(getattr(value, name)))
        return new
    raise Uncapturable(f"cannot copy a {t.__module__}.{t.__qualname__}")


def _key(k: Any) -> Any:
    if isinstance(k, _IMMUTABLE) or (type(k) is tuple and all(isinstance(x, _IMMUTABLE) for x in k)):
        return k
    raise Uncapturable(f"a dict keyed by {type(k).__name__}")


def _arrays(value: Any, out: list[np.ndarray]) -> list[np.ndarray]:
    """Every array inside a copied value."""
    if type(value) is np.ndarray:
        out.append(value)
    elif type(value) in (list, tuple):
        for v in value:
            _arrays(v, out)
    elif type(value) is dict:
        for v in value.values():
            _arrays(v, out)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _arrays(getattr(value, f.name), out)
    return out


def _check_no_aliases(arrays: list[np.ndarray]) -> None:
    """Two live arrays sharing memory would become two independent copies: refuse."""
    spans = sorted((lo, hi) for lo, hi in (np.lib.array_utils.byte_bounds(a) for a in arrays if a.nbytes) if hi > lo)
    for (_lo0, hi0), (lo1, _hi1) in itertools.pairwise(spans):  # sorted by start: an overlap shows in a neighbour
        if lo1 < hi0:
            raise Uncapturable("two arrays of the state share memory")


def _state(obj: Any, wiring: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in vars(obj).items() if k not in wiring}


@dataclasses.dataclass(frozen=True)
class _Head:
    """A compact pool's column as copied: the values of its live block (slots 0 .. n-1) and the
    column's length. The slots from n on hold no member's values (``Pool._grow`` leaves them
    unwritten, ``add`` sets every column of a slot it takes), so they are neither copied nor
    written on restore: a copy of the default world's start holds ~40 % of its firms' room."""

    values: np.ndarray
    capacity: int


def _pool_copy(pool: Any) -> dict[str, Any]:
    """A pool's state copied, a compact pool's columns as :class:`_Head`."""
    state = _state(pool, POOL_WIRING)
    out = {}
    for k, v in state.items():
        if pool.compact and k in pool._columns:
            out[k] = _Head(_copy(v[:pool.n]), int(v.size))
        else:
            out[k] = _copy(v)
    return out


# ------------------------------------------------------------------------------------------
# the snapshot
# ------------------------------------------------------------------------------------------
class SpunUp:
    """The model's state right after ``spin_up``, detached from the model it came from."""

    def __init__(self, model_state: dict[str, Any], pools: dict[str, dict[str, Any]], zone_handles: list[int],
                 committees: dict[str, Any], committee_slots: list[int], streams: dict[str, Any],
                 agents_started: int, mesa_ids: str | None) -> None:
        self.model_state = model_state
        self.pools = pools
        self.zone_handles = zone_handles  # uids of the zones' Mesa agents, in the order they were made
        self.committees = committees
        self.committee_slots = committee_slots  # zone slots of the committees' Mesa agents, in order
        self.streams = streams
        self.agents_started = agents_started  # firms + cohorts after populate (sim.core.kernels.model_started)
        self.mesa_ids = mesa_ids  # repr of Mesa's unique-id counter of the model after the build
        arrays = _arrays([model_state, pools, committees, streams], [])
        self.nbytes = int(sum(a.nbytes for a in arrays))

    @classmethod
    def capture(cls, model: ZoneModel, agents_started: int) -> SpunUp | None:
        """A copy of ``model``'s build, or None when it cannot be captured faithfully (then the
        model is simply not cached: results never depend on the cache)."""
        try:
            return cls._capture(model, agents_started)
        except Uncapturable:
            return None

    @classmethod
    def _capture(cls, model: ZoneModel, agents_started: int) -> SpunUp:
        pools = {name: getattr(model, name) for name in POOLS}
        if any(pools[name].handles for name in ("firms", "talent")):
            raise Uncapturable("the build made firm or cohort agents")
        zones, committees = pools["zones"], model.committees
        # Mesa's registry must hold exactly the zones' and the committees' agents, in that order
        # (restore makes these again, and only these)
        made = [*zones.handles.values(), *committees.agents.values()]
        if list(model._agents) != made or set(model._agents_by_type) - {type(a) for a in made}:
            raise Uncapturable("the build made other Mesa agents")
        for agent in made:
            if set(vars(agent)) - {"model", "unique_id", "pos", "pool", "uid", "slot"}:
                raise Uncapturable(f"an attribute was set on a {type(agent).__name__} agent")
        live = [_state(model, MODEL_WIRING | SPECIAL), [_state(p, POOL_WIRING) for p in pools.values()],
                _state(committees, COMMITTEE_WIRING)]
        model_state = _copy(_state(model, MODEL_WIRING | SPECIAL))
        pool_state = {name: _pool_copy(p) for name, p in pools.items()}
        committee_state = _copy(_state(committees, COMMITTEE_WIRING))
        streams = _copy(dict(vars(model.streams)))
        wiring_arrays = [getattr(model, k) for k in MODEL_WIRING if type(getattr(model, k, None)) is np.ndarray]
        _check_no_aliases(_arrays(live, wiring_arrays))
        ids = _mesa_ids(model)
        return cls(model_state, pool_state, list(zones.handles), committee_state, list(committees.agents), streams,
                   int(agents_started), ids)

    def restore(self, model: ZoneModel) -> None:
        """Put the build into ``model``, a ZoneModel whose constructor has made its pools and
        streams and nothing since (the point where it would call ``populate``)."""
        from sim.agents.committee import Committees

        for name in POOLS:
            pool = getattr(model, name)
            for k, v in self.pools[name].items():
                if type(v) is _Head:  # a compact pool's column: its live block, in room for `capacity`
                    col = np.empty(v.capacity, dtype=v.values.dtype)
                    col[:v.values.size] = v.values
                    setattr(pool, k, col)
                else:
                    setattr(pool, k, _copy(v))
        zones = model.zones
        zones.handles.update(zip(self.zone_handles, zones._make_handles(list(self.zone_handles))))
        model.committees = Committees(model)  # makes one agent per live zone, in slot order
        if list(model.committees.agents) != self.committee_slots:
            raise RuntimeError("the restored committees' agents differ from the captured ones")
        for k, v in self.committees.items():
            setattr(model.committees, k, _copy(v))
        for k, v in self.model_state.items():
            setattr(model, k, _copy(v))
        for k, v in self.streams.items():
            setattr(model.streams, k, _copy(v))
        if self.mesa_ids is not None and _mesa_ids(model) != self.mesa_ids:
            raise RuntimeError("the restored model's Mesa unique ids differ from the captured ones")


def _mesa_ids(model: Any) -> str | None:
    """Mesa 3.3's unique-id counter of ``model`` as text (``count(29)``), None if Mesa keeps none."""
    import mesa

    ids = getattr(mesa.Agent, "_ids", None)
    counter = ids.get(model) if isinstance(ids, dict) else None
    return repr(counter) if counter is not None else None


# ------------------------------------------------------------------------------------------
# the parameters a build reads
# ------------------------------------------------------------------------------------------
ALL_READ = "*"  # in a read set: the object was read whole
_READS = "_zonesim_reads"
# special methods Python calls on the type, past __getattribute__: each reads the object whole
_WHOLE = ("__eq__", "__ne__", "__hash__", "__iter__", "__repr__", "__str__", "__format__", "__copy__",
          "__deepcopy__", "__reduce__", "__reduce_ex__", "__getstate__", "__sizeof__")


@functools.cache
def _reading_class(cls: type) -> type:
    """A subclass of the parameters' class ``cls`` that notes each field read in its instance's
    read set, and :data:`ALL_READ` for every other attribute (pydantic's methods, ``__dict__``)
    except ``__class__`` and the properties and methods ``cls`` itself defines (they read fields
    through the same hook)."""
    fields = frozenset(cls.model_fields)
    mine = [k for k in cls.__mro__ if issubclass(k, BaseModel) and k not in BaseModel.__mro__]
    own = frozenset(name for k in mine for name, v in vars(k).items()
                    if not name.startswith(("_", "model_")) and name not in fields
                    and (isinstance(v, (property, functools.cached_property)) or callable(v)))

    def __getattribute__(self: Any, name: str) -> Any:
        if name in fields:
            object.__getattribute__(self, _READS).add(name)
        elif name != "__class__" and name not in own:
            object.__getattribute__(self, _READS).add(ALL_READ)
        return object.__getattribute__(self, name)

    def whole(method: str) -> Any:
        parent = getattr(cls, method)

        def read_whole(self: Any, *args: Any, **kwargs: Any) -> Any:
            object.__getattribute__(self, _READS).add(ALL_READ)
            return parent(self, *args, **kwargs)
        return read_whole

    body: dict[str, Any] = {"__slots__": (_READS,), "__getattribute__": __getattribute__,
                            "__module__": __name__, "__qualname__": f"Reading{cls.__name__}"}
    body.update({m: whole(m) for m in _WHOLE if getattr(cls, m, None) is not None})
    return type(f"Reading{cls.__name__}", (cls,), body)


def reading(params: Any) -> Any:
    """A copy of ``params`` (a :class:`sim.core.params.Params`) that records which parameters are
    read from it (:func:`reads_of`); equal to it in every field, and an instance of its class."""
    cls = _reading_class(type(params))
    obj = object.__new__(cls)
    object.__setattr__(obj, _READS, set())
    for name in ("__dict__", "__pydantic_extra__", "__pydantic_fields_set__", "__pydantic_private__"):
        value = object.__getattribute__(params, name)
        object.__setattr__(obj, name, value.copy() if isinstance(value, (dict, set)) else value)
    return obj


def note_reads(tracked: Any, names: frozenset[str]) -> None:
    """Count ``names`` as read from a :func:`reading` copy (the parameters the part of a build
    that a copy from the cache replaced read)."""
    object.__getattribute__(tracked, _READS).update(names)


def reads_of(tracked: Any) -> frozenset[str]:
    """The names of the parameters read from a :func:`reading` copy so far (every field once it was
    read whole)."""
    names = object.__getattribute__(tracked, _READS)
    return frozenset(type(tracked).model_fields) if ALL_READ in names else frozenset(names)


# ------------------------------------------------------------------------------------------
# the key
# ------------------------------------------------------------------------------------------
def fingerprint(obj: Any) -> str:
    """A content hash of ``obj`` (a World with its Params, zone rows, anchors, sources): every
    field's type, name and value, floats by their exact bits (``float.hex``), dicts and sets in
    the order of their keys' encodings. Raises TypeError for a value it cannot encode."""
    out: list[bytes] = []
    _encode(obj, out)
    return hashlib.blake2b(b"".join(out), digest_size=20).hexdigest()


def _encode(v: Any, out: list[bytes]) -> None:
    """Append the canonical bytes of ``v`` to ``out`` (each item tagged with its kind and length,
    so no two values encode alike)."""
    # the common exact types first, by one type look-up (the same bytes as the general branches
    # of _encode_other: a world's sources and zone rows are ~2,000 strings and floats, encoded for
    # every keyed run); subclasses (bool, enums, numpy scalars) take the general branches
    t = type(v)
    if t is str:
        _tagged(out, b"s", v.encode("utf-8", "surrogatepass"))
    elif t is float:
        _tagged(out, b"f", v.hex().encode())
    elif t is tuple:
        _tagged(out, b"(", str(len(v)).encode())
        for x in v:
            _encode(x, out)
    elif _plain_model(t):
        _encode_model(v, out)
    else:
        _encode_other(v, out)


@functools.cache
def _plain_model(t: type) -> bool:
    """A pydantic model type that no earlier branch of :func:`_encode_other` takes."""
    return (hasattr(t, "model_fields") and hasattr(t, "model_dump") and not dataclasses.is_dataclass(t)
            and not issubclass(t, (bool, Enum, int, float, str, bytes, PurePath, np.ndarray, np.generic, tuple,
                                   list, dict, set, frozenset)))


@functools.cache
def _model_tags(t: type) -> tuple[bytes, tuple[tuple[str, bytes], ...]]:
    """A pydantic model type's tag and the tag before each field's value, made once per type."""
    names = list(t.model_fields)
    out: list[bytes] = []
    _tagged(out, b"M", f"{t.__module__}.{t.__qualname__}:{len(names)}".encode())
    fields = []
    for name in names:
        tag: list[bytes] = []
        _tagged(tag, b"k", name.encode())
        fields.append((name, b"".join(tag)))
    return b"".join(out), tuple(fields)


def _encode_model(v: Any, out: list[bytes]) -> None:
    """A pydantic model: its type, each field by name, its extra fields."""
    head, fields = _model_tags(type(v))
    out.append(head)
    for name, tag in fields:
        out.append(tag)
        _encode(getattr(v, name), out)
    _encode(getattr(v, "__pydantic_extra__", None) or None, out)


def _encode_other(v: Any, out: list[bytes]) -> None:
    if v is None:
        out.append(b"N")
    elif isinstance(v, bool):
        out.append(b"T" if v else b"F")
    elif isinstance(v, Enum):
        _tagged(out, b"E", type(v).__qualname__.encode())
        _encode(v.value, out)
    elif isinstance(v, int):
        _tagged(out, b"i", str(v).encode())
    elif isinstance(v, float):
        _tagged(out, b"f", v.hex().encode())
    elif isinstance(v, str):
        _tagged(out, b"s", v.encode("utf-8", "surrogatepass"))
    elif isinstance(v, bytes):
        _tagged(out, b"b", v)
    elif isinstance(v, PurePath):
        _tagged(out, b"p", str(v).encode("utf-8", "surrogatepass"))
    elif isinstance(v, (np.ndarray, np.generic)):
        a = np.asarray(v)
        if a.dtype.hasobject:
            raise TypeError("cannot fingerprint an array of Python objects")
        _tagged(out, b"a", f"{a.dtype.str}{a.shape}".encode())
        _tagged(out, b"", np.ascontiguousarray(a).tobytes())
    elif isinstance(v, (tuple, list)):
        _tagged(out, b"(" if isinstance(v, tuple) else b"[", str(len(v)).encode())
        for x in v:
            _encode(x, out)
    elif isinstance(v, (dict, set, frozenset)):
        pairs = v.items() if isinstance(v, dict) else ((x, None) for x in v)
        items = []
        for k, x in pairs:
            kb: list[bytes] = []
            _encode(k, kb)
            items.append((b"".join(kb), x))
        items.sort(key=lambda item: item[0])
        _tagged(out, b"{" if isinstance(v, dict) else b"<", str(len(items)).encode())
        for kb2, x in items:
            out.append(kb2)
            _encode(x, out)
    elif dataclasses.is_dataclass(v) and not isinstance(v, type):
        _encode_fields(v, out)
    elif hasattr(type(v), "model_fields") and hasattr(v, "model_dump"):  # a pydantic model
        _encode_model(v, out)
    else:
        raise TypeError(f"cannot fingerprint a {type(v).__module__}.{type(v).__qualname__}")


def _encode_fields(v: Any, out: list[bytes], skip: frozenset[str] = frozenset()) -> None:
    """A dataclass instance's type and fields by name, but those in ``skip``."""
    fields = [f for f in dataclasses.fields(v) if f.name not in skip]
    _tagged(out, b"D", f"{type(v).__module__}.{type(v).__qualname__}:{len(fields)}".encode())
    for f in fields:
        _tagged(out, b"k", f.name.encode())
        _encode(getattr(v, f.name), out)


def _tagged(out: list[bytes], tag: bytes, data: bytes) -> None:
    out.append(tag + str(len(data)).encode() + b":")
    out.append(data)


# The parameters the build was measured not to read (the bundled Guangxi world and synthetic worlds
# of 3-14 zones, several seeds; tests/model/test_spinup.py measures it again): the talent moves,
# the committees' decisions, the evaluation and the outside region act from year 1 only. Used to
# schedule runs that can share a start next to each other (sim.experiments.runner.start_key) and
# never to decide that they do: that is the read set each stored copy carries.
UNREAD_BY_BUILD = frozenset({
    "beta_amenity", "beta_home", "beta_housing", "beta_subsidy", "beta_unemployed", "beta_wage",
    "committee_adjustment", "committee_gdp_value", "committee_horizon", "committee_memory",
    "committee_output_elasticity", "committee_score_value", "committee_sensitivity", "evaluation_clip",
    "evaluation_years", "graduate_rate", "high_skill_threshold", "housing_elasticity", "indicator_weights",
    "land_spend_elasticity", "national_median_output_bn", "national_output_growth", "national_output_sigma",
    "national_zones", "outside_penalty", "outside_wage_growth", "outside_wage_ratio", "platform_cost",
    "platform_depreciation", "promotion_arrival_elasticity", "promotion_startup_elasticity", "reconsider_rate",
    "region_budget_share", "retirement_rate",
})
# The parameters first read by the spin-up (after ``populate``, the geometry and the committees),
# measured like UNREAD_BY_BUILD (tests/model/test_spinup.py): firm dynamics, innovation, land. Runs
# that differ only in these and unread ones can share the population before the spin-up
# (:data:`POPULATED`); used, like UNREAD_BY_BUILD, only to order runs and choose what they offer.
READ_BY_SPINUP_ONLY = frozenset({
    "attract_land", "attract_national", "attract_output", "attract_services", "certification_rate",
    "entrant_productivity", "entrant_size_mean", "exit_base_hazard", "exit_size_elasticity", "exit_young_hazard",
    "growth_drift", "growth_noise", "growth_noise_size_elasticity", "growth_profit_sensitivity", "idle_land_buffer",
    "incubator_effect", "innovation_catch_up", "innovation_rate", "innovation_step", "knowledge_spillover",
    "land_development_capacity", "land_quota", "loss_exit_probability", "loss_years_to_exit", "outside_arrivals",
    "platform_effect", "productivity_noise", "relocation_cost", "relocation_distance_cost", "relocation_rate",
    "size_reference", "skill_wage_premium", "spinoff_rate", "spinup_years", "startup_rate", "young_age_scale",
})
UNREAD_BEFORE_SPINUP = UNREAD_BY_BUILD | READ_BY_SPINUP_ONLY
_MISSING = object()
# the parameters (keyed by what the build reads) and the zone table's per-cell citations (text the model never
# reads: encoding its ~3,000 entries was 0.38 of the key's 0.63 ms a build, forty-third session)
_NOT_THE_START = frozenset({"params", "param_overrides", "sources"})


# The two points of a build a copy can be taken at: POPULATED, year 0's population, the zones'
# geometry and the committees, before the spin-up (``populate`` and the rest read 32 of the
# parameters: a study row that varies only ones the spin-up reads takes it and runs its own
# spin-up); SPUN_UP, the whole start (a row that varies only unread parameters takes it).
POPULATED = "populated"
SPUN_UP = "spun-up"
POINTS = (POPULATED, SPUN_UP)
# what the build measured not to read up to each point (for ordering runs and choosing what they offer)
UNREAD_AT = {POPULATED: UNREAD_BEFORE_SPINUP, SPUN_UP: UNREAD_BY_BUILD}


def check_points(points: Collection[str]) -> tuple[str, ...]:
    """``points`` as a tuple of :data:`POINTS` (ValueError naming what is allowed otherwise)."""
    if isinstance(points, str) or not all(p in POINTS for p in points):
        raise ValueError(f"spinup_offer must be a collection of {POINTS}, got {points!r}")
    return tuple(points)


@dataclasses.dataclass(frozen=True)
class StartKey:
    """What a build depends on: ``base`` (the world without its parameters, the seed, the handle
    mode), ``values``, every parameter's canonical bytes by name (of which a cached copy
    matches those its build read), and the ``point`` of the build the copy is taken at."""

    base: tuple[str, int, str]
    values: tuple[tuple[str, bytes], ...] = dataclasses.field(repr=False)
    point: str = SPUN_UP

    def at(self, point: str) -> StartKey:
        """The same build's key at another point (:data:`POINTS`)."""
        if point not in POINTS:
            raise ValueError(f"point must be one of {POINTS}, got {point!r}")
        return dataclasses.replace(self, point=point)


def _world_fingerprint(world: Any) -> str:
    """:func:`fingerprint` of a World's fields but its parameters (``params``, and
    ``param_overrides``, the same values again) and its ``sources`` (where each figure of the zone
    table comes from: citations, which no part of a build reads)."""
    if not (dataclasses.is_dataclass(world) and not isinstance(world, type)):
        raise TypeError("not a World")
    out: list[bytes] = []
    _encode_fields(world, out, _NOT_THE_START)
    return hashlib.blake2b(b"".join(out), digest_size=20).hexdigest()


def _param_values(params: Any) -> tuple[tuple[str, bytes], ...]:
    """Every parameter's canonical bytes (:func:`_encode`), in field order."""
    if getattr(params, "__pydantic_extra__", None):
        raise TypeError("parameters with extra fields")
    out = []
    for name in type(params).model_fields:
        enc: list[bytes] = []
        _encode(getattr(params, name), enc)
        out.append((name, b"".join(enc)))
    return tuple(out)


# ------------------------------------------------------------------------------------------
# the cache
# ------------------------------------------------------------------------------------------
class SpinupCache:
    """Least-recently-used copies of spun-up starts, bounded in count and in array bytes."""

    def __init__(self, max_entries: int = DEFAULT_ENTRIES, max_bytes: int = DEFAULT_MB << 20) -> None:
        self.max_entries = max(0, int(max_entries))
        self.max_bytes = max(0, int(max_bytes))
        # (key's base, ((parameter, value's bytes), ...) for every parameter the build read) -> copy
        self._entries: OrderedDict[tuple[Hashable, tuple[tuple[str, bytes], ...]], SpunUp] = OrderedDict()
        self._lock = threading.Lock()  # a dashboard or a threaded Dask worker may build models in threads
        self.hits = self.misses = self.refused = 0  # whole starts taken, built; copies refused
        self.populated_hits = self.populated_misses = 0  # the same for the populations before the spin-up

    def key(self, world: Any, seed: Any, handles: str) -> StartKey | None:
        """The key of a build: (content hash of the world without its parameters, seed, handle mode)
        and every parameter's value; None when the build cannot be cached (a seed that is not an
        int, a world the fingerprint cannot encode)."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            return None
        try:
            return StartKey((_world_fingerprint(world), int(seed), str(handles)), _param_values(world.params))
        except (TypeError, AttributeError):
            return None

    def _find(self, key: StartKey) -> tuple[Hashable, SpunUp] | None:
        values = dict(key.values)
        where = (key.base, key.point)
        for entry in reversed(self._entries):  # the most recently used first
            base, read = entry
            if base == where and all(values.get(name, _MISSING) == v for name, v in read):
                return entry, self._entries[entry]
        return None

    def get(self, key: StartKey) -> SpunUp | None:
        """A copy stored for ``key``'s world, seed, handles and point whose build read the same
        values of every parameter it read as ``key`` holds (now the most recently used), or None.
        A copy is never changed after it is stored: ``SpunUp.restore`` copies out of it."""
        taken = self.take(key)
        return None if taken is None else taken[0]

    def take(self, key: StartKey) -> tuple[SpunUp, frozenset[str]] | None:
        """:meth:`get`'s copy with the names of the parameters its build read (a model restored
        from a copy taken before the end of its build notes them as read: the rest of its build
        depends on them too)."""
        whole = key.point == SPUN_UP
        with self._lock:
            found = self._find(key)
            if found is None:
                if whole:
                    self.misses += 1
                else:
                    self.populated_misses += 1
                return None
            self._entries.move_to_end(found[0])
            if whole:
                self.hits += 1
            else:
                self.populated_hits += 1
        entry, snap = found
        return snap, frozenset(name for name, _v in entry[1])

    def put(self, key: StartKey, snap: SpunUp | None, read: frozenset[str] | None = None) -> None:
        """Keep ``snap``, the build for ``key`` that read the parameters ``read`` (None: all), dropping
        the least recently used copies until both bounds hold; a copy larger than ``max_bytes`` alone
        is not kept; None counts as refused."""
        with self._lock:
            if snap is None:
                self.refused += 1
                return
            if snap.nbytes > self.max_bytes or self.max_entries == 0:
                return
            values = dict(key.values)
            names = sorted(values if read is None else read)
            if any(name not in values for name in names):  # a name the key does not hold: all of them
                names = sorted(values)
            entry = ((key.base, key.point), tuple((name, values[name]) for name in names))
            self._entries[entry] = snap
            self._entries.move_to_end(entry)
            while len(self._entries) > self.max_entries or self.nbytes > self.max_bytes:
                self._entries.popitem(last=False)

    def entry(self, key: StartKey) -> SpunUp | None:
        """The copy :meth:`get` would return for ``key``, without counting or reordering."""
        with self._lock:
            found = self._find(key)
        return None if found is None else found[1]

    def read(self, key: StartKey) -> frozenset[str] | None:
        """The parameters the build stored for ``key`` read (None: no copy for it)."""
        with self._lock:
            found = self._find(key)
        return None if found is None else frozenset(name for name, _v in found[0][1])

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays of the copies held (the copies' other parts are a few kB each)."""
        return sum(s.nbytes for s in list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: StartKey) -> bool:
        return self.entry(key) is not None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = self.refused = 0
            self.populated_hits = self.populated_misses = 0


_PROCESS: SpinupCache | None = None


def check_env() -> tuple[bool, int]:
    """The two environment switches, read strictly: (``ZONESIM_SPINUP_CACHE`` on?,
    ``ZONESIM_SPINUP_CACHE_MB`` in MiB). A value outside what they allow raises InputError, one
    line naming the variable and what is allowed (the command line checks them before it writes
    anything, and exits 2)."""
    from sim.core.errors import env_switch, env_whole

    return env_switch(ENV_SWITCH), env_whole(ENV_MB, DEFAULT_MB, f"a whole number of MiB, 0 or more (default {DEFAULT_MB})")


def enabled() -> bool:
    """Whether runs use the process cache by default: yes unless ``ZONESIM_SPINUP_CACHE`` is
    0, off, false or no (another value: InputError, :func:`check_env`)."""
    return check_env()[0]


def process_cache() -> SpinupCache:
    """This process's cache (made on first use; its byte bound from ``ZONESIM_SPINUP_CACHE_MB``,
    default 256; a value that is not a whole number: InputError, :func:`check_env`)."""
    global _PROCESS
    if _PROCESS is None:
        _PROCESS = SpinupCache(DEFAULT_ENTRIES, check_env()[1] << 20)
    return _PROCESS
