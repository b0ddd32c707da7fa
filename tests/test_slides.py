"""Slides: one per narration step with the step's narration as speaker notes, offline HTML and PowerPoint."""
import re

import pytest

from deepviz import catalog, render
from deepviz.cli import main
from deepviz.style.theme import get_theme

pytestmark = pytest.mark.render


def test_slides_are_the_narration_steps(tmp_path, capfd):
    result = render("perceptron", "learning-rule", quality="test", format="slides", output=tmp_path)
    html, pptx = result.html, result.pptx
    assert sorted(p.name for p in (tmp_path / "perceptron").iterdir()) == sorted(
        [html.name, pptx.name, result.trace.name])  # nothing else left behind
    assert "%|" not in capfd.readouterr().err  # no progress bars
    narration = catalog.get("perceptron").trace("learning-rule").narration
    steps = [get_theme("dark").words(t) for t in narration.values()]
    text = html.read_text(encoding="utf-8")
    notes = re.findall(r'<aside class="notes" data-markdown="">(.*?)</aside>', text, re.S)
    assert len(notes) == len(steps) and len(re.findall(r"data:video/mp4;base64,", text)) == len(steps)
    assert notes[0].strip().startswith(steps[0][:30].replace("'", "&#39;")[:20])
    # offline: no stylesheet or script is fetched from the network
    assert not re.findall(r'<(?:link|script)[^>]+(?:href|src)="https?:', text)

    from pptx import Presentation

    deck = Presentation(str(pptx))
    assert len(deck.slides) == len(steps)
    assert [s.notes_slide.notes_text_frame.text for s in deck.slides] == steps


def test_slides_refuse_what_render_refuses(tmp_path, capsys):
    assert main(["slides", "perceptron", "--format", "mp4", "-o", str(tmp_path)]) == 2
    assert main(["slides", "perceptron", "--weight", "nan", "-o", str(tmp_path)]) == 2
    assert not any(tmp_path.rglob("*.*"))


def test_slides_into_a_relative_output_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # `make demo` writes to media/gallery, relative to the checkout
    result = render("perceptron", "learning-rule", quality="test", format="slides", output="rel")
    assert result.html.is_file() and result.pptx.is_file() and not result.html.is_absolute()
