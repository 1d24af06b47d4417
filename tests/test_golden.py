"""Golden-baseline regression: the default world, no levers, seed 20210, 10 years.

If this fails after an intended model change, refresh with ``python scripts/refresh_golden.py``
and explain the change in the commit message."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("refresh_golden", ROOT / "scripts" / "refresh_golden.py")
refresh = importlib.util.module_from_spec(spec)
spec.loader.exec_module(refresh)


def test_matches_golden_baseline():
    expected = pd.read_csv(refresh.GOLDEN)
    got = refresh.golden_frame()
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    for col in expected.columns:
        e, g = expected[col], got[col]
        if e.dtype.kind in "fi" and g.dtype.kind in "fi":
            np.testing.assert_allclose(g.to_numpy(float), e.to_numpy(float), rtol=1e-9, atol=1e-12,
                                       equal_nan=True, err_msg=f"column {col} differs from the golden baseline")
        else:
            assert (g.astype(str).to_numpy() == e.astype(str).to_numpy()).all(), col
