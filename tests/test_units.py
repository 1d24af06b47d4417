"""Money units (sim.core.units): named conversions, and no bare x1000 money conversion left in sim/."""

import re
from pathlib import Path

import numpy as np
import pytest

from sim.core import units as U

ROOT = Path(__file__).resolve().parents[1] / "sim"


def test_conversions_are_inverse_and_scaled():
    x = np.array([0.5, 12.0, 1234.5])
    assert np.array_equal(U.bn_from_m(U.m_from_bn(x)), x)
    assert np.array_equal(U.m_from_k(U.k_from_m(x)), x)
    assert U.bn_from_m(2500.0) == 2.5 and U.k_from_m(1.5) == 1500.0
    assert U.yi_from_bn(1.0) == 10.0          # CNY 1 bn = 10 亿元
    assert U.wan_yi_from_bn(1234.0) == pytest.approx(1.234)  # CNY 1,234 bn = 1.234 万亿元


def test_no_bare_thousand_scale_in_the_code():
    """Every change of money scale is named (sim/core/units.py); the only x1000 left are not money."""
    allowed = {"startup_rate / 1000.0",  # start-ups per 1,000 people: a rate, not money
               "talent_base=1000.0", "budget: float = 1000.0", "le=1000.0"}
    bad = []
    for f in ROOT.rglob("*.py"):
        if f.name == "units.py":
            continue
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"[*/]\s*1000\.0\b|\b1000\.0\s*\*", line) or "=1000.0" in line.replace(" ", ""):
                if not any(a in line for a in allowed):
                    bad.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not bad, "\n".join(bad)
