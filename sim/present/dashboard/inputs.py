"""Every value the dashboard takes from a browser, checked on the server (no solara needed).

A browser can send any value for any control — the slider's maximum and the select's list exist
only on the page — so the server checks each one against the same rules as the command line:
worlds and packages are chosen from the bundled lists (or the one the operator named when
starting the dashboard), never a path on the server; whole numbers lie within the slider's
bounds; lever settings go through the levers' own ``Settings`` (finite, bounded); YAML typed into
a text box is short and has its aliases capped. A bad value is refused with one line and changes
nothing.
"""

from __future__ import annotations

import html
import os
import re
from typing import Any

from sim.core.errors import InputError, shown
from sim.core.params import MAX_YEARS
from sim.scenario.world import DEFAULT_PACKAGE, DEFAULT_WORLD, PACKAGES, WORLDS, bundled_names, safe_yaml

MAX_SEEDS = 10          # replicate seeds of a side-by-side comparison
MAX_SEED = 2**63 - 1    # base seed, as `zonesim run --seed`
MAX_TEXT = 10_000       # characters of a YAML text box
MAX_PACKAGES = 4        # packages of a side-by-side comparison
MAX_RUNS_PER_SESSION = MAX_PACKAGES * MAX_SEEDS  # one comparison at a time per browser session, this many runs
MAX_BAND = 5            # seeds behind the live run's band (each one more model stepped live)


def operator_world() -> str:
    """The world named on the dashboard's command line (trusted: the operator chose it)."""
    return os.environ.get("ZONESIM_WORLD", DEFAULT_WORLD)


def operator_package() -> str:
    return os.environ.get("ZONESIM_PACKAGE", DEFAULT_PACKAGE)


def world_names() -> list[str]:
    """What a browser may choose as the world: the bundled worlds and the operator's choice."""
    return sorted(set(bundled_names(WORLDS)) | {operator_world()})


def package_names() -> list[str]:
    return sorted(set(bundled_names(PACKAGES)) | {operator_package()})


def choice(value: Any, allowed: list[str], what: str) -> str:
    """``value`` if it is one of ``allowed`` (exactly), else one InputError line."""
    if isinstance(value, str) and value in allowed:
        return value
    raise InputError(f"dashboard {what}", None, f"{shown(value)} is not one of the {what}s offered; choose "
                                                f"from the list")


def world_choice(value: Any) -> str:
    return choice(value, world_names(), "world")


def package_choice(value: Any, extra: tuple[str, ...] = ()) -> str:
    return choice(value, [*extra, *package_names()], "package")


_WHOLE = re.compile(r"-?[0-9]{1,20}")


def whole(value: Any, low: int, high: int, what: str) -> int:
    """A whole number in [low, high] from a control: an int, an integral float or digits."""
    if isinstance(value, bool):
        raise InputError(f"dashboard {what}", None, f"expected a whole number, got {shown(value)}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):  # ASCII digits: str.isdigit takes '²', int() not
        value = int(value.strip())
    if not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"dashboard {what}", None, f"must be a whole number from {low} to {high:,}, got "
                                                    f"{shown(value)}")
    return value


def seed_value(value: Any) -> int:
    return whole(value, 0, MAX_SEED, "seed")


def years_value(value: Any) -> int:
    return whole(value, 1, MAX_YEARS, "years")


def seeds_value(value: Any) -> int:
    return whole(value, 1, MAX_SEEDS, "seeds")


def band_value(value: Any) -> int:
    return whole(value, 1, MAX_BAND, "band seeds")


def control_value(spec: dict[str, Any], value: Any) -> Any:
    """A lever control's value as sent by a browser, checked against the control's own spec: a
    slider's number within its min and max (finite), a switch's true/false, a select's offered
    choice, a text box's text of at most MAX_TEXT characters. The lever's Settings check the
    combination again on Reset."""
    import math

    kind, label = spec.get("type"), str(spec.get("label", "control"))
    if kind in ("SliderInt", "SliderFloat"):
        lo, hi = spec["min"], spec["max"]
        if kind == "SliderInt":
            return whole(value, int(lo), int(hi), label)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not lo <= value <= hi:
            raise InputError(f"dashboard {label}", None, f"must be a number from {lo:g} to {hi:g}, got {shown(value)}")
        return float(value)
    if kind == "Checkbox":
        if not isinstance(value, bool):
            raise InputError(f"dashboard {label}", None, f"expected on or off, got {shown(value)}")
        return value
    if kind == "Select":
        return choice(value, list(spec.get("values", [])), label)
    if kind == "MultiSelect":
        return choices(value, list(spec.get("values", [])), label)
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise InputError(f"dashboard {label}", None, f"expected text of at most {MAX_TEXT:,} characters")
    return value


