"""Keyed, counter-based random streams: common random numbers by design.

Every random number the model uses is a pure function of

    (run seed, stream name, year, agent key[, draw index])

computed by a vectorised 64-bit hash, never "the next k numbers of a shared generator". So:

* an agent's draw does not depend on how many other agents draw, in what order, or in which
  pool slot the agent sits (compaction cannot reassign it);
* a package and the baseline run on the same seed use the same number for the same agent,
  decision and year, whatever happened elsewhere: the pairing survives divergent events;
* counts (start-ups, arrivals, graduates, innovations) are inversions of one keyed uniform, so a
  small change of a rate moves a count only when the uniform sits at the boundary.

The hash is SplitMix64 indexed by key: ``fmix(key * GOLDEN + c1)``, with ``c1`` derived from
(seed, stream, year, draw); ``rounds=2`` adds a second ``fmix(x + c2)`` with an independent
constant. Every step is a bijection of the 64-bit key for a fixed (seed, stream, year, draw):
two distinct keys never get the same bits in one stream-year, so a key-based order has no ties.
With one round (the default) this is exactly SplitMix64 evaluated at position ``key``: streams
and years are the same sequence at pseudo-random offsets, and agent keys are themselves hashes
(``sim.core.keys``). numpy's uint64 arithmetic wraps modulo 2**64, which is what the hash needs.

numpy only (the core imports no scipy): the normal quantile is Wichura's AS 241 (PPND7,
absolute error below 1e-6), the Poisson quantile is exact inversion (a sequential search for
small rates, a windowed CDF for the rest). ``tests/core/test_streams.py`` checks both against scipy,
and the statistical quality of the streams (uniformity, independence of streams, years, draws,
seeds and adjacent keys).
"""

from __future__ import annotations

import difflib
import hashlib
import math
from collections.abc import Iterable, Sequence

import numpy as np

from sim.core import kernels
from sim.core.choice import draw_alternatives, shifts
from sim.core import pmath as pm

U64 = np.uint64
MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15  # 2**64 / golden ratio, odd: SplitMix64's increment
_M1, _M2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB  # SplitMix64 finaliser (Stafford's mix13)
_S30, _S27, _S31, _S12 = U64(30), U64(27), U64(31), U64(12)
_M1u, _M2u, _GOLDu = U64(_M1), U64(_M2), U64(GOLDEN)
_ONE_BITS = U64(0x3FF0000000000000)  # the bits of 1.0
_ONE_LESS_HALF = 1.0 - 2.0 ** -53
# uniforms are (i + 1/2) / 2**52, i < 2**52: exactly representable, strictly inside (0, 1), and
# symmetric (1 - u is one of them too), so log, the quantile functions and Gumbel never see 0 or
# 1. (With 53 bits, (2**53 - 1/2) / 2**53 rounds to 1.0.)


def _fmix_int(x: int) -> int:
    """SplitMix64 finaliser on a Python int (for per-call constants and scalar key parts)."""
    x &= MASK
    x = ((x ^ (x >> 30)) * _M1) & MASK
    x = ((x ^ (x >> 27)) * _M2) & MASK
    return x ^ (x >> 31)


def _combine_int(*parts: int, start: int = 0) -> int:
    h = start
    for p in parts:
        h = _fmix_int(h ^ _fmix_int((int(p) + GOLDEN) & MASK))
    return h


def name_key(name: str) -> int:
    """Stable 64-bit key of a string (stream names, zone ids). Not Python's ``hash()``, which is
    salted per process and would give every worker process different streams."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")


def fmix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser, in place on a uint64 array (a bijection of 64-bit words)."""
    t = np.right_shift(x, _S30)
    x ^= t
    x *= _M1u
    np.right_shift(x, _S27, out=t)
    x ^= t
    x *= _M2u
    np.right_shift(x, _S31, out=t)
    x ^= t
    return x


def as_keys(keys: np.ndarray | Iterable[int] | int) -> np.ndarray:
    """Keys as a uint64 array (int64 keys are reinterpreted, not converted: negative ids keep
    64 distinct bits). Keys never pass through float64 (above 2**53 it loses bits)."""
    if type(keys) is np.ndarray and keys.dtype == np.uint64:  # the common case, fast
        return keys
    k = np.asarray(keys)
    if k.dtype == np.uint64:
        return k
    if k.dtype == object:  # Python ints beyond int64
        return np.array([int(v) & MASK for v in k.ravel()], dtype=np.uint64).reshape(k.shape)
    if k.dtype == np.int64:
        return k.view(np.uint64)
    if k.dtype.kind in "iub":
        return k.astype(np.int64).view(np.uint64)
    raise TypeError(f"keys must be integers, not {k.dtype}")


_CHAIN: dict[tuple[int, int], int] = {}  # (h, part) -> _combine_int(part, start=h), for combine


