"""Validation: does the default world behave like the zones and firms we know?

``validate(world, seeds, years)`` runs the world (no levers) over many seeds and compares the
model with the stylised facts and public figures of ``CALIBRATION.md``. Each :class:`Target`
states a statistic, an accepted interval and its source; the report shows, per target, the
model's mean and 5-95% spread across seeds and whether the mean lies in the interval.

Statistics are computed per seed from a :class:`Snapshot` of the firm population (at year 0 and
at the last year) and the run's tidy table, by :func:`seed_stats`. ``sim.analysis.calibrate`` fits
parameters to the same statistics, so validation and calibration cannot drift apart.

Estimators:

* firm-size tail exponent (P(S > s) ~ s^-zeta): the Hill estimator on the largest 5% of firms
  (:func:`hill`), and the Clauset-Shalizi-Newman maximum-likelihood fit with the KS-optimal
  ``xmin`` from the maintained ``powerlaw`` package (:func:`csn_tail`);
* agglomeration elasticity: OLS of log output per worker of each zone-sector cell on log
  employment of the cell, with sector fixed effects (:func:`agglomeration_elasticity`);
* entry and exit rates: entries (exits) in year t over live firms at the end of year t-1;
* growth rates (issue 15): yearly log-employment growth of firms alive in two consecutive years
  (the last ``GROWTH_YEARS`` pairs, firms of at least 5 employees), grouped in size deciles: the
  size-volatility slope is the OLS slope of log std(growth) on log size (:func:`growth_stats`),
  the shape the kurtosis of growth standardised within its decile (Gaussian 3, Laplace 6);
* start-up transients: exit rate of year 1 over the mean of years 2-5, certified firms in year 4
  over year 0, output growth of years 1-2 less that of years 3-10;
* counts of large firms: firms with output >= CNY 20 m and >= CNY 133 m a year (the published
  thresholds, sim.model.firm_sizes) at year 0, and how fast the first grows against output;
* seed-to-seed spread: the coefficient of variation of the region's output across seeds, by year
  (:func:`cv_by_year`; a statistic of the set of seeds, not of one seed).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.agents.zone import NATIONAL
from sim.model.firm_sizes import ABOVE_SCALE_CNY_M, LARGE_CNY_M, target_counts
from sim.core.params import N_SECTORS
from sim.core.units import bn_from_m
from sim.experiments import runner
from sim.experiments.executor import Executor, using
from sim.model.zonemodel import ZoneModel
from sim.scenario.overrides import apply_levers
from sim.scenario.packages import Package, empty_package
from sim.scenario.world import World

# -----------------------------------------------------------------------------------------------
# targets
# -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A statistic the model should reproduce: accepted interval [lo, hi] and its source."""

    key: str
    label: str
    unit: str
    lo: float
    hi: float
    target: str  # the published figure, as text
    source: str
    when: str  # "year 0", "last year", "years 1..N"

    @property
    def mid(self) -> float:
        return 0.5 * (self.lo + self.hi)

    @property
    def half_width(self) -> float:
        return 0.5 * (self.hi - self.lo)


# The default world's counts of large firms at the start: the published 2017 counts scaled with output
_N20, _N133 = target_counts(936.0)

