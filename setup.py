"""Build step only; every other setting is in pyproject.toml.

The bundled scenarios stay at the top of the checkout (``scenarios/``: worlds, packages, studies)
and a wheel ships a copy inside the package as ``sim/_scenarios``, so ``pip install zonesim``
finds them too (``sim.scenario.world.SCENARIOS`` looks there first). An editable install reads
``scenarios/`` in the checkout and copies nothing.
"""

from __future__ import annotations

import os

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithScenarios(build_py):
    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            here = os.path.dirname(os.path.abspath(__file__))
            self.copy_tree(os.path.join(here, "scenarios"), os.path.join(self.build_lib, "sim", "_scenarios"))


setup(cmdclass={"build_py": BuildWithScenarios})
