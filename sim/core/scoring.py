"""The evaluation's yearly arithmetic over the zones (numba): standardising the sub-indicators
within each class, the area means, the scores and the sensitivities of
:meth:`sim.agents.government.RegionalGovernment.evaluate` as one compiled loop instead of some
forty numpy calls on arrays of a dozen zones (~1-3 us each; issue 19).

The kernel does **the same floating-point operations in the same order** as the numpy code,
which stays in ``sim.agents.government`` as the reference and the fallback
(``tests/core/test_scoring.py`` compares them bit for bit): a class's sums add its zones one after
the other in column order starting from the first (numpy's reduction over the first axis of a
C-contiguous block); an area's mean adds its rows in order and divides by their number; a score
adds the five products ``indicator x weight`` one after the other to a zero, as the numpy code's
loop over the areas does (``np.einsum("kz,zk->z")`` until the thirty-second session of issue 19:
it added alike with at least two zone slots, but its SIMD loops may differ from CPU to CPU; with one
slot the numpy code still runs). Values whose class sums
are not finite are left to the numpy code too (the sign of a NaN could differ). Only +, -, *, / and sqrt:
no library function, so the kernel runs wherever the arithmetic kernels of ``sim.core.fused`` run
(their probe checks that no product and sum were contracted into a fused multiply-add).
"""

from __future__ import annotations

import sys

import numpy as np

from sim.core import fused, kernels

_K: dict[str, object] = {}
pairwise = None  # the compiled pairwise sum (set by _build)
big = sys.float_info.max  # np.nan_to_num's stand-in for +inf (a module global: numba freezes it)


def available() -> bool:
    """True when the compiled evaluation kernel can be used in this process."""
    if not kernels.ENABLED or not fused.arithmetic():
        return False
    return _build()