def combine(*parts: np.ndarray | int, start: np.ndarray | int = 0) -> np.ndarray:
    """Vectorised, broadcasting hash of integer parts into one 64-bit key: the way agents'
    permanent keys are derived from their lineage (``sim.core.keys``), e.g. an entrant's key
    from (tag, year, zone key, k). A chain ``h <- fmix(h ^ fmix(part + GOLDEN))`` from ``start``,
    so ``combine(a, b, c) == combine(c, start=combine(a, b))``: a prefix shared by many keys is
    hashed once. Leading scalar parts are hashed in Python."""
    h: int | np.ndarray = start if isinstance(start, np.ndarray) else int(start) & MASK
    for p in parts:
        if isinstance(h, int) and (type(p) is int or (np.ndim(p) == 0 and not isinstance(p, np.ndarray))):
            # leading scalar parts are tags and years (a few dozen chains a run, asked for every
            # year): memoised, as each step costs two scalar hashes
            p = int(p) & MASK
            c = _CHAIN.get((h, p))
            if c is None:
                if len(_CHAIN) >= 4096:  # bounded (a process runs many models)
                    _CHAIN.clear()
                c = _CHAIN[(h, p)] = _combine_int(p, start=h)
            h = c
            continue
        if kernels.ENABLED and isinstance(p, np.ndarray) and p.ndim == 1 and (
                isinstance(h, int) or (h.ndim == 1 and h.size == p.size and h.dtype == np.uint64)):
            # the step below for 1-d parts in one compiled pass: the same words
            h = kernels.chain(np.array([h], dtype=np.uint64) if isinstance(h, int) else h, as_keys(p))
            continue
        q = np.atleast_1d(as_keys(p)) + _GOLDu  # a new array (wraps): p itself is never modified
        fmix(q)
        if isinstance(h, int):
            q ^= U64(h)
            h = q
        else:
            h, q = np.broadcast_arrays(h, q)
            h = h ^ q
        fmix(h)
    return np.asarray(h, dtype=np.uint64) if isinstance(h, np.ndarray) else np.uint64(h)


# ------------------------------------------------------------------------------------------
# the streams
# ------------------------------------------------------------------------------------------
# below this many keys, ``Streams.order`` sorts by np.lexsort at once: 1.2 us for 50 keys and 22 us
# for 1,000, where the packed sort below took 9 and 31 us (and the compiled sort starts at 1,024)
_LEXSORT_BELOW = 1024


