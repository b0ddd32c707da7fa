"""The static gallery: every concept's presets rendered in parallel, one HTML page, no server.

Concepts appear in the course's order (:data:`deepviz.catalog.COURSE`), each with a link to the
one to watch next.

Renders are cached: each output carries a key file (concept, parameters, quality, theme, voice,
package version and a fingerprint of the code that draws it); a preset whose key matches is
not rendered again. A render first removes its preset's key and writes the new one (atomically)
only once all its files are in place, so a render that is killed part way leaves no key that
vouches for its files: the next build renders that preset again.

Each preset renders in a process of its own (forked from a server that has imported torch and
Manim once): a render process that dies takes only its own preset with it. SIGINT and SIGTERM
stop the running renders, which remove their temporary folders, and the build.
"""
from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import json
import multiprocessing
import os
import subprocess
import sys
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Callable

from . import __version__, catalog
from .params import ParamError
from .render import Interrupted, output_stem, stop_on_signals

# The gallery speaks its narration when festival's HTS voice is installed (an independent recogniser,
# pocketsphinx, understood 65% of its words in our captions; espeak-ng's only 15%: not a default).
DEFAULT_VOICE = "festival"

PACKAGE_DIR = Path(__file__).resolve().parent
SHARED_CODE = ("render.py", "captions.py", "trace.py", "params.py", "voice.py", "style")


@dataclass(frozen=True)
class Job:
    concept: str
    preset: str
    quality: str
    theme: str
    key: str
    voice: str | None = None  # the synthesiser that speaks the narration, or None for a silent video
    slides: bool = False  # also the presentation (deepviz slides): reveal.js HTML and PowerPoint

    @property
    def stem(self) -> str:
        return output_stem(self.preset, self.quality, self.theme, burn_captions=False)


def code_fingerprint(concept: catalog.Concept) -> str:
    """Hash of the files that decide how a concept looks: its folder and the shared code."""
    spec = importlib.util.find_spec(concept.compute.split(":")[0])
    assert spec is not None and spec.origin is not None  # the concept was imported to register it
    folder = Path(spec.origin).parent
    files = sorted(folder.rglob("*.py"))
    for name in SHARED_CODE:
        path = PACKAGE_DIR / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(PACKAGE_DIR).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def default_voice() -> str | None:
    """The synthesiser the gallery speaks with unless told otherwise: festival if installed, else none."""
    from .voice import find_synthesiser

    try:
        return find_synthesiser(DEFAULT_VOICE).name
    except ParamError:
        return None


def plan(quality: str, theme: str, only: list[str] | None = None, voice: bool | str = False,
         slides: bool = False) -> list[Job]:
    """Every preset to show (of the concepts in ``only``, if given) with its cache key.

    ``voice``: True (the first synthesiser installed) or a synthesiser's name speaks the narration; a
    missing synthesiser is a ParamError here, before anything renders.
    """
    speaker = None
    if voice:
        from .voice import find_synthesiser

        speaker = find_synthesiser(None if voice is True else voice).name
    jobs = []
    for c in catalog.concepts():
        if only and c.name not in only:
            continue
        fingerprint = code_fingerprint(c)
        for p in c.presets:
            _, values = c.resolve(p.name)
            key_data = {"concept": c.name, "preset": p.name, "params": c.params.format_values(values),
                        "quality": quality, "theme": theme, "version": __version__, "code": fingerprint,
                        "voice": speaker, "slides": slides}
            key = hashlib.sha256(json.dumps(key_data, sort_keys=True).encode()).hexdigest()
            jobs.append(Job(c.name, p.name, quality, theme, key, speaker, slides))
    return jobs


def key_file(out: Path, job: Job) -> Path:
    return out / job.concept / f"{job.stem}.key"


def is_current(out: Path, job: Job) -> bool:
    key = key_file(out, job)
    exts = ("mp4", "vtt", "srt", "trace.json") + (("html", "pptx") if job.slides else ())
    files = [out / job.concept / f"{job.stem}.{ext}" for ext in exts]
    return key.is_file() and key.read_text().strip() == job.key and all(f.is_file() for f in files)


def _render_job(out: str, job: Job, conn: Connection) -> None:
    """A render process: render one preset, then send (seconds of video, error message or None)."""
    with stop_on_signals():
        try:
            import torch

            torch.set_num_threads(1)  # one render per core
            key_file(Path(out), job).unlink(missing_ok=True)  # until the new key, nothing vouches for its files
            duration = render_files(out, job)
            write_key(Path(out), job)
            conn.send((duration, None))
        except Interrupted as err:  # the temporary folder is gone already (render_trace's cleanup)
            sys.exit(err.exit_status)
        except Exception as err:  # reported per preset; the others still render
            conn.send((0.0, " ".join(f"{type(err).__name__}: {err}".split())))


