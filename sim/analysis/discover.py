"""Scenario discovery: under which uncertainties and levers does an outcome fail? (PRIM boxes)

Reads a finished study store — a ``zonesim sweep`` folder, or the ``runs/`` of a ``robust`` or
``attribute`` folder — takes one row per run (region or one zone, at one year), marks the runs
where a condition such as ``output < 1200`` holds, and hands the factors (uncertainties and
levers; text factors as categories) and that mark to the Patient Rule Induction Method of EMA
Workbench (``ema_workbench.analysis.prim``, the optional extra ``zonesim[discovery]``).

PRIM peels the factor space down to a box of runs where the condition is frequent. A box has
*coverage* (share of all failing runs that fall in the box) and *density* (share of the runs
in the box that fail); the peeling trajectory trades one for the other. The box reported for
each search is, among the steps whose density reaches ``threshold``, the one with the best
balance of the two (largest harmonic mean of coverage and density; fewer restricted factors on
a tie); further boxes are searched among the runs the earlier boxes left out.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.robust import Condition
from sim.core.errors import InputError
from sim.experiments.store import Store

KEYS = ("run", "point", "replicate", "seed", "step", "year", "zone")
MAX_QP = 0.05  # restrictions with a larger quasi-p value are reported as not significant


def load_prim() -> Any:
    """EMA Workbench's prim module, or one clear line on how to install it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError as exc:
        raise InputError("ema_workbench", None, f"scenario discovery needs EMA Workbench ({exc}); "
                                                "pip install 'zonesim[discovery]'") from None
    return prim


def open_results(path: str | Path) -> Store:
    """The study store in ``path`` (a sweep folder) or in ``path/runs`` (robust/attribute)."""
    path = Path(path)
    if (path / "runs" / "manifest.json").is_file() and not (path / "design.parquet").is_file():
        path = path / "runs"
    if not (path / "manifest.json").is_file():
        raise InputError(path, None, "not a results folder of a study (no manifest.json); give the folder "
                                     "written by zonesim sweep, robust or attribute")
    return Store.open(path)


def cases(store: Store, cond: Condition, year: int | None = None, zone: str = "region") -> tuple[
        pd.DataFrame, np.ndarray, int]:
    """(factors per run, failure mark per run, year) from a finished store."""
    factors = list(store.info.get("factors") or [])
    df = store.load()
    if cond.outcome not in df.columns:
        kept = [c for c in df.columns if c not in KEYS and c not in factors]
        from sim.core.errors import unknown_name
        raise unknown_name(store.path, "--where", cond.outcome, kept, "outcome kept by this study")
    zones = sorted(set(df["zone"]))
    if zone not in zones:
        from sim.core.errors import unknown_name
        raise unknown_name(store.path, "--zone", zone, zones, "zone kept by this study")
    years = sorted(set(int(y) for y in df["year"]))
    year = year if year is not None else years[-1]
    if year not in years:
        raise InputError(store.path, "--year", f"year {year} is not kept (kept: {', '.join(map(str, years))})")
    sub = df[(df["zone"] == zone) & (df["year"] == year)].sort_values("run").reset_index(drop=True)
    x = sub[factors].copy()
    for c in factors:
        if pd.api.types.is_bool_dtype(x[c]) or not pd.api.types.is_numeric_dtype(x[c]):
            x[c] = pd.Categorical(x[c].astype(str))
        elif pd.api.types.is_integer_dtype(x[c]):
            # EMA Workbench 2.5's discrete peel writes half-way limits into int columns, which
            # pandas 2 refuses; whole-number factors are peeled as real ones instead
            x[c] = x[c].astype(np.float64)
    varying = [c for c in factors if x[c].nunique() > 1]
    if not varying:
        raise InputError(store.path, None, "no factor varies across the runs; nothing to discover")
    y = cond.test(sub[cond.outcome].to_numpy())
    return x[varying], y, year


@dataclass
class Discovery:
    boxes: pd.DataFrame        # one row per box: stats and a readable rule
    limits: pd.DataFrame       # one row per box x restricted factor
    trajectory: pd.DataFrame   # every box's peeling trajectory, with the chosen step marked
    base_rate: float
    n: int


