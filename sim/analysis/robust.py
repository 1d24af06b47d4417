"""Robustness: which package holds up across futures nobody can predict (robust decision making).

A study declares the uncertainties; their Latin hypercube gives N *futures*. Every package runs
in every future on the same seeds (common futures, common random numbers) as one study (a
:class:`~sim.analysis.attribution.PackageStudy` over the table futures x packages), so it runs on the
local pool or a Dask cluster and resumes like any sweep.

In each future a package's value is the mean over seeds of the outcome at the chosen year. Its
*regret* there is the loss against the best package in that future (``best - value`` when more
is better, ``value - best`` when less is better); packages are ranked by their largest regret
(minimax regret), with the 90th percentile and the mean beside it. *Satisficing*: the share of
futures in which the package meets a stated target such as ``output >= 1500``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.attribution import KEPT_OUTCOMES, PackageStudy, package_study
from sim.core.errors import InputError, unknown_name
from sim.experiments.study import DesignSpec, Study
from sim.experiments.sweep import PACKAGE_FACTOR
from sim.scenario.packages import Package

DEFAULT_FUTURES = 20
OPS = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less}
_COND = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|>|<)\s*([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Condition:
    """``OUTCOME OP VALUE``, e.g. ``output >= 1500`` (a target) or ``output < 1200`` (a failure)."""

    outcome: str
    op: str
    value: float

    def test(self, x: Any) -> np.ndarray:
        return OPS[self.op](np.asarray(x, dtype=float), self.value)

    def __str__(self) -> str:
        return f"{self.outcome} {self.op} {self.value:g}"


def parse_condition(text: str, field: str, allowed: tuple[str, ...] | list[str]) -> Condition:
    """Parse ``OUTCOME OP VALUE``; one-line errors name ``field`` and the allowed outcomes."""
    m = _COND.match(text or "")
    if not m:
        raise InputError(field, None, f"expected 'OUTCOME OP VALUE' with OP one of >=, >, <=, < "
                                      f"(e.g. \"output >= 1500\"), got {text!r}")
    name, op, value = m.group(1), m.group(2), float(m.group(3))
    if name not in allowed:
        raise unknown_name(field, None, name, allowed, "outcome")
    return Condition(name, op, value)


# ------------------------------------------------------------------------------------------
# the study: futures x packages
# ------------------------------------------------------------------------------------------
def futures(study: Study, n: int | None = None) -> pd.DataFrame:
    """A Latin hypercube of the study's uncertainties (``future`` + one column each); ``n``
    defaults to the study's own LHS size, else 20; the sampler seed is the study's."""
    if not any(f.group == "uncertainty" for f in study.factors):
        raise InputError(study.source, "uncertainties", "robustness needs a study that declares uncertainties")
    d = study.spec.design
    size = n or (d.samples if d.method == "latin_hypercube" else None) or DEFAULT_FUTURES
    spec = study.spec.model_copy(update={"over": "uncertainties",
                                         "design": DesignSpec(method="latin_hypercube", samples=size, seed=d.seed)})
    pts = dataclasses.replace(study, spec=spec).points()
    return pts.rename(columns={"point": "future"})


def robust_study(study: Study, packages: list[Package], n_futures: int | None, year: int) -> tuple[PackageStudy,
                                                                                                   pd.DataFrame]:
    """The futures x packages study (future-major: point = future * len(packages) + package)."""
    names = [p.name for p in packages]
    if len(set(names)) != len(names):
        raise InputError("PACKAGE", None, f"a package is named twice: {names}")
    if len(packages) < 2:
        raise InputError("PACKAGE", None, "name at least two packages to rank")
    fut = futures(study, n_futures)
    unc = [f for f in study.factors if f.group == "uncertainty"]
    rows = [{PACKAGE_FACTOR: p, **{f.name: r[f.name] for f in unc}} for r in fut.to_dict("records") for p in names]
    table = pd.DataFrame(rows, columns=[PACKAGE_FACTOR, *[f.name for f in unc]])
    years = year - study.world.start_year
    if years < 1:
        raise InputError("--year", None, f"year {year} is not after the world's start year {study.world.start_year}")
    outcomes = tuple(dict.fromkeys([*KEPT_OUTCOMES, *study.spec.outcomes.names]))
    ps = package_study(f"robust-{study.name}", "robustness", study.world, study.package, packages, years,
                       study.spec.seeds, study.spec.base_seed, year, uncertainties=tuple(unc),
                       uncertainty_specs=dict(study.spec.uncertainties), table=table, outcomes=outcomes)
    return ps, fut


def future_values(df: pd.DataFrame, n_packages: int, outcome: str) -> pd.DataFrame:
    """Region rows at one year -> one row per (future, package): mean and sd over seeds."""
    d = df.assign(future=df["point"] // n_packages)
    g = d.groupby(["future", PACKAGE_FACTOR], sort=True)[outcome]
    return g.agg(value="mean", sd="std", seeds="size").reset_index()


# ------------------------------------------------------------------------------------------
# regret and satisficing
# ------------------------------------------------------------------------------------------
def regret(values: pd.DataFrame, maximise: bool = True) -> pd.DataFrame:
    """Add ``best`` (the best package's value in the future) and ``regret`` (>= 0)."""
    best = values.groupby("future")["value"].transform("max" if maximise else "min")
    out = values.assign(best=best)
    out["regret"] = (out["best"] - out["value"]) if maximise else (out["value"] - out["best"])
    out["relative_regret"] = out["regret"] / out["best"].abs().where(out["best"].abs() > 1e-12, np.nan)
    return out


def rank(values: pd.DataFrame, packages: list[str], target: Condition | None = None,
         target_values: pd.DataFrame | None = None, maximise: bool = True, quantile: float = 0.9) -> pd.DataFrame:
    """One row per package: value spread, max / p90 / mean regret, satisficing share, ranks."""
    r = regret(values, maximise)
    rows = []
    for p in packages:
        s = r[r[PACKAGE_FACTOR] == p]
        row = {"package": p, "futures": len(s), "mean_value": s["value"].mean(),
               "worst_value": s["value"].min() if maximise else s["value"].max(),
               "best_in": int((s["regret"] <= 1e-12).sum()),
               "max_regret": s["regret"].max(), f"p{int(100 * quantile)}_regret": s["regret"].quantile(quantile),
               "mean_regret": s["regret"].mean(), "max_relative_regret": s["relative_regret"].max()}
        if target is not None:
            t = target_values[target_values[PACKAGE_FACTOR] == p]
            row["satisficing"] = float(target.test(t["value"]).mean())
        rows.append(row)
    out = pd.DataFrame(rows)
    q = f"p{int(100 * quantile)}_regret"
    out["rank_regret"] = out[["max_regret", q]].apply(tuple, axis=1).rank(method="min").astype(int)
    if target is not None:
        out["rank_satisficing"] = (-out["satisficing"]).rank(method="min").astype(int)
    return out.sort_values(["rank_regret", "package"]).reset_index(drop=True)
