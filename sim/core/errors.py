"""The one exception type for bad input, rendered as one line: file, field, what is allowed."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class InputError(Exception):
    """Bad input from a file or the command line. ``str()`` is the single line shown to users."""

    def __init__(self, source: str | Path, field: str | None, message: str) -> None:
        self.source = str(source)
        self.field = field
        self.message = message
        where = f"{self.source}: {field}: " if field else f"{self.source}: "
        super().__init__(one_line(where + message))


def one_line(text: str) -> str:
    """Control characters (a newline in a user's value, say) shown escaped, so the message stays one line."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a close match exists, else ''."""
    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def unknown_name(source: str | Path, field: str, word: str, choices: Iterable[str], what: str = "name") -> InputError:
    """An InputError for a name not in ``choices``, with a suggestion and the valid names."""
    choices = sorted(choices)
    return InputError(source, field, f"unknown {what} '{word}'{did_you_mean(word, choices)}; "
                                     f"allowed: {', '.join(choices)}")
