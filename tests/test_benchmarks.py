"""The benchmark scripts still run and report their ratios (tiny sizes; no timing is asserted:
benchmarks are scripts, their figures are in docs/performance.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def bench(script: str, *args: str) -> str:
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args], capture_output=True, text=True,
                         timeout=900, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def refuses(script: str, *args: str) -> str:
    """Run ``script`` with bad ``args``: one line on stderr from argparse, exit 2, nothing on stdout and no
    traceback; returns that line."""
    bad = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args], check=False,
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stdout == "", (args, bad.stderr)
    line = bad.stderr.strip().splitlines()[-1]
    assert line.startswith(f"{script}: error:"), (args, bad.stderr)
    return line


def ratios(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"RATIO(?: \(\w+\))?[^0-9]*([0-9.]+)x", text)]


@pytest.mark.parametrize("package", [None, "guangxi-23"])
def test_bench_model_reports_both_ratios_and_the_stage_profile(package):
    out = bench("bench_model.py", "--repeats", "1", "--years", "2", *(["--package", package] if package else []))
    assert f"package {package or 'baseline'}," in out
    assert out.rstrip().splitlines()[-1].startswith("machine: load average ")  # how quiet the machine was
    assert len(ratios(out)) == 2 and all(r > 0 for r in ratios(out))
    # the reference also timed in a process that imports Mesa only, with both modes' ratios against it
    assert re.search(r"imports Mesa only \(median of 1\): [0-9.]+ s; ratios against it: eager [0-9.]+x, lazy [0-9.]+x",
                     out)
    shares = [float(x) for x in re.findall(r"^\s+\w[\w ,'()]*?\s+([0-9.]+) %$", out, flags=re.M)]
    assert "firm_dynamics" in out and abs(sum(shares) - 100) < 1.0


def test_bench_scaling_reports_ratios_growth_and_the_province_world():
    out = bench("bench_scaling.py", "--sizes", "2000,20000", "--years", "3", "--repeats", "1")
    # each size interleaved in one process (section 0), against the reference in a Mesa-only process
    # (section 0), then in separate processes (section 1)
    assert len(ratios(out)) == 6
    assert len(re.findall(r"imports Mesa only \(median of 1\): [0-9.]+ s, RATIO against it [0-9.]+x", out)) == 2
    assert "interleaved in one process" in out and "start-up and a warm-up model, once per process" in out
    assert re.search(r"agents x10 .*: time x[0-9.]+", out) and re.search(r"years x10 .*: time x[0-9.]+", out)
    assert re.search(r"province-sized world", out) and re.search(r"peak memory \d+ MB", out)


def test_bench_study_stores_are_identical():
    out = bench("bench_study.py", "--runs", "8", "--years", "1", "--no-dask")
    assert "stores byte-identical: True" in out and "parallel efficiency" in out


def test_equivalence_script_compares_two_samples(tmp_path):
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    bench("equivalence.py", "--seeds", "3", "--years", "2", "--packages", "baseline", "--out", str(a))
    bench("equivalence.py", "--seeds", "3", "--years", "2", "--packages", "baseline", "--out", str(b))
    assert pd.read_parquet(a).equals(pd.read_parquet(b))  # same code, same seeds: identical
    out = bench("equivalence.py", "--compare", str(a), str(b))
    assert re.search(r"\b15 tests: 0 with t-test p < 0.01", out)  # 15 outcomes at year 2


def test_bench_memory_reports_rss_for_validate_and_calibrate():
    out = bench("bench_memory.py", "--runs", "4", "--batch", "2", "--years", "1")
    assert re.search(r"RSS validate after 4 runs: [\d,]+ MB", out)
    assert re.search(r"RSS calibrate after 4 runs: [\d,]+ MB", out)


def test_bench_sobol_says_when_it_measured_only_part_of_the_study():
    out = bench("bench_sobol.py", "--runs", "4", "--workers", "1")
    assert "computed 4 runs" in out and "NOT the whole study: 4 of 11,264 runs measured" in out
    assert "extrapolation, not a measurement" in out


def test_bench_scaling_refuses_a_repeat_count_below_one():
    out = subprocess.run([sys.executable, str(Path(__file__).resolve().parent.parent / "benchmarks" / "bench_scaling.py"),
                          "--repeats", "0", "--only-ratio"], capture_output=True, text=True)
    assert out.returncode == 2 and "--repeats: must be a whole number of at least 1" in out.stderr


def test_bench_group_sums_replays_a_run_and_refuses_bad_counts():
    out = bench("bench_group_sums.py", "--world", "synthetic:6,1500,3000", "--years", "2", "--repeats", "1")
    assert "weighted group sums" in out and "plain loop (before)" in out and "np.bincount" in out
    bad = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_group_sums.py"), "--repeats", "0"],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "--repeats and --years: must be a whole number of at least 1" in bad.stderr


def test_ab_spinup_times_compare_with_the_cache_on_and_off():
    out = bench("ab_spinup.py", "--seeds", "2", "--years", "3", "--repeats", "2", "baseline", "hosting")
    assert len(ratios(out)) == 1 and "results identical in every repeat" in out
    assert "this process: 2 copies, 2 builds" in out  # 2 packages on 2 seeds, in one process: a copy per seed
    bad = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ab_spinup.py"), "--repeats", "0"],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "must be a whole number of at least 1" in bad.stderr


@pytest.mark.parametrize("script", ["bench_model.py", "ab_fixed.py"])
def test_benchmarks_refuse_an_unknown_package_in_one_line(script):
    args = ["--package", "no-such-package"] + (["--base", "HEAD"] if script == "ab_fixed.py" else [])
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve().parent.parent / "benchmarks" / script), *args],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--package: no-such-package: no such package" in proc.stderr.splitlines()[-1]


def test_cost_per_year_fits_fixed_and_per_agent_cost_and_refuses_bad_worlds():
    import importlib.util
    spec = importlib.util.spec_from_file_location("cost_per_year", ROOT / "benchmarks" / "cost_per_year.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    fixed, slope = mod.fit([(1000.0, 0.002 + 1000 * 1e-7), (5000.0, 0.002 + 5000 * 1e-7), (9000.0, 0.002 + 9000 * 1e-7)])
    assert fixed == pytest.approx(0.002) and slope == pytest.approx(1e-7)
    out = bench("cost_per_year.py", "--seeds", "1", "--years", "2", "--world", "synthetic:6,300,3000", "--world", "guangxi")
    share = re.search(r"the fixed part is (\d+)% of a year", out)
    assert share and 0 < int(share.group(1)) < 100, out
    assert re.search(r"fit: a year costs [0-9.]+ ms fixed \+ \d+ ns per live agent", out), out
    for args in (["--world", "guangxi"], ["--world", "guangxi", "--world", "nowhere"], ["--seeds", "0"]):
        bad = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "cost_per_year.py"), *args],
                             check=False, capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stdout == ""
        assert bad.stderr.strip().splitlines()[-1].startswith("cost_per_year.py: error:")


def test_reference_runs_in_a_process_that_imports_mesa_only():
    """benchmarks/reference.py: the plain-Mesa reference timed in a fresh process that has imported
    Mesa and nothing of zonesim (what a plain-Mesa user runs)."""
    out = subprocess.run([sys.executable, "-c", "import runpy, sys; sys.argv = ['reference.py', '300', '2', '2']; "
                          f"runpy.run_path({str(ROOT / 'benchmarks' / 'reference.py')!r}, run_name='__main__'); "
                          "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sim', 'numba', 'llvmlite')))"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    assert lines[-1] == "[]"  # nothing of zonesim or numba in that process (Mesa itself imports pandas)
    times = __import__("json").loads(lines[-2])["times"]
    assert len(times) == 2 and all(t > 0 for t in times)


def test_reference_refuses_bad_counts_in_one_line():
    for args in (["ten", "2", "2"], ["100", "0", "2"], ["100", "2"]):
        out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "reference.py"), *args], capture_output=True,
                             text=True, timeout=120, cwd=ROOT)
        assert out.returncode == 2 and out.stdout == ""
        assert "reference.py: error: " in out.stderr.strip().splitlines()[-1] and "Traceback" not in out.stderr


def test_study_drift_times_windows_of_the_sobol_rows_beside_a_probe_and_refuses_bad_rows():
    out = bench("study_drift.py", "--rows", "4", "--window", "2", "--probes", "1", "--warmup", "0")
    windows = re.findall(r"rows ([0-9,]+)-([0-9,]+): ([0-9.]+) ms a run; probe ([0-9.]+) ms", out)
    assert [(a, b) for a, b, _, _ in windows] == [("0", "2"), ("2", "4")], out
    assert all(float(t) > 0 and float(p) > 0 for _, _, t, p in windows)
    for args in (["--start", "11264"], ["--rows", "0"], ["--warmup", "-1"]):
        refuses("study_drift.py", *args)


def test_bench_draws_times_every_keyed_draw_and_checks_the_one_loop_uniforms():
    out = bench("bench_draws.py", "--keys", "5000", "--repeats", "1")
    times = dict(re.findall(r"^  (.+?)\s+([0-9.]+) ns a key$", out, re.M))
    assert len(times) == 8 and all(float(t) > 0 for t in times.values()), out
    assert "uniforms as one loop (before; same numbers: yes)" in times, out
    bad = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_draws.py"), "--keys", "0"],
                         check=False, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stdout == ""
    assert bad.stderr.strip().splitlines()[-1].startswith("bench_draws.py: error:")


def test_bench_levers_times_each_lever_against_the_baseline_and_the_selections():
    out = bench("bench_levers.py", "--seeds", "1", "--years", "3", "--select", "5000")
    ratio = re.search(r"ms; of the baseline: ([0-9.]+) ms; ratio ([0-9.]+)$", out, re.M)
    # a ratio is printed; whether it is above 1 is the machine's as much as the code's with 1 seed of 3 years
    # (CI at 5e7e354: 0.61, the baseline's median year 55.6 ms against 34.1 beside another test, 13.5 % steal)
    assert ratio and float(ratio.group(1)) > 0.0 and float(ratio.group(2)) > 0.0, out
    share = re.search(r"the levers' hooks: ([0-9.]+) % of the package's years", out)
    assert share and 0.0 < float(share.group(1)) < 100.0, out
    levers = re.findall(r"^  (\w+)\s+([0-9.]+) %\s+([0-9.]+) ms a year", out, re.M)
    assert len(levers) >= 20 and "MuYield" in {name for name, _, _ in levers}, out
    assert re.search(r"numba / numpy [0-9.]+; this process chose '(numpy|compiled)'$", out, re.M), out
    bad = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_levers.py"), "--seeds", "0"],
                         check=False, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stdout == ""
    assert bad.stderr.strip().splitlines()[-1].startswith("bench_levers.py: error:")


def test_bench_compare_splits_the_command_into_runs_and_outputs():
    out = bench("bench_compare.py", "--years", "3", "--seeds", "2", "delisting")
    total = re.search(r"^zonesim compare delisting .*: ([0-9.]+) s in all$", out, re.M)
    assert total and float(total.group(1)) > 0, out
    phases = dict(re.findall(r"^  (\S.*?)\s+[0-9.]+ s\s+([0-9.]+) %$", out, re.M))
    assert {"runs", "charts (wall, not hidden)", "paired tables", "the rest"} <= set(phases), out
    assert abs(sum(float(v) for v in phases.values()) - 100) < 1.0, out
    assert re.search(r"^the outputs \(everything but the runs\): [0-9.]+ % of the command$", out, re.M), out
    bad = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_compare.py"), "--seeds", "0"],
                         check=False, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stdout == ""


def test_ab_command_alternates_a_whole_command_and_compares_its_outputs():
    """Two revisions of a whole command in fresh processes (here the same code on both sides: equal
    outputs), and nonsense refused in one line, exit 2."""
    env = {**os.environ, "ZONESIM_NO_NUMBA": "1"}  # no compiling in the base's fresh copy
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ab_command.py"), "--base", "HEAD", "--pairs", "1",
                          "--warm-ups", "0", "--", "compare", "delisting", "--years", "3", "--seeds", "2", "--at", "3"],
                         capture_output=True, text=True, timeout=900, cwd=ROOT, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    # each run with the CPU steal and load average over it (benchmarks/machine.py), the series' at the end
    assert len(re.findall(r"^  pair 1: (base|this) +[0-9.]+ s   \((steal +[0-9.]+ %|steal not known), load [0-9.]+, "
                          r"memory copy [0-9.]+ GB/s\)$",
                          out.stdout, re.M)) == 2, out.stdout
    assert re.search(r"^machine: load average [0-9.]+ -> [0-9.]+; CPU steal", out.stdout, re.M), out.stdout
    assert re.search(r"^ratios \(this / base\): [0-9.]+; median [0-9.]+$", out.stdout, re.M), out.stdout
    assert re.search(r"^outputs: the same\b", out.stdout, re.M), out.stdout
    for bad in (["--base", "HEAD", "--pairs", "0", "--", "run"], ["--base", "no-such-rev", "--", "run"],
                ["--base", "HEAD"], ["--base", "HEAD", "--", "run", "--out", "x"]):
        got = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ab_command.py"), *bad], check=False,
                             capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert got.returncode == 2 and "Traceback" not in got.stderr and got.stdout == "", (bad, got.stderr)


def test_bench_startup_times_the_switch_and_finds_every_kernel_in_the_cache_the_second_time():
    """The second fresh process must load every kernel a default run calls from numba's disk cache
    (a kernel that misses it is compiled again in every process: production's two did until issue
    19's twenty-fourth session); the first may compile what a clean checkout has not cached yet."""
    out = bench("bench_startup.py", "--processes", "2", "--numpy-runs", "1", "--kernel-runs", "2", "--years", "1")
    if "the compiled kernels are off" in out:
        pytest.skip("numba not installed or switched off")
    saved = re.findall(r"saved to it again \(compiled in this process\): (.+)$", out, re.M)
    assert len(saved) == 2 and saved[1] == "none", out
    assert int(re.findall(r"kernels loaded from numba's cache: (\d+)", out)[1]) > 50, out
    assert re.search(r"paid back after ([0-9.]+ runs|never)", out), out
    bad = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_startup.py"), "--kernel-runs", "1"],
                         check=False, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stdout == ""
    assert bad.stderr.strip().splitlines()[-1].startswith("bench_startup.py: error:")


def test_ab_fixed_copies_this_checkout_as_the_base_is_unpacked(tmp_path):
    """ab_fixed.py imports both sides alike (an A/A check found 1-2 % for the side imported in place):
    this checkout's working tree copied as ``simthis``, no numba cache files, every absolute import of
    ``sim`` rewritten, the scenarios beside it."""
    code = ("import sys; sys.path.insert(0, 'benchmarks'); from pathlib import Path; import ab_fixed; "
            f"ab_fixed.copy_this(Path({str(tmp_path)!r}))")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=300)
    pkg = tmp_path / "simthis"
    assert (pkg / "model" / "zonemodel.py").is_file() and (tmp_path / "scenarios" / "worlds").is_dir()
    assert not list(pkg.rglob("*.nbi")) and not list(pkg.rglob("__pycache__"))
    left = [p for p in pkg.rglob("*.py") if re.search(r"^\s*(from|import) sim[.\s]", p.read_text(), re.M)]
    assert not left
    assert "from simthis.core" in (pkg / "model" / "zonemodel.py").read_text()