def discover(x: pd.DataFrame, y: np.ndarray, *, threshold: float = 0.8, max_boxes: int = 2,
             peel_alpha: float = 0.05, mass_min: float = 0.05) -> Discovery:
    """PRIM boxes for ``y`` over ``x`` (EMA Workbench)."""
    prim = load_prim()
    y = np.asarray(y, dtype=bool)
    if y.sum() == 0:
        raise InputError("--where", None, "the condition holds in no run; nothing to discover")
    if y.all():
        raise InputError("--where", None, "the condition holds in every run; nothing to discover")
    import logging
    logging.getLogger("EMA").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = prim.Prim(x, y, threshold=threshold, peel_alpha=peel_alpha, mass_min=mass_min)
        box_rows, limit_rows, trajs = [], [], []
        remaining = np.ones(len(y), dtype=bool)  # PRIM looks for each next box among the runs left
        for b in range(max_boxes):
            box = p.find_box()
            if box is None:
                break
            tr = box.peeling_trajectory.copy()
            ok = tr[tr["density"] >= threshold]
            if ok.empty:  # keep the attempt: how dense did it get?
                trajs.append(tr.assign(box=b + 1, chosen=False))
                break
            f1 = 2 * ok["coverage"] * ok["density"] / (ok["coverage"] + ok["density"])
            best = ok.assign(f1=f1).sort_values(["f1", "res_dim"], ascending=[False, True]).index[0]
            i = int(tr.loc[best, "id"])
            box.select(i)
            lims = box.box_lims[i]
            qp = quasi_p(x, y, remaining, lims)
            remaining &= ~_in_box(x, lims)
            tr["box"] = b + 1
            tr["chosen"] = tr["id"] == i
            trajs.append(tr)
            rules, strong = [], []
            for c in x.columns:
                lo_all, hi_all = _full_limits(x[c])
                lo, hi = lims[c].iloc[0], lims[c].iloc[1]
                if isinstance(x[c].dtype, pd.CategoricalDtype):
                    kept = sorted(map(str, lo)) if isinstance(lo, (set, frozenset)) else []
                    if set(kept) == set(map(str, x[c].cat.categories)):
                        continue
                    rules.append(f"{c} in {{{', '.join(kept)}}}")
                    if qp.get(c, 1.0) <= MAX_QP:
                        strong.append(rules[-1])
                    limit_rows.append({"box": b + 1, "factor": c, "kind": "values", "lower": np.nan, "upper": np.nan,
                                       "min": np.nan, "max": np.nan, "values": ", ".join(kept),
                                       "qp": qp.get(c, np.nan)})
                else:
                    lo, hi = float(lo), float(hi)
                    if lo <= lo_all and hi >= hi_all:
                        continue
                    part = [f"{c} >= {lo:.4g}" if lo > lo_all else "", f"{c} <= {hi:.4g}" if hi < hi_all else ""]
                    rules.append(" and ".join(s for s in part if s))
                    if qp.get(c, 1.0) <= MAX_QP:
                        strong.append(rules[-1])
                    limit_rows.append({"box": b + 1, "factor": c, "kind": "range", "lower": lo, "upper": hi,
                                       "min": lo_all, "max": hi_all, "values": "", "qp": qp.get(c, np.nan)})
            row = tr.loc[best]
            box_rows.append({"box": b + 1, "coverage": float(row["coverage"]), "density": float(row["density"]),
                             "mass": float(row["mass"]), "runs_in_box": int(row["n"]),
                             "failing_in_box": int(row["k"]), "restricted": int(row["res_dim"]),
                             "rule": " and ".join(rules) or "(whole space)",
                             "significant_rule": " and ".join(strong) or "(none)"})
    cols = ["box", "factor", "kind", "lower", "upper", "min", "max", "values", "qp"]
    return Discovery(pd.DataFrame(box_rows, columns=["box", "coverage", "density", "mass", "runs_in_box",
                                                      "failing_in_box", "restricted", "rule", "significant_rule"]),
                     pd.DataFrame(limit_rows, columns=cols),
                     pd.concat(trajs, ignore_index=True) if trajs else pd.DataFrame(),
                     float(y.mean()), int(len(y)))


def _full_limits(col: pd.Series) -> tuple[float, float]:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return np.nan, np.nan
    return float(col.min()), float(col.max())


def _in_box(x: pd.DataFrame, lims: pd.DataFrame, skip: str | None = None) -> np.ndarray:
    """Runs inside the box limits (``lims``: EMA's two-row frame, lower then upper or the kept
    values of a categorical factor), ignoring the restriction on ``skip``."""
    inside = np.ones(len(x), dtype=bool)
    for c in x.columns:
        if c == skip:
            continue
        lo, hi = lims[c].iloc[0], lims[c].iloc[1]
        if isinstance(x[c].dtype, pd.CategoricalDtype):
            inside &= x[c].astype(str).isin({str(v) for v in lo}).to_numpy()
        else:
            inside &= ((x[c] >= lo) & (x[c] <= hi)).to_numpy()
    return inside


def quasi_p(x: pd.DataFrame, y: np.ndarray, remaining: np.ndarray, lims: pd.DataFrame) -> dict[str, float]:
    """Quasi-p value of each restriction of a box, as EMA Workbench defines it (Bryant & Lempert
    2010): the chance of at least the box's failing runs among its runs if the restriction were
    dropped (binomial, one-sided, at the failure rate of the box without that restriction), among
    the runs left for this box. Computed here for numeric and categorical factors alike (EMA's
    own ``inspect`` fails on categorical restrictions); one value per factor of ``x``."""
    from scipy.stats import binom

    inside = remaining & _in_box(x, lims)
    n, k = int(inside.sum()), int(y[inside].sum())
    out: dict[str, float] = {}
    for c in x.columns:  # the caller keeps the factors the box restricts
        without = remaining & _in_box(x, lims, skip=c)
        rate = float(y[without].mean()) if without.any() else 0.0
        out[str(c)] = float(binom.sf(k - 1, n, rate))
    return out
