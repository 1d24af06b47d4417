"""sim.analysis.pairing: correlation, paired interval and seeds needed, on tables whose answer is
known."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.pairing import MAX_SEEDS, pairing_table, seeds_needed, zone_correlations


def results(base: np.ndarray, pkgs: dict[str, np.ndarray], zone: str = "region", year: int = 2041) -> pd.DataFrame:
    rows = [{"package": "baseline", "seed": i, "year": year, "zone": zone, "output": v} for i, v in enumerate(base)]
    for name, vals in pkgs.items():
        rows += [{"package": name, "seed": i, "year": year, "zone": zone, "output": v} for i, v in enumerate(vals)]
    return pd.DataFrame(rows)


def test_paired_statistics_match_their_definitions():
    rng = np.random.default_rng(0)
    b = rng.normal(1000.0, 60.0, 16)
    e = rng.normal(20.0, 5.0, 16)
    p = b + e
    t = pairing_table(results(b, {"pkg": p})).iloc[0]
    assert t.seeds == 16 and t.package == "pkg" and t.zone == "region"
    assert t["diff"] == pytest.approx(e.mean())
    half = stats.t.ppf(0.975, 15) * e.std(ddof=1) / 4.0
    assert (t.lo, t.hi) == pytest.approx((e.mean() - half, e.mean() + half))
    assert t.rel_change == pytest.approx(e.mean() / b.mean()) and t.rel_half_width == pytest.approx(half / b.mean())
    assert t.correlation == pytest.approx(np.corrcoef(b, p)[0, 1]) and t.correlation > 0.99
    assert t.variance_reduction == pytest.approx((b.var(ddof=1) + p.var(ddof=1)) / e.var(ddof=1))
    assert t.variance_reduction > 100
    assert t.seeds_needed < 5 < t.seeds_needed_unpaired


def test_independent_runs_gain_nothing():
    rng = np.random.default_rng(1)
    b, p = rng.normal(1000.0, 60.0, 400), rng.normal(1020.0, 60.0, 400)
    t = pairing_table(results(b, {"pkg": p})).iloc[0]
    assert abs(t.correlation) < 0.15 and t.variance_reduction == pytest.approx(1.0, abs=0.2)
    assert t.seeds_needed == pytest.approx(t.seeds_needed_unpaired, rel=0.25)


@pytest.mark.parametrize("variance,half", [(4.0, 1.0), (100.0, 2.5), (1e4, 3.0), (0.5, 1.0)])
def test_seeds_needed_is_the_smallest_that_reaches_the_half_width(variance, half):
    n = seeds_needed(variance, half)
    assert stats.t.ppf(0.975, n - 1) * math.sqrt(variance / n) <= half
    if n > 2 and n < 100:  # exact search below 100 seeds
        assert stats.t.ppf(0.975, n - 2) * math.sqrt(variance / (n - 1)) > half


def test_seeds_needed_edges():
    assert seeds_needed(0.0, 1.0) == 2
    assert seeds_needed(1.0, 0.0) == MAX_SEEDS
    assert seeds_needed(float("nan"), 1.0) == MAX_SEEDS
    assert seeds_needed(1e30, 1e-3) == MAX_SEEDS


def test_identical_runs_and_zone_correlations():
    rng = np.random.default_rng(2)
    b1, b2 = rng.normal(100, 10, 12), rng.normal(50, 5, 12)
    df = pd.concat([results(b1, {"same": b1, "other": rng.normal(100, 10, 12)}, zone="nanning"),
                    results(b2, {"same": b2, "other": b2 + rng.normal(0, 0.1, 12)}, zone="liuzhou")])
    t = pairing_table(df, zone="nanning").set_index("package")
    assert t.loc["same", "diff"] == 0 and t.loc["same", "variance_reduction"] == math.inf
    assert t.loc["same", "seeds_needed"] == 2
    z = zone_correlations(df).set_index(["package", "zone"])["correlation"]
    assert z["same", "nanning"] == pytest.approx(1.0) and z["other", "liuzhou"] > 0.99
    assert abs(z["other", "nanning"]) < 0.8


def test_bad_input():
    df = results(np.ones(3), {"pkg": np.ones(3)})
    with pytest.raises(ValueError, match="baseline"):
        pairing_table(df, baseline="nope")
    with pytest.raises(KeyError, match="tax"):
        pairing_table(df, outcome="tax")
