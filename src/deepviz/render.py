"""Manim orchestration: quality, theme, format, captions and atomic output.

All outputs of one render are written into a temporary folder inside the output directory
and moved into place only when everything succeeded, so a failed or interrupted render (an
exception, Ctrl+C, SIGTERM) leaves nothing half-written behind. The temporary folder is named
after the process (``.render-<pid>-XXXX``): one left by a process that was killed outright
(SIGKILL) is removed by the next render into the same folder.
"""
# pyright: reportPrivateImportUsage=false
# (manim's tex_to_svg_file is public API but not re-exported)
from __future__ import annotations

import base64
import hashlib
import logging
import os
import shutil
import signal
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .params import ParamError
from .trace import Trace

TEMP_PREFIX = ".render-"

# name -> (pixel width, pixel height, frames per second)
QUALITIES: dict[str, tuple[int, int, int]] = {
    "low": (854, 480, 15),
    "medium": (1280, 720, 30),
    "high": (1920, 1080, 60),
    "4k": (3840, 2160, 60),
    "test": (192, 108, 5),  # tests only: smallest size that still exercises every animation
}
PUBLIC_QUALITIES = ("low", "medium", "high", "4k")
FORMATS = ("mp4", "gif", "png", "slides")  # slides: reveal.js HTML and PowerPoint (deepviz.slides)
THEMES = ("dark", "light")


class RenderError(RuntimeError):
    """A render that could not finish (a part of a split render failed twice); the message is one line."""


@dataclass
class RenderResult:
    """Paths of one render. Shows the video inline in Jupyter."""

    concept: str
    video: Path | None = None
    image: Path | None = None
    srt: Path | None = None
    vtt: Path | None = None
    trace: Path | None = None
    html: Path | None = None  # slides: the reveal.js presentation (one file)
    pptx: Path | None = None  # slides: the PowerPoint presentation
    duration: float = 0.0  # seconds of video
    frame_violations: list[str] = field(default_factory=list)
    lint: Any = None  # a style.lint.LintReport when rendered with the frame check

    def paths(self) -> list[Path]:
        return [p for p in (self.video, self.image, self.srt, self.vtt, self.trace) if p is not None]

    def _repr_html_(self) -> str:
        if self.image is not None:
            data = base64.b64encode(self.image.read_bytes()).decode()
            return f'<img src="data:image/png;base64,{data}" style="max-width:100%">'
        if self.video is not None and self.video.suffix == ".gif":
            data = base64.b64encode(self.video.read_bytes()).decode()
            return f'<img src="data:image/gif;base64,{data}" style="max-width:100%">'
        if self.video is not None:
            data = base64.b64encode(self.video.read_bytes()).decode()
            track = ""
            if self.vtt is not None:
                vtt = base64.b64encode(self.vtt.read_bytes()).decode()
                track = f'<track kind="captions" srclang="en" label="English" default src="data:text/vtt;base64,{vtt}">'
            return f'<video controls style="max-width:100%" src="data:video/mp4;base64,{data}">{track}</video>'
        return "<pre>" + "\n".join(map(str, self.paths())) + "</pre>"


def _private_copy(svg: Path) -> Path:
    """The shared SVG, linked into this render's own tex folder: Manim writes a scratch file beside the SVG
    it reads and deletes it, so two processes reading one shared SVG at once would delete each other's."""
    from manim import config

    private = Path(config.get_dir("tex_dir")) / svg.name
    if not private.exists():
        private.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(svg, private)
        except OSError:  # another file system: a copy
            shutil.copyfile(svg, private)
    return private


@contextmanager
def shared_tex_cache():
    """Reuse compiled LaTeX across renders and processes (each formula costs ~0.3 s to compile).

    Manim compiles each formula in the render's private folder; the SVG is then published to the
    user cache under a key of the formula, environment, template and Manim version, atomically,
    so concurrent renders never read a half-written file.
    """
    import manim
    from manim import config
    from manim.mobject.text import tex_mobject

    from .cache import cache_dir, publish

    compile_svg = tex_mobject.tex_to_svg_file
    folder = cache_dir("tex")

    def cached(expression, environment=None, tex_template=None):
        template = tex_template or config["tex_template"]
        key = hashlib.sha256("\0".join((manim.__version__, str(template.tex_compiler), template.output_format,
                                          template.body, environment or "", expression)).encode()).hexdigest()
        target = folder / f"{key[:32]}.svg"
        if not target.exists():
            publish(Path(compile_svg(expression, environment, tex_template)), target)
        return _private_copy(target)

    tex_mobject.tex_to_svg_file = cached
    try:
        yield
    finally:
        tex_mobject.tex_to_svg_file = compile_svg


