"""Result folders: written whole or not at all, each with its manifest and resolved scenario,
and never in place of anything zonesim did not make.

``staged_output(path)`` yields a hidden temporary folder beside ``path``; if the body raises, the
temporary folder is removed and ``path`` is never created; on success it is renamed to ``path``
in one step. Files inside are written with ``atomic_write`` (temp file + rename).

Ownership: zonesim deletes or replaces only a folder it made (one holding a zonesim
``manifest.json``, or ``runs/manifest.json`` for the analyses that keep their runs there) or an
empty one; ``--overwrite`` of anything else is refused with one line. Publishing never removes
another process's result: without ``--overwrite`` the rename succeeds only onto a missing or
empty folder (POSIX ``rename`` refuses a non-empty one); with it, only the very folder checked at
the start (same inode, its lock held since) is moved aside and deleted. If another process put
its results at ``path`` meanwhile, this run's results go to a new sibling folder and the command
says where (exit 3).

Locks: a folder being written holds an OS lock (``fcntl.flock`` on ``.zonesim.lock`` inside it,
released by the kernel when the process ends, however it ends); the lock file names its holder.

Temp files are named ``.NAME.zonesim-HOST-PID-XXXX.partial`` (folders) or ``....tmp`` (files);
:func:`clean_stale` removes those whose process is gone (a staging folder: its lock is free), on
the next start of any command that writes there.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim import __version__
from sim.core import maths
from sim.core.errors import EnvError, InputError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no OS locks, the rest still holds
    fcntl = None  # type: ignore[assignment]

RESULTS = Path("results")
MANIFEST = "manifest.json"
LOCK = ".zonesim.lock"
HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
_TEMP = re.compile(r"^\..*\.zonesim-(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-[^.]*\.(?P<kind>partial|tmp)$")


def default_out(kind: str, *names: str) -> Path:
    """``results/KIND-NAMES-YYYYmmdd-HHMMSS-XXXXXX``: the random suffix keeps two runs started in
    the same second apart (measured: three parallel runs all printed one folder and two of the
    results were lost when the name had only the time)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return RESULTS / "-".join([kind, *names, stamp, secrets.token_hex(3)])


# ------------------------------------------------------------------------------------------
# temp names and their clean-up
# ------------------------------------------------------------------------------------------
def temp_prefix(name: str) -> str:
    """The start of a temp entry's name for ``name``: hidden, with this host and process."""
    return f".{name}.zonesim-{HOST}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _lock_free(folder: Path) -> bool | None:
    """Whether the lock in ``folder`` can be taken (its holder is gone); None if it has none."""
    path = folder / LOCK
    if fcntl is None or not path.is_file():
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # closing drops the lock if this call took it


def clean_stale(folder: Path) -> list[Path]:
    """Remove the temp entries in ``folder`` left by zonesim processes of this host that are gone
    (killed mid-write); returns what was removed. Another machine's entries (shared disks) and
    those of live processes are left alone."""
    removed: list[Path] = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP.match(entry.name)
        if not m or m["host"] != HOST:
            continue
        pid = int(m["pid"])
        if entry.is_dir() and not entry.is_symlink():
            free = _lock_free(entry)
            stale = free if free is not None else not _alive(pid)
            if stale:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
        elif not _alive(pid):
            with contextlib.suppress(OSError):
                entry.unlink()
                removed.append(entry)
    return removed


