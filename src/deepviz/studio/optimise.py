"""The optimiser page's engine: a 2-D loss surface and the path ``torch.optim`` takes on it.

The surfaces are those of Distill's "Why Momentum Really Works": a quadratic ``f(w) = ½ wᵀAw`` whose
Hessian ``A`` has eigenvalues 1 and 1/condition along axes turned by ``rotation`` degrees, and
Rosenbrock's banana ``(1 - x)² + 100 (y - x²)²``; and a real one, a small trained network's loss along two
filter-normalised directions through its minimum (:mod:`.optimise_landscape`). Each path is run by
``torch.optim`` itself (SGD, SGD with momentum, Adam, RMSprop, AdamW) from the start point, and other
optimisers can race it from the same start; the page only draws. A path that leaves every sensible bound or
overflows stops at its last finite point and says at which step it diverged (never a NaN on the page).

>>> p = path(Settings(surface="quadratic", optimizer="sgd", alpha=0.5, steps=3))
>>> len(p["points"]), p["diverged"]
(4, None)
"""
from __future__ import annotations

import math
import threading
from contextlib import contextmanager
from functools import lru_cache
from typing import Literal

import torch
from pydantic import BaseModel, ConfigDict, Field

from . import optimise_spectra as spectra
from .engine import OPTIMIZERS as PLAYGROUND_OPTIMIZERS

SURFACES = ("quadratic", "rosenbrock", "network")
OPTIMIZERS = (*PLAYGROUND_OPTIMIZERS, "rmsprop", "adamw")
# the plot of each surface: x from, x to, y from, y to
EXTENTS: dict[str, tuple[float, float, float, float]] = {
    "quadratic": (-3.0, 3.0, -3.0, 3.0), "rosenbrock": (-2.0, 2.0, -1.0, 3.0), "network": (-1.0, 1.0, -1.0, 1.0)}
# the step size each optimiser starts with on each surface (the page's too): a racer runs at its own
RATES: dict[str, dict[str, float]] = {
    "quadratic": {"sgd": 1.0, "momentum": 1.0, "adam": 0.1, "rmsprop": 0.03, "adamw": 0.1},
    "rosenbrock": {"sgd": 0.001, "momentum": 0.001, "adam": 0.05, "rmsprop": 0.01, "adamw": 0.05},
    "network": {"sgd": 0.1, "momentum": 0.05, "adam": 0.02, "rmsprop": 0.005, "adamw": 0.02}}
# where a path starts when the page switches to each surface
STARTS: dict[str, tuple[float, float]] = {"quadratic": (-2.5, 2.0), "rosenbrock": (-1.5, 2.5), "network": (-0.8, 0.6)}
NOISE_BATCHES = 40  # mini-batch gradients drawn around the full one
GRID = 96  # loss samples per side for the contours
LEVELS = 14  # contour lines
_LOCK = threading.Lock()  # see _alone()
BOUND = 1e6  # a path further than this from the plot has diverged (float64 overflows far beyond)
MAX_STEPS = 1000


class Settings(BaseModel):
    """Everything a path depends on; the page's sliders are these fields. Non-finite numbers are refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    surface: Literal[SURFACES] = "quadratic"  # type: ignore[valid-type]
    condition: float = Field(default=10.0, ge=1, le=1000, description="condition number κ = λmax / λmin")
    rotation: float = Field(default=30.0, ge=-90, le=90, description="rotation of the eigenvectors, degrees")
    optimizer: Literal[OPTIMIZERS] = "momentum"  # type: ignore[valid-type]
    alpha: float = Field(default=1.0, gt=0, le=10, description="step size α")
    beta: float = Field(default=0.6, ge=0, lt=1, description="momentum β")
    beta1: float = Field(default=0.9, ge=0, lt=1, description="Adam β1")
    beta2: float = Field(default=0.999, ge=0, lt=1, description="Adam β2 (RMSprop's smoothing)")
    decay: float = Field(default=0.01, ge=0, le=1, description="AdamW weight decay λ")
    start: tuple[float, float] = STARTS["quadratic"]
    steps: int = Field(default=200, ge=1, le=MAX_STEPS)
    race: list[Literal[OPTIMIZERS]] = Field(  # type: ignore[valid-type]
        default=[], max_length=len(OPTIMIZERS), description="optimisers raced from the same start")
    batch_size: int = Field(default=20, ge=1, le=200, description="mini-batch size of the gradient cloud")


def settings_schema() -> dict:
    """:class:`Settings` as JSON Schema (``GET /api/optimise/schema``): the page derives its URL codec from it,
    as the playground does from its own; ``x-rates`` and ``x-starts`` are the step size and start the page
    takes on switching surface or optimiser."""
    from .protocol import _Plain

    return {**Settings.model_json_schema(schema_generator=_Plain), "x-rates": RATES, "x-starts": STARTS}


def check(s: Settings) -> tuple[str, str] | None:
    """What the settings need together: the start inside the plot of its surface, as (field, message)."""
    x0, x1, y0, y1 = EXTENTS[s.surface]
    x, y = s.start
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return "start", f"({x:g}, {y:g}) is outside the {s.surface} plot [{x0:g}, {x1:g}] × [{y0:g}, {y1:g}]"
    return None


def hessian(condition: float, rotation: float) -> torch.Tensor:
    """The quadratic's ``A = R diag(1, 1/condition) Rᵀ``, ``R`` a rotation by ``rotation`` degrees."""
    t = math.radians(rotation)
    r = torch.tensor([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]], dtype=torch.float64)
    return r @ torch.diag(torch.tensor([1.0, 1.0 / condition], dtype=torch.float64)) @ r.T


