"""Validation pictures: each target against the model's seeds, the firm-size distribution, and
the policy-response checks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.present.charts.common import finish, new_figure
from sim.present.format import PER_CENT, is_rate, num, plain_axes
from sim.present.i18n import tr


def check_result(ok: Any, seeds: int = 1) -> str:
    """'pass', 'DISAGREES', 'inconclusive' (a sign check within noise) or 'not checked'."""
    if ok is None or (isinstance(ok, float) and np.isnan(ok)):
        return "inconclusive" if seeds else "not checked"
    return "pass" if ok else "DISAGREES"


def validation_chart(table: pd.DataFrame, stats: pd.DataFrame, lang: str = "en") -> Figure:
    """One panel per target: seeds' values (dots), their mean (bar), the accepted interval (band);
    a target no seed gave a value for is titled 'not assessed', not 'FAIL'."""
    from sim.analysis.validate import status_of
    from sim.core.units import yi_from_bn
    from sim.present.i18n import VALIDATION_STATS_ZH

    n = len(table)
    cols = 5
    rows = int(np.ceil(n / cols))
    fig = new_figure((3.3 * cols, 2.6 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, r in zip(axes.flat, table.to_dict("records")):
        # Chinese: CNY bn in 亿元 (x 10), as the panel's title says
        k = yi_from_bn(1.0) if lang == "zh" and str(r.get("unit")) in ("CNY bn/yr", "CNY bn") else 1.0
        rate = is_rate(r.get("unit"))  # a rate or a share: drawn and labelled in per cent
        k = PER_CENT if rate else k
        v = k * stats[r["key"]].to_numpy(float)
        lo, hi = k * r["lo"], k * r["hi"]
        span = max(hi - lo, abs(hi) * 0.05, 1e-3) if np.isfinite(hi - lo) else 1.0
        ax.axhspan(lo, hi if hi > lo else lo + 1e-9, color="tab:green", alpha=0.2, lw=0)
        if hi == lo:
            ax.axhline(lo, color="tab:green", lw=2)
        x = np.random.default_rng(0).uniform(-0.15, 0.15, v.size)
        ax.scatter(x, v, s=10, color="0.3", alpha=0.7)
        ok = v[np.isfinite(v)]
        status = r.get("status") if isinstance(r.get("status"), str) else status_of(r["pass"])
        if ok.size:
            ax.hlines(ok.mean(), -0.3, 0.3, color="tab:green" if status == "pass" else "tab:red", lw=3)
        else:  # no seed gave a value (e.g. a statistic that needs more years than were run): not assessed
            ax.text(0.5, 0.5, tr("no_value", lang), transform=ax.transAxes, ha="center", va="center", color="0.4")
        ends = [x for x in (lo, hi) if np.isfinite(x)] + ([ok.min(), ok.max()] if ok.size else [])
        if ends:
            ax.set_ylim(min(ends) - 0.3 * span, max(ends) + 0.3 * span)
        ax.set_xlim(-0.5, 0.5)
        ax.set_xticks([])
        colon = "：" if lang == "zh" else ": "
        prefix = {"pass": "", "fail": tr("fail", lang) + colon}.get(status, tr("va.na", lang) + colon)
        name = VALIDATION_STATS_ZH.get(str(r.get("key")), r["statistic"]) if lang == "zh" else r["statistic"]
        ax.set_title(prefix + name, fontsize=7.5, wrap=True)
        ax.tick_params(labelsize=7)
        plain_axes(ax, percent=rate)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle(tr("validation_title", lang), fontsize=11)
    return finish(fig, lang)


def firm_size_chart(first_employees: np.ndarray, last_employees: np.ndarray, hill: Any, lang: str = "en") -> Figure:
    """Complementary CDF of firm employment at year 0 and at the last year, log-log, with a Zipf
    slope for reference; ``hill`` estimates the tail exponent of an array."""
    fig = new_figure((6.5, 5))
    ax = fig.subplots()
    for emp, key, color in ((first_employees, "year0", "tab:blue"), (last_employees, "last_year", "tab:orange")):
        x = np.sort(emp)[::-1]
        ccdf = np.arange(1, x.size + 1) / x.size
        ax.loglog(x, ccdf, color=color, lw=1.5, label=f"{tr(key, lang)} (Hill {num(hill(x), digits=3)})")
    x0 = np.median(last_employees) * 3
    xs = np.logspace(np.log10(x0), np.log10(last_employees.max()), 20)
    ax.loglog(xs, 0.2 * (xs / x0) ** -1.0, "k--", lw=1, label=tr("zipf", lang))
    ax.set_xlabel(tr("employees_axis", lang))
    ax.set_ylabel(tr("ccdf_axis", lang))
    ax.set_title(tr("firm_sizes", lang))
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    plain_axes(ax, x=True)
    return finish(fig, lang)


def claim_text(key: Any, claim: str, lang: str = "en", width: int = 45) -> str:
    """A policy claim as a tick label: in Chinese by its key, in English as written, wrapped
    onto lines (it was cut at 60 characters: '… the second tranche adds les')."""
    import textwrap

    from sim.present.i18n import VALIDATION_CLAIMS_ZH

    if lang == "zh" and str(key) in VALIDATION_CLAIMS_ZH:
        return "\n".join(textwrap.wrap(VALIDATION_CLAIMS_ZH[str(key)][0], 22))
    return "\n".join(textwrap.wrap(str(claim), width))


def policy_chart(policy: pd.DataFrame, lang: str = "en") -> Figure:
    p = policy[policy["seeds"] > 0].reset_index(drop=True)
    fig = new_figure((8, 0.6 * max(len(p), 1) + 1.2))
    ax = fig.subplots()
    y = np.arange(len(p))
    colors = [{"pass": "tab:green", "inconclusive": "tab:gray"}.get(check_result(ok), "tab:red") for ok in p["pass"]]
    ax.errorbar(p["model_mean"], y, xerr=[p["model_mean"] - p["model_p05"], p["model_p95"] - p["model_mean"]],
                fmt="none", ecolor="0.5")
    ax.scatter(p["model_mean"], y, c=colors, zorder=3)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([claim_text(k, c, lang) for k, c in zip(p.get("key", [""] * len(p)), p["claim"])], fontsize=8)
    ax.set_title(tr("policy_title", lang), fontsize=9, wrap=True)  # the English one ran off the figure
    plain_axes(ax, y=False, x=True)
    return finish(fig, lang)