TARGETS: tuple[Target, ...] = (
    Target("tail_csn", "firm-size tail exponent (CSN / powerlaw)", "1", 0.80, 1.25, "Zipf: 1.06 +/- 0.05",
           "Axtell 2001, Science 293 (US firms); Clauset, Shalizi & Newman 2009 estimator", "last year"),
    Target("tail_hill", "firm-size tail exponent (Hill, top 2%)", "1", 0.80, 1.25, "Zipf: 1.06 +/- 0.05",
           "Axtell 2001; Hill 1975 estimator (top 2%: the firms above ~CNY 133 m, where the published "
           "counts put the Zipf tail)", "last year"),
    Target("tail_hill_0", "firm-size tail exponent at start (Hill, top 2%)", "1", 0.80, 1.25, "Zipf ~ 1",
           "Axtell 2001", "year 0"),
    Target("above_scale_0", "firms with output >= CNY 20 m at start", "firms", round(0.85 * _N20), round(1.15 * _N20),
           f"{_N20:,.0f} (1,040 in 9 zones, Jan-Sep 2017, x output 936/726)",
           "People's Daily Online 2017-11-25; scaled as in sim/model/firm_sizes.py", "year 0"),
    Target("large_0", "firms with output >= CNY 133 m a year at start", "firms", round(0.85 * _N133),
           round(1.15 * _N133), f"{_N133:,.0f} (640 > CNY 100 m in Jan-Sep 2017, 9 zones, x 936/726)",
           "People's Daily Online 2017-11-25; scaled as in sim/model/firm_sizes.py", "year 0"),
    Target("above_scale_elasticity", "growth of the count of firms >= CNY 20 m against output growth (log ratio)",
           "1", 0.5, 1.5, "about 1: counts above a fixed threshold move with output (Zipf tail)",
           "estimate (stationarity of the size distribution)", "years 0..N"),
    Target("size_volatility", "slope of log growth volatility on log firm size", "1", -0.25, -0.10,
           "-0.15 +/- 0.03 (sales), about -0.2", "Stanley et al. 1996, Nature 379; Amaral et al. 1997",
           "last 5 years"),
    Target("growth_kurtosis", "kurtosis of firm growth rates (within size deciles)", "1", 4.5, 9.0,
           "tent-shaped (Laplace: 6), not Gaussian (3)", "Stanley et al. 1996; Amaral et al. 1997",
           "last 5 years"),
    Target("exit_year1_ratio", "exit rate of year 1 / mean of years 2-5", "ratio", 0.85, 1.15,
           "1: no start-up spike", "issue 15 (was 11.6% against 8.1%)", "years 1..5"),
    Target("hightech_4y_ratio", "certified firms in year 4 / year 0", "ratio", 1.0, 2.0,
           "rising (Guangxi: 1,204 in 2017, > 2,700 end-2020)", "Guangxi Daily 2020-12-30 (CALIBRATION.md)",
           "years 0..4"),
    Target("output_growth_early_gap", "output growth of years 1-2 less years 3-10", "1/yr", -0.02, 0.02,
           "0: no flat or jumping start", "issue 15 (output was flat for two years)", "years 1..10"),
    Target("exit_rate", "annual firm exit rate", "1/yr", 0.06, 0.09, "6-9% a year",
           "SAIC 2013 report on the survival of Chinese firms (CALIBRATION.md)", "years 1..N"),
    Target("entry_rate", "annual firm entry rate", "1/yr", 0.06, 0.10, "6-9% turnover + <=1 pp net growth",
           "SAIC 2013 (CALIBRATION.md); firm counts grew 2014-2017", "years 1..N"),
    Target("young_share", "share of live firms under 5 years old", "share", 0.35, 0.55, "nearly half",
           "SAIC 2013 (CALIBRATION.md)", "last year"),
    Target("agglomeration", "agglomeration elasticity (log output/worker on log cell employment)", "1",
           0.029, 0.150, "2-11% per doubling of scale",
           "Sveikauskas 1975; Lobo et al. 2013; Combes & Gobillon 2015 (CALIBRATION.md)", "last year"),
    Target("output_0", "zones' output at start", "CNY bn/yr", 850.0, 950.0, "about CNY 900 bn (2021)",
           "2017 aggregates carried to 2021 with zero growth in 2020 (data15; guangxi_sources.csv)", "year 0"),
    Target("firms_0", "firms at start", "firms", 31_000.0, 38_500.0,
           "36,700 (the zone table's sum; 25,264 in 9 zones, 2017); the start year's own exits and entries move it",
           "CALIBRATION.md aggregates, Jan-Sep 2017, grown ~7%/yr (guangxi_sources.csv)", "year 0"),
    Target("hightech_0", "certified high-tech firms at start", "firms", 1_100.0, 1_550.0,
           "1,318 (table: 44% of Guangxi's ~3,000 in 2021)",
           "guangxi_sources.csv: 535 of 1,204 in 2017; > 2,700 end-2020 (Guangxi Daily 2020-12-30)", "year 0"),
    Target("va_ratio_0", "value added / output at start", "share", 0.23, 0.29, "0.257 (140.0/544.5)",
           "CALIBRATION.md aggregates, Jan-Sep 2017", "year 0"),
    Target("output_per_firm_0", "output per firm at start", "CNY m", 20.0, 37.0,
           "28.7 (544.5 bn x 12/9 over 25,264 firms)", "CALIBRATION.md aggregates, Jan-Sep 2017", "year 0"),
    Target("net_margin_0", "net profit / output at start", "share", 0.03, 0.10, "0.060 (34.7/574.95 revenue)",
           "CALIBRATION.md aggregates, Jan-Sep 2017", "year 0"),
    Target("top2_0", "Nanning and Liuzhou are the two largest zones, each > CNY 100 bn", "share of seeds",
           1.0, 1.0, "true", "CALIBRATION.md (2014: both over CNY 100 bn)", "year 0"),
    Target("top2_last", "Nanning and Liuzhou still the two largest zones", "share of seeds", 0.5, 1.0,
           "persistent leaders", "estimate: no cause in the baseline for the leaders to change", "last year"),
    Target("rank_first_to_last", "zone-years jumping from first to last of their class", "share", 0.0, 0.01,
           "none without cause", "issue 8 (sensible rank dynamics)", "years 1..N"),
    Target("output_rank_corr", "year-on-year rank correlation of zone output (Spearman)", "1", 0.90, 1.0,
           "persistent", "estimate: zone output ranks move slowly", "years 1..N"),
    Target("firms_growth", "growth of the number of firms", "1/yr", 0.0, 0.06,
           "growing: ~6%/yr per zone 2014-2017 (14,019 in 6 zones -> 25,264 in 9)",
           "Guangxi Daily 2015-04-03; People's Daily Online 2017-11-25 (CALIBRATION.md)", "years 1..N"),
    Target("output_growth", "growth of the zones' output", "1/yr", 0.03, 0.07,
           "4.5%/yr 2017-2021 with the 2020 shock; ~7%/yr before", "guangxi_sources.csv (growth path); "
           "2014-2017 aggregates (CALIBRATION.md)", "years 1..N"),
)
# Statistics of the set of seeds (not of one seed): checked on the spread across seeds.
CROSS_SEED: tuple[Target, ...] = (
    Target("output_cv_1", "seed-to-seed CV of region output, year 1", "share", 0.0, 0.02,
           "small: one year of granular shocks", "Gabaix 2011 (granular origins); issue 15 (was 5.3%)", "year 1"),
    Target("output_cv_last", "seed-to-seed CV of region output, last year", "share", 0.0, 0.039,
           "far below 7.8% (at most half)", "issue 15 (7.8% by 2041 with equal volatility for all sizes)",
           "last year"),
)
BY_KEY = {t.key: t for t in TARGETS + CROSS_SEED}
GROWTH_YEARS = 5  # consecutive year pairs at the end of a run pooled for the growth-rate statistics

# -----------------------------------------------------------------------------------------------
# estimators
# -----------------------------------------------------------------------------------------------


def hill(x: np.ndarray, top: float = 0.02) -> float:
    """Hill estimator of the tail exponent zeta (P(X > x) ~ x^-zeta) from the largest ``top`` share."""
    x = np.sort(np.asarray(x, dtype=float))[::-1]
    k = max(int(x.size * top), 2)
    if x.size <= k or x[k] <= 0:
        return float("nan")
    return float(k / np.sum(np.log(x[:k] / x[k])))


