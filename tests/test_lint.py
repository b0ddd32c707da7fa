"""The layout and pacing lint: each check catches its defect on a small synthetic scene, and every
concept's captions name colours through the theme."""
import ast
import re
from pathlib import Path

import pytest

from deepviz import catalog
from deepviz.style.lint import MAX_DEAD_SECONDS, reading_seconds
from deepviz.style.theme import DARK, LIGHT, THEMES
from deepviz.trace import Trace

pytestmark = pytest.mark.render
SRC = Path(__file__).resolve().parents[1] / "src" / "deepviz"


def lint_of(build, narration=("Look at this.",), span: float | None = None):
    """Render a one-off scene at the test size whose construct() is ``build(scene)``; its lint report."""
    from manim import tempconfig

    from deepviz.style.scene import DeepvizScene

    attrs = {"construct": lambda self: build(self)}
    if span is not None:
        attrs["min_content_span"] = span
    cls = type("Probe", (DeepvizScene,), attrs)
    trace = Trace("probe", {}, {}, {f"s{i}": t for i, t in enumerate(narration)})
    with tempconfig({"pixel_width": 192, "pixel_height": 108, "frame_rate": 5, "dry_run": True,
                     "verbosity": "ERROR", "progress_bar": "none"}):
        scene = cls(trace=trace, check_frame=True)
        scene.render()
    return scene.lint


def kinds(report):
    return sorted({v.split(":")[0] for v in report.violations})


def big_box(scene):
    from manim import Rectangle

    return Rectangle(width=10, height=4.5).set_stroke(scene.theme.input, 4)


def test_a_clean_scene_passes():
    from deepviz.style.animations import fade_in
    from deepviz.style.mobjects import label

    def build(s):
        s.narrate("s0")
        s.play(*fade_in(big_box(s), label("a readable label", s.theme)))
        s.finish_reading()

    report = lint_of(build)
    assert report.violations == []
    assert report.smallest_text_px >= 12 and report.smallest_span > 0.55


def test_overlapping_labels_are_caught():
    from manim import RIGHT

    from deepviz.style.animations import fade_in
    from deepviz.style.mobjects import label

    def build(s):
        s.narrate("s0")
        a, b = label("first label", s.theme), label("second label", s.theme)
        b.move_to(a.get_center() + RIGHT * 0.5)
        s.play(*fade_in(big_box(s), a, b))
        s.finish_reading()

    assert kinds(lint_of(build)) == ["overlap"]


def test_small_text_is_caught():
    from deepviz.style.animations import fade_in
    from deepviz.style.mobjects import label

    def build(s):
        s.narrate("s0")
        s.play(*fade_in(big_box(s), label("tiny", s.theme).scale(0.5)))
        s.finish_reading()

    report = lint_of(build)
    assert kinds(report) == ["text size"] and report.smallest_text_px < 9


def test_a_label_at_the_edge_is_caught():
    from manim import LEFT

    from deepviz.style.animations import fade_in
    from deepviz.style.mobjects import label

    def build(s):
        s.narrate("s0")
        s.play(*fade_in(big_box(s), label("edge", s.theme).to_edge(LEFT, buff=0.05)))
        s.finish_reading()

    assert kinds(lint_of(build)) == ["margin"]


def test_a_half_empty_frame_is_caught_and_can_be_allowed():
    from manim import Square

    from deepviz.style.animations import fade_in

    def build(s):
        s.narrate("s0")
        s.play(*fade_in(Square(2).set_stroke(s.theme.input)))
        s.finish_reading()

    assert kinds(lint_of(build)) == ["span"]
    assert lint_of(build, span=0.2).violations == []


def test_a_caption_too_short_to_read_is_caught():
    long = "This caption has far too many words to read in the single second it is shown on screen here."

    def build(s):
        s.narrate("s0")
        s.play(*__import__("deepviz.style.animations", fromlist=["x"]).fade_in(big_box(s)), run_time=1)
        s.narrate("s1")
        s.finish_reading()

    assert kinds(lint_of(build, narration=(long, "Short."))) == ["reading"]


def test_dead_time_is_caught():
    from deepviz.style.animations import fade_in

    def build(s):
        s.narrate("s0")
        s.play(*fade_in(big_box(s)))
        s.wait(reading_seconds("Look at this.") + MAX_DEAD_SECONDS + 1)

    report = lint_of(build)
    assert kinds(report) == ["dead time"] and report.longest_dead > MAX_DEAD_SECONDS


def test_theme_words_name_the_colours_drawn():
    for theme in THEMES.values():
        assert theme.words("{color:weight} w") == "orange w"
        assert theme.color_word("class1") == "pink"
        assert theme.role("class1") == theme.classes[1]
    assert DARK.input != LIGHT.input and DARK.color_word("input") == LIGHT.color_word("input") == "sky blue"
    with pytest.raises(KeyError):
        DARK.role("kernelz")


def test_every_role_colour_has_one_meaning():
    for theme in THEMES.values():
        roles = [theme.input, theme.weight, theme.output, theme.gradient, theme.highlight, *theme.classes,
                 theme.inserted, theme.extra, *theme.gates]
        assert len({c.upper() for c in roles}) == len(roles), theme.name
        assert {c.upper() for c in roles} <= {c.upper() for c, _ in theme.names}, theme.name


COLOUR_WORDS = r"\b(red|orange|blue|green|yellow|pink|purple|grey|gray|brown|lavender|violet|vermilion)\b"


@pytest.mark.parametrize("concept", [c.name for c in catalog.concepts()])
def test_captions_name_colours_through_the_theme(concept):
    import deepviz

    for preset in catalog.get(concept).preset_names():
        for key, text in deepviz.trace(concept, preset=preset).narration.items():
            bare = re.sub(r"\{color:\w+\}", "", text)
            assert not re.search(COLOUR_WORDS, bare, re.I), (concept, preset, key, text)


def test_scenes_name_roles_not_raw_colours():
    manim_colours = {"RED", "BLUE", "GREEN", "ORANGE", "YELLOW", "WHITE", "GRAY", "GREY", "PURPLE", "PINK", "TEAL",
                     "GOLD", "MAROON", "BLACK"}
    for path in sorted((SRC / "concepts").glob("*/scene.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not re.fullmatch(r"#[0-9A-Fa-f]{3,8}", node.value), (path, node.value)
            if isinstance(node, ast.Name):
                assert re.sub(r"_[A-E]$", "", node.id) not in manim_colours, (path, node.id)
