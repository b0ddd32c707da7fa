"""Spoken narration: speakable text, the synthesiser's absence, and a voiced video whose speech
starts with each caption (measured in the MP4's own sound track)."""
import re
import shutil
import subprocess

import numpy as np
import pytest

import deepviz
from deepviz import voice
from deepviz.params import ParamError

RATE = 8000  # samples per second the sound is compared at: plenty to place speech within 0.2 s


@pytest.mark.parametrize("text, spoken", [
    ("w = −0.23", "w equals minus zero point two three"),
    ("(0, −1) and b −= 0.5", "(zero, minus one) and b minus equals zero point five"),
    ("x₁ · x2 × 3", "x one times x two times three"),
    ("σ′(0) = 0.25", "sigma prime (zero) equals zero point two five"),
    ("lr 10⁻⁴, x², ĵ", "lr ten to the power minus four, x squared, j hat"),
    ("a 2-3-2 network, t − y", "a two-three-two network, t minus y"),
    ("20 °C, 1e-3", "twenty degrees , zero point zero zero one"),
])
def test_numbers_are_spoken_as_words(text, spoken):
    assert voice.speakable(text) == spoken


def test_a_missing_synthesiser_is_one_line_naming_the_debian_package(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ParamError) as err:
        voice.find_synthesiser()
    assert err.value.param == "voice"
    assert "apt-get install festival festvox-us-slt-hts or espeak-ng" in err.value.message
    with pytest.raises(ParamError):  # before anything is written
        deepviz.render("linear-map", "rotation", quality="test", output=tmp_path / "out", voice=True)
    assert not (tmp_path / "out").exists()
    from deepviz.cli import main

    assert main(["render", "linear-map", "--voice", "-o", str(tmp_path / "out")]) == 2


def test_each_synthesiser_speaks_into_the_cache_once(monkeypatch):
    for s in voice.SYNTHESISERS:
        if not s.available():
            pytest.skip(f"{s.packages} not installed (scripts/setup.sh installs it)")
        speaker = voice.Speaker(s.name)
        wav, seconds = speaker.speak("Point 6 has t = 0, y = 1.")
        assert 1.0 < seconds < 6.0 and wav.stat().st_size > 10_000
        monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("spoken twice"))
        assert speaker.speak("Point 6 has t = 0, y = 1.") == (wav, seconds)
        monkeypatch.undo()


def _samples(path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", str(RATE),
                          "-f", "s16le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.int16).astype(np.float64)


def _vtt_starts(vtt: str) -> list[float]:
    stamps = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) -->", vtt)
    return [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 for h, m, s, ms in stamps]


@pytest.mark.render
def test_a_voiced_video_speaks_each_step_as_its_caption_starts(tmp_path):
    from scipy.signal import correlate

    result = deepviz.render("linear-map", "rotation", quality="test", output=tmp_path, voice=True)
    streams = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of",
                              "csv=p=0", str(result.video)], capture_output=True, text=True, check=True).stdout
    assert "aac,audio" in streams
    track = _samples(result.video)
    starts = _vtt_starts(result.vtt.read_text())
    captions = list(deepviz.trace("linear-map", preset="rotation").narration.values())
    assert len(starts) == len(captions)
    speaker = voice.Speaker()
    for n, (caption, start) in enumerate(zip(captions, starts)):
        wav, seconds = speaker.speak(caption)  # the clip the render used (from the cache)
        clip = _samples(wav)
        # where this step's speech lies in the MP4's sound: the best match of its clip
        found = int(np.argmax(correlate(track, clip, mode="valid", method="fft"))) / RATE
        assert abs(found - start) < 0.2, (n, caption, found, start)
        end = starts[n + 1] if n + 1 < len(starts) else result.duration
        assert end - start >= seconds, (n, "the step ends before its audio")


def test_the_gallery_speaks_with_festival_by_default_and_silently_without_it(monkeypatch, capsys, tmp_path):
    from deepviz import cli, gallery

    asked = []
    monkeypatch.setattr(gallery, "build_gallery", lambda out, **kw: asked.append(kw["voice"]) or 0)
    args = ["gallery", "--concept", "linear-map", "-o", str(tmp_path)]
    festival = voice.SYNTHESISERS[0]
    if festival.available():
        assert cli.main(args) == 0 and asked[-1] == "festival"
    assert cli.main([*args, "--no-voice"]) == 0 and asked[-1] is False
    monkeypatch.setattr(voice.Synthesiser, "available", lambda self: self.name != "festival")
    assert cli.main(args) == 0 and asked[-1] is False  # espeak-ng is no default: hard to understand
    assert "apt-get install festival festvox-us-slt-hts" in capsys.readouterr().out
    assert cli.main([*args, "--voice"]) == 0 and asked[-1] is True  # asked for: any synthesiser
