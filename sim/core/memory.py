"""Process-wide memory allocator settings that the model's numpy temporaries need.

A year of a large world allocates and frees a few hundred numpy temporaries of one column each
(0.8 MB at 100k firms, 8 MB at 1M). glibc's allocator returns such blocks to the operating
system (mmap/munmap, heap trimming), so every one of them is page-faulted in again: measured
here, 10 years of a 1M-agent world took 4.28 s with the defaults and 3.23 s after
``tune_malloc()`` (100k agents: 0.41 s and 0.38 s). Dask's nanny makes it worse by starting
workers with ``MALLOC_TRIM_THRESHOLD_=65536`` (which also freezes the mmap threshold at
128 KiB): 20 one-year runs took 2.03 s in a Dask worker against 1.13 s after this call.

``ZoneModel`` calls :func:`tune_malloc` once per process; memory the model frees stays with
the process (up to the 128 MiB trim threshold) for the next year's temporaries.
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
    return ok


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cyclic garbage collector paused (restored on exit, also on an error). A model's
    build and years allocate thousands of objects (Mesa agents for new firms in an eager model),
    and every few hundred allocations the collector walks the young objects, and now and then all
    of them: ~50,000 Mesa agents in the default eager world (issue 19: a fifth of an eager step).
    A model's own objects die by reference counting; any cyclic garbage waits for the next
    collection after the pause."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
