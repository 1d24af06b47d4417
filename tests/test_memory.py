"""sim.core.memory: the allocator settings are applied once per process, and only where they can be."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from sim.core import memory


def test_tune_malloc_is_idempotent_and_reports_the_first_result():
    first = memory.tune_malloc()
    assert isinstance(first, bool)
    assert memory.tune_malloc() is first


@pytest.mark.skipif(platform.system() != "Linux" or not platform.libc_ver()[0].startswith("glibc"),
                    reason="mallopt is glibc's")
def test_model_sets_the_thresholds_on_glibc():
    """In a fresh process, building a model applies the settings (mallopt accepted them)."""
    code = ("import sim.core.memory as m; assert m._MALLOC_TUNED is None\n"
            "from sim.model.zonemodel import ZoneModel\n"
            "ZoneModel(world='synthetic:2,20,200', rng=1, agent_handles='lazy')\n"
            "print(m._MALLOC_TUNED)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
