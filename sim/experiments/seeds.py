"""Replicate seeds: ``derive_seeds(base, k)[i]`` is replicate ``i`` of base seed ``base``.

From numpy's ``SeedSequence(base).spawn(k)``, so replicate seeds are independent streams, recorded
in every output, and do not depend on how many workers run them. Kept apart from the run
function so that reading a study file does not import the model.
"""

from __future__ import annotations

import numpy as np


def derive_seeds(base_seed: int, k: int) -> list[int]:
    """``k`` replicate seeds (uint32) derived from ``base_seed`` with numpy's SeedSequence."""
    children = np.random.SeedSequence(int(base_seed)).spawn(int(k))
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]
