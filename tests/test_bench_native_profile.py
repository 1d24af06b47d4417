"""benchmarks/native_profile.py: a py-spy native profile sorted into kinds of work."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import native_profile as npf  # noqa: E402

RUN = "<module> (prof.py:15);run_one (sim/experiments/runner.py:257);ZoneModel.step (sim/model/zonemodel.py:333)"
UFUNC = "ufunc_generic_fastcall (numpy/_core/_multiarray_umath.so)"
NP = "(numpy/_core/_multiarray_umath.so)"
STREAM = "Streams.uniform (sim/core/streams.py:300)"

LINES = [
    f"{RUN};produce (sim/agents/enterprise.py:160);{UFUNC};DOUBLE_power_X86_V4 {NP};__svml_pow8_ha {NP} 4",
    f"{RUN};grow (sim/agents/enterprise.py:200);{UFUNC};DOUBLE_log1p_X86_V4 {NP} 1",
    f"{RUN};grow (sim/agents/enterprise.py:201);exp (libm.so.6) 1",
    f"{RUN};{STREAM};keyed_uniform (sim/core/kernels.py:90);0x7f00 (?) 3",
    f"{RUN};{STREAM};dispatcher_vectorcall {NP} 2",
    f"{RUN};grow_arith (sim/core/fused.py:521);0x7f01 (?) 5",
    f"{RUN};produce (sim/agents/enterprise.py:161);array_multiply {NP};DOUBLE_multiply_X86_V3 {NP} 6",
    f"{RUN};Pool.remove (sim/core/pool.py:150);mapiter_trivial_get {NP} 7",
    f"{RUN};Pool.remove (sim/core/pool.py:151);_contig_to_contig {NP};0x7f89 (libc.so.6) 2",
    f"{RUN};group_sum (sim/core/kernels.py:1080);arr_bincount {NP} 8",
    f"{RUN};produce (sim/agents/enterprise.py:162);PyArray_NewFromDescr_int {NP};malloc (libc.so.6) 9",
    f"{RUN};ZoneModel._admit (sim/model/zonemodel.py:500);gc_collect_main (libpython3.11.so) 10",
    f"{RUN};produce (sim/agents/enterprise.py:163) 11",
    f"{RUN};produce (sim/agents/enterprise.py:164);{UFUNC} 12",
    "<module> (prof.py:3);_find_and_load (<frozen importlib._bootstrap>:1176) 100",  # an import: not a run's
    "",
]


def test_each_stack_goes_to_the_kind_of_its_leaf():
    counts, streams, counted, total = npf.tally(LINES, "run_one")
    assert total == 181 and counted == 81
    kinds = dict(zip(npf.KINDS, (counts[i] for i in range(len(npf.KINDS)))))
    assert kinds == {
        "numpy's transcendental functions (SIMD maths or libm)": 6,  # SVML, numpy's power loop, libm
        "compiled kernels (numba)": 8,
        "numpy's element-wise arithmetic loops": 6,
        "numpy's gathers, scatters and copies": 9,  # fancy indexing and libc's unnamed memcpy
        "numpy's sorts, searches and bincount": 8,
        "memory allocated and freed": 9,
        "the garbage collector": 10,
        "Python's interpreter and numpy's call overhead": 25,  # a Python line, ufunc dispatch
    }
    assert sum(streams.values()) == 5 and streams[1] == 3  # the streams' compiled code, and their dispatch


def test_the_report_gives_shares_of_the_counted_samples_and_what_any_implementation_keeps():
    text = npf.report(*npf.tally(LINES, "run_one"), "run_one")
    assert text.splitlines()[0] == "81 of 181 samples under run_one"
    assert "compiled kernels (numba)" in text and f"{100 * 8 / 81:5.1f} %" in text
    assert "under the keyed random streams: 6.2 % (their compiled code 3.7 %)" in text
    assert text.rstrip().endswith(f"{100 * (6 + 3) / 81:.1f} %")  # the functions and the streams' hashing


def test_no_under_counts_every_stack_and_an_absent_function_counts_none():
    assert npf.tally(LINES, "")[2] == 181
    counts, _, counted, total = npf.tally(LINES, "no_such_function")
    assert counted == 0 and total == 181
    assert npf.report(counts, counts, counted, total, "no_such_function").endswith("nothing to sort")


def test_a_file_that_is_not_py_spy_raw_output_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "flame.svg"
    bad.write_text("<svg xmlns='http://www.w3.org/2000/svg'>\n", encoding="utf-8")
    assert npf.main([str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(bad) in err and "py-spy raw" in err
    assert npf.main([str(tmp_path / "missing.txt")]) == 2


def test_main_prints_the_report(tmp_path, capsys):
    raw = tmp_path / "rows.txt"
    raw.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    assert npf.main([str(raw)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("81 of 181 samples under run_one") and "garbage collector" in out


@pytest.mark.parametrize("leaf, want", [
    ("__svml_exp8_ha (x.so)", 0), ("DOUBLE_exp_X86_V4 (x.so)", 0), ("pow (libm.so.6)", 0),
    ("DOUBLE_add_X86_V3 (x.so)", 2), ("LONG_multiply_X86_V3 (x.so)", 2), ("DOUBLE_pairwise_sum (x.so)", 2),
    ("amerge_at_<npy::double_tag, double> (x.so)", 4), ("binsearch<npy::double_tag, (x.so)", 4),
    ("free (libc.so.6)", 5), ("array_dealloc (x.so)", 5), ("0x1234 (?)", 1),
])
def test_leaves(leaf, want):
    assert npf.kind([RUN, leaf]) == want

