"""Compiled kernels (numba) for the zone committees' yearly budget decision (issue 19): the chains
of small numpy calls in :meth:`sim.agents.committee.Committees.decide` around pmath's exponential
(the utilities before it, the new shares and the evaluation motive after it) as two compiled calls
on arrays of zones x uses. Each kernel does **the same floating-point operations in the same
order** as the numpy code, which stays in ``sim.agents.committee`` as the reference and the
fallback (``tests/core/test_committees_k.py`` compares them bit for bit): a row sum adds the
row's elements one after the other to 0.0 (numpy's reduction over the last axis
of a C-contiguous block of fewer than eight columns), ``np.maximum`` keeps numpy's NaN propagation,
numpy's tie (the second operand: max(-0.0, 0.0) is 0.0), and numpy keeps the exponential and
log1p. Also ``channels`` and ``spend_budget``'s spending, one compiled loop each. Only comparisons, +, -, * and /: the kernels run wherever the
arithmetic kernels of ``sim.core.fused`` run (``fused.arithmetic()``).
"""

from __future__ import annotations

import numpy as np

from sim.core import fused, kernels

_K: dict[str, object] = {}
rowsum = None  # compiled helpers (set by _build), module globals so that numba caches the kernels
nanmax = None
nanmin = None


MAX_USES = 7  # the compiled row sums add left to right, numpy's order for rows of fewer than 8


def available(uses: int = 6) -> bool:
    """True when the compiled committee kernels can be used in this process for ``uses`` spending
    uses (the committees' OPTIONS): numpy sums a row of 8 or more pairwise, which ``rowsum`` does not."""
    if not kernels.ENABLED or not fused.arithmetic() or uses > MAX_USES:
        return False
    return _build()


def _build() -> bool:
    global rowsum, nanmax, nanmin
    nb = kernels.numba
    if nb is None:
        return False
    if _K:
        return True
    jit = nb.njit(cache=True, nogil=True, boundscheck=False, error_model="numpy")

    @jit
    def rowsum(a, i, n):  # pragma: no cover - compiled; np.add.reduce(a[i, :n]) for n < 8
        res = 0.0  # numpy starts from its identity: a row of -0.0 sums to 0.0
        for j in range(n):
            res += a[i, j]
        return res

    @jit
    def nanmax(a, b):  # pragma: no cover - compiled; np.maximum(a, b)
        if np.isnan(a):
            return a
        if np.isnan(b):
            return b
        return a if a > b else b  # noqa: FURB136 - numpy's choice on ties (b: max(-0.0, 0.0) is 0.0), spelled out

    @jit
    def utility(v, prior, ok, log_prior, sens, util):  # pragma: no cover - compiled
        nz, k = v.shape
        for i in range(nz):
            for j in range(k):
                util[i, j] = prior[i, j] * v[i, j] if ok[i, j] else 0.0
            vbar = rowsum(util, i, k)
            scale = abs(vbar)
            if not scale > 1e-12:
                scale = 1.0
            for j in range(k):
                if ok[i, j]:
                    u = sens * (v[i, j] - vbar)
                    u /= scale
                    util[i, j] = log_prior[i, j] + u
                else:
                    util[i, j] = -np.inf
            mx = util[i, 0]
            for j in range(1, k):
                mx = nanmax(mx, util[i, j])
            for j in range(k):
                util[i, j] -= mx

    @jit
    def new_shares(target, last, ok, alive, every, rate, v, sv, points, n_own, motive):  # pragma: no cover
        nz, k = target.shape
        keep = 1.0 - rate
        new = np.empty(k)
        for i in range(nz):
            s = rowsum(target, i, k)
            for j in range(k):
                t = target[i, j] / s
                x = keep * last[i, j] + t * rate
                new[j] = x if ok[i, j] else 0.0
            d = 0.0
            for j in range(k):
                d += new[j]
            d = nanmax(d, 1e-12)
            if every or alive[i]:
                for j in range(k):
                    last[i, j] = new[j] / d
            # share of the value of its own uses that comes from the evaluation motive
            total = 0.0
            num = 0.0
            for j in range(n_own):
                total += last[i, j] * v[i, j]
                num += last[i, j] * sv[i] * points[i, j]
            motive[i] = num / nanmax(total, 1e-12) if total > 0 else 0.0

    @jit
    def values(sens, e, linked, out_el, sv, ov, xh, out_pts, v, points):  # pragma: no cover - compiled
        n_subs, n_own, nz = e.shape
        for z in range(nz):
            op = 0.0  # np.add.reduce over the first axis: from 0.0, the rows in order
            for j in linked:
                op += sens[j, z]
            out_pts[z] = op
            for k in range(n_own):
                sp = 0.0
                for j in range(n_subs):
                    sp += sens[j, z] * e[j, k, z]
                pt = sp + op * out_el[z, k]
                v[z, k] = (sv[z] * pt + ov[z] * out_el[z, k]) / xh[z, k]
                points[z, k] = pt / xh[z, k]

    @jit
    def spend(shares, own, support, hosting, n_own, out, platforms, p_keep, p_cost, services, s_keep, talent, k_per_m,
              subsidy, uses):  # pragma: no cover - compiled
        nz, k = out.shape
        _promotion, _land, serv, plat, tal = uses
        for z in range(nz):
            d = 0.0
            for j in range(n_own):
                d += shares[z, j]
            d = nanmax(d, 1e-12)
            o = nanmax(own[z], 0.0)
            for j in range(n_own):
                out[z, j] = shares[z, j] / d * o
            for j in range(n_own, k):
                out[z, j] = nanmax(-support[z], 0.0) if hosting else 0.0
            platforms[z] = platforms[z] * p_keep + out[z, plat] / p_cost
            services[z] = services[z] * s_keep + out[z, serv]
            subsidy[z] = out[z, tal] * k_per_m / nanmax(talent[z], 1.0)

    @jit
    def nanmin(a, b):  # pragma: no cover - compiled; np.minimum(a, b)
        if np.isnan(a):
            return a
        if np.isnan(b):
            return b
        return a if a < b else b  # noqa: FURB136 - numpy's choice on ties, spelled out

    @jit
    def channels(arrivals, startups, spinoffs, x, xh, free_land, developed, output_prev, mgmt_eff, services,
                 platforms, lg, subsidy, c, rows, e):  # pragma: no cover - compiled
        pae, pse, al10, lse, shs, sem, att_s, pe, cert, ie, bs, movers = c
        arr_r, ent_r, opk_r, inn_r, ht_r, ti_r = rows
        nz = x.shape[0]
        for z in range(nz):
            entries = startups[z] + spinoffs[z] + arrivals[z]
            per = nanmax(entries, 1e-9)
            arr_sh = arrivals[z] / per if entries > 0 else 0.1
            st_sh = startups[z] / per if entries > 0 else 0.8
            xs_serv = x[z, 2] / xh[z, 2]
            xs_plat = x[z, 3] / xh[z, 3]
            xs_tal = x[z, 4] / xh[z, 4]
            e[arr_r, 0, z] = pae
            e[ent_r, 0, z] = arr_sh * pae + st_sh * pse
            free = nanmax(free_land[z], 0.0)
            pull = al10 * free
            pull /= 1.0 + 10.0 * free
            e[arr_r, 1, z] = lse * pull
            dev = nanmax(developed[z], 1e-9)
            e[opk_r, 1, z] = -lse * nanmin(free / dev, 1.0)
            half = shs * nanmax(output_prev[z], 1.0)
            sv = sem * mgmt_eff[z]
            sv *= services[z]
            sv *= half
            den = nanmax(services[z] + half, 1e-9)
            sv /= den * den
            e[arr_r, 2, z] = att_s * sv * xs_serv
            e[ent_r, 1, z] = e[arr_r, 1, z] * arr_sh
            e[ent_r, 2, z] = e[arr_r, 2, z] * arr_sh
            pl = platforms[z]
            frac = pl / (1.0 + pl)
            frac *= xs_plat
            innov = pe * frac
            innov /= 1.0 + pe * lg[z]
            e[inn_r, 3, z] = innov
            e[ht_r, 3, z] = cert * innov
            e[ent_r, 3, z] = st_sh * ie * frac / (1.0 + ie * lg[z])
            sub_k = subsidy[z] * xs_tal
            e[ti_r, 4, z] = bs * sub_k
            e[ent_r, 4, z] = st_sh * movers * bs * sub_k

    _K["channels"] = channels
    _K["spend"] = spend
    _K["values"] = values
    _K["utility"] = utility
    _K["new_shares"] = new_shares
    return True


