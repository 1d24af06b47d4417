"""Compiled loops (numba) for the few hot paths where numpy's one-pass-per-operation costs most.

Each kernel gives **bit for bit** the numbers of the numpy code it replaces (the numpy code stays
as the fallback when numba is missing and as the reference in ``tests/core/test_kernels.py``):

* ``keyed_bits`` / ``keyed_uniform``: the SplitMix64 hash of ``sim.core.streams`` in one pass
  (numpy makes ~10 passes over the array: multiply, add, three shifts, three xors, two
  multiplies, then the uniform's shift, or and subtract). Integer arithmetic wraps modulo 2**64
  in both; the uniform ``(2i + 1) * 2**-53`` is the same double as numpy's
  ``(1 + i / 2**52) - (1 - 2**-53)`` (both exact: i < 2**52).
* ``poisson_window``: the windowed Poisson CDF of ``sim.core.streams._poisson_window`` row by
  row, stopping at the row's quantile instead of filling the whole window (the window spans
  +-11 standard deviations; the quantile is near the middle). The same multiplications, divisions
  and additions in the same order as numpy's ``cumprod`` and ``cumsum`` down the window (no
  fused multiply-add: numba does not contract without ``fastmath``). A cumulative sum of
  non-negative numbers never falls, so the first cell at or above ``u`` is numpy's count of cells
  below it.
* ``group_sum``: ``np.bincount(group, weights, minlength)`` in one pass (bincount first scans
  for the largest group), summing in element order like bincount, a run of equal groups in a
  register (firms are stored mostly zone by zone).
* ``ndtri_central``: the normal quantile's central rational function (additions, multiplications
  and one division: the same on any CPU) and the tail indices, in one pass; the tails'
  logarithm is sim.core.pmath's, between the passes.

* ``keyed_poisson``, ``keyed_normals``, ``keyed_order``: a keyed draw's whole chain (the hashes, the
  rows needing more than a comparison, the quantile search; or the bits and a stable sort) in one
  compiled call instead of ~4-10, a year's small draws being paid in calls (issue 19, forty-first
  session); likewise a compact pool's moves on removal (``compact_moves``) and its gathers on entry
  (``gather_rows``). Forty-second session: ``keyed_choice`` (the uniforms and the row search),
  ``keyed_lognormal`` (the normals, affine, exp), ``counted_keys_from`` (a group's new keys from its zone
  key) and ``move_row_groups`` (a pool's moves over its kept dtype groups); ``keyed_order`` below 1,024
  keys sorts each group by its hashes' top bits (buckets, then an insertion sort), not by comparisons
  alone. The Poisson, normal and lognormal kernels call pmath's own vectorised ``exp`` and ``log``
  loops (the ones ``pm.exp`` and ``pm.log`` run), so they carry a digest of pmath's source as a closure
  value: numba checks only a kernel's own file for changes, and keys its cache by closure values.

Chains of floating-point arithmetic around transcendental functions (``exp``, ``log``, ``**``) are
fused in ``sim.core.fused``, with the model's own functions (``sim.core.pmath``) between the passes.

numba compiles each kernel on first use and caches the machine code next to this file
(``cache=True``). When a process switches the kernels on: see ``model_started`` below.
``ZONESIM_NO_NUMBA=1`` keeps the numpy code (read strictly: ``switches_wanted``); the model's own
transcendental functions (``sim.core.pmath``) are compiled with numba whatever the switch.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Callable
from typing import Any

import numpy as np
from sim.core import pmath as pm
from sim.core import threads as _threads

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S12, _S1 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(12), np.uint64(1)
_ONE = np.uint64(1)
_ZERO, _S6, _M63 = np.uint64(0), np.uint64(6), np.uint64(63)  # the key filter's word and bit
_HALF_ULP = 2.0 ** -53
_BLOCK = 2048  # keys a block of the draws' vectorised loops (16 KB of doubles: L1)

# numba is imported and the kernels loaded only in a process that runs enough of the model: numba's
# start-up (~0.3 s to import, ~0.5 s to initialise and load the cached machine code, several times
# that on a loaded machine) is paid back after roughly 20 default runs. ``ZoneModel`` reports each
# model's agents to ``model_started``; the kernels switch on once the process has built models with
# WARM_UP agents in all (default 300,000: the 7th default world, the 3rd 100k-agent world, the first
# 1M-agent one), so a single ``zonesim run`` stays on numpy and a study's workers switch after a few
# runs (results are the same either way). ``zonesim run``, ``compare`` and the studies know their
# work: they tell the executor how many runs their tasks make, the executor tells each process its
# share (``expect_models``; ``sim.experiments.executor``), and a process whose runs will reach
# WARM_UP switches at its first. ``enable()`` switches them on at once (tests, benchmarks).
ENV_NO_NUMBA, ENV_AFTER = "ZONESIM_NO_NUMBA", "ZONESIM_KERNELS_AFTER"
DEFAULT_WARM_UP = 300_000


def _no_numba() -> bool:
    from sim.core.errors import env_switch

    return env_switch(ENV_NO_NUMBA, default=False)


def _warm_up() -> int:
    from sim.core.errors import env_whole

    return env_whole(ENV_AFTER, DEFAULT_WARM_UP, f"a whole number of agents, 0 or more (default {DEFAULT_WARM_UP:,}: "
                                                 "the kernels switch on once the process has built that many)")


def switches_wanted() -> tuple[bool, int]:
    """The two switches, read strictly: (``ZONESIM_NO_NUMBA`` set?, ``ZONESIM_KERNELS_AFTER`` in
    agents). ``ZONESIM_NO_NUMBA`` is an on/off switch, off by default (1, on, true, yes keep the
    numpy code); ``ZONESIM_KERNELS_AFTER`` a whole number of agents, 0 or more (default 300,000).
    Another value raises InputError, one line naming the variable and what is allowed (the
    command line checks it before it writes anything, exit 2)."""
    return _no_numba(), _warm_up()


def _at_import(read: Callable[[], Any], fallback: Any) -> Any:
    # a bad value must not break the import (a traceback instead of the command line's one line):
    # each switch falls back on its own, and sim.cli.main reports it (switches_wanted) before any work
    from sim.core.errors import InputError

    try:
        return read()
    except InputError:
        return fallback


# a bad ZONESIM_NO_NUMBA keeps the numpy code, as any value but 0 did before it was read strictly
_NO_NUMBA, WARM_UP = _at_import(_no_numba, True), _at_import(_warm_up, DEFAULT_WARM_UP)
AVAILABLE = not _NO_NUMBA and importlib.util.find_spec("numba") is not None
ENABLED = False  # True once the kernels are loaded (and not switched off since)
_agents = 0
_warmed = False  # the switch by model_started happens once per process
_expected = 0  # models this process expects to build (expect_models: a command's share of its runs)
numba = None


def expect_models(n: int) -> None:
    """A hint from a command that knows its work: this process is to build about ``n`` models in all
    (its share of the runs). Then ``model_started`` switches the kernels on at the first model when
    ``n`` models of its size reach ``WARM_UP`` agents, instead of after ``WARM_UP`` agents built: the
    runs before the switch are the slower ones, and the switch costs the same whenever it comes
    (``benchmarks/bench_startup.py``: paid back after ~3-5 default runs). Results are the same."""
    global _expected
    _expected = max(int(n), 0)


def model_started(agents: int) -> None:
    """Count a model's agents; load the kernels once the process has built ``WARM_UP`` in all, or
    at once when the models it expects to build (``expect_models``) will reach that many."""
    global _agents, _warmed
    _agents += int(agents)
    if not _warmed and (_agents >= WARM_UP or int(agents) * _expected >= WARM_UP):
        _warmed = True
        enable()


def enable() -> bool:
    """Import numba and load the kernels now (if numba is available); True if they are on."""
    global ENABLED, numba
    if not AVAILABLE:
        return False
    if numba is None:
        import numba as nb

        _build(nb)
        numba = nb
    ENABLED = True
    return True


def _build(nb) -> None:
    """Define the kernels (compiled on first use, the machine code cached on disk)."""
    # kernels that call another kernel find it as a module global, not a closure cell: numba keys
    # its on-disk cache by the pickled closure cells, and a pickled dispatcher differs in every
    # process (the cache would never hit: every process compiled them again, ~0.7 s)
    global _fmix, _bits, _unit, _key_unit, _uniform, _central_into, _tails_of, _window_count, _poisson_window, _window_rows, _window_counts, _group_sum, _group_count, _mostly_switching, _demand, _zone_key_cells, \
        _central, _ndtri_central, _keyed_normal, _group_sums, _move_rows, _key_table, _key_find, _kth, _break_ties, \
        _poisson_head, _group_middles, _group_gather, _rational_3_2, _ndtri_tails, _sums_by_two, _below, _rows_above, _cell_zone_sums, _chain, _chain_step, \
        _counted_keys_from, \
        _class_bill_changes, _energy_by_zone, _viable_rd_firms
    _jit = nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")

    @_jit
    def _fmix(x):  # pragma: no cover - compiled; SplitMix64's finaliser (streams.fmix)
        x ^= x >> _S30
        x *= _M1
        x ^= x >> _S27
        x *= _M2
        x ^= x >> _S31
        return x

    @_jit
    def _bits(keys, c1, c2, rounds, out):  # pragma: no cover - compiled
        # fmix(key * GOLDEN + c1), and with 2 rounds fmix(. + c2) in a second loop (one loop with
        # both rounds, or with the rounds test inside, vectorised without unrolling: 6x slower on
        # an Intel AVX-512 machine, twentieth session)
        for i in range(keys.size):
            out[i] = _fmix(keys[i] * _GOLD + c1)
        if rounds == 2:
            for i in range(keys.size):
                out[i] = _fmix(out[i] + c2)

    @_jit
    def _unit(bits, out):  # pragma: no cover - compiled
        # the uniform (2i + 1) * 2**-53 from the hash's top 52 bits (module docstring)
        for i in range(bits.size):
            out[i] = np.float64(((bits[i] >> _S12) << _S1) | _ONE) * _HALF_ULP

    @nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy", inline="always")
    def _key_unit(key, c1, c2, rounds):  # pragma: no cover - compiled
        # one key's uniform: _bits' hash and _unit's number (a kernel that draws for a few of its rows)
        b = _fmix(key * _GOLD + c1)
        if rounds == 2:
            b = _fmix(b + c2)
        return np.float64(((b >> _S12) << _S1) | _ONE) * _HALF_ULP

    @_jit
    def _uniform(keys, c1, c2, rounds, out):  # pragma: no cover - compiled
        # in blocks of _BLOCK keys: the hashes into a block buffer (L1), then their uniforms. The
        # same arithmetic in one loop ran 4x slower on an Intel AVX-512 machine (Xeon, LLVM's
        # "rocketlake": vectorised but neither unrolled nor interleaved, 6.2 against 1.6 ns a key
        # over 50,000 keys; twentieth session); split, each loop vectorises and unrolls
        hb = np.empty(min(keys.size, _BLOCK), dtype=np.uint64)
        for s in range(0, keys.size, _BLOCK):
            kb = keys[s:s + _BLOCK]
            h = hb[:kb.size]
            _bits(kb, c1, c2, rounds, h)
            _unit(h, out[s:s + _BLOCK])

    # The draws below work in blocks of _BLOCK keys: first branch-free loops (the hashes, their
    # uniforms as in _uniform and, for normals, the central function) that LLVM vectorises, into
    # block buffers that stay in L1; then the comparisons and the collection of indices, whose
    # conditional stores would keep the hash from vectorising if written in the same loop. Measured
    # in one process against the one-loop versions (an AMD AVX-512 machine): Bernoulli picks 0.49x
    # (50,000 keys, scalar p) to 0.68x (per-key p), normals 0.55x; 500,000 keys 0.52-0.65x.
    @_jit
    def _below(keys, c1, c2, rounds, p, scalar, out):  # pragma: no cover - compiled
        # np.flatnonzero(uniform < p): _uniform's number for each key, compared, indices collected
        ub, hb = np.empty(_BLOCK), np.empty(_BLOCK, dtype=np.uint64)
        n = 0
        for s in range(0, keys.size, _BLOCK):
            kb = keys[s:s + _BLOCK]
            h, u = hb[:kb.size], ub[:kb.size]
            _bits(kb, c1, c2, rounds, h)  # the block's hashes and uniforms (see _uniform)
            _unit(h, u)
            # a branch, not a branchless count: the model's picks are rare (exit 7 %, relocation 2 %,
            # spin-offs 0.6 %), and a branch that rarely goes one way costs less than a store a key
            if scalar:
                p0 = p[0]
                for j in range(kb.size):
                    if u[j] < p0:
                        out[n] = s + j
                        n += 1
            else:
                pb = p[s:s + _BLOCK]
                for j in range(kb.size):
                    if u[j] < pb[j]:
                        out[n] = s + j
                        n += 1
        return n

    @_jit
    def _window_count(l, k0, ur, p0, w):  # pragma: no cover - compiled
        # numpy: pmf = [p0, l / (k0 + 1), l / (k0 + 2), ...]; cumprod down the window; cumsum;
        # below = count(cumsum < u). The same operations in the same order, stopping early.
        p = p0
        c = p
        j = 0
        while c < ur:
            j += 1
            if j == w:
                break
            p = p * (l / (k0 + np.float64(j)))
            c = c + p
        return j

    @_jit
    def _poisson_window(l, k0, u, p0, w, below):  # pragma: no cover - compiled
        for r in range(l.size):
            below[r] = _window_count(l[r], k0[r], u[r], p0[r], w)

    # streams._poisson_windows' set-up of the window rows (gathers, the window's first cell and
    # width: sqrt, floor and ceil are exact in both) and, after pmath's log, lgamma and exp of the
    # first cell's probability, the counts written back: two passes instead of ~25 numpy calls on
    # a handful of rows (entry and graduates: a fixed cost paid every year)
    @_jit
    def _window_rows(rows, lam, u, ll, uu, lo):  # pragma: no cover - compiled
        # also the largest first cell (lo.max(), -1.0 with no rows): whether the log-factorial table
        # covers every window, without another pass
        wmax = 0
        lomax = -1.0
        for r in range(rows.size):
            i = rows[r]
            x, ur = lam[i], u[i]
            ll[r], uu[r] = x, ur
            if ur > 1.0 - 2.0**-20 or not (x >= 0.0):
                return -1, lomax  # the survival side (or a rate numpy's windows fail on): numpy decides
            sd = 11.0 * np.sqrt(x)
            k0 = np.floor(x - sd - 5.0)
            k0 = k0 if k0 > 0.0 else 0.0  # noqa: FURB136 - np.maximum(0.0, .): +0.0, as numpy gives
            lo[r] = k0
            lomax = max(lomax, k0)
            wmax = max(wmax, np.int64(np.ceil(x + sd + 5.0) - k0 + 1.0))
        return wmax, lomax

    @_jit
    def _window_counts(rows, l, k0, u, p0, w, out):  # pragma: no cover - compiled
        for r in range(rows.size):
            out[rows[r]] = np.int64(k0[r]) + min(_window_count(l[r], k0[r], u[r], p0[r], w), w - 1)

    # The group sums keep the running sum of the current run of equal groups in a register and
    # store it when the group changes: ``out[g] += w`` on a run of one group waits for the
    # previous store of the same cell each time (store-to-load forwarding, ~10 cycles an element;
    # 50,000 sorted elements took 166 us against 43 us this way). But where the group changes at
    # many elements (firms by zone in a run: 35-41 % of neighbours share a zone), the test of
    # the change is mispredicted at random and costs more than it saves: 50,000 elements in 14
    # groups, changing at random at 2 / 10 / 20 / 50 % of them, took 38 / 63 / 98 / 195 us with
    # the running sum and 132 / 87 / 71 / 53 us with the plain loop. So a strided sample of 64
    # neighbour pairs picks the loop (_mostly_switching: the plain one above 8 changes). Either way the additions per group are the same, in element order, so
    # the sums are bincount's bit for bit.
    @_jit
    def _mostly_switching(group):  # pragma: no cover - compiled
        m = group.size
        if m < 128:
            return False
        step = (m - 1) // 64
        switches = 0
        for j in range(64):
            i = j * step
            if group[i] != group[i + 1]:
                switches += 1
        return switches > 8  # the loops break even at ~13 % switches (random arrays of 50,000)

    @_jit
    def _group_sum(group, weights, out):  # pragma: no cover - compiled
        n = out.size
        if group.size == 0:
            return True
        if _mostly_switching(group):
            for i in range(group.size):
                g = group[i]
                if g < 0 or g >= n:
                    return False
                out[g] += weights[i]
            return True
        cur = group[0]
        if cur < 0 or cur >= n:  # a group outside [0, size): the caller discards out, bincount decides
            return False
        acc = out[cur]
        for i in range(group.size):
            g = group[i]
            if g != cur:
                if g < 0 or g >= n:
                    return False
                out[cur] = acc
                cur = g
                acc = out[g]
            acc += weights[i]
        out[cur] = acc
        return True

    @_jit
    def _demand(group, emp, share, sector, want, out):  # pragma: no cover - compiled
        # want = emp * share[sector]; out = bincount(group, want): the same products and sums in order
        n = out.size
        if group.size == 0:
            return True
        if _mostly_switching(group):  # as _group_sum
            for i in range(group.size):
                g = group[i]
                if g < 0 or g >= n:
                    return False
                w = emp[i] * share[sector[i]]
                want[i] = w
                out[g] += w
            return True
        cur = group[0]
        if cur < 0 or cur >= n:
            return False
        acc = out[cur]
        for i in range(group.size):
            g = group[i]
            if g != cur:  # the running sum of a run of one group stays in a register (_group_sum)
                if g < 0 or g >= n:
                    return False
                out[cur] = acc
                cur = g
                acc = out[g]
            w = emp[i] * share[sector[i]]
            want[i] = w
            acc += w
        out[cur] = acc
        return True

    @_jit
    def _zone_key_cells(zone, keys, zshift, kshift, out):  # pragma: no cover - compiled
        # (keys >> kshift).astype(uint16) | (zone << zshift).astype(uint16), as streams.zone_key_order
        for i in range(zone.size):
            out[i] = np.uint16((keys[i] >> kshift) & np.uint64(0xFFFF)) | np.uint16((zone[i] << zshift) & 0xFFFF)

    @_jit
    def _group_sums(group, ws, out, cnt, count):  # pragma: no cover - compiled
        # one pass for several weights by the same groups (and the counts): each column adds in
        # element order, as bincount; the columns' additions interleave, so one column's wait for
        # its cell's last store overlaps the others', and the group index is read once
        n = out.shape[1]
        for i in range(group.size):
            g = group[i]
            if g < 0 or g >= n:
                return False
            if count:
                cnt[g] += 1
            for k in range(len(ws)):
                out[k, g] += ws[k][i]
        return True

    @_jit
    def _class_bill_changes(cls, k, table, output, per_output, sector, land, land_tax, zone, extra, minus, plus):
        # pragma: no cover - compiled
        # MuYield.firm_costs: each firm's change = table[class] (the first k firms; later ones 0),
        # times its bill output * per_output[sector] + land_tax * land, and the zone sums of the
        # discounts max(-e, 0) and surcharges max(e, 0) in firm order: numpy's operations in the
        # same order (no fused multiply-add), the sums as bincount adds them
        n, nt, ns = minus.size, table.size, per_output.size
        for i in range(extra.size):
            c = 0.0
            if i < k:
                j = cls[i]
                if j < -nt or j >= nt:
                    return False
                c = table[j]  # -1 (unclassed): the table's last entry, as numpy indexes
            s = sector[i]
            g = zone[i]
            if s < 0 or s >= ns or g < 0 or g >= n:
                return False
            e = c * (output[i] * per_output[s] + land_tax * land[i])
            extra[i] = e
            d, u = -e, e
            if d < 0.0:
                d = 0.0
            if u < 0.0:
                u = 0.0
            minus[g] += d
            plus[g] += u
        return True

    @_jit
    def _energy_by_zone(output, intensity, sector, upgraded, keep, zone, out):  # pragma: no cover - compiled
        # environment.energy_use: output x 100 x intensity[sector] / 1e6 per firm, x keep (1 - saving)
        # for upgraded firms, summed by zone in firm order: numpy's operations in the same order
        n, ns = out.size, intensity.size
        for i in range(output.size):
            s = sector[i]
            g = zone[i]
            if s < 0 or s >= ns or g < 0 or g >= n:
                return False
            u = output[i] * 100.0
            u = u * intensity[s]
            u = u / 1e6
            if upgraded[i]:
                u = u * keep
            out[g] += u
        return True

    @_jit
    def _viable_rd_firms(zone_ok, zone, output, rd_share, threshold, hightech, excluded, profit, min_margin, out):
        # pragma: no cover - compiled
        # TechFinance.eligible's tests in one pass, then the margin's division for the firms that
        # passed them (output > 0 there, so max(output, 1e-9) is numpy's). The first tests combine
        # without branches and every position is written, the count moving on only for a pass: a
        # branch a test cost ~6 ns a firm on the Intel machine (its outcomes are unpredictable)
        n, nz = 0, zone_ok.size
        for i in range(zone.size):
            g = zone[i]
            if g < 0 or g >= nz:
                return -1
            ok = zone_ok[g] & (output[i] > 0.0) & (not excluded[i]) & ((rd_share[i] >= threshold) | hightech[i])
            out[n] = i
            n += ok
        k = 0
        for j in range(n):
            i = out[j]
            o = output[i]
            if o < 1e-9:
                o = 1e-9
            out[k] = i
            k += profit[i] / o > min_margin
        return k

    @_jit
    def _central(q):  # pragma: no cover - compiled
        # streams.ndtri's central rational function (AS 241) of q = u - 0.5, as numpy does it:
        # r = 0.180625 - q*q, both polynomials by Horner from the top coefficient, divided, times q
        # (additions and multiplications only: no library function, so the same bits on any CPU)
        r = q * q
        r = 0.180625 - r
        num = r * 59.109374720 + 159.29113202
        num = num * r + 50.434271938
        num = num * r + 3.3871327179
        den = r * 67.187563600 + 78.757757664
        den = den * r + 17.895169469
        den = den * r + 1.0
        return (num / den) * q

    @_jit
    def _ndtri_central(u, z, tail):  # pragma: no cover - compiled
        # the central function on every element, and the tail rows' indices for pmath's logarithm
        nt = 0
        for i in range(u.size):
            q = u[i] - 0.5
            z[i] = _central(q)
            if np.abs(q) > 0.425:
                tail[nt] = i
                nt += 1
        return nt

    @_jit
    def _central_into(u, z):  # pragma: no cover - compiled
        for j in range(u.size):
            z[j] = _central(u[j] - 0.5)

    @_jit
    def _tails_of(u, s, tail, ut, nt):  # pragma: no cover - compiled
        # the block's tail rows (offset s: |u - 0.5| > 0.425) and their uniforms appended from nt,
        # without a branch: every row is written and the count grows by the test (15 % of rows are
        # tails, at random: a branch mispredicted often; 3.0 -> 1.7 ns a key)
        for j in range(u.size):
            x = u[j]
            tail[nt] = s + j
            ut[nt] = x
            nt += np.abs(x - 0.5) > 0.425
        return nt

    @_jit
    def _keyed_normal(keys, c1, c2, rounds, z, tail, ut):  # pragma: no cover - compiled
        # _uniform's number for each key, the central function, and the tail rows with their
        # uniforms (in blocks: see _below; tail and ut hold a row for every key)
        ub, hb = np.empty(_BLOCK), np.empty(_BLOCK, dtype=np.uint64)
        nt = 0
        for s in range(0, keys.size, _BLOCK):
            kb = keys[s:s + _BLOCK]
            h, u = hb[:kb.size], ub[:kb.size]
            _bits(kb, c1, c2, rounds, h)
            _unit(h, u)
            _central_into(u, z[s:s + _BLOCK])
            nt = _tails_of(u, s, tail, ut, nt)
        return nt

    @_jit
    def _move_rows(cols, src, dst):  # pragma: no cover - compiled
        # col[dst] = col[src] for each column of one dtype (a tuple of 1-d arrays): src and dst are
        # disjoint (Pool.remove: tail slots into holes below the new end), so in place is the same
        for c in range(len(cols)):
            col = cols[c]
            for i in range(src.size):
                col[dst[i]] = col[src[i]]

    # Key look-ups (sim.core.keys.KeyIndex): an open-addressing hash table of the table's keys,
    # slot = top bits of key * golden ratio (Fibonacci hashing; agent keys are already 64-bit
    # hashes), linear probing. A slot holds the key and 1 + its position in the table's keys (0:
    # empty) side by side, one cache line a probe; a repeated key keeps its first position, and the
    # build says whether there was one. In front of it a one-hash filter (64-128 bits a key, more
    # top bits of the same product): most queries are absent (every firm against a lever's few
    # hundred loans or projects), and a clear bit answers -1 without the probe loop, whose varying
    # length cost a branch misprediction a query (guangxi-23: 11-22 ns a query, ~5 ms a year;
    # ~1 ns with the filter). A table key always sets its bit, so the answers are the same.
    @_jit
    def _key_table(keys, shift, slots, fshift, filt):  # pragma: no cover - compiled
        mask = np.uint64(slots.shape[0] - 1)
        repeated = False
        for i in range(keys.size):
            k = keys[i]
            f = (k * _GOLD) >> fshift
            filt[f >> _S6] |= _ONE << (f & _M63)
            h = (k * _GOLD) >> shift
            while True:
                if slots[h, 1] == 0:
                    slots[h, 0] = k
                    slots[h, 1] = np.uint64(i + 1)
                    break
                if slots[h, 0] == k:
                    repeated = True
                    break
                h = (h + _ONE) & mask
        return repeated

    @_jit
    def _key_find(query, shift, slots, fshift, filt, out):  # pragma: no cover - compiled
        mask = np.uint64(slots.shape[0] - 1)
        for i in range(query.size):
            k = query[i]
            f = (k * _GOLD) >> fshift
            if (filt[f >> _S6] >> (f & _M63)) & _ONE == _ZERO:
                out[i] = -1
                continue
            h = (k * _GOLD) >> shift
            while True:
                j = slots[h, 1]
                if j == 0 or slots[h, 0] == k:
                    out[i] = np.int64(j) - 1
                    break
                h = (h + _ONE) & mask

    @_jit
    def _kth(a, k):  # pragma: no cover - compiled
        # the k-th smallest (0-based) of a NaN-free array: numba's quickselect on a copy (used
        # where ``selection`` finds it faster than numpy's np.partition: a machine's property)
        return np.partition(a, k)[k]

    @_jit
    def _break_ties(order, group, value, key):  # pragma: no cover - compiled
        # order = np.lexsort((value, group)) becomes np.lexsort((key, value, group)): each run of
        # equal (group, value) sorted by key, stably (equal keys keep position order)
        n = order.size
        j = 0
        while j < n:
            e = j + 1
            g, v = group[order[j]], value[order[j]]
            while e < n and group[order[e]] == g and value[order[e]] == v:
                e += 1
            if e - j > 1:
                run = order[j:e].copy()
                order[j:e] = run[np.argsort(key[run], kind="mergesort")]
            j = e

    @_jit
    def _rows_above(u, lam, thr, out):  # pragma: no cover - compiled
        # np.flatnonzero(u + lam > thr)
        n = 0
        for i in range(u.size):
            if u[i] + lam[i] > thr:
                out[n] = i
                n += 1
        return n

    @_jit
    def _poisson_head(u, lam, act, p0, steps, out, left):  # pragma: no cover - compiled
        # streams.poisson_ppf's sequential search over the first ``steps`` counts, row by row: the
        # pmf from exp(-lam) (numpy's, passed in), p *= lam, p /= k, c += p, the same operations
        # in the same order; rows still below their uniform after ``steps`` go to ``left`` (in order)
        nl = 0
        for i in range(act.size):
            r = act[i]
            ur, lr = u[r], lam[r]
            p = p0[i]
            c = p
            k = 0
            while ur > c:
                if k == steps:
                    left[nl] = r
                    nl += 1
                    break
                k += 1
                out[r] = k
                p = p * lr
                p = p / np.float64(k)
                c = c + p
        return nl

    @_jit
    def _group_gather(group, value, start, buf):  # pragma: no cover - compiled
        # a counting sort: the values of group g into buf[start[g]:start[g + 1]] (in element order);
        # False if a group is outside [0, start.size - 1). A run of one group (firms are stored
        # mostly zone by zone) is counted, and written, from a register: a count in memory made each
        # element wait for the last one's store (22,000 values in 15 sorted groups: 150 -> 75 us on
        # the Intel machine, twenty-third session; the same time on random groups)
        n_groups = start.size - 1
        start[:] = 0
        n = group.size
        if n == 0:
            return True
        cur, run = group[0], 0
        for i in range(n):
            g = group[i]
            if g != cur:
                start[cur + 1] += run
                cur, run = g, 0
            if g < 0 or g >= n_groups:
                return False
            run += 1
        start[cur + 1] += run
        for g in range(n_groups):
            start[g + 1] += start[g]
        fill = start[:-1].copy()
        cur = group[0]
        at = fill[cur]
        for i in range(n):
            g = group[i]
            if g != cur:
                fill[cur] = at
                cur = g
                at = fill[g]
            buf[at] = value[i]
            at += 1
        return True

    @_jit
    def _group_middles(group, value, n_groups, lo, hi):  # pragma: no cover - compiled
        # per group of c members: its values at sorted positions (c - 1) // 2 and c // 2, by
        # selection (numba's quickselect on the group's values gathered by a counting sort)
        start = np.zeros(n_groups + 1, dtype=np.int64)
        buf = np.empty(group.size, dtype=np.float64)
        if not _group_gather(group, value, start, buf):
            return False
        for g in range(n_groups):
            a, b = start[g], start[g + 1]
            c = b - a
            if c == 0:
                continue
            m2 = c // 2
            part = np.partition(buf[a:b], m2)
            hi[g] = part[m2]
            lo[g] = part[m2] if c % 2 == 1 else part[:m2].max()
        return True

    @_jit
    def _chain_step(h, part):  # pragma: no cover - compiled
        # streams.combine's chain step: fmix(h ^ fmix(part + GOLDEN)) (wrapping uint64 arithmetic)
        return _fmix(h ^ _fmix(part + _GOLD))

    @_jit
    def _counted_keys_from(h, zone_key, counts, out):  # pragma: no cover - compiled
        # keys.counted_keys in one pass: each group's prefix, the chain step of (h, its zone key),
        # then the k-th agent's key the chain step of (prefix, k)
        j = 0
        for g in range(counts.size):
            pre = _chain_step(h, zone_key[g])
            for k in range(counts[g]):
                out[j] = _chain_step(pre, np.uint64(k))
                j += 1

    @_jit
    def _chain(h, parts, out):  # pragma: no cover - compiled
        # the chain step over 1-d parts, ``h`` one value for all (size 1) or one per part
        one = h.size == 1
        for i in range(parts.size):
            out[i] = _chain_step(h[0 if one else i], parts[i])

    @_jit
    def _rational_3_2(r, c3, c2, c1, c0, d2, d1):  # pragma: no cover - compiled
        # (c3 r^3 + .. + c0) / (0 r^3 + d2 r^2 + d1 r + 1) by Horner from the top, as streams._rational
        num = r * c3 + c2
        den = r * 0.0 + d2
        num = num * r + c1
        den = den * r + d1
        num = num * r + c0
        den = den * r + 1.0
        return num / den

    @_jit
    def _ndtri_tails(ut, tail, lg, z):  # pragma: no cover - compiled
        # streams.ndtri's tails after pmath's log (lg = log(min(u, 1 - u))): r = sqrt(-lg), the
        # AS 241 rational function in r - 1.6 (r <= 5) or r - 5, evaluated as streams._rational
        # does (numerator and denominator by Horner from the top, the denominator's missing top
        # coefficient a zero times r), and the sign of u - 0.5
        for i in range(tail.size):
            t = tail[i]
            r = np.sqrt(-lg[i])
            if r <= 5.0:  # streams._C / _D
                v = _rational_3_2(r - 1.6, 0.17023821103, 1.3067284816, 2.7568153900, 1.4234372777,
                                  0.12021132975, 0.73700164250)
            else:  # streams._E / _F
                v = _rational_3_2(r - 5.0, 0.017337203997, 0.42868294337, 3.0812263860, 6.6579051150,
                                  0.012258202635, 0.24197894225)
            z[t] = np.copysign(v, ut[i] - 0.5)

    @_jit
    def _sums_by_two(a, b, w, out_a, out_b):  # pragma: no cover - compiled
        # bincount(a, w) and bincount(b, w) in one pass, each added in element order
        na, nb = out_a.size, out_b.size
        for i in range(a.size):
            ga, gb = a[i], b[i]
            if ga < 0 or ga >= na or gb < 0 or gb >= nb:
                return False
            out_a[ga] += w[i]
            out_b[gb] += w[i]
        return True

    @_jit
    def _cell_zone_sums(a, b, wa, wbs, out_a, out_b):  # pragma: no cover - compiled
        # bincount(a, wa) and bincount(b, w) for each w of wbs, in one pass, each in element order
        na, nb = out_a.size, out_b.shape[1]
        for i in range(a.size):
            ga, gb = a[i], b[i]
            if ga < 0 or ga >= na or gb < 0 or gb >= nb:
                return False
            out_a[ga] += wa[i]
            for k in range(len(wbs)):
                out_b[k, gb] += wbs[k][i]
        return True

    @_jit
    def _group_count(group, out):  # pragma: no cover - compiled
        n = out.size
        if group.size == 0:
            return True
        if _mostly_switching(group):  # as _group_sum
            for i in range(group.size):
                g = group[i]
                if g < 0 or g >= n:
                    return False
                out[g] += 1
            return True
        cur = group[0]
        if cur < 0 or cur >= n:
            return False
        acc = out[cur]
        for i in range(group.size):
            g = group[i]
            if g != cur:  # as _group_sum: the count of a run of one group in a register
                if g < 0 or g >= n:
                    return False
                out[cur] = acc
                cur = g
                acc = out[g]
            acc += 1
        out[cur] = acc
        return True


def compact_moves(idx: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """``Pool.remove``'s ``(src, dst)`` for a compact pool of ``n`` members losing the slots ``idx``
    (1-d int64) in one compiled pass: the tail's surviving slots, ascending, into the freed slots
    below the new end, ascending. None when the kernels are off or a slot is outside [0, n) or
    repeated (numpy decides)."""
    if not (idx.dtype == np.int64 and idx.ndim == 1 and small_on()):
        return None
    k = idx.size
    src, dst = np.empty(k, dtype=np.int64), np.empty(k, dtype=np.int64)
    m = _compact_moves(np.ascontiguousarray(idx), int(n), src, dst)
    if m < 0:
        return None
    return src[:m], dst[:m]


def gather_rows(groups: dict[np.dtype, tuple[list[np.ndarray], list[np.ndarray]]], rows: np.ndarray,
                start: int) -> bool:
    """``col[start:start + rows.size] = src[rows]`` for each (column, source) pair of ``groups`` (by
    dtype: the columns and their sources, 1-d, C-contiguous, of the column's dtype), one compiled
    call a dtype; False, nothing written, when the kernels are off or a row is outside a source."""
    if not small_on() or rows.dtype != np.int64 or rows.ndim != 1 or not groups:
        return False
    rows = np.ascontiguousarray(rows)
    if not _rows_within(rows, min(src.size for _, srcs in groups.values() for src in srcs)):
        return False  # the bounds first, every source: all or nothing
    for cols, srcs in groups.values():
        _gather_rows(tuple(cols), tuple(srcs), rows, int(start))
    return True


def move_row_groups(groups: list[tuple[np.ndarray, ...]], n_columns: int, src: np.ndarray, dst: np.ndarray) -> bool:
    """``col[dst] = col[src]`` for every column of ``groups`` (tuples of 1-d C-contiguous columns of
    one dtype, ``n_columns`` in all, as a pool keeps them: ``Pool._dtype_groups``; ``src`` and ``dst``
    int64, disjoint, equal length), one compiled pass per dtype instead of a gather and a scatter per
    column; False (nothing moved) when the kernels are off or the call would cost more."""
    if not ENABLED or src.size < 32 or src.dtype != np.int64 or dst.dtype != np.int64:
        return False
    ranges = _threads.parts(src.size, 1, n_columns)
    if ranges is not None:
        # on threads, the moves shared out by rows (src and dst disjoint: each move is its own, the same
        # bits in any order); the same tuples of columns, so no other compiled signature
        _threads.run(lambda lo, hi: [_move_rows(g, src[lo:hi], dst[lo:hi]) for g in groups], ranges)
        return True
    for cols in groups:
        _move_rows(cols, src, dst)
    return True


_FILTER_MAX_BITS = 23  # the filter's size is capped at 2**23 bits (1 MB): beyond, more false positives


def key_table(keys: np.ndarray) -> tuple[int, np.ndarray, bool, int, np.ndarray]:
    """The hash table of ``keys`` (1-d uint64) for :func:`key_find`: (shift, slots, whether a key
    is repeated, the filter's shift, the filter's words). At least twice as many slots as keys."""
    bits = max(4, int(2 * keys.size).bit_length())
    fbits = min(_FILTER_MAX_BITS, max(10, int(64 * keys.size).bit_length()))
    slots = np.zeros((1 << bits, 2), dtype=np.uint64)
    filt = np.zeros(1 << (fbits - 6), dtype=np.uint64)
    repeated = _key_table(np.ascontiguousarray(keys), np.uint64(64 - bits), slots, np.uint64(64 - fbits), filt)
    return 64 - bits, slots, bool(repeated), 64 - fbits, filt


def key_find(table: tuple[int, np.ndarray, bool, int, np.ndarray], query: np.ndarray) -> np.ndarray:
    """Position in the table's keys of each ``query`` key (its first, if repeated), -1 if absent."""
    shift, slots, _, fshift, filt = table
    out = np.empty(query.size, dtype=np.int64)
    _key_find(np.ascontiguousarray(query), np.uint64(shift), slots, np.uint64(fshift), filt, out)
    return out


# Which selection (the k-th smallest of many values: a zone's median, a ranking's cut) is faster
# differs by machine: on an Intel AVX-512 machine numpy's np.partition (its vectorised selection)
# took ~2 ns a value and numba's quickselect ~14 (twenty-third session); on an AMD machine numba's
# took ~2.7 and numpy's ~18 (fourth session). A selection's value does not depend on how it is found,
# so the faster is chosen once per process by timing both (``selection``); ``ZONESIM_SELECTION``
# (``numpy`` or ``compiled``) fixes the choice (read strictly: ``selection_wanted``).
ENV_SELECTION = "ZONESIM_SELECTION"
SELECTION = ""  # the process's choice once made ("numpy" or "compiled")
_PROBE = 8192  # values the timing selects among: a zone's medians and a ranking's candidates are 10^3-10^5
MANY_GROUPS = 64  # group_middles loops over the groups in Python on the numpy path: beyond, compiled


def selection_wanted() -> str:
    """``ZONESIM_SELECTION``, read strictly: ``"numpy"`` or ``"compiled"`` (any case), or ``""`` when
    unset or empty (the faster, timed); another value raises InputError, one line naming the
    variable and what is allowed (the command line checks it before it writes anything, exit 2)."""
    text = os.environ.get(ENV_SELECTION, "").strip().lower()
    if text not in ("", "numpy", "compiled"):
        from sim.core.errors import InputError

        raise InputError(f"environment variable {ENV_SELECTION}", None,
                         f"{text!r} is not allowed: numpy, compiled, or unset (the faster of the two, timed)")
    return text


def selection() -> str:
    """``"numpy"`` or ``"compiled"``: the one ``ZONESIM_SELECTION`` fixes, else the faster selection
    on this machine, timed on first use (best of three of each, interleaved, on fixed pseudo-random
    values; ~0.3 ms once a process)."""
    global SELECTION
    if SELECTION not in ("numpy", "compiled"):
        if not ENABLED:
            return "numpy"
        SELECTION = selection_wanted()
        if SELECTION:
            return SELECTION
        import time

        a = ((np.arange(1, _PROBE + 1, dtype=np.uint64) * _GOLD) >> np.uint64(11)).astype(np.float64)
        k = _PROBE // 2
        _kth(a, k)  # loaded before it is timed
        best = {"numpy": np.inf, "compiled": np.inf}
        for _ in range(3):
            for name, fn in (("compiled", _kth), ("numpy", lambda a, k: np.partition(a, k)[k])):
                t0 = time.perf_counter()
                fn(a, k)
                best[name] = min(best[name], time.perf_counter() - t0)
        SELECTION = min(best, key=best.__getitem__)
    return SELECTION


def kth_smallest(a: np.ndarray, k: int) -> float:
    """``np.partition(a, k)[k]`` of a 1-d float64 array without NaN (the value is the same
    whichever of equal elements a selection returns), by the faster selection (``selection``)."""
    if ENABLED and a.dtype == np.float64 and a.ndim == 1 and selection() == "compiled":
        return _kth(np.ascontiguousarray(a), int(k))
    return np.partition(a, k)[k]


def break_ties(order: np.ndarray, group: np.ndarray, value: np.ndarray, key: np.ndarray) -> bool:
    """Turn ``order = np.lexsort((value, group))`` into ``np.lexsort((key, value, group))`` in place
    (NaN-free float64 ``value``; equal values -0.0 and 0.0 included); False when the kernels are off."""
    if not (ENABLED and order.dtype == np.int64 and value.dtype == np.float64 and key.dtype.kind in "iu"):
        return False
    _break_ties(order, np.ascontiguousarray(group), np.ascontiguousarray(value), np.ascontiguousarray(key))
    return True


def rows_above(u: np.ndarray, lam: np.ndarray, thr: float) -> np.ndarray:
    """``np.flatnonzero(u + lam > thr)`` of two 1-d float64 arrays in one pass."""
    out = np.empty(u.size, dtype=np.int64)
    return out[:_rows_above(u, lam, float(thr), out)]


def poisson_head(u: np.ndarray, lam: np.ndarray, act: np.ndarray, p0: np.ndarray, steps: int,
                 out: np.ndarray, left: np.ndarray | None = None) -> np.ndarray:
    """Counts 1 .. ``steps`` of the rows ``act`` into ``out`` by sequential search from
    ``p0 = exp(-lam[act])``; returns the rows whose count is beyond ``steps`` (ascending), at the
    start of ``left`` if given (1-d int64, room for ``act.size`` rows)."""
    if left is None:
        left = np.empty(act.size, dtype=np.int64)
    n = _poisson_head(u, lam, act, np.ascontiguousarray(p0, dtype=np.float64), int(steps), out, left)
    return left[:n]


def group_middles(group: np.ndarray, value: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The values at sorted positions (c - 1) // 2 and c // 2 of each group of c members
    (0 for empty groups), for groups in [0, n_groups) and NaN-free float64 values (1-d, or 2-d:
    each row by the same groups, the answers then 2-d), by the faster selection (``selection``);
    None when the kernels are off or the input is not of that kind."""
    if not (ENABLED and group.ndim == 1 and group.dtype == np.int64 and value.dtype == np.float64
            and value.ndim in (1, 2) and value.shape[-1] == group.size and n_groups < 1 << 20):
        return None
    rows = np.ascontiguousarray(value.reshape(-1, group.size))
    lo, hi = np.zeros((rows.shape[0], n_groups)), np.zeros((rows.shape[0], n_groups))
    group = np.ascontiguousarray(group)
    if n_groups > MANY_GROUPS or selection() == "compiled":
        for r in range(rows.shape[0]):
            if not _group_middles(group, rows[r], int(n_groups), lo[r], hi[r]):
                return None
    else:  # numpy's selection on each group's values, gathered by the compiled counting sort
        start, buf = np.zeros(n_groups + 1, dtype=np.int64), np.empty(rows.shape)
        for r in range(rows.shape[0]):
            if not _group_gather(group, rows[r], start, buf[r]):
                return None
        for g, (a, b) in enumerate(zip(start[:-1].tolist(), start[1:].tolist())):
            c, m2 = b - a, (b - a) // 2
            if c == 0:
                continue
            for r in range(rows.shape[0]):
                part = buf[r, a:b]
                part.partition(m2)  # in place (the gathered copy is ours); one place: numpy's fast path
                hi[r, g] = part[m2]
                lo[r, g] = part[:m2].max() if c % 2 == 0 else part[m2]  # the largest below the middle
    return (lo[0], hi[0]) if value.ndim == 1 else (lo, hi)


def counted_keys_from(h: np.uint64, zone_key: np.ndarray, counts: np.ndarray) -> np.ndarray | None:
    """``keys.counted_keys``' keys from the chain ``h`` of its leading scalar parts, the 1-d uint64
    zone keys and 1-d int64 counts (one per zone) in one pass: agent k of zone g gets
    ``chain(chain(h, zone_key[g]), k)``. None when the kernels are off or a count is negative (numpy's repeat raises)."""
    if not ENABLED or counts.ndim != 1 or zone_key.shape != counts.shape or counts.dtype != np.int64:
        return None
    total = 0
    for c in counts.tolist():
        if c < 0:
            return None
        total += c
    out = np.empty(total, dtype=np.uint64)
    _counted_keys_from(np.uint64(h), np.ascontiguousarray(zone_key), np.ascontiguousarray(counts), out)
    return out


def chain(h: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """``streams.combine``'s step ``fmix(h ^ fmix(parts + GOLDEN))`` of 1-d uint64 ``parts`` with
    ``h`` of size 1 or of the parts' size, in one pass (numpy: seven calls a ``fmix``, twice)."""
    out = np.empty(parts.size, dtype=np.uint64)
    _chain(np.ascontiguousarray(h, dtype=np.uint64), np.ascontiguousarray(parts), out)
    return out


def ndtri_tails(u: np.ndarray, tail: np.ndarray, z: np.ndarray) -> None:
    """``streams.ndtri``'s tail rows ``tail`` of ``u`` into ``z`` (pmath's logarithm, the rest
    compiled: additions, multiplications, one division, a square root and a sign, the same bits)."""
    ut = u[tail]
    lg = pm.log(np.minimum(ut, 1.0 - ut))
    _ndtri_tails(ut, tail, lg, z)


def keyed_normal(keys: np.ndarray, c1: np.uint64, c2: np.uint64, rounds: int) -> np.ndarray:
    """``streams.ndtri(keyed_uniform(keys, ...))`` of 1-d keys: the uniforms, the central function
    and the tail rows in one pass, the tails after pmath's logarithm; the same numbers."""
    k = np.ascontiguousarray(keys)
    z, tail, ut = np.empty(k.size), np.empty(k.size, dtype=np.int64), np.empty(k.size)
    c1, c2 = np.uint64(c1), np.uint64(c2)
    ranges = _threads.parts(k.size, _BLOCK)
    if ranges is None:
        nt = _keyed_normal(k, c1, c2, rounds, z, tail, ut)
    else:  # in parts on threads: each part's tail rows at its own offset, then joined in order
        counts = _threads.run(lambda lo, hi: _keyed_normal(k[lo:hi], c1, c2, rounds, z[lo:hi], tail[lo:hi], ut[lo:hi]),
                              ranges)
        nt = _join_parts(ranges, counts, tail, ut)
    if nt:
        ut, tail = ut[:nt], tail[:nt]
        _ndtri_tails(ut, tail, pm.log(np.minimum(ut, 1.0 - ut)), z)
    return z


def sums_by_two(a: np.ndarray, b: np.ndarray, w: np.ndarray, na: int, nb: int) -> tuple[np.ndarray, np.ndarray]:
    """``(np.bincount(a, w, minlength=na), np.bincount(b, w, minlength=nb))``: the sums of one weight
    by two indices (a firm's cell and its zone), in one pass when the kernels are on."""
    if (ENABLED and a.size >= 256 and a.dtype == b.dtype == np.int64 and w.dtype == np.float64
            and a.shape == b.shape == w.shape and a.ndim == 1):
        out_a, out_b = np.zeros(na), np.zeros(nb)
        if _sums_by_two(np.ascontiguousarray(a), np.ascontiguousarray(b), np.ascontiguousarray(w), out_a, out_b):
            return out_a, out_b
    return group_sum(a, w, na), group_sum(b, w, nb)


def cell_zone_sums(a: np.ndarray, b: np.ndarray, wa: np.ndarray, wbs: tuple[np.ndarray, ...], na: int,
                   nb: int) -> list[np.ndarray]:
    """``[np.bincount(a, wa, minlength=na)] + [np.bincount(b, w, minlength=nb) for w in wbs]``: one
    weight by a firm's cell and 1-4 by its zone (production's output, R&D and tax), in one pass when
    the kernels are on."""
    if (ENABLED and a.size >= 256 and a.dtype == b.dtype == np.int64 and a.shape == b.shape == wa.shape
            and a.ndim == 1 and 1 <= len(wbs) <= 4 and wa.dtype == np.float64
            and all(w.dtype == np.float64 and w.shape == a.shape for w in wbs)):
        out_a, out_b = np.zeros(na), np.zeros((len(wbs), nb))
        if _cell_zone_sums(np.ascontiguousarray(a), np.ascontiguousarray(b), np.ascontiguousarray(wa),
                           tuple(np.ascontiguousarray(w) for w in wbs), out_a, out_b):
            return [out_a, *out_b]
    return [group_sum(a, wa, na), *group_sums(b, tuple(wbs), nb)]


def keyed_bits(keys: np.ndarray, c1: np.uint64, c2: np.uint64, rounds: int) -> np.ndarray:
    """``fmix(keys * GOLDEN + c1)`` (and ``fmix(. + c2)`` with 2 rounds) of 1-d uint64 keys."""
    out = np.empty(keys.size, dtype=np.uint64)
    _bits(np.ascontiguousarray(keys), np.uint64(c1), np.uint64(c2), rounds, out)
    return out


def keyed_uniform(keys: np.ndarray, c1: np.uint64, c2: np.uint64, rounds: int) -> np.ndarray:
    """The uniform in (0, 1) of ``keyed_bits``: ``(top 52 bits + 1/2) / 2**52``."""
    out = np.empty(keys.size, dtype=np.float64)
    k, c1, c2 = np.ascontiguousarray(keys), np.uint64(c1), np.uint64(c2)
    ranges = _threads.parts(k.size, _BLOCK)
    if ranges is None:
        _uniform(k, c1, c2, rounds, out)
    else:
        _threads.run(lambda lo, hi: _uniform(k[lo:hi], c1, c2, rounds, out[lo:hi]), ranges)
    return out


def keyed_below(keys: np.ndarray, c1: np.uint64, c2: np.uint64, rounds: int, p: np.ndarray) -> np.ndarray:
    """Indices (ascending) of the 1-d keys whose ``keyed_uniform`` is below ``p`` (float64: one per
    key, or a single value)."""
    out = np.empty(keys.size, dtype=np.int64)
    k, c1, c2, pa, scalar = (np.ascontiguousarray(keys), np.uint64(c1), np.uint64(c2), np.ascontiguousarray(p).reshape(-1),
                             p.ndim == 0)
    ranges = _threads.parts(k.size, _BLOCK)
    if ranges is None:
        n = _below(k, c1, c2, rounds, pa, scalar, out)
    else:  # in parts on threads: each part's picks at its own offset, then joined in order
        counts = _threads.run(lambda lo, hi: _below(k[lo:hi], c1, c2, rounds, pa if scalar else pa[lo:hi], scalar,
                                                    out[lo:hi]), ranges)
        n = _join_parts(ranges, counts, out)
    return out[:n]


def _join_parts(ranges: list[tuple[int, int]], counts: list[int], *cols: np.ndarray) -> int:
    """Join the parts' rows written at each part's start (``counts[i]`` rows from ``ranges[i][0]``; the
    first column holds row indices relative to the part, made absolute here) into one prefix, in the
    parts' order: the one-thread loop's rows. Returns their number."""
    n = 0
    for (lo, _), m in zip(ranges, counts):
        if lo:
            cols[0][lo:lo + m] += lo
            for c in cols:
                c[n:n + m] = c[lo:lo + m]  # n <= lo: a move down, never over rows not yet moved
        n += m
    return n


def poisson_window(l: np.ndarray, k0: np.ndarray, u: np.ndarray, p0: np.ndarray, w: int) -> np.ndarray:
    """Per row: the number of cells of its window [k0, k0 + w) whose CDF (from ``p0`` = pmf(k0))
    is below ``u`` (``w`` if none reaches it)."""
    below = np.empty(l.size, dtype=np.int64)
    _poisson_window(np.ascontiguousarray(l, dtype=np.float64), np.ascontiguousarray(k0, dtype=np.float64),
                    np.ascontiguousarray(u, dtype=np.float64), np.ascontiguousarray(p0, dtype=np.float64),
                    int(w), below)
    return below


def window_rows(rows: np.ndarray, lam: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, float]:
    """``streams._poisson_windows``' rows: their rates and uniforms, each window's first cell
    ``max(0, floor(lam - 11 sqrt(lam) - 5))``, the widest window ``ceil(lam + 11 sqrt(lam) + 5)
    - first + 1`` and the largest first cell; the width is -1 if a uniform is above 1 - 2**-20
    (numpy decides; the largest first cell is then meaningless)."""
    ll, uu, lo = np.empty(rows.size), np.empty(rows.size), np.empty(rows.size)
    w, lomax = _window_rows(rows, lam, u, ll, uu, lo)
    return ll, uu, lo, int(w), float(lomax)


def window_counts(rows: np.ndarray, l: np.ndarray, k0: np.ndarray, u: np.ndarray, p0: np.ndarray, w: int,
                  out: np.ndarray) -> None:
    """``out[rows] = k0 + min(poisson_window(l, k0, u, p0, w), w - 1)`` in one pass."""
    _window_counts(rows, l, k0, u, p0, int(w), out)


def lazy_tier(table: dict, build: Callable[[Any], None]) -> Callable[[], bool]:
    """The ``on()`` of a module whose kernels are defined on first use (``firm_k``, ``yearly``):
    True when the kernels are on, after ``build(numba)`` has filled ``table`` the first time."""
    def on() -> bool:
        """True when the kernels are on (defined and compiled the first time)."""
        if not ENABLED:
            return False
        if not table:
            build(numba)
        return True
    return on


def group_sum(group: np.ndarray, weights: np.ndarray | None, size: int) -> np.ndarray:
    """``np.bincount(group, weights, minlength=size)``: the same sums, added in the same order
    (numba; groups outside [0, size) go to bincount, which raises or lengthens as it does).
    Integer (int64) weights are made floats one by one as they are added, as bincount makes its
    float copy of them: the same sums without the copy."""
    if ENABLED and group.size >= 256 and group.dtype == np.int64 and group.ndim == 1:  # else the call costs more
        g = np.ascontiguousarray(group)
        if weights is None:
            out = np.zeros(size, dtype=np.int64)
            if _group_count(g, out):
                return out
        elif weights.dtype in (np.float64, np.int64) and weights.shape == group.shape:
            out = np.zeros(size, dtype=np.float64)
            if _group_sum(g, np.ascontiguousarray(weights), out):
                return out
    return np.bincount(group, weights=weights, minlength=size)


def group_sums(group: np.ndarray, weights: tuple[np.ndarray, ...], size: int, count: bool = False) -> list[np.ndarray]:
    """``[np.bincount(group, minlength=size)]`` (with ``count``) followed by
    ``np.bincount(group, w, minlength=size)`` for each of 1-4 ``weights``: the same arrays, bit for
    bit, in one pass over the group index when the kernels are on (large worlds: the passes are
    memory-bound; small ones: the per-call cost). Otherwise, or for groups outside [0, size),
    bincount does each."""
    if (ENABLED and group.size >= 256 and group.dtype == np.int64 and group.ndim == 1 and 1 <= len(weights) <= 4
            and all(w.dtype == np.float64 and w.shape == group.shape for w in weights)):
        out, cnt = np.zeros((len(weights), size)), np.zeros(size if count else 0, dtype=np.int64)
        if _group_sums(np.ascontiguousarray(group), tuple(np.ascontiguousarray(w) for w in weights), out, cnt,
                       count):
            return ([cnt] if count else []) + list(out)
    return ([np.bincount(group, minlength=size)] if count else []) + [
        np.bincount(group, weights=w, minlength=size) for w in weights]


def class_bill_changes(cls: np.ndarray, table: np.ndarray, output: np.ndarray, per_output: np.ndarray,
                       sector: np.ndarray, land: np.ndarray, land_tax: float, zone: np.ndarray,
                       size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The mu-yield lever's price changes in one pass: ``extra = change * bill`` for each of the
    ``output.size`` firms (``change = table[cls]`` for the first ``cls.size``, 0 after; ``bill =
    output * per_output[sector] + land_tax * land``), and ``np.bincount(zone, max(-extra, 0))`` and
    ``np.bincount(zone, max(extra, 0))`` (size ``size``): numpy's numbers (a NaN stays NaN; a
    zero's sign cannot change a sum that starts at +0). None when the kernels are off or the input
    is not of that kind (the caller's numpy decides)."""
    n = output.size
    if not (ENABLED and cls.dtype == sector.dtype == zone.dtype == np.int64 and cls.size <= n
            and sector.size == land.size == zone.size == n and table.dtype == output.dtype == land.dtype
            == per_output.dtype == np.float64 and table.size >= 1):
        return None
    extra, minus, plus = np.empty(n), np.zeros(size), np.zeros(size)
    if not _class_bill_changes(np.ascontiguousarray(cls), cls.size, np.ascontiguousarray(table),
                               np.ascontiguousarray(output), np.ascontiguousarray(per_output),
                               np.ascontiguousarray(sector), np.ascontiguousarray(land), float(land_tax),
                               np.ascontiguousarray(zone), extra, minus, plus):
        return None
    return extra, minus, plus


def energy_by_zone(output: np.ndarray, intensity: np.ndarray, sector: np.ndarray, upgraded: np.ndarray,
                   saving: float, zone: np.ndarray, size: int) -> np.ndarray | None:
    """``sim.policies.environment.energy_use`` in one pass: ``use = output * 100.0 *
    intensity[sector] / 1e6``, ``use[upgraded] *= 1 - saving``, ``np.bincount(zone, use, minlength=
    size)``: numpy's numbers. None when the kernels are off or the input is not of that kind (a
    sector or zone outside its range included: the caller's numpy decides)."""
    n = output.size
    if not (ENABLED and sector.dtype == zone.dtype == np.int64 and upgraded.dtype == np.bool_
            and output.dtype == intensity.dtype == np.float64 and sector.size == zone.size == upgraded.size == n):
        return None
    out = np.zeros(size)
    if not _energy_by_zone(np.ascontiguousarray(output), np.ascontiguousarray(intensity), np.ascontiguousarray(sector),
                           np.ascontiguousarray(upgraded), 1.0 - saving, np.ascontiguousarray(zone), out):
        return None
    return out


def viable_rd_firms(zone_ok: np.ndarray, zone: np.ndarray, output: np.ndarray, rd_share: np.ndarray, threshold: float,
                    hightech: np.ndarray, excluded: np.ndarray, profit: np.ndarray, min_margin: float) -> np.ndarray | None:
    """Ascending positions of the firms in a zone with ``zone_ok``, with ``output > 0``, R&D share at
    ``threshold`` or ``hightech``, not ``excluded``, and ``profit / max(output, 1e-9) > min_margin``
    (tech finance's borrowers) in one pass: numpy's answer. None when the kernels are off or the
    input is not of that kind (a zone outside ``zone_ok`` included: the caller's numpy decides)."""
    n = zone.size
    if not (ENABLED and zone.dtype == np.int64 and zone_ok.dtype == hightech.dtype == excluded.dtype == np.bool_
            and output.dtype == rd_share.dtype == profit.dtype == np.float64
            and output.size == rd_share.size == hightech.size == excluded.size == profit.size == n):
        return None
    out = np.empty(n, dtype=np.int64)
    k = _viable_rd_firms(np.ascontiguousarray(zone_ok), np.ascontiguousarray(zone), np.ascontiguousarray(output),
                         np.ascontiguousarray(rd_share), float(threshold), np.ascontiguousarray(hightech),
                         np.ascontiguousarray(excluded), np.ascontiguousarray(profit), float(min_margin), out)
    return None if k < 0 else out[:k]


def demand(group: np.ndarray, emp: np.ndarray, share: np.ndarray, sector: np.ndarray, size: int):
    """``want = emp * share[sector]`` and ``np.bincount(group, want, minlength=size)`` in one pass;
    None when the kernels are off or a group is outside [0, size) (the caller's numpy decides)."""
    if not ENABLED or group.dtype != np.int64 or sector.dtype != np.int64:
        return None
    want, out = np.empty(group.size), np.zeros(size)
    if _demand(np.ascontiguousarray(group), np.ascontiguousarray(emp, dtype=np.float64),
               np.ascontiguousarray(share, dtype=np.float64), np.ascontiguousarray(sector), want, out):
        return want, out
    return None


def ndtri_central(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``streams.ndtri``'s central rational function of 1-d ``u`` in one pass (every element, as
    numpy computes it) and the indices where ``|u - 0.5| > 0.425`` (the tails, left to numpy)."""
    u = np.ascontiguousarray(u, dtype=np.float64)
    z, tail = np.empty(u.size), np.empty(u.size, dtype=np.int64)
    nt = _ndtri_central(u, z, tail)
    return z, tail[:nt]


def zone_key_cells(zone: np.ndarray, keys: np.ndarray, zbits: int) -> np.ndarray | None:
    """The uint16 sort cells of ``streams.zone_key_order`` (zone in the top ``zbits`` bits, then the
    top bits of the key) in one pass; None when the kernels are off."""
    if not ENABLED or zone.dtype != np.int64 or keys.dtype != np.uint64:
        return None
    kbits = 16 - zbits
    out = np.empty(zone.size, dtype=np.uint16)
    _zone_key_cells(np.ascontiguousarray(zone), np.ascontiguousarray(keys), np.int64(kbits),
                    np.uint64(64 - kbits), out)
    return out


# ------------------------------------------------------------------------------------------
# sorts and searches (issue 19): numba's replacements of the model's ``np.lexsort`` by (group,
# key), the stable uint16 sort of ``zone_key_order``, hiring's cumulative-demand search and the
# choice rows' search. Each gives exactly numpy's permutation or positions (a sort is stable
# where numpy's is: equal keys keep index order); ``group_lexsort`` and ``stable_argsort_u16``
# fall back to numpy themselves, ``cum_search`` and ``row_search`` return None and the caller's
# numpy code decides. Default world, kernels on, paired in one process (SORTS on/off): reanchor
# 0.40x, hire 0.69x, draw_alternatives 0.24x, Streams.order 0.62x, sample_weighted 0.24x; whole
# runs 0.86-0.89x. sim.core.ranking's orders within zones use ``group_lexsort`` too, then break
# ties by a third key (``break_ties``). Compiled on first use after ``enable()``, apart from ``_build``.
# ------------------------------------------------------------------------------------------
# fewer elements: numpy's sort costs less than the radix passes' 2,048 bins (lexsort: even at ~1,000
# elements), or than the counting sort's 65,536 cells (numpy's two 8-bit passes: even at ~15,000)
_SORTS_MIN = 1024
# keyed_order below _SORTS_MIN keys with groups in [0, _BUCKET_GROUPS): a counting sort by group, then
# each group by bits (a group of more than _RUN keys first bucketed by its keys' top bits); other
# groups: the merge sort of all keys
_BUCKET_GROUPS = 4096
_RUN = 16
_U16_MIN = 16384
SORTS = True  # False: the sorts below leave everything to numpy (paired timings in one process)
_sorts_built = False


def sorts_on() -> bool:
    """True when the kernels and the sort kernels are on (these are defined and loaded the first
    time)."""
    global _sorts_built
    if not (ENABLED and SORTS):
        return False
    if not _sorts_built:
        _build_sorts(numba)
        _sorts_built = True
    return True


_order_built = False


def _build_order(nb) -> None:
    """Define ``_order_bits`` and ``_keys_by_group`` once, for the sort kernels and the build kernels."""
    global _order_bits, _keys_by_group, _order_built
    if _order_built:
        return

    # A float64's bits as a uint64 in numpy's sort order (-0.0 = 0.0, NaN above +inf and equal to
    # each other, whatever its sign and payload); other keys' bits as they are.
    @nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy", inline="always")
    def _order_bits(b, is_float):  # pragma: no cover - compiled
        sign = np.uint64(1) << np.uint64(63)
        if not is_float:
            return b
        if (b & ~sign) > np.uint64(0x7FF0000000000000):  # NaN
            return ~np.uint64(0)
        if b == sign:  # -0.0
            return sign
        if b & sign:
            return ~b
        return b | sign

    # The first pass of the radix lexsort and of group_smallest: each key's sort-order bits into
    # ``key`` and each group's size into ``count[g + 1]`` (``count``: n_group + 1 zeros). A group
    # outside [0, n_group): False.
    @nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy", inline="always")
    def _keys_by_group(bits, is_float, group, count, key):  # pragma: no cover - compiled
        n_group = count.size - 1
        for i in range(bits.size):
            g = group[i]
            if g < 0 or g >= n_group:
                return False
            count[g + 1] += 1
            key[i] = _order_bits(bits[i], is_float)
        return True

    _order_built = True


def _build_sorts(nb) -> None:
    """Define the sort and search kernels (compiled on first use, the machine code cached)."""
    global _radix_lexsort, _prefix_lexsort, _lsd_passes, _counting_argsort_u16, _cum_search, _row_search, _row_guide, _queue_fits
    global _keyed_order, _keyed_choice, _entrant_ids, _relocate_moves, _admit_queue
    _build_order(nb)
    _jit = nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")

    # ``np.lexsort((key, group))``: an LSD radix sort (11-bit digits) of the key, then a counting
    # sort by group. Every pass is stable, so equal (group, key) pairs keep index order, as in
    # lexsort (a stable merge sort per key). A float key is first mapped to a uint64 with the same
    # order as numpy's comparison: -0.0 equals 0.0, every NaN equals every other and is above +inf
    # (numpy sorts NaN last). A digit all keys share is skipped (e.g. the sign and top exponent
    # bits of uniforms). The indices move as int32 (a third less memory traffic a pass than int64:
    # 0.74 ms against 1.08 ms at 50,000). 50,000 float keys: ~0.8 ms against lexsort's 5.8 ms
    # (uint64 keys: 4.5 ms).
    # The stable LSD radix passes of both sorts below: ``vals`` (uint64) by their 11-bit digits
    # 0 .. len(hist) - 1, whose counts the caller made in its own first pass (``hist[d, digit]``);
    # a digit all values share is skipped. Returns the positions (int32: a third less memory
    # traffic a pass than int64) and the values in that order (``vals`` is used as a buffer).
    @_jit
    def _lsd_passes(vals, hist):  # pragma: no cover - compiled
        n = vals.size
        mask = np.uint64(2047)
        idx = np.arange(n).astype(np.int32)
        idx2 = np.empty(n, dtype=np.int32)
        vals2 = np.empty(n, dtype=np.uint64)
        pos = np.empty(2048, dtype=np.int32)
        for d in range(hist.shape[0]):
            h = hist[d]
            t = 0
            for c in range(2048):
                if h[c] == n:  # one digit for all: this pass would not move anything
                    t = -1
                    break
                pos[c] = t
                t += h[c]
            if t < 0:
                continue
            shift = np.uint64(11 * d)
            for i in range(n):
                b = vals[i]
                c = (b >> shift) & mask
                q = pos[c]
                pos[c] = q + 1
                idx2[q] = idx[i]
                vals2[q] = b
            idx, idx2 = idx2, idx
            vals, vals2 = vals2, vals
        return idx, vals

    # Most sorts are settled by the group and the key's top bits: (group, top s bits of the key)
    # packed into a number of 33 bits (44 above 2,048 groups ...) takes 3 radix passes instead of
    # the key's 6 and the group's; pairs equal in it (random uint64 keys: almost none) are then
    # put in key order by insertion, shifting only past a strictly larger key, so equal keys keep
    # the index order the stable passes gave: the same permutation. Inputs with many long runs of
    # distinct keys that agree in their top bits (more shifts than keys) go to the full sort.
    @_jit
    def _prefix_lexsort(key, group, n_group, out):  # pragma: no cover - compiled
        n = key.size
        gbits = 1
        while (1 << gbits) < n_group:
            gbits += 1
        passes = (gbits + 22 + 10) // 11
        s = np.uint64(11 * passes - gbits)  # the key's bits in the packed number (22 .. 32)
        sh = np.uint64(64) - s
        mask = np.uint64(2047)
        hist = np.zeros((passes, 2048), dtype=np.int32)
        comp = np.empty(n, dtype=np.uint64)
        for i in range(n):
            c = (np.uint64(group[i]) << s) | (key[i] >> sh)
            comp[i] = c
            for d in range(passes):
                hist[d, (c >> np.uint64(11 * d)) & mask] += 1
        idx, comp = _lsd_passes(comp, hist)
        budget = n
        for i in range(1, n):
            c = comp[i]
            if c != comp[i - 1]:
                continue
            v = idx[i]
            kv = key[v]
            j = i
            while j > 0 and comp[j - 1] == c and key[idx[j - 1]] > kv:
                idx[j] = idx[j - 1]
                j -= 1
                budget -= 1
            idx[j] = v
            if budget < 0:
                return False
        for i in range(n):
            out[i] = idx[i]
        return True

    @_jit
    def _radix_lexsort(bits, is_float, group, n_group, out):  # pragma: no cover - compiled
        n = bits.size
        nd = 6
        mask = np.uint64(2047)
        gpos = np.zeros(n_group + 1, dtype=np.int64)
        key = np.empty(n, dtype=np.uint64)
        if not _keys_by_group(bits, is_float, group, gpos, key):
            return False
        if _prefix_lexsort(key, group, n_group, out):
            return True
        hist = np.zeros((nd, 2048), dtype=np.int32)
        for i in range(n):
            b = key[i]
            for d in range(nd):
                hist[d, (b >> np.uint64(11 * d)) & mask] += 1
        idx, key = _lsd_passes(key, hist)
        for g in range(n_group):
            gpos[g + 1] += gpos[g]
        for i in range(n):
            j = idx[i]
            g = group[j]
            p = gpos[g]
            gpos[g] = p + 1
            out[p] = j
        return True

    # ``np.argsort(cell, kind="stable")`` of uint16 cells: one counting sort over the 65,536
    # cells (numpy's radix sort takes two 8-bit passes); stable, so the same permutation
    # The cells' positions as int32 (the caller keeps fewer than 2**31 cells): 256 KB, not 512 KB,
    # stay in the 1 MB L2 cache beside the scatter's writes (908,000 cells: 3.4 against 5.5 ms).
    @_jit
    def _counting_argsort_u16(cell, out):  # pragma: no cover - compiled
        pos = np.zeros(65537, dtype=np.int32)
        for i in range(cell.size):
            pos[np.int64(cell[i]) + 1] += 1
        for c in range(65536):
            pos[c + 1] += pos[c]
        for i in range(cell.size):
            c = np.int64(cell[i])
            p = pos[c]
            pos[c] = p + 1
            out[p] = i

    # hiring's ``cum = np.cumsum(want[order])`` (added one after another, as numpy's accumulate)
    # and ``np.searchsorted(cum, target, side="right")``: the first position whose cumulative
    # demand exceeds the target. For a non-decreasing ``cum`` that position is unique, so the
    # targets, ascending (``ts = target[by]``, NaN last, as numpy sorts), are merged with the sums:
    # no random search (a binary search per target missed the cache: 0.23 ms of the 0.28 ms a
    # default-world call took). Two loops, not one: the sums first (a gather whose loads the CPU
    # runs ahead of the additions, since the loop has no branch it mispredicts), then the merge
    # over the sums in order. Merging while adding put the merge's unpredictable test between the
    # loads, and each misprediction waited for a cache miss: 15.5 ms against 5.8 ms at 850,000
    # firms, 0.41 against 0.18 ms at 87,000 (issue 19's twelfth session). A NaN target, or one at
    # or above the last sum, gets n, as numpy's. A decreasing step or a NaN (a negative or NaN
    # demand) anywhere, or an index outside want, returns False: numpy decides.
    @_jit
    def _cum_search(want, order, ts, by, pos):  # pragma: no cover - compiled
        n, m = order.size, want.size
        cum = np.empty(n)
        c = 0.0
        for i in range(n):
            o = order[i]
            if o < 0 or o >= m:
                return False
            if i > 0:
                x = c + want[o]
                if not (x >= c):  # a fall, or NaN
                    return False
            else:
                x = want[o]
                if np.isnan(x):
                    return False
            c = x
            cum[i] = c
        i = 0
        for j in range(ts.size):
            t = ts[j]
            if np.isnan(t):  # NaN sorts last: it and every later target get n
                for k in range(j, ts.size):
                    pos[by[k]] = n
                break
            while i < n and cum[i] <= t:  # cum[i] is the first sum above t when this stops
                i += 1
            pos[by[j]] = i
        return True

    # ``sim.core.choice.draw_alternatives``: numpy searches the agents' shifted keys in the rows
    # laid end to end (row g shifted by g). When that array ascends, starts row g at or above g
    # and ends it at or below g + 1, and every uniform is >= 0, an agent's key (in [g, g + 1))
    # lies above every earlier row and below every later one: its position is g * k plus the
    # count of row g's cells at or below it. Only row g is searched (k cells, not groups x k).
    @_jit
    def _row_search(flat, cap, group, u, out):  # pragma: no cover - compiled
        groups, k = flat.shape
        prev = -np.inf
        for g in range(groups):
            if not (flat[g, 0] >= np.float64(g)) or not (flat[g, k - 1] <= np.float64(g + 1)):
                return False
            for j in range(k):
                x = flat[g, j]
                if not (x >= prev):
                    return False
                prev = x
        for i in range(group.size):
            g = group[i]
            ui = u[i]
            if g < 0 or g >= groups or not (ui >= 0.0):
                return False
            key = np.float64(g) + ui
            key = min(key, cap[g])  # np.minimum (no NaN here)
            if k <= 32:  # the row ascends: its count of cells <= key is the first cell above key,
                lo = 0  # without a branch to mispredict (a binary search took 11 ns an agent)
                for j in range(k):
                    lo += flat[g, j] <= key
            else:
                lo, hi = 0, k
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if key < flat[g, mid]:
                        hi = mid
                    else:
                        lo = mid + 1
            out[i] = min(lo, k - 1)
        return True

    # ``_row_search`` with a guide table when many agents search long rows: ``guide[g, b]`` is the
    # first cell of row g whose bucket ``min(G, int((x - g) * G))`` is >= b. The bucket grows with
    # x (a subtraction and a product by G > 0 round monotonically), so every cell before
    # ``guide[g, bucket(key)]`` is below the key and the count of cells <= key starts there: a
    # short scan, not a binary search of k cells (each a cache miss when the table outgrows the L2
    # cache). The same checks as ``_row_search`` (it returns False where that would); the same
    # alternatives. 400 x 401 rows, 63,000 agents: 1.4 ms against 3.3 ms (G = 256).
    @_jit
    def _row_guide(flat, cap, group, u, out, G):  # pragma: no cover - compiled
        groups, k = flat.shape
        prev = -np.inf
        guide = np.empty((groups, G + 1), dtype=np.int32)
        fG = np.float64(G)
        for g in range(groups):
            fg = np.float64(g)
            if not (flat[g, 0] >= fg) or not (flat[g, k - 1] <= np.float64(g + 1)):
                return False
            cur = 0
            for j in range(k):
                x = flat[g, j]
                if not (x >= prev):
                    return False
                prev = x
                v = (x - fg) * fG
                b = G if v >= fG else np.int64(v)
                while cur <= b:
                    guide[g, cur] = j
                    cur += 1
            while cur <= G:
                guide[g, cur] = k
                cur += 1
        for i in range(group.size):
            g = group[i]
            ui = u[i]
            if g < 0 or g >= groups or not (ui >= 0.0):
                return False
            fg = np.float64(g)
            key = fg + ui
            key = min(key, cap[g])  # np.minimum (no NaN here)
            v = (key - fg) * fG
            b = G if v >= fG else np.int64(v)
            j = np.int64(guide[g, b])
            while j < k and flat[g, j] <= key:
                j += 1
            out[i] = min(j, k - 1)
        return True

    # Streams.choice: the keys' uniforms, draw_alternatives' shifted rows (``cdf + g``: one addition
    # each, numpy's bits) and row_search's alternatives in one call; False where row_search declines
    @_jit
    def _keyed_choice(keys, c1, c2, rounds, cdf, cap, group, out):  # pragma: no cover - compiled
        groups, k = cdf.shape
        u = np.empty(keys.size)
        _uniform(keys, c1, c2, rounds, u)
        flat = np.empty((groups, k))
        for g in range(groups):
            for j in range(k):
                flat[g, j] = cdf[g, j] + np.float64(g)
        if k > _GUIDE_K and 4 * u.size >= flat.size:
            return _row_guide(flat, cap, group, u, out, 256 if flat.size >= _GUIDE_BIG else 64)
        return _row_search(flat, cap, group, u, out)

    # enterprise.entrants' assembly in one call: start-ups' and arrivals' zones (their counts' rows)
    # and keys (keys.counted_keys), their sectors by _keyed_choice (Streams.choice), spin-offs' zones,
    # sectors and keys (keys.spinoff_keys) from their parents; start-ups, then spin-offs, then
    # arrivals, their origin codes ``codes[0..2]``. False, with nothing to use, where a count is
    # negative or the choice declines
    @_jit
    def _entrant_ids(counts, parents, zone, sector, fkey, zk, h_start, h_arr, h_spin, c1, c2, rounds, cdf, cap,
                     codes, z_new, origin, key, s_new):  # pragma: no cover - compiled
        nz = counts.shape[1]
        ns, na = 0, 0
        for g in range(nz):
            if counts[0, g] < 0 or counts[1, g] < 0:
                return False
            ns += counts[0, g]
            na += counts[1, g]
        ko = np.empty(ns + na, dtype=np.uint64)  # the start-ups' keys, then the arrivals'
        _counted_keys_from(h_start, zk, counts[0], ko[:ns])
        _counted_keys_from(h_arr, zk, counts[1], ko[ns:])
        zo = np.empty(ns + na, dtype=np.int64)  # their zones (np.repeat of the zones twice by the counts)
        j = 0
        for r in range(2):
            for g in range(nz):
                for _ in range(counts[r, g]):
                    zo[j] = g
                    j += 1
        so = np.empty(ns + na, dtype=np.int64)
        if not _keyed_choice(ko, c1, c2, rounds, cdf, cap, zo, so):
            return False
        npar = parents.size
        for i in range(ns):
            z_new[i], key[i], s_new[i], origin[i] = zo[i], ko[i], so[i], codes[0]
        for j in range(npar):
            p, i = parents[j], ns + j
            z_new[i], key[i], s_new[i], origin[i] = zone[p], _chain_step(h_spin, fkey[p]), sector[p], codes[1]
        for j in range(ns, ns + na):
            i = npar + j
            z_new[i], key[i], s_new[i], origin[i] = zo[j], ko[j], so[j], codes[2]
        return True

    # enterprise.relocate after its candidates and choice table, in one call: each candidate's
    # destination by _keyed_choice from its zone's row, those choosing another zone queued by
    # destination in _keyed_order's order, who fits by _queue_fits; the movers' zones written and the
    # free land updated as the numpy steps do (two group sums in element order, their difference
    # added). Returns the number of moves (``moves[:k]``: from, to), -1 where a step declines (nothing
    # written: the caller takes the steps)
    @_jit
    def _relocate_moves(cand, zone, key, land, c1c, c2c, c1o, c2o, rounds, cdf, cap, free, limit,
                        moves):  # pragma: no cover - compiled
        m = cand.size
        here, keys, dest = np.empty(m, dtype=np.int64), np.empty(m, dtype=np.uint64), np.empty(m, dtype=np.int64)
        for j in range(m):
            here[j], keys[j] = zone[cand[j]], key[cand[j]]
        if not _keyed_choice(keys, c1c, c2c, rounds, cdf, cap, here, dest):
            return -1
        nm = 0  # those moving, in the candidates' order
        for j in range(m):
            if dest[j] != here[j]:
                cand_j, d, h = cand[j], dest[j], here[j]
                here[nm], dest[nm], keys[nm] = h, d, key[cand_j]
                cand[nm] = cand_j  # cand is the caller's scratch from here on
                nm += 1
        if nm == 0:
            return 0
        mland = np.empty(nm)
        for j in range(nm):
            mland[j] = land[cand[j]]
        order, ok = np.empty(nm, dtype=np.int64), np.zeros(nm, dtype=np.bool_)
        _keyed_order(keys[:nm], c1o, c2o, rounds, dest[:nm], order)
        if not _queue_fits(order, mland, dest[:nm], limit, ok):
            return -1
        ng = free.size
        out_sum, in_sum = np.zeros(ng), np.zeros(ng)
        k = 0
        for j in range(nm):
            if ok[j]:
                zone[cand[j]] = dest[j]
                out_sum[here[j]] += mland[j]
                in_sum[dest[j]] += mland[j]
                moves[k, 0], moves[k, 1] = here[j], dest[j]
                k += 1
        for g in range(ng):
            free[g] = free[g] + (out_sum[g] - in_sum[g])
        return k

    # Streams.order's queue: the keys' bits, then np.lexsort((bits, group)), in one call. From
    # _SORTS_MIN keys on the radix sort above; below it (a year's entrants and movers in a small
    # world) the bucketed sort below, for groups in [0, _BUCKET_GROUPS); else (and where the radix
    # sort declines a group outside [0, 2**24)) a stable merge sort by (group, bits). Each gives
    # lexsort's permutation
    @_jit
    def _keyed_order(keys, c1, c2, rounds, group, out):  # pragma: no cover - compiled
        n = keys.size
        b = np.empty(n, dtype=np.uint64)
        _bits(keys, c1, c2, rounds, b)
        if n >= _SORTS_MIN and n < 2**31:
            gmin, gmax = 0, 0
            for i in range(n):
                gmin = min(gmin, group[i])
                gmax = max(gmax, group[i])
            if gmin >= 0 and gmax < 2**24 and gmax < max(n, 1 << 16):
                if _radix_lexsort(b, False, group, gmax + 1, out):
                    return
        # groups in [0, _BUCKET_GROUPS) (a year's queue in a small world: ~600 entrants in ~40
        # zone-origin groups, the largest ~200): a counting sort by group (stable), then each group's
        # indices by bits: a counting sort by the top bits into at least as many buckets as keys
        # (stable; the hashes spread evenly, ~1 a bucket), then an insertion sort by all bits. Lexsort's
        # permutation in ~5 passes, without the merge sort's mispredicted branches (the admit queue's
        # 605 keys: 10.8 -> 6.2 us warm)
        if 0 < n < _SORTS_MIN:
            gmin, gmax = group[0], group[0]
            for i in range(n):
                gmin = min(gmin, group[i])
                gmax = max(gmax, group[i])
            if gmin >= 0 and gmax < _BUCKET_GROUPS:
                start = np.zeros(gmax + 2, dtype=np.int64)
                for i in range(n):
                    start[group[i] + 1] += 1
                for g in range(gmax + 1):
                    start[g + 1] += start[g]
                fill = start[:gmax + 1].copy()
                for i in range(n):
                    g = group[i]
                    out[fill[g]] = i
                    fill[g] += 1
                tmp = np.empty(n, dtype=np.int64)
                cnt = np.empty(2 * n + 2, dtype=np.int64)  # a group's buckets: fewer than 2 m
                for g in range(gmax + 1):
                    lo, hi = start[g], start[g + 1]
                    m = hi - lo
                    if m > _RUN:  # by the top bits into >= m buckets, in order (stable), as tmp[lo:hi]
                        nb_ = 1
                        sh = 64
                        while nb_ < m:
                            nb_ *= 2
                            sh -= 1
                        shift = np.uint64(sh)
                        for q in range(nb_ + 1):
                            cnt[q] = 0
                        for q in range(lo, hi):
                            cnt[(b[out[q]] >> shift) + np.uint64(1)] += 1
                        for q in range(nb_):
                            cnt[q + 1] += cnt[q]
                        for q in range(lo, hi):
                            x = out[q]
                            c = b[x] >> shift
                            tmp[lo + cnt[c]] = x
                            cnt[c] += 1
                        for q in range(lo, hi):
                            out[q] = tmp[q]
                    # an insertion sort by bits: a key moves only past larger bits (stable); after the
                    # buckets, only within its bucket (every earlier bucket's bits are smaller)
                    for j in range(lo + 1, hi):
                        x = out[j]
                        bx = b[x]
                        q = j
                        while q > lo and b[out[q - 1]] > bx:
                            out[q] = out[q - 1]
                            q -= 1
                        out[q] = x
                return
        # a bottom-up merge sort of the indices by (group, bits): stable, so equal pairs keep index order
        a, t = np.arange(n), np.empty(n, dtype=np.int64)
        w = 1
        while w < n:
            for lo in range(0, n, 2 * w):
                mid, hi = min(lo + w, n), min(lo + 2 * w, n)
                i, j, k = lo, mid, lo
                while i < mid and j < hi:
                    x, y = a[i], a[j]
                    if group[y] < group[x] or (group[y] == group[x] and b[y] < b[x]):
                        t[k] = y
                        j += 1
                    else:
                        t[k] = x
                        i += 1
                    k += 1
                while i < mid:
                    t[k] = a[i]
                    i += 1
                    k += 1
                while j < hi:
                    t[k] = a[j]
                    j += 1
                    k += 1
            a, t = t, a
            w *= 2
        for i in range(n):
            out[i] = a[i]

    # the land queues of relocation and entry (``sim.agents.enterprise.queue_fits``): in the queue's
    # order, a running total of the land asked for (added one after another, as numpy's cumsum),
    # less the total before the first of its group (numpy's ``total - before``, not a sum restarted
    # at each group, which would round differently), against the group's limit. An index outside
    # the arrays, or a group outside the limits, returns False: numpy decides.
    @_jit
    def _queue_fits(order, values, groups, limit, ok):  # pragma: no cover - compiled
        n, m, ng = order.size, values.size, limit.size
        total, before, prev = 0.0, 0.0, -1
        for j in range(n):
            i = order[j]
            if i < 0 or i >= m:
                return False
            g = groups[i]
            if g < 0 or g >= ng:
                return False
            if j == 0 or g != prev:
                before = total
                prev = g
            total = values[i] if j == 0 else total + values[i]
            ok[i] = total - before <= limit[g]
        return True

    @_jit
    def _admit_queue(keys, c1, c2, rounds, zone, origin, land, free, order, ok, counts, rows):  # pragma: no cover
        # admit_queue: the group zone * 4 + origin, _keyed_order, np.maximum(free, 0.0) (NaN stays),
        # _queue_fits by zone, then the counts and the admitted positions in one pass; -1 (nothing
        # counted) for a zone outside free or an origin outside 0-4
        n, nz = keys.size, free.size
        group = np.empty(n, dtype=np.int64)
        for i in range(n):
            z, o = zone[i], np.int64(origin[i])
            if z < 0 or z >= nz or o < 0 or o > 4:
                return -1
            group[i] = z * 4 + o
        _keyed_order(keys, c1, c2, rounds, group, order)
        limit = np.empty(nz)
        for g in range(nz):
            v = free[g]
            limit[g] = v if (v >= 0.0 or v != v) else 0.0
        if not _queue_fits(order, land, zone, limit, ok):
            return -1
        m = 0
        for i in range(n):
            if ok[i]:
                counts[zone[i] * 5 + origin[i]] += 1
                rows[m] = i
                m += 1
            else:
                counts[zone[i] * 5 + 4] += 1
        return m


def admit_queue(keys: np.ndarray, consts: tuple[np.uint64, np.uint64, int], zone: np.ndarray, origin: np.ndarray,
                land: np.ndarray, free: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``ZoneModel._admit``'s queue in one compiled call: the entrants' keyed order within (zone,
    origin) (``Streams.order``'s permutation; ``consts``: the stream's ``compiled_constants``), who fits
    in their zone's free land (``queue_fits`` against ``np.maximum(free, 0)``), and the counts by zone
    of the admitted by origin (columns 1-3) and of the turned away (column 4), as ``np.bincount`` of
    ``np.where(ok, zone * 5 + origin, zone * 5 + 4)``: ``(admitted positions ascending, counts (zones,
    5))``, the same numbers. None where the steps must decide (other dtypes or shapes, a zone outside
    ``free``, an origin outside 0-4)."""
    n, nz = keys.size, free.size
    if not (sorts_on() and keys.dtype == np.uint64 and zone.dtype == np.int64 and origin.dtype == np.int8
            and land.dtype == free.dtype == np.float64 and keys.ndim == free.ndim == 1
            and zone.shape == origin.shape == land.shape == (n,)):
        return None
    c1, c2, rounds = consts
    order, ok, rows = np.empty(n, dtype=np.int64), np.zeros(n, dtype=np.bool_), np.empty(n, dtype=np.int64)
    counts = np.zeros(nz * 5, dtype=np.int64)
    got = _admit_queue(np.ascontiguousarray(keys), np.uint64(c1), np.uint64(c2), int(rounds), np.ascontiguousarray(zone),
                       np.ascontiguousarray(origin), np.ascontiguousarray(land), np.ascontiguousarray(free), order, ok,
                       counts, rows)
    return (rows[:got], counts.reshape(nz, 5)) if got >= 0 else None


def queue_fits(order: np.ndarray, values: np.ndarray, groups: np.ndarray, limit: np.ndarray) -> np.ndarray | None:
    """Who fits in a queue: with ``cum[order] = _cumsum_by_group(values[order], groups[order])``
    (``sim.agents.enterprise``: a running sum of ``values`` in the queue's ``order``, restarting at
    each group of the queue, ``groups`` ascending along it), the mask ``cum <= limit[groups]``, the
    same booleans in one compiled pass with no temporaries (the numpy version is ~10 small calls: a
    fixed cost paid twice a year). None when the kernels are off, an array is not the expected
    1-d int64/float64 or an index is out of range: the caller's numpy decides."""
    if (not ENABLED or order.dtype != np.int64 or groups.dtype != np.int64 or values.dtype != np.float64
            or limit.dtype != np.float64 or order.ndim != 1 or order.shape != values.shape
            or groups.shape != values.shape or not sorts_on()):
        return None
    ok = np.zeros(values.size, dtype=bool)
    if _queue_fits(np.ascontiguousarray(order), np.ascontiguousarray(values), np.ascontiguousarray(groups),
                   np.ascontiguousarray(limit), ok):
        return ok
    return None


def group_starts(g: np.ndarray) -> np.ndarray:
    """``np.searchsorted(g, g, side="left")`` of ascending integers ``g``: each element's first
    position among its equals, from the counts (numpy: 0.09 ms against the search's 0.85 ms at
    50,000). The counts before a value are the elements below it, which is the left search's
    answer in an ascending array. Negative values (bincount's domain ends at 0): the search."""
    if g.size == 0 or g.dtype.kind != "i" or g.ndim != 1 or g[0] < 0:
        return np.searchsorted(g, g, side="left")
    count = np.bincount(g)
    return (np.cumsum(count) - count)[g]


def keyed_order(keys: np.ndarray, c1: np.uint64, c2: np.uint64, rounds: int, group: np.ndarray) -> np.ndarray | None:
    """``np.lexsort((keyed_bits(keys, c1, c2, rounds), group))`` of 1-d uint64 ``keys`` and int64
    ``group`` in one compiled call: the same permutation. None when the sort kernels are off."""
    if not sorts_on() or keys.ndim != 1 or group.shape != keys.shape or group.dtype != np.int64:
        return None
    out = np.empty(keys.size, dtype=np.int64)
    _keyed_order(np.ascontiguousarray(keys), np.uint64(c1), np.uint64(c2), int(rounds), np.ascontiguousarray(group),
                 out)
    return out


def keyed_choice(keys: np.ndarray, c1: np.uint64, c2: np.uint64, rounds: int, cdf: np.ndarray,
                 cap: np.ndarray, group: np.ndarray) -> np.ndarray | None:
    """``sim.core.choice.draw_alternatives(cdf, group, keyed_uniform(keys, c1, c2, rounds))`` in one
    compiled call (``cap``: its ``nextafter(g + 1, 0)`` caps): the same alternatives. None when the
    sort kernels are off or ``row_search`` would decline (the caller then takes the two steps)."""
    if (not sorts_on() or keys.ndim != 1 or group.shape != keys.shape or group.dtype != np.int64
            or cdf.ndim != 2 or cdf.dtype != np.float64 or cdf.shape[1] == 0 or cap.shape != (cdf.shape[0],)):
        return None
    out = np.empty(keys.size, dtype=np.int64)
    ok = _keyed_choice(np.ascontiguousarray(keys), np.uint64(c1), np.uint64(c2), int(rounds),
                       np.ascontiguousarray(cdf), cap, np.ascontiguousarray(group), out)
    return out if ok else None


def entrant_ids(counts: np.ndarray, parents: np.ndarray, zone: np.ndarray, sector: np.ndarray, fkey: np.ndarray,
                zone_key: np.ndarray, prefixes: tuple[int, int, int], consts: tuple[np.uint64, np.uint64, int],
                cdf: np.ndarray, cap: np.ndarray, codes: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """``enterprise.entrants``' ``(zone, origin, key, sector)`` of the year's entrants in one compiled
    call: start-ups and arrivals from their Poisson ``counts`` (2 x zones, int64), spin-offs from the
    firms ``parents`` (slots: their ``zone``, ``sector``, keys ``fkey``); keys as ``keys.counted_keys``
    and ``keys.spinoff_keys`` from the chains ``prefixes`` (start-up, arrival, spin-off), sectors as
    ``Streams.choice`` with its stream's ``consts`` (c1, c2, rounds) from ``cdf`` (zones x sectors; ``cap``
    its rows' caps, ``choice.shifts(zones)[1]``); ``codes``: the three origins' codes (int8: start-up,
    spin-off, arrival). The same arrays as those steps; None where they must decide (the kernels off,
    other dtypes, a negative count, a choice ``row_search`` declines)."""
    if not (sorts_on() and counts.ndim == 2 and counts.shape[0] == 2 and counts.dtype == np.int64
            and counts.shape[1] == zone_key.shape[0] and zone_key.dtype == np.uint64 and zone_key.ndim == 1
            and zone.dtype == sector.dtype == parents.dtype == np.int64 and fkey.dtype == np.uint64
            and cdf.ndim == 2 and cdf.dtype == np.float64 and cdf.shape[0] == counts.shape[1] and cdf.shape[1] > 0
            and cap.shape == (cdf.shape[0],) and cap.dtype == np.float64 and codes.shape == (3,)):
        return None
    n = int(counts.sum()) + parents.size
    z_new, origin = np.empty(n, dtype=np.int64), np.empty(n, dtype=codes.dtype)
    key, s_new = np.empty(n, dtype=np.uint64), np.empty(n, dtype=np.int64)
    c1, c2, rounds = consts
    h_start, h_arr, h_spin = (np.uint64(h) for h in prefixes)
    if not _entrant_ids(np.ascontiguousarray(counts), np.ascontiguousarray(parents), zone, sector, fkey,
                        np.ascontiguousarray(zone_key), h_start, h_arr, h_spin, np.uint64(c1), np.uint64(c2),
                        int(rounds), np.ascontiguousarray(cdf), np.ascontiguousarray(cap), codes, z_new, origin, key,
                        s_new):
        return None
    return z_new, origin, key, s_new


def relocate_moves(cand: np.ndarray, zone: np.ndarray, key: np.ndarray, land: np.ndarray,
                   choice: tuple[np.uint64, np.uint64, int], queue: tuple[np.uint64, np.uint64, int], cdf: np.ndarray,
                   cap: np.ndarray, free: np.ndarray) -> np.ndarray | None:
    """``enterprise.relocate``'s steps after its candidates ``cand`` (slots) and its choice table ``cdf``
    (origin zones x zones; ``cap`` its rows' caps, ``choice.shifts(zones)[1]``) in one compiled call:
    destinations as ``Streams.choice`` (its stream's constants ``choice``: c1, c2, rounds), the queue as
    ``Streams.order`` (``queue``), who fits as ``queue_fits`` within ``max(free, 0)``; writes the movers'
    ``zone`` and updates ``free`` as those steps do and returns the moves (from, to). None, nothing
    written, where a step must decide (the kernels off, other dtypes, a choice or queue the compiled
    steps decline)."""
    if not (sorts_on() and cand.ndim == 1 and cand.dtype == zone.dtype == np.int64 and key.dtype == np.uint64
            and land.dtype == free.dtype == cdf.dtype == np.float64 and cdf.ndim == 2 and cdf.shape[1] > 0
            and free.ndim == 1 and cdf.shape[0] == free.size and choice[2] == queue[2]
            and cap.shape == (cdf.shape[0],) and cap.dtype == np.float64):
        return None
    moves = np.empty((cand.size, 2), dtype=np.int64)
    k = _relocate_moves(cand.copy(), zone, key, land, np.uint64(choice[0]), np.uint64(choice[1]), np.uint64(queue[0]),
                        np.uint64(queue[1]), int(choice[2]), np.ascontiguousarray(cdf), np.ascontiguousarray(cap), free,
                        np.maximum(free, 0.0), moves)
    return None if k < 0 else moves[:k]


def group_lexsort(key: np.ndarray, group: np.ndarray, n_group: int) -> np.ndarray:
    """``np.lexsort((key, group))``: indices by group, then key, then index (equal pairs keep their
    order), the same permutation. Compiled for 1-d float64 or uint64 ``key`` and int64 ``group``
    from ``_SORTS_MIN`` elements up; otherwise, or with a group outside [0, n_group), lexsort."""
    if (ENABLED and key.ndim == 1 and key.shape == group.shape and key.size >= _SORTS_MIN
            and key.dtype in (np.float64, np.uint64) and group.dtype == np.int64 and key.size < 2**31
            and 0 < n_group <= max(key.size, 1 << 16) and sorts_on()):  # int32 indices; bounded group bins
        out = np.empty(key.size, dtype=np.int64)
        bits = np.ascontiguousarray(key).view(np.uint64)
        if _radix_lexsort(bits, key.dtype == np.float64, np.ascontiguousarray(group), int(n_group), out):
            return out
    return np.lexsort((key, group))


def stable_argsort_u16(cell: np.ndarray) -> np.ndarray:
    """``np.argsort(cell, kind="stable")`` of 1-d uint16 cells: one counting pass when compiled
    (numpy's radix sort makes two), the same permutation."""
    if ENABLED and cell.dtype == np.uint16 and cell.ndim == 1 and _U16_MIN <= cell.size < 2**31 and sorts_on():
        out = np.empty(cell.size, dtype=np.int64)
        _counting_argsort_u16(np.ascontiguousarray(cell), out)
        return out
    return np.argsort(cell, kind="stable")


def cum_search(want: np.ndarray, order: np.ndarray, target: np.ndarray) -> np.ndarray | None:
    """``np.searchsorted(np.cumsum(want[order]), target, side="right")`` for 1-d float64 ``want``
    and ``target`` and int64 ``order``; None when the kernels are off, the cumulative sums are not
    ascending (numpy's search is then undefined) or an index is outside ``want``."""
    if (not ENABLED or want.dtype != np.float64 or target.dtype != np.float64 or order.dtype != np.int64
            or order.size == 0 or target.ndim != 1 or not sorts_on()):
        return None
    # the targets ascending (ties in any order: a target's position depends on its value only)
    by = (group_lexsort(target, np.zeros(target.size, dtype=np.int64), 1) if target.size >= _SORTS_MIN
          else np.argsort(target))
    pos = np.empty(target.size, dtype=np.int64)
    if _cum_search(np.ascontiguousarray(want), np.ascontiguousarray(order), target[by], by, pos):
        return pos
    return None


def row_search(flat: np.ndarray, cap: np.ndarray, group: np.ndarray, u: np.ndarray) -> np.ndarray | None:
    """``sim.core.choice.draw_alternatives``'s alternatives from its shifted rows ``flat`` (groups x
    k, row g = cdf[g] + g) and caps (``nextafter(g + 1, 0)``); None when the kernels are off or the
    rows do not ascend inside their intervals (numpy decides)."""
    if (not ENABLED or flat.ndim != 2 or flat.dtype != np.float64 or flat.shape[1] == 0 or group.dtype != np.int64
            or u.dtype != np.float64 or group.shape != u.shape or u.ndim != 1 or not sorts_on()):
        return None
    out = np.empty(u.size, dtype=np.int64)
    flat, cap, group, u = (np.ascontiguousarray(flat), np.ascontiguousarray(cap), np.ascontiguousarray(group),
                           np.ascontiguousarray(u))
    if flat.shape[1] > _GUIDE_K and 4 * u.size >= flat.size:  # long rows, at least one agent per 4 cells
        ok = _row_guide(flat, cap, group, u, out, 256 if flat.size >= _GUIDE_BIG else 64)
    else:
        ok = _row_search(flat, cap, group, u, out)
    return out if ok else None


# row_search's guide table: for rows longer than this (shorter ones are counted without a branch);
# 256 buckets a row from this many cells (the table beyond the L2 cache: shorter scans pay), else 64
_GUIDE_K = 32
_GUIDE_BIG = 65536


# ------------------------------------------------------------------------------------------
# small fixed-cost kernels (issue 19): calls made a few times a year on rows of ~14 zones, where
# numpy's per-call cost (~1 us, cold caches in the model) is the whole cost. Each gives numpy's
# bits: only additions, comparisons and divisions are compiled; exponentials stay numpy's (numba's
# differ in the last bit on AVX-512). Defined and compiled on first use after ``enable()``.
# ------------------------------------------------------------------------------------------
_small_built = False


def _build_small(nb) -> None:
    """Define the small kernels (compiled on first use, the machine code cached)."""
    global _logit_shift, _logit_norm, _compact_moves, _gather_rows, _rows_within
    _jit = nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")

    @_jit
    def _rows_within(rows, m):  # pragma: no cover - compiled
        # every row in [0, m)
        for i in range(rows.size):
            if rows[i] < 0 or rows[i] >= m:
                return False
        return True

    @_jit
    def _gather_rows(cols, srcs, rows, start):  # pragma: no cover - compiled
        # Pool.add's gathers: cols[c][start + i] = srcs[c][rows[i]] for columns of one dtype (tuples
        # of 1-d arrays; the rows checked by _rows_within)
        for c in range(len(cols)):
            col, src = cols[c], srcs[c]
            for i in range(rows.size):
                col[start + i] = src[rows[i]]

    @_jit
    def _compact_moves(idx, n, src, dst):  # pragma: no cover - compiled
        # Pool.remove's moves of a compact pool: of the freed slots idx (distinct, below n), those
        # below the new end take, in ascending order, the surviving slots of the tail end .. n - 1
        # in ascending order; returns how many (-1 if a slot is outside [0, n) or repeated)
        k = idx.size
        end = n - k
        stays = np.ones(k, dtype=np.bool_)
        m = 0
        for i in range(k):
            j = idx[i]
            if j < 0 or j >= n:
                return -1
            if j >= end:
                if not stays[j - end]:
                    return -1
                stays[j - end] = False
            else:
                dst[m] = j
                m += 1
        ascending = True
        for i in range(1, m):
            if dst[i] <= dst[i - 1]:
                ascending = False
                break
        if not ascending:
            dst[:m] = np.sort(dst[:m])
            for i in range(1, m):
                if dst[i] == dst[i - 1]:
                    return -1
        t = 0
        for i in range(k):
            if stays[i]:
                src[t] = end + i
                t += 1
        return m

    @_jit
    def _logit_shift(util, out):  # pragma: no cover - compiled
        # out = util - top, top = the row's maximum (numpy's max: NaN if any is NaN), 0 where it
        # is not finite (a row of -inf). The sign of a zero maximum may differ from numpy's, which
        # changes only the sign of a zero difference, whose exponential is 1 either way.
        groups, k = util.shape
        for g in range(groups):
            top = -np.inf
            nan = False
            for j in range(k):
                v = util[g, j]
                if np.isnan(v):
                    nan = True
                elif v > top:
                    top = v
            if nan or not np.isfinite(top):
                top = 0.0
            for j in range(k):
                out[g, j] = util[g, j] - top

    @_jit
    def _logit_norm(w):  # pragma: no cover - compiled
        # in place: non-finite weights to 0, the running sum along each row (numpy's cumsum adds
        # in that order), a row summing to <= 0 replaced by 1 .. k, then each row divided by its
        # last value (as ``cdf /= cdf[:, -1:]``, which reads the last value before writing)
        groups, k = w.shape
        for g in range(groups):
            acc = 0.0
            for j in range(k):
                x = w[g, j]
                if not np.isfinite(x):
                    x = 0.0
                acc = x if j == 0 else acc + x
                w[g, j] = acc
            if w[g, k - 1] <= 0.0:
                for j in range(k):
                    w[g, j] = j + 1.0
            last = w[g, k - 1]
            for j in range(k):
                w[g, j] = w[g, j] / last


def small_on() -> bool:
    """True when the kernels are on (the small kernels are defined the first time)."""
    global _small_built
    if not ENABLED:
        return False
    if not _small_built:
        _build_small(numba)
        _small_built = True
    return True


def logit_rows(util: np.ndarray) -> np.ndarray | None:
    """``sim.core.choice.logit_cdf`` of a 2-d float64 ``util`` with at least one column: two compiled
    passes around pmath's exponential (which gets the same differences, a new C-contiguous array, as
    there); None when the kernels are off or the input is of another kind (numpy decides)."""
    if util.ndim != 2 or util.dtype != np.float64 or util.shape[1] == 0 or not small_on():
        return None
    out = np.empty(util.shape)
    _logit_shift(np.ascontiguousarray(util), out)
    pm.exp(out, out=out)
    _logit_norm(out)
    return out


# ------------------------------------------------------------------------------------------
# build kernels (issue 19): the year-0 population and the re-anchoring after the spin-up
# (sim.model.initial, sim.model.firm_sizes) and ``Streams.sample_weighted``. Each gives numpy's
# result bit for bit: only comparisons, additions, subtractions, multiplications and divisions
# are compiled (the powers and logarithms stay numpy's); sums are added in element order, as
# ``np.bincount`` adds them. Defined and compiled on first use after ``enable()``.
# ------------------------------------------------------------------------------------------
_build_built = False


def _build_build(nb) -> None:
    """Define the build kernels (compiled on first use, the machine code cached)."""
    global _group_smallest, _zone_sizes
    _build_order(nb)
    _jit = nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")

    # ``np.lexsort((key, group))`` followed by "the first k[g] of each group": the k[g] smallest
    # (key, index) pairs of each group, without sorting the rest. Keys are mapped to uint64 with
    # numpy's order, as in ``_radix_lexsort`` (-0.0 = 0.0, NaN above +inf and equal to each other),
    # so (mapped key, index) is the sort's strict order. Per group, the k-th smallest mapped key t
    # (a partition of the group's keys); then, in index order, every key below t and the first
    # k - (keys below t) keys equal to t: exactly the sort's first k. 36,500 keys in 14 groups:
    # ~0.2 ms against ~1.3 ms for the radix sort, ranks and scatter (one process, best of 5). A
    # group outside [0, n_group): False.
    @_jit
    def _group_smallest(bits, is_float, group, k, out):  # pragma: no cover - compiled
        n, ng = bits.size, k.size
        start = np.zeros(ng + 1, dtype=np.int64)
        key = np.empty(n, dtype=np.uint64)
        if not _keys_by_group(bits, is_float, group, start, key):
            return False
        for g in range(ng):
            start[g + 1] += start[g]
        pos = start[:ng].copy()
        bucket = np.empty(n, dtype=np.uint64)  # each group's keys together
        for i in range(n):
            g = group[i]
            bucket[pos[g]] = key[i]
            pos[g] += 1
        thr = np.zeros(ng, dtype=np.uint64)
        mode = np.zeros(ng, dtype=np.int8)  # 0: none drawn, 1: all, 2: below thr and the first ties
        need = np.zeros(ng, dtype=np.int64)
        for g in range(ng):
            m, kg = start[g + 1] - start[g], k[g]
            if kg <= 0:
                continue
            if kg >= m:
                mode[g] = 1
                continue
            part = np.partition(bucket[start[g]:start[g + 1]], kg - 1)
            t = part[kg - 1]
            below = 0
            for j in range(m):
                below += part[j] < t
            thr[g], mode[g], need[g] = t, 2, kg - below
        for i in range(n):
            g = group[i]
            md = mode[g]
            if md == 1:
                out[i] = True
            elif md == 2:
                b = key[i]
                if b < thr[g]:
                    out[i] = True
                elif b == thr[g] and need[g] > 0:
                    out[i] = True
                    need[g] -= 1
        return True

    # ``sim.model.firm_sizes.zone_sizes`` in three passes over the firms (numpy: ~25 passes and
    # five bincounts). The same operations on the same doubles; np.minimum / np.maximum propagate
    # NaN, as below. A zone outside the targets: False (numpy decides).
    @_jit
    def _zone_sizes(x, zone, fixed, target, max_share, large, out):  # pragma: no cover - compiled
        n, nz = x.size, target.size
        pinned = np.zeros(nz)
        base = np.zeros(nz)
        excess = np.zeros(nz)
        for i in range(n):
            z = zone[i]
            if z < 0 or z >= nz:
                return False
            xi = x[i]
            fx = fixed[i]
            if not fx:
                cap = max_share * target[z]
                if not (np.isnan(xi) or np.isnan(cap)):
                    xi = min(xi, cap)
                elif np.isnan(cap):
                    xi = cap
            out[i] = xi
            fl = 1.0 if fx else 0.0
            free = 1.0 - fl
            top = (not fx) and xi > large
            pinned[z] += xi * fl
            base[z] += (large if top else xi) * free
            excess[z] += (xi - large) * (1.0 if top else 0.0)
        c = np.empty(nz)
        for z in range(nz):
            rest = target[z] - pinned[z]
            pinned[z] = rest
            e = excess[z]
            d = e if (e > 1e-12 or np.isnan(e)) else 1e-12
            c[z] = (rest - base[z]) / d if e > 0 else 1.0
            cz = c[z]
            c[z] = cz if (cz > 0.0 or np.isnan(cz)) else 0.0
        got = np.zeros(nz)
        for i in range(n):
            z = zone[i]
            xi = out[i]
            fx = fixed[i]
            top = (not fx) and xi > large
            s = large + c[z] * (xi - large) if top else xi
            if not fx:
                out[i] = s
            got[z] += s * (0.0 if fx else 1.0)
        for z in range(nz):
            gz = got[z]
            d = gz if (gz > 1e-12 or np.isnan(gz)) else 1e-12
            got[z] = pinned[z] / d if gz > 0 else 1.0
        for i in range(n):
            if not fixed[i]:
                out[i] = out[i] * got[zone[i]]
        return True


def build_on() -> bool:
    """True when the kernels are on (the build kernels are defined the first time)."""
    global _build_built
    if not ENABLED:
        return False
    if not _build_built:
        _build_build(numba)
        _build_built = True
    return True


def group_smallest(key: np.ndarray, group: np.ndarray, k: np.ndarray) -> np.ndarray | None:
    """Mask of the ``k[g]`` first of each group ``g`` in the order of ``np.lexsort((key, group))``
    (by key, ties by index), for 1-d float64 or uint64 ``key``, int64 ``group`` and ``k``; None when
    the kernels are off, the arrays are of another kind or a group is outside [0, k.size)."""
    if (key.ndim != 1 or key.shape != group.shape or key.dtype not in (np.float64, np.uint64)
            or group.dtype != np.int64 or k.dtype != np.int64 or k.ndim != 1 or not build_on()):
        return None
    out = np.zeros(key.size, dtype=bool)
    if _group_smallest(np.ascontiguousarray(key).view(np.uint64), key.dtype == np.float64,
                       np.ascontiguousarray(group), np.ascontiguousarray(k), out):
        return out
    return None


def zone_sizes(x: np.ndarray, zone: np.ndarray, fixed: np.ndarray, target: np.ndarray, max_share: float,
               large: float) -> np.ndarray | None:
    """``sim.model.firm_sizes.zone_sizes`` (its threshold ``large``) in three compiled passes, the
    same doubles; None when the kernels are off, an array is of another kind or a zone is outside
    the targets (the caller's numpy decides)."""
    if (x.ndim != 1 or x.dtype != np.float64 or zone.dtype != np.int64 or fixed.dtype != np.bool_
            or target.dtype != np.float64 or target.ndim != 1 or zone.shape != x.shape or fixed.shape != x.shape
            or not build_on()):
        return None
    out = np.empty(x.size)
    if _zone_sizes(np.ascontiguousarray(x), np.ascontiguousarray(zone), np.ascontiguousarray(fixed),
                   np.ascontiguousarray(target), float(max_share), float(large), out):
        return out
    return None


# ------------------------------------------------------------------------------------------
# draw kernels (issue 19): ``streams.Streams.poisson`` and ``streams.poisson_ppf`` in fewer calls.
# A Poisson draw of 2 x 14 zones cost ~30 us in ~25 numpy calls and gathers (the uniforms per
# stream and ``np.stack``, the broadcast lam, rows above the threshold, the split by rate, the
# concatenation, the window's first probability); here: the uniforms straight into one array,
# one pass for the rows and one for the window's log-probability, between pmath's exp and log
# (numba's differ in the last bit on AVX-512). The same operations in the same order: the same
# counts. Also a year's stream constants (Streams._batch) and normals of several streams in one
# array (Streams.normal of entrants' three streams).
# ------------------------------------------------------------------------------------------
_draws_built = False


def _pmath_stamp(*more: object) -> str:
    """A digest of the model's own maths' source (``sim.core.pmath_k`` and its tables, and of the
    modules ``more``): the closure value that keys numba's on-disk cache of a kernel calling those
    functions, so that a change to them compiles the kernel again (numba checks only the kernel's own
    file, and a kernel of another file is compiled into its caller)."""
    import hashlib

    from sim.core import pmath_k, pmath_tables

    h = hashlib.sha256()
    for mod in (pmath_k, pmath_tables, *more):
        with open(mod.__file__, "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()


def _build_draws(nb) -> None:
    """Define the draw kernels (compiled on first use, the machine code cached)."""
    global _pois_rows, _window_logp, _const_batch, _keyed_poisson, _keyed_normals_all, _keyed_lognormal, _exp_loop, \
        _log_loop, _pow_loop, _exit_picks
    from sim.core import pmath_k

    _jit = nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")
    # pmath's vectorised exp and log loops (the ones pm.exp and pm.log run) as module globals of the
    # kernels below, not closure cells; the closure value ``stamp`` keys their cache by pmath's source
    _exp_loop, _log_loop, _pow_loop = pmath_k._exp_loop, pmath_k._log_loop, pmath_k._pow_loop
    stamp = int(_pmath_stamp()[:15], 16)

    @_jit
    def _pois_rows(u, lam, thr, seq_rate, neg, act, rows):  # pragma: no cover - compiled
        # streams.poisson_ppf's rows = flatnonzero(u + lam > thr), split by lam < seq_rate into
        # ``act`` (with -lam, for pmath's exp) and ``rows``, both ascending, in one pass
        na = 0
        nr = 0
        for i in range(u.size):
            x = lam[i]
            if u[i] + x > thr:
                if x < seq_rate:
                    act[na] = i
                    neg[na] = -x
                    na += 1
                else:
                    rows[nr] = i
                    nr += 1
        return na, nr

    @_jit
    def _window_logp(lo, lg, ll, logfact, out):  # pragma: no cover - compiled
        # lo * log(lam) - lam - log(lo!) (pmath's log passed in; a product and two differences, in
        # numpy's order: no fused multiply-add without fastmath)
        for r in range(lo.size):
            out[r] = lo[r] * lg[r] - ll[r] - logfact[np.int64(lo[r])]


    @_jit
    def _keyed_poisson(keys, cs, rounds, lam, thr, seq_rate, steps, logfact, out):  # pragma: no cover - compiled
        # Streams.poisson in one call: keyed_poisson_rows, then streams._poisson_rest's compiled path
        # (poisson_head from exp(-lam), the window rows, their first cells' log-probabilities and
        # counts), pmath's exp and log by the loops pm.exp and pm.log run. Returns False, out partly
        # written, where that path hands over to numpy (a uniform within 2**-20 of 1 or a negative
        # rate among the window rows, a window beyond logfact)
        if stamp < 0:  # the closure value keys the cache by pmath's source (never negative)
            return False
        k, n = keys.size, lam.size
        u, neg = np.empty(n), np.empty(n)
        for s in range(cs.shape[0]):
            _uniform(keys, cs[s, 0], cs[s, 1], rounds, u[s * k:(s + 1) * k])
        act, buf = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
        na, nr = _pois_rows(u, lam, thr, seq_rate, neg, act, buf)
        if na:
            p0 = neg[:na]
            _exp_loop(p0, p0)  # in place, as pm.exp(neg, out=neg)
            nr += _poisson_head(u, lam, act[:na], p0, steps, out, buf[nr:])
        if nr == 0:
            return True
        rows = buf[:nr]
        ll, uu, lo = np.empty(nr), np.empty(nr), np.empty(nr)
        w, lomax = _window_rows(rows, lam, u, ll, uu, lo)
        if w < 0 or not (lomax < logfact.size):
            return False
        lg = np.empty(nr)
        _log_loop(ll, lg)
        _window_logp(lo, lg, ll, logfact, lg)  # in place: each number read before it is written
        _exp_loop(lg, lg)
        _window_counts(rows, ll, lo, uu, lg, w, out)
        return True

    @_jit
    def _keyed_normals_all(keys, cs, rounds, z):  # pragma: no cover - compiled
        # keyed_normals in one call: each stream's row by _keyed_normal, then every row's tails after
        # pmath's log of min(u, 1 - u) (the loop pm.log runs) by _ndtri_tails
        if stamp < 0:  # the closure value keys the cache by pmath's source (never negative)
            return
        n = keys.size
        zf = z.reshape(-1)
        tail, ut = np.empty(zf.size, dtype=np.int64), np.empty(zf.size)
        nt = 0
        for s in range(cs.shape[0]):
            m = _keyed_normal(keys, cs[s, 0], cs[s, 1], rounds, zf[s * n:(s + 1) * n], tail[nt:], ut[nt:])
            for j in range(nt, nt + m):  # the row's tail positions in the flat array
                tail[j] += s * n
            nt += m
        if nt:
            lg = np.empty(nt)
            for j in range(nt):  # np.minimum(ut, 1.0 - ut)
                a, b = ut[j], 1.0 - ut[j]
                lg[j] = a if a <= b else b
            _log_loop(lg, lg)
            _ndtri_tails(ut[:nt], tail[:nt], lg, zf)

    @_jit
    def _keyed_lognormal(keys, cs, rounds, mean, sigma, z):  # pragma: no cover - compiled
        # Streams.lognormal in one call: the normals as _keyed_normals_all's, then ``z *= sigma``,
        # ``z += mean`` (two roundings, as numpy's two operations) and pmath's exp in place
        _keyed_normals_all(keys, cs, rounds, z)
        zf = z.reshape(-1)
        for i in range(zf.size):
            zf[i] *= sigma
        for i in range(zf.size):
            zf[i] += mean
        _exp_loop(zf, zf)

    @_jit
    def _exit_picks(age, base, young, scale, losses, loss_years, loss, z, emp, ref, neg_elast, use_size, bound, t_lo,
                    mult, keys, c1, c2, rounds, out):  # pragma: no cover - compiled
        # enterprise.exits' picks: Streams.below's comparison u < hazard, where hazard is
        # fused.exit_arith's min((by_age[age] + the zone's loss hazard for loss-makers) x size factor, 1)
        # (by_age: enterprise.exit_hazard's base + young x exp(-arange(max age + 1) / scale), pmath's exp),
        # times the levers' multiplier (``mult``: one a firm, or one number; empty: none). The size
        # factor pow(max(n, 1) / ref, -elast) is worked out only for the firms whose uniform is below an
        # upper bound of their hazard: ``bound[t]`` bounds the factor over employment bucket t (eight a
        # doubling of n, from n's float bits: t = bits >> 49 - t_lo, clamped), so a firm above it cannot be
        # picked; the others get pmath's power (the loop pm.power runs) and the exact comparison. Returns
        # the picks (ascending) in out and their number; -1 for a negative age or a loss-maker's zone
        # outside loss (nothing decided: numpy's indexing decides)
        if stamp < 0:  # the closure value keys the cache by pmath's source (never negative)
            return -1
        size = keys.size
        nl, nt = loss.size, bound.size
        emp_bits = emp.view(np.int64)  # the employment's float bits: its bucket
        per_firm = mult.size > 1
        use_mult = mult.size > 0
        lo_a, hi_a = 0, 0
        for i in range(size):  # the ages' range (a vectorised reduction): the gathers below need no check
            lo_a = min(lo_a, age[i])
            hi_a = max(hi_a, age[i])
        if lo_a < 0:
            return -1
        by_age = np.empty(hi_a + 1)  # numpy's steps: -arange as integers, then divided as floats
        for a in range(hi_a + 1):
            by_age[a] = np.float64(-a) / scale
        _exp_loop(by_age, by_age)
        for a in range(hi_a + 1):
            by_age[a] = base + young * by_age[a]
        m = min(size, _BLOCK)
        ub, hb, fb, hh = np.empty(m), np.empty(m, dtype=np.uint64), np.ones(m), np.empty(m)
        cand, hc, uc = np.empty(size, dtype=np.int64), np.empty(size), np.empty(size)
        nc = 0
        for s in range(0, size, _BLOCK):
            e = min(s + _BLOCK, size)
            b = e - s
            _bits(keys[s:e], c1, c2, rounds, hb[:b])
            _unit(hb[:b], ub[:b])
            ab, lb, zb = age[s:e], losses[s:e], z[s:e]
            for j in range(b):  # the hazard by age (a gather: vectorised)
                hh[j] = by_age[ab[j]]
            for j in range(b):  # plus the zone's loss hazard for persistent loss-makers (few: a branch)
                if lb[j] >= loss_years:
                    zi = zb[j]
                    if zi < 0 or zi >= nl:
                        return -1
                    hh[j] = hh[j] + loss[zi]
            if use_size:
                eb = emp_bits[s:e]
                for j in range(b):  # times the bucket's bound of the size factor (a gather: vectorised)
                    t = (eb[j] >> 49) - t_lo
                    t = max(t, 0)
                    fb[j] = hh[j] * bound[min(t, nt - 1)]
            else:
                for j in range(b):
                    fb[j] = hh[j]
            # (no min(., 1): a uniform is below 1, so the comparison is the same, and the bound stays
            # one for a multiplier of either sign)
            if use_mult:
                if per_firm:
                    for j in range(b):
                        fb[j] = fb[j] * mult[s + j]
                else:
                    for j in range(b):
                        fb[j] = fb[j] * mult[0]
            for j in range(b):  # may be picked: the exact hazard below (a branch: few are)
                if ub[j] < fb[j]:
                    cand[nc] = s + j
                    hc[nc] = hh[j]
                    uc[nc] = ub[j]
                    nc += 1
        pw = np.empty(nc)
        if use_size:
            for c in range(nc):
                pw[c] = np.maximum(emp[cand[c]], 1.0) / ref
            y = np.empty(1)
            y[0] = neg_elast
            _pow_loop(pw, y, pw)
        n = 0
        for c in range(nc):
            h = hc[c]
            if use_size:
                h = h * pw[c]
            h = np.minimum(h, 1.0)
            if use_mult:
                h = h * (mult[cand[c]] if per_firm else mult[0])
            if uc[c] < h:
                out[n] = cand[c]
                n += 1
        return n

    @_jit
    def _const_batch(pre, hy, hd, out):  # pragma: no cover - compiled
        # streams.Streams._batch: fmix(fmix(pre ^ hy) ^ hd) of each word (wrapping uint64 arithmetic)
        for i in range(pre.shape[0]):
            for j in range(pre.shape[1]):
                out[i, j] = _fmix(_fmix(pre[i, j] ^ hy) ^ hd)


def draws_on() -> bool:
    """True when the kernels are on (the draw kernels are defined the first time)."""
    global _draws_built
    if not ENABLED:
        return False
    if not _draws_built:
        _build_draws(numba)
        _draws_built = True
    return True


def poisson_rows(u: np.ndarray, lam: np.ndarray, thr: float, seq_rate: float
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Of 1-d float64 ``u`` and ``lam``, the rows with ``u + lam > thr`` split by ``lam < seq_rate``:
    ``(act, -lam[act], rows, buf)``, ``act`` and ``rows`` ascending; ``rows`` is the start of
    ``buf``, whose rest may take more rows (``poisson_head``'s ``left``)."""
    n = u.size
    act, neg, buf = np.empty(n, dtype=np.int64), np.empty(n), np.empty(n, dtype=np.int64)
    na, nr = _pois_rows(u, lam, float(thr), float(seq_rate), neg, act, buf)
    return act[:na], neg[:na], buf[:nr], buf


def keyed_poisson_rows(keys: np.ndarray, cs: np.ndarray, rounds: int, lam: np.ndarray, thr: float,
                       seq_rate: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``keyed_uniform`` of the 1-d ``keys`` for each stream's constants ``cs[s] = (c1, c2)``
    (uint64, streams x 2; the uniforms row-major, streams x keys flattened) and ``poisson_rows``
    of them against the flat ``lam``: ``(u, act, -lam[act], rows, buf)``."""
    # one _uniform call a stream, into its row (one pass with the selection below measured 1.7x:
    # the hash loop vectorises only at the top level, on a C-contiguous block)
    k, n = keys.size, lam.size
    u, neg = np.empty(n), np.empty(n)
    for s in range(cs.shape[0]):
        _uniform(keys, cs[s, 0], cs[s, 1], rounds, u[s * k:(s + 1) * k])
    act, buf = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    na, nr = _pois_rows(u, lam, float(thr), float(seq_rate), neg, act, buf)
    return u, act[:na], neg[:na], buf[:nr], buf


def keyed_poisson(keys: np.ndarray, cs: np.ndarray, rounds: int, lam: np.ndarray, thr: float, seq_rate: float,
                  steps: int, logfact: np.ndarray) -> np.ndarray | None:
    """``Streams.poisson``'s counts of the 1-d uint64 ``keys`` for each stream's constants ``cs``
    (streams x 2, the counts row-major) against the flat float64 ``lam``, in one compiled call:
    ``keyed_poisson_rows`` and ``streams._poisson_rest``'s compiled path, the same counts; None
    where that path would hand over to numpy (the caller then takes the step-by-step path)."""
    out = np.zeros(lam.size, dtype=np.int64)
    if _keyed_poisson(keys, cs, int(rounds), lam, float(thr), float(seq_rate), int(steps), logfact, out):
        return out
    return None


def window_logp(lo: np.ndarray, lg: np.ndarray, ll: np.ndarray, logfact: np.ndarray) -> np.ndarray:
    """``lo * lg - ll - logfact[lo.astype(np.int64)]`` of 1-d float64 arrays (every ``lo`` a whole
    number below ``logfact.size``) in one pass."""
    out = np.empty(lo.size)
    _window_logp(lo, lg, ll, logfact, out)
    return out


def const_batch(pre: np.ndarray, hy: int, hd: int) -> np.ndarray:
    """``fmix(fmix(pre ^ hy) ^ hd)`` of a 2-d uint64 array (a year's stream constants) in one pass
    (numpy: 16 calls, ~9 us for the model's 44 streams)."""
    out = np.empty(pre.shape, dtype=np.uint64)
    _const_batch(np.ascontiguousarray(pre), np.uint64(hy), np.uint64(hd), out)
    return out


def keyed_lognormal(keys: np.ndarray, c1: np.uint64, c2: np.uint64, rounds: int, mean: float,
                    sigma: float) -> np.ndarray | None:
    """``exp(mean + sigma * keyed_normal(keys, ...))`` of 1-d uint64 ``keys`` and float ``mean`` and
    ``sigma`` in one compiled call (Streams.lognormal's normal, product, sum and pmath's exp: the same
    numbers). None when the draw kernels are off or the keys would be split on threads (the caller
    takes the steps, whose loops split)."""
    if not draws_on() or keys.ndim != 1 or _threads.parts(keys.size, _BLOCK) is not None:
        return None
    z = np.empty(keys.size)
    cs = np.array([[c1, c2]], dtype=np.uint64)
    _keyed_lognormal(np.ascontiguousarray(keys), cs, int(rounds), float(mean), float(sigma), z.reshape(1, -1))
    return z


_EXIT_T_LO = int(np.array(1.0).view(np.int64)) >> 49  # exit_picks' first employment bucket: n = 1
_EXIT_BUCKETS = 8 * 40  # eight a doubling of employment, from 1 to 2**40 (beyond: the last bucket's bound)
_EXIT_MARGIN = 1.0 + 2.0 ** -30  # over pmath's power's error (1 ulp of the correctly rounded result)


def exit_picks(age: np.ndarray, base: float, young: float, scale: float, losses: np.ndarray, loss_years: float,
               loss: np.ndarray, z: np.ndarray, emp: np.ndarray, ref: float, elast: float, mult: np.ndarray | float,
               keys: np.ndarray, consts: tuple[np.uint64, np.uint64, int]) -> np.ndarray | None:
    """``enterprise.exits``' picks in one compiled call: the slots ``Streams.below(name, year, keys, p)``
    gives (``consts``: the stream's ``compiled_constants``) for ``p`` = ``fused.exit_arith``'s hazard (the
    hazard by age ``base + young * exp(-age / scale)``, as ``enterprise.exit_hazard`` works it out), times
    ``mult`` unless it is the number 1.0 (the levers' multiplier: one a firm, or one number). The size
    factor ``pow(max(n, 1) / ref, -elast)`` (pmath's) is worked out only for the firms whose uniform lies
    below an upper bound of their hazard (the factor falls with n: its value at the lower end of the
    firm's employment bucket, eight buckets a doubling, times a margin over the power's error): the same
    picks, most firms never raised to a power. Without a falling factor to bound (``elast`` not positive,
    ``ref`` not positive and finite) every firm is worked out. None where the steps must decide: other
    dtypes or shapes, a negative age or a loss-maker's zone outside ``loss``, or a population
    ``ZONESIM_THREADS`` would split."""
    L = keys.size
    ints = (age, losses, z)
    if not (draws_on() and keys.dtype == np.uint64 and keys.ndim == 1 and emp.dtype == np.float64
            and emp.shape == (L,) and all(a.dtype == np.int64 and a.shape == (L,) for a in ints)
            and _threads.parts(L, _BLOCK) is None and _threads.parts(L) is None):
        return None
    if isinstance(mult, np.ndarray) and mult.shape == (L,):
        m = np.ascontiguousarray(mult, np.float64)  # (one firm: one number, the same)
    elif np.isscalar(mult) and isinstance(mult, (int, float, np.integer, np.floating)):
        m = _NO_MULT if mult == 1.0 else np.array([mult], dtype=np.float64)
    else:
        return None
    ref, elast = float(ref), float(elast)
    emp = np.ascontiguousarray(emp)
    out = np.empty(L, dtype=np.int64)
    c1, c2, rounds = consts
    n = _exit_picks(np.ascontiguousarray(age), float(base), float(young), float(scale), np.ascontiguousarray(losses),
                    float(loss_years), np.ascontiguousarray(loss, np.float64), np.ascontiguousarray(z), emp,
                    ref, -elast, elast != 0.0, _exit_bound(ref, elast), _EXIT_T_LO, m,
                    np.ascontiguousarray(keys), np.uint64(c1), np.uint64(c2), int(rounds), out)
    return out[:n] if n >= 0 else None


@functools.lru_cache(maxsize=16)
def _exit_bound(ref: float, elast: float) -> np.ndarray:
    """``exit_picks``' bounds of the size factor by employment bucket (read-only; the last 16 pairs of
    parameters kept): each bucket's factor at its lowest employment, times the margin; one infinite
    bound (every firm worked out) without a falling factor."""
    if elast > 0.0 and 0.0 < ref < np.inf:
        lower = (np.arange(_EXIT_T_LO, _EXIT_T_LO + _EXIT_BUCKETS, dtype=np.int64) << 49).view(np.float64)
        bound = pm.power(lower / ref, -elast)
        bound *= _EXIT_MARGIN
    else:
        bound = np.array([np.inf])
    bound.flags.writeable = False
    return bound


_NO_MULT = np.zeros(0)


def keyed_normals(keys: np.ndarray, cs: np.ndarray, rounds: int) -> np.ndarray:
    """``keyed_normal`` of the 1-d ``keys`` for each stream's constants ``cs[s] = (c1, c2)`` (uint64,
    streams x 2): streams x keys, one row a stream, every row's tails after one logarithm (the
    same numbers as one ``keyed_normal`` a row and ``np.stack``, in one array), in one compiled call
    (``_keyed_normals_all``; entry's three streams drew in ~7 calls). Kernels on only."""
    if not draws_on():
        raise RuntimeError("keyed_normals: the compiled kernels are off (sim.core.kernels.enable())")
    z = np.empty((cs.shape[0], keys.size))
    _keyed_normals_all(keys, cs, int(rounds), z)
    return z