class Streams:
    """The run's random numbers: one named stream per decision, keyed by who draws.

    ``Streams(seed, names)``: ``seed`` is the run seed (an int, as the runner's replicate seeds
    are, or a ``SeedSequence``); ``names`` the streams the model may use (a name not registered
    is an error, so a typo cannot silently open a fresh, unpaired stream). ``rounds``: 1
    (default: SplitMix64 at position key) or 2 hash rounds (docs/ODD.md, stochasticity).
    """

    def __init__(self, seed: int | np.random.SeedSequence, names: Iterable[str] = (), rounds: int = 1) -> None:
        ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(int(seed))
        self.seed = seed
        self._k1, self._k2 = (int(w) for w in ss.generate_state(2, dtype=np.uint64))
        if rounds not in (1, 2):
            raise ValueError("rounds must be 1 or 2")
        self.rounds = rounds
        self._ids: dict[str, int] = {}
        self._consts: dict[tuple[str, int, int], tuple[np.uint64, np.uint64]] = {}
        self._prefix: dict[str, tuple[int, int]] = {}  # stream -> hash chain of (k1, sid), (k2, sid)
        self._parts: dict[int, int] = {}  # year or draw -> its hashed part of the chain
        # every stream's draw-0 constants of a year in one vectorised pass (issue 19: the model asks
        # for ~23 new stream-years a year, 4 scalar hashes each): the prefixes of the first streams
        # registered (rows in registration order, _row) and, per year, their constants (n x 2)
        self._row: dict[str, int] = {}
        self._pre = np.zeros((0, 2), dtype=np.uint64)
        self._year_consts: dict[int, np.ndarray] = {}
        for n in names:
            self.register(n)

    def __repr__(self) -> str:
        return f"Streams(seed={self.seed!r}, {len(self._ids)} streams, rounds={self.rounds})"

    def _compiled(self) -> bool:
        """Whether a draw may take its one-call compiled path: the kernels are on and ``bits`` is the
        class's own (a wrapper of ``bits`` set on the instance, as tests record every draw, makes each
        draw take the steps that call it)."""
        return kernels.ENABLED and "bits" not in self.__dict__

    # -- registry ------------------------------------------------------------------------
    def register(self, name: str) -> None:
        """Add a stream (e.g. a lever's own decision: ``lever.<name>.<purpose>``)."""
        sid = name_key(name)
        clash = [n for n, i in self._ids.items() if i == sid and n != name]
        if clash:  # 2**-64 per pair: only a deliberate collision could get here
            raise ValueError(f"stream {name!r} hashes like {clash[0]!r}")
        if name not in self._ids:
            self._row[name] = len(self._row)
        self._ids[name] = sid

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._ids)

    def _const(self, name: str, year: int, draw: int) -> tuple[np.uint64, np.uint64]:
        c = self._consts.get((name, year, draw))
        if c is None and draw == 0:  # from the year's batch (see _batch), the same words
            b = self._year_consts.get(year)
            if b is None:
                b = self._year_consts[year] = self._batch(year)
            row = self._row.get(name, b.shape[0])
            if row < b.shape[0]:
                c = self._consts[(name, year, draw)] = (b[row, 0], b[row, 1])
        if c is None:
            # _combine_int(k, sid, year, draw) as a chain: the (k, sid) prefix of each stream and
            # the hashed parts are cached (a new stream-year costs 4 scalar hashes, not 16)
            pre = self._prefix.get(name)
            if pre is None:
                sid = self._ids.get(name)
                if sid is None:
                    near = difflib.get_close_matches(name, self._ids, n=1)
                    hint = f"; did you mean {near[0]!r}?" if near else ""
                    raise KeyError(f"unknown random stream {name!r}{hint}")
                pre = self._prefix[name] = (_combine_int(self._k1, sid), _combine_int(self._k2, sid))
            hy, hd = self._part(year), self._part(draw)
            c = (U64(_fmix_int(_fmix_int(pre[0] ^ hy) ^ hd)), U64(_fmix_int(_fmix_int(pre[1] ^ hy) ^ hd)))
            self._consts[(name, year, draw)] = c
        return c

    def _batch(self, year: int) -> np.ndarray:
        """The draw-0 constants ``_const(name, year, 0)`` of every stream registered so far (a row
        per stream, in registration order): the same chain of hashes as the scalar path, in numpy
        (uint64 arithmetic wraps as the scalar path's masks do). ~9 us for the model's 44 streams,
        where a year's ~23 scalar constants cost ~2.8 us each."""
        n = len(self._row)
        if self._pre.shape[0] < n:  # prefixes (k1, sid), (k2, sid) of the streams registered since
            sids = np.array(list(self._ids.values())[self._pre.shape[0]:n], dtype=np.uint64)
            q = sids + _GOLDu  # fmix(sid + GOLDEN), then h = fmix(start ^ it) from each key's start
            fmix(q)
            new = np.empty((q.size, 2), dtype=np.uint64)
            for j, k in enumerate((self._k1, self._k2)):
                new[:, j] = q
                new[:, j] ^= U64(_combine_int(k))
            fmix(new)
            self._pre = np.concatenate([self._pre, new])
        if kernels.ENABLED and kernels.draws_on():  # one compiled pass: the same words, ~1 us
            return kernels.const_batch(self._pre[:n], self._part(year), self._part(0))
        x = self._pre[:n] ^ U64(self._part(year))
        fmix(x)
        x ^= U64(self._part(0))
        return fmix(x)

    def _part(self, v: int) -> int:
        """``_fmix_int(v + GOLDEN)``: one part of the chain in ``_combine_int`` (cached)."""
        h = self._parts.get(v)
        if h is None:
            h = self._parts[v] = _fmix_int((int(v) + GOLDEN) & MASK)
        return h

    # -- raw bits and uniforms -----------------------------------------------------------
    def bits(self, name: str | Sequence[str], year: int, keys: np.ndarray, draw: int = 0) -> np.ndarray:
        """64 random bits per key (uint64): the stream's value for (year, key, draw). Every
        draw of the model goes through here. ``name`` may be a sequence of streams: then one
        row per stream (the same numbers as one call per stream, in fewer numpy calls)."""
        year, draw = int(year), int(draw)
        k = as_keys(keys)
        if kernels.ENABLED:  # one compiled pass (sim.core.kernels): the same bits
            if isinstance(name, str):
                c1, c2 = self._const(name, year, draw)
                return kernels.keyed_bits(k.reshape(-1), c1, c2, self.rounds).reshape(k.shape)
            return np.stack([kernels.keyed_bits(k.reshape(-1), *self._const(n, year, draw), self.rounds)
                             for n in name]).reshape((len(name),) + k.shape)
        if isinstance(name, str):
            c1, c2 = self._const(name, year, draw)
            x = np.multiply(k.reshape(-1), _GOLDu)  # a new 1-d array; keys are not modified
            shape = k.shape
        else:
            cs = [self._const(n, year, draw) for n in name]
            c1 = np.array([c[0] for c in cs], dtype=np.uint64)[:, None]
            c2 = np.array([c[1] for c in cs], dtype=np.uint64)[:, None]
            x = np.empty((len(cs), k.size), dtype=np.uint64)
            x[:] = np.multiply(k.reshape(-1), _GOLDu)
            shape = (len(cs),) + k.shape
        x += c1
        fmix(x)
        if self.rounds == 2:
            x += c2
            fmix(x)
        return x.reshape(shape)

    def uniform(self, name: str | Sequence[str], year: int, keys: np.ndarray, draw: int = 0) -> np.ndarray:
        """Uniform numbers in the open interval (0, 1), one per key (52 random bits); one row
        per stream if ``name`` is a sequence."""
        # hash and uniform in one compiled pass (sim.core.kernels): the same numbers. A wrapper of
        # ``bits`` set on the instance (tests record every draw that way) sees the uniforms too.
        if self._compiled():
            year, draw = int(year), int(draw)
            k = as_keys(keys)
            if isinstance(name, str):
                c1, c2 = self._const(name, year, draw)
                return kernels.keyed_uniform(k.reshape(-1), c1, c2, self.rounds).reshape(k.shape)
            return np.stack([kernels.keyed_uniform(k.reshape(-1), *self._const(n, year, draw), self.rounds)
                             for n in name]).reshape((len(name),) + k.shape)
        x = self.bits(name, year, keys, draw)
        x >>= _S12
        x |= _ONE_BITS  # 1 + i / 2**52 as a double: no int -> float conversion (3x slower)
        u = x.view(np.float64)
        u -= _ONE_LESS_HALF  # (i + 1/2) / 2**52, exactly
        return u

    # -- distributions (all by inversion of keyed uniforms: monotone in the uniform) -----------
    def bernoulli(self, name: str, year: int, keys: np.ndarray, p: np.ndarray | float) -> np.ndarray:
        """True with probability ``p`` (per key or scalar)."""
        return self.uniform(name, year, keys) < p

    def below(self, name: str, year: int, keys: np.ndarray, p: np.ndarray | float) -> np.ndarray:
        """Indices of the keys whose uniform is below ``p`` (per key or scalar): the agents a
        Bernoulli draw picks, ``np.flatnonzero(self.uniform(name, year, keys) < p)``, in one compiled
        pass over 1-d keys when the kernels are on (the same uniforms, the same comparison)."""
        pa = np.asarray(p)
        k = as_keys(keys)
        if (self._compiled() and k.ndim == 1 and pa.dtype == np.float64
                and (pa.ndim == 0 or pa.shape == k.shape)):
            c1, c2 = self._const(name, int(year), 0)
            return kernels.keyed_below(k, c1, c2, self.rounds, pa)
        return np.flatnonzero(self.uniform(name, year, keys) < p)

    def normal(self, name: str | Sequence[str], year: int, keys: np.ndarray, draw: int = 0) -> np.ndarray:
        """Standard normal by inversion (AS 241); one row per stream if ``name`` is a sequence."""
        if self._compiled():
            k = as_keys(keys)  # uniform and quantile in one compiled pass (sim.core.kernels): the same numbers
            year, draw = int(year), int(draw)
            if isinstance(name, str):
                c1, c2 = self._const(name, year, draw)
                return kernels.keyed_normal(k.reshape(-1), c1, c2, self.rounds).reshape(k.shape)
            # one pass a stream into one array, one logarithm for all rows' tails
            return kernels.keyed_normals(np.ascontiguousarray(k).reshape(-1), self._const_rows(name, year, draw),
                                         self.rounds).reshape((len(name),) + k.shape)
        u = self.uniform(name, year, keys, draw)
        return ndtri(u)  # its central part compiled when the kernels are on (kernels.ndtri_central)

    def lognormal(self, name: str, year: int, keys: np.ndarray, mean: float | np.ndarray,
                  sigma: float | np.ndarray, draw: int = 0) -> np.ndarray:
        """exp(mean + sigma z): numpy's ``lognormal(mean, sigma)``."""
        if (self._compiled() and isinstance(mean, (float, int))
                and isinstance(sigma, (float, int))):
            k = as_keys(keys)
            if k.ndim == 1:  # the normals, the product, the sum and the exponential in one compiled call
                c1, c2 = self._const(name, int(year), int(draw))
                z = kernels.keyed_lognormal(k, c1, c2, self.rounds, mean, sigma)
                if z is not None:  # the same numbers (else the steps below)
                    return z
        z = self.normal(name, year, keys, draw)
        z *= sigma
        z += mean
        return pm.exp(z, out=z)

    def integers(self, name: str, year: int, keys: np.ndarray, high: int | np.ndarray, low: int = 0) -> np.ndarray:
        """Integers in [low, high) (uniform to 2**-52)."""
        return low + np.floor(self.uniform(name, year, keys) * (np.asarray(high) - low)).astype(np.int64)

    def geometric(self, name: str, year: int, keys: np.ndarray, p: float | np.ndarray) -> np.ndarray:
        """Trials to the first success (1, 2, ...), numpy's ``geometric(p)``."""
        u = self.uniform(name, year, keys)
        return np.maximum(1, np.ceil(pm.log(u) / pm.log1p(-np.asarray(p, dtype=float)))).astype(np.int64)

    def poisson(self, name: str | Sequence[str], year: int, keys: np.ndarray, lam: np.ndarray | float) -> np.ndarray:
        """Poisson counts by exact inversion of one keyed uniform each: a small change of ``lam``
        changes a count only if the uniform is within the change of a CDF step. With a
        sequence of streams, ``lam`` has one row per stream."""
        names = (name,) if isinstance(name, str) else name
        compiled = self.poisson_constants(names, year)
        if compiled is not None:
            # the uniforms, the rows that need more than a comparison and poisson_ppf's compiled path in
            # one compiled call (kernels.keyed_poisson); where that path hands over to numpy, the same
            # steps call by call (~10 calls, not ~25; issue 19: 2 x 14 zones' entry drew in ~30 us)
            k = as_keys(keys)
            shape = k.shape if isinstance(name, str) else (len(names),) + k.shape
            la = np.asarray(lam, dtype=float)
            if la.shape != shape:
                la = np.broadcast_to(la, shape)
            la = np.ascontiguousarray(la).reshape(-1)
            kf = np.ascontiguousarray(k).reshape(-1)
            cs, rounds, thr, seq_rate, steps, logfact = compiled
            out = kernels.keyed_poisson(kf, cs, rounds, la, thr, seq_rate, steps, logfact)
            if out is not None:  # one compiled call (issue 19: the year's Poisson draws paid ~7 calls each)
                return out.reshape(shape)
            u, act, neg, rows, buf = kernels.keyed_poisson_rows(kf, cs, rounds, la, thr, seq_rate)
            out = np.zeros(la.size, dtype=np.int64)
            _poisson_rest(out, u, la, act, neg, rows, buf)
            return out.reshape(shape)
        u = self.uniform(name, year, keys)
        return poisson_ppf(u, np.broadcast_to(np.asarray(lam, dtype=float), u.shape))

    def _const_rows(self, names: Sequence[str], year: int, draw: int = 0) -> np.ndarray:
        """The constants of ``names`` in ``year`` as a streams x 2 uint64 array, from the memo of
        :meth:`_const`. Not memoised itself: the memo tables are the same whether or not the
        compiled kernels (its only callers) are on, which the spin-up cache's state comparison
        (tests/model/test_spinup.py) relies on."""
        return np.array([self._const(n, year, draw) for n in names], dtype=np.uint64)

    def compiled_constants(self, name: str, year: int) -> tuple[np.uint64, np.uint64, int] | None:
        """``(c1, c2, rounds)`` of the stream's draw 0 in ``year``, for a compiled kernel drawing from
        it as these methods' one-call paths do; None when they would not take that path (the kernels
        off, or ``bits`` wrapped on the instance: then every draw must go through the methods)."""
        if not self._compiled():
            return None
        c1, c2 = self._const(name, int(year), 0)
        return c1, c2, self.rounds

    def poisson_constants(self, names: Sequence[str], year: int) -> tuple | None:
        """What :meth:`poisson`'s one-call path hands ``kernels.keyed_poisson`` for these streams in
        ``year`` besides the keys and rates (each stream's constants as a streams x 2 uint64 array, the
        rounds, and the inversion's threshold, sequential-search rate and steps and log-factorial
        table), for a compiled kernel drawing the same counts inside a longer call; None when
        :meth:`poisson` would not take that path (as :meth:`compiled_constants`)."""
        if not (self._compiled() and kernels.draws_on()):
            return None
        return self._const_rows(names, int(year)), self.rounds, _ABOVE, _SEQ_RATE, _SEQ_STEPS, _LOGFACT

    def choice(self, name: str, year: int, keys: np.ndarray, cdf: np.ndarray, group: np.ndarray) -> np.ndarray:
        """Alternative of each key from its ``group`` row of cumulative probabilities (the
        ``sim.core.choice`` inversion: O(log alternatives) per agent). Keep the column order
        stable between packages (new alternatives appended)."""
        if self._compiled():
            cdf, group = np.asarray(cdf), np.asarray(group)
            if group.dtype == np.int64 and cdf.ndim == 2:  # uniforms and search in one compiled call
                c1, c2 = self._const(name, int(year), 0)
                pick = kernels.keyed_choice(as_keys(keys), c1, c2, self.rounds, cdf, shifts(cdf.shape[0])[1], group)
                if pick is not None:  # the same alternatives (else the two steps: numpy decides)
                    return pick
        return draw_alternatives(cdf, group, self.uniform(name, year, keys))

    def gumbel_choice(self, name: str, year: int, keys: np.ndarray, util: np.ndarray,
                      group: np.ndarray, alt_keys: np.ndarray) -> np.ndarray:
        """Logit choice by Gumbel-max with one keyed number per (agent, alternative), the
        alternative keyed by ``alt_keys`` (zone keys, not slots). Costs agents x alternatives
        hashes, but adding an alternative (a new zone) moves only agents who now pick it: the
        coupling inversion cannot give. ``util``: groups x alternatives, -inf = not allowed."""
        keys = as_keys(keys)
        pair = combine(keys[:, None], as_keys(alt_keys)[None, :])
        u = self.uniform(name, year, pair.ravel()).reshape(pair.shape)
        g = -pm.log(-pm.log(u))
        g += util[np.asarray(group, dtype=np.int64)]
        return np.argmax(g, axis=1)

    def order(self, name: str, year: int, keys: np.ndarray, group: np.ndarray | None = None) -> np.ndarray:
        """Indices of ``keys`` in a key-based random order (within ``group``, groups ascending):
        two agents' relative order does not depend on who else is in the queue. No ties: the
        hash is a bijection of distinct keys. Use a yearly stream, so the same agents do not
        head every queue every year."""
        if (group is not None and self._compiled() and isinstance(name, str)
                and np.ndim(keys) == 1):
            c1, c2 = self._const(name, int(year), 0)
            o = kernels.keyed_order(as_keys(keys), c1, c2, self.rounds, np.asarray(group, dtype=np.int64))
            if o is not None:  # the bits and the sort in one compiled call: the same permutation
                return o
        b = self.bits(name, year, keys)
        if group is None:
            return np.argsort(b)
        group = np.asarray(group, dtype=np.int64)
        if group.size < _LEXSORT_BELOW:  # few keys (entry and relocation queues of small worlds): numpy's
            return np.lexsort((b, group))  # lexsort is fastest, the same permutation as every path below
        gmax = int(group.max())
        gbits = max(1, gmax.bit_length())
        if group.min() < 0 or gbits > 24:
            return np.lexsort((b, group))
        if kernels.sorts_on():  # compiled: np.lexsort((b, group)) by radix passes, 2x the packed sort's speed
            return kernels.group_lexsort(b, group, gmax + 1)
        # one sort of (group, high bits of the hash) instead of a lexsort (4x slower); an equal
        # pair (chance ~ n**2 / 2**(65 - gbits)) falls back to the exact lexsort
        v = (group.astype(np.uint64) << U64(64 - gbits)) | (b >> U64(gbits))
        o = np.argsort(v)
        if np.any(v[o[1:]] == v[o[:-1]]):
            return np.lexsort((b, group))
        return o

    def sample_weighted(self, name: str, year: int, keys: np.ndarray, weights: np.ndarray,
                        k: int | np.ndarray, group: np.ndarray | None = None) -> np.ndarray:
        """Mask of the keys drawn without replacement with probability proportional to
        ``weights`` (successive sampling, as ``Generator.choice(replace=False, p=...)``): ``k``
        of them, or ``k[g]`` of each ``group`` g. The exponential race of Efraimidis & Spirakis:
        the smallest ``E_i / w_i`` win, so whether an agent is drawn does not depend on its slot."""
        keys = as_keys(keys)
        race = -pm.log(self.uniform(name, year, keys))
        race /= np.asarray(weights, dtype=float)
        if group is None:
            group = np.zeros(keys.size, dtype=np.int64)
            k = np.array([k])
        return smallest_per_group(race, np.asarray(group, dtype=np.int64), np.asarray(k, dtype=np.int64).ravel())


