"""The exception types shown to users as one line: bad input (exit 2) and a failing environment
(exit 3), and helpers that keep a message short whatever the user's value holds."""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable
from pathlib import Path

MAX_MESSAGE = 1000  # characters of one error line; a list of names longer than this is cut
MAX_NAMES = 40      # names listed after "allowed:" (a synthetic world may have thousands of zones)


class InputError(Exception):
    """Bad input from a file or the command line. ``str()`` is the single line shown to users."""

    def __init__(self, source: str | Path | None, field: str | None, message: str) -> None:
        self.source = "" if source is None else str(source)
        self.field = field
        self.message = message
        where = "".join(f"{part}: " for part in (self.source, field) if part)
        super().__init__(one_line(where + message))


class EnvError(Exception):
    """The input was fine but the surroundings failed or conflict: a full or read-only disk, a
    lock held by another process, another process's results in the way, a lost scheduler or
    worker. ``str()`` is one line; the command line exits with code 3."""

    def __init__(self, source: str | Path | None, message: str) -> None:
        self.source = str(source)
        self.message = message
        super().__init__(one_line(f"{self.source}: {message}" if source is not None else message))


SWITCH_ON, SWITCH_OFF = ("1", "on", "true", "yes"), ("0", "off", "false", "no")


def env_switch(name: str, default: bool = True) -> bool:
    """An on/off environment variable, read strictly: unset or empty is ``default``; 1, on, true,
    yes is on; 0, off, false, no is off (any case); another value raises InputError, one line
    naming the variable and what is allowed (the command line checks its switches before it
    writes anything, and exits 2)."""
    import os

    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value not in SWITCH_ON + SWITCH_OFF:
        on, off = ", ".join(SWITCH_ON), ", ".join(SWITCH_OFF)
        allowed = f"{on} (the default) or {off}" if default else f"{on} or {off} (the default)"
        raise InputError(f"environment variable {name}", None, f"{value!r} is not allowed: {allowed}")
    return value in SWITCH_ON


def env_whole(name: str, default: int, what: str) -> int:
    """A whole-number environment variable, read strictly: unset or empty is ``default``; otherwise
    ASCII digits only (``str.isdigit`` alone takes '²', which ``int`` refuses); another value raises
    InputError, one line naming the variable and ``what`` is allowed (the command line checks its
    switches before it writes anything, and exits 2)."""
    import os

    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()):
        raise InputError(f"environment variable {name}", None, f"{text!r} is not allowed: {what}")
    return int(text)


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """Control characters (a newline in a user's value, say) shown escaped, so the message stays
    one line, and at most ``limit`` characters."""
    text = "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxtuple = 2, 3, 4, 4
_SHORT.maxset = _SHORT.maxfrozenset = _SHORT.maxdeque = _SHORT.maxarray = 4
_SHORT.maxstring, _SHORT.maxlong, _SHORT.maxother = 50, 40, 50


def shown(value: object, limit: int = 60) -> str:
    """A user's value as a short text for an error message. Only the part shown is rendered
    (``reprlib`` stops at a few items and two levels), so a huge value — a YAML alias bomb expands
    to 10^9 items — costs nothing; measured: the plain ``repr`` of a 336-byte bomb took 181 s and
    3.5 GB before being cut."""
    text = _SHORT.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a close match exists, else ''."""
    match = difflib.get_close_matches(str(word)[:100], list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def name_list(choices: Iterable[str], limit: int = MAX_NAMES) -> str:
    """'a, b, c' — at most ``limit`` names, then how many there are in all."""
    names = list(choices)
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f", … ({len(names)} in all)"


def unknown_name(source: str | Path, field: str, word: str, choices: Iterable[str], what: str = "name") -> InputError:
    """An InputError for a name not in ``choices``, with a suggestion and the valid names."""
    choices = sorted(choices)
    return InputError(source, field, f"unknown {what} '{_cut(str(word))}'"
                                     f"{did_you_mean(word, choices)}; allowed: {name_list(choices)}")
