"""The playground's run as a video: its decision boundary evolving over the tape, through deepviz's render pipeline.

:func:`movie_trace` reads a :class:`~deepviz.studio.engine.Playground` (torch) into a Trace of plain lists: the
network's output over the plane at evenly spaced epochs of the tape, the loss curves, the points and the settings.
The scene (:mod:`deepviz.studio.movie_scene`, Manim) draws it. :func:`render_movie` is the studio job that renders
it in a fresh process and reports its progress.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Callable

from ..style.numbers import fmt_sig
from ..trace import Trace, to_plain
from .engine import EXTENT, Playground
from .export import describe, sizes_text

CONCEPT = "playground-run"
RESOLUTION = 60  # cells per side of each output map
MAX_CURVE = 600  # at most this many epochs of the loss curves (evenly spaced, every frame's epoch among them)
DIGITS = 3  # the points are rounded to this many decimals (positions only)
MAP_DIGITS = 2  # and the output maps to this many (their colours only)


def frame_epochs(epochs: list[int], frames: int) -> list[int]:
    """``frames`` of the tape's epochs, evenly spaced; the first and the last always among them."""
    if frames < 2:
        raise ValueError(f"frames: at least 2; got {frames}")
    n = len(epochs)
    return [epochs[i] for i in sorted({round(k * (n - 1) / (frames - 1)) for k in range(frames)})]


def movie_trace(pg: Playground, frames: int = 48, resolution: int = RESOLUTION) -> Trace:
    """The run on the tape as a Trace for :class:`~deepviz.studio.movie_scene.PlaygroundRunScene`; every number is
    the engine's (the output maps from ``pg.heatmaps`` inside ``pg.viewing(epoch)``, the losses from its tape)."""
    import torch

    epochs = frame_epochs([s.epoch for s in pg.tape], frames)
    shots = []
    for epoch in epochs:
        with pg.viewing(epoch) as snap:
            output = pg.heatmaps(resolution)[-1]
        shots.append({"epoch": epoch, "train_loss": _finite(snap.train_loss), "test_loss": _finite(snap.test_loss),
                      "output": _rounded(torch.nan_to_num(output).tolist(), MAP_DIGITS)})
    with pg.viewing(epochs[-1]):
        accuracy = pg.accuracy()
    cfg, last = pg.cfg, shots[-1]
    words = describe(cfg)
    data = {
        "classes": cfg.classes,
        "extent": EXTENT,
        "title": f"A {sizes_text(cfg, '-')} {cfg.activation} network learns the {cfg.dataset} data",
        "settings": [[k, v] for k, v in words.items() if k not in ("split", "init")],
        "frames": shots,
        "curve": _curve(pg.history, set(epochs)),
        "points": {"train": _points(pg.x_train, pg.y_train), "test": _points(pg.x_test, pg.y_test)},
        "accuracy": _finite(accuracy[1]) if cfg.classes else None,
    }
    return Trace(concept=CONCEPT, params={"dataset": cfg.dataset, "epochs": str(last["epoch"]), **words},
                 data=to_plain(data), narration=_narration(data, len(shots)))


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None


def _curve(history: list[tuple[int, float, float]], keep: set[int]) -> list[list]:
    """[epoch, train loss, test loss] at most MAX_CURVE epochs (and every frame's), None for a loss not finite."""
    step = max(1, math.ceil(len(history) / MAX_CURVE))
    return [[e, _finite(tr), _finite(te)] for i, (e, tr, te) in enumerate(history)
            if i % step == 0 or e in keep or i == len(history) - 1]


def _rounded(values, digits: int):
    """Nested lists of floats rounded (a float32's own digits would be rounded to eight or nine decimals)."""
    return [_rounded(v, digits) for v in values] if isinstance(values, list) else round(values, digits)


def _points(x, y) -> list[list[float]]:
    return [[round(a, DIGITS), round(b, DIGITS), round(float(c), DIGITS)] for (a, b), c in zip(x.tolist(), y.tolist())]


def _narration(data: dict, frames: int) -> dict[str, str]:
    classes, last = data["classes"], data["frames"][-1]
    if classes == 2:
        colours = "blue where it predicts class 0, orange for class 1"
    elif classes:
        colours = "in the colour of the likeliest class, faint where it is unsure"
    else:
        colours = "its value from \u22121 (blue) to 1 (orange)"
    losses = [f"train loss {fmt_sig(last['train_loss'], 3)}" if last["train_loss"] is not None else "train loss "
              "not finite (diverged)"]
    if last["test_loss"] is not None:
        losses.append(f"test loss {fmt_sig(last['test_loss'], 3)}")
    if data["accuracy"] is not None:
        losses.append(f"test accuracy {fmt_sig(100 * data['accuracy'], 3)}%")
    return {
        "intro": f"The background is the network's output over the plane: {colours}. Ringed dots are test points.",
        "training": f"The training replayed from the tape: epoch 0 to {last['epoch']} in {frames - 1} steps, "
                    "the loss curves growing beside it." if frames > 1 else "Nothing on the tape yet but epoch 0: "
                    "the network as it starts.",
        "end": f"After {last['epoch']} epoch{'' if last['epoch'] == 1 else 's'}: " + ", ".join(losses) + ".",
    }


# -- the studio's job ----------------------------------------------------------------------------------------
STEPS_SHARE = 0.9  # of the progress: the scene's steps; then encoding, then done


def render_movie(out_dir: Path, progress: Callable[[float, str], None], trace: dict, quality: str = "low",
                 theme: str = "dark", scene: str = "playground") -> Path:
    """Render the run's Trace (as a dict) to an MP4 in ``out_dir`` (captions burned in; .srt, .vtt and the trace
    beside it) and return its path. ``progress(fraction, what)`` follows the scene's steps, then the encoding.
    ``scene``: "playground", or "gan" for a GAN page's run (``studio/gan_movie.py``)."""
    from ..render import render_trace
    from .gan_movie_scene import GanRunScene
    from .movie_scene import PlaygroundRunScene

    base = GanRunScene if scene == "gan" else PlaygroundRunScene

    def step(done: int, total: int, epoch: int) -> None:
        progress(STEPS_SHARE * done / total, f"{base.step_name} {epoch} ({done} of {total} steps)")

    def encoding() -> None:
        progress(STEPS_SHARE + (1 - STEPS_SHARE) / 2, "encoding")

    reporting = type("ReportingRunScene", (base,),
                     {"on_tape_step": staticmethod(step), "on_last_frame": staticmethod(encoding)})
    progress(0.0, "starting")
    result = render_trace(Trace.from_dict(trace), reporting, out_dir, quality=quality, theme=theme, burn_captions=True)
    progress(1.0, "done")
    assert result.video is not None  # an MP4 was asked for
    return result.video