def csn_tail(x: np.ndarray, xmin_max_quantile: float = 0.99) -> tuple[float, float, float]:
    """Clauset-Shalizi-Newman fit with the ``powerlaw`` package: (zeta, its standard error, xmin).

    ``xmin`` is chosen by minimal KS distance among values between 1 and the ``xmin_max_quantile``
    quantile; values are rounded to whole employees (the search is then fast and the tail is
    unaffected above a few employees)."""
    import powerlaw

    x = np.round(np.asarray(x, dtype=float))
    x = x[x >= 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            fit = powerlaw.Fit(x, xmin=(1.0, float(np.quantile(x, xmin_max_quantile))), verbose=False)
            return float(fit.power_law.alpha - 1.0), float(fit.power_law.sigma), float(fit.xmin)


def agglomeration_elasticity(zone: np.ndarray, sector: np.ndarray, employees: np.ndarray,
                             output: np.ndarray, min_firms: int = 10) -> float:
    """OLS slope of log(output/employee) of each zone-sector cell on log(employees of the cell),
    with sector fixed effects; cells with fewer than ``min_firms`` firms are dropped."""
    cell = zone.astype(np.int64) * N_SECTORS + sector
    n = np.bincount(cell)
    emp = np.bincount(cell, weights=employees)
    out = np.bincount(cell, weights=output)
    keep = (n >= min_firms) & (emp > 0) & (out > 0)
    cells = np.flatnonzero(keep)
    if cells.size < N_SECTORS + 3:
        return float("nan")
    y = np.log(out[cells] / emp[cells])
    x = np.log(emp[cells])
    fe = (cells % N_SECTORS)[:, None] == np.arange(N_SECTORS)[None, :]
    fe = fe[:, fe.any(axis=0)]
    X = np.column_stack([x, fe.astype(float)])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    return float(coef[0])


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra = pd.Series(a).rank().to_numpy()
    rb = pd.Series(b).rank().to_numpy()
    if ra.std() == 0 or rb.std() == 0:
        return 1.0
    return float(np.corrcoef(ra, rb)[0, 1])


def growth_stats(panel: Sequence[tuple[np.ndarray, np.ndarray]], min_size: float = 5.0,
                 bins: int = 10) -> tuple[float, float]:
    """(size-volatility slope, kurtosis) of yearly log growth of firms alive in consecutive
    snapshots of ``panel`` ((ids, sizes) per year): the OLS slope of log std(growth) of each
    size decile on its log geometric-mean size, and the kurtosis of growth standardised within
    its decile (so the size-volatility relation does not fatten the tails)."""
    g, s = [], []
    for (u0, n0), (u1, n1) in zip(panel[:-1], panel[1:]):
        _, i0, i1 = np.intersect1d(u0, u1, assume_unique=True, return_indices=True)
        g.append(np.log(n1[i1] / n0[i0]))
        s.append(n0[i0])
    if not g:
        return float("nan"), float("nan")
    g, s = np.concatenate(g), np.concatenate(s)
    keep = s >= min_size
    g, ls = g[keep], np.log(s[keep])
    if g.size < 20 * bins:
        return float("nan"), float("nan")
    edges = np.quantile(ls, np.linspace(0.0, 1.0, bins + 1))
    b = np.clip(np.searchsorted(edges, ls, side="right") - 1, 0, bins - 1)
    count = np.bincount(b, minlength=bins)
    mean = np.bincount(b, weights=g, minlength=bins) / count
    sd = np.sqrt(np.bincount(b, weights=(g - mean[b]) ** 2, minlength=bins) / count)
    size = np.bincount(b, weights=ls, minlength=bins) / count
    ok = sd > 0
    slope = float(np.polyfit(size[ok], np.log(sd[ok]), 1)[0])
    z = (g - mean[b]) / np.where(sd[b] > 0, sd[b], 1.0)
    return slope, float(np.mean(z**4))


def cv_by_year(stats: pd.DataFrame) -> pd.DataFrame:
    """Seed-to-seed coefficient of variation of the region's output, by year (columns
    ``output_t0``, ``output_t1``, ... of :func:`run_stats`)."""
    cols = sorted((c for c in stats.columns if str(c).startswith("output_t")), key=lambda c: int(c[8:]))
    rows = []
    for c in cols:
        v = stats[c].to_numpy(float)
        v = v[np.isfinite(v)]
        mean = float(v.mean()) if v.size else float("nan")
        rows.append({"step": int(c[8:]), "mean_output": mean, "seeds": int(v.size),
                     "cv": float(v.std(ddof=1) / mean) if v.size > 1 and mean else float("nan")})
    return pd.DataFrame(rows)


# -----------------------------------------------------------------------------------------------
# one run -> snapshots -> statistics
# -----------------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """The live firm population at one moment (arrays over firms)."""

    uid: np.ndarray
    zone: np.ndarray
    sector: np.ndarray
    employees: np.ndarray
    output: np.ndarray
    profit: np.ndarray
    value_added: np.ndarray
    hightech: np.ndarray
    age: np.ndarray
    land: np.ndarray
    income_tax: np.ndarray  # tax less the value-added tax

    @classmethod
    def of(cls, model: ZoneModel) -> Snapshot:
        f = model.firms
        i = model.live_firms()
        cols = [getattr(f, name)[i].copy() for name in list(cls.__dataclass_fields__)[:-1]]
        return cls(*cols, f.tax[i] - model.params.va_tax_rate * f.value_added[i])


@dataclass
class RunRecord:
    seed: int
    table: pd.DataFrame  # tidy results
    first: Snapshot
    last: Snapshot
    zone_ids: list[str]
    # (uid, employees) of the live firms at the end of each of the last GROWTH_YEARS + 1 years
    panel: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)


def simulate(world: World, seed: int, years: int, package: Package | None = None,
             params: Mapping[str, float] | None = None, spinup_cache: bool | None = None) -> RunRecord:
    """One run on the run path (:func:`sim.experiments.runner.simulate`), with the firm population
    at the start and after the last year, and (uid, employees) of the live firms at the end of each
    of the last GROWTH_YEARS + 1 years (the growth-rate statistics). ``spinup_cache`` as there."""
    seen: list[tuple[Snapshot, list[str]]] = []
    panel: list[tuple[np.ndarray, np.ndarray]] = []

    def probe(model: ZoneModel) -> None:
        seen.append((Snapshot.of(model), list(model.zone_ids)))

    def keep(model: ZoneModel, t: int) -> None:
        if t >= years - GROWTH_YEARS - 1:
            f = model.firms
            panel.append((f.uid[:f.n].copy(), f.employees[:f.n].copy()))

    table = runner.simulate(world, package, params, int(seed), years, probe=probe, after_step=keep,
                            spinup_cache=spinup_cache)
    return RunRecord(int(seed), table, seen[0][0], seen[1][0], seen[1][1], panel)


