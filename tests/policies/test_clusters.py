"""Industry upgrading's from-sector mask (issue 19: a table gathered by sector, np.isin's answer)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.params import N_SECTORS, SECTORS

from .conftest import build


@pytest.mark.parametrize("frm", [("traditional",), ("traditional", "new_materials"), ("electronics", "biomedicine")])
def test_from_sector_mask_is_isin(frm):
    lever = build("industry_upgrading", from_sectors=list(frm), to_sector="advanced_manufacturing")
    sector = np.random.default_rng(3).integers(0, N_SECTORS, 5000)
    want = np.isin(sector, [SECTORS.index(x) for x in frm])
    assert want.any() and np.array_equal(lever.in_from_sectors(sector), want)