# ------------------------------------------------------------------------------------------
# locks
# ------------------------------------------------------------------------------------------
class FolderLock:
    """An exclusive OS lock on a folder (``flock`` on its ``.zonesim.lock``), held until every
    handle is released or the process ends. The lock file records who holds it. Within one
    process the lock is shared (a second ``acquire`` of a folder this process holds succeeds), so
    that code which opens a store twice — a test, a notebook — is not refused by itself."""

    _held: dict[tuple[int, int], list[Any]] = {}  # (dev, inode) of the lock file -> [fd, handles]

    def __init__(self, folder: Path, key: tuple[int, int] | None) -> None:
        self.folder, self.key = Path(folder), key

    @classmethod
    def acquire(cls, folder: Path, command: list[str] | None = None) -> FolderLock:
        """The lock, or one EnvError line naming the process that holds it."""
        folder = Path(folder)
        if fcntl is None:
            return cls(folder, None)
        try:
            fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise EnvError(folder, f"cannot lock the folder ({exc.strerror or type(exc).__name__})") from None
        st = os.fstat(fd)
        key = (st.st_dev, st.st_ino)
        if key in cls._held:
            os.close(fd)
            cls._held[key][1] += 1
            return cls(folder, key)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _holder_text(fd)
            os.close(fd)
            raise EnvError(folder, f"in use by {holder}; wait for it to finish or stop it, then try again") from None
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "since_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "command": " ".join(command if command is not None else ["zonesim", *sys.argv[1:]])}
        data = json.dumps(info, ensure_ascii=False).encode()
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
        cls._held[key] = [fd, 1]
        return cls(folder, key)

    def release(self) -> None:
        key, self.key = self.key, None
        held = self._held.get(key) if key is not None else None
        if held is not None:
            held[1] -= 1
            if held[1] <= 0:
                del self._held[key]
                with contextlib.suppress(OSError):
                    os.close(held[0])  # closing the only descriptor releases the flock

    def __del__(self) -> None:  # a store object dropped without release() frees its folder too
        self.release()


def _holder_text(fd: int) -> str:
    """'pid 1234 on host h since 2026-..: zonesim sweep ...' from a lock file, as far as readable."""
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8", "replace") or "{}")
    except (OSError, ValueError):
        info = {}
    if not isinstance(info, dict) or "pid" not in info:
        return "another process"
    text = f"pid {info.get('pid')} on {info.get('host', '?')} since {info.get('since_utc', '?')}"
    cmd = str(info.get("command") or "")
    return text + (f" ({cmd[:150]})" if cmd else "")


# ------------------------------------------------------------------------------------------
# ownership
# ------------------------------------------------------------------------------------------
def zonesim_manifest(folder: Path) -> Path | None:
    """The zonesim manifest that makes ``folder`` a zonesim folder, if it has one: its own
    ``manifest.json`` or, for attribution and robustness folders, ``runs/manifest.json``."""
    for mf in (Path(folder) / MANIFEST, Path(folder) / "runs" / MANIFEST):
        try:
            if mf.is_file() and mf.stat().st_size < 500_000_000:
                data = json.loads(mf.read_text(encoding="utf-8"))
                if isinstance(data, dict) and "zonesim_version" in data and "kind" in data:
                    return mf
        except (OSError, ValueError):
            continue
    return None


def _visible_entries(folder: Path) -> list[Path]:
    """What is in ``folder`` besides zonesim's own lock file (stale temps are cleaned first)."""
    clean_stale(folder)
    return [p for p in folder.iterdir() if p.name != LOCK]


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


@dataclass
class OutputClaim:
    """What ``check_new_output`` found at ``path``: the identity of a zonesim folder that may be
    replaced (None when the path is missing or empty) and the locks held on it meanwhile."""

    path: Path
    old: tuple[int, int] | None = None
    locks: tuple[FolderLock, ...] = ()

    def remove_old(self) -> None:
        """Delete the zonesim folder checked at the start (moved aside in one step first, so the
        path is never half-deleted), if it is still the same folder."""
        if self.old is not None and _identity(self.path) == self.old:
            trash = Path(tempfile.mkdtemp(prefix=temp_prefix(self.path.name), suffix=".partial",
                                          dir=self.path.parent))
            os.rename(self.path, trash / "old")
            shutil.rmtree(trash, ignore_errors=True)
        self.old = None
        self.release()

    def release(self) -> None:
        for lock in self.locks:
            lock.release()
        self.locks = ()


