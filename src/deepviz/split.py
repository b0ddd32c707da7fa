"""One video on every core: a render split at narration-step boundaries, rendered in parallel, joined.

A cheap first pass runs the scene with every animation skipped (Manim's ``from_animation_number``
beyond the end): the mobjects are built but no frame is drawn, and it tells when each play starts
and at which play each narration step begins. The plays are then cut into ``parts`` runs of about
equal video time, at step boundaries. Each worker process renders its run with Manim's
``from_animation_number``/``upto_animation_number`` (the plays before it are skipped: their
mobjects are built again, which is the cost of splitting), and ffmpeg's concat demuxer joins the
runs without re-encoding. Manim writes one file per play and joins those the same way, so the
joined video holds the same frames as a serial render. The last run plays the scene to its end, so
its captions (timed in scene time, which skipped plays advance too) are the whole video's.

A worker that dies is retried once; a second failure fails the render with one line, and the
caller's temporary folder (with every run in it) is removed, so nothing partial is left.
"""
from __future__ import annotations

import multiprocessing
import os
import subprocess
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable

from .gallery import last_words
from .render import RenderError
from .style.scene import Cue

AUTO_QUALITIES = ("high", "4k")  # where a split pays for its repeated mobject building (measured)
MAX_PARTS = 8
# Where the runs render: None is processes on this machine; deepviz.cluster puts Ray tasks here in its workers
RUNS: Callable[..., dict[int, tuple[str, list, dict[int, float]]]] | None = None
FAULT_ENV = "DEEPVIZ_TEST_KILL_SEGMENT"  # tests: "INDEX:MARKER" kills run INDEX once, "INDEX:always" every time


@dataclass
class Plan:
    play_starts: list[float]
    step_plays: list[int]
    duration: float
    runs: list[tuple[int, int]] = field(default_factory=list)  # (first play, last play), inclusive


@dataclass
class Joined:
    """What a split render gives back in place of a scene."""
    video: Path
    cues: list
    duration: float
    frame_violations: list[str] = field(default_factory=list)
    lint: Any = None


def auto_parts(quality: str, fmt: str, voiced: bool, check_frame: bool) -> int:
    """Runs for a render by default: every core for a long high-quality MP4, else one (serial)."""
    if fmt != "mp4" or voiced or check_frame or quality not in AUTO_QUALITIES:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_PARTS))


def draw_nothing_skipped(scene: Any) -> Any:
    """Stop Manim drawing in the plays it skips: it draws each play's static frame (every mobject on screen)
    and its moving mobjects even when it skips the play and keeps nothing. That work grows as plays x
    mobjects (65 % of a dry run of transposed-conv 8x8, cProfile); the plays a run draws are unchanged."""
    renderer = scene.renderer
    save, update = renderer.save_static_frame_data, renderer.update_frame

    def save_static_frame_data(scene: Any, static_mobjects: Any) -> Any:
        if renderer.skip_animations:
            renderer.static_image = None
            return None
        return save(scene, static_mobjects)

    def update_frame(scene: Any, *args: Any, **kwargs: Any) -> None:
        if not renderer.skip_animations:
            update(scene, *args, **kwargs)

    renderer.save_static_frame_data, renderer.update_frame = save_static_frame_data, update_frame
    return scene


def cut(play_starts: list[float], step_plays: list[int], duration: float, parts: int) -> list[tuple[int, int]]:
    """``parts`` runs of plays of about equal video time, each starting where a narration step starts."""
    n = len(play_starts)
    starts = sorted({p for p in step_plays if 0 < p < n})
    chosen = [0]
    for j in range(1, parts):
        target = duration * j / parts
        best = min((p for p in starts if p > chosen[-1]), key=lambda p: abs(play_starts[p] - target), default=None)
        if best is not None:
            chosen.append(best)
    chosen.append(n)
    return [(a, b - 1) for a, b in zip(chosen, chosen[1:]) if b > a]


def plan(scene_cls: type, trace: Any, scene_kwargs: dict[str, Any], settings: dict[str, Any], folder: Path,
         parts: int) -> Plan:
    """The skipping first pass (in this process) and the runs it suggests."""
    from manim import tempconfig

    with tempconfig({**settings, "media_dir": str(folder / "plan"), "from_animation_number": 10**9}):
        scene = draw_nothing_skipped(scene_cls(trace=trace, **scene_kwargs))
        scene.render()
        p = Plan(list(scene.play_starts), list(scene.step_plays), float(scene.renderer.time))
    p.runs = cut(p.play_starts, p.step_plays, p.duration, parts)
    return p