def check_options(quality: str, theme: str, fmt: str, allow_test: bool = False) -> None:
    qualities = QUALITIES if allow_test else PUBLIC_QUALITIES
    if quality not in qualities:
        raise ParamError("quality", f"must be one of {', '.join(PUBLIC_QUALITIES)}; got {quality!r}")
    if theme not in THEMES:
        raise ParamError("theme", f"must be one of {', '.join(THEMES)}; got {theme!r}")
    if fmt not in FORMATS:
        raise ParamError("format", f"must be one of {', '.join(FORMATS)}; got {fmt!r}")


def example_name(trace: Trace) -> str:
    """The preset, or 'custom-<hash of the parameters>' for a user's own example."""
    import hashlib
    import json

    if trace.preset:
        return trace.preset
    return "custom-" + hashlib.sha256(json.dumps(trace.params, sort_keys=True).encode()).hexdigest()[:8]


def output_stem(example: str, quality: str, theme: str, burn_captions: bool) -> str:
    return f"{example}_{quality}_{theme}" + ("_captioned" if burn_captions else "")


def render_trace(
    trace: Trace,
    scene_cls: type | None = None,
    output: str | Path = "media",
    quality: str = "low",
    theme: str = "dark",
    fmt: str = "mp4",
    burn_captions: bool = False,
    check_frame: bool = False,
    on_step: Callable[[int, int, str], None] | None = None,
    voice: bool | str = False,
    parts: int | None = None,
) -> RenderResult:
    """Render ``trace`` and move the files into ``output/<concept>/`` atomically: the one render path.

    ``scene_cls`` defaults to the concept's registered scene (the studio's playground movie brings
    its own). ``on_step(done, total, caption)`` hears of the scene's progress through the trace's
    narration steps (see :class:`~deepviz.style.scene.DeepvizScene`). ``voice`` (True, or a
    synthesiser's name: see :mod:`deepviz.voice`) speaks each narration step into the video's sound.
    ``parts`` > 1 renders an MP4 in that many runs on as many cores (:mod:`deepviz.split`); None
    chooses (every core for a silent 1080p or 4K MP4), 1 renders serially.
    """
    from .doctor import RENDER, require

    check_options(quality, theme, fmt, allow_test=True)
    speaker = None
    if voice and fmt == "mp4":  # a GIF or a still has no sound
        from .voice import Speaker

        speaker = Speaker(None if voice is True else voice)  # a missing synthesiser stops here, before any file
        # Manim passes muxer options PyAV does not use when it adds the sound: a harmless warning per video
        logging.getLogger("av.container.output").setLevel(logging.ERROR)
    require(*RENDER)  # one line naming the Debian packages, before Manim's import fails deep inside
    from manim import tempconfig

    if scene_cls is None:
        from . import catalog

        scene_cls = catalog.get(trace.concept).load_scene()
    if fmt == "slides":
        from .slides import slide_scene

        scene_cls = slide_scene(scene_cls)  # a missing manim-slides stops here, before any file
    width, height, fps = QUALITIES[quality]
    out_dir = Path(output) / trace.concept
    created = [d for d in (Path(output), out_dir) if not d.exists()]
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_abandoned_temp(out_dir)
    stem = output_stem(example_name(trace), quality, theme, burn_captions)
    tmp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=out_dir))
    ok = False
    try:
        # Text glyph files stay in the private temp folder: a shared cache raced between the
        # gallery's processes and measured no faster (21.1 s both ways). LaTeX is cached (below).
        settings = {
            "media_dir": str(tmp / "media"),
            "pixel_width": width,
            "pixel_height": height,
            "frame_rate": fps,
            "output_file": stem,
            "disable_caching": True,
            "video_encoder_options": {"crf": "23", "preset": "superfast"},
            "progress_bar": "none",
            "verbosity": "ERROR",
            "write_to_movie": fmt != "png",
            "save_last_frame": fmt == "png",
            "format": "gif" if fmt == "gif" else None,
        }
        if fmt != "gif":
            settings.pop("format")
        with tempconfig(settings), shared_tex_cache():
            hooks: dict[str, Any] = {"on_step": on_step} if on_step is not None else {}  # a scene of one's own may lack them
            if speaker is not None:
                hooks["speaker"] = speaker
            if fmt == "slides":
                hooks["output_folder"] = (tmp / "slides").absolute()  # manim-slides reads its paths relative to its JSON
            from .split import Joined, auto_parts, render_split

            if parts is None:
                parts = auto_parts(quality, fmt, speaker is not None, check_frame)
            scene: Any
            if parts > 1 and fmt == "mp4" and speaker is None and on_step is None:
                scene = render_split(scene_cls, trace, {"theme": theme, "burn_captions": burn_captions}, settings,
                                     tmp, parts)
                duration = scene.duration
            else:
                scene = scene_cls(trace=trace, theme=theme, burn_captions=burn_captions, check_frame=check_frame,
                                  **hooks)
                scene.render()
                duration = float(scene.renderer.time)
            check_signals()  # nothing is moved into place after a signal, even one a library swallowed
        staged: dict[str, Path] = {}
        if isinstance(scene, Joined):
            staged[fmt] = scene.video
        elif fmt == "slides":
            from . import catalog
            from .slides import convert

            staged["html"], staged["pptx"] = tmp / "slides.html", tmp / "slides.pptx"
            convert((tmp / "slides").absolute(), str(scene), staged["html"], staged["pptx"],
                    catalog.get(trace.concept).title, theme)
        else:
            staged[fmt] = _find_output(tmp / "media", fmt)
        if fmt in ("mp4", "gif"):
            from .captions import to_srt, to_vtt

            (tmp / "captions.srt").write_text(to_srt(scene.cues), encoding="utf-8")
            (tmp / "captions.vtt").write_text(to_vtt(scene.cues), encoding="utf-8")
            staged["srt"], staged["vtt"] = tmp / "captions.srt", tmp / "captions.vtt"
        staged["json"] = trace.save(tmp / "trace.json")

        result = RenderResult(concept=trace.concept, duration=duration, frame_violations=scene.frame_violations,
                              lint=getattr(scene, "lint", None))
        for ext, src in staged.items():
            dest = out_dir / f"{stem}.{'trace.json' if ext == 'json' else ext}"
            os.replace(src, dest)
            attr = {"mp4": "video", "gif": "video", "png": "image", "srt": "srt", "vtt": "vtt", "json": "trace",
                    "html": "html", "pptx": "pptx"}[ext]
            setattr(result, attr, dest)
        ok = True
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not ok:  # leave no empty folders behind either
            for d in reversed(created):
                if d.is_dir() and not any(d.iterdir()):
                    d.rmdir()


