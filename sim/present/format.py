"""Numbers as people read them: no scientific notation, no NaN, units that fit the reader.

Every number a person sees (reports, summaries, chart labels, the dashboard) goes through these
functions. Missing or non-finite values become an en dash. Money arrives in CNY bn (the unit of
the results tables) and is shown as ``CNY 1,234 bn`` in English and as 亿元 / 万亿元 in Chinese.
Counts and ranks are whole numbers. A change is stated in the unit of the change: an interval
of a percentage change is in percent, of a money change in money.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.core.units import BN_PER_WAN_YI, wan_yi_from_bn, yi_from_bn

NA = "–"


def finite(v: Any) -> bool:
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def num(v: Any, digits: int = 3, sign: bool = False) -> str:
    """A plain number: thousands separated from 1,000, one decimal from 10, ``digits`` significant
    digits below 10 (written out in full, never as 1e-05); an en dash when missing."""
    if not finite(v):
        return NA
    v = float(v)
    a = abs(v)
    plus = "+" if sign and v > 0 else ""
    if a >= 1000 or (a >= 100 and digits <= 3):
        return f"{plus}{v:,.0f}"
    if a >= 10:
        return f"{plus}{v:,.1f}"
    if a == 0:
        return "0"
    text = np.format_float_positional(v, precision=digits, unique=False, fractional=False, trim="-")
    if text.endswith("."):
        text = text[:-1]
    return plus + text


def decimals(v: Any, digits: int = 3) -> int:
    """The decimals that show ``v`` with ``digits`` significant digits, none from 10**digits on
    (the precision of :func:`num`: 1,234 / 12.3 / 1.23 / 0.00123)."""
    if not finite(v) or float(v) == 0:
        return 0
    return max(0, min(12, digits - 1 - math.floor(math.log10(abs(float(v))))))


def rounded(v: Any, digits: int = 3, places: int | None = None) -> float | None:
    """``v`` as a number for a person to read (a workbook cell): ``places`` decimals, or
    ``digits`` significant digits; ``None`` when missing. Halves round away from zero."""
    if not finite(v):
        return None
    d = decimals(v, digits) if places is None else places
    return _half_up(float(v), d)


def _half_up(v: float, places: int) -> float:
    from decimal import ROUND_HALF_UP, Decimal

    q = Decimal(1).scaleb(-places)
    return float(Decimal(repr(v)).quantize(q, rounding=ROUND_HALF_UP))


def count(v: Any, sign: bool = False) -> str:
    """A count (firms, people, events, ranks): a whole number with thousands separators."""
    if not finite(v):
        return NA
    r = whole(v)
    return f"{r:+,d}" if sign and r != 0 else f"{r:,d}"


def whole(v: Any) -> int:
    """``v`` rounded to a whole number, halves away from zero (2.5 -> 3, as people round; Python's
    round() gives 2)."""
    v = float(v)
    return int(math.copysign(math.floor(abs(v) + 0.5), v))


def count_bound(v: Any, sign: bool = False) -> str:
    """A count in an interval or a mean change: whole, unless rounding would make a value that is
    not zero read as 0 (an interval [0.45, 2.1] shown as [0, 2] looks as if it touched zero):
    then two significant digits (``+0.45``)."""
    if finite(v) and float(v) != 0 and whole(v) == 0:
        return num(v, digits=2, sign=sign)
    return count(v, sign)


def rank(v: Any) -> str:
    """A rank: a whole number."""
    return count(v)


def pct(v: Any, sign: bool = True, ratio: bool = False) -> str:
    """A percentage (``v`` in per cent, or a ratio with ``ratio=True``): one decimal from 0.1%,
    two below, never scientific."""
    if not finite(v):
        return NA
    p = float(v) * (PER_CENT if ratio else 1.0)
    a = abs(p)
    if a == 0:
        return "+0.0%" if sign else "0.0%"
    plus = "+" if sign and p > 0 else ""
    if a >= 0.1:
        return f"{plus}{p:,.1f}%"
    if a >= 0.005:
        return f"{plus}{p:.2f}%"
    return f"{plus}{num(p, digits=1)}%"  # not '0.00%': a change that is not zero never reads as zero


# units of a statistic that is a rate or a share (sim.analysis.validate's Target.unit): read in per cent
RATE_UNITS = ("1/yr", "share", "share of seeds")
PER_CENT = 100.0  # per cent per unit fraction: a rate drawn on a per-cent axis (plain_axes(percent=True))


def is_rate(unit: Any) -> bool:
    """Whether a statistic in ``unit`` is a rate or a share, shown in per cent (``1/yr``, ``share``)."""
    return str(unit) in RATE_UNITS


def stat(v: Any, unit: Any = "1", sign: bool = False) -> str:
    """A statistic in ``unit`` as a person reads it: a rate or a share (:func:`is_rate`, given as
    a fraction) in per cent (``4.3%``), anything else (kurtosis, ratios, elasticities, exponents,
    counts) as a plain number (:func:`num`)."""
    return pct(v, sign=sign, ratio=True) if is_rate(unit) else num(v, sign=sign)


def points(v: Any, lang: str = "en", sign: bool = True) -> str:
    """A difference of two rates given as fractions, in percentage points: ``-8.1 pp`` / ``-8.1个百分点``."""
    if not finite(v):
        return NA
    from sim.present.i18n import tr

    return tr("pp", lang, v=pct(v, sign=sign, ratio=True)[:-1])


def money(v_bn: Any, lang: str = "en", sign: bool = False) -> str:
    """Money given in CNY bn: ``CNY 1,234 bn`` / ``CNY 0.52 bn``; in Chinese 亿元, or 万亿元 from
    CNY 1 trillion (``1.23万亿元``, ``457亿元``)."""
    if not finite(v_bn):
        return NA
    v = float(v_bn)
    plus = "+" if sign and v > 0 else ""
    from sim.present.i18n import tr

    if lang == "zh" and abs(v) >= BN_PER_WAN_YI:
        return plus + tr("money_wan_yi", lang, v=f"{wan_yi_from_bn(v):,.2f}")
    if lang == "zh":
        return plus + tr("money", lang, v=num(yi_from_bn(v)))
    return plus + tr("money", lang, v=num(v)) if v >= 0 else "-" + tr("money", lang, v=num(-v))


def value(outcome: str, v: Any, lang: str = "en", sign: bool = False, unit: bool = True, bound: bool = False) -> str:
    """A value of ``outcome`` in the reader's unit (money, count, share in per cent, number);
    ``bound``: a change or an interval bound, where a count that is not zero never shows as 0
    (:func:`count_bound`)."""
    from sim.present.i18n import display

    d = display(outcome, lang)
    if not finite(v):
        return NA
    if d.kind == "money" and unit and d.model_unit == "CNY bn/yr":
        return money(v, lang, sign)
    x = float(v) * d.scale
    if d.kind == "count" and bound:
        text = count_bound(x, sign)
    elif d.kind in ("count", "rank"):
        text = count(x, sign)
    elif d.kind == "share":
        return pct(x, sign)
    else:
        text = num(x, sign=sign)
    if unit and d.unit and d.kind not in ("rank",):
        text += ("" if lang == "zh" else " ") + d.unit
    return text


def value_range(outcome: str, lo: Any, hi: Any, lang: str = "en") -> tuple[str, str]:
    """The two ends of a range of ``outcome`` (:func:`value`), with the digits that tell them
    apart when the usual ones would not: a sweep's output 'from 1.16万亿元 to 1.16万亿元' reads
    'from 11,553亿元 to 11,586亿元'; equal values stay equal."""
    a, b = value(outcome, lo, lang), value(outcome, hi, lang)
    if a != b or not (finite(lo) and finite(hi)) or float(lo) == float(hi):
        return a, b
    from sim.present.i18n import display, tr

    d = display(outcome, lang)
    if d.kind not in ("money", "number"):
        return a, b
    for digits in (4, 5, 6):
        if d.kind == "money" and d.model_unit == "CNY bn/yr":
            # 亿元 (CNY bn in English) however large, the digits the two ends need
            a, b = (tr("money", lang, v=num(yi_from_bn(float(x)) if lang == "zh" else float(x), digits=digits))
                    for x in (lo, hi))
        else:
            a, b = (num(float(x) * d.scale, digits=digits) + (("" if lang == "zh" else " ") + d.unit if d.unit else "")
                    for x in (lo, hi))
        if a != b:
            break
    return a, b


def text_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Chinese character (or a full-width bracket) takes
    two, so a plain-text table in Chinese lines up."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (on the left with ``right``);
    for ASCII the same as ``f"{text:<{width}}"`` / ``f"{text:>{width}}"``."""
    text = str(text)
    gap = " " * max(0, width - text_width(text))
    return gap + text if right else text + gap