def seed_stats(rec: RunRecord, csn: bool = True) -> dict[str, float]:
    """Every validation statistic of one run (keys of ``TARGETS`` plus diagnostics)."""
    df = rec.table
    reg = df[df["zone"] == "region"].sort_values("step")
    zones = df[df["zone"] != "region"]
    f0, fN = rec.first, rec.last
    firms = reg["firms"].to_numpy(float)
    out = reg["output"].to_numpy(float)
    years = len(reg) - 1
    s: dict[str, float] = {}
    s["tail_hill"] = hill(fN.employees)
    s["tail_hill_0"] = hill(f0.employees)
    if csn:
        s["tail_csn"], s["tail_csn_se"], s["tail_csn_xmin"] = csn_tail(fN.employees)
    s["exit_rate"] = float(np.mean(reg["exits"].to_numpy(float)[1:] / firms[:-1])) if years else np.nan
    s["entry_rate"] = float(np.mean(reg["entries"].to_numpy(float)[1:] / firms[:-1])) if years else np.nan
    s["young_share"] = float(np.mean(fN.age < 5))
    s["agglomeration"] = agglomeration_elasticity(fN.zone, fN.sector, fN.employees, fN.output)
    s["agglomeration_0"] = agglomeration_elasticity(f0.zone, f0.sector, f0.employees, f0.output)
    s["output_0"] = float(out[0])
    s["firms_0"] = float(firms[0])
    s["hightech_0"] = float(reg["hightech_firms"].iloc[0])
    s["va_ratio_0"] = float(f0.value_added.sum() / f0.output.sum())
    s["output_per_firm_0"] = float(f0.output.sum() / f0.output.size)
    s["net_margin_0"] = float((f0.profit.sum() - f0.income_tax.sum()) / f0.output.sum())
    s["top2_0"] = _top2(zones, 0)
    s["top2_last"] = _top2(zones, years)
    s.update(_rank_dynamics(zones))
    s["output_growth"] = float((out[-1] / out[0]) ** (1.0 / years) - 1.0) if years else np.nan
    s["firms_growth"] = float((firms[-1] / firms[0]) ** (1.0 / years) - 1.0) if years else np.nan
    # counts of large firms (issue 15)
    s["above_scale_0"] = float((f0.output >= ABOVE_SCALE_CNY_M).sum())
    s["large_0"] = float((f0.output >= LARGE_CNY_M).sum())
    s["above_scale_last"] = float((fN.output >= ABOVE_SCALE_CNY_M).sum())
    s["above_scale_elasticity"] = (float(np.log(s["above_scale_last"] / s["above_scale_0"]) / np.log(out[-1] / out[0]))
                                   if years and s["above_scale_0"] > 0 and abs(np.log(out[-1] / out[0])) > 1e-3
                                   else np.nan)
    # growth rates: volatility against size, and shape
    s["size_volatility"], s["growth_kurtosis"] = growth_stats(rec.panel)
    # start-up transients
    exit_rate = reg["exits"].to_numpy(float)[1:] / firms[:-1]
    s["exit_year1_ratio"] = float(exit_rate[0] / exit_rate[1:5].mean()) if years >= 5 else np.nan
    ht = reg["hightech_firms"].to_numpy(float)
    s["hightech_4y_ratio"] = float(ht[4] / ht[0]) if years >= 4 and ht[0] > 0 else np.nan
    s["output_growth_early_gap"] = (float(np.log(out[2] / out[0]) / 2 - np.log(out[10] / out[2]) / 8)
                                    if years >= 10 else np.nan)
    for t, v in enumerate(out):  # for the seed-to-seed spread by year (cv_by_year)
        s[f"output_t{t}"] = float(v)
    return s


def _top2(zones: pd.DataFrame, step: int) -> float:
    z = zones[zones["step"] == step].sort_values("output", ascending=False)
    top = list(z["zone"].iloc[:2])
    return float(set(top) == {"nanning", "liuzhou"} and bool((z["output"].iloc[:2] > 100.0).all()))


def _rank_dynamics(zones: pd.DataFrame) -> dict[str, float]:
    """First-to-last jumps within a class, output rank persistence, mean |rank change|."""
    rank = zones.pivot(index="step", columns="zone", values="rank")
    level = zones.pivot(index="step", columns="zone", values="level")
    output = zones.pivot(index="step", columns="zone", values="output")
    jumps = events = 0
    moves, corrs = [], []
    for t in range(1, len(rank)):
        for lvl in np.unique(level.iloc[t].dropna()):
            cls = (level.iloc[t] == lvl) & (level.iloc[t - 1] == lvl)
            n = int(cls.sum())
            if n < 3:
                continue
            r0, r1 = rank.iloc[t - 1][cls], rank.iloc[t][cls]
            jumps += int(((r0 == 1) & (r1 == n)).sum())
            events += 1
            moves.append(float(np.mean(np.abs(r1 - r0)) / (n - 1)))
        o0, o1 = output.iloc[t - 1].dropna(), output.iloc[t].dropna()
        common = o0.index.intersection(o1.index)
        corrs.append(spearman(o0[common].to_numpy(), o1[common].to_numpy()))
    return {"rank_first_to_last": jumps / max(events, 1), "rank_mean_move": float(np.mean(moves)) if moves else 0.0,
            "output_rank_corr": float(np.mean(corrs)) if corrs else 1.0,
            "output_rank_corr_min": float(np.min(corrs)) if corrs else 1.0}


def _stats_task(world: World, task: tuple[int, int, bool]) -> dict[str, float]:
    seed, years, csn = task
    # one run per seed: no other run of the loop shares its start, so none is copied into the cache
    return {"seed": seed, **seed_stats(simulate(world, seed, years, spinup_cache=False), csn=csn)}


def run_stats(world: World, seeds: Sequence[int], years: int, workers: int | Executor = 1,
              csn: bool = True) -> pd.DataFrame:
    """One row of statistics per seed (``workers``: a number of local processes, or an executor)."""
    tasks = [(int(s), int(years), csn) for s in seeds]
    with using(workers, len(tasks)) as ex:
        return pd.DataFrame(ex.map(_stats_task, tasks, shared=world))


def cross_seed_stats(stats: pd.DataFrame) -> dict[str, float]:
    """Values of the :data:`CROSS_SEED` targets from a table of per-seed statistics."""
    cv = cv_by_year(stats)
    if cv.empty:
        return {}
    last = cv.iloc[-1]
    first = cv[cv["step"] == 1]
    return {"output_cv_1": float(first["cv"].iloc[0]) if len(first) else float("nan"),
            "output_cv_last": float(last["cv"])}


def years_needed(when: str) -> int:
    """Years a run must last before a statistic measured ``when`` has a value: 'year 0' 0,
    'years 1..10' 10, 'year 4' 4, 'last 5 years' 5; 'last year' and 'years 1..N' 1."""
    import re

    m = re.fullmatch(r"(?:years? (?:\d+\.\.)?(\d+))|(?:last (\d+) years)", str(when).strip())
    if m:
        return int(m.group(1) or m.group(2))
    return 1 if str(when).strip() in ("last year", "years 1..N", "years 0..N") else 0


def run_years(stats: pd.DataFrame) -> int | None:
    """The years of the runs behind ``stats`` (its last ``output_tN`` column), None if it has none."""
    steps = [int(c[len("output_t"):]) for c in stats.columns if str(c).startswith("output_t") and c[8:].isdigit()]
    return max(steps) if steps else None


NOT_ASSESSED = "not_assessed"  # the status of a target the run could not compute


def _row_verdict(value: float, t: Target) -> dict[str, Any]:
    """pass (True/False, None when not assessed), status ('pass', 'fail', 'not_assessed') and the
    years the statistic needs: a statistic with no value (e.g. one that needs 10 years of a 5-year
    run) is not assessed, not failed."""
    need = years_needed(t.when)
    if not np.isfinite(value):
        return {"pass": None, "status": NOT_ASSESSED, "years_needed": need}
    ok = bool(t.lo - 1e-12 <= value <= t.hi + 1e-12)
    return {"pass": ok, "status": "pass" if ok else "fail", "years_needed": need}


