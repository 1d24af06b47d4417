"""Regenerate the golden-baseline regression file ``tests/golden/core.csv``.

Run this ONLY when a change to the model is meant to change its results, and say why in the
commit message. ``tests/test_golden.py`` compares a fresh run against this file.

    python scripts/refresh_golden.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.scenario.packages import empty_package  # noqa: E402
from sim.experiments.runner import Job, run_job  # noqa: E402
from sim.scenario.world import load_world  # noqa: E402

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden" / "core.csv"
SEED, YEARS = 20210, 10


def golden_frame():
    """The run the golden file records: the default world, no levers, one seed, 10 years."""
    return run_job(Job(load_world("guangxi"), empty_package(), SEED, YEARS))


def main() -> None:
    df = golden_frame()
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(GOLDEN, index=False, float_format="%.17g")
    print(f"wrote {GOLDEN} ({len(df)} rows)")


if __name__ == "__main__":
    main()
