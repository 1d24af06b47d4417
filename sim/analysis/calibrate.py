"""Calibration by the simulated method of moments (SMM).

Procedure (``zonesim calibrate``; docs/calibration.md):

1. *Free parameters* (:data:`FREE`): the parameters marked "estimate" in ``sim/params.py`` that
   the targets of :mod:`sim.analysis.validate` constrain, each with a plausible range.
2. *Moments* (:data:`MOMENTS`): validation statistics of the firm population. Each target
   interval [lo, hi] of :data:`sim.analysis.validate.TARGETS` gives the moment's target (the midpoint)
   and its scale (the half-width), so the objective

       J(theta) = mean_m ((mean over seeds of m(theta) - target_m) / half_width_m)^2

   is below 1 exactly when every moment lies, on average, inside its accepted interval.
3. *Search*: a Latin-hypercube design over the (normalised) ranges, then Nelder-Mead from the
   best design point. Every evaluation uses the same seeds (common random numbers), so J is a
   smooth-enough deterministic function of theta for the simplex.
4. *Identification*: at the optimum a finite-difference Jacobian of the scaled moments with
   respect to each normalised parameter, for the free parameters and some *probe* parameters
   that are not fitted. A parameter is identified when it moves some moment by at least one
   half-width across its range and its column is not (nearly) collinear with a stronger one.
   Unidentified parameters stay as declared uncertainties for sensitivity studies.
5. The fitted values are written into the world file's ``params:`` block with a comment naming
   this command (``write_world_params``).

The search core (:func:`smm`) is generic: any ``simulate(theta_dict, seeds) -> moments`` works,
which is how the tests check that the objective decreases on a toy problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.stats import qmc

from sim.analysis.validate import BY_KEY, seed_stats, simulate
from sim.experiments.executor import Executor, using
from sim.scenario.world import World


@dataclass(frozen=True)
class FreeParam:
    name: str
    lo: float
    hi: float
    why: str = ""

    def value(self, u: float) -> float:
        return float(self.lo + np.clip(u, 0.0, 1.0) * (self.hi - self.lo))

    def unit(self, v: float) -> float:
        return float((v - self.lo) / (self.hi - self.lo))


FREE: tuple[FreeParam, ...] = (
    FreeParam("exit_base_hazard", 0.01, 0.10, "exit rate"),
    FreeParam("exit_young_hazard", 0.0, 0.25, "exit rate and share of young firms"),
    FreeParam("startup_rate", 1.0, 20.0, "entry rate"),
    FreeParam("growth_noise", 0.10, 0.60, "firm-size tail exponent (growth with exit and entry)"),
    FreeParam("agglomeration_elasticity", 0.0, 0.15, "agglomeration elasticity"),
    FreeParam("growth_drift", -0.04, 0.04, "growth of the zones' output"),
    FreeParam("innovation_rate", 0.01, 0.15, "certified firms at start (IP for certification) and output growth"),
    FreeParam("certification_rate", 0.1, 1.0, "certified firms at start and their growth"),
    FreeParam("entrant_size_mean", 1.5, 12.0, "certified firms and entry (entrants' size)"),
)
# Estimates the same moments could in principle pin down; probed for identification, not fitted.
PROBES: tuple[FreeParam, ...] = (
    FreeParam("outside_arrivals", 100.0, 1500.0, "entry rate (collinear with startup_rate?)"),
    FreeParam("loss_exit_probability", 0.1, 0.8, "exit rate (collinear with exit_base_hazard?)"),
    FreeParam("exit_size_elasticity", 0.0, 0.5, "tail exponent, young share (collinear with growth_noise?)"),
    FreeParam("growth_noise_size_elasticity", 0.05, 0.35, "tail exponent (collinear with growth_noise?)"),
    FreeParam("urbanisation_elasticity", 0.0, 0.10, "agglomeration (collinear with the Marshall elasticity?)"),
)
MOMENTS: tuple[str, ...] = ("exit_rate", "entry_rate", "young_share", "tail_hill", "agglomeration", "output_growth",
                            "firms_growth", "hightech_0", "hightech_4y_ratio")


# -----------------------------------------------------------------------------------------------
# generic SMM core
# -----------------------------------------------------------------------------------------------
@dataclass
class Problem:
    """What to fit: parameters, moment targets and scales, and a simulator of moments."""

    params: Sequence[FreeParam]
    targets: dict[str, float]
    scales: dict[str, float]
    simulate: Callable[[list[dict[str, float]]], list[dict[str, float]]]  # batch: thetas -> moments
    history: list[dict[str, Any]] = field(default_factory=list)

    def theta(self, u: np.ndarray) -> dict[str, float]:
        return {p.name: p.value(x) for p, x in zip(self.params, u)}

    def objective(self, moments: dict[str, float]) -> float:
        z = [(moments[m] - self.targets[m]) / self.scales[m] for m in self.targets]
        z = np.asarray(z, dtype=float)
        return float(np.mean(z**2)) if np.all(np.isfinite(z)) else 1e6

    def evaluate(self, us: Sequence[np.ndarray], stage: str) -> list[float]:
        thetas = [self.theta(u) for u in us]
        moments = self.simulate(thetas)
        out = []
        for th, m in zip(thetas, moments):
            j = self.objective(m)
            self.history.append({"stage": stage, "eval": len(self.history), **th, **m, "objective": j})
            out.append(j)
        return out


def smm(problem: Problem, design: int = 16, iterations: int = 30, seed: int = 0,
        start: dict[str, float] | None = None) -> dict[str, Any]:
    """Evaluate ``start`` (default: mid-range), a Latin-hypercube design, then Nelder-Mead from the
    best point so far (on the normalised cube [0, 1]^d, clipped)."""
    d = len(problem.params)
    lhs = qmc.LatinHypercube(d=d, seed=seed).random(design) if design > 0 else np.empty((0, d))
    start = np.array([p.unit(start[p.name]) if start and p.name in start else 0.5 for p in problem.params])
    points = [start, *lhs]
    values = problem.evaluate(points, "design")
    best = int(np.argmin(values))
    u0 = np.asarray(points[best])
    if iterations > 0:
        res = minimize(lambda u: problem.evaluate([np.clip(u, 0, 1)], "simplex")[0], u0, method="Nelder-Mead",
                       options={"maxfev": iterations, "xatol": 1e-3, "fatol": 1e-4,
                                "initial_simplex": _simplex(u0, 0.15)})
        u_best = np.clip(res.x, 0, 1)
    else:
        u_best = u0
    hist = pd.DataFrame(problem.history)
    i = int(hist["objective"].idxmin())
    row = hist.loc[i]
    theta = {p.name: float(row[p.name]) for p in problem.params}
    return {"theta": theta, "objective": float(row["objective"]), "start_objective": float(values[0]),
            "design_best": float(values[best]), "u": [p.unit(theta[p.name]) for p in problem.params],
            "moments": {m: float(row[m]) for m in problem.targets}, "evaluations": len(hist),
            "simplex_end": u_best.tolist()}


def _simplex(u0: np.ndarray, step: float) -> np.ndarray:
    pts = [u0]
    for k in range(u0.size):
        v = u0.copy()
        v[k] = v[k] + step if v[k] + step <= 1 else v[k] - step
        pts.append(v)
    return np.asarray(pts)


def jacobian(problem: Problem, theta: dict[str, float], probes: Sequence[FreeParam], step: float = 0.1
             ) -> pd.DataFrame:
    """d(scaled moment)/d(normalised parameter) by central differences at ``theta`` (all free
    parameters and ``probes``), one row per parameter."""
    params = list(problem.params) + list(probes)
    base = dict(theta)
    thetas, keys = [], []
    for p in params:
        v = base.get(p.name)
        u = p.unit(v) if v is not None else 0.5
        lo, hi = max(u - step, 0.0), min(u + step, 1.0)
        for side, uu in (("lo", lo), ("hi", hi)):
            thetas.append({**base, p.name: p.value(uu)})
            keys.append((p.name, side, uu))
    moments = problem.simulate(thetas)
    rows = []
    for k in range(0, len(keys), 2):
        name, _, ulo = keys[k]
        _, _, uhi = keys[k + 1]
        mlo, mhi = moments[k], moments[k + 1]
        row = {"parameter": name, "fitted": name in {q.name for q in problem.params}}
        for m in problem.targets:
            row[m] = (mhi[m] - mlo[m]) / problem.scales[m] / max(uhi - ulo, 1e-9)
        rows.append(row)
    return pd.DataFrame(rows)


def identification(jac: pd.DataFrame, moments: Sequence[str], threshold: float = 1.0,
                   collinear: float = 0.95) -> pd.DataFrame:
    """Per parameter: strength (largest |effect| of a full-range move, in moment half-widths), the
    parameter whose column is most collinear with it, and a verdict.

    Fitted parameters are identified when they are strong enough and no stronger fitted parameter
    has a (nearly) collinear column. Probe parameters are not fitted: once the fitted parameters
    use up the moments (as many parameters as moments, order condition) a probe's effect can be
    absorbed by them, so the moments cannot pin it down; it stays a declared uncertainty, and its
    strength says how much it matters for sensitivity studies."""
    J = jac[list(moments)].to_numpy(float)
    fitted = jac["fitted"].to_numpy(bool)
    strength = np.abs(J).max(axis=1)
    norms = np.linalg.norm(J, axis=1)
    Jf = J[fitted]
    used_up = fitted.sum() >= len(moments)
    # weak directions: combinations of fitted parameters that move the moments by less than half
    # a tolerance half-width over the full range
    weak_load = np.zeros(len(J))
    weak_with: dict[int, str] = {}
    if Jf.size:
        u, sv, _ = np.linalg.svd(Jf, full_matrices=True)
        sv = np.r_[sv, np.zeros(u.shape[1] - sv.size)]
        idx = np.flatnonzero(fitted)
        names = jac["parameter"].to_numpy()
        for d in np.flatnonzero(sv < 0.5 * threshold):
            for a, k in enumerate(idx):
                if abs(u[a, d]) > 0.4 and abs(u[a, d]) > weak_load[k]:
                    weak_load[k] = abs(u[a, d])
                    weak_with[k] = ", ".join(str(names[b]) for b in idx[np.abs(u[:, d]) > 0.3] if b != k)
    out = []
    for k, name in enumerate(jac["parameter"]):
        cos_best, partner = 0.0, ""
        for j in np.flatnonzero(fitted):
            if j == k or norms[k] == 0 or norms[j] == 0 or (fitted[k] and norms[j] <= norms[k]):
                continue
            c = abs(float(J[k] @ J[j] / (norms[k] * norms[j])))
            if c > cos_best:
                cos_best, partner = c, str(jac["parameter"].iloc[j])
        if strength[k] < threshold:
            verdict = "not identified: moves no moment by a tolerance half-width across its range"
        elif fitted[k] and cos_best >= collinear:
            verdict = f"not separately identified: collinear with {partner}"
        elif fitted[k] and weak_load[k] > 0:
            verdict = f"weakly identified: only its combination with {weak_with[k]} is pinned down"
        elif fitted[k]:
            verdict = "identified"
        elif used_up:
            verdict = (f"not identified given the fitted parameters (moments used up); "
                       f"closest to {partner} (|cos| {cos_best:.2f})")
        else:
            verdict = f"could be fitted: add it to FREE (closest to {partner}, |cos| {cos_best:.2f})"
        out.append({"parameter": name, "fitted": bool(fitted[k]), "strength": float(strength[k]),
                    "main_moment": moments[int(np.abs(J[k]).argmax())], "max_collinearity": cos_best,
                    "with": partner, "verdict": verdict})
    return pd.DataFrame(out)


# -----------------------------------------------------------------------------------------------
# the zone model as an SMM problem
# -----------------------------------------------------------------------------------------------
def _moments_task(world: World, task: tuple[dict[str, float], int, int]) -> dict[str, float]:
    theta, seed, years = task
    # every evaluation is a new theta, so its spin-up is never reused: no copy into the cache
    stats = seed_stats(simulate(world, seed, years, params=theta, spinup_cache=False), csn=False)
    return {m: stats[m] for m in MOMENTS}


def model_problem(world: World, seeds: Sequence[int], years: int, workers: int | Executor = 1,
                  params: Sequence[FreeParam] = FREE, moments: Sequence[str] = MOMENTS) -> Problem:
    """SMM problem over the zone model: each theta is run on every seed; moments are seed means.
    ``workers``: an executor to reuse across evaluations (one pool for the whole fit), or a number
    of local processes (a pool per batch)."""
    def batch(thetas: list[dict[str, float]]) -> list[dict[str, float]]:
        tasks = [(th, int(s), int(years)) for th in thetas for s in seeds]
        with using(workers, len(tasks)) as ex:
            got = ex.map(_moments_task, tasks, shared=world)
        k = len(seeds)
        return [{m: float(np.nanmean([g[m] for g in got[i * k:(i + 1) * k]])) for m in moments}
                for i in range(len(thetas))]

    targets = {m: BY_KEY[m].mid for m in moments}
    scales = {m: BY_KEY[m].half_width for m in moments}
    return Problem(list(params), targets, scales, batch)


# -----------------------------------------------------------------------------------------------
# storing the fit with the world
# -----------------------------------------------------------------------------------------------
def write_world_params(path: Path, fitted: dict[str, float], note: str, drop: Sequence[str] = ()) -> str:
    """Replace the world file's ``params:`` block with the existing overrides that are neither
    fitted nor in ``drop``, plus ``fitted`` under a comment; other lines stay as they are.
    Returns the new text."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    start = next((k for k, line in enumerate(lines) if re.match(r"^params\s*:", line)), None)
    import yaml

    old = (yaml.safe_load(text) or {}).get("params") or {}
    end = len(lines)
    if start is not None:
        end = next((k for k in range(start + 1, len(lines)) if lines[k] and not lines[k][0].isspace()
                    and not lines[k].startswith("#")), len(lines))
    keep = {k: v for k, v in old.items() if k not in fitted and k not in drop}
    block = ["params:"]
    if keep:
        block.append("  # set by hand (not fitted)")
        block += [f"  {k}: {yaml.safe_dump(v, default_flow_style=True).strip().removesuffix('...').strip()}"
                  for k, v in keep.items()]
    block += [f"  # {line}" for line in note.splitlines()]
    block += [f"  {k}: {_fmt(v)}" for k, v in fitted.items()]
    new = lines[:start] + block + lines[end:] if start is not None else lines + block
    out = "\n".join(new) + "\n"
    from sim.experiments.results import atomic_write

    atomic_write(path, out)
    return out


def _fmt(v: float) -> str:
    return f"{float(v):.4g}"


def rounded(theta: dict[str, float]) -> dict[str, float]:
    """Fitted values as stored (4 significant digits)."""
    return {k: float(_fmt(v)) for k, v in theta.items()}
