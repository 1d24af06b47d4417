"""Fused per-firm arithmetic (numba): a stage's chain of numpy operations over all firms as a few
compiled passes, for the yearly hot paths of production, growth, exit, innovation and entry (its
cells' statistics, spin-off chances and entrants' columns).

numpy runs such a chain as one pass per operation, each reading and writing a temporary array
of the population's size; a fused pass reads each input once and keeps the intermediates in
registers. Each kernel here does **the same floating-point operations in the same order** as the
numpy code it replaces (which stays in ``sim.agents.enterprise`` as the reference and the
fallback; ``tests/core/test_fused.py`` compares them bit for bit):

* no reassociation and no fused multiply-add (numba does neither without ``fastmath``; a probe
  checks, ``arithmetic()``);
* sums over all firms add in numpy's pairwise order (``weighted_sums``: numpy's own blocks of
  eight running sums, halves split at multiples of eight; tests compare it with numpy's ``sum``
  for every length up to 300 and long arrays), and group sums add in element order as
  ``np.bincount`` does.

**Transcendental functions** (powers, exponentials, logarithms) are computed between the passes by
the model's own vectorised loops (``sim.core.pmath``), as the numpy code computes them: the same
bits on every CPU. Until the thirty-second session of issue 19 a second tier of kernels called the
C library's functions inside its loops, on CPUs where numpy's were the C library's too; with the
model's own functions the vectorised loops between the passes were faster (a default run 375 against
552 ms, docs/performance.md) and that tier was removed.
"""

from __future__ import annotations

import math

import numpy as np

from sim.core import kernels
from sim.core import pmath as pm
from sim.core import threads as _threads

_STATE: dict[str, bool] = {}  # "arith": the probe's verdict, once per process
_K: dict[str, object] = {}  # the compiled kernels by name
_produce_row = None  # production's loop body, inlined into two kernels (set by _build)
_pairwise_block = None  # numpy's pairwise sums of a block (set by _build)
_pairwise_sums = None  # numpy's pairwise sums of a * w and of w (set by _build)
_exp_loop = _log_loop = _log1p_loop = None  # pmath's loops, called by tfp_update (set by _build)
# sim.core.kernels' keyed Poisson counts and logit rows (entry_rates) and one key's uniform
# (certify_year), set by _build
_keyed_poisson = _logit_shift = _logit_norm = _key_unit = None


def arithmetic() -> bool:
    """True when the fused kernels are on (production after its powers, tax and loss runs, knowledge
    and its cell sums, innovation rates, certification, growth, exit, entry's cell statistics): the
    compiled kernels are on (``sim.core.kernels``) and a probe found no contraction into fused
    multiply-adds, once per process."""
    if not kernels.ENABLED:
        return False
    ok = _STATE.get("arith")
    if ok is None:
        ok = _STATE["arith"] = _build() and _probe_arithmetic()
    return ok


available = arithmetic  # the name the benchmarks print ("fused": on or off)


