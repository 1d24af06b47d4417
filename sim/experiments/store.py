"""The results store of a study: a Parquet dataset appended chunk by chunk, safe to resume.

Layout of a study folder::

    study.yaml          the resolved study (world, package, factors, seeds)
    manifest.json       versions, command lines, fingerprint, chunk size, every run's values and seed
    design.parquet/csv  one row per run: run, point, replicate, seed, chunk, factor values
    results/            the dataset: part-00000.parquet, part-00001.parquet, ... (one per chunk)
    index.jsonl         one line per finished part: chunk, file, rows, sha256, study fingerprint, code hash
    .zonesim.lock       the OS lock held by the process writing the store (and who that is)

Runs are grouped into fixed chunks of consecutive run numbers (the size is chosen from the
study alone, never from the number of workers); a chunk's part file holds its runs' rows in
run order, so every part — and the whole dataset — is byte-identical whoever computed it.

Writes: a part is written to a hidden temp file, fsync'd and renamed; only then is its line
(with row count and SHA-256) appended to ``index.jsonl`` and fsync'd. A part counts as done
only if its index line parses and the file's checksum matches, so a process killed at any
moment leaves either a finished part or one that ``--resume`` recomputes; nothing is
duplicated because a chunk always rewrites the same file name.

One writer, one study: the process writing a store holds its lock for the whole run (a second
sweep or ``--resume`` on it is refused with one line naming the holder), and every part carries
the study's fingerprint and the hash of the model code that computed it, in its index line and in
the Parquet file's own metadata; a part of another study or another code version is never
counted as done, so a store can never end "complete" with mixed parts.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.core.errors import EnvError, InputError
from sim.experiments.results import (FolderLock, Stage, atomic_write, clean_stale, manifest, write_json, write_table,
                                     write_yaml)

INDEX = "index.jsonl"
DATA = "results"
MAX_PARTS = 2000


SMALL_CHUNK = 4  # runs per part once a study has 100+ runs: a run takes ~0.1-0.5 s, a task's overhead ~20 ms


def auto_chunk(n_runs: int) -> int:
    """Runs per part, from the number of runs only (so every backend writes the same parts):
    1 for small studies (fine-grained resume), ``SMALL_CHUNK`` from 100 runs (fewer, larger tasks
    for pools and Dask), more once the part count would pass MAX_PARTS."""
    return max(1, math.ceil(n_runs / MAX_PARTS), SMALL_CHUNK if n_runs >= 100 else 1)


def part_name(chunk: int) -> str:
    return f"part-{chunk:05d}.parquet"


PART_KEY = b"zonesim"  # Parquet key-value metadata of a part: study fingerprint, code hash, chunk


def to_parquet_bytes(df: pd.DataFrame, meta: dict[str, Any] | None = None) -> bytes:
    """``df`` as Parquet bytes; ``meta`` goes into the file's key-value metadata (PART_KEY)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    if meta is not None:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               PART_KEY: json.dumps(meta, sort_keys=True).encode()})
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def part_meta(path: Path) -> dict[str, Any]:
    """The zonesim metadata a part file carries ({} if none or unreadable)."""
    import pyarrow.parquet as pq

    try:
        raw = (pq.read_schema(path).metadata or {}).get(PART_KEY)
        return json.loads(raw) if raw else {}
    except (OSError, ValueError, TypeError):
        return {}


