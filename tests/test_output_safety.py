"""Output folders are owned (issue 20, items 1 and 2): zonesim replaces only what it made, never
another process's result, and never loses a finished run.

* ``--overwrite`` of a folder zonesim did not make (a git clone, the current folder, ``/``) is
  refused with one line and leaves it untouched — for ``run``, ``compare``, ``sweep`` and
  ``attribute``;
* parallel runs with default names all keep their results; two runs publishing to the same
  ``--out`` keep both (the second goes to a sibling, exit 3);
* temp files of a killed writer are cleaned on the next start;
* ``report`` refuses a folder that is not a results folder and a file it did not write, and
  marks incomplete results.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.core.errors import EnvError, InputError
from sim.experiments.results import HOST, LOCK, FolderLock, Stage, check_new_output, clean_stale, staged_output

from .test_study import write_study

ROOT = Path(__file__).resolve().parents[1]


def _cli(*argv, cwd=None, env=None, timeout=600):
    return subprocess.run([sys.executable, "-m", "sim.cli", *argv], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env=dict(os.environ, PYTHONPATH=str(ROOT), **(env or {})))


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.fixture
def clone(tmp_path):
    """A folder that is not zonesim's: a stand-in for a git clone with uncommitted work."""
    d = tmp_path / "clone"
    (d / ".git").mkdir(parents=True)
    (d / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (d / "notes.txt").write_text("uncommitted work")
    return d


def _listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("argv", [
    ["run", "-y", "1", "-k", "1", "-w", "1", "--no-progress"],
    ["compare", "hosting", "-y", "1", "-k", "2", "-w", "1", "--no-progress"],
    ["attribute", "talent-subsidy", "--by", "measure", "--seeds", "2", "--year", "2022", "-w", "1", "--no-progress"],
], ids=lambda a: a[0])
def test_overwrite_refuses_a_folder_zonesim_did_not_make(clone, capsys, argv):
    before = _listing(clone)
    assert main([*argv, "--out", str(clone), "--overwrite"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "not a zonesim results folder" in line and "--overwrite" in line
    assert _listing(clone) == before


def test_sweep_overwrite_refuses_a_folder_zonesim_did_not_make(clone, tmp_path, capsys):
    path = write_study(tmp_path)
    before = _listing(clone)
    assert main(["sweep", str(path), "--out", str(clone), "--overwrite", "--no-progress"]) == 2
    assert "not a zonesim results folder" in _one_line(capsys.readouterr().err)
    assert _listing(clone) == before


def test_the_current_folder_and_its_parents_are_never_an_output(tmp_path, monkeypatch, capsys):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    (work / "keep.txt").write_text("x")
    monkeypatch.chdir(work)
    for out in (".", "..", str(tmp_path), "/"):
        with pytest.raises(InputError, match="current folder"):
            check_new_output(Path(out), overwrite=True)
    assert main(["run", "-y", "1", "-k", "1", "-w", "1", "--out", ".", "--overwrite", "--no-progress"]) == 2
    assert "current folder" in _one_line(capsys.readouterr().err)
    assert (work / "keep.txt").read_text() == "x"


def test_overwrite_replaces_a_zonesim_folder_in_one_step(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["run", "-y", "1", "-k", "1", "-w", "1", "--out", str(out), "--no-progress"]) == 0
    first = json.loads((out / "manifest.json").read_text())
    (out / "mine.txt").write_text("a note inside a results folder goes with it")
    assert main(["run", "-y", "1", "-k", "1", "-w", "1", "--seed", "5", "--out", str(out), "--no-progress"]) == 2
    assert main(["run", "-y", "1", "-k", "1", "-w", "1", "--seed", "5", "--out", str(out), "--overwrite",
                 "--no-progress"]) == 0
    second = json.loads((out / "manifest.json").read_text())
    assert second["base_seed"] == 5 and first["base_seed"] != 5 and not (out / "mine.txt").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # nothing left aside


def test_publish_never_removes_another_process_result(tmp_path):
    """Two stagings of one path: the first publishes; the second finds it taken and keeps its
    own results in a sibling folder (exit 3), touching nothing of the first."""
    out = tmp_path / "same"
    a, b = Stage(out), Stage(out)
    (a.tmp / "who.txt").write_text("a")
    (b.tmp / "who.txt").write_text("b")
    assert a.publish() == out
    with pytest.raises(EnvError, match="another process put its results there") as err:
        b.publish()
    assert (out / "who.txt").read_text() == "a"
    sibling = Path(str(err.value).rsplit("results are in ", 1)[1])
    assert sibling.parent == tmp_path and (sibling / "who.txt").read_text() == "b"


def test_overwrite_replaces_only_the_folder_checked_at_the_start(tmp_path):
    out = tmp_path / "z"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"zonesim_version": "0", "kind": "run"}))
    stage = Stage(out, overwrite=True)
    stage.claim.release()                         # (a second process could not have taken the lock)
    os.rename(out, tmp_path / "z-moved")          # meanwhile another process replaced the folder
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"zonesim_version": "0", "kind": "run", "theirs": 1}))
    (stage.tmp / "ours.txt").write_text("ours")
    with pytest.raises(EnvError):
        stage.publish()
    assert json.loads((out / "manifest.json").read_text())["theirs"] == 1