def summarise(stats: pd.DataFrame, targets: Sequence[Target] = TARGETS, years: int | None = None) -> pd.DataFrame:
    """The validation table: per target, model mean, 5-95% across seeds, interval, pass/fail;
    then the :data:`CROSS_SEED` targets (one value for the set of seeds). A target no seed gave a
    value for (a run shorter than it needs) has ``pass`` None and ``status`` 'not_assessed'.
    ``years`` (the runs' length; default: read from ``stats``) goes into the ``run_years`` column."""
    years = run_years(stats) if years is None else int(years)
    rows = []
    for t in targets:
        if t.key not in stats:
            continue
        v = stats[t.key].to_numpy(float)
        v = v[np.isfinite(v)]
        mean = float(v.mean()) if v.size else float("nan")
        rows.append({"key": t.key, "statistic": t.label, "unit": t.unit, "when": t.when,
                     "model_mean": mean, "model_p05": float(np.quantile(v, 0.05)) if v.size else np.nan,
                     "model_p95": float(np.quantile(v, 0.95)) if v.size else np.nan, "seeds": int(v.size),
                     "lo": t.lo, "hi": t.hi, "target": t.target, "source": t.source,
                     **_row_verdict(mean, t)})
    if targets is TARGETS:
        for t in CROSS_SEED:
            v = cross_seed_stats(stats).get(t.key, float("nan"))
            rows.append({"key": t.key, "statistic": t.label, "unit": t.unit, "when": t.when, "model_mean": v,
                         "model_p05": np.nan, "model_p95": np.nan, "seeds": int(len(stats)), "lo": t.lo, "hi": t.hi,
                         "target": t.target, "source": t.source, **_row_verdict(v, t)})
    df = pd.DataFrame(rows)
    if len(df):
        df["run_years"] = years
    return df


def status_of(ok: Any) -> str:
    """'pass', 'fail' or 'not_assessed' (None or NaN: no value) of a ``pass`` entry."""
    if ok is None or (isinstance(ok, float) and np.isnan(ok)):
        return NOT_ASSESSED
    return "pass" if ok else "fail"


def tally(table: pd.DataFrame) -> dict[str, Any]:
    """Counts of a validation table: passed, failed, not assessed, assessed, and the years the
    not-assessed targets need (sorted); targets without a ``status`` column are read from ``pass``."""
    status = table["status"] if "status" in table else table["pass"].map(status_of)
    na = status == NOT_ASSESSED
    need = sorted({int(n) for n in table.loc[na, "years_needed"]}) if "years_needed" in table else []
    return {"passed": int((status == "pass").sum()), "failed": int((status == "fail").sum()),
            "not_assessed": int(na.sum()), "assessed": int((~na).sum()), "needs": need}


# -----------------------------------------------------------------------------------------------
# policy responses
# -----------------------------------------------------------------------------------------------


def with_level(world: World, zone_id: str, level: str) -> World:
    """A copy of ``world`` with one zone's level set at year 0 ('national' or 'region')."""
    from dataclasses import replace

    if zone_id not in world.zone_ids:
        raise KeyError(f"no zone '{zone_id}' in world '{world.name}'")
    zones = tuple(z.model_copy(update={"level": level}) if z.id == zone_id else z for z in world.zones)
    return replace(world, zones=zones)


def zone_split(rec: RunRecord, zone_id: str) -> dict[str, float]:
    """A zone's last-year output, split into its year-0 incumbents and everyone else
    (entrants and firms that moved in): the net-entry margin of Lu, Wang & Zhu (2019)."""
    slot = rec.zone_ids.index(zone_id)
    first_here = set(rec.first.uid[rec.first.zone == slot].tolist())
    here = rec.last.zone == slot
    inc = here & np.isin(rec.last.uid, list(first_here))
    return {"output": bn_from_m(float(rec.last.output[here].sum())),
            "incumbents": bn_from_m(float(rec.last.output[inc].sum())),
            "others": bn_from_m(float(rec.last.output[here & ~inc].sum())),
            "firms": float(here.sum())}


def _status_task(world: World, task: tuple[str, int, int]) -> dict[str, float]:
    zone_id, seed, years = task
    out: dict[str, float] = {"zone": zone_id, "seed": seed}
    for level in ("region", "national"):
        rec = simulate(with_level(world, zone_id, level), seed, years)
        for k, v in zone_split(rec, zone_id).items():
            out[f"{level}_{k}"] = v
    return out


def status_experiment(world: World, zone_ids: Sequence[str], seeds: Sequence[int], years: int,
                      workers: int | Executor = 1) -> pd.DataFrame:
    """Each zone as national vs region-level from year 0, same seeds (common random numbers):
    log output effect at the last year and the share of the gain from firms other than the
    zone's year-0 incumbents."""
    tasks = [(z, int(s), int(years)) for z in zone_ids for s in seeds]
    with using(workers, len(tasks)) as ex:
        df = pd.DataFrame(ex.map(_status_task, tasks, shared=world))
    df["effect"] = np.log(df["national_output"] / df["region_output"])
    gain = df["national_output"] - df["region_output"]
    df["entry_share_of_gain"] = (df["national_others"] - df["region_others"]) / gain.where(gain.abs() > 1e-9)
    return df


@dataclass(frozen=True)
class Check:
    key: str
    claim: str
    source: str
    expect: str  # "> 0", "in [a, b]" ...
    lo: float
    hi: float


STATUS_CHECKS = (
    Check("status_effect", "national status raises a zone's output level", "Alder, Shao & Zilibotti 2016 (~20%)",
          "log effect in [0.05, 0.40]", 0.05, 0.40),
    Check("status_entry_share", "the gain comes more from net entry than from incumbents",
          "Lu, Wang & Zhu 2019, AEJ: Policy", "share of gain from non-incumbents > 0.5", 0.5, np.inf),
    Check("status_lower_tier", "the effect is larger for a smaller (lower-tier) zone",
          "Lu, Wang & Zhu 2019 (diminishing returns; larger effects in lower-tier cities)",
          "small-zone effect - large-zone effect > 0", 0.0, np.inf),
)


def status_checks(df: pd.DataFrame, small: str, large: str) -> pd.DataFrame:
    """Checks of :data:`STATUS_CHECKS` from a :func:`status_experiment` table."""
    per_seed_effect = df.groupby("seed")["effect"].mean()
    pooled = df.groupby("seed")[["national_output", "region_output", "national_others", "region_others"]].sum()
    gain_others = pooled["national_others"] - pooled["region_others"]
    gain = pooled["national_output"] - pooled["region_output"]
    diff = (df[df["zone"] == small].set_index("seed")["effect"] - df[df["zone"] == large].set_index("seed")["effect"])
    values = {"status_effect": per_seed_effect, "status_lower_tier": diff}
    return pd.DataFrame([_ratio_row(c, gain_others, gain) if c.key == "status_entry_share" else
                         _check_row(c, values[c.key]) for c in STATUS_CHECKS])


