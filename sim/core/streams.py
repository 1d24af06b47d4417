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

numpy only (the core imports no scipy): the normal quantile is Wichura's AS 241 (PPND16,
relative error ~1e-16), the Poisson quantile is exact inversion (a sequential search for small
rates, a windowed CDF for large ones). ``tests/core/test_streams.py`` checks both against scipy,
and the statistical quality of the streams (uniformity, independence of streams, years, draws,
seeds and adjacent keys).
"""

from __future__ import annotations

import difflib
import hashlib
import math
from collections.abc import Iterable

import numpy as np

from sim.core.choice import draw_alternatives

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


def combine(*parts: np.ndarray | int, start: np.ndarray | int = 0) -> np.ndarray:
    """Vectorised, broadcasting hash of integer parts into one 64-bit key: the way agents'
    permanent keys are derived from their lineage (``sim.core.keys``), e.g. an entrant's key
    from (tag, year, zone key, k). A chain ``h <- fmix(h ^ fmix(part + GOLDEN))`` from ``start``,
    so ``combine(a, b, c) == combine(c, start=combine(a, b))``: a prefix shared by many keys is
    hashed once. Leading scalar parts are hashed in Python."""
    h: int | np.ndarray = start if isinstance(start, np.ndarray) else int(start) & MASK
    for p in parts:
        if isinstance(h, int) and np.ndim(p) == 0 and not isinstance(p, np.ndarray):
            h = _combine_int(int(p) & MASK, start=h)
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
        for n in names:
            self.register(n)

    def __repr__(self) -> str:
        return f"Streams(seed={self.seed!r}, {len(self._ids)} streams, rounds={self.rounds})"

    # -- registry ------------------------------------------------------------------------
    def register(self, name: str) -> None:
        """Add a stream (e.g. a lever's own decision: ``lever.<name>.<purpose>``)."""
        sid = name_key(name)
        clash = [n for n, i in self._ids.items() if i == sid and n != name]
        if clash:  # 2**-64 per pair: only a deliberate collision could get here
            raise ValueError(f"stream {name!r} hashes like {clash[0]!r}")
        self._ids[name] = sid

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._ids)

    def _const(self, name: str, year: int, draw: int) -> tuple[np.uint64, np.uint64]:
        c = self._consts.get((name, year, draw))
        if c is None:
            sid = self._ids.get(name)
            if sid is None:
                near = difflib.get_close_matches(name, self._ids, n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                raise KeyError(f"unknown random stream {name!r}{hint}")
            c = (U64(_combine_int(self._k1, sid, year, draw)), U64(_combine_int(self._k2, sid, year, draw)))
            self._consts[(name, year, draw)] = c
        return c

    # -- raw bits and uniforms -----------------------------------------------------------
    def bits(self, name: str, year: int, keys: np.ndarray, draw: int = 0) -> np.ndarray:
        """64 random bits per key (uint64): the stream's value for (year, key, draw). Every
        draw of the model goes through here."""
        c1, c2 = self._const(name, int(year), int(draw))
        k = as_keys(keys)
        x = np.multiply(k.reshape(-1), _GOLDu)  # a new 1-d array; keys are not modified
        x += c1
        fmix(x)
        if self.rounds == 2:
            x += c2
            fmix(x)
        return x.reshape(k.shape)

    def uniform(self, name: str, year: int, keys: np.ndarray, draw: int = 0) -> np.ndarray:
        """Uniform numbers in the open interval (0, 1), one per key (52 random bits)."""
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

    def normal(self, name: str, year: int, keys: np.ndarray, draw: int = 0) -> np.ndarray:
        """Standard normal by inversion (AS 241)."""
        return ndtri(self.uniform(name, year, keys, draw))

    def lognormal(self, name: str, year: int, keys: np.ndarray, mean: float | np.ndarray,
                  sigma: float | np.ndarray, draw: int = 0) -> np.ndarray:
        """exp(mean + sigma z): numpy's ``lognormal(mean, sigma)``."""
        z = self.normal(name, year, keys, draw)
        z *= sigma
        z += mean
        return np.exp(z, out=z)

    def integers(self, name: str, year: int, keys: np.ndarray, high: int | np.ndarray, low: int = 0) -> np.ndarray:
        """Integers in [low, high) (uniform to 2**-52)."""
        return low + np.floor(self.uniform(name, year, keys) * (np.asarray(high) - low)).astype(np.int64)

    def geometric(self, name: str, year: int, keys: np.ndarray, p: float | np.ndarray) -> np.ndarray:
        """Trials to the first success (1, 2, ...), numpy's ``geometric(p)``."""
        u = self.uniform(name, year, keys)
        return np.maximum(1, np.ceil(np.log(u) / np.log1p(-np.asarray(p, dtype=float)))).astype(np.int64)

    def poisson(self, name: str, year: int, keys: np.ndarray, lam: np.ndarray | float) -> np.ndarray:
        """Poisson counts by exact inversion of one keyed uniform each: a small change of ``lam``
        changes a count only if the uniform is within the change of a CDF step."""
        keys = as_keys(keys)
        return poisson_ppf(self.uniform(name, year, keys), np.broadcast_to(np.asarray(lam, dtype=float), keys.shape))

    def choice(self, name: str, year: int, keys: np.ndarray, cdf: np.ndarray, group: np.ndarray) -> np.ndarray:
        """Alternative of each key from its ``group`` row of cumulative probabilities (the
        ``sim.core.choice`` inversion: O(log alternatives) per agent). Keep the column order
        stable between packages (new alternatives appended)."""
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
        g = -np.log(-np.log(u))
        g += util[np.asarray(group, dtype=np.int64)]
        return np.argmax(g, axis=1)

    def order(self, name: str, year: int, keys: np.ndarray, group: np.ndarray | None = None) -> np.ndarray:
        """Indices of ``keys`` in a key-based random order (within ``group``, groups ascending):
        two agents' relative order does not depend on who else is in the queue. No ties: the
        hash is a bijection of distinct keys. Use a yearly stream, so the same agents do not
        head every queue every year."""
        b = self.bits(name, year, keys)
        if group is None:
            return np.argsort(b)
        group = np.asarray(group, dtype=np.int64)
        if group.size == 0:
            return np.zeros(0, dtype=np.int64)
        gbits = max(1, int(group.max()).bit_length())
        if group.min() < 0 or gbits > 24:
            return np.lexsort((b, group))
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
        race = -np.log(self.uniform(name, year, keys))
        race /= np.asarray(weights, dtype=float)
        if group is None:
            group = np.zeros(keys.size, dtype=np.int64)
            k = np.array([k])
        group = np.asarray(group, dtype=np.int64)
        order = np.lexsort((race, group))
        g = group[order]
        start = np.searchsorted(g, g, side="left")  # first position of each group
        rank = np.arange(g.size) - start
        chosen = np.zeros(keys.size, dtype=bool)
        chosen[order] = rank < np.asarray(k, dtype=np.int64)[g]
        return chosen


def zone_key_order(zone: np.ndarray, keys: np.ndarray, n_zones: int) -> np.ndarray:
    """Firms sorted by zone, and within a zone by their permanent key: the order in which a
    zone's labour demand is laid out for hiring, so a cohort's uniform lands on the same firm
    whatever the pool slots. Two 16-bit radix sorts (LSD: the next 16 key bits, then the cell of
    zone and top key bits): (zone, 32 - log2(zones) key bits). Two firms of a zone share all
    those bits with chance ~ n_zone**2 / 2**(33 - log2 zones): then they keep slot order
    between themselves."""
    zone = np.asarray(zone, dtype=np.int64)
    k = as_keys(keys)
    zbits = max(1, int(n_zones - 1).bit_length())
    if zbits >= 16:  # > 32,768 zones: a full sort
        return np.lexsort((k, zone))
    kbits = 16 - zbits
    low = (k >> U64(48 - kbits)).astype(np.uint16)  # the 16 key bits after the top kbits (wraps: keeps the low 16)
    o = np.argsort(low, kind="stable")  # numpy sorts 16-bit keys by radix
    cell = (zone[o].astype(np.uint16) << np.uint16(kbits)) | (k[o] >> U64(64 - kbits)).astype(np.uint16)
    return o[np.argsort(cell, kind="stable")]


# ------------------------------------------------------------------------------------------
# quantile functions (numpy only)
# ------------------------------------------------------------------------------------------
_A = (3.3871328727963666080e0, 1.3314166789178437745e+2, 1.9715909503065514427e+3, 1.3731693765509461125e+4,
      4.5921953931549871457e+4, 6.7265770927008700853e+4, 3.3430575583588128105e+4, 2.5090809287301226727e+3)
_B = (1.0, 4.2313330701600911252e+1, 6.8718700749205790830e+2, 5.3941960214247511077e+3,
      2.1213794301586595867e+4, 3.9307895800092710610e+4, 2.8729085735721942674e+4, 5.2264952788528545610e+3)
_C = (1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0, 3.64784832476320460504e0,
      1.27045825245236838258e0, 2.41780725177450611770e-1, 2.27238449892691845833e-2, 7.74545014278341407640e-4)
_D = (1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
      1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4, 1.05075007164441684324e-9)
_E = (6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0, 2.96560571828504891230e-1,
      2.65321895265761230930e-2, 1.24266094738807843860e-3, 2.71155556874348757815e-5, 2.01033439929228813265e-7)
_F = (1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
      7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7, 2.04426310338993978564e-15)


def _horner(c: tuple[float, ...], r: np.ndarray) -> np.ndarray:
    out = np.full_like(r, c[-1])
    for a in c[-2::-1]:
        out *= r
        out += a
    return out


def ndtri(u: np.ndarray) -> np.ndarray:
    """Standard normal quantile of ``u`` in (0, 1): Wichura (1988), AS 241 PPND16. The central
    rational function runs on every element without masks (85 % need it); the tails on the rest."""
    u = np.asarray(u, dtype=float)
    q = u - 0.5
    r = q * q
    np.subtract(0.180625, r, out=r)
    z = _horner(_A, r)
    z /= _horner(_B, r)
    z *= q
    tail = np.flatnonzero(np.abs(q) > 0.425)
    if tail.size:
        qt, ut = q[tail], u[tail]
        r = np.sqrt(-np.log(np.where(qt < 0.0, ut, 1.0 - ut)))
        near = r <= 5.0
        val = np.empty_like(r)
        rn = r[near] - 1.6
        val[near] = _horner(_C, rn) / _horner(_D, rn)
        rf = r[~near] - 5.0
        val[~near] = _horner(_E, rf) / _horner(_F, rf)
        z[tail] = np.where(qt < 0.0, -val, val)
    return z


_LOGFACT = np.array([math.lgamma(k + 1.0) for k in range(4096)])
_WINDOW_CELLS = 1 << 21
_SMALL = 12.0  # rates below: sequential search from 0; above: a window around the mean
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _logfact(k: np.ndarray) -> np.ndarray:
    """log(k!) for integer arrays: a table below 4096, Stirling's series above (error < 1e-20)."""
    out = np.empty(k.shape)
    small = k < _LOGFACT.size
    out[small] = _LOGFACT[k[small]]
    x = k[~small] + 1.0
    out[~small] = (x - 0.5) * np.log(x) - x + _HALF_LOG_2PI + 1.0 / (12.0 * x) - 1.0 / (360.0 * x**3)
    return out


def poisson_ppf(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Smallest k with P(X <= k) >= u for X ~ Poisson(lam), elementwise (numpy only)."""
    u = np.asarray(u, dtype=float)
    lam = np.asarray(lam, dtype=float)
    out = np.zeros(u.shape, dtype=np.int64)
    if u.size == 0:
        return out
    # small rates: sequential search, k = 0 for every element at once (most end there), then
    # only the rest, on compacted arrays
    c = np.exp(-lam)
    act = np.flatnonzero((u > c) & (lam < _SMALL))
    if act.size:
        uu, ll, cc = u[act], lam[act], c[act]
        pp = cc.copy()
        k = 0
        kmax = int(_SMALL + 12.0 * math.sqrt(_SMALL) + 30)  # beyond: mass < 1e-30, u cannot get there
        while act.size and k < kmax:
            k += 1
            pp *= ll
            pp /= k
            cc += pp
            out[act] = k
            go = uu > cc
            if not go.all():
                act, uu, ll, cc, pp = act[go], uu[go], ll[go], cc[go], pp[go]
    large = np.flatnonzero(lam >= _SMALL)
    if large.size:  # a window [lo, lo + width) around the mean holding all but ~1e-25 of the mass
        ll, uu = lam[large], u[large]
        sd = np.sqrt(ll)
        lo = np.maximum(0, np.floor(ll - 11.0 * sd - 5.0)).astype(np.int64)
        width = np.ceil(ll + 11.0 * sd + 5.0).astype(np.int64) - lo + 1
        if large.size * int(width.max()) <= _WINDOW_CELLS // 4:  # few rows (zone counts): one window
            _poisson_window(np.arange(large.size), out, large, ll, uu, lo, width)
            return out
        # rows of similar width together (powers of two), each row's CDF by its own cumsum:
        # one cumsum over all rows would lose ~rows x 1e-16 of precision in the tails
        bucket = np.ceil(np.log2(width)).astype(np.int64)
        for b in np.unique(bucket):
            group = np.flatnonzero(bucket == b)
            step = max(1, _WINDOW_CELLS >> int(b))  # bounded memory: rows x width <= ~2**21 cells
            for i in range(0, group.size, step):
                _poisson_window(group[i:i + step], out, large, ll, uu, lo, width)
    return out


def _poisson_window(rows, out, large, ll, uu, lo, width) -> None:
    """Quantiles of the large-rate ``rows`` from their CDF over a common window."""
    w = int(width[rows].max())
    l, k0 = ll[rows], lo[rows]
    # pmf(k0) from logs, then pmf(k + 1) = pmf(k) lam / (k + 1) along the row: one cumprod
    # (rounding grows ~ width x 1e-16, < 1e-13 for any rate the model has)
    pmf = np.empty((rows.size, w))
    pmf[:, 0] = np.exp(k0 * np.log(l) - l - _logfact(k0))
    pmf[:, 1:] = l[:, None] / (k0[:, None] + np.arange(1, w)[None, :])
    np.cumprod(pmf, axis=1, out=pmf)
    cdf = np.cumsum(pmf, axis=1)
    below = (cdf < uu[rows, None]).sum(axis=1)
    up = uu[rows] > 0.5  # upper half: the survival function is the accurate side
    if up.any():
        sf = np.cumsum(pmf[up, ::-1], axis=1)[:, ::-1] - pmf[up]  # P(X > k)
        below[up] = (sf > (1.0 - uu[rows][up])[:, None]).sum(axis=1)
    out[large[rows]] = lo[rows] + np.minimum(below, w - 1)
