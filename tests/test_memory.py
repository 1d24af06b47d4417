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


_ADVICE_NOW = ("import numpy as np\n"
               "from sim.core import memory\n"
               "print(memory.tune_malloc(), memory.no_huge_page_advice())\n"
               "set_ = np._core.multiarray._set_madvise_hugepage\n"
               "now = set_(False); set_(now); print(now)\n")


def _advice_after_tune(env_extra: dict[str, str]) -> list[str]:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"} | env_extra
    out = subprocess.run([sys.executable, "-c", _ADVICE_NOW], env=env, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_tune_malloc_switches_off_numpys_huge_page_advice():
    # a 1M-agent run spent 1-2 s of system time in huge-page faults with the advice on (docs/performance.md)
    import numpy as np

    if getattr(getattr(np, "_core", None), "multiarray", None) is None or not hasattr(
            np._core.multiarray, "_set_madvise_hugepage"):
        import pytest
        pytest.skip("this numpy has no huge-page advice setting")
    assert _advice_after_tune({})[1:] == ["True", "False"]  # switched off by this process; now off


def test_a_users_numpy_madvise_hugepage_setting_stands():
    import numpy as np

    if not hasattr(getattr(getattr(np, "_core", None), "multiarray", None), "_set_madvise_hugepage"):
        import pytest
        pytest.skip("this numpy has no huge-page advice setting")
    assert _advice_after_tune({"NUMPY_MADVISE_HUGEPAGE": "1"})[1:] == ["False", "True"]
    assert _advice_after_tune({"NUMPY_MADVISE_HUGEPAGE": "0"})[1:] == ["False", "False"]


_FREEZE_CHECK = """
import gc, weakref
import sim.core.memory as memory
from sim.model.zonemodel import ZoneModel

class Cycle:
    pass

early = Cycle(); early.me = early  # alive when the first model is built: long-lived
assert memory._BASE is None
m = ZoneModel(world="synthetic:2,20,200", rng=1, agent_handles="lazy")
m.step()
print(gc.get_freeze_count(), memory._BASE, gc.is_tracked(early))
late = Cycle(); late.me = late; probe = weakref.ref(late); del late  # cyclic garbage made after it
gc.collect()
print(probe() is None, memory.freeze_long_lived())
"""


def _freeze_check(env_extra: dict[str, str], prelude: str = "") -> list[str]:
    import os

    env = {k: v for k, v in os.environ.items() if k != "ZONESIM_GC_FREEZE"} | env_extra
    out = subprocess.run([sys.executable, "-c", prelude + _FREEZE_CHECK], env=env, capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.split()


def test_the_first_model_freezes_the_long_lived_objects_once():
    """Full collections walked the ~140,000 objects of the imported modules every time (70-135 ms,
    2.7 % of the default world's years in a loop of runs): the first model moves what is alive into
    the permanent generation; garbage made later is still collected; a second call does nothing."""
    count, base, tracked, collected, again = _freeze_check({})
    assert base == "True" and int(count) > 10_000  # the modules' objects, not a handful
    assert tracked == "True" and collected == "True" and again == "False"


def test_zonesim_gc_freeze_0_keeps_the_collector_as_it_was():
    count, base, _, collected, _ = _freeze_check({"ZONESIM_GC_FREEZE": "0"})
    assert (count, base, collected) == ("0", "False", "True")


def test_an_earlier_freeze_by_someone_else_is_left_alone():
    # whoever froze first owns the permanent generation (and may unfreeze it): zonesim adds nothing
    count, base, _, collected, _ = _freeze_check({}, "import gc\ngc.freeze()\n")
    assert base == "False" and collected == "True" and int(count) > 0


def test_zonesim_gc_freeze_off_words_and_a_bad_value(monkeypatch, refused_before_writing):
    """The switch reads as the spin-up cache's does: off, false, no, 0 (any case) keep the collector
    as it was; a value it does not allow stops a command before it writes anything, one line."""
    from sim.core.errors import InputError

    for word in ("off", " False ", "NO", "0"):
        monkeypatch.setenv("ZONESIM_GC_FREEZE", word)
        assert memory.gc_freeze_wanted() is False
    monkeypatch.setenv("ZONESIM_GC_FREEZE", "maybe")
    with pytest.raises(InputError, match="ZONESIM_GC_FREEZE"):
        memory.gc_freeze_wanted()
    refused_before_writing("ZONESIM_GC_FREEZE", "'maybe'", "0, off, false, no")