# The policy responses' notes, as templates: a row carries the English text (`note`, its parts
# joined by '; '), the keys of its parts (`note_key`, joined by '; ') and their fields (`note_fields`,
# JSON: a list of one mapping per part); sim.present.summaries.validation.note_text formats the note
# in the reader's language from key and fields (Chinese: i18n.VALIDATION_NOTES_ZH, the same keys).
NOTES: dict[str, str] = {
    "ratio": "ratio of sums over {n} seeds (bootstrap 5-95% and s.e.)",
    "near": "inconclusive: {b:g} within 2 standard errors ({se:.3g}) of the estimate",
    "noise": "inconclusive: |mean| < 2 standard errors ({se:.3g}) at {n} seeds",
    "gap": "log(top/bottom zone output) change {d:+.3f}",
    "land": ("vs the model's by-demand rule: {d:+.3f} (by output/km2 issues the whole quota, by demand only "
             "what zones ask for); output {o:+.3f} vs equal"),
    "tranche": "first tranche {a:.2f}, second {b:.2f} CNY bn output per CNY bn paid (last year output, all money paid)",
    "missing": "lever not available in sim/policies yet: not checked",
}


Note = tuple[tuple[str, dict[str, Any]], ...]  # a note's parts: (NOTES key, its fields)


def _plain(v: Any) -> int | float:
    """A note's field as JSON keeps it: a whole count an int, anything else a float (full precision)."""
    return int(v) if isinstance(v, (int, np.integer)) else float(v)


def note_columns(parts: Note = ()) -> dict[str, str]:
    """The note columns of a policy-response row: ``note`` (English, the parts joined by '; '),
    ``note_key`` (the parts' :data:`NOTES` keys, joined by '; ') and ``note_fields`` (JSON, a list
    of one mapping of field to value per part)."""
    import json

    parts = tuple((k, {f: _plain(v) for f, v in fields.items()}) for k, fields in parts)
    return {"note": "; ".join(NOTES[k].format(**f) for k, f in parts), "note_key": "; ".join(k for k, _ in parts),
            "note_fields": json.dumps([f for _, f in parts])}


def _ratio_row(c: Check, num: pd.Series | np.ndarray, den: pd.Series | np.ndarray, draws: int = 2000) -> dict[str, Any]:
    """A share checked as the ratio of its sums over seeds (the mean of per-seed ratios is
    decided by the seeds whose denominator is near zero); 5-95% range and standard error by a
    bootstrap over seeds (fixed generator, so the report is reproducible). Inconclusive when a
    finite bound lies within 2 standard errors of the estimate."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    keep = np.isfinite(num) & np.isfinite(den)
    num, den = num[keep], den[keep]
    n = num.size
    est = float(num.sum() / den.sum()) if n and den.sum() != 0 else float("nan")
    if n > 1:
        pick = np.random.default_rng(0).integers(0, n, (draws, n))
        with np.errstate(divide="ignore", invalid="ignore"):
            boot = num[pick].sum(axis=1) / den[pick].sum(axis=1)
        boot = boot[np.isfinite(boot)]
    else:
        boot = np.zeros(0)
    se = float(boot.std(ddof=1)) if boot.size > 1 else float("inf")
    ok: bool | None = bool(np.isfinite(est) and c.lo <= est <= c.hi)
    note: Note = (("ratio", {"n": n}),)
    near = [b for b in (c.lo, c.hi) if np.isfinite(b) and abs(est - b) < 2 * se]
    if near:
        ok = None
        note += (("near", {"b": near[0], "se": se}),)
    return {"key": c.key, "claim": c.claim, "source": c.source, "expect": c.expect, "model_mean": est,
            "model_p05": float(np.quantile(boot, 0.05)) if boot.size else np.nan,
            "model_p95": float(np.quantile(boot, 0.95)) if boot.size else np.nan, "seeds": int(n),
            "se": se, "pass": ok, **note_columns(note)}


def _check_row(c: Check, v: pd.Series | np.ndarray, note: Note = ()) -> dict[str, Any]:
    """Mean and spread across seeds; pass when the mean is in [lo, hi]. A sign check (a bound at
    0) whose mean lies within 2 standard errors of 0 is *inconclusive* (pass None): at this many
    seeds the effect cannot be told from the model's seed-to-seed noise."""
    v = np.asarray(v, dtype=float)
    v = v[np.isfinite(v)]
    mean = float(v.mean()) if v.size else float("nan")
    se = float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("inf")
    ok: bool | None = bool(v.size and c.lo <= mean <= c.hi)
    if 0.0 in (c.lo, c.hi) and abs(mean) < 2 * se:
        ok = None
        note += (("noise", {"se": se, "n": v.size}),)
    return {"key": c.key, "claim": c.claim, "source": c.source, "expect": c.expect, "model_mean": mean,
            "model_p05": float(np.quantile(v, 0.05)) if v.size else np.nan,
            "model_p95": float(np.quantile(v, 0.95)) if v.size else np.nan, "seeds": int(v.size),
            "se": se, "pass": ok, **note_columns(note)}


# --- levers (sim/policies): rewards concentrated on leaders, land by performance, dose response


def _lever_task(world: World, task: tuple[tuple[tuple[str, dict], ...], int, int]) -> dict[str, float]:
    spec, seed, years = task
    package = apply_levers(empty_package(), dict(spec), "validate")
    df = runner.simulate(world, package, None, int(seed), years)
    last = df[df["step"] == years]
    reg = last[last["zone"] == "region"].iloc[0]
    zones = last[last["zone"] != "region"]
    out = zones["output"].to_numpy(float)
    return {"seed": seed, "output": float(reg["output"]), "output_cv": float(reg["output_cv"]),
            "output_per_km2": float(reg["output_per_km2"]), "public_money": float(df[df["zone"] == "region"][
                "public_money"].sum()), "log_top_bottom": float(np.log(out.max() / out.min()))}


def lever_runs(world: World, arms: dict[str, tuple[tuple[str, dict], ...]], seeds: Sequence[int], years: int,
               workers: int | Executor = 1) -> pd.DataFrame:
    """Each arm (a tuple of (lever name, settings)) on the same seeds; one row per arm and seed."""
    keys = list(arms)
    tasks = [(arms[k], int(s), int(years)) for k in keys for s in seeds]
    with using(workers, len(tasks)) as ex:
        rows = ex.map(_lever_task, tasks, shared=world)
    for k, row in zip([k for k in keys for _ in seeds], rows):
        row["arm"] = k
    return pd.DataFrame(rows)