def render_files(out: str | Path, job: Job, jobs: int = 1) -> float:
    """Render one preset's files into ``out/<concept>/`` (the video's seconds): also its slides if asked.

    ``jobs``: the parts of a split render; 1 here, as the gallery runs presets side by side."""
    from .render import render_concept

    result = render_concept(job.concept, job.preset, quality=job.quality, theme=job.theme, output=out,
                            voice=job.voice or False, jobs=jobs)
    if job.slides:
        render_concept(job.concept, job.preset, quality=job.quality, theme=job.theme, output=out, fmt="slides")
    return result.duration


def write_key(out: Path, job: Job) -> None:
    """Vouch for a preset's files (atomically), once they are all in place."""
    key = key_file(out, job)
    tmp = key.with_name(f".{key.name}.{os.getpid()}")
    tmp.write_text(job.key + "\n")
    os.replace(tmp, key)


def run_jobs(out: Path, todo: list[Job], workers: int, finished: Callable[[Job, str | None], None]) -> None:
    """Render ``todo``, ``workers`` at a time, each in a process of its own; ``finished(job, error)`` hears
    of each. If this is interrupted (SIGINT, SIGTERM), the running renders get SIGTERM and are waited for."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["torch", "manim", "deepviz.render"])  # imported once, not by every render
    waiting = deque(todo)
    running: dict[int, tuple[Job, BaseProcess, Connection]] = {}
    try:
        while waiting or running:
            while waiting and len(running) < workers:
                job = waiting.popleft()
                recv, send = ctx.Pipe(duplex=False)
                process = ctx.Process(target=_render_job, args=(str(out), job, send), daemon=True,
                                      name=f"deepviz-gallery-{job.concept}-{job.preset}")
                process.start()
                send.close()
                running[process.sentinel] = (job, process, recv)
            for sentinel in wait(list(running)):
                job, process, recv = running.pop(sentinel)  # pyright: ignore[reportArgumentType] - wait() gives back our ints
                process.join()
                answer = last_words(recv)
                if answer is None:
                    finished(job, f"its render process ended without a result (exit status {process.exitcode})")
                else:
                    finished(job, answer[1])
    finally:
        for _, process, _ in running.values():
            process.terminate()  # SIGTERM: the render removes its temporary folder and exits
        for _, process, _ in running.values():
            process.join(60)
            if process.is_alive():
                process.kill()


def last_words(conn: Connection) -> Any:
    """What a finished render process sent, or None if it died first (the pipe holds nothing)."""
    try:
        return conn.recv() if conn.poll() else None
    except EOFError:
        return None
    finally:
        conn.close()


def build_gallery(out: Path, quality: str = "low", theme: str = "dark", jobs: int = 1,
                  only: list[str] | None = None, force: bool = False, voice: bool | str = False,
                  slides: bool = False, cluster: str | None = None) -> int:
    """Render what is not current and write the page; ``cluster`` (``ray`` or ``ray://HOST:PORT``) renders
    the presets as Ray tasks (:mod:`deepviz.cluster`) instead of processes on this machine."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    planned = plan(quality, theme, only, voice=voice, slides=slides)
    out.mkdir(parents=True, exist_ok=True)
    todo = [j for j in planned if force or not is_current(out, j)]
    errors: list[str] = []
    where = f"as Ray tasks ({cluster})" if cluster else f"with {min(jobs, max(1, len(todo)))} process(es)"
    spoken = f", spoken by {planned[0].voice}" if voice and planned else ""
    print(f"gallery: {len(planned)} presets, {len(planned) - len(todo)} current, {len(todo)} to render {where}{spoken}",
          flush=True)
    if todo:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=False) as progress:
            task = progress.add_task("rendering", total=len(todo))

            def finished(job: Job, error: str | None) -> None:
                if error:
                    errors.append(f"{job.concept} {job.preset}: {error}")
                progress.update(task, advance=1, description=f"{job.concept} {job.preset}")

            if cluster:
                from .cluster import run_jobs as run_tasks

                run_tasks(out, todo, cluster, finished)
            else:
                run_jobs(out, todo, min(jobs, len(todo)), finished)
    index = write_index(out, planned)
    for e in errors:
        print(f"gallery: failed: {e}", file=sys.stderr)
    print(f"gallery: {index.resolve()}")
    return 1 if errors else 0


# -- the page -------------------------------------------------------------------------------------
def write_index(out: Path, jobs: list[Job]) -> Path:
    sections = []
    shown = [c for c in catalog.course() if any(j.concept == c.name for j in jobs)]
    for n, c in enumerate(shown):
        cards = [_card(out, c, j) for j in jobs if j.concept == c.name]
        after = shown[n + 1] if n + 1 < len(shown) else None
        watch_next = (f'<p class="next">What to watch next: <a href="#{after.name}">{html.escape(after.title)}</a>'
                      f' — {html.escape(after.summary)}</p>' if after else "")
        sections.append(
            f'<section id="{c.name}"><h2>{html.escape(c.title)}</h2>'
            f'<p class="about">{html.escape(c.description)}</p>'
            f'<div class="cards">{"".join(cards)}</div>{watch_next}</section>'
        )
    nav = " · ".join(f'<a href="#{c.name}">{html.escape(c.title)}</a>' for c in shown)
    page = _PAGE.format(version=__version__, nav=nav, sections="\n".join(sections))
    index = out / "index.html"
    tmp = out / ".index.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, index)
    return index