def loss(s: Settings, w: torch.Tensor) -> torch.Tensor:
    """The surface at points ``w`` (..., 2)."""
    if s.surface == "network":
        from .optimise_landscape import landscape

        return landscape().loss(w)
    if s.surface == "rosenbrock":
        x, y = w[..., 0], w[..., 1]
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2
    return 0.5 * ((w @ hessian(s.condition, s.rotation)) * w).sum(-1)


def _gradient(s: Settings, a: torch.Tensor | None):
    """The surface's gradient at points (..., 2): in closed form on the toy surfaces (autograd costs five
    times more per step; the tests check the two agree), by autograd through the network on the real one."""
    if a is not None:
        return lambda w: w @ a  # A is symmetric
    if s.surface == "network":
        from .optimise_landscape import landscape

        return landscape().gradient
    def rosenbrock(w: torch.Tensor) -> torch.Tensor:
        x, y = w[..., 0], w[..., 1]
        inner = y - x * x
        return torch.stack((-2 * (1 - x) - 400 * x * inner, 200 * inner), -1)
    return rosenbrock


def optimizer(s: Settings, params: list[torch.Tensor]) -> torch.optim.Optimizer:
    """The ``torch.optim`` optimiser the page's formula names: ``w ← w − α∇f`` (sgd), ``z ← βz + ∇f,
    w ← w − αz`` (momentum, Distill's form, which is torch's SGD with dampening 0), Adam, RMSprop (its
    smoothing constant is the page's β₂) or AdamW (Adam with decoupled weight decay λ)."""
    if s.optimizer == "adam":
        return torch.optim.Adam(params, lr=s.alpha, betas=(s.beta1, s.beta2), foreach=False)
    if s.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=s.alpha, betas=(s.beta1, s.beta2), weight_decay=s.decay, foreach=False)
    if s.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=s.alpha, alpha=s.beta2, foreach=False)
    return torch.optim.SGD(params, lr=s.alpha, momentum=s.beta if s.optimizer == "momentum" else 0.0,
                           foreach=False)


def racers(s: Settings) -> list[Settings]:
    """The settings of each raced optimiser: the page's, with that optimiser at its own step size."""
    return [s.model_copy(update={"optimizer": o, "alpha": RATES[s.surface][o], "race": []}) for o in s.race]


def _run(s: Settings, runs: list[Settings], grad) -> list[dict]:
    """Every run's path from the start, side by side: one gradient call per step for all of them (one
    backward pass through the network for every racer), then each one's own ``torch.optim`` step."""
    ws = [torch.tensor(s.start, dtype=torch.float64, requires_grad=True) for _ in runs]
    opts = [optimizer(r, [w]) for r, w in zip(runs, ws)]
    out = torch.empty(s.steps + 1, len(runs), 2, dtype=torch.float64)
    out[0] = torch.stack(ws)
    x0, x1, y0, y1 = EXTENTS[s.surface]
    centre = torch.tensor([(x0 + x1) / 2, (y0 + y1) / 2], dtype=torch.float64)
    for i in range(1, s.steps + 1):
        g = grad(out[i - 1])
        for k, (w, opt) in enumerate(zip(ws, opts)):
            w.grad = g[k]
            opt.step()
        out[i] = torch.stack(ws)
    losses = loss(s, out.nan_to_num(nan=BOUND * 2, posinf=BOUND * 2, neginf=-BOUND * 2))
    good = torch.isfinite(losses) & ((out - centre).abs() <= BOUND).all(-1)
    paths = []
    for k in range(len(runs)):
        bad = (~good[:, k]).nonzero()
        end = int(bad[0, 0]) if len(bad) else s.steps + 1
        paths.append({"points": out[:end, k].tolist(), "losses": losses[:end, k].tolist(),
                      "diverged": end if end <= s.steps else None})
    return paths


@contextmanager
def _alone():
    """One computation at a time, on one torch thread: two threads on these tiny tensors measured 4-6x
    slower (a 200-step path 150-190 ms against 27-42 ms on a busy machine). The lock keeps one socket's
    ``one_thread()`` from restoring the thread count under another's (training runs in worker processes)."""
    from ..threads import one_thread

    with _LOCK, one_thread():
        yield


def path(s: Settings) -> dict:
    """The iterates ``w_0 .. w_steps`` and the loss at each, cut before the first that diverged; the racers'
    paths under ``race``; on the quadratic, the loss's eigen-components and the rate of the iteration; on
    the network, the mini-batch gradients at the start."""
    with torch.no_grad(), _alone():
        return _path(s)


