"""Compiled kernels (numba) for the small yearly chains of talent moves, the labour market and
land (issue 19): a stage's chain of numpy calls on 14-zone arrays (~1-3 us each in a running
model) as one compiled call. Each kernel does **the same floating-point operations in the same
order** as the numpy code it replaces (which stays in ``sim.agents.zone``, ``sim.agents.talent``
and ``sim.model.zonemodel`` as the reference and the fallback; ``tests/core/test_yearly.py``
compares them bit for bit): only comparisons, additions, subtractions, multiplications and
divisions are compiled (numpy keeps every logarithm and power), counts are made as
``np.bincount`` makes them, and ``np.maximum``/``np.minimum``/``np.clip`` keep numpy's NaN
propagation. Defined and compiled on first use when ``sim.core.kernels`` is on (``on()``).
"""

from __future__ import annotations

import numpy as np

from sim.core import kernels

_K: dict[str, object] = {}


on = kernels.lazy_tier(_K, lambda nb: _build(nb))  # True when the kernels are on (built on first use)


def _build(nb) -> None:
    # the kernels find _max, _min and _clip as module globals, not closure cells (numba keys its
    # on-disk cache by the pickled closure cells, and a pickled dispatcher differs in every process)
    global _max, _min, _clip, repeat_index, housing_ratio, key_order, search_employ, land_demand, develop
    global retire_flows, move_flows, heads_years, movers, utility, odds, jobs, wages
    jit = nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")

    @jit
    def _max(a, b):  # pragma: no cover - compiled; np.maximum(a, b)
        if np.isnan(a):
            return a
        if np.isnan(b):
            return b
        return a if a > b else b  # noqa: FURB136 - numpy's choice on ties (b: max(-0.0, 0.0) is 0.0), spelled out

    @jit
    def _min(a, b):  # pragma: no cover - compiled; np.minimum(a, b)
        if np.isnan(a):
            return a
        if np.isnan(b):
            return b
        return a if a < b else b  # noqa: FURB136 - numpy's choice on ties (b: min(0.0, -0.0) is -0.0), spelled out

    @jit
    def _clip(x, lo, hi):  # pragma: no cover - compiled; np.clip: a NaN anywhere gives NaN, a tie keeps x
        if np.isnan(x):
            return x
        if np.isnan(lo):
            return lo
        if x < lo:  # noqa: PLR1730 - np.clip keeps x on a tie
            x = lo
        if np.isnan(hi):
            return hi
        if x > hi:  # noqa: PLR1730 - np.clip keeps x on a tie
            x = hi
        return x

    @jit
    def land_demand(ilb, cap, occ, tot, dev, allot, out):  # pragma: no cover - compiled
        for i in range(out.size):
            b = ilb * cap[i]
            o = occ[i]
            w = o * (1.0 + b) + o * 0.03 - dev[i] - allot[i]
            hi = _max(tot[i] - dev[i] - allot[i], 0.0)
            out[i] = _clip(w, 0.0, hi)

    @jit
    def develop(allot, allotted, flows, tot, dev, ldc, eff, cap):  # pragma: no cover - compiled
        for i in range(allot.size):
            allotted[i] += allot[i]
            flows[i] += allot[i]
        for i in range(allot.size):
            available = tot[i] - dev[i]
            capacity = ldc * eff[i] * cap[i]
            d = _max(_min(_min(allotted[i], available), capacity), 0.0)
            dev[i] += d
            allotted[i] -= d

    @jit
    def retire_flows(zone, retire, scale, outflow):  # pragma: no cover - compiled
        nz = outflow.size
        count = np.zeros(nz + 1, dtype=np.int64)
        for i in range(retire.size):
            count[zone[retire[i]] + 1] += 1
        for z in range(nz):
            outflow[z] += count[z + 1] * scale
        return retire.size - count[0]

    @jit
    def move_flows(movers, new, zone, employer, scale, outflow, inflow):  # pragma: no cover - compiled
        nz = outflow.size
        left = np.zeros(nz + 1, dtype=np.int64)
        came = np.zeros(nz + 1, dtype=np.int64)
        for i in range(movers.size):
            m = movers[i]
            o, n = zone[m], new[i]
            if n != o:
                left[o + 1] += 1
                came[n + 1] += 1
                zone[m] = n
                employer[m] = -1
        for z in range(nz):
            outflow[z] += left[z + 1] * scale
        for z in range(nz):
            inflow[z] += came[z + 1] * scale
        return left[0], came[0]

    @jit
    def utility(bw, log_wage, ba, amenity, bh, log_housing, bs, subsidy, extra, bu, job_odds, alive, every,
                beta_home, outside, util):  # pragma: no cover - compiled
        nz = util.shape[0]
        base = np.empty(nz)
        for j in range(nz):
            v = (bw * log_wage[j] + ba * amenity[j] - bh * log_housing[j] + bs * (subsidy[j] + extra[j])
                 - bu * (1.0 - job_odds[j]))
            base[j] = v if (every or alive[j]) else -np.inf
        for i in range(nz):
            util[i, 0] = outside
            for j in range(nz):
                util[i, j + 1] = base[j] + beta_home * (1.0 if i == j else 0.0)

    @jit
    def odds(demand, tz, scale, supply, fill, job_odds, odds_out):  # pragma: no cover - compiled
        nz = demand.size
        count = np.zeros(nz + 1, dtype=np.int64)
        for i in range(tz.size):
            count[tz[i] + 1] += 1
        odds_out[0] = 0.0
        for z in range(nz):
            s = count[z + 1] * scale
            d = demand[z]
            supply[z] = s
            fill[z] = _min(1.0, s / _max(d, 1e-9)) if d > 0 else 0.0
            j = _min(1.0, d / _max(s, 1e-9)) if s > 0 else 1.0
            job_odds[z] = j
            odds_out[z + 1] = j

    @jit
    def jobs(u, odds_, tz, employer):  # pragma: no cover - compiled
        out = np.empty(u.size, dtype=np.int64)
        k = 0
        for i in range(u.size):
            employer[i] = -1
            if u[i] < odds_[tz[i] + 1]:
                out[k] = i
                k += 1
        return out[:k]

    @jit
    def wages(skill, prem_rate, k_per_m, zone_wage, zone, employer, wage):  # pragma: no cover - compiled
        for i in range(skill.size):
            p = 1.0 + prem_rate * _max(skill[i] - 1.0, -0.9)
            p = p * k_per_m
            w = zone_wage[zone[i]] * p
            wage[i] = w * (1.0 if employer[i] >= 0 else 0.0)

    @jit
    def heads_years(zone, years, scale, rate, heads, lam):  # pragma: no cover - compiled
        nz = heads.size
        count = np.zeros(nz + 1, dtype=np.int64)
        for i in range(zone.size):
            count[zone[i] + 1] += 1
            years[i] += 1
        for z in range(nz):
            h = count[z + 1] * scale
            heads[z] = h
            lam[z] = rate * h / scale

    @jit
    def repeat_index(counts):  # pragma: no cover - compiled; np.repeat(np.arange(counts.size), counts)
        n = 0
        for g in range(counts.size):
            if counts[g] < 0:
                return None
            n += counts[g]
        out = np.empty(n, dtype=np.int64)
        k = 0
        for g in range(counts.size):
            for _ in range(counts[g]):
                out[k] = g
                k += 1
        return out

    @jit
    def housing_ratio(talent, base, ratio):  # pragma: no cover - compiled
        for i in range(ratio.size):
            ratio[i] = _max(talent[i], 1.0) / _max(base[i], 1.0)

    @jit
    def movers(r, rate, employer, settled):  # pragma: no cover - compiled
        out = np.empty(r.size, dtype=np.int64)
        k = 0
        for i in range(r.size):
            if i >= settled or r[i] < rate or (employer[i] < 0 and r[i] < 0.5):
                out[k] = i
                k += 1
        return out[:k]

    @jit
    def key_order(zone, keys, zbits):  # pragma: no cover - compiled
        # streams.zone_key_order's uint16 cells (kernels.zone_key_cells' steps), then their stable
        # order by two 8-bit counting passes (numpy's stable argsort of uint16 is such a radix sort:
        # a stable sort's permutation is unique)
        n = zone.size
        kbits = 16 - zbits
        kshift = np.uint64(64 - kbits)
        cell = np.empty(n, dtype=np.uint16)
        for i in range(n):
            cell[i] = np.uint16((keys[i] >> kshift) & np.uint64(0xFFFF)) | np.uint16((zone[i] << kbits) & 0xFFFF)
        tmp = np.empty(n, dtype=np.int64)
        out = np.empty(n, dtype=np.int64)
        count = np.zeros(257, dtype=np.int64)
        for i in range(n):
            count[(cell[i] & 0xFF) + 1] += 1
        for b in range(256):
            count[b + 1] += count[b]
        for i in range(n):
            b = cell[i] & 0xFF
            tmp[count[b]] = i
            count[b] += 1
        count[:] = 0
        for i in range(n):
            count[(cell[i] >> 8) + 1] += 1
        for b in range(256):
            count[b + 1] += count[b]
        for j in range(n):
            i = tmp[j]
            b = cell[i] >> 8
            out[count[b]] = i
            count[b] += 1
        return out

    @jit
    def search_employ(want, order, target, demand, tz, jobs_, employer, fill, fz, skilled, search):  # pragma: no cover
        # hiring's targets (u x the zone's demand + where the zone's demand starts: numpy's cumsum
        # order), the cumulative demand in firm order (kernels.cum_search's sums and checks) and each
        # target's side="right" position in it, the employers, and the firms' skilled head-counts.
        # False, having written no employer, when the cumulative demand is not ascending (numpy decides)
        # or when ``search`` is false (the targets only)
        nz = demand.size
        start = np.zeros(nz)
        acc = 0.0
        for z in range(1, nz):
            acc = demand[z - 1] if z == 1 else acc + demand[z - 1]
            start[z] = acc
        for i in range(jobs_.size):
            z = tz[jobs_[i]]
            t = target[i] * demand[z]
            target[i] = t + start[z]
        if not search:  # the targets only (the caller searches)
            return False
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
        last = n - 1
        for j in range(target.size):
            t = target[j]
            lo, hi = 0, n
            while lo < hi:
                mid = (lo + hi) >> 1
                if t < cum[mid]:
                    hi = mid
                else:
                    lo = mid + 1
            employer[jobs_[j]] = order[min(lo, last)]
        for i in range(want.size):
            skilled[i] = want[i] * fill[fz[i]]
        return True

    _K.update(repeat_index=repeat_index, housing_ratio=housing_ratio, key_order=key_order, search_employ=search_employ,
              heads_years=heads_years, movers=movers, land_demand=land_demand, develop=develop,
              retire_flows=retire_flows, move_flows=move_flows,
              utility=utility, odds=odds, jobs=jobs, wages=wages)


_max = _min = _clip = None
repeat_index = housing_ratio = key_order = search_employ = heads_years = movers = None
land_demand = develop = retire_flows = move_flows = utility = odds = jobs = wages = None