def choices(value: Any, allowed: list[str], what: str) -> list[str]:
    """A multi-select's list: each item one of ``allowed``, no repeats (so never longer than it)."""
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list) or len(value) > len(allowed):
        raise InputError(f"dashboard {what}", None, f"expected a list of the offered choices, got {shown(value)}")
    out: list[str] = []
    for v in value:
        c = choice(v, allowed, what)
        if c not in out:
            out.append(c)
    return out


def picker_value(spec: dict[str, Any], value: Any) -> str:
    """A picker's selection (hosting pairs, county parks) as the YAML text of the setting; every
    item must be one offered."""
    chosen = choices(value, list(spec.get("options", [])), str(spec.get("label", "control")))
    return picker_text(spec, chosen)


def picker_text(spec: dict[str, Any], chosen: list[str]) -> str:
    """The YAML text of the chosen picker options (already checked against the offered ones)."""
    import yaml

    if spec.get("picker") == "pairs":
        data = [dict(zip(("host", "hosted"), c.split(">", 1))) for c in chosen]
    else:
        data = [spec["catalogue"][c] for c in chosen]
    return yaml.safe_dump(data, default_flow_style=True, allow_unicode=True, width=10_000).strip() if data else "[]"


MAX_UPLOAD = 64 * 1024  # bytes of a package file loaded from the browser


def package_upload(data: Any, filename: Any = "package.yaml") -> Any:
    """A package file sent by a browser, validated like ``zonesim run --package FILE``: at most
    MAX_UPLOAD bytes of UTF-8 YAML (aliases capped), a mapping, ``extends`` only a bundled package
    name (never a path on the server), then the project's loader (every lever's Settings). Returns
    the Package; any problem is one InputError line and nothing changes."""
    import tempfile
    from pathlib import Path

    import yaml

    from sim.scenario.packages import load_package

    where = "uploaded package"
    if not isinstance(data, (bytes, bytearray)):
        raise InputError(where, None, "expected the contents of a file")
    if len(data) > MAX_UPLOAD:
        raise InputError(where, None, f"at most {MAX_UPLOAD // 1024} KB, got {len(data) // 1024:,} KB")
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(where, None, "not UTF-8 text (expected a .yaml package file)") from None
    try:
        spec = safe_yaml(text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(where, None, f"not valid YAML ({str(problem)[:120]})") from None
    except (RecursionError, ValueError) as exc:
        raise InputError(where, None, f"not valid YAML ({str(exc)[:120]})") from None
    if not isinstance(spec, dict):
        raise InputError(where, None, "expected a package file: name, title, levers, ...")
    ext = spec.get("extends")
    if ext is not None and ext not in bundled_names(PACKAGES):
        raise InputError(where, "extends", f"{shown(ext)} is not a bundled package; a loaded file may extend "
                                           f"only a bundled package by name, e.g. baseline or hosting")
    with tempfile.TemporaryDirectory(prefix="zonesim-upload-") as tmp:
        path = Path(tmp) / "package.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            pkg = load_package(path)
        except InputError as exc:
            raise InputError(where, None, str(exc).replace(str(path), "file").replace(tmp, "")[:400]) from None
    import dataclasses

    return dataclasses.replace(pkg, source=f"uploaded file {str(filename)[:80]}")


def yaml_text(text: Any, what: str = "setting") -> Any:
    """The value typed into a YAML text box: at most MAX_TEXT characters, aliases capped."""
    if not isinstance(text, str):
        raise ValueError(f"{what}: expected text, got {shown(text)}")
    if len(text) > MAX_TEXT:
        raise ValueError(f"{what}: at most {MAX_TEXT:,} characters")
    import yaml

    try:
        return safe_yaml(text) if text.strip() else None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValueError(f"{what}: not valid YAML ({str(problem)[:120]})") from None
    except RecursionError:
        raise ValueError(f"{what}: not valid YAML (nesting too deep)") from None


def text(value: Any) -> str:
    """Any text shown inside HTML the dashboard builds itself (titles, names), escaped."""
    return html.escape(str(value), quote=True)