def test_overwrite_of_a_folder_locked_by_another_process_is_refused(tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"zonesim_version": "0", "kind": "study"}))
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, sys.argv[1]);"
        "from sim.experiments.results import FolderLock;"
        "lock = FolderLock.acquire(__import__('pathlib').Path(sys.argv[2]), ['zonesim', 'sweep', 'x']);"
        "print('locked', flush=True); time.sleep(60)"), str(ROOT), str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(EnvError) as err:
            check_new_output(out, overwrite=True)
        assert f"pid {holder.pid}" in str(err.value) and "zonesim sweep x" in str(err.value)
    finally:
        holder.kill()
        holder.wait()
    check_new_output(out, overwrite=True).release()  # the kernel freed the lock with the process


def test_parallel_runs_with_default_names_keep_every_result(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-m", "sim.cli", "run", "-y", "1", "-k", "1", "-w", "1",
                               "--seed", str(s), "--no-progress"], cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
             for s in (1, 2, 3)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1] for o in outs]
    folders = sorted((tmp_path / "results").iterdir())
    assert len(folders) == 3, folders
    seeds = sorted(json.loads((f / "manifest.json").read_text())["base_seed"] for f in folders)
    assert seeds == [1, 2, 3]
    printed = {o[0].strip().splitlines()[-1].split()[1] for o in outs}
    assert len(printed) == 3


