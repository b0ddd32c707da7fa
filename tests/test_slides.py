"""Slides: one per narration step with the step's narration as speaker notes, offline HTML and PowerPoint."""
import html as html_text
import re

import pytest

from deepviz import catalog, render
from deepviz.cli import main
from deepviz.style.theme import get_theme

pytestmark = pytest.mark.render


def notes_and_clips(html):
    """The speaker notes (as the speaker view shows them) and the number of inlined clips of a presentation."""
    from bs4 import BeautifulSoup
    from markdown import markdown

    text = html.read_text(encoding="utf-8")
    notes = re.findall(r'<aside class="notes" data-markdown="">(.*?)</aside>', text, re.S)
    # reveal.js reads a note's text (entities resolved) as Markdown, then shows the HTML that makes
    shown = [BeautifulSoup(markdown(html_text.unescape(n.strip())), "html.parser").get_text() for n in notes]
    return shown, len(re.findall(r"data:video/mp4;base64,", text))


@pytest.fixture
def few_clips_kept():
    """Manim keeps only its newest 100 partial movie files (autodiff mlp-2-2-1 plays more): keeping 4
    makes every scene run into that limit, which the slides must lift."""
    from manim import tempconfig

    with tempconfig({"max_files_cached": 4}):
        yield


@pytest.mark.parametrize("concept", [c.name for c in catalog.concepts()])
def test_slides_of_every_concept(concept, tmp_path, monkeypatch, capfd, few_clips_kept):
    monkeypatch.chdir(tmp_path)  # into a relative folder, as `make demo` writes to media/gallery
    preset = catalog.get(concept).presets[0].name
    result = render(concept, preset, quality="test", format="slides", output="out")
    html, pptx = result.html, result.pptx
    assert not html.is_absolute() and sorted(p.name for p in (tmp_path / "out" / concept).iterdir()) == sorted(
        [html.name, pptx.name, result.trace.name])  # nothing else left behind
    assert "%|" not in capfd.readouterr().err  # no progress bars
    steps = [get_theme("dark").words(t) for t in catalog.get(concept).trace(preset).narration.values()]
    assert notes_and_clips(html) == (steps, len(steps))  # a slide per step, each with its clip and notes
    # offline: no stylesheet or script is fetched from the network
    assert not re.findall(r'<(?:link|script)[^>]+(?:href|src)="https?:', html.read_text(encoding="utf-8"))

    from pptx import Presentation

    deck = Presentation(str(pptx))
    assert [s.notes_slide.notes_text_frame.text for s in deck.slides] == steps


def test_slides_refuse_what_render_refuses(tmp_path, capsys):
    assert main(["slides", "perceptron", "--format", "mp4", "-o", str(tmp_path)]) == 2
    assert main(["slides", "perceptron", "--weight", "nan", "-o", str(tmp_path)]) == 2
    assert not any(tmp_path.rglob("*.*"))


def test_a_presentation_manim_slides_refuses_is_one_line(tmp_path):
    from deepviz.render import RenderError
    from deepviz.slides import convert

    (tmp_path / "Scene.json").write_text('{"slides": [], "resolution": [192, 108], "background_color": "black"}')
    with pytest.raises(RenderError, match=r"^the slides could not be made: PresentationConfig: slides: List should "
                                          r"have at least 1 item[^\n]*$"):
        convert(tmp_path, "Scene", tmp_path / "s.html", tmp_path / "s.pptx", "Title", "dark")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Scene.json"]


def test_a_failed_conversion_exits_1_with_one_line(tmp_path, monkeypatch, capsys):
    from manim_slides.config import PresentationConfig

    from deepviz.render import QUALITIES

    monkeypatch.setitem(QUALITIES, "low", QUALITIES["test"])  # the command line offers no test quality
    read = PresentationConfig.from_file.__func__

    def clip_lost(cls, path):  # a clip gone between the render and the conversion (pydantic checks the paths)
        next((path.parent / "files").rglob("*.mp4")).unlink()
        return read(cls, path)

    monkeypatch.setattr(PresentationConfig, "from_file", classmethod(clip_lost))
    assert main(["slides", "linear-map", "-o", str(tmp_path / "out")]) == 1  # the quickest render
    err = capsys.readouterr().err
    assert re.match(r"deepviz: error: the slides could not be made: PresentationConfig: slides\.\d+\.file: "
                    r"Path does not point to a file", err)
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()  # nothing half-written
