"""Worker processes that end with the process that started them.

A pool worker blocked in (or computing) a task does not notice that its parent is gone: after a
SIGKILL of ``zonesim compare`` or ``sweep`` its workers were seen running for 40 minutes, about
220 MB each. :func:`die_with_parent`, called first thing in a worker, asks Linux to send the
worker SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``), and everywhere also starts a
daemon thread that polls the parent's pid once a second and exits when it changes.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int | None = None, poll: float = 1.0) -> None:
    """End this process when ``parent`` (default: the current parent) ends."""
    parent = os.getppid() if parent is None else int(parent)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the thread below still works
            pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(parent, poll), name="zonesim-parent-watch", daemon=True).start()


def _watch(parent: int, poll: float) -> None:
    while True:
        time.sleep(poll)
        if os.getppid() != parent:
            os._exit(1)
