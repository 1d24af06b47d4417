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
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.analysis.attribution import KEPT_OUTCOMES, PackageStudy, package_study  # noqa: E402
from sim.analysis.compare import outcome_unit  # noqa: E402
from sim.core.errors import InputError, unknown_name  # noqa: E402
from sim.present.labels import fmt_number, label, setup_fonts  # noqa: E402
from sim.scenario.packages import Package  # noqa: E402
from sim.present.plots import PALETTE  # noqa: E402
from sim.experiments.study import DesignSpec, Study  # noqa: E402
from sim.experiments.sweep import PACKAGE_FACTOR  # noqa: E402

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


def regret_chart(r: pd.DataFrame, table: pd.DataFrame, outcome: str, year: int, path: Path,
                 target: Condition | None = None, lang: str = "en") -> Path:
    """Regret of each package across futures (dots, box, max and p90 marked); satisficing bars."""
    setup_fonts(lang)
    zh = lang == "zh"
    pkgs = list(table["package"])
    ncol = 2 if target is not None else 1
    fig, axes = plt.subplots(1, ncol, figsize=(6.5 * ncol + 1, 0.6 * len(pkgs) + 3), squeeze=False,
                             constrained_layout=True)
    ax = axes[0, 0]
    rng = np.random.default_rng(0)  # jitter only
    for k, p in enumerate(pkgs):
        s = r[r[PACKAGE_FACTOR] == p]["regret"].to_numpy()
        y = len(pkgs) - 1 - k
        q1, med, q3 = np.percentile(s, [25, 50, 75])
        ax.plot([s.min(), s.max()], [y, y], color="grey", lw=1, zorder=1)
        ax.plot([q1, q3], [y, y], color="grey", lw=8, alpha=0.5, solid_capstyle="butt", zorder=2)
        ax.plot([med, med], [y - 0.25, y + 0.25], color="black", lw=1.5, zorder=2)
        ax.scatter(s, y + rng.uniform(-0.18, 0.18, len(s)), s=12, color=PALETTE[(2 * k) % len(PALETTE)], alpha=0.7,
                   zorder=3)
        row = table[table["package"] == p].iloc[0]
        ax.scatter([row["max_regret"]], [y], marker="|", s=300, color="#c1121f", zorder=4)
        q = [c for c in table.columns if c.startswith("p") and c.endswith("_regret")][0]
        ax.scatter([row[q]], [y], marker="|", s=200, color="#f4a261", zorder=4)
    ax.set_yticks(range(len(pkgs)), pkgs[::-1])
    ax.set_xlabel(("遗憾值：与该情景下最佳方案的差距（" if zh else
                   "regret: loss against the best package in the future (")
                  + f"{label(outcome, lang)})")
    ax.set_title(("各方案在各未来情景下的遗憾值（红线=最大，橙线=90分位）" if zh else
                  f"Regret across {r['future'].nunique()} futures, {year} (red: max, orange: 90th percentile)"),
                 fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    if target is not None:
        ax2 = axes[0, 1]
        ax2.barh(range(len(pkgs)), table["satisficing"].to_numpy()[::-1] * 100, color="#2a9d8f")
        ax2.set_yticks(range(len(pkgs)), pkgs[::-1])
        ax2.set_xlim(0, 100)
        ax2.set_xlabel("达标情景占比（%）" if zh else "% of futures meeting the target")
        ax2.set_title((f"达标：{target}（{year}年）" if zh else f"Satisficing: {target} in {year}"), fontsize=10)
        ax2.grid(axis="x", alpha=0.3)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _n(v: float) -> str:
    return fmt_number(v)


def summary_markdown(table: pd.DataFrame, *, study: str, outcome: str, year: int, n_futures: int, seeds: int,
                     uncertainties: list[str], target: Condition | None, maximise: bool) -> str:
    unit = outcome_unit(outcome)
    q = [c for c in table.columns if c.startswith("p") and c.endswith("_regret")][0]
    lines = [f"# Robustness — {outcome} in {year}, study {study}", "",
             f"{n_futures} futures (Latin hypercube of {', '.join(uncertainties)}), {seeds} seeds each; every package "
             f"in every future on the same seeds. {'More' if maximise else 'Less'} {outcome} is better; regret = loss "
             f"against the best package in the same future ({unit}).", ""]
    top = table.iloc[0]
    lines.append(f"Least regret: `{top['package']}` (max regret {_n(top['max_regret'])}, {q.replace('_', ' ')} "
                 f"{_n(top[q])}; best in {int(top['best_in'])} of {n_futures} futures).")
    if target is not None:
        s = table.sort_values("rank_satisficing").iloc[0]
        lines.append(f"Most often meets `{target}`: `{s['package']}` in {100 * s['satisficing']:.0f}% of futures.")
    lines += ["", "| rank | package | mean | worst | max regret | " + q.replace("_", " ") + " | mean regret | best in |"
              + (" satisficing |" if target is not None else ""),
              "|---:|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if target is not None else "")]
    for r in table.itertuples():
        d = r._asdict()
        lines.append(f"| {r.rank_regret} | {r.package} | {_n(r.mean_value)} | {_n(r.worst_value)} | "
                     f"{_n(r.max_regret)} | {_n(d[q])} | {_n(r.mean_regret)} | {r.best_in} |"
                     + (f" {100 * r.satisficing:.0f}% |" if target is not None else ""))
    return "\n".join(lines) + "\n"


def report_items(folder: Path, manifest: dict[str, Any], lang: str) -> list[tuple[str, Any]]:
    """Sections for ``zonesim report``: (heading, text | table | picture path)."""
    from sim.experiments.results import folder_items

    return folder_items(folder, lang, ("| rank", "稳健性摘要", "Robustness"),
                        [("ranking.csv", "方案排名", "Ranking"), ("regret.png", "遗憾值", "Regret")])