def _build() -> bool:
    # a kernel calling pairwise finds it as a module global, not a closure cell (as in sim.core.fused)
    global pairwise
    nb = kernels.numba
    if nb is None:
        return False
    if _K:
        return True
    jit = nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")

    @jit
    def evaluate_core(values, alive, national, clip, area_start, area_count, w, sub_w, current, is_log, growth,
                      years, span, sub, slope, ind, score, sens):  # pragma: no cover - compiled
        n_subs = values.shape[0]
        nz = values.shape[1]
        # the classes: live national zones, then the other live zones, each in slot order (empty
        # classes left out), as blocks of ``cols`` between neighbouring ``bounds``
        cols = np.empty(nz, dtype=np.intp)
        bounds = np.zeros(3, dtype=np.intp)
        m = 0
        for i in range(nz):
            if alive[i] and national[i]:
                cols[m] = i
                m += 1
        n_cls = 0
        if m > 0:
            n_cls = 1
            bounds[1] = m
        for i in range(nz):
            if alive[i] and not national[i]:
                cols[m] = i
                m += 1
        if m > bounds[n_cls]:
            n_cls += 1
            bounds[n_cls] = m
        mus = np.empty((max(n_cls, 1), n_subs))
        sds = np.empty((max(n_cls, 1), n_subs))
        for c in range(n_cls):
            lo = bounds[c]
            hi = bounds[c + 1]
            n = float(hi - lo)
            for j in range(n_subs):
                s = values[j, cols[lo]]
                for q in range(lo + 1, hi):
                    s += values[j, cols[q]]
                mu = s / n
                d0 = values[j, cols[lo]] - mu
                ss = d0 * d0
                for q in range(lo + 1, hi):
                    d = values[j, cols[q]] - mu
                    ss += d * d
                if not (np.isfinite(mu) and np.isfinite(ss)):
                    return False
                mus[c, j] = mu
                sds[c, j] = np.sqrt(ss / n)
        # standardise each class (a block of ``cols`` between neighbouring ``bounds``)
        for c in range(n_cls):
            lo = bounds[c]
            hi = bounds[c + 1]
            n = float(hi - lo)
            for j in range(n_subs):
                mu = mus[c, j]
                sd = sds[c, j]
                flat = sd <= 1e-12 * max(abs(mu), 1.0)  # mu is finite: max is np.maximum
                csd = 1.0 if flat else sd
                for q in range(lo, hi):
                    i = cols[q]
                    z = 0.0 if flat else (values[j, i] - mu) / csd
                    v = min(max(z, -clip), clip)  # np.maximum then np.minimum (z is finite here)
                    v *= 50.0
                    v /= clip
                    v += 50.0
                    sub[j, i] = v
                    if abs(z) < clip and not flat:
                        dz = (1.0 - 1.0 / n - z * z / n) / csd
                        slope[j, i] = 50.0 / clip * dz
                    else:
                        slope[j, i] = 0.0
        # area means, then the score: each area's weight times its mean, added in area order to 0
        for i in range(nz):
            acc = 0.0
            for k in range(area_start.size):
                a = area_start[k]
                t = sub[a, i] + sub[a + 1, i]
                for j in range(a + 2, a + area_count[k]):
                    t += sub[j, i]
                t /= float(area_count[k])
                ind[k, i] = t
                acc += t * w[i, k]
            score[i] = acc if alive[i] else np.nan
            # sensitivity: what one point of each sub-score is worth, its slope, and this year's share
            for j in range(n_subs):
                if j == growth:
                    dv = 1.0 / span[i] if span[i] > 0 else 0.0
                else:
                    if is_log[j]:
                        dv = 1.0
                    else:  # np.nan_to_num of this year's value
                        dv = current[j, i]
                        if np.isnan(dv):
                            dv = 0.0
                        elif np.isinf(dv):
                            dv = big if dv > 0 else -big
                    dv /= years[i]
                sens[j, i] = sub_w[j, i] * slope[j, i] * dv
        return True

    @jit
    def class_ranks(alive, level, score, n_levels, rank):  # pragma: no cover - compiled
        # government.class_ranks: within each class, 1 + the members with a higher score or an
        # equal one in a lower slot (NaN lowest, then -inf, finite, +inf as the largest finite)
        nz = alive.size
        key = np.empty(nz)
        for i in range(nz):
            x = score[i]
            if np.isnan(x):
                x = -np.inf
            elif np.isinf(x):
                x = big if x > 0 else -big
            key[i] = x
        for i in range(nz):
            if not (alive[i] and 0 <= level[i] < n_levels):
                rank[i] = -1
                continue
            r = 1
            for j in range(nz):
                if j != i and alive[j] and level[j] == level[i] and (key[j] > key[i] or (key[j] == key[i] and j < i)):
                    r += 1
            rank[i] = r

    @jit
    def learn_core(mem, score, log_out, alive, produced, last_score, last_log_output, score_noise, output_noise,
                   noise, last):  # pragma: no cover - compiled
        # committee.learned's numpy steps element by element: noise**2 is numpy's square (x * x)
        keep = 1 - mem
        for i in range(score.size):
            for r in range(2):
                if r == 0:
                    x, prev, nz_ = score[i], last_score[i], score_noise[i]
                    ok = alive[i] and np.isfinite(x) and np.isfinite(prev)
                else:
                    x, prev, nz_ = log_out[i], last_log_output[i], output_noise[i]
                    ok = produced[i] and np.isfinite(prev)
                if ok:
                    change = x - prev
                    noise[r, i] = np.sqrt(mem * (nz_ * nz_) + keep * (change * change))
                else:
                    noise[r, i] = nz_
            last[0, i] = score[i] if alive[i] else np.nan
            last[1, i] = log_out[i] if produced[i] else np.nan

    @jit
    def year_sums(current, sums):  # pragma: no cover - compiled
        # multi_year's stored sums of one year: the finite values (0 elsewhere), and 1.0 where finite
        for j in range(current.shape[0]):
            for i in range(current.shape[1]):
                x = current[j, i]
                if np.isfinite(x):
                    sums[0, j, i] = x
                    sums[1, j, i] = 1.0
                else:
                    sums[0, j, i] = 0.0
                    sums[1, j, i] = 0.0

    @jit
    def window_mean(window, cur, past_out, past_seen, ks, growth_row, mean, count, span):  # pragma: no cover - compiled
        # multi_year's means: the window's sums added oldest first, the count at least 1; then the
        # output trend over the longest k available (k ascending, a longer one replacing a shorter)
        n_subs = mean.shape[0]
        nz = mean.shape[1]
        first = window[0]
        for j in range(n_subs):
            for i in range(nz):
                t = first[0, j, i]
                c = first[1, j, i]
                for y in range(1, len(window)):
                    t += window[y][0, j, i]
                    c += window[y][1, j, i]
                c = max(c, 1.0)
                mean[j, i] = t / c
                if j == 0:  # the first sub's count: what multi_year returns
                    count[i] = c
        for i in range(nz):
            g = 0.0
            s = 0.0
            for q in range(ks.size):
                if past_seen[q][i] > 0:
                    g = (cur[i] - past_out[q][i]) / float(ks[q])
                    s = float(ks[q])
            mean[growth_row, i] = g
            span[i] = s

    @jit
    def raw_core(firms, output, emp, rd_intensity, innovations, entries, hightech, value_added, output_per_km2,
                 amenity, arrivals, talent, talent_inflow, tax, rows, per_thousand, k_per_m, log_rows, log_offset, raw,
                 buf):  # pragma: no cover - compiled
        # government.raw_values element by element (rows: the row of each sub-indicator, in the
        # order of the arguments), then what _to_scale takes the log of (buf: max(x, 0) + offset
        # for each log row)
        for i in range(output.size):
            f = firms[i]
            if f < 1.0:  # noqa: PLR1730 - np.maximum(firms, 1.0): a NaN stays
                f = 1.0
            out = output[i]
            e = emp[i]
            raw[rows[0], i] = rd_intensity[i]
            raw[rows[1], i] = innovations[i] / e * per_thousand if e > 0 else 0.0 * per_thousand
            raw[rows[2], i] = entries[i] / f
            raw[rows[3], i] = hightech[i] / f
            raw[rows[4], i] = value_added[i] / out if out > 0 else 0.0
            raw[rows[5], i] = output_per_km2[i]
            raw[rows[6], i] = amenity[i]
            raw[rows[7], i] = arrivals[i] / f
            t = talent[i]
            if t < 1.0:  # noqa: PLR1730
                t = 1.0
            raw[rows[8], i] = talent_inflow[i] / t if t > 0 else 0.0
            raw[rows[9], i] = out
            raw[rows[10], i] = tax[i]
            raw[rows[11], i] = (value_added[i] / e if e > 0 else 0.0) * k_per_m
            raw[rows[12], i] = 0.0  # output growth's placeholder
            for q in range(log_rows.size):
                x = raw[log_rows[q], i]
                if x <= 0.0:  # noqa: PLR1730 - np.maximum(x, 0.0): NaN stays, a tie gives 0.0
                    x = 0.0
                buf[q, i] = x + log_offset[q]

    @jit
    def scaled(raw, logs, log_rows, alive):  # pragma: no cover - compiled
        # the logs into their rows; NaN for the zones not alive
        for i in range(raw.shape[1]):
            if alive[i]:
                for q in range(log_rows.size):
                    raw[log_rows[q], i] = logs[q, i]
            else:
                for j in range(raw.shape[0]):
                    raw[j, i] = np.nan

    @jit
    def pairwise(a, n):  # pragma: no cover - compiled
        # numpy's pairwise sum of a[:n] for n <= 128 (one block): a plain loop below 8, else eight
        # running sums combined pairwise, then the rest added in order
        if n < 8:
            res = 0.0
            for i in range(n):
                res += a[i]
            return res
        r0, r1, r2, r3, r4, r5, r6, r7 = a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
        i = 8
        end = n - n % 8
        while i < end:
            r0 += a[i]
            r1 += a[i + 1]
            r2 += a[i + 2]
            r3 += a[i + 3]
            r4 += a[i + 4]
            r5 += a[i + 5]
            r6 += a[i + 6]
            r7 += a[i + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += a[i]
            i += 1
        return res

    @jit
    def region_sums(Z, alive, wmean_rows, weight_row, output_row, level_row, delisted, sums, wsums,
                    extra):  # pragma: no cover - compiled
        # metrics.region_values' reductions over the live zones (at most 128): each row's sum, the
        # weighted rows' sums of products, the spread of output, the delisted count
        nz = alive.size
        cols = np.empty(nz, dtype=np.intp)
        n = 0
        for i in range(nz):
            if alive[i]:
                cols[n] = i
                n += 1
        buf = np.empty(max(n, 1))
        for r in range(Z.shape[0]):
            for q in range(n):
                buf[q] = Z[r, cols[q]]
            sums[r] = pairwise(buf, n)
        for k in range(wmean_rows.size):
            for q in range(n):
                buf[q] = Z[wmean_rows[k], cols[q]] * Z[weight_row, cols[q]]
            wsums[k] = pairwise(buf, n)
        cv = 0.0
        if n > 0:
            mean = sums[output_row] / n
            if mean > 0:
                for q in range(n):
                    d = Z[output_row, cols[q]] - mean
                    buf[q] = d * d
                cv = np.sqrt(pairwise(buf, n) / n) / mean
        extra[0] = cv
        c = 0
        for q in range(n):
            if Z[level_row, cols[q]] == delisted:
                c += 1
        extra[1] = float(c)
        # a NaN's sign could depend on the order LLVM gives a sum's operands: numpy decides then
        for r in range(Z.shape[0]):
            if np.isnan(sums[r]):
                return False
        for k in range(wmean_rows.size):
            if np.isnan(wsums[k]):
                return False
        return not np.isnan(cv)

    _K["region_sums"] = region_sums
    _K["raw_core"] = raw_core
    _K["scaled"] = scaled
    _K["evaluate_core"] = evaluate_core
    _K["year_sums"] = year_sums
    _K["window_mean"] = window_mean
    _K["learn_core"] = learn_core
    _K["class_ranks"] = class_ranks
    return True


def evaluate_core(*args: object) -> bool:
    """Writes the sub-scores, slopes, area means, scores and sensitivities (the last five
    arguments); False, writing nothing, when a class's sum of some sub-indicator is not finite
    (the numpy code then runs)."""
    return bool(_K["evaluate_core"](*args))  # type: ignore[operator]


def year_sums(current: np.ndarray, sums: np.ndarray) -> None:
    _K["year_sums"](current, sums)  # type: ignore[operator]


def window_mean(*args: object) -> None:
    _K["window_mean"](*args)  # type: ignore[operator]


def region_sums(*args: object) -> bool:
    """metrics.region_values' reductions into the last three arguments; False when one is NaN
    (the numpy code then runs)."""
    return bool(_K["region_sums"](*args))  # type: ignore[operator]


def raw_core(*args: object) -> None:
    _K["raw_core"](*args)  # type: ignore[operator]


def scaled(*args: object) -> None:
    _K["scaled"](*args)  # type: ignore[operator]


def learn_core(*args: object) -> None:
    """``committee.learned``'s arithmetic into its last two arguments (noise, last figures)."""
    _K["learn_core"](*args)  # type: ignore[operator]


def class_ranks(alive: np.ndarray, level: np.ndarray, score: np.ndarray, n_levels: int, rank: np.ndarray) -> None:
    """``government.class_ranks`` written into ``rank``."""
    _K["class_ranks"](alive, level, score, n_levels, rank)  # type: ignore[operator]