@dataclass
class Store:
    """An open study folder."""

    path: Path
    info: dict[str, Any]
    lock: FolderLock | None = None

    # ------------------------------------------------------------------ create / open
    @classmethod
    def create(cls, path: Path, study: Any, runs: pd.DataFrame, chunk: int, command: list[str],
               overwrite: bool = False, **extra: Any) -> Store:
        """A new study folder with its study, design and manifest (made whole, then renamed in),
        locked by this process from the moment it appears until the process ends."""
        path = Path(path)
        stage = Stage(path, overwrite, command or None)  # written aside, renamed into place when complete
        try:
            tmp = stage.tmp
            runs = runs.copy()
            runs["chunk"] = (runs["run"] // chunk).astype("int64")
            write_yaml(tmp / "study.yaml", study.to_dict())
            write_table(tmp, "design", runs)
            info = manifest(command, kind="study", study=study.name, method=study.method,
                            fingerprint=study.fingerprint(), package=study.package.name,
                            package_chain=list(study.package.chain), package_source=study.package.source,
                            package_settings=study.package.to_dict()["levers"],
                            world=study.world.name, years=study.years, base_seed=study.spec.base_seed,
                            seeds=study.seeds, factors=[f.name for f in study.varying],
                            n_points=int(runs["point"].nunique()), n_runs=len(runs), chunk=chunk,
                            n_chunks=int(runs["chunk"].max()) + 1 if len(runs) else 0,
                            runs=_runs_list(runs), sessions=[], **extra)
            write_json(tmp / "manifest.json", info)
            (tmp / DATA).mkdir()
            atomic_write(tmp / INDEX, "")
        except BaseException:
            stage.abandon()
            raise
        stage.publish(keep_lock=True, keep_on_conflict=False)
        return cls(path, info, stage.lock)

    @classmethod
    def open(cls, path: Path) -> Store:
        path = Path(path)
        mf = path / "manifest.json"
        if not mf.is_file():
            raise InputError(path, "--out", "not a study folder (no manifest.json); start it without --resume")
        try:
            info = json.loads(mf.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise InputError(mf, None, "manifest is damaged; start the study again in a new folder") from None
        if not isinstance(info, dict) or info.get("kind") != "study":
            kind = info.get("kind") if isinstance(info, dict) else None
            raise InputError(mf, "kind", f"not a study folder (kind '{kind}')")
        return cls(path, info)

    def acquire(self, command: list[str] | None = None) -> Store:
        """Take the store's lock for this process's whole run (one EnvError line naming the holder
        if another process has it), then clear the temp files of writers that were killed."""
        if self.lock is None:
            self.lock = FolderLock.acquire(self.path, command)
        (self.path / DATA).mkdir(exist_ok=True)
        clean_stale(self.path)
        clean_stale(self.path / DATA)
        return self

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    # ------------------------------------------------------------------ state
    @property
    def chunk(self) -> int:
        return int(self.info["chunk"])

    @property
    def n_chunks(self) -> int:
        return int(self.info["n_chunks"])

    def design(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "design.parquet")

    def entries(self) -> dict[int, dict[str, Any]]:
        """Index lines that parse (the last one per chunk wins); a torn last line is ignored."""
        out: dict[int, dict[str, Any]] = {}
        p = self.path / INDEX
        if not p.exists():
            return out
        for line in p.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                e = json.loads(line)
                out[int(e["chunk"])] = e
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                continue
        return out

    @property
    def stamp(self) -> dict[str, Any]:
        """What every part of this store must carry: the study fingerprint and the code hash."""
        return {"fingerprint": self.info.get("fingerprint"), "code_sha256": self.info.get("code_sha256")}

    def verified(self) -> dict[int, dict[str, Any]]:
        """Chunks whose part file exists, matches its recorded checksum and size, and carries this
        study's fingerprint and code hash (in its index line and in the file itself)."""
        good = {}
        want = self.stamp
        for k, e in self.entries().items():
            f = self.path / DATA / str(e.get("file", ""))
            if f.parent != self.path / DATA or e.get("file") != part_name(k):
                continue
            if any(e.get(key) != value for key, value in want.items()):
                continue
            if f.is_file() and f.stat().st_size == e.get("bytes") and _sha256(f) == e.get("sha256"):
                meta = part_meta(f)
                if all(meta.get(key) == value for key, value in want.items()) and meta.get("chunk") == k:
                    good[k] = e
        return good

    def repair(self) -> set[int]:
        """Rewrite the index with only verified entries (drops torn lines, damaged parts and
        orphans); returns the chunks that are done."""
        if self.lock is None:
            raise EnvError(self.path, "the store is not locked by this process; open it with acquire()")
        good = self.verified()
        keep = {e["file"] for e in good.values()}
        for f in (self.path / DATA).iterdir():
            if f.name not in keep and f.is_file():
                f.unlink()
        atomic_write(self.path / INDEX, "".join(json.dumps(good[k], sort_keys=True) + "\n" for k in sorted(good)))
        return set(good)

    # ------------------------------------------------------------------ writing
    def write_chunk(self, chunk: int, df: pd.DataFrame, code_sha256: str | None = None) -> None:
        """Write one chunk's part and index line. ``code_sha256``: the code hash of the process
        that computed the rows; a part computed by other code than the store's is refused."""
        if self.lock is None:
            raise EnvError(self.path, "the store is not locked by this process; open it with acquire()")
        if code_sha256 is not None and code_sha256 != self.info.get("code_sha256"):
            raise EnvError(self.path, f"part {chunk} was computed by other model code (code {code_sha256[:12]}, "
                                      f"the study's {str(self.info.get('code_sha256'))[:12]}); not saved")
        name = part_name(chunk)
        data = to_parquet_bytes(df, {**self.stamp, "chunk": chunk})
        atomic_write(self.path / DATA / name, data)
        runs = sorted(set(df["run"].tolist())) if "run" in df else []
        entry = {"chunk": chunk, "file": name, "rows": len(df), "bytes": len(data),
                 "sha256": hashlib.sha256(data).hexdigest(), "runs": [runs[0], runs[-1]] if runs else [],
                 **self.stamp}
        with open(self.path / INDEX, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def add_session(self, session: dict[str, Any]) -> None:
        """Record one sweep session (backend, workers, times) in the manifest."""
        self.info.setdefault("sessions", []).append(session)
        done = len(self.verified())
        self.info["complete"] = done == self.n_chunks
        self.info["chunks_done"] = done
        write_json(self.path / "manifest.json", self.info)

    # ------------------------------------------------------------------ reading
    def load(self, columns: Iterable[str] | None = None, allow_partial: bool = False) -> pd.DataFrame:
        """Every verified part, in run order, as one tidy table."""
        good = self.verified()
        if len(good) != self.n_chunks and not allow_partial:
            missing = self.n_chunks - len(good)
            raise InputError(self.path, None, f"study is incomplete ({missing} of {self.n_chunks} parts missing "
                                              "or damaged); finish it with --resume")
        cols = list(columns) if columns is not None else None
        frames = [pd.read_parquet(self.path / DATA / good[k]["file"], columns=cols) for k in sorted(good)]
        if not frames:
            return pd.DataFrame(columns=cols or [])
        return pd.concat(frames, ignore_index=True)

    def part_bytes(self) -> dict[str, bytes]:
        """Every part file's bytes by name (to compare two stores)."""
        return {f.name: f.read_bytes() for f in sorted((self.path / DATA).glob("part-*.parquet"))}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _runs_list(runs: pd.DataFrame) -> list[dict[str, Any]]:
    """Every run's keys and factor values as plain Python values (floats exact, not rounded)."""
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in rec.items()} for rec in runs.to_dict("records")]
