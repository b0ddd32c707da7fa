"""Every scene rendered at the smallest test size: frame check, outputs, captions, failure."""
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import deepviz
from deepviz.render import render_concept

pytestmark = pytest.mark.render


def test_every_preset_of_every_concept_stays_inside_the_frame(rendered_all):
    for name, result in rendered_all.items():
        assert result.frame_violations == [], name


def test_every_preset_of_every_concept_passes_the_layout_and_pacing_lint(rendered_all):
    # style/lint.py: no overlapping or tiny labels, none at the frame's edge, content that uses the
    # frame in every step, time to read every caption, no dead time
    failures = {name: result.lint.violations for name, result in rendered_all.items() if result.lint.violations}
    assert failures == {}


def test_every_concept_captions_follow_its_narration(rendered_all):
    from deepviz.style.theme import DARK

    for (concept, preset), result in rendered_all.items():
        narration = deepviz.trace(concept, preset=preset).narration
        cues = re.findall(r"\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n(.+)", result.srt.read_text())
        assert cues == [DARK.words(t) for t in narration.values()], (concept, preset)


def test_a_large_dilated_example_stays_inside_the_frame(tmp_path):
    result = render_concept("transposed-conv", quality="test", output=tmp_path, check_frame=True,
                            input="7x9", kernel=3, stride=2, padding=1, dilation=2)
    assert result.frame_violations == []
    assert result.video.name.startswith("custom-")


def test_outputs_and_captions_are_written(rendered):
    result = rendered["padding-strided"]
    assert result.video.stat().st_size > 10_000
    assert result.trace.name == "padding-strided_test_dark.trace.json"
    narration = deepviz.trace("transposed-conv", preset="padding-strided").narration
    srt_text, vtt_text = result.srt.read_text(), result.vtt.read_text()
    assert vtt_text.startswith("WEBVTT")
    # one cue per narration step, in order, each with its text
    cues = re.findall(r"\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n(.+)", srt_text)
    from deepviz.style.theme import DARK

    assert cues == [DARK.words(text) for text in narration.values()]  # colour words from the theme
    assert vtt_text.count(" --> ") == len(narration)


def test_caption_times_increase_and_fit_the_video(rendered):
    for result in rendered.values():
        stamps = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})", result.vtt.read_text())
        times = [(int(a) * 3600 + int(b) * 60 + int(c) + int(d) / 1000, int(e) * 3600 + int(f) * 60 + int(g) + int(h) / 1000)
                 for a, b, c, d, e, f, g, h in stamps]
        assert all(s < e for s, e in times)
        assert all(times[n][1] <= times[n + 1][0] + 1e-3 for n in range(len(times) - 1))
        assert times[-1][1] <= result.duration + 1e-3


def test_videos_stay_under_a_minute_and_a_half(rendered_all):
    # At the test quality's 5 fps every animation lasts a whole number of 0.2 s frames, so a
    # video with many short steps runs up to ~15% longer than at 480p (autodiff mlp-2-2-1:
    # 84 s at 480p15, 98 s here); the bound allows for that. 100 s, not 90: the clarity pass gives
    # each caption its reading time and adds the steps that explain (transposed-conv's "why k-p-1").
    for name, result in rendered_all.items():
        assert 20 < result.duration < 100 * 1.15, (name, result.duration)


def test_png_gif_light_theme_and_burned_captions(tmp_path):
    png = render_concept("transposed-conv", "no-padding-strided", quality="test", fmt="png", theme="light",
                         output=tmp_path)
    assert png.image.suffix == ".png" and png.video is None and png.srt is None
    from PIL import Image

    assert Image.open(png.image).getpixel((0, 0))[:3] == (255, 255, 255)  # light = white background
    gif = render_concept("transposed-conv", "no-padding-strided", quality="test", fmt="gif", burn_captions=True,
                         output=tmp_path, check_frame=True)
    assert gif.video.suffix == ".gif" and gif.video.name.endswith("_captioned.gif")
    assert gif.frame_violations == []