def clip(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` terminal columns (``text[:width]`` for ASCII)."""
    text = str(text)
    while text_width(text) > width:
        text = text[:-1]
    return text


def interval(lo: Any, hi: Any, fmt: Any = num) -> str:
    """``[lo, hi]`` with each bound formatted by ``fmt``; an en dash when a bound is missing."""
    if not (finite(lo) and finite(hi)):
        return NA
    return f"[{fmt(lo)}, {fmt(hi)}]"


def change(outcome: str, diff: Any, lo: Any, hi: Any, base: Any, lang: str = "en") -> str:
    """A paired change with its interval, both in per cent of the baseline when the baseline is
    not zero, else in the outcome's unit: ``+1.2% [+0.4%, +2.0%]``."""
    if not finite(diff):
        return NA
    if finite(base) and abs(float(base)) > 1e-12:
        b = abs(float(base))
        return f"{pct(float(diff) / b, ratio=True)} {interval(_r(lo, b), _r(hi, b), lambda x: pct(x, ratio=True))}"
    return (f"{value(outcome, diff, lang, sign=True, bound=True)} "
            f"{interval(lo, hi, lambda x: value(outcome, x, lang, sign=True, unit=False, bound=True))}")


def _r(x: Any, b: float) -> Any:
    return float(x) / b if finite(x) else float("nan")


def axis_formatter(scale: float = 1.0, percent: bool = False) -> Any:
    """A matplotlib tick formatter for plain numbers (no offset, no 1e3 and no 10^k) whose labels
    on one axis are always distinct: when the usual precision would print two ticks alike (an R&D
    intensity axis 2.3%, 2.4%, 2.4%, 2.5% for ticks 0.05 apart), every label gets the decimals
    that tell them apart (2.35%, 2.40%, 2.45%)."""
    from matplotlib.ticker import Formatter

    def usual(x: float) -> str:
        if percent:
            return f"{x:,.0f}%" if abs(x) >= 10 or x == 0 else f"{x:,.1f}%" if abs(x) >= 1 else f"{x:,.2f}%"
        if abs(x) >= 1000 or abs(x - round(x)) < 1e-9 * max(1.0, abs(x)):
            return f"{x:,.0f}"
        return num(x, digits=2)

    class PlainFormatter(Formatter):
        decimals: int | None = None  # None: the usual precision tells the ticks apart

        def set_locs(self, locs: Any) -> None:
            super().set_locs(locs)
            xs = [float(x) * scale for x in locs if math.isfinite(float(x))]
            self.decimals = None
            if len({usual(x) for x in xs}) == len(set(xs)):
                return
            for d in range(1, 7):
                if len({f"{x:,.{d}f}" for x in xs}) == len(set(xs)):
                    self.decimals = d
                    return
            self.decimals = 6

        def __call__(self, x: float, pos: Any = None) -> str:
            x = x * scale
            if self.decimals is None:
                return usual(x)
            return f"{x:,.{self.decimals}f}" + ("%" if percent else "")

    return PlainFormatter()


def plain_axes(ax: Any, y: bool = True, x: bool = False, percent: bool = False) -> None:
    """Turn off matplotlib's offset and scientific tick labels on an axis (log axes get plain
    numbers too: 10, 100, 1,000 instead of 10¹, 10², 10³)."""
    if y:
        ax.yaxis.set_major_formatter(axis_formatter(percent=percent))
        if ax.get_yscale() == "log":
            ax.yaxis.set_minor_formatter(_minor_log())
    if x:
        ax.xaxis.set_major_formatter(axis_formatter(percent=percent))
        if ax.get_xscale() == "log":
            ax.xaxis.set_minor_formatter(_minor_log())


def _minor_log() -> Any:
    """Minor log ticks labelled only at 2x and 5x, so a short log axis still shows numbers."""
    from matplotlib.ticker import FuncFormatter

    def f(x: float, _pos: Any = None) -> str:
        if x <= 0:
            return ""
        m = x / 10 ** math.floor(math.log10(x) + 1e-9)
        if not (round(m) in (2, 5) and abs(m - round(m)) < 1e-6):
            return ""
        return f"{round(x):,d}" if x >= 1 else num(x, digits=2)  # 20 and 500, never 20.0; 0.2, 0.05

    return FuncFormatter(f)
