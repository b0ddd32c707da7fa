"""`deepviz doctor` and a missing system tool: one line naming the Debian packages, nothing written."""
from deepviz import doctor
from deepviz.cli import main


def test_doctor_lists_every_requirement(capsys):
    assert main(["doctor"]) == 0  # this machine was set up by scripts/setup.sh
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in out] == [r.name for r in doctor.REQUIREMENTS]
    assert all(line.startswith("ok") for line in out)


def test_missing_ffmpeg_is_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main(["render", "perceptron", "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["deepviz: error: ffmpeg is not installed (needed for every video: encoding, captions, posters): "
                   "apt-get install ffmpeg"]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.*"))
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "MISSING  ffmpeg" in out and "apt-get install graphviz" in out