LEVER_CHECKS = (
    Check("leaders_widen_gap", "rewards concentrated on leaders widen the gap between zones",
          "issue 8; POLICY.md area 6", "output CV (treated - baseline) > 0", 0.0, np.inf),
    Check("land_by_performance", "land by performance raises output per unit of land",
          "issue 8; POLICY.md area 5 (亩均效益)", "log output/km2 (by output/km2 vs equal shares of the same "
          "quota) > 0", 0.0, np.inf),
    Check("reward_diminishing", "support has diminishing returns: the second tranche adds less output per "
          "yuan than the first", "Lu, Wang & Zhu 2019", "marginal gain (2nd) - marginal gain (1st) < 0",
          -np.inf, 0.0),
)


def lever_arms(available: Sequence[str], budget: float = 1000.0) -> dict[str, tuple[tuple[str, dict], ...]]:
    """The arms the lever checks need, given the registered levers."""
    arms: dict[str, tuple[tuple[str, dict], ...]] = {"baseline": ()}
    if "funding_reward" in available:
        def leaders(b: float) -> tuple[tuple[str, dict], ...]:
            tiers = [{"level": "national", "rule": "top", "count": 1, "amount": b / 2},
                     {"level": "region", "rule": "top", "count": 1, "amount": b / 2}]
            return (("funding_reward", {"budget": b, "tiers": tiers, "leftover": "return"}),)
        arms["leaders"] = leaders(budget)
        arms["leaders_x2"] = leaders(2 * budget)
    if "land_allocation" in available:
        arms["land_performance"] = (("land_allocation", {"rule": "output_per_land"}),)
        arms["land_equal"] = (("land_allocation", {"rule": "equal"}),)
    return arms