def check_new_output(path: Path, overwrite: bool = False) -> OutputClaim:
    """Check that results may be written at ``path``: one InputError line (exit 2) if it is a
    file, the current folder (or holds it), a non-empty folder without ``--overwrite``, or — with
    ``--overwrite`` — a folder zonesim did not make; one EnvError line (exit 3) if another
    process is writing it. Returns the claim ``publish`` needs (locks held on a folder to replace)."""
    path = Path(path)
    try:
        here, target = Path.cwd().resolve(), path.resolve()
    except OSError:
        here = target = None
    if here is not None and (target == here or target in here.parents):
        raise InputError(path, "--out", "is the current folder or contains it; give a new folder for the results")
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise InputError(path, "--out", "exists and is not a folder; give a new folder path")
    if not path.exists():
        return OutputClaim(path)
    try:
        entries = _visible_entries(path)
    except OSError as exc:
        raise EnvError(path, f"cannot read the folder ({exc.strerror or type(exc).__name__})") from None
    if not entries:
        return OutputClaim(path)
    owned = zonesim_manifest(path) is not None
    if not overwrite:
        hint = "choose a new folder or pass --overwrite" if owned else "choose a new folder"
        raise InputError(path, "--out", f"folder exists and is not empty; {hint}")
    if not owned:
        raise InputError(path, "--overwrite", "not a zonesim results folder (no zonesim manifest.json); zonesim "
                                              "only replaces folders it made: choose a new --out folder")
    locks = []
    try:
        for folder in (path, path / "runs"):
            if folder.is_dir() and (folder == path or (folder / MANIFEST).is_file()):
                locks.append(FolderLock.acquire(folder))
    except EnvError:
        for lock in locks:
            lock.release()
        raise
    return OutputClaim(path, _identity(path), tuple(locks))


