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


def on() -> bool:
    """True when the kernels are on (defined and compiled the first time)."""
    if not kernels.ENABLED:
        return False
    if not _K:
        _build(kernels.numba)
    return True


def _build(nb) -> None:
    # the kernels find _max, _min and _clip as module globals, not closure cells (numba keys its
    # on-disk cache by the pickled closure cells, and a pickled dispatcher differs in every process)
    global _max, _min, _clip, land_demand, develop, retire_flows, move_flows, heads_years, movers, utility, odds, jobs, targets, employ, wages
    jit = nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")

    @jit
    def _max(a, b):  # pragma: no cover - compiled; np.maximum(a, b)
        if a != a:
            return a
        if b != b:
            return b
        return a if a >= b else b

    @jit
    def _min(a, b):  # pragma: no cover - compiled; np.minimum(a, b)
        if a != a:
            return a
        if b != b:
            return b
        return a if a <= b else b

    @jit
    def _clip(x, lo, hi):  # pragma: no cover - compiled; np.clip's float loop: min(max(x, lo), hi)
        if x == x:
            x = x if x > lo else lo
        if x == x:
            x = x if x < hi else hi
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
    def targets(target, demand, tz, jobs_):  # pragma: no cover - compiled
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

    @jit
    def employ(employer, jobs_, order, pos, last, want, fill, fz, skilled):  # pragma: no cover - compiled
        for i in range(jobs_.size):
            p = pos[i]
            employer[jobs_[i]] = order[p if p < last else last]
        for i in range(want.size):
            skilled[i] = want[i] * fill[fz[i]]

    @jit
    def wages(skill, prem_rate, k_per_m, zone_wage, zone, employer, wage):  # pragma: no cover - compiled
        for i in range(skill.size):
            p = 1.0 + prem_rate * _max(skill[i] - 1.0, -0.9)
            p = p * k_per_m
            w = zone_wage[zone[i]] * p
            wage[i] = w * (1.0 if employer[i] >= 0 else 0.0)

    @jit
    def heads_years(zone, years, scale, heads):  # pragma: no cover - compiled
        nz = heads.size
        count = np.zeros(nz + 1, dtype=np.int64)
        for i in range(zone.size):
            count[zone[i] + 1] += 1
            years[i] += 1
        for z in range(nz):
            heads[z] = count[z + 1] * scale

    @jit
    def movers(r, rate, employer, settled):  # pragma: no cover - compiled
        out = np.empty(r.size, dtype=np.int64)
        k = 0
        for i in range(r.size):
            if i >= settled or r[i] < rate or (employer[i] < 0 and r[i] < 0.5):
                out[k] = i
                k += 1
        return out[:k]

    _K.update(heads_years=heads_years, movers=movers, land_demand=land_demand, develop=develop, retire_flows=retire_flows, move_flows=move_flows,
              utility=utility, odds=odds, jobs=jobs, targets=targets, employ=employ, wages=wages)


_max = _min = _clip = None
heads_years = movers = land_demand = develop = retire_flows = move_flows = utility = odds = jobs = targets = employ = wages = None