def render_run(scene_cls: type, trace: Any, scene_kwargs: dict[str, Any], settings: dict[str, Any],
               run: tuple[int, int], folder: Path) -> tuple[Path, list, dict[int, float]]:
    """Render plays ``run`` into ``folder``: (the video, the cues, the rendered length of each of its plays)."""
    import torch
    from manim import tempconfig

    from .render import _find_output, check_signals, shared_tex_cache

    torch.set_num_threads(1)  # one run per core
    media = folder / "media"
    with tempconfig({**settings, "media_dir": str(media), "from_animation_number": run[0],
                     "upto_animation_number": run[1]}), shared_tex_cache():
        scene = draw_nothing_skipped(scene_cls(trace=trace, **scene_kwargs))
        scene.render()
        check_signals()
    # a rendered play lasts whole frames, a skipped one its exact run time: each run reports the
    # rendered length of its own plays, and the captions are timed from those (as a serial render)
    starts = list(scene.play_starts) + [float(scene.renderer.time)]
    lengths = {i: starts[i + 1] - starts[i] for i in range(run[0], run[1] + 1)}
    return _find_output(media, "mp4"), scene.cues, lengths


def _run(scene_cls: type, trace: Any, scene_kwargs: dict[str, Any], settings: dict[str, Any], index: int,
         run: tuple[int, int], folder: str, fault: str, conn: Connection) -> None:
    """A worker: render plays ``run`` into ``folder``; send (video, cues, its plays' lengths) or an error line."""
    from .render import stop_on_signals

    with stop_on_signals():
        try:
            if fault.startswith(f"{index}:"):  # tests: this run's process is killed (once, or "always")
                marker = fault.split(":", 1)[1]
                if marker == "always" or not Path(marker).exists():
                    Path(marker).touch()
                    os._exit(9)
            video, cues, lengths = render_run(scene_cls, trace, scene_kwargs, settings, run, Path(folder))
            conn.send((str(video), cues, lengths, None))
        except Exception as err:  # noqa: BLE001 - reported to the parent as one line
            conn.send((None, None, 0.0, " ".join(f"{type(err).__name__}: {err}".split())))


def render_split(scene_cls: type, trace: Any, scene_kwargs: dict[str, Any], settings: dict[str, Any], folder: Path,
                 parts: int) -> Joined:
    """Render the scene in ``parts`` runs on as many processes (or :data:`RUNS`) and join them into
    ``folder/joined.mp4``."""
    p = plan(scene_cls, trace, scene_kwargs, settings, folder, parts)
    results = (RUNS or _local_runs)(scene_cls, trace, scene_kwargs, settings, folder, p)
    return join(p, results, folder)


def _local_runs(scene_cls: type, trace: Any, scene_kwargs: dict[str, Any], settings: dict[str, Any], folder: Path,
                p: Plan) -> dict[int, tuple[str, list, dict[int, float]]]:
    """Each run in a process of its own on this machine: {run: (its video, cues, plays' lengths)}."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["torch", "manim", "deepviz.render"])
    results: dict[int, tuple[str, list, dict[int, float]]] = {}
    attempts = dict.fromkeys(range(len(p.runs)), 0)
    running: dict[Any, tuple[int, Any, Connection]] = {}

    fault = os.environ.get(FAULT_ENV, "")  # read here: a forkserver's children keep the server's environment

    def start(i: int) -> None:
        attempts[i] += 1
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_run, args=(scene_cls, trace, scene_kwargs, settings, i, p.runs[i],
                                              str(folder / f"run{i}-{attempts[i]}"), fault, send),
                           daemon=True, name=f"deepviz-run-{i}")
        proc.start()
        send.close()
        running[proc.sentinel] = (i, proc, recv)

    try:
        for i in range(len(p.runs)):
            start(i)
        while running:
            for sentinel in wait(list(running)):
                i, proc, recv = running.pop(sentinel)
                proc.join()
                answer = last_words(recv)
                if answer is not None and answer[3] is None:
                    results[i] = answer[:3]
                    continue
                why = answer[3] if answer is not None else f"its process ended without a result (exit {proc.exitcode})"
                if attempts[i] >= 2 or answer is not None:  # a render error repeats; a lost process is retried
                    raise RenderError(f"part {i + 1} of {len(p.runs)} of the split render failed: {why}")
                start(i)
    finally:
        for _, proc, _ in running.values():
            proc.terminate()
        for _, proc, _ in running.values():
            proc.join(60)
    return results


def join(p: Plan, results: dict[int, tuple[str, list, dict[int, float]]], folder: Path) -> Joined:
    """The runs' videos joined without re-encoding, and the whole video's captions."""
    listing = folder / "runs.txt"
    listing.write_text("".join(f"file '{results[i][0]}'\n" for i in range(len(p.runs))), encoding="utf-8")
    joined = folder / "joined.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
                    "-c", "copy", "-movflags", "+faststart", str(joined)], check=True, capture_output=True)
    lengths = {i: d for r in results.values() for i, d in r[2].items()}
    at = [0.0]
    for i in range(len(p.play_starts)):
        at.append(at[-1] + lengths[i])
    texts = [c.text for c in results[len(p.runs) - 1][1]]  # the last run played every narration step
    bounds = [at[k] for k in p.step_plays] + [at[-1]]
    cues = [Cue(bounds[k], bounds[k + 1], text) for k, text in enumerate(texts)]
    return Joined(joined, cues, at[-1])