def test_bench_exits_compares_the_screened_exits_with_the_steps_and_refuses_bad_input():
    out = bench("bench_exits.py", "--world", "synthetic:6,1500,3000", "--years", "3", "--repeats", "2")
    assert "the same picks every year" in out
    assert re.search(r"kernels\.exit_picks \(screened\)\s+[0-9.]+ us a year   time ratio [0-9.]+", out), out
    share = re.search(r"below their bound \(raised to the power\) ([0-9.]+)%, ([0-9.]+)x the exits", out)
    assert share and 0 < float(share.group(1)) < 100 and float(share.group(2)) >= 1.0, out
    for args in (["--repeats", "0"], ["--years", "-1"], ["--world", "nowhere"]):
        refuses("bench_exits.py", *args)


def test_bench_calls_times_named_functions_against_a_base_and_refuses_bad_input():
    out = bench("bench_calls.py", "sim.agents.enterprise:entrants", "sim.core.pool:Pool.remove",
                "sim.core.kernels:sums_by_two", "--world", "synthetic:6,1500,3000", "--years", "3", "--runs", "2",
                "--base", "HEAD")
    assert "medians of 2 runs interleaved with the base" in out
    # enterprise calls sums_by_two by the name it imported: the wrapper in kernels never runs, and says so
    by_name = next(x for x in out.splitlines() if x.strip().startswith("sim.core.kernels:sums_by_two"))
    assert by_name.endswith("(no call through its module: imported by name where it is called?)"), by_name
    assert "(no call through" not in out.replace(by_name, "")
    for name in ("sim.agents.enterprise:entrants", "sim.core.pool:Pool.remove"):
        line = next(x for x in out.splitlines() if x.strip().startswith(name))
        calls = [float(c) for c in re.findall(r"([0-9.]+) calls a run", line)]
        assert len(calls) == 2 and calls[0] == calls[1] > 0, line  # the same runs on both sides
        assert re.search(r"ratio [0-9.]+$", line), line
    eager = bench("bench_calls.py", "sim.core.pool:MesaHandles.many", "--world", "synthetic:6,1500,3000", "--years",
                  "2", "--runs", "1", "--handles", "eager")
    assert re.search(r"MesaHandles\.many\s+this checkout:\s+[0-9.]+ us a call", eager), eager
    for args in (["sim.nowhere:f"], ["sim.agents.enterprise:nothing"], ["entrants"], ["sim.agents.enterprise:entrants",
                 "--runs", "0"], ["sim.agents.enterprise:entrants", "--world", "nowhere"],
                 ["sim.agents.enterprise:entrants", "--base", "no-such-revision"]):
        refuses("bench_calls.py", *args)
    assert "of the sim package" in refuses("bench_calls.py", "simx.agents:f")  # another package, said so


