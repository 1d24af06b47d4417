"""Global sensitivity from a finished study store, with SALib (no hand-written estimators).

* Morris (elementary effects): mu*, sigma (and mu, mu* confidence interval) per factor.
* Sobol (Saltelli sampling): S1 and ST with bootstrap confidence intervals per factor.

The model output of a design point is the mean over its seeds of one outcome, in one year, for
the region (or one zone if the study kept zones). The sample matrix is regenerated from the
resolved study (it is deterministic) and checked against the stored design. Convergence: the
study samples 2N when ``design.convergence`` is on; Morris trajectories and Saltelli blocks
are extensible, so the first N of them are themselves a valid design and the indices at N and
2N are both computed from the same runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.core.errors import InputError
from sim.experiments.store import Store
from sim.experiments.study import SENSITIVITY_METHODS, Study

MORRIS_COLUMNS = ("mu_star", "mu_star_conf", "sigma", "mu")
SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")


def require_method(study: Study) -> None:
    if study.method not in SENSITIVITY_METHODS:
        raise InputError(study.source, "design.method", f"sensitivity needs method morris or sobol (got "
                                                        f"'{study.method}'); use 'zonesim sweep' for this study")


def outputs(store: Store, study: Study, outcome: str, year: int, zone: str = "region") -> np.ndarray:
    """Y: one value per design point (mean over seeds), in point order."""
    df = store.load(columns=["point", "year", "zone", outcome])
    sub = df[(df["year"] == year) & (df["zone"] == zone)]
    if sub.empty:
        raise InputError(store.path, "--year/--zone", f"no rows for year {year}, zone '{zone}' in the study "
                                                      "(check the study's outcomes: years and zones)")
    y = sub.groupby("point", sort=True)[outcome].mean()
    n = int(store.info["n_points"])
    if len(y) != n or not np.array_equal(y.index.to_numpy(), np.arange(n)):
        raise InputError(store.path, None, "the store does not hold every design point; finish it with --resume")
    return y.to_numpy(dtype=float)


def _rows_per_block(study: Study) -> int:
    d = len(study.varying)
    if study.method == "morris":
        return d + 1
    return 2 * d + 2 if study.spec.design.second_order else d + 2


def indices(study: Study, x: np.ndarray, y: np.ndarray, n: int, *, resamples: int = 100,
            conf_level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """SALib indices from the first ``n`` trajectories / Saltelli blocks of (x, y)."""
    rows = n * _rows_per_block(study)
    x, y = x[:rows], y[:rows]
    problem = study.problem()
    if study.method == "morris":
        import warnings

        from SALib.analyze import morris
        with warnings.catch_warnings():  # one trajectory: sigma is undefined (NaN), not an error
            warnings.filterwarnings("ignore", category=RuntimeWarning)
            res = morris.analyze(problem, x, y, num_resamples=resamples, conf_level=conf_level,
                                 num_levels=study.spec.design.levels, seed=seed)
        cols = {c: np.asarray(res[c], dtype=float) for c in MORRIS_COLUMNS}
    else:
        from SALib.analyze import sobol
        res = sobol.analyze(problem, y, calc_second_order=study.spec.design.second_order,
                            num_resamples=resamples, conf_level=conf_level, seed=seed)
        cols = {c: np.asarray(res[c], dtype=float) for c in SOBOL_COLUMNS}
    groups = {f.name: f.group for f in study.factors}
    out = pd.DataFrame({"factor": problem["names"], "group": [groups[n_] for n_ in problem["names"]], **cols})
    out.insert(0, "N", n)
    return out


def analyze(study: Study, store: Store, outcomes: list[str] | None = None, years: list[int] | None = None,
            zone: str = "region", *, resamples: int = 100, conf_level: float = 0.95,
            seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(indices, convergence) for every outcome x year: indices at the full sample (and at half of
    it when the study has a convergence check); convergence compares the two."""
    require_method(study)
    x = study.sample()
    design = store.design().drop_duplicates("point").sort_values("point")
    if len(design) != len(x):
        raise InputError(store.path, None, "the stored design does not match the study's sample")
    for j, f in enumerate(study.varying):
        if design[f.name].tolist() != [f.decode(v) for v in x[:, j]]:
            raise InputError(store.path, f.name, "the stored design does not match the study's sample")
    outcomes = outcomes or list(study.spec.outcomes.names)
    years = years or [study.world.start_year + study.outcome_steps()[-1]]
    n_full = study.sample_size()
    ns = [n_full // 2, n_full] if study.spec.design.convergence else [n_full]
    tables = []
    for outcome in outcomes:
        for year in years:
            y = outputs(store, study, outcome, year, zone)
            for n in ns:
                t = indices(study, x, y, n, resamples=resamples, conf_level=conf_level, seed=seed)
                t.insert(0, "zone", zone)
                t.insert(0, "year", year)
                t.insert(0, "outcome", outcome)
                t.insert(0, "method", study.method)
                tables.append(t)
    idx = pd.concat(tables, ignore_index=True)
    return idx, convergence(idx, study.method)


def convergence(idx: pd.DataFrame, method: str) -> pd.DataFrame:
    """Per outcome x year x factor: the main indices at N and 2N, their change, and whether the
    change lies within the 2N confidence interval."""
    keys = ["outcome", "year", "zone", "factor"]
    ns = sorted(idx["N"].unique())
    if len(ns) < 2:
        return pd.DataFrame(columns=keys)
    lo, hi = ns[0], ns[-1]
    names = ("mu_star", "sigma") if method == "morris" else ("S1", "ST")
    a = idx[idx["N"] == lo].set_index(keys)
    b = idx[idx["N"] == hi].set_index(keys)
    out = pd.DataFrame(index=b.index)
    for c in names:
        out[f"{c}_N{lo}"] = a[c]
        out[f"{c}_N{hi}"] = b[c]
        out[f"{c}_change"] = (b[c] - a[c]).abs()
    conf = "mu_star_conf" if method == "morris" else "ST_conf"
    main = names[0] if method == "morris" else "ST"
    out["within_ci"] = out[f"{main}_change"] <= b[conf]
    return out.reset_index()