def test_two_runs_on_one_out_keep_both_results(tmp_path):
    out = tmp_path / "shared"
    procs = [subprocess.Popen([sys.executable, "-m", "sim.cli", "run", "-y", "1", "-k", "1", "-w", "1",
                               "--seed", str(s), "--out", str(out), "--no-progress"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
             for s in (1, 2)]
    outs = [p.communicate(timeout=600) for p in procs]
    codes = sorted(p.returncode for p in procs)
    seeds = {json.loads((f / "manifest.json").read_text())["base_seed"]
             for f in tmp_path.iterdir() if f.name.startswith("shared")}
    if codes == [0, 2]:   # the second started after the first had published: refused up front
        assert seeds in ({1}, {2})
    else:                 # both ran: the second to finish kept its results beside the first's
        assert codes == [0, 3], outs
        assert seeds == {1, 2}
        err = next(o[1] for p, o in zip(procs, outs) if p.returncode == 3)
        assert "nothing of theirs was touched" in _one_line(err)


def test_stale_temp_files_are_cleaned_on_the_next_start(tmp_path):
    dead = 2**22 + 12345  # above pid_max's default: no such process
    stale_dir = tmp_path / f".x.zonesim-{HOST}-{dead}-abc.partial"
    stale_dir.mkdir()
    (stale_dir / "half.parquet").write_bytes(b"PAR1")
    stale_file = tmp_path / f".results.csv.zonesim-{HOST}-{dead}-xyz.tmp"
    stale_file.write_text("half")
    killed = tmp_path / f".y.zonesim-{HOST}-{os.getpid()}-def.partial"  # a live pid, but its lock is free
    killed.mkdir()
    (killed / LOCK).write_text("{}")
    live = Stage(tmp_path / "live")                     # a staging of this process: its lock is held
    other_host = tmp_path / f".z.zonesim-00000000-{dead}-ghi.partial"
    other_host.mkdir()
    foreign = tmp_path / ".hidden-user-file"
    foreign.write_text("not ours")
    with staged_output(tmp_path / "new") as tmp:
        (tmp / "f").write_text("x")
    assert not stale_dir.exists() and not stale_file.exists() and not killed.exists()
    assert live.tmp.exists() and other_host.exists() and foreign.exists()
    live.abandon()
    assert clean_stale(tmp_path) == []


def test_a_failed_run_loses_no_finished_run(tmp_path, monkeypatch, capsys):
    """A run that fails (here: the second seed overflows) keeps every finished run in a folder
    marked incomplete; the command ends with one line, exit 3, and report says so."""
    import sim.cli.jobs as jobs

    real = jobs.run_job

    def flaky(job):
        if job.replicate == 1:
            raise ValueError("lam value too large")
        return real(job)

    monkeypatch.setattr(jobs, "run_job", flaky)
    out = tmp_path / "c"
    assert main(["compare", "hosting", "-y", "1", "-k", "3", "-w", "1", "--out", str(out), "--no-progress"]) == 3
    line = _one_line(capsys.readouterr().err)
    assert "2 of 6 runs failed" in line and "lam value too large" in line and "4 finished runs are saved" in line
    info = json.loads((out / "manifest.json").read_text())
    assert info["complete"] is False and len(info["failed_runs"]) == 2
    import pandas as pd

    df = pd.read_parquet(out / "results.parquet")
    assert sorted(df.groupby("package")["replicate"].unique().map(sorted).sum()) == [0, 0, 2, 2]
    assert main(["report", str(out), "--lang", "en"]) == 0
    html = (out / "report-en.html").read_text()
    assert 'id="incomplete"' in html and "2 run(s) failed" in html


def test_report_refuses_what_is_not_a_results_folder_and_files_it_did_not_write(clone, tmp_path, capsys):
    assert main(["report", str(clone)]) == 2
    assert "not a zonesim results folder" in _one_line(capsys.readouterr().err)
    out = tmp_path / "r"
    assert main(["run", "-y", "1", "-k", "1", "-w", "1", "--out", str(out), "--no-progress"]) == 0
    capsys.readouterr()
    precious = tmp_path / "thesis.html"
    precious.write_text("<html>my thesis</html>")
    assert main(["report", str(out), "--lang", "en", "--out", str(precious)]) == 2
    assert "not written by zonesim report" in _one_line(capsys.readouterr().err)
    assert precious.read_text() == "<html>my thesis</html>"
    mine = tmp_path / "report.html"
    assert main(["report", str(out), "--lang", "en", "--out", str(mine)]) == 0
    assert main(["report", str(out), "--lang", "en", "--out", str(mine)]) == 0  # its own: replaced


def test_report_marks_an_incomplete_study(tmp_path):
    from sim.present.report import build_report

    path = write_study(tmp_path)
    assert main(["sweep", str(path), "--out", str(tmp_path / "s"), "-w", "1", "--no-progress"]) == 0
    (tmp_path / "s" / "results" / "part-00001.parquet").unlink()
    html = build_report(tmp_path / "s", "en")
    assert 'id="incomplete"' in html and "1 of 12 parts" in html


def test_disk_errors_are_one_line_exit_3(tmp_path, monkeypatch, capsys):
    import errno

    import sim.experiments.results as results

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x"))

    monkeypatch.setattr(results, "atomic_write", full)
    assert main(["run", "-y", "1", "-k", "1", "-w", "1", "--out", str(tmp_path / "o"), "--no-progress"]) == 3
    assert "the disk is full" in _one_line(capsys.readouterr().err)
    assert not (tmp_path / "o").exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("err,words", [("EROFS", "read-only"), ("EACCES", "permission denied"),
                                       ("EFBIG", "too large"), ("EDQUOT", "quota")])
def test_read_only_and_other_disk_errors_are_one_line_exit_3(tmp_path, monkeypatch, capsys, err, words):
    import errno

    import sim.experiments.results as results

    def fail(*a, **k):
        raise OSError(getattr(errno, err), os.strerror(getattr(errno, err)), str(tmp_path / "o"))

    monkeypatch.setattr(results.tempfile, "mkdtemp", fail)
    assert main(["run", "-y", "1", "-k", "1", "-w", "1", "--out", str(tmp_path / "o"), "--no-progress"]) == 3
    assert words in _one_line(capsys.readouterr().err)


def test_budget_refuses_huge_work_with_an_estimate(tmp_path, capsys):
    assert main(["run", "--seeds", "100000", "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "100,000 runs x 20 years" in line and "GB of memory" in line and "--force" in line
    assert "e+" not in line
    assert not (tmp_path / "o").exists() and not list(tmp_path.iterdir())


def test_lock_file_is_released_with_the_process(tmp_path):
    lock = FolderLock.acquire(tmp_path)
    assert FolderLock.acquire(tmp_path).key == lock.key  # shared within the process
    code = ("import sys; sys.path.insert(0, sys.argv[1]);"
            "from sim.experiments.results import FolderLock; from sim.core.errors import EnvError\n"
            "try:\n FolderLock.acquire(__import__('pathlib').Path(sys.argv[2])); print('got it')\n"
            "except EnvError as e: print(e)")
    got = subprocess.run([sys.executable, "-c", code, str(ROOT), str(tmp_path)], capture_output=True, text=True)
    assert f"in use by pid {os.getpid()}" in got.stdout
    lock.release()
    lock.release()
    got = subprocess.run([sys.executable, "-c", code, str(ROOT), str(tmp_path)], capture_output=True, text=True)
    assert got.stdout.strip() == "got it"


def test_a_failed_chunk_of_a_sweep_loses_no_other(tmp_path, monkeypatch, capsys):
    """A sweep whose run 3 fails saves the 11 others, ends with one line (exit 3), and --resume
    computes only run 3."""
    import sim.experiments.sweep as sweep
    from sim.experiments.store import Store

    path = write_study(tmp_path)
    real = sweep.run_chunk

    def flaky(ctx, specs):
        if specs[0].run == 3:
            raise ValueError("lam value too large")
        return real(ctx, specs)

    monkeypatch.setattr(sweep, "run_chunk", flaky)
    out = tmp_path / "s"
    assert main(["sweep", str(path), "-w", "1", "--out", str(out), "--no-progress"]) == 3
    line = _one_line(capsys.readouterr().err)
    assert "1 of 12 runs failed (first: run 3" in line and "lam value too large" in line
    assert "the 11 finished runs are saved" in line
    store = Store.open(out)
    assert len(store.verified()) == 11 and store.info["complete"] is False
    assert store.info["sessions"][-1]["failed_chunks"] == {"3": "ValueError: lam value too large"}
    monkeypatch.setattr(sweep, "run_chunk", real)
    assert main(["sweep", str(path), "-w", "1", "--out", str(out), "--resume", "--no-progress"]) == 0
    assert "1 computed now" in capsys.readouterr().out
    assert Store.open(out).info["complete"] is True
