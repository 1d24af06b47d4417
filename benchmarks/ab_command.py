"""A whole ``zonesim`` command at two revisions, in fresh processes, alternated: what a change gained
a user (issue 19, docs/performance.md, twenty-fifth session).

    python benchmarks/ab_command.py --base REV [--pairs 3] [--warm-ups 1] -- compare --lang zh
    python benchmarks/ab_command.py --base REV -- sweep scenarios/studies/evaluation-levers.yaml

The base revision's ``sim`` and ``scenarios`` (``git archive``) are unpacked into a temporary
directory; each timed run is ``python -m sim.cli COMMAND --out FOLDER --no-progress`` in a new
process, with ``PYTHONPATH`` at the base's copy or at this checkout, and its worker processes as the
command makes them. Untimed warm-ups first (``--warm-ups`` each: the base's copy compiles its numba
kernels into its own cache). Then ``--pairs`` pairs in the order base, this, this, base, base,
this, ... (so a machine that speeds up or slows down during the series favours neither side).
Prints every time with the CPU steal and load average over it and the memory's copy speed before
it (``benchmarks/machine.py``: a run with much steal or slow copies ran on a slower machine than its
neighbours), each pair's ratio (this / base) and
their median, and then compares the two
sides' last output folders file by file: Parquet tables by their values (their metadata may record
the code), every other file by its bytes. A file that differs is named; ``manifest.json`` (the
command line, workers, times), ``tables.xlsx`` (its time of writing), ``scenario.yaml`` (the world
file's path) and a study store's ``index.jsonl`` (the code's hash, the parts in the order they
finished) and lock file are expected to. Relative paths in COMMAND are taken from this checkout.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from ab_fixed import unpack_base
from machine import Watch
from reference import positive  # a whole number >= 1, else one line and exit 2

# files that record the command line, the workers, times, paths or the code: expected to differ
EXPECTED_TO_DIFFER = {"manifest.json", "tables.xlsx", "scenario.yaml", "index.jsonl", ".zonesim.lock"}


def run(code: Path, command: list[str], out: Path, watch: Watch | None = None) -> float:
    """Seconds of one command in a fresh process with ``code`` first on the path (exit 0 or stop);
    the machine's state over it into ``watch`` when given."""
    shutil.rmtree(out, ignore_errors=True)  # a fresh folder each run (the last one of a side stays, to compare)
    env = {**os.environ, "PYTHONPATH": str(code)}
    watch = (watch or Watch()).start()
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sim.cli", *command, "--out", str(out), "--no-progress"],
                          env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    watch.stop()
    if done.returncode != 0:
        sys.exit(f"ab_command: the command failed with {code}: {done.stderr.strip().splitlines()[-1:]}")
    return seconds


def differing(a: Path, b: Path) -> list[str]:
    """Files of the folders ``a`` and ``b`` (recursively) that differ or are missing on one side."""
    import pandas as pd

    names = sorted({p.relative_to(a) for p in a.rglob("*") if p.is_file()}
                   | {p.relative_to(b) for p in b.rglob("*") if p.is_file()})
    out = []
    for name in names:
        x, y = a / name, b / name
        if not (x.exists() and y.exists()):
            out.append(str(name))
        elif name.suffix == ".parquet":
            if not pd.read_parquet(x).equals(pd.read_parquet(y)):
                out.append(str(name))
        elif x.read_bytes() != y.read_bytes():
            out.append(str(name))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="git revision to compare with (e.g. main, a commit)")
    ap.add_argument("--pairs", type=positive, default=3, help="timed pairs (default 3)")
    ap.add_argument("--warm-ups", type=int, default=1, choices=range(0, 4), metavar="{0..3}",
                    help="untimed runs of each side first (default 1)")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- then the zonesim command and its options")
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("name the zonesim command after --, e.g. -- compare --lang zh")
    if "--out" in command or "-o" in command:
        ap.error("the command's --out is this script's: leave it out")
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", args.base + "^{commit}"],
                      capture_output=True).returncode != 0:
        ap.error(f"--base: {args.base!r} is not a revision of this repository")
    with tempfile.TemporaryDirectory(prefix="ab-command-") as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        unpack_base(args.base, base, rename=False)
        sides = {"base": base, "this": ROOT}
        for _ in range(args.warm_ups):
            for side, code in sides.items():
                run(code, command, Path(tmp) / f"warm-{side}")
        order = [("base", "this"), ("this", "base")]
        times: dict[str, list[float]] = {"base": [], "this": []}
        print(f"zonesim {' '.join(command)}: {args.base} against this checkout, fresh processes", flush=True)
        whole = Watch().start()
        for k in range(args.pairs):
            for side in order[k % 2]:
                folder = Path(tmp) / side
                w = Watch()
                times[side].append(run(sides[side], command, folder, w))
                steal = "steal not known" if w.steal is None else f"steal {100 * w.steal:4.1f} %"
                print(f"  pair {k + 1}: {side:4s} {times[side][-1]:7.2f} s   ({steal}, load {w.load_start or 0:.1f}, "
                      f"memory copy {w.copy_start:.1f} GB/s)", flush=True)
        print(whole.stop().line())
        ratios = [t / b for t, b in zip(times["this"], times["base"])]
        print("ratios (this / base): " + ", ".join(f"{r:.3f}" for r in ratios)
              + f"; median {statistics.median(ratios):.3f}")
        diff = differing(Path(tmp) / "base", Path(tmp) / "this")
        same = [d for d in diff if Path(d).name not in EXPECTED_TO_DIFFER]
        print("outputs: " + ("the same" if not same else "DIFFER: " + ", ".join(same))
              + (f" (also differ, as expected: {', '.join(sorted(set(diff) - set(same)))})" if diff != same else ""))


if __name__ == "__main__":
    main()
