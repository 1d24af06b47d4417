"""The Dask distributed backend: chunks run on a cluster, results stream back into the store.

Start a cluster (any machines that can import ``sim`` with the same versions)::

    dask scheduler --host 0.0.0.0 --port 8786
    dask worker tcp://SCHEDULER:8786 --nworkers 4 --nthreads 1   # on each machine

then ``zonesim sweep STUDY --scheduler tcp://SCHEDULER:8786``. The study's shared context
(world and package) is scattered to every worker once; each chunk is one task running the same
function as the local pool (:mod:`sim.experiments.executor`); the parent writes each finished chunk into
the store as it arrives, so an interrupted Dask sweep resumes like a local one. The model is
single-threaded numpy; give each worker ``--nthreads 1`` and as many workers as cores.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from sim.core.errors import InputError
from sim.core.memory import tune_malloc


def _task(task: Callable[[Any, Any], Any], shared: Any, key: Hashable, item: Any) -> tuple[Hashable, Any]:
    tune_malloc()
    return key, task(shared, item)


def check_address(address: str) -> None:
    """One clear line if Dask is missing or ``address`` is not a scheduler address."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InputError(address, "--scheduler", "needs Dask: pip install 'zonesim[distributed]'") from None
    if not address.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://", "ucx://")):
        raise InputError(address, "--scheduler", "expected an address like tcp://HOST:8786")


def connect(address: str, timeout: float = 15.0) -> Any:
    """A Client for ``address`` or one clear line if dask is missing or the scheduler is unreachable."""
    check_address(address)
    from distributed import Client

    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise InputError(address, "--scheduler", f"cannot reach the scheduler ({type(exc).__name__}: "
                                                 f"{str(exc).splitlines()[0] if str(exc) else 'timeout'})") from None


def run_on_dask(client: Any, task: Callable[[Any, Any], Any], shared: Any, items: Mapping[Hashable, Any],
                on_done: Callable[[Hashable, Any], None], key: str = "run") -> None:
    """Submit ``task(shared, item)`` for every item on ``client``'s cluster (``shared`` scattered to
    every worker once); call ``on_done(key, result)`` as each one completes."""
    from distributed import as_completed

    futures = []
    try:
        shared_future = client.scatter(shared, broadcast=True, hash=False) if shared is not None else None
        futures = [client.submit(_task, task, shared_future, k, item, key=f"zonesim-{key}-{k}", pure=False,
                                 retries=1) for k, item in items.items()]
        for fut in as_completed(futures, loop=client.loop):
            done_key, result = fut.result()
            on_done(done_key, result)
            fut.release()
    finally:
        for fut in futures:
            fut.cancel()
