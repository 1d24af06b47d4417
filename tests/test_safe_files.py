"""Files are read safely (issue 20, items 9 and 10): tiny or odd files can neither hang nor
exhaust the command line, errors never render the whole input, ``extends`` resolves beside the
file naming it, and names used in folder names are plain."""

from __future__ import annotations

import os
import threading
import time

import pytest

from sim.cli.main import main
from sim.core.errors import InputError
from sim.scenario.packages import load_package
from sim.scenario.world import MAX_ALIAS_VALUES, MAX_FILE_BYTES, MAX_MAPPING_BYTES, read_mapping, read_text


# 336 bytes that stand for 10^9 strings (the "billion laughs"): took 181 s and 3.5 GB before
BOMB = ("name: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
        + "".join(f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi")))


def _cli(capsys, *argv, timeout=60):
    """``zonesim ARGV`` in a thread that must end within ``timeout`` (a hang fails the test)."""
    got: dict = {}
    t0 = time.time()
    worker = threading.Thread(target=lambda: got.setdefault("rc", main(list(argv))), daemon=True)
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), f"zonesim {' '.join(argv)} still running after {timeout} s"
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert got["rc"] == 2 and len(lines) == 1, lines
    return lines[0], time.time() - t0


def test_a_pipe_is_refused_without_waiting(tmp_path, capsys):
    fifo = tmp_path / "package.yaml"
    os.mkfifo(fifo)
    line, seconds = _cli(capsys, "run", "--package", str(fifo), "--out", str(tmp_path / "o"))
    assert "not a regular file" in line and seconds < 30
    with pytest.raises(InputError, match="not a regular file"):
        read_text(fifo)


def test_a_device_is_refused_without_reading(tmp_path):
    for dev in ("/dev/zero", "/dev/urandom"):
        if os.path.exists(dev):
            with pytest.raises(InputError, match="not a regular file"):
                load_package(dev)


def test_a_huge_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(3 * 10**9)  # sparse: 3 GB by size, nothing on disk
    t0 = time.time()
    with pytest.raises(InputError, match=f"file larger than {MAX_MAPPING_BYTES:,} bytes"):
        read_mapping(big)
    with pytest.raises(InputError, match=f"file larger than {MAX_FILE_BYTES:,} bytes"):
        read_text(big)
    assert time.time() - t0 < 1


def test_a_yaml_alias_bomb_is_refused_quickly_with_one_line(tmp_path, capsys):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB)
    assert len(BOMB.encode()) < 400
    t0 = time.time()
    with pytest.raises(InputError, match=f"repeat more than {MAX_ALIAS_VALUES:,} values") as err:
        read_mapping(bomb)
    assert time.time() - t0 < 2 and "\n" not in str(err.value) and len(str(err.value)) < 400
    line, seconds = _cli(capsys, "run", "--package", str(bomb), "--out", str(tmp_path / "o"))
    assert "aliases" in line and seconds < 30


def test_a_few_aliases_are_still_fine(tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("name: ok\nlevers:\n  talent_subsidy: &t {amount: 30.0}\n  tech_finance: {loan_ratio: 0.2}\n"
                 "description: &d short\ntitle: *d\n")
    assert load_package(p).title == "short"


def test_error_messages_never_render_the_whole_input(tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("name: x\ntitle: [" + ", ".join(["123456789"] * 80_000) + "]\n")  # ~0.9 MB
    t0 = time.time()
    with pytest.raises(InputError) as err:
        load_package(p)
    assert len(str(err.value)) < 400 and "..." in str(err.value) and time.time() - t0 < 10


def test_extends_resolves_beside_the_file_naming_it(tmp_path, monkeypatch):
    home = tmp_path / "packages"
    home.mkdir()
    (home / "parent.yaml").write_text("name: parent\nlevers:\n  talent_subsidy: {amount: 11.0}\n")
    (home / "child.yaml").write_text("name: child\nextends: parent.yaml\n")
    (home / "child2.yaml").write_text("name: child2\nextends: parent\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "parent.yaml").write_text("name: impostor\nlevers:\n  talent_subsidy: {amount: 99.0}\n")
    (elsewhere / "parent").mkdir()
    monkeypatch.chdir(elsewhere)  # the same command, run from another folder, picks the same parent
    for child in ("child.yaml", "child2.yaml"):
        pkg = load_package(home / child)
        assert pkg.settings["talent_subsidy"].amount == 11.0 and pkg.chain[0] == "parent"
    (home / "orphan.yaml").write_text("name: orphan\nextends: missing.yaml\n")
    with pytest.raises(InputError, match="file not found"):
        load_package(home / "orphan.yaml")


@pytest.mark.parametrize("name", ["../../escape", "a/../../b", "/abs", ".hidden", "..", "a b", "名字", "x" * 81])
def test_names_used_in_folder_names_are_plain(tmp_path, name):
    p = tmp_path / "p.yaml"
    p.write_text(f"name: '{name}'\n")
    with pytest.raises(InputError, match="name"):
        load_package(p)


def test_a_package_name_cannot_write_outside_results(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "evil.yaml").write_text("name: ../../outside\nextends: baseline\n")
    assert main(["run", "--package", "evil.yaml", "-y", "1", "-k", "1", "-w", "1", "--no-progress"]) == 2
    assert not (tmp_path / "results").exists() and not (tmp_path.parent / "outside").exists()