def test_a_failing_render_leaves_no_files(tmp_path, monkeypatch):
    from deepviz.concepts.transposed_conv import scene

    def boom(self):
        self.wait(0.2)
        raise RuntimeError("scene failed")

    monkeypatch.setattr(scene.TransposedConvScene, "construct", boom)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        render_concept("transposed-conv", quality="test", output=out)
    assert not out.exists()


def test_a_user_renders_the_scene_with_the_manim_cli(tmp_path):
    (tmp_path / "my_scene.py").write_text(textwrap.dedent("""
        from deepviz.concepts.transposed_conv.scene import TransposedConvScene

        class MyConv(TransposedConvScene):
            params = {"input": "4x5", "kernel": 2, "stride": 2}
            theme_name = "light"
    """))
    res = subprocess.run([sys.executable, "-m", "manim", "render", "-r", "192,108", "--fps", "5",
                          "--media_dir", str(tmp_path / "media"), "my_scene.py", "MyConv"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    assert list((tmp_path / "media").rglob("MyConv.mp4"))


def test_api_and_render_do_not_import_each_other_and_deepviz_render_stays_the_function():
    import ast
    import inspect

    import deepviz.api
    from deepviz import render as render_module_or_function  # noqa: F401 - the attribute, whatever it is

    source = inspect.getsource(sys.modules["deepviz.render"])
    imported = {node.module for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom)}
    assert "api" not in imported and "deepviz.api" not in imported
    assert callable(deepviz.render) and deepviz.render is deepviz.api.render  # not the submodule


def test_python_api_result_shows_the_video_with_captions_in_jupyter(rendered):
    html = rendered["no-padding-strided"]._repr_html_()
    assert html.startswith("<video controls") and "data:video/mp4;base64," in html
    assert '<track kind="captions"' in html and "data:text/vtt;base64," in html


def test_latex_is_compiled_once_and_shared_through_the_cache(tmp_path, monkeypatch):
    from manim import MathTex, tempconfig
    from manim.mobject.text import tex_mobject

    from deepviz.render import shared_tex_cache

    monkeypatch.setenv("DEEPVIZ_CACHE_DIR", str(tmp_path / "cache"))
    compiled = []
    original = tex_mobject.tex_to_svg_file
    monkeypatch.setattr(tex_mobject, "tex_to_svg_file",
                        lambda *a, **k: compiled.append(a[0]) or original(*a, **k))
    for run in range(2):
        with tempconfig({"media_dir": str(tmp_path / f"media{run}")}), shared_tex_cache():
            formula = MathTex(r"\frac{\partial L}{\partial y} = 2D", r"\cdot 3")
    assert len(compiled) == 1  # the second render read the cached SVG
    assert len(formula) == 2 and formula.width > 0
    files = list((tmp_path / "cache" / "tex").iterdir())
    assert len(files) == 1 and files[0].suffix == ".svg"  # published whole, no temporary left
    assert tex_mobject.tex_to_svg_file.__name__ == "<lambda>"  # restored after the render
    # Manim writes a scratch file beside the SVG it reads and deletes it: each render reads its own link, so
    # two renders reading one cached formula at once never delete each other's scratch file
    shared = files[0]
    for run in range(2):
        private = tmp_path / f"media{run}" / "Tex" / shared.name
        assert private.is_file() and private.read_bytes() == shared.read_bytes()
    deleted = []
    unlink = Path.unlink
    monkeypatch.setattr(Path, "unlink", lambda self, *a, **k: deleted.append(self) or unlink(self, *a, **k))
    with tempconfig({"media_dir": str(tmp_path / "media2")}), shared_tex_cache():
        MathTex(r"\frac{\partial L}{\partial y} = 2D", r"\cdot 3")
    assert deleted and not [p for p in deleted if p.parent == shared.parent]
