"""The regional government: the annual evaluation of every zone, the modelled national ranking,
and the region's budget for zone measures.

**Evaluation** (area 6 of the measures: 以产出、贡献为导向, classified evaluation). Each year the
government computes twelve sub-indicators per zone under the five first-level areas of the
2021 national index (:data:`SUBS`). It is oriented to output and contribution: the quality area
scores output, its growth, the tax it pays and value added per employee. Every sub-indicator is
a multi-year figure: the mean of the last ``evaluation_years`` yearly values (ratios in logs
where they are shares of size), and output growth is the trend over those years, so one lucky
or unlucky year moves a zone's score by a fraction of what it would in a one-year evaluation.
Sub-indicators are standardised within the zone's class (national zones among themselves;
region-level and delisted zones together, so a delisted zone's score can be compared with the
zones it hopes to rejoin), clipped at ``evaluation_clip`` standard deviations and mapped to
0-100; the five areas are weighted per class (``classified_evaluation``). Ranks are within the
current class (national, region-level, delisted).

**National ranking** (全国综合排名). National zones are also placed in a modelled ranking of all
``national_zones`` national zones: their multi-year output against a lognormal benchmark whose
median grows at ``national_output_growth`` (``national_place``, 1 = best). The national
comprehensive index's aggregation is not public; scale is its largest component, so the
model ranks by output and says so.

**Budget** (:class:`RegionalBudget`): every region-paid measure draws on one yearly envelope.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import mesa
import numpy as np

from sim.agents.zone import DELISTED, LEVELS, NATIONAL
from sim.core import scoring
from sim.core.params import INDICATORS
from sim.core.units import k_from_m
from sim.core import pmath as pm

if TYPE_CHECKING:
    from sim.model.zonemodel import ZoneModel

PER_THOUSAND = 1_000.0  # a rate per 1,000 employees (a count, not money)


@dataclass(frozen=True)
class Sub:
    """One sub-indicator: its area (index into ``INDICATORS``), whether it is scored in logs (with
    ``offset`` added first, in the raw value's unit) and whether it moves one for one with output
    (``output_linked``: a committee expects it to rise with the zone's output)."""

    name: str
    area: int
    log: bool
    offset: float = 0.0
    output_linked: bool = False


SUBS: tuple[Sub, ...] = (
    Sub("rd_intensity", 0, True, 1e-4),              # R&D spending / output
    Sub("innovations_per_1000", 0, True, 0.01),      # innovations per 1,000 employees
    Sub("entry_rate", 0, False),                     # entries / firms
    Sub("hightech_share", 1, False),                 # certified high-tech firms / firms
    Sub("va_ratio", 1, False),                       # value added / output
    Sub("output_per_km2", 2, True, 0.01, True),      # CNY bn per km2 developed (亩均效益)
    Sub("amenity", 2, False),                        # liveability index
    Sub("arrivals_per_firm", 3, False),              # firms arriving from outside / firms
    Sub("talent_inflow_rate", 3, False),             # skilled people moving in / skilled people
    Sub("output", 4, True, 0.01, True),              # output, CNY bn (contribution)
    Sub("output_growth", 4, False, 0.0, True),       # trend of log output over the evaluation years
    Sub("tax", 4, True, 0.001, True),                # tax paid, CNY bn (contribution)
    Sub("va_per_employee", 4, True, 1e-4, True),     # value added per employee, CNY m
)
SUB_NAMES = tuple(s.name for s in SUBS)
GROWTH = SUB_NAMES.index("output_growth")
PER_AREA = np.bincount([s.area for s in SUBS], minlength=len(INDICATORS)).astype(float)


AREA = np.array([s.area for s in SUBS])  # the area of each sub-indicator
# the sub-indicators of each area are neighbours in SUBS: an area's mean is one segment's
AREA_START = np.flatnonzero(np.diff(AREA, prepend=-1))
assert (AREA[AREA_START] == np.arange(len(INDICATORS))).all() and (np.diff(AREA) >= 0).all()
AREA_COUNT = np.diff(np.append(AREA_START, len(SUBS))).astype(float)
LOG = np.array([j for j, s in enumerate(SUBS) if s.log], dtype=np.intp)  # the subs scored in logs
LOG_OFFSET = np.array([SUBS[j].offset for j in LOG])[:, None]
OUTPUT = SUB_NAMES.index("output")
_PER_AREA_OF_SUB = PER_AREA[AREA][:, None]  # how many subs share each sub's area
_SQRT2 = math.sqrt(2.0)
_IS_LOG = np.array([s.log for s in SUBS])
_AREA_COUNT_INT = AREA_COUNT.astype(np.intp)
# every area has at least two sub-indicators: their first two rows, then (area, row) for the rest
assert (AREA_COUNT >= 2).all()
_AREA_SECOND = AREA_START + 1
_AREA_REST = tuple((k, j) for k in range(len(AREA_START)) for j in range(AREA_START[k] + 2,
                                                                          AREA_START[k] + int(AREA_COUNT[k])))


def area_means(sub: np.ndarray) -> np.ndarray:
    """Each area's mean of its sub-indicator rows (subs x zones -> areas x zones): its rows added
    one after the other, as ``sub[AREA == k].mean(axis=0)`` adds them (a mean over axis 0 sums
    in order), then divided by their number; all areas at once."""
    acc = sub[AREA_START] + sub[_AREA_SECOND]
    for k, j in _AREA_REST:
        acc[k] += sub[j]
    acc /= AREA_COUNT[:, None]
    return acc


_RAW = {name: j for j, name in enumerate(SUB_NAMES)}


def raw_values(stats: dict[str, np.ndarray]) -> np.ndarray:
    """This year's raw sub-indicator values, shape (len(SUBS), zones); output growth is a
    placeholder (it is computed from the output history). A ratio is 0 where its denominator is
    not positive. Each row is divided straight into the matrix (it starts at zero, which is the
    value a ratio keeps where it is not divided): a dozen small arrays fewer a year than dividing
    into temporaries and copying them in (issue 19)."""
    firms = np.maximum(stats["firms"], 1.0)
    out = np.asarray(stats["output"], dtype=float)
    emp = np.asarray(stats["employees"], dtype=float)
    has_emp = emp > 0  # the denominator of both per-employee rows
    R = _RAW
    raw = np.zeros((len(SUBS), out.shape[0]))  # output growth's placeholder stays 0
    raw[R["rd_intensity"]] = stats["rd_intensity"]
    inno = raw[R["innovations_per_1000"]]
    np.divide(stats["innovations"], emp, out=inno, where=has_emp)
    inno *= PER_THOUSAND
    np.divide(stats["entries"], firms, out=raw[R["entry_rate"]])
    np.divide(stats["hightech_firms"], firms, out=raw[R["hightech_share"]])
    np.divide(stats["value_added"], out, out=raw[R["va_ratio"]], where=out > 0)
    raw[R["output_per_km2"]] = stats["output_per_km2"]
    raw[R["amenity"]] = stats["amenity"]
    np.divide(stats["arrivals"], firms, out=raw[R["arrivals_per_firm"]])
    talent = np.maximum(stats["talent"], 1.0)
    np.divide(stats["talent_inflow"], talent, out=raw[R["talent_inflow_rate"]], where=talent > 0)
    raw[R["output"]] = out
    raw[R["tax"]] = stats["tax"]
    va_emp = raw[R["va_per_employee"]]
    np.divide(stats["value_added"], emp, out=va_emp, where=has_emp)
    va_emp[:] = k_from_m(va_emp)  # CNY k per employee
    return raw


def _to_scale(raw: np.ndarray) -> np.ndarray:
    """:func:`transform` in place (``raw`` is the caller's own matrix)."""
    raw[LOG] = pm.log(np.maximum(raw[LOG], 0.0) + LOG_OFFSET)
    return raw


_RAW_ROWS = np.array([_RAW[name] for name in (
    "rd_intensity", "innovations_per_1000", "entry_rate", "hightech_share", "va_ratio", "output_per_km2", "amenity",
    "arrivals_per_firm", "talent_inflow_rate", "output", "tax", "va_per_employee", "output_growth")], dtype=np.intp)
_LOG_OFFSET_ROW = np.ascontiguousarray(LOG_OFFSET[:, 0])


def scaled_values(stats: dict[str, np.ndarray], alive: np.ndarray) -> np.ndarray:
    """``_to_scale(raw_values(stats))`` with NaN in the columns of zones not ``alive``, by the
    compiled loops ``scoring.raw_core`` and ``scoring.scaled`` around numpy's own log (the same
    operations; tests/core/test_scoring.py)."""
    out = stats["output"]
    raw = np.empty((len(SUBS), out.shape[0]))
    buf = np.empty((LOG.size, out.shape[0]))
    scoring.raw_core(stats["firms"], out, stats["employees"], stats["rd_intensity"], stats["innovations"],
                     stats["entries"], stats["hightech_firms"], stats["value_added"], stats["output_per_km2"],
                     stats["amenity"], stats["arrivals"], stats["talent"], stats["talent_inflow"], stats["tax"],
                     _RAW_ROWS, PER_THOUSAND, k_from_m(1.0), LOG, _LOG_OFFSET_ROW, raw, buf)
    scoring.scaled(raw, pm.log(buf), LOG, alive)
    return raw


def transform(raw: np.ndarray) -> np.ndarray:
    """Raw values -> the scale they are averaged and standardised on (logs for ``log`` subs)."""
    return _to_scale(raw.copy())


def norm_cdf(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if not x.size:
        return x.copy()
    # math.erfc element by element (numpy has no erfc): a list is faster than np.vectorize
    return 0.5 * np.array([math.erfc(v) for v in (-x / _SQRT2).ravel().tolist()]).reshape(x.shape)


def norm_pdf(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return pm.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


class _Year(NamedTuple):
    """One evaluated year in the government's history (subs x zone slots)."""

    values: np.ndarray  # transformed yearly values, NaN where a zone did not exist
    # [0]: the values with 0 where not finite (what the multi-year mean adds); [1]: 1.0 where
    # finite, else 0.0 (what it counts)
    sums: np.ndarray


def _pad_columns(a: np.ndarray, n: int, fill: float) -> np.ndarray:
    return np.concatenate([a, np.full((a.shape[0], n - a.shape[1]), fill)], axis=1)


def standardise(v: np.ndarray, sizes: list[int], clip: float) -> tuple[np.ndarray, np.ndarray]:
    """Sub-scores (0-100) and their slopes d sub-score / d value for the columns of ``v`` (subs x
    zones), whose classes are neighbouring blocks of ``sizes`` columns: each sub standardised
    within the block (mean and s.d. of the block), clipped at ``clip`` s.d. and mapped to 0-100.

    Every class takes the same elementwise steps, so they run once over all the columns, each
    column with its class's mean, s.d. and size (a class's figures repeated over its block): half
    the small numpy calls of going class by class (issue 19), and the same figures. Only the sums
    are per class, and they add a class's zones one after the other in slot order: that is how
    numpy summed ``values[:, members]`` row-wise, as that fancy index is laid out column-major
    (tests/agents/test_government.py checks it), and how it sums the blocks of ``v.T`` down its
    first axis here."""
    blocks, start = [], 0
    for size in sizes:
        blocks.append(slice(start, start + size))
        start += size
    n = np.array(sizes, dtype=float)[:, None]
    vt = np.ascontiguousarray(v.T)  # zones x subs: a class is a block of rows
    mu = np.array([vt[b].sum(axis=0) for b in blocks])
    mu /= n
    # numpy's own steps of std with the mean worked out once (``_methods._var``): the deviations
    # squared, summed, divided by the count, square-rooted
    dev = vt - np.repeat(mu, sizes, axis=0)
    sq = np.square(dev)
    sd = np.array([sq[b].sum(axis=0) for b in blocks])
    sd /= n
    np.sqrt(sd, out=sd)
    flat = sd <= 1e-12 * np.maximum(np.abs(mu), 1.0)
    col_flat = np.repeat(flat, sizes, axis=0)
    col_sd = np.repeat(np.where(flat, 1.0, sd), sizes, axis=0)  # the s.d., 1 where flat: no division by 0
    col_n = np.repeat(n, sizes, axis=0)  # zones x 1
    z = np.where(col_flat, 0.0, dev / col_sd)  # 0 where flat
    # 50 + 50 clip(z, -clip, clip) / clip; np.clip is min(max()) in one ufunc, but its Python
    # wrapper costs 2 us more than the two ufuncs
    sub = np.maximum(z, -clip)
    np.minimum(sub, clip, out=sub)
    sub *= 50.0
    sub /= clip
    sub += 50.0
    # (a class of one zone is flat: its deviations are 0, or NaN when its value is not finite)
    inside = (np.abs(z) < clip) & ~col_flat
    # d z_i / d v_i with the class mean and s.d. moving with v_i: (1 - 1/n - z_i^2/n) / sd
    dz = (1.0 - 1.0 / col_n - z * z / col_n) / col_sd
    return sub.T, np.where(inside, 50.0 / clip * dz, 0.0).T


def national_places(log_out: np.ndarray, mu: float, sigma: float, zones: int) -> list[float]:
    """``1 + (zones - 1) * (1 - norm_cdf((log_out - mu) / sigma))`` for a few values, one at a
    time in Python floats (the same operations in the same order as on arrays: a handful of
    national zones cost less this way than a dozen array calls)."""
    return [1.0 + (zones - 1) * (1.0 - 0.5 * math.erfc(-((x - mu) / sigma) / _SQRT2)) for x in log_out.tolist()]


# up to this many zone slots the class ranking is worked out on Python lists: a dozen numpy calls
# (the lexsort and searchsorted on ~14 zones among them) cost more than sorting a short list
_RANK_IN_PYTHON = 48


def _nan_lowest(x: float) -> float:
    """``np.nan_to_num(x, nan=-np.inf)`` of one float: NaN lowest, then -inf, finite, +inf as the
    largest and smallest finite floats."""
    if math.isnan(x):
        return -math.inf
    if math.isinf(x):
        return sys.float_info.max if x > 0 else -sys.float_info.max
    return x


def class_ranks(alive: list[bool], level: list[int], score: list[float]) -> list[int]:
    """:meth:`RegionalGovernment.rank` on lists over zone slots: each live zone's rank within its
    class (1 = best; ties to the lower slot), -1 for other slots."""
    members = [i for i in range(len(alive)) if alive[i] and 0 <= level[i] < len(LEVELS)]
    if not all(math.isfinite(score[i]) for i in members):
        score = [_nan_lowest(x) for x in score]
    # Python's sort is stable, reversed too: best first with ties in slot order, then by class
    order = sorted(members, key=score.__getitem__, reverse=True)
    order.sort(key=level.__getitem__)
    rank = [-1] * len(alive)
    prev, r = -1, 0
    for i in order:
        if level[i] != prev:
            prev, r = level[i], 0
        r += 1
        rank[i] = r
    return rank


class RegionalGovernment(mesa.Agent):
    """Evaluates and ranks zones each year; places national zones in the national ranking; keeps
    the region's budget for zone measures. Draws no random numbers."""

    def __init__(self, model: ZoneModel, weights: tuple[float, ...]) -> None:
        super().__init__(model)
        w = np.asarray(weights, dtype=float)
        # one row of weights per class: national, region-level, delisted
        self.weights = np.tile(w / w.sum(), (len(LEVELS), 1))
        self.indicators = np.zeros((len(INDICATORS), 0))
        self.subscores = np.zeros((len(SUBS), 0))
        # points of a zone's score per unit change of the log of this year's raw sub-indicator value
        # (what one more unit this year is worth in the evaluation; committees read it)
        self.sensitivity = np.zeros((len(SUBS), 0))
        # each zone's area weights and sub weights (_zone_weights), and the classes and weights they were made for
        self._weights_of_zones = (np.zeros((0, len(INDICATORS))), np.zeros((len(SUBS), 0)))
        self._weights_key: tuple[bytes, bytes] | None = None
        self.history: dict[int, _Year] = {}  # step -> that year's evaluated values (subs x zones)
        self._width = 0  # the zone slots the stored years span
        self.national_place = np.zeros(0)
        self.national_log_output = np.zeros(0)
        self.budget = RegionalBudget(model)

    def set_weights(self, level: int, weights: tuple[float, ...] | np.ndarray) -> None:
        w = np.asarray(weights, dtype=float)
        self.weights[level] = w / w.sum()

    # ------------------------------------------------------------------ evaluation
    def multi_year(self, current: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean of the last ``evaluation_years`` yearly values per sub and zone (zones count the
        years they existed), the number of years each zone's means span (at least 1), and the
        years each zone's output trend spans (0: none). The trend (log output now less log output
        k years ago, over k, the longest k <= N available) is the mean's ``output_growth`` row."""
        n_years = self.model.params.evaluation_years
        compiled = scoring.available()  # the same numbers in compiled loops (sim/core/scoring.py)
        # each year's finite values and the count are made once, when the year is stored, not once
        # for every evaluation whose window holds it; side by side, so that one addition a year
        # adds both (issue 19)
        if compiled:
            sums = np.empty((2, *current.shape))
            scoring.year_sums(current, sums)
        else:
            seen = np.isfinite(current)
            sums = np.zeros((2, *current.shape))
            np.copyto(sums[0], current, where=seen)
            sums[1] = seen
        self.history[step] = _Year(current, sums)
        for old in [s for s in self.history if s <= step - max(n_years, 1) - 1]:
            del self.history[old]  # growth needs one year more than the means
        nz = current.shape[1]
        if nz != self._width:  # zones were added: the years stored before are padded once
            for s in self.history:
                self.history[s] = self._year(s, nz)
            self._width = nz
        window = [self.history[s] for s in range(step - n_years + 1, step + 1) if s in self.history]
        cur = current[OUTPUT]
        if compiled:
            ks = [k for k in range(1, n_years + 1) if step - k in self.history]
            past_out, past_seen = np.empty((len(ks), nz)), np.empty((len(ks), nz))
            for q, k in enumerate(ks):
                past_out[q] = self.history[step - k].values[OUTPUT]
                past_seen[q] = self.history[step - k].sums[1, OUTPUT]
            mean = np.empty(current.shape)
            count, span = np.empty(nz), np.empty(nz)
            scoring.window_mean(tuple(y.sums for y in window), cur, past_out, past_seen, np.array(ks, dtype=np.intp),
                                GROWTH, mean, count, span)
            return mean, count, span
        # the years added one after the other, oldest first: what summing their stack over its
        # first axis does (numpy adds along an outer axis in order), without making the stack
        acc = window[0].sums.copy()
        for year in window[1:]:
            acc += year.sums
        total, count = acc
        np.maximum(count, 1.0, out=count)
        mean = total / count
        growth = np.zeros(nz)
        span = np.zeros(nz)
        for k in range(1, n_years + 1):  # a longer trend replaces a shorter one where it exists
            past = self.history.get(step - k)
            if past is None:
                continue
            ok = past.sums[1, OUTPUT] > 0
            growth = np.where(ok, (cur - past.values[OUTPUT]) / k, growth)
            span[ok] = k
        mean[GROWTH] = growth
        return mean, count[0], span

    def _year(self, step: int, nz: int) -> _Year:
        """The stored year ``step`` over ``nz`` zone slots: a year stored before zones were added
        is padded (NaN values, nothing seen)."""
        year = self.history[step]
        width = year.values.shape[1]
        if width > nz:
            return _Year(year.values[:, :nz], year.sums[:, :, :nz])
        if width < nz:
            sums = np.zeros((2, year.values.shape[0], nz))
            sums[:, :, :width] = year.sums
            return _Year(self._padded(year.values, nz), sums)
        return year

    @staticmethod
    def _padded(values: np.ndarray, nz: int) -> np.ndarray:
        if values.shape[1] >= nz:
            return values[:, :nz]
        return _pad_columns(values, nz, np.nan)

    def evaluate(self, stats: dict[str, np.ndarray]) -> None:
        """Score (0-100) and rank (1 = best within class) every live zone; writes ``zones``; places
        national zones in the national ranking."""
        zs, p = self.model.zones, self.model.params
        alive = zs.alive
        nz = zs.capacity
        if scoring.available():  # the same numbers in compiled loops (sim/core/scoring.py)
            current = scaled_values(stats, alive)
        else:
            current = _to_scale(raw_values(stats))
            current[:, ~alive] = np.nan
        values, years, span = self.multi_year(current, self.model.steps)
        level = zs.level
        in_national = alive & (level == NATIONAL)  # delisted zones are judged with region-level ones
        sub = np.zeros((len(SUBS), nz))
        slope = np.zeros((len(SUBS), nz))  # d sub-score / d (multi-year value)
        w, sub_w = self._zone_weights(level)
        # the same numbers in one compiled loop (sim/core/scoring.py), when the kernels are on and
        # every class's sums are finite
        if nz >= 2 and scoring.available() and self._evaluate_compiled(current, values, years, span, alive,
                                                                        in_national, w, sub_w, sub, slope):
            self.rank()
            self._national_ranking(values, in_national)
            return
        # the live zones of each class in slot order, national first (lists: a dozen zones)
        live, nat = alive.tolist(), in_national.tolist()
        classes = [c for c in ([i for i in range(nz) if nat[i]], [i for i in range(nz) if live[i] and not nat[i]]) if c]
        if classes:
            cols = np.array([i for c in classes for i in c], dtype=np.intp)
            sub[:, cols], slope[:, cols] = standardise(values[:, cols], [len(c) for c in classes], p.evaluation_clip)
        ind = area_means(sub)
        score = np.zeros(ind.shape[1])  # the five products added one after the other to a zero (not einsum:
        for k in range(ind.shape[0]):  # its SIMD loops differ from CPU to CPU; sim.core.scoring adds alike)
            score += ind[k] * w[:, k]
        zs.score[:] = np.where(alive, score, np.nan)
        self.indicators = ind
        self.subscores = sub
        # sensitivity: points per unit change of log(this year's raw value); a level sub moves by
        # raw x d(log raw); this year is one of ``years`` in the mean; growth moves by 1/span.
        # A level sub's raw value as np.nan_to_num gives it (NaN 0: this year's finite values
        # when nothing is infinite); a log sub's is not needed: 1
        if np.isinf(current).any():
            dval = np.nan_to_num(current)
        else:
            dval = self.history[self.model.steps].sums[0].copy()
        dval[LOG] = 1.0
        dval /= years
        dval[GROWTH] = np.divide(1.0, span, out=np.zeros(nz), where=span > 0)
        self.sensitivity = sub_w * slope * dval
        self.rank()
        self._national_ranking(values, in_national)

    def _evaluate_compiled(self, current: np.ndarray, values: np.ndarray, years: np.ndarray, span: np.ndarray,
                           alive: np.ndarray, national: np.ndarray, w: np.ndarray, sub_w: np.ndarray,
                           sub: np.ndarray, slope: np.ndarray) -> bool:
        """:meth:`evaluate`'s sub-scores, slopes, area means, scores and sensitivities by
        ``scoring.evaluate_core`` (the numpy code's operations in its order); False, changing
        nothing, when a class's sum is not finite."""
        nz = values.shape[1]
        ind = np.empty((len(INDICATORS), nz))
        score = np.empty(nz)
        sens = np.empty((len(SUBS), nz))
        if not scoring.evaluate_core(values, alive, national, float(self.model.params.evaluation_clip), AREA_START,
                                     _AREA_COUNT_INT, w, sub_w, current, _IS_LOG, GROWTH, years, span, sub, slope,
                                     ind, score, sens):
            return False
        self.model.zones.score[:] = score
        self.indicators = ind
        self.subscores = sub
        self.sensitivity = sens
        return True

    def _zone_weights(self, level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each zone's area weights (zones x areas, by its class) and what one point of each
        sub-score is worth in its score (subs x zones: its area's weight over the area's number of
        subs). Kept while the classes and the weights stay as they were (most years): keyed by
        their bytes, so a lever that changes a level or the weights (``set_weights``, or writing
        them) is seen at the next evaluation."""
        key = (level.tobytes(), self.weights.tobytes())
        if key != self._weights_key:
            w = self.weights[level]
            self._weights_key, self._weights_of_zones = key, (w, w.T[AREA] / _PER_AREA_OF_SUB)
        return self._weights_of_zones

    def _national_ranking(self, values: np.ndarray, national: np.ndarray) -> None:
        """Place of each live national zone (``national``) among ``national_zones``: its
        multi-year log output against the lognormal benchmark of the year (1 = best); 0 for other
        zones."""
        p = self.model.params
        log_out = values[OUTPUT]  # log(output bn + 0.01), mean over the years
        mu = float(pm.log(p.national_median_output_bn)) + self.model.steps * float(pm.log1p(p.national_output_growth))
        place = np.zeros(log_out.shape[0])
        idx = np.flatnonzero(national)
        if idx.size:
            place[idx] = national_places(log_out[idx], mu, p.national_output_sigma, p.national_zones)
        self.national_place = place
        self.national_log_output = log_out

    def national_threshold(self, places: float) -> float:
        """The log output a national zone needs to be placed at ``places`` or better this year."""
        from statistics import NormalDist

        p = self.model.params
        share_above = min(max((places - 1.0) / max(p.national_zones - 1, 1), 1e-9), 1.0 - 1e-9)
        mu = float(pm.log(p.national_median_output_bn)) + self.model.steps * float(pm.log1p(p.national_output_growth))
        return mu + p.national_output_sigma * NormalDist().inv_cdf(1.0 - share_above)

    def rank(self) -> None:
        """Rank live zones by score within their current class (1 = best; ties to the lower
        slot, so ranks are a permutation 1..n). Called again after levers change levels."""
        zs = self.model.zones
        if zs.capacity <= _RANK_IN_PYTHON:
            if scoring.available():  # the same ranks, compiled (sim/core/scoring.py)
                scoring.class_ranks(zs.alive, zs.level, zs.score, len(LEVELS), zs.rank)
                return
            zs.rank[:] = class_ranks(zs.alive.tolist(), zs.level.tolist(), zs.score.tolist())
            return
        level = zs.level.astype(int)
        score = zs.score
        if np.isinf(score).any():  # scores are finite: this keeps nan_to_num's order for any input
            score = np.nan_to_num(score, nan=-np.inf)
        else:
            score = np.where(np.isnan(score), -np.inf, score)
        rank = np.full(zs.capacity, -1, dtype=np.int32)
        members = np.flatnonzero(zs.alive & (level >= 0) & (level < len(LEVELS)))
        # by class, then score (best first), then slot: each class's block is its ranking
        order = members[np.lexsort((members, -score[members], level[members]))]
        lv = level[order]
        first = np.searchsorted(lv, lv, side="left")  # where each one's class starts in the order
        rank[order] = np.arange(1, order.size + 1) - first
        zs.rank[:] = rank

    def step(self) -> None:
        """The government acts through ``evaluate`` in the model's evaluation stage."""


class RegionalBudget:
    """One yearly envelope for every region-paid zone measure, with an explicit constraint.

    Lifecycle (called by :class:`sim.policies.base.Hooks`):

    * ``open_year`` (start of the year, before the levers act): the envelope is
      ``region_budget_share`` x the tax raised in all zones last year, less any overrun carried
      from last year. Each lever states its planned cost at full strength (``Lever.plan_cost``;
      when it cannot, last year's cost at full strength); if the plans sum to more than the
      envelope, every paying lever is funded the same share (pro rata: ``Lever.funding``) and
      scales what it does by it.
    * ``book`` (during the year): the money each lever actually paid or forwent, measured by the
      hooks from the zones' ``transfers`` and ``region_support`` flows.
    * ``close_year``: spending above the envelope (plans are estimates) is carried as an overrun
      that reduces next year's envelope; what is not spent lapses to the region's general budget
      (the money has another use). So over the run, money spent <= money issued
      (``region_budget_share`` x tax raised, summed) + the overrun still to be paid back.
    """

    def __init__(self, model: ZoneModel) -> None:
        self.model = model
        self.envelope = 0.0
        self.committed = 0.0
        self.funded = 1.0
        self.overrun = 0.0
        self.spent = 0.0
        self.lapsed = 0.0
        self.booked: dict[str, float] = {}
        self.last_cost: dict[str, float] = {}
        self.last_funding: dict[str, float] = {}
        self.issued = 0.0
        self.totals = {"issued": 0.0, "spent": 0.0, "lapsed": 0.0}

    def open_year(self, model: ZoneModel, levers: list[Any]) -> None:
        self.issued = model.params.region_budget_share * float(np.sum(model.zones.tax_raised[model.zones.alive]))
        self.envelope = max(self.issued - self.overrun, 0.0)
        plans = {}
        for lever in levers:
            plan = lever.plan_cost(model)
            if plan is None:
                last = self.last_cost.get(lever.name, 0.0)
                plan = last / max(self.last_funding.get(lever.name, 1.0), 1e-9)
            plans[lever.name] = max(float(plan), 0.0)
        self.committed = sum(plans.values())
        self.funded = 1.0 if self.committed <= self.envelope else self.envelope / self.committed
        for lever in levers:
            lever.funding = self.funded if plans[lever.name] > 0 else 1.0
        self.booked = {lever.name: 0.0 for lever in levers}
        self.totals["issued"] += self.issued

    def book(self, name: str, amount: float) -> None:
        if amount:
            self.booked[name] = self.booked.get(name, 0.0) + float(amount)

    def close_year(self, model: ZoneModel, levers: list[Any]) -> None:
        self.spent = sum(self.booked.values())
        self.overrun = max(self.spent - self.envelope, 0.0)
        self.lapsed = max(self.envelope - self.spent, 0.0)
        for lever in levers:
            self.last_cost[lever.name] = self.booked.get(lever.name, 0.0)
            self.last_funding[lever.name] = lever.funding
        self.totals["spent"] += self.spent
        self.totals["lapsed"] += self.lapsed

    def summary(self) -> dict[str, Any]:
        return {"issued_cny_m": self.totals["issued"], "spent_cny_m": self.totals["spent"],
                "lapsed_cny_m": self.totals["lapsed"], "overrun_carried_cny_m": self.overrun}


__all__ = ["DELISTED", "SUBS", "SUB_NAMES", "RegionalBudget", "RegionalGovernment", "norm_cdf", "norm_pdf"]
