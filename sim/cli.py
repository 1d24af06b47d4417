"""``zonesim`` command line: one subcommand per module in ``sim.commands``.

Bad input of any kind ends with one line on stderr (``zonesim: error: FILE: FIELD: ...``) and
exit code 2; nothing is written.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__
from .errors import InputError

# Subcommands in the order `zonesim --help` lists them; each module has register() and main().
COMMANDS = ("run", "compare", "report", "dashboard", "sweep", "sensitivity", "validate", "calibrate",
            "attribute", "robust", "discover")


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def positive_int(low: int = 1, high: int = 10**9):
    def check(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got {value}")
        return value
    return check


def build_parser() -> Parser:
    parser = Parser(prog="zonesim", description="Agent-based simulator of high-tech development zones "
                    "(高新区) under policy measure packages. Default world: Guangxi's 14 zones, 2021.",
                    formatter_class=argparse.RawDescriptionHelpFormatter,
                    epilog="Run 'zonesim COMMAND --help' for each command's options.")
    parser.add_argument("--version", action="version", version=f"zonesim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMANDS:
        importlib.import_module(f"sim.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    try:
        return int(args.handler(args) or 0)
    except InputError as exc:
        sys.stderr.write(f"zonesim: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("zonesim: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
