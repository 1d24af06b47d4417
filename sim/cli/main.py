"""``zonesim`` command line: one subcommand per module in ``sim.cli.commands``.

Exit codes, each failure one line on stderr (``zonesim: error: ...``):

* 2 — bad input (``FILE: FIELD: what is allowed``), or work beyond the resource budget without
  ``--force``; nothing is written;
* 3 — the environment failed or is in the way: a full or read-only disk, no permission, a file
  too large, out of memory, a folder locked by another zonesim process, another process's results
  at ``--out``, a lost Dask scheduler or worker, runs that failed (the finished ones are saved);
* 130 — interrupted (Ctrl-C); 1 — ``validate --strict`` found a failing target.
"""

from __future__ import annotations

import argparse
import importlib
import sys

import errno

from sim import __version__
from sim.core.errors import EnvError, InputError, one_line

# Subcommands in the order `zonesim --help` lists them, with their one-line summary; each module
# sim/commands/NAME.py has register(subparsers). Only the module of the command being run is
# imported, so `zonesim --help` and errors in the arguments come back quickly.
COMMANDS = {
    "run": "run one world under one package over several seeds",
    "compare": "compare packages against the baseline on common seeds",
    "report": "a self-contained HTML report (zh/en) from a results folder",
    "dashboard": "the live workshop dashboard (Mesa SolaraViz) in a browser",
    "sweep": "run a study file: a design over levers and uncertainties (resumable, local or Dask)",
    "sensitivity": "Morris or Sobol sensitivity indices of a study (SALib)",
    "validate": "check the model against the calibration targets and known policy effects",
    "calibrate": "fit the world's estimated parameters to the targets (simulated method of moments)",
    "attribute": "split a package's effect among its measures or areas (Shapley values)",
    "robust": "rank packages by regret and satisficing across uncertain futures",
    "discover": "find the conditions under which an outcome fails (PRIM scenario discovery)",
    "plan": "print the year's stages and the levers acting in each (--time: where the time goes)",
}


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


def bounded_float(low: float, high: float):
    """An argparse type: a finite number in [low, high] (nan and inf refused at parse time)."""
    def check(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not low <= value <= high:  # also false for nan
            raise argparse.ArgumentTypeError(f"must be a number between {low:g} and {high:g}, got {text}")
        return value
    return check


def add_output_options(p: argparse.ArgumentParser, out_default: str, seeds_default: int, seeds_min: int = 1,
                       seeds_help: str = "number of replicate seeds") -> None:
    """Options shared by the commands that run replicates and write one results folder:
    --seeds, --seed, --workers, --out, --overwrite, --lang, --no-progress."""
    from pathlib import Path

    p.add_argument("--seeds", "-k", type=positive_int(seeds_min, 100_000), default=seeds_default,
                   help=f"{seeds_help} (default: %(default)s)")
    p.add_argument("--seed", type=positive_int(0, 2**63 - 1), default=20210,
                   help="base seed; replicate seeds derive from it (default: %(default)s)")
    p.add_argument("--workers", "-w", type=positive_int(1, 1024), default=None,
                   help="worker processes (default: all cores)")
    p.add_argument("--out", "-o", type=Path, default=None,
                   help=f"output folder, must be new or empty (default: {out_default}-XXXXXX, a new name)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace --out if it is a results folder zonesim made (never any other folder)")
    add_force_option(p)
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of what a person reads: charts, summaries, workbooks and the printed "
                        "tables (default: %(default)s)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def add_force_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--force", action="store_true",
                   help="run even if the estimated memory or time is beyond the budget (half this machine's "
                        "memory, 6 hours; see docs/reliability.md)")


def years_option(p: argparse.ArgumentParser, low: int = 1, default_text: str = "the world's horizon, 20") -> None:
    """--years, within the tested horizon (sim.core.params.MAX_YEARS)."""
    from sim.core.params import MAX_YEARS

    p.add_argument("--years", "-y", type=positive_int(low, MAX_YEARS), default=None,
                   help=f"years to simulate, {low}-{MAX_YEARS} (default: {default_text})")


def build_parser(only: str | None = None) -> Parser:
    """The full parser, or (``only``) one with just that command's options and the others listed."""
    parser = Parser(prog="zonesim", description="Agent-based simulator of high-tech development zones "
                    "(高新区) under policy measure packages. Default world: Guangxi's 14 zones, 2021.",
                    formatter_class=argparse.RawDescriptionHelpFormatter,
                    epilog="Run 'zonesim COMMAND --help' for each command's options.")
    parser.add_argument("--version", action="version", version=f"zonesim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, summary in COMMANDS.items():
        if only is None or name == only:
            importlib.import_module(f"sim.cli.commands.{name}").register(sub)
        else:
            sub.add_parser(name, help=summary, description=summary)
    return parser


def _command_in(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word that is not an option), if any."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command_in(argv) or "")
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    from sim.cli.output import print_notes, use_file_backend

    use_file_backend()
    try:
        from sim.core.kernels import selection_wanted, switches_wanted
        from sim.core.memory import gc_freeze_wanted
        from sim.core.threads import wanted as threads_wanted
        from sim.model.spinup import check_env

        check_env()  # the environment switches (spin-up cache, collector freeze, kernels, selection,
        gc_freeze_wanted()  # threads): a bad value stops here, nothing written
        switches_wanted()
        selection_wanted()
        threads_wanted()
        return int(args.handler(args) or 0)
    except InputError as exc:
        sys.stderr.write(f"zonesim: error: {exc}\n")
        return 2
    except EnvError as exc:
        sys.stderr.write(f"zonesim: error: {exc}\n")
        return 3
    except KeyboardInterrupt:
        sys.stderr.write("zonesim: interrupted\n")
        return 130
    except (OSError, MemoryError) as exc:
        sys.stderr.write(f"zonesim: error: {environment_text(exc)}\n")
        return 3
    except Exception as exc:
        from concurrent.futures.process import BrokenProcessPool

        if isinstance(exc, BrokenProcessPool):
            sys.stderr.write("zonesim: error: a worker process died (out of memory, or killed); finished runs "
                             "of a study are kept: --resume continues\n")
            return 3
        raise
    finally:
        print_notes()


HINTS = {
    errno.ENOSPC: "the disk is full; free some space and run again (a study continues with --resume)",
    errno.EDQUOT: "the disk quota is used up; free some space and run again",
    errno.EROFS: "the file system is read-only; choose an --out on a writable disk",
    errno.EACCES: "permission denied; choose a folder you may write to",
    errno.EPERM: "operation not permitted; choose a folder you may write to",
    errno.EFBIG: "the file is too large for this file system",
    errno.EMFILE: "too many open files; raise the limit (ulimit -n) or use fewer --workers",
}


def environment_text(exc: BaseException) -> str:
    """One line for an OSError or MemoryError: the file, what happened, what to do."""
    if isinstance(exc, MemoryError):
        return "out of memory; use fewer seeds, years or --workers (the estimate is in docs/reliability.md)"
    err = getattr(exc, "errno", None)
    name = getattr(exc, "filename", None)
    what = HINTS.get(err) or (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)
    return one_line(f"{name}: {what}" if name else what)


if __name__ == "__main__":
    sys.exit(main())