def _build() -> bool:
    # a kernel calling _produce_row finds it as a module global, not a closure cell (numba
    # keys its on-disk cache by the pickled closure cells, and a pickled dispatcher differs in every
    # process: with _produce_row a closure cell, the two production kernels were compiled again in
    # every process, ~1 s, and each process wrote two more cache files)
    global _produce_row, _pairwise_block, _pairwise_sums, _exp_loop, _log_loop, _log1p_loop
    global _keyed_poisson, _logit_shift, _logit_norm, _key_unit
    nb = kernels.numba
    if nb is None:
        return False
    if _K:  # built already (every kernel is built at once)
        return True
    from sim.core import pmath_k

    if not (kernels.draws_on() and kernels.small_on()):  # defines (not compiles) the kernels entry_rates calls
        return False
    _keyed_poisson, _logit_shift, _logit_norm = kernels._keyed_poisson, kernels._logit_shift, kernels._logit_norm
    _key_unit = kernels._key_unit

    # pmath's vectorised loops (the ones pm.exp, pm.log and pm.log1p run) as module globals of
    # tfp_update, not closure cells; the closure value ``stamp`` keys its cache (and entry_rates' and
    # certify_year's) by pmath's source and sim.core.kernels', whose kernels they call
    _exp_loop, _log_loop, _log1p_loop = pmath_k._exp_loop, pmath_k._log_loop, pmath_k._log1p_loop
    stamp = int(kernels._pmath_stamp(kernels)[:15], 16)
    options = dict(cache=True, nogil=True, boundscheck=False, error_model="numpy")
    jit = nb.njit(**options)
    row = nb.njit(**options, inline="always")  # a loop body shared by kernels, inlined into each

    @row
    def _produce_row(i, zi, ci, tfp, local, urban_service, k_pow, l_pow, k, n, sector_va, sector, rd_share, wage,
                     user_cost, output, va_out, rd_out, profit_out):  # pragma: no cover - compiled
        # one firm's production after its powers (the loop body of the two kernels below); its output and R&D
        y = tfp[i] * local[ci]
        y = y * urban_service[zi]
        y = y * k_pow[i]
        y = y * l_pow[i]
        output[i] = y
        va = y * sector_va[sector[i]]
        va_out[i] = va
        rd = y * rd_share[i]
        rd_out[i] = rd
        profit_out[i] = va - wage[zi] * n[i] - user_cost * k[i] - rd
        return y, rd

    @jit
    def produce_after_powers(tfp, local, cell, urban_service, z, k_pow, l_pow, k, n, sector_va, sector, rd_share,
                             wage, user_cost, output, va_out, rd_out, profit_out):  # pragma: no cover - compiled
        # produce with numpy's k ** a and labour ** b given (AVX-512 CPUs: numpy's own loops)
        for i in range(tfp.size):
            _produce_row(i, z[i], cell[i], tfp, local, urban_service, k_pow, l_pow, k, n, sector_va, sector, rd_share,
                         wage, user_cost, output, va_out, rd_out, profit_out)

    @jit
    def tax_losses(va, profit, hightech, rates, va_rate, tax, losses):  # pragma: no cover - compiled
        for i in range(va.size):
            pi = profit[i]
            r = rates[1] if hightech[i] else rates[0]
            tax[i] = va_rate * va[i] + r * np.maximum(pi, 0.0)
            losses[i] = (losses[i] + 1) * (1 if pi < 0.0 else 0)

    @jit
    def knowledge(k, rd, keep, cell, n, ncells, ksum, nsum):  # pragma: no cover - compiled
        for i in range(k.size):
            ki = k[i] * keep
            ki = ki + rd[i]
            k[i] = ki
            c = cell[i]
            ksum[c] += ki
            nsum[c] += n[i]

    @jit
    def innovation_rate(k, kpw, cell, n, z, boost, rate_0, spill, out):  # pragma: no cover - compiled
        for i in range(k.size):
            out[i] = rate_0 * (k[i] + spill * kpw[cell[i]] * n[i]) * boost[z[i]]

    @jit
    def certify_year(ip, inno, rd_share, threshold, held, cert_left, keys, z, p_zone, years, c1, c2,
                     rounds):  # pragma: no cover - compiled
        # enterprise.certify_numpy's steps in one pass: each firm's IP count decayed by a third and added
        # to; eligible, years left after this one, expired (renewed if eligible); an applicant's keyed
        # uniform (Streams.uniform's number, kernels' _key_unit) against its zone's chance
        if stamp < 0:  # the closure value keys the cache by kernels' source (never negative)
            return
        for i in range(ip.size):
            v = ip[i] * (2.0 / 3.0)
            v = v + inno[i]
            ip[i] = v
            h = held[i]
            eligible = rd_share[i] >= threshold and v >= 1.0
            lf = cert_left[i] - (1 if h else 0)
            expired = h and lf <= 0
            nw = eligible and expired  # renewed
            if eligible and not h and _key_unit(keys[i], c1, c2, rounds) < p_zone[z[i]]:  # applied and granted
                nw = True
            keep = h and not expired
            cert_left[i] = lf * (1 if keep else 0) + years * (1 if nw else 0)
            held[i] = keep or nw

    @jit
    def cell_stats_after_log(zone, sector, n_sectors, emp, log_tfp, land, count, emp_sum, log_sum,
                             land_sum):  # pragma: no cover - compiled
        # cell_stats with pmath's log(tfp) given (scaled by employment in place)
        for i in range(zone.size):
            c = zone[i] * n_sectors + sector[i]
            e = emp[i]
            lt = log_tfp[i] * e
            log_tfp[i] = lt
            count[c] += 1
            emp_sum[c] += e
            log_sum[c] += lt
            land_sum[c] += land[i]

    _K.update(cell_stats_after_log=cell_stats_after_log)

    # enterprise.entrants' columns: the exponentials' arguments and land per worker from the entrants'
    # cells in one pass, pmath's exp of all three rows in one call, then the columns in a second pass
    @jit
    def entrant_args(z_new, s_new, zn, cellw, cell_log, cell_land, n_sectors, c0, args, lpw,
                     held):  # pragma: no cover - compiled
        unheld = 0
        for i in range(z_new.size):
            c = z_new[i] * n_sectors + s_new[i]
            w = cellw[c]
            h = w > 0.0
            held[i] = h
            unheld += not h
            w = w if (w != w or w > 1e-9) else 1e-9  # np.maximum(w, 1e-9): NaN stays
            args[0, i] = c0 + 0.8 * zn[0, i]  # size: log(mean) - 0.32 + 0.8 z
            args[1, i] = cell_log[c] / w + 0.25 * zn[1, i]  # productivity: the cell's log TFP + 0.25 z
            args[2, i] = -0.125 + 0.5 * zn[2, i]  # R&D share: -0.125 + 0.5 z
            lpw[i] = cell_land[c] / w
        return unheld

    @jit
    def entrant_cols(e, s_new, lpw, productivity, sector_rd, sector_capital, size, capital, tfp, rd,
                     land):  # pragma: no cover - compiled
        for i in range(s_new.size):
            v = e[0, i]
            sz = v if (v != v or v > 1.0) else 1.0  # np.maximum(1.0, v): NaN stays
            s = s_new[i]
            size[i] = sz
            capital[i] = sz * sector_capital[s]
            tfp[i] = productivity * e[1, i]
            rd[i] = sector_rd[s] * e[2, i]
            land[i] = sz * lpw[i]

    _K.update(entrant_args=entrant_args, entrant_cols=entrant_cols)

    @jit
    def entry_rates(platforms, incubator, startup_mult, c_start, talent, active, base, free, attract_land, hook,
                    arrival_mult, outside, keys, cs, rounds, thr, seq_rate, steps, logfact, count, pull, use_pull,
                    lam, counts, cdf):  # pragma: no cover - compiled
        # enterprise.entrants' zone-level chain, each operation numpy's in numpy's order: the start-up
        # rates, zone_attractiveness (its hook's value given), the arrivals' weights and rates, the keyed
        # Poisson counts of both streams (kernels' keyed_poisson; their rates in lam), the sectors' logit
        # utilities and their rows' cumulative shares (kernels' logit_rows). False where keyed_poisson
        # hands over to numpy
        if stamp < 0:  # the closure value keys the cache by pmath's and kernels' source (never negative)
            return False
        nz = platforms.size
        t = np.empty(nz)
        _log1p_loop(platforms, t)  # pm.log1p(zs.platforms)
        for i in range(nz):  # (1 + incubator x log1p(platforms)) x mult; rate / 1000 x talent x incub x active
            incub = (1.0 + incubator * t[i]) * startup_mult[i]
            lam[i] = c_start * talent[i] * incub * (1.0 if active[i] else 0.0)
        a = np.empty(nz)
        for i in range(nz):  # np.maximum(free, 0.0) (NaN stays) x 10
            v = free[i]
            a[i] = (v if (v >= 0.0 or v != v) else 0.0) * 10.0
        _log1p_loop(a, a)
        mx = 0.0
        anyfin = False
        for i in range(nz):  # base + land x log1p(.), plus the levers' term; -inf where the zone is inactive
            u = base[i] + attract_land * a[i]
            u = u + hook[i]
            u = u if active[i] else -np.inf
            a[i] = u
            if np.isfinite(u):  # the largest finite utility (a tie of -0.0 and 0.0 gives the same weights)
                if not anyfin or u > mx:
                    mx = u
                anyfin = True
        w = np.zeros(nz)
        if anyfin:
            for i in range(nz):
                w[i] = a[i] - mx
            _exp_loop(w, w)
            for i in range(nz):
                w[i] = w[i] * arrival_mult[i]
        total = _pairwise_sums(w, w)[1]  # w.sum(), numpy's pairwise order
        lam_o = outside
        plain = True  # np.all(arrival_mult[active] == 1.0)
        for i in range(nz):
            if active[i] and not (arrival_mult[i] == 1.0):
                plain = False
        if total > 0 and not plain:
            b = np.empty(nz)
            for i in range(nz):  # w / np.maximum(mult, 1e-12) (NaN stays)
                m = arrival_mult[i]
                b[i] = w[i] / (m if (m >= 1e-12 or m != m) else 1e-12)
            s = _pairwise_sums(b, b)[1]
            if s > 0:
                lam_o = outside * (total / s)
        for i in range(nz):
            lam[nz + i] = lam_o * (w[i] / total) if total > 0 else 0.0
        if not _keyed_poisson(keys, cs, rounds, lam, thr, seq_rate, steps, logfact, counts):
            return False
        mix = np.empty(cdf.shape)
        m2 = mix.reshape(-1)
        for j in range(m2.size):  # pm.log(count + 0.5), plus the levers' pull
            m2[j] = count[j] + 0.5
        _log_loop(m2, m2)
        if use_pull:
            for j in range(m2.size):
                m2[j] = m2[j] + pull[j]
        _logit_shift(mix, cdf)  # kernels.logit_rows
        c2 = cdf.reshape(-1)
        _exp_loop(c2, c2)
        _logit_norm(cdf)
        return True

    _K.update(entry_rates=entry_rates)

    # enterprise.grow on the arithmetic tier: its arithmetic between pmath's power, log1p and exp, in
    # four passes (the numpy chain's operations, in its order): grow_head (below, beside the pairwise
    # sums it calls), then grow_sigma, grow_shock and grow_tail here

    @jit
    def grow_sigma(a, noise, arg2):  # pragma: no cover - compiled
        # in a, the power in, sigma = min(power * noise, 0.95) out; the drift correction's log1p argument
        # (-0.5 * sigma) * sigma. One array in and out, not two arguments that are the same array: LLVM
        # vectorises a loop behind a check that its arrays do not overlap, and two names for one array
        # fail it (the loop's scalar version ran; docs/performance.md, thirty-third session)
        for i in range(a.size):
            s = np.minimum(a[i] * noise, 0.95)
            a[i] = s
            arg2[i] = -0.5 * s * s

    @jit
    def grow_shock(g, u, sigma, l2, margin, mean_margin, tilt_div, drift, sens, z, sector, energy, cap, use_cap,
                   sqrt2):  # pragma: no cover - compiled
        # in g, laplace's log1p(.) in, the growth rate out (one array: grow_sigma's note): laplace:
        # x = log1p(.) * (-sign(d) / sqrt 2); g = x * sigma + log1p(.); the profit tilt; the green cap:
        # g = min(g, cap) for energy-intensive sectors
        for i in range(g.size):
            x = g[i] * (-np.sign(u[i] - 0.5) / sqrt2)
            x = x * sigma[i]
            x = x + l2[i]
            tilt = margin[i] - mean_margin
            tilt = tilt * (sigma[i] / tilt_div) if tilt_div > 0.0 else tilt * 1.0
            x = x + (drift + sens * tilt)
            if use_cap and energy[sector[i]]:
                x = np.minimum(x, cap[z[i]])
            g[i] = x

    @jit
    def grow_tail(n, e, land, z, change, lpw, need, net, occupied):  # pragma: no cover - compiled
        # change = max(n exp(g), 1) - n; land per worker; the land needed, the net change and the
        # land occupied by zone, each added in element order (group_sums')
        for i in range(n.size):
            ni = n[i]
            ch = np.maximum(ni * e[i], 1.0) - ni
            lp = land[i] / np.maximum(ni, 1e-9)
            dl = ch * lp
            change[i] = ch
            lpw[i] = lp
            zi = z[i]
            need[zi] += np.maximum(dl, 0.0)
            net[zi] += dl
            occupied[zi] += land[i]

    @jit
    def grow_apply(change, ratio, use_ratio, z, n, lpw, capital, land, employees, age,
                   occupied):  # pragma: no cover - compiled
        # growth scaled down where land is short, capital and land following employment, one year
        # older; and the land then occupied by zone (added in element order: group_sum's)
        for i in range(n.size):
            ch = change[i]
            if use_ratio and ch > 0.0:
                ch = ch * ratio[z[i]]
            ni = n[i]
            grown = ni + ch
            capital[i] = capital[i] * (grown / ni)
            li = grown * lpw[i]
            land[i] = li
            employees[i] = grown
            age[i] += 1
            occupied[z[i]] += li

    @jit
    def axpy(x, a, y, out):  # pragma: no cover - compiled
        # out = x + a * y (numpy: the product first, then the sum; no fused multiply-add)
        for i in range(x.size):
            out[i] = x[i] + a * y[i]

    @jit
    def scale_shift(x, a, b):  # pragma: no cover - compiled
        # x = x * a - b in place (numpy's x *= a; x -= b)
        for i in range(x.size):
            x[i] = x[i] * a - b

    @jit
    def size_base(n, ref, out):  # pragma: no cover - compiled
        for i in range(n.size):
            out[i] = np.maximum(n[i], 1.0) / ref

    @jit
    def exit_after_power(age, by_age, losses, loss_years, loss, z, pw, use_size, out):  # pragma: no cover
        # enterprise.exit_hazard's numpy chain after its power: hazard by age, plus the zone's
        # loss hazard for persistent loss-makers, times the size factor, at most 1
        for i in range(age.size):
            h = by_age[age[i]]
            if losses[i] >= loss_years:
                h = h + loss[z[i]]
            if use_size:
                h = h * pw[i]
            out[i] = np.minimum(h, 1.0)

    @jit
    def produce_sums(tfp, local, cell, urban_service, z, k_pow, l_pow, k, n, sector_va, sector, rd_share,
                     wage, user_cost, output, va_out, rd_out, profit_out, out_cell, rd_zone):  # pragma: no cover
        # produce_after_powers, and on the way the output by cell and the R&D by zone (added in
        # element order: cell_zone_sums', which then need not read them again)
        for i in range(tfp.size):
            zi = z[i]
            ci = cell[i]
            y, rd = _produce_row(i, zi, ci, tfp, local, urban_service, k_pow, l_pow, k, n, sector_va, sector,
                                 rd_share, wage, user_cost, output, va_out, rd_out, profit_out)
            out_cell[ci] += y
            rd_zone[zi] += rd

    @jit
    def tax_losses_sums(va, profit, hightech, rates, va_rate, tax, losses, z, tax_zone):  # pragma: no cover
        # tax_losses, and the tax by zone (element order)
        for i in range(va.size):
            pi = profit[i]
            r = rates[1] if hightech[i] else rates[0]
            t = va_rate * va[i] + r * np.maximum(pi, 0.0)
            tax[i] = t
            losses[i] = (losses[i] + 1) * (1 if pi < 0.0 else 0)
            tax_zone[z[i]] += t

    @row
    def _pairwise_block(a, w, lo, n):  # pragma: no cover - compiled
        # numpy's DOUBLE_pairwise_sum of a block of n <= 128 (numpy/_core/src/umath/loops_utils.h.src)
        # of the products a[i] * w[i] and of w[i], side by side: a plain loop below 8, else eight
        # running sums combined pairwise, then the rest in order
        if n < 8:
            s, t = 0.0, 0.0
            for i in range(lo, lo + n):
                s += a[i] * w[i]
                t += w[i]
            return s, t
        r0, r1, r2, r3 = a[lo] * w[lo], a[lo + 1] * w[lo + 1], a[lo + 2] * w[lo + 2], a[lo + 3] * w[lo + 3]
        r4, r5, r6, r7 = a[lo + 4] * w[lo + 4], a[lo + 5] * w[lo + 5], a[lo + 6] * w[lo + 6], a[lo + 7] * w[lo + 7]
        q0, q1, q2, q3 = w[lo], w[lo + 1], w[lo + 2], w[lo + 3]
        q4, q5, q6, q7 = w[lo + 4], w[lo + 5], w[lo + 6], w[lo + 7]
        i = lo + 8
        end = lo + n - n % 8
        while i < end:
            r0 += a[i] * w[i]
            r1 += a[i + 1] * w[i + 1]
            r2 += a[i + 2] * w[i + 2]
            r3 += a[i + 3] * w[i + 3]
            r4 += a[i + 4] * w[i + 4]
            r5 += a[i + 5] * w[i + 5]
            r6 += a[i + 6] * w[i + 6]
            r7 += a[i + 7] * w[i + 7]
            q0 += w[i]
            q1 += w[i + 1]
            q2 += w[i + 2]
            q3 += w[i + 3]
            q4 += w[i + 4]
            q5 += w[i + 5]
            q6 += w[i + 6]
            q7 += w[i + 7]
            i += 8
        s = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        t = ((q0 + q1) + (q2 + q3)) + ((q4 + q5) + (q6 + q7))
        while i < lo + n:
            s += a[i] * w[i]
            t += w[i]
            i += 1
        return s, t

    @row
    def _pairwise_sums(a, w):  # pragma: no cover - compiled
        # numpy's pairwise sums of a * w and of w: above 128 numbers numpy sums the two halves (split
        # at a multiple of 8) apart and adds them; done here with a stack, not recursion (numba's
        # cache of a recursive function crashed the next process that loaded it). Then numpy's
        # reduction adds the sum to its identity, 0.0 (so a sum of -0.0s is 0.0).
        lo_s = np.empty(64, dtype=np.int64)
        n_s = np.empty(64, dtype=np.int64)
        stage = np.zeros(64, dtype=np.int64)
        left_s = np.empty(64)
        left_t = np.empty(64)
        lo_s[0], n_s[0], stage[0] = 0, a.size, 0
        top = 1
        s, t = 0.0, 0.0
        while top > 0:
            f = top - 1
            m = n_s[f]
            if m <= 128:
                s, t = _pairwise_block(a, w, lo_s[f], m)
                top -= 1
                continue
            m2 = m // 2
            m2 -= m2 % 8
            if stage[f] == 0:  # the left half first
                stage[f] = 1
                lo_s[top], n_s[top], stage[top] = lo_s[f], m2, 0
                top += 1
            elif stage[f] == 1:  # the left half's sums in; the right half
                left_s[f], left_t[f] = s, t
                stage[f] = 2
                lo_s[top], n_s[top], stage[top] = lo_s[f] + m2, m - m2, 0
                top += 1
            else:  # both halves in
                s = left_s[f] + s
                t = left_t[f] + t
                top -= 1
        return 0.0 + s, 0.0 + t

    @jit
    def weighted_sums(a, w):  # pragma: no cover - compiled
        return _pairwise_sums(a, w)

    @jit
    def spinoff_prob(k, rate, out):  # pragma: no cover - compiled
        # entry's spin-off chances: np.minimum(rate / max(k.mean(), 1e-9) * k, 1.0), np.mean being
        # numpy's sum over the count (the sum of k is _pairwise_sums' second, of w = k)
        n = k.size
        mean = _pairwise_sums(k, k)[1] / n
        d = 1e-9 if 1e-9 > mean else mean  # Python's max(mean, 1e-9): NaN stays
        c = rate / d
        for i in range(n):
            out[i] = np.minimum(c * k[i], 1.0)

    @jit
    def tfp_update(growth, inno, n, tfp, noise, half_var, step, catch_up):  # pragma: no cover - compiled
        # enterprise._tfp_numpy's chain in one call, pmath's log1p, log and exp by the loops pm.log1p,
        # pm.log and pm.exp run: the shocks scaled, the innovators' gains (with the catch-up's
        # weighted mean of log TFP in numpy's pairwise order), TFP times exp(shock + gain)
        if stamp < 0:  # the closure value keys the cache by pmath's source (never negative)
            return False
        size = growth.size
        did = np.empty(size, dtype=np.int64)
        nd = 0
        for i in range(size):  # growth *= noise; growth -= half_var; did = flatnonzero(inno != 0)
            growth[i] = growth[i] * noise - half_var
            if inno[i] != 0:
                did[nd] = i
                nd += 1
        gain = np.empty(nd)
        for j in range(nd):
            i = did[j]
            gain[j] = 100.0 * inno[i] / np.maximum(n[i], 1.0)
        _log1p_loop(gain, gain)
        for j in range(nd):
            gain[j] = step * gain[j]
        if catch_up > 0.0 and nd > 0:
            log_a = np.empty(size)
            _log_loop(tfp, log_a)
            s, scl = _pairwise_sums(log_a, n)
            mean = s / scl if scl > 0 else 0.0
            e = np.empty(nd)
            for j in range(nd):
                e[j] = -catch_up * np.maximum(log_a[did[j]] - mean, 0.0)
            _exp_loop(e, e)
            for j in range(nd):
                gain[j] = gain[j] * e[j]
        for j in range(nd):
            growth[did[j]] += gain[j]
        _exp_loop(growth, growth)
        for i in range(size):
            tfp[i] = tfp[i] * growth[i]
        return True

    @jit
    def grow_head(emp, profit, output, u, ref, n, margin, base, arg1):  # pragma: no cover - compiled
        # enterprise.grow's head in one pass: a copy of employment, the margins profit / max(output, 1e-9),
        # base = max(n, 1) / ref (growth_volatility's, before pmath's power) and laplace's log1p argument;
        # then the mean margin's two sums as np.average sums them (pairwise: weighted_sums)
        for i in range(emp.size):
            x = emp[i]
            n[i] = x
            margin[i] = profit[i] / np.maximum(output[i], 1e-9)
            base[i] = np.maximum(x, 1.0) / ref
            arg1[i] = -2.0 * np.abs(u[i] - 0.5)
        return _pairwise_sums(margin, n)

    _K.update(produce_sums=produce_sums, tax_losses_sums=tax_losses_sums, weighted_sums=weighted_sums,
              spinoff_prob=spinoff_prob)
    _K.update(grow_head=grow_head, grow_sigma=grow_sigma, grow_shock=grow_shock,
              grow_tail=grow_tail,
              size_base=size_base, exit_after_power=exit_after_power,
              axpy=axpy, scale_shift=scale_shift)
    _K.update(knowledge=knowledge, innovation_rate=innovation_rate, certify_year=certify_year, tfp_update=tfp_update)
    _K.update(grow_apply=grow_apply, tax_losses=tax_losses, produce_after_powers=produce_after_powers)
    return True