def lever_checks(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of :data:`LEVER_CHECKS` from :func:`lever_runs` (checks whose arm is missing say so)."""
    base = df[df["arm"] == "baseline"].set_index("seed")
    rows = []
    for c in LEVER_CHECKS:
        if c.key == "leaders_widen_gap" and "leaders" in set(df["arm"]):
            t = df[df["arm"] == "leaders"].set_index("seed")
            rows.append(_check_row(c, t["output_cv"] - base["output_cv"],
                                   (("gap", {"d": np.mean(t["log_top_bottom"] - base["log_top_bottom"])}),)))
        elif c.key == "land_by_performance" and {"land_performance", "land_equal"} <= set(df["arm"]):
            t = df[df["arm"] == "land_performance"].set_index("seed")
            e = df[df["arm"] == "land_equal"].set_index("seed")
            vs_demand = np.mean(np.log(t["output_per_km2"] / base["output_per_km2"]))
            rows.append(_check_row(c, np.log(t["output_per_km2"] / e["output_per_km2"]),
                                   (("land", {"d": vs_demand, "o": np.mean(np.log(t["output"] / e["output"]))}),)))
        elif c.key == "reward_diminishing" and "leaders_x2" in set(df["arm"]):
            t1 = df[df["arm"] == "leaders"].set_index("seed")
            t2 = df[df["arm"] == "leaders_x2"].set_index("seed")
            m1 = (t1["output"] - base["output"]) / t1["public_money"].where(t1["public_money"] > 0)
            m2 = (t2["output"] - t1["output"]) / (t2["public_money"] - t1["public_money"]).where(
                t2["public_money"] > t1["public_money"])
            rows.append(_check_row(c, m2 - m1, (("tranche", {"a": np.nanmean(m1), "b": np.nanmean(m2)}),)))
        else:
            rows.append({"key": c.key, "claim": c.claim, "source": c.source, "expect": c.expect,
                         "model_mean": np.nan, "model_p05": np.nan, "model_p95": np.nan, "seeds": 0,
                         "pass": None, **note_columns((("missing", {}),))})
    return pd.DataFrame(rows)


def national_slots(world: World) -> list[str]:
    return [z.id for z in world.zones if z.level == "national"]


def region_zones_by_size(world: World) -> list[str]:
    """Region-level zone ids, largest output first."""
    return [z.id for z in sorted((z for z in world.zones if z.level == "region"), key=lambda z: -z.output_bn)]


__all__ = ["TARGETS", "CROSS_SEED", "Target", "hill", "csn_tail", "growth_stats", "cv_by_year", "agglomeration_elasticity", "seed_stats", "run_stats",
           "summarise", "simulate", "status_experiment", "status_checks", "with_level", "NATIONAL"]


# -----------------------------------------------------------------------------------------------
# out of sample: the 2017 world run to 2021 against the figures published for 2018-2021
# -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Published:
    """A figure published after 2017 (data15), compared with the 2017 world's run."""

    key: str
    label: str
    year: int
    value: float
    source: str
    note: str = ""
    unit: str = "firms"  # as Target.unit: '1/yr' a growth rate (shown in per cent), 'firms', 'CNY bn'


OUT_OF_SAMPLE: tuple[Published, ...] = (
    Published("liuzhou_growth_2018", "Liuzhou zone output growth, 2018", 2018, 0.104,
              "Liudong above-scale output Jan-Oct 2018 +10.4% (Guangxi Daily 2018-12-07)",
              "above-scale output of the Liudong New Area, ten months", "1/yr"),
    Published("hightech_2019", "certified firms in the 9 zones, 2019", 2019, 0.44 * 2_380,
              "44% (535/1,204 in 2017) of Guangxi's ~2,380 in 2019 (top 100 = 4.2%, Guangxi Daily 2020-12-30)",
              "derived: assumes the zones kept their 2017 share"),
    Published("hightech_2020", "certified firms in the 9 zones, 2020", 2020, 0.44 * 2_700,
              "44% of Guangxi's > 2,700 at end-2020 (Guangxi Daily 2020-12-30)",
              "derived: assumes the zones kept their 2017 share"),
    Published("nanning_hightech_2020", "certified firms in the Nanning zone, Oct 2020", 2020, 351.0,
              "gx.cri.cn 2020-11-09", "filed high-tech firms"),
    Published("output_2021", "the 9 zones' output, 2021 (CNY bn)", 2021, 844.0,
              "guangxi_sources.csv: 2017 figures on the growth path +5%, +5%, 0% (2020), +8%",
              "an estimate, not a publication: the 2020 shock (Liuzhou secondary industry -10.7% in H1 2020) "
              "is the one feature the model cannot make", "CNY bn"),
    Published("firms_2021", "firms in the 9 zones, 2021", 2021, 31_400.0,
              "guangxi_sources.csv: 25,264 (2017) grown ~7%/yr as in 2014-2017", "an estimate"),
)


def _oos_task(world: World, seed: int) -> dict[str, float]:
    df = runner.simulate(world, None, None, int(seed), world.years)
    reg = df[df["zone"] == "region"].set_index("year")
    liu = df[df["zone"] == "liuzhou"].set_index("year")
    nan = df[df["zone"] == "nanning"].set_index("year")
    y0 = world.start_year
    return {"seed": seed,
            "liuzhou_growth_2018": float(liu.loc[y0 + 1, "output"] / liu.loc[y0, "output"] - 1.0),
            "hightech_2019": float(reg.loc[2019, "hightech_firms"]),
            "hightech_2020": float(reg.loc[2020, "hightech_firms"]),
            "nanning_hightech_2020": float(nan.loc[2020, "hightech_firms"]),
            "output_2021": float(reg.loc[2021, "output"]),
            "firms_2021": float(reg.loc[2021, "firms"])}


def out_of_sample(seeds: Sequence[int], workers: int = 1, world: World | None = None) -> pd.DataFrame:
    """The 2017 world (``guangxi2017``: 9 zones, start 2017) run to 2021 on ``seeds``, against the
    figures of :data:`OUT_OF_SAMPLE`: model mean, 5-95% across seeds, and the relative difference."""
    from sim.scenario.world import load_world

    world = world or load_world("guangxi2017")
    with using(workers, len(seeds)) as ex:
        runs = pd.DataFrame(ex.map(_oos_task, [int(s) for s in seeds], shared=world))
    rows = []
    for p in OUT_OF_SAMPLE:
        v = runs[p.key].to_numpy(float)
        mean = float(v.mean())
        rows.append({"key": p.key, "figure": p.label, "year": p.year, "published": p.value, "model_mean": mean,
                     "model_p05": float(np.quantile(v, 0.05)), "model_p95": float(np.quantile(v, 0.95)),
                     "difference": (mean - p.value) if p.key.endswith("growth_2018") else mean / p.value - 1.0,
                     "source": p.source, "note": p.note, "unit": p.unit})
    return pd.DataFrame(rows)


# --- signs: does each measure move its own outcome the way it is meant to? (issue 17) ----------


def single_measure_packages(names: Sequence[str] | None = None) -> dict[str, Package]:
    """lever name -> its single-measure package: a bundled package whose only lever is that
    measure (``Lever.measure``) with an intended outcome (``Lever.intent``). When several bundled
    packages hold the same lever alone (``land-by-output``, ``land-by-rank``, ``land-equal``) the
    one named after the lever, else the first by name, is used. ``names``: only these packages."""
    from sim.policies import REGISTRY
    from sim.scenario.packages import load_package
    from sim.scenario.world import PACKAGES, bundled_names

    out: dict[str, Package] = {}
    for name in sorted(names if names is not None else bundled_names(PACKAGES)):
        pkg = load_package(name)
        lever = next(iter(pkg.levers)) if len(pkg.levers) == 1 else ""
        if not lever or not REGISTRY[lever].measure or REGISTRY[lever].intent is None:
            if names is not None:
                from sim.core.errors import InputError

                raise InputError("command line", "--sign-packages", f"'{name}' is not a single-measure package "
                                 "(one lever, a measure with an intended outcome)")
            continue
        if lever not in out or name == lever.replace("_", "-"):
            out[lever] = pkg
    return out


def _sign_task(world: World, task: tuple[Package | None, int, int, tuple[str, ...]]) -> dict[str, float]:
    package, seed, years, outcomes = task
    df = runner.simulate(world, package, None, int(seed), years)
    reg = df[(df["zone"] == "region") & (df["step"] == years)].iloc[0]
    return {"seed": seed, **{o: float(reg[o]) for o in outcomes}}


def sign_runs(world: World, packages: Mapping[str, Package], seeds: Sequence[int], years: int,
              workers: int | Executor = 1) -> pd.DataFrame:
    """The baseline and every package of ``packages`` (lever -> package) on the same seeds: one row
    per arm (``baseline`` or the lever's name) and seed, with the region's intended outcomes in the
    last year."""
    from sim.policies import REGISTRY

    outcomes = tuple(sorted({REGISTRY[lv].intent[0] for lv in packages}))
    arms = [("baseline", None)] + [(lv, pkg) for lv, pkg in packages.items()]
    tasks = [(pkg, int(s), int(years), outcomes) for _, pkg in arms for s in seeds]
    with using(workers, len(tasks)) as ex:
        rows = ex.map(_sign_task, tasks, shared=world)
    for (arm, _), row in zip([a for a in arms for _ in seeds], rows):
        row["arm"] = arm
    return pd.DataFrame(rows)


def sign_checks(df: pd.DataFrame, packages: Mapping[str, Package], tolerance: float = 0.001) -> pd.DataFrame:
    """One row per measure: its intended outcome and sign, the paired log effect on the region
    (mean over seeds, standard error) and a verdict: ``negligible`` when the mean is within
    ``tolerance`` (log points) of 0, else ``opposite`` when it has the opposite sign to the intent
    and lies more than 2 standard errors from 0, ``as intended`` when it has the intended sign that
    clearly, ``inconclusive`` otherwise. (Paired seeds resolve effects of a hundredth of a per
    cent; the tolerance keeps those from being listed as wrong signs.)"""
    from sim.policies import REGISTRY

    base = df[df["arm"] == "baseline"].set_index("seed")
    rows = []
    for lever, pkg in packages.items():
        outcome, sign = REGISTRY[lever].intent
        t = df[df["arm"] == lever].set_index("seed")
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.log(t[outcome] / base[outcome]).to_numpy(float)
        v = v[np.isfinite(v)]
        mean = float(v.mean()) if v.size else float("nan")
        se = float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("inf")
        clear = np.isfinite(mean) and abs(mean) > 2 * se
        verdict = ("negligible" if np.isfinite(mean) and abs(mean) < tolerance else
                   "opposite" if clear and np.sign(mean) == -sign else
                   "as intended" if clear else "inconclusive")
        rows.append({"measure": lever, "package": pkg.name, "outcome": outcome, "intended": "+" if sign > 0 else "-",
                     "effect": mean, "se": se, "seeds": int(v.size), "verdict": verdict})
    return pd.DataFrame(rows)


def format_signs(table: pd.DataFrame, years: int) -> str:
    """The sign check as text: measures with the opposite sign first, then the rest."""
    lines = [f"measures against their intended sign (region, year {years}, paired log effect, mean +- s.e.):"]
    order = table.assign(o=table["verdict"].map({"opposite": 0, "inconclusive": 1, "negligible": 2,
                                                 "as intended": 3}))
    for r in order.sort_values(["o", "measure"]).itertuples():
        lines.append(f"  {r.verdict:<12} {r.measure:<22} {r.outcome:<16} intended {r.intended}  "
                     f"{100 * r.effect:+.3f}% +- {100 * r.se:.3f}  ({r.package}, {r.seeds} seeds)")
    bad = table[table["verdict"] == "opposite"]
    lines.append("opposite sign: " + (", ".join(bad["measure"]) if len(bad) else "none"))
    return "\n".join(lines)
