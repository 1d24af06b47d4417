"""Reading a results folder for the report (the only part of the report that touches the disk).

A results folder is one zonesim wrote: it has a ``manifest.json`` whose ``kind`` says which
command made it. Any other folder is refused with one line (``InputError``), so ``zonesim
report`` never writes a report into a folder that is not a results folder; an analysis that has
not finished (only its ``runs/``) says so. The manifest is read safely (a regular file, size
checked first). A folder whose runs did not all finish (failed runs, missing study parts) is read
with ``incomplete`` saying why, and the page shows it in a banner.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.core.errors import InputError
from sim.scenario.world import read_bytes


@dataclass
class Folder:
    """What a results folder holds, read once."""

    path: Path
    manifest: dict[str, Any]
    scenario: dict[str, Any]
    kind: str
    results: pd.DataFrame | None = None
    files: list[Path] = field(default_factory=list)
    world: dict[str, Any] = field(default_factory=dict)
    packages: list[dict[str, Any]] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)   # small tables by file name
    pictures: dict[str, bytes] = field(default_factory=dict)        # PNG bytes by file name
    texts: dict[str, str] = field(default_factory=dict)             # summary.md etc.
    study: pd.DataFrame | None = None                               # a sweep's runs (region rows)
    design: pd.DataFrame | None = None
    incomplete: str | None = None   # why the results are not complete, if they are not


def read_folder(path: Path) -> Folder:
    path = Path(path)
    if not path.is_dir():
        raise InputError(path, None, "not a folder; give a results folder written by zonesim")
    mpath = path / "manifest.json"
    if not mpath.is_file():
        if (path / "runs" / "manifest.json").is_file():
            raise InputError(path, None, "the analysis has not finished (only its runs/ are there); finish it "
                                         "with --resume, then write the report")
        raise InputError(path, None, "not a results folder (not a zonesim results folder: no manifest.json); give "
                                     "a folder written by zonesim run, compare, sweep, sensitivity, attribute, "
                                     "robust or discover")
    try:
        manifest = json.loads(read_bytes(mpath, 500_000_000).decode("utf-8"))  # a regular file, size checked
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(mpath, None, f"not valid JSON: {str(exc)[:120]}") from None
    if not isinstance(manifest, dict):
        raise InputError(mpath, None, "not a zonesim manifest (expected a JSON object)")
    if "zonesim_version" not in manifest and not isinstance(manifest.get("kind"), str):
        raise InputError(mpath, None, "not a zonesim manifest (no zonesim_version or kind); give a folder written "
                                      "by zonesim")
    files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    scenario: dict[str, Any] = {}
    spath = path / "scenario.yaml"
    if spath.is_file():
        try:
            scenario = yaml.safe_load(spath.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            scenario = {}
    kind = str(manifest.get("kind") or "unknown")
    results = None
    for name in ("results.parquet", "results.csv"):
        if (path / name).is_file():
            results = pd.read_parquet(path / name) if name.endswith("parquet") else pd.read_csv(path / name)
            break
    f = Folder(path, manifest, scenario if isinstance(scenario, dict) else {}, kind, results, files)
    f.incomplete = incompleteness(path, manifest)
    f.world = world_info(f)
    f.packages = packages_info(f)
    for p in files:
        if p.parent == path and p.suffix == ".md":
            f.texts[p.name] = p.read_text(encoding="utf-8")
        if p.suffix.lower() == ".png" and len(f.pictures) < 20:
            f.pictures[str(p.relative_to(path))] = p.read_bytes()
        if p.suffix == ".csv" and p.name != "results.csv" and len(f.tables) < 12 and p.parent in (path, path / "sensitivity"):
            try:
                f.tables[str(p.relative_to(path))] = pd.read_csv(p)
            except Exception:  # noqa: BLE001 - describe what can be read, skip what cannot
                continue
    if kind == "study" and "sensitivity/indices.csv" not in f.tables:
        read_study(f)
    return f


def incompleteness(path: Path, manifest: dict[str, Any]) -> str | None:
    """Why a results folder is incomplete (runs that failed, parts of a study not computed), or None."""
    failed = manifest.get("failed_runs")
    if manifest.get("complete") is False and isinstance(failed, list):
        return (f"{len(failed)} run(s) failed; the tables hold only the {manifest.get('rows', '?')} rows of the "
                "runs that finished")
    if manifest.get("kind") == "study" and ((path / "study.yaml").is_file() or (path / "index.jsonl").exists()):
        try:
            from sim.experiments.store import Store

            store = Store.open(path)
            done, total = len(store.verified()), store.n_chunks
        except (InputError, OSError, ValueError, KeyError):
            return "the study folder could not be checked"
        if done < total:
            return f"{total - done} of {total} parts of the study are missing or damaged; finish it with --resume"
    elif manifest.get("complete") is False:
        return "the command did not finish"
    return None


def read_study(f: Folder) -> None:
    """A sweep's region rows (all kept years) and its design, when the store is complete."""
    from sim.experiments.store import Store

    try:
        store = Store.open(f.path)
        df = store.load()
    except (InputError, KeyError, OSError):  # incomplete or foreign: the generic sections describe it
        return
    f.study = df[df["zone"] == "region"].reset_index(drop=True) if "zone" in df else df
    f.design = store.design()


def world_info(f: Folder) -> dict[str, Any]:
    w = f.scenario.get("world")
    if isinstance(w, dict) and w.get("zones"):
        return w
    name = f.manifest.get("world")
    if isinstance(name, str):
        try:
            from sim.experiments.results import world_dict
            from sim.scenario.world import load_world

            return world_dict(load_world(name))
        except Exception:  # noqa: BLE001 - a report of a foreign world still renders without names
            return {"name": name}
    return {}


def packages_info(f: Folder) -> list[dict[str, Any]]:
    sc = f.scenario
    pk = sc.get("packages", sc.get("package"))
    base = f.manifest.get("baseline") or sc.get("baseline")
    if isinstance(pk, list) and isinstance(base, str) and not any(
            isinstance(p, dict) and p.get("name") == base for p in pk):
        pk = [{"name": base}] + pk
    if isinstance(pk, dict):
        pk = [pk]
    if isinstance(pk, list) and pk:
        out = [p if isinstance(p, dict) else {"name": str(p)} for p in pk]
    else:
        names = f.manifest.get("packages", f.manifest.get("package"))
        if isinstance(names, str):
            names = [names]
        if names:
            out = [{"name": str(n)} for n in names]
        elif f.results is not None and "package" in f.results:
            out = [{"name": str(n)} for n in dict.fromkeys(f.results["package"])]
        else:
            out = []
    for p in out:  # titles of bundled packages when the folder only names them
        if "title" not in p and p.get("name"):
            try:
                from sim.scenario.packages import load_package

                pkg = load_package(p["name"])
                p.setdefault("title", pkg.title)
                p.setdefault("title_zh", pkg.title_zh)
            except Exception:  # noqa: BLE001 - an unknown name keeps its name
                pass
    return out