def utility(v: np.ndarray, prior: np.ndarray, ok: np.ndarray, log_prior: np.ndarray, sens: float,
            util: np.ndarray) -> None:
    """Writes into ``util`` (zones x uses) the committees' utilities less their row maximum, as
    ``Committees.decide`` works them out before pmath's exponential."""
    _K["utility"](v, prior, ok, log_prior, sens, util)  # type: ignore[operator]


def new_shares(target: np.ndarray, last: np.ndarray, ok: np.ndarray, alive: np.ndarray, every: bool, rate: float,
               v: np.ndarray, sv: np.ndarray, points: np.ndarray, n_own: int, motive: np.ndarray) -> None:
    """From ``target = exp(utility)``: writes the new shares into ``last`` (live zones; every row
    when ``every``) and the evaluation motive into ``motive``, as ``Committees.decide`` does."""
    _K["new_shares"](target, last, ok, alive, every, rate, v, sv, points, n_own, motive)  # type: ignore[operator]


def values(sens: np.ndarray, e: np.ndarray, linked: np.ndarray, out_el: np.ndarray, sv: np.ndarray, ov: np.ndarray,
           xh: np.ndarray, out_pts: np.ndarray, v: np.ndarray, points: np.ndarray) -> None:
    """The evaluation points per log(x + h) of each own use (``_score_points``) plus the output
    points (``out_pts``, the sensitivities of the ``linked`` sub-indicators summed), the values
    ``(sv pts + ov out_el) / (x + h)`` into ``v[:, :n_own]`` and ``pts / (x + h)`` into ``points``,
    as ``Committees.decide`` works them out."""
    _K["values"](sens, e, linked, out_el, sv, ov, xh, out_pts, v, points)  # type: ignore[operator]


def spend(*args: object) -> None:
    """``Committees.spend_budget``'s spending by use (zones x uses, into ``out``) from the shares
    and what each zone spends, and its platforms, services and per-person subsidies (in place)."""
    _K["spend"](*args)  # type: ignore[operator]


def channels(*args: object) -> None:
    """``Committees.channels``' elasticities into ``e`` (zeros beforehand), numpy's ``log1p`` of
    the platforms given as ``lg``."""
    _K["channels"](*args)  # type: ignore[operator]