def _card(out: Path, concept: catalog.Concept, job: Job) -> str:
    base = out / job.concept
    video, vtt = base / f"{job.stem}.mp4", base / f"{job.stem}.vtt"
    preset = concept.preset(job.preset)
    _, values = concept.resolve(job.preset)
    rows = "".join(f"<tr><th>{html.escape(p.flag)}</th><td>{html.escape(p.format(values[p.name]))}</td></tr>"
                   for p in concept.params)
    rel = f"{job.concept}/{job.stem}"
    if video.is_file() and vtt.is_file():
        # Captions inline as a data: URL: browsers refuse <track src> files opened from file://.
        track = base64.b64encode(vtt.read_bytes()).decode()
        poster = _poster(video)
        poster_attr = f' poster="{html.escape(rel)}.poster.jpg"' if poster else ""
        media = (f'<video controls preload="metadata"{poster_attr} src="{html.escape(rel)}.mp4">'
                 f'<track kind="captions" srclang="en" label="English" default '
                 f'src="data:text/vtt;base64,{track}"></video>')
        links = (f'<a href="{rel}.trace.json">trace JSON</a> · <a href="{rel}.vtt">captions (VTT)</a> · '
                 f'<a href="{rel}.srt">captions (SRT)</a>')
        if (base / f"{job.stem}.html").is_file() and (base / f"{job.stem}.pptx").is_file():
            links += f' · <a href="{rel}.html">slides</a> · <a href="{rel}.pptx">PowerPoint</a>'

    else:
        media = '<div class="missing">not rendered (see the gallery command\'s errors)</div>'
        links = ""
    cli = f"deepviz render {job.concept} --preset {job.preset}"
    return (f'<article class="card" data-preset="{html.escape(job.preset)}"><h3>{html.escape(job.preset)}</h3>'
            f"<p>{html.escape(preset.summary)}</p>{media}<p class=\"links\">{links}</p>"
            f"<details><summary>parameters</summary><table>{rows}</table><code>{html.escape(cli)}</code></details>"
            "</article>")


def _poster(video: Path, at: float = 0.6) -> Path | None:
    """A still from ``at`` of the way through the video (the first frame is mostly empty)."""
    poster = video.with_name(video.name[: -len(".mp4")] + ".poster.jpg")
    if poster.is_file() and poster.stat().st_mtime >= video.stat().st_mtime:
        return poster
    try:
        duration = float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                                         "csv=p=0", str(video)], capture_output=True, text=True, check=True).stdout)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", f"{duration * at:.2f}", "-i", str(video),
                        "-frames:v", "1", "-q:v", "4", str(poster)], check=True, capture_output=True)
    except (OSError, ValueError, subprocess.CalledProcessError):
        return None  # a gallery without a poster still plays
    return poster


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>deepviz gallery</title>
<style>
:root {{ color-scheme: light dark; --bg: #ffffff; --fg: #1a1a1a; --muted: #5f6670; --card: #f3f4f6; --accent: #0072B2; }}
@media (prefers-color-scheme: dark) {{ :root {{ --bg: #111418; --fg: #f2f2f2; --muted: #9aa3ad; --card: #1c2027; --accent: #56B4E9; }} }}
body {{ margin: 0 auto; max-width: 1200px; padding: 1.5rem; background: var(--bg); color: var(--fg);
       font: 16px/1.5 "DejaVu Sans", system-ui, sans-serif; }}
a {{ color: var(--accent); }}
header p, .about {{ color: var(--muted); max-width: 70ch; }}
.cards {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 1rem; }}
.card {{ background: var(--card); border-radius: 8px; padding: 0.8rem 1rem; }}
.card h3 {{ margin: 0.2rem 0; font-family: "DejaVu Sans Mono", monospace; font-size: 1rem; }}
.card p {{ margin: 0.3rem 0; }}
video {{ width: 100%; border-radius: 4px; background: #000; }}
table {{ border-collapse: collapse; font-size: 0.9rem; margin: 0.4rem 0; }}
th, td {{ text-align: left; padding: 0.1rem 0.6rem 0.1rem 0; font-family: "DejaVu Sans Mono", monospace; }}
th {{ color: var(--muted); font-weight: normal; }}
code {{ font-size: 0.85rem; }}
.links {{ font-size: 0.9rem; }}
.next {{ margin: 0.8rem 0 0; color: var(--muted); }}
.missing {{ padding: 2rem; text-align: center; color: var(--muted); border: 1px dashed var(--muted); }}
</style></head>
<body>
<header><h1>deepviz gallery</h1>
<p>Every number in these videos was computed by PyTorch in the same run that drew it. The concepts
follow the order of a course; captions are on by default; each card links the trace the video was drawn
from. deepviz {version}.</p>
<nav>{nav}</nav></header>
{sections}
</body></html>
"""
