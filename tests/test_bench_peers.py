"""benchmarks/bench_peers.py at a tiny size: zonesim and the plain-Mesa reference run and report their
ratio; every peer (mesa-frames, Starsim) either reports one too or is skipped with how to install it —
in CI they are not installed, and they are never zonesim dependencies. No timing is asserted (the
figures are in docs/performance.md). Fast, unlike tests/test_benchmarks.py (all slow)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ("mf-polars-native", "mf-polars-concise", "mf-pandas-concise", "mf-pandas-native", "starsim")


def run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_peers.py"), *args], check=False,
                          capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)


def test_bench_peers_reports_zonesim_against_the_reference_and_skips_or_times_each_peer():
    out = run("--agents", "300", "--years", "2", "--repeats", "2")
    assert out.returncode == 0, out.stderr[-2000:]
    text = out.stdout
    assert "N = 300 agents, 2 steps, median of 2 interleaved repeats" in text
    assert re.search(r"^load average \(1, 5, 15 min\) at start: [0-9.]+, [0-9.]+, [0-9.]+; CPUs: \d+$", text, re.M)
    assert re.search(r"^load average \(1, 5, 15 min\) at end: [0-9.]+, [0-9.]+, [0-9.]+$", text, re.M)
    assert re.search(r"^versions: python [0-9.]+, zonesim [0-9.]+, mesa [0-9.]+, numpy [0-9.]+", text, re.M)
    assert re.search(r"^  plain Mesa reference .* [\d,]+ agent-steps/s +[0-9.]+ s  \(the reference: 1\.00x\)$", text, re.M)
    ratio = re.search(r"^  zonesim .* [\d,]+ agent-steps/s +[0-9.]+ s  RATIO \(zonesim\) ([0-9.]+)x  "
                      r"\(per repeat ([0-9.]+)x-([0-9.]+)x\)$", text, re.M)
    assert ratio and 0 < float(ratio[2]) <= float(ratio[3]) and float(ratio[1]) > 0
    for peer in PEERS:  # exactly one line each: skipped (with how to install), timed, or a wrong result
        lines = re.findall(rf"^SKIPPED {peer}: .*pip install.*$|^  .*(?:RATIO|WRONG RESULT) \({peer}\)[: ].*$", text, re.M)
        assert len(lines) == 1, (peer, lines)
    assert not re.search(r"\d[eE][+-]?\d|\bnan\b|\binf\b", text, re.I)


def test_bench_peers_only_runs_the_reference_and_what_is_asked():
    out = run("--agents", "200", "--years", "1", "--repeats", "1", "--only", "starsim")
    assert out.returncode == 0, out.stderr[-2000:]
    assert "plain Mesa reference" in out.stdout and "zonesim (" not in out.stdout
    assert "mesa-frames Boltzmann" not in out.stdout and "SKIPPED mf-" not in out.stdout


def test_bench_peers_refuses_bad_sizes():
    for args in (("--agents", "0"), ("--years", "-1"), ("--repeats", "x"), ("--only", "netlogo")):
        out = run(*args)
        assert out.returncode == 2 and out.stdout == "", args
        assert out.stderr.strip().splitlines()[-1].startswith("bench_peers.py: error:"), args
