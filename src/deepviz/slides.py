"""Slides: each narration step a slide that plays its animation and waits for a key, through manim-slides.

The concept's own scene is rendered as a manim-slides ``Slide`` (a mix-in class made here), with a
``next_slide`` at every narration step whose speaker notes are that step's narration. manim-slides'
``convert`` then writes a self-contained reveal.js HTML file (videos and reveal.js inlined: it works
offline, from a USB stick) and a PowerPoint file. reveal.js comes with deepviz (the studio's front
end build copies it from npm into ``studio/static/reveal``) and is handed to manim-slides through its
own asset cache, so nothing is downloaded.
"""
from __future__ import annotations

import io
import logging
import re
import shutil
from contextlib import contextmanager, redirect_stderr
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from .doctor import MissingTool

# the reveal.js files manim-slides' template links, by the names its offline cache keeps them under
# what a backslash escapes in Markdown (reveal.js' marked and Python-Markdown alike); not < > &: entities
MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!])")
REVEAL_FILES = ("reveal.css", "reveal.js", "black.css", "white.css", "zenburn.css", "notes.js", "markdown.js")


def _manim_slides():
    try:
        import manim_slides  # noqa: F401
    except ImportError:
        raise MissingTool("slides need manim-slides: pip install 'deepviz[slides]'") from None


def slide_scene(scene_cls: type) -> type:
    """``scene_cls`` as a manim-slides Slide whose narration steps are its slides."""
    _manim_slides()
    from manim import tempconfig
    from manim_slides.slide import Slide
    from manim_slides.slide.base import BaseSlide

    class NarrationSlides(Slide, scene_cls):  # type: ignore[valid-type, misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # Slide.__init__ only sets config["write_to_movie"], an option Manim 0.22 no longer has
            # (it writes the movie whenever no still is asked for). The slides are cut from Manim's
            # partial movie files after the render, but Manim prunes all but its newest
            # max_files_cached (100) of them when the movie is done: a scene of more plays lost its
            # first clips. Slide.render lifts the limit with infinity, which Manim 0.22 refuses; its
            # "unlimited" is -1, read when the scene is made.
            with tempconfig({"max_files_cached": -1}):
                BaseSlide.__init__(self, *args, **kwargs)

        @property
        def _background_color(self) -> str:  # the theme's background (the camera holds it as text)
            return self.theme.background

        def render(self, *args: Any, **kwargs: Any) -> None:
            # not Slide.render (max_files_cached: see __init__); deepviz renders uncached anyway.
            # No reversed clips: the slides play forward only.
            super(Slide, self).render(*args, **kwargs)
            with _quiet(), one_line_errors():
                self._save_slides(use_cache=False, flush_cache=False, skip_reversing=True)

        def narrate(self, key: str) -> str:
            # the notes belong to the slide that starts here (manim-slides closes the one before)
            self.next_slide(notes=self.theme.words(self.trace.caption(key)))
            return super().narrate(key)

    NarrationSlides.__name__ = NarrationSlides.__qualname__ = f"{scene_cls.__name__}Slides"
    return NarrationSlides


def _reveal_version() -> str:
    from manim_slides.convert import RevealJS

    return str(RevealJS.model_fields["reveal_version"].default)


def _stock_reveal_cache() -> None:
    """Put the shipped reveal.js into manim-slides' offline cache (what its --offline reads first)."""
    from platformdirs import user_cache_path

    shipped = resources.files("deepviz.studio").joinpath("static/reveal")
    missing = [f for f in REVEAL_FILES if not shipped.joinpath(f).is_file()]
    if missing:
        raise MissingTool("the slides' reveal.js is not built: run `make setup` (npm run build in "
                          "src/deepviz/studio/frontend)")
    cache = user_cache_path("manim-slides") / f"revealjs{_reveal_version()}"
    cache.mkdir(parents=True, exist_ok=True)
    for f in REVEAL_FILES:
        if not (cache / f).is_file():
            with resources.as_file(shipped.joinpath(f)) as src:
                shutil.copyfile(src, cache / f)


def convert(slides_folder: Path, scene_name: str, html: Path, pptx: Path, title: str, theme: str) -> None:
    """Write the reveal.js HTML (one file, offline) and the PowerPoint of a rendered slide scene."""
    from manim_slides.config import PresentationConfig
    from manim_slides.convert import PowerPoint, RevealJS

    _stock_reveal_cache()
    with _quiet(), one_line_errors():
        config = PresentationConfig.from_file(slides_folder / f"{scene_name}.json")
        options: dict[str, Any] = {"presentation_configs": [_notes_as_markdown(config)], "title": title,
                                   "one_file": True, "offline": True,
                                   "reveal_theme": "black" if theme == "dark" else "white"}
        RevealJS(**options).convert_to(html)
        PowerPoint(presentation_configs=[config]).convert_to(pptx)  # pyright: ignore[reportCallIssue] (pydantic defaults)


def _notes_as_markdown(config: Any) -> Any:
    """``config`` with notes that reveal.js shows as written. manim-slides' template puts a note into the
    HTML as it is, and reveal.js reads the element's text as Markdown: a ``<`` opened a tag (the transformer's
    end-of-sentence word "</s>" vanished) and a leading "+ " made a list (space-folding's "+ b1 = ...").
    Markdown's punctuation gets a backslash; ``<``, ``>`` and ``&`` are escaped twice (HTML, then Markdown)."""
    def shown(notes: str) -> str:
        return escape(escape(MARKDOWN_PUNCTUATION.sub(r"\\\1", notes), quote=False), quote=False)

    return config.model_copy(update={"slides": [s.model_copy(update={"notes": shown(s.notes)})
                                                for s in config.slides]})


@contextmanager
def one_line_errors():
    """manim-slides' failures (pydantic's validation of its configs, a clip it cannot read) as a
    :class:`~deepviz.render.RenderError` of one line, not pydantic's many-line report and a traceback."""
    from pydantic import ValidationError

    from .render import RenderError

    try:
        yield
    except ValidationError as err:  # before ValueError: pydantic's is one
        first = err.errors()[0]
        where = ".".join(map(str, first["loc"]))
        more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
        raise RenderError(f"the slides could not be made: {err.title}: {where + ': ' if where else ''}"
                          f"{first['msg']}, got {first.get('input')!r:.80}{more}") from err
    except (ValueError, OSError) as err:
        first_line = (str(err).splitlines() or [type(err).__name__])[0]
        raise RenderError(f"the slides could not be made: {first_line}") from err


@contextmanager
def _quiet():
    """manim-slides' progress bars and notices off (its tqdm writes to stderr): a render prints only its paths."""
    logger = logging.getLogger("manim-slides")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with redirect_stderr(io.StringIO()):  # errors still propagate as exceptions
            yield
    finally:
        logger.setLevel(level)
