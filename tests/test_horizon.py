"""The tested horizon (issue 20, item 5): every horizon the CLI accepts stays finite.

The firm dynamics are unbounded (output grows ever faster; numpy's exp and Poisson sampler fail
at year 95-98 with some packages, measured), so ``--years``, world files, study files and the
dashboard stop at ``MAX_YEARS``. This runs every bundled package to that horizon on two seeds
with numpy warnings as errors (no silent overflow) and checks every outcome is finite."""

from __future__ import annotations

import warnings

import pytest

from sim.core.errors import InputError
from sim.core.params import MAX_YEARS
from sim.model.zonemodel import ZoneModel
from sim.scenario.packages import load_package
from sim.scenario.world import PACKAGES

from .test_extremes import check
from .test_study import write_study


def test_longer_studies_are_refused(tmp_path):
    from sim.experiments.study import load_study

    with pytest.raises(InputError, match="years"):
        load_study(write_study(tmp_path, years=MAX_YEARS + 1))


@pytest.mark.slow
@pytest.mark.parametrize("package", sorted(p.stem for p in PACKAGES.glob("*.yaml")))
def test_every_package_stays_finite_to_the_horizon(world, package):
    pkg = load_package(package)
    for seed in (3, 11):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an overflow is an error here, not an inf in the table
            m = ZoneModel(world=world, levers=pkg.build(), rng=seed, agent_handles="lazy")
            for _ in range(MAX_YEARS):
                m.step()
            df = m.results()
        check(df)
        assert df["step"].max() == MAX_YEARS
