"""Where a run's time goes at the machine's level: a py-spy native profile, sorted into kinds of work.

    py-spy record --native -r 40 -f raw -o rows.txt -- \
        python benchmarks/study_drift.py --rows 250 --window 250 --probes 1
    python benchmarks/native_profile.py rows.txt [--under run_one]

(the Sobol benchmark study's rows through ``run_one`` as a worker runs them; any py-spy raw profile
will do, with ``--under`` the function whose time is wanted: ``ZoneModel.step`` for the years,
``ZoneModel.__init__`` for the builds, ``''`` for everything).

py-spy's ``--native`` stacks end in the C function that was running: numpy's loops, its SIMD
maths library, the C library, or code compiled at run time (numba's kernels, shown as ``?``).
This script counts the samples whose stack passes through ``--under`` (a run's frames, leaving out
imports and the study's set-up) and puts each in one kind of work by the function it was in:

- numpy's transcendental functions (its loops ``DOUBLE_power_X86_V4`` and the like, the SIMD maths
  library ``__svml_*`` under them, or the C library's ``libm``);
- compiled kernels (numba's code: ``?`` frames);
- numpy's element-wise arithmetic loops (``DOUBLE_multiply_X86_V3`` and the like);
- numpy's gathers, scatters and copies (fancy indexing, boolean masks, ``memcpy``);
- numpy's sorts, searches and bincount;
- memory allocated and freed (``malloc``, ``free``, array deallocation);
- the garbage collector;
- the rest: Python's interpreter and numpy's call overhead (ufunc dispatch, new array objects).

It also says how much of it ran under the keyed random streams (``sim/core/streams.py``) and how
much of that in their compiled code (the hashing and the conversions). The transcendental functions
and the streams' compiled code are work any implementation of the same model keeps (the same draws,
the same functions: the same results); the call overhead, the allocations and most of the passes
are what compiling a whole year into fewer passes would remove or shrink. The profiler stops the
process to read its stacks (a run takes about twice as long), but its shares were checked against
clocks with ``benchmarks/profiler_bias.py`` (within a point or two); with a few thousand samples a
share is good to about a point (the project's stage timer, ``bench_model.py``, gives the streams'
share of an unprofiled run).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

KINDS = (
    "numpy's transcendental functions (SIMD maths or libm)",
    "compiled kernels (numba)",
    "numpy's element-wise arithmetic loops",
    "numpy's gathers, scatters and copies",
    "numpy's sorts, searches and bincount",
    "memory allocated and freed",
    "the garbage collector",
    "Python's interpreter and numpy's call overhead",
)

_ARITH = re.compile(r"^(BOOL|BYTE|UBYTE|SHORT|USHORT|INT|UINT|LONG|ULONG|LONGLONG|ULONGLONG|HALF|FLOAT|DOUBLE|"
                    r"LONGDOUBLE)_\w+|_X86_V\d|^\w+_(add|subtract|multiply|divide|maximum|minimum|less|greater|"
                    r"equal|not_equal|logical_\w+|absolute|negative|sign|floor|ceil|rint|square|sqrt)\b|pairwise_sum")
_TRANS = re.compile(r"^__svml_|^(FLOAT|DOUBLE|LONGDOUBLE)_(power|float_power|exp|exp2|expm1|log|log2|log10|log1p|sin|cos|"
                    r"tan|arcsin|arccos|arctan|arctan2|sinh|cosh|tanh|cbrt)(_|$)|^(pow|exp|log|log1p|expm1)f?$")
_GATHER = re.compile(r"mapiter|take|_contig_to_contig|_strided|_aligned|copyswap|PyArray_Nonzero|nonzero|"
                     r"boolean|array_boolean_subscript|PyArray_AssignArray|raw_array_assign|PyArray_CopyInto|"
                     r"npy_fasttake|PyArray_Concatenate|PyArray_PutTo|PyArray_PutMask|where|memcpy|memmove|memset")
_SORT = re.compile(r"sort|amerge|aheapsort|binsearch|bincount|partition|introselect|unique|searchsorted")
_ALLOC = re.compile(r"malloc|calloc|realloc|\bfree\b|_int_free|_int_malloc|array_dealloc|PyDataMem|npy_alloc|"
                    r"npy_free|default_free|default_malloc|mmap|munmap|brk|unlink_chunk|sysmalloc")
_GC = re.compile(r"gc_collect|^collect|visit_|subtract_refs|move_unreachable|update_refs|deduce_unreachable")


def _name(frame: str) -> str:
    return frame.split(" (", 1)[0]


def _lib(frame: str) -> str:
    return frame.rsplit(" (", 1)[1].rstrip(")") if " (" in frame else ""


def kind(frames: list[str]) -> int:
    """The kind of work (index into ``KINDS``) of one stack, outermost frame first: by its leaf."""
    leaf = frames[-1]
    name, lib = _name(leaf), _lib(leaf)
    if _TRANS.search(name) or "libm" in lib:
        return 0
    if lib == "?":
        return 1
    if _GC.search(name):
        return 6
    if _ALLOC.search(name):
        return 5
    if _SORT.search(name):
        return 4
    if _GATHER.search(name) or (name.startswith("0x") and "libc" in lib):  # libc's unnamed leaves: its memcpy/memset
        return 3
    if _ARITH.search(name):
        return 2
    return 7


STREAMS = "sim/core/streams.py"


def stacks(lines):
    """``(frames, samples)`` for each line of a py-spy raw profile (``frame;frame;... COUNT``, outermost
    frame first); blank lines skipped, anything else a ValueError."""
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            raise ValueError(f"not a py-spy raw line (frames;...;frames COUNT): {line[:80]!r}")
        yield stack.split(";"), int(n)


def tally(lines, under: str) -> tuple[Counter, Counter, int, int]:
    """Samples by kind among the stacks through a frame named ``under`` (all stacks if empty), the
    same for the stacks among them that pass through the keyed streams, the number counted and the
    number in the file."""
    counts: Counter = Counter()
    streams: Counter = Counter()
    counted = total = 0
    for frames, k in stacks(lines):
        total += k
        if under and not any(_name(f) == under for f in frames):
            continue
        counted += k
        i = kind(frames)
        counts[i] += k
        if any(STREAMS in f for f in frames):
            streams[i] += k
    return counts, streams, counted, total


def report(counts: Counter, streams: Counter, counted: int, total: int, under: str) -> str:
    out = [f"{counted:,} of {total:,} samples" + (f" under {under}" if under else "")]
    if not counted:
        return out[0] + ": nothing to sort"

    def pc(x: int) -> str:
        return f"{100 * x / counted:5.1f} %"

    for i, k in enumerate(KINDS):
        out.append(f"  {k:<55} {pc(counts[i])}")
    s = sum(streams.values())
    out.append(f"  of all these, under the keyed random streams: {pc(s).strip()} (their compiled code {pc(streams[1]).strip()})")
    keep = counts[0] + streams[1]
    out.append(f"  what any implementation of the same model keeps (the functions and the streams' compiled code): "
               f"{pc(keep).strip()}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("raw", type=Path, help="py-spy's output with --native -f raw")
    ap.add_argument("--under", default="run_one", help="count only stacks through this function ('' for all)")
    a = ap.parse_args(argv)
    try:
        with a.raw.open(encoding="utf-8", errors="replace") as fh:
            counts, streams, counted, total = tally(fh, a.under)
    except (OSError, ValueError) as exc:
        print(f"{a.raw}: {exc}", file=sys.stderr)
        return 2
    print(report(counts, streams, counted, total, a.under))
    return 0


if __name__ == "__main__":
    sys.exit(main())