def _scaled(x: np.ndarray, a: float, b: float) -> np.ndarray:
    y = x.copy()
    scale_shift(y, a, b)
    return y


def _probe_arithmetic() -> bool:
    """The arithmetic kernels give numpy's numbers on fixed inputs: products and sums that a fused
    multiply-add would round once instead of twice (production and its labour, innovation rates,
    knowledge, productivity shocks, growth, exit hazards, entrants' columns)."""
    rng = np.random.default_rng(20261202)
    m = 3000
    tfp, kp, lp, k, n, rd_share = (rng.lognormal(0.0, 1.0, m) for _ in range(6))
    z, cell, sector = rng.integers(0, 5, m), rng.integers(0, 20, m), rng.integers(0, 4, m)
    local, us, va_share, wage, boost = rng.lognormal(0, 1, 20), rng.lognormal(0, 1, 5), rng.uniform(0, 1, 4), \
        rng.lognormal(0, 1, 5), rng.lognormal(0, 1, 5)
    got = [np.empty(m) for _ in range(4)]
    _K["produce_after_powers"](tfp, local, cell, us, z, kp, lp, k, n, va_share, sector, rd_share, wage, 0.37, *got)
    y = tfp * local[cell] * us[z] * kp * lp
    va, rd = y * va_share[sector], y * rd_share
    want = [y, va, rd, va - wage[z] * n - 0.37 * k - rd]
    rate = innovation_rate(k, local, cell, n, z, boost, 0.031, 0.7)
    kk = k.copy()
    ksum, nsum = knowledge(kk, rd, 0.15, cell, n, 20)
    k2 = k * (1.0 - 0.15) + rd
    # growth (enterprise.grow's numpy chain): products followed by sums, and the green cap
    u, profit, land = rng.uniform(0.0, 1.0, m), rng.normal(0.0, 0.2, m) * y, rng.lognormal(0.0, 1.0, m)
    energy, cap = np.array([False, True, False, True]), rng.normal(0.0, 0.1, 5)
    g_got = grow_arith(n, profit, y, u, z, sector, land, energy, cap, 40.0, 0.18, 0.25, 0.01, 0.5, 5)
    margin = profit / np.maximum(y, 1e-9)
    sigma = np.minimum(pm.power(np.maximum(n, 1.0) / 40.0, -0.18) * 0.25, 0.95)
    d = u - 0.5
    g = pm.log1p(-2.0 * np.abs(d)) * (-np.sign(d) / np.sqrt(2.0)) * sigma + pm.log1p(-0.5 * sigma * sigma)
    g += 0.01 + 0.5 * ((margin - np.average(margin, weights=n)) * (sigma / 0.25))
    g = np.where(energy[sector], np.minimum(g, cap[z]), g)
    ch = np.maximum(n * pm.exp(g), 1.0) - n
    lpw = land / np.maximum(n, 1e-9)
    g_want = [n, ch, lpw, np.bincount(z, np.maximum(ch * lpw, 0.0), minlength=5),
              np.bincount(z, ch * lpw, minlength=5), np.bincount(z, land, minlength=5)]
    # entry's columns (a product and a sum in each exponential's argument)
    zn = rng.normal(0.0, 1.0, (3, m))
    cellw, cell_log, cell_land = rng.lognormal(0, 1, 20) * (rng.uniform(0, 1, 20) > 0.2), rng.normal(0, 1, 20), \
        rng.lognormal(0, 1, 20)
    e_got = entrant_columns(z, sector, zn, cellw, cell_log, cell_land, 4, 0.37, 1.1, va_share, wage[:4],
                            lambda: (0.21, us))
    cw = np.maximum(cellw[z * 4 + sector], 1e-9)
    held = cellw[z * 4 + sector] > 0
    size = np.maximum(1.0, pm.exp(0.37 + 0.8 * zn[0]))
    lpw = np.where(held, cell_land[z * 4 + sector] / cw, us[z])
    e_want = [size, size * wage[:4][sector], 1.1 * pm.exp(np.where(held, cell_log[z * 4 + sector] / cw, 0.21)
                                                           + 0.25 * zn[1]),
              va_share[sector] * pm.exp(-0.125 + 0.5 * zn[2]), size * lpw]
    return (all(np.array_equal(a, b) for a, b in zip(got, want))
            and all(np.array_equal(a, b) for a, b in zip(e_got, e_want))
            and np.array_equal(rate, 0.031 * (k + 0.7 * local[cell] * n) * boost[z])
            and np.array_equal(kk, k2) and np.array_equal(ksum, np.bincount(cell, k2, minlength=20))
            and np.array_equal(nsum, np.bincount(cell, n, minlength=20))
            and all(np.array_equal(a, b) for a, b in zip(g_got, g_want))
            and np.array_equal(axpy(n, 0.37, k), n + 0.37 * k)
            and np.array_equal(_scaled(k, 0.21, 0.37), (k * 0.21) - 0.37)
            and np.array_equal(exit_arith(sector, va_share, sector, 2, us, z, n, 40.0, 0.3),
                               np.minimum((va_share[sector] + np.where(sector >= 2, us[z], 0.0))
                                          * pm.power(np.maximum(n, 1.0) / 40.0, -0.3), 1.0)))


