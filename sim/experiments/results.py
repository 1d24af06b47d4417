"""Result folders: written whole or not at all, each with its manifest and resolved scenario.

``staged_output(path)`` yields a hidden temporary folder beside ``path``; if the body raises,
the temporary folder is removed and ``path`` is never created; on success it is renamed to
``path`` in one step. Files inside are written with ``atomic_write`` (temp file + rename).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim import __version__
from sim.core.errors import InputError

RESULTS = Path("results")


def default_out(kind: str, *names: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return RESULTS / "-".join([kind, *names, stamp])


def check_new_output(path: Path, overwrite: bool = False) -> None:
    """Refuse (one line, exit 2) to write into an existing non-empty folder unless told to."""
    if path.exists() and not path.is_dir():
        raise InputError(path, "--out", "exists and is a file; give a folder path")
    if path.exists() and any(path.iterdir()) and not overwrite:
        raise InputError(path, "--out", "folder exists and is not empty; choose a new folder or pass --overwrite")


@contextlib.contextmanager
def staged_output(path: Path, overwrite: bool = False) -> Iterator[Path]:
    check_new_output(path, overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent))
    os.chmod(tmp, 0o755)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if path.exists():
        shutil.rmtree(path)
    os.replace(tmp, path)


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
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
    tmp = folder / f".{name}.parquet.tmp"
    df.to_parquet(tmp, index=False)
    os.replace(tmp, folder / f"{name}.parquet")
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


def manifest(command: list[str], **extra: Any) -> dict[str, Any]:
    """What produced a result folder: versions, command line, time, plus ``extra``."""
    import mesa
    import numpy

    return {
        "zonesim_version": __version__,
        "code_sha256": code_sha256(),
        "mesa_version": mesa.__version__,
        "numpy_version": numpy.__version__,
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
