"""Whole-state comparison of two models: every attribute reachable from them, bit by bit.

``assert_same_state(a, b)`` walks both object graphs in step (``vars`` of every object, every
array, list, dict and Mesa registry) and fails on the first difference, naming the path
(``model.firms.tfp``). Arrays are compared by dtype, shape, read-only flag and raw bytes (so
-0.0 against 0.0, or NaN payloads, differ); floats by their bits. A pool's arrays are compared on
what it has written (a compact pool's columns up to ``n``, the uid map up to ``next_uid``). Identity structure is checked
too: an object reached twice in ``a`` must be one object in ``b`` (a pool and the pool its Mesa
agents point to), and a mutable object must not be the *same* object in both models (a restored
model sharing an array with the cache would change the cache when it runs). Objects both models
may share: classes, functions, modules, frozen settings (World, Params, pydantic models, frozen
dataclasses)."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import random
import types
import weakref
from typing import Any

import numpy as np
import pandas as pd

_PLAIN = (type(None), bool, int, str, bytes, complex)


def _shareable(x: Any) -> bool:
    if isinstance(x, (type, types.FunctionType, types.BuiltinFunctionType, types.ModuleType, np.dtype,
                      frozenset, range)):
        return True
    if dataclasses.is_dataclass(x) and type(x).__dataclass_params__.frozen:
        return True
    cfg = getattr(type(x), "model_config", None)  # pydantic
    return isinstance(cfg, dict) and bool(cfg.get("frozen"))


class _Walker:
    def __init__(self) -> None:
        self.seen: dict[int, Any] = {}
        self.keep: list[Any] = []  # keeps the walked objects alive so their ids stay theirs

    def fail(self, path: str, what: str) -> None:
        raise AssertionError(f"{path}: {what}")

    def walk(self, a: Any, b: Any, path: str) -> None:
        if type(a) is not type(b):
            self.fail(path, f"type {type(a).__name__} != {type(b).__name__}")
        if isinstance(a, _PLAIN):
            if a != b:
                self.fail(path, f"{a!r} != {b!r}")
            return
        if isinstance(a, float):
            if np.float64(a).tobytes() != np.float64(b).tobytes():
                self.fail(path, f"{a!r} != {b!r}")
            return
        if isinstance(a, np.generic):
            if a.tobytes() != b.tobytes():
                self.fail(path, f"{a!r} != {b!r}")
            return
        if id(a) in self.seen:
            if self.seen[id(a)] is not b:
                self.fail(path, "reached twice in one model, but as different objects in the other")
            return
        if a is b:
            if _shareable(a):
                return
            if not isinstance(a, tuple):
                self.fail(path, f"the same {type(a).__name__} object in both models (shared state)")
        self.seen[id(a)] = b
        self.keep.append(a)
        self._compare(a, b, path)

    def _compare(self, a: Any, b: Any, path: str) -> None:
        if isinstance(a, np.ndarray):
            if a.dtype != b.dtype or a.shape != b.shape:
                self.fail(path, f"array {a.dtype}{a.shape} != {b.dtype}{b.shape}")
            if a.flags.writeable != b.flags.writeable:
                self.fail(path, "read-only flag differs")
            if a.dtype.hasobject:
                for i, (x, y) in enumerate(zip(a.ravel(), b.ravel())):
                    self.walk(x, y, f"{path}[{i}]")
            elif a.tobytes() != b.tobytes():
                bad = np.flatnonzero(a.ravel().view(np.uint8) != b.ravel().view(np.uint8)) if a.size else []
                self.fail(path, f"array values differ (first differing byte {bad[0] if len(bad) else '?'})")
        elif isinstance(a, (pd.DataFrame, pd.Series, pd.Index)):
            assert_pandas = {pd.DataFrame: pd.testing.assert_frame_equal, pd.Series: pd.testing.assert_series_equal}
            fn = assert_pandas.get(type(a), pd.testing.assert_index_equal)
            try:
                fn(a, b, check_exact=True)
            except AssertionError as exc:
                self.fail(path, str(exc).splitlines()[0])
        elif isinstance(a, (list, tuple)):
            if len(a) != len(b):
                self.fail(path, f"length {len(a)} != {len(b)}")
            for i, (x, y) in enumerate(zip(a, b)):
                self.walk(x, y, f"{path}[{i}]")
        elif isinstance(a, dict):
            if len(a) != len(b):
                self.fail(path, f"{len(a)} keys != {len(b)}")
            for i, ((ka, va), (kb, vb)) in enumerate(zip(a.items(), b.items())):
                self.walk(ka, kb, f"{path}.key[{i}]")
                self.walk(va, vb, f"{path}[{ka!r}]")
        elif isinstance(a, (set, frozenset)):
            if sorted(map(repr, a)) != sorted(map(repr, b)):
                self.fail(path, "sets differ")
        elif isinstance(a, weakref.ref):
            self.walk(a(), b(), f"{path}()")
        elif isinstance(a, types.MethodType):
            if a.__func__ is not b.__func__:
                self.fail(path, "bound to different functions")
            self.walk(a.__self__, b.__self__, f"{path}.__self__")
        elif isinstance(a, types.FunctionType):  # a closure made per object
            if a.__code__ is not b.__code__:
                self.fail(path, "different functions")
            self.walk(a.__defaults__, b.__defaults__, f"{path}.__defaults__")
            for i, (ca, cb) in enumerate(zip(a.__closure__ or (), b.__closure__ or ())):
                self.walk(ca.cell_contents, cb.cell_contents, f"{path}.closure[{i}]")
        elif isinstance(a, functools.partial):
            self.walk((a.func, a.args, a.keywords), (b.func, b.args, b.keywords), path)
        elif isinstance(a, random.Random):
            self.walk(a.getstate(), b.getstate(), f"{path}.getstate()")
        elif isinstance(a, np.random.Generator):
            self.walk(a.bit_generator.state, b.bit_generator.state, f"{path}.state")
        elif isinstance(a, itertools.count):
            if repr(a) != repr(b):
                self.fail(path, f"{a!r} != {b!r}")
        elif isinstance(a, weakref.WeakKeyDictionary):
            self.walk(a.data, b.data, f"{path}.data")
            self.walk(a._remove, b._remove, f"{path}._remove")
        elif hasattr(a, "__dict__") or hasattr(type(a), "__slots__"):
            va = dict(vars(a)) if hasattr(a, "__dict__") else {}
            vb = dict(vars(b)) if hasattr(b, "__dict__") else {}
            for slot in itertools.chain.from_iterable(getattr(c, "__slots__", ()) for c in type(a).__mro__):
                if isinstance(slot, str) and slot not in ("__dict__", "__weakref__") and hasattr(a, slot):
                    va[slot], vb[slot] = getattr(a, slot), getattr(b, slot, None)
            if va.keys() != vb.keys():
                self.fail(path, f"attributes differ: {sorted(va.keys() ^ vb.keys())}")
            written = _written_lengths(a), _written_lengths(b)
            for x, vx in ((a, va), (b, vb)):
                _drop_pool_cache(x, vx, path)
            for k in va:
                if k in written[0]:  # a pool's arrays past what it has written: never written
                    self._live_block(va[k], vb[k], written[0][k], written[1][k], f"{path}.{k}")
                    continue
                self.walk(va[k], vb[k], f"{path}.{k}")
        else:
            self.fail(path, f"cannot compare a {type(a).__module__}.{type(a).__qualname__}")


    def _live_block(self, a: np.ndarray, b: np.ndarray, na: int, nb: int, path: str) -> None:
        """A pool's array compared on what it has written: same capacity, not shared, the first
        ``na`` / ``nb`` entries bit for bit."""
        if a.shape != b.shape:
            self.fail(path, f"capacity {a.shape} != {b.shape}")
        if np.shares_memory(a, b):
            self.fail(path, "the same array in both models (shared state)")
        self.walk(a[:na], b[:nb], f"{path}[:n]")


def _drop_pool_cache(x: Any, attrs: dict[str, Any], path: str) -> None:
    """A ``sim.core.pool.Pool``'s cache of its columns by dtype (``_groups``) is not state: dropped
    from ``attrs``, after checking that a cache in use (its ``uid`` the pool's) holds exactly the
    pool's own columns (one that is not in use is made again when next asked for)."""
    from sim.core.pool import Pool

    if not isinstance(x, Pool) or "_groups" not in attrs:
        return
    g = attrs.pop("_groups")
    if g is not None and g[0] is x.uid:
        held = [id(c) for cols in g[1] for c in cols]
        own = [id(getattr(x, name)) for name in x._columns]
        if sorted(held) != sorted(own):
            raise AssertionError(f"{path}._groups: the cached column groups are not the pool's columns")


def _written_lengths(x: Any) -> dict[str, int]:
    """For a ``sim.core.pool.Pool``, its arrays whose tail it never writes, with the length written
    (empty for anything else): a compact pool's columns up to ``n`` (``Pool._grow`` leaves the free
    slots unwritten; ``alive``, False there, is compared whole) and every pool's uid map up to
    ``next_uid`` (``_uid_map_grown``)."""
    from sim.core.pool import Pool

    if not isinstance(x, Pool):
        return {}
    return {"_uid_slot": x.next_uid} | ({name: x.n for name in x._columns} if x.compact else {})


def assert_same_state(a: Any, b: Any, name: str = "model") -> None:
    """Every attribute reachable from ``a`` equals (bit for bit) its counterpart in ``b``; for
    two Mesa models, Mesa's per-model unique-id counters too."""
    _Walker().walk(a, b, name)
    import mesa

    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict) and a in ids:
        assert repr(ids[a]) == repr(ids[b]), f"{name}: Mesa's unique-id counter {ids[a]!r} != {ids[b]!r}"
