"""The starting firm-size distribution, fitted to the published counts of large firms.

Published (People's Daily Online 2017-11-25, on the Guangxi press conference of 2017-11-23), for
the 9 zones with statistics, Jan-Sep 2017: 25,264 firms, industrial output CNY 544.5 bn
(726 bn a year), **1,040 above-scale industrial firms** (annual revenue >= CNY 20 m) and **640
firms with revenue above CNY 100 m** in the nine months (>= CNY 133 m a year).

The two counts say that ~60% of the firms above CNY 20 m are above CNY 133 m: between the two
thresholds the distribution is nearly flat. No single Pareto (Zipf) law fits that: one with
the Zipf exponent would put ~5x fewer firms above 133 m than above 20 m. (The same shape is in the
city statistics: 543 of Nanning's 922 above-scale industrial firms made more than CNY 100 m in
Jan-Sep 2015, Nanning Daily 2015-10-16.) The fit is therefore a piecewise power law of firm
output x (CNY m a year) whose survival function P(X > x) passes exactly through the published
shares:

    P(X > x) = (x / X_MIN)^-a_low              X_MIN <= x < 20
             = p20 (x / 20)^-a_mid             20    <= x < 133.3
             = p133 (x / 133.3)^-a_top          x >= 133.3

with p20 = N(>= 20 m) / firms and p133 = N(>= 133 m) / firms, a_low and a_mid set by the knots,
and a_top set so that the mean equals the world's output per firm (a_top ~ 1.16: the top tail
stays Zipf-like, Axtell 2001). Scaling to another world (14 zones, 2021): the counts above a fixed
nominal threshold are scaled with the zones' total output (the firms above scale make most of it),
``N = N_2017 x output / 726 bn``; the extra firms of a world with more firms per unit of output are
small ones. docs/ODD.md ("Initialisation") documents it; ``zonesim validate`` checks the counts.

Everything here is a pure function of uniforms, so the caller decides where the random numbers
come from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core import kernels
from sim.core.units import m_from_bn
from sim.core import pmath as pm

FIRMS_2017 = 25_264
OUTPUT_2017_BN = 544.497 * 4.0 / 3.0  # CNY bn a year (Jan-Sep x 4/3)
ABOVE_SCALE_2017 = 1_040  # industrial firms with annual revenue >= CNY 20 m
ABOVE_100M_2017 = 640  # firms with Jan-Sep revenue > CNY 100 m
ABOVE_SCALE_CNY_M = 20.0  # the above-scale threshold, CNY m a year
LARGE_CNY_M = 100.0 * 4.0 / 3.0  # CNY 100 m in nine months, a year
X_MIN = 1.0  # CNY m a year: the smallest firm (about one worker; estimate)


@dataclass(frozen=True)
class SizeLaw:
    """The fitted piecewise power law (shares of firms above the two thresholds and the exponents)."""

    p20: float
    p133: float
    a_low: float
    a_mid: float
    a_top: float

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """Firm output (CNY m a year) at the uniform ``u`` (inversion of the survival function)."""
        v = np.clip(1.0 - np.asarray(u, dtype=float), 1e-300, 1.0)
        # each piece's power only where it applies (~97% of firms are below CNY 20 m): a third of
        # the work of three powers over every firm and a choice among them, the same doubles (numpy's
        # power of a contiguous array gives each element the same bits whatever the array around it;
        # tests/model/test_initial.py holds it against the three-piece expression)
        out = np.empty_like(v)
        low = v > self.p20
        mid = ~low & (v > self.p133)
        top = ~(low | mid)  # NaN too, as np.where's last branch
        out[low] = X_MIN * pm.power(v[low], -1.0 / self.a_low)
        out[mid] = ABOVE_SCALE_CNY_M * pm.power(v[mid] / self.p20, -1.0 / self.a_mid)
        out[top] = LARGE_CNY_M * pm.power(v[top] / self.p133, -1.0 / self.a_top)
        return out

    def mean(self) -> float:
        """Expected firm output, CNY m a year (numerical integral of the survival function)."""
        grid = np.geomspace(X_MIN, LARGE_CNY_M, 20_001)
        s = self.survival(grid)
        body = X_MIN + float(np.sum(0.5 * (s[1:] + s[:-1]) * np.diff(grid)))
        return body + self.p133 * LARGE_CNY_M / (self.a_top - 1.0)

    def survival(self, x: np.ndarray | float) -> np.ndarray:
        x = np.maximum(np.asarray(x, dtype=float), X_MIN)
        return np.where(x < ABOVE_SCALE_CNY_M, pm.power(x / X_MIN, -self.a_low),
                        np.where(x < LARGE_CNY_M, self.p20 * pm.power(x / ABOVE_SCALE_CNY_M, -self.a_mid),
                                 self.p133 * pm.power(x / LARGE_CNY_M, -self.a_top)))


def target_counts(output_bn: float) -> tuple[float, float]:
    """Firms expected above CNY 20 m and above CNY 133 m a year in a world making ``output_bn``."""
    scale = output_bn / OUTPUT_2017_BN
    return ABOVE_SCALE_2017 * scale, ABOVE_100M_2017 * scale


def fit(output_bn: float, firms: int) -> SizeLaw:
    """The law whose shares above the thresholds match the scaled published counts and whose mean
    is the world's output per firm (bounds keep it defined for any world: shares at most 0.5 and
    0.99 of each other, a_top in [1.05, 3])."""
    n20, n133 = target_counts(output_bn)
    p20 = min(n20 / max(firms, 1), 0.5)
    p133 = min(n133 / max(firms, 1), 0.99 * p20)
    def ln(x: float) -> float:
        return float(pm.log(x))

    def pw(x: float, y: float) -> float:
        return float(pm.power(x, y))

    a_low = ln(1.0 / p20) / ln(ABOVE_SCALE_CNY_M / X_MIN)
    a_mid = ln(p20 / p133) / ln(LARGE_CNY_M / ABOVE_SCALE_CNY_M)
    e_low = a_low / (1.0 - a_low) * (pw(ABOVE_SCALE_CNY_M / X_MIN, 1.0 - a_low) - 1.0) * X_MIN \
        if abs(a_low - 1.0) > 1e-9 else ln(ABOVE_SCALE_CNY_M / X_MIN) * X_MIN
    e_mid = p20 * a_mid * pw(ABOVE_SCALE_CNY_M, a_mid) * (pw(LARGE_CNY_M, 1.0 - a_mid) - pw(ABOVE_SCALE_CNY_M, 1.0 - a_mid)) \
        / (1.0 - a_mid) if abs(a_mid - 1.0) > 1e-9 else p20 * ABOVE_SCALE_CNY_M * ln(LARGE_CNY_M / ABOVE_SCALE_CNY_M)
    mean_top = (m_from_bn(output_bn) / max(firms, 1) - e_low - e_mid) / p133  # mean of the firms above 133 m
    a_top = mean_top / (mean_top - LARGE_CNY_M) if mean_top > LARGE_CNY_M * 1.5 else 3.0
    return SizeLaw(float(p20), float(p133), float(a_low), float(a_mid), float(np.clip(a_top, 1.05, 3.0)))


def zone_sizes(x: np.ndarray, zone: np.ndarray, fixed: np.ndarray, target: np.ndarray,
               max_share: float) -> np.ndarray:
    """Scale each zone's draws ``x`` so they sum to its ``target`` (CNY m) while keeping the number of
    firms above each threshold: only the excess of the firms above 133 m over 133 m is stretched or
    shrunk; if shrinking that excess to nothing is not enough, every firm of the zone is scaled.
    Firms with ``fixed`` (anchors) keep their size. No other firm exceeds ``max_share`` of its zone."""
    compiled = kernels.zone_sizes(x, zone, fixed, target, max_share, LARGE_CNY_M)  # the same doubles, 3 passes
    if compiled is not None:
        return compiled
    nz = target.size
    x = np.where(fixed, x, np.minimum(x, max_share * target[zone]))
    free = ~fixed
    rest = target - np.bincount(zone, weights=x * fixed, minlength=nz)
    top = free & (x > LARGE_CNY_M)
    base = np.bincount(zone, weights=np.where(top, LARGE_CNY_M, x) * free, minlength=nz)
    excess = np.bincount(zone, weights=(x - LARGE_CNY_M) * top, minlength=nz)
    c = np.where(excess > 0, (rest - base) / np.maximum(excess, 1e-12), 1.0)
    stretched = np.where(top, LARGE_CNY_M + np.maximum(c[zone], 0.0) * (x - LARGE_CNY_M), x)
    got = np.bincount(zone, weights=stretched * free, minlength=nz)
    scale = np.where(got > 0, rest / np.maximum(got, 1e-12), 1.0)  # 1 unless the excess ran out (c < 0)
    return np.where(free, stretched * scale[zone], x)