def test_ab_release_times_a_loop_of_released_runs_at_two_revisions():
    """A loop of released eager runs in fresh processes at two revisions (here the same code on both
    sides), and nonsense refused in one line, exit 2."""
    env = {**os.environ, "ZONESIM_NO_NUMBA": "1"}  # no compiling in the base's fresh copy
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ab_release.py"), "--base", "HEAD", "--world",
                          "synthetic:3,300,1500", "--runs", "2", "--years", "2", "--pairs", "2"],
                         capture_output=True, text=True, timeout=900, cwd=ROOT, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    pairs = re.findall(r"^  pair \d: base +([0-9.]+) ms \( *([0-9.]+) collector\)   this +([0-9.]+) ms \( *([0-9.]+) "
                       r"collector\)   ratio ([0-9.]+)   reference +[0-9.]+ ms \([0-9,]+ agents\)$", out.stdout, re.M)
    assert len(pairs) == 2 and all(float(p[0]) > 0 and float(p[2]) > 0 for p in pairs), out.stdout
    assert all(float(p[1]) <= float(p[0]) and float(p[3]) <= float(p[2]) for p in pairs), out.stdout
    assert re.search(r"^RATIO this / base, median of 2 pairs: [0-9.]+$", out.stdout, re.M), out.stdout
    assert re.search(r"^against plain Mesa .*: this [0-9.]+x, base [0-9.]+x$", out.stdout, re.M), out.stdout
    assert "ms a run: the loop's time over its runs" in out.stdout  # a mean: a heap walk every eighth release
    for args in (["--base", "HEAD", "--runs", "0"], ["--base", "no-such-revision"], ["--base", "HEAD", "--world",
                 "nowhere"], ["--base", "HEAD", "--handles", "some"], []):
        refuses("ab_release.py", *args)
