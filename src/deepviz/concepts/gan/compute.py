"""A 2-D GAN trained with :func:`deepviz.models.gan.d_step` and ``g_step``, computed with torch: params -> Trace.

G and D are MLPs 2 -> hidden -> hidden -> 2 (G) and -> 1 (D, a logit), ReLU between, initialised with
``seed``; both train with Adam (LR, BETAS) on batches of BATCH real samples and BATCH noise vectors
z ~ N(0, I) drawn from one generator seeded with ``seed``, in this order per iteration: the real batch and
D's noise, then each G step's noise. The whole run (the networks at each snapshot, D after the very first D
step, both losses at every iteration) is one cached module (:mod:`deepviz.models.cached`).

What the video reads is computed from those networks: G's samples of SHOWN fixed noise vectors, D's
decision on a HEAT x HEAT grid, the gradient of G's loss at each sample, and the warped noise grid.
"""
from __future__ import annotations

import copy
import math
from typing import Any

import torch
from torch import nn

from ...models import gan
from ...models.cached import trained
from ...style.numbers import fmt_num
from ...threads import one_thread
from ...trace import Trace, to_plain
from .schema import GanData

VERSION = 1  # bump when the training changes
LR, BETAS = 5e-3, gan.ADAM_BETAS
BATCH = 128
RADIUS, STD = 2.0, 0.05
HALF = 3.0  # the plane's window [-HALF, HALF]^2
HEAT = 30  # D's decision on a HEAT x HEAT grid (as GAN Lab)
SHOWN = 150  # generated samples drawn
ARROWS = 40  # of them with the gradient arrow
REAL_SHOWN = 300
NOISE_LINES, NOISE_POINTS, NOISE_SPAN = 9, 25, 2.0  # the manifold: lines of the noise square [-2, 2]^2
COVER = 0.05  # a mode counts as covered when this share of the samples lies near its centre


class GanRun(nn.Module):
    """A training run as modules: G and D at each snapshot, D after the first D step, the losses."""

    losses: torch.Tensor

    def __init__(self, hidden: int, snapshots: int, iterations: int):
        super().__init__()
        self.G = nn.ModuleList([gan.mlp([2, hidden, hidden, 2]) for _ in range(snapshots)])
        self.D = nn.ModuleList([gan.mlp([2, hidden, hidden, 1]) for _ in range(snapshots)])
        self.D_first = gan.mlp([2, hidden, hidden, 1])  # after iteration 1's D step
        self.register_buffer("losses", torch.zeros(iterations, 2))  # [d_loss, g_loss] per iteration