# ------------------------------------------------------------------------------------------
# wrappers: contiguous inputs, float parameters (an int exponent would make numba multiply)
# ------------------------------------------------------------------------------------------
def _c(a: np.ndarray, dtype=None) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=dtype)


def weighted_sums(a: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """``(np.multiply(a, w).sum(), w.sum())`` of two 1-d float64 arrays of one length, the same
    numbers, in one compiled call (no product array; the two numpy sums of a weighted mean)."""
    if a.shape != w.shape or a.ndim != 1:
        raise ValueError(f"weighted_sums: two 1-d arrays of one length expected, got {a.shape} and {w.shape}")
    return _K["weighted_sums"](_c(a, np.float64), _c(w, np.float64))


def spinoff_prob(k: np.ndarray, rate: float) -> np.ndarray:
    """``np.minimum(rate / max(k.mean(), 1e-9) * k, 1.0)`` of a non-empty 1-d float64 array, the same
    numbers (``enterprise.entrants``' spin-off chances): numpy's pairwise sum and one pass."""
    out = np.empty(k.size)
    _K["spinoff_prob"](_c(k, np.float64), float(rate), out)
    return out


def grow_arith(emp, profit, output, u, z, sector, land, energy, cap, ref, elast, noise, drift, sens, nz):
    """``(employment before, change, land per worker, land needed by growing firms per zone, net land
    change per zone, land occupied per zone)`` of ``enterprise.grow`` from the firms' employment, profit
    and output and the year's uniforms: pmath's ``power``, ``log1p`` and ``exp`` between four compiled
    passes of its arithmetic (the arithmetic tier: any CPU). The mean margin is np.average's (its
    ZeroDivisionError where the weights sum to zero)."""
    # five buffers in all: each pmath function works in place (out=: the same loop, elementwise, the
    # same numbers) and each kernel writes where its inputs are no longer needed (at 1M firms the
    # eleven temporaries of the chain were 75 MB of fresh memory a year)
    size = emp.size
    n, margin, a, b, c = np.empty(size), np.empty(size), np.empty(size), np.empty(size), np.empty(size)
    # n: employment, margin, a: max(n, 1) / ref, b: laplace's log1p argument; the mean margin's sums
    s, scl = _K["grow_head"](_c(emp, np.float64), _c(profit, np.float64), _c(output, np.float64), _c(u), float(ref),
                             n, margin, a, b)
    if size and scl == 0.0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    mean_margin = s / scl if size else 0.0
    pm.power(a, -elast, out=a)
    _K["grow_sigma"](a, float(noise), c)  # a: sigma, c: the drift correction's log1p argument
    pm.log1p(b, out=b)
    pm.log1p(c, out=c)
    use_cap = cap is not None
    _K["grow_shock"](b, _c(u), a, c, margin, float(mean_margin),
                     float(max(noise, 1e-12)) if noise > 0 else 0.0, float(drift), float(sens), _c(z), _c(sector),
                     _c(energy), _c(cap if use_cap else np.zeros(1), np.float64), use_cap, float(np.sqrt(2.0)))
    pm.exp(b, out=b)  # b: exp(g)
    change, lpw = c, a
    need, net, occupied = np.zeros(nz), np.zeros(nz), np.zeros(nz)
    _K["grow_tail"](n, b, _c(land), _c(z), change, lpw, need, net, occupied)
    return n, change, lpw, need, net, occupied


def grow_apply(change, ratio, z, n, lpw, capital, land, employees, age, nz) -> np.ndarray:
    """``enterprise.grow``'s last pass (``ratio``: each zone's scaling of growth where land is
    short, or None); returns the land occupied by zone afterwards (``ZoneModel.occupied_land``)."""
    use = ratio is not None
    occupied = np.zeros(nz)
    _K["grow_apply"](change, _c(ratio if use else np.ones(1), np.float64), use, z, n, lpw, capital, land,
                              employees, age, occupied)
    return occupied


def axpy(x: np.ndarray, a: float, y: np.ndarray) -> np.ndarray:
    """``x + a * y`` of two 1-d float64 arrays (production's labour: employees + phi x skilled)."""
    out = np.empty(x.size)
    _K["axpy"](_c(x), float(a), _c(y), out)
    return out


def scale_shift(x: np.ndarray, a: float, b: float) -> None:
    """``x *= a; x -= b`` in one pass (innovation's productivity shocks)."""
    _K["scale_shift"](x, float(a), float(b))


def tfp_update(growth: np.ndarray, inno: np.ndarray, n: np.ndarray, tfp: np.ndarray, noise: float,
               step: float, catch_up: float) -> bool:
    """``enterprise._tfp_numpy`` in one compiled call (``growth``: the standard normal shocks, changed
    in place; ``tfp`` updated in place): the same numbers. False, nothing changed, where it does not
    apply (other dtypes, or a population ``ZONESIM_THREADS`` splits: pmath's loops then run in parts)."""
    if not (growth.dtype == n.dtype == tfp.dtype == np.float64 and inno.dtype == np.int64
            and growth.shape == inno.shape == n.shape == tfp.shape and growth.ndim == 1
            and _threads.parts(growth.size) is None):
        return False
    return _K["tfp_update"](growth, _c(inno, np.int64), _c(n), tfp, float(noise), 0.5 * float(noise) ** 2,
                            float(step), float(catch_up))


def exit_arith(age, by_age, losses, loss_years, loss, z, emp, ref, elast) -> np.ndarray:
    """``enterprise.exit_hazard``: pmath's power of the size factor between two compiled passes."""
    out = np.empty(age.size)
    pw = np.zeros(1)
    if elast:
        base = np.empty(age.size)
        _K["size_base"](_c(emp), float(ref), base)
        pw = pm.power(base, -elast, out=base)  # in place: the same numbers
    _K["exit_after_power"](_c(age), _c(by_age), _c(losses), float(loss_years), _c(loss, np.float64), _c(z), pw,
                           bool(elast), out)
    return out


def produce_after_powers(tfp, local, cell, urban_service, z, k_pow, l_pow, k, n, sector_va, sector, rd_share, wage,
                         user_cost, output, va, rd, profit) -> None:
    _K["produce_after_powers"](tfp, _c(local), _c(cell), _c(urban_service), z, _c(k_pow), _c(l_pow), k, n,
                               _c(sector_va), sector, rd_share, _c(wage), float(user_cost), output, va, rd, profit)


def produce_sums(tfp, local, cell, urban_service, z, k_pow, l_pow, k, n, sector_va, sector, rd_share, wage,
                 user_cost, output, va, rd, profit, ncells, nz) -> tuple[np.ndarray, np.ndarray]:
    """``produce_after_powers``, returning the output by cell and the R&D by zone summed on the way
    (``np.bincount``'s sums: added in element order)."""
    out_cell, rd_zone = np.zeros(ncells), np.zeros(nz)
    _K["produce_sums"](tfp, _c(local), _c(cell), _c(urban_service), z, _c(k_pow), _c(l_pow), k, n,
                       _c(sector_va), sector, rd_share, _c(wage), float(user_cost), output, va, rd, profit,
                       out_cell, rd_zone)
    return out_cell, rd_zone


def tax_losses_sums(va, profit, hightech, rates, va_rate, tax, losses, z, nz) -> np.ndarray:
    """``tax_losses``, returning the tax by zone summed on the way (element order)."""
    tax_zone = np.zeros(nz)
    _K["tax_losses_sums"](va, _c(profit), hightech, _c(rates, np.float64), float(va_rate), tax, losses, _c(z),
                          tax_zone)
    return tax_zone


def tax_losses(va, profit, hightech, rates, va_rate, tax, losses) -> None:
    _K["tax_losses"](va, _c(profit), hightech, _c(rates, np.float64), float(va_rate), tax, losses)


def knowledge(k, rd, depreciation, cell, n, ncells):
    """``k = k * (1 - depreciation) + rd`` in place, then the sums of ``k`` and ``n`` by cell."""
    ksum, nsum = np.zeros(ncells), np.zeros(ncells)
    _K["knowledge"](k, rd, 1.0 - depreciation, _c(cell), n, ncells, ksum, nsum)
    return ksum, nsum


def innovation_rate(k, kpw, cell, n, z, boost, rate_0, spill) -> np.ndarray:
    out = np.empty(k.size)
    _K["innovation_rate"](k, _c(kpw), _c(cell), n, z, _c(boost, np.float64), float(rate_0), float(spill), out)
    return out


def certify_year(ip: np.ndarray, inno: np.ndarray, rd_share: np.ndarray, threshold: float, held: np.ndarray,
                 cert_left: np.ndarray, keys: np.ndarray, z: np.ndarray, p_zone: np.ndarray, years: int,
                 consts: tuple[np.uint64, np.uint64, int]) -> bool:
    """``enterprise._innovate_fused``'s certification in one compiled pass, the same numbers as
    ``enterprise.certify_numpy`` (``consts``: the stream ``firm.certify``'s ``compiled_constants``): the
    IP counts (``ip``), ``held`` and ``cert_left`` updated in place. False, nothing written, where the
    steps must decide (other dtypes or shapes, a zone outside ``p_zone``)."""
    L = ip.size
    if not (ip.dtype == rd_share.dtype == p_zone.dtype == np.float64 and held.dtype == np.bool_
            and inno.dtype == cert_left.dtype == z.dtype == np.int64 and keys.dtype == np.uint64
            and all(a.shape == (L,) and a.flags.c_contiguous for a in (ip, held, cert_left))
            and all(a.shape == (L,) for a in (inno, rd_share, keys, z)) and p_zone.ndim == 1
            and (L == 0 or (0 <= z.min() and z.max() < p_zone.size))):
        return False
    c1, c2, rounds = consts
    _K["certify_year"](ip, _c(inno), _c(rd_share), float(threshold), held, cert_left, _c(keys), _c(z), _c(p_zone),
                       int(years), np.uint64(c1), np.uint64(c2), int(rounds))
    return True


def entrant_columns(z_new, s_new, zn, cellw, cell_log, cell_land, n_sectors, size_log_mean, productivity,
                    sector_rd, sector_capital, fallback):
    """``enterprise.entrants``' size, capital, productivity, R&D share and land of each entrant (zone
    ``z_new``, sector ``s_new``, normals ``zn``: rows size, productivity, R&D) from its cell's employment
    ``cellw``, employment-weighted log TFP ``cell_log`` and land ``cell_land``, the same numbers as the
    numpy code: two compiled passes around one pmath ``exp`` of all three rows. ``size_log_mean``:
    ``log(entrant_size_mean) - 0.32``. ``fallback()``: ``(region log TFP, land per worker by zone)`` for
    entrants whose cell has no employment, called only if there are any."""
    n = z_new.size
    args, lpw, held = np.empty((3, n)), np.empty(n), np.empty(n, dtype=np.bool_)
    z_new, s_new = _c(z_new), _c(s_new)
    zn = _c(zn, np.float64)
    unheld = _K["entrant_args"](z_new, s_new, zn, _c(cellw), _c(cell_log), _c(cell_land), int(n_sectors),
                                float(size_log_mean), args, lpw, held)
    if unheld:  # the region's log TFP and the zone's land per worker where the cell is empty
        region_log_tfp, zone_lpw = fallback()
        rows = np.flatnonzero(~held)
        args[1, rows] = region_log_tfp + 0.25 * zn[1, rows]
        lpw[rows] = zone_lpw[z_new[rows]]
    flat = args.reshape(-1)
    pm.exp(flat, out=flat)
    size, capital, tfp, rd, land = np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    _K["entrant_cols"](args, s_new, lpw, float(productivity), _c(sector_rd, np.float64), _c(sector_capital, np.float64),
                       size, capital, tfp, rd, land)
    return size, capital, tfp, rd, land


def entry_rates(platforms, incubator, startup_mult, c_start, talent, active, base, free, attract_land, hook,
                arrival_mult, outside, keys, poisson, count, pull, n_sectors):
    """``enterprise.entrants``' zone-level chain in one compiled call, the same numbers: start-ups'
    and arrivals' Poisson counts (``(2, zones)``; ``poisson``: ``Streams.poisson_constants`` of the two
    streams), their rates (the same shape) and the sectors' cumulative logit shares (``(zones,
    n_sectors)``) from the zones' columns
    (``c_start``: ``startup_rate / 1000``; ``hook``: the levers' attractiveness, a number or one a zone;
    ``pull``: the levers' sector pull or None; ``count``: firms by (zone, sector) cell). None where the
    steps must decide: inputs of other kinds or shapes, or draws that ``keyed_poisson`` hands over."""
    nz = keys.size
    zone_cols = (platforms, startup_mult, talent, base, free, arrival_mult)
    if not (keys.dtype == np.uint64 and keys.ndim == 1 and active.dtype == np.bool_ and active.shape == (nz,)
            and all(isinstance(c, np.ndarray) and c.dtype == np.float64 and c.shape == (nz,) for c in zone_cols)
            and count.shape == (nz * n_sectors,) and count.dtype in (np.int64, np.float64)):
        return None
    h = np.asarray(hook)
    if h.dtype.kind not in "fiub" or h.shape not in ((), (nz,)):
        return None
    use_pull = pull is not None
    if use_pull:
        pull = np.asarray(pull)[:nz]
        if pull.dtype != np.float64 or pull.shape != (nz, n_sectors):
            return None
    cs, rounds, thr, seq_rate, steps, logfact = poisson
    lam, counts, cdf = np.empty(2 * nz), np.zeros(2 * nz, dtype=np.int64), np.empty((nz, n_sectors))
    ok = _K["entry_rates"](_c(platforms), float(incubator), _c(startup_mult), float(c_start), _c(talent), _c(active),
                           _c(base), _c(free), float(attract_land), np.ascontiguousarray(np.broadcast_to(h, (nz,)),
                                                                                        np.float64),
                           _c(arrival_mult), float(outside), _c(keys), _c(cs), int(rounds), float(thr),
                           float(seq_rate), int(steps), _c(logfact), _c(count),
                           _c(pull).reshape(-1) if use_pull else np.zeros(1), use_pull, lam, counts, cdf)
    return (counts.reshape(2, nz), lam.reshape(2, nz), cdf) if ok else None


def cell_stats_after_log(zone, sector, n_sectors, emp, log_tfp, land, ncells):
    """``cell_stats`` with numpy's ``log(tfp)`` given in ``log_tfp`` (turned into ``log(tfp) * emp``
    in place): the arithmetic tier's (any CPU) count, employment, weighted log TFP and land by cell."""
    count = np.zeros(ncells, dtype=np.int64)
    emp_sum, log_sum, land_sum = np.zeros(ncells), np.zeros(ncells), np.zeros(ncells)
    _K["cell_stats_after_log"](_c(zone), _c(sector), int(n_sectors), _c(emp), log_tfp, _c(land), count, emp_sum,
                               log_sum, land_sum)
    return count, emp_sum, log_sum, land_sum