def _path(s: Settings) -> dict:
    a = hessian(s.condition, s.rotation) if s.surface == "quadratic" else None
    runs = [s, *racers(s)]
    main, *raced = _run(s, runs, _gradient(s, a))
    reply = {**main}
    if raced:
        reply["race"] = [{"optimizer": r.optimizer, "alpha": r.alpha, **p} for r, p in zip(runs[1:], raced)]
    if a is not None:
        reply["components"] = spectra.components(a, torch.tensor(main["points"], dtype=torch.float64))
        if s.optimizer in ("sgd", "momentum"):  # the others rescale each weight: no fixed iteration matrix
            beta = torch.tensor(s.beta if s.optimizer == "momentum" else 0.0, dtype=torch.float64)
            rho, phase = spectra.rates(torch.tensor(s.alpha, dtype=torch.float64), beta,
                                       torch.tensor(reply["components"]["eigenvalues"], dtype=torch.float64))
            reply["rate"], reply["phase"] = rho.item(), spectra.PHASE_NAMES[int(phase)]
    if s.surface == "network":
        reply["noise"] = noise(s)
    return reply


def noise(s: Settings) -> dict:
    """At the start point: the full-batch gradient and those of ``NOISE_BATCHES`` mini-batches of
    ``batch_size`` points, and their mean distance from it."""
    from .optimise_landscape import landscape

    land = landscape()
    at = torch.tensor(s.start, dtype=torch.float64)
    full = land.gradient(at)
    batches = land.batch_gradients(at, s.batch_size, NOISE_BATCHES)
    return {"at": list(s.start), "batch_size": s.batch_size, "full": full.tolist(), "batches": batches.tolist(),
            "spread": (batches - full).norm(dim=-1).mean().item()}


def surface(s: Settings) -> dict:
    """The loss over the plot (``GRID``² samples, row-major from the bottom-left) and the contour levels: the
    quantiles of those samples, so the lines spread evenly over the picture on any surface."""
    return _surface(s.surface, s.condition, s.rotation)


@lru_cache(maxsize=32)
def _surface(name: str, condition: float, rotation: float) -> dict:
    s = Settings(surface=name, condition=condition, rotation=rotation)
    x0, x1, y0, y1 = EXTENTS[name]
    xs = torch.linspace(x0, x1, GRID, dtype=torch.float64)
    ys = torch.linspace(y0, y1, GRID, dtype=torch.float64)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    with _alone():
        values = loss(s, torch.stack((gx, gy), -1))
    levels = torch.quantile(values.flatten(), torch.linspace(0.01, 0.95, LEVELS, dtype=torch.float64) ** 2)
    return {"key": [name, condition, rotation], "extent": [x0, x1, y0, y1], "size": GRID,
            "values": [float(f"{v:.5g}") for v in values.flatten().tolist()],
            "levels": sorted({float(f"{v:.5g}") for v in levels.tolist()}),
            "minimum": [1.0, 1.0] if name == "rosenbrock" else [0.0, 0.0],  # the network: its trained weights
            "phases": spectra.phases(condition) if name == "quadratic" else None}


# The page's messages: {"type": "path", "id": n, "settings": {...}} in; a "path" frame (with the surface when
# it changed) or an "error" naming the field out, both carrying the request's id.
MAX_MESSAGE = 4096  # bytes: a request is a few hundred


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["path"]
    id: int = Field(default=0, ge=0, le=2**53)
    settings: Settings = Settings()


class Refused(Exception):
    """A request that cannot be answered, with the field it names."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def settings_from(data: dict | str | bytes) -> Settings:
    """Validated settings (a JSON text or its parsed dict), or :class:`Refused` naming the field."""
    from pydantic import ValidationError

    try:
        s = Settings.model_validate_json(data) if isinstance(data, (str, bytes)) else Settings.model_validate(data)
    except ValidationError as err:
        raise _refused(err) from None
    problem = check(s)
    if problem:
        raise Refused(*problem)
    return s


def _refused(err) -> Refused:
    first = err.errors()[0]
    loc = [str(p) for p in first["loc"]]
    if loc[:1] == ["settings"]:
        loc = loc[1:]
    if first["type"] == "json_invalid":
        return Refused("message", "not valid JSON")
    return Refused(loc[0] if loc else "message", first["msg"])


def answer(raw: str | bytes, shown: list | None) -> dict:
    """The page's reply to one websocket message; ``shown`` is the key of the surface it already has."""
    if len(raw) > MAX_MESSAGE:
        return error(Refused("message", f"larger than {MAX_MESSAGE} bytes"), 0)
    from pydantic import ValidationError

    try:
        req = Request.model_validate_json(raw)
    except ValidationError as err:
        return error(_refused(err), 0)
    problem = check(req.settings)
    if problem:
        return error(Refused(*problem), req.id)
    out = {"type": "path", "id": req.id, **path(req.settings)}
    drawn = surface(req.settings)
    if drawn["key"] != shown:
        out["surface"] = drawn
    return out


def error(refused: Refused, id: int) -> dict:
    return {"type": "error", "id": id, "field": refused.field, "detail": str(refused)}
