"""A GAN page's run as a video through the playground's movie pipeline: the Trace (torch, here), the scene in
``gan_movie_scene.py`` (Manim), rendered by ``movie.render_movie`` as a job of the studio's render queue.

Each frame of the tape holds D's map over the square (as a signed map: 2p - 1 for the log losses' probability,
the score over the largest score of the run otherwise) and G's points of the fixed noise; the curves are both
players' losses.
"""
from __future__ import annotations

import torch

from ..trace import Trace, to_plain
from . import gan
from .movie import _finite, _rounded, frame_epochs

CONCEPT = "gan-run"
DIGITS = 3


def movie_trace(run: gan.GanRun, frames: int = 36, shown: int = gan.SHOWN) -> Trace:
    """The run on the tape as a Trace for :class:`~deepviz.studio.gan_movie_scene.GanRunScene`; every number is
    the engine's (inside ``run.viewing(iteration)``)."""
    iterations = frame_epochs([s.iteration for s in run.tape], frames)
    maps, shots = [], []
    for it in iterations:
        with run.viewing(it) as snap, torch.no_grad():
            maps.append(run.discriminator_map())
            fake = run.G(run.noise_eval[:shown]).clamp(-1, 1)  # a point beyond the square: on its edge
        shots.append({"epoch": it, "train_loss": _finite(snap.losses[0]), "test_loss": _finite(snap.losses[1]),
                      "fake": _rounded(torch.nan_to_num(fake).tolist(), DIGITS)})
    probability = run.probability
    scale = 1.0 if probability else max(1e-6, max(float(m.abs().max()) for m in maps))
    for shot, m in zip(shots, maps):
        signed = m * 2 - 1 if probability else m / scale
        shot["output"] = [_rounded(torch.nan_to_num(signed).tolist(), 2)]
    cfg, last = run.cfg, shots[-1]
    real = [[x, y, 1] for x, y in _rounded(run.real_eval[:shown].tolist(), DIGITS)]
    curve = [[h.iteration, _finite(h.d_loss), _finite(h.g_loss)] for h in run.history]
    data = {
        "classes": 2, "extent": 1.0,
        "title": f"A GAN learns the {cfg.distribution} data ({cfg.loss} loss)",
        "settings": [["noise", f"{cfg.noise_dim}-D {cfg.noise}"],
                     ["G", f"{cfg.g_layers} hidden layers of {cfg.g_units}, {cfg.g_optimizer} rate {cfg.g_lr:g}"],
                     ["D", f"{cfg.d_layers} hidden layers of {cfg.d_units}, {cfg.d_optimizer} rate {cfg.d_lr:g}"],
                     ["steps", f"{cfg.d_steps} of D, then {cfg.g_steps} of G, batch {cfg.batch}"]],
        "frames": shots, "curve": curve[:: max(1, len(curve) // 600)] + curve[-1:],
        "points": {"train": real, "test": []}, "accuracy": None, "probability": probability,
    }
    narration = {
        "intro": "The background is the discriminator's verdict: orange where it says real, blue where it says "
                 "fake. Orange dots are real data; pink dots are the generator's.",
        "training": f"The training replayed from the tape: iteration 0 to {last['epoch']}, the generator's points "
                    "moving towards the real ones while the discriminator redraws its map.",
        "end": f"After {last['epoch']} iterations: D loss {_text(last['train_loss'])}, "
               f"G loss {_text(last['test_loss'])}.",
    }
    return Trace(concept=CONCEPT, params={"distribution": cfg.distribution, "loss": cfg.loss,
                                          "iterations": str(last["epoch"])},
                 data=to_plain(data), narration=narration)


def _text(v: float | None) -> str:
    return "not finite" if v is None else f"{v:.3g}"


def movie_request(run: gan.GanRun, stem: str, quality: str, theme: str) -> dict:
    """The render request a session sends the server (which makes it a job of its render queue)."""
    return {"type": "render", "title": f"GAN run, {stem}", "target": "deepviz.studio.movie:render_movie",
            "args": {"trace": movie_trace(run).to_dict(), "quality": quality, "theme": theme, "scene": "gan"}}
