"""`zonesim report`: what it prints is in the report's language."""

from sim.cli.main import main


def test_report_zh_prints_its_last_line_in_chinese(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "--years", "1", "--seeds", "2", "--workers", "1", "--out", str(out), "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["report", str(out), "--lang", "zh"]) == 0
    printed = capsys.readouterr().out
    assert f"已写入 {out / 'report-zh.html'}" in printed and "wrote" not in printed  # was "wrote …/report-zh.html"
