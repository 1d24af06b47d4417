"""The Dask distributed backend: chunks run on a cluster, results stream back into the store.

Start a cluster on machines that can import ``sim`` from the same zonesim checkout with the same
library versions. A Dask scheduler runs whatever pickled code a client sends it, so it must be
reachable only by people you trust: keep it on a private network, bind it to that network's
address (or to ``127.0.0.1`` on one machine), never to every interface, and use TLS
(``tls://``, see Dask's "TLS/SSL" docs) on any network you do not control::

    dask scheduler --host 127.0.0.1 --port 8786                        # one machine
    dask scheduler --host 10.0.0.5 --port 8786                         # a private network
    dask worker tcp://10.0.0.5:8786 --nworkers 4 --nthreads 1          # on each machine

then ``zonesim sweep STUDY --scheduler tcp://10.0.0.5:8786``. The study's shared context
(world and package) is scattered to every worker once; each chunk is one task running the same
function as the local pool (:mod:`sim.experiments.executor`); the parent writes each finished chunk into
the store as it arrives, so an interrupted Dask sweep resumes like a local one. The model is
single-threaded numpy; give each worker ``--nthreads 1`` and as many workers as cores.

Checks, before any run: the address answers as a Dask scheduler within a few seconds (a port
that is something else fails fast with one line, not a hang), it has workers, and every worker
reports the same model-code hash (:func:`sim.experiments.results.code_sha256`) and library
versions as this machine; a mismatch is refused with one line naming the worker. Each finished
task brings its worker's report again, so a worker that joins later with other code is refused
too (its chunks are not saved).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from sim.core import maths
from sim.core.errors import EnvError, InputError
from sim.core.memory import tune_malloc

PROBE_SECONDS = 5.0
LIBRARIES = ("numpy", "pandas", "mesa", "pydantic", "pyarrow")


def versions() -> dict[str, str]:
    """This process's model-code hash, zonesim, Python and library versions, and how it rounds
    the model's transcendental functions (``maths``: :func:`sim.core.maths.fingerprint`): what a worker must match."""
    import importlib

    from sim import __version__
    from sim.experiments.results import own_code

    out = {"code_sha256": own_code(), "zonesim": __version__, "python": sys.version.split()[0]}
    for name in LIBRARIES:
        try:
            out[name] = str(importlib.import_module(name).__version__)
        except ImportError:
            out[name] = "missing"
    out["maths"] = maths.fingerprint()  # how the model's exp, log, power round here (sim.core.maths)
    return out


def mismatch(mine: dict[str, str], theirs: Any) -> str | None:
    """What differs between two ``versions()`` reports, as words, or None if nothing does."""
    if not isinstance(theirs, dict):
        return "no version report"
    for key, value in mine.items():
        got = theirs.get(key)
        if got != value:
            if key == "code_sha256":
                return f"model code differs (code {str(got)[:12]}, here {value[:12]})"
            if key == "maths":
                return f"{maths.differs(got, value)}, so the same seed would give other results; install one version"
            return f"{key} {got} (here {value})"
    return None


def _task(task: Callable[[Any, Any], Any], shared: Any, key: Hashable,
          item: Any) -> tuple[Hashable, Any, dict[str, str]]:
    tune_malloc()
    return key, task(shared, item), versions()