def _find_output(media: Path, fmt: str) -> Path:
    found = [p for p in media.rglob(f"*.{fmt}") if "partial_movie_files" not in p.parts]
    if len(found) != 1:
        raise RuntimeError(f"Manim produced {len(found)} .{fmt} files, expected one")
    return found[0]


def render_concept(concept: str, preset: str | None = None, *, quality: str = "low", theme: str = "dark",
                   fmt: str = "mp4", burn_captions: bool = False, output: str | Path = "media",
                   check_frame: bool = False, voice: bool | str = False,
                   on_step: Callable[[int, int, str], None] | None = None, jobs: int | None = None,
                   **values: Any) -> RenderResult:
    """Compute a concept's trace (:meth:`~deepviz.catalog.Concept.trace`) and render it (:func:`render_trace`).

    Options are checked before the (possibly slow) computation. ``jobs``: the parts an MP4 is rendered
    in, one per core (see ``parts`` of :func:`render_trace`).
    """
    from . import catalog

    check_options(quality, theme, fmt, allow_test=True)
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or not 1 <= jobs <= 64):
        raise ParamError("jobs", f"must be a whole number from 1 to 64, got {jobs!r}")
    tr = catalog.get(concept).trace(preset, **values)
    return render_trace(tr, output=output, quality=quality, theme=theme, fmt=fmt, burn_captions=burn_captions,
                        check_frame=check_frame, on_step=on_step, voice=voice, parts=jobs)


def remove_abandoned_temp(folder: Path) -> None:
    """Remove the temporary folders of renders whose process no longer exists (killed with SIGKILL)."""
    for tmp in folder.glob(f"{TEMP_PREFIX}*-*"):
        pid = tmp.name[len(TEMP_PREFIX):].partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


# -- interruption -------------------------------------------------------------------------------------------
class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived. A KeyboardInterrupt, so every ``finally`` on the way unwinds as for Ctrl+C."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_status = 128 + signum  # the shell's convention: 130 for SIGINT, 143 for SIGTERM

    @property
    def message(self) -> str:
        return "terminated" if self.signum == signal.SIGTERM else "interrupted"


_ARRIVED: list[int] = []  # signals stop_on_signals caught (in case their exception was swallowed on the way)


def check_signals() -> None:
    """Raise :class:`Interrupted` again if a signal arrived: a library that catches BaseException (an
    encoder's clean-up, a finaliser) must not turn Ctrl+C or SIGTERM into a finished render."""
    if _ARRIVED:
        raise Interrupted(_ARRIVED[0])


@contextmanager
def stop_on_signals():
    """Turn SIGINT and SIGTERM into :class:`Interrupted` (in the main thread) while the block runs.

    After the first signal both are ignored, so the cleanup that unwinds is not itself cut short.
    """
    def stop(signum, frame):
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, signal.SIG_IGN)
        _ARRIVED.append(signum)
        raise Interrupted(signum)

    def unraisable(hook_args):
        # raised inside a finaliser or weakref callback, the signal's exception is printed with a traceback
        # and dropped; check_signals raises it again, so it is quiet here (one line at the end is the rule)
        if not isinstance(hook_args.exc_value, Interrupted):
            hook(hook_args)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    hook, sys.unraisablehook = sys.unraisablehook, unraisable
    # a parent may have left them blocked (inherited across exec): a blocked signal would wait forever
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        sys.unraisablehook = hook
        for s, handler in previous.items():
            signal.signal(s, handler)
        _ARRIVED.clear()
