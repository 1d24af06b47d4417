"""Process-wide memory allocator settings that the model's numpy temporaries need.

A year of a large world allocates and frees a few hundred numpy temporaries of one column each
(0.8 MB at 100k firms, 8 MB at 1M). glibc's allocator returns such blocks to the operating
system (mmap/munmap, heap trimming), so every one of them is page-faulted in again: measured
here, 10 years of a 1M-agent world took 4.28 s with the defaults and 3.23 s after
``tune_malloc()`` (100k agents: 0.41 s and 0.38 s). Dask's nanny makes it worse by starting
workers with ``MALLOC_TRIM_THRESHOLD_=65536`` (which also freezes the mmap threshold at
128 KiB): 20 one-year runs took 2.03 s in a Dask worker against 1.13 s after this call.

``ZoneModel`` calls :func:`tune_malloc` once per process; memory the model frees stays with
the process (up to the 128 MiB trim threshold) for the next year's temporaries, numpy no
longer asks for huge pages (:func:`no_huge_page_advice`), and the objects alive then (the
modules, numba's dispatchers, the world) are kept out of the cyclic collector's full
collections (:func:`freeze_long_lived`).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_MALLOC_TUNED: bool | None = None  # the result of the first call


def tune_malloc() -> bool:
    """Keep freed numpy temporaries in the process: fixed mmap threshold of 64 MiB and trim
    threshold of 128 MiB, set with glibc's ``mallopt`` once per process. Returns whether the
    settings took effect; a no-op (False) off glibc."""
    global _MALLOC_TUNED
    if _MALLOC_TUNED is not None:
        return _MALLOC_TUNED
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(-3, 1 << 26) == 1 and libc.mallopt(-1, 1 << 27) == 1  # M_MMAP_, M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        ok = False
    _MALLOC_TUNED = ok
    no_huge_page_advice()
    freeze_long_lived()
    return ok


_HUGE_PAGES_OFF: bool | None = None  # the result of the first no_huge_page_advice()


def no_huge_page_advice() -> bool:
    """Stop numpy from advising the kernel to back its arrays of 4 MiB and more with huge pages
    (``madvise(MADV_HUGEPAGE)``, numpy's default on Linux), unless ``NUMPY_MADVISE_HUGEPAGE`` is set
    (then the user's choice stands). Where transparent huge pages are used on advice
    (``/sys/kernel/mm/transparent_hugepage/enabled`` and ``defrag`` both ``madvise``, a common
    default), a first touch of such an array can make the kernel compact memory to find a free
    2 MiB page: measured here, a 1M-agent run spent 1.0-2.3 s of system time in those faults and
    0.1-0.2 s without the advice, with the same user time (docs/performance.md, tenth session);
    arrays below 4 MiB (worlds under ~500k agents) never had the advice. Results do not depend on
    it (memory placement only). Once per process; returns whether this process switched it off."""
    global _HUGE_PAGES_OFF
    if _HUGE_PAGES_OFF is None:
        import os

        import numpy as np

        setter = getattr(getattr(getattr(np, "_core", None), "multiarray", None), "_set_madvise_hugepage", None)
        _HUGE_PAGES_OFF = setter is not None and "NUMPY_MADVISE_HUGEPAGE" not in os.environ
        if _HUGE_PAGES_OFF:
            setter(False)
    return _HUGE_PAGES_OFF


ENV_GC_FREEZE = "ZONESIM_GC_FREEZE"  # on unless 0, off, false or no (freeze_long_lived)
_BASE: bool | None = None  # whether freeze_long_lived's freeze is in effect; None before its first call


def freeze_long_lived() -> bool:
    """Move every object alive now into the collector's permanent generation (``gc.freeze()``),
    once per process, so the cyclic collector's full collections stop walking them. Called by
    :func:`tune_malloc`, i.e. when a process builds its first model or a study worker starts:
    what is alive then is what lives as long as the process (the imported modules, numba's
    dispatchers, pandas' and Mesa's classes, the loaded world: ~140,000 objects). A full
    collection walked them all, 70-135 ms each time on this machine, and one fell on a model's
    year every few runs: 2.7 % of the default world's years over 30 runs, 6-8 % of a 100k-agent
    world's over 4 (docs/performance.md, eleventh session). Objects made later (the models, their
    results) are collected as before. Results do not depend on it (when memory is reclaimed, not
    what is computed).

    Not done when something else froze objects already (their owner decides), or when the
    environment variable ``ZONESIM_GC_FREEZE`` is 0, off, false or no (for a long-lived
    interactive process whose early objects may become cyclic garbage: frozen ones are never
    collected). An eager model's :func:`thaw` gives the frozen objects back to the collector
    (``gc.unfreeze`` is all-or-nothing); they are not frozen again. Returns whether this call
    froze. The freeze also spares a plain-Mesa model run later in the same process (the
    benchmarks' reference): docs/performance.md, twelfth session.

    (The permanent generation shrinks when a frozen object dies by reference counting, so whether
    somebody else froze later cannot be told from ``gc.get_freeze_count()``: while this freeze is
    in effect, the eager models' freezes take the permanent generation as zonesim's.)"""
    global _BASE
    if _BASE is not None:
        return False
    if not gc_freeze_wanted() or gc.get_freeze_count() != 0:
        _BASE = False
        return False
    gc.freeze()
    _BASE = True
    return True


def gc_freeze_wanted() -> bool:
    """``ZONESIM_GC_FREEZE``, read strictly (:func:`sim.core.errors.env_switch`: on unless 0, off,
    false or no; another value raises InputError, which the command line reports before it
    writes anything)."""
    from sim.core.errors import env_switch

    return env_switch(ENV_GC_FREEZE)


_FROZEN = False  # whether objects are in the permanent generation because of freeze=True below
_COLLECTED = False  # whether thaw's full collection is the last thing the collector did for zonesim
# thaw's pace: at most this many releases of eager models, or released models of this many agents in all,
# between two walks of the heap (docs/performance.md, forty-ninth session)
THAW_EVERY = 8
THAW_AGENTS = 1_000_000
_PENDING = [0, 0]  # releases and their agents since the last thaw, while something is frozen


@contextlib.contextmanager
def no_cycle_collection(freeze: bool = False) -> Iterator[None]:
    """Python's cyclic garbage collector paused (restored on exit, also on an error). A model's
    build and years allocate thousands of objects (Mesa agents for new firms in an eager model),
    and every few hundred allocations the collector walks the young objects, and now and then all
    of them: ~50,000 Mesa agents in the default eager world (issue 19: a fifth of an eager step).
    A model's own objects die by reference counting; any cyclic garbage waits for the next
    collection after the pause.

    ``freeze=True`` (an eager model's build and years) also keeps the collector from walking the
    model's objects *after* the pause: on exit every tracked object is moved to the permanent
    generation (``gc.freeze()``), which the collector never walks, so the ~50,000 agents are not
    walked again at every later collection. On entry, the objects not frozen yet are collected
    first (cheap after the first time: only what was made since the last freeze), so what gets
    frozen is what is alive, plus any cyclic garbage the model's own build or year made. Right
    after an eager model's release (:func:`thaw`: everything unfrozen and collected), with no other
    model released since, that first collection is skipped: it would walk the whole heap a second
    time (the long-lived objects, ~140,000, and the model just released, which its caller may still
    hold) to find only what was dropped since; that garbage is frozen with the new model and
    collected at the next thaw. Done
    only while Mesa itself keeps every model alive until it is released (Mesa 3.3's
    ``Agent._ids``, mesa#3179: a model is never garbage before
    ``sim.experiments.runner.release``) and only if nothing but zonesim froze objects (its own
    :func:`freeze_long_lived` included). :func:`thaw` (called by ``release``; every few releases) gives
    everything back to the collector."""
    global _FROZEN, _COLLECTED
    was = gc.isenabled()
    freeze = freeze and _mesa_keeps_models() and (_FROZEN or _BASE or gc.get_freeze_count() == 0)
    if freeze and not _COLLECTED:
        gc.collect()  # over the objects not frozen yet
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
            _FROZEN = True
            _COLLECTED = False
        if was:
            gc.enable()


def thaw(agents: int = 0, force: bool = False) -> bool:
    """Undo :func:`no_cycle_collection`'s freezes: the permanent generation back to the collector
    (``gc.unfreeze()``), then one full collection, which frees the models released before (the
    one being released is still referenced by its caller: it goes at the next collection or the
    next thaw). Called at every release (``sim.experiments.runner.release``, ``agents``: the
    released model's firms and cohorts), it does so only every :data:`THAW_EVERY`-th release, or
    sooner once the models released since held :data:`THAW_AGENTS` agents (``force``: now): the
    collection walks every tracked object of the process (~240,000 after a default eager run, ~75 ms
    here: a sixth of such a run), and a released model is small by then (its Mesa agents gone with
    its registries, its firm and cohort pools emptied: under 1 MB for the default world), so a loop
    of released eager models keeps at most :data:`THAW_EVERY` of them, frozen, and walks the heap
    once every that many runs (docs/performance.md, forty-ninth session). Returns whether it thawed
    (False: nothing frozen since the last thaw, as after lazy runs, which never freeze; or not this
    release's turn). The objects :func:`freeze_long_lived` froze go back to the collector too
    (``gc.unfreeze`` is all-or-nothing) and are not frozen again: freezing then would also freeze
    the model being released, which its caller still holds."""
    global _FROZEN, _BASE, _COLLECTED
    if not _FROZEN:
        _COLLECTED = False  # a model released since the last thaw is garbage to collect before a freeze
        return False
    _PENDING[0] += 1
    _PENDING[1] += max(int(agents), 0)
    if not force and _PENDING[0] < THAW_EVERY and _PENDING[1] < THAW_AGENTS:
        return False  # the released model waits, frozen, for a later release's thaw
    _PENDING[:] = [0, 0]
    _FROZEN = False
    if _BASE:
        _BASE = False
    gc.unfreeze()
    gc.collect()
    _COLLECTED = True  # the next eager build need not collect again before it freezes
    return True


def _mesa_keeps_models() -> bool:
    """Whether Mesa keeps a reference to every model until it is released (Mesa 3.3's class
    attribute ``Agent._ids``, a plain dict keyed by model; a fixed Mesa holds models weakly)."""
    import mesa

    ids = getattr(mesa.Agent, "_ids", None)
    return isinstance(ids, dict)