def check_address(address: str) -> None:
    """One clear line if Dask is missing, ``address`` is not a scheduler address, the scheduler
    does not answer, has no workers, or one of its workers runs other code or library versions.
    Called before a study folder is created, so a bad address leaves nothing behind."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InputError(address, "--scheduler", "needs Dask: pip install 'zonesim[distributed]'") from None
    if not address.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://", "ucx://")):
        raise InputError(address, "--scheduler", "expected an address like tcp://HOST:8786")
    client = connect(address)
    try:
        check_workers(client, address)
    finally:
        client.close()


def probe(address: str, timeout: float = PROBE_SECONDS) -> dict[str, Any]:
    """The scheduler's identity, asked directly with a hard deadline. ``distributed.Client`` waits
    forever on a port that accepts but does not speak Dask's protocol (measured: > 250 s with
    ``timeout=3``); this asks for the identity with ``timeout`` on every step."""
    from distributed.comm import connect as comm_connect

    async def ask() -> Any:
        comm = await asyncio.wait_for(comm_connect(address, timeout=timeout), timeout)
        try:
            await asyncio.wait_for(comm.write({"op": "identity"}), timeout)
            return await asyncio.wait_for(comm.read(), timeout)
        finally:
            comm.abort()

    try:
        reply = _run_coroutine(ask())
    except (OSError, asyncio.TimeoutError, TimeoutError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else f"no answer within {timeout:g} s"
        raise InputError(address, "--scheduler", f"cannot reach the scheduler ({type(exc).__name__}: "
                                                 f"{detail[:160]})") from None
    except Exception as exc:  # noqa: BLE001 - anything else that answers is not a Dask scheduler
        raise InputError(address, "--scheduler", f"not a Dask scheduler (its answer could not be read: "
                                                 f"{type(exc).__name__})") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        kind = reply.get("type") if isinstance(reply, dict) else type(reply).__name__
        raise InputError(address, "--scheduler", f"not a Dask scheduler (it says it is a {kind})")
    return reply


def _run_coroutine(coro: Any) -> Any:
    """``asyncio.run``, also from a thread that already runs an event loop (e.g. a notebook)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def connect(address: str, timeout: float = 15.0) -> Any:
    """A Client for ``address`` after a quick :func:`probe`; one clear line if it fails."""
    probe(address, min(timeout, PROBE_SECONDS))
    from distributed import Client

    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise InputError(address, "--scheduler", f"cannot reach the scheduler ({type(exc).__name__}: "
                                                 f"{str(exc).splitlines()[0] if str(exc) else 'timeout'})") from None


def check_workers(client: Any, address: str, wait: float = 10.0) -> dict[str, dict[str, str]]:
    """Every worker's ``versions()``; one EnvError line if there are none or one differs from here."""
    try:
        client.wait_for_workers(1, timeout=wait)
    except (TimeoutError, asyncio.TimeoutError, OSError):
        raise EnvError(address, f"the scheduler has no workers (none joined within {wait:g} s); start "
                                f"'dask worker {address}' on the machines that should compute") from None
    try:
        reports = client.run(versions)
    except Exception as exc:  # noqa: BLE001 - e.g. a worker that cannot import sim at all
        raise EnvError(address, f"a worker could not report its model code and versions ({type(exc).__name__}: "
                                f"{str(exc).splitlines()[0][:160] if str(exc) else ''}); start the workers "
                                "from the same zonesim checkout") from None
    mine = versions()
    for worker, report in sorted(reports.items()):
        why = mismatch(mine, report)
        if why:
            raise EnvError(address, f"worker {worker}: {why}; every worker must run the same zonesim code and "
                                    "library versions as this machine (nothing was run)")
    return reports


def run_on_dask(client: Any, task: Callable[[Any, Any], Any], shared: Any, items: Mapping[Hashable, Any],
                on_done: Callable[[Hashable, Any], None], key: str = "run", address: str = "") -> None:
    """Submit ``task(shared, item)`` for every item on ``client``'s cluster (``shared`` scattered to
    every worker once) after checking the workers; call ``on_done(key, result)`` as each one
    completes. A result from a worker with other code or versions is refused (one EnvError line;
    the results handed over before are kept), and so is a lost scheduler."""
    from distributed import as_completed

    futures = []
    mine = versions()
    try:
        check_workers(client, address)
        try:
            shared_future = client.scatter(shared, broadcast=True, hash=False) if shared is not None else None
            futures = [client.submit(_task, task, shared_future, k, item, key=f"zonesim-{key}-{k}", pure=False,
                                     retries=1) for k, item in items.items()]
            for fut in as_completed(futures, loop=client.loop):
                try:
                    done_key, result, report = fut.result()
                finally:
                    fut.release()
                why = mismatch(mine, report)
                if why:
                    raise EnvError(address, f"a worker's {why}; every worker must run the same zonesim code and "
                                            "library versions as this machine (the finished results are kept)")
                on_done(done_key, result)
        except Exception as exc:  # noqa: BLE001
            if _lost(exc):
                raise EnvError(address, f"lost the Dask scheduler or its workers ({type(exc).__name__}); the "
                                        "finished parts are saved: --resume continues") from None
            raise
    finally:
        for fut in futures:
            fut.cancel()


def _lost(exc: BaseException) -> bool:
    """Whether ``exc`` means the cluster went away (not a failure of the model in one task)."""
    try:
        from distributed.comm.core import CommClosedError
    except ImportError:  # pragma: no cover
        return isinstance(exc, OSError)
    return isinstance(exc, (CommClosedError, OSError, asyncio.TimeoutError, TimeoutError))