def snapshot_iterations(iterations: int) -> list[int]:
    """0, 1, then about a tenth, a quarter, a half and all of the run."""
    return sorted({0, 1, max(2, iterations // 10), iterations // 4, iterations // 2, iterations})


def batch(gen: torch.Generator, modes: int) -> tuple[torch.Tensor, torch.Tensor]:
    """One iteration's real batch and D's noise, drawn in the documented order."""
    return gan.ring(BATCH, modes, RADIUS, STD, gen), torch.randn(BATCH, 2, generator=gen)


def load_run(values: dict[str, Any]) -> GanRun:
    """The trained run for ``values`` (from the cache, or trained now)."""
    n, snaps = values["iterations"], snapshot_iterations(values["iterations"])
    kind, modes, k = values["loss"], values["modes"], values["g_steps"]

    def build() -> GanRun:
        torch.manual_seed(values["seed"])
        run = GanRun(values["hidden"], len(snaps), n)
        for net in (*run.G[1:], *run.D[1:], run.D_first):  # filled by the training
            for p in net.parameters():
                p.requires_grad_(False)
        return run

    def fit(run: GanRun) -> None:
        G, D = copy.deepcopy(run.G[0]), copy.deepcopy(run.D[0])
        opt_g, opt_d = gan.optimizer("adam", LR, G.parameters()), gan.optimizer("adam", LR, D.parameters())
        gen = torch.Generator().manual_seed(values["seed"])
        with one_thread():
            for it in range(1, n + 1):
                real, noise = batch(gen, modes)
                d = gan.d_step(G, D, opt_d, real, noise, kind)
                if it == 1:
                    run.D_first.load_state_dict(D.state_dict())
                g = [gan.g_step(G, D, opt_g, torch.randn(BATCH, 2, generator=gen), kind) for _ in range(k)]
                run.losses[it - 1] = torch.tensor([d, g[0]])
                if it in snaps:
                    run.G[snaps.index(it)].load_state_dict(G.state_dict())
                    run.D[snaps.index(it)].load_state_dict(D.state_dict())

    key = (VERSION, kind, n, k, modes, values["hidden"], values["seed"], LR, BETAS, BATCH, RADIUS, STD)
    return trained("gan-run", key, build, fit)[0]


def heat_grid() -> torch.Tensor:
    """The HEAT x HEAT cell centres over the window, row-major from the top row."""
    c = (torch.arange(HEAT) + 0.5) / HEAT * 2 * HALF - HALF
    y, x = torch.meshgrid(c.flip(0), c, indexing="ij")
    return torch.stack([x, y], -1).reshape(-1, 2)


def noise_lines() -> torch.Tensor:
    """Lines of the noise square: NOISE_LINES vertical, then as many horizontal, NOISE_POINTS points each."""
    v = torch.linspace(-NOISE_SPAN, NOISE_SPAN, NOISE_LINES)
    t = torch.linspace(-NOISE_SPAN, NOISE_SPAN, NOISE_POINTS)
    vertical = torch.stack([v[:, None].expand(-1, NOISE_POINTS), t[None].expand(NOISE_LINES, -1)], -1)
    return torch.cat([vertical, vertical.flip(-1)])  # (2 * lines, points, 2)


def coverage(fake: torch.Tensor, modes: int) -> list[float]:
    """Share of the samples nearer to each mode's centre than half the distance between neighbouring centres."""
    near = torch.cdist(fake, gan.ring_centres(modes, RADIUS)) < RADIUS * math.sin(math.pi / modes)
    return near.float().mean(0).tolist()


def state(G: nn.Module, D: nn.Module, kind: gan.LossKind, noise: torch.Tensor, it: int, modes: int) -> dict[str, Any]:
    """What one snapshot shows."""
    with torch.no_grad():
        fake = G(noise)
        heat = gan.decision(D, heat_grid(), kind).reshape(HEAT, HEAT)
        lines = G(noise_lines())
    grad = gan.sample_gradient(D, fake[:ARROWS], kind)
    cover = coverage(fake, modes)
    return {"iteration": it, "fake": fake, "decision": heat, "gradient": grad, "manifold": lines,
            "coverage": cover, "modes_covered": sum(c >= COVER for c in cover)}


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    run = load_run(values)
    kind, modes, n = values["loss"], values["modes"], values["iterations"]
    snaps = snapshot_iterations(n)
    show = torch.Generator().manual_seed(values["seed"] + 1)  # the shown samples: not a training batch
    noise = torch.randn(SHOWN, 2, generator=show)
    real = gan.ring(REAL_SHOWN, modes, RADIUS, STD, show)
    first_real, first_noise = batch(torch.Generator().manual_seed(values["seed"]), modes)
    with torch.no_grad():
        d_before = gan.d_loss(run.D[0], first_real, run.G[0](first_noise), kind)
        d_after = gan.d_loss(run.D_first, first_real, run.G[0](first_noise), kind)
        first_heat = gan.decision(run.D_first, heat_grid(), kind).reshape(HEAT, HEAT)
    data = {
        "loss": kind, "iterations": n, "g_steps": values["g_steps"], "modes": modes, "hidden": values["hidden"],
        "batch": BATCH, "lr": LR, "betas": list(BETAS), "radius": RADIUS, "std": STD, "half": HALF,
        "real": real, "noise": noise,
        "snapshots": [state(G, D, kind, noise, it, modes) for G, D, it in zip(run.G, run.D, snaps)],
        "first_step": {"d_loss_before": d_before, "d_loss_after": d_after, "decision_after": first_heat,
                       "gradient": gan.sample_gradient(run.D_first, run.G[0](noise[:ARROWS]).detach(), kind),
                       "g_loss": run.losses[0, 1]},
        "losses": run.losses,
        "noise_span": NOISE_SPAN,
        "noise_grid": noise_lines(),
    }
    plain: GanData = to_plain(data)
    return Trace(concept="gan", params={}, data=plain, narration=narration(plain), preset=preset)


LOSS_WORDS = {"non-saturating": "log loss (G maximises log D(G(z)))",
              "saturating": "log loss (G minimises log(1 \u2212 D(G(z))), the saturating form)",
              "least-squares": "least squares"}


def narration(t: GanData) -> dict[str, str]:
    """Caption text per step, every number taken from the computed trace."""
    last = t["snapshots"][-1]
    fs = t["first_step"]
    k, m = t["g_steps"], t["modes"]
    d_word = "D's output" if t["loss"] == "least-squares" else "D's probability of real"
    covered = last["modes_covered"]
    return {
        "game": f"Real data: {m} Gaussians on a ring. The generator G turns random noise z into points; at the "
                f"start its {len(t['noise'])} samples sit in a clump. Loss: {LOSS_WORDS[t['loss']]}.",
        "discriminator": f"The discriminator D scores every point of the plane: {d_word}, "
                         f"{{color:input}} for real, {{color:output}} for fake.",
        "d_step": f"One iteration starts with D's step on a batch of {t['batch']} real and {t['batch']} generated "
                  f"points: its loss goes from {fmt_num(fs['d_loss_before'], 3)} to {fmt_num(fs['d_loss_after'], 3)}.",
        "g_step": f"Then G's step{'s' if k > 1 else ''} ({k} per iteration) through the updated D: the "
                  f"{{color:gradient}} arrows show where its loss ({fmt_num(fs['g_loss'], 3)}) pushes each sample.",
        "training": f"{t['iterations']} iterations, Adam, learning rate {fmt_num(t['lr'], 3)}: D and G take turns; "
                    f"both losses below.",
        "result": f"After {last['iteration']} iterations G's samples cover {covered} of the {m} modes"
                  + (": every one." if covered == m else
                     (": G found one spot D calls real and piled onto it. Mode collapse." if covered <= 1 else ".")),
        "manifold": f"G's manifold: a grid of the noise square [\u2212{fmt_num(t['noise_span'])}, "
                    f"{fmt_num(t['noise_span'])}]\u00b2 carried through G, at the start and at the end.",
    }
