"""A render split into parts on several processes: the same frames and captions as a serial render."""
import subprocess

import pytest

from deepviz import catalog
from deepviz.cli import main
from deepviz.render import RenderError, render_trace
from deepviz.split import FAULT_ENV, cut

pytestmark = pytest.mark.render


def frame_hashes(video):
    out = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(video), "-f", "framemd5", "-"],
                         capture_output=True, text=True, check=True).stdout
    return [line.rsplit(",", 1)[-1].strip() for line in out.splitlines() if not line.startswith("#")]


def test_cut_balances_video_time_at_step_starts():
    starts = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert cut(starts, [0, 3, 5, 8], 10.0, 2) == [(0, 4), (5, 9)]
    assert cut(starts, [0, 3, 5, 8], 10.0, 3) == [(0, 2), (3, 7), (8, 9)]
    assert cut(starts, [0], 10.0, 4) == [(0, 9)]  # one step: nothing to cut at


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    trace = catalog.get("activations").trace("negative-logit")
    return trace, render_trace(trace, output=tmp_path_factory.mktemp("serial"), quality="test", parts=1)


def test_split_render_has_the_serial_frames_and_captions(serial, tmp_path):
    trace, one = serial
    split = render_trace(trace, output=tmp_path, quality="test", parts=3)
    assert frame_hashes(split.video) == frame_hashes(one.video)
    assert split.srt.read_text() == one.srt.read_text() and split.duration == pytest.approx(one.duration)
    assert sorted(p.name for p in (tmp_path / "activations").iterdir()) == sorted(
        p.name for p in (split.video, split.srt, split.vtt, split.trace))  # no runs left behind


def test_a_killed_part_is_rendered_again(serial, tmp_path, monkeypatch):
    trace, one = serial
    marker = tmp_path / "killed-once"
    monkeypatch.setenv(FAULT_ENV, f"1:{marker}")
    split = render_trace(trace, output=tmp_path / "out", quality="test", parts=2)
    assert marker.exists() and frame_hashes(split.video) == frame_hashes(one.video)


def test_a_part_that_keeps_dying_fails_in_one_line_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(FAULT_ENV, "0:always")
    with pytest.raises(RenderError, match=r"part 1 of 2 of the split render failed: its process ended"):
        render_trace(catalog.get("activations").trace("negative-logit"), output=tmp_path, quality="test", parts=2)
    assert not any(tmp_path.rglob("*.*"))
    assert main(["render", "activations", "--preset", "negative-logit", "-j", "2", "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("deepviz: error: part 1 of 2 of the split render failed")
    assert not any(tmp_path.rglob("*.*"))
    assert main(["render", "activations", "-j", "0", "-o", str(tmp_path)]) == 2