# ------------------------------------------------------------------------------------------
# staging and publishing
# ------------------------------------------------------------------------------------------
class Stage:
    """A hidden folder beside ``path`` that becomes ``path`` when complete (see the module doc)."""

    def __init__(self, path: Path, overwrite: bool = False, command: list[str] | None = None) -> None:
        self.path = Path(path)
        self.claim = check_new_output(self.path, overwrite)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            clean_stale(self.path.parent)
            self.tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(self.path.name), suffix=".partial",
                                             dir=self.path.parent))
            os.chmod(self.tmp, 0o755)
            self.lock = FolderLock.acquire(self.tmp, command)  # marks the staging folder as alive
        except BaseException:
            self.claim.release()
            raise

    def abandon(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.lock.release()
        self.claim.release()

    def publish(self, keep_lock: bool = False, keep_on_conflict: bool = True) -> Path:
        """Rename the staged folder to ``path``; returns the path it now has. ``keep_lock``: the
        lock stays held (and its file stays in the folder), for a store that is written on.
        If another process put results at ``path`` meanwhile, nothing of theirs is touched: the
        staged folder goes to a new sibling (``keep_on_conflict``) or is deleted, and an EnvError
        line says so."""
        path = self.path
        if not keep_lock:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp / LOCK)
            self.lock.release()
        try:
            if self.claim.old is not None and _identity(path) == self.claim.old:
                self._swap()
            else:
                os.rename(self.tmp, path)  # onto a missing or empty folder only
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
                self.claim.release()
                raise
            self.claim.release()
            if not keep_on_conflict:
                shutil.rmtree(self.tmp, ignore_errors=True)
                self.lock.release()
                raise EnvError(path, "another process put its results there meanwhile; nothing of theirs was "
                                     "touched: choose another --out") from None
            alt = path.with_name(f"{path.name}-{secrets.token_hex(3)}")
            os.rename(self.tmp, alt)
            raise EnvError(path, f"another process put its results there while this one ran; nothing of theirs "
                                 f"was touched, and these results are in {alt}") from None
        self.claim.release()
        return path

    def _swap(self) -> None:
        """Replace the zonesim folder checked (and locked) at the start: move it aside, move the new
        one in, delete the old. Each step is one rename; killed between them, both are hidden temp
        folders that the next start cleans up (the old one was being replaced anyway)."""
        path = self.path
        trash = Path(tempfile.mkdtemp(prefix=temp_prefix(path.name), suffix=".partial", dir=path.parent))
        os.rename(path, trash / "old")
        try:
            os.rename(self.tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.rename(trash / "old", path)  # put it back; if that fails too it stays visible below
            if (trash / "old").exists():
                os.rename(trash / "old", path.with_name(f"{path.name}-old-{secrets.token_hex(3)}"))
            shutil.rmtree(trash, ignore_errors=True)
            raise
        shutil.rmtree(trash, ignore_errors=True)


@contextlib.contextmanager
def staged_output(path: Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a hidden folder to write into; renamed to ``path`` when the body completes."""
    stage = Stage(path, overwrite)
    try:
        yield stage.tmp
    except BaseException:
        stage.abandon()
        raise
    stage.publish()


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_table(folder: Path, name: str, df: pd.DataFrame, csv: bool = True) -> None:
    """``name.parquet`` (and ``name.csv``) written atomically."""
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(f"{name}.parquet"), suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        df.to_parquet(tmp, index=False)
        os.chmod(tmp, 0o644)
        os.replace(tmp, folder / f"{name}.parquet")
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if csv:
        atomic_write(folder / f"{name}.csv", df.to_csv(index=False))


def write_yaml(path: Path, data: Any) -> None:
    atomic_write(path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def file_sha256(path: str | Path) -> str:
    p = Path(path)
    return hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""


# The code that determines a run's results, relative to sim/: the model and all it reads (world and
# package files, levers, outcomes), the run function with the rows a study keeps, and the replicate
# seeds. Charts, summaries, analyses of finished tables, the CLI, the store and the executors do not
# change what a run computes: editing them does not block resuming a study.
RESULT_CODE = ("core", "agents", "outcomes", "policies", "scenario", "model", "experiments/runner.py",
               "experiments/seeds.py")


def code_sha256() -> str:
    """SHA-256 over the source that determines results (:data:`RESULT_CODE`; each .py file by its
    path relative to sim/). Recorded in every manifest; a study only resumes with the code that
    started it."""
    root = Path(__file__).resolve().parents[1]
    files: set[Path] = set()
    for part in RESULT_CODE:
        path = root / part
        files.update(path.rglob("*.py") if path.is_dir() else [path])
    h = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.relative_to(root).as_posix()):
        h.update(f.relative_to(root).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()


_CODE: str | None = None


def own_code() -> str:
    """This process's :func:`code_sha256`, computed once (a worker reports it with every result)."""
    global _CODE
    if _CODE is None:
        _CODE = code_sha256()
    return _CODE


def manifest(command: list[str], **extra: Any) -> dict[str, Any]:
    """What produced a result folder: versions, command line, time, plus ``extra``."""
    import mesa
    import numpy

    return {
        "zonesim_version": __version__,
        "code_sha256": code_sha256(),
        "mesa_version": mesa.__version__,
        "numpy_version": numpy.__version__,
        # how numpy rounds exp, log and power in this process: tables agree bit for bit only between
        # processes with the same value (sim.core.maths)
        "maths_fingerprint": maths.fingerprint(),
        "numpy_simd_maths": maths.simd_maths(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "command": command,
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **extra,
    }


def write_json(path: Path, data: Any) -> None:
    atomic_write(path, json.dumps(data, indent=2, ensure_ascii=False, default=str))


def world_dict(world: Any) -> dict[str, Any]:
    """The resolved world as data: zones, every parameter value, source file and its hash."""
    return {
        "name": world.name, "title": world.title, "title_zh": world.title_zh,
        "start_year": world.start_year, "default_years": world.years, "source": world.source,
        "source_sha256": file_sha256(world.source),
        "params": world.params.model_dump(mode="json"),
        "param_overrides": world.param_overrides,
        "zones": [z.model_dump(mode="json") for z in world.zones],
    }