def smallest_per_group(key: np.ndarray, group: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Mask of the ``k[g]`` first of each group ``g`` (int64, in [0, k.size)) in the order of
    ``np.lexsort((key, group))``: the smallest keys, ties in index order. Compiled without sorting
    the rest when the kernels are on (``kernels.group_smallest``: the same mask), else the sort."""
    chosen = kernels.group_smallest(key, group, k)
    if chosen is not None:
        return chosen
    order = kernels.group_lexsort(key, group, k.size)  # np.lexsort((key, group)), compiled when on
    g = group[order]
    rank = np.arange(g.size) - kernels.group_starts(g)  # position within the group
    chosen = np.zeros(key.size, dtype=bool)
    chosen[order] = rank < k[g]
    return chosen


def zone_key_order(zone: np.ndarray, keys: np.ndarray, n_zones: int) -> np.ndarray:
    """Firms sorted by zone, and within a zone by the top bits of their permanent key: the order
    in which a zone's labour demand is laid out for hiring, so a cohort's uniform lands on the
    same firm whatever the pool slots. One 16-bit radix sort (numpy's stable sort of uint16) of
    the cell (zone, top 16 - log2(zones) key bits): 0.3 ms at 40,000 firms, against 0.2 ms for a
    sort by zone alone and ~0.9 ms for a second radix pass that would break the remaining ties.
    Firms of one zone that share those key bits (in the default world about half of them share
    with one or two others) keep slot order among themselves, which only moves cohorts between
    those few firms' intervals."""
    zone = np.asarray(zone, dtype=np.int64)
    k = as_keys(keys)
    zbits = max(1, int(n_zones - 1).bit_length())
    if zbits > 12:  # more than 4,096 zones: a full sort
        return np.lexsort((k, zone))
    cell = kernels.zone_key_cells(zone, k, zbits)  # one compiled pass: the same cells
    if cell is None:
        kbits = 16 - zbits
        cell = (k >> U64(64 - kbits)).astype(np.uint16)
        cell |= (zone << kbits).astype(np.uint16)
    return kernels.stable_argsort_u16(cell)  # np.argsort(cell, kind="stable"); one compiled counting pass


# ------------------------------------------------------------------------------------------
# quantile functions (numpy; the normal's central part compiled when the kernels are on)
# ------------------------------------------------------------------------------------------
# Wichura (1988), AS 241, PPND7: rational approximations of degree 3/3 (central) and 3/2
# (tails), relative error ~1e-7 (absolute error below 1e-6 for any u, tested against scipy):
# far below anything a simulation resolves, at half the cost of the 1e-16 version (PPND16).
_A = (3.3871327179, 50.434271938, 159.29113202, 59.109374720)
_B = (1.0, 17.895169469, 78.757757664, 67.187563600)
_C = (1.4234372777, 2.7568153900, 1.3067284816, 0.17023821103)
_D = (1.0, 0.73700164250, 0.12021132975)
_E = (6.6579051150, 3.0812263860, 0.42868294337, 0.017337203997)
_F = (1.0, 0.24197894225, 0.012258202635)


def _rational(num: tuple[float, ...], den: tuple[float, ...], r: np.ndarray) -> np.ndarray:
    """num(r) / den(r) for coefficient tuples (lowest degree first), both polynomials evaluated
    together (Horner on a 2 x n array: half the numpy calls of two separate evaluations)."""
    deg = max(len(num), len(den))
    c = np.zeros((deg, 2, 1))
    c[:len(num), 0, 0] = num
    c[:len(den), 1, 0] = den
    out = r * c[-1]
    out += c[-2]
    for a in c[-3::-1]:
        out *= r
        out += a
    return np.divide(out[0], out[1], out=out[0])


_AB = (_A, _B)
_CD = (_C, _D)
_EF = (_E, _F)


def ndtri(u: np.ndarray) -> np.ndarray:
    """Standard normal quantile of ``u`` in (0, 1) (any shape): Wichura (1988), AS 241 PPND7
    (see above), monotone in ``u``. The central rational function runs on every element
    without masks (85 % need it); the tails on the rest."""
    u = np.asarray(u, dtype=float)
    shape = u.shape
    u = u.reshape(-1)
    if kernels.ENABLED:  # the central part and the tail indices in one compiled pass: the same bits
        z, tail = kernels.ndtri_central(u)
    else:
        q = u - 0.5
        r = q * q
        np.subtract(0.180625, r, out=r)
        z = _rational(*_AB, r)
        z *= q
        tail = np.flatnonzero(np.abs(q) > 0.425)
    if tail.size and kernels.ENABLED:
        kernels.ndtri_tails(u, tail, z)
    elif tail.size:
        ut = u[tail]
        qt = ut - 0.5
        r = np.sqrt(-pm.log(np.minimum(ut, 1.0 - ut)))
        near = r <= 5.0
        if near.all():
            r -= 1.6
            val = _rational(*_CD, r)
        else:
            val = np.empty_like(r)
            val[near] = _rational(*_CD, r[near] - 1.6)
            val[~near] = _rational(*_EF, r[~near] - 5.0)
        np.copysign(val, qt, out=val)
        z[tail] = val
    return z.reshape(shape)


_LOGFACT = np.array([math.lgamma(k + 1.0) for k in range(4096)])
_WINDOW_CELLS = 1 << 21
_SEQ_RATE = 3.0  # rates below: sequential search for the first _SEQ_STEPS values of k
_SEQ_STEPS = 3
_ABOVE = 1.0 - 2.0**-40  # u + lam above this may need a count above 0 (poisson_ppf)
_HALF_LOG_2PI = 0.9189385332046728  # 0.5 log(2 pi), correctly rounded (a literal: no library's log at import)


def _lgamma1(k: np.ndarray) -> np.ndarray:
    """log(k!) for whole numbers held as floats: a table below 4096, Stirling's series above
    (error < 1e-20)."""
    if k.size and k.max() < _LOGFACT.size:
        return _LOGFACT[k.astype(np.int64)]
    out = np.empty(k.shape)
    small = k < _LOGFACT.size
    out[small] = _LOGFACT[k[small].astype(np.int64)]
    x = k[~small] + 1.0
    out[~small] = (x - 0.5) * pm.log(x) - x + _HALF_LOG_2PI + 1.0 / (12.0 * x) - 1.0 / (360.0 * pm.power(x, 3.0))
    return out


def poisson_ppf(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Smallest k with P(X <= k) >= u for X ~ Poisson(lam), elementwise (numpy only): exact
    inversion, so a count is a monotone function of its uniform and of the rate."""
    u = np.asarray(u, dtype=float)
    shape = u.shape
    if u.ndim != 1:
        u, lam = u.reshape(-1), np.broadcast_to(lam, shape).reshape(-1)
    lam = np.asarray(lam, dtype=float)
    out = np.zeros(u.size, dtype=np.int64)
    if u.size == 0:
        return out.reshape(shape)
    # k = 0 where u <= exp(-lam); as exp(-lam) > 1 - lam, only u > 1 - lam (less a margin far
    # above the error of exp) can need more: with the model's innovation rates a few per cent
    if kernels.ENABLED and kernels.draws_on():  # the same steps, compiled (_poisson_rest)
        u, lam = np.ascontiguousarray(u), np.ascontiguousarray(np.broadcast_to(lam, u.shape))
        _poisson_rest(out, u, lam, *kernels.poisson_rows(u, lam, _ABOVE, _SEQ_RATE))
        return out.reshape(shape)
    rows = np.flatnonzero(u + lam > _ABOVE)
    if rows.size == 0:
        return out.reshape(shape)
    # small rates: a sequential search for the first few k (most rows end there), on compacted
    # arrays; the rest (large rates, and the few small-rate rows left) by windows of their CDF
    small = lam[rows] < _SEQ_RATE
    act = rows[small]
    uu, ll = u[act], lam[act]
    pp = pm.exp(-ll)
    cc = pp.copy()
    k = 0
    while act.size and k < _SEQ_STEPS:
        go = uu > cc
        act, uu, ll, cc, pp = act[go], uu[go], ll[go], cc[go], pp[go]
        k += 1
        out[act] = k
        pp *= ll
        pp /= k
        cc += pp
    if act.size:
        act = act[uu > cc]
    rows = np.concatenate([rows[~small], act])
    if rows.size:
        _poisson_windows(rows, out, u, lam)
    return out.reshape(shape)


def _poisson_rest(out, u, lam, act, neg, rows, buf) -> None:
    """``poisson_ppf``'s steps after its rows, compiled: ``act`` (rates below _SEQ_RATE, with their
    ``-lam``) by sequential search, then by windows ``rows`` (the other rates, at the start of
    ``buf``) and after them the rows ``act`` left (written into ``buf`` behind ``rows``: the numpy
    path's concatenation, in its order)."""
    nr = rows.size
    if act.size:
        nr += kernels.poisson_head(u, lam, act, pm.exp(neg, out=neg), _SEQ_STEPS, out, buf[nr:]).size
    if nr:
        _poisson_windows(buf[:nr], out, u, lam)


def _poisson_windows(rows, out, u, lam) -> None:
    """Exact quantiles of ``rows`` from their CDFs over windows [lo, lo + width) holding all
    but ~1e-25 of each row's mass; rows of similar width (within a factor 4) share a window."""
    if kernels.ENABLED and rows.dtype == np.int64 and u.dtype == lam.dtype == np.float64:
        ll, uu, lo, w, lomax = kernels.window_rows(rows, lam, u)  # one compiled pass: the same values
        if w >= 0 and lomax < _LOGFACT.size:
            # compiled, row by row, each stopping at its quantile (as below, where this is explained),
            # from pmf(lo) = exp(lo log(lam) - lam - log(lo!)), pmath's exp and log
            p0 = kernels.window_logp(lo, pm.log(ll), ll, _LOGFACT) if kernels.draws_on() else \
                lo * pm.log(ll) - ll - _LOGFACT[lo.astype(np.int64)]
            kernels.window_counts(rows, ll, lo, uu, pm.exp(p0, out=p0), w, out)
            return
    ll, uu = lam[rows], u[rows]
    sd = np.sqrt(ll)
    lo = np.maximum(0.0, np.floor(ll - 11.0 * sd - 5.0))
    width = (np.ceil(ll + 11.0 * sd + 5.0) - lo + 1.0).astype(np.int64)
    if kernels.ENABLED and not (uu > 1.0 - 2.0**-20).any():
        # compiled, row by row, each stopping at its quantile, which lies far inside its own window
        # (u <= 1 - 2**-20 and the window holds all but ~1e-25 of the mass): the count does not
        # depend on how wide the shared window is, so all rows share one call. Rows this close to 1
        # need the survival side over their group's window: the grouping below, as ever.
        w = int(width.max())
        below = kernels.poisson_window(ll, lo, uu, pm.exp(lo * pm.log(ll) - ll - _lgamma1(lo)), w)
        out[rows] = lo.astype(np.int64) + np.minimum(below, w - 1)
        return
    if rows.size * int(width.max()) <= max(4096, 2 * int(width.sum())):  # one window wastes little
        _poisson_window(np.arange(rows.size), out, rows, ll, uu, lo, width)
        return
    m, e = np.frexp(width)  # ceil(log2(width)), exactly: width = m 2^e, m in [0.5, 1)
    bucket = (e - (m == 0.5)) // 2
    for b in np.unique(bucket):
        group = np.flatnonzero(bucket == b)
        step = max(1, _WINDOW_CELLS >> (2 * int(b) + 2))  # bounded memory: rows x width <= ~2**21 cells
        for i in range(0, group.size, step):
            _poisson_window(group[i:i + step], out, rows, ll, uu, lo, width)


def _poisson_window(sel, out, rows, ll, uu, lo, width) -> None:
    """Quantiles of the rows ``sel`` from their CDFs over a common window (cells x rows, so
    every cumulative product and sum runs across rows at once)."""
    w = int(width[sel].max())
    l, k0, u = ll[sel], lo[sel], uu[sel]
    # pmf(k0) from logs, then pmf(k + 1) = pmf(k) lam / (k + 1) down the window: one cumprod
    # (rounding grows ~ width x 1e-16, < 1e-13 for any rate the model has)
    p0 = pm.exp(k0 * pm.log(l) - l - _lgamma1(k0))
    if kernels.ENABLED:  # row by row, stopping at the quantile (sim.core.kernels): the same counts
        below = kernels.poisson_window(l, k0, u, p0, w)
        up = np.flatnonzero(u > 1.0 - 2.0**-20)
        if up.size:  # the survival side needs the whole window: numpy, as below
            pu = np.empty((w, up.size))
            pu[0] = p0[up]
            np.divide(l[up], k0[up] + np.arange(1.0, w)[:, None], out=pu[1:])
            np.cumprod(pu, axis=0, out=pu)
            sf = np.cumsum(pu[::-1], axis=0)[::-1]
            sf -= pu
            below[up] = (sf > (1.0 - u[up])).sum(axis=0)
        out[rows[sel]] = k0.astype(np.int64) + np.minimum(below, w - 1)
        return
    pmf = np.empty((w, sel.size))
    pmf[0] = p0
    np.divide(l, k0 + np.arange(1.0, w)[:, None], out=pmf[1:])
    np.cumprod(pmf, axis=0, out=pmf)
    below = (np.cumsum(pmf, axis=0) < u).sum(axis=0)
    up = np.flatnonzero(u > 1.0 - 2.0**-20)  # within 1e-6 of 1: the survival function is the accurate side
    if up.size:
        pu = pmf[:, up]
        sf = np.cumsum(pu[::-1], axis=0)[::-1]
        sf -= pu  # P(X > k)
        below[up] = (sf > (1.0 - u[up])).sum(axis=0)
    out[rows[sel]] = k0.astype(np.int64) + np.minimum(below, w - 1)
